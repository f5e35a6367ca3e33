// shopify::offline_token: what Shopify's token endpoint gives an app for one shop (an offline
// access token: it belongs to the shop, not to a staff member), as shopify::token_endpoint
// reads it. An expiring one (Shopify's default for public apps from 2026; non-expiring ones are
// refused from January 1, 2027) lasts an hour and comes with a refresh token that is used once:
// each refresh answers a new pair.
#pragma once

#include <syncline/core/secret.hpp>

#include <boost/describe/class.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace syncline::shopify {

struct offline_token {
  secret access_token{};
  secret refresh_token{};  // empty for a non-expiring token
  std::optional<std::chrono::system_clock::time_point> expires_at{};
  std::optional<std::chrono::system_clock::time_point> refresh_token_expires_at{};
  std::string scope{};  // as granted: "write_orders" (read_orders implied), comma-separated

  bool expiring() const noexcept { return expires_at.has_value(); }
};
// Described so that the engine's redactor finds the secrets.
BOOST_DESCRIBE_STRUCT(offline_token, (),
                      (access_token, refresh_token, expires_at, refresh_token_expires_at, scope))

}  // namespace syncline::shopify
