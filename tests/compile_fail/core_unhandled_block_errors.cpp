// expect: unhandled_block_errors<syncline::fixed_string<14>{"nightly_export"}, 1, syncline::fixed_string<14>{"lookup_contact"}, crm_contact>.*syncline: block can fail and nothing handles its errors
// Rule 8: under error_policy::handle, every block that can fail (but the destination) has a recover
// block after it. Twin: core_unhandled_block_errors_ok.cpp.
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

constexpr auto nightly = syncline::workflow<"nightly_export", syncline::error_policy::handle>(
    syncline::app_event<"order.placed", order_placed>{} | lookup_contact{} | upsert_contact{});

int main() {}
