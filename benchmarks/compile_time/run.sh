#!/usr/bin/env bash
# Compile time of generated integrations: for each "NxM" (N workflows of M blocks), generate the
# source (generate.sh), compile it once as a release build would (-O2, object file), and record
# CPU seconds and peak memory (/usr/bin/time, Debian package `time`). Prints a Markdown table;
# the last column is the cost per block above the smallest case, which stays flat when growth is
# linear.
#   usage: run.sh [NxM ...]        default: 1x1 10x10 25x10 50x10 100x10 100x1 100x5
#   env:   CXX (default c++), SYNCLINE_COMPILE_FLAGS (default "-O2")
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cxx=${CXX:-c++}
flags=${SYNCLINE_COMPILE_FLAGS:--O2}
cases=("$@")
[ ${#cases[@]} -gt 0 ] || cases=(1x1 10x10 25x10 50x10 100x10 100x1 100x5)
[ -x /usr/bin/time ] || { echo "run.sh: /usr/bin/time is missing (Debian package: time)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "| workflows x blocks | blocks | CPU seconds | peak memory (MB) | ms per block above 1x1 |"
echo "|---|---:|---:|---:|---:|"
base_s=""
base_blocks=""
for c in "${cases[@]}"; do
  n=${c%x*}
  m=${c#*x}
  src="$work/gen_${n}x${m}.cpp"
  bash "$here/generate.sh" "$n" "$m" > "$src"
  # shellcheck disable=SC2086 # flags are a word list on purpose
  /usr/bin/time -f "%U %S %M" -o "$work/time" \
    "$cxx" -std=c++20 -fcoroutines $flags -I"$root/include" -c "$src" -o "$work/gen.o"
  read -r user sys rss_kb < "$work/time"
  secs=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
  blocks=$((n * m))
  if [ -z "$base_s" ]; then
    base_s=$secs
    base_blocks=$blocks
    per="-"
  else
    per=$(awk -v t="$secs" -v t0="$base_s" -v b="$blocks" -v b0="$base_blocks" \
      'BEGIN { printf "%.1f", (b > b0) ? 1000 * (t - t0) / (b - b0) : 0 }')
  fi
  echo "| ${n} x ${m} | ${blocks} | ${secs} | $((rss_kb / 1024)) | ${per} |"
done
