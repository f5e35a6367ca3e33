// OK twin of runtime_tenant_credentials_mismatch.cpp: the tenant holds the app's credentials.
#include "runtime_setup.hpp"

constexpr auto pull =
    syncline::workflow<"pull_orders">(shop::webhook<"orders/create", order>{} | save_order{});
constexpr auto shop_sync = syncline::integration<"shop_sync", shop::app>(pull);

int main() {
  (void)eng.install(shop_sync, syncline::tenant<shop::credentials>{"a", {"a.shop.test", "s"}});
}
