/*
 * experiment — running an experiment in a trial (include/experiment.h).
 *
 * The experiment rides on one trial of the scenario: trial_set_setup()
 * schedules its metrics ticks, the ticks check the hypothesis and start
 * the actions, the actions call the models' fault-injection API, and the
 * world's observer hands every event and every change of the served
 * fraction back here for the timeline and the outcomes.
 */
#include "experiment.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "csvout.h"
#include "duration.h"
#include "model.h"
#include "outfile.h"
#include "rng.h"
#include "world.h"

enum { PURPOSE_SELECTION = RNG_PURPOSE_MODEL + 20 };

/* Full service, up to rounding in the sum of route shares (as trial.c). */
#define FULL_SERVICE (1.0 - 1e-9)

typedef enum resource_kind { REF_ASG_INSTANCE, REF_COPY, REF_DOMAIN, REF_DATABASE, REF_BUCKET } resource_kind;

typedef struct resource_ref {
    resource_kind kind;
    int a, b;                /* group and slot; copy; domain; database; bucket */
    char name[80];
} resource_ref;

typedef enum action_state { ACTION_PENDING, ACTION_RUNNING, ACTION_DONE } action_state;

typedef struct run_ctx {
    const experiment *ex;
    const scenario *sc;
    trial_world *w;
    experiment_run *run;
    bool out_of_memory;

    resource_ref **selected;         /* per target */
    size_t *n_selected;
    bool *target_empty;

    action_state *state;
    des_event_id *end_event;
    size_t n_done;

    alarm_eval evals[32];
    double served_integral_prev;     /* ∫ f dt at the previous tick */

    bool started, finished, stopped, failed, deviated;
    double end_at_s;                 /* when the after-checks run (INFINITY: not yet known) */
    bool deviated_probe[64][3];      /* narrated once per probe and phase */

    /* outcomes */
    double first_fault_s, first_detect_s, last_full_s;
    bool full;                       /* f at full service now */
    double served_at_fault;          /* ∫ f dt at the first fault */
    double failed_at_fault;          /* requests failed before the first fault */
    size_t first_disaster;           /* disasters from here on are the experiment's */
    gsl_rng *selection_rng;
} run_ctx;

/* ---- bookkeeping --------------------------------------------------------------------------- */

static double now_s(const run_ctx *x)
{
    return des_now(x->w->sim);
}

static double served_integral(const trial_world *w)
{
    return w->result->served_s + w->served_fraction * (des_now(w->sim) - w->fraction_since_s);
}

static void record(run_ctx *x, double t_s, world_event_kind kind, const char *target,
                   const char *detail)
{
    experiment_run *run = x->run;
    if (run->n_timeline == run->cap_timeline) {
        size_t cap = run->cap_timeline ? 2 * run->cap_timeline : 64;
        timeline_entry *grown = realloc(run->timeline, cap * sizeof *grown);
        if (grown == NULL) {
            x->out_of_memory = true;
            return;
        }
        run->timeline = grown;
        run->cap_timeline = cap;
    }
    timeline_entry *e = &run->timeline[run->n_timeline];
    e->t_s = t_s - x->ex->start_s;
    e->kind = kind;
    e->target = strdup(target);
    e->detail = strdup(detail);
    if (e->target == NULL || e->detail == NULL) {
        free(e->target);
        free(e->detail);
        x->out_of_memory = true;
        return;
    }
    run->n_timeline++;
}

static void on_world_event(void *ctx, double t_s, world_event_kind kind, const char *target,
                           const char *detail)
{
    run_ctx *x = ctx;
    record(x, t_s, kind, target, detail);
    /* detected: a health check's verdict, or the first automatic response
     * (a failover, a replacement) when the failing part reports itself */
    bool response = kind == EVENT_DETECT || kind == EVENT_FAILOVER || kind == EVENT_REPAIR;
    if (response && !isnan(x->first_fault_s) && isnan(x->first_detect_s))
        x->first_detect_s = t_s;
}

static void on_served(void *ctx, double t_s, double f)
{
    run_ctx *x = ctx;
    if (isnan(x->first_fault_s))
        return;
    if (1.0 - f > x->run->peak_error_rate)
        x->run->peak_error_rate = 1.0 - f;
    bool full = f >= FULL_SERVICE;
    if (full && !x->full)
        x->last_full_s = t_s;
    x->full = full;
}

/* The first injected fault: detection and recovery count from here. */
static void fault_injected(run_ctx *x)
{
    if (!isnan(x->first_fault_s))
        return;
    x->first_fault_s = now_s(x);
    x->served_at_fault = served_integral(x->w);
    x->failed_at_fault = world_requests_failed(x->w);
    x->full = x->w->served_fraction >= FULL_SERVICE;
    x->last_full_s = x->first_fault_s;
    x->run->peak_error_rate = 1.0 - x->w->served_fraction;
}

/* ---- metrics --------------------------------------------------------------------------------- */

static double healthy_hosts(trial_world *w)
{
    if (w->sc->dr.n_groups > 0)
        return web_healthy_hosts(w);
    double up = 0.0;
    for (size_t c = 0; c < w->n_copies; c++)
        up += w->copies[c].effective_up;
    return up;
}

static void sample_metrics(run_ctx *x, metric_sample *s)
{
    trial_world *w = x->w;
    double integral = served_integral(w);
    double served = (integral - x->served_integral_prev) / ALARM_TICK_S;
    x->served_integral_prev = integral;
    if (served > 1.0 - 1e-12) /* rounding in the running integral */
        served = 1.0;
    if (served < 0.0)
        served = 0.0;
    s->t_s = now_s(x) - x->ex->start_s;
    s->value[METRIC_SERVED_FRACTION] = served;
    s->value[METRIC_ERROR_RATE] = 1.0 - served;
    s->value[METRIC_HEALTHY_HOSTS] = healthy_hosts(w);
    s->demand_rps = world_demand_rps(w);
    if (w->sc->dr.n_groups > 0) {
        double capacity = web_healthy_capacity_rps(w);
        s->value[METRIC_HEALTHY_CAPACITY] =
            s->demand_rps > 0.0 ? capacity / s->demand_rps : (capacity > 0.0 ? 1.0 : 0.0);
        s->value[METRIC_LATENCY] = web_latency_s(w);
    } else {
        s->value[METRIC_HEALTHY_CAPACITY] = w->service_up ? 1.0 : 0.0;
        s->value[METRIC_LATENCY] = 0.0;
    }
    s->alarm_bits = s->alarm_known = 0;
}

/* The metric averaged over the last `window_s` of ticks. */
static double window_mean(const run_ctx *x, metric_kind m, double window_s)
{
    size_t n = x->run->n_samples;
    size_t k = (size_t)lround(window_s / ALARM_TICK_S);
    if (k > n)
        k = n;
    if (k == 0)
        return NAN;
    double sum = 0.0;
    size_t valid = 0;
    for (size_t i = n - k; i < n; i++) {
        double v = x->run->samples[i].value[m];
        if (!isnan(v)) { /* latency has no value while nothing is served */
            sum += v;
            valid++;
        }
    }
    return valid > 0 ? sum / (double)valid : NAN;
}

static const char *const PHASES[3] = {"before", "during", "after"};

static void format_value(metric_kind m, double v, char *buf, size_t size)
{
    if (m == METRIC_LATENCY)
        duration_format(v, buf, size);
    else if (m == METRIC_HEALTHY_HOSTS)
        snprintf(buf, size, "%.4g", v);
    else
        snprintf(buf, size, "%.4g%%", 100.0 * v);
}

/* Checks the probes of one phase; false when any is out of tolerance.
 * Narrates every check before and after, and a failure during once. */
static bool check_probes(run_ctx *x, int phase)
{
    bool held = true;
    for (size_t i = 0; i < x->ex->n_probes && i < 64; i++) {
        const experiment_probe *p = &x->ex->probes[i];
        bool applies = phase == 0 ? p->before : phase == 1 ? p->during : p->after;
        if (!applies)
            continue;
        double v = window_mean(x, p->metric, p->window_s);
        bool ok = v >= p->min && v <= p->max;
        char value[32], lo[32], hi[32];
        format_value(p->metric, v, value, sizeof value);
        format_value(p->metric, p->min, lo, sizeof lo);
        format_value(p->metric, p->max, hi, sizeof hi);
        if (!ok)
            held = false;
        if (phase == 1 && (ok || x->deviated_probe[i][phase]))
            continue;
        if (!ok)
            x->deviated_probe[i][phase] = true;
        world_event(x->w, EVENT_PROBE, p->name, "probe '%s' (%s): %s = %s over %.0f s, %s [%s, %s]",
                    p->name, PHASES[phase], metric_name(p->metric), value, p->window_s,
                    ok ? "within" : "OUTSIDE", isinf(p->min) ? "-" : lo, isinf(p->max) ? "-" : hi);
    }
    return held;
}

/* ---- targets --------------------------------------------------------------------------------- */

static bool zone_allowed(const experiment_target *t, int zone)
{
    if (t->n_zones == 0)
        return true;
    for (size_t i = 0; i < t->n_zones; i++)
        if (t->zones[i] == zone)
            return true;
    return false;
}

static bool id_allowed(const experiment_target *t, const char *name)
{
    if (t->n_resource_ids == 0)
        return true;
    for (size_t i = 0; i < t->n_resource_ids; i++)
        if (strcmp(t->resource_ids[i], name) == 0)
            return true;
    return false;
}

static bool push(resource_ref **list, size_t *n, size_t *cap, resource_ref ref)
{
    if (*n == *cap) {
        size_t grown_cap = *cap ? 2 * *cap : 16;
        resource_ref *grown = realloc(*list, grown_cap * sizeof *grown);
        if (grown == NULL)
            return false;
        *list = grown;
        *cap = grown_cap;
    }
    (*list)[(*n)++] = ref;
    return true;
}

/* Every resource of the target's type that its tags, names and filters
 * pick, in the scenario's order. */
static bool identify(run_ctx *x, const experiment_target *t, resource_ref **out, size_t *n)
{
    const scenario *sc = x->sc;
    trial_world *w = x->w;
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    resource_ref ref;
    switch (t->type) {
    case RESOURCE_INSTANCE:
        if (t->no_state_match)
            return true;
        for (size_t g = 0; g < sc->dr.n_groups; g++) {
            if (!tags_match(&sc->dr.groups[g].tags, &t->resource_tags))
                continue;
            for (int i = 0; i < web_slot_count(w, (int)g); i++) {
                int zone = web_running_zone(w, (int)g, i);
                if (zone < 0 || !zone_allowed(t, zone))
                    continue;
                ref = (resource_ref){REF_ASG_INSTANCE, (int)g, i, ""};
                snprintf(ref.name, sizeof ref.name, "%s/%d", sc->dr.groups[g].name, i);
                if (id_allowed(t, ref.name) && !push(out, n, &cap, ref))
                    return false;
            }
        }
        for (size_t c = 0; c < w->n_copies; c++) {
            const component_group *g = &sc->groups[w->copies[c].group];
            int zone = w->copies[c].domain;
            if (!w->copies[c].up || !tags_match(&g->tags, &t->resource_tags) ||
                (t->n_zones > 0 && (zone < 0 || !zone_allowed(t, zone))))
                continue;
            ref = (resource_ref){REF_COPY, (int)c, -1, ""};
            snprintf(ref.name, sizeof ref.name, "%s[%d]", g->name, w->copies[c].index);
            if (id_allowed(t, ref.name) && !push(out, n, &cap, ref))
                return false;
        }
        return true;
    case RESOURCE_SUBNET:
    case RESOURCE_REGION:
        for (size_t d = 0; d < sc->n_domains; d++) {
            domain_kind want = t->type == RESOURCE_SUBNET ? DOMAIN_ZONE : DOMAIN_REGION;
            if (sc->domains[d].kind != want || !tags_match(&sc->domains[d].tags, &t->resource_tags) ||
                !zone_allowed(t, (int)d) || !id_allowed(t, sc->domains[d].name))
                continue;
            ref = (resource_ref){REF_DOMAIN, (int)d, -1, ""};
            snprintf(ref.name, sizeof ref.name, "%s", sc->domains[d].name);
            if (!push(out, n, &cap, ref))
                return false;
        }
        return true;
    case RESOURCE_DB_CLUSTER:
    case RESOURCE_DB_INSTANCE:
    case RESOURCE_GLOBAL_TABLE:
        for (size_t i = 0; i < sc->dr.n_databases; i++) {
            const db_config *db = &sc->dr.databases[i];
            if ((t->type == RESOURCE_GLOBAL_TABLE && !db->global_table) ||
                !tags_match(&db->tags, &t->resource_tags) || !id_allowed(t, db->name))
                continue;
            ref = (resource_ref){REF_DATABASE, (int)i, -1, ""};
            snprintf(ref.name, sizeof ref.name, "%s", db->name);
            if (!push(out, n, &cap, ref))
                return false;
        }
        return true;
    case RESOURCE_BUCKET:
        for (size_t i = 0; i < sc->dr.n_buckets; i++) {
            const bucket_config *b = &sc->dr.buckets[i];
            if (!tags_match(&b->tags, &t->resource_tags) || !id_allowed(t, b->name))
                continue;
            ref = (resource_ref){REF_BUCKET, (int)i, -1, ""};
            snprintf(ref.name, sizeof ref.name, "%s", b->name);
            if (!push(out, n, &cap, ref))
                return false;
        }
        return true;
    default:
        return true;
    }
}

/* COUNT(n) and PERCENT(n) choose at random, as FIS does; the chosen keep
 * the scenario's order.  PERCENT rounds down but picks at least one of a
 * non-empty set. */
static void select_resources(run_ctx *x, const experiment_target *t, resource_ref *list, size_t *n)
{
    size_t keep = *n;
    if (t->selection == SELECT_COUNT)
        keep = (size_t)t->selection_n < *n ? (size_t)t->selection_n : *n;
    else if (t->selection == SELECT_PERCENT) {
        keep = *n * (size_t)t->selection_n / 100;
        if (keep == 0 && *n > 0)
            keep = 1;
    }
    if (keep == *n)
        return;
    bool *chosen = calloc(*n, sizeof *chosen);
    if (chosen == NULL) {
        x->out_of_memory = true;
        return;
    }
    /* Floyd's sampling: keep distinct indices, uniformly */
    for (size_t j = *n - keep; j < *n; j++) {
        size_t r = (size_t)gsl_rng_uniform_int(x->selection_rng, j + 1);
        if (chosen[r])
            r = j;
        chosen[r] = true;
    }
    size_t out = 0;
    for (size_t i = 0; i < *n; i++)
        if (chosen[i])
            list[out++] = list[i];
    *n = out;
    free(chosen);
}

static void describe_target(const run_ctx *x, const experiment_target *t, char *buf, size_t size)
{
    size_t used = (size_t)snprintf(buf, size, "%s", resource_type_name(t->type));
    for (size_t i = 0; i < t->resource_tags.n && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%s=%s", i ? ", " : " tagged ",
                                 t->resource_tags.keys[i], t->resource_tags.values[i]);
    for (size_t i = 0; i < t->n_zones && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? ", " : " in ",
                                 x->sc->domains[t->zones[i]].name);
    if (t->no_state_match && used < size)
        snprintf(buf + used, size - used, " (in a state other than running)");
}

static bool target_used(const experiment *ex, size_t t)
{
    for (size_t i = 0; i < ex->n_actions; i++)
        if (ex->actions[i].target == (int)t)
            return true;
    return false;
}

/* Resolves every target once, at the start.  false when one an action
 * needs is empty and empty targets fail the experiment. */
static bool resolve_targets(run_ctx *x)
{
    const experiment *ex = x->ex;
    for (size_t t = 0; t < ex->n_targets; t++) {
        const experiment_target *tg = &ex->targets[t];
        if (!identify(x, tg, &x->selected[t], &x->n_selected[t])) {
            x->out_of_memory = true;
            return false;
        }
        size_t identified = x->n_selected[t];
        select_resources(x, tg, x->selected[t], &x->n_selected[t]);
        x->run->n_resolved[t] = x->n_selected[t];
        x->run->resolved[t] = calloc(x->n_selected[t] + 1, sizeof(char *));
        if (x->run->resolved[t] == NULL) {
            x->out_of_memory = true;
            return false;
        }
        char list[400] = "";
        size_t used = 0;
        for (size_t i = 0; i < x->n_selected[t]; i++) {
            x->run->resolved[t][i] = strdup(x->selected[t][i].name);
            if (used < sizeof list)
                used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "",
                                         x->selected[t][i].name);
        }
        char what[160];
        describe_target(x, tg, what, sizeof what);
        world_event(x->w, EVENT_EXPERIMENT, tg->name, "target %s: %zu of %zu %s%s%s", tg->name,
                    x->n_selected[t], identified, what, x->n_selected[t] ? ": " : "", list);
        x->target_empty[t] = x->n_selected[t] == 0;
        if (x->target_empty[t] && target_used(ex, t) && !ex->skip_empty_targets) {
            snprintf(x->run->reason, sizeof x->run->reason,
                     "target %s resolved to no resources (%s)", tg->name, what);
            return false;
        }
    }
    return true;
}

/* ---- actions --------------------------------------------------------------------------------- */

static void on_action_end(des_sim *sim, void *subject, void *object);
static void finish_experiment(run_ctx *x);
static void stop_experiment(run_ctx *x, const char *why);

static void start_ready_actions(run_ctx *x);

static void action_done(run_ctx *x, size_t i)
{
    x->state[i] = ACTION_DONE;
    x->n_done++;
    if (x->n_done == x->ex->n_actions && !x->stopped && !x->failed) {
        double end = now_s(x) + x->ex->settle_s;
        x->end_at_s = ceil(end / ALARM_TICK_S - 1e-9) * ALARM_TICK_S;
        world_event(x->w, EVENT_EXPERIMENT, "", "all actions have ended; observing for %.0f s",
                    x->end_at_s - now_s(x));
    } else {
        start_ready_actions(x);
    }
}

static void on_restart(des_sim *sim, void *subject, void *object)
{
    (void)sim;
    run_ctx *x = subject;
    const resource_ref *ref = object;
    if (ref->kind == REF_ASG_INSTANCE)
        web_inject_start(x->w, ref->a, ref->b);
    else if (ref->kind == REF_COPY)
        component_inject_release(x->w, ref->a);
}

/* Injects action i's fault into one resource; false when the model could
 * not (reported as the experiment's failure only where FIS would fail). */
static bool inject_one(run_ctx *x, const experiment_action *a, resource_ref *ref)
{
    trial_world *w = x->w;
    switch (a->kind) {
    case ACTION_TERMINATE_INSTANCES:
        return ref->kind == REF_ASG_INSTANCE ? web_inject_terminate(w, ref->a, ref->b)
                                             : component_inject_fail(w, ref->a);
    case ACTION_STOP_INSTANCES:
    case ACTION_REBOOT_INSTANCES: {
        bool done = ref->kind == REF_ASG_INSTANCE ? web_inject_stop(w, ref->a, ref->b)
                                                  : component_inject_hold(w, ref->a);
        if (done && a->kind == ACTION_REBOOT_INSTANCES)
            des_schedule(w->sim, now_s(x) + EXPERIMENT_REBOOT_S, PRIORITY_RECOVERY, on_restart, x,
                         ref);
        return done;
    }
    case ACTION_CPU_STRESS:
    case ACTION_LATENCY_STRESS:
        if (ref->kind != REF_ASG_INSTANCE) {
            snprintf(x->run->reason, sizeof x->run->reason,
                     "action %s: %s is a component copy; stress needs an Auto Scaling instance "
                     "with capacity_per_instance", a->name, ref->name);
            return false;
        }
        if (a->kind == ACTION_CPU_STRESS) {
            double factor = 1.0 - a->load_fraction;
            return web_inject_stress(w, ref->a, ref->b, factor > 1e-3 ? factor : 1e-3, 0.0);
        }
        return web_inject_stress(w, ref->a, ref->b, 1.0, a->added_latency_s);
    case ACTION_ZONE_NETWORK_LOSS:
    case ACTION_ZONE_POWER_LOSS:
    case ACTION_REGION_ISOLATION:
        return domain_inject_outage(w, ref->a);
    case ACTION_DB_FAILOVER:
        if (!database_inject_failover(w, ref->a)) {
            snprintf(x->run->reason, sizeof x->run->reason,
                     "action %s: database %s has no standby or replica to fail over to", a->name,
                     ref->name);
            return false;
        }
        return true;
    case ACTION_DB_REBOOT:
        if (a->force_failover)
            return database_inject_failover(w, ref->a) ||
                   database_inject_reboot(w, ref->a, EXPERIMENT_DB_REBOOT_S);
        return database_inject_reboot(w, ref->a, EXPERIMENT_DB_REBOOT_S);
    case ACTION_PAUSE_REPLICATION:
        return ref->kind == REF_BUCKET ? bucket_inject_pause_replication(w, ref->a, true)
                                       : database_inject_pause_replication(w, ref->a, true);
    default:
        return true;
    }
}

/* Undoes action i's lasting effect on one resource. */
static void roll_back_one(run_ctx *x, const experiment_action *a, const resource_ref *ref)
{
    trial_world *w = x->w;
    switch (a->kind) {
    case ACTION_STOP_INSTANCES:
        if (ref->kind == REF_ASG_INSTANCE)
            web_inject_start(w, ref->a, ref->b);
        else
            component_inject_release(w, ref->a);
        break;
    case ACTION_CPU_STRESS:
    case ACTION_LATENCY_STRESS:
        if (ref->kind == REF_ASG_INSTANCE)
            web_inject_stress(w, ref->a, ref->b, 1.0, 0.0);
        break;
    case ACTION_ZONE_NETWORK_LOSS:
    case ACTION_ZONE_POWER_LOSS:
    case ACTION_REGION_ISOLATION:
        domain_inject_restore(w, ref->a);
        break;
    case ACTION_PAUSE_REPLICATION:
        if (ref->kind == REF_BUCKET)
            bucket_inject_pause_replication(w, ref->a, false);
        else
            database_inject_pause_replication(w, ref->a, false);
        break;
    default:
        break;
    }
}

/* Whether the action has an effect that lasts its duration and ends. */
static bool lasts(const experiment_action *a)
{
    /* a duration of 0 still ends (and rolls back) at once */
    return !isnan(a->duration_s) && a->kind != ACTION_REBOOT_INSTANCES &&
           a->kind != ACTION_TERMINATE_INSTANCES && a->kind != ACTION_DB_FAILOVER &&
           a->kind != ACTION_DB_REBOOT;
}

static void start_action(run_ctx *x, size_t i)
{
    const experiment_action *a = &x->ex->actions[i];
    x->state[i] = ACTION_RUNNING;
    char lasting[32] = "";
    if (lasts(a))
        duration_format(a->duration_s, lasting, sizeof lasting);
    if (a->target >= 0 && x->target_empty[a->target]) {
        world_event(x->w, EVENT_EXPERIMENT, a->name,
                    "FIS skips action %s (%s): target %s is empty", a->name, a->action_id,
                    x->ex->targets[a->target].name);
        action_done(x, i);
        return;
    }
    size_t n = a->target >= 0 ? x->n_selected[a->target] : 0;
    world_event(x->w, EVENT_INJECT, a->name, "FIS starts action %s (%s: %s)%s%s", a->name,
                a->action_id, action_kind_name(a->kind), lasting[0] ? " for " : "", lasting);
    for (size_t k = 0; k < n; k++) {
        resource_ref *ref = &x->selected[a->target][k];
        bool injected = inject_one(x, a, ref);
        /* the clocks start at the first fault the service can feel: a
         * paused replication is silent until a region is lost */
        if (injected && a->kind != ACTION_PAUSE_REPLICATION)
            fault_injected(x);
        if (!injected) {
            if (x->run->reason[0] != '\0') {
                x->failed = true;
                world_event(x->w, EVENT_EXPERIMENT, a->name, "action %s fails: %s", a->name,
                            x->run->reason);
                stop_experiment(x, NULL);
                return;
            }
            world_event(x->w, EVENT_INJECT, ref->name, "%s: nothing to do (already affected)",
                        ref->name);
        }
    }
    if (lasts(a)) {
        x->end_event[i] = des_schedule(x->w->sim, now_s(x) + a->duration_s, PRIORITY_FAILURE,
                                       on_action_end, x, (void *)(intptr_t)i);
    } else {
        action_done(x, i);
    }
}

static void roll_back(run_ctx *x, size_t i, const char *why)
{
    const experiment_action *a = &x->ex->actions[i];
    world_event(x->w, EVENT_ROLLBACK, a->name, "action %s %s", a->name, why);
    size_t n = a->target >= 0 ? x->n_selected[a->target] : 0;
    for (size_t k = 0; k < n; k++)
        roll_back_one(x, a, &x->selected[a->target][k]);
}

static void on_action_end(des_sim *sim, void *subject, void *object)
{
    (void)sim;
    run_ctx *x = subject;
    size_t i = (size_t)(intptr_t)object;
    x->end_event[i] = 0;
    roll_back(x, i, "ends");
    action_done(x, i);
}

static void start_ready_actions(run_ctx *x)
{
    const experiment *ex = x->ex;
    for (size_t i = 0; i < ex->n_actions && !x->stopped && !x->failed; i++) {
        if (x->state[i] != ACTION_PENDING)
            continue;
        bool ready = true;
        for (size_t k = 0; k < ex->actions[i].n_start_after; k++)
            ready = ready && x->state[ex->actions[i].start_after[k]] == ACTION_DONE;
        if (ready)
            start_action(x, i);
    }
}

/* A stop condition fired (why) or an action failed (why NULL): nothing
 * more begins, what runs is rolled back, and the run observes settle_s. */
static void stop_experiment(run_ctx *x, const char *why)
{
    if (why != NULL) {
        x->stopped = true;
        snprintf(x->run->reason, sizeof x->run->reason, "%s", why);
        world_event(x->w, EVENT_EXPERIMENT, "", "FIS stops the experiment: %s", why);
    }
    for (size_t i = 0; i < x->ex->n_actions; i++) {
        if (x->state[i] == ACTION_RUNNING && x->end_event[i] != 0) {
            des_cancel(x->w->sim, x->end_event[i]);
            x->end_event[i] = 0;
            roll_back(x, i, "is rolled back");
        }
        if (x->state[i] != ACTION_DONE) {
            x->state[i] = ACTION_DONE;
            x->n_done++;
        }
    }
    double end = now_s(x) + x->ex->settle_s;
    x->end_at_s = ceil(end / ALARM_TICK_S - 1e-9) * ALARM_TICK_S;
}

/* ---- the clock --------------------------------------------------------------------------------- */

static void begin(run_ctx *x)
{
    x->started = true;
    world_event(x->w, EVENT_EXPERIMENT, "", "experiment %s starts%s%s",
                x->ex->template_id ? x->ex->template_id : x->ex->file,
                x->ex->description ? ": " : "", x->ex->description ? x->ex->description : "");
    for (size_t k = 0; k < x->ex->n_stop_conditions; k++) {
        if (x->evals[k].state == ALARM_ALARM) {
            x->failed = true;
            snprintf(x->run->reason, sizeof x->run->reason,
                     "stop condition %s is in ALARM before the start", x->ex->stop_conditions[k]->name);
            finish_experiment(x);
            return;
        }
    }
    if (x->ex->n_probes > 0) {
        if (!check_probes(x, 0)) {
            x->failed = true;
            snprintf(x->run->reason, sizeof x->run->reason,
                     "the steady-state hypothesis does not hold before the actions");
            finish_experiment(x);
            return;
        }
    }
    if (!resolve_targets(x)) {
        x->failed = true;
        finish_experiment(x);
        return;
    }
    x->first_disaster = x->w->disasters->count;
    if (x->ex->skip_all) {
        world_event(x->w, EVENT_EXPERIMENT, "", "actionsMode skip-all: no action runs");
        finish_experiment(x);
        return;
    }
    start_ready_actions(x);
}

static void finish_experiment(run_ctx *x)
{
    if (x->finished)
        return;
    x->finished = true;
    experiment_run *run = x->run;
    if (x->started && !x->failed && !x->ex->skip_all && x->ex->n_probes > 0 && !check_probes(x, 2))
        x->deviated = true;
    run->status = x->failed    ? STATUS_FAILED
                  : x->stopped ? STATUS_STOPPED
                  : x->deviated ? STATUS_DEVIATED
                                : STATUS_COMPLETED;
    if (run->status == STATUS_DEVIATED && run->reason[0] == '\0')
        snprintf(run->reason, sizeof run->reason, "the steady-state hypothesis did not hold");
    run->end_s = now_s(x) - x->ex->start_s;
    run->faulted = !isnan(x->first_fault_s);
    if (run->faulted) {
        if (!isnan(x->first_detect_s))
            run->time_to_detect_s = x->first_detect_s - x->first_fault_s;
        if (x->full)
            run->time_to_recover_s = x->last_full_s - x->first_fault_s;
        /* exact under a varying demand too: ∫ D (1 − f) dt since the fault */
        run->requests_failed = x->sc->dr.demand_rps > 0.0
                                   ? world_requests_failed(x->w) - x->failed_at_fault
                                   : NAN;
        run->data_lost_s = 0.0;
        for (size_t i = x->first_disaster; i < x->w->disasters->count; i++)
            if (x->w->disasters->items[i].data_loss_s > run->data_lost_s)
                run->data_lost_s = x->w->disasters->items[i].data_loss_s;
    }
    world_event(x->w, EVENT_EXPERIMENT, "", "experiment %s%s%s",
                experiment_status_name(run->status), run->reason[0] ? ": " : "", run->reason);
    des_stop(x->w->sim);
}

static void on_tick(des_sim *sim, void *subject, void *object)
{
    (void)object;
    run_ctx *x = subject;
    experiment_run *run = x->run;
    if (run->n_samples == run->cap_samples) {
        size_t cap = run->cap_samples ? 2 * run->cap_samples : 256;
        metric_sample *grown = realloc(run->samples, cap * sizeof *grown);
        if (grown == NULL) {
            x->out_of_memory = true;
            des_stop(sim);
            return;
        }
        run->samples = grown;
        run->cap_samples = cap;
    }
    metric_sample *s = &run->samples[run->n_samples++];
    sample_metrics(x, s);
    for (size_t k = 0; k < x->ex->n_stop_conditions; k++) {
        alarm_eval *e = &x->evals[k];
        metric_kind m = e->config->metric;
        if (alarm_eval_tick(e, s->value[m])) {
            char value[32];
            format_value(m, e->last_datapoint, value, sizeof value);
            world_event(x->w, EVENT_ALARM, e->config->name, "alarm %s is %s (%s = %s over %.0f s)",
                        e->config->name, alarm_state_name(e->state), metric_name(m), value,
                        e->config->period_s);
            if (e->state == ALARM_ALARM && x->started && !x->finished && !x->stopped &&
                !x->failed && x->n_done < x->ex->n_actions) {
                char why[200];
                snprintf(why, sizeof why, "stop condition %s is in ALARM", e->config->name);
                stop_experiment(x, why);
            }
        }
        if (e->state == ALARM_ALARM)
            s->alarm_bits |= 1u << k;
        if (e->state != ALARM_INSUFFICIENT_DATA)
            s->alarm_known |= 1u << k;
    }
    double t = des_now(sim);
    if (!x->started && t >= x->ex->start_s - 1e-9)
        begin(x);
    else if (x->started && !x->finished && x->n_done < x->ex->n_actions && x->ex->n_probes > 0 &&
             !check_probes(x, 1))
        x->deviated = true;
    if (x->started && !x->finished && t >= x->end_at_s - 1e-9)
        finish_experiment(x);
    if (!x->finished)
        des_schedule(sim, t + ALARM_TICK_S, PRIORITY_LAST, on_tick, x, NULL);
}

static void setup(trial_world *w, void *ctx)
{
    run_ctx *x = ctx;
    x->w = w;
    x->served_integral_prev = 0.0;
    des_schedule(w->sim, ALARM_TICK_S, PRIORITY_LAST, on_tick, x, NULL);
}

/* ---- running ----------------------------------------------------------------------------------- */

int experiment_run_once(const experiment *ex, const scenario *sc, uint64_t seed, uint64_t repeat,
                        FILE *narrate, experiment_run *run)
{
    memset(run, 0, sizeof *run);
    run->time_to_detect_s = run->time_to_recover_s = NAN;
    run->peak_error_rate = 0.0;
    run->requests_failed = run->data_lost_s = NAN;
    run_ctx x;
    memset(&x, 0, sizeof x);
    x.ex = ex;
    x.sc = sc;
    x.run = run;
    x.end_at_s = INFINITY;
    x.first_fault_s = x.first_detect_s = x.last_full_s = NAN;
    size_t nt = ex->n_targets + 1, na = ex->n_actions + 1;
    x.selected = calloc(nt, sizeof *x.selected);
    x.n_selected = calloc(nt, sizeof *x.n_selected);
    x.target_empty = calloc(nt, sizeof *x.target_empty);
    x.state = calloc(na, sizeof *x.state);
    x.end_event = calloc(na, sizeof *x.end_event);
    run->resolved = calloc(nt, sizeof *run->resolved);
    run->n_resolved = calloc(nt, sizeof *run->n_resolved);
    run->n_targets = ex->n_targets;
    x.selection_rng = rng_stream_create();
    trial_world *w = trial_world_create(sc);
    int rc = -1;
    if (x.selected && x.n_selected && x.target_empty && x.state && x.end_event && run->resolved &&
        run->n_resolved && x.selection_rng && w) {
        rng_stream_set(x.selection_rng, seed, repeat, rng_name_hash("experiment"),
                       PURPOSE_SELECTION);
        for (size_t k = 0; k < ex->n_stop_conditions; k++)
            alarm_eval_reset(&x.evals[k], ex->stop_conditions[k]);
        world_observer observer = {&x, on_world_event, on_served};
        trial_set_observer(w, &observer);
        trial_set_background_failures(w, ex->background_failures);
        trial_set_setup(w, setup, &x);
        if (narrate != NULL) {
            trial_set_trace(w, narrate);
            trial_set_trace_elapsed(w, ex->start_s);
        }
        trial_result result;
        incident_list incidents = {0};
        disaster_list disasters = {0};
        /* the run ends itself (des_stop); the horizon only bounds it */
        double horizon_s = ex->start_s + ex->span_s + ex->settle_s + 3600.0;
        rc = trial_run(w, seed, repeat, horizon_s, &result, &incidents, &disasters);
        if (rc == 0 && !x.finished) /* cannot happen: the end is before the horizon */
            finish_experiment(&x);
        run->events = result.events;
        incident_list_free(&incidents);
        disaster_list_free(&disasters);
        if (x.out_of_memory)
            rc = -1;
    }
    trial_world_destroy(w);
    gsl_rng_free(x.selection_rng);
    for (size_t t = 0; t < nt && x.selected; t++)
        free(x.selected[t]);
    free(x.selected);
    free(x.n_selected);
    free(x.target_empty);
    free(x.state);
    free(x.end_event);
    return rc;
}

void experiment_run_free(experiment_run *run)
{
    for (size_t i = 0; i < run->n_timeline; i++) {
        free(run->timeline[i].target);
        free(run->timeline[i].detail);
    }
    free(run->timeline);
    free(run->samples);
    for (size_t t = 0; run->resolved != NULL && run->n_resolved != NULL && t < run->n_targets; t++) {
        if (run->resolved[t] == NULL)
            continue;
        for (size_t i = 0; i < run->n_resolved[t]; i++)
            free(run->resolved[t][i]);
        free(run->resolved[t]);
    }
    free(run->resolved);
    free(run->n_resolved);
    memset(run, 0, sizeof *run);
}

/* ---- output ------------------------------------------------------------------------------------ */

void experiment_print_plan(const experiment *ex, const scenario *sc, const experiment_run *run,
                           FILE *out)
{
    (void)sc;
    fprintf(out, "plan of %s (actionsMode skip-all: nothing was injected)\n",
            ex->template_id ? ex->template_id : ex->file);
    for (size_t t = 0; t < ex->n_targets; t++) {
        fprintf(out, "  target %s (%s, ", ex->targets[t].name, resource_type_name(ex->targets[t].type));
        if (ex->targets[t].selection == SELECT_ALL)
            fprintf(out, "ALL");
        else
            fprintf(out, "%s(%d)", ex->targets[t].selection == SELECT_COUNT ? "COUNT" : "PERCENT",
                    ex->targets[t].selection_n);
        fprintf(out, "): ");
        size_t n = run->n_resolved ? run->n_resolved[t] : 0;
        for (size_t i = 0; i < n; i++)
            fprintf(out, "%s%s", i ? ", " : "", run->resolved[t][i]);
        fprintf(out, "%s\n", n == 0 ? "no resources" : "");
    }
    /* start order: by the moment each begins */
    bool *listed = calloc(ex->n_actions + 1, sizeof *listed);
    if (listed == NULL)
        return;
    for (size_t listed_n = 0; listed_n < ex->n_actions; listed_n++) {
        size_t best = 0;
        bool found = false;
        for (size_t i = 0; i < ex->n_actions; i++)
            if (!listed[i] && (!found || ex->actions[i].begin_s < ex->actions[best].begin_s))
                best = i, found = true;
        listed[best] = true;
        const experiment_action *a = &ex->actions[best];
        char at[32], lasting[32] = "";
        duration_format(a->begin_s, at, sizeof at);
        if (lasts(a))
            duration_format(a->duration_s, lasting, sizeof lasting);
        fprintf(out, "  at +%s: %s (%s: %s)%s%s%s%s\n", at, a->name, a->action_id,
                action_kind_name(a->kind), lasting[0] ? " for " : "", lasting,
                a->target >= 0 ? " on " : "", a->target >= 0 ? ex->targets[a->target].name : "");
    }
    for (size_t k = 0; k < ex->n_stop_conditions; k++)
        fprintf(out, "  stop condition: alarm %s\n", ex->stop_conditions[k]->name);
    free(listed);
}

int experiment_write_timeline_csv(const experiment_run *run, const char *path, char *err,
                                  size_t err_size)
{
    outfile f;
    if (outfile_open(&f, path, err, err_size) != 0)
        return -1;
    csv_writer cw;
    csv_writer_init(&cw, f.fp);
    static const char *const header[] = {"t_s", "kind", "target", "detail", NULL};
    csv_write_header(&cw, header);
    for (size_t i = 0; i < run->n_timeline; i++) {
        const timeline_entry *e = &run->timeline[i];
        csv_write_double(&cw, e->t_s);
        csv_write_str(&cw, world_event_kind_name((world_event_kind)e->kind));
        csv_write_str(&cw, e->target);
        csv_write_str(&cw, e->detail);
        csv_end_row(&cw);
    }
    return outfile_commit(&f, err, err_size);
}

int experiment_write_metrics_csv(const experiment *ex, const experiment_run *run, const char *path,
                                 char *err, size_t err_size)
{
    outfile f;
    if (outfile_open(&f, path, err, err_size) != 0)
        return -1;
    csv_writer cw;
    csv_writer_init(&cw, f.fp);
    csv_write_str(&cw, "t_s");
    csv_write_str(&cw, "error_rate");
    csv_write_str(&cw, "served_fraction");
    csv_write_str(&cw, "healthy_hosts");
    csv_write_str(&cw, "healthy_capacity");
    csv_write_str(&cw, "latency_s");
    csv_write_str(&cw, "demand_rps");
    for (size_t k = 0; k < ex->n_stop_conditions; k++) {
        char name[128];
        snprintf(name, sizeof name, "alarm_%s", ex->stop_conditions[k]->name);
        csv_write_str(&cw, name);
    }
    csv_end_row(&cw);
    for (size_t i = 0; i < run->n_samples; i++) {
        const metric_sample *s = &run->samples[i];
        csv_write_double(&cw, s->t_s);
        csv_write_double(&cw, s->value[METRIC_ERROR_RATE]);
        csv_write_double(&cw, s->value[METRIC_SERVED_FRACTION]);
        csv_write_double(&cw, s->value[METRIC_HEALTHY_HOSTS]);
        csv_write_double(&cw, s->value[METRIC_HEALTHY_CAPACITY]);
        csv_write_double(&cw, s->value[METRIC_LATENCY]);
        csv_write_double(&cw, s->demand_rps);
        for (size_t k = 0; k < ex->n_stop_conditions; k++)
            csv_write_str(&cw, s->alarm_bits & (1u << k)    ? "ALARM"
                               : s->alarm_known & (1u << k) ? "OK"
                                                            : "INSUFFICIENT_DATA");
        csv_end_row(&cw);
    }
    return outfile_commit(&f, err, err_size);
}
