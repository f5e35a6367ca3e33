// Runs per second through the 5-block workflow of five_blocks.hpp on each store, with 1, 2 and 3
// engine processes on one PostgreSQL server, against a bare SKIP LOCKED loop on the same server
// and against the SQLite store, all in one run (issue 13). Figures and the command:
// docs/perf/store.md, "Runs per second on PostgreSQL".
//
//   scale/sqlite/1 (baseline)   one engine process on the SQLite store (a file in a temporary
//                               directory; acknowledgements at FULL, progress at NORMAL)
//   scale/bare/<k>  (baseline)  k processes of plain libpq on one table of the shared server:
//                               batched INSERTs of 256 runs (one autocommit statement, waits for
//                               its WAL flush), then claims of 32 (one UPDATE ... WHERE id IN
//                               (SELECT ... FOR UPDATE SKIP LOCKED LIMIT 32) RETURNING), the same
//                               5 blocks called by hand on each decoded payload, and one UPDATE
//                               to done per claim checking each lease token (claim and complete
//                               commit without waiting for the flush, as the store's do)
//   scale/postgres/<k>          k engine processes on the PostgreSQL store of the same server
//                               (fsync on, as in production)
//
// Every scenario does the same work: N runs (SYNCLINE_BENCH_RUNS, default 20,000; the smoke test
// sets a few hundred) are queued, claimed, run through the 5 blocks and completed. Each process
// queues its share of them itself, in groups of 256 (an engine: 256 concurrent async_emit, one
// group commit), while claiming and running whatever is due, whoever queued it. The time is from
// the moment every process is ready (engines started, connections open) to the moment every run
// is completed; runs_per_s is N over it. The engines also record each run's block events (the
// run log) and keep the run counters; the bare loop does neither: that is part of what the ratio
// measures. cpu_us_per_run is the CPU time of the k processes (not the server's) per run.
// vs_bare = postgres/k over bare/k, vs_sqlite = postgres/k over sqlite/1, both in this run (0 when
// a filter left the baseline out).
//
// The engines run 128 workers (SYNCLINE_BENCH_WORKERS), claim 32 at a time, log at warn. Each
// process is forked from this one before it opens any connection or file, and is killed (SIGKILL)
// when the scenario ends. SYNCLINE_BENCH_STATEMENT_LOG=<file> keeps the server's log of every
// statement with its duration (server_for_scenarios).
#include <syncline/blocks/filter.hpp>
#include <syncline/blocks/map.hpp>
#include <syncline/blocks/tap.hpp>
#include <syncline/blocks/to.hpp>
#include <syncline/core/app_event.hpp>
#include <syncline/core/integration.hpp>
#include <syncline/core/workflow.hpp>
#include <syncline/json/decode.hpp>
#include <syncline/json/encode.hpp>
#include <syncline/runtime/engine.hpp>
#include <syncline/store/postgres_store.hpp>
#include <syncline_test_support/child_process.hpp>
#include <syncline_test_support/temp_dir.hpp>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <libpq-fe.h>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <sys/resource.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include "emit_orders.hpp"
#include "five_blocks.hpp"
#include "shared_postgres_server.hpp"

namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

constexpr std::size_t enqueue_group = 256;  // runs queued at once by one process
constexpr std::size_t claim_batch = 32;     // the engine's default claim_batch

std::int64_t total_runs() {
  const char* v = std::getenv("SYNCLINE_BENCH_RUNS");
  const long long n = v ? std::atoll(v) : 0;
  return n > 0 ? n : 20'000;
}

// --- the workflow: the five blocks and a cheap destination ------------------------------------

// The destination: a sum in the process, so that the store, not a sink, is what is measured.
std::atomic<std::int64_t> cents_written{0};
void write_row(const bench::warehouse_row& r) {
  cents_written.fetch_add(r.total_cents, std::memory_order_relaxed);
}

constexpr auto five_blocks = syncline::workflow<"five_blocks">(
    syncline::app_event<"order.placed", bench::order_placed>{} |
    syncline::map<"normalise">(
        [](bench::order_placed o) { return bench::normalise(std::move(o)); }) |
    syncline::filter<"is_paid">([](const bench::order_placed& o) { return bench::is_paid(o); }) |
    syncline::map<"to_row">([](const bench::order_placed& o) { return bench::to_row(o); }) |
    syncline::tap<"count">([](const bench::warehouse_row& r) { bench::count_row(r); }) |
    syncline::to<"write">([](const bench::warehouse_row& r) { write_row(r); }));
constexpr auto scale_sync = syncline::integration<"bench_scale", syncline::platform>(five_blocks);

// The same five steps by hand, for the bare loop.
bool run_by_hand(std::string_view payload) {
  auto o = syncline::json::decode<bench::order_placed>(payload);
  if (!o) return false;
  auto norm = bench::normalise(std::move(*o));
  if (!bench::is_paid(norm)) return true;
  auto row = bench::to_row(norm);
  bench::count_row(row);
  write_row(row);
  return true;
}

// --- the processes -----------------------------------------------------------------------------

double cpu_seconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return s(u.ru_utime) + s(u.ru_stime);
}

void say(int fd, const std::string& line) {
  const std::string text = line + "\n";
  (void)!::write(fd, text.data(), text.size());
}

// The start line: each process waits on the read end until every process is ready and the
// parent closes the write end (EOF reaches them all at once).
class start_gate {
 public:
  start_gate() {
    if (::pipe(fds_) != 0) throw std::runtime_error("start_gate: pipe() failed");
  }
  ~start_gate() {
    for (int fd : fds_)
      if (fd >= 0) ::close(fd);
  }
  start_gate(const start_gate&) = delete;
  start_gate& operator=(const start_gate&) = delete;

  // In a child: gives up its copy of the write end, then waits for the parent's.
  void wait() {
    ::close(fds_[1]);
    char c = 0;
    while (::read(fds_[0], &c, 1) > 0) {
    }
  }
  // In the parent: every child is ready.
  void open() {
    ::close(fds_[1]);
    fds_[1] = -1;
  }

 private:
  int fds_[2] = {-1, -1};
};

// What one process of a scenario does once the gate opens: queue runs [first, first + count) and
// work until all `total` runs of the scenario are done. Each writes "ready", then "done <cpu s>",
// or "error <what>" on its line to the parent.
using process_body = std::function<void(int out, start_gate& gate, std::int64_t first,
                                        std::int64_t count, std::int64_t total)>;

struct scenario_result {
  double seconds = 0;
  double cpu_seconds = 0;  // of the k processes, from their start
  std::string error;
};

scenario_result run_processes(int k, std::int64_t total, const process_body& body) {
  start_gate gate;
  std::vector<std::unique_ptr<syncline::testing::child_process>> children;
  const std::int64_t share = total / k;
  for (int i = 0; i < k; ++i) {
    const std::int64_t first = i * share;
    const std::int64_t count = i == k - 1 ? total - first : share;
    children.push_back(std::make_unique<syncline::testing::child_process>([&](int out) {
      body(out, gate, first, count, total);
      ::_exit(0);
    }));
    // One at a time: the first creates the store's schema.
    const std::string line = children.back()->read_line(60s);
    if (line != "ready") return {.error = "process " + std::to_string(i) + ": " + line};
  }
  gate.open();
  const auto start = clock_type::now();
  scenario_result out;
  for (auto& child : children) {
    const std::string line = child->read_line(600s);
    if (!line.starts_with("done ")) {
      out.error = line.empty() ? "a process died or did not finish in 600 s" : line;
      return out;
    }
    out.cpu_seconds += std::atof(line.c_str() + 5);
  }
  out.seconds = std::chrono::duration<double>(clock_type::now() - start).count();
  return out;
}

// --- an engine process -------------------------------------------------------------------------

struct store_choice {
  std::string conninfo;  // the PostgreSQL store's, or empty: SQLite
  std::string schema;
  std::filesystem::path database;  // the SQLite file
};

syncline::engine_options engine_options_for(const store_choice& s) {
  syncline::engine_options o;
  o.threads = 2;
  o.listen = {"", 0};  // runs come from emit()
  // Runs in flight per engine, those waiting for their completion's commit included: 128, or
  // SYNCLINE_BENCH_WORKERS. At 32 (bench_runtime's) a PostgreSQL engine claims about 11 runs at a
  // time, not 32, and runs 1.5x-2x slower here: most of its 32 wait for a commit.
  const char* workers = std::getenv("SYNCLINE_BENCH_WORKERS");
  o.workers =
      workers && std::atoi(workers) > 0 ? static_cast<std::size_t>(std::atoi(workers)) : 128;
  o.level = syncline::log_level::warn;
  o.store.max_unfinished_runs = 0;  // the benchmark measures throughput, not backpressure
  o.commit.max_pending = 100'000;
  o.database = s.database;
  if (!s.conninfo.empty()) {
    o.open_store =
        [s, clock = o.store.clock]() -> syncline::result<std::unique_ptr<syncline::store::store>> {
      syncline::store::postgres_store_options options;
      options.clock = clock;
      options.schema = s.schema;
      options.max_unfinished_runs = 0;
      auto store = syncline::store::postgres_store::open(s.conninfo, options);
      if (!store) return std::move(store).error();
      return std::unique_ptr<syncline::store::store>(std::move(*store));
    };
  }
  return o;
}

void engine_process(const store_choice& s, int out, start_gate& gate, std::int64_t first,
                    std::int64_t count, std::int64_t total) {
  syncline::engine eng(engine_options_for(s));
  if (auto r = eng.install(scale_sync, syncline::tenant<>{"bench"}); !r) {
    return say(out, "error install: " + to_string(r.error()));
  }
  if (auto r = eng.start(); !r) return say(out, "error start: " + to_string(r.error()));
  say(out, "ready");
  gate.wait();
  for (std::int64_t from = first; from < first + count;
       from += static_cast<std::int64_t>(enqueue_group)) {
    const std::int64_t to = std::min(first + count, from + std::int64_t{enqueue_group});
    if (auto e = bench::emit_orders(eng, from, to); !e.empty()) return say(out, "error emit: " + e);
  }
  // Every process waits for all the runs: its executor keeps claiming until none is left. A look
  // at the counters is one store read; every 2 ms is well below the scenario's seconds.
  for (;;) {
    auto c = eng.counts();
    if (!c) return say(out, "error counts: " + to_string(c.error()));
    if (c->dead > 0) return say(out, "error: a run was dead-lettered");
    if (c->succeeded + c->skipped >= total) break;
    std::this_thread::sleep_for(2ms);
  }
  say(out, "done " + std::to_string(cpu_seconds()));
  ::pause();  // killed by the parent
}

// --- a bare process: plain libpq ---------------------------------------------------------------

class bare_session {
 public:
  explicit bare_session(const std::string& conninfo) : c_(PQconnectdb(conninfo.c_str())) {}
  ~bare_session() { PQfinish(c_); }
  bare_session(const bare_session&) = delete;
  bare_session& operator=(const bare_session&) = delete;

  std::string error() const { return c_ ? PQerrorMessage(c_) : "no connection"; }
  bool ok() const { return c_ && PQstatus(c_) == CONNECTION_OK; }

  // One round trip of one or more statements; the rows of the one that returns rows.
  bool exec(const std::string& sql, std::vector<std::vector<std::string>>* rows = nullptr) {
    if (!PQsendQuery(c_, sql.c_str())) return false;
    bool good = true;
    while (PGresult* r = PQgetResult(c_)) {
      const auto status = PQresultStatus(r);
      if (status == PGRES_TUPLES_OK && rows) {
        for (int i = 0; i < PQntuples(r); ++i) {
          auto& row = rows->emplace_back();
          for (int j = 0; j < PQnfields(r); ++j) row.emplace_back(PQgetvalue(r, i, j));
        }
      } else if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        good = false;
      }
      PQclear(r);
    }
    return good;
  }

  // One statement with text parameters.
  bool exec_params(const std::string& sql, const std::vector<std::string>& params) {
    std::vector<const char*> values;
    for (const auto& p : params) values.push_back(p.c_str());
    PGresult* r = PQexecParams(c_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                               values.data(), nullptr, nullptr, 0);
    const bool good = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    return good;
  }

 private:
  PGconn* c_;
};

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The bare queue's table, as the store's runs table holds a run: due_at NULL once finished.
std::string bare_schema_sql(const std::string& table) {
  return "SET client_min_messages TO warning; DROP TABLE IF EXISTS " + table + "; CREATE TABLE " +
         table +
         " (id bigserial PRIMARY KEY, tenant text NOT NULL, payload text NOT NULL, status text NOT "
         "NULL, attempts integer NOT NULL DEFAULT 0, lease_token text, worker text, due_at bigint, "
         "created_at bigint NOT NULL, updated_at bigint NOT NULL, finished_at bigint); CREATE "
         "INDEX ON " +
         table + " (due_at, id) WHERE due_at IS NOT NULL";
}

void bare_process(const std::string& conninfo, const std::string& table, int out, start_gate& gate,
                  std::int64_t first, std::int64_t count, std::int64_t total) {
  bare_session db(conninfo);
  if (!db.ok()) return say(out, "error connect: " + db.error());
  const std::string worker = "bare-" + std::to_string(::getpid());
  say(out, "ready");
  gate.wait();
  // Claim and complete do not wait for their WAL flush (as the store's progress commits).
  const std::string progress = "BEGIN; SET LOCAL synchronous_commit = off; ";
  std::int64_t next = first;
  const std::int64_t end = first + count;
  std::vector<std::vector<std::string>> claimed;
  for (;;) {
    if (next < end) {
      const std::int64_t to = std::min(end, next + std::int64_t{enqueue_group});
      std::vector<std::string> params{std::to_string(now_ms())};
      std::string sql = "INSERT INTO " + table +
                        " (tenant, payload, status, due_at, created_at, updated_at) VALUES ";
      for (std::int64_t i = next; i < to; ++i) {
        params.push_back(syncline::json::encode(bench::order_number(i)));
        sql += (i == next ? "('bench', $" : ",('bench', $") + std::to_string(params.size()) +
               ", 'queued', $1::bigint, $1::bigint, $1::bigint)";
      }
      if (!db.exec_params(sql, params)) return say(out, "error insert: " + db.error());
      next = to;
    }
    // Then work through about as many runs as were just queued.
    bool empty = false;
    for (std::size_t done = 0; done < enqueue_group && !empty;) {
      const std::int64_t now = now_ms();
      claimed.clear();
      const std::string claim =
          progress + "UPDATE " + table +
          " SET status = 'running', attempts = attempts + 1, lease_token = "
          "gen_random_uuid()::text, due_at = " +
          std::to_string(now + 30'000) + ", worker = '" + worker +
          "', updated_at = " + std::to_string(now) + " WHERE id IN (SELECT id FROM " + table +
          " WHERE due_at <= " + std::to_string(now) + " ORDER BY due_at, id LIMIT " +
          std::to_string(claim_batch) +
          " FOR UPDATE SKIP LOCKED) RETURNING id, lease_token, payload; COMMIT";
      if (!db.exec(claim, &claimed)) return say(out, "error claim: " + db.error());
      if (claimed.empty()) {
        empty = true;
        break;
      }
      std::string ids, tokens;
      for (const auto& row : claimed) {
        if (!run_by_hand(row[2])) return say(out, "error: a payload did not decode");
        ids += (ids.empty() ? "" : ",") + row[0];
        tokens += (tokens.empty() ? "" : ",") + row[1];
      }
      const std::string at = std::to_string(now_ms());
      const std::string complete =
          progress + "UPDATE " + table + " r SET status = 'succeeded', due_at = NULL, " +
          "lease_token = NULL, finished_at = " + at + ", updated_at = " + at + " FROM unnest('{" +
          ids + "}'::bigint[], '{" + tokens +
          "}'::text[]) AS v(id, token) WHERE r.id = v.id AND r.lease_token = v.token; COMMIT";
      if (!db.exec(complete)) return say(out, "error complete: " + db.error());
      done += claimed.size();
    }
    if (empty && next >= end) {
      // Nothing due here: done once every process's runs are.
      std::vector<std::vector<std::string>> n;
      if (!db.exec("SELECT count(*) FROM " + table + " WHERE status = 'succeeded'", &n) ||
          n.empty()) {
        return say(out, "error count: " + db.error());
      }
      if (std::atoll(n[0][0].c_str()) >= total) break;
      std::this_thread::sleep_for(1ms);
    }
  }
  say(out, "done " + std::to_string(cpu_seconds()));
  ::pause();
}

// --- the scenarios -----------------------------------------------------------------------------

std::map<std::string, double> rates;  // runs/s of the scenarios measured so far in this run

void report(benchmark::State& state, const std::string& name, int k, std::int64_t total,
            const scenario_result& r) {
  state.SetIterationTime(r.seconds);
  state.SetItemsProcessed(total);
  const double rate = static_cast<double>(total) / r.seconds;
  rates[name] = rate;
  auto ratio = [&](const std::string& base) {
    auto it = rates.find(base);
    return it == rates.end() || name.starts_with("bare") || name.starts_with("sqlite")
               ? 0.0
               : rate / it->second;
  };
  state.counters["processes"] = k;
  state.counters["runs_per_s"] = rate;
  state.counters["cpu_us_per_run"] = r.cpu_seconds * 1e6 / static_cast<double>(total);
  state.counters["vs_bare"] = ratio("bare/" + std::to_string(k));
  state.counters["vs_sqlite"] = ratio("sqlite/1");
}

// The shared server. With SYNCLINE_BENCH_STATEMENT_LOG=<file> it logs every statement with its
// duration (log_min_duration_statement = 0), and each scenario copies the server's log to
// <file>: where the time of the PostgreSQL scenarios goes, statement by statement.
syncline::testing::postgres_server* server_for_scenarios(std::string& why) {
  auto* server = bench::shared_postgres_server(&why);
  [[maybe_unused]] static const bool logging = [&] {
    if (!server || !std::getenv("SYNCLINE_BENCH_STATEMENT_LOG")) return false;
    bare_session admin(server->connection_string());
    return admin.exec("ALTER SYSTEM SET log_min_duration_statement = 0") &&
           admin.exec("SELECT pg_reload_conf()");
  }();
  return server;
}

void copy_statement_log(const syncline::testing::postgres_server& server) {
  if (const char* to = std::getenv("SYNCLINE_BENCH_STATEMENT_LOG")) {
    std::error_code ec;
    std::filesystem::copy_file(server.directory() / "server.log", to,
                               std::filesystem::copy_options::overwrite_existing, ec);
  }
}

void sqlite_scenario(benchmark::State& state) {
  const std::int64_t total = total_runs();
  for (auto _ : state) {
    syncline::testing::temp_dir dir("syncline-bench-scale");
    store_choice s;
    s.database = dir.file("engine.db");
    auto r =
        run_processes(1, total,
                      [&](int out, start_gate& gate, std::int64_t first, std::int64_t count,
                          std::int64_t all) { engine_process(s, out, gate, first, count, all); });
    if (!r.error.empty()) return state.SkipWithError(r.error.c_str());
    report(state, "sqlite/1", 1, total, r);
  }
}

void postgres_scenario(benchmark::State& state, int k) {
  std::string why;
  auto* server = server_for_scenarios(why);
  if (!server) return state.SkipWithError(why.c_str());
  const std::int64_t total = total_runs();
  for (auto _ : state) {
    store_choice s;
    s.conninfo = server->connection_string();
    s.schema = "bench_scale_" + std::to_string(k);
    {
      bare_session admin(s.conninfo);
      if (!admin.ok() || !admin.exec("SET client_min_messages TO warning; DROP SCHEMA IF EXISTS " +
                                     s.schema + " CASCADE")) {
        return state.SkipWithError(("cannot reset the schema: " + admin.error()).c_str());
      }
    }
    auto r =
        run_processes(k, total,
                      [&](int out, start_gate& gate, std::int64_t first, std::int64_t count,
                          std::int64_t all) { engine_process(s, out, gate, first, count, all); });
    if (!r.error.empty()) return state.SkipWithError(r.error.c_str());
    report(state, "postgres/" + std::to_string(k), k, total, r);
    copy_statement_log(*server);
  }
}

void bare_scenario(benchmark::State& state, int k) {
  std::string why;
  auto* server = server_for_scenarios(why);
  if (!server) return state.SkipWithError(why.c_str());
  const std::int64_t total = total_runs();
  const std::string conninfo = server->connection_string();
  const std::string table = "bare_runs_" + std::to_string(k);
  for (auto _ : state) {
    {
      // Made before the fork, and the session closed: no connection crosses it.
      bare_session admin(conninfo);
      if (!admin.ok() || !admin.exec(bare_schema_sql(table))) {
        return state.SkipWithError(("cannot create the bare table: " + admin.error()).c_str());
      }
    }
    auto r = run_processes(
        k, total,
        [&](int out, start_gate& gate, std::int64_t first, std::int64_t count, std::int64_t all) {
          bare_process(conninfo, table, out, gate, first, count, all);
        });
    if (!r.error.empty()) return state.SkipWithError(r.error.c_str());
    report(state, "bare/" + std::to_string(k), k, total, r);
    copy_statement_log(*server);
  }
}

// Baselines first: the ratios divide by scenarios measured earlier in the run.
const bool registered = [] {
  benchmark::RegisterBenchmark("scale/sqlite/1", sqlite_scenario)
      ->Iterations(1)
      ->UseManualTime()
      ->Unit(benchmark::kMillisecond);
  for (int k = 1; k <= 3; ++k) {
    benchmark::RegisterBenchmark(("scale/bare/" + std::to_string(k)).c_str(), bare_scenario, k)
        ->Iterations(1)
        ->UseManualTime()
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("scale/postgres/" + std::to_string(k)).c_str(), postgres_scenario,
                                 k)
        ->Iterations(1)
        ->UseManualTime()
        ->Unit(benchmark::kMillisecond);
  }
  return true;
}();

}  // namespace
