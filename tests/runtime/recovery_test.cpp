// Durability across stops and crashes: a graceful stop lets in-flight runs finish; an engine
// stopped mid-run leaves the run to its lease and the next engine finishes it once; a child
// process running an engine under load, killed with SIGKILL at random moments, loses no
// acknowledged event and duplicates none (the destination is a SQLite table keyed by the run's
// idempotency key, compared as sets).
#include <syncline/blocks/to.hpp>
#include <syncline/core/app_event.hpp>
#include <syncline/core/integration.hpp>
#include <syncline/core/workflow.hpp>
#include <syncline/runtime/engine.hpp>

#include <boost/describe/class.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <map>
#include <mutex>
#include <poll.h>
#include <random>
#include <set>
#include <signal.h>
#include <sqlite3.h>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include "integrations.hpp"
#include "runtime_fixture.hpp"

namespace unity_runtime_recovery_test {

using namespace runtime_test;
namespace st = syncline::store;

namespace {

syncline::engine_options quick(const std::filesystem::path& db) {
  syncline::engine_options o;
  o.database = db;
  o.listen = {"", 0};  // no HTTP: these tests emit in-process
  o.idle_poll = 50ms;
  o.lease = 400ms;
  o.log = [](syncline::log_level, std::string_view) {};
  o.retry.initial_backoff = 5ms;
  return o;
}

bool has_status(syncline::engine& eng, std::int64_t id, st::run_status s) {
  auto r = eng.run(id);
  return r && r->status == s;
}

// --- the crash test's destination: rows keyed by idempotency key ------------------------------

class sqlite_destination {
 public:
  explicit sqlite_destination(const std::filesystem::path& file) {
    REQUIRE(sqlite3_open(file.c_str(), &db_) == SQLITE_OK);
    sqlite3_busy_timeout(db_, 5000);
    exec("PRAGMA journal_mode=WAL");
    exec(
        "CREATE TABLE IF NOT EXISTS deliveries (idempotency_key TEXT PRIMARY KEY, event_key TEXT "
        "NOT NULL)");
  }
  ~sqlite_destination() { sqlite3_close(db_); }
  sqlite_destination(const sqlite_destination&) = delete;
  sqlite_destination& operator=(const sqlite_destination&) = delete;

  // A retried run carries the same idempotency key: the insert then changes nothing.
  syncline::result<void> write(const std::string& key, const std::string& event) {
    std::lock_guard lock(mu_);
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(db_, "INSERT OR IGNORE INTO deliveries VALUES (?, ?)", -1, &s, nullptr);
    sqlite3_bind_text(s, 1, key.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, event.c_str(), -1, SQLITE_TRANSIENT);
    const int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
      return syncline::make_error(syncline::errc::storage, sqlite3_errmsg(db_));
    return {};
  }

  // event key -> rows holding it
  std::map<std::string, int> rows_by_event() {
    std::lock_guard lock(mu_);
    std::map<std::string, int> out;
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(db_, "SELECT event_key FROM deliveries", -1, &s, nullptr);
    while (sqlite3_step(s) == SQLITE_ROW)
      ++out[reinterpret_cast<const char*>(sqlite3_column_text(s, 0))];
    sqlite3_finalize(s);
    return out;
  }

 private:
  void exec(const char* sql) {
    REQUIRE(sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) == SQLITE_OK);
  }
  std::mutex mu_;
  sqlite3* db_ = nullptr;
};

struct crash_event {
  std::string key;
};
BOOST_DESCRIBE_STRUCT(crash_event, (), (key))

constexpr auto record_events = syncline::workflow<"record_events">(
    syncline::app_event<"crash.event", crash_event>{} |
    syncline::to<"record", syncline::needs<sqlite_destination>>(
        [](const crash_event& e, syncline::run_context& ctx) {
          return ctx.service<sqlite_destination>()->write(ctx.idempotency_key(), e.key);
        }));

constexpr auto crash_sync = syncline::integration<"crash_sync", syncline::platform>(record_events);

// The child: an engine executing runs while four threads emit; each acknowledged key goes to the
// pipe. It never returns: the parent kills it.
[[noreturn]] void crash_child(const std::filesystem::path& db, const std::filesystem::path& dest,
                              int round, int out_fd) {
  {
    sqlite_destination destination(dest);
    auto options = quick(db);
    options.workers = 8;
    syncline::engine eng(options);
    if (!eng.install(crash_sync, syncline::tenant<>{"acme"}, syncline::services(destination)) ||
        !eng.start())
      ::_exit(3);
    std::vector<std::thread> emitters;
    for (int t = 0; t < 4; ++t) {
      emitters.emplace_back([&, t] {
        for (int k = 0; k < 100'000; ++k) {
          const std::string key =
              std::to_string(round) + "-" + std::to_string(t) + "-" + std::to_string(k);
          if (!eng.emit("acme", "crash.event", crash_event{key})) continue;
          const std::string line = key + "\n";
          if (::write(out_fd, line.data(), line.size()) < 0) ::_exit(4);
        }
      });
    }
    for (auto& e : emitters) e.join();
    std::this_thread::sleep_for(60s);
  }
  ::_exit(5);
}

// Installs shop_sync for "acme", starts the engine and emits one order.held, which then waits in
// the destination until out.hold(false). Returns the run's id.
std::int64_t start_held_run(syncline::engine& eng, sink& out, fake_shop& shop) {
  REQUIRE(eng.install(shop_sync, syncline::tenant{"acme", fake::credentials_for("acme")},
                      syncline::services(out, shop)));
  REQUIRE(eng.start());
  out.hold(true);
  auto e = eng.emit("acme", "order.held", order_placed{1, "acme", "a@example.com", ""});
  REQUIRE(e);
  REQUIRE(wait_until([&] { return out.entered() == 1; }));
  return e->runs[0].run_id;
}

}  // namespace

TEST_CASE("a graceful stop lets in-flight runs finish") {
  temp_dir dir;
  sink out;
  fake_shop shop;
  auto options = quick(dir.file("engine.db"));
  options.stop_timeout = 10s;
  syncline::engine eng(options);
  const auto id = start_held_run(eng, out, shop);
  std::thread release([&] {
    std::this_thread::sleep_for(200ms);
    out.hold(false);
  });
  eng.stop();  // waits for the held run
  release.join();
  CHECK(out.size() == 1);
  CHECK(has_status(eng, id, st::run_status::succeeded));
}

TEST_CASE("a run that lasts several leases keeps its lease and runs once") {
  temp_dir dir;
  sink out;
  fake_shop shop;
  auto options = quick(dir.file("engine.db"));  // a lease of 400 ms, looked for every 50 ms
  syncline::engine eng(options);
  const auto id = start_held_run(eng, out, shop);
  for (int i = 0; i < 6; ++i) {
    std::this_thread::sleep_for(250ms);
    // Had the lease run out, the engine's own dispatcher would have claimed the run again and
    // entered the destination a second time.
    CHECK(out.entered() == 1);
    CHECK(has_status(eng, id, st::run_status::running));
  }
  out.hold(false);
  REQUIRE(wait_until([&] { return has_status(eng, id, st::run_status::succeeded); }));
  CHECK(eng.run(id)->attempts == 1);
  CHECK(out.size() == 1);
  CHECK(out.entered() == 1);
  eng.stop();
}

TEST_CASE("restart recovery: a run abandoned at stop finishes once on the next engine") {
  temp_dir dir;
  sink out;
  fake_shop shop;
  auto options = quick(dir.file("engine.db"));
  options.stop_timeout = 100ms;
  std::int64_t id = 0;
  {
    syncline::engine first(options);
    id = start_held_run(first, out, shop);
    first.stop();  // the run does not finish within stop_timeout: it is abandoned
    CHECK(has_status(first, id, st::run_status::running));
    CHECK(out.size() == 0);
  }
  out.hold(false);
  syncline::engine second(options);
  REQUIRE(second.install(shop_sync, syncline::tenant{"acme", fake::credentials_for("acme")},
                         syncline::services(out, shop)));
  REQUIRE(second.start());
  // Claimable again once the first engine's lease expired.
  REQUIRE(wait_until([&] { return has_status(second, id, st::run_status::succeeded); }));
  CHECK(second.run(id)->attempts == 2);
  CHECK(out.size() == 1);
  second.stop();
}

TEST_CASE("crash recovery: SIGKILL under load loses no acknowledged event and repeats none") {
  temp_dir dir;
  const auto db = dir.file("engine.db");
  const auto dest = dir.file("destination.db");
  std::set<std::string> acknowledged;
  std::mt19937 rng(std::random_device{}());

  for (int round = 0; round < 3; ++round) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      ::close(fds[0]);
      crash_child(db, dest, round, fds[1]);
    }
    ::close(fds[1]);
    const int kill_after = std::uniform_int_distribution<int>(50, 400)(rng);
    // Reads acknowledged keys; kills the child after kill_after of them (keys already in the
    // pipe were acknowledged too, so reading goes on to EOF). Every wait is bounded.
    int seen = 0;
    bool killed = false;
    std::string pending;
    const auto give_up = std::chrono::steady_clock::now() + 60s;
    for (;;) {
      if (!killed && std::chrono::steady_clock::now() > give_up) {
        ::kill(child, SIGKILL);
        killed = true;
        FAIL_CHECK("the child acknowledged " << seen << " events in 60 s");
      }
      pollfd p{fds[0], POLLIN, 0};
      if (::poll(&p, 1, 200) <= 0) continue;
      char buf[4096];
      const ssize_t n = ::read(fds[0], buf, sizeof buf);
      if (n <= 0) break;  // EOF: the child is gone
      pending.append(buf, static_cast<std::size_t>(n));
      for (auto nl = pending.find('\n'); nl != std::string::npos; nl = pending.find('\n')) {
        acknowledged.insert(pending.substr(0, nl));
        pending.erase(0, nl + 1);
        if (!killed && ++seen >= kill_after) {
          ::kill(child, SIGKILL);
          killed = true;
        }
      }
    }
    ::close(fds[0]);
    if (!killed) ::kill(child, SIGKILL);
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    REQUIRE(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGKILL);
    REQUIRE(seen >= kill_after);  // the child acknowledged events before it died
  }

  // A fresh engine on the same files finishes what the killed ones left.
  sqlite_destination destination(dest);
  syncline::engine eng(quick(db));
  REQUIRE(eng.install(crash_sync, syncline::tenant<>{"acme"}, syncline::services(destination)));
  REQUIRE(eng.start());
  REQUIRE(wait_until([&] { return eng.counts() && eng.counts()->unfinished() == 0; }, 60s));
  eng.stop();

  CHECK(eng.dead_letters()->empty());
  const auto rows = destination.rows_by_event();
  std::size_t missing = 0, repeated = 0;
  for (const auto& key : acknowledged)
    if (!rows.contains(key)) ++missing;
  for (const auto& [key, n] : rows)
    if (n != 1) ++repeated;
  INFO("acknowledged " << acknowledged.size() << ", delivered " << rows.size());
  CHECK(missing == 0);
  CHECK(repeated == 0);
  CHECK(rows.size() >= acknowledged.size());  // events durable but killed before their ack
}

}  // namespace unity_runtime_recovery_test
