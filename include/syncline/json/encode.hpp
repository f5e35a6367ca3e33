// syncline::json::encode<T>: a typed record to JSON text (json::to_value<T> in to_value.hpp builds
// a DOM instead). It follows the mapping of json::decode, so decode(encode(x)) == x: keys from the
// description (or json::key_names), enums as names, money and timestamps as their exact text, a
// nullopt member left out. Encoding cannot fail; text that is not UTF-8 in a std::string is
// written as U+FFFD so the output is always valid JSON.
#pragma once

#include <syncline/core/diagnostic.hpp>
#include <syncline/json/detail/writers.hpp>
#include <syncline/json/mappable.hpp>

#include <string>

namespace syncline::json {

namespace detail {
template <class T>
constexpr bool check_encodable() {
  if constexpr (mappable<T>)
    return true;
  else
    return ::syncline::diagnostic::value_not_mappable_to_json<T>::value;
}
}  // namespace detail

template <class T>
std::string encode(const T& value) {
  std::string out;
  if constexpr (detail::check_encodable<T>()) {
    detail::string_writer w(out);
    detail::codec<T>::write(w, value);
  }
  return out;
}

}  // namespace syncline::json
