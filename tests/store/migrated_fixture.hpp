// What every schema fixture in tests/data/store holds, checked through the store interface once
// a store has migrated it: schema_migration_test.cpp (SQLite files) and
// postgres_schema_migration_test.cpp (PostgreSQL dumps) hold the same rows, so one set of checks
// serves both, and a store that reads them differently fails here.
#pragma once

#include <syncline/store/store.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/store_fixture.hpp"

namespace store_test {

// Five runs of two workflows and two shops (one succeeded with two block events, one dead with a
// failed block, one waiting for a retry, two queued), a cursor, an echo record, an installation.
inline void check_fixture_rows(st::store& s) {
  auto counts = s.counts();
  REQUIRE(counts);
  CHECK(counts->succeeded == 1);
  CHECK(counts->dead == 1);
  CHECK(counts->retry_wait == 1);
  CHECK(counts->queued == 2);

  st::run_query dead;
  dead.status = st::run_status::dead;
  auto dead_runs = s.query_runs(dead);
  REQUIRE(dead_runs);
  REQUIRE(dead_runs->size() == 1);
  CHECK(dead_runs->front().last_error == "http: 500 from the app");
  auto log = s.block_events(dead_runs->front().id);
  REQUIRE(log);
  REQUIRE(log->size() == 1);
  CHECK(log->front().block == "to_app");
  CHECK(log->front().outcome == "error");
  auto succeeded_log = s.block_events(1);
  REQUIRE(succeeded_log);
  REQUIRE(succeeded_log->size() == 2);
  CHECK(succeeded_log->at(0).block == "skip_echoes");  // in the order they were appended
  CHECK(succeeded_log->at(1).block == "to_app");
  CHECK(succeeded_log->at(1).position == 1);

  st::run_query of_workflow;
  of_workflow.filter.workflow = "events_to_shop";
  auto by_workflow = s.query_runs(of_workflow);
  REQUIRE(by_workflow);
  REQUIRE(by_workflow->size() == 1);
  CHECK(by_workflow->front().payload.empty());  // without with_payload
  CHECK(by_workflow->front().workflow_version == 1);
  auto with_payload = s.get_run(by_workflow->front().id);
  REQUIRE(with_payload);
  CHECK(with_payload->payload == R"({"id":1004})");

  auto cursor = s.get_cursor({"shop-a.myshopify.com", "shopify_sync", "orders_poll"});
  REQUIRE(cursor);
  CHECK(*cursor == std::optional<std::string>("cursor-7"));
  auto echo =
      s.is_echo({"shop-a.myshopify.com", "shopify_sync", "gid://shopify/Order/1000", "fp1"});
  REQUIRE(echo);
  CHECK(*echo);
  auto installation = s.get_installation("shopify_sync", "shop-a.myshopify.com");
  REQUIRE(installation);
  REQUIRE(installation->has_value());
  CHECK((*installation)->settings == R"({"currency":"EUR"})");
  CHECK((*installation)->revision == 1);
}

// The queue goes on after the migration: the two queued runs are claimed (the retry waits an
// hour), the dead letter replays, a redelivery of a key seen before the migration is still a
// duplicate, a new run takes `next_id` (ids are never reused: idempotency keys are built on
// them), the counters count all that, and a new rate bucket takes a reservation at once.
inline void check_queue_goes_on(st::store& s, std::int64_t next_id) {
  auto claimed = s.claim("after-migration", 10, std::chrono::seconds(30));
  REQUIRE(claimed);
  CHECK(claimed->size() == 2);
  st::run_query dead;
  dead.status = st::run_status::dead;
  auto dead_runs = s.query_runs(dead);
  REQUIRE(dead_runs);
  REQUIRE(dead_runs->size() == 1);
  REQUIRE(s.replay(dead_runs->front().id));
  auto again =
      s.enqueue(std::vector<st::new_run>{{"shop-a.myshopify.com", "shopify_sync", "orders_to_app",
                                          "orders/create", "wh-0", R"({"id":1000})"}});
  REQUIRE(again);
  CHECK(again->front().kind == st::enqueue_result::duplicate);
  auto fresh =
      s.enqueue(std::vector<st::new_run>{{"shop-b.myshopify.com", "shopify_sync", "orders_to_app",
                                          "orders/create", "wh-new", R"({"id":2000})"}});
  REQUIRE(fresh);
  CHECK(fresh->front().kind == st::enqueue_result::accepted);
  CHECK(fresh->front().run_id == next_id);
  auto after = s.counts();
  REQUIRE(after);
  CHECK(after->queued == 2);  // the replayed dead letter and the fresh run (the two were claimed)
  CHECK(after->running == 2);
  CHECK(after->dead == 0);
  auto wait = s.reserve_rate({"shopify/shop-a.myshopify.com/rest", 40, 2}, 1);
  REQUIRE(wait);
  CHECK(*wait == std::chrono::nanoseconds::zero());
}

// Block events as a store of schema 6 (SQLite) or 4 (PostgreSQL) logged them, one row per block:
// two runs interleaved, two attempts of one, exact nanosecond times and text that JSON must
// escape. The migration to the run log of one row per attempt must give them back as they were.
inline std::vector<st::block_event_record> block_events_before_the_run_log() {
  const auto at = [](std::int64_t ns) { return st::time_point(std::chrono::nanoseconds(ns)); };
  return {
      {4, 1, 0, "decode", at(1733500000123456789), at(1733500000123456999), "ok", ""},
      {5, 1, 0, "decode", at(1733500000200000001), at(1733500000200000002), "ok", ""},
      {4, 1, 1, "to_app", at(1733500000300000000), at(1733500002300000000), "error",
       "timeout: \"shop\" took over 2s \\ tab\t, caf\u00e9"},
      {5, 1, 1, "to_app", at(1733500000400000000), at(1733500000400000100), "skipped", ""},
      {4, 2, 1, "to_app", at(1733500060000000000), at(1733500060000000300), "ok", ""},
  };
}

// The INSERT of those rows into `table` (an older schema's block_events).
inline std::string insert_block_events_before_the_run_log(const std::string& table) {
  std::string sql = "INSERT INTO " + table +
                    " (run_id, attempt, position, block, started_at, finished_at, outcome, error) "
                    "VALUES ";
  const auto quoted = [](const std::string& text) {
    std::string out = "'";
    for (char ch : text) out += ch == '\'' ? std::string("''") : std::string(1, ch);
    return out + "'";
  };
  const auto ns = [](st::time_point t) {
    return std::to_string(
        std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count());
  };
  bool first = true;
  for (const auto& e : block_events_before_the_run_log()) {
    sql += first ? "(" : ",(";
    first = false;
    sql += std::to_string(e.run_id) + "," + std::to_string(e.attempt) + "," +
           std::to_string(e.position) + "," + quoted(e.block) + "," + ns(e.started_at) + "," +
           ns(e.finished_at) + "," + quoted(e.outcome) + "," + quoted(e.error) + ")";
  }
  return sql;
}

// What the migrated store reads back: each run's events, in the order they were appended.
inline void check_block_events_moved_to_the_run_log(st::store& s) {
  const auto before = block_events_before_the_run_log();
  for (std::int64_t run : {4, 5}) {
    std::vector<st::block_event_record> expected;
    for (const auto& e : before) {
      if (e.run_id == run) expected.push_back(e);
    }
    auto log = s.block_events(run);
    REQUIRE(log);
    CHECK(*log == expected);
  }
}

}  // namespace store_test
