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

// A payload type that changed: version 1 of "record_bookings" carried the customer's whole name,
// version 2 carries it split, and says how a run version 1 queued becomes one of its own.
struct order_v1 {
  std::int64_t id = 0;
  std::string tenant;
  std::string customer;
};
BOOST_DESCRIBE_STRUCT(order_v1, (), (id, tenant, customer))
struct order_v2 {
  std::int64_t id = 0;
  std::string tenant;
  std::string first_name;
  std::string last_name;
};
BOOST_DESCRIBE_STRUCT(order_v2, (), (id, tenant, first_name, last_name))

syncline::result<order_v2> split_name(const order_v1& o) {
  const auto space = o.customer.find(' ');
  if (space == std::string::npos)
    return syncline::make_error(syncline::errc::invalid_input,
                                "no last name in \"" + o.customer + "\"");
  return order_v2{o.id, o.tenant, o.customer.substr(0, space), o.customer.substr(space + 1)};
}

inline constexpr auto book_v1 = syncline::workflow<"record_bookings">(
    syncline::app_event<"order.booked", order_v1>{} |
    syncline::to<"save", syncline::needs<sink>>([](const order_v1& o, syncline::run_context& ctx) {
      return ctx.service<sink>()->write(ctx, "v1 " + std::to_string(o.id) + " " + o.customer);
    }));

inline constexpr auto book_v2_blocks =
    syncline::app_event<"order.booked", order_v2>{} |
    syncline::to<"save", syncline::needs<sink>>([](const order_v2& o, syncline::run_context& ctx) {
      return ctx.service<sink>()->write(
          ctx, "v2 " + std::to_string(o.id) + " " + o.last_name + ", " + o.first_name);
    });

inline constexpr auto book_v2 =
    syncline::workflow<"record_bookings", syncline::version{.number = 2, .runs_from = 1}>(
        book_v2_blocks)
        .upgrades_from<order_v1>(split_name);

// runs_from without a conversion: version 1's runs are read as order_v2, which they are not.
inline constexpr auto book_v2_unconverted =
    syncline::workflow<"record_bookings", syncline::version{.number = 2, .runs_from = 1}>(
        book_v2_blocks);

inline constexpr auto old_booker = syncline::integration<"booker", fake::app>(book_v1);
inline constexpr auto new_booker = syncline::integration<"booker", fake::app>(book_v2);
inline constexpr auto new_booker_unconverted =
    syncline::integration<"booker", fake::app>(book_v2_unconverted);

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

// Version 1 of the booker queues one run per customer and stops before running any: the binary
// that had version 1 is gone when the new one starts.
void queue_bookings_by_version_1(const temp_dir& dir, const std::vector<std::string>& customers) {
  log_capture logs;
  sink out;
  syncline::engine old_engine(on_file(dir, logs));
  REQUIRE(old_engine.install(old_booker, acme(), syncline::services(out)));
  for (std::size_t i = 0; i < customers.size(); ++i)
    REQUIRE(old_engine.emit("acme", "order.booked",
                            order_v1{static_cast<std::int64_t>(i + 1), "acme", customers[i]}));
  old_engine.stop();
  CHECK(out.size() == 0);
}

// The dead-lettered runs' errors, oldest first.
std::vector<std::string> dead_letters(syncline::engine& eng) {
  auto runs = eng.durable_store()->query_runs({.status = st::run_status::dead});
  REQUIRE(runs);
  std::vector<std::string> out;
  for (auto it = runs->rbegin(); it != runs->rend(); ++it) out.push_back(it->last_error);
  return out;
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

TEST_CASE("upgrades_from converts the payload of each run an older version queued") {
  temp_dir dir;
  log_capture logs;
  sink out;
  std::vector<std::string> customers;
  for (int i = 1; i <= 10; ++i) customers.push_back("Ada" + std::to_string(i) + " Lovelace");
  queue_bookings_by_version_1(dir, customers);

  syncline::engine eng(on_file(dir, logs));
  REQUIRE(eng.install(new_booker, acme(), syncline::services(out)));
  REQUIRE(eng.start());
  REQUIRE(eng.emit("acme", "order.booked", order_v2{11, "acme", "Grace", "Hopper"}));
  REQUIRE(wait_until([&] { return out.size() == 11; }));
  eng.stop();
  for (int i = 1; i <= 10; ++i) {
    INFO("order " << i);
    CHECK(written(out, "v2 " + std::to_string(i) + " Lovelace, Ada" + std::to_string(i)));
  }
  CHECK(written(out, "v2 11 Hopper, Grace"));
  auto runs = eng.durable_store()->query_runs({});
  REQUIRE(runs);
  REQUIRE(runs->size() == 11);
  int queued_by_1 = 0;
  for (const auto& r : *runs) {
    CHECK(r.status == st::run_status::succeeded);
    if (r.workflow_version == 1) ++queued_by_1;
  }
  CHECK(queued_by_1 == 10);
}

TEST_CASE("a run whose upgrade fails, or whose payload is not the old type, is dead-lettered") {
  temp_dir dir;
  log_capture logs;
  sink out;
  queue_bookings_by_version_1(dir, {"Ada Lovelace", "Plato"});
  {
    // A payload version 1 never wrote: no customer.
    auto s = st::sqlite_store::open(dir.file("shared.db"));
    REQUIRE(s);
    const std::vector<st::new_run> runs{{.tenant = "acme",
                                         .integration = "booker",
                                         .workflow = "record_bookings",
                                         .trigger = "order.booked",
                                         .payload = R"({"id":3,"tenant":"acme"})",
                                         .workflow_version = 1}};
    REQUIRE((*s)->enqueue(runs));
  }
  syncline::engine eng(on_file(dir, logs));
  REQUIRE(eng.install(new_booker, acme(), syncline::services(out)));
  REQUIRE(eng.start());
  REQUIRE(eng.wait_until_quiet(10s));
  eng.stop();
  CHECK(out.size() == 1);
  CHECK(written(out, "v2 1 Lovelace, Ada"));
  const auto errors = dead_letters(eng);
  REQUIRE(errors.size() == 2);
  // Neither is retried: the same payload would fail the same way.
  CHECK_THAT(
      errors[0],
      Catch::Contains("a run of version 1 of workflow \"record_bookings\" could "
                      "not become a run of version 2") &&
          Catch::Contains("upgrades_from<order_v1> could not convert its payload to order_v2") &&
          Catch::Contains("no last name in \"Plato\""));
  CHECK_THAT(errors[1], Catch::Contains("(queued by version 1) does not decode as order_v1") &&
                            Catch::Contains("customer"));
  auto counts = eng.durable_store()->counts();
  REQUIRE(counts);
  CHECK(counts->succeeded == 1);
  CHECK(counts->dead == 2);
  CHECK(counts->unfinished() == 0);
}

TEST_CASE("runs_from without upgrades_from reads an older run's payload as the new type") {
  temp_dir dir;
  log_capture logs;
  sink out;
  queue_bookings_by_version_1(dir, {"Ada Lovelace"});
  syncline::engine eng(on_file(dir, logs));
  REQUIRE(eng.install(new_booker_unconverted, acme(), syncline::services(out)));
  REQUIRE(eng.start());
  REQUIRE(eng.wait_until_quiet(10s));
  eng.stop();
  // order_v1's JSON lacks order_v2's names: a decode error, dead-lettered at once.
  CHECK(out.size() == 0);
  const auto errors = dead_letters(eng);
  REQUIRE(errors.size() == 1);
  CHECK_THAT(errors[0], Catch::Contains("(queued by version 1) does not decode as order_v2") &&
                            Catch::Contains("first_name"));
}
