// The accepted form of core_invalid_topic.cpp: Rule 10: webhook topics are slash-separated
// segments, without a leading slash.
#include <syncline/blocks/to.hpp>
#include <syncline/core/webhook.hpp>
#include <syncline/core/workflow.hpp>

#include <string>
#include <string_view>

namespace shop {
struct app {
  static constexpr std::string_view name = "shop";
};
struct order {
  long id;
};
}  // namespace shop

constexpr auto pull =
    syncline::workflow<"pull_orders">(syncline::webhook<shop::app, "orders/create", shop::order>{} |
                                      syncline::to<"save">([](const shop::order&) {}));

int main() {}
