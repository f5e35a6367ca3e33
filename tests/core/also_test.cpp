// syncline::also: a second destination beside the chain. The value passes on unchanged, the
// copy is sent once under its own idempotency key, failures are named, skips in the copy's arm
// do not skip the run, asynchronous destinations are awaited, and diagrams draw the side node.
#include <syncline/blocks/also.hpp>
#include <syncline/blocks/filter.hpp>
#include <syncline/blocks/map.hpp>
#include <syncline/blocks/recover.hpp>
#include <syncline/blocks/tap.hpp>
#include <syncline/blocks/to.hpp>
#include <syncline/core/app_event.hpp>
#include <syncline/core/diagram.hpp>
#include <syncline/core/integration.hpp>
#include <syncline/core/workflow.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "run_blocking.hpp"

namespace asio = boost::asio;

namespace also_test {

struct warehouse {
  static constexpr std::string_view name = "warehouse";
};

struct order {
  std::int64_t id = 0;
  std::string email;
  friend bool operator==(const order&, const order&) = default;
};

// What the destinations saw, found through the run context like a real API client.
struct journal {
  std::vector<std::string> app;
  std::vector<std::string> rows;
  std::vector<std::string> app_keys;
  std::vector<std::string> row_keys;
  int copies = 0;  // copies of a `counted` value made anywhere
};

// Streams an order to the application; order 13 is refused.
struct to_app : syncline::destination {
  using app_type = syncline::platform;
  static constexpr std::string_view name = "to_app";
  syncline::result<void> operator()(const order& o, syncline::run_context& ctx) const {
    if (o.id == 13) return syncline::make_error(syncline::errc::conflict, "stream is full");
    auto* j = ctx.service<journal>();
    j->app.push_back(std::to_string(o.id) + " " + o.email);
    j->app_keys.push_back(ctx.idempotency_key());
    return {};
  }
};

struct to_warehouse : syncline::destination {
  using app_type = warehouse;
  static constexpr std::string_view name = "to_warehouse";
  void operator()(const std::string& row, syncline::run_context& ctx) const {
    auto* j = ctx.service<journal>();
    j->rows.push_back(row);
    j->row_keys.push_back(ctx.idempotency_key());
  }
};

using placed = syncline::app_event<"order.placed", order>;

syncline::run_context context(journal& j) {
  syncline::run_context ctx({.tenant = "shop-1", .run_id = "r-7", .integration = "tests"});
  ctx.provide(j);
  return ctx;
}

using core_test::run_blocking;

// The application's stream, asynchronous: gives the io_context a turn before it writes.
struct to_app_async : syncline::destination {
  using app_type = syncline::platform;
  static constexpr std::string_view name = "to_app_async";
  asio::awaitable<syncline::result<void>> operator()(order o, syncline::run_context& ctx) const {
    co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
    co_return to_app{}(o, ctx);
  }
};

// Counts its copies in the journal, to show what `also` copies.
struct counted {
  journal* j = nullptr;
  std::int64_t id = 0;
  counted(journal* to, std::int64_t n) : j(to), id(n) {}
  counted(const counted& o) : j(o.j), id(o.id) { ++j->copies; }
  counted(counted&&) noexcept = default;
  counted& operator=(const counted&) = default;
  counted& operator=(counted&&) noexcept = default;
  ~counted() = default;
};

// Small and trivially copyable: `also` copies it for its arm. Large: `also` lends it.
struct point {
  std::int64_t x = 0;
  std::int64_t y = 0;
};
struct grid {
  std::array<std::int64_t, 64> cells{};
};

constexpr auto stream_orders = syncline::workflow<"stream_orders">(
    placed{} | syncline::also<"copy_to_app">(to_app{}) |
    syncline::map<"to_row">([](const order& o) { return o.email; }) | to_warehouse{});

}  // namespace also_test

using namespace also_test;

TEST_CASE("also sends the value to its destination and passes it on unchanged", "[also]") {
  journal j;
  auto ctx = context(j);
  auto r = stream_orders.run_sync(order{1, "a@example.com"}, ctx);
  REQUIRE(r);
  CHECK(r->completed());
  CHECK(j.app == std::vector<std::string>{"1 a@example.com"});
  CHECK(j.rows == std::vector<std::string>{"a@example.com"});
  // The copy has a key of its own (<also>.copy.<block>), apart from the workflow's destination,
  // so both writes are keyed apart and repeat nothing when the run is retried.
  CHECK(j.app_keys ==
        std::vector<std::string>{"shop-1/tests/stream_orders/r-7/copy_to_app.copy.to_app"});
  CHECK(j.row_keys == std::vector<std::string>{"shop-1/tests/stream_orders/r-7/to_warehouse"});

  // The block on its own hands back the very value it was given.
  constexpr auto copy = syncline::also(to_app{});
  using sig = syncline::detail::block_signature<decltype(copy), order>;
  STATIC_REQUIRE(std::is_same_v<sig::output, order>);
  STATIC_REQUIRE(!sig::is_destination);
  STATIC_REQUIRE(!sig::may_skip);
  auto passed = copy(order{2, "b@example.com"}, ctx);
  REQUIRE(passed.has_value());
  CHECK(*passed == order{2, "b@example.com"});
  CHECK(j.app.size() == 2);
}

TEST_CASE("a failure of also's destination fails the run under the also block's name",
          "[also][errors]") {
  journal j;
  auto ctx = context(j);
  auto r = stream_orders.run_sync(order{13, "c@example.com"}, ctx);
  REQUIRE_FALSE(r);
  CHECK(r.error().category == syncline::errc::conflict);
  CHECK(r.error().message == "copy_to_app: to_app: stream is full");
  CHECK(j.rows.empty());  // the chain stops there

  // A recover block after it decides what the failure means, like for any other block.
  static constexpr auto tolerant = syncline::workflow<"tolerant">(
      placed{} | syncline::also<"copy_to_app">(to_app{}) |
      syncline::recover<"go_on">([](const syncline::error&) -> std::optional<order> {
        return order{0, "recovered"};
      }) |
      syncline::map<"to_row">([](const order& o) { return o.email; }) | to_warehouse{});
  REQUIRE(tolerant.run_sync(order{13, "c@example.com"}, ctx)->completed());
  CHECK(j.rows == std::vector<std::string>{"recovered"});
}

TEST_CASE("also takes an arm that reshapes the copy and may skip it without skipping the run",
          "[also]") {
  static constexpr auto wf = syncline::workflow<"mirror">(
      placed{} |
      syncline::also<"mirror_row">(
          syncline::filter<"has_email">([](const order& o) { return !o.email.empty(); }) |
          syncline::map<"label">([](const order& o) { return "mirror " + o.email; }) |
          to_warehouse{}) |
      syncline::map<"to_row">([](const order& o) { return std::to_string(o.id); }) |
      to_warehouse{});
  journal j;
  auto ctx = context(j);
  REQUIRE(wf.run_sync(order{1, "a@example.com"}, ctx)->completed());
  auto r = wf.run_sync(order{2, ""}, ctx);
  REQUIRE(r);
  CHECK(r->completed());  // the filter only kept the copy from being sent
  CHECK(j.rows == std::vector<std::string>{"mirror a@example.com", "1", "2"});
  CHECK(j.row_keys ==
        std::vector<std::string>{"shop-1/tests/mirror/r-7/mirror_row.copy.to_warehouse",
                                 "shop-1/tests/mirror/r-7/to_warehouse",
                                 "shop-1/tests/mirror/r-7/to_warehouse"});
}

TEST_CASE("also awaits an asynchronous destination", "[also][async]") {
  static constexpr auto wf = syncline::workflow<"stream_async">(
      placed{} | syncline::also<"copy_to_app">(to_app_async{}) |
      syncline::map<"to_row">([](const order& o) { return o.email; }) | to_warehouse{});
  STATIC_REQUIRE(std::remove_cvref_t<decltype(wf)>::is_async);
  journal j;
  auto ctx = context(j);
  REQUIRE(run_blocking(wf.run(order{1, "a@example.com"}, ctx))->completed());
  CHECK(j.app == std::vector<std::string>{"1 a@example.com"});
  CHECK(j.rows == std::vector<std::string>{"a@example.com"});
  CHECK(j.app_keys ==
        std::vector<std::string>{"shop-1/tests/stream_async/r-7/copy_to_app.copy.to_app_async"});
  auto failed = run_blocking(wf.run(order{13, "c@example.com"}, ctx));
  REQUIRE_FALSE(failed);
  CHECK(failed.error().message == "copy_to_app: to_app_async: stream is full");
  CHECK(j.rows.size() == 1);
}

TEST_CASE("also lends the value to a destination that takes a const reference", "[also]") {
  journal j;
  auto ctx = context(j);
  std::int64_t seen = 0;
  const auto by_ref = syncline::also(syncline::to([&](const counted& c) { seen = c.id; }));
  counted passed = by_ref(counted{&j, 5}, ctx);
  CHECK(seen == 5);
  CHECK(passed.id == 5);
  CHECK(j.copies == 0);
  // A destination that takes the value for itself gets a copy: the chain keeps the original.
  const auto by_value = syncline::also(syncline::to([&](counted c) { seen = c.id + 1; }));
  passed = by_value(counted{&j, 5}, ctx);
  CHECK(seen == 6);
  CHECK(j.copies == 1);
}

TEST_CASE("also copies a small trivially copyable value for its arm instead of lending it",
          "[also][zero-overhead]") {
  // Lent, the value's address escapes into the arm and the value passed on must be read back from
  // memory after it; copied, the value passed on stays in registers (docs/perf/core.md, fan_out).
  syncline::run_context ctx;
  std::uintptr_t seen = 0;
  const auto copy_point = syncline::also(
      syncline::to([&](const point& p) { seen = reinterpret_cast<std::uintptr_t>(&p); }));
  const point p{1, 2};
  const point passed = copy_point(p, ctx);
  CHECK(seen != 0);
  CHECK(seen != reinterpret_cast<std::uintptr_t>(&p));
  CHECK(passed.x == 1);
  CHECK(passed.y == 2);
  // A large one is lent: it lives in memory anyway, and a copy would be a second memcpy.
  const auto lend_grid = syncline::also(
      syncline::to([&](const grid& g) { seen = reinterpret_cast<std::uintptr_t>(&g); }));
  grid g;
  g.cells[3] = 7;
  const grid passed_grid = lend_grid(g, ctx);
  CHECK(seen == reinterpret_cast<std::uintptr_t>(&g));
  CHECK(passed_grid.cells[3] == 7);
}

TEST_CASE("also of stateless destinations takes no space", "[also][zero-overhead]") {
  constexpr auto copy = syncline::also<"copy_to_app">(to_app{});
  STATIC_REQUIRE(std::is_empty_v<decltype(copy)>);
  STATIC_REQUIRE(std::is_empty_v<decltype(stream_orders)>);
  constexpr auto reshaped =
      syncline::also(syncline::map([](const order& o) { return o.email; }) | to_warehouse{});
  STATIC_REQUIRE(std::is_empty_v<decltype(reshaped)>);
}

TEST_CASE("also lists its destination as a part of its own arm", "[also][parts]") {
  constexpr const auto& parts = decltype(stream_orders)::parts();
  STATIC_REQUIRE(parts.size() == 5);
  STATIC_REQUIRE(parts[1].kind == "also");
  STATIC_REQUIRE(parts[1].name == "copy_to_app");
  STATIC_REQUIRE(parts[1].arms == "copy");
  STATIC_REQUIRE(parts[1].role == syncline::part_role::block);
  STATIC_REQUIRE(parts[1].how == syncline::effect::fallible);
  STATIC_REQUIRE(parts[2].name == "to_app");
  STATIC_REQUIRE(parts[2].parent == 1);
  STATIC_REQUIRE(parts[2].arm == "copy");
  STATIC_REQUIRE(parts[2].role == syncline::part_role::destination);
  STATIC_REQUIRE(parts[2].app == "platform");
  STATIC_REQUIRE(parts[3].name == "to_row");
  STATIC_REQUIRE(parts[3].position == 2);
  CHECK(parts[1].output == parts[1].input);
}

TEST_CASE("diagrams draw also's destination as a side node off the chain", "[also][diagram]") {
  constexpr auto sync = syncline::integration<"orders", warehouse>(stream_orders);
  CHECK(syncline::to_mermaid(sync) == R"mermaid(flowchart LR
  subgraph integration_orders["integration orders (app: warehouse)"]
    subgraph workflow_stream_orders["workflow stream_orders"]
      stream_orders__0(["app_event: order.placed"])
      stream_orders__1["also: copy_to_app (may fail)"]
      stream_orders__0 -->|"also_test::order"| stream_orders__1
      stream_orders__2[("destination: to_app (may fail)")]
      stream_orders__1 -->|"copy"| stream_orders__2
      stream_orders__3["map: to_row"]
      stream_orders__1 -->|"also_test::order"| stream_orders__3
      stream_orders__4[("destination: to_warehouse")]
      stream_orders__3 -->|"std::string"| stream_orders__4
    end
  end
  app_platform[["platform"]]
  app_warehouse[["warehouse"]]
  app_platform -.- stream_orders__0
  stream_orders__2 -.- app_platform
  stream_orders__4 -.- app_warehouse
)mermaid");
  const std::string dot = syncline::to_dot(sync);
  // Not a decision (a diamond): the value always takes both ways.
  CHECK(dot.find("\"stream_orders/1\" [label=\"also\\ncopy_to_app (may fail)\", shape=box];") !=
        std::string::npos);
  CHECK(dot.find("\"stream_orders/1\" -> \"stream_orders/2\" [label=\"copy\"];") !=
        std::string::npos);
  CHECK(dot.find("\"stream_orders/1\" -> \"stream_orders/3\" [label=\"also_test::order\"];") !=
        std::string::npos);
  // The side destination leads nowhere.
  CHECK(dot.find("\"stream_orders/2\" -> \"stream_orders/3\"") == std::string::npos);
}
