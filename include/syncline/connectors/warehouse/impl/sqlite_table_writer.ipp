// The bodies of warehouse::detail::sqlite_table_writer
// (<syncline/connectors/warehouse/detail/sqlite_table_writer.hpp>).
#pragma once

#include <syncline/connectors/warehouse/detail/sqlite_table_writer.hpp>
#include <syncline/sqlite/database.hpp>
#include <syncline/sqlite/statement.hpp>
#include <syncline/sqlite/transaction.hpp>

#include <boost/asio/awaitable.hpp>

#include <cstddef>
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
  std::string create_sql;
  std::string upsert_sql;
};

SYNCLINE_DECL sqlite_table_writer::sqlite_table_writer(std::unique_ptr<state> s)
    : state_(std::move(s)) {}

SYNCLINE_DECL sqlite_table_writer::~sqlite_table_writer() = default;

SYNCLINE_DECL result<std::shared_ptr<sqlite_table_writer>> sqlite_table_writer::open(
    const std::string& path, const sqlite::connection_options& options, std::string create_sql,
    std::string upsert_sql) {
  auto db = sqlite::database::open(path, options);
  if (!db) return std::move(db).error();
  auto s = std::unique_ptr<state>(
      new state{{}, std::move(*db), std::move(create_sql), std::move(upsert_sql)});
  return std::shared_ptr<sqlite_table_writer>(new sqlite_table_writer(std::move(s)));
}

SYNCLINE_DECL result<void> sqlite_table_writer::create_table() {
  std::lock_guard lock(state_->mutex);
  return state_->db.exec(state_->create_sql);
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

// Binds one staged row to the prepared upsert and runs it.
SYNCLINE_DECL result<void> upsert_staged_row(sqlite::statement& stmt, const staged_row& row) {
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
  auto stmt = db.prepare(state_->upsert_sql);
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
