// Turns a create (or update) request, in REST's snake_case shape, into an order in the JSON shape
// Shopify serializes: ids above 2^53, "#1001" names, decimal-string amounts computed in cents,
// local timestamps with the shop's offset, and the many fields a real order carries. GraphQL input
// is translated to this shape first, so both APIs validate and build orders in one place.
#pragma once

#include <syncline_emulator/money.hpp>
#include <syncline_emulator/shop_data.hpp>
#include <syncline_emulator/timestamps.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace syncline::testing::detail {

// One validation failure. `path` names the input field in REST spelling ({"line_items", "0",
// "quantity"}); REST reports it under path[0], GraphQL as a userErrors field path.
struct field_error {
  std::vector<std::string> path;
  std::string message;
};
using field_errors = std::vector<field_error>;

struct order_context {
  shop_data& shop;
  id_counters& ids;
  sys_time now;
  std::mt19937_64& rng;
};

inline std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

inline std::string gid(std::string_view type, std::uint64_t id) {
  return "gid://shopify/" + std::string(type) + "/" + std::to_string(id);
}

// "a@b.c": one '@' with text on both sides and a dot after it, no spaces.
inline bool plausible_email(std::string_view e) {
  auto at = e.find('@');
  if (at == 0 || at == std::string_view::npos || e.find('@', at + 1) != std::string_view::npos)
    return false;
  auto dot = e.find('.', at);
  if (dot == std::string_view::npos || dot == at + 1 || dot + 1 == e.size()) return false;
  return e.find_first_of(" \t\r\n,;") == std::string_view::npos;
}

// Tags as Shopify stores them: trimmed, empty ones dropped, duplicates (ignoring case) dropped,
// joined with ", ". Accepts the REST string form or a JSON array of strings.
inline std::optional<std::string> normalize_tags(const boost::json::value& v) {
  std::vector<std::string> parts;
  auto add = [&](std::string_view t) {
    while (!t.empty() && std::isspace(static_cast<unsigned char>(t.front()))) t.remove_prefix(1);
    while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.remove_suffix(1);
    if (t.empty()) return;
    for (auto& p : parts)
      if (lower(p) == lower(t)) return;
    parts.emplace_back(t);
  };
  if (v.is_string()) {
    std::string_view s = v.get_string();
    while (true) {
      auto comma = s.find(',');
      add(s.substr(0, comma));
      if (comma == std::string_view::npos) break;
      s.remove_prefix(comma + 1);
    }
  } else if (v.is_array()) {
    for (auto& t : v.get_array()) {
      if (!t.is_string()) return std::nullopt;
      add(t.get_string());
    }
  } else if (!v.is_null()) {
    return std::nullopt;
  }
  std::string out;
  for (auto& p : parts) out += (out.empty() ? "" : ", ") + p;
  return out;
}

inline std::vector<std::string> split_tags(std::string_view s) {
  std::vector<std::string> out;
  if (auto t = normalize_tags(boost::json::string(s))) {
    std::string_view rest = *t;
    while (!rest.empty()) {
      auto comma = rest.find(", ");
      out.emplace_back(rest.substr(0, comma));
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 2);
    }
  }
  return out;
}

inline boost::json::object money_set(std::int64_t cents, std::string_view currency,
                                     std::string_view presentment) {
  return {{"shop_money", {{"amount", format_cents(cents)}, {"currency_code", currency}}},
          {"presentment_money", {{"amount", format_cents(cents)}, {"currency_code", presentment}}}};
}

namespace order_rules {
inline constexpr std::string_view financial_statuses[] = {
    "pending",  "authorized", "partially_paid", "paid", "partially_refunded",
    "refunded", "voided",     "expired"};
inline constexpr std::string_view fulfillment_statuses[] = {"fulfilled", "partial", "restocked"};
inline constexpr std::string_view address_keys[] = {
    "first_name",   "last_name", "name",     "company",       "address1",
    "address2",     "city",      "province", "province_code", "country",
    "country_code", "zip",       "phone",    "latitude",      "longitude"};
}  // namespace order_rules

// Reads the optional string `key` of `in`; numbers are accepted and spelled as JSON spells them.
inline std::optional<std::string> text_field(const boost::json::object& in, std::string_view key,
                                             field_errors& errors,
                                             std::vector<std::string> path = {}) {
  auto it = in.find(key);
  if (it == in.end() || it->value().is_null()) return std::nullopt;
  if (it->value().is_string()) return std::string(it->value().get_string());
  if (it->value().is_number()) return boost::json::serialize(it->value());
  path.emplace_back(key);
  errors.push_back({std::move(path), "is invalid"});
  return std::nullopt;
}

inline std::optional<bool> bool_field(const boost::json::object& in, std::string_view key,
                                      field_errors& errors) {
  auto it = in.find(key);
  if (it == in.end() || it->value().is_null()) return std::nullopt;
  if (it->value().is_bool()) return it->value().get_bool();
  errors.push_back({{std::string(key)}, "is invalid"});
  return std::nullopt;
}

inline std::optional<std::uint64_t> id_value(const boost::json::value& v) {
  if (v.is_uint64()) return v.get_uint64();
  if (v.is_int64() && v.get_int64() > 0) return static_cast<std::uint64_t>(v.get_int64());
  if (v.is_string()) {
    std::string_view s = v.get_string();
    if (auto slash = s.rfind('/');
        s.starts_with("gid://shopify/") && slash != std::string_view::npos)
      s.remove_prefix(slash + 1);
    std::uint64_t n = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec == std::errc{} && p == s.data() + s.size() && n > 0) return n;
  }
  return std::nullopt;
}

// {"name": .., "value": ..} pairs; values are stored as strings, as Shopify does.
inline std::optional<boost::json::array> note_attributes(const boost::json::value& v,
                                                         field_errors& errors) {
  if (v.is_null()) return boost::json::array{};
  if (!v.is_array()) {
    errors.push_back({{"note_attributes"}, "is invalid"});
    return std::nullopt;
  }
  boost::json::array out;
  for (std::size_t i = 0; i < v.get_array().size(); ++i) {
    const auto& a = v.get_array()[i];
    const auto* name = a.is_object() ? a.get_object().if_contains("name") : nullptr;
    if (!name || !name->is_string() || name->get_string().empty()) {
      errors.push_back({{"note_attributes", std::to_string(i), "name"}, "can't be blank"});
      continue;
    }
    const auto* value = a.get_object().if_contains("value");
    std::string text = !value || value->is_null() ? ""
                       : value->is_string()       ? std::string(value->get_string())
                                                  : boost::json::serialize(*value);
    out.push_back(boost::json::object{{"name", name->get_string()}, {"value", text}});
  }
  return out;
}

inline boost::json::value address(const boost::json::value& v, std::string_view key,
                                  field_errors& errors) {
  if (v.is_null()) return nullptr;
  if (!v.is_object()) {
    errors.push_back({{std::string(key)}, "is invalid"});
    return nullptr;
  }
  boost::json::object out;
  for (auto k : order_rules::address_keys) {
    const auto* f = v.get_object().if_contains(k);
    out[k] = f && (f->is_string() || f->is_number()) ? *f : boost::json::value(nullptr);
  }
  if (out["name"].is_null()) {
    std::string n;
    if (out["first_name"].is_string()) n += out["first_name"].get_string();
    if (out["last_name"].is_string())
      n += (n.empty() ? "" : " ") + std::string(out["last_name"].get_string());
    if (!n.empty()) out["name"] = n;
  }
  return out;
}

// {title, price, rate} lines (tax_lines, shipping_lines); returns their total in cents.
inline std::optional<std::int64_t> priced_lines(const boost::json::object& in, std::string_view key,
                                                std::string_view currency,
                                                std::string_view presentment,
                                                boost::json::array& out, field_errors& errors) {
  auto it = in.find(key);
  if (it == in.end() || it->value().is_null()) return 0;
  if (!it->value().is_array()) {
    errors.push_back({{std::string(key)}, "is invalid"});
    return std::nullopt;
  }
  std::int64_t total = 0;
  for (std::size_t i = 0; i < it->value().get_array().size(); ++i) {
    const auto& l = it->value().get_array()[i];
    if (!l.is_object()) {
      errors.push_back({{std::string(key), std::to_string(i)}, "is invalid"});
      continue;
    }
    const auto* price = l.get_object().if_contains("price");
    auto cents = price ? parse_amount(*price) : std::optional<std::int64_t>{0};
    if (!cents) {
      errors.push_back({{std::string(key), std::to_string(i), "price"}, "is invalid"});
      continue;
    }
    total += *cents;
    boost::json::object line;
    const auto* title = l.get_object().if_contains("title");
    line["title"] = title && title->is_string() ? *title : boost::json::value(nullptr);
    line["price"] = format_cents(*cents);
    line["price_set"] = money_set(*cents, currency, presentment);
    if (key == "tax_lines") {
      const auto* rate = l.get_object().if_contains("rate");
      line["rate"] = rate && rate->is_number() ? *rate : boost::json::value(0);
      line["channel_liable"] = false;
    } else {
      const auto* code = l.get_object().if_contains("code");
      line["code"] = code && code->is_string() ? *code : line["title"];
      line["source"] = "shopify";
      line["discounted_price"] = format_cents(*cents);
      line["tax_lines"] = boost::json::array{};
    }
    out.push_back(std::move(line));
  }
  return total;
}

inline std::string random_token(std::mt19937_64& rng, std::size_t n, std::string_view alphabet) {
  std::string s;
  for (std::size_t i = 0; i < n; ++i) s += alphabet[rng() % alphabet.size()];
  return s;
}

// Finds the shop's customer by email, or creates one; `names` may carry first/last name and phone.
inline stored_customer& find_or_create_customer(order_context& ctx, std::string_view email,
                                                const boost::json::object& names) {
  std::string key = email.empty() ? "#" + std::to_string(ctx.ids.customer + 1) : lower(email);
  auto it = ctx.shop.customers.find(key);
  if (it != ctx.shop.customers.end()) return it->second;
  stored_customer c;
  c.id = ++ctx.ids.customer;
  auto ts = format_local(ctx.now, ctx.shop.config.utc_offset);
  auto pick = [&](std::string_view k) -> boost::json::value {
    const auto* v = names.if_contains(k);
    return v && v->is_string() ? *v : boost::json::value(nullptr);
  };
  c.json = {{"id", c.id},
            {"email", email.empty() ? boost::json::value(nullptr) : boost::json::value(email)},
            {"created_at", ts},
            {"updated_at", ts},
            {"first_name", pick("first_name")},
            {"last_name", pick("last_name")},
            {"state", "disabled"},
            {"note", nullptr},
            {"verified_email", true},
            {"multipass_identifier", nullptr},
            {"tax_exempt", false},
            {"phone", pick("phone")},
            {"currency", ctx.shop.config.currency},
            {"tags", ""},
            {"tax_exemptions", boost::json::array{}},
            {"admin_graphql_api_id", gid("Customer", c.id)}};
  return ctx.shop.customers.emplace(key, std::move(c)).first->second;
}

// Validates and builds the line items; fills `subtotal` (cents).
inline boost::json::array line_items(const boost::json::object& in, order_context& ctx,
                                     std::string_view currency, std::string_view presentment,
                                     std::int64_t& subtotal, field_errors& errors, bool commit) {
  boost::json::array out;
  auto it = in.find("line_items");
  if (it == in.end() || it->value().is_null() ||
      (it->value().is_array() && it->value().get_array().empty())) {
    errors.push_back({{"line_items"}, "can't be blank: an order needs at least one line item"});
    return out;
  }
  if (!it->value().is_array()) {
    errors.push_back({{"line_items"}, "is invalid: expected an array of line items"});
    return out;
  }
  const auto& items = it->value().get_array();
  if (items.size() > 250)
    errors.push_back({{"line_items"}, "is too long (maximum is 250 line items)"});
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string idx = std::to_string(i);
    if (!items[i].is_object()) {
      errors.push_back({{"line_items", idx}, "is invalid: expected an object"});
      continue;
    }
    const auto& li = items[i].get_object();
    std::optional<std::uint64_t> variant_id;
    const emulated_variant* variant = nullptr;
    if (const auto* v = li.if_contains("variant_id"); v && !v->is_null()) {
      variant_id = id_value(*v);
      if (!variant_id) {
        errors.push_back({{"line_items", idx, "variant_id"}, "is invalid"});
        continue;
      }
      for (const auto& candidate : ctx.shop.config.variants)
        if (candidate.id == *variant_id) variant = &candidate;
    }
    auto title = text_field(li, "title", errors, {"line_items", idx});
    if (!title && variant) title = variant->title;
    std::optional<std::int64_t> price;
    if (const auto* p = li.if_contains("price"); p && !p->is_null()) {
      price = parse_amount(*p);
      if (!price) {
        errors.push_back(
            {{"line_items", idx, "price"},
             "is invalid: expected a non-negative decimal amount with at most two decimals"});
        continue;
      }
    } else if (variant) {
      price = parse_cents(variant->price);
    }
    if (variant_id && !variant && (!title || !price)) {
      errors.push_back({{"line_items", idx, "variant_id"},
                        "does not exist: variant " + std::to_string(*variant_id) +
                            " is not in this shop's catalogue (give a title and price instead)"});
      continue;
    }
    if (!title || title->empty()) {
      errors.push_back({{"line_items", idx, "title"},
                        "can't be blank: a line item needs a variant_id or a title and a price"});
      continue;
    }
    if (!price) {
      errors.push_back({{"line_items", idx, "price"}, "can't be blank"});
      continue;
    }
    std::int64_t quantity = 0;
    const auto* q = li.if_contains("quantity");
    if (!q || q->is_null()) {
      quantity = 1;
    } else if (q->is_int64() || q->is_uint64()) {
      quantity =
          q->is_int64()
              ? q->get_int64()
              : static_cast<std::int64_t>(std::min<std::uint64_t>(q->get_uint64(), 1u << 30));
    } else if (q->is_string()) {
      std::string_view s = q->get_string();
      auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), quantity);
      if (ec != std::errc{} || p != s.data() + s.size()) quantity = -1;
    } else {
      quantity = -1;
    }
    if (quantity < 1 || quantity > 1'000'000) {
      errors.push_back(
          {{"line_items", idx, "quantity"}, "must be a whole number greater than or equal to 1"});
      continue;
    }
    const std::vector<std::string> at{"line_items", idx};
    std::optional<std::string> sku = text_field(li, "sku", errors, at);
    if (!sku && variant && !variant->sku.empty()) sku = variant->sku;
    std::optional<std::string> vendor = text_field(li, "vendor", errors, at);
    if (!vendor && variant && !variant->vendor.empty()) vendor = variant->vendor;
    std::optional<std::string> variant_title = text_field(li, "variant_title", errors, at);
    subtotal += *price * quantity;
    if (!commit) continue;
    const std::uint64_t id = ++ctx.ids.line_item;
    std::optional<std::uint64_t> product_id;
    if (const auto* p = li.if_contains("product_id"); p && !p->is_null()) product_id = id_value(*p);
    if (!product_id && variant && variant->product_id) product_id = variant->product_id;
    boost::json::array properties;
    if (const auto* props = li.if_contains("properties"); props && props->is_array())
      for (const auto& pr : props->get_array())
        if (pr.is_object()) properties.push_back(pr);
    auto opt = [](const auto& o) -> boost::json::value {
      if (o) return boost::json::value_from(*o);
      return nullptr;
    };
    const bool requires_shipping = [&] {
      const auto* r = li.if_contains("requires_shipping");
      return !r || !r->is_bool() || r->get_bool();
    }();
    const bool taxable = [&] {
      const auto* t = li.if_contains("taxable");
      return !t || !t->is_bool() || t->get_bool();
    }();
    out.push_back(
        boost::json::object{{"id", id},
                            {"admin_graphql_api_id", gid("LineItem", id)},
                            {"attributed_staffs", boost::json::array{}},
                            {"current_quantity", quantity},
                            {"fulfillable_quantity", quantity},
                            {"fulfillment_service", "manual"},
                            {"fulfillment_status", nullptr},
                            {"gift_card", false},
                            {"grams", 0},
                            {"name", *title + (variant_title ? " - " + *variant_title : "")},
                            {"price", format_cents(*price)},
                            {"price_set", money_set(*price, currency, presentment)},
                            {"product_exists", product_id.has_value()},
                            {"product_id", opt(product_id)},
                            {"properties", std::move(properties)},
                            {"quantity", quantity},
                            {"requires_shipping", requires_shipping},
                            {"sku", opt(sku)},
                            {"taxable", taxable},
                            {"title", *title},
                            {"total_discount", "0.00"},
                            {"total_discount_set", money_set(0, currency, presentment)},
                            {"variant_id", opt(variant_id)},
                            {"variant_inventory_management", nullptr},
                            {"variant_title", opt(variant_title)},
                            {"vendor", opt(vendor)},
                            {"tax_lines", boost::json::array{}},
                            {"duties", boost::json::array{}},
                            {"discount_allocations", boost::json::array{}}});
  }
  return out;
}

// Validates a create; on success allocates ids, creates or finds the customer and returns the
// order (not yet stored). Nothing changes when errors are returned.
inline std::variant<stored_order, field_errors> build_order(const boost::json::object& in,
                                                            order_context ctx) {
  field_errors errors;
  const auto& cfg = ctx.shop.config;

  auto email = text_field(in, "email", errors);
  if (email && !email->empty() && !plausible_email(*email))
    errors.push_back({{"email"}, "is invalid"});
  auto currency = text_field(in, "currency", errors).value_or(cfg.currency);
  auto upper3 = [](std::string_view c) {
    return c.size() == 3 &&
           std::all_of(c.begin(), c.end(), [](char ch) { return ch >= 'A' && ch <= 'Z'; });
  };
  if (!upper3(currency))
    errors.push_back({{"currency"}, "is invalid: expected an ISO 4217 code such as USD"});
  auto presentment = text_field(in, "presentment_currency", errors).value_or(currency);
  if (!upper3(presentment)) errors.push_back({{"presentment_currency"}, "is invalid"});

  std::string financial = "paid";
  if (auto fs = text_field(in, "financial_status", errors)) {
    financial = lower(*fs);
    if (std::find(std::begin(order_rules::financial_statuses),
                  std::end(order_rules::financial_statuses),
                  financial) == std::end(order_rules::financial_statuses))
      errors.push_back({{"financial_status"}, "is not included in the list"});
  } else if (const auto* tx = in.if_contains("transactions");
             tx && tx->is_array() && !tx->get_array().empty()) {
    // Without an explicit status Shopify derives it from the transactions.
    const auto& t0 = tx->get_array().front();
    const auto* kind = t0.is_object() ? t0.get_object().if_contains("kind") : nullptr;
    const auto* status = t0.is_object() ? t0.get_object().if_contains("status") : nullptr;
    if (status && status->is_string() && status->get_string() == "pending")
      financial = "pending";
    else if (kind && kind->is_string() && kind->get_string() == "authorization")
      financial = "authorized";
  }
  boost::json::value fulfillment = nullptr;
  if (auto fs = text_field(in, "fulfillment_status", errors)) {
    auto f = lower(*fs);
    if (std::find(std::begin(order_rules::fulfillment_statuses),
                  std::end(order_rules::fulfillment_statuses),
                  f) == std::end(order_rules::fulfillment_statuses))
      errors.push_back({{"fulfillment_status"}, "is not included in the list"});
    else
      fulfillment = f;
  }
  std::string tags;
  if (const auto* t = in.if_contains("tags")) {
    if (auto n = normalize_tags(*t))
      tags = *n;
    else
      errors.push_back({{"tags"}, "is invalid: expected a comma-separated string"});
  }
  boost::json::array attrs;
  if (const auto* na = in.if_contains("note_attributes"))
    if (auto a = note_attributes(*na, errors)) attrs = std::move(*a);
  sys_time processed_at = ctx.now;
  if (auto p = text_field(in, "processed_at", errors)) {
    if (auto t = parse_timestamp(*p, cfg.utc_offset))
      processed_at = *t;
    else
      errors.push_back({{"processed_at"}, "is invalid: expected an ISO 8601 date-time"});
  }
  auto note = text_field(in, "note", errors);
  auto phone = text_field(in, "phone", errors);
  auto source_identifier = text_field(in, "source_identifier", errors);
  auto source_name = text_field(in, "source_name", errors);
  auto source_url = text_field(in, "source_url", errors);
  auto name = text_field(in, "name", errors);
  const bool test = bool_field(in, "test", errors).value_or(false);
  const bool taxes_included = bool_field(in, "taxes_included", errors).value_or(false);
  const bool accepts_marketing = bool_field(in, "buyer_accepts_marketing", errors).value_or(false);
  boost::json::value billing = nullptr, shipping = nullptr;
  if (const auto* b = in.if_contains("billing_address"))
    billing = address(*b, "billing_address", errors);
  if (const auto* s = in.if_contains("shipping_address"))
    shipping = address(*s, "shipping_address", errors);

  const stored_customer* existing_customer = nullptr;
  boost::json::object customer_names;
  if (const auto* c = in.if_contains("customer"); c && !c->is_null()) {
    if (!c->is_object()) {
      errors.push_back({{"customer"}, "is invalid"});
    } else {
      customer_names = c->get_object();
      if (const auto* cid = customer_names.if_contains("id"); cid && !cid->is_null()) {
        auto id = id_value(*cid);
        existing_customer = id ? ctx.shop.find_customer(*id) : nullptr;
        if (!existing_customer)
          errors.push_back({{"customer", "id"}, "does not exist in this shop"});
      }
      if (const auto* ce = customer_names.if_contains("email"); ce && ce->is_string() && !email)
        email = std::string(ce->get_string());
    }
  }

  std::int64_t subtotal = 0;
  line_items(in, ctx, currency, presentment, subtotal, errors, false);
  boost::json::array tax_lines, shipping_lines;
  auto tax = priced_lines(in, "tax_lines", currency, presentment, tax_lines, errors);
  auto shipping_total =
      priced_lines(in, "shipping_lines", currency, presentment, shipping_lines, errors);
  if (!errors.empty()) return errors;

  // Valid: from here on ids are spent and the customer may be created.
  subtotal = 0;
  boost::json::array items = line_items(in, ctx, currency, presentment, subtotal, errors, true);
  const std::int64_t total = subtotal + *shipping_total + (taxes_included ? 0 : *tax);
  boost::json::value customer = nullptr;
  if (existing_customer) {
    customer = existing_customer->json;
  } else if ((email && !email->empty()) || !customer_names.empty()) {
    customer = find_or_create_customer(ctx, email.value_or(""), customer_names).json;
  }

  stored_order o;
  o.id = ++ctx.ids.order;
  o.created_at = o.updated_at = ctx.now;
  o.processed_at = processed_at;
  const std::uint64_t number = ctx.shop.next_order_number++;
  const auto ts = format_local(ctx.now, cfg.utc_offset);
  const std::string token = random_token(ctx.rng, 32, "0123456789abcdef");
  auto opt = [](const std::optional<std::string>& s) -> boost::json::value {
    if (s) return boost::json::value(*s);
    return nullptr;
  };
  const bool paid = financial == "paid";
  auto& j = o.json;
  j["id"] = o.id;
  j["admin_graphql_api_id"] = gid("Order", o.id);
  j["app_id"] = cfg.app_id;
  j["browser_ip"] = nullptr;
  j["buyer_accepts_marketing"] = accepts_marketing;
  j["cancel_reason"] = nullptr;
  j["cancelled_at"] = nullptr;
  j["cart_token"] = nullptr;
  j["checkout_id"] = nullptr;
  j["checkout_token"] = nullptr;
  j["client_details"] = nullptr;
  j["closed_at"] = nullptr;
  j["company"] = nullptr;
  j["confirmation_number"] = random_token(ctx.rng, 9, "ABCDEFGHJKLMNPQRSTUVWXYZ123456789");
  j["confirmed"] = true;
  j["contact_email"] = opt(email);
  j["created_at"] = ts;
  j["currency"] = currency;
  j["current_subtotal_price"] = format_cents(subtotal);
  j["current_subtotal_price_set"] = money_set(subtotal, currency, presentment);
  j["current_total_discounts"] = "0.00";
  j["current_total_discounts_set"] = money_set(0, currency, presentment);
  j["current_total_price"] = format_cents(total);
  j["current_total_price_set"] = money_set(total, currency, presentment);
  j["current_total_tax"] = format_cents(*tax);
  j["current_total_tax_set"] = money_set(*tax, currency, presentment);
  j["customer_locale"] = nullptr;
  j["discount_codes"] = boost::json::array{};
  j["email"] = email.value_or("");
  j["estimated_taxes"] = false;
  j["financial_status"] = financial;
  j["fulfillment_status"] = fulfillment;
  j["landing_site"] = nullptr;
  j["name"] = name && !name->empty() ? *name : "#" + std::to_string(number);
  j["note"] = opt(note);
  j["note_attributes"] = std::move(attrs);
  j["number"] = number - 1000;
  j["order_number"] = number;
  j["order_status_url"] = "https://" + cfg.domain + "/" + std::to_string(ctx.shop.shop_id) +
                          "/orders/" + token +
                          "/authenticate?key=" + random_token(ctx.rng, 32, "0123456789abcdef");
  j["payment_gateway_names"] = boost::json::array{};
  j["phone"] = opt(phone);
  j["presentment_currency"] = presentment;
  j["processed_at"] = format_local(processed_at, cfg.utc_offset);
  j["reference"] = nullptr;
  j["referring_site"] = nullptr;
  j["source_identifier"] = opt(source_identifier);
  j["source_name"] = source_name ? *source_name : std::to_string(cfg.app_id);
  j["source_url"] = opt(source_url);
  j["subtotal_price"] = format_cents(subtotal);
  j["subtotal_price_set"] = money_set(subtotal, currency, presentment);
  j["tags"] = tags;
  j["tax_lines"] = std::move(tax_lines);
  j["taxes_included"] = taxes_included;
  j["test"] = test;
  j["token"] = token;
  j["total_discounts"] = "0.00";
  j["total_discounts_set"] = money_set(0, currency, presentment);
  j["total_line_items_price"] = format_cents(subtotal);
  j["total_line_items_price_set"] = money_set(subtotal, currency, presentment);
  j["total_outstanding"] = paid ? "0.00" : format_cents(total);
  j["total_price"] = format_cents(total);
  j["total_price_set"] = money_set(total, currency, presentment);
  j["total_shipping_price_set"] = money_set(*shipping_total, currency, presentment);
  j["total_tax"] = format_cents(*tax);
  j["total_tax_set"] = money_set(*tax, currency, presentment);
  j["total_weight"] = 0;
  j["updated_at"] = ts;
  j["user_id"] = nullptr;
  j["billing_address"] = std::move(billing);
  j["customer"] = std::move(customer);
  j["discount_applications"] = boost::json::array{};
  j["fulfillments"] = boost::json::array{};
  j["line_items"] = std::move(items);
  j["payment_terms"] = nullptr;
  j["refunds"] = boost::json::array{};
  j["shipping_address"] = std::move(shipping);
  j["shipping_lines"] = std::move(shipping_lines);
  return o;
}

// Applies the fields an order update may change (REST PUT orders/{id}.json, GraphQL orderUpdate):
// email, phone, note, note_attributes, tags, buyer_accepts_marketing, shipping_address. Other
// fields are ignored, as Shopify ignores read-only ones. Nothing changes when errors are returned.
inline field_errors update_order(stored_order& o, const boost::json::object& in,
                                 const shop_data& shop, sys_time now) {
  field_errors errors;
  boost::json::object changes;
  if (in.contains("email")) {
    auto e = text_field(in, "email", errors);
    if (e && !e->empty() && !plausible_email(*e)) errors.push_back({{"email"}, "is invalid"});
    changes["email"] = e.value_or("");
    changes["contact_email"] = e ? boost::json::value(*e) : boost::json::value(nullptr);
  }
  for (auto key : {"phone", "note"})
    if (in.contains(key)) {
      auto v = text_field(in, key, errors);
      changes[key] = v ? boost::json::value(*v) : boost::json::value(nullptr);
    }
  if (const auto* na = in.if_contains("note_attributes"))
    if (auto a = note_attributes(*na, errors)) changes["note_attributes"] = std::move(*a);
  if (const auto* t = in.if_contains("tags")) {
    if (auto n = normalize_tags(*t))
      changes["tags"] = *n;
    else
      errors.push_back({{"tags"}, "is invalid: expected a comma-separated string"});
  }
  if (auto b = bool_field(in, "buyer_accepts_marketing", errors))
    changes["buyer_accepts_marketing"] = *b;
  if (const auto* s = in.if_contains("shipping_address"))
    changes["shipping_address"] = address(*s, "shipping_address", errors);
  if (!errors.empty()) return errors;
  for (auto& [k, v] : changes) o.json[k] = v;
  o.updated_at = std::max(now, o.updated_at);
  o.json["updated_at"] = format_local(o.updated_at, shop.config.utc_offset);
  return errors;
}

}  // namespace syncline::testing::detail
