// Taking over the runs of a worker that is provably gone: a store whose process was killed, or
// that was closed while it still leased runs, leaves its worker lock free, and a store of the
// same host claims those runs at once instead of after their lease. A live worker (its lock
// held), a worker of another host and a worker whose lock file is missing keep their lease.
// Time moves only by the manual clock: a run claimed before its lease ended was taken over.
#include <syncline/store/sqlite_store.hpp>
#include <syncline/store/worker_lock.hpp>
#include <syncline_test_support/child_process.hpp>

#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <string>
#include <sys/wait.h>
#include <vector>

#include "store/store_fixture.hpp"

namespace unity_store_takeover_test {

using namespace store_test;
using st::run_status;
using syncline::errc;

namespace {

std::vector<st::claimed_run> claim_as(st::store& s, std::string_view worker, std::size_t max = 10) {
  auto r = s.claim(worker, max, 30s);
  INFO((r ? std::string("ok") : to_string(r.error())));
  REQUIRE(r);
  return *r;
}

std::int64_t enqueue_one(st::store& s, std::string key) {
  auto r = s.enqueue(std::vector{make_run(std::move(key))});
  REQUIRE(r);
  REQUIRE(r->at(0).kind == st::enqueue_result::accepted);
  return r->at(0).run_id;
}

// Looks for dead workers at every short claim, so a test sees the proof without moving time.
st::sqlite_store_options eager(manual_clock& clock) {
  auto o = options_with(clock);
  o.takeover_interval = 0ms;
  return o;
}

std::filesystem::path lock_folder(const std::filesystem::path& db) {
  return db.string() + "-workers";
}

std::size_t lock_files(const std::filesystem::path& db) {
  std::size_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator(lock_folder(db)))
    if (e.path().extension() == ".lock") ++n;
  return n;
}

// The host part of an identity "<host>/<pid>/<instance>".
std::string host_of(const std::string& identity) {
  return identity.substr(0, identity.rfind('/', identity.rfind('/') - 1));
}

// The child: opens the store, claims the one queued run, tells the parent its id and lease
// token, and waits to be killed. It never returns.
[[noreturn]] void claim_then_wait(const std::filesystem::path& db, manual_clock& clock, int out) {
  auto s = st::sqlite_store::open(db, options_with(clock));
  if (!s) ::_exit(2);
  auto claimed = (*s)->claim("child", 1, 30s);
  if (!claimed || claimed->size() != 1) ::_exit(3);
  const std::string line =
      std::to_string(claimed->at(0).id) + " " + claimed->at(0).lease_token + "\n";
  if (::write(out, line.data(), line.size()) != static_cast<ssize_t>(line.size())) ::_exit(4);
  for (;;) ::pause();
}

}  // namespace

TEST_CASE("a run leased by a process killed with SIGKILL is claimed at once", "[store][takeover]") {
  temp_dir dir;
  manual_clock clock;
  const auto db = dir.file("store.db");
  std::int64_t id = 0;
  {
    auto s = open_store(db, options_with(clock));
    id = enqueue_one(*s, "webhook-1");
  }
  syncline::testing::child_process child([&](int out) { claim_then_wait(db, clock, out); });
  const std::string line = child.read_line();
  st::claimed_run stale;
  stale.id = id;
  stale.lease_token = line.substr(line.find(' ') + 1);
  const bool child_claimed = line == std::to_string(id) + " " + stale.lease_token;

  auto s = open_store(db, eager(clock));
  // While the child lives its lock is held: its lease stands, to its last second.
  std::vector<st::claimed_run> while_alive, at_once;
  if (child_claimed) {
    while_alive = claim_as(*s, "parent");
    clock.advance(29s);
    const auto still = claim_as(*s, "parent");
    while_alive.insert(while_alive.end(), still.begin(), still.end());
  }
  const int status = child.kill_and_wait();
  REQUIRE(child_claimed);
  CHECK(WIFSIGNALED(status));
  CHECK(while_alive.empty());
  CHECK(run_of(*s, id).worker.starts_with("child@"));

  // The lease has a second left, and the run is claimed now: its owner is gone.
  at_once = claim_as(*s, "parent");
  REQUIRE(at_once.size() == 1);
  CHECK(at_once[0].id == id);
  CHECK(at_once[0].attempt == 2);
  CHECK(at_once[0].lease_until == clock.now() + 30s);
  CHECK(run_of(*s, id).worker == "parent@" + s->worker_identity());
  // The dead worker's late answer is refused: the takeover keeps the lease token rules.
  auto late = s->complete(stale, run_status::succeeded);
  REQUIRE_FALSE(late);
  CHECK(late.error().category == errc::conflict);
  REQUIRE(s->complete(at_once[0], run_status::succeeded));
  CHECK(lock_files(db) == 1);  // the dead worker's file went with the takeover; ours is left
}

TEST_CASE("a store closed while it leases runs leaves them to be taken over at once",
          "[store][takeover]") {
  temp_dir dir;
  manual_clock clock;
  const auto db = dir.file("store.db");
  auto first = open_store(db, options_with(clock));
  const auto id = enqueue_one(*first, "webhook-1");
  const auto leased = claim_as(*first, "first");
  REQUIRE(leased.size() == 1);

  SECTION("by a store already open, at its next claim") {
    auto second = open_store(db, eager(clock));
    CHECK(claim_as(*second, "second").empty());  // the first store lives: its lock is held
    first.reset();
    CHECK(lock_files(db) == 2);  // it still leased a run: its file stays as the proof
    const auto taken = claim_as(*second, "second");
    REQUIRE(taken.size() == 1);
    CHECK(taken[0].id == id);
    CHECK(taken[0].attempt == 2);
    CHECK(second->complete(leased[0], run_status::succeeded).error().category == errc::conflict);
    CHECK(lock_files(db) == 1);
  }
  SECTION("by a store opened later, at start-up") {
    first.reset();
    auto second = open_store(db, options_with(clock));
    CHECK(lock_files(db) == 1);  // open() proved the first gone and removed its file
    CHECK(*second->next_due() == clock.now());
    const auto taken = claim_as(*second, "second");
    REQUIRE(taken.size() == 1);
    CHECK(taken[0].id == id);
  }
}

TEST_CASE("a live worker keeps its lease until it ends", "[store][takeover]") {
  temp_dir dir;
  manual_clock clock;
  const auto db = dir.file("store.db");
  auto first = open_store(db, options_with(clock));
  auto second = open_store(db, eager(clock));  // the same process: flock still conflicts
  const auto id = enqueue_one(*first, "webhook-1");
  const auto leased = claim_as(*first, "first");
  REQUIRE(leased.size() == 1);
  clock.advance(29s);
  CHECK(claim_as(*second, "second").empty());
  clock.advance(1s);  // the lease ended: claimed as before, by expiry
  const auto taken = claim_as(*second, "second");
  REQUIRE(taken.size() == 1);
  CHECK(taken[0].id == id);
  CHECK(lock_files(db) == 2);  // both alive
}

TEST_CASE("a worker of another host, or without its lock file, keeps its lease",
          "[store][takeover]") {
  temp_dir dir;
  manual_clock clock;
  const auto db = dir.file("store.db");
  std::int64_t id = 0;
  std::string host;
  {
    auto first = open_store(db, options_with(clock));
    host = host_of(first->worker_identity());
    id = enqueue_one(*first, "webhook-1");
    REQUIRE(claim_as(*first, "first").size() == 1);
  }
  // The lease now names a worker this store cannot judge; its own file is free but unnamed.
  std::string worker;
  SECTION("another host") { worker = "engine@other-" + host + "/4242/0123456789abcdef"; }
  SECTION("this host, no lock file") { worker = "engine@" + host + "/4242/0123456789abcdef"; }
  SECTION("a name that is no identity") { worker = "engine@" + host + "/4242/../../store.db"; }
  SECTION("a name without identity") { worker = "engine-4242"; }
  {
    raw_connection raw(db);
    raw.exec("UPDATE runs SET worker = '" + worker + "' WHERE id = " + std::to_string(id));
  }
  auto second = open_store(db, eager(clock));
  CHECK(claim_as(*second, "second").empty());
  clock.advance(29s);
  CHECK(claim_as(*second, "second").empty());
  clock.advance(1s);
  const auto taken = claim_as(*second, "second");
  REQUIRE(taken.size() == 1);
  CHECK(taken[0].id == id);
  CHECK(std::filesystem::exists(db));  // nothing was removed through a crafted name
}

TEST_CASE("a short claim looks for dead workers at most once per takeover_interval",
          "[store][takeover]") {
  temp_dir dir;
  manual_clock clock;
  const auto db = dir.file("store.db");
  auto first = open_store(db, options_with(clock));
  auto opts = options_with(clock);
  opts.takeover_interval = 1s;
  auto second = open_store(db, opts);
  const auto id = enqueue_one(*first, "webhook-1");
  REQUIRE(claim_as(*first, "first").size() == 1);
  CHECK(claim_as(*second, "second").empty());  // looked: the first store is alive
  first.reset();
  CHECK(claim_as(*second, "second").empty());  // looked a moment ago
  clock.advance(999ms);
  CHECK(claim_as(*second, "second").empty());
  clock.advance(1ms);
  const auto taken = claim_as(*second, "second");  // looks again; 29 s of the lease were left
  REQUIRE(taken.size() == 1);
  CHECK(taken[0].id == id);
}

TEST_CASE("a negative takeover_interval is refused", "[store][takeover]") {
  temp_dir dir;
  st::sqlite_store_options o;
  o.takeover_interval = -1ms;
  auto s = st::sqlite_store::open(dir.file("store.db"), o);
  REQUIRE_FALSE(s);
  CHECK(s.error().category == errc::invalid_input);
  CHECK(s.error().message.find("takeover_interval") != std::string::npos);
}

TEST_CASE("a store closed with nothing leased removes its lock file", "[store][takeover]") {
  temp_dir dir;
  manual_clock clock;
  const auto db = dir.file("store.db");
  {
    auto s = open_store(db, options_with(clock));
    enqueue_one(*s, "webhook-1");
    const auto leased = claim_as(*s, "worker");
    REQUIRE(leased.size() == 1);
    REQUIRE(s->complete(leased[0], run_status::succeeded));
    CHECK(lock_files(db) == 1);
  }
  CHECK(lock_files(db) == 0);
}

TEST_CASE("worker_lock: a held lock proves its worker alive, a free one proves it gone",
          "[store][takeover]") {
  temp_dir dir;
  const auto folder = dir.file("workers");
  auto mine = st::worker_lock::acquire(folder);
  REQUIRE(mine);
  CHECK_FALSE(mine->prove_gone(mine->identity()));

  std::string other_identity;
  {
    auto other = st::worker_lock::acquire(folder);
    REQUIRE(other);
    other_identity = other->identity();
    CHECK(other_identity != mine->identity());
    CHECK_FALSE(mine->prove_gone(other_identity));  // held, by this very process
    CHECK(mine->find_gone().empty());
    other->keep_file();
  }
  SECTION("prove_gone takes its lock; removing the file leaves nothing") {
    auto gone = mine->prove_gone(other_identity);
    REQUIRE(gone);
    CHECK(gone->identity() == other_identity);
    CHECK_FALSE(mine->prove_gone(other_identity));  // held by the proof, so no second proof
    gone->remove_file();
    CHECK_FALSE(mine->prove_gone(other_identity));  // no file: no proof
    CHECK(mine->find_gone().empty());
  }
  SECTION("find_gone lists it; a proof dropped without removing keeps it for the next") {
    auto gone = mine->find_gone();
    REQUIRE(gone.size() == 1);
    CHECK(gone[0].identity() == other_identity);
    gone.clear();
    CHECK(mine->find_gone().size() == 1);
  }
  SECTION("a file its worker never finished writing is removed") {
    const auto half = folder / "fedcba9876543210.lock";
    {
      std::FILE* f = std::fopen(half.c_str(), "w");
      REQUIRE(f != nullptr);
      std::fputs("host/1/fedc", f);  // no newline: died while writing
      std::fclose(f);
    }
    CHECK(mine->find_gone().size() == 1);  // only the other worker
    CHECK_FALSE(std::filesystem::exists(half));
  }
}

TEST_CASE("worker_lock: a folder that cannot be made is a clear error", "[store][takeover]") {
  temp_dir dir;
  const auto blocker = dir.file("not-a-folder");
  {
    std::FILE* f = std::fopen(blocker.c_str(), "w");
    REQUIRE(f != nullptr);
    std::fclose(f);
  }
  auto lock = st::worker_lock::acquire(blocker / "workers");
  REQUIRE_FALSE(lock);
  CHECK(lock.error().category == errc::storage);
  CHECK(lock.error().message.find("worker lock") != std::string::npos);
  CHECK(lock.error().message.find(blocker.string()) != std::string::npos);
}

}  // namespace unity_store_takeover_test
