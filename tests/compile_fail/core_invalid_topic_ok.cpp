// OK twin of core_invalid_topic.cpp: the topic has no leading slash.
#include <syncline/blocks/to.hpp>
#include <syncline/core/webhook.hpp>

#include "core_setup.hpp"

constexpr auto pull =
    syncline::workflow<"pull_orders">(syncline::webhook<shop::app, "orders/create", shop::order>{} |
                                      syncline::to<"save">([](const shop::order&) {}));

int main() {}
