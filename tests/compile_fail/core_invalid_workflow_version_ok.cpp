// OK twin of core_invalid_workflow_version.cpp: version 3 runs the runs of versions 2 and 3.
#include "core_setup.hpp"

constexpr auto push =
    syncline::workflow<"push_orders", syncline::version{.number = 3, .runs_from = 2}>(
        syncline::app_event<"order.placed", order_placed>{} |
        syncline::map<"to_contact">([](const order_placed& o) { return crm_contact{o.email}; }) |
        upsert_contact{});
static_assert(decltype(push)::version.runs(2) && !decltype(push)::version.runs(1));

int main() {}
