// The GraphQL shape of creating an order (orderCreate's OrderCreateOrderInput and
// OrderCreateOptionsInput, API 2024-10 and later), and to_graphql(order_input), which fills it
// from the one order_input a workflow writes (order_input.hpp). The connector's compiled part
// and tests include this; a workflow's declaration does not need it.
#pragma once

#include <syncline/connectors/shopify/gid.hpp>
#include <syncline/connectors/shopify/order.hpp>
#include <syncline/connectors/shopify/order_input.hpp>
#include <syncline/core/money.hpp>
#include <syncline/core/result.hpp>
#include <syncline/json/detail/enum_codec.hpp>

#include <boost/describe/class.hpp>
#include <boost/describe/enum.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace syncline::shopify {

// --- GraphQL (orderCreate, API 2024-10 and later) ---------------------------------------------

enum class graphql_financial_status {
  PENDING,
  AUTHORIZED,
  PARTIALLY_PAID,
  PAID,
  PARTIALLY_REFUNDED,
  REFUNDED,
  VOIDED,
  EXPIRED,
};
BOOST_DESCRIBE_ENUM(graphql_financial_status, PENDING, AUTHORIZED, PARTIALLY_PAID, PAID,
                    PARTIALLY_REFUNDED, REFUNDED, VOIDED, EXPIRED)

enum class graphql_transaction_kind {
  AUTHORIZATION,
  CAPTURE,
  CHANGE,
  EMV_AUTHORIZATION,
  REFUND,
  SALE,
  SUGGESTED_REFUND,
  VOID,
};
BOOST_DESCRIBE_ENUM(graphql_transaction_kind, AUTHORIZATION, CAPTURE, CHANGE, EMV_AUTHORIZATION,
                    REFUND, SALE, SUGGESTED_REFUND, VOID)

enum class graphql_transaction_status {
  AWAITING_RESPONSE,
  ERROR,
  FAILURE,
  PENDING,
  SUCCESS,
  UNKNOWN
};
BOOST_DESCRIBE_ENUM(graphql_transaction_status, AWAITING_RESPONSE, ERROR, FAILURE, PENDING, SUCCESS,
                    UNKNOWN)

enum class graphql_inventory_behaviour {
  BYPASS,
  DECREMENT_IGNORING_POLICY,
  DECREMENT_OBEYING_POLICY
};
BOOST_DESCRIBE_ENUM(graphql_inventory_behaviour, BYPASS, DECREMENT_IGNORING_POLICY,
                    DECREMENT_OBEYING_POLICY)

// MoneyInput. The amount is a decimal string, as money always writes itself.
struct graphql_money_input {
  money amount{};
  std::string currencyCode{};

  bool operator==(const graphql_money_input&) const = default;
};
BOOST_DESCRIBE_STRUCT(graphql_money_input, (), (amount, currencyCode))

// MoneyBagInput.
struct graphql_money_bag_input {
  graphql_money_input shopMoney{};
  std::optional<graphql_money_input> presentmentMoney{};

  bool operator==(const graphql_money_bag_input&) const = default;
};
BOOST_DESCRIBE_STRUCT(graphql_money_bag_input, (), (shopMoney, presentmentMoney))

// OrderCreateLineItemInput.
struct graphql_line_item_input {
  std::optional<std::string> variantId{};  // "gid://shopify/ProductVariant/<id>"
  std::optional<std::string> title{};
  std::optional<graphql_money_bag_input> priceSet{};
  std::int32_t quantity = 1;
  std::optional<std::string> sku{};
  std::optional<bool> requiresShipping{};
  std::optional<bool> taxable{};

  bool operator==(const graphql_line_item_input&) const = default;
};
BOOST_DESCRIBE_STRUCT(graphql_line_item_input, (),
                      (variantId, title, priceSet, quantity, sku, requiresShipping, taxable))

// AttributeInput.
struct graphql_attribute_input {
  std::string key{};
  std::string value{};

  bool operator==(const graphql_attribute_input&) const = default;
};
BOOST_DESCRIBE_STRUCT(graphql_attribute_input, (), (key, value))

// OrderCreateAssociateCustomerAttributesInput.
struct graphql_customer_association {
  std::string id{};  // "gid://shopify/Customer/<id>"

  bool operator==(const graphql_customer_association&) const = default;
};
BOOST_DESCRIBE_STRUCT(graphql_customer_association, (), (id))

// OrderCreateUpsertCustomerAttributesInput.
struct graphql_customer_upsert {
  std::optional<std::string> email{};
  std::optional<std::string> firstName{};
  std::optional<std::string> lastName{};

  bool operator==(const graphql_customer_upsert&) const = default;
};
BOOST_DESCRIBE_STRUCT(graphql_customer_upsert, (), (email, firstName, lastName))

// OrderCreateCustomerInput: one of the two.
struct graphql_customer_input {
  std::optional<graphql_customer_association> toAssociate{};
  std::optional<graphql_customer_upsert> toUpsert{};

  bool operator==(const graphql_customer_input&) const = default;
};
BOOST_DESCRIBE_STRUCT(graphql_customer_input, (), (toAssociate, toUpsert))

// OrderCreateOrderTransactionInput.
struct graphql_transaction_input {
  std::optional<graphql_transaction_kind> kind{};
  std::optional<graphql_transaction_status> status{};
  std::optional<std::string> gateway{};
  graphql_money_bag_input amountSet{};
  std::optional<bool> test{};

  bool operator==(const graphql_transaction_input&) const = default;
};
BOOST_DESCRIBE_STRUCT(graphql_transaction_input, (), (kind, status, gateway, amountSet, test))

// OrderCreateOrderInput.
struct graphql_order_input {
  std::optional<std::string> email{};
  std::optional<std::string> currency{};
  std::vector<graphql_line_item_input> lineItems{};
  std::optional<graphql_customer_input> customer{};
  std::optional<graphql_financial_status> financialStatus{};
  std::optional<std::vector<std::string>> tags{};
  std::optional<std::string> note{};
  std::optional<std::vector<graphql_attribute_input>> customAttributes{};
  std::optional<std::string> sourceName{};
  std::optional<std::string> sourceIdentifier{};
  std::optional<std::vector<graphql_transaction_input>> transactions{};
  std::optional<bool> test{};

  bool operator==(const graphql_order_input&) const = default;
};
BOOST_DESCRIBE_STRUCT(graphql_order_input, (),
                      (email, currency, lineItems, customer, financialStatus, tags, note,
                       customAttributes, sourceName, sourceIdentifier, transactions, test))

// OrderCreateOptionsInput.
struct graphql_order_create_options {
  std::optional<graphql_inventory_behaviour> inventoryBehaviour{};
  std::optional<bool> sendReceipt{};
  std::optional<bool> sendFulfillmentReceipt{};

  bool operator==(const graphql_order_create_options&) const = default;
};
BOOST_DESCRIBE_STRUCT(graphql_order_create_options, (),
                      (inventoryBehaviour, sendReceipt, sendFulfillmentReceipt))

// The variables of the orderCreate mutation.
struct graphql_order_create_input {
  graphql_order_input order{};
  std::optional<graphql_order_create_options> options{};

  bool operator==(const graphql_order_create_input&) const = default;
};
BOOST_DESCRIBE_STRUCT(graphql_order_create_input, (), (order, options))

// --- REST -> GraphQL ------------------------------------------------------------------------

namespace detail {

// GraphQL spells each REST enum value in capitals (partially_paid -> PARTIALLY_PAID,
// void -> VOID). The pairing is by those names, checked at compile time to cover every value but
// a read-only json::enum_fallback (`unknown`: a status Shopify sent that we cannot name, which
// is never a value to write).
constexpr bool same_name_in_capitals(std::string_view rest, std::string_view graphql) {
  if (rest.size() != graphql.size()) return false;
  for (std::size_t i = 0; i < rest.size(); ++i) {
    const char c = rest[i] >= 'a' && rest[i] <= 'z' ? char(rest[i] - 'a' + 'A') : rest[i];
    if (c != graphql[i]) return false;
  }
  return true;
}

template <class From>
constexpr bool is_read_only_fallback(From v) {
  if constexpr (json::detail::has_enum_fallback<From>)
    return v == json::enum_fallback<From>::value;
  else
    return false;
}

template <class To, class From>
constexpr bool every_value_has_graphql_name() {
  for (const auto& from : json::detail::enum_table<From>()) {
    if (is_read_only_fallback(from.value)) continue;
    bool found = false;
    for (const auto& to : json::detail::enum_table<To>()) {
      found = found || same_name_in_capitals(from.name, to.name);
    }
    if (!found) return false;
  }
  return true;
}

template <class To, class From>
std::optional<To> to_graphql_enum(From v) {
  static_assert(every_value_has_graphql_name<To, From>(),
                "syncline: a REST enum value has no GraphQL value of the same name");
  for (const auto& from : json::detail::enum_table<From>()) {
    if (from.value != v) continue;
    for (const auto& to : json::detail::enum_table<To>()) {
      if (same_name_in_capitals(from.name, to.name)) return to.value;
    }
  }
  return std::nullopt;  // a value outside the enum's description
}

template <class To, class From>
result<std::optional<To>> to_graphql_enum(const std::optional<From>& v, std::string_view field) {
  if (!v) return std::optional<To>{};
  if (auto g = to_graphql_enum<To>(*v)) return std::optional<To>{*g};
  if (is_read_only_fallback(*v))
    return make_error(errc::invalid_input,
                      std::string(field) +
                          " is `unknown` (a status read from Shopify that this "
                          "version cannot name), which cannot be written back");
  return make_error(errc::invalid_input,
                    std::string(field) + " holds a value that is not one of its enumerators");
}

// "vip, wholesale,,b2b" -> {"vip", "wholesale", "b2b"}.
inline std::vector<std::string> split_tags(std::string_view tags) {
  std::vector<std::string> out;
  while (!tags.empty()) {
    const std::size_t comma = tags.find(',');
    std::string_view tag = tags.substr(0, comma);
    tags = comma == std::string_view::npos ? std::string_view{} : tags.substr(comma + 1);
    while (!tag.empty() && tag.front() == ' ') tag.remove_prefix(1);
    while (!tag.empty() && tag.back() == ' ') tag.remove_suffix(1);
    if (!tag.empty()) out.emplace_back(tag);
  }
  return out;
}

}  // namespace detail

// The orderCreate variables for the same order. GraphQL needs a currency code on every amount
// where REST assumes the shop's currency: an input with prices or transactions but no currency
// is an error (errc::invalid_input) that says so.
inline result<graphql_order_create_input> to_graphql(const order_input& in) {
  auto amount = [&](const money& m, std::string_view field) -> result<graphql_money_bag_input> {
    if (!in.currency) {
      return make_error(errc::invalid_input,
                        std::string(field) +
                            " needs order_input.currency: GraphQL amounts carry a currency code "
                            "(MoneyInput.currencyCode)");
    }
    return graphql_money_bag_input{{m, *in.currency}, std::nullopt};
  };

  graphql_order_create_input out;
  graphql_order_input& o = out.order;
  o.email = in.email;
  o.currency = in.currency;
  o.note = in.note;
  o.sourceName = in.source_name;
  o.sourceIdentifier = in.source_identifier;
  o.test = in.test;
  if (in.tags) o.tags = detail::split_tags(*in.tags);

  for (std::size_t i = 0; i < in.line_items.size(); ++i) {
    const line_item_input& li = in.line_items[i];
    graphql_line_item_input g;
    if (li.variant_id) g.variantId = gid("ProductVariant", *li.variant_id);
    g.title = li.title;
    if (li.price) {
      auto set = amount(*li.price, "line_items[" + std::to_string(i) + "].price");
      if (!set) return std::move(set).error();
      g.priceSet = std::move(*set);
    }
    g.quantity = li.quantity;
    g.sku = li.sku;
    g.requiresShipping = li.requires_shipping;
    g.taxable = li.taxable;
    o.lineItems.push_back(std::move(g));
  }

  if (in.customer) {
    graphql_customer_input c;
    if (in.customer->id) {
      c.toAssociate = graphql_customer_association{gid("Customer", *in.customer->id)};
    } else {
      c.toUpsert = graphql_customer_upsert{in.customer->email, in.customer->first_name,
                                           in.customer->last_name};
    }
    o.customer = std::move(c);
  }

  auto status =
      detail::to_graphql_enum<graphql_financial_status>(in.financial_status, "financial_status");
  if (!status) return std::move(status).error();
  o.financialStatus = *status;

  if (in.note_attributes) {
    o.customAttributes.emplace();
    for (const note_attribute& a : *in.note_attributes) {
      o.customAttributes->push_back({a.name, a.value});
    }
  }

  if (in.transactions) {
    o.transactions.emplace();
    for (std::size_t i = 0; i < in.transactions->size(); ++i) {
      const transaction_input& t = (*in.transactions)[i];
      const std::string field = "transactions[" + std::to_string(i) + "]";
      graphql_transaction_input g;
      auto kind = detail::to_graphql_enum<graphql_transaction_kind>(
          std::optional<transaction_kind>{t.kind}, field + ".kind");
      auto st = detail::to_graphql_enum<graphql_transaction_status>(t.status, field + ".status");
      auto set = amount(t.amount, field + ".amount");
      if (!kind) return std::move(kind).error();
      if (!st) return std::move(st).error();
      if (!set) return std::move(set).error();
      g.kind = *kind;
      g.status = *st;
      g.gateway = t.gateway;
      g.amountSet = std::move(*set);
      g.test = t.test;
      o.transactions->push_back(std::move(g));
    }
  }

  if (in.inventory_behaviour || in.send_receipt || in.send_fulfillment_receipt) {
    auto behaviour = detail::to_graphql_enum<graphql_inventory_behaviour>(in.inventory_behaviour,
                                                                          "inventory_behaviour");
    if (!behaviour) return std::move(behaviour).error();
    out.options =
        graphql_order_create_options{*behaviour, in.send_receipt, in.send_fulfillment_receipt};
  }
  return out;
}

}  // namespace syncline::shopify
