// The body of json::parse. Compiled once in separate mode (see <syncline/config.hpp>).
#pragma once

#include <syncline/json/detail/dom_builder.hpp>
#include <syncline/json/detail/event_pump.hpp>
#include <syncline/json/detail/text_reader.hpp>
#include <syncline/json/parse.hpp>

#include <exception>
#include <new>
#include <string>

namespace syncline::json {

SYNCLINE_DECL result<boost::json::value> parse(std::string_view text, const limits& lim) {
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
