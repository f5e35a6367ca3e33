// The seed integration, "shopify_sync": your platform and Shopify keep each other's orders,
// both ways, without echoing each other's writes back.
//
//   push_orders:   your platform emits order.placed -> map it to a Shopify order -> remember the
//                  write (two echo guards: one for orders/create, one for orders/updated) ->
//                  create it in Shopify -> store the created order in the warehouse table `orders`;
//   stream_orders: Shopify's orders/create webhook -> skip the orders push_orders wrote (their
//                  echoes) -> stream the order to your application (a signed POST) -> store it
//                  in the same warehouse table;
//   sync_order_updates: Shopify's orders/updated webhook -> skip the echoes of push_orders' own
//                  writes, but not a merchant's edit of them -> stream the changed order to your
//                  application on a stream of its own -> update its warehouse row.
//
// So the warehouse holds every order of every shop once, as it stands now, and your application
// hears of the orders it did not make itself and of a merchant's edits in Shopify, but never of
// its own writes (the update guard below says which edits it cannot tell from an echo). The example
// (main.cpp) and the seed tests (tests/seed) both run this declaration.
#pragma once

#include <syncline/blocks/also.hpp>
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
#include <syncline/core/fixed_string.hpp>
#include <syncline/core/integration.hpp>
#include <syncline/core/money.hpp>
#include <syncline/core/result.hpp>
#include <syncline/core/run_context.hpp>
#include <syncline/core/timestamp.hpp>
#include <syncline/core/trigger.hpp>
#include <syncline/core/workflow.hpp>

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
  std::optional<std::string> note{};               // the merchant's note, as edited in Shopify
  syncline::timestamp created_at{};
  syncline::timestamp updated_at{};  // Shopify's last change: when the row's values were current
};
BOOST_DESCRIBE_STRUCT(order_row, (),
                      (id, tenant, name, email, total_price, currency, source_identifier, note,
                       created_at, updated_at))

// Three workflows write one order's row, and their runs may finish in any order: an
// orders/create run landing after the orders/updated run would put the older order back.
// newer<"updated_at"> makes each upsert replace the row only with one whose Shopify updated_at
// is not older (the check is part of the upsert statement).
using orders_table =
    warehouse::table<order_row, "orders", warehouse::key<"id">, warehouse::newer<"updated_at">>;
using orders_warehouse = warehouse::sqlite_sink<orders_table>;
// Two streams to your application, which may share one endpoint (each POST names its stream in
// X-Syncline-Stream). "orders" carries orders new to your application; "order_updates" carries
// changes to orders it already has, whoever made them — including its own, edited by a merchant.
// On one stream the application could not tell a new order (to fulfil) from a change (to apply
// to its copy) without looking the order up first.
using orders_stream = data_stream::stream<"orders">;
using order_updates_stream = data_stream::stream<"order_updates">;

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
                   .note = o.note,
                   .created_at = o.created_at,
                   .updated_at = o.updated_at};
}

// --- The integration -------------------------------------------------------------------------

// An orders/updated about an order push_orders wrote is its echo only if the order is still as
// Shopify created it: a merchant's edit, a cancel or a payment is news. So this guard has a
// fingerprint, unlike the orders/create one (where any event about our order is our own), and
// it is taken from the order create_order answered with: the same type the webhook carries, so
// every field an edit can change is comparable (order_input lacks phone, addresses, the cancel).
// Recording after the write means an orders/updated that overtakes create_order's answer
// passes as a change: your application then hears of its own order once more, which loses
// nothing; recording before it (on order_input) would let a cancel within the echo window be
// skipped as an echo, which would.
// The fields are listed once, for both sides of the guard (Side is the remembering or the
// skipping block).
template <template <syncline::fixed_string, auto, auto...> class Side>
using order_fields_guard =
    Side<"order_fields", syncline::member<"source_identifier">, syncline::member<"email">,
         syncline::member<"phone">, syncline::member<"note">, syncline::member<"tags">,
         syncline::member<"cancelled_at">, syncline::member<"closed_at">,
         syncline::member<"financial_status">, syncline::member<"fulfillment_status">,
         syncline::member<"shipping_address">>;
inline constexpr order_fields_guard<syncline::remember_write_block> remember_created_order{};
inline constexpr order_fields_guard<syncline::skip_echo_block> skip_unchanged_order{};

constexpr auto push_orders = syncline::workflow<"push_orders">(
    syncline::app_event<"order.placed", platform_order>{} |
    syncline::map<"to_shopify_order">(to_shopify_order) |
    syncline::remember_write<"orders", syncline::member<"source_identifier">> |
    shopify::create_order{} | remember_created_order | syncline::map<"to_row">(to_order_row) |
    warehouse::write_to<orders_warehouse>{});

constexpr auto stream_orders = syncline::workflow<"stream_orders">(
    shopify::webhook<"orders/create">{} |
    syncline::skip_echo<"orders", syncline::member<"source_identifier">> |
    syncline::also<"stream_to_app">(data_stream::send_to<"orders">{}) |
    syncline::map<"to_row">(to_order_row) | warehouse::write_to<orders_warehouse>{});

// The row is keyed by the order's id: the write updates the row stream_orders or push_orders made.
constexpr auto sync_order_updates = syncline::workflow<"sync_order_updates">(
    shopify::webhook<"orders/updated">{} | skip_unchanged_order |
    syncline::also<"stream_to_app">(data_stream::send_to<"order_updates">{}) |
    syncline::map<"to_row">(to_order_row) | warehouse::write_to<orders_warehouse>{});

constexpr auto shopify_sync = syncline::integration<"shopify_sync", shopify::app>(
    push_orders, stream_orders, sync_order_updates);

}  // namespace seed
