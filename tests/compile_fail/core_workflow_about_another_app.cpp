// expect: syncline: workflow in this integration is about another app
// names: workflow_about_another_app<syncline::fixed_string<8>{"crm_sync"}, syncline::fixed_string<8>{"invoices"}, 1, syncline::fixed_string<14>{"create_invoice"}, crm::app, billing::app>
// Rule 3: every workflow of an integration is about its app (or your platform). Twin:
// core_workflow_about_another_app_ok.cpp.
#include "core_integration_setup.hpp"

constexpr auto invoices = syncline::workflow<"invoices">(
    syncline::app_event<"order.placed", order_placed>{} | create_invoice{});

constexpr auto crm_sync = syncline::integration<"crm_sync", crm::app>(push, invoices);

int main() {}
