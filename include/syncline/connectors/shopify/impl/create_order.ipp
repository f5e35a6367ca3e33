// The bodies of shopify::create_order. Compiled once in separate mode (see <syncline/config.hpp>).
#pragma once

#include <syncline/connectors/shopify/create_order.hpp>
#include <syncline/connectors/shopify/admin_api.hpp>
#include <syncline/connectors/shopify/detail/order_queries.hpp>
#include <syncline/connectors/shopify/graphql_order.hpp>
#include <syncline/connectors/shopify/graphql_order_input.hpp>
#include <syncline/json/encode.hpp>
#include <syncline/json/to_value.hpp>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <string>
#include <utility>

namespace syncline::shopify {

SYNCLINE_DECL boost::asio::awaitable<result<order>> create_order::operator()(
    order_input in, run_context& ctx) const {
  auto api = admin_api::from(ctx, name);
  if (!api) co_return std::move(api).error();
  if (!in.source_identifier || in.source_identifier->empty()) {
    in.source_identifier = ctx.idempotency_key();
  }
  co_return co_await create(*api, std::move(in), ctx.attempt() > 1);
}

SYNCLINE_DECL boost::asio::awaitable<result<order>> create_order::create(admin_api& api,
                                                                         order_input in,
                                                                         bool look_first) {
  if (!in.source_identifier || in.source_identifier->empty()) {
    co_return make_error(errc::invalid_input,
                         "shopify::create_order needs order_input.source_identifier (your own "
                         "id for the order): without it a create whose answer is lost cannot "
                         "be told apart from one that never happened");
  }
  const std::string sid = *in.source_identifier;
  const auto since = std::chrono::system_clock::now() - api.options().rest_lookup_window;
  int failures = 0;
  for (;;) {
    if (look_first) {
      auto found = co_await detail::find_by_source_identifier(api, sid, since);
      if (!found) {
        ::syncline::error e = std::move(found).error();
        e.message = "could not tell whether the order with source_identifier \"" + sid +
                    "\" was created: " + e.message;
        co_return e;
      }
      if (*found) co_return std::move(**found);
      look_first = false;
    }
    auto made = co_await create_once(api, in);
    if (made) co_return made;
    const errc c = made.error().category;
    // Anything but a transient failure is an answer: Shopify did not create the order.
    // rate_limited too: 429/THROTTLED calls are not run.
    if (!is_transient(c) || c == errc::rate_limited) co_return made;
    if (++failures >= api.options().max_attempts) {
      ::syncline::error e = std::move(made).error();
      e.message += " (" + std::to_string(failures) +
                   " attempts; the order may exist: the run's next attempt looks for "
                   "source_identifier \"" +
                   sid + "\" before creating it)";
      co_return e;
    }
    co_await admin_api::sleep(api.backoff(failures - 1));
    look_first = true;
  }
}

SYNCLINE_DECL boost::asio::awaitable<result<order>> create_order::create_once(
    admin_api& api, const order_input& in) {
  if (api.creds().api == api_kind::rest) {
    // Named first: g++ 12 miscompiles a braced temporary inside a co_await expression.
    const rest_order_create_body body{in};
    std::string text = json::encode(body);
    auto answer =
        co_await api.rest(http::verb::post, "orders.json", std::move(text), repeat::unsafe);
    if (!answer) co_return std::move(answer).error();
    auto env = detail::decode_at<detail::rest_order_envelope>(answer->body, "POST orders.json: ");
    if (!env) co_return std::move(env).error();
    co_return std::move(env->order);
  }

  static const std::string mutation =
      "mutation SynclineOrderCreate($order: OrderCreateOrderInput!, $options: "
      "OrderCreateOptionsInput, $lineItems: Int!) {\n"
      "  orderCreate(order: $order, options: $options) {\n"
      "    order { ...SynclineOrder }\n"
      "    userErrors { field message code }\n"
      "  }\n"
      "}" +
      order_fragments();
  auto input = to_graphql(in);
  if (!input) co_return std::move(input).error();
  boost::json::value vars = json::to_value(*input);
  // Ask for as many line items as were sent: the query's cost follows the page size.
  const int items =
      static_cast<int>(std::clamp<std::size_t>(in.line_items.size(), 1, line_items_per_order));
  vars.as_object()["lineItems"] = items;
  auto data = co_await api.graphql("orderCreate", mutation, std::move(vars.as_object()),
                                   repeat::unsafe, 10 + order_fragment_cost(items));
  if (!data) co_return std::move(data).error();
  const auto& payload = detail::member(*data, "orderCreate");
  if (!payload.is_object()) {
    co_return make_error(errc::decode, "GraphQL orderCreate: answer without orderCreate");
  }
  auto errors = detail::decode_at<std::vector<detail::graphql_user_error>>(
      detail::member(payload.get_object(), "userErrors"), "orderCreate.userErrors");
  if (!errors) co_return std::move(errors).error();
  if (!errors->empty()) {
    co_return make_error(errc::invalid_input, "Shopify refused to create the order (" + api.shop() +
                                                  "): " + detail::describe_user_errors(*errors));
  }
  const auto& node = detail::member(payload.get_object(), "order");
  if (!node.is_object()) {
    co_return make_error(errc::decode, "GraphQL orderCreate: no order and no userErrors");
  }
  co_return co_await detail::read_graphql_order(api, node, "orderCreate.order");
}

}  // namespace syncline::shopify
