// expect: syncline: event name must be identifiers joined by \'.\'
// names: invalid_event_name<syncline::fixed_string<12>{"Order Placed"}>
// Rule 10: platform event names are identifiers joined by dots. Twin:
// core_invalid_event_name_ok.cpp.
#include "core_setup.hpp"

constexpr auto push = syncline::workflow<"push_orders">(
    syncline::app_event<"Order Placed", order_placed>{} |
    syncline::map<"to_contact">([](const order_placed& o) { return crm_contact{o.email}; }) |
    upsert_contact{});

int main() {}
