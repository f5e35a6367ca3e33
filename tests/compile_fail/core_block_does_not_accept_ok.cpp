// OK twin of core_block_does_not_accept.cpp: a map to crm_contact comes before normalise.
#include "core_setup.hpp"

struct normalise {
  static constexpr std::string_view name = "normalise";
  crm_contact operator()(crm_contact c) const { return c; }
};

constexpr auto push = syncline::workflow<"push_orders">(
    syncline::app_event<"order.placed", order_placed>{} |
    syncline::filter<"has_email">([](const order_placed& o) { return !o.email.empty(); }) |
    syncline::map<"to_contact">([](const order_placed& o) { return crm_contact{o.email}; }) |
    normalise{} | upsert_contact{});

int main() {}
