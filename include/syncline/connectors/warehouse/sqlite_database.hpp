// warehouse::sqlite_database: one SQLite connection for a warehouse sink, with errors as result
// values. WAL journal + synchronous=NORMAL is SQLite's documented setting for many small
// transactions: a commit is durable against application crashes and costs no fsync, and readers
// never block the writer. Prepared statements are cached by their SQL text.
#pragma once

#include <syncline/core/result.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <sqlite3.h>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace syncline::warehouse {

struct sqlite_options {
  // Waits this long for another connection's write lock before failing with errc::storage.
  std::chrono::milliseconds busy_timeout{5000};
  bool wal = true;  // off only for databases on file systems without shared memory
  // "NORMAL" (WAL: durable against crashes of the process, not of the OS), "FULL" (fsync on
  // every commit) or "OFF".
  std::string synchronous = "NORMAL";
};

namespace detail {
struct sqlite_closer {
  void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
struct sqlite_finalizer {
  void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
};
}  // namespace detail

// Busy/locked/I/O conditions may pass; a constraint or type mismatch will not.
inline errc sqlite_error_category(int code) noexcept {
  switch (code & 0xFF) {
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_TOOBIG:
    case SQLITE_RANGE: return errc::invalid_input;
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_READONLY:
    case SQLITE_AUTH: return errc::unavailable;
    default: return errc::storage;
  }
}

class sqlite_statement {
 public:
  explicit sqlite_statement(sqlite3_stmt* s) noexcept : s_(s) {}
  sqlite3_stmt* get() const noexcept { return s_; }
  // Clears bindings and the last step so the cached statement can be used again.
  void reset() noexcept {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }

 private:
  sqlite3_stmt* s_;  // owned by the database's cache
};

class sqlite_database {
 public:
  static result<sqlite_database> open(const std::string& path, sqlite_options options = {}) {
    sqlite3* raw = nullptr;
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
    sqlite_database db(raw);
    if (rc != SQLITE_OK) {
      return make_error(errc::unavailable, "cannot open SQLite database '" + path + "': " +
                                               (raw ? sqlite3_errmsg(raw) : "out of memory"));
    }
    sqlite3_busy_timeout(raw, static_cast<int>(options.busy_timeout.count()));
    sqlite3_extended_result_codes(raw, 1);
    if (options.wal) {
      if (auto r = db.exec("PRAGMA journal_mode=WAL"); !r) return std::move(r).error();
    }
    if (auto r = db.exec("PRAGMA synchronous=" + options.synchronous); !r) {
      return std::move(r).error();
    }
    return db;
  }

  sqlite3* handle() const noexcept { return db_.get(); }

  // Runs one or more statements that bind nothing.
  result<void> exec(const std::string& sql) {
    char* message = nullptr;
    const int rc = sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, &message);
    if (rc == SQLITE_OK) return {};
    std::string text = message ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    return make_error(sqlite_error_category(rc),
                      "SQLite: " + text + " (in: " + abbreviate(sql) + ")");
  }

  // A cached prepared statement for `sql`, reset and with no bindings.
  result<sqlite_statement> prepare(const std::string& sql) {
    if (auto it = cache_.find(sql); it != cache_.end()) {
      sqlite_statement s(it->second.get());
      s.reset();
      return s;
    }
    sqlite3_stmt* raw = nullptr;
    const int rc = sqlite3_prepare_v3(db_.get(), sql.c_str(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
    if (rc != SQLITE_OK) return failure(rc, sql);
    cache_.emplace(sql, std::unique_ptr<sqlite3_stmt, detail::sqlite_finalizer>(raw));
    return sqlite_statement(raw);
  }

  // Runs a prepared statement to completion, discarding any rows.
  result<void> run(sqlite_statement s, std::string_view what) {
    int rc;
    while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
    }
    if (rc == SQLITE_DONE) {
      sqlite3_reset(s.get());
      return {};
    }
    auto e = failure(rc, what);
    sqlite3_reset(s.get());
    return e;
  }

  // The current error of the connection as a result, naming what we were doing.
  ::syncline::error failure(int rc, std::string_view what) const {
    return make_error(
        sqlite_error_category(rc),
        std::string("SQLite: ") + sqlite3_errmsg(db_.get()) + " (in: " + abbreviate(what) + ")");
  }

 private:
  explicit sqlite_database(sqlite3* db) noexcept : db_(db) {}

  // Statements can be thousands of placeholders long; a message needs only their start.
  static std::string abbreviate(std::string_view sql) {
    constexpr std::size_t max = 160;
    if (sql.size() <= max) return std::string(sql);
    return std::string(sql.substr(0, max)) + "...";
  }

  // Statements are declared after the connection so they are finalized first.
  std::unique_ptr<sqlite3, detail::sqlite_closer> db_;
  std::unordered_map<std::string, std::unique_ptr<sqlite3_stmt, detail::sqlite_finalizer>> cache_;
};

}  // namespace syncline::warehouse
