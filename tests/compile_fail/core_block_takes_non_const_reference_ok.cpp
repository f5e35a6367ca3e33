// OK twin of core_block_takes_non_const_reference.cpp: the block takes its input by value.
#include "core_setup.hpp"

struct normalise {
  static constexpr std::string_view name = "normalise";
  crm_contact operator()(order_placed o) const { return crm_contact{std::move(o.email)}; }
};

constexpr auto push = syncline::workflow<"push_orders">(
    syncline::app_event<"order.placed", order_placed>{} | normalise{} | upsert_contact{});

int main() {}
