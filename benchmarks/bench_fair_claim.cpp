// Fair claim between tenants (store.hpp, claim; issue 13): how long a quiet shop's new run waits
// while a noisy shop keeps a backlog of 50,000 runs, with the store's fair claim against the
// plain oldest-first claim the store used before (kept here only, as the baseline), and what a
// claim costs with and without that backlog. Figures and the command: docs/perf/store.md.
//
// noisy_neighbour/<claim>/<backlog>: one worker claims 16 runs and completes them (finish_many),
// over and over. Before each claim the noisy shop queues as many runs as the last claim took, so
// its backlog stays where it started; every 4th claim the quiet shop queues one run. A quiet
// run's wait is counted in claims (1: the very next claim took it) and in real time from its
// enqueue to the claim that took it; the counters are the p50, p99 and max over the quiet runs.
// Each benchmark is one scenario (one iteration). postgres/noisy_neighbour/<claim>/<backlog> is
// the same on the PostgreSQL store of a throw-away server (fsync turned off, as the SQLite runs
// commit without one), the oldest-first claim written against its schema in the same way.
//
// claim_cost/<claim>/<backlog>_due[/<history>_finished]: the time of one claim of 16 (the
// completions and refills are outside the timing), with 16 due runs of one shop and a backlog of
// 50,000 more of it or none; with none, optionally 50,000 finished runs in the file instead, so
// that the file is as big as with the backlog; /1000_tenants: the 50,000 spread over 1,000 shops.
#include <syncline/postgres/connection.hpp>
#include <syncline/postgres/parameters.hpp>
#include <syncline/sqlite/database.hpp>
#include <syncline/sqlite/statement.hpp>
#include <syncline/sqlite/transaction.hpp>
#include <syncline/store/postgres_store.hpp>
#include <syncline/store/sqlite_store.hpp>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "shared_postgres_server.hpp"

namespace {

namespace st = syncline::store;
using namespace std::chrono_literals;

constexpr std::size_t batch = 16;
constexpr int quiet_every = 4;  // claims between two runs of the quiet shop
// Quiet runs measured per scenario: 100, or SYNCLINE_BENCH_QUIET_RUNS (the smoke test's few).
int quiet_runs() {
  const char* v = std::getenv("SYNCLINE_BENCH_QUIET_RUNS");
  const int n = v ? std::atoi(v) : 0;
  return n > 0 ? n : 100;
}

st::new_run run_of(const std::string& tenant) {
  return {.tenant = tenant,
          .integration = "shopify-sync",
          .workflow = "orders-to-app",
          .trigger = "orders/create",
          .dedupe_key = "",
          .payload = R"({"id":820982911946154508,"total_price":"199.00"})"};
}

// A fresh store in its own temporary directory, removed afterwards; `baseline` is a second
// connection to its file for the oldest-first claim.
class bench_db {
 public:
  bench_db() {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() / ("syncline-fair-" + std::to_string(rd()));
    std::filesystem::create_directories(dir_);
    st::sqlite_store_options o;
    o.max_unfinished_runs = 0;                        // measures claims, not backpressure
    o.acknowledgement_sync = st::sync_level::normal;  // nor fsyncs
    auto s = st::sqlite_store::open(dir_ / "bench.db", o);
    if (!s) {
      error_ = to_string(s.error());
      return;
    }
    store_ = std::move(s).value();
    auto c = syncline::sqlite::database::open((dir_ / "bench.db").string());
    if (!c) {
      error_ = to_string(c.error());
      return;
    }
    baseline_.emplace(std::move(c).value());
  }
  ~bench_db() {
    baseline_.reset();
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  st::sqlite_store& store() { return *store_; }
  syncline::sqlite::database& baseline() { return *baseline_; }
  const std::string& error() const { return error_; }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<st::sqlite_store> store_;
  std::optional<syncline::sqlite::database> baseline_;
  std::string error_;
};

// A fresh schema of the PostgreSQL store on the binary's server; `baseline` is a session of
// its own on that schema for the oldest-first claim.
class pg_bench_db {
 public:
  pg_bench_db() {
    std::string why;
    auto* server = bench::shared_postgres_server(&why);
    if (!server) {
      error_ = why;
      return;
    }
    static int schemas = 0;
    const std::string schema = "fair_" + std::to_string(++schemas);
    const syncline::secret conninfo(server->connection_string());
    auto c = syncline::postgres::connection::connect(conninfo);
    if (!c) {
      error_ = to_string(c.error());
      return;
    }
    // As the SQLite runs commit without an fsync; ALTER SYSTEM cannot share a transaction.
    for (const char* sql : {"ALTER SYSTEM SET fsync = off", "SELECT pg_reload_conf()"}) {
      if (auto r = c->exec(sql); !r) {
        error_ = to_string(r.error());
        return;
      }
    }
    if (auto r = c->exec("DROP SCHEMA IF EXISTS " + schema + " CASCADE"); !r) {
      error_ = to_string(r.error());
      return;
    }
    st::postgres_store_options o;
    o.schema = schema;
    o.max_unfinished_runs = 0;  // measures claims, not backpressure
    auto s = st::postgres_store::open(server->connection_string(), o);
    if (!s) {
      error_ = to_string(s.error());
      return;
    }
    store_ = std::move(s).value();
    if (auto r = c->exec("SET search_path TO " + schema); !r) {
      error_ = to_string(r.error());
      return;
    }
    baseline_.emplace(std::move(c).value());
  }
  st::postgres_store& store() { return *store_; }
  syncline::postgres::connection& baseline() { return *baseline_; }
  const std::string& error() const { return error_; }

 private:
  std::unique_ptr<st::postgres_store> store_;
  std::optional<syncline::postgres::connection> baseline_;
  std::string error_;
};

enum class claim_kind { oldest_first, fair };

// The claim of schema 2 (before fair claim): the oldest due runs, whoever's they are. In a
// write transaction as the store's claim is (the store's also looks for dead workers when it
// claims short, at most once a second, which this one does not).
syncline::result<std::vector<st::claimed_run>> claim_oldest_first(syncline::sqlite::database& c,
                                                                  std::size_t max) {
  auto tx = syncline::sqlite::write_transaction::begin(c);
  if (!tx) return std::move(tx).error();
  const auto now = st::system_now();
  auto q = c.prepare(
      "UPDATE runs SET status = 'running', attempts = attempts + 1, "
      "lease_token = lower(hex(randomblob(16))), due_at = ?1, worker = 'baseline', "
      "updated_at = ?2 WHERE id IN (SELECT id FROM runs WHERE due_at <= ?2 "
      "ORDER BY due_at, id LIMIT ?3) RETURNING id, tenant, lease_token",
      "claim oldest first");
  if (!q) return std::move(q).error();
  q->bind(now + 30s, now, max);
  std::vector<st::claimed_run> out;
  for (;;) {
    auto row = q->step();
    if (!row) return std::move(row).error();
    if (!*row) break;
    st::claimed_run r;
    r.id = q->int64(0);
    r.tenant = q->text(1);
    r.lease_token = q->text(2);
    out.push_back(std::move(r));
  }
  if (auto r = tx->commit(); !r) return std::move(r).error();
  return out;
}

// The same on PostgreSQL (the store keeps times as nanoseconds since the epoch), with SKIP
// LOCKED as the store's claim.
syncline::result<std::vector<st::claimed_run>> claim_oldest_first(syncline::postgres::connection& c,
                                                                  std::size_t max) {
  syncline::postgres::parameters p;
  const auto now = st::system_now();
  p.time(now + 30s);
  p.time(now);
  p.int64(static_cast<std::int64_t>(max));
  if (auto v = p.check(); !v) return std::move(v).error();
  auto rows = c.exec(
      "UPDATE runs SET status = 'running', attempts = attempts + 1, "
      "lease_token = gen_random_uuid()::text, due_at = $1::bigint, worker = 'baseline', "
      "updated_at = $2::bigint WHERE id IN (SELECT id FROM runs WHERE due_at <= $2::bigint "
      "ORDER BY due_at, id LIMIT $3::bigint FOR UPDATE SKIP LOCKED) "
      "RETURNING id, tenant, lease_token",
      p.view());
  if (!rows) return std::move(rows).error();
  std::vector<st::claimed_run> out;
  for (int row = 0; row < syncline::postgres::row_count(*rows); ++row) {
    st::claimed_run r;
    r.id = syncline::postgres::int64_at(*rows, row, 0);
    r.tenant = std::string(syncline::postgres::text_at(*rows, row, 1));
    r.lease_token = std::string(syncline::postgres::text_at(*rows, row, 2));
    out.push_back(std::move(r));
  }
  return out;
}

template <class Db>
syncline::result<std::vector<st::claimed_run>> claim(Db& db, claim_kind kind) {
  if (kind == claim_kind::fair) return db.store().claim("bench", batch, 30s);
  return claim_oldest_first(db.baseline(), batch);
}

template <class Db>
syncline::result<void> finish(Db& db, const std::vector<st::claimed_run>& claimed) {
  std::vector<st::run_completion> done;
  done.reserve(claimed.size());
  for (const auto& c : claimed) {
    done.push_back(st::run_completion::completed(c, st::run_status::succeeded));
  }
  auto r = db.store().finish_many(done, {});
  if (!r) return std::move(r).error();
  for (const auto& one : *r) {
    if (!one) return one.error();
  }
  return {};
}

template <class Db>
syncline::result<void> enqueue_noisy(Db& db, std::size_t n) {
  std::vector<st::new_run> runs(n, run_of("noisy.myshopify.com"));
  for (std::size_t done = 0; done < n; done += 1000) {
    const auto part = std::min<std::size_t>(1000, n - done);
    if (auto r = db.store().enqueue(std::span(runs).first(part)); !r) return std::move(r).error();
  }
  return {};
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::ranges::sort(v);
  const auto i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

template <class Db>
void noisy_neighbour(benchmark::State& state, claim_kind kind, std::size_t backlog) {
  Db db;
  if (!db.error().empty()) return state.SkipWithError(db.error().c_str());
  if (auto r = enqueue_noisy(db, backlog); !r) {
    return state.SkipWithError(to_string(r.error()).c_str());
  }
  using clock = std::chrono::steady_clock;
  struct waiting {
    int claim;  // the number of claims made when it was queued
    clock::time_point at;
  };
  std::map<std::int64_t, waiting> quiet;  // queued, not yet claimed
  std::vector<double> wait_claims;
  std::vector<double> wait_ms;
  std::int64_t claimed_runs = 0;
  for (auto _ : state) {
    std::size_t refill = 0;
    int queued_quiet = 0;
    const int measured = quiet_runs();
    for (int n = 0; static_cast<int>(wait_claims.size()) < measured; ++n) {
      if (backlog > 0 && refill > 0) {
        if (auto r = enqueue_noisy(db, refill); !r) {
          return state.SkipWithError(to_string(r.error()).c_str());
        }
      }
      if (n % quiet_every == 0 && queued_quiet < measured) {
        auto q = db.store().enqueue(std::vector{run_of("quiet.myshopify.com")});
        if (!q) return state.SkipWithError(to_string(q.error()).c_str());
        quiet[q->front().run_id] = {n, clock::now()};
        ++queued_quiet;
      }
      auto claimed = claim(db, kind);
      if (!claimed) return state.SkipWithError(to_string(claimed.error()).c_str());
      const auto now = clock::now();
      for (const auto& c : *claimed) {
        if (auto it = quiet.find(c.id); it != quiet.end()) {
          wait_claims.push_back(n + 1 - it->second.claim);
          wait_ms.push_back(std::chrono::duration<double, std::milli>(now - it->second.at).count());
          quiet.erase(it);
        }
      }
      if (auto r = finish(db, *claimed); !r)
        return state.SkipWithError(to_string(r.error()).c_str());
      refill = claimed->size();
      claimed_runs += static_cast<std::int64_t>(claimed->size());
    }
  }
  state.SetItemsProcessed(claimed_runs);
  state.counters["quiet_p50_claims"] = percentile(wait_claims, 0.50);
  state.counters["quiet_p99_claims"] = percentile(wait_claims, 0.99);
  state.counters["quiet_max_claims"] = percentile(wait_claims, 1.0);
  state.counters["quiet_p50_ms"] = percentile(wait_ms, 0.50);
  state.counters["quiet_p99_ms"] = percentile(wait_ms, 0.99);
}

// `history` finished runs make the file as big as a backlog would, without being due: against
// it, the backlog's own cost shows apart from the size of the file.
// `tenants` > 1 spreads the backlog over that many shops, each refilled with what was taken from
// it: the fair claim's cost follows the number of tenants with due runs.
void claim_cost(benchmark::State& state, claim_kind kind, std::size_t backlog, std::size_t history,
                std::size_t tenants) {
  bench_db db;
  if (!db.error().empty()) return state.SkipWithError(db.error().c_str());
  if (auto r = enqueue_noisy(db, history); !r) {
    return state.SkipWithError(to_string(r.error()).c_str());
  }
  if (auto r = db.baseline().exec(
          "UPDATE runs SET status = 'succeeded', due_at = NULL, finished_at = updated_at",
          "finish the history");
      !r) {
    return state.SkipWithError(to_string(r.error()).c_str());
  }
  // The backlog goes in first, so it is due before the 16 that each iteration claims.
  if (tenants <= 1) {
    if (auto r = enqueue_noisy(db, backlog + batch); !r) {
      return state.SkipWithError(to_string(r.error()).c_str());
    }
  } else {
    std::vector<st::new_run> runs;
    for (std::size_t i = 0; i < backlog + batch; ++i) {
      runs.push_back(run_of("shop-" + std::to_string(i % tenants) + ".myshopify.com"));
    }
    if (auto r = db.store().enqueue(runs); !r) {
      return state.SkipWithError(to_string(r.error()).c_str());
    }
  }
  std::vector<st::new_run> refill;
  for (auto _ : state) {
    auto claimed = claim(db, kind);
    state.PauseTiming();
    if (!claimed || claimed->size() != batch) {
      return state.SkipWithError(claimed ? "claimed fewer than 16"
                                         : to_string(claimed.error()).c_str());
    }
    if (auto r = finish(db, *claimed); !r) return state.SkipWithError(to_string(r.error()).c_str());
    refill.clear();
    for (const auto& c : *claimed) refill.push_back(run_of(c.tenant));
    if (auto r = db.store().enqueue(refill); !r) {
      return state.SkipWithError(to_string(r.error()).c_str());
    }
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(batch));
  // The CSV reporter wants the same counters in each row.
  state.counters["quiet_p50_claims"] = 0;
  state.counters["quiet_p99_claims"] = 0;
  state.counters["quiet_max_claims"] = 0;
  state.counters["quiet_p50_ms"] = 0;
  state.counters["quiet_p99_ms"] = 0;
}

// The noisy shop's backlog in noisy_neighbour: 50,000, or SYNCLINE_BENCH_BACKLOG (the smoke test
// sets a small one: behind 50,000 the oldest-first claim takes 3,000 claims to reach a quiet run,
// 48 s on PostgreSQL here).
std::size_t noisy_backlog() {
  const char* v = std::getenv("SYNCLINE_BENCH_BACKLOG");
  const long long n = v ? std::atoll(v) : 0;
  return n > 0 ? static_cast<std::size_t>(n) : 50'000;
}

// Baselines first in each family: the report divides by a family's first variant.
const bool registered = [] {
  for (const std::size_t backlog : {std::size_t{0}, noisy_backlog()}) {
    for (const auto& [name, kind] : {std::pair{"oldest_first", claim_kind::oldest_first},
                                     std::pair{"fair", claim_kind::fair}}) {
      benchmark::RegisterBenchmark(
          ("noisy_neighbour/" + std::string(name) + "/" + std::to_string(backlog)).c_str(),
          noisy_neighbour<bench_db>, kind, backlog)
          ->Iterations(1)
          ->UseRealTime()
          ->Unit(benchmark::kMillisecond);
    }
  }
  for (const std::size_t backlog : {std::size_t{0}, noisy_backlog()}) {
    for (const auto& [name, kind] : {std::pair{"oldest_first", claim_kind::oldest_first},
                                     std::pair{"fair", claim_kind::fair}}) {
      benchmark::RegisterBenchmark(
          ("postgres/noisy_neighbour/" + std::string(name) + "/" + std::to_string(backlog)).c_str(),
          noisy_neighbour<pg_bench_db>, kind, backlog)
          ->Iterations(1)
          ->UseRealTime()
          ->Unit(benchmark::kMillisecond);
    }
  }
  // claim_cost/<claim>/<backlog>_due[/<history>_finished]
  struct shape {
    std::size_t backlog;
    std::size_t history;
    std::size_t tenants;
  };
  for (const auto& [name, kind] :
       {std::pair{"oldest_first", claim_kind::oldest_first}, std::pair{"fair", claim_kind::fair}}) {
    for (const auto [backlog, history, tenants] :
         {shape{0, 0, 1}, shape{50'000, 0, 1}, shape{0, 50'000, 1}, shape{50'000, 0, 1'000}}) {
      std::string label =
          "claim_cost/" + std::string(name) + "/" + std::to_string(backlog) + "_due";
      // Appended piece by piece: GCC 12 at -O3 warns (falsely) on "/" + std::to_string(n) here.
      if (history > 0) label.append("/").append(std::to_string(history)).append("_finished");
      if (tenants > 1) label.append("/").append(std::to_string(tenants)).append("_tenants");
      benchmark::RegisterBenchmark(label.c_str(), claim_cost, kind, backlog, history, tenants)
          ->UseRealTime()
          ->Unit(benchmark::kMicrosecond);
    }
  }
  return true;
}();

}  // namespace
