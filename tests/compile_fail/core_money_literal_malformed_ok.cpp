// OK twin of core_money_literal_malformed.cpp: the amount is written "1.99".
#include <syncline/core/money.hpp>

using namespace syncline::literals;

constexpr syncline::money price = "1.99"_money;
static_assert(price.units() == 199);

int main() {}
