// Workflow versions in the store, against every store of STORES_UNDER_TEST: a run keeps the
// version of the workflow that queued it, and a claim given the versions an engine has takes only
// their runs (store.hpp, claim), so that during a rolling deploy old and new binaries sharing one
// database each run the versions they have.
#include <syncline/store/store.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "store/store_fixture.hpp"
#include "store/stores_under_test.hpp"

namespace unity_store_workflow_version_conformance_test {

using namespace store_test;
using st::run_status;
using syncline::errc;

namespace {

st::new_run run_of_version(std::uint32_t version, std::string tenant = "acme.myshopify.com",
                           std::string workflow = "orders-to-app") {
  auto r = make_run("", "{}", std::move(tenant), std::move(workflow));
  r.workflow_version = version;
  return r;
}

std::vector<st::claimed_run> claim_of(st::store& s, const std::vector<std::string>& runnable,
                                      std::size_t max = 10) {
  auto r = s.claim("worker-1", max, 30s, &runnable);
  INFO((r ? std::string("ok") : to_string(r.error())));
  REQUIRE(r);
  return *r;
}

std::string key(std::uint32_t version, std::string workflow = "orders-to-app") {
  return st::workflow_version_key("shopify-sync", workflow, version);
}

}  // namespace

TEST_CASE("a workflow version key names integration, workflow and version", "[store]") {
  CHECK(st::workflow_version_key("shopify_sync", "push_orders", 12) ==
        "shopify_sync/push_orders@12");
}

TEMPLATE_TEST_CASE("a run keeps the version of the workflow that queued it", "[store]",
                   STORES_UNDER_TEST) {
  TestType db;
  manual_clock clock;
  auto s = db.open(options_with(clock));
  auto queued = enqueue_ok(*s, {run_of_version(1), run_of_version(3)});
  CHECK(run_of(*s, queued[0].run_id).workflow_version == 1);
  CHECK(run_of(*s, queued[1].run_id).workflow_version == 3);
  auto with_payload = s->get_run(queued[1].run_id);
  REQUIRE(with_payload);
  CHECK(with_payload->workflow_version == 3);

  clock.advance(1s);
  auto claimed = claim_ok(*s, 10);  // no runnable list: any version
  REQUIRE(claimed.size() == 2);
  CHECK(claimed[0].workflow_version == 1);
  CHECK(claimed[1].workflow_version == 3);
  // A replay keeps it: the run is still the one version 3 queued.
  REQUIRE(s->complete(claimed[1], run_status::dead, "failed"));
  REQUIRE(s->replay(claimed[1].id));
  clock.advance(1s);
  auto again = claim_ok(*s, 10);
  REQUIRE(again.size() == 1);
  CHECK(again[0].workflow_version == 3);
}

TEMPLATE_TEST_CASE("a run of version 0 is refused before it reaches the queue", "[store]",
                   STORES_UNDER_TEST) {
  TestType db;
  manual_clock clock;
  auto s = db.open(options_with(clock));
  auto r = s->enqueue(std::vector<st::new_run>{run_of_version(0)});
  REQUIRE_FALSE(r);
  CHECK(r.error().category == errc::invalid_input);
  CHECK_THAT(r.error().message, Catch::Contains("versions start at 1"));
  CHECK(s->counts()->queued == 0);
}

TEMPLATE_TEST_CASE("a claim takes only the runs of the workflow versions it is given", "[store]",
                   STORES_UNDER_TEST) {
  TestType db;
  manual_clock clock;
  auto s = db.open(options_with(clock));
  // An old binary's runs (version 1) and a new one's (version 2), in one queue.
  auto queued = enqueue_ok(*s, {run_of_version(1), run_of_version(2), run_of_version(1),
                                run_of_version(2, "acme.myshopify.com", "orders-to-warehouse")});
  clock.advance(1s);

  // The new binary has version 2 of orders-to-app only.
  auto new_binary = claim_of(*s, {key(2)});
  REQUIRE(new_binary.size() == 1);
  CHECK(new_binary[0].id == queued[1].run_id);
  // The old binary has version 1 of orders-to-app and version 2 of the other workflow.
  auto old_binary = claim_of(*s, {key(1), key(2, "orders-to-warehouse")});
  REQUIRE(old_binary.size() == 3);
  CHECK(old_binary[0].id == queued[0].run_id);
  CHECK(old_binary[1].id == queued[2].run_id);
  CHECK(old_binary[2].id == queued[3].run_id);
  CHECK(s->counts()->running == 4);
}

TEMPLATE_TEST_CASE("runs of a version no engine has wait, and fairness skips past them", "[store]",
                   STORES_UNDER_TEST) {
  TestType db;
  manual_clock clock;
  auto s = db.open(options_with(clock));
  // Shop a: ten runs of a retired version 1 nobody runs any more, then one of version 2.
  std::vector<st::new_run> runs;
  for (int i = 0; i < 10; ++i) runs.push_back(run_of_version(1, "a.myshopify.com"));
  runs.push_back(run_of_version(2, "a.myshopify.com"));
  runs.push_back(run_of_version(2, "b.myshopify.com"));
  auto queued = enqueue_ok(*s, runs);
  clock.advance(1s);

  // An engine with nothing installed claims nothing (not "anything").
  CHECK(claim_of(*s, {}).empty());

  auto claimed = claim_of(*s, {key(2)}, 1);
  auto second = claim_of(*s, {key(2)}, 1);
  REQUIRE(claimed.size() == 1);
  REQUIRE(second.size() == 1);
  // Each shop's version-2 run, one per claim (round robin), though shop a's oldest runs are
  // version 1's.
  CHECK(std::set<std::int64_t>{claimed[0].id, second[0].id} ==
        std::set<std::int64_t>{queued[10].run_id, queued[11].run_id});
  CHECK(claim_of(*s, {key(2)}).empty());
  CHECK(s->counts()->queued == 10);  // still there, for an engine that has version 1
  auto old_engine = claim_of(*s, {key(1)}, 20);
  CHECK(old_engine.size() == 10);
}

}  // namespace unity_store_workflow_version_conformance_test
