/*
 * domain — failure domains: regions and the zones inside them.
 *
 * Scenario:
 *   regions:
 *     - name: east
 *       outage: {fail: exp(mean=20y), repair: lognormal(median=6h, sigma=1)}
 *       zones:
 *         - name: east-a
 *           outage: {fail: exp(mean=2y), repair: exp(mean=3h)}
 *           tags: {Environment: production}   # optional, on regions too
 *
 * States: up → down after a `fail` draw (counted from the last recovery),
 * down → up after a `repair` draw.  A domain without `outage` never fails.
 * Each domain's outages are an independent alternating renewal process with
 * its own streams (name, FAIL) and (name, REPAIR): a region outage does not
 * pause or reset its zones' processes; a copy is effectively up only while
 * its zone and region are both up (SPEC §3).
 *
 * An injected outage (domain_inject_outage) is a natural one in every
 * respect but its end, which is domain_inject_restore(); it replaces the
 * pending natural outage, and the restore starts the process afresh.
 * Without background failures (world.h) no natural outage is scheduled.
 *
 * Emits: world_domain_changed() on each flip, with the cause set to the
 * domain, so incidents it begins are attributed to it; and a disaster
 * record (zone or region) per outage, for its RTO.
 */
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "model.h"
#include "rng.h"
#include "world.h"

static const char *const region_keys[] = {"name", "outage", "zones", "tags", NULL};
static const char *const zone_keys[] = {"name", "outage", "tags", NULL};
static const char *const outage_keys[] = {"fail", "repair", NULL};

static int add_domain(scenario *sc, domain_kind kind, int parent)
{
    domain *grown = realloc(sc->domains, (sc->n_domains + 1) * sizeof *grown);
    if (grown == NULL)
        return -1;
    sc->domains = grown;
    domain *d = &sc->domains[sc->n_domains];
    memset(d, 0, sizeof *d);
    d->kind = kind;
    d->parent = parent;
    return (int)sc->n_domains++;
}

static bool parse_outage(yctx *c, const ynode *node, const ypath *path, domain *d)
{
    bool keys_ok = ymap_check(c, node, path, outage_keys);
    if (node == NULL || node->kind != YNODE_MAPPING)
        return false;
    ypath fail_path = YPATH_KEY(path, "fail"), repair_path = YPATH_KEY(path, "repair");
    const ynode *fail = ymap_require(c, node, path, "fail");
    const ynode *repair = ymap_require(c, node, path, "repair");
    bool ok = fail != NULL && repair != NULL;
    ok = (fail && yget_dist(c, fail, &fail_path, &d->fail)) && ok;
    ok = (repair && yget_dist(c, repair, &repair_path, &d->repair)) && ok;
    if (ok && !(dist_mean(&d->fail) + dist_mean(&d->repair) > 0.0)) {
        yerror(c, fail, &fail_path,
               "fail and repair are both 0: outages would begin and end endlessly at one instant");
        ok = false;
    }
    d->has_outage = ok;
    return ok && keys_ok;
}

/* Parses name and outage of one region or zone into a new domain. */
static int parse_one(scenario *sc, yctx *c, const ynode *node, const ypath *path,
                     domain_kind kind, int parent)
{
    const char *const *keys = kind == DOMAIN_REGION ? region_keys : zone_keys;
    bool ok = ymap_check(c, node, path, keys); /* reported; the known keys are still read */
    if (node == NULL || node->kind != YNODE_MAPPING)
        return -1;
    int index = add_domain(sc, kind, parent);
    if (index < 0) {
        yerror(c, node, path, "out of memory");
        return -1;
    }
    ypath name_path = YPATH_KEY(path, "name");
    const ynode *name = ymap_require(c, node, path, "name");
    char *text = NULL;
    if (name == NULL || !yget_string(c, name, &name_path, &text) ||
        !model_check_name(c, name, &name_path, text)) {
        ok = false;
    } else if (scenario_find_domain(sc, text) >= 0) {
        yerror(c, name, &name_path, "'%s' is already the name of a region or zone", text);
        ok = false;
    }
    sc->domains[index].name = text;
    if (text != NULL)
        sc->domains[index].name_hash = rng_name_hash(text);
    const ynode *outage = ymap_get(node, "outage");
    ypath outage_path = YPATH_KEY(path, "outage");
    if (outage != NULL && !parse_outage(c, outage, &outage_path, &sc->domains[index]))
        ok = false;
    const ynode *tags = ymap_get(node, "tags");
    ypath tags_path = YPATH_KEY(path, "tags");
    if (tags != NULL && !tags_parse(c, tags, &tags_path, &sc->domains[index].tags))
        ok = false;
    return ok ? index : -1;
}

int domain_parse(scenario *sc, yctx *c, const ynode *node, const ypath *path)
{
    if (!yexpect_sequence(c, node, path))
        return -1;
    int result = 0;
    for (size_t r = 0; r < node->n; r++) {
        ypath region_path = YPATH_INDEX(path, r);
        const ynode *region = node->items[r];
        int region_index = parse_one(sc, c, region, &region_path, DOMAIN_REGION, -1);
        if (region_index < 0) {
            result = -1;
            if (region->kind != YNODE_MAPPING)
                continue;
        }
        const ynode *zones = ymap_get(region, "zones");
        if (zones == NULL)
            continue;
        ypath zones_path = YPATH_KEY(&region_path, "zones");
        if (!yexpect_sequence(c, zones, &zones_path)) {
            result = -1;
            continue;
        }
        for (size_t z = 0; z < zones->n; z++) {
            ypath zone_path = YPATH_INDEX(&zones_path, z);
            if (parse_one(sc, c, zones->items[z], &zone_path, DOMAIN_ZONE, region_index) < 0)
                result = -1;
        }
    }
    return result;
}

/* ---- runtime ---------------------------------------------------------------------------- */

/* What the model keeps per domain beyond world.h's domain_state: its
 * pending outage or recovery, so an injected outage can take the natural
 * process's place, and whether the outage in progress is injected. */
typedef struct domains_state {
    des_event_id *outage_event;   /* [n_domains]: the next natural outage */
    des_event_id *recover_event;  /* [n_domains]: the end of a natural outage */
    bool *injected;               /* [n_domains]: down until domain_inject_restore() */
} domains_state;

static domains_state *state_of(trial_world *w)
{
    return *model_state_slot(w, domain_init);
}

int domain_init(trial_world *w)
{
    for (size_t d = 0; d < w->sc->n_domains; d++) {
        w->domains[d].fail_rng = rng_stream_create();
        w->domains[d].repair_rng = rng_stream_create();
        if (w->domains[d].fail_rng == NULL || w->domains[d].repair_rng == NULL)
            return -1;
    }
    domains_state *s = calloc(1, sizeof *s);
    if (s == NULL)
        return -1;
    *model_state_slot(w, domain_init) = s;
    size_t n = w->sc->n_domains + 1;
    s->outage_event = calloc(n, sizeof *s->outage_event);
    s->recover_event = calloc(n, sizeof *s->recover_event);
    s->injected = calloc(n, sizeof *s->injected);
    if (s->outage_event == NULL || s->recover_event == NULL || s->injected == NULL)
        return -1;
    return 0;
}

void domain_destroy(trial_world *w)
{
    domains_state *s = state_of(w);
    if (s == NULL)
        return;
    free(s->outage_event);
    free(s->recover_event);
    free(s->injected);
    free(s);
}

static const char *kind_name(const domain *spec)
{
    return spec->kind == DOMAIN_REGION ? "region" : "zone";
}

static void schedule_outage(trial_world *w, int d);

/* The domain is back: the world follows, and its next outage is drawn. */
static void domain_comes_back(trial_world *w, int d)
{
    w->domains[d].up = true;
    world_domain_changed(w, d);
    w->domain_disaster[d] = -1;
    schedule_outage(w, d);
}

static void on_domain_recovered(des_sim *sim, void *subject, void *object)
{
    (void)sim;
    trial_world *w = subject;
    int d = (int)(intptr_t)object;
    state_of(w)->recover_event[d] = 0;
    world_event(w, EVENT_RECOVER, w->sc->domains[d].name, "%s %s is back",
                kind_name(&w->sc->domains[d]), w->sc->domains[d].name);
    domain_comes_back(w, d);
}

/* The domain goes down now: counted, attributed, and a disaster of its
 * own.  The caller narrates it before the world reacts. */
static void domain_goes_down(trial_world *w, int d)
{
    const domain *spec = &w->sc->domains[d];
    w->domains[d].up = false;
    w->result->domain_outages++;
    w->cause = (world_cause){spec->kind == DOMAIN_REGION ? CAUSE_REGION : CAUSE_ZONE, d, -1};
    /* it hits the service if the service runs there: traffic is routed to
     * its region (DR models), or copies of the service sit inside it */
    int region = spec->kind == DOMAIN_REGION ? d : spec->parent;
    bool hit_active = w->dr_active ? region >= 0 && w->route_share[region] > 0.0
                                   : w->domain_copy_offsets[d + 1] > w->domain_copy_offsets[d];
    w->domain_disaster[d] = world_disaster_begin(
        w, spec->kind == DOMAIN_REGION ? DISASTER_REGION : DISASTER_ZONE, d, hit_active);
}

static void on_domain_outage(des_sim *sim, void *subject, void *object)
{
    trial_world *w = subject;
    int d = (int)(intptr_t)object;
    const domain *spec = &w->sc->domains[d];
    domains_state *s = state_of(w);
    s->outage_event[d] = 0;
    domain_goes_down(w, d);
    double duration_s = dist_sample(&spec->repair, w->domains[d].repair_rng);
    if (w->trace != NULL || w->observer.event != NULL) {
        char lasts[32];
        world_event(w, EVENT_FAIL, spec->name, "%s %s goes down (for %s)", kind_name(spec),
                    spec->name, duration_format(duration_s, lasts, sizeof lasts));
    }
    world_domain_changed(w, d);
    s->recover_event[d] = des_schedule(sim, des_now(sim) + duration_s, PRIORITY_RECOVERY,
                                       on_domain_recovered, w, (void *)(intptr_t)d);
}

static void schedule_outage(trial_world *w, int d)
{
    if (!w->sc->domains[d].has_outage || !world_background_failures(w))
        return;
    double gap_s = dist_sample(&w->sc->domains[d].fail, w->domains[d].fail_rng);
    state_of(w)->outage_event[d] = des_schedule(w->sim, des_now(w->sim) + gap_s, PRIORITY_FAILURE,
                                                on_domain_outage, w, (void *)(intptr_t)d);
}

void domain_start(trial_world *w)
{
    domains_state *s = state_of(w);
    for (size_t d = 0; d < w->sc->n_domains; d++) {
        const domain *spec = &w->sc->domains[d];
        domain_state *state = &w->domains[d];
        state->up = true;
        s->outage_event[d] = s->recover_event[d] = 0;
        s->injected[d] = false;
        rng_stream_set(state->fail_rng, w->seed, w->trial, spec->name_hash, RNG_PURPOSE_FAIL);
        rng_stream_set(state->repair_rng, w->seed, w->trial, spec->name_hash, RNG_PURPOSE_REPAIR);
        schedule_outage(w, (int)d);
    }
}

/* ---- fault injection -------------------------------------------------------------------- */

bool domain_inject_outage(trial_world *w, int d)
{
    domains_state *s = state_of(w);
    if (s == NULL || d < 0 || (size_t)d >= w->sc->n_domains || !w->domains[d].up)
        return false;
    const domain *spec = &w->sc->domains[d];
    /* the injected outage takes the place of the next natural one: the
     * natural process starts afresh at the restore */
    if (s->outage_event[d] != 0)
        des_cancel(w->sim, s->outage_event[d]);
    s->outage_event[d] = 0;
    s->injected[d] = true;
    domain_goes_down(w, d);
    world_event(w, EVENT_INJECT, spec->name, "%s %s goes down (injected, until restored)",
                kind_name(spec), spec->name);
    world_domain_changed(w, d);
    return true;
}

bool domain_inject_restore(trial_world *w, int d)
{
    domains_state *s = state_of(w);
    if (s == NULL || d < 0 || (size_t)d >= w->sc->n_domains || !s->injected[d])
        return false;
    const domain *spec = &w->sc->domains[d];
    s->injected[d] = false;
    world_event(w, EVENT_ROLLBACK, spec->name, "%s %s is back (restored)", kind_name(spec),
                spec->name);
    domain_comes_back(w, d);
    return true;
}
