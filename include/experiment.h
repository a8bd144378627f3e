/*
 * experiment — an offline rehearsal of an AWS FIS experiment against a
 * scenario: targets resolved on the scenario's resources, actions injected
 * into a trial (models' fault-injection API, model.h), stop conditions as
 * CloudWatch-like alarms (alarm.h), a steady-state hypothesis checked
 * before, during and after, and a verdict.  docs/experiments.md is the
 * user's guide; this is the contract.
 *
 * File formats (experiment_load reads either, told apart by content):
 *   - a CloudFormation template (YAML, with !Ref, !GetAtt, !Sub) holding
 *     one AWS::FIS::ExperimentTemplate resource (several: choose one by
 *     logical id) and, optionally, AWS::CloudWatch::Alarm resources;
 *     `Resources:` may be omitted, as in the seed's snippet;
 *   - drsim's own YAML: the FIS template's structure at the top level
 *     (description, targets, actions, stopConditions, experimentOptions),
 *     plus `alarms:` (alarm.h), `steadyStateHypothesis:` and `settle:`.
 * Keys are matched with the first letter in either case (Targets and
 * targets), as CloudFormation and the FIS API spell them.
 *
 * Timeline of a run: the trial starts at t = 0 in steady state; the
 * hypothesis is checked "before" at t = start_s (ALARM warm-up, so the
 * probes have data); targets are resolved and the actions without
 * startAfter begin at start_s; an action with startAfter begins when all
 * it names have ended; "during" checks run at every metrics tick while an
 * action runs; "after" checks run settle_s after the last action ends,
 * and the run ends there.  A stop condition in ALARM stops the experiment:
 * actions not yet begun never begin, running ones are rolled back.
 *
 * Verdicts (exit status 0 for completed, 1 otherwise):
 *   completed  every probe held at every check, no stop condition fired
 *   deviated   a probe failed during or after the actions
 *   stopped    a stop condition fired (wins over deviated)
 *   failed     the hypothesis did not hold before, a target resolved to
 *              no resources, or an action could not act (a database
 *              failover with nothing to fail over to)
 *
 * Determinism: (scenario, experiment, seed, repeat index) fix the run.
 *
 * Ownership: experiment_free() releases what experiment_load() built;
 * experiment_run() allocates the run it fills; experiment_run_free().
 */
#ifndef DRSIM_EXPERIMENT_H
#define DRSIM_EXPERIMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "alarm.h"
#include "diag.h"
#include "scenario.h"
#include "tags.h"

#define EXPERIMENT_MAX_ACTIONS 100        /* FIS: 100 actions per template */
#define EXPERIMENT_MAX_TARGETS 100
#define EXPERIMENT_MAX_DURATION_S (12.0 * 3600.0) /* FIS: an action lasts at most 12 h */
#define EXPERIMENT_DEFAULT_SETTLE_S 300.0  /* observe 5 min after the last action */
#define EXPERIMENT_WARMUP_S 60.0          /* steady state measured before the start */
/* An instance reboot takes about a minute: an assumption (docs/experiments.md). */
#define EXPERIMENT_REBOOT_S 60.0
/* A database reboot without failover: minutes; 2 min assumed. */
#define EXPERIMENT_DB_REBOOT_S 120.0

typedef enum resource_type {
    RESOURCE_INSTANCE,       /* aws:ec2:instance: ASG instances and component copies */
    RESOURCE_SUBNET,         /* aws:ec2:subnet, drsim:zone: a zone */
    RESOURCE_REGION,         /* drsim:region */
    RESOURCE_DB_CLUSTER,     /* aws:rds:cluster */
    RESOURCE_DB_INSTANCE,    /* aws:rds:db */
    RESOURCE_GLOBAL_TABLE,   /* aws:dynamodb:global-table */
    RESOURCE_BUCKET,         /* aws:s3:bucket */
    RESOURCE_NONE            /* aws:fis:wait has no target */
} resource_type;

typedef enum selection_mode { SELECT_ALL, SELECT_COUNT, SELECT_PERCENT } selection_mode;

typedef struct experiment_target {
    char *name;
    resource_type type;
    tag_set resource_tags;
    char **resource_ids;     /* resourceArns: names ("web-east/2", "us-east-1a") or ARNs ending in one */
    size_t n_resource_ids;
    int *zones;              /* filter on the zone (empty: any) */
    size_t n_zones;
    selection_mode selection;
    int selection_n;
    bool no_state_match;     /* a State.Name filter without "running": selects nothing */
} experiment_target;

typedef enum action_kind {
    ACTION_FIS_WAIT,
    ACTION_TERMINATE_INSTANCES,
    ACTION_STOP_INSTANCES,
    ACTION_REBOOT_INSTANCES,
    ACTION_CPU_STRESS,
    ACTION_LATENCY_STRESS,
    ACTION_ZONE_NETWORK_LOSS,
    ACTION_ZONE_POWER_LOSS,
    ACTION_REGION_ISOLATION,
    ACTION_DB_FAILOVER,
    ACTION_DB_REBOOT,
    ACTION_PAUSE_REPLICATION
} action_kind;

typedef struct experiment_action {
    char *name;
    char *action_id;         /* as written: "aws:ec2:terminate-instances" */
    action_kind kind;
    int target;              /* index in targets, -1 for wait */
    int *start_after;        /* indices of actions */
    size_t n_start_after;
    double duration_s;       /* NAN: acts once (terminate, failover) or until started (stop) */
    double load_fraction;    /* CPU stress: share of each instance's CPU taken */
    double added_latency_s;  /* latency stress */
    bool force_failover;     /* database reboot */
    double begin_s;          /* after the experiment's start, by startAfter (set at load) */
} experiment_action;

typedef struct experiment_probe {
    char *name;
    metric_kind metric;
    double window_s;         /* the metric averaged over this, ending at the check */
    double min, max;         /* tolerance: min <= value <= max */
    bool before, during, after;
} experiment_probe;

typedef struct experiment {
    char *file;
    char *description;
    char *template_id;       /* the CloudFormation logical id, or NULL */
    experiment_target *targets;
    size_t n_targets;
    experiment_action *actions;
    size_t n_actions;
    alarm_list alarms;       /* defined in the experiment file */
    const alarm_config **stop_conditions; /* in alarms or the scenario's */
    size_t n_stop_conditions;
    char *hypothesis_title;
    experiment_probe *probes;
    size_t n_probes;
    bool skip_all;           /* experimentOptions.actionsMode: skip-all */
    bool background_failures; /* drsim: the scenario's own failures too (default off) */
    bool skip_empty_targets; /* experimentOptions.emptyTargetResolutionMode: skip */
    double settle_s;
    double span_s;           /* start of the first action to the end of the last */
    double start_s;          /* when the actions begin: EXPERIMENT_WARMUP_S or a longer probe window */
} experiment;

/* Loads `path` against the loaded scenario `sc` (names and tags are
 * resolved in it).  `template_id` picks one of several templates (may be
 * NULL).  0 on success; -1 with every problem in diag (FILE:LINE:COL). */
int experiment_load(experiment *ex, const char *path, const scenario *sc, const char *template_id,
                    diag_list *diag);
int experiment_load_string(experiment *ex, const char *name, const char *text, size_t length,
                           const scenario *sc, const char *template_id, diag_list *diag);
void experiment_free(experiment *ex);

const char *action_kind_name(action_kind kind); /* "terminate instances", ... */

/* How long the action's own effect lasts (rolled back at its end): its
 * duration, or 0 for actions that act once (terminate, failover, reboot)
 * and for a stop without restart. */
double experiment_action_lasts_s(const experiment_action *a);
const char *resource_type_name(resource_type type); /* "aws:ec2:instance", ... */

typedef enum experiment_status {
    STATUS_COMPLETED,
    STATUS_DEVIATED,
    STATUS_STOPPED,
    STATUS_FAILED
} experiment_status;

const char *experiment_status_name(experiment_status status); /* "completed", ... */

typedef struct timeline_entry {
    double t_s;              /* seconds since the experiment's start (may be < 0) */
    int kind;                /* world_event_kind */
    char *target;
    char *detail;
} timeline_entry;

typedef struct metric_sample {
    double t_s;              /* end of the tick, since the experiment's start */
    double value[METRIC_COUNT];
    double demand_rps;
    unsigned alarm_bits;     /* bit k: stop condition k in ALARM */
    unsigned alarm_known;    /* bit k: stop condition k has a datapoint (else INSUFFICIENT_DATA) */
} metric_sample;

typedef struct experiment_run {
    experiment_status status;
    char reason[256];        /* why it is not completed ("" when it is) */
    timeline_entry *timeline;
    size_t n_timeline, cap_timeline;
    metric_sample *samples;
    size_t n_samples, cap_samples;
    /* the resolved targets, for the plan and the tests: per target, names */
    char ***resolved;        /* [n_targets][n_resolved[t]]; NULL rows: not resolved */
    size_t *n_resolved;
    size_t n_targets;
    bool faulted;            /* a fault was injected: the outcomes below count from it */
    /* outcomes (NAN when they did not happen) */
    double time_to_detect_s;  /* first injected fault to the first detection */
    double time_to_recover_s; /* first injected fault to full service for good */
    double peak_error_rate;
    double requests_failed;
    double data_lost_s;       /* largest RPO of the disasters it caused */
    double end_s;
    uint64_t events;
} experiment_run;

/* Runs the experiment once: trial `repeat` of `seed`.  `narrate` (may be
 * NULL) receives the narrated timeline as it happens.  0 on success (the
 * status says how the experiment went); -1 when out of memory. */
int experiment_run_once(const experiment *ex, const scenario *sc, uint64_t seed, uint64_t repeat,
                        FILE *narrate, experiment_run *run);
void experiment_run_free(experiment_run *run);

/* The plan of a skip-all (dry) run: the resolved targets and the actions
 * in start order, as text on out. */
void experiment_print_plan(const experiment *ex, const scenario *sc, const experiment_run *run,
                           FILE *out);

/* timeline.csv (t_s,kind,target,detail) and metrics.csv, written whole or
 * not at all (outfile.h).  0 on success, -1 with a message in err. */
int experiment_write_timeline_csv(const experiment_run *run, const char *path, char *err,
                                  size_t err_size);
int experiment_write_metrics_csv(const experiment *ex, const experiment_run *run, const char *path,
                                 char *err, size_t err_size);

/* ---- reports (sim/experiment_report.c) ---- */

/* The verdict and the outcomes of one run, a few lines. */
void experiment_print_summary(FILE *out, const experiment *ex, const experiment_run *run);

/* DIR/timeline.png (or .svg by the path): error rate and healthy capacity
 * over time with the actions' starts and ends and the alarms marked. */
int experiment_plot(const experiment *ex, const experiment_run *run, const char *path, char *err,
                    size_t err_size);

/* Over `n` runs (seeds): verdict counts and the distribution (mean, p50,
 * p95, max) of time to detect, time to recover, peak error rate,
 * requests failed and data lost. */
void experiment_print_distribution(FILE *out, const experiment_run *runs, size_t n, uint64_t seed);
int experiment_write_repeats_csv(const experiment_run *runs, size_t n, const char *path, char *err,
                                 size_t err_size);

#endif
