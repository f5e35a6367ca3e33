// Shopify deliveries through the engine's webhook endpoint: the emulator's app/uninstalled
// uninstalls exactly the shop that sent it (no workflow needs to listen to it), a repeated notice
// is harmless, a forged one uninstalls nothing, a signed delivery of another topic cannot be
// replayed as an uninstall, and the compliance topics answer 401 to a bad signature.
#include <syncline/blocks/to.hpp>
#include <syncline/core/integration.hpp>
#include <syncline/core/workflow.hpp>
#include <syncline/runtime/engine.hpp>
#include <syncline_test_support/temp_dir.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "shopify_fixture.hpp"

namespace unity_shopify_engine_webhooks_test {

using namespace shop_test;

namespace {

// What the compliance workflows received, per shop.
struct compliance_log {
  std::mutex m;
  std::vector<std::string> entries;  // "topic shop_domain"
  void add(std::string e) {
    std::lock_guard lock(m);
    entries.push_back(std::move(e));
  }
  bool has(const std::string& e) {
    std::lock_guard lock(m);
    return std::find(entries.begin(), entries.end(), e) != entries.end();
  }
};

template <class Payload>
syncline::result<void> record(std::string_view topic, const Payload& p,
                              syncline::run_context& ctx) {
  ctx.service<compliance_log>()->add(std::string(topic) + " " + p.shop_domain);
  return {};
}

// No workflow listens to app/uninstalled: the app's own identify/verify handle it.
inline constexpr auto data_requests = syncline::workflow<"data_requests">(
    shopify::webhook<"customers/data_request">{} |
    syncline::to<"log_data_request", syncline::needs<compliance_log>>(
        [](const shopify::customers_data_request& p, syncline::run_context& ctx) {
          return record("customers/data_request", p, ctx);
        }));
inline constexpr auto customer_redactions = syncline::workflow<"customer_redactions">(
    shopify::webhook<"customers/redact">{} |
    syncline::to<"log_customer_redact", syncline::needs<compliance_log>>(
        [](const shopify::customers_redact& p, syncline::run_context& ctx) {
          return record("customers/redact", p, ctx);
        }));
inline constexpr auto shop_redactions = syncline::workflow<"shop_redactions">(
    shopify::webhook<"shop/redact">{} |
    syncline::to<"log_shop_redact", syncline::needs<compliance_log>>(
        [](const shopify::shop_redact& p, syncline::run_context& ctx) {
          return record("shop/redact", p, ctx);
        }));
inline constexpr auto compliance = syncline::integration<"compliance", shopify::app>(
    data_requests, customer_redactions, shop_redactions);

bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds limit = 15s) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (done()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return done();
}

// An engine serving `compliance` for acme and bravo (credentials pointed at the emulator).
struct engine_fixture {
  fixture f;
  syncline::testing::temp_dir db;
  compliance_log received;
  syncline::engine eng;

  engine_fixture() : eng(options(db)) {
    const auto services = syncline::services(received);
    REQUIRE(eng.install(compliance, syncline::tenant{"acme", f.acme}, services));
    REQUIRE(eng.install(compliance, syncline::tenant{"bravo", f.bravo}, services));
    REQUIRE(eng.start());
  }
  ~engine_fixture() { eng.stop(); }

  static syncline::engine_options options(const syncline::testing::temp_dir& db) {
    syncline::engine_options o;
    o.threads = 1;
    o.database = db.file("engine.db");
    o.listen = {"127.0.0.1", 0};
    o.idle_poll = 50ms;
    o.log = [](syncline::log_level, std::string_view) {};
    return o;
  }

  std::string url(std::string_view topic) const {
    return eng.url() + "/webhooks/shopify/" + std::string(topic);
  }

  // The emulator sends `topic` of `shop` to the engine from now on.
  void subscribe(std::string_view shop, std::string topic) {
    REQUIRE(f.emu.subscribe(shop, topic, url(topic)));
  }

  // The status the engine answered to the emulator's first delivery of `topic` for `shop`.
  std::optional<unsigned> answered(std::string_view shop, std::string_view topic) {
    for (const auto& a : f.emu.delivery_attempts()) {
      if (a.shop_domain == shop && a.topic == topic && (a.status || !a.error.empty()))
        return a.status.value_or(0);
    }
    return std::nullopt;
  }
  unsigned wait_answer(std::string_view shop, std::string_view topic) {
    std::optional<unsigned> s;
    wait_until([&] { return (s = answered(shop, topic)).has_value(); });
    REQUIRE(s.has_value());
    return *s;
  }

  // POSTs a delivery of `topic` for `shop` to `url_topic`'s URL, signed with `secret`.
  unsigned post(std::string_view url_topic, std::string_view topic, std::string_view shop,
                const std::string& body, std::string_view secret, std::string webhook_id) {
    syncline::http::fields h;
    h.set("X-Shopify-Topic", topic);
    h.set("X-Shopify-Shop-Domain", shop);
    h.set("X-Shopify-API-Version", "2026-01");
    h.set("X-Shopify-Webhook-Id", webhook_id);
    h.set("X-Shopify-Hmac-Sha256", syncline::http::hmac_sha256_base64(secret, body));
    h.set(boost::beast::http::field::content_type, "application/json");
    auto r = f.run([&] { return f.client.post(url(url_topic), body, h); });
    REQUIRE(r);
    return r->result_int();
  }
};

std::string redact_body(std::string_view shop) {
  return R"({"shop_id":1,"shop_domain":")" + std::string(shop) + R"(","customer":{"id":7}})";
}

}  // namespace

TEST_CASE("app/uninstalled from Shopify uninstalls that shop's tenant only, once") {
  engine_fixture e;
  for (auto shop : {"acme.myshopify.com", "bravo.myshopify.com"}) {
    e.subscribe(shop, "app/uninstalled");
    e.subscribe(shop, "customers/redact");
  }

  REQUIRE(e.f.emu.uninstall("acme"));
  CHECK(e.wait_answer("acme.myshopify.com", "app/uninstalled") == 200);

  // acme's deliveries are refused from now on, even correctly signed ones.
  CHECK(e.post("customers/redact", "customers/redact", "acme.myshopify.com",
               redact_body("acme.myshopify.com"), acme_secret, "acme-after") == 401);
  // bravo keeps running: its compliance request, sent by the emulator, is run.
  REQUIRE(e.f.emu.emit("bravo", "customers/redact",
                       boost::json::parse(redact_body("bravo.myshopify.com")).as_object()));
  CHECK(e.wait_answer("bravo.myshopify.com", "customers/redact") == 200);
  CHECK(wait_until([&] { return e.received.has("customers/redact bravo.myshopify.com"); }));

  // Shopify may deliver the notice again: 200, and nothing else changes.
  const std::string shop_body = R"({"id":1,"domain":"acme.myshopify.com"})";
  CHECK(e.post("app/uninstalled", "app/uninstalled", "acme.myshopify.com", shop_body, acme_secret,
               "acme-bye-again") == 200);
  CHECK(e.post("customers/redact", "customers/redact", "bravo.myshopify.com",
               redact_body("bravo.myshopify.com"), bravo_secret, "bravo-2") == 200);
  CHECK(!e.received.has("customers/redact acme.myshopify.com"));
}

TEST_CASE("a forged or replayed app/uninstalled uninstalls nothing") {
  engine_fixture e;
  e.subscribe("acme.myshopify.com", "app/uninstalled");

  SECTION("signed with a key that is not the client secret: 401") {
    REQUIRE(e.f.emu.set_webhook_faults("acme", {.wrong_signature_next = 1}));
    REQUIRE(e.f.emu.uninstall("acme"));
    CHECK(e.wait_answer("acme.myshopify.com", "app/uninstalled") == 401);
    CHECK(e.eng.metrics().rejected_count(syncline::rejection::unauthorized) == 1);
  }
  SECTION("a tenant's signed delivery of another topic posted to the uninstall URL: 400") {
    CHECK(e.post("app/uninstalled", "customers/redact", "acme.myshopify.com",
                 redact_body("acme.myshopify.com"), acme_secret, "replayed") == 400);
  }
  SECTION("signed by another installed shop for acme: 401") {
    CHECK(e.post("app/uninstalled", "app/uninstalled", "acme.myshopify.com", "{}", bravo_secret,
                 "cross") == 401);
  }
  // acme is still installed: its signed compliance request is accepted and run.
  CHECK(e.post("customers/redact", "customers/redact", "acme.myshopify.com",
               redact_body("acme.myshopify.com"), acme_secret, "acme-still-here") == 200);
  CHECK(wait_until([&] { return e.received.has("customers/redact acme.myshopify.com"); }));
}

TEST_CASE("the compliance topics answer 401 to a bad signature through the engine") {
  engine_fixture e;
  const std::string data_request = R"({"shop_id":1,"shop_domain":"acme.myshopify.com",)"
                                   R"("customer":{"id":7},"orders_requested":[1]})";
  const std::string shop_redact = R"({"shop_id":1,"shop_domain":"acme.myshopify.com"})";
  struct one {
    std::string topic;
    std::string body;
  };
  for (const auto& [topic, body] : {one{"customers/data_request", data_request},
                                    one{"customers/redact", redact_body("acme.myshopify.com")},
                                    one{"shop/redact", shop_redact}}) {
    INFO(topic);
    CHECK(e.post(topic, topic, "acme.myshopify.com", body, "not-the-secret", "bad-" + topic) ==
          401);
    CHECK(e.post(topic, topic, "acme.myshopify.com", body, acme_secret, "good-" + topic) == 200);
    CHECK(wait_until([&] { return e.received.has(topic + " acme.myshopify.com"); }));
  }
  // Through the emulator too: a delivery it signs wrongly on purpose.
  e.subscribe("acme.myshopify.com", "shop/redact");
  REQUIRE(e.f.emu.set_webhook_faults("acme", {.wrong_signature_next = 1}));
  REQUIRE(e.f.emu.emit("acme", "shop/redact", boost::json::parse(shop_redact).as_object()));
  CHECK(e.wait_answer("acme.myshopify.com", "shop/redact") == 401);
  CHECK(e.eng.metrics().rejected_count(syncline::rejection::unauthorized) == 4);
}

}  // namespace unity_shopify_engine_webhooks_test
