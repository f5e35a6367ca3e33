// seed_system: everything the seed integration runs against, on loopback, in one object —
// the embeddable Shopify emulator with its shops (one tenant each), your application's order
// receiver, the warehouse (a SQLite file), and the engine with shopify_sync installed for every
// tenant and subscribed to each shop's orders/create and orders/updated. main.cpp runs it as a
// demo; tests/seed runs the same set-up to check the loop.
#pragma once

#include <syncline/connectors/shopify/connector.hpp>
#include <syncline/core/secret.hpp>
#include <syncline/http/client.hpp>
#include <syncline/http/io_threads.hpp>
#include <syncline/runtime/engine.hpp>
#include <syncline/runtime/tenant.hpp>
#include <syncline/sqlite/database.hpp>
#include <syncline/store/run.hpp>
#include <syncline/testing/emulated_shop.hpp>
#include <syncline/testing/shopify_emulator.hpp>
#include <syncline_test_support/temp_dir.hpp>

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
    emulator_ = std::make_unique<syncline::testing::shopify_emulator>(io_.executor(),
                                                                      std::move(emulator_options));
    for (const auto& shop : options_.shops) {
      seed_tenant t{shop, {}, {}};
      const syncline::secret token("shpat_" + random_hex());
      const syncline::secret client_secret("whsec_" + random_hex());
      syncline::testing::emulated_shop emulated;
      emulated.domain = shop;
      emulated.access_tokens = {token};
      emulated.client_secret = client_secret;
      emulated.plan = options_.plan;
      auto domain = emulator_->add_shop(std::move(emulated));
      if (!domain) return step("add shop " + shop, domain.error());
      t.domain = *domain;
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

    // Named, not a braced temporary: g++ 12 at -O3 warns that such a temporary's members may be
    // used uninitialized.
    syncline::engine_options engine_options;
    engine_options.database = dir_.file("engine.db");
    engine_options.listen = {"127.0.0.1", 0};
    engine_options.retry = options_.retry;
    engine_options.level = options_.log_level;
    engine_options.store.clock = [clock = options_.clock] { return clock.now(); };
    engine_ = std::make_unique<syncline::engine>(std::move(engine_options));
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
};

}  // namespace seed
