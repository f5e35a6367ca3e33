// How a C++ member type becomes a warehouse column: its portable column type, whether it may be
// NULL, and the cell value bound for it. Every sink (SQLite, PostgreSQL, Snowflake) spells the
// column types in its own dialect from this one mapping.
//
//   bool                      -> boolean
//   signed integers <= 32 bit, unsigned <= 16 bit -> integer; other integers -> big_integer
//   std::uint64_t             -> big_integer; a value above INT64_MAX is refused at write time
//                                (errc::invalid_input naming the column), never wrapped
//   float, double             -> real
//   std::string               -> text
//   syncline::money           -> decimal (exact: written from its decimal string)
//   syncline::timestamp       -> timestamp (RFC 3339 text as received)
//   std::optional<T>          -> T's column, nullable
//   described enums           -> text (the enumerator's JSON name)
//   anything else json::encode accepts (nested described structs, vectors, maps) -> json
//
// Specialise column_traits<T> for a type of your own (e.g. a strong id type).
#pragma once

#include <syncline/core/money.hpp>
#include <syncline/core/result.hpp>
#include <syncline/core/timestamp.hpp>
#include <syncline/json/encode.hpp>
#include <syncline/json/name_of.hpp>

#include <boost/describe/enumerators.hpp>

#include <concepts>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

namespace syncline::warehouse {

enum class column_type { boolean, integer, big_integer, real, text, decimal, timestamp, json };

constexpr std::string_view to_string(column_type t) noexcept {
  switch (t) {
    case column_type::boolean: return "boolean";
    case column_type::integer: return "integer";
    case column_type::big_integer: return "big_integer";
    case column_type::real: return "real";
    case column_type::text: return "text";
    case column_type::decimal: return "decimal";
    case column_type::timestamp: return "timestamp";
    case column_type::json: return "json";
  }
  return "unknown";
}

// One value ready to bind: NULL, a boolean, an integer, a double, or text (decimal, timestamp and
// JSON columns are text too; the column type says how the database should read it).
using cell = std::variant<std::monostate, bool, std::int64_t, double, std::string>;

template <class T>
struct column_traits {
  static constexpr column_type type = column_type::json;
  static constexpr bool nullable = false;
  static result<cell> to_cell(const T& v) { return cell{json::encode(v)}; }
};

template <>
struct column_traits<bool> {
  static constexpr column_type type = column_type::boolean;
  static constexpr bool nullable = false;
  static result<cell> to_cell(bool v) { return cell{v}; }
};

template <std::integral T>
requires(!std::same_as<T, bool> && !std::same_as<T, char>) struct column_traits<T> {
  static constexpr column_type type = (std::is_signed_v<T> ? sizeof(T) <= 4 : sizeof(T) <= 2)
                                          ? column_type::integer
                                          : column_type::big_integer;
  static constexpr bool nullable = false;
  static result<cell> to_cell(T v) {
    if constexpr (std::is_unsigned_v<T> && sizeof(T) >= sizeof(std::int64_t)) {
      if (v > static_cast<T>(std::numeric_limits<std::int64_t>::max())) {
        return make_error(errc::invalid_input,
                          "value " + std::to_string(v) +
                              " is above the largest BIGINT (9223372036854775807); warehouse "
                              "columns are signed 64-bit");
      }
    }
    return cell{static_cast<std::int64_t>(v)};
  }
};

template <std::floating_point T>
struct column_traits<T> {
  static constexpr column_type type = column_type::real;
  static constexpr bool nullable = false;
  static result<cell> to_cell(T v) { return cell{static_cast<double>(v)}; }
};

template <>
struct column_traits<std::string> {
  static constexpr column_type type = column_type::text;
  static constexpr bool nullable = false;
  static result<cell> to_cell(const std::string& v) { return cell{v}; }
};

template <>
struct column_traits<money> {
  static constexpr column_type type = column_type::decimal;
  static constexpr bool nullable = false;
  static result<cell> to_cell(const money& v) { return cell{v.to_string()}; }
};

template <>
struct column_traits<timestamp> {
  static constexpr column_type type = column_type::timestamp;
  static constexpr bool nullable = false;
  static result<cell> to_cell(const timestamp& v) { return cell{v.to_string()}; }
};

template <class T>
requires boost::describe::has_describe_enumerators<T>::value struct column_traits<T> {
  static constexpr column_type type = column_type::text;
  static constexpr bool nullable = false;
  static result<cell> to_cell(const T& v) {
    // The JSON layer owns enum names (including renamed ones); a column holds the same name.
    const auto name = json::name_of(v);
    if (!name) {
      return make_error(errc::invalid_input, "enum value has no name (" + json::encode(v) + ")");
    }
    return cell{std::string(*name)};
  }
};

template <class T>
struct column_traits<std::optional<T>> {
  static constexpr column_type type = column_traits<T>::type;
  static constexpr bool nullable = true;
  static result<cell> to_cell(const std::optional<T>& v) {
    if (!v) return cell{};
    return column_traits<T>::to_cell(*v);
  }
};

}  // namespace syncline::warehouse
