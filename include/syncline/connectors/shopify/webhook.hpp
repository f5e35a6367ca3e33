// shopify::webhook<"orders/create">: a run starts when Shopify delivers the topic. The payload
// type is the topic's (topics.hpp), so `shopify::webhook<"orders/create">{} | ...` hands the next
// block a shopify::order, and a topic Shopify does not have does not compile.
//
// The engine drives it through core/delivery.hpp: identify() is shopify::app::identify (the
// X-Shopify-* headers, read before any secret is known: tenant = shop domain, dedupe key =
// webhook id) plus the check that X-Shopify-Topic is this trigger's topic; verify() is
// shopify::app::verify (the HMAC of the raw body with the tenant's client secret, constant time).
#pragma once

#include <syncline/connectors/shopify/app.hpp>
#include <syncline/connectors/shopify/topics.hpp>
#include <syncline/connectors/shopify/webhook_metadata.hpp>
#include <syncline/core/delivery.hpp>
#include <syncline/core/fixed_string.hpp>
#include <syncline/core/result.hpp>
#include <syncline/core/webhook.hpp>
#include <syncline/json/detail/quote.hpp>

#include <string>
#include <string_view>

namespace syncline::shopify {

namespace diagnostic {
// Shown as "In instantiation of 'struct ...no_such_webhook_topic<...{"orders/explode"}>'" on the
// line before the message.
template <fixed_string Topic>
struct no_such_webhook_topic {
  static_assert(Topic.size() == static_cast<std::size_t>(-1),
                "syncline: shopify::webhook: syncline does not model this webhook topic yet "
                "(modelled: orders/create, orders/updated, orders/paid, orders/cancelled, "
                "app/uninstalled, customers/data_request, customers/redact, shop/redact). If "
                "Shopify has it, declare its payload: template <> struct "
                "syncline::event_payload<syncline::shopify::app, \"the/topic\"> { using type = "
                "your_described_struct; }; (see shopify/topics.hpp)");
  static constexpr bool value = false;
};
}  // namespace diagnostic

namespace detail {
// The payload of a known topic; for an unknown one a stand-in, so that the one error shown is
// the diagnostic above and not a cascade from the base class.
template <fixed_string Topic>
struct topic_payload {
  // Converts to whatever the next block takes, so that block adds no error of its own.
  struct unknown_topic {
    template <class T>
    operator T() const;  // NOLINT: never defined, never called (the build has already failed)
  };
  using type = unknown_topic;
};
template <fixed_string Topic>
requires is_webhook_topic<Topic>
struct topic_payload<Topic> {
  using type = typename event_payload<app, Topic>::type;
};

template <fixed_string Topic>
consteval bool check_topic() {
  if constexpr (is_webhook_topic<Topic>)
    return true;
  else
    return diagnostic::no_such_webhook_topic<Topic>::value;
}
consteval bool checked_topic(bool) { return true; }
}  // namespace detail

template <fixed_string Topic>
struct webhook : syncline::webhook<app, Topic, typename detail::topic_payload<Topic>::type> {
  static_assert(detail::checked_topic(detail::check_topic<Topic>()));

  static constexpr std::string_view topic = Topic;

  // app::identify (any malformed delivery is errc::invalid_input: the engine answers 400), plus
  // this trigger's own check: the delivery's X-Shopify-Topic must be this trigger's topic.
  static result<delivery_identity> identify(const inbound_delivery& d) {
    auto id = app::identify(d);
    if (id && id->topic != topic) {
      return make_error(errc::invalid_input, std::string(webhook_header::topic) + " is " +
                                                 json::detail::quoted(id->topic, 64) +
                                                 ", but this trigger is " + std::string(topic));
    }
    return id;
  }

  // app::verify: the signature is the app's, whatever the topic (errc::unauthorized -> 401).
  static result<void> verify(const inbound_delivery& d, const credentials& creds) {
    return app::verify(d, creds);
  }
};

}  // namespace syncline::shopify
