// Leadership and cursor fencing, what lets several engines share one database, for every store
// of STORES_UNDER_TEST: a role (store::lead) is held by one store at a time and is free once its
// holder resigns or closes; and a cursor write that says what it read is refused once another
// store moved the cursor, with nothing of its transaction written. (A holder killed with SIGKILL:
// leadership_test.cpp for SQLite, postgres_store_test.cpp for PostgreSQL.)
#include <syncline/store/role_name.hpp>
#include <syncline/store/store.hpp>

#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

#include "store/store_fixture.hpp"
#include "store/stores_under_test.hpp"

namespace unity_store_leadership_conformance_test {

using namespace store_test;
using syncline::errc;

namespace {

const st::cursor_key feed_key{"acme.myshopify.com", "shopify-sync", "read_feed/feed"};

}  // namespace

TEMPLATE_TEST_CASE("a role has one holder among the stores of a database until it lets go",
                   "[store][leadership]", STORES_UNDER_TEST) {
  TestType db;
  manual_clock clock;
  auto a = db.open(options_with(clock));
  auto b = db.reopen();

  CHECK(leads(*a, "sources"));
  CHECK(leads(*a, "sources"));  // asking again keeps it
  CHECK_FALSE(leads(*b, "sources"));
  CHECK(leads(*b, "prune"));  // roles are independent
  CHECK_FALSE(leads(*a, "prune"));

  REQUIRE(a->resign("sources"));
  REQUIRE(a->resign("sources"));  // resigning what is not held does nothing
  CHECK(leads(*b, "sources"));
  CHECK_FALSE(leads(*a, "sources"));

  b.reset();  // a closed store holds nothing
  CHECK(leads(*a, "sources"));
  CHECK(leads(*a, "prune"));
}

TEMPLATE_TEST_CASE("a role name that is not [a-z0-9_-]{1,64} is refused", "[store][leadership]",
                   STORES_UNDER_TEST) {
  TestType db;
  manual_clock clock;
  auto s = db.open(options_with(clock));
  for (const std::string& bad :
       std::vector<std::string>{"", "../escape", "Sources", std::string(65, 'a'), "a b"}) {
    INFO(bad);
    auto r = s->lead(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().category == errc::invalid_input);
    auto g = s->resign(bad);
    REQUIRE_FALSE(g);
    CHECK(g.error().category == errc::invalid_input);
  }
  CHECK(syncline::store::valid_role_name(std::string(64, 'a')));
  CHECK(leads(*s, "poll_2-a"));
}

TEMPLATE_TEST_CASE("a cursor write that says what it read is refused once another store moved it",
                   "[store][leadership]", STORES_UNDER_TEST) {
  TestType db;
  manual_clock clock;
  auto a = db.open(options_with(clock));
  auto b = db.reopen();

  // Both read "no cursor"; the first write wins, the second is fenced.
  REQUIRE(a->set_cursor({feed_key, "p1", st::cursor_read{std::nullopt}}));
  auto late = b->set_cursor({feed_key, "p1-again", st::cursor_read{std::nullopt}});
  REQUIRE_FALSE(late);
  CHECK(late.error().category == errc::conflict);
  CHECK(late.error().message.find("moved by another process") != std::string::npos);
  CHECK(*a->get_cursor(feed_key) == std::optional<std::string>("p1"));

  // A stale leader's page: neither its runs nor its cursor are written.
  REQUIRE(b->enqueue_with_cursor(std::vector{make_run("item-3")},
                                 {feed_key, "p2", st::cursor_read{"p1"}}));
  auto stale = a->enqueue_with_cursor(std::vector{make_run("item-3-stale"), make_run("item-4")},
                                      {feed_key, "p2-stale", st::cursor_read{"p1"}});
  REQUIRE_FALSE(stale);
  CHECK(stale.error().category == errc::conflict);
  CHECK(*a->get_cursor(feed_key) == std::optional<std::string>("p2"));
  auto counts = a->counts();
  REQUIRE(counts);
  CHECK(counts->queued == 1);

  // Without `after` a write is unconditional (an operator resetting a cursor).
  REQUIRE(a->set_cursor({feed_key, "", std::nullopt}));
  CHECK(*b->get_cursor(feed_key) == std::optional<std::string>(""));
}

}  // namespace unity_store_leadership_conformance_test
