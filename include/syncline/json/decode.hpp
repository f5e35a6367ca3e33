// syncline::json::decode<T>: JSON to a typed record, as an error value when it does not fit.
//
//   struct note_attribute { std::string name; std::string value; };
//   BOOST_DESCRIBE_STRUCT(note_attribute, (), (name, value))
//   result<note_attribute> a = json::decode<note_attribute>(R"({"name":"gift","value":"yes"})");
//
// Decoding never throws. Errors name the JSON pointer of the offending value and what was
// expected: "/line_items/2/quantity: expected integer, got string "2"" (errc::decode);
// invalid JSON, invalid UTF-8, truncation, trailing data and duplicate keys are
// errc::invalid_input; a json::limits bound is errc::limit_exceeded.
#pragma once

#include <syncline/config.hpp>
#include <syncline/core/diagnostic.hpp>
#include <syncline/core/result.hpp>
#include <syncline/json/detail/codec.hpp>
#include <syncline/json/limits.hpp>
#include <syncline/json/mappable.hpp>

#include <boost/json/fwd.hpp>

#include <concepts>
#include <exception>
#include <new>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace syncline::json {

namespace detail {

// The type-independent part of decoding, compiled once: reads the text or the DOM into `root`
// through its codec (ops). Only which codec fills the record depends on T.
SYNCLINE_DECL result<void> read_text_into(target root, std::string_view text, const limits& lim);
SYNCLINE_DECL result<void> read_dom_into(target root, const boost::json::value& v);

template <class T, class Read>
result<T> decode_with(const Read& read) {
  try {
    T value{};
    if (auto r = read(target{&value, &ops_of<T>}); !r) return std::move(r).error();
    return value;
  } catch (const std::bad_alloc&) {
    return make_error(errc::internal, "out of memory while decoding JSON");
  } catch (const std::exception& e) {
    return make_error(errc::internal, std::string("while decoding JSON: ") + e.what());
  }
}

// Reports the first broken rule through its diagnostic (one error); decode then instantiates
// no codec, so nothing follows it.
template <class T>
constexpr bool check_decodable() {
  if constexpr (!mappable<T>)
    return ::syncline::diagnostic::value_not_mappable_to_json<T>::value;
  else if constexpr (!std::is_default_constructible_v<T>)
    return ::syncline::diagnostic::json_record_not_default_constructible<T>::value;
  else
    return true;
}

}  // namespace detail

// Streams the text into T: no DOM is built, unknown keys are skipped unstored.
template <class T>
result<T> decode(std::string_view text, const limits& lim = {}) {
  if constexpr (detail::check_decodable<T>()) {
    struct from_text {
      std::string_view text;
      const limits& lim;
      result<void> operator()(detail::target root) const {
        return detail::read_text_into(root, text, lim);
      }
    };
    return detail::decode_with<T>(from_text{text, lim});
  } else {
    return make_error(errc::internal, "");  // not compiled: check_decodable stopped the build
  }
}

// The same mapping and the same messages from a DOM (default json::limits::max_depth). (V is
// deduced so that decode<T>("...") picks the text overload.)
template <class T, std::same_as<boost::json::value> V>
result<T> decode(const V& v) {
  if constexpr (detail::check_decodable<T>()) {
    struct from_dom {
      const boost::json::value& v;
      result<void> operator()(detail::target root) const { return detail::read_dom_into(root, v); }
    };
    return detail::decode_with<T>(from_dom{v});
  } else {
    return make_error(errc::internal, "");  // not compiled: check_decodable stopped the build
  }
}

}  // namespace syncline::json

#if SYNCLINE_HEADER_ONLY
#include <syncline/json/impl/decode.ipp>
#endif
