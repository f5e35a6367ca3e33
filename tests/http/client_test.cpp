// http::client against in-process servers on 127.0.0.1: pooling, stale connections,
// deadlines, retries and Retry-After, rate limiting, limits, and secrets kept out of messages.
#include <syncline/http/client.hpp>
#include <syncline/http/detail/nothrow.hpp>
#include <syncline/http/io_threads.hpp>
#include <syncline/http/server.hpp>

#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace unity_http_client_test {

using namespace syncline;
using namespace syncline::http;
using namespace syncline::http::test;

namespace {

using clock_type = std::chrono::steady_clock;

// Collects the client's log lines.
struct log_lines {
  std::mutex m;
  std::vector<std::string> lines;
  std::function<void(std::string_view)> sink() {
    return [this](std::string_view l) {
      std::lock_guard lock(m);
      lines.emplace_back(l);
    };
  }
  std::vector<std::string> copy() {
    std::lock_guard lock(m);
    return lines;
  }
};

net::awaitable<response> echo_peer(incoming& in) {
  co_return make_response(200, std::to_string(in.remote.port()), "text/plain");
}

client_options fast_retries() {
  client_options o;
  o.retry.initial_backoff = 10ms;
  o.retry.max_backoff = 50ms;
  return o;
}

}  // namespace

TEST_CASE("client reuses a pooled keep-alive connection", "[http][client]") {
  io_threads threads(2);
  server srv(threads.executor());
  srv.route(verb::get, "/peer", echo_peer);
  REQUIRE(srv.listen());
  client c(threads.executor());
  auto ports = run(threads, [&]() -> net::awaitable<std::set<std::string>> {
    std::set<std::string> seen;
    for (int i = 0; i < 5; ++i) {
      auto r = co_await c.get(srv.url() + "/peer");
      REQUIRE(r);
      REQUIRE(r->result_int() == 200);
      seen.insert(r->body());
    }
    co_return seen;
  }());
  CHECK(ports.size() == 1);
  auto s = c.statistics();
  CHECK(s.connections_opened == 1);
  CHECK(s.connections_reused == 4);
  CHECK(s.attempts == 5);
  // The awaitable owns its URL: the temporary string is gone before it first runs.
  auto task = c.get(srv.url() + "/peer");
  auto later = run(threads, std::move(task));
  REQUIRE(later);
  CHECK(later->result_int() == 200);
}

TEST_CASE("client caps connections per host and queues the rest", "[http][client]") {
  io_threads threads(2);
  server srv(threads.executor());
  srv.route(verb::get, "/slow", [](incoming& in) -> net::awaitable<response> {
    co_await sleep_for(30ms);
    co_return make_response(200, std::to_string(in.remote.port()), "text/plain");
  });
  REQUIRE(srv.listen());
  client_options o;
  o.max_connections_per_host = 2;
  client c(threads.executor(), o);
  std::mutex m;
  std::set<std::string> ports;
  std::atomic<int> ok{0};
  auto one = [&]() -> net::awaitable<void> {
    auto r = co_await c.get(srv.url() + "/slow");
    if (r && r->result_int() == 200) {
      std::lock_guard lock(m);
      ports.insert(r->body());
      ++ok;
    }
  };
  run(threads, [&]() -> net::awaitable<void> {
    using namespace boost::asio::experimental::awaitable_operators;
    co_await (one() && one() && one() && one() && one() && one() && one() && one());
  }());
  CHECK(ok == 8);
  CHECK(ports.size() <= 2);
  CHECK(c.statistics().connections_opened <= 2);

  // With one connection busy for longer than the deadline, a second call times out waiting.
  client_options one_conn;
  one_conn.max_connections_per_host = 1;
  one_conn.retry = request_retry::none();
  client single(threads.executor(), one_conn);
  server srv2(threads.executor());
  srv2.route(verb::get, "/slower", [](incoming&) -> net::awaitable<response> {
    co_await sleep_for(600ms);
    co_return make_response(200);
  });
  REQUIRE(srv2.listen());
  result<response> first = make_error(errc::internal, "unset"), second = first;
  run(threads, [&]() -> net::awaitable<void> {
    using namespace boost::asio::experimental::awaitable_operators;
    auto a = [&]() -> net::awaitable<void> { first = co_await single.get(srv2.url() + "/slower"); };
    auto b = [&]() -> net::awaitable<void> {
      co_await sleep_for(50ms);
      request_options ro;
      ro.timeout = 200ms;
      second = co_await single.get(srv2.url() + "/slower", {}, ro);
    };
    co_await (a() && b());
  }());
  REQUIRE(first);
  CHECK(first->result_int() == 200);
  REQUIRE_FALSE(second);
  CHECK(second.error().category == errc::timeout);
  CHECK(second.error().message.find("no free connection") != std::string::npos);
}

TEST_CASE("client replaces a pooled connection the server closed while idle", "[http][client]") {
  io_threads threads(2);
  server_options so;
  so.idle_timeout = 100ms;
  server srv(threads.executor(), so);
  srv.route(verb::get, "/peer", echo_peer);
  REQUIRE(srv.listen());
  client c(threads.executor(), fast_retries());
  run(threads, [&]() -> net::awaitable<void> {
    auto a = co_await c.get(srv.url() + "/peer");
    REQUIRE(a);
    co_await sleep_for(300ms);  // the server closes the idle connection meanwhile
    auto b = co_await c.get(srv.url() + "/peer");
    REQUIRE(b);
    CHECK(b->result_int() == 200);
    CHECK(a->body() != b->body());
  }());
  auto s = c.statistics();
  CHECK(s.connections_opened == 2);
  CHECK(s.retries == 0);  // transparent: no retry was spent on it
}

namespace {

// A server that answers the first request of each connection with keep-alive, then closes the
// connection when the second request arrives, without answering: the race a pooled client
// meets when a server drops an idle connection just as a request goes out.
struct closing_server {
  net::ip::tcp::acceptor acceptor;
  std::atomic<int> connections{0};

  explicit closing_server(net::any_io_executor ex)
      : acceptor(ex, {net::ip::make_address("127.0.0.1"), 0}) {
    net::co_spawn(ex, accept(), net::detached);
  }
  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port());
  }

  net::awaitable<void> accept() {
    for (;;) {
      auto [ec, s] = co_await acceptor.async_accept(http::detail::use_nothrow);
      if (ec) co_return;
      ++connections;
      net::co_spawn(acceptor.get_executor(), serve(std::move(s)), net::detached);
    }
  }
  static net::awaitable<void> serve(net::ip::tcp::socket s) {
    namespace bhttp = boost::beast::http;
    boost::beast::flat_buffer buf;
    request req;
    auto [ec, n] = co_await bhttp::async_read(s, buf, req, http::detail::use_nothrow);
    if (ec) co_return;
    auto res = make_response(200, "first", "text/plain");
    co_await bhttp::async_write(s, res, http::detail::use_nothrow);
    request next;
    co_await bhttp::async_read(s, buf, next, http::detail::use_nothrow);
    boost::system::error_code ignored;
    s.close(ignored);
  }
};

}  // namespace

TEST_CASE("client retries once on a fresh connection when a pooled one dies mid-request",
          "[http][client]") {
  io_threads threads(1);
  closing_server srv(threads.executor());
  log_lines log;
  auto o = fast_retries();
  o.retry = request_retry::none();  // the replacement is not a retry and needs none
  o.log = log.sink();
  client c(threads.executor(), o);
  run(threads, [&]() -> net::awaitable<void> {
    // Never co_await inside REQUIRE: g++ 12 evaluates the awaits in the macro's short-circuited
    // condition as well, so the request would be sent twice.
    auto a = co_await c.get(srv.url() + "/a");
    REQUIRE(a);
    auto b = co_await c.get(srv.url() + "/b");
    REQUIRE(b);
    CHECK(b->body() == "first");
  }());
  CHECK(c.statistics().stale_retries == 1);
  CHECK(srv.connections == 2);
  REQUIRE(log.copy().size() == 1);
  CHECK(log.copy()[0].find("GET " + srv.url() + "/b: pooled connection was closed") == 0);

  // A POST is not repeated when it may have reached the server.
  c.close_idle();
  run(threads, [&]() -> net::awaitable<void> {
    auto first = co_await c.post(srv.url() + "/create", "{}");  // opens connection 3
    REQUIRE(first);
    auto p = co_await c.post(srv.url() + "/create", "{}");
    REQUIRE_FALSE(p);
    CHECK(p.error().category == errc::unavailable);
  }());
  CHECK(c.statistics().stale_retries == 1);
}

TEST_CASE("client enforces request and connect timeouts", "[http][client]") {
  io_threads threads(2);
  server srv(threads.executor());
  srv.route(verb::get, "/slow", [](incoming&) -> net::awaitable<response> {
    co_await sleep_for(1500ms);
    co_return make_response(200);
  });
  REQUIRE(srv.listen());
  auto o = fast_retries();
  o.retry = request_retry::none();
  client c(threads.executor(), o);
  request_options ro;
  ro.timeout = 200ms;
  auto r = run(threads, c.get(srv.url() + "/slow?x=1", {}, ro));
  REQUIRE_FALSE(r);
  CHECK(r.error().category == errc::timeout);
  CHECK(r.error().message.find("GET " + srv.url() + "/slow: no complete response within 200 ms") ==
        0);

  saturated_listener full;
  request_options cto;
  cto.connect_timeout = 200ms;
  const auto url = "http://127.0.0.1:" + std::to_string(full.port()) + "/x";
  auto t = run(threads, c.get(url, {}, cto));
  REQUIRE_FALSE(t);
  CHECK(t.error().category == errc::timeout);
  INFO(t.error().message);
  CHECK(t.error().message.find("connect timed out after 200 ms") != std::string::npos);

  // Nobody listening: refused at once.
  net::io_context aside;
  net::ip::tcp::acceptor closed(aside, {net::ip::make_address("127.0.0.1"), 0});
  const auto closed_url =
      "http://127.0.0.1:" + std::to_string(closed.local_endpoint().port()) + "/x";
  closed.close();
  auto refused = run(threads, c.get(closed_url));
  REQUIRE_FALSE(refused);
  CHECK(refused.error().category == errc::connect);

  // An unresolvable name (".invalid" is reserved, RFC 6761) fails as a connect error.
  auto nx = run(threads, c.get("http://no-such-host.invalid/x"));
  REQUIRE_FALSE(nx);
  CHECK(nx.error().category == errc::connect);
}

TEST_CASE("client retries 503 honouring Retry-After, and only what is safe to repeat",
          "[http][client]") {
  io_threads threads(2);
  server srv(threads.executor());
  std::atomic<int> calls{0};
  std::atomic<int> fail_first{2};
  std::string retry_after = "0.3";
  auto flaky = [&](incoming&) -> net::awaitable<response> {
    if (calls++ < fail_first) {
      auto r = make_response(503);
      r.set(field::retry_after, retry_after);
      co_return r;
    }
    co_return make_response(200, "{}");
  };
  srv.route(verb::get, "/flaky", flaky);
  srv.route(verb::post, "/flaky", flaky);
  REQUIRE(srv.listen());
  log_lines log;
  auto o = fast_retries();
  o.log = log.sink();
  client c(threads.executor(), o);

  auto start = clock_type::now();
  auto r = run(threads, c.get(srv.url() + "/flaky"));
  REQUIRE(r);
  CHECK(r->result_int() == 200);
  CHECK(clock_type::now() - start >= 600ms);  // two waits of Retry-After: 0.3
  CHECK(calls == 3);
  CHECK(c.statistics().retries == 2);
  auto lines = log.copy();
  REQUIRE(lines.size() == 2);
  CHECK(lines[0] == "GET " + srv.url() + "/flaky: status 503; attempt 2 of 4 in 300 ms");

  // A POST is answered with the 503 itself: it may have had an effect.
  calls = 0;
  auto p = run(threads, c.post(srv.url() + "/flaky", "{}"));
  REQUIRE(p);
  CHECK(p->result_int() == 503);
  CHECK(calls == 1);
  // ...unless the caller marks it safe (it carries an idempotency key).
  calls = 0;
  request_options safe;
  safe.retry_unsafe = true;
  auto q = run(threads, c.post(srv.url() + "/flaky", "{}", {}, safe));
  REQUIRE(q);
  CHECK(q->result_int() == 200);

  // Retry-After as an HTTP-date.
  calls = 0;
  fail_first = 1;
  {
    auto when = std::chrono::system_clock::now() + 2s;
    auto t = std::chrono::system_clock::to_time_t(when);
    char buf[64];
    std::tm tm{};
    gmtime_r(&t, &tm);
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    retry_after = buf;
  }
  start = clock_type::now();
  auto d = run(threads, c.get(srv.url() + "/flaky"));
  REQUIRE(d);
  CHECK(d->result_int() == 200);
  CHECK(clock_type::now() - start >= 900ms);  // the date is 1 to 2 s ahead (second precision)

  // Attempts are capped: a server that keeps failing gets max_attempts calls, then its answer.
  calls = 0;
  fail_first = 100;
  retry_after = "0";
  request_options three;
  three.retry = fast_retries().retry;
  three.retry->max_attempts = 3;
  auto capped = run(threads, c.get(srv.url() + "/flaky", {}, three));
  REQUIRE(capped);
  CHECK(capped->result_int() == 503);
  CHECK(calls == 3);

  // A Retry-After beyond the time budget is not waited for.
  calls = 0;
  retry_after = "120";
  start = clock_type::now();
  auto late = run(threads, c.get(srv.url() + "/flaky"));
  REQUIRE(late);
  CHECK(late->result_int() == 503);
  CHECK(calls == 1);
  CHECK(clock_type::now() - start < 60s);
}

TEST_CASE("client retries connection failures with backoff, then reports them", "[http][client]") {
  io_threads threads(1);
  net::ip::tcp::acceptor closed(threads.context(), {net::ip::make_address("127.0.0.1"), 0});
  const auto url = "http://127.0.0.1:" + std::to_string(closed.local_endpoint().port()) + "/x";
  closed.close();
  client c(threads.executor(), fast_retries());
  // A POST that never reached a server may be repeated: nothing happened yet.
  auto r = run(threads, c.post(url, "{}"));
  REQUIRE_FALSE(r);
  CHECK(r.error().category == errc::connect);
  CHECK(r.error().message.find("(after 4 attempts)") != std::string::npos);
  CHECK(c.statistics().retries == 3);
}

TEST_CASE("client with a rate limiter fed by the server never draws a 429", "[http][client]") {
  io_threads threads(2);
  server srv(threads.executor());
  // The server's own leaky bucket, as Shopify's REST API keeps it: 4 calls, 50 per second.
  std::mutex m;
  double level = 0;
  auto last = clock_type::now();
  std::atomic<int> rejected{0}, served{0};
  srv.route(verb::get, "/api", [&](incoming&) -> net::awaitable<response> {
    std::lock_guard lock(m);
    auto now = clock_type::now();
    level = std::max(0.0, level - 50.0 * std::chrono::duration<double>(now - last).count());
    last = now;
    if (level + 1 > 4.0) {
      ++rejected;
      auto r = make_response(429, R"({"errors":"Exceeded 2 calls per second for api client."})");
      r.set(field::retry_after, "0.05");
      co_return r;
    }
    level += 1;
    ++served;
    auto r = make_response(200, "{}");
    r.set("X-Shopify-Shop-Api-Call-Limit",
          std::to_string(static_cast<int>(std::ceil(level))) + "/4");
    co_return r;
  });
  REQUIRE(srv.listen());
  client c(threads.executor(), fast_retries());
  auto burst = [&](rate_limiter* limiter) -> net::awaitable<void> {
    request_options ro;
    ro.limiter = limiter;
    ro.retry = request_retry::none();
    for (int i = 0; i < 30; ++i) {
      auto r = co_await c.get(srv.url() + "/api", {}, ro);
      REQUIRE(r);
      if (limiter && r->result_int() == 200)
        limiter->observe_header((*r)["X-Shopify-Shop-Api-Call-Limit"]);
    }
  };
  run(threads, burst(nullptr));
  CHECK(rejected > 0);  // unpaced, the burst overflows the bucket

  std::this_thread::sleep_for(200ms);  // let the server's bucket drain
  rejected = 0;
  served = 0;
  // A little slower than the server's leak: the margin covers the request's travel time.
  rate_limiter bucket(4, 45);
  run(threads, burst(&bucket));
  CHECK(rejected == 0);
  CHECK(served == 30);
}

TEST_CASE("client pauses its rate limiter on a 429's Retry-After", "[http][client]") {
  io_threads threads(1);
  server srv(threads.executor());
  std::atomic<int> calls{0};
  clock_type::time_point rejected_at{};
  srv.route(verb::post, "/api", [&](incoming&) -> net::awaitable<response> {
    if (calls++ == 0) {
      rejected_at = clock_type::now();
      auto r = make_response(429);
      r.set(field::retry_after, "0.4");
      co_return r;
    }
    co_return make_response(200);
  });
  REQUIRE(srv.listen());
  std::atomic<bool> retry_logged{false};
  auto o = fast_retries();
  o.log = [&](std::string_view) { retry_logged = true; };  // written after the pause is set
  client c(threads.executor(), o);
  rate_limiter bucket(100, 100);
  request_options ro;
  ro.limiter = &bucket;
  result<response> r = make_error(errc::internal, "unset");
  clock_type::time_point other_started{};
  run(threads, [&]() -> net::awaitable<void> {
    using namespace boost::asio::experimental::awaitable_operators;
    // Even a POST is repeated after a 429: the server did not process it.
    auto call = [&]() -> net::awaitable<void> {
      r = co_await c.post(srv.url() + "/api", "{}", {}, ro);
    };
    // Another caller sharing the bucket, arriving after the 429, waits for the pause too.
    auto other = [&]() -> net::awaitable<void> {
      while (!retry_logged) co_await sleep_for(5ms);
      co_await bucket.acquire();
      other_started = clock_type::now();
    };
    co_await (call() && other());
  }());
  REQUIRE(r);
  CHECK(r->result_int() == 200);
  CHECK(calls == 2);
  CHECK(other_started - rejected_at >= 390ms);
}

TEST_CASE("client limits the response body and handles HEAD", "[http][client]") {
  io_threads threads(1);
  server srv(threads.executor());
  srv.route(verb::get, "/big", [](incoming&) -> net::awaitable<response> {
    co_return make_response(200, std::string(5000, 'x'), "text/plain");
  });
  srv.route(verb::head, "/big", [](incoming&) -> net::awaitable<response> {
    co_return make_response(200, std::string(5000, 'x'), "text/plain");
  });
  srv.route(verb::get, "/headers", [](incoming& in) -> net::awaitable<response> {
    co_return make_response(200,
                            std::string(in.header("host")) + "|" +
                                std::string(in.header("user-agent")) + "|" +
                                std::string(in.header("x-custom")),
                            "text/plain");
  });
  REQUIRE(srv.listen());
  client_options o;
  o.max_response_body = 1000;
  client c(threads.executor(), o);
  auto r = run(threads, c.get(srv.url() + "/big"));
  REQUIRE_FALSE(r);
  CHECK(r.error().category == errc::body_too_large);
  CHECK(c.statistics().attempts == 1);  // not transient: not retried
  request_options bigger;
  bigger.max_response_body = 10000;
  CHECK(run(threads, c.get(srv.url() + "/big", {}, bigger))->body().size() == 5000);

  auto h = run(threads, c.send(verb::head, srv.url() + "/big"));
  REQUIRE(h);
  CHECK(h->body().empty());
  CHECK((*h)[field::content_length] == "5000");
  fields custom;
  custom.set("X-Custom", "kept");
  custom.set(field::user_agent, "my-agent");
  auto e = run(threads, c.get(srv.url() + "/headers", custom));  // same pooled connection
  REQUIRE(e);
  CHECK(e->body() == "127.0.0.1:" + std::to_string(srv.port()) + "|my-agent|kept");
}

TEST_CASE("client errors and logs never contain secrets", "[http][client][secrets]") {
  io_threads threads(2);
  server srv(threads.executor());
  srv.route(verb::get, "/down", [](incoming&) -> net::awaitable<response> {
    auto r = make_response(503);
    r.set(field::retry_after, "0");
    co_return r;
  });
  srv.route(verb::get, "/slow", [](incoming&) -> net::awaitable<response> {
    co_await sleep_for(1000ms);
    co_return make_response(200);
  });
  srv.route(verb::get, "/big", [](incoming&) -> net::awaitable<response> {
    co_return make_response(200, std::string(5000, 'x'));
  });
  REQUIRE(srv.listen());
  log_lines log;
  auto o = fast_retries();
  o.log = log.sink();
  o.max_response_body = 100;
  client c(threads.executor(), o);
  fields secret_headers;
  secret_headers.set(field::authorization, "Bearer sk_live_SECRET_ONE");
  secret_headers.set("X-Shopify-Access-Token", "shpat_SECRET_TWO");
  net::ip::tcp::acceptor closed(threads.context(), {net::ip::make_address("127.0.0.1"), 0});
  const auto dead = "http://127.0.0.1:" + std::to_string(closed.local_endpoint().port());
  closed.close();

  std::vector<std::string> texts;
  request_options quick;
  quick.timeout = 100ms;
  for (const auto& url :
       {srv.url() + "/slow?access_token=SECRET_THREE", srv.url() + "/big?access_token=SECRET_THREE",
        dead + "/x?access_token=SECRET_THREE"}) {
    auto r = run(threads, c.get(url, secret_headers, quick));
    REQUIRE_FALSE(r);
    texts.push_back(r.error().message);
    CHECK(r.error().message.find("GET http://127.0.0.1:") == 0);
  }
  auto down = run(threads, c.get(srv.url() + "/down?access_token=SECRET_THREE", secret_headers));
  REQUIRE(down);
  CHECK(down->result_int() == 503);
  auto bad = run(threads, c.get("http://user:SECRET_FOUR@127.0.0.1/x", secret_headers));
  REQUIRE_FALSE(bad);
  texts.push_back(bad.error().message);
  auto lines = log.copy();
  CHECK(lines.size() >= 3);  // the retries of /down (and of the dead port) were logged
  texts.insert(texts.end(), lines.begin(), lines.end());
  for (const auto& t : texts) {
    INFO(t);
    CHECK(t.find("SECRET") == std::string::npos);
    CHECK(t.find("sk_live") == std::string::npos);
    CHECK(t.find("shpat") == std::string::npos);
  }
}

}  // namespace unity_http_client_test
