// expect: syncline: engine::install: a workflow's payload type must be mappable to JSON
// names: payload_not_storable<syncline::fixed_string<9>{"shop_sync"}, syncline::fixed_string<10>{"pull_notes"}, order_note>
// The run queue stores each run's payload as JSON: the payload must be described. Twin:
// runtime_payload_not_storable_ok.cpp.
#include "runtime_setup.hpp"

constexpr auto pull =
    syncline::workflow<"pull_notes">(shop::webhook<"orders/note", order_note>{} | save_note{});
constexpr auto shop_sync = syncline::integration<"shop_sync", shop::app>(pull);

int main() { (void)eng.install(shop_sync, syncline::tenant<shop::credentials>{"a"}); }
