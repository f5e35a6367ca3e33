// OK twin of core_no_such_workflow.cpp: it looks up "push_orders", which exists.
#include "core_integration_setup.hpp"

constexpr auto crm_sync = syncline::integration<"crm_sync", crm::app>(push);

constexpr auto found = crm_sync.get<"push_orders">();

int main() {}
