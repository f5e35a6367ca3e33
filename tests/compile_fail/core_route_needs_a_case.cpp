// expect: syncline: a route needs at least one case
// names: route_needs_a_case<syncline::fixed_string<9>{"by_market"}>
// A route without cases would drop every record. Twin: core_route_needs_a_case_ok.cpp.
#include <syncline/blocks/route.hpp>

#include "core_setup.hpp"

constexpr auto push = syncline::workflow<"push_orders">(
    syncline::app_event<"order.placed", order_placed>{} |
    syncline::map<"to_contact">([](const order_placed& o) { return crm_contact{o.email}; }) |
    syncline::route<"by_market">() | upsert_contact{});

int main() {}
