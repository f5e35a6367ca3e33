// The accepted form of core_blocks_nested_too_deep.cpp: Composite blocks nest at most 7 deep (the
// idempotency key path has room for that).
#include <syncline/blocks/branch.hpp>
#include <syncline/blocks/map.hpp>
#include <syncline/blocks/to.hpp>
#include <syncline/core/manual.hpp>
#include <syncline/core/workflow.hpp>

constexpr auto pass_down = [](const auto& arm) {
  return syncline::branch([](const int& x) { return x > 0; }, arm, syncline::pass);
};
constexpr auto deep = pass_down(pass_down(pass_down(
    pass_down(pass_down(pass_down(pass_down(syncline::map([](int x) { return x + 1; }))))))));

constexpr auto wf =
    syncline::workflow<"nested">(syncline::manual<int>{} | deep | syncline::to<"drop">([](int) {}));

int main() {}
