// shopify::webhook<Topic> is typed by topic; shopify::app reads and authenticates the deliveries
// of every topic: identify() reads the X-Shopify-* headers, verify() checks the HMAC of the raw
// body in constant time. Signatures here were computed with
//   printf '%s' "$body" | openssl dgst -sha256 -hmac "$secret" -binary | openssl base64 -A
// not with syncline; the end-to-end case verifies deliveries the emulator signed.
#include <syncline/blocks/to.hpp>
#include <syncline/core/delivery.hpp>
#include <syncline/core/workflow.hpp>
#include <syncline/http/server.hpp>
#include <syncline/json/decode.hpp>

#include <boost/asio/steady_timer.hpp>

#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "shopify/shopify_fixture.hpp"

namespace unity_shopify_webhook_test {

namespace {

using namespace shop_test;
using syncline::errc;

constexpr std::string_view body = R"({"id":820982911946154508,"name":"#1001"})";
constexpr std::string_view acme_signature = "VrcF9lFbsplvNOHQFq7Z+kKiBmQwoVrIslKzWBri+Dw=";
constexpr std::string_view acme_old_signature = "t+sCZyJdluYn1fyFRxud+z3qejtWMJ9kthLOZQyq3ZU=";
constexpr std::string_view bravo_signature = "9+3JpB8D7cijex6/g0ZFcFtu0jZToZC1DEonQYA5cco=";

// A delivery with Shopify's headers; `drop` names one to leave out.
struct delivery {
  std::map<std::string, std::string> headers;
  std::string raw{body};

  explicit delivery(std::string_view topic = "orders/create",
                    std::string_view shop = "acme.myshopify.com",
                    std::string_view signature = acme_signature) {
    headers = {{"x-shopify-topic", std::string(topic)},
               {"x-shopify-hmac-sha256", std::string(signature)},
               {"x-shopify-shop-domain", std::string(shop)},
               {"x-shopify-api-version", "2026-01"},
               {"x-shopify-webhook-id", "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"},
               {"x-shopify-event-id", "98880550-7158-44d4-b7cd-2c97c8a091b5"},
               {"x-shopify-triggered-at", "2026-01-15T15:30:00.123456789Z"}};
  }
  delivery& without(std::string name) {
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    headers.erase(name);
    return *this;
  }
  // Header lookup is case-insensitive, as Beast's is.
  syncline::inbound_delivery view() const {
    return {[this](std::string_view name) -> std::string_view {
              std::string key(name);
              for (char& c : key)
                c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
              auto it = headers.find(key);
              return it == headers.end() ? std::string_view{} : std::string_view(it->second);
            },
            raw};
  }
};

shopify::credentials creds(std::string shop, std::string secret, std::string previous = {}) {
  shopify::credentials c;
  c.shop_domain = std::move(shop);
  c.access_token = syncline::secret{"shpat_never_in_messages"};
  c.client_secret = syncline::secret{std::move(secret)};
  c.previous_client_secret = syncline::secret{std::move(previous)};
  return c;
}

using orders_create = shopify::webhook<"orders/create">;
using app = shopify::app;

}  // namespace

// The trigger is typed by its topic; its app authenticates it, so the engine can serve it.
static_assert(std::is_same_v<orders_create::payload_type, shopify::order>);
static_assert(std::is_same_v<shopify::webhook<"app/uninstalled">::payload_type, shopify::shop>);
static_assert(
    std::is_same_v<shopify::webhook<"customers/redact">::payload_type, shopify::customers_redact>);
static_assert(std::is_same_v<shopify::webhook<"customers/data_request">::payload_type,
                             shopify::customers_data_request>);
static_assert(std::is_same_v<shopify::webhook<"shop/redact">::payload_type, shopify::shop_redact>);
static_assert(syncline::verifiable_webhook<orders_create>);
static_assert(syncline::verifiable_webhook<shopify::webhook<"shop/redact">>);
static_assert(std::is_empty_v<orders_create>);
static_assert(!shopify::is_webhook_topic<"orders/explode">);

TEST_CASE("a webhook trigger starts a workflow whose blocks receive a shopify::order") {
  constexpr auto wf = syncline::workflow<"orders_in">(
      orders_create{} | syncline::to<"keep">([](const shopify::order&) {}));
  STATIC_REQUIRE(std::is_same_v<decltype(wf)::payload_type, shopify::order>);
  CHECK(orders_create::name == "orders/create");
}

TEST_CASE("identify names the tenant by shop domain and dedupes on the webhook id") {
  delivery d;
  d.headers["x-shopify-shop-domain"] = "ACME.myshopify.com";
  auto id = app::identify(d.view());
  REQUIRE(id);
  CHECK(id->tenant_key == "acme.myshopify.com");
  CHECK(id->dedupe_key == "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043");
  // Event id and triggered-at are not required (Shopify's SDKs do not require them).
  CHECK(app::identify(delivery{}.without("X-Shopify-Event-Id").view()));
}

TEST_CASE("identify rejects deliveries missing a required header or the body") {
  for (std::string header : {"X-Shopify-Hmac-Sha256", "X-Shopify-Topic", "X-Shopify-Shop-Domain",
                             "X-Shopify-API-Version", "X-Shopify-Webhook-Id"}) {
    CAPTURE(header);
    auto id = app::identify(delivery{}.without(header).view());
    REQUIRE_FALSE(id);
    CHECK(id.error().category == errc::invalid_input);
    CHECK_THAT(id.error().message, Catch::Contains(header));
  }
  delivery none;
  none.headers.clear();
  auto all = app::identify(none.view());
  REQUIRE_FALSE(all);
  CHECK_THAT(all.error().message,
             Catch::Contains("X-Shopify-Hmac-Sha256, X-Shopify-Topic, X-Shopify-Shop-Domain, "
                             "X-Shopify-API-Version, X-Shopify-Webhook-Id"));

  delivery empty;
  empty.raw.clear();
  auto e = app::identify(empty.view());
  REQUIRE_FALSE(e);
  CHECK(e.error().category == errc::invalid_input);
  CHECK_THAT(e.error().message, Catch::Contains("empty body"));
}

TEST_CASE("identify reports the topic, it rejects a foreign domain and a malformed version") {
  // The delivery says its topic; the engine's gate refuses it at another topic's URL.
  auto topic = app::identify(delivery{"orders/updated"}.view());
  REQUIRE(topic);
  CHECK(topic->topic == "orders/updated");

  auto domain = app::identify(delivery{"orders/create", "evil.example.com"}.view());
  REQUIRE_FALSE(domain);
  CHECK(domain.error().category == errc::invalid_input);

  delivery v;
  v.headers["x-shopify-api-version"] = "latest";
  auto version = app::identify(v.view());
  REQUIRE_FALSE(version);
  CHECK_THAT(version.error().message, Catch::Contains("X-Shopify-API-Version"));
}

TEST_CASE("verify accepts the HMAC of the raw body made with the client secret (openssl vector)") {
  CHECK(app::verify(delivery{}.view(), creds("acme", std::string(acme_secret))));
  // "acme" and "acme.myshopify.com" name the same shop.
  CHECK(app::verify(delivery{}.view(), creds("acme.myshopify.com", std::string(acme_secret))));
}

TEST_CASE("verify accepts either secret during a rotation, and only those") {
  const auto rotating = creds("acme", "acme-new-secret", std::string(acme_secret));
  CHECK(app::verify(delivery{}.view(), rotating));
  const auto rotated = creds("acme", std::string(acme_secret), "acme-old-secret");
  CHECK(app::verify(delivery{"orders/create", "acme.myshopify.com", acme_old_signature}.view(),
                    rotated));
  CHECK(app::verify(delivery{}.view(), rotated));
  const auto done = creds("acme", "acme-new-secret");
  auto r = app::verify(delivery{}.view(), done);
  REQUIRE_FALSE(r);
  CHECK(r.error().category == errc::unauthorized);
}

TEST_CASE("verify refuses a tampered body, a wrong signature and a missing secret") {
  const auto acme = creds("acme", std::string(acme_secret));
  delivery tampered;
  tampered.raw.back() = ' ';
  auto a = app::verify(tampered.view(), acme);
  REQUIRE_FALSE(a);
  CHECK(a.error().category == errc::unauthorized);

  delivery garbage{"orders/create", "acme.myshopify.com", "not base64 at all"};
  CHECK_FALSE(app::verify(garbage.view(), acme));

  auto none = app::verify(delivery{}.view(), creds("acme", ""));
  REQUIRE_FALSE(none);
  CHECK(none.error().category == errc::unauthorized);
  CHECK_THAT(none.error().message, Catch::Contains("no client secret"));
}

TEST_CASE("tenant isolation: shop A's credentials never validate shop B's webhook") {
  // Bravo's delivery, correctly signed with bravo's secret.
  const delivery from_bravo{"orders/create", "bravo.myshopify.com", bravo_signature};
  CHECK(app::verify(from_bravo.view(), creds("bravo", std::string(bravo_secret))));
  auto with_acme = app::verify(from_bravo.view(), creds("acme", std::string(acme_secret)));
  REQUIRE_FALSE(with_acme);
  CHECK(with_acme.error().category == errc::unauthorized);
  // Even when both shops installed one app (one client secret for all shops), a delivery names
  // its shop and is checked against that shop's credentials only.
  auto same_secret = app::verify(from_bravo.view(), creds("acme", std::string(bravo_secret)));
  REQUIRE_FALSE(same_secret);
  CHECK(same_secret.error().category == errc::unauthorized);
  // And acme's secret does not sign bravo's body.
  const delivery claims_acme{"orders/create", "acme.myshopify.com", bravo_signature};
  CHECK_FALSE(app::verify(claims_acme.view(), creds("acme", std::string(acme_secret))));
}

TEST_CASE("compliance topics refuse a bad signature as unauthorized (401)") {
  using redact = shopify::webhook<"customers/redact">;
  STATIC_REQUIRE(shopify::is_compliance_topic(redact::topic));
  STATIC_REQUIRE_FALSE(shopify::is_compliance_topic(orders_create::topic));
  const auto acme = creds("acme", std::string(acme_secret));
  auto r1 =
      app::verify(delivery{"customers/redact", "acme.myshopify.com", bravo_signature}.view(), acme);
  auto r2 = app::verify(delivery{"shop/redact", "acme.myshopify.com", "x"}.view(), acme);
  auto r3 = app::verify(delivery{"customers/data_request", "acme.myshopify.com", ""}.view(), acme);
  for (auto* r : {&r1, &r2, &r3}) {
    REQUIRE_FALSE(*r);
    CHECK(r->error().category == errc::unauthorized);
  }
  CHECK(app::identify(delivery{"customers/redact"}.view()));
  CHECK(app::verify(delivery{"customers/redact"}.view(), acme));
}

TEST_CASE("secrets and tokens never appear in webhook errors") {
  const auto c = creds("acme", "super-secret-value-1", "super-secret-value-2");
  const delivery other{"orders/create", "bravo.myshopify.com"};
  for (const auto& r : {app::verify(delivery{}.view(), c), app::verify(other.view(), c)}) {
    REQUIRE_FALSE(r);
    CHECK_THAT(r.error().message, !Catch::Contains("super-secret-value"));
    CHECK_THAT(r.error().message, !Catch::Contains("shpat_never_in_messages"));
    CHECK_THAT(r.error().message, !Catch::Contains(std::string(acme_signature)));
  }
}

TEST_CASE("deliveries the emulator signs are verified end to end, a wrong signature is refused") {
  fixture f;
  syncline::http::server receiver(f.threads.executor());
  std::mutex m;
  std::vector<std::string> accepted, refused;
  receiver.route(
      syncline::http::verb::post, "/webhooks",
      [&](syncline::http::incoming& in) -> boost::asio::awaitable<syncline::http::response> {
        syncline::inbound_delivery d{[&in](std::string_view n) { return in.header(n); }, in.body()};
        auto id = app::identify(d);
        if (!id) co_return syncline::http::make_response(400);
        auto ok = app::verify(d, id->tenant_key == "acme.myshopify.com" ? f.acme : f.bravo);
        std::lock_guard lock(m);
        if (!ok) {
          refused.push_back(id->dedupe_key);
          co_return syncline::http::make_response(401);
        }
        auto o = syncline::json::decode<shopify::order>(in.body());
        accepted.push_back(o ? o->source_identifier.value_or("") : "not an order");
        co_return syncline::http::make_response(200);
      });
  REQUIRE(receiver.listen());
  REQUIRE(f.emu.subscribe("acme", "orders/create", receiver.url() + "/webhooks"));
  REQUIRE(f.emu.subscribe("bravo", "orders/create", receiver.url() + "/webhooks"));
  REQUIRE(f.emu.set_webhook_faults("bravo", {.wrong_signature_next = 1}));
  boost::json::object order{
      {"email", "a@example.com"},
      {"source_identifier", "wh-1"},
      {"line_items", boost::json::array{boost::json::object{
                         {"title", "Mug"}, {"price", "1.00"}, {"quantity", 1}}}}};
  REQUIRE(f.emu.create_order("acme", order));
  order["source_identifier"] = "wh-2";
  REQUIRE(f.emu.create_order("bravo", order));
  // Bravo's first delivery was signed wrongly and refused; Shopify's retry is signed correctly
  // only on a later attempt (hours later), so one refusal and one acceptance are what we see.
  bool settled = false;
  for (int i = 0; i < 200 && !settled; ++i) {
    std::this_thread::sleep_for(10ms);
    std::lock_guard lock(m);
    settled = accepted.size() >= 1 && refused.size() >= 1;
  }
  receiver.stop();
  std::lock_guard lock(m);
  CHECK(accepted == std::vector<std::string>{"wh-1"});
  CHECK(refused.size() == 1);
}

}  // namespace unity_shopify_webhook_test
