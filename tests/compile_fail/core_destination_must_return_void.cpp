// expect: syncline: destination must return void, result<void> or awaitable<result<void>>
// names: destination_must_return_void<syncline::fixed_string<11>{"push_orders"}, 2, syncline::fixed_string<11>{"create_lead"}, long int>
// Rule 9: a destination produces nothing; a step that returns a value is an ordinary block. Twin:
// core_destination_must_return_void_ok.cpp.
#include "core_setup.hpp"

struct create_lead : syncline::destination {
  static constexpr std::string_view name = "create_lead";
  long operator()(const crm_contact&) const { return 42; }
};

constexpr auto push = syncline::workflow<"push_orders">(
    syncline::app_event<"order.placed", order_placed>{} |
    syncline::map<"to_contact">([](const order_placed& o) { return crm_contact{o.email}; }) |
    create_lead{});

int main() {}
