// OK twin of core_also_about_another_app.cpp: the copy goes to a destination about no app.
#include <syncline/blocks/also.hpp>
#include <syncline/blocks/to.hpp>
#include <syncline/core/integration.hpp>

#include "core_setup.hpp"

constexpr auto push = syncline::workflow<"push_orders">(
    syncline::app_event<"order.placed", order_placed>{} |
    syncline::also<"copy_to_log">(syncline::to<"log">([](const order_placed&) {})) |
    syncline::map<"to_contact">([](const order_placed& o) { return crm_contact{o.email}; }) |
    upsert_contact{});
constexpr auto crm_sync = syncline::integration<"crm_sync", crm::app>(push);

int main() {}
