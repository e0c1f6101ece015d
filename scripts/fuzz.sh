#!/usr/bin/env bash
# Fuzzes the manifest decoder (issue #8 §3) with libFuzzer for a bounded time.
# Builds Fuzz/ManifestDecoderFuzz with KubeAPI and Yams under -sanitize=fuzzer,address into
# .build-fuzz (never SwiftPM's .build), rebuilding only when a source changed, then runs it
# over .build-fuzz/corpus (kept between runs, except by --budget) seeded from
# Tests/KubeAPITests/Fixtures and scripts/reliability/corpus. A crash, a hang or a refusal
# that is not one line naming the file fails; libFuzzer writes the input to
# .build-fuzz/crashes/ — fix the decoder, then add the input to Tests/KubeAPITests/Fixtures/bad
# (and its golden line) as a regression.
# Usage: scripts/fuzz.sh [--budget] SECONDS   (default 60)
#   SECONDS         fuzz for that long
#   --budget SECS   SECS in all, the build included (at least 10 s of fuzzing)
set -euo pipefail
cd "$(dirname "$0")/.."
budget=0
if [ "${1:-}" = --budget ]; then budget=1; shift; fi
seconds="${1:-60}"
started=$SECONDS

out=.build-fuzz
bin="$out/manifest-decoder-fuzz"
yams=.build/checkouts/Yams/Sources
[ -d "$yams" ] || swift package resolve >/dev/null

# True when $1 is missing or older than any of the other files.
stale() {
    local target="$1"; shift
    [ ! -e "$target" ] || [ -n "$(find "$@" -newer "$target" -print -quit)" ]
}
obj="$out/obj"
mkdir -p "$obj"
# Coverage (fuzzer-no-link) and ASan in every module, C included; libFuzzer's main at the link.
# Unoptimized: -O took KubeAPI alone 3.5 min here, too long for the CI form.
swift_flags=(-Onone -sanitize=fuzzer,address -parse-as-library -wmo -swift-version 5 -I "$obj"
    -Xcc -DYAML_DECLARE_STATIC -Xcc -I"$yams/CYaml/include" -I "$yams/CYaml/include" -I Sources/CDigest/include)
if stale "$obj/CYaml.stamp" "$yams/CYaml"; then
    echo "fuzz: building CYaml" >&2
    for c in "$yams"/CYaml/src/*.c; do
        clang -c -O0 -g0 -fsanitize=fuzzer-no-link,address -DYAML_DECLARE_STATIC -I "$yams/CYaml/include" \
            "$c" -o "$obj/CYaml-$(basename "$c" .c).o"
    done
    touch "$obj/CYaml.stamp"
fi
if stale "$obj/Yams.o" "$yams/Yams" "$obj/CYaml.stamp"; then
    echo "fuzz: building Yams" >&2
    swiftc "${swift_flags[@]}" -module-name Yams -emit-module -emit-module-path "$obj/Yams.swiftmodule" -DSWIFT_PACKAGE \
        -c "$yams"/Yams/*.swift -o "$obj/Yams.o"
fi
# KubeAPI's digests (static pod UIDs) come from libcrypto through CDigest.
if stale "$obj/CDigest.o" Sources/CDigest; then
    clang -c -O0 -g0 -fsanitize=fuzzer-no-link,address -D_GNU_SOURCE -I Sources/CDigest/include \
        Sources/CDigest/digest.c -o "$obj/CDigest.o"
fi
if stale "$obj/KubeAPI.o" Sources/KubeAPI "$obj/Yams.o" "$obj/CDigest.o"; then
    echo "fuzz: building KubeAPI" >&2
    swiftc "${swift_flags[@]}" -module-name KubeAPI -emit-module -emit-module-path "$obj/KubeAPI.swiftmodule" \
        -c Sources/KubeAPI/*/*.swift -o "$obj/KubeAPI.o"
fi
if stale "$bin" Fuzz/ManifestDecoderFuzz "$obj/KubeAPI.o" "$obj/CDigest.o"; then
    swiftc "${swift_flags[@]}" -module-name ManifestDecoderFuzz Fuzz/ManifestDecoderFuzz/*.swift \
        "$obj"/CYaml-*.o "$obj/Yams.o" "$obj/CDigest.o" "$obj/KubeAPI.o" -lcrypto -o "$bin" \
        2> >(grep -v "Cannot export local symbol" >&2)
    echo "fuzz: built in $((SECONDS - started)) s" >&2
fi

if [ "$budget" = 1 ]; then
    seconds=$((seconds - (SECONDS - started)))
    [ "$seconds" -ge 10 ] || seconds=10
fi
# The corpus kept between runs grows to thousands of inputs, which libFuzzer replays before
# its clock starts; the budgeted (CI) form starts from the seeds alone to stay in its minute.
corpus="$out/corpus"
if [ "$budget" = 1 ]; then corpus="$out/corpus-budget"; rm -rf "$corpus"; fi
mkdir -p "$corpus" "$out/crashes"
# The Swift runtime's own backtracer would wait on a crashing fuzzer; ASan and libFuzzer report.
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0}"
echo "fuzz: running the manifest decoder for $seconds s" >&2
log="$out/last-run.log"
status=0
"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -max_len=65536 -print_final_stats=1 \
    -dict=Fuzz/ManifestDecoderFuzz/manifest.dict -artifact_prefix="$out/crashes/" \
    "$corpus" Tests/KubeAPITests/Fixtures scripts/reliability/corpus 2>"$log" || status=$?
stat() { sed -n "s/^stat::$1: *//p" "$log"; }
if [ "$status" -ne 0 ]; then
    tail -40 "$log" >&2
    line="fuzz: manifest decoder FAILED (exit $status) after $((SECONDS - started)) s; input in $out/crashes/, log in $log"
else
    line="fuzz: manifest decoder, $(stat number_of_executed_units) inputs in $seconds s ($(stat average_exec_per_sec)/s, build and all $((SECONDS - started)) s), corpus $(ls "$corpus" | wc -l) files, peak RSS $(stat peak_rss_mb) MB, no crash"
fi
echo "$line" >&2
[ -z "${SWIFTLET_CAMPAIGN_REPORT:-}" ] || echo "${line#fuzz: }" >> "$SWIFTLET_CAMPAIGN_REPORT"
exit "$status"
