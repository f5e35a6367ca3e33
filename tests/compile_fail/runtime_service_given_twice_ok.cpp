// OK twin of runtime_service_given_twice.cpp: each service type is given once (a second ledger
// for another tenant goes to that tenant's install).
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
  (void)eng.install(shop_sync, syncline::tenant<shop::credentials>{"a"}, syncline::services(book));
  (void)eng.install(shop_sync, syncline::tenant<shop::credentials>{"b"}, syncline::services(audit));
}
