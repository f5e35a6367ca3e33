// Shopify's side of session tokens: the HS256 JWT that App Bridge hands an embedded app's
// frontend, signed with the app's client secret. The emulator mints them for tests and checks
// the one a token exchange presents, as Shopify's token endpoint does. (The library's own
// verifier lives in connectors/shopify; this one is the other end of the wire.)
#pragma once

#include <syncline/core/result.hpp>
#include <syncline/http/hmac.hpp>
#include <syncline_emulator/base64url.hpp>

#include <boost/json.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace syncline::testing::detail {

inline std::string hs256_signature(std::string_view secret, std::string_view signing_input) {
  const auto mac = http::hmac_sha256(secret, signing_input);
  return base64url_encode(std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()));
}

// header.payload.signature over `claims`.
inline std::string sign_session_token(const boost::json::object& claims, std::string_view secret) {
  const std::string input = base64url_encode(boost::json::serialize(
                                boost::json::object{{"alg", "HS256"}, {"typ", "JWT"}})) +
                            "." + base64url_encode(boost::json::serialize(claims));
  return input + "." + hs256_signature(secret, input);
}

// The claims of a session token that Shopify's token endpoint accepts for `client_id` in `shop`
// ("acme.myshopify.com"): HS256 with `secret`, exp and nbf within `skew`, aud, dest and iss.
// The error says which check failed and never quotes the token.
inline result<boost::json::object> verify_session_token(
    std::string_view token, std::string_view secret, std::string_view client_id,
    std::string_view shop, std::chrono::system_clock::time_point now, std::chrono::seconds skew) {
  auto bad = [](std::string why) {
    return make_error(errc::unauthorized, "session token " + std::move(why));
  };
  const auto dot1 = token.find('.');
  const auto dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos)
    return bad("is not a JWT (header.payload.signature)");
  auto header = base64url_decode(token.substr(0, dot1));
  auto payload = base64url_decode(token.substr(dot1 + 1, dot2 - dot1 - 1));
  if (!header || !payload) return bad("is not URL-safe Base64");
  boost::system::error_code ec;
  auto h = boost::json::parse(*header, ec);
  if (ec || !h.is_object()) return bad("header is not a JSON object");
  const auto* alg = h.get_object().if_contains("alg");
  if (!alg || !alg->is_string() || alg->get_string() != "HS256") return bad("is not signed HS256");
  if (!http::constant_time_equal(hs256_signature(secret, token.substr(0, dot2)),
                                 token.substr(dot2 + 1)))
    return bad("signature does not verify with the app's client secret");
  auto p = boost::json::parse(*payload, ec);
  if (ec || !p.is_object()) return bad("payload is not a JSON object");
  auto& claims = p.get_object();
  auto seconds = [&](std::string_view name) -> std::optional<std::int64_t> {
    const auto* v = claims.if_contains(name);
    if (v && v->is_int64()) return v->get_int64();
    if (v && v->is_uint64()) return static_cast<std::int64_t>(v->get_uint64());
    return std::nullopt;
  };
  const auto t = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  const auto exp = seconds("exp");
  const auto nbf = seconds("nbf");
  if (!exp || !nbf) return bad("lacks exp or nbf");
  if (t > *exp + skew.count()) return bad("has expired");
  if (t + skew.count() < *nbf) return bad("is not valid yet (nbf)");
  auto text = [&](std::string_view name) {
    const auto* v = claims.if_contains(name);
    return v && v->is_string() ? std::string_view(v->get_string()) : std::string_view{};
  };
  if (text("aud") != client_id) return bad("aud is not this app's client id");
  const std::string dest = "https://" + std::string(shop);
  if (text("dest") != dest) return bad("dest is not " + dest);
  if (text("iss") != dest + "/admin") return bad("iss is not " + dest + "/admin");
  return std::move(claims);
}

}  // namespace syncline::testing::detail
