// expect: syncline: engine::install takes an integration made by syncline::integration<"name", App>\(workflows...\)
// names: not_an_integration<syncline::workflow_definition<
// engine::install takes an integration, not one of its workflows. Twin:
// runtime_not_an_integration_ok.cpp.
#include "runtime_setup.hpp"

constexpr auto pull =
    syncline::workflow<"pull_orders">(shop::webhook<"orders/create", order>{} | save_order{});

int main() { (void)eng.install(pull, syncline::tenant<shop::credentials>{"a"}); }
