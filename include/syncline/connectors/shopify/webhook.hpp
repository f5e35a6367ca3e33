// shopify::webhook<"orders/create">: a run starts when Shopify delivers the topic. The payload
// type is the topic's (topics.hpp), so `shopify::webhook<"orders/create">{} | ...` hands the next
// block a shopify::order, and a topic Shopify does not have does not compile.
//
// A trigger is a topic and a payload type: how a delivery is read and signed is shopify::app's
// (identify: the X-Shopify-* headers, tenant = shop domain, dedupe key = webhook id, topic =
// X-Shopify-Topic; verify: the HMAC of the raw body with the tenant's client secret). The
// engine's delivery gate identifies a delivery once and verifies it once per shop it names, and
// refuses one whose X-Shopify-Topic is not the topic of the URL it was posted to.
#pragma once

#include <syncline/connectors/shopify/app.hpp>
#include <syncline/connectors/shopify/topics.hpp>
#include <syncline/core/fixed_string.hpp>
#include <syncline/core/webhook.hpp>

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
  // The Shopify access scope its subscription needs (topics.hpp); empty for none.
  static constexpr std::string_view access_scope = topic_access_scope(Topic);
};

}  // namespace syncline::shopify
