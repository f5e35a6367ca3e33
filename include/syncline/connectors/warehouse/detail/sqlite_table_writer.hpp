// The untyped half of warehouse::sqlite_sink (its batched_sink Writer): a connection and the
// table's statements. Declared only: its bodies (impl/sqlite_table_writer.ipp) are compiled once
// in separate mode, so declaring a workflow that writes to SQLite parses neither Asio nor SQLite.
#pragma once

#include <syncline/config.hpp>
#include <syncline/connectors/warehouse/sql_statements.hpp>
#include <syncline/connectors/warehouse/table.hpp>
#include <syncline/core/awaitable.hpp>
#include <syncline/core/result.hpp>
#include <syncline/sqlite/connection_options.hpp>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace syncline::warehouse {

namespace detail {

// The SQL of one table, made by the typed sink (sqlite_sink.hpp).
struct sqlite_table_statements {
  std::string create_table;
  std::string upsert;             // one row
  std::string table_info;         // PRAGMA table_info of the table: no rows when it is missing
  std::string add_tenant_column;  // ALTER TABLE ... ADD COLUMN _syncline_tenant
  erase_statements erase;
};

// A mutex serialises the group commit's flushes with direct write_batch calls from other
// threads.
class sqlite_table_writer {
 public:
  using item = staged_row;

  // Opens (or creates) the database file; a table created before `_syncline_tenant` existed
  // gets the column.
  SYNCLINE_DECL static result<std::shared_ptr<sqlite_table_writer>> open(
      const std::string& path, const sqlite::connection_options& options,
      sqlite_table_statements statements);

  SYNCLINE_DECL ~sqlite_table_writer();

  // CREATE TABLE IF NOT EXISTS, and the tenant column for a table that existed without it.
  SYNCLINE_DECL result<void> create_table();

  // Privacy erasure (batched_sink::erase_keys, erase_tenant): one transaction, on the caller's
  // thread (SQLite blocks, as write_batch does).
  SYNCLINE_DECL awaitable<result<std::int64_t>> erase_keys(std::string tenant,
                                                           std::vector<std::vector<cell>> keys);
  SYNCLINE_DECL awaitable<result<std::int64_t>> erase_tenant(std::string tenant);

  // The group commit's flush: one transaction; a row that fails is rolled back alone (SQLite
  // undoes just that statement) and the others commit. It runs on the sink's strand and blocks
  // it for the transaction, as a database the process holds in a file may.
  SYNCLINE_DECL awaitable<std::vector<result<void>>> write(std::vector<staged_row>& rows);

  // One transaction for all of `rows`, all or nothing; the first failure.
  SYNCLINE_DECL result<void> write_atomic(std::span<const staged_row> rows);

 private:
  // The connection and the statements, behind a pointer so that a TU declaring a SQLite sink
  // does not parse the SQLite connection's headers (impl/sqlite_table_writer.ipp defines it).
  struct state;
  explicit sqlite_table_writer(std::unique_ptr<state> s);

  std::vector<result<void>> write_rows(std::span<const staged_row> rows, bool atomic);
  // The caller holds the mutex.
  result<void> add_tenant_column();
  // `keys` null: every row of the tenant.
  result<std::int64_t> erase(const std::string& tenant, const std::vector<std::vector<cell>>* keys);

  std::unique_ptr<state> state_;
};

}  // namespace detail

}  // namespace syncline::warehouse

#if SYNCLINE_HEADER_ONLY
#include <syncline/connectors/warehouse/impl/sqlite_table_writer.ipp>
#endif
