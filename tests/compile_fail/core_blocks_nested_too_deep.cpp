// expect: syncline: branch/route/for_each blocks are nested more than 7 deep
// names: blocks_nested_too_deep<syncline::fixed_string<6>{"nested"}, 8>
// Composite blocks nest at most 7 deep (the idempotency key path has room for that). Twin:
// core_blocks_nested_too_deep_ok.cpp.
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

constexpr auto wf = syncline::workflow<"nested">(syncline::manual<int>{} | pass_down(deep) |
                                                 syncline::to<"drop">([](int) {}));

int main() {}
