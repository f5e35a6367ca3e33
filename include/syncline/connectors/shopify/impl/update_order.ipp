// The bodies of shopify::update_order. Compiled once in separate mode (see <syncline/config.hpp>).
#pragma once

#include <syncline/connectors/shopify/admin_api.hpp>
#include <syncline/connectors/shopify/detail/order_queries.hpp>
#include <syncline/connectors/shopify/update_order.hpp>
#include <syncline/json/encode.hpp>
#include <syncline/json/to_value.hpp>

#include <boost/describe/class.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <string>
#include <utility>

namespace syncline::shopify {

namespace detail {
// {"order": {...}} of REST PUT orders/{id}.json.
struct rest_order_update_body {
  order_update order{};
};
BOOST_DESCRIBE_STRUCT(rest_order_update_body, (), (order))

// OrderInput of orderUpdate.
struct graphql_order_update_input {
  std::string id{};
  std::optional<std::vector<std::string>> tags{};
  std::optional<std::vector<graphql_attribute_input>> customAttributes{};
  std::optional<std::string> note{};
  std::optional<std::string> email{};
};
BOOST_DESCRIBE_STRUCT(graphql_order_update_input, (), (id, tags, customAttributes, note, email))

struct graphql_order_update_variables {
  graphql_order_update_input input{};
  int lineItems = line_items_per_order;
};
BOOST_DESCRIBE_STRUCT(graphql_order_update_variables, (), (input, lineItems))
}  // namespace detail

SYNCLINE_DECL boost::asio::awaitable<result<order>> update_order::operator()(
    order_update change, run_context& ctx) const {
  auto api = admin_api::from(ctx, name);
  if (!api) co_return std::move(api).error();
  co_return co_await update(*api, std::move(change));
}

SYNCLINE_DECL boost::asio::awaitable<result<order>> update_order::update(admin_api& api,
                                                                         order_update change) {
  if (change.id <= 0) {
    co_return make_error(errc::invalid_input, "shopify::update_order needs the order's id");
  }
  if (api.creds().api == api_kind::rest) {
    const detail::rest_order_update_body body{change};
    std::string text = json::encode(body);
    auto answer =
        co_await api.rest(http::verb::put, "orders/" + std::to_string(change.id) + ".json",
                          std::move(text), repeat::safe);
    if (!answer) co_return std::move(answer).error();
    auto env =
        detail::decode_at<detail::rest_order_envelope>(answer->body, "PUT orders/{id}.json: ");
    if (!env) co_return std::move(env).error();
    co_return std::move(env->order);
  }

  static const std::string mutation =
      "mutation SynclineOrderUpdate($input: OrderInput!, $lineItems: Int!) {\n"
      "  orderUpdate(input: $input) {\n"
      "    order { ...SynclineOrder }\n"
      "    userErrors { field message }\n"
      "  }\n"
      "}" +
      order_fragments();
  detail::graphql_order_update_variables vars;
  vars.input.id = gid("Order", change.id);
  if (change.tags) vars.input.tags = detail::split_tags(*change.tags);
  if (change.note_attributes) {
    vars.input.customAttributes.emplace();
    for (const auto& a : *change.note_attributes) {
      vars.input.customAttributes->push_back({a.name, a.value});
    }
  }
  vars.input.note = change.note;
  vars.input.email = change.email;
  boost::json::value v = json::to_value(vars);
  auto data = co_await api.graphql("orderUpdate", mutation, std::move(v.as_object()), repeat::safe,
                                   10 + order_fragment_cost(line_items_per_order));
  if (!data) co_return std::move(data).error();
  const auto& payload = detail::member(*data, "orderUpdate");
  if (!payload.is_object()) {
    co_return make_error(errc::decode, "GraphQL orderUpdate: answer without orderUpdate");
  }
  auto errors = detail::decode_at<std::vector<detail::graphql_user_error>>(
      detail::member(payload.get_object(), "userErrors"), "orderUpdate.userErrors");
  if (!errors) co_return std::move(errors).error();
  if (!errors->empty()) {
    // Shopify answers an unknown id with no order and a user error on the field "id".
    const bool unknown_id =
        detail::member(payload.get_object(), "order").is_null() &&
        std::all_of(errors->begin(), errors->end(), [](const detail::graphql_user_error& e) {
          return e.field && e.field->size() == 1 && e.field->front() == "id";
        });
    co_return make_error(unknown_id ? errc::not_found : errc::invalid_input,
                         "Shopify refused to update order " + std::to_string(change.id) + " (" +
                             api.shop() + "): " + detail::describe_user_errors(*errors));
  }
  const auto& node = detail::member(payload.get_object(), "order");
  if (!node.is_object()) {
    co_return make_error(errc::not_found,
                         "order " + std::to_string(change.id) + " does not exist in " + api.shop());
  }
  co_return co_await detail::read_graphql_order(api, node, "orderUpdate.order");
}

}  // namespace syncline::shopify
