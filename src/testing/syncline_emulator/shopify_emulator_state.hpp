// testing::shopify_emulator_state: the emulator's whole behaviour as synchronous functions —
// shops (tenants) with their tokens, secrets, plans and data; the REST and GraphQL Admin API
// answers; rate limiting; version handling; webhook subscriptions and the delivery queue; fault
// injection. It needs no socket: `handle(request)` returns the answer Shopify would give, so it is
// tested directly, and shopify_emulator puts it behind an HTTP server. Thread-safe.
#pragma once

#include <syncline/core/result.hpp>
#include <syncline/http/hmac.hpp>
#include <syncline/http/message.hpp>
#include <syncline/testing/emulated_app.hpp>
#include <syncline/testing/emulated_shop.hpp>
#include <syncline/testing/privacy_request.hpp>
#include <syncline/testing/session_token_options.hpp>
#include <syncline/testing/shopify_emulator_options.hpp>
#include <syncline/testing/shopify_faults.hpp>
#include <syncline/testing/webhook_subscription.hpp>
#include <syncline_emulator/graphql_admin_schema.hpp>
#include <syncline_emulator/graphql_document.hpp>
#include <syncline_emulator/graphql_endpoint.hpp>
#include <syncline_emulator/graphql_executor.hpp>
#include <syncline_emulator/oauth_server.hpp>
#include <syncline_emulator/rest_api.hpp>
#include <syncline_emulator/shop_data.hpp>
#include <syncline_emulator/timestamps.hpp>
#include <syncline_emulator/uuid.hpp>
#include <syncline_emulator/webhook_delivery_queue.hpp>

#include <boost/beast/http/status.hpp>
#include <boost/json.hpp>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace syncline::testing {

// The answer to one request. `drop_connection` asks the transport to close the connection
// without sending `response` (the lost-answer fault).
struct emulator_answer {
  http::response response;
  bool drop_connection = false;
};

class shopify_emulator_state {
 public:
  explicit shopify_emulator_state(shopify_emulator_options options = {})
      : options_(std::move(options)),
        rng_(options_.seed ? options_.seed : std::random_device{}()),
        oauth_(std::move(options_.apps), rng_),
        queue_(options_.retry_schedule, options_.seed ? options_.seed + 1 : 0) {
    if (!oauth_.configuration()) configuration_ = oauth_.configuration();
    queue_.on_exhausted([this](const webhook_delivery& d) { on_delivery_exhausted(d); });
    auto shops = std::move(options_.shops);
    options_.shops.clear();
    for (auto& s : shops) {
      auto added = add_shop(std::move(s));
      if (!added && configuration_) configuration_ = std::move(added).error();
    }
  }

  // Whether every shop of the options was accepted; the first refusal otherwise.
  const result<void>& configuration() const noexcept { return configuration_; }

  shopify_emulator_state(const shopify_emulator_state&) = delete;
  shopify_emulator_state& operator=(const shopify_emulator_state&) = delete;

  const shopify_emulator_options& options() const noexcept { return options_; }
  emulator_clock& clock() noexcept { return options_.clock; }
  webhook_delivery_queue& deliveries() noexcept { return queue_; }
  const shopify_api_versions& versions() const noexcept { return options_.versions; }

  // "acme" and "ACME.myshopify.com" both name "acme.myshopify.com".
  static std::string normalize_domain(std::string_view d) {
    std::string s = detail::lower(d);
    if (s.find('.') == std::string::npos) s += ".myshopify.com";
    return s;
  }

  // Adds a tenant; returns its normalized domain. Access tokens must be unique across shops
  // (the emulator can tell shops apart by token alone).
  result<std::string> add_shop(emulated_shop shop) {
    std::lock_guard lock(mutex_);
    shop.domain = normalize_domain(shop.domain);
    if (shop.domain.empty() || shop.domain.front() == '.' ||
        shop.domain.find_first_of(" /:?#@") != std::string::npos)
      return make_error(errc::invalid_input,
                        "shop domain '" + shop.domain + "' is not a host name");
    if (find_shop(shop.domain))
      return make_error(errc::conflict, "shop " + shop.domain + " already exists");
    for (const auto& t : shop.access_tokens) {
      if (t.empty())
        return make_error(errc::invalid_input,
                          "shop " + shop.domain + " has an empty access token");
      for (const auto& other : shops_)
        for (const auto& ot : other.config.access_tokens)
          if (ot == t)
            return make_error(errc::conflict, "an access token of shop " + shop.domain +
                                                  " is already used by shop " +
                                                  other.config.domain);
    }
    if (shop.client_secret.empty() && !shop.access_tokens.empty())
      return make_error(errc::invalid_input, "shop " + shop.domain +
                                                 " has access tokens but no client secret to "
                                                 "sign its app's webhooks");
    if (shop.name.empty()) shop.name = shop.domain.substr(0, shop.domain.find('.'));
    if (shop.webhook_api_version.empty()) shop.webhook_api_version = options_.versions.latest();
    detail::shop_data data;
    data.shop_id = ++ids_.shop;
    data.installed = !shop.access_tokens.empty();
    data.config = std::move(shop);
    shops_.push_back(std::move(data));
    return shops_.back().config.domain;
  }

  std::vector<std::string> shops() const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    for (const auto& s : shops_) out.push_back(s.config.domain);
    return out;
  }

  // ---- the Admin API ------------------------------------------------------------------------

  emulator_answer handle(const http::request& req) {
    std::lock_guard lock(mutex_);
    const auto now = options_.clock.now();
    const std::string_view target = req.target();
    const auto qpos = target.find('?');
    std::string_view path = target.substr(0, qpos);
    const std::string_view query =
        qpos == std::string_view::npos ? std::string_view{} : target.substr(qpos + 1);
    // "/shops/<domain>/admin/...": the shop named in the path, for clients on a loopback URL
    // that cannot send <shop>.myshopify.com as Host (shop_url()).
    std::string_view host = header(req, "Host"), shop_prefix;
    if (path.starts_with("/shops/")) {
      const auto end = path.find('/', 7);
      host = path.substr(7, end == std::string_view::npos ? end : end - 7);
      shop_prefix = path.substr(0, end);
      path = end == std::string_view::npos ? std::string_view{} : path.substr(end);
    }
    if (path.starts_with("/admin/oauth/")) return oauth_endpoint(req, path, query, host, now);

    constexpr std::string_view prefix = "/admin/api/";
    if (!path.starts_with(prefix)) return answer(404, not_found_body(), {});
    std::string_view rest = path.substr(prefix.size());
    const auto slash = rest.find('/');
    if (slash == std::string_view::npos) return answer(404, not_found_body(), {});
    const std::string_view requested_version = rest.substr(0, slash);
    const std::string_view resource = rest.substr(slash + 1);
    const auto version = options_.versions.resolve(requested_version);
    if (!version) return answer(404, not_found_body(), {});  // malformed version segment
    const std::string& served = version->served;

    const std::string_view token = header(req, "X-Shopify-Access-Token");
    detail::oauth_identity app;
    const auto issued = oauth_.authenticate(token, now, &app);
    // A shop named in the path is that shop or none; a Host may be a loopback address.
    detail::shop_data* shop =
        shop_prefix.empty() ? shop_for(host, token) : find_shop(host_name(host));
    if (!shop && shop_prefix.empty() && issued == detail::oauth_server::check::valid)
      shop = find_shop(app.shop);
    if (!shop && !shop_prefix.empty()) return answer(404, not_found_body(), {});
    if (shop && shop->faults.fail_next > 0) {
      --shop->faults.fail_next;
      const unsigned status = shop->faults.fail_status;
      std::string reason(
          boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(status)));
      auto a = answer(status, boost::json::object{{"errors", reason.empty() ? "Error" : reason}},
                      served);
      if (shop->faults.fail_retry_after.count() > 0)
        a.response.set(http::field::retry_after,
                       std::to_string(shop->faults.fail_retry_after.count()));
      return a;
    }
    const bool authentic = issued == detail::oauth_server::check::valid
                               ? shop && app.shop == shop->config.domain
                               : shop && shop->installed && token_of(*shop, token);
    if (!authentic)  // unknown, expired and revoked tokens alike, as Shopify answers them
      return answer(
          401,
          boost::json::object{
              {"errors",
               "[API] Invalid API key or access token (unrecognized login or wrong password)"}},
          served);
    auto& buckets = buckets_of(*shop, token, now);

    if (resource == "graphql.json") {
      if (req.method() != http::verb::post) return answer(404, not_found_body(), served);
      return graphql(*shop, buckets, served, req, now, app.client_id);
    }

    // REST: every call costs one request in the leaky bucket.
    if (!buckets.rest.try_add(1, now)) {
      auto a = answer(429,
                      boost::json::object{
                          {"errors", "Exceeded " + detail::number(buckets.rest.leak_per_second()) +
                                         " calls per second for api client. Reduce request "
                                         "rates to resume uninterrupted service."}},
                      served);
      a.response.set(http::field::retry_after, "2.0");
      call_limit(a, buckets.rest, now);
      return a;
    }
    detail::rest_context ctx{*shop, ids_,   now,
                             rng_,  served, base_url(req, shop_prefix, requested_version),
                             {},    false,  app.client_id};
    auto params = detail::parse_query(query);
    detail::rest_reply reply =
        params ? detail::route_rest(ctx, req.method(), resource, *params, req.body())
               : detail::bad_request(boost::json::value("malformed query string"));
    auto a = answer(reply.status, reply.body, served);
    for (auto& [k, v] : reply.headers) a.response.set(k, v);
    call_limit(a, buckets.rest, now);
    fire(*shop, ctx.events, now);
    lose_answer_if_planned(*shop, ctx.created_order, a);
    return a;
  }

  // ---- the embedding API ----------------------------------------------------------------------

  // Subscribes `address` to `topic` of `shop`, as the app would through the API; any known topic,
  // the compliance topics included.
  result<webhook_subscription> subscribe(std::string_view shop, std::string topic,
                                         std::string address, std::string name = {}) {
    std::lock_guard lock(mutex_);
    auto* s = find_shop(normalize_domain(shop));
    if (!s) return unknown_shop(shop);
    if (s->config.client_secret.empty())  // its deliveries could not be signed
      return make_error(errc::invalid_input,
                        "shop " + s->config.domain +
                            " has no app of its own (no client secret): an installed app "
                            "subscribes with its token (webhookSubscriptionCreate)");
    webhook_subscription sub;
    sub.topic = std::move(topic);
    sub.address = std::move(address);
    sub.name = std::move(name);
    sub.api_version = s->config.webhook_api_version;
    sub.created_at = sub.updated_at = options_.clock.now();
    auto errors = detail::check_subscription(*s, sub, 0, false);
    if (!errors.empty())
      return make_error(errc::invalid_input, "cannot subscribe: " + errors.front().path.front() +
                                                 " " + errors.front().message);
    sub.id = ++ids_.subscription;
    s->subscriptions.push_back(sub);
    return sub;
  }

  result<void> unsubscribe(std::string_view shop, std::uint64_t subscription_id) {
    std::lock_guard lock(mutex_);
    auto* s = find_shop(normalize_domain(shop));
    if (!s) return unknown_shop(shop);
    auto before = s->subscriptions.size();
    std::erase_if(s->subscriptions, [&](const auto& x) { return x.id == subscription_id; });
    if (before == s->subscriptions.size())
      return make_error(errc::not_found, "no subscription " + std::to_string(subscription_id) +
                                             " in " + s->config.domain);
    return {};
  }

  std::vector<webhook_subscription> subscriptions(std::string_view shop) const {
    std::lock_guard lock(mutex_);
    const auto* s = find_shop(normalize_domain(shop));
    return s ? s->subscriptions : std::vector<webhook_subscription>{};
  }

  // Creates an order as if placed in the shop (storefront or admin): `order` in REST shape. Fires
  // orders/create (and orders/paid) like any other create. source_name defaults to "web".
  result<boost::json::object> create_order(std::string_view shop, boost::json::object order) {
    std::lock_guard lock(mutex_);
    auto* s = find_shop(normalize_domain(shop));
    if (!s) return unknown_shop(shop);
    if (!order.contains("source_name")) order["source_name"] = "web";
    const auto now = options_.clock.now();
    auto built = detail::build_order(order, detail::order_context{*s, ids_, now, rng_});
    if (auto* errors = std::get_if<detail::field_errors>(&built)) return invalid(*errors);
    auto& stored = s->add_order(std::move(std::get<detail::stored_order>(built)));
    std::vector<detail::order_event> events{{"orders/create", stored.id}};
    if (stored.json["financial_status"] == "paid") events.push_back({"orders/paid", stored.id});
    fire(*s, events, now);
    return stored.json;
  }

  // Changes an order as the merchant would (tags, note, note_attributes, email, phone, ...);
  // fires orders/updated.
  result<boost::json::object> update_order(std::string_view shop, std::uint64_t id,
                                           const boost::json::object& changes) {
    std::lock_guard lock(mutex_);
    auto* s = find_shop(normalize_domain(shop));
    if (!s) return unknown_shop(shop);
    auto* o = s->find_order(id);
    if (!o)
      return make_error(errc::not_found,
                        "no order " + std::to_string(id) + " in " + s->config.domain);
    const auto now = options_.clock.now();
    auto errors = detail::update_order(*o, changes, *s, now);
    if (!errors.empty()) return invalid(errors);
    fire(*s, {{"orders/updated", id}}, now);
    return o->json;
  }

  std::vector<boost::json::object> orders(std::string_view shop) const {
    std::lock_guard lock(mutex_);
    std::vector<boost::json::object> out;
    if (const auto* s = find_shop(normalize_domain(shop)))
      for (const auto& o : s->orders) out.push_back(o.json);
    return out;
  }

  std::optional<boost::json::object> order(std::string_view shop, std::uint64_t id) const {
    std::lock_guard lock(mutex_);
    const auto* s = find_shop(normalize_domain(shop));
    const auto* o = s ? s->find_order(id) : nullptr;
    return o ? std::optional{o->json} : std::nullopt;
  }

  // Sends `payload` as `topic` to the shop's subscribers of that topic (any known topic, e.g.
  // customers/redact or orders/fulfilled). Returns how many deliveries were queued.
  result<std::size_t> emit(std::string_view shop, std::string_view topic,
                           const boost::json::object& payload) {
    std::lock_guard lock(mutex_);
    auto* s = find_shop(normalize_domain(shop));
    if (!s) return unknown_shop(shop);
    const auto& topics = known_webhook_topics();
    if (std::find(topics.begin(), topics.end(), topic) == topics.end())
      return make_error(errc::invalid_input, "unknown webhook topic '" + std::string(topic) + "'");
    return deliver(*s, topic, payload, options_.clock.now());
  }

  // The merchant uninstalls an app (`client_id` of an emulated_app; empty: the shop's own app
  // and every app installed through OAuth): its tokens stop working at once, then app/uninstalled
  // goes to its subscribers and its subscriptions are gone.
  result<void> uninstall(std::string_view shop, std::string_view client_id = {}) {
    std::lock_guard lock(mutex_);
    auto* s = find_shop(normalize_domain(shop));
    if (!s) return unknown_shop(shop);
    std::vector<std::string> apps = oauth_.uninstall(s->config.domain, client_id);
    if (client_id.empty() && s->installed) {
      s->installed = false;
      apps.emplace_back();  // the shop's own app
    }
    if (apps.empty())
      return make_error(errc::conflict, "the app " + std::string(client_id) +
                                            (client_id.empty() ? "" : " ") +
                                            "is not installed in " + s->config.domain);
    deliver(*s, "app/uninstalled", detail::shop_json(*s), options_.clock.now(), &apps);
    std::erase_if(s->subscriptions, [&](const webhook_subscription& x) {
      return std::find(apps.begin(), apps.end(), x.app_client_id) != apps.end();
    });
    return {};
  }

  // How the merchant of `shop` answers the next install screens (deny, withhold scopes).
  result<void> set_merchant_approval(std::string_view shop, merchant_approval approval) {
    std::lock_guard lock(mutex_);
    auto* s = find_shop(normalize_domain(shop));
    if (!s) return unknown_shop(shop);
    s->merchant = std::move(approval);
    return {};
  }

  // The scopes `client_id` holds in `shop`; not_found when it is not installed there.
  result<std::vector<std::string>> granted_scopes(std::string_view shop,
                                                  std::string_view client_id) const {
    std::lock_guard lock(mutex_);
    auto scopes = oauth_.installed_scopes(normalize_domain(shop), std::string(client_id));
    if (!scopes)
      return make_error(errc::not_found, "app " + std::string(client_id) + " is not installed in " +
                                             normalize_domain(shop));
    return std::move(*scopes);
  }

  // A session token of `client_id` for `shop`, as App Bridge hands it to the app's frontend.
  result<std::string> session_token(std::string_view shop, std::string_view client_id,
                                    const session_token_options& o) {
    std::lock_guard lock(mutex_);
    auto* s = find_shop(normalize_domain(shop));
    if (!s) return unknown_shop(shop);
    return oauth_.mint_session_token(s->config.domain, client_id, o.user_id, o.lifetime, o.claims,
                                     options_.clock.now());
  }

  // A privacy request (customers/data_request, customers/redact, shop/redact) about `shop`: sent
  // to the compliance URL of every app that was ever installed there, and to subscriptions of
  // the topic. Returns how many deliveries were queued.
  result<std::size_t> request_privacy(std::string_view shop, std::string_view topic,
                                      const privacy_request& r) {
    std::lock_guard lock(mutex_);
    auto* s = find_shop(normalize_domain(shop));
    if (!s) return unknown_shop(shop);
    if (!detail::compliance_topic(topic))
      return make_error(errc::invalid_input, "'" + std::string(topic) +
                                                 "' is not a privacy topic (customers/redact, "
                                                 "customers/data_request, shop/redact)");
    boost::json::object payload{{"shop_id", s->shop_id}, {"shop_domain", s->config.domain}};
    if (topic != "shop/redact") {
      payload["customer"] = boost::json::object{
          {"id", r.customer_id},
          {"email", r.email},
          {"phone", r.phone.empty() ? boost::json::value(nullptr) : boost::json::value(r.phone)}};
      payload[topic == "customers/redact" ? "orders_to_redact" : "orders_requested"] =
          boost::json::value_from(r.orders);
      if (topic == "customers/data_request")
        payload["data_request"] = boost::json::object{{"id", ++ids_.privacy_request}};
    }
    const auto now = options_.clock.now();
    std::string event_id;
    std::size_t n = 0;
    for (const auto& client_id : oauth_.apps_ever_installed(s->config.domain)) {
      const emulated_app* a = oauth_.app(client_id);
      if (a->compliance_url.empty()) continue;
      webhook_subscription to{};  // the app configuration's compliance URL, no subscription
      to.topic = std::string(topic);
      to.address = a->compliance_url;
      to.api_version = s->config.webhook_api_version;
      to.app_client_id = client_id;
      n += enqueue(*s, to, payload, event_id, now);
    }
    for (const auto& sub : s->subscriptions)
      if (sub.topic == topic) n += enqueue(*s, sub, payload, event_id, now);
    return n;
  }

  result<void> set_request_faults(std::string_view shop, request_faults faults) {
    std::lock_guard lock(mutex_);
    auto* s = find_shop(normalize_domain(shop));
    if (!s) return unknown_shop(shop);
    s->faults = faults;
    return {};
  }
  // What is left of the shop's request faults (counters go down as they fire).
  result<request_faults> request_faults_of(std::string_view shop) const {
    std::lock_guard lock(mutex_);
    const auto* s = find_shop(normalize_domain(shop));
    if (!s) return unknown_shop(shop);
    return s->faults;
  }
  result<void> set_webhook_faults(std::string_view shop, webhook_faults faults) {
    std::string domain = normalize_domain(shop);
    {
      std::lock_guard lock(mutex_);
      if (!find_shop(domain)) return unknown_shop(shop);
    }
    queue_.set_faults(domain, faults);
    return {};
  }

 private:
  static boost::json::object not_found_body() { return {{"errors", "Not Found"}}; }

  static ::syncline::error unknown_shop(std::string_view shop) {
    return make_error(errc::not_found, "the emulator has no shop '" + std::string(shop) + "'");
  }
  static ::syncline::error invalid(const detail::field_errors& errors) {
    std::string m = "invalid order:";
    for (const auto& e : errors) {
      std::string where;
      for (const auto& p : e.path) where += (where.empty() ? "" : ".") + p;
      m += " " + where + " " + e.message + ";";
    }
    m.pop_back();
    return make_error(errc::invalid_input, m);
  }

  static std::string_view header(const http::request& req, std::string_view name) {
    auto it = req.find(name);
    return it == req.end() ? std::string_view{} : std::string_view(it->value());
  }

  detail::shop_data* find_shop(const std::string& domain) {
    for (auto& s : shops_)
      if (s.config.domain == domain) return &s;
    return nullptr;
  }
  const detail::shop_data* find_shop(const std::string& domain) const {
    for (const auto& s : shops_)
      if (s.config.domain == domain) return &s;
    return nullptr;
  }

  // The shop a request is for: named by its Host (as on Shopify), else the one owning the token.
  static std::string host_name(std::string_view host) {
    return detail::lower(host.substr(
        0, host.rfind(':') == std::string_view::npos || host.find(']') != std::string_view::npos
               ? host.size()
               : host.rfind(':')));
  }
  detail::shop_data* shop_for(std::string_view host, std::string_view token) {
    if (auto* s = find_shop(host_name(host))) return s;
    if (token.empty()) return nullptr;
    for (auto& s : shops_)
      if (token_of(s, token)) return &s;
    return nullptr;
  }
  static bool token_of(const detail::shop_data& s, std::string_view token) {
    if (token.empty()) return false;
    bool found = false;
    for (const auto& t : s.config.access_tokens)
      found = http::constant_time_equal(t.reveal(), token) || found;
    return found;
  }

  detail::api_buckets& buckets_of(detail::shop_data& s, std::string_view token,
                                  emulator_clock::time_point now) {
    auto it = s.buckets.find(std::string(token));
    if (it == s.buckets.end()) {
      const auto& p = s.config.plan;
      it = s.buckets
               .emplace(
                   std::string(token),
                   detail::api_buckets{
                       detail::leaky_bucket(p.rest_bucket, p.rest_leak_per_second, now),
                       detail::leaky_bucket(p.graphql_bucket, p.graphql_restore_per_second, now)})
               .first;
    }
    return it->second;
  }

  std::string base_url(const http::request& req, std::string_view shop_prefix,
                       std::string_view version) const {
    std::string base = options_.public_base_url;
    if (base.empty()) {
      std::string_view host = header(req, "Host");
      base = "http://" + std::string(host.empty() ? "localhost" : host);
    }
    while (!base.empty() && base.back() == '/') base.pop_back();
    return base + std::string(shop_prefix) + "/admin/api/" + std::string(version);
  }

  emulator_answer answer(unsigned status, const boost::json::value& body,
                         std::string_view version) {
    emulator_answer a{http::make_response(status, boost::json::serialize(body),
                                          "application/json; charset=utf-8")};
    if (!version.empty()) a.response.set("X-Shopify-API-Version", version);
    a.response.set("X-Request-Id", detail::uuid_v4(rng_));
    return a;
  }

  static void call_limit(emulator_answer& a, detail::leaky_bucket& b,
                         emulator_clock::time_point now) {
    const auto used = static_cast<long long>(std::ceil(b.used(now) - 1e-9));
    a.response.set(
        "X-Shopify-Shop-Api-Call-Limit",
        std::to_string(used) + "/" + std::to_string(static_cast<long long>(b.capacity())));
  }

  void lose_answer_if_planned(detail::shop_data& s, bool created, emulator_answer& a) {
    if (created && s.faults.lose_next_create_answers > 0) {
      --s.faults.lose_next_create_answers;
      a.drop_connection = true;
    }
  }

  // ---- app installs ---------------------------------------------------------------------------

  // /admin/oauth/authorize (the merchant's install screen) and /admin/oauth/access_token of the
  // shop named by Host or by /shops/<domain>.
  emulator_answer oauth_endpoint(const http::request& req, std::string_view path,
                                 std::string_view query, std::string_view host,
                                 emulator_clock::time_point now) {
    auto text = [](unsigned status, std::string body) {
      return emulator_answer{
          http::make_response(status, std::move(body), "text/plain; charset=utf-8")};
    };
    detail::shop_data* shop = find_shop(host_name(host));
    if (!shop) return text(404, "No shop at this address: name it by Host or /shops/<domain>");
    auto q = detail::parse_query(query);
    if (!q) return text(400, "malformed query string");
    if (path == "/admin/oauth/authorize" && req.method() == http::verb::get)
      return {oauth_.authorize(shop->config.domain, *q, shop->merchant, now)};
    if (path == "/admin/oauth/access_token" && req.method() == http::verb::post) {
      auto params = detail::token_request_params(req, *q);
      if (!params)
        return {detail::oauth_server::oauth_error(400, "invalid_request",
                                                  "the body is neither a form nor JSON")};
      return {oauth_.access_token(shop->config.domain, *params, now)};
    }
    return answer(404, not_found_body(), {});
  }

  // ---- GraphQL --------------------------------------------------------------------------------

  emulator_answer graphql(detail::shop_data& shop, detail::api_buckets& buckets,
                          const std::string& served, const http::request& req,
                          emulator_clock::time_point now, const std::string& app) {
    detail::admin_context ctx{shop, ids_, now, rng_, served, {}, false, {}, app};
    auto r = detail::run_graphql(req, ctx, buckets.graphql, options_.graphql_throttle_status);
    auto a = answer(r.status, r.body, served);
    if (!r.retry_after.empty()) a.response.set(http::field::retry_after, r.retry_after);
    fire(shop, ctx.events, now);
    lose_answer_if_planned(shop, ctx.created_order, a);
    return a;
  }

  // ---- webhooks -------------------------------------------------------------------------------

  void fire(detail::shop_data& shop, const std::vector<detail::order_event>& events,
            emulator_clock::time_point now) {
    for (const auto& e : events)
      if (const auto* o = shop.find_order(e.order_id)) deliver(shop, e.topic, o->json, now);
  }

  // One event: a delivery per subscription of `topic` (of the apps in `only_apps` when given),
  // all with one X-Shopify-Event-Id.
  std::size_t deliver(detail::shop_data& shop, std::string_view topic,
                      const boost::json::object& payload, emulator_clock::time_point now,
                      const std::vector<std::string>* only_apps = nullptr) {
    std::size_t n = 0;
    std::string event_id;
    for (const auto& sub : shop.subscriptions) {
      if (sub.topic != topic) continue;
      if (only_apps &&
          std::find(only_apps->begin(), only_apps->end(), sub.app_client_id) == only_apps->end())
        continue;
      n += enqueue(shop, sub, payload, event_id, now);
    }
    return n;
  }
  // One delivery of `payload` to `sub`, signed with the secret of the app that subscribed.
  std::size_t enqueue(detail::shop_data& shop, const webhook_subscription& sub,
                      const boost::json::object& payload, std::string& event_id,
                      emulator_clock::time_point now) {
    const emulated_app* app = sub.app_client_id.empty() ? nullptr : oauth_.app(sub.app_client_id);
    const secret& key = app ? app->client_secret : shop.config.client_secret;
    if (key.empty()) return 0;  // nobody could verify it: Shopify has no such subscription
    if (event_id.empty()) event_id = detail::uuid_v4(rng_);
    webhook_delivery d;
    d.subscription_id = sub.id;
    d.shop_domain = shop.config.domain;
    d.topic = sub.topic;
    d.api_version = sub.api_version;
    d.webhook_id = detail::uuid_v4(rng_);
    d.event_id = event_id;
    d.triggered_at = detail::format_utc_nanos(now);
    d.subscription_name = sub.name;
    d.address = sub.address;
    if (sub.fields.empty()) {
      d.body = boost::json::serialize(payload);  // the whole payload: no copy to project
    } else {
      std::string fields;
      for (const auto& f : sub.fields) fields += (fields.empty() ? "" : ",") + f;
      d.body = boost::json::serialize(detail::project(payload, &fields));
    }
    d.hmac = http::hmac_sha256_base64(key.reveal(), d.body);
    queue_.enqueue(std::move(d), now);
    return 1;
  }
  void on_delivery_exhausted(const webhook_delivery& d) {
    if (!options_.remove_failing_subscriptions || d.subscription_id == 0) return;
    std::lock_guard lock(mutex_);
    if (auto* s = find_shop(d.shop_domain))
      std::erase_if(s->subscriptions, [&](const auto& x) { return x.id == d.subscription_id; });
  }

  shopify_emulator_options options_;
  mutable std::mutex mutex_;
  std::mt19937_64 rng_;
  detail::oauth_server oauth_;
  detail::id_counters ids_;
  std::list<detail::shop_data> shops_;  // stable addresses while requests hold a shop
  webhook_delivery_queue queue_;
  result<void> configuration_;
};

}  // namespace syncline::testing
