// warehouse::postgres_connection: one libpq connection for a warehouse sink. The connection
// string is a syncline::secret because it may hold a password: it is never put in a message,
// and every message that leaves this file is scrubbed of the password by syncline's one
// mechanism (core/secret_scrubber.hpp, which the engine's redactor is too), fragments and all.
#pragma once

#include <syncline/core/result.hpp>
#include <syncline/core/secret.hpp>
#include <syncline/core/secret_scrubber.hpp>

#include <cstring>
#include <libpq-fe.h>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace syncline::warehouse {

namespace detail {
struct pg_conn_closer {
  void operator()(PGconn* c) const noexcept { PQfinish(c); }
};
struct pg_result_closer {
  void operator()(PGresult* r) const noexcept { PQclear(r); }
};
}  // namespace detail

using pg_result = std::unique_ptr<PGresult, detail::pg_result_closer>;

// SQLSTATE classes (PostgreSQL manual, appendix A) to syncline categories: what a retry may fix
// (connection, resources, serialization) against what it will not (bad data, bad schema).
inline errc postgres_error_category(std::string_view sqlstate) noexcept {
  const std::string_view cls = sqlstate.substr(0, 2);
  if (cls == "08") return errc::unavailable;                   // connection exception
  if (cls == "28") return errc::unauthorized;                  // invalid authorization
  if (cls == "22" || cls == "23") return errc::invalid_input;  // data / integrity violation
  if (cls == "42") return errc::invalid_input;                 // schema or syntax: not transient
  if (cls == "3D" || cls == "3F") return errc::not_found;      // database / schema missing
  return errc::storage;  // 40 serialization, 53 resources, 57 shutdown, ...: worth a retry
}

class postgres_connection {
 public:
  static result<postgres_connection> connect(const secret& conninfo) {
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
    postgres_connection c;
    c.scrub_ = secret_scrubber(std::vector<std::string>{password_of(conninfo)});
    c.where_ = describe(conninfo);
    c.conn_.reset(PQconnectdb(std::string(conninfo.reveal()).c_str()));
    if (!c.conn_) return make_error(errc::unavailable, "libpq could not allocate a connection");
    // Notices ("relation already exists, skipping") are chatter, not errors: keep stderr quiet.
    PQsetNoticeProcessor(
        c.conn_.get(), [](void*, const char*) {}, nullptr);
    if (PQstatus(c.conn_.get()) != CONNECTION_OK) {
      const std::string why = PQerrorMessage(c.conn_.get());
      const errc category = why.find("authentication") != std::string::npos ||
                                    why.find("password") != std::string::npos
                                ? errc::unauthorized
                                : errc::unavailable;
      return make_error(category,
                        c.scrub_("cannot connect to PostgreSQL " + c.where_ + ": " + why));
    }
    return c;
  }

  PGconn* handle() const noexcept { return conn_.get(); }
  const std::string& where() const noexcept { return where_; }

  // After the server went away the next batch reconnects instead of failing forever.
  result<void> ensure_connected() {
    if (PQstatus(conn_.get()) == CONNECTION_OK) return {};
    PQreset(conn_.get());
    if (PQstatus(conn_.get()) == CONNECTION_OK) return {};
    return make_error(errc::unavailable,
                      scrub_("lost the connection to PostgreSQL " + where_ +
                             " and could not reconnect: " + PQerrorMessage(conn_.get())));
  }

  // Runs `sql` with text parameters (nullptr = NULL); result rows are returned as text.
  result<pg_result> exec(const std::string& sql, const std::vector<const char*>& params = {}) {
    pg_result r(params.empty()
                    ? PQexec(conn_.get(), sql.c_str())
                    : PQexecParams(conn_.get(), sql.c_str(), static_cast<int>(params.size()),
                                   nullptr, params.data(), nullptr, nullptr, 0));
    const ExecStatusType status = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return r;
    return failure(r.get(), sql);
  }

  ::syncline::error failure(const PGresult* r, std::string_view sql) const {
    const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
    const char* text = r ? PQresultErrorMessage(r) : nullptr;
    std::string why = text && *text ? text : PQerrorMessage(conn_.get());
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    const errc category =
        state ? postgres_error_category(state)
              : (PQstatus(conn_.get()) != CONNECTION_OK ? errc::unavailable : errc::storage);
    std::string message = "PostgreSQL " + where_ + ": " + why;
    if (state) message += std::string(" [SQLSTATE ") + state + "]";
    constexpr std::size_t max_sql = 160;
    message +=
        " (in: " + std::string(sql.substr(0, max_sql)) + (sql.size() > max_sql ? "...)" : ")");
    // The statement too: a value quoted in it, or by the server's message, may be the password.
    return make_error(category, scrub_(std::move(message)));
  }

 private:
  postgres_connection() = default;

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

  std::unique_ptr<PGconn, detail::pg_conn_closer> conn_;
  secret_scrubber scrub_;  // of the password: libpq and the server may quote it
  std::string where_;
};

}  // namespace syncline::warehouse
