// OK twin of core_upgrade_without_older_version.cpp: version 3 runs the runs of versions 1 and 2,
// and reads both as legacy_order.
#include "core_setup.hpp"

struct legacy_order {
  long id;
  std::string mail;
};

constexpr auto push =
    syncline::workflow<"push_orders", syncline::version{.number = 3, .runs_from = 1}>(
        syncline::app_event<"order.placed", order_placed>{} |
        syncline::map<"to_contact">([](const order_placed& o) { return crm_contact{o.email}; }) |
        upsert_contact{})
        .upgrades_from<legacy_order>([](const legacy_order& o) {
          return order_placed{o.id, o.mail};
        });

int main() {}
