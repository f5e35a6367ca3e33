// syncline::type_name<T>(): a readable, compile-time name of a type ("shopify::order",
// "std::string", "std::vector<crm_contact>"), for diagnostics, the run log and diagrams.
// It is read from the compiler's own spelling of the function signature, then tidied so that
// library-internal names (std::__cxx11::basic_string<char, ...>) read as people write them.
#pragma once

#include <syncline/core/detail/text.hpp>

#include <array>
#include <cstddef>
#include <string_view>
#include <utility>

namespace syncline {
namespace detail {

template <class T>
constexpr std::string_view raw_type_name() noexcept {
#if defined(__clang__) || defined(__GNUC__)
  // g++: "constexpr std::string_view syncline::detail::raw_type_name() [with T = X; ...]"
  // clang: "std::string_view syncline::detail::raw_type_name() [T = X]"
  std::string_view f = __PRETTY_FUNCTION__;
  auto start = find_text(f, "T = ");
  if (start == not_found) return "unknown";
  start += 4;
  auto end = f.size();
  // A ';' or ']' inside the type itself (lambdas, arrays) is nested in brackets: find the
  // first one at depth zero.
  int depth = 0;
  for (auto i = start; i < f.size(); ++i) {
    char c = f[i];
    if (c == '<' || c == '(' || c == '[')
      ++depth;
    else if (c == '>' || c == ')')
      --depth;
    else if (c == ']') {
      if (depth == 0) {
        end = i;
        break;
      }
      --depth;
    } else if (c == ';' && depth == 0) {
      end = i;
      break;
    }
  }
  return f.substr(start, end - start);
#else
  return "unknown";
#endif
}

// Spellings replaced, longest first so that a longer match wins.
inline constexpr std::array<std::pair<std::string_view, std::string_view>, 11> type_name_rewrites{{
    {"(anonymous namespace)::", ""},
    {"{anonymous}::", ""},
    {"std::basic_string<char, std::char_traits<char>, std::allocator<char> >", "std::string"},
    {"std::basic_string<char, std::char_traits<char>, std::allocator<char>>", "std::string"},
    {"std::basic_string_view<char, std::char_traits<char> >", "std::string_view"},
    {"std::basic_string_view<char, std::char_traits<char>>", "std::string_view"},
    {"std::basic_string_view<char>", "std::string_view"},
    {"std::basic_string<char>", "std::string"},
    {"std::__cxx11::", "std::"},
    {"std::_V2::", "std::"},
    {"> >", ">>"},
}};

// Applies the rewrites once, left to right; writes into `out` if given, returns the length.
constexpr std::size_t tidy_type_name(std::string_view in, char* out) noexcept {
  std::size_t n = 0;
  auto put = [&](std::string_view s) {
    for (char c : s) {
      if (out) out[n] = c;
      ++n;
    }
  };
  std::string_view pending = in;
  // Rewrites can expose new matches ("std::__cxx11::basic_string<char>"), so the output of
  // one pass is tidied again by the caller until it stops changing.
  while (!pending.empty()) {
    bool replaced = false;
    for (const auto& [from, to] : type_name_rewrites) {
      if (begins_with(pending, from)) {
        // Of "> >" only "> " is consumed, so that "> > >" becomes ">>>" in one pass.
        if (from == "> >") {
          put(">");
          pending.remove_prefix(2);
        } else {
          put(to);
          pending.remove_prefix(from.size());
        }
        replaced = true;
        break;
      }
    }
    if (!replaced) {
      put(pending.substr(0, 1));
      pending.remove_prefix(1);
    }
  }
  return n;
}

template <std::size_t N>
struct name_buffer {
  char data[N + 1]{};
  std::size_t size = 0;
};

template <std::size_t N>
constexpr name_buffer<N> tidy_pass(std::string_view in) noexcept {
  name_buffer<N> b;
  b.size = tidy_type_name(in, b.data);
  return b;
}

template <class T>
struct type_name_holder {
  static constexpr std::string_view raw = raw_type_name<T>();
  // Three passes are enough for the nesting g++ produces (rewrites only shorten the text).
  static constexpr auto pass1 = tidy_pass<raw.size()>(raw);
  static constexpr auto pass2 = tidy_pass<raw.size()>(std::string_view(pass1.data, pass1.size));
  static constexpr auto pass3 = tidy_pass<raw.size()>(std::string_view(pass2.data, pass2.size));
  static constexpr std::string_view value{pass3.data, pass3.size};
};

}  // namespace detail

template <class T>
constexpr std::string_view type_name() noexcept {
  return detail::type_name_holder<T>::value;
}

}  // namespace syncline
