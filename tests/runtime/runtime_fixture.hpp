// What the runtime tests share: a made-up app ("fakeshop") whose webhooks are signed like
// Shopify's, its credentials, a temporary directory, a blocking HTTP client for loopback calls,
// bounded waits, a log sink that keeps lines, and a destination service that records each
// delivery by idempotency key and can be told to fail or to hold.
#pragma once

#include <syncline/core/delivery.hpp>
#include <syncline/core/result.hpp>
#include <syncline/core/run_context.hpp>
#include <syncline/core/secret.hpp>
#include <syncline/core/webhook.hpp>
#include <syncline/http/hmac.hpp>
#include <syncline/runtime/log.hpp>
#include <syncline_test_support/temp_dir.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/describe/class.hpp>
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <sys/socket.h>
#include <sys/time.h>
#include <thread>
#include <utility>
#include <vector>

namespace runtime_test {

using namespace std::chrono_literals;

// --- the app --------------------------------------------------------------------------------

namespace fake {
struct credentials {
  std::string shop;                // "<name>.fakeshop.test": how deliveries name the tenant
  syncline::secret client_secret;  // signs webhooks
  syncline::secret access_token;   // calls the API
  std::string tenant_key() const { return shop; }
};
BOOST_DESCRIBE_STRUCT(credentials, (), (shop, client_secret, access_token))

inline constexpr std::string_view shop_header = "X-Fake-Shop";
inline constexpr std::string_view id_header = "X-Fake-Webhook-Id";
inline constexpr std::string_view hmac_header = "X-Fake-Hmac";

// The app reads and verifies its deliveries whatever their topic (core/delivery.hpp); fakeshop's
// say no topic (the URL names it), and "app/uninstalled" tells an uninstall.
struct app {
  static constexpr std::string_view name = "fakeshop";
  using credentials = fake::credentials;
  static constexpr std::string_view uninstall_topic = "app/uninstalled";

  static syncline::result<syncline::delivery_identity> identify(
      const syncline::inbound_delivery& d) {
    auto shop = d.header(shop_header);
    auto id = d.header(id_header);
    if (shop.empty() || id.empty() || d.header(hmac_header).empty())
      return syncline::make_error(syncline::errc::invalid_input,
                                  "fakeshop delivery lacks X-Fake-Shop, X-Fake-Webhook-Id or "
                                  "X-Fake-Hmac");
    return syncline::delivery_identity{std::string(shop), std::string(id), {}};
  }
  static syncline::result<void> verify(const syncline::inbound_delivery& d, const credentials& c) {
    if (!syncline::http::verify_hmac_sha256_base64(c.client_secret.reveal(), d.body,
                                                   d.header(hmac_header)))
      return syncline::make_error(syncline::errc::unauthorized, "fakeshop signature mismatch");
    return {};
  }
};

// A webhook trigger as a connector writes one: a topic and a payload type (the app
// authenticates its deliveries).
template <syncline::fixed_string Topic, class Payload>
struct webhook : syncline::webhook<app, Topic, Payload> {};

inline credentials credentials_for(const std::string& name) {
  return {name + ".fakeshop.test", syncline::secret("whsec-" + name + "-7f3a9c"),
          syncline::secret("shpat-" + name + "-91bd44e0")};
}
}  // namespace fake

// --- files, waits, logs -----------------------------------------------------------------------

using temp_dir = syncline::testing::temp_dir;

// Polls `done` every 10 ms until it holds or `limit` passes; every wait in these tests is bounded.
inline bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds limit = 15s) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (done()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return done();
}

class log_capture {
 public:
  syncline::log_sink sink() {
    return [this](syncline::log_level, std::string_view line) {
      std::lock_guard lock(mu_);
      lines_.emplace_back(line);
    };
  }
  std::vector<std::string> lines() const {
    std::lock_guard lock(mu_);
    return lines_;
  }
  bool contains(std::string_view text) const {
    std::lock_guard lock(mu_);
    for (const auto& l : lines_)
      if (l.find(text) != std::string::npos) return true;
    return false;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> lines_;
};

// --- a blocking loopback HTTP client ----------------------------------------------------------

struct answer {
  unsigned status = 0;
  std::string body;
  std::string retry_after;
  std::string content_type;
};

inline answer request(std::uint16_t port, boost::beast::http::verb method, std::string target,
                      std::string body = {},
                      std::vector<std::pair<std::string, std::string>> headers = {}) {
  namespace net = boost::asio;
  namespace bhttp = boost::beast::http;
  net::io_context ctx;
  net::ip::tcp::socket socket(ctx);
  socket.connect({net::ip::make_address("127.0.0.1"), port});
  timeval tv{10, 0};  // no answer within 10 s fails the test instead of hanging it
  ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  bhttp::request<bhttp::string_body> req{method, target, 11};
  req.set(bhttp::field::host, "127.0.0.1");
  for (auto& [k, v] : headers) req.set(k, v);
  req.body() = std::move(body);
  req.prepare_payload();
  bhttp::write(socket, req);
  boost::beast::flat_buffer buffer;
  bhttp::response<bhttp::string_body> res;
  bhttp::read(socket, buffer, res);
  answer a;
  a.status = res.result_int();
  a.body = res.body();
  a.retry_after = std::string(res[bhttp::field::retry_after]);
  a.content_type = std::string(res[bhttp::field::content_type]);
  return a;
}

// POSTs a fakeshop delivery signed with `signing_secret`.
inline answer deliver(std::uint16_t port, std::string_view topic, const std::string& shop,
                      const std::string& webhook_id, const std::string& body,
                      std::string_view signing_secret) {
  return request(
      port, boost::beast::http::verb::post, "/webhooks/fakeshop/" + std::string(topic), body,
      {{std::string(fake::shop_header), shop},
       {std::string(fake::id_header), webhook_id},
       {std::string(fake::hmac_header), syncline::http::hmac_sha256_base64(signing_secret, body)}});
}

// --- a destination service ----------------------------------------------------------------------

// What destinations of the tests write to: one entry per idempotency key (a retried run writes
// nothing new, like a real destination that dedupes), plus every attempt seen. It can fail the
// next N calls, or hold calls until released.
class sink {
 public:
  struct entry {
    std::string tenant;
    std::string payload;  // a short description of the value
    std::string key;      // the idempotency key
  };

  syncline::result<void> write(const syncline::run_context& ctx, std::string payload) {
    std::lock_guard lock(mu_);
    ++calls_;
    if (fail_next_ > 0) {
      --fail_next_;
      return syncline::make_error(fail_with_, fail_message_);
    }
    auto key = ctx.idempotency_key();
    if (!by_key_.contains(key)) {
      by_key_.emplace(key, entries_.size());
      entries_.push_back({std::string(ctx.tenant()), std::move(payload), key});
    }
    return {};
  }

  // Waits (asynchronously: the engine's threads stay free) while holding is on, at most 20 s.
  boost::asio::awaitable<void> gate() {
    entered_.fetch_add(1);
    boost::asio::steady_timer t(co_await boost::asio::this_coro::executor);
    for (int i = 0; i < 2000 && holding_.load(); ++i) {
      t.expires_after(10ms);
      co_await t.async_wait(boost::asio::use_awaitable);
    }
  }

  void fail_next(int n, syncline::errc category = syncline::errc::unavailable,
                 std::string message = "destination is down") {
    std::lock_guard lock(mu_);
    fail_next_ = n;
    fail_with_ = category;
    fail_message_ = std::move(message);
  }
  void hold(bool on) { holding_ = on; }
  int entered() const { return entered_.load(); }

  std::vector<entry> entries() const {
    std::lock_guard lock(mu_);
    return entries_;
  }
  std::size_t size() const {
    std::lock_guard lock(mu_);
    return entries_.size();
  }
  int calls() const {
    std::lock_guard lock(mu_);
    return calls_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<entry> entries_;
  std::map<std::string, std::size_t> by_key_;
  int calls_ = 0;
  int fail_next_ = 0;
  syncline::errc fail_with_ = syncline::errc::unavailable;
  std::string fail_message_;
  std::atomic<bool> holding_{false};
  std::atomic<int> entered_{0};
};

}  // namespace runtime_test
