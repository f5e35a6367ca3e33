// The bodies of sqlite::database. Compiled once in separate mode (see <syncline/config.hpp>).
#pragma once

#include <syncline/sqlite/database.hpp>
#include <syncline/sqlite/initialize.hpp>

namespace syncline::sqlite {

SYNCLINE_DECL result<database> database::open(const std::string& path, connection_options opts) {
  const bool known_sync = opts.synchronous.empty() || opts.synchronous == "NORMAL" ||
                          opts.synchronous == "FULL" || opts.synchronous == "EXTRA" ||
                          opts.synchronous == "OFF";
  if (!known_sync) {
    return make_error(errc::invalid_input, "SQLite: synchronous = \"" + opts.synchronous +
                                               "\" is not one of NORMAL, FULL, EXTRA, OFF");
  }
  // Before SQLite's first use in the process, or not at all (initialize.hpp says why).
  initialize();
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

SYNCLINE_DECL int database::secure_delete() {
  auto q = prepare("PRAGMA secure_delete", "read secure_delete");
  if (!q) return -1;
  auto row = q->step();
  return row && *row ? static_cast<int>(q->int64(0)) : -1;
}

SYNCLINE_DECL bool database::set_secure_delete(int mode) {
  const char* sql = mode == 1   ? "PRAGMA secure_delete = 1"
                    : mode == 2 ? "PRAGMA secure_delete = 2"
                                : "PRAGMA secure_delete = 0";
  auto q = prepare(sql, "set secure_delete");
  if (!q) return false;
  auto row = q->step();
  return static_cast<bool>(row);
}

SYNCLINE_DECL bool database::truncate_wal() {
  // (busy, log frames, checkpointed frames): busy = 1 when a reader kept a frame from being
  // copied back, and the log was then not truncated.
  auto q = prepare("PRAGMA wal_checkpoint(TRUNCATE)", "truncate the write-ahead log");
  if (!q) return false;
  auto row = q->step();
  return row && *row && q->int64(0) == 0;
}

SYNCLINE_DECL result<void> database::exec(const char* sql, std::string_view what) {
  const int rc = sqlite3_exec(db_.get(), sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return to_error(db_.get(), rc, what.empty() ? sql : what, classify_);
  return {};
}

SYNCLINE_DECL result<statement> database::prepare(std::string_view sql, std::string_view what) {
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

}  // namespace syncline::sqlite
