// OK twin of core_also_needs_a_destination.cpp: the arm ends in a destination.
#include <syncline/blocks/also.hpp>
#include <syncline/blocks/to.hpp>

#include "core_setup.hpp"

constexpr auto push = syncline::workflow<"push_orders">(
    syncline::app_event<"order.placed", order_placed>{} |
    syncline::also<"copy">(syncline::map([](const order_placed& o) { return o.email; }) |
                           syncline::to<"log">([](const std::string&) {})) |
    syncline::to<"save">([](const order_placed&) {}));

int main() {}
