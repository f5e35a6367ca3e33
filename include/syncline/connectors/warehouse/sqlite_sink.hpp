// warehouse::sqlite_sink<Table>: the embedded default warehouse. Rows from concurrent runs are
// grouped into one transaction (see batcher.hpp); each row is an `INSERT ... ON CONFLICT` on the
// table's key, so a replayed run never adds a second row.
//
//   using orders = warehouse::table<order_row, "orders", warehouse::key<"id">>;
//   auto sink = warehouse::sqlite_sink<orders>::open(io.get_executor(), "warehouse.db");
//   sink->create_table();
//   co_await sink->write(row);            // resumes once the row is committed
//
// Declaring a workflow that writes to the sink needs no Asio: the executor and the awaitable are
// only declared here. Code that opens the sink or awaits a write includes Asio itself
// (<boost/asio/any_io_executor.hpp>, <boost/asio/awaitable.hpp>; the engine's header does).
#pragma once

#include <syncline/config.hpp>
#include <syncline/connectors/warehouse/batch_options.hpp>
#include <syncline/connectors/warehouse/column.hpp>
#include <syncline/connectors/warehouse/sql_statements.hpp>
#include <syncline/connectors/warehouse/sqlite_database.hpp>
#include <syncline/connectors/warehouse/table.hpp>
#include <syncline/core/awaitable.hpp>
#include <syncline/core/result.hpp>

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace syncline::warehouse {

template <class Item>
class batcher;

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

class sqlite_table_writer;

// boost::asio::any_io_executor, spelled so that it depends on D. The executor is only declared
// here (core/awaitable.hpp), so a TU that only declares workflows parses no Asio; a parameter of
// a function defined in a template must be complete where the function is defined unless it is
// dependent, and then only where the function is used (with the executor, after Asio's header).
template <class D>
struct dependent_executor {
  using type = boost::asio::any_io_executor;
};

// The untyped half of the sink, compiled once: the table writer and the batcher that groups
// the rows of concurrent runs into one transaction.
class sqlite_row_sink {
 public:
  SYNCLINE_DECL static result<std::unique_ptr<sqlite_row_sink>> open(
      boost::asio::any_io_executor ex, const std::string& path, const sqlite_sink_options& options,
      std::string create_sql, std::string upsert_sql);
  SYNCLINE_DECL ~sqlite_row_sink();
  sqlite_row_sink(const sqlite_row_sink&) = delete;
  sqlite_row_sink& operator=(const sqlite_row_sink&) = delete;

  SYNCLINE_DECL result<void> create_table();
  // Resumes once the transaction holding `row` is committed.
  SYNCLINE_DECL awaitable<result<void>> submit(staged_row row);
  SYNCLINE_DECL batch_statistics statistics() const noexcept;
  // One transaction for all of `rows`, all or nothing; the first failure.
  SYNCLINE_DECL result<void> write_atomic(std::span<const staged_row> rows);

 private:
  SYNCLINE_DECL sqlite_row_sink(boost::asio::any_io_executor ex,
                                std::shared_ptr<sqlite_table_writer> writer, batch_options batch);

  std::shared_ptr<sqlite_table_writer> writer_;  // shared with in-flight flushes
  std::unique_ptr<batcher<staged_row>> batcher_;
};

}  // namespace detail

template <class Table>
class sqlite_sink {
 public:
  using table_type = Table;
  using row_type = typename Table::row_type;

  // Opens (or creates) the database file; the sink's flushes run on a strand of `ex`.
  static result<sqlite_sink> open(typename detail::dependent_executor<Table>::type ex,
                                  const std::string& path, sqlite_sink_options options = {}) {
    auto rows = detail::sqlite_row_sink::open(std::move(ex), path, options,
                                              create_table_sql<Table, sqlite_dialect>(),
                                              upsert_sql<Table, sqlite_dialect>(1));
    if (!rows) return std::move(rows).error();
    return sqlite_sink(std::move(*rows));
  }

  // CREATE TABLE IF NOT EXISTS from the row type; safe to call on every start.
  result<void> create_table() { return rows_->create_table(); }

  // Batched write: resumes once the transaction holding `row` is committed. `run_key` is the
  // run's idempotency key (required when the table has no key of its own).
  awaitable_for<result<void>, Table> write(const row_type& row, std::string_view run_key = {}) {
    auto staged = Table::stage(row, run_key);
    if (!staged) co_return std::move(staged).error();
    co_return co_await rows_->submit(std::move(*staged));
  }

  // Flushes and rows so far: rows / flushes is the batch size the load achieved.
  batch_statistics statistics() const noexcept { return rows_->statistics(); }

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
    return rows_->write_atomic(staged);
  }

 private:
  explicit sqlite_sink(std::unique_ptr<detail::sqlite_row_sink> rows) : rows_(std::move(rows)) {}

  std::unique_ptr<detail::sqlite_row_sink> rows_;
};

}  // namespace syncline::warehouse

#if SYNCLINE_HEADER_ONLY
#include <syncline/connectors/warehouse/impl/sqlite_sink.ipp>
#endif
