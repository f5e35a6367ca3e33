// The REST Admin API resources the emulator serves, after routing, authentication and rate
// limiting: orders (list with filters and page_info pagination, count, get, create, update,
// cancel, close), webhooks (list, count, get, create, update, delete) and shop. Each handler
// returns the status, JSON body and extra headers of its answer, and the order events to fire.
#pragma once

#include <syncline/http/message.hpp>
#include <syncline/http/url.hpp>
#include <syncline/testing/webhook_subscription.hpp>
#include <syncline_emulator/admin_context.hpp>
#include <syncline_emulator/opaque_cursor.hpp>
#include <syncline_emulator/order_builder.hpp>
#include <syncline_emulator/order_listing.hpp>
#include <syncline_emulator/shop_data.hpp>
#include <syncline_emulator/timestamps.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <charconv>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace syncline::testing::detail {

using query_params = std::vector<std::pair<std::string, std::string>>;

// name=value pairs of a query string, percent-decoded; nullopt for a broken escape.
inline std::optional<query_params> parse_query(std::string_view q) {
  query_params out;
  while (!q.empty()) {
    auto amp = q.find('&');
    std::string_view pair = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view{} : q.substr(amp + 1);
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    auto k = http::percent_decode(pair.substr(0, eq), true);
    auto v = http::percent_decode(
        eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1), true);
    if (!k || !v) return std::nullopt;
    out.emplace_back(std::move(*k), std::move(*v));
  }
  return out;
}

inline const std::string* param(const query_params& ps, std::string_view name) {
  for (const auto& [k, v] : ps)
    if (k == name) return &v;
  return nullptr;
}

struct rest_context {
  shop_data& shop;
  id_counters& ids;
  sys_time now;
  std::mt19937_64& rng;
  std::string api_version;  // the version served
  std::string base;         // "<scheme>://<host>/admin/api/<version>": Link and Location URLs
  std::vector<order_event> events;
  bool created_order = false;
  std::string app;  // the calling app's client id; empty for the shop's own app
};

struct rest_reply {
  unsigned status = 200;
  boost::json::value body;
  std::vector<std::pair<std::string, std::string>> headers;
};

inline rest_reply not_found() { return {404, boost::json::object{{"errors", "Not Found"}}, {}}; }
inline rest_reply bad_request(boost::json::value errors) {
  return {400, boost::json::object{{"errors", std::move(errors)}}, {}};
}

// 422 {"errors": {"field": ["message", ...]}}: Rails' shape, keyed by the top-level field.
inline rest_reply unprocessable(const field_errors& errors) {
  boost::json::object by_field;
  for (const auto& e : errors) {
    const std::string key = e.path.empty() ? "base" : e.path.front();
    std::string message = e.message;
    if (e.path.size() > 1) {
      // Nested problems say where: "line item 2: quantity must be ...", "id does not exist ...".
      const std::string& step = e.path[1];
      const bool index = !step.empty() && std::all_of(step.begin(), step.end(), [](char ch) {
        return ch >= '0' && ch <= '9';
      });
      if (index) {
        std::string where = (key == "line_items" ? std::string("line item") : key) + " " +
                            std::to_string(std::stoul(step) + 1);
        message = where + (e.path.size() > 2 ? ": " + e.path[2] + " " : ": ") + message;
      } else {
        message = step + " " + message;
      }
    }
    auto& list = by_field[key];
    if (!list.is_array()) list = boost::json::array{};
    list.as_array().push_back(boost::json::value(message));
  }
  return {422, boost::json::object{{"errors", std::move(by_field)}}, {}};
}

// Keeps only `fields` (comma-separated) of an order, as REST's `fields` parameter does.
inline boost::json::object project(const boost::json::object& o, const std::string* fields) {
  if (!fields || fields->empty()) return o;
  boost::json::object out;
  std::string_view rest = *fields;
  while (!rest.empty()) {
    auto comma = rest.find(',');
    std::string_view f = rest.substr(0, comma);
    while (!f.empty() && f.front() == ' ') f.remove_prefix(1);
    while (!f.empty() && f.back() == ' ') f.remove_suffix(1);
    if (auto* v = o.if_contains(f)) out[f] = *v;
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return out;
}

// The filters of GET orders.json; carried inside page_info since later pages may not repeat them.
struct rest_order_filter {
  std::string status = "open";
  std::string financial_status = "any";
  std::string fulfillment_status = "any";
  std::optional<std::uint64_t> since_id;
  std::vector<std::uint64_t> ids;
  std::optional<std::int64_t> created_min, created_max, updated_min, updated_max, processed_min,
      processed_max;

  bool matches(const stored_order& o) const {
    if (status == "open" && (o.closed_at || o.cancelled_at)) return false;
    if (status == "closed" && !o.closed_at) return false;
    if (status == "cancelled" && !o.cancelled_at) return false;
    if (since_id && o.id <= *since_id) return false;
    if (!ids.empty() && std::find(ids.begin(), ids.end(), o.id) == ids.end()) return false;
    auto in = [](sys_time t, const std::optional<std::int64_t>& lo,
                 const std::optional<std::int64_t>& hi) {
      const auto s = ns_since_epoch(std::chrono::floor<std::chrono::seconds>(t));
      return (!lo || s >= *lo) && (!hi || s <= *hi);
    };
    if (!in(o.created_at, created_min, created_max) ||
        !in(o.updated_at, updated_min, updated_max) ||
        !in(o.processed_at, processed_min, processed_max))
      return false;
    const auto* fs = o.json.if_contains("financial_status");
    const std::string_view f = fs && fs->is_string() ? std::string_view(fs->get_string()) : "";
    if (financial_status == "unpaid"
            ? !(f == "pending" || f == "authorized" || f == "partially_paid")
            : financial_status != "any" && f != financial_status)
      return false;
    const auto* ful = o.json.if_contains("fulfillment_status");
    const std::string_view fu = ful && ful->is_string() ? std::string_view(ful->get_string()) : "";
    if (fulfillment_status == "shipped" && fu != "fulfilled") return false;
    if (fulfillment_status == "partial" && fu != "partial") return false;
    if (fulfillment_status == "unshipped" && !fu.empty()) return false;
    if (fulfillment_status == "unfulfilled" && !(fu.empty() || fu == "partial")) return false;
    return true;
  }

  boost::json::object to_json() const {
    boost::json::object o{{"status", status},
                          {"financial_status", financial_status},
                          {"fulfillment_status", fulfillment_status}};
    if (since_id) o["since_id"] = *since_id;
    if (!ids.empty()) o["ids"] = boost::json::value_from(ids);
    auto put = [&](const char* k, const std::optional<std::int64_t>& v) {
      if (v) o[k] = *v;
    };
    put("created_at_min", created_min);
    put("created_at_max", created_max);
    put("updated_at_min", updated_min);
    put("updated_at_max", updated_max);
    put("processed_at_min", processed_min);
    put("processed_at_max", processed_max);
    return o;
  }
  static std::optional<rest_order_filter> from_json(const boost::json::object& o) {
    rest_order_filter f;
    auto text = [&](const char* k, std::string& out) {
      if (const auto* v = o.if_contains(k); v && v->is_string()) out = v->get_string();
    };
    text("status", f.status);
    text("financial_status", f.financial_status);
    text("fulfillment_status", f.fulfillment_status);
    if (const auto* v = o.if_contains("since_id"); v && v->is_number())
      f.since_id = v->to_number<std::uint64_t>();
    if (const auto* v = o.if_contains("ids"); v && v->is_array())
      for (const auto& id : v->get_array())
        if (id.is_number()) f.ids.push_back(id.to_number<std::uint64_t>());
    auto num = [&](const char* k, std::optional<std::int64_t>& out) {
      if (const auto* v = o.if_contains(k); v && v->is_number()) out = v->to_number<std::int64_t>();
    };
    num("created_at_min", f.created_min);
    num("created_at_max", f.created_max);
    num("updated_at_min", f.updated_min);
    num("updated_at_max", f.updated_max);
    num("processed_at_min", f.processed_min);
    num("processed_at_max", f.processed_max);
    return f;
  }
};

inline std::optional<sort_spec> parse_order_param(std::string_view s) {
  sort_spec spec;
  auto space = s.find(' ');
  std::string_view key = s.substr(0, space);
  std::string_view dir = space == std::string_view::npos ? "desc" : s.substr(space + 1);
  if (key == "created_at")
    spec.key = order_sort::created_at;
  else if (key == "updated_at")
    spec.key = order_sort::updated_at;
  else if (key == "processed_at")
    spec.key = order_sort::processed_at;
  else if (key == "id")
    spec.key = order_sort::id;
  else
    return std::nullopt;
  if (dir != "asc" && dir != "desc") return std::nullopt;
  spec.descending = dir == "desc";
  return spec;
}
inline std::string order_param(sort_spec s) {
  const char* k = s.key == order_sort::created_at     ? "created_at"
                  : s.key == order_sort::updated_at   ? "updated_at"
                  : s.key == order_sort::processed_at ? "processed_at"
                                                      : "id";
  return std::string(k) + (s.descending ? " desc" : " asc");
}

// Reads the filter parameters of orders.json / orders/count.json; an error names the parameter.
inline std::variant<rest_order_filter, rest_reply> read_filter(const query_params& q,
                                                               const rest_context& c) {
  rest_order_filter f;
  if (const auto* s = param(q, "status")) {
    if (*s != "open" && *s != "closed" && *s != "cancelled" && *s != "any")
      return bad_request(
          boost::json::object{{"status", "must be one of open, closed, cancelled, any"}});
    f.status = *s;
  }
  if (const auto* s = param(q, "financial_status")) f.financial_status = *s;
  if (const auto* s = param(q, "fulfillment_status")) f.fulfillment_status = *s;
  if (const auto* s = param(q, "since_id")) {
    auto id = id_value(boost::json::string(*s));
    if (!id) return bad_request(boost::json::object{{"since_id", "must be an order id"}});
    f.since_id = *id;
  }
  if (const auto* s = param(q, "ids")) {
    std::string_view rest = *s;
    while (!rest.empty()) {
      auto comma = rest.find(',');
      auto id = id_value(boost::json::string(rest.substr(0, comma)));
      if (!id)
        return bad_request(
            boost::json::object{{"ids", "must be a comma-separated list of order ids"}});
      f.ids.push_back(*id);
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  for (auto [name, slot] :
       {std::pair{"created_at_min", &f.created_min}, std::pair{"created_at_max", &f.created_max},
        std::pair{"updated_at_min", &f.updated_min}, std::pair{"updated_at_max", &f.updated_max},
        std::pair{"processed_at_min", &f.processed_min},
        std::pair{"processed_at_max", &f.processed_max}}) {
    if (const auto* s = param(q, name)) {
      auto t = parse_timestamp(*s, c.shop.config.utc_offset);
      if (!t)
        return bad_request(boost::json::object{
            {name, "must be an ISO 8601 date-time such as 2026-01-15T10:00:00-05:00"}});
      *slot = ns_since_epoch(std::chrono::floor<std::chrono::seconds>(*t));
    }
  }
  return f;
}

inline std::variant<std::size_t, rest_reply> read_limit(const query_params& q) {
  const auto* s = param(q, "limit");
  if (!s) return std::size_t{50};
  std::size_t n = 0;
  auto [p, ec] = std::from_chars(s->data(), s->data() + s->size(), n);
  if (ec != std::errc{} || p != s->data() + s->size() || n < 1 || n > 250)
    return bad_request(boost::json::object{{"limit", "must be a whole number between 1 and 250"}});
  return n;
}

inline rest_reply list_orders(rest_context& c, const query_params& q) {
  auto limit = read_limit(q);
  if (auto* r = std::get_if<rest_reply>(&limit)) return std::move(*r);
  const std::string* fields = param(q, "fields");
  rest_order_filter filter;
  sort_spec sort{order_sort::created_at, true};
  page_window w;
  w.first = std::get<std::size_t>(limit);
  const bool paging = param(q, "page_info") != nullptr;
  if (paging) {
    for (const auto& [k, v] : q)
      if (k != "page_info" && k != "limit" && k != "fields")
        return bad_request(boost::json::object{
            {"page_info", "cannot be combined with " + k +
                              ": with page_info only limit and fields may be sent (the filters are "
                              "carried in page_info)"}});
    auto cursor = decode_cursor(*param(q, "page_info"));
    std::optional<rest_order_filter> f;
    std::optional<sort_spec> s;
    std::optional<position> pos;
    if (cursor) {
      if (const auto* fj = cursor->if_contains("filter"); fj && fj->is_object())
        f = rest_order_filter::from_json(fj->get_object());
      if (const auto* o = cursor->if_contains("order"); o && o->is_string())
        s = parse_order_param(o->get_string());
      if (s) pos = parse_position(*cursor, s->key);
    }
    const auto* dir = cursor ? cursor->if_contains("direction") : nullptr;
    if (!f || !s || !pos || !dir || !dir->is_string() ||
        (dir->get_string() != "next" && dir->get_string() != "prev"))
      return bad_request(boost::json::object{{"page_info", "Invalid value."}});
    filter = *f;
    sort = *s;
    if (dir->get_string() == "next") {
      w.after = pos;
    } else {
      w.before = pos;
      w.last = w.first;
      w.first.reset();
    }
  } else {
    auto f = read_filter(q, c);
    if (auto* r = std::get_if<rest_reply>(&f)) return std::move(*r);
    filter = std::get<rest_order_filter>(f);
    if (filter.since_id) sort = {order_sort::id, false};
    if (const auto* o = param(q, "order")) {
      auto s = parse_order_param(*o);
      if (!s)
        return bad_request(boost::json::object{
            {"order", "must be '<created_at|updated_at|processed_at|id> <asc|desc>'"}});
      sort = *s;
    }
  }
  std::vector<const stored_order*> matching;
  for (const auto& o : c.shop.orders)
    if (filter.matches(o)) matching.push_back(&o);
  const auto page = paginate(std::move(matching), sort, w);
  boost::json::array orders;
  for (const auto* o : page.items) orders.push_back(project(o->json, fields));

  rest_reply reply{200, boost::json::object{{"orders", std::move(orders)}}, {}};
  // Link: previous only past the first page; next while orders follow.
  auto link = [&](const stored_order& at, const char* direction, const char* rel) {
    auto p = position_of(at, sort.key);
    boost::json::object cur{
        {"direction", direction},
        {"last_id", p.id},
        {"last_value",
         std::to_string(sort.key == order_sort::id ? p.id : static_cast<std::uint64_t>(p.value))},
        {"filter", filter.to_json()},
        {"order", order_param(sort)}};
    std::string url = c.base + "/orders.json?limit=" + std::to_string(std::get<std::size_t>(limit));
    if (fields) url += "&fields=" + http::percent_encode(*fields);
    url += "&page_info=" + encode_cursor(cur);
    return "<" + url + ">; rel=\"" + rel + "\"";
  };
  std::string links;
  if (paging && page.has_previous && !page.items.empty())
    links = link(*page.items.front(), "prev", "previous");
  if (page.has_next && !page.items.empty())
    links += (links.empty() ? "" : ", ") + link(*page.items.back(), "next", "next");
  if (!links.empty()) reply.headers.emplace_back("Link", links);
  return reply;
}

inline rest_reply count_orders(rest_context& c, const query_params& q) {
  auto f = read_filter(q, c);
  if (auto* r = std::get_if<rest_reply>(&f)) return std::move(*r);
  std::size_t n = 0;
  for (const auto& o : c.shop.orders) n += std::get<rest_order_filter>(f).matches(o) ? 1 : 0;
  return {200, boost::json::object{{"count", n}}, {}};
}

// The "order" object of a POST/PUT body, or the 400 Shopify answers without one.
inline std::variant<boost::json::object, rest_reply> root_object(std::string_view body,
                                                                 std::string_view root) {
  boost::system::error_code ec;
  auto v = boost::json::parse(body, ec);
  if (ec)
    return bad_request(boost::json::value("JSON parse error: " + ec.message() +
                                          " (send a JSON body such as {\"" + std::string(root) +
                                          "\": {...}})"));
  const auto* o = v.is_object() ? v.get_object().if_contains(root) : nullptr;
  if (!o || !o->is_object())
    return bad_request(boost::json::object{{root, "Required parameter missing or invalid"}});
  return o->get_object();
}

inline rest_reply create_order(rest_context& c, std::string_view body) {
  auto in = root_object(body, "order");
  if (auto* r = std::get_if<rest_reply>(&in)) return std::move(*r);
  auto built =
      build_order(std::get<boost::json::object>(in), order_context{c.shop, c.ids, c.now, c.rng});
  if (auto* errors = std::get_if<field_errors>(&built)) return unprocessable(*errors);
  auto& stored = c.shop.add_order(std::move(std::get<stored_order>(built)));
  c.events.push_back({"orders/create", stored.id});
  if (stored.json["financial_status"] == "paid") c.events.push_back({"orders/paid", stored.id});
  c.created_order = true;
  return {201,
          boost::json::object{{"order", stored.json}},
          {{"Location", c.base + "/orders/" + std::to_string(stored.id) + ".json"}}};
}

inline rest_reply get_order(rest_context& c, std::uint64_t id, const query_params& q) {
  const auto* o = c.shop.find_order(id);
  if (!o) return not_found();
  return {200, boost::json::object{{"order", project(o->json, param(q, "fields"))}}, {}};
}

inline rest_reply put_order(rest_context& c, std::uint64_t id, std::string_view body) {
  auto* o = c.shop.find_order(id);
  if (!o) return not_found();
  auto in = root_object(body, "order");
  if (auto* r = std::get_if<rest_reply>(&in)) return std::move(*r);
  auto errors = update_order(*o, std::get<boost::json::object>(in), c.shop, c.now);
  if (!errors.empty()) return unprocessable(errors);
  c.events.push_back({"orders/updated", o->id});
  return {200, boost::json::object{{"order", o->json}}, {}};
}

inline rest_reply cancel_order(rest_context& c, std::uint64_t id, std::string_view body) {
  auto* o = c.shop.find_order(id);
  if (!o) return not_found();
  if (o->cancelled_at)
    return {422, boost::json::object{{"error", "Order has already been cancelled"}}, {}};
  std::string reason = "other";
  boost::system::error_code ec;
  auto v = body.empty() ? boost::json::value() : boost::json::parse(body, ec);
  if (!ec && v.is_object())
    if (const auto* r = v.get_object().if_contains("reason"); r && r->is_string())
      reason = r->get_string();
  static constexpr std::string_view reasons[] = {"customer",  "declined", "fraud",
                                                 "inventory", "other",    "staff"};
  if (std::find(std::begin(reasons), std::end(reasons), reason) == std::end(reasons))
    return {
        422,
        boost::json::object{
            {"errors",
             boost::json::object{{"reason", boost::json::array{"is not included in the list"}}}}},
        {}};
  o->cancelled_at = o->updated_at = std::max(c.now, o->updated_at);
  const auto ts = format_local(*o->cancelled_at, c.shop.config.utc_offset);
  o->json["cancelled_at"] = ts;
  o->json["cancel_reason"] = reason;
  o->json["updated_at"] = ts;
  c.events.push_back({"orders/cancelled", o->id});
  c.events.push_back({"orders/updated", o->id});
  return {200, boost::json::object{{"order", o->json}}, {}};
}

inline rest_reply close_order(rest_context& c, std::uint64_t id) {
  auto* o = c.shop.find_order(id);
  if (!o) return not_found();
  if (!o->closed_at) {
    o->closed_at = o->updated_at = std::max(c.now, o->updated_at);
    const auto ts = format_local(*o->closed_at, c.shop.config.utc_offset);
    o->json["closed_at"] = ts;
    o->json["updated_at"] = ts;
    c.events.push_back({"orders/updated", o->id});
  }
  return {200, boost::json::object{{"order", o->json}}, {}};
}

// ---- webhooks --------------------------------------------------------------------------------

inline bool compliance_topic(std::string_view t) {
  return t == "customers/data_request" || t == "customers/redact" || t == "shop/redact";
}

inline boost::json::object subscription_json(const webhook_subscription& s,
                                             std::chrono::minutes offset) {
  return {{"id", s.id},
          {"address", s.address},
          {"topic", s.topic},
          {"created_at", format_local(s.created_at, offset)},
          {"updated_at", format_local(s.updated_at, offset)},
          {"format", s.format},
          {"fields", boost::json::value_from(s.fields)},
          {"metafield_namespaces", boost::json::array{}},
          {"api_version", s.api_version},
          {"private_metafield_namespaces", boost::json::array{}}};
}

// Checks a subscription as Shopify would; `self` is the id being updated (0 for a new one).
inline field_errors check_subscription(const shop_data& shop, const webhook_subscription& s,
                                       std::uint64_t self, bool through_api) {
  field_errors errors;
  const auto& topics = known_webhook_topics();
  if (s.topic.empty()) {
    errors.push_back({{"topic"}, "can't be blank"});
  } else if (std::find(topics.begin(), topics.end(), s.topic) == topics.end()) {
    errors.push_back({{"topic"},
                      "Invalid topic specified: " + s.topic +
                          ". Topics the emulator knows: orders/create, "
                          "orders/updated, orders/paid, orders/cancelled, app/uninstalled, ..."});
  } else if (through_api && compliance_topic(s.topic)) {
    errors.push_back({{"topic"},
                      "Invalid topic specified: " + s.topic +
                          ". Mandatory compliance topics are configured in the app's settings, not "
                          "through the API"});
  }
  if (s.address.empty()) {
    errors.push_back({{"address"}, "can't be blank"});
  } else if (!http::parse_url(s.address)) {
    errors.push_back({{"address"}, "is not a valid URL (expected http:// or https://)"});
  }
  if (s.format != "json")
    errors.push_back({{"format"}, "is not included in the list (the emulator sends json only)"});
  for (const auto& other : shop.subscriptions)
    if (other.id != self && other.app_client_id == s.app_client_id && other.topic == s.topic &&
        other.address == s.address)
      errors.push_back({{"address"}, "for this topic has already been taken"});
  return errors;
}

// The fields a webhooks.json body may set, over `s`.
inline webhook_subscription subscription_from(const boost::json::object& in,
                                              webhook_subscription s) {
  auto text = [&](const char* k, std::string& out) {
    if (const auto* v = in.if_contains(k); v && v->is_string()) out = v->get_string();
  };
  text("topic", s.topic);
  text("address", s.address);
  text("format", s.format);
  text("name", s.name);
  if (const auto* f = in.if_contains("fields"); f && f->is_array()) {
    s.fields.clear();
    for (const auto& x : f->get_array())
      if (x.is_string()) s.fields.emplace_back(x.get_string());
  }
  return s;
}

inline rest_reply list_webhooks(rest_context& c, const query_params& q, bool count_only) {
  boost::json::array out;
  std::size_t n = 0;
  for (const auto& s : c.shop.subscriptions) {
    if (s.app_client_id != c.app) continue;  // an app sees its own subscriptions only
    if (const auto* t = param(q, "topic"); t && *t != s.topic) continue;
    if (const auto* a = param(q, "address"); a && *a != s.address) continue;
    ++n;
    if (!count_only) out.push_back(subscription_json(s, c.shop.config.utc_offset));
  }
  if (count_only) return {200, boost::json::object{{"count", n}}, {}};
  return {200, boost::json::object{{"webhooks", std::move(out)}}, {}};
}

inline rest_reply create_webhook(rest_context& c, std::string_view body,
                                 const std::string& webhook_version) {
  auto in = root_object(body, "webhook");
  if (auto* r = std::get_if<rest_reply>(&in)) return std::move(*r);
  webhook_subscription s;
  s.api_version = webhook_version;
  s.app_client_id = c.app;
  s.created_at = s.updated_at = c.now;
  s = subscription_from(std::get<boost::json::object>(in), s);
  auto errors = check_subscription(c.shop, s, 0, true);
  if (!errors.empty()) return unprocessable(errors);
  s.id = ++c.ids.subscription;
  c.shop.subscriptions.push_back(s);
  return {201,
          boost::json::object{{"webhook", subscription_json(s, c.shop.config.utc_offset)}},
          {{"Location", c.base + "/webhooks/" + std::to_string(s.id) + ".json"}}};
}

inline webhook_subscription* find_subscription(shop_data& shop, std::uint64_t id,
                                               std::string_view app) {
  for (auto& s : shop.subscriptions)
    if (s.id == id && s.app_client_id == app) return &s;
  return nullptr;
}

inline rest_reply webhook_by_id(rest_context& c, std::uint64_t id, http::verb method,
                                std::string_view body) {
  auto* s = find_subscription(c.shop, id, c.app);
  if (!s) return not_found();
  if (method == http::verb::get)
    return {
        200, boost::json::object{{"webhook", subscription_json(*s, c.shop.config.utc_offset)}}, {}};
  if (method == http::verb::delete_) {
    c.shop.subscriptions.erase(c.shop.subscriptions.begin() + (s - c.shop.subscriptions.data()));
    return {200, boost::json::object{}, {}};
  }
  auto in = root_object(body, "webhook");
  if (auto* r = std::get_if<rest_reply>(&in)) return std::move(*r);
  auto updated = subscription_from(std::get<boost::json::object>(in), *s);
  auto errors = check_subscription(c.shop, updated, s->id, true);
  if (!errors.empty()) return unprocessable(errors);
  updated.updated_at = c.now;
  *s = updated;
  return {
      200, boost::json::object{{"webhook", subscription_json(*s, c.shop.config.utc_offset)}}, {}};
}

inline boost::json::object shop_json(const shop_data& shop) {
  std::string tz = "UTC";
  const auto m = shop.config.utc_offset.count();
  if (m != 0) {
    tz = std::string("(GMT") + (m < 0 ? "-" : "+") + (std::abs(m) / 60 < 10 ? "0" : "") +
         std::to_string(std::abs(m) / 60) + ":" + (std::abs(m) % 60 < 10 ? "0" : "") +
         std::to_string(std::abs(m) % 60) + ")";
  }
  return {{"id", shop.shop_id},
          {"name", shop.config.name},
          {"domain", shop.config.domain},
          {"myshopify_domain", shop.config.domain},
          {"email", "owner@" + shop.config.domain},
          {"currency", shop.config.currency},
          {"timezone", tz},
          {"plan_name", plan_name(shop.config.plan)},
          {"admin_graphql_api_id", gid("Shop", shop.shop_id)}};
}

// Routes one REST call to its handler; 404 for what the emulator does not serve.
inline rest_reply route_rest(rest_context& c, http::verb method, std::string_view resource,
                             const query_params& q, const std::string& body) {
  using http::verb;
  auto id_in = [](std::string_view s) -> std::optional<std::uint64_t> {
    std::uint64_t n = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec != std::errc{} || p != s.data() + s.size() || n == 0) return std::nullopt;
    return n;
  };
  if (resource == "orders.json") {
    if (method == verb::get) return list_orders(c, q);
    if (method == verb::post) return create_order(c, body);
  } else if (resource == "orders/count.json" && method == verb::get) {
    return count_orders(c, q);
  } else if (resource == "webhooks.json") {
    if (method == verb::get) return list_webhooks(c, q, false);
    if (method == verb::post) return create_webhook(c, body, c.shop.config.webhook_api_version);
  } else if (resource == "webhooks/count.json" && method == verb::get) {
    return list_webhooks(c, q, true);
  } else if (resource == "shop.json" && method == verb::get) {
    return {200, boost::json::object{{"shop", shop_json(c.shop)}}, {}};
  } else if (resource.starts_with("orders/") && resource.ends_with(".json")) {
    std::string_view inner = resource.substr(7, resource.size() - 7 - 5);
    auto slash = inner.find('/');
    auto id = id_in(inner.substr(0, slash));
    if (!id) return not_found();
    if (slash == std::string_view::npos) {
      if (method == verb::get) return get_order(c, *id, q);
      if (method == verb::put) return put_order(c, *id, body);
    } else if (method == verb::post && inner.substr(slash + 1) == "cancel") {
      return cancel_order(c, *id, body);
    } else if (method == verb::post && inner.substr(slash + 1) == "close") {
      return close_order(c, *id);
    }
  } else if (resource.starts_with("webhooks/") && resource.ends_with(".json")) {
    auto id = id_in(resource.substr(9, resource.size() - 9 - 5));
    if (id && (method == verb::get || method == verb::put || method == verb::delete_))
      return webhook_by_id(c, *id, method, body);
  }
  return not_found();
}

}  // namespace syncline::testing::detail
