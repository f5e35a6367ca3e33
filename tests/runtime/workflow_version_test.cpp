// Two definitions of one workflow against one store (version.hpp): a run records the version of
// the workflow that queued it and runs with that version's blocks, whichever engine claims it.
// During a rolling deploy old and new binaries share the database; a new binary drains an old
// version's runs with the retired definition kept compiled in, or runs them as its own when it
// declares runs_from; without either, they wait for a binary that has their version.
#include <syncline/runtime/engine.hpp>
#include <syncline/store/sqlite_store.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "integrations.hpp"
#include "runtime_fixture.hpp"

using namespace runtime_test;
namespace st = syncline::store;

namespace {

// What each version does: version 2 adds a block before the destination, which keeps its name
// (and so its idempotency key: a run replayed across the deploy writes once).
syncline::result<void> save_as(std::string_view version, const order_placed& o,
                               syncline::run_context& ctx) {
  return ctx.service<sink>()->write(ctx, std::string(version) + " " + describe(o));
}

inline constexpr auto record_v1 = syncline::workflow<"record_orders">(
    syncline::app_event<"order.recorded", order_placed>{} |
    syncline::to<"save", syncline::needs<sink>>(
        [](const order_placed& o, syncline::run_context& ctx) { return save_as("v1", o, ctx); }));

inline constexpr auto record_v2 = syncline::workflow<"record_orders", syncline::version{2}>(
    syncline::app_event<"order.recorded", order_placed>{} |
    syncline::map<"tidy">([](order_placed o) {
      o.note += "!";
      return o;
    }) |
    syncline::to<"save", syncline::needs<sink>>(
        [](const order_placed& o, syncline::run_context& ctx) { return save_as("v2", o, ctx); }));

// Version 2 declared able to run version 1's runs (their payload is the same type).
inline constexpr auto record_v2_from_1 =
    syncline::workflow<"record_orders", syncline::version{.number = 2, .runs_from = 1}>(
        syncline::app_event<"order.recorded", order_placed>{} |
        syncline::to<"save", syncline::needs<sink>>(
            [](const order_placed& o, syncline::run_context& ctx) {
              return save_as("v2", o, ctx);
            }));

inline constexpr auto old_binary = syncline::integration<"recorder", fake::app>(record_v1);
inline constexpr auto new_binary = syncline::integration<"recorder", fake::app>(record_v2);
inline constexpr auto new_binary_draining =
    syncline::integration<"recorder", fake::app>(record_v2, record_v1);
inline constexpr auto new_binary_upgrading =
    syncline::integration<"recorder", fake::app>(record_v2_from_1);

// The live version is the highest: get<> finds it, and it is what new events start.
static_assert(decltype(new_binary_draining)::workflow_versions[0] == 2);
static_assert(
    std::remove_cvref_t<decltype(new_binary_draining.get<"record_orders">())>::version.number == 2);

syncline::engine_options on_file(const temp_dir& dir, log_capture& logs) {
  syncline::engine_options o;
  o.threads = 1;
  o.database = dir.file("shared.db");
  o.idle_poll = 20ms;
  o.log = logs.sink();
  return o;
}

auto acme() { return syncline::tenant{"acme", fake::credentials_for("acme")}; }

order_placed order(std::int64_t id) { return {id, "acme", "a@example.com", "n"}; }

// Runs an old binary queued and did not run (it was stopped mid-deploy): version 1's.
void queue_version_1_runs(const temp_dir& dir, int n) {
  auto s = st::sqlite_store::open(dir.file("shared.db"));
  REQUIRE(s);
  std::vector<st::new_run> runs;
  for (int i = 1; i <= n; ++i) {
    runs.push_back({.tenant = "acme",
                    .integration = "recorder",
                    .workflow = "record_orders",
                    .trigger = "order.recorded",
                    .payload = R"({"id":)" + std::to_string(i) +
                               R"(,"tenant":"acme","email":"a@example.com","note":"n"})",
                    .workflow_version = 1});
  }
  REQUIRE((*s)->enqueue(runs));
}

bool written(const sink& out, const std::string& what) {
  for (const auto& e : out.entries())
    if (e.payload == what) return true;
  return false;
}

}  // namespace

TEST_CASE("a rolling deploy: old and new binaries on one database each run their version's runs") {
  temp_dir dir;
  log_capture logs_old, logs_new;
  sink out;
  syncline::engine old_engine(on_file(dir, logs_old));
  syncline::engine new_engine(on_file(dir, logs_new));
  REQUIRE(old_engine.install(old_binary, acme(), syncline::services(out)));
  REQUIRE(new_engine.install(new_binary, acme(), syncline::services(out)));
  REQUIRE(old_engine.start());
  REQUIRE(new_engine.start());
  // Both executors claim from one queue; each event goes in through one of them.
  for (int i = 1; i <= 10; ++i) {
    REQUIRE(old_engine.emit("acme", "order.recorded", order(i)));
    REQUIRE(new_engine.emit("acme", "order.recorded", order(100 + i)));
  }
  REQUIRE(wait_until([&] { return out.size() == 20; }));
  old_engine.stop();
  new_engine.stop();
  for (int i = 1; i <= 10; ++i) {
    INFO("order " << i);
    CHECK(written(out, "v1 order " + std::to_string(i) + " for acme"));
    CHECK(written(out, "v2 order " + std::to_string(100 + i) + " for acme"));
  }
  auto runs = new_engine.durable_store()->query_runs({});
  REQUIRE(runs);
  int of_version[3] = {0, 0, 0};
  for (const auto& r : *runs) {
    CHECK(r.status == st::run_status::succeeded);
    REQUIRE(r.workflow_version <= 2);
    ++of_version[r.workflow_version];
  }
  CHECK(of_version[1] == 10);
  CHECK(of_version[2] == 10);
}

TEST_CASE(
    "runs of a version the binary lacks wait for one that has it, and are not dead-lettered") {
  temp_dir dir;
  log_capture logs;
  sink out;
  queue_version_1_runs(dir, 3);
  {
    syncline::engine eng(on_file(dir, logs));
    REQUIRE(eng.install(new_binary, acme(), syncline::services(out)));
    REQUIRE(eng.start());
    REQUIRE(eng.emit("acme", "order.recorded", order(7)));
    REQUIRE(wait_until([&] { return out.size() == 1; }));
    // Several idle claims later, version 1's runs are still queued, untouched.
    std::this_thread::sleep_for(200ms);
    auto counts = eng.durable_store()->counts();
    REQUIRE(counts);
    CHECK(counts->queued == 3);
    CHECK(counts->dead == 0);
    CHECK(out.size() == 1);
    CHECK(written(out, "v2 order 7 for acme"));
    eng.stop();
  }
  // The next deploy keeps version 1 compiled in: it drains them with version 1's blocks, while
  // new events start version 2 only (the retired definition's trigger starts nothing).
  syncline::engine eng(on_file(dir, logs));
  REQUIRE(eng.install(new_binary_draining, acme(), syncline::services(out)));
  REQUIRE(eng.start());
  REQUIRE(eng.emit("acme", "order.recorded", order(8)));
  REQUIRE(wait_until([&] { return out.size() == 5; }));
  eng.stop();
  for (int i = 1; i <= 3; ++i) CHECK(written(out, "v1 order " + std::to_string(i) + " for acme"));
  CHECK(written(out, "v2 order 8 for acme"));
  auto counts = eng.durable_store()->counts();
  REQUIRE(counts);
  CHECK(counts->succeeded == 5);
  CHECK(counts->unfinished() == 0);
}

TEST_CASE("a version that declares runs_from runs the older version's runs as its own") {
  temp_dir dir;
  log_capture logs;
  sink out;
  queue_version_1_runs(dir, 3);
  syncline::engine eng(on_file(dir, logs));
  REQUIRE(eng.install(new_binary_upgrading, acme(), syncline::services(out)));
  REQUIRE(eng.start());
  REQUIRE(eng.emit("acme", "order.recorded", order(9)));
  REQUIRE(wait_until([&] { return out.size() == 4; }));
  eng.stop();
  for (int i = 1; i <= 3; ++i) CHECK(written(out, "v2 order " + std::to_string(i) + " for acme"));
  CHECK(written(out, "v2 order 9 for acme"));
  auto runs = eng.durable_store()->query_runs({});
  REQUIRE(runs);
  REQUIRE(runs->size() == 4);
  CHECK(runs->front().workflow_version == 2);  // newest first: the event this binary queued
  CHECK(runs->back().workflow_version == 1);   // the old run keeps the version that queued it
}
