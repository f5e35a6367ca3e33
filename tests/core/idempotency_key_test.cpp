// Idempotency keys are made of block names, not positions: a new version of a workflow with
// blocks inserted before, between and inside the old ones gives the old blocks the keys they
// had, so a run queued by the old binary and replayed by the new one writes nothing twice.
#include <syncline/blocks/also.hpp>
#include <syncline/blocks/branch.hpp>
#include <syncline/blocks/filter.hpp>
#include <syncline/blocks/for_each.hpp>
#include <syncline/blocks/map.hpp>
#include <syncline/blocks/route.hpp>
#include <syncline/blocks/tap.hpp>
#include <syncline/blocks/to.hpp>
#include <syncline/core/app_event.hpp>
#include <syncline/core/workflow.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace unity_core_idempotency_key_test {

namespace key_test {

struct order {
  std::int64_t id = 0;
  std::string email;
  std::int64_t total_cents = 0;
  std::vector<std::string> skus{};
};

// block -> the keys it saw, in order; found through the run context like a real API client.
struct key_log {
  std::map<std::string, std::vector<std::string>, std::less<>> by_block;
};

void remember(syncline::run_context& ctx, const char* block) {
  ctx.service<key_log>()->by_block[block].push_back(ctx.idempotency_key());
}

// A tap and a destination that record the key they are given, under their own name.
template <syncline::fixed_string Name>
constexpr auto probe() {
  return syncline::tap<Name>(
      [](const auto&, syncline::run_context& ctx) { remember(ctx, Name.view().data()); });
}
template <syncline::fixed_string Name>
constexpr auto writer() {
  return syncline::to<Name>(
      [](const auto&, syncline::run_context& ctx) { remember(ctx, Name.view().data()); });
}

using placed = syncline::app_event<"order.placed", order>;

constexpr auto skus_of = [](const order& o) { return o.skus; };
constexpr auto is_big = [](const order& o) { return o.total_cents >= 10'000; };
constexpr auto is_gift = [](const std::string& sku) { return sku.starts_with("gift-"); };

// Version 1 of the workflow.
constexpr auto v1 = syncline::workflow<"sync_order">(
    placed{} | probe<"audit">() | syncline::also<"copy_to_app">(writer<"app">()) |
    syncline::route<"by_size">(syncline::when<"big">(is_big, probe<"vip">()),
                               syncline::otherwise(syncline::pass)) |
    syncline::map<"skus">(skus_of) |
    syncline::for_each<"each_line">(syncline::branch<"kind">(
        is_gift, writer<"gift_row">(), probe<"plain">() | writer<"line_row">())));

// Version 2: blocks inserted first, between, at the start of every arm and of the element arm,
// and a new route case before the old one; nothing renamed.
constexpr auto v2 = syncline::workflow<"sync_order">(
    placed{} | probe<"first_look">() |
    syncline::filter<"has_email">([](const order& o) { return !o.email.empty(); }) |
    probe<"audit">() | probe<"second_look">() |
    syncline::also<"copy_to_app">(probe<"copy_probe">() | writer<"app">()) |
    syncline::route<"by_size">(
        syncline::when<"huge">([](const order& o) { return o.total_cents >= 1'000'000; },
                               probe<"huge_probe">()),
        syncline::when<"big">(is_big, probe<"vip_probe">() | probe<"vip">()),
        syncline::otherwise(syncline::pass)) |
    syncline::map<"stamp">([](order o, syncline::run_context&) { return o; }) |
    syncline::map<"skus">(skus_of) |
    syncline::for_each<"each_line">(
        probe<"line_probe">() |
        syncline::branch<"kind">(
            is_gift, probe<"gift_probe">() | writer<"gift_row">(),
            probe<"plain_probe">() | probe<"plain">() | writer<"line_row">())));

template <class Workflow>
key_log keys_of(const Workflow& wf, const order& o) {
  key_log log;
  syncline::run_context ctx({.tenant = "shop-1", .run_id = "r-1", .integration = "shop_sync"});
  ctx.provide(log);
  auto r = wf.run_sync(o, ctx);
  REQUIRE(r);
  REQUIRE(r->completed());
  return log;
}

const order big_order{1, "a@example.com", 20'000, {"gift-card", "mug"}};

struct services_only : syncline::guard {
  static constexpr std::string_view name = "look_up";
  static constexpr bool reads_idempotency_key = false;
  bool inspect(const int&, syncline::run_context& ctx) const { return ctx.attempt() > 0; }
};

}  // namespace key_test

using namespace key_test;

TEST_CASE("idempotency keys name the block, its composite blocks and arms, and elements",
          "[idempotency_key]") {
  const key_log log = keys_of(v1, big_order);
  using keys = std::vector<std::string>;
  const std::string run = "shop-1/shop_sync/sync_order/r-1/";
  CHECK(log.by_block.at("audit") == keys{run + "audit"});
  // also: <also>.copy.<block>; route: <route>.<case>.<block>.
  CHECK(log.by_block.at("app") == keys{run + "copy_to_app.copy.app"});
  CHECK(log.by_block.at("vip") == keys{run + "by_size.big.vip"});
  // for_each: <for_each>.<element>.<block>; branch: <branch>.then / .else.<block>.
  CHECK(log.by_block.at("gift_row") == keys{run + "each_line.0.kind.then.gift_row"});
  CHECK(log.by_block.at("plain") == keys{run + "each_line.1.kind.else.plain"});
  CHECK(log.by_block.at("line_row") == keys{run + "each_line.1.kind.else.line_row"});
}

TEST_CASE("inserting blocks into a workflow changes no key of the blocks that were there",
          "[idempotency_key]") {
  const order small_order{2, "b@example.com", 50, {"mug", "gift-wrap", "cup"}};
  for (const order& o : {big_order, small_order}) {
    const key_log before = keys_of(v1, o);
    const key_log after = keys_of(v2, o);
    REQUIRE_FALSE(before.by_block.empty());
    for (const auto& [block, keys] : before.by_block) {
      INFO("block " << block);
      REQUIRE(after.by_block.contains(block));
      CHECK(after.by_block.at(block) == keys);
    }
    // The new blocks got keys of their own, none equal to an old block's key.
    for (const auto& [block, keys] : after.by_block) {
      if (before.by_block.contains(block)) continue;
      for (const auto& key : keys)
        for (const auto& [old_block, old_keys] : before.by_block) {
          INFO(block << " vs " << old_block);
          CHECK(std::find(old_keys.begin(), old_keys.end(), key) == old_keys.end());
        }
    }
  }
}

TEST_CASE("each element of a for_each has its own key, the same on every attempt",
          "[idempotency_key]") {
  const key_log first = keys_of(v1, big_order);
  const key_log again = keys_of(v1, big_order);
  CHECK(first.by_block.at("gift_row") == again.by_block.at("gift_row"));
  const order many{3, "c@example.com", 0, {"a", "b", "c"}};
  const auto rows = keys_of(v1, many).by_block.at("line_row");
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].ends_with("each_line.0.kind.else.line_row"));
  CHECK(rows[2].ends_with("each_line.2.kind.else.line_row"));
  CHECK(rows[0] != rows[1]);
}

TEST_CASE("blocks that take the run context need distinct names in their list, others not",
          "[idempotency_key]") {
  // The rule is checked where the workflow is named (core_duplicate_block_name in
  // tests/compile_fail is the rejected form); these are accepted forms of it.
  using syncline::detail::no_block;
  using syncline::detail::shared_key;
  using pure = decltype(syncline::map([](int x) { return x; }));
  using keyed = decltype(syncline::map<"keyed">([](int x, syncline::run_context&) { return x; }));
  using keyed_too = decltype(syncline::tap<"keyed">([](const int&, syncline::run_context&) {}));
  STATIC_REQUIRE(shared_key<int, pure, pure>[0] == no_block);
  STATIC_REQUIRE(shared_key<int, keyed, pure, keyed_too>[0] == 0);
  STATIC_REQUIRE(shared_key<int, keyed, pure, keyed_too>[1] == 2);
  // A block that takes the context for its services only, and says so (as the echo guards do).
  STATIC_REQUIRE(shared_key<int, services_only, pure, services_only>[0] == no_block);
  STATIC_REQUIRE(shared_key<int, keyed, services_only>[0] == no_block);  // two names
  // The same names in two arms are two keys: the arm's name tells them apart.
  STATIC_REQUIRE(v1.name == "sync_order");
}

TEST_CASE("a copy sent per element: also's arm may end in a for_each", "[idempotency_key][also]") {
  // The also block once asked the for_each whether it accepts the also's own input (an order),
  // and its arm's branch could not answer for a non-range: a hard error instead of a workflow.
  static constexpr auto wf = syncline::workflow<"copy_lines">(
      placed{} |
      syncline::also<"lines">(
          syncline::map<"skus">(skus_of) |
          syncline::for_each<"each_line">(syncline::branch<"kind">(
              is_gift, writer<"gift_row">(), probe<"plain">() | writer<"line_row">()))) |
      writer<"crm">());
  const key_log log = keys_of(wf, big_order);
  const std::string run = "shop-1/shop_sync/copy_lines/r-1/";
  using keys = std::vector<std::string>;
  CHECK(log.by_block.at("gift_row") == keys{run + "lines.copy.each_line.0.kind.then.gift_row"});
  CHECK(log.by_block.at("line_row") == keys{run + "lines.copy.each_line.1.kind.else.line_row"});
  CHECK(log.by_block.at("crm") == keys{run + "crm"});
}

}  // namespace unity_core_idempotency_key_test
