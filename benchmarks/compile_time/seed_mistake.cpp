// Compile-time probe (user_tu.sh): the seed integration plus one workflow with a mistake (a block
// that takes a Shopify order after a block that yields a warehouse row). It must not compile; the
// probe times how long the user waits for the one `syncline:` error.
#include "seed_integration.hpp"

namespace seed {
constexpr auto broken = syncline::workflow<"broken">(
    shopify::webhook<"orders/create">{} | syncline::map<"to_row">(to_order_row) |
    syncline::map<"to_row_again">(to_order_row) | warehouse::write_to<orders_warehouse>{});
constexpr auto broken_sync =
    syncline::integration<"broken_sync", shopify::app>(push_orders, broken);
}  // namespace seed

const auto* const declared = &seed::broken_sync;

int main() { return declared == nullptr; }
