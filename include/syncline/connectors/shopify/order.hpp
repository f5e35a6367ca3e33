// The Shopify order as the REST Admin API and the orders/* webhooks send it, with field names as
// Shopify spells them. Only the fields syncline's workflows use are modelled; the decoder skips
// the many others (and those Shopify adds each quarter).
//
// Ids are exact 64-bit integers (real ones exceed 2^53: 820982911946154508); the
// admin_graphql_api_id ("gid://shopify/Order/<id>") stays a string. Amounts are
// syncline::money, decoded from Shopify's decimal strings ("199.65") and written back the same.
// Times are syncline::timestamp, kept with the shop's offset. A member that is not std::optional
// is required: Shopify always sends it, and its absence means the payload is not an order.
// Every member has an initializer, so building one with designated initializers
// (line_item{.title = "x", .quantity = 1}) compiles cleanly under -Wextra.
#pragma once

#include <syncline/core/money.hpp>
#include <syncline/core/timestamp.hpp>
#include <syncline/json/enum_names.hpp>
#include <syncline/json/key_names.hpp>

#include <boost/describe/class.hpp>
#include <boost/describe/enum.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace syncline::shopify {

enum class financial_status {
  pending,
  authorized,
  partially_paid,
  paid,
  partially_refunded,
  refunded,
  voided,
  expired,
  unknown,  // a status this version of syncline does not know yet (json::enum_fallback)
};
BOOST_DESCRIBE_ENUM(financial_status, pending, authorized, partially_paid, paid, partially_refunded,
                    refunded, voided, expired, unknown)

// An order's fulfillment_status; an unfulfilled order has null.
enum class fulfillment_status { fulfilled, partial, restocked, unknown };
BOOST_DESCRIBE_ENUM(fulfillment_status, fulfilled, partial, restocked, unknown)

}  // namespace syncline::shopify

// Shopify adds statuses without a new API version; an order with one must still arrive (its
// status reads as `unknown`) rather than fail to decode and be lost.
template <>
struct syncline::json::enum_fallback<syncline::shopify::financial_status> {
  static constexpr auto value = syncline::shopify::financial_status::unknown;
};
template <>
struct syncline::json::enum_fallback<syncline::shopify::fulfillment_status> {
  static constexpr auto value = syncline::shopify::fulfillment_status::unknown;
};

namespace syncline::shopify {

// One amount in one currency ({"amount": "199.65", "currency_code": "USD"}); Shopify's GraphQL
// calls it MoneyV2.
struct money_v2 {
  money amount{};
  std::string currency_code{};

  bool operator==(const money_v2&) const = default;
};
BOOST_DESCRIBE_STRUCT(money_v2, (), (amount, currency_code))

// An amount in the shop's currency and in the currency the buyer saw ("*_set" fields).
struct money_set {
  money_v2 shop_money{};
  money_v2 presentment_money{};

  bool operator==(const money_set&) const = default;
};
BOOST_DESCRIBE_STRUCT(money_set, (), (shop_money, presentment_money))

// A custom attribute the buyer or an app attached to the order (cart attributes).
struct note_attribute {
  std::string name{};
  std::string value{};

  bool operator==(const note_attribute&) const = default;
};
BOOST_DESCRIBE_STRUCT(note_attribute, (), (name, value))

// A postal address: the order's billing_address and shipping_address, a customer's
// default_address. Shopify sends every field, often null.
struct address {
  std::optional<std::int64_t> id{};  // customer addresses only
  std::optional<std::string> first_name{};
  std::optional<std::string> last_name{};
  std::optional<std::string> name{};
  std::optional<std::string> company{};
  std::optional<std::string> address1{};
  std::optional<std::string> address2{};
  std::optional<std::string> city{};
  std::optional<std::string> province{};
  std::optional<std::string> province_code{};
  std::optional<std::string> country{};
  std::optional<std::string> country_code{};
  std::optional<std::string> zip{};
  std::optional<std::string> phone{};
  std::optional<bool> is_default{};  // JSON "default" (customer addresses only)

  bool operator==(const address&) const = default;
};
BOOST_DESCRIBE_STRUCT(address, (),
                      (id, first_name, last_name, name, company, address1, address2, city, province,
                       province_code, country, country_code, zip, phone, is_default))

}  // namespace syncline::shopify

// "default" is a C++ keyword. (Declared before any use of address's JSON keys.)
template <>
struct syncline::json::key_names<syncline::shopify::address> {
  static constexpr member_key renames[] = {{"is_default", "default"}};
};

namespace syncline::shopify {

struct customer {
  std::int64_t id = 0;
  std::optional<std::string> admin_graphql_api_id{};
  std::optional<std::string> email{};
  std::optional<std::string> first_name{};
  std::optional<std::string> last_name{};
  std::optional<std::string> phone{};
  std::optional<std::string> state{};  // "enabled", "disabled", "invited", "declined"
  std::optional<std::string> tags{};
  std::optional<std::string> currency{};
  std::optional<timestamp> created_at{};
  std::optional<timestamp> updated_at{};
  std::optional<address> default_address{};

  bool operator==(const customer&) const = default;
};
BOOST_DESCRIBE_STRUCT(customer, (),
                      (id, admin_graphql_api_id, email, first_name, last_name, phone, state, tags,
                       currency, created_at, updated_at, default_address))

struct line_item {
  std::int64_t id = 0;
  std::optional<std::string> admin_graphql_api_id{};
  std::optional<std::string> fulfillment_status{};  // null, "fulfilled", "partial", "not_eligible"
  std::optional<bool> gift_card{};
  std::optional<std::int64_t> grams{};
  std::optional<std::string> name{};
  money price{};
  std::optional<money_set> price_set{};
  std::optional<std::int64_t> product_id{};  // null for a custom line item
  std::int32_t quantity = 0;
  std::optional<bool> requires_shipping{};
  std::optional<std::string> sku{};
  std::optional<bool> taxable{};
  std::string title{};
  std::optional<money> total_discount{};
  std::optional<std::int64_t> variant_id{};  // null for a custom line item
  std::optional<std::string> variant_title{};
  std::optional<std::string> vendor{};

  bool operator==(const line_item&) const = default;
};
BOOST_DESCRIBE_STRUCT(line_item, (),
                      (id, admin_graphql_api_id, fulfillment_status, gift_card, grams, name, price,
                       price_set, product_id, quantity, requires_shipping, sku, taxable, title,
                       total_discount, variant_id, variant_title, vendor))

struct order {
  std::int64_t id = 0;
  std::string admin_graphql_api_id{};  // "gid://shopify/Order/<id>"
  std::optional<std::string> cancel_reason{};
  std::optional<timestamp> cancelled_at{};
  std::optional<timestamp> closed_at{};
  std::optional<std::string> contact_email{};
  timestamp created_at{};
  std::string currency{};  // ISO 4217, the shop's currency
  std::optional<std::string> email{};
  std::optional<shopify::financial_status> financial_status{};
  std::optional<shopify::fulfillment_status> fulfillment_status{};
  std::string name{};  // "#1001"
  std::optional<std::string> note{};
  std::vector<note_attribute> note_attributes{};
  std::int64_t order_number = 0;  // 1001
  std::optional<std::string> phone{};
  std::optional<std::string> presentment_currency{};
  std::optional<timestamp> processed_at{};
  std::optional<std::string> source_identifier{};  // set by the app that created the order
  std::optional<std::string> source_name{};        // "web", "pos", or an app's name
  money subtotal_price{};
  std::optional<money_set> subtotal_price_set{};
  std::string tags{};  // comma-separated: "vip, wholesale"
  std::optional<bool> test{};
  std::optional<money> total_discounts{};
  money total_price{};
  std::optional<money_set> total_price_set{};
  money total_tax{};
  std::optional<money_set> total_tax_set{};
  timestamp updated_at{};
  std::optional<address> billing_address{};
  std::optional<shopify::customer> customer{};  // absent or null for a guest checkout
  std::vector<line_item> line_items{};
  std::optional<address> shipping_address{};

  bool operator==(const order&) const = default;
};
BOOST_DESCRIBE_STRUCT(order, (),
                      (id, admin_graphql_api_id, cancel_reason, cancelled_at, closed_at,
                       contact_email, created_at, currency, email, financial_status,
                       fulfillment_status, name, note, note_attributes, order_number, phone,
                       presentment_currency, processed_at, source_identifier, source_name,
                       subtotal_price, subtotal_price_set, tags, test, total_discounts, total_price,
                       total_price_set, total_tax, total_tax_set, updated_at, billing_address,
                       customer, line_items, shipping_address))

}  // namespace syncline::shopify
