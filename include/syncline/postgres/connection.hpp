// postgres::connection: one libpq connection, for the warehouse's PostgreSQL sink and the
// PostgreSQL store. The connection string is a syncline::secret because it may hold a password:
// it is never put in a message, and every message that leaves this file is scrubbed of the
// password by syncline's one mechanism (core/secret_scrubber.hpp, which the engine's redactor is
// too), fragments and all.
#pragma once

#include <syncline/core/result.hpp>
#include <syncline/core/secret.hpp>
#include <syncline/core/secret_scrubber.hpp>
#include <syncline/postgres/error.hpp>

#include <charconv>
#include <cstdint>
#include <cstring>
#include <libpq-fe.h>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace syncline::postgres {

namespace detail {
struct conn_closer {
  void operator()(PGconn* c) const noexcept { PQfinish(c); }
};
struct result_closer {
  void operator()(PGresult* r) const noexcept { PQclear(r); }
};
}  // namespace detail

// What a statement returned: rows as text (PQgetvalue), freed with the handle.
using result_set = std::unique_ptr<PGresult, detail::result_closer>;

// Reading a result_set's cells (text format).
inline int row_count(const result_set& r) noexcept { return PQntuples(r.get()); }
inline bool is_null(const result_set& r, int row, int col) noexcept {
  return PQgetisnull(r.get(), row, col) != 0;
}
inline std::string_view text_at(const result_set& r, int row, int col) noexcept {
  return {PQgetvalue(r.get(), row, col), static_cast<std::size_t>(PQgetlength(r.get(), row, col))};
}
// A bytea cell in the hex output format (`\x4142` -> "AB").
inline std::string bytes_at(const result_set& r, int row, int col) {
  const auto cell = text_at(r, row, col);
  auto nibble = [](char ch) { return ch <= '9' ? ch - '0' : (ch | 0x20) - 'a' + 10; };
  std::string out;
  if (cell.size() < 2 || cell[0] != '\\' || cell[1] != 'x') return out;
  out.reserve((cell.size() - 2) / 2);
  for (std::size_t i = 2; i + 1 < cell.size(); i += 2) {
    out += static_cast<char>(nibble(cell[i]) << 4 | nibble(cell[i + 1]));
  }
  return out;
}
// Rows an INSERT, UPDATE or DELETE changed.
inline std::int64_t affected_rows(const result_set& r) noexcept {
  const char* n = PQcmdTuples(r.get());
  std::int64_t v = 0;
  std::from_chars(n, n + std::strlen(n), v);
  return v;
}
// 0 for NULL or a cell that is not an integer (a caller's own SQL decides which cells are).
inline std::int64_t int64_at(const result_set& r, int row, int col) noexcept {
  const auto cell = text_at(r, row, col);
  std::int64_t v = 0;
  std::from_chars(cell.data(), cell.data() + cell.size(), v);
  return v;
}

struct connection_options {
  // How a failure's SQLSTATE becomes an errc (postgres/error.hpp).
  error_classifier classify = classify_by_sqlstate;
};

class connection {
 public:
  static result<connection> connect(const secret& conninfo, connection_options options = {}) {
    // libpq quotes the text near a syntax error, which may be the password: parse first and
    // say nothing about the text.
    if (PQconninfoOption* parsed =
            PQconninfoParse(std::string(conninfo.reveal()).c_str(), nullptr)) {
      PQconninfoFree(parsed);
    } else {
      return make_error(errc::invalid_input,
                        "the PostgreSQL connection string is malformed (libpq could not parse "
                        "it; it is not shown because it may contain a password)");
    }
    connection c;
    c.classify_ = options.classify;
    c.scrub_ = secret_scrubber(std::vector<std::string>{password_of(conninfo)});
    c.where_ = describe(conninfo);
    c.conn_.reset(PQconnectdb(std::string(conninfo.reveal()).c_str()));
    if (!c.conn_) return make_error(errc::unavailable, "libpq could not allocate a connection");
    // Notices ("relation already exists, skipping") are chatter, not errors: keep stderr quiet.
    PQsetNoticeProcessor(
        c.conn_.get(), [](void*, const char*) {}, nullptr);
    if (PQstatus(c.conn_.get()) != CONNECTION_OK) {
      const std::string why = PQerrorMessage(c.conn_.get());
      const bool refused = why.find("authentication") != std::string::npos ||
                           why.find("password") != std::string::npos;
      return make_error(c.classify_(refused ? authorization_state : connection_lost_state),
                        c.scrub_("cannot connect to PostgreSQL " + c.where_ + ": " + why));
    }
    return c;
  }

  PGconn* handle() const noexcept { return conn_.get(); }
  const std::string& where() const noexcept { return where_; }
  // The server went away (or the connection broke): ensure_connected() reconnects.
  bool broken() const noexcept { return PQstatus(conn_.get()) != CONNECTION_OK; }

  // After the server went away the next batch reconnects instead of failing forever. A
  // reconnected session has none of the old one's settings or locks.
  result<void> ensure_connected() {
    if (!broken()) return {};
    PQreset(conn_.get());
    prepared_.clear();  // a new session has none of the old one's prepared statements
    if (!broken()) return {};
    return make_error(classify_(connection_lost_state),
                      scrub_("lost the connection to PostgreSQL " + where_ +
                             " and could not reconnect: " + PQerrorMessage(conn_.get())));
  }

  // Runs `sql` with text parameters (nullptr = NULL); result rows are returned as text.
  result<result_set> exec(const std::string& sql, std::span<const char* const> params = {}) {
    result_set r(params.empty()
                     ? PQexec(conn_.get(), sql.c_str())
                     : PQexecParams(conn_.get(), sql.c_str(), static_cast<int>(params.size()),
                                    nullptr, params.data(), nullptr, nullptr, 0));
    const ExecStatusType status = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return r;
    return failure(r.get(), sql);
  }

  // As exec, for a statement run again and again: prepared once per session (the first call),
  // so that later calls skip parsing and planning; the server keeps its plan.
  result<result_set> exec_prepared(const std::string& sql, std::span<const char* const> params) {
    auto it = prepared_.find(sql);
    if (it == prepared_.end()) {
      std::string name = "syncline_" + std::to_string(prepared_.size() + 1);
      result_set r(PQprepare(conn_.get(), name.c_str(), sql.c_str(),
                             static_cast<int>(params.size()), nullptr));
      if (!r || PQresultStatus(r.get()) != PGRES_COMMAND_OK) return failure(r.get(), sql);
      it = prepared_.emplace(sql, std::move(name)).first;
    }
    result_set r(PQexecPrepared(conn_.get(), it->second.c_str(), static_cast<int>(params.size()),
                                params.data(), nullptr, nullptr, 0));
    const ExecStatusType status = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return r;
    return failure(r.get(), sql);
  }

  ::syncline::error failure(const PGresult* r, std::string_view sql) const {
    const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
    const char* text = r ? PQresultErrorMessage(r) : nullptr;
    std::string why = text && *text ? text : PQerrorMessage(conn_.get());
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    const errc category = state      ? classify_(state)
                          : broken() ? classify_(connection_lost_state)
                                     : errc::storage;
    std::string message = "PostgreSQL " + where_ + ": " + why;
    if (state) message += std::string(" [SQLSTATE ") + state + "]";
    constexpr std::size_t max_sql = 160;
    message +=
        " (in: " + std::string(sql.substr(0, max_sql)) + (sql.size() > max_sql ? "...)" : ")");
    // The statement too: a value quoted in it, or by the server's message, may be the password.
    return make_error(category, scrub_(std::move(message)));
  }

 private:
  connection() = default;

  // "host=h port=p dbname=d user=u": enough to find the server, never the password.
  static std::string describe(const secret& conninfo) {
    std::string out;
    char* err = nullptr;
    PQconninfoOption* opts = PQconninfoParse(std::string(conninfo.reveal()).c_str(), &err);
    if (err) PQfreemem(err);
    if (!opts) return "(unparsable connection string)";
    for (PQconninfoOption* o = opts; o->keyword; ++o) {
      if (!o->val || !*o->val) continue;
      const std::string_view k = o->keyword;
      if (k == "host" || k == "hostaddr" || k == "port" || k == "dbname" || k == "user") {
        if (!out.empty()) out += ' ';
        out += k;
        out += '=';
        out += o->val;
      }
    }
    PQconninfoFree(opts);
    return "at " + (out.empty() ? std::string("(libpq defaults)") : out);
  }

  static std::string password_of(const secret& conninfo) {
    std::string pw;
    PQconninfoOption* opts = PQconninfoParse(std::string(conninfo.reveal()).c_str(), nullptr);
    if (!opts) return pw;
    for (PQconninfoOption* o = opts; o->keyword; ++o) {
      if (std::strcmp(o->keyword, "password") == 0 && o->val) pw = o->val;
    }
    PQconninfoFree(opts);
    return pw;
  }

  std::unique_ptr<PGconn, detail::conn_closer> conn_;
  error_classifier classify_ = classify_by_sqlstate;
  secret_scrubber scrub_;  // of the password: libpq and the server may quote it
  std::string where_;
  std::unordered_map<std::string, std::string> prepared_;  // statement text -> name
};

}  // namespace syncline::postgres
