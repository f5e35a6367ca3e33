// The accepted form of shopify_no_such_topic.cpp: a topic Shopify has, with its payload type.
#include <syncline/blocks/to.hpp>
#include <syncline/connectors/shopify/webhook.hpp>
#include <syncline/core/workflow.hpp>

constexpr auto created = syncline::workflow<"created_orders">(
    syncline::shopify::webhook<"orders/create">{} |
    syncline::to<"save">([](const syncline::shopify::order&) {}));

int main() {}
