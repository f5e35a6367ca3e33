// postgres::parameters: the text parameters of one statement ($1, $2, ...) and the placeholders
// that name them, so a statement with a row count known only at run time (a multi-row INSERT)
// is written in one pass. libpq takes text parameters as C strings and PostgreSQL text must be
// valid in the database's encoding (UTF-8 here), so a text value holding a NUL byte or invalid
// UTF-8 cannot be sent: it is remembered and refused before the statement runs, never cut short.
// Bytes that must survive exactly (a payload) go as bytea; text that is only read by people (an
// error message quoting an answer) may have its bad bytes replaced instead.
#pragma once

#include <syncline/core/result.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace syncline::postgres {

class parameters {
 public:
  // Each adds one parameter and answers its placeholder ("$3").
  std::string text(std::string_view v) {
    check_text(v);
    return add(std::string(v));
  }
  // Text for people to read: a NUL byte or an invalid UTF-8 sequence becomes U+FFFD.
  std::string readable_text(std::string_view v) { return add(replace_invalid(v)); }
  // Any bytes, exactly, for a bytea column (hex input format).
  std::string bytes(std::string_view v) {
    std::string hex = "\\x";
    append_hex(v, hex);
    return add(std::move(hex));
  }
  std::string int64(std::int64_t v) { return add(std::to_string(v)); }
  // Integer nanoseconds since the Unix epoch: how syncline's PostgreSQL tables keep times.
  std::string time(std::chrono::system_clock::time_point t) { return int64(nanoseconds(t)); }
  // A time as those tables keep it: for an element of int64_array.
  static std::int64_t nanoseconds(std::chrono::system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  }
  std::string null() {
    values_.emplace_back();
    pointers_.push_back(nullptr);
    // Appended rather than "$" + to_string(...): g++ 12 at -O3 warns falsely (-Wrestrict) about
    // that operator+ once inlined into a caller's loop.
    std::string placeholder(1, '$');
    placeholder += std::to_string(pointers_.size());
    return placeholder;
  }
  // Arrays, each one parameter: what a statement of fixed text takes for a batch of any size
  // (INSERT ... SELECT FROM unnest($1::text[], ...)), so that it is prepared once per session
  // rather than parsed and planned for every batch. `proj` picks each element's value.
  //
  // A bigint[] literal ('{1,2,3}').
  template <class Range, class Proj = std::identity>
  std::string int64_array(const Range& vs, Proj proj = {}) {
    std::string literal = "{";
    bool first = true;
    for (const auto& v : vs) {
      if (!first) literal += ',';
      first = false;
      literal += std::to_string(static_cast<std::int64_t>(std::invoke(proj, v)));
    }
    return add(literal + "}");
  }
  // A text[] literal ('{"a","b"}'): each element quoted, '"' and '\\' escaped; an element that
  // text() would refuse refuses the statement.
  template <class Range, class Proj = std::identity>
  std::string text_array(const Range& vs, Proj proj = {}) {
    return add(array_literal(vs, [&](const auto& v, std::string& out) {
      const auto& e = std::invoke(proj, v);  // a temporary lives as long as `e`
      check_text(e);
      out += e;
    }));
  }
  // A text[] for people to read, bad bytes replaced as readable_text() replaces them.
  template <class Range, class Proj = std::identity>
  std::string readable_text_array(const Range& vs, Proj proj = {}) {
    return add(array_literal(vs, [&](const auto& v, std::string& out) {
      const auto& e = std::invoke(proj, v);
      out += replace_invalid(e);
    }));
  }
  // A bytea[] of any bytes, exactly (each element in bytea's hex input format).
  template <class Range, class Proj = std::identity>
  std::string bytes_array(const Range& vs, Proj proj = {}) {
    return add(array_literal(vs, [&](const auto& v, std::string& out) {
      out += "\\x";
      const auto& e = std::invoke(proj, v);
      append_hex(e, out);
    }));
  }

  std::size_t size() const noexcept { return pointers_.size(); }
  std::span<const char* const> view() const noexcept { return pointers_; }
  // Fails (errc::invalid_input) when a value could not be sent.
  result<void> check() const {
    if (refused_.empty()) return {};
    return make_error(errc::invalid_input, refused_);
  }

 private:
  // The length of the valid UTF-8 sequence at the start of `v` (RFC 3629: no overlong forms,
  // no surrogates, nothing above U+10FFFF), or 0 when there is none.
  static std::size_t utf8_sequence(std::string_view v) noexcept {
    const auto b = [&](std::size_t i) { return static_cast<unsigned char>(v[i]); };
    const unsigned char c = b(0);
    if (c < 0x80) return c == 0 ? 0 : 1;
    std::size_t n = 0;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 3;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 4;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    } else {
      return 0;
    }
    if (v.size() < n || b(1) < lo || b(1) > hi) return 0;
    for (std::size_t i = 2; i < n; ++i) {
      if (b(i) < 0x80 || b(i) > 0xBF) return 0;
    }
    return n;
  }
  static bool is_valid_utf8(std::string_view v) noexcept {
    while (!v.empty()) {
      const std::size_t n = utf8_sequence(v);
      if (n == 0) return false;
      v.remove_prefix(n);
    }
    return true;
  }
  static std::string replace_invalid(std::string_view v) {
    std::string out;
    out.reserve(v.size());
    while (!v.empty()) {
      const std::size_t n = utf8_sequence(v);
      if (n == 0) {
        out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER
        v.remove_prefix(1);
      } else {
        out += v.substr(0, n);
        v.remove_prefix(n);
      }
    }
    return out;
  }

  // Remembers why a text value cannot be sent (the first reason only).
  void check_text(std::string_view v) {
    if (!refused_.empty()) return;
    if (v.find('\0') != std::string_view::npos) {
      refused_ = "a text value holds a NUL byte, which PostgreSQL text cannot store";
    } else if (!is_valid_utf8(v)) {
      refused_ = "a text value is not valid UTF-8, which PostgreSQL text requires";
    }
  }

  static void append_hex(std::string_view v, std::string& out) {
    static constexpr char digits[] = "0123456789abcdef";
    out.reserve(out.size() + 2 * v.size());
    for (unsigned char ch : v) {
      out += digits[ch >> 4];
      out += digits[ch & 0xF];
    }
  }

  // '{"e1","e2"}': `element` appends each element's text; '"' and '\\' in it are escaped.
  template <class Range, class Element>
  static std::string array_literal(const Range& vs, Element element) {
    std::string literal = "{";
    std::string e;
    bool first = true;
    for (const auto& v : vs) {
      if (!first) literal += ',';
      first = false;
      e.clear();
      element(v, e);
      literal += '"';
      for (char ch : e) {
        if (ch == '"' || ch == '\\') literal += '\\';
        literal += ch;
      }
      literal += '"';
    }
    return literal + "}";
  }

  std::string add(std::string v) {
    values_.push_back(std::move(v));  // a deque: earlier values never move
    pointers_.push_back(values_.back().c_str());
    // Appended rather than "$" + to_string(...): g++ 12 at -O3 warns falsely (-Wrestrict) about
    // that operator+ once inlined into a caller's loop.
    std::string placeholder(1, '$');
    placeholder += std::to_string(pointers_.size());
    return placeholder;
  }

  std::deque<std::string> values_;
  std::vector<const char*> pointers_;
  std::string refused_;
};

}  // namespace syncline::postgres
