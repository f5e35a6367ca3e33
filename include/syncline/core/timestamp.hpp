// syncline::timestamp: an RFC 3339 date-time ("2024-01-15T10:00:00.123456789-05:00") kept
// exactly as it came, together with the instant it names. Shopify orders carry their shop's
// offset and webhook headers carry nanoseconds; both must survive a decode/encode round trip.
#pragma once

#include <syncline/core/result.hpp>

#include <array>
#include <cassert>
#include <chrono>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

namespace syncline {

// Compares by instant: "2024-01-15T15:00:00Z" == "2024-01-15T10:00:00-05:00". The text (and so
// the offset and the number of fraction digits) is kept for printing. Trivially copyable: the
// longest RFC 3339 text with nanoseconds is 35 characters and is stored inline.
class timestamp {
 public:
  using time_point = std::chrono::sys_time<std::chrono::nanoseconds>;
  static constexpr std::size_t max_text = 35;  // "YYYY-MM-DDTHH:MM:SS.nnnnnnnnn+HH:MM"

  timestamp() noexcept { assign_text("1970-01-01T00:00:00Z"); }  // the Unix epoch

  // RFC 3339 date-time: YYYY-MM-DD, 'T' (or 't' or ' '), HH:MM:SS, an optional fraction of 1 to
  // 9 digits, then 'Z' (or 'z') or +HH:MM / -HH:MM. Leap seconds (:60) are refused. The instant
  // is held in 64-bit nanoseconds, so years 1678 to 2261 are accepted.
  static result<timestamp> parse(std::string_view text) {
    auto fail = [](std::string_view why) {
      std::string m = "expected an RFC 3339 timestamp like \"2024-01-15T10:00:00-05:00\"";
      if (!why.empty()) (m += " (") += why, m += ')';
      return make_error(errc::invalid_input, std::move(m));
    };
    if (text.size() < 19 || text.size() > max_text) return fail("");
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    if (!digits(text, 0, 4, year) || text[4] != '-' || !digits(text, 5, 2, month) ||
        text[7] != '-' || !digits(text, 8, 2, day) ||
        (text[10] != 'T' && text[10] != 't' && text[10] != ' ') || !digits(text, 11, 2, hour) ||
        text[13] != ':' || !digits(text, 14, 2, minute) || text[16] != ':' ||
        !digits(text, 17, 2, second)) {
      return fail("");
    }
    std::size_t i = 19;
    std::int64_t nanos = 0;
    if (i < text.size() && text[i] == '.') {
      const std::size_t begin = ++i;
      while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
      const std::size_t n = i - begin;
      if (n == 0) return fail("a '.' needs digits after it");
      if (n > 9) return fail("more than 9 fraction digits");
      for (std::size_t k = begin; k < i; ++k) nanos = nanos * 10 + (text[k] - '0');
      for (std::size_t k = n; k < 9; ++k) nanos *= 10;
    }
    int offset_minutes = 0;
    if (i < text.size() && (text[i] == 'Z' || text[i] == 'z')) {
      ++i;
    } else if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
      int oh = 0, om = 0;
      if (i + 6 != text.size() || !digits(text, i + 1, 2, oh) || text[i + 3] != ':' ||
          !digits(text, i + 4, 2, om)) {
        return fail("the offset must be Z or +HH:MM");
      }
      if (oh > 23 || om > 59) return fail("offset out of range");
      offset_minutes = (text[i] == '-' ? -1 : 1) * (oh * 60 + om);
      i += 6;
    } else {
      return fail("the offset must be Z or +HH:MM");
    }
    if (i != text.size()) return fail("");

    using namespace std::chrono;
    const year_month_day date{std::chrono::year{year}, std::chrono::month{unsigned(month)},
                              std::chrono::day{unsigned(day)}};
    if (!date.ok()) return fail("no such date");
    if (hour > 23 || minute > 59) return fail("time of day out of range");
    if (second > 59) return fail(second == 60 ? "leap seconds are not supported" : "second > 59");

    const std::int64_t utc_seconds =
        std::int64_t{sys_days{date}.time_since_epoch().count()} * 86400 + hour * 3600 +
        minute * 60 + second - offset_minutes * 60;
    // time_point holds +-292 years around 1970; keep a second of margin for the fraction.
    constexpr std::int64_t limit = INT64_MAX / 1'000'000'000 - 1;
    if (utc_seconds > limit || utc_seconds < -limit) return fail("year outside 1678..2261");

    timestamp t;
    t.assign_text(text);
    t.instant_ = time_point{nanoseconds{utc_seconds * 1'000'000'000 + nanos}};
    t.offset_minutes_ = static_cast<std::int16_t>(offset_minutes);
    return t;
  }

  // The current time in UTC with nanoseconds ("2026-01-15T10:00:00.123456789Z").
  static timestamp now() {
    return from_time_point(
        std::chrono::floor<std::chrono::nanoseconds>(std::chrono::system_clock::now()));
  }

  // An instant written at a UTC offset (Z for none, else +HH:MM, as Shopify writes a shop's
  // local time); the fraction is omitted when it is zero, else has 9 digits. Floor the time
  // point to seconds first for Shopify's REST form. The offset must be within +-23:59.
  static timestamp from_time_point(time_point tp, std::chrono::minutes utc_offset = {}) {
    using namespace std::chrono;
    assert(utc_offset > -24h && utc_offset < 24h);
    const time_point local = tp + utc_offset;
    const auto day_start = floor<days>(local);
    const year_month_day date{day_start};
    const hh_mm_ss<nanoseconds> tod{local - day_start};
    std::array<char, max_text> buf{};
    std::size_t n = 0;
    auto put = [&](std::int64_t v, int width) {
      for (int k = width - 1; k >= 0; --k) {
        buf[n + std::size_t(k)] = char('0' + v % 10);
        v /= 10;
      }
      n += std::size_t(width);
    };
    auto put_char = [&](char c) { buf[n++] = c; };
    put(int(date.year()), 4);
    put_char('-');
    put(unsigned(date.month()), 2);
    put_char('-');
    put(unsigned(date.day()), 2);
    put_char('T');
    put(tod.hours().count(), 2);
    put_char(':');
    put(tod.minutes().count(), 2);
    put_char(':');
    put(tod.seconds().count(), 2);
    if (tod.subseconds().count() != 0) {
      put_char('.');
      put(tod.subseconds().count(), 9);
    }
    if (utc_offset == minutes{0}) {
      put_char('Z');
    } else {
      const auto m = utc_offset < minutes{0} ? -utc_offset.count() : utc_offset.count();
      put_char(utc_offset < minutes{0} ? '-' : '+');
      put(m / 60, 2);
      put_char(':');
      put(m % 60, 2);
    }
    timestamp t;
    t.assign_text(std::string_view(buf.data(), n));
    t.instant_ = tp;
    t.offset_minutes_ = static_cast<std::int16_t>(utc_offset.count());
    return t;
  }

  // The text exactly as parsed.
  std::string_view text() const noexcept { return {text_.data(), size_}; }
  std::string to_string() const { return std::string(text()); }

  time_point instant() const noexcept { return instant_; }
  // The offset the text was written in (-05:00 is -300 minutes; Z is 0).
  std::chrono::minutes utc_offset() const noexcept { return std::chrono::minutes{offset_minutes_}; }

  friend bool operator==(const timestamp& a, const timestamp& b) noexcept {
    return a.instant_ == b.instant_;
  }
  // Weak: the same instant may be written in different offsets.
  friend std::weak_ordering operator<=>(const timestamp& a, const timestamp& b) noexcept {
    return a.instant_ <=> b.instant_;
  }

 private:
  static bool digits(std::string_view s, std::size_t at, std::size_t count, int& out) noexcept {
    if (at + count > s.size()) return false;
    out = 0;
    for (std::size_t k = at; k < at + count; ++k) {
      if (s[k] < '0' || s[k] > '9') return false;
      out = out * 10 + (s[k] - '0');
    }
    return true;
  }
  void assign_text(std::string_view s) noexcept {
    size_ = static_cast<std::uint8_t>(s.copy(text_.data(), max_text));
  }

  time_point instant_{};
  std::array<char, max_text> text_{};
  std::uint8_t size_ = 0;
  std::int16_t offset_minutes_ = 0;
};

}  // namespace syncline
