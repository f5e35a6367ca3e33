// expect: syncline: name is not a valid identifier: \[a-z\]\[a-z0-9_\]\*
// names: invalid_identifier<syncline::fixed_string<8>{"workflow"}, syncline::fixed_string<11>{"Push Orders"}>
// Rule 10: workflow, integration, app, block, poll and schedule names are lower_snake_case
// identifiers. Twin: core_invalid_identifier_ok.cpp.
#include "core_setup.hpp"

constexpr auto push = syncline::workflow<"Push Orders">(
    syncline::app_event<"order.placed", order_placed>{} |
    syncline::map<"to_contact">([](const order_placed& o) { return crm_contact{o.email}; }) |
    upsert_contact{});

int main() {}
