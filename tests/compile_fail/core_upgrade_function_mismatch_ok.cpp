// OK twin of core_upgrade_function_mismatch.cpp: the conversion makes version 2's payload, by
// value or as a result (which can refuse a payload it cannot convert).
#include "core_setup.hpp"

struct legacy_order {
  long id;
  std::string mail;
};

constexpr auto trigger_and_blocks =
    syncline::app_event<"order.placed", order_placed>{} |
    syncline::map<"to_contact">([](const order_placed& o) { return crm_contact{o.email}; }) |
    upsert_contact{};

constexpr auto push =
    syncline::workflow<"push_orders", syncline::version{.number = 2, .runs_from = 1}>(
        trigger_and_blocks)
        .upgrades_from<legacy_order>([](const legacy_order& o) {
          return order_placed{o.id, o.mail};
        });

constexpr auto push_checked =
    syncline::workflow<"push_orders", syncline::version{.number = 2, .runs_from = 1}>(
        trigger_and_blocks)
        .upgrades_from<legacy_order>([](legacy_order o) -> syncline::result<order_placed> {
          if (o.mail.empty()) return syncline::make_error(syncline::errc::invalid_input, "no mail");
          return order_placed{o.id, std::move(o.mail)};
        });

using upgrading = std::remove_cvref_t<decltype(push)>;
static_assert(std::is_same_v<upgrading::old_payload_type, legacy_order>);
static_assert(upgrading::version.runs(1) && upgrading::name == "push_orders");

int main() {}
