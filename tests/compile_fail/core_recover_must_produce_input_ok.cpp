// The accepted form of core_recover_must_produce_input.cpp: A recover handler makes a value of the
// type that flows where it stands.
#include <syncline/blocks/filter.hpp>
#include <syncline/blocks/map.hpp>
#include <syncline/blocks/recover.hpp>
#include <syncline/core/app_event.hpp>
#include <syncline/core/workflow.hpp>

#include <string>
#include <string_view>

struct order_placed {
  long id;
  std::string email;
};
struct crm_contact {
  std::string email;
};
struct upsert_contact : syncline::destination {
  static constexpr std::string_view name = "upsert_contact";
  void operator()(const crm_contact&) const {}
};
// Looks the customer up: can fail.
struct lookup_contact {
  static constexpr std::string_view name = "lookup_contact";
  syncline::result<crm_contact> operator()(const order_placed& o) const {
    if (o.email.empty()) return syncline::make_error(syncline::errc::not_found, "no email");
    return crm_contact{o.email};
  }
};

constexpr auto push = syncline::workflow<"push_orders">(
    syncline::app_event<"order.placed", order_placed>{} | lookup_contact{} |
    syncline::recover<"unknown">([](const syncline::error&) { return crm_contact{"unknown"}; }) |
    upsert_contact{});

int main() {}
