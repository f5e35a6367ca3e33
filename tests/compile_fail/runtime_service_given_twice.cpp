// expect: syncline: engine::install: two services of the same type, and a run gets only one: give each type once to syncline::services\(...\), and none the engine provides itself
// names: service_given_twice<syncline::fixed_string<9>{"shop_sync"}, ledger>
// Two ledgers given to one install: a run's context holds one service per type, so which of
// them to_ledger would write to is not what the code says. Twin:
// runtime_service_given_twice_ok.cpp.
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

constexpr auto save_orders =
    syncline::workflow<"save_orders">(shop::webhook<"orders/create", order>{} | to_ledger{});
constexpr auto shop_sync = syncline::integration<"shop_sync", shop::app>(save_orders);

ledger book, audit;

int main() {
  (void)eng.install(shop_sync, syncline::tenant<shop::credentials>{"a"},
                    syncline::services(book, audit));
}
