// The bodies of warehouse::detail::sqlite_table_writer
// (<syncline/connectors/warehouse/detail/sqlite_table_writer.hpp>).
#pragma once

#include <syncline/connectors/warehouse/detail/sqlite_table_writer.hpp>
#include <syncline/sqlite/database.hpp>
#include <syncline/sqlite/statement.hpp>
#include <syncline/sqlite/transaction.hpp>

#include <boost/asio/awaitable.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace syncline::warehouse::detail {

// One connection, used by the flush on the sink's strand and by write_atomic/create_table on the
// caller's thread: the mutex serialises them (a connection is not thread-safe).
struct sqlite_table_writer::state {
  std::mutex mutex;
  sqlite::database db;
  sqlite_table_statements sql;
};

SYNCLINE_DECL sqlite_table_writer::sqlite_table_writer(std::unique_ptr<state> s)
    : state_(std::move(s)) {}

SYNCLINE_DECL sqlite_table_writer::~sqlite_table_writer() = default;

SYNCLINE_DECL result<std::shared_ptr<sqlite_table_writer>> sqlite_table_writer::open(
    const std::string& path, const sqlite::connection_options& options,
    sqlite_table_statements statements) {
  auto db = sqlite::database::open(path, options);
  if (!db) return std::move(db).error();
  auto s = std::unique_ptr<state>(new state{{}, std::move(*db), std::move(statements)});
  auto writer = std::shared_ptr<sqlite_table_writer>(new sqlite_table_writer(std::move(s)));
  std::lock_guard lock(writer->state_->mutex);
  if (auto r = writer->add_tenant_column(); !r) return std::move(r).error();
  return writer;
}

SYNCLINE_DECL result<void> sqlite_table_writer::create_table() {
  std::lock_guard lock(state_->mutex);
  if (auto r = state_->db.exec(state_->sql.create_table); !r) return r;
  return add_tenant_column();
}

// SQLite has no ADD COLUMN IF NOT EXISTS: the table's columns are read first. Another process
// adding the column at the same moment makes the ALTER fail; the second look then finds it.
SYNCLINE_DECL result<void> sqlite_table_writer::add_tenant_column() {
  sqlite::database& db = state_->db;
  for (int attempt = 0;; ++attempt) {
    bool exists = false, has = false;
    {
      auto info = db.prepare(state_->sql.table_info, "read the warehouse table's columns");
      if (!info) return std::move(info).error();
      for (;;) {
        auto more = info->step();
        if (!more) return std::move(more).error();
        if (!*more) break;
        exists = true;
        has = has || info->text(1) == tenant_column;
      }
    }
    if (!exists || has) return {};  // a missing table is created with the column
    auto added = db.exec(state_->sql.add_tenant_column, "add the _syncline_tenant column");
    if (added || attempt > 0) return added;
  }
}

SYNCLINE_DECL boost::asio::awaitable<result<std::int64_t>> sqlite_table_writer::erase_keys(
    std::string tenant, std::vector<std::vector<cell>> keys) {
  co_return erase(tenant, &keys);
}

SYNCLINE_DECL boost::asio::awaitable<result<std::int64_t>> sqlite_table_writer::erase_tenant(
    std::string tenant) {
  co_return erase(tenant, nullptr);
}

SYNCLINE_DECL boost::asio::awaitable<std::vector<result<void>>> sqlite_table_writer::write(
    std::vector<staged_row>& rows) {
  co_return write_rows(rows, false);
}

SYNCLINE_DECL result<void> sqlite_table_writer::write_atomic(std::span<const staged_row> rows) {
  auto results = write_rows(rows, true);
  for (auto& r : results)
    if (!r) return std::move(r).error();
  return {};
}

SYNCLINE_DECL void bind_cell(sqlite::statement& stmt, int index, const cell& c) {
  std::visit(
      [&](const auto& v) {
        if constexpr (std::is_same_v<std::decay_t<decltype(v)>, std::monostate>)
          stmt.bind_at(index, std::nullopt);
        else
          stmt.bind_at(index, v);
      },
      c);
}

// Binds one staged row to the prepared upsert and runs it.
SYNCLINE_DECL result<void> upsert_staged_row(sqlite::statement& stmt, const staged_row& row) {
  stmt.reset();
  int index = 1;
  for (const cell& c : row.cells) bind_cell(stmt, index++, c);
  return stmt.exec();
}

// One transaction: all the keys go, or none. The erased bytes leave the disk too
// (sqlite::database::erasing: zeroed in their pages, the write-ahead log truncated).
SYNCLINE_DECL result<std::int64_t> sqlite_table_writer::erase(
    const std::string& tenant, const std::vector<std::vector<cell>>* keys) {
  std::lock_guard lock(state_->mutex);
  sqlite::database& db = state_->db;
  const erase_statements& sql = state_->sql.erase;
  return db.erasing([&]() -> result<std::int64_t> {
    auto tx = sqlite::write_transaction::begin(db);
    if (!tx) return std::move(tx).error();
    std::int64_t erased = 0;
    const std::size_t count = keys ? keys->size() : 1;
    for (std::size_t start = 0; start < count; start += sql.keys_per_statement) {
      const std::size_t n = keys ? std::min(sql.keys_per_statement, count - start) : 0;
      auto stmt = db.prepare(keys ? sql.keys(n) : sql.tenant, "erase warehouse rows");
      if (!stmt) return std::move(stmt).error();  // tx rolls back
      stmt->reset();
      int index = 1;
      stmt->bind_at(index++, tenant);
      for (std::size_t k = start; k < start + n; ++k) {
        for (const cell& c : (*keys)[k]) bind_cell(*stmt, index++, c);
      }
      if (auto r = stmt->exec(); !r) return std::move(r).error();
      erased += db.changes();
    }
    if (auto r = tx->commit(); !r) return std::move(r).error();
    return erased;
  });
}

// Writes `rows` in one transaction. Group commit (atomic = false): a row that fails is rolled
// back alone and the others commit. Atomic: any failure rolls back everything.
SYNCLINE_DECL std::vector<result<void>> sqlite_table_writer::write_rows(
    std::span<const staged_row> rows, bool atomic) {
  std::lock_guard lock(state_->mutex);
  sqlite::database& db = state_->db;
  std::vector<result<void>> results(rows.size());
  auto fail_all = [&](const ::syncline::error& e) {
    for (auto& r : results) r = e;
    return results;
  };
  auto tx = sqlite::write_transaction::begin(db);
  if (!tx) return fail_all(tx.error());
  auto stmt = db.prepare(state_->sql.upsert);
  if (!stmt) return fail_all(stmt.error());  // tx rolls back
  for (std::size_t i = 0; i < rows.size(); ++i) {
    results[i] = upsert_staged_row(*stmt, rows[i]);
    if (results[i]) continue;
    // Disk full or I/O errors roll the whole transaction back; nothing after this would count.
    if (atomic || !db.in_transaction()) {
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

}  // namespace syncline::warehouse::detail
