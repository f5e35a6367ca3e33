// seed_system: everything the seed integration runs against, on loopback, in one object —
// the embeddable Shopify emulator with its shops (one tenant each), your application's order
// receiver, the warehouse (a SQLite file), and the engine with shopify_sync installed for every
// tenant and subscribed to each shop's orders/create and orders/updated. main.cpp runs it as a
// demo; tests/seed runs the same set-up to check the loop.
//
// With seed_options::onboard, the shops connect as merchants' shops do: each one installs the
// app through Shopify's OAuth flow served by the engine (shopify::onboarding; the emulator's
// merchant approves), its expiring token is refreshed while the system runs, its credentials
// are kept sealed in the engine's store, and the engine can be restarted and a shop uninstalled.
#pragma once

#include <syncline/connectors/shopify/connector.hpp>
#include <syncline/connectors/shopify/onboarding.hpp>
#include <syncline/core/secret.hpp>
#include <syncline/crypto/keyring.hpp>
#include <syncline/http/client.hpp>
#include <syncline/http/io_threads.hpp>
#include <syncline/runtime/engine.hpp>
#include <syncline/runtime/tenant.hpp>
#include <syncline/sqlite/database.hpp>
#include <syncline/store/run.hpp>
#include <syncline/testing/emulated_shop.hpp>
#include <syncline/testing/shopify_emulator.hpp>
#include <syncline_test_support/temp_dir.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "order_receiver.hpp"
#include "seed_integration.hpp"

namespace seed {

struct seed_options {
  std::vector<std::string> shops = {"north-wind", "south-sea"};  // one tenant per shop
  // The shops' plan. Standard by default, as most merchants have; benchmarks lift the limits.
  syncline::shopify::plan_limits plan = syncline::shopify::plan_limits::standard();
  // How the engine retries a failed run: quick here, so that a demo or a test sees retries end.
  syncline::retry_policy retry{.max_attempts = 6,
                               .initial_backoff = std::chrono::milliseconds(50),
                               .max_backoff = std::chrono::milliseconds(500)};
  // How Shopify calls are made (timeouts, attempts); tests shorten the timeout to see a lost
  // answer quickly.
  syncline::shopify::connector_options connector{};
  syncline::log_level log_level = syncline::log_level::warn;
  // Webhook deliveries the emulated Shopify keeps in flight at once (Shopify sends many; 1 keeps
  // them in order, which the demo and the tests read more easily).
  std::size_t webhook_concurrency = 1;
  // The time of the emulated Shopify and of the engine's store (leases, dedupe and echo windows).
  // A manual clock lets a test deliver a webhook hours late without waiting.
  syncline::testing::emulator_clock clock{};
  // Onboard the shops through the OAuth install flow instead of installing them with tokens
  // made up front (see above); their tokens then last token_lifetime and are refreshed half-way.
  bool onboard = false;
  std::chrono::seconds token_lifetime{4};
};

// One installation: the tenant id in your product and the shop it connected.
struct seed_tenant {
  std::string id;      // "north-wind"
  std::string domain;  // "north-wind.myshopify.com"
  syncline::shopify::credentials credentials;
};

// A row of the warehouse, as read back for checks.
struct stored_row {
  std::int64_t id = 0;
  std::string tenant;
  std::optional<std::string> source_identifier;
  std::optional<std::string> email;
  std::optional<std::string> note;
  std::string updated_at;  // as stored: the text Shopify sent (compare instants: offsets vary)
};

class seed_system {
 public:
  explicit seed_system(seed_options options = {})
      : options_(std::move(options)), shopify_(options_.connector) {}

  seed_system(const seed_system&) = delete;
  seed_system& operator=(const seed_system&) = delete;

  ~seed_system() {
    onboarding_.reset();  // it stops the engine: its routes point at it
    if (engine_) engine_->stop();
    if (emulator_) emulator_->stop();
    if (receiver_) receiver_->stop();
    engine_.reset();
    warehouse_.reset();
    stream_.reset();
    updates_stream_.reset();
    emulator_.reset();
    receiver_.reset();
    client_.reset();
    io_.stop();
  }

  // Starts everything; the first failure stops the start and says what failed.
  syncline::result<void> start() {
    const syncline::secret stream_secret("stream-secret-" + random_hex());
    syncline::testing::shopify_emulator_options emulator_options;
    emulator_options.webhook_concurrency = options_.webhook_concurrency;
    emulator_options.clock = options_.clock;
    if (options_.onboard) {
      // The engine's address is fixed before anything starts: Shopify's app configuration names
      // it (the compliance URL), and a restarted engine keeps it.
      auto port = free_port();
      if (!port) return step("find a free port for the engine", port.error());
      port_ = *port;
      app_secret_ = syncline::secret("app-secret-" + random_hex());
      syncline::testing::emulated_app app;
      app.client_id = std::string(app_id);
      app.client_secret = app_secret_;
      app.scopes = {"write_orders"};
      app.compliance_url = "http://127.0.0.1:" + std::to_string(port_) + "/shopify/privacy";
      app.access_token_lifetime = options_.token_lifetime;
      emulator_options.apps = {app};
      auto entry = syncline::crypto::keyring::generate_entry("seed-key-1");
      if (!entry) return step("make a key", entry.error());
      auto keys = syncline::crypto::keyring::parse(entry->reveal(), "the seed's key");
      if (!keys) return step("make a keyring", keys.error());
      keys_ = std::make_shared<const syncline::crypto::keyring>(std::move(*keys));
    }
    emulator_ = std::make_unique<syncline::testing::shopify_emulator>(io_.executor(),
                                                                      std::move(emulator_options));
    for (const auto& shop : options_.shops) {
      seed_tenant t{shop, {}, {}};
      const syncline::secret token("shpat_" + random_hex());
      const syncline::secret client_secret("whsec_" + random_hex());
      syncline::testing::emulated_shop emulated;
      emulated.domain = shop;
      if (!options_.onboard) {  // onboarded shops get their tokens from the install
        emulated.access_tokens = {token};
        emulated.client_secret = client_secret;
      }
      emulated.plan = options_.plan;
      auto domain = emulator_->add_shop(std::move(emulated));
      if (!domain) return step("add shop " + shop, domain.error());
      t.domain = *domain;
      if (options_.onboard) t.id = *domain;  // an onboarded shop's tenant id is its domain
      t.credentials = {
          .shop_domain = *domain, .access_token = token, .client_secret = client_secret};
      // The connector paces calls by the plan until Shopify's answers say otherwise.
      t.credentials.plan = options_.plan;
      tenants_.push_back(std::move(t));
    }
    if (auto r = emulator_->start(); !r) return step("start the Shopify emulator", r.error());
    for (auto& t : tenants_) t.credentials.base_url = emulator_->url();

    receiver_ = std::make_unique<order_receiver>(io_.executor(), stream_secret);
    if (auto r = receiver_->start(); !r) return step("start the order receiver", r.error());
    client_ = std::make_unique<syncline::http::client>(io_.executor());
    stream_ = std::make_unique<orders_stream>(
        *client_, syncline::data_stream::options{.endpoint = receiver_->endpoint(),
                                                 .signing_secret = stream_secret});
    updates_stream_ = std::make_unique<order_updates_stream>(
        *client_, syncline::data_stream::options{.endpoint = receiver_->endpoint(),
                                                 .signing_secret = stream_secret});

    auto sink = orders_warehouse::open(io_.executor(), dir_.file("warehouse.db").string());
    if (!sink) return step("open the warehouse", sink.error());
    warehouse_ = std::make_unique<orders_warehouse>(std::move(*sink));
    if (auto r = warehouse_->create_table(); !r) return step("create table orders", r.error());

    if (options_.onboard) {
      if (auto r = start_engine(0); !r) return std::move(r).error();
      for (const auto& t : tenants_) {
        if (auto r = install_through_oauth(t); !r) return step("onboard " + t.domain, r.error());
      }
      return {};
    }
    engine_ = std::make_unique<syncline::engine>(engine_options());
    // What the integration's blocks need besides what the engine provides; install does not
    // compile without one of them. Every shop's runs share them.
    const auto services = syncline::services(shopify_, *stream_, *updates_stream_, *warehouse_);
    for (const auto& t : tenants_) {
      auto r = engine_->install(shopify_sync, syncline::tenant{t.id, t.credentials}, services);
      if (!r) return step("install shopify_sync for " + t.id, r.error());
    }
    if (auto r = engine_->start(); !r) return step("start the engine", r.error());
    for (const auto& t : tenants_) {
      for (const std::string topic : {"orders/create", "orders/updated"}) {
        auto sub =
            emulator_->subscribe(t.domain, topic, engine_->url() + "/webhooks/shopify/" + topic);
        if (!sub) return step("subscribe " + t.domain + " to " + topic, sub.error());
      }
    }
    return {};
  }

  // --- onboarded shops (seed_options::onboard) ------------------------------------------------

  // Stops the engine and starts another on the same database and address, which serves every
  // installed shop from the store: answers how many it restored.
  syncline::result<std::size_t> restart_engine() {
    onboarding_.reset();
    engine_.reset();
    return start_engine(tenants_.size());
  }

  // The merchant uninstalls the app (Shopify sends app/uninstalled and revokes the token), and
  // 48 hours later Shopify asks for the shop's data to be erased (shop/redact, to the app's
  // compliance URL). Returns once both were handled, or an error.
  syncline::result<void> uninstall(const seed_tenant& t) {
    if (auto r = emulator_->uninstall(t.domain, app_id); !r) return r;
    if (!wait_for([&] { return !installed(t); }))
      return syncline::make_error(syncline::errc::unavailable, "seed: app/uninstalled not handled");
    auto sent = emulator_->request_privacy(t.domain, "shop/redact");
    if (!sent) return std::move(sent).error();
    if (!wait_for([&] {
          auto log = engine_->durable_store()->erasures(t.id);
          return log && !log->empty();
        }))
      return syncline::make_error(syncline::errc::unavailable, "seed: shop/redact not handled");
    return {};
  }

  // Whether the engine's store holds the shop's installation (and so its sealed credentials).
  bool installed(const seed_tenant& t) {
    auto row = engine_->durable_store()->get_installation("shopify_sync", t.id);
    return row && row->has_value();
  }

  // How many times the shop's token was refreshed (each refresh replaces the installation row).
  std::int64_t token_refreshes(const seed_tenant& t) {
    auto row = engine_->durable_store()->get_installation("shopify_sync", t.id);
    return row && *row ? (*row)->revision - 1 : 0;
  }

  const std::vector<seed_tenant>& tenants() const noexcept { return tenants_; }
  syncline::engine& engine() noexcept { return *engine_; }
  syncline::testing::shopify_emulator& emulator() noexcept { return *emulator_; }
  order_receiver& receiver() noexcept { return *receiver_; }

  // Your platform: an order was placed (durable in the engine's queue when this returns).
  syncline::result<syncline::emit_receipt> place_app_order(const seed_tenant& t,
                                                           const platform_order& o) {
    return engine_->emit(t.id, "order.placed", o);
  }

  // A merchant or a storefront: an order placed directly in Shopify.
  syncline::result<boost::json::object> place_shop_order(const seed_tenant& t, std::string email,
                                                         std::string item, std::string price) {
    boost::json::object order{
        {"email", std::move(email)},
        {"line_items",
         boost::json::array{boost::json::object{
             {"title", std::move(item)}, {"price", std::move(price)}, {"quantity", 1}}}}};
    return emulator_->create_order(t.domain, std::move(order));
  }

  // A merchant edits an order in Shopify's admin (email, note, tags, phone, ...): Shopify fires
  // orders/updated.
  syncline::result<boost::json::object> edit_shop_order(const seed_tenant& t, std::int64_t id,
                                                        const boost::json::object& changes) {
    return emulator_->update_order(t.domain, static_cast<std::uint64_t>(id), changes);
  }

  // Real Shopify often follows an orders/create with an orders/updated about the same, unchanged
  // order; the emulator does not send it by itself. This sends it, signed and with a webhook id
  // of its own, as Shopify would: the order as it stands now.
  syncline::result<void> send_update_after_create(const seed_tenant& t, std::int64_t id) {
    auto order = emulator_->order(t.domain, static_cast<std::uint64_t>(id));
    if (!order)
      return syncline::make_error(syncline::errc::not_found,
                                  "seed: no order " + std::to_string(id) + " in " + t.domain);
    auto sent = emulator_->emit(t.domain, "orders/updated", *order);
    if (!sent) return std::move(sent).error();
    if (*sent == 0)
      return syncline::make_error(syncline::errc::not_found,
                                  "seed: " + t.domain + " has no subscriber of orders/updated");
    return {};
  }

  // Waits until nothing is left to do: no webhook queued or being sent by the emulator, and the
  // engine quiet (engine::wait_until_quiet: nothing on its way to the queue, queued, running or
  // waiting for a retry), seen three times in a row: a finishing run may make Shopify send a
  // webhook that makes a new run. False when `limit` passed first.
  bool wait_until_quiet(std::chrono::milliseconds limit = std::chrono::seconds(20)) {
    const auto end = std::chrono::steady_clock::now() + limit;
    int quiet_checks = 0;
    while (std::chrono::steady_clock::now() < end) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          end - std::chrono::steady_clock::now());
      const bool quiet = emulator_->deliveries_idle() && engine_->wait_until_quiet(left) &&
                         emulator_->deliveries_idle();
      quiet_checks = quiet ? quiet_checks + 1 : 0;
      if (quiet_checks >= 3) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  // The warehouse table as it is now (read through a connection of its own).
  syncline::result<std::vector<stored_row>> warehouse_rows() const {
    auto db = syncline::sqlite::database::open(dir_.file("warehouse.db").string());
    if (!db) return std::move(db).error();
    const std::string sql =
        "SELECT id, tenant, source_identifier, email, note, updated_at FROM orders ORDER BY id";
    auto stmt = db->prepare(sql);
    if (!stmt) return std::move(stmt).error();
    std::vector<stored_row> rows;
    for (;;) {
      auto row = stmt->step();
      if (!row) return std::move(row).error();
      if (!*row) break;
      stored_row r;
      r.id = stmt->int64(0);
      r.tenant = stmt->text(1);
      if (!stmt->is_null(2)) r.source_identifier = stmt->text(2);
      if (!stmt->is_null(3)) r.email = stmt->text(3);
      if (!stmt->is_null(4)) r.note = stmt->text(4);
      r.updated_at = stmt->text(5);
      rows.push_back(std::move(r));
    }
    return rows;
  }

  // The runs of one workflow of one tenant, any status (the run log pages newest first).
  syncline::result<std::vector<syncline::store::run_record>> runs_of(const seed_tenant& t,
                                                                     const std::string& workflow) {
    std::vector<syncline::store::run_record> all;
    syncline::store::run_query query{.filter = {.tenant = t.id, .workflow = workflow},
                                     .limit = 1000};
    for (;;) {
      auto page = engine_->runs(query);
      if (!page) return std::move(page).error();
      all.insert(all.end(), page->begin(), page->end());
      if (page->size() < query.limit) return all;
      query.before_id = page->back().id;
    }
  }

 private:
  static constexpr std::string_view app_id = "seed-app";
  using onboarding_t =
      syncline::shopify::onboarding<decltype(shopify_sync), syncline::shopify::connector,
                                    orders_stream, order_updates_stream, orders_warehouse>;

  // Named, not a braced temporary: g++ 12 at -O3 warns that such a temporary's members may be
  // used uninitialized.
  syncline::engine_options engine_options() const {
    syncline::engine_options o;
    o.database = dir_.file("engine.db");
    o.listen = {"127.0.0.1", port_};
    o.retry = options_.retry;
    o.level = options_.log_level;
    o.store.clock = [clock = options_.clock] { return clock.now(); };
    o.keyring = keys_;
    return o;
  }

  // An engine with the onboarding: what the store holds is installed again, the install routes
  // served, and tokens refreshed half-way through their life.
  syncline::result<std::size_t> start_engine(std::size_t expect_restored) {
    engine_ = std::make_unique<syncline::engine>(engine_options());
    syncline::shopify::onboarding_options o;
    o.app.client_id = std::string(app_id);
    o.app.client_secret = app_secret_;
    o.admin_base_url = emulator_->url();
    o.authorize_base = emulator_->url() + "/shops/{shop}";
    o.tokens.base_url = emulator_->url() + "/shops/{shop}";
    o.tokens.now = [clock = options_.clock] { return clock.now(); };
    o.refresh.refresh_before = options_.token_lifetime / 2;
    o.refresh_check = std::chrono::milliseconds(200);
    onboarding_ = std::make_unique<onboarding_t>(
        *engine_, shopify_sync, std::move(o),
        syncline::services(shopify_, *stream_, *updates_stream_, *warehouse_));
    auto restored = onboarding_->restore();
    if (!restored) return step("restore the installed shops", restored.error());
    if (*restored != expect_restored) {
      return syncline::make_error(syncline::errc::internal,
                                  "seed: restored " + std::to_string(*restored) + " shops of " +
                                      std::to_string(expect_restored));
    }
    if (auto r = onboarding_->serve(); !r) return step("serve the install routes", r.error());
    if (auto r = engine_->start(); !r) return step("start the engine", r.error());
    if (auto r = onboarding_->start(); !r) return step("start the onboarding", r.error());
    return restored;
  }

  // The merchant opens the engine's install link, approves on Shopify's install screen (the
  // emulator's merchant), and Shopify sends the browser back to the engine's callback.
  syncline::result<void> install_through_oauth(const seed_tenant& t) {
    std::string url = engine_->url() + "/shopify/install?shop=" + t.domain;
    for (int hop = 0; hop < 3; ++hop) {
      auto answer = http_get(url);
      if (!answer) return std::move(answer).error();
      const unsigned status = answer->result_int();
      if (status == 200 && hop == 2) return {};
      auto location = answer->find(syncline::http::field::location);
      if (status != 302 || location == answer->end()) {
        return syncline::make_error(syncline::errc::http_status,
                                    "GET " + url.substr(0, url.find('?')) + " answered " +
                                        std::to_string(status) + ": " + answer->body(),
                                    static_cast<int>(status));
      }
      url = std::string(location->value());
    }
    return syncline::make_error(syncline::errc::internal, "seed: the install did not end");
  }

  syncline::result<syncline::http::response> http_get(const std::string& url) {
    std::optional<syncline::result<syncline::http::response>> out;
    boost::asio::co_spawn(
        io_.executor(),
        [&]() -> boost::asio::awaitable<void> { out.emplace(co_await client_->get(url)); },
        boost::asio::use_future)
        .get();
    return std::move(*out);
  }

  static syncline::result<std::uint16_t> free_port() {
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor a(io);
    boost::system::error_code ec;
    a.open(boost::asio::ip::tcp::v4(), ec);
    if (!ec) a.bind({boost::asio::ip::make_address("127.0.0.1"), 0}, ec);
    if (ec) return syncline::make_error(syncline::errc::unavailable, ec.message());
    return a.local_endpoint().port();
  }

  template <class Done>
  static bool wait_for(Done done) {
    for (int i = 0; i < 1000 && !done(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return done();
  }

  static syncline::error step(const std::string& what, const syncline::error& e) {
    return syncline::make_error(e.category, "seed: cannot " + what + ": " + e.message, e.status);
  }

  static std::string random_hex() {
    std::random_device rd;
    std::string out;
    for (int i = 0; i < 4; ++i) {
      char buf[9];
      std::snprintf(buf, sizeof buf, "%08x", rd());
      out += buf;
    }
    return out;
  }

  seed_options options_;
  syncline::testing::temp_dir dir_{"syncline-seed"};
  std::vector<seed_tenant> tenants_;
  // The emulator, the receiver and the warehouse run on threads of their own, apart from the
  // engine's: as they would in separate processes.
  syncline::http::io_threads io_{2};
  syncline::shopify::connector shopify_;
  std::unique_ptr<syncline::testing::shopify_emulator> emulator_;
  std::unique_ptr<order_receiver> receiver_;
  std::unique_ptr<syncline::http::client> client_;
  std::unique_ptr<orders_stream> stream_;
  std::unique_ptr<order_updates_stream> updates_stream_;
  std::unique_ptr<orders_warehouse> warehouse_;
  std::unique_ptr<syncline::engine> engine_;
  // seed_options::onboard
  std::uint16_t port_ = 0;
  syncline::secret app_secret_{};
  std::shared_ptr<const syncline::crypto::keyring> keys_;
  std::unique_ptr<onboarding_t> onboarding_;
};

}  // namespace seed
