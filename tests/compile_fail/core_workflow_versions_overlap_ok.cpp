// OK twin of core_workflow_versions_overlap.cpp: version 2 runs its own runs only, and the
// retired version 1 kept beside it drains version 1's.
#include <type_traits>

#include "core_integration_setup.hpp"

constexpr auto push_v2 = syncline::workflow<"push_orders", syncline::version{2}>(
    syncline::app_event<"order.placed", order_placed>{} |
    syncline::map<"to_contact">([](const order_placed& o) { return crm_contact{o.email}; }) |
    upsert_contact{});
constexpr auto crm_sync = syncline::integration<"crm_sync", crm::app>(push, push_v2);
static_assert(std::remove_cvref_t<decltype(crm_sync.get<"push_orders">())>::version.number == 2);

int main() {}
