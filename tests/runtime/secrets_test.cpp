// Every kind of secret the engine holds (an app's client secret and access token, the event
// signing secret, a data stream's signing secret, a BigQuery token, a Snowflake token from a
// provider that hands out a new one per request), planted in every error path: a receiver that
// echoes it in a 400 answer the connectors quote cut at 300 bytes (data stream, BigQuery,
// Snowflake), and a destination whose error text quotes it whole and cut at both ends. Each is
// placed so that it straddles the cut in several ways; no log line, run error or block-event
// error may then hold it, whole or as a prefix or suffix of 6 characters or more.
#include <syncline/blocks/map.hpp>
#include <syncline/connectors/data_stream.hpp>
#include <syncline/connectors/http_answer.hpp>
#include <syncline/connectors/warehouse/bigquery_sink.hpp>
#include <syncline/connectors/warehouse/snowflake_sink.hpp>
#include <syncline/connectors/warehouse/write_to.hpp>
#include <syncline/core/app_event.hpp>
#include <syncline/core/integration.hpp>
#include <syncline/core/workflow.hpp>
#include <syncline/http/client.hpp>
#include <syncline/http/io_threads.hpp>
#include <syncline/http/server.hpp>
#include <syncline/runtime/engine.hpp>
#include <syncline/runtime/redactor.hpp>

#include <boost/describe/class.hpp>
#include <catch2/catch.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/leaked_fragment.hpp"
#include "runtime_fixture.hpp"

namespace unity_runtime_secrets_test {

namespace wh = syncline::warehouse;
namespace net = boost::asio;
using namespace runtime_test;

namespace secrets_test {

constexpr std::size_t cut = 300;  // where connectors cut a quoted answer (body_excerpt)
constexpr std::size_t min_fragment = syncline::redactor::min_fragment;

// Which secret the receiver echoes, and how many bytes of padding come before it:
// "plant:<index>:<offset>;", carried in the record so that it reaches every receiver verbatim.
struct plant {
  std::uint64_t id = 0;
  std::string marker;
};
BOOST_DESCRIBE_STRUCT(plant, (), (id, marker))

using plants = wh::table<plant, "analytics.plants", wh::key<"id">>;
using bigquery_plants = wh::bigquery_sink<plants>;
using snowflake_plants = wh::snowflake_sink<plants>;

enum kind : std::size_t {
  client_secret,
  access_token,
  event_signing,
  stream_signing,
  bigquery_token,
  snowflake_token,  // the one the request carried: a provider hands out a new one each time
  kinds
};

// Every value of every kind, as the test knows them (the Snowflake provider adds as it goes).
class vault {
 public:
  vault() {
    values_ = {"whsec_C1ient5ecret-9f8e7d6c5b4a39281706f5e4d3",
               "shpat_AccessT0ken-0a1b2c3d4e5f60718293a4b5c6",
               "evsig_EventS1gning-7e6d5c4b3a29180f7e6d5c4b3a",
               "dssig_StreamS1gning-1f2e3d4c5b6a79880a1b2c3d4e",
               "ya29.BigQueryT0ken-5a4b3c2d1e0f9a8b7c6d5e4f3a2",
               ""};
  }
  std::string value(std::size_t k) const {
    std::lock_guard lock(mu_);
    return values_[k];
  }
  syncline::secret next_snowflake_token() {
    std::lock_guard lock(mu_);
    issued_.push_back("sf-jwt.KeyPairT0ken-" + std::to_string(1000000 + issued_.size()) +
                      "-c0ffee15bad5eed");
    values_[snowflake_token] = issued_.back();
    return syncline::secret(issued_.back());
  }
  std::vector<std::string> all() const {
    std::lock_guard lock(mu_);
    std::vector<std::string> out(values_.begin(), values_.begin() + snowflake_token);
    out.insert(out.end(), issued_.begin(), issued_.end());
    return out;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> values_;
  std::vector<std::string> issued_;
};

vault secrets;

struct planted {
  std::size_t kind = 0;
  std::size_t offset = 0;
};

planted parse_marker(std::string_view text) {
  planted p;
  const auto at = text.find("plant:");
  if (at == std::string_view::npos) return p;
  const auto colon = text.find(':', at + 6);
  p.kind = std::stoul(std::string(text.substr(at + 6, colon - at - 6)));
  p.offset = std::stoul(std::string(text.substr(colon + 1)));
  return p;
}

// What an app answers when it echoes a secret: padding, the secret, more text.
std::string echo_body(const planted& p, std::string_view bearer) {
  // The Snowflake token a request carried, or the one issued last (a connector that sends none).
  const std::string value = p.kind == snowflake_token && bearer.starts_with("sf-jwt")
                                ? std::string(bearer)
                                : secrets.value(p.kind);
  return std::string(p.offset, 'x') + value + R"(", "reason": "refused"})";
}

// A receiver for all three connectors: every POST gets 400 and the echo its record asks for.
class echo_receiver {
 public:
  explicit echo_receiver(syncline::http::io_threads& threads) : server_(threads.executor()) {
    server_.route(syncline::http::verb::post, "/{path...}",
                  [](syncline::http::incoming& in) -> net::awaitable<syncline::http::response> {
                    std::string_view bearer = in.header("Authorization");
                    if (bearer.starts_with("Bearer ")) bearer.remove_prefix(7);
                    co_return syncline::http::make_response(
                        400, echo_body(parse_marker(in.body()), bearer));
                  });
    REQUIRE(server_.listen().has_value());
  }
  ~echo_receiver() { server_.stop(); }
  std::string url() const { return server_.url(); }

 private:
  syncline::http::server server_;
};

// A careless connector of the tenant's app: quotes the answer's start cut at 300 bytes, its end
// cut to 40 (a window that may start inside the secret), and the secret whole.
struct quoting_destination : syncline::destination {
  using app_type = fake::app;
  static constexpr std::string_view name = "quoting_destination";
  syncline::result<void> operator()(const plant& p, syncline::run_context&) const {
    const planted what = parse_marker(p.marker);
    const std::string body = echo_body(what, secrets.value(snowflake_token));
    return syncline::make_error(
        syncline::errc::invalid_input,
        "app answered 400: " + syncline::connectors::body_excerpt(body, cut) + " / its end: ..." +
            body.substr(body.size() - 40) + " / the token was " + secrets.value(what.kind));
  }
};

constexpr auto via_stream = syncline::workflow<"via_stream">(
    syncline::app_event<"plant", plant>{} | syncline::data_stream::send_to<"echo">{});
constexpr auto via_bigquery = syncline::workflow<"via_bigquery">(
    syncline::app_event<"plant", plant>{} | wh::write_to<bigquery_plants>{});
constexpr auto via_snowflake = syncline::workflow<"via_snowflake">(
    syncline::app_event<"plant", plant>{} | wh::write_to<snowflake_plants>{});
constexpr auto via_text =
    syncline::workflow<"via_text">(syncline::app_event<"plant", plant>{} | quoting_destination{});
constexpr auto planted_secrets = syncline::integration<"planted_secrets", fake::app>(
    via_stream, via_bigquery, via_snowflake, via_text);

void check_clean(std::string_view where, std::string_view text) {
  for (const auto& s : secrets.all()) {
    INFO(where << ": " << text);
    CHECK(leaked_fragment(text, s) == "");
  }
}

}  // namespace secrets_test

using namespace secrets_test;

TEST_CASE(
    "every secret the engine holds, echoed across the cut in every error path, leaks "
    "nowhere") {
  syncline::http::io_threads io(2);
  echo_receiver receiver(io);
  syncline::http::client client(io.executor());

  temp_dir dir;
  log_capture logs;
  syncline::engine_options options;
  options.threads = 2;
  options.workers = 1;  // one run at a time: a warehouse batch then holds one run's row
  options.database = dir.file("engine.db");
  options.idle_poll = std::chrono::milliseconds(20);
  options.log = logs.sink();
  options.event_signing_secret = syncline::secret(secrets.value(event_signing));
  syncline::engine eng(options);

  syncline::data_stream::stream<"echo"> stream(
      client, {.endpoint = receiver.url() + "/hooks/echo",
               .signing_secret = syncline::secret(secrets.value(stream_signing))});
  auto bigquery = bigquery_plants::open(io.executor(), client,
                                        {.base_url = receiver.url(),
                                         .project = "p",
                                         .token = syncline::secret(secrets.value(bigquery_token)),
                                         .batch = {.max_rows = 1}});
  REQUIRE(bigquery);
  auto snowflake = snowflake_plants::open(
      io.executor(), client,
      {.account_url = receiver.url(),
       .token = std::function<syncline::secret()>([] { return secrets.next_snowflake_token(); }),
       .batch = {.max_rows = 1}});
  REQUIRE(snowflake);
  REQUIRE(eng.install(
      planted_secrets,
      syncline::tenant{"vault", fake::credentials{"vault.fakeshop.test",
                                                  syncline::secret(secrets.value(client_secret)),
                                                  syncline::secret(secrets.value(access_token))}},
      syncline::services(stream, *bigquery, *snowflake)));
  REQUIRE(eng.start());

  // The offsets put before the secret: whole and well inside the quote, all but one character
  // shown, half, exactly min_fragment shown, fewer shown, one shown.
  struct run_of {
    std::int64_t id;
    std::string workflow;
    planted what;
  };
  std::vector<run_of> runs;
  std::uint64_t id = 0;
  for (std::size_t k = 0; k < kinds; ++k) {
    for (std::size_t shown : {std::size_t(99), std::size_t(45), std::size_t(20), min_fragment,
                              min_fragment - 1, std::size_t(1)}) {
      const std::size_t offset = shown == 99 ? 10 : cut - shown;
      const std::string marker = "plant:" + std::to_string(k) + ":" + std::to_string(offset) + ";";
      auto e = eng.emit("vault", "plant", plant{++id, marker});
      REQUIRE(e);
      REQUIRE(e->runs.size() == 4);
      for (const auto& r : e->runs) runs.push_back({r.run_id, r.workflow, {k, offset}});
    }
  }
  REQUIRE(eng.wait_until_quiet(std::chrono::seconds(60)));

  for (const auto& r : runs) {
    auto run = eng.run(r.id);
    REQUIRE(run);
    INFO("run " << r.id << " of " << r.workflow << ", secret " << r.what.kind << " at "
                << r.what.offset);
    CHECK(run->status == syncline::store::run_status::dead);
    // The answer was quoted (the path ran), and what it quoted of the secret is gone.
    CHECK(run->last_error.find(r.workflow == "via_text" ? "app answered 400" : "answered 400") !=
          std::string::npos);
    const std::size_t shown = r.what.offset >= cut ? 0 : cut - r.what.offset;
    if (shown >= min_fragment) CHECK(run->last_error.find("***") != std::string::npos);
    check_clean("last_error", run->last_error);
    auto events = eng.block_events(r.id);
    REQUIRE(events);
    for (const auto& ev : *events) check_clean("block event", ev.error);
  }
  REQUIRE(logs.contains("run dead-lettered"));
  for (const auto& line : logs.lines()) check_clean("log", line);
  eng.stop();
  // Snowflake asked its provider for each request: every token it issued was checked above.
  CHECK(secrets.all().size() > snowflake_token + 1);
}

}  // namespace unity_runtime_secrets_test
