// expect: syncline: the function takes a non-const reference \(T&\), but each part passes its output on as a temporary
// names: takes_non_const_reference<syncline::fixed_string<11>{"push_orders"}, 2, syncline::fixed_string<10>{"to_contact"}, order_placed&>
// Rule 7: a map function that takes `T&` cannot bind the temporary the previous part hands over
// (Expected and Got would read as the same type, so it has its own rule). Twin:
// core_takes_non_const_reference_ok.cpp.
#include "core_setup.hpp"

constexpr auto push = syncline::workflow<"push_orders">(
    syncline::app_event<"order.placed", order_placed>{} |
    syncline::filter<"has_email">([](const order_placed& o) { return !o.email.empty(); }) |
    syncline::map<"to_contact">([](order_placed& o) { return crm_contact{o.email}; }) |
    upsert_contact{});

int main() {}
