// The engine's parts on their own: retry policies and backoff, schedule ticks (cron, intervals,
// missed-tick policies), log lines, the redactor, the Prometheus text, payload codecs, and the
// echo guard blocks run against an in-memory echo memory.
#include <syncline/blocks/echo_guard.hpp>
#include <syncline/blocks/to.hpp>
#include <syncline/core/app_event.hpp>
#include <syncline/core/webhook.hpp>
#include <syncline/core/workflow.hpp>
#include <syncline/runtime/detail/payload_codec.hpp>
#include <syncline/runtime/log.hpp>
#include <syncline/runtime/metrics.hpp>
#include <syncline/runtime/redactor.hpp>
#include <syncline/runtime/retry_policy.hpp>
#include <syncline/runtime/schedule_ticks.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/describe/class.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "runtime_fixture.hpp"

namespace unity_runtime_parts_test {

using namespace std::chrono_literals;
using syncline::errc;

namespace {

syncline::tick_time utc(int y, unsigned mo, unsigned d, int h = 0, int mi = 0, int s = 0) {
  using namespace std::chrono;
  return sys_days{year{y} / month{mo} / day{d}} + hours{h} + minutes{mi} + seconds{s};
}

}  // namespace

TEST_CASE("retry policy: categories, attempts and a full-jitter backoff within its cap") {
  constexpr syncline::retry_policy p{.max_attempts = 4,
                                     .initial_backoff = std::chrono::milliseconds(100),
                                     .max_backoff = std::chrono::milliseconds(1000)};
  static_assert(p.retries(errc::timeout, 1));
  static_assert(!p.retries(errc::timeout, 4));  // the 4th attempt was the last
  static_assert(!p.retries(errc::decode, 1));
  static_assert(syncline::errc_set::transient().contains(errc::rate_limited));
  static_assert(!syncline::errc_set::transient().contains(errc::conflict));
  static_assert(syncline::errc_set{errc::conflict}.with(errc::timeout).contains(errc::timeout));
  static_assert(!syncline::errc_set::transient().without(errc::storage).contains(errc::storage));
  static_assert(!syncline::retry_policy::never().retries(errc::timeout, 1));

  std::mt19937_64 rng(42);
  std::set<long> seen;
  for (int i = 0; i < 2000; ++i) {
    const int attempt = 1 + i % 6;
    const auto cap = std::min<long>(1000, 100L << (attempt - 1));
    const auto w = p.backoff(attempt, rng).count();
    REQUIRE(w >= 0);
    REQUIRE(w <= cap);
    seen.insert(w);
  }
  CHECK(seen.size() > 100);  // jittered, not a fixed wait
}

TEST_CASE("schedule ticks: intervals align to the epoch, cron follows its fields in UTC") {
  const auto every_15m = syncline::parse_schedule("@every 15m");
  CHECK(syncline::next_tick_after(every_15m, utc(2026, 1, 1, 10, 7)) == utc(2026, 1, 1, 10, 15));
  CHECK(syncline::next_tick_after(every_15m, utc(2026, 1, 1, 10, 15)) == utc(2026, 1, 1, 10, 30));

  const auto nightly = syncline::parse_schedule("30 2 * * *");
  CHECK(syncline::next_tick_after(nightly, utc(2026, 1, 1, 10)) == utc(2026, 1, 2, 2, 30));
  const auto weekdays = syncline::parse_schedule("0 9 * * mon-fri");
  // 2026-01-03 is a Saturday: the next weekday 09:00 is Monday the 5th.
  CHECK(syncline::next_tick_after(weekdays, utc(2026, 1, 3, 12)) == utc(2026, 1, 5, 9));
  // Both day fields restricted: either matches (the 1st, or any Friday).
  const auto either = syncline::parse_schedule("0 0 1 * fri");
  CHECK(syncline::next_tick_after(either, utc(2026, 1, 1, 1)) == utc(2026, 1, 2));
  const auto leap = syncline::parse_schedule("0 0 29 2 *");
  CHECK(syncline::next_tick_after(leap, utc(2026, 3, 1)) == utc(2028, 2, 29));
  CHECK_FALSE(syncline::next_tick_after(syncline::parse_schedule("0 0 31 2 *"), utc(2026, 1, 1)));
}

TEST_CASE("schedule ticks: the missed-tick policies after a pause") {
  const auto hourly = syncline::parse_schedule("@every 1h");
  const auto last = utc(2026, 1, 1, 0, 0);
  const auto now = utc(2026, 1, 1, 5, 10);  // ticks at 1:00 ... 5:00 were missed
  using syncline::missed_ticks;
  auto all = syncline::due_ticks(hourly, last, now, missed_ticks::run_all, 30s);
  REQUIRE(all.size() == 5);
  CHECK(all.front() == utc(2026, 1, 1, 1));
  CHECK(all.back() == utc(2026, 1, 1, 5));
  CHECK(syncline::due_ticks(hourly, last, now, missed_ticks::run_once, 30s) ==
        std::vector<syncline::tick_time>{utc(2026, 1, 1, 5)});
  CHECK(syncline::due_ticks(hourly, last, now, missed_ticks::skip, 30s).empty());
  // On time: the latest tick is within the grace, so even skip runs it.
  CHECK(syncline::due_ticks(hourly, last, utc(2026, 1, 1, 5, 0, 10), missed_ticks::skip, 30s) ==
        std::vector<syncline::tick_time>{utc(2026, 1, 1, 5)});
  // run_all keeps the latest `max` of a long gap, without walking it tick by tick.
  const auto secondly = syncline::parse_schedule("@every 1s");
  auto bounded = syncline::due_ticks(secondly, utc(2025, 1, 1), utc(2026, 1, 1),
                                     missed_ticks::run_all, 30s, 3);
  CHECK(bounded == std::vector<syncline::tick_time>{utc(2025, 12, 31, 23, 59, 58),
                                                    utc(2025, 12, 31, 23, 59, 59),
                                                    utc(2026, 1, 1)});
  CHECK(syncline::due_ticks(hourly, now, now, missed_ticks::run_all, 30s).empty());
}

TEST_CASE("log lines are key=value with quoting, and the redactor scrubs secrets") {
  const auto line = syncline::format_log_line(
      utc(2026, 1, 15, 10, 0, 0), syncline::log_level::warn, "run failed",
      {{"run", 42}, {"tenant", "shop-a"}, {"error", "timeout: \"slow\"\nretry"}, {"ok", false}});
  CHECK(line ==
        "ts=2026-01-15T10:00:00.000Z level=warn msg=\"run failed\" run=42 tenant=shop-a "
        "error=\"timeout: \\\"slow\\\"\\nretry\" ok=false");

  runtime_test::fake::credentials creds = runtime_test::fake::credentials_for("acme");
  auto secrets = syncline::secrets_of(creds);
  REQUIRE(secrets.size() == 2);
  syncline::redactor r;
  r.set("shop_sync/acme", secrets);
  r.set("short", {"abc"});  // too short to be a secret worth scrubbing
  const std::string leaked = "token " + std::string(creds.access_token.reveal()) + " and " +
                             std::string(creds.client_secret.reveal()) + " twice " +
                             std::string(creds.access_token.reveal()) + " abc";
  CHECK(r(leaked) == "token *** and *** twice *** abc");
  r.remove("shop_sync/acme");
  CHECK(r(leaked) == leaked);
}

TEST_CASE("metrics render as Prometheus text 0.0.4") {
  syncline::engine_metrics m;
  auto& w = m.add_workflow("shop_sync", "pull_orders");
  CHECK(&m.add_workflow("shop_sync", "pull_orders") == &w);
  w.started.add(3);
  w.succeeded.add(2);
  w.dead_lettered.add();
  m.accepted(syncline::trigger_kind::webhook, 3);
  m.rejected(syncline::rejection::queue_full);
  m.run_duration.observe(0.003);
  m.run_duration.observe(2.0);
  m.run_duration.observe(1000);
  m.claim(20);
  m.claim(0);
  m.completion_batch(7);
  syncline::store::run_counts counts;
  counts.queued = 4;
  counts.retry_wait = 1;
  const auto text = m.render(counts, 2);
  CHECK(text.find("# TYPE syncline_runs_started_total counter\n"
                  "syncline_runs_started_total{integration=\"shop_sync\",workflow=\"pull_orders\"}"
                  " 3\n") != std::string::npos);
  CHECK(text.find("syncline_runs_dead_lettered_total{integration=\"shop_sync\",workflow=\"pull_"
                  "orders\"} 1\n") != std::string::npos);
  CHECK(text.find("syncline_events_accepted_total{trigger=\"webhook\"} 3\n") != std::string::npos);
  CHECK(text.find("syncline_events_rejected_total{reason=\"queue_full\"} 1\n") !=
        std::string::npos);
  CHECK(text.find("syncline_queue_depth 5\n") != std::string::npos);
  CHECK(text.find("syncline_runs_in_flight 2\n") != std::string::npos);
  CHECK(text.find("syncline_claims_total 2\n") != std::string::npos);
  CHECK(text.find("syncline_claimed_runs_total 20\n") != std::string::npos);
  CHECK(text.find("syncline_completion_batches_total 1\n") != std::string::npos);
  CHECK(text.find("syncline_completion_batch_runs_total 7\n") != std::string::npos);
  CHECK(text.find("syncline_run_duration_seconds_bucket{le=\"0.0025\"} 0\n") != std::string::npos);
  CHECK(text.find("syncline_run_duration_seconds_bucket{le=\"0.005\"} 1\n") != std::string::npos);
  CHECK(text.find("syncline_run_duration_seconds_bucket{le=\"2.5\"} 2\n") != std::string::npos);
  CHECK(text.find("syncline_run_duration_seconds_bucket{le=\"300\"} 2\n") != std::string::npos);
  CHECK(text.find("syncline_run_duration_seconds_bucket{le=\"+Inf\"} 3\n") != std::string::npos);
  CHECK(text.find("syncline_run_duration_seconds_count 3\n") != std::string::npos);
}

TEST_CASE("a schedule tick round-trips through the queue's payload codec") {
  using codec = syncline::detail::payload_codec<syncline::tick>;
  const syncline::tick t{utc(2026, 1, 1, 2, 30) + 123ns};
  const auto text = codec::encode(t);
  CHECK(text == "{\"scheduled_for_ns\":1767234600000000123}");
  auto back = codec::decode(text);
  REQUIRE(back);
  CHECK(*back == t);
  CHECK_FALSE(codec::decode("{\"scheduled_for_ns\":\"x\"}"));
}

// --- the echo guard, with an in-memory memory ------------------------------------------------

namespace {

struct written_order {
  std::string source_identifier;
  std::string email;
  std::int64_t total_cents = 0;
};
BOOST_DESCRIBE_STRUCT(written_order, (), (source_identifier, email, total_cents))

struct received_order {
  std::int64_t id = 0;
  std::string source_identifier;
  std::string email;
  std::int64_t total_cents = 0;
  std::string created_at;  // fields the app adds are not part of the fingerprint
};
BOOST_DESCRIBE_STRUCT(received_order, (), (id, source_identifier, email, total_cents, created_at))

struct crm {
  static constexpr std::string_view name = "crm";
};

class memory final : public syncline::echo_memory {
 public:
  boost::asio::awaitable<syncline::result<void>> remember(const syncline::run_context& ctx,
                                                          std::string_view scope,
                                                          std::string_view key,
                                                          std::string_view fp) override {
    seen_.insert(std::string(ctx.tenant()) + "|" + std::string(scope) + "|" + std::string(key) +
                 "|" + std::string(fp));
    co_return syncline::result<void>{};
  }
  boost::asio::awaitable<syncline::result<bool>> is_echo(const syncline::run_context& ctx,
                                                         std::string_view scope,
                                                         std::string_view key,
                                                         std::string_view fp) override {
    co_return seen_.contains(std::string(ctx.tenant()) + "|" + std::string(scope) + "|" +
                             std::string(key) + "|" + std::string(fp));
  }
  std::size_t size() const { return seen_.size(); }

 private:
  std::set<std::string> seen_;
};

constexpr auto write_side = syncline::workflow<"write_side">(
    syncline::app_event<"order.written", written_order>{} |
    syncline::remember_write<"orders", &written_order::source_identifier, syncline::member<"email">,
                             syncline::member<"total_cents">> |
    syncline::to<"done">([](const written_order&) {}));

constexpr auto read_side = syncline::workflow<"read_side">(
    syncline::webhook<crm, "orders/create", received_order>{} |
    syncline::skip_echo<"orders", syncline::member<"source_identifier">, syncline::member<"email">,
                        syncline::member<"total_cents">> |
    syncline::to<"deliver">(
        [](const received_order&, syncline::run_context& ctx) { ++*ctx.service<int>(); }));

template <class W, class P>
syncline::result<syncline::run_ending> run_one(const W& wf, P payload, memory& mem,
                                               const std::string& tenant, int& delivered) {
  boost::asio::io_context io;
  syncline::result<syncline::run_ending> out = syncline::make_error(errc::internal, "did not run");
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        syncline::run_context ctx({.tenant = tenant, .run_id = "r", .integration = "crm_sync"});
        ctx.provide(static_cast<syncline::echo_memory&>(mem));
        ctx.provide(delivered);
        out = co_await wf.run(std::move(payload), ctx);
      },
      boost::asio::detached);
  io.run();
  return out;
}

}  // namespace

TEST_CASE("echo guard: a remembered write is skipped, a real change and other tenants pass") {
  memory mem;
  int delivered = 0;
  REQUIRE(run_one(write_side, written_order{"platform-7", "a@example.com", 1999}, mem, "acme",
                  delivered));
  CHECK(mem.size() == 1);

  // The app's echo of that write: same key and fields, plus fields the app added.
  auto echo = run_one(read_side, received_order{1, "platform-7", "a@example.com", 1999, "t"}, mem,
                      "acme", delivered);
  REQUIRE(echo);
  CHECK(echo->was_skipped());
  CHECK(echo->block == "skip_echo");
  CHECK(delivered == 0);

  // A real change to the same record: another fingerprint.
  auto changed = run_one(read_side, received_order{1, "platform-7", "a@example.com", 2500, "t"},
                         mem, "acme", delivered);
  REQUIRE(changed);
  CHECK(changed->completed());
  // The same write seen by another tenant is not that tenant's echo.
  auto other = run_one(read_side, received_order{1, "platform-7", "a@example.com", 1999, "t"}, mem,
                       "other", delivered);
  CHECK(other->completed());
  // No origin marker: nothing to compare, the event passes without a lookup.
  auto unmarked =
      run_one(read_side, received_order{2, "", "b@example.com", 1, "t"}, mem, "acme", delivered);
  CHECK(unmarked->completed());
  CHECK(delivered == 3);

  // Without an echo memory in the context the guard fails loudly instead of passing echoes.
  boost::asio::io_context io;
  syncline::result<syncline::run_ending> missing = syncline::make_error(errc::internal, "x");
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        syncline::run_context ctx({.tenant = "acme", .run_id = "r", .integration = "crm_sync"});
        ctx.provide(delivered);
        received_order order{1, "platform-7", "x", 1, "t"};  // named: see hello_workflow.cpp
        missing = co_await read_side.run(std::move(order), ctx);
      },
      boost::asio::detached);
  io.run();
  REQUIRE_FALSE(missing);
  CHECK(missing.error().message.find("no echo_memory") != std::string::npos);
}

}  // namespace unity_runtime_parts_test
