// The SQLite store's roles (store::lead) are lock files beside the database: a role held by a
// process killed with SIGKILL is free at once, and never while its holder lives. What every
// store does with roles and cursors: leadership_conformance_test.cpp.
#include <syncline/store/sqlite_store.hpp>
#include <syncline_test_support/child_process.hpp>

#include <catch2/catch.hpp>

#include <cstring>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

#include "store/store_fixture.hpp"

namespace unity_store_leadership_test {

using namespace store_test;
using syncline::errc;

namespace {

// The child: opens the store, takes the role, tells the parent, and waits to be killed.
[[noreturn]] void lead_then_wait(const std::filesystem::path& db, manual_clock& clock, int out) {
  auto s = st::sqlite_store::open(db, options_with(clock));
  if (!s) ::_exit(2);
  auto took = (*s)->lead("sources");
  const char* line = took && *took ? "leads\n" : "follows\n";
  if (::write(out, line, std::strlen(line)) < 0) ::_exit(3);
  for (;;) ::pause();
}

}  // namespace

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

}  // namespace unity_store_leadership_test
