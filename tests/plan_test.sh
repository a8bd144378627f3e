#!/usr/bin/env bash
# plan_test — `drsim plan` end to end (include/plan.h): a hand-checkable
# plan whose winner follows from reasoning, the outputs, determinism, the
# seed-based strategy plan, and bad plan specifications with their pinned
# messages.  Run from the repository root with DRSIM set.
set -u

source "$(dirname "$0")/lib.sh"

# ---- bad plan specifications: exit 2 with the pinned message ------------------------------
for bad in tests/plans/bad/*.yaml; do
    drsim plan "$bad" --csv "$TMP/bad.csv"
    if [ "$rc" -eq 2 ] && [ ! -e "$TMP/bad.csv" ] && diff -q "${bad%.yaml}.err" "$TMP/err" >/dev/null; then
        ok "bad plan $(basename "$bad"): exit 2 with its pinned message, no CSV"
    else
        not_ok "bad plan $(basename "$bad"): exit 2 with its pinned message, no CSV" "exit $rc" \
            "$(diff "${bad%.yaml}.err" "$TMP/err")"
    fi
done
PLAN=tests/plans/three-needed.yaml
drsim plan "$PLAN" --availability 100%
check "an availability target of 100% contradicts any failure: exit 2" '[ $rc -eq 2 ] && grep -q "100%" $TMP/err'
drsim plan "$PLAN" --rto 0s
check "an RTO target of 0 is refused: exit 2" '[ $rc -eq 2 ]'
drsim plan "$PLAN" --max-cost -5
check "a negative --max-cost is refused: exit 2" '[ $rc -eq 2 ]'
sed 's/^targets:.*//' "$PLAN" >"$TMP/no-target.yaml"
sed -i 's#\.\./\.\./scenarios#'"$PWD"'/scenarios#' "$TMP/no-target.yaml"
drsim plan "$TMP/no-target.yaml"
check "a plan without any target: exit 2" '[ $rc -eq 2 ] && grep -q "states no target" $TMP/err'
drsim validate scenarios/plans/web-tier.yaml
check "validate refuses a plan file's open extends with a clear message" \
    '[ $rc -eq 2 ] && grep -q "lists bases for .drsim plan. to choose among" $TMP/err'

# ---- the hand-checkable plan ----------------------------------------------------------------
drsim plan "$PLAN" --csv "$TMP/plan.csv" --threads 1
check "three-needed: the winner is 3 instances, the cheapest meeting 99.99% (exit 0)" \
    '[ $rc -eq 0 ] && grep -A1 "^winner:" $TMP/out | grep -q "#3 web.desired_capacity=3: \$2227 a year"'
check "three-needed: 1 and 2 instances are rejected as missing 99.99%, with their figures" \
    'grep -A1 "#1 web.desired_capacity=1" $TMP/out | grep -q "fails: availability >= 99.99% missed" && grep -A1 "#2 web.desired_capacity=2" $TMP/out | grep -q "fails: availability >= 99.99% missed"'
check "three-needed: search size and time are reported" \
    'grep -q "6 candidates (6 web.desired_capacity)" $TMP/out && grep -Eq "^evaluated [0-9]+, cheapest first, in [0-9.]+ s" $TMP/out'
check "three-needed: zone-loss headroom is z·⌈D/(c(z−1))⌉ = 2·⌈2500/1000⌉ = 6" \
    'grep -q "static stability needs 3 per zone (6 in all)" $TMP/out && grep -q "NOT statically stable" $TMP/out'
check "the CSV has the documented columns and one row per evaluated candidate" \
    '[ "$(head -n1 $TMP/plan.csv | tr -d "\r")" = "candidate,cost_per_year_usd,availability,rto_p95_s,rpo_p95_s,meets_targets,outcome,trials,web.desired_capacity,reason" ] && [ "$(tail -n +2 $TMP/plan.csv | wc -l)" -eq "$(sed -n "s/^evaluated \([0-9]*\),.*/\1/p" $TMP/out)" ]'
drsim plan "$PLAN" --csv "$TMP/plan2.csv" --threads 2
check "the search is deterministic: the same CSV for --threads 1 and 2" 'cmp -s $TMP/plan.csv $TMP/plan2.csv'
drsim plan "$PLAN" --max-cost 2000
check "--max-cost below the winner: no candidate meets (exit 1), the dearer ones over budget" \
    '[ $rc -eq 1 ] && grep -q "no candidate meets the targets" $TMP/out && grep -q "4 over the \$2000 budget" $TMP/out'

# ---- the strategies plan over the seed's web tier -------------------------------------------
drsim plan scenarios/plans/web-tier.yaml --csv "$TMP/web.csv" --plot "$TMP/plot"
check "web-tier plan: strategies × sizes × types × zones, a winner, search size and time" \
    '[ $rc -eq 0 ] && grep -q "^plan of scenarios/plans/web-tier.yaml: [0-9]* candidates (5 bases" $TMP/out && grep -q "^winner:" $TMP/out'
if command -v "${DRSIM_GNUPLOT:-gnuplot}" >/dev/null 2>&1; then
    check "--plot draws a real PNG Pareto front" \
        '[ "$(head -c 8 $TMP/plot/pareto.png | od -An -tx1 | tr -d " \n")" = "89504e470d0a1a0a" ]'
else
    not_ok "--plot draws a real PNG Pareto front" "gnuplot is not installed (make deps installs it)"
fi

tests_summary
