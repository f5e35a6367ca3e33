// order_receiver: the endpoint of your application that the data stream posts orders to, as
// small as a real one can be. It verifies every request with data_stream::verifier (401 when
// the signature or timestamp is wrong), drops repeats by X-Syncline-Idempotency-Key (a retried
// run sends the same key), and keeps what it accepted, with the stream each record came on (new
// orders and order updates share the endpoint). fail_next(n) makes it answer 500 to the
// next n requests, to show that the engine's retries deliver each record once anyway.
#pragma once

#include <syncline/connectors/data_stream_signature.hpp>
#include <syncline/connectors/shopify/order.hpp>
#include <syncline/core/result.hpp>
#include <syncline/core/secret.hpp>
#include <syncline/http/incoming.hpp>
#include <syncline/http/message.hpp>
#include <syncline/http/server.hpp>
#include <syncline/json/decode.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace seed {

class order_receiver {
 public:
  // An order accepted from a stream: whose it is, on which stream, which order (with the fields
  // the checks compare), and the run's key.
  struct record {
    std::string tenant;
    std::string stream;  // "orders" or "order_updates"
    std::int64_t order_id = 0;
    std::optional<std::string> source_identifier;
    std::optional<std::string> email;
    std::optional<std::string> note;
    std::string idempotency_key;
  };

  struct tallies {
    std::size_t accepted = 0;           // verified, new
    std::size_t repeats = 0;            // verified, a key seen before (answered 200 again)
    std::size_t rejected = 0;           // failed verification (401) or not an order (400)
    std::size_t failed_on_purpose = 0;  // answered 500 by fail_next
  };

  order_receiver(boost::asio::any_io_executor ex, syncline::secret signing_secret)
      : verifier_(std::move(signing_secret)), server_(std::move(ex)) {
    server_.route(syncline::http::verb::post, "/orders",
                  [this](syncline::http::incoming& in) { return receive(in); });
  }

  syncline::result<void> start() { return server_.listen("127.0.0.1", 0); }
  void stop() { server_.stop(); }

  // The URL to give data_stream::options::endpoint.
  std::string endpoint() const { return server_.url() + "/orders"; }

  void fail_next(std::size_t n) {
    std::lock_guard lock(mu_);
    fail_next_ = n;
  }

  std::vector<record> records() const {
    std::lock_guard lock(mu_);
    return records_;
  }
  tallies counts() const {
    std::lock_guard lock(mu_);
    return tallies_;
  }

 private:
  boost::asio::awaitable<syncline::http::response> receive(syncline::http::incoming& in) {
    namespace ds = syncline::data_stream;
    auto ok = verifier_.verify(in.body(), in.header(ds::signature_header),
                               in.header(ds::timestamp_header));
    std::lock_guard lock(mu_);
    if (!ok) {
      ++tallies_.rejected;
      co_return syncline::http::make_response(401, ok.error().message, "text/plain");
    }
    if (fail_next_ > 0) {
      --fail_next_;
      ++tallies_.failed_on_purpose;
      co_return syncline::http::make_response(500, "try again later", "text/plain");
    }
    const std::string key(in.header(ds::idempotency_key_header));
    if (!seen_keys_.insert(key).second) {
      ++tallies_.repeats;
      co_return syncline::http::make_response(200, "repeat", "text/plain");
    }
    auto order = syncline::json::decode<syncline::shopify::order>(in.body());
    if (!order) {
      seen_keys_.erase(key);
      ++tallies_.rejected;
      co_return syncline::http::make_response(400, order.error().message, "text/plain");
    }
    ++tallies_.accepted;
    records_.push_back({std::string(in.header(ds::tenant_header)),
                        std::string(in.header(ds::stream_header)), order->id,
                        order->source_identifier, order->email, order->note, key});
    co_return syncline::http::make_response(200, "ok", "text/plain");
  }

  syncline::data_stream::verifier verifier_;
  syncline::http::server server_;
  mutable std::mutex mu_;
  std::size_t fail_next_ = 0;
  std::set<std::string> seen_keys_;
  std::vector<record> records_;
  tallies tallies_;
};

}  // namespace seed
