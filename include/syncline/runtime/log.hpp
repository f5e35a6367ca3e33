// The engine's structured log: one line per event, `key=value` pairs after a timestamp, a level
// and a message, written to a sink you choose (std::function), stderr at info by default.
//
//   ts=2026-01-15T10:00:00.123Z level=warn msg="run retried" run=42 tenant=shop-a
//   workflow=orders_to_app attempt=2 error="timeout: create_order: no answer within 5 s"
//
// Values with spaces, quotes, '=' or control characters are quoted and escaped, so a line always
// splits back into its fields. Lines never hold payload bodies (except at debug) nor secrets:
// the engine passes the message and every value through its redactor before they are quoted
// and escaped (escaping would change a secret that holds a quote or a line break).
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace syncline {

enum class log_level { debug, info, warn, error, off };

constexpr std::string_view to_string(log_level l) noexcept {
  switch (l) {
    case log_level::debug: return "debug";
    case log_level::info: return "info";
    case log_level::warn: return "warn";
    case log_level::error: return "error";
    case log_level::off: return "off";
  }
  return "unknown";
}

// Receives each formatted line (without a trailing newline). Called from the engine's threads,
// possibly concurrently: a sink that is not thread-safe must lock.
using log_sink = std::function<void(log_level, std::string_view line)>;

// One `key=value` pair of a line.
struct log_field {
  std::string_view key;
  std::string value;

  log_field(std::string_view k, std::string_view v) : key(k), value(v) {}
  log_field(std::string_view k, const std::string& v) : key(k), value(v) {}
  log_field(std::string_view k, const char* v) : key(k), value(v ? v : "") {}
  template <class I>
  requires std::is_integral_v<I> &&(!std::is_same_v<I, bool>)log_field(std::string_view k, I v)
      : key(k), value(std::to_string(v)) {}
  log_field(std::string_view k, bool v) : key(k), value(v ? "true" : "false") {}
};

namespace detail {
inline bool needs_quotes(std::string_view v) {
  if (v.empty()) return true;
  for (unsigned char c : v)
    if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c == 0x7f) return true;
  return false;
}

inline void append_value(std::string& out, std::string_view v) {
  if (!needs_quotes(v)) {
    out += v;
    return;
  }
  out += '"';
  for (unsigned char c : v) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          static constexpr char hex[] = "0123456789abcdef";
          out += "\\x";
          out += hex[c >> 4];
          out += hex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

// RFC 3339 UTC with milliseconds.
inline std::string log_time(std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  const auto ms = duration_cast<milliseconds>(t.time_since_epoch());
  const auto day = floor<days>(sys_time<milliseconds>(ms));
  const year_month_day ymd{day};
  const hh_mm_ss hms{sys_time<milliseconds>(ms) - day};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", int(ymd.year()),
                unsigned(ymd.month()), unsigned(ymd.day()), int(hms.hours().count()),
                int(hms.minutes().count()), int(hms.seconds().count()),
                int(hms.subseconds().count()));
  return buf;
}
}  // namespace detail

// Formats one line: ts, level, msg, then the fields in order.
inline std::string format_log_line(std::chrono::system_clock::time_point at, log_level level,
                                   std::string_view message, std::span<const log_field> fields) {
  std::string line;
  line.reserve(64 + message.size() + 24 * fields.size());
  line += "ts=";
  line += detail::log_time(at);
  line += " level=";
  line += to_string(level);
  line += " msg=";
  detail::append_value(line, message);
  for (const auto& f : fields) {
    line += ' ';
    line += f.key;
    line += '=';
    detail::append_value(line, f.value);
  }
  return line;
}

inline std::string format_log_line(std::chrono::system_clock::time_point at, log_level level,
                                   std::string_view message,
                                   std::initializer_list<log_field> fields) {
  return format_log_line(at, level, message,
                         std::span<const log_field>(fields.begin(), fields.size()));
}

// The default sink: one line per call to stderr (a single fwrite, so lines do not interleave).
inline void stderr_sink(log_level, std::string_view line) {
  std::string out(line);
  out += '\n';
  std::fwrite(out.data(), 1, out.size(), stderr);
}

}  // namespace syncline
