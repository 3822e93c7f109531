#!/usr/bin/env bash
# Runs fuzz targets one after another, seeded from the trace corpus.
#
#   fuzz/run.sh [-t SECONDS | -T TOTAL_SECONDS] [-s STATS_FILE] [TARGET...]
#
# -t: time per target (default 20). -T: a fuzzing budget shared by the targets (TOTAL divided
# by their number, at least 5 s each), so that the run's length does not grow with the number
# of targets (CI uses it). Without targets, every target of fuzz/Cargo.toml.
# -s: append one line of final statistics per target (target, seconds, execs, exec/s,
#     cov, ft, corpus inputs/size, wall-clock seconds of the run) to STATS_FILE.
# Seeds are (re)generated into fuzz/seeds/<target> from corpus/**/*.trace; what the fuzzer
# finds goes to fuzz/corpus/<target>, crashes to fuzz/artifacts/<target>. A crash stops the
# script with a non-zero status. One fuzzer runs at a time (one job, one worker).
set -euo pipefail
cd "$(dirname "$0")"
fuzz_dir=$PWD
# shellcheck source=common.sh
. ./common.sh
secs=20
total=""
stats=""
while getopts "t:T:s:" opt; do
    case $opt in
        t) secs=$OPTARG ;;
        T) total=$OPTARG ;;
        s) stats=$OPTARG ;;
        *) exit 2 ;;
    esac
done
shift $((OPTIND - 1))
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(cargo fuzz list)
fi
if [ -n "$total" ]; then
    secs=$((total / ${#targets[@]}))
    [ "$secs" -ge 5 ] || secs=5
    echo "${#targets[@]} targets, ${secs}s each"
fi

# cargo-fuzz needs a nightly compiler (-Zsanitizer). Use the nightly toolchain when there is
# one; a machine whose only toolchain is stable (none other can be fetched) runs the stable
# compiler in bootstrap mode, which accepts the same flags.
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
    fuzz=(cargo +nightly fuzz)
else
    echo "no nightly toolchain: stable with RUSTC_BOOTSTRAP=1"
    export RUSTC_BOOTSTRAP=1
    fuzz=(cargo fuzz)
fi

cargo run --quiet --release --manifest-path seedgen/Cargo.toml -- ../corpus seeds
"${fuzz[@]}" build -O

for t in "${targets[@]}"; do
    mkdir -p "corpus/$t" "seeds/$t"
    log=$(mktemp)
    echo "=== fuzz $t for ${secs}s"
    started=$SECONDS
    status=0
    "${fuzz[@]}" run -O "$t" "corpus/$t" "seeds/$t" -- \
        -max_total_time="$secs" -dict="$(dict_for "$t")" -print_final_stats=1 \
        -rss_limit_mb=2048 -timeout=10 >"$log" 2>&1 || status=$?
    grep -E '^#[0-9]+[[:space:]]+(INITED|DONE)|^stat::(number_of_executed_units|average_exec_per_sec|peak_rss)' "$log" || true
    if [ "$status" -ne 0 ]; then
        tail -60 "$log"
        echo "fuzz target $t failed (status $status)"
        rm -f "$log"
        exit 1
    fi
    if [ -n "$stats" ]; then
        final_stats "$log"
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$secs" "$execs" "$rate" "$cov" "$ft" \
            "$corp" "$((SECONDS - started))" >>"$stats"
    fi
    rm -f "$log"
done
