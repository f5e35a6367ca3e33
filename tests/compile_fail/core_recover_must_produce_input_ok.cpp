// OK twin of core_recover_must_produce_input.cpp: the handler makes a crm_contact.
#include <syncline/blocks/recover.hpp>

#include "core_setup.hpp"

constexpr auto push = syncline::workflow<"push_orders">(
    syncline::app_event<"order.placed", order_placed>{} | lookup_contact{} |
    syncline::recover<"unknown">([](const syncline::error&) { return crm_contact{"unknown"}; }) |
    upsert_contact{});

int main() {}
