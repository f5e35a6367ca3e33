// shopify::onboarding: how merchants connect their shops to an integration, and the life of each
// installation after that: the install flow (OAuth authorization code grant, or token exchange
// for an embedded app), the credentials kept sealed in the engine's store, expiring tokens
// refreshed before they expire, webhook subscriptions created and reconciled, and uninstall.
//
//   syncline::engine eng({.database = "sync.db", .keyring = keys, ...});
//   shopify::onboarding shops(eng, shopify_sync,
//                             {.app = {.client_id = "...", .client_secret = secret{"..."}},
//                              .public_url = "https://sync.example.com"},
//                             syncline::services(connector, stream, warehouse));
//   shops.restore();      // every shop installed before: nothing to supply again
//   shops.serve();        // GET /shopify/install, GET /shopify/callback, POST /shopify/session
//   eng.start();
//   shops.start();        // refreshes tokens before they expire, reconciles subscriptions
//
// The routes, served by the engine (docs/onboarding.md has the exact layout):
//   GET  {install_path}?shop=acme.myshopify.com   302 to Shopify's install screen, with a
//                                                 single-use `state` that expires
//   GET  {callback_path}?code=..&shop=..&state=..&hmac=..&timestamp=..
//                                                 checks the signature, the shop, the state
//                                                 (taken once), exchanges the code, checks the
//                                                 granted scopes, installs the shop
//   POST {session_path} (Authorization: Bearer <session token>)
//                                                 token exchange for an embedded app
// The same steps are functions (begin_install, complete_install, install_by_session_token) for
// an application that serves them from its own web framework.
//
// The engine must have a keyring (engine_options::keyring): an installed shop's tokens are kept
// only sealed. The onboarding stops the engine when it goes (its routes and token sources point
// at it); declare it after the engine.
#pragma once

#include <syncline/connectors/shopify/access_scopes.hpp>
#include <syncline/connectors/shopify/admin_api.hpp>
#include <syncline/connectors/shopify/app.hpp>
#include <syncline/connectors/shopify/app_credentials.hpp>
#include <syncline/connectors/shopify/connector.hpp>
#include <syncline/connectors/shopify/detail/install_nonce.hpp>
#include <syncline/connectors/shopify/install_callback.hpp>
#include <syncline/connectors/shopify/install_url.hpp>
#include <syncline/connectors/shopify/offline_token.hpp>
#include <syncline/connectors/shopify/onboarding_options.hpp>
#include <syncline/connectors/shopify/privacy.hpp>
#include <syncline/connectors/shopify/session_token.hpp>
#include <syncline/connectors/shopify/token_endpoint.hpp>
#include <syncline/connectors/shopify/token_refresher.hpp>
#include <syncline/connectors/shopify/webhook_subscriptions.hpp>
#include <syncline/connectors/warehouse/erasable.hpp>
#include <syncline/http/client.hpp>
#include <syncline/http/json_answer.hpp>
#include <syncline/json/decode.hpp>
#include <syncline/runtime/engine.hpp>
#include <syncline/store/install_state.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace syncline::shopify {

template <class Integration, class... S>
class onboarding {
 public:
  static constexpr auto scopes = access_scopes_of<Integration>();
  static constexpr auto topics = webhook_topics_of<Integration>();

  onboarding(engine& eng, const Integration& integration, onboarding_options options,
             services<S...> given = {})
      : eng_(eng),
        integration_(integration),
        options_(std::move(options)),
        given_(given),
        client_(eng.executor(), eng.options().client),
        endpoint_(client_, options_.app, options_.tokens) {
    given_.for_each([this](auto& s) {
      if constexpr (std::is_same_v<std::remove_cv_t<std::remove_reference_t<decltype(s)>>,
                                   connector>)
        connector_ = &s;
    });
    if (!connector_) connector_ = &own_connector_;
    // Every warehouse sink the integration writes to is erased by the privacy requests.
    given_.for_each([this](auto& s) {
      using T = std::remove_cv_t<std::remove_reference_t<decltype(s)>>;
      if constexpr (warehouse::erasable_sink<T>) sinks_.push_back(warehouse::make_erasable(s));
    });
    if (auto why = unusable(); !why) {
      refresher_.emplace(*eng.durable_store(), eng.options().keyring,
                         std::string(Integration::name), endpoint_, refresh_options());
      std::vector<warehouse::erasable*> sinks;
      for (auto& s : sinks_) sinks.push_back(s.get());
      desk_.emplace(*eng.durable_store(), std::move(sinks));
    } else {
      broken_ = *why;
    }
  }

  onboarding(const onboarding&) = delete;
  onboarding& operator=(const onboarding&) = delete;

  // The routes and token sources point at this object: no run, route or refresh may outlive it.
  ~onboarding() {
    stopping_ = true;
    eng_.stop();
  }

  // --- set-up -----------------------------------------------------------------------------------

  // Installs every shop stored by an earlier engine (engine::restore), with its token source.
  // Answers how many.
  result<std::size_t> restore() {
    if (broken_) return *broken_;
    return eng_.restore(integration_, given_,
                        [this](credentials c, const store::installation_record& row) {
                          return refresher_->track(std::move(c), row.revision);
                        });
  }

  // Adds the four routes to the engine's server (before eng.start()).
  result<void> serve() {
    if (broken_) return *broken_;
    if (auto r = eng_.route(http::verb::get, options_.install_path,
                            [this](http::incoming& req) { return on_install(req); });
        !r)
      return r;
    if (auto r = eng_.route(http::verb::get, options_.callback_path,
                            [this](http::incoming& req) { return on_callback(req); });
        !r)
      return r;
    if (auto r = eng_.route(http::verb::post, options_.privacy_path,
                            [this](http::incoming& req) { return on_privacy(req); });
        !r)
      return r;
    return eng_.route(http::verb::post, options_.session_path,
                      [this](http::incoming& req) { return on_session(req); });
  }

  // After eng.start(): reconciles the webhook subscriptions of every installed shop (once),
  // then refreshes tokens that are due every refresh_check, until the engine stops.
  result<void> start() {
    if (broken_) return *broken_;
    if (started_.exchange(true)) return make_error(errc::invalid_input, "start: started already");
    boost::asio::co_spawn(eng_.executor(), background(), boost::asio::detached);
    return {};
  }

  // --- the install flow, for an application that serves it itself ----------------------------

  // The URL of Shopify's install screen for `shop`, with a new single-use state (kept in the
  // store until state_lifetime passes or the callback takes it).
  result<std::string> begin_install(std::string_view shop) {
    if (broken_) return *broken_;
    const std::string domain = credentials::normalize_shop_domain(shop);
    if (!webhook_metadata::is_shop_domain(domain)) {
      return make_error(
          errc::invalid_input,
          "install: the shop must be {shop}.myshopify.com, got " + json::detail::quoted(shop, 64));
    }
    auto state = detail::new_install_state();
    if (!state) return std::move(state).error();
    const auto expires = now() + options_.state_lifetime;
    if (auto r = eng_.durable_store()->put_install_state(
            {.state = *state,
             .integration = std::string(Integration::name),
             .shop = domain,
             .expires_at = std::chrono::time_point_cast<store::time_point::duration>(expires)});
        !r)
      return std::move(r).error();
    return install_url(domain, options_.app.client_id, scopes, redirect_uri(), *state,
                       options_.authorize_base);
  }

  // The redirect back from Shopify (its raw query): checked, then the code exchanged and the
  // shop installed. Nothing is stored unless every check passed.
  boost::asio::awaitable<result<installed_shop>> complete_install(std::string raw_query) {
    if (broken_) co_return *broken_;
    auto cb = verify_install_callback(raw_query, options_.app, now(), options_.callback_max_age);
    if (!cb) co_return std::move(cb).error();
    auto state = eng_.durable_store()->take_install_state(cb->state);
    if (!state) co_return std::move(state).error();
    if (!*state) {
      co_return make_error(errc::unauthorized,
                           "install callback of " + cb->shop +
                               ": unknown or already used state (a replayed or forged redirect)");
    }
    if ((*state)->expires_at < now()) {
      co_return make_error(errc::unauthorized, "install callback of " + cb->shop +
                                                   ": the state expired; start the install again");
    }
    if ((*state)->shop != cb->shop || (*state)->integration != Integration::name) {
      co_return make_error(errc::unauthorized,
                           "install callback of " + cb->shop +
                               ": the state was issued for another shop or integration");
    }
    auto token = co_await endpoint_.exchange_code(cb->shop, cb->code);
    if (!token) co_return std::move(token).error();
    co_return co_await finish_install(cb->shop, std::move(*token));
  }

  // An embedded app's session token (its frontend's Authorization: Bearer): verified, exchanged
  // for an offline token, the shop installed (again: its tokens replaced).
  boost::asio::awaitable<result<installed_shop>> install_by_session_token(std::string token) {
    if (broken_) co_return *broken_;
    auto claims = verify_session_token(token, options_.app, now());
    if (!claims) co_return std::move(claims).error();
    auto offline = co_await endpoint_.exchange_session_token(claims->shop_domain, token);
    if (!offline) co_return std::move(offline).error();
    co_return co_await finish_install(claims->shop_domain, std::move(*offline));
  }

  // Uninstalls a shop by API call: its subscriptions are removed (best effort: the token may be
  // revoked already), then the installation and its credentials are deleted at once.
  boost::asio::awaitable<result<void>> uninstall(std::string shop) {
    if (broken_) co_return *broken_;
    const std::string domain = credentials::normalize_shop_domain(shop);
    if (auto c = credentials_of(domain)) {
      admin_api api(client_, *c, *connector_, eng_.durable_store());
      auto removed = co_await remove_webhook_subscriptions(api, public_url());
      if (!removed) {
        eng_.log(log_level::warn, "webhook subscriptions not removed at uninstall",
                 {{"shop", domain}, {"error", to_string(removed.error())}});
      }
    }
    refresher_->forget(domain);
    co_return eng_.uninstall(Integration::name, domain);
  }

  // Refreshes every token that is due now (what start() does every refresh_check).
  boost::asio::awaitable<result<std::size_t>> refresh_due() {
    if (broken_) co_return *broken_;
    co_return co_await refresher_->refresh_due();
  }

  // Reconciles the webhook subscriptions of one installed shop.
  boost::asio::awaitable<result<subscription_report>> reconcile(std::string shop) {
    if (broken_) co_return *broken_;
    auto c = credentials_of(credentials::normalize_shop_domain(shop));
    if (!c) co_return make_error(errc::not_found, "reconcile: " + shop + " is not installed");
    admin_api api(client_, *c, *connector_, eng_.durable_store());
    co_return co_await reconcile_webhook_subscriptions(api, plan());
  }

  // The token refresher (tests, tools).
  token_refresher* refresher() noexcept { return refresher_ ? &*refresher_ : nullptr; }

 private:
  std::optional<error> unusable() const {
    if (!eng_.durable_store())
      return make_error(errc::unavailable, "onboarding: the store is not open");
    if (!eng_.options().keyring) {
      return make_error(errc::invalid_input,
                        "onboarding: engine_options::keyring is not set; a shop's tokens are "
                        "kept only sealed (docs/credentials.md)");
    }
    if (options_.app.client_id.empty() || options_.app.client_secret.empty())
      return make_error(errc::invalid_input, "onboarding: the app's client id or secret is empty");
    if (!options_.public_url.empty() && !options_.public_url.starts_with("https://") &&
        !options_.public_url.starts_with("http://")) {
      return make_error(errc::invalid_input,
                        "onboarding: public_url must be the engine's absolute http(s) URL");
    }
    return std::nullopt;
  }

  token_refresher_options refresh_options() const {
    token_refresher_options o = options_.refresh;
    if (!o.now) o.now = options_.tokens.now;
    return o;
  }

  std::chrono::system_clock::time_point now() const {
    return options_.tokens.now ? options_.tokens.now() : std::chrono::system_clock::now();
  }

  // Empty public_url: the engine's own URL (a local set-up, tests).
  std::string public_url() const {
    return options_.public_url.empty() ? eng_.url() : options_.public_url;
  }
  std::string redirect_uri() const { return public_url() + options_.callback_path; }

  // The integration's webhook topics, and app/uninstalled (Shopify sends it only to a
  // subscription; without it a shop that uninstalls would keep its credentials here).
  subscription_plan plan() const { return subscription_plan_for<Integration>(public_url()); }

  // The credentials of an installed shop as the refresher holds them now.
  std::optional<credentials> credentials_of(const std::string& shop) {
    auto row = eng_.durable_store()->get_installation(Integration::name, shop);
    if (!row || !*row) return std::nullopt;
    auto c = unseal_credentials<credentials>(*eng_.options().keyring, Integration::name, shop,
                                             (*row)->credentials.reveal());
    if (!c) return std::nullopt;
    auto tracked = refresher_->track(std::move(*c), (*row)->revision);
    return tracked;
  }

  boost::asio::awaitable<result<installed_shop>> finish_install(std::string shop,
                                                                offline_token token) {
    if (auto lack = missing_scopes(token.scope, scopes); !lack.empty()) {
      std::string names;
      for (const auto& s : lack) names += (names.empty() ? "" : ", ") + s;
      co_return make_error(errc::unauthorized, "install of " + shop +
                                                   ": the merchant did not grant " + names +
                                                   ", which the integration needs; nothing "
                                                   "was stored");
    }
    credentials c;
    c.shop_domain = shop;
    c.access_token = token.access_token;
    c.client_secret = options_.app.client_secret;
    c.previous_client_secret = options_.app.previous_client_secret;
    c.api_version = options_.api_version;
    c.base_url = options_.admin_base_url;
    c.refresh_token = token.refresh_token;
    c.expires_at = detail::timestamp_of(token.expires_at);
    c.refresh_token_expires_at = detail::timestamp_of(token.refresh_token_expires_at);
    // The token source first, so that the installed credentials (and every run) have it.
    credentials tracked = refresher_->track(c, 0);
    if (auto r = eng_.install(integration_, tenant<credentials>{shop, tracked}, given_); !r) {
      refresher_->forget(shop);
      co_return std::move(r).error();
    }
    if (auto row = eng_.durable_store()->get_installation(Integration::name, shop); row && *row)
      refresher_->track(c, (*row)->revision);
    installed_shop out{.shop = shop, .scope = token.scope};
    if (options_.subscribe_webhooks) {
      admin_api api(client_, tracked, *connector_, eng_.durable_store());
      auto report = co_await reconcile_webhook_subscriptions(api, plan());
      if (report) {
        out.subscriptions = std::move(*report);
      } else {
        // The shop is installed; its subscriptions are made again at the next start().
        out.subscription_error = report.error();
        eng_.log(log_level::warn, "webhook subscriptions not reconciled at install",
                 {{"shop", shop}, {"error", to_string(report.error())}});
      }
    }
    eng_.log(log_level::info, "shop installed",
             {{"integration", Integration::name}, {"shop", shop}, {"scope", token.scope}});
    co_return out;
  }

  boost::asio::awaitable<void> background() {
    // Subscriptions of the shops restored at this start.
    auto rows = eng_.durable_store()->list_installations(Integration::name);
    if (rows && options_.subscribe_webhooks) {
      for (const auto& row : *rows) {
        if (stopping_) co_return;
        auto report = co_await reconcile(row.id);
        if (!report) {
          eng_.log(log_level::warn, "webhook subscriptions not reconciled",
                   {{"shop", row.id}, {"error", to_string(report.error())}});
        }
      }
    }
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
    while (!stopping_) {
      auto r = co_await refresher_->refresh_due();
      if (!r) {
        eng_.log(log_level::warn, "token refresh failed; tried again at the next check",
                 {{"integration", Integration::name}, {"error", to_string(r.error())}});
      }
      timer.expires_after(options_.refresh_check);
      boost::system::error_code ec;
      co_await timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    }
  }

  // --- routes -------------------------------------------------------------------------------

  static http::response refusal(const error& e) {
    unsigned status = 400;
    switch (e.category) {
      case errc::unauthorized: status = 401; break;
      case errc::unavailable: status = 503; break;
      case errc::internal: status = 500; break;
      case errc::decode: status = 502; break;
      default: break;
    }
    return http::json_response(status, http::error_answer{e.message});
  }

  boost::asio::awaitable<http::response> on_install(http::incoming& req) {
    auto url = begin_install(req.query_param("shop").value_or(""));
    if (!url) co_return refusal(url.error());
    auto res = http::make_response(302, "", "text/plain");
    res.set(http::field::location, *url);
    co_return res;
  }

  boost::asio::awaitable<http::response> on_callback(http::incoming& req) {
    auto done = co_await complete_install(std::string(req.query));
    if (!done) co_return refusal(done.error());
    if (!options_.after_install_url.empty()) {
      auto res = http::make_response(302, "", "text/plain");
      res.set(http::field::location, options_.after_install_url);
      co_return res;
    }
    co_return http::json_response(200, detail::install_answer{done->shop, done->scope});
  }

  boost::asio::awaitable<http::response> on_session(http::incoming& req) {
    std::string_view auth = req.header(http::field::authorization);
    if (!auth.starts_with("Bearer ") || auth.size() <= 7) {
      co_return refusal(make_error(
          errc::unauthorized, "token exchange: expected Authorization: Bearer <session token>"));
    }
    auto done = co_await install_by_session_token(std::string(auth.substr(7)));
    if (!done) co_return refusal(done.error());
    co_return http::json_response(200, detail::install_answer{done->shop, done->scope});
  }

  // The app's compliance webhooks: verified with the app's client secret (the shop may have
  // uninstalled: its installation is gone, the app's secret is not), then handled before the
  // answer, so that a failure is a 503 that Shopify retries (erasing twice is harmless).
  boost::asio::awaitable<http::response> on_privacy(http::incoming& req) {
    const inbound_delivery d{[&req](std::string_view name) { return req.header(name); },
                             req.body()};
    auto who = app::identify(d);
    if (!who) co_return refusal(who.error());
    credentials signer;
    signer.shop_domain = who->tenant_key;
    signer.client_secret = options_.app.client_secret;
    signer.previous_client_secret = options_.app.previous_client_secret;
    if (auto ok = app::verify(d, signer); !ok) co_return refusal(ok.error());
    const std::string& shop = who->tenant_key;
    if (who->topic == "customers/redact") {
      auto request = json::decode<customers_redact>(req.body());
      if (!request) co_return refusal(request.error());
      auto r = co_await desk_->redact_customer(shop, std::move(*request), who->dedupe_key);
      if (!r) co_return privacy_failed(shop, who->topic, r.error());
      eng_.log(log_level::info, "customer data erased",
               {{"shop", shop},
                {"runs", r->store.runs},
                {"warehouse_rows", r->warehouse_rows},
                {"erasure", r->erasure_id}});
    } else if (who->topic == "shop/redact") {
      auto request = json::decode<shop_redact>(req.body());
      if (!request) co_return refusal(request.error());
      refresher_->forget(shop);
      if (auto u = eng_.uninstall(Integration::name, shop); !u)
        co_return privacy_failed(shop, who->topic, u.error());
      auto r = co_await desk_->redact_shop(shop, std::move(*request), who->dedupe_key);
      if (!r) co_return privacy_failed(shop, who->topic, r.error());
      eng_.log(log_level::info, "shop data erased",
               {{"shop", shop},
                {"runs", r->store.runs},
                {"warehouse_rows", r->warehouse_rows},
                {"erasure", r->erasure_id}});
    } else if (who->topic == "customers/data_request") {
      auto request = json::decode<customers_data_request>(req.body());
      if (!request) co_return refusal(request.error());
      auto data = desk_->collect(shop, *request);
      if (!data) co_return privacy_failed(shop, who->topic, data.error());
      if (options_.on_data_request) {
        if (auto r = options_.on_data_request(*data); !r)
          co_return privacy_failed(shop, who->topic, r.error());
      }
      eng_.log(log_level::info, "customer data request",
               {{"shop", shop}, {"runs", data->runs.size()}});
    } else {
      co_return refusal(make_error(errc::invalid_input,
                                   "not a privacy topic: " + json::detail::quoted(who->topic, 64)));
    }
    co_return http::json_response(200, detail::install_answer{shop, ""});
  }

  http::response privacy_failed(const std::string& shop, const std::string& topic, const error& e) {
    eng_.log(log_level::warn, "privacy request not done; Shopify sends it again",
             {{"shop", shop}, {"topic", topic}, {"error", to_string(e)}});
    return http::json_response(
        503, http::error_answer{topic + " of " + shop + " not done yet: " + e.message});
  }

  engine& eng_;
  const Integration& integration_;
  onboarding_options options_;
  services<S...> given_;
  http::client client_;
  token_endpoint endpoint_;
  connector own_connector_;
  connector* connector_ = nullptr;
  std::optional<token_refresher> refresher_;
  std::vector<std::unique_ptr<warehouse::erasable>> sinks_;
  std::optional<privacy_desk> desk_;
  std::optional<error> broken_;
  std::atomic<bool> started_{false};
  std::atomic<bool> stopping_{false};
};

template <class Integration, class... S>
onboarding(engine&, const Integration&, onboarding_options, services<S...>)
    -> onboarding<Integration, S...>;
template <class Integration>
onboarding(engine&, const Integration&, onboarding_options) -> onboarding<Integration>;

}  // namespace syncline::shopify
