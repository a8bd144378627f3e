/* trial — one Monte Carlo trial (include/trial.h; state layout in include/world.h). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cron.h"
#include "duration.h"
#include "sla_table.h"
#include "model.h"
#include "world.h"

/* ---- building a worker's world ---------------------------------------------------------- */

static int build_domain_copies(trial_world *w)
{
    const scenario *sc = w->sc;
    size_t n_domains = sc->n_domains;
    w->domain_copy_offsets = calloc(n_domains + 1, sizeof(int));
    if (w->domain_copy_offsets == NULL)
        return -1;
    /* a copy belongs to its zone and to that zone's region */
    for (size_t c = 0; c < w->n_copies; c++)
        for (int d = w->copies[c].domain; d >= 0; d = sc->domains[d].parent)
            w->domain_copy_offsets[d + 1]++;
    for (size_t d = 0; d < n_domains; d++)
        w->domain_copy_offsets[d + 1] += w->domain_copy_offsets[d];
    w->domain_copies = calloc((size_t)w->domain_copy_offsets[n_domains] + 1, sizeof(int));
    int *fill = malloc((n_domains + 1) * sizeof(int));
    if (w->domain_copies == NULL || fill == NULL) {
        free(fill);
        return -1;
    }
    memcpy(fill, w->domain_copy_offsets, (n_domains + 1) * sizeof(int));
    for (size_t c = 0; c < w->n_copies; c++)
        for (int d = w->copies[c].domain; d >= 0; d = sc->domains[d].parent)
            w->domain_copies[fill[d]++] = (int)c;
    free(fill);
    return 0;
}

trial_world *trial_world_create(const scenario *sc)
{
    trial_world *w = calloc(1, sizeof *w);
    if (w == NULL)
        return NULL;
    w->sc = sc;
    w->n_copies = sc->n_copies;
    w->sim = des_create();
    w->domains = calloc(sc->n_domains + 1, sizeof *w->domains);
    w->route_share = calloc(sc->n_domains + 1, sizeof *w->route_share);
    w->region_served = calloc(sc->n_domains + 1, sizeof *w->region_served);
    w->region_data_ok = calloc(sc->n_domains + 1, sizeof *w->region_data_ok);
    w->domain_disaster = calloc(sc->n_domains + 1, sizeof *w->domain_disaster);
    w->region_has_live_target = calloc(sc->n_domains + 1, sizeof *w->region_has_live_target);
    w->model_state = calloc(model_table_size, sizeof *w->model_state);
    w->up_threshold = sc->up_threshold;
    w->dr_active = sc->has_dr;
    w->background_failures = true;
    w->copies = calloc(w->n_copies + 1, sizeof *w->copies);
    w->groups = calloc(sc->n_groups + 1, sizeof *w->groups);
    if (w->sim == NULL || w->domains == NULL || w->copies == NULL || w->groups == NULL ||
        w->route_share == NULL || w->region_served == NULL || w->region_data_ok == NULL ||
        w->domain_disaster == NULL || w->model_state == NULL ||
        w->region_has_live_target == NULL) {
        trial_world_destroy(w);
        return NULL;
    }
    size_t c = 0;
    for (size_t g = 0; g < sc->n_groups; g++) {
        w->groups[g].first_copy = (int)c;
        for (int i = 0; i < sc->groups[g].count; i++, c++) {
            w->copies[c].group = (int)g;
            w->copies[c].index = i;
            w->copies[c].domain = sc->groups[g].copy_domain[i];
        }
    }
    if (build_domain_copies(w) != 0) {
        trial_world_destroy(w);
        return NULL;
    }
    for (size_t m = 0; m < model_table_size; m++) {
        if (model_table[m].init != NULL && model_table[m].init(w) != 0) {
            trial_world_destroy(w);
            return NULL;
        }
    }
    return w;
}

void trial_world_destroy(trial_world *w)
{
    if (w == NULL)
        return;
    for (size_t m = 0; w->model_state != NULL && m < model_table_size; m++)
        if (model_table[m].destroy != NULL)
            model_table[m].destroy(w);
    des_destroy(w->sim);
    for (size_t d = 0; w->domains != NULL && d < w->sc->n_domains; d++) {
        gsl_rng_free(w->domains[d].fail_rng);
        gsl_rng_free(w->domains[d].repair_rng);
    }
    for (size_t c = 0; w->copies != NULL && c < w->n_copies; c++) {
        gsl_rng_free(w->copies[c].fail_rng);
        gsl_rng_free(w->copies[c].repair_rng);
    }
    for (size_t g = 0; w->groups != NULL && g < w->sc->n_groups; g++)
        free(w->groups[g].waiting);
    free(w->domains);
    free(w->route_share);
    free(w->region_served);
    free(w->region_data_ok);
    free(w->domain_disaster);
    free(w->region_has_live_target);
    free(w->model_state);
    free(w->copies);
    free(w->groups);
    free(w->domain_copy_offsets);
    free(w->domain_copies);
    free(w->node_threshold);
    free(w->node_up_count);
    free(w->node_parent);
    free(w->node_up);
    free(w->copy_parent_offsets);
    free(w->copy_parents);
    free(w->years.downtime_s);
    free(w->months.downtime_s);
    free(w);
}

/* ---- state propagation ------------------------------------------------------------------ */

static bool domain_effectively_up(const trial_world *w, int d)
{
    for (; d >= 0; d = w->sc->domains[d].parent)
        if (!w->domains[d].up)
            return false;
    return true;
}

void world_copy_changed(trial_world *w, int copy)
{
    copy_state *state = &w->copies[copy];
    bool effective_up = state->up && domain_effectively_up(w, state->domain);
    if (effective_up == state->effective_up)
        return;
    state->effective_up = effective_up;
    service_copy_changed(w, copy, effective_up);
}

void world_domain_changed(trial_world *w, int d)
{
    for (int i = w->domain_copy_offsets[d]; i < w->domain_copy_offsets[d + 1]; i++)
        world_copy_changed(w, w->domain_copies[i]);
    if (!w->dr_active)
        return;
    for (size_t m = 0; m < model_table_size; m++)
        if (model_table[m].domain_changed != NULL)
            model_table[m].domain_changed(w, d);
    world_dr_update(w);
}

void world_failover_from(trial_world *w, int region)
{
    for (size_t m = 0; m < model_table_size; m++)
        if (model_table[m].failover_from != NULL)
            model_table[m].failover_from(w, region);
}

void world_dr_update(trial_world *w)
{
    for (size_t m = 0; m < model_table_size; m++)
        if (model_table[m].update != NULL)
            model_table[m].update(w);
    world_served_changed(w);
}

/* ---- the observer ----------------------------------------------------------------------- */

static int buckets_reset(period_buckets *b, double period_s, double horizon_s)
{
    uint64_t count = (uint64_t)ceil(horizon_s / period_s - 1e-9);
    if (count == 0)
        count = 1;
    if (count > b->capacity) {
        double *grown = realloc(b->downtime_s, count * sizeof *grown);
        if (grown == NULL)
            return -1;
        b->downtime_s = grown;
        b->capacity = count;
    }
    b->period_s = period_s;
    b->count = count;
    memset(b->downtime_s, 0, count * sizeof *b->downtime_s);
    return 0;
}

static void buckets_add(period_buckets *b, double from_s, double to_s)
{
    while (from_s < to_s) {
        uint64_t period = (uint64_t)(from_s / b->period_s);
        if (period >= b->count)
            period = b->count - 1;
        double period_end_s = (double)(period + 1) * b->period_s;
        double end_s = to_s < period_end_s || period + 1 == b->count ? to_s : period_end_s;
        b->downtime_s[period] += end_s - from_s;
        from_s = end_s;
    }
}

/* Availability of period p of a horizon. */
static double buckets_availability(const period_buckets *b, uint64_t p, double horizon_s)
{
    double length_s = p + 1 < b->count ? b->period_s : horizon_s - (double)(b->count - 1) * b->period_s;
    return 1.0 - b->downtime_s[p] / length_s;
}

static void add_period_downtime(trial_world *w, double from_s, double to_s)
{
    buckets_add(&w->years, from_s, to_s);
    buckets_add(&w->months, from_s, to_s);
}

static incident *open_incident(trial_world *w)
{
    incident_list *list = w->incidents;
    if (list->count == list->capacity) {
        size_t capacity = list->capacity ? 2 * list->capacity : 16;
        incident *grown = realloc(list->items, capacity * sizeof *grown);
        if (grown == NULL) {
            w->out_of_memory = true;
            des_stop(w->sim);
            return NULL;
        }
        list->items = grown;
        list->capacity = capacity;
    }
    return &list->items[list->count++];
}

/* The up/down accounting of SPEC §3, for a flip of "up by time". */
static void up_state_changed(trial_world *w, bool up, double now_s)
{
    if (!up && !w->incident_open && w->result->incidents > 0 && now_s == w->last_change_s) {
        /* down again at the instant it came up: the down intervals touch,
         * so they are one maximal incident (SPEC §3), not two */
        w->incident_open = true;
        return;
    }
    if (up && w->incident_open &&
        w->incidents->items[w->incidents->count - 1].start_s == now_s) {
        /* down and up at one instant: no interval, no incident */
        w->incidents->count--;
        w->result->incidents--;
        w->incident_open = false;
        return;
    }
    if (!up) {
        w->result->uptime_s += now_s - w->last_change_s;
        w->result->incidents++;
        incident *inc = open_incident(w);
        if (inc == NULL)
            return;
        *inc = (incident){now_s, now_s, w->cause.kind, w->cause.index, w->cause.copy, false};
        w->incident_open = true;
    } else {
        w->result->downtime_s += now_s - w->last_change_s;
        add_period_downtime(w, w->last_change_s, now_s);
        w->incidents->items[w->incidents->count - 1].end_s = now_s;
        w->incident_open = false;
    }
    w->last_change_s = now_s;
}

static double dr_fraction(const trial_world *w)
{
    double f = 0.0;
    for (size_t d = 0; d < w->sc->n_domains; d++)
        if (w->route_share[d] > 0.0 && w->region_data_ok[d])
            f += w->route_share[d] * w->region_served[d];
    return f > 1.0 ? 1.0 : f;
}

/* Where a disaster struck, as an event's target: the zone or region, or
 * for corruption the database. */
static const char *disaster_place(const trial_world *w, const disaster *d)
{
    return d->kind == DISASTER_CORRUPTION ? scenario_data_name(w->sc, d->domain)
                                          : w->sc->domains[d->domain].name;
}

/* Full service: f back to 1, up to rounding in the sum of shares. */
#define FULL_SERVICE (1.0 - 1e-9)

static void close_restored_disasters(trial_world *w, double now_s)
{
    bool all_closed = true;
    for (size_t i = w->disasters_open_from; i < w->disasters->count; i++) {
        disaster *d = &w->disasters->items[i];
        if (isnan(d->restored_s) && d->armed_s <= now_s) {
            d->restored_s = now_s;
            if (w->trace != NULL || w->observer.event != NULL) {
                char rto[32];
                world_event(w, EVENT_SERVICE, disaster_place(w, d),
                            "full service after the %s disaster: RTO %s", disaster_kind_name(d->kind),
                            duration_format(now_s - d->start_s, rto, sizeof rto));
            }
        }
        if (isnan(d->restored_s))
            all_closed = false;
        else if (all_closed)
            w->disasters_open_from = i + 1;
    }
}

/* Requests received over [from_s, to_s]: the exact integral of the demand. */
static double requests_between(const trial_world *w, double from_s, double to_s)
{
    const demand_profile *d = &w->sc->dr.demand;
    if (dr_demand_constant(&w->sc->dr))
        return d->rps * (to_s - from_s);
    return demand_integral(d, from_s, to_s);
}

/* f has held its value from fraction_since_s to now_s: count that span.
 * f is constant over it, so ∫ D (1 − f) = (1 − f) ∫ D, exactly, whatever
 * D did meanwhile. */
static void account_served(trial_world *w, double now_s)
{
    w->result->served_s += w->served_fraction * (now_s - w->fraction_since_s);
    double requests = requests_between(w, w->fraction_since_s, now_s);
    w->result->requests_total += requests;
    w->result->requests_failed += (1.0 - w->served_fraction) * requests;
    w->fraction_since_s = now_s;
}

double world_requests_failed(const trial_world *w)
{
    double now_s = des_now(w->sim);
    if (now_s > w->horizon_s)
        now_s = w->horizon_s;
    return w->result->requests_failed +
           (1.0 - w->served_fraction) * requests_between(w, w->fraction_since_s, now_s);
}

void world_served_changed(trial_world *w)
{
    double f = w->service_up ? 1.0 : 0.0;
    if (f > 0.0 && w->dr_active)
        f *= dr_fraction(w);
    if (f == w->served_fraction)
        return;
    double now_s = des_now(w->sim);
    if (now_s < w->horizon_s)
        account_served(w, now_s);
    bool was_up = w->served_fraction >= w->up_threshold;
    bool up = f >= w->up_threshold;
    if (up != was_up)
        world_event(w, EVENT_SERVICE, "", "service %s: serving %.4g%% of requests",
                    up ? "UP" : "DOWN", 100.0 * f);
    else
        world_event(w, EVENT_SERVICE, "", "serving %.4g%% of requests", 100.0 * f);
    w->served_fraction = f;
    if (w->observer.served != NULL)
        w->observer.served(w->observer.ctx, now_s, f);
    if (now_s >= w->horizon_s)
        return; /* a change at the horizon itself has no duration to count */
    if (up != was_up)
        up_state_changed(w, up, now_s);
    if (f >= FULL_SERVICE)
        close_restored_disasters(w, now_s);
}

void world_service_changed(trial_world *w, bool up)
{
    w->service_up = up;
    world_served_changed(w);
}

int world_disaster_begin(trial_world *w, disaster_kind kind, int where, bool hit_active)
{
    double now_s = des_now(w->sim);
    if (now_s >= w->horizon_s)
        return -1;
    disaster_list *list = w->disasters;
    if (list->count == list->capacity) {
        size_t capacity = list->capacity ? 2 * list->capacity : 8;
        disaster *grown = realloc(list->items, capacity * sizeof *grown);
        if (grown == NULL) {
            w->out_of_memory = true;
            des_stop(w->sim);
            return -1;
        }
        list->items = grown;
        list->capacity = capacity;
    }
    disaster *d = &list->items[list->count];
    *d = (disaster){kind, where, now_s, INFINITY, NAN, 0.0, hit_active, false};
    int index = (int)list->count++;
    if (kind != DISASTER_CORRUPTION)
        world_disaster_arm(w, index);
    return index;
}

/* At the end of the instant a disaster was armed: if the service stood
 * up to it, its RTO is 0; otherwise world_served_changed closes it. */
static void on_disaster_check(des_sim *sim, void *subject, void *object)
{
    trial_world *w = subject;
    if (w->served_fraction >= FULL_SERVICE)
        close_restored_disasters(w, des_now(sim));
    (void)object;
}

void world_disaster_arm(trial_world *w, int index)
{
    if (index < 0 || (size_t)index >= w->disasters->count)
        return;
    w->disasters->items[index].armed_s = des_now(w->sim);
    des_schedule(w->sim, des_now(w->sim), PRIORITY_LAST, on_disaster_check, w, NULL);
}

void world_disaster_data_loss(trial_world *w, int index, double lost_s)
{
    if (index < 0 || (size_t)index >= w->disasters->count)
        return;
    disaster *d = &w->disasters->items[index];
    if (!(lost_s > d->data_loss_s))
        return;
    d->data_loss_s = lost_s;
    if (w->trace != NULL || w->observer.event != NULL) {
        char lost[32];
        world_event(w, EVENT_DATA, disaster_place(w, d),
                    "the %s disaster loses %s of writes (RPO so far)", disaster_kind_name(d->kind),
                    duration_format(d->data_loss_s, lost, sizeof lost));
    }
}

static void close_trial(trial_world *w)
{
    const scenario *sc = w->sc;
    double rest_s = w->horizon_s - w->last_change_s;
    if (w->incident_open) {
        w->result->downtime_s += rest_s;
        add_period_downtime(w, w->last_change_s, w->horizon_s);
        incident *last = &w->incidents->items[w->incidents->count - 1];
        last->end_s = w->horizon_s;
        last->censored = true;
    } else {
        w->result->uptime_s += rest_s;
    }
    account_served(w, w->horizon_s);
    for (size_t i = w->disasters_open_from; i < w->disasters->count; i++) {
        disaster *d = &w->disasters->items[i];
        if (isnan(d->restored_s)) {
            d->restored_s = w->horizon_s;
            d->censored = true;
        }
    }
    w->result->periods = w->years.count;
    if (sc->targets.has_availability)
        for (uint64_t p = 0; p < w->years.count; p++)
            if (buckets_availability(&w->years, p, w->horizon_s) >= sc->targets.availability)
                w->result->periods_meeting_target++;
    /* service credits are per monthly billing cycle */
    if (sc->sla != NULL) {
        double credit = 0.0;
        for (uint64_t p = 0; p < w->months.count; p++)
            credit += sla_credit(sc->sla, buckets_availability(&w->months, p, w->horizon_s));
        w->result->service_credit = credit / (double)w->months.count;
    }
}

int trial_run(trial_world *w, uint64_t seed, uint64_t trial_index, double horizon_s,
              trial_result *result, incident_list *incidents, disaster_list *disasters)
{
    memset(result, 0, sizeof *result);
    w->seed = seed;
    w->trial = trial_index;
    w->horizon_s = horizon_s;
    w->result = result;
    w->incidents = incidents;
    w->disasters = disasters;
    w->disasters_open_from = disasters->count;
    w->last_change_s = 0.0;
    w->fraction_since_s = 0.0;
    /* a worker's world runs trial after trial: nothing may carry over */
    w->cause = (world_cause){CAUSE_NONE, -1, -1};
    w->served_fraction = 1.0;
    w->service_up = true;
    w->demand_rps = 0.0; /* the demand model's start holds D(0) */
    for (size_t d = 0; d < w->sc->n_domains; d++) { /* models that route traffic set these */
        w->route_share[d] = 0.0;
        w->region_served[d] = 1.0;
        w->region_data_ok[d] = true;
        w->domain_disaster[d] = -1;
        w->region_has_live_target[d] = false;
    }
    w->out_of_memory = false;
    w->incident_open = false;

    /* SLA periods: whole years and billing months, the last possibly shorter */
    if (buckets_reset(&w->years, DURATION_YEAR_S, horizon_s) != 0 ||
        buckets_reset(&w->months, DURATION_YEAR_S / 12.0, horizon_s) != 0)
        return -1;

    des_reset(w->sim);
    for (size_t m = 0; m < model_table_size; m++)
        if (model_table[m].start != NULL)
            model_table[m].start(w);
    if (w->dr_active)
        world_dr_update(w);
    if (w->setup != NULL)
        w->setup(w, w->setup_ctx);
    uint64_t events = des_run_until(w->sim, horizon_s);
    if (des_failed(w->sim) || w->out_of_memory)
        return -1;
    close_trial(w);
    result->events = events;
    return 0;
}

/* ---- incidents -------------------------------------------------------------------------- */

void incident_list_free(incident_list *list)
{
    free(list->items);
    memset(list, 0, sizeof *list);
}

void disaster_list_free(disaster_list *list)
{
    free(list->items);
    memset(list, 0, sizeof *list);
}

void incident_list_fit(incident_list *list)
{
    if (list->count == list->capacity)
        return;
    if (list->count == 0) {
        incident_list_free(list);
        return;
    }
    incident *fitted = realloc(list->items, list->count * sizeof *fitted);
    if (fitted != NULL) {
        list->items = fitted;
        list->capacity = list->count;
    }
}

void disaster_list_fit(disaster_list *list)
{
    if (list->count == list->capacity)
        return;
    if (list->count == 0) {
        disaster_list_free(list);
        return;
    }
    disaster *fitted = realloc(list->items, list->count * sizeof *fitted);
    if (fitted != NULL) {
        list->items = fitted;
        list->capacity = list->count;
    }
}

const char *disaster_kind_name(disaster_kind kind)
{
    switch (kind) {
    case DISASTER_ZONE:
        return "zone";
    case DISASTER_REGION:
        return "region";
    case DISASTER_CORRUPTION:
        return "corruption";
    }
    return "?";
}

const char *cause_kind_name(cause_kind kind)
{
    switch (kind) {
    case CAUSE_NONE:
        return "none";
    case CAUSE_INSTANCE:
        return "instance";
    case CAUSE_DATABASE:
        return "database";
    case CAUSE_COMPONENT:
        return "component";
    case CAUSE_ZONE:
        return "zone";
    case CAUSE_REGION:
        return "region";
    }
    return "?";
}

char *incident_cause_name(const scenario *sc, const incident *inc, char *buf, size_t buf_size)
{
    switch (inc->cause_kind) {
    case CAUSE_COMPONENT:
        snprintf(buf, buf_size, "%s[%d]", sc->groups[inc->cause_index].name, inc->cause_copy);
        break;
    case CAUSE_ZONE:
    case CAUSE_REGION:
        snprintf(buf, buf_size, "%s", sc->domains[inc->cause_index].name);
        break;
    case CAUSE_INSTANCE:
        snprintf(buf, buf_size, "%s/%d", sc->dr.groups[inc->cause_index].name, inc->cause_copy);
        break;
    case CAUSE_DATABASE:
        snprintf(buf, buf_size, "%s", sc->dr.databases[inc->cause_index].name);
        break;
    case CAUSE_NONE:
        snprintf(buf, buf_size, "none");
        break;
    }
    return buf;
}

/* ---- narration -------------------------------------------------------------------------- */

void trial_set_trace(trial_world *world, FILE *out)
{
    world->trace = out;
}

/* Civil date of a day count since 1970-01-01 (Howard Hinnant's algorithm). */
static void civil_from_days(long long z, int *year, int *month, int *day)
{
    z += 719468;
    long long era = (z >= 0 ? z : z - 146096) / 146097;
    long long doe = z - era * 146097;
    long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long long mp = (5 * doy + 2) / 153;
    *day = (int)(doy - (153 * mp + 2) / 5 + 1);
    *month = (int)(mp < 10 ? mp + 3 : mp - 9);
    *year = (int)(yoe + era * 400 + (*month <= 2));
}

static const char *const event_kind_names[EVENT_KIND_COUNT] = {
    "note", "fail", "detect", "repair", "failover", "recover", "service",
    "data", "inject", "rollback", "alarm", "probe", "experiment", "scale"};

const char *world_event_kind_name(world_event_kind kind)
{
    return (unsigned)kind < EVENT_KIND_COUNT ? event_kind_names[kind] : "?";
}

static void print_stamp(const trial_world *w, double t)
{
    if (w->trace_elapsed) {
        double since = t - w->trace_origin_s;
        const char *sign = since < 0.0 ? "-" : "";
        since = fabs(since);
        long long tenths = (long long)floor(since * 10.0 + 0.5);
        long long whole = tenths / 10;
        fprintf(w->trace, "%s%02lld:%02lld:%02lld.%lld  ", sign, whole / 3600, whole / 60 % 60,
                whole % 60, tenths % 10);
        return;
    }
    long long whole = (long long)floor(t);
    long long unix_s = CRON_EPOCH_UNIX + whole;
    long long days = unix_s / 86400, rest = unix_s % 86400;
    int year, month, day;
    civil_from_days(days, &year, &month, &day);
    fprintf(w->trace, "%04d-%02d-%02d %02lld:%02lld:%04.1f  ", year, month, day, rest / 3600,
            rest / 60 % 60, (double)(rest % 60) + (t - (double)whole));
}

void world_event_record(trial_world *w, world_event_kind kind, const char *target, const char *fmt,
                        ...)
{
    if (!world_narrating(w))
        return;
    char detail[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    double t = des_now(w->sim);
    if (w->trace != NULL) {
        print_stamp(w, t);
        fputs(detail, w->trace);
        fputc('\n', w->trace);
    }
    if (w->observer.event != NULL)
        w->observer.event(w->observer.ctx, t, kind, target ? target : "", detail);
}

void trial_set_trace_elapsed(trial_world *world, double origin_s)
{
    world->trace_elapsed = true;
    world->trace_origin_s = origin_s;
}

void trial_set_observer(trial_world *world, const world_observer *observer)
{
    if (observer != NULL)
        world->observer = *observer;
    else
        memset(&world->observer, 0, sizeof world->observer);
}

void trial_set_background_failures(trial_world *world, bool enabled)
{
    world->background_failures = enabled;
}

void trial_set_setup(trial_world *world, void (*setup)(trial_world *w, void *ctx), void *ctx)
{
    world->setup = setup;
    world->setup_ctx = ctx;
}
