#!/usr/bin/env bash
# mpi_test — drsim under MPI writes what one process writes (docs/cluster.md).
#
# `mpirun -np 2` of the MPI build ($DRSIM_MPI_BIN, default build/mpi/drsim,
# from `make MPI=1`) against the single-process program ($DRSIM): run's four
# CSV files and its stdout without the timing line, `table strategies`,
# `check --junit` and `plan --csv`, byte for byte; then a rank that stops
# early (no hang), and nothing left behind by the ranks that do not write.
# Without the MPI build, or without mpirun, it prints one "ok - skipped"
# line: `make test` never needs MPI.  `make test-mpi` builds both and runs it.
# Run from the repository root.
set -u

MPI_BIN=${DRSIM_MPI_BIN:-build/mpi/drsim}
if [ ! -x "$MPI_BIN" ]; then
    echo "ok - skipped: built without MPI (no $MPI_BIN; make test-mpi builds it)"
    echo "0 passed, 0 failed"
    exit 0
fi
if ! command -v mpirun >/dev/null 2>&1; then
    echo "ok - skipped: $MPI_BIN exists but mpirun does not (make mpi-deps)"
    echo "0 passed, 0 failed"
    exit 0
fi

TEST_TMP_NAME=drsim-mpi source "$(dirname "$0")/lib.sh"
# the ranks' private temporaries (sim/outfile.c) go here, so they can be counted
mkdir -p "$TMP/ranktmp"
export TMPDIR=$TMP/ranktmp
# NP ranks, each in at most 300 s (a hang is a failure, not a stuck suite)
mpi() {
    local np=$1
    shift
    timeout 300 mpirun --allow-run-as-root --oversubscribe -np "$np" "$MPI_BIN" "$@" \
        >"$TMP/mpi.out" 2>"$TMP/mpi.err"
    mrc=$?
}
one() { "$DRSIM" "$@" >"$TMP/one.out" 2>"$TMP/one.err"; orc=$?; }
# stdout without the lines that report time taken
untimed() { grep -v -E '^run  |cheapest first, in [0-9.]+ s|trials? in [0-9.]+ s$' "$1"; }
same_output() {
    local description=$1
    shift
    local differences=""
    [ "$orc" -eq "$mrc" ] || differences="exit $orc alone, $mrc under mpirun"
    for pair in "$@"; do
        local a=${pair%%:*} b=${pair#*:}
        cmp -s "$a" "$b" || differences+=$'\n'"$(diff "$a" "$b" | head -n 20)"
    done
    if cmp -s <(untimed "$TMP/one.out") <(untimed "$TMP/mpi.out"); then :; else
        differences+=$'\n'"stdout: $(diff <(untimed "$TMP/one.out") <(untimed "$TMP/mpi.out") | head -n 20)"
    fi
    if [ -z "$differences" ]; then ok "$description"; else
        not_ok "$description" "$differences" "$(head -n 20 "$TMP/mpi.err")"
    fi
}

# ---- run: four CSV files and the summary ---------------------------------------------------
one run scenarios/web-tier.yaml --trials 300 --seed 5 --csv "$TMP/run1"
mpi 2 run scenarios/web-tier.yaml --trials 300 --seed 5 --csv "$TMP/run2"
same_output "run web-tier, 300 trials: -np 2 writes the four CSV files and the table of one process" \
    "$TMP/run1/summary.csv:$TMP/run2/summary.csv" "$TMP/run1/trials.csv:$TMP/run2/trials.csv" \
    "$TMP/run1/incidents.csv:$TMP/run2/incidents.csv" "$TMP/run1/disasters.csv:$TMP/run2/disasters.csv"
[ -s "$TMP/run2/incidents.csv" ] && [ "$(wc -l <"$TMP/run2/incidents.csv")" -gt 10 ] &&
    ok "run: the compared incidents.csv has rows (incidents crossed between ranks)" ||
    not_ok "run: the compared incidents.csv has rows" "$(wc -l "$TMP/run2/incidents.csv")"
if [ ! -s "$TMP/mpi.err" ]; then ok "run: nothing on stderr (rank 1's output goes nowhere)"; else
    not_ok "run: nothing on stderr" "$(head "$TMP/mpi.err")"; fi

# three ranks over an odd count: slices of 100, 100 and 101 records
mpi 3 run scenarios/web-tier.yaml --trials 301 --seed 5 --csv "$TMP/run3" --quiet
one run scenarios/web-tier.yaml --trials 301 --seed 5 --csv "$TMP/run31" --quiet
same_output "run, 301 trials over -np 3: the same CSV files" \
    "$TMP/run31/trials.csv:$TMP/run3/trials.csv" "$TMP/run31/incidents.csv:$TMP/run3/incidents.csv" \
    "$TMP/run31/disasters.csv:$TMP/run3/disasters.csv"

# fewer trials than ranks: a rank with an empty slice
mpi 3 run scenarios/web-tier.yaml --trials 2 --seed 5 --csv "$TMP/run4" --quiet
one run scenarios/web-tier.yaml --trials 2 --seed 5 --csv "$TMP/run41" --quiet
same_output "run, 2 trials over -np 3 (one rank without a trial): the same CSV files" \
    "$TMP/run41/trials.csv:$TMP/run4/trials.csv" "$TMP/run41/summary.csv:$TMP/run4/summary.csv"

# ---- the commands that go through runner_run / runner_run_range -----------------------------
one table strategies --trials 200 --csv "$TMP/strategies1.csv"
mpi 2 table strategies --trials 200 --csv "$TMP/strategies2.csv"
same_output "table strategies --trials 200: the same CSV and table" \
    "$TMP/strategies1.csv:$TMP/strategies2.csv"

one check scenarios/web-tier.yaml --junit "$TMP/check1.xml"
mpi 2 check scenarios/web-tier.yaml --junit "$TMP/check2.xml"
same_output "check web-tier --junit: the same verdicts, report and exit status" \
    "$TMP/check1.xml:$TMP/check2.xml"

one plan tests/plans/three-needed.yaml --csv "$TMP/plan1.csv"
mpi 2 plan tests/plans/three-needed.yaml --csv "$TMP/plan2.csv"
same_output "plan three-needed --csv: the same candidates, winner and CSV" \
    "$TMP/plan1.csv:$TMP/plan2.csv"

# ---- a rank that stops early does not leave the others waiting ------------------------------
# rank 0 cannot make the CSV directory (a file is in the way); ranks > 0 make
# no directory, so they go on to the trials, find rank 0 gone, and stop too
: >"$TMP/in-the-way"
mpi 2 run scenarios/web-tier.yaml --trials 2000 --csv "$TMP/in-the-way/csv"
if [ "$mrc" -ne 0 ] && [ "$mrc" -ne 124 ] && grep -q "is not a directory" "$TMP/mpi.err"; then
    ok "rank 0 stops before the trials: the job ends (exit $mrc) with rank 0's error, no hang"
else
    not_ok "rank 0 stops before the trials: the job ends with rank 0's error, no hang" \
        "exit $mrc" "$(head -n 20 "$TMP/mpi.err")"
fi

# ---- ranks > 0 leave nothing behind -------------------------------------------------------
mpi 2 run scenarios/web-tier.yaml --trials 100 --seed 5 --quiet --csv "$TMP/run5" --plot "$TMP/plot5"
leftovers=$(find "$TMP/ranktmp" -mindepth 1; find "$TMP/run5" "$TMP/plot5" -name '*.tmp.*')
if [ "$mrc" -eq 0 ] && [ -z "$leftovers" ] && [ "$(ls "$TMP/run5" | wc -l)" -eq 4 ] &&
    { ! command -v gnuplot >/dev/null || [ "$(ls "$TMP/plot5" | wc -l)" -eq 2 ]; }; then
    ok "with --csv and --plot, no temporary is left by any rank"
else
    not_ok "with --csv and --plot, no temporary is left by any rank" "exit $mrc" "$leftovers" \
        "$(ls "$TMP/run5")"
fi

tests_summary
