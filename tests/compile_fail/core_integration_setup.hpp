// What the core_* tests about integrations and their twins share, on top of core_setup.hpp: an
// ordinary workflow about crm::app that breaks no rule. Not in core_setup.hpp because declaring a
// workflow on "order.placed" fixes that event's payload, which core_trigger_payload_mismatch.cpp
// must be free to declare first. Not a test itself: the CMake glob takes *.cpp only.
#pragma once

#include <syncline/core/integration.hpp>

#include "core_setup.hpp"

constexpr auto push = syncline::workflow<"push_orders">(
    syncline::app_event<"order.placed", order_placed>{} |
    syncline::map<"to_contact">([](const order_placed& o) { return crm_contact{o.email}; }) |
    upsert_contact{});
