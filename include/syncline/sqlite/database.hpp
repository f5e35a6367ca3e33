// syncline::sqlite::database: one SQLite connection with a cache of prepared statements, prepared
// once and reused (parsing SQL costs more than running small statements), and errors as result
// values. Shared by the store and the warehouse sink. Not thread-safe: the owner serialises use.
//
// WAL journal + synchronous=NORMAL is SQLite's documented setting for many small transactions:
// a commit is durable against application crashes and costs no fsync, and readers never block
// the writer.
#pragma once

#include <syncline/core/result.hpp>
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
#include <unordered_map>
#include <utility>

namespace syncline::sqlite {

struct options {
  // Waits this long for another connection's write lock before failing.
  std::chrono::milliseconds busy_timeout{5000};
  // Switches the file to WAL and fails if it cannot (e.g. on a network file system). Off only
  // for databases on file systems without shared memory, or for a connection to a file another
  // connection already switched (the mode is stored in the file).
  bool wal = true;
  // "NORMAL" (WAL: durable against crashes of the process, not of the OS), "FULL" (fsync on
  // every commit), "EXTRA", "OFF", or empty to leave SQLite's default.
  std::string synchronous = "NORMAL";
  // The errc each SQLite failure on this connection becomes.
  error_classifier classify = classify_by_code;
};

class database {
 public:
  static result<database> open(const std::string& path, options opts = {}) {
    const bool known_sync = opts.synchronous.empty() || opts.synchronous == "NORMAL" ||
                            opts.synchronous == "FULL" || opts.synchronous == "EXTRA" ||
                            opts.synchronous == "OFF";
    if (!known_sync) {
      return make_error(errc::invalid_input, "SQLite: synchronous = \"" + opts.synchronous +
                                                 "\" is not one of NORMAL, FULL, EXTRA, OFF");
    }
    sqlite3* raw = nullptr;
    // NOMUTEX: every owner already serialises its connection; SQLite's own mutex would be paid
    // twice. Multiple connections (and processes) on one file remain fully supported.
    const int rc =
        sqlite3_open_v2(path.c_str(), &raw,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    database db(raw, opts.classify);
    if (rc != SQLITE_OK) return to_error(raw, rc, "open " + path, opts.classify);
    sqlite3_extended_result_codes(raw, 1);
    sqlite3_busy_timeout(raw, static_cast<int>(opts.busy_timeout.count()));
    // sqlite3_open_v2 does not read the file: the first pragma does, so it is the one that finds
    // a file that is not a database, and its error must name the path as open's would.
    if (opts.wal) {
      // journal_mode answers the mode in force, which stays the old one when WAL is impossible.
      const std::string what = "switch " + path + " to WAL mode";
      auto q = db.prepare("PRAGMA journal_mode=WAL", what);
      if (!q) return std::move(q).error();
      auto row = q->step();
      if (!row) return std::move(row).error();
      if (!*row || q->text(0) != "wal") {
        return make_error(
            errc::storage,
            "SQLite: " + path + " cannot use WAL mode (is it on a network file system?)");
      }
    }
    if (!opts.synchronous.empty()) {
      if (auto r = db.exec("PRAGMA synchronous=" + opts.synchronous, "set synchronous on " + path);
          !r)
        return std::move(r).error();
    }
    return db;
  }

  // Statements that bind nothing and are run rarely (pragmas, BEGIN/COMMIT, schema). `what`
  // names the operation in errors; empty: the SQL itself.
  result<void> exec(const char* sql, std::string_view what = {}) {
    const int rc = sqlite3_exec(db_.get(), sql, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return to_error(db_.get(), rc, what.empty() ? sql : what, classify_);
    return {};
  }
  result<void> exec(const std::string& sql, std::string_view what = {}) {
    return exec(sql.c_str(), what);
  }

  // A cached prepared statement for `sql`, with no bindings. `what` names the operation in
  // errors and must outlive the statement (pass a string literal); empty: the SQL itself.
  result<statement> prepare(std::string_view sql, std::string_view what = {}) {
    auto it = cache_.find(sql);
    if (it == cache_.end()) {
      sqlite3_stmt* raw = nullptr;
      const int rc = sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()),
                                        SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
      if (rc != SQLITE_OK) return to_error(db_.get(), rc, what.empty() ? sql : what, classify_);
      it = cache_.emplace(std::string(sql), statement_ptr(raw)).first;
    }
    // A statement in use by an enclosing statement object would be reset under it.
    assert(!sqlite3_stmt_busy(it->second.get()));
    // The cache's key lives as long as the statement: it can name an unnamed one.
    return statement(db_.get(), it->second.get(), what.empty() ? std::string_view(it->first) : what,
                     classify_);
  }

  // Rows changed by the last INSERT, UPDATE or DELETE.
  std::int64_t changes() const { return sqlite3_changes64(db_.get()); }
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
