// OK twin of runtime_webhook_not_verifiable.cpp: shop::app identifies and verifies its deliveries.
#include "runtime_setup.hpp"

constexpr auto pull =
    syncline::workflow<"pull_orders">(shop::webhook<"orders/create", order>{} | save_order{});
constexpr auto shop_sync = syncline::integration<"shop_sync", shop::app>(pull);

int main() { (void)eng.install(shop_sync, syncline::tenant<shop::credentials>{"a"}); }
