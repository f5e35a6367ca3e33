// expect: destination_does_not_accept<syncline::fixed_string<11>{"push_orders"}, 1, syncline::fixed_string<14>{"upsert_contact"}, crm_contact, order_placed>.*syncline: destination does not accept the workflow\'s output
// Rule 2: the destination must accept the pipeline's output. Twin:
// core_destination_does_not_accept_ok.cpp.
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
    syncline::app_event<"order.placed", order_placed>{} | upsert_contact{});

int main() {}
