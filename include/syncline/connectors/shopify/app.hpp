// shopify::app: the Shopify Admin API as an app of syncline, and the credentials one tenant
// (one shop that installed your app) gives it. The engine keeps one `shopify::credentials` per
// tenant and hands it to that tenant's runs (ctx.service<shopify::credentials>()); webhook
// deliveries find their tenant by tenant_key(), the shop domain.
//
//   eng.install(shopify_sync, syncline::tenant<shopify::credentials>{
//       "shop-a", {.shop_domain = "acme.myshopify.com",
//                  .access_token = syncline::secret{"shpat_..."},
//                  .client_secret = syncline::secret{"..."}}});
#pragma once

#include <syncline/core/secret.hpp>

#include <boost/describe/class.hpp>
#include <boost/describe/enum.hpp>

#include <string>
#include <string_view>

namespace syncline::shopify {

// Which Admin API the actions speak. GraphQL is Shopify's default (REST is "legacy" since
// 2024-10, and new public apps must use GraphQL since 2025-04); REST is for the stores and apps
// that still use it.
enum class api_kind { graphql, rest };
BOOST_DESCRIBE_ENUM(api_kind, graphql, rest)

// The rate limits of the shop's plan, as the pacing starts from them. Shopify's answers say the
// real figures (the call-limit header, throttleStatus) and the pacing follows those as soon as
// the first answer comes, so a wrong plan here costs at most the first burst.
struct plan_limits {
  double rest_bucket = 40;                  // calls the REST bucket holds
  double rest_leak_per_second = 2;          // calls that drain from it per second
  double graphql_bucket = 2000;             // cost points (throttleStatus.maximumAvailable)
  double graphql_restore_per_second = 100;  // points restored per second (restoreRate)

  static plan_limits standard() { return {}; }
  static plan_limits advanced() { return {80, 4, 4000, 200}; }
  static plan_limits plus() { return {400, 20, 20000, 1000}; }
};
BOOST_DESCRIBE_STRUCT(plan_limits, (),
                      (rest_bucket, rest_leak_per_second, graphql_bucket,
                       graphql_restore_per_second))

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
                       api_version, base_url, api, plan))

struct app {
  static constexpr std::string_view name = "shopify";
  using credentials = shopify::credentials;
};

}  // namespace syncline::shopify
