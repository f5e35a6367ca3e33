// The three timestamp spellings Shopify uses, over syncline::timestamp, and the lenient reading
// of what clients put in query strings:
//   REST and webhook bodies: local time with the shop's offset, seconds
//   ("2026-01-15T10:31:02-05:00") GraphQL DateTime:        UTC with Z, seconds
//   ("2026-01-15T15:31:02Z") X-Shopify-Triggered-At:  UTC with Z, nanoseconds
//   ("2026-01-15T15:31:02.123456789Z")
#pragma once

#include <syncline/core/timestamp.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace syncline::testing::detail {

using sys_time = std::chrono::system_clock::time_point;

// "2026-01-15T10:31:02-05:00": the shop's local time and its offset ("Z" for UTC).
inline std::string format_local(sys_time t, std::chrono::minutes offset) {
  using namespace std::chrono;
  return timestamp::from_time_point(time_point_cast<nanoseconds>(floor<seconds>(t)), offset)
      .to_string();
}

// "2026-01-15T15:31:02Z"
inline std::string format_utc(sys_time t) { return format_local(t, std::chrono::minutes{0}); }

// "2026-01-15T15:31:02.123456789Z": always nine digits, even when they are zeros.
inline std::string format_utc_nanos(sys_time t) {
  using namespace std::chrono;
  std::string s = timestamp::from_time_point(time_point_cast<nanoseconds>(t)).to_string();
  if (s.find('.') == std::string::npos) s.insert(s.size() - 1, ".000000000");
  return s;
}

inline std::string offset_text(std::chrono::minutes offset) {
  if (offset.count() == 0) return "Z";
  const auto m = offset.count() < 0 ? -offset.count() : offset.count();
  std::string s = offset.count() < 0 ? "-" : "+";
  s += static_cast<char>('0' + m / 600);
  s += static_cast<char>('0' + (m / 60) % 10);
  s += ':';
  s += static_cast<char>('0' + (m % 60) / 10);
  s += static_cast<char>('0' + m % 10);
  return s;
}

// ISO 8601 as clients send it: RFC 3339, or a bare date ("2026-01-15", midnight), or a date-time
// without offset, both read in `default_offset` (Shopify reads them in the shop's time zone);
// "+0200" and a '+' that arrived as a space (unescaped in a query string) are accepted too.
inline std::optional<sys_time> parse_timestamp(std::string_view s,
                                               std::chrono::minutes default_offset = {}) {
  std::string text(s);
  if (text.size() == 10) {
    text += "T00:00:00" + offset_text(default_offset);
  } else if (text.size() >= 19) {
    std::size_t pos = 19;
    if (pos < text.size() && text[pos] == '.')
      while (++pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      }
    if (pos == text.size()) {
      text += offset_text(default_offset);
    } else {
      if (text[pos] == ' ') text[pos] = '+';
      if ((text[pos] == '+' || text[pos] == '-') && text.size() == pos + 5)
        text.insert(pos + 3, ":");
    }
  }
  auto t = timestamp::parse(text);
  if (!t) return std::nullopt;
  return std::chrono::time_point_cast<sys_time::duration>(t->instant());
}

}  // namespace syncline::testing::detail
