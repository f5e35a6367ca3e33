// OK twin of core_duplicate_block_name.cpp: the two blocks that take the run context have names
// of their own. (Blocks that do not take it have no key, and may share a name: two "map"s.)
#include <syncline/core/run_context.hpp>

#include "core_setup.hpp"

constexpr auto push = syncline::workflow<"push_orders">(
    syncline::app_event<"order.placed", order_placed>{} |
    syncline::map<"enrich_order">([](order_placed o, syncline::run_context&) { return o; }) |
    syncline::map([](order_placed o) { return o; }) |
    syncline::map([](const order_placed& o) { return crm_contact{o.email}; }) |
    syncline::map<"enrich_contact">([](crm_contact c, syncline::run_context&) { return c; }) |
    upsert_contact{});

int main() {}
