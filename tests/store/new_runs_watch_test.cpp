// store::watch_new_runs: an idle worker hears at once that another store of the database queued
// runs. PostgreSQL announces them with NOTIFY on a channel per schema (postgres/listener.hpp);
// SQLite cannot tell, and says so.
#include <syncline/store/postgres_store.hpp>
#include <syncline/store/sqlite_store.hpp>

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <libpq-fe.h>
#include <memory>
#include <poll.h>
#include <string>
#include <thread>

#include "store/postgres_under_test.hpp"
#include "store/store_fixture.hpp"

namespace unity_store_new_runs_watch_test {

using namespace store_test;

namespace {

// Every wait is bounded; a watcher that never wakes fails the test instead of hanging it.
bool eventually(const std::function<bool()>& done, std::chrono::milliseconds limit = 20s) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (done()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return done();
}

st::postgres_store_options in_schema(std::string schema) {
  st::postgres_store_options o;
  o.schema = std::move(schema);
  o.connections = 1;
  return o;
}

// A watcher that counts its wake-ups. It is listening once the first one (at its LISTEN) came.
struct counted_watch {
  std::atomic<int> wakes{0};

  void watch(st::store& s) {
    REQUIRE(s.watch_new_runs([this] { ++wakes; }));
    REQUIRE(eventually([&] { return wakes.load() >= 1; }));
  }
};

// A session of the test's own that LISTENs on one channel, as a raw observer of what is sent.
class raw_listener {
 public:
  raw_listener(const std::string& conninfo, const std::string& channel)
      : c_(PQconnectdb(conninfo.c_str())) {
    REQUIRE(PQstatus(c_) == CONNECTION_OK);
    char* quoted = PQescapeIdentifier(c_, channel.data(), channel.size());
    REQUIRE(quoted != nullptr);
    quoted_ = quoted;
    PQfreemem(quoted);
    PGresult* r = PQexec(c_, ("LISTEN " + quoted_).c_str());
    REQUIRE(PQresultStatus(r) == PGRES_COMMAND_OK);
    PQclear(r);
  }
  raw_listener(const raw_listener&) = delete;
  raw_listener& operator=(const raw_listener&) = delete;
  ~raw_listener() { PQfinish(c_); }

  // Sends a marker on the channel itself, then counts what arrived before it: notifications are
  // delivered in commit order, so whatever was sent on the channel before the marker is counted.
  int received_before_marker() {
    REQUIRE(PQsendQuery(c_, ("NOTIFY " + quoted_ + ", 'marker'").c_str()) == 1);
    int count = 0;
    const auto end = std::chrono::steady_clock::now() + 20s;
    while (std::chrono::steady_clock::now() < end) {
      pollfd fd{PQsocket(c_), POLLIN, 0};
      ::poll(&fd, 1, 50);
      REQUIRE(PQconsumeInput(c_) == 1);
      while (!PQisBusy(c_)) {
        PGresult* r = PQgetResult(c_);
        if (!r) break;
        PQclear(r);
      }
      while (PGnotify* n = PQnotifies(c_)) {
        const bool marker = std::string(n->extra) == "marker";
        PQfreemem(n);
        if (marker) return count;
        ++count;
      }
    }
    FAIL("the marker never came back");
    return count;
  }

 private:
  PGconn* c_;
  std::string quoted_;
};

}  // namespace

TEST_CASE("new runs: another store's enqueue and replay wake the watcher", "[postgres]") {
  const auto conninfo = shared_postgres_server().connection_string();
  auto a = open_postgres_store(conninfo, in_schema("wake_same"));
  auto b = open_postgres_store(conninfo, in_schema("wake_same"));
  CHECK(a->new_runs_channel() == b->new_runs_channel());
  counted_watch w;
  w.watch(*a);

  int seen = w.wakes.load();
  auto ids = enqueue_ok(*b, {make_run(), make_run()});
  REQUIRE(eventually([&] { return w.wakes.load() > seen; }));

  // A replayed run is due at once: announced too.
  auto claimed = claim_ok(*b, 1);
  REQUIRE(claimed.size() == 1);
  REQUIRE(b->complete(claimed[0], st::run_status::dead, "boom"));
  seen = w.wakes.load();
  REQUIRE(b->replay(claimed[0].id));
  REQUIRE(eventually([&] { return w.wakes.load() > seen; }));

  // A second watch replaces the first: the first is not called any more.
  counted_watch second;
  REQUIRE(a->watch_new_runs([&] { ++second.wakes; }));  // the same session: no LISTEN again
  seen = w.wakes.load();
  enqueue_ok(*b, {make_run()});
  REQUIRE(eventually([&] { return second.wakes.load() >= 1; }));
  CHECK(w.wakes.load() == seen);
  a->unwatch_new_runs();
  a->unwatch_new_runs();  // nothing watches: does nothing
}

TEST_CASE("new runs: stores of another schema are not woken", "[postgres]") {
  const auto conninfo = shared_postgres_server().connection_string();
  auto mine = open_postgres_store(conninfo, in_schema("wake_mine"));
  auto other = open_postgres_store(conninfo, in_schema("wake_other"));
  REQUIRE(mine->new_runs_channel() != other->new_runs_channel());
  raw_listener observer(conninfo, other->new_runs_channel());
  counted_watch w;
  w.watch(*other);

  enqueue_ok(*mine, {make_run()});
  enqueue_ok(*other, {make_run()});
  CHECK(observer.received_before_marker() == 1);  // other's enqueue, not mine's
  CHECK(eventually([&] { return w.wakes.load() >= 2; }));

  // A schema name too long for a channel's 63 bytes is named by its hash, still one per schema.
  auto long_a = open_postgres_store(conninfo, in_schema(std::string(49, 'w') + "a"));
  auto long_b = open_postgres_store(conninfo, in_schema(std::string(49, 'w') + "b"));
  CHECK(long_a->new_runs_channel().size() <= 63);
  CHECK(long_a->new_runs_channel() != long_b->new_runs_channel());
}

TEST_CASE("new runs: runs leased as they are queued are not announced, the others are",
          "[postgres]") {
  const auto conninfo = shared_postgres_server().connection_string();
  auto s = open_postgres_store(conninfo, in_schema("wake_leased"));
  raw_listener observer(conninfo, s->new_runs_channel());
  std::vector<st::claimed_run> leased;
  const st::lease_request two{.worker = "engine", .max = 2, .lease = 30s};

  // Both leased: running already, nothing for an idle worker to claim.
  REQUIRE(s->enqueue_and_lease(std::vector{make_run(), make_run()}, two, leased));
  CHECK(leased.size() == 2);
  CHECK(observer.received_before_marker() == 0);

  // One of three left queued: announced.
  REQUIRE(s->enqueue_and_lease(std::vector{make_run(), make_run(), make_run()}, two, leased));
  CHECK(leased.size() == 4);
  CHECK(observer.received_before_marker() == 1);
}

TEST_CASE("new runs: after the server restarts the watcher hears again", "[postgres]") {
  auto server = syncline::testing::postgres_server::start();
  INFO((server ? std::string("started") : server.error().message));
  REQUIRE(server);
  auto a = open_postgres_store(server->connection_string(), in_schema("wake_restart"));
  auto b = open_postgres_store(server->connection_string(), in_schema("wake_restart"));
  counted_watch w;
  w.watch(*a);
  REQUIRE(w.wakes.load() == 1);

  REQUIRE(server->restart());
  // Once it listens again it wakes its watcher once: what was sent meanwhile is lost.
  REQUIRE(eventually([&] { return w.wakes.load() >= 2; }));
  const int seen = w.wakes.load();
  auto queued = b->enqueue(std::vector{make_run()});
  if (!queued)
    queued = b->enqueue(std::vector{make_run()});  // the first call meets the lost session
  INFO((queued ? std::string("ok") : to_string(queued.error())));
  REQUIRE(queued);
  REQUIRE(eventually([&] { return w.wakes.load() > seen; }));
}

TEST_CASE("new runs: a watched store closes at once, and never calls its watcher after",
          "[postgres]") {
  const auto conninfo = shared_postgres_server().connection_string();
  auto b = open_postgres_store(conninfo, in_schema("wake_close"));
  {
    auto a = open_postgres_store(conninfo, in_schema("wake_close"));
    counted_watch w;
    w.watch(*a);
    auto closing = std::async(std::launch::async, [&] { a.reset(); });
    // Bounded, not timed: a destructor that waited on the listener would never return.
    REQUIRE(closing.wait_for(20s) == std::future_status::ready);
  }
  // unwatch_new_runs: the watcher's target may die when it returns (the sanitizer build sees a
  // call into the freed counter).
  auto a = open_postgres_store(conninfo, in_schema("wake_close"));
  auto target = std::make_unique<counted_watch>();
  target->watch(*a);
  a->unwatch_new_runs();
  target.reset();
  for (int i = 0; i < 5; ++i) enqueue_ok(*b, {make_run()});
  counted_watch later;  // watching again after an unwatch works
  later.watch(*a);
  enqueue_ok(*b, {make_run()});
  CHECK(eventually([&] { return later.wakes.load() >= 2; }));
}

TEST_CASE("new runs: the SQLite store cannot tell, so its user polls") {
  temp_dir dir;
  auto s = open_store(dir.file("q.db"), {});
  bool called = false;
  CHECK_FALSE(s->watch_new_runs([&] { called = true; }));
  enqueue_ok(*s, {make_run()});
  s->unwatch_new_runs();
  CHECK_FALSE(called);
}

}  // namespace unity_store_new_runs_watch_test
