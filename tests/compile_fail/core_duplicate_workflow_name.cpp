// expect: syncline: two workflows of this integration share a name and would both run the runs of one version
// names: duplicate_workflow_name<syncline::fixed_string<8>{"crm_sync"}, syncline::fixed_string<11>{"push_orders"}, 1, 1>
// Rule 4: workflow names are unique within an integration (they key runs and routes), but for
// versions of one workflow (core_workflow_versions_overlap.cpp). Twin:
// core_duplicate_workflow_name_ok.cpp.
#include "core_integration_setup.hpp"

constexpr auto again = syncline::workflow<"push_orders">(
    syncline::app_event<"order.paid", order_placed>{} |
    syncline::map<"to_contact">([](const order_placed& o) { return crm_contact{o.email}; }) |
    upsert_contact{});
constexpr auto crm_sync = syncline::integration<"crm_sync", crm::app>(push, again);

int main() {}
