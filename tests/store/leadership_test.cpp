// Leadership and cursor fencing, what lets several engines share one database: a role
// (store::lead) is held by one store at a time, is free the moment its holder is gone (resigned,
// closed, or its process killed) and never while it lives; and a cursor write that says what it
// read is refused once another store moved the cursor, with nothing of its transaction written.
#include <syncline/store/role_lock.hpp>
#include <syncline/store/sqlite_store.hpp>
#include <syncline_test_support/child_process.hpp>

#include <catch2/catch.hpp>

#include <cstring>
#include <optional>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include "store/store_fixture.hpp"

using namespace store_test;
using syncline::errc;

namespace {

bool leads(st::store& s, std::string_view role) {
  auto r = s.lead(role);
  INFO((r ? std::string("ok") : to_string(r.error())));
  REQUIRE(r);
  return *r;
}

// The child: opens the store, takes the role, tells the parent, and waits to be killed.
[[noreturn]] void lead_then_wait(const std::filesystem::path& db, manual_clock& clock, int out) {
  auto s = st::sqlite_store::open(db, options_with(clock));
  if (!s) ::_exit(2);
  auto took = (*s)->lead("sources");
  const char* line = took && *took ? "leads\n" : "follows\n";
  if (::write(out, line, std::strlen(line)) < 0) ::_exit(3);
  for (;;) ::pause();
}

const st::cursor_key feed_key{"acme.myshopify.com", "shopify-sync", "read_feed/feed"};

}  // namespace

TEST_CASE("a role has one holder among the stores of a database until it lets go",
          "[store][leadership]") {
  temp_dir dir;
  manual_clock clock;
  const auto db = dir.file("store.db");
  auto a = open_store(db, options_with(clock));
  auto b = open_store(db, options_with(clock));

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

TEST_CASE("a role held by a process killed with SIGKILL is free at once", "[store][leadership]") {
  temp_dir dir;
  manual_clock clock;
  const auto db = dir.file("store.db");
  { open_store(db, options_with(clock)); }  // the schema, before the child forks
  syncline::testing::child_process child([&](int out) { lead_then_wait(db, clock, out); });
  const std::string said = child.read_line();
  auto s = open_store(db, options_with(clock));
  const bool while_alive = leads(*s, "sources");
  const int status = child.kill_and_wait();
  REQUIRE(said == "leads");
  CHECK(WIFSIGNALED(status));
  CHECK_FALSE(while_alive);  // a live holder keeps its role, however long
  CHECK(leads(*s, "sources"));
}

TEST_CASE("a role name that is not [a-z0-9_-]{1,64} is refused", "[store][leadership]") {
  temp_dir dir;
  manual_clock clock;
  auto s = open_store(dir.file("store.db"), options_with(clock));
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
  CHECK(syncline::store::role_lock::valid_role(std::string(64, 'a')));
  CHECK(leads(*s, "poll_2-a"));
}

TEST_CASE("a cursor write that says what it read is refused once another store moved it",
          "[store][leadership]") {
  temp_dir dir;
  manual_clock clock;
  const auto db = dir.file("store.db");
  auto a = open_store(db, options_with(clock));
  auto b = open_store(db, options_with(clock));

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
