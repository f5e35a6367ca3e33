// The Shopify webhook topics syncline knows, and the payload each one carries (rule 5: a trigger
// on a topic carries exactly that type). shopify::webhook<Topic> accepts only these; a topic
// Shopify has and syncline does not yet model is added the same way, in your own code:
//
//   template <> struct syncline::event_payload<syncline::shopify::app, "orders/fulfilled"> {
//     using type = syncline::shopify::order;
//   };
#pragma once

#include <syncline/connectors/shopify/app.hpp>
#include <syncline/connectors/shopify/compliance.hpp>
#include <syncline/connectors/shopify/order.hpp>
#include <syncline/connectors/shopify/order_codec.hpp>
#include <syncline/connectors/shopify/shop.hpp>
#include <syncline/core/fixed_string.hpp>
#include <syncline/core/trigger.hpp>

#include <string_view>

template <>
struct syncline::event_payload<syncline::shopify::app, "orders/create"> {
  using type = syncline::shopify::order;
};
template <>
struct syncline::event_payload<syncline::shopify::app, "orders/updated"> {
  using type = syncline::shopify::order;
};
template <>
struct syncline::event_payload<syncline::shopify::app, "orders/paid"> {
  using type = syncline::shopify::order;
};
template <>
struct syncline::event_payload<syncline::shopify::app, "orders/cancelled"> {
  using type = syncline::shopify::order;
};
template <>
struct syncline::event_payload<syncline::shopify::app, "app/uninstalled"> {
  using type = syncline::shopify::shop;
};
template <>
struct syncline::event_payload<syncline::shopify::app, "customers/data_request"> {
  using type = syncline::shopify::customers_data_request;
};
template <>
struct syncline::event_payload<syncline::shopify::app, "customers/redact"> {
  using type = syncline::shopify::customers_redact;
};
template <>
struct syncline::event_payload<syncline::shopify::app, "shop/redact"> {
  using type = syncline::shopify::shop_redact;
};

namespace syncline::shopify {

// A topic is known when its payload is declared.
template <fixed_string Topic>
inline constexpr bool is_webhook_topic = requires {
  typename event_payload<app, Topic>::type;
};

// The mandatory compliance topics: Shopify checks that an app answers 401 to a delivery with a
// bad signature on these (syncline's engine answers 401 to every such delivery).
constexpr bool is_compliance_topic(std::string_view topic) noexcept {
  return topic == "customers/data_request" || topic == "customers/redact" || topic == "shop/redact";
}

// The access scope a subscription to `topic` needs, the one table of them (webhook<Topic> declares
// it, shopify::access_scopes_of gathers it): a topic about orders needs read_orders, and so on.
// app/* and the compliance topics need none (empty), nor does a topic not listed here: a topic
// you model yourself names its scope in its integration's shopify::extra_access_scopes.
constexpr std::string_view topic_access_scope(std::string_view topic) noexcept {
  if (is_compliance_topic(topic) || topic.starts_with("app/")) return {};
  struct by_resource {
    std::string_view prefix;
    std::string_view scope;
  };
  constexpr by_resource table[] = {
      {"orders/", "read_orders"},
      {"order_transactions/", "read_orders"},
      {"refunds/", "read_orders"},
      {"draft_orders/", "read_draft_orders"},
      {"fulfillments/", "read_fulfillments"},
      {"products/", "read_products"},
      {"collections/", "read_products"},
      {"inventory_items/", "read_inventory"},
      {"inventory_levels/", "read_inventory"},
      {"customers/", "read_customers"},
  };
  for (const auto& row : table)
    if (topic.starts_with(row.prefix)) return row.scope;
  return {};
}

}  // namespace syncline::shopify
