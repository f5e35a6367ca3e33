// The bodies of shopify::get_order. Compiled once in separate mode (see <syncline/config.hpp>).
#pragma once

#include <syncline/connectors/shopify/admin_api.hpp>
#include <syncline/connectors/shopify/detail/order_queries.hpp>
#include <syncline/connectors/shopify/get_order.hpp>

#include <string>
#include <utility>

namespace syncline::shopify {

SYNCLINE_DECL boost::asio::awaitable<result<order>> get_order::operator()(std::int64_t id,
                                                                          run_context& ctx) const {
  auto api = admin_api::from(ctx, name);
  if (!api) co_return std::move(api).error();
  co_return co_await get(*api, id);
}

SYNCLINE_DECL boost::asio::awaitable<result<order>> get_order::get(admin_api& api,
                                                                   std::int64_t id) {
  auto found = co_await detail::fetch_order(api, id);
  if (!found) co_return std::move(found).error();
  if (!*found) {
    co_return make_error(errc::not_found,
                         "order " + std::to_string(id) + " does not exist in " + api.shop());
  }
  co_return std::move(**found);
}

}  // namespace syncline::shopify
