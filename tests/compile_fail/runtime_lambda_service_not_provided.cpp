// expect: syncline: engine::install: a part of the integration needs a service that install was not given: add it to install.s syncline::services\(...\)
// names: service_not_provided<syncline::fixed_string<9>{"shop_sync"}, syncline::fixed_string<11>{"save_orders"}, 1, syncline::fixed_string<5>{"stamp"}, ledger>
// A block written as a lambda names the service it takes from its run context in its factory
// (map<"stamp", syncline::needs<ledger>>(...)), so install checks it like a type's `using
// services`: installed without a ledger, the compiler, not the first run, says so.
// Twin: runtime_lambda_service_not_provided_ok.cpp.
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

int main() { (void)eng.install(shop_sync, syncline::tenant<shop::credentials>{"a"}); }
