/*
 * component — generic groups of identical, independently failing copies.
 *
 * Scenario:
 *   components:
 *     - name: unit
 *       count: 2                 # copies unit[0], unit[1] (default 1)
 *       zones: [east-a, east-b]  # spread round-robin; or zone: east-a
 *       fail: exp(mean=1000h)    # time to failure, drawn afresh after each repair
 *       repair: exp(mean=10h)    # repair time, from when a crew starts
 *       crews: 1                 # crews shared by the group (default: count)
 *       tags: {Tier: web}        # optional, on every copy
 *
 * States of a copy: up → down at a `fail` draw; down waits in FIFO order
 * for one of the group's crews; the crew's repair takes a `repair` draw;
 * then up again, and the next `fail` draw starts.  A copy's own process
 * runs whatever its zone and region do (SPEC §3); only its *effective*
 * state depends on them.
 *
 * Streams: copy "unit[i]" draws its failure times from ("unit[i]", FAIL)
 * and its repair times from ("unit[i]", REPAIR), so its n-th failure gap
 * and n-th repair are the same numbers in every scenario that has it.
 *
 * Fault injection: component_inject_fail takes an up copy down now in
 * place of its pending failure, and it is repaired as usual;
 * component_inject_hold takes it down without a crew until
 * component_inject_release.
 *
 * Emits: world_copy_changed() on each flip, with the cause set to the copy.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "model.h"
#include "rng.h"
#include "world.h"

static const char *const component_keys[] = {"name", "count", "zone", "zones",
                                             "fail", "repair", "crews", "tags", NULL};

/* Resolves a zone name for a placement; reports and returns -1 if it is
 * unknown or names a region. */
static int resolve_zone(scenario *sc, yctx *c, const ynode *node, const ypath *path)
{
    char *name = NULL;
    if (!yget_string(c, node, path, &name))
        return -1;
    int d = scenario_find_domain(sc, name);
    if (d < 0)
        yerror(c, node, path, "unknown zone '%s'", name);
    else if (sc->domains[d].kind != DOMAIN_ZONE) {
        yerror(c, node, path, "'%s' is a region; components are placed in zones", name);
        d = -1;
    }
    free(name);
    return d;
}

static bool parse_placement(scenario *sc, yctx *c, const ynode *node, const ypath *path,
                            component_group *g)
{
    const ynode *zone = ymap_get(node, "zone");
    const ynode *zones = ymap_get(node, "zones");
    for (int i = 0; i < g->count; i++)
        g->copy_domain[i] = -1;
    if (zone != NULL && zones != NULL) {
        ypath zones_path = YPATH_KEY(path, "zones");
        yerror(c, zones, &zones_path, "give either 'zone' or 'zones', not both");
        return false;
    }
    if (zone != NULL) {
        ypath zone_path = YPATH_KEY(path, "zone");
        int d = resolve_zone(sc, c, zone, &zone_path);
        for (int i = 0; i < g->count; i++)
            g->copy_domain[i] = d;
        return d >= 0;
    }
    if (zones == NULL)
        return true;
    ypath zones_path = YPATH_KEY(path, "zones");
    if (zones->kind == YNODE_SCALAR && !ynode_is_null(zones)) {
        yerror(c, zones, &zones_path, "expected a list of zones (for one zone write zone: %s)",
               zones->text);
        return false;
    }
    if (!yexpect_sequence(c, zones, &zones_path))
        return false;
    if (zones->n == 0) {
        yerror(c, zones, &zones_path, "an empty list of zones");
        return false;
    }
    int resolved[256];
    if (zones->n > sizeof resolved / sizeof resolved[0]) {
        yerror(c, zones, &zones_path, "more than %zu zones", sizeof resolved / sizeof resolved[0]);
        return false;
    }
    bool ok = true;
    for (size_t z = 0; z < zones->n; z++) {
        ypath item_path = YPATH_INDEX(&zones_path, z);
        resolved[z] = resolve_zone(sc, c, zones->items[z], &item_path);
        ok = ok && resolved[z] >= 0;
    }
    for (int i = 0; ok && i < g->count; i++)
        g->copy_domain[i] = resolved[(size_t)i % zones->n]; /* round-robin, SPEC §2 */
    return ok;
}

static bool parse_group(scenario *sc, yctx *c, const ynode *node, const ypath *path,
                        component_group *g)
{
    /* unknown keys are reported, and the known ones still read, so one
     * run shows every problem in the component */
    bool ok = ymap_check(c, node, path, component_keys);
    if (node == NULL || node->kind != YNODE_MAPPING)
        return false;

    ypath name_path = YPATH_KEY(path, "name");
    const ynode *name = ymap_require(c, node, path, "name");
    if (name == NULL || !yget_string(c, name, &name_path, &g->name) ||
        !model_check_name(c, name, &name_path, g->name)) {
        ok = false;
    } else if (scenario_find_group(sc, g->name) >= 0) {
        yerror(c, name, &name_path, "a second component named '%s'", g->name);
        ok = false;
    }

    /* A bad count leaves the group with count 0: its distributions are still
     * checked, and the service expression does not report it again. */
    long long count = 1;
    const ynode *count_node = ymap_get(node, "count");
    ypath count_path = YPATH_KEY(path, "count");
    bool count_ok = count_node == NULL ||
                    yget_integer(c, count_node, &count_path, 1, SCENARIO_MAX_COPIES, &count);
    if (count_ok && sc->n_copies + (size_t)count > SCENARIO_MAX_COPIES) {
        yerror(c, count_node ? count_node : node, &count_path,
               "more than %d copies in the scenario", SCENARIO_MAX_COPIES);
        count_ok = false;
    }

    long long crews = count;
    const ynode *crews_node = ymap_get(node, "crews");
    ypath crews_path = YPATH_KEY(path, "crews");
    if (crews_node != NULL && count_ok) {
        if (!yget_integer(c, crews_node, &crews_path, LLONG_MIN, LLONG_MAX, &crews))
            ok = false;
        else if (crews < 1 || crews > count) {
            yerror(c, crews_node, &crews_path, "crews must be 1 to count (%lld), not %lld", count,
                   crews);
            ok = false;
        }
    }

    ypath fail_path = YPATH_KEY(path, "fail"), repair_path = YPATH_KEY(path, "repair");
    const ynode *fail = ymap_require(c, node, path, "fail");
    const ynode *repair = ymap_require(c, node, path, "repair");
    bool fail_ok = fail != NULL && yget_dist(c, fail, &fail_path, &g->fail);
    bool repair_ok = repair != NULL && yget_dist(c, repair, &repair_path, &g->repair);
    ok = ok && fail_ok && repair_ok;
    if (fail_ok && repair_ok && !(dist_mean(&g->fail) + dist_mean(&g->repair) > 0.0)) {
        yerror(c, fail, &fail_path,
               "fail and repair are both 0: the copies would fail and recover endlessly at one "
               "instant");
        ok = false;
    }
    const ynode *tags = ymap_get(node, "tags");
    ypath tags_path = YPATH_KEY(path, "tags");
    if (tags != NULL && !tags_parse(c, tags, &tags_path, &g->tags))
        ok = false;
    if (!count_ok)
        return false; /* nothing below can be sized */
    g->count = (int)count;
    g->crews = (int)crews;
    sc->n_copies += (size_t)count;

    g->copy_domain = calloc((size_t)g->count, sizeof *g->copy_domain);
    g->copy_hash = calloc((size_t)g->count, sizeof *g->copy_hash);
    if (g->copy_domain == NULL || g->copy_hash == NULL) {
        yerror(c, node, path, "out of memory");
        return false;
    }
    ok = parse_placement(sc, c, node, path, g) && ok;
    for (int i = 0; g->name != NULL && i < g->count; i++) {
        char copy_name[96];
        snprintf(copy_name, sizeof copy_name, "%s[%d]", g->name, i);
        g->copy_hash[i] = rng_name_hash(copy_name);
    }
    return ok;
}

int component_parse(scenario *sc, yctx *c, const ynode *node, const ypath *path)
{
    if (!yexpect_sequence(c, node, path))
        return -1;
    if (node->n == 0) {
        yerror(c, node, path, "an empty list of components");
        return -1;
    }
    sc->groups = calloc(node->n, sizeof *sc->groups);
    if (sc->groups == NULL) {
        yerror(c, node, path, "out of memory");
        return -1;
    }
    int result = 0;
    for (size_t i = 0; i < node->n; i++) {
        ypath item_path = YPATH_INDEX(path, i);
        /* counted after parsing, so the duplicate-name check sees only earlier groups */
        component_group *g = &sc->groups[sc->n_groups];
        if (!parse_group(sc, c, node->items[i], &item_path, g))
            result = -1;
        sc->n_groups++;
    }
    return result;
}

/* ---- runtime ---------------------------------------------------------------------------- */

/* What the model keeps per copy beyond world.h's copy_state: the pending
 * failure (so an injected fault can take its place) and whether the copy
 * is held down by an experiment. */
typedef struct components_state {
    des_event_id *fail_event;  /* [n_copies] */
    bool *held;                /* [n_copies] */
} components_state;

static components_state *state_of(trial_world *w)
{
    return *model_state_slot(w, component_init);
}

int component_init(trial_world *w)
{
    for (size_t c = 0; c < w->n_copies; c++) {
        w->copies[c].fail_rng = rng_stream_create();
        w->copies[c].repair_rng = rng_stream_create();
        if (w->copies[c].fail_rng == NULL || w->copies[c].repair_rng == NULL)
            return -1;
    }
    for (size_t g = 0; g < w->sc->n_groups; g++) {
        w->groups[g].waiting = calloc((size_t)w->sc->groups[g].count, sizeof(int));
        if (w->groups[g].waiting == NULL)
            return -1;
    }
    components_state *s = calloc(1, sizeof *s);
    if (s == NULL)
        return -1;
    *model_state_slot(w, component_init) = s;
    s->fail_event = calloc(w->n_copies + 1, sizeof *s->fail_event);
    s->held = calloc(w->n_copies + 1, sizeof *s->held);
    if (s->fail_event == NULL || s->held == NULL)
        return -1;
    return 0;
}

void component_destroy(trial_world *w)
{
    components_state *s = state_of(w);
    if (s == NULL)
        return;
    free(s->fail_event);
    free(s->held);
    free(s);
}

/* "web[3]": a copy's name as an event's target, formatted only when
 * someone listens (the trace or an observer); "" otherwise. */
#define COPY_NAME_SIZE 96
static const char *copy_name(const trial_world *w, int copy, char *buf)
{
    buf[0] = '\0';
    if (w->trace != NULL || w->observer.event != NULL)
        snprintf(buf, COPY_NAME_SIZE, "%s[%d]", w->sc->groups[w->copies[copy].group].name,
                 w->copies[copy].index);
    return buf;
}

static void schedule_failure(trial_world *w, int copy);

static void start_repair(trial_world *w, int copy);

static void on_repaired(des_sim *sim, void *subject, void *object)
{
    (void)sim;
    trial_world *w = subject;
    int copy = (int)(intptr_t)object;
    copy_state *state = &w->copies[copy];
    group_state *group = &w->groups[state->group];
    state->up = true;
    char name[COPY_NAME_SIZE];
    world_event(w, EVENT_RECOVER, copy_name(w, copy, name), "%s[%d] is repaired",
                w->sc->groups[state->group].name, state->index);
    world_copy_changed(w, copy);
    schedule_failure(w, copy);
    if (group->waiting_count > 0) { /* the crew takes the longest-waiting copy */
        int next = group->waiting[group->waiting_head];
        group->waiting_head = (group->waiting_head + 1) % w->sc->groups[state->group].count;
        group->waiting_count--;
        start_repair(w, next);
    } else {
        group->free_crews++;
    }
}

static void start_repair(trial_world *w, int copy)
{
    const component_group *spec = &w->sc->groups[w->copies[copy].group];
    double repair_s = dist_sample(&spec->repair, w->copies[copy].repair_rng);
    if (w->trace != NULL || w->observer.event != NULL) {
        char takes[32], name[COPY_NAME_SIZE];
        world_event(w, EVENT_REPAIR, copy_name(w, copy, name), "a crew starts repairing %s[%d] (%s)",
                    spec->name, w->copies[copy].index,
                    duration_format(repair_s, takes, sizeof takes));
    }
    des_schedule(w->sim, des_now(w->sim) + repair_s, PRIORITY_RECOVERY, on_repaired, w,
                 (void *)(intptr_t)copy);
}

/* The copy goes down now; `crew`: it waits for a crew and is repaired
 * (a failure), else it stays down until released (held). */
static void copy_goes_down(trial_world *w, int copy, bool crew)
{
    copy_state *state = &w->copies[copy];
    group_state *group = &w->groups[state->group];
    state->up = false;
    w->result->component_failures++;
    w->cause = (world_cause){CAUSE_COMPONENT, state->group, state->index};
    world_copy_changed(w, copy);
    if (!crew)
        return;
    if (group->free_crews > 0) {
        group->free_crews--;
        start_repair(w, copy);
    } else {
        int count = w->sc->groups[state->group].count;
        group->waiting[(group->waiting_head + group->waiting_count) % count] = copy;
        group->waiting_count++;
        char name[COPY_NAME_SIZE];
        world_event(w, EVENT_NOTE, copy_name(w, copy, name), "%s[%d] waits for a crew (%d waiting)",
                    w->sc->groups[state->group].name, state->index, group->waiting_count);
    }
}

static void on_failed(des_sim *sim, void *subject, void *object)
{
    (void)sim;
    trial_world *w = subject;
    int copy = (int)(intptr_t)object;
    copy_state *state = &w->copies[copy];
    state_of(w)->fail_event[copy] = 0;
    char name[COPY_NAME_SIZE];
    world_event(w, EVENT_FAIL, copy_name(w, copy, name), "%s[%d] fails",
                w->sc->groups[state->group].name, state->index);
    copy_goes_down(w, copy, true);
}

static void schedule_failure(trial_world *w, int copy)
{
    if (!world_background_failures(w))
        return;
    const component_group *spec = &w->sc->groups[w->copies[copy].group];
    double gap_s = dist_sample(&spec->fail, w->copies[copy].fail_rng);
    state_of(w)->fail_event[copy] = des_schedule(w->sim, des_now(w->sim) + gap_s,
                                                 PRIORITY_FAILURE, on_failed, w,
                                                 (void *)(intptr_t)copy);
}

void component_start(trial_world *w)
{
    components_state *s = state_of(w);
    for (size_t g = 0; g < w->sc->n_groups; g++) {
        w->groups[g].free_crews = w->sc->groups[g].crews;
        w->groups[g].waiting_head = 0;
        w->groups[g].waiting_count = 0;
    }
    for (size_t c = 0; c < w->n_copies; c++) {
        copy_state *state = &w->copies[c];
        uint64_t hash = w->sc->groups[state->group].copy_hash[state->index];
        state->up = true;
        state->effective_up = true;
        s->fail_event[c] = 0;
        s->held[c] = false;
        rng_stream_set(state->fail_rng, w->seed, w->trial, hash, RNG_PURPOSE_FAIL);
        rng_stream_set(state->repair_rng, w->seed, w->trial, hash, RNG_PURPOSE_REPAIR);
        schedule_failure(w, (int)c);
    }
}

/* ---- fault injection -------------------------------------------------------------------- */

/* An up copy loses its pending failure to the injected one. */
static bool take_down_injected(trial_world *w, int copy, bool crew, const char *how)
{
    components_state *s = state_of(w);
    if (s == NULL || copy < 0 || (size_t)copy >= w->n_copies || !w->copies[copy].up)
        return false;
    if (s->fail_event[copy] != 0)
        des_cancel(w->sim, s->fail_event[copy]);
    s->fail_event[copy] = 0;
    s->held[copy] = !crew;
    const copy_state *state = &w->copies[copy];
    char name[COPY_NAME_SIZE];
    world_event(w, EVENT_INJECT, copy_name(w, copy, name), "%s[%d] %s",
                w->sc->groups[state->group].name, state->index, how);
    copy_goes_down(w, copy, crew);
    return true;
}

bool component_inject_fail(trial_world *w, int copy)
{
    return take_down_injected(w, copy, true, "fails (injected); a crew will repair it");
}

bool component_inject_hold(trial_world *w, int copy)
{
    return take_down_injected(w, copy, false, "is held down (injected) until released");
}

bool component_inject_release(trial_world *w, int copy)
{
    components_state *s = state_of(w);
    if (s == NULL || copy < 0 || (size_t)copy >= w->n_copies || !s->held[copy])
        return false;
    copy_state *state = &w->copies[copy];
    s->held[copy] = false;
    state->up = true;
    char name[COPY_NAME_SIZE];
    world_event(w, EVENT_ROLLBACK, copy_name(w, copy, name), "%s[%d] is released and up again",
                w->sc->groups[state->group].name, state->index);
    world_copy_changed(w, copy);
    schedule_failure(w, copy);
    return true;
}
