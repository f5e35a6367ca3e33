// expect: syncline: a Shopify access scope must be read_<resource>, write_<resource> or unauthenticated_
// names: invalid_access_scope<syncline::fixed_string<9>{"tag_order"}, syncline::fixed_string<11>{"wrte_orders"}>
// shopify::access_scopes_of reads the scope each Shopify part declares; a misspelled one would
// only be refused by Shopify's install screen, in front of a merchant. Twin:
// shopify_invalid_access_scope_ok.cpp.
#include <syncline/blocks/to.hpp>
#include <syncline/connectors/shopify/access_scopes.hpp>
#include <syncline/connectors/shopify/webhook.hpp>
#include <syncline/core/integration.hpp>

#include <string_view>

namespace shopify = syncline::shopify;

struct tag_order {
  using app_type = shopify::app;
  static constexpr std::string_view name = "tag_order";
  static constexpr std::string_view access_scope = "wrte_orders";
  shopify::order operator()(shopify::order o) const { return o; }
};

constexpr auto tagging = syncline::integration<"tagging", shopify::app>(
    syncline::workflow<"tag_orders">(shopify::webhook<"orders/create">{} | tag_order{} |
                                     syncline::to<"save">([](const shopify::order&) {})));

constexpr auto scopes = shopify::access_scopes_of<decltype(tagging)>();

int main() {}
