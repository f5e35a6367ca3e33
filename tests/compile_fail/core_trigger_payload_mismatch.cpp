// expect: syncline: trigger\'s payload type is not the type its event is declared to carry
// names: trigger_payload_mismatch<syncline::fixed_string<11>{"push_orders"}, syncline::fixed_string<12>{"order.placed"}, order_placed, crm_contact>
// Rule 5: a trigger carries the payload its event is declared to carry. Twin:
// core_trigger_payload_mismatch_ok.cpp.
#include "core_setup.hpp"

template <>
struct syncline::event_payload<syncline::platform, "order.placed"> {
  using type = order_placed;
};

constexpr auto push = syncline::workflow<"push_orders">(
    syncline::app_event<"order.placed", crm_contact>{} | upsert_contact{});

int main() {}
