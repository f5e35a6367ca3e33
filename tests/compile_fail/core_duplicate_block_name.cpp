// expect: syncline: two blocks of one workflow or arm that take the run context share a name
// names: duplicate_block_name<syncline::fixed_string<11>{"push_orders"}, syncline::fixed_string<6>{"enrich"}, 1, 3, syncline::map_block<syncline::fixed_string<6>{"enrich"}, .*syncline::map_block<syncline::fixed_string<6>{"enrich"}
// A block's idempotency key ends with its name (not its position, so that inserting a block
// changes no other block's key): two blocks of one list that take the run context, and so may
// read the key, need two names. Twin: core_duplicate_block_name_ok.cpp.
#include <syncline/core/run_context.hpp>

#include "core_setup.hpp"

constexpr auto push = syncline::workflow<"push_orders">(
    syncline::app_event<"order.placed", order_placed>{} |
    syncline::map<"enrich">([](order_placed o, syncline::run_context&) { return o; }) |
    syncline::map<"to_contact">([](const order_placed& o) { return crm_contact{o.email}; }) |
    syncline::map<"enrich">([](crm_contact c, syncline::run_context&) { return c; }) |
    upsert_contact{});

int main() {}
