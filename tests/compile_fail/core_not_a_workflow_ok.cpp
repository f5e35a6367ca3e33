// OK twin of core_not_a_workflow.cpp: the pipeline is wrapped in a named workflow.
#include <syncline/core/integration.hpp>

#include "core_setup.hpp"

constexpr auto body =
    syncline::app_event<"order.placed", order_placed>{} |
    syncline::map<"to_contact">([](const order_placed& o) { return crm_contact{o.email}; }) |
    upsert_contact{};

constexpr auto crm_sync =
    syncline::integration<"crm_sync", crm::app>(syncline::workflow<"push_orders">(body));

int main() {}
