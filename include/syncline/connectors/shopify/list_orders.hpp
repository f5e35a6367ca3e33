// shopify::list_orders: every order of the tenant's shop, page by page, resumable from a cursor.
//
//   shopify::list_orders::fetch(ctx, cursor)     one page: awaitable<result<order_page>>, what a
//                                                poll trigger needs ("" = from the start)
//   shopify::order_pages pages(ctx, cursor);     the pages as an async sequence:
//   while (auto page = co_await pages.next()) { if (!*page) break; ... pages.cursor() ... }
//   shopify::list_orders{}                       a block `order_query -> std::vector<order>`
//                                                reading all pages
//
// Orders come oldest first (by id). GraphQL pages with `orders(first:, after:, sortKey: ID)`,
// REST with Link page_info. A cursor is opaque and belongs to the API that made it.
#pragma once

#include <syncline/connectors/shopify/admin_api.hpp>
#include <syncline/connectors/shopify/app.hpp>
#include <syncline/connectors/shopify/detail/order_queries.hpp>
#include <syncline/connectors/shopify/detail/query_text.hpp>
#include <syncline/connectors/shopify/graphql_order.hpp>
#include <syncline/connectors/shopify/order.hpp>
#include <syncline/core/result.hpp>
#include <syncline/core/run_context.hpp>
#include <syncline/http/url.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/describe/class.hpp>
#include <boost/json/object.hpp>

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace syncline::shopify {

struct order_page {
  std::vector<order> items{};
  // The next page, when there is one now: fetch(ctx, *next_cursor).
  std::optional<std::string> next_cursor{};
  // Where a later listing continues to see only orders that come after this page (a poll's
  // cursor once the last page is read). Equal to next_cursor when there is one.
  std::string resume_cursor{};
};

// What to list. `search` is Shopify's search syntax ("tag:vip financial_status:paid"), GraphQL
// only; `page_size` 0 picks the largest page the API's limits allow.
struct order_query {
  std::string search{};
  std::string cursor{};
  int page_size = 0;

  bool operator==(const order_query&) const = default;
};
BOOST_DESCRIBE_STRUCT(order_query, (), (search, cursor, page_size))

struct list_orders {
  using app_type = app;
  static constexpr std::string_view name = "list_orders";

  // GraphQL charges for line items before it runs a query (first x their cost), so listings ask
  // for this many per order and fetch the rest of a longer order afterwards.
  static constexpr int line_items_per_listed_order = 10;
  // The largest GraphQL page whose requested cost stays under Shopify's 1000-point maximum.
  static constexpr int max_graphql_page =
      static_cast<int>((1000.0 - 2.0) / order_fragment_cost(line_items_per_listed_order));

  static boost::asio::awaitable<result<order_page>> fetch(run_context& ctx,
                                                          std::string_view cursor) {
    auto api = admin_api::from(ctx, name);
    if (!api) co_return std::move(api).error();
    order_query q;
    q.cursor = std::string(cursor);
    co_return co_await fetch(*api, std::move(q));
  }

  static boost::asio::awaitable<result<order_page>> fetch(admin_api& api, order_query q) {
    if (api.creds().api == api_kind::rest) co_return co_await fetch_rest(api, std::move(q));
    co_return co_await fetch_graphql(api, std::move(q));
  }

  // Every page, from query.cursor.
  boost::asio::awaitable<result<std::vector<order>>> operator()(order_query query,
                                                                run_context& ctx) const {
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

 private:
  static boost::asio::awaitable<result<order_page>> fetch_graphql(admin_api& api, order_query q) {
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
    auto info = detail::decode_at<graphql::page_info>(
        detail::member(orders.get_object(), "pageInfo"), "orders.pageInfo");
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

  // REST cursors: a page_info from the Link header, or "since_id=<id>" to continue after the
  // last order seen (the Link header ends with the last page).
  static boost::asio::awaitable<result<order_page>> fetch_rest(admin_api& api, order_query q) {
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

  static std::string unescape(std::string_view s) {
    auto decoded = http::percent_decode(s);
    return decoded ? std::move(*decoded) : std::string(s);
  }
};

// The pages of a listing as an async sequence, resumable: cursor() is where it stands; a new
// sequence made with that cursor continues from there (after a crash, in the next poll).
class order_pages {
 public:
  explicit order_pages(run_context& ctx, std::string cursor = {}, order_query query = {})
      : ctx_(&ctx), query_(std::move(query)) {
    query_.cursor = std::move(cursor);
  }

  // The next page; an empty optional once the last page has been read.
  boost::asio::awaitable<result<std::optional<order_page>>> next() {
    if (done_) co_return std::optional<order_page>{};
    auto api = admin_api::from(*ctx_, list_orders::name);
    if (!api) co_return std::move(api).error();
    auto page = co_await list_orders::fetch(*api, query_);
    if (!page) co_return std::move(page).error();
    done_ = !page->next_cursor;
    query_.cursor = page->resume_cursor;
    co_return std::optional<order_page>{std::move(*page)};
  }

  const std::string& cursor() const noexcept { return query_.cursor; }

 private:
  run_context* ctx_;
  order_query query_;
  bool done_ = false;
};

}  // namespace syncline::shopify
