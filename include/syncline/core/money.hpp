// syncline::money: an exact decimal amount, as Shopify sends it ("199.65"). No double anywhere:
// a binary float cannot hold 0.1, and sums of prices must match the shop's totals to the cent
// (STYLE.md, habit 9).
#pragma once

#include <syncline/core/diagnostic.hpp>
#include <syncline/core/fixed_string.hpp>
#include <syncline/core/result.hpp>

#include <compare>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace syncline {

namespace detail {
template <fixed_string Text>
struct money_literal;
}  // namespace detail

// A decimal number `units / 10^scale`. The scale is the number of digits after the point in
// the text it came from, so "10.00" prints back as "10.00" and "10" as "10". Values compare by
// amount ("10.0" == "10.00"); sums take the larger scale ("10.0" + "0.25" = "10.25").
// At most 18 significant digits, so every amount parse accepts fits in 64 bits exactly.
class money {
 public:
  static constexpr unsigned max_digits = 18;

  constexpr money() noexcept = default;  // 0 (scale 0)

  // Text form: -?(0|[1-9][0-9]*)(\.[0-9]+)?, at most 18 significant digits and 18 after the
  // point. No '+', exponent, blanks or
  // leading zeros: each of those would not print back as it came. "-0.00" is read as 0.00.
  static result<money> parse(std::string_view text) {
    const read r = read_text(text);
    // The message names what was expected; the caller knows the text and quotes it (the JSON
    // layer appends ", got string ...").
    switch (r.status) {
      case read_status::ok: return money(r.units, r.scale);
      case read_status::malformed:
        return make_error(
            errc::invalid_input,
            "expected a decimal amount like \"199.65\" (digits, optional '-' and '.')");
      case read_status::too_many_digits: break;
    }
    return make_error(errc::invalid_input, "expected a decimal amount of at most " +
                                               std::to_string(max_digits) + " digits");
  }

  // units / 10^scale, e.g. from_units(19965, 2) is 199.65. scale <= 18.
  static result<money> from_units(std::int64_t units, unsigned scale) {
    if (scale > max_digits) {
      return make_error(errc::invalid_input,
                        "money scale " + std::to_string(scale) + " is over the maximum of 18");
    }
    return money(units, static_cast<std::uint8_t>(scale));
  }

  constexpr std::int64_t units() const noexcept { return units_; }
  constexpr unsigned scale() const noexcept { return scale_; }

  std::string to_string() const {
    // |units| may be 2^63 after arithmetic: go through unsigned to negate safely.
    const bool negative = units_ < 0;
    std::uint64_t magnitude =
        negative ? 0 - static_cast<std::uint64_t>(units_) : static_cast<std::uint64_t>(units_);
    std::string digits = std::to_string(magnitude);
    if (digits.size() <= scale_) digits.insert(0, scale_ + 1 - digits.size(), '0');
    if (scale_ > 0) digits.insert(digits.size() - scale_, 1, '.');
    if (negative) digits.insert(0, 1, '-');
    return digits;
  }

  // Exact arithmetic that reports overflow as an error value.
  static result<money> checked_add(money a, money b) {
    const unsigned scale = a.scale_ > b.scale_ ? a.scale_ : b.scale_;
    std::int64_t x = 0, y = 0, sum = 0;
    if (!rescale(a, scale, x) || !rescale(b, scale, y) || __builtin_add_overflow(x, y, &sum)) {
      return overflow("+", a, b.to_string());
    }
    return money(sum, static_cast<std::uint8_t>(scale));
  }
  static result<money> checked_sub(money a, money b) {
    const unsigned scale = a.scale_ > b.scale_ ? a.scale_ : b.scale_;
    std::int64_t x = 0, y = 0, difference = 0;
    if (!rescale(a, scale, x) || !rescale(b, scale, y) ||
        __builtin_sub_overflow(x, y, &difference)) {
      return overflow("-", a, b.to_string());
    }
    return money(difference, static_cast<std::uint8_t>(scale));
  }
  static result<money> checked_mul(money a, std::int64_t quantity) {
    std::int64_t product = 0;
    if (__builtin_mul_overflow(a.units_, quantity, &product)) {
      return overflow("*", a, std::to_string(quantity));
    }
    return money(product, a.scale_);
  }

  // The operators are the checked forms for code that works with amounts a shop can hold;
  // an overflow (beyond ~9.2e18 units) throws std::overflow_error rather than wrap silently.
  friend money operator+(money a, money b) { return unwrap(checked_add(a, b)); }
  friend money operator-(money a, money b) { return unwrap(checked_sub(a, b)); }
  friend money operator*(money a, std::int64_t quantity) {
    return unwrap(checked_mul(a, quantity));
  }
  friend money operator*(std::int64_t quantity, money a) { return a * quantity; }
  money operator-() const { return unwrap(checked_mul(*this, -1)); }
  money& operator+=(money b) { return *this = *this + b; }
  money& operator-=(money b) { return *this = *this - b; }

  // By amount: "10.0" == "10.00". Equal amounts may still print differently, hence weak.
  friend constexpr bool operator==(money a, money b) noexcept { return compare(a, b) == 0; }
  friend constexpr std::weak_ordering operator<=>(money a, money b) noexcept {
    const int c = compare(a, b);
    return c < 0 ? std::weak_ordering::less
                 : (c > 0 ? std::weak_ordering::greater : std::weak_ordering::equivalent);
  }

 private:
  template <fixed_string Text>
  friend struct detail::money_literal;

  constexpr money(std::int64_t units, std::uint8_t scale) noexcept : units_(units), scale_(scale) {}

  // What parse and the "19.99"_money literal share: the reading itself, usable in constant
  // expressions (the literal reports a bad text as a compile error, parse as an error value).
  enum class read_status { ok, malformed, too_many_digits };
  struct read {
    read_status status = read_status::malformed;
    std::int64_t units = 0;
    std::uint8_t scale = 0;
  };
  static constexpr read read_text(std::string_view text) noexcept {
    std::size_t i = 0;
    const bool negative = !text.empty() && text[0] == '-';
    if (negative) ++i;
    const std::size_t int_begin = i;
    while (i < text.size() && is_digit(text[i])) ++i;
    const std::size_t int_digits = i - int_begin;
    if (int_digits == 0 || (int_digits > 1 && text[int_begin] == '0')) return {};
    std::size_t frac_digits = 0;
    if (i < text.size() && text[i] == '.') {
      ++i;
      const std::size_t frac_begin = i;
      while (i < text.size() && is_digit(text[i])) ++i;
      frac_digits = i - frac_begin;
      if (frac_digits == 0) return {};
    }
    if (i != text.size()) return {};
    // Leading zeros carry no value: "0.000000000000000001" is 1 unit at scale 18.
    std::size_t significant = 0;
    for (char c : text.substr(int_begin)) {
      if (c != '.' && (significant > 0 || c != '0')) ++significant;
    }
    if (significant > max_digits || frac_digits > max_digits) {
      return {read_status::too_many_digits, 0, 0};
    }
    std::int64_t units = 0;  // < 10^18: cannot overflow
    for (char c : text.substr(int_begin)) {
      if (c != '.') units = units * 10 + (c - '0');
    }
    return {read_status::ok, negative ? -units : units, static_cast<std::uint8_t>(frac_digits)};
  }

  static constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
  static constexpr std::int64_t pow10(unsigned n) noexcept {
    std::int64_t p = 1;
    while (n-- > 0) p *= 10;
    return p;
  }
  static bool rescale(money m, unsigned scale, std::int64_t& out) noexcept {
    return !__builtin_mul_overflow(m.units_, pow10(scale - m.scale_), &out);
  }
  static ::syncline::error overflow(const char* op, money a, const std::string& b) {
    return make_error(errc::invalid_input,
                      "money overflow: " + a.to_string() + ' ' + op + ' ' + b + " exceeds 64 bits");
  }
  static money unwrap(result<money> r) {
    if (!r) throw std::overflow_error(r.error().message);
    return *r;
  }
  // Compares integer parts, then fractional parts brought to a common scale (both below
  // 10^18), so nothing is multiplied past 64 bits whatever the scales.
  static constexpr int compare(money a, money b) noexcept {
    const std::int64_t pa = pow10(a.scale_), pb = pow10(b.scale_);
    const std::int64_t ia = a.units_ / pa, ib = b.units_ / pb;
    if (ia != ib) return ia < ib ? -1 : 1;
    const unsigned scale = a.scale_ > b.scale_ ? a.scale_ : b.scale_;
    const std::int64_t fa = (a.units_ % pa) * pow10(scale - a.scale_);
    const std::int64_t fb = (b.units_ % pb) * pow10(scale - b.scale_);
    return fa < fb ? -1 : (fa > fb ? 1 : 0);
  }

  std::int64_t units_ = 0;
  std::uint8_t scale_ = 0;
};

namespace detail {

// Reads the text of a "..."_money literal once, at compile time. A bad text instantiates its
// rule in syncline::diagnostic, whose static_assert is the one error and names the text; the
// placeholder value after it adds none.
template <fixed_string Text>
struct money_literal {
 private:
  static constexpr money::read r = money::read_text(Text.view());

  static consteval money checked() {
    if constexpr (r.status == money::read_status::malformed) {
      return diagnostic::money_literal_malformed<Text>::value ? money{} : money{};
    } else if constexpr (r.status == money::read_status::too_many_digits) {
      return diagnostic::money_literal_too_many_digits<Text>::value ? money{} : money{};
    } else {
      return money(r.units, r.scale);
    }
  }

 public:
  static constexpr money value = checked();
};

}  // namespace detail

// A money constant, checked while compiling: "19.99"_money is money::parse("19.99") without the
// result<> to unwrap, usable in constant expressions (constexpr prices, static_assert), and a
// text parse would refuse ("1,99", "1e3", "012") does not compile. Same spelling and same
// scale as parse: "10.00"_money prints back as "10.00".
//
//   using namespace syncline::literals;
//   constexpr syncline::money shipping = "4.95"_money;
inline namespace literals {

template <fixed_string Text>
consteval money operator""_money() {
  return detail::money_literal<Text>::value;
}

}  // namespace literals

}  // namespace syncline
