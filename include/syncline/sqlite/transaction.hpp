// syncline::sqlite::write_transaction: BEGIN IMMEDIATE ... COMMIT on a sqlite::database, rolled
// back unless committed.
#pragma once

#include <syncline/core/result.hpp>
#include <syncline/sqlite/database.hpp>

#include <string_view>
#include <utility>

namespace syncline::sqlite {

// BEGIN IMMEDIATE takes the write lock up front: a transaction that reads and then writes
// cannot fail half-way with SQLITE_BUSY on lock upgrade, and waiting for the lock goes through
// the busy timeout.
class write_transaction {
 public:
  // BEGIN and COMMIT are cached prepared statements, like every statement of the store: parsing
  // them at each transaction (sqlite3_exec) cost a few percent of a run's instructions.
  static result<write_transaction> begin(database& db) {
    if (auto r = run(db, "BEGIN IMMEDIATE", "begin write transaction"); !r)
      return std::move(r).error();
    return write_transaction(db);
  }
  write_transaction(write_transaction&& o) noexcept : db_(std::exchange(o.db_, nullptr)) {}
  write_transaction& operator=(write_transaction&&) = delete;
  // SQLite may already have rolled back by itself (disk full, I/O error): then there is nothing
  // left to undo.
  ~write_transaction() {
    if (db_ != nullptr && db_->in_transaction()) (void)db_->exec("ROLLBACK", "rollback");
  }

  result<void> commit() {
    auto r = run(*db_, "COMMIT", "commit");
    db_ = r ? nullptr : db_;  // on failure the destructor rolls back
    return r;
  }

 private:
  explicit write_transaction(database& db) : db_(&db) {}

  static result<void> run(database& db, std::string_view sql, std::string_view what) {
    auto q = db.prepare(sql, what);
    if (!q) return std::move(q).error();
    return q->exec();
  }

  database* db_;
};

}  // namespace syncline::sqlite
