// shopify::update_order: a block `order_update -> shopify::order` that changes the tags, note
// attributes, note or email of an order (GraphQL orderUpdate, or REST PUT orders/{id}.json).
// Shopify replaces tags and note attributes as a whole, so order_update::add_tag and
// order_update::set_attribute start from the order's current ones: that is how a workflow marks
// an order it wrote, so that the other direction of a bi-directional sync can skip it.
//
//   shopify::create_order{} | map<"mark">([](const shopify::order& o) {
//       return shopify::order_update::set_attribute(o, "syncline_origin", "platform"); })
//   | shopify::update_order{}
#pragma once

#include <syncline/connectors/shopify/admin_api.hpp>
#include <syncline/connectors/shopify/app.hpp>
#include <syncline/connectors/shopify/create_order.hpp>
#include <syncline/connectors/shopify/detail/order_queries.hpp>
#include <syncline/connectors/shopify/gid.hpp>
#include <syncline/connectors/shopify/graphql_order.hpp>
#include <syncline/connectors/shopify/order.hpp>
#include <syncline/connectors/shopify/order_input.hpp>
#include <syncline/core/result.hpp>
#include <syncline/core/run_context.hpp>
#include <syncline/json/encode.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/describe/class.hpp>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace syncline::shopify {

// What to change; members left empty are not touched.
struct order_update {
  std::int64_t id = 0;
  std::optional<std::string> tags{};  // comma-separated; replaces all the order's tags
  std::optional<std::vector<note_attribute>> note_attributes{};  // replaces all of them
  std::optional<std::string> note{};
  std::optional<std::string> email{};

  bool operator==(const order_update&) const = default;

  // The update that adds `tag` to the order's tags (none if it has it already).
  static order_update add_tag(const order& o, std::string_view tag) {
    order_update u{.id = o.id};
    std::vector<std::string> tags = detail::split_tags(o.tags);
    bool present = false;
    for (const auto& t : tags) present = present || t == tag;
    std::string joined = o.tags;
    if (!present) joined = joined.empty() ? std::string(tag) : joined + ", " + std::string(tag);
    u.tags = std::move(joined);
    return u;
  }

  // The update that sets the note attribute `name` to `value`, keeping the others.
  static order_update set_attribute(const order& o, std::string_view name, std::string_view value) {
    order_update u{.id = o.id};
    std::vector<note_attribute> attributes = o.note_attributes;
    bool found = false;
    for (auto& a : attributes) {
      if (a.name == name) {
        a.value = std::string(value);
        found = true;
      }
    }
    if (!found) attributes.push_back({std::string(name), std::string(value)});
    u.note_attributes = std::move(attributes);
    return u;
  }
};
BOOST_DESCRIBE_STRUCT(order_update, (), (id, tags, note_attributes, note, email))

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

struct update_order {
  using app_type = app;
  static constexpr std::string_view name = "update_order";

  boost::asio::awaitable<result<order>> operator()(order_update change, run_context& ctx) const {
    auto api = admin_api::from(ctx, name);
    if (!api) co_return std::move(api).error();
    co_return co_await update(*api, std::move(change));
  }

  // Setting the same values twice has the same effect as once, so the call is repeated after a
  // lost answer or a 5xx like a read.
  static boost::asio::awaitable<result<order>> update(admin_api& api, order_update change) {
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
    auto data = co_await api.graphql("orderUpdate", mutation, std::move(v.as_object()),
                                     repeat::safe, 10 + order_fragment_cost(line_items_per_order));
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
      co_return make_error(errc::not_found, "order " + std::to_string(change.id) +
                                                " does not exist in " + api.shop());
    }
    co_return co_await detail::read_graphql_order(api, node, "orderUpdate.order");
  }
};

}  // namespace syncline::shopify
