/* trial — one Monte Carlo trial (include/trial.h; state layout in include/world.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
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
    w->copies = calloc(w->n_copies + 1, sizeof *w->copies);
    w->groups = calloc(sc->n_groups + 1, sizeof *w->groups);
    if (w->sim == NULL || w->domains == NULL || w->copies == NULL || w->groups == NULL) {
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
        if (model_table[m].init(w) != 0) {
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
    free(w->period_downtime_s);
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
}

/* ---- the observer ----------------------------------------------------------------------- */

static void add_period_downtime(trial_world *w, double from_s, double to_s)
{
    while (from_s < to_s) {
        uint64_t period = (uint64_t)(from_s / w->period_s);
        if (period >= w->n_periods)
            period = w->n_periods - 1;
        double period_end_s = (double)(period + 1) * w->period_s;
        double end_s = to_s < period_end_s || period + 1 == w->n_periods ? to_s : period_end_s;
        w->period_downtime_s[period] += end_s - from_s;
        from_s = end_s;
    }
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

void world_service_changed(trial_world *w, bool up)
{
    w->service_up = up;
    double now_s = des_now(w->sim);
    if (now_s >= w->horizon_s)
        return; /* a flip at the horizon itself has no duration to count */
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
    w->result->periods = w->n_periods;
    if (sc->targets.has_availability) {
        for (uint64_t p = 0; p < w->n_periods; p++) {
            double length_s = p + 1 < w->n_periods
                                  ? w->period_s
                                  : w->horizon_s - (double)(w->n_periods - 1) * w->period_s;
            if (1.0 - w->period_downtime_s[p] / length_s >= sc->targets.availability)
                w->result->periods_meeting_target++;
        }
    }
}

int trial_run(trial_world *w, uint64_t seed, uint64_t trial_index, double horizon_s,
              trial_result *result, incident_list *incidents)
{
    memset(result, 0, sizeof *result);
    w->seed = seed;
    w->trial = trial_index;
    w->horizon_s = horizon_s;
    w->result = result;
    w->incidents = incidents;
    w->last_change_s = 0.0;
    w->out_of_memory = false;
    w->incident_open = false;

    /* SLA periods: whole years, the last one possibly shorter; a horizon
     * under a year is one period. */
    w->period_s = DURATION_YEAR_S;
    uint64_t n_periods = (uint64_t)ceil(horizon_s / DURATION_YEAR_S - 1e-9);
    if (n_periods == 0)
        n_periods = 1;
    if (n_periods > w->n_periods) {
        double *grown = realloc(w->period_downtime_s, n_periods * sizeof *grown);
        if (grown == NULL)
            return -1;
        w->period_downtime_s = grown;
    }
    w->n_periods = n_periods;
    memset(w->period_downtime_s, 0, n_periods * sizeof *w->period_downtime_s);

    des_reset(w->sim);
    for (size_t m = 0; m < model_table_size; m++)
        model_table[m].start(w);
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

const char *cause_kind_name(cause_kind kind)
{
    switch (kind) {
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
    if (inc->cause_kind == CAUSE_COMPONENT)
        snprintf(buf, buf_size, "%s[%d]", sc->groups[inc->cause_index].name, inc->cause_copy);
    else
        snprintf(buf, buf_size, "%s", sc->domains[inc->cause_index].name);
    return buf;
}
