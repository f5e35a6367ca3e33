// warehouse::postgres_sink<Table>: a warehouse table in PostgreSQL through libpq. A flush writes
// the waiting rows of concurrent runs in one transaction as multi-row
// `INSERT ... ON CONFLICT (key) DO UPDATE` statements (thousands of rows per round trip). If a
// batch fails on one bad row, the rows are retried one by one so the others still commit and the
// bad one gets its own error.
//
//   auto sink = warehouse::postgres_sink<orders>::open(
//       io.get_executor(), secret("host=... dbname=... password=..."));
//   sink->create_table();
//   co_await sink->write(row);
//   co_await sink->erase_keys("shop-1", {"450789469"});  // privacy erasure
#pragma once

#include <syncline/connectors/warehouse/batched_sink.hpp>
#include <syncline/connectors/warehouse/batcher.hpp>
#include <syncline/connectors/warehouse/column.hpp>
#include <syncline/connectors/warehouse/sql_statements.hpp>
#include <syncline/connectors/warehouse/table.hpp>
#include <syncline/core/result.hpp>
#include <syncline/core/secret.hpp>
#include <syncline/postgres/connection.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

namespace syncline::warehouse {

// PostgreSQL column types: exact NUMERIC for money, TIMESTAMPTZ (the instant; the original
// offset is not kept), JSONB for nested values. Placeholders carry an explicit cast so the
// text parameters are read as the column's type in every position of a multi-row VALUES list.
struct postgres_dialect {
  static constexpr std::string_view name = "PostgreSQL";
  static constexpr std::string_view type_name(column_type t) noexcept {
    switch (t) {
      case column_type::boolean: return "BOOLEAN";
      case column_type::integer: return "INTEGER";
      case column_type::big_integer: return "BIGINT";
      case column_type::real: return "DOUBLE PRECISION";
      case column_type::text: return "TEXT";
      case column_type::decimal: return "NUMERIC";
      case column_type::timestamp: return "TIMESTAMPTZ";
      case column_type::json: return "JSONB";
    }
    return "TEXT";
  }
  static std::string quote(std::string_view name) { return quote_identifier(name); }
  // The newer<> condition of ON CONFLICT DO UPDATE: TIMESTAMPTZ and integers compare as values
  // (instants for timestamps), whatever offset the text was written in.
  static std::string newer_condition(const std::string& stored, const std::string& incoming,
                                     column_type) {
    return stored + " IS NULL OR " + stored + " <= " + incoming;
  }
  static void placeholder(std::string& sql, std::size_t index, column_type t) {
    sql += '$';
    sql += std::to_string(index);
    sql += "::";
    sql += type_name(t);
  }
};

struct postgres_sink_options {
  batch_options batch{};
  // Rows per INSERT statement; PostgreSQL also caps a statement at 65535 parameters, and the
  // sink never exceeds that whatever this says.
  std::size_t max_rows_per_statement = 1000;
};

namespace detail {

// libpq text format of a cell; nullopt for NULL.
inline result<std::optional<std::string>> postgres_text(const cell& c) {
  using out = result<std::optional<std::string>>;
  return std::visit(
      [](const auto& v) -> out {
        using V = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<V, std::monostate>) {
          return std::optional<std::string>{};
        } else if constexpr (std::is_same_v<V, bool>) {
          return std::optional<std::string>(v ? "true" : "false");
        } else if constexpr (std::is_same_v<V, std::int64_t>) {
          return std::optional<std::string>(std::to_string(v));
        } else if constexpr (std::is_same_v<V, double>) {
          if (std::isnan(v)) return std::optional<std::string>("NaN");
          if (std::isinf(v)) return std::optional<std::string>(v > 0 ? "Infinity" : "-Infinity");
          char buf[32];
          auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);  // shortest exact round trip
          return std::optional<std::string>(std::string(buf, end));
        } else {
          // Text parameters are C strings: a NUL would silently cut the value short.
          if (v.find('\0') != std::string::npos) {
            return make_error(errc::invalid_input,
                              "text contains a NUL byte, which PostgreSQL text cannot hold");
          }
          return std::optional<std::string>(v);
        }
      },
      c);
}

// A staged row as PostgreSQL parameters.
struct postgres_row {
  std::vector<std::optional<std::string>> values;
  std::string key;
  std::optional<std::int64_t> version;  // see staged_row
};

// The untyped half of postgres_sink (its batched_sink Writer). A mutex serialises the group
// commit's flushes with direct write_batch calls from other threads.
class postgres_table_writer {
 public:
  using item = postgres_row;
  using statement_for = std::string (*)(std::size_t rows);

  postgres_table_writer(postgres::connection conn, std::string table, std::string create_sql,
                        statement_for upsert, std::string add_tenant_column_sql,
                        erase_statements erase, std::size_t columns, bool keep_first,
                        bool versioned, std::size_t max_rows_per_statement)
      : conn_(std::move(conn)),
        table_(std::move(table)),
        create_sql_(std::move(create_sql)),
        upsert_(upsert),
        add_tenant_column_sql_(std::move(add_tenant_column_sql)),
        erase_(std::move(erase)),
        columns_(columns),
        keep_first_(keep_first),
        versioned_(versioned),
        rows_per_statement_(std::max<std::size_t>(
            1, std::min(max_rows_per_statement,
                        std::size_t{65535} / std::max<std::size_t>(columns, 1)))) {}

  // CREATE TABLE IF NOT EXISTS, and the tenant column for a table that existed without it.
  result<void> create_table() {
    std::lock_guard lock(mutex_);
    if (auto r = conn_.ensure_connected(); !r) return r;
    auto r = conn_.exec(create_sql_);
    if (!r) return std::move(r).error();
    return add_tenant_column_locked();
  }

  // A table created before `_syncline_tenant` existed gets it (open calls this). The catalogue
  // is read first: ALTER TABLE takes an exclusive lock even when IF NOT EXISTS finds the column,
  // and would queue behind every long query on the table at each start. A constant default makes
  // the ALTER itself instant on PostgreSQL 11 and later.
  result<void> add_tenant_column() {
    std::lock_guard lock(mutex_);
    if (auto r = conn_.ensure_connected(); !r) return r;
    return add_tenant_column_locked();
  }

  // Privacy erasure (batched_sink::erase_keys, erase_tenant): one transaction, all or nothing.
  // libpq blocks: the caller's thread waits for the round trips.
  boost::asio::awaitable<result<std::int64_t>> erase_keys(std::string tenant,
                                                          std::vector<std::vector<cell>> keys) {
    co_return erase(tenant, &keys);
  }
  boost::asio::awaitable<result<std::int64_t>> erase_tenant(std::string tenant) {
    co_return erase(tenant, nullptr);
  }

  // A row as PostgreSQL parameters; a value libpq cannot carry fails here, with its column.
  template <class Table>
  static result<postgres_row> prepare(const typename Table::row_type& row, std::string_view run_key,
                                      std::string_view tenant) {
    auto staged = Table::stage(row, run_key, tenant);
    if (!staged) return std::move(staged).error();
    postgres_row out;
    out.values.reserve(staged->cells.size());
    for (std::size_t i = 0; i < staged->cells.size(); ++i) {
      auto text = postgres_text(staged->cells[i]);
      if (!text) {
        return make_error(text.error().category,
                          "table \"" + std::string(Table::name) + "\", column \"" +
                              std::string(Table::columns[i].name) + "\": " + text.error().message);
      }
      out.values.push_back(std::move(*text));
    }
    out.key = std::move(staged->key);
    out.version = staged->version;
    return out;
  }

  // The group commit's flush. libpq blocks: the flush holds the sink's strand for the
  // transaction's round trips.
  boost::asio::awaitable<std::vector<result<void>>> write(std::vector<postgres_row>& rows) {
    co_return write_rows(rows, false);
  }

  // One transaction for all of `rows`, all or nothing; the first failure.
  result<void> write_atomic(std::span<const postgres_row> rows) {
    auto results = write_rows(rows, true);
    for (auto& r : results)
      if (!r) return std::move(r).error();
    return {};
  }

 private:
  result<void> add_tenant_column_locked() {
    const char* params[] = {table_.c_str()};
    auto missing = conn_.exec(
        "SELECT to_regclass($1) IS NOT NULL AND NOT EXISTS (SELECT 1 FROM pg_attribute WHERE "
        "attrelid = to_regclass($1) AND attname = '_syncline_tenant' AND NOT attisdropped)",
        params);
    if (!missing) return std::move(missing).error();
    if (postgres::text_at(*missing, 0, 0) != "t") return {};
    auto r = conn_.exec(add_tenant_column_sql_);  // IF NOT EXISTS: another engine may be first
    if (!r) return std::move(r).error();
    return {};
  }

  // `keys` null: every row of the tenant. A lost connection is re-established once, and the
  // erasure run again (a DELETE is idempotent).
  result<std::int64_t> erase(const std::string& tenant,
                             const std::vector<std::vector<cell>>* keys) {
    std::lock_guard lock(mutex_);
    if (auto r = conn_.ensure_connected(); !r) return std::move(r).error();
    auto r = erase_transaction(tenant, keys);
    if (!r && PQstatus(conn_.handle()) != CONNECTION_OK && conn_.ensure_connected()) {
      r = erase_transaction(tenant, keys);
    }
    return r;
  }

  result<std::int64_t> erase_transaction(const std::string& tenant,
                                         const std::vector<std::vector<cell>>* keys) {
    if (auto r = conn_.exec("BEGIN"); !r) return std::move(r).error();
    auto rollback = [&](::syncline::error e) -> result<std::int64_t> {
      (void)conn_.exec("ROLLBACK");
      return e;
    };
    std::int64_t erased = 0;
    const std::size_t count = keys ? keys->size() : 1;
    std::vector<std::optional<std::string>> texts;
    std::vector<const char*> params;
    for (std::size_t start = 0; start < count; start += erase_.keys_per_statement) {
      const std::size_t n = keys ? std::min(erase_.keys_per_statement, count - start) : 0;
      texts.assign(1, tenant);
      for (std::size_t k = start; k < start + n; ++k) {
        for (const cell& c : (*keys)[k]) {
          auto t = postgres_text(c);
          if (!t) return rollback(std::move(t).error());
          texts.push_back(std::move(*t));
        }
      }
      params.clear();
      for (const auto& t : texts) params.push_back(t ? t->c_str() : nullptr);
      auto r = conn_.exec(keys ? erase_.keys(n) : erase_.tenant, params);
      if (!r) return rollback(std::move(r).error());
      erased += postgres::affected_rows(*r);
    }
    if (auto r = conn_.exec("COMMIT"); !r) return rollback(std::move(r).error());
    return erased;
  }

  // One transaction for all rows. A failure that a retry may fix (connection, resources) fails
  // every row alike. Otherwise (bad data) the batch is retried row by row, each on its own, so
  // that only the bad rows fail; `atomic` skips that and fails the whole batch instead.
  std::vector<result<void>> write_rows(std::span<const postgres_row> rows, bool atomic) {
    std::lock_guard lock(mutex_);
    std::vector<result<void>> results(rows.size());
    if (auto r = conn_.ensure_connected(); !r) {
      for (auto& x : results) x = r.error();
      return results;
    }
    const auto chosen = distinct_by_key(rows, keep_first_, versioned_);
    auto r = transaction(rows, chosen);
    if (!r && PQstatus(conn_.handle()) != CONNECTION_OK) {
      // The server closed the connection (restart, failover, idle kill). Upserts are
      // idempotent, so even a batch whose COMMIT reached the server may be sent again.
      if (conn_.ensure_connected()) r = transaction(rows, chosen);
    }
    if (r || atomic || rows.size() == 1 || is_transient(r.error().category)) {
      for (auto& x : results) x = r;
      return results;
    }
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const std::vector<std::size_t> one{i};
      results[i] = transaction(rows, one);
    }
    return results;
  }

  result<void> transaction(std::span<const postgres_row> rows,
                           const std::vector<std::size_t>& which) {
    if (auto r = conn_.exec("BEGIN"); !r) return std::move(r).error();
    std::vector<const char*> params;
    for (std::size_t start = 0; start < which.size(); start += rows_per_statement_) {
      const std::size_t n = std::min(rows_per_statement_, which.size() - start);
      const std::string& sql = statement(n);
      params.clear();
      params.reserve(n * columns_);
      for (std::size_t k = start; k < start + n; ++k) {
        for (const auto& v : rows[which[k]].values) params.push_back(v ? v->c_str() : nullptr);
      }
      if (auto r = conn_.exec(sql, params); !r) {
        (void)conn_.exec("ROLLBACK");
        return std::move(r).error();
      }
    }
    if (auto r = conn_.exec("COMMIT"); !r) {
      (void)conn_.exec("ROLLBACK");
      return std::move(r).error();
    }
    return {};
  }

  // Statements are cached by row count: a busy sink uses only a few sizes.
  const std::string& statement(std::size_t rows) {
    auto it = statements_.find(rows);
    if (it == statements_.end()) it = statements_.emplace(rows, upsert_(rows)).first;
    return it->second;
  }

  std::mutex mutex_;
  postgres::connection conn_;
  std::string table_;  // quoted, as to_regclass reads it
  std::string create_sql_;
  statement_for upsert_;
  std::string add_tenant_column_sql_;
  erase_statements erase_;
  std::size_t columns_;
  bool keep_first_;
  bool versioned_;
  std::size_t rows_per_statement_;
  std::unordered_map<std::size_t, std::string> statements_;
};

}  // namespace detail

template <class Table>
class postgres_sink : public batched_sink<Table, detail::postgres_table_writer> {
 public:
  // `conninfo` is a libpq connection string or URI; it is a secret because it may hold a password.
  // A table created before `_syncline_tenant` existed gets the column here.
  static result<postgres_sink> open(boost::asio::any_io_executor ex, const secret& conninfo,
                                    postgres_sink_options options = {}) {
    auto conn = postgres::connection::connect(conninfo);
    if (!conn) return std::move(conn).error();
    auto writer = std::make_shared<detail::postgres_table_writer>(
        std::move(*conn), postgres_dialect::quote(Table::name),
        create_table_sql<Table, postgres_dialect>(), &upsert_sql<Table, postgres_dialect>,
        add_tenant_column_sql<Table, postgres_dialect>(true),
        erase_statements_for<Table, postgres_dialect>(), Table::column_count, Table::keyed_by_run,
        Table::versioned, options.max_rows_per_statement);
    if (auto r = writer->add_tenant_column(); !r) return std::move(r).error();
    return postgres_sink(std::move(ex), std::move(writer), options.batch);
  }

 private:
  using batched_sink<Table, detail::postgres_table_writer>::batched_sink;
};

}  // namespace syncline::warehouse
