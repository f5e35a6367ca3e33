// OK twin of core_trigger_payload_mismatch.cpp: the trigger carries order_placed, as declared.
#include "core_setup.hpp"

template <>
struct syncline::event_payload<syncline::platform, "order.placed"> {
  using type = order_placed;
};

constexpr auto push = syncline::workflow<"push_orders">(
    syncline::app_event<"order.placed", order_placed>{} |
    syncline::map<"to_contact">([](const order_placed& o) { return crm_contact{o.email}; }) |
    upsert_contact{});

int main() {}
