// OK twin of core_destination_not_last.cpp: the tap comes before the destination.
#include <syncline/blocks/tap.hpp>

#include "core_setup.hpp"

constexpr auto push = syncline::workflow<"push_orders">(
    syncline::app_event<"order.placed", order_placed>{} |
    syncline::map<"to_contact">([](const order_placed& o) { return crm_contact{o.email}; }) |
    syncline::tap<"log">([](const crm_contact&) {}) | upsert_contact{});

int main() {}
