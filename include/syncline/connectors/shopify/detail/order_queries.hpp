// The order reads the actions share, over GraphQL or REST as the credentials say: one order by
// id, the rest of an order's line items, and the lookup by source_identifier that makes a
// retried create safe.
#pragma once

#include <syncline/connectors/shopify/admin_api.hpp>
#include <syncline/connectors/shopify/detail/query_text.hpp>
#include <syncline/connectors/shopify/gid.hpp>
#include <syncline/connectors/shopify/graphql_order.hpp>
#include <syncline/connectors/shopify/order.hpp>
#include <syncline/core/result.hpp>
#include <syncline/core/timestamp.hpp>
#include <syncline/http/url.hpp>
#include <syncline/json/decode.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/describe/class.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace syncline::shopify::detail {

// {"order": {...}} (REST GET/PUT/POST of one order).
struct rest_order_envelope {
  shopify::order order{};
};
BOOST_DESCRIBE_STRUCT(rest_order_envelope, (), (order))

// {"orders": [...]} (REST GET orders.json).
struct rest_orders_envelope {
  std::vector<shopify::order> orders{};
};
BOOST_DESCRIBE_STRUCT(rest_orders_envelope, (), (orders))

// What the source_identifier scan asks REST for (fields=id,source_identifier).
struct rest_order_source {
  std::int64_t id = 0;
  std::optional<std::string> source_identifier{};
};
BOOST_DESCRIBE_STRUCT(rest_order_source, (), (id, source_identifier))
struct rest_order_sources {
  std::vector<rest_order_source> orders{};
};
BOOST_DESCRIBE_STRUCT(rest_order_sources, (), (orders))

struct graphql_user_error {
  std::optional<std::vector<std::string>> field{};
  std::string message{};
  std::optional<std::string> code{};
};
BOOST_DESCRIBE_STRUCT(graphql_user_error, (), (field, message, code))

// userErrors -> "lineItems.0.quantity: must be positive; email: is invalid".
inline std::string describe_user_errors(const std::vector<graphql_user_error>& errors) {
  std::string out;
  for (const auto& e : errors) {
    if (!out.empty()) out += "; ";
    if (e.field) {
      for (std::size_t i = 0; i < e.field->size(); ++i) out += (i ? "." : "") + (*e.field)[i];
      out += ": ";
    }
    out += e.message;
  }
  return out;
}

// The value at `key` of a GraphQL data object, for decoding; null when absent.
inline const boost::json::value& member(const boost::json::object& o, std::string_view key) {
  static const boost::json::value null;
  const auto* v = o.if_contains(key);
  return v ? *v : null;
}

// `what` (the call) in front of a decoding error's message.
template <class T>
result<T> naming_call(result<T> r, std::string_view what) {
  if (r) return r;
  ::syncline::error e = std::move(r).error();
  e.message = std::string(what) + e.message;
  return e;
}

// A record from a GraphQL answer's DOM, or from a REST answer's text (rest_answer::body): from
// the text, a number that does not fit the record is quoted exactly as it was written.
template <class T>
result<T> decode_at(const boost::json::value& v, std::string_view what) {
  return naming_call(json::decode<T>(v), what);
}
template <class T>
result<T> decode_at(const std::string& json_text, std::string_view what) {
  return naming_call(json::decode<T>(std::string_view(json_text)), what);
}

// Fetches the line items past the first page, so that an order is never handed on with some of
// its items missing.
inline boost::asio::awaitable<result<void>> complete_line_items(admin_api& api, graphql::order& o) {
  static const std::string query =
      "query SynclineOrderLineItems($id: ID!, $lineItems: Int!, $after: String) {\n"
      "  order(id: $id) { lineItems(first: $lineItems, after: $after) { ...SynclineLineItems } }\n"
      "}" +
      line_item_fragments();
  while (o.lineItems.pageInfo.hasNextPage && o.lineItems.pageInfo.endCursor) {
    boost::json::object vars{{"id", o.id},
                             {"lineItems", line_items_per_order},
                             {"after", *o.lineItems.pageInfo.endCursor}};
    auto data = co_await api.graphql("order line items", query, std::move(vars), repeat::safe,
                                     order_fragment_cost(line_items_per_order));
    if (!data) co_return std::move(data).error();
    const auto& order_value = member(*data, "order");
    if (!order_value.is_object()) {
      co_return make_error(errc::not_found, "order " + o.id +
                                                " disappeared while its line items "
                                                "were read");
    }
    auto page = decode_at<graphql::line_item_page>(member(order_value.get_object(), "lineItems"),
                                                   "order.lineItems");
    if (!page) co_return std::move(page).error();
    for (auto& li : page->nodes) o.lineItems.nodes.push_back(std::move(li));
    o.lineItems.pageInfo = page->pageInfo;
  }
  co_return result<void>{};
}

// A GraphQL Order node (selected with SynclineOrder) as a complete shopify::order.
inline boost::asio::awaitable<result<order>> read_graphql_order(admin_api& api,
                                                                const boost::json::value& node,
                                                                std::string_view where) {
  auto g = decode_at<graphql::order>(node, where);
  if (!g) co_return std::move(g).error();
  auto completed = co_await complete_line_items(api, *g);
  if (!completed) co_return std::move(completed).error();
  co_return to_order(*g);
}

// One order by its id; nullopt when the shop has none with that id.
inline boost::asio::awaitable<result<std::optional<order>>> fetch_order(admin_api& api,
                                                                        std::int64_t id) {
  if (api.creds().api == api_kind::rest) {
    auto answer = co_await api.rest(http::verb::get, "orders/" + std::to_string(id) + ".json");
    if (!answer) {
      if (answer.error().category == errc::not_found) co_return std::optional<order>{};
      co_return std::move(answer).error();
    }
    auto env = decode_at<rest_order_envelope>(answer->body, "GET orders/{id}.json: ");
    if (!env) co_return std::move(env).error();
    co_return std::optional<order>{std::move(env->order)};
  }
  static const std::string query =
      "query SynclineOrderById($id: ID!, $lineItems: Int!) {\n"
      "  order(id: $id) { ...SynclineOrder }\n"
      "}" +
      order_fragments();
  boost::json::object vars{{"id", gid("Order", id)}, {"lineItems", line_items_per_order}};
  auto data = co_await api.graphql("order", query, std::move(vars), repeat::safe,
                                   order_fragment_cost(line_items_per_order));
  if (!data) co_return std::move(data).error();
  const auto& node = member(*data, "order");
  if (node.is_null()) co_return std::optional<order>{};
  auto o = co_await read_graphql_order(api, node, "order");
  if (!o) co_return std::move(o).error();
  co_return std::optional<order>{std::move(*o)};
}

// The order whose source_identifier is exactly `sid`, if the shop has one. GraphQL searches
// (`source_identifier:"..."`, checked for an exact match); REST has no such filter, so the
// orders created since `since` are scanned, ids and source identifiers only.
inline boost::asio::awaitable<result<std::optional<order>>> find_by_source_identifier(
    admin_api& api, std::string sid, std::chrono::system_clock::time_point since) {
  if (api.creds().api == api_kind::rest) {
    std::string path =
        "orders.json?status=any&limit=250&fields=id,source_identifier&created_at_min=" +
        http::percent_encode(
            timestamp::from_time_point(std::chrono::floor<std::chrono::seconds>(since)).text());
    for (;;) {
      auto answer = co_await api.rest(http::verb::get, path);
      if (!answer) co_return std::move(answer).error();
      auto page = decode_at<rest_order_sources>(answer->body, "GET orders.json: ");
      if (!page) co_return std::move(page).error();
      for (const auto& o : page->orders) {
        if (o.source_identifier == sid) co_return co_await fetch_order(api, o.id);
      }
      if (answer->next_page_info.empty()) co_return std::optional<order>{};
      // With page_info Shopify accepts only limit and fields.
      path =
          "orders.json?limit=250&fields=id,source_identifier&page_info=" + answer->next_page_info;
    }
  }
  static const std::string query =
      "query SynclineFindBySource($query: String!) {\n"
      "  orders(first: 5, query: $query) { nodes { legacyResourceId sourceIdentifier } }\n"
      "}";
  boost::json::object vars{{"query", "source_identifier:" + search_quoted(sid)}};
  auto data =
      co_await api.graphql("orders by source_identifier", query, std::move(vars), repeat::safe, 7);
  if (!data) co_return std::move(data).error();
  const auto& orders = member(*data, "orders");
  const auto* nodes = orders.is_object() ? orders.get_object().if_contains("nodes") : nullptr;
  if (!nodes || !nodes->is_array()) {
    co_return make_error(errc::decode, "GraphQL orders: answer without orders.nodes");
  }
  for (const auto& n : nodes->get_array()) {
    auto ref = decode_at<graphql::order_source>(n, "orders.nodes: ");
    if (!ref) co_return std::move(ref).error();
    if (ref->sourceIdentifier != sid) continue;  // search may match more loosely than equality
    auto id = legacy_id(ref->legacyResourceId, "order");
    if (!id) co_return std::move(id).error();
    co_return co_await fetch_order(api, *id);
  }
  co_return std::optional<order>{};
}

}  // namespace syncline::shopify::detail
