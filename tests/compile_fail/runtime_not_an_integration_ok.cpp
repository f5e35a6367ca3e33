// OK twin of runtime_not_an_integration.cpp: the workflow is installed inside its integration.
#include "runtime_setup.hpp"

constexpr auto pull =
    syncline::workflow<"pull_orders">(shop::webhook<"orders/create", order>{} | save_order{});
constexpr auto shop_sync = syncline::integration<"shop_sync", shop::app>(pull);

int main() { (void)eng.install(shop_sync, syncline::tenant<shop::credentials>{"a"}); }
