// syncline::sqlite errors: an SQLite result code becomes a syncline::error naming the operation.
// SQLite's messages name tables and columns, never bound values, so payloads and credentials
// cannot leak into them.
#pragma once

#include <syncline/core/result.hpp>

#include <sqlite3.h>
#include <string>
#include <string_view>
#include <utility>

namespace syncline::sqlite {

// Maps an SQLite result code to an errc. Chosen per database (see connection_options::classify):
// what a failure means depends on who owns the data.
using error_classifier = errc (*)(int code) noexcept;

// For data that arrives from outside (a warehouse row): busy/locked/I/O conditions may pass; a
// constraint or type mismatch will not, so it is the input's fault.
inline errc classify_by_code(int code) noexcept {
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

// For a database whose every statement and input the owner controls (the store validates what
// it is given before SQL sees it): any SQLite failure is then a failure of the storage itself.
inline errc classify_as_storage(int) noexcept { return errc::storage; }

// Statements can be thousands of placeholders long; a message needs only their start.
inline std::string abbreviate_sql(std::string_view sql) {
  constexpr std::size_t max = 160;
  if (sql.size() <= max) return std::string(sql);
  return std::string(sql.substr(0, max)) + "...";
}

// "SQLite: <what>: <SQLite's message> (code N)". `db` may be null (no connection yet).
inline ::syncline::error to_error(sqlite3* db, int rc, std::string_view what,
                                  error_classifier classify) {
  std::string m = "SQLite: ";
  m += abbreviate_sql(what);
  m += ": ";
  m += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  m += " (code ";
  m += std::to_string(rc);
  m += ")";
  return make_error(classify(rc), std::move(m));
}

}  // namespace syncline::sqlite
