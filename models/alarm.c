/* alarm — CloudWatch-like alarms (include/alarm.h). */
#include "alarm.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "model.h"
#include "scenario.h"

static const struct {
    const char *name, *cloudwatch_name;
} METRICS[METRIC_COUNT] = {
    [METRIC_ERROR_RATE] = {"error_rate", "ErrorRate"},
    [METRIC_SERVED_FRACTION] = {"served_fraction", "ServedFraction"},
    [METRIC_HEALTHY_HOSTS] = {"healthy_hosts", "HealthyHostCount"},
    [METRIC_HEALTHY_CAPACITY] = {"healthy_capacity", "HealthyCapacity"},
    [METRIC_LATENCY] = {"latency", "TargetResponseTime"},
};

const char *metric_name(metric_kind metric)
{
    return (unsigned)metric < METRIC_COUNT ? METRICS[metric].name : "?";
}

int metric_find(const char *name)
{
    for (int m = 0; m < METRIC_COUNT; m++)
        if (strcmp(name, METRICS[m].name) == 0 || strcmp(name, METRICS[m].cloudwatch_name) == 0)
            return m;
    return -1;
}

const char *alarm_state_name(alarm_state state)
{
    switch (state) {
    case ALARM_OK:
        return "OK";
    case ALARM_ALARM:
        return "ALARM";
    default:
        return "INSUFFICIENT_DATA";
    }
}

/* ---- parsing ---------------------------------------------------------------------------- */

/* The two spellings of each key: a scenario's snake_case, CloudFormation's. */
enum { KEY_NAME, KEY_METRIC, KEY_STATISTIC, KEY_PERIOD, KEY_EVALUATION_PERIODS,
       KEY_DATAPOINTS, KEY_THRESHOLD, KEY_COMPARISON, KEY_COUNT };
static const char *const SNAKE_KEYS[] = {"name", "metric", "statistic", "period",
                                         "evaluation_periods", "datapoints_to_alarm",
                                         "threshold", "comparison", NULL};
static const char *const PASCAL_KEYS[] = {
    "AlarmName", "MetricName", "Statistic", "Period", "EvaluationPeriods", "DatapointsToAlarm",
    "Threshold", "ComparisonOperator",
    /* CloudWatch keys that say nothing about when the alarm fires here */
    "AlarmDescription", "Namespace", "Dimensions", "Unit", "AlarmActions", "OKActions",
    "InsufficientDataActions", "ActionsEnabled", "TreatMissingData", NULL};

static const struct {
    const char *name;
    alarm_comparison comparison;
} COMPARISONS[] = {
    {"GreaterThanThreshold", COMPARE_GREATER},
    {"GreaterThanOrEqualToThreshold", COMPARE_GREATER_OR_EQUAL},
    {"LessThanThreshold", COMPARE_LESS},
    {"LessThanOrEqualToThreshold", COMPARE_LESS_OR_EQUAL},
};

static bool parse_statistic(yctx *c, const ynode *v, const ypath *p, alarm_statistic *out)
{
    if (v->kind == YNODE_SCALAR) {
        if (strcmp(v->text, "Average") == 0)
            return *out = STATISTIC_AVERAGE, true;
        if (strcmp(v->text, "Maximum") == 0)
            return *out = STATISTIC_MAXIMUM, true;
        if (strcmp(v->text, "Minimum") == 0)
            return *out = STATISTIC_MINIMUM, true;
    }
    yerror(c, v, p, "'%.60s' is not a statistic drsim computes (Average, Maximum, Minimum)",
           v->kind == YNODE_SCALAR ? v->text : ynode_describe(v));
    return false;
}

static bool parse_comparison(yctx *c, const ynode *v, const ypath *p, alarm_comparison *out)
{
    for (size_t i = 0; v->kind == YNODE_SCALAR && i < sizeof COMPARISONS / sizeof COMPARISONS[0]; i++)
        if (strcmp(v->text, COMPARISONS[i].name) == 0)
            return *out = COMPARISONS[i].comparison, true;
    yerror(c, v, p,
           "'%.60s' is not a comparison (GreaterThanThreshold, GreaterThanOrEqualToThreshold, "
           "LessThanThreshold, LessThanOrEqualToThreshold)",
           v->kind == YNODE_SCALAR ? v->text : ynode_describe(v));
    return false;
}

bool alarm_parse_metric_value(yctx *c, const ynode *v, const ypath *p, metric_kind metric,
                              double *out)
{
    if (v->kind != YNODE_SCALAR) {
        yerror(c, v, p, "expected a value of %s, not %s", metric_name(metric), ynode_describe(v));
        return false;
    }
    double x;
    switch (metric) {
    case METRIC_LATENCY:
        return yget_duration(c, v, p, out);
    case METRIC_HEALTHY_HOSTS:
        if (duration_parse_number(v->text, &x) != 0 || x < 0.0) {
            yerror(c, v, p, "'%.60s' is not a number of hosts", v->text);
            return false;
        }
        break;
    case METRIC_HEALTHY_CAPACITY: /* capacity ÷ demand: 2 is twice what is needed */
        if (duration_parse_fraction(v->text, &x) != 0 || x < 0.0) {
            yerror(c, v, p, "'%.60s' is not a share of the demand (1 or 100%%: just enough)",
                   v->text);
            return false;
        }
        break;
    default:
        if (duration_parse_fraction(v->text, &x) != 0 || x < 0.0 || x > 1.0) {
            yerror(c, v, p, "'%.60s' is not a fraction (0.05) or a percentage (5%%) from 0 to 1",
                   v->text);
            return false;
        }
        break;
    }
    *out = x;
    return true;
}

/* One alarm from a mapping whose keys are spelled as `keys`. */
static bool parse_alarm(yctx *c, const ynode *node, const ypath *path, const char *const keys[],
                        const char *logical_id, alarm_config *a)
{
    bool ok = ymap_check(c, node, path, keys);
    if (node->kind != YNODE_MAPPING)
        return false;
    a->statistic = STATISTIC_AVERAGE;
    a->period_s = 60.0;
    a->evaluation_periods = 1;
    a->datapoints_to_alarm = -1;
    a->comparison = COMPARE_GREATER;
    a->metric = METRIC_ERROR_RATE;
    const ynode *v;
    ypath p;

    const ynode *name = ymap_get(node, keys[KEY_NAME]);
    if (name != NULL) {
        p = YPATH_KEY(path, keys[KEY_NAME]);
        ok = yget_string(c, name, &p, &a->name) && ok;
    } else if (logical_id != NULL) {
        a->name = strdup(logical_id);
    } else {
        yerror(c, node, path, "missing required key 'name'");
        ok = false;
    }

    bool metric_ok = false;
    if ((v = ymap_require(c, node, path, keys[KEY_METRIC])) != NULL) {
        p = YPATH_KEY(path, keys[KEY_METRIC]);
        int m = v->kind == YNODE_SCALAR ? metric_find(v->text) : -1;
        if (m < 0)
            yerror(c, v, &p,
                   "'%.60s' is not a metric drsim simulates (error_rate, served_fraction, "
                   "healthy_hosts, healthy_capacity, latency)",
                   v->kind == YNODE_SCALAR ? v->text : ynode_describe(v));
        else
            a->metric = (metric_kind)m, metric_ok = true;
    }
    ok = ok && metric_ok;
    if ((v = ymap_get(node, keys[KEY_STATISTIC])) != NULL) {
        p = YPATH_KEY(path, keys[KEY_STATISTIC]);
        ok = parse_statistic(c, v, &p, &a->statistic) && ok;
    }
    if ((v = ymap_get(node, keys[KEY_PERIOD])) != NULL) {
        p = YPATH_KEY(path, keys[KEY_PERIOD]);
        double s;
        if (!yget_duration(c, v, &p, &s))
            ok = false;
        /* CloudWatch: 10 s, 30 s, or a multiple of 60 s, up to a day */
        else if (!(s == 10.0 || s == 30.0 || (s >= 60.0 && fmod(s, 60.0) == 0.0 && s <= 86400.0))) {
            yerror(c, v, &p, "a period is 10s, 30s or a multiple of 60s up to 1d, not %s", v->text);
            ok = false;
        } else {
            a->period_s = s;
        }
    }
    long long n;
    if ((v = ymap_get(node, keys[KEY_EVALUATION_PERIODS])) != NULL) {
        p = YPATH_KEY(path, keys[KEY_EVALUATION_PERIODS]);
        if (yget_integer(c, v, &p, 1, ALARM_MAX_EVALUATION_PERIODS, &n))
            a->evaluation_periods = (int)n;
        else
            ok = false;
    }
    if ((v = ymap_get(node, keys[KEY_DATAPOINTS])) != NULL) {
        p = YPATH_KEY(path, keys[KEY_DATAPOINTS]);
        if (!yget_integer(c, v, &p, 1, ALARM_MAX_EVALUATION_PERIODS, &n)) {
            ok = false;
        } else if (n > a->evaluation_periods) {
            yerror(c, v, &p, "%lld datapoints cannot be found in %d evaluation period%s", n,
                   a->evaluation_periods, a->evaluation_periods == 1 ? "" : "s");
            ok = false;
        } else {
            a->datapoints_to_alarm = (int)n;
        }
    }
    if (a->datapoints_to_alarm < 0)
        a->datapoints_to_alarm = a->evaluation_periods;
    if ((v = ymap_require(c, node, path, keys[KEY_THRESHOLD])) != NULL) {
        p = YPATH_KEY(path, keys[KEY_THRESHOLD]);
        ok = metric_ok && alarm_parse_metric_value(c, v, &p, a->metric, &a->threshold) && ok;
    } else {
        ok = false;
    }
    if ((v = ymap_get(node, keys[KEY_COMPARISON])) != NULL) {
        p = YPATH_KEY(path, keys[KEY_COMPARISON]);
        ok = parse_comparison(c, v, &p, &a->comparison) && ok;
    }
    return ok;
}

static alarm_config *append(alarm_list *out)
{
    alarm_config *grown = realloc(out->items, (out->n + 1) * sizeof *grown);
    if (grown == NULL)
        return NULL;
    out->items = grown;
    memset(&out->items[out->n], 0, sizeof out->items[out->n]);
    return &out->items[out->n++];
}

/* Reports an alarm whose name an earlier one in the list already has. */
static bool check_unique(yctx *c, const alarm_list *list, size_t index, const ynode *at,
                         const ypath *path)
{
    for (size_t i = 0; i < index; i++) {
        if (list->items[i].name && list->items[index].name &&
            strcmp(list->items[i].name, list->items[index].name) == 0) {
            yerror(c, at, path, "a second alarm named '%s'", list->items[index].name);
            return false;
        }
    }
    return true;
}

bool alarm_parse_list(yctx *c, const ynode *node, const ypath *path, alarm_list *out)
{
    if (!yexpect_sequence(c, node, path))
        return false;
    bool ok = true;
    for (size_t i = 0; i < node->n; i++) {
        ypath item = YPATH_INDEX(path, i);
        alarm_config *a = append(out);
        if (a == NULL) {
            yerror(c, node->items[i], &item, "out of memory");
            return false;
        }
        ok = parse_alarm(c, node->items[i], &item, SNAKE_KEYS, NULL, a) && ok;
        ok = check_unique(c, out, out->n - 1, node->items[i], &item) && ok;
    }
    return ok;
}

bool alarm_parse_cloudformation(yctx *c, const char *logical_id, const ynode *properties,
                                const ypath *path, alarm_list *out)
{
    alarm_config *a = append(out);
    if (a == NULL) {
        yerror(c, properties, path, "out of memory");
        return false;
    }
    bool ok = parse_alarm(c, properties, path, PASCAL_KEYS, logical_id, a);
    return check_unique(c, out, out->n - 1, properties, path) && ok;
}

const alarm_config *alarm_find(const alarm_list *list, const char *name)
{
    for (size_t i = 0; i < list->n; i++)
        if (list->items[i].name != NULL && strcmp(list->items[i].name, name) == 0)
            return &list->items[i];
    return NULL;
}

void alarm_list_free(alarm_list *list)
{
    for (size_t i = 0; i < list->n; i++)
        free(list->items[i].name);
    free(list->items);
    memset(list, 0, sizeof *list);
}

int alarms_parse(scenario *sc, yctx *c, const ynode *node, const ypath *path)
{
    return alarm_parse_list(c, node, path, &sc->alarms) ? 0 : -1;
}

/* ---- evaluation ------------------------------------------------------------------------- */

void alarm_eval_reset(alarm_eval *e, const alarm_config *config)
{
    memset(e, 0, sizeof *e);
    e->config = config;
    e->state = ALARM_INSUFFICIENT_DATA;
    e->last_datapoint = NAN;
}

static bool breaches(const alarm_config *a, double x)
{
    switch (a->comparison) {
    case COMPARE_GREATER:
        return x > a->threshold;
    case COMPARE_GREATER_OR_EQUAL:
        return x >= a->threshold;
    case COMPARE_LESS:
        return x < a->threshold;
    default:
        return x <= a->threshold;
    }
}

bool alarm_eval_tick(alarm_eval *e, double value)
{
    const alarm_config *a = e->config;
    if (e->ticks == 0) {
        e->sum = 0.0;
        e->valid = 0;
        e->min = INFINITY;
        e->max = -INFINITY;
    }
    if (!isnan(value)) { /* missing data (no request served): no sample */
        e->sum += value;
        e->valid++;
        if (value < e->min)
            e->min = value;
        if (value > e->max)
            e->max = value;
    }
    e->ticks++;
    int ticks_per_period = (int)lround(a->period_s / ALARM_TICK_S);
    if (ticks_per_period < 1)
        ticks_per_period = 1;
    if (e->ticks < ticks_per_period)
        return false;
    int valid = e->valid;
    double datapoint = a->statistic == STATISTIC_MAXIMUM   ? e->max
                       : a->statistic == STATISTIC_MINIMUM ? e->min
                                                           : e->sum / valid;
    e->ticks = 0;
    if (valid == 0) /* a period without data: no datapoint, the state holds
                       (CloudWatch's TreatMissingData: missing) */
        return false;
    e->last_datapoint = datapoint;
    e->breaches[e->ring_next] = breaches(a, datapoint);
    e->ring_next = (e->ring_next + 1) % a->evaluation_periods;
    if (e->datapoints < a->evaluation_periods)
        e->datapoints++;
    int breaching = 0;
    for (int i = 0; i < e->datapoints; i++)
        breaching += e->breaches[i];
    alarm_state next = breaching >= a->datapoints_to_alarm ? ALARM_ALARM : ALARM_OK;
    bool changed = next != e->state;
    e->state = next;
    return changed;
}
