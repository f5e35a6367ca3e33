// scale_out: several engine processes on one PostgreSQL database, under Shopify webhook load,
// with engines crashing and the database restarting, and the checks that nothing was lost or
// done twice.
//
// The coordinator (this program without --engine) starts a throw-away PostgreSQL server
// (testing::postgres_server; exit 77, CTest's "skipped", when PostgreSQL is not installed),
// starts --engines engine processes (this program with --engine, engine_process.hpp), and sends
// signed orders/create webhooks from a few clients round robin over the live engines for
// --duration seconds (webhook_load.hpp). Meanwhile it SIGKILLs one engine every --kill-every
// seconds and starts it again, and with --restart-postgres restarts PostgreSQL half-way (a fast
// shutdown: every session ends). Then it waits until every run finished and checks:
//   - every acknowledged delivery's order is in the table exactly once (compared as sets);
//   - no row of an order that was never sent, no order with two rows;
//   - every delivery was acknowledged in the end (the sender retries like Shopify);
//   - no run dead-lettered, none unfinished;
//   - with --restart-postgres: webhooks that came while it was down got 503 with Retry-After,
//     and every engine acknowledged deliveries again afterwards, in the same process.
// It prints a summary and exits 1 naming the failed invariant.
//
// With --poll it runs the leader-death scenario instead (leader_death.hpp): the engines poll a
// Shopify emulator's orders, and the engine that leads the poll is the one killed.
//
//   scale_out [--engines N] [--duration S] [--kill-every S] [--restart-postgres] [--clients N]
//   scale_out --poll [--engines N] [--duration S] [--kill-every S]
//   scale_out --engine <conninfo>      (the engine roles; the coordinator starts them)
//   scale_out --poll-engine <conninfo> <shop url>
#include <syncline/postgres/connection.hpp>
#include <syncline/store/postgres_store.hpp>
#include <syncline_test_support/invariant_checks.hpp>
#include <syncline_test_support/postgres_server.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "engine_fleet.hpp"
#include "engine_process.hpp"
#include "leader_death.hpp"
#include "order_poll.hpp"
#include "webhook_load.hpp"

namespace {

using namespace std::chrono_literals;
using scale_out::steady;

struct flags {
  int engines = 3;
  int duration = 10;   // seconds of load
  int kill_every = 3;  // seconds; 0: no kills
  int clients = 4;
  bool restart_postgres = false;
  bool poll = false;
};

constexpr std::string_view usage =
    "usage: scale_out [--engines N] [--duration S] [--kill-every S] [--clients N]\n"
    "                 [--restart-postgres]\n"
    "       scale_out --poll [--engines N] [--duration S] [--kill-every S]\n"
    "  Starts PostgreSQL and N engine processes on it (default 3), sends signed Shopify\n"
    "  orders/create webhooks round robin over them for S seconds (default 10), SIGKILLs one\n"
    "  engine every --kill-every seconds and restarts it (default 3; 0: never), optionally\n"
    "  restarts PostgreSQL half-way, then checks that every acknowledged delivery reached the\n"
    "  table exactly once and that no run was dead-lettered. Exits 1 naming a failed check,\n"
    "  77 when PostgreSQL is not installed.\n"
    "  --poll: the engines poll a Shopify emulator's orders instead; the engine leading the poll\n"
    "  is SIGKILLed every --kill-every seconds; checks that another takes over in bounded time\n"
    "  and that no page is skipped or queued twice.\n";

bool parse_int(std::string_view text, int low, int high, int& out) {
  int v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size() || v < low || v > high) return false;
  out = v;
  return true;
}

// 0: run; 1: --help; 2: bad arguments.
int parse(int argc, char** argv, flags& f) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << usage;
      return 1;
    }
    if (arg == "--restart-postgres" || arg == "--poll") {
      (arg == "--poll" ? f.poll : f.restart_postgres) = true;
      continue;
    }
    struct bound {
      int* target;
      int low, high;
    };
    const std::optional<bound> b = arg == "--engines"      ? bound{&f.engines, 1, 16}
                                   : arg == "--duration"   ? bound{&f.duration, 1, 3600}
                                   : arg == "--kill-every" ? bound{&f.kill_every, 0, 3600}
                                   : arg == "--clients"    ? bound{&f.clients, 1, 64}
                                                           : std::optional<bound>{};
    if (!b || i + 1 >= argc || !parse_int(argv[i + 1], b->low, b->high, *b->target)) {
      std::cerr << "scale_out: bad argument '" << arg << "'\n" << usage;
      return 2;
    }
    ++i;
  }
  return 0;
}

syncline::testing::invariant_checks check;  // one line per invariant, and the exit code

// order id -> rows of that order in delivered_orders.
syncline::result<std::map<std::int64_t, int>> table_rows(const syncline::secret& conninfo) {
  auto db = syncline::postgres::connection::connect(conninfo);
  if (!db) return std::move(db).error();
  auto r = db->exec("SELECT order_id::text, count(*)::text FROM delivered_orders GROUP BY 1");
  if (!r) return std::move(r).error();
  std::map<std::int64_t, int> out;
  for (int row = 0; row < PQntuples(r->get()); ++row) {
    out[std::stoll(PQgetvalue(r->get(), row, 0))] = std::stoi(PQgetvalue(r->get(), row, 1));
  }
  return out;
}

// Waits until no run is queued, running or waiting for a retry, seen three times in a row.
syncline::result<syncline::store::run_counts> wait_until_finished(syncline::store::store& store,
                                                                  std::chrono::milliseconds limit) {
  const auto end = steady::now() + limit;
  int quiet = 0;
  for (;;) {
    auto c = store.counts();
    if (c && c->unfinished() == 0 && ++quiet >= 3) return c;
    if (!c || c->unfinished() != 0) quiet = 0;
    if (steady::now() > end) return c;
    std::this_thread::sleep_for(100ms);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::string_view(argv[1]) == "--engine") return scale_out::run_engine(argv[2]);
  if (argc == 4 && std::string_view(argv[1]) == "--poll-engine")
    return scale_out::run_poll_engine(argv[2], argv[3]);
  flags f;
  if (int p = parse(argc, argv, f); p != 0) return p == 1 ? 0 : 2;
  if (f.poll && (f.restart_postgres || f.clients != flags{}.clients || f.kill_every == 0)) {
    std::cerr << "scale_out: --poll kills the leader (--kill-every 1 or more), with no webhook "
                 "load and no PostgreSQL restart\n"
              << usage;
    return 2;
  }

  auto server = syncline::testing::postgres_server::start();
  if (!server && server.error().category == syncline::errc::not_found) {
    std::cout << "skipped: " << server.error().message << "\n";
    return 77;
  }
  if (!server) {
    std::cout << "PostgreSQL did not start: " << server.error().message << "\n";
    return 1;
  }
  const std::string conninfo = server->connection_string();
  if (f.poll) {
    scale_out::leader_death_options o;
    o.engines = static_cast<std::size_t>(f.engines);
    o.duration = std::chrono::seconds(f.duration);
    o.kill_every = std::chrono::seconds(f.kill_every);
    return scale_out::run_leader_death(o, conninfo);
  }
  const std::string client_secret = scale_out::random_secret("whsec_");
  ::setenv(scale_out::client_secret_variable, client_secret.c_str(), 1);  // for the children

  // The destination table, made once before the engines start (two engines creating it at
  // once could collide in the catalog).
  {
    syncline::http::io_threads io(1);
    auto sink = scale_out::delivered_orders_sink::open(io.executor(), syncline::secret(conninfo));
    auto created = sink ? sink->create_table() : syncline::result<void>(sink.error());
    if (!created) {
      std::cout << "cannot create the table: " << created.error().message << "\n";
      return 1;
    }
  }

  const auto began = steady::now();
  scale_out::engine_fleet fleet({"--engine", conninfo}, static_cast<std::size_t>(f.engines));
  for (std::size_t i = 0; i < fleet.size(); ++i) {
    if (!fleet.start(i)) {
      std::cout << "engine " << i << " did not start\n";
      return 1;
    }
  }
  std::vector<long> first_pids;
  for (const auto& e : fleet.live()) first_pids.push_back(e.pid);
  std::cout << "== scale_out: PostgreSQL on 127.0.0.1:" << server->port() << ", " << f.engines
            << " engines, " << f.clients << " clients, " << f.duration << " s of load, "
            << (f.kill_every ? "a SIGKILL every " + std::to_string(f.kill_every) + " s"
                             : std::string("no kills"))
            << (f.restart_postgres ? ", PostgreSQL restarted half-way" : "") << "\n";

  scale_out::load_options lo;
  lo.clients = static_cast<std::size_t>(f.clients);
  lo.duration = std::chrono::seconds(f.duration);
  scale_out::webhook_load load(fleet, client_secret, lo);
  load.start();

  // Kills and the restart happen on this thread: a child dies with the thread that forked it
  // (PR_SET_PDEATHSIG), and this one lives to the end.
  int kills = 0, failed_restarts = 0;
  bool postgres_restarted = false, restart_failed = false;
  steady::time_point down_from{}, up_at{};
  const auto load_end = began + std::chrono::seconds(f.duration);
  auto next_kill = steady::now() + std::chrono::seconds(f.kill_every);
  const auto restart_at = steady::now() + std::chrono::milliseconds(f.duration * 1000 / 2);
  while (steady::now() < load_end) {
    if (f.restart_postgres && !postgres_restarted && steady::now() >= restart_at) {
      down_from = steady::now();
      restart_failed = !server->restart();
      up_at = steady::now();
      postgres_restarted = true;
      std::cout << "  PostgreSQL restarted (down for "
                << std::chrono::duration_cast<std::chrono::milliseconds>(up_at - down_from).count()
                << " ms)\n";
    }
    if (f.kill_every > 0 && steady::now() >= next_kill) {
      const std::size_t slot = static_cast<std::size_t>(kills) % fleet.size();
      const long pid = fleet.kill(slot);
      ++kills;
      std::this_thread::sleep_for(200ms);  // a moment down, so the load notices
      if (!fleet.start(slot)) ++failed_restarts;
      std::cout << "  killed engine " << slot << " (pid " << pid << ") and started it again\n";
      next_kill = steady::now() + std::chrono::seconds(f.kill_every);
    }
    std::this_thread::sleep_for(50ms);
  }
  scale_out::load_report report = load.finish();

  // Every run finished? Asked through a store of our own on the same database.
  syncline::store::postgres_store_options so;
  auto store = syncline::store::postgres_store::open(conninfo, so);
  if (!store) {
    std::cout << "cannot open the store: " << store.error().message << "\n";
    return 1;
  }
  auto counts = wait_until_finished(**store, 30s);
  std::vector<syncline::store::run_record> dead;
  if (auto d = (*store)->query_runs({.status = syncline::store::run_status::dead, .limit = 5}); d)
    dead = std::move(*d);
  // Runs executed more than once: taken over from a killed engine, or run again after their end
  // could not be recorded. They are what the exactly-once check is about.
  std::int64_t run_again = 0;
  for (syncline::store::run_query q{.limit = 1000};;) {
    auto page = (*store)->query_runs(q);
    if (!page) break;
    for (const auto& r : *page)
      if (r.attempts > 1) ++run_again;
    if (page->size() < q.limit) break;
    q.before_id = page->back().id;
  }
  auto rows = table_rows(syncline::secret(conninfo));
  const auto seconds =
      std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() - began).count() / 1000.0;

  std::map<long, std::uint64_t> acks_per_engine;
  for (const auto& [order, pid] : report.acked) ++acks_per_engine[pid];
  std::cout << "\n== summary\n"
            << "deliveries " << report.deliveries << ", attempts " << report.attempts
            << ", acknowledged " << report.acked.size() << ", never acknowledged "
            << report.unacked.size() << "\n"
            << "failed attempts: " << report.failed_connections << " without an answer, "
            << report.status_503 << " answered 503 (" << report.status_503_with_retry_after
            << " with Retry-After)";
  for (const auto& [status, n] : report.other_statuses) std::cout << ", " << n << " " << status;
  std::cout << "\nkills " << kills << ", PostgreSQL restarts " << (postgres_restarted ? 1 : 0)
            << ", engine processes that acknowledged: " << acks_per_engine.size() << "\n";
  if (counts)
    std::cout << "runs: " << counts->succeeded << " succeeded, " << counts->dead << " dead, "
              << counts->unfinished() << " unfinished; " << run_again
              << " ran more than once (taken over or run again)\n";
  if (rows) std::cout << "rows in delivered_orders: " << rows->size() << " orders\n";
  std::cout << "duration " << seconds << " s\n";

  std::cout << "\n== checks\n";
  check(failed_restarts == 0, "every killed engine started again",
        std::to_string(failed_restarts) + " did not");
  check(report.acked.size() > 0, "deliveries were acknowledged");
  check(report.unacked.empty(), "every delivery was acknowledged in the end (retried like Shopify)",
        "never acknowledged: " + check.sample(report.unacked));
  check(report.other_statuses.empty(), "no answer other than 200 and 503");
  check(counts.has_value() && counts->unfinished() == 0, "no unfinished run",
        counts ? std::to_string(counts->unfinished()) + " left" : counts.error().message);
  check(counts.has_value() && counts->dead == 0 && dead.empty(), "no run was dead-lettered",
        dead.empty() ? "" : dead.front().workflow + ": " + dead.front().last_error);
  if (!rows) {
    check(false, "the table can be read", rows.error().message);
  } else {
    std::vector<std::int64_t> missing, twice, unsent;
    std::set<std::int64_t> sent;
    for (const auto& [order, pid] : report.acked) sent.insert(order);
    for (auto order : report.unacked) sent.insert(order);
    for (const auto& [order, pid] : report.acked)
      if (!rows->contains(order)) missing.push_back(order);
    for (const auto& [order, n] : *rows) {
      if (n > 1) twice.push_back(order);
      if (!sent.contains(order)) unsent.push_back(order);
    }
    check(missing.empty(), "every acknowledged delivery's order is in the table",
          "missing: " + check.sample(missing));
    check(twice.empty(), "no order has two rows (no delivery ran as two runs)",
          "twice: " + check.sample(twice));
    check(unsent.empty(), "no row of an order that was never sent",
          "unsent: " + check.sample(unsent));
  }
  if (f.restart_postgres) {
    check(postgres_restarted && !restart_failed, "PostgreSQL restarted");
    // A 503 is answered once the store call failed, which may be a moment after the server
    // came back (a reconnect that timed out): count those up to a few seconds after.
    std::size_t during = 0;
    for (auto t : report.retry_after_503_times)
      if (t >= down_from && t <= up_at + 5s) ++during;
    check(during > 0, "webhooks sent while PostgreSQL was down got 503 with Retry-After",
          std::to_string(report.status_503) + " 503s, none with Retry-After in the window");
    if (f.kill_every == 0) {
      std::vector<long> now_pids;
      for (const auto& e : fleet.live()) now_pids.push_back(e.pid);
      std::set<long> acked_after;
      for (const auto& [t, pid] : report.ack_times)
        if (t > up_at) acked_after.insert(pid);
      check(now_pids == first_pids, "no engine process was restarted");
      check(acked_after.size() == first_pids.size(),
            "every engine acknowledged deliveries after PostgreSQL came back",
            std::to_string(acked_after.size()) + " of " + std::to_string(first_pids.size()));
    }
  }

  const std::vector<long> crashed = fleet.ended();
  check(crashed.empty(), "no engine process ended but those killed",
        std::to_string(crashed.size()) + " ended");
  fleet.kill_all();
  return check.verdict();
}
