// The emulator over loopback: syncline's HTTP client against shopify_emulator, webhooks to a
// receiver on syncline's HTTP server, retries, the lost-answer fault, and the dispatcher driven
// by an injected sender.
#include <syncline/http/client.hpp>
#include <syncline/http/hmac.hpp>
#include <syncline/http/io_threads.hpp>
#include <syncline/http/server.hpp>
#include <syncline/testing/shopify_emulator.hpp>
#include <syncline_emulator/webhook_dispatcher.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "testing/emulator_fixture.hpp"

namespace unity_testing_shopify_emulator_test {

using namespace emu_test;
namespace net = boost::asio;

namespace {

template <class T>
T run(http::io_threads& threads, net::awaitable<T> task) {
  auto wrapped = [](net::awaitable<T> t) -> net::awaitable<std::optional<T>> {
    co_return co_await std::move(t);
  };
  return *net::co_spawn(threads.executor(), wrapped(std::move(task)), net::use_future).get();
}

// Collects webhooks; answers `fail_first` of them with 500 first.
struct receiver {
  explicit receiver(http::io_threads& threads) : server(threads.executor()) {
    server.route(http::verb::post, "/hooks/{name}",
                 [this](http::incoming& in) -> net::awaitable<http::response> {
                   std::lock_guard lock(mutex);
                   got.push_back(in.message);
                   if (fail_first > 0) {
                     --fail_first;
                     co_return http::make_response(500, "{}");
                   }
                   co_return http::make_response(200, "{}");
                 });
    REQUIRE(server.listen());
  }
  std::size_t count() {
    std::lock_guard lock(mutex);
    return got.size();
  }
  // Waits (bounded) until `n` webhooks arrived.
  bool wait_for(std::size_t n, std::chrono::milliseconds limit = 10s) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (count() < n) {
      if (std::chrono::steady_clock::now() > end) return false;
      std::this_thread::sleep_for(5ms);
    }
    return true;
  }
  http::request at(std::size_t i) {
    std::lock_guard lock(mutex);
    return got.at(i);
  }
  std::string url(std::string_view name) const {
    return server.url() + "/hooks/" + std::string(name);
  }

  http::server server;
  std::mutex mutex;
  std::vector<http::request> got;
  int fail_first = 0;
};

http::fields auth(std::string_view token = acme_token) {
  http::fields f;
  f.set("X-Shopify-Access-Token", token);
  f.set(http::field::content_type, "application/json");
  return f;
}

t::shopify_emulator_options live_options() {
  auto o = two_shops(t::emulator_clock{});
  o.retry_schedule.time_scale = 1.0 / 72000;  // 4 hours of retries in 0.2 s
  return o;
}

}  // namespace

TEST_CASE(
    "over loopback: REST create answers 201 and delivers a signed orders/create to the receiver") {
  http::io_threads threads(2);
  t::shopify_emulator emu(threads.executor(), live_options());
  REQUIRE(emu.start());
  CHECK(emu.url().starts_with("http://127.0.0.1:"));
  CHECK(emu.port() != 0);
  receiver hooks(threads);
  REQUIRE(emu.subscribe("acme", "orders/create", hooks.url("create")));
  http::client client(threads.executor());

  auto created =
      run(threads, client.post(emu.admin_url() + "/orders.json", simple_order("loop-1"), auth()));
  REQUIRE(created);
  REQUIRE(created->result_int() == 201);
  CHECK((*created)["X-Shopify-API-Version"] == "2026-01");
  CHECK((*created)["X-Shopify-Shop-Api-Call-Limit"] == "1/40");
  const auto id = json::parse(created->body()).at("order").at("id").to_number<std::uint64_t>();

  REQUIRE(hooks.wait_for(1));
  auto hook = hooks.at(0);
  CHECK(hook["X-Shopify-Topic"] == "orders/create");
  CHECK(hook["X-Shopify-Shop-Domain"] == "acme.myshopify.com");
  CHECK(hook["X-Shopify-API-Version"] == "2026-01");
  CHECK_FALSE(hook["X-Shopify-Webhook-Id"].empty());
  CHECK_FALSE(hook["X-Shopify-Event-Id"].empty());
  CHECK(hook["X-Shopify-Triggered-At"].size() ==
        std::string_view("2026-01-15T15:30:00.123456789Z").size());
  CHECK(hook["X-Shopify-Hmac-Sha256"] == openssl_hmac(acme_secret, hook.body()));
  CHECK(http::verify_hmac_sha256_base64(acme_secret, hook.body(), hook["X-Shopify-Hmac-Sha256"]));
  CHECK(json::parse(hook.body()).at("id").to_number<std::uint64_t>() == id);
  CHECK(run(threads, emu.settle(2s)));
  CHECK(emu.delivery_attempts().at(0).status == 200u);

  auto found = run(
      threads,
      client.post(
          emu.admin_url() + "/graphql.json",
          graphql(
              R"({ orders(first: 5, query: "source_identifier:loop-1") { nodes { legacyResourceId } } })"),
          auth()));
  REQUIRE(found);
  CHECK(json::parse(found->body())
            .at("data")
            .at("orders")
            .at("nodes")
            .at(0)
            .at("legacyResourceId")
            .as_string() == std::to_string(id));

  auto unauthorized = run(threads, client.get(emu.admin_url() + "/orders.json"));
  REQUIRE(unauthorized);
  CHECK(unauthorized->result_int() == 401);
  emu.stop();
}

TEST_CASE("over loopback: the Link header leads back to the emulator, page after page") {
  http::io_threads threads(1);
  t::shopify_emulator emu(threads.executor(), live_options());
  REQUIRE(emu.start());
  for (int i = 0; i < 5; ++i)
    REQUIRE(emu.create_order("acme", json::parse(simple_order()).at("order").as_object()));
  http::client client(threads.executor());
  std::string url = emu.admin_url() + "/orders.json?limit=2";
  std::size_t seen = 0;
  for (int page = 0; page < 5 && !url.empty(); ++page) {
    auto res = run(threads, client.get(url, auth()));
    REQUIRE(res);
    REQUIRE(res->result_int() == 200);
    seen += json::parse(res->body()).at("orders").as_array().size();
    url.clear();
    if (auto it = res->find("Link"); it != res->end()) {
      std::string links(it->value());
      auto next = links.find(">; rel=\"next\"");
      if (next != std::string::npos) {
        auto open = links.rfind('<', next);
        url = links.substr(open + 1, next - open - 1);
        CHECK(url.starts_with(emu.url()));
      }
    }
  }
  CHECK(seen == 5);
}

TEST_CASE("over loopback: failed deliveries are retried with the same webhook id until answered") {
  http::io_threads threads(2);
  t::shopify_emulator emu(threads.executor(), live_options());
  REQUIRE(emu.start());
  receiver hooks(threads);
  hooks.fail_first = 2;
  REQUIRE(emu.subscribe("acme", "orders/updated", hooks.url("updated")));
  auto order = emu.create_order("acme", json::parse(simple_order()).at("order").as_object());
  REQUIRE(order);
  REQUIRE(emu.update_order("acme", order->at("id").to_number<std::uint64_t>(), {{"note", "gift"}}));
  REQUIRE(hooks.wait_for(3));
  REQUIRE(run(threads, emu.settle(5s)));
  CHECK(hooks.count() == 3);
  CHECK(hooks.at(0)["X-Shopify-Webhook-Id"] == hooks.at(2)["X-Shopify-Webhook-Id"]);
  CHECK(hooks.at(0).body() == hooks.at(2).body());  // the original payload
  auto log = emu.delivery_attempts();
  REQUIRE(log.size() == 3);
  CHECK(log[0].status == 500u);
  CHECK(log[2].attempt == 3);
  CHECK(log[2].succeeded());

  // Nobody listens here: every try fails without a status, and the subscription is removed.
  REQUIRE(emu.subscribe("bravo", "orders/create", "http://127.0.0.1:1/closed"));
  REQUIRE(emu.create_order("bravo", json::parse(simple_order()).at("order").as_object()));
  REQUIRE(run(threads, emu.settle(10s)));
  CHECK(emu.failed_deliveries().size() == 1);
  CHECK_FALSE(emu.delivery_attempts().back().status);
  CHECK(emu.subscriptions("bravo").empty());
  emu.stop();
}

TEST_CASE("over loopback: webhook faults reach the receiver (duplicate, wrong signature)") {
  http::io_threads threads(2);
  t::shopify_emulator emu(threads.executor(), live_options());
  REQUIRE(emu.start());
  receiver hooks(threads);
  REQUIRE(emu.subscribe("acme", "orders/create", hooks.url("c")));
  REQUIRE(emu.set_webhook_faults("acme", {.duplicate_next = 1, .wrong_signature_next = 1}));
  REQUIRE(emu.create_order("acme", json::parse(simple_order()).at("order").as_object()));
  REQUIRE(hooks.wait_for(2));
  auto a = hooks.at(0), b = hooks.at(1);
  CHECK(a["X-Shopify-Webhook-Id"] == b["X-Shopify-Webhook-Id"]);
  CHECK_FALSE(http::verify_hmac_sha256_base64(acme_secret, a.body(), a["X-Shopify-Hmac-Sha256"]));
}

TEST_CASE(
    "over loopback: a lost answer leaves the client without an answer, and the order created") {
  http::io_threads threads(2);
  t::shopify_emulator emu(threads.executor(), live_options());
  REQUIRE(emu.start());
  REQUIRE(emu.set_request_faults("acme", {.lose_next_create_answers = 1}));
  http::client client(threads.executor());
  http::request_options quick;
  quick.timeout = 300ms;
  quick.retry = http::request_retry::none();
  auto lost = run(threads, client.post(emu.admin_url() + "/orders.json", simple_order("maybe-1"),
                                       auth(), quick));
  REQUIRE_FALSE(lost);
  CHECK(lost.error().category == syncline::errc::timeout);
  // The recovery a connector does: look for its own order before creating again.
  auto look = run(
      threads,
      client.post(
          emu.admin_url() + "/graphql.json",
          graphql(R"({ orders(first: 1, query: "source_identifier:maybe-1") { nodes { name } } })"),
          auth()));
  REQUIRE(look);
  CHECK(json::parse(look->body()).at("data").at("orders").at("nodes").at(0).at("name") == "#1001");
  emu.stop();  // releases the held connection at once
}

TEST_CASE("over loopback: injected 503s are retried by the client, honouring Retry-After") {
  http::io_threads threads(2);
  t::shopify_emulator emu(threads.executor(), live_options());
  REQUIRE(emu.start());
  REQUIRE(emu.set_request_faults("acme", {.fail_next = 1, .fail_status = 503}));
  http::client client(threads.executor());
  auto res = run(threads, client.get(emu.admin_url() + "/orders.json", auth()));
  REQUIRE(res);
  CHECK(res->result_int() == 200);
  CHECK(client.statistics().retries == 1);
}

TEST_CASE("the dispatcher sends through an injected sender and records outcomes for retries") {
  auto clock = start_clock();
  auto options = two_shops(clock);
  t::shopify_emulator_state emu(std::move(options));
  REQUIRE(emu.subscribe("acme", "orders/create", "http://receiver.test/hooks"));
  struct sent {
    std::string url;
    http::request req;
  };
  std::vector<sent> log;
  unsigned answer = 503;
  net::io_context io;
  t::webhook_dispatcher dispatcher(
      io.get_executor(), emu.deliveries(), clock,
      [&](std::string url, http::request req) -> net::awaitable<syncline::result<unsigned>> {
        log.push_back({std::move(url), std::move(req)});
        co_return answer;
      });
  auto pass = [&] {
    auto f = net::co_spawn(io, dispatcher.deliver_due(), net::use_future);
    io.restart();
    io.run();
    return f.get();
  };
  REQUIRE(emu.create_order("acme", json::parse(simple_order()).at("order").as_object()));
  CHECK(pass() == 1);
  REQUIRE(log.size() == 1);
  CHECK(log[0].url == "http://receiver.test/hooks");
  CHECK(log[0].req["X-Shopify-Hmac-Sha256"] == openssl_hmac(acme_secret, log[0].req.body()));
  CHECK(pass() == 0);  // the retry is not due yet
  clock.advance(std::chrono::milliseconds(56470));
  answer = 200;
  CHECK(pass() == 1);
  CHECK(log[1].req["X-Shopify-Webhook-Id"] == log[0].req["X-Shopify-Webhook-Id"]);
  CHECK(emu.deliveries().idle());
}

// An emulator with ten orders/create deliveries due for one subscriber, for the dispatcher.
struct ten_deliveries {
  ten_deliveries() {
    REQUIRE(emu.subscribe("acme", "orders/create", "http://receiver.test/hooks"));
    for (int i = 0; i < 10; ++i)
      REQUIRE(emu.create_order("acme", json::parse(simple_order()).at("order").as_object()));
  }
  // Runs one deliver_due on `io` to its end; answers how many deliveries it tried.
  static std::size_t deliver(net::io_context& io, t::webhook_dispatcher& dispatcher) {
    auto f = net::co_spawn(io, dispatcher.deliver_due(), net::use_future);
    io.run();
    return f.get();
  }
  t::emulator_clock clock = start_clock();
  t::shopify_emulator_state emu{two_shops(clock)};
};

TEST_CASE("with a concurrency above one, the dispatcher keeps that many deliveries in flight") {
  ten_deliveries queued;
  auto& emu = queued.emu;
  net::io_context io;
  std::size_t in_flight = 0, most_in_flight = 0, sent = 0;
  t::webhook_dispatcher dispatcher(
      io.get_executor(), emu.deliveries(), queued.clock,
      [&](std::string, http::request) -> net::awaitable<syncline::result<unsigned>> {
        most_in_flight = std::max(most_in_flight, ++in_flight);
        // Suspends, so that the others of the batch start before this one answers.
        net::steady_timer wait(co_await net::this_coro::executor, std::chrono::milliseconds(5));
        co_await wait.async_wait(net::use_awaitable);
        --in_flight;
        ++sent;
        co_return 200u;
      },
      4);
  CHECK(ten_deliveries::deliver(io, dispatcher) == 10);
  CHECK(sent == 10);
  CHECK(most_in_flight == 4);
  CHECK(emu.deliveries().idle());
}

TEST_CASE("with a concurrency above one, a slow delivery holds its own place, not the others'") {
  ten_deliveries queued;
  auto& emu = queued.emu;
  net::io_context io;
  // The first delivery answers only once the nine others have answered (or after 10 s): the
  // other three places must carry them all meanwhile. Sent in groups of four, each awaited
  // whole, the first group would wait the 10 s and the rest would follow it.
  net::steady_timer others_done(io, std::chrono::seconds(10));
  std::size_t calls = 0, answered = 0, answered_before_first = 0;
  t::webhook_dispatcher dispatcher(
      io.get_executor(), emu.deliveries(), queued.clock,
      [&](std::string, http::request) -> net::awaitable<syncline::result<unsigned>> {
        if (++calls == 1) {
          boost::system::error_code ec;
          co_await others_done.async_wait(net::redirect_error(net::use_awaitable, ec));
          answered_before_first = answered;
        } else {
          net::steady_timer wait(co_await net::this_coro::executor, std::chrono::milliseconds(1));
          co_await wait.async_wait(net::use_awaitable);
          if (++answered == 9) others_done.cancel();
        }
        co_return 200u;
      },
      4);
  CHECK(ten_deliveries::deliver(io, dispatcher) == 10);
  CHECK(answered_before_first == 9);
  CHECK(emu.deliveries().idle());
}

TEST_CASE(
    "over loopback: webhook_concurrency deliveries are in flight at once, above the "
    "HTTP client's default of 8 connections per host") {
  http::io_threads threads(2);
  auto o = live_options();
  o.webhook_concurrency = 12;
  t::shopify_emulator emu(threads.executor(), o);
  REQUIRE(emu.start());
  // Each delivery is answered once 12 are in flight at once (or after 10 s): the emulator's
  // client must hold 12 connections to this receiver.
  std::atomic<int> in_flight{0}, most{0}, answered{0};
  std::mutex all_in_mu;
  bool all_arrived = false;  // under all_in_mu
  std::vector<net::steady_timer*> waiting;
  http::server hooks(threads.executor());
  hooks.route(http::verb::post, "/hooks/{name}",
              [&](http::incoming&) -> net::awaitable<http::response> {
                const int now = ++in_flight;
                int seen = most.load();
                while (now > seen && !most.compare_exchange_weak(seen, now)) {
                }
                net::steady_timer all_in(co_await net::this_coro::executor, 10s);
                bool wait = false;
                {
                  std::lock_guard lock(all_in_mu);
                  if (now == 12 || all_arrived) {
                    all_arrived = true;
                    for (auto* t : waiting) t->cancel();
                  } else {
                    waiting.push_back(&all_in);
                    wait = true;
                  }
                }
                if (wait) {
                  boost::system::error_code ec;
                  co_await all_in.async_wait(net::redirect_error(net::use_awaitable, ec));
                }
                {
                  std::lock_guard lock(all_in_mu);
                  std::erase(waiting, &all_in);
                }
                --in_flight;
                ++answered;
                co_return http::make_response(200, "{}");
              });
  REQUIRE(hooks.listen());
  REQUIRE(emu.subscribe("acme", "orders/create", hooks.url() + "/hooks/create"));
  for (int i = 0; i < 12; ++i)
    REQUIRE(emu.create_order("acme", json::parse(simple_order()).at("order").as_object()));
  const auto end = std::chrono::steady_clock::now() + 20s;
  while (answered.load() < 12 && std::chrono::steady_clock::now() < end)
    std::this_thread::sleep_for(5ms);
  CHECK(answered.load() == 12);
  CHECK(most.load() == 12);
  CHECK(run(threads, emu.settle(2s)));
  emu.stop();
  hooks.stop();
}

TEST_CASE(
    "over loopback: an app installs at shop_url, subscribes, and is uninstalled with a webhook") {
  http::io_threads threads(2);
  receiver hooks(threads);
  auto o = live_options();
  t::emulated_shop carol;
  carol.domain = "carol";
  o.shops.push_back(std::move(carol));
  auto a = app();
  a.compliance_url = hooks.url("privacy");
  o.apps = {a};
  t::shopify_emulator emu(threads.executor(), o);
  REQUIRE(emu.start());
  http::client client(threads.executor());
  const std::string shop = emu.shop_url("carol");
  CHECK(shop == emu.url() + "/shops/carol.myshopify.com");

  auto redirect = run(
      threads, client.get(shop + "/admin/oauth/authorize?client_id=" + std::string(app_id) +
                          "&scope=read_orders&redirect_uri=" + http::percent_encode(app_redirect) +
                          "&state=s1"));
  REQUIRE(redirect);
  REQUIRE(redirect->result_int() == 302);
  const std::string location((*redirect)[http::field::location]);
  const auto at = location.find("code=") + 5;
  const std::string code = location.substr(at, location.find('&', at) - at);
  http::fields form;
  form.set(http::field::content_type, "application/x-www-form-urlencoded");
  auto issued = run(threads, client.post(shop + "/admin/oauth/access_token",
                                         "client_id=" + std::string(app_id) +
                                             "&client_secret=" + std::string(app_secret) +
                                             "&code=" + code + "&expiring=1",
                                         form));
  REQUIRE(issued);
  REQUIRE(issued->result_int() == 200);
  const std::string token(json::parse(issued->body()).at("access_token").as_string());

  auto created =
      run(threads,
          client.post(
              shop + "/admin/api/2026-01/graphql.json",
              graphql(R"(mutation($url: URL!) { webhookSubscriptionCreate(topic: APP_UNINSTALLED,
                    webhookSubscription: {callbackUrl: $url}) { userErrors { message } } })",
                      {{"url", hooks.url("gone")}}),
              auth(token)));
  REQUIRE(created);
  REQUIRE(created->result_int() == 200);
  CHECK(json::parse(created->body()).at("data").at("webhookSubscriptionCreate").at("userErrors") ==
        json::array{});

  REQUIRE(emu.uninstall("carol", app_id));
  REQUIRE(hooks.wait_for(1));
  auto gone = hooks.at(0);
  CHECK(gone["X-Shopify-Topic"] == "app/uninstalled");
  CHECK(gone["X-Shopify-Shop-Domain"] == "carol.myshopify.com");
  CHECK(http::verify_hmac_sha256_base64(app_secret, gone.body(), gone["X-Shopify-Hmac-Sha256"]));
  auto after = run(threads, client.get(shop + "/admin/api/2026-01/shop.json", auth(token)));
  REQUIRE(after);
  CHECK(after->result_int() == 401);

  REQUIRE(emu.request_privacy("carol", "shop/redact").value() == 1);
  REQUIRE(hooks.wait_for(2));
  CHECK(hooks.at(1).target() == "/hooks/privacy");
  CHECK(hooks.at(1)["X-Shopify-Topic"] == "shop/redact");
  emu.stop();
}

}  // namespace unity_testing_shopify_emulator_test
