// shopify::get_order: a block `order id -> shopify::order` that reads one order of the tenant's
// shop (GraphQL `order(id:)`, or REST GET orders/{id}.json), with all its line items. An id the
// shop does not have is errc::not_found.
#pragma once

#include <syncline/connectors/shopify/admin_api.hpp>
#include <syncline/connectors/shopify/app.hpp>
#include <syncline/connectors/shopify/detail/order_queries.hpp>
#include <syncline/connectors/shopify/order.hpp>
#include <syncline/core/result.hpp>
#include <syncline/core/run_context.hpp>

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace syncline::shopify {

struct get_order {
  using app_type = app;
  static constexpr std::string_view name = "get_order";

  boost::asio::awaitable<result<order>> operator()(std::int64_t id, run_context& ctx) const {
    auto api = admin_api::from(ctx, name);
    if (!api) co_return std::move(api).error();
    co_return co_await get(*api, id);
  }

  static boost::asio::awaitable<result<order>> get(admin_api& api, std::int64_t id) {
    auto found = co_await detail::fetch_order(api, id);
    if (!found) co_return std::move(found).error();
    if (!*found) {
      co_return make_error(errc::not_found,
                           "order " + std::to_string(id) + " does not exist in " + api.shop());
    }
    co_return std::move(**found);
  }
};

}  // namespace syncline::shopify
