// An order as the GraphQL Admin API returns it, and its conversion to shopify::order, the REST
// and webhook shape every syncline workflow uses. Whatever API the credentials pick, an action
// hands the next block the same shopify::order.
//
// The selection is a set of fragments (`order_fragments()`), written to keep the query cost low:
// GraphQL charges every object and `first` x the children of every connection before it runs a
// query, so line items are asked for in pages of `lineItems(first: $lineItems)` and the rest, if
// any, fetched after (complete_line_items in the actions).
#pragma once

#include <syncline/connectors/shopify/gid.hpp>
#include <syncline/connectors/shopify/graphql_order_input.hpp>  // detail::same_name_in_capitals
#include <syncline/connectors/shopify/order.hpp>
#include <syncline/core/money.hpp>
#include <syncline/core/result.hpp>
#include <syncline/core/timestamp.hpp>
#include <syncline/json/detail/enum_codec.hpp>
#include <syncline/json/detail/quote.hpp>

#include <boost/describe/class.hpp>

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace syncline::shopify {

// The fields the conversion reads, as three GraphQL fragments; `$lineItems` is the line-item
// page size. A document that uses SynclineOrder appends order_fragments(); one that reads only
// line items appends line_item_fragments() (GraphQL refuses unused fragments).
inline std::string line_item_fragments() {
  return R"(
fragment SynclineMoney on MoneyBag { shopMoney { amount currencyCode } }
fragment SynclineLineItems on LineItemConnection {
  pageInfo { hasNextPage endCursor }
  nodes {
    id title name quantity sku vendor variantTitle requiresShipping taxable
    originalUnitPriceSet { ...SynclineMoney }
    variant { legacyResourceId }
    product { legacyResourceId }
  }
})";
}

inline std::string order_fragments() {
  return line_item_fragments() + R"(
fragment SynclineOrder on Order {
  id legacyResourceId name email phone note createdAt updatedAt processedAt cancelledAt closedAt
  cancelReason test currencyCode presentmentCurrencyCode sourceIdentifier sourceName tags
  displayFinancialStatus displayFulfillmentStatus
  customAttributes { key value }
  subtotalPriceSet { ...SynclineMoney }
  totalPriceSet { ...SynclineMoney }
  totalTaxSet { ...SynclineMoney }
  totalDiscountsSet { ...SynclineMoney }
  customer { id legacyResourceId email firstName lastName phone }
  lineItems(first: $lineItems) { ...SynclineLineItems }
})";
}

// What the fragment costs per order, by Shopify's published rule (each object 1, a connection
// 2 + first x its children): the first guess of an operation's cost before Shopify says it.
constexpr double order_fragment_cost(int line_items) { return 12.0 + 2.0 + 5.0 * line_items; }

// Line items fetched with the order; an order with more gets the rest in further pages.
inline constexpr int line_items_per_order = 50;

namespace graphql {

struct money_v2 {
  money amount{};
  std::string currencyCode{};
};
BOOST_DESCRIBE_STRUCT(money_v2, (), (amount, currencyCode))

struct money_bag {
  money_v2 shopMoney{};
};
BOOST_DESCRIBE_STRUCT(money_bag, (), (shopMoney))

struct attribute {
  std::string key{};
  std::optional<std::string> value{};
};
BOOST_DESCRIBE_STRUCT(attribute, (), (key, value))

struct legacy_ref {
  std::string legacyResourceId{};
};
BOOST_DESCRIBE_STRUCT(legacy_ref, (), (legacyResourceId))

struct page_info {
  bool hasNextPage = false;
  std::optional<std::string> endCursor{};
};
BOOST_DESCRIBE_STRUCT(page_info, (), (hasNextPage, endCursor))

// An order as a search for its source_identifier returns it.
struct order_source {
  std::string legacyResourceId{};
  std::optional<std::string> sourceIdentifier{};
};
BOOST_DESCRIBE_STRUCT(order_source, (), (legacyResourceId, sourceIdentifier))

struct line_item {
  std::string id{};
  std::string title{};
  std::optional<std::string> name{};
  std::int32_t quantity = 0;
  std::optional<std::string> sku{};
  std::optional<std::string> vendor{};
  std::optional<std::string> variantTitle{};
  std::optional<bool> requiresShipping{};
  std::optional<bool> taxable{};
  money_bag originalUnitPriceSet{};
  std::optional<legacy_ref> variant{};
  std::optional<legacy_ref> product{};
};
BOOST_DESCRIBE_STRUCT(line_item, (),
                      (id, title, name, quantity, sku, vendor, variantTitle, requiresShipping,
                       taxable, originalUnitPriceSet, variant, product))

struct line_item_page {
  page_info pageInfo{};
  std::vector<line_item> nodes{};
};
BOOST_DESCRIBE_STRUCT(line_item_page, (), (pageInfo, nodes))

struct customer {
  std::string id{};
  std::string legacyResourceId{};
  std::optional<std::string> email{};
  std::optional<std::string> firstName{};
  std::optional<std::string> lastName{};
  std::optional<std::string> phone{};
};
BOOST_DESCRIBE_STRUCT(customer, (), (id, legacyResourceId, email, firstName, lastName, phone))

struct order {
  std::string id{};
  std::string legacyResourceId{};
  std::string name{};
  std::optional<std::string> email{};
  std::optional<std::string> phone{};
  std::optional<std::string> note{};
  timestamp createdAt{};
  timestamp updatedAt{};
  std::optional<timestamp> processedAt{};
  std::optional<timestamp> cancelledAt{};
  std::optional<timestamp> closedAt{};
  std::optional<std::string> cancelReason{};
  std::optional<bool> test{};
  std::string currencyCode{};
  std::optional<std::string> presentmentCurrencyCode{};
  std::optional<std::string> sourceIdentifier{};
  std::optional<std::string> sourceName{};
  std::vector<std::string> tags{};
  std::optional<std::string> displayFinancialStatus{};
  std::optional<std::string> displayFulfillmentStatus{};
  std::vector<attribute> customAttributes{};
  std::optional<money_bag> subtotalPriceSet{};
  std::optional<money_bag> totalPriceSet{};
  std::optional<money_bag> totalTaxSet{};
  std::optional<money_bag> totalDiscountsSet{};
  std::optional<graphql::customer> customer{};
  line_item_page lineItems{};
};
BOOST_DESCRIBE_STRUCT(order, (),
                      (id, legacyResourceId, name, email, phone, note, createdAt, updatedAt,
                       processedAt, cancelledAt, closedAt, cancelReason, test, currencyCode,
                       presentmentCurrencyCode, sourceIdentifier, sourceName, tags,
                       displayFinancialStatus, displayFulfillmentStatus, customAttributes,
                       subtotalPriceSet, totalPriceSet, totalTaxSet, totalDiscountsSet, customer,
                       lineItems))

}  // namespace graphql

namespace detail {

inline result<std::int64_t> legacy_id(std::string_view text, std::string_view what) {
  std::int64_t id = 0;
  const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc{} || p != text.data() + text.size() || text.empty() || id < 0) {
    return make_error(errc::decode, std::string(what) +
                                        ".legacyResourceId: expected a 64-bit id, got string " +
                                        json::detail::quoted(text, 64));
  }
  return id;
}

inline std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// A GraphQL enum value (PARTIALLY_PAID) as the REST enum of the same name (partially_paid);
// nullopt for a value REST does not have.
template <class E>
std::optional<E> rest_enum(const std::optional<std::string>& graphql_value) {
  if (!graphql_value) return std::nullopt;
  for (const auto& e : json::detail::enum_table<E>()) {
    if (same_name_in_capitals(e.name, *graphql_value)) return e.value;
  }
  return std::nullopt;
}

inline money_set to_money_set(const graphql::money_bag& bag) {
  const money_v2 m{bag.shopMoney.amount, bag.shopMoney.currencyCode};
  return money_set{m, m};  // the fragment asks for shop money only
}

inline result<line_item> to_line_item(const graphql::line_item& g) {
  line_item li;
  auto id = gid_id(g.id, "LineItem");
  if (!id) return std::move(id).error();
  li.id = *id;
  li.admin_graphql_api_id = g.id;
  li.title = g.title;
  li.name = g.name;
  li.quantity = g.quantity;
  li.sku = g.sku;
  li.vendor = g.vendor;
  li.variant_title = g.variantTitle;
  li.requires_shipping = g.requiresShipping;
  li.taxable = g.taxable;
  li.price = g.originalUnitPriceSet.shopMoney.amount;
  li.price_set = to_money_set(g.originalUnitPriceSet);
  if (g.variant) {
    auto v = legacy_id(g.variant->legacyResourceId, "variant");
    if (!v) return std::move(v).error();
    li.variant_id = *v;
  }
  if (g.product) {
    auto v = legacy_id(g.product->legacyResourceId, "product");
    if (!v) return std::move(v).error();
    li.product_id = *v;
  }
  return li;
}

}  // namespace detail

// The GraphQL order as a shopify::order. What GraphQL does not have is derived: order_number
// from the digits of the name ("#1001" -> 1001, right for the default name format), tags joined
// with ", ", financial and fulfillment status from the display statuses. GraphQL times are UTC
// (REST's carry the shop's offset): the instants are the same.
inline result<order> to_order(const graphql::order& g) {
  order o;
  auto id = detail::legacy_id(g.legacyResourceId, "order");
  if (!id) return std::move(id).error();
  o.id = *id;
  o.admin_graphql_api_id = g.id;
  o.name = g.name;
  for (char c : g.name) {
    if (c >= '0' && c <= '9') o.order_number = o.order_number * 10 + (c - '0');
  }
  o.email = g.email;
  o.contact_email = g.email;
  o.phone = g.phone;
  o.note = g.note;
  o.created_at = g.createdAt;
  o.updated_at = g.updatedAt;
  o.processed_at = g.processedAt;
  o.cancelled_at = g.cancelledAt;
  o.closed_at = g.closedAt;
  if (g.cancelReason) o.cancel_reason = detail::lower(*g.cancelReason);
  o.test = g.test;
  o.currency = g.currencyCode;
  o.presentment_currency = g.presentmentCurrencyCode;
  o.source_identifier = g.sourceIdentifier;
  o.source_name = g.sourceName;
  for (const auto& tag : g.tags) {
    if (!o.tags.empty()) o.tags += ", ";
    o.tags += tag;
  }
  o.financial_status = detail::rest_enum<financial_status>(g.displayFinancialStatus);
  if (g.displayFulfillmentStatus == "PARTIALLY_FULFILLED") {
    o.fulfillment_status = fulfillment_status::partial;
  } else {
    o.fulfillment_status = detail::rest_enum<fulfillment_status>(g.displayFulfillmentStatus);
  }
  for (const auto& a : g.customAttributes)
    o.note_attributes.push_back({a.key, a.value.value_or("")});
  if (g.subtotalPriceSet) {
    o.subtotal_price = g.subtotalPriceSet->shopMoney.amount;
    o.subtotal_price_set = detail::to_money_set(*g.subtotalPriceSet);
  }
  if (g.totalPriceSet) {
    o.total_price = g.totalPriceSet->shopMoney.amount;
    o.total_price_set = detail::to_money_set(*g.totalPriceSet);
  }
  if (g.totalTaxSet) {
    o.total_tax = g.totalTaxSet->shopMoney.amount;
    o.total_tax_set = detail::to_money_set(*g.totalTaxSet);
  }
  if (g.totalDiscountsSet) o.total_discounts = g.totalDiscountsSet->shopMoney.amount;
  if (g.customer) {
    auto cid = detail::legacy_id(g.customer->legacyResourceId, "customer");
    if (!cid) return std::move(cid).error();
    customer c;
    c.id = *cid;
    c.admin_graphql_api_id = g.customer->id;
    c.email = g.customer->email;
    c.first_name = g.customer->firstName;
    c.last_name = g.customer->lastName;
    c.phone = g.customer->phone;
    o.customer = std::move(c);
  }
  for (const auto& li : g.lineItems.nodes) {
    auto item = detail::to_line_item(li);
    if (!item) return std::move(item).error();
    o.line_items.push_back(std::move(*item));
  }
  return o;
}

}  // namespace syncline::shopify
