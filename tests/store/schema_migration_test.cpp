// Schema versions of the SQLite store: a file written by an older syncline is migrated when it
// opens, and keeps every row. tests/data/store/schema_v<N>.db was written by the syncline of
// schema version N (version 1: commit 7c5cc17; version 2: commit c8303e5; version 3: a new file
// created by commit fc7b20c, into which version 2's rows were copied with sqlite3; version 4:
// version 3's file opened by commit fbc071b, which makes a new file the same way, plus one rate
// bucket; version 5: version 4's file opened by commit 277b6f8; version 6: version 5's file opened
// by commit b366925; version 7: version 6's file opened by commit dfb495e; version 8: version 7's
// file opened by commit 937ec17; version 9: version 8's file opened by commit 33b2a20), all with
// the same content: five
// runs of two workflows and two shops (one succeeded with two block events, one dead with a failed
// block, one waiting for a retry, two queued), a cursor, an echo record and an installation.
#include <syncline/store/detail/sqlite_schema.hpp>
#include <syncline/store/sqlite_store.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>

#include "store/migrated_fixture.hpp"
#include "store/store_fixture.hpp"

namespace unity_store_schema_migration_test {

using namespace store_test;
using st::run_status;
using syncline::errc;

namespace {

std::filesystem::path copy_of_schema(int version, const temp_dir& dir) {
  const auto to = dir.file("store.db");
  std::filesystem::copy_file(std::filesystem::path(SYNCLINE_TEST_DATA_DIR) /
                                 ("store/schema_v" + std::to_string(version) + ".db"),
                             to);
  return to;
}

// Every schema before the current one has a fixture.
constexpr int current_schema = syncline::store::detail::sqlite_schema_version;

}  // namespace

TEST_CASE("a file of an earlier schema is migrated when it opens and keeps its runs, log and state",
          "[store]") {
  const int version = GENERATE(range(1, current_schema));
  INFO("schema " << version);
  temp_dir dir;
  const auto file = copy_of_schema(version, dir);
  REQUIRE(raw_connection(file).scalar("PRAGMA user_version") == std::to_string(version));
  // A sixth run, queued and pruned by the old schema: its id must never come back, since
  // idempotency keys are built on ids.
  // Schema 9 moved the payload out of the runs row.
  const std::string payload_column = version < 9 ? "payload, " : "";
  const std::string payload_value = version < 9 ? "'{}', " : "";
  raw_connection(file).exec(
      "INSERT INTO runs (tenant, integration, workflow, trigger_name, dedupe_key, " +
      payload_column +
      "status, due_at, created_at, updated_at) VALUES ('shop-a.myshopify.com', 'shopify_sync', "
      "'orders_to_app', 'orders/create', '', " +
      payload_value + "'queued', 1, 1, 1); DELETE FROM runs WHERE id = 6");

  // The store's clock stands a minute after the fixture was written, so that what the fixture
  // holds for an hour (the echo record, the retry) is still pending whenever the test runs.
  manual_clock clock;
  const std::int64_t written_ns =
      std::stoll(raw_connection(file).scalar("SELECT max(updated_at) FROM runs"));
  clock.advance(std::chrono::nanoseconds(written_ns) - clock.now().time_since_epoch() +
                std::chrono::minutes(1));
  auto opened = st::sqlite_store::open(file, options_with(clock));
  REQUIRE(opened);
  auto& s = **opened;
  {
    raw_connection raw(file);
    CHECK(raw.scalar("PRAGMA user_version") == std::to_string(current_schema));
    // The two indexes schema 2 dropped are gone, and the dead letters have theirs.
    CHECK(raw.scalar("SELECT count(*) FROM sqlite_master WHERE name IN "
                     "('runs_by_workflow', 'runs_by_status')") == "0");
    CHECK(raw.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'runs_dead'") == "1");
    // Schema 3: fair claim finds the tenants with due runs through their own index.
    CHECK(raw.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'runs_due_by_tenant'") ==
          "1");
    // Schema 4: the rate buckets that the processes of one database share (the fixture of
    // schema 4 holds one, the older ones none).
    CHECK(raw.scalar("SELECT count(*) FROM rate_buckets") == (version >= 4 ? "1" : "0"));
    if (version >= 4) CHECK(raw.scalar("SELECT level FROM rate_buckets") == "12.5");
    CHECK(raw.scalar("SELECT count(*) FROM runs") == "5");
    // Schema 5: every run records its workflow's version; those queued before were version 1's.
    CHECK(raw.scalar("SELECT count(*) FROM runs WHERE workflow_version = 1") == "5");
    // Schema 6: the installation put before has revision 1; no install state, no erasure yet.
    CHECK(raw.scalar("SELECT revision FROM tenants") == "1");
    CHECK(raw.scalar("SELECT count(*) FROM install_states") == "0");
    CHECK(raw.scalar("SELECT count(*) FROM erasures") == "0");
    // Schema 7: the run log holds a row per run attempt; the table of a row per block is gone.
    CHECK(raw.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'block_events'") == "0");
    CHECK(raw.scalar("SELECT group_concat(run_id || ':' || json_array_length(events), ',') FROM "
                     "(SELECT * FROM run_log ORDER BY rowid)") == "1:2,2:1");
    // The runs table was rebuilt: its CHECKs compare with = (no IN list, which costs a temporary
    // table per statement), under its own name. Schema 8: no trigger counts the runs any more
    // (the store's statements do); the counts the triggers kept are still right
    // (check_fixture_rows). Schema 9: the one trigger on runs deletes a run's payload with it.
    const std::string table = raw.scalar("SELECT sql FROM sqlite_master WHERE name = 'runs'");
    CHECK(table.find(" IN ") == std::string::npos);
    CHECK(table.find("status = 'retry_wait'") != std::string::npos);
    CHECK(raw.scalar("SELECT group_concat(name) FROM sqlite_master WHERE type = 'trigger' AND "
                     "tbl_name = 'runs'") == "runs_payload_delete");
    // Schema 9: the payloads moved to a table of their own, one per run (the pruned sixth run
    // had none left), and runs has no payload column any more.
    CHECK(raw.scalar("SELECT count(*) FROM pragma_table_info('runs') WHERE name = 'payload'") ==
          "0");
    CHECK(raw.scalar("SELECT group_concat(run_id) FROM (SELECT run_id FROM run_payloads ORDER BY "
                     "run_id)") == "1,2,3,4,5");
    CHECK(raw.scalar("SELECT count(*) FROM sqlite_master WHERE name LIKE '%runs_v2%'") == "0");
    CHECK(raw.scalar("SELECT seq FROM sqlite_sequence WHERE name = 'runs'") == "6");
    // Schema 10: the dedupe keys in the order they were seen, found by key through their unique
    // index; the index by age is gone.
    CHECK(raw.scalar("SELECT group_concat(name) FROM sqlite_master WHERE type = 'index' AND "
                     "tbl_name = 'dedupe_keys'") == "dedupe_keys_by_key");
    CHECK(raw.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'dedupe_keys_v10'") == "0");
    // Schema 10 also dropped the index by finish time: prune walks old runs in id order.
    CHECK(raw.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'runs_finished'") == "0");
    CHECK(raw.scalar("SELECT count(*) FROM dedupe_keys") == "5");
    CHECK(raw.scalar("SELECT count(*) FROM dedupe_keys a JOIN dedupe_keys b ON b.id = a.id + 1 "
                     "WHERE b.seen_at < a.seen_at") == "0");
  }

  check_fixture_rows(s);
  check_queue_goes_on(s, 7);
}

TEST_CASE("opening a migrated file again changes nothing, and a newer file names both versions",
          "[store]") {
  const int version = GENERATE(range(1, current_schema));
  INFO("schema " << version);
  temp_dir dir;
  const auto file = copy_of_schema(version, dir);
  REQUIRE(st::sqlite_store::open(file));
  const std::string schema_after_first =
      raw_connection(file).scalar("SELECT group_concat(name, ',') FROM sqlite_master");
  REQUIRE(st::sqlite_store::open(file));
  CHECK(raw_connection(file).scalar("SELECT group_concat(name, ',') FROM sqlite_master") ==
        schema_after_first);
  // A migrated file has what a new file has: the same tables, indexes and triggers.
  REQUIRE(st::sqlite_store::open(dir.file("new.db")));
  const std::string names =
      "SELECT group_concat(type || ' ' || name, ',') FROM (SELECT type, name FROM sqlite_master "
      "ORDER BY type, name)";
  CHECK(raw_connection(file).scalar(names) == raw_connection(dir.file("new.db")).scalar(names));

  raw_connection(file).exec("PRAGMA user_version = " + std::to_string(current_schema + 1));
  auto newer = st::sqlite_store::open(file);
  REQUIRE_FALSE(newer);
  CHECK(newer.error().category == errc::storage);
  CHECK(newer.error().message.find("schema version " + std::to_string(current_schema + 1)) !=
        std::string::npos);
  CHECK(newer.error().message.find("version " + std::to_string(current_schema) +
                                   " that this syncline reads") != std::string::npos);
}

TEST_CASE(
    "schema 6 -> 7: each run's block events move to the run log in the order they were "
    "appended, with their exact times and text",
    "[store]") {
  temp_dir dir;
  const auto file = copy_of_schema(6, dir);
  raw_connection(file).exec(insert_block_events_before_the_run_log("block_events"));
  auto opened = st::sqlite_store::open(file);
  REQUIRE(opened);
  check_block_events_moved_to_the_run_log(**opened);
  // One row per run and attempt: run 4's two attempts, run 5's one, beside the fixture's two.
  CHECK(raw_connection(file).scalar("SELECT count(*) FROM run_log") == "5");
}

}  // namespace unity_store_schema_migration_test
