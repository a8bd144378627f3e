#!/usr/bin/env bash
# shellcheck disable=SC2317  # the bench_* functions are called through SECTIONS
# tests/bench/run.sh BUILD_DIR — the speed figures `make bench` prints.
#
# One section per benchmark: a function bench_<name> that prints a heading
# and its figures, listed in SECTIONS below.  To add a benchmark, write its
# function and append its name.  A section that cannot run (its program,
# input or tool is missing) says so and is skipped; a section that fails
# makes the script exit 1 after the others have run.  Each figure is also
# recorded with `figure`, and the table of all of them closes the run
# (docs/performance.md is that table, measured).
#
# Sections (docs/performance.md says what each measures):
#   kernel     the hold model in C (bench_hold) and in SimPy; the ratio
#   updown     100 up/down components in C (bench_updown), SimPy and drsim run
#   warm       scenarios/warm-standby.yaml, 1 and 2 threads; scaling efficiency
#   strategies `drsim table strategies`, end to end
#   profile    where (warm) and (strategies) spend their time: perf's top 5
#   memory     peak resident memory of `drsim run --quiet`, 10^4 and 10^6 trials
#   end_to_end scenarios/web-tier.yaml, one thread
#
# Environment:
#   BENCH_HOLD_EVENTS     events per timed hold run in C (default 20000000)
#   BENCH_SIMPY_EVENTS    events of the SimPy hold run (default 300000)
#   BENCH_MEMORY_TRIALS   the large memory run's trials (default 1000000)
#   BENCH_WARM_TRIALS     trials of the warm-standby runs (default 6000)
#   BENCH_WARM_RUNS       warm-standby runs per thread count, best kept (default 5)
#   BENCH_RUNS            timed runs per figure, best kept (default 3)
#   BENCH_SECTIONS        sections to run, space-separated (default: all)
#   DRSIM                 the drsim binary (default ./drsim)
#   PYTHON                the Python with SimPy 2.3 (default /usr/bin/python3:
#                         Debian's python3-simpy is installed for it alone)
#
# Figures depend on the machine and on what else runs on it: compare them
# on one quiet machine, and keep the header lines with them.
set -u

build=${1:-build}
drsim=${DRSIM:-./drsim}
runs=${BENCH_RUNS:-3}
python=${PYTHON:-/usr/bin/python3}
here=$(cd "$(dirname "$0")" && pwd)

heading() { printf '\n== %s ==\n' "$1"; }

# The figures for the closing table: name, value, what it is.
FIG_NAMES=()
FIG_VALUES=()
figure() {
    FIG_NAMES+=("$1")
    FIG_VALUES+=("$2")
}

machine() {
    local cpu
    cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
    printf 'date     %s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
    printf 'machine  %s  cores=%s  load=%s\n' "${cpu:-unknown cpu}" \
        "$(nproc 2>/dev/null || echo '?')" \
        "$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
    printf 'commit   %s%s\n' "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" \
        "$(git diff --quiet HEAD -- sim models include 2>/dev/null || echo ' (with uncommitted changes)')"
    printf 'simpy    %s\n' "$("$python" -c 'import SimPy; print("SimPy", SimPy.__version__, "for")' 2>/dev/null || echo 'SimPy not found for') $python"
}

# Seconds since the epoch, with nanoseconds.
now_s() { date +%s.%N; }

# The value of key=VALUE in a line of key=value fields ("12.3e6" stays as is).
field() { sed -n "s/.*[[:space:]]$1=\([^[:space:]]*\).*/\1/p" | head -n 1; }

# a / b, or "?" when either is missing or b is 0.
ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN {
        if (a == "" || b == "" || a == "?" || b == "?" || b + 0 == 0) print "?"
        else printf "%.1f\n", a / b }'
}

# Events per second as a number from "12.3e6".
as_number() { awk -v v="$1" 'BEGIN { if (v == "") print ""; else printf "%.6g\n", v + 0 }'; }

have_drsim() {
    if [ ! -x "$drsim" ]; then
        echo "skipped: $drsim is not built (make)"
        return 1
    fi
}

have_simpy() {
    if ! "$python" -c 'import SimPy.Simulation' 2>/dev/null; then
        echo "skipped SimPy: $python cannot import SimPy (make bench-deps installs python3-simpy)"
        return 1
    fi
}

# The best of `runs` runs of a command printing one key=value line: the
# line with the highest events_per_s.
best_line() {
    local best="" best_v=-1 line v
    for _ in $(seq "$runs"); do
        line=$("$@") || return 1
        v=$(as_number "$(printf '%s\n' "$line" | field events_per_s)")
        if awk -v a="$v" -v b="$best_v" 'BEGIN { exit !(a > b) }'; then
            best=$line
            best_v=$v
        fi
    done
    printf '%s\n' "$best"
}

# `drsim run ARGS` once: prints "wall_s run_s events trial_years".  run_s,
# events and trial-years come from its header line
#   run       2000 trials x 10 y, seed 1, 1 thread, 0.35 s, 6.53e+05 events
# run_s is the simulation alone, without loading the scenario or the report;
# wall_s is the whole command.
drsim_run_once() {
    local start end header wall run events years
    start=$(now_s)
    header=$("$drsim" run "$@" 2>/dev/null | sed -n 's/^run[[:space:]]*//p')
    end=$(now_s)
    if [ -z "$header" ]; then
        echo "failed: $drsim run $* printed no run line" >&2
        return 1
    fi
    wall=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.4f", b - a }')
    run=$(printf '%s\n' "$header" | sed -n 's/.*, \([0-9.]*\) s, .*/\1/p')
    events=$(printf '%s\n' "$header" | sed -n 's/.*, \([0-9.e+]*\) events.*/\1/p')
    years=$(printf '%s\n' "$header" |
        sed -n 's/^\([0-9]*\) trials x \([0-9.e+]*\) y,.*/\1 \2/p' | awk '{ print $1 * $2 }')
    printf '%s %s %s %s\n' "$wall" "$run" "$events" "$years"
}

# The better of two drsim_run_once lines: the one with the shorter run_s.
faster() {
    if [ -z "$1" ]; then
        printf '%s\n' "$2"
        return
    fi
    awk -v a="$1" -v b="$2" 'BEGIN { split(a, x, " "); split(b, y, " ");
                                     print (y[2] + 0 < x[2] + 0) ? b : a }'
}

# `drsim run ARGS`, best of `runs` (the shortest run_s), as drsim_run_once.
drsim_run_best() {
    local best="" line
    for _ in $(seq "$runs"); do
        line=$(drsim_run_once "$@") || return 1
        best=$(faster "$best" "$line")
    done
    printf '%s\n' "$best"
}

# ---------------------------------------------------------------------------
# (a) Kernel: the hold model (tests/bench/bench_hold.c; simpy_models.py hold).

bench_kernel() {
    heading "kernel: hold model, 1000 pending events, Exp(1) increments"
    local bin=$build/bench/bench_hold out c_rate="" s_line s_rate=""
    if [ ! -x "$bin" ]; then
        echo "skipped: $bin is not built (make BUILD=$build $bin)"
    else
        out=$("$bin" "${BENCH_HOLD_EVENTS:-20000000}") || return 1
        printf '%s\n' "$out"
        c_rate=$(printf '%s\n' "$out" | grep 'rng=drsim' | field events_per_s)
        figure "hold model, C, drsim's streams and ziggurat (events/s; target 25e6)" "$c_rate"
        figure "hold model, C, xoshiro256+ and -log(u) (events/s)" \
            "$(printf '%s\n' "$out" | grep 'rng=xoshiro256+' | field events_per_s)"
        figure "hold model, C, GSL mt19937 (events/s)" \
            "$(printf '%s\n' "$out" | grep 'rng=gsl_mt19937' | field events_per_s)"
        figure "hold model, C, increments from a table: the kernel alone (events/s)" \
            "$(printf '%s\n' "$out" | grep 'rng=table' | field events_per_s)"
        figure "schedule + cancel (ns per pair)" "$(printf '%s\n' "$out" | field ns_per_pair)"
    fi
    if have_simpy; then
        s_line=$(best_line "$python" "$here/simpy_models.py" hold "${BENCH_SIMPY_EVENTS:-300000}") || return 1
        printf '%s  (best of %d)\n' "$s_line" "$runs"
        s_rate=$(printf '%s\n' "$s_line" | field events_per_s)
        figure "hold model, SimPy 2.3 (events/s)" "$s_rate"
    fi
    if [ -n "$c_rate" ] && [ -n "$s_rate" ]; then
        local r
        r=$(ratio "$(as_number "$c_rate")" "$(as_number "$s_rate")")
        echo "ratio    drsim kernel / SimPy = ${r}x  (the drsim line)"
        figure "hold model, C / SimPy" "${r}x"
    fi
}

# ---------------------------------------------------------------------------
# (b) 100 components alternating Exp(mean 1000 h) up and Exp(mean 10 h) down
# for 10^6 hours: bench_updown.c (the kernel), simpy_models.py updown, and
# the same as a scenario (tests/bench/updown.yaml) through `drsim run`.

bench_updown() {
    heading "up/down: 100 components, Exp(1000 h) up, Exp(10 h) down, 10^6 h"
    local bin=$build/bench/bench_updown out="" s_line s_rate="" own="" gsl="" fast="" d="" r
    if [ ! -x "$bin" ]; then
        echo "skipped: $bin is not built (make BUILD=$build $bin)"
    else
        out=$("$bin") || return 1
        printf '%s\n' "$out"
        own=$(printf '%s\n' "$out" | grep 'rng=drsim' | field events_per_s)
        gsl=$(printf '%s\n' "$out" | grep 'rng=gsl_mt19937' | field events_per_s)
        fast=$(printf '%s\n' "$out" | grep 'rng=xoshiro256+' | field events_per_s)
        figure "up/down, C on the kernel, drsim's streams and ziggurat (events/s)" "$own"
        figure "up/down, C on the kernel, GSL mt19937 (events/s)" "$gsl"
        figure "up/down, C on the kernel, xoshiro256+ (events/s)" "$fast"
    fi
    if have_drsim; then
        local best wall run events
        best=$(drsim_run_best "$here/updown.yaml" --trials 40 --threads 1) || return 1
        read -r wall run events _ <<<"$best"
        d=$(awk -v e="$events" -v s="$run" 'BEGIN { printf "%.3fe6", e / s / 1e6 }')
        echo "drsim run tests/bench/updown.yaml --trials 40 --threads 1  events=$events  run_seconds=$run  wall_seconds=$wall  events_per_s=$d  (best of $runs; Philox streams, observer, service gates)"
        figure "up/down, drsim run on a scenario, 1 thread (events/s)" "$d"
    fi
    if have_simpy; then
        s_line=$(best_line "$python" "$here/simpy_models.py" updown) || return 1
        printf '%s  (best of %d)\n' "$s_line" "$runs"
        s_rate=$(printf '%s\n' "$s_line" | field events_per_s)
        figure "up/down, SimPy 2.3 (events/s)" "$s_rate"
    fi
    if [ -n "$s_rate" ]; then
        local s
        s=$(as_number "$s_rate")
        # The first is the target's figure: the same model on drsim's kernel,
        # drawing as drsim's models do.
        for pair in "drsim kernel and draws:$own" "GSL mt19937:$gsl" "xoshiro256+:$fast" \
                    "drsim run:$d"; do
            [ -n "${pair#*:}" ] || continue
            r=$(ratio "$(as_number "${pair#*:}")" "$s")
            echo "ratio    ${pair%%:*} / SimPy = ${r}x  (target 30x)"
            figure "up/down, ${pair%%:*} / SimPy" "${r}x"
        done
    fi
}

# ---------------------------------------------------------------------------
# (c) The warm-standby scenario: trial-years per second, 1 and 2 threads.

bench_warm() {
    local scenario=scenarios/warm-standby.yaml trials=${BENCH_WARM_TRIALS:-6000}
    heading "warm standby: drsim run $scenario --trials $trials (x 10 y)"
    have_drsim || return 0
    local t wall run events years rate1="" rate cores line best1="" best2=""
    echo "load     $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')  (other work on the cores lowers the figures, the 2-thread one most)"
    # 1 and 2 threads in turn, so that a disturbance hits both alike
    local warm_runs=${BENCH_WARM_RUNS:-5}
    for _ in $(seq "$warm_runs"); do
        line=$(drsim_run_once "$scenario" --trials "$trials" --threads 1) || return 1
        best1=$(faster "$best1" "$line")
        line=$(drsim_run_once "$scenario" --trials "$trials" --threads 2) || return 1
        best2=$(faster "$best2" "$line")
    done
    for t in 1 2; do
        if [ "$t" = 1 ]; then line=$best1; else line=$best2; fi
        read -r wall run events years <<<"$line"
        rate=$(awk -v y="$years" -v s="$run" 'BEGIN { printf "%.0f", y / s }')
        # cores used: CPU time over wall time of one more run
        cores="?"
        if [ -x /usr/bin/time ]; then
            cores=$(/usr/bin/time -f '%U %S %e' "$drsim" run "$scenario" --trials "$trials" --threads "$t" --quiet 2>&1 >/dev/null |
                tail -n 1 | awk '$3 > 0 { printf "%.2f", ($1 + $2) / $3 }')
        fi
        awk -v t="$t" -v w="$wall" -v s="$run" -v r="$rate" -v e="$events" -v y="$years" -v c="$cores" -v n="$warm_runs" 'BEGIN {
            printf "threads=%d  trial_years=%s  run_seconds=%s  trial_years_per_s=%s  wall_seconds=%s (%.0f trial-years/s)  cores_busy=%s  events=%s  (best of %d)\n",
                   t, y, s, r, w, y / w, c, e, n }'
        figure "warm standby, $t thread(s) (trial-years/s, simulation)" "$rate"
        figure "warm standby, $t thread(s), wall time with loading (s)" "$wall"
        [ "$t" = 1 ] && rate1=$rate
    done
    if [ -n "$rate1" ]; then
        local eff
        eff=$(awk -v a="$rate1" -v b="$rate" 'BEGIN { printf "%.0f", 100 * b / a / 2 }')
        echo "scaling  speedup $(ratio "$rate" "$rate1")x on 2 threads, efficiency ${eff}% (target 75%; above 100% only by noise)"
        figure "warm standby, 2-thread efficiency (speedup / 2)" "${eff}%"
    fi
}

# ---------------------------------------------------------------------------
# (d) `drsim table strategies`, end to end.

bench_strategies() {
    heading "table strategies: drsim table strategies (7 scenarios x 2000 trials x 10 y)"
    have_drsim || return 0
    local t best start end s
    for t in 2 1; do
        best=""
        for _ in $(seq "$runs"); do
            start=$(now_s)
            "$drsim" table strategies --threads "$t" >/dev/null 2>&1
            # exit 1 only says the chapter's ordering does not hold: still timed
            [ $? -le 1 ] || { echo "failed: $drsim table strategies"; return 1; }
            end=$(now_s)
            s=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')
            best=$(awk -v a="${best:-$s}" -v b="$s" 'BEGIN { print (b < a) ? b : a }')
        done
        echo "threads=$t  wall_seconds=$best  (best of $runs)"
        figure "table strategies, $t thread(s) (wall s)" "$best"
    done
}

# ---------------------------------------------------------------------------
# Where (c) and (d) spend their time: perf's five hottest functions.

top5() {
    perf report -i "$1" --no-children -F overhead,dso,sym --stdio 2>/dev/null |
        awk '/^ +[0-9.]+%/ { printf "  %7s  %-20s %s\n", $1, $2, $4; if (++n == 5) exit }'
}

bench_profile() {
    heading "profile: the five functions with most samples (perf record)"
    have_drsim || return 0
    if ! command -v perf >/dev/null 2>&1; then
        echo "skipped: perf is not installed (Debian: linux-perf)"
        return 0
    fi
    local data
    data=$(mktemp -d)
    if perf record -q -o "$data/warm" "$drsim" run scenarios/warm-standby.yaml --threads 1 --quiet \
        >/dev/null 2>&1; then
        echo "drsim run scenarios/warm-standby.yaml --threads 1:"
        top5 "$data/warm"
    else
        echo "skipped: perf record failed (kernel.perf_event_paranoid?)"
    fi
    if perf record -q -o "$data/table" "$drsim" table strategies --threads 1 >/dev/null 2>&1 ||
        [ -s "$data/table" ]; then
        echo "drsim table strategies --threads 1:"
        top5 "$data/table"
    fi
    rm -rf "$data"
}

# ---------------------------------------------------------------------------
# Peak resident memory of `drsim run --quiet`: 10^4 and 10^6 trials of the
# three-zone web tier, and the growth per trial between them.

peak_kb() {
    /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -n 1
}

bench_memory() {
    local scenario=scenarios/web-tier.yaml small=10000 large=${BENCH_MEMORY_TRIALS:-1000000}
    heading "memory: peak resident set of drsim run $scenario --quiet"
    have_drsim || return 0
    if [ ! -x /usr/bin/time ]; then
        echo "skipped: /usr/bin/time is missing (Debian: time; make bench-deps installs it)"
        return 0
    fi
    local kb_small kb_large per
    kb_small=$(peak_kb "$drsim" run "$scenario" --trials "$small" --quiet)
    kb_large=$(peak_kb "$drsim" run "$scenario" --trials "$large" --quiet)
    per=$(awk -v a="$kb_small" -v b="$kb_large" -v n="$small" -v m="$large" \
        'BEGIN { printf "%.0f", (b - a) * 1024 / (m - n) }')
    echo "trials=$small  peak_rss_kb=$kb_small"
    echo "trials=$large  peak_rss_kb=$kb_large"
    echo "growth   $per bytes per trial between the two"
    figure "web tier, $small trials, peak RSS (KB)" "$kb_small"
    figure "web tier, $large trials, peak RSS (KB)" "$kb_large"
    figure "web tier, memory per added trial (bytes)" "$per"
}

# ---------------------------------------------------------------------------
# End to end: simulated trial-years per second of `drsim run`, one thread.

bench_end_to_end() {
    local scenario=scenarios/web-tier.yaml trials=20000
    heading "end to end: drsim run $scenario --trials $trials --threads 1"
    have_drsim || return 0
    local best wall run events years
    best=$(drsim_run_best "$scenario" --trials "$trials" --threads 1) || return 1
    read -r wall run events years <<<"$best"
    awk -v y="$years" -v s="$run" -v w="$wall" -v r="$runs" 'BEGIN {
        printf "trial_years=%s  run_seconds=%s  trial_years_per_s=%.0f  wall_seconds=%s (%.0f trial-years/s)  (best of %d)\n",
               y, s, y / s, w, y / w, r }'
    figure "web tier, 1 thread (trial-years/s, simulation)" \
        "$(awk -v y="$years" -v s="$run" 'BEGIN { printf "%.0f", y / s }')"
}

# ---------------------------------------------------------------------------

SECTIONS=(kernel updown warm strategies profile memory end_to_end)
if [ -n "${BENCH_SECTIONS:-}" ]; then
    read -r -a SECTIONS <<<"$BENCH_SECTIONS"
fi

started=$(now_s)
machine
status=0
for section in "${SECTIONS[@]}"; do
    "bench_$section" || status=1
done

heading "figures"
for i in "${!FIG_NAMES[@]}"; do
    printf '| %s | %s |\n' "${FIG_NAMES[$i]}" "${FIG_VALUES[$i]:-?}"
done
awk -v a="$started" -v b="$(now_s)" 'BEGIN { printf "\nbench took %.0f s\n", b - a }'
exit $status
