#!/usr/bin/env bash
# Compile time and peak memory of generated integrations (benchmarks/compile_time/run.sh) and of
# the seed example's translation units (user_tu.sh), as Markdown tables for run_all.sh. The
# build directory argument is not needed: the sources are
# generated and compiled on their own.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bash "$here/compile_time/run.sh" "${@:2}"
echo
# What one translation unit of a user program costs, in both modes (issue 11).
bash "$here/compile_time/user_tu.sh"
