// Warehouse sinks on SQL databases: SQLite (a temporary file) and PostgreSQL (a real server
// started by testing::postgres_server for each test case).
#include <syncline/connectors/warehouse/erasable.hpp>
#include <syncline/connectors/warehouse/postgres_sink.hpp>
#include <syncline/connectors/warehouse/sqlite_sink.hpp>
#include <syncline/connectors/warehouse/write_to.hpp>
#include <syncline/core/manual.hpp>
#include <syncline/core/workflow.hpp>
#include <syncline_test_support/postgres_server.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/describe/class.hpp>
#include <catch2/catch.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <libpq-fe.h>
#include <limits>
#include <optional>
#include <sqlite3.h>
#include <string>
#include <unistd.h>
#include <vector>

#include "connectors/erasure_outcome.hpp"
#include "runtime/leaked_fragment.hpp"

namespace unity_connectors_warehouse_sql_test {

namespace wh = syncline::warehouse;
using syncline::errc;
using syncline::test::outcome;
using namespace std::chrono_literals;

namespace sql_test {

struct line {
  std::string sku;
  int quantity = 0;
};
BOOST_DESCRIBE_STRUCT(line, (), (sku, quantity))

struct order_row {
  std::uint64_t id = 0;
  std::string name;
  syncline::money total;
  syncline::timestamp created_at;
  std::optional<std::string> note;
  std::vector<line> lines;
  bool paid = false;
  std::int32_t items = 0;
  double weight = 0;
};
BOOST_DESCRIBE_STRUCT(order_row, (),
                      (id, name, total, created_at, note, lines, paid, items, weight))

using orders = wh::table<order_row, "orders", wh::key<"id">>;
using order_events = wh::table<order_row, "order_events">;  // keyed by the run

struct shop_product {
  std::string shop;
  std::int64_t product_id = 0;
  std::string title;
};
BOOST_DESCRIBE_STRUCT(shop_product, (), (shop, product_id, title))
using products = wh::table<shop_product, "analytics.products", wh::key<"shop", "product_id">>;
// The same without a schema, which SQLite would read as an attached database.
using flat_products = wh::table<shop_product, "analytics_products", wh::key<"shop", "product_id">>;

// newer<>: a row replaces the stored one only if its version is not older.
struct versioned_order {
  std::int64_t id = 0;
  std::string name;
  std::optional<syncline::timestamp> updated_at;
};
BOOST_DESCRIBE_STRUCT(versioned_order, (), (id, name, updated_at))
using versioned_orders =
    wh::table<versioned_order, "versioned_orders", wh::key<"id">, wh::newer<"updated_at">>;

struct counted_order {
  std::int64_t id = 0;
  std::string name;
  std::int64_t revision = 0;
};
BOOST_DESCRIBE_STRUCT(counted_order, (), (id, name, revision))
using counted_orders =
    wh::table<counted_order, "counted_orders", wh::key<"id">, wh::newer<"revision">>;

// A row of counted_orders at `revision`.
counted_order revised(std::int64_t id, std::string name, std::int64_t revision) {
  return {id, std::move(name), revision};
}

versioned_order at(std::int64_t id, std::string name, std::optional<std::string> updated_at) {
  versioned_order o{id, std::move(name), std::nullopt};
  if (updated_at) o.updated_at = *syncline::timestamp::parse(*updated_at);
  return o;
}

order_row make_order(std::uint64_t id, std::string name = "#1001", std::string total = "199.65") {
  order_row o;
  o.id = id;
  o.name = std::move(name);
  o.total = *syncline::money::parse(total);
  o.created_at = *syncline::timestamp::parse("2024-01-15T10:00:00-05:00");
  o.lines = {{"SKU-1", 2}, {"SKU-\"2\"", 1}};
  o.paid = true;
  o.items = 3;
  o.weight = 0.1;
  return o;
}

// Runs `body` as a coroutine on a fresh io_context until everything it started is done.
void run(std::function<boost::asio::awaitable<void>(boost::asio::io_context&)> body) {
  boost::asio::io_context io;
  std::exception_ptr failure;
  boost::asio::co_spawn(io, body(io), [&](std::exception_ptr e) { failure = e; });
  io.run();
  if (failure) std::rethrow_exception(failure);
}

// Starts `n` writers at once (so the sink sees them together, as it sees concurrent runs) and
// resumes when all have finished.
boost::asio::awaitable<void> concurrently(
    boost::asio::io_context& io, std::size_t n,
    std::function<boost::asio::awaitable<void>(std::size_t)> writer) {
  auto done = std::make_shared<boost::asio::steady_timer>(io, std::chrono::hours(1));
  auto pending = std::make_shared<std::size_t>(n);
  for (std::size_t i = 0; i < n; ++i) {
    boost::asio::co_spawn(
        io,
        [=]() -> boost::asio::awaitable<void> {
          co_await writer(i);
          if (--*pending == 0) done->cancel();
        },
        boost::asio::detached);
  }
  boost::system::error_code ec;
  co_await done->async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
}

struct temp_db {
  std::filesystem::path path =
      std::filesystem::temp_directory_path() /
      ("syncline-wh-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++) + ".db");
  ~temp_db() {
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::filesystem::remove(path.string() + suffix, ec);
    }
  }
  static int& counter() {
    static int n = 0;
    return n;
  }
};

// Reads one query's rows as text (NULL as "<null>") with the sqlite3 API, apart from the sink.
std::vector<std::vector<std::string>> sqlite_rows(const std::filesystem::path& path,
                                                  const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) == SQLITE_OK);
  std::vector<std::vector<std::string>> out;
  while (sqlite3_step(s) == SQLITE_ROW) {
    std::vector<std::string> row;
    for (int i = 0; i < sqlite3_column_count(s); ++i) {
      auto* text = sqlite3_column_text(s, i);
      row.push_back(text ? reinterpret_cast<const char*>(text) : "<null>");
    }
    out.push_back(std::move(row));
  }
  sqlite3_finalize(s);
  sqlite3_close(db);
  return out;
}

std::vector<std::vector<std::string>> pg_rows(const std::string& conninfo, const std::string& sql) {
  PGconn* c = PQconnectdb(conninfo.c_str());
  REQUIRE(PQstatus(c) == CONNECTION_OK);
  PGresult* r = PQexec(c, sql.c_str());
  INFO(PQresultErrorMessage(r));
  REQUIRE((PQresultStatus(r) == PGRES_TUPLES_OK || PQresultStatus(r) == PGRES_COMMAND_OK));
  std::vector<std::vector<std::string>> out;
  for (int i = 0; i < PQntuples(r); ++i) {
    std::vector<std::string> row;
    for (int j = 0; j < PQnfields(r); ++j) {
      row.push_back(PQgetisnull(r, i, j) ? "<null>" : PQgetvalue(r, i, j));
    }
    out.push_back(std::move(row));
  }
  PQclear(r);
  PQfinish(c);
  return out;
}

// A fresh server per test case (each test case is its own process under CTest). Only a missing
// PostgreSQL installation skips; a server that will not start fails the test.
std::optional<syncline::testing::postgres_server> start_postgres() {
  auto server = syncline::testing::postgres_server::start();
  if (!server && server.error().category == errc::not_found) {
    WARN("SKIPPED: " << server.error().message);
    return std::nullopt;
  }
  INFO((server ? std::string() : server.error().message));
  REQUIRE(server.has_value());
  return std::move(*server);
}

template <class Row>
using write_fn = std::function<boost::asio::awaitable<syncline::result<void>>(Row)>;

// A sink's write as a function, so the checks below are one coroutine for every sink.
template <class Sink>
auto writer_of(Sink& sink) {
  return [&sink](typename Sink::row_type row) -> boost::asio::awaitable<syncline::result<void>> {
    co_return co_await sink.write(row);
  };
}

// The newer<> rules, the same on every SQL sink: each write is awaited before the next, so each
// is its own transaction, and `name_of(id)` / `counted_name_of(id)` read the stored name apart from
// the sink. Every write succeeds, including the ones the version refuses: the table is already
// newer. The functions are named objects of the caller, passed by reference, so no temporary
// has to outlive a co_await.
using name_fn = std::function<std::string(std::int64_t)>;
boost::asio::awaitable<void> check_newer_rules(const write_fn<versioned_order>& write_row,
                                               const write_fn<counted_order>& write_counted,
                                               const name_fn& name_of,
                                               const name_fn& counted_name_of) {
  // Never co_await inside CHECK: Catch's macro repeats its expression in code that never runs,
  // and g++ 12 still runs the co_await of each copy (a write would happen three times).
  syncline::result<void> r;
  // A newer row replaces an older one; an older one written later leaves it. Shopify's offsets:
  // 10:00-05:00 is 15:00Z, so 14:59:59Z is older even though its text sorts after it.
  r = co_await write_row(at(1, "v1", "2026-01-15T09:00:00-05:00"));
  CHECK(r.has_value());
  r = co_await write_row(at(1, "v2", "2026-01-15T10:00:00-05:00"));
  CHECK(r.has_value());
  CHECK(name_of(1) == "v2");
  r = co_await write_row(at(1, "late-older", "2026-01-15T14:59:59Z"));
  CHECK(r.has_value());
  CHECK(name_of(1) == "v2");
  // The same instant in another offset is an equal version: the later write wins.
  r = co_await write_row(at(1, "same-instant", "2026-01-15T15:00:00Z"));
  CHECK(r.has_value());
  CHECK(name_of(1) == "same-instant");
  // Fractional seconds count, in any offset.
  r = co_await write_row(at(1, "half-second", "2026-01-15T15:00:00.5Z"));
  CHECK(r.has_value());
  CHECK(name_of(1) == "half-second");
  r = co_await write_row(at(1, "older-fraction", "2026-01-15T20:30:00.123456789+05:30"));
  CHECK(r.has_value());
  CHECK(name_of(1) == "half-second");
  r = co_await write_row(at(1, "newer-fraction", "2026-01-15T20:30:00.75+05:30"));
  CHECK(r.has_value());
  CHECK(name_of(1) == "newer-fraction");

  // A NULL stored version loses to any row; a NULL incoming one loses to a dated row.
  r = co_await write_row(at(2, "undated", std::nullopt));
  CHECK(r.has_value());
  r = co_await write_row(at(2, "dated", "2020-01-01T00:00:00Z"));
  CHECK(r.has_value());
  CHECK(name_of(2) == "dated");
  r = co_await write_row(at(2, "undated-again", std::nullopt));
  CHECK(r.has_value());
  CHECK(name_of(2) == "dated");

  // Integer versions: the same rules.
  r = co_await write_counted(revised(1, "r5", 5));
  CHECK(r.has_value());
  r = co_await write_counted(revised(1, "r3", 3));
  CHECK(r.has_value());
  CHECK(counted_name_of(1) == "r5");
  r = co_await write_counted(revised(1, "r5-replayed", 5));
  CHECK(r.has_value());
  CHECK(counted_name_of(1) == "r5-replayed");
  r = co_await write_counted(revised(1, "r6", 6));
  CHECK(r.has_value());
  CHECK(counted_name_of(1) == "r6");
}

// Three writes of one key in one batch, newest in the middle: the newest survives.
boost::asio::awaitable<void> write_one_batch_out_of_order(
    boost::asio::io_context& io, const write_fn<versioned_order>& write_row) {
  const std::vector<versioned_order> rows{at(3, "middle", "2026-01-15T12:00:00Z"),
                                          at(3, "newest", "2026-01-15T08:00:00-05:00"),
                                          at(3, "oldest", "2026-01-15T11:00:00Z")};
  co_await concurrently(io, rows.size(), [&](std::size_t i) -> boost::asio::awaitable<void> {
    const auto r = co_await write_row(rows[i]);
    CHECK(r.has_value());
  });
}

}  // namespace sql_test

using namespace sql_test;

TEST_CASE("warehouse batcher: full batches go at once, each writer gets its own result",
          "[warehouse]") {
  std::vector<std::vector<int>> flushed;
  auto flush =
      [&](std::vector<int>& items) -> boost::asio::awaitable<std::vector<syncline::result<void>>> {
    flushed.push_back(items);
    if (items.front() == 99) throw std::runtime_error("disk on fire");
    std::vector<syncline::result<void>> out;
    for (int i : items) {
      out.push_back(i == 13
                        ? syncline::result<void>(syncline::make_error(errc::invalid_input, "13"))
                        : syncline::result<void>());
    }
    co_return out;
  };
  std::vector<syncline::result<void>> results(7, syncline::make_error(errc::internal, "not run"));
  run([&](boost::asio::io_context& io) -> boost::asio::awaitable<void> {
    auto b = std::make_unique<wh::batcher<int>>(
        io.get_executor(), wh::batch_options{.max_rows = 3, .max_delay = 60s}, flush);
    const std::vector<int> items{1, 13, 3, 99, 5, 6};
    co_await concurrently(io, items.size(), [&](std::size_t i) -> boost::asio::awaitable<void> {
      results[i] = co_await b->submit(items[i]);
    });
    // A lone item waits for company (max_delay); destroying the batcher cancels it.
    boost::asio::co_spawn(
        io, [&]() -> boost::asio::awaitable<void> { results[6] = co_await b->submit(7); },
        boost::asio::detached);
    boost::asio::steady_timer t(io, 20ms);
    co_await t.async_wait(boost::asio::use_awaitable);
    CHECK(b->statistics().flushes == 2);
    b.reset();
  });
  REQUIRE(flushed.size() == 2);
  CHECK(flushed[0] == std::vector<int>{1, 13, 3});
  CHECK(flushed[1] == std::vector<int>{99, 5, 6});
  CHECK(results[0].has_value());
  CHECK((!results[1].has_value() && results[1].error().message == "13"));
  CHECK(results[2].has_value());
  for (std::size_t i : {3, 4, 5}) {  // the flush threw: every item of its batch fails
    REQUIRE_FALSE(results[i].has_value());
    CHECK(results[i].error().category == errc::internal);
    CHECK_THAT(results[i].error().message, Catch::Contains("disk on fire"));
  }
  REQUIRE_FALSE(results[6].has_value());
  CHECK(results[6].error().category == errc::cancelled);
}

TEST_CASE("warehouse: the table is created from the described row type", "[warehouse]") {
  CHECK(wh::create_table_sql<orders, wh::sqlite_dialect>() ==
        R"(CREATE TABLE IF NOT EXISTS "orders" ("id" INTEGER NOT NULL, "name" TEXT NOT NULL, )"
        R"("total" TEXT NOT NULL, "created_at" TEXT NOT NULL, "note" TEXT, "lines" TEXT NOT NULL, )"
        R"("paid" INTEGER NOT NULL, "items" INTEGER NOT NULL, "weight" REAL NOT NULL, )"
        R"("_syncline_tenant" TEXT NOT NULL DEFAULT '', PRIMARY KEY ("id")))");
  CHECK(wh::create_table_sql<orders, wh::postgres_dialect>() ==
        R"(CREATE TABLE IF NOT EXISTS "orders" ("id" BIGINT NOT NULL, "name" TEXT NOT NULL, )"
        R"("total" NUMERIC NOT NULL, "created_at" TIMESTAMPTZ NOT NULL, "note" TEXT, )"
        R"("lines" JSONB NOT NULL, "paid" BOOLEAN NOT NULL, "items" INTEGER NOT NULL, )"
        R"("weight" DOUBLE PRECISION NOT NULL, "_syncline_tenant" TEXT NOT NULL DEFAULT '', )"
        R"(PRIMARY KEY ("id")))");
  // Keyed by run: an extra key column; a replay keeps the first write.
  CHECK(wh::create_table_sql<order_events, wh::sqlite_dialect>().ends_with(
      R"("_syncline_key" TEXT NOT NULL, "_syncline_tenant" TEXT NOT NULL DEFAULT '', )"
      R"(PRIMARY KEY ("_syncline_key")))"));
  CHECK(wh::upsert_sql<order_events, wh::sqlite_dialect>(1).ends_with(
      R"(ON CONFLICT ("_syncline_key") DO NOTHING)"));
  // A composite key, a schema-qualified name, and PostgreSQL's typed placeholders.
  CHECK(wh::upsert_sql<products, wh::postgres_dialect>(2) ==
        R"(INSERT INTO "analytics"."products" ("shop", "product_id", "title", "_syncline_tenant") )"
        R"(VALUES ($1::TEXT, $2::BIGINT, $3::TEXT, $4::TEXT), ($5::TEXT, $6::BIGINT, $7::TEXT, )"
        R"($8::TEXT) ON CONFLICT ("shop", "product_id") DO UPDATE SET "title" = excluded."title", )"
        R"("_syncline_tenant" = excluded."_syncline_tenant")");

  temp_db file;
  boost::asio::io_context io;
  auto sink = wh::sqlite_sink<orders>::open(io.get_executor(), file.path.string());
  REQUIRE(sink.has_value());
  REQUIRE(sink->create_table().has_value());
  REQUIRE(sink->create_table().has_value());  // IF NOT EXISTS: safe on every start
  auto columns =
      sqlite_rows(file.path, "SELECT name, type, \"notnull\", pk FROM pragma_table_info('orders')");
  REQUIRE(columns.size() == 10);
  CHECK(columns[0] == std::vector<std::string>{"id", "INTEGER", "1", "1"});
  CHECK(columns[9] == std::vector<std::string>{"_syncline_tenant", "TEXT", "1", "0"});
  CHECK(columns[2] == std::vector<std::string>{"total", "TEXT", "1", "0"});
  CHECK(columns[4] == std::vector<std::string>{"note", "TEXT", "0", "0"});
}

TEST_CASE("sqlite sink: an upsert twice leaves one row holding the latest write", "[warehouse]") {
  temp_db file;
  run([&](boost::asio::io_context& io) -> boost::asio::awaitable<void> {
    auto sink = wh::sqlite_sink<orders>::open(io.get_executor(), file.path.string());
    REQUIRE(sink.has_value());
    REQUIRE(sink->create_table().has_value());
    auto first = co_await sink->write(make_order(7, "#1001"));
    auto second = co_await sink->write(make_order(7, "#1001-edited"));
    CHECK(first.has_value());
    CHECK(second.has_value());
  });
  auto rows = sqlite_rows(file.path, "SELECT id, name FROM orders");
  REQUIRE(rows.size() == 1);
  CHECK(rows[0] == std::vector<std::string>{"7", "#1001-edited"});
}

TEST_CASE("warehouse: newer<> keeps the newest row of a key in one batch", "[warehouse]") {
  auto row = [](std::string key, std::optional<std::int64_t> version) {
    return wh::staged_row{{}, std::move(key), version};
  };
  const std::vector<wh::staged_row> rows{row("a", 2),
                                         row("b", 1),
                                         row("a", 3),
                                         row("a", 1),
                                         row("b", std::nullopt),
                                         row("c", std::nullopt),
                                         row("c", 4),
                                         row("b", 1)};
  // a: 3 (index 2) beats the older 1 written after it; b: the NULL loses, and the equal
  // version written later wins (index 7); c: a NULL version loses to any.
  CHECK(wh::distinct_by_key(rows, false, true) == std::vector<std::size_t>{2, 6, 7});
  // Without a version column the last write wins; keyed by run, the first.
  CHECK(wh::distinct_by_key(rows, false, false) == std::vector<std::size_t>{3, 6, 7});
  CHECK(wh::distinct_by_key(rows, true, false) == std::vector<std::size_t>{0, 1, 5});

  // stage() carries the version as an instant, whatever the offset.
  auto a = versioned_orders::stage(at(1, "x", "2026-01-15T10:00:00-05:00"));
  auto b = versioned_orders::stage(at(1, "x", "2026-01-15T15:00:00Z"));
  REQUIRE((a.has_value() && b.has_value()));
  CHECK((a->version.has_value() && a->version == b->version));
  CHECK_FALSE(versioned_orders::stage(at(1, "x", std::nullopt))->version.has_value());
  CHECK(counted_orders::stage(counted_order{1, "x", 42})->version == 42);
  CHECK_FALSE(orders::stage(make_order(1))->version.has_value());
}

TEST_CASE("warehouse: newer<> puts the version check in the upsert statement", "[warehouse]") {
  CHECK(wh::upsert_sql<versioned_orders, wh::sqlite_dialect>(1) ==
        R"(INSERT INTO "versioned_orders" AS t ("id", "name", "updated_at", "_syncline_tenant") )"
        R"(VALUES (?, ?, ?, ?) ON CONFLICT ("id") DO UPDATE SET "name" = excluded."name", )"
        R"("updated_at" = excluded."updated_at", "_syncline_tenant" = excluded."_syncline_tenant" )"
        R"(WHERE t."updated_at" IS NULL OR )"
        R"(julianday(excluded."updated_at") >= julianday(t."updated_at"))");
  CHECK(wh::upsert_sql<versioned_orders, wh::postgres_dialect>(1) ==
        R"(INSERT INTO "versioned_orders" AS t ("id", "name", "updated_at", "_syncline_tenant") )"
        R"(VALUES ($1::BIGINT, $2::TEXT, $3::TIMESTAMPTZ, $4::TEXT) )"
        R"(ON CONFLICT ("id") DO UPDATE SET "name" = excluded."name", )"
        R"("updated_at" = excluded."updated_at", "_syncline_tenant" = excluded."_syncline_tenant" )"
        R"(WHERE t."updated_at" IS NULL OR t."updated_at" <= excluded."updated_at")");
  // The erasure DELETEs: the tenant first, then the keys.
  CHECK(wh::erase_keys_sql<orders, wh::postgres_dialect>(2) ==
        R"(DELETE FROM "orders" WHERE "_syncline_tenant" = $1::TEXT AND )"
        R"(("id" IN ($2::BIGINT, $3::BIGINT)))");
  CHECK(wh::erase_keys_sql<products, wh::sqlite_dialect>(2) ==
        R"(DELETE FROM "analytics"."products" WHERE "_syncline_tenant" = ? AND )"
        R"((("shop" = ? AND "product_id" = ?) OR ("shop" = ? AND "product_id" = ?)))");
  CHECK(wh::add_tenant_column_sql<orders, wh::postgres_dialect>(true) ==
        R"(ALTER TABLE IF EXISTS "orders" ADD COLUMN IF NOT EXISTS "_syncline_tenant" TEXT )"
        R"(NOT NULL DEFAULT '')");
  CHECK(wh::upsert_sql<counted_orders, wh::sqlite_dialect>(1).ends_with(
      R"(WHERE t."revision" IS NULL OR excluded."revision" >= t."revision")"));
}

TEST_CASE("sqlite sink: newer<> replaces a row only with one that is not older", "[warehouse]") {
  temp_db file;
  wh::batch_statistics stats;
  auto name_in = [&](std::string table) {
    return [&file, table](std::int64_t id) {
      auto rows =
          sqlite_rows(file.path, "SELECT name FROM " + table + " WHERE id = " + std::to_string(id));
      return rows.size() == 1 ? rows[0][0] : "<" + std::to_string(rows.size()) + " rows>";
    };
  };
  run([&](boost::asio::io_context& io) -> boost::asio::awaitable<void> {
    auto sink = wh::sqlite_sink<versioned_orders>::open(io.get_executor(), file.path.string());
    auto counted = wh::sqlite_sink<counted_orders>::open(io.get_executor(), file.path.string());
    REQUIRE((sink.has_value() && counted.has_value()));
    REQUIRE((sink->create_table().has_value() && counted->create_table().has_value()));
    const write_fn<versioned_order> write_row = writer_of(*sink);
    const write_fn<counted_order> write_counted = writer_of(*counted);
    const name_fn name_of = name_in("versioned_orders"),
                  counted_name_of = name_in("counted_orders");
    co_await check_newer_rules(write_row, write_counted, name_of, counted_name_of);

    auto batched = wh::sqlite_sink<versioned_orders>::open(
        io.get_executor(), file.path.string(), {.batch = {.max_rows = 3, .max_delay = 60s}});
    REQUIRE(batched.has_value());
    const write_fn<versioned_order> write_batched = writer_of(*batched);
    co_await write_one_batch_out_of_order(io, write_batched);
    stats = batched->statistics();
  });
  CHECK(stats.flushes == 1);  // the three rows went together
  CHECK(name_in("versioned_orders")(3) == "newest");
  // Stored as received: the offset of the row that won is kept.
  CHECK(sqlite_rows(file.path, "SELECT updated_at FROM versioned_orders WHERE id = 3")[0][0] ==
        "2026-01-15T08:00:00-05:00");
}

TEST_CASE("sqlite sink: ids, money, timestamps, nested values and NULL are stored exactly",
          "[warehouse]") {
  temp_db file;
  run([&](boost::asio::io_context& io) -> boost::asio::awaitable<void> {
    auto sink = wh::sqlite_sink<orders>::open(io.get_executor(), file.path.string());
    REQUIRE(sink->create_table().has_value());
    auto with_note = make_order(42);
    with_note.note = "gift";
    {
      const auto written = co_await sink->write(make_order(820982911946154508ULL));
      CHECK(written.has_value());
    }
    {
      const auto written = co_await sink->write(with_note);
      CHECK(written.has_value());
    }
  });
  auto rows = sqlite_rows(file.path,
                          "SELECT id, typeof(id), total, typeof(total), created_at, note, lines, "
                          "paid, items FROM orders ORDER BY id DESC");
  REQUIRE(rows.size() == 2);
  CHECK(rows[0] == std::vector<std::string>{
                       "820982911946154508", "integer", "199.65", "text",
                       "2024-01-15T10:00:00-05:00", "<null>",
                       R"([{"sku":"SKU-1","quantity":2},{"sku":"SKU-\"2\"","quantity":1}])", "1",
                       "3"});
  CHECK(rows[1][5] == "gift");
  // The id compares as the exact 64-bit integer, not a rounded double.
  CHECK(sqlite_rows(file.path, "SELECT count(*) FROM orders WHERE id = 820982911946154508")[0][0] ==
        "1");
}

TEST_CASE("sqlite sink: 1,000 concurrent writes are committed in a few transactions",
          "[warehouse]") {
  temp_db file;
  wh::batch_statistics stats;
  int succeeded = 0;
  run([&](boost::asio::io_context& io) -> boost::asio::awaitable<void> {
    auto sink = wh::sqlite_sink<orders>::open(io.get_executor(), file.path.string(),
                                              // Full batches only: the count is exact.
                                              {.batch = {.max_rows = 500, .max_delay = 60s}});
    REQUIRE(sink->create_table().has_value());
    co_await concurrently(io, 1000, [&](std::size_t i) -> boost::asio::awaitable<void> {
      if ((co_await sink->write(make_order(1'000'000 + static_cast<std::uint64_t>(i))))
              .has_value()) {
        ++succeeded;
      }
    });
    stats = sink->statistics();
  });
  CHECK(succeeded == 1000);
  CHECK(sqlite_rows(file.path, "SELECT count(*) FROM orders")[0][0] == "1000");
  CHECK(stats.rows == 1000);
  CHECK(stats.flushes == 2);  // 1,000 rows in two transactions of 500
}

TEST_CASE("sqlite sink: a table keyed by the run keeps one row per run", "[warehouse]") {
  temp_db file;
  run([&](boost::asio::io_context& io) -> boost::asio::awaitable<void> {
    auto sink = wh::sqlite_sink<order_events>::open(io.get_executor(), file.path.string());
    REQUIRE(sink->create_table().has_value());
    {
      const auto written = co_await sink->write(make_order(1, "first"), "shop-1/sync/orders/r-1/3");
      CHECK(written.has_value());
    }
    // The runtime retries run r-1: the same key, and the replay adds nothing.
    {
      const auto written =
          co_await sink->write(make_order(1, "replayed"), "shop-1/sync/orders/r-1/3");
      CHECK(written.has_value());
    }
    {
      const auto written =
          co_await sink->write(make_order(1, "second run"), "shop-1/sync/orders/r-2/3");
      CHECK(written.has_value());
    }
    auto missing = co_await sink->write(make_order(1));
    REQUIRE_FALSE(missing.has_value());
    CHECK(missing.error().category == errc::invalid_input);
    CHECK_THAT(missing.error().message, Catch::Contains("idempotency key"));
  });
  auto rows = sqlite_rows(file.path, "SELECT _syncline_key, name FROM order_events ORDER BY 1");
  REQUIRE(rows.size() == 2);
  CHECK(rows[0] == std::vector<std::string>{"shop-1/sync/orders/r-1/3", "first"});
  CHECK(rows[1] == std::vector<std::string>{"shop-1/sync/orders/r-2/3", "second run"});
}

TEST_CASE("sqlite sink: a workflow ends in write_to, and a retried run adds no row",
          "[warehouse]") {
  constexpr auto to_warehouse = syncline::workflow<"orders_to_warehouse">(
      syncline::manual<order_row>{} | wh::write_to<wh::sqlite_sink<order_events>>{});
  temp_db file;
  run([&](boost::asio::io_context& io) -> boost::asio::awaitable<void> {
    auto sink = wh::sqlite_sink<order_events>::open(io.get_executor(), file.path.string());
    REQUIRE(sink->create_table().has_value());
    for (const char* run_id : {"r-1", "r-1", "r-2"}) {  // r-1 is delivered twice
      syncline::run_context ctx(syncline::run_info{"shop-1", run_id, "shopify_sync", 1});
      ctx.provide(*sink);
      auto outcome = co_await to_warehouse.run(make_order(1), ctx);
      INFO((outcome ? "" : outcome.error().message));
      CHECK((outcome.has_value() && outcome->completed()));
    }
  });
  auto rows =
      sqlite_rows(file.path, "SELECT _syncline_key, _syncline_tenant FROM order_events ORDER BY 1");
  REQUIRE(rows.size() == 2);
  CHECK(rows[0][0] == "shop-1/shopify_sync/orders_to_warehouse/r-1/order_events");
  CHECK(rows[1][0] == "shop-1/shopify_sync/orders_to_warehouse/r-2/order_events");
  CHECK(rows[0][1] == "shop-1");  // write_to keeps the run's tenant for erase_tenant
}

TEST_CASE("sqlite sink: a bad row fails alone, its batch neighbours commit", "[warehouse]") {
  temp_db file;
  {
    // A table the user made stricter than the row type: quantities must be positive.
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(file.path.c_str(), &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db,
                         "CREATE TABLE analytics_products (shop TEXT NOT NULL, product_id INTEGER "
                         "NOT NULL, title TEXT NOT NULL CHECK (title <> ''), PRIMARY KEY (shop, "
                         "product_id))",
                         nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
  }
  using strict_products =
      wh::table<shop_product, "analytics_products", wh::key<"shop", "product_id">>;
  std::vector<syncline::result<void>> results(4);
  run([&](boost::asio::io_context& io) -> boost::asio::awaitable<void> {
    auto sink = wh::sqlite_sink<strict_products>::open(
        io.get_executor(), file.path.string(), {.batch = {.max_rows = 4, .max_delay = 60s}});
    REQUIRE(sink->create_table().has_value());
    const std::vector<shop_product> rows{
        {"a", 1, "ok"}, {"a", 2, ""}, {"b", 1, "ok"}, {"a", 1, "ok2"}};
    co_await concurrently(io, rows.size(), [&](std::size_t i) -> boost::asio::awaitable<void> {
      results[i] = co_await sink->write(rows[i]);
    });
    CHECK(sink->statistics().flushes == 1);  // all four in one transaction
  });
  CHECK(results[0].has_value());
  REQUIRE_FALSE(results[1].has_value());
  CHECK(results[1].error().category == errc::invalid_input);
  CHECK_THAT(results[1].error().message, Catch::Contains("CHECK constraint failed"));
  CHECK(results[2].has_value());
  CHECK(results[3].has_value());
  auto rows = sqlite_rows(file.path,
                          "SELECT shop, product_id, title FROM analytics_products ORDER BY 1, 2");
  REQUIRE(rows.size() == 2);
  CHECK(rows[0] == std::vector<std::string>{"a", "1", "ok2"});
  CHECK(rows[1] == std::vector<std::string>{"b", "1", "ok"});
}

TEST_CASE("sqlite sink: a uint64 above INT64_MAX is refused, never wrapped", "[warehouse]") {
  temp_db file;
  boost::asio::io_context io;
  auto sink = wh::sqlite_sink<orders>::open(io.get_executor(), file.path.string());
  REQUIRE(sink->create_table().has_value());
  std::vector<order_row> rows{make_order(1), make_order(std::numeric_limits<std::uint64_t>::max())};
  auto r = sink->write_batch(rows);  // direct, all or nothing
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().category == errc::invalid_input);
  CHECK_THAT(r.error().message, Catch::Contains("row 1") && Catch::Contains("column \"id\"") &&
                                    Catch::Contains("18446744073709551615") &&
                                    Catch::Contains("nothing was written"));
  CHECK(sqlite_rows(file.path, "SELECT count(*) FROM orders")[0][0] == "0");

  rows.pop_back();
  rows.push_back(make_order(2));
  REQUIRE(sink->write_batch(rows).has_value());
  CHECK(sqlite_rows(file.path, "SELECT count(*) FROM orders")[0][0] == "2");
}

TEST_CASE("sqlite sink: an unopenable database is a clear error", "[warehouse]") {
  boost::asio::io_context io;
  auto sink = wh::sqlite_sink<orders>::open(io.get_executor(), "/nonexistent-dir/x/warehouse.db");
  REQUIRE_FALSE(sink.has_value());
  CHECK(sink.error().category == errc::unavailable);
  CHECK_THAT(sink.error().message, Catch::Contains("/nonexistent-dir/x/warehouse.db"));
}

TEST_CASE("postgres sink: table, upsert, exact values and NULL on a real server", "[warehouse]") {
  auto server = start_postgres();
  if (!server) return;
  const std::string conninfo = server->connection_string();
  run([&](boost::asio::io_context& io) -> boost::asio::awaitable<void> {
    auto sink = wh::postgres_sink<orders>::open(io.get_executor(), syncline::secret(conninfo));
    INFO((sink ? "" : sink.error().message));
    REQUIRE(sink.has_value());
    REQUIRE(sink->create_table().has_value());
    REQUIRE(sink->create_table().has_value());
    {
      const auto written = co_await sink->write(make_order(820982911946154508ULL, "#1001"));
      CHECK(written.has_value());
    }
    {
      const auto written = co_await sink->write(make_order(820982911946154508ULL, "#1001-edited"));
      CHECK(written.has_value());
    }
    auto with_note = make_order(5, "#5", "0.10");
    with_note.note = "gift";
    {
      const auto written = co_await sink->write(with_note);
      CHECK(written.has_value());
    }
  });
  auto types = pg_rows(conninfo,
                       "SELECT column_name, data_type, is_nullable FROM information_schema.columns "
                       "WHERE table_name = 'orders' ORDER BY ordinal_position");
  REQUIRE(types.size() == 10);
  CHECK(types[0] == std::vector<std::string>{"id", "bigint", "NO"});
  CHECK(types[2] == std::vector<std::string>{"total", "numeric", "NO"});
  CHECK(types[3] == std::vector<std::string>{"created_at", "timestamp with time zone", "NO"});
  CHECK(types[4] == std::vector<std::string>{"note", "text", "YES"});
  CHECK(types[5] == std::vector<std::string>{"lines", "jsonb", "NO"});

  auto rows =
      pg_rows(conninfo,
              "SELECT id::text, name, total::text, created_at = '2024-01-15T15:00:00Z', "
              "note, lines->1->>'sku', paid::text, items::text FROM orders ORDER BY id DESC");
  REQUIRE(rows.size() == 2);
  CHECK(rows[0] == std::vector<std::string>{"820982911946154508", "#1001-edited", "199.65", "t",
                                            "<null>", "SKU-\"2\"", "true", "3"});
  CHECK(rows[1][2] == "0.10");  // NUMERIC keeps the scale it was given
  CHECK(rows[1][4] == "gift");
}

TEST_CASE("postgres sink: 1,000 concurrent writes, repeated keys, and a replayed run",
          "[warehouse]") {
  auto server = start_postgres();
  if (!server) return;
  const std::string conninfo = server->connection_string();
  int succeeded = 0;
  wh::batch_statistics stats;
  run([&](boost::asio::io_context& io) -> boost::asio::awaitable<void> {
    auto sink = wh::postgres_sink<orders>::open(
        io.get_executor(), syncline::secret(conninfo),
        {.batch = {.max_rows = 500}, .max_rows_per_statement = 200});
    REQUIRE(sink.has_value());
    REQUIRE(sink->create_table().has_value());
    auto events =
        wh::postgres_sink<order_events>::open(io.get_executor(), syncline::secret(conninfo));
    REQUIRE(events.has_value());
    REQUIRE(events->create_table().has_value());

    co_await concurrently(io, 1200, [&](std::size_t i) -> boost::asio::awaitable<void> {
      // Rows 1000..1199 repeat ids 0..199 inside the same batches: the upsert of one key
      // twice in one statement must not fail, and the latest write must win.
      const auto id = static_cast<std::uint64_t>(i % 1000);
      if ((co_await sink->write(make_order(id, i >= 1000 ? "again" : "first"))).has_value()) {
        ++succeeded;
      }
    });
    stats = sink->statistics();

    {
      const auto written = co_await events->write(make_order(1, "first"), "t/i/w/r-1/3");

      CHECK(written.has_value());
    }
    {
      const auto written = co_await events->write(make_order(1, "replayed"), "t/i/w/r-1/3");
      CHECK(written.has_value());
    }
  });
  CHECK(succeeded == 1200);
  CHECK(stats.flushes <= 12);
  CHECK(pg_rows(conninfo, "SELECT count(*) FROM orders")[0][0] == "1000");
  CHECK(pg_rows(conninfo, "SELECT count(*) FROM orders WHERE name = 'again'")[0][0] == "200");
  auto events = pg_rows(conninfo, "SELECT name FROM order_events");
  REQUIRE(events.size() == 1);
  CHECK(events[0][0] == "first");
}

TEST_CASE("postgres sink: newer<> replaces a row only with one that is not older", "[warehouse]") {
  auto server = start_postgres();
  if (!server) return;
  const std::string conninfo = server->connection_string();
  wh::batch_statistics stats;
  auto name_in = [&](std::string table) {
    return [&conninfo, table](std::int64_t id) {
      auto rows =
          pg_rows(conninfo, "SELECT name FROM " + table + " WHERE id = " + std::to_string(id));
      return rows.size() == 1 ? rows[0][0] : "<" + std::to_string(rows.size()) + " rows>";
    };
  };
  run([&](boost::asio::io_context& io) -> boost::asio::awaitable<void> {
    auto sink =
        wh::postgres_sink<versioned_orders>::open(io.get_executor(), syncline::secret(conninfo));
    auto counted =
        wh::postgres_sink<counted_orders>::open(io.get_executor(), syncline::secret(conninfo));
    REQUIRE((sink.has_value() && counted.has_value()));
    REQUIRE((sink->create_table().has_value() && counted->create_table().has_value()));
    const write_fn<versioned_order> write_row = writer_of(*sink);
    const write_fn<counted_order> write_counted = writer_of(*counted);
    const name_fn name_of = name_in("versioned_orders"),
                  counted_name_of = name_in("counted_orders");
    co_await check_newer_rules(write_row, write_counted, name_of, counted_name_of);

    // One batch, one statement: without distinct_by_key PostgreSQL would refuse to touch the
    // row twice; with it, the newest of the three is the one sent.
    auto batched =
        wh::postgres_sink<versioned_orders>::open(io.get_executor(), syncline::secret(conninfo),
                                                  {.batch = {.max_rows = 3, .max_delay = 60s}});
    REQUIRE(batched.has_value());
    const write_fn<versioned_order> write_batched = writer_of(*batched);
    co_await write_one_batch_out_of_order(io, write_batched);
    stats = batched->statistics();
  });
  CHECK(stats.flushes == 1);  // the three rows went together
  CHECK(name_in("versioned_orders")(3) == "newest");
}

TEST_CASE("postgres sink: a bad row fails alone and a lost connection is re-established",
          "[warehouse]") {
  auto server = start_postgres();
  if (!server) return;
  const std::string conninfo = server->connection_string();
  pg_rows(conninfo,
          "CREATE TABLE analytics_products (shop TEXT NOT NULL, product_id BIGINT NOT NULL, "
          "title TEXT NOT NULL CHECK (title <> ''), PRIMARY KEY (shop, product_id))");
  using strict_products =
      wh::table<shop_product, "analytics_products", wh::key<"shop", "product_id">>;
  std::vector<syncline::result<void>> results(3);
  run([&](boost::asio::io_context& io) -> boost::asio::awaitable<void> {
    auto sink =
        wh::postgres_sink<strict_products>::open(io.get_executor(), syncline::secret(conninfo));
    REQUIRE(sink.has_value());
    const std::vector<shop_product> rows{{"a", 1, "ok"}, {"a", 2, ""}, {"b", 1, "ok"}};
    co_await concurrently(io, rows.size(), [&](std::size_t i) -> boost::asio::awaitable<void> {
      results[i] = co_await sink->write(rows[i]);
    });

    // The server ends every other session (as a restart or an idle-connection killer would).
    pg_rows(conninfo,
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
            "backend_type = 'client backend' AND pid <> pg_backend_pid()");
    // Named, not a braced temporary inside co_await: g++ 12 frees such temporaries twice.
    const shop_product later{"c", 1, "after reconnect"};
    auto after = co_await sink->write(later);
    INFO((after ? "" : after.error().message));
    CHECK(after.has_value());
  });
  CHECK(results[0].has_value());
  REQUIRE_FALSE(results[1].has_value());
  CHECK(results[1].error().category == errc::invalid_input);
  CHECK_THAT(results[1].error().message, Catch::Contains("analytics_products_title_check") &&
                                             Catch::Contains("SQLSTATE 23514"));
  CHECK(results[2].has_value());
  CHECK(pg_rows(conninfo, "SELECT count(*) FROM analytics_products")[0][0] == "3");
}

TEST_CASE("postgres sink: NUL bytes and out-of-range ids are refused per row", "[warehouse]") {
  auto server = start_postgres();
  if (!server) return;
  boost::asio::io_context io;
  auto sink = wh::postgres_sink<products>::open(io.get_executor(),
                                                syncline::secret(server->connection_string()));
  REQUIRE(sink.has_value());
  pg_rows(server->connection_string(), "CREATE SCHEMA analytics");
  REQUIRE(sink->create_table().has_value());
  std::vector<shop_product> rows{{"a", 1, std::string("nul\0byte", 8)}};
  auto r = sink->write_batch(rows);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().category == errc::invalid_input);
  CHECK_THAT(r.error().message, Catch::Contains("column \"title\"") && Catch::Contains("NUL"));
}

TEST_CASE("postgres sink: connection errors never show the password", "[warehouse]") {
  static auto server = start_postgres();  // one server for the three sections
  if (!server) return;
  boost::asio::io_context io;
  const std::string password = "s3cret-Pa55word";
  SECTION("a database that does not exist") {
    auto sink = wh::postgres_sink<orders>::open(
        io.get_executor(),
        syncline::secret("host=127.0.0.1 port=" + std::to_string(server->port()) +
                         " user=postgres dbname=nope password=" + password));
    REQUIRE_FALSE(sink.has_value());
    CHECK_THAT(sink.error().message, Catch::Contains("dbname=nope") && Catch::Contains("nope"));
    CHECK_THAT(sink.error().message, !Catch::Contains(password));
  }
  SECTION("a server that is not there") {
    auto sink = wh::postgres_sink<orders>::open(
        io.get_executor(),
        syncline::secret("postgresql://postgres:" + password + "@127.0.0.1:1/x"));
    REQUIRE_FALSE(sink.has_value());
    CHECK(sink.error().category == errc::unavailable);
    CHECK_THAT(sink.error().message, Catch::Contains("port=1"));
    CHECK_THAT(sink.error().message, !Catch::Contains(password));
  }
  SECTION("a connection string libpq cannot parse") {
    auto sink = wh::postgres_sink<orders>::open(
        io.get_executor(), syncline::secret("host=127.0.0.1 password=" + password + " dbname"));
    REQUIRE_FALSE(sink.has_value());
    CHECK(sink.error().category == errc::invalid_input);
    CHECK_THAT(sink.error().message, !Catch::Contains(password));
  }
}

TEST_CASE("postgres sink: a message quoting the password, or a piece of it, shows none of it",
          "[warehouse]") {
  auto server = start_postgres();
  if (!server) return;
  const std::string password = "s3cret-Pa55word-7f3a";
  // The test server trusts local connections: the password is given, and ignored.
  auto conn = syncline::postgres::connection::connect(
      syncline::secret("host=127.0.0.1 port=" + std::to_string(server->port()) +
                       " user=postgres dbname=postgres password=" + password));
  REQUIRE(conn);
  // The server quotes a value it cannot read, and the message quotes the statement: the whole
  // password, a prefix cut where a quote could end, a suffix cut where one could start.
  for (const std::string& piece :
       {password, password.substr(0, 11), password.substr(password.size() - 9)}) {
    auto r = conn->exec("SELECT '" + piece + "'::integer");
    REQUIRE_FALSE(r);
    INFO(r.error().message);
    CHECK(r.error().category == errc::invalid_input);
    CHECK_THAT(r.error().message, Catch::Contains("invalid input syntax for type integer: \"***"));
    CHECK(leaked_fragment(r.error().message, password).empty());
  }
}

// --- Privacy erasure (issue 14) ----------------------------------------------------------------

namespace sql_test {

// One statement's first cell, read apart from the sink.
using count_fn = std::function<std::string(const std::string& sql)>;

// The erasure rules, the same on every SQL sink: two tenants' rows, erase_keys takes only the
// named keys of one tenant, erase_tenant one tenant's rows; the other's stay. Each awaited result
// is named first: see check_newer_rules on co_await inside CHECK.
template <class Orders, class Products, class Events>
boost::asio::awaitable<void> check_erasure(Orders& orders_sink, Products& products_sink,
                                           Events& events_sink, const count_fn& count) {
  static_assert(wh::erasable_sink<Orders> && wh::erasable_sink<Products> &&
                wh::erasable_sink<Events>);
  // Named, never a braced temporary inside co_await (g++ 12 frees those twice).
  std::vector<std::string> keys{"1"};
  auto erased = co_await orders_sink.erase_tenant("shop-a");
  CHECK(outcome(erased) == "0");  // an empty table
  erased = co_await orders_sink.erase_keys("shop-a", keys);
  CHECK(outcome(erased) == "0");

  const std::vector<std::uint64_t> a_ids{1, 2, 3}, b_ids{4, 5};
  for (std::uint64_t id : a_ids) {
    const auto w = co_await orders_sink.write(make_order(id), {}, "shop-a");
    CHECK(w.has_value());
  }
  for (std::uint64_t id : b_ids) {
    const auto w = co_await orders_sink.write(make_order(id), {}, "shop-b");
    CHECK(w.has_value());
  }
  CHECK(count("SELECT count(*) FROM orders WHERE _syncline_tenant = 'shop-a'") == "3");

  // Key 4 is shop-b's: not touched. "0003" is the integer 3.
  keys = {"1", "0003", "4", "99"};
  erased = co_await orders_sink.erase_keys("shop-a", keys);
  CHECK(outcome(erased) == "2");
  CHECK(count("SELECT string_agg(id::text, ',' ORDER BY id) FROM orders") == "2,4,5");

  // A key that is not an integer fails the call before anything is erased.
  keys = {"2", "not-a-number"};
  erased = co_await orders_sink.erase_keys("shop-a", keys);
  REQUIRE_FALSE(erased.has_value());
  CHECK(erased.error().category == errc::invalid_input);
  CHECK_THAT(erased.error().message, Catch::Contains("not-a-number") && Catch::Contains("\"id\"") &&
                                         Catch::Contains("nothing was erased"));
  CHECK(count("SELECT count(*) FROM orders") == "3");

  // A key of two members: their values joined by key_text.
  const std::vector<shop_product> products{{"a", 1, "one"}, {"a", 2, "two"}};
  for (const shop_product& p : products) {
    const auto w = co_await products_sink.write(p, {}, "shop-a");
    CHECK(w.has_value());
  }
  keys = {wh::key_text({"a", "2"})};
  erased = co_await products_sink.erase_keys("shop-a", keys);
  CHECK(outcome(erased) == "1");
  keys = {"a"};  // one part of two
  erased = co_await products_sink.erase_keys("shop-a", keys);
  REQUIRE_FALSE(erased.has_value());
  CHECK(erased.error().category == errc::invalid_input);
  CHECK(count("SELECT string_agg(title, ',') FROM analytics_products") == "one");

  // A table keyed by run: the key is the run's idempotency key.
  {
    const auto w = co_await events_sink.write(make_order(1), "shop-a/i/w/r-1/3", "shop-a");
    CHECK(w.has_value());
  }
  {
    const auto w = co_await events_sink.write(make_order(1), "shop-b/i/w/r-2/3", "shop-b");
    CHECK(w.has_value());
  }
  keys = {"shop-a/i/w/r-1/3", "shop-b/i/w/r-2/3"};
  erased = co_await events_sink.erase_keys("shop-a", keys);
  CHECK(outcome(erased) == "1");

  // erase_tenant: all of shop-a's rows, none of shop-b's; through the type-erased interface too.
  erased = co_await orders_sink.erase_tenant("shop-a");
  CHECK(outcome(erased) == "1");
  CHECK(count("SELECT string_agg(id::text, ',' ORDER BY id) FROM orders") == "4,5");
  const std::unique_ptr<wh::erasable> erasable = wh::make_erasable(products_sink);
  CHECK(erasable->table() == Products::table_type::name);
  erased = co_await erasable->erase_tenant("shop-a");
  CHECK(outcome(erased) == "1");
  erased = co_await orders_sink.erase_tenant("");
  REQUIRE_FALSE(erased.has_value());
  CHECK(erased.error().category == errc::invalid_input);
  erased = co_await orders_sink.erase_tenant("shop-b");
  CHECK(outcome(erased) == "2");
  CHECK(count("SELECT count(*) FROM orders") == "0");
  CHECK(count("SELECT count(*) FROM order_events WHERE _syncline_tenant = 'shop-b'") == "1");
}

}  // namespace sql_test

TEST_CASE("sqlite sink: erase by key and by tenant touches only that tenant's rows",
          "[warehouse][erase]") {
  temp_db file;
  const count_fn count = [&](const std::string& sql) {
    // SQLite spells string_agg group_concat, and casts to text as it stores.
    std::string q = sql;
    for (auto [from, to] : {std::pair<std::string, std::string>{
                                "string_agg(id::text, ',' ORDER BY id)", "group_concat(id, ',')"},
                            {"string_agg(title, ',')", "group_concat(title, ',')"}}) {
      if (auto at = q.find(from); at != std::string::npos) q.replace(at, from.size(), to);
    }
    auto rows = sqlite_rows(file.path, q);
    return rows.empty() || rows[0].empty() ? std::string("<none>") : rows[0][0];
  };
  run([&](boost::asio::io_context& io) -> boost::asio::awaitable<void> {
    auto orders_sink = wh::sqlite_sink<orders>::open(io.get_executor(), file.path.string());
    auto products_sink =
        wh::sqlite_sink<flat_products>::open(io.get_executor(), file.path.string());
    auto events_sink = wh::sqlite_sink<order_events>::open(io.get_executor(), file.path.string());
    REQUIRE((orders_sink && products_sink && events_sink));
    REQUIRE(orders_sink->create_table().has_value());
    REQUIRE(products_sink->create_table().has_value());
    REQUIRE(events_sink->create_table().has_value());
    co_await check_erasure(*orders_sink, *products_sink, *events_sink, count);
  });
}

TEST_CASE("sqlite sink: a table made before the tenant column gets it on open and keeps its rows",
          "[warehouse][erase]") {
  temp_db file;
  sqlite_rows(file.path,
              "CREATE TABLE analytics_products (shop TEXT NOT NULL, product_id INTEGER NOT NULL, "
              "title TEXT NOT NULL, PRIMARY KEY (shop, product_id))");
  sqlite_rows(file.path, "INSERT INTO analytics_products VALUES ('a', 1, 'old')");
  run([&](boost::asio::io_context& io) -> boost::asio::awaitable<void> {
    auto sink = wh::sqlite_sink<flat_products>::open(io.get_executor(), file.path.string());
    INFO((sink ? "" : sink.error().message));
    REQUIRE(sink.has_value());
    // Opening twice (a second engine, a restart) finds the column and adds nothing.
    auto again = wh::sqlite_sink<flat_products>::open(io.get_executor(), file.path.string());
    REQUIRE(again.has_value());
    REQUIRE(again->create_table().has_value());
    const shop_product later{"a", 2, "new"};
    const auto w = co_await sink->write(later, {}, "shop-a");
    CHECK(w.has_value());
    // The old row has no tenant: erase_tenant cannot find it, erase_keys of '' can.
    auto erased = co_await sink->erase_tenant("shop-a");
    CHECK(outcome(erased) == "1");
    const std::vector<std::string> old_key{wh::key_text({"a", "1"})};
    erased = co_await sink->erase_keys("", old_key);
    CHECK(outcome(erased) == "1");
  });
  auto columns = sqlite_rows(
      file.path,
      "SELECT name, type, \"notnull\", dflt_value FROM pragma_table_info('analytics_products')");
  REQUIRE(columns.size() == 4);
  CHECK(columns[3] == std::vector<std::string>{"_syncline_tenant", "TEXT", "1", "''"});
  CHECK(sqlite_rows(file.path, "SELECT count(*) FROM analytics_products")[0][0] == "0");
}

TEST_CASE("postgres sink: erase by key and by tenant touches only that tenant's rows",
          "[warehouse][erase]") {
  auto server = start_postgres();
  if (!server) return;
  const std::string conninfo = server->connection_string();
  const count_fn count = [&](const std::string& sql) {
    auto rows = pg_rows(conninfo, sql);
    return rows.empty() || rows[0].empty() ? std::string("<none>") : rows[0][0];
  };
  run([&](boost::asio::io_context& io) -> boost::asio::awaitable<void> {
    const syncline::secret info(conninfo);
    auto orders_sink = wh::postgres_sink<orders>::open(io.get_executor(), info);
    auto products_sink = wh::postgres_sink<flat_products>::open(io.get_executor(), info);
    auto events_sink = wh::postgres_sink<order_events>::open(io.get_executor(), info);
    REQUIRE((orders_sink && products_sink && events_sink));
    REQUIRE(orders_sink->create_table().has_value());
    REQUIRE(products_sink->create_table().has_value());
    REQUIRE(events_sink->create_table().has_value());
    co_await check_erasure(*orders_sink, *products_sink, *events_sink, count);
  });
}

TEST_CASE(
    "postgres sink: a table made before the tenant column gets it on open, and a server "
    "that is down is unavailable",
    "[warehouse][erase]") {
  auto server = start_postgres();
  if (!server) return;
  const std::string conninfo = server->connection_string();
  pg_rows(conninfo,
          "CREATE TABLE analytics_products (shop TEXT NOT NULL, product_id BIGINT NOT NULL, "
          "title TEXT NOT NULL, PRIMARY KEY (shop, product_id))");
  pg_rows(conninfo, "INSERT INTO analytics_products VALUES ('a', 1, 'old')");
  run([&](boost::asio::io_context& io) -> boost::asio::awaitable<void> {
    auto sink =
        wh::postgres_sink<flat_products>::open(io.get_executor(), syncline::secret(conninfo));
    INFO((sink ? "" : sink.error().message));
    REQUIRE(sink.has_value());
    auto again =
        wh::postgres_sink<flat_products>::open(io.get_executor(), syncline::secret(conninfo));
    REQUIRE(again.has_value());
    REQUIRE(again->create_table().has_value());
    const shop_product later{"a", 2, "new"};
    const auto w = co_await sink->write(later, {}, "shop-a");
    CHECK(w.has_value());
    auto erased = co_await sink->erase_tenant("shop-a");
    CHECK(outcome(erased) == "1");
    CHECK(pg_rows(conninfo, "SELECT title, _syncline_tenant FROM analytics_products") ==
          std::vector<std::vector<std::string>>{{"old", ""}});

    server->shutdown();
    const std::vector<std::string> old_key{wh::key_text({"a", "1"})};
    erased = co_await sink->erase_keys("shop-a", old_key);
    REQUIRE_FALSE(erased.has_value());
    CHECK(erased.error().category == errc::unavailable);
    CHECK_THAT(erased.error().message, !Catch::Contains("password"));
  });
}

}  // namespace unity_connectors_warehouse_sql_test
