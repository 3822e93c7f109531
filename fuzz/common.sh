# Shell functions shared by fuzz/run.sh and fuzz/ab.sh (sourced, not run). The sourcing
# script sets `fuzz_dir` to the absolute path of fuzz/ first.

# The dictionary of target $1.
dict_for() {
    case $1 in
        imap_*) echo "$fuzz_dir/dict/imap.dict" ;;
        pop3_*) echo "$fuzz_dir/dict/pop3.dict" ;;
        *) echo "$fuzz_dir/dict/mailtrace.dict" ;;
    esac
}

# libFuzzer's final statistics in log $1 (run with -print_final_stats=1): sets `execs` and
# `rate` (number_of_executed_units, average_exec_per_sec) and `cov`, `ft`, `corp` (of the last
# status line); "?" for what the log lacks.
final_stats() {
    local last
    execs=$(grep -oP '^stat::number_of_executed_units:\s+\K[0-9]+' "$1" || echo "?")
    rate=$(grep -oP '^stat::average_exec_per_sec:\s+\K[0-9]+' "$1" || echo "?")
    last=$(grep -E '^#[0-9]+[[:space:]]' "$1" | tail -1 || true)
    cov=$(grep -oP 'cov: \K[0-9]+' <<<"$last" || echo "?")
    ft=$(grep -oP 'ft: \K[0-9]+' <<<"$last" || echo "?")
    corp=$(grep -oP 'corp: \K[0-9]+/[0-9A-Za-z]+' <<<"$last" || echo "?")
}
