#!/usr/bin/env bash
# A/B comparison of the fuzz targets' executions per second: two builds, run alternately on
# the same machine at the same time, from the same seeds, so that load changes hit both alike.
#
#   fuzz/ab.sh [-t SECONDS | -x CPU_SECONDS] [-r ROUNDS] [-S SEEDS_DIR] -o OUT.tsv DIR_A DIR_B [TARGET...]
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
# exec/s (libFuzzer's final `number_of_executed_units` and `average_exec_per_sec`, per
# wall-clock second), the CPU seconds the run used (user + system, /usr/bin/time), executions
# per CPU second, cov, ft (of the last status line), and the 1-minute load average when the run
# ended. On a shared machine a fuzzer gets a varying share of a core: executions per CPU second
# do not depend on that share, exec/s does.
# At the end it prints, per target, the mean exec/s and executions per CPU second of each side
# over the rounds and their ratios B/A (the summary of every line of OUT.tsv, earlier runs
# appended to it included).
# -x: instead of fuzzing, replay: every seed of the target is run N times (libFuzzer's file
# mode, `-runs=N SEED...`), the same fixed work for both sides, N doubled from 1 until side A
# uses at least CPU_SECONDS of user time (then kept for every round of both sides). Seconds is
# then `replay`, executions N x seeds, CPU seconds the user time; cov and ft are `-`.
# A crash stops the script with a non-zero status (its log is kept and printed).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
fuzz_dir=$here
# shellcheck source=common.sh
. "$here/common.sh"
secs=25
replay=""
rounds=2
seeds="$here/seeds"
out=""
while getopts "t:x:r:S:o:" opt; do
    case $opt in
        t) secs=$OPTARG ;;
        x) replay=$OPTARG ;;
        r) rounds=$OPTARG ;;
        S) seeds=$OPTARG ;;
        o) out=$OPTARG ;;
        *) exit 2 ;;
    esac
done
shift $((OPTIND - 1))
if [ -z "$out" ] || [ $# -lt 2 ]; then
    echo "usage: $0 [-t SECONDS | -x CPU_SECONDS] [-r ROUNDS] [-S SEEDS_DIR] -o OUT.tsv DIR_A DIR_B [TARGET...]" >&2
    exit 2
fi
dir_a=$1
dir_b=$2
shift 2
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(grep -oP '^name = "\K[a-z0-9_]+(?=")' "$here/Cargo.toml")
fi

# Replays every seed of target $2 $3 times with the build in directory $1; prints the user CPU
# seconds and the wall-clock seconds.
replay_cpu() {
    local dir=$1 t=$2 n=$3 work status=0
    work=$(mktemp -d)
    /usr/bin/time -f '%U %e' -o "$work/cpu" "$dir/$t" -runs="$n" -rss_limit_mb=2048 -timeout=10 \
        -artifact_prefix="$work/" "$seeds/$t"/* >"$work/log" 2>&1 || status=$?
    if [ "$status" -ne 0 ]; then
        tail -60 "$work/log" >&2
        echo "replaying $t ($dir) failed (status $status); kept $work" >&2
        exit 1
    fi
    cat "$work/cpu"
    rm -rf "$work"
}

# Round $1 of the replay of target $2 from build directory $3 (side $4), $5 times each seed.
replay_one() {
    local round=$1 t=$2 dir=$3 side=$4 n=$5 files cpu wall execs load
    files=$(find "$seeds/$t" -maxdepth 1 -type f | wc -l)
    read -r cpu wall < <(replay_cpu "$dir" "$t" "$n")
    [ -n "$cpu" ] || exit 1
    execs=$((n * files))
    load=$(cut -d' ' -f1 /proc/loadavg)
    printf '%s\t%s\t%s\treplay\t%s\t%s\t%s\t%s\t-\t-\t%s\n' "$round" "$t" "$side" "$execs" \
        "$(awk -v e="$execs" -v w="$wall" 'BEGIN { printf "%.0f", (w > 0 ? e / w : 0) }')" "$cpu" \
        "$(awk -v e="$execs" -v c="$cpu" 'BEGIN { printf "%.0f", (c > 0 ? e / c : 0) }')" \
        "$load" | tee -a "$out"
}

# The number of times to replay each seed of target $1 so that side A ($2) uses at least
# $replay user CPU seconds.
replay_count() {
    local dir=$1 t=$2 n=1 cpu wall
    while :; do
        read -r cpu wall < <(replay_cpu "$dir" "$t" "$n")
        [ -n "$cpu" ] || exit 1
        if awk -v c="$cpu" -v m="$replay" 'BEGIN { exit !(c >= m) }'; then
            echo "$n"
            return
        fi
        n=$((n * 2))
    done
}

# One run of target $2 from build directory $3, labelled side $4, round $1.
run_one() {
    local round=$1 t=$2 dir=$3 side=$4
    local work log status=0
    work=$(mktemp -d)
    log="$work/log"
    mkdir -p "$work/corpus" "$seeds/$t"
    /usr/bin/time -f '%U %S' -o "$work/cpu" "$dir/$t" "$work/corpus" "$seeds/$t" -max_total_time="$secs" -dict="$(dict_for "$t")" \
        -print_final_stats=1 -rss_limit_mb=2048 -timeout=10 -seed="$round" \
        -artifact_prefix="$work/" >"$log" 2>&1 || status=$?
    if [ "$status" -ne 0 ]; then
        tail -60 "$log"
        echo "fuzz target $t ($side, $dir) failed (status $status); kept $work" >&2
        exit 1
    fi
    local execs rate cov ft corp load cpu per_cpu
    final_stats "$log"
    load=$(cut -d' ' -f1 /proc/loadavg)
    cpu=$(awk 'END { printf "%.2f", $1 + $2 }' "$work/cpu")
    per_cpu=$(awk -v e="$execs" -v c="$cpu" 'BEGIN { printf "%.0f", (c > 0 ? e / c : 0) }')
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$t" "$side" "$secs" "$execs" \
        "$rate" "$cpu" "$per_cpu" "$cov" "$ft" "$load" | tee -a "$out"
    rm -rf "$work"
}

if [ -n "$replay" ]; then
    for t in "${targets[@]}"; do
        n=$(replay_count "$dir_a" "$t")
        [ -n "$n" ] || exit 1
        for ((round = 1; round <= rounds; round++)); do
            if ((round % 2)); then
                replay_one "$round" "$t" "$dir_a" A "$n"
                replay_one "$round" "$t" "$dir_b" B "$n"
            else
                replay_one "$round" "$t" "$dir_b" B "$n"
                replay_one "$round" "$t" "$dir_a" A "$n"
            fi
        done
    done
else
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
fi

# Per target: means over the rounds of A and of B, exec/s and executions per CPU second, and B / A.
awk -F'\t' '
    {
        k2 = $2 FS $3; n[k2]++; r[k2] += $6; c[k2] += $8
        if (!($2 in seen)) { seen[$2] = 1; order[++k] = $2 }
    }
    END {
        printf "%-26s %9s %9s %6s %11s %11s %6s\n", "target", "A exec/s", "B exec/s", "B/A",
            "A exec/cpus", "B exec/cpus", "B/A"
        for (i = 1; i <= k; i++) {
            t = order[i]; na = n[t FS "A"]; nb = n[t FS "B"]
            if (!na || !nb) continue
            a = r[t FS "A"] / na; b = r[t FS "B"] / nb; ca = c[t FS "A"] / na; cb = c[t FS "B"] / nb
            printf "%-26s %9.0f %9.0f %6.2f %11.0f %11.0f %6.2f\n", t, a, b, (a > 0 ? b / a : 0),
                ca, cb, (ca > 0 ? cb / ca : 0)
        }
    }' "$out"
