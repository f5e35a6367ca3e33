// The accepted form of core_invalid_event_name.cpp: Rule 10: platform event names are identifiers
// joined by dots.
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
    syncline::app_event<"order.placed", order_placed>{} |
    syncline::map<"to_contact">([](const order_placed& o) { return crm_contact{o.email}; }) |
    upsert_contact{});

int main() {}
