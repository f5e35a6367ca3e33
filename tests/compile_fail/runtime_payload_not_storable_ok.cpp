// OK twin of runtime_payload_not_storable.cpp: the payload is described.
#include "runtime_setup.hpp"

BOOST_DESCRIBE_STRUCT(order_note, (), (id, note))

constexpr auto pull =
    syncline::workflow<"pull_notes">(shop::webhook<"orders/note", order_note>{} | save_note{});
constexpr auto shop_sync = syncline::integration<"shop_sync", shop::app>(pull);

int main() { (void)eng.install(shop_sync, syncline::tenant<shop::credentials>{"a"}); }
