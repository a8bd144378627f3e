#!/usr/bin/env bash
# shellcheck disable=SC2317  # the bench_* functions are called through SECTIONS
# tests/bench/run.sh BUILD_DIR — the speed figures `make bench` prints.
#
# One section per benchmark: a function bench_<name> that prints a heading
# and its figures, listed in SECTIONS below.  To add a benchmark, write its
# function and append its name.  A section that cannot run (its program or
# input is missing) says so and is skipped; a section that fails makes the
# script exit 1 after the others have run.
#
# Environment:
#   BENCH_HOLD_EVENTS  events per timed hold run (default: bench_hold's 50e6)
#   BENCH_RUNS         timed runs per end-to-end figure, best kept (default 3)
#   DRSIM              the drsim binary (default ./drsim)
#
# Figures depend on the machine and on what else runs on it: compare them
# on one quiet machine, and keep the header lines with them.
set -u

build=${1:-build}
drsim=${DRSIM:-./drsim}
runs=${BENCH_RUNS:-3}

heading() { printf '\n== %s ==\n' "$1"; }

machine() {
    local cpu
    cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
    printf 'machine  %s  cores=%s  load=%s\n' "${cpu:-unknown cpu}" \
        "$(nproc 2>/dev/null || echo '?')" \
        "$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
    printf 'commit   %s\n' "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
}

# ---------------------------------------------------------------------------
# Kernel: the hold model (tests/bench/bench_hold.c).

bench_kernel() {
    heading "kernel: hold model, 1000 pending events, Exp(1) increments"
    local bin=$build/bench/bench_hold
    if [ ! -x "$bin" ]; then
        echo "skipped: $bin is not built (make BUILD=$build $bin)"
        return 0
    fi
    "$bin" ${BENCH_HOLD_EVENTS:+"$BENCH_HOLD_EVENTS"}
}

# ---------------------------------------------------------------------------
# End to end: simulated trial-years per second of `drsim run`, one thread.

# The horizon of a scenario file in years (365 days), from its top-level
# `horizon:` key; 10 when the key is missing or unreadable.
scenario_horizon_years() {
    awk '
        /^horizon[[:space:]]*:/ {
            v = $0
            sub(/^horizon[[:space:]]*:[[:space:]]*/, "", v)
            sub(/[[:space:]]*#.*$/, "", v)
            gsub(/["\047[:space:]]/, "", v)
            if (match(v, /^[+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?/)) {
                n = substr(v, 1, RLENGTH) + 0
                u = substr(v, RLENGTH + 1)
                s = (u == "ms") ? 0.001 : (u == "" || u == "s") ? 1 : (u == "m") ? 60 :
                    (u == "h") ? 3600 : (u == "d") ? 86400 : (u == "w") ? 604800 :
                    (u == "y") ? 31536000 : -1
                if (s > 0 && n > 0) { printf "%.10g\n", n * s / 31536000; found = 1; exit }
            }
        }
        END { if (!found) print 10 }
    ' "$1" 2>/dev/null || echo 10
}

# Seconds since the epoch, with nanoseconds.
now_s() { date +%s.%N; }

bench_end_to_end() {
    local scenario=scenarios/web-tier.yaml trials=2000
    heading "end to end: drsim run $scenario --trials $trials --threads 1"
    if [ ! -x "$drsim" ]; then
        echo "skipped: $drsim is not built (make)"
        return 0
    fi
    if [ ! -r "$scenario" ]; then
        echo "skipped: $scenario is missing"
        return 0
    fi
    local years best="" start end seconds rc
    years=$(scenario_horizon_years "$scenario")
    for _ in $(seq "$runs"); do
        start=$(now_s)
        "$drsim" run "$scenario" --trials "$trials" --threads 1 --quiet >/dev/null
        rc=$?
        if [ "$rc" -ne 0 ]; then
            echo "failed: $drsim run $scenario exited with status $rc"
            return 1
        fi
        end=$(now_s)
        seconds=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.6f", b - a }')
        best=$(awk -v a="${best:-$seconds}" -v b="$seconds" 'BEGIN { print (b < a) ? b : a }')
    done
    awk -v t="$trials" -v y="$years" -v s="$best" -v r="$runs" 'BEGIN {
        printf "drsim  trials=%d  horizon_years=%g  seconds=%.3f  trial_years_per_s=%.4g  (best of %d, wall time)\n",
               t, y, s, t * y / s, r
    }'
}

# ---------------------------------------------------------------------------

SECTIONS=(kernel end_to_end)

machine
status=0
for section in "${SECTIONS[@]}"; do
    "bench_$section" || status=1
done
exit $status
