// Shopify's side of session tokens: the HS256 JWT that App Bridge hands an embedded app's
// frontend, signed with the app's client secret. The emulator mints them for tests; the one a
// token exchange presents it checks with the library's shopify::verify_session_token (the checks
// are the same on both ends of the wire, so they are written once).
#pragma once

#include <syncline/http/hmac.hpp>

#include <boost/json.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace syncline::testing::detail {

inline std::string hs256_signature(std::string_view secret, std::string_view signing_input) {
  const auto mac = http::hmac_sha256(secret, signing_input);
  return http::base64url_encode(
      std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()));
}

// header.payload.signature over `claims`.
inline std::string sign_session_token(const boost::json::object& claims, std::string_view secret) {
  const std::string input = http::base64url_encode(boost::json::serialize(
                                boost::json::object{{"alg", "HS256"}, {"typ", "JWT"}})) +
                            "." + http::base64url_encode(boost::json::serialize(claims));
  return input + "." + hs256_signature(secret, input);
}

}  // namespace syncline::testing::detail
