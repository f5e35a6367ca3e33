// How webhook deliveries are accepted, without core knowing HTTP: the runtime hands the headers
// and the raw body to the *app*, which says whose delivery it is, which topic it carries and
// which key dedupes it (identify), and proves it came from the app (verify, with the tenant's
// credentials). How deliveries are signed is a property of the app, never of one topic: a
// webhook trigger is a topic and a payload type, and the engine's one delivery gate
// (runtime/detail/delivery_gate.hpp) identifies a delivery once through its app, verifies it
// once per installation it names and fans it out to every workflow of its topic. Connectors
// implement the app's two calls (shopify::app); the runtime's webhook endpoint drives them.
#pragma once

#include <syncline/core/result.hpp>
#include <syncline/core/trigger.hpp>

#include <concepts>
#include <functional>
#include <string>
#include <string_view>

namespace syncline {

// One delivery as it arrived. `header` looks a header up case-insensitively ("" when absent);
// `body` is the raw bytes, exactly as signed.
struct inbound_delivery {
  std::function<std::string_view(std::string_view)> header;
  std::string_view body;
};

// What identify read from the delivery before any secret is needed.
struct delivery_identity {
  std::string tenant_key;  // e.g. the shop domain: the runtime maps it to an installed tenant
  std::string dedupe_key;  // e.g. X-Shopify-Webhook-Id: the same for redeliveries of one event
  // The topic the delivery says it carries (e.g. X-Shopify-Topic), "" when the app's deliveries
  // do not say. The engine refuses (400) a delivery whose topic is not the one of the URL it
  // was posted to, so a signed delivery of one topic cannot be replayed as another.
  std::string topic{};
};

// An app whose webhook deliveries the engine can authenticate whatever their topic.
// `identify` rejects malformed deliveries (errc::invalid_input -> 400); `verify` checks the
// signature with one tenant's credentials (errc::unauthorized -> 401), in constant time and
// without putting secrets in the error.
template <class A>
concept verifiable_app = requires(const inbound_delivery& d, const typename A::credentials& creds) {
  { A::identify(d) } -> std::same_as<result<delivery_identity>>;
  { A::verify(d, creds) } -> std::same_as<result<void>>;
};

// A verifiable app that tells its tenants' uninstalls by webhook (Shopify: "app/uninstalled"):
// the engine uninstalls every tenant a verified delivery of that topic names, whether or not a
// workflow listens to it.
template <class A>
concept uninstall_notifying_app = verifiable_app<A> && requires {
  { A::uninstall_topic } -> std::convertible_to<std::string_view>;
};

// A webhook trigger the runtime can serve: a webhook of an app that can authenticate its
// deliveries. The payload the run decodes is the body itself.
template <class T>
concept verifiable_webhook =
    trigger<T> && T::kind == trigger_kind::webhook&& verifiable_app<typename T::app_type>;

}  // namespace syncline
