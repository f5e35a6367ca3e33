// Erasure in the store (issue 14: customers/redact, shop/redact), against every store of
// STORES_UNDER_TEST: a customer's runs are found by payload in pages and erased with their block
// events and dedupe keys, a shop's data is erased whole, and neither touches another tenant; a
// worker whose run was erased under it is told not_found; the erasure log keeps counts, never
// the erased data.
#include <syncline/store/store.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/store_fixture.hpp"
#include "store/stores_under_test.hpp"

namespace unity_store_erasure_conformance_test {

using namespace store_test;
using st::run_status;
using syncline::errc;

namespace {

constexpr const char* shop_a = "a-shop.myshopify.com";
constexpr const char* shop_b = "b-shop.myshopify.com";

// What the store holds of one tenant, read through the interface.
struct tenant_rows {
  std::vector<std::int64_t> runs{};
  std::size_t block_events = 0;
  std::optional<std::string> cursor{};
  bool echo_1001 = false, echo_1002 = false;
  bool installed = false;
  bool operator==(const tenant_rows&) const = default;
};

tenant_rows rows_of(st::store& s, const std::string& tenant) {
  tenant_rows out;
  st::run_query q;
  q.filter.tenant = tenant;
  q.limit = 1000;
  auto runs = s.query_runs(q);
  REQUIRE(runs);
  for (const auto& r : *runs) {
    out.runs.push_back(r.id);
    auto events = s.block_events(r.id);
    REQUIRE(events);
    out.block_events += events->size();
  }
  auto cursor = s.get_cursor({tenant, "shopify-sync", "orders_poll"});
  REQUIRE(cursor);
  out.cursor = *cursor;
  auto e1 = s.is_echo({tenant, "shopify-sync", "1001", "fp-1"});
  auto e2 = s.is_echo({tenant, "shopify-sync", "1002", "fp-1"});
  REQUIRE(e1);
  REQUIRE(e2);
  out.echo_1001 = *e1;
  out.echo_1002 = *e2;
  auto installed = s.get_installation("shopify-sync", tenant);
  REQUIRE(installed);
  out.installed = installed->has_value();
  return out;
}

// Three runs (two of customer 7, one of customer 8), each with a dedupe key and a block event,
// a cursor, two echo records of order 1001 and one of 1002, and an installation. Answers the run
// ids.
std::vector<std::int64_t> give_data(st::store& s, const std::string& tenant, manual_clock& clock) {
  std::vector<st::new_run> runs;
  for (int i = 0; i < 3; ++i) {
    runs.push_back(make_run(
        "wh-" + tenant + "-" + std::to_string(i),
        i < 2 ? R"({"customer":{"id":7,"email":"jane@example.com"}})" : R"({"customer":{"id":8}})",
        tenant));
  }
  std::vector<std::int64_t> ids;
  for (const auto& r : enqueue_ok(s, runs)) ids.push_back(r.run_id);
  std::vector<st::block_event_record> events;
  for (auto id : ids) {
    events.push_back({id, 1, 0, "to_app", clock.now(), clock.now() + 1ms, "ok", ""});
  }
  REQUIRE(s.append_block_events(events));
  REQUIRE(s.set_cursor({{tenant, "shopify-sync", "orders_poll"}, "cursor-of-" + tenant}));
  REQUIRE(s.record_echo({tenant, "shopify-sync", "1001", "fp-1"}));
  REQUIRE(s.record_echo({tenant, "shopify-sync", "1001", "fp-2"}));
  REQUIRE(s.record_echo({tenant, "shopify-sync", "1002", "fp-1"}));
  REQUIRE(s.put_installation({.integration = "shopify-sync",
                              .id = tenant,
                              .credentials = syncline::secret("token-of-" + tenant),
                              .settings = "{}"}));
  return ids;
}

bool is_customer_7(std::string_view payload) {
  return payload.find(R"("customer":{"id":7,)") != std::string_view::npos;
}

st::enqueue_result::kind_t redelivery(st::store& s, const std::string& tenant, int i) {
  return enqueue_ok(s, {make_run("wh-" + tenant + "-" + std::to_string(i), "{}", tenant)})[0].kind;
}

}  // namespace

TEMPLATE_TEST_CASE("erasing a tenant removes its runs, log, keys, echoes and cursors, no other's",
                   "[store]", STORES_UNDER_TEST) {
  TestType db;
  manual_clock clock;
  auto s = db.open(options_with(clock));
  give_data(*s, shop_a, clock);
  give_data(*s, shop_b, clock);
  const auto b_before = rows_of(*s, shop_b);
  REQUIRE(b_before.runs.size() == 3);

  auto erased = s->erase_tenant(shop_a);
  REQUIRE(erased);
  CHECK(*erased ==
        st::erasure_counts{
            .runs = 3, .block_events = 3, .dedupe_keys = 3, .echo_records = 3, .cursors = 1});
  const auto a_after = rows_of(*s, shop_a);
  CHECK(a_after.runs.empty());
  CHECK(a_after.block_events == 0);
  CHECK_FALSE(a_after.cursor);
  CHECK_FALSE(a_after.echo_1001);
  CHECK_FALSE(a_after.echo_1002);
  CHECK(a_after.installed);  // remove_installation's job, not this one's
  CHECK(rows_of(*s, shop_b) == b_before);
  auto counts = s->counts();
  REQUIRE(counts);
  CHECK(counts->queued == 3);  // the run counters follow
  // The keys are gone with the runs: a redelivery is a new run (erasure wins over dedupe).
  CHECK(redelivery(*s, shop_a, 0) == st::enqueue_result::accepted);
  CHECK(redelivery(*s, shop_b, 0) == st::enqueue_result::duplicate);

  auto again = s->erase_tenant("nobody.myshopify.com");
  REQUIRE(again);
  CHECK(*again == st::erasure_counts{});
  auto empty = s->erase_tenant("");
  REQUIRE_FALSE(empty);
  CHECK(empty.error().category == errc::invalid_input);
}

TEMPLATE_TEST_CASE(
    "a customer's runs are found by payload and erased, and other tenants' ids "
    "are ignored",
    "[store]", STORES_UNDER_TEST) {
  TestType db;
  manual_clock clock;
  auto s = db.open(options_with(clock));
  const auto a_ids = give_data(*s, shop_a, clock);
  const auto b_ids = give_data(*s, shop_b, clock);
  const auto b_before = rows_of(*s, shop_b);

  auto matching = s->runs_matching(shop_a, is_customer_7);
  REQUIRE(matching);
  CHECK(*matching == std::vector<std::int64_t>{a_ids[0], a_ids[1]});

  // B's ids (and one that never existed) given with tenant A delete nothing of B's.
  std::vector<std::int64_t> doomed = *matching;
  doomed.insert(doomed.end(), b_ids.begin(), b_ids.end());
  doomed.push_back(999'999);
  auto erased = s->erase_runs(shop_a, doomed);
  REQUIRE(erased);
  CHECK(*erased == st::erasure_counts{.runs = 2, .block_events = 2, .dedupe_keys = 2});
  CHECK(rows_of(*s, shop_b) == b_before);
  const auto a_after = rows_of(*s, shop_a);
  CHECK(a_after.runs == std::vector<std::int64_t>{a_ids[2]});
  CHECK(a_after.block_events == 1);
  CHECK(a_after.cursor);     // erase_runs leaves the rest of the tenant
  CHECK(a_after.echo_1001);  // (erase_echo_records does the echoes)
  CHECK(redelivery(*s, shop_a, 0) == st::enqueue_result::accepted);
  CHECK(redelivery(*s, shop_a, 2) == st::enqueue_result::duplicate);

  auto none = s->runs_matching(shop_a, is_customer_7);
  REQUIRE(none);
  CHECK(none->empty());  // customer 8's run and the redelivery ("{}") are left
}

TEMPLATE_TEST_CASE("runs_matching walks more runs than one page, of every status, oldest first",
                   "[store]", STORES_UNDER_TEST) {
  TestType db;
  manual_clock clock;
  auto s = db.open(options_with(clock));
  const std::size_t total = 2 * st::runs_matching_page + 5;
  std::vector<st::new_run> runs;
  for (std::size_t i = 0; i < total; ++i) {
    const bool ours = i % 50 == 7;
    runs.push_back(make_run("",
                            ours ? R"({"customer":{"id":7,"n":)" + std::to_string(i) + "}}"
                                 : R"({"customer":{"id":1}})",
                            shop_a));
  }
  std::vector<std::int64_t> expected;
  const auto queued = enqueue_ok(*s, runs);
  for (std::size_t i = 0; i < total; ++i) {
    if (i % 50 == 7) expected.push_back(queued[i].run_id);
  }
  // Another tenant's runs of the same customer id are not this tenant's.
  enqueue_ok(*s, {make_run("", R"({"customer":{"id":7,"n":0}})", shop_b)});
  // Some finished, some running, the rest queued.
  auto claimed = claim_ok(*s, 40);
  for (std::size_t i = 0; i < 20; ++i) REQUIRE(s->complete(claimed[i], run_status::succeeded));

  std::size_t seen = 0;
  auto matching = s->runs_matching(shop_a, [&](std::string_view payload) {
    ++seen;
    return payload.find(R"("customer":{"id":7,)") != std::string_view::npos;
  });
  REQUIRE(matching);
  CHECK(seen == total);  // every run once: no page skipped or read twice
  CHECK(*matching == expected);
  CHECK(std::is_sorted(matching->begin(), matching->end()));

  auto empty = s->runs_matching("", is_customer_7);
  REQUIRE_FALSE(empty);
  CHECK(empty.error().category == errc::invalid_input);
}

TEMPLATE_TEST_CASE("a run erased while leased: its worker's finish and renew are not_found",
                   "[store]", STORES_UNDER_TEST) {
  TestType db;
  manual_clock clock;
  auto s = db.open(options_with(clock));
  enqueue_ok(*s, {make_run("wh-1", R"({"customer":{"id":7,"x":1}})", shop_a),
                  make_run("wh-2", R"({"customer":{"id":7,"x":2}})", shop_a)});
  auto claimed = claim_ok(*s, 2);
  REQUIRE(claimed.size() == 2);
  const std::vector<std::int64_t> ids{claimed[0].id, claimed[1].id};
  auto erased = s->erase_runs(shop_a, ids);
  REQUIRE(erased);
  CHECK(erased->runs == 2);

  auto done = s->complete(claimed[0], run_status::succeeded);
  REQUIRE_FALSE(done);
  CHECK(done.error().category == errc::not_found);
  auto renewed = s->renew_lease(claimed[0], 30s);
  REQUIRE_FALSE(renewed);
  CHECK(renewed.error().category == errc::not_found);
  auto retry = s->retry_later(claimed[0], clock.now() + 1min, "timeout");
  REQUIRE_FALSE(retry);
  CHECK(retry.error().category == errc::not_found);
  const std::vector<st::run_completion> batch{
      st::run_completion::completed(claimed[1], run_status::succeeded)};
  auto many = s->finish_many(batch, {});
  REQUIRE(many);  // the batch itself is fine: its one completion is answered not_found
  REQUIRE(many->size() == 1);
  REQUIRE_FALSE(many->front());
  CHECK(many->front().error().category == errc::not_found);
  auto counts = s->counts();
  REQUIRE(counts);
  CHECK(counts->running == 0);
  CHECK(counts->succeeded == 0);
}

TEMPLATE_TEST_CASE("erasing echo records removes the tenant's records of those ids only", "[store]",
                   STORES_UNDER_TEST) {
  TestType db;
  manual_clock clock;
  auto s = db.open(options_with(clock));
  give_data(*s, shop_a, clock);
  give_data(*s, shop_b, clock);
  const std::vector<std::string> orders{"1001", "9999"};
  auto erased = s->erase_echo_records(shop_a, orders);
  REQUIRE(erased);
  CHECK(*erased == 2);  // both fingerprints of 1001
  const auto a = rows_of(*s, shop_a);
  CHECK_FALSE(a.echo_1001);
  CHECK(a.echo_1002);
  CHECK(rows_of(*s, shop_b).echo_1001);
  auto none = s->erase_echo_records(shop_a, {});
  REQUIRE(none);
  CHECK(*none == 0);
}

TEMPLATE_TEST_CASE("the erasure log keeps what was erased and why, never the erased data",
                   "[store]", STORES_UNDER_TEST) {
  TestType db;
  manual_clock clock;
  auto s = db.open(options_with(clock));
  give_data(*s, shop_a, clock);
  give_data(*s, shop_b, clock);
  auto doomed = s->runs_matching(shop_a, is_customer_7);
  REQUIRE(doomed);
  auto counts = s->erase_runs(shop_a, *doomed);
  REQUIRE(counts);
  const std::vector<std::string> orders{"1001"};
  auto echoes = s->erase_echo_records(shop_a, orders);
  REQUIRE(echoes);
  st::erasure_record record{.tenant = shop_a, .kind = "customers/redact", .request = "req-42"};
  record.counts = *counts;
  record.counts.echo_records = *echoes;
  clock.advance(1s);
  auto id = s->record_erasure(record);
  REQUIRE(id);
  CHECK(*id > 0);
  clock.advance(1s);
  auto second = s->record_erasure({.tenant = shop_a, .kind = "shop/redact", .request = "shop-1"});
  REQUIRE(second);
  CHECK(*second > *id);

  auto log = s->erasures(shop_a);
  REQUIRE(log);
  REQUIRE(log->size() == 2);
  const auto& first = log->front();
  CHECK(first.id == *id);
  CHECK(first.tenant == shop_a);
  CHECK(first.kind == "customers/redact");
  CHECK(first.request == "req-42");
  CHECK(first.counts ==
        st::erasure_counts{.runs = 2, .block_events = 2, .dedupe_keys = 2, .echo_records = 2});
  CHECK(first.at == clock.now() - 1s);
  CHECK(log->back().kind == "shop/redact");
  auto of_b = s->erasures(shop_b);
  REQUIRE(of_b);
  CHECK(of_b->empty());

  // What the store still answers holds none of the erased customer's data: A's only run left is
  // customer 8's, and nothing of the log quotes a payload.
  st::run_query all;
  all.filter.tenant = shop_a;
  all.with_payload = true;
  auto left = s->query_runs(all);
  REQUIRE(left);
  for (const auto& r : *left) CHECK(r.payload.find("jane@example.com") == std::string::npos);
  for (const auto& e : *log) {
    CHECK(e.request.find("jane") == std::string::npos);
    CHECK(e.kind.find("jane") == std::string::npos);
  }
}

TEMPLATE_TEST_CASE("a malformed erasure record is invalid input and is not logged", "[store]",
                   STORES_UNDER_TEST) {
  TestType db;
  manual_clock clock;
  auto s = db.open(options_with(clock));
  const std::vector<st::erasure_record> bad{
      {.tenant = "", .kind = "shop/redact"},
      {.tenant = shop_a, .kind = "customers/delete"},
      {.tenant = shop_a, .kind = ""},
      {.tenant = shop_a, .kind = "operator", .request = std::string(257, 'r')},
      {.tenant = shop_a, .kind = "operator", .request = std::string("a\0b", 3)},
  };
  for (const auto& e : bad) {
    auto r = s->record_erasure(e);
    REQUIRE_FALSE(r);
    CHECK(r.error().category == errc::invalid_input);
  }
  auto log = s->erasures(shop_a);
  REQUIRE(log);
  CHECK(log->empty());
  REQUIRE(s->record_erasure({.tenant = shop_a, .kind = "uninstall"}));
  REQUIRE(
      s->record_erasure({.tenant = shop_a, .kind = "operator", .request = std::string(256, 'r')}));
}

}  // namespace unity_store_erasure_conformance_test
