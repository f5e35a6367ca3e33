// Two engines on one database: only the engine whose store holds the "sources" role polls; when
// it stops, the other takes the role within leader_check and polls on from the cursor the first
// left, so no page is skipped and none is queued twice. Runs are claimed by both engines alike.
#include <syncline/runtime/engine.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "integrations.hpp"
#include "runtime_fixture.hpp"

namespace unity_runtime_leadership_test {

using namespace runtime_test;
namespace st = syncline::store;

namespace {

// An endless list: page "" holds item 1, page "N" holds item N+1 and leads to cursor "N+1".
class counting_feed {
 public:
  syncline::result<syncline::poll_page<feed_item>> page(const std::string& cursor) {
    std::lock_guard lock(mu_);
    fetched_.push_back(cursor);
    const std::int64_t next = cursor.empty() ? 1 : std::stoll(cursor) + 1;
    return syncline::poll_page<feed_item>{{{next, "item"}}, std::to_string(next), false};
  }
  std::vector<std::string> fetched() const {
    std::lock_guard lock(mu_);
    return fetched_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> fetched_;
};

struct counting_poll : syncline::poll<fake::app, "list", feed_item, "@every 1s"> {
  using services = syncline::needs<counting_feed>;
  static boost::asio::awaitable<syncline::result<syncline::poll_page<feed_item>>> fetch(
      syncline::run_context& ctx, std::string_view cursor) {
    co_return ctx.service<counting_feed>()->page(std::string(cursor));
  }
  static std::string dedupe_key(const feed_item& i) { return std::to_string(i.id); }
};

inline constexpr auto read_list = syncline::workflow<"read_list">(
    counting_poll{} |
    syncline::to<"save", syncline::needs<sink>>([](const feed_item& i, syncline::run_context& ctx) {
      return ctx.service<sink>()->write(ctx, std::to_string(i.id));
    }));

inline constexpr auto list_sync = syncline::integration<"list_sync", fake::app>(read_list);

syncline::engine_options shared_db(const temp_dir& dir, log_capture& logs) {
  syncline::engine_options o;
  o.threads = 1;
  o.database = dir.file("shared.db");
  o.idle_poll = 50ms;
  o.leader_check = 100ms;
  o.log = logs.sink();
  return o;
}

}  // namespace

TEST_CASE("two engines on one database: one polls, the other takes over when it stops") {
  temp_dir dir;
  log_capture logs_a, logs_b;
  sink out;
  counting_feed feed_a, feed_b;
  const st::cursor_key key{"acme", "list_sync", "read_list/list"};
  auto creds = [] { return syncline::tenant{"acme", fake::credentials_for("acme")}; };

  syncline::engine a(shared_db(dir, logs_a));
  REQUIRE(a.install(list_sync, creds(), syncline::services(out, feed_a)));
  REQUIRE(a.start());
  REQUIRE(wait_until([&] { return feed_a.fetched().size() >= 2; }));

  syncline::engine b(shared_db(dir, logs_b));
  REQUIRE(b.install(list_sync, creds(), syncline::services(out, feed_b)));
  REQUIRE(b.start());
  // A leads: over two more ticks of the poll, B fetches nothing.
  const auto a_before = feed_a.fetched().size();
  REQUIRE(wait_until([&] { return feed_a.fetched().size() >= a_before + 2; }));
  CHECK(feed_b.fetched().empty());

  a.stop();  // resigns: B's next check (100 ms) takes the role
  const auto left = *b.durable_store()->get_cursor(key);
  REQUIRE(left);
  REQUIRE(wait_until([&] { return feed_b.fetched().size() >= 2; }));
  CHECK(feed_b.fetched().front() == *left);  // on from where A left: nothing skipped or redone
  CHECK(logs_b.contains("this engine runs the polls and schedules now"));

  // Every item A or B queued ran once, and they are 1..n without a gap.
  const auto n = std::stoll(**b.durable_store()->get_cursor(key));
  REQUIRE(wait_until([&] { return out.size() >= static_cast<std::size_t>(n); }));
  b.stop();
  std::set<std::int64_t> items;
  for (const auto& e : out.entries()) items.insert(std::stoll(e.payload));
  CHECK(items.size() == out.entries().size());
  CHECK(*items.begin() == 1);
  CHECK(*items.rbegin() == static_cast<std::int64_t>(items.size()));
}

}  // namespace unity_runtime_leadership_test
