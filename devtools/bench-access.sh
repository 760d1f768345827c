#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Measure the access broker: start a private daemon, issue a token, run
# bench_access against it, stop the daemon. Usage: devtools/bench-access.sh
# [BUILD_DIR [CYCLES [ROUNDS]]]
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
cd "$top"
tool=$build/app/dma-access/dpdk-dma-access
bench=$build/app/test/bench_access
[ -x "$tool" ] && [ -x "$bench" ] || { echo "build first: ninja -C $build" >&2; exit 2; }
dir=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$dir"' EXIT
"$tool" --socket "$dir/sock" daemon --state "$dir/tokens" >"$dir/log" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q listening "$dir/log" && break; sleep 0.05; done
token=$("$tool" --socket "$dir/sock" token issue | head -n 1)
"$bench" "$dir/sock" "$token" "${2:-20000}" "${3:-1000}"
