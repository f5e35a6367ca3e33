// The untyped half of warehouse::sqlite_sink (its batched_sink Writer): a connection and the
// table's statements. No Asio: the group commit's flush, the only coroutine, is defined in
// impl/sqlite_sink.ipp.
#pragma once

#include <syncline/config.hpp>
#include <syncline/connectors/warehouse/sqlite_database.hpp>
#include <syncline/connectors/warehouse/table.hpp>
#include <syncline/core/awaitable.hpp>
#include <syncline/core/result.hpp>
#include <syncline/sqlite/transaction.hpp>

#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace syncline::warehouse {

namespace detail {

// A mutex serialises the group commit's flushes with direct write_batch calls from other
// threads.
class sqlite_table_writer {
 public:
  using item = staged_row;

  sqlite_table_writer(sqlite_database db, std::string create_sql, std::string upsert_sql)
      : db_(std::move(db)),
        create_sql_(std::move(create_sql)),
        upsert_sql_(std::move(upsert_sql)) {}

  // Opens (or creates) the database file.
  static result<std::shared_ptr<sqlite_table_writer>> open(const std::string& path,
                                                           const sqlite_options& options,
                                                           std::string create_sql,
                                                           std::string upsert_sql) {
    auto db = sqlite_database::open(path, options);
    if (!db) return std::move(db).error();
    return std::make_shared<sqlite_table_writer>(std::move(*db), std::move(create_sql),
                                                 std::move(upsert_sql));
  }

  result<void> create_table() {
    std::lock_guard lock(mutex_);
    return db_.exec(create_sql_);
  }

  // The group commit's flush: one transaction; a row that fails is rolled back alone (SQLite
  // undoes just that statement) and the others commit. It runs on the sink's strand and blocks
  // it for the transaction, as a database the process holds in a file may.
  SYNCLINE_DECL awaitable<std::vector<result<void>>> write(std::vector<staged_row>& rows);

  // One transaction for all of `rows`, all or nothing; the first failure.
  result<void> write_atomic(std::span<const staged_row> rows) {
    auto results = write_rows(rows, true);
    for (auto& r : results)
      if (!r) return std::move(r).error();
    return {};
  }

 private:
  // Writes `rows` in one transaction. Group commit (atomic = false): a row that fails is rolled
  // back alone and the others commit. Atomic: any failure rolls back everything.
  std::vector<result<void>> write_rows(std::span<const staged_row> rows, bool atomic) {
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

}  // namespace syncline::warehouse
