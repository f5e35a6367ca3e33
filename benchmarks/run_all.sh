#!/usr/bin/env bash
# Runs every bench_* in <build-dir>/benchmarks and every benchmarks/load_*.sh, and prints each
# as the Markdown table docs/performance.md shows. Within a benchmark family (the part of the
# name before the first '/'), the first registered variant is the baseline of the ratio column.
set -euo pipefail
build=${1:-build-release}
here=$(cd "$(dirname "$0")" && pwd)
for exe in "$build"/benchmarks/bench_*; do
  [ -x "$exe" ] || continue
  echo "### $(basename "$exe")"
  echo
  "$exe" --benchmark_format=csv --benchmark_repetitions=${SYNCLINE_BENCH_REPS:-5} \
         --benchmark_report_aggregates_only=true 2>/dev/null | awk -f "$here/csv_to_markdown.awk"
  echo
done
for script in "$here"/load_*.sh; do
  [ -f "$script" ] || continue
  echo "### $(basename "$script")"
  echo
  bash "$script" "$build"
  echo
done
