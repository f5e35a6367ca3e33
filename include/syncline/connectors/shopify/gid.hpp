// Shopify global ids: GraphQL names every object "gid://shopify/<Type>/<id>" where REST uses the
// bare 64-bit id. The two forms of one object must convert exactly, both ways.
#pragma once

#include <syncline/core/result.hpp>
#include <syncline/json/detail/quote.hpp>

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

namespace syncline::shopify {

// gid("ProductVariant", 808950810) == "gid://shopify/ProductVariant/808950810".
inline std::string gid(std::string_view type, std::int64_t id) {
  std::string s = "gid://shopify/";
  s.append(type);
  s += '/';
  s += std::to_string(id);
  return s;
}

// The numeric id of a gid of the given type: gid_id("gid://shopify/Order/820982911946154508",
// "Order") == 820982911946154508. Anything else (another type, a query string, no digits, a
// number past 64 bits) is an error.
inline result<std::int64_t> gid_id(std::string_view gid_text, std::string_view type) {
  const std::string prefix = "gid://shopify/" + std::string(type) + '/';
  std::int64_t id = 0;
  if (gid_text.substr(0, prefix.size()) == prefix) {
    const std::string_view digits = gid_text.substr(prefix.size());
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
    if (!digits.empty() && digits[0] != '-' && ec == std::errc{} &&
        end == digits.data() + digits.size()) {
      return id;
    }
  }
  return make_error(errc::invalid_input, "expected a Shopify id like \"" + prefix +
                                             "820982911946154508\", got " +
                                             json::detail::quoted(gid_text, 64));
}

}  // namespace syncline::shopify
