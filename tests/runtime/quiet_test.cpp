// engine::wait_until_quiet: true only once nothing is on its way to the queue, queued, waiting
// for a retry or running, including the follow-up runs a run queues as it ends; false on timeout.
#include <syncline/blocks/to.hpp>
#include <syncline/core/app.hpp>
#include <syncline/core/app_event.hpp>
#include <syncline/core/integration.hpp>
#include <syncline/core/workflow.hpp>
#include <syncline/runtime/engine.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/describe/class.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <string>

#include "integrations.hpp"
#include "runtime_fixture.hpp"

namespace unity_runtime_quiet_test {

using namespace runtime_test;
namespace st = syncline::store;

namespace quiet_test {

// One hop of a relay: each run records its hop, then queues the next until `left` is 0.
struct relay_hop {
  std::int64_t left = 0;
};
BOOST_DESCRIBE_STRUCT(relay_hop, (), (left))

struct relay_next : syncline::destination {
  static constexpr std::string_view name = "relay_next";
  boost::asio::awaitable<syncline::result<void>> operator()(relay_hop h,
                                                            syncline::run_context& ctx) const {
    if (auto w = ctx.service<sink>()->write(ctx, "hop " + std::to_string(h.left)); !w) co_return w;
    if (h.left == 0) co_return syncline::result<void>{};
    auto* eng = ctx.service<syncline::engine>();
    // Named first: g++ 12 mishandles temporaries with destructors inside a co_await expression.
    auto emitting = eng->async_emit(std::string(ctx.tenant()), "relay.hop", relay_hop{h.left - 1});
    auto next = co_await std::move(emitting);
    if (!next) co_return std::move(next).error();
    co_return syncline::result<void>{};
  }
};

inline constexpr auto relay =
    syncline::workflow<"relay">(syncline::app_event<"relay.hop", relay_hop>{} | relay_next{});
inline constexpr auto relay_sync = syncline::integration<"relay_sync", syncline::platform>(relay);

syncline::engine_options options(const temp_dir& dir, log_capture& logs) {
  syncline::engine_options o;
  o.threads = 2;
  o.database = dir.file("engine.db");
  o.listen = {"", 0};
  o.idle_poll = 50ms;
  o.log = logs.sink();
  o.retry.initial_backoff = 5ms;
  o.retry.max_backoff = 20ms;
  return o;
}

order_placed order_for(const std::string& tenant, std::int64_t id) {
  return {id, tenant, "buyer" + std::to_string(id) + "@example.com", "note " + std::to_string(id)};
}

std::int64_t unfinished(syncline::engine& eng) {
  auto c = eng.counts();
  REQUIRE(c);
  return c->unfinished();
}

// An engine with shop_sync installed for tenant "acme", its sink and its fake shop provided; not
// started.
struct shop_engine {
  temp_dir dir;
  log_capture logs;
  sink out;
  fake_shop shop;
  syncline::engine eng{options(dir, logs)};

  syncline::result<void> install() {
    return eng.install(shop_sync, syncline::tenant{"acme", fake::credentials_for("acme")},
                       syncline::services(out, shop));
  }
};

}  // namespace quiet_test

using namespace quiet_test;

TEST_CASE("wait_until_quiet: an idle engine is quiet, a queued run that cannot run is not") {
  shop_engine e;
  auto& [dir, logs, out, shop, eng] = e;
  REQUIRE(e.install());
  CHECK(eng.wait_until_quiet(2s));

  // Not started: the run stays queued, so the engine never becomes quiet.
  REQUIRE(eng.emit("acme", "order.flaky", order_for("acme", 1)));
  const auto before = std::chrono::steady_clock::now();
  CHECK_FALSE(eng.wait_until_quiet(150ms));
  CHECK(std::chrono::steady_clock::now() - before >= 150ms);

  REQUIRE(eng.start());
  REQUIRE(eng.wait_until_quiet(15s));
  CHECK(out.size() == 1);
  CHECK(unfinished(eng) == 0);
  eng.stop();
}

TEST_CASE("wait_until_quiet: a running run and a run waiting for its retry are not quiet") {
  shop_engine e;
  auto& [dir, logs, out, shop, eng] = e;
  REQUIRE(e.install());
  REQUIRE(eng.start());

  out.hold(true);
  REQUIRE(eng.emit("acme", "order.held", order_for("acme", 1)));
  REQUIRE(wait_until([&] { return out.entered() == 1; }));
  CHECK_FALSE(eng.wait_until_quiet(100ms));
  out.hold(false);
  REQUIRE(eng.wait_until_quiet(15s));
  CHECK(out.size() == 1);

  // Two failures, each retried after a backoff: quiet only once the third attempt wrote.
  out.fail_next(2);
  REQUIRE(eng.emit("acme", "order.flaky", order_for("acme", 2)));
  REQUIRE(eng.wait_until_quiet(15s));
  CHECK(out.calls() == 4);
  CHECK(out.size() == 2);
  CHECK(unfinished(eng) == 0);
  eng.stop();
}

TEST_CASE("wait_until_quiet: the follow-up runs a run queues as it ends are waited for") {
  temp_dir dir;
  log_capture logs;
  sink out;
  syncline::engine eng(options(dir, logs));
  REQUIRE(eng.install(relay_sync, syncline::tenant{"acme"}, syncline::services(out, eng)));
  REQUIRE(eng.start());

  constexpr std::int64_t hops = 8;
  for (int round = 1; round <= 3; ++round) {
    REQUIRE(eng.emit("acme", "relay.hop", relay_hop{hops - 1}));
    REQUIRE(eng.wait_until_quiet(15s));
    // Each hop's run is committed before the next is looked at, so all of them ran.
    CHECK(out.size() == static_cast<std::size_t>(round * hops));
    CHECK(unfinished(eng) == 0);
  }
  eng.stop();
}

}  // namespace unity_runtime_quiet_test
