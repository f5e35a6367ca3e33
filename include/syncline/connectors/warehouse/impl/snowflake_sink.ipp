// The bodies of warehouse::detail::snowflake_writer: Snowflake SQL API statements, their polling
// and error mapping. Compiled once in separate mode (see <syncline/config.hpp>).
#pragma once

#include <syncline/connectors/warehouse/snowflake_sink.hpp>

#include <charconv>
#include <initializer_list>

namespace syncline::warehouse::detail {

SYNCLINE_DECL boost::asio::awaitable<std::vector<result<void>>> snowflake_writer::write(
    std::vector<staged_row>& rows) {
  std::vector<result<void>> results(rows.size());
  const auto chosen = distinct_by_key(rows, keep_first_, versioned_);
  const std::size_t per_statement = std::max<std::size_t>(1, options_.max_rows_per_statement);
  for (std::size_t start = 0; start < chosen.size(); start += per_statement) {
    const std::vector<std::size_t> chunk(
        chosen.begin() + static_cast<std::ptrdiff_t>(start),
        chosen.begin() +
            static_cast<std::ptrdiff_t>(std::min(chosen.size(), start + per_statement)));
    auto r = co_await merge(rows, chunk);
    if (!r && chunk.size() > 1 && !is_transient(r.error().category)) {
      // One bad value fails the whole statement: find it by writing the rows one by one.
      for (std::size_t i : chunk) {
        const std::vector<std::size_t> one{i};  // named: see batcher.hpp on g++ 12 temporaries
        results[i] = co_await merge(rows, one);
      }
    } else {
      for (std::size_t i : chunk) results[i] = r;
    }
  }
  // A repeated key shares the result of the write that stood for it.
  std::unordered_map<std::string_view, std::size_t> representative;
  for (std::size_t i : chosen) representative.emplace(rows[i].key, i);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const std::size_t rep = representative.at(rows[i].key);
    if (rep != i) results[i] = results[rep];
  }
  co_return results;
}

SYNCLINE_DECL boost::asio::awaitable<result<void>> snowflake_writer::merge(
    const std::vector<staged_row>& rows, const std::vector<std::size_t>& which) {
  boost::json::object bindings;
  std::size_t n = 1;
  for (std::size_t i : which) {
    for (const cell& c : rows[i].cells)
      bindings[std::to_string(n++)] = snowflake_dialect::binding(c);
  }
  auto r = co_await execute(merge_(which.size()), std::move(bindings));
  if (!r) co_return std::move(r).error();
  co_return result<void>{};
}

SYNCLINE_DECL boost::asio::awaitable<result<void>> snowflake_writer::create_table() {
  for (const std::string* sql : {&create_sql_, &add_tenant_column_sql_}) {
    auto r = co_await execute(*sql, boost::json::object{});
    if (!r) co_return std::move(r).error();
  }
  co_return result<void>{};
}

SYNCLINE_DECL boost::asio::awaitable<result<std::int64_t>> snowflake_writer::erase_keys(
    std::string tenant, std::vector<std::vector<cell>> keys) {
  std::int64_t erased = 0;
  for (std::size_t start = 0; start < keys.size(); start += erase_.keys_per_statement) {
    const std::size_t n = std::min(erase_.keys_per_statement, keys.size() - start);
    boost::json::object bindings;
    bindings["1"] = snowflake_dialect::binding(cell{tenant});
    std::size_t index = 2;
    for (std::size_t k = start; k < start + n; ++k) {
      for (const cell& c : keys[k])
        bindings[std::to_string(index++)] = snowflake_dialect::binding(c);
    }
    auto r = co_await erase(erase_.keys(n), std::move(bindings));
    if (!r) co_return r;
    erased += *r;
  }
  co_return erased;
}

SYNCLINE_DECL boost::asio::awaitable<result<std::int64_t>> snowflake_writer::erase_tenant(
    std::string tenant) {
  boost::json::object bindings;
  bindings["1"] = snowflake_dialect::binding(cell{std::move(tenant)});
  co_return co_await erase(erase_.tenant, std::move(bindings));
}

SYNCLINE_DECL boost::asio::awaitable<result<std::int64_t>> snowflake_writer::erase(
    const std::string& statement, boost::json::object bindings) {
  auto body = co_await execute(statement, std::move(bindings));
  if (!body) co_return std::move(body).error();
  auto decoded = json::decode<snowflake_protocol::dml_response>(*body);
  if (decoded && decoded->stats && decoded->stats->numRowsDeleted) {
    co_return *decoded->stats->numRowsDeleted;
  }
  if (decoded && decoded->data && !decoded->data->empty() && !decoded->data->front().empty() &&
      decoded->data->front().front()) {
    const std::string& n = *decoded->data->front().front();
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(n.data(), n.data() + n.size(), v);
    if (ec == std::errc{} && p == n.data() + n.size()) co_return v;
  }
  co_return make_error(errc::unavailable,
                       where_ +
                           ": the DELETE ran, but its answer holds no count of deleted rows: " +
                           connectors::body_excerpt(*body));
}

SYNCLINE_DECL http::fields snowflake_writer::headers() const {
  http::fields h;
  h.set(http::field::content_type, "application/json");
  h.set(http::field::accept, "application/json");
  h.set(http::field::authorization, "Bearer " + std::string(options_.token.current().reveal()));
  h.set("X-Snowflake-Authorization-Token-Type", options_.token_type);
  return h;
}

SYNCLINE_DECL boost::asio::awaitable<result<std::string>> snowflake_writer::execute(
    const std::string& statement, boost::json::object bindings) {
  boost::json::object body;
  body["statement"] = statement;
  body["timeout"] = options_.statement_timeout.count();
  if (!options_.database.empty()) body["database"] = options_.database;
  if (!options_.schema.empty()) body["schema"] = options_.schema;
  if (!options_.warehouse.empty()) body["warehouse"] = options_.warehouse;
  if (!options_.role.empty()) body["role"] = options_.role;
  if (!bindings.empty()) body["bindings"] = std::move(bindings);
  const std::string text = boost::json::serialize(body);
  const std::string request_id = options_.request_id();

  ingest_retry retry(options_.retry);
  for (bool again = false;; again = true) {
    const std::string url =
        base_ + "/api/v2/statements?requestId=" + request_id + (again ? "&retry=true" : "");
    http::request_options call;
    call.retry_unsafe = true;  // the requestId makes a repeat harmless
    auto answer = co_await client_.post(url, text, headers(), std::move(call));
    result<std::string> outcome = co_await settle(std::move(answer));
    if (outcome || !is_transient(outcome.error().category) || !co_await retry.next()) {
      co_return outcome;
    }
  }
}

SYNCLINE_DECL boost::asio::awaitable<result<std::string>> snowflake_writer::settle(
    result<http::response> answer) {
  auto started = std::chrono::steady_clock::now();
  auto wait = options_.poll_interval;
  for (;;) {
    if (!answer) {
      auto e = std::move(answer).error();
      co_return make_error(e.category, where_ + ": " + e.message, e.status);
    }
    const unsigned status = answer->result_int();
    if (status == 200) co_return std::string(answer->body());
    auto decoded = json::decode<snowflake_protocol::statement_response>(answer->body());
    if (status == 422) co_return statement_failed(decoded);
    if (status != 202) {
      co_return connectors::answer_to_result(*answer, where_ + " (SQL API)").error();
    }
    if (!decoded || !decoded->statementHandle || decoded->statementHandle->empty()) {
      co_return make_error(errc::unavailable,
                           where_ + ": the SQL API answered 202 without a statementHandle");
    }
    if (std::chrono::steady_clock::now() - started + wait > options_.max_wait) {
      co_return make_error(errc::timeout, where_ + ": statement " + *decoded->statementHandle +
                                              " still running after " +
                                              std::to_string(options_.max_wait.count()) + " ms");
    }
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, wait);
    co_await timer.async_wait(boost::asio::use_awaitable);
    wait = std::min(wait * 2, options_.max_poll_interval);
    answer =
        co_await client_.get(base_ + "/api/v2/statements/" + *decoded->statementHandle, headers());
  }
}

SYNCLINE_DECL ::syncline::error snowflake_writer::statement_failed(
    const result<snowflake_protocol::statement_response>& decoded) const {
  std::string message = where_ + ": the statement failed";
  if (decoded) {
    if (decoded->code) message += " (code " + *decoded->code;
    if (decoded->sqlState)
      message += (decoded->code ? ", SQLSTATE " : " (SQLSTATE ") + *decoded->sqlState;
    if (decoded->code || decoded->sqlState) message += ")";
    if (decoded->message) message += ": " + connectors::body_excerpt(*decoded->message);
  }
  return make_error(errc::invalid_input, std::move(message), 422);
}

}  // namespace syncline::warehouse::detail
