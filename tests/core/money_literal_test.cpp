// "19.99"_money: a money constant read while compiling. It must agree with money::parse on every
// text parse accepts (same units, same scale), and be usable where only constants are.
#include <syncline/core/money.hpp>

#include <catch2/catch.hpp>

#include <string_view>

namespace unity_core_money_literal_test {

namespace {

using syncline::money;
using namespace syncline::literals;

// A price list declared as constants: the reason the literal exists.
struct price_list {
  money espresso_cup = "12.50"_money;
  money shipping = "4.95"_money;
};

constexpr money free_shipping_from = "50.00"_money;

// Read at compile time: these lines are the test as much as the CHECKs below.
static_assert("19.99"_money.units() == 1999 && "19.99"_money.scale() == 2);
static_assert("10"_money.units() == 10 && "10"_money.scale() == 0);
static_assert("-0.5"_money.units() == -5 && "-0.5"_money.scale() == 1);
static_assert("10.0"_money == "10.00"_money);
static_assert("0.000000000000000001"_money.units() == 1);  // 18 digits after the point
static_assert("999999999999999999"_money.units() == 999'999'999'999'999'999);  // 18 digits
static_assert("49.99"_money < free_shipping_from);

// The literal is the constant form of parse: the same text gives the same amount and scale.
void check_same_as_parse(money literal, std::string_view text) {
  auto parsed = money::parse(text);
  REQUIRE(parsed);
  CHECK(literal.units() == parsed->units());
  CHECK(literal.scale() == parsed->scale());
  CHECK(literal.to_string() == text);
}

}  // namespace

TEST_CASE("a money literal is the amount money::parse reads from the same text", "[money]") {
  check_same_as_parse("199.65"_money, "199.65");
  check_same_as_parse("10.00"_money, "10.00");
  check_same_as_parse("0"_money, "0");
  check_same_as_parse("-3.10"_money, "-3.10");
  check_same_as_parse("0.000000000000000001"_money, "0.000000000000000001");
  check_same_as_parse("-999999999999999999"_money, "-999999999999999999");
  // "-0.00" is zero at scale 2 for both, and prints without the sign.
  CHECK("-0.00"_money.units() == 0);
  CHECK("-0.00"_money.to_string() == "0.00");
}

TEST_CASE("money constants take part in arithmetic like parsed amounts", "[money]") {
  const price_list prices;
  const money total = prices.espresso_cup * 2 + prices.shipping;
  CHECK(total == "29.95"_money);
  CHECK(total.to_string() == "29.95");
  CHECK(total < free_shipping_from);
}

}  // namespace unity_core_money_literal_test
