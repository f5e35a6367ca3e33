// An idle engine on the PostgreSQL store runs what another process queued as soon as it is
// committed (LISTEN/NOTIFY rings its executor's doorbell), not at its next idle poll; and it
// claims on a thread of its own (store::concurrent_writes), so a completion that waits for the
// database does not hold up the next claim.
#include <syncline/runtime/engine.hpp>
#include <syncline/store/postgres_store.hpp>
#include <syncline_test_support/postgres_server.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <libpq-fe.h>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "integrations.hpp"
#include "runtime_fixture.hpp"

namespace unity_runtime_postgres_wake_test {

using namespace runtime_test;
namespace st = syncline::store;

namespace {

std::unique_ptr<st::postgres_store> open_pg(const std::string& conninfo,
                                            const std::string& schema = "engine_wake") {
  st::postgres_store_options o;
  o.schema = schema;
  auto s = st::postgres_store::open(conninfo, o);
  INFO((s ? std::string("opened") : to_string(s.error())));
  REQUIRE(s);
  return std::move(*s);
}

// What the engine's emit("acme", "order.flaky", ...) would queue, queued by another process.
st::new_run flaky_order(std::int64_t id) {
  return {.tenant = "acme",
          .integration = "shop_sync",
          .workflow = "flaky_orders",
          .trigger = "order.flaky",
          .dedupe_key = {},
          .payload = R"({"id":)" + std::to_string(id) +
                     R"(,"tenant":"acme","email":"a@example.com","note":"n"})"};
}

// An engine of one I/O thread whose store is the PostgreSQL `schema` (its SQLite file unused).
syncline::engine_options on_postgres(const std::string& conninfo, const std::string& schema,
                                     temp_dir& dir, log_capture& logs) {
  syncline::engine_options o;
  o.threads = 1;
  o.log = logs.sink();
  o.database = dir.file("unused.db");
  o.open_store = [conninfo, schema]() -> syncline::result<std::unique_ptr<st::store>> {
    return std::unique_ptr<st::store>(open_pg(conninfo, schema));
  };
  return o;
}

}  // namespace

TEST_CASE("an idle engine on PostgreSQL runs another process's run before its idle poll") {
  auto server = syncline::testing::postgres_server::start();
  INFO((server ? std::string("started") : server.error().message));
  REQUIRE(server);
  const std::string conninfo = server->connection_string();
  auto other_process = open_pg(conninfo);

  temp_dir dir;
  log_capture logs;
  sink out;
  fake_shop shop;
  auto o = on_postgres(conninfo, "engine_wake", dir, logs);
  o.idle_poll = 60s;  // far beyond every wait below: only the announcement can wake it in time
  syncline::engine eng(o);
  REQUIRE(eng.install(shop_sync, syncline::tenant{"acme", fake::credentials_for("acme")},
                      syncline::services(out, shop)));
  REQUIRE(eng.start());

  for (std::int64_t id = 1; id <= 3; ++id) {
    // Let the engine fall asleep on its doorbell (it found nothing to claim); then queue.
    std::this_thread::sleep_for(200ms);
    auto queued = other_process->enqueue(std::vector{flaky_order(id)});
    REQUIRE(queued);
    REQUIRE((*queued)[0].kind == st::enqueue_result::accepted);
    CHECK(wait_until([&] { return out.size() == static_cast<std::size_t>(id); }, 20s));
  }
  eng.stop();
  auto counts = other_process->counts();
  REQUIRE(counts);
  CHECK(counts->succeeded == 3);
}

TEST_CASE("an engine on PostgreSQL claims and runs while a completion waits for the database") {
  auto server = syncline::testing::postgres_server::start();
  INFO((server ? std::string("started") : server.error().message));
  REQUIRE(server);
  const std::string conninfo = server->connection_string();
  const std::string schema = "engine_claim_thread";
  auto other_process = open_pg(conninfo, schema);

  temp_dir dir;
  log_capture logs;
  sink out;
  fake_shop shop;
  syncline::engine eng(on_postgres(conninfo, schema, dir, logs));
  REQUIRE(eng.install(shop_sync, syncline::tenant{"acme", fake::credentials_for("acme")},
                      syncline::services(out, shop)));
  REQUIRE(eng.start());

  // An operator's session holds the run log: a completion's INSERT into it waits, and with it
  // the store thread. Claims never write the run log.
  PGconn* operator_session = PQconnectdb(conninfo.c_str());
  REQUIRE(PQstatus(operator_session) == CONNECTION_OK);
  PGresult* locked = PQexec(operator_session,
                            ("BEGIN; LOCK TABLE " + schema + ".run_log IN EXCLUSIVE MODE").c_str());
  REQUIRE(PQresultStatus(locked) == PGRES_COMMAND_OK);
  PQclear(locked);

  REQUIRE(other_process->enqueue(std::vector{flaky_order(1)}));
  CHECK(wait_until([&] { return out.size() == 1; }, 20s));
  // Run 1 ran; its completion now waits for the lock. Run 2 is claimed and run all the same.
  REQUIRE(other_process->enqueue(std::vector{flaky_order(2)}));
  CHECK(wait_until([&] { return out.size() == 2; }, 20s));
  auto waiting = other_process->counts();
  REQUIRE(waiting);
  CHECK(waiting->succeeded == 0);  // neither completion could commit yet
  CHECK(waiting->running == 2);

  PGresult* released = PQexec(operator_session, "ROLLBACK");
  CHECK(PQresultStatus(released) == PGRES_COMMAND_OK);
  PQclear(released);
  PQfinish(operator_session);
  CHECK(wait_until(
      [&] {
        auto c = other_process->counts();
        return c && c->succeeded == 2;
      },
      20s));
  eng.stop();
}

}  // namespace unity_runtime_postgres_wake_test
