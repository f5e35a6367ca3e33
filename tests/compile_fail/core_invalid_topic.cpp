// expect: syncline: webhook topic must be segments
// names: invalid_topic<syncline::fixed_string<14>{"/orders/create"}>
// Rule 10: webhook topics are slash-separated segments, without a leading slash. Twin:
// core_invalid_topic_ok.cpp.
#include <syncline/blocks/to.hpp>
#include <syncline/core/webhook.hpp>

#include "core_setup.hpp"

constexpr auto pull = syncline::workflow<"pull_orders">(
    syncline::webhook<shop::app, "/orders/create", shop::order>{} |
    syncline::to<"save">([](const shop::order&) {}));

int main() {}
