// shopify::reconcile_webhook_subscriptions against the emulator: the subscriptions an
// integration's webhook triggers need are created under the engine's public URL, a second call
// changes nothing, a topic no trigger needs any more is removed, a subscription to another URL is
// left alone, one that moved under the base URL is replaced, Shopify's userErrors name the shop
// and the topic, and the subscriptions made drive what the emulator delivers.
#include <syncline/blocks/to.hpp>
#include <syncline/connectors/shopify/webhook_subscriptions.hpp>
#include <syncline/core/integration.hpp>
#include <syncline/core/manual.hpp>
#include <syncline/core/workflow.hpp>
#include <syncline/http/server.hpp>

#include <algorithm>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "shopify/shopify_fixture.hpp"

namespace unity_shopify_webhook_subscriptions_test {

namespace {

using namespace shop_test;
using syncline::errc;
using strings = std::vector<std::string>;

void keep(const shopify::order&) {}

// Two workflows on orders/create (one topic, listed once), a workflow whose version 1 listened
// to orders/paid and whose live version 2 listens to orders/updated (a retired version starts no
// new event: orders/paid is not needed), a privacy topic, and a manual trigger (no topic).
inline constexpr auto orders_in = syncline::workflow<"orders_in">(
    shopify::webhook<"orders/create">{} | syncline::to<"keep_created">(keep));
inline constexpr auto orders_audit = syncline::workflow<"orders_audit">(
    shopify::webhook<"orders/create">{} | syncline::to<"audit_created">(keep));
inline constexpr auto changes_v1 = syncline::workflow<"order_changes">(
    shopify::webhook<"orders/paid">{} | syncline::to<"keep_paid">(keep));
inline constexpr auto changes_v2 = syncline::workflow<"order_changes", syncline::version{2}>(
    shopify::webhook<"orders/updated">{} | syncline::to<"keep_updated">(keep));
inline constexpr auto redactions = syncline::workflow<"redactions">(
    shopify::webhook<"customers/redact">{} |
    syncline::to<"erase">([](const shopify::customers_redact&) {}));
inline constexpr auto backfill = syncline::workflow<"backfill">(
    syncline::manual<shopify::order>{} | syncline::to<"keep_backfilled">(keep));
inline constexpr auto shop_sync = syncline::integration<"shop_sync", shopify::app>(
    orders_in, orders_audit, changes_v1, changes_v2, redactions, backfill);

constexpr auto topics = shopify::webhook_topics_of<decltype(shop_sync)>();
static_assert(topics.size() == 3);
static_assert(topics[0] == "customers/redact");
static_assert(topics[1] == "orders/create");
static_assert(topics[2] == "orders/updated");
inline constexpr auto no_webhooks = syncline::integration<"no_webhooks", shopify::app>(backfill);
static_assert(shopify::webhook_topics_of<decltype(no_webhooks)>().empty());

constexpr std::string_view base = "https://sync.example";

std::string callback(std::string_view topic, std::string_view at = base) {
  return std::string(at) + "/webhooks/shopify/" + std::string(topic);
}

// The acme subscriptions in the emulator, as "topic url", sorted.
strings subscriptions(fixture& f) {
  strings out;
  for (const auto& s : f.emu.subscriptions("acme")) out.push_back(s.topic + " " + s.address);
  std::sort(out.begin(), out.end());
  return out;
}

syncline::result<shopify::subscription_report> reconcile(fixture& f, shopify::admin_api& api,
                                                         const shopify::subscription_plan& plan) {
  return f.run([&] { return shopify::reconcile_webhook_subscriptions(api, plan); });
}

}  // namespace

TEST_CASE("topic_enum and topic_of_enum convert Shopify's WebhookSubscriptionTopic") {
  CHECK(shopify::topic_enum("orders/create") == "ORDERS_CREATE");
  CHECK(shopify::topic_enum("app/scopes_update") == "APP_SCOPES_UPDATE");
  CHECK(shopify::topic_of_enum("ORDERS_CREATE").value() == "orders/create");
  CHECK(shopify::topic_of_enum("APP_SCOPES_UPDATE").value() == "app/scopes_update");
  CHECK(shopify::topic_of_enum("DRAFT_ORDERS_UPDATE").value() == "draft_orders/update");
  auto unknown = shopify::topic_of_enum("ORDERS_EXPLODED");
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().category == errc::not_found);
  CHECK_THAT(unknown.error().message, Catch::Contains("ORDERS_EXPLODED"));
}

TEST_CASE("subscription_plan_for adds the uninstall notice to the integration's topics") {
  auto plan = shopify::subscription_plan_for<decltype(shop_sync)>(std::string(base));
  CHECK(plan.topics ==
        strings{"app/uninstalled", "customers/redact", "orders/create", "orders/updated"});
  CHECK(plan.callback_base == base);
  // Integrations of one shop share the engine's route: one plan holds the topics of all.
  auto both =
      shopify::subscription_plan_for<decltype(no_webhooks), decltype(shop_sync)>(std::string(base));
  CHECK(both.topics == plan.topics);
}

TEST_CASE("reconcile creates what is missing, then changes nothing, then removes what is dropped") {
  fixture f;
  shopify::admin_api api(f.client, f.acme, f.connector);
  auto plan = shopify::subscription_plan_for<decltype(shop_sync)>(std::string(base) + "/");

  auto first = reconcile(f, api, plan);
  REQUIRE(first);
  CHECK(first->created == strings{"app/uninstalled", "orders/create", "orders/updated"});
  CHECK(first->configured == strings{"customers/redact"});  // the app's configuration has it
  CHECK(first->removed.empty());
  CHECK(first->kept.empty());
  CHECK(subscriptions(f) == strings{"app/uninstalled " + callback("app/uninstalled"),
                                    "orders/create " + callback("orders/create"),
                                    "orders/updated " + callback("orders/updated")});
  CHECK(f.emu.subscriptions("bravo").empty());

  auto again = reconcile(f, api, plan);
  REQUIRE(again);
  CHECK(again->created.empty());
  CHECK(again->removed.empty());
  CHECK(again->replaced.empty());
  CHECK(again->kept == strings{"app/uninstalled", "orders/create", "orders/updated"});

  plan.topics.erase(std::find(plan.topics.begin(), plan.topics.end(), "orders/updated"));
  auto dropped = reconcile(f, api, plan);
  REQUIRE(dropped);
  CHECK(dropped->removed == strings{"orders/updated"});
  CHECK(dropped->created.empty());
  CHECK(subscriptions(f) == strings{"app/uninstalled " + callback("app/uninstalled"),
                                    "orders/create " + callback("orders/create")});

  // The old API versions name the callback callbackUrl; the outcome is the same.
  auto old_creds = f.acme;
  old_creds.api_version = "2025-07";
  shopify::admin_api old_api(f.client, old_creds, f.connector);
  plan.topics.push_back("orders/paid");
  auto old = reconcile(f, old_api, plan);
  REQUIRE(old);
  CHECK(old->created == strings{"orders/paid"});
  CHECK(old->kept == strings{"app/uninstalled", "orders/create"});
}

TEST_CASE("reconcile leaves other URLs alone and replaces a subscription that moved") {
  fixture f;
  shopify::admin_api api(f.client, f.acme, f.connector);
  // The application's own subscription, another host whose name starts like ours, and two of
  // syncline's under the base: orders/create at an older route, orders/cancelled not needed.
  REQUIRE(f.emu.subscribe("acme", "orders/create", "https://app.example/own-hooks"));
  REQUIRE(f.emu.subscribe("acme", "orders/updated", "https://sync.example.org/hooks"));
  REQUIRE(f.emu.subscribe("acme", "orders/create", std::string(base) + "/hooks/orders/create"));
  REQUIRE(f.emu.subscribe("acme", "orders/cancelled", callback("orders/cancelled")));

  auto r = reconcile(f, api, {{"orders/create"}, std::string(base)});
  REQUIRE(r);
  CHECK(r->replaced == strings{"orders/create"});
  CHECK(r->created.empty());
  CHECK(r->removed == strings{"orders/cancelled"});
  CHECK(subscriptions(f) == strings{"orders/create https://app.example/own-hooks",
                                    "orders/create " + callback("orders/create"),
                                    "orders/updated https://sync.example.org/hooks"});

  auto n = f.run([&] { return shopify::remove_webhook_subscriptions(api, std::string(base)); });
  REQUIRE(n);
  CHECK(*n == 1);
  CHECK(subscriptions(f) == strings{"orders/create https://app.example/own-hooks",
                                    "orders/updated https://sync.example.org/hooks"});
}

TEST_CASE("reconcile reads every page of the shop's subscriptions") {
  fixture f;
  shopify::admin_api api(f.client, f.acme, f.connector);
  for (int i = 0; i < 120; ++i)
    REQUIRE(f.emu.subscribe("acme", "orders/create", "https://app.example/" + std::to_string(i)));
  // Listed after the first hundred: found on the second page.
  REQUIRE(f.emu.subscribe("acme", "orders/paid", callback("orders/paid")));
  REQUIRE(f.emu.subscribe("acme", "orders/create", callback("orders/create")));

  auto r = reconcile(f, api, {{"orders/create"}, std::string(base)});
  REQUIRE(r);
  CHECK(r->kept == strings{"orders/create"});
  CHECK(r->created.empty());
  CHECK(r->removed == strings{"orders/paid"});
  CHECK(f.emu.subscriptions("acme").size() == 121);
}

TEST_CASE("Shopify's userErrors name the shop and the topic, and the other topics are reconciled") {
  fixture f;
  shopify::admin_api api(f.client, f.acme, f.connector);
  REQUIRE(f.emu.set_request_faults("acme", {.refuse_next_webhook_subscriptions = 1}));
  const shopify::subscription_plan plan{{"orders/create", "orders/updated"}, std::string(base)};

  auto refused = reconcile(f, api, plan);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().category == errc::invalid_input);
  const std::string& m = refused.error().message;
  CAPTURE(m);
  CHECK_THAT(m, Catch::Contains("acme.myshopify.com"));
  CHECK_THAT(m, Catch::Contains("orders/create (topic: You do not have permission"));
  CHECK_THAT(m, Catch::Contains("protected customer data"));
  CHECK_THAT(m, Catch::Contains("created orders/updated"));
  CHECK_THAT(m, !Catch::Contains(std::string(acme_token)));
  CHECK(subscriptions(f) == strings{"orders/updated " + callback("orders/updated")});

  // Nothing is lost: the next reconciliation makes the refused one.
  auto retried = reconcile(f, api, plan);
  REQUIRE(retried);
  CHECK(retried->created == strings{"orders/create"});
  CHECK(retried->kept == strings{"orders/updated"});
}

TEST_CASE("a refused replacement keeps the old subscription") {
  fixture f;
  shopify::admin_api api(f.client, f.acme, f.connector);
  REQUIRE(f.emu.subscribe("acme", "orders/create", std::string(base) + "/old/orders/create"));
  REQUIRE(f.emu.set_request_faults("acme", {.refuse_next_webhook_subscriptions = 1}));
  auto r = reconcile(f, api, {{"orders/create"}, std::string(base)});
  REQUIRE_FALSE(r);
  CHECK(subscriptions(f) == strings{"orders/create " + std::string(base) + "/old/orders/create"});
}

TEST_CASE("a bad plan is a clear error before anything is called") {
  fixture f;
  shopify::admin_api api(f.client, f.acme, f.connector);
  REQUIRE(f.emu.subscribe("acme", "orders/paid", callback("orders/paid")));
  REQUIRE(f.emu.set_request_faults("acme", {.fail_next = 1, .fail_status = 500}));
  for (std::string bad : {"", "sync.example", "ftp://sync.example",
                          "https://sync.example/?token=abc", "https://user:pw@sync.example"}) {
    CAPTURE(bad);
    auto r = reconcile(f, api, {{"orders/create"}, bad});
    REQUIRE_FALSE(r);
    CHECK(r.error().category == errc::invalid_input);
    CHECK_THAT(r.error().message, Catch::Contains("callback_base"));
    CHECK_THAT(r.error().message, Catch::Contains("acme.myshopify.com"));
    CHECK_THAT(r.error().message, !Catch::Contains("pw"));
  }
  for (std::string bad : {"ORDERS_CREATE", "orders", "orders/create/x", ""}) {
    CAPTURE(bad);
    auto r = reconcile(f, api, {{"orders/create", bad}, std::string(base)});
    REQUIRE_FALSE(r);
    CHECK(r.error().category == errc::invalid_input);
    CHECK_THAT(r.error().message, Catch::Contains("is not a webhook topic"));
  }
  // No request reached the shop: the injected failure is still pending, and nothing changed.
  CHECK(f.emu.request_faults_of("acme").value().fail_next == 1);
  CHECK(subscriptions(f) == strings{"orders/paid " + callback("orders/paid")});
}

TEST_CASE("a transport error is admin_api's, and a later call goes on") {
  shopify::connector_options quick;  // five attempts without waiting seconds between them
  quick.initial_backoff = 1ms;
  quick.max_backoff = 5ms;
  fixture f(shopify::plan_limits::standard(), quick);
  shopify::admin_api api(f.client, f.acme, f.connector);
  REQUIRE(f.emu.set_request_faults("acme", {.fail_next = 20, .fail_status = 503}));
  auto r = reconcile(f, api, {{"orders/create"}, std::string(base)});
  REQUIRE_FALSE(r);
  CHECK(r.error().category == errc::unavailable);
  CHECK_THAT(r.error().message, Catch::Contains("acme.myshopify.com"));
  REQUIRE(f.emu.set_request_faults("acme", {}));
  auto ok = reconcile(f, api, {{"orders/create"}, std::string(base)});
  REQUIRE(ok);
  CHECK(ok->created == strings{"orders/create"});
}

TEST_CASE("the subscriptions made deliver orders/create to the engine's route, signed") {
  fixture f;
  syncline::http::server receiver(f.threads.executor());
  std::mutex m;
  strings received;  // "topic source_identifier", verified ones only
  receiver.route(
      syncline::http::verb::post, "/webhooks/shopify/orders/create",
      [&](syncline::http::incoming& in) -> boost::asio::awaitable<syncline::http::response> {
        syncline::inbound_delivery d{[&in](std::string_view n) { return in.header(n); }, in.body()};
        auto id = shopify::app::identify(d);
        if (!id || !shopify::app::verify(d, f.acme)) co_return syncline::http::make_response(401);
        auto o = syncline::json::decode<shopify::order>(in.body());
        std::lock_guard lock(m);
        received.push_back(id->topic + " " + (o ? o->source_identifier.value_or("") : "?"));
        co_return syncline::http::make_response(200);
      });
  REQUIRE(receiver.listen());
  shopify::admin_api api(f.client, f.acme, f.connector);
  auto r = reconcile(f, api, {{"orders/create"}, receiver.url()});
  REQUIRE(r);
  REQUIRE(r->created == strings{"orders/create"});

  REQUIRE(f.emu.create_order(
      "acme", boost::json::object{
                  {"email", "a@example.com"},
                  {"source_identifier", "sub-1"},
                  {"line_items", boost::json::array{boost::json::object{
                                     {"title", "Mug"}, {"price", "1.00"}, {"quantity", 1}}}}}));
  CHECK(f.run([&] { return f.emu.settle(10s); }));
  receiver.stop();
  std::lock_guard lock(m);
  CHECK(received == strings{"orders/create sub-1"});
}

TEST_CASE("engines reconciling one shop at the same time both succeed, one subscription each") {
  fixture f;
  shopify::admin_api one(f.client, f.acme, f.connector), two(f.client, f.acme, f.connector);
  const shopify::subscription_plan plan{{"orders/create", "orders/paid", "orders/updated"},
                                        std::string(base)};
  using job =
      std::function<boost::asio::awaitable<syncline::result<shopify::subscription_report>>()>;
  for (int round = 0; round < 5; ++round) {
    REQUIRE(f.run([&] { return shopify::remove_webhook_subscriptions(one, std::string(base)); }));
    auto both = f.run_together(
        std::vector<job>{[&] { return shopify::reconcile_webhook_subscriptions(one, plan); },
                         [&] { return shopify::reconcile_webhook_subscriptions(two, plan); }});
    for (const auto& r : both) {
      CAPTURE(r ? std::string() : r.error().message);
      CHECK(r);
    }
    CHECK(subscriptions(f) == strings{"orders/create " + callback("orders/create"),
                                      "orders/paid " + callback("orders/paid"),
                                      "orders/updated " + callback("orders/updated")});
  }
}

}  // namespace unity_shopify_webhook_subscriptions_test
