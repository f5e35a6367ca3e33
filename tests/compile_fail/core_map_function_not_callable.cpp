// expect: syncline: map function is not callable with the input
// names: map_function_not_callable<syncline::fixed_string<11>{"push_orders"}, 2, syncline::fixed_string<10>{"to_contact"}, crm_contact, order_placed>
// Rule 7: a map function is callable with what the previous part produces. Twin:
// core_map_function_not_callable_ok.cpp.
#include "core_setup.hpp"

constexpr auto push = syncline::workflow<"push_orders">(
    syncline::app_event<"order.placed", order_placed>{} |
    syncline::filter<"has_email">([](const order_placed& o) { return !o.email.empty(); }) |
    syncline::map<"to_contact">([](const crm_contact& c) { return c; }) | upsert_contact{});

int main() {}
