// shopify::access_scopes_of: the scopes an integration's Shopify parts declare, gathered by the
// compiler (nested arms included), and the run-time checks of what a merchant granted.
#include <syncline/blocks/also.hpp>
#include <syncline/blocks/branch.hpp>
#include <syncline/blocks/map.hpp>
#include <syncline/blocks/to.hpp>
#include <syncline/connectors/shopify/access_scopes.hpp>
#include <syncline/connectors/shopify/create_order.hpp>
#include <syncline/connectors/shopify/get_order.hpp>
#include <syncline/connectors/shopify/list_orders.hpp>
#include <syncline/connectors/shopify/update_order.hpp>
#include <syncline/connectors/shopify/webhook.hpp>
#include <syncline/core/app_event.hpp>
#include <syncline/core/integration.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "../../examples/shopify_sync/seed_integration.hpp"

namespace shopify = syncline::shopify;
using namespace std::string_view_literals;

namespace {

// A Shopify block of the application's own, needing a scope no action of syncline declares.
struct product_of_order {
  using app_type = shopify::app;
  static constexpr std::string_view name = "product_of_order";
  static constexpr std::string_view access_scope = "read_products";
  std::int64_t operator()(std::int64_t order_id) const { return order_id; }
};

// Every Shopify part sits in an arm: a branch's two arms and an also.
constexpr auto lookups = syncline::workflow<"lookups">(
    shopify::webhook<"orders/paid">{} |
    syncline::map<"to_id">([](const shopify::order& o) { return o.id; }) |
    syncline::branch<"big">(
        [](const std::int64_t& id) { return id > 1000; },
        shopify::get_order{} | syncline::to<"keep">([](const shopify::order&) {}),
        product_of_order{} | syncline::to<"note">([](const std::int64_t&) {})));

constexpr auto mirror = syncline::workflow<"mirror">(
    syncline::app_event<"order.mirrored", shopify::order_input>{} |
    syncline::also<"copy">(shopify::create_order{} |
                           syncline::to<"drop">([](const shopify::order&) {})) |
    syncline::to<"done">([](const shopify::order_input&) {}));

constexpr auto nested = syncline::integration<"nested", shopify::app>(lookups, mirror);

constexpr auto privacy_only = syncline::integration<"privacy_only", shopify::app>(
    syncline::workflow<"uninstalls">(shopify::webhook<"app/uninstalled">{} |
                                     syncline::to<"forget">([](const shopify::shop&) {})),
    syncline::workflow<"redacts">(shopify::webhook<"customers/redact">{} |
                                  syncline::to<"erase">([](const shopify::customers_redact&) {})));

// The same parts, and scopes the application's own calls need.
constexpr auto nested_plus = syncline::integration<"nested_plus", shopify::app>(lookups, mirror);

template <std::size_t N>
std::vector<std::string> strings(const std::array<std::string_view, N>& a) {
  return {a.begin(), a.end()};
}

}  // namespace

template <>
struct syncline::shopify::extra_access_scopes<"nested_plus"> {
  static constexpr std::array value{std::string_view{"read_customers"},
                                    std::string_view{"read_products"},
                                    std::string_view{"read_orders"}};
};

// The seed creates orders (write_orders) and hears orders/create and orders/updated
// (read_orders, implied by write_orders).
constexpr auto seed_scopes = shopify::access_scopes_of<decltype(seed::shopify_sync)>();
static_assert(seed_scopes.size() == 1 && seed_scopes[0] == "write_orders");

constexpr auto nested_scopes = shopify::access_scopes_of<decltype(nested)>();
static_assert(nested_scopes == std::array{"read_products"sv, "write_orders"sv});

TEST_CASE("access_scopes_of: the seed integration needs write_orders alone") {
  CHECK(strings(seed_scopes) == std::vector<std::string>{"write_orders"});
  CHECK(shopify::join_scopes(seed_scopes) == "write_orders");
}

TEST_CASE("access_scopes_of: parts nested in branch and also count, sorted, write implying read") {
  CHECK(strings(nested_scopes) == std::vector<std::string>{"read_products", "write_orders"});
  // One workflow alone: orders/paid and get_order both read orders (once), the own block reads
  // products.
  constexpr auto one = shopify::access_scopes_of<decltype(lookups)>();
  CHECK(strings(one) == std::vector<std::string>{"read_orders", "read_products"});
  constexpr auto other = shopify::access_scopes_of<decltype(mirror)>();
  CHECK(strings(other) == std::vector<std::string>{"write_orders"});
}

TEST_CASE("access_scopes_of: an integration's extra scopes join those its parts declare") {
  constexpr auto with_extra = shopify::access_scopes_of<decltype(nested_plus)>();
  CHECK(strings(with_extra) ==
        std::vector<std::string>{"read_customers", "read_products", "write_orders"});
  CHECK(shopify::join_scopes(with_extra) == "read_customers,read_products,write_orders");
  // They are the integration's, by its name: its workflows asked alone do not have them.
  CHECK(strings(shopify::access_scopes_of<decltype(lookups)>()) ==
        std::vector<std::string>{"read_orders", "read_products"});
}

TEST_CASE("access_scopes_of: app/uninstalled and the privacy topics need no scope") {
  constexpr auto none = shopify::access_scopes_of<decltype(privacy_only)>();
  STATIC_REQUIRE(none.empty());
  CHECK(shopify::join_scopes(none).empty());
}

TEST_CASE("each action and webhook topic declares its scope in one place") {
  STATIC_REQUIRE(shopify::create_order::access_scope == "write_orders");
  STATIC_REQUIRE(shopify::update_order::access_scope == "write_orders");
  STATIC_REQUIRE(shopify::get_order::access_scope == "read_orders");
  STATIC_REQUIRE(shopify::list_orders::access_scope == "read_orders");
  STATIC_REQUIRE(shopify::webhook<"orders/updated">::access_scope == "read_orders");
  STATIC_REQUIRE(shopify::webhook<"shop/redact">::access_scope.empty());
  CHECK(shopify::topic_access_scope("products/update") == "read_products");
  CHECK(shopify::topic_access_scope("customers/create") == "read_customers");
  CHECK(shopify::topic_access_scope("customers/data_request").empty());
  CHECK(shopify::topic_access_scope("app/scopes_update").empty());
  CHECK(shopify::topic_access_scope("unknown/topic").empty());
}

TEST_CASE("is_access_scope: Shopify's three forms and nothing else") {
  for (std::string_view good : {"read_orders", "write_orders", "read_all_orders",
                                "unauthenticated_read_product_listings"}) {
    CAPTURE(good);
    CHECK(shopify::is_access_scope(good));
  }
  for (std::string_view bad :
       {"", "read_", "wrte_orders", "read_Orders", "read_orders ", "read_orders,write_orders",
        "read_1orders", "read__orders", "orders", "unauthenticated_"}) {
    CAPTURE(bad);
    CHECK_FALSE(shopify::is_access_scope(bad));
  }
}

TEST_CASE("missing_scopes: what the merchant's grant lacks, write covering read") {
  const std::array needed{"read_customers"sv, "read_orders"sv, "write_products"sv};
  CHECK(shopify::missing_scopes("read_customers,write_orders,write_products", needed).empty());
  CHECK(shopify::missing_scopes("read_customers, read_orders ,write_products", needed).empty());
  CHECK(shopify::missing_scopes("read_customers,read_orders,read_products", needed) ==
        std::vector<std::string>{"write_products"});
  CHECK(shopify::missing_scopes("", needed) ==
        std::vector<std::string>{"read_customers", "read_orders", "write_products"});
  // read_x never covers write_x, and a scope of another resource covers nothing.
  const std::array write{"write_orders"sv};
  CHECK(shopify::missing_scopes("read_orders,write_draft_orders", write) ==
        std::vector<std::string>{"write_orders"});
  CHECK(shopify::missing_scopes("unauthenticated_write_checkouts",
                                std::array{"unauthenticated_read_checkouts"sv})
            .empty());
  CHECK(shopify::missing_scopes("anything", std::array<std::string_view, 0>{}).empty());
}
