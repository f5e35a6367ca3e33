// expect: duplicate_workflow_name<syncline::fixed_string<8>{"crm_sync"}, syncline::fixed_string<11>{"push_orders"}>.*syncline: two workflows of this integration share a name
// Rule 4: workflow names are unique within an integration (they key runs and routes). Twin:
// core_duplicate_workflow_name_ok.cpp.
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

constexpr auto again = syncline::workflow<"push_orders">(
    syncline::app_event<"order.paid", order_placed>{} |
    syncline::map<"to_contact">([](const order_placed& o) { return crm_contact{o.email}; }) |
    upsert_contact{});
constexpr auto crm_sync = syncline::integration<"crm_sync", crm::app>(push, again);

int main() {}
