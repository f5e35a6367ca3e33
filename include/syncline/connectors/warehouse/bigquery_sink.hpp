// warehouse::bigquery_sink<Table>: rows into a BigQuery table through the streaming API
// `tabledata.insertAll`. BigQuery appends; it has no upsert. What keeps a replayed run from
// adding a second row is the insertId, derived from the run's idempotency key and the row's key,
// which BigQuery uses for best-effort dedupe (Google documents a window of at least a minute).
// Rows BigQuery rejects (insertErrors) fail alone, with BigQuery's index, reason, location and
// message; rows that failed transiently are re-sent with the same insertId.
//
// The table's name is "dataset.table" ("analytics.orders"); open() takes an executor, the HTTP
// client and bigquery_sink_options (project, access token).
// tests/connectors/warehouse_http_test.cpp creates and writes one against a local server;
// write_to<bigquery_sink<T>> ends a workflow in it.
//
// newer<> (table.hpp) changes nothing here: insertAll never replaces a row, so an older row
// written later cannot overwrite a newer one; every version is kept, and a query picks the
// newest per key by the version column, e.g. `QUALIFY ROW_NUMBER() OVER (PARTITION BY id ORDER
// BY updated_at DESC) = 1`.
//
// The table must exist with columns named like Row's members (plus `_syncline_key` when the
// table is keyed by run, and `_syncline_tenant` STRING); integers beyond 2^53 are sent as JSON
// strings, which INT64 columns accept, so no JavaScript-based hop can round an id.
// add_tenant_column() adds `_syncline_tenant` to a table made before it existed (DDL through
// jobs.query); call it at start, before the first write, or insertAll refuses the rows.
//
// Privacy erasure (erase_keys, erase_tenant) is a parameterised DML DELETE through jobs.query.
// BigQuery refuses DML on rows still in the streaming buffer (rows insertAll wrote in the last
// ~30 to 90 minutes): that answer is errc::unavailable, and a later retry erases them.
#pragma once

#include <syncline/config.hpp>
#include <syncline/connectors/http_answer.hpp>
#include <syncline/connectors/warehouse/access_token.hpp>
#include <syncline/connectors/warehouse/batched_sink.hpp>
#include <syncline/connectors/warehouse/batcher.hpp>
#include <syncline/connectors/warehouse/ingest_retry.hpp>
#include <syncline/connectors/warehouse/request_id.hpp>
#include <syncline/connectors/warehouse/table.hpp>
#include <syncline/core/result.hpp>
#include <syncline/http/client.hpp>
#include <syncline/http/hmac.hpp>
#include <syncline/http/message.hpp>
#include <syncline/http/url.hpp>
#include <syncline/json/decode.hpp>
#include <syncline/json/to_value.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/describe/class.hpp>
#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace syncline::warehouse {

struct bigquery_sink_options {
  std::string base_url = "https://bigquery.googleapis.com";
  std::string project{};
  std::string dataset{};  // used when the table's name has no "dataset." part
  access_token token{};   // OAuth 2.0 access token (Authorization: Bearer)
  // true: valid rows of a request are inserted even when others are invalid. false: BigQuery
  // inserts nothing and marks the valid rows "stopped"; the sink then re-sends them alone.
  bool skip_invalid_rows = true;
  bool ignore_unknown_values = false;
  std::size_t max_rows_per_request = 500;    // Google's recommendation
  std::size_t max_request_bytes = 9u << 20;  // the API refuses requests over 10 MB
  http::request_retry retry{};               // re-sends of transient failures within a flush
  batch_options batch{};
};

namespace bigquery_protocol {
// The shapes of tabledata.insertAll's answer and of a Google API error, decoded by the JSON
// layer (unknown fields are ignored).
struct error_proto {
  std::optional<std::string> reason;
  std::optional<std::string> location;
  std::optional<std::string> message;
};
BOOST_DESCRIBE_STRUCT(error_proto, (), (reason, location, message))

struct insert_error {
  std::int64_t index = 0;
  std::vector<error_proto> errors;
};
BOOST_DESCRIBE_STRUCT(insert_error, (), (index, errors))

struct insert_all_response {
  std::optional<std::vector<insert_error>> insertErrors;
};
BOOST_DESCRIBE_STRUCT(insert_all_response, (), (insertErrors))

struct api_error {
  std::optional<std::string> message;
  std::optional<std::vector<error_proto>> errors;
};
BOOST_DESCRIBE_STRUCT(api_error, (), (message, errors))

struct api_error_response {
  std::optional<api_error> error;
};
BOOST_DESCRIBE_STRUCT(api_error_response, (), (error))

// The fields of a jobs.query / jobs.getQueryResults answer that a DML statement needs.
struct job_reference {
  std::string jobId;
  std::optional<std::string> location;
};
BOOST_DESCRIBE_STRUCT(job_reference, (), (jobId, location))

struct query_response {
  std::optional<bool> jobComplete;
  std::optional<std::string> numDmlAffectedRows;  // int64 as a string
  std::optional<job_reference> jobReference;
};
BOOST_DESCRIBE_STRUCT(query_response, (), (jobComplete, numDmlAffectedRows, jobReference))

// Reasons a later attempt may get past (Google's "Troubleshooting errors" table).
inline bool is_transient_reason(std::string_view reason) {
  return reason == "backendError" || reason == "internalError" || reason == "timeout" ||
         reason == "stopped" || reason == "rateLimitExceeded" || reason == "quotaExceeded";
}
}  // namespace bigquery_protocol

namespace detail {

// A row ready for a request: its insertId and the `{"insertId":...,"json":...}` element.
struct bigquery_row {
  std::string insert_id;
  std::string element;
};

// JSON numbers above 2^53 lose digits in any parser built on doubles; BigQuery's INT64 accepts
// a string, so big integers travel as strings.
inline void strings_for_big_integers(boost::json::value& v) {
  constexpr std::int64_t exact = std::int64_t{1} << 53;
  if (v.is_int64() && (v.get_int64() > exact || v.get_int64() < -exact)) {
    v = boost::json::string(std::to_string(v.get_int64()));
  } else if (v.is_uint64() && v.get_uint64() > static_cast<std::uint64_t>(exact)) {
    v = boost::json::string(std::to_string(v.get_uint64()));
  } else if (v.is_array()) {
    for (auto& e : v.get_array()) strings_for_big_integers(e);
  } else if (v.is_object()) {
    for (auto& kv : v.get_object()) strings_for_big_integers(kv.value());
  }
}

// The untyped half of bigquery_sink (its batched_sink Writer).
class bigquery_writer {
 public:
  using item = bigquery_row;

  // The table's statements for jobs.query (see bigquery_sink::open).
  struct statements {
    std::string queries_url;  // .../projects/{p}/queries
    std::string erase_keys;   // @tenant, @keys (ARRAY<STRING> of key texts)
    std::string erase_tenant;
    std::string add_tenant_column;
  };

  bigquery_writer(http::client& client, bigquery_sink_options options, std::string url,
                  std::string where, statements sql)
      : client_(client),
        options_(std::move(options)),
        url_(std::move(url)),
        where_(std::move(where)),
        sql_(std::move(sql)) {}

  const std::string& where() const noexcept { return where_; }
  std::vector<secret> secrets() const { return options_.token.issued(); }

  // Privacy erasure through jobs.query (batched_sink::erase_keys, erase_tenant).
  SYNCLINE_DECL boost::asio::awaitable<result<std::int64_t>> erase_keys(
      std::string tenant, std::vector<std::vector<cell>> keys);
  SYNCLINE_DECL boost::asio::awaitable<result<std::int64_t>> erase_tenant(std::string tenant);
  SYNCLINE_DECL boost::asio::awaitable<result<void>> add_tenant_column();

  // The group commit's flush: insertAll requests of up to max_rows_per_request rows.
  SYNCLINE_DECL boost::asio::awaitable<std::vector<result<void>>> write(
      std::vector<bigquery_row>& rows);

  // A row as an insertAll element, with its insertId: hex of an HMAC over the run's key and the
  // row's key; without a run key, over the row's key and its JSON (so only an identical row is
  // deduped).
  template <class Table>
  static result<bigquery_row> prepare(const typename Table::row_type& row, std::string_view run_key,
                                      std::string_view tenant = {}) {
    auto staged = Table::stage(row, run_key);  // checks ranges, and gives the key
    if (!staged) return std::move(staged).error();
    boost::json::value json = json::to_value(row);
    if constexpr (Table::keyed_by_run) {
      json.as_object()[run_key_column] = boost::json::string(run_key);
    }
    json.as_object()[tenant_column] = boost::json::string(tenant);
    strings_for_big_integers(json);
    std::string json_text = boost::json::serialize(json);
    const std::string material = run_key.empty() ? staged->key + '\n' + json_text
                                                 : std::string(run_key) + '\n' + staged->key;
    bigquery_row out;
    out.insert_id =
        http::hex_encode(http::hmac_sha256("syncline/bigquery/insertId", material)).substr(0, 32);
    out.element = R"({"insertId":")" + out.insert_id + R"(","json":)" + json_text + "}";
    return out;
  }

 private:
  static constexpr std::size_t envelope_bytes = 128;  // {"kind":...,"rows":[ ... ]}

  // Rows from pending[start...] up to the row-count and byte limits.
  SYNCLINE_DECL std::vector<std::size_t> next_request(const std::vector<bigquery_row>& rows,
                                                      const std::vector<std::size_t>& pending,
                                                      std::size_t& start) const;

  SYNCLINE_DECL boost::asio::awaitable<void> send(const std::vector<bigquery_row>& rows,
                                                  const std::vector<std::size_t>& request,
                                                  std::vector<result<void>>& results,
                                                  std::vector<std::size_t>& again);

  // A non-2xx answer, refined by Google's error body: 403 rateLimitExceeded is a slow-down.
  SYNCLINE_DECL static void fail_request(const std::vector<std::size_t>& request,
                                         std::vector<result<void>>& results,
                                         std::vector<std::size_t>& again,
                                         const ::syncline::error& e);
  SYNCLINE_DECL ::syncline::error api_failure(::syncline::error e, std::string_view body) const;

  // Runs one statement with named parameters (a JSON array of queryParameters) to completion:
  // jobs.query, then jobs.getQueryResults while the job runs. Answers numDmlAffectedRows (0 for
  // DDL). The requestId makes the client's re-send of a lost request harmless.
  SYNCLINE_DECL boost::asio::awaitable<result<std::int64_t>> query(const std::string& sql,
                                                                   boost::json::array parameters,
                                                                   std::string_view what);
  SYNCLINE_DECL http::fields query_headers() const;
  SYNCLINE_DECL result<bigquery_protocol::query_response> query_answer(
      result<http::response> answer, std::string_view what) const;

  http::client& client_;
  bigquery_sink_options options_;
  std::string url_;
  std::string where_;
  statements sql_;
};

// The DML of a table for jobs.query. A key is matched as text (BigQuery has no indexes to
// lose), integers CAST, several columns joined by \x1f as warehouse::key_text joins them.
template <class Table>
bigquery_writer::statements bigquery_statements(const std::string& queries_url,
                                                const std::string& table_ref) {
  auto quote = [](std::string_view n) { return '`' + std::string(n) + '`'; };
  std::string key;
  for (const column_info& c : Table::columns) {
    if (!c.key) continue;
    const std::string text =
        c.type == column_type::text ? quote(c.name) : "CAST(" + quote(c.name) + " AS STRING)";
    key += key.empty() ? text : ", '\\x1f', " + text;
  }
  if (Table::key_count > 1) key = "CONCAT(" + key + ")";
  const std::string tenant_is = " WHERE " + quote(tenant_column) + " = @tenant";
  return {
      queries_url, "DELETE FROM " + table_ref + tenant_is + " AND " + key + " IN UNNEST(@keys)",
      "DELETE FROM " + table_ref + tenant_is,
      "ALTER TABLE " + table_ref + " ADD COLUMN IF NOT EXISTS " + quote(tenant_column) + " STRING"};
}

}  // namespace detail

template <class Table>
class bigquery_sink : public batched_sink<Table, detail::bigquery_writer> {
 public:
  // The client must outlive the sink. Fails when the project or dataset is missing or the base
  // URL does not parse. A write resumes once the request holding its row was accepted (or the
  // row refused); with the run's key, a replayed run sends the same insertId.
  static result<bigquery_sink> open(boost::asio::any_io_executor ex, http::client& client,
                                    bigquery_sink_options options) {
    const std::string_view full = Table::name;
    const auto dot = full.find('.');
    const std::string dataset =
        dot == std::string_view::npos ? options.dataset : std::string(full.substr(0, dot));
    const std::string table(dot == std::string_view::npos ? full : full.substr(dot + 1));
    if (options.project.empty() || dataset.empty()) {
      return make_error(
          errc::invalid_input,
          "BigQuery table \"" + std::string(full) +
              "\": set bigquery_sink_options::project, and a dataset (as "
              "bigquery_sink_options::dataset or as \"dataset.table\" in the table name)");
    }
    std::string base = options.base_url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    if (auto u = http::parse_url(base + "/"); !u) {
      return make_error(errc::invalid_input, "BigQuery base_url: " + u.error().message);
    }
    const std::string project_url = base + "/bigquery/v2/projects/" + options.project;
    std::string url = project_url + "/datasets/" + dataset + "/tables/" + table + "/insertAll";
    std::string where = "BigQuery table " + options.project + "." + dataset + "." + table;
    auto sql = detail::bigquery_statements<Table>(
        project_url + "/queries", '`' + options.project + '.' + dataset + '.' + table + '`');
    const batch_options batch = options.batch;
    return bigquery_sink(
        std::move(ex),
        std::make_shared<detail::bigquery_writer>(client, std::move(options), std::move(url),
                                                  std::move(where), std::move(sql)),
        batch);
  }

  // Adds `_syncline_tenant` (STRING) to a table made before it existed: ALTER TABLE ... ADD
  // COLUMN IF NOT EXISTS through jobs.query, so calling it at every start is harmless. Rows
  // already there hold NULL in it, which no erase_tenant finds.
  awaitable_for<result<void>, Table> add_tenant_column() {
    co_return co_await this->writer().add_tenant_column();
  }

  // The insertId a write of `row` with `run_key` sends (see bigquery_writer::prepare).
  static result<std::string> insert_id(const typename Table::row_type& row,
                                       std::string_view run_key = {}) {
    auto prepared = detail::bigquery_writer::prepare<Table>(row, run_key);
    if (!prepared) return std::move(prepared).error();
    return std::move(prepared->insert_id);
  }

 private:
  using batched_sink<Table, detail::bigquery_writer>::batched_sink;
};

}  // namespace syncline::warehouse

#if SYNCLINE_HEADER_ONLY
#include <syncline/connectors/warehouse/impl/bigquery_sink.ipp>
#endif
