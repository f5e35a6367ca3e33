// syncline::tenant: one installation of an integration — the end user's id, the credentials of
// their own account of the app, and their settings. The engine keeps the credentials in memory
// and hands them to that tenant's runs only (run_context::service<Credentials>()).
//
//   eng.install(shopify_sync, syncline::tenant{"shop-a", shopify::credentials{...}});
//
// Credentials are the app's `App::credentials` type. It may have `tenant_key()`: the name by
// which the app's webhooks identify the tenant (a Shopify shop domain); without it the tenant id
// is used. Secrets in it should be syncline::secret members of a described struct
// (BOOST_DESCRIBE_STRUCT): the engine then scrubs their values from every log line, error and
// run-log entry, in case a connector quotes one by mistake.
#pragma once

#include <concepts>
#include <string>
#include <string_view>

namespace syncline {

// The credentials of apps that need none (your own platform).
struct no_credentials {};

template <class Credentials = no_credentials>
struct tenant {
  std::string id;
  Credentials credentials{};
  std::string settings = "{}";  // JSON text, handed to runs as tenant_settings
};

// What each run of a tenant can read about its installation: `ctx.service<tenant_settings>()`.
struct tenant_settings {
  std::string tenant;
  std::string integration;
  std::string json;  // as given to install()
};

namespace detail {
template <class C>
concept has_tenant_key = requires(const C& c) {
  { c.tenant_key() } -> std::convertible_to<std::string_view>;
};

// The key an app's deliveries name the tenant by.
template <class C>
std::string tenant_key_of(const tenant<C>& t) {
  if constexpr (has_tenant_key<C>)
    return std::string(t.credentials.tenant_key());
  else
    return t.id;
}
}  // namespace detail

}  // namespace syncline
