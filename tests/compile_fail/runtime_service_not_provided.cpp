// expect: syncline: engine::install: a part of the integration needs a service that install was not given: add it to install.s syncline::services\(...\)
// names: service_not_provided<syncline::fixed_string<9>{"shop_sync"}, syncline::fixed_string<11>{"save_orders"}, 2, syncline::fixed_string<9>{"to_ledger"}, ledger>
// A destination that names the service it takes from its run context (using services =
// syncline::needs<ledger>), installed without one: the compiler, not the first run, says so.
// Twin: runtime_service_not_provided_ok.cpp.
#include <syncline/blocks/tap.hpp>

#include "runtime_setup.hpp"

struct ledger {
  void add(const order&) {}
};
struct to_ledger : syncline::destination {
  static constexpr std::string_view name = "to_ledger";
  using services = syncline::needs<ledger>;
  void operator()(const order& o, syncline::run_context& ctx) const {
    ctx.service<ledger>()->add(o);
  }
};

constexpr auto save_orders = syncline::workflow<"save_orders">(
    shop::webhook<"orders/create", order>{} | syncline::tap([](const order&) {}) | to_ledger{});
constexpr auto shop_sync = syncline::integration<"shop_sync", shop::app>(save_orders);

int main() { (void)eng.install(shop_sync, syncline::tenant<shop::credentials>{"a"}); }
