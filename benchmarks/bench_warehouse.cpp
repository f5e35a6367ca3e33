// Rows per second into warehouse tables: 500 concurrent writers (as 500 concurrent runs would)
// upsert one row each through a sink. The baseline commits every row in its own transaction
// (batch size 1); the batched variant lets the sink's group commit put the waiting rows in one
// transaction. Same rows, same upsert statement, same durability settings in both.
//
// Families (the first variant of each is its baseline):
//   sqlite/row_per_txn, sqlite/batched              WAL, synchronous=NORMAL (the sink's default)
//   sqlite_fsync/row_per_txn, sqlite_fsync/batched  WAL, synchronous=FULL (an fsync per commit)
//   postgres/row_per_txn, postgres/batched          a local server with fsync on (skipped when
//                                                   PostgreSQL is not installed)
#include <syncline/connectors/warehouse/postgres_sink.hpp>
#include <syncline/connectors/warehouse/sqlite_sink.hpp>

#include <benchmark/benchmark.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/describe/class.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <unistd.h>

#include "shared_postgres_server.hpp"

namespace {

namespace wh = syncline::warehouse;

struct order_row {
  std::int64_t id = 0;
  std::string name;
  syncline::money total;
  std::string email;
  std::int32_t items = 0;
};
BOOST_DESCRIBE_STRUCT(order_row, (), (id, name, total, email, items))
using orders = wh::table<order_row, "orders", wh::key<"id">>;

constexpr std::size_t writers = 500;

// Runs one round: every writer upserts its row; returns when all are committed.
template <class Sink>
void round(benchmark::State& state, boost::asio::io_context& io, Sink& sink, std::int64_t salt) {
  std::size_t failed = 0;
  for (std::size_t i = 0; i < writers; ++i) {
    boost::asio::co_spawn(
        io,
        [&, i]() -> boost::asio::awaitable<void> {
          const order_row row{static_cast<std::int64_t>(i), "#" + std::to_string(1000 + i),
                              *syncline::money::parse("199.65"),
                              "buyer" + std::to_string(i) + "@example.com",
                              static_cast<std::int32_t>(salt)};
          auto written = co_await sink.write(row);
          if (!written) ++failed;
        },
        boost::asio::detached);
  }
  io.restart();
  io.run();
  if (failed) state.SkipWithError("a write failed");
}

struct temp_file {
  std::filesystem::path path = std::filesystem::temp_directory_path() /
                               ("syncline-bench-" + std::to_string(::getpid()) + ".db");
  temp_file() { clear(); }
  ~temp_file() { clear(); }
  void clear() {
    std::error_code ec;
    for (const char* s : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + s, ec);
  }
};

void sqlite_rows(benchmark::State& state, std::size_t batch, const char* synchronous) {
  temp_file file;
  boost::asio::io_context io;
  wh::sqlite_sink_options options;
  options.database.synchronous = synchronous;
  options.batch.max_rows = batch;
  auto sink = wh::sqlite_sink<orders>::open(io.get_executor(), file.path.string(), options);
  if (!sink || !sink->create_table()) {
    state.SkipWithError("cannot open the SQLite file");
    return;
  }
  std::int64_t salt = 0;
  for (auto _ : state) round(state, io, *sink, ++salt);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * writers));
  const auto stats = sink->statistics();
  state.counters["rows_per_txn"] =
      stats.flushes ? static_cast<double>(stats.rows) / static_cast<double>(stats.flushes) : 0;
}

void postgres_rows(benchmark::State& state, std::size_t batch) {
  auto* server = bench::shared_postgres_server();
  if (!server) {
    state.SkipWithError("PostgreSQL is not installed (or would not start): skipped");
    return;
  }
  boost::asio::io_context io;
  wh::postgres_sink_options options;
  options.batch.max_rows = batch;
  auto sink = wh::postgres_sink<orders>::open(
      io.get_executor(), syncline::secret(server->connection_string()), options);
  if (!sink || !sink->create_table()) {
    state.SkipWithError("cannot connect to the PostgreSQL test server");
    return;
  }
  std::int64_t salt = 0;
  for (auto _ : state) round(state, io, *sink, ++salt);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * writers));
  const auto stats = sink->statistics();
  state.counters["rows_per_txn"] =
      stats.flushes ? static_cast<double>(stats.rows) / static_cast<double>(stats.flushes) : 0;
}

void sqlite_row_per_txn(benchmark::State& s) { sqlite_rows(s, 1, "NORMAL"); }
void sqlite_batched(benchmark::State& s) { sqlite_rows(s, writers, "NORMAL"); }
void sqlite_fsync_row_per_txn(benchmark::State& s) { sqlite_rows(s, 1, "FULL"); }
void sqlite_fsync_batched(benchmark::State& s) { sqlite_rows(s, writers, "FULL"); }
void postgres_row_per_txn(benchmark::State& s) { postgres_rows(s, 1); }
void postgres_batched(benchmark::State& s) { postgres_rows(s, writers); }

}  // namespace

BENCHMARK(sqlite_row_per_txn)
    ->Name("sqlite/row_per_txn")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(sqlite_batched)->Name("sqlite/batched")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(sqlite_fsync_row_per_txn)
    ->Name("sqlite_fsync/row_per_txn")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(sqlite_fsync_batched)
    ->Name("sqlite_fsync/batched")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(postgres_row_per_txn)
    ->Name("postgres/row_per_txn")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(postgres_batched)->Name("postgres/batched")->Unit(benchmark::kMillisecond)->UseRealTime();
