// Thin RAII over the SQLite C API for sqlite_store: a connection with a cache of prepared
// statements, one use of a cached statement (query), and a write transaction. Every failure
// becomes an errc::storage error naming the operation; SQLite's messages name tables and
// columns, never bound values, so payloads and credentials cannot leak into them.
#pragma once

#include <syncline/core/result.hpp>
#include <syncline/store/clock.hpp>

#include <cassert>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <sqlite3.h>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <variant>

namespace syncline::store::detail {

// Time is stored as integer nanoseconds since the Unix epoch: exact, sortable, and the same
// number in SQLite and PostgreSQL (bigint).
inline std::int64_t to_ns(time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}
inline time_point from_ns(std::int64_t ns) {
  return time_point(std::chrono::duration_cast<time_point::duration>(std::chrono::nanoseconds(ns)));
}

inline ::syncline::error sqlite_error(sqlite3* db, int rc, std::string_view what) {
  std::string m = "sqlite: ";
  m += what;
  m += ": ";
  m += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  m += " (code ";
  m += std::to_string(rc);
  m += ")";
  return make_error(errc::storage, std::move(m));
}

// A dynamically built query's parameter (see sqlite_store's run filters).
using sql_value = std::variant<std::int64_t, std::string>;

// One use of a cached prepared statement: binds, steps, reads columns, and on destruction
// resets the statement so the cache can hand it out again.
class query {
 public:
  query(sqlite3* db, sqlite3_stmt* stmt, std::string_view what) noexcept
      : db_(db), stmt_(stmt), what_(what) {}
  query(query&& o) noexcept
      : db_(o.db_), stmt_(std::exchange(o.stmt_, nullptr)), what_(o.what_), rc_(o.rc_) {}
  query& operator=(query&&) = delete;
  ~query() {
    if (stmt_ != nullptr) {
      sqlite3_reset(stmt_);
      sqlite3_clear_bindings(stmt_);
    }
  }

  // Binds ?1, ?2, ... in order. Errors are kept and reported by the next step().
  template <class... Args>
  query& bind(const Args&... args) {
    int i = 0;
    (bind_at(++i, args), ...);
    return *this;
  }

  void bind_at(int i, std::int64_t v) { keep(sqlite3_bind_int64(stmt_, i, v)); }
  void bind_at(int i, int v) { keep(sqlite3_bind_int64(stmt_, i, v)); }
  void bind_at(int i, std::size_t v) {
    keep(sqlite3_bind_int64(stmt_, i, static_cast<std::int64_t>(v)));
  }
  void bind_at(int i, time_point t) { keep(sqlite3_bind_int64(stmt_, i, to_ns(t))); }
  // SQLITE_TRANSIENT copies: arguments may be temporaries that die before the step. An empty
  // view may have no data pointer, which SQLite would bind as NULL rather than as ''.
  void bind_at(int i, std::string_view s) {
    keep(sqlite3_bind_text64(stmt_, i, s.data() != nullptr ? s.data() : "", s.size(),
                             SQLITE_TRANSIENT, SQLITE_UTF8));
  }
  void bind_at(int i, const std::string& s) { bind_at(i, std::string_view(s)); }
  void bind_at(int i, const char* s) { bind_at(i, std::string_view(s)); }
  void bind_at(int i, std::nullopt_t) { keep(sqlite3_bind_null(stmt_, i)); }
  template <class T>
  void bind_at(int i, const std::optional<T>& v) {
    if (v)
      bind_at(i, *v);
    else
      bind_at(i, std::nullopt);
  }
  void bind_at(int i, const sql_value& v) {
    std::visit([&](const auto& x) { bind_at(i, x); }, v);
  }

  // True while a row is available; false once the statement is done.
  result<bool> step() {
    if (rc_ != SQLITE_OK) return sqlite_error(db_, rc_, what_);
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    rc_ = rc;
    return sqlite_error(db_, rc, what_);
  }

  // Runs a statement that returns no rows (or whose rows do not matter) to completion.
  result<void> exec() {
    for (;;) {
      auto r = step();
      if (!r) return std::move(r).error();
      if (!*r) return {};
    }
  }

  std::int64_t int64(int col) const { return sqlite3_column_int64(stmt_, col); }
  int int32(int col) const { return sqlite3_column_int(stmt_, col); }
  bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  time_point time(int col) const { return from_ns(int64(col)); }
  std::optional<time_point> optional_time(int col) const {
    if (is_null(col)) return std::nullopt;
    return time(col);
  }
  std::string text(int col) const {
    const auto* p = sqlite3_column_text(stmt_, col);
    const int n = sqlite3_column_bytes(stmt_, col);
    return p != nullptr ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n))
                        : std::string();
  }

 private:
  void keep(int rc) {
    if (rc != SQLITE_OK && rc_ == SQLITE_OK) rc_ = rc;
  }

  sqlite3* db_;
  sqlite3_stmt* stmt_;
  std::string_view what_;  // always a string literal naming the operation
  int rc_ = SQLITE_OK;
};

// One SQLite connection and its prepared statements, prepared once and reused: parsing SQL
// costs more than running these small statements. Not thread-safe: the owner serialises use.
class connection {
 public:
  static result<connection> open(const std::string& path, std::chrono::milliseconds busy_timeout) {
    sqlite3* raw = nullptr;
    // NOMUTEX: the store already serialises each connection; SQLite's own mutex would be paid
    // twice. Multiple connections (and processes) on one file remain fully supported.
    const int rc =
        sqlite3_open_v2(path.c_str(), &raw,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    connection c(raw);
    if (rc != SQLITE_OK) return sqlite_error(raw, rc, "open " + path);
    sqlite3_extended_result_codes(raw, 1);
    sqlite3_busy_timeout(raw, static_cast<int>(busy_timeout.count()));
    return c;
  }

  // Statements that return nothing and are run rarely (pragmas, BEGIN/COMMIT, schema).
  result<void> exec(const char* sql, std::string_view what) {
    const int rc = sqlite3_exec(db_.get(), sql, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return sqlite_error(db_.get(), rc, what);
    return {};
  }

  // `what` must outlive the query: pass a string literal.
  result<query> prepare(std::string_view sql, std::string_view what) {
    auto it = cache_.find(sql);
    if (it == cache_.end()) {
      sqlite3_stmt* raw = nullptr;
      const int rc = sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()),
                                        SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
      if (rc != SQLITE_OK) return sqlite_error(db_.get(), rc, what);
      it = cache_.emplace(std::string(sql), statement_ptr(raw)).first;
    }
    // A statement in use by an enclosing query would be reset under it.
    assert(!sqlite3_stmt_busy(it->second.get()));
    return query(db_.get(), it->second.get(), what);
  }

  std::int64_t changes() const { return sqlite3_changes64(db_.get()); }
  bool in_transaction() const { return sqlite3_get_autocommit(db_.get()) == 0; }

 private:
  struct close_db {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
  };
  struct finalize {
    void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
  };
  using statement_ptr = std::unique_ptr<sqlite3_stmt, finalize>;
  struct sql_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };

  explicit connection(sqlite3* db) : db_(db) {}

  // Declared first so it is destroyed last, after every statement is finalized.
  std::unique_ptr<sqlite3, close_db> db_;
  std::unordered_map<std::string, statement_ptr, sql_hash, std::equal_to<>> cache_;
};

// BEGIN IMMEDIATE takes the write lock up front: a transaction that reads and then writes
// (claim, dedupe) cannot fail half-way with SQLITE_BUSY on lock upgrade, and waiting for the
// lock goes through the busy timeout. Rolls back unless committed.
class write_transaction {
 public:
  static result<write_transaction> begin(connection& c) {
    if (auto r = c.exec("BEGIN IMMEDIATE", "begin write transaction"); !r)
      return std::move(r).error();
    return write_transaction(c);
  }
  write_transaction(write_transaction&& o) noexcept : c_(std::exchange(o.c_, nullptr)) {}
  write_transaction& operator=(write_transaction&&) = delete;
  ~write_transaction() {
    if (c_ != nullptr && c_->in_transaction()) (void)c_->exec("ROLLBACK", "rollback");
  }

  result<void> commit() {
    auto r = c_->exec("COMMIT", "commit");
    c_ = r ? nullptr : c_;  // on failure the destructor rolls back
    return r;
  }

 private:
  explicit write_transaction(connection& c) : c_(&c) {}
  connection* c_;
};

}  // namespace syncline::store::detail
