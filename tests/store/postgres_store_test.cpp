// What is about the PostgreSQL store's own medium: taking over through advisory locks, a server
// that restarts, the schema version, the password in the connection string, many threads on one
// pool. What every store does is in store_conformance_test.cpp, run against this store too.
#include <syncline/store/postgres_store.hpp>

#include <catch2/catch.hpp>

#include <csignal>
#include <libpq-fe.h>
#include <set>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include "store/postgres_under_test.hpp"
#include "store/store_fixture.hpp"

namespace unity_store_postgres_store_test {

using namespace store_test;
using st::enqueue_result;
using st::run_status;
using syncline::errc;

namespace {

// A connection of the test's own, as another process would have: to do to the database what
// the store would not.
class raw_postgres {
 public:
  explicit raw_postgres(const std::string& conninfo) : c_(PQconnectdb(conninfo.c_str())) {
    REQUIRE(PQstatus(c_) == CONNECTION_OK);
  }
  raw_postgres(const raw_postgres&) = delete;
  raw_postgres& operator=(const raw_postgres&) = delete;
  ~raw_postgres() { PQfinish(c_); }

  // The first column of the first row, as text ("" when there is none).
  std::string scalar(const std::string& sql) {
    PGresult* r = PQexec(c_, sql.c_str());
    const auto status = PQresultStatus(r);
    INFO(sql << ": " << PQresultErrorMessage(r));
    CHECK((status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK));
    std::string out = status == PGRES_TUPLES_OK && PQntuples(r) > 0 ? PQgetvalue(r, 0, 0) : "";
    PQclear(r);
    return out;
  }

 private:
  PGconn* c_;
};

st::postgres_store_options pg_options(manual_clock& clock, std::string schema) {
  st::postgres_store_options o;
  o.clock = clock.fn();
  o.schema = std::move(schema);
  return o;
}

}  // namespace

TEST_CASE("postgres store: the runs of a store whose session ended are claimed at once",
          "[postgres]") {
  auto& server = shared_postgres_server();
  manual_clock clock;
  const auto o = pg_options(clock, "takeover");
  auto live = open_postgres_store(server.connection_string(), o);
  auto other = open_postgres_store(server.connection_string(), o);
  auto dying = open_postgres_store(server.connection_string(), o);

  auto ids = enqueue_ok(*live, {make_run(), make_run()});
  auto kept = live->claim("w", 1, 30s);
  REQUIRE(kept);
  REQUIRE(kept->size() == 1);
  auto lost = dying->claim("w", 1, 30s);
  REQUIRE(lost);
  REQUIRE(lost->size() == 1);
  CHECK(run_of(*live, (*lost)[0].id).worker == "w@" + dying->worker_identity());

  // A live store's lease is never taken: its session holds its lock.
  auto nothing = other->claim("w", 5, 30s);
  REQUIRE(nothing);
  CHECK(nothing->empty());

  // The session ends (a process killed by SIGKILL has its socket closed by the kernel alike):
  // with most of the lease left, the run is claimable at once.
  dying.reset();
  clock.advance(2s);  // past takeover_interval: the short claim looks again
  auto taken = other->claim("w", 5, 30s);
  REQUIRE(taken);
  REQUIRE(taken->size() == 1);
  CHECK((*taken)[0].id == (*lost)[0].id);
  CHECK((*taken)[0].attempt == 2);
  CHECK(run_of(*other, (*taken)[0].id).worker == "w@" + other->worker_identity());
  // The dead store's token is refused from then on.
  auto late = other->complete((*lost)[0], run_status::succeeded);
  REQUIRE_FALSE(late);
  CHECK(late.error().category == errc::conflict);
  // The live store still holds its run.
  REQUIRE(live->complete((*kept)[0], run_status::succeeded));
  REQUIRE(other->complete((*taken)[0], run_status::succeeded));
  CHECK(ids.size() == 2);
}

TEST_CASE("postgres store: the runs of a process killed by SIGKILL are claimed at once",
          "[postgres]") {
  auto& server = shared_postgres_server();
  manual_clock clock;  // the child has a copy: both stand at the same time until we advance ours
  const auto o = pg_options(clock, "killed");
  auto s = open_postgres_store(server.connection_string(), o);
  const auto id = enqueue_ok(*s, {make_run()})[0].run_id;
  int report[2];
  REQUIRE(::pipe(report) == 0);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // No Catch2 in the child: it claims the run with a 30 s lease, says so, and waits to die.
    auto mine = st::postgres_store::open(server.connection_string(), o);
    char ok = 'n';
    if (mine) {
      auto claimed = (*mine)->claim("child", 1, 30s);
      if (claimed && claimed->size() == 1) ok = 'y';
    }
    (void)!::write(report[1], &ok, 1);
    for (;;) ::pause();
  }
  char ok = 'n';
  REQUIRE(::read(report[0], &ok, 1) == 1);
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  ::close(report[0]);
  ::close(report[1]);
  REQUIRE(ok == 'y');
  CHECK_THAT(run_of(*s, id).worker, Catch::StartsWith("child@"));
  // The kernel closed the child's socket, so its server process ends and frees the lock at
  // once; a claim that comes a moment later takes the run with most of its lease left.
  std::vector<st::claimed_run> taken;
  for (int look = 0; look < 10 && taken.empty(); ++look) {
    clock.advance(2s);  // past takeover_interval, and in all 20 s: the lease (30 s) never ends
    std::this_thread::sleep_for(100ms);
    auto c = s->claim("parent", 1, 30s);
    REQUIRE(c);
    taken = std::move(*c);
  }
  REQUIRE(taken.size() == 1);
  CHECK(taken[0].id == id);
  CHECK(taken[0].attempt == 2);
}

TEST_CASE("postgres store: a store opened after another's session ended takes its runs over",
          "[postgres]") {
  auto& server = shared_postgres_server();
  manual_clock clock;
  const auto o = pg_options(clock, "takeover_at_open");
  auto first = open_postgres_store(server.connection_string(), o);
  enqueue_ok(*first, {make_run()});
  auto claimed = first->claim("w", 1, 30s);
  REQUIRE(claimed);
  REQUIRE(claimed->size() == 1);
  first.reset();
  auto next = open_postgres_store(server.connection_string(), o);
  CHECK(next->next_due().value() == clock.now());  // released by open, not by its lease
  auto again = next->claim("w", 1, 30s);
  REQUIRE(again);
  REQUIRE(again->size() == 1);
  CHECK((*again)[0].attempt == 2);
}

TEST_CASE("postgres store: after the server restarts a call fails as storage, the next reconnects",
          "[postgres]") {
  auto server = syncline::testing::postgres_server::start();
  INFO((server ? std::string("started") : server.error().message));
  REQUIRE(server);
  manual_clock clock;
  auto o = pg_options(clock, "restart");
  o.connections = 1;  // so the next call meets the broken connection
  auto s = open_postgres_store(server->connection_string(), o);
  auto before = enqueue_ok(*s, {make_run("k1")});

  REQUIRE(server->restart());
  auto failed = s->counts();
  REQUIRE_FALSE(failed);
  CHECK(failed.error().category == errc::storage);

  // Reconnected, with the session set up again (its schema on the search path).
  auto counts = s->counts();
  INFO((counts ? std::string("ok") : to_string(counts.error())));
  REQUIRE(counts);
  CHECK(counts->queued == 1);
  auto again = s->enqueue(std::vector{make_run("k1")});
  REQUIRE(again);
  CHECK((*again)[0] == enqueue_result{enqueue_result::duplicate, before[0].run_id});
  // The advisory lock is taken again by the next claim, so another store sees this one alive.
  auto claimed = s->claim("w", 1, 30s);
  REQUIRE(claimed);
  REQUIRE(claimed->size() == 1);
  auto other = open_postgres_store(server->connection_string(), o);
  clock.advance(2s);
  auto nothing = other->claim("w", 1, 30s);
  REQUIRE(nothing);
  CHECK(nothing->empty());
}

TEST_CASE("postgres store: a database of a newer schema version is refused, naming both",
          "[postgres]") {
  auto& server = shared_postgres_server();
  manual_clock clock;
  const auto o = pg_options(clock, "newer_schema");
  open_postgres_store(server.connection_string(), o).reset();
  raw_postgres raw(server.connection_string());
  raw.scalar("UPDATE newer_schema.schema_version SET version = 99");
  auto s = st::postgres_store::open(server.connection_string(), o);
  REQUIRE_FALSE(s);
  CHECK(s.error().category == errc::storage);
  CHECK_THAT(s.error().message,
             Catch::Contains("schema version 99") &&
                 Catch::Contains("newer than version " +
                                 std::to_string(st::detail::postgres_schema_version)));
  // Nothing was changed by the refusal.
  CHECK(raw.scalar("SELECT version FROM newer_schema.schema_version") == "99");
}

TEST_CASE("postgres store: no error shows the password of the connection string", "[postgres]") {
  auto& server = shared_postgres_server();
  const std::string password = "s3cret-Pa55word-7f3a";
  const std::string base =
      "host=127.0.0.1 port=" + std::to_string(server.port()) + " user=postgres";
  // A database that does not exist, a port nothing listens on, a malformed string.
  for (const std::string& conninfo :
       {base + " dbname=no_such_db password=" + password,
        "host=127.0.0.1 port=1 connect_timeout=2 password=" + password,
        base + " password='" + password}) {
    auto s = st::postgres_store::open(conninfo);
    REQUIRE_FALSE(s);
    INFO(s.error().message);
    CHECK_THAT(s.error().message, !Catch::Contains(password.substr(0, 8)));
    CHECK_THAT(s.error().message, !Catch::Contains(password.substr(password.size() - 8)));
  }
  // A working store with a password in its string: a failed call does not show it either.
  manual_clock clock;
  auto o = pg_options(clock, "password");
  auto s = open_postgres_store(base + " dbname=postgres password=" + password, o);
  raw_postgres raw(server.connection_string());
  raw.scalar("DROP TABLE password.cursors");
  auto failed = s->set_cursor({{"t", "i", "poll"}, password});
  REQUIRE_FALSE(failed);
  CHECK(failed.error().category == errc::storage);
  CHECK_THAT(failed.error().message, !Catch::Contains(password.substr(0, 8)));
}

TEST_CASE("postgres store: a payload is kept byte for byte, a name PostgreSQL cannot hold refused",
          "[postgres]") {
  postgres_under_test db;
  manual_clock clock;
  auto s = db.open(options_with(clock));
  // A NUL byte and bytes that are not UTF-8: PostgreSQL text holds neither, so payloads are bytea.
  const std::string odd("{\"a\":\"x\0y\xff\"}", 12);
  const auto id = enqueue_ok(*s, {make_run("", odd)})[0].run_id;
  CHECK(run_of(*s, id).payload == odd);
  auto claimed = claim_ok(*s, 1);
  REQUIRE(claimed.size() == 1);
  CHECK(claimed[0].payload == odd);
  // An error text is for people: its bad bytes become U+FFFD rather than fail the completion.
  REQUIRE(s->complete(claimed[0], run_status::dead, std::string("bad \xff\0 byte", 11)));
  CHECK(run_of(*s, id).last_error == "bad \xEF\xBF\xBD\xEF\xBF\xBD byte");

  // A name or a key is compared and indexed as text: a bad one is refused, with nothing written.
  for (const std::string& tenant : {std::string("a\0b", 3), std::string("caf\xe9")}) {
    auto r = s->enqueue(std::vector{make_run("k", "{}"), make_run("", "{}", tenant)});
    REQUIRE_FALSE(r);
    CHECK(r.error().category == errc::invalid_input);
    CHECK_THAT(r.error().message, Catch::Contains("NUL") || Catch::Contains("UTF-8"));
  }
  CHECK(s->counts()->queued == 0);
  auto ok = s->enqueue(std::vector{make_run("k", "{}")});
  REQUIRE(ok);
  CHECK((*ok)[0].kind == enqueue_result::accepted);  // the key of a refused call was not kept
}

TEST_CASE("postgres store: threads sharing one store's pool claim each run exactly once",
          "[postgres]") {
  postgres_under_test db;
  manual_clock clock;
  auto opts = options_with(clock);
  opts.max_unfinished_runs = 0;
  auto s = db.open(opts);
  std::vector<st::new_run> runs;
  for (int i = 0; i < 400; ++i) {
    runs.push_back(make_run("", "{}", "tenant-" + std::to_string(i % 7) + ".myshopify.com"));
  }
  auto ids = enqueue_ok(*s, runs);
  std::mutex mu;
  std::multiset<std::int64_t> done;
  std::vector<std::string> errors;
  std::vector<std::thread> workers;
  for (int t = 0; t < 6; ++t) {
    workers.emplace_back([&, t] {
      for (;;) {
        auto claimed = s->claim("w" + std::to_string(t), 7, 30s);
        if (!claimed) {
          std::lock_guard g(mu);
          errors.push_back(to_string(claimed.error()));
          return;
        }
        if (claimed->empty()) return;
        std::vector<st::run_completion> ends;
        for (const auto& c : *claimed)
          ends.push_back(st::run_completion::completed(c, run_status::succeeded));
        auto answers = s->finish_many(ends, {});
        std::lock_guard g(mu);
        if (!answers) {
          errors.push_back(to_string(answers.error()));
          return;
        }
        for (std::size_t i = 0; i < claimed->size(); ++i) {
          if ((*answers)[i]) done.insert((*claimed)[i].id);
        }
      }
    });
  }
  for (auto& w : workers) w.join();
  INFO((errors.empty() ? std::string() : errors.front()));
  CHECK(errors.empty());
  CHECK(done.size() == ids.size());
  CHECK(std::set<std::int64_t>(done.begin(), done.end()).size() == ids.size());
  CHECK(s->counts()->succeeded == static_cast<std::int64_t>(ids.size()));
}

TEST_CASE("postgres store: every kind of write at once from two stores never deadlocks",
          "[postgres]") {
  // Each transaction changes the run_counts rows in one order (by status) or only one of them,
  // so no two can wait for each other; PostgreSQL would end one with "deadlock detected" (an
  // errc::storage answer) if they could. Enqueue, claim, complete, retry, dead, replay and prune
  // run side by side here, and no call may fail.
  auto& server = shared_postgres_server();
  manual_clock clock;
  auto o = pg_options(clock, "no_deadlock");
  o.max_unfinished_runs = 0;
  auto a = open_postgres_store(server.connection_string(), o);
  auto b = open_postgres_store(server.connection_string(), o);
  std::mutex mu;
  std::vector<std::string> errors;
  auto failed = [&](const syncline::error& e) {
    std::lock_guard g(mu);
    errors.push_back(to_string(e));
  };
  std::vector<std::thread> threads;
  threads.emplace_back([&] {
    for (int round = 0; round < 60; ++round) {
      std::vector<st::new_run> batch;
      for (int i = 0; i < 10; ++i) {
        batch.push_back(make_run("k" + std::to_string(round * 10 + i), "{}",
                                 "t" + std::to_string(i % 3) + ".myshopify.com"));
      }
      if (auto r = (round % 2 ? *a : *b).enqueue(batch); !r) failed(r.error());
    }
  });
  for (st::postgres_store* s : {a.get(), b.get(), a.get()}) {
    threads.emplace_back([&, s] {
      for (int round = 0; round < 60; ++round) {
        auto claimed = s->claim("w", 8, 30s);
        if (!claimed) {
          failed(claimed.error());
          continue;
        }
        std::vector<st::run_completion> ends;
        for (std::size_t i = 0; i < claimed->size(); ++i) {
          const auto& c = (*claimed)[i];
          ends.push_back(i % 3 == 0   ? st::run_completion::retried(c, clock.now(), "again")
                         : i % 3 == 1 ? st::run_completion::completed(c, run_status::dead, "x")
                                      : st::run_completion::completed(c, run_status::succeeded));
        }
        if (auto r = s->finish_many(ends, {}); !r) failed(r.error());
      }
    });
  }
  threads.emplace_back([&] {
    for (int round = 0; round < 30; ++round) {
      if (auto r = b->replay_all({}); !r) failed(r.error());
      if (auto r = a->prune(0s); !r) failed(r.error());
    }
  });
  for (auto& t : threads) t.join();
  INFO((errors.empty() ? std::string() : errors.front()));
  CHECK(errors.empty());
  // The counters the triggers kept agree with the rows.
  raw_postgres raw(server.connection_string());
  CHECK(raw.scalar("SELECT count(*) FROM no_deadlock.runs WHERE status = 'queued'") ==
        std::to_string(a->counts()->queued));
  CHECK(raw.scalar("SELECT count(*) FROM no_deadlock.runs WHERE status = 'dead'") ==
        std::to_string(a->counts()->dead));
  CHECK(raw.scalar("SELECT count(*) FROM no_deadlock.runs") ==
        std::to_string(a->counts()->unfinished() + a->counts()->succeeded + a->counts()->skipped +
                       a->counts()->dead));
}

TEST_CASE("postgres store: a role goes with its holder's session, and the old holder learns it",
          "[postgres][leadership]") {
  auto& server = shared_postgres_server();
  manual_clock clock;
  const auto o = pg_options(clock, "roles");
  auto first = open_postgres_store(server.connection_string(), o);
  auto second = open_postgres_store(server.connection_string(), o);
  REQUIRE(leads(*first, "sources"));
  CHECK_FALSE(leads(*second, "sources"));

  // The first store's sessions end (as a server that dropped them, or a network cut, would):
  // its advisory locks, the role's too, end with them.
  raw_postgres raw(server.connection_string());
  const std::string holder = raw.scalar(
      "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 2 AND granted");
  REQUIRE_FALSE(holder.empty());
  raw.scalar("SELECT pg_terminate_backend(" + holder + ")");
  // pg_terminate_backend only signals: wait until the backend is gone.
  for (int i = 0;
       i < 1000 && raw.scalar("SELECT count(*) FROM pg_stat_activity WHERE pid = " + holder) != "0";
       ++i) {
    std::this_thread::sleep_for(10ms);
  }
  CHECK(leads(*second, "sources"));
  // The first store reconnects and finds the role taken: it does not believe it still leads.
  CHECK_FALSE(leads(*first, "sources"));

  // A closed store lets its role go at once.
  second.reset();
  CHECK(leads(*first, "sources"));
}

}  // namespace unity_store_postgres_store_test
