// warehouse::sqlite_sink<Table>: the embedded default warehouse. Rows from concurrent runs are
// grouped into one transaction (see batcher.hpp); each row is an `INSERT ... ON CONFLICT` on the
// table's key, so a replayed run never adds a second row.
//
//   using orders = warehouse::table<order_row, "orders", warehouse::key<"id">>;
//   auto sink = warehouse::sqlite_sink<orders>::open(io.get_executor(), "warehouse.db");
//   sink->create_table();
//   co_await sink->write(row);            // resumes once the row is committed
#pragma once

#include <syncline/connectors/warehouse/batcher.hpp>
#include <syncline/connectors/warehouse/column.hpp>
#include <syncline/connectors/warehouse/sql_statements.hpp>
#include <syncline/connectors/warehouse/sqlite_database.hpp>
#include <syncline/connectors/warehouse/table.hpp>
#include <syncline/core/result.hpp>
#include <syncline/sqlite/transaction.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace syncline::warehouse {

// SQLite column types. Decimals and timestamps are TEXT, not NUMERIC: NUMERIC affinity would turn
// "199.65" into a double.
struct sqlite_dialect {
  static constexpr std::string_view name = "SQLite";
  static constexpr std::string_view type_name(column_type t) noexcept {
    switch (t) {
      case column_type::boolean:
      case column_type::integer:
      case column_type::big_integer: return "INTEGER";
      case column_type::real: return "REAL";
      case column_type::text:
      case column_type::decimal:
      case column_type::timestamp:
      case column_type::json: return "TEXT";
    }
    return "TEXT";
  }
  static std::string quote(std::string_view name) { return quote_identifier(name); }
  static void placeholder(std::string& sql, std::size_t, column_type) { sql += '?'; }
  // The newer<> condition of ON CONFLICT DO UPDATE. Timestamps are TEXT as received, offsets
  // and all, so they compare as instants through julianday() (which reads the offset and the
  // fractional seconds; its resolution is about a millisecond, and closer versions count as
  // equal, i.e. the later write wins). Integers compare as they are.
  static std::string newer_condition(const std::string& stored, const std::string& incoming,
                                     column_type t) {
    if (t == column_type::timestamp) {
      return stored + " IS NULL OR julianday(" + incoming + ") >= julianday(" + stored + ")";
    }
    return stored + " IS NULL OR " + incoming + " >= " + stored;
  }
};

struct sqlite_sink_options {
  sqlite_options database{};
  batch_options batch{};
};

namespace detail {

// The untyped half of the sink: a connection and the table's statements. A mutex serialises
// the batcher's flushes with direct write_batch calls from other threads.
class sqlite_table_writer {
 public:
  sqlite_table_writer(sqlite_database db, std::string create_sql, std::string upsert_sql)
      : db_(std::move(db)),
        create_sql_(std::move(create_sql)),
        upsert_sql_(std::move(upsert_sql)) {}

  result<void> create_table() {
    std::lock_guard lock(mutex_);
    return db_.exec(create_sql_);
  }

  // Writes `rows` in one transaction. Group commit (atomic = false): a row that fails is rolled
  // back alone (SQLite undoes just that statement) and the others commit. Atomic: any failure
  // rolls back everything.
  std::vector<result<void>> write(std::span<const staged_row> rows, bool atomic) {
    std::lock_guard lock(mutex_);
    std::vector<result<void>> results(rows.size());
    auto fail_all = [&](const ::syncline::error& e) {
      for (auto& r : results) r = e;
      return results;
    };
    auto tx = sqlite::write_transaction::begin(db_);
    if (!tx) return fail_all(tx.error());
    auto stmt = db_.prepare(upsert_sql_);
    if (!stmt) return fail_all(stmt.error());  // tx rolls back
    for (std::size_t i = 0; i < rows.size(); ++i) {
      results[i] = upsert(*stmt, rows[i]);
      if (results[i]) continue;
      // Disk full or I/O errors roll the whole transaction back; nothing after this would count.
      if (atomic || !db_.in_transaction()) {
        const ::syncline::error e = results[i].error();
        return fail_all(atomic ? make_error(e.category, "row " + std::to_string(i) + " of " +
                                                            std::to_string(rows.size()) + ": " +
                                                            e.message + " (nothing was written)")
                               : e);  // tx rolls back what is left
      }
    }
    if (auto r = tx->commit(); !r) return fail_all(r.error());  // tx rolls back
    return results;
  }

 private:
  static result<void> upsert(sqlite_statement& stmt, const staged_row& row) {
    stmt.reset();
    int index = 1;
    for (const cell& c : row.cells) {
      std::visit(
          [&](const auto& v) {
            if constexpr (std::is_same_v<std::decay_t<decltype(v)>, std::monostate>)
              stmt.bind_at(index, std::nullopt);
            else
              stmt.bind_at(index, v);
          },
          c);
      ++index;
    }
    return stmt.exec();
  }

  std::mutex mutex_;
  sqlite_database db_;
  std::string create_sql_;
  std::string upsert_sql_;
};

}  // namespace detail

template <class Table>
class sqlite_sink {
 public:
  using table_type = Table;
  using row_type = typename Table::row_type;

  // Opens (or creates) the database file; the sink's flushes run on a strand of `ex`.
  static result<sqlite_sink> open(boost::asio::any_io_executor ex, const std::string& path,
                                  sqlite_sink_options options = {}) {
    auto db = sqlite_database::open(path, options.database);
    if (!db) return std::move(db).error();
    return sqlite_sink(std::move(ex), std::move(*db), options.batch);
  }

  // CREATE TABLE IF NOT EXISTS from the row type; safe to call on every start.
  result<void> create_table() { return writer_->create_table(); }

  // Batched write: resumes once the transaction holding `row` is committed. `run_key` is the
  // run's idempotency key (required when the table has no key of its own).
  boost::asio::awaitable<result<void>> write(const row_type& row, std::string_view run_key = {}) {
    auto staged = Table::stage(row, run_key);
    if (!staged) co_return std::move(staged).error();
    co_return co_await batcher_->submit(std::move(*staged));
  }

  // Flushes and rows so far: rows / flushes is the batch size the load achieved.
  batch_statistics statistics() const noexcept { return batcher_->statistics(); }

  // Direct write of many rows in one transaction, all or nothing: for bulk loads outside a run.
  result<void> write_batch(std::span<const row_type> rows) requires(!Table::keyed_by_run) {
    std::vector<staged_row> staged;
    staged.reserve(rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
      auto s = Table::stage(rows[i]);
      if (!s) {
        return make_error(s.error().category, "row " + std::to_string(i) + ": " +
                                                  s.error().message + " (nothing was written)");
      }
      staged.push_back(std::move(*s));
    }
    auto results = writer_->write(staged, true);
    for (auto& r : results)
      if (!r) return std::move(r).error();
    return {};
  }

 private:
  sqlite_sink(boost::asio::any_io_executor ex, sqlite_database db, batch_options batch)
      : writer_(std::make_shared<detail::sqlite_table_writer>(
            std::move(db), create_table_sql<Table, sqlite_dialect>(),
            upsert_sql<Table, sqlite_dialect>(1))),
        batcher_(std::make_unique<batcher<staged_row>>(
            std::move(ex), batch,
            [writer = writer_](std::vector<staged_row>& rows)
                -> boost::asio::awaitable<std::vector<result<void>>> {
              co_return writer->write(rows, false);
            })) {}

  std::shared_ptr<detail::sqlite_table_writer> writer_;  // shared with in-flight flushes
  std::unique_ptr<batcher<staged_row>> batcher_;
};

}  // namespace syncline::warehouse
