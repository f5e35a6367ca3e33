// The bodies of warehouse::detail::bigquery_writer: BigQuery insertAll requests, their retries and
// error mapping. Compiled once in separate mode (see <syncline/config.hpp>).
#pragma once

#include <syncline/connectors/warehouse/bigquery_sink.hpp>
#include <syncline/connectors/warehouse/request_id.hpp>

#include <charconv>
#include <variant>

namespace syncline::warehouse::detail {

SYNCLINE_DECL boost::asio::awaitable<std::vector<result<void>>> bigquery_writer::write(
    std::vector<bigquery_row>& rows) {
  std::vector<result<void>> results(rows.size());
  std::vector<std::size_t> pending;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (rows[i].element.size() + envelope_bytes > options_.max_request_bytes) {
      results[i] = make_error(errc::limit_exceeded,
                              where_ + ": row of " + std::to_string(rows[i].element.size()) +
                                  " bytes is over the request limit of " +
                                  std::to_string(options_.max_request_bytes) + " bytes");
    } else {
      pending.push_back(i);
    }
  }
  ingest_retry retry(options_.retry);
  while (!pending.empty()) {
    std::vector<std::size_t> again;  // failed transiently: same insertIds next time
    for (std::size_t start = 0; start < pending.size();) {
      std::vector<std::size_t> request = next_request(rows, pending, start);
      co_await send(rows, request, results, again);
    }
    if (again.empty() || !co_await retry.next()) break;
    pending = std::move(again);
  }
  co_return results;
}

SYNCLINE_DECL std::vector<std::size_t> bigquery_writer::next_request(
    const std::vector<bigquery_row>& rows, const std::vector<std::size_t>& pending,
    std::size_t& start) const {
  std::vector<std::size_t> out;
  std::size_t bytes = envelope_bytes;
  while (start < pending.size() && out.size() < options_.max_rows_per_request) {
    const std::size_t add = rows[pending[start]].element.size() + 1;
    if (!out.empty() && bytes + add > options_.max_request_bytes) break;
    bytes += add;
    out.push_back(pending[start++]);
  }
  return out;
}

SYNCLINE_DECL boost::asio::awaitable<void> bigquery_writer::send(
    const std::vector<bigquery_row>& rows, const std::vector<std::size_t>& request,
    std::vector<result<void>>& results, std::vector<std::size_t>& again) {
  std::string body = R"({"kind":"bigquery#tableDataInsertAllRequest","skipInvalidRows":)";
  body += options_.skip_invalid_rows ? "true" : "false";
  body += R"(,"ignoreUnknownValues":)";
  body += options_.ignore_unknown_values ? "true" : "false";
  body += R"(,"rows":[)";
  for (std::size_t k = 0; k < request.size(); ++k) {
    if (k) body += ',';
    body += rows[request[k]].element;
  }
  body += "]}";

  http::fields headers;
  headers.set(http::field::content_type, "application/json");
  headers.set(http::field::authorization,
              "Bearer " + std::string(options_.token.current().reveal()));
  http::request_options call;
  call.retry_unsafe = true;  // insertIds make a repeated request harmless
  auto answer = co_await client_.post(url_, std::move(body), std::move(headers), std::move(call));

  if (!answer) {
    auto e = std::move(answer).error();
    fail_request(request, results, again,
                 make_error(e.category, where_ + ": " + e.message, e.status));
    co_return;
  }
  if (auto status = connectors::answer_to_result(*answer, where_ + " (insertAll)"); !status) {
    fail_request(request, results, again, api_failure(std::move(status).error(), answer->body()));
    co_return;
  }
  auto decoded = json::decode<bigquery_protocol::insert_all_response>(answer->body());
  if (!decoded) {
    fail_request(request, results, again,
                 make_error(errc::unavailable, where_ +
                                                   ": insertAll answered 200 with a body "
                                                   "that is not its documented shape: " +
                                                   decoded.error().message));
    co_return;
  }
  for (std::size_t i : request) results[i] = {};
  if (!decoded->insertErrors) co_return;
  for (const auto& e : *decoded->insertErrors) {
    if (e.index < 0 || static_cast<std::size_t>(e.index) >= request.size()) {
      fail_request(
          request, results, again,
          make_error(errc::unavailable, where_ + ": insertAll reported an error for row index " +
                                            std::to_string(e.index) + " of a request of " +
                                            std::to_string(request.size()) + " rows"));
      co_return;
    }
    const std::size_t row = request[static_cast<std::size_t>(e.index)];
    bool transient = !e.errors.empty();
    std::string message = where_ + ": BigQuery rejected the row (request index " +
                          std::to_string(e.index) + ", insertId " + rows[row].insert_id + ")";
    for (const auto& p : e.errors) {
      const std::string reason = p.reason.value_or("unknown");
      transient = transient && bigquery_protocol::is_transient_reason(reason);
      message += "; reason=" + reason;
      if (p.location && !p.location->empty()) message += " location=" + *p.location;
      if (p.message && !p.message->empty())
        message += " message=" + connectors::body_excerpt(*p.message);
    }
    results[row] = make_error(transient ? errc::unavailable : errc::invalid_input, message);
    if (transient) again.push_back(row);
  }
}

// Every row of the request gets `e`; a transient one is tried again.
SYNCLINE_DECL void bigquery_writer::fail_request(const std::vector<std::size_t>& request,
                                                 std::vector<result<void>>& results,
                                                 std::vector<std::size_t>& again,
                                                 const ::syncline::error& e) {
  for (std::size_t i : request) {
    results[i] = e;
    if (is_transient(e.category)) again.push_back(i);
  }
}

SYNCLINE_DECL ::syncline::error bigquery_writer::api_failure(::syncline::error e,
                                                             std::string_view body) const {
  auto decoded = json::decode<bigquery_protocol::api_error_response>(body);
  if (!decoded || !decoded->error || !decoded->error->errors) return e;
  for (const auto& p : *decoded->error->errors) {
    const std::string reason = p.reason.value_or("");
    if (reason == "rateLimitExceeded" || reason == "quotaExceeded") e.category = errc::rate_limited;
    if (reason == "backendError" || reason == "internalError") e.category = errc::unavailable;
  }
  return e;
}

// A named STRING parameter of jobs.query.
SYNCLINE_DECL boost::json::object bigquery_string_parameter(std::string_view name,
                                                            std::string_view value) {
  return {{"name", name},
          {"parameterType", {{"type", "STRING"}}},
          {"parameterValue", {{"value", value}}}};
}

SYNCLINE_DECL boost::asio::awaitable<result<std::int64_t>> bigquery_writer::erase_keys(
    std::string tenant, std::vector<std::vector<cell>> keys) {
  boost::json::array values;
  values.reserve(keys.size());
  for (const auto& key : keys) {
    std::string text;
    for (std::size_t i = 0; i < key.size(); ++i) {
      if (i) text += '\x1f';  // as warehouse::key_text joins, and the DELETE's CONCAT
      if (auto* n = std::get_if<std::int64_t>(&key[i])) text += std::to_string(*n);
      if (auto* t = std::get_if<std::string>(&key[i])) text += *t;
    }
    values.push_back(boost::json::object{{"value", text}});
  }
  boost::json::array parameters{
      bigquery_string_parameter("tenant", tenant),
      boost::json::object{
          {"name", "keys"},
          {"parameterType", {{"type", "ARRAY"}, {"arrayType", {{"type", "STRING"}}}}},
          {"parameterValue", {{"arrayValues", std::move(values)}}}}};
  co_return co_await query(sql_.erase_keys, std::move(parameters), "erase keys");
}

SYNCLINE_DECL boost::asio::awaitable<result<std::int64_t>> bigquery_writer::erase_tenant(
    std::string tenant) {
  boost::json::array parameters{bigquery_string_parameter("tenant", tenant)};
  co_return co_await query(sql_.erase_tenant, std::move(parameters), "erase tenant");
}

SYNCLINE_DECL boost::asio::awaitable<result<void>> bigquery_writer::add_tenant_column() {
  auto r = co_await query(sql_.add_tenant_column, {}, "add the _syncline_tenant column");
  if (!r) co_return std::move(r).error();
  co_return result<void>{};
}

SYNCLINE_DECL boost::asio::awaitable<result<std::int64_t>> bigquery_writer::query(
    const std::string& sql, boost::json::array parameters, std::string_view what) {
  boost::json::object body{{"query", sql},
                           {"useLegacySql", false},
                           {"timeoutMs", 10000},
                           {"requestId", random_request_id()}};
  if (!parameters.empty()) {
    body["parameterMode"] = "NAMED";
    body["queryParameters"] = std::move(parameters);
  }
  http::request_options call;
  call.retry_unsafe = true;  // the requestId makes a repeated request harmless
  auto answer = query_answer(co_await client_.post(sql_.queries_url, boost::json::serialize(body),
                                                   query_headers(), std::move(call)),
                             what);
  // A job still running after timeoutMs is waited for with jobs.getQueryResults (each call
  // itself waits up to timeoutMs), for at most 60 calls: about ten minutes.
  for (int polls = 0; answer && !answer->jobComplete.value_or(false); ++polls) {
    if (!answer->jobReference || answer->jobReference->jobId.empty()) {
      co_return make_error(errc::unavailable, where_ + " (" + std::string(what) +
                                                  "): jobs.query answered an incomplete job "
                                                  "without a jobReference");
    }
    if (polls == 60) {
      co_return make_error(errc::timeout, where_ + " (" + std::string(what) + "): job " +
                                              answer->jobReference->jobId +
                                              " still running after about ten minutes");
    }
    std::string url = sql_.queries_url + '/' + answer->jobReference->jobId + "?timeoutMs=10000";
    if (answer->jobReference->location) url += "&location=" + *answer->jobReference->location;
    answer = query_answer(co_await client_.get(url, query_headers()), what);
  }
  if (!answer) co_return std::move(answer).error();
  std::int64_t affected = 0;
  if (const auto& n = answer->numDmlAffectedRows) {
    auto [p, ec] = std::from_chars(n->data(), n->data() + n->size(), affected);
    if (ec != std::errc{} || p != n->data() + n->size()) {
      co_return make_error(errc::unavailable, where_ + " (" + std::string(what) +
                                                  "): numDmlAffectedRows is not an integer: " +
                                                  connectors::body_excerpt(*n, 40));
    }
  }
  co_return affected;
}

SYNCLINE_DECL http::fields bigquery_writer::query_headers() const {
  http::fields h;
  h.set(http::field::content_type, "application/json");
  h.set(http::field::authorization, "Bearer " + std::string(options_.token.current().reveal()));
  return h;
}

// An answer of jobs.query or jobs.getQueryResults, or what went wrong. DML over rows still in
// the streaming buffer is refused with 400; it succeeds later, so it is errc::unavailable.
SYNCLINE_DECL result<bigquery_protocol::query_response> bigquery_writer::query_answer(
    result<http::response> answer, std::string_view what) const {
  const std::string call = where_ + " (" + std::string(what) + ", jobs.query)";
  if (!answer) {
    auto e = std::move(answer).error();
    return make_error(e.category, call + ": " + e.message, e.status);
  }
  if (auto status = connectors::answer_to_result(*answer, call); !status) {
    auto e = api_failure(std::move(status).error(), answer->body());
    if (answer->body().find("streaming buffer") != std::string::npos) {
      e.category = errc::unavailable;
      e.message +=
          " (rows written by insertAll in the last ~90 minutes cannot be deleted yet; "
          "retry later)";
    }
    return e;
  }
  auto decoded = json::decode<bigquery_protocol::query_response>(answer->body());
  if (!decoded) {
    return make_error(errc::unavailable, call +
                                             ": answered 2xx with a body that is not its "
                                             "documented shape: " +
                                             decoded.error().message);
  }
  return decoded;
}

}  // namespace syncline::warehouse::detail
