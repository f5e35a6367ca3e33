// The bodies of <syncline/connectors/shopify/access_scopes.hpp>. Compiled once in separate mode
// (see <syncline/config.hpp>).
#pragma once

#include <syncline/connectors/shopify/access_scopes.hpp>

#include <algorithm>

namespace syncline::shopify {

SYNCLINE_DECL std::string join_scopes(std::span<const std::string_view> scopes) {
  std::string out;
  for (std::string_view s : scopes) {
    if (!out.empty()) out += ',';
    out += s;
  }
  return out;
}

SYNCLINE_DECL std::vector<std::string> missing_scopes(std::string_view granted,
                                                      std::span<const std::string_view> needed) {
  std::vector<std::string_view> held;
  while (!granted.empty()) {
    const std::size_t comma = std::min(granted.find(','), granted.size());
    std::string_view s = granted.substr(0, comma);
    // Shopify writes no blanks, but a scope list copied by hand may have them.
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    if (!s.empty()) held.push_back(s);
    granted.remove_prefix(std::min(comma + 1, granted.size()));
  }
  std::vector<std::string> missing;
  for (std::string_view want : needed) {
    const bool covered = std::any_of(held.begin(), held.end(),
                                     [&](std::string_view h) { return scope_covers(h, want); });
    if (!covered) missing.emplace_back(want);
  }
  return missing;
}

}  // namespace syncline::shopify
