// The Shopify model types against fixtures shaped like Shopify's payloads: webhook orders decode
// exactly, order inputs encode to the REST and GraphQL create shapes, webhook headers become
// metadata.
#include <syncline/connectors/shopify/gid.hpp>
#include <syncline/connectors/shopify/graphql_order_input.hpp>
#include <syncline/connectors/shopify/order.hpp>
#include <syncline/connectors/shopify/order_input.hpp>
#include <syncline/connectors/shopify/webhook_metadata.hpp>
#include <syncline/json/decode.hpp>
#include <syncline/json/encode.hpp>
#include <syncline/json/parse.hpp>
#include <syncline/json/to_value.hpp>

#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <string_view>

#include "json/fixture.hpp"

namespace unity_json_shopify_model_test {

namespace shopify = syncline::shopify;
namespace json = syncline::json;
using syncline::errc;
using syncline::money;
using syncline_test::read_fixture;

TEST_CASE("an orders/create webhook body decodes into shopify::order", "[shopify][model]") {
  const auto o = json::decode<shopify::order>(read_fixture("shopify/order_webhook.json"));
  REQUIRE(o);
  CHECK(o->id == 820982911946154508);
  CHECK(o->admin_graphql_api_id == "gid://shopify/Order/820982911946154508");
  CHECK(o->name == "#1001");
  CHECK(o->order_number == 1001);
  CHECK(o->email == "bob.norman@example.com");
  CHECK(o->created_at.text() == "2026-01-15T10:04:27-05:00");
  CHECK(o->processed_at->text() == "2026-01-15T10:04:27.612-05:00");
  CHECK(o->currency == "USD");
  CHECK(o->total_price.to_string() == "199.65");
  CHECK(o->subtotal_price.to_string() == "179.65");
  CHECK(o->total_tax.to_string() == "20.00");
  CHECK(o->total_price_set->presentment_money.amount == o->total_price);
  CHECK(o->financial_status == shopify::financial_status::paid);
  CHECK_FALSE(o->fulfillment_status);
  CHECK_FALSE(o->cancelled_at);
  CHECK(o->tags == "vip, wholesale");
  CHECK(o->source_identifier == "acme-7f3e2a");
  REQUIRE(o->note_attributes.size() == 2);
  CHECK(o->note_attributes[1].name == "source_order");
  CHECK(o->note_attributes[1].value == "acme-7f3e2a");

  REQUIRE(o->line_items.size() == 2);
  const shopify::line_item& ipod = o->line_items[0];
  CHECK(ipod.id == 866550311766439020);
  CHECK(ipod.title == "IPod Nano - 8GB");
  CHECK(ipod.quantity == 1);
  CHECK(ipod.price.to_string() == "199.00");
  CHECK(ipod.sku == "IPOD2008PINK");
  CHECK(ipod.variant_id == 808950810);
  CHECK(ipod.product_id == 632910392);
  const shopify::line_item& custom = o->line_items[1];
  CHECK_FALSE(custom.variant_id);
  CHECK_FALSE(custom.product_id);
  CHECK_FALSE(custom.sku);
  CHECK(custom.quantity == 1);
  // Line items add up to the order's subtotal plus its discount, to the cent.
  CHECK(ipod.price * ipod.quantity + custom.price * custom.quantity ==
        o->subtotal_price + *o->total_discounts);

  REQUIRE(o->customer);
  CHECK(o->customer->id == 207119551);
  CHECK(o->customer->first_name == "Bob");
  REQUIRE(o->customer->default_address);
  CHECK(o->customer->default_address->is_default == true);  // JSON "default"
  CHECK(o->shipping_address->city == "Louisville");
  CHECK(o->billing_address->province_code == "KY");
}

TEST_CASE("a guest order with nulls, an empty email and other currencies decodes",
          "[shopify][model]") {
  const auto o = json::decode<shopify::order>(read_fixture("shopify/order_guest.json"));
  REQUIRE(o);
  CHECK_FALSE(o->customer);  // null
  CHECK_FALSE(o->billing_address);
  CHECK(o->email == "");
  CHECK(o->financial_status == shopify::financial_status::voided);
  CHECK(o->fulfillment_status == shopify::fulfillment_status::restocked);
  CHECK(o->cancel_reason == "customer");
  CHECK(o->cancelled_at->text() == "2026-02-01T08:00:00.000000001Z");
  CHECK(o->created_at.utc_offset() == std::chrono::minutes(9 * 60));
  CHECK(o->total_price.to_string() == "1320");
  CHECK(o->test == true);
  CHECK(o->note_attributes.empty());
  REQUIRE(o->line_items.size() == 1);
  CHECK(o->line_items[0].fulfillment_status == "not_eligible");
}

TEST_CASE("an order survives decode -> encode -> decode unchanged", "[shopify][model]") {
  for (const char* file :
       {"shopify/order_webhook.json", "shopify/order_guest.json", "shopify/order_1k.json"}) {
    INFO(file);
    const auto first = json::decode<shopify::order>(read_fixture(file));
    REQUIRE(first);
    const std::string text = json::encode(*first);
    const auto second = json::decode<shopify::order>(text);
    REQUIRE(second);
    CHECK(*second == *first);
    CHECK(json::encode(*second) == text);
    // The exact id and the exact amounts are in the text, not approximations.
    CHECK(text.find(std::to_string(first->id)) != std::string::npos);
    CHECK(text.find('"' + first->total_price.to_string() + '"') != std::string::npos);
    // Through a DOM, the same record.
    CHECK(json::decode<shopify::order>(json::to_value(*first)).value() == *first);
  }
}

TEST_CASE("an order body missing what makes it an order is refused", "[shopify][model]") {
  const auto r = json::decode<shopify::order>(R"({"id": 1, "name": "#1"})");
  REQUIRE_FALSE(r);
  CHECK(r.error().category == errc::decode);
  CHECK(r.error().message.rfind(R"((root): missing required keys "admin_graphql_api_id", )", 0) ==
        0);
  const auto price = json::decode<shopify::line_item>(
      R"({"id": 1, "price": 199.65, "quantity": 1, "title": "t"})");
  CHECK(price.error().message == "/price: expected string, got number 199.65");
}

namespace {
shopify::order_input sample_input() {
  shopify::order_input in;
  in.email = "bob.norman@example.com";
  in.currency = "USD";
  in.line_items.push_back({.variant_id = 808950810, .quantity = 1});
  in.line_items.push_back({.title = "Gift card sleeve",
                           .price = *money::parse("0.65"),
                           .quantity = 3,
                           .requires_shipping = false});
  in.customer = shopify::customer_input{.id = 207119551};
  in.financial_status = shopify::financial_status::paid;
  in.tags = "vip, wholesale";
  in.note_attributes = std::vector<shopify::note_attribute>{{"gift_wrap", "yes"}};
  in.source_name = "syncline";
  in.source_identifier = "acme-7f3e2a";
  in.transactions = {{.kind = shopify::transaction_kind::sale,
                      .status = shopify::transaction_status::success,
                      .amount = *money::parse("200.95")}};
  in.send_receipt = false;
  in.inventory_behaviour = shopify::inventory_behaviour::decrement_obeying_policy;
  return in;
}

// The fixture's text with its whitespace removed and its key order kept.
std::string compact(std::string_view fixture) {
  const auto dom = json::parse(read_fixture(fixture));
  REQUIRE(dom);
  return boost::json::serialize(*dom);
}
}  // namespace

TEST_CASE("order_input encodes to the REST create body", "[shopify][model]") {
  const shopify::rest_order_create_body body{sample_input()};
  CHECK(json::encode(body) == compact("shopify/rest_order_create_body.json"));
  // What the emulator does with it: decode the REST body back.
  const auto back = json::decode<shopify::rest_order_create_body>(
      read_fixture("shopify/rest_order_create_body.json"));
  REQUIRE(back);
  CHECK(*back == body);
  // "void" is a keyword in C++ and a transaction kind in Shopify.
  CHECK(json::encode(shopify::transaction_kind::void_) == R"("void")");
  CHECK(json::decode<shopify::transaction_kind>(R"("void")").value() ==
        shopify::transaction_kind::void_);
}

TEST_CASE("order_input converts to the GraphQL orderCreate variables", "[shopify][model]") {
  const auto vars = shopify::to_graphql(sample_input());
  REQUIRE(vars);
  CHECK(json::encode(*vars) == compact("shopify/graphql_order_create_variables.json"));
  const auto back = json::decode<shopify::graphql_order_create_input>(
      read_fixture("shopify/graphql_order_create_variables.json"));
  REQUIRE(back);
  CHECK(*back == *vars);

  SECTION("a customer without id is upserted by email and name") {
    shopify::order_input in = sample_input();
    in.customer = shopify::customer_input{.email = "new@example.com", .first_name = "New"};
    const auto g = shopify::to_graphql(in);
    REQUIRE(g);
    CHECK_FALSE(g->order.customer->toAssociate);
    CHECK(g->order.customer->toUpsert->email == "new@example.com");
    CHECK(g->order.customer->toUpsert->firstName == "New");
  }
  SECTION("amounts without a currency cannot be expressed in GraphQL") {
    shopify::order_input in = sample_input();
    in.currency.reset();
    const auto g = shopify::to_graphql(in);
    REQUIRE_FALSE(g);
    CHECK(g.error().category == errc::invalid_input);
    CHECK(g.error().message.rfind("line_items[1].price needs order_input.currency", 0) == 0);
  }
  SECTION("no options when none are set; tags split and trimmed") {
    shopify::order_input in;
    in.line_items.push_back({.variant_id = 1, .quantity = 2});
    in.tags = " a,, b ,c";
    in.transactions = {{.kind = shopify::transaction_kind::void_, .amount = *money::parse("1")}};
    in.currency = "EUR";
    const auto g = shopify::to_graphql(in);
    REQUIRE(g);
    CHECK_FALSE(g->options);
    CHECK(*g->order.tags == std::vector<std::string>{"a", "b", "c"});
    CHECK(g->order.transactions->at(0).kind == shopify::graphql_transaction_kind::VOID);
    CHECK(
        json::encode(*g) ==
        R"({"order":{"currency":"EUR","lineItems":[{"variantId":"gid://shopify/ProductVariant/1",)"
        R"("quantity":2}],"tags":["a","b","c"],"transactions":[{"kind":"VOID","amountSet":)"
        R"({"shopMoney":{"amount":"1","currencyCode":"EUR"}}}]}})");
  }
}

TEST_CASE("gid strings convert to and from exact ids", "[shopify][model]") {
  CHECK(shopify::gid("Order", 820982911946154508) == "gid://shopify/Order/820982911946154508");
  CHECK(shopify::gid_id("gid://shopify/Order/820982911946154508", "Order").value() ==
        820982911946154508);
  for (const char* bad : {"gid://shopify/Customer/1", "gid://shopify/Order/",
                          "gid://shopify/Order/-1", "gid://shopify/Order/1?x=y",
                          "gid://shopify/Order/99999999999999999999", "820982911946154508"}) {
    INFO(bad);
    const auto r = shopify::gid_id(bad, "Order");
    REQUIRE_FALSE(r);
    CHECK(r.error().message.rfind(R"(expected a Shopify id like "gid://shopify/Order/)", 0) == 0);
  }
}

namespace {
std::map<std::string, std::string> delivery_headers() {
  return {{"x-shopify-topic", "orders/create"},
          {"x-shopify-hmac-sha256", "XWmrwMey6OsLMeiZKwP4FppHH3cmAiiJJAweH5Jo4bM="},
          {"x-shopify-shop-domain", "Acme-Store.myshopify.com"},
          {"x-shopify-api-version", "2026-01"},
          {"x-shopify-webhook-id", "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"},
          {"x-shopify-event-id", "98880550-7158-44d4-b7cd-2c97c8a091b5"},
          {"x-shopify-triggered-at", "2026-01-15T15:04:28.877041743Z"}};
}
// Case-insensitive, as HTTP header lookups are.
auto lookup(const std::map<std::string, std::string>& h) {
  return [&h](std::string_view name) -> std::string_view {
    std::string lower(name);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const auto it = h.find(lower);
    return it == h.end() ? std::string_view{} : std::string_view(it->second);
  };
}
}  // namespace

TEST_CASE("webhook metadata comes from the X-Shopify-* headers", "[shopify][model][webhook]") {
  auto headers = delivery_headers();
  const auto m = shopify::webhook_metadata::from_headers(lookup(headers));
  REQUIRE(m);
  CHECK(m->topic == "orders/create");
  CHECK(m->shop_domain == "acme-store.myshopify.com");  // lower case: it names the tenant
  CHECK(m->api_version == "2026-01");
  CHECK(m->webhook_id == "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043");
  CHECK(m->event_id == "98880550-7158-44d4-b7cd-2c97c8a091b5");
  CHECK(m->triggered_at.text() == "2026-01-15T15:04:28.877041743Z");
  CHECK_FALSE(m->name);
  CHECK_FALSE(m->sub_topic);

  headers["x-shopify-name"] = "order-sync";
  headers["x-shopify-sub-topic"] = "custom";
  const auto with_optional = shopify::webhook_metadata::from_headers(lookup(headers));
  REQUIRE(with_optional);
  CHECK(with_optional->name == "order-sync");
  CHECK(with_optional->sub_topic == "custom");

  // for_each_header gives back what a sender puts on the wire; reading it again is lossless.
  std::map<std::string, std::string> sent;
  with_optional->for_each_header([&](std::string_view name, std::string_view value) {
    std::string lower(name);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    sent.emplace(lower, value);
  });
  CHECK(sent.size() == 8);
  CHECK(sent.count("x-shopify-hmac-sha256") == 0);
  CHECK(shopify::webhook_metadata::from_headers(lookup(sent)).value() == *with_optional);
  // and it travels as JSON (run log, data stream)
  CHECK(json::decode<shopify::webhook_metadata>(json::encode(*with_optional)).value() ==
        *with_optional);
}

TEST_CASE("missing or malformed webhook headers are named", "[shopify][model][webhook]") {
  auto headers = delivery_headers();
  headers.erase("x-shopify-topic");
  headers.erase("x-shopify-webhook-id");
  auto r = shopify::webhook_metadata::from_headers(lookup(headers));
  REQUIRE_FALSE(r);
  CHECK(r.error().category == errc::invalid_input);
  CHECK(r.error().message == "webhook delivery is missing X-Shopify-Topic, X-Shopify-Webhook-Id");

  headers = delivery_headers();
  headers["x-shopify-shop-domain"] = "evil.example.com/admin";
  r = shopify::webhook_metadata::from_headers(lookup(headers));
  CHECK(r.error().message ==
        R"(X-Shopify-Shop-Domain: expected {shop}.myshopify.com, got "evil.example.com/admin")");
  for (const char* bad : {".myshopify.com", "-a.myshopify.com", "a_b.myshopify.com",
                          "a.b.myshopify.com", "a.myshopify.com.evil"}) {
    headers["x-shopify-shop-domain"] = bad;
    CHECK_FALSE(shopify::webhook_metadata::from_headers(lookup(headers)));
  }

  headers = delivery_headers();
  headers["x-shopify-api-version"] = "2026-13";
  CHECK(shopify::webhook_metadata::from_headers(lookup(headers)).error().message ==
        R"(X-Shopify-API-Version: expected YYYY-MM or unstable, got "2026-13")");
  headers["x-shopify-api-version"] = "unstable";
  CHECK(shopify::webhook_metadata::from_headers(lookup(headers)));

  headers = delivery_headers();
  headers["x-shopify-triggered-at"] = "yesterday";
  CHECK(shopify::webhook_metadata::from_headers(lookup(headers)).error().message ==
        R"(X-Shopify-Triggered-At: expected an RFC 3339 timestamp like )"
        R"("2024-01-15T10:00:00-05:00", got "yesterday")");
}

TEST_CASE("an order with a status Shopify added later still decodes, the status as unknown",
          "[shopify][model]") {
  std::string body = read_fixture("shopify/order_guest.json");
  const auto at = body.find("\"voided\"");
  REQUIRE(at != std::string::npos);
  body.replace(at, 8, "\"partially_voided_in_2031\"");
  const auto o = json::decode<shopify::order>(body);
  REQUIRE(o);
  CHECK(o->financial_status == shopify::financial_status::unknown);
  CHECK(o->id != 0);
  // A number where the status string belongs is still a type error, not an unknown status.
  body.replace(body.find("\"partially_voided_in_2031\""), 26, "7");
  const auto bad = json::decode<shopify::order>(body);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message.find("financial_status") != std::string::npos);
}

TEST_CASE("an unknown financial status read from Shopify is refused as input to orderCreate",
          "[shopify][model]") {
  auto in = sample_input();
  in.financial_status = shopify::financial_status::unknown;
  const auto g = shopify::to_graphql(in);
  REQUIRE_FALSE(g);
  CHECK(g.error().category == errc::invalid_input);
  CHECK(g.error().message.find("financial_status is `unknown`") != std::string::npos);
}

}  // namespace unity_json_shopify_model_test
