// shopify::token_endpoint: the calls an app makes to POST https://{shop}/admin/oauth/access_token
// to get, and keep, an offline access token for a shop:
//
//   shopify::token_endpoint tokens(client, app);        // expiring tokens by default
//   auto t = co_await tokens.exchange_code(cb->shop, cb->code);      // after the install redirect
//   auto u = co_await tokens.exchange_session_token(shop, bearer);   // an embedded app's frontend
//   auto v = co_await tokens.refresh(shop, t->refresh_token);        // before t->expires_at
//
// Each answers a shopify::offline_token. A refresh answers a NEW refresh token: store the new
// pair before using it (Shopify keeps the old refresh token valid until the new access token or
// refresh token is first used, so a refresh whose answer was lost can be made again with it).
// A refresh whose answer is lost (a timeout, a dropped connection, a 502-504) is sent again at
// once for the same reason; a code grant or token exchange is not (a code is single use).
// exchange_session_token checks the session token (shopify::verify_session_token: signature,
// expiry, audience, shop) first, and refuses a bad one without calling Shopify.
//
// Errors: a shop that is not {shop}.myshopify.com, an empty code or token, an app without client
// secret: errc::invalid_input. Shopify refusing (a 4xx: invalid_grant, invalid_client, ...):
// errc::unauthorized naming the shop and Shopify's `error` and `error_description`. No answer
// (connect failure, timeout), a 5xx, a 408 or a 429: errc::unavailable, transient. An answer that
// is not JSON, or lacks access_token or scope: errc::decode. No message quotes a token, the code
// or the client secret (what Shopify echoes of those is scrubbed).
#pragma once

#include <syncline/config.hpp>
#include <syncline/connectors/shopify/app_credentials.hpp>
#include <syncline/connectors/shopify/offline_token.hpp>
#include <syncline/core/result.hpp>
#include <syncline/core/secret.hpp>

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace syncline::http {
class client;
}

namespace syncline::shopify {

struct token_endpoint_options {
  // Empty = "https://{shop}". Otherwise "{shop}" in it is replaced by the shop's domain (tests:
  // the emulator's url() + "/shops/{shop}").
  std::string base_url{};
  // Ask for expiring offline tokens (expiring=1): Shopify refuses Admin API calls of public apps
  // with non-expiring ones from January 1, 2027.
  bool expiring = true;
  // What expires_in counts from, and the session token's expiry is checked against. Empty = the
  // system clock; tests: the emulator's clock.
  std::function<std::chrono::system_clock::time_point()> now{};
  // One attempt, connection to last byte of the answer.
  std::chrono::milliseconds timeout{10000};
};

class token_endpoint {
 public:
  // `client` must outlive the endpoint, and the endpoint its calls: a call refers to both until
  // it ends (not `token_endpoint(c, app).refresh(...)` as a temporary).
  SYNCLINE_DECL token_endpoint(http::client& client, app_credentials app,
                               token_endpoint_options options = {});

  // The authorization code grant: `code` from shopify::verify_install_callback.
  SYNCLINE_DECL boost::asio::awaitable<result<offline_token>> exchange_code(std::string shop,
                                                                            std::string code);
  // A new pair for the refresh token of an expiring one.
  SYNCLINE_DECL boost::asio::awaitable<result<offline_token>> refresh(std::string shop,
                                                                      secret refresh_token);
  // Token exchange: an embedded app's session token (a JWT from App Bridge) for an offline token.
  SYNCLINE_DECL boost::asio::awaitable<result<offline_token>> exchange_session_token(
      std::string shop, std::string session_token);

 private:
  // POSTs `grant` (the form fields after client_id and client_secret) and reads the answer.
  // `what` names the call in errors; `sent` are the secrets of the form, scrubbed from them.
  // `repeatable`: sending the call twice does no harm, so a lost answer is asked again.
  SYNCLINE_DECL boost::asio::awaitable<result<offline_token>> post(std::string shop,
                                                                   std::string_view what,
                                                                   std::string grant,
                                                                   std::vector<std::string> sent,
                                                                   bool repeatable);
  SYNCLINE_DECL std::chrono::system_clock::time_point now() const;

  http::client* client_;
  app_credentials app_;
  token_endpoint_options options_;
};

}  // namespace syncline::shopify

#if SYNCLINE_HEADER_ONLY
#include <syncline/connectors/shopify/impl/token_endpoint.ipp>
#endif
