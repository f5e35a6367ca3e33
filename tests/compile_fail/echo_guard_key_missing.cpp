// expect: echo_key_is_not_a_member<syncline::fixed_string<11>{"pull_orders"}, 1, syncline::fixed_string<6>{"orders"}, syncline::fixed_string<8>{"order_id"}, shop_order>.*syncline: echo guard key
// The echo guard's key must name a member of the record type the guard receives.
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

// "order_id" is not a member of shop_order (its key member is "id").
constexpr auto pull_orders =
    syncline::workflow<"pull_orders">(syncline::webhook<shop, "orders/create", shop_order>{} |
                                      syncline::skip_echo<"orders", syncline::member<"order_id">> |
                                      syncline::to<"save">([](const shop_order&) {}));

int main() { return 0; }
