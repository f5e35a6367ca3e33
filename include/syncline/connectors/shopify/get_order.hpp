// shopify::get_order: a block `order id -> shopify::order` that reads one order of the tenant's
// shop (GraphQL `order(id:)`, or REST GET orders/{id}.json), with all its line items. An id the
// shop does not have is errc::not_found.
#pragma once

#include <syncline/config.hpp>
#include <syncline/connectors/shopify/app.hpp>
#include <syncline/connectors/shopify/order.hpp>
#include <syncline/connectors/shopify/order_codec.hpp>
#include <syncline/core/awaitable.hpp>
#include <syncline/core/needs.hpp>
#include <syncline/core/result.hpp>
#include <syncline/core/run_context.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace syncline::shopify {

// admin_api is only named here (the actions' `api` parameter); the bodies, in impl/*.ipp,
// include admin_api.hpp, and with it the HTTP client and Asio. A declare-only TU stays without
// them.
class admin_api;
class connector;

struct get_order {
  using app_type = app;
  // The engine gives the HTTP client and the credentials; install must be given a connector.
  using services = syncline::needs<connector>;
  static constexpr std::string_view name = "get_order";
  // The Shopify access scope it needs (shopify::access_scopes_of gathers them).
  static constexpr std::string_view access_scope = "read_orders";

  SYNCLINE_DECL awaitable<result<order>> operator()(std::int64_t id, run_context& ctx) const;

  SYNCLINE_DECL static awaitable<result<order>> get(admin_api& api, std::int64_t id);
};

}  // namespace syncline::shopify

#if SYNCLINE_HEADER_ONLY
#include <syncline/connectors/shopify/impl/get_order.ipp>
#endif
