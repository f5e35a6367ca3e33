// An engine killed with SIGKILL in the middle of a run: the next engine on the database runs it
// at once, not after its 30 s lease. The store's clock is frozen in both processes, so the lease
// never expires here: only the takeover (the dead engine's lock found free) can run the run.
#include <syncline/runtime/engine.hpp>
#include <syncline/store/sqlite_store.hpp>
#include <syncline_test_support/child_process.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

#include "integrations.hpp"
#include "runtime_fixture.hpp"

namespace unity_runtime_takeover_test {

using namespace runtime_test;
namespace st = syncline::store;

namespace {

// 2026-01-01T00:00:00Z, for ever.
st::time_point frozen_now() { return st::time_point(std::chrono::seconds(1'767'225'600)); }

syncline::engine_options frozen(const std::filesystem::path& db) {
  syncline::engine_options o;
  o.database = db;
  o.listen = {"", 0};
  o.idle_poll = 50ms;
  o.lease = 30s;
  o.store.clock = frozen_now;
  o.log = [](syncline::log_level, std::string_view) {};
  return o;
}

// The child: an engine whose one run holds in its destination; it tells the parent the run's id
// once the run is inside, and waits to be killed. It never returns.
[[noreturn]] void run_and_hold(const std::filesystem::path& db, int out) {
  {
    sink held;
    fake_shop shop;
    syncline::engine eng(frozen(db));
    if (!eng.install(shop_sync, syncline::tenant{"acme", fake::credentials_for("acme")},
                     syncline::services(held, shop)) ||
        !eng.start()) {
      ::_exit(2);
    }
    held.hold(true);
    auto e = eng.emit("acme", "order.held", order_placed{1, "acme", "a@example.com", ""});
    if (!e || !wait_until([&] { return held.entered() == 1; })) ::_exit(3);
    const std::string line = std::to_string(e->runs[0].run_id) + "\n";
    if (::write(out, line.data(), line.size()) != static_cast<ssize_t>(line.size())) ::_exit(4);
    for (;;) ::pause();
  }
}

}  // namespace

TEST_CASE("an engine killed mid-run: the next engine runs the run at once, not after its lease") {
  temp_dir dir;
  const auto db = dir.file("engine.db");
  syncline::testing::child_process child([&](int out) { run_and_hold(db, out); });
  const std::string line = child.read_line();

  // While the engine lives, its lease stands: another process claims nothing.
  bool claimed_from_live = true;
  if (!line.empty()) {
    st::sqlite_store_options o;
    o.clock = frozen_now;
    if (auto other = st::sqlite_store::open(db, o)) {
      auto claimed = (*other)->claim("probe", 10, 30s);
      claimed_from_live = !claimed || !claimed->empty();
    }
  }
  const int status = child.kill_and_wait();
  INFO("child exit " << status);
  REQUIRE_FALSE(line.empty());
  CHECK(WIFSIGNALED(status));
  CHECK_FALSE(claimed_from_live);
  const std::int64_t id = std::stoll(line);

  sink out;
  fake_shop shop;
  syncline::engine next(frozen(db));
  REQUIRE(next.install(shop_sync, syncline::tenant{"acme", fake::credentials_for("acme")},
                       syncline::services(out, shop)));
  REQUIRE(next.start());
  // The clock never moves, so the dead engine's lease never ends: only the takeover runs it.
  REQUIRE(wait_until([&] {
    auto r = next.run(id);
    return r && r->status == st::run_status::succeeded;
  }));
  CHECK(next.run(id)->attempts == 2);
  CHECK(next.run(id)->worker.starts_with("engine@"));
  CHECK(out.size() == 1);
  next.stop();
}

}  // namespace unity_runtime_takeover_test
