// Names, types and triggers: the compile-time vocabulary of a workflow, and the run context.
#include <syncline/core/app_event.hpp>
#include <syncline/core/fixed_string.hpp>
#include <syncline/core/manual.hpp>
#include <syncline/core/poll.hpp>
#include <syncline/core/run_context.hpp>
#include <syncline/core/schedule.hpp>
#include <syncline/core/type_name.hpp>
#include <syncline/core/webhook.hpp>

#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace shop {
struct order {};
struct app {
  static constexpr std::string_view name = "shop";
};
}  // namespace shop

namespace {
struct local_record {};
}  // namespace

using syncline::is_valid_name;
using syncline::name_kind;

TEST_CASE("fixed_string holds a literal as a template argument", "[names]") {
  constexpr syncline::fixed_string s = "push_orders";
  STATIC_REQUIRE(s.size() == 11);
  STATIC_REQUIRE(s.view() == "push_orders");
  STATIC_REQUIRE((s + syncline::fixed_string(".then")).view() == "push_orders.then");
  STATIC_REQUIRE(syncline::digits_of<0>().view() == "0");
  STATIC_REQUIRE(syncline::digits_of<1207>().view() == "1207");
  CHECK(std::string(s.c_str()) == "push_orders");
}

TEST_CASE("identifiers are lower snake case, at most 63 characters", "[names]") {
  STATIC_REQUIRE(is_valid_name(name_kind::identifier, "push_orders"));
  STATIC_REQUIRE(is_valid_name(name_kind::identifier, "a1"));
  STATIC_REQUIRE_FALSE(is_valid_name(name_kind::identifier, ""));
  STATIC_REQUIRE_FALSE(is_valid_name(name_kind::identifier, "Push_orders"));
  STATIC_REQUIRE_FALSE(is_valid_name(name_kind::identifier, "1st"));
  STATIC_REQUIRE_FALSE(is_valid_name(name_kind::identifier, "_private"));
  STATIC_REQUIRE_FALSE(is_valid_name(name_kind::identifier, "push-orders"));
  STATIC_REQUIRE_FALSE(is_valid_name(name_kind::identifier, "push orders"));
  STATIC_REQUIRE_FALSE(is_valid_name(name_kind::identifier, "order.placed"));
  STATIC_REQUIRE(is_valid_name(name_kind::identifier,
                               std::string_view("a23456789012345678901234567890123456789"
                                                "012345678901234567890123")));
  STATIC_REQUIRE_FALSE(is_valid_name(name_kind::identifier,
                                     std::string_view("a23456789012345678901234567890123456789"
                                                      "0123456789012345678901234")));
}

TEST_CASE("event names are dotted identifiers, topics slash-separated", "[names]") {
  STATIC_REQUIRE(is_valid_name(name_kind::event, "order.placed"));
  STATIC_REQUIRE(is_valid_name(name_kind::event, "invoice.payment_failed"));
  STATIC_REQUIRE(is_valid_name(name_kind::event, "ping"));
  STATIC_REQUIRE_FALSE(is_valid_name(name_kind::event, "order..placed"));
  STATIC_REQUIRE_FALSE(is_valid_name(name_kind::event, "order.placed."));
  STATIC_REQUIRE_FALSE(is_valid_name(name_kind::event, "Order.Placed"));
  STATIC_REQUIRE_FALSE(is_valid_name(name_kind::event, "orders/create"));

  STATIC_REQUIRE(is_valid_name(name_kind::topic, "orders/create"));
  STATIC_REQUIRE(is_valid_name(name_kind::topic, "customers/data_request"));
  STATIC_REQUIRE(is_valid_name(name_kind::topic, "app/uninstalled"));
  STATIC_REQUIRE(is_valid_name(name_kind::topic, "order-created"));
  STATIC_REQUIRE_FALSE(is_valid_name(name_kind::topic, "/orders/create"));
  STATIC_REQUIRE_FALSE(is_valid_name(name_kind::topic, "orders/"));
  STATIC_REQUIRE_FALSE(is_valid_name(name_kind::topic, "orders/-create"));
  STATIC_REQUIRE_FALSE(is_valid_name(name_kind::topic, "ORDERS/CREATE"));
}

TEST_CASE("type_name spells types as people write them", "[names]") {
  STATIC_REQUIRE(syncline::type_name<shop::order>() == "shop::order");
  STATIC_REQUIRE(syncline::type_name<int>() == "int");
  CHECK(syncline::type_name<std::string>() == "std::string");
  CHECK(syncline::type_name<std::string_view>() == "std::string_view");
  CHECK(syncline::type_name<std::vector<std::string>>() == "std::vector<std::string>");
  CHECK(syncline::type_name<std::variant<int, std::string>>() == "std::variant<int, std::string>");
  CHECK(syncline::type_name<std::vector<std::vector<shop::order>>>() ==
        "std::vector<std::vector<shop::order>>");
  CHECK(syncline::type_name<std::map<std::string, int>>().starts_with("std::map<std::string, int"));
  CHECK(syncline::type_name<local_record>() == "local_record");  // no "{anonymous}::"
}

TEST_CASE("cron expressions and intervals are parsed at compile time", "[schedule]") {
  constexpr auto nightly = syncline::parse_schedule("0 2 * * *");
  STATIC_REQUIRE(nightly.valid);
  STATIC_REQUIRE_FALSE(nightly.is_interval());
  STATIC_REQUIRE(nightly.matches(0, 2, 17, 6, 3));
  STATIC_REQUIRE_FALSE(nightly.matches(1, 2, 17, 6, 3));

  constexpr auto weekdays = syncline::parse_schedule("*/15 9-17 * * mon-fri");
  STATIC_REQUIRE(weekdays.matches(45, 17, 1, 1, 5));
  STATIC_REQUIRE_FALSE(weekdays.matches(50, 17, 1, 1, 5));
  STATIC_REQUIRE_FALSE(weekdays.matches(0, 9, 1, 1, 0));  // Sunday

  // Day of week 7 is Sunday; day-of-month and day-of-week restricted together mean "either".
  constexpr auto sundays_or_first = syncline::parse_schedule("0 0 1 * 7");
  STATIC_REQUIRE(sundays_or_first.matches(0, 0, 1, 3, 2));
  STATIC_REQUIRE(sundays_or_first.matches(0, 0, 9, 3, 0));
  STATIC_REQUIRE_FALSE(sundays_or_first.matches(0, 0, 9, 3, 1));

  STATIC_REQUIRE(syncline::parse_schedule("@every 1h30m").every_seconds == 5400);
  STATIC_REQUIRE(syncline::parse_schedule("@every 45s").every_seconds == 45);
  STATIC_REQUIRE(syncline::parse_schedule("@daily").matches(0, 0, 5, 5, 5));
  STATIC_REQUIRE(syncline::parse_schedule("0 0 1 JAN,jul *").matches(0, 0, 1, 7, 4));

  STATIC_REQUIRE_FALSE(syncline::parse_schedule("").valid);
  STATIC_REQUIRE_FALSE(syncline::parse_schedule("0 24 * * *").valid);
  STATIC_REQUIRE_FALSE(syncline::parse_schedule("60 * * * *").valid);
  STATIC_REQUIRE_FALSE(syncline::parse_schedule("* * * *").valid);
  STATIC_REQUIRE_FALSE(syncline::parse_schedule("* * * * * *").valid);
  STATIC_REQUIRE_FALSE(syncline::parse_schedule("5-1 * * * *").valid);
  STATIC_REQUIRE_FALSE(syncline::parse_schedule("*/0 * * * *").valid);
  STATIC_REQUIRE_FALSE(syncline::parse_schedule("0 0 0 * *").valid);
  STATIC_REQUIRE_FALSE(syncline::parse_schedule("@every").valid);
  STATIC_REQUIRE_FALSE(syncline::parse_schedule("@every 10").valid);
  STATIC_REQUIRE_FALSE(syncline::parse_schedule("@every 0s").valid);
  STATIC_REQUIRE_FALSE(syncline::parse_schedule("@every 5w").valid);
}

TEST_CASE("triggers say what they carry, where from and what they are called", "[triggers]") {
  using placed = syncline::app_event<"order.placed", shop::order>;
  STATIC_REQUIRE(syncline::trigger<placed>);
  STATIC_REQUIRE(placed::kind == syncline::trigger_kind::app_event);
  STATIC_REQUIRE(placed::name == "order.placed");
  STATIC_REQUIRE(std::is_same_v<placed::app_type, syncline::platform>);
  STATIC_REQUIRE(std::is_empty_v<placed>);

  using created = syncline::webhook<shop::app, "orders/create", shop::order>;
  STATIC_REQUIRE(syncline::trigger<created>);
  STATIC_REQUIRE(created::kind == syncline::trigger_kind::webhook);
  STATIC_REQUIRE(std::is_same_v<created::app_type, shop::app>);

  using polled = syncline::poll<shop::app, "open_orders", shop::order>;
  STATIC_REQUIRE(polled::kind == syncline::trigger_kind::poll);
  STATIC_REQUIRE(polled::spec.every_seconds == 300);

  using nightly = syncline::schedule<"nightly_report", "0 2 * * *">;
  STATIC_REQUIRE(nightly::kind == syncline::trigger_kind::schedule);
  STATIC_REQUIRE(std::is_same_v<nightly::payload_type, syncline::tick>);
  STATIC_REQUIRE(nightly::spec.matches(0, 2, 1, 1, 1));

  using by_hand = syncline::manual<shop::order>;
  STATIC_REQUIRE(by_hand::kind == syncline::trigger_kind::manual);
  STATIC_REQUIRE(by_hand::name == "manual");

  STATIC_REQUIRE_FALSE(syncline::trigger<shop::order>);
  CHECK(to_string(syncline::trigger_kind::poll) == "poll");
}

namespace {
struct http_client {
  int calls = 0;
};
struct credentials {
  std::string token;
};
}  // namespace

TEST_CASE("the run context hands out services by type", "[run_context]") {
  syncline::run_context ctx({.tenant = "shop-1", .run_id = "r-42", .integration = "crm_sync"});
  CHECK(ctx.service<http_client>() == nullptr);

  http_client client;
  credentials creds{"t"};
  ctx.provide(client);
  ctx.provide(creds);
  REQUIRE(ctx.service<http_client>() == &client);
  REQUIRE(ctx.service<credentials>() == &creds);

  http_client other;
  ctx.provide(other);  // the runtime may replace a service between runs
  CHECK(ctx.service<http_client>() == &other);
  CHECK(ctx.tenant() == "shop-1");
  CHECK(ctx.run_id() == "r-42");
  CHECK(ctx.integration() == "crm_sync");
  CHECK(ctx.attempt() == 1);
}

TEST_CASE("idempotency keys are stable per run and block, distinct per block and element",
          "[run_context]") {
  using access = syncline::detail::run_access;
  syncline::run_context first({.tenant = "shop-1", .run_id = "r-42", .integration = "crm_sync"});
  syncline::run_context retry(
      {.tenant = "shop-1", .run_id = "r-42", .integration = "crm_sync", .attempt = 2});
  access::begin(first, "push_orders");
  access::begin(retry, "push_orders");
  access::set_block(first, "to_crm");
  access::set_block(retry, "to_crm");
  CHECK(first.idempotency_key() == "shop-1/crm_sync/push_orders/r-42/to_crm");
  CHECK(first.idempotency_key() == retry.idempotency_key());

  access::set_block(first, "each_line");
  {
    syncline::detail::arm_scope element(first, {{}, 5});
    access::set_block(first, "normalise");
    CHECK(first.idempotency_key() == "shop-1/crm_sync/push_orders/r-42/each_line.5.normalise");
    access::set_block(first, "to_crm");
    CHECK(first.idempotency_key() == "shop-1/crm_sync/push_orders/r-42/each_line.5.to_crm");
    CHECK(first.key_depth() == 3);
    CHECK(first.key_path()[0].name == "each_line");
    CHECK(first.key_path()[1].name.empty());
    CHECK(first.key_path()[1].index == 5);
  }
  CHECK(first.idempotency_key() == "shop-1/crm_sync/push_orders/r-42/each_line");
  {
    syncline::detail::arm_scope arm(first, {"then"});
    access::set_block(first, "to_crm");
    CHECK(first.idempotency_key() == "shop-1/crm_sync/push_orders/r-42/each_line.then.to_crm");
  }

  syncline::run_context other_tenant(
      {.tenant = "shop-2", .run_id = "r-42", .integration = "crm_sync"});
  access::begin(other_tenant, "push_orders");
  access::set_block(other_tenant, "to_crm");
  CHECK(other_tenant.idempotency_key() != retry.idempotency_key());
}
