// The accepted form of core_workflow_about_another_app.cpp: Rule 3: every workflow of an
// integration is about its app (or your platform).
#include <syncline/blocks/filter.hpp>
#include <syncline/blocks/map.hpp>
#include <syncline/core/app_event.hpp>
#include <syncline/core/integration.hpp>
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
namespace crm {
struct app {
  static constexpr std::string_view name = "crm";
};
}  // namespace crm
namespace billing {
struct app {
  static constexpr std::string_view name = "billing";
};
}  // namespace billing
struct upsert_contact : syncline::destination {
  using app_type = crm::app;
  static constexpr std::string_view name = "upsert_contact";
  void operator()(const crm_contact&) const {}
};
struct create_invoice : syncline::destination {
  using app_type = billing::app;
  static constexpr std::string_view name = "create_invoice";
  void operator()(const order_placed&) const {}
};
constexpr auto push = syncline::workflow<"push_orders">(
    syncline::app_event<"order.placed", order_placed>{} |
    syncline::map<"to_contact">([](const order_placed& o) { return crm_contact{o.email}; }) |
    upsert_contact{});
constexpr auto invoices = syncline::workflow<"invoices">(
    syncline::app_event<"order.placed", order_placed>{} | create_invoice{});

constexpr auto crm_sync = syncline::integration<"crm_sync", crm::app>(push);
constexpr auto billing_sync = syncline::integration<"billing_sync", billing::app>(invoices);

int main() {}
