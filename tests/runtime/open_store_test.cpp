// engine_options::open_store: an engine runs on a store the application opens (the PostgreSQL
// store, for several engine processes on one database); a store that does not open is the
// engine's error on every call, as a SQLite file that does not open is.
#include <syncline/runtime/engine.hpp>
#include <syncline/store/sqlite_store.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <memory>
#include <string>

#include "integrations.hpp"
#include "runtime_fixture.hpp"

namespace unity_runtime_open_store_test {

using namespace runtime_test;
namespace st = syncline::store;

TEST_CASE("an engine runs on the store open_store returns") {
  temp_dir dir;
  log_capture logs;
  sink out;
  fake_shop shop;
  const auto file = dir.file("given.db");
  syncline::engine_options o;
  o.threads = 1;
  o.idle_poll = 50ms;
  o.log = logs.sink();
  o.database = dir.file("unused.db");
  o.open_store = [&]() -> syncline::result<std::unique_ptr<st::store>> {
    auto s = st::sqlite_store::open(file);
    if (!s) return std::move(s).error();
    return std::unique_ptr<st::store>(std::move(*s));
  };
  {
    syncline::engine eng(o);
    REQUIRE(eng.install(shop_sync, syncline::tenant{"acme", fake::credentials_for("acme")},
                        syncline::services(out, shop)));
    REQUIRE(eng.start());
    auto emitted = eng.emit("acme", "order.flaky", order_placed{1, "acme", "a@example.com", "n"});
    REQUIRE(emitted);
    REQUIRE(wait_until([&] { return out.size() == 1; }));
    eng.stop();
  }
  CHECK_FALSE(std::filesystem::exists(dir.file("unused.db")));
  auto reopened = st::sqlite_store::open(file);
  REQUIRE(reopened);
  auto counts = (*reopened)->counts();
  REQUIRE(counts);
  CHECK(counts->succeeded == 1);
}

TEST_CASE("a store that does not open is the engine's error on every call") {
  log_capture logs;
  syncline::engine_options o;
  o.log = logs.sink();
  o.open_store = []() -> syncline::result<std::unique_ptr<st::store>> {
    return syncline::make_error(syncline::errc::storage, "the database server refused");
  };
  syncline::engine eng(o);
  auto started = eng.start();
  REQUIRE_FALSE(started);
  CHECK(started.error().message.find("the database server refused") != std::string::npos);
  CHECK(logs.contains("engine cannot open its database"));

  o.open_store = []() -> syncline::result<std::unique_ptr<st::store>> {
    return std::unique_ptr<st::store>();
  };
  syncline::engine empty(o);
  auto none = empty.start();
  REQUIRE_FALSE(none);
  CHECK(none.error().message.find("open_store returned no store") != std::string::npos);
}

}  // namespace unity_runtime_open_store_test
