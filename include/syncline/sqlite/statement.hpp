// syncline::sqlite::statement: one use of a prepared statement cached by a sqlite::database.
// Binds, steps, reads columns, and on destruction resets the statement so the cache can hand it
// out again.
#pragma once

#include <syncline/config.hpp>
#include <syncline/core/result.hpp>
#include <syncline/sqlite/error.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <sqlite3.h>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace syncline::sqlite {

using time_point = std::chrono::system_clock::time_point;

// Time is stored as integer nanoseconds since the Unix epoch: exact, sortable, and the same
// number in SQLite and PostgreSQL (bigint).
inline std::int64_t to_ns(time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}
inline time_point from_ns(std::int64_t ns) {
  return time_point(std::chrono::duration_cast<time_point::duration>(std::chrono::nanoseconds(ns)));
}

// A dynamically built query's parameter (e.g. optional filters).
using value = std::variant<std::int64_t, std::string>;

class statement {
 public:
  // `what` names the operation in error messages and must outlive the statement.
  statement(sqlite3* db, sqlite3_stmt* stmt, std::string_view what,
            error_classifier classify) noexcept
      : db_(db), stmt_(stmt), what_(what), classify_(classify) {}
  statement(statement&& o) noexcept
      : db_(o.db_),
        stmt_(std::exchange(o.stmt_, nullptr)),
        what_(o.what_),
        classify_(o.classify_),
        rc_(o.rc_) {}
  statement& operator=(statement&&) = delete;
  ~statement() {
    if (stmt_ != nullptr) reset();
  }

  // Clears bindings, the last step and any kept error, to run the statement again.
  SYNCLINE_DECL void reset() noexcept;

  // Binds ?1, ?2, ... in order. Errors are kept and reported by the next step().
  template <class... Args>
  statement& bind(const Args&... args) {
    int i = 0;
    (bind_at(++i, args), ...);
    return *this;
  }

  void bind_at(int i, std::int64_t v) { keep(sqlite3_bind_int64(stmt_, i, v)); }
  void bind_at(int i, int v) { keep(sqlite3_bind_int64(stmt_, i, v)); }
  void bind_at(int i, std::size_t v) {
    keep(sqlite3_bind_int64(stmt_, i, static_cast<std::int64_t>(v)));
  }
  void bind_at(int i, bool v) { keep(sqlite3_bind_int(stmt_, i, v ? 1 : 0)); }
  void bind_at(int i, double v) { keep(sqlite3_bind_double(stmt_, i, v)); }
  void bind_at(int i, time_point t) { keep(sqlite3_bind_int64(stmt_, i, to_ns(t))); }
  // SQLITE_TRANSIENT copies: arguments may be temporaries that die before the step. An empty
  // view may have no data pointer, which SQLite would bind as NULL rather than as ''.
  SYNCLINE_DECL void bind_at(int i, std::string_view s);
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
  void bind_at(int i, const value& v) {
    std::visit([&](const auto& x) { bind_at(i, x); }, v);
  }

  // True while a row is available; false once the statement is done.
  SYNCLINE_DECL result<bool> step();

  // Runs a statement that returns no rows (or whose rows do not matter) to completion.
  SYNCLINE_DECL result<void> exec();

  std::int64_t int64(int col) const { return sqlite3_column_int64(stmt_, col); }
  int int32(int col) const { return sqlite3_column_int(stmt_, col); }
  double real(int col) const { return sqlite3_column_double(stmt_, col); }
  bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  time_point time(int col) const { return from_ns(int64(col)); }
  std::optional<time_point> optional_time(int col) const {
    if (is_null(col)) return std::nullopt;
    return time(col);
  }
  SYNCLINE_DECL std::string text(int col) const;

 private:
  void keep(int rc) {
    if (rc != SQLITE_OK && rc_ == SQLITE_OK) rc_ = rc;
  }

  sqlite3* db_;
  sqlite3_stmt* stmt_;  // owned by the database's cache
  std::string_view what_;
  error_classifier classify_;
  int rc_ = SQLITE_OK;
};

}  // namespace syncline::sqlite

#if SYNCLINE_HEADER_ONLY
#include <syncline/sqlite/impl/statement.ipp>
#endif
