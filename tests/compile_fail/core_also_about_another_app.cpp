// expect: syncline: workflow in this integration is about another app
// names: workflow_about_another_app<syncline::fixed_string<8>{"crm_sync"}, syncline::fixed_string<11>{"push_orders"}, 1, syncline::fixed_string<15>{"copy_to_billing"}, crm::app, billing::app>
// Rule 3 looks through also(...) at its destination's app. Twin:
// core_also_about_another_app_ok.cpp.
#include <syncline/blocks/also.hpp>
#include <syncline/blocks/to.hpp>
#include <syncline/core/integration.hpp>

#include "core_setup.hpp"

constexpr auto push = syncline::workflow<"push_orders">(
    syncline::app_event<"order.placed", order_placed>{} |
    syncline::also<"copy_to_billing">(create_invoice{}) |  // billing, in the crm integration
    syncline::map<"to_contact">([](const order_placed& o) { return crm_contact{o.email}; }) |
    upsert_contact{});
constexpr auto crm_sync = syncline::integration<"crm_sync", crm::app>(push);

int main() {}
