// expect: syncline: a workflow's upgrades_from<Old>\(f\) needs f to take the old payload
// names: upgrade_function_mismatch<syncline::fixed_string<11>{"push_orders"}, legacy_order, order_placed, crm_contact>
// Version 2 reads version 1's runs as legacy_order, but the conversion makes a crm_contact, not
// the order_placed version 2's trigger carries. Twin: core_upgrade_function_mismatch_ok.cpp.
#include "core_setup.hpp"

struct legacy_order {
  long id;
  std::string mail;
};

constexpr auto push =
    syncline::workflow<"push_orders", syncline::version{.number = 2, .runs_from = 1}>(
        syncline::app_event<"order.placed", order_placed>{} |
        syncline::map<"to_contact">([](const order_placed& o) { return crm_contact{o.email}; }) |
        upsert_contact{})
        .upgrades_from<legacy_order>([](const legacy_order& o) { return crm_contact{o.mail}; });

int main() {}
