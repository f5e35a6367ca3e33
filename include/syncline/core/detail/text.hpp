// Searching text at compile time. std::string_view::find works through pointers that g++ 12
// cannot constant-evaluate when UBSan instruments them (on template parameter objects), so the
// compile-time checks search by index instead.
#pragma once

#include <cstddef>
#include <string_view>

namespace syncline::detail {

inline constexpr std::size_t not_found = static_cast<std::size_t>(-1);

constexpr std::size_t find_char(std::string_view s, char c, std::size_t from = 0) noexcept {
  for (std::size_t i = from; i < s.size(); ++i)
    if (s[i] == c) return i;
  return not_found;
}

constexpr std::size_t find_text(std::string_view s, std::string_view needle,
                                std::size_t from = 0) noexcept {
  if (needle.size() > s.size()) return not_found;
  for (std::size_t i = from; i + needle.size() <= s.size(); ++i) {
    std::size_t k = 0;
    while (k != needle.size() && s[i + k] == needle[k]) ++k;
    if (k == needle.size()) return i;
  }
  return not_found;
}

constexpr bool begins_with(std::string_view s, std::string_view prefix) noexcept {
  return find_text(s.substr(0, prefix.size() < s.size() ? prefix.size() : s.size()), prefix) == 0;
}

}  // namespace syncline::detail
