// The positive twin of echo_guard_key_missing.cpp: the key names a member that exists.
#include <syncline/blocks/echo_guard.hpp>
#include <syncline/blocks/to.hpp>
#include <syncline/core/webhook.hpp>
#include <syncline/core/workflow.hpp>

#include <boost/describe/class.hpp>

#include <cstdint>
#include <string>
#include <string_view>

struct shop {
  static constexpr std::string_view name = "shop";
};

struct shop_order {
  std::int64_t id = 0;
  std::string source_identifier;
};
BOOST_DESCRIBE_STRUCT(shop_order, (), (id, source_identifier))

// "id" and "source_identifier" are members of shop_order.
constexpr auto pull_orders = syncline::workflow<"pull_orders">(
    syncline::webhook<shop, "orders/create", shop_order>{} |
    syncline::skip_echo<"orders", syncline::member<"id">, syncline::member<"source_identifier">> |
    syncline::to<"save">([](const shop_order&) {}));

int main() { return 0; }
