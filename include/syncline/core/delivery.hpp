// How a webhook trigger accepts a delivery, without core knowing HTTP: the runtime hands the
// trigger the headers and the raw body; the trigger says whose delivery it is, proves it came
// from the app (signature), and names the key that dedupes it. Connectors implement it
// (shopify::webhook), the runtime's webhook endpoint drives it.
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

// What the trigger read from the delivery before any secret is needed.
struct delivery_identity {
  std::string tenant_key;  // e.g. the shop domain: the runtime maps it to an installed tenant
  std::string dedupe_key;  // e.g. X-Shopify-Webhook-Id: the same for redeliveries of one event
};

// A webhook trigger the runtime can serve. `identify` rejects malformed deliveries
// (errc::invalid_input -> 400); `verify` checks the signature with the tenant's credentials
// (errc::unauthorized -> 401) — in constant time, and without putting secrets in the error.
// The payload the run decodes is the body itself.
template <class T>
concept verifiable_webhook =
    trigger<T> &&
    T::kind == trigger_kind::webhook&& requires(const inbound_delivery& d,
                                                const typename T::app_type::credentials& creds) {
  { T::identify(d) } -> std::same_as<result<delivery_identity>>;
  { T::verify(d, creds) } -> std::same_as<result<void>>;
};

}  // namespace syncline
