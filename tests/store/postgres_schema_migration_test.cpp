// Schema versions of the PostgreSQL store: a database written by an older syncline is migrated
// when a store opens it, and keeps every row. tests/data/store/postgres_schema_v<N>.sql is a
// plain pg_dump (--inserts --no-owner --no-privileges, psql's \restrict lines removed) of schema
// version N in the PostgreSQL schema "syncline_fixture": version 4 is version 3's dump opened by
// commit b366925; version 3 is version 2's dump opened by
// commit 277b6f8; version 2 is version 1's dump opened by
// commit fbc071b (which makes a new database the same way: version 1, then migrated) plus one rate
// bucket; version 1 was created by commit fc7b20c
// (postgres_store::open) and given the rows of tests/data/store/schema_v2.db (the SQLite
// fixtures' content: five runs, their block events and dedupe keys, a cursor, an echo record, an
// installation and the store id). Each case loads it into a PostgreSQL schema of its own.
#include <syncline/store/detail/postgres_schema.hpp>
#include <syncline/store/postgres_store.hpp>

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <libpq-fe.h>
#include <sstream>
#include <string>

#include "store/migrated_fixture.hpp"
#include "store/postgres_under_test.hpp"
#include "store/store_fixture.hpp"

namespace unity_store_postgres_schema_migration_test {

using namespace store_test;
using st::run_status;
using syncline::errc;

namespace {

constexpr int current_schema = st::detail::postgres_schema_version;

// A session of the test's own, as an older syncline or an operator would have.
class raw_session {
 public:
  explicit raw_session(const std::string& conninfo) : c_(PQconnectdb(conninfo.c_str())) {
    REQUIRE(PQstatus(c_) == CONNECTION_OK);
  }
  raw_session(const raw_session&) = delete;
  raw_session& operator=(const raw_session&) = delete;
  ~raw_session() { PQfinish(c_); }

  void exec(const std::string& sql) {
    PGresult* r = PQexec(c_, sql.c_str());
    const auto status = PQresultStatus(r);
    const std::string message = PQresultErrorMessage(r);
    PQclear(r);
    INFO(message);
    REQUIRE((status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK));
  }
  // The first column of the first row as text ("" when there is none).
  std::string scalar(const std::string& sql) {
    PGresult* r = PQexec(c_, sql.c_str());
    const auto status = PQresultStatus(r);
    INFO(sql << ": " << PQresultErrorMessage(r));
    CHECK(status == PGRES_TUPLES_OK);
    std::string out = status == PGRES_TUPLES_OK && PQntuples(r) > 0 ? PQgetvalue(r, 0, 0) : "";
    PQclear(r);
    return out;
  }

 private:
  PGconn* c_;
};

// Loads the dump of `version` into the PostgreSQL schema `schema` (in a session of its own: the
// dump empties the session's search_path).
void load_schema_fixture(int version, const std::string& schema) {
  std::ifstream in(std::string(SYNCLINE_TEST_DATA_DIR) + "/store/postgres_schema_v" +
                   std::to_string(version) + ".sql");
  REQUIRE(in);
  std::string sql, line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.front() == '\\') continue;  // a psql command, not SQL
    for (std::size_t at = line.find("syncline_fixture"); at != std::string::npos;
         at = line.find("syncline_fixture", at + schema.size())) {
      line.replace(at, std::string("syncline_fixture").size(), schema);
    }
    sql += line + "\n";
  }
  raw_session(shared_postgres_server().connection_string()).exec(sql);
}

std::string fresh_schema_name(int version) {
  static std::atomic<int> next{0};
  return "migrated_v" + std::to_string(version) + "_" + std::to_string(++next);
}

// The tables, indexes, functions and triggers of a PostgreSQL schema, sorted: what a migrated
// database must have in common with a new one.
std::string objects_of(raw_session& raw, const std::string& schema) {
  return raw.scalar(
      "SELECT string_agg(kind || ' ' || name, ',' ORDER BY kind, name) FROM ("
      "SELECT 'relation' AS kind, c.relname::text AS name FROM pg_class c JOIN pg_namespace n ON "
      "n.oid = c.relnamespace WHERE n.nspname = '" +
      schema +
      "' UNION ALL SELECT 'function', p.proname::text FROM pg_proc p JOIN pg_namespace n ON "
      "n.oid = p.pronamespace WHERE n.nspname = '" +
      schema +
      "' UNION ALL SELECT 'trigger', t.tgname::text FROM pg_trigger t JOIN pg_class c ON c.oid = "
      "t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '" +
      schema + "' AND NOT t.tgisinternal) o");
}

}  // namespace

TEST_CASE(
    "postgres store: a database of an earlier schema is migrated when a store opens it and "
    "keeps its runs, log and state",
    "[postgres]") {
  const int version = GENERATE(range(1, current_schema));
  INFO("schema " << version);
  const std::string schema = fresh_schema_name(version);
  load_schema_fixture(version, schema);
  const std::string conninfo = shared_postgres_server().connection_string();
  raw_session raw(conninfo);
  REQUIRE(raw.scalar("SELECT version FROM " + schema + ".schema_version") ==
          std::to_string(version));

  // The store's clock stands a minute after the fixture was written, so that what the fixture
  // holds for an hour (the echo record, the retry) is still pending whenever the test runs.
  manual_clock clock;
  const std::int64_t written_ns =
      std::stoll(raw.scalar("SELECT max(updated_at) FROM " + schema + ".runs"));
  clock.advance(std::chrono::nanoseconds(written_ns) - clock.now().time_since_epoch() +
                std::chrono::minutes(1));
  st::postgres_store_options o;
  o.clock = clock.fn();
  o.schema = schema;
  auto store = open_postgres_store(conninfo, o);
  auto& s = *store;

  CHECK(raw.scalar("SELECT version FROM " + schema + ".schema_version") ==
        std::to_string(current_schema));
  CHECK(raw.scalar("SELECT count(*) FROM " + schema + ".schema_version") == "1");
  // Schema 2: the rate buckets that the processes of one database share (the fixture of schema 2
  // holds one, the older one none).
  CHECK(raw.scalar("SELECT count(*) FROM " + schema + ".rate_buckets") ==
        (version >= 2 ? "1" : "0"));
  // Schema 3: every run records its workflow's version; those queued before were version 1's.
  CHECK(raw.scalar("SELECT count(*) FROM " + schema + ".runs WHERE workflow_version = 1") == "5");
  // Schema 4: the installation put before has revision 1; no install state, no erasure yet.
  CHECK(raw.scalar("SELECT revision FROM " + schema + ".tenants") == "1");
  CHECK(raw.scalar("SELECT count(*) FROM " + schema + ".install_states") == "0");
  CHECK(raw.scalar("SELECT count(*) FROM " + schema + ".erasures") == "0");
  // Schema 5: the run log holds a row per run attempt; the table of a row per block is gone.
  CHECK(raw.scalar("SELECT count(*) FROM pg_tables WHERE schemaname = '" + schema +
                   "' AND tablename = 'block_events'") == "0");
  CHECK(raw.scalar("SELECT string_agg(run_id || ':' || json_array_length(events), ',' ORDER BY "
                   "seq) FROM " +
                   schema + ".run_log") == "1:2,2:1");
  // The database keeps its name in idempotency keys.
  CHECK(s.store_id() == "4624dc13b4ff965d");

  check_fixture_rows(s);
  check_queue_goes_on(s, 6);
}

TEST_CASE(
    "postgres store: opening a migrated database again changes nothing, and it has what a "
    "new database has",
    "[postgres]") {
  const int version = GENERATE(range(1, current_schema));
  INFO("schema " << version);
  const std::string schema = fresh_schema_name(version);
  load_schema_fixture(version, schema);
  const std::string conninfo = shared_postgres_server().connection_string();
  st::postgres_store_options o;
  o.schema = schema;
  open_postgres_store(conninfo, o).reset();
  raw_session raw(conninfo);
  const std::string after_first = objects_of(raw, schema);
  open_postgres_store(conninfo, o).reset();
  CHECK(objects_of(raw, schema) == after_first);
  CHECK(raw.scalar("SELECT count(*) FROM " + schema + ".schema_version") == "1");

  st::postgres_store_options fresh;
  fresh.schema = fresh_schema_name(0);
  open_postgres_store(conninfo, fresh).reset();
  CHECK(objects_of(raw, schema) == objects_of(raw, fresh.schema));
}

TEST_CASE(
    "postgres store: schema 4 -> 5: each run's block events move to the run log in the order they "
    "were appended, with their exact times and text",
    "[postgres]") {
  const std::string schema = fresh_schema_name(4);
  load_schema_fixture(4, schema);
  const std::string conninfo = shared_postgres_server().connection_string();
  raw_session raw(conninfo);
  raw.exec(insert_block_events_before_the_run_log(schema + ".block_events"));
  st::postgres_store_options o;
  o.schema = schema;
  auto store = open_postgres_store(conninfo, o);
  check_block_events_moved_to_the_run_log(*store);
  // One row per run and attempt: run 4's two attempts, run 5's one, beside the fixture's two.
  CHECK(raw.scalar("SELECT count(*) FROM " + schema + ".run_log") == "5");
}

}  // namespace unity_store_postgres_schema_migration_test
