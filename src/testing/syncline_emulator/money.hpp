// Shopify amounts are decimal strings ("19.99"). The emulator reads them with syncline::money
// and keeps them as integer cents, so that totals never pass through a double; REST spells them
// with exactly two decimals ("21.00").
#pragma once

#include <syncline/core/money.hpp>

#include <boost/json/value.hpp>

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace syncline::testing::detail {

// Amounts above this are refused: sums of many of them still fit in 64 bits.
inline constexpr std::int64_t max_cents = 100'000'000'000'000;  // 1e12 currency units

// "19", "19.9", "19.99" (negative only when `allow_negative`); more than two decimals is refused
// rather than rounded.
inline std::optional<std::int64_t> parse_cents(std::string_view s, bool allow_negative = false) {
  auto m = money::parse(s);
  if (!m || m->scale() > 2 || (m->units() < 0 && !allow_negative)) return std::nullopt;
  std::int64_t cents = m->units();
  for (unsigned k = m->scale(); k < 2; ++k) cents *= 10;
  if (cents > max_cents || cents < -max_cents) return std::nullopt;
  return cents;
}

// A JSON amount: a decimal string, or a number (clients often send `"price": 10` or 10.5).
inline std::optional<std::int64_t> parse_amount(const boost::json::value& v) {
  if (v.is_string()) return parse_cents(std::string_view(v.get_string()));
  if (v.is_int64()) return parse_cents(std::to_string(v.get_int64()));
  if (v.is_uint64()) return parse_cents(std::to_string(v.get_uint64()));
  if (v.is_double()) {
    // The shortest decimal that reads back as this double is what the client wrote.
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v.get_double(), std::chars_format::fixed);
    if (ec != std::errc{}) return std::nullopt;
    return parse_cents(std::string_view(buf, static_cast<std::size_t>(end - buf)));
  }
  return std::nullopt;
}

// 1999 -> "19.99"; -5 -> "-0.05".
inline std::string format_cents(std::int64_t cents) {
  return money::from_units(cents, 2)->to_string();
}

}  // namespace syncline::testing::detail
