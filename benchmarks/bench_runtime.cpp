// The engine's two hot paths, each against a baseline in the same binary:
//
//   ingest/bare_server (baseline)  the same http::server answering 200 at once: what HTTP costs
//   ingest/engine_webhook          POST /webhooks/...: identify, tenant lookup, HMAC verify,
//                                  dedupe, group-committed durable enqueue (fsync), then 200;
//                                  the executor runs the queued runs meanwhile
//   runs/direct_sqlite (baseline)  the same 5 blocks called by hand and the same SQLite insert,
//                                  one run after another: no queue, no engine
//   runs/durable_loop              the engine's store calls for those runs on one thread (queue
//                                  256 durably, claims of 32, finish_many with the run log):
//                                  the durable floor, without the engine's threads and coroutines
//   runs/engine_5_blocks           runs emitted in groups of 256 and executed by the engine
//                                  (claim, decode, 5 blocks, insert, run log, complete)
//   *_no_fsync                     the same with acknowledgement commits at synchronous=NORMAL
//                                  (not durable against power loss): what the fsyncs cost
//
// One ingest iteration = 32 keep-alive connections sending 8 requests each (256 requests); the
// p50_us / p99_us counters are per-request latencies. peak_rss_mb is the process's peak so far.
// With SYNCLINE_BENCH_SERVE_SECONDS set, the binary instead serves the engine and a bare server
// for that long (benchmarks/load_webhook_ingest.sh drives them with wrk, next to nginx).
// Figures and commands: docs/perf/runtime.md.
#include <syncline/blocks/filter.hpp>
#include <syncline/blocks/map.hpp>
#include <syncline/blocks/tap.hpp>
#include <syncline/blocks/to.hpp>
#include <syncline/core/app_event.hpp>
#include <syncline/core/delivery.hpp>
#include <syncline/core/integration.hpp>
#include <syncline/core/webhook.hpp>
#include <syncline/core/workflow.hpp>
#include <syncline/http/hmac.hpp>
#include <syncline/http/io_threads.hpp>
#include <syncline/http/server.hpp>
#include <syncline/json/decode.hpp>
#include <syncline/json/encode.hpp>
#include <syncline/runtime/engine.hpp>
#include <syncline/sqlite/initialize.hpp>
#include <syncline/store/sqlite_store.hpp>

#include <benchmark/benchmark.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/describe/class.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <mutex>
#include <random>
#include <sqlite3.h>
#include <string>
#include <sys/resource.h>
#include <thread>
#include <vector>

#include "emit_orders.hpp"
#include "five_blocks.hpp"

namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using namespace std::chrono_literals;

// --- an app and its webhook, as a connector would write them ----------------------------------

struct shop_credentials {
  std::string shop;
  syncline::secret client_secret;
  std::string tenant_key() const { return shop; }
};
BOOST_DESCRIBE_STRUCT(shop_credentials, (), (shop, client_secret))

// The app reads and verifies its deliveries, whatever their topic.
struct shop_app {
  static constexpr std::string_view name = "benchshop";
  using credentials = shop_credentials;

  static syncline::result<syncline::delivery_identity> identify(
      const syncline::inbound_delivery& d) {
    auto shop = d.header("X-Shop-Domain");
    auto id = d.header("X-Webhook-Id");
    if (shop.empty() || id.empty())
      return syncline::make_error(syncline::errc::invalid_input, "missing headers");
    return syncline::delivery_identity{std::string(shop), std::string(id)};
  }
  static syncline::result<void> verify(const syncline::inbound_delivery& d,
                                       const shop_credentials& c) {
    if (!syncline::http::verify_hmac_sha256_base64(c.client_secret.reveal(), d.body,
                                                   d.header("X-Hmac-Sha256")))
      return syncline::make_error(syncline::errc::unauthorized, "signature mismatch");
    return {};
  }
};

struct line_item {
  std::int64_t id = 0;
  std::string title;
  std::int64_t quantity = 0;
  std::string price;
};
BOOST_DESCRIBE_STRUCT(line_item, (), (id, title, quantity, price))

struct shop_order {
  std::int64_t id = 0;
  std::string email;
  std::string currency;
  std::string total_price;
  std::vector<line_item> line_items;
  std::string note;
};
BOOST_DESCRIBE_STRUCT(shop_order, (), (id, email, currency, total_price, line_items, note))

using orders_create = syncline::webhook<shop_app, "orders/create", shop_order>;

// About the size of a Shopify orders/create body with two line items (~1.3 KB).
const std::string& order_body() {
  static const std::string body = [] {
    shop_order o{820982911946154508, "jon@example.com", "USD", "398.00", {}, std::string(900, 'x')};
    o.line_items = {{466157049, "IPod Nano - 8gb", 1, "199.00"},
                    {518995019, "IPod Nano - 8gb", 1, "199.00"}};
    return syncline::json::encode(o);
  }();
  return body;
}

constexpr std::string_view secret_text = "whsec-bench-2f1c9a";

constexpr auto ingest_orders = syncline::workflow<"ingest_orders">(
    orders_create{} | syncline::to<"drop">([](const shop_order&) {}));
constexpr auto ingest_sync = syncline::integration<"ingest_sync", shop_app>(ingest_orders);

// --- the 5-block workflow and its SQLite table ---------------------------------------------

using bench::order_placed;
using bench::warehouse_row;

// The destination's table: one row per run, keyed by the idempotency key.
class order_table {
 public:
  explicit order_table(const std::filesystem::path& file) {
    // As an application that uses SQLite itself should, before its first use: the first
    // benchmark opens this table before any engine opens its store (sqlite/initialize.hpp).
    syncline::sqlite::initialize();
    sqlite3_open(file.c_str(), &db_);
    sqlite3_exec(db_, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", nullptr, nullptr,
                 nullptr);
    sqlite3_exec(db_,
                 "CREATE TABLE IF NOT EXISTS orders (idempotency_key TEXT PRIMARY KEY, order_id "
                 "INTEGER, email TEXT, total_cents INTEGER, region TEXT)",
                 nullptr, nullptr, nullptr);
    sqlite3_prepare_v2(db_, "INSERT OR IGNORE INTO orders VALUES (?, ?, ?, ?, ?)", -1, &insert_,
                       nullptr);
  }
  ~order_table() {
    sqlite3_finalize(insert_);
    sqlite3_close(db_);
  }
  order_table(const order_table&) = delete;
  order_table& operator=(const order_table&) = delete;

  syncline::result<void> write(const std::string& key, const warehouse_row& r) {
    std::lock_guard lock(mu_);
    sqlite3_reset(insert_);
    sqlite3_bind_text(insert_, 1, key.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(insert_, 2, r.order_id);
    sqlite3_bind_text(insert_, 3, r.email.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(insert_, 4, r.total_cents);
    sqlite3_bind_text(insert_, 5, r.region.c_str(), -1, SQLITE_TRANSIENT);
    if (sqlite3_step(insert_) != SQLITE_DONE)
      return syncline::make_error(syncline::errc::storage, sqlite3_errmsg(db_));
    return {};
  }

 private:
  std::mutex mu_;
  sqlite3* db_ = nullptr;
  sqlite3_stmt* insert_ = nullptr;
};

using bench::count_row;
using bench::is_paid;
using bench::normalise;
using bench::order_number;
using bench::to_row;

constexpr auto five_blocks = syncline::workflow<"five_blocks">(
    syncline::app_event<"order.placed", order_placed>{} |
    syncline::map<"normalise">([](order_placed o) { return normalise(std::move(o)); }) |
    syncline::filter<"is_paid">([](const order_placed& o) { return is_paid(o); }) |
    syncline::map<"to_row">([](const order_placed& o) { return to_row(o); }) |
    syncline::tap<"count">([](const warehouse_row& r) { count_row(r); }) |
    syncline::to<"insert">([](const warehouse_row& r, syncline::run_context& ctx) {
      return ctx.service<order_table>()->write(ctx.idempotency_key(), r);
    }));
constexpr auto run_sync = syncline::integration<"bench_sync", syncline::platform>(five_blocks);

// --- helpers --------------------------------------------------------------------------------

class scratch_dir {
 public:
  scratch_dir() {
    std::random_device rd;
    const char* base = std::getenv("SYNCLINE_BENCH_DIR");
    path_ = (base ? std::filesystem::path(base) : std::filesystem::temp_directory_path()) /
            ("syncline-bench-rt-" + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~scratch_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::filesystem::path file(const std::string& n) const { return path_ / n; }

 private:
  std::filesystem::path path_;
};

double peak_rss_mb() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

// CPU time of the whole process (every thread: engine, server, store, client), user + system.
// On a shared machine the wall-clock rates move with other processes' load; this moves less.
double process_cpu_seconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return s(u.ru_utime) + s(u.ru_stime);
}

// Sets cpu_us_per_item from the process CPU time spent since `since`.
void report_cpu(benchmark::State& state, double since, double items) {
  if (items > 0) state.counters["cpu_us_per_item"] = (process_cpu_seconds() - since) * 1e6 / items;
}

void report_latency(benchmark::State& state, std::vector<double>& micros) {
  if (micros.empty()) return;
  std::sort(micros.begin(), micros.end());
  auto at = [&](double q) { return micros[static_cast<std::size_t>(q * (micros.size() - 1))]; };
  state.counters["p50_us"] = at(0.50);
  state.counters["p99_us"] = at(0.99);
  state.counters["peak_rss_mb"] = peak_rss_mb();
}

// Sends `per_connection` POSTs on each of `connections` keep-alive connections at once and
// records each request's latency. The request factory gives each request its headers.
class load_generator {
 public:
  load_generator(std::uint16_t port, std::size_t connections) : io_(1) {
    for (std::size_t i = 0; i < connections; ++i) {
      sockets_.emplace_back(io_.context());
      sockets_.back().connect({asio::ip::make_address("127.0.0.1"), port});
      sockets_.back().set_option(asio::ip::tcp::no_delay(true));
    }
  }

  template <class MakeRequest>
  bool fire(std::size_t per_connection, MakeRequest make, std::vector<double>& micros) {
    std::vector<std::future<bool>> done;
    std::mutex mu;
    for (auto& s : sockets_) {
      done.push_back(asio::co_spawn(
          io_.context(),
          [&, sock = &s]() -> asio::awaitable<bool> {
            boost::beast::flat_buffer buffer;
            for (std::size_t i = 0; i < per_connection; ++i) {
              auto req = make();
              const auto t0 = std::chrono::steady_clock::now();
              co_await bhttp::async_write(*sock, req, asio::use_awaitable);
              bhttp::response<bhttp::string_body> res;
              co_await bhttp::async_read(*sock, buffer, res, asio::use_awaitable);
              const auto us =
                  std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0)
                      .count();
              if (res.result_int() != 200) co_return false;
              std::lock_guard lock(mu);
              micros.push_back(us);
            }
            co_return true;
          },
          asio::use_future));
    }
    bool ok = true;
    for (auto& f : done) ok = f.get() && ok;
    return ok;
  }

 private:
  syncline::http::io_threads io_;
  std::vector<asio::ip::tcp::socket> sockets_;
};

constexpr std::size_t connections = 32;
constexpr std::size_t requests_per_connection = 8;

bhttp::request<bhttp::string_body> webhook_request(std::uint64_t n) {
  bhttp::request<bhttp::string_body> req{bhttp::verb::post, "/webhooks/benchshop/orders/create",
                                         11};
  req.set(bhttp::field::host, "127.0.0.1");
  req.set(bhttp::field::content_type, "application/json");
  req.set("X-Shop-Domain", "bench.example.test");
  req.set("X-Webhook-Id", "wh-" + std::to_string(n));
  static const std::string hmac = syncline::http::hmac_sha256_base64(secret_text, order_body());
  req.set("X-Hmac-Sha256", hmac);
  req.body() = order_body();
  req.prepare_payload();
  return req;
}

syncline::engine_options engine_options_in(const scratch_dir& dir, std::uint16_t port) {
  syncline::engine_options o;
  o.threads = 2;
  o.database = dir.file("engine.db");
  o.listen = {"127.0.0.1", port};
  o.level = syncline::log_level::warn;
  o.store.max_unfinished_runs = 0;  // unbounded: the benchmark measures ingest, not backpressure
  o.commit.max_pending = 100'000;
  return o;
}

std::atomic<std::uint64_t> webhook_ids{0};

void ingest_bare_server(benchmark::State& state) {
  syncline::http::io_threads io(2);
  syncline::http::server server(io.executor());
  server.route(syncline::http::verb::post, "/webhooks/{app}/{topic...}",
               [](syncline::http::incoming&) -> asio::awaitable<syncline::http::response> {
                 co_return syncline::http::make_response(200, R"({"status":"accepted"})");
               });
  if (!server.listen("127.0.0.1", 0)) {
    state.SkipWithError("listen failed");
    return;
  }
  load_generator load(server.port(), connections);
  std::vector<double> micros;
  const double cpu_start = process_cpu_seconds();
  for (auto _ : state) {
    if (!load.fire(
            requests_per_connection, [] { return webhook_request(webhook_ids++); }, micros)) {
      state.SkipWithError("a request failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * connections * requests_per_connection);
  report_cpu(state, cpu_start,
             static_cast<double>(state.iterations() * connections * requests_per_connection));
  report_latency(state, micros);
  server.stop();
}

void ingest_engine_webhook(benchmark::State& state, syncline::store::sync_level ack) {
  scratch_dir dir;
  auto options = engine_options_in(dir, 0);
  options.store.acknowledgement_sync = ack;
  syncline::engine eng(options);
  if (!eng.install(ingest_sync,
                   syncline::tenant{
                       "bench", shop_credentials{"bench.example.test",
                                                 syncline::secret(std::string(secret_text))}}) ||
      !eng.start()) {
    state.SkipWithError("engine did not start");
    return;
  }
  load_generator load(eng.port(), connections);
  std::vector<double> micros;
  const double cpu_start = process_cpu_seconds();
  for (auto _ : state) {
    if (!load.fire(
            requests_per_connection, [] { return webhook_request(webhook_ids++); }, micros)) {
      state.SkipWithError("a request failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * connections * requests_per_connection);
  report_cpu(state, cpu_start,
             static_cast<double>(state.iterations() * connections * requests_per_connection));
  report_latency(state, micros);
  eng.stop();
}

constexpr std::size_t runs_per_iteration = 256;

void runs_direct_sqlite(benchmark::State& state) {
  scratch_dir dir;
  order_table table(dir.file("warehouse.db"));
  std::int64_t n = 0;
  std::vector<std::string> payloads;
  const double cpu_start = process_cpu_seconds();
  for (auto _ : state) {
    state.PauseTiming();
    payloads.clear();
    for (std::size_t i = 0; i < runs_per_iteration; ++i)
      payloads.push_back(syncline::json::encode(order_number(n + static_cast<std::int64_t>(i))));
    state.ResumeTiming();
    for (const auto& p : payloads) {
      auto o = syncline::json::decode<order_placed>(p);
      auto norm = normalise(std::move(*o));
      if (!is_paid(norm)) continue;
      auto row = to_row(norm);
      count_row(row);
      if (!table.write("direct-" + std::to_string(n++), row)) state.SkipWithError("insert failed");
    }
  }
  state.SetItemsProcessed(state.iterations() * runs_per_iteration);
  report_cpu(state, cpu_start, static_cast<double>(state.iterations() * runs_per_iteration));
}

// The engine's durable steps with none of its machinery: one thread queues 256 runs in one
// transaction at synchronous=FULL, then claims 32 at a time, runs the same blocks and insert, and
// ends each claim's runs with their run log in one finish_many, as the engine's store calls do.
// No coroutines, threads, strands, leases renewed or metrics. Between runs/direct_sqlite and
// runs/engine_5_blocks: what the durable queue and run log cost, and what the engine adds.
void runs_durable_loop(benchmark::State& state) {
  namespace st = syncline::store;
  scratch_dir dir;
  order_table table(dir.file("warehouse.db"));
  auto store = st::sqlite_store::open(dir.file("engine.db"));
  if (!store) {
    state.SkipWithError("store did not open");
    return;
  }
  const char* names[] = {"normalise", "is_paid", "to_row", "count", "insert"};
  std::int64_t n = 0;
  const double cpu_start = process_cpu_seconds();
  for (auto _ : state) {
    std::vector<st::new_run> runs;
    runs.reserve(runs_per_iteration);
    for (std::size_t i = 0; i < runs_per_iteration; ++i) {
      runs.push_back({.tenant = "bench",
                      .integration = "bench_sync",
                      .workflow = "five_blocks",
                      .trigger = "order.placed",
                      .payload = syncline::json::encode(order_number(n++))});
    }
    if (!(*store)->enqueue(runs)) return state.SkipWithError("enqueue failed");
    for (;;) {
      auto claimed = (*store)->claim("loop", 32, std::chrono::seconds(30), nullptr);
      if (!claimed) return state.SkipWithError("claim failed");
      if (claimed->empty()) break;
      std::vector<st::run_completion> ends;
      std::vector<st::block_event_record> events;
      ends.reserve(claimed->size());
      events.reserve(claimed->size() * 5);
      for (const auto& run : *claimed) {
        auto at = std::chrono::system_clock::now();
        const auto block_ended = [&](int position) {
          const auto now = std::chrono::system_clock::now();
          events.push_back({.run_id = run.id,
                            .attempt = run.attempt,
                            .position = position,
                            .block = names[position],
                            .started_at = at,
                            .finished_at = now,
                            .outcome = "ok"});
          at = now;
        };
        auto o = syncline::json::decode<order_placed>(run.payload);
        if (!o) return state.SkipWithError("decode failed");
        auto norm = normalise(std::move(*o));
        block_ended(0);
        if (!is_paid(norm)) {  // never here (every order is paid), but ended as the engine would
          ends.push_back(st::run_completion::completed(run, st::run_status::skipped));
          continue;
        }
        block_ended(1);
        auto row = to_row(norm);
        block_ended(2);
        count_row(row);
        block_ended(3);
        if (!table.write(run.idempotency_key, row)) return state.SkipWithError("insert failed");
        block_ended(4);
        ends.push_back(st::run_completion::completed(run, st::run_status::succeeded));
      }
      if (!(*store)->finish_many(ends, events)) return state.SkipWithError("finish failed");
    }
  }
  state.SetItemsProcessed(state.iterations() * runs_per_iteration);
  report_cpu(state, cpu_start, static_cast<double>(state.iterations() * runs_per_iteration));
}

void runs_engine_5_blocks(benchmark::State& state, syncline::store::sync_level ack) {
  scratch_dir dir;
  order_table table(dir.file("warehouse.db"));
  auto options = engine_options_in(dir, 0);
  options.store.acknowledgement_sync = ack;
  options.listen = {"", 0};
  // The engine's own workers and claim_batch (64 and 32): a claim's runs compute on one io
  // thread at a time, so fewer workers than threads x claim_batch leave an io thread idle
  // (docs/operations.md, "Execution"; docs/perf/runtime.md has the figures with 32 workers).
  syncline::engine eng(options);
  if (!eng.install(run_sync, syncline::tenant<>{"bench"}, syncline::services(table)) ||
      !eng.start()) {
    state.SkipWithError("engine did not start");
    return;
  }
  std::int64_t n = 0, done = 0;
  double emit_s = 0, run_s = 0;
  const double cpu_start = process_cpu_seconds();
  for (auto _ : state) {
    // 256 concurrent emits: one group commit, then the executor works through them. emit_ms and
    // run_ms split an iteration: until every emit is acknowledged, then until every run ended.
    const auto t0 = std::chrono::steady_clock::now();
    if (!bench::emit_orders(eng, n, n + static_cast<std::int64_t>(runs_per_iteration)).empty())
      state.SkipWithError("emit failed");
    n += static_cast<std::int64_t>(runs_per_iteration);
    auto t1 = std::chrono::steady_clock::now();
    emit_s += std::chrono::duration<double>(t1 - t0).count();
    done += static_cast<std::int64_t>(runs_per_iteration);
    // Each look is a read transaction of the store, counted in the engine's CPU figure: look
    // every 500 µs (a batch takes tens of ms, so this adds under 2% to its time), not every
    // 100 µs, which at 4k runs/s looked more than twice per run.
    for (;;) {
      auto c = eng.counts();
      if (!c || c->succeeded + c->skipped + c->dead >= done) break;
      std::this_thread::sleep_for(500us);
    }
    run_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
  }
  state.counters["emit_ms"] = emit_s * 1000 / state.iterations();
  state.counters["run_ms"] = run_s * 1000 / state.iterations();
  state.SetItemsProcessed(state.iterations() * runs_per_iteration);
  report_cpu(state, cpu_start, static_cast<double>(state.iterations() * runs_per_iteration));
  state.counters["peak_rss_mb"] = peak_rss_mb();
  // How well the store's transactions batch: runs per claim and per completion transaction.
  const std::string metrics = eng.metrics_text();
  const auto value_of = [&](std::string_view name) {
    const auto at = metrics.find("\n" + std::string(name) + " ");
    return at == std::string::npos ? 0.0 : std::stod(metrics.substr(at + name.size() + 2));
  };
  const double claims = value_of("syncline_claims_total");
  const double batches = value_of("syncline_completion_batches_total");
  state.counters["runs_per_claim"] =
      claims > 0 ? value_of("syncline_claimed_runs_total") / claims : 0;
  state.counters["runs_per_completion"] =
      batches > 0 ? value_of("syncline_completion_batch_runs_total") / batches : 0;
  // The share of runs leased in the transaction that queued them (engine_options::
  // lease_on_enqueue); the others were claimed.
  state.counters["leased_on_enqueue"] =
      value_of("syncline_runs_leased_on_enqueue_total") /
      static_cast<double>(state.iterations() * runs_per_iteration);
  eng.stop();
}

// SYNCLINE_BENCH_SERVE_SECONDS=<s> [SYNCLINE_BENCH_ENGINE_PORT, SYNCLINE_BENCH_BARE_PORT]: serve
// the engine and a bare server for wrk (load_webhook_ingest.sh), then report the engine's runs.
void serve_for_wrk(benchmark::State& state) {
  const int seconds = std::atoi(std::getenv("SYNCLINE_BENCH_SERVE_SECONDS"));
  auto port_of = [](const char* var, int fallback) {
    const char* v = std::getenv(var);
    return static_cast<std::uint16_t>(v ? std::atoi(v) : fallback);
  };
  scratch_dir dir;
  syncline::engine eng(engine_options_in(dir, port_of("SYNCLINE_BENCH_ENGINE_PORT", 18081)));
  syncline::http::io_threads io(2);
  syncline::http::server bare(io.executor());
  bare.route(syncline::http::verb::post, "/webhooks/{app}/{topic...}",
             [](syncline::http::incoming&) -> asio::awaitable<syncline::http::response> {
               co_return syncline::http::make_response(200, R"({"status":"accepted"})");
             });
  if (!eng.install(ingest_sync,
                   syncline::tenant{
                       "bench", shop_credentials{"bench.example.test",
                                                 syncline::secret(std::string(secret_text))}}) ||
      !eng.start() || !bare.listen("127.0.0.1", port_of("SYNCLINE_BENCH_BARE_PORT", 18082))) {
    state.SkipWithError("could not serve");
    return;
  }
  std::cerr << "serving engine on " << eng.port() << " and bare server on " << bare.port()
            << std::endl;
  for (auto _ : state) std::this_thread::sleep_for(std::chrono::seconds(seconds));
  auto c = eng.counts();
  if (c) {
    state.counters["queued_runs"] = static_cast<double>(c->queued + c->running + c->succeeded);
    state.counters["succeeded_runs"] = static_cast<double>(c->succeeded);
  }
  state.counters["peak_rss_mb"] = peak_rss_mb();
  bare.stop();
  eng.stop();
}

// Baselines first in each family: the report divides by the first variant.
[[maybe_unused]] const bool registered = [] {
  if (std::getenv("SYNCLINE_BENCH_SERVE_SECONDS")) {
    benchmark::RegisterBenchmark("serve_for_wrk", serve_for_wrk)->Iterations(1)->UseRealTime();
    return true;
  }
  benchmark::RegisterBenchmark("ingest/bare_server", ingest_bare_server)->UseRealTime();
  using syncline::store::sync_level;
  benchmark::RegisterBenchmark("ingest/engine_webhook", ingest_engine_webhook, sync_level::full)
      ->UseRealTime();
  // Not durable against power loss: shows what the fsync of each grouped commit costs.
  benchmark::RegisterBenchmark("ingest/engine_webhook_no_fsync", ingest_engine_webhook,
                               sync_level::normal)
      ->UseRealTime();
  benchmark::RegisterBenchmark("runs/direct_sqlite", runs_direct_sqlite)->UseRealTime();
  benchmark::RegisterBenchmark("runs/durable_loop", runs_durable_loop)->UseRealTime();
  benchmark::RegisterBenchmark("runs/engine_5_blocks", runs_engine_5_blocks, sync_level::full)
      ->UseRealTime();
  benchmark::RegisterBenchmark("runs/engine_5_blocks_no_fsync", runs_engine_5_blocks,
                               sync_level::normal)
      ->UseRealTime();
  return true;
}();

}  // namespace
