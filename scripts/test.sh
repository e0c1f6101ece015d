#!/usr/bin/env bash
# Installs what the project needs, builds, and runs the whole test suite as root inside
# a private network + mount + PID namespace (only `lo` up).
# Extra arguments go to `swift test` (e.g. --filter CNI).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
swift build --build-tests
export SWIFTLET_BIN_DIR="$(swift build --show-bin-path)"
scripts/in-private-ns.sh swift test --skip-build "$@"
