// shopify::token_source: where the Admin API calls of one shop get a fresh access token from,
// when tokens expire. An expiring offline token lives an hour; the installation's
// shopify::credentials keep the token of the moment they were made, so a shop whose tokens are
// refreshed while the engine runs (shopify::token_refresher) gives its credentials a source:
// admin_api then sends source->current(), and a call answered 401 asks renew() once for a newer
// token and is sent again with it. (Declared with core/awaitable.hpp: a TU that only declares
// workflows names no Asio.)
#pragma once

#include <syncline/core/awaitable.hpp>
#include <syncline/core/result.hpp>
#include <syncline/core/secret.hpp>

#include <vector>

namespace syncline::shopify {

class token_source {
 public:
  virtual ~token_source() = default;

  // The access token to send now.
  virtual secret current() const = 0;

  // `refused` was answered 401. Answers a newer token: the one another call already got, or one
  // refreshed now (once for all the calls that were refused the same token), or the reason there
  // is none (the shop uninstalled the app, its refresh token was revoked).
  virtual awaitable<result<secret>> renew(secret refused) = 0;

  // Every token it holds or held lately, for the engine's redactor.
  virtual std::vector<secret> secrets() const = 0;
};

}  // namespace syncline::shopify
