// expect: syncline: a workflow's version number must be at least 1, and its runs_from
// names: invalid_workflow_version<syncline::fixed_string<11>{"push_orders"}, 2, 3>
// runs_from names a version newer than the workflow itself. Twin:
// core_invalid_workflow_version_ok.cpp.
#include "core_setup.hpp"

constexpr auto push =
    syncline::workflow<"push_orders", syncline::version{.number = 2, .runs_from = 3}>(
        syncline::app_event<"order.placed", order_placed>{} |
        syncline::map<"to_contact">([](const order_placed& o) { return crm_contact{o.email}; }) |
        upsert_contact{});

int main() {}
