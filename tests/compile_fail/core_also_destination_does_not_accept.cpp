// expect: syncline: also's destination does not accept the value that reaches also
// names: also_destination_does_not_accept<syncline::fixed_string<11>{"push_orders"}, 1, syncline::fixed_string<11>{"copy_to_crm"}, syncline::fixed_string<14>{"upsert_contact"}, crm_contact, order_placed>
// also(d): d must accept the value also receives. Twin:
// core_also_destination_does_not_accept_ok.cpp.
#include <syncline/blocks/also.hpp>
#include <syncline/blocks/to.hpp>

#include "core_setup.hpp"

constexpr auto push =
    syncline::workflow<"push_orders">(syncline::app_event<"order.placed", order_placed>{} |
                                      syncline::also<"copy_to_crm">(upsert_contact{}) |
                                      syncline::to<"save">([](const order_placed&) {}));

int main() {}
