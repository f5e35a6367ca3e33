// OK twin of core_duplicate_route_case.cpp: each case has its own name.
#include <syncline/blocks/route.hpp>

#include "core_setup.hpp"

constexpr auto push = syncline::workflow<"push_orders">(
    syncline::app_event<"order.placed", order_placed>{} |
    syncline::map<"to_contact">([](const order_placed& o) { return crm_contact{o.email}; }) |
    syncline::route<"by_market">(
        syncline::when<"eu">([](const crm_contact& c) { return c.email.ends_with(".eu"); },
                             syncline::pass),
        syncline::when<"de">([](const crm_contact& c) { return c.email.ends_with(".de"); },
                             syncline::pass)) |
    upsert_contact{});

int main() {}
