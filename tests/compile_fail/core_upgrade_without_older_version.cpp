// expect: syncline: a workflow's upgrades_from<Old>\(f\) converts the runs of older versions, but its version runs none
// names: upgrade_without_older_version<syncline::fixed_string<11>{"push_orders"}, 2, legacy_order>
// version{2} runs version 2's runs only: the conversion would never run. Twin:
// core_upgrade_without_older_version_ok.cpp.
#include "core_setup.hpp"

struct legacy_order {
  long id;
  std::string mail;
};

constexpr auto push =
    syncline::workflow<"push_orders", syncline::version{2}>(
        syncline::app_event<"order.placed", order_placed>{} |
        syncline::map<"to_contact">([](const order_placed& o) { return crm_contact{o.email}; }) |
        upsert_contact{})
        .upgrades_from<legacy_order>([](const legacy_order& o) {
          return order_placed{o.id, o.mail};
        });

int main() {}
