// Workflows with asynchronous blocks, run as awaitables on an io_context: suspension, failures
// and recovery across suspension points, asynchronous guards and arms, the run log.
#include <syncline/blocks/branch.hpp>
#include <syncline/blocks/filter.hpp>
#include <syncline/blocks/for_each.hpp>
#include <syncline/blocks/map.hpp>
#include <syncline/blocks/recover.hpp>
#include <syncline/blocks/route.hpp>
#include <syncline/blocks/to.hpp>
#include <syncline/core/manual.hpp>
#include <syncline/core/workflow.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <catch2/catch.hpp>

#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "run_blocking.hpp"

namespace unity_core_async_test {

namespace asio = boost::asio;

namespace {

using core_test::run_blocking;

// Gives the io_context a turn, so that every asynchronous block below really suspends.
asio::awaitable<void> yield() {
  co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
}

struct journal {
  std::vector<std::string> lines;
  std::vector<std::string> keys;
};

// Looks a number up "remotely": fails for negative numbers.
struct remote_double {
  static constexpr std::string_view name = "remote_double";
  asio::awaitable<syncline::result<int>> operator()(int x) const {
    co_await yield();
    if (x < 0)
      co_return syncline::make_error(syncline::errc::timeout, "no answer for " + std::to_string(x));
    co_return 2 * x;
  }
};

// An asynchronous destination.
struct remote_write : syncline::destination {
  static constexpr std::string_view name = "remote_write";
  asio::awaitable<syncline::result<void>> operator()(int x, syncline::run_context& ctx) const {
    co_await yield();
    auto* j = ctx.service<journal>();
    if (x == 13) co_return syncline::make_error(syncline::errc::conflict, "13 is taken");
    j->lines.push_back(std::to_string(x));
    j->keys.push_back(ctx.idempotency_key());
    co_return syncline::result<void>{};
  }
};

// An asynchronous guard (a dedupe lookup would look like this).
struct remote_guard : syncline::guard {
  static constexpr std::string_view name = "remote_guard";
  asio::awaitable<syncline::result<bool>> inspect(const int& x) const {
    co_await yield();
    if (x == 99) co_return syncline::make_error(syncline::errc::storage, "store is down");
    co_return x != 7;
  }
};

// Asynchronous blocks that cannot fail: awaitable<T> and awaitable<void>.
struct remote_plus_one {
  static constexpr std::string_view name = "remote_plus_one";
  asio::awaitable<int> operator()(int x) const {
    co_await yield();
    co_return x + 1;
  }
};
struct remote_log : syncline::destination {
  static constexpr std::string_view name = "remote_log";
  asio::awaitable<void> operator()(int x, syncline::run_context& ctx) const {
    co_await yield();
    ctx.service<journal>()->lines.push_back("log " + std::to_string(x));
  }
};

syncline::run_context context(journal& j) {
  syncline::run_context ctx({.tenant = "t", .run_id = "r", .integration = "async"});
  ctx.provide(j);
  return ctx;
}

constexpr auto write_sync = syncline::to<"write">([](int x, syncline::run_context& ctx) {
  ctx.service<journal>()->lines.push_back(std::to_string(x));
});

}  // namespace

TEST_CASE("a workflow without asynchronous blocks also runs as an awaitable", "[async]") {
  static constexpr auto wf = syncline::workflow<"sync_only">(
      syncline::manual<int>{} | syncline::map([](int x) { return x + 1; }) | write_sync);
  STATIC_REQUIRE(!std::remove_cvref_t<decltype(wf)>::is_async);
  journal j;
  auto ctx = context(j);
  auto r = run_blocking(wf.run(41, ctx));
  REQUIRE(r);
  CHECK(r->completed());
  CHECK(j.lines == std::vector<std::string>{"42"});
}

TEST_CASE("asynchronous blocks are awaited where they stand", "[async]") {
  static constexpr auto wf = syncline::workflow<"remote">(
      syncline::manual<int>{} | syncline::map([](int x) { return x + 1; }) | remote_double{} |
      syncline::map([](int x) { return x + 1; }) | remote_write{});
  STATIC_REQUIRE(std::remove_cvref_t<decltype(wf)>::is_async);
  journal j;
  auto ctx = context(j);
  auto ok = run_blocking(wf.run(1, ctx));
  REQUIRE(ok);
  CHECK(ok->completed());
  CHECK(j.lines == std::vector<std::string>{"5"});
  CHECK(j.keys == std::vector<std::string>{"t/async/remote/r/remote_write"});

  auto failed = run_blocking(wf.run(-5, ctx));
  REQUIRE_FALSE(failed);
  CHECK(failed.error().category == syncline::errc::timeout);
  CHECK(failed.error().message == "remote_double: no answer for -4");

  auto conflict = run_blocking(wf.run(5, ctx));  // 5 + 1 = 6, 12, 13
  REQUIRE_FALSE(conflict);
  CHECK(conflict.error().message == "remote_write: 13 is taken");
}

TEST_CASE("asynchronous blocks may be infallible", "[async]") {
  static constexpr auto wf = syncline::workflow<"infallible">(
      syncline::manual<int>{} | remote_plus_one{} | remote_plus_one{} | remote_log{});
  journal j;
  auto ctx = context(j);
  REQUIRE(run_blocking(wf.run(1, ctx))->completed());
  CHECK(j.lines == std::vector<std::string>{"log 3"});
  constexpr const auto& parts = decltype(wf)::parts();
  STATIC_REQUIRE(parts[1].how == syncline::effect::async);
  STATIC_REQUIRE(parts[3].role == syncline::part_role::destination);
}

TEST_CASE("recover blocks take failures across suspension points", "[async][errors]") {
  // A failure in the synchronous stretch before remote_double is recovered after it.
  static constexpr auto wf = syncline::workflow<"remote">(
      syncline::manual<int>{} | syncline::map<"checked">([](int x) -> syncline::result<int> {
        if (x == 0) return syncline::make_error(syncline::errc::invalid_input, "zero");
        return x;
      }) |
      remote_double{} |
      syncline::recover<"fallback">([](const syncline::error& e) -> syncline::result<int> {
        if (e.category == syncline::errc::invalid_input) return 1000;
        return e;  // give up
      }) |
      remote_write{});
  journal j;
  auto ctx = context(j);
  REQUIRE(run_blocking(wf.run(0, ctx))->completed());   // recovered from "checked"
  REQUIRE(run_blocking(wf.run(21, ctx))->completed());  // no failure
  auto given_up = run_blocking(wf.run(-1, ctx));        // remote_double fails; the handler gives up
  REQUIRE_FALSE(given_up);
  CHECK(given_up.error().message == "remote_double: no answer for -1");
  CHECK(j.lines == std::vector<std::string>{"1000", "42"});
}

TEST_CASE("a failure handed over a suspension point keeps its block's name", "[async][errors]") {
  static constexpr auto wf = syncline::workflow<"remote">(
      syncline::manual<int>{} | syncline::map<"checked">([](int x) -> syncline::result<int> {
        if (x == 0) return syncline::make_error(syncline::errc::invalid_input, "zero");
        return x;
      }) |
      syncline::map<"plus_one">([](int x) { return x + 1; }) | remote_double{} |
      syncline::recover<"give_up">(
          [](const syncline::error& e) -> syncline::result<int> { return e; }) |
      remote_write{});
  journal j;
  auto ctx = context(j);
  auto r = run_blocking(wf.run(0, ctx));
  REQUIRE_FALSE(r);
  CHECK(r.error().message == "checked: zero");
}

TEST_CASE("asynchronous guards pass on, skip or fail", "[async]") {
  static constexpr auto wf =
      syncline::workflow<"guarded">(syncline::manual<int>{} | remote_guard{} | remote_write{});
  journal j;
  auto ctx = context(j);
  REQUIRE(run_blocking(wf.run(1, ctx))->completed());
  auto seen = run_blocking(wf.run(7, ctx));
  REQUIRE(seen);
  CHECK(seen->was_skipped());
  CHECK(seen->block == "remote_guard");
  auto down = run_blocking(wf.run(99, ctx));
  REQUIRE_FALSE(down);
  CHECK(down.error().message == "remote_guard: store is down");
}

TEST_CASE("arms of branch, route and for_each may suspend", "[async]") {
  SECTION("branch") {
    static constexpr auto wf = syncline::workflow<"arms">(
        syncline::manual<int>{} |
        syncline::branch<"even">([](const int& x) { return x % 2 == 0; }, remote_double{},
                                 syncline::map([](int x) { return -x; })) |
        write_sync);
    journal j;
    auto ctx = context(j);
    REQUIRE(run_blocking(wf.run(4, ctx)));
    REQUIRE(run_blocking(wf.run(3, ctx)));
    auto failed = run_blocking(wf.run(-2, ctx));
    REQUIRE_FALSE(failed);
    CHECK(failed.error().message == "even: remote_double: no answer for -2");
    CHECK(j.lines == std::vector<std::string>{"8", "-3"});
  }
  SECTION("route") {
    static constexpr auto wf = syncline::workflow<"arms">(
        syncline::manual<int>{} |
        syncline::route<"size">(
            syncline::when<"small">([](const int& x) { return x < 10; }, remote_double{}),
            syncline::when<"medium">([](const int& x) { return x < 100; }, syncline::pass)) |
        remote_write{});
    journal j;
    auto ctx = context(j);
    REQUIRE(run_blocking(wf.run(4, ctx))->completed());
    REQUIRE(run_blocking(wf.run(40, ctx))->completed());
    auto none = run_blocking(wf.run(400, ctx));
    REQUIRE(none);
    CHECK(none->was_skipped());
    CHECK(none->block == "size");
    CHECK(j.lines == std::vector<std::string>{"8", "40"});
  }
  SECTION("for_each") {
    static constexpr auto wf = syncline::workflow<"arms">(
        syncline::manual<std::vector<int>>{} |
        syncline::for_each<"each">(remote_guard{} | syncline::map([](int x) { return x * 10; }) |
                                   remote_write{}));
    journal j;
    auto ctx = context(j);
    REQUIRE(run_blocking(wf.run(std::vector<int>{1, 7, 2}, ctx))->completed());
    CHECK(j.lines == std::vector<std::string>{"10", "20"});
    CHECK(j.keys == std::vector<std::string>{"t/async/arms/r/each.0.remote_write",
                                             "t/async/arms/r/each.2.remote_write"});
  }
}

namespace {
struct phases : syncline::run_observer {
  std::vector<std::string> lines;
  void on_block(const syncline::run_context&, const syncline::block_event& e) override {
    lines.push_back(std::to_string(e.position) + " " + std::string(e.block) + " " +
                    std::string(to_string(e.phase)));
  }
};
}  // namespace

TEST_CASE("the run log sees asynchronous blocks too", "[async]") {
  static constexpr auto wf = syncline::workflow<"logged">(
      syncline::manual<int>{} | syncline::filter<"positive">([](const int& x) { return x > 0; }) |
      remote_double{} | remote_write{});
  journal j;
  auto ctx = context(j);
  phases log;
  ctx.set_observer(&log);
  REQUIRE(run_blocking(wf.run(3, ctx))->completed());
  CHECK(log.lines == std::vector<std::string>{"1 positive started", "1 positive succeeded",
                                              "2 remote_double started",
                                              "2 remote_double succeeded", "3 remote_write started",
                                              "3 remote_write succeeded"});
}

}  // namespace unity_core_async_test
