// expect: syncline: "\.\.\."_money: expected a decimal amount like "19\.99"
// names: money_literal_malformed<syncline::fixed_string<4>{"1,99"}>
// A money literal is read while compiling: a text money::parse refuses does not compile.
// Twin: core_money_literal_malformed_ok.cpp.
#include <syncline/core/money.hpp>

using namespace syncline::literals;

constexpr syncline::money price = "1,99"_money;

int main() {}
