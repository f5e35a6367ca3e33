// expect: syncline: recover handler must take const syncline::error& and return the block\'s input type
// names: recover_must_produce_input<syncline::fixed_string<11>{"push_orders"}, 2, syncline::fixed_string<7>{"unknown"}, crm_contact,
// A recover handler makes a value of the type that flows where it stands. Twin:
// core_recover_must_produce_input_ok.cpp.
#include <syncline/blocks/recover.hpp>

#include "core_setup.hpp"

constexpr auto push = syncline::workflow<"push_orders">(
    syncline::app_event<"order.placed", order_placed>{} | lookup_contact{} |
    syncline::recover<"unknown">([](const syncline::error&) {
      return order_placed{0, ""};
    }) |
    upsert_contact{});

int main() {}
