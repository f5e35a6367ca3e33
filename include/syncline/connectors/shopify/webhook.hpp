// shopify::webhook<"orders/create">: a run starts when Shopify delivers the topic. The payload
// type is the topic's (topics.hpp), so `shopify::webhook<"orders/create">{} | ...` hands the next
// block a shopify::order, and a topic Shopify does not have does not compile.
//
// The engine drives it through core/delivery.hpp: identify() reads the X-Shopify-* headers
// before any secret is known (tenant = shop domain, dedupe key = webhook id), verify() checks the
// HMAC of the raw body with the tenant's client secret, in constant time.
#pragma once

#include <syncline/connectors/shopify/app.hpp>
#include <syncline/connectors/shopify/topics.hpp>
#include <syncline/connectors/shopify/webhook_metadata.hpp>
#include <syncline/core/delivery.hpp>
#include <syncline/core/fixed_string.hpp>
#include <syncline/core/result.hpp>
#include <syncline/core/webhook.hpp>
#include <syncline/http/hmac.hpp>
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
                "syncline: shopify::webhook: Shopify has no such webhook topic (known: "
                "orders/create, orders/updated, orders/paid, orders/cancelled, app/uninstalled, "
                "customers/data_request, customers/redact, shop/redact; declare another with "
                "event_payload<shopify::app, \"topic\">, see shopify/topics.hpp)");
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

  // Malformed deliveries are errc::invalid_input (the engine answers 400): a missing
  // X-Shopify-Hmac-Sha256, -Topic, -Shop-Domain, -API-Version or -Webhook-Id (all missing ones
  // named in one message), an empty body, a topic other than this trigger's, a shop domain that is
  // not {shop}.myshopify.com, an API version that is not YYYY-MM or "unstable".
  static result<delivery_identity> identify(const inbound_delivery& d) {
    std::string missing;
    auto need = [&](std::string_view name) {
      const std::string_view v = d.header ? d.header(name) : std::string_view{};
      if (v.empty()) {
        if (!missing.empty()) missing += ", ";
        missing += name;
      }
      return v;
    };
    need(webhook_header::hmac_sha256);
    const std::string_view got_topic = need(webhook_header::topic);
    const std::string_view domain = need(webhook_header::shop_domain);
    const std::string_view version = need(webhook_header::api_version);
    const std::string_view id = need(webhook_header::webhook_id);
    if (!missing.empty()) {
      return make_error(errc::invalid_input, "Shopify webhook delivery is missing " + missing);
    }
    if (d.body.empty()) {
      return make_error(errc::invalid_input, "Shopify webhook delivery has an empty body");
    }
    if (got_topic != topic) {
      return make_error(errc::invalid_input, std::string(webhook_header::topic) + " is " +
                                                 json::detail::quoted(got_topic, 64) +
                                                 ", but this trigger is " + std::string(topic));
    }
    std::string tenant = credentials::normalize_shop_domain(domain);
    if (!webhook_metadata::is_shop_domain(tenant)) {
      return make_error(errc::invalid_input, std::string(webhook_header::shop_domain) +
                                                 ": expected {shop}.myshopify.com, got " +
                                                 json::detail::quoted(domain, 64));
    }
    if (!webhook_metadata::is_api_version(version)) {
      return make_error(errc::invalid_input, std::string(webhook_header::api_version) +
                                                 ": expected YYYY-MM or unstable, got " +
                                                 json::detail::quoted(version, 64));
    }
    return delivery_identity{std::move(tenant), std::string(id)};
  }

  // errc::unauthorized (the engine answers 401, as Shopify requires for compliance topics) when
  // the delivery names another shop than these credentials, when no client secret is set, or
  // when X-Shopify-Hmac-Sha256 is not base64(HMAC-SHA256(secret, raw body)) for the current or
  // the previous secret. Both secrets are always checked, so the time taken does not tell which
  // one matched. No secret, signature or body byte goes into the message.
  static result<void> verify(const inbound_delivery& d, const credentials& creds) {
    const std::string_view domain = d.header ? d.header(webhook_header::shop_domain) : "";
    const std::string expected_shop = creds.tenant_key();
    if (credentials::normalize_shop_domain(domain) != expected_shop) {
      return make_error(errc::unauthorized,
                        "Shopify webhook for " + json::detail::quoted(domain, 64) +
                            " checked with the credentials of " + expected_shop);
    }
    if (creds.client_secret.empty() && creds.previous_client_secret.empty()) {
      return make_error(errc::unauthorized, "no client secret in the Shopify credentials of " +
                                                expected_shop + ": cannot verify its webhooks");
    }
    const std::string_view signature = d.header(webhook_header::hmac_sha256);
    bool valid = false;
    for (const secret* s : {&creds.client_secret, &creds.previous_client_secret}) {
      const bool match =
          !s->empty() && http::verify_hmac_sha256_base64(s->reveal(), d.body, signature);
      valid = valid | match;  // not ||: always compute both
    }
    if (!valid) {
      return make_error(errc::unauthorized,
                        std::string(topic) + " webhook for " + expected_shop +
                            ": X-Shopify-Hmac-Sha256 does not match the body signed with the "
                            "app's client secret");
    }
    return {};
  }
};

}  // namespace syncline::shopify
