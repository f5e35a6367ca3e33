// Compile-time parsing of schedule specifications: 5-field cron expressions, the @hourly family
// and "@every 1h30m" intervals. The runtime evaluates the parsed fields; the compiler rejects a
// malformed spec before it can silently never fire.
#pragma once

#include <syncline/core/detail/text.hpp>

#include <cstdint>
#include <string_view>

namespace syncline {

// A parsed schedule. Times are UTC. Either `every_seconds` > 0 (an interval) or the bit sets
// say which minutes, hours, days of month, months and days of week (0 = Sunday) fire.
struct schedule_spec {
  bool valid = false;
  std::int64_t every_seconds = 0;
  std::uint64_t minutes = 0;        // bit m: minute m (0-59)
  std::uint32_t hours = 0;          // bit h: hour h (0-23)
  std::uint32_t days_of_month = 0;  // bit d: day d (1-31)
  std::uint32_t months = 0;         // bit m: month m (1-12)
  std::uint32_t days_of_week = 0;   // bit d: weekday d (0-6, 0 = Sunday)
  bool any_day_of_month = true;     // the field was '*': only the weekday restricts days
  bool any_day_of_week = true;      // the field was '*': only the day of month restricts days

  constexpr bool is_interval() const noexcept { return every_seconds > 0; }

  // Cron semantics: when both day fields are restricted, either one matching is enough.
  constexpr bool matches(int minute, int hour, int day_of_month, int month,
                         int day_of_week) const noexcept {
    if (!valid || is_interval()) return false;
    auto bit = [](auto set, int i) { return ((set >> i) & 1u) != 0; };
    if (!bit(minutes, minute) || !bit(hours, hour) || !bit(months, month)) return false;
    bool dom = bit(days_of_month, day_of_month), dow = bit(days_of_week, day_of_week);
    if (any_day_of_month && any_day_of_week) return true;
    if (any_day_of_month) return dow;
    if (any_day_of_week) return dom;
    return dom || dow;
  }
};

namespace detail {

constexpr char lower_ascii(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
}

constexpr bool equal_icase(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i != a.size(); ++i)
    if (lower_ascii(a[i]) != lower_ascii(b[i])) return false;
  return true;
}

// A number, or a 3-letter month/day name for the fields that have names. -1 when invalid.
constexpr int cron_value(std::string_view s, int field) noexcept {
  constexpr std::string_view months[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                         "jul", "aug", "sep", "oct", "nov", "dec"};
  constexpr std::string_view days[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
  if (s.empty()) return -1;
  if (field == 3)
    for (int i = 0; i != 12; ++i)
      if (equal_icase(s, months[i])) return i + 1;
  if (field == 4)
    for (int i = 0; i != 7; ++i)
      if (equal_icase(s, days[i])) return i;
  if (s.size() > 2) return -1;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  return v;
}

// Parses one cron field ("*", "5", "1-5", "*/15", "10-50/10", "mon,wed,fri") into a bit set.
// Returns false when any item is malformed or out of [lo, hi].
constexpr bool parse_cron_field(std::string_view f, int field, int lo, int hi,
                                std::uint64_t& bits) noexcept {
  if (f.empty()) return false;
  for (;;) {
    auto comma = find_char(f, ',');
    std::string_view item = f.substr(0, comma);
    int step = 1;
    if (auto slash = find_char(item, '/'); slash != not_found) {
      step = cron_value(item.substr(slash + 1), -1);
      if (step <= 0) return false;
      item = item.substr(0, slash);
    }
    int first = lo, last = hi;
    if (item != "*") {
      auto dash = find_char(item, '-');
      first = cron_value(item.substr(0, dash), field);
      last = dash == not_found ? first : cron_value(item.substr(dash + 1), field);
      // "5/15" means "from 5 to the end, every 15", as in Vixie cron.
      if (dash == not_found && step != 1) last = hi;
    }
    if (first < lo || last > hi || first > last) return false;
    for (int v = first; v <= last; v += step) bits |= std::uint64_t{1} << v;
    if (comma == not_found) return true;
    f.remove_prefix(comma + 1);
  }
}

// "@every 90s", "@every 1h30m": a sum of <number><s|m|h|d> terms.
constexpr std::int64_t parse_interval(std::string_view s) noexcept {
  if (s.empty()) return 0;
  std::int64_t total = 0;
  while (!s.empty()) {
    std::int64_t n = 0;
    std::size_t i = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9' && i < 9) n = n * 10 + (s[i++] - '0');
    if (i == 0 || i == s.size()) return 0;
    std::int64_t unit = 0;
    switch (s[i]) {
      case 's': unit = 1; break;
      case 'm': unit = 60; break;
      case 'h': unit = 3600; break;
      case 'd': unit = 86400; break;
      default: return 0;
    }
    total += n * unit;
    s.remove_prefix(i + 1);
  }
  return total;
}

}  // namespace detail

// Parses a schedule: "@every <n><s|m|h|d>...", "@hourly", "@daily" (= "@midnight"), "@weekly",
// "@monthly", "@yearly" (= "@annually"), or "minute hour day-of-month month day-of-week".
constexpr schedule_spec parse_schedule(std::string_view s) noexcept {
  schedule_spec r;
  if (detail::begins_with(s, "@every ")) {
    r.every_seconds = detail::parse_interval(s.substr(7));
    r.valid = r.every_seconds > 0;
    return r;
  }
  if (s == "@hourly")
    s = "0 * * * *";
  else if (s == "@daily" || s == "@midnight")
    s = "0 0 * * *";
  else if (s == "@weekly")
    s = "0 0 * * 0";
  else if (s == "@monthly")
    s = "0 0 1 * *";
  else if (s == "@yearly" || s == "@annually")
    s = "0 0 1 1 *";

  constexpr int lo[] = {0, 0, 1, 1, 0};
  constexpr int hi[] = {59, 23, 31, 12, 7};
  std::uint64_t bits[5] = {};
  std::string_view fields[5] = {};
  int count = 0;
  while (!s.empty()) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    if (s.empty()) break;
    auto sp = detail::find_char(s, ' ');
    if (count == 5) return r;  // too many fields
    fields[count++] = s.substr(0, sp);
    s.remove_prefix(sp == detail::not_found ? s.size() : sp);
  }
  if (count != 5) return r;
  for (int i = 0; i != 5; ++i)
    if (!detail::parse_cron_field(fields[i], i, lo[i], hi[i], bits[i])) return r;
  r.minutes = bits[0];
  r.hours = static_cast<std::uint32_t>(bits[1]);
  r.days_of_month = static_cast<std::uint32_t>(bits[2]);
  r.months = static_cast<std::uint32_t>(bits[3]);
  // Day of week 7 is Sunday too: fold bit 7 onto bit 0.
  r.days_of_week = static_cast<std::uint32_t>((bits[4] | (bits[4] >> 7)) & 0x7f);
  r.any_day_of_month = fields[2][0] == '*';
  r.any_day_of_week = fields[4][0] == '*';
  r.valid = true;
  return r;
}

}  // namespace syncline
