#!/usr/bin/env bash
# experiment_test — `drsim experiment` end to end (include/experiment.h):
# the seed's FIS template, every action type, target selection, startAfter
# ordering, stop conditions that fire and that do not, every verdict, the
# outputs, and every bad experiment file in tests/experiments/bad with its
# pinned message.  Run from the repository root with DRSIM set.
set -u

EXP=scenarios/experiments
PROD=$EXP/production.yaml
BAD_DIR=tests/experiments/bad

source "$(dirname "$0")/lib.sh"
# A timeline's rows of one kind (CSV: t_s,kind,target,detail)
rows() { grep -c "^[^,]*,$2," "$1"; }

# ---- bad experiment files: FILE:LINE:COL messages, exit 2, nothing written -------------------
for bad in "$BAD_DIR"/*.yaml; do
    expected="${bad%.yaml}.err"
    drsim experiment "$bad" --scenario "$PROD" --csv "$TMP/bad-out"
    if [ "$rc" -eq 2 ] && [ ! -s "$TMP/out" ] && [ ! -e "$TMP/bad-out" ] &&
        diff -q "$expected" "$TMP/err" >/dev/null; then
        ok "bad experiment $(basename "$bad"): exit 2 with its pinned message, nothing written"
    else
        not_ok "bad experiment $(basename "$bad"): exit 2 with its pinned message, nothing written" \
            "exit $rc" "$(diff "$expected" "$TMP/err")"
    fi
done
drsim experiment "$BAD_DIR/unknown-action-id.yaml" --scenario "$PROD"
check "an unknown FIS action id is named in the message" "grep -q \"unknown action id 'aws:ec2:explode-instances'\" $TMP/err"
drsim experiment "$EXP/az-failure.yaml"
check "experiment without --scenario is a usage error (exit 2)" '[ $rc -eq 2 ] && grep -q "which scenario" $TMP/err'
drsim experiment --scenario "$PROD"
check "experiment without an experiment file is a usage error (exit 2)" '[ $rc -eq 2 ]'
drsim experiment "$EXP/az-failure.yaml" --scenario "$PROD" --repeat 0
check "--repeat 0 is refused (exit 2)" '[ $rc -eq 2 ]'
drsim experiment "$EXP/az-failure.yaml" --scenario tests/scenarios/bad/alias-cycle.yaml
check "a bad scenario gives its own FILE:LINE:COL error (exit 2)" '[ $rc -eq 2 ] && grep -q "alias-cycle.yaml:4:13: error" $TMP/err'

# ---- the seed's template: exactly one production instance in us-east-1a is terminated ---------
for seed in 1 2 3 4 5 6 7 8; do
    drsim experiment "$EXP/az-failure.yaml" --scenario "$PROD" --seed $seed --csv "$TMP/seed$seed"
    t="$TMP/seed$seed/timeline.csv"
    terminated=$(grep -c '^[^,]*,inject,web-east/[0-9]*,instance web-east/[0-9]* (us-east-1a) is terminated' "$t")
    others=$(grep -c ',inject,.*is terminated' "$t")
    if [ "$rc" -eq 0 ] && [ "$terminated" -eq 1 ] && [ "$others" -eq 1 ] &&
        grep -q 'target Instances: 1 of 2 aws:ec2:instance tagged Environment=production in us-east-1a' "$t" &&
        grep -q 'experiment completed' "$TMP/out"; then
        ok "seed AZ template, seed $seed: terminates exactly one production instance, in us-east-1a; completed"
    else
        not_ok "seed AZ template, seed $seed: terminates exactly one production instance, in us-east-1a; completed" \
            "exit $rc, $terminated in us-east-1a, $others in all" "$(cat "$t")"
    fi
done
# untagged, the same template finds nothing: FIS fails an experiment whose target is empty
sed 's/Environment: production/Environment: staging/' "$EXP/az-failure.yaml" >"$TMP/staging.yaml"
drsim experiment "$TMP/staging.yaml" --scenario "$PROD"
check "an empty target set fails the experiment (exit 1, status failed, nothing injected)" \
    '[ $rc -eq 1 ] && grep -q "experiment failed: target Instances resolved to no resources" $TMP/out && ! grep -q "FIS starts" $TMP/out'
# ... unless the template says to skip actions with empty targets
cat >"$TMP/skip-empty.yaml" <<'YAML'
targets:
  Staging: {resourceType: aws:ec2:instance, resourceTags: {Environment: staging}, selectionMode: ALL}
actions:
  Kill: {actionId: aws:ec2:terminate-instances, targets: {Instances: Staging}}
experimentOptions: {emptyTargetResolutionMode: skip}
YAML
drsim experiment "$TMP/skip-empty.yaml" --scenario "$PROD"
check "emptyTargetResolutionMode skip: the action is skipped and the experiment completes" \
    '[ $rc -eq 0 ] && grep -q "FIS skips action Kill" $TMP/out && grep -q "experiment completed" $TMP/out'

# ---- the narration a student follows -----------------------------------------------------------
drsim experiment "$EXP/az-failure.yaml" --scenario "$PROD" --seed 1
check "narration: elapsed times and the load balancer's verdict after 3 failed checks" \
    'grep -Eq "^00:01:[0-9.]+  load balancer alb-east marks web-east/[0-9]+ \(us-east-1a\) unhealthy after 3 failed checks" $TMP/out'
check "narration: the group replaces the instance and the summary gives the outcomes" \
    'grep -q "Auto Scaling group web-east replaces" $TMP/out && grep -q "time to detect" $TMP/out && grep -q "peak error rate    16.67%" $TMP/out'

# ---- every verdict ------------------------------------------------------------------------------
drsim experiment "$EXP/zone-network-loss.yaml" --scenario "$PROD" --csv "$TMP/zone"
check "deviated: a probe fails during the zone loss (exit 1)" \
    '[ $rc -eq 1 ] && grep -q "OUTSIDE" $TMP/out && grep -q "experiment deviated" $TMP/out'
check "a stop condition that does not fire: LowHealthyHosts stays OK through the zone loss" \
    '! grep -q "FIS stops" $TMP/out && ! grep -q ",ALARM" $TMP/zone/metrics.csv'
drsim experiment "$EXP/cpu-stress.yaml" --scenario "$PROD" --csv "$TMP/cpu"
check "stopped: HighErrorRateAlarm fires, the stress is rolled back (exit 1)" \
    '[ $rc -eq 1 ] && grep -q "FIS stops the experiment: stop condition HighErrorRateAlarm is in ALARM" $TMP/out && grep -q "action StressCPU is rolled back" $TMP/out && grep -q "experiment stopped" $TMP/out'
check "stopped: the alarm column of metrics.csv goes from OK to ALARM" \
    'grep -q ",OK" $TMP/cpu/metrics.csv && grep -q ",ALARM" $TMP/cpu/metrics.csv'
check "PERCENT(50) of six running instances selects three" \
    'grep -q "target WebHalf: 3 of 6 aws:ec2:instance" $TMP/out'
cat >"$TMP/not-steady.yaml" <<'YAML'
actions:
  Wait: {actionId: aws:fis:wait, parameters: {duration: PT1M}}
steadyStateHypothesis:
  probes:
    - {name: impossible, metric: healthy_hosts, tolerance: {max: 1}, when: [before]}
YAML
drsim experiment "$TMP/not-steady.yaml" --scenario "$PROD"
check "failed: the hypothesis does not hold before, so nothing is injected (exit 1)" \
    '[ $rc -eq 1 ] && grep -q "experiment failed: the steady-state hypothesis does not hold before" $TMP/out && ! grep -q "FIS starts" $TMP/out'
# Chaos Toolkit's spelling, first letter capitalised as CloudFormation
# writes keys: checked, not ignored (it once was accepted and skipped).
sed 's/^steadyStateHypothesis:/Steady-state-hypothesis:/' "$TMP/not-steady.yaml" >"$TMP/dashed.yaml"
drsim experiment "$TMP/dashed.yaml" --scenario "$PROD"
check "Steady-state-hypothesis (either case, Chaos Toolkit's spelling) is checked too (exit 1)" \
    '[ $rc -eq 1 ] && grep -q "experiment failed: the steady-state hypothesis does not hold before" $TMP/out'
cat >"$TMP/no-standby.yaml" <<'YAML'
targets:
  Db: {resourceType: aws:rds:cluster, resourceArns: [app-db], selectionMode: ALL}
actions:
  Failover: {actionId: aws:rds:failover-db-cluster, targets: {Clusters: Db}}
YAML
cat >"$TMP/no-standby-scenario.yaml" <<YAML
drsim: 1
extends: $PWD/$PROD
name: no-standby
databases:
  - {name: app-db, multi_az: false}
YAML
drsim experiment "$TMP/no-standby.yaml" --scenario "$TMP/no-standby-scenario.yaml"
check "failed: a database failover with no standby to fail over to (exit 1)" \
    '[ $rc -eq 1 ] && grep -q "has no standby or replica to fail over to" $TMP/out'

# ---- startAfter ordering and the other actions ------------------------------------------------
drsim experiment "$EXP/database-failover.yaml" --scenario "$PROD" --csv "$TMP/db"
t="$TMP/db/timeline.csv"
check "startAfter: Failover and the wait begin at 0, the reboot only when the wait ends (300 s)" \
    'grep -q "^0,inject,Failover," $t && grep -q "^0,inject,Pause," $t && grep -q "^300,inject,Reboot," $t && grep -q "^300,rollback,Pause," $t'
check "database failover and reboot: the writer goes offline and is writable again, completed" \
    '[ $rc -eq 0 ] && [ "$(grep -c "database app-db is writable in us-east-1" $t)" -eq 2 ]'
drsim experiment "$EXP/region-isolation.yaml" --scenario "$PROD" --csv "$TMP/region"
t="$TMP/region/timeline.csv"
check "region isolation after a wait: us-east-1 goes down at 600 s and comes back at 4200 s" \
    'grep -q "^600,inject,IsolateEast," $t && grep -q "^4200,rollback,IsolateEast," $t'
check "replication paused before a region loss loses at least the paused writes (RPO >= 10 min)" \
    'awk -F, "NR>1 && \$2==\"data\" {x=\$0} END {exit !(x ~ /loses 1[0-9.]* min/)}" $t && grep -q "data lost          1[0-9.]* min" $TMP/out'
cat >"$TMP/actions.yaml" <<'YAML'
targets:
  Two: {resourceType: aws:ec2:instance, resourceTags: {Tier: web}, selectionMode: COUNT(2)}
  OneInB:
    resourceType: aws:ec2:instance
    filters: [{path: Placement.AvailabilityZone, values: [us-east-1b]}, {path: State.Name, values: [running]}]
    selectionMode: PERCENT(10)
  ByName: {resourceType: aws:ec2:instance, resourceArns: ['arn:aws:ec2:us-east-1:123456789012:instance/web-east/5'], selectionMode: ALL}
  ZoneC: {resourceType: drsim:zone, resourceArns: [us-east-1c], selectionMode: ALL}
actions:
  Slow: {actionId: drsim:ec2:latency-stress, parameters: {delayMilliseconds: '300', duration: PT3M}, targets: {Instances: ByName}}
  Stop: {actionId: aws:ec2:stop-instances, parameters: {startInstancesAfterDuration: PT2M}, targets: {Instances: Two}, startAfter: [Slow]}
  Reboot: {actionId: aws:ec2:reboot-instances, targets: {Instances: OneInB}, startAfter: [Stop]}
  Power: {actionId: drsim:zone:power-interruption, parameters: {duration: PT5M}, targets: {Subnets: ZoneC}, startAfter: [Reboot]}
YAML
drsim experiment "$TMP/actions.yaml" --scenario "$PROD" --csv "$TMP/act"
t="$TMP/act/timeline.csv"
check "COUNT(2) picks two instances; a zone filter with PERCENT(10) picks one in us-east-1b; an ARN names one" \
    'grep -q "target Two: 2 of 6" $t && grep -Eq "target OneInB: 1 of 2 aws:ec2:instance in us-east-1b: web-east/[0-9]+" $t && grep -q "target ByName: 1 of 1 aws:ec2:instance: web-east/5" $t'
check "latency stress for PT3M; stop instances, restarted after PT2M; reboot; zone power loss — in startAfter order" \
    'grep -q "^0,inject,Slow," $t && grep -q "^180,rollback,Slow," $t && grep -q "^180,inject,Stop," $t && grep -q "^300,rollback,Stop," $t && grep -q "^300,inject,Reboot," $t && grep -q "^300,inject,Power," $t && grep -q "^600,rollback,Power," $t'
check "latency stress raises the latency metric while it lasts" \
    'awk -F, "NR>1 && \$1>0 && \$1<=180 && \$6>0.05 {found=1} END {exit !found}" $TMP/act/metrics.csv'
cat >"$TMP/table-pause.yaml" <<'YAML'
targets:
  Table: {resourceType: aws:dynamodb:global-table, selectionMode: ALL}
  East: {resourceType: drsim:region, resourceArns: [us-east-1], selectionMode: ALL}
actions:
  Pause: {actionId: aws:dynamodb:global-table-pause-replication, parameters: {duration: PT15M}, targets: {Tables: Table}}
  Lose: {actionId: drsim:region:isolate, parameters: {duration: PT30M}, targets: {Regions: East}, startAfter: [Hold]}
  Hold: {actionId: aws:fis:wait, parameters: {duration: PT10M}}
YAML
drsim experiment "$TMP/table-pause.yaml" --scenario scenarios/active-active.yaml
check "global-table replication paused 10 min before a region loss: at least 10 min of writes lost" \
    'grep -Eq "data lost          (1[0-9.]*|[2-9][0-9.]*) min" $TMP/out'

# ---- dry run, determinism, repeat, plot ----------------------------------------------------------
sed 's/^stopConditions:/experimentOptions: {actionsMode: skip-all}\nstopConditions:/' "$EXP/cpu-stress.yaml" >"$TMP/dry.yaml"
drsim experiment "$TMP/dry.yaml" --scenario "$PROD"
check "actionsMode skip-all: resolves the targets, prints the plan, injects nothing, completes" \
    '[ $rc -eq 0 ] && grep -q "plan of" $TMP/out && grep -q "at +0 s: StressCPU" $TMP/out && ! grep -q "FIS starts" $TMP/out'
drsim experiment "$EXP/zone-network-loss.yaml" --scenario "$PROD" --seed 9 --csv "$TMP/d1"
drsim experiment "$EXP/zone-network-loss.yaml" --scenario "$PROD" --seed 9 --csv "$TMP/d2"
check "the same seed gives byte-identical timeline.csv and metrics.csv" \
    'cmp -s $TMP/d1/timeline.csv $TMP/d2/timeline.csv && cmp -s $TMP/d1/metrics.csv $TMP/d2/metrics.csv'
check "timeline.csv and metrics.csv have the documented headers" \
    '[ "$(head -n1 $TMP/d1/timeline.csv | tr -d "\r")" = "t_s,kind,target,detail" ] && [ "$(head -n1 $TMP/d1/metrics.csv | tr -d "\r")" = "t_s,error_rate,served_fraction,healthy_hosts,healthy_capacity,latency_s,demand_rps,alarm_LowHealthyHosts" ]'
drsim experiment "$EXP/az-failure.yaml" --scenario "$PROD" --repeat 30 --csv "$TMP/rep"
check "--repeat 30: the distribution table, 30 rows in repeats.csv, all completed (exit 0)" \
    '[ $rc -eq 0 ] && grep -q "30 runs (seed 1, repeats 0..29): 30 completed" $TMP/out && [ "$(tail -n +2 $TMP/rep/repeats.csv | wc -l)" -eq 30 ] && grep -q "^  time to detect " $TMP/out'
check "--repeat: time to detect lies within the health check's 3 × 30 s plus its 10 s timeout" \
    'awk -F, "NR>1 && (\$3 < 60 || \$3 > 100) {bad=1} END {exit bad}" $TMP/rep/repeats.csv'
if command -v "${DRSIM_GNUPLOT:-gnuplot}" >/dev/null 2>&1; then
    drsim experiment "$EXP/cpu-stress.yaml" --scenario "$PROD" --plot "$TMP/plot"
    check "--plot draws a real PNG timeline with gnuplot" \
        '[ "$(head -c 8 $TMP/plot/timeline.png | od -An -tx1 | tr -d " \n")" = "89504e470d0a1a0a" ]'
else
    not_ok "--plot draws a real PNG timeline with gnuplot" "gnuplot is not installed (make deps installs it)"
fi

tests_summary
