// OK twin of core_workflow_about_another_app.cpp: billing's workflow is in its own integration.
#include "core_integration_setup.hpp"

constexpr auto invoices = syncline::workflow<"invoices">(
    syncline::app_event<"order.placed", order_placed>{} | create_invoice{});

constexpr auto crm_sync = syncline::integration<"crm_sync", crm::app>(push);
constexpr auto billing_sync = syncline::integration<"billing_sync", billing::app>(invoices);

int main() {}
