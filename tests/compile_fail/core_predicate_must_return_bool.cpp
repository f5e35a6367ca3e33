// expect: syncline: predicate of filter/branch/route must return bool
// names: predicate_must_return_bool<syncline::fixed_string<11>{"push_orders"}, 1, syncline::fixed_string<9>{"has_email"}, order_placed, long unsigned int>
// Rule 7: a filter predicate returns bool (not a count, not a pointer). Twin:
// core_predicate_must_return_bool_ok.cpp.
#include "core_setup.hpp"

constexpr auto push = syncline::workflow<"push_orders">(
    syncline::app_event<"order.placed", order_placed>{} |
    syncline::filter<"has_email">([](const order_placed& o) { return o.email.size(); }) |
    syncline::map<"to_contact">([](const order_placed& o) { return crm_contact{o.email}; }) |
    upsert_contact{});

int main() {}
