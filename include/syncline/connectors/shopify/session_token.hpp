// shopify::verify_session_token: the session token an embedded app's frontend sends (App Bridge,
// `Authorization: Bearer <token>`), checked before the app trusts it or exchanges it for an
// access token (token exchange). It is a JWT signed HS256 with the app's client secret:
//
//   auto claims = shopify::verify_session_token(bearer, app);  // result<session_token_claims>
//   if (!claims) return answer_401(claims.error());            // what failed, never the token
//   exchange_for_offline_token(claims->shop_domain, bearer);
//
// Checked, in this order: three base64url parts; alg HS256; the signature (client secret, or
// the previous one during a rotation; constant time); exp and nbf against `now` with a few
// seconds of leeway for clock skew; aud == the client id; dest == https://{shop}.myshopify.com;
// iss == dest + "/admin". A token that is not even shaped like a JWT is errc::invalid_input;
// every other failure is errc::unauthorized, and its message says which check failed.
#pragma once

#include <syncline/config.hpp>
#include <syncline/connectors/shopify/app_credentials.hpp>
#include <syncline/core/result.hpp>

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

namespace syncline::shopify {

struct session_token_claims {
  std::string shop_domain{};  // "acme.myshopify.com", from dest
  std::string user{};         // sub: the id of the staff member using the app (may be empty)
  std::string session{};      // sid (may be empty)
  std::string token_id{};     // jti: unique per token, for an app that refuses replays
  std::chrono::system_clock::time_point expires_at{};  // exp
  std::chrono::system_clock::time_point not_before{};  // nbf
};

// Clock skew allowed between Shopify and this host.
inline constexpr std::chrono::seconds session_token_leeway{5};
// Shopify's tokens are under 1 KB; anything much longer is refused before it is decoded.
inline constexpr std::size_t max_session_token_size = 8192;

SYNCLINE_DECL result<session_token_claims> verify_session_token(
    std::string_view token, const app_credentials& app,
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now(),
    std::chrono::seconds leeway = session_token_leeway);

}  // namespace syncline::shopify

#if SYNCLINE_HEADER_ONLY
#include <syncline/connectors/shopify/impl/session_token.ipp>
#endif
