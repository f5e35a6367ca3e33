// syncline::needs and services_needed_t: what a part, a workflow and an integration need from
// their run contexts, computed by the compiler (engine::install checks it against what it is
// given: runtime/engine_test.cpp, compile_fail/runtime_service_not_provided.cpp,
// runtime_lambda_service_not_provided.cpp and runtime_service_given_twice.cpp).
#include <syncline/blocks/also.hpp>
#include <syncline/blocks/branch.hpp>
#include <syncline/blocks/filter.hpp>
#include <syncline/blocks/map.hpp>
#include <syncline/blocks/recover.hpp>
#include <syncline/blocks/tap.hpp>
#include <syncline/blocks/to.hpp>
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

// Blocks written as lambdas say what they take from their context in their factory.
constexpr auto stamp = syncline::map<"stamp", syncline::needs<ledger>>(
    [](order o, syncline::run_context&) { return o; });
constexpr auto audit = syncline::tap<"audit", syncline::needs<mailer, const ledger>>(
    [](const order&, syncline::run_context&) {});
constexpr auto known = syncline::filter<"known", syncline::needs<crm_client>>(
    [](const order&, syncline::run_context&) { return true; });
constexpr auto park = syncline::recover<"park", syncline::needs<mailer>>(
    [](const syncline::error&, syncline::run_context&) { return order{}; });
constexpr auto save =
    syncline::to<"save", syncline::needs<ledger>>([](const order&, syncline::run_context&) {});
constexpr auto vip = syncline::branch<"vip", syncline::needs<crm_client>>(
    [](const order&, syncline::run_context&) { return true; }, to_mail{}, save);

TEST_CASE("a block made from a lambda needs what its factory names", "[needs]") {
  STATIC_REQUIRE(needs_exactly<std::remove_const_t<decltype(stamp)>, ledger>);
  STATIC_REQUIRE(needs_exactly<std::remove_const_t<decltype(audit)>, mailer, ledger>);
  STATIC_REQUIRE(needs_exactly<std::remove_const_t<decltype(known)>, crm_client>);
  STATIC_REQUIRE(needs_exactly<std::remove_const_t<decltype(park)>, mailer>);
  STATIC_REQUIRE(needs_exactly<std::remove_const_t<decltype(save)>, ledger>);
  // The predicate's services, then those of the arms.
  STATIC_REQUIRE(needs_exactly<std::remove_const_t<decltype(vip)>, crm_client, mailer, ledger>);
  // It is still that block: its name, kind and the checks of workflow<...>() are the block's.
  STATIC_REQUIRE(syncline::block_name<std::remove_const_t<decltype(stamp)>>() == "stamp");
  STATIC_REQUIRE(syncline::block_kind<std::remove_const_t<decltype(known)>>() == "filter");
  STATIC_REQUIRE(syncline::is_destination_v<decltype(save)>);
  STATIC_REQUIRE(std::is_empty_v<decltype(stamp)>);
  // Declaring nothing changes nothing: the factory returns the plain block.
  constexpr auto plain_map = syncline::map<"id">([](const order& o) { return o; });
  STATIC_REQUIRE(
      std::is_same_v<std::remove_const_t<decltype(plain_map)>,
                     syncline::map_block<"id", std::remove_const_t<decltype(plain_map.fn)>>>);

  constexpr auto stamped = syncline::workflow<"stamped">(placed{} | stamp | audit | known | vip);
  STATIC_REQUIRE(needs_exactly<std::remove_const_t<decltype(stamped)>, ledger, mailer, crm_client>);
  syncline::run_context ctx;
  ledger book;
  mailer post;
  crm_client crm;
  ctx.provide(book);
  ctx.provide(post);
  ctx.provide(crm);
  auto r = stamped.run_sync(order{7, "a@example.com"}, ctx);
  REQUIRE(r);
  CHECK(r->completed());
}

// A part whose type cannot be changed is given its declaration from outside.
struct third_party_sink : syncline::destination {
  static constexpr std::string_view name = "third_party_sink";
  void operator()(const order&, syncline::run_context&) const {}
};

}  // namespace needs_test

template <>
struct syncline::declared_services<needs_test::third_party_sink> {
  using type = syncline::needs<needs_test::mailer>;
};

namespace needs_test {

TEST_CASE("declared_services speaks for a part that cannot say it, nested or not", "[needs]") {
  STATIC_REQUIRE(needs_exactly<third_party_sink, mailer>);
  constexpr auto split = syncline::branch<"big">([](const order& o) { return o.id > 100; },
                                                 third_party_sink{}, to_crm{});
  STATIC_REQUIRE(needs_exactly<std::remove_const_t<decltype(split)>, mailer, crm_client, ledger>);
}

TEST_CASE("the first service a list repeats is found", "[needs]") {
  using syncline::detail::first_repeated_t;
  STATIC_REQUIRE(std::is_same_v<first_repeated_t<syncline::needs<ledger, mailer, ledger>>, ledger>);
  STATIC_REQUIRE(
      std::is_same_v<first_repeated_t<syncline::needs<mailer, ledger, ledger, mailer>>, ledger>);
  STATIC_REQUIRE(std::is_void_v<first_repeated_t<syncline::needs<ledger, mailer>>>);
  STATIC_REQUIRE(std::is_void_v<first_repeated_t<syncline::needs<>>>);
}

}  // namespace needs_test
