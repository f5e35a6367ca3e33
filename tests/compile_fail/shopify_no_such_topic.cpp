// expect: syncline: shopify::webhook: syncline does not model this webhook topic yet .*declare its payload: template <> struct syncline::event_payload<syncline::shopify::app, "the/topic">
// names: no_such_webhook_topic<syncline::fixed_string<15>{"products/create"}>
// shopify::webhook<Topic> accepts only topics whose payload is declared (shopify/topics.hpp);
// products/create is a real Shopify topic that syncline does not model yet.
// Twin: shopify_no_such_topic_ok.cpp.
#include <syncline/blocks/to.hpp>
#include <syncline/connectors/shopify/webhook.hpp>
#include <syncline/core/workflow.hpp>

constexpr auto new_products = syncline::workflow<"new_products">(
    syncline::shopify::webhook<"products/create">{} |
    syncline::to<"save">([](const syncline::shopify::order&) {}));

int main() {}
