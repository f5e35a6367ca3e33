// The accepted form of core_destination_must_return_void.cpp: Rule 9: a destination produces
// nothing; a step that returns a value is an ordinary block.
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
struct create_lead : syncline::destination {
  static constexpr std::string_view name = "create_lead";
  long operator()(const crm_contact&) const { return 42; }
};
struct create_lead_and_forget : syncline::destination {
  static constexpr std::string_view name = "create_lead";
  syncline::result<void> operator()(const crm_contact&) const { return {}; }
};

constexpr auto push = syncline::workflow<"push_orders">(
    syncline::app_event<"order.placed", order_placed>{} |
    syncline::map<"to_contact">([](const order_placed& o) { return crm_contact{o.email}; }) |
    create_lead_and_forget{});

int main() {}
