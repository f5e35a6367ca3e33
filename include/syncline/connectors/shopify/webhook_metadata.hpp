// What a Shopify webhook delivery says about itself in its X-Shopify-* headers: which topic,
// which shop, which delivery (webhook id: dedupe on it), which merchant action (event id: shared
// by the deliveries of one action), when, and in which API version the body is written.
// No HTTP library here: the connector passes a header lookup.
#pragma once

#include <syncline/core/result.hpp>
#include <syncline/core/timestamp.hpp>
#include <syncline/json/detail/quote.hpp>

#include <boost/describe/class.hpp>

#include <concepts>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

namespace syncline::shopify {

// The header names as Shopify spells them. HTTP header names are case-insensitive: the lookup
// passed to from_headers must be too (Beast's fields are).
namespace webhook_header {
inline constexpr std::string_view topic = "X-Shopify-Topic";
inline constexpr std::string_view hmac_sha256 = "X-Shopify-Hmac-Sha256";
inline constexpr std::string_view shop_domain = "X-Shopify-Shop-Domain";
inline constexpr std::string_view api_version = "X-Shopify-API-Version";
inline constexpr std::string_view webhook_id = "X-Shopify-Webhook-Id";
inline constexpr std::string_view event_id = "X-Shopify-Event-Id";
inline constexpr std::string_view triggered_at = "X-Shopify-Triggered-At";
inline constexpr std::string_view name = "X-Shopify-Name";
inline constexpr std::string_view sub_topic = "X-Shopify-Sub-Topic";
}  // namespace webhook_header

// A header lookup: the value of the named header, or an empty view when it is absent.
template <class F>
concept header_lookup = std::invocable<F&, std::string_view> &&
    std::convertible_to<std::invoke_result_t<F&, std::string_view>, std::string_view>;

struct webhook_metadata {
  std::string topic{};        // "orders/create"
  std::string shop_domain{};  // "{shop}.myshopify.com", lower case
  std::string api_version{};  // "2026-01" or "unstable"
  std::string webhook_id{};   // one per delivery: the dedupe key
  std::string event_id{};     // one per merchant action, shared by its deliveries
  timestamp triggered_at{};   // RFC 3339 with nanoseconds: orders deliveries of one resource
  std::optional<std::string> name{};       // the subscription's name, when it has one
  std::optional<std::string> sub_topic{};  // e.g. the metaobject type of metaobjects/* topics

  bool operator==(const webhook_metadata&) const = default;

  // Reads the headers through `header(name)`, which returns the value or an empty view when the
  // header is absent. Every missing required header is named in one error; a malformed shop
  // domain, API version or time is an error naming its header (errc::invalid_input). The HMAC
  // header is not read here: verifying it is the webhook trigger's job.
  template <header_lookup Lookup>
  static result<webhook_metadata> from_headers(Lookup&& header) {
    webhook_metadata m;
    std::string missing;
    auto required = [&](std::string_view h, std::string& out) {
      const std::string_view v = header(h);
      if (v.empty()) {
        if (!missing.empty()) missing += ", ";
        missing += h;
      }
      out.assign(v);
    };
    required(webhook_header::topic, m.topic);
    required(webhook_header::shop_domain, m.shop_domain);
    required(webhook_header::api_version, m.api_version);
    required(webhook_header::webhook_id, m.webhook_id);
    required(webhook_header::event_id, m.event_id);
    std::string triggered;
    required(webhook_header::triggered_at, triggered);
    if (!missing.empty()) {
      return make_error(errc::invalid_input, "webhook delivery is missing " + missing);
    }

    auto malformed = [](std::string_view h, std::string_view expected, std::string_view got) {
      return make_error(errc::invalid_input, std::string(h) + ": " + std::string(expected) +
                                                 ", got " + json::detail::quoted(got, 64));
    };
    for (char& c : m.shop_domain) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    if (!is_shop_domain(m.shop_domain)) {
      return malformed(webhook_header::shop_domain, "expected {shop}.myshopify.com", m.shop_domain);
    }
    if (!is_api_version(m.api_version)) {
      return malformed(webhook_header::api_version, "expected YYYY-MM or unstable", m.api_version);
    }
    auto at = timestamp::parse(triggered);
    if (!at) return malformed(webhook_header::triggered_at, at.error().message, triggered);
    m.triggered_at = *at;

    if (const std::string_view v = header(webhook_header::name); !v.empty()) m.name.emplace(v);
    if (const std::string_view v = header(webhook_header::sub_topic); !v.empty()) {
      m.sub_topic.emplace(v);
    }
    return m;
  }

  // Calls f(header_name, value) for every header this metadata stands for, to send a delivery
  // (the emulator) or to log one.
  template <std::invocable<std::string_view, std::string_view> F>
  void for_each_header(F&& f) const {
    f(webhook_header::topic, std::string_view(topic));
    f(webhook_header::shop_domain, std::string_view(shop_domain));
    f(webhook_header::api_version, std::string_view(api_version));
    f(webhook_header::webhook_id, std::string_view(webhook_id));
    f(webhook_header::event_id, std::string_view(event_id));
    f(webhook_header::triggered_at, triggered_at.text());
    if (name) f(webhook_header::name, std::string_view(*name));
    if (sub_topic) f(webhook_header::sub_topic, std::string_view(*sub_topic));
  }

  // "{shop}.myshopify.com": the shop name is lower-case letters, digits and '-'. The domain
  // names the tenant and goes into API URLs, so nothing else is let through.
  static bool is_shop_domain(std::string_view d) noexcept {
    constexpr std::string_view suffix = ".myshopify.com";
    if (d.size() <= suffix.size() || d.substr(d.size() - suffix.size()) != suffix) return false;
    const std::string_view shop = d.substr(0, d.size() - suffix.size());
    if (shop.front() == '-') return false;
    for (char c : shop) {
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
    }
    return true;
  }

  // "YYYY-MM" (Shopify releases quarterly, but any month is let through) or "unstable".
  static bool is_api_version(std::string_view v) noexcept {
    if (v == "unstable") return true;
    if (v.size() != 7 || v[4] != '-') return false;
    constexpr std::size_t digit_at[] = {0, 1, 2, 3, 5, 6};
    for (std::size_t i : digit_at) {
      if (v[i] < '0' || v[i] > '9') return false;
    }
    const int month = (v[5] - '0') * 10 + (v[6] - '0');
    return month >= 1 && month <= 12;
  }
};
BOOST_DESCRIBE_STRUCT(webhook_metadata, (),
                      (topic, shop_domain, api_version, webhook_id, event_id, triggered_at, name,
                       sub_topic))

}  // namespace syncline::shopify
