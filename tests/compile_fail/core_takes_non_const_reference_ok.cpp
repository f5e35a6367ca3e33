// OK twin of core_takes_non_const_reference.cpp: the map function takes const order_placed&.
#include "core_setup.hpp"

constexpr auto push = syncline::workflow<"push_orders">(
    syncline::app_event<"order.placed", order_placed>{} |
    syncline::filter<"has_email">([](const order_placed& o) { return !o.email.empty(); }) |
    syncline::map<"to_contact">([](const order_placed& o) { return crm_contact{o.email}; }) |
    upsert_contact{});

int main() {}
