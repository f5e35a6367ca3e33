// OK twin of runtime_lambda_service_not_provided.cpp: the ledger the lambda block names is given
// to install.
#include <syncline/blocks/map.hpp>

#include "runtime_setup.hpp"

struct ledger {
  long next() { return 1; }
};

constexpr auto save_orders = syncline::workflow<"save_orders">(
    shop::webhook<"orders/create", order>{} |
    syncline::map<"stamp", syncline::needs<ledger>>([](order o, syncline::run_context& ctx) {
      o.id = ctx.service<ledger>()->next();
      return o;
    }) |
    save_order{});
constexpr auto shop_sync = syncline::integration<"shop_sync", shop::app>(save_orders);

ledger book;

int main() {
  (void)eng.install(shop_sync, syncline::tenant<shop::credentials>{"a"}, syncline::services(book));
}
