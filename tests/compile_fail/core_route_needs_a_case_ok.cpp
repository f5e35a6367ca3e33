// OK twin of core_route_needs_a_case.cpp: the route has a case and an otherwise.
#include <syncline/blocks/route.hpp>

#include "core_setup.hpp"

constexpr auto push = syncline::workflow<"push_orders">(
    syncline::app_event<"order.placed", order_placed>{} |
    syncline::map<"to_contact">([](const order_placed& o) { return crm_contact{o.email}; }) |
    syncline::route<"by_market">(
        syncline::when<"domestic">([](const crm_contact& c) { return c.email.ends_with(".de"); },
                                   syncline::map([](crm_contact c) { return c; })),
        syncline::otherwise(syncline::map([](crm_contact c) { return c; }))) |
    upsert_contact{});

int main() {}
