// syncline::needs and services_needed_t: what a part, a workflow and an integration need from
// their run contexts, computed by the compiler (engine::install checks it against what it is
// given; runtime/install_services_test.cpp and compile_fail/runtime_service_not_provided.cpp).
#include <syncline/blocks/also.hpp>
#include <syncline/blocks/branch.hpp>
#include <syncline/blocks/map.hpp>
#include <syncline/core/app_event.hpp>
#include <syncline/core/integration.hpp>
#include <syncline/core/needs.hpp>
#include <syncline/core/workflow.hpp>

#include <catch2/catch.hpp>

#include <string>
#include <string_view>
#include <type_traits>

namespace needs_test {

struct crm_client {};
struct ledger {};
struct mailer {};

struct order {
  long id = 0;
  std::string email;
};

using placed = syncline::app_event<"order.placed", order>;

struct to_crm : syncline::destination {
  static constexpr std::string_view name = "to_crm";
  using services = syncline::needs<crm_client, const ledger, crm_client>;
  void operator()(const order&, syncline::run_context&) const {}
};
struct to_mail : syncline::destination {
  static constexpr std::string_view name = "to_mail";
  using services = syncline::needs<mailer>;
  void operator()(const order&, syncline::run_context&) const {}
};
// A `services` that is not a needs<...> is someone else's, not a declaration.
struct to_nowhere : syncline::destination {
  static constexpr std::string_view name = "to_nowhere";
  using services = int;
  void operator()(const order&) const {}
};
// A block that needs a service of its own (a trigger or block may, not only destinations).
struct enrich {
  static constexpr std::string_view name = "enrich";
  using services = syncline::needs<ledger>;
  order operator()(order o, syncline::run_context&) const { return o; }
};

template <class X, class... S>
inline constexpr bool needs_exactly =
    std::is_same_v<syncline::services_needed_t<X>, syncline::needs<S...>>;

TEST_CASE("a part needs what it declares, each service once and without const", "[needs]") {
  STATIC_REQUIRE(needs_exactly<to_crm, crm_client, ledger>);
  STATIC_REQUIRE(needs_exactly<to_mail, mailer>);
  STATIC_REQUIRE(needs_exactly<placed>);
  STATIC_REQUIRE(needs_exactly<to_nowhere>);
  STATIC_REQUIRE(syncline::needs<crm_client, ledger>::size == 2);
}

TEST_CASE("a composite block needs what the parts of its arms need", "[needs]") {
  constexpr auto split =
      syncline::branch<"big">([](const order& o) { return o.id > 100; }, to_crm{}, to_mail{});
  STATIC_REQUIRE(needs_exactly<std::remove_const_t<decltype(split)>, crm_client, ledger, mailer>);
  constexpr auto copy = syncline::also<"copy">(to_mail{});
  STATIC_REQUIRE(needs_exactly<std::remove_const_t<decltype(copy)>, mailer>);
}

constexpr auto push = syncline::workflow<"push">(placed{} | enrich{} |
                                                 syncline::also<"notify">(to_mail{}) | to_crm{});
constexpr auto mail = syncline::workflow<"mail">(placed{} | to_mail{});
constexpr auto plain = syncline::workflow<"plain">(
    placed{} | syncline::map<"id">([](const order& o) { return o; }) | to_nowhere{});
constexpr auto crm_sync = syncline::integration<"crm_sync", syncline::platform>(push, mail, plain);

TEST_CASE("a workflow and an integration need the union of their parts' services", "[needs]") {
  // In order of first appearance: enrich's ledger, also's mailer, to_crm's crm_client.
  STATIC_REQUIRE(needs_exactly<std::remove_const_t<decltype(push)>, ledger, mailer, crm_client>);
  STATIC_REQUIRE(needs_exactly<std::remove_const_t<decltype(plain)>>);
  STATIC_REQUIRE(
      needs_exactly<std::remove_const_t<decltype(crm_sync)>, ledger, mailer, crm_client>);
  CHECK(syncline::services_needed_t<std::remove_const_t<decltype(crm_sync)>>::size == 3);
}

}  // namespace needs_test
