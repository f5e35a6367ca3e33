// The seed integration, "shopify_sync": your platform and Shopify keep each other's orders,
// both ways, without echoing each other's writes back.
//
//   push_orders:   your platform emits order.placed -> map it to a Shopify order -> remember the
//                  write (echo guard) -> create it in Shopify -> store the created order in the
//                  warehouse table `orders`;
//   stream_orders: Shopify's orders/create webhook -> skip the orders push_orders wrote (their
//                  echoes) -> stream the order to your application (a signed POST) -> store it
//                  in the same warehouse table.
//
// So the warehouse holds every order of every shop once, and your application hears only of the
// orders it did not make itself. The example (main.cpp) and the seed tests (tests/seed) both run
// this declaration.
#pragma once

#include <syncline/blocks/echo_guard.hpp>
#include <syncline/blocks/map.hpp>
#include <syncline/connectors/data_stream.hpp>
#include <syncline/connectors/shopify/app.hpp>
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
#include <syncline/core/result.hpp>
#include <syncline/core/run_context.hpp>
#include <syncline/core/timestamp.hpp>
#include <syncline/core/trigger.hpp>
#include <syncline/core/workflow.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/describe/class.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace seed {

namespace shopify = syncline::shopify;
namespace warehouse = syncline::warehouse;
namespace data_stream = syncline::data_stream;

// --- Your platform ---------------------------------------------------------------------------

// An order placed on your platform: what order.placed carries.
struct platform_order {
  std::int64_t id = 0;
  std::string email{};
  std::string item{};
  syncline::money price{};  // money is not a double
  std::int32_t quantity = 1;
  std::string currency = "USD";
};
BOOST_DESCRIBE_STRUCT(platform_order, (), (id, email, item, price, quantity, currency))

}  // namespace seed

// What order.placed carries, declared once: a trigger that says otherwise does not compile.
template <>
struct syncline::event_payload<syncline::platform, "order.placed"> {
  using type = seed::platform_order;
};

namespace seed {

// The mark your platform's orders carry in Shopify (source_identifier): the create is looked up
// by it after a lost answer, and it is the echo guard's key.
inline std::string source_identifier_of(const platform_order& o) {
  return "platform-" + std::to_string(o.id);
}

inline bool made_by_platform(const std::optional<std::string>& source_identifier) {
  return source_identifier && source_identifier->starts_with("platform-");
}

// --- The warehouse table ---------------------------------------------------------------------

// One row per Shopify order, whichever side it came from.
struct order_row {
  std::int64_t id = 0;  // Shopify's order id: the table's key
  std::string tenant{};
  std::string name{};  // "#1001"
  std::optional<std::string> email{};
  syncline::money total_price{};
  std::string currency{};
  std::optional<std::string> source_identifier{};  // set on orders your platform made
  syncline::timestamp created_at{};
};
BOOST_DESCRIBE_STRUCT(order_row, (),
                      (id, tenant, name, email, total_price, currency, source_identifier,
                       created_at))

using orders_table = warehouse::table<order_row, "orders", warehouse::key<"id">>;
using orders_warehouse = warehouse::sqlite_sink<orders_table>;
using orders_stream = data_stream::stream<"orders">;

// --- Blocks ----------------------------------------------------------------------------------

inline shopify::order_input to_shopify_order(const platform_order& o) {
  shopify::order_input in;
  in.email = o.email;
  in.currency = o.currency;
  in.line_items = {{.title = o.item, .price = o.price, .quantity = o.quantity}};
  in.tags = "syncline";
  in.source_identifier = source_identifier_of(o);
  return in;
}

inline order_row to_order_row(const shopify::order& o, syncline::run_context& ctx) {
  return order_row{.id = o.id,
                   .tenant = std::string(ctx.tenant()),
                   .name = o.name,
                   .email = o.email,
                   .total_price = o.total_price,
                   .currency = o.currency,
                   .source_identifier = o.source_identifier,
                   .created_at = o.created_at};
}

// Streams the order to your application and passes it on, so that one record reaches two
// destinations: the core has no fan-out block, and a chain keeps both writes in one run (a
// failure of either retries the run; both are keyed by the run, so a retry repeats nothing).
struct stream_to_app {
  using app_type = syncline::platform;
  static constexpr std::string_view name = "stream_to_app";

  boost::asio::awaitable<syncline::result<shopify::order>> operator()(
      shopify::order o, syncline::run_context& ctx) const {
    auto sent = co_await data_stream::send_to<"orders">{}(o, ctx);
    if (!sent) co_return std::move(sent).error();
    co_return o;
  }
};

// --- The integration -------------------------------------------------------------------------

constexpr auto push_orders = syncline::workflow<"push_orders">(
    syncline::app_event<"order.placed", platform_order>{} |
    syncline::map<"to_shopify_order">(to_shopify_order) |
    syncline::remember_write<"orders", syncline::member<"source_identifier">> |
    shopify::create_order{} | syncline::map<"to_row">(to_order_row) |
    warehouse::write_to<orders_warehouse>{});

constexpr auto stream_orders = syncline::workflow<"stream_orders">(
    shopify::webhook<"orders/create">{} |
    syncline::skip_echo<"orders", syncline::member<"source_identifier">> | stream_to_app{} |
    syncline::map<"to_row">(to_order_row) | warehouse::write_to<orders_warehouse>{});

constexpr auto shopify_sync =
    syncline::integration<"shopify_sync", shopify::app>(push_orders, stream_orders);

}  // namespace seed
