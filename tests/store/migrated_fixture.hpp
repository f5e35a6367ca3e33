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
  CHECK(succeeded_log->size() == 2);

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

}  // namespace store_test
