// The codec of every described enum (BOOST_DESCRIBE_ENUM): a JSON string holding the
// enumerator's name, or the name given in json::enum_names<E>. An unknown string is an error
// that lists the accepted ones, unless json::enum_fallback<E> names a value to read it as.
#pragma once

#include <syncline/core/detail/name_check.hpp>
#include <syncline/core/diagnostic.hpp>
#include <syncline/json/detail/codec.hpp>
#include <syncline/json/detail/quote.hpp>
#include <syncline/json/enum_names.hpp>

#include <boost/describe/enumerators.hpp>
#include <boost/mp11/algorithm.hpp>

#include <array>
#include <concepts>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

namespace syncline::json::detail {

template <class E>
concept described_enum = std::is_enum_v<E> && boost::describe::has_describe_enumerators<E>::value;

template <class E>
constexpr auto enum_table() {
  using list = boost::describe::describe_enumerators<E>;
  std::array<enum_name<E>, boost::mp11::mp_size<list>::value> table{};
  std::size_t i = 0;
  boost::mp11::mp_for_each<list>([&](auto d) {
    table[i++] = {decltype(d)::value, decltype(d)::name};
  });
  for (const enum_name<E>& r : enum_names<E>::renames) {
    for (auto& entry : table) {
      if (entry.value == r.value) entry.name = r.name;
    }
  }
  return table;
}

template <class E>
constexpr bool enum_renames_valid() {
  constexpr auto table = enum_table<E>();
  for (const enum_name<E>& r : enum_names<E>::renames) {
    bool found = false;
    for (const auto& entry : table) found = found || entry.value == r.value;
    if (!found) return false;
  }
  for (std::size_t i = 0; i < table.size(); ++i) {
    for (std::size_t j = i + 1; j < table.size(); ++j) {
      if (table[i].name == table[j].name) return false;
    }
  }
  return true;
}

template <class E>
concept has_enum_fallback = requires {
  { enum_fallback<E>::value } -> std::convertible_to<E>;
};

// Reports broken renames through their diagnostic (one error), else true.
template <class E>
consteval bool check_enum_renames() {
  if constexpr (!enum_renames_valid<E>())
    return ::syncline::diagnostic::json_enum_renames_invalid<E>::value;
  else
    return true;
}

template <described_enum E>
struct codec<E> : codec_base<E> {
  // The rule prints the one error; `checked` keeps this assertion itself from adding another.
  static_assert(::syncline::detail::checked(check_enum_renames<E>()));
  static constexpr auto table = enum_table<E>();
  static constexpr bool supported = true;

  static std::string expected() {
    std::string s = "one of ";
    for (std::size_t i = 0; i < table.size(); ++i) {
      if (i == 12) {
        s += ", ...";
        break;
      }
      if (i > 0) s += ", ";
      (s += '"') += table[i].name;
      s += '"';
    }
    return s;
  }
  static bool read(E& out, const scalar& s, context& c) {
    if (s.k == scalar::kind::string) {
      for (const auto& entry : table) {
        if (entry.name == s.text) {
          out = entry.value;
          return true;
        }
      }
      if constexpr (has_enum_fallback<E>) {
        out = enum_fallback<E>::value;
        return true;
      }
    }
    return codec_base<E>::mismatch(s.describe(), c);
  }
  // A value outside the description (a cast integer) is written as its number, which reads
  // back as an error rather than as some other value.
  static std::optional<std::string_view> name_of(E v) {
    for (const auto& entry : table) {
      if (entry.value == v) return entry.name;
    }
    return std::nullopt;
  }
  template <class W>
  static void write(W& w, E v) {
    if (const auto name = name_of(v)) return w.string(*name);
    using U = std::underlying_type_t<E>;
    if constexpr (std::is_signed_v<U>) {
      w.int64(static_cast<U>(v));
    } else {
      w.uint64(static_cast<U>(v));
    }
  }
};

}  // namespace syncline::json::detail
