#!/usr/bin/env bash
# run.sh BUILD SECONDS [TARGET...] — runs each libFuzzer harness built by
# `make fuzz` in BUILD/fuzz/ for SECONDS, from the seed corpora below.
#
# Each target's corpus lives in BUILD/fuzz-corpus/TARGET (kept between runs,
# so fuzzing resumes where it stopped); the seeds are read-only.  A crash
# leaves BUILD/fuzz-artifacts/TARGET/crash-* (or leak-, timeout-, oom-) and
# makes this script exit 1 after the other targets have run; fix it and copy
# the input, unchanged, into tests/hostile/crashes/TARGET/ (docs/robustness.md).
#
# Prints one line per target: "fuzz TARGET: N execs in S s, corpus C, OK"
# (or FAILED with the artifact).
set -u
cd "$(dirname "$0")/../.."
ROOT=$PWD
BUILD=${1:?usage: tests/fuzz/run.sh BUILD SECONDS [TARGET...]}
SECONDS_EACH=${2:?usage: tests/fuzz/run.sh BUILD SECONDS [TARGET...]}
shift 2
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(scenario duration dist experiment demand)
case "$BUILD" in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac

# Seeds: files (any depth) in these directories.
seeds() {
    case "$1" in
    scenario) echo "$ROOT/scenarios $ROOT/tests/scenarios $ROOT/tests/hostile/scenario" ;;
    experiment) echo "$ROOT/scenarios/experiments $ROOT/tests/experiments $ROOT/tests/hostile/experiment" ;;
    demand) echo "$ROOT/tests/data/demand $ROOT/tests/hostile/demand" ;;
    duration | dist) echo "$ROOT/tests/fuzz/seeds/$1" ;;
    esac
    # what fuzzing found before, replayed first (tests/test_fuzz_replay.c too)
    echo "$ROOT/tests/hostile/crashes/$1"
}

status=0
for target in "${TARGETS[@]}"; do
    bin=$BUILD/fuzz/fuzz_$target
    if [ ! -x "$bin" ]; then
        echo "fuzz $target: FAILED: no $bin (run make fuzz)"
        status=1
        continue
    fi
    corpus=$BUILD/fuzz-corpus/$target
    artifacts=$BUILD/fuzz-artifacts/$target
    mkdir -p "$corpus" "$artifacts"
    dict=()
    [ -f "$ROOT/tests/fuzz/$target.dict" ] && dict=(-dict="$ROOT/tests/fuzz/$target.dict")
    seed_dirs=()
    for d in $(seeds "$target"); do
        [ -d "$d" ] && seed_dirs+=("$d")
    done
    log=$BUILD/fuzz-$target.log
    # The scenario harness resolves relative paths (extends, empirical CSV,
    # prices) from the working directory: the examples' own directory.
    workdir=$ROOT
    [ "$target" = scenario ] && workdir=$ROOT/scenarios
    (cd "$workdir" && "$bin" -max_total_time="$SECONDS_EACH" -timeout=20 -rss_limit_mb=2048 \
        -max_len=65536 -print_final_stats=1 -artifact_prefix="$artifacts/" "${dict[@]}" \
        "$corpus" "${seed_dirs[@]}") >"$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    took=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    size=$(find "$corpus" -type f | wc -l | tr -d ' ')
    if [ "$rc" -eq 0 ]; then
        echo "fuzz $target: ${execs:-?} execs (${took:-?}/s) in ${SECONDS_EACH} s, corpus $size, OK"
    else
        artifact=$(ls -t "$artifacts" 2>/dev/null | head -n 1)
        echo "fuzz $target: FAILED (exit $rc) after ${execs:-?} execs: $artifacts/$artifact"
        grep -E 'ERROR|SUMMARY|runtime error|==[0-9]+==' "$log" | head -n 20 | sed 's/^/#   /'
        echo "#   full log: $log"
        status=1
    fi
done
exit $status
