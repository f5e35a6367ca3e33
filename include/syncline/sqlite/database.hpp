// syncline::sqlite::database: one SQLite connection with a cache of prepared statements, prepared
// once and reused (parsing SQL costs more than running small statements), and errors as result
// values. Shared by the store and the warehouse sink. Not thread-safe: the owner serialises use.
//
// WAL journal + synchronous=NORMAL is SQLite's documented setting for many small transactions:
// a commit is durable against application crashes and costs no fsync, and readers never block
// the writer.
#pragma once

#include <syncline/config.hpp>
#include <syncline/core/result.hpp>
#include <syncline/sqlite/connection_options.hpp>
#include <syncline/sqlite/error.hpp>
#include <syncline/sqlite/statement.hpp>

#include <cassert>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <sqlite3.h>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>

namespace syncline::sqlite {

class database {
 public:
  SYNCLINE_DECL static result<database> open(const std::string& path, connection_options opts = {});

  // Statements that bind nothing and are run rarely (pragmas, BEGIN/COMMIT, schema). `what`
  // names the operation in errors; empty: the SQL itself.
  SYNCLINE_DECL result<void> exec(const char* sql, std::string_view what = {});
  result<void> exec(const std::string& sql, std::string_view what = {}) {
    return exec(sql.c_str(), what);
  }

  // A cached prepared statement for `sql`, with no bindings. `what` names the operation in
  // errors and must outlive the statement (pass a string literal); empty: the SQL itself.
  SYNCLINE_DECL result<statement> prepare(std::string_view sql, std::string_view what = {});

  // Runs `erase()` (a write transaction that deletes) so that what it deletes leaves the disk,
  // not only the tables: with secure_delete on, SQLite overwrites the deleted content with zeros,
  // in the pages that keep rows and in the pages that become free; then the write-ahead log,
  // which still holds the pages as they were, is copied back and truncated (best effort: a
  // reader in the middle of a read keeps it until the next erasure or SQLite's own checkpoint).
  // Only erasures pay for the zeroing; the connection's own setting is restored after.
  template <class F>
  auto erasing(F&& erase) -> std::invoke_result_t<F&> {
    const int before = secure_delete();
    (void)set_secure_delete(1);
    auto out = erase();
    if (before >= 0) (void)set_secure_delete(before);
    if (out) (void)truncate_wal();
    return out;
  }

  // PRAGMA secure_delete: 0 off, 1 on, 2 fast; -1 when it cannot be read.
  SYNCLINE_DECL int secure_delete();
  SYNCLINE_DECL bool set_secure_delete(int mode);
  // Copies the write-ahead log back into the database file and truncates it to nothing. Outside
  // a transaction. False when a reader still needed a frame (the log then stays as it was) or
  // on an error.
  SYNCLINE_DECL bool truncate_wal();

  // Rows changed by the last INSERT, UPDATE or DELETE.
  std::int64_t changes() const { return sqlite3_changes64(db_.get()); }
  // The rowid of the last row this connection inserted. Cheaper than RETURNING, for which SQLite
  // buffers the rows in a temporary table each time the statement runs.
  std::int64_t last_insert_rowid() const { return sqlite3_last_insert_rowid(db_.get()); }
  bool in_transaction() const { return sqlite3_get_autocommit(db_.get()) == 0; }

 private:
  struct close_db {
    void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
  };
  struct finalize {
    void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
  };
  using statement_ptr = std::unique_ptr<sqlite3_stmt, finalize>;
  struct sql_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };

  database(sqlite3* db, error_classifier classify) : db_(db), classify_(classify) {}

  // Declared first so it is destroyed last, after every statement is finalized.
  std::unique_ptr<sqlite3, close_db> db_;
  error_classifier classify_;
  std::unordered_map<std::string, statement_ptr, sql_hash, std::equal_to<>> cache_;
};

}  // namespace syncline::sqlite

#if SYNCLINE_HEADER_ONLY
#include <syncline/sqlite/impl/database.ipp>
#endif
