#!/usr/bin/env bash
# Runs the reliability and security campaigns (issue #8): escapes, bad input, faults, churn,
# and the manifest decoder's fuzzing.
# Short forms run in scripts/test.sh; `--full` sets SWIFTLET_CAMPAIGN=full for the long ones
# and fuzzes for 10 minutes instead of one.
# Figures each campaign reports are printed at the end.
# Usage: scripts/reliability.sh [--full]
set -euo pipefail
cd "$(dirname "$0")/.."
fuzz=(--budget 60)
if [ "${1:-}" = --full ]; then export SWIFTLET_CAMPAIGN=full; fuzz=(600); fi
scripts/bootstrap.sh
swift build --build-tests
export SWIFTLET_BIN_DIR="$(swift build --show-bin-path)"
report="$(mktemp)"
trap 'rm -f "$report"' EXIT
export SWIFTLET_CAMPAIGN_REPORT="$report"
status=0
scripts/in-private-ns.sh swift test --skip-build --filter 'EscapeTests|ReliabilityBadInputTests|ReliabilityDuplicateManifestTests|ReliabilityFaultTests|ReliabilityChurnTests' || status=$?
scripts/fuzz.sh "${fuzz[@]}" || status=$?
echo "---- campaign figures"
cat "$report"
exit "$status"
