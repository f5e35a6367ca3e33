// The seed loop through its real parts: shopify::create_order against the emulator, the
// emulator's signed orders/create and orders/updated webhooks into the engine, the echo guards, the
// data streams into a receiver that verifies them, and the SQLite warehouse. Each test starts its
// own seed_system (examples/shopify_sync/seed_system.hpp: the same set-up the example runs) on
// loopback.
#include <syncline/connectors/data_stream.hpp>
#include <syncline/http/client.hpp>
#include <syncline/http/io_threads.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <future>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "../../examples/shopify_sync/seed_system.hpp"

namespace unity_seed_seed_loop_test {

namespace {

using namespace std::chrono_literals;

seed::platform_order app_order(std::int64_t id) {
  return {.id = id,
          .email = "ada@example.com",
          .item = "Espresso cup",
          .price = *syncline::money::parse("12.50"),
          .quantity = 2,
          .currency = "USD"};
}

std::vector<boost::json::object> orders_with_source(seed::seed_system& s,
                                                    const seed::seed_tenant& t,
                                                    const std::string& source_identifier) {
  std::vector<boost::json::object> out;
  for (auto& o : s.emulator().orders(t.domain)) {
    const auto* sid = o.if_contains("source_identifier");
    if (sid && sid->is_string() && sid->as_string() == source_identifier) out.push_back(o);
  }
  return out;
}

std::size_t rows_with_id(const std::vector<seed::stored_row>& rows, std::int64_t id) {
  return static_cast<std::size_t>(
      std::count_if(rows.begin(), rows.end(), [&](const auto& r) { return r.id == id; }));
}

// Whether block `block` left an event in the run's log (e.g. the guard that skipped the run).
bool logged_by(seed::seed_system& s, const syncline::store::run_record& run,
               std::string_view block) {
  auto events = s.engine().block_events(run.id);
  REQUIRE(events);
  return std::any_of(events->begin(), events->end(),
                     [&](const auto& e) { return e.block == block; });
}

std::size_t count_status(const std::vector<syncline::store::run_record>& runs,
                         syncline::store::run_status status) {
  return static_cast<std::size_t>(
      std::count_if(runs.begin(), runs.end(), [&](const auto& r) { return r.status == status; }));
}

}  // namespace

TEST_CASE("an order created by push_orders is not streamed back") {
  seed::seed_system s;
  REQUIRE(s.start());
  const auto& shop = s.tenants().front();

  REQUIRE(s.place_app_order(shop, app_order(7001)));
  REQUIRE(s.wait_until_quiet());

  // The order exists in Shopify once, marked with the platform's id.
  auto created = orders_with_source(s, shop, "platform-7001");
  REQUIRE(created.size() == 1);
  const auto id = created.front().at("id").to_number<std::int64_t>();
  CHECK(created.front().at("email").as_string() == "ada@example.com");

  // Shopify sent orders/create for it; stream_orders ran once and the echo guard skipped it.
  auto pushed = s.runs_of(shop, "push_orders");
  auto streamed = s.runs_of(shop, "stream_orders");
  REQUIRE(pushed);
  REQUIRE(streamed);
  CHECK(pushed->size() == 1);
  CHECK(count_status(*pushed, syncline::store::run_status::succeeded) == 1);
  REQUIRE(streamed->size() == 1);
  CHECK(streamed->front().status == syncline::store::run_status::skipped);
  CHECK(logged_by(s, streamed->front(), "skip_echo"));

  // Nothing reached your application; the warehouse has the order once, written by push_orders.
  CHECK(s.receiver().records().empty());
  auto rows = s.warehouse_rows();
  REQUIRE(rows);
  CHECK(rows->size() == 1);
  CHECK(rows_with_id(*rows, id) == 1);
  CHECK(rows->front().tenant == shop.id);
  CHECK(rows->front().source_identifier == "platform-7001");
}

TEST_CASE("an order placed directly in Shopify is streamed once and stored once") {
  seed::seed_system s;
  REQUIRE(s.start());
  const auto& north = s.tenants().at(0);
  const auto& south = s.tenants().at(1);

  auto placed = s.place_shop_order(north, "walk-in@example.com", "Gift card", "25.00");
  REQUIRE(placed);
  const auto id = placed->at("id").to_number<std::int64_t>();
  REQUIRE(s.wait_until_quiet());

  const auto records = s.receiver().records();
  REQUIRE(records.size() == 1);
  CHECK(records.front().order_id == id);
  CHECK(records.front().tenant == north.id);
  CHECK_FALSE(records.front().source_identifier.has_value());
  CHECK(s.receiver().counts().rejected == 0);

  auto rows = s.warehouse_rows();
  REQUIRE(rows);
  REQUIRE(rows->size() == 1);
  CHECK(rows->front().id == id);
  CHECK(rows->front().tenant == north.id);

  // The other tenant saw nothing of it.
  auto south_runs = s.runs_of(south, "stream_orders");
  REQUIRE(south_runs);
  CHECK(south_runs->empty());
}

TEST_CASE("app orders and shop orders of two tenants each land once, apart") {
  seed::seed_system s;
  REQUIRE(s.start());
  const auto& north = s.tenants().at(0);
  const auto& south = s.tenants().at(1);

  REQUIRE(s.place_app_order(north, app_order(1)));
  REQUIRE(s.place_app_order(south, app_order(1)));  // the same platform id in another tenant
  REQUIRE(s.place_shop_order(north, "n@example.com", "Mug", "9.00"));
  REQUIRE(s.place_shop_order(south, "s@example.com", "Mug", "9.00"));
  REQUIRE(s.wait_until_quiet());

  auto rows = s.warehouse_rows();
  REQUIRE(rows);
  CHECK(rows->size() == 4);
  for (const auto& t : s.tenants()) {
    std::vector<std::int64_t> shop_ids, row_ids;
    for (const auto& o : s.emulator().orders(t.domain))
      shop_ids.push_back(o.at("id").to_number<std::int64_t>());
    for (const auto& r : *rows)
      if (r.tenant == t.id) row_ids.push_back(r.id);
    std::sort(shop_ids.begin(), shop_ids.end());
    std::sort(row_ids.begin(), row_ids.end());
    CHECK(shop_ids.size() == 2);
    CHECK(row_ids == shop_ids);
    // A platform id echoes only in the tenant that wrote it.
    auto runs = s.runs_of(t, "stream_orders");
    REQUIRE(runs);
    CHECK(count_status(*runs, syncline::store::run_status::skipped) == 1);
    CHECK(count_status(*runs, syncline::store::run_status::succeeded) == 1);
  }
  const auto records = s.receiver().records();
  REQUIRE(records.size() == 2);
  CHECK(records.at(0).tenant != records.at(1).tenant);
}

TEST_CASE("a duplicate webhook delivery gives one warehouse row") {
  seed::seed_system s;
  REQUIRE(s.start());
  const auto& shop = s.tenants().front();
  REQUIRE(s.emulator().set_webhook_faults(shop.domain, {.duplicate_next = 1}));

  auto placed = s.place_shop_order(shop, "twice@example.com", "Gift card", "25.00");
  REQUIRE(placed);
  const auto id = placed->at("id").to_number<std::int64_t>();
  REQUIRE(s.wait_until_quiet());

  // Both deliveries reached the engine; the second carried the same webhook id and made no run.
  const auto& metrics = s.engine().metrics();
  CHECK(metrics.accepted_count(syncline::trigger_kind::webhook) == 1);
  CHECK(metrics.duplicate_count(syncline::trigger_kind::webhook) == 1);
  auto runs = s.runs_of(shop, "stream_orders");
  REQUIRE(runs);
  CHECK(runs->size() == 1);

  auto rows = s.warehouse_rows();
  REQUIRE(rows);
  CHECK(rows->size() == 1);
  CHECK(rows_with_id(*rows, id) == 1);
  CHECK(s.receiver().records().size() == 1);
}

TEST_CASE("a receiver answering 500 a few times still gets each record exactly once") {
  seed::seed_system s;
  REQUIRE(s.start());
  const auto& shop = s.tenants().front();
  s.receiver().fail_next(3);

  auto placed = s.place_shop_order(shop, "patient@example.com", "Gift card", "25.00");
  REQUIRE(placed);
  const auto id = placed->at("id").to_number<std::int64_t>();
  REQUIRE(s.wait_until_quiet());

  const auto counts = s.receiver().counts();
  CHECK(counts.failed_on_purpose == 3);
  CHECK(counts.accepted == 1);
  const auto records = s.receiver().records();
  REQUIRE(records.size() == 1);
  CHECK(records.front().order_id == id);

  // The run was retried by the engine (the HTTP client does not repeat a 500 by itself) and
  // then finished; the warehouse holds the row once.
  auto runs = s.runs_of(shop, "stream_orders");
  REQUIRE(runs);
  REQUIRE(runs->size() == 1);
  CHECK(runs->front().status == syncline::store::run_status::succeeded);
  CHECK(runs->front().attempts == 4);
  auto dead = s.engine().dead_letters();
  REQUIRE(dead);
  CHECK(dead->empty());
  auto rows = s.warehouse_rows();
  REQUIRE(rows);
  CHECK(rows_with_id(*rows, id) == 1);
}

TEST_CASE("a lost create answer makes one order in Shopify, and its echo is still skipped") {
  seed::seed_options options;
  options.connector.request_timeout = 300ms;
  seed::seed_system s(options);
  REQUIRE(s.start());
  const auto& shop = s.tenants().front();
  // Shopify creates the order and sends its webhook, but the answer never reaches us.
  REQUIRE(s.emulator().set_request_faults(shop.domain, {.lose_next_create_answers = 1}));

  REQUIRE(s.place_app_order(shop, app_order(9001)));
  REQUIRE(s.wait_until_quiet());

  // create_order looked the order up by its source_identifier instead of creating it again.
  auto created = orders_with_source(s, shop, "platform-9001");
  REQUIRE(created.size() == 1);
  const auto id = created.front().at("id").to_number<std::int64_t>();
  auto pushed = s.runs_of(shop, "push_orders");
  REQUIRE(pushed);
  REQUIRE(pushed->size() == 1);
  CHECK(pushed->front().status == syncline::store::run_status::succeeded);

  auto streamed = s.runs_of(shop, "stream_orders");
  REQUIRE(streamed);
  REQUIRE(streamed->size() == 1);
  CHECK(streamed->front().status == syncline::store::run_status::skipped);
  CHECK(s.receiver().records().empty());
  auto rows = s.warehouse_rows();
  REQUIRE(rows);
  CHECK(rows->size() == 1);
  CHECK(rows_with_id(*rows, id) == 1);
}

TEST_CASE("a request with a bad signature is refused by the receiver") {
  // The receiver is your application's side: it must not take what the stream did not sign.
  seed::seed_system s;
  REQUIRE(s.start());
  syncline::http::io_threads io(1);
  syncline::http::client client(io.executor());
  syncline::data_stream::stream<"orders"> forged(
      client, {.endpoint = s.receiver().endpoint(), .signing_secret = syncline::secret("guess")});
  // Shared with the coroutine: it may still be inside set_value when get() returns.
  auto done = std::make_shared<std::promise<syncline::result<void>>>();
  auto answered = done->get_future();
  boost::asio::co_spawn(
      io.executor(),
      [&, done]() -> boost::asio::awaitable<void> {
        syncline::shopify::order o;
        o.id = 42;
        done->set_value(co_await forged.send(o, "forged-key", "north-wind"));
      },
      boost::asio::detached);
  auto answer = answered.get();
  REQUIRE_FALSE(answer);
  CHECK(answer.error().status == 401);
  CHECK(s.receiver().counts().rejected == 1);
  CHECK(s.receiver().records().empty());
}

// --- orders/updated: sync_order_updates -----------------------------------------------------

namespace {

std::vector<seed::order_receiver::record> records_on(seed::seed_system& s,
                                                     const std::string& stream) {
  std::vector<seed::order_receiver::record> out;
  for (auto& r : s.receiver().records())
    if (r.stream == stream) out.push_back(r);
  return out;
}

// The one order push_orders wrote for `app_order(platform_id)`, once everything is quiet.
std::int64_t written_order_id(seed::seed_system& s, const seed::seed_tenant& t,
                              std::int64_t platform_id) {
  auto created = orders_with_source(s, t, "platform-" + std::to_string(platform_id));
  REQUIRE(created.size() == 1);
  return created.front().at("id").to_number<std::int64_t>();
}

}  // namespace

TEST_CASE("the orders/updated that follows our create is an echo and reaches no one") {
  seed::seed_system s;
  REQUIRE(s.start());
  const auto& shop = s.tenants().front();
  REQUIRE(s.place_app_order(shop, app_order(7101)));
  REQUIRE(s.wait_until_quiet());
  const auto id = written_order_id(s, shop, 7101);
  auto before = s.warehouse_rows();
  REQUIRE(before);
  REQUIRE(before->size() == 1);

  REQUIRE(s.send_update_after_create(shop, id));
  REQUIRE(s.wait_until_quiet());

  // The fingerprint of the order create_order answered with matched the order Shopify sent back.
  auto runs = s.runs_of(shop, "sync_order_updates");
  REQUIRE(runs);
  REQUIRE(runs->size() == 1);
  CHECK(runs->front().status == syncline::store::run_status::skipped);
  CHECK(logged_by(s, runs->front(), "skip_echo"));
  CHECK(s.receiver().records().empty());
  auto after = s.warehouse_rows();
  REQUIRE(after);
  REQUIRE(after->size() == 1);
  CHECK(after->front().email == before->front().email);
  CHECK(after->front().updated_at == before->front().updated_at);
}

TEST_CASE("a merchant's edit of an order our platform wrote reaches the app once and the row") {
  seed::seed_system s;
  REQUIRE(s.start());
  const auto& shop = s.tenants().front();
  REQUIRE(s.place_app_order(shop, app_order(7201)));
  REQUIRE(s.wait_until_quiet());
  const auto id = written_order_id(s, shop, 7201);

  // Shopify's own follow-up (an echo), then the merchant's edit of the email push_orders wrote.
  REQUIRE(s.send_update_after_create(shop, id));
  auto edited = s.edit_shop_order(shop, id, {{"email", "grace@example.com"}});
  REQUIRE(edited);
  REQUIRE(s.wait_until_quiet());

  auto runs = s.runs_of(shop, "sync_order_updates");
  REQUIRE(runs);
  CHECK(runs->size() == 2);
  CHECK(count_status(*runs, syncline::store::run_status::skipped) == 1);
  CHECK(count_status(*runs, syncline::store::run_status::succeeded) == 1);

  // Your application hears of the edit once, on the updates stream, although it made the order.
  CHECK(records_on(s, "orders").empty());
  const auto updates = records_on(s, "order_updates");
  REQUIRE(updates.size() == 1);
  CHECK(updates.front().order_id == id);
  CHECK(updates.front().email == "grace@example.com");
  CHECK(updates.front().source_identifier == "platform-7201");

  // The row push_orders wrote is updated in place: one row, the new email, Shopify's updated_at.
  auto rows = s.warehouse_rows();
  REQUIRE(rows);
  REQUIRE(rows->size() == 1);
  CHECK(rows->front().id == id);
  CHECK(rows->front().email == "grace@example.com");
  CHECK(rows->front().source_identifier == "platform-7201");
  CHECK(rows->front().updated_at == std::string(edited->at("updated_at").as_string()));
}

// The guard compares the order as create_order answered it, not what push_orders sent: a change
// to a field push_orders never writes (the phone here; a cancel or an address alike) is news too.
TEST_CASE("a change to a field our platform never writes, on an order it wrote, still passes") {
  seed::seed_system s;
  REQUIRE(s.start());
  const auto& shop = s.tenants().front();
  REQUIRE(s.place_app_order(shop, app_order(7301)));
  REQUIRE(s.wait_until_quiet());
  const auto id = written_order_id(s, shop, 7301);

  REQUIRE(s.send_update_after_create(shop, id));  // the echo
  REQUIRE(s.edit_shop_order(shop, id, {{"phone", "+4930901820"}}));
  REQUIRE(s.wait_until_quiet());

  auto runs = s.runs_of(shop, "sync_order_updates");
  REQUIRE(runs);
  CHECK(runs->size() == 2);
  CHECK(count_status(*runs, syncline::store::run_status::skipped) == 1);
  CHECK(count_status(*runs, syncline::store::run_status::succeeded) == 1);
  const auto updates = records_on(s, "order_updates");
  REQUIRE(updates.size() == 1);
  CHECK(updates.front().order_id == id);
}

TEST_CASE("a merchant's note on an order placed in Shopify reaches the app and the row") {
  seed::seed_system s;
  REQUIRE(s.start());
  const auto& shop = s.tenants().front();
  auto placed = s.place_shop_order(shop, "walk-in@example.com", "Gift card", "25.00");
  REQUIRE(placed);
  const auto id = placed->at("id").to_number<std::int64_t>();
  REQUIRE(s.wait_until_quiet());

  REQUIRE(s.edit_shop_order(shop, id, {{"note", "Leave at the back door"}}));
  REQUIRE(s.wait_until_quiet());

  const auto created = records_on(s, "orders");
  REQUIRE(created.size() == 1);
  CHECK_FALSE(created.front().note.has_value());
  const auto updates = records_on(s, "order_updates");
  REQUIRE(updates.size() == 1);
  CHECK(updates.front().order_id == id);
  CHECK(updates.front().note == "Leave at the back door");

  auto rows = s.warehouse_rows();
  REQUIRE(rows);
  REQUIRE(rows->size() == 1);
  CHECK(rows->front().id == id);
  CHECK(rows->front().note == "Leave at the back door");
  CHECK(rows->front().email == "walk-in@example.com");
}

TEST_CASE("a re-delivered orders/updated (same webhook id) reaches nobody twice") {
  seed::seed_system s;
  REQUIRE(s.start());
  const auto& shop = s.tenants().front();
  REQUIRE(s.place_app_order(shop, app_order(7301)));
  REQUIRE(s.wait_until_quiet());
  const auto id = written_order_id(s, shop, 7301);
  const auto& metrics = s.engine().metrics();
  const auto duplicates_before = metrics.duplicate_count(syncline::trigger_kind::webhook);

  REQUIRE(s.emulator().set_webhook_faults(shop.domain, {.duplicate_next = 1}));
  REQUIRE(s.edit_shop_order(shop, id, {{"note", "Ring twice"}}));
  REQUIRE(s.wait_until_quiet());

  // Both deliveries reached the engine; the second carried the same X-Shopify-Webhook-Id.
  CHECK(metrics.duplicate_count(syncline::trigger_kind::webhook) == duplicates_before + 1);
  auto runs = s.runs_of(shop, "sync_order_updates");
  REQUIRE(runs);
  REQUIRE(runs->size() == 1);
  CHECK(runs->front().status == syncline::store::run_status::succeeded);
  const auto updates = records_on(s, "order_updates");
  REQUIRE(updates.size() == 1);
  CHECK(updates.front().note == "Ring twice");
  CHECK(s.receiver().counts().repeats == 0);
  auto rows = s.warehouse_rows();
  REQUIRE(rows);
  REQUIRE(rows->size() == 1);
  CHECK(rows->front().note == "Ring twice");
}

}  // namespace unity_seed_seed_loop_test
