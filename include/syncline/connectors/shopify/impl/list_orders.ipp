// The bodies of shopify::list_orders. Compiled once in separate mode (see <syncline/config.hpp>).
#pragma once

#include <syncline/connectors/shopify/admin_api.hpp>
#include <syncline/connectors/shopify/detail/order_queries.hpp>
#include <syncline/connectors/shopify/list_orders.hpp>
#include <syncline/http/url.hpp>

#include <boost/json/object.hpp>

#include <algorithm>
#include <string>
#include <utility>

namespace syncline::shopify {

SYNCLINE_DECL boost::asio::awaitable<result<order_page>> list_orders::fetch(
    run_context& ctx, std::string_view cursor) {
  auto api = admin_api::from(ctx, name);
  if (!api) co_return std::move(api).error();
  order_query q;
  q.cursor = std::string(cursor);
  co_return co_await fetch(*api, std::move(q));
}

SYNCLINE_DECL boost::asio::awaitable<result<order_page>> list_orders::fetch(admin_api& api,
                                                                            order_query q) {
  if (api.creds().api == api_kind::rest) co_return co_await fetch_rest(api, std::move(q));
  co_return co_await fetch_graphql(api, std::move(q));
}

SYNCLINE_DECL boost::asio::awaitable<result<std::vector<order>>> list_orders::operator()(
    order_query query, run_context& ctx) const {
  auto api = admin_api::from(ctx, name);
  if (!api) co_return std::move(api).error();
  std::vector<order> all;
  for (;;) {
    auto page = co_await fetch(*api, query);
    if (!page) co_return std::move(page).error();
    for (auto& o : page->items) all.push_back(std::move(o));
    if (!page->next_cursor) co_return all;
    query.cursor = std::move(*page->next_cursor);
  }
}

SYNCLINE_DECL boost::asio::awaitable<result<order_page>> list_orders::fetch_graphql(admin_api& api,
                                                                                    order_query q) {
  static const std::string query =
      "query SynclineOrders($first: Int!, $after: String, $query: String, $lineItems: Int!) {\n"
      "  orders(first: $first, after: $after, query: $query, sortKey: ID) {\n"
      "    pageInfo { hasNextPage endCursor }\n"
      "    nodes { ...SynclineOrder }\n"
      "  }\n"
      "}" +
      order_fragments();
  const int first = q.page_size > 0 ? std::min(q.page_size, max_graphql_page) : max_graphql_page;
  boost::json::object vars{{"first", first}, {"lineItems", line_items_per_listed_order}};
  if (!q.cursor.empty()) vars["after"] = q.cursor;
  if (!q.search.empty()) vars["query"] = q.search;
  auto data = co_await api.graphql("orders", query, std::move(vars), repeat::safe,
                                   2 + first * order_fragment_cost(line_items_per_listed_order));
  if (!data) co_return std::move(data).error();
  const auto& orders = detail::member(*data, "orders");
  if (!orders.is_object()) co_return make_error(errc::decode, "GraphQL orders: no orders");
  auto info = detail::decode_at<graphql::page_info>(detail::member(orders.get_object(), "pageInfo"),
                                                    "orders.pageInfo");
  if (!info) co_return std::move(info).error();
  const auto& nodes = detail::member(orders.get_object(), "nodes");
  if (!nodes.is_array()) co_return make_error(errc::decode, "GraphQL orders: no nodes");
  order_page page;
  for (const auto& node : nodes.get_array()) {
    auto o = co_await detail::read_graphql_order(api, node, "orders.nodes");
    if (!o) co_return std::move(o).error();
    page.items.push_back(std::move(*o));
  }
  page.resume_cursor = info->endCursor.value_or(q.cursor);
  if (info->hasNextPage && info->endCursor) page.next_cursor = *info->endCursor;
  co_return page;
}

SYNCLINE_DECL boost::asio::awaitable<result<order_page>> list_orders::fetch_rest(admin_api& api,
                                                                                 order_query q) {
  if (!q.search.empty()) {
    co_return make_error(errc::invalid_input,
                         "shopify::list_orders: search is GraphQL's query syntax; the REST API "
                         "does not take it");
  }
  const int limit = q.page_size > 0 ? std::min(q.page_size, 250) : 250;
  std::string path = "orders.json?limit=" + std::to_string(limit);
  constexpr std::string_view since = "since_id=";
  if (q.cursor.empty()) {
    path += "&status=any&order=id%20asc";
  } else if (q.cursor.starts_with(since)) {
    path += "&status=any&since_id=" + http::percent_encode(q.cursor.substr(since.size()));
  } else {
    path += "&page_info=" + http::percent_encode(q.cursor);
  }
  auto answer = co_await api.rest(http::verb::get, std::move(path));
  if (!answer) co_return std::move(answer).error();
  auto env = detail::decode_at<detail::rest_orders_envelope>(answer->body, "GET orders.json: ");
  if (!env) co_return std::move(env).error();
  order_page page;
  page.items = std::move(env->orders);
  if (!answer->next_page_info.empty()) {
    // The Link header's value is already escaped; the cursor holds it unescaped.
    page.next_cursor = unescape(answer->next_page_info);
    page.resume_cursor = *page.next_cursor;
  } else if (!page.items.empty()) {
    page.resume_cursor = std::string(since) + std::to_string(page.items.back().id);
  } else {
    page.resume_cursor = q.cursor;
  }
  co_return page;
}

SYNCLINE_DECL std::string list_orders::unescape(std::string_view s) {
  auto decoded = http::percent_decode(s);
  return decoded ? std::move(*decoded) : std::string(s);
}

SYNCLINE_DECL boost::asio::awaitable<result<std::optional<order_page>>> order_pages::next() {
  if (done_) co_return std::optional<order_page>{};
  auto api = admin_api::from(*ctx_, list_orders::name);
  if (!api) co_return std::move(api).error();
  auto page = co_await list_orders::fetch(*api, query_);
  if (!page) co_return std::move(page).error();
  done_ = !page->next_cursor;
  query_.cursor = page->resume_cursor;
  co_return std::optional<order_page>{std::move(*page)};
}

}  // namespace syncline::shopify
