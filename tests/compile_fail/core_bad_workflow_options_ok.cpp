// OK twin of core_bad_workflow_options.cpp: one error_policy and one version, in any order.
#include "core_setup.hpp"

constexpr auto push =
    syncline::workflow<"push_orders", syncline::version{3}, syncline::error_policy::propagate>(
        syncline::app_event<"order.placed", order_placed>{} |
        syncline::map<"to_contact">([](const order_placed& o) { return crm_contact{o.email}; }) |
        upsert_contact{});
static_assert(decltype(push)::version.number == 3);
static_assert(decltype(push)::policy == syncline::error_policy::propagate);

int main() {}
