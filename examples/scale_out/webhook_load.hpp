// webhook_load: Shopify's side of scale_out. A few client threads send signed orders/create
// deliveries (one order each, a unique X-Shopify-Webhook-Id, X-Shopify-Hmac-Sha256 of the body
// with the app's client secret) round robin over the engines that are up. Like Shopify, a
// delivery that gets no 200 (connection refused or reset by a killed engine, a timeout, a 503)
// is sent again, the same id and body, to the next engine, until one answers 200: only then is it
// acknowledged. 503s are recorded with whether they carried Retry-After and when they came.
#pragma once

#include <syncline/http/client.hpp>
#include <syncline/http/hmac.hpp>
#include <syncline/http/io_threads.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine_fleet.hpp"

namespace scale_out {

struct load_options {
  std::size_t clients = 4;
  std::chrono::milliseconds duration{10'000};  // new deliveries start only this long
  std::chrono::milliseconds give_up{60'000};   // a delivery still unacknowledged then is lost
  // Shopify waits minutes between attempts; the example waits this long (Retry-After is noted,
  // and capped to this, so that a short run sees the retries end).
  std::chrono::milliseconds retry_wait{200};
};

// What happened to the load, read after run() returned.
struct load_report {
  std::uint64_t deliveries = 0;        // distinct deliveries (webhook ids) sent
  std::uint64_t attempts = 0;          // POSTs, retries included
  std::map<std::int64_t, long> acked;  // order id -> pid of the engine that answered 200
  std::vector<std::int64_t> unacked;   // deliveries that never got a 200
  std::uint64_t failed_connections = 0;
  std::uint64_t status_503 = 0;
  std::uint64_t status_503_with_retry_after = 0;
  std::vector<steady::time_point> retry_after_503_times;
  std::map<unsigned, std::uint64_t> other_statuses;            // anything else than 200 and 503
  std::vector<std::pair<steady::time_point, long>> ack_times;  // when, and which engine pid
};

class webhook_load {
 public:
  webhook_load(engine_fleet& fleet, std::string client_secret, load_options options)
      : fleet_(fleet), secret_(std::move(client_secret)), options_(options) {}

  // Starts the clients; they run on their own threads while the caller kills engines.
  void start() {
    start_ = steady::now();
    for (std::size_t c = 0; c < options_.clients; ++c) {
      threads_.emplace_back([this, c] { client_loop(c); });
    }
  }

  // Waits for the end of the load (every delivery acknowledged or given up).
  load_report finish() {
    for (auto& t : threads_) t.join();
    threads_.clear();
    return std::move(report_);
  }

  ~webhook_load() {
    for (auto& t : threads_) t.join();
  }

  static std::string order_body(std::int64_t id) {
    const std::string n = std::to_string(id);
    return R"({"id":)" + n + R"(,"admin_graphql_api_id":"gid://shopify/Order/)" + n +
           R"(","name":"#)" + n + R"(","order_number":)" + n + R"(,"email":"buyer)" + n +
           R"(@example.com","created_at":"2026-01-05T10:00:00Z","updated_at":"2026-01-05T10:00:00Z",)"
           R"("currency":"USD","subtotal_price":"10.00","total_price":"10.00","total_tax":"0.00",)"
           R"("tags":"","note_attributes":[],"line_items":[]})";
  }

 private:
  void client_loop(std::size_t c) {
    std::size_t turn = c;  // each client starts at another engine
    for (;;) {
      if (steady::now() - start_ >= options_.duration) return;
      const std::int64_t order_id = 1'000'000 + next_id_.fetch_add(1);
      const std::string body = order_body(order_id);
      const std::string webhook_id = "scale-out-" + std::to_string(order_id);
      {
        std::lock_guard lock(m_);
        ++report_.deliveries;
      }
      const auto give_up = steady::now() + options_.give_up;
      bool acked = false;
      while (!acked && steady::now() < give_up) {
        const auto engines = fleet_.live();
        if (engines.empty()) {
          std::this_thread::sleep_for(options_.retry_wait);
          continue;
        }
        const engine_endpoint e = engines[turn++ % engines.size()];
        acked = attempt(e, body, webhook_id, order_id);
        if (!acked) std::this_thread::sleep_for(options_.retry_wait);
      }
      if (!acked) {
        std::lock_guard lock(m_);
        report_.unacked.push_back(order_id);
      }
    }
  }

  bool attempt(const engine_endpoint& e, const std::string& body, const std::string& webhook_id,
               std::int64_t order_id) {
    syncline::http::fields h;
    h.set("X-Shopify-Topic", "orders/create");
    h.set("X-Shopify-Shop-Domain", shop_domain);
    h.set("X-Shopify-API-Version", "2026-01");
    h.set("X-Shopify-Webhook-Id", webhook_id);
    h.set("X-Shopify-Hmac-Sha256", syncline::http::hmac_sha256_base64(secret_, body));
    h.set(boost::beast::http::field::content_type, "application/json");
    syncline::http::request_options ro;
    ro.timeout = std::chrono::seconds(10);
    ro.retry = syncline::http::request_retry::none();  // this loop is the retrying sender
    const std::string url =
        "http://127.0.0.1:" + std::to_string(e.port) + "/webhooks/shopify/orders/create";
    // result<response> has no default state, which use_future needs: a promise carries it.
    // Shared: the coroutine may still be leaving set_value when get() returns.
    auto promise = std::make_shared<std::promise<syncline::result<syncline::http::response>>>();
    auto future = promise->get_future();
    boost::asio::co_spawn(
        io_.executor(),
        [&, promise]() -> boost::asio::awaitable<void> {
          promise->set_value(co_await client_.post(url, body, h, ro));
        },
        boost::asio::detached);
    auto answer = future.get();
    std::lock_guard lock(m_);
    ++report_.attempts;
    if (!answer) {
      ++report_.failed_connections;
      return false;
    }
    const unsigned status = answer->result_int();
    if (status == 200) {
      report_.acked[order_id] = e.pid;
      report_.ack_times.emplace_back(steady::now(), e.pid);
      return true;
    }
    if (status == 503) {
      ++report_.status_503;
      if (!(*answer)[boost::beast::http::field::retry_after].empty()) {
        ++report_.status_503_with_retry_after;
        report_.retry_after_503_times.push_back(steady::now());
      }
    } else {
      ++report_.other_statuses[status];
    }
    return false;
  }

  engine_fleet& fleet_;
  std::string secret_;
  load_options options_;
  syncline::http::io_threads io_{2};
  syncline::http::client client_{io_.executor()};
  steady::time_point start_{};
  std::vector<std::thread> threads_;
  std::atomic<std::int64_t> next_id_{0};
  std::mutex m_;
  load_report report_;
};

}  // namespace scale_out
