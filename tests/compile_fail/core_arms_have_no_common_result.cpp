// expect: syncline: branch/route arms cannot produce a common result
// names: arms_have_no_common_result<syncline::fixed_string<11>{"push_orders"}, 1, syncline::fixed_string<7>{"has_vip"}, crm_contact, syncline::diagnostic::nothing>
// Rule 6: the arms of a branch must produce a common result. Twin:
// core_arms_have_no_common_result_ok.cpp.
#include <syncline/blocks/branch.hpp>

#include "core_setup.hpp"

constexpr auto push = syncline::workflow<"push_orders">(
    syncline::app_event<"order.placed", order_placed>{} |
    syncline::branch<"has_vip">(
        [](const order_placed& o) { return o.id > 100; },
        syncline::map([](const order_placed& o) { return crm_contact{o.email}; }),
        syncline::map([](const order_placed& o) { return crm_contact{o.email}; }) |
            upsert_contact{})  // this arm ends, the other goes on
    | upsert_contact{});

int main() {}
