// Small text helpers of the Shopify connector: the REST Link header and search-syntax quoting
// (query-string escaping is http::percent_encode).
#pragma once

#include <string>
#include <string_view>

namespace syncline::shopify::detail {

// The page_info of the rel="next" link of a REST Link header
// (`<https://.../orders.json?limit=50&page_info=abc>; rel="next", <...>; rel="previous"`), as it
// is written there (already escaped); empty when there is no next page.
inline std::string next_page_info(std::string_view link) {
  while (!link.empty()) {
    const auto open = link.find('<');
    const auto close = link.find('>', open);
    if (open == std::string_view::npos || close == std::string_view::npos) return {};
    const std::string_view target = link.substr(open + 1, close - open - 1);
    const auto comma = link.find(',', close);
    const std::string_view params = link.substr(close + 1, comma - close - 1);
    link = comma == std::string_view::npos ? std::string_view{} : link.substr(comma + 1);
    if (params.find("rel=\"next\"") == std::string_view::npos &&
        params.find("rel=next") == std::string_view::npos) {
      continue;
    }
    const auto q = target.find('?');
    std::string_view query =
        q == std::string_view::npos ? std::string_view{} : target.substr(q + 1);
    while (!query.empty()) {
      const auto amp = query.find('&');
      const std::string_view pair = query.substr(0, amp);
      if (pair.starts_with("page_info=")) return std::string(pair.substr(10));
      query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    }
    return {};
  }
  return {};
}

// A value for Shopify's search syntax, in double quotes so that spaces, colons and slashes stay
// part of it: source_identifier:"acme/sync/r-1/2".
inline std::string search_quoted(std::string_view value) {
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

}  // namespace syncline::shopify::detail
