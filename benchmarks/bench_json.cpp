// JSON decode and encode of a ~1.4 KB Shopify order (tests/data/shopify/order_1k.json).
//
// json/    parse_dom        Boost.JSON parse into a DOM, nothing else (baseline)
//          dom_handwritten  the same parse, then hand-written extraction into shopify::order
//          decode_typed     json::decode<shopify::order>: streaming, no DOM
//          syncline_parse   json::parse: the DOM with syncline's limits and duplicate-key check
//          decode_from_dom  json::parse, then json::decode<shopify::order>(value)
// encode/  serialize_dom    boost::json::serialize of a DOM already built (baseline)
//          dom_handwritten  hand-written DOM from the record, then serialize
//          to_value         json::to_value, then serialize
//          encode_typed     json::encode: the record straight to text
//
// Throughput is bytes of JSON text per second (the input for decode, the output for encode).
#include <syncline/connectors/shopify/order.hpp>
#include <syncline/json/decode.hpp>
#include <syncline/json/encode.hpp>
#include <syncline/json/parse.hpp>
#include <syncline/json/to_value.hpp>

#include <benchmark/benchmark.h>
#include <boost/json.hpp>

#include <fstream>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace {

namespace js = boost::json;
namespace shopify = syncline::shopify;
using syncline::money;
using syncline::timestamp;

const std::string& order_text() {
  static const std::string text = [] {
    // The data folder comes from CMake as an absolute path: __FILE__ is relative when ccache
    // rewrites paths under CCACHE_BASEDIR, and the benchmark must not depend on its cwd.
    const std::string path = SYNCLINE_TEST_DATA_DIR "/shopify/order_1k.json";
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }();
  return text;
}

// --- the hand-written extraction a careful programmer would write against the DOM ----------

std::string_view sv(const js::string& s) { return {s.data(), s.size()}; }

// Each helper throws on a wrong shape, as hand-written DOM code does (value::as_*).
std::string str(const js::object& o, std::string_view key) {
  return std::string(sv(o.at(key).as_string()));
}
std::optional<std::string> opt_str(const js::object& o, std::string_view key) {
  const js::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return std::nullopt;
  return std::string(sv(v->as_string()));
}
std::optional<std::int64_t> opt_int(const js::object& o, std::string_view key) {
  const js::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return std::nullopt;
  return v->to_number<std::int64_t>();
}
std::optional<bool> opt_bool(const js::object& o, std::string_view key) {
  const js::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return std::nullopt;
  return v->as_bool();
}
money to_money(const js::value& v) { return money::parse(sv(v.as_string())).value(); }
std::optional<money> opt_money(const js::object& o, std::string_view key) {
  const js::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return std::nullopt;
  return to_money(*v);
}
timestamp to_time(const js::value& v) { return timestamp::parse(sv(v.as_string())).value(); }
std::optional<timestamp> opt_time(const js::object& o, std::string_view key) {
  const js::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return std::nullopt;
  return to_time(*v);
}
std::optional<shopify::money_set> opt_money_set(const js::object& o, std::string_view key) {
  const js::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return std::nullopt;
  const js::object& s = v->as_object();
  auto part = [](const js::object& m) {
    return shopify::money_v2{to_money(m.at("amount")), str(m, "currency_code")};
  };
  return shopify::money_set{part(s.at("shop_money").as_object()),
                            part(s.at("presentment_money").as_object())};
}
std::optional<shopify::address> opt_address(const js::object& o, std::string_view key) {
  const js::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return std::nullopt;
  const js::object& a = v->as_object();
  shopify::address r;
  r.id = opt_int(a, "id");
  r.first_name = opt_str(a, "first_name");
  r.last_name = opt_str(a, "last_name");
  r.name = opt_str(a, "name");
  r.company = opt_str(a, "company");
  r.address1 = opt_str(a, "address1");
  r.address2 = opt_str(a, "address2");
  r.city = opt_str(a, "city");
  r.province = opt_str(a, "province");
  r.province_code = opt_str(a, "province_code");
  r.country = opt_str(a, "country");
  r.country_code = opt_str(a, "country_code");
  r.zip = opt_str(a, "zip");
  r.phone = opt_str(a, "phone");
  r.is_default = opt_bool(a, "default");
  return r;
}
std::optional<shopify::financial_status> opt_financial(const js::object& o) {
  const js::value* v = o.if_contains("financial_status");
  if (v == nullptr || v->is_null()) return std::nullopt;
  const std::string_view s = sv(v->as_string());
  using fs = shopify::financial_status;
  if (s == "pending") return fs::pending;
  if (s == "authorized") return fs::authorized;
  if (s == "partially_paid") return fs::partially_paid;
  if (s == "paid") return fs::paid;
  if (s == "partially_refunded") return fs::partially_refunded;
  if (s == "refunded") return fs::refunded;
  if (s == "voided") return fs::voided;
  if (s == "expired") return fs::expired;
  throw std::runtime_error("financial_status");
}
std::optional<shopify::fulfillment_status> opt_fulfillment(const js::object& o) {
  const js::value* v = o.if_contains("fulfillment_status");
  if (v == nullptr || v->is_null()) return std::nullopt;
  const std::string_view s = sv(v->as_string());
  using fs = shopify::fulfillment_status;
  if (s == "fulfilled") return fs::fulfilled;
  if (s == "partial") return fs::partial;
  if (s == "restocked") return fs::restocked;
  throw std::runtime_error("fulfillment_status");
}

shopify::order handwritten(const js::value& doc) {
  const js::object& o = doc.as_object();
  shopify::order r;
  r.id = o.at("id").to_number<std::int64_t>();
  r.admin_graphql_api_id = str(o, "admin_graphql_api_id");
  r.cancel_reason = opt_str(o, "cancel_reason");
  r.cancelled_at = opt_time(o, "cancelled_at");
  r.closed_at = opt_time(o, "closed_at");
  r.contact_email = opt_str(o, "contact_email");
  r.created_at = to_time(o.at("created_at"));
  r.currency = str(o, "currency");
  r.email = opt_str(o, "email");
  r.financial_status = opt_financial(o);
  r.fulfillment_status = opt_fulfillment(o);
  r.name = str(o, "name");
  r.note = opt_str(o, "note");
  for (const js::value& a : o.at("note_attributes").as_array()) {
    const js::object& ao = a.as_object();
    r.note_attributes.push_back({str(ao, "name"), str(ao, "value")});
  }
  r.order_number = o.at("order_number").to_number<std::int64_t>();
  r.phone = opt_str(o, "phone");
  r.presentment_currency = opt_str(o, "presentment_currency");
  r.processed_at = opt_time(o, "processed_at");
  r.source_identifier = opt_str(o, "source_identifier");
  r.source_name = opt_str(o, "source_name");
  r.subtotal_price = to_money(o.at("subtotal_price"));
  r.subtotal_price_set = opt_money_set(o, "subtotal_price_set");
  r.tags = str(o, "tags");
  r.test = opt_bool(o, "test");
  r.total_discounts = opt_money(o, "total_discounts");
  r.total_price = to_money(o.at("total_price"));
  r.total_price_set = opt_money_set(o, "total_price_set");
  r.total_tax = to_money(o.at("total_tax"));
  r.total_tax_set = opt_money_set(o, "total_tax_set");
  r.updated_at = to_time(o.at("updated_at"));
  r.billing_address = opt_address(o, "billing_address");
  if (const js::value* c = o.if_contains("customer"); c != nullptr && !c->is_null()) {
    const js::object& co = c->as_object();
    shopify::customer cu;
    cu.id = co.at("id").to_number<std::int64_t>();
    cu.admin_graphql_api_id = opt_str(co, "admin_graphql_api_id");
    cu.email = opt_str(co, "email");
    cu.first_name = opt_str(co, "first_name");
    cu.last_name = opt_str(co, "last_name");
    cu.phone = opt_str(co, "phone");
    cu.state = opt_str(co, "state");
    cu.tags = opt_str(co, "tags");
    cu.currency = opt_str(co, "currency");
    cu.created_at = opt_time(co, "created_at");
    cu.updated_at = opt_time(co, "updated_at");
    cu.default_address = opt_address(co, "default_address");
    r.customer = std::move(cu);
  }
  for (const js::value& l : o.at("line_items").as_array()) {
    const js::object& lo = l.as_object();
    shopify::line_item li;
    li.id = lo.at("id").to_number<std::int64_t>();
    li.admin_graphql_api_id = opt_str(lo, "admin_graphql_api_id");
    li.fulfillment_status = opt_str(lo, "fulfillment_status");
    li.gift_card = opt_bool(lo, "gift_card");
    li.grams = opt_int(lo, "grams");
    li.name = opt_str(lo, "name");
    li.price = to_money(lo.at("price"));
    li.price_set = opt_money_set(lo, "price_set");
    li.product_id = opt_int(lo, "product_id");
    li.quantity = lo.at("quantity").to_number<std::int32_t>();
    li.requires_shipping = opt_bool(lo, "requires_shipping");
    li.sku = opt_str(lo, "sku");
    li.taxable = opt_bool(lo, "taxable");
    li.title = str(lo, "title");
    li.total_discount = opt_money(lo, "total_discount");
    li.variant_id = opt_int(lo, "variant_id");
    li.variant_title = opt_str(lo, "variant_title");
    li.vendor = opt_str(lo, "vendor");
    r.line_items.push_back(std::move(li));
  }
  r.shipping_address = opt_address(o, "shipping_address");
  return r;
}

// --- decode ---------------------------------------------------------------------------------

void json_parse_dom(benchmark::State& state) {
  const std::string& text = order_text();
  for (auto _ : state) {
    js::value v = js::parse(text);
    benchmark::DoNotOptimize(v);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(json_parse_dom)->Name("json/parse_dom");

void json_dom_handwritten(benchmark::State& state) {
  const std::string& text = order_text();
  for (auto _ : state) {
    shopify::order o = handwritten(js::parse(text));
    benchmark::DoNotOptimize(o);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(json_dom_handwritten)->Name("json/dom_handwritten");

void json_decode_typed(benchmark::State& state) {
  const std::string& text = order_text();
  for (auto _ : state) {
    auto o = syncline::json::decode<shopify::order>(text);
    if (!o) state.SkipWithError(o.error().message.c_str());
    benchmark::DoNotOptimize(o);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(json_decode_typed)->Name("json/decode_typed");

void json_syncline_parse(benchmark::State& state) {
  const std::string& text = order_text();
  for (auto _ : state) {
    auto v = syncline::json::parse(text);
    benchmark::DoNotOptimize(v);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(json_syncline_parse)->Name("json/syncline_parse");

void json_decode_from_dom(benchmark::State& state) {
  const std::string& text = order_text();
  for (auto _ : state) {
    auto o = syncline::json::decode<shopify::order>(syncline::json::parse(text).value());
    benchmark::DoNotOptimize(o);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(json_decode_from_dom)->Name("json/decode_from_dom");

// --- encode ---------------------------------------------------------------------------------

const shopify::order& the_order() {
  static const shopify::order o = syncline::json::decode<shopify::order>(order_text()).value();
  return o;
}

js::value money_set_dom(const shopify::money_set& s) {
  auto part = [](const shopify::money_v2& m) {
    return js::object{{"amount", m.amount.to_string()}, {"currency_code", m.currency_code}};
  };
  return js::object{{"shop_money", part(s.shop_money)},
                    {"presentment_money", part(s.presentment_money)}};
}

js::value handwritten_dom(const shopify::order& o) {
  js::object r;
  auto put = [&r](js::object& into, std::string_view key, const auto& opt) {
    if (opt) into[key] = *opt;
  };
  auto put_time = [](js::object& into, std::string_view key, const std::optional<timestamp>& t) {
    if (t) into[key] = t->text();
  };
  r["id"] = o.id;
  r["admin_graphql_api_id"] = o.admin_graphql_api_id;
  put(r, "cancel_reason", o.cancel_reason);
  put_time(r, "cancelled_at", o.cancelled_at);
  put_time(r, "closed_at", o.closed_at);
  put(r, "contact_email", o.contact_email);
  r["created_at"] = o.created_at.text();
  r["currency"] = o.currency;
  put(r, "email", o.email);
  if (o.financial_status) {
    constexpr std::string_view names[] = {
        "pending",  "authorized", "partially_paid", "paid", "partially_refunded",
        "refunded", "voided",     "expired"};
    r["financial_status"] = names[static_cast<int>(*o.financial_status)];
  }
  r["name"] = o.name;
  put(r, "note", o.note);
  js::array notes;
  for (const auto& a : o.note_attributes)
    notes.push_back(js::object{{"name", a.name}, {"value", a.value}});
  r["note_attributes"] = std::move(notes);
  r["order_number"] = o.order_number;
  put(r, "phone", o.phone);
  put_time(r, "processed_at", o.processed_at);
  put(r, "source_identifier", o.source_identifier);
  put(r, "source_name", o.source_name);
  r["subtotal_price"] = o.subtotal_price.to_string();
  if (o.subtotal_price_set) r["subtotal_price_set"] = money_set_dom(*o.subtotal_price_set);
  r["tags"] = o.tags;
  put(r, "test", o.test);
  if (o.total_discounts) r["total_discounts"] = o.total_discounts->to_string();
  r["total_price"] = o.total_price.to_string();
  r["total_tax"] = o.total_tax.to_string();
  r["updated_at"] = o.updated_at.text();
  if (o.customer) {
    js::object c;
    c["id"] = o.customer->id;
    put(c, "admin_graphql_api_id", o.customer->admin_graphql_api_id);
    put(c, "email", o.customer->email);
    put(c, "first_name", o.customer->first_name);
    put(c, "last_name", o.customer->last_name);
    put(c, "state", o.customer->state);
    r["customer"] = std::move(c);
  }
  js::array items;
  for (const auto& li : o.line_items) {
    js::object l;
    l["id"] = li.id;
    put(l, "admin_graphql_api_id", li.admin_graphql_api_id);
    put(l, "name", li.name);
    l["price"] = li.price.to_string();
    put(l, "product_id", li.product_id);
    l["quantity"] = li.quantity;
    put(l, "requires_shipping", li.requires_shipping);
    put(l, "sku", li.sku);
    put(l, "taxable", li.taxable);
    l["title"] = li.title;
    put(l, "variant_id", li.variant_id);
    put(l, "vendor", li.vendor);
    items.push_back(std::move(l));
  }
  r["line_items"] = std::move(items);
  return r;
}

void encode_serialize_dom(benchmark::State& state) {
  const js::value dom = syncline::json::to_value(the_order());
  std::size_t bytes = 0;
  for (auto _ : state) {
    std::string s = js::serialize(dom);
    bytes += s.size();
    benchmark::DoNotOptimize(s);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(encode_serialize_dom)->Name("encode/serialize_dom");

void encode_dom_handwritten(benchmark::State& state) {
  std::size_t bytes = 0;
  for (auto _ : state) {
    std::string s = js::serialize(handwritten_dom(the_order()));
    bytes += s.size();
    benchmark::DoNotOptimize(s);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(encode_dom_handwritten)->Name("encode/dom_handwritten");

void encode_to_value(benchmark::State& state) {
  std::size_t bytes = 0;
  for (auto _ : state) {
    std::string s = js::serialize(syncline::json::to_value(the_order()));
    bytes += s.size();
    benchmark::DoNotOptimize(s);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(encode_to_value)->Name("encode/to_value");

void encode_typed(benchmark::State& state) {
  std::size_t bytes = 0;
  for (auto _ : state) {
    std::string s = syncline::json::encode(the_order());
    bytes += s.size();
    benchmark::DoNotOptimize(s);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(encode_typed)->Name("encode/encode_typed");

}  // namespace
