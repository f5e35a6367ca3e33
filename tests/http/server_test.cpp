// http::server against raw loopback sockets: routing, limits, slow clients, pipelining,
// graceful stop, and a corpus of malformed requests.
#include <syncline/http/io_threads.hpp>
#include <syncline/http/server.hpp>

#include <boost/asio/steady_timer.hpp>
#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "test_support.hpp"

namespace unity_http_server_test {

using namespace syncline;
using namespace syncline::http;
using namespace syncline::http::test;

namespace {

server_options quick_options() {
  server_options o;
  o.header_timeout = 300ms;
  o.body_timeout = 300ms;
  o.idle_timeout = 300ms;
  o.max_header_bytes = 4096;
  o.max_body_bytes = 1024;
  return o;
}

// A server with the routes most tests use, on 127.0.0.1 and a free port.
struct fixture {
  io_threads threads{2};
  std::vector<std::string> log;
  std::mutex log_mutex;
  server srv;

  explicit fixture(server_options o = quick_options()) : srv(threads.executor(), with_log(o)) {
    srv.route(verb::post, "/webhooks/{integration}/{topic...}",
              [](incoming& in) -> net::awaitable<response> {
                co_return make_response(200,
                                        std::string(in.param("integration")) + "|" +
                                            std::string(in.param("topic")) + "|" +
                                            std::string(in.body()),
                                        "text/plain");
              });
    srv.route(verb::get, "/health", [](incoming& in) -> net::awaitable<response> {
      co_return make_response(200, "ok " + in.query_param("n").value_or("-"), "text/plain");
    });
    srv.route(verb::get, "/throw", [](incoming&) -> net::awaitable<response> {
      throw std::runtime_error("handler bug");
      co_return make_response(200);
    });
    REQUIRE(srv.listen());
  }

  server_options with_log(server_options o) {
    o.log = [this](std::string_view line) {
      std::lock_guard lock(log_mutex);
      log.emplace_back(line);
    };
    return o;
  }
};

std::string get(std::string_view target, std::string_view extra = "") {
  return "GET " + std::string(target) + " HTTP/1.1\r\nHost: t\r\n" + std::string(extra) + "\r\n";
}

// Waits (without a deadline that a slow machine could miss) until `done` holds; false if it
// never does within 10 s, which is a failure, not a timing measurement.
template <class Pred>
bool eventually(Pred done) {
  for (int i = 0; i < 2000; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return done();
}

std::string post(std::string_view target, std::string_view body) {
  return "POST " + std::string(target) +
         " HTTP/1.1\r\nHost: t\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
         std::string(body);
}

// The message of the first response in `raw` when its body is an {"error":"..."} answer that
// parses as JSON; nullopt otherwise.
std::optional<std::string> error_of(std::string_view raw) {
  const auto head_end = raw.find("\r\n\r\n");
  const auto length_at = raw.find("Content-Length: ");
  if (head_end == std::string_view::npos || length_at == std::string_view::npos) return {};
  const auto length = static_cast<std::size_t>(std::atoi(raw.data() + length_at + 16));
  boost::system::error_code ec;
  const auto v = boost::json::parse(raw.substr(head_end + 4, length), ec);
  if (ec || !v.is_object() || v.as_object().size() != 1 || !v.as_object().contains("error") ||
      !v.at("error").is_string())
    return {};
  return std::string(v.at("error").as_string());
}

}  // namespace

TEST_CASE("server routes to handlers and answers 404, 405, 400 and 500", "[http][server]") {
  fixture f;
  CHECK(f.srv.port() != 0);
  CHECK(f.srv.url() == "http://127.0.0.1:" + std::to_string(f.srv.port()));
  raw_connection c(f.srv.port());
  c.send(post("/webhooks/shopify-sync/orders/create", "{\"id\":1}"));
  auto r = c.read_responses(1);
  CHECK(first_status(r) == 200);
  CHECK(r.find("shopify-sync|orders/create|{\"id\":1}") != std::string::npos);

  c.send(get("/nowhere"));
  auto n = c.read_responses(1);
  CHECK(first_status(n) == 404);
  CHECK(error_of(n) == "no route for this path");
  c.send(get("/webhooks/a/b"));
  auto m = c.read_responses(1);
  CHECK(first_status(m) == 405);
  CHECK(m.find("Allow: POST") != std::string::npos);
  CHECK(error_of(m) == "method not allowed on this path");
  c.send(get("/health?n=7"));
  CHECK(c.read_responses(1).find("ok 7") != std::string::npos);
  c.send(get("/throw"));
  auto e = c.read_responses(1);
  CHECK(first_status(e) == 500);
  CHECK(e.find("handler bug") == std::string::npos);  // the peer learns nothing internal
  CHECK(error_of(e) == "internal error");
  {
    std::lock_guard lock(f.log_mutex);
    REQUIRE(f.log.size() == 1);
    CHECK(f.log[0].find("GET /throw threw: handler bug") != std::string::npos);
  }
  // The connection survived all of that.
  c.send(get("/health"));
  CHECK(first_status(c.read_responses(1)) == 200);
  raw_connection bad_target(f.srv.port());
  bad_target.send(get("/webhooks/a/%zz"));
  auto b = bad_target.read_all();
  CHECK(first_status(b) == 400);
  CHECK(error_of(b) == "malformed request target");
}

TEST_CASE("server answers pipelined requests in order and honours HTTP/1.0 close",
          "[http][server]") {
  fixture f;
  raw_connection c(f.srv.port());
  c.send(get("/health?n=1") + get("/health?n=2") + post("/webhooks/i/t", "x"));
  auto r = c.read_responses(3);
  REQUIRE(raw_connection::count_responses(r) == 3);
  auto a = r.find("ok 1"), b = r.find("ok 2"), d = r.find("i|t|x");
  CHECK(a < b);
  CHECK(b < d);
  CHECK(d != std::string::npos);

  raw_connection old(f.srv.port());
  old.send("GET /health HTTP/1.0\r\n\r\n");
  auto o = old.read_all();
  CHECK(o.substr(0, 12) == "HTTP/1.0 200");
  CHECK(old.closed());
}

TEST_CASE("server answers Expect: 100-continue", "[http][server]") {
  fixture f;
  raw_connection c(f.srv.port());
  c.send(
      "POST /webhooks/i/t HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\nExpect: "
      "100-continue\r\n\r\n");
  auto interim = c.read_responses(1);
  CHECK(interim.find("HTTP/1.1 100 Continue") == 0);
  c.send("hi");
  CHECK(c.read_responses(1).find("i|t|hi") != std::string::npos);
}

TEST_CASE("server limits: 413 for large bodies, 431 for large headers", "[http][server]") {
  fixture f;
  {  // Declared too large: refused before the body is read.
    raw_connection c(f.srv.port());
    c.send("POST /webhooks/i/t HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\n\r\n");
    auto r = c.read_all();
    CHECK(first_status(r) == 413);
    CHECK(error_of(r) == "request body is larger than the server accepts");
    CHECK(c.closed());
  }
  {  // Chunked, so only counting reveals it.
    raw_connection c(f.srv.port());
    std::string chunk(600, 'a');
    std::string body = "258\r\n" + chunk + "\r\n258\r\n" + chunk + "\r\n0\r\n\r\n";
    c.send("POST /webhooks/i/t HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n" + body);
    CHECK(first_status(c.read_all()) == 413);
  }
  {
    raw_connection c(f.srv.port());
    c.send("GET /health HTTP/1.1\r\nHost: t\r\nX-Big: " + std::string(5000, 'b') + "\r\n\r\n");
    auto r = c.read_all();
    CHECK(first_status(r) == 431);
    CHECK(error_of(r) == "request header is larger than the server accepts");
    CHECK(c.closed());
  }
  {  // Exactly at the limit is fine.
    raw_connection c(f.srv.port());
    c.send(post("/webhooks/i/t", std::string(1024, 'z')));
    CHECK(first_status(c.read_responses(1)) == 200);
  }
}

TEST_CASE("server defends against slow clients: 408 and idle close", "[http][server]") {
  fixture f;
  {  // Slowloris: a header that never ends.
    raw_connection c(f.srv.port());
    c.send("POST /webhooks/i/t HTTP/1.1\r\nHost: t\r\n");
    auto r = c.read_all();
    CHECK(first_status(r) == 408);
    CHECK(error_of(r) == "request header was not received in time");
    CHECK(c.closed());
  }
  {  // A body that stops halfway.
    raw_connection c(f.srv.port());
    c.send("POST /webhooks/i/t HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\nonly-a-bit");
    CHECK(first_status(c.read_all()) == 408);
    CHECK(c.closed());
  }
  {  // Connects and says nothing: closed without an answer.
    raw_connection c(f.srv.port());
    CHECK(c.read_all().empty());
    CHECK(c.closed());
  }
  {  // Keep-alive connection left idle after a request.
    raw_connection c(f.srv.port());
    c.send(get("/health"));
    CHECK(first_status(c.read_responses(1)) == 200);
    CHECK(c.read_all().empty());
    CHECK(c.closed());
  }
  // The server still serves after all of these.
  raw_connection c(f.srv.port());
  c.send(get("/health"));
  CHECK(first_status(c.read_responses(1)) == 200);
}

TEST_CASE("server turns away connections over max_connections with 503", "[http][server]") {
  auto o = quick_options();
  o.max_connections = 2;
  o.header_timeout = 3000ms;
  fixture f(o);
  raw_connection a(f.srv.port()), b(f.srv.port());
  for (int i = 0; i < 200 && f.srv.connections() < 2; ++i) std::this_thread::sleep_for(5ms);
  REQUIRE(f.srv.connections() == 2);
  raw_connection third(f.srv.port());
  auto r = third.read_all();
  CHECK(first_status(r) == 503);
  CHECK(r.find("Retry-After: 1") != std::string::npos);
  // The first two are served normally.
  a.send(get("/health"));
  CHECK(first_status(a.read_responses(1)) == 200);
}

TEST_CASE("server answers 429 to a peer over max_connections_per_peer and serves the others",
          "[http][server]") {
  auto o = quick_options();
  o.header_timeout = 20s;  // the held connections say nothing: only the test closes them
  o.max_connections_per_peer = 3;
  fixture f(o);
  std::vector<std::unique_ptr<raw_connection>> held;
  for (int i = 0; i < 3; ++i) held.push_back(std::make_unique<raw_connection>(f.srv.port()));
  REQUIRE(eventually([&] { return f.srv.connections() == 3; }));

  for (int i = 0; i < 2; ++i) {  // the fourth and fifth from 127.0.0.1 are turned away
    raw_connection over(f.srv.port());
    auto r = over.read_all();
    CHECK(first_status(r) == 429);
    CHECK(r.find("Retry-After: 1") != std::string::npos);
    CHECK(over.closed());
  }
  {  // logged once, not once per refused connection
    std::lock_guard lock(f.log_mutex);
    REQUIRE(f.log.size() == 1);
    CHECK(f.log[0] ==
          "connections from 127.0.0.1 reached max_connections_per_peer (3): more are answered 429 "
          "until it closes some");
  }

  // Another peer is served meanwhile, and so are the peer's own connections.
  raw_connection other(f.srv.port(), "127.0.0.2");
  other.send(post("/webhooks/shopify/orders/create", "{}"));
  CHECK(first_status(other.read_responses(1)) == 200);
  held[0]->send(get("/health"));
  CHECK(first_status(held[0]->read_responses(1)) == 200);

  // Once the peer closes some, it may open new ones again.
  held.pop_back();
  held.pop_back();
  REQUIRE(eventually([&] { return f.srv.connections() == 2; }));  // held[0] and `other`
  for (int i = 0; i < 2; ++i) {
    held.push_back(std::make_unique<raw_connection>(f.srv.port()));
    held.back()->send(get("/health"));
    CHECK(first_status(held.back()->read_responses(1)) == 200);
  }
  raw_connection over(f.srv.port());
  CHECK(first_status(over.read_all()) == 429);
}

TEST_CASE("server at max_connections makes room by closing the heaviest peer's idle connections",
          "[http][server]") {
  auto o = quick_options();
  o.header_timeout = 20s;
  o.idle_timeout = 20s;
  o.max_connections = 4;
  o.max_connections_per_peer = 0;  // only the overall cap
  fixture f(o);
  // One peer takes every slot: one connection after a request (idle keep-alive), three that
  // connected and said nothing.
  std::vector<std::unique_ptr<raw_connection>> hog;
  for (int i = 0; i < 4; ++i) hog.push_back(std::make_unique<raw_connection>(f.srv.port()));
  hog[0]->send(get("/health"));
  REQUIRE(first_status(hog[0]->read_responses(1)) == 200);
  REQUIRE(eventually([&] { return f.srv.connections() == 4; }));
  auto hog_closed = [&] {
    std::size_t n = 0;
    for (auto& c : hog) n += c->closed_by_server() ? 1 : 0;
    return n;
  };

  // A second peer is served: one of the hog's idle connections gives way, not the newcomer.
  raw_connection shopify(f.srv.port(), "127.0.0.2");
  shopify.send(post("/webhooks/shopify/orders/create", "{}"));
  CHECK(first_status(shopify.read_responses(1)) == 200);
  CHECK(eventually([&] { return hog_closed() == 1; }));
  REQUIRE(eventually([&] { return f.srv.connections() == 4; }));

  // Its second connection too (the hog still holds more: 3 against 2).
  raw_connection shopify2(f.srv.port(), "127.0.0.2");
  shopify2.send(get("/health"));
  CHECK(first_status(shopify2.read_responses(1)) == 200);
  CHECK(eventually([&] { return hog_closed() == 2; }));
  REQUIRE(eventually([&] { return f.srv.connections() == 4; }));

  // At an equal share (2 and 2) nobody gives way: a third gets 503, and so does the hog.
  raw_connection shopify3(f.srv.port(), "127.0.0.2");
  CHECK(first_status(shopify3.read_all()) == 503);
  raw_connection hog_more(f.srv.port());
  CHECK(first_status(hog_more.read_all()) == 503);
  CHECK(hog_closed() == 2);
  // The connections that stayed are still served.
  shopify.send(get("/health"));
  CHECK(first_status(shopify.read_responses(1)) == 200);
}

TEST_CASE("server stop() finishes in-flight requests and closes idle connections",
          "[http][server]") {
  io_threads threads(2);
  auto o = quick_options();
  o.idle_timeout = 20s;  // so that only stop() can close the idle connection within the test
  server srv(threads.executor(), o);
  std::atomic<bool> entered{false};
  srv.route(verb::post, "/slow", [&](incoming& in) -> net::awaitable<response> {
    entered = true;
    co_await sleep_for(400ms);
    co_return make_response(200, "done:" + std::string(in.body()), "text/plain");
  });
  srv.route(verb::get, "/health",
            [](incoming&) -> net::awaitable<response> { co_return make_response(200); });
  REQUIRE(srv.listen());
  const auto port = srv.port();

  raw_connection idle(port);
  idle.send(get("/health"));
  REQUIRE(first_status(idle.read_responses(1)) == 200);

  raw_connection busy(port);
  busy.send(post("/slow", "abc"));
  for (int i = 0; i < 200 && !entered; ++i) std::this_thread::sleep_for(5ms);
  REQUIRE(entered);

  srv.stop();
  // The idle keep-alive connection is closed at once (its idle timeout is far away).
  CHECK(idle.read_all().empty());
  CHECK(idle.closed());
  // The in-flight request still gets its answer, with the connection closed after it.
  auto r = busy.read_all();
  CHECK(first_status(r) == 200);
  CHECK(r.find("done:abc") != std::string::npos);
  CHECK(r.find("Connection: close") != std::string::npos);
  CHECK(busy.closed());
  // No new connections.
  CHECK_THROWS(raw_connection(port));
  srv.stop();      // idempotent
  threads.join();  // returns: no server work is left
  CHECK(srv.connections() == 0);
}

TEST_CASE("server survives a corpus of malformed requests", "[http][server]") {
  fixture f;
  const std::vector<std::string> corpus = {
      "GARBAGE\r\n\r\n",
      "GET\r\n\r\n",
      "GET / HTTP/1.1\r\n\r\n\r\n",  // no Host: tolerated, then 404
      "GET /health HTTP/9.9\r\nHost: t\r\n\r\n",
      "GET /health HTTP/1.1\nHost: t\n\n",       // bare LF
      "GET /health HTTP/1.1\r\nHost t\r\n\r\n",  // header without colon
      "GET /health HTTP/1.1\r\nHo st: t\r\n\r\n",
      "GET /he\x01lth HTTP/1.1\r\nHost: t\r\n\r\n",
      std::string("GET /health HTTP/1.1\r\nHost: t\0x\r\n\r\n", 34),
      "POST /webhooks/i/t HTTP/1.1\r\nHost: t\r\nContent-Length: abc\r\n\r\n",
      "POST /webhooks/i/t HTTP/1.1\r\nHost: t\r\nContent-Length: -1\r\n\r\n",
      "POST /webhooks/i/t HTTP/1.1\r\nHost: t\r\nContent-Length: 99999999999999999999999\r\n\r\n",
      "POST /webhooks/i/t HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nContent-Length: "
      "4\r\n\r\nabcd",
      "POST /webhooks/i/t HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nTransfer-Encoding: "
      "chunked\r\n\r\n0\r\n\r\n",
      "POST /webhooks/i/t HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: "
      "chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
      "POST /webhooks/i/t HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\nabc",
      "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
      "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",  // a TLS ClientHello on the plain port
      "GET http://evil.example/health HTTP/1.1\r\nHost: t\r\n\r\n",
      "GET /../../etc/passwd HTTP/1.1\r\nHost: t\r\n\r\n",
      "GET " + std::string(5000, 'a') + " HTTP/1.1\r\nHost: t\r\n\r\n",
      "BREW /health HTTP/1.1\r\nHost: t\r\n\r\n",
      std::string(3000, '\r'),
  };
  for (const auto& bytes : corpus) {
    INFO(printable(bytes));
    raw_connection c(f.srv.port(), 2000ms);
    c.send(bytes);
    auto r = c.read_all();
    const unsigned status = first_status(r);
    // Either a 4xx answer or a plain close, and the connection ends either way.
    CHECK((status == 0 || (status >= 400 && status < 500)));
    if (status != 0) CHECK(error_of(r));  // every answer is an {"error":...} in valid JSON
    CHECK(c.closed());
  }
  // Forms RFC 9112 lets a server accept: an obs-fold (read as a space), leading empty lines.
  for (const std::string bytes : {"GET /health HTTP/1.1\r\nHost: t\r\nX-A: a\r\n folded\r\n\r\n",
                                  "\r\n\r\nGET /health HTTP/1.1\r\nHost: t\r\n\r\n"}) {
    INFO(printable(bytes));
    raw_connection c(f.srv.port());
    c.send(bytes);
    CHECK(first_status(c.read_responses(1)) == 200);
  }
  raw_connection ok(f.srv.port());
  ok.send(get("/health"));
  CHECK(first_status(ok.read_responses(1)) == 200);
}

}  // namespace unity_http_server_test
