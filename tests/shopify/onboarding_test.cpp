// shopify::onboarding against the emulator: a merchant installs a shop through the OAuth flow
// served by the engine, runs use its expiring token, the token is refreshed before it expires
// and after a 401 (once, with two engines on one store), a restarted engine serves the shop with
// nothing supplied again, bad callbacks are refused with nothing stored, uninstall deletes the
// credentials, and no token or client secret appears in a log line, the run log or the database.
#include <syncline/blocks/also.hpp>
#include <syncline/blocks/map.hpp>
#include <syncline/blocks/to.hpp>
#include <syncline/connectors/shopify/onboarding.hpp>
#include <syncline/connectors/warehouse/sqlite_sink.hpp>
#include <syncline/connectors/warehouse/table.hpp>
#include <syncline/connectors/warehouse/write_to.hpp>
#include <syncline/core/app_event.hpp>
#include <syncline/core/integration.hpp>
#include <syncline/core/workflow.hpp>
#include <syncline/http/hmac.hpp>
#include <syncline/runtime/engine.hpp>
#include <syncline/sqlite/database.hpp>
#include <syncline_test_support/directory_bytes.hpp>
#include <syncline_test_support/temp_dir.hpp>

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "run_to_end.hpp"
#include "shopify_fixture.hpp"

using namespace shop_test;
namespace warehouse = syncline::warehouse;

// Named, not anonymous: the workflows' types end up in coroutine frames, which need linkage.
namespace onboarding_test {

// What the runs of the onboarded shops did.
struct order_log {
  std::mutex m;
  std::vector<std::string> created;   // source_identifier of orders push created
  std::vector<std::string> received;  // source_identifier of orders/create deliveries
  void add(std::vector<std::string> order_log::*list, std::string sid) {
    std::lock_guard lock(m);
    (this->*list).push_back(std::move(sid));
  }
  bool has(std::vector<std::string> order_log::*list, const std::string& sid) {
    std::lock_guard lock(m);
    const auto& l = this->*list;
    return std::find(l.begin(), l.end(), sid) != l.end();
  }
};

inline constexpr auto push = syncline::workflow<"push">(
    syncline::app_event<"order.placed", shopify::order_input>{} | shopify::create_order{} |
    syncline::to<"note_created", syncline::needs<order_log>>(
        [](const shopify::order& o, syncline::run_context& ctx) -> syncline::result<void> {
          ctx.service<order_log>()->add(&order_log::created, o.source_identifier.value_or(""));
          return {};
        }));
// The warehouse table the shops' orders go to, keyed by Shopify's order id.
struct order_row {
  std::int64_t id = 0;
  std::optional<std::string> email{};
};
BOOST_DESCRIBE_STRUCT(order_row, (), (id, email))
using orders_table = warehouse::table<order_row, "orders", warehouse::key<"id">>;
using orders_sink = warehouse::sqlite_sink<orders_table>;

inline constexpr auto pull = syncline::workflow<"pull">(
    shopify::webhook<"orders/create">{} |
    syncline::also<"noted">(syncline::to<"note_received", syncline::needs<order_log>>(
        [](const shopify::order& o, syncline::run_context& ctx) -> syncline::result<void> {
          ctx.service<order_log>()->add(&order_log::received, o.source_identifier.value_or(""));
          return {};
        })) |
    syncline::map<"to_row">([](const shopify::order& o) {
      return order_row{o.id, o.email};
    }) |
    warehouse::write_to<orders_sink>{});
inline constexpr auto onboarded = syncline::integration<"onboarded", shopify::app>(push, pull);

static_assert(shopify::onboarding<decltype(onboarded)>::scopes.size() == 1);
static_assert(shopify::onboarding<decltype(onboarded)>::scopes[0] == "write_orders");

constexpr std::string_view app_id = "onboarding-app-1";
constexpr std::string_view app_secret = "onboarding-app-secret-5b1e07";
constexpr std::string_view carol = "carol.myshopify.com";

using onboarding_t =
    shopify::onboarding<decltype(onboarded), shopify::connector, order_log, orders_sink>;

std::string keyring_entry() {
  auto e = syncline::crypto::keyring::generate_entry("k1");
  REQUIRE(e);
  return std::string(e->reveal());
}

orders_sink open_sink(boost::asio::any_io_executor ex, const std::filesystem::path& file) {
  auto sink = orders_sink::open(std::move(ex), file.string());
  REQUIRE(sink);
  REQUIRE(sink->create_table());
  return std::move(*sink);
}

std::shared_ptr<const syncline::crypto::keyring> make_keys() {
  auto k = syncline::crypto::keyring::parse(keyring_entry(), "test keys");
  REQUIRE(k);
  return std::make_shared<const syncline::crypto::keyring>(std::move(*k));
}

struct answer {
  unsigned status = 0;
  std::string location;
  std::string body;
};

// An emulator with an app merchants install and an empty shop "carol"; engines on one database.
struct onboarding_fixture {
  t::temp_dir dir{"onboarding"};
  t::emulator_clock clock = t::emulator_clock::manual(
      std::chrono::sys_days{std::chrono::year{2026} / 1 / 15} + std::chrono::hours{15});
  syncline::http::io_threads threads{2};
  t::shopify_emulator emu{threads.executor(), emulator_options(clock)};
  syncline::http::client client{threads.executor()};
  shopify::connector connector;
  order_log orders;
  orders_sink warehouse_rows = open_sink(threads.executor(), dir.path() / "warehouse.db");
  std::shared_ptr<const syncline::crypto::keyring> keys = make_keys();
  std::mutex log_mutex;
  std::vector<std::string> log_lines;

  // One engine process and its onboarding (the onboarding goes first: it stops the engine).
  struct process {
    std::optional<syncline::engine> eng;
    std::optional<onboarding_t> shops;
    ~process() {
      shops.reset();
      eng.reset();
    }
  };

  onboarding_fixture() { REQUIRE(emu.start()); }
  ~onboarding_fixture() { emu.stop(); }

  static t::shopify_emulator_options emulator_options(t::emulator_clock c) {
    t::shopify_emulator_options o;
    o.clock = c;
    o.seed = 11;
    t::emulated_shop s;
    s.domain = "carol";
    o.shops = {s};
    t::emulated_app a;
    a.client_id = std::string(app_id);
    a.client_secret = syncline::secret{std::string(app_secret)};
    a.scopes = {"write_orders"};
    o.apps = {a};
    return o;
  }

  syncline::engine_options engine_options() {
    syncline::engine_options o;
    o.threads = 2;
    o.database = dir.path() / "engine.db";
    o.listen = {"127.0.0.1", 0};
    o.idle_poll = std::chrono::milliseconds(50);
    o.keyring = keys;
    o.log = [this](syncline::log_level, std::string_view line) {
      std::lock_guard lock(log_mutex);
      log_lines.emplace_back(line);
    };
    return o;
  }

  shopify::onboarding_options onboarding_options() {
    shopify::onboarding_options o;
    o.app.client_id = std::string(app_id);
    o.app.client_secret = syncline::secret{std::string(app_secret)};
    o.admin_base_url = emu.url();
    o.authorize_base = emu.url() + "/shops/{shop}";
    o.tokens.base_url = emu.url() + "/shops/{shop}";
    o.tokens.now = [c = clock] { return c.now(); };
    o.refresh_check = std::chrono::hours(1);  // the tests refresh when they choose
    return o;
  }

  // Starts an engine process: restores what the store holds, serves the install routes.
  // `port`: 0 for any; a restarted engine keeps its address (its public URL) as in production.
  std::unique_ptr<process> start_process(std::size_t expect_restored = 0, std::uint16_t port = 0) {
    auto p = std::make_unique<process>();
    auto o = engine_options();
    o.listen.port = port;
    p->eng.emplace(std::move(o));
    p->shops.emplace(*p->eng, onboarded, onboarding_options(),
                     syncline::services(connector, orders, warehouse_rows));
    auto restored = p->shops->restore();
    REQUIRE(restored);
    CHECK(*restored == expect_restored);
    REQUIRE(p->shops->serve());
    REQUIRE(p->eng->start());
    REQUIRE(p->shops->start());
    return p;
  }

  template <class F>
  auto run(F f) {
    return run_to_end(threads.executor(), std::move(f));
  }

  answer http_get(const std::string& url, syncline::http::fields headers = {}) {
    auto r = run([&] { return client.get(url, headers); });
    REQUIRE(r);
    answer a{r->result_int(), {}, r->body()};
    if (auto it = r->find(syncline::http::field::location); it != r->end())
      a.location = std::string(it->value());
    return a;
  }

  // The merchant opens the engine's install link and approves: the URL Shopify sends the
  // browser back to (not followed).
  std::string approve(syncline::engine& eng, std::string_view shop) {
    auto start = http_get(eng.url() + "/shopify/install?shop=" + std::string(shop));
    REQUIRE(start.status == 302);
    REQUIRE(start.location.starts_with(emu.url() + "/shops/" + std::string(carol) +
                                       "/admin/oauth/authorize?"));
    auto screen = http_get(start.location);
    REQUIRE(screen.status == 302);
    REQUIRE(screen.location.starts_with(eng.url() + "/shopify/callback?"));
    return screen.location;
  }

  answer install(syncline::engine& eng, std::string_view shop = carol) {
    return http_get(approve(eng, shop));
  }

  // The order ids in the warehouse table, read through a connection of its own.
  std::vector<std::int64_t> warehouse_ids() {
    auto db = syncline::sqlite::database::open((dir.path() / "warehouse.db").string());
    REQUIRE(db);
    auto stmt = db->prepare("SELECT id FROM orders ORDER BY id");
    REQUIRE(stmt);
    std::vector<std::int64_t> ids;
    for (;;) {
      auto row = stmt->step();
      REQUIRE(row);
      if (!*row) return ids;
      ids.push_back(stmt->int64(0));
    }
  }

  // A privacy request as Shopify sends it to the app's compliance URL, signed with the app's
  // client secret (or with `secret`).
  answer privacy(syncline::engine& eng, const std::string& topic, const std::string& body,
                 std::string_view secret = app_secret) {
    syncline::http::fields h;
    h.set("X-Shopify-Topic", topic);
    h.set("X-Shopify-Shop-Domain", std::string(carol));
    h.set("X-Shopify-API-Version", "2026-01");
    h.set("X-Shopify-Webhook-Id", "privacy-" + std::to_string(++privacy_requests));
    h.set("X-Shopify-Hmac-Sha256", syncline::http::hmac_sha256_base64(secret, body));
    h.set(syncline::http::field::content_type, "application/json");
    auto r = run([&] { return client.post(eng.url() + "/shopify/privacy", body, h); });
    REQUIRE(r);
    return {r->result_int(), {}, r->body()};
  }
  int privacy_requests = 0;

  bool wait_until(const std::function<bool()>& done) {
    for (int i = 0; i < 1500 && !done(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return done();
  }

  std::string database_bytes() { return syncline::testing::directory_bytes(dir.path()); }

  // No token the shop ever had, and not the client secret, anywhere the engine wrote.
  void no_secret_in_clear(process& p, const std::vector<syncline::secret>& secrets) {
    std::vector<std::string> values{std::string(app_secret)};
    for (const auto& s : secrets)
      if (!s.empty()) values.emplace_back(s.reveal());
    const std::string db = database_bytes();
    std::string run_log;
    auto runs = p.eng->runs({.with_payload = true});
    REQUIRE(runs);
    for (const auto& r : *runs) {
      run_log += r.payload + r.last_error;
      auto events = p.eng->block_events(r.id);
      REQUIRE(events);
      for (const auto& e : *events) run_log += e.error;
    }
    std::lock_guard lock(log_mutex);
    for (const auto& v : values) {
      INFO("a secret of " << v.size() << " characters");
      CHECK(db.find(v) == std::string::npos);
      CHECK(run_log.find(v) == std::string::npos);
      for (const auto& line : log_lines) CHECK(line.find(v) == std::string::npos);
    }
  }

  bool pushed_and_heard(process& p, const std::string& sid,
                        std::string email = "buyer@example.com") {
    auto order = mug_order(sid);
    order.email = std::move(email);
    auto r = p.eng->emit(carol, "order.placed", order);
    REQUIRE(r);
    return wait_until([&] {
      return orders.has(&order_log::created, sid) && orders.has(&order_log::received, sid);
    });
  }
};

}  // namespace onboarding_test

using namespace onboarding_test;

TEST_CASE("a merchant installs a shop through OAuth, and its runs and webhooks work") {
  onboarding_fixture f;
  auto p = f.start_process();
  auto done = f.install(*p->eng);
  REQUIRE(done.status == 200);
  auto body = boost::json::parse(done.body).as_object();
  CHECK(body.at("shop").as_string() == carol);
  CHECK(body.at("scope").as_string() == "write_orders");

  // The subscriptions the integration needs point at the engine's webhook route.
  auto subs = f.emu.subscriptions(carol);
  std::vector<std::string> topics;
  for (const auto& s : subs) {
    CHECK(s.address == p->eng->url() + "/webhooks/shopify/" + s.topic);
    topics.push_back(s.topic);
  }
  std::sort(topics.begin(), topics.end());
  CHECK(topics == std::vector<std::string>{"app/uninstalled", "orders/create"});

  // A run calls the Admin API with the shop's token; Shopify's webhook comes back.
  CHECK(f.pushed_and_heard(*p, "sid-1"));
  f.no_secret_in_clear(*p, p->shops->refresher()->secrets());
}

TEST_CASE("an install callback that is replayed, forged, late or short of scopes stores nothing") {
  onboarding_fixture f;
  auto p = f.start_process();
  auto* st = p->eng->durable_store();
  auto stored = [&] {
    auto rows = st->list_installations("onboarded");
    REQUIRE(rows);
    return rows->size();
  };

  SECTION("a replayed callback finds its state taken") {
    const std::string callback = f.approve(*p->eng, carol);
    CHECK(f.http_get(callback).status == 200);
    auto again = f.http_get(callback);
    CHECK(again.status == 401);
    CHECK(again.body.find("already used state") != std::string::npos);
  }
  SECTION("a forged signature") {
    std::string callback = f.approve(*p->eng, carol);
    const auto at = callback.find("hmac=") + 5;
    callback[at] = callback[at] == 'a' ? 'b' : 'a';
    CHECK(f.http_get(callback).status == 401);
    CHECK(stored() == 0);
  }
  SECTION("a state older than its lifetime") {
    const std::string callback = f.approve(*p->eng, carol);
    f.clock.advance(std::chrono::minutes(11));
    auto late = f.http_get(callback);
    CHECK(late.status == 401);
    CHECK(late.body.find("expired") != std::string::npos);
    CHECK(stored() == 0);
  }
  SECTION("a shop that is not a myshopify.com one") {
    auto bad = f.http_get(p->eng->url() + "/shopify/install?shop=evil.example.com");
    CHECK(bad.status == 400);
    CHECK(bad.body.find("myshopify.com") != std::string::npos);
  }
  SECTION("a merchant who withholds a scope the integration needs") {
    REQUIRE(
        f.emu.set_merchant_approval(carol, {.approve = true, .withheld_scopes = {"write_orders"}}));
    auto short_of = f.install(*p->eng);
    CHECK(short_of.status == 401);
    CHECK(short_of.body.find("write_orders") != std::string::npos);
    CHECK(stored() == 0);
  }
  CHECK(f.database_bytes().find(std::string(app_secret)) == std::string::npos);
}

TEST_CASE("an expiring token is refreshed before it expires, and once after a 401") {
  onboarding_fixture f;
  auto p = f.start_process();
  REQUIRE(f.install(*p->eng).status == 200);
  auto* tokens = p->shops->refresher();
  auto first = tokens->current(std::string(carol));
  REQUIRE(first);
  auto revision = [&] {
    auto row = p->eng->durable_store()->get_installation("onboarded", carol);
    REQUIRE(row);
    REQUIRE(*row);
    return (*row)->revision;
  };
  const auto installed_at = revision();

  // 56 minutes on, the hour-long token is within refresh_before (5 minutes) of its end.
  f.clock.advance(std::chrono::minutes(56));
  auto n = f.run([&] { return p->shops->refresh_due(); });
  REQUIRE(n);
  CHECK(*n == 1);
  auto second = tokens->current(std::string(carol));
  REQUIRE(second);
  CHECK(*second != *first);
  CHECK(revision() == installed_at + 1);  // committed before it was used
  CHECK(f.pushed_and_heard(*p, "sid-after-refresh"));

  // Past the end of the new token, no refresh in between: the run's call is answered 401,
  // renews the token once and goes on.
  f.clock.advance(std::chrono::minutes(61));
  CHECK(f.pushed_and_heard(*p, "sid-after-401"));
  auto third = tokens->current(std::string(carol));
  REQUIRE(third);
  CHECK(*third != *second);
  CHECK(revision() == installed_at + 2);
  f.no_secret_in_clear(*p, tokens->secrets());
}

TEST_CASE("two engines on one store refresh a shop's token once") {
  onboarding_fixture f;
  auto a = f.start_process();
  REQUIRE(f.install(*a->eng).status == 200);
  auto b = f.start_process(1);
  f.clock.advance(std::chrono::minutes(58));
  std::vector<std::optional<syncline::result<bool>>> outcomes(2);
  std::thread ta([&] {
    outcomes[0] = f.run([&] { return a->shops->refresher()->refresh(std::string(carol), true); });
  });
  std::thread tb([&] {
    outcomes[1] = f.run([&] { return b->shops->refresher()->refresh(std::string(carol), true); });
  });
  ta.join();
  tb.join();
  REQUIRE(outcomes[0]);
  REQUIRE(*outcomes[0]);
  REQUIRE(outcomes[1]);
  REQUIRE(*outcomes[1]);
  // Whoever refreshed, both use the one pair that was committed.
  auto ka = a->shops->refresher()->current(std::string(carol));
  auto kb = b->shops->refresher()->current(std::string(carol));
  REQUIRE(ka);
  REQUIRE(kb);
  CHECK(*ka == *kb);
  auto row = a->eng->durable_store()->get_installation("onboarded", carol);
  REQUIRE(row);
  REQUIRE(*row);
  CHECK((*row)->revision == 2);
  CHECK(f.pushed_and_heard(*b, "sid-from-b"));
}

TEST_CASE("a restarted engine serves an installed shop with nothing supplied again") {
  onboarding_fixture f;
  std::uint16_t port = 0;
  {
    auto p = f.start_process();
    REQUIRE(f.install(*p->eng).status == 200);
    CHECK(f.pushed_and_heard(*p, "sid-before"));
    port = p->eng->port();
  }
  auto p = f.start_process(1, port);
  // start() reconciled the subscriptions: still one of each topic, at the engine's address.
  REQUIRE(f.wait_until([&] {
    auto subs = f.emu.subscriptions(carol);
    return subs.size() == 2 &&
           std::all_of(subs.begin(), subs.end(), [&](const t::webhook_subscription& s) {
             return s.address.starts_with(p->eng->url());
           });
  }));
  CHECK(f.pushed_and_heard(*p, "sid-after"));
}

TEST_CASE("uninstall deletes a shop's credentials at once, by API call or by Shopify's notice") {
  onboarding_fixture f;
  auto p = f.start_process();
  REQUIRE(f.install(*p->eng).status == 200);
  auto installed = [&] {
    auto row = p->eng->durable_store()->get_installation("onboarded", carol);
    REQUIRE(row);
    return row->has_value();
  };
  REQUIRE(installed());

  SECTION("by API call: subscriptions removed, row deleted") {
    auto r = f.run([&] { return p->shops->uninstall(std::string(carol)); });
    REQUIRE(r);
    CHECK_FALSE(installed());
    CHECK(f.emu.subscriptions(carol).empty());
  }
  SECTION("by app/uninstalled from Shopify") {
    REQUIRE(f.emu.uninstall(carol, app_id));
    CHECK(f.wait_until([&] { return !installed(); }));
  }
  p.reset();
  f.start_process(0);
}

TEST_CASE("an embedded app's session token installs the shop, and a tampered one is refused") {
  onboarding_fixture f;
  auto p = f.start_process();
  auto jwt = f.emu.session_token(carol, app_id);
  REQUIRE(jwt);
  auto post = [&](const std::string& token) {
    syncline::http::fields h;
    h.set(syncline::http::field::authorization, "Bearer " + token);
    auto r = f.run([&] { return f.client.post(p->eng->url() + "/shopify/session", "", h); });
    REQUIRE(r);
    return r->result_int();
  };
  std::string tampered = *jwt;
  tampered[tampered.size() - 3] = tampered[tampered.size() - 3] == 'A' ? 'B' : 'A';
  CHECK(post(tampered) == 401);
  CHECK(post(*jwt) == 200);
  CHECK(f.pushed_and_heard(*p, "sid-embedded"));
}

TEST_CASE(
    "Shopify's privacy requests erase a customer's data, then the shop's, and say what is held") {
  onboarding_fixture f;
  std::vector<shopify::customer_data> requests;
  auto p = std::make_unique<onboarding_fixture::process>();
  p->eng.emplace(f.engine_options());
  auto o = f.onboarding_options();
  o.on_data_request = [&](const shopify::customer_data& d) -> syncline::result<void> {
    requests.push_back(d);
    return {};
  };
  p->shops.emplace(*p->eng, onboarded, o,
                   syncline::services(f.connector, f.orders, f.warehouse_rows));
  REQUIRE(p->shops->serve());
  REQUIRE(p->eng->start());
  REQUIRE(f.install(*p->eng).status == 200);
  REQUIRE(f.pushed_and_heard(*p, "sid-ann", "ann@example.com"));
  REQUIRE(f.pushed_and_heard(*p, "sid-bob", "bob@example.com"));
  REQUIRE(f.wait_until([&] { return f.warehouse_ids().size() == 2; }));
  std::int64_t ann_order = 0;
  for (const auto& order : f.emu.orders(carol))
    if (order.at("email").as_string() == "ann@example.com")
      ann_order = order.at("id").to_number<std::int64_t>();
  REQUIRE(ann_order != 0);
  auto* st = p->eng->durable_store();
  auto runs_about = [&](std::string_view needle) {
    auto ids = st->runs_matching(carol, [&](std::string_view payload) {
      return payload.find(needle) != std::string_view::npos;
    });
    REQUIRE(ids);
    return ids->size();
  };
  REQUIRE(runs_about("ann@example.com") > 0);

  SECTION("refused: a bad signature, a body that is not the topic's") {
    const std::string body = R"({"shop_id":1,"shop_domain":"carol.myshopify.com"})";
    CHECK(f.privacy(*p->eng, "shop/redact", body, "not-the-secret").status == 401);
    CHECK(f.privacy(*p->eng, "shop/redact", "{\"shop_id\":").status == 400);
    CHECK(f.privacy(*p->eng, "orders/create", body).status == 400);
    CHECK(runs_about("ann@example.com") > 0);
  }
  SECTION("a data request, then the customer's redact, then the shop's") {
    auto asked = f.privacy(*p->eng, "customers/data_request",
                           R"({"shop_id":1,"shop_domain":"carol.myshopify.com",)"
                           R"("customer":{"id":7,"email":"ann@example.com"},)"
                           R"("orders_requested":[)" +
                               std::to_string(ann_order) + R"(],"data_request":{"id":99}})");
    CHECK(asked.status == 200);
    REQUIRE(requests.size() == 1);
    CHECK(requests[0].data_request_id == 99);
    CHECK_FALSE(requests[0].runs.empty());
    for (const auto& r : requests[0].runs)
      CHECK(r.payload.find("bob@example.com") == std::string::npos);

    auto redacted = f.privacy(*p->eng, "customers/redact",
                              R"({"shop_id":1,"shop_domain":"carol.myshopify.com",)"
                              R"("customer":{"id":7,"email":"ann@example.com"},)"
                              R"("orders_to_redact":[)" +
                                  std::to_string(ann_order) + "]}");
    CHECK(redacted.status == 200);
    // The data request and the redact runs hold ann's address too: they are not runs of the
    // engine (the privacy route answers them itself), so only the order runs held it.
    CHECK(runs_about("ann@example.com") == 0);
    CHECK(runs_about("bob@example.com") > 0);
    auto ids = f.warehouse_ids();
    CHECK(std::find(ids.begin(), ids.end(), ann_order) == ids.end());
    CHECK(ids.size() == 1);
    auto log = st->erasures(carol);
    REQUIRE(log);
    REQUIRE(log->size() == 1);
    CHECK(log->at(0).kind == "customers/redact");
    CHECK(log->at(0).counts.runs > 0);

    auto shop_gone =
        f.privacy(*p->eng, "shop/redact", R"({"shop_id":1,"shop_domain":"carol.myshopify.com"})");
    CHECK(shop_gone.status == 200);
    CHECK(runs_about("bob@example.com") == 0);
    CHECK(f.warehouse_ids().empty());
    auto row = st->get_installation("onboarded", carol);
    REQUIRE(row);
    CHECK_FALSE(row->has_value());
    log = st->erasures(carol);
    REQUIRE(log);
    CHECK(log->size() == 2);
    // Gone from the disk too, not only from the tables: the engine's and the warehouse's files
    // and their write-ahead logs.
    for (const auto& file : std::filesystem::directory_iterator(f.dir.path())) {
      if (!file.is_regular_file()) continue;
      std::ifstream in(file.path(), std::ios::binary);
      const std::string bytes((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
      INFO(file.path().filename().string());
      CHECK(bytes.find("ann@example.com") == std::string::npos);
    }
  }
}

TEST_CASE(
    "a refresh whose new pair was never committed (a crash) starts again from the stored one") {
  onboarding_fixture f;
  auto p = f.start_process();
  REQUIRE(f.install(*p->eng).status == 200);
  // A process refreshed with the stored refresh token and died before it committed: Shopify
  // issued a new pair that nobody kept.
  auto row = p->eng->durable_store()->get_installation("onboarded", carol);
  REQUIRE(row);
  REQUIRE(*row);
  auto stored = syncline::unseal_credentials<shopify::credentials>(*f.keys, "onboarded", carol,
                                                                   (*row)->credentials.reveal());
  REQUIRE(stored);
  auto options = f.onboarding_options();
  shopify::token_endpoint crashed(f.client, options.app, options.tokens);
  auto lost = f.run([&] { return crashed.refresh(std::string(carol), stored->refresh_token); });
  REQUIRE(lost);
  // Shopify keeps the stored refresh token valid until the lost pair is used, which it never is:
  // the next refresh starts from the stored pair, and the shop keeps working.
  f.clock.advance(std::chrono::minutes(58));
  auto again = f.run([&] { return p->shops->refresher()->refresh(std::string(carol), false); });
  REQUIRE(again);
  CHECK(*again);
  CHECK(f.pushed_and_heard(*p, "sid-after-a-lost-refresh"));
}
