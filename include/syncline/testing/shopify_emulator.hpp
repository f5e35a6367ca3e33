// testing::shopify_emulator: a local Shopify that a test starts on 127.0.0.1:0 and points its
// integration at — the Admin API (REST and GraphQL) of several shops behind syncline's HTTP
// server, with their webhooks delivered, signed, to the subscribers.
//
//   shopify_emulator emu(threads.executor(), options);
//   emu.add_shop({.domain = "acme", .access_tokens = {secret{"shpat_acme"}},
//                 .client_secret = secret{"s3"}});
//   emu.start();                                          // result<void>
//   emu.subscribe("acme", "orders/create", receiver.url() + "/webhooks");
//   client.post(emu.admin_url() + "/orders.json", ...);  // -> 201, and a signed orders/create
//   emu.stop();
//
// The emulator is compiled once into the library syncline::shopify_emulator (link it); this
// header only declares it, so a test that uses it does not parse its server or its GraphQL.
#pragma once

#include <syncline/core/result.hpp>
#include <syncline/http/client_options.hpp>
#include <syncline/http/server_options.hpp>
#include <syncline/testing/emulated_app.hpp>
#include <syncline/testing/emulated_shop.hpp>
#include <syncline/testing/privacy_request.hpp>
#include <syncline/testing/session_token_options.hpp>
#include <syncline/testing/shopify_emulator_options.hpp>
#include <syncline/testing/shopify_faults.hpp>
#include <syncline/testing/webhook_delivery.hpp>
#include <syncline/testing/webhook_subscription.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace syncline::testing {

// How the emulator talks to the network, apart from what it emulates.
struct shopify_emulator_transport {
  http::server_options server;
  // Webhook deliveries. Timeouts and retries are set per delivery (1 s connect, 5 s in all,
  // Shopify's own retry schedule); add a CA here to deliver to an HTTPS receiver with a test
  // certificate. max_connections_per_host is raised to webhook_concurrency when lower, so that
  // that many deliveries are in flight to one subscriber.
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
                            shopify_emulator_transport transport = {});
  shopify_emulator(const shopify_emulator&) = delete;
  shopify_emulator& operator=(const shopify_emulator&) = delete;
  ~shopify_emulator();

  // Listens on options.address:options.port (0: a free port) and starts delivering webhooks.
  // Fails when a shop of the options was refused, or the address cannot be bound.
  result<void> start();
  // Stops accepting, releases held (lost) answers and stops the webhook dispatcher. Deliveries
  // not yet sent stay queued (queued_deliveries()).
  void stop();

  std::string url() const;
  std::uint16_t port() const noexcept;
  // "<url>/admin/api/<version>"; the latest stable version by default.
  std::string admin_url(std::string_view version = {}) const;
  // "<url>/shops/acme.myshopify.com": the shop's own base URL, what https://{shop} is on Shopify.
  // Below it /admin/oauth/authorize, /admin/oauth/access_token and /admin/api/... name the shop
  // without a Host header or token (an app's base_url in tests).
  std::string shop_url(std::string_view shop) const;

  // ---- shops and subscriptions (as the merchant and the app would set them up) -------------
  // "acme" and "ACME.myshopify.com" both name the shop "acme.myshopify.com" below.

  // Adds a tenant; returns its normalized domain. Access tokens must be unique across shops.
  result<std::string> add_shop(emulated_shop shop);
  std::vector<std::string> shops() const;
  // Subscribes `address` to `topic` of `shop`, as the app would through the API; any known
  // topic, the compliance topics included.
  result<webhook_subscription> subscribe(std::string_view shop, std::string topic,
                                         std::string address, std::string name = {});
  result<void> unsubscribe(std::string_view shop, std::uint64_t subscription_id);
  std::vector<webhook_subscription> subscriptions(std::string_view shop) const;

  // ---- what happens in the shop, outside the app -------------------------------------------

  // Creates an order as if placed in the shop: `order` in REST shape. Fires orders/create (and
  // orders/paid) like any other create. source_name defaults to "web".
  result<boost::json::object> create_order(std::string_view shop, boost::json::object order);
  // Changes an order as the merchant would (tags, note, email, ...); fires orders/updated.
  result<boost::json::object> update_order(std::string_view shop, std::uint64_t id,
                                           const boost::json::object& changes);
  std::vector<boost::json::object> orders(std::string_view shop) const;
  std::optional<boost::json::object> order(std::string_view shop, std::uint64_t id) const;
  // Sends `payload` as `topic` to the shop's subscribers of that topic (e.g. customers/redact);
  // returns how many deliveries were queued.
  result<std::size_t> emit(std::string_view shop, std::string_view topic,
                           const boost::json::object& payload);
  // The merchant uninstalls an app (`client_id` of an emulated_app; empty: the shop's own app and
  // every app installed through OAuth): its tokens stop working at once, app/uninstalled goes to
  // its subscribers, and its subscriptions are gone.
  result<void> uninstall(std::string_view shop, std::string_view client_id = {});

  // ---- app installs (OAuth; shopify_emulator_options::apps) --------------------------------

  // How the merchant of `shop` answers the next install screens: approve (302 to the app) or
  // decline (403), and scopes to withhold.
  result<void> set_merchant_approval(std::string_view shop, merchant_approval approval);
  // The scopes `client_id` holds in `shop` (as requested, less withheld ones); not_found when the
  // app is not installed there.
  result<std::vector<std::string>> granted_scopes(std::string_view shop,
                                                  std::string_view client_id) const;
  // A session token of app `client_id` in `shop`, as App Bridge hands it to the app's frontend:
  // what a token exchange (POST /admin/oauth/access_token) accepts.
  result<std::string> session_token(std::string_view shop, std::string_view client_id,
                                    const session_token_options& options = {});
  // Shopify's privacy requests: `topic` is customers/data_request, customers/redact or
  // shop/redact. Sent to the compliance URL of every app ever installed in `shop` and to
  // subscriptions of that topic; returns how many deliveries were queued.
  result<std::size_t> request_privacy(std::string_view shop, std::string_view topic,
                                      const privacy_request& about = {});

  // ---- injected faults (shopify_faults.hpp) --------------------------------------------------

  result<void> set_request_faults(std::string_view shop, request_faults faults);
  // What is left of the shop's request faults (counters go down as they fire).
  result<request_faults> request_faults_of(std::string_view shop) const;
  result<void> set_webhook_faults(std::string_view shop, webhook_faults faults);

  // ---- webhook deliveries, for tests to inspect ----------------------------------------------

  // Every try so far, oldest first (a soak run keeps the latest 100,000).
  std::vector<delivery_attempt> delivery_attempts() const;
  // Deliveries whose every retry failed.
  std::vector<webhook_delivery> failed_deliveries() const;
  // Deliveries waiting to be sent (retries and held ones included).
  std::size_t queued_deliveries() const;
  // Nothing queued, held or being sent.
  bool deliveries_idle() const;
  // Waits until deliveries_idle(), or until `timeout` passes; true when settled.
  boost::asio::awaitable<bool> settle(std::chrono::milliseconds timeout);

 private:
  struct impl;  // the server, the dispatcher and the emulated Admin API
  std::unique_ptr<impl> impl_;
};

}  // namespace syncline::testing
