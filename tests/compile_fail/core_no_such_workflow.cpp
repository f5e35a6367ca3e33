// expect: syncline: the integration has no workflow of this name
// names: no_such_workflow<syncline::fixed_string<8>{"crm_sync"}, syncline::fixed_string<11>{"pull_orders"}>
// Looking a workflow up by name is checked by the compiler. Twin: core_no_such_workflow_ok.cpp.
#include "core_integration_setup.hpp"

constexpr auto crm_sync = syncline::integration<"crm_sync", crm::app>(push);

constexpr auto pull = crm_sync.get<"pull_orders">();

int main() {}
