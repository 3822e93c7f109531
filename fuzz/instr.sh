#!/usr/bin/env bash
# Instructions per execution of fuzz targets on a fixed input set, two builds side by side:
# the load-independent complement of `ab.sh -x` (whose CPU seconds vary with the machine's load).
#
#   fuzz/instr.sh [-S SEEDS_DIR] -o OUT.tsv DIR_A DIR_B TARGET...
#
# DIR_A, DIR_B: directories holding the targets of two builds made WITHOUT AddressSanitizer,
# `cargo +nightly fuzz build -O -s none TARGET` (valgrind cannot run ASan binaries; the
# coverage instrumentation stays, so its cost is counted as in the fuzzing loop). Each build
# overwrites fuzz/target/<triple>/release, so copy the binaries out between builds.
# Every seed of the target (default fuzz/seeds/TARGET, as `run.sh` generates it) is run once in
# libFuzzer's file mode under callgrind, counting only inside `rust_fuzzer_test_input` (the
# target's body: no file reading, no libFuzzer start-up). Each run appends one line to OUT.tsv:
# target, side, executions, instructions, instructions per execution; at the end, per target,
# A, B and B / A. The counts do not depend on the load (a build gives the same count to within
# 0.2 % from run to run: the allocator's state depends on the arguments).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
seeds="$here/seeds"
out=""
while getopts "S:o:" opt; do
    case $opt in
        S) seeds=$OPTARG ;;
        o) out=$OPTARG ;;
        *) exit 2 ;;
    esac
done
shift $((OPTIND - 1))
if [ -z "$out" ] || [ $# -lt 3 ]; then
    echo "usage: $0 [-S SEEDS_DIR] -o OUT.tsv DIR_A DIR_B TARGET..." >&2
    exit 2
fi
dir_a=$1
dir_b=$2
shift 2

# Instructions of target $2 of build directory $1 over its seeds; prints executions and count.
count() {
    local dir=$1 t=$2 work n ir status=0
    work=$(mktemp -d)
    n=$(find "$seeds/$t" -maxdepth 1 -type f | wc -l)
    valgrind --tool=callgrind --dump-instr=no --toggle-collect='rust_fuzzer_test_input' \
        --callgrind-out-file="$work/cg" "$dir/$t" -runs=1 -artifact_prefix="$work/" \
        "$seeds/$t"/* >"$work/log" 2>&1 || status=$?
    ir=$(grep -oP '^(summary|totals): \K[0-9]+' "$work/cg" | head -1 || true)
    if [ "$status" -ne 0 ] || [ -z "$ir" ]; then
        tail -40 "$work/log" >&2
        echo "callgrind of $t ($dir) failed (status $status); kept $work" >&2
        exit 1
    fi
    echo "$n $ir"
    rm -rf "$work"
}

for t in "$@"; do
    for side in A B; do
        dir=$dir_a
        [ "$side" = A ] || dir=$dir_b
        read -r n ir < <(count "$dir" "$t")
        printf '%s\t%s\t%s\t%s\t%s\n' "$t" "$side" "$n" "$ir" \
            "$(awk -v i="$ir" -v n="$n" 'BEGIN { printf "%.0f", (n > 0 ? i / n : 0) }')" | tee -a "$out"
    done
done

awk -F'\t' '
    { v[$1 FS $2] = $5; if (!($1 in seen)) { seen[$1] = 1; order[++k] = $1 } }
    END {
        printf "%-26s %12s %12s %6s\n", "target", "A instr/exec", "B instr/exec", "B/A"
        for (i = 1; i <= k; i++) {
            t = order[i]; a = v[t FS "A"]; b = v[t FS "B"]
            if (a == "" || b == "") continue
            printf "%-26s %12d %12d %6.2f\n", t, a, b, (a > 0 ? b / a : 0)
        }
    }' "$out"
