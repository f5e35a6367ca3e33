#pragma once

#include <syncline/connectors/shopify/privacy.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <charconv>
#include <span>
#include <utility>

namespace syncline::shopify {

namespace detail {

inline std::string lower_case(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// An id as Shopify writes it: a number, a numeric string, or a GraphQL gid ending in "/<id>".
inline std::optional<std::int64_t> id_of(const boost::json::value& v) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64() && v.get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
    return static_cast<std::int64_t>(v.get_uint64());
  if (!v.is_string()) return std::nullopt;
  std::string_view s = v.get_string();
  if (auto slash = s.rfind('/'); slash != std::string_view::npos) s = s.substr(slash + 1);
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
  return n;
}

}  // namespace detail

SYNCLINE_DECL customer_match::customer_match(const compliance_customer& customer,
                                             std::vector<std::int64_t> order_ids)
    : id_(customer.id),
      email_(detail::lower_case(customer.email.value_or(""))),
      phone_(customer.phone.value_or("")),
      orders_(std::move(order_ids)) {}

SYNCLINE_DECL bool customer_match::operator()(std::string_view payload) const {
  boost::system::error_code ec;
  const boost::json::value doc = boost::json::parse(payload, ec);
  if (ec) return false;
  auto is_order = [&](const boost::json::value& v) {
    auto id = detail::id_of(v);
    return id && std::find(orders_.begin(), orders_.end(), *id) != orders_.end();
  };
  // Depth-first over the document, with an explicit stack: a deep payload cannot overflow it.
  struct place {
    const boost::json::value* v;
    bool top;
  };
  std::vector<place> todo{{&doc, true}};
  while (!todo.empty()) {
    const place p = todo.back();
    todo.pop_back();
    if (p.v->is_string()) {
      const std::string_view s = p.v->get_string();
      if (!email_.empty() && s.size() == email_.size() && detail::lower_case(s) == email_)
        return true;
      if (!phone_.empty() && s == phone_) return true;
    } else if (p.v->is_array()) {
      for (const auto& e : p.v->get_array()) todo.push_back({&e, false});
    } else if (p.v->is_object()) {
      const auto& o = p.v->get_object();
      if (p.top) {
        if (const auto* id = o.if_contains("id"); id && is_order(*id)) return true;
      }
      if (const auto* oid = o.if_contains("order_id"); oid && is_order(*oid)) return true;
      if (const auto* c = o.if_contains("customer"); c && c->is_object() && id_) {
        if (const auto* cid = c->get_object().if_contains("id")) {
          if (auto n = detail::id_of(*cid); n && *n == *id_) return true;
        }
      }
      for (const auto& kv : o) todo.push_back({&kv.value(), false});
    }
  }
  return false;
}

SYNCLINE_DECL privacy_desk::privacy_desk(store::store& st, std::vector<warehouse::erasable*> sinks)
    : store_(st), sinks_(std::move(sinks)) {}

SYNCLINE_DECL awaitable<result<erasure_outcome>> privacy_desk::redact_customer(
    std::string tenant, customers_redact request, std::string request_id) {
  const std::vector<std::int64_t> orders =
      request.orders_to_redact.value_or(std::vector<std::int64_t>{});
  const customer_match match(request.customer, orders);
  auto ids = store_.runs_matching(tenant, [&](std::string_view p) { return match(p); });
  if (!ids) co_return std::move(ids).error();
  erasure_outcome out;
  auto erased = store_.erase_runs(tenant, *ids);
  if (!erased) co_return std::move(erased).error();
  out.store = *erased;
  std::vector<std::string> keys;
  for (auto id : orders) keys.push_back(std::to_string(id));
  auto echoes = store_.erase_echo_records(tenant, keys);
  if (!echoes) co_return std::move(echoes).error();
  out.store.echo_records += *echoes;
  if (!keys.empty()) {
    for (auto* sink : sinks_) {
      auto rows = co_await sink->erase_keys(tenant, keys);
      if (!rows) co_return std::move(rows).error();  // retried: erasing twice is harmless
      out.warehouse_rows += *rows;
    }
  }
  auto id = store_.record_erasure({.tenant = tenant,
                                   .kind = "customers/redact",
                                   .request = std::move(request_id),
                                   .counts = out.store});
  if (!id) co_return std::move(id).error();
  out.erasure_id = *id;
  co_return out;
}

SYNCLINE_DECL awaitable<result<erasure_outcome>> privacy_desk::redact_shop(std::string tenant,
                                                                           shop_redact request,
                                                                           std::string request_id) {
  (void)request;  // the shop is the tenant; its id is not personal data but is not needed
  erasure_outcome out;
  auto erased = store_.erase_tenant(tenant);
  if (!erased) co_return std::move(erased).error();
  out.store = *erased;
  for (auto* sink : sinks_) {
    auto rows = co_await sink->erase_tenant(tenant);
    if (!rows) co_return std::move(rows).error();
    out.warehouse_rows += *rows;
  }
  auto id = store_.record_erasure({.tenant = tenant,
                                   .kind = "shop/redact",
                                   .request = std::move(request_id),
                                   .counts = out.store});
  if (!id) co_return std::move(id).error();
  out.erasure_id = *id;
  co_return out;
}

SYNCLINE_DECL result<customer_data> privacy_desk::collect(std::string_view tenant,
                                                          const customers_data_request& request) {
  const customer_match match(request.customer,
                             request.orders_requested.value_or(std::vector<std::int64_t>{}));
  auto ids = store_.runs_matching(tenant, [&](std::string_view p) { return match(p); });
  if (!ids) return std::move(ids).error();
  customer_data out{.shop_domain = request.shop_domain,
                    .customer = request.customer,
                    .data_request_id = request.data_request
                                           ? std::optional<std::int64_t>(request.data_request->id)
                                           : std::nullopt};
  for (auto id : *ids) {
    auto run = store_.get_run(id);
    if (!run) {
      if (run.error().category == errc::not_found) continue;  // pruned meanwhile
      return std::move(run).error();
    }
    out.runs.push_back({.run_id = id, .workflow = run->workflow, .payload = run->payload});
  }
  return out;
}

}  // namespace syncline::shopify
