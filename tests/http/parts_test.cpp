// The HTTP layer's socket-free parts: URLs, routing, retry timing, the leaky bucket, JSON answers.
#include <syncline/http/incoming.hpp>
#include <syncline/http/json_answer.hpp>
#include <syncline/http/message.hpp>
#include <syncline/http/rate_limiter.hpp>
#include <syncline/http/request_retry.hpp>
#include <syncline/http/router.hpp>
#include <syncline/http/url.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <random>
#include <stdexcept>

namespace unity_http_parts_test {

using namespace syncline;
using namespace syncline::http;
using namespace std::chrono_literals;

TEST_CASE("parse_url splits scheme, host, port and target", "[http][url]") {
  auto u = parse_url("https://shop.myshopify.com/admin/api/2026-01/orders.json?status=any#x");
  REQUIRE(u);
  CHECK(u->scheme == "https");
  CHECK(u->host == "shop.myshopify.com");
  CHECK(u->port == 443);
  CHECK(u->target == "/admin/api/2026-01/orders.json?status=any");
  CHECK(u->path() == "/admin/api/2026-01/orders.json");
  CHECK(u->query() == "status=any");
  CHECK(u->authority() == "shop.myshopify.com");
  CHECK(u->redacted() == "https://shop.myshopify.com/admin/api/2026-01/orders.json");

  auto v = parse_url("HTTP://127.0.0.1:8080?token=abc");
  REQUIRE(v);
  CHECK(v->scheme == "http");
  CHECK(v->port == 8080);
  CHECK(v->target == "/?token=abc");
  CHECK(v->authority() == "127.0.0.1:8080");
  CHECK(v->redacted() == "http://127.0.0.1:8080/");

  auto six = parse_url("http://[::1]:9000/x");
  REQUIRE(six);
  CHECK(six->host == "::1");
  CHECK(six->authority() == "[::1]:9000");
}

TEST_CASE("parse_url refuses what it cannot send safely", "[http][url]") {
  for (const char* bad : {"shop.example.com/x", "ftp://h/x", "http://", "http://:80/",
                          "http://h:0/", "http://h:70000/", "http://h:12a/", "http://[::1/x",
                          "http://h/a b", "http://h/\r\nX-Injected: 1"}) {
    INFO(bad);
    auto u = parse_url(bad);
    REQUIRE_FALSE(u);
    CHECK(u.error().category == errc::invalid_input);
  }
  auto creds = parse_url("https://user:hunter2@h/x");
  REQUIRE_FALSE(creds);
  CHECK(creds.error().message.find("hunter2") == std::string::npos);
}

TEST_CASE("percent_encode keeps unreserved characters and round-trips through percent_decode",
          "[http][url]") {
  CHECK(percent_encode("AZaz09-._~") == "AZaz09-._~");
  CHECK(percent_encode("orders/create") == "orders%2Fcreate");
  CHECK(percent_encode("a b&c=d+é") == "a%20b%26c%3Dd%2B%C3%A9");
  const std::string all = [] {
    std::string s;
    for (int c = 0; c < 256; ++c) s += static_cast<char>(c);
    return s;
  }();
  CHECK(percent_decode(percent_encode(all)) == all);
}

TEST_CASE("percent_decode decodes escapes and rejects broken ones", "[http][url]") {
  CHECK(percent_decode("orders%2Fcreate") == "orders/create");
  CHECK(percent_decode("a+b", true) == "a b");
  CHECK(percent_decode("a+b") == "a+b");
  CHECK_FALSE(percent_decode("%"));
  CHECK_FALSE(percent_decode("%4"));
  CHECK_FALSE(percent_decode("%zz"));
}

namespace {
boost::asio::awaitable<response> ok(incoming&) { co_return make_response(200); }
}  // namespace

TEST_CASE("router matches method and path and captures parameters", "[http][router]") {
  router r;
  r.add(verb::post, "/webhooks/{integration}/{topic...}", ok);
  r.add(verb::get, "/health", ok);
  r.add(verb::put, "/items/{id}", ok);
  r.add(verb::delete_, "/items/{id}", ok);

  auto m = r.find(verb::post, "/webhooks/shopify-sync/orders/create");
  REQUIRE(m.result == router::outcome::matched);
  REQUIRE(m.params.size() == 2);
  CHECK(m.params[0] == std::pair<std::string, std::string>{"integration", "shopify-sync"});
  CHECK(m.params[1] == std::pair<std::string, std::string>{"topic", "orders/create"});

  auto esc = r.find(verb::put, "/items/a%20b");
  REQUIRE(esc.result == router::outcome::matched);
  CHECK(esc.params[0].second == "a b");

  CHECK(r.find(verb::get, "/nope").result == router::outcome::not_found);
  CHECK(r.find(verb::get, "/health/").result == router::outcome::not_found);
  CHECK(r.find(verb::get, "/items/").result == router::outcome::not_found);
  CHECK(r.find(verb::post, "/webhooks/x").result == router::outcome::not_found);
  CHECK(r.find(verb::get, "*").result == router::outcome::bad_path);
  CHECK(r.find(verb::put, "/items/%zz").result == router::outcome::bad_path);

  auto wrong = r.find(verb::get, "/items/7");
  CHECK(wrong.result == router::outcome::method_not_allowed);
  CHECK(wrong.allow == "PUT, DELETE");
}

TEST_CASE("router rejects malformed patterns at set-up", "[http][router]") {
  router r;
  CHECK_THROWS_AS(r.add(verb::get, "nope", ok), std::invalid_argument);
  CHECK_THROWS_AS(r.add(verb::get, "/a/{rest...}/b", ok), std::invalid_argument);
  CHECK_THROWS_AS(r.add(verb::get, "/a/x{id}", ok), std::invalid_argument);
  CHECK_THROWS_AS(r.add(verb::get, "/a/{}", ok), std::invalid_argument);
}

TEST_CASE("incoming gives headers, query parameters and captures", "[http][incoming]") {
  request req{verb::post, "/hook?shop=a%2Eb&flag&x=1+2", 11};
  req.set("X-Shopify-Topic", "orders/create");
  incoming in{req, "/hook", "shop=a%2Eb&flag&x=1+2", {{"topic", "orders/create"}}, {}};
  CHECK(in.header("x-shopify-topic") == "orders/create");
  CHECK(in.header("X-Missing").empty());
  CHECK(in.query_param("shop") == "a.b");
  CHECK(in.query_param("flag") == "");
  CHECK(in.query_param("x") == "1 2");
  CHECK_FALSE(in.query_param("y"));
  CHECK(in.param("topic") == "orders/create");
  CHECK(in.param("other").empty());
}

TEST_CASE("make_response sets status, body, type and length", "[http][message]") {
  auto r = make_response(201, R"({"ok":true})");
  CHECK(r.result_int() == 201);
  CHECK(r[field::content_type] == "application/json");
  CHECK(r[field::content_length] == "11");
  auto empty = make_response(204);
  CHECK(empty.find(field::content_type) == empty.end());
  CHECK(is_idempotent(verb::put));
  CHECK_FALSE(is_idempotent(verb::post));
  CHECK_FALSE(is_idempotent(verb::patch));
}

TEST_CASE("backoff is full jitter under an exponential cap", "[http][retry]") {
  request_retry p;
  p.initial_backoff = 100ms;
  p.max_backoff = 1000ms;
  std::mt19937 rng(42);
  for (int retry = 0; retry < 8; ++retry) {
    const auto cap = std::min<long>(1000, 100L << retry);
    long lo = cap, hi = 0;
    for (int i = 0; i < 400; ++i) {
      auto d = p.backoff(retry, rng).count();
      REQUIRE(d >= 0);
      REQUIRE(d <= cap);
      lo = std::min<long>(lo, d);
      hi = std::max<long>(hi, d);
    }
    // Spread over the whole range, not clustered at the cap (that would be no jitter).
    CHECK(lo < cap / 4);
    CHECK(hi > cap * 3 / 4);
  }
  CHECK(p.retries_status(429));
  CHECK(p.retries_status(503));
  CHECK_FALSE(p.retries_status(500));
  CHECK(request_retry::none().max_attempts == 1);
}

TEST_CASE("Retry-After takes seconds, decimals and all three HTTP-date forms", "[http][retry]") {
  using std::chrono::sys_days;
  const auto now = sys_days{std::chrono::year{1994} / 11 / 6} + 8h + 49min + 30s;
  CHECK(parse_retry_after("120", now) == 120000ms);
  CHECK(parse_retry_after(" 2.0 ", now) == 2000ms);  // Shopify's form
  CHECK(parse_retry_after("0.25", now) == 250ms);
  CHECK(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now) == 7000ms);
  CHECK(parse_retry_after("Sunday, 06-Nov-94 08:49:37 GMT", now) == 7000ms);
  CHECK(parse_retry_after("Sun Nov  6 08:49:37 1994", now) == 7000ms);
  CHECK(parse_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now) == 0ms);  // past: now
  for (const char* bad : {"", "soon", "-1", "1e3", "Sun, 06 Nov 1994 25:00:00 GMT",
                          "Sun, 31 Feb 1994 08:00:00 GMT", "Sun, 06 Foo 1994 08:00:00 GMT"}) {
    INFO(bad);
    CHECK_FALSE(parse_retry_after(bad, now));
  }
}

TEST_CASE("rate_limiter fills, drains and follows the server's count", "[http][rate]") {
  rate_limiter bucket(4, 2);  // 4 calls, 2 per second
  for (int i = 0; i < 4; ++i) CHECK(bucket.reserve() == rate_limiter::clock::duration::zero());
  // The fifth call overflows by one: it waits for one call to leak out, half a second.
  auto wait = bucket.reserve();
  CHECK(wait > 450ms);
  CHECK(wait <= 500ms);
  // The server says the bucket is fuller than we knew (another client uses the account).
  rate_limiter shared(40, 2);
  CHECK(shared.observe_header("39/40"));
  CHECK(shared.reserve() == rate_limiter::clock::duration::zero());
  CHECK(shared.reserve() > 400ms);
  CHECK_FALSE(shared.observe_header("x/40"));
  CHECK_FALSE(shared.observe_header("3/0"));
  CHECK_FALSE(shared.observe_header("3"));
  // Capacity follows the server's (a plan change shows up in the header).
  CHECK(shared.observe_header("1/80"));
  CHECK(shared.capacity() == 80);

  rate_limiter paused(10, 10);
  paused.pause_for(300ms);
  auto w = paused.reserve();
  CHECK(w > 250ms);
  CHECK(w <= 300ms);
  CHECK_THROWS_AS(rate_limiter(0, 1), std::invalid_argument);
}

TEST_CASE("rate_limiter::acquire waits for room", "[http][rate]") {
  boost::asio::io_context ctx;
  rate_limiter bucket(1, 20);  // one call, then one per 50 ms
  auto start = std::chrono::steady_clock::now();
  boost::asio::co_spawn(
      ctx,
      [&]() -> boost::asio::awaitable<void> {
        for (int i = 0; i < 4; ++i) co_await bucket.acquire();
      },
      boost::asio::detached);
  ctx.run();
  // Three calls had to wait 50 ms each: a lower bound is what pacing guarantees.
  CHECK(std::chrono::steady_clock::now() - start >= 140ms);
}

TEST_CASE("a JSON answer escapes what it quotes by syncline::json's one rule", "[http][answer]") {
  // A quote, a backslash, a tab and another control character, UTF-8 and a byte that is not.
  const std::string text = "say \"hi\" \\ to\tab\x01 caf\xc3\xa9 \xff";
  const auto res = json_response(400, error_answer{text});
  CHECK(res.result_int() == 400);
  CHECK(res[field::content_type] == "application/json");
  CHECK(res.body() == R"({"error":"say \"hi\" \\ to\tab\u0001 café \ufffd"})");
  boost::system::error_code ec;
  const auto v = boost::json::parse(res.body(), ec);
  REQUIRE_FALSE(ec);
  REQUIRE(v.is_object());
  CHECK(v.as_object().size() == 1);
  CHECK(v.at("error").as_string() == "say \"hi\" \\ to\tab\x01 caf\xc3\xa9 \xef\xbf\xbd");
}

}  // namespace unity_http_parts_test
