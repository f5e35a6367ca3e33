// warehouse::sqlite_sink<Table>: the embedded default warehouse. Rows from concurrent runs are
// grouped into one transaction (see batched_sink.hpp); each row is an `INSERT ... ON CONFLICT` on
// the table's key, so a replayed run never adds a second row.
//
//   using orders = warehouse::table<order_row, "orders", warehouse::key<"id">>;
//   auto sink = warehouse::sqlite_sink<orders>::open(io.get_executor(), "warehouse.db");
//   sink->create_table();
//   co_await sink->write(row);            // resumes once the row is committed
//   co_await sink->erase_tenant("shop-1"); // privacy erasure: that tenant's rows go
//
// Declaring a workflow that writes to the sink needs no Asio: the executor and the awaitable are
// only declared here. Code that opens the sink or awaits a write includes Asio itself
// (<boost/asio/any_io_executor.hpp>, <boost/asio/awaitable.hpp>; the engine's header does).
#pragma once

#include <syncline/config.hpp>
#include <syncline/connectors/warehouse/batch_options.hpp>
#include <syncline/connectors/warehouse/batched_sink.hpp>
#include <syncline/connectors/warehouse/column.hpp>
#include <syncline/connectors/warehouse/detail/sqlite_table_writer.hpp>
#include <syncline/connectors/warehouse/sql_statements.hpp>
#include <syncline/connectors/warehouse/table.hpp>
#include <syncline/core/result.hpp>
#include <syncline/sqlite/connection_options.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

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
  sqlite::connection_options database{};
  batch_options batch{};
};

template <class Table>
class sqlite_sink : public batched_sink<Table, detail::sqlite_table_writer> {
 public:
  // Opens (or creates) the database file; the sink's flushes run on a strand of `ex`.
  static result<sqlite_sink> open(typename detail::dependent_executor<Table>::type ex,
                                  const std::string& path, sqlite_sink_options options = {}) {
    auto writer = detail::sqlite_table_writer::open(path, options.database, statements());
    if (!writer) return std::move(writer).error();
    return sqlite_sink(std::move(ex), std::move(*writer), options.batch);
  }

 private:
  using batched_sink<Table, detail::sqlite_table_writer>::batched_sink;

  static detail::sqlite_table_statements statements() {
    // PRAGMA takes the schema ("analytics", an attached database) apart from the table name.
    const std::string_view full = Table::name;
    const auto dot = full.find('.');
    const std::string info = dot == std::string_view::npos
                                 ? "PRAGMA table_info(" + sqlite_dialect::quote(full) + ")"
                                 : "PRAGMA " + sqlite_dialect::quote(full.substr(0, dot)) +
                                       ".table_info(" +
                                       sqlite_dialect::quote(full.substr(dot + 1)) + ")";
    return {create_table_sql<Table, sqlite_dialect>(), upsert_sql<Table, sqlite_dialect>(1), info,
            add_tenant_column_sql<Table, sqlite_dialect>(false),
            erase_statements_for<Table, sqlite_dialect>()};
  }
};

}  // namespace syncline::warehouse

#if SYNCLINE_HEADER_ONLY
#include <syncline/connectors/warehouse/impl/sqlite_sink.ipp>
#endif
