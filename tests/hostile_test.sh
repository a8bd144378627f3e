#!/usr/bin/env bash
# hostile_test — drsim against hostile input and interrupts (issue 6;
# docs/robustness.md).
#
# Every command runs under `timeout 20`, so a hang fails its check instead
# of CI.  Each hostile input must give its exit status and its exact
# messages (or, for the generated giants, a pinned prefix) within that time:
#   - tests/hostile/scenario/*.yaml   drsim validate, stderr = the .err beside it
#   - tests/hostile/experiment/*.yaml drsim experiment against production.yaml
#   - tests/hostile/demand/*.yaml     scenarios whose demand trace is hostile
#   - inputs generated here: deep nesting, a 10 MB scalar, 8 million nodes in
#     16 MB, a service expression thousands deep, files that are not YAML
#     (binary, PNG, empty, a directory, /dev/zero, a FIFO), over 16 MB;
#     the same families for experiment files and demand traces;
#   - SIGINT and SIGTERM during run, check and table strategies.
#
# Run from the repository root with DRSIM pointing at the program (`make
# test` and `make asan` set it).  Prints "ok - ..." or "not ok - ..." per
# check, then "N passed, N failed"; exits 0 only when nothing failed.
set -u

H=tests/hostile
PRODUCTION=scenarios/experiments/production.yaml
LIMIT=20   # seconds for any one command

TEST_TMP_NAME=drsim-hostile source "$(dirname "$0")/lib.sh"
# a drsim left running by an interrupt test is killed on the way out
BACKGROUND=
cleanup() {
    [ -n "$BACKGROUND" ] && kill -KILL "$BACKGROUND" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT

# drsim ARGS...: lib.sh's drsim under the time limit; status in $rc, output
# in $TMP/out and $TMP/err.  124 is a timeout.
drsim() {
    timeout "$LIMIT" "$DRSIM" "$@" >"$TMP/out" 2>"$TMP/err"
    rc=$?
}

timed_out() { [ "$rc" -eq 124 ] && echo "timed out after $LIMIT s"; }

# expect_exact DESCRIPTION STATUS EXPECTED_STDERR ARGS...: exit STATUS,
# nothing on stdout, stderr exactly EXPECTED_STDERR (a string; "" for none).
expect_exact() {
    local description=$1 status=$2 expected=$3
    shift 3
    drsim "$@"
    if [ "$rc" -eq "$status" ] && [ ! -s "$TMP/out" ] && [ "$(err)" = "$expected" ]; then
        ok "$description"
    else
        not_ok "$description" "drsim $* exited $rc (want $status) $(timed_out)" \
            "stderr (want: $expected):" "$(head -c 2000 "$TMP/err")"
    fi
}

# expect_prefix DESCRIPTION STATUS PREFIX ARGS...: exit STATUS, one line on
# stderr that starts with PREFIX and is at most 1 KB longer than it
# (diagnostics cap the text they quote; PREFIX holds the file's path, so the
# bound does not depend on how long TMPDIR is).
expect_prefix() {
    local description=$1 status=$2 prefix=$3
    shift 3
    drsim "$@"
    local first
    first=$(head -c "${#prefix}" "$TMP/err")
    if [ "$rc" -eq "$status" ] && [ "$first" = "$prefix" ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] &&
        [ "$(wc -c <"$TMP/err")" -le $((1024 + ${#prefix})) ]; then
        ok "$description"
    else
        not_ok "$description" "drsim $* exited $rc (want $status) $(timed_out)" \
            "stderr ($(wc -c <"$TMP/err") bytes; want one line starting: $prefix):" \
            "$(head -c 2000 "$TMP/err")"
    fi
}

# expect_err_file DESCRIPTION ERR_FILE ARGS...: exit 2, nothing on stdout,
# stderr byte for byte ERR_FILE.
expect_err_file() {
    local description=$1 expected=$2
    shift 2
    drsim "$@"
    if [ "$rc" -eq 2 ] && [ ! -s "$TMP/out" ] && cmp -s "$expected" "$TMP/err"; then
        ok "$description"
    else
        not_ok "$description" "drsim $* exited $rc (want 2) $(timed_out)" \
            "stderr differs from $expected (- expected, + actual):" \
            "$(diff "$expected" "$TMP/err" | grep '^[<>]' | sed 's/^</-/; s/^>/+/' | head -c 3000)"
    fi
}

# a valid one-component scenario, on stdout
scenario_text() { printf 'drsim: 1\nname: hostile\ncomponents: [{name: a, fail: exp(mean=1000h), repair: 1h}]\n'; }
scenario_with() { # FILE EXTRA_YAML: that scenario plus EXTRA_YAML, in FILE
    { scenario_text; printf '%s' "$2"; } >"$1"
}

# ---- the committed corpus ------------------------------------------------------------------

for f in "$H"/scenario/*.yaml; do
    expect_err_file "validate $f: exit 2 with ${f%.yaml}.err" "${f%.yaml}.err" validate "$f"
done
for f in "$H"/demand/*.yaml; do
    expect_err_file "validate $f: exit 2 with ${f%.yaml}.err" "${f%.yaml}.err" validate "$f"
done
for f in "$H"/experiment/*.yaml; do
    expect_err_file "experiment $f: exit 2 with ${f%.yaml}.err" "${f%.yaml}.err" \
        experiment "$f" --scenario "$PRODUCTION"
done

# ---- files that are not YAML ---------------------------------------------------------------

: >"$TMP/empty.yaml"
mkdir "$TMP/directory.yaml"
mkfifo "$TMP/fifo.yaml"
UTF8="error: unreadable text: invalid leading UTF-8 octet"
CONTROL="error: unreadable text: control characters are not allowed"

expect_exact "a PNG as a scenario: exit 2, unreadable text" 2 "$H/image.png:1:1: $UTF8" \
    validate "$H/image.png"
expect_exact "binary bytes as a scenario: exit 2, unreadable text" 2 "$H/binary.bin:1:1: $CONTROL" \
    validate "$H/binary.bin"
expect_exact "an empty scenario: exit 2" 2 "$TMP/empty.yaml:1:1: error: the scenario is empty" \
    validate "$TMP/empty.yaml"
for f in "$TMP/directory.yaml" "$TMP/fifo.yaml" /dev/zero; do
    expect_exact "run on ${f##*/} (not a regular file): exit 2 at once" 2 \
        "$f: error: not a regular file" run "$f"
done

expect_exact "a PNG as an experiment: exit 2, unreadable text" 2 "$H/image.png:1:1: $UTF8" \
    experiment "$H/image.png" --scenario "$PRODUCTION"
expect_exact "binary bytes as an experiment: exit 2" 2 "$H/binary.bin:1:1: $CONTROL" \
    experiment "$H/binary.bin" --scenario "$PRODUCTION"
expect_exact "an empty experiment: exit 2" 2 \
    "$TMP/empty.yaml:1:1: error: an experiment file is a mapping (a FIS template or a CloudFormation template), not empty" \
    experiment "$TMP/empty.yaml" --scenario "$PRODUCTION"
for f in "$TMP/directory.yaml" "$TMP/fifo.yaml" /dev/zero; do
    expect_exact "experiment ${f##*/} (not a regular file): exit 2 at once" 2 \
        "$f: error: not a regular file" experiment "$f" --scenario "$PRODUCTION"
    expect_exact "experiment --scenario ${f##*/} (not a regular file): exit 2 at once" 2 \
        "$f: error: not a regular file" experiment scenarios/experiments/az-failure.yaml --scenario "$f"
done

# demand traces and empirical CSV files: the special files (the committed
# special-files.yaml has /dev/zero; a FIFO can only be made here)
scenario_with "$TMP/trace-fifo.yaml" "demand: {trace: fifo.yaml}
"
expect_exact "a demand trace that is a FIFO: exit 2 at once" 2 \
    "$TMP/trace-fifo.yaml:4:17: error: demand.trace: cannot open '$TMP/fifo.yaml': not a regular file" \
    validate "$TMP/trace-fifo.yaml"
printf 'drsim: 1\nname: hostile\ncomponents: [{name: a, fail: "empirical(file=fifo.yaml, column=x)", repair: 1h}]\n' \
    >"$TMP/empirical-fifo.yaml"
expect_exact "an empirical CSV that is a FIFO: exit 2 at once" 2 \
    "$TMP/empirical-fifo.yaml:3:30: error: components[0].fail: cannot open '$TMP/fifo.yaml': not a regular file" \
    validate "$TMP/empirical-fifo.yaml"
scenario_with "$TMP/prices-fifo.yaml" "prices: fifo.yaml
"
expect_exact "a price file that is a FIFO: exit 2 at once" 2 \
    "$TMP/fifo.yaml: error: not a regular file" validate "$TMP/prices-fifo.yaml"
scenario_with "$TMP/trace-empty.yaml" "demand: {trace: empty.yaml}
"
expect_exact "an empty demand trace: exit 2" 2 \
    "$TMP/empty.yaml: error: demand.trace: the file is empty (expected the header timestamp,requests_per_second and at least one row)" \
    validate "$TMP/trace-empty.yaml"
scenario_with "$TMP/trace-directory.yaml" "demand: {trace: directory.yaml}
"
expect_exact "a demand trace that is a directory: exit 2" 2 \
    "$TMP/trace-directory.yaml:4:17: error: demand.trace: cannot read '$TMP/directory.yaml': Is a directory" \
    validate "$TMP/trace-directory.yaml"

# ---- nesting ---------------------------------------------------------------------------------

# Flow brackets 100,000 deep: libyaml's scanner once took minutes on these
# (it checks every open level at every token); ytree now stops at level 201.
{ printf 'a: '; head -c 100000 /dev/zero | tr '\0' '['; head -c 100000 /dev/zero | tr '\0' ']'; echo; } \
    >"$TMP/deep-flow.yaml"
expect_exact "flow sequences 100,000 deep: exit 2, nested too deeply, at once" 2 \
    "$TMP/deep-flow.yaml:1:204: error: nested too deeply (more than 200 levels)" \
    validate "$TMP/deep-flow.yaml"
expect_exact "an experiment nested 100,000 deep: exit 2, nested too deeply" 2 \
    "$TMP/deep-flow.yaml:1:204: error: nested too deeply (more than 200 levels)" \
    experiment "$TMP/deep-flow.yaml" --scenario "$PRODUCTION"
awk 'BEGIN { for (i = 0; i < 1000; i++) printf "%*sk%d:\n", i, "", i }' >"$TMP/deep-block.yaml"
expect_exact "block mappings 1,000 deep: exit 2, nested too deeply" 2 \
    "$TMP/deep-block.yaml:201:201: error: nested too deeply (more than 200 levels)" \
    validate "$TMP/deep-block.yaml"
# A service expression 3,000 gates deep: YAML's own depth limit comes first
# (each gate is two levels); 65 gates is SCENARIO_MAX_SERVICE_DEPTH's case in
# tests/scenarios/bad/service-too-deep.yaml.
{
    scenario_text
    printf 'service: '
    awk 'BEGIN { for (i = 0; i < 3000; i++) printf "{all: ["; printf "a"; for (i = 0; i < 3000; i++) printf "]}"; print "" }'
} >"$TMP/service-deep.yaml"
expect_exact "a service expression 3,000 gates deep: exit 2, nested too deeply" 2 \
    "$TMP/service-deep.yaml:4:710: error: nested too deeply (more than 200 levels)" \
    validate "$TMP/service-deep.yaml"

# ---- size ------------------------------------------------------------------------------------

# 8 million nodes in 16 MB: libyaml alone once took 1.3 GB and 7 s for it;
# ytree now stops at the 200,001st node before the document is built.
{ printf 'a: ['; yes '1,' | head -n 7999999 | tr -d '\n'; echo '1]'; } >"$TMP/wide.yaml"
expect_exact "8 million list items in 16 MB: exit 2, too many YAML nodes" 2 \
    "$TMP/wide.yaml:1:399999: error: too many YAML nodes (more than 200000, counting expanded aliases)" \
    validate "$TMP/wide.yaml"
expect_exact "an experiment of 8 million list items: exit 2, too many YAML nodes" 2 \
    "$TMP/wide.yaml:1:399999: error: too many YAML nodes (more than 200000, counting expanded aliases)" \
    experiment "$TMP/wide.yaml" --scenario "$PRODUCTION"
head -c 16777217 /dev/zero | tr '\0' '#' >"$TMP/too-big.yaml"
expect_exact "a file of 16 MB + 1 byte: exit 2, file too large" 2 \
    "$TMP/too-big.yaml: error: file too large (16777217 bytes; at most 16777216)" \
    validate "$TMP/too-big.yaml"

# a 10 MB scalar: accepted as a description, quoted (cut) in a message elsewhere
TEN_MB=$((10 * 1024 * 1024))
{
    printf 'drsim: 1\nname: long\ndescription: '
    head -c "$TEN_MB" /dev/zero | tr '\0' 'x'
    printf '\ncomponents: [{name: a, fail: exp(mean=1000h), repair: 1h}]\n'
} >"$TMP/long-description.yaml"
expect_exact "a 10 MB description: valid, validate prints nothing" 0 "" validate "$TMP/long-description.yaml"
drsim run "$TMP/long-description.yaml" --trials 20 --quiet
if [ "$rc" -eq 0 ]; then
    ok "a 10 MB description: run --quiet exits 0"
else
    not_ok "a 10 MB description: run --quiet exits 0" "exit $rc $(timed_out)" "$(err)"
fi
{
    scenario_text
    printf 'service: '
    head -c "$TEN_MB" /dev/zero | tr '\0' 'x'
    echo
} >"$TMP/long-service.yaml"
expect_prefix "a 10 MB component name in the service: exit 2, one message of at most 1 KB" 2 \
    "$TMP/long-service.yaml:4:10: error: service: unknown component 'xxxxxxxx" \
    validate "$TMP/long-service.yaml"
{
    printf 'drsim: 1\nname: long\ncomponents: [{name: a, fail: "exp(mean='
    head -c "$TEN_MB" /dev/zero | tr '\0' '9'
    printf 'h)", repair: 1h}]\n'
} >"$TMP/long-number.yaml"
expect_exact "a 10 MB number: exit 2, out of range, quoted in 60 digits" 2 \
    "$TMP/long-number.yaml:3:30: error: components[0].fail: exp mean: duration '$(printf '9%.0s' $(seq 60))' is out of range" \
    validate "$TMP/long-number.yaml"
{
    printf 'description: '
    head -c "$TEN_MB" /dev/zero | tr '\0' 'x'
    printf "\nactions:\n  W: {actionId: 'aws:fis:wait', parameters: {duration: PT1M}}\n"
} >"$TMP/long-experiment.yaml"
drsim experiment "$TMP/long-experiment.yaml" --scenario "$PRODUCTION" --quiet
if [ "$rc" -eq 0 ]; then
    ok "an experiment with a 10 MB description: runs, exit 0"
else
    not_ok "an experiment with a 10 MB description: runs, exit 0" "exit $rc $(timed_out)" "$(err)"
fi

# demand traces and empirical CSV: a 10 MB field (libcsv once grew it 128
# bytes at a time: minutes under AddressSanitizer), a million columns, a
# million rows
{ echo timestamp,requests_per_second; printf '0,'; head -c "$TEN_MB" /dev/zero | tr '\0' '9'; echo; } \
    >"$TMP/long-field.csv"
scenario_with "$TMP/trace-long-field.yaml" "demand: {trace: long-field.csv}
"
expect_exact "a demand trace with a 10 MB field: exit 2, out of range, quoted in 60 digits" 2 \
    "$TMP/long-field.csv:2:2: error: demand.trace: requests_per_second '$(printf '9%.0s' $(seq 60))' is out of range (0 to 1e12)" \
    validate "$TMP/trace-long-field.yaml"
{ echo hours; head -c "$TEN_MB" /dev/zero | tr '\0' '9'; echo; } >"$TMP/long-cell.csv"
printf 'drsim: 1\nname: hostile\ncomponents: [{name: a, fail: "empirical(file=long-cell.csv, column=hours)", repair: 1h}]\n' \
    >"$TMP/empirical-long-cell.yaml"
expect_exact "an empirical CSV with a 10 MB cell: exit 2, out of range, quoted in 60 digits" 2 \
    "$TMP/empirical-long-cell.yaml:3:30: error: components[0].fail: $TMP/long-cell.csv:2: duration '$(printf '9%.0s' $(seq 60))' is out of range" \
    validate "$TMP/empirical-long-cell.yaml"
{ echo timestamp,requests_per_second; printf '0,1'; yes ',1' | head -n 1000000 | tr -d '\n'; echo; } \
    >"$TMP/wide.csv"
scenario_with "$TMP/trace-wide.yaml" "demand: {trace: wide.csv}
"
expect_exact "a demand trace row of a million fields: exit 2" 2 \
    "$TMP/wide.csv:2:3: error: demand.trace: expected 2 fields (timestamp,requests_per_second), found 1000002" \
    validate "$TMP/trace-wide.yaml"
{ echo timestamp,requests_per_second; awk 'BEGIN { for (i = 0; i < 1000000; i++) print i ",1" }'; } \
    >"$TMP/million-rows.csv"
scenario_with "$TMP/trace-million-rows.yaml" "demand: {trace: million-rows.csv}
"
expect_exact "a demand trace of a million rows (under the 10 million limit): valid" 0 "" \
    validate "$TMP/trace-million-rows.yaml"

# ---- interrupts ------------------------------------------------------------------------------

# start_background ARGS...: drsim ARGS in the background (SIGINT is ignored
# in a script's background jobs; drsim installs its own handler regardless).
start_background() {
    "$DRSIM" "$@" >"$TMP/out" 2>"$TMP/err" &
    BACKGROUND=$!
}

# stop_background SIGNAL: sends SIGNAL after 1 s, then waits up to LIMIT s;
# the exit status in $rc (124: it did not stop, and was killed).
stop_background() {
    sleep 1
    kill -s "$1" "$BACKGROUND" 2>/dev/null
    local waited=0
    while kill -0 "$BACKGROUND" 2>/dev/null && [ "$waited" -lt $((LIMIT * 10)) ]; do
        sleep 0.1
        waited=$((waited + 1))
    done
    if kill -0 "$BACKGROUND" 2>/dev/null; then
        kill -KILL "$BACKGROUND" 2>/dev/null
        wait "$BACKGROUND" 2>/dev/null
        rc=124
    else
        wait "$BACKGROUND"
        rc=$?
    fi
    BACKGROUND=
}

# fields FILE: every row's field count, unique (the CSV here quotes no commas
# in trials.csv and summary.csv)
fields() { tr -d '\r' <"$1" | awk -F, '{ print NF }' | sort -u | tr '\n' ' '; }

CSV=$TMP/interrupted
start_background run scenarios/warm-standby.yaml --trials 1000000 --threads 2 --csv "$CSV"
stop_background INT
if [ "$rc" -eq 130 ]; then
    ok "run: SIGINT after 1 s stops it with exit 130"
else
    not_ok "run: SIGINT after 1 s stops it with exit 130" "exit $rc $(timed_out)" "$(err)"
fi
partial=$(sed -n 's/^partial: \([0-9]*\) of 1000000 trials, interrupted by SIGINT$/\1/p' "$TMP/out")
if [ -n "$partial" ] && [ "$partial" -gt 0 ] &&
    [ "$(err)" = "drsim: partial: $partial of 1000000 trials, interrupted by SIGINT" ] &&
    grep -q '^availability ' "$TMP/out"; then
    ok "run: the summary of the $partial completed trials is printed, marked partial on stdout and stderr"
else
    not_ok "run: the completed trials are summarised and marked partial on stdout and stderr" \
        "stdout:" "$(head -n 8 "$TMP/out")" "stderr:" "$(err)"
fi
listing=$(cd "$CSV" 2>/dev/null && ls -A | tr '\n' ' ')
if [ "$listing" = "disasters.csv incidents.csv summary.csv trials.csv " ]; then
    ok "run: an interrupted --csv DIR holds the four files and no temporary"
else
    not_ok "run: an interrupted --csv DIR holds the four files and no temporary" "found: $listing"
fi
rows=$(($(wc -l <"$CSV/trials.csv" 2>/dev/null || echo 1) - 1))
last_trial=$(tail -n 1 "$CSV/trials.csv" 2>/dev/null | cut -d, -f1)
if [ -n "$partial" ] && [ "$rows" -eq "$partial" ] && [ "$last_trial" = "$((partial - 1))" ] &&
    [ "$(fields "$CSV/trials.csv")" = "10 " ]; then
    ok "run: trials.csv holds the completed prefix, trials 0 .. $((partial - 1)), every row whole"
else
    not_ok "run: trials.csv holds the completed prefix, every row whole" \
        "rows $rows, last trial $last_trial, partial ${partial:-?}, field counts $(fields "$CSV/trials.csv")"
fi
summary=$(tr -d '\r' <"$CSV/summary.csv" 2>/dev/null)
if grep -qx "trials_completed,trials,$partial,,,,," <<<"$summary" &&
    grep -qx "trials_requested,trials,1000000,,,,," <<<"$summary" &&
    [ "$(fields "$CSV/summary.csv")" = "8 " ]; then
    ok "run: summary.csv is marked partial (trials_completed, trials_requested)"
else
    not_ok "run: summary.csv is marked partial (trials_completed, trials_requested)" \
        "$(cat "$CSV/summary.csv" 2>/dev/null)"
fi
beyond=$(tail -n +2 "$CSV/incidents.csv" 2>/dev/null | awk -F, -v n="${partial:-0}" '$1 >= n' | wc -l)
if [ -s "$CSV/incidents.csv" ] && [ "$beyond" -eq 0 ] && [ -s "$CSV/disasters.csv" ]; then
    ok "run: incidents.csv and disasters.csv hold only completed trials"
else
    not_ok "run: incidents.csv and disasters.csv hold only completed trials" "$beyond rows past trial $partial"
fi

start_background run scenarios/warm-standby.yaml --trials 1000000 --threads 2 --quiet
stop_background TERM
if [ "$rc" -eq 130 ] && [ ! -s "$TMP/out" ] &&
    grep -qx 'drsim: partial: [0-9]* of 1000000 trials, interrupted by SIGTERM' "$TMP/err"; then
    ok "run --quiet: SIGTERM stops it with exit 130 and says so on stderr"
else
    not_ok "run --quiet: SIGTERM stops it with exit 130 and says so on stderr" \
        "exit $rc $(timed_out)" "$(err)"
fi

mkdir "$TMP/junit"
start_background check tests/scenarios/check/on-target.yaml --max-trials 100000000 \
    --junit "$TMP/junit/report.xml"
stop_background INT
if [ "$rc" -eq 130 ] && [ ! -s "$TMP/out" ] &&
    [ "$(err)" = "drsim: check: interrupted by SIGINT: no verdict, no JUnit report written" ] &&
    [ -z "$(ls -A "$TMP/junit")" ]; then
    ok "check: SIGINT stops it with exit 130, no verdict, no JUnit file or temporary"
else
    not_ok "check: SIGINT stops it with exit 130, no verdict, no JUnit file or temporary" \
        "exit $rc $(timed_out)" "$(err)" "left: $(ls -A "$TMP/junit")"
fi

mkdir "$TMP/table"
start_background table strategies --trials 1000000 --csv "$TMP/table/strategies.csv" \
    --markdown "$TMP/table/strategies.md"
stop_background INT
if [ "$rc" -eq 130 ] && [ ! -s "$TMP/out" ] &&
    [ "$(err)" = "drsim: backup-restore.yaml: interrupted by SIGINT
drsim: table strategies: interrupted by SIGINT: no table written" ] &&
    [ -z "$(ls -A "$TMP/table")" ]; then
    ok "table strategies: SIGINT stops it with exit 130, no table, no temporary"
else
    not_ok "table strategies: SIGINT stops it with exit 130, no table, no temporary" \
        "exit $rc $(timed_out)" "$(err)" "left: $(ls -A "$TMP/table")"
fi

tests_summary
