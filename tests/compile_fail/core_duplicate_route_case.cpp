// expect: syncline: two cases of a route share a name
// names: duplicate_route_case<syncline::fixed_string<11>{"push_orders"}, 2, syncline::fixed_string<9>{"by_market"}, syncline::fixed_string<2>{"eu"}>
// A block in a route's case has the idempotency key <route>.<case>.<block>: two cases of one name
// would give their blocks one key. Twin: core_duplicate_route_case_ok.cpp.
#include <syncline/blocks/route.hpp>

#include "core_setup.hpp"

constexpr auto push = syncline::workflow<"push_orders">(
    syncline::app_event<"order.placed", order_placed>{} |
    syncline::map<"to_contact">([](const order_placed& o) { return crm_contact{o.email}; }) |
    syncline::route<"by_market">(
        syncline::when<"eu">([](const crm_contact& c) { return c.email.ends_with(".eu"); },
                             syncline::pass),
        syncline::when<"eu">([](const crm_contact& c) { return c.email.ends_with(".de"); },
                             syncline::pass)) |
    upsert_contact{});

int main() {}
