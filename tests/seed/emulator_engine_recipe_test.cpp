// Recipe (docs/testing.md, "The engine against the emulator"): an integration run by the engine
// against the local Shopify emulator, start to finish, in one test — start the emulator, install
// the integration for its shop, subscribe the engine to the shop's webhooks, do something, wait
// until everything is quiet, read the warehouse back. The docs quote this file.
#include <syncline/blocks/map.hpp>
#include <syncline/connectors/shopify/app.hpp>
#include <syncline/connectors/shopify/connector.hpp>
#include <syncline/connectors/shopify/create_order.hpp>
#include <syncline/connectors/shopify/order.hpp>
#include <syncline/connectors/shopify/order_input.hpp>
#include <syncline/connectors/shopify/webhook.hpp>
#include <syncline/connectors/warehouse/sqlite_sink.hpp>
#include <syncline/connectors/warehouse/table.hpp>
#include <syncline/connectors/warehouse/write_to.hpp>
#include <syncline/core/app_event.hpp>
#include <syncline/core/integration.hpp>
#include <syncline/core/money.hpp>
#include <syncline/core/secret.hpp>
#include <syncline/core/workflow.hpp>
#include <syncline/http/io_threads.hpp>
#include <syncline/runtime/engine.hpp>
#include <syncline/runtime/tenant.hpp>
#include <syncline/sqlite/database.hpp>
#include <syncline/testing/emulated_shop.hpp>
#include <syncline/testing/shopify_emulator.hpp>
#include <syncline_test_support/temp_dir.hpp>

#include <boost/describe/class.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace unity_seed_emulator_engine_recipe_test {

// A named namespace, not an anonymous one: the workflows' coroutine frames hold these types, and
// g++ warns (-Wsubobject-linkage) when a frame's type uses the anonymous namespace.
namespace recipe {

namespace shopify = syncline::shopify;
namespace warehouse = syncline::warehouse;
using namespace std::chrono_literals;
using namespace syncline::literals;

// --- The integration under test: orders your platform asks for are created in Shopify, and
// every order Shopify announces (orders/create) lands in a warehouse table.

struct requested_order {
  std::int64_t id = 0;
  std::string email{};
  std::string item{};
  syncline::money price{};
  std::int32_t quantity = 1;
};
BOOST_DESCRIBE_STRUCT(requested_order, (), (id, email, item, price, quantity))

struct order_row {
  std::int64_t id = 0;  // Shopify's order id
  std::optional<std::string> email{};
  syncline::money total_price{};
  std::optional<std::string> source_identifier{};
};
BOOST_DESCRIBE_STRUCT(order_row, (), (id, email, total_price, source_identifier))

using orders_table = warehouse::table<order_row, "orders", warehouse::key<"id">>;
using orders_warehouse = warehouse::sqlite_sink<orders_table>;

shopify::order_input to_shopify_order(const requested_order& o) {
  shopify::order_input in;
  in.email = o.email;
  in.currency = "USD";
  in.line_items = {{.title = o.item, .price = o.price, .quantity = o.quantity}};
  in.source_identifier = "recipe-" + std::to_string(o.id);
  return in;
}

order_row to_row(const shopify::order& o) {
  return {.id = o.id,
          .email = o.email,
          .total_price = o.total_price,
          .source_identifier = o.source_identifier};
}

constexpr auto place_orders = syncline::workflow<"place_orders">(
    syncline::app_event<"recipe.order_requested", requested_order>{} |
    syncline::map<"to_shopify_order">(to_shopify_order) | shopify::create_order{} |
    syncline::map<"to_row">(to_row) | warehouse::write_to<orders_warehouse>{});

constexpr auto record_orders = syncline::workflow<"record_orders">(
    shopify::webhook<"orders/create">{} | syncline::map<"to_row">(to_row) |
    warehouse::write_to<orders_warehouse>{});

constexpr auto recipe_sync =
    syncline::integration<"recipe_sync", shopify::app>(place_orders, record_orders);

// --- Waiting and reading back.

// Quiet means: the emulator has sent every webhook (the engine answers a delivery only once its
// run is queued durably) and the engine has nothing queued, running or waiting for a retry. A
// run may create an order whose webhook starts another run, so both are checked until both hold
// in one pass.
bool wait_until_quiet(syncline::testing::shopify_emulator& emu, syncline::engine& engine,
                      std::chrono::milliseconds limit = 20s) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (!emu.deliveries_idle()) {
      std::this_thread::sleep_for(10ms);
      continue;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        end - std::chrono::steady_clock::now());
    if (!engine.wait_until_quiet(left)) return false;
    if (emu.deliveries_idle()) return true;
  }
  return false;
}

// The warehouse table as it is now, through a connection of its own.
std::vector<order_row> read_orders(const std::string& path) {
  auto db = syncline::sqlite::database::open(path);
  REQUIRE(db);
  auto stmt =
      db->prepare("SELECT id, email, total_price, source_identifier FROM orders ORDER BY id");
  REQUIRE(stmt);
  std::vector<order_row> rows;
  for (;;) {
    auto more = stmt->step();
    REQUIRE(more);
    if (!*more) return rows;
    order_row r;
    r.id = stmt->int64(0);
    if (!stmt->is_null(1)) r.email = stmt->text(1);
    r.total_price = *syncline::money::parse(stmt->text(2));
    if (!stmt->is_null(3)) r.source_identifier = stmt->text(3);
    rows.push_back(std::move(r));
  }
}

TEST_CASE("recipe: the engine runs an integration against the Shopify emulator") {
  // 1. The emulator, with one shop: its access token, and the client secret that signs its
  //    webhooks. It and the warehouse run on threads of their own, apart from the engine's.
  syncline::http::io_threads threads(2);
  syncline::testing::temp_dir dir("syncline-recipe");
  syncline::testing::shopify_emulator emu(threads.executor());
  const syncline::secret token("shpat_recipe");
  const syncline::secret client_secret("whsec_recipe");
  syncline::testing::emulated_shop shop;
  shop.domain = "recipe-shop";
  shop.access_tokens = {token};
  shop.client_secret = client_secret;
  auto domain = emu.add_shop(std::move(shop));
  REQUIRE(domain);
  REQUIRE(emu.start());

  // 2. The tenant's credentials point at the emulator: base_url is emu.url(), the server's root
  //    (the connector adds /admin/api/<version>/...), not emu.admin_url().
  const shopify::credentials credentials{.shop_domain = *domain,
                                         .access_token = token,
                                         .client_secret = client_secret,
                                         .base_url = emu.url()};

  // 3. The destination and the engine: install with the services the blocks use, start.
  const std::string warehouse_path = dir.file("warehouse.db").string();
  auto sink = orders_warehouse::open(threads.executor(), warehouse_path);
  REQUIRE(sink);
  REQUIRE(sink->create_table());
  shopify::connector connector;
  syncline::engine_options options;
  options.database = dir.file("engine.db");
  options.listen = {"127.0.0.1", 0};
  syncline::engine engine(std::move(options));
  REQUIRE(engine.install(recipe_sync, syncline::tenant{"tenant-1", credentials},
                         syncline::services(connector, *sink)));
  REQUIRE(engine.start());

  // 4. Shopify's webhooks for the shop go to the engine's webhook route.
  REQUIRE(
      emu.subscribe(*domain, "orders/create", engine.url() + "/webhooks/shopify/orders/create"));

  // 5. Something happens: your platform asks for an order, and a merchant places one in Shopify.
  REQUIRE(engine.emit("tenant-1", "recipe.order_requested",
                      requested_order{.id = 1,
                                      .email = "ada@example.com",
                                      .item = "Espresso cup",
                                      .price = "12.50"_money,
                                      .quantity = 2}));
  const boost::json::object walk_in{
      {"email", "walk-in@example.com"},
      {"line_items", boost::json::array{boost::json::object{
                         {"title", "Gift card"}, {"price", "25.00"}, {"quantity", 1}}}}};
  REQUIRE(emu.create_order(*domain, walk_in));

  // 6. Wait until quiet, then read the warehouse back.
  REQUIRE(wait_until_quiet(emu, engine));
  const auto rows = read_orders(warehouse_path);
  REQUIRE(rows.size() == 2);
  const order_row& app_order = rows[0].source_identifier ? rows[0] : rows[1];
  const order_row& shop_order = rows[0].source_identifier ? rows[1] : rows[0];
  CHECK(app_order.source_identifier == "recipe-1");
  CHECK(app_order.email == "ada@example.com");
  CHECK(app_order.total_price == "25.00"_money);  // 2 x 12.50, computed by Shopify
  CHECK(shop_order.email == "walk-in@example.com");
  CHECK_FALSE(shop_order.source_identifier.has_value());
  CHECK(emu.orders(*domain).size() == 2);
  // No run failed for a reason the checks above did not look at; if one did, say why.
  auto dead = engine.dead_letters();
  REQUIRE(dead);
  for (const auto& run : *dead) FAIL_CHECK(run.workflow << " dead-lettered: " << run.last_error);
}

}  // namespace recipe

}  // namespace unity_seed_emulator_engine_recipe_test
