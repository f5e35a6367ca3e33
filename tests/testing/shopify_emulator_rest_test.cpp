// The emulator's REST Admin API, called directly (no sockets): shapes, status codes, auth,
// versions, pagination, filters, rate limits, tenants, webhooks and request faults.
#include <syncline/testing/shopify_api_versions.hpp>
#include <syncline_emulator/webhook_request.hpp>

#include <regex>
#include <set>

#include "testing/emulator_fixture.hpp"

namespace unity_testing_shopify_emulator_rest_test {

using namespace emu_test;

namespace {

std::uint64_t create(t::shopify_emulator_state& emu, std::string_view token = acme_token,
                     std::string_view source_identifier = "") {
  auto a = emu.handle(request(http::verb::post, "/admin/api/2026-01/orders.json", token,
                              simple_order(source_identifier)));
  REQUIRE(a.response.result_int() == 201);
  return body(a.response).at("order").at("id").to_number<std::uint64_t>();
}

std::string link_url(const http::response& r, std::string_view rel) {
  auto it = r.find("Link");
  if (it == r.end()) return {};
  std::string links(it->value());
  std::regex re("<([^>]*)>; rel=\"" + std::string(rel) + "\"");
  std::smatch m;
  return std::regex_search(links, m, re) ? m[1].str() : std::string{};
}

std::string target_of(const std::string& url) { return url.substr(url.find("/admin/")); }

}  // namespace

TEST_CASE("REST orderCreate answers 201 with Shopify's order shape, big ids and decimal strings") {
  t::shopify_emulator_state emu(two_shops());
  auto a = emu.handle(request(http::verb::post, "/admin/api/2026-01/orders.json", acme_token,
                              simple_order("ext-1", "b, a ,b")));
  REQUIRE(a.response.result_int() == 201);
  CHECK_FALSE(a.drop_connection);
  CHECK(a.response["X-Shopify-API-Version"] == "2026-01");
  CHECK(a.response["X-Shopify-Shop-Api-Call-Limit"] == "1/40");
  CHECK(a.response[http::field::content_type] == "application/json; charset=utf-8");
  auto o = body(a.response).at("order").as_object();
  const std::uint64_t id = o.at("id").to_number<std::uint64_t>();
  CHECK(id > (std::uint64_t{1} << 53));
  CHECK(id == 820982911946154509ull);
  // The raw bytes carry every digit: a client that parses ids as doubles reads another number.
  CHECK(a.response.body().find("\"id\":820982911946154509") != std::string::npos);
  CHECK(static_cast<std::uint64_t>(static_cast<double>(id)) != id);
  CHECK(o.at("admin_graphql_api_id") == "gid://shopify/Order/820982911946154509");
  CHECK(o.at("name") == "#1001");
  CHECK(o.at("order_number") == 1001);
  CHECK(o.at("number") == 1);
  CHECK(o.at("total_price") == "21.00");
  CHECK(o.at("subtotal_price") == "21.00");
  CHECK(o.at("total_tax") == "0.00");
  CHECK(o.at("total_price_set").at("shop_money").at("amount") == "21.00");
  CHECK(o.at("currency") == "USD");
  CHECK(o.at("financial_status") == "paid");
  CHECK(o.at("fulfillment_status").is_null());
  CHECK(o.at("tags") == "b, a");
  CHECK(o.at("source_identifier") == "ext-1");
  CHECK(o.at("source_name") == "1354745");  // the app's id when the app sets none
  CHECK(o.at("created_at") == "2026-01-15T10:30:00-05:00");
  CHECK(o.at("email") == "buyer@example.com");
  auto li = o.at("line_items").at(0).as_object();
  CHECK(li.at("price") == "10.50");
  CHECK(li.at("quantity") == 2);
  CHECK(li.at("id").is_number());
  CHECK(li.at("admin_graphql_api_id").as_string().starts_with("gid://shopify/LineItem/"));
  CHECK(o.at("customer").at("email") == "buyer@example.com");
  CHECK(a.response["Location"] ==
        "http://127.0.0.1:8080/admin/api/2026-01/orders/820982911946154509.json");

  auto second = emu.handle(
      request(http::verb::post, "/admin/api/2026-01/orders.json", acme_token, simple_order()));
  auto o2 = body(second.response).at("order").as_object();
  CHECK(o2.at("name") == "#1002");
  CHECK(o2.at("id").to_number<std::uint64_t>() == id + 1);
  // Adjacent ids collapse to one double: exactly the failure this id range is meant to expose.
  CHECK(static_cast<double>(o2.at("id").to_number<std::uint64_t>()) == static_cast<double>(id));
  CHECK(o2.at("customer").at("id") == o.at("customer").at("id"));  // same email, same customer

  auto got = emu.handle(
      request(http::verb::get, "/admin/api/2026-01/orders/" + std::to_string(id) + ".json"));
  REQUIRE(got.response.result_int() == 200);
  CHECK(body(got.response).at("order") == o);
}

TEST_CASE("REST validation failures are 422 {errors: {field: [messages]}} and change nothing") {
  t::shopify_emulator_state emu(two_shops());
  auto post = [&](json::object order) {
    return emu.handle(request(http::verb::post, "/admin/api/2026-01/orders.json", acme_token,
                              json::serialize(json::object{{"order", std::move(order)}})));
  };
  auto no_items = post({{"email", "x@example.com"}});
  REQUIRE(no_items.response.result_int() == 422);
  CHECK(body(no_items.response)
            .at("errors")
            .at("line_items")
            .at(0)
            .as_string()
            .starts_with("can't be blank"));

  auto bad = post({{"email", "not-an-email"},
                   {"line_items",
                    json::array{json::object{{"title", "Mug"}, {"price", "1.999"}, {"quantity", 1}},
                                json::object{{"title", "Cup"}, {"price", "2"}, {"quantity", 0}},
                                json::object{{"variant_id", 999}, {"quantity", 1}}}},
                   {"financial_status", "maybe"}});
  REQUIRE(bad.response.result_int() == 422);
  auto errors = body(bad.response).at("errors").as_object();
  CHECK(errors.at("email").at(0) == "is invalid");
  CHECK(errors.at("financial_status").at(0) == "is not included in the list");
  REQUIRE(errors.at("line_items").as_array().size() == 3);
  CHECK(errors.at("line_items").at(0).as_string().starts_with("line item 1: price is invalid"));
  CHECK(errors.at("line_items").at(1).as_string().starts_with("line item 2: quantity must be"));
  CHECK(errors.at("line_items")
            .at(2)
            .as_string()
            .starts_with("line item 3: variant_id does not exist"));

  auto no_root = emu.handle(
      request(http::verb::post, "/admin/api/2026-01/orders.json", acme_token, "{\"email\":1}"));
  CHECK(no_root.response.result_int() == 400);
  CHECK(body(no_root.response).at("errors").at("order") == "Required parameter missing or invalid");
  auto garbage = emu.handle(
      request(http::verb::post, "/admin/api/2026-01/orders.json", acme_token, "{\"order\":"));
  CHECK(garbage.response.result_int() == 400);

  CHECK(emu.orders("acme").empty());
  auto ok = emu.handle(
      request(http::verb::post, "/admin/api/2026-01/orders.json", acme_token, simple_order()));
  CHECK(body(ok.response).at("order").at("name") == "#1001");  // failed creates spent no number
}

TEST_CASE(
    "line items may name a catalogue variant, amounts accept numbers, totals add tax and "
    "shipping") {
  auto o = two_shops();
  o.shops[0].variants = {{.id = 39072856,
                          .product_id = 632910392,
                          .title = "IPod Nano",
                          .price = "199.00",
                          .sku = "IPOD2008",
                          .vendor = "Apple"}};
  t::shopify_emulator_state emu(std::move(o));
  auto a = emu.handle(request(
      http::verb::post, "/admin/api/2026-01/orders.json", acme_token,
      json::serialize(json::object{
          {"order",
           {{"line_items",
             json::array{json::object{{"variant_id", 39072856}, {"quantity", 1}},
                         json::object{{"title", "Gift wrap"}, {"price", 2.5}, {"quantity", 1}}}},
            {"tax_lines",
             json::array{json::object{{"title", "VAT"}, {"price", "20.15"}, {"rate", 0.1}}}},
            {"shipping_lines", json::array{json::object{{"title", "Standard"}, {"price", "5"}}}},
            {"note_attributes", json::array{json::object{{"name", "ref"}, {"value", 12}}}},
            {"financial_status", "pending"}}}})));
  REQUIRE(a.response.result_int() == 201);
  auto order = body(a.response).at("order").as_object();
  CHECK(order.at("line_items").at(0).at("title") == "IPod Nano");
  CHECK(order.at("line_items").at(0).at("sku") == "IPOD2008");
  CHECK(order.at("line_items").at(0).at("product_id") == 632910392);
  CHECK(order.at("line_items").at(1).at("price") == "2.50");
  CHECK(order.at("subtotal_price") == "201.50");
  CHECK(order.at("total_tax") == "20.15");
  CHECK(order.at("total_price") == "226.65");
  CHECK(order.at("total_outstanding") == "226.65");
  CHECK(order.at("note_attributes").at(0).at("value") == "12");
  CHECK(order.at("email") == "");
  CHECK(order.at("customer").is_null());
}

TEST_CASE("authentication: 401 without a valid token, and a token only opens its own shop") {
  t::shopify_emulator_state emu(two_shops());
  const std::string path = "/admin/api/2026-01/orders.json";
  for (std::string_view token : {std::string_view{}, std::string_view{"shpat_wrong"}}) {
    auto a = emu.handle(request(http::verb::get, path, token));
    CHECK(a.response.result_int() == 401);
    CHECK(body(a.response).at("errors") ==
          "[API] Invalid API key or access token (unrecognized login or wrong password)");
  }
  // Host names the shop, as https://acme.myshopify.com/... does; bravo's token does not open it.
  auto cross = emu.handle(request(http::verb::get, path, bravo_token, {}, "acme.myshopify.com"));
  CHECK(cross.response.result_int() == 401);
  auto own = emu.handle(request(http::verb::get, path, acme_token, {}, "acme.myshopify.com:443"));
  CHECK(own.response.result_int() == 200);
}

TEST_CASE("tenants: each shop has its own data, numbering and buckets") {
  t::shopify_emulator_state emu(two_shops());
  const auto a1 = create(emu, acme_token);
  const auto b1 = create(emu, bravo_token);
  CHECK(b1 == a1 + 1);  // ids are global, as on Shopify
  CHECK(emu.order("bravo", b1)->at("name") == "#1001");
  auto list = emu.handle(request(http::verb::get, "/admin/api/2026-01/orders.json", bravo_token));
  CHECK(body(list.response).at("orders").as_array().size() == 1);
  CHECK(list.response["X-Shopify-Shop-Api-Call-Limit"] == "2/40");
  auto other = emu.handle(request(
      http::verb::get, "/admin/api/2026-01/orders/" + std::to_string(a1) + ".json", bravo_token));
  CHECK(other.response.result_int() == 404);
  CHECK(body(other.response).at("errors") == "Not Found");

  auto dup = emu.add_shop(shop("charlie", acme_token, "s"));
  REQUIRE_FALSE(dup);
  CHECK(dup.error().category == syncline::errc::conflict);
  CHECK(dup.error().message.find(std::string(acme_token)) ==
        std::string::npos);  // no secret in messages
  CHECK_FALSE(emu.add_shop(shop("acme.myshopify.com", "t2", "s")));
  CHECK(*emu.add_shop(shop("Charlie", "t3", "s")) == "charlie.myshopify.com");
}

TEST_CASE(
    "versions: a supported one is served, an unsupported one falls forward, a malformed one is "
    "404") {
  t::shopify_api_versions v;
  CHECK(v.stable() == std::vector<std::string>{"2025-04", "2025-07", "2025-10", "2026-01"});
  CHECK(v.resolve("2025-07")->served == "2025-07");
  CHECK(v.resolve("2024-01")->served == "2025-04");
  CHECK(v.resolve("2024-01")->fell_forward);
  CHECK(v.resolve("2030-01")->served == "2025-04");
  CHECK(v.resolve("unstable")->served == "unstable");
  CHECK_FALSE(v.resolve("2025-1"));
  CHECK_FALSE(v.resolve("latest"));
  CHECK(t::shopify_api_versions("2025-10", 2).stable() ==
        std::vector<std::string>{"2025-07", "2025-10"});

  t::shopify_emulator_state emu(two_shops());
  auto old = emu.handle(request(http::verb::get, "/admin/api/2023-04/orders.json"));
  CHECK(old.response.result_int() == 200);
  CHECK(old.response["X-Shopify-API-Version"] == "2025-04");
  auto bad = emu.handle(request(http::verb::get, "/admin/api/v1/orders.json"));
  CHECK(bad.response.result_int() == 404);
  CHECK(bad.response.find("X-Shopify-API-Version") == bad.response.end());
  CHECK(emu.handle(request(http::verb::get, "/admin/orders.json")).response.result_int() == 404);
  CHECK(emu.handle(request(http::verb::get, "/admin/api/2026-01/products.json"))
            .response.result_int() == 404);
  CHECK(emu.handle(request(http::verb::delete_, "/admin/api/2026-01/orders.json"))
            .response.result_int() == 404);
}

TEST_CASE("GET orders.json: open by default, status, since_id, dates, ids, fields, limit") {
  auto clock = start_clock();
  t::shopify_emulator_state emu(two_shops(clock));
  const auto first = create(emu);
  clock.advance(1h);
  const auto second = create(emu);
  clock.advance(1h);
  const auto third = create(emu);
  auto cancel = emu.handle(request(
      http::verb::post, "/admin/api/2026-01/orders/" + std::to_string(second) + "/cancel.json",
      acme_token, "{\"reason\":\"customer\"}"));
  REQUIRE(cancel.response.result_int() == 200);
  CHECK(body(cancel.response).at("order").at("cancel_reason") == "customer");
  CHECK(emu.handle(request(http::verb::post,
                           "/admin/api/2026-01/orders/" + std::to_string(second) + "/cancel.json"))
            .response.result_int() == 422);

  auto ids = [&](std::string query) {
    auto a = emu.handle(request(http::verb::get, "/admin/api/2026-01/orders.json" + query));
    REQUIRE(a.response.result_int() == 200);
    std::vector<std::uint64_t> out;
    const auto b = body(a.response);  // a range-for would not keep a temporary body alive
    for (auto& o : b.at("orders").as_array()) out.push_back(o.at("id").to_number<std::uint64_t>());
    return out;
  };
  CHECK(ids("") == std::vector<std::uint64_t>{third, first});  // newest first, cancelled left out
  CHECK(ids("?status=any") == std::vector<std::uint64_t>{third, second, first});
  CHECK(ids("?status=cancelled") == std::vector<std::uint64_t>{second});
  CHECK(ids("?status=any&since_id=" + std::to_string(first)) ==
        std::vector<std::uint64_t>{second, third});
  CHECK(ids("?status=any&created_at_min=2026-01-15T11:30:00-05:00") ==
        std::vector<std::uint64_t>{third, second});
  CHECK(ids("?status=any&created_at_max=2026-01-15T16:30:00Z") ==
        std::vector<std::uint64_t>{second, first});
  // "+" unescaped in a query string arrives as a space; it still reads as an offset.
  CHECK(ids("?status=any&updated_at_min=2026-01-15T17:30:00+01:00") ==
        std::vector<std::uint64_t>{third, second});
  CHECK(ids("?status=any&ids=" + std::to_string(first) + "," + std::to_string(third)) ==
        std::vector<std::uint64_t>{third, first});
  CHECK(ids("?status=any&order=id%20asc") == std::vector<std::uint64_t>{first, second, third});
  // source_identifier is no REST filter: Shopify ignores parameters it does not know, and so
  // does the emulator (finding a lost create takes GraphQL's query:).
  CHECK(ids("?status=any&source_identifier=nope").size() == 3);

  auto fields =
      emu.handle(request(http::verb::get, "/admin/api/2026-01/orders.json?fields=id,name"));
  CHECK(body(fields.response).at("orders").at(0).as_object().size() == 2);
  for (std::string q :
       {"?limit=0", "?limit=251", "?limit=x", "?status=weird", "?created_at_min=yesterday"})
    CHECK(emu.handle(request(http::verb::get, "/admin/api/2026-01/orders.json" + q))
              .response.result_int() == 400);
  auto count =
      emu.handle(request(http::verb::get, "/admin/api/2026-01/orders/count.json?status=any"));
  CHECK(body(count.response).at("count") == 3);
}

TEST_CASE("REST cursor pagination follows Link headers with page_info, forwards and back") {
  t::shopify_emulator_state emu(two_shops());
  std::set<std::uint64_t> created;
  for (int i = 0; i < 7; ++i) created.insert(create(emu));
  auto get = [&](const std::string& target) {
    auto a = emu.handle(request(http::verb::get, target));
    REQUIRE(a.response.result_int() == 200);
    return a;
  };
  auto page1 = get("/admin/api/2026-01/orders.json?limit=3&fields=id");
  CHECK(link_url(page1.response, "previous").empty());
  const std::string next1 = link_url(page1.response, "next");
  REQUIRE(next1.starts_with(
      "http://127.0.0.1:8080/admin/api/2026-01/orders.json?limit=3&fields=id&page_info="));
  auto page2 = get(target_of(next1));
  const std::string next2 = link_url(page2.response, "next");
  REQUIRE_FALSE(next2.empty());
  REQUIRE_FALSE(link_url(page2.response, "previous").empty());
  auto page3 = get(target_of(next2));
  CHECK(link_url(page3.response, "next").empty());
  std::set<std::uint64_t> seen;
  std::vector<std::uint64_t> order;
  for (auto* p : {&page1, &page2, &page3}) {
    const auto b = body(p->response);
    for (auto& o : b.at("orders").as_array()) {
      seen.insert(o.at("id").to_number<std::uint64_t>());
      order.push_back(o.at("id").to_number<std::uint64_t>());
    }
  }
  CHECK(seen == created);
  CHECK(order.size() == 7);
  CHECK(std::is_sorted(order.rbegin(), order.rend()));
  auto back = get(target_of(link_url(page3.response, "previous")));
  CHECK(body(back.response) == body(page2.response));

  // With page_info, only limit and fields may be sent; a tampered cursor is refused.
  CHECK(emu.handle(request(http::verb::get, target_of(next1) + "&status=any"))
            .response.result_int() == 400);
  auto tampered =
      emu.handle(request(http::verb::get, "/admin/api/2026-01/orders.json?page_info=bm90LWpzb24"));
  CHECK(tampered.response.result_int() == 400);
  // One page holds everything: no Link header at all.
  auto all = get("/admin/api/2026-01/orders.json?limit=250");
  CHECK(all.response.find("Link") == all.response.end());
}

TEST_CASE("PUT orders/{id}.json updates tags and note attributes and fires orders/updated") {
  auto clock = start_clock();
  t::shopify_emulator_state emu(two_shops(clock));
  REQUIRE(emu.subscribe("acme", "orders/updated", "http://127.0.0.1:9/hooks"));
  const auto id = create(emu);
  clock.advance(90s);
  auto a = emu.handle(request(
      http::verb::put, "/admin/api/2026-01/orders/" + std::to_string(id) + ".json", acme_token,
      R"({"order":{"id":1,"tags":"synced, vip","note_attributes":[{"name":"erp_id","value":"E-7"}],"total_price":"0.01"}})"));
  REQUIRE(a.response.result_int() == 200);
  auto o = body(a.response).at("order");
  CHECK(o.at("tags") == "synced, vip");
  CHECK(o.at("note_attributes").at(0).at("value") == "E-7");
  CHECK(o.at("total_price") == "21.00");  // read-only fields are ignored
  CHECK(o.at("updated_at") == "2026-01-15T10:31:30-05:00");
  CHECK(o.at("created_at") == "2026-01-15T10:30:00-05:00");
  auto queued = emu.deliveries().take_due(clock.now());
  REQUIRE(queued.size() == 1);
  CHECK(queued[0].topic == "orders/updated");
  CHECK(json::parse(queued[0].body).at("tags") == "synced, vip");
  CHECK(emu.handle(request(http::verb::put, "/admin/api/2026-01/orders/1.json", acme_token,
                           "{\"order\":{}}"))
            .response.result_int() == 404);
  CHECK(emu.handle(request(http::verb::put,
                           "/admin/api/2026-01/orders/" + std::to_string(id) + ".json", acme_token,
                           R"({"order":{"email":"nope"}})"))
            .response.result_int() == 422);
}

TEST_CASE(
    "REST leaky bucket: 40 then 429 with Retry-After 2.0, leaking 2 per second, plans differ") {
  auto clock = start_clock();
  auto options = two_shops(clock);
  options.shops[1].plan = syncline::shopify::plan_limits::plus();
  t::shopify_emulator_state emu(std::move(options));
  const std::string path = "/admin/api/2026-01/orders.json";
  for (int i = 1; i <= 40; ++i) {
    auto a = emu.handle(request(http::verb::get, path));
    REQUIRE(a.response.result_int() == 200);
    CHECK(a.response["X-Shopify-Shop-Api-Call-Limit"] == std::to_string(i) + "/40");
  }
  auto over = emu.handle(request(http::verb::get, path));
  REQUIRE(over.response.result_int() == 429);
  CHECK(over.response[http::field::retry_after] == "2.0");
  CHECK(over.response["X-Shopify-Shop-Api-Call-Limit"] == "40/40");
  CHECK(body(over.response).at("errors") ==
        "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted "
        "service.");
  clock.advance(1s);  // two leak out
  CHECK(emu.handle(request(http::verb::get, path)).response.result_int() == 200);
  CHECK(emu.handle(request(http::verb::get, path)).response.result_int() == 200);
  CHECK(emu.handle(request(http::verb::get, path)).response.result_int() == 429);
  // The other shop (Plus: 400, 20/s) is untouched by acme's bucket.
  auto plus = emu.handle(request(http::verb::get, path, bravo_token));
  CHECK(plus.response["X-Shopify-Shop-Api-Call-Limit"] == "1/400");
}

TEST_CASE("REST webhook subscriptions: create, list, validate, delete") {
  t::shopify_emulator_state emu(two_shops());
  const std::string path = "/admin/api/2026-01/webhooks.json";
  auto made = emu.handle(request(
      http::verb::post, path, acme_token,
      R"({"webhook":{"topic":"orders/create","address":"https://example.com/hooks","format":"json"}})"));
  REQUIRE(made.response.result_int() == 201);
  auto w = body(made.response).at("webhook");
  CHECK(w.at("topic") == "orders/create");
  CHECK(w.at("api_version") == "2026-01");
  CHECK(w.at("id").is_number());
  auto dup = emu.handle(
      request(http::verb::post, path, acme_token,
              R"({"webhook":{"topic":"orders/create","address":"https://example.com/hooks"}})"));
  REQUIRE(dup.response.result_int() == 422);
  CHECK(body(dup.response).at("errors").at("address").at(0) ==
        "for this topic has already been taken");
  auto bad = emu.handle(request(http::verb::post, path, acme_token,
                                R"({"webhook":{"topic":"orders/explode","address":"ftp://x"}})"));
  REQUIRE(bad.response.result_int() == 422);
  CHECK(body(bad.response)
            .at("errors")
            .at("topic")
            .at(0)
            .as_string()
            .starts_with("Invalid topic specified: orders/explode"));
  CHECK(body(bad.response).at("errors").as_object().contains("address"));
  CHECK(emu.handle(request(http::verb::post, path, acme_token,
                           R"({"webhook":{"topic":"shop/redact","address":"https://x.test/"}})"))
            .response.result_int() == 422);
  CHECK(emu.subscribe("acme", "shop/redact", "https://x.test/"));  // the embedding API may

  auto list = emu.handle(request(http::verb::get, path + "?topic=orders/create"));
  CHECK(body(list.response).at("webhooks").as_array().size() == 1);
  const std::string one = "/admin/api/2026-01/webhooks/" +
                          std::to_string(w.at("id").to_number<std::uint64_t>()) + ".json";
  CHECK(emu.handle(request(http::verb::get, one)).response.result_int() == 200);
  CHECK(emu.handle(request(http::verb::delete_, one)).response.result_int() == 200);
  CHECK(emu.handle(request(http::verb::get, one)).response.result_int() == 404);
  CHECK(emu.subscriptions("acme").size() == 1);
}

TEST_CASE("creating an order queues orders/create and orders/paid, signed and with every header") {
  auto clock = start_clock();
  t::shopify_emulator_state emu(two_shops(clock));
  REQUIRE(emu.subscribe("acme", "orders/create", "http://127.0.0.1:9/a", "erp-sync"));
  REQUIRE(emu.subscribe("acme", "orders/create", "http://127.0.0.1:9/b"));
  REQUIRE(emu.subscribe("acme", "orders/paid", "http://127.0.0.1:9/a"));
  REQUIRE(emu.subscribe("bravo", "orders/create", "http://127.0.0.1:9/other-tenant"));
  const auto id = create(emu);
  auto due = emu.deliveries().take_due(clock.now());
  REQUIRE(due.size() == 3);
  std::set<std::string> webhook_ids;
  const std::regex uuid4("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  for (const auto& d : due) {
    auto req = t::webhook_request(d);
    CHECK(req.method() == http::verb::post);
    CHECK(req["X-Shopify-Shop-Domain"] == "acme.myshopify.com");
    CHECK(req["X-Shopify-API-Version"] == "2026-01");
    CHECK(req["X-Shopify-Triggered-At"] == "2026-01-15T15:30:00.000000000Z");
    CHECK(std::regex_match(std::string(req["X-Shopify-Webhook-Id"]), uuid4));
    CHECK(std::regex_match(std::string(req["X-Shopify-Event-Id"]), uuid4));
    CHECK(req[http::field::content_type] == "application/json");
    CHECK(req[http::field::user_agent] == "Shopify-Captain-Hook");
    CHECK(req["X-Shopify-Hmac-Sha256"] == openssl_hmac(acme_secret, req.body()));
    CHECK(json::parse(req.body()).at("id").to_number<std::uint64_t>() == id);
    webhook_ids.insert(d.webhook_id);
  }
  CHECK(webhook_ids.size() == 3);
  CHECK(due[0].topic == "orders/create");
  CHECK(due[0].event_id == due[1].event_id);  // one action, one event id
  CHECK(due[2].topic == "orders/paid");
  CHECK(due[2].event_id != due[0].event_id);
  CHECK(t::webhook_request(due[0])["X-Shopify-Name"] == "erp-sync");
  CHECK(t::webhook_request(due[0]).target() == "/a");
  CHECK(t::webhook_request(due[0])[http::field::host] == "127.0.0.1:9");
}

TEST_CASE("request faults: N failures with 500/503, and a create whose answer is lost") {
  t::shopify_emulator_state emu(two_shops());
  REQUIRE(
      emu.set_request_faults("acme", {.fail_next = 2, .fail_status = 503, .fail_retry_after = 3s}));
  const std::string path = "/admin/api/2026-01/orders.json";
  for (int i = 0; i < 2; ++i) {
    auto a = emu.handle(request(http::verb::get, path));
    CHECK(a.response.result_int() == 503);
    CHECK(a.response[http::field::retry_after] == "3");
  }
  CHECK(emu.handle(request(http::verb::get, path)).response.result_int() == 200);
  CHECK(emu.handle(request(http::verb::get, path, bravo_token)).response.result_int() == 200);

  REQUIRE(emu.set_request_faults("acme", {.lose_next_create_answers = 1}));
  auto lost = emu.handle(request(http::verb::post, path, acme_token, simple_order("lost-1")));
  CHECK(lost.drop_connection);
  REQUIRE(emu.orders("acme").size() == 1);  // created all the same
  CHECK(emu.orders("acme")[0].at("source_identifier") == "lost-1");
  CHECK(emu.request_faults_of("acme")->lose_next_create_answers == 0);
  CHECK_FALSE(
      emu.handle(request(http::verb::post, path, acme_token, simple_order())).drop_connection);
  CHECK_FALSE(emu.set_request_faults("nope", {}));
}

TEST_CASE("embedding API: merchant orders, updates, any topic, uninstall") {
  auto clock = start_clock();
  t::shopify_emulator_state emu(two_shops(clock));
  REQUIRE(emu.subscribe("acme", "orders/create", "http://127.0.0.1:9/h"));
  REQUIRE(emu.subscribe("acme", "customers/redact", "http://127.0.0.1:9/gdpr"));
  REQUIRE(emu.subscribe("acme", "app/uninstalled", "http://127.0.0.1:9/bye"));
  auto bad = emu.subscribe("acme", "orders/create", "not a url");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message.find("address") != std::string::npos);
  auto o = emu.create_order("acme", json::parse(simple_order()).at("order").as_object());
  REQUIRE(o);
  CHECK(o->at("source_name") == "web");
  auto u = emu.update_order("acme", o->at("id").to_number<std::uint64_t>(), {{"tags", "x"}});
  REQUIRE(u);
  CHECK(u->at("tags") == "x");
  CHECK(emu.emit("acme", "customers/redact", {{"shop_domain", "acme.myshopify.com"}}).value() == 1);
  CHECK_FALSE(emu.emit("acme", "orders/teleported", {}));
  REQUIRE(emu.uninstall("acme"));
  auto topics = emu.deliveries().take_due(clock.now());
  REQUIRE(topics.size() == 3);
  CHECK(topics[2].topic == "app/uninstalled");
  CHECK(json::parse(topics[2].body).at("myshopify_domain") == "acme.myshopify.com");
  CHECK(emu.handle(request(http::verb::get, "/admin/api/2026-01/orders.json"))
            .response.result_int() == 401);
  CHECK(emu.subscriptions("acme").empty());
}

TEST_CASE("shop.json describes the tenant") {
  t::shopify_emulator_state emu(two_shops());
  auto a = emu.handle(request(http::verb::get, "/admin/api/2026-01/shop.json"));
  REQUIRE(a.response.result_int() == 200);
  CHECK(body(a.response).at("shop").at("myshopify_domain") == "acme.myshopify.com");
  CHECK(body(a.response).at("shop").at("timezone") == "(GMT-05:00)");
}

}  // namespace unity_testing_shopify_emulator_rest_test
