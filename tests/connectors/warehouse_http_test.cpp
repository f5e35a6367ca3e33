// BigQuery and Snowflake sinks against local servers that implement the documented request and
// answer shapes of tabledata.insertAll and the Snowflake SQL API (PROTOCOLS.md). These are
// protocol tests: they show the sinks speak the protocols as documented, not that the services
// accept every statement.
#include <syncline/connectors/warehouse/bigquery_sink.hpp>
#include <syncline/connectors/warehouse/erasable.hpp>
#include <syncline/connectors/warehouse/snowflake_sink.hpp>
#include <syncline/connectors/warehouse/write_to.hpp>
#include <syncline/core/money.hpp>
#include <syncline/core/timestamp.hpp>
#include <syncline/http/server.hpp>

#include <boost/describe/class.hpp>
#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "connectors/erasure_outcome.hpp"
#include "http/test_support.hpp"

namespace unity_connectors_warehouse_http_test {

namespace wh = syncline::warehouse;
namespace net = boost::asio;
using syncline::errc;
using syncline::http::test::run;
using syncline::test::outcome;
using namespace std::chrono_literals;

namespace ingest_test {

struct order_row {
  std::uint64_t id = 0;
  std::string name;
  syncline::money total;
  syncline::timestamp created_at;
  std::optional<std::string> note;
  std::vector<std::string> tags;
  bool paid = false;
};
BOOST_DESCRIBE_STRUCT(order_row, (), (id, name, total, created_at, note, tags, paid))

using orders = wh::table<order_row, "analytics.orders", wh::key<"id">>;
using order_events = wh::table<order_row, "analytics.order_events">;
// newer<>: a row replaces the stored one only if its created_at is not older.
using versioned_orders =
    wh::table<order_row, "analytics.orders", wh::key<"id">, wh::newer<"created_at">>;

order_row make_order(std::uint64_t id, std::string name = "#1001") {
  return {id,
          std::move(name),
          *syncline::money::parse("199.65"),
          *syncline::timestamp::parse("2024-01-15T10:00:00-05:00"),
          std::nullopt,
          {"vip", "b2b"},
          true};
}

const syncline::secret token("ya29.test-access-token-SECRET");

// Quick retries, so the tests of transient failures take milliseconds.
syncline::http::request_retry quick_retry() {
  syncline::http::request_retry p;
  p.initial_backoff = 1ms;
  p.max_backoff = 5ms;
  return p;
}

syncline::http::client_options quick_client() {
  syncline::http::client_options o;
  o.retry = quick_retry();
  return o;
}

// Starts `n` writes at once on the threads' executor and returns their results in order.
template <class Sink>
std::vector<syncline::result<void>> write_all(syncline::http::io_threads& threads, Sink& sink,
                                              const std::vector<order_row>& rows,
                                              std::function<std::string(std::size_t)> run_key = {},
                                              std::string tenant = {}) {
  auto body = [&]() -> net::awaitable<std::vector<syncline::result<void>>> {
    auto ex = co_await net::this_coro::executor;
    std::vector<syncline::result<void>> results(rows.size());
    auto done = std::make_shared<net::steady_timer>(ex, std::chrono::hours(1));
    auto pending = std::make_shared<std::size_t>(rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
      net::co_spawn(
          ex,
          [&, i, done, pending]() -> net::awaitable<void> {
            const std::string key = run_key ? run_key(i) : std::string();
            results[i] = co_await sink.write(rows[i], key, tenant);
            if (--*pending == 0) done->cancel();
          },
          net::detached);
    }
    boost::system::error_code ec;
    co_await done->async_wait(net::redirect_error(net::use_awaitable, ec));
    co_return results;
  };
  return run(threads, body());
}

syncline::http::response json_response(unsigned status, const boost::json::value& body) {
  return syncline::http::make_response(status, boost::json::serialize(body));
}

// --- A local tabledata.insertAll ------------------------------------------------------------
// Keeps inserted rows, dedupes by insertId, rejects rows whose name is "INVALID" (reason
// invalid), fails rows named "FLAKY" once with backendError, honours skipInvalidRows, and
// answers the next requests with a status on demand.
class fake_bigquery {
 public:
  explicit fake_bigquery(syncline::http::io_threads& threads) : server_(threads.executor()) {
    server_.route(syncline::http::verb::post,
                  "/bigquery/v2/projects/{project}/datasets/{dataset}/tables/{table}/insertAll",
                  [this](syncline::http::incoming& in) -> net::awaitable<syncline::http::response> {
                    co_return handle(in);
                  });
    server_.route(syncline::http::verb::post, "/bigquery/v2/projects/{project}/queries",
                  [this](syncline::http::incoming& in) -> net::awaitable<syncline::http::response> {
                    co_return query(in);
                  });
    server_.route(syncline::http::verb::get, "/bigquery/v2/projects/{project}/queries/{job}",
                  [this](syncline::http::incoming& in) -> net::awaitable<syncline::http::response> {
                    co_return query_results(in);
                  });
    REQUIRE(server_.listen().has_value());
  }
  ~fake_bigquery() { server_.stop(); }

  // jobs.query: the requests seen, a job left running for `polls` getQueryResults calls, and
  // DML refused as BigQuery refuses it over rows in the streaming buffer.
  std::vector<boost::json::object> queries() {
    std::lock_guard lock(mutex_);
    return queries_;
  }
  void run_queries_async(int polls) {
    std::lock_guard lock(mutex_);
    polls_left_ = polls;
  }
  void refuse_streaming_buffer(bool refuse) {
    std::lock_guard lock(mutex_);
    streaming_buffer_ = refuse;
  }
  int result_polls() {
    std::lock_guard lock(mutex_);
    return result_polls_;
  }
  // A row inserted before the table had _syncline_tenant.
  void seed_old_row(std::int64_t id) {
    std::lock_guard lock(mutex_);
    stored_.push_back({{"id", id}, {"name", "old"}});
  }

  std::string url() const { return server_.url(); }
  void fail_next(unsigned status, int times = 1) {
    std::lock_guard lock(mutex_);
    fail_status_ = status;
    fail_times_ = times;
  }
  std::vector<boost::json::object> rows() {
    std::lock_guard lock(mutex_);
    return stored_;
  }
  int requests() {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  std::size_t largest_request() {
    std::lock_guard lock(mutex_);
    return largest_request_;
  }
  std::string last_path() {
    std::lock_guard lock(mutex_);
    return last_path_;
  }

 private:
  syncline::http::response handle(syncline::http::incoming& in) {
    std::lock_guard lock(mutex_);
    ++requests_;
    last_path_ = std::string(in.path);
    largest_request_ = std::max(largest_request_, in.body().size());
    if (in.header("Authorization") != "Bearer " + std::string(token.reveal())) {
      return json_response(401, {{"error",
                                  {{"code", 401},
                                   {"message", "Request had invalid authentication credentials."},
                                   {"errors", {{{"reason", "authError"}}}},
                                   {"status", "UNAUTHENTICATED"}}}});
    }
    if (fail_times_ > 0) {
      --fail_times_;
      return json_response(fail_status_, {{"error",
                                           {{"code", fail_status_},
                                            {"message", "The service is unavailable."},
                                            {"errors", {{{"reason", "backendError"}}}}}}});
    }
    const auto request = boost::json::parse(in.body()).as_object();
    const bool skip_invalid = request.at("skipInvalidRows").as_bool();
    const auto& rows = request.at("rows").as_array();
    boost::json::array errors;
    std::vector<std::size_t> accepted;
    bool any_invalid = false;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const auto& row = rows[i].as_object();
      const std::string id(row.at("insertId").as_string());
      const auto& name = row.at("json").as_object().at("name").as_string();
      if (name == "INVALID") {
        any_invalid = true;
        errors.push_back({{"index", i},
                          {"errors",
                           {{{"reason", "invalid"},
                             {"location", "name"},
                             {"debugInfo", ""},
                             {"message", "Marked invalid by the test."}}}}});
      } else if (name == "FLAKY" && flaky_seen_.insert(id).second) {
        errors.push_back(
            {{"index", i},
             {"errors",
              {{{"reason", "backendError"}, {"location", ""}, {"message", "Try again."}}}}});
      } else {
        accepted.push_back(i);
      }
    }
    if (any_invalid && !skip_invalid) {
      // Nothing is inserted; the rows that were fine are "stopped".
      for (std::size_t i : accepted) {
        errors.push_back(
            {{"index", i},
             {"errors", {{{"reason", "stopped"}, {"location", ""}, {"message", ""}}}}});
      }
      accepted.clear();
    }
    for (std::size_t i : accepted) {
      const auto& row = rows[i].as_object();
      if (!seen_ids_.insert(std::string(row.at("insertId").as_string())).second)
        continue;  // dedupe
      boost::json::object stored = row.at("json").as_object();
      stored["_insert_id"] = row.at("insertId");
      stored_.push_back(std::move(stored));
    }
    boost::json::object answer{{"kind", "bigquery#tableDataInsertAllResponse"}};
    if (!errors.empty()) answer["insertErrors"] = std::move(errors);
    return json_response(200, answer);
  }

  // Runs the sink's DELETEs of the orders table (key `id`) and its ALTER TABLE on the stored rows.
  syncline::http::response query(syncline::http::incoming& in) {
    std::lock_guard lock(mutex_);
    if (in.header("Authorization") != "Bearer " + std::string(token.reveal())) {
      return json_response(401, {{"error", {{"code", 401}, {"message", "Invalid credentials."}}}});
    }
    const auto request = boost::json::parse(in.body()).as_object();
    queries_.push_back(request);
    const std::string sql(request.at("query").as_string());
    if (streaming_buffer_ && sql.starts_with("DELETE")) {
      return json_response(
          400, {{"error",
                 {{"code", 400},
                  {"message",
                   "UPDATE or DELETE statement over table p.analytics.orders would affect rows "
                   "in the streaming buffer, which is not supported"},
                  {"errors", {{{"reason", "invalidQuery"}}}}}}});
    }
    std::map<std::string, boost::json::value> params;
    if (auto* list = request.if_contains("queryParameters")) {
      for (const auto& p : list->as_array()) {
        params[std::string(p.at("name").as_string())] = p.at("parameterValue");
      }
    }
    std::int64_t affected = 0;
    if (sql.starts_with("ALTER TABLE")) {
      for (auto& row : stored_) row.emplace("_syncline_tenant", nullptr);  // NULL in old rows
    } else if (sql.starts_with("DELETE")) {
      const auto tenant = params.at("tenant").at("value");
      std::set<std::string> keys;
      const bool by_key = params.count("keys") == 1;
      if (by_key) {
        for (const auto& k : params.at("keys").at("arrayValues").as_array())
          keys.insert(std::string(k.at("value").as_string()));
      }
      std::erase_if(stored_, [&](const boost::json::object& row) {
        const auto* t = row.if_contains("_syncline_tenant");
        if (!t || *t != tenant) return false;
        if (!by_key) return ++affected, true;
        const auto& id = row.at("id");
        const std::string text = id.is_string() ? std::string(id.as_string())
                                                : std::to_string(id.to_number<std::int64_t>());
        return keys.count(text) == 1 && (++affected, true);
      });
    }
    last_affected_ = std::to_string(affected);
    boost::json::object answer{
        {"kind", "bigquery#queryResponse"},
        {"jobReference", {{"projectId", "p"}, {"jobId", "job-1"}, {"location", "EU"}}}};
    if (polls_left_ > 0) {
      answer["jobComplete"] = false;
      return json_response(200, answer);
    }
    answer["jobComplete"] = true;
    if (sql.starts_with("DELETE")) answer["numDmlAffectedRows"] = last_affected_;
    return json_response(200, answer);
  }

  syncline::http::response query_results(syncline::http::incoming& in) {
    std::lock_guard lock(mutex_);
    ++result_polls_;
    if (in.param("job") != "job-1" || in.query_param("location").value_or("") != "EU") {
      return json_response(404, {{"error", {{"code", 404}, {"message", "Not found: Job"}}}});
    }
    boost::json::object answer{{"kind", "bigquery#getQueryResultsResponse"},
                               {"jobReference", {{"jobId", "job-1"}, {"location", "EU"}}},
                               {"jobComplete", --polls_left_ <= 0}};
    if (polls_left_ <= 0) answer["numDmlAffectedRows"] = last_affected_;
    return json_response(200, answer);
  }

  syncline::http::server server_;
  std::mutex mutex_;
  std::vector<boost::json::object> stored_, queries_;
  std::string last_affected_;
  int polls_left_ = 0, result_polls_ = 0;
  bool streaming_buffer_ = false;
  std::set<std::string> seen_ids_, flaky_seen_;
  int requests_ = 0;
  std::size_t largest_request_ = 0;
  unsigned fail_status_ = 0;
  int fail_times_ = 0;
  std::string last_path_;
};

// --- A local Snowflake SQL API --------------------------------------------------------------
// Runs MERGE statements of the orders table on a map keyed by the first column, remembers each
// requestId's outcome (a repeated requestId is answered without running again), answers 202
// and makes the client poll when asked, can lose the answer of a statement it ran (answering
// `lost_status` instead), and fails a statement with 422 when a bound value is "BAD". A MERGE
// carrying versioned_orders' newer<> condition updates a row only when the stored CREATED_AT is
// not a later instant, as Snowflake compares TIMESTAMP_TZ values.
class fake_snowflake {
 public:
  static constexpr std::size_t columns = 8;  // order_row, and _syncline_tenant

  explicit fake_snowflake(syncline::http::io_threads& threads) : server_(threads.executor()) {
    server_.route(syncline::http::verb::post, "/api/v2/statements",
                  [this](syncline::http::incoming& in) -> net::awaitable<syncline::http::response> {
                    co_return post(in);
                  });
    server_.route(syncline::http::verb::get, "/api/v2/statements/{handle}",
                  [this](syncline::http::incoming& in) -> net::awaitable<syncline::http::response> {
                    co_return poll(in);
                  });
    REQUIRE(server_.listen().has_value());
  }
  ~fake_snowflake() { server_.stop(); }

  struct request_seen {
    std::string request_id;
    bool retry_flag = false;
    boost::json::object body;
  };

  std::string url() const { return server_.url(); }
  void answer_async(int polls_before_done) {
    std::lock_guard lock(mutex_);
    polls_before_done_ = polls_before_done;
  }
  void lose_next_answer(unsigned status) {
    std::lock_guard lock(mutex_);
    lost_status_ = status;
  }
  std::vector<request_seen> requests() {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  std::map<std::string, std::vector<boost::json::value>> table() {
    std::lock_guard lock(mutex_);
    return table_;
  }
  // A row written before the table had _SYNCLINE_TENANT.
  void seed_old_row(const std::string& id) {
    std::lock_guard lock(mutex_);
    std::vector<boost::json::value> row(columns - 1,
                                        boost::json::value{{"type", "TEXT"}, {"value", "old"}});
    row[0] = {{"type", "FIXED"}, {"value", id}};
    table_[id] = std::move(row);
  }
  int executions() {
    std::lock_guard lock(mutex_);
    return executions_;
  }
  int polls() {
    std::lock_guard lock(mutex_);
    return polls_;
  }

 private:
  struct statement_state {
    std::string handle;
    unsigned status = 200;  // 200 done, 422 failed
    boost::json::object failure;
    int polls_left = 0;
    std::optional<std::int64_t> deleted;  // a DELETE's count
  };

  bool authorized(const syncline::http::incoming& in) const {
    return in.header("Authorization") == "Bearer " + std::string(token.reveal()) &&
           in.header("X-Snowflake-Authorization-Token-Type") == "KEYPAIR_JWT";
  }
  static syncline::http::response unauthorized() {
    return json_response(401, {{"code", "390303"}, {"message", "Invalid OAuth access token."}});
  }

  syncline::http::response answer(const std::string& request_id, statement_state& s) {
    if (s.polls_left > 0) {
      return json_response(202, {{"code", "333334"},
                                 {"message",
                                  "Asynchronous execution in progress. Use provided query id to "
                                  "perform query monitoring and management."},
                                 {"statementHandle", s.handle},
                                 {"statementStatusUrl", "/api/v2/statements/" + s.handle}});
    }
    if (s.status == 422) return json_response(422, s.failure);
    if (s.deleted) {
      // A DML answer: the count as the one-row result set, and in stats.
      return json_response(
          200, {{"resultSetMetaData",
                 {{"numRows", 1},
                  {"format", "jsonv2"},
                  {"rowType", {{{"name", "number of rows deleted"}, {"type", "fixed"}}}}}},
                {"data", {{std::to_string(*s.deleted)}}},
                {"stats", {{"numRowsDeleted", *s.deleted}}},
                {"code", "090001"},
                {"statementHandle", s.handle},
                {"message", "Statement executed successfully."}});
    }
    return json_response(200, {{"resultSetMetaData", {{"numRows", 1}, {"format", "jsonv2"}}},
                               {"data", {{"1", "0"}}},
                               {"code", "090001"},
                               {"statementStatusUrl", "/api/v2/statements/" + s.handle},
                               {"requestId", request_id},
                               {"sqlState", "00000"},
                               {"statementHandle", s.handle},
                               {"message", "Statement executed successfully."}});
  }

  syncline::http::response post(syncline::http::incoming& in) {
    std::lock_guard lock(mutex_);
    if (!authorized(in)) return unauthorized();
    request_seen seen;
    seen.request_id = in.query_param("requestId").value_or("");
    seen.retry_flag = in.query_param("retry").value_or("") == "true";
    seen.body = boost::json::parse(in.body()).as_object();
    requests_.push_back(seen);
    auto known = by_request_.find(seen.request_id);
    if (known != by_request_.end()) return answer(seen.request_id, known->second);  // not run again

    statement_state s;
    s.handle = "01b2-" + std::to_string(by_request_.size());
    s.polls_left = std::exchange(polls_before_done_, 0);
    execute(seen.body, s);
    auto& stored = by_request_[seen.request_id] = s;
    handles_[stored.handle] = seen.request_id;
    if (lost_status_) {
      return json_response(std::exchange(lost_status_, 0u), {{"message", "lost"}});
    }
    return answer(seen.request_id, stored);
  }

  syncline::http::response poll(syncline::http::incoming& in) {
    std::lock_guard lock(mutex_);
    if (!authorized(in)) return unauthorized();
    ++polls_;
    auto h = handles_.find(std::string(in.param("handle")));
    if (h == handles_.end()) return json_response(404, {{"message", "no such statement"}});
    auto& s = by_request_.at(h->second);
    if (s.polls_left > 0) --s.polls_left;
    return answer(h->second, s);
  }

  void execute(const boost::json::object& body, statement_state& s) {
    const std::string statement(body.at("statement").as_string());
    if (statement.starts_with("ALTER TABLE") &&
        statement.find(R"(ADD COLUMN IF NOT EXISTS "_SYNCLINE_TENANT")") != std::string::npos) {
      for (auto& [key, row] : table_) {
        if (row.size() < columns) row.push_back({{"type", "TEXT"}, {"value", ""}});  // the default
      }
      return;
    }
    if (statement.starts_with("DELETE FROM")) {
      erase(statement, body.at("bindings").as_object(), s);
      return;
    }
    if (statement.rfind("MERGE INTO", 0) != 0) return;  // DDL: nothing to keep
    const auto& bindings = body.at("bindings").as_object();
    std::vector<std::vector<boost::json::value>> rows(bindings.size() / columns);
    for (std::size_t n = 0; n < rows.size() * columns; ++n) {
      const auto& b = bindings.at(std::to_string(n + 1)).as_object();
      if (b.at("value").is_string() && b.at("value").as_string() == "BAD") {
        s.status = 422;
        s.failure = {{"code", "100038"},
                     {"sqlState", "22018"},
                     {"message", "Numeric value 'BAD' is not recognized"},
                     {"statementHandle", s.handle}};
        return;
      }
      rows[n / columns].push_back(b);
    }
    ++executions_;
    const bool keep_existing = statement.find("WHEN MATCHED") == std::string::npos;
    const bool newer_only =
        statement.find(R"( WHEN MATCHED AND (t."CREATED_AT" IS NULL OR )"
                       R"(s."CREATED_AT" >= t."CREATED_AT") THEN UPDATE)") != std::string::npos;
    auto created_at = [](const std::vector<boost::json::value>& row) {
      return *syncline::timestamp::parse(row[3].as_object().at("value").as_string());
    };
    for (auto& row : rows) {
      const std::string key(row[0].as_object().at("value").as_string());
      auto stored = table_.find(key);
      if (keep_existing && stored != table_.end()) continue;
      if (newer_only && stored != table_.end() && created_at(row) < created_at(stored->second))
        continue;
      table_[key] = std::move(row);
    }
  }

  // The sink's DELETEs of the orders table: binding 1 the tenant, the others keys of "ID".
  void erase(const std::string& statement, const boost::json::object& bindings,
             statement_state& s) {
    REQUIRE(
        statement.starts_with(R"(DELETE FROM "ANALYTICS"."ORDERS" WHERE "_SYNCLINE_TENANT" = ?)"));
    const auto tenant = bindings.at("1").at("value");
    const bool by_key = statement.find(R"("ID" IN ()") != std::string::npos;
    std::set<std::string> keys;
    for (std::size_t n = 2; n <= bindings.size(); ++n)
      keys.insert(std::string(bindings.at(std::to_string(n)).at("value").as_string()));
    s.deleted = std::erase_if(table_, [&](const auto& entry) {
      const auto& row = entry.second;
      return row.size() == columns && row[columns - 1].at("value") == tenant &&
             (!by_key || keys.count(entry.first) == 1);
    });
  }

  syncline::http::server server_;
  std::mutex mutex_;
  std::vector<request_seen> requests_;
  std::map<std::string, statement_state> by_request_;
  std::map<std::string, std::string> handles_;
  std::map<std::string, std::vector<boost::json::value>> table_;
  int executions_ = 0, polls_ = 0, polls_before_done_ = 0;
  unsigned lost_status_ = 0;
};

std::string binding_value(const boost::json::value& b) {
  const auto& v = b.as_object().at("value");
  return v.is_null() ? "<null>" : std::string(v.as_string());
}

}  // namespace ingest_test

using namespace ingest_test;

// --- BigQuery ---------------------------------------------------------------------------------

TEST_CASE("bigquery sink: rows go to insertAll with exact values and a replay-proof insertId",
          "[warehouse][bigquery]") {
  syncline::http::io_threads threads(1);
  fake_bigquery bq(threads);
  syncline::http::client client(threads.executor(), quick_client());
  auto sink = wh::bigquery_sink<orders>::open(
      threads.executor(), client,
      {.base_url = bq.url(), .project = "shop-analytics", .token = token});
  REQUIRE(sink.has_value());

  const std::vector<order_row> rows{make_order(820982911946154508ULL), make_order(7, "#7")};
  auto results = write_all(threads, *sink, rows,
                           [](std::size_t i) { return "t/i/w/r-" + std::to_string(i) + "/3"; });
  for (auto& r : results) CHECK(r.has_value());
  CHECK(bq.last_path() ==
        "/bigquery/v2/projects/shop-analytics/datasets/analytics/tables/orders/insertAll");

  auto stored = bq.rows();
  REQUIRE(stored.size() == 2);
  const auto& first = stored[0].at("id").is_string() ? stored[0] : stored[1];
  CHECK(first.at("id") == "820982911946154508");  // above 2^53: sent as a string
  CHECK(first.at("total") == "199.65");
  CHECK(first.at("created_at") == "2024-01-15T10:00:00-05:00");
  CHECK_FALSE(first.contains("note"));
  CHECK(first.at("tags") == boost::json::array{"vip", "b2b"});
  const auto& second = stored[0].at("id").is_string() ? stored[1] : stored[0];
  CHECK(second.at("id") == 7);
  CHECK(bq.requests() == 1);  // both rows in one request

  // The runtime replays run r-0: the same insertId, so BigQuery keeps one row.
  auto replay = write_all(threads, *sink, {make_order(820982911946154508ULL, "#1001 again")},
                          [](std::size_t) { return std::string("t/i/w/r-0/3"); });
  CHECK(replay[0].has_value());
  CHECK(bq.rows().size() == 2);
  CHECK(*wh::bigquery_sink<orders>::insert_id(rows[0], "t/i/w/r-0/3") ==
        std::string(first.at("_insert_id").as_string()));
  CHECK(*wh::bigquery_sink<orders>::insert_id(rows[0], "t/i/w/r-0/3") !=
        *wh::bigquery_sink<orders>::insert_id(rows[0], "t/i/w/r-9/3"));
  // A later run writing the same order appends a new version (BigQuery has no upsert).
  auto later = write_all(threads, *sink, {make_order(820982911946154508ULL, "#1001 v2")},
                         [](std::size_t) { return std::string("t/i/w/r-5/3"); });
  CHECK(later[0].has_value());
  CHECK(bq.rows().size() == 3);
}

TEST_CASE("bigquery sink: insertErrors fail only their rows, transient ones are re-sent",
          "[warehouse][bigquery]") {
  syncline::http::io_threads threads(1);
  fake_bigquery bq(threads);
  syncline::http::client client(threads.executor(), quick_client());
  const bool skip_invalid = GENERATE(true, false);
  auto sink = wh::bigquery_sink<orders>::open(threads.executor(), client,
                                              {.base_url = bq.url(),
                                               .project = "p",
                                               .token = token,
                                               .skip_invalid_rows = skip_invalid,
                                               .retry = quick_retry()});
  REQUIRE(sink.has_value());

  const std::vector<order_row> rows{make_order(1, "ok"), make_order(2, "INVALID"),
                                    make_order(3, "FLAKY"), make_order(4, "ok")};
  auto results =
      write_all(threads, *sink, rows, [](std::size_t i) { return "r-" + std::to_string(i); });
  CHECK(results[0].has_value());
  REQUIRE_FALSE(results[1].has_value());
  CHECK(results[1].error().category == errc::invalid_input);
  CHECK_THAT(results[1].error().message, Catch::Contains("BigQuery table p.analytics.orders") &&
                                             Catch::Contains("request index 1") &&
                                             Catch::Contains("reason=invalid") &&
                                             Catch::Contains("location=name") &&
                                             Catch::Contains("Marked invalid by the test."));
  CHECK(results[2].has_value());  // backendError, then accepted with the same insertId
  CHECK(results[3].has_value());
  auto stored = bq.rows();
  CHECK(stored.size() == 3);
  std::set<std::string> ids;
  for (const auto& r : stored) ids.insert(std::string(r.at("_insert_id").as_string()));
  CHECK(ids.size() == 3);
}

TEST_CASE("bigquery sink: requests are split at the row and byte limits", "[warehouse][bigquery]") {
  syncline::http::io_threads threads(1);
  fake_bigquery bq(threads);
  syncline::http::client client(threads.executor(), quick_client());
  SECTION("1,200 rows, at most 500 per request") {
    auto sink = wh::bigquery_sink<orders>::open(threads.executor(), client,
                                                {.base_url = bq.url(),
                                                 .project = "p",
                                                 .token = token,
                                                 .batch = {.max_rows = 1200, .max_delay = 50ms}});
    std::vector<order_row> rows;
    for (std::uint64_t i = 0; i < 1200; ++i) rows.push_back(make_order(i));
    auto results =
        write_all(threads, *sink, rows, [](std::size_t i) { return "r-" + std::to_string(i); });
    for (auto& r : results) REQUIRE(r.has_value());
    CHECK(bq.rows().size() == 1200);
    CHECK(bq.requests() >= 3);
    CHECK(bq.requests() <= 6);
  }
  SECTION("a byte limit, and a row over it on its own") {
    auto sink = wh::bigquery_sink<orders>::open(
        threads.executor(), client,
        {.base_url = bq.url(), .project = "p", .token = token, .max_request_bytes = 1000});
    std::vector<order_row> rows;
    for (std::uint64_t i = 0; i < 10; ++i) rows.push_back(make_order(i));
    rows[9].note = std::string(2000, 'x');
    auto results =
        write_all(threads, *sink, rows, [](std::size_t i) { return "r-" + std::to_string(i); });
    for (std::size_t i = 0; i < 9; ++i) CHECK(results[i].has_value());
    REQUIRE_FALSE(results[9].has_value());
    CHECK(results[9].error().category == errc::limit_exceeded);
    CHECK(bq.rows().size() == 9);
    CHECK(bq.requests() >= 2);  // ~150 bytes a row, at most 1000 bytes a request
    CHECK(bq.largest_request() <= 1000);
  }
}

TEST_CASE("bigquery sink: 5xx is retried, 401 is not, and the token never shows",
          "[warehouse][bigquery]") {
  syncline::http::io_threads threads(1);
  fake_bigquery bq(threads);
  syncline::http::client client(threads.executor(), quick_client());
  SECTION("503 twice, then accepted") {
    auto sink = wh::bigquery_sink<orders>::open(
        threads.executor(), client, {.base_url = bq.url(), .project = "p", .token = token});
    bq.fail_next(503, 2);
    auto r =
        write_all(threads, *sink, {make_order(1)}, [](std::size_t) { return std::string("r"); });
    CHECK(r[0].has_value());
    CHECK(bq.requests() == 3);
    CHECK(bq.rows().size() == 1);
  }
  SECTION("500 until the attempts are spent: a transient error for the runtime") {
    auto sink = wh::bigquery_sink<orders>::open(
        threads.executor(), client,
        {.base_url = bq.url(), .project = "p", .token = token, .retry = quick_retry()});
    bq.fail_next(500, 100);
    auto r =
        write_all(threads, *sink, {make_order(1)}, [](std::size_t) { return std::string("r"); });
    REQUIRE_FALSE(r[0].has_value());
    CHECK(r[0].error().category == errc::unavailable);
    CHECK(r[0].error().status == 500);
    CHECK(bq.requests() == quick_retry().max_attempts);
    CHECK_THAT(r[0].error().message, !Catch::Contains(std::string(token.reveal())));
  }
  SECTION("a wrong token") {
    auto sink = wh::bigquery_sink<orders>::open(
        threads.executor(), client,
        {.base_url = bq.url(), .project = "p", .token = syncline::secret("wrong-token-SECRET")});
    auto r =
        write_all(threads, *sink, {make_order(1)}, [](std::size_t) { return std::string("r"); });
    REQUIRE_FALSE(r[0].has_value());
    CHECK(r[0].error().category == errc::unauthorized);
    CHECK(bq.requests() == 1);
    CHECK_THAT(r[0].error().message,
               Catch::Contains("401") && !Catch::Contains("wrong-token-SECRET"));
  }
  SECTION("configuration mistakes are reported before any request") {
    auto no_project =
        wh::bigquery_sink<orders>::open(threads.executor(), client, {.base_url = bq.url()});
    REQUIRE_FALSE(no_project.has_value());
    CHECK_THAT(no_project.error().message, Catch::Contains("project"));
    using plain = wh::table<order_row, "orders", wh::key<"id">>;
    auto no_dataset = wh::bigquery_sink<plain>::open(threads.executor(), client,
                                                     {.base_url = bq.url(), .project = "p"});
    REQUIRE_FALSE(no_dataset.has_value());
    CHECK_THAT(no_dataset.error().message, Catch::Contains("dataset"));
  }
}

// --- Snowflake --------------------------------------------------------------------------------

wh::snowflake_sink_options snowflake_options_for(const fake_snowflake& sf) {
  wh::snowflake_sink_options o;
  o.account_url = sf.url();
  o.token = token;
  o.token_type = "KEYPAIR_JWT";
  o.database = "SHOP";
  o.warehouse = "LOAD_WH";
  o.poll_interval = 1ms;
  o.retry = quick_retry();
  return o;
}

TEST_CASE("snowflake sink: CREATE TABLE and MERGE statements with typed bindings",
          "[warehouse][snowflake]") {
  CHECK(
      wh::create_table_sql<orders, wh::snowflake_dialect>() ==
      R"(CREATE TABLE IF NOT EXISTS "ANALYTICS"."ORDERS" ("ID" NUMBER(38,0) NOT NULL, )"
      R"("NAME" VARCHAR NOT NULL, "TOTAL" NUMBER(38,18) NOT NULL, "CREATED_AT" TIMESTAMP_TZ(9) NOT NULL, )"
      R"("NOTE" VARCHAR, "TAGS" VARIANT NOT NULL, "PAID" BOOLEAN NOT NULL, )"
      R"("_SYNCLINE_TENANT" VARCHAR NOT NULL DEFAULT '', PRIMARY KEY ("ID")))");
  CHECK(
      wh::snowflake_merge_sql<orders>(2) ==
      R"(MERGE INTO "ANALYTICS"."ORDERS" AS t USING (SELECT ? AS "ID", ? AS "NAME", )"
      R"(?::NUMBER(38,18) AS "TOTAL", TO_TIMESTAMP_TZ(?) AS "CREATED_AT", ? AS "NOTE", )"
      R"(PARSE_JSON(?) AS "TAGS", ? AS "PAID", ? AS "_SYNCLINE_TENANT" UNION ALL SELECT )"
      R"(? AS "ID", ? AS "NAME", ?::NUMBER(38,18) AS "TOTAL", TO_TIMESTAMP_TZ(?) AS "CREATED_AT", )"
      R"(? AS "NOTE", PARSE_JSON(?) AS "TAGS", ? AS "PAID", ? AS "_SYNCLINE_TENANT") AS s ON )"
      R"(t."ID" = s."ID" WHEN MATCHED THEN UPDATE SET t."NAME" = s."NAME", )"
      R"(t."TOTAL" = s."TOTAL", t."CREATED_AT" = s."CREATED_AT", t."NOTE" = s."NOTE", )"
      R"(t."TAGS" = s."TAGS", t."PAID" = s."PAID", t."_SYNCLINE_TENANT" = s."_SYNCLINE_TENANT" )"
      R"(WHEN NOT MATCHED THEN INSERT ("ID", "NAME", "TOTAL", "CREATED_AT", "NOTE", "TAGS", )"
      R"("PAID", "_SYNCLINE_TENANT") VALUES (s."ID", s."NAME", s."TOTAL", s."CREATED_AT", )"
      R"(s."NOTE", s."TAGS", s."PAID", s."_SYNCLINE_TENANT"))");
  // Keyed by run: a replay finds its key and changes nothing.
  CHECK(wh::snowflake_merge_sql<order_events>(1).find("WHEN MATCHED") == std::string::npos);

  syncline::http::io_threads threads(1);
  fake_snowflake sf(threads);
  syncline::http::client client(threads.executor(), quick_client());
  auto sink =
      wh::snowflake_sink<orders>::open(threads.executor(), client, snowflake_options_for(sf));
  REQUIRE(sink.has_value());
  REQUIRE(run(threads, sink->create_table()).has_value());
  auto results = write_all(threads, *sink, {make_order(820982911946154508ULL)},
                           [](std::size_t) { return std::string("r-1"); });
  REQUIRE(results[0].has_value());

  auto requests = sf.requests();
  REQUIRE(requests.size() == 3);
  CHECK(requests[0].body.at("statement").as_string().starts_with("CREATE TABLE IF NOT EXISTS"));
  // A table made before the tenant column existed gets it.
  CHECK(requests[1].body.at("statement") ==
        R"(ALTER TABLE IF EXISTS "ANALYTICS"."ORDERS" ADD COLUMN IF NOT EXISTS )"
        R"("_SYNCLINE_TENANT" VARCHAR NOT NULL DEFAULT '')");
  requests.erase(requests.begin() + 1);
  const auto& merge = requests[1].body;
  CHECK(merge.at("database") == "SHOP");
  CHECK(merge.at("warehouse") == "LOAD_WH");
  CHECK(merge.at("timeout") == 60);
  CHECK(requests[1].request_id.size() == 36);
  CHECK(requests[1].request_id[14] == '4');  // a version-4 UUID
  CHECK(requests[0].request_id != requests[1].request_id);
  const auto& b = merge.at("bindings").as_object();
  CHECK(b.at("1") == boost::json::value{{"type", "FIXED"}, {"value", "820982911946154508"}});
  CHECK(b.at("3") == boost::json::value{{"type", "TEXT"}, {"value", "199.65"}});
  CHECK(b.at("4") == boost::json::value{{"type", "TEXT"}, {"value", "2024-01-15T10:00:00-05:00"}});
  CHECK(b.at("5") == boost::json::value{{"type", "TEXT"}, {"value", nullptr}});
  CHECK(b.at("6") == boost::json::value{{"type", "TEXT"}, {"value", R"(["vip","b2b"])"}});
  CHECK(b.at("7") == boost::json::value{{"type", "BOOLEAN"}, {"value", "true"}});
  CHECK(sf.table().count("820982911946154508") == 1);
}

TEST_CASE("snowflake sink: newer<> updates a row only with one that is not older",
          "[warehouse][snowflake]") {
  const std::string merge = wh::snowflake_merge_sql<versioned_orders>(1);
  CHECK_THAT(merge, Catch::Contains(R"(AS s ON t."ID" = s."ID" WHEN MATCHED AND )"
                                    R"((t."CREATED_AT" IS NULL OR s."CREATED_AT" >= )"
                                    R"(t."CREATED_AT") THEN UPDATE SET t."NAME" = s."NAME", )"));
  CHECK(merge.ends_with(R"(WHEN NOT MATCHED THEN INSERT ("ID", "NAME", "TOTAL", "CREATED_AT", )"
                        R"("NOTE", "TAGS", "PAID", "_SYNCLINE_TENANT") VALUES (s."ID", s."NAME", )"
                        R"(s."TOTAL", s."CREATED_AT", s."NOTE", s."TAGS", s."PAID", )"
                        R"(s."_SYNCLINE_TENANT"))"));

  syncline::http::io_threads threads(1);
  fake_snowflake sf(threads);
  syncline::http::client client(threads.executor(), quick_client());
  auto options = snowflake_options_for(sf);
  options.batch = {.max_rows = 3, .max_delay = 60s};
  auto sink = wh::snowflake_sink<versioned_orders>::open(threads.executor(), client, options);
  REQUIRE(sink.has_value());
  auto version = [](std::string name, std::string created_at) {
    auto o = make_order(1, std::move(name));
    o.created_at = *syncline::timestamp::parse(created_at);
    return o;
  };
  auto stored_name = [&] { return binding_value(sf.table().at("1")[1]); };

  // Three writes of one key in one batch, newest in the middle: one MERGE row, the newest.
  auto batch = write_all(
      threads, *sink,
      {version("middle", "2026-01-15T12:00:00Z"), version("newest", "2026-01-15T08:00:00-05:00"),
       version("oldest", "2026-01-15T11:00:00Z")});
  for (auto& r : batch) CHECK(r.has_value());
  REQUIRE(sf.requests().size() == 1);
  CHECK(sf.requests()[0].body.at("bindings").as_object().size() == fake_snowflake::columns);
  CHECK(stored_name() == "newest");

  // An older row written later is sent, succeeds, and leaves the stored row: the MERGE's
  // condition refuses it, not the sink.
  options.batch = {};
  auto one_by_one = wh::snowflake_sink<versioned_orders>::open(threads.executor(), client, options);
  REQUIRE(one_by_one.has_value());
  auto older = write_all(threads, *one_by_one, {version("late-older", "2026-01-15T12:59:59Z")});
  CHECK(older[0].has_value());
  CHECK(sf.requests().size() == 2);
  CHECK(stored_name() == "newest");
  // The same instant in another offset: the later write wins.
  auto same = write_all(threads, *one_by_one, {version("same-instant", "2026-01-15T13:00:00Z")});
  CHECK(same[0].has_value());
  CHECK(stored_name() == "same-instant");
}

TEST_CASE("snowflake sink: 202 is polled, and a lost answer is retried with the same requestId",
          "[warehouse][snowflake]") {
  syncline::http::io_threads threads(1);
  fake_snowflake sf(threads);
  syncline::http::client client(threads.executor(), quick_client());
  auto sink =
      wh::snowflake_sink<orders>::open(threads.executor(), client, snowflake_options_for(sf));
  REQUIRE(sink.has_value());

  SECTION("202, two polls still running, then done") {
    sf.answer_async(3);
    auto r =
        write_all(threads, *sink, {make_order(1)}, [](std::size_t) { return std::string("r"); });
    CHECK(r[0].has_value());
    CHECK(sf.polls() == 3);
    CHECK(sf.requests().size() == 1);
    CHECK(sf.executions() == 1);
  }
  SECTION("the statement ran but its answer was lost (500): re-sent with retry=true, run once") {
    sf.lose_next_answer(500);
    auto r =
        write_all(threads, *sink, {make_order(1)}, [](std::size_t) { return std::string("r"); });
    CHECK(r[0].has_value());
    auto requests = sf.requests();
    REQUIRE(requests.size() == 2);
    CHECK(requests[0].request_id == requests[1].request_id);
    CHECK_FALSE(requests[0].retry_flag);
    CHECK(requests[1].retry_flag);
    CHECK(sf.executions() == 1);
    CHECK(sf.table().size() == 1);
  }
  SECTION("a 503 after running is retried by the HTTP client with the same requestId") {
    sf.lose_next_answer(503);
    auto r =
        write_all(threads, *sink, {make_order(1)}, [](std::size_t) { return std::string("r"); });
    CHECK(r[0].has_value());
    auto requests = sf.requests();
    REQUIRE(requests.size() == 2);
    CHECK(requests[0].request_id == requests[1].request_id);
    CHECK(sf.executions() == 1);
  }
}

TEST_CASE("snowflake sink: batches, repeated keys, a bad row, and a refused token",
          "[warehouse][snowflake]") {
  syncline::http::io_threads threads(1);
  fake_snowflake sf(threads);
  syncline::http::client client(threads.executor(), quick_client());
  auto options = snowflake_options_for(sf);

  SECTION("1,000 writes of 800 keys: few statements, last write wins, one row per key") {
    options.max_rows_per_statement = 300;
    options.batch = {.max_rows = 1000, .max_delay = 50ms};
    auto sink = wh::snowflake_sink<orders>::open(threads.executor(), client, options);
    std::vector<order_row> rows;
    for (std::uint64_t i = 0; i < 1000; ++i)
      rows.push_back(make_order(i % 800, i >= 800 ? "again" : "first"));
    auto results =
        write_all(threads, *sink, rows, [](std::size_t i) { return "r-" + std::to_string(i); });
    for (auto& r : results) REQUIRE(r.has_value());
    auto table = sf.table();
    CHECK(table.size() == 800);
    CHECK(binding_value(table.at("5")[1]) == "again");
    CHECK(binding_value(table.at("500")[1]) == "first");
    CHECK(sf.executions() <= 8);
    CHECK(sink->statistics().rows == 1000);
  }
  SECTION("a value Snowflake refuses fails its own row; the others are written") {
    auto sink = wh::snowflake_sink<orders>::open(threads.executor(), client, options);
    const std::vector<order_row> rows{make_order(1), make_order(2, "BAD"), make_order(3)};
    auto results =
        write_all(threads, *sink, rows, [](std::size_t i) { return "r-" + std::to_string(i); });
    CHECK(results[0].has_value());
    REQUIRE_FALSE(results[1].has_value());
    CHECK(results[1].error().category == errc::invalid_input);
    CHECK_THAT(results[1].error().message,
               Catch::Contains("code 100038") && Catch::Contains("SQLSTATE 22018") &&
                   Catch::Contains("Numeric value 'BAD' is not recognized"));
    CHECK(results[2].has_value());
    CHECK(sf.table().size() == 2);
  }
  SECTION("a replayed run on a table keyed by run keeps the first write") {
    auto events = wh::snowflake_sink<order_events>::open(threads.executor(), client, options);
    auto first = write_all(threads, *events, {make_order(1, "first")},
                           [](std::size_t) { return std::string("t/i/w/r-1/3"); });
    auto again = write_all(threads, *events, {make_order(1, "replayed")},
                           [](std::size_t) { return std::string("t/i/w/r-1/3"); });
    CHECK(first[0].has_value());
    CHECK(again[0].has_value());
    auto table = sf.table();
    REQUIRE(table.size() == 1);
    CHECK(binding_value(table.begin()->second[1]) == "first");
  }
  SECTION("a refused token is permanent and not in the message") {
    options.token = syncline::secret("expired-jwt-SECRET");
    auto sink = wh::snowflake_sink<orders>::open(threads.executor(), client, options);
    auto r =
        write_all(threads, *sink, {make_order(1)}, [](std::size_t) { return std::string("r"); });
    REQUIRE_FALSE(r[0].has_value());
    CHECK(r[0].error().category == errc::unauthorized);
    CHECK_THAT(r[0].error().message, !Catch::Contains("expired-jwt-SECRET"));
  }
}

TEST_CASE("warehouse: write_to is the destination block that finds its sink in the run",
          "[warehouse]") {
  using block = wh::write_to<wh::snowflake_sink<orders>>;
  static_assert(syncline::is_destination_v<block>);
  static_assert(std::is_empty_v<block>);
  static_assert(block::name == "analytics_orders");
  static_assert(syncline::block_kind<block>() == "warehouse");

  syncline::http::io_threads threads(1);
  fake_snowflake sf(threads);
  syncline::http::client client(threads.executor(), quick_client());
  auto sink =
      wh::snowflake_sink<orders>::open(threads.executor(), client, snowflake_options_for(sf));
  REQUIRE(sink.has_value());

  syncline::run_context ctx(syncline::run_info{"shop-1", "r-42", "shopify_sync", 1});
  auto missing = run(threads, block{}(make_order(1), ctx));
  REQUIRE_FALSE(missing.has_value());
  CHECK_THAT(missing.error().message,
             Catch::Contains("no sink for warehouse table \"analytics.orders\""));

  ctx.provide(*sink);
  auto written = run(threads, block{}(make_order(1), ctx));
  CHECK(written.has_value());
  REQUIRE(sf.table().count("1") == 1);
  CHECK(binding_value(sf.table().at("1")[7]) == "shop-1");  // the run's tenant
}

// --- Privacy erasure (issue 14) ----------------------------------------------------------------

namespace ingest_test {

// The ids of the stored rows of `tenant`, sorted, as text.
std::string ids_of(const std::vector<boost::json::object>& rows, std::string_view tenant) {
  std::vector<std::string> ids;
  for (const auto& row : rows) {
    const auto* t = row.if_contains("_syncline_tenant");
    if (!t || !t->is_string() || t->as_string() != tenant) continue;
    const auto& id = row.at("id");
    ids.push_back(id.is_string() ? std::string(id.as_string())
                                 : std::to_string(id.to_number<std::int64_t>()));
  }
  std::sort(ids.begin(), ids.end());
  std::string out;
  for (const auto& id : ids) out += (out.empty() ? "" : ",") + id;
  return out;
}
}  // namespace ingest_test

TEST_CASE("bigquery sink: erase by key and by tenant is a parameterised DELETE through jobs.query",
          "[warehouse][bigquery][erase]") {
  static_assert(wh::erasable_sink<wh::bigquery_sink<orders>>);
  syncline::http::io_threads threads(1);
  fake_bigquery bq(threads);
  syncline::http::client client(threads.executor(), quick_client());
  auto sink = wh::bigquery_sink<orders>::open(
      threads.executor(), client,
      {.base_url = bq.url(), .project = "shop-analytics", .token = token});
  REQUIRE(sink.has_value());
  const std::vector<std::string> keys{"1", "3", "4", "820982911946154508"};

  CHECK(outcome(run(threads, sink->erase_tenant("shop-a"))) == "0");  // an empty table
  const auto request = bq.queries().at(0);
  CHECK(request.at("query") ==
        "DELETE FROM `shop-analytics.analytics.orders` WHERE `_syncline_tenant` = @tenant");
  CHECK(request.at("useLegacySql") == false);
  CHECK(request.at("parameterMode") == "NAMED");
  CHECK(request.at("queryParameters") ==
        boost::json::parse(R"([{"name":"tenant","parameterType":{"type":"STRING"},)"
                           R"("parameterValue":{"value":"shop-a"}}])"));
  CHECK(request.at("requestId").as_string().size() == 36);

  const std::vector<order_row> a_rows{make_order(1), make_order(2), make_order(3),
                                      make_order(820982911946154508ULL)};
  for (auto& r : write_all(threads, *sink, a_rows, {}, "shop-a")) CHECK(r.has_value());
  for (auto& r : write_all(threads, *sink, {make_order(4)}, {}, "shop-b")) CHECK(r.has_value());
  CHECK(ids_of(bq.rows(), "shop-a") == "1,2,3,820982911946154508");

  // Key 4 is shop-b's: not touched. The big id is matched as text, never through a double.
  CHECK(outcome(run(threads, sink->erase_keys("shop-a", keys))) == "3");
  CHECK(bq.queries().back().at("query") ==
        "DELETE FROM `shop-analytics.analytics.orders` WHERE `_syncline_tenant` = @tenant AND "
        "CAST(`id` AS STRING) IN UNNEST(@keys)");
  CHECK(bq.queries().back().at("queryParameters").as_array().at(1) ==
        boost::json::parse(R"({"name":"keys","parameterType":{"type":"ARRAY","arrayType":)"
                           R"({"type":"STRING"}},"parameterValue":{"arrayValues":[{"value":"1"},)"
                           R"({"value":"3"},{"value":"4"},{"value":"820982911946154508"}]}})"));
  CHECK(ids_of(bq.rows(), "shop-a") == "2");
  CHECK(ids_of(bq.rows(), "shop-b") == "4");

  SECTION("a job still running is waited for with getQueryResults") {
    bq.run_queries_async(2);
    CHECK(outcome(run(threads, sink->erase_tenant("shop-a"))) == "1");
    CHECK(bq.result_polls() == 2);
    CHECK(ids_of(bq.rows(), "shop-b") == "4");
  }
  SECTION("rows in the streaming buffer: unavailable, to retry later") {
    bq.refuse_streaming_buffer(true);
    auto r = run(threads, sink->erase_tenant("shop-b"));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().category == errc::unavailable);
    CHECK_THAT(r.error().message, Catch::Contains("streaming buffer") &&
                                      Catch::Contains("retry later") &&
                                      !Catch::Contains(std::string(token.reveal())));
    CHECK(ids_of(bq.rows(), "shop-b") == "4");
  }
  SECTION("a key that is not an integer sends nothing") {
    const std::size_t before = bq.queries().size();
    const std::vector<std::string> bad{"12x"};
    auto r = run(threads, sink->erase_keys("shop-a", bad));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().category == errc::invalid_input);
    CHECK(bq.queries().size() == before);
  }
}

TEST_CASE(
    "bigquery sink: add_tenant_column migrates an old table, and a service that is down "
    "is unavailable",
    "[warehouse][bigquery][erase]") {
  syncline::http::io_threads threads(1);
  fake_bigquery bq(threads);
  syncline::http::client client(threads.executor(), quick_client());
  auto sink = wh::bigquery_sink<orders>::open(
      threads.executor(), client, {.base_url = bq.url(), .project = "p", .token = token});
  REQUIRE(sink.has_value());
  bq.seed_old_row(7);
  REQUIRE(run(threads, sink->add_tenant_column()).has_value());
  CHECK(bq.queries().at(0).at("query") ==
        "ALTER TABLE `p.analytics.orders` ADD COLUMN IF NOT EXISTS `_syncline_tenant` STRING");
  for (auto& r : write_all(threads, *sink, {make_order(8)}, {}, "shop-a")) CHECK(r.has_value());
  CHECK(outcome(run(threads, sink->erase_tenant("shop-a"))) == "1");
  REQUIRE(bq.rows().size() == 1);  // the old row stays: its tenant is NULL
  CHECK(bq.rows()[0].at("name") == "old");

  // Nothing listens at the base URL.
  auto down = wh::bigquery_sink<orders>::open(
      threads.executor(), client,
      {.base_url = "http://127.0.0.1:1", .project = "p", .token = token, .retry = quick_retry()});
  REQUIRE(down.has_value());
  auto r = run(threads, down->erase_tenant("shop-a"));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().category == errc::unavailable);
  CHECK_THAT(r.error().message, !Catch::Contains(std::string(token.reveal())));
}

TEST_CASE("snowflake sink: erase by key and by tenant is a DELETE with bindings",
          "[warehouse][snowflake][erase]") {
  static_assert(wh::erasable_sink<wh::snowflake_sink<orders>>);
  syncline::http::io_threads threads(1);
  fake_snowflake sf(threads);
  syncline::http::client client(threads.executor(), quick_client());
  auto sink =
      wh::snowflake_sink<orders>::open(threads.executor(), client, snowflake_options_for(sf));
  REQUIRE(sink.has_value());
  sf.seed_old_row("7");                                     // a row from before the tenant column
  REQUIRE(run(threads, sink->create_table()).has_value());  // adds it, '' in the old row
  REQUIRE(sf.table().at("7").size() == fake_snowflake::columns);

  CHECK(outcome(run(threads, sink->erase_tenant("shop-a"))) == "0");
  CHECK(sf.requests().back().body.at("statement") ==
        R"(DELETE FROM "ANALYTICS"."ORDERS" WHERE "_SYNCLINE_TENANT" = ?)");

  const std::vector<order_row> a_rows{make_order(1), make_order(2), make_order(3)};
  for (auto& r : write_all(threads, *sink, a_rows, {}, "shop-a")) CHECK(r.has_value());
  for (auto& r : write_all(threads, *sink, {make_order(4)}, {}, "shop-b")) CHECK(r.has_value());
  CHECK(sf.table().size() == 5);

  const std::vector<std::string> keys{"1", "3", "4"};
  CHECK(outcome(run(threads, sink->erase_keys("shop-a", keys))) == "2");
  const auto requests = sf.requests();
  const auto& erase = requests.back().body;
  CHECK(erase.at("statement") == R"(DELETE FROM "ANALYTICS"."ORDERS" WHERE "_SYNCLINE_TENANT" = ? )"
                                 R"(AND ("ID" IN (?, ?, ?)))");
  CHECK(erase.at("bindings").at("1") == boost::json::value{{"type", "TEXT"}, {"value", "shop-a"}});
  CHECK(erase.at("bindings").at("2") == boost::json::value{{"type", "FIXED"}, {"value", "1"}});
  auto table = sf.table();
  CHECK((table.count("2") == 1 && table.count("4") == 1 && table.count("7") == 1));
  CHECK(table.size() == 3);

  CHECK(outcome(run(threads, sink->erase_tenant("shop-a"))) == "1");
  std::unique_ptr<wh::erasable> erasable = wh::make_erasable(*sink);
  CHECK(erasable->table() == "analytics.orders");
  CHECK(outcome(run(threads, erasable->erase_tenant("shop-b"))) == "1");
  table = sf.table();
  REQUIRE(table.size() == 1);  // the old row: '' is no tenant's
  CHECK(table.count("7") == 1);

  // Nothing listens at the account URL.
  auto options = snowflake_options_for(sf);
  options.account_url = "http://127.0.0.1:1";
  auto down = wh::snowflake_sink<orders>::open(threads.executor(), client, options);
  REQUIRE(down.has_value());
  auto r = run(threads, down->erase_keys("shop-a", keys));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().category == errc::unavailable);
  CHECK_THAT(r.error().message, !Catch::Contains(std::string(token.reveal())));
}

}  // namespace unity_connectors_warehouse_http_test
