// OK twin of core_workflow_has_no_destination.cpp: the workflow ends in upsert_contact.
#include "core_setup.hpp"

constexpr auto push = syncline::workflow<"push_orders">(
    syncline::app_event<"order.placed", order_placed>{} |
    syncline::map<"to_contact">([](const order_placed& o) { return crm_contact{o.email}; }) |
    upsert_contact{});

int main() {}
