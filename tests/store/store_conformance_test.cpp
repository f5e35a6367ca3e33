// The store conformance suite: what every store::store does, written against the interface only
// and run against each store of STORES_UNDER_TEST (stores_under_test.hpp). A behaviour that one
// store does not share with the others fails here. What is about one store's own medium (a
// SQLite file, its lock, its paths) is tested beside it (sqlite_store_test.cpp).
#include <syncline/store/store.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "store/store_fixture.hpp"
#include "store/stores_under_test.hpp"

namespace unity_store_store_conformance_test {

using namespace store_test;
using st::enqueue_result;
using st::run_status;
using syncline::errc;
using syncline::result;

TEMPLATE_TEST_CASE("a run is queued, claimed and completed", "[store]", STORES_UNDER_TEST) {
  TestType db;
  manual_clock clock;
  auto s = db.open(options_with(clock));

  auto queued = enqueue_ok(*s, {make_run("", R"({"id":1})"), make_run("", R"({"id":2})")});
  REQUIRE(queued.size() == 2);
  CHECK(queued[0].kind == enqueue_result::accepted);
  CHECK(queued[1].kind == enqueue_result::accepted);
  CHECK(queued[1].run_id > queued[0].run_id);
  CHECK(s->counts()->queued == 2);

  clock.advance(1s);
  auto claimed = claim_ok(*s, 10);
  REQUIRE(claimed.size() == 2);
  CHECK(claimed[0].id == queued[0].run_id);
  CHECK(claimed[0].payload == R"({"id":1})");
  CHECK(claimed[0].tenant == "acme.myshopify.com");
  CHECK(claimed[0].trigger == "orders/create");
  CHECK(claimed[0].attempt == 1);
  CHECK(claimed[0].lease_until == clock.now() + 30s);
  CHECK_FALSE(claimed[0].lease_token.empty());
  CHECK(claimed[0].lease_token != claimed[1].lease_token);
  CHECK(claimed[0].idempotency_key == TestType::store_id(*s) + "-" + std::to_string(claimed[0].id));
  CHECK(s->counts()->running == 2);
  CHECK(claim_ok(*s, 10).empty());  // both are leased

  REQUIRE(s->complete(claimed[0], run_status::succeeded));
  REQUIRE(s->complete(claimed[1], run_status::skipped));
  auto counts = *s->counts();
  CHECK(counts.succeeded == 1);
  CHECK(counts.skipped == 1);
  CHECK(counts.unfinished() == 0);
  CHECK_FALSE(s->next_due()->has_value());

  auto rec = run_of(*s, claimed[0].id);
  CHECK(rec.status == run_status::succeeded);
  CHECK(rec.attempts == 1);
  CHECK(rec.worker == "worker-1@" + TestType::worker_identity(*s));  // who, and which process
  CHECK(rec.finished_at == clock.now());
  CHECK(rec.payload == R"({"id":1})");

  SECTION("completing twice is a conflict: the lease ended with the first") {
    auto again = s->complete(claimed[0], run_status::dead, "late");
    REQUIRE_FALSE(again);
    CHECK(again.error().category == errc::conflict);
    CHECK(run_of(*s, claimed[0].id).status == run_status::succeeded);
  }
  SECTION("only final statuses end a run") {
    auto bad = s->complete(claimed[0], run_status::queued);
    REQUIRE_FALSE(bad);
    CHECK(bad.error().category == errc::invalid_input);
  }
  SECTION("an unknown run is not_found") {
    st::claimed_run ghost;
    ghost.id = 424242;
    ghost.lease_token = "x";
    auto r = s->complete(ghost, run_status::succeeded);
    REQUIRE_FALSE(r);
    CHECK(r.error().category == errc::not_found);
    CHECK(s->get_run(424242).error().category == errc::not_found);
  }
}

TEMPLATE_TEST_CASE("a run without its names is refused and nothing of its call is written",
                   "[store]", STORES_UNDER_TEST) {
  TestType db;
  manual_clock clock;
  auto s = db.open(options_with(clock));
  auto nameless = make_run();
  nameless.workflow.clear();
  std::vector<st::new_run> runs{make_run(), nameless};
  auto r = s->enqueue(runs);
  REQUIRE_FALSE(r);
  CHECK(r.error().category == errc::invalid_input);
  CHECK(r.error().message.find("workflow") != std::string::npos);
  CHECK(s->counts()->queued == 0);
}

TEMPLATE_TEST_CASE("dedupe: a key seen within the window is a duplicate of the original run",
                   "[store]", STORES_UNDER_TEST) {
  TestType db;
  manual_clock clock;
  auto opts = options_with(clock);
  opts.dedupe_window = 1h;
  auto s = db.open(opts);

  const auto first = enqueue_ok(*s, {make_run("webhook-1")})[0];
  REQUIRE(first.kind == enqueue_result::accepted);

  clock.advance(59min);
  CHECK(enqueue_ok(*s, {make_run("webhook-1")})[0] ==
        enqueue_result{enqueue_result::duplicate, first.run_id});

  // The key's scope is (tenant, integration, trigger): the same key elsewhere is a new event.
  CHECK(enqueue_ok(*s, {make_run("webhook-1", "{}", "other.myshopify.com")})[0].kind ==
        enqueue_result::accepted);
  auto other_trigger = make_run("webhook-1");
  other_trigger.trigger = "orders/updated";
  CHECK(enqueue_ok(*s, {other_trigger})[0].kind == enqueue_result::accepted);

  // Within one call too: the second delivery of a key is a duplicate of the first.
  auto batch = enqueue_ok(*s, {make_run("webhook-2"), make_run("webhook-2")});
  CHECK(batch[0].kind == enqueue_result::accepted);
  CHECK(batch[1] == enqueue_result{enqueue_result::duplicate, batch[0].run_id});

  // Runs without a key are never deduplicated.
  auto keyless = enqueue_ok(*s, {make_run(), make_run()});
  CHECK(keyless[0].kind == enqueue_result::accepted);
  CHECK(keyless[1].kind == enqueue_result::accepted);

  clock.advance(1min);  // the first sighting of webhook-1 is now an hour old
  const auto later = enqueue_ok(*s, {make_run("webhook-1")})[0];
  CHECK(later.kind == enqueue_result::accepted);
  CHECK(later.run_id != first.run_id);
  CHECK(enqueue_ok(*s, {make_run("webhook-1")})[0] ==
        enqueue_result{enqueue_result::duplicate, later.run_id});
}

TEMPLATE_TEST_CASE("a run whose lease expired is claimed again, and the old lease is stale",
                   "[store]", STORES_UNDER_TEST) {
  TestType db;
  manual_clock clock;
  auto s = db.open(options_with(clock));
  const auto id = enqueue_ok(*s, {make_run()})[0].run_id;

  auto first = claim_ok(*s, 1, 10s);
  REQUIRE(first.size() == 1);
  clock.advance(9s);
  CHECK(claim_ok(*s, 1, 10s).empty());

  SECTION("expiry: another worker takes over; the first worker's outcome is refused") {
    clock.advance(1s);
    auto second = claim_ok(*s, 1, 10s);
    REQUIRE(second.size() == 1);
    CHECK(second[0].id == id);
    CHECK(second[0].attempt == 2);
    CHECK(second[0].lease_token != first[0].lease_token);
    CHECK(second[0].idempotency_key == first[0].idempotency_key);

    auto late = s->complete(first[0], run_status::succeeded);
    REQUIRE_FALSE(late);
    CHECK(late.error().category == errc::conflict);
    CHECK(late.error().message.find("lease") != std::string::npos);
    CHECK(s->retry_later(first[0], clock.now(), "x").error().category == errc::conflict);
    CHECK(s->renew_lease(first[0], 10s).error().category == errc::conflict);
    CHECK(run_of(*s, id).status == run_status::running);

    REQUIRE(s->complete(second[0], run_status::succeeded));
    CHECK(run_of(*s, id).status == run_status::succeeded);
  }
  SECTION("renewal: a worker that renews keeps its run") {
    REQUIRE(s->renew_lease(first[0], 10s));
    CHECK(first[0].lease_until == clock.now() + 10s);
    clock.advance(9s);
    CHECK(claim_ok(*s, 1, 10s).empty());
    clock.advance(1s);
    CHECK(claim_ok(*s, 1, 10s).size() == 1);
  }
}

TEMPLATE_TEST_CASE("retry_later gives the run back until its time comes", "[store]",
                   STORES_UNDER_TEST) {
  TestType db;
  manual_clock clock;
  auto s = db.open(options_with(clock));
  const auto id = enqueue_ok(*s, {make_run()})[0].run_id;
  auto claimed = claim_ok(*s, 1);
  REQUIRE(claimed.size() == 1);

  REQUIRE(s->retry_later(claimed[0], clock.now() + 1min, "timeout: shop took over 5s"));
  auto rec = run_of(*s, id);
  CHECK(rec.status == run_status::retry_wait);
  CHECK(rec.last_error == "timeout: shop took over 5s");
  CHECK(s->counts()->retry_wait == 1);
  CHECK(*s->next_due() == clock.now() + 1min);

  clock.advance(59s);
  CHECK(claim_ok(*s, 1).empty());
  clock.advance(1s);
  auto again = claim_ok(*s, 1);
  REQUIRE(again.size() == 1);
  CHECK(again[0].id == id);
  CHECK(again[0].attempt == 2);
  CHECK(s->counts()->running == 1);
}

TEMPLATE_TEST_CASE("dead letters are listed and replayed one at a time or all at once", "[store]",
                   STORES_UNDER_TEST) {
  TestType db;
  manual_clock clock;
  auto s = db.open(options_with(clock));
  auto ids = enqueue_ok(*s, {make_run("", "{}", "a.myshopify.com", "orders-to-app"),
                             make_run("", "{}", "b.myshopify.com", "orders-to-app"),
                             make_run("", "{}", "a.myshopify.com", "orders-to-warehouse")});
  auto claimed = claim_ok(*s, 3);
  REQUIRE(claimed.size() == 3);
  for (const auto& c : claimed) {
    REQUIRE(s->complete(c, run_status::dead, "http_status: 422 from the shop"));
  }
  const std::string first_key = claimed[0].idempotency_key;

  auto dead = s->dead_letters({});
  REQUIRE(dead);
  REQUIRE(dead->size() == 3);
  CHECK((*dead)[0].id == ids[2].run_id);  // newest first
  CHECK((*dead)[0].last_error == "http_status: 422 from the shop");
  CHECK(s->dead_letters({.tenant = "a.myshopify.com"})->size() == 2);
  CHECK(s->dead_letters({.workflow = "orders-to-warehouse"})->size() == 1);

  REQUIRE(s->replay(ids[0].run_id));
  auto rec = run_of(*s, ids[0].run_id);
  CHECK(rec.status == run_status::queued);
  CHECK(rec.attempts == 0);
  CHECK_FALSE(rec.finished_at.has_value());
  CHECK(s->dead_letters({})->size() == 2);

  auto twice = s->replay(ids[0].run_id);
  REQUIRE_FALSE(twice);
  CHECK(twice.error().category == errc::conflict);
  CHECK(s->replay(987654).error().category == errc::not_found);

  auto n = s->replay_all({.tenant = "a.myshopify.com"});
  REQUIRE(n);
  CHECK(*n == 1);
  CHECK(s->dead_letters({})->size() == 1);
  CHECK(*s->replay_all({}) == 1);
  CHECK(s->dead_letters({})->empty());

  auto again = claim_ok(*s, 3);
  REQUIRE(again.size() == 3);
  CHECK(again[0].attempt == 1);
  CHECK(again[0].idempotency_key == first_key);  // a replay repeats no effect downstream
}

TEMPLATE_TEST_CASE("backpressure: past max_unfinished_runs enqueue answers queue_full", "[store]",
                   STORES_UNDER_TEST) {
  TestType db;
  manual_clock clock;
  auto opts = options_with(clock);
  opts.max_unfinished_runs = 3;
  auto s = db.open(opts);

  auto r = enqueue_ok(
      *s, {make_run("k1"), make_run("k2"), make_run("k3"), make_run("k4"), make_run("k1")});
  CHECK(r[0].kind == enqueue_result::accepted);
  CHECK(r[2].kind == enqueue_result::accepted);
  CHECK(r[3] == enqueue_result{enqueue_result::queue_full, 0});
  // A duplicate needs no room: it is answered even when the queue is full.
  CHECK(r[4] == enqueue_result{enqueue_result::duplicate, r[0].run_id});
  CHECK(s->counts()->unfinished() == 3);

  // A run that was refused left no dedupe key: its redelivery is a new event.
  auto claimed = claim_ok(*s, 1);
  REQUIRE(s->complete(claimed[0], run_status::succeeded));
  CHECK(enqueue_ok(*s, {make_run("k4")})[0].kind == enqueue_result::accepted);
  CHECK(enqueue_ok(*s, {make_run("k5")})[0].kind == enqueue_result::queue_full);
}

TEMPLATE_TEST_CASE("enqueue_with_cursor writes the runs and the cursor together, or neither",
                   "[store]", STORES_UNDER_TEST) {
  TestType db;
  manual_clock clock;
  auto opts = options_with(clock);
  opts.max_unfinished_runs = 4;
  auto s = db.open(opts);
  const st::cursor_key key{"acme.myshopify.com", "shopify-sync", "poll-orders"};
  CHECK_FALSE(s->get_cursor(key)->has_value());

  std::vector<st::new_run> page1{make_run("order-1"), make_run("order-2")};
  auto r = s->enqueue_with_cursor(page1, {key, "page-2"});
  REQUIRE(r);
  CHECK(r->size() == 2);
  CHECK(**s->get_cursor(key) == "page-2");
  CHECK(s->counts()->queued == 2);

  SECTION("a page that does not fit moves nothing") {
    std::vector<st::new_run> page2{make_run("order-3"), make_run("order-4"), make_run("order-5")};
    auto full = s->enqueue_with_cursor(page2, {key, "page-3"});
    REQUIRE_FALSE(full);
    CHECK(full.error().category == errc::unavailable);
    CHECK(**s->get_cursor(key) == "page-2");
    CHECK(s->counts()->queued == 2);
    CHECK(enqueue_ok(*s, {make_run("order-3")})[0].kind == enqueue_result::accepted);
  }
  SECTION("set_cursor moves a cursor on its own") {
    REQUIRE(s->set_cursor({key, "page-9"}));
    CHECK(**s->get_cursor(key) == "page-9");
    CHECK(s->set_cursor({{"", "shopify-sync", "poll"}, "x"}).error().category ==
          errc::invalid_input);
  }
}

TEMPLATE_TEST_CASE("echo records recognise what a workflow wrote, and pass real changes", "[store]",
                   STORES_UNDER_TEST) {
  TestType db;
  manual_clock clock;
  auto opts = options_with(clock);
  opts.echo_window = 10min;
  auto s = db.open(opts);
  const st::echo_record written{"acme.myshopify.com", "shopify-sync", "820982911946154508",
                                "fields-hash-A"};
  REQUIRE(s->record_echo(written));
  CHECK(*s->is_echo(written));

  auto changed = written;
  changed.fingerprint = "fields-hash-B";  // somebody else changed the record
  CHECK_FALSE(*s->is_echo(changed));
  auto elsewhere = written;
  elsewhere.tenant = "other.myshopify.com";
  CHECK_FALSE(*s->is_echo(elsewhere));

  // Two quick writes to one record: both echoes are recognised, in any order.
  clock.advance(5min);
  REQUIRE(s->record_echo(changed));
  CHECK(*s->is_echo(written));
  CHECK(*s->is_echo(changed));

  clock.advance(5min);  // the first write is now 10 minutes old
  CHECK_FALSE(*s->is_echo(written));
  CHECK(*s->is_echo(changed));

  auto pruned = s->prune(24h);
  REQUIRE(pruned);
  CHECK(pruned->echo_records == 1);
  CHECK(s->record_echo({"t", "i", "", "f"}).error().category == errc::invalid_input);
}

TEMPLATE_TEST_CASE("the run log is queried by workflow, tenant, status and time range", "[store]",
                   STORES_UNDER_TEST) {
  TestType db;
  manual_clock clock;
  auto s = db.open(options_with(clock));
  const auto t0 = clock.now();
  // Runs an hour apart: a(app) b(app) a(warehouse) b(warehouse) a(app)
  std::vector<std::int64_t> ids;
  const std::pair<const char*, const char*> who[] = {{"a.myshopify.com", "orders-to-app"},
                                                     {"b.myshopify.com", "orders-to-app"},
                                                     {"a.myshopify.com", "orders-to-warehouse"},
                                                     {"b.myshopify.com", "orders-to-warehouse"},
                                                     {"a.myshopify.com", "orders-to-app"}};
  for (const auto& [tenant, workflow] : who) {
    ids.push_back(enqueue_ok(*s, {make_run("", "{\"n\":" + std::to_string(ids.size()) + "}", tenant,
                                           workflow)})[0]
                      .run_id);
    clock.advance(1h);
  }
  auto first = claim_ok(*s, 1);  // ids[0]
  REQUIRE(s->complete(first[0], run_status::succeeded));

  auto ids_of = [&](const st::run_query& q) {
    auto r = s->query_runs(q);
    INFO((r ? std::string("ok") : to_string(r.error())));
    REQUIRE(r);
    std::vector<std::int64_t> out;
    for (const auto& rec : *r) out.push_back(rec.id);
    return out;
  };
  using v = std::vector<std::int64_t>;
  CHECK(ids_of({}) == v{ids[4], ids[3], ids[2], ids[1], ids[0]});
  CHECK(ids_of({.filter = {.workflow = "orders-to-warehouse"}}) == v{ids[3], ids[2]});
  CHECK(ids_of({.filter = {.tenant = "a.myshopify.com"}}) == v{ids[4], ids[2], ids[0]});
  CHECK(ids_of({.filter = {.tenant = "a.myshopify.com", .workflow = "orders-to-app"}}) ==
        v{ids[4], ids[0]});
  CHECK(ids_of({.filter = {.integration = "other"}}).empty());
  CHECK(ids_of({.status = run_status::succeeded}) == v{ids[0]});
  CHECK(ids_of({.status = run_status::queued}).size() == 4);
  CHECK(ids_of({.filter = {.from = t0 + 1h, .to = t0 + 3h}}) == v{ids[2], ids[1]});
  CHECK(ids_of({.filter = {.from = t0 + 4h}}) == v{ids[4]});
  // Paging: newest first, then the page before the last id seen.
  CHECK(ids_of({.limit = 2}) == v{ids[4], ids[3]});
  CHECK(ids_of({.limit = 2, .before_id = ids[3]}) == v{ids[2], ids[1]});

  auto plain = s->query_runs({.limit = 1});
  CHECK(plain->at(0).payload.empty());
  auto full = s->query_runs({.limit = 1, .with_payload = true});
  CHECK(full->at(0).payload == R"({"n":4})");
  CHECK(full->at(0).created_at == t0 + 4h);

  auto too_many = s->query_runs({.limit = 1'000'000});
  REQUIRE_FALSE(too_many);
  CHECK(too_many.error().category == errc::invalid_input);
}

TEMPLATE_TEST_CASE("block events are logged per run and attempt", "[store]", STORES_UNDER_TEST) {
  TestType db;
  manual_clock clock;
  auto s = db.open(options_with(clock));
  const auto id = enqueue_ok(*s, {make_run()})[0].run_id;
  const auto t = clock.now();
  const std::vector<st::block_event_record> events{
      {id, 1, 0, "map_to_shopify_order", t, t + 1ms, "ok", ""},
      {id, 1, 1, "create_order", t + 1ms, t + 2s, "error", "timeout: shop took over 2s"},
      {id, 2, 1, "create_order", t + 1min, t + 1min + 300ms, "ok", ""}};
  REQUIRE(s->append_block_events(events));
  auto back = s->block_events(id);
  REQUIRE(back);
  CHECK(*back == events);
  CHECK(s->block_events(id + 1)->empty());

  // One append of two runs' events interleaved (a batch of completions): each run reads back its
  // own, in order, after what it logged before; text JSON must escape comes back as it went in.
  const auto other = enqueue_ok(*s, {make_run("other")})[0].run_id;
  const std::vector<st::block_event_record> batch{
      {other, 1, 0, "map_to_shopify_order", t + 2min, t + 2min + 1ns, "ok", ""},
      {id, 3, 1, "create_order", t + 3min, t + 3min + 7ns, "error",
       "422: \"email\" is invalid \\ \u00e9\t\n"},
      {other, 1, 1, "create_order", t + 4min, t + 4min, "skipped", ""},
      {id, 3, 2, "tap", t + 5min, t + 5min, "ok", ""}};
  REQUIRE(s->append_block_events(batch));
  auto all = events;
  all.push_back(batch[1]);
  all.push_back(batch[3]);
  CHECK(*s->block_events(id) == all);
  CHECK(*s->block_events(other) == std::vector<st::block_event_record>{batch[0], batch[2]});
}

TEMPLATE_TEST_CASE(
    "a dedupe key seen again after its window is remembered anew, and prune keeps it while it is "
    "in its new window",
    "[store]", STORES_UNDER_TEST) {
  // Either order: the key seen again is the oldest key, or the newest (whose place a store that
  // keeps keys in the order they were seen may give to it again).
  const bool again_is_newest = GENERATE(false, true);
  INFO("the key seen again is the " << (again_is_newest ? "newest" : "oldest"));
  TestType db;
  manual_clock clock;
  auto opts = options_with(clock);
  opts.dedupe_window = 2h;
  auto s = db.open(opts);

  const auto first = enqueue_ok(*s, {make_run(again_is_newest ? "once" : "again")})[0];
  const auto second = enqueue_ok(*s, {make_run(again_is_newest ? "again" : "once")})[0];
  REQUIRE(first.kind == st::enqueue_result::accepted);
  REQUIRE(second.kind == st::enqueue_result::accepted);
  const auto original = again_is_newest ? second.run_id : first.run_id;

  clock.advance(3h);  // both keys are past their window
  const auto anew = enqueue_ok(*s, {make_run("again")})[0];
  REQUIRE(anew.kind == st::enqueue_result::accepted);
  CHECK(anew.run_id != original);

  clock.advance(1h);  // "again" was seen an hour ago: in its window; "once" is not
  auto pruned = s->prune(7 * 24h);
  REQUIRE(pruned);
  CHECK(pruned->dedupe_keys == 1);
  CHECK(enqueue_ok(*s, {make_run("again")})[0] ==
        st::enqueue_result{st::enqueue_result::duplicate, anew.run_id});
  CHECK(enqueue_ok(*s, {make_run("once")})[0].kind == st::enqueue_result::accepted);

  clock.advance(3h);  // now every key is past its window
  pruned = s->prune(7 * 24h);
  REQUIRE(pruned);
  CHECK(pruned->dedupe_keys == 2);
}

TEMPLATE_TEST_CASE(
    "prune takes the runs finished before its cutoff, past older runs still unfinished, and "
    "keeps old runs that finished since",
    "[store]", STORES_UNDER_TEST) {
  TestType db;
  manual_clock clock;
  auto s = db.open(options_with(clock));
  const auto queued = enqueue_ok(*s, {make_run(), make_run(), make_run(), make_run()});
  auto claimed = claim_ok(*s, 4);
  REQUIRE(claimed.size() == 4);
  std::sort(claimed.begin(), claimed.end(),
            [](const auto& a, const auto& b) { return a.id < b.id; });
  REQUIRE(s->complete(claimed[0], run_status::succeeded));  // finished long ago
  REQUIRE(s->complete(claimed[2], run_status::dead, "gave up"));
  // claimed[1] stays running: an old run still unfinished, between two that are prunable.

  clock.advance(8 * 24h);
  REQUIRE(s->complete(claimed[3], run_status::succeeded));  // old, but finished just now
  const auto recent = enqueue_ok(*s, {make_run()})[0].run_id;

  auto pruned = s->prune(7 * 24h);
  REQUIRE(pruned);
  CHECK(pruned->runs == 2);
  CHECK(s->get_run(queued[0].run_id).error().category == errc::not_found);
  CHECK(s->get_run(queued[2].run_id).error().category == errc::not_found);
  CHECK(run_of(*s, queued[1].run_id).status == run_status::running);
  CHECK(run_of(*s, queued[3].run_id).status == run_status::succeeded);
  CHECK(run_of(*s, recent).status == run_status::queued);
  auto counts = *s->counts();
  CHECK(counts.succeeded == 1);
  CHECK(counts.dead == 0);
  CHECK(counts.running == 1);
  CHECK(counts.queued == 1);
}

TEMPLATE_TEST_CASE("prune removes old finished runs, expired dedupe keys and old echoes only",
                   "[store]", STORES_UNDER_TEST) {
  TestType db;
  manual_clock clock;
  auto opts = options_with(clock);
  opts.dedupe_window = 2h;
  auto s = db.open(opts);

  // More finished runs than one prune transaction takes, so the chunking is exercised.
  std::vector<st::new_run> old_runs(1203, make_run());
  for (std::size_t i = 0; i < old_runs.size(); ++i)
    old_runs[i].dedupe_key = "old-" + std::to_string(i);
  enqueue_ok(*s, old_runs);
  auto done = claim_ok(*s, old_runs.size());
  REQUIRE(done.size() == old_runs.size());
  for (const auto& c : done) REQUIRE(s->complete(c, run_status::succeeded));
  REQUIRE(s->append_block_events(std::vector<st::block_event_record>{
      {done[0].id, 1, 0, "map", clock.now(), clock.now(), "ok", ""}}));
  const auto unfinished_old = enqueue_ok(*s, {make_run()})[0].run_id;

  clock.advance(8 * 24h);
  const auto recent = enqueue_ok(*s, {make_run("recent")})[0].run_id;
  auto recent_claim = claim_ok(*s, 2);
  REQUIRE(recent_claim.size() == 2);  // unfinished_old, then recent
  REQUIRE(s->complete(recent_claim[1], run_status::succeeded));

  auto pruned = s->prune(7 * 24h);
  REQUIRE(pruned);
  CHECK(pruned->runs == 1203);
  CHECK(pruned->dedupe_keys == 1203);
  CHECK(s->get_run(done[0].id).error().category == errc::not_found);
  CHECK(s->block_events(done[0].id)->empty());
  CHECK(run_of(*s, unfinished_old).status == run_status::running);  // unfinished: kept
  CHECK(run_of(*s, recent).status == run_status::succeeded);        // finished recently: kept
  auto counts = *s->counts();
  CHECK(counts.succeeded == 1);
  CHECK(counts.running == 1);
  CHECK(enqueue_ok(*s, {make_run("recent")})[0].kind == enqueue_result::duplicate);

  // Ids are never reused after a prune: idempotency keys stay unique.
  CHECK(enqueue_ok(*s, {make_run()})[0].run_id > recent);
  CHECK(s->prune(7 * 24h)->runs == 0);
}

TEMPLATE_TEST_CASE("installations are saved, read, listed and removed, and credentials stay secret",
                   "[store]", STORES_UNDER_TEST) {
  TestType db;
  manual_clock clock;
  auto s = db.open(options_with(clock));
  const st::installation_record acme{.integration = "shopify-sync",
                                     .id = "acme.myshopify.com",
                                     .credentials = syncline::secret("shpat_0123456789abcdef"),
                                     .settings = R"({"location":"eu"})"};
  REQUIRE(s->put_installation(acme));
  REQUIRE(s->put_installation({.integration = "shopify-sync",
                               .id = "beta.myshopify.com",
                               .credentials = syncline::secret("shpat_beta")}));

  auto got = s->get_installation("shopify-sync", "acme.myshopify.com");
  REQUIRE(got);
  REQUIRE(got->has_value());
  CHECK((*got)->credentials.reveal() == "shpat_0123456789abcdef");
  CHECK(to_string((*got)->credentials) == "***");
  CHECK((*got)->settings == R"({"location":"eu"})");
  CHECK((*got)->created_at == clock.now());

  clock.advance(1h);
  auto rotated = acme;
  rotated.credentials = syncline::secret("shpat_rotated");
  REQUIRE(s->put_installation(rotated));
  got = s->get_installation("shopify-sync", "acme.myshopify.com");
  CHECK((*got)->credentials.reveal() == "shpat_rotated");
  CHECK((*got)->created_at == clock.now() - 1h);
  CHECK((*got)->updated_at == clock.now());

  auto all = s->list_installations("shopify-sync");
  REQUIRE(all);
  REQUIRE(all->size() == 2);
  CHECK((*all)[1].id == "beta.myshopify.com");
  CHECK(s->list_installations("other")->empty());

  REQUIRE(s->remove_installation("shopify-sync", "acme.myshopify.com"));
  CHECK_FALSE(s->get_installation("shopify-sync", "acme.myshopify.com")->has_value());
  CHECK(s->remove_installation("shopify-sync", "acme.myshopify.com"));  // twice is fine

  auto bad = s->put_installation(
      {.integration = "shopify-sync", .id = "", .credentials = syncline::secret("shpat_leak_me")});
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message.find("shpat_leak_me") == std::string::npos);
}

TEMPLATE_TEST_CASE("workers of two stores on one database claim each run exactly once", "[store]",
                   STORES_UNDER_TEST) {
  TestType db;
  auto a = db.open({});
  auto b = db.reopen();  // as another process would
  constexpr int runs = 400;
  std::vector<st::new_run> batch(runs, make_run());
  enqueue_ok(*a, batch);

  std::mutex mu;
  std::multiset<std::int64_t> done;
  std::vector<std::string> errors;
  auto worker = [&](st::store& s, std::string name) {
    for (;;) {
      auto claimed = s.claim(name, 7, 60s);
      if (!claimed) {
        std::lock_guard lock(mu);
        errors.push_back(to_string(claimed.error()));
        return;
      }
      if (claimed->empty()) return;
      for (const auto& c : *claimed) {
        auto r = s.complete(c, run_status::succeeded);
        std::lock_guard lock(mu);
        if (!r) errors.push_back(to_string(r.error()));
        done.insert(c.id);
      }
    }
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < 2; ++i) {
    threads.emplace_back(worker, std::ref(*a), "a" + std::to_string(i));
    threads.emplace_back(worker, std::ref(*b), "b" + std::to_string(i));
  }
  for (auto& t : threads) t.join();

  INFO((errors.empty() ? std::string() : errors.front()));
  CHECK(errors.empty());
  CHECK(done.size() == runs);
  CHECK(std::set<std::int64_t>(done.begin(), done.end()).size() == runs);
  CHECK(a->counts()->succeeded == runs);
}

TEMPLATE_TEST_CASE("finish_many ends many runs and writes their block events in one call",
                   "[store]", STORES_UNDER_TEST) {
  TestType db;
  manual_clock clock;
  auto s = db.open(options_with(clock));
  enqueue_ok(*s, {make_run("a"), make_run("b"), make_run("c"), make_run("d")});
  auto claimed = claim_ok(*s, 10);
  REQUIRE(claimed.size() == 4);
  st::claimed_run stale = claimed[3];
  stale.lease_token = "not-the-lease";
  st::claimed_run ghost;
  ghost.id = 424242;
  ghost.lease_token = "x";
  const auto t = clock.now();
  const std::vector<st::block_event_record> events{
      {claimed[0].id, 1, 0, "to_row", t, t + 1ms, "ok", ""},
      {claimed[2].id, 1, 0, "to_row", t, t + 2ms, "error", "timeout: warehouse took over 2s"}};

  const std::vector<st::run_completion> ends{
      st::run_completion::completed(claimed[0], run_status::succeeded),
      st::run_completion::completed(claimed[1], run_status::dead, "decode: not an order"),
      st::run_completion::retried(claimed[2], t + 1min, "timeout: warehouse took over 2s"),
      st::run_completion::completed(stale, run_status::succeeded),
      st::run_completion::completed(claimed[3], run_status::queued),
      st::run_completion::completed(ghost, run_status::succeeded)};
  auto answers = s->finish_many(ends, events);
  REQUIRE(answers);
  REQUIRE(answers->size() == ends.size());
  CHECK((*answers)[0]);
  CHECK((*answers)[1]);
  CHECK((*answers)[2]);
  // Refused one by one, without undoing the others.
  CHECK((*answers)[3].error().category == errc::conflict);
  CHECK((*answers)[4].error().category == errc::invalid_input);
  CHECK((*answers)[5].error().category == errc::not_found);

  CHECK(run_of(*s, claimed[0].id).status == run_status::succeeded);
  auto dead = run_of(*s, claimed[1].id);
  CHECK(dead.status == run_status::dead);
  CHECK(dead.last_error == "decode: not an order");
  auto retried = run_of(*s, claimed[2].id);
  CHECK(retried.status == run_status::retry_wait);
  CHECK(retried.last_error == "timeout: warehouse took over 2s");
  CHECK(run_of(*s, claimed[3].id).status == run_status::running);  // its real lease still holds
  CHECK(*s->block_events(claimed[0].id) == std::vector<st::block_event_record>{events[0]});
  CHECK(*s->block_events(claimed[2].id) == std::vector<st::block_event_record>{events[1]});

  // The retried run comes back when its time comes, not before; the finished ones never do
  // (after 2 min the stale-lease run's real 30 s lease has expired too: it is claimed again).
  clock.advance(20s);
  CHECK(claim_ok(*s, 10).empty());
  clock.advance(2min);
  auto again = claim_ok(*s, 10);
  std::set<std::int64_t> ids;
  for (const auto& c : again) ids.insert(c.id);
  CHECK(ids == std::set<std::int64_t>{claimed[2].id, claimed[3].id});
  // Nothing to do is an empty answer, not an error.
  auto none = s->finish_many({}, {});
  REQUIRE(none);
  CHECK(none->empty());
}

namespace {

std::set<std::int64_t> ids_of(const std::vector<st::claimed_run>& claimed) {
  std::set<std::int64_t> out;
  for (const auto& c : claimed) out.insert(c.id);
  return out;
}

}  // namespace

TEMPLATE_TEST_CASE("claim takes due runs round robin over the tenants, older due first in a turn",
                   "[store]", STORES_UNDER_TEST) {
  TestType db;
  manual_clock clock;
  auto s = db.open(options_with(clock));
  // Queued a second apart: a1 a2 a3 a4 b1 b2 c1.
  std::map<std::string, std::int64_t> id;
  for (const auto& [name, tenant] :
       std::vector<std::pair<std::string, std::string>>{{"a1", "a.myshopify.com"},
                                                        {"a2", "a.myshopify.com"},
                                                        {"a3", "a.myshopify.com"},
                                                        {"a4", "a.myshopify.com"},
                                                        {"b1", "b.myshopify.com"},
                                                        {"b2", "b.myshopify.com"},
                                                        {"c1", "c.myshopify.com"}}) {
    id[name] = enqueue_ok(*s, {make_run(name, "{}", tenant)})[0].run_id;
    clock.advance(1s);
  }

  SECTION("each tenant's oldest first, then each one's second") {
    CHECK(ids_of(claim_ok(*s, 5)) == std::set{id["a1"], id["b1"], id["c1"], id["a2"], id["b2"]});
    CHECK(ids_of(claim_ok(*s, 10)) == std::set{id["a3"], id["a4"]});
  }
  SECTION("within a turn the run due first goes first, and each claim counts turns afresh") {
    CHECK(ids_of(claim_ok(*s, 2)) == std::set{id["a1"], id["b1"]});
    // Now a2, b2 and c1 are the turn-one runs: a2 was queued first.
    CHECK(ids_of(claim_ok(*s, 1)) == std::set{id["a2"]});
    CHECK(ids_of(claim_ok(*s, 2)) == std::set{id["a3"], id["b2"]});
    CHECK(ids_of(claim_ok(*s, 2)) == std::set{id["a4"], id["c1"]});
  }
  SECTION("a leased run is not due and takes no turn of its tenant") {
    CHECK(ids_of(claim_ok(*s, 1)) == std::set{id["a1"]});
    CHECK(ids_of(claim_ok(*s, 3)) == std::set{id["a2"], id["b1"], id["c1"]});
  }
  SECTION("a retry is ranked by its retry time, an expired lease by its expiry") {
    auto first = claim_ok(*s, 3, 10s);  // a1, b1, c1
    REQUIRE(ids_of(first) == std::set{id["a1"], id["b1"], id["c1"]});
    // a1's lease ends in 10 s; b1 is retried in 20 s; c1 is done.
    REQUIRE(s->retry_later(first[1], clock.now() + 20s, "timeout"));
    REQUIRE(s->complete(first[2], run_status::succeeded));
    clock.advance(1min);
    // a1 is now due after a2, a3 and a4 (queued before its lease ended), b1 after b2.
    CHECK(ids_of(claim_ok(*s, 2)) == std::set{id["a2"], id["b2"]});
    CHECK(ids_of(claim_ok(*s, 2)) == std::set{id["a3"], id["b1"]});
    auto last = claim_ok(*s, 10);
    CHECK(ids_of(last) == std::set{id["a1"], id["a4"]});
    REQUIRE(last.size() == 2);
    CHECK(last[0].attempt == 2);  // a1, taken over after its lease expired
  }
}

TEMPLATE_TEST_CASE("a quiet tenant's new run is in the next claim behind a backlog of 50000",
                   "[store]", STORES_UNDER_TEST) {
  TestType db;
  manual_clock clock;
  auto s = db.open(options_with(clock));
  constexpr int backlog = 50'000;
  std::vector<st::new_run> batch(1'000, make_run("", "{}", "noisy.myshopify.com"));
  std::vector<std::int64_t> oldest_noisy;
  for (int i = 0; i < backlog; i += static_cast<int>(batch.size())) {
    const auto queued = enqueue_ok(*s, batch);
    for (std::size_t k = 0; k < queued.size() && oldest_noisy.size() < 15; ++k) {
      oldest_noisy.push_back(queued[k].run_id);
    }
  }
  clock.advance(1s);
  const auto quiet = enqueue_ok(*s, {make_run("", "{}", "quiet.myshopify.com")})[0].run_id;
  clock.advance(1s);

  auto claimed = claim_ok(*s, 16);
  REQUIRE(claimed.size() == 16);
  CHECK(ids_of(claimed).contains(quiet));
  // The other 15 are the noisy tenant's 15 oldest.
  std::vector<std::int64_t> noisy;
  for (const auto& c : claimed) {
    if (c.id != quiet) noisy.push_back(c.id);
  }
  CHECK(noisy == oldest_noisy);
  CHECK(s->counts()->queued == backlog - 15);
  // Claimed in id order (store.hpp): the quiet run, queued last, comes last.
  CHECK(claimed.back().id == quiet);
}

namespace {

// The runs per status as the run log lists them, to compare with what counts() keeps.
st::run_counts counted_by_listing(st::store& s) {
  st::run_counts out;
  for (auto [status, n] :
       {std::pair{run_status::queued, &out.queued}, std::pair{run_status::running, &out.running},
        std::pair{run_status::retry_wait, &out.retry_wait},
        std::pair{run_status::succeeded, &out.succeeded},
        std::pair{run_status::skipped, &out.skipped}, std::pair{run_status::dead, &out.dead}}) {
    auto listed = s.query_runs({.status = status, .limit = 1000});
    REQUIRE(listed);
    *n = static_cast<std::int64_t>(listed->size());
  }
  return out;
}

void check_counts(st::store& s, const char* after) {
  INFO("after " << after);
  const auto kept = s.counts();
  REQUIRE(kept);
  const auto listed = counted_by_listing(s);
  CHECK(kept->queued == listed.queued);
  CHECK(kept->running == listed.running);
  CHECK(kept->retry_wait == listed.retry_wait);
  CHECK(kept->succeeded == listed.succeeded);
  CHECK(kept->skipped == listed.skipped);
  CHECK(kept->dead == listed.dead);
}

}  // namespace

TEMPLATE_TEST_CASE("the run counts follow every change of the runs, refused ones included",
                   "[store]", STORES_UNDER_TEST) {
  TestType db;
  manual_clock clock;
  auto s = db.open(options_with(clock));
  std::vector<st::new_run> batch;
  for (int i = 0; i < 12; ++i) {
    batch.push_back(make_run("key-" + std::to_string(i), "{}",
                             i % 3 == 0 ? "a.myshopify.com" : "b.myshopify.com"));
  }
  enqueue_ok(*s, batch);
  check_counts(*s, "enqueue");
  enqueue_ok(*s, {batch[0], batch[1]});  // duplicates: nothing queued
  check_counts(*s, "duplicates");

  auto first = claim_ok(*s, 8, 10s);
  REQUIRE(first.size() == 8);
  check_counts(*s, "claim");
  REQUIRE(s->complete(first[0], run_status::succeeded));
  REQUIRE(s->complete(first[1], run_status::skipped));
  REQUIRE(s->complete(first[2], run_status::dead, "422"));
  REQUIRE(s->retry_later(first[3], clock.now() + 1s, "timeout"));
  check_counts(*s, "complete and retry_later");
  CHECK_FALSE(s->complete(first[0], run_status::dead));  // the lease ended: nothing moves
  check_counts(*s, "a refused completion");

  // finish_many: an end, a retry, a stale lease (refused) and a dead letter in one call.
  std::vector<st::run_completion> done{
      st::run_completion::completed(first[4], run_status::succeeded),
      st::run_completion::retried(first[5], clock.now() + 1s, "busy"),
      st::run_completion::completed(first[1], run_status::succeeded),
      st::run_completion::completed(first[6], run_status::dead, "400")};
  auto answers = s->finish_many(done, {});
  REQUIRE(answers);
  CHECK((*answers)[2].error().category == errc::conflict);
  check_counts(*s, "finish_many");

  // first[7]'s lease expires and another claim takes it over with the retries and the rest.
  clock.advance(10s);
  auto second = claim_ok(*s, 20, 10s);
  CHECK(second.size() == 7);
  check_counts(*s, "a claim of expired leases and due retries");
  for (const auto& c : second) REQUIRE(s->complete(c, run_status::dead, "gone"));
  check_counts(*s, "dead letters");
  REQUIRE(s->replay(second[0].id));
  check_counts(*s, "replay");
  CHECK(*s->replay_all({.tenant = "a.myshopify.com"}) >= 1);
  check_counts(*s, "replay_all");

  REQUIRE(s->erase_runs("b.myshopify.com", std::vector<std::int64_t>{second[1].id, first[0].id}));
  check_counts(*s, "erase_runs");
  clock.advance(1h);
  REQUIRE(s->prune(30min));
  check_counts(*s, "prune");
  REQUIRE(s->erase_tenant("a.myshopify.com"));
  check_counts(*s, "erase_tenant");
}

TEMPLATE_TEST_CASE("enqueue_and_lease leases the first runs it accepts, as a claim would",
                   "[store]", STORES_UNDER_TEST) {
  TestType db;
  manual_clock clock;
  auto s = db.open(options_with(clock));
  std::vector<st::new_run> runs{make_run("", R"({"id":1})"), make_run("", R"({"id":2})"),
                                make_run("", R"({"id":3})")};
  std::vector<st::claimed_run> leased;
  auto queued = s->enqueue_and_lease(runs, {.worker = "worker-1", .max = 2, .lease = 10s}, leased);
  REQUIRE(queued);
  REQUIRE(queued->size() == 3);
  for (const auto& q : *queued) CHECK(q.kind == enqueue_result::accepted);
  REQUIRE(leased.size() == 2);
  CHECK(leased[0].id == (*queued)[0].run_id);
  CHECK(leased[1].id == (*queued)[1].run_id);
  CHECK(leased[0].payload == R"({"id":1})");
  CHECK(leased[0].tenant == "acme.myshopify.com");
  CHECK(leased[0].integration == "shopify-sync");
  CHECK(leased[0].workflow == "orders-to-app");
  CHECK(leased[0].trigger == "orders/create");
  CHECK(leased[0].attempt == 1);
  CHECK(leased[0].workflow_version == 1);
  CHECK(leased[0].lease_until == clock.now() + 10s);
  CHECK(leased[0].enqueued_at == clock.now());
  CHECK(leased[0].lease_token.size() >= 16);
  CHECK(leased[0].lease_token != leased[1].lease_token);
  CHECK(leased[0].idempotency_key == TestType::store_id(*s) + "-" + std::to_string(leased[0].id));
  auto counts = *s->counts();
  CHECK(counts.running == 2);
  CHECK(counts.queued == 1);

  auto rec = run_of(*s, leased[0].id);
  CHECK(rec.status == run_status::running);
  CHECK(rec.attempts == 1);
  CHECK(rec.worker == "worker-1@" + TestType::worker_identity(*s));  // as a claim records it
  CHECK(rec.payload == R"({"id":1})");

  // Only the run left queued is due; the leased ones are due again when their leases end.
  auto claimed = claim_ok(*s, 10, 10s);
  REQUIRE(claimed.size() == 1);
  CHECK(claimed[0].id == (*queued)[2].run_id);
  REQUIRE(s->next_due());
  CHECK(*s->next_due() == clock.now() + 10s);

  SECTION("a leased run ends like a claimed one") {
    REQUIRE(s->complete(leased[0], run_status::succeeded));
    REQUIRE(s->renew_lease(leased[1], 20s));
    CHECK(leased[1].lease_until == clock.now() + 20s);
    REQUIRE(s->retry_later(leased[1], clock.now() + 1s, "try again"));
    CHECK(run_of(*s, leased[0].id).status == run_status::succeeded);
    CHECK(run_of(*s, leased[1].id).status == run_status::retry_wait);
    CHECK(s->counts()->running == 1);  // the run the claim took
  }
  SECTION("a leased run whose lease expired is claimed again, and its old lease is stale") {
    clock.advance(10s);
    auto again = claim_ok(*s, 10, 10s);
    REQUIRE(again.size() == 3);  // both leased runs and the claimed one
    CHECK(again[0].id == leased[0].id);
    CHECK(again[0].attempt == 2);
    CHECK(again[0].idempotency_key == leased[0].idempotency_key);
    auto late = s->complete(leased[0], run_status::succeeded);
    REQUIRE_FALSE(late);
    CHECK(late.error().category == errc::conflict);
  }
}

TEMPLATE_TEST_CASE("enqueue_and_lease never leases a duplicate or a run the queue refused",
                   "[store]", STORES_UNDER_TEST) {
  TestType db;
  manual_clock clock;
  auto opts = options_with(clock);
  opts.max_unfinished_runs = 3;
  auto s = db.open(opts);
  const auto first = enqueue_ok(*s, {make_run("k1")})[0];

  std::vector<st::new_run> runs{make_run("k1"), make_run("k2"), make_run("k2"), make_run("k3"),
                                make_run("k4")};
  std::vector<st::claimed_run> leased;
  auto r = s->enqueue_and_lease(runs, {.worker = "worker-1", .max = 10, .lease = 30s}, leased);
  REQUIRE(r);
  REQUIRE(r->size() == 5);
  CHECK((*r)[0] == enqueue_result{enqueue_result::duplicate, first.run_id});
  CHECK((*r)[1].kind == enqueue_result::accepted);
  CHECK((*r)[2] == enqueue_result{enqueue_result::duplicate, (*r)[1].run_id});
  CHECK((*r)[3].kind == enqueue_result::accepted);
  CHECK((*r)[4] == enqueue_result{enqueue_result::queue_full, 0});
  REQUIRE(leased.size() == 2);
  CHECK(leased[0].id == (*r)[1].run_id);
  CHECK(leased[1].id == (*r)[3].run_id);
  auto counts = *s->counts();
  CHECK(counts.queued == 1);
  CHECK(counts.running == 2);
}

TEMPLATE_TEST_CASE("enqueue_and_lease refuses what enqueue and claim refuse, and writes nothing",
                   "[store]", STORES_UNDER_TEST) {
  TestType db;
  manual_clock clock;
  auto s = db.open(options_with(clock));
  std::vector<st::claimed_run> leased;
  std::vector<st::new_run> runs{make_run()};

  auto no_lease = s->enqueue_and_lease(runs, {.worker = "worker-1", .max = 1, .lease = 0s}, leased);
  REQUIRE_FALSE(no_lease);
  CHECK(no_lease.error().category == errc::invalid_input);

  runs.push_back(make_run());
  runs.back().tenant.clear();
  auto nameless =
      s->enqueue_and_lease(runs, {.worker = "worker-1", .max = 1, .lease = 30s}, leased);
  REQUIRE_FALSE(nameless);
  CHECK(nameless.error().category == errc::invalid_input);
  CHECK(leased.empty());
  CHECK(s->counts()->unfinished() == 0);

  // max 0 is enqueue: every run waits for a claim.
  runs.pop_back();
  auto none = s->enqueue_and_lease(runs, {.worker = "worker-1", .max = 0, .lease = 30s}, leased);
  REQUIRE(none);
  CHECK(leased.empty());
  CHECK(s->counts()->queued == 1);
}

TEMPLATE_TEST_CASE("enqueue_and_finish ends runs, then queues and leases runs, in one call",
                   "[store]", STORES_UNDER_TEST) {
  TestType db;
  manual_clock clock;
  auto opts = options_with(clock);
  opts.max_unfinished_runs = 3;
  auto s = db.open(opts);
  enqueue_ok(*s, {make_run("a"), make_run("b"), make_run("c")});
  auto claimed = claim_ok(*s, 10);
  REQUIRE(claimed.size() == 3);
  st::claimed_run stale = claimed[2];
  stale.lease_token = "not-the-lease";
  const auto t = clock.now();
  const std::vector<st::block_event_record> events{
      {claimed[0].id, 1, 0, "to_row", t, t + 1ms, "ok", ""}};
  const std::vector<st::run_completion> ends{
      st::run_completion::completed(claimed[0], run_status::succeeded),
      st::run_completion::retried(claimed[1], t + 1min, "timeout"),
      st::run_completion::completed(stale, run_status::succeeded)};
  // The queue is full (3 unfinished); the end before them frees one place, so of the two new
  // runs one is accepted (and leased) and one refused; "a" is a duplicate of a run that ended.
  std::vector<st::new_run> runs{make_run("d"), make_run("a"), make_run("e")};
  std::vector<st::claimed_run> leased;
  std::vector<result<void>> ended{result<void>{}, result<void>{}, result<void>{}, result<void>{}};
  auto queued = s->enqueue_and_finish(ends, events, ended, runs,
                                      {.worker = "worker-1", .max = 5, .lease = 10s}, leased);
  REQUIRE(queued);
  REQUIRE(ended.size() == 3);  // replaced, not appended to
  CHECK(ended[0]);
  CHECK(ended[1]);
  CHECK(ended[2].error().category == errc::conflict);
  REQUIRE(queued->size() == 3);
  CHECK((*queued)[0].kind == enqueue_result::accepted);
  CHECK((*queued)[1] == enqueue_result{enqueue_result::duplicate, claimed[0].id});
  CHECK((*queued)[2].kind == enqueue_result::queue_full);
  REQUIRE(leased.size() == 1);
  CHECK(leased[0].id == (*queued)[0].run_id);
  CHECK(run_of(*s, claimed[0].id).status == run_status::succeeded);
  CHECK(run_of(*s, claimed[1].id).status == run_status::retry_wait);
  CHECK(run_of(*s, claimed[2].id).status == run_status::running);
  CHECK(run_of(*s, leased[0].id).status == run_status::running);
  CHECK(*s->block_events(claimed[0].id) == events);
  auto counts = *s->counts();
  CHECK(counts.succeeded == 1);
  CHECK(counts.retry_wait == 1);
  CHECK(counts.running == 2);
  CHECK(counts.queued == 0);

  SECTION("with nothing to lease, the runs wait for a claim") {
    REQUIRE(s->complete(leased[0], run_status::succeeded));
    std::vector<st::claimed_run> none;
    std::vector<st::new_run> more{make_run("f")};
    auto q = s->enqueue_and_finish({}, {}, ended, more, {}, none);
    REQUIRE(q);
    CHECK(ended.empty());
    CHECK(none.empty());
    REQUIRE(q->size() == 1);
    CHECK((*q)[0].kind == enqueue_result::accepted);
    CHECK(s->counts()->queued == 1);
  }
  SECTION("ends alone are written, and answer an empty list of runs") {
    const std::vector<st::run_completion> last{
        st::run_completion::completed(claimed[2], run_status::dead, "no")};
    std::vector<st::claimed_run> none;
    auto q = s->enqueue_and_finish(last, {}, ended, {}, {}, none);
    REQUIRE(q);
    CHECK(q->empty());
    REQUIRE(ended.size() == 1);
    CHECK(ended[0]);
    CHECK(run_of(*s, claimed[2].id).status == run_status::dead);
  }
  SECTION("a run without its names refuses the call: every end answers the error") {
    std::vector<st::new_run> bad{make_run("g")};
    bad[0].tenant.clear();
    std::vector<st::claimed_run> none;
    const std::vector<st::run_completion> last{
        st::run_completion::completed(claimed[2], run_status::succeeded)};
    auto q = s->enqueue_and_finish(last, {}, ended, bad, {}, none);
    REQUIRE_FALSE(q);
    CHECK(q.error().category == errc::invalid_input);
    REQUIRE(ended.size() == 1);
    CHECK_FALSE(ended[0]);
  }
}

TEMPLATE_TEST_CASE("text with quotes, backslashes, braces and commas comes back as it went in",
                   "[store]", STORES_UNDER_TEST) {
  // The PostgreSQL store sends a batch as arrays (one statement of fixed text): every element
  // must survive the array literal's quoting.
  TestType db;
  manual_clock clock;
  auto s = db.open(options_with(clock));
  const std::vector<std::string> odd{R"(a"b)", R"(c\d)", "{e,f}",  "",
                                     "NULL",   " g ",    R"(\"})", "caf\xc3\xa9"};
  std::vector<st::new_run> runs;
  for (std::size_t i = 0; i < odd.size(); ++i) {
    auto r = make_run(odd[i].empty() ? "" : "key " + odd[i], odd[i] + "\\x00{}",
                      "shop " + odd[i] + ".myshopify.com", "flow " + odd[i]);
    runs.push_back(std::move(r));
  }
  const auto queued = enqueue_ok(*s, runs);
  auto claimed = claim_ok(*s, odd.size());
  REQUIRE(claimed.size() == odd.size());
  std::ranges::sort(claimed, {}, &st::claimed_run::id);
  std::vector<st::run_completion> ends;
  std::vector<st::block_event_record> events;
  const auto t = clock.now();
  for (std::size_t i = 0; i < odd.size(); ++i) {
    INFO("element " << i);
    CHECK(claimed[i].id == queued[i].run_id);
    CHECK(claimed[i].tenant == runs[i].tenant);
    CHECK(claimed[i].workflow == runs[i].workflow);
    CHECK(claimed[i].dedupe_key == runs[i].dedupe_key);
    CHECK(claimed[i].payload == runs[i].payload);
    ends.push_back(st::run_completion::completed(claimed[i], run_status::dead, "died: " + odd[i]));
    events.push_back({claimed[i].id, 1, 0, "block " + odd[i], t, t + 1ms, "error", odd[i]});
  }
  auto answers = s->finish_many(ends, events);
  REQUIRE(answers);
  for (std::size_t i = 0; i < odd.size(); ++i) {
    INFO("element " << i);
    CHECK((*answers)[i]);
    CHECK(run_of(*s, claimed[i].id).last_error == "died: " + odd[i]);
    CHECK(*s->block_events(claimed[i].id) == std::vector<st::block_event_record>{events[i]});
  }
  // The keys were remembered as given: each is a duplicate now.
  const auto again = enqueue_ok(*s, runs);
  for (std::size_t i = 0; i < odd.size(); ++i) {
    if (!runs[i].dedupe_key.empty())
      CHECK(again[i] == enqueue_result{enqueue_result::duplicate, queued[i].run_id});
  }
}

}  // namespace unity_store_store_conformance_test
