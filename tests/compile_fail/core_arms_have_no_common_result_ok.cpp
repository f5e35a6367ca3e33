// OK twin of core_arms_have_no_common_result.cpp: both arms end in a crm_contact.
#include <syncline/blocks/branch.hpp>

#include "core_setup.hpp"

constexpr auto push = syncline::workflow<"push_orders">(
    syncline::app_event<"order.placed", order_placed>{} |
    syncline::branch<"has_vip">(
        [](const order_placed& o) { return o.id > 100; },
        syncline::map([](const order_placed& o) { return crm_contact{"vip+" + o.email}; }),
        syncline::map([](const order_placed& o) { return crm_contact{o.email}; })) |
    upsert_contact{});

int main() {}
