// expect: syncline: destination must be the last part of its workflow or arm
// names: destination_not_last<syncline::fixed_string<11>{"push_orders"}, 2, syncline::fixed_string<14>{"upsert_contact"}>
// Rule 9: a destination ends its workflow; nothing follows it. Twin:
// core_destination_not_last_ok.cpp.
#include <syncline/blocks/tap.hpp>

#include "core_setup.hpp"

constexpr auto push = syncline::workflow<"push_orders">(
    syncline::app_event<"order.placed", order_placed>{} |
    syncline::map<"to_contact">([](const order_placed& o) { return crm_contact{o.email}; }) |
    upsert_contact{} | syncline::tap<"log">([](const crm_contact&) {}));

int main() {}
