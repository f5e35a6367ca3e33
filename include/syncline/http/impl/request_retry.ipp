// The bodies of <syncline/http/request_retry.hpp>.
#pragma once

#include <syncline/http/request_retry.hpp>

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace syncline::http {

namespace detail {

SYNCLINE_DECL std::optional<int> parse_fixed_int(std::string_view s) {
  int v = 0;
  if (s.empty()) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
  return v;
}

SYNCLINE_DECL std::optional<unsigned> month_index(std::string_view m) {
  static constexpr std::string_view names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (unsigned i = 0; i < 12; ++i)
    if (names[i] == m) return i + 1;
  return std::nullopt;
}

SYNCLINE_DECL std::optional<std::chrono::sys_seconds> make_time(int y, unsigned mon, int d,
                                                                std::string_view hms) {
  // hms is "HH:MM:SS"
  if (hms.size() != 8 || hms[2] != ':' || hms[5] != ':') return std::nullopt;
  auto h = parse_fixed_int(hms.substr(0, 2)), mi = parse_fixed_int(hms.substr(3, 2)),
       s = parse_fixed_int(hms.substr(6, 2));
  if (!h || !mi || !s || *h > 23 || *mi > 59 || *s > 60) return std::nullopt;
  std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{mon},
                                  std::chrono::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  return std::chrono::sys_days{ymd} + std::chrono::hours{*h} + std::chrono::minutes{*mi} +
         std::chrono::seconds{*s};
}

SYNCLINE_DECL std::vector<std::string_view> split_spaces(std::string_view s) {
  std::vector<std::string_view> out;
  while (!s.empty()) {
    auto b = s.find_first_not_of(' ');
    if (b == std::string_view::npos) break;
    s.remove_prefix(b);
    auto e = s.find(' ');
    out.push_back(s.substr(0, e));
    if (e == std::string_view::npos) break;
    s.remove_prefix(e);
  }
  return out;
}

}  // namespace detail

SYNCLINE_DECL std::optional<std::chrono::sys_seconds> parse_http_date(std::string_view text) {
  auto parts = detail::split_spaces(text);
  if (parts.size() == 6 && parts[0].size() == 4 && parts[0][3] == ',' && parts[5] == "GMT") {
    auto d = detail::parse_fixed_int(parts[1]);
    auto m = detail::month_index(parts[2]);
    auto y = detail::parse_fixed_int(parts[3]);
    if (!d || !m || !y || parts[1].size() != 2 || parts[3].size() != 4) return std::nullopt;
    return detail::make_time(*y, *m, *d, parts[4]);
  }
  if (parts.size() == 4 && parts[0].size() > 1 && parts[0].back() == ',' && parts[3] == "GMT") {
    std::string_view dmy = parts[1];  // "06-Nov-94"
    if (dmy.size() != 9 || dmy[2] != '-' || dmy[6] != '-') return std::nullopt;
    auto d = detail::parse_fixed_int(dmy.substr(0, 2));
    auto m = detail::month_index(dmy.substr(3, 3));
    auto yy = detail::parse_fixed_int(dmy.substr(7, 2));
    if (!d || !m || !yy) return std::nullopt;
    // RFC 9110 reads a two-digit year more than 50 years ahead as the past century; 70..99 as
    // 19xx and the rest as 20xx agrees with that rule until 2040.
    int y = *yy + (*yy >= 70 ? 1900 : 2000);
    return detail::make_time(y, *m, *d, parts[2]);
  }
  if (parts.size() == 5 && parts[0].size() == 3) {
    auto m = detail::month_index(parts[1]);
    auto d = detail::parse_fixed_int(parts[2]);
    auto y = detail::parse_fixed_int(parts[4]);
    if (!m || !d || !y || parts[4].size() != 4) return std::nullopt;
    return detail::make_time(*y, *m, *d, parts[3]);
  }
  return std::nullopt;
}

SYNCLINE_DECL std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point now) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  if ((value.front() >= '0' && value.front() <= '9') || value.front() == '.') {
    double seconds = 0;
    auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds,
                                   std::chars_format::fixed);
    if (ec != std::errc{} || p != value.data() + value.size() || !std::isfinite(seconds) ||
        seconds < 0)
      return std::nullopt;
    // A day is far beyond any sensible retry budget; clamp so the cast cannot overflow.
    seconds = std::min(seconds, 86400.0);
    return std::chrono::milliseconds{static_cast<std::int64_t>(std::ceil(seconds * 1000.0))};
  }
  auto when = parse_http_date(value);
  if (!when) return std::nullopt;
  auto delta = std::chrono::duration_cast<std::chrono::milliseconds>(*when - now);
  return std::max(delta, std::chrono::milliseconds{0});
}

}  // namespace syncline::http
