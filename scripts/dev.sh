#!/usr/bin/env bash
# The project's entry point, used by the README's Quick start and by CI.
#   scripts/dev.sh example   install what is missing, build, run the main example
#   scripts/dev.sh test      install what is missing, build, run every test (plain and ASan+UBSan),
#                            and build the Release configuration of `bench`
#   scripts/dev.sh bench     install what is missing, build in Release, run every benchmark
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-}
jobs=${SYNCLINE_JOBS:-2}

# ccache keys on paths relative to the checkout, so a clone in another folder reuses the cache.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1

configure() {  # configure <dir> <extra cmake args...>
  local dir=$1; shift
  local launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  cmake -S . -B "$dir" -G Ninja "${launcher[@]}" "$@" >/dev/null
}

# Test builds: assertions on, no optimisation, line tables only (full -g on Beast/Asio code costs
# compile time and gigabytes of objects; line tables are what sanitizer reports need).
# Warnings are errors here, in the project's own builds, and never by default for users.
debug=(-DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-g1 -DSYNCLINE_WARNINGS_AS_ERRORS=ON)

case "$mode" in
  example)
    bash scripts/install-deps.sh
    configure build "${debug[@]}"
    cmake --build build -j "$jobs" --target main_example
    ./build/examples/main_example
    ;;
  test)
    bash scripts/install-deps.sh
    configure build "${debug[@]}"
    cmake --build build -j "$jobs"
    (cd build && ctest -j "$jobs" --output-on-failure --timeout 600)
    # The sanitizer build runs the tests that execute syncline code, and of the examples only
    # scale_out's multi-process runs (engines killed; the leader of a poll killed), in their
    # short forms (the issue asks for those under the sanitizers; the other examples run in the
    # plain build only, to keep CI short).
    configure build-asan "${debug[@]}" -DSYNCLINE_SANITIZE=ON \
      -DSYNCLINE_BUILD_EXAMPLES=ON -DSYNCLINE_EXAMPLES=scale_out -DSYNCLINE_BUILD_BENCHMARKS=OFF
    cmake --build build-asan -j "$jobs"
    (cd build-asan && ctest -j "$jobs" --output-on-failure --timeout 900 -L 'unit|integration')
    (cd build-asan && ctest --output-on-failure -R '^example[.]scale_out([.]leader_death)?$')
    # The Release configuration of `bench` (examples and benchmarks, -O3 warnings as errors) builds,
    # so the README's benchmark command cannot break unseen again.
    configure build-release -DCMAKE_BUILD_TYPE=Release -DSYNCLINE_BUILD_TESTS=OFF \
      -DSYNCLINE_WARNINGS_AS_ERRORS=ON
    cmake --build build-release -j "$jobs"
    ;;
  bench)
    bash scripts/install-deps.sh --bench
    configure build-release -DCMAKE_BUILD_TYPE=Release -DSYNCLINE_BUILD_TESTS=OFF
    cmake --build build-release -j "$jobs"
    bash benchmarks/run_all.sh build-release
    ;;
  *)
    echo "usage: scripts/dev.sh example|test|bench" >&2
    exit 2
    ;;
esac
