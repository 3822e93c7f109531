#!/usr/bin/env bash
# A/B comparison of the fuzz targets' executions per second: two builds, run alternately on
# the same machine at the same time, from the same seeds, so that load changes hit both alike.
#
#   fuzz/ab.sh [-t SECONDS] [-r ROUNDS] [-S SEEDS_DIR] -o OUT.tsv DIR_A DIR_B [TARGET...]
#
# DIR_A, DIR_B: the `release` directories of two `cargo fuzz build -O` builds (for example
# ../wt-base/fuzz/target/x86_64-unknown-linux-gnu/release and
# fuzz/target/x86_64-unknown-linux-gnu/release). Without targets, every fuzz target of
# fuzz/Cargo.toml (that is, of `cargo fuzz list`).
# -t: seconds per run (default 25). -r: rounds (default 2); round k runs each target A then B
# when k is odd and B then A when k is even, so neither side always runs first.
# -S: the seed directory (default fuzz/seeds, as `run.sh` generates it); each run starts with an
# empty corpus directory of its own and reads the seeds as libFuzzer's second directory, which
# it never writes to, so runs do not feed each other.
# The arguments are `run.sh`'s (`-max_total_time`, the target's dictionary, `-rss_limit_mb=2048
# -timeout=10`), plus `-seed=ROUND` so that both sides of a pair start from the same random
# seed. Each run appends one line to OUT.tsv: round, target, side, seconds, executions,
# exec/s (libFuzzer's final `number_of_executed_units` and `average_exec_per_sec`), cov, ft
# (of the last status line), and the 1-minute load average when the run ended.
# At the end it prints, per target, the mean exec/s of each side over the rounds and B/A (the
# summary of every line of OUT.tsv, earlier runs appended to it included).
# A crash stops the script with a non-zero status (its log is kept and printed).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
secs=25
rounds=2
seeds="$here/seeds"
out=""
while getopts "t:r:S:o:" opt; do
    case $opt in
        t) secs=$OPTARG ;;
        r) rounds=$OPTARG ;;
        S) seeds=$OPTARG ;;
        o) out=$OPTARG ;;
        *) exit 2 ;;
    esac
done
shift $((OPTIND - 1))
if [ -z "$out" ] || [ $# -lt 2 ]; then
    echo "usage: $0 [-t SECONDS] [-r ROUNDS] [-S SEEDS_DIR] -o OUT.tsv DIR_A DIR_B [TARGET...]" >&2
    exit 2
fi
dir_a=$1
dir_b=$2
shift 2
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(grep -oP '^name = "\K[a-z0-9_]+(?=")' "$here/Cargo.toml")
fi

dict_for() {
    case $1 in
        imap_*) echo "$here/dict/imap.dict" ;;
        pop3_*) echo "$here/dict/pop3.dict" ;;
        *) echo "$here/dict/mailtrace.dict" ;;
    esac
}

# One run of target $2 from build directory $3, labelled side $4, round $1.
run_one() {
    local round=$1 t=$2 dir=$3 side=$4
    local work log status=0
    work=$(mktemp -d)
    log="$work/log"
    mkdir -p "$work/corpus" "$seeds/$t"
    "$dir/$t" "$work/corpus" "$seeds/$t" -max_total_time="$secs" -dict="$(dict_for "$t")" \
        -print_final_stats=1 -rss_limit_mb=2048 -timeout=10 -seed="$round" \
        -artifact_prefix="$work/" >"$log" 2>&1 || status=$?
    if [ "$status" -ne 0 ]; then
        tail -60 "$log"
        echo "fuzz target $t ($side, $dir) failed (status $status); kept $work" >&2
        exit 1
    fi
    local execs rate last cov ft load
    execs=$(grep -oP '^stat::number_of_executed_units:\s+\K[0-9]+' "$log" || echo "?")
    rate=$(grep -oP '^stat::average_exec_per_sec:\s+\K[0-9]+' "$log" || echo "?")
    last=$(grep -E '^#[0-9]+[[:space:]]' "$log" | tail -1 || true)
    cov=$(grep -oP 'cov: \K[0-9]+' <<<"$last" || echo "?")
    ft=$(grep -oP 'ft: \K[0-9]+' <<<"$last" || echo "?")
    load=$(cut -d' ' -f1 /proc/loadavg)
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$t" "$side" "$secs" "$execs" "$rate" \
        "$cov" "$ft" "$load" | tee -a "$out"
    rm -rf "$work"
}

for ((round = 1; round <= rounds; round++)); do
    for t in "${targets[@]}"; do
        if ((round % 2)); then
            run_one "$round" "$t" "$dir_a" A
            run_one "$round" "$t" "$dir_b" B
        else
            run_one "$round" "$t" "$dir_b" B
            run_one "$round" "$t" "$dir_a" A
        fi
    done
done

# Per target: mean exec/s of A and of B over the rounds, and B / A.
awk -F'\t' '
    { n[$2 FS $3]++; r[$2 FS $3] += $6; if (!($2 in seen)) { seen[$2] = 1; order[++k] = $2 } }
    END {
        printf "%-26s %10s %10s %7s\n", "target", "A exec/s", "B exec/s", "B/A"
        for (i = 1; i <= k; i++) {
            t = order[i]; a = r[t FS "A"] / n[t FS "A"]; b = r[t FS "B"] / n[t FS "B"]
            printf "%-26s %10.0f %10.0f %7.2f\n", t, a, b, (a > 0 ? b / a : 0)
        }
    }' "$out"
