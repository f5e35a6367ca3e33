// expect: syncline: destination does not accept the workflow\'s output
// names: destination_does_not_accept<syncline::fixed_string<11>{"push_orders"}, 1, syncline::fixed_string<14>{"upsert_contact"}, crm_contact, order_placed>
// Rule 2: the destination must accept the pipeline's output. Twin:
// core_destination_does_not_accept_ok.cpp.
#include "core_setup.hpp"

constexpr auto push = syncline::workflow<"push_orders">(
    syncline::app_event<"order.placed", order_placed>{} | upsert_contact{});

int main() {}
