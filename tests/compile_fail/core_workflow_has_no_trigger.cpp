// expect: workflow_has_no_trigger<syncline::fixed_string<11>{"push_orders"}, syncline::map_block<.*syncline: workflow has no trigger
// Rule 9: a workflow starts with a trigger. Twin: core_workflow_has_no_trigger_ok.cpp.
#include <syncline/blocks/filter.hpp>
#include <syncline/blocks/map.hpp>
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

constexpr auto push = syncline::workflow<"push_orders">(
    syncline::map<"to_contact">([](const order_placed& o) { return crm_contact{o.email}; }) |
    upsert_contact{});

int main() {}
