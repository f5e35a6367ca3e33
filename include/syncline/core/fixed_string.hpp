// syncline::fixed_string<N>: a string literal usable as a template argument, so that names of
// workflows, integrations, events and blocks are part of their types. That puts them in the
// compiler's error messages and lets the compiler check them (see `is_valid_name`).
#pragma once

#include <syncline/core/detail/text.hpp>

#include <cstddef>
#include <string_view>

namespace syncline {

template <std::size_t N>
struct fixed_string {
  // Public so that fixed_string is a structural type (C++20 class-type template argument).
  char value[N + 1]{};

  constexpr fixed_string() = default;
  constexpr fixed_string(const char (&s)[N + 1]) {  // NOLINT: implicit from a literal by design
    for (std::size_t i = 0; i != N; ++i) value[i] = s[i];
  }
  // From a constant string_view of exactly N characters (names declared as
  // `static constexpr std::string_view name`).
  constexpr explicit fixed_string(std::string_view s) {
    for (std::size_t i = 0; i != N && i != s.size(); ++i) value[i] = s[i];
  }

  static constexpr std::size_t size() noexcept { return N; }
  constexpr std::string_view view() const noexcept { return {value, N}; }
  constexpr operator std::string_view() const noexcept { return view(); }  // NOLINT
  constexpr const char* c_str() const noexcept { return value; }

  template <std::size_t M>
  constexpr bool operator==(const fixed_string<M>& other) const noexcept {
    return view() == other.view();
  }
};

template <std::size_t N>
fixed_string(const char (&)[N]) -> fixed_string<N - 1>;

template <std::size_t N, std::size_t M>
constexpr fixed_string<N + M> operator+(const fixed_string<N>& a, const fixed_string<M>& b) {
  fixed_string<N + M> r;
  for (std::size_t i = 0; i != N; ++i) r.value[i] = a.value[i];
  for (std::size_t i = 0; i != M; ++i) r.value[N + i] = b.value[i];
  return r;
}

// The decimal digits of a compile-time number as a fixed_string (positions in diagnostics).
template <std::size_t I>
constexpr auto digits_of() {
  constexpr std::size_t n = [] {
    std::size_t d = 1;
    for (std::size_t v = I; v >= 10; v /= 10) ++d;
    return d;
  }();
  fixed_string<n> r;
  std::size_t v = I;
  for (std::size_t i = n; i-- != 0; v /= 10) r.value[i] = static_cast<char>('0' + v % 10);
  return r;
}

// The kinds of names syncline checks. They become route segments, run-log keys and table names,
// so each kind allows only what is safe in all of those places.
enum class name_kind {
  identifier,  // workflows, integrations, apps, blocks, polls, schedules: [a-z][a-z0-9_]*
  event,       // platform event names: identifiers joined by '.', e.g. "order.placed"
  topic,       // webhook topics: segments [a-z][a-z0-9_-]* joined by '/', e.g. "orders/create"
};

// Longest name accepted: PostgreSQL truncates identifiers at 63 bytes, and a name that is cut
// differently in two places is worse than a compile error.
inline constexpr std::size_t max_identifier_length = 63;
inline constexpr std::size_t max_event_length = 127;

namespace detail {
constexpr bool is_lower(char c) noexcept { return c >= 'a' && c <= 'z'; }
constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

// One segment: a lower-case letter, then lower-case letters, digits, '_' (and '-' if allowed).
constexpr bool valid_segment(std::string_view s, bool allow_dash) noexcept {
  if (s.empty() || !is_lower(s.front())) return false;
  for (char c : s) {
    if (!(is_lower(c) || is_digit(c) || c == '_' || (allow_dash && c == '-'))) return false;
  }
  return true;
}

constexpr bool valid_segments(std::string_view s, char sep, bool allow_dash) noexcept {
  if (s.empty()) return false;
  for (;;) {
    auto cut = find_char(s, sep);
    if (!valid_segment(s.substr(0, cut), allow_dash)) return false;
    if (cut == not_found) return true;
    s.remove_prefix(cut + 1);
  }
}
}  // namespace detail

// True when `s` is a valid name of the given kind. consteval: names are checked by the compiler.
consteval bool is_valid_name(name_kind kind, std::string_view s) {
  switch (kind) {
    case name_kind::identifier:
      return s.size() <= max_identifier_length && detail::valid_segment(s, false);
    case name_kind::event:
      return s.size() <= max_event_length && detail::valid_segments(s, '.', false);
    case name_kind::topic:
      return s.size() <= max_event_length && detail::valid_segments(s, '/', true);
  }
  return false;
}

}  // namespace syncline
