/*
 * alarm — CloudWatch-like alarms over a trial's simulated metrics, the stop
 * conditions of fault-injection experiments (sim/experiment.c).
 *
 * Scenario or experiment file (snake_case), or an AWS::CloudWatch::Alarm
 * resource of a CloudFormation template (its Properties in PascalCase):
 *   alarms:
 *     - name: HighErrorRateAlarm          # AlarmName / the logical id
 *       metric: error_rate                # MetricName
 *       statistic: Average                # Average (default), Maximum, Minimum
 *       period: 60s                       # Period: 10 s, 30 s or a multiple of 60 s
 *       evaluation_periods: 3             # EvaluationPeriods (default 1)
 *       datapoints_to_alarm: 2            # DatapointsToAlarm (default: evaluation_periods)
 *       threshold: 5%                     # Threshold
 *       comparison: GreaterThanThreshold  # ComparisonOperator (default)
 *
 * Metrics (sampled every ALARM_TICK_S seconds of simulated time):
 *   error_rate        fraction of requests failed over the tick (1 - served)
 *   served_fraction   fraction of requests served over the tick
 *   healthy_hosts     instances the load balancers believe healthy (or, in
 *                     a scenario without load balancers, copies up)
 *   healthy_capacity  what the live healthy instances can serve ÷ demand
 *   latency           mean response time of served requests, seconds
 * CloudWatch's names are accepted too: ErrorRate, HealthyHostCount,
 * TargetResponseTime.
 *
 * Evaluation as CloudWatch does it: at the end of each period, the
 * period's datapoint is the statistic over its ticks; the alarm is in
 * ALARM when at least datapoints_to_alarm of the last evaluation_periods
 * datapoints breach the threshold, OK otherwise, INSUFFICIENT_DATA until
 * the first datapoint.  Periods are aligned to t = 0.  A tick without
 * data (NaN: latency when nothing is served) is left out; a period with
 * none gives no datapoint and the state holds (TreatMissingData: missing).
 *
 * Ownership: alarm_list_free() releases what the parsers allocated.
 */
#ifndef DRSIM_ALARM_H
#define DRSIM_ALARM_H

#include <stdbool.h>
#include <stddef.h>

#include "ytree.h"

/* CloudWatch's high-resolution granularity: metrics are sampled this often. */
#define ALARM_TICK_S 10.0
/* CloudWatch: at most 100 evaluation periods... and a day of them. */
#define ALARM_MAX_EVALUATION_PERIODS 100

typedef enum metric_kind {
    METRIC_ERROR_RATE,
    METRIC_SERVED_FRACTION,
    METRIC_HEALTHY_HOSTS,
    METRIC_HEALTHY_CAPACITY,
    METRIC_LATENCY,
    METRIC_COUNT
} metric_kind;

typedef enum alarm_statistic { STATISTIC_AVERAGE, STATISTIC_MAXIMUM, STATISTIC_MINIMUM } alarm_statistic;

typedef enum alarm_comparison {
    COMPARE_GREATER,            /* GreaterThanThreshold */
    COMPARE_GREATER_OR_EQUAL,   /* GreaterThanOrEqualToThreshold */
    COMPARE_LESS,               /* LessThanThreshold */
    COMPARE_LESS_OR_EQUAL       /* LessThanOrEqualToThreshold */
} alarm_comparison;

typedef enum alarm_state { ALARM_INSUFFICIENT_DATA, ALARM_OK, ALARM_ALARM } alarm_state;

typedef struct alarm_config {
    char *name;
    metric_kind metric;
    alarm_statistic statistic;
    double period_s;
    int evaluation_periods;
    int datapoints_to_alarm;
    double threshold;
    alarm_comparison comparison;
} alarm_config;

typedef struct alarm_list {
    alarm_config *items;
    size_t n;
} alarm_list;

/* "error_rate", ...; and back (either spelling), -1 when unknown. */
const char *metric_name(metric_kind metric);
int metric_find(const char *name);
const char *alarm_state_name(alarm_state state); /* "OK", "ALARM", "INSUFFICIENT_DATA" */

/* A list of alarms in snake_case (a scenario's or an experiment's
 * `alarms:`), appended to *out.  false after reporting any problem. */
bool alarm_parse_list(yctx *c, const ynode *node, const ypath *path, alarm_list *out);

/* The Properties of an AWS::CloudWatch::Alarm resource with logical id
 * `logical_id`, appended to *out. */
bool alarm_parse_cloudformation(yctx *c, const char *logical_id, const ynode *properties,
                                const ypath *path, alarm_list *out);

/* A value in `metric`'s unit (a threshold, a probe's bound): a fraction or
 * a percentage from 0 to 1 for error_rate and served_fraction, a share of
 * the demand (0 or more) for healthy_capacity, a count for healthy_hosts,
 * a duration for latency.  false after reporting. */
bool alarm_parse_metric_value(yctx *c, const ynode *v, const ypath *p, metric_kind metric,
                              double *out);

/* The alarm named `name`, or NULL. */
const alarm_config *alarm_find(const alarm_list *list, const char *name);

void alarm_list_free(alarm_list *list);

/* The model table's parser for a scenario's top-level `alarms:`. */
struct scenario;
int alarms_parse(struct scenario *sc, yctx *c, const ynode *node, const ypath *path);

/* One alarm's evaluation in progress. */
typedef struct alarm_eval {
    const alarm_config *config;
    alarm_state state;
    double sum, min, max;      /* the open period's ticks */
    int ticks;
    int valid;                 /* ticks of the open period with data */
    bool breaches[ALARM_MAX_EVALUATION_PERIODS]; /* ring of the last datapoints */
    int datapoints;            /* datapoints so far (capped at evaluation_periods) */
    int ring_next;
    double last_datapoint;
} alarm_eval;

void alarm_eval_reset(alarm_eval *e, const alarm_config *config);

/* Adds one tick's metric value (the metric of e->config).  At a period's
 * end (every period_s / ALARM_TICK_S ticks) computes its datapoint and the
 * alarm's state; returns true when the state changed with this tick. */
bool alarm_eval_tick(alarm_eval *e, double value);

#endif
