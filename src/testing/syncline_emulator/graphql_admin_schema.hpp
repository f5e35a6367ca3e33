// The slice of Shopify's GraphQL Admin schema the emulator answers: QueryRoot { orders, order,
// ordersCount, shop } and Mutation { orderCreate (2024-10 on), orderUpdate } (plus the webhook
// subscriptions of graphql_webhook_subscriptions.hpp), with the Order,
// LineItem, MoneyBag, Customer and MailingAddress fields integrations read. Orders are stored in
// REST shape; the resolvers here present them as GraphQL does (gids, UTC DateTimes, enums in
// upper case, MoneyBag amounts as decimal strings).
#pragma once

#include <syncline_emulator/admin_context.hpp>
#include <syncline_emulator/graphql_executor.hpp>
#include <syncline_emulator/graphql_webhook_subscriptions.hpp>
#include <syncline_emulator/order_builder.hpp>
#include <syncline_emulator/order_listing.hpp>
#include <syncline_emulator/order_search.hpp>
#include <syncline_emulator/shop_data.hpp>
#include <syncline_emulator/timestamps.hpp>

#include <boost/json.hpp>

#include <cctype>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace syncline::testing::detail {

namespace admin_schema_detail {

using value = boost::json::value;
using object = boost::json::object;
using field = gql_field<admin_context>;
using resolved = gql_resolved;

inline const value& member(const value& parent, std::string_view key) {
  static const value null_value;
  if (!parent.is_object()) return null_value;
  const auto* m = parent.get_object().if_contains(key);
  return m ? *m : null_value;
}
inline std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}
inline std::string snake(std::string_view camel) {
  std::string out;
  for (char c : camel) {
    if (c >= 'A' && c <= 'Z') {
      out += '_';
      out += static_cast<char>(c - 'A' + 'a');
    } else {
      out += c;
    }
  }
  return out;
}
inline std::string camel(std::string_view snake_name) {
  std::string out;
  bool up = false;
  for (char c : snake_name) {
    if (c == '_') {
      up = true;
    } else {
      out += up ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
      up = false;
    }
  }
  return out;
}

// A REST member under another name.
inline field renamed(std::string type, std::string rest_key) {
  field f{std::move(type), {}, {}, {}};
  f.resolve = [key = std::move(rest_key)](admin_context&, const value& p, const object&) {
    return resolved{member(p, key), {}, {}};
  };
  return f;
}
inline field plain(std::string type) { return field{std::move(type), {}, {}, {}}; }
// Fields read straight from the parent's member of the same name: {name, type} pairs.
inline void declare(gql_object_type<admin_context>& t,
                    std::initializer_list<std::pair<const char*, const char*>> fields) {
  for (const auto& [name, type] : fields) t.fields[name] = plain(type);
}
template <class F>
field computed(std::string type, F f) {
  field d{std::move(type), {}, {}, {}};
  d.resolve = [f](admin_context& c, const value& p, const object&) {
    return resolved{f(c, p), {}, {}};
  };
  return d;
}
inline field utc_time(std::string type, std::string rest_key) {
  return computed(std::move(type),
                  [key = std::move(rest_key)](admin_context&, const value& p) -> value {
                    const auto& v = member(p, key);
                    if (!v.is_string()) return nullptr;
                    auto t = parse_timestamp(std::string_view(v.get_string()));
                    return t ? value(format_utc(*t)) : value(nullptr);
                  });
}
inline field null_if_empty(std::string rest_key) {
  return computed("String", [key = std::move(rest_key)](admin_context&, const value& p) -> value {
    const auto& v = member(p, key);
    return v.is_string() && !v.get_string().empty() ? v : value(nullptr);
  });
}
// GraphQL's Decimal is spelled like Ruby's BigDecimal: "21.0", "10.5" (REST says "21.00").
inline value graphql_decimal(const value& rest_amount) {
  if (!rest_amount.is_string()) return rest_amount;
  std::string s(rest_amount.get_string());
  if (s.find('.') == std::string::npos) return value(s + ".0");
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s += '0';
  return value(s);
}

// REST {shop_money{amount,currency_code}, presentment_money{..}} -> GraphQL MoneyBag.
inline value money_bag(const value& set) {
  if (!set.is_object()) return nullptr;
  auto money = [](const value& m) -> value {
    if (!m.is_object()) return nullptr;
    return object{{"amount", graphql_decimal(member(m, "amount"))},
                  {"currencyCode", member(m, "currency_code")}};
  };
  return object{{"shopMoney", money(member(set, "shop_money"))},
                {"presentmentMoney", money(member(set, "presentment_money"))}};
}
inline field money_bag_field(std::string type, std::string rest_key) {
  return computed(std::move(type), [key = std::move(rest_key)](admin_context&, const value& p) {
    return money_bag(member(p, key));
  });
}
inline value attributes(const value& list, std::string_view key_name) {
  boost::json::array out;
  if (list.is_array())
    for (const auto& a : list.get_array())
      out.push_back(object{{"key", member(a, key_name)}, {"value", member(a, "value")}});
  return out;
}
inline value gid_of(std::string_view type, const value& id) {
  if (id.is_uint64()) return value(gid(type, id.get_uint64()));
  if (id.is_int64()) return value(gid(type, static_cast<std::uint64_t>(id.get_int64())));
  return nullptr;
}
inline value legacy_id(const value& id) {
  return id.is_number() ? value(boost::json::serialize(id)) : value(nullptr);
}

inline std::vector<gql_input_field> connection_args(bool with_query) {
  std::vector<gql_input_field> a{{"first", "Int"},
                                 {"last", "Int"},
                                 {"after", "String"},
                                 {"before", "String"},
                                 {"reverse", "Boolean"}};
  if (with_query) {
    a.push_back({"query", "String"});
    a.push_back({"sortKey", "OrderSortKeys"});
  }
  return a;
}

// first/last validation shared by every connection.
inline std::optional<resolved> page_size_error(const object& args, page_window& w) {
  const auto& first = args.contains("first") ? args.at("first") : value(nullptr);
  const auto& last = args.contains("last") ? args.at("last") : value(nullptr);
  if (first.is_null() && last.is_null())
    return resolved::fail("you must provide one of first or last", {{"code", "BAD_REQUEST"}});
  if (!first.is_null() && !last.is_null())
    return resolved::fail("first and last cannot be combined in one page request",
                          {{"code", "BAD_REQUEST"}});
  const auto n = (first.is_null() ? last : first).to_number<std::int64_t>();
  if (n < 0 || n > 250)
    return resolved::fail(std::string(first.is_null() ? "last" : "first") +
                              " must be between 0 and 250 (the maximum page size)",
                          {{"code", "BAD_REQUEST"}});
  (first.is_null() ? w.last : w.first) = static_cast<std::size_t>(n);
  return std::nullopt;
}

inline std::optional<resolved> cursor_arg(const object& args, std::string_view name, order_sort key,
                                          std::optional<position>& out) {
  const auto* c = args.if_contains(name);
  if (!c || c->is_null()) return std::nullopt;
  auto decoded = c->is_string() ? decode_cursor(std::string_view(c->get_string())) : std::nullopt;
  auto pos = decoded ? parse_position(*decoded, key) : std::nullopt;
  if (!pos)
    return resolved::fail(
        "Invalid cursor for current pagination sort: " + boost::json::serialize(*c),
        {{"code", "BAD_REQUEST"}});
  out = pos;
  return std::nullopt;
}

inline value page_info(const order_page& page, const std::vector<std::string>& cursors) {
  return object{{"hasNextPage", page.has_next},
                {"hasPreviousPage", page.has_previous},
                {"startCursor", cursors.empty() ? value(nullptr) : value(cursors.front())},
                {"endCursor", cursors.empty() ? value(nullptr) : value(cursors.back())}};
}

inline resolved orders_connection(admin_context& c, const object& args) {
  page_window w;
  if (auto e = page_size_error(args, w)) return *e;
  sort_spec sort;
  if (const auto* k = args.if_contains("sortKey"); k && k->is_string()) {
    const std::string_view key = k->get_string();
    if (key == "ID")
      sort.key = order_sort::id;
    else if (key == "CREATED_AT")
      sort.key = order_sort::created_at;
    else if (key == "UPDATED_AT")
      sort.key = order_sort::updated_at;
    else if (key == "PROCESSED_AT")
      sort.key = order_sort::processed_at;
    else if (key == "ORDER_NUMBER")
      sort.key = order_sort::order_number;
    else
      return resolved::fail(
          "sortKey " + std::string(key) +
              " is not supported by the syncline Shopify emulator (supported: ID, "
              "CREATED_AT, UPDATED_AT, PROCESSED_AT, ORDER_NUMBER)",
          {{"code", "BAD_REQUEST"}});
  }
  if (const auto* r = args.if_contains("reverse"); r && r->is_bool())
    sort.descending = r->get_bool();
  if (auto e = cursor_arg(args, "after", sort.key, w.after)) return *e;
  if (auto e = cursor_arg(args, "before", sort.key, w.before)) return *e;
  search_query query;
  std::string query_text;
  if (const auto* q = args.if_contains("query"); q && q->is_string()) {
    query_text = q->get_string();
    auto parsed = parse_search(query_text);
    if (!parsed) return resolved::fail(parsed.error().message, {{"code", "BAD_REQUEST"}});
    query = std::move(*parsed);
    if (!query.unknown_fields.empty()) {
      boost::json::array warnings;
      for (const auto& f : query.unknown_fields)
        warnings.push_back(
            object{{"field", f}, {"message", "Invalid search field for this query."}});
      c.search_warnings.push_back(object{{"path", boost::json::array{"orders"}},
                                         {"query", query_text},
                                         {"warnings", std::move(warnings)}});
    }
  }
  std::vector<const stored_order*> matching;
  for (const auto& o : c.shop.orders)
    if (query.matches(o, c.shop.config.utc_offset)) matching.push_back(&o);
  const auto page = paginate(std::move(matching), sort, w);
  boost::json::array ids;
  std::vector<std::string> cursors;
  boost::json::array cursor_values;
  for (const auto* o : page.items) {
    ids.push_back(o->id);
    cursors.push_back(cursor_for(*o, sort.key));
    cursor_values.push_back(value(cursors.back()));
  }
  return resolved{object{{"ids", std::move(ids)},
                         {"cursors", std::move(cursor_values)},
                         {"pageInfo", page_info(page, cursors)}},
                  {},
                  {}};
}

// Line items page by their position in the order.
inline resolved line_items_connection(const value& order, const object& args) {
  page_window w;
  if (auto e = page_size_error(args, w)) return *e;
  const auto& items = member(order, "line_items");
  std::vector<stored_order> wrapped;  // reuse the order paginator: one pseudo-order per line item
  if (items.is_array())
    for (const auto& li : items.get_array()) {
      stored_order s;
      s.id = member(li, "id").to_number<std::uint64_t>();
      s.json = li.get_object();
      wrapped.push_back(std::move(s));
    }
  if (auto e = cursor_arg(args, "after", order_sort::id, w.after)) return *e;
  if (auto e = cursor_arg(args, "before", order_sort::id, w.before)) return *e;
  sort_spec sort;
  if (const auto* r = args.if_contains("reverse"); r && r->is_bool())
    sort.descending = r->get_bool();
  std::vector<const stored_order*> all;
  for (const auto& s : wrapped) all.push_back(&s);
  const auto page = paginate(std::move(all), sort, w);
  boost::json::array nodes, edges;
  std::vector<std::string> cursors;
  for (const auto* s : page.items) {
    cursors.push_back(cursor_for(*s, order_sort::id));
    nodes.push_back(s->json);
    edges.push_back(object{{"cursor", cursors.back()}, {"node", s->json}});
  }
  return resolved{object{{"edges", std::move(edges)},
                         {"nodes", std::move(nodes)},
                         {"pageInfo", page_info(page, cursors)}},
                  {},
                  {}};
}

inline boost::json::array user_errors(const field_errors& errors, bool with_code) {
  boost::json::array out;
  for (const auto& e : errors) {
    boost::json::array path{"order"};
    for (std::size_t i = 0; i < e.path.size(); ++i) {
      std::string step = e.path[i];
      if (step == "note_attributes")
        step = "customAttributes";
      else if (i > 0 && step == "price")
        step = "priceSet";
      else
        step = camel(step);
      path.push_back(value(step));
    }
    const std::string lead = e.path.empty() ? "" : e.path.back();
    std::string message = e.message;
    if (!message.empty()) {
      // Rails-style full message: "Line items can't be blank", "Email is invalid".
      std::string subject = lead.empty() ? std::string("order") : lead;
      for (auto& ch : subject) ch = ch == '_' ? ' ' : ch;
      if (!subject.empty())
        subject[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(subject[0])));
      message = subject + " " + message;
    }
    object u{{"field", std::move(path)}, {"message", message}};
    if (with_code) u["code"] = "INVALID";
    out.push_back(std::move(u));
  }
  return out;
}

// GraphQL OrderCreateOrderInput / OrderInput -> the REST create/update shape.
inline value address_to_rest(const value& a) {
  if (!a.is_object()) return a;
  object out;
  for (const auto& [k, v] : a.get_object()) out[k == "countryCode" ? "country_code" : snake(k)] = v;
  return out;
}
inline value amount_of(const value& price_set) {
  const auto& shop_money = member(price_set, "shopMoney");
  return member(shop_money, "amount");
}
inline object order_input_to_rest(const object& in) {
  object r;
  for (const auto& [k, v] : in) {
    if (k == "customAttributes") {
      boost::json::array attrs;
      if (v.is_array())
        for (const auto& a : v.get_array())
          attrs.push_back(object{{"name", member(a, "key")}, {"value", member(a, "value")}});
      r["note_attributes"] = std::move(attrs);
    } else if (k == "financialStatus" || k == "fulfillmentStatus") {
      r[snake(k)] = v.is_string() ? value(lower(v.get_string())) : v;
    } else if (k == "lineItems" && v.is_array()) {
      boost::json::array items;
      for (const auto& li : v.get_array()) {
        object x;
        if (li.is_object())
          for (const auto& [lk, lv] : li.get_object()) {
            if (lk == "priceSet")
              x["price"] = amount_of(lv);
            else if (lk == "properties" && lv.is_array()) {
              boost::json::array props;
              for (const auto& p : lv.get_array())
                props.push_back(object{{"name", member(p, "name")}, {"value", member(p, "value")}});
              x["properties"] = std::move(props);
            } else
              x[snake(lk)] = lv;
          }
        items.push_back(std::move(x));
      }
      r["line_items"] = std::move(items);
    } else if ((k == "shippingLines" || k == "taxLines") && v.is_array()) {
      boost::json::array lines;
      for (const auto& l : v.get_array()) {
        object x{{"title", member(l, "title")}, {"price", amount_of(member(l, "priceSet"))}};
        if (k == "taxLines") {
          const auto& rate = member(l, "rate");
          x["rate"] = rate.is_string() ? value(std::stod(std::string(rate.get_string()))) : rate;
        } else {
          x["code"] = member(l, "code");
        }
        lines.push_back(std::move(x));
      }
      r[snake(k)] = std::move(lines);
    } else if (k == "billingAddress" || k == "shippingAddress") {
      r[snake(k)] = address_to_rest(v);
    } else if (k == "customer" && v.is_object()) {
      const auto& assoc = member(v, "toAssociate");
      const auto& upsert = member(v, "toUpsert");
      if (assoc.is_object()) {
        object c;
        if (!member(assoc, "id").is_null()) c["id"] = member(assoc, "id");
        if (!member(assoc, "email").is_null()) c["email"] = member(assoc, "email");
        r["customer"] = std::move(c);
      } else if (upsert.is_object()) {
        object c;
        for (const auto& [ck, cv] : upsert.get_object()) c[snake(ck)] = cv;
        r["customer"] = std::move(c);
      }
    } else if (k == "customerId") {
      r["customer"] = object{{"id", v}};
    } else if (k == "transactions" && v.is_array()) {
      boost::json::array tx;
      for (const auto& t : v.get_array()) {
        const auto& kind = member(t, "kind");
        const auto& status = member(t, "status");
        tx.push_back(
            object{{"kind", kind.is_string() ? value(lower(kind.get_string())) : kind},
                   {"status", status.is_string() ? value(lower(status.get_string())) : status}});
      }
      r["transactions"] = std::move(tx);
    } else {
      r[snake(k)] = v;
    }
  }
  return r;
}

inline resolved order_create(admin_context& c, const object& args) {
  const auto& input = args.at("order").as_object();
  auto built = build_order(order_input_to_rest(input), order_context{c.shop, c.ids, c.now, c.rng});
  if (auto* errors = std::get_if<field_errors>(&built))
    return resolved{object{{"order", nullptr}, {"userErrors", user_errors(*errors, true)}}, {}, {}};
  auto& stored = c.shop.add_order(std::move(std::get<stored_order>(built)));
  c.events.push_back({"orders/create", stored.id});
  if (member(stored.json, "financial_status") == "paid")
    c.events.push_back({"orders/paid", stored.id});
  c.created_order = true;
  return resolved{object{{"order", stored.json}, {"userErrors", boost::json::array{}}}, {}, {}};
}

inline resolved order_update(admin_context& c, const object& args) {
  const auto& input = args.at("input").as_object();
  auto id = input.contains("id") ? id_value(input.at("id")) : std::nullopt;
  stored_order* o = id ? c.shop.find_order(*id) : nullptr;
  if (!o)
    return resolved{
        object{{"order", nullptr},
               {"userErrors", boost::json::array{object{{"field", boost::json::array{"id"}},
                                                        {"message", "Order does not exist"}}}}},
        {},
        {}};
  object rest = order_input_to_rest(input);
  rest.erase("id");
  auto errors = update_order(*o, rest, c.shop, c.now);
  if (!errors.empty()) {
    auto ue = user_errors(errors, false);
    for (auto& u : ue)
      u.as_object()["field"].as_array().erase(u.as_object()["field"].as_array().begin());
    return resolved{object{{"order", nullptr}, {"userErrors", std::move(ue)}}, {}, {}};
  }
  c.events.push_back({"orders/updated", o->id});
  return resolved{object{{"order", o->json}, {"userErrors", boost::json::array{}}}, {}, {}};
}

inline gql_schema<admin_context> build() {
  gql_schema<admin_context> s;
  s.enums["OrderSortKeys"] = {"CREATED_AT",
                              "CUSTOMER_NAME",
                              "DESTINATION",
                              "FINANCIAL_STATUS",
                              "FULFILLMENT_STATUS",
                              "ID",
                              "ORDER_NUMBER",
                              "PO_NUMBER",
                              "PROCESSED_AT",
                              "RELEVANCE",
                              "TOTAL_ITEMS_QUANTITY",
                              "TOTAL_PRICE",
                              "UPDATED_AT"};
  s.enums["OrderCreateFinancialStatus"] = {
      "AUTHORIZED",         "EXPIRED", "PAID",     "PARTIALLY_PAID",
      "PARTIALLY_REFUNDED", "PENDING", "REFUNDED", "VOIDED"};
  s.enums["OrderCreateFulfillmentStatus"] = {"FULFILLED", "PARTIAL", "RESTOCKED"};
  s.enums["OrderCreateInputsInventoryBehavior"] = {"BYPASS", "DECREMENT_IGNORING_POLICY",
                                                   "DECREMENT_OBEYING_POLICY"};
  s.enums["OrderTransactionKind"] = {"AUTHORIZATION",     "CAPTURE", "CHANGE",
                                     "EMV_AUTHORIZATION", "REFUND",  "SALE",
                                     "SUGGESTED_REFUND",  "VOID"};
  s.enums["OrderTransactionStatus"] = {"AWAITING_RESPONSE", "ERROR",   "FAILURE",
                                       "PENDING",           "SUCCESS", "UNKNOWN"};
  s.enums["OrderDisplayFinancialStatus"] = {
      "AUTHORIZED",         "EXPIRED", "PAID",     "PARTIALLY_PAID",
      "PARTIALLY_REFUNDED", "PENDING", "REFUNDED", "VOIDED"};
  s.enums["OrderDisplayFulfillmentStatus"] = {
      "FULFILLED",           "IN_PROGRESS", "ON_HOLD",   "OPEN",        "PARTIALLY_FULFILLED",
      "PENDING_FULFILLMENT", "RESTOCKED",   "SCHEDULED", "UNFULFILLED", "REQUEST_DECLINED"};
  s.enums["OrderCancelReason"] = {"CUSTOMER", "DECLINED", "FRAUD", "INVENTORY", "OTHER", "STAFF"};
  s.enums["OrderCreateUserErrorCode"] = {"INVALID",
                                         "FULFILLMENT_SERVICE_INVALID",
                                         "INVENTORY_CLAIM_FAILED",
                                         "PROCESSED_AT_INVALID",
                                         "REDUNDANT_CUSTOMER_FIELDS",
                                         "SHOP_DORMANT",
                                         "TAX_LINE_RATE_MISSING"};
  s.enums["CountPrecision"] = {"AT_LEAST", "EXACT"};

  s.inputs["MoneyInput"] = {{{"amount", "Decimal!"}, {"currencyCode", "CurrencyCode!"}}, false};
  s.inputs["MoneyBagInput"] = {{{"shopMoney", "MoneyInput!"}, {"presentmentMoney", "MoneyInput"}},
                               false};
  s.inputs["MailingAddressInput"] = {{{"address1", "String"},
                                      {"address2", "String"},
                                      {"city", "String"},
                                      {"company", "String"},
                                      {"country", "String"},
                                      {"countryCode", "CountryCode"},
                                      {"firstName", "String"},
                                      {"lastName", "String"},
                                      {"phone", "String"},
                                      {"province", "String"},
                                      {"provinceCode", "String"},
                                      {"zip", "String"}},
                                     false};
  s.inputs["OrderCreateCustomAttributeInput"] = {{{"key", "String!"}, {"value", "String!"}}, false};
  s.inputs["AttributeInput"] = {{{"key", "String!"}, {"value", "String!"}}, false};
  s.inputs["OrderCreateLineItemPropertyInput"] = {{{"name", "String!"}, {"value", "String!"}},
                                                  false};
  s.inputs["OrderCreateTaxLineInput"] = {{{"channelLiable", "Boolean"},
                                          {"priceSet", "MoneyBagInput"},
                                          {"rate", "Decimal!"},
                                          {"title", "String!"}},
                                         false};
  s.inputs["OrderCreateShippingLineInput"] = {{{"code", "String"},
                                               {"priceSet", "MoneyBagInput!"},
                                               {"source", "String"},
                                               {"taxLines", "[OrderCreateTaxLineInput!]"},
                                               {"title", "String!"}},
                                              false};
  s.inputs["OrderCreateLineItemInput"] = {{{"fulfillmentService", "String"},
                                           {"giftCard", "Boolean"},
                                           {"priceSet", "MoneyBagInput"},
                                           {"productId", "ID"},
                                           {"properties", "[OrderCreateLineItemPropertyInput!]"},
                                           {"quantity", "Int!"},
                                           {"requiresShipping", "Boolean"},
                                           {"sku", "String"},
                                           {"taxable", "Boolean"},
                                           {"taxLines", "[OrderCreateTaxLineInput!]"},
                                           {"title", "String"},
                                           {"variantId", "ID"},
                                           {"variantTitle", "String"},
                                           {"vendor", "String"},
                                           {"weight", "JSON"}},
                                          false};
  s.inputs["OrderCreateAssociateCustomerAttributesInput"] = {{{"id", "ID"}, {"email", "String"}},
                                                             false};
  // Customer input is large on Shopify; the fields used here are typed, the rest accepted.
  s.inputs["CustomerInput"] = {{{"email", "String"},
                                {"firstName", "String"},
                                {"lastName", "String"},
                                {"phone", "String"},
                                {"note", "String"},
                                {"tags", "[String!]"}},
                               true};
  s.inputs["OrderCreateCustomerInput"] = {
      {{"toAssociate", "OrderCreateAssociateCustomerAttributesInput"},
       {"toUpsert", "CustomerInput"}},
      false};
  s.inputs["OrderCreateOrderTransactionInput"] = {{{"amountSet", "MoneyBagInput!"},
                                                   {"kind", "OrderTransactionKind"},
                                                   {"status", "OrderTransactionStatus"},
                                                   {"gateway", "String"}},
                                                  true};
  s.inputs["OrderCreateOrderInput"] = {{{"billingAddress", "MailingAddressInput"},
                                        {"buyerAcceptsMarketing", "Boolean"},
                                        {"closedAt", "DateTime"},
                                        {"companyLocationId", "ID"},
                                        {"currency", "CurrencyCode"},
                                        {"customAttributes", "[OrderCreateCustomAttributeInput!]"},
                                        {"customer", "OrderCreateCustomerInput"},
                                        {"discountCode", "JSON"},
                                        {"email", "String"},
                                        {"financialStatus", "OrderCreateFinancialStatus"},
                                        {"fulfillment", "JSON"},
                                        {"fulfillmentStatus", "OrderCreateFulfillmentStatus"},
                                        {"lineItems", "[OrderCreateLineItemInput!]"},
                                        {"metafields", "JSON"},
                                        {"name", "String"},
                                        {"note", "String"},
                                        {"phone", "String"},
                                        {"poNumber", "String"},
                                        {"presentmentCurrency", "CurrencyCode"},
                                        {"processedAt", "DateTime"},
                                        {"referringSite", "URL"},
                                        {"shippingAddress", "MailingAddressInput"},
                                        {"shippingLines", "[OrderCreateShippingLineInput!]"},
                                        {"sourceIdentifier", "String"},
                                        {"sourceName", "String"},
                                        {"sourceUrl", "URL"},
                                        {"tags", "[String!]"},
                                        {"taxesIncluded", "Boolean"},
                                        {"taxLines", "[OrderCreateTaxLineInput!]"},
                                        {"test", "Boolean"},
                                        {"transactions", "[OrderCreateOrderTransactionInput!]"},
                                        {"userId", "ID"},
                                        {"customerId", "ID"}},
                                       false};
  s.inputs["OrderCreateOptionsInput"] = {
      {{"inventoryBehaviour", "OrderCreateInputsInventoryBehavior"},
       {"sendFulfillmentReceipt", "Boolean"},
       {"sendReceipt", "Boolean"}},
      false};
  s.inputs["OrderInput"] = {{{"id", "ID!"},
                             {"customAttributes", "[AttributeInput!]"},
                             {"email", "String"},
                             {"localizedFields", "JSON"},
                             {"metafields", "JSON"},
                             {"note", "String"},
                             {"phone", "String"},
                             {"poNumber", "String"},
                             {"shippingAddress", "MailingAddressInput"},
                             {"tags", "[String!]"}},
                            false};

  auto& money = s.objects["MoneyV2"];
  declare(money, {{"amount", "Decimal!"}, {"currencyCode", "CurrencyCode!"}});
  auto& bag = s.objects["MoneyBag"];
  declare(bag, {{"shopMoney", "MoneyV2!"}, {"presentmentMoney", "MoneyV2!"}});
  auto& attribute = s.objects["Attribute"];
  declare(attribute, {{"key", "String!"}, {"value", "String"}});

  auto& addr = s.objects["MailingAddress"];
  for (auto k :
       {"address1", "address2", "city", "company", "country", "name", "phone", "province", "zip"})
    addr.fields[k] = plain("String");
  addr.fields["firstName"] = renamed("String", "first_name");
  addr.fields["lastName"] = renamed("String", "last_name");
  addr.fields["provinceCode"] = renamed("String", "province_code");
  addr.fields["countryCodeV2"] = renamed("CountryCode", "country_code");

  auto& customer = s.objects["Customer"];
  customer.fields["id"] = renamed("ID!", "admin_graphql_api_id");
  customer.fields["legacyResourceId"] = computed(
      "UnsignedInt64!", [](admin_context&, const value& p) { return legacy_id(member(p, "id")); });
  declare(customer, {{"email", "String"}, {"phone", "String"}});
  customer.fields["firstName"] = renamed("String", "first_name");
  customer.fields["lastName"] = renamed("String", "last_name");
  customer.fields["displayName"] = computed("String!", [](admin_context&, const value& p) -> value {
    std::string n;
    for (auto k : {"first_name", "last_name"})
      if (member(p, k).is_string())
        n += (n.empty() ? "" : " ") + std::string(member(p, k).get_string());
    if (n.empty() && member(p, "email").is_string()) n = member(p, "email").get_string();
    return value(n);
  });
  customer.fields["createdAt"] = utc_time("DateTime!", "created_at");
  customer.fields["updatedAt"] = utc_time("DateTime!", "updated_at");

  auto& variant = s.objects["ProductVariant"];
  declare(variant, {{"id", "ID!"},
                    {"legacyResourceId", "UnsignedInt64!"},
                    {"title", "String!"},
                    {"sku", "String"}});
  auto& product = s.objects["Product"];
  declare(product, {{"id", "ID!"}, {"legacyResourceId", "UnsignedInt64!"}});

  auto& li = s.objects["LineItem"];
  li.fields["id"] = renamed("ID!", "admin_graphql_api_id");
  declare(li, {{"title", "String!"}, {"name", "String!"}, {"quantity", "Int!"}});
  li.fields["currentQuantity"] = renamed("Int!", "current_quantity");
  declare(li, {{"sku", "String"}, {"vendor", "String"}});
  li.fields["variantTitle"] = renamed("String", "variant_title");
  li.fields["requiresShipping"] = renamed("Boolean!", "requires_shipping");
  li.fields["taxable"] = plain("Boolean!");
  li.fields["originalUnitPriceSet"] = money_bag_field("MoneyBag!", "price_set");
  li.fields["discountedUnitPriceSet"] = money_bag_field("MoneyBag!", "price_set");
  li.fields["originalTotalSet"] =
      computed("MoneyBag!", [](admin_context&, const value& p) -> value {
        auto unit = parse_amount(member(p, "price"));
        const auto qty = member(p, "quantity").to_number<std::int64_t>();
        const auto& set = member(p, "price_set");
        const auto cur = member(member(set, "shop_money"), "currency_code");
        const auto pcur = member(member(set, "presentment_money"), "currency_code");
        return money_bag(money_set(unit.value_or(0) * qty,
                                   cur.is_string() ? std::string_view(cur.get_string()) : "USD",
                                   pcur.is_string() ? std::string_view(pcur.get_string()) : "USD"));
      });
  li.fields["customAttributes"] = computed("[Attribute!]!", [](admin_context&, const value& p) {
    return attributes(member(p, "properties"), "name");
  });
  li.fields["variant"] = computed("ProductVariant", [](admin_context&, const value& p) -> value {
    const auto& id = member(p, "variant_id");
    if (id.is_null()) return nullptr;
    return object{{"id", gid_of("ProductVariant", id)},
                  {"legacyResourceId", legacy_id(id)},
                  {"title", member(p, "variant_title").is_string() ? member(p, "variant_title")
                                                                   : value("Default Title")},
                  {"sku", member(p, "sku")}};
  });
  li.fields["product"] = computed("Product", [](admin_context&, const value& p) -> value {
    const auto& id = member(p, "product_id");
    if (id.is_null()) return nullptr;
    return object{{"id", gid_of("Product", id)}, {"legacyResourceId", legacy_id(id)}};
  });

  auto& page = s.objects["PageInfo"];
  page.cost = 0;
  declare(page, {{"hasNextPage", "Boolean!"},
                 {"hasPreviousPage", "Boolean!"},
                 {"startCursor", "String"},
                 {"endCursor", "String"}});

  auto& li_edge = s.objects["LineItemEdge"];
  li_edge.cost = 0;
  declare(li_edge, {{"cursor", "String!"}, {"node", "LineItem!"}});
  auto& li_conn = s.objects["LineItemConnection"];
  li_conn.cost = 2;
  li_conn.connection = true;
  declare(li_conn,
          {{"edges", "[LineItemEdge!]!"}, {"nodes", "[LineItem!]!"}, {"pageInfo", "PageInfo!"}});

  auto& order = s.objects["Order"];
  order.fields["id"] = renamed("ID!", "admin_graphql_api_id");
  order.fields["legacyResourceId"] = computed(
      "UnsignedInt64!", [](admin_context&, const value& p) { return legacy_id(member(p, "id")); });
  order.fields["name"] = plain("String!");
  order.fields["email"] = null_if_empty("email");
  declare(
      order,
      {{"phone", "String"}, {"note", "String"}, {"test", "Boolean!"}, {"confirmed", "Boolean!"}});
  order.fields["confirmationNumber"] = renamed("String", "confirmation_number");
  order.fields["taxesIncluded"] = renamed("Boolean!", "taxes_included");
  order.fields["statusPageUrl"] = renamed("URL!", "order_status_url");
  order.fields["createdAt"] = utc_time("DateTime!", "created_at");
  order.fields["updatedAt"] = utc_time("DateTime!", "updated_at");
  order.fields["processedAt"] = utc_time("DateTime!", "processed_at");
  order.fields["cancelledAt"] = utc_time("DateTime", "cancelled_at");
  order.fields["closedAt"] = utc_time("DateTime", "closed_at");
  order.fields["closed"] = computed("Boolean!", [](admin_context&, const value& p) {
    return value(!member(p, "closed_at").is_null());
  });
  order.fields["cancelReason"] =
      computed("OrderCancelReason", [](admin_context&, const value& p) -> value {
        const auto& r = member(p, "cancel_reason");
        return r.is_string() ? value(upper(r.get_string())) : value(nullptr);
      });
  order.fields["currencyCode"] = renamed("CurrencyCode!", "currency");
  order.fields["presentmentCurrencyCode"] = renamed("CurrencyCode!", "presentment_currency");
  order.fields["sourceIdentifier"] = renamed("String", "source_identifier");
  order.fields["sourceName"] = renamed("String", "source_name");
  order.fields["tags"] = computed("[String!]!", [](admin_context&, const value& p) {
    boost::json::array tags;
    const auto& t = member(p, "tags");
    if (t.is_string())
      for (auto& tag : split_tags(t.get_string())) tags.push_back(value(tag));
    return value(std::move(tags));
  });
  order.fields["displayFinancialStatus"] =
      computed("OrderDisplayFinancialStatus", [](admin_context&, const value& p) -> value {
        const auto& f = member(p, "financial_status");
        return f.is_string() ? value(upper(f.get_string())) : value(nullptr);
      });
  order.fields["displayFulfillmentStatus"] =
      computed("OrderDisplayFulfillmentStatus!", [](admin_context&, const value& p) {
        const auto& f = member(p, "fulfillment_status");
        if (!f.is_string()) return value("UNFULFILLED");
        if (f.get_string() == "partial") return value("PARTIALLY_FULFILLED");
        return value(upper(f.get_string()));
      });
  order.fields["fullyPaid"] = computed("Boolean!", [](admin_context&, const value& p) {
    return value(member(p, "financial_status") == "paid");
  });
  order.fields["unpaid"] = computed("Boolean!", [](admin_context&, const value& p) {
    const auto& f = member(p, "financial_status");
    return value(f == "pending" || f == "authorized" || f == "expired");
  });
  order.fields["customAttributes"] = computed("[Attribute!]!", [](admin_context&, const value& p) {
    return attributes(member(p, "note_attributes"), "name");
  });
  order.fields["subtotalPriceSet"] = money_bag_field("MoneyBag", "subtotal_price_set");
  order.fields["currentSubtotalPriceSet"] =
      money_bag_field("MoneyBag!", "current_subtotal_price_set");
  order.fields["totalPriceSet"] = money_bag_field("MoneyBag!", "total_price_set");
  order.fields["currentTotalPriceSet"] = money_bag_field("MoneyBag!", "current_total_price_set");
  order.fields["totalTaxSet"] = money_bag_field("MoneyBag", "total_tax_set");
  order.fields["totalDiscountsSet"] = money_bag_field("MoneyBag", "total_discounts_set");
  order.fields["totalShippingPriceSet"] = money_bag_field("MoneyBag!", "total_shipping_price_set");
  order.fields["totalOutstandingSet"] =
      computed("MoneyBag!", [](admin_context&, const value& p) -> value {
        auto cents = parse_amount(member(p, "total_outstanding"));
        const auto& cur = member(p, "currency");
        const auto& pcur = member(p, "presentment_currency");
        return money_bag(money_set(cents.value_or(0),
                                   cur.is_string() ? std::string_view(cur.get_string()) : "USD",
                                   pcur.is_string() ? std::string_view(pcur.get_string()) : "USD"));
      });
  order.fields["customer"] = plain("Customer");
  order.fields["shippingAddress"] = renamed("MailingAddress", "shipping_address");
  order.fields["billingAddress"] = renamed("MailingAddress", "billing_address");
  {
    field f{"LineItemConnection!", connection_args(false), {}, {}};
    f.resolve = [](admin_context&, const value& p, const object& args) {
      return line_items_connection(p, args);
    };
    order.fields["lineItems"] = std::move(f);
  }

  auto& edge = s.objects["OrderEdge"];
  edge.cost = 0;
  declare(edge, {{"cursor", "String!"}, {"node", "Order!"}});
  auto& conn = s.objects["OrderConnection"];
  conn.cost = 2;
  conn.connection = true;
  auto order_by_id = [](admin_context& c, const value& id) -> value {
    const auto* o = c.shop.find_order(id.to_number<std::uint64_t>());
    return o ? value(o->json) : value(nullptr);
  };
  conn.fields["nodes"] = computed("[Order!]!", [order_by_id](admin_context& c, const value& p) {
    boost::json::array out;
    for (const auto& id : member(p, "ids").as_array()) out.push_back(order_by_id(c, id));
    return value(std::move(out));
  });
  conn.fields["edges"] = computed("[OrderEdge!]!", [order_by_id](admin_context& c, const value& p) {
    boost::json::array out;
    const auto& ids = member(p, "ids").as_array();
    const auto& cursors = member(p, "cursors").as_array();
    for (std::size_t i = 0; i < ids.size(); ++i)
      out.push_back(object{{"cursor", cursors[i]}, {"node", order_by_id(c, ids[i])}});
    return value(std::move(out));
  });
  conn.fields["pageInfo"] = plain("PageInfo!");

  auto& count = s.objects["Count"];
  declare(count, {{"count", "Int!"}, {"precision", "CountPrecision!"}});

  auto& shop = s.objects["Shop"];
  declare(shop, {{"id", "ID!"},
                 {"name", "String!"},
                 {"myshopifyDomain", "String!"},
                 {"currencyCode", "CurrencyCode!"}});

  auto& user_error = s.objects["UserError"];
  declare(user_error, {{"field", "[String!]"}, {"message", "String!"}});
  auto& create_error = s.objects["OrderCreateUserError"];
  declare(create_error,
          {{"field", "[String!]"}, {"message", "String!"}, {"code", "OrderCreateUserErrorCode"}});
  auto& create_payload = s.objects["OrderCreatePayload"];
  declare(create_payload, {{"order", "Order"}, {"userErrors", "[OrderCreateUserError!]!"}});
  auto& update_payload = s.objects["OrderUpdatePayload"];
  declare(update_payload, {{"order", "Order"}, {"userErrors", "[UserError!]!"}});

  auto& query = s.objects["QueryRoot"];
  query.cost = 0;
  {
    field f{"OrderConnection!", connection_args(true), {}, {}};
    f.resolve = [](admin_context& c, const value&, const object& args) {
      return orders_connection(c, args);
    };
    query.fields["orders"] = std::move(f);
  }
  {
    field f{"Order", {{"id", "ID!"}}, {}, {}};
    f.resolve = [](admin_context& c, const value&, const object& args) {
      const auto& raw = args.at("id");
      std::string_view text =
          raw.is_string() ? std::string_view(raw.get_string()) : std::string_view{};
      if (!text.starts_with("gid://shopify/Order/"))
        return resolved::fail(
            "Invalid global id '" + std::string(text) + "'",
            {{"code", "argumentLiteralsIncompatible"}, {"typeName", "CoercionError"}});
      auto id = id_value(raw);
      const auto* o = id ? c.shop.find_order(*id) : nullptr;
      return resolved{o ? value(o->json) : value(nullptr), {}, {}};
    };
    query.fields["order"] = std::move(f);
  }
  {
    field f{"Count", {{"query", "String"}, {"limit", "Int"}}, {}, {}};
    f.resolve = [](admin_context& c, const value&, const object& args) {
      search_query q;
      if (const auto* text = args.if_contains("query"); text && text->is_string()) {
        auto parsed = parse_search(std::string_view(text->get_string()));
        if (!parsed) return resolved::fail(parsed.error().message, {{"code", "BAD_REQUEST"}});
        q = std::move(*parsed);
      }
      std::int64_t n = 0;
      for (const auto& o : c.shop.orders) n += q.matches(o, c.shop.config.utc_offset) ? 1 : 0;
      std::int64_t limit = 10000;
      if (const auto* l = args.if_contains("limit"); l && l->is_int64()) limit = l->get_int64();
      return resolved{
          object{{"count", std::min(n, limit)}, {"precision", n > limit ? "AT_LEAST" : "EXACT"}},
          {},
          {}};
    };
    query.fields["ordersCount"] = std::move(f);
  }
  query.fields["shop"] = computed("Shop!", [](admin_context& c, const value&) -> value {
    return object{{"id", gid("Shop", c.shop.shop_id)},
                  {"name", c.shop.config.name},
                  {"myshopifyDomain", c.shop.config.domain},
                  {"currencyCode", c.shop.config.currency}};
  });

  auto& mutation = s.objects["Mutation"];
  mutation.cost = 0;
  {
    field f{"OrderCreatePayload",
            {{"order", "OrderCreateOrderInput!"}, {"options", "OrderCreateOptionsInput"}},
            {},
            "2024-10"};
    f.resolve = [](admin_context& c, const value&, const object& args) {
      return order_create(c, args);
    };
    mutation.fields["orderCreate"] = std::move(f);
  }
  {
    field f{"OrderUpdatePayload", {{"input", "OrderInput!"}}, {}, {}};
    f.resolve = [](admin_context& c, const value&, const object& args) {
      return order_update(c, args);
    };
    mutation.fields["orderUpdate"] = std::move(f);
  }
  add_webhook_subscriptions(s);
  return s;
}

}  // namespace admin_schema_detail

// Built once; immutable afterwards, so concurrent requests may share it.
inline const gql_schema<admin_context>& admin_schema() {
  static const gql_schema<admin_context> schema = admin_schema_detail::build();
  return schema;
}

}  // namespace syncline::testing::detail
