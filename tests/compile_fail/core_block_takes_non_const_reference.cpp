// expect: syncline: the function takes a non-const reference \(T&\), but each part passes its output on as a temporary
// names: takes_non_const_reference<syncline::fixed_string<11>{"push_orders"}, 1, syncline::fixed_string<9>{"normalise"}, order_placed&>
// The same rule for a block's call operator. Twin: core_block_takes_non_const_reference_ok.cpp.
#include "core_setup.hpp"

struct normalise {
  static constexpr std::string_view name = "normalise";
  crm_contact operator()(order_placed& o) const { return crm_contact{o.email}; }
};

constexpr auto push = syncline::workflow<"push_orders">(
    syncline::app_event<"order.placed", order_placed>{} | normalise{} | upsert_contact{});

int main() {}
