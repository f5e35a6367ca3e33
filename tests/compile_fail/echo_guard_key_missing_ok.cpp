// OK twin of echo_guard_key_missing.cpp: the keys name members that exist.
#include "echo_guard_setup.hpp"

// "id" and "source_identifier" are members of shop_order.
constexpr auto pull_orders = syncline::workflow<"pull_orders">(
    syncline::webhook<shop, "orders/create", shop_order>{} |
    syncline::skip_echo<"orders", syncline::member<"id">, syncline::member<"source_identifier">> |
    syncline::to<"save">([](const shop_order&) {}));

int main() { return 0; }
