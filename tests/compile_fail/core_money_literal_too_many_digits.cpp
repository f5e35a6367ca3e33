// expect: syncline: "\.\.\."_money: more digits than money holds
// names: money_literal_too_many_digits<syncline::fixed_string<19>{"1234567890123456789"}>
// money holds at most 18 significant digits (so every amount fits in 64 bits exactly).
// Twin: core_money_literal_too_many_digits_ok.cpp.
#include <syncline/core/money.hpp>

using namespace syncline::literals;

constexpr syncline::money price = "1234567890123456789"_money;

int main() {}
