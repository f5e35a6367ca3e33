#!/usr/bin/env bash
# Writes a C++ file with one integration of N workflows of M blocks each, the way a product with
# many integrations would have them: distinct lambdas (each its own type), a mix of map, filter
# and tap, a destination, and code that runs every workflow and draws the integration (so the
# runners and the parts lists are instantiated, not just the types).
#   usage: generate.sh N M > file.cpp
set -euo pipefail
n=${1:?workflows}
m=${2:?blocks per workflow}

cat <<'HEAD'
#include <syncline/blocks/filter.hpp>
#include <syncline/blocks/map.hpp>
#include <syncline/blocks/tap.hpp>
#include <syncline/blocks/to.hpp>
#include <syncline/core/app_event.hpp>
#include <syncline/core/diagram.hpp>
#include <syncline/core/integration.hpp>
#include <syncline/core/workflow.hpp>

#include <cstdint>
#include <iostream>

namespace gen {
struct app {
  static constexpr std::string_view name = "generated";
};
struct record {
  std::int64_t id;
  std::int64_t amount;
};
}  // namespace gen

HEAD

for ((w = 0; w < n; w++)); do
  echo "constexpr auto w${w} = syncline::workflow<\"w${w}\">("
  echo "    syncline::app_event<\"e${w}.created\", gen::record>{}"
  for ((b = 0; b < m; b++)); do
    case $((b % 3)) in
      0) echo "    | syncline::map<\"m${b}\">([](gen::record r) { r.amount += ${w} + ${b}; return r; })" ;;
      1) echo "    | syncline::filter<\"f${b}\">([](const gen::record& r) { return r.amount != ${b}; })" ;;
      2) echo "    | syncline::tap<\"t${b}\">([](const gen::record& r) { (void)r; })" ;;
    esac
  done
  echo "    | syncline::to<\"sink\">([](const gen::record& r) { std::cout << r.amount << '\\n'; }));"
done

printf 'constexpr auto generated = syncline::integration<"generated", gen::app>('
for ((w = 0; w < n; w++)); do
  [ "$w" -gt 0 ] && printf ', '
  printf 'w%d' "$w"
done
printf ');\n\n'

cat <<'TAIL'
// One function per workflow, as the runtime's per-workflow runner has: the optimizer sees each
// workflow on its own, never one function holding all of them.
template <class Workflow>
[[gnu::noinline]] bool run_one(const Workflow& wf, syncline::run_context& ctx) {
  gen::record payload{1, 2};
  auto r = wf.run_sync(payload, ctx);
  return r && r->completed();
}

int main() {
  syncline::run_context ctx;
  int completed = 0;
  syncline::for_each_workflow(generated, [&](const auto& wf) { completed += run_one(wf, ctx); });
  std::cout << completed << '\n' << syncline::to_mermaid(generated).size() << '\n';
}
TAIL
