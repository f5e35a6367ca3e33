// URL-safe Base64 without padding (RFC 4648 section 5), the alphabet of Shopify's pagination
// cursors and of JWT segments (session tokens). A thin spelling over http::base64_encode/decode.
#pragma once

#include <syncline/http/hmac.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace syncline::testing::detail {

inline std::string base64url_encode(std::string_view bytes) {
  std::string b = http::base64_encode(bytes);
  while (!b.empty() && b.back() == '=') b.pop_back();
  for (auto& c : b) c = c == '+' ? '-' : c == '/' ? '_' : c;
  return b;
}

// nullopt for anything outside the URL-safe alphabet, padding included.
inline std::optional<std::string> base64url_decode(std::string_view text) {
  std::string b(text);
  for (auto& c : b) {
    if (c == '-')
      c = '+';
    else if (c == '_')
      c = '/';
    else if (c == '+' || c == '/' || c == '=')
      return std::nullopt;
  }
  while (b.size() % 4 != 0) b += '=';
  return http::base64_decode(b);
}

}  // namespace syncline::testing::detail
