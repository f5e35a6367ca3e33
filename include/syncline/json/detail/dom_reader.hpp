// Walks a boost::json::value and feeds the same events as the text reader, so that decoding a
// DOM gives the same results and the same error messages as decoding its text.
#pragma once

#include <syncline/json/detail/event_pump.hpp>

#include <boost/json/value.hpp>

#include <charconv>
#include <string_view>

namespace syncline::json::detail {

// Recursion is bounded: event_pump::begin fails past the context's max_depth.
template <class Consumer>
bool read_dom(const boost::json::value& v, event_pump<Consumer>& pump) {
  switch (v.kind()) {
    case boost::json::kind::object:
      if (!pump.begin(container::object)) return false;
      for (const auto& member : v.get_object()) {
        const boost::json::string_view k = member.key();
        if (!pump.key({k.data(), k.size()}, true) || !read_dom(member.value(), pump)) {
          return false;
        }
      }
      return pump.end(container::object);
    case boost::json::kind::array:
      if (!pump.begin(container::array)) return false;
      for (const auto& element : v.get_array()) {
        if (!read_dom(element, pump)) return false;
      }
      return pump.end(container::array);
    case boost::json::kind::string: {
      const auto& s = v.get_string();
      return pump.value(scalar::string({s.data(), s.size()}));
    }
    case boost::json::kind::int64: {
      char buf[24];
      const auto r = std::to_chars(buf, buf + sizeof buf, v.get_int64());
      return pump.value(scalar::int64(v.get_int64(), {buf, r.ptr}));
    }
    case boost::json::kind::uint64: {
      char buf[24];
      const auto r = std::to_chars(buf, buf + sizeof buf, v.get_uint64());
      return pump.value(scalar::uint64(v.get_uint64(), {buf, r.ptr}));
    }
    case boost::json::kind::double_: {
      // The DOM kept only the double: its shortest text stands in for what was written.
      char buf[32];
      const auto r = std::to_chars(buf, buf + sizeof buf, v.get_double());
      return pump.value(scalar::number(v.get_double(), {buf, r.ptr}));
    }
    case boost::json::kind::bool_: return pump.value(scalar::boolean(v.get_bool()));
    case boost::json::kind::null: return pump.value(scalar::null());
  }
  return false;
}

}  // namespace syncline::json::detail
