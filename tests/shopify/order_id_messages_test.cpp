// Errors about an order id quote the id exactly as Shopify sent it. A REST answer is decoded
// from its text, so a number that does not fit is quoted as written (through a
// boost::json::value only the double is left: 820982911946154508.5 read back as
// 820982911946154496 "out of range", 1e3 as 1000); GraphQL's string ids are quoted whole and
// escaped, not cut at 24 bytes.
#include <syncline/http/server.hpp>

#include <boost/asio/awaitable.hpp>

#include <string>
#include <utility>

#include "shopify/shopify_fixture.hpp"

namespace unity_shopify_order_id_messages_test {

namespace {

using namespace shop_test;
namespace http = syncline::http;

// Everything an order must have after its id, as Shopify's REST answer has it.
constexpr std::string_view rest_of_order =
    R"(, "admin_graphql_api_id": "gid://shopify/Order/1234",)"
    R"( "created_at": "2026-01-05T10:00:00-05:00", "currency": "USD", "name": "#1001",)"
    R"( "note_attributes": [], "order_number": 1001, "subtotal_price": "5.00", "tags": "",)"
    R"( "total_price": "5.00", "total_tax": "0.00",)"
    R"( "updated_at": "2026-01-05T10:00:00-05:00", "line_items": []}})";

}  // namespace

TEST_CASE("a fractional order id in a REST answer is quoted exactly as sent") {
  fixture f;
  http::server shopify_rest(f.threads.executor());
  std::string id_as_sent;  // set before each call; read by the handler during it
  shopify_rest.route(http::verb::get, "/admin/api/{version}/orders/{file}",
                     [&](http::incoming&) -> boost::asio::awaitable<http::response> {
                       co_return http::make_response(
                           200, R"({"order": {"id": )" + id_as_sent + std::string(rest_of_order));
                     });
  REQUIRE(shopify_rest.listen());
  auto creds = f.acme;
  creds.base_url = shopify_rest.url();
  creds.api = shopify::api_kind::rest;
  auto ctx = f.context(creds);

  for (const std::string sent :
       {"1234.5", "1234.50", "1.2345e3", "1e3", "820982911946154508.5", "-0.0"}) {
    CAPTURE(sent);
    id_as_sent = sent;
    auto r = f.run([&]() -> boost::asio::awaitable<syncline::result<shopify::order>> {
      co_return co_await shopify::get_order{}(1234, ctx);
    });
    REQUIRE_FALSE(r);
    CHECK(r.error().category == syncline::errc::decode);
    CHECK(r.error().message ==
          "GET orders/{id}.json: /order/id: expected integer, got number " + sent);
  }

  // A whole id still reads, and one past 64 bits is quoted whole, as out of range.
  id_as_sent = "1234";
  auto ok = f.run([&]() -> boost::asio::awaitable<syncline::result<shopify::order>> {
    co_return co_await shopify::get_order{}(1234, ctx);
  });
  REQUIRE(ok);
  CHECK(ok->id == 1234);
  id_as_sent = "18446744073709551616";
  auto big = f.run([&]() -> boost::asio::awaitable<syncline::result<shopify::order>> {
    co_return co_await shopify::get_order{}(1234, ctx);
  });
  REQUIRE_FALSE(big);
  CHECK(big.error().message ==
        "GET orders/{id}.json: /order/id: expected integer in [-9223372036854775808, "
        "9223372036854775807], got number 18446744073709551616");
}

TEST_CASE("a legacyResourceId that is not a 64-bit id is quoted whole and escaped") {
  CHECK(shopify::detail::legacy_id("1234.5", "order").error().message ==
        R"(order.legacyResourceId: expected a 64-bit id, got string "1234.5")");
  CHECK(shopify::detail::legacy_id("820982911946154508.50000001", "order").error().message ==
        R"(order.legacyResourceId: expected a 64-bit id, got string )"
        R"("820982911946154508.50000001")");
  CHECK(shopify::detail::legacy_id("12\"34\n", "order").error().message ==
        R"(order.legacyResourceId: expected a 64-bit id, got string "12\x2234\x0a")");
  CHECK(shopify::detail::legacy_id("820982911946154508", "order").value() == 820982911946154508);
}

}  // namespace unity_shopify_order_id_messages_test
