// expect: syncline: a workflow's options are at most one error_policy and one syncline::version, after its name
// names: bad_workflow_options<syncline::fixed_string<11>{"push_orders"}, syncline::error_policy::handle, syncline::error_policy::propagate>
// Two error policies: which one holds? Twin: core_bad_workflow_options_ok.cpp.
#include "core_setup.hpp"

constexpr auto push = syncline::workflow<"push_orders", syncline::error_policy::handle,
                                         syncline::error_policy::propagate>(
    syncline::app_event<"order.placed", order_placed>{} |
    syncline::map<"to_contact">([](const order_placed& o) { return crm_contact{o.email}; }) |
    upsert_contact{});

int main() {}
