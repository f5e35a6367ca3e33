// shopify::create_order: a block `order_input -> shopify::order` that creates the order in the
// tenant's shop, once. GraphQL orderCreate by default, REST POST orders.json when the
// credentials say api_kind::rest.
//
// Shopify has no idempotency key for creates, so the order carries our own id in
// source_identifier (the input's, or else the run's idempotency key, the same on every attempt
// of the run). When an answer is lost (timeout, connection closed) or is a 5xx, the create may
// have happened: the order is looked up by that id and returned if it exists, and created again
// only if it does not. A run's second attempt looks before its first create for the same reason.
// 429 and THROTTLED answers mean "not run": they are waited out and sent again.
//
//   app_event<"order.placed", order_placed>{} | map<"to_shopify">(to_order_input)
//       | shopify::create_order{} | ...
//
// Calling create() outside a run takes a shopify::admin_api: include admin_api.hpp for it.
#pragma once

#include <syncline/config.hpp>
#include <syncline/connectors/shopify/app.hpp>
#include <syncline/connectors/shopify/order.hpp>
#include <syncline/connectors/shopify/order_codec.hpp>
#include <syncline/connectors/shopify/order_input.hpp>
#include <syncline/core/awaitable.hpp>
#include <syncline/core/needs.hpp>
#include <syncline/core/result.hpp>
#include <syncline/core/run_context.hpp>

#include <string>
#include <string_view>
#include <utility>

namespace syncline::shopify {

// admin_api is only named here (the actions' `api` parameter); the bodies, in impl/*.ipp,
// include admin_api.hpp, and with it the HTTP client and Asio. A declare-only TU stays without
// them.
class admin_api;
class connector;

struct create_order {
  using app_type = app;
  // The engine gives the HTTP client and the credentials; install must be given a connector.
  using services = syncline::needs<connector>;
  static constexpr std::string_view name = "create_order";
  // The Shopify access scope it needs (shopify::access_scopes_of gathers them).
  static constexpr std::string_view access_scope = "write_orders";

  SYNCLINE_DECL awaitable<result<order>> operator()(order_input in, run_context& ctx) const;

  // The same outside a run. `look_first`: an earlier try may have created the order.
  SYNCLINE_DECL static awaitable<result<order>> create(admin_api& api, order_input in,
                                                       bool look_first = false);

 private:
  SYNCLINE_DECL static awaitable<result<order>> create_once(admin_api& api, const order_input& in);
};

}  // namespace syncline::shopify

#if SYNCLINE_HEADER_ONLY
#include <syncline/connectors/shopify/impl/create_order.ipp>
#endif
