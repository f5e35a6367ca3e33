// warehouse::snowflake_sink<Table>: rows into a Snowflake table through the SQL API
// (POST /api/v2/statements). A flush is one MERGE statement per chunk of rows, with the values
// as bindings (never spliced into the SQL text), keyed on the table's key so a replayed run
// updates its row instead of adding one. Every statement carries a requestId; a retry after a
// lost answer or a 5xx re-sends the same requestId with retry=true, and Snowflake runs the
// statement once. A 202 answer is polled at GET /api/v2/statements/{handle} until it is done.
//
//   using orders = warehouse::table<order_row, "analytics.orders", warehouse::key<"id">>;
//   auto sink = warehouse::snowflake_sink<orders>::open(io.get_executor(), client,
//       {.account_url = "https://myorg-myaccount.snowflakecomputing.com",
//        .token = secret(jwt), .token_type = "KEYPAIR_JWT", .database = "SHOP", .warehouse =
//        "LOAD"});
//   co_await sink->create_table();
//   co_await sink->write(row, ctx.idempotency_key(), ctx.tenant());
//   co_await sink->erase_tenant("shop-1");  // privacy erasure
//
// Identifiers are written upper-case and quoted ("ANALYTICS"."ORDERS"), which is how Snowflake
// stores unquoted names: `select id from analytics.orders` finds them.
#pragma once

#include <syncline/config.hpp>
#include <syncline/connectors/http_answer.hpp>
#include <syncline/connectors/warehouse/access_token.hpp>
#include <syncline/connectors/warehouse/batched_sink.hpp>
#include <syncline/connectors/warehouse/batcher.hpp>
#include <syncline/connectors/warehouse/column.hpp>
#include <syncline/connectors/warehouse/ingest_retry.hpp>
#include <syncline/connectors/warehouse/request_id.hpp>
#include <syncline/connectors/warehouse/sql_statements.hpp>
#include <syncline/connectors/warehouse/table.hpp>
#include <syncline/core/result.hpp>
#include <syncline/http/client.hpp>
#include <syncline/http/hmac.hpp>
#include <syncline/http/message.hpp>
#include <syncline/http/url.hpp>
#include <syncline/json/decode.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/describe/class.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace syncline::warehouse {

struct snowflake_sink_options {
  std::string account_url{};  // "https://<org>-<account>.snowflakecomputing.com"
  access_token token{};
  std::string token_type = "OAUTH";  // X-Snowflake-Authorization-Token-Type: KEYPAIR_JWT, OAUTH,
                                     // PROGRAMMATIC_ACCESS_TOKEN
  std::string database{}, schema{}, warehouse{}, role{};  // statement context; empty = default
  std::chrono::seconds statement_timeout{60};
  // A 202 is polled after poll_interval, then at doubling intervals up to max_poll_interval;
  // after max_wait the write fails transiently (the retry asks with the same requestId).
  std::chrono::milliseconds poll_interval{250};
  std::chrono::milliseconds max_poll_interval{5000};
  std::chrono::milliseconds max_wait{600'000};
  std::size_t max_rows_per_statement = 1000;
  http::request_retry retry{};
  batch_options batch{};
  std::function<std::string()> request_id = random_request_id;  // tests may fix it
};

// Snowflake spellings. Bindings travel as text; the placeholder casts them to the column type.
// Money is NUMBER(38,18): syncline::money has at most 18 digits, so every amount fits exactly.
struct snowflake_dialect {
  static constexpr std::string_view name = "Snowflake";
  static constexpr std::string_view type_name(column_type t) noexcept {
    switch (t) {
      case column_type::boolean: return "BOOLEAN";
      case column_type::integer:
      case column_type::big_integer: return "NUMBER(38,0)";
      case column_type::real: return "FLOAT";
      case column_type::text: return "VARCHAR";
      case column_type::decimal: return "NUMBER(38,18)";
      case column_type::timestamp: return "TIMESTAMP_TZ(9)";
      case column_type::json: return "VARIANT";
    }
    return "VARCHAR";
  }
  static std::string quote(std::string_view name) {
    std::string upper(name);
    for (char& c : upper) {
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    return quote_identifier(upper);
  }
  static void placeholder(std::string& sql, std::size_t, column_type t) {
    switch (t) {
      case column_type::decimal: sql += "?::NUMBER(38,18)"; break;
      case column_type::timestamp: sql += "TO_TIMESTAMP_TZ(?)"; break;
      case column_type::json: sql += "PARSE_JSON(?)"; break;
      default: sql += '?';
    }
  }
  // The bindings entry of a cell: {"type": ..., "value": text or null}.
  static boost::json::value binding(const cell& c) {
    boost::json::object b;
    std::visit(
        [&](const auto& v) {
          using V = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<V, std::monostate>) {
            b["type"] = "TEXT";
            b["value"] = nullptr;
          } else if constexpr (std::is_same_v<V, bool>) {
            b["type"] = "BOOLEAN";
            b["value"] = v ? "true" : "false";
          } else if constexpr (std::is_same_v<V, std::int64_t>) {
            b["type"] = "FIXED";
            b["value"] = std::to_string(v);
          } else if constexpr (std::is_same_v<V, double>) {
            b["type"] = "REAL";
            if (std::isnan(v)) {
              b["value"] = "NaN";
            } else if (std::isinf(v)) {
              b["value"] = v > 0 ? "inf" : "-inf";
            } else {
              char buf[32];
              auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
              b["value"] = std::string_view(buf, static_cast<std::size_t>(end - buf));
            }
          } else {
            b["type"] = "TEXT";
            b["value"] = v;
          }
        },
        c);
    return b;
  }
};

// MERGE of `rows` rows into the table on its key: a user key updates the other columns, a run
// key inserts only when the key is new. With newer<>, the update applies only when the stored
// version is NULL or not newer (TIMESTAMP_TZ values compare as instants in UTC).
template <class Table>
std::string snowflake_merge_sql(std::size_t rows) {
  using D = snowflake_dialect;
  std::string sql = "MERGE INTO " + D::quote(Table::name) + " AS t USING (";
  for (std::size_t r = 0; r < rows; ++r) {
    sql += r ? " UNION ALL SELECT " : "SELECT ";
    for (std::size_t i = 0; i < Table::columns.size(); ++i) {
      if (i) sql += ", ";
      D::placeholder(sql, r * Table::columns.size() + i + 1, Table::columns[i].type);
      sql += " AS " + D::quote(Table::columns[i].name);
    }
  }
  sql += ") AS s ON ";
  std::string names, values, updates;
  bool first_key = true;
  for (const column_info& c : Table::columns) {
    const std::string q = D::quote(c.name);
    if (!names.empty()) names += ", ", values += ", ";
    names += q;
    values += "s." + q;
    if (c.key) {
      if (!first_key) sql += " AND ";
      first_key = false;
      sql += "t." + q + " = s." + q;
    } else {
      if (!updates.empty()) updates += ", ";
      updates += "t." + q + " = s." + q;
    }
  }
  if (!Table::keyed_by_run && !updates.empty()) {
    sql += " WHEN MATCHED";
    if constexpr (Table::versioned) {
      const std::string v = D::quote(Table::columns[Table::version_column].name);
      sql += " AND (t." + v + " IS NULL OR s." + v + " >= t." + v + ")";
    }
    sql += " THEN UPDATE SET " + updates;
  }
  sql += " WHEN NOT MATCHED THEN INSERT (" + names + ") VALUES (" + values + ")";
  return sql;
}

namespace snowflake_protocol {
// The fields of a statement answer the sink reads (200, 202 and 422 share them).
struct statement_response {
  std::optional<std::string> code;
  std::optional<std::string> sqlState;
  std::optional<std::string> message;
  std::optional<std::string> statementHandle;
};
BOOST_DESCRIBE_STRUCT(statement_response, (), (code, sqlState, message, statementHandle))

// What a DML statement's answer says it changed: `stats` where the SQL API gives it, else the
// one-row result set ("number of rows deleted") with the count as text.
struct dml_stats {
  std::optional<std::int64_t> numRowsDeleted;
};
BOOST_DESCRIBE_STRUCT(dml_stats, (), (numRowsDeleted))
struct dml_response {
  std::optional<dml_stats> stats;
  std::optional<std::vector<std::vector<std::optional<std::string>>>> data;
};
BOOST_DESCRIBE_STRUCT(dml_response, (), (stats, data))
}  // namespace snowflake_protocol

namespace detail {

// The untyped half of snowflake_sink (its batched_sink Writer).
class snowflake_writer {
 public:
  using item = staged_row;
  using statement_for = std::string (*)(std::size_t rows);

  snowflake_writer(http::client& client, snowflake_sink_options options, std::string base,
                   std::string where, std::string create_sql, std::string add_tenant_column_sql,
                   statement_for merge, erase_statements erase, bool keep_first, bool versioned)
      : client_(client),
        options_(std::move(options)),
        base_(std::move(base)),
        where_(std::move(where)),
        create_sql_(std::move(create_sql)),
        add_tenant_column_sql_(std::move(add_tenant_column_sql)),
        merge_(merge),
        erase_(std::move(erase)),
        keep_first_(keep_first),
        versioned_(versioned) {}

  // CREATE TABLE IF NOT EXISTS from the row type (Snowflake records the key, not enforces it),
  // then ADD COLUMN IF NOT EXISTS for the tenant column of a table made before it existed.
  SYNCLINE_DECL boost::asio::awaitable<result<void>> create_table();

  // Privacy erasure (batched_sink::erase_keys, erase_tenant): one DELETE per chunk of keys, each
  // committed on its own; a failure part way leaves the chunks before it erased, and running the
  // erasure again finishes it.
  SYNCLINE_DECL boost::asio::awaitable<result<std::int64_t>> erase_keys(
      std::string tenant, std::vector<std::vector<cell>> keys);
  SYNCLINE_DECL boost::asio::awaitable<result<std::int64_t>> erase_tenant(std::string tenant);

  // The group commit's flush: one MERGE per chunk of rows.
  SYNCLINE_DECL boost::asio::awaitable<std::vector<result<void>>> write(
      std::vector<staged_row>& rows);

  std::vector<secret> secrets() const { return options_.token.issued(); }

 private:
  SYNCLINE_DECL boost::asio::awaitable<result<void>> merge(const std::vector<staged_row>& rows,
                                                           const std::vector<std::size_t>& which);

  SYNCLINE_DECL http::fields headers() const;

  // Runs one statement to completion: POST, retried with the same requestId, and polled on 202.
  // Answers the body of the final 200.
  SYNCLINE_DECL boost::asio::awaitable<result<std::string>> execute(const std::string& statement,
                                                                    boost::json::object bindings);

  // What an answer to a POST or a poll means: done (its body), still running (poll), or failed.
  SYNCLINE_DECL boost::asio::awaitable<result<std::string>> settle(result<http::response> answer);

  // A DELETE's count of erased rows.
  SYNCLINE_DECL boost::asio::awaitable<result<std::int64_t>> erase(const std::string& statement,
                                                                   boost::json::object bindings);

  SYNCLINE_DECL ::syncline::error statement_failed(
      const result<snowflake_protocol::statement_response>& decoded) const;

  http::client& client_;
  snowflake_sink_options options_;
  std::string base_;
  std::string where_;
  std::string create_sql_;
  std::string add_tenant_column_sql_;
  statement_for merge_;
  erase_statements erase_;
  bool keep_first_;
  bool versioned_;
};

}  // namespace detail

template <class Table>
class snowflake_sink : public batched_sink<Table, detail::snowflake_writer> {
 public:
  // The client must outlive the sink. Fails when the account URL does not parse. A write resumes
  // once the MERGE holding its row has run.
  static result<snowflake_sink> open(boost::asio::any_io_executor ex, http::client& client,
                                     snowflake_sink_options options) {
    std::string base = options.account_url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    auto u = http::parse_url(base + "/");
    if (!u) return make_error(errc::invalid_input, "Snowflake account_url: " + u.error().message);
    std::string where = "Snowflake table " + std::string(Table::name) + " at " + u->redacted();
    const batch_options batch = options.batch;
    return snowflake_sink(
        std::move(ex),
        std::make_shared<detail::snowflake_writer>(
            client, std::move(options), std::move(base), std::move(where),
            create_table_sql<Table, snowflake_dialect>(),
            add_tenant_column_sql<Table, snowflake_dialect>(true), &snowflake_merge_sql<Table>,
            erase_statements_for<Table, snowflake_dialect>(), Table::keyed_by_run,
            Table::versioned),
        batch);
  }

 private:
  using batched_sink<Table, detail::snowflake_writer>::batched_sink;
};

}  // namespace syncline::warehouse

#if SYNCLINE_HEADER_ONLY
#include <syncline/connectors/warehouse/impl/snowflake_sink.ipp>
#endif
