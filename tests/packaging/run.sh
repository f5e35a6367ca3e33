#!/usr/bin/env bash
# Builds and runs a tiny consumer of syncline, either from an installed prefix
# (find_package) or from the source tree (add_subdirectory). Used by CTest, label `packaging`.
set -euo pipefail
mode=$1 src=$2 work=$3/$1
rm -rf "$work" && mkdir -p "$work"
gen=()
command -v ninja >/dev/null && gen=(-G Ninja)
if [ "$mode" = find_package ]; then
  cmake -S "$src" -B "$work/lib" "${gen[@]}" -DSYNCLINE_BUILD_TESTS=OFF -DSYNCLINE_BUILD_EXAMPLES=OFF \
    -DSYNCLINE_BUILD_BENCHMARKS=OFF -DCMAKE_INSTALL_PREFIX="$work/prefix" >/dev/null
  cmake --install "$work/lib" >/dev/null
  cmake -S "$src/tests/packaging/find_package" -B "$work/consumer" "${gen[@]}" \
    -DCMAKE_PREFIX_PATH="$work/prefix"
else
  cmake -S "$src/tests/packaging/add_subdirectory" -B "$work/consumer" "${gen[@]}" -DSYNCLINE_SOURCE_DIR="$src"
fi
cmake --build "$work/consumer"
"$work/consumer/consumer"
