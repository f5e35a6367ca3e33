// OK twin of core_money_literal_too_many_digits.cpp: 18 digits fit.
#include <syncline/core/money.hpp>

using namespace syncline::literals;

constexpr syncline::money price = "123456789012345678"_money;
static_assert(price.units() == 123456789012345678);

int main() {}
