// The bodies of json::decode that do not depend on the record's type: the streaming reader of
// the text (Boost.JSON's basic_parser) or of a DOM, feeding the typed builder. Compiled once in
// separate mode (see <syncline/config.hpp>).
#pragma once

#include <syncline/json/decode.hpp>
#include <syncline/json/detail/dom_reader.hpp>
#include <syncline/json/detail/event_pump.hpp>
#include <syncline/json/detail/text_reader.hpp>
#include <syncline/json/detail/typed_builder.hpp>

namespace syncline::json::detail {

SYNCLINE_DECL result<void> read_text_into(target root, std::string_view text, const limits& lim) {
  event_pump<typed_builder> pump(lim.max_depth, root);
  return read_text(text, lim, pump);
}

SYNCLINE_DECL result<void> read_dom_into(target root, const boost::json::value& v) {
  event_pump<typed_builder> pump(limits{}.max_depth, root);
  if (!read_dom(v, pump)) return pump.ctx.take_error();
  return {};
}

}  // namespace syncline::json::detail
