#!/usr/bin/env bash
# cli_test — drsim's command line against SPEC §1, §4, §5 and §6.
#
# Run from the repository root with DRSIM pointing at the program
# (`make test` sets DRSIM to its build's program, e.g. build/asan/drsim).  Prints "ok - ..." or "not ok - ..." per
# check, then "N passed, N failed"; exits 0 only when nothing failed.
set -u

BAD_DIR=tests/scenarios/bad
GOOD_DIR=tests/scenarios/good
WEB_TIER=scenarios/web-tier.yaml

TEST_TMP_NAME=drsim-cli source "$(dirname "$0")/lib.sh"

# expect_status DESCRIPTION STATUS ARGS...: drsim ARGS exits with STATUS.
expect_status() {
    local description=$1 status=$2
    shift 2
    drsim "$@"
    if [ "$rc" -eq "$status" ]; then
        ok "$description"
    else
        not_ok "$description" "drsim $* exited $rc, expected $status" "stderr: $(err)"
    fi
}

# expect_usage_error DESCRIPTION ARGS...: exit 2, nothing on stdout, and a line
# starting "drsim: " on stderr.
expect_usage_error() {
    local description=$1
    shift
    drsim "$@"
    if [ "$rc" -eq 2 ] && [ ! -s "$TMP/out" ] && grep -q '^drsim: ' "$TMP/err"; then
        ok "$description"
    else
        not_ok "$description" "drsim $* exited $rc (want 2); stdout $(wc -c <"$TMP/out") bytes (want 0)" \
            "stderr (expected a line starting 'drsim: '):" "$(err)"
    fi
}

# csv_rows FILE: data rows (lines after the header).
csv_rows() { tail -n +2 "$1" | wc -l | tr -d ' '; }
# csv_header FILE: the first line without a trailing CR.
csv_header() { head -n 1 "$1" | tr -d '\r'; }

same_files() { # DIR1 DIR2: the three CSV files are byte-identical
    local f
    for f in summary.csv trials.csv incidents.csv; do
        cmp -s "$1/$f" "$2/$f" || return 1
    done
}

# ---- help and version ----------------------------------------------------------------------

for args in "--help" "--version" "run --help" "validate --help" "table --help" "table sla --help"; do
    # shellcheck disable=SC2086
    drsim $args
    if [ "$rc" -eq 0 ] && [ -s "$TMP/out" ]; then
        ok "drsim $args exits 0 and prints to stdout"
    else
        not_ok "drsim $args exits 0 and prints to stdout" "exit $rc" "$(err)"
    fi
done

drsim --version
if out | grep -Eq '^drsim [0-9]+\.[0-9]+\.[0-9]+$'; then
    ok "--version prints 'drsim X.Y.Z'"
else
    not_ok "--version prints 'drsim X.Y.Z'" "$(out)"
fi

# ---- usage errors --------------------------------------------------------------------------

expect_usage_error "no arguments exits 2 with a drsim: message"
expect_usage_error "an unknown command exits 2 with a drsim: message" frobnicate
expect_usage_error "an unknown top-level option exits 2 with a drsim: message" --frobnicate
expect_usage_error "an unknown run option exits 2 with a drsim: message" run "$WEB_TIER" --frobnicate
expect_usage_error "a run option without its value exits 2" run "$WEB_TIER" --trials
expect_usage_error "run without a scenario exits 2" run
expect_usage_error "run with two scenarios exits 2" run "$WEB_TIER" "$WEB_TIER"
expect_usage_error "an unknown validate option exits 2 with a drsim: message" validate --frobnicate
expect_usage_error "validate without a scenario exits 2" validate
expect_usage_error "table without a table name exits 2 with a drsim: message" table
expect_usage_error "an unknown table exits 2" table frobnicate
expect_usage_error "an unknown table sla option exits 2" table sla --frobnicate

expect_usage_error "--trials 0 exits 2" run "$WEB_TIER" --trials 0
expect_usage_error "--trials x exits 2" run "$WEB_TIER" --trials x
expect_usage_error "--threads 0 exits 2" run "$WEB_TIER" --threads 0
expect_usage_error "--horizon -1h exits 2" run "$WEB_TIER" --horizon -1h
expect_usage_error "--horizon 0 exits 2" run "$WEB_TIER" --horizon 0
expect_usage_error "--seed -3 exits 2" run "$WEB_TIER" --seed -3
expect_usage_error "table sla --availability 2 exits 2" table sla --availability 2

# ---- validate and run on the corpora -------------------------------------------------------

good_files=("$GOOD_DIR"/*.yaml scenarios/*.yaml)
for f in "${good_files[@]}"; do
    drsim validate "$f"
    if [ "$rc" -eq 0 ] && [ ! -s "$TMP/out" ] && [ ! -s "$TMP/err" ]; then
        ok "validate $f prints nothing and exits 0"
    else
        not_ok "validate $f prints nothing and exits 0" "exit $rc" "$(out)" "$(err)"
    fi
done

bad_count=0
for f in "$BAD_DIR"/*.yaml; do
    bad_count=$((bad_count + 1))
    expected="${f%.yaml}.err"
    drsim validate "$f"
    if [ "$rc" -eq 2 ] && [ ! -s "$TMP/out" ] && cmp -s "$expected" "$TMP/err"; then
        ok "validate $f exits 2 with $expected on stderr"
    else
        not_ok "validate $f exits 2 with $expected on stderr" \
            "exit $rc, stdout $(wc -c <"$TMP/out") bytes; stderr differs (- expected, + actual):" \
            "$(diff "$expected" "$TMP/err" | grep '^[<>]' | sed 's/^</-/; s/^>/+/')"
    fi

    csv_dir="$TMP/bad-csv-$bad_count"
    plot_dir="$TMP/bad-plot-$bad_count"
    drsim run "$f" --trials 10 --csv "$csv_dir" --plot "$plot_dir"
    leftovers=$(find "$csv_dir" "$plot_dir" -mindepth 1 2>/dev/null | head -n 3)
    if [ "$rc" -eq 2 ] && [ ! -s "$TMP/out" ] && cmp -s "$expected" "$TMP/err" &&
        [ -z "$leftovers" ]; then
        ok "run $f exits 2 with its messages and writes no output"
    else
        not_ok "run $f exits 2 with its messages and writes no output" \
            "exit $rc, stdout $(wc -c <"$TMP/out") bytes, files left: ${leftovers:-none}" \
            "$(diff "$expected" "$TMP/err" | grep '^[<>]' | sed 's/^</-/; s/^>/+/')"
    fi
done
if [ "$bad_count" -ge 40 ]; then
    ok "the bad corpus has at least 40 cases ($bad_count)"
else
    not_ok "the bad corpus has at least 40 cases" "found $bad_count"
fi

mkdir "$TMP/empty-csv"
drsim run "$BAD_DIR/count-zero.yaml" --csv "$TMP/empty-csv"
if [ "$rc" -eq 2 ] && [ -z "$(ls -A "$TMP/empty-csv")" ]; then
    ok "run BAD --csv into an existing empty directory leaves it empty"
else
    not_ok "run BAD --csv into an existing empty directory leaves it empty" "exit $rc" \
        "$(ls -A "$TMP/empty-csv")"
fi

drsim run "$TMP/no-such-scenario.yaml"
if [ "$rc" -eq 2 ] && [ ! -s "$TMP/out" ] &&
    [ "$(err)" = "$TMP/no-such-scenario.yaml: error: cannot open: No such file or directory" ]; then
    ok "run on a nonexistent scenario exits 2 naming the file"
else
    not_ok "run on a nonexistent scenario exits 2 naming the file" "exit $rc" "$(err)"
fi
drsim validate "$TMP/no-such-scenario.yaml"
if [ "$rc" -eq 2 ] && grep -q 'cannot open' "$TMP/err"; then
    ok "validate on a nonexistent scenario exits 2"
else
    not_ok "validate on a nonexistent scenario exits 2" "exit $rc" "$(err)"
fi
for args in "run tests/scenarios" "validate tests/scenarios"; do
    # shellcheck disable=SC2086
    drsim $args
    if [ "$rc" -eq 2 ] && [ ! -s "$TMP/out" ] &&
        [ "$(err)" = "tests/scenarios: error: not a regular file" ]; then
        ok "$args (a directory) exits 2: not a regular file"
    else
        not_ok "$args (a directory) exits 2: not a regular file" "exit $rc" "$(err)"
    fi
done

# validate cannot know the horizon a run will use, but a copy that fails and
# recovers in no time would loop at one instant: run must refuse it promptly.
printf 'drsim: 1\nname: zero-cycle\ncomponents: [{name: a, fail: 0, repair: 0}]\n' >"$TMP/zero-cycle.yaml"
"$DRSIM" run "$TMP/zero-cycle.yaml" --trials 2 >"$TMP/out" 2>"$TMP/err" &
pid=$!
for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    wait "$pid" 2>/dev/null
    not_ok "a zero-length fail/repair cycle is refused, not simulated forever" "still running after 5 s"
else
    wait "$pid"
    rc=$?
    # refused by the loader (FILE:LINE:COL) or by the run's event estimate (drsim:)
    if [ "$rc" -eq 2 ] && grep -qE '^(drsim: |[^:]+:[0-9]+:[0-9]+: error: )' "$TMP/err"; then
        ok "a zero-length fail/repair cycle is refused, not simulated forever"
    else
        not_ok "a zero-length fail/repair cycle is refused, not simulated forever" "exit $rc" "$(err)"
    fi
fi

# ---- DR scenarios and the strategies table -------------------------------------------------

# Byte-identical CSV across thread counts for a DR scenario: each trial's
# world starts clean (a stale incident cause once leaked between trials).
for t in 1 2; do
    drsim run scenarios/warm-standby.yaml --trials 300 --threads $t --csv "$TMP/ws$t" --quiet
done
same=yes
for f in summary trials incidents disasters; do
    cmp -s "$TMP/ws1/$f.csv" "$TMP/ws2/$f.csv" || same="no ($f.csv differs)"
done
if [ "$same" = yes ]; then
    ok "run warm-standby: CSV byte-identical for --threads 1 and 2"
else
    not_ok "run warm-standby: CSV byte-identical for --threads 1 and 2" "$same"
fi
if grep -q '^rto,s,' "$TMP/ws1/summary.csv" && grep -q '^rpo,s,' "$TMP/ws1/summary.csv" &&
   grep -q '^cost_per_year,USD,' "$TMP/ws1/summary.csv" && grep -q '^availability_requests,fraction,' "$TMP/ws1/summary.csv"; then
    ok "a DR scenario's summary.csv has rto, rpo, availability_requests and cost_per_year rows"
else
    not_ok "a DR scenario's summary.csv has rto, rpo, availability_requests and cost_per_year rows" "$(cat "$TMP/ws1/summary.csv")"
fi

for t in 1 2; do
    drsim table strategies --trials 200 --threads $t --csv "$TMP/strategies$t.csv"
    [ "$rc" -eq 0 ] || break
done
if [ "$rc" -eq 0 ] && cmp -s "$TMP/strategies1.csv" "$TMP/strategies2.csv"; then
    ok "table strategies: exit 0 and CSV byte-identical for --threads 1 and 2"
else
    not_ok "table strategies: exit 0 and CSV byte-identical for --threads 1 and 2" "exit $rc" "$(err)"
fi
header=$(head -n 1 "$TMP/strategies1.csv" | tr -d '\r')
if [ "$header" = "strategy,rto_p50_s,rto_p95_s,rpo_p50_s,rpo_p95_s,availability,cost_per_year_usd,seed_rto,seed_rpo,seed_cost,rto_verdict,rpo_verdict" ] &&
   [ "$(cut -d, -f1 "$TMP/strategies1.csv" | tail -n +2 | tr -d '\r' | tr '\n' '|')" = "Backup & Restore|Pilot Light|Warm Standby|Multi-Region|Active-Active|" ]; then
    ok "table strategies CSV: the exact header and one row per strategy in the chapter's order"
else
    not_ok "table strategies CSV: the exact header and one row per strategy in the chapter's order" "$(cat "$TMP/strategies1.csv")"
fi
if grep -q "ordering: RTO and RPO do not grow and cost grows" "$TMP/out"; then
    ok "table strategies reports that the chapter's ordering holds"
else
    not_ok "table strategies reports that the chapter's ordering holds" "$(out)"
fi
drsim table strategies --scenarios "$TMP/nowhere"
if [ "$rc" -eq 2 ] && grep -q "^drsim: no scenario directory" "$TMP/err"; then
    ok "table strategies with a missing scenario directory exits 2"
else
    not_ok "table strategies with a missing scenario directory exits 2" "exit $rc" "$(err)"
fi

# ---- --trace: a narrated trial ------------------------------------------------------------

TRACE=tests/scenarios/trace/constant.yaml
drsim run "$TRACE" --trace 0 --quiet
if [ "$rc" -eq 0 ] && grep -q '^2026-01-01 10:00:00.0  instance web/0 (east-a) fails$' "$TMP/out"; then
    ok "--trace narrates the failure at its calendar time"
else
    not_ok "--trace narrates the failure at its calendar time" "exit $rc" "$(out)" "$(err)"
fi
# the seed's target group notices a dead target 70-100 s after it dies
noticed=$(sed -n 's/^2026-01-01 10:0\([0-9]\):\([0-9][0-9]\).[0-9]  load balancer alb marks web\/0 (east-a) unhealthy after 3 failed checks$/\1 \2/p' "$TMP/out")
if [ -n "$noticed" ] && [ $(( ${noticed% *} * 60 + 10#${noticed#* } )) -ge 70 ] &&
   [ $(( ${noticed% *} * 60 + 10#${noticed#* } )) -le 100 ]; then
    ok "--trace: the load balancer marks the target unhealthy after 3 failed checks, 70-100 s later"
else
    not_ok "--trace: the load balancer marks the target unhealthy after 3 failed checks, 70-100 s later" "$(out)"
fi
if grep -q "Auto Scaling group web replaces web/0" "$TMP/out" && grep -q "^end of trial 0: " "$TMP/out"; then
    ok "--trace narrates the replacement and closes with the trial's record"
else
    not_ok "--trace narrates the replacement and closes with the trial's record" "$(out)"
fi
cp "$TMP/out" "$TMP/trace1"
drsim run "$TRACE" --trace 0 --quiet --threads 2
if cmp -s "$TMP/out" "$TMP/trace1"; then
    ok "--trace output is the same on every run and thread count"
else
    not_ok "--trace output is the same on every run and thread count"
fi
drsim run "$TRACE" --trace 5
if [ "$rc" -eq 2 ] && grep -q "^drsim: --trace: trial 5 does not exist" "$TMP/err"; then
    ok "--trace of a trial the run does not have exits 2"
else
    not_ok "--trace of a trial the run does not have exits 2" "exit $rc" "$(err)"
fi

# ---- effort ------------------------------------------------------------------------------

for cmd in validate run; do
    drsim $cmd tests/scenarios/effort/too-many-events.yaml
    if [ "$rc" -eq 2 ] && grep -q '^drsim: .*events per trial' "$TMP/err" && [ ! -s "$TMP/out" ]; then
        ok "$cmd refuses a scenario that needs ~3e11 events per trial"
    else
        not_ok "$cmd refuses a scenario that needs ~3e11 events per trial" "exit $rc" "$(err)"
    fi
done

# ---- output files --------------------------------------------------------------------------

drsim run "$WEB_TIER" --trials 300 --threads 1 --csv "$TMP/t1"
run_rc=$rc
if [ "$run_rc" -eq 0 ] && [ -s "$TMP/out" ] && [ ! -s "$TMP/err" ]; then
    ok "run $WEB_TIER prints a summary on stdout, nothing on stderr, and exits 0"
else
    not_ok "run $WEB_TIER prints a summary on stdout, nothing on stderr, and exits 0" \
        "exit $run_rc" "$(err)"
fi
listing=$(cd "$TMP/t1" 2>/dev/null && ls -A | tr '\n' ' ')
if [ "$listing" = "disasters.csv incidents.csv summary.csv trials.csv " ]; then
    ok "--csv DIR holds exactly summary.csv, trials.csv, incidents.csv, disasters.csv (no temporary files)"
else
    not_ok "--csv DIR holds exactly summary.csv, trials.csv, incidents.csv, disasters.csv (no temporary files)" \
        "found: $listing"
fi

header=$(csv_header "$TMP/t1/summary.csv" 2>/dev/null)
if [ "$header" = "metric,unit,mean,ci_low,ci_high,p50,p95,p99" ]; then
    ok "summary.csv header is exactly metric,unit,mean,ci_low,ci_high,p50,p95,p99"
else
    not_ok "summary.csv header is exactly metric,unit,mean,ci_low,ci_high,p50,p95,p99" "got: $header"
fi
for pair in "availability,fraction" "downtime_per_year,s" "incidents_per_year,1/y" "mttr,s"; do
    metric=${pair%%,*}
    row_unit=$(tr -d '\r' <"$TMP/t1/summary.csv" 2>/dev/null |
        awk -F, -v m="$metric" '$1 == m { print $1 "," $2; n++ } END { if (n != 1) print "rows:" n }')
    if [ "$row_unit" = "$pair" ]; then
        ok "summary.csv has one row $metric with unit ${pair#*,}"
    else
        not_ok "summary.csv has one row $metric with unit ${pair#*,}" "got: $row_unit"
    fi
done
header=$(csv_header "$TMP/t1/trials.csv" 2>/dev/null)
case "$header" in
trial,uptime_s,downtime_s,incidents | trial,uptime_s,downtime_s,incidents,*)
    ok "trials.csv starts trial,uptime_s,downtime_s,incidents" ;;
*) not_ok "trials.csv starts trial,uptime_s,downtime_s,incidents" "got: $header" ;;
esac
header=$(csv_header "$TMP/t1/incidents.csv" 2>/dev/null)
case "$header" in
trial,start_s,end_s,duration_s,cause | trial,start_s,end_s,duration_s,cause,*)
    ok "incidents.csv starts trial,start_s,end_s,duration_s,cause" ;;
*) not_ok "incidents.csv starts trial,start_s,end_s,duration_s,cause" "got: $header" ;;
esac
if [ "$(csv_rows "$TMP/t1/trials.csv")" = 300 ]; then
    ok "trials.csv has one row per trial (300)"
else
    not_ok "trials.csv has one row per trial (300)" "rows: $(csv_rows "$TMP/t1/trials.csv")"
fi
causes=$(tail -n +2 "$TMP/t1/incidents.csv" | tr -d '\r' | awk -F, '
    $5 !~ /^(web\[[0-5]\]|db\[[01]\]|us-east-1|us-east-1[abc])$/ { bad = bad " " $5 }
    END { print bad }')
if [ -s "$TMP/t1/incidents.csv" ] && [ -z "$causes" ]; then
    ok "every incident's cause names a copy, zone or region of the scenario"
else
    not_ok "every incident's cause names a copy, zone or region of the scenario" "unknown:$causes"
fi

# ---- determinism (SPEC §5) -----------------------------------------------------------------

drsim run "$WEB_TIER" --trials 300 --threads 2 --quiet --csv "$TMP/t2"
if [ "$rc" -eq 0 ] && same_files "$TMP/t1" "$TMP/t2"; then
    ok "--threads 1 and --threads 2 give byte-identical CSV files"
else
    not_ok "--threads 1 and --threads 2 give byte-identical CSV files" "exit $rc" \
        "$(for f in summary trials incidents; do cmp "$TMP/t1/$f.csv" "$TMP/t2/$f.csv" 2>&1; done)"
fi
drsim run "$WEB_TIER" --trials 300 --threads 2 --quiet --csv "$TMP/t3"
if [ "$rc" -eq 0 ] && same_files "$TMP/t2" "$TMP/t3"; then
    ok "the same seed twice gives byte-identical CSV files"
else
    not_ok "the same seed twice gives byte-identical CSV files" "exit $rc"
fi
drsim run "$WEB_TIER" --trials 300 --threads 2 --quiet --seed 1 --csv "$TMP/t4"
if [ "$rc" -eq 0 ] && same_files "$TMP/t1" "$TMP/t4"; then
    ok "--seed 1 gives the same files as the scenario's own seed 1"
else
    not_ok "--seed 1 gives the same files as the scenario's own seed 1" "exit $rc"
fi
drsim run "$WEB_TIER" --trials 300 --threads 2 --quiet --seed 2 --csv "$TMP/t5"
if [ "$rc" -eq 0 ] && ! cmp -s "$TMP/t1/trials.csv" "$TMP/t5/trials.csv" &&
    ! cmp -s "$TMP/t1/summary.csv" "$TMP/t5/summary.csv"; then
    ok "a different seed gives different files"
else
    not_ok "a different seed gives different files" "exit $rc"
fi

# ---- extends: a scenario overlaid on a base file --------------------------------------------

# strategy.yaml extends base/topology.yaml (merging, appending and removing
# by name, nested mappings, an empirical CSV beside the base);
# strategy-merged.yaml is the same scenario written out by hand.
ext_dir=tests/scenarios/extends
drsim run "$ext_dir/strategy.yaml" --threads 2 --quiet --csv "$TMP/ext-merged"
ext_rc=$rc
drsim run "$ext_dir/strategy-merged.yaml" --threads 2 --quiet --csv "$TMP/ext-by-hand"
ext_names=$(cd "$TMP/ext-merged" 2>/dev/null && ls)
ext_differ=""
for f in $ext_names; do
    cmp -s "$TMP/ext-merged/$f" "$TMP/ext-by-hand/$f" || ext_differ="$ext_differ $f"
done
if [ "$ext_rc" -eq 0 ] && [ "$rc" -eq 0 ] && [ -n "$ext_names" ] &&
    [ "$ext_names" = "$(cd "$TMP/ext-by-hand" && ls)" ] && [ -z "$ext_differ" ]; then
    ok "a scenario that extends a base gives byte-identical CSV files to the hand-merged one ($(echo $ext_names))"
else
    not_ok "a scenario that extends a base gives byte-identical CSV files to the hand-merged one" \
        "exit $ext_rc and $rc; files: $(echo $ext_names); differing:${ext_differ:- none}" "$(err)"
fi

# ---- CLI options override the scenario -----------------------------------------------------

# horizon_of DIR: every trial's uptime_s + downtime_s if they all agree, else "mixed".
horizon_of() {
    tail -n +2 "$1/trials.csv" | tr -d '\r' | awk -F, '
        { h = $2 + $3; if (NR == 1) first = h; else if (h - first > 1e-6 * first || first - h > 1e-6 * first) mixed = 1 }
        END { if (mixed || NR == 0) print "mixed"; else printf "%.0f\n", first }'
}

drsim run "$GOOD_DIR/target-met.yaml" --quiet --csv "$TMP/o1"
if [ "$rc" -eq 0 ] && [ "$(csv_rows "$TMP/o1/trials.csv")" = 200 ] &&
    [ "$(horizon_of "$TMP/o1")" = 31536000 ]; then
    ok "without options a run uses the scenario's trials (200) and horizon (1y)"
else
    not_ok "without options a run uses the scenario's trials (200) and horizon (1y)" \
        "exit $rc, rows $(csv_rows "$TMP/o1/trials.csv"), horizon $(horizon_of "$TMP/o1")"
fi
drsim run "$GOOD_DIR/target-met.yaml" --quiet --trials 37 --horizon 2y --seed 9 --csv "$TMP/o2"
if [ "$rc" -eq 0 ] && [ "$(csv_rows "$TMP/o2/trials.csv")" = 37 ]; then
    ok "--trials 37 overrides the scenario's trials"
else
    not_ok "--trials 37 overrides the scenario's trials" "exit $rc, rows $(csv_rows "$TMP/o2/trials.csv")"
fi
if [ "$(horizon_of "$TMP/o2")" = 63072000 ]; then
    ok "--horizon 2y overrides the scenario's horizon (uptime + downtime = 63072000 s)"
else
    not_ok "--horizon 2y overrides the scenario's horizon (uptime + downtime = 63072000 s)" \
        "got $(horizon_of "$TMP/o2")"
fi
drsim run "$GOOD_DIR/target-met.yaml" --quiet --trials 37 --horizon 2y --csv "$TMP/o3"
if [ "$rc" -eq 0 ] && ! cmp -s "$TMP/o2/trials.csv" "$TMP/o3/trials.csv"; then
    ok "--seed 9 overrides the scenario's seed"
else
    not_ok "--seed 9 overrides the scenario's seed" "exit $rc"
fi

# ---- targets and exit status ---------------------------------------------------------------

expect_status "a run that misses its availability target exits 1" 1 \
    run "$GOOD_DIR/target-missed.yaml" --quiet
expect_status "a run that meets its availability target exits 0" 0 \
    run "$GOOD_DIR/target-met.yaml" --quiet
drsim run "$GOOD_DIR/target-met.yaml" --quiet
if [ ! -s "$TMP/out" ]; then
    ok "--quiet prints nothing on stdout"
else
    not_ok "--quiet prints nothing on stdout" "$(out)"
fi

# ---- plots ---------------------------------------------------------------------------------

png_signature=$(printf '\211PNG\r\n\032\n' | od -An -tx1 | tr -d ' \n')
drsim run scenarios/single-server.yaml --trials 20 --quiet --plot "$TMP/plots"
pngs=("$TMP"/plots/*.png)
bad_pngs=""
for png in "${pngs[@]}"; do
    [ -f "$png" ] || { bad_pngs="no PNG files"; break; }
    [ "$(head -c 8 "$png" | od -An -tx1 | tr -d ' \n')" = "$png_signature" ] || bad_pngs="$bad_pngs $png"
done
if [ "$rc" -eq 0 ] && [ -z "$bad_pngs" ] && [ "${#pngs[@]}" -ge 2 ]; then
    ok "--plot DIR writes real PNG files (${#pngs[@]}, each with the PNG signature)"
else
    not_ok "--plot DIR writes real PNG files" "exit $rc; bad: ${bad_pngs:-none}" "$(err)"
fi

DRSIM_GNUPLOT=/nonexistent "$DRSIM" run scenarios/single-server.yaml --trials 20 --quiet \
    --plot "$TMP/noplots" --csv "$TMP/noplots-csv" >"$TMP/out" 2>"$TMP/err"
rc=$?
if [ "$rc" -eq 0 ] && [ -s "$TMP/noplots-csv/summary.csv" ] && [ -s "$TMP/noplots-csv/trials.csv" ] &&
    grep -i 'warning' "$TMP/err" | grep -qi 'gnuplot'; then
    ok "without gnuplot a --plot run still exits 0, writes its CSV and warns about gnuplot"
else
    not_ok "without gnuplot a --plot run still exits 0, writes its CSV and warns about gnuplot" \
        "exit $rc" "$(err)"
fi

# ---- table sla -----------------------------------------------------------------------------

drsim table sla
sla_default=$(out)
missing=""
for text in "3.65 days (87.6 hours)" "8.76 hours" "4.38 hours" "52.6 minutes" "5.26 minutes" \
    "4.3 minutes" "1 minute"; do
    grep -qF "$text" "$TMP/out" || missing="$missing '$text'"
done
if [ "$rc" -eq 0 ] && [ -z "$missing" ]; then
    ok "table sla prints the chapter's downtime figures"
else
    not_ok "table sla prints the chapter's downtime figures" "exit $rc; missing:$missing" "$(out)"
fi
default_lines=$(printf '%s\n' "$sla_default" | wc -l)
drsim table sla --availability 99.5%
if [ "$rc" -eq 0 ] && [ "$(out | wc -l)" -eq $((default_lines + 1)) ] && grep -q '^99\.5% ' "$TMP/out"; then
    ok "table sla --availability 99.5% adds one row"
else
    not_ok "table sla --availability 99.5% adds one row" "exit $rc" "$(out)"
fi
drsim table sla --availability 99.99%
if [ "$rc" -eq 0 ] && [ "$(out)" = "$sla_default" ]; then
    ok "table sla --availability 99.99% (a default level) adds no second row"
else
    not_ok "table sla --availability 99.99% (a default level) adds no second row" \
        "$(diff <(printf '%s\n' "$sla_default") "$TMP/out" | grep '^[<>]')"
fi
drsim table sla --availability 0.995 --availability 99.5%
if [ "$rc" -eq 0 ] && [ "$(out | wc -l)" -eq $((default_lines + 1)) ]; then
    ok "table sla: 0.995 and 99.5% are the same level"
else
    not_ok "table sla: 0.995 and 99.5% are the same level" "$(out)"
fi
drsim table sla --csv "$TMP/sla.csv"
if [ "$rc" -eq 0 ] && [ "$(csv_rows "$TMP/sla.csv")" = 5 ]; then
    ok "table sla --csv FILE writes one row per level (5)"
else
    not_ok "table sla --csv FILE writes one row per level (5)" "exit $rc" "$(cat "$TMP/sla.csv" 2>&1)"
fi
drsim table sla --availability 99.5% --availability 0.95 --csv "$TMP/sla7.csv"
if [ "$rc" -eq 0 ] && [ "$(csv_rows "$TMP/sla7.csv")" = 7 ]; then
    ok "table sla --csv FILE with two extra levels writes 7 rows"
else
    not_ok "table sla --csv FILE with two extra levels writes 7 rows" "exit $rc" "$(cat "$TMP/sla7.csv" 2>&1)"
fi

# ---- the locale changes no byte (SPEC §4) --------------------------------------------------

german=""
if locale -a 2>/dev/null | grep -qiE '^de_DE\.utf-?8$'; then
    german="de_DE.UTF-8"
    locpath=""
elif command -v localedef >/dev/null 2>&1 &&
    mkdir -p "$TMP/locales" &&
    localedef -i de_DE -f UTF-8 "$TMP/locales/de_DE.UTF-8" >/dev/null 2>&1 &&
    [ "$(LOCPATH="$TMP/locales" LC_ALL=de_DE.UTF-8 /usr/bin/env printf '%.1f' 1.5 2>/dev/null)" = "1,5" ]; then
    german="de_DE.UTF-8"   # built into the temp dir; the system has no German locale
    locpath="$TMP/locales"
fi
if [ -z "$german" ]; then
    echo "ok - LC_ALL=de_DE.UTF-8 changes no CSV byte # SKIP no de_DE.UTF-8 locale"
    passed=$((passed + 1))
else
    env ${locpath:+LOCPATH="$locpath"} LC_ALL="$german" "$DRSIM" run "$WEB_TIER" --trials 300 \
        --threads 2 --quiet --csv "$TMP/de" >"$TMP/out" 2>"$TMP/err"
    rc=$?
    env ${locpath:+LOCPATH="$locpath"} LC_ALL="$german" "$DRSIM" table sla --availability 99.5% \
        --csv "$TMP/de-sla.csv" >/dev/null 2>&1
    "$DRSIM" table sla --availability 99.5% --csv "$TMP/c-sla.csv" >/dev/null 2>&1
    if [ "$rc" -eq 0 ] && same_files "$TMP/t1" "$TMP/de" && cmp -s "$TMP/de-sla.csv" "$TMP/c-sla.csv"; then
        ok "LC_ALL=de_DE.UTF-8 changes no CSV byte (run and table sla)"
    else
        not_ok "LC_ALL=de_DE.UTF-8 changes no CSV byte (run and table sla)" "exit $rc" "$(err)"
    fi
fi

# ---- drsim check (issue 4) -------------------------------------------------------------------

CHECK_DIR=tests/scenarios/check
WARM=scenarios/warm-standby.yaml

# check_line PATTERN: the stdout line of the target whose label starts PATTERN.
check_line() { grep -E "^(PASS|FAIL)  $1" "$TMP/out"; }

drsim check --help
if [ "$rc" -eq 0 ] && grep -q '^usage: drsim check' "$TMP/out"; then
    ok "drsim check --help exits 0 and prints its usage"
else
    not_ok "drsim check --help exits 0 and prints its usage" "exit $rc" "$(err)"
fi
drsim --help
if out | grep -q 'drsim check SCENARIO'; then
    ok "drsim --help lists check"
else
    not_ok "drsim --help lists check" "$(out)"
fi

drsim check "$CHECK_DIR/meets.yaml"
if [ "$rc" -eq 0 ] && check_line 'availability >= 99.9%: shown at 95% after 200 trials' >/dev/null &&
    [ ! -s "$TMP/err" ]; then
    ok "check: a scenario with a clear margin passes at the first look and exits 0"
else
    not_ok "check: a scenario with a clear margin passes at the first look and exits 0" "exit $rc" "$(out)" "$(err)"
fi
drsim check "$CHECK_DIR/misses.yaml"
if [ "$rc" -eq 1 ] && check_line 'availability >= 99.9%: missed at 95% after 200 trials' >/dev/null; then
    ok "check: a scenario that clearly misses its target fails and exits 1"
else
    not_ok "check: a scenario that clearly misses its target fails and exits 1" "exit $rc" "$(out)" "$(err)"
fi
drsim check "$CHECK_DIR/on-target.yaml" --max-trials 800
if [ "$rc" -eq 1 ] &&
    check_line 'availability >= 99%: not shown at 95% after 800 trials: ' >/dev/null; then
    ok "check: availability exactly on its target ends 'not shown at 95% after 800 trials', exit 1"
else
    not_ok "check: availability exactly on its target ends 'not shown at 95% after 800 trials', exit 1" \
        "exit $rc" "$(out)" "$(err)"
fi
drsim check "$CHECK_DIR/on-target.yaml" --max-trials 800 --confidence 0.99
if [ "$rc" -eq 1 ] && check_line 'availability >= 99%: not shown at 99% after 800 trials' >/dev/null &&
    grep -q "interval at 99.6667% (Bonferroni over 3 looks)" "$TMP/out"; then
    ok "check --confidence 0.99: verdicts at 99%, each of 3 looks at 99.6667%"
else
    not_ok "check --confidence 0.99: verdicts at 99%, each of 3 looks at 99.6667%" "exit $rc" "$(out)"
fi

# options override the scenario's targets
drsim check "$CHECK_DIR/misses.yaml" --availability 98%
if [ "$rc" -eq 0 ] && check_line 'availability >= 98%: shown' >/dev/null; then
    ok "check --availability 98% overrides the scenario's 99.9% (A = 0.990099 passes)"
else
    not_ok "check --availability 98% overrides the scenario's 99.9% (A = 0.990099 passes)" "exit $rc" "$(out)"
fi
drsim check "$CHECK_DIR/meets.yaml" --availability 0.99999
if [ "$rc" -eq 1 ] && check_line 'availability >= 99.999%: missed' >/dev/null; then
    ok "check --availability 0.99999 overrides the scenario's 99.9% (A = 0.999902 fails)"
else
    not_ok "check --availability 0.99999 overrides the scenario's 99.9% (A = 0.999902 fails)" "exit $rc" "$(out)"
fi
drsim check "$CHECK_DIR/no-targets.yaml" --availability 99%
if [ "$rc" -eq 0 ] && [ "$(grep -cE '^(PASS|FAIL)  ' "$TMP/out")" = 1 ]; then
    ok "check --availability on a scenario without targets checks that one target"
else
    not_ok "check --availability on a scenario without targets checks that one target" "exit $rc" "$(out)" "$(err)"
fi

# RTO and RPO on a DR scenario: 98% of warm-standby's disasters are back within
# 6 h, none within a minute (zone outages take health checks ~1.5 min)
drsim check "$WARM" --rto 6h --rpo 4h
if [ "$rc" -eq 0 ] && check_line 'rto <= 6 h for 95% of disasters: shown' >/dev/null &&
    check_line 'rpo <= 4 h for 95% of disasters: shown' >/dev/null &&
    check_line 'availability >= 99.99%: shown' >/dev/null; then
    ok "check warm-standby --rto 6h --rpo 4h: all three targets pass, exit 0"
else
    not_ok "check warm-standby --rto 6h --rpo 4h: all three targets pass, exit 0" "exit $rc" "$(out)" "$(err)"
fi
drsim check "$WARM" --rto 1m --rpo 4h
if [ "$rc" -eq 1 ] && check_line 'rto <= 1 min for 95% of disasters: missed' >/dev/null &&
    check_line 'rpo <= 4 h for 95% of disasters: shown' >/dev/null; then
    ok "check warm-standby --rto 1m: the RTO target fails, exit 1"
else
    not_ok "check warm-standby --rto 1m: the RTO target fails, exit 1" "exit $rc" "$(out)" "$(err)"
fi
drsim check "$WARM" --rto 6h --rpo 4h --quiet
if [ "$rc" -eq 0 ] && [ ! -s "$TMP/out" ]; then
    ok "check --quiet prints nothing and keeps the exit status"
else
    not_ok "check --quiet prints nothing and keeps the exit status" "exit $rc" "$(out)"
fi

# bad input: exit 2 with a drsim: message
expect_usage_error "check without a target anywhere exits 2" check "$CHECK_DIR/no-targets.yaml"
expect_usage_error "check --rto on a scenario without disasters exits 2" \
    check "$CHECK_DIR/no-targets.yaml" --rto 15m
expect_usage_error "check --rpo on a scenario without data models exits 2" check "$WEB_TIER" --rpo 1m
expect_usage_error "check: a scenario's own rto target without disasters exits 2" \
    check "$CHECK_DIR/rto-without-disasters.yaml"
expect_usage_error "check --confidence 1 exits 2" check "$WEB_TIER" --confidence 1
expect_usage_error "check --confidence 0 exits 2" check "$WEB_TIER" --confidence 0
expect_usage_error "check --confidence x exits 2" check "$WEB_TIER" --confidence x
expect_usage_error "check --max-trials 0 exits 2" check "$WEB_TIER" --max-trials 0
expect_usage_error "check --availability 2 exits 2" check "$WEB_TIER" --availability 2
expect_usage_error "check --rto -1h exits 2" check "$WARM" --rto -1h
expect_usage_error "check --rpo 5parsecs exits 2" check "$WARM" --rpo 5parsecs
expect_usage_error "check --threads 0 exits 2" check "$WEB_TIER" --threads 0
expect_usage_error "an unknown check option exits 2" check "$WEB_TIER" --frobnicate
expect_usage_error "check without a scenario exits 2" check
expect_usage_error "check with two scenarios exits 2" check "$WEB_TIER" "$WEB_TIER"
drsim check "$CHECK_DIR/no-targets.yaml" --rto 15m
if grep -q '^drsim: --rto 15 min: not measurable: the scenario has no disasters' "$TMP/err"; then
    ok "check --rto without disasters says 'not measurable: the scenario has no disasters'"
else
    not_ok "check --rto without disasters says 'not measurable: the scenario has no disasters'" "$(err)"
fi
drsim check "$BAD_DIR/count-zero.yaml" --availability 99% --junit "$TMP/bad.xml"
if [ "$rc" -eq 2 ] && [ ! -s "$TMP/out" ] && cmp -s "$BAD_DIR/count-zero.err" "$TMP/err" &&
    [ -z "$(find "$TMP" -maxdepth 1 -name 'bad.xml*')" ]; then
    ok "check on a bad scenario exits 2 with its messages and writes no JUnit file"
else
    not_ok "check on a bad scenario exits 2 with its messages and writes no JUnit file" "exit $rc" "$(err)"
fi
drsim check "$CHECK_DIR/meets.yaml" --junit "$TMP/no/such/dir/results.xml"
if [ "$rc" -eq 2 ] && [ ! -s "$TMP/out" ] && grep -q "^drsim: --junit: cannot create" "$TMP/err"; then
    ok "check --junit into a missing directory exits 2 before simulating"
else
    not_ok "check --junit into a missing directory exits 2 before simulating" "exit $rc" "$(err)"
fi

# JUnit XML, read by a real XML parser
mkdir -p "$TMP/junit"
drsim check "$WARM" --rto 1m --junit "$TMP/junit/ws.xml"
junit_rc=$rc
if [ "$junit_rc" -eq 1 ] && xmllint --noout "$TMP/junit/ws.xml" 2>"$TMP/xmlerr"; then
    ok "check --junit writes well-formed XML (xmllint --noout)"
else
    not_ok "check --junit writes well-formed XML (xmllint --noout)" "exit $junit_rc" "$(cat "$TMP/xmlerr")"
fi
xpath() { xmllint --xpath "$1" "$TMP/junit/ws.xml" 2>/dev/null; }
if [ "$(xpath 'count(/testsuites/testsuite)')" = 1 ] &&
    [ "$(xpath 'string(/testsuites/testsuite/@name)')" = warm-standby ] &&
    [ "$(xpath 'count(//testsuite/testcase)')" = 3 ] &&
    [ "$(xpath 'count(//testcase/failure)')" = 2 ] &&
    [ "$(xpath 'string(//testsuite/@failures)')" = 2 ] &&
    [ -n "$(xpath '//testcase[@name="rto <= 1 min for 95% of disasters"]/failure[starts-with(@message, "missed at 95% after 200 trials: 0.00% of ")]')" ] &&
    [ -z "$(xpath '//testcase[@name="availability >= 99.99%"]/failure')" ]; then
    ok "JUnit: one testsuite named after the scenario, one testcase per target, a failure per miss"
else
    not_ok "JUnit: one testsuite named after the scenario, one testcase per target, a failure per miss" \
        "$(cat "$TMP/junit/ws.xml")"
fi
if [ "$(ls -A "$TMP/junit")" = ws.xml ]; then
    ok "JUnit: no temporary file is left beside results"
else
    not_ok "JUnit: no temporary file is left beside results" "$(ls -A "$TMP/junit")"
fi
drsim check "$CHECK_DIR/markup-name.yaml" --rto 1m --junit "$TMP/junit/markup.xml"
if [ "$rc" -eq 1 ] && xmllint --noout "$TMP/junit/markup.xml" 2>/dev/null &&
    [ "$(xmllint --xpath 'string(/testsuites/testsuite/@name)' "$TMP/junit/markup.xml")" = \
        "$(printf 'a <b> & "c" '"'"'d'"'"' \303\251 \t tab')" ]; then
    ok "JUnit: a scenario name full of markup is escaped and reads back intact"
else
    not_ok "JUnit: a scenario name full of markup is escaped and reads back intact" "exit $rc" \
        "$(cat "$TMP/junit/markup.xml")"
fi

# the verdict does not depend on --threads
for t in 1 2; do
    drsim check "$CHECK_DIR/on-target.yaml" --max-trials 800 --threads $t --junit "$TMP/junit/t$t.xml"
    sed '$d' "$TMP/out" >"$TMP/check-t$t.txt"   # all but the timing line
    echo "$rc" >>"$TMP/check-t$t.txt"
done
if cmp -s "$TMP/junit/t1.xml" "$TMP/junit/t2.xml" && cmp -s "$TMP/check-t1.txt" "$TMP/check-t2.txt"; then
    ok "check: the same verdicts, figures and JUnit bytes for --threads 1 and 2"
else
    not_ok "check: the same verdicts, figures and JUnit bytes for --threads 1 and 2" \
        "$(diff "$TMP/check-t1.txt" "$TMP/check-t2.txt")"
fi
drsim check "$WARM" --rto 6h --rpo 4h --seed 5 --threads 1 --junit "$TMP/junit/s1.xml"
drsim check "$WARM" --rto 6h --rpo 4h --seed 5 --threads 2 --junit "$TMP/junit/s2.xml"
if cmp -s "$TMP/junit/s1.xml" "$TMP/junit/s2.xml" &&
    [ "$(xmllint --xpath 'string(//property[@name="seed"]/@value)' "$TMP/junit/s1.xml")" = 5 ]; then
    ok "check warm-standby --seed 5: JUnit byte-identical for --threads 1 and 2, seed recorded"
else
    not_ok "check warm-standby --seed 5: JUnit byte-identical for --threads 1 and 2, seed recorded" \
        "$(diff "$TMP/junit/s1.xml" "$TMP/junit/s2.xml")"
fi

tests_summary
