// The bodies of sqlite::statement. Compiled once in separate mode (see <syncline/config.hpp>).
#pragma once

#include <syncline/sqlite/statement.hpp>

namespace syncline::sqlite {

SYNCLINE_DECL void statement::reset() noexcept {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  rc_ = SQLITE_OK;
}

SYNCLINE_DECL void statement::bind_at(int i, std::string_view s) {
  keep(sqlite3_bind_text64(stmt_, i, s.data() != nullptr ? s.data() : "", s.size(),
                           SQLITE_TRANSIENT, SQLITE_UTF8));
}

SYNCLINE_DECL result<bool> statement::step() {
  if (rc_ != SQLITE_OK) return to_error(db_, rc_, what_, classify_);
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  rc_ = rc;
  return to_error(db_, rc, what_, classify_);
}

SYNCLINE_DECL result<void> statement::exec() {
  for (;;) {
    auto r = step();
    if (!r) return std::move(r).error();
    if (!*r) return {};
  }
}

SYNCLINE_DECL std::string statement::text(int col) const {
  const auto* p = sqlite3_column_text(stmt_, col);
  const int n = sqlite3_column_bytes(stmt_, col);
  return p != nullptr ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n))
                      : std::string();
}

}  // namespace syncline::sqlite
