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

#include <syncline/core/result.hpp>
#include <syncline/json/detail/dom_reader.hpp>
#include <syncline/json/detail/event_pump.hpp>
#include <syncline/json/detail/text_reader.hpp>
#include <syncline/json/detail/typed_builder.hpp>
#include <syncline/json/limits.hpp>
#include <syncline/json/mappable.hpp>

#include <boost/json/value.hpp>

#include <concepts>
#include <exception>
#include <new>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace syncline::json {

namespace detail {

template <class T, class Read>
result<T> decode_with(const Read& read) {
  try {
    T value{};
    event_pump<typed_builder> pump(read.max_depth(), target{&value, &ops_of<T>});
    if (auto r = read(pump); !r) return std::move(r).error();
    return value;
  } catch (const std::bad_alloc&) {
    return make_error(errc::internal, "out of memory while decoding JSON");
  } catch (const std::exception& e) {
    return make_error(errc::internal, std::string("while decoding JSON: ") + e.what());
  }
}

template <class T>
constexpr bool check_decodable() {
  static_assert(mappable<T>,
                "syncline: json::decode<T>: T is not mappable to JSON. Use bool, integers, double, "
                "std::string, money, timestamp, std::optional, std::vector, boost::json::value, "
                "an enum with BOOST_DESCRIBE_ENUM, or a struct with BOOST_DESCRIBE_STRUCT whose "
                "members are all of these");
  static_assert(std::is_default_constructible_v<T>,
                "syncline: json::decode<T>: T must be default constructible (members are "
                "filled in place)");
  return mappable<T> && std::is_default_constructible_v<T>;
}

}  // namespace detail

// Streams the text into T: no DOM is built, unknown keys are skipped unstored.
template <class T>
result<T> decode(std::string_view text, const limits& lim = {}) {
  if constexpr (detail::check_decodable<T>()) {
    struct from_text {
      std::string_view text;
      const limits& lim;
      std::size_t max_depth() const { return lim.max_depth; }
      result<void> operator()(detail::event_pump<detail::typed_builder>& pump) const {
        return detail::read_text(text, lim, pump);
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
      std::size_t max_depth() const { return limits{}.max_depth; }
      result<void> operator()(detail::event_pump<detail::typed_builder>& pump) const {
        if (!detail::read_dom(v, pump)) return pump.ctx.take_error();
        return {};
      }
    };
    return detail::decode_with<T>(from_dom{v});
  } else {
    return make_error(errc::internal, "");  // not compiled: check_decodable stopped the build
  }
}

}  // namespace syncline::json
