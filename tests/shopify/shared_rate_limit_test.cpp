// Shopify meters a shop, not a process (issue 13): N engine processes calling one shop must
// together stay inside its buckets. The pacer reserves every call in a bucket the processes share
// through their store (store::reserve_rate); these tests run real processes against one
// emulated Shopify and count the 429s the connector saw (each one waited out and retried), and
// check that a failing store falls back to pacing by the process's own bucket, never to none.
#include <syncline/connectors/shopify.hpp>
#include <syncline/http/client.hpp>
#include <syncline/http/io_threads.hpp>
#include <syncline/store/postgres_store.hpp>
#include <syncline/store/sqlite_store.hpp>
#include <syncline/testing/shopify_emulator.hpp>
#include <syncline_test_support/child_process.hpp>
#include <syncline_test_support/postgres_server.hpp>
#include <syncline_test_support/temp_dir.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <future>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <sqlite3.h>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

namespace unity_shopify_shared_rate_limit_test {

namespace {

namespace shopify = syncline::shopify;
namespace st = syncline::store;
namespace t = syncline::testing;
using namespace std::chrono_literals;

constexpr std::string_view token = "shpat_acme_rate";

// The standard plan's buckets made fast and small, so that a run takes seconds: REST 10 calls
// leaking 10 a second, GraphQL 100 points restoring 100 a second (an order create costs 10).
shopify::plan_limits fast_plan() {
  shopify::plan_limits p;
  p.rest_bucket = 10;
  p.rest_leak_per_second = 10;
  p.graphql_bucket = 100;
  p.graphql_restore_per_second = 100;
  return p;
}

shopify::credentials acme(const std::string& url, shopify::api_kind api = shopify::api_kind::rest) {
  shopify::credentials c;
  c.shop_domain = "acme";
  c.access_token = syncline::secret{std::string(token)};
  c.client_secret = syncline::secret{"acme-client-secret"};
  c.base_url = url;
  c.api = api;
  c.plan = fast_plan();
  return c;
}

shopify::order_input order(int process, int i) {
  shopify::order_input in;
  in.email = "rate@example.com";
  in.currency = "USD";
  in.line_items = {shopify::line_item_input{
      .title = "Mug", .price = syncline::money::parse("10.50").value(), .quantity = 1}};
  in.source_identifier = "rate-" + std::to_string(process) + "-" + std::to_string(i);
  return in;
}

// What one process did.
struct tally {
  int created = 0, failed = 0;
  std::uint64_t throttled = 0, unshared = 0;
};

// Creates `creates` orders in the shop with `workers` coroutines on one connector, as fast as
// the pacer lets them; `shared` is the store whose buckets the pacer shares (or nullptr).
tally push_orders(const std::string& url, shopify::api_kind api, st::store* shared,
                  shopify::connector_options options, int process, int creates, int workers,
                  syncline::log_sink log = {}) {
  syncline::http::io_threads threads(2);
  syncline::http::client client(threads.executor());
  options.max_throttled_waits = 1000;  // the control run is throttled a lot; it must still end
  options.log = std::move(log);
  shopify::connector connector(options);
  const shopify::credentials creds = acme(url, api);
  std::atomic<int> next{0}, created{0}, failed{0};
  auto worker = [&]() -> boost::asio::awaitable<void> {
    shopify::admin_api api(client, creds, connector, shared);
    for (int i = next++; i < creates; i = next++) {
      auto made = co_await shopify::create_order::create(api, order(process, i));
      ++(made ? created : failed);
    }
  };
  std::vector<std::future<void>> done;
  for (int w = 0; w < workers; ++w)
    done.push_back(boost::asio::co_spawn(threads.executor(), worker, boost::asio::use_future));
  for (auto& d : done) d.get();
  const auto& pacer = connector.pacer_for(creds);
  return {created.load(), failed.load(), pacer.throttled(), pacer.unshared()};
}

// The one emulated shop every case pushes: the connector's fast plan, the test's token.
t::shopify_emulator_options acme_emulator() {
  t::emulated_shop shop;
  shop.domain = "acme";
  shop.access_tokens = {syncline::secret{std::string(token)}};
  shop.client_secret = syncline::secret{"acme-client-secret"};
  shop.plan = fast_plan();
  t::shopify_emulator_options options;
  options.seed = 13;
  options.shops = {shop};
  return options;
}

// Shopify in a process of its own, so that the engine processes are forked from a parent that
// runs no threads. Answers its URL on the first line.
std::unique_ptr<t::child_process> emulated_shopify() {
  auto child = std::make_unique<t::child_process>([](int out) {
    syncline::http::io_threads threads(2);
    t::shopify_emulator emu(threads.executor(), acme_emulator());
    const std::string line = (emu.start() ? emu.url() : std::string("failed")) + "\n";
    (void)!::write(out, line.data(), line.size());
    for (;;) ::pause();  // until the test kills it
  });
  return child;
}

struct fleet_result {
  tally total;
  int processes_reported = 0;
  double seconds = 0;
};

// `processes` engine processes, each pushing `creates` orders into the one shop; with
// `share`, their pacers share the buckets through one PostgreSQL database.
fleet_result run_fleet(const std::string& url, shopify::api_kind api, const std::string& conninfo,
                       bool share, int processes, int creates) {
  fleet_result out;
  std::vector<std::unique_ptr<t::child_process>> fleet;
  const auto start = std::chrono::steady_clock::now();
  for (int p = 0; p < processes; ++p) {
    fleet.push_back(std::make_unique<t::child_process>([&, p](int fd) {
      st::postgres_store_options o;
      o.schema = "shared_rate_limits";
      auto store = st::postgres_store::open(conninfo, o);
      std::string line = "failed to open the store\n";
      if (store) {
        shopify::connector_options options;
        options.share_rate_limits = share;
        // A call that leaves late (a process not scheduled for a while, a slow store answer)
        // arrives together with the ones after it; the headroom absorbs that. Three calls'
        // worth (300 ms) because this test runs beside whole builds on two cores, where the
        // default one call's worth (100 ms) was seen to be too little. It does not hide the
        // overflow of the control run: three processes alone ask three times the rate.
        options.headroom = 0.3;
        const tally r =
            push_orders(url, api, store->get(), options, share ? p : 100 + p, creates, 4);
        std::ostringstream s;
        s << r.created << ' ' << r.failed << ' ' << r.throttled << ' ' << r.unshared << '\n';
        line = s.str();
      }
      (void)!::write(fd, line.data(), line.size());
    }));
  }
  for (auto& child : fleet) {
    std::istringstream line(child->read_line(120s));
    tally r;
    if (line >> r.created >> r.failed >> r.throttled >> r.unshared) {
      ++out.processes_reported;
      out.total.created += r.created;
      out.total.failed += r.failed;
      out.total.throttled += r.throttled;
      out.total.unshared += r.unshared;
    }
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

}  // namespace

TEST_CASE(
    "three processes pushing one shop at full speed share its bucket through PostgreSQL "
    "and draw no 429 or THROTTLED, each pacing alone, they do",
    "[shopify][shared_rate]") {
  const auto api = GENERATE(shopify::api_kind::rest, shopify::api_kind::graphql);
  const char* api_name = api == shopify::api_kind::rest ? "REST" : "GraphQL";
  INFO(api_name);
  auto server = t::postgres_server::start();
  INFO((server ? std::string("started") : server.error().message));
  REQUIRE(server);
  // Shopify first, then the engine processes: all forked before this process runs a thread.
  auto shopify_process = emulated_shopify();
  const std::string url = shopify_process->read_line();
  REQUIRE(url.rfind("http://", 0) == 0);
  constexpr int processes = 3, creates = 30;

  const fleet_result shared =
      run_fleet(url, api, server->connection_string(), true, processes, creates);
  const fleet_result alone =
      run_fleet(url, api, server->connection_string(), false, processes, creates);
  std::cout << "shared rate limits, " << processes << " processes x " << creates << " " << api_name
            << " creates into one shop (10 creates/s allowed): shared: "
            << shared.total.created / shared.seconds << " creates/s, " << shared.total.throttled
            << " 429s; each process alone: " << alone.total.created / alone.seconds
            << " creates/s, " << alone.total.throttled << " 429s\n";

  REQUIRE(shared.processes_reported == processes);
  CHECK(shared.total.created == processes * creates);
  CHECK(shared.total.failed == 0);
  CHECK(shared.total.unshared == 0);  // every call was reserved in the shared bucket
  CHECK(shared.total.throttled == 0);

  // The control: the same load with the sharing turned off overflows the shop's bucket (each
  // process allows itself the whole of it). The 429s are waited out, so every order is made.
  REQUIRE(alone.processes_reported == processes);
  CHECK(alone.total.created == processes * creates);
  CHECK(alone.total.throttled > 0);
}

TEST_CASE(
    "when the shared bucket fails, calls are paced by the process's own bucket and the "
    "failure is logged once",
    "[shopify][shared_rate]") {
  syncline::testing::temp_dir dir;
  auto store = st::sqlite_store::open(dir.file("store.db"));
  REQUIRE(store);
  {  // The database loses the table, as a store that cannot answer would.
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open(dir.file("store.db").c_str(), &raw) == SQLITE_OK);
    CHECK(sqlite3_exec(raw, "DROP TABLE rate_buckets", nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(raw);
  }
  syncline::http::io_threads threads(2);
  t::shopify_emulator emu(threads.executor(), acme_emulator());
  REQUIRE(emu.start());

  std::mutex m;
  std::vector<std::string> lines;
  constexpr int creates = 30;
  const tally r = push_orders(emu.url(), shopify::api_kind::rest, store->get(), {}, 0, creates, 4,
                              [&](syncline::log_level, std::string_view line) {
                                std::lock_guard lock(m);
                                lines.emplace_back(line);
                              });
  emu.stop();
  CHECK(r.created == creates);
  CHECK(r.failed == 0);
  CHECK(r.unshared >= static_cast<std::uint64_t>(creates));  // every call fell back
  CHECK(r.throttled == 0);  // and was paced all the same: 30 calls overflow a bucket of 10
  REQUIRE(lines.size() == 1);
  CHECK_THAT(lines.front(),
             Catch::Contains("level=warn") && Catch::Contains("shared rate limit unavailable") &&
                 Catch::Contains("shop=acme.myshopify.com") && Catch::Contains("rate_buckets"));
  CHECK_THAT(lines.front(), !Catch::Contains(std::string(token)));
}

TEST_CASE("an action run by the engine paces through the run's store, unless told not to",
          "[shopify][shared_rate]") {
  const bool share = GENERATE(true, false);
  INFO("share_rate_limits " << share);
  syncline::testing::temp_dir dir;
  auto store = st::sqlite_store::open(dir.file("store.db"));
  REQUIRE(store);
  syncline::http::io_threads threads(2);
  t::shopify_emulator emu(threads.executor(), acme_emulator());
  REQUIRE(emu.start());

  syncline::http::client client(threads.executor());
  shopify::connector_options connector_options;
  connector_options.share_rate_limits = share;
  shopify::connector connector(connector_options);
  const shopify::credentials creds = acme(emu.url());
  // What the engine gives a run: the HTTP client, the store, the credentials; install adds the
  // connector.
  syncline::run_context ctx(
      {.tenant = creds.tenant_key(), .run_id = "r-1", .integration = "shopify_sync", .attempt = 1});
  ctx.provide(client);
  ctx.provide(static_cast<st::store&>(**store));
  ctx.provide(creds);
  ctx.provide(connector);
  auto api = shopify::admin_api::from(ctx, "list_orders");
  REQUIRE(api);
  std::optional<syncline::result<shopify::rest_answer>> answer;
  boost::asio::co_spawn(
      threads.executor(),
      [&]() -> boost::asio::awaitable<void> {
        answer.emplace(co_await api->rest(syncline::http::verb::get, "orders.json"));
      },
      boost::asio::use_future)
      .get();
  emu.stop();
  REQUIRE(answer.has_value());
  const bool answered = answer->has_value();
  INFO((answered ? std::string("ok") : to_string(answer->error())));
  REQUIRE(answered);
  // The call was counted in the store's bucket of the shop's REST API, or not at all.
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open(dir.file("store.db").c_str(), &raw) == SQLITE_OK);
  sqlite3_stmt* q = nullptr;
  REQUIRE(sqlite3_prepare_v2(raw, "SELECT name FROM rate_buckets", -1, &q, nullptr) == SQLITE_OK);
  std::vector<std::string> names;
  while (sqlite3_step(q) == SQLITE_ROW)
    names.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(q, 0)));
  sqlite3_finalize(q);
  sqlite3_close(raw);
  if (share) {
    CHECK(names == std::vector<std::string>{"shopify/acme.myshopify.com/rest"});
  } else {
    CHECK(names.empty());
  }
}

}  // namespace unity_shopify_shared_rate_limit_test
