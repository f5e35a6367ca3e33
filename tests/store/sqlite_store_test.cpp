// sqlite_store: what is about SQLite itself (a file kept across opens, bad paths, a failure
// injected through a second connection to the file). What every store does, SQLite included, is
// in store_conformance_test.cpp.
#include <syncline/store/sqlite_store.hpp>

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "store/store_fixture.hpp"

namespace unity_store_sqlite_store_test {

using namespace store_test;
using st::enqueue_result;
using syncline::errc;

TEST_CASE("enqueue_with_cursor: a write that fails after the runs were inserted rolls them back",
          "[store]") {
  temp_dir dir;
  manual_clock clock;
  auto opts = options_with(clock);
  opts.max_unfinished_runs = 4;
  auto s = open_store(dir.file("store.db"), opts);
  const st::cursor_key key{"acme.myshopify.com", "shopify-sync", "poll-orders"};
  std::vector<st::new_run> page1{make_run("order-1"), make_run("order-2")};
  REQUIRE(s->enqueue_with_cursor(page1, {key, "page-2"}));

  // A trigger injects the failure into the cursor's write, after the runs' inserts.
  raw_connection other(dir.file("store.db"));
  other.exec(
      "CREATE TRIGGER fail_cursor BEFORE UPDATE ON cursors "
      "BEGIN SELECT RAISE(ABORT, 'injected failure'); END");
  std::vector<st::new_run> page2{make_run("order-3")};
  auto failed = s->enqueue_with_cursor(page2, {key, "page-3"});
  REQUIRE_FALSE(failed);
  CHECK(failed.error().category == errc::storage);
  CHECK(failed.error().message.find("injected failure") != std::string::npos);
  CHECK(**s->get_cursor(key) == "page-2");
  CHECK(s->counts()->queued == 2);
  CHECK(other.scalar("SELECT count(*) FROM dedupe_keys WHERE dedupe_key = 'order-3'") == "0");

  other.exec("DROP TRIGGER fail_cursor");
  REQUIRE(s->enqueue_with_cursor(page2, {key, "page-3"}));
  CHECK(**s->get_cursor(key) == "page-3");
  CHECK(s->counts()->queued == 3);
}

TEST_CASE("the file keeps its data and schema across opens, and bad paths are refused", "[store]") {
  temp_dir dir;
  std::string id;
  std::int64_t run = 0;
  {
    auto s = open_store(dir.file("store.db"), {});
    id = s->store_id();
    run = enqueue_ok(*s, {make_run("k", "kept")})[0].run_id;
  }
  {
    auto s = open_store(dir.file("store.db"), {});
    CHECK(s->store_id() == id);
    CHECK(run_of(*s, run).payload == "kept");
    CHECK(enqueue_ok(*s, {make_run("k")})[0].kind == enqueue_result::duplicate);
  }
  raw_connection(dir.file("store.db")).exec("PRAGMA user_version = 99");
  auto newer = st::sqlite_store::open(dir.file("store.db"));
  REQUIRE_FALSE(newer);
  CHECK(newer.error().category == errc::storage);
  CHECK(newer.error().message.find("version 99") != std::string::npos);

  CHECK(st::sqlite_store::open(":memory:").error().category == errc::invalid_input);
  auto missing_dir = st::sqlite_store::open(dir.file("no/such/dir/x.db"));
  REQUIRE_FALSE(missing_dir);
  CHECK(missing_dir.error().category == errc::storage);
  CHECK(missing_dir.error().message.find("no/such/dir") != std::string::npos);
}

TEST_CASE("a run log row that is not the store's JSON is an error naming the run, not a short log",
          "[store]") {
  temp_dir dir;
  manual_clock clock;
  auto s = open_store(dir.file("store.db"), options_with(clock));
  const auto id = enqueue_ok(*s, {make_run()})[0].run_id;
  REQUIRE(s->append_block_events(
      std::vector<st::block_event_record>{{id, 1, 0, "map", clock.now(), clock.now(), "ok", ""}}));
  raw_connection(dir.file("store.db")).exec("UPDATE run_log SET events = '[{\"position\":\"x\"'");
  auto log = s->block_events(id);
  REQUIRE_FALSE(log);
  CHECK(log.error().category == errc::storage);
  CHECK(log.error().message.find("run log of run " + std::to_string(id) + ", attempt 1") !=
        std::string::npos);
}

TEST_CASE("a run's payload is written once apart from its row and leaves with the run", "[store]") {
  temp_dir dir;
  manual_clock clock;
  auto s = open_store(dir.file("store.db"), options_with(clock));
  const auto ids = enqueue_ok(
      *s, {make_run("", R"({"order":1})"), make_run("", R"({"order":2})", "other.myshopify.com")});
  raw_connection raw(dir.file("store.db"));
  CHECK(raw.scalar("SELECT count(*) FROM pragma_table_info('runs') WHERE name = 'payload'") == "0");
  CHECK(raw.scalar("SELECT count(*) FROM run_payloads") == "2");
  // Leases and ends rewrite the runs row only: a payload is never written again.
  raw.exec(
      "CREATE TRIGGER payload_written_again BEFORE UPDATE ON run_payloads "
      "BEGIN SELECT RAISE(ABORT, 'a payload was written again'); END");
  auto claimed = claim_ok(*s, 2);
  REQUIRE(claimed.size() == 2);
  CHECK(claimed[0].payload == R"({"order":1})");
  CHECK(claimed[1].payload == R"({"order":2})");
  std::vector<st::run_completion> ends{
      st::run_completion::completed(claimed[0], st::run_status::succeeded),
      st::run_completion::completed(claimed[1], st::run_status::succeeded)};
  auto answers = s->finish_many(ends, {});
  REQUIRE(answers);
  for (const auto& a : *answers) CHECK(a);
  CHECK(run_of(*s, ids[0].run_id).payload == R"({"order":1})");

  // Retention and erasure delete runs by different statements; each takes the payload along.
  REQUIRE(s->erase_tenant("other.myshopify.com"));
  CHECK(raw.scalar("SELECT group_concat(run_id) FROM run_payloads") ==
        std::to_string(ids[0].run_id));
  clock.advance(std::chrono::hours(2));
  REQUIRE(s->prune(std::chrono::hours(1)));
  CHECK(raw.scalar("SELECT count(*) FROM runs") == "0");
  CHECK(raw.scalar("SELECT count(*) FROM run_payloads") == "0");
}

}  // namespace unity_store_sqlite_store_test
