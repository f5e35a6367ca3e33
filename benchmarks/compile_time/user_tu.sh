#!/usr/bin/env bash
# What one translation unit of a user's program costs to compile (issue 11's goals), -O0 as a
# debug build compiles, in both modes of the library (include/syncline/config.hpp):
#   declare   benchmarks/compile_time/seed_declare.cpp: the seed integration, declared only
#   run       examples/shopify_sync/main.cpp: the seed integration run in the engine against the
#             emulator (engine, emulator, HTTP client and server, warehouse)
#   mistake   benchmarks/compile_time/seed_mistake.cpp: one wrong block; time to the error
# Each is compiled three times; the table shows the fastest run (CPU seconds = user + system of
# the compiler, so other load on the machine matters less than for wall time) and its peak memory.
#   usage: bash benchmarks/compile_time/user_tu.sh       env: CXX (default c++), RUNS (default 3)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cxx=${CXX:-c++}
runs=${RUNS:-3}
[ -x /usr/bin/time ] || { echo "user_tu.sh: /usr/bin/time is missing (Debian package: time)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

pg=$(pg_config --includedir 2>/dev/null || echo /usr/include/postgresql)
common=(-std=c++20 -fcoroutines -O0 -I"$root/include" -I"$root/examples/shopify_sync"
        -I"$root/tests/support" -isystem "$pg")

# measure <name> <mode> <source> <expect: ok|error>: prints one table row.
measure() {
  local name=$1 mode=$2 src=$3 expect=$4 best="" best_mb="" flags=()
  [ "$mode" = separate ] && flags=(-DSYNCLINE_SEPARATE_COMPILATION)
  for _ in $(seq "$runs"); do
    local status=0
    /usr/bin/time -f "%U %S %M" -o "$work/time" \
      "$cxx" "${common[@]}" "${flags[@]}" -c "$src" -o "$work/tu.o" 2>"$work/err" || status=$?
    if { [ "$expect" = ok ] && [ $status -ne 0 ]; } || { [ "$expect" = error ] && [ $status -eq 0 ]; }; then
      echo "user_tu.sh: $name ($mode) should $( [ "$expect" = ok ] && echo compile || echo fail)" >&2
      head -n 20 "$work/err" >&2
      exit 1
    fi
    read -r user sys rss_kb < <(tail -n 1 "$work/time")
    local secs
    secs=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
    if [ -z "$best" ] || awk -v a="$secs" -v b="$best" 'BEGIN { exit !(a < b) }'; then
      best=$secs best_mb=$((rss_kb / 1024))
    fi
  done
  local extra=""
  if [ "$expect" = error ]; then
    extra="$(grep -c 'error:' "$work/err") error line(s): $(grep -m1 'error:' "$work/err" | sed 's/.*error: //' | cut -c1-90)"
  else
    local heavy
    heavy=$("$cxx" "${common[@]}" "${flags[@]}" -H -fsyntax-only "$src" 2>&1 >/dev/null |
            grep -oE 'boost/(beast|asio)' | sort -u | tr '\n' ' ' || true)
    extra="includes: ${heavy:-no Beast, no Asio}"
  fi
  echo "| $name | $mode | $best | $best_mb | $extra |"
}

echo "| TU | mode | CPU s (best of $runs) | peak MiB | notes |"
echo "|---|---|---:|---:|---|"
for mode in separate header-only; do
  measure declare "$mode" "$here/seed_declare.cpp" ok
  measure mistake "$mode" "$here/seed_mistake.cpp" error
  measure run "$mode" "$root/examples/shopify_sync/main.cpp" ok
done
