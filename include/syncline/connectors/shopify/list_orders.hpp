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

#include <syncline/config.hpp>
#include <syncline/connectors/shopify/app.hpp>
#include <syncline/connectors/shopify/detail/query_text.hpp>
#include <syncline/connectors/shopify/graphql_order.hpp>
#include <syncline/connectors/shopify/order.hpp>
#include <syncline/connectors/shopify/order_codec.hpp>
#include <syncline/core/awaitable.hpp>
#include <syncline/core/needs.hpp>
#include <syncline/core/result.hpp>
#include <syncline/core/run_context.hpp>

#include <boost/describe/class.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace syncline::shopify {

// admin_api is only named here (the actions' `api` parameter); the bodies, in impl/*.ipp,
// include admin_api.hpp, and with it the HTTP client and Asio. A declare-only TU stays without
// them.
class admin_api;
class connector;

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
  // The engine gives the HTTP client and the credentials; install must be given a connector.
  using services = syncline::needs<connector>;
  static constexpr std::string_view name = "list_orders";
  // The Shopify access scope it needs (shopify::access_scopes_of gathers them).
  static constexpr std::string_view access_scope = "read_orders";

  // GraphQL charges for line items before it runs a query (first x their cost), so listings ask
  // for this many per order and fetch the rest of a longer order afterwards.
  static constexpr int line_items_per_listed_order = 10;
  // The largest GraphQL page whose requested cost stays under Shopify's 1000-point maximum.
  static constexpr int max_graphql_page =
      static_cast<int>((1000.0 - 2.0) / order_fragment_cost(line_items_per_listed_order));

  SYNCLINE_DECL static awaitable<result<order_page>> fetch(run_context& ctx,
                                                           std::string_view cursor);

  SYNCLINE_DECL static awaitable<result<order_page>> fetch(admin_api& api, order_query q);

  // Every page, from query.cursor.
  SYNCLINE_DECL awaitable<result<std::vector<order>>> operator()(order_query query,
                                                                 run_context& ctx) const;

 private:
  SYNCLINE_DECL static awaitable<result<order_page>> fetch_graphql(admin_api& api, order_query q);

  // REST cursors: a page_info from the Link header, or "since_id=<id>" to continue after the
  // last order seen (the Link header ends with the last page).
  SYNCLINE_DECL static awaitable<result<order_page>> fetch_rest(admin_api& api, order_query q);

  SYNCLINE_DECL static std::string unescape(std::string_view s);
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
  SYNCLINE_DECL awaitable<result<std::optional<order_page>>> next();

  const std::string& cursor() const noexcept { return query_.cursor; }

 private:
  run_context* ctx_;
  order_query query_;
  bool done_ = false;
};

}  // namespace syncline::shopify

#if SYNCLINE_HEADER_ONLY
#include <syncline/connectors/shopify/impl/list_orders.ipp>
#endif
