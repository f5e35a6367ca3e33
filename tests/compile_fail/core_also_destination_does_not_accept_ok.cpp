// OK twin of core_also_destination_does_not_accept.cpp: an arm reshapes the copy first.
#include <syncline/blocks/also.hpp>
#include <syncline/blocks/to.hpp>

#include "core_setup.hpp"

constexpr auto push = syncline::workflow<"push_orders">(
    syncline::app_event<"order.placed", order_placed>{} |
    syncline::also<"copy_to_crm">(
        syncline::map([](const order_placed& o) { return crm_contact{o.email}; }) |
        upsert_contact{}) |
    syncline::to<"save">([](const order_placed&) {}));

int main() {}
