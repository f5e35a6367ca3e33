// testing::shopify_emulator: the emulator behind syncline's HTTP server, with its webhook
// dispatcher — a local Shopify that a test starts on 127.0.0.1:0 and points its integration at.
//
//   shopify_emulator emu(threads.executor(), options);
//   emu.add_shop({.domain = "acme", .access_tokens = {secret{"shpat_acme"}}, .client_secret =
//   secret{"s3"}}); emu.start();                                   // result<void>
//   emu.subscribe("acme", "orders/create", receiver.url() + "/webhooks");
//   client.post(emu.admin_url() + "/orders.json", ...);   // -> 201, and a signed orders/create
//   emu.stop();
#pragma once

#include <syncline/core/result.hpp>
#include <syncline/http/client.hpp>
#include <syncline/http/client_options.hpp>
#include <syncline/http/incoming.hpp>
#include <syncline/http/message.hpp>
#include <syncline/http/server.hpp>
#include <syncline/http/server_options.hpp>
#include <syncline/testing/emulated_shop.hpp>
#include <syncline/testing/shopify_emulator_options.hpp>
#include <syncline/testing/shopify_emulator_state.hpp>
#include <syncline/testing/webhook_dispatcher.hpp>
#include <syncline/testing/webhook_subscription.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <utility>

namespace syncline::testing {

// How the emulator talks to the network, apart from what it emulates.
struct shopify_emulator_transport {
  http::server_options server;
  // Webhook deliveries. Timeouts and retries are set per delivery (1 s connect, 5 s in all,
  // Shopify's own retry schedule); add a CA here to deliver to an HTTPS receiver with a test
  // certificate.
  http::client_options webhook_client = [] {
    http::client_options o;
    o.user_agent = "Shopify-Captain-Hook";
    return o;
  }();
  // Without a socket-level abort in http::server, a "lost" answer is held back: the connection
  // stays silent this long (or until stop()), then gets a 504 with Connection: close. A client
  // whose timeout is shorter sees exactly what a lost answer looks like: no answer.
  std::chrono::milliseconds lost_answer_hold{60'000};
};

class shopify_emulator {
 public:
  explicit shopify_emulator(boost::asio::any_io_executor ex, shopify_emulator_options options = {},
                            shopify_emulator_transport transport = {})
      : core_(std::make_shared<core>(std::move(options), transport.lost_answer_hold)),
        client_(std::make_shared<http::client>(ex, std::move(transport.webhook_client))),
        server_(ex, std::move(transport.server)),
        dispatcher_(ex, std::shared_ptr<webhook_delivery_queue>(core_, &core_->state.deliveries()),
                    core_->state.clock(), http_webhook_sender(client_)) {
    for (auto method : {http::verb::get, http::verb::post, http::verb::put, http::verb::delete_})
      server_.route(method, "/{path...}", [c = core_](http::incoming& in) { return serve(c, in); });
  }

  shopify_emulator(const shopify_emulator&) = delete;
  shopify_emulator& operator=(const shopify_emulator&) = delete;
  ~shopify_emulator() { stop(); }

  // Listens on options.address:options.port (0: a free port) and starts delivering webhooks.
  result<void> start() {
    if (!core_->state.configuration()) return core_->state.configuration();
    auto listening = server_.listen(core_->state.options().address, core_->state.options().port);
    if (!listening) return listening;
    {
      std::lock_guard lock(core_->holds_mutex);
      core_->stopping = false;
    }
    dispatcher_.start();
    return {};
  }

  // Stops accepting, releases held (lost) answers and stops the webhook dispatcher. Deliveries
  // not yet sent stay queued (deliveries().pending()).
  void stop() {
    server_.stop();
    dispatcher_.stop();
    std::lock_guard lock(core_->holds_mutex);
    core_->stopping = true;
    for (const auto& t : core_->holds) t->cancel();
  }

  std::string url() const { return server_.url(); }
  std::uint16_t port() const noexcept { return server_.port(); }
  // "<url>/admin/api/<version>"; the latest stable version by default.
  std::string admin_url(std::string_view version = {}) const {
    return url() + "/admin/api/" +
           std::string(version.empty() ? core_->state.versions().latest() : version);
  }

  result<std::string> add_shop(emulated_shop shop) {
    return core_->state.add_shop(std::move(shop));
  }
  result<webhook_subscription> subscribe(std::string_view shop, std::string topic,
                                         std::string address, std::string name = {}) {
    return core_->state.subscribe(shop, std::move(topic), std::move(address), std::move(name));
  }

  shopify_emulator_state& state() noexcept { return core_->state; }
  webhook_delivery_queue& deliveries() noexcept { return core_->state.deliveries(); }
  webhook_dispatcher& dispatcher() noexcept { return dispatcher_; }

  // Waits until no webhook is queued, held or being sent (retries count as queued), or until
  // `timeout` passes; true when settled.
  boost::asio::awaitable<bool> settle(std::chrono::milliseconds timeout) {
    auto ex = co_await boost::asio::this_coro::executor;
    boost::asio::steady_timer t(ex);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    auto& q = core_->state.deliveries();
    while (!q.idle()) {
      if (std::chrono::steady_clock::now() >= deadline) co_return false;
      t.expires_after(std::chrono::milliseconds(5));
      boost::system::error_code ec;
      co_await t.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    }
    co_return true;
  }

 private:
  struct core {
    core(shopify_emulator_options o, std::chrono::milliseconds hold)
        : state(std::move(o)), lost_answer_hold(hold) {}
    shopify_emulator_state state;
    std::chrono::milliseconds lost_answer_hold;
    std::mutex holds_mutex;
    std::set<std::shared_ptr<boost::asio::steady_timer>> holds;
    bool stopping = false;
  };

  // Handlers hold the core, not the emulator: a held answer may resume after the emulator is gone.
  static boost::asio::awaitable<http::response> serve(std::shared_ptr<core> c, http::incoming& in) {
    auto a = c->state.handle(in.message);
    if (!a.drop_connection) co_return std::move(a.response);
    auto timer =
        std::make_shared<boost::asio::steady_timer>(co_await boost::asio::this_coro::executor);
    timer->expires_after(c->lost_answer_hold);
    {
      std::lock_guard lock(c->holds_mutex);
      if (c->stopping) timer->expires_after(std::chrono::milliseconds(0));
      c->holds.insert(timer);
    }
    boost::system::error_code ec;
    co_await timer->async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    {
      std::lock_guard lock(c->holds_mutex);
      c->holds.erase(timer);
    }
    auto res = http::make_response(504, "{\"errors\":\"Gateway Timeout\"}",
                                   "application/json; charset=utf-8");
    res.keep_alive(false);
    co_return res;
  }

  std::shared_ptr<core> core_;
  std::shared_ptr<http::client> client_;
  http::server server_;
  webhook_dispatcher dispatcher_;
};

}  // namespace syncline::testing
