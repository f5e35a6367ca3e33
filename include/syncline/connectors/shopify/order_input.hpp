// What it takes to create a Shopify order, in the two shapes the Admin API accepts:
//
//   REST     POST /admin/api/{v}/orders.json   body {"order": order_input} (rest_order_create_body)
//   GraphQL  orderCreate(order: OrderCreateOrderInput!, options: OrderCreateOptionsInput)
//            variables {"order": ..., "options": ...} (graphql_order_create_input)
//
// A workflow fills one order_input; to_graphql() (graphql_order_input.hpp) gives the GraphQL
// variables for it, so the connector can use GraphQL (the default since 2025-04) or REST (legacy
// stores) from one value. The GraphQL shape lives apart because only the connector's compiled
// part and tests need it: a TU that declares a workflow does not parse it.
// Field names are Shopify's: snake_case for REST, camelCase for GraphQL. Every member has an
// initializer, so designated initializers ({.variant_id = 808950810, .quantity = 1}) compile
// cleanly under -Wextra.
#pragma once

#include <syncline/connectors/shopify/order.hpp>
#include <syncline/core/money.hpp>
#include <syncline/json/enum_names.hpp>

#include <boost/describe/class.hpp>
#include <boost/describe/enum.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace syncline::shopify {

// --- REST ------------------------------------------------------------------------------------

enum class transaction_kind { authorization, capture, sale, void_, refund };
BOOST_DESCRIBE_ENUM(transaction_kind, authorization, capture, sale, void_, refund)

}  // namespace syncline::shopify

// "void" is a C++ keyword. (Declared before any use of the enum's JSON names.)
template <>
struct syncline::json::enum_names<syncline::shopify::transaction_kind> {
  static constexpr enum_name<syncline::shopify::transaction_kind> renames[] = {
      {syncline::shopify::transaction_kind::void_, "void"}};
};

namespace syncline::shopify {

enum class transaction_status { pending, failure, success, error };
BOOST_DESCRIBE_ENUM(transaction_status, pending, failure, success, error)

// How creating the order moves inventory (Shopify's spelling: "behaviour").
enum class inventory_behaviour { bypass, decrement_ignoring_policy, decrement_obeying_policy };
BOOST_DESCRIBE_ENUM(inventory_behaviour, bypass, decrement_ignoring_policy,
                    decrement_obeying_policy)

// Either a product variant (variant_id) or a custom item (title and price).
struct line_item_input {
  std::optional<std::int64_t> variant_id{};
  std::optional<std::string> title{};
  std::optional<money> price{};
  std::int32_t quantity = 1;
  std::optional<std::string> sku{};
  std::optional<bool> requires_shipping{};
  std::optional<bool> taxable{};

  bool operator==(const line_item_input&) const = default;
};
BOOST_DESCRIBE_STRUCT(line_item_input, (),
                      (variant_id, title, price, quantity, sku, requires_shipping, taxable))

// An existing customer (id) or one to find or create by email and name.
struct customer_input {
  std::optional<std::int64_t> id{};
  std::optional<std::string> email{};
  std::optional<std::string> first_name{};
  std::optional<std::string> last_name{};

  bool operator==(const customer_input&) const = default;
};
BOOST_DESCRIBE_STRUCT(customer_input, (), (id, email, first_name, last_name))

struct transaction_input {
  transaction_kind kind = transaction_kind::sale;
  std::optional<transaction_status> status{};
  money amount{};
  std::optional<std::string> gateway{};
  std::optional<bool> test{};

  bool operator==(const transaction_input&) const = default;
};
BOOST_DESCRIBE_STRUCT(transaction_input, (), (kind, status, amount, gateway, test))

struct order_input {
  std::optional<std::string> email{};
  std::optional<std::string> currency{};  // ISO 4217; REST falls back to the shop's currency
  std::vector<line_item_input> line_items{};
  std::optional<customer_input> customer{};
  std::optional<shopify::financial_status> financial_status{};
  std::optional<std::string> tags{};  // comma-separated
  std::optional<std::string> note{};
  std::optional<std::vector<note_attribute>> note_attributes{};
  std::optional<std::string> source_name{};
  // Your own id for the order. orderCreate has no idempotency key: look for an order with this
  // source_identifier before retrying a create whose answer was lost.
  std::optional<std::string> source_identifier{};
  std::optional<std::vector<transaction_input>> transactions{};
  std::optional<bool> send_receipt{};
  std::optional<bool> send_fulfillment_receipt{};
  std::optional<shopify::inventory_behaviour> inventory_behaviour{};
  std::optional<bool> test{};

  bool operator==(const order_input&) const = default;
};
BOOST_DESCRIBE_STRUCT(order_input, (),
                      (email, currency, line_items, customer, financial_status, tags, note,
                       note_attributes, source_name, source_identifier, transactions, send_receipt,
                       send_fulfillment_receipt, inventory_behaviour, test))

// The body of POST orders.json: {"order": {...}}.
struct rest_order_create_body {
  order_input order{};

  bool operator==(const rest_order_create_body&) const = default;
};
BOOST_DESCRIBE_STRUCT(rest_order_create_body, (), (order))

}  // namespace syncline::shopify
