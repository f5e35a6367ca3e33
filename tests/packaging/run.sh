#!/usr/bin/env bash
# Builds and runs a tiny consumer of syncline, either from an installed prefix
# (find_package) or from the source tree (add_subdirectory). Used by CTest, label `packaging`.
set -euo pipefail
mode=$1 src=$2 work=$3/$1 build=${4:-}
rm -rf "$work" && mkdir -p "$work"
gen=()
command -v ninja >/dev/null && gen=(-G Ninja)
if [ "$mode" = find_package ]; then
  # Installs the build tree CTest runs in (its syncline::compiled is already built), as a user's
  # `cmake --install` after a build would.
  cmake --install "$build" --prefix "$work/prefix" >/dev/null
  cmake -S "$src/tests/packaging/find_package" -B "$work/consumer" "${gen[@]}" \
    -DCMAKE_PREFIX_PATH="$work/prefix"
else
  cmake -S "$src/tests/packaging/add_subdirectory" -B "$work/consumer" "${gen[@]}" -DSYNCLINE_SOURCE_DIR="$src"
fi
cmake --build "$work/consumer"
"$work/consumer/consumer"
if [ "$mode" = find_package ]; then
  "$work/consumer/consumer_compiled"
  "$work/consumer/consumer_emulator"
fi
