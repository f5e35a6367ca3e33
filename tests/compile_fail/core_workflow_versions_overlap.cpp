// expect: syncline: two workflows of this integration share a name and would both run the runs of one version
// names: duplicate_workflow_name<syncline::fixed_string<8>{"crm_sync"}, syncline::fixed_string<11>{"push_orders"}, 1, 2>
// Rule 4 for versions: version 2 declares that it runs version 1's runs (runs_from = 1), and the
// retired version 1 is kept compiled in as well: a run of version 1 would have two definitions.
// Twin: core_workflow_versions_overlap_ok.cpp.
#include "core_integration_setup.hpp"

constexpr auto push_v2 =
    syncline::workflow<"push_orders", syncline::version{.number = 2, .runs_from = 1}>(
        syncline::app_event<"order.placed", order_placed>{} |
        syncline::map<"to_contact">([](const order_placed& o) { return crm_contact{o.email}; }) |
        upsert_contact{});
constexpr auto crm_sync = syncline::integration<"crm_sync", crm::app>(push, push_v2);

int main() {}
