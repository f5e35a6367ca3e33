// OK twin of core_predicate_must_return_bool.cpp: the predicate returns size() != 0, a bool.
#include "core_setup.hpp"

constexpr auto push = syncline::workflow<"push_orders">(
    syncline::app_event<"order.placed", order_placed>{} |
    syncline::filter<"has_email">([](const order_placed& o) { return o.email.size() != 0; }) |
    syncline::map<"to_contact">([](const order_placed& o) { return crm_contact{o.email}; }) |
    upsert_contact{});

int main() {}
