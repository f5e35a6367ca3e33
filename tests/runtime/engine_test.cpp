// The engine end to end over loopback HTTP: app events, the webhook endpoint (200 only after the
// commit, dedupe, 400/401/404), retries and dead letters, replay, backpressure, the seed's echo
// loop, the ends of a claim's runs written together, 100 tenants without cross-delivery, secrets
// kept out of logs and the run log, metrics, signed app events over HTTP, manual runs, polls and
// schedules.
#include <syncline/http/data_stream_signature.hpp>
#include <syncline/json/encode.hpp>
#include <syncline/runtime/engine.hpp>
#include <syncline/store/sqlite_store.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <set>
#include <sqlite3.h>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "integrations.hpp"
#include "runtime_fixture.hpp"

namespace unity_runtime_engine_test {

using namespace runtime_test;
namespace st = syncline::store;
using verb = boost::beast::http::verb;

namespace {

syncline::engine_options test_options(const temp_dir& dir, log_capture& logs) {
  syncline::engine_options o;
  o.threads = 2;
  o.database = dir.file("engine.db");
  o.listen = {"127.0.0.1", 0};
  o.idle_poll = 50ms;
  o.log = logs.sink();
  o.retry.initial_backoff = 5ms;
  o.retry.max_backoff = 20ms;
  return o;
}

bool has_status(syncline::engine& eng, std::int64_t id, st::run_status s) {
  auto r = eng.run(id);
  return r && r->status == s;
}

// Whether the executor has counted `n` ended runs in its completion batches. It counts a batch
// once the batch's commit has returned, just after the store counts those runs: a test that
// reads the metrics waits for this too, not only for the store's counts.
bool ends_counted(syncline::engine& eng, std::uint64_t n) {
  return eng.metrics().completed_in_batches() >= n;
}

order_placed order_for(const std::string& tenant, std::int64_t id) {
  return {id, tenant, "buyer" + std::to_string(id) + "@example.com", "note " + std::to_string(id)};
}

}  // namespace

TEST_CASE("an emitted app event is durable on return, runs once and is logged per block") {
  temp_dir dir;
  log_capture logs;
  sink out;
  fake_shop shop;
  syncline::engine eng(test_options(dir, logs));
  REQUIRE(eng.install(shop_sync, syncline::tenant{"acme", fake::credentials_for("acme")},
                      syncline::services(out, shop)));

  // Durable before the engine even runs: the run is in the queue.
  auto emitted = eng.emit("acme", "order.flaky", order_for("acme", 1));
  REQUIRE(emitted);
  REQUIRE(emitted->runs.size() == 1);
  const auto id = emitted->runs[0].run_id;
  CHECK(emitted->runs[0].workflow == "flaky_orders");
  CHECK(has_status(eng, id, st::run_status::queued));

  REQUIRE(eng.start());
  REQUIRE(wait_until([&] { return has_status(eng, id, st::run_status::succeeded); }));
  REQUIRE(out.size() == 1);
  CHECK(out.entries()[0].tenant == "acme");
  CHECK(out.entries()[0].payload == "order 1 for acme");
  // The idempotency key names tenant, integration, workflow, the run and the block.
  CHECK(out.entries()[0].key.starts_with("acme/shop_sync/flaky_orders/"));

  auto events = eng.block_events(id);
  REQUIRE(events);
  REQUIRE(events->size() == 1);
  CHECK((*events)[0].block == "flaky_destination");
  CHECK((*events)[0].position == 1);
  CHECK((*events)[0].outcome == "ok");
  CHECK((*events)[0].attempt == 1);

  auto by_workflow = eng.runs({.filter = {.workflow = "flaky_orders"}});
  REQUIRE(by_workflow);
  CHECK(by_workflow->size() == 1);

  // Events nobody listens to are a typo; events of a tenant without the workflow are not.
  auto typo = eng.emit("acme", "order.plcaed", order_for("acme", 2));
  REQUIRE_FALSE(typo);
  CHECK(typo.error().category == syncline::errc::not_found);
  auto other = eng.emit("nobody", "order.flaky", order_for("nobody", 3));
  REQUIRE(other);
  CHECK(other->runs.empty());
  // The payload type is the event's.
  auto wrong = eng.emit("acme", "order.flaky", shop_order{});
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().category == syncline::errc::invalid_input);
  eng.stop();
}

TEST_CASE(
    "the services given to install reach that installation's runs, and a reinstall "
    "replaces them") {
  temp_dir dir;
  log_capture logs;
  sink for_acme, for_bravo, replacement;
  fake_shop shop;
  syncline::engine eng(test_options(dir, logs));
  // flaky_destination names the sink it writes to (using services = syncline::needs<sink>):
  // without one, these installs would not compile (compile_fail/runtime_service_not_provided).
  REQUIRE(eng.install(shop_sync, syncline::tenant{"acme", fake::credentials_for("acme")},
                      syncline::services(for_acme, shop)));
  REQUIRE(eng.install(shop_sync, syncline::tenant{"bravo", fake::credentials_for("bravo")},
                      syncline::services(for_bravo, shop)));
  REQUIRE(eng.start());
  auto a = eng.emit("acme", "order.flaky", order_for("acme", 1));
  auto b = eng.emit("bravo", "order.flaky", order_for("bravo", 2));
  REQUIRE((a && b));
  REQUIRE(eng.wait_until_quiet(15s));
  REQUIRE(for_acme.size() == 1);
  CHECK(for_acme.entries()[0].payload == "order 1 for acme");
  REQUIRE(for_bravo.size() == 1);
  CHECK(for_bravo.entries()[0].payload == "order 2 for bravo");

  REQUIRE(eng.install(shop_sync, syncline::tenant{"acme", fake::credentials_for("acme")},
                      syncline::services(replacement, shop)));
  REQUIRE(eng.emit("acme", "order.flaky", order_for("acme", 3)));
  REQUIRE(eng.wait_until_quiet(15s));
  REQUIRE(replacement.size() == 1);
  CHECK(replacement.entries()[0].payload == "order 3 for acme");
  CHECK(for_acme.size() == 1);
  CHECK(for_bravo.size() == 1);
  eng.stop();
}

TEST_CASE("a block written as a lambda gets the services its factory declares") {
  // backfill ends in syncline::to<"save", syncline::needs<sink>>(lambda): install does not
  // compile without a sink (compile_fail/runtime_lambda_service_not_provided), and the run finds
  // the one given in its context (write_checked fails the run when it does not).
  using needs_of_backfill = syncline::services_needed_t<std::remove_const_t<decltype(backfill)>>;
  STATIC_REQUIRE(std::is_same_v<needs_of_backfill, syncline::needs<sink>>);
  temp_dir dir;
  log_capture logs;
  sink out;
  fake_shop shop;
  syncline::engine eng(test_options(dir, logs));
  REQUIRE(eng.install(shop_sync, syncline::tenant{"acme", fake::credentials_for("acme")},
                      syncline::services(out, shop)));
  REQUIRE(eng.start());
  auto manual = eng.run_manual("acme", "backfill", order_for("acme", 7));
  REQUIRE(manual);
  REQUIRE(manual->runs.size() == 1);
  const auto id = manual->runs[0].run_id;
  REQUIRE(wait_until([&] { return has_status(eng, id, st::run_status::succeeded); }));
  REQUIRE(out.size() == 1);
  CHECK(out.entries()[0].payload == "order 7 for acme");
  eng.stop();
}

TEST_CASE("install counts a service of a type the engine provides as given twice") {
  // compile_fail/runtime_service_given_twice shows the error for two ledgers; here the rule's
  // other half, on the list install checks: the engine's own services, then those given.
  using syncline::detail::given_twice_t;
  using creds = fake::credentials;
  STATIC_REQUIRE(std::is_void_v<given_twice_t<creds, syncline::needs<sink, fake_shop>>>);
  STATIC_REQUIRE(std::is_same_v<given_twice_t<creds, syncline::needs<sink, sink>>, sink>);
  STATIC_REQUIRE(std::is_same_v<given_twice_t<creds, syncline::needs<syncline::http::client>>,
                                syncline::http::client>);
  STATIC_REQUIRE(std::is_same_v<given_twice_t<creds, syncline::needs<creds>>, creds>);
  STATIC_REQUIRE(std::is_same_v<given_twice_t<creds, syncline::needs<syncline::tenant_settings>>,
                                syncline::tenant_settings>);
}

TEST_CASE("the webhook endpoint answers 200 only for durable runs and dedupes deliveries") {
  temp_dir dir;
  log_capture logs;
  sink out;
  fake_shop shop;
  syncline::engine eng(test_options(dir, logs));
  const auto creds = fake::credentials_for("acme");
  REQUIRE(eng.install(shop_sync, syncline::tenant{"acme", creds}, syncline::services(out, shop)));
  REQUIRE(eng.start());
  const std::string body = syncline::json::encode(
      shop_order{820982911946154508, "real@example.com", "from the admin", ""});

  auto first =
      deliver(eng.port(), "orders/create", creds.shop, "wh-1", body, creds.client_secret.reveal());
  REQUIRE(first.status == 200);
  CHECK(first.body.find("\"accepted\"") != std::string::npos);
  auto again =
      deliver(eng.port(), "orders/create", creds.shop, "wh-1", body, creds.client_secret.reveal());
  CHECK(again.status == 200);
  CHECK(again.body.find("\"duplicate\"") != std::string::npos);
  CHECK(again.body == std::string(first.body).replace(first.body.find("accepted"), 8, "duplicate"));

  REQUIRE(wait_until([&] { return out.size() == 1; }));
  auto runs = eng.runs({.filter = {.workflow = "pull_orders"}});
  REQUIRE(runs);
  CHECK(runs->size() == 1);

  SECTION("malformed, forged, unknown and unrouted deliveries are refused") {
    // No webhook id: 400.
    auto bad = request(eng.port(), verb::post, "/webhooks/fakeshop/orders/create", body,
                       {{"X-Fake-Shop", creds.shop}, {"X-Fake-Hmac", "x"}});
    CHECK(bad.status == 400);
    // Signed with another secret: 401.
    auto forged = deliver(eng.port(), "orders/create", creds.shop, "wh-2", body, "guessed");
    CHECK(forged.status == 401);
    // A shop that is not installed: 401 as well.
    auto unknown = deliver(eng.port(), "orders/create", "evil.fakeshop.test", "wh-3", body,
                           creds.client_secret.reveal());
    CHECK(unknown.status == 401);
    // A topic nobody listens to: 404.
    auto unrouted =
        deliver(eng.port(), "orders/paid", creds.shop, "wh-4", body, creds.client_secret.reveal());
    CHECK(unrouted.status == 404);
    CHECK(eng.metrics().rejected_count(syncline::rejection::unauthorized) == 2);
    CHECK(eng.metrics().rejected_count(syncline::rejection::bad_request) == 1);
    CHECK(out.size() == 1);
  }

  SECTION("app/uninstalled uninstalls the tenant") {
    auto bye = deliver(eng.port(), "app/uninstalled", creds.shop, "wh-bye", "{}",
                       creds.client_secret.reveal());
    CHECK(bye.status == 200);
    auto after = deliver(eng.port(), "orders/create", creds.shop, "wh-5", body,
                         creds.client_secret.reveal());
    CHECK(after.status == 401);
    auto emitted = eng.emit("acme", "order.flaky", order_for("acme", 9));
    REQUIRE(emitted);
    CHECK(emitted->runs.empty());
  }
  eng.stop();
}

TEST_CASE("failures are retried by the failing block's policy, then dead-lettered and replayed") {
  temp_dir dir;
  log_capture logs;
  sink out;
  fake_shop shop;
  syncline::engine eng(test_options(dir, logs));
  REQUIRE(eng.install(shop_sync, syncline::tenant{"acme", fake::credentials_for("acme")},
                      syncline::services(out, shop)));
  REQUIRE(eng.start());

  SECTION("a transient failure twice, then success: three attempts") {
    out.fail_next(2);
    auto e = eng.emit("acme", "order.flaky", order_for("acme", 1));
    REQUIRE(e);
    const auto id = e->runs[0].run_id;
    REQUIRE(wait_until([&] { return has_status(eng, id, st::run_status::succeeded); }));
    CHECK(eng.run(id)->attempts == 3);
    CHECK(out.calls() == 3);
    CHECK(out.size() == 1);
    auto events = eng.block_events(id);
    REQUIRE(events);
    REQUIRE(events->size() == 3);
    CHECK((*events)[0].outcome == "error");
    CHECK((*events)[0].error.find("destination is down") != std::string::npos);
    CHECK((*events)[2].outcome == "ok");
    CHECK((*events)[2].attempt == 3);
  }

  SECTION("failing past max_attempts dead-letters the run; replay runs it again, same key") {
    out.fail_next(3);  // the block allows 3 attempts
    auto e = eng.emit("acme", "order.flaky", order_for("acme", 2));
    REQUIRE(e);
    const auto id = e->runs[0].run_id;
    REQUIRE(wait_until([&] { return has_status(eng, id, st::run_status::dead); }));
    auto dead = eng.dead_letters();
    REQUIRE(dead);
    REQUIRE(dead->size() == 1);
    CHECK((*dead)[0].id == id);
    CHECK((*dead)[0].attempts == 3);
    CHECK((*dead)[0].last_error.find("destination is down") != std::string::npos);
    CHECK(out.size() == 0);

    REQUIRE(eng.replay(id));
    REQUIRE(wait_until([&] { return has_status(eng, id, st::run_status::succeeded); }));
    REQUIRE(out.size() == 1);
    CHECK(out.entries()[0].key.find("/flaky_orders/") != std::string::npos);
    CHECK(eng.dead_letters()->empty());
  }

  SECTION("a failure that will not pass dead-letters at once; replay_all brings all back") {
    out.fail_next(2, syncline::errc::invalid_input, "the app rejected the order");
    auto a = eng.emit("acme", "order.flaky", order_for("acme", 3));
    auto b = eng.emit("acme", "order.flaky", order_for("acme", 4));
    REQUIRE(a);
    REQUIRE(b);
    REQUIRE(wait_until([&] { return eng.dead_letters()->size() == 2; }));
    CHECK(eng.run(a->runs[0].run_id)->attempts == 1);
    auto replayed = eng.replay_all({.workflow = "flaky_orders"});
    REQUIRE(replayed);
    CHECK(*replayed == 2);
    REQUIRE(wait_until([&] { return out.size() == 2; }));
  }

  SECTION("a payload that does not decode is dead-lettered with the reason") {
    auto m = eng.run_manual_json("acme", "backfill", R"({"id":"not a number"})");
    REQUIRE_FALSE(m);  // refused at the door: the manual payload is checked before queueing
    CHECK(m.error().category == syncline::errc::decode);
  }
  eng.stop();
}

TEST_CASE("backpressure: past the queue bound webhooks get 503 + Retry-After, emit fails") {
  temp_dir dir;
  log_capture logs;
  sink out;
  fake_shop shop;
  auto options = test_options(dir, logs);
  options.store.max_unfinished_runs = 3;
  options.retry_after = std::chrono::seconds(7);
  syncline::engine eng(options);
  const auto creds = fake::credentials_for("acme");
  REQUIRE(eng.install(shop_sync, syncline::tenant{"acme", creds}, syncline::services(out, shop)));
  REQUIRE(eng.start());

  out.hold(true);  // runs start and wait: the queue stays full
  for (int i = 0; i < 3; ++i) REQUIRE(eng.emit("acme", "order.held", order_for("acme", i)));
  auto full = eng.emit("acme", "order.held", order_for("acme", 99));
  REQUIRE_FALSE(full);
  CHECK(full.error().category == syncline::errc::unavailable);

  const std::string body = syncline::json::encode(shop_order{1, "x@example.com", "n", ""});
  auto refused = deliver(eng.port(), "orders/create", creds.shop, "wh-full", body,
                         creds.client_secret.reveal());
  CHECK(refused.status == 503);
  CHECK(refused.retry_after == "7");
  CHECK(eng.metrics().rejected_count(syncline::rejection::queue_full) == 2);

  out.hold(false);
  REQUIRE(wait_until([&] { return out.size() == 3; }));
  REQUIRE(wait_until([&] { return eng.counts()->unfinished() == 0; }));
  // The refused delivery left no dedupe key: Shopify's redelivery is a new event.
  auto retried = deliver(eng.port(), "orders/create", creds.shop, "wh-full", body,
                         creds.client_secret.reveal());
  CHECK(retried.status == 200);
  CHECK(retried.body.find("\"accepted\"") != std::string::npos);
  eng.stop();
}

TEST_CASE("echo guard: an order workflow 1 created does not come back through workflow 2") {
  temp_dir dir;
  log_capture logs;
  sink out;
  fake_shop shop;
  syncline::engine eng(test_options(dir, logs));
  const auto creds = fake::credentials_for("acme");
  REQUIRE(eng.install(shop_sync, syncline::tenant{"acme", creds}, syncline::services(out, shop)));
  REQUIRE(eng.start());

  // Workflow 1: the platform's order.placed creates an order in fakeshop.
  auto placed = eng.emit("acme", "order.placed", order_for("acme", 41));
  REQUIRE(placed);
  REQUIRE(placed->runs.size() == 1);
  REQUIRE(wait_until([&] { return shop.orders().size() == 1; }));
  const shop_order created = shop.orders()[0];
  CHECK(created.source_identifier == "platform-41");

  // fakeshop sends orders/create for it: the echo. Workflow 2 skips it.
  auto echo = deliver(eng.port(), "orders/create", creds.shop, "wh-echo",
                      syncline::json::encode(created), creds.client_secret.reveal());
  REQUIRE(echo.status == 200);
  REQUIRE(wait_until([&] {
    auto r = eng.runs({.filter = {.workflow = "pull_orders"}, .status = st::run_status::skipped});
    return r && r->size() == 1;
  }));
  CHECK(out.size() == 0);
  auto skipped = eng.runs({.filter = {.workflow = "pull_orders"}});
  auto events = eng.block_events((*skipped)[0].id);
  REQUIRE(events);
  REQUIRE_FALSE(events->empty());
  CHECK(events->back().block == "skip_echo");
  CHECK(events->back().outcome == "skipped");

  // A real change to the same order (the merchant edited the note) passes.
  shop_order edited = created;
  edited.note = "gift wrap please";
  REQUIRE(deliver(eng.port(), "orders/create", creds.shop, "wh-edit",
                  syncline::json::encode(edited), creds.client_secret.reveal())
              .status == 200);
  // An order made in fakeshop's admin (no origin marker) passes.
  shop_order admin{5, "walk-in@example.com", "phone order", ""};
  REQUIRE(deliver(eng.port(), "orders/create", creds.shop, "wh-admin",
                  syncline::json::encode(admin), creds.client_secret.reveal())
              .status == 200);
  REQUIRE(wait_until([&] { return out.size() == 2; }));
  std::set<std::string> got;
  for (const auto& e : out.entries()) got.insert(e.payload);
  CHECK(got.contains("shop order platform-41 buyer41@example.com gift wrap please"));
  CHECK(got.contains("shop order  walk-in@example.com phone order"));
  eng.stop();
}

TEST_CASE("a run's end waits for other ends only while runs are working") {
  temp_dir dir;
  log_capture logs;
  sink out;
  fake_shop shop;
  // A minute: an end that waited for it would fail every wait below (15 s).
  auto options = test_options(dir, logs);
  options.completion_delay = std::chrono::minutes(1);
  syncline::engine eng(options);
  REQUIRE(eng.install(shop_sync, syncline::tenant{"acme", fake::credentials_for("acme")},
                      syncline::services(out, shop)));
  REQUIRE(eng.start());

  // Alone: once its workflow answered no run is working, so its end is written at once.
  auto one = eng.emit("acme", "order.flaky", order_for("acme", 1));
  REQUIRE(one);
  REQUIRE(
      wait_until([&] { return has_status(eng, one->runs[0].run_id, st::run_status::succeeded); }));

  // Many: ends gather while others work, and the last run to answer writes what waits.
  std::vector<std::int64_t> ids;
  for (int i = 2; i < 42; ++i) {
    auto r = eng.emit("acme", "order.flaky", order_for("acme", i));
    REQUIRE(r);
    ids.push_back(r->runs[0].run_id);
  }
  REQUIRE(wait_until([&] { return eng.counts()->unfinished() == 0; }));
  for (auto id : ids) CHECK(has_status(eng, id, st::run_status::succeeded));
  CHECK(out.size() == 41);
  REQUIRE(wait_until([&] { return ends_counted(eng, 41); }));
  const std::string metrics = eng.metrics_text();
  CHECK(metrics.find("\nsyncline_completion_batch_runs_total 41\n") != std::string::npos);
  eng.stop();
}

TEST_CASE("runs queued while workers are idle start at once, leased as they are queued") {
  temp_dir dir;
  log_capture logs;
  sink out;
  fake_shop shop;
  auto options = test_options(dir, logs);
  const bool at_once = GENERATE(true, false);
  options.lease_on_enqueue = at_once;
  options.workers = 2;
  options.claim_batch = 2;
  syncline::engine eng(options);
  REQUIRE(eng.install(shop_sync, syncline::tenant{"acme", fake::credentials_for("acme")},
                      syncline::services(out, shop)));
  REQUIRE(eng.start());
  // The first claim, at start, found no due run.
  REQUIRE(wait_until([&] { return eng.metrics().claims() >= 1; }));

  // Two workers idle: both runs are leased in the transaction that queues them, and wait at the
  // gate holding both workers.
  out.hold(true);
  for (int i = 1; i <= 2; ++i) REQUIRE(eng.emit("acme", "order.held", order_for("acme", i)));
  REQUIRE(
      wait_until([&] { return eng.metrics().leased_on_enqueue() + eng.metrics().claimed() == 2; }));
  CHECK(eng.metrics().leased_on_enqueue() == (at_once ? 2 : 0));
  // No worker free: these wait in the queue for claims, which take them fairly.
  for (int i = 3; i <= 6; ++i) REQUIRE(eng.emit("acme", "order.held", order_for("acme", i)));
  out.hold(false);
  REQUIRE(wait_until([&] { return eng.counts()->unfinished() == 0; }));
  CHECK(out.size() == 6);
  CHECK(eng.counts()->succeeded == 6);
  CHECK(eng.metrics().leased_on_enqueue() == (at_once ? 2 : 0));
  CHECK(eng.metrics().claimed() == (at_once ? 4 : 6));

  // Idle again once a claim comes back short: the next run starts at once again. The last runs'
  // ends can commit while a claim that still saw them leased is on its way (that claim comes back
  // short too, or full, which says nothing), so wait for a claim begun after all had ended: the
  // second to complete from here, as claims run one at a time (every idle_poll while idle).
  const auto claims_before = eng.metrics().claims();
  REQUIRE(wait_until([&] { return eng.metrics().claims() >= claims_before + 2; }));
  REQUIRE(eng.emit("acme", "order.flaky", order_for("acme", 7)));
  REQUIRE(wait_until([&] { return eng.counts()->succeeded == 7; }));
  CHECK(eng.metrics().leased_on_enqueue() == (at_once ? 3 : 0));
  const std::string metrics = eng.metrics_text();
  CHECK(metrics.find("\nsyncline_runs_leased_on_enqueue_total " + std::string(at_once ? "3" : "0") +
                     "\n") != std::string::npos);
  eng.stop();
}

TEST_CASE(
    "a run given back for a retry runs again when due, though nothing else wakes the engine") {
  temp_dir dir;
  log_capture logs;
  sink out;
  fake_shop shop;
  auto options = test_options(dir, logs);
  options.idle_poll = std::chrono::seconds(60);  // far beyond the waits below
  syncline::engine eng(options);
  REQUIRE(eng.install(shop_sync, syncline::tenant{"acme", fake::credentials_for("acme")},
                      syncline::services(out, shop)));
  REQUIRE(eng.start());
  REQUIRE(wait_until([&] { return eng.metrics().claims() >= 1; }));  // idle: runs are leased

  out.fail_next(2);  // the block's policy retries after 5-20 ms
  auto e = eng.emit("acme", "order.flaky", order_for("acme", 1));
  REQUIRE(e);
  REQUIRE(wait_until([&] { return has_status(eng, e->runs[0].run_id, st::run_status::succeeded); },
                     std::chrono::seconds(10)));
  CHECK(eng.run(e->runs[0].run_id)->attempts == 3);
  CHECK(eng.metrics().leased_on_enqueue() == 1);
  eng.stop();
}

TEST_CASE("a claim's runs that never wait end in one transaction, one that waits ends alone") {
  temp_dir dir;
  log_capture logs;
  sink out;
  fake_shop shop;
  // Queued before the engine starts, so that its first claim takes all eleven: one that waits at
  // the sink's gate (first, by id), then ten that never wait.
  {
    auto store = st::sqlite_store::open(dir.file("engine.db"));
    REQUIRE(store);
    std::vector<st::new_run> runs;
    runs.push_back({.tenant = "acme",
                    .integration = "shop_sync",
                    .workflow = "held_orders",
                    .trigger = "order.held",
                    .payload = syncline::json::encode(order_for("acme", 1))});
    for (int i = 2; i <= 11; ++i) {
      runs.push_back({.tenant = "acme",
                      .integration = "shop_sync",
                      .workflow = "flaky_orders",
                      .trigger = "order.flaky",
                      .payload = syncline::json::encode(order_for("acme", i))});
    }
    REQUIRE((*store)->enqueue(runs));
  }
  out.hold(true);
  auto options = test_options(dir, logs);
  options.completion_delay = std::chrono::microseconds::zero();  // no gathering across runs
  syncline::engine eng(options);
  REQUIRE(eng.install(shop_sync, syncline::tenant{"acme", fake::credentials_for("acme")},
                      syncline::services(out, shop)));
  REQUIRE(eng.start());
  const auto value_of = [&](std::string_view name) {
    const std::string metrics = eng.metrics_text();
    const auto at = metrics.find("\n" + std::string(name) + " ");
    return at == std::string::npos ? -1 : std::stol(metrics.substr(at + name.size() + 2));
  };

  // The ten are ended, together, while the held run still waits: its claim-mates' ends do not
  // wait for it.
  REQUIRE(wait_until([&] { return eng.counts()->succeeded == 10 && ends_counted(eng, 10); }));
  CHECK(out.entered() == 1);
  CHECK(eng.counts()->running == 1);
  CHECK(value_of("syncline_claimed_runs_total") == 11);
  CHECK(value_of("syncline_completion_batches_total") == 1);
  CHECK(value_of("syncline_completion_batch_runs_total") == 10);

  // Let go, it writes its own end.
  out.hold(false);
  REQUIRE(wait_until([&] { return eng.counts()->succeeded == 11 && ends_counted(eng, 11); }));
  CHECK(value_of("syncline_completion_batches_total") == 2);
  CHECK(value_of("syncline_completion_batch_runs_total") == 11);
  CHECK(out.size() == 11);
  eng.stop();
}

TEST_CASE("a run's end is written alone when the group commit it would join is full") {
  temp_dir dir;
  log_capture logs;
  sink out;
  fake_shop shop;
  auto options = test_options(dir, logs);
  options.level = syncline::log_level::debug;
  options.commit.max_pending = 1;
  options.completion_delay = std::chrono::microseconds::zero();
  syncline::engine eng(options);
  REQUIRE(eng.install(shop_sync, syncline::tenant{"acme", fake::credentials_for("acme")},
                      syncline::services(out, shop)));
  REQUIRE(eng.start());
  REQUIRE(wait_until([&] { return eng.metrics().claims() >= 1; }));  // idle: runs are leased
  const auto pending = [&] {
    return eng.metrics_text().find("\nsyncline_commit_pending 1\n") != std::string::npos;
  };

  // A run working, held at the sink.
  out.hold(true);
  auto first = eng.emit("acme", "order.held", order_for("acme", 1));
  REQUIRE(first);
  REQUIRE(wait_until([&] { return out.entered() == 1; }));

  // Another connection holds the write lock, so the next event's batch waits in the group
  // commit, which then holds its maximum (1 entry).
  sqlite3* holder = nullptr;
  REQUIRE(sqlite3_open(dir.file("engine.db").c_str(), &holder) == SQLITE_OK);
  REQUIRE(sqlite3_exec(holder, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);
  syncline::result<syncline::emit_receipt> second =
      syncline::make_error(syncline::errc::internal, "not answered");
  std::thread emitter([&] { second = eng.emit("acme", "order.flaky", order_for("acme", 2)); });
  REQUIRE(wait_until(pending));

  // The held run answers: its end cannot join that batch, and is written alone once the lock is
  // given back, after the batch.
  out.hold(false);
  REQUIRE(
      wait_until([&] { return logs.contains("run ends written in a transaction of their own"); }));
  REQUIRE(sqlite3_exec(holder, "ROLLBACK", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(holder);
  emitter.join();
  REQUIRE(second);
  REQUIRE(wait_until([&] { return eng.counts()->succeeded == 2; }));
  CHECK(has_status(eng, first->runs[0].run_id, st::run_status::succeeded));
  CHECK(has_status(eng, second->runs[0].run_id, st::run_status::succeeded));
  CHECK(out.size() == 2);
  eng.stop();
}

TEST_CASE("100 tenants: each run sees its own tenant's event and credentials only") {
  temp_dir dir;
  log_capture logs;
  sink out;
  fake_shop shop;
  auto options = test_options(dir, logs);
  options.workers = 8;
  syncline::engine eng(options);
  std::vector<std::string> tenants;
  for (int i = 0; i < 100; ++i) {
    tenants.push_back("t" + std::to_string(i));
    REQUIRE(eng.install(shop_sync,
                        syncline::tenant{tenants.back(), fake::credentials_for(tenants.back())},
                        syncline::services(out, shop)));
  }
  REQUIRE(eng.start());
  for (std::size_t i = 0; i < tenants.size(); ++i)
    REQUIRE(eng.emit(tenants[i], "order.flaky", order_for(tenants[i], static_cast<int>(i))));
  // Webhooks for a third of them, each signed with its own secret.
  for (std::size_t i = 0; i < tenants.size(); i += 3) {
    const auto c = fake::credentials_for(tenants[i]);
    const auto body = syncline::json::encode(
        shop_order{static_cast<std::int64_t>(i), tenants[i] + "@example.com", "n", ""});
    REQUIRE(deliver(eng.port(), "orders/create", c.shop, "wh-" + tenants[i], body,
                    c.client_secret.reveal())
                .status == 200);
  }
  // A delivery naming one shop but signed with another's secret is refused.
  const auto a = fake::credentials_for("t1"), b = fake::credentials_for("t2");
  CHECK(deliver(eng.port(), "orders/create", a.shop, "wh-cross", "{}", b.client_secret.reveal())
            .status == 401);

  const std::size_t expected = 100 + 34;
  REQUIRE(wait_until([&] { return eng.counts()->unfinished() == 0; }, 30s));
  CHECK(eng.dead_letters()->empty());  // write_checked fails any cross-tenant run
  REQUIRE(out.size() == expected);
  std::set<std::string> seen;
  for (const auto& e : out.entries()) {
    if (e.payload.starts_with("order ")) {
      CHECK(e.payload == "order " + e.tenant.substr(1) + " for " + e.tenant);
    } else {
      CHECK(e.payload.find(" " + e.tenant + "@example.com ") != std::string::npos);
    }
    CHECK(e.key.starts_with(e.tenant + "/shop_sync/"));
    seen.insert(e.tenant);
  }
  CHECK(seen.size() == 100);
  eng.stop();
}

TEST_CASE("secrets never reach the log, the errors or the run log") {
  temp_dir dir;
  log_capture logs;
  sink out;
  fake_shop shop;
  syncline::engine eng(test_options(dir, logs));
  const auto creds = fake::credentials_for("acme");
  REQUIRE(eng.install(shop_sync, syncline::tenant{"acme", creds}, syncline::services(out, shop)));
  REQUIRE(eng.start());
  auto e = eng.emit("acme", "order.leaky", order_for("acme", 7));
  REQUIRE(e);
  const auto id = e->runs[0].run_id;
  REQUIRE(wait_until([&] { return has_status(eng, id, st::run_status::dead); }));
  const std::string token(creds.access_token.reveal());
  const std::string signing(creds.client_secret.reveal());

  auto run = eng.run(id);
  REQUIRE(run);
  CHECK(run->last_error.find("app refused token ***") != std::string::npos);
  CHECK(run->last_error.find(token) == std::string::npos);
  CHECK(run->last_error.find(signing) == std::string::npos);
  auto logged = eng.block_events(id);
  REQUIRE(logged);
  for (const auto& ev : *logged) {
    CHECK(ev.error.find(token) == std::string::npos);
    CHECK(ev.error.find(signing) == std::string::npos);
  }
  REQUIRE(logs.contains("run dead-lettered"));
  for (const auto& line : logs.lines()) {
    CHECK(line.find(token) == std::string::npos);
    CHECK(line.find(signing) == std::string::npos);
  }
  CHECK(logs.contains("app refused token ***"));
  CHECK(eng.metrics_text().find(token) == std::string::npos);
  eng.stop();
}

TEST_CASE("metrics and health over HTTP, app events over signed HTTP, manual runs") {
  temp_dir dir;
  log_capture logs;
  sink out;
  fake_shop shop;
  auto options = test_options(dir, logs);
  options.event_signing_secret = syncline::secret("platform-signing-secret-1");
  syncline::engine eng(options);
  REQUIRE(eng.install(shop_sync, syncline::tenant{"acme", fake::credentials_for("acme")},
                      syncline::services(out, shop)));
  REQUIRE(eng.start());

  const std::string body = syncline::json::encode(order_for("acme", 5));
  const std::string ts = syncline::data_stream::timestamp_value(std::chrono::system_clock::now());
  auto signed_post = [&](const std::string& b, const std::string& tenant, const std::string& sig) {
    return request(eng.port(), verb::post, "/events/order.flaky", b,
                   {{"X-Syncline-Tenant", tenant},
                    {"X-Syncline-Timestamp", ts},
                    {"X-Syncline-Signature", sig},
                    {"X-Syncline-Idempotency-Key", "evt-5"}});
  };
  const auto good = syncline::data_stream::sign(options.event_signing_secret, ts, body);
  auto ok = signed_post(body, "acme", good);
  CHECK(ok.status == 200);
  auto dup = signed_post(body, "acme", good);
  CHECK(dup.status == 200);
  CHECK(dup.body.find("duplicate") != std::string::npos);
  CHECK(signed_post(body, "acme", "v1=00").status == 401);
  CHECK(signed_post(body, "", good).status == 400);
  const std::string bad_body = R"({"id":"five"})";
  CHECK(signed_post(bad_body, "acme",
                    syncline::data_stream::sign(options.event_signing_secret, ts, bad_body))
            .status == 400);

  auto manual = eng.run_manual("acme", "backfill", order_for("acme", 6));
  REQUIRE(manual);
  REQUIRE(manual->runs.size() == 1);
  auto manual_json = eng.run_manual_json("acme", "shop_sync/backfill",
                                         syncline::json::encode(order_for("acme", 8)));
  REQUIRE(manual_json);
  REQUIRE(wait_until([&] { return out.size() == 3; }));
  // A run's row reaches the sink before its end is committed and counted: wait for the ends.
  REQUIRE(wait_until([&] { return eng.counts()->unfinished() == 0 && ends_counted(eng, 3); }));

  auto health = request(eng.port(), verb::get, "/healthz");
  CHECK(health.status == 200);
  auto metrics = request(eng.port(), verb::get, "/metrics");
  CHECK(metrics.status == 200);
  CHECK(metrics.content_type.starts_with("text/plain; version=0.0.4"));
  CHECK(metrics.body.find(
            "syncline_runs_succeeded_total{integration=\"shop_sync\",workflow=\"flaky_orders\"} "
            "1\n") != std::string::npos);
  CHECK(metrics.body.find("syncline_events_accepted_total{trigger=\"app_event\"} 1\n") !=
        std::string::npos);
  CHECK(metrics.body.find("syncline_events_duplicate_total{trigger=\"app_event\"} 1\n") !=
        std::string::npos);
  CHECK(metrics.body.find("syncline_events_accepted_total{trigger=\"manual\"} 2\n") !=
        std::string::npos);
  CHECK(metrics.body.find("# TYPE syncline_run_latency_seconds histogram") != std::string::npos);
  CHECK(metrics.body.find("syncline_queue_depth 0\n") != std::string::npos);
  // Every run was leased, by a claim or as it was queued: together they are at least the runs
  // that ended.
  const auto value_of = [&](std::string_view name) {
    const auto at = metrics.body.find("\n" + std::string(name) + " ");
    return at == std::string::npos ? -1 : std::stol(metrics.body.substr(at + name.size() + 2));
  };
  CHECK(value_of("syncline_claims_total") >= 1);
  CHECK(value_of("syncline_claimed_runs_total") +
            value_of("syncline_runs_leased_on_enqueue_total") >=
        value_of("syncline_completion_batch_runs_total"));
  CHECK(value_of("syncline_completion_batch_runs_total") >= 3);
  eng.stop();
}

TEST_CASE("poll: the cursor advances only with its runs, a failed page is fetched again") {
  temp_dir dir;
  log_capture logs;
  sink out;
  feed source;
  syncline::engine eng(test_options(dir, logs));
  REQUIRE(eng.install(feed_sync, syncline::tenant{"acme", fake::credentials_for("acme")},
                      syncline::services(out, source)));
  REQUIRE(eng.start());
  const st::cursor_key key{"acme", "feed_sync", "read_feed/feed"};

  // First poll: page "" is queued with cursor p1; page p1 fails: the cursor stays at p1, and
  // the next tick (1 s) fetches p1 again from the stored cursor (held here while we look).
  REQUIRE(wait_until([&] { return source.fetched().size() >= 3; }));
  CHECK(*eng.durable_store()->get_cursor(key) == std::optional<std::string>("p1"));
  REQUIRE(wait_until([&] { return out.size() == 2; }));
  source.release();
  REQUIRE(wait_until([&] { return out.size() == 4; }));
  REQUIRE(wait_until(
      [&] { return *eng.durable_store()->get_cursor(key) == std::optional<std::string>("p2"); }));
  auto fetched = source.fetched();
  CHECK(std::vector<std::string>(fetched.begin(), fetched.begin() + 3) ==
        std::vector<std::string>{"", "p1", "p1"});
  std::set<std::string> items;
  for (const auto& e : out.entries()) items.insert(e.payload);
  CHECK(items == std::set<std::string>{"item 1", "item 2", "item 3", "item 4"});
  CHECK(eng.metrics_text().find("syncline_poll_errors_total 1\n") != std::string::npos);
  eng.stop();
}

TEST_CASE("schedule: interval ticks run, and missed ticks follow the policy after a pause") {
  temp_dir dir;
  log_capture logs;
  sink out;
  const st::cursor_key key{"acme", "ticker", "heartbeat/every_second"};

  SECTION("ticks fire on whole seconds, one run each") {
    syncline::engine eng(test_options(dir, logs));
    REQUIRE(eng.install(ticker, syncline::tenant<>{"acme"}, syncline::services(out)));
    REQUIRE(eng.start());
    REQUIRE(wait_until([&] { return out.size() >= 2; }, 10s));
    eng.stop();
    auto entries = out.entries();
    std::set<std::string> ticks;
    for (const auto& e : entries) ticks.insert(e.payload);
    CHECK(ticks.size() == entries.size());  // no tick ran twice
  }

  SECTION("run_all catches up every missed tick; run_once only the latest") {
    const auto policy = GENERATE(syncline::missed_ticks::run_all, syncline::missed_ticks::run_once);
    auto options = test_options(dir, logs);
    options.missed = policy;
    using std::chrono::duration_cast;
    using std::chrono::seconds;
    // The engine last ran 5.5 s ago.
    const auto then = std::chrono::system_clock::now() - 5500ms;
    {
      auto db = st::sqlite_store::open(dir.file("engine.db"));
      REQUIRE(db);
      REQUIRE((*db)->set_cursor(
          {key, std::to_string(
                    duration_cast<std::chrono::nanoseconds>(then.time_since_epoch()).count())}));
    }
    syncline::engine eng(options);
    REQUIRE(eng.install(ticker, syncline::tenant<>{"acme"}, syncline::services(out)));
    const auto before = std::chrono::system_clock::now();
    const auto before_s = duration_cast<seconds>(before.time_since_epoch()).count();
    const auto then_s = duration_cast<seconds>(then.time_since_epoch()).count();
    REQUIRE(eng.start());
    auto tick_of = [](const sink::entry& e) { return std::stoll(e.payload); };
    // Wait for a tick after the start: the catch-up is done by then.
    REQUIRE(wait_until(
        [&] {
          for (const auto& e : out.entries())
            if (tick_of(e) > before_s) return true;
          return false;
        },
        10s));
    eng.stop();
    std::size_t missed = 0;
    for (const auto& e : out.entries())
      if (tick_of(e) <= before_s) ++missed;
    if (policy == syncline::missed_ticks::run_all) {
      CHECK(missed == static_cast<std::size_t>(before_s - then_s));
    } else {
      CHECK(missed <= 1);  // the latest missed tick only (0 if a second boundary fell in between)
    }
  }
}

}  // namespace unity_runtime_engine_test
