// expect: syncline: engine::install: the tenant's credentials must be of the integration's app credentials type
// names: tenant_credentials_mismatch<syncline::fixed_string<9>{"shop_sync"}, shop::credentials, feed::credentials>
// A tenant of a shop integration holds shop::credentials. Twin:
// runtime_tenant_credentials_mismatch_ok.cpp.
#include "runtime_setup.hpp"

constexpr auto pull =
    syncline::workflow<"pull_orders">(shop::webhook<"orders/create", order>{} | save_order{});
constexpr auto shop_sync = syncline::integration<"shop_sync", shop::app>(pull);

int main() { (void)eng.install(shop_sync, syncline::tenant<feed::credentials>{"a"}); }
