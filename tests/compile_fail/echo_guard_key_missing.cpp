// expect: syncline: echo guard key
// names: echo_key_is_not_a_member<syncline::fixed_string<11>{"pull_orders"}, 1, syncline::fixed_string<6>{"orders"}, syncline::fixed_string<8>{"order_id"}, shop_order>
// The echo guard's key must name a member of the record type the guard receives. Twin:
// echo_guard_key_missing_ok.cpp.
#include "echo_guard_setup.hpp"

// "order_id" is not a member of shop_order (its key member is "id").
constexpr auto pull_orders =
    syncline::workflow<"pull_orders">(syncline::webhook<shop, "orders/create", shop_order>{} |
                                      syncline::skip_echo<"orders", syncline::member<"order_id">> |
                                      syncline::to<"save">([](const shop_order&) {}));

int main() { return 0; }
