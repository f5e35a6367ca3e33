// Quoting a piece of untrusted text inside an error message: short, printable, and never more
// than a few bytes of the value (a value in the wrong place may be someone's secret).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace syncline::json::detail {

inline constexpr std::size_t quote_max = 24;

// Appends at most `max` bytes of `text`, bytes outside printable ASCII (and '"', '\') as \xNN.
// Returns whether the text was cut.
inline bool append_printable(std::string& out, std::string_view text, std::size_t max) {
  constexpr char hex[] = "0123456789abcdef";
  for (char c : text.substr(0, max)) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f || c == '"' || c == '\\') {
      out += "\\x";
      out += hex[u >> 4];
      out += hex[u & 15];
    } else {
      out += c;
    }
  }
  return text.size() > max;
}

// "text", or "tex"... (N bytes) when longer than `max`.
inline void append_quoted(std::string& out, std::string_view text, std::size_t max = quote_max) {
  out += '"';
  const bool cut = append_printable(out, text, max);
  out += '"';
  if (cut) {
    out += "... (";
    out += std::to_string(text.size());
    out += " bytes)";
  }
}

inline std::string quoted(std::string_view text, std::size_t max = quote_max) {
  std::string s;
  append_quoted(s, text, max);
  return s;
}

}  // namespace syncline::json::detail
