#!/usr/bin/env bash
# Compile time and peak memory of generated integrations (benchmarks/compile_time/run.sh), as a
# Markdown table for run_all.sh. The build directory argument is not needed: the sources are
# generated and compiled on their own.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bash "$here/compile_time/run.sh" "${@:2}"
