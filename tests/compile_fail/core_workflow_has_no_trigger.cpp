// expect: syncline: workflow has no trigger
// names: workflow_has_no_trigger<syncline::fixed_string<11>{"push_orders"}, syncline::map_block<
// Rule 9: a workflow starts with a trigger. Twin: core_workflow_has_no_trigger_ok.cpp.
#include "core_setup.hpp"

constexpr auto push = syncline::workflow<"push_orders">(
    syncline::map<"to_contact">([](const order_placed& o) { return crm_contact{o.email}; }) |
    upsert_contact{});

int main() {}
