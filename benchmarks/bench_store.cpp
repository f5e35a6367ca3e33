// What group commit buys: enqueue throughput with one transaction (one fsync) per event
// against many concurrent events per transaction, both with synchronous=FULL, in a temporary
// directory on the local disk. Also: the same at synchronous=NORMAL, and the engine's progress
// commits (claim + complete) at FULL against NORMAL, the choice sqlite_store_options makes by
// default. Figures and the command: docs/perf/store.md. These are fsync-bound: read real time and
// items/s (cpu time leaves out the time spent waiting for the disk).
#include <syncline/store/group_commit.hpp>
#include <syncline/store/sqlite_store.hpp>

#include <benchmark/benchmark.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace st = syncline::store;
using namespace std::chrono_literals;

// Concurrent webhook deliveries per iteration (the group commit variant has them all in flight).
constexpr int events_per_iteration = 128;

// About the size of a Shopify orders/create body with two line items.
const std::string& order_payload() {
  static const std::string payload = [] {
    std::string p = R"({"id":820982911946154508,"email":"jon@example.com","line_items":[)";
    for (int i = 0; i < 2; ++i) {
      p += R"({"id":466157049,"title":"IPod Nano - 8gb","quantity":1,"price":"199.00",)";
      p += R"("sku":"IPOD2008GREEN","variant_id":39072856,"product_id":632910392},)";
    }
    p.pop_back();
    p += "],\"note\":\"" + std::string(1200, 'x') + "\"}";
    return p;
  }();
  return payload;
}

st::new_run webhook_event(std::int64_t n) {
  return {.tenant = "acme.myshopify.com",
          .integration = "shopify-sync",
          .workflow = "orders-to-app",
          .trigger = "orders/create",
          .dedupe_key = "b54557e4-bdd9-4b37-8a5f-" + std::to_string(n),
          .payload = order_payload()};
}

// A fresh store in its own temporary directory, removed afterwards.
class bench_store {
 public:
  explicit bench_store(st::sqlite_store_options opts) {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() / ("syncline-bench-" + std::to_string(rd()));
    std::filesystem::create_directories(dir_);
    auto s = st::sqlite_store::open(dir_ / "bench.db", std::move(opts));
    if (s)
      store_ = std::move(s).value();
    else
      error_ = to_string(s.error());
  }
  ~bench_store() {
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  st::sqlite_store* get() { return store_.get(); }
  const std::string& error() const { return error_; }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<st::sqlite_store> store_;
  std::string error_;
};

st::sqlite_store_options with_sync(st::sync_level acknowledgement, st::sync_level progress) {
  st::sqlite_store_options o;
  o.acknowledgement_sync = acknowledgement;
  o.progress_sync = progress;
  o.max_unfinished_runs = 0;  // the benchmark measures commits, not backpressure
  return o;
}

void enqueue_single_commit(benchmark::State& state, st::sync_level level) {
  bench_store db(with_sync(level, level));
  if (db.get() == nullptr) return state.SkipWithError(db.error().c_str());
  std::int64_t n = 0;
  for (auto _ : state) {
    for (int i = 0; i < events_per_iteration; ++i) {
      const st::new_run run = webhook_event(n++);
      auto r = db.get()->enqueue(std::span(&run, 1));
      if (!r) return state.SkipWithError(to_string(r.error()).c_str());
    }
  }
  state.SetItemsProcessed(state.iterations() * events_per_iteration);
  state.counters["runs_per_commit"] = 1;
}

void enqueue_group_commit(benchmark::State& state, st::sync_level level) {
  bench_store db(with_sync(level, level));
  if (db.get() == nullptr) return state.SkipWithError(db.error().c_str());
  st::group_commit queue(*db.get());
  asio::io_context io;
  std::int64_t n = 0;
  std::string failure;
  for (auto _ : state) {
    for (int i = 0; i < events_per_iteration; ++i) {
      asio::co_spawn(
          io,
          [&]() -> asio::awaitable<void> {
            auto r = co_await queue.submit(webhook_event(n++));
            if (!r) failure = to_string(r.error());
          },
          asio::detached);
    }
    io.run();
    io.restart();
    if (!failure.empty()) return state.SkipWithError(failure.c_str());
  }
  state.SetItemsProcessed(state.iterations() * events_per_iteration);
  const auto stats = queue.stats();
  state.counters["runs_per_commit"] =
      stats.batches > 0 ? static_cast<double>(stats.runs) / static_cast<double>(stats.batches) : 0;
}

// One worker's progress commits: claim a batch, then complete each run (1 + 16 transactions).
void claim_and_complete(benchmark::State& state, st::sync_level progress) {
  bench_store db(with_sync(st::sync_level::full, progress));
  if (db.get() == nullptr) return state.SkipWithError(db.error().c_str());
  constexpr std::size_t batch = 16;
  std::vector<st::new_run> runs;
  std::int64_t n = 0;
  for (auto _ : state) {
    state.PauseTiming();
    runs.clear();
    for (std::size_t i = 0; i < batch; ++i) runs.push_back(webhook_event(n++));
    auto queued = db.get()->enqueue(runs);
    if (!queued) return state.SkipWithError(to_string(queued.error()).c_str());
    state.ResumeTiming();
    auto claimed = db.get()->claim("bench", batch, 30s);
    if (!claimed) return state.SkipWithError(to_string(claimed.error()).c_str());
    for (const auto& c : *claimed) {
      if (auto r = db.get()->complete(c, st::run_status::succeeded); !r) {
        return state.SkipWithError(to_string(r.error()).c_str());
      }
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(batch));
  state.counters["runs_per_commit"] = static_cast<double>(batch) / (batch + 1);
}

// Every benchmark reports runs_per_commit: the CSV reporter wants the same counters in each row.
// Baselines first in each family: the report divides by a family's first variant.
const bool registered = [] {
  using st::sync_level;
  benchmark::RegisterBenchmark("enqueue/single_commit", enqueue_single_commit, sync_level::full)
      ->UseRealTime()
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("enqueue/group_commit", enqueue_group_commit, sync_level::full)
      ->UseRealTime()
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("enqueue/single_commit_normal", enqueue_single_commit,
                               sync_level::normal)
      ->UseRealTime()
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("enqueue/group_commit_normal", enqueue_group_commit,
                               sync_level::normal)
      ->UseRealTime()
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("progress/claim_complete_full", claim_and_complete, sync_level::full)
      ->UseRealTime()
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("progress/claim_complete_normal", claim_and_complete,
                               sync_level::normal)
      ->UseRealTime()
      ->Unit(benchmark::kMillisecond);
  return true;
}();

}  // namespace
