#!/usr/bin/env bash
# Benchmarks, each printing a table with peers side by side where they are installed.
# Every section runs inside its own private network + mount + PID namespace.
# Usage: scripts/bench.sh [SECTION...]   (sections: the names of scripts/bench/*.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
swift build -c release --product swiftlet-runtime >/dev/null
swift build -c release --product swiftlet-bridge >/dev/null
swift build -c release --product swiftlet >/dev/null
swift build -c release --product swiftlet-proxy-bench >/dev/null
export SWIFTLET_BIN_DIR="$(swift build -c release --show-bin-path)"
sections=("$@")
if [ ${#sections[@]} -eq 0 ]; then
    for f in scripts/bench/*.sh; do sections+=("$(basename "$f" .sh)"); done
fi
for s in "${sections[@]}"; do
    echo "== $s"
    scripts/in-private-ns.sh bash "scripts/bench/$s.sh"
done
