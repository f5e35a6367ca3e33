// syncline::json::string_coded: a value type that travels as a JSON string in its own text
// form, like syncline::money ("199.65") and syncline::timestamp. Any type with these two
// members is one; nothing needs to be registered, and core/ stays free of JSON.
#pragma once

#include <syncline/core/result.hpp>

#include <concepts>
#include <string_view>

namespace syncline::json {

// T::parse(text) returns the value or an error whose message says what was expected ("expected
// a decimal amount like ..."): the decoder adds where (the JSON pointer) and what it got.
// to_string() returns the text to write back (std::string or something viewable as one).
template <class T>
concept string_coded = requires(std::string_view text, const T& v) {
  { T::parse(text) } -> std::same_as<result<T>>;
  { v.to_string() } -> std::convertible_to<std::string_view>;
};

}  // namespace syncline::json
