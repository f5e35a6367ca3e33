// OK twin of core_duplicate_workflow_name.cpp: the second workflow has a name of its own.
#include "core_integration_setup.hpp"

constexpr auto again = syncline::workflow<"push_paid_orders">(
    syncline::app_event<"order.paid", order_placed>{} |
    syncline::map<"to_contact">([](const order_placed& o) { return crm_contact{o.email}; }) |
    upsert_contact{});
constexpr auto crm_sync = syncline::integration<"crm_sync", crm::app>(push, again);

int main() {}
