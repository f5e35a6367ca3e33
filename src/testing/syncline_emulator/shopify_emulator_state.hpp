// testing::shopify_emulator_state: the emulator's whole behaviour as synchronous functions —
// shops (tenants) with their tokens, secrets, plans and data; the REST and GraphQL Admin API
// answers; rate limiting; version handling; webhook subscriptions and the delivery queue; fault
// injection. It needs no socket: `handle(request)` returns the answer Shopify would give, so it is
// tested directly, and shopify_emulator puts it behind an HTTP server. Thread-safe.
#pragma once

#include <syncline/core/result.hpp>
#include <syncline/http/hmac.hpp>
#include <syncline/http/message.hpp>
#include <syncline/testing/emulated_shop.hpp>
#include <syncline/testing/shopify_emulator_options.hpp>
#include <syncline/testing/shopify_faults.hpp>
#include <syncline/testing/webhook_subscription.hpp>
#include <syncline_emulator/graphql_admin_schema.hpp>
#include <syncline_emulator/graphql_document.hpp>
#include <syncline_emulator/graphql_executor.hpp>
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
        queue_(options_.retry_schedule, options_.seed ? options_.seed + 1 : 0) {
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
    if (shop.access_tokens.empty())
      return make_error(errc::invalid_input,
                        "shop " + shop.domain + " needs at least one access token");
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
    if (shop.client_secret.empty())
      return make_error(errc::invalid_input,
                        "shop " + shop.domain + " needs a client secret to sign webhooks");
    if (shop.name.empty()) shop.name = shop.domain.substr(0, shop.domain.find('.'));
    if (shop.webhook_api_version.empty()) shop.webhook_api_version = options_.versions.latest();
    detail::shop_data data;
    data.shop_id = ++ids_.shop;
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
    const std::string_view path = target.substr(0, qpos);
    const std::string_view query =
        qpos == std::string_view::npos ? std::string_view{} : target.substr(qpos + 1);

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
    detail::shop_data* shop = shop_for(header(req, "Host"), token);
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
    if (!shop || !shop->installed || !token_of(*shop, token))
      return answer(
          401,
          boost::json::object{
              {"errors",
               "[API] Invalid API key or access token (unrecognized login or wrong password)"}},
          served);
    auto& buckets = buckets_of(*shop, token, now);

    if (resource == "graphql.json") {
      if (req.method() != http::verb::post) return answer(404, not_found_body(), served);
      return graphql(*shop, buckets, served, req, now);
    }

    // REST: every call costs one request in the leaky bucket.
    if (!buckets.rest.try_add(1, now)) {
      auto a = answer(
          429,
          boost::json::object{{"errors", "Exceeded " + number(buckets.rest.leak_per_second()) +
                                             " calls per second for api client. Reduce request "
                                             "rates to resume uninterrupted service."}},
          served);
      a.response.set(http::field::retry_after, "2.0");
      call_limit(a, buckets.rest, now);
      return a;
    }
    detail::rest_context ctx{*shop, ids_, now, rng_, served, base_url(req, requested_version),
                             {},    false};
    auto params = detail::parse_query(query);
    detail::rest_reply reply =
        params ? route_rest(ctx, req.method(), resource, *params, req.body())
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

  // The merchant uninstalls the app: app/uninstalled is sent, then the shop's tokens stop working
  // and its subscriptions are gone.
  result<void> uninstall(std::string_view shop) {
    std::lock_guard lock(mutex_);
    auto* s = find_shop(normalize_domain(shop));
    if (!s) return unknown_shop(shop);
    if (!s->installed)
      return make_error(errc::conflict, "the app is not installed in " + s->config.domain);
    deliver(*s, "app/uninstalled", detail::shop_json(*s), options_.clock.now());
    s->installed = false;
    s->subscriptions.clear();
    return {};
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

  static std::string number(double d) {
    if (d == std::floor(d)) return std::to_string(static_cast<long long>(d));
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
    return ec == std::errc{} ? std::string(buf, end) : std::to_string(d);
  }
  // Whole numbers as JSON integers (2000, not 2E3), others as doubles.
  static boost::json::value json_number(double d) {
    if (d == std::floor(d) && std::fabs(d) < 9e15) return static_cast<std::int64_t>(d);
    return d;
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
  detail::shop_data* shop_for(std::string_view host, std::string_view token) {
    std::string h = detail::lower(host.substr(
        0, host.rfind(':') == std::string_view::npos || host.find(']') != std::string_view::npos
               ? host.size()
               : host.rfind(':')));
    if (auto* s = find_shop(h)) return s;
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

  std::string base_url(const http::request& req, std::string_view version) const {
    std::string base = options_.public_base_url;
    if (base.empty()) {
      std::string_view host = header(req, "Host");
      base = "http://" + std::string(host.empty() ? "localhost" : host);
    }
    while (!base.empty() && base.back() == '/') base.pop_back();
    return base + "/admin/api/" + std::string(version);
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

  detail::rest_reply route_rest(detail::rest_context& c, http::verb method,
                                std::string_view resource, const detail::query_params& q,
                                const std::string& body) {
    using http::verb;
    auto id_in = [](std::string_view s) -> std::optional<std::uint64_t> {
      std::uint64_t n = 0;
      auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
      if (ec != std::errc{} || p != s.data() + s.size() || n == 0) return std::nullopt;
      return n;
    };
    if (resource == "orders.json") {
      if (method == verb::get) return detail::list_orders(c, q);
      if (method == verb::post) return detail::create_order(c, body);
    } else if (resource == "orders/count.json" && method == verb::get) {
      return detail::count_orders(c, q);
    } else if (resource == "webhooks.json") {
      if (method == verb::get) return detail::list_webhooks(c, q, false);
      if (method == verb::post)
        return detail::create_webhook(c, body, c.shop.config.webhook_api_version);
    } else if (resource == "webhooks/count.json" && method == verb::get) {
      return detail::list_webhooks(c, q, true);
    } else if (resource == "shop.json" && method == verb::get) {
      return {200, boost::json::object{{"shop", detail::shop_json(c.shop)}}, {}};
    } else if (resource.starts_with("orders/") && resource.ends_with(".json")) {
      std::string_view inner = resource.substr(7, resource.size() - 7 - 5);
      auto slash = inner.find('/');
      auto id = id_in(inner.substr(0, slash));
      if (!id) return detail::not_found();
      if (slash == std::string_view::npos) {
        if (method == verb::get) return detail::get_order(c, *id, q);
        if (method == verb::put) return detail::put_order(c, *id, body);
      } else if (method == verb::post && inner.substr(slash + 1) == "cancel") {
        return detail::cancel_order(c, *id, body);
      } else if (method == verb::post && inner.substr(slash + 1) == "close") {
        return detail::close_order(c, *id);
      }
    } else if (resource.starts_with("webhooks/") && resource.ends_with(".json")) {
      auto id = id_in(resource.substr(9, resource.size() - 9 - 5));
      if (id && (method == verb::get || method == verb::put || method == verb::delete_))
        return detail::webhook_by_id(c, *id, method, body);
    }
    return detail::not_found();
  }

  // ---- GraphQL --------------------------------------------------------------------------------

  boost::json::object throttle_status(detail::leaky_bucket& b, emulator_clock::time_point now) {
    return {{"maximumAvailable", json_number(b.capacity())},
            {"currentlyAvailable", static_cast<std::int64_t>(std::floor(b.available(now) + 1e-9))},
            {"restoreRate", json_number(b.leak_per_second())}};
  }

  emulator_answer graphql(detail::shop_data& shop, detail::api_buckets& buckets,
                          const std::string& served, const http::request& req,
                          emulator_clock::time_point now) {
    std::string query, operation;
    boost::json::object variables;
    const std::string_view content_type = header(req, "Content-Type");
    if (content_type.starts_with("application/graphql")) {
      query = req.body();
    } else {
      boost::system::error_code ec;
      auto body = boost::json::parse(req.body(), ec);
      const auto* q = !ec && body.is_object() ? body.get_object().if_contains("query") : nullptr;
      if (!q || !q->is_string() || q->get_string().empty())
        return answer(
            400,
            boost::json::object{
                {"errors",
                 boost::json::object{{"query", "Required parameter missing or invalid"}}}},
            served);
      query = q->get_string();
      const auto& o = body.get_object();
      if (const auto* v = o.if_contains("variables"); v && v->is_object())
        variables = v->get_object();
      else if (v && v->is_string() && !v->get_string().empty()) {
        // Some clients send variables as a JSON string.
        auto parsed = boost::json::parse(v->get_string(), ec);
        if (!ec && parsed.is_object()) variables = parsed.get_object();
      }
      if (const auto* n = o.if_contains("operationName"); n && n->is_string())
        operation = n->get_string();
    }
    auto parsed = detail::parse_graphql(query);
    if (auto* e = std::get_if<detail::gql_parse_error>(&parsed))
      return answer(
          200,
          boost::json::object{
              {"errors",
               boost::json::array{boost::json::object{
                   {"message", e->message},
                   {"locations", boost::json::array{detail::gql_location_json(e->loc)}}}}}},
          served);
    const auto& doc = std::get<detail::gql_document>(parsed);
    detail::gql_executor<detail::admin_context> exec(detail::admin_schema(), doc);
    auto errors = exec.prepare(operation, variables, served);
    if (!errors.empty())
      return answer(200, boost::json::object{{"errors", std::move(errors)}}, served);

    auto& bucket = buckets.graphql;
    const double requested = exec.requested_cost();
    const double max_cost = detail::graphql_max_query_cost;
    if (requested > max_cost) {
      const auto cost = static_cast<std::int64_t>(requested);
      return answer(
          200,
          boost::json::object{
              {"errors",
               boost::json::array{boost::json::object{
                   {"message",
                    "Query cost is " + std::to_string(cost) +
                        ", which exceeds the single query max cost limit (" + number(max_cost) +
                        ").\n\nSee https://shopify.dev/concepts/about-apis/rate-limits "
                        "for more information on how the\ncost of a query is calculated.\n\n"
                        "To query larger amounts of data with fewer limits, bulk operations "
                        "should be used instead.\n"},
                   {"extensions", boost::json::object{{"code", "MAX_COST_EXCEEDED"},
                                                      {"cost", cost},
                                                      {"maxCost", json_number(max_cost)}}}}}}},
          served);
    }
    if (!bucket.try_add(requested, now)) {
      boost::json::object body{
          {"errors", boost::json::array{boost::json::object{
                         {"message", "Throttled"},
                         {"extensions",
                          boost::json::object{
                              {"code", "THROTTLED"},
                              {"documentation", "https://shopify.dev/api/usage/rate-limits"}}}}}},
          {"extensions",
           boost::json::object{
               {"cost", boost::json::object{{"requestedQueryCost", json_number(requested)},
                                            {"actualQueryCost", nullptr},
                                            {"throttleStatus", throttle_status(bucket, now)}}}}}};
      const unsigned status = options_.graphql_throttle_status == 429 ? 429 : 200;
      auto a = answer(status, body, served);
      if (status == 429) {
        const auto wait = std::max(1.0, std::ceil(bucket.seconds_until(requested, now)));
        a.response.set(http::field::retry_after, number(wait));
      }
      return a;
    }
    detail::admin_context ctx{shop, ids_, now, rng_, served, {}, false, {}};
    boost::json::object out = exec.execute(ctx);
    const double actual = exec.actual_cost();
    if (actual < requested) bucket.refund(requested - actual);
    boost::json::object extensions{
        {"cost", boost::json::object{{"requestedQueryCost", json_number(requested)},
                                     {"actualQueryCost", json_number(actual)},
                                     {"throttleStatus", throttle_status(bucket, now)}}}};
    if (!ctx.search_warnings.empty()) extensions["search"] = std::move(ctx.search_warnings);
    out["extensions"] = std::move(extensions);
    auto a = answer(200, out, served);
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

  // One event: a delivery per subscription of `topic`, all with one X-Shopify-Event-Id.
  std::size_t deliver(detail::shop_data& shop, std::string_view topic,
                      const boost::json::object& payload, emulator_clock::time_point now) {
    std::size_t n = 0;
    std::string event_id;
    for (const auto& sub : shop.subscriptions) {
      if (sub.topic != topic) continue;
      if (event_id.empty()) event_id = detail::uuid_v4(rng_);
      webhook_delivery d;
      d.subscription_id = sub.id;
      d.shop_domain = shop.config.domain;
      d.topic = std::string(topic);
      d.api_version = sub.api_version;
      d.webhook_id = detail::uuid_v4(rng_);
      d.event_id = event_id;
      d.triggered_at = detail::format_utc_nanos(now);
      d.subscription_name = sub.name;
      d.address = sub.address;
      std::string fields;
      for (const auto& f : sub.fields) fields += (fields.empty() ? "" : ",") + f;
      d.body = boost::json::serialize(detail::project(payload, &fields));
      d.hmac = http::hmac_sha256_base64(shop.config.client_secret.reveal(), d.body);
      queue_.enqueue(std::move(d), now);
      ++n;
    }
    return n;
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
  detail::id_counters ids_;
  std::list<detail::shop_data> shops_;  // stable addresses while requests hold a shop
  webhook_delivery_queue queue_;
  result<void> configuration_;
};

}  // namespace syncline::testing
