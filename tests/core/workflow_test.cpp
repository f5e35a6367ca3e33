// Workflows run synchronously: values, skips and failures through every standard block, the
// run log, idempotency keys, zero-size pipelines, introspection, integrations and diagrams.
#include <syncline/blocks/branch.hpp>
#include <syncline/blocks/filter.hpp>
#include <syncline/blocks/for_each.hpp>
#include <syncline/blocks/map.hpp>
#include <syncline/blocks/recover.hpp>
#include <syncline/blocks/route.hpp>
#include <syncline/blocks/tap.hpp>
#include <syncline/blocks/to.hpp>
#include <syncline/core/app_event.hpp>
#include <syncline/core/diagram.hpp>
#include <syncline/core/integration.hpp>
#include <syncline/core/manual.hpp>
#include <syncline/core/webhook.hpp>
#include <syncline/core/workflow.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace crm {
struct app {
  static constexpr std::string_view name = "crm";
};
struct contact {
  std::string email;
  friend bool operator==(const contact&, const contact&) = default;
};
}  // namespace crm

namespace {

struct order {
  std::int64_t id = 0;
  std::string email;
  std::int64_t total_cents = 0;
  std::vector<std::string> skus{};
};

// Where test destinations write, found through the run context like a real API client.
struct sink {
  std::vector<std::string> written;
  std::vector<std::string> keys;
};

template <class T>
struct collect : syncline::destination {
  static constexpr std::string_view name = "collect";
  void operator()(T v, syncline::run_context& ctx) const {
    auto* s = ctx.service<sink>();
    if constexpr (std::is_same_v<T, std::string>)
      s->written.push_back(std::move(v));
    else if constexpr (std::is_same_v<T, crm::contact>)
      s->written.push_back(v.email);
    else
      s->written.push_back(std::to_string(v));
    s->keys.push_back(ctx.idempotency_key());
  }
};

using placed = syncline::app_event<"order.placed", order>;

syncline::run_context context(sink& s) {
  syncline::run_context ctx({.tenant = "shop-1", .run_id = "r-7", .integration = "tests"});
  ctx.provide(s);
  return ctx;
}

// A fallible block written as a type: fails on orders without an email.
struct require_email {
  static constexpr std::string_view name = "require_email";
  syncline::result<crm::contact> operator()(const order& o) const {
    if (o.email.empty())
      return syncline::make_error(syncline::errc::invalid_input,
                                  "order " + std::to_string(o.id) + " has no email");
    return crm::contact{o.email};
  }
};

// A guard: passes values on, can skip or fail (what an echo guard or a dedupe block does).
struct not_seen_before : syncline::guard {
  static constexpr std::string_view name = "not_seen_before";
  syncline::outcome<void> inspect(const order& o) const {
    if (o.id == 13) return syncline::make_error(syncline::errc::storage, "dedupe store is down");
    if (o.id == 7) return syncline::skip("already synced");
    return {};
  }
};

}  // namespace

TEST_CASE("a pipeline of pure blocks runs to its destination", "[workflow]") {
  static constexpr auto wf = syncline::workflow<"push_orders">(
      placed{} | syncline::filter<"has_email">([](const order& o) { return !o.email.empty(); }) |
      syncline::map<"to_contact">([](const order& o) { return crm::contact{o.email}; }) |
      syncline::tap<"probe">([](const crm::contact&) {}) |
      syncline::map<"email">([](crm::contact c) { return std::move(c.email); }) |
      collect<std::string>{});
  STATIC_REQUIRE(std::is_empty_v<std::remove_cvref_t<decltype(wf)>>);
  STATIC_REQUIRE(!std::remove_cvref_t<decltype(wf)>::is_async);
  STATIC_REQUIRE(wf.name == "push_orders");
  STATIC_REQUIRE(std::is_same_v<std::remove_cvref_t<decltype(wf)>::payload_type, order>);

  sink s;
  auto ctx = context(s);
  auto r = wf.run_sync(order{1, "a@example.com"}, ctx);
  REQUIRE(r);
  CHECK(r->completed());
  CHECK(s.written == std::vector<std::string>{"a@example.com"});
  CHECK(s.keys == std::vector<std::string>{"shop-1/tests/push_orders/r-7/collect"});
  CHECK(ctx.workflow() == "push_orders");

  auto skipped = wf.run_sync(order{2, ""}, ctx);
  REQUIRE(skipped);
  CHECK(skipped->was_skipped());
  CHECK(skipped->position == 1);
  CHECK(skipped->block == "has_email");
  CHECK(s.written.size() == 1);
}

TEST_CASE("stateless blocks and pipelines of them take no space", "[workflow][zero-overhead]") {
  constexpr auto m = syncline::map([](int x) { return x + 1; });
  constexpr auto f = syncline::filter([](const int& x) { return x > 0; });
  STATIC_REQUIRE(std::is_empty_v<decltype(m)>);
  STATIC_REQUIRE(std::is_empty_v<decltype(f)>);
  constexpr auto arm = m | f | syncline::tap([](const int&) {});
  STATIC_REQUIRE(std::is_empty_v<decltype(arm)>);
  constexpr auto wf = syncline::workflow<"count">(syncline::manual<int>{} | m |
                                                  syncline::map([](int x) { return x * 2; }) | f |
                                                  syncline::to<"drop">([](int) {}));
  STATIC_REQUIRE(std::is_empty_v<decltype(wf)>);
  STATIC_REQUIRE(sizeof(wf) == 1);
  // The same block type twice is still empty, but C++ gives two subobjects of one type distinct
  // addresses, so such a workflow is a few bytes of padding (never data).
  constexpr auto repeated = syncline::workflow<"count">(syncline::manual<int>{} | m | m | m |
                                                        syncline::to<"drop">([](int) {}));
  STATIC_REQUIRE(std::is_empty_v<decltype(repeated)>);

  // A block with state costs exactly its state.
  constexpr auto with_state =
      syncline::map([k = std::int64_t{3}](std::int64_t x) { return x * k; });
  STATIC_REQUIRE(sizeof(with_state) == sizeof(std::int64_t));
}

TEST_CASE("a failing block fails the run with its name and category", "[workflow][errors]") {
  static constexpr auto wf =
      syncline::workflow<"push_orders">(placed{} | require_email{} | collect<crm::contact>{});
  sink s;
  auto ctx = context(s);
  auto r = wf.run_sync(order{9, ""}, ctx);
  REQUIRE_FALSE(r);
  CHECK(r.error().category == syncline::errc::invalid_input);
  CHECK(r.error().message == "require_email: order 9 has no email");
  CHECK(s.written.empty());
}

TEST_CASE("recover blocks decide what failures before them mean", "[workflow][errors]") {
  auto handler = [](const syncline::error& e) -> syncline::outcome<crm::contact> {
    if (e.category == syncline::errc::invalid_input) return crm::contact{"unknown@example.com"};
    if (e.category == syncline::errc::not_found) return syncline::skip("no such customer");
    return e;  // give up: the run fails with the original error
  };
  static constexpr auto wf = syncline::workflow<"push_orders">(
      placed{} | syncline::map<"lookup">([](order o) -> syncline::result<order> {
        if (o.id == 404) return syncline::make_error(syncline::errc::not_found, "no customer");
        if (o.id == 500) return syncline::make_error(syncline::errc::unavailable, "crm down");
        return o;
      }) |
      require_email{} | syncline::recover<"fallback">(handler) | collect<crm::contact>{});
  sink s;
  auto ctx = context(s);

  auto replaced = wf.run_sync(order{1, ""}, ctx);
  REQUIRE(replaced);
  CHECK(replaced->completed());
  CHECK(s.written == std::vector<std::string>{"unknown@example.com"});

  auto skipped = wf.run_sync(order{404, "x@example.com"}, ctx);
  REQUIRE(skipped);
  CHECK(skipped->was_skipped());
  CHECK(skipped->position == 3);
  CHECK(skipped->block == "fallback");
  CHECK(skipped->reason == "no such customer");

  auto given_up = wf.run_sync(order{500, "x@example.com"}, ctx);
  REQUIRE_FALSE(given_up);
  CHECK(given_up.error().category == syncline::errc::unavailable);
  CHECK(given_up.error().message == "lookup: crm down");  // named after the block that failed

  auto passed = wf.run_sync(order{2, "b@example.com"}, ctx);
  REQUIRE(passed);
  CHECK(s.written.back() == "b@example.com");
}

TEST_CASE("a recover handler returning optional skips on nullopt", "[workflow][errors]") {
  static constexpr auto wf = syncline::workflow<"push_orders", syncline::error_policy::handle>(
      placed{} | require_email{} |
      syncline::recover<"skip_guests">(
          [](const syncline::error&) -> std::optional<crm::contact> { return std::nullopt; }) |
      collect<crm::contact>{});
  sink s;
  auto ctx = context(s);
  auto r = wf.run_sync(order{1, ""}, ctx);
  REQUIRE(r);
  CHECK(r->was_skipped());
  CHECK(r->block == "skip_guests");
}

TEST_CASE("guards pass values on, skip or fail", "[workflow]") {
  static constexpr auto wf = syncline::workflow<"push_orders">(
      placed{} | not_seen_before{} |
      syncline::map<"id">([](const order& o) { return std::to_string(o.id); }) |
      collect<std::string>{});
  sink s;
  auto ctx = context(s);
  CHECK(wf.run_sync(order{1, "a"}, ctx)->completed());
  auto seen = wf.run_sync(order{7, "a"}, ctx);
  REQUIRE(seen);
  CHECK(seen->was_skipped());
  CHECK(seen->block == "not_seen_before");
  CHECK(seen->reason == "already synced");
  auto down = wf.run_sync(order{13, "a"}, ctx);
  REQUIRE_FALSE(down);
  CHECK(down.error().category == syncline::errc::storage);
  CHECK(down.error().message == "not_seen_before: dedupe store is down");
  CHECK(s.written == std::vector<std::string>{"1"});
}

namespace {
struct event_log : syncline::run_observer {
  std::vector<std::string> lines;
  void on_block(const syncline::run_context& ctx, const syncline::block_event& e) override {
    std::string line = std::string(ctx.workflow()) + " " + std::to_string(e.position) + " " +
                       std::string(e.block) + " " + std::string(to_string(e.phase));
    if (e.failure) line += " " + e.failure->message;
    if (e.skip_info) line += " " + std::string(e.skip_info->reason);
    lines.push_back(std::move(line));
  }
};
}  // namespace

TEST_CASE("an observer receives every block's start and end for the run log", "[workflow]") {
  static constexpr auto wf = syncline::workflow<"push_orders">(
      placed{} | not_seen_before{} | require_email{} |
      syncline::recover<"fallback">([](const syncline::error&) { return crm::contact{"?"}; }) |
      collect<crm::contact>{});
  sink s;
  auto ctx = context(s);
  event_log log;
  ctx.set_observer(&log);
  REQUIRE(wf.run_sync(order{1, ""}, ctx));
  CHECK(log.lines == std::vector<std::string>{
                         "push_orders 1 not_seen_before started",
                         "push_orders 1 not_seen_before succeeded",
                         "push_orders 2 require_email started",
                         "push_orders 2 require_email failed order 1 has no email",
                         "push_orders 3 fallback started",
                         "push_orders 3 fallback succeeded",
                         "push_orders 4 collect started",
                         "push_orders 4 collect succeeded",
                     });
  log.lines.clear();
  REQUIRE(wf.run_sync(order{7, ""}, ctx));
  CHECK(log.lines ==
        std::vector<std::string>{"push_orders 1 not_seen_before started",
                                 "push_orders 1 not_seen_before skipped already synced"});
}

TEST_CASE("branch sends each value down one arm and joins their results", "[workflow][branch]") {
  auto big = [](const order& o) { return o.total_cents >= 10'000; };
  SECTION("arms of one type") {
    static constexpr auto wf = syncline::workflow<"tier">(
        placed{} |
        syncline::branch<"big_order">(
            [](const order& o) { return o.total_cents >= 10'000; },
            syncline::map<"vip">([](const order& o) { return "vip:" + o.email; }),
            syncline::map<"regular">([](const order& o) { return "regular:" + o.email; })) |
        collect<std::string>{});
    sink s;
    auto ctx = context(s);
    REQUIRE(wf.run_sync(order{1, "a", 20'000}, ctx));
    REQUIRE(wf.run_sync(order{2, "b", 500}, ctx));
    CHECK(s.written == std::vector<std::string>{"vip:a", "regular:b"});
  }
  SECTION("arms of different types make a variant") {
    constexpr auto b = syncline::branch<"big_order">(
        big, syncline::map([](const order& o) { return o.total_cents; }),
        syncline::map([](const order& o) { return o.email; }));
    using out = syncline::detail::block_signature<decltype(b), order>::output;
    STATIC_REQUIRE(std::is_same_v<out, std::variant<std::int64_t, std::string>>);
    sink s;
    auto ctx = context(s);
    auto small = b(order{1, "a", 5}, ctx);
    REQUIRE(small.has_value());
    CHECK(std::get<std::string>(*small) == "a");
  }
  SECTION("arms whose common type is one of them produce it") {
    constexpr auto b =
        syncline::branch(big, syncline::map([](const order&) { return 1; }),
                         syncline::map([](const order&) { return std::int64_t{2}; }));
    using out = syncline::detail::block_signature<decltype(b), order>::output;
    STATIC_REQUIRE(std::is_same_v<out, std::int64_t>);
  }
  SECTION("pass keeps the value; a filter in an arm skips the whole run") {
    static constexpr auto wf = syncline::workflow<"tier">(
        placed{} |
        syncline::branch<"guests">([](const order& o) { return o.email.empty(); },
                                   syncline::filter<"only_big_guests">(
                                       [](const order& o) { return o.total_cents >= 10'000; }),
                                   syncline::pass) |
        syncline::map<"id">([](const order& o) { return std::to_string(o.id); }) |
        collect<std::string>{});
    sink s;
    auto ctx = context(s);
    REQUIRE(wf.run_sync(order{1, "a", 5}, ctx)->completed());
    REQUIRE(wf.run_sync(order{2, "", 50'000}, ctx)->completed());
    auto r = wf.run_sync(order{3, "", 5}, ctx);
    REQUIRE(r);
    CHECK(r->was_skipped());
    CHECK(r->position == 1);               // the top-level part: the branch
    CHECK(r->block == "only_big_guests");  // the block that said no
    CHECK(s.written == std::vector<std::string>{"1", "2"});
  }
  SECTION("a branch whose arms both end in destinations is the destination") {
    static constexpr auto wf = syncline::workflow<"tier">(
        placed{} |
        syncline::branch<"big_order">(
            [](const order& o) { return o.total_cents >= 10'000; },
            syncline::map([](const order& o) { return "big " + o.email; }) | collect<std::string>{},
            syncline::map([](const order& o) { return "small " + o.email; }) |
                collect<std::string>{}));
    sink s;
    auto ctx = context(s);
    REQUIRE(wf.run_sync(order{1, "a", 20'000}, ctx));
    REQUIRE(wf.run_sync(order{2, "b", 20}, ctx));
    CHECK(s.written == std::vector<std::string>{"big a", "small b"});
    // Arms have their own idempotency keys: <branch>.<arm>.<block>.
    CHECK(s.keys == std::vector<std::string>{"shop-1/tests/tier/r-7/big_order.then.collect",
                                             "shop-1/tests/tier/r-7/big_order.else.collect"});
  }
}

TEST_CASE("route takes the first matching case", "[workflow][route]") {
  static constexpr auto wf = syncline::workflow<"by_market">(
      placed{} |
      syncline::route<"market">(
          syncline::when<"domestic">([](const order& o) { return o.email.ends_with(".de"); },
                                     syncline::map([](const order& o) { return "de:" + o.email; })),
          syncline::when<"eu">([](const order& o) { return o.email.ends_with(".eu"); },
                               syncline::map([](const order& o) { return "eu:" + o.email; })),
          syncline::when<"big">([](const order& o) { return o.total_cents > 100; },
                                syncline::map([](const order& o) { return "big:" + o.email; }))) |
      collect<std::string>{});
  sink s;
  auto ctx = context(s);
  REQUIRE(wf.run_sync(order{1, "a.de", 1'000}, ctx));
  REQUIRE(wf.run_sync(order{2, "b.eu", 1'000}, ctx));
  REQUIRE(wf.run_sync(order{3, "c.us", 1'000}, ctx));
  auto none = wf.run_sync(order{4, "d.us", 1}, ctx);
  REQUIRE(none);
  CHECK(none->was_skipped());
  CHECK(none->block == "market");
  CHECK(none->reason == "no case matched");
  CHECK(s.written == std::vector<std::string>{"de:a.de", "eu:b.eu", "big:c.us"});

  constexpr auto with_otherwise =
      syncline::route(syncline::when<"small">([](const int& x) { return x < 10; }, syncline::pass),
                      syncline::otherwise(syncline::map([](int x) { return x / 10; })));
  STATIC_REQUIRE(with_otherwise.arm_names.view() == "small,otherwise");
  sink t;
  auto ctx2 = context(t);
  CHECK(*with_otherwise(5, ctx2) == 5);
  CHECK(*with_otherwise(50, ctx2) == 5);
}

TEST_CASE("for_each runs an arm per element", "[workflow][for_each]") {
  SECTION("collecting what the arm produces, without skipped elements") {
    constexpr auto each = syncline::for_each<"lines">(
        syncline::filter([](const std::string& sku) { return !sku.empty(); }) |
        syncline::map([](std::string sku) { return sku.size(); }));
    using out = syncline::detail::block_signature<decltype(each), std::vector<std::string>>::output;
    STATIC_REQUIRE(std::is_same_v<out, std::vector<std::size_t>>);
    sink s;
    auto ctx = context(s);
    auto r = each(std::vector<std::string>{"ab", "", "abcd"}, ctx);
    REQUIRE(r.has_value());
    CHECK(*r == std::vector<std::size_t>{2, 4});
  }
  SECTION("a destination per element, each with its own idempotency key") {
    static constexpr auto wf = syncline::workflow<"lines">(
        placed{} | syncline::map<"skus">([](order o) { return std::move(o.skus); }) |
        syncline::for_each<"each_sku">(collect<std::string>{}));
    sink s;
    auto ctx = context(s);
    REQUIRE(wf.run_sync(order{1, "a", 0, {"x", "y"}}, ctx)->completed());
    CHECK(s.written == std::vector<std::string>{"x", "y"});
    CHECK(s.keys == std::vector<std::string>{"shop-1/tests/lines/r-7/each_sku.0.collect",
                                             "shop-1/tests/lines/r-7/each_sku.1.collect"});
  }
  SECTION("the first failing element fails the block") {
    static constexpr auto wf = syncline::workflow<"lines">(
        placed{} | syncline::map<"skus">([](order o) { return std::move(o.skus); }) |
        syncline::for_each<"each_sku">(
            syncline::map<"check">([](std::string sku) -> syncline::result<std::string> {
              if (sku == "bad") return syncline::make_error(syncline::errc::decode, "bad sku");
              return sku;
            }) |
            collect<std::string>{}));
    sink s;
    auto ctx = context(s);
    auto r = wf.run_sync(order{1, "a", 0, {"x", "bad", "z"}}, ctx);
    REQUIRE_FALSE(r);
    // Each pipeline the error leaves adds the name of the block it left from.
    CHECK(r.error().message == "each_sku: check: bad sku");
    CHECK(s.written == std::vector<std::string>{"x"});
  }
}

TEST_CASE("arms start with any block", "[workflow]") {
  // A standard block on either side finds `|`; two blocks of your own use chain().
  constexpr auto guarded =
      not_seen_before{} | syncline::map([](const order& o) { return o.email; });
  constexpr auto checked = syncline::chain(not_seen_before{}, require_email{});
  STATIC_REQUIRE(
      std::is_same_v<
          syncline::detail::arm_flow_t<std::remove_cvref_t<decltype(guarded)>, order>::output,
          std::string>);
  static constexpr auto wf = syncline::workflow<"arms">(
      placed{} |
      syncline::branch([](const order& o) { return o.total_cents > 0; }, checked,
                       syncline::map([](const order&) { return crm::contact{"free"}; })) |
      collect<crm::contact>{});
  sink s;
  auto ctx = context(s);
  REQUIRE(wf.run_sync(order{1, "a", 5}, ctx)->completed());
  REQUIRE(wf.run_sync(order{2, "b", 0}, ctx)->completed());
  CHECK(wf.run_sync(order{7, "c", 5}, ctx)->was_skipped());
  CHECK(s.written == std::vector<std::string>{"a", "free"});
}

TEST_CASE("blocks are named by their name, else by their type", "[workflow]") {
  auto lambda = [](int x) { return x; };
  STATIC_REQUIRE(syncline::block_name<decltype(lambda)>() == "lambda");
  STATIC_REQUIRE(syncline::block_name<require_email>() == "require_email");
  STATIC_REQUIRE(syncline::block_name<collect<int>>() == "collect");
  STATIC_REQUIRE(syncline::block_kind<collect<int>>() == "destination");
  STATIC_REQUIRE(syncline::block_kind<decltype(syncline::map(lambda))>() == "map");
  STATIC_REQUIRE(syncline::block_name<decltype(syncline::map(lambda))>() == "map");
}

namespace {
constexpr auto introspected = syncline::workflow<"lines">(
    placed{} |
    syncline::branch<"big">([](const order& o) { return o.total_cents > 5; },
                            syncline::map<"email">([](const order& o) { return o.email; }),
                            syncline::pass) |
    syncline::to<"done">([](std::variant<std::string, order>) {}));
}  // namespace

TEST_CASE("a workflow lists its parts at compile time", "[workflow][parts]") {
  constexpr const auto& parts = decltype(introspected)::parts();
  STATIC_REQUIRE(parts.size() == 4);
  STATIC_REQUIRE(parts[0].role == syncline::part_role::trigger);
  STATIC_REQUIRE(parts[0].kind == "app_event");
  STATIC_REQUIRE(parts[0].name == "order.placed");
  STATIC_REQUIRE(parts[0].app == "platform");
  STATIC_REQUIRE(parts[1].kind == "branch");
  STATIC_REQUIRE(parts[1].arms == "then,else");
  STATIC_REQUIRE(parts[1].position == 1);
  STATIC_REQUIRE(parts[2].name == "email");
  STATIC_REQUIRE(parts[2].parent == 1);
  STATIC_REQUIRE(parts[2].arm == "then");
  STATIC_REQUIRE(parts[2].position == 1);
  STATIC_REQUIRE(parts[3].role == syncline::part_role::destination);
  STATIC_REQUIRE(parts[3].position == 2);
  STATIC_REQUIRE(parts[3].output.empty());
  // Type names are readable but spelled by the compiler: compare them at run time.
  CHECK(parts[0].output.ends_with("order"));
  CHECK(parts[1].output.starts_with("std::variant<std::string, "));
  CHECK(parts[3].input == parts[1].output);
}

namespace crm {
struct upsert : syncline::destination {
  using app_type = app;
  static constexpr std::string_view name = "upsert";
  void operator()(const contact&) const {}
};
}  // namespace crm

namespace {
constexpr auto push = syncline::workflow<"push">(
    placed{} | syncline::map<"to_contact">([](const order& o) { return crm::contact{o.email}; }) |
    crm::upsert{});
constexpr auto pull = syncline::workflow<"pull">(
    syncline::webhook<crm::app, "contacts/updated", crm::contact>{} |
    syncline::filter<"has_email">([](const crm::contact& c) { return !c.email.empty(); }) |
    syncline::to<"save">([](const crm::contact&) {}));
constexpr auto crm_sync = syncline::integration<"crm_sync", crm::app>(push, pull);
}  // namespace

TEST_CASE("an integration exposes its name, app and workflows", "[integration]") {
  using I = std::remove_cvref_t<decltype(crm_sync)>;
  STATIC_REQUIRE(I::name == "crm_sync");
  STATIC_REQUIRE(std::is_same_v<I::app_type, crm::app>);
  STATIC_REQUIRE(I::size == 2);
  STATIC_REQUIRE(crm_sync.get<"pull">().name == "pull");
  STATIC_REQUIRE(boost::hana::length(crm_sync.workflows) == boost::hana::size_c<2>);
  std::vector<std::string_view> names;
  syncline::for_each_workflow(crm_sync, [&](const auto& wf) { names.push_back(wf.name); });
  CHECK(names == std::vector<std::string_view>{"push", "pull"});
}

TEST_CASE("an integration draws itself as Mermaid and DOT", "[integration][diagram]") {
  CHECK(syncline::to_mermaid(crm_sync) ==
        R"mermaid(flowchart LR
  subgraph integration_crm_sync["integration crm_sync (app: crm)"]
    subgraph workflow_push["workflow push"]
      push__0(["app_event: order.placed"])
      push__1["map: to_contact"]
      push__0 -->|"order"| push__1
      push__2[("destination: upsert")]
      push__1 -->|"crm::contact"| push__2
    end
    subgraph workflow_pull["workflow pull"]
      pull__0(["webhook: contacts/updated"])
      pull__1{"filter: has_email"}
      pull__0 -->|"crm::contact"| pull__1
      pull__2[("destination: save")]
      pull__1 -->|"crm::contact"| pull__2
    end
  end
  app_platform[["platform"]]
  app_crm[["crm"]]
  app_platform -.- push__0
  push__2 -.- app_crm
  app_crm -.- pull__0
)mermaid");
  const std::string dot = syncline::to_dot(crm_sync);
  CHECK(dot.starts_with("digraph \"crm_sync\" {\n  rankdir=LR;\n"));
  CHECK(dot.find("  subgraph \"cluster_push\" {\n    label=\"workflow push\";\n") !=
        std::string::npos);
  CHECK(dot.find("\"push/0\" [label=\"app_event\\norder.placed\", shape=oval];") !=
        std::string::npos);
  CHECK(dot.find("\"push/1\" -> \"push/2\" [label=\"crm::contact\"];") != std::string::npos);
  CHECK(dot.find("\"pull/1\" [label=\"filter\\nhas_email\", shape=diamond];") != std::string::npos);
  CHECK(dot.find("\"app_crm\" [label=\"crm\", shape=box3d];") != std::string::npos);
  CHECK(dot.find("\"push/2\" -> \"app_crm\" [style=dashed, arrowhead=none];") != std::string::npos);
  CHECK(dot.ends_with("}\n"));
}

TEST_CASE("diagrams show the arms of composite blocks and what they join into",
          "[integration][diagram]") {
  constexpr auto only = syncline::integration<"tiers", crm::app>(introspected);
  const std::string m = syncline::to_mermaid(only);
  CHECK(m.find("lines__1{\"branch: big\"}") != std::string::npos);
  CHECK(m.find("lines__1 -->|\"then\"| lines__2") != std::string::npos);
  // The else arm is empty: the branch leads straight to the destination, labelled with the arm.
  CHECK(m.find("lines__1 -->|\"else\"| lines__3") != std::string::npos);
  CHECK(m.find("lines__2 -->|\"std::string\"| lines__3") != std::string::npos);
}

namespace {
struct move_only_payload {
  std::unique_ptr<int> value;
};
template <class Workflow, class Payload>
concept runs_sync_with = requires(const Workflow& w, Payload&& p, syncline::run_context& ctx) {
  w.run_sync(std::forward<Payload>(p), ctx);
};
constexpr auto take_move_only = syncline::workflow<"take_move_only">(
    syncline::manual<move_only_payload>{} |
    syncline::to<"keep">([](move_only_payload p) { CHECK(p.value != nullptr); }));
}  // namespace

TEST_CASE("run_sync takes a move-only payload as an rvalue and refuses it as an lvalue") {
  syncline::run_context ctx({.tenant = "t", .run_id = "r", .integration = "i"});
  auto done = take_move_only.run_sync(move_only_payload{std::make_unique<int>(7)}, ctx);
  CHECK(done);
  // An lvalue would have to be copied: the call does not match (an error at the call site, not
  // inside the library).
  using workflow_type = std::remove_const_t<decltype(take_move_only)>;
  STATIC_REQUIRE_FALSE(runs_sync_with<workflow_type, move_only_payload&>);
  STATIC_REQUIRE(runs_sync_with<workflow_type, move_only_payload>);
}
