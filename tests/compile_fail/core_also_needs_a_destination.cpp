// expect: syncline: also\(...\) takes a destination, or a pipeline that ends in one
// names: also_needs_a_destination<syncline::fixed_string<11>{"push_orders"}, 1, syncline::fixed_string<4>{"copy"}, order_placed, syncline::map_block<
// also(d): d must be a destination or an arm ending in one. Twin:
// core_also_needs_a_destination_ok.cpp.
#include <syncline/blocks/also.hpp>
#include <syncline/blocks/to.hpp>

#include "core_setup.hpp"

constexpr auto push = syncline::workflow<"push_orders">(
    syncline::app_event<"order.placed", order_placed>{} |
    syncline::also<"copy">(syncline::map([](const order_placed& o) { return o.email; })) |
    syncline::to<"save">([](const order_placed&) {}));

int main() {}
