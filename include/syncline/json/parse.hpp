// syncline::json::parse: JSON text to a boost::json::value, under the same limits and with the
// same errors as json::decode (duplicate keys refused, pointer in every message).
#pragma once

#include <syncline/core/result.hpp>
#include <syncline/json/detail/dom_builder.hpp>
#include <syncline/json/detail/event_pump.hpp>
#include <syncline/json/detail/text_reader.hpp>
#include <syncline/json/limits.hpp>

#include <boost/json/value.hpp>

#include <exception>
#include <new>
#include <string>
#include <string_view>

namespace syncline::json {

// For JSON whose shape is open. A typed record is decoded faster with json::decode<T>, which
// builds no DOM.
inline result<boost::json::value> parse(std::string_view text, const limits& lim = {}) {
  try {
    detail::event_pump<detail::dom_builder> pump(lim.max_depth);
    if (auto r = detail::read_text(text, lim, pump); !r) return std::move(r).error();
    return pump.out.release();
  } catch (const std::bad_alloc&) {
    return make_error(errc::internal, "out of memory while parsing JSON");
  } catch (const std::exception& e) {
    return make_error(errc::internal, std::string("while parsing JSON: ") + e.what());
  }
}

}  // namespace syncline::json
