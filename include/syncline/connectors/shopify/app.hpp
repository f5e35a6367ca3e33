// shopify::app: the Shopify Admin API as an app of syncline, and the credentials one tenant
// (one shop that installed your app) gives it. The engine keeps one `shopify::credentials` per
// tenant and hands it to that tenant's runs (ctx.service<shopify::credentials>()); webhook
// deliveries find their tenant by tenant_key(), the shop domain.
//
// The app also knows how Shopify's webhooks are identified and signed, whatever their topic
// (core/delivery.hpp): app::identify reads the X-Shopify-* headers, app::verify checks the HMAC.
// They are the only way the engine authenticates a Shopify delivery, whichever workflows listen
// to its topic (shopify::webhook<Topic> is a topic and a payload type); app/uninstalled
// uninstalls the tenant even when no workflow listens to it.
//
//   eng.install(shopify_sync, syncline::tenant<shopify::credentials>{
//       "shop-a", {.shop_domain = "acme.myshopify.com",
//                  .access_token = syncline::secret{"shpat_..."},
//                  .client_secret = syncline::secret{"..."}}});
#pragma once

#include <syncline/connectors/shopify/plan_limits.hpp>
#include <syncline/connectors/shopify/token_source.hpp>
#include <syncline/connectors/shopify/webhook_metadata.hpp>
#include <syncline/core/delivery.hpp>
#include <syncline/core/result.hpp>
#include <syncline/core/secret.hpp>
#include <syncline/core/timestamp.hpp>
#include <syncline/http/hmac.hpp>
#include <syncline/json/detail/quote.hpp>

#include <boost/describe/class.hpp>
#include <boost/describe/enum.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace syncline::shopify {

// Which Admin API the actions speak. GraphQL is Shopify's default (REST is "legacy" since
// 2024-10, and new public apps must use GraphQL since 2025-04); REST is for the stores and apps
// that still use it.
enum class api_kind { graphql, rest };
BOOST_DESCRIBE_ENUM(api_kind, graphql, rest)

struct credentials {
  std::string shop_domain{};  // "acme.myshopify.com" ("acme" is read as that too)
  secret access_token{};      // X-Shopify-Access-Token of the installation
  secret client_secret{};     // the app's client secret: signs the webhooks
  // During a secret rotation Shopify may sign with the old secret for up to an hour: a webhook
  // signed with either is accepted. Leave it empty outside a rotation.
  secret previous_client_secret{};
  std::string api_version = "2026-01";  // "YYYY-MM" or "unstable"
  // Where the Admin API is: empty = "https://{shop_domain}". Tests point it at the emulator
  // ("http://127.0.0.1:port"), which then tells shops apart by their access token.
  std::string base_url{};
  api_kind api = api_kind::graphql;
  plan_limits plan{};
  // An expiring offline token (what installs get since 2026; from 2027 Shopify refuses the
  // others of public apps): the token that renews access_token once, and when each expires.
  // Empty and unset for a token that does not expire.
  secret refresh_token{};
  std::optional<timestamp> expires_at{};
  std::optional<timestamp> refresh_token_expires_at{};
  // Where a refreshed access_token comes from while the engine runs (shopify::token_refresher
  // sets it; token_source.hpp). Null: access_token is used as it is. Not stored.
  std::shared_ptr<token_source> tokens{};

  // Every secret these credentials hold now, for the engine's redactor: a refreshed token is
  // scrubbed from the moment it exists.
  std::vector<secret> secrets() const {
    std::vector<secret> out{access_token, refresh_token, client_secret, previous_client_secret};
    if (tokens) {
      for (auto& s : tokens->secrets()) out.push_back(std::move(s));
    }
    return out;
  }

  // "acme", "ACME.myshopify.com" -> "acme.myshopify.com": the name X-Shopify-Shop-Domain uses.
  std::string tenant_key() const { return normalize_shop_domain(shop_domain); }

  // "https://acme.myshopify.com/admin/api/2026-01" (or base_url + "/admin/api/...").
  std::string admin_url() const {
    std::string base = base_url.empty() ? "https://" + tenant_key() : base_url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    return base + "/admin/api/" + api_version;
  }

  static std::string normalize_shop_domain(std::string_view domain) {
    std::string d(domain);
    for (char& c : d) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    if (!d.empty() && d.find('.') == std::string::npos) d += ".myshopify.com";
    return d;
  }
};
// Described so that the engine can find the secrets and scrub them from every log line and error.
BOOST_DESCRIBE_STRUCT(credentials, (),
                      (shop_domain, access_token, client_secret, previous_client_secret,
                       api_version, base_url, api, plan, refresh_token, expires_at,
                       refresh_token_expires_at))

struct app {
  static constexpr std::string_view name = "shopify";
  using credentials = shopify::credentials;
  // Delivered when a merchant uninstalls the app: the engine then uninstalls that shop's tenant.
  static constexpr std::string_view uninstall_topic = "app/uninstalled";

  // Reads a delivery of any topic before any secret is needed: tenant = the shop domain,
  // dedupe key = X-Shopify-Webhook-Id, topic = X-Shopify-Topic. Malformed deliveries are
  // errc::invalid_input (the engine answers 400): a missing X-Shopify-Hmac-Sha256, -Topic,
  // -Shop-Domain, -API-Version or -Webhook-Id (all missing ones named in one message), an empty
  // body, a shop domain that is not {shop}.myshopify.com, an API version that is not YYYY-MM or
  // "unstable".
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
    const std::string_view topic = need(webhook_header::topic);
    const std::string_view domain = need(webhook_header::shop_domain);
    const std::string_view version = need(webhook_header::api_version);
    const std::string_view id = need(webhook_header::webhook_id);
    if (!missing.empty()) {
      return make_error(errc::invalid_input, "Shopify webhook delivery is missing " + missing);
    }
    if (d.body.empty()) {
      return make_error(errc::invalid_input, "Shopify webhook delivery has an empty body");
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
    return delivery_identity{std::move(tenant), std::string(id), std::string(topic)};
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
      const std::string_view topic = d.header(webhook_header::topic);
      return make_error(errc::unauthorized,
                        json::detail::quoted(topic, 64) + " webhook for " + expected_shop +
                            ": X-Shopify-Hmac-Sha256 does not match the body signed with the "
                            "app's client secret");
    }
    return {};
  }
};

}  // namespace syncline::shopify
