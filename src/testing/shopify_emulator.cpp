// testing::shopify_emulator: shopify_emulator_state (the Admin API as synchronous calls) behind
// http::server, with a webhook_dispatcher sending what the state queues.
#include <syncline/http/client.hpp>
#include <syncline/http/incoming.hpp>
#include <syncline/http/message.hpp>
#include <syncline/http/server.hpp>
#include <syncline/testing/shopify_emulator.hpp>
#include <syncline_emulator/shopify_emulator_state.hpp>
#include <syncline_emulator/webhook_dispatcher.hpp>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <mutex>
#include <set>
#include <utility>

namespace syncline::testing {

namespace {

// What the request handlers share with the emulator. Handlers hold the core, not the emulator:
// a held answer may resume after the emulator is gone.
struct emulator_core {
  emulator_core(shopify_emulator_options o, std::chrono::milliseconds hold)
      : state(std::move(o)), lost_answer_hold(hold) {}
  shopify_emulator_state state;
  std::chrono::milliseconds lost_answer_hold;
  std::mutex holds_mutex;
  std::set<std::shared_ptr<boost::asio::steady_timer>> holds;
  bool stopping = false;
};

boost::asio::awaitable<http::response> serve(std::shared_ptr<emulator_core> c, http::incoming& in) {
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

// The client's connections to one subscriber bound the deliveries in flight to it: at least
// webhook_concurrency of them, or the others wait inside the client (with the client's default
// of 8 per host, "16 in flight" were 8).
http::client_options webhook_client_for(http::client_options o, std::size_t concurrency) {
  o.max_connections_per_host = std::max(o.max_connections_per_host, concurrency);
  return o;
}

}  // namespace

struct shopify_emulator::impl {
  impl(boost::asio::any_io_executor ex, shopify_emulator_options options,
       shopify_emulator_transport transport)
      : core(std::make_shared<emulator_core>(std::move(options), transport.lost_answer_hold)),
        client(std::make_shared<http::client>(
            ex, webhook_client_for(std::move(transport.webhook_client),
                                   core->state.options().webhook_concurrency))),
        server(ex, std::move(transport.server)),
        dispatcher(ex, std::shared_ptr<webhook_delivery_queue>(core, &core->state.deliveries()),
                   core->state.clock(), http_webhook_sender(client),
                   core->state.options().webhook_concurrency) {
    for (auto method : {http::verb::get, http::verb::post, http::verb::put, http::verb::delete_})
      server.route(method, "/{path...}", [c = core](http::incoming& in) { return serve(c, in); });
  }

  std::shared_ptr<emulator_core> core;
  std::shared_ptr<http::client> client;
  http::server server;
  webhook_dispatcher dispatcher;
};

shopify_emulator::shopify_emulator(boost::asio::any_io_executor ex,
                                   shopify_emulator_options options,
                                   shopify_emulator_transport transport)
    : impl_(std::make_unique<impl>(std::move(ex), std::move(options), std::move(transport))) {}

shopify_emulator::~shopify_emulator() { stop(); }

result<void> shopify_emulator::start() {
  auto& c = *impl_->core;
  if (!c.state.configuration()) return c.state.configuration();
  auto listening = impl_->server.listen(c.state.options().address, c.state.options().port);
  if (!listening) return listening;
  {
    std::lock_guard lock(c.holds_mutex);
    c.stopping = false;
  }
  impl_->dispatcher.start();
  return {};
}

void shopify_emulator::stop() {
  impl_->server.stop();
  impl_->dispatcher.stop();
  auto& c = *impl_->core;
  std::lock_guard lock(c.holds_mutex);
  c.stopping = true;
  for (const auto& t : c.holds) t->cancel();
}

std::string shopify_emulator::url() const { return impl_->server.url(); }
std::uint16_t shopify_emulator::port() const noexcept { return impl_->server.port(); }

std::string shopify_emulator::admin_url(std::string_view version) const {
  return url() + "/admin/api/" +
         std::string(version.empty() ? impl_->core->state.versions().latest() : version);
}

std::string shopify_emulator::shop_url(std::string_view shop) const {
  return url() + "/shops/" + shopify_emulator_state::normalize_domain(shop);
}

result<std::string> shopify_emulator::add_shop(emulated_shop shop) {
  return impl_->core->state.add_shop(std::move(shop));
}
std::vector<std::string> shopify_emulator::shops() const { return impl_->core->state.shops(); }

result<webhook_subscription> shopify_emulator::subscribe(std::string_view shop, std::string topic,
                                                         std::string address, std::string name) {
  return impl_->core->state.subscribe(shop, std::move(topic), std::move(address), std::move(name));
}
result<void> shopify_emulator::unsubscribe(std::string_view shop, std::uint64_t subscription_id) {
  return impl_->core->state.unsubscribe(shop, subscription_id);
}
std::vector<webhook_subscription> shopify_emulator::subscriptions(std::string_view shop) const {
  return impl_->core->state.subscriptions(shop);
}

result<boost::json::object> shopify_emulator::create_order(std::string_view shop,
                                                           boost::json::object order) {
  return impl_->core->state.create_order(shop, std::move(order));
}
result<boost::json::object> shopify_emulator::update_order(std::string_view shop, std::uint64_t id,
                                                           const boost::json::object& changes) {
  return impl_->core->state.update_order(shop, id, changes);
}
std::vector<boost::json::object> shopify_emulator::orders(std::string_view shop) const {
  return impl_->core->state.orders(shop);
}
std::optional<boost::json::object> shopify_emulator::order(std::string_view shop,
                                                           std::uint64_t id) const {
  return impl_->core->state.order(shop, id);
}
result<std::size_t> shopify_emulator::emit(std::string_view shop, std::string_view topic,
                                           const boost::json::object& payload) {
  return impl_->core->state.emit(shop, topic, payload);
}
result<void> shopify_emulator::uninstall(std::string_view shop, std::string_view client_id) {
  return impl_->core->state.uninstall(shop, client_id);
}
result<void> shopify_emulator::set_merchant_approval(std::string_view shop,
                                                     merchant_approval approval) {
  return impl_->core->state.set_merchant_approval(shop, std::move(approval));
}
result<std::vector<std::string>> shopify_emulator::granted_scopes(
    std::string_view shop, std::string_view client_id) const {
  return impl_->core->state.granted_scopes(shop, client_id);
}
result<std::string> shopify_emulator::session_token(std::string_view shop,
                                                    std::string_view client_id,
                                                    const session_token_options& options) {
  return impl_->core->state.session_token(shop, client_id, options);
}
result<std::size_t> shopify_emulator::request_privacy(std::string_view shop, std::string_view topic,
                                                      const privacy_request& about) {
  return impl_->core->state.request_privacy(shop, topic, about);
}

result<void> shopify_emulator::set_request_faults(std::string_view shop, request_faults faults) {
  return impl_->core->state.set_request_faults(shop, faults);
}
result<request_faults> shopify_emulator::request_faults_of(std::string_view shop) const {
  return impl_->core->state.request_faults_of(shop);
}
result<void> shopify_emulator::set_webhook_faults(std::string_view shop, webhook_faults faults) {
  return impl_->core->state.set_webhook_faults(shop, faults);
}

std::vector<delivery_attempt> shopify_emulator::delivery_attempts() const {
  return impl_->core->state.deliveries().attempts();
}
std::vector<webhook_delivery> shopify_emulator::failed_deliveries() const {
  return impl_->core->state.deliveries().failed();
}
std::size_t shopify_emulator::queued_deliveries() const {
  return impl_->core->state.deliveries().pending();
}
bool shopify_emulator::deliveries_idle() const { return impl_->core->state.deliveries().idle(); }

boost::asio::awaitable<bool> shopify_emulator::settle(std::chrono::milliseconds timeout) {
  // The core, not `this`: the coroutine may outlive a caller that drops the emulator early.
  auto core = impl_->core;
  boost::asio::steady_timer t(co_await boost::asio::this_coro::executor);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!core->state.deliveries().idle()) {
    if (std::chrono::steady_clock::now() >= deadline) co_return false;
    t.expires_after(std::chrono::milliseconds(5));
    boost::system::error_code ec;
    co_await t.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
  }
  co_return true;
}

}  // namespace syncline::testing
