// Reads JSON text with Boost.JSON's streaming parser (basic_parser) and feeds the events to an
// event_pump: no DOM is built on the way. The parser checks the syntax and UTF-8; this handler
// adds the size, depth and string limits and turns Boost's error codes into messages.
#pragma once

#include <syncline/core/result.hpp>
#include <syncline/json/detail/event_pump.hpp>
#include <syncline/json/detail/quote.hpp>
#include <syncline/json/limits.hpp>

#include <boost/json/basic_parser_impl.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <string_view>

namespace syncline::json::detail {

template <class Consumer>
class text_handler {
 public:
  // Boost.JSON's own compile-time caps stay open; ours are the runtime json::limits.
  static constexpr std::size_t max_array_size = std::size_t(-1);
  static constexpr std::size_t max_object_size = std::size_t(-1);
  static constexpr std::size_t max_string_size = std::size_t(-1);
  static constexpr std::size_t max_key_size = std::size_t(-1);

  text_handler(event_pump<Consumer>& pump, std::string_view text, std::size_t max_string)
      : pump_(pump), text_(text), max_string_(max_string) {}

  using error_code = boost::json::error_code;
  using string_view = boost::json::string_view;

  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }
  bool on_array_begin(error_code& ec) { return ok(pump_.begin(container::array), ec); }
  bool on_array_end(std::size_t, error_code& ec) { return ok(pump_.end(container::array), ec); }
  bool on_object_begin(error_code& ec) { return ok(pump_.begin(container::object), ec); }
  bool on_object_end(std::size_t, error_code& ec) { return ok(pump_.end(container::object), ec); }

  // Strings and keys arrive in parts when they hold escapes or cross the parser's buffer;
  // `n` is the size so far, so an over-long string is refused before it is stored.
  bool on_string_part(string_view s, std::size_t n, error_code& ec) {
    if (n > max_string_) return string_too_long(false, ec);
    buf_.append(s.data(), s.size());
    return true;
  }
  bool on_string(string_view s, std::size_t n, error_code& ec) {
    if (n > max_string_) return string_too_long(false, ec);
    const bool r = pump_.value(scalar::string(complete(buf_, s)));
    buf_.clear();
    return ok(r, ec);
  }
  bool on_key_part(string_view s, std::size_t n, error_code& ec) {
    if (n > max_string_) return string_too_long(true, ec);
    buf_.append(s.data(), s.size());
    return true;
  }
  bool on_key(string_view s, std::size_t n, error_code& ec) {
    if (n > max_string_) return string_too_long(true, ec);
    // Without escapes the parser hands out a view into the input text itself.
    const bool in_text = buf_.empty() && std::greater_equal<>{}(s.data(), text_.data()) &&
                         std::less_equal<>{}(s.data() + s.size(), text_.data() + text_.size());
    const bool r = pump_.key(complete(buf_, s), in_text);
    buf_.clear();
    return ok(r, ec);
  }

  bool on_number_part(string_view s, error_code&) {
    num_.append(s.data(), s.size());
    return true;
  }
  bool on_int64(std::int64_t i, string_view s, error_code& ec) {
    const bool r = pump_.value(scalar::int64(i, complete(num_, s)));
    num_.clear();
    return ok(r, ec);
  }
  bool on_uint64(std::uint64_t u, string_view s, error_code& ec) {
    const bool r = pump_.value(scalar::uint64(u, complete(num_, s)));
    num_.clear();
    return ok(r, ec);
  }
  bool on_double(double d, string_view s, error_code& ec) {
    const bool r = pump_.value(scalar::number(d, complete(num_, s)));
    num_.clear();
    return ok(r, ec);
  }
  bool on_bool(bool b, error_code& ec) { return ok(pump_.value(scalar::boolean(b)), ec); }
  bool on_null(error_code& ec) { return ok(pump_.value(scalar::null()), ec); }
  bool on_comment_part(string_view, error_code&) { return true; }  // comments are off
  bool on_comment(string_view, error_code&) { return true; }

 private:
  static std::string_view complete(std::string& buf, string_view last) {
    if (buf.empty()) return {last.data(), last.size()};
    buf.append(last.data(), last.size());
    return buf;
  }
  bool string_too_long(bool is_key, error_code& ec) {
    const std::string what = std::string(is_key ? "key" : "string") + " longer than " +
                             std::to_string(max_string_) + " bytes (json::limits::max_string)";
    if (is_key) {
      pump_.ctx.fail_container(errc::limit_exceeded, what);
    } else {
      pump_.ctx.begin_value();  // the string is the next element of an array
      pump_.ctx.fail(errc::limit_exceeded, what);
    }
    return ok(false, ec);
  }
  // The parser needs an error code when a handler stops it; the real error is in the context.
  static bool ok(bool r, error_code& ec) {
    if (!r) ec = boost::json::error::exception;
    return r;
  }

  event_pump<Consumer>& pump_;
  std::string_view text_;
  std::size_t max_string_;
  std::string buf_;  // parts of the current string or key
  std::string num_;  // parts of the current number
};

// Parses all of `text` into `pump`. Every failure is an error value: invalid JSON (syntax,
// UTF-8, truncated, trailing data) is errc::invalid_input; limits are errc::limit_exceeded;
// whatever the consumer reports (errc::decode, ...) comes through unchanged.
template <class Consumer>
result<void> read_text(std::string_view text, const limits& lim, event_pump<Consumer>& pump) {
  if (text.size() > lim.max_bytes) {
    return make_error(errc::limit_exceeded, "JSON text of " + std::to_string(text.size()) +
                                                " bytes is over the limit of " +
                                                std::to_string(lim.max_bytes) +
                                                " bytes (json::limits::max_bytes)");
  }
  boost::json::parse_options opt;
  // Our context enforces the depth with a message naming the place; the parser's own limit is
  // one deeper, as a backstop.
  opt.max_depth =
      lim.max_depth < std::numeric_limits<std::size_t>::max() ? lim.max_depth + 1 : lim.max_depth;
  boost::json::basic_parser<text_handler<Consumer>> parser(opt, pump, text, lim.max_string);
  boost::json::error_code ec;
  const std::size_t used = parser.write_some(false, text.data(), text.size(), ec);
  if (pump.ctx.failed()) return pump.ctx.take_error();

  auto invalid = [&](std::string what) {
    std::string where = pump.ctx.pointer();
    std::string m = "invalid JSON: " + what;
    if (!where.empty()) {
      m += " (near ";
      if (append_printable(m, where, 200)) m += "...";
      m += ')';
    }
    return make_error(errc::invalid_input, std::move(m));
  };
  if (ec == boost::json::error::incomplete) {
    return invalid("the text ends after " + std::to_string(text.size()) +
                   " bytes, before the value is complete");
  }
  if (ec == boost::json::error::too_deep) {
    return make_error(errc::limit_exceeded, "nesting deeper than " + std::to_string(lim.max_depth) +
                                                " levels (json::limits::max_depth)");
  }
  if (ec) {
    const bool high_byte = used < text.size() && static_cast<unsigned char>(text[used]) >= 0x80;
    std::string what = high_byte ? "invalid UTF-8" : ec.message();
    what += " at byte " + std::to_string(used);
    if (used < text.size() && !high_byte) {
      what += " (";
      append_quoted(what, text.substr(used, 1));
      what += ')';
    }
    return invalid(std::move(what));
  }
  if (used < text.size()) {
    return invalid("unexpected data after the value at byte " + std::to_string(used) + " (" +
                   quoted(text.substr(used, 8)) + ")");
  }
  return {};
}

}  // namespace syncline::json::detail
