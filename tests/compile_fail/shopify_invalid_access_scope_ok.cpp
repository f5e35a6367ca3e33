// The accepted form of shopify_invalid_access_scope.cpp: the scope spelled as Shopify has it,
// and a scope no part declares declared as the integration's own.
#include <syncline/blocks/to.hpp>
#include <syncline/connectors/shopify/access_scopes.hpp>
#include <syncline/connectors/shopify/webhook.hpp>
#include <syncline/core/integration.hpp>

#include <array>
#include <string_view>

namespace shopify = syncline::shopify;

struct tag_order {
  using app_type = shopify::app;
  static constexpr std::string_view name = "tag_order";
  static constexpr std::string_view access_scope = "write_orders";
  shopify::order operator()(shopify::order o) const { return o; }
};

constexpr auto tagging = syncline::integration<"tagging", shopify::app>(
    syncline::workflow<"tag_orders">(shopify::webhook<"orders/create">{} | tag_order{} |
                                     syncline::to<"save">([](const shopify::order&) {})));

template <>
struct syncline::shopify::extra_access_scopes<"tagging"> {
  static constexpr std::array value{std::string_view{"read_customers"}};
};

constexpr auto scopes = shopify::access_scopes_of<decltype(tagging)>();
static_assert(scopes.size() == 2 && scopes[0] == "read_customers" && scopes[1] == "write_orders");

int main() {}
