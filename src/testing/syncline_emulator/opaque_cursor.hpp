// Shopify's pagination cursors (REST page_info, GraphQL endCursor) are opaque to clients but are
// in fact URL-safe Base64 of a small JSON object; the emulator's are too, so clients that treat
// them as opaque work and clients that tamper with them get a clear refusal.
#pragma once

#include <syncline/http/hmac.hpp>

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace syncline::testing::detail {

inline std::string encode_cursor(const boost::json::object& o) {
  return http::base64url_encode(boost::json::serialize(o));
}

inline std::optional<boost::json::object> decode_cursor(std::string_view text) {
  if (text.empty() || text.size() > 4096) return std::nullopt;
  auto raw = http::base64url_decode(text);
  if (!raw) return std::nullopt;
  boost::system::error_code ec;
  auto v = boost::json::parse(*raw, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.get_object());
}

}  // namespace syncline::testing::detail
