// OK twin of core_destination_must_return_void.cpp: create_lead returns result<void>.
#include "core_setup.hpp"

struct create_lead : syncline::destination {
  static constexpr std::string_view name = "create_lead";
  syncline::result<void> operator()(const crm_contact&) const { return {}; }
};

constexpr auto push = syncline::workflow<"push_orders">(
    syncline::app_event<"order.placed", order_placed>{} |
    syncline::map<"to_contact">([](const order_placed& o) { return crm_contact{o.email}; }) |
    create_lead{});

int main() {}
