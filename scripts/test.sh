#!/usr/bin/env bash
# Installs what the project needs, builds, and runs the whole test suite as root inside
# a private network + mount + PID namespace (only `lo` up), then fuzzes the manifest
# decoder for about a minute, its build included (scripts/fuzz.sh).
# Extra arguments go to `swift test` (e.g. --filter CNI) and skip the fuzzing.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
swift build --build-tests
export SWIFTLET_BIN_DIR="$(swift build --show-bin-path)"
if [ $# -gt 0 ]; then exec scripts/in-private-ns.sh swift test --skip-build "$@"; fi
status=0
scripts/in-private-ns.sh swift test --skip-build || status=$?
scripts/fuzz.sh --budget 60 || status=$?
exit "$status"
