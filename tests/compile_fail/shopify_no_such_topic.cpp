// expect: no_such_webhook_topic<syncline::fixed_string<14>{"orders/explode"}>.*syncline: shopify::webhook: Shopify has no such webhook topic
// shopify::webhook<Topic> accepts only topics whose payload is declared (shopify/topics.hpp).
// Twin: shopify_no_such_topic_ok.cpp.
#include <syncline/blocks/to.hpp>
#include <syncline/connectors/shopify/webhook.hpp>
#include <syncline/core/workflow.hpp>

constexpr auto exploded = syncline::workflow<"exploded_orders">(
    syncline::shopify::webhook<"orders/explode">{} |
    syncline::to<"save">([](const syncline::shopify::order&) {}));

int main() {}
