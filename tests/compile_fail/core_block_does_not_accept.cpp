// expect: syncline: block does not accept the previous block\'s output
// names: block_does_not_accept<syncline::fixed_string<11>{"push_orders"}, 2, syncline::fixed_string<9>{"normalise"}, crm_contact, order_placed>
// Rule 1: a block must accept what the previous part produces. Twin:
// core_block_does_not_accept_ok.cpp.
#include "core_setup.hpp"

struct normalise {
  static constexpr std::string_view name = "normalise";
  crm_contact operator()(crm_contact c) const { return c; }
};

constexpr auto push = syncline::workflow<"push_orders">(
    syncline::app_event<"order.placed", order_placed>{} |
    syncline::filter<"has_email">([](const order_placed& o) { return !o.email.empty(); }) |
    normalise{}  // takes a crm_contact, gets an order_placed
    | upsert_contact{});

int main() {}
