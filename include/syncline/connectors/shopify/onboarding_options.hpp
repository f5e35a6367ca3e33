// shopify::onboarding_options: what shopify::onboarding needs to know about your app and where
// the engine is; shopify::installed_shop: what an install answers.
#pragma once

#include <syncline/connectors/shopify/app_credentials.hpp>
#include <syncline/connectors/shopify/privacy.hpp>
#include <syncline/connectors/shopify/token_endpoint.hpp>
#include <syncline/connectors/shopify/token_refresher.hpp>
#include <syncline/connectors/shopify/webhook_subscriptions.hpp>
#include <syncline/core/result.hpp>

#include <boost/describe/class.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>

namespace syncline::shopify {

struct onboarding_options {
  app_credentials app{};
  // The engine's address as Shopify and browsers reach it ("https://sync.example.com"): the
  // redirect_uri is public_url + callback_path (register it in the app's configuration), and
  // webhook subscriptions point at public_url + "/webhooks/shopify/{topic}". Empty: the
  // engine's own URL (engine::url(), for a local set-up and tests).
  std::string public_url{};
  std::string install_path = "/shopify/install";
  std::string callback_path = "/shopify/callback";
  std::string session_path = "/shopify/session";
  // The app's compliance webhooks URL (customers/data_request, customers/redact, shop/redact):
  // public_url + privacy_path goes in the app's configuration. Served even for a shop that
  // uninstalled (shop/redact comes 48 hours after), signed with the app's client secret.
  std::string privacy_path = "/shopify/privacy";
  // Where a customers/data_request's answer goes: the data syncline holds about the customer,
  // for your application to hand to the merchant. Empty: the request is logged with how many
  // runs hold the customer's data. An error makes the route answer 503 (Shopify retries).
  std::function<result<void>(const customer_data&)> on_data_request{};
  // Where the merchant's browser goes after an install (empty: a JSON answer naming the shop).
  std::string after_install_url{};
  std::string api_version = "2026-01";  // of the installed shops' credentials
  // Tests and the emulator: the Admin API's base URL of the installed shops (empty: the shop's
  // own https://{shop}), and the base of the install screen ("{shop}" replaced by the shop's
  // domain; empty: https://{shop}).
  std::string admin_base_url{};
  std::string authorize_base{};
  // The token endpoint: expiring tokens by default; its base URL and clock for tests.
  token_endpoint_options tokens{};
  token_refresher_options refresh{};
  // How long an issued `state` may wait for its callback, and how old a callback may be.
  std::chrono::seconds state_lifetime{600};
  std::chrono::seconds callback_max_age{3600};
  // How often start() looks for tokens that are due (refresh.refresh_before ahead of expiry).
  std::chrono::milliseconds refresh_check{30'000};
  // Create and reconcile the webhook subscriptions of the integration's triggers.
  bool subscribe_webhooks = true;
};

struct installed_shop {
  std::string shop{};
  std::string scope{};  // as granted
  std::optional<subscription_report> subscriptions{};
  // The shop is installed, but its subscriptions could not be made now (they are made again
  // at the next start()).
  std::optional<error> subscription_error{};
};

namespace detail {
// The JSON answer of the callback and token-exchange routes.
struct install_answer {
  std::string shop;
  std::string scope;
};
BOOST_DESCRIBE_STRUCT(install_answer, (), (shop, scope))
}  // namespace detail

}  // namespace syncline::shopify
