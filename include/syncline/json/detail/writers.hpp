// string_writer: the text target of encoding. Its interface (begin_object, key, end_object,
// begin_array, end_array, string, int64, uint64, number, boolean, null) is the one every codec
// writes to; value_writer.hpp is the other target, a DOM. They are apart so that encoding to text
// does not include Boost.JSON's DOM (a second of compile time in every user TU).
#pragma once

#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace syncline::json::detail {

// Length of the well-formed UTF-8 sequence at the start of `s` (RFC 3629: no overlong forms,
// no surrogates, nothing above U+10FFFF), or 0.
inline std::size_t utf8_sequence(std::string_view s) noexcept {
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  auto cont = [&](std::size_t i) { return i < s.size() && (byte(i) & 0xC0) == 0x80; };
  const unsigned char b = byte(0);
  if (b < 0x80) return 1;
  if (b >= 0xC2 && b <= 0xDF) return cont(1) ? 2 : 0;
  if (b >= 0xE0 && b <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    if (b == 0xE0 && byte(1) < 0xA0) return 0;  // overlong
    if (b == 0xED && byte(1) > 0x9F) return 0;  // surrogate
    return 3;
  }
  if (b >= 0xF0 && b <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if (b == 0xF0 && byte(1) < 0x90) return 0;  // overlong
    if (b == 0xF4 && byte(1) > 0x8F) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

class string_writer {
 public:
  explicit string_writer(std::string& out) : out_(out) {}

  void begin_object() { open('{'); }
  void end_object() { close('}'); }
  void begin_array() { open('['); }
  void end_array() { close(']'); }
  void key(std::string_view k) {
    separate();
    quote(k);
    out_ += ':';
    first_ = true;  // the value that follows takes no comma
  }
  void string(std::string_view s) {
    separate();
    quote(s);
  }
  void int64(std::int64_t v) { put_number(v); }
  void uint64(std::uint64_t v) { put_number(v); }
  // The shortest text that reads back as the same double. JSON has no infinity or NaN: null.
  void number(double v) {
    if (std::isfinite(v)) {
      put_number(v);
    } else {
      null();
    }
  }
  void boolean(bool v) {
    separate();
    out_ += v ? "true" : "false";
  }
  void null() {
    separate();
    out_ += "null";
  }

 private:
  void separate() {
    if (!first_) out_ += ',';
    first_ = false;
  }
  void open(char c) {
    separate();
    out_ += c;
    first_ = true;
  }
  void close(char c) {
    out_ += c;
    first_ = false;
  }
  template <class N>
  void put_number(N v) {
    separate();
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    out_.append(buf, r.ptr);
  }
  // Escapes what JSON requires; a byte sequence that is not UTF-8 becomes U+FFFD, so the output
  // is always valid JSON whatever a std::string member holds.
  void quote(std::string_view s) {
    constexpr char hex[] = "0123456789abcdef";
    out_ += '"';
    std::size_t run = 0;  // start of the bytes not yet copied
    std::size_t i = 0;
    while (i < s.size()) {
      const auto c = static_cast<unsigned char>(s[i]);
      if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
        ++i;
        continue;
      }
      std::size_t n = 1;
      if (c >= 0x80) {
        n = utf8_sequence(s.substr(i));
        if (n != 0) {
          i += n;
          continue;
        }
        n = 1;
      }
      out_.append(s.data() + run, i - run);
      switch (c) {
        case '"': out_ += "\\\""; break;
        case '\\': out_ += "\\\\"; break;
        case '\n': out_ += "\\n"; break;
        case '\r': out_ += "\\r"; break;
        case '\t': out_ += "\\t"; break;
        case '\b': out_ += "\\b"; break;
        case '\f': out_ += "\\f"; break;
        default:
          if (c >= 0x80) {
            out_ += "\\ufffd";
          } else {
            out_ += "\\u00";
            out_ += hex[c >> 4];
            out_ += hex[c & 15];
          }
      }
      i += n;
      run = i;
    }
    out_.append(s.data() + run, s.size() - run);
    out_ += '"';
  }

  std::string& out_;
  bool first_ = true;
};

}  // namespace syncline::json::detail
