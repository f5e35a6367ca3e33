// The echo window against Shopify's redelivery: Shopify retries a delivery for up to 4 hours and
// may deliver later still, so the echo of an order push_orders created can come back hours after
// the write. The engine's store and the emulated Shopify share a manual clock here, and the
// emulator holds the orders/create of that order back by 3 hours of that clock.
#include <syncline/testing/emulator_clock.hpp>
#include <syncline/testing/shopify_faults.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <string>

#include "../../examples/shopify_sync/seed_system.hpp"

namespace unity_seed_echo_window_test {

namespace {

using namespace std::chrono_literals;

seed::platform_order app_order(std::int64_t id) {
  return {.id = id,
          .email = "late@example.com",
          .item = "Teapot",
          .price = *syncline::money::parse("30.00"),
          .quantity = 1,
          .currency = "USD"};
}

}  // namespace

TEST_CASE("an echo delivered 3 hours late is still skipped, not streamed as a merchant order") {
  auto clock = syncline::testing::emulator_clock::manual(
      std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
  seed::seed_system s({.clock = clock});
  REQUIRE(s.start());
  const auto& shop = s.tenants().front();
  REQUIRE(s.emulator().set_webhook_faults(shop.domain, {.delay_next = 1, .delay = 3h}));

  REQUIRE(s.place_app_order(shop, app_order(9001)));
  // push_orders wrote the order; its orders/create waits in the emulator for 3 hours.
  REQUIRE(s.engine().wait_until_quiet(20s));
  auto pushed = s.runs_of(shop, "push_orders");
  REQUIRE(pushed);
  REQUIRE(pushed->size() == 1);
  CHECK(pushed->front().status == syncline::store::run_status::succeeded);
  CHECK(s.emulator().queued_deliveries() == 1);
  auto streamed = s.runs_of(shop, "stream_orders");
  REQUIRE(streamed);
  CHECK(streamed->empty());

  clock.advance(3h);
  REQUIRE(s.wait_until_quiet());

  streamed = s.runs_of(shop, "stream_orders");
  REQUIRE(streamed);
  REQUIRE(streamed->size() == 1);
  CHECK(streamed->front().status == syncline::store::run_status::skipped);
  // Nothing reached your application as a new order.
  CHECK(s.receiver().records().empty());
}

}  // namespace unity_seed_echo_window_test
