// expect: syncline: workflow has no destination
// names: workflow_has_no_destination<syncline::fixed_string<11>{"push_orders"}, 1, syncline::fixed_string<10>{"to_contact"}, crm_contact>
// Rule 9: a workflow ends in a destination. Twin: core_workflow_has_no_destination_ok.cpp.
#include "core_setup.hpp"

constexpr auto push = syncline::workflow<"push_orders">(
    syncline::app_event<"order.placed", order_placed>{} |
    syncline::map<"to_contact">([](const order_placed& o) { return crm_contact{o.email}; }));

int main() {}
