/*
 * runbook — a failover procedure: ordered steps, started automatically or
 * by people, when a region goes down.
 *
 * Scenario (the seed's failover function and its EventBridge rule):
 *   runbooks:
 *     - name: regional-failover
 *       on: {region_outage: us-east-1}
 *       trigger:
 *         health_event: lognormal(median=10m, sigma=0.5)   # AWS Health event → rule → Lambda
 *         # or manual: {page: ..., acknowledge: ..., decide: ...}
 *       steps:
 *         - {action: promote_replica, database: app-db, region: us-west-2, duration: 5s}
 *         - {action: set_desired_capacity, auto_scaling_group: web-west, desired_capacity: 6}
 *         - {action: update_dns, region: us-west-2, duration: 10s}
 *         - {action: notify, duration: 1s}
 *       # any step: failure_probability: 0.05, retry: {max_attempts: 3, delay: 30s},
 *       #           escalation: 30m  (all attempts failed: done by hand after this)
 *
 * Timeline.  When the region falls, the trigger's delay runs (the health
 * event's detection, or page + acknowledge + decide); if the region is back
 * by then, nothing happens.  Then the steps run one after another.  A
 * step's duration is its own work (an API call, a human task); each attempt
 * fails with failure_probability, and a failed attempt is retried after
 * `retry.delay` up to `retry.max_attempts` attempts, after which the step is
 * done by hand after `escalation`.  So with no failures a runbook takes the
 * sum of its steps' durations (tests/test_dr.c pins it).
 *
 * Actions take effect when their step completes: promote_replica and
 * restore_backup start the database's promotion or restore (database.c: it
 * takes its own time); set_desired_capacity starts launches (web.c);
 * update_dns makes simple routing answer the region (dns.c: clients follow
 * within the TTL).  Nothing waits for those to finish, as in the seed's
 * Lambda.
 *
 * If the region comes back while the steps run, the rest are dropped.
 * Failback: DR_FAILBACK_AFTER_S after the region is back, simple DNS
 * answers the first record again; DR_FAILBACK_DRAIN_S later, once every
 * client has gone home, the groups the runbook scaled return to their
 * configured size (the database moves its writer home itself, after the
 * same drain).
 *
 * Streams: ("NAME", RUNBOOK) for every duration and every attempt, in the
 * order the runbook meets them.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "model.h"
#include "rng.h"
#include "world.h"

enum { PURPOSE_RUNBOOK = RNG_PURPOSE_MODEL + 9 };

static const char *const runbook_keys[] = {"name", "on", "trigger", "steps", NULL};
static const char *const on_keys[] = {"region_outage", NULL};
static const char *const trigger_keys[] = {"health_event", "manual", NULL};
static const char *const manual_keys[] = {"page", "acknowledge", "decide", NULL};
static const char *const step_keys[] = {"name", "action", "database", "auto_scaling_group",
                                        "region", "desired_capacity", "duration",
                                        "failure_probability", "retry", "escalation", NULL};
static const char *const retry_keys[] = {"max_attempts", "delay", NULL};

static const struct {
    const char *name;
    runbook_action action;
} action_names[] = {
    {"wait", ACTION_WAIT},
    {"notify", ACTION_NOTIFY},
    {"promote_replica", ACTION_PROMOTE_REPLICA},
    {"restore_backup", ACTION_RESTORE_BACKUP},
    {"set_desired_capacity", ACTION_SET_DESIRED_CAPACITY},
    {"update_dns", ACTION_UPDATE_DNS},
};

/* ---- parsing ---------------------------------------------------------------------------- */

static bool required_dist(yctx *c, const ynode *map, const ypath *path, const char *key,
                          dist *out)
{
    const ynode *v = ymap_require(c, map, path, key);
    if (v == NULL)
        return false;
    ypath p = YPATH_KEY(path, key);
    return yget_dist(c, v, &p, out);
}

static bool optional_dist(yctx *c, const ynode *map, const ypath *path, const char *key,
                          dist *out)
{
    const ynode *v = ymap_get(map, key);
    if (v == NULL)
        return true;
    ypath p = YPATH_KEY(path, key);
    dist parsed;
    memset(&parsed, 0, sizeof parsed);
    if (!yget_dist(c, v, &p, &parsed))
        return false;
    dist_free(out);
    *out = parsed;
    return true;
}

static int find_named(const ynode *v, size_t count, const char *(*name_of)(const dr_config *, size_t),
                      const dr_config *dr)
{
    if (v == NULL || v->kind != YNODE_SCALAR)
        return -1;
    for (size_t i = 0; i < count; i++)
        if (name_of(dr, i) != NULL && strcmp(name_of(dr, i), v->text) == 0)
            return (int)i;
    return -1;
}

static const char *database_name(const dr_config *dr, size_t i) { return dr->databases[i].name; }
static const char *group_name(const dr_config *dr, size_t i) { return dr->groups[i].name; }

static bool uses_database(runbook_action a)
{
    return a == ACTION_PROMOTE_REPLICA || a == ACTION_RESTORE_BACKUP;
}

static bool uses_region(runbook_action a)
{
    return uses_database(a) || a == ACTION_UPDATE_DNS;
}

static bool uses_group(runbook_action a)
{
    return a == ACTION_SET_DESIRED_CAPACITY;
}

static bool parse_step(scenario *sc, yctx *c, const ynode *node, const ypath *path,
                       runbook_step *step)
{
    const dr_config *dr = &sc->dr;
    bool ok = ymap_check(c, node, path, step_keys);
    if (node->kind != YNODE_MAPPING)
        return false;
    step->database = step->group = step->region = -1;
    step->max_attempts = 1;
    step->duration = (dist){.kind = DIST_CONST, .p1 = 0.0};
    step->retry_delay = (dist){.kind = DIST_CONST, .p1 = 0.0};
    step->escalation = (dist){.kind = DIST_CONST, .p1 = 1800.0};
    const ynode *v;
    if ((v = ymap_get(node, "name")) != NULL) {
        ypath p = YPATH_KEY(path, "name");
        ok = yget_string(c, v, &p, &step->name) && ok;
    }
    ypath action_path = YPATH_KEY(path, "action");
    const ynode *action = ymap_require(c, node, path, "action");
    bool known = false;
    for (size_t a = 0; action && action->kind == YNODE_SCALAR &&
                       a < sizeof action_names / sizeof action_names[0]; a++)
        if (strcmp(action->text, action_names[a].name) == 0) {
            step->action = action_names[a].action;
            known = true;
        }
    if (action != NULL && !known)
        yerror(c, action, &action_path,
               "unknown action '%s' (use wait, notify, promote_replica, restore_backup, "
               "set_desired_capacity or update_dns)",
               action->kind == YNODE_SCALAR ? action->text : "?");
    ok = ok && known;
    bool needs_database = known && (step->action == ACTION_PROMOTE_REPLICA ||
                                    step->action == ACTION_RESTORE_BACKUP);
    bool needs_region = needs_database || (known && step->action == ACTION_UPDATE_DNS);
    bool needs_group = known && step->action == ACTION_SET_DESIRED_CAPACITY;
    if (needs_database) {
        ypath p = YPATH_KEY(path, "database");
        v = ymap_require(c, node, path, "database");
        step->database = find_named(v, dr->n_databases, database_name, dr);
        if (v != NULL && step->database < 0)
            yerror(c, v, &p, "unknown database '%s'", v->kind == YNODE_SCALAR ? v->text : "?");
        ok = ok && step->database >= 0;
    }
    if (needs_region) {
        ypath p = YPATH_KEY(path, "region");
        v = ymap_require(c, node, path, "region");
        if (v != NULL)
            step->region = model_find_region(sc, c, v, &p);
        ok = ok && step->region >= 0;
    }
    if (needs_group) {
        ypath p = YPATH_KEY(path, "auto_scaling_group");
        v = ymap_require(c, node, path, "auto_scaling_group");
        step->group = find_named(v, dr->n_groups, group_name, dr);
        if (v != NULL && step->group < 0)
            yerror(c, v, &p, "unknown Auto Scaling group '%s'",
                   v->kind == YNODE_SCALAR ? v->text : "?");
        ok = ok && step->group >= 0;
        ypath dp = YPATH_KEY(path, "desired_capacity");
        v = ymap_require(c, node, path, "desired_capacity");
        long long n = 0;
        bool capacity_ok = v != NULL && yget_integer(c, v, &dp, 0, 1000, &n);
        if (capacity_ok)
            step->desired_capacity = (int)n;
        else
            ok = false;
        /* the group would clamp it silently */
        const asg_config *g = step->group >= 0 ? &dr->groups[step->group] : NULL;
        if (g != NULL && capacity_ok && n > g->max_size) {
            yerror(c, v, &dp, "%lld is more than %s's max_size %d", n, g->name, g->max_size);
            ok = false;
        } else if (g != NULL && capacity_ok && n < g->min_size) {
            yerror(c, v, &dp, "%lld is less than %s's min_size %d", n, g->name, g->min_size);
            ok = false;
        }
    }
    /* what would otherwise do nothing when the runbook runs */
    const ynode *region_node = ymap_get(node, "region");
    ypath rp = YPATH_KEY(path, "region");
    if (known && step->action == ACTION_PROMOTE_REPLICA && step->database >= 0 && step->region >= 0) {
        const db_config *db = &dr->databases[step->database];
        bool has_replica = false;
        for (size_t r = 0; r < db->n_replicas; r++)
            has_replica = has_replica || db->replicas[r].region == step->region;
        if (!has_replica) {
            yerror(c, region_node, &rp, "database '%s' has no replica in '%s' to promote", db->name,
                   sc->domains[step->region].name);
            ok = false;
        }
    }
    if (known && step->action == ACTION_RESTORE_BACKUP && step->database >= 0 && step->region >= 0) {
        const db_config *db = &dr->databases[step->database];
        const backup_rule *rule = db->backup_plan >= 0 ? &dr->backups[db->backup_plan] : NULL;
        ypath dbp = YPATH_KEY(path, "database");
        if (rule == NULL) {
            yerror(c, ymap_get(node, "database"), &dbp,
                   "database '%s' has no backup_plan to restore from", db->name);
            ok = false;
        } else if (rule->region != step->region &&
                   !(rule->has_copy && rule->copy_region == step->region)) {
            yerror(c, region_node, &rp, "backup plan '%s' keeps no recovery point in '%s' "
                                        "(no copy_actions to it)",
                   rule->name, sc->domains[step->region].name);
            ok = false;
        }
    }
    if (known && step->action == ACTION_UPDATE_DNS && step->region >= 0) {
        bool has_record = false;
        for (size_t r = 0; dr->dns != NULL && r < dr->dns->n_records; r++)
            has_record = has_record || dr->dns->records[r].region == step->region;
        if (!has_record) {
            yerror(c, region_node, &rp, "dns has no record for '%s'",
                   sc->domains[step->region].name);
            ok = false;
        }
    }
    /* a key the action ignores is a mistake worth naming (a region on a
     * notify step, a database on a scale-out) */
    static const struct {
        const char *key;
        bool (*used)(runbook_action);
    } targets[] = {{"database", uses_database}, {"region", uses_region},
                   {"auto_scaling_group", uses_group}, {"desired_capacity", uses_group}};
    for (size_t k = 0; known && k < sizeof targets / sizeof targets[0]; k++) {
        const ynode *extra = ymap_get(node, targets[k].key);
        if (extra != NULL && !targets[k].used(step->action)) {
            ypath p = YPATH_KEY(path, targets[k].key);
            yerror(c, extra, &p, "'%s' has no effect on a %s step", targets[k].key,
                   action->text);
            ok = false;
        }
    }
    ok = optional_dist(c, node, path, "duration", &step->duration) && ok;
    if ((v = ymap_get(node, "failure_probability")) != NULL) {
        ypath p = YPATH_KEY(path, "failure_probability");
        double probability;
        if (v->kind != YNODE_SCALAR || duration_parse_fraction(v->text, &probability) != 0 ||
            !(probability >= 0.0 && probability < 1.0)) {
            yerror(c, v, &p, "expected a probability in [0, 1), such as 0.05 or 5%%");
            ok = false;
        } else {
            step->failure_probability = probability;
        }
    }
    if ((v = ymap_get(node, "retry")) != NULL) {
        ypath p = YPATH_KEY(path, "retry");
        ok = ymap_check(c, v, &p, retry_keys) && ok;
        if (v->kind == YNODE_MAPPING) {
            const ynode *attempts = ymap_get(v, "max_attempts");
            ypath ap = YPATH_KEY(&p, "max_attempts");
            long long n;
            if (attempts != NULL) {
                if (yget_integer(c, attempts, &ap, 1, 100, &n))
                    step->max_attempts = (int)n;
                else
                    ok = false;
            }
            ok = optional_dist(c, v, &p, "delay", &step->retry_delay) && ok;
        }
    }
    ok = optional_dist(c, node, path, "escalation", &step->escalation) && ok;
    return ok;
}

static bool parse_trigger(yctx *c, const ynode *node, const ypath *path, runbook_config *rb)
{
    bool ok = ymap_check(c, node, path, trigger_keys);
    if (node->kind != YNODE_MAPPING)
        return false;
    const ynode *health = ymap_get(node, "health_event");
    const ynode *manual = ymap_get(node, "manual");
    if ((health != NULL) == (manual != NULL)) {
        yerror(c, node, path, "give one trigger: health_event or manual");
        return false;
    }
    if (health != NULL) {
        ypath p = YPATH_KEY(path, "health_event");
        rb->trigger = TRIGGER_HEALTH_EVENT;
        return yget_dist(c, health, &p, &rb->detection) && ok;
    }
    ypath p = YPATH_KEY(path, "manual");
    rb->trigger = TRIGGER_MANUAL;
    ok = ymap_check(c, manual, &p, manual_keys) && ok;
    if (manual->kind != YNODE_MAPPING)
        return false;
    ok = required_dist(c, manual, &p, "page", &rb->page) && ok;
    ok = required_dist(c, manual, &p, "acknowledge", &rb->acknowledge) && ok;
    ok = required_dist(c, manual, &p, "decide", &rb->decide) && ok;
    return ok;
}

static bool parse_runbook(scenario *sc, yctx *c, const ynode *node, const ypath *path,
                          runbook_config *rb)
{
    bool ok = ymap_check(c, node, path, runbook_keys);
    if (node->kind != YNODE_MAPPING)
        return false;
    rb->region = -1;
    ok = model_item_name(c, node, path, &rb->name) && ok;
    if (rb->name != NULL)
        rb->name_hash = rng_name_hash(rb->name);
    ypath on_path = YPATH_KEY(path, "on");
    const ynode *on = ymap_require(c, node, path, "on");
    if (on != NULL && ymap_check(c, on, &on_path, on_keys) && on->kind == YNODE_MAPPING) {
        ypath p = YPATH_KEY(&on_path, "region_outage");
        const ynode *region = ymap_require(c, on, &on_path, "region_outage");
        if (region != NULL)
            rb->region = model_find_region(sc, c, region, &p);
    }
    ok = ok && rb->region >= 0;
    ypath trigger_path = YPATH_KEY(path, "trigger");
    const ynode *trigger = ymap_require(c, node, path, "trigger");
    ok = trigger != NULL && parse_trigger(c, trigger, &trigger_path, rb) && ok;
    ypath steps_path = YPATH_KEY(path, "steps");
    const ynode *steps = ymap_require(c, node, path, "steps");
    if (steps == NULL || !yexpect_sequence(c, steps, &steps_path))
        return false;
    rb->steps = calloc(steps->n ? steps->n : 1, sizeof *rb->steps);
    if (rb->steps == NULL)
        return false;
    for (size_t i = 0; i < steps->n; i++) {
        ypath item = YPATH_INDEX(&steps_path, i);
        ok = parse_step(sc, c, steps->items[i], &item, &rb->steps[rb->n_steps++]) && ok;
    }
    return ok;
}

int runbooks_parse(scenario *sc, yctx *c, const ynode *node, const ypath *path)
{
    if (!yexpect_sequence(c, node, path))
        return -1;
    dr_config *dr = &sc->dr;
    dr->runbooks = calloc(node->n ? node->n : 1, sizeof *dr->runbooks);
    if (dr->runbooks == NULL)
        return -1;
    int result = 0;
    for (size_t i = 0; i < node->n; i++) {
        ypath item = YPATH_INDEX(path, i);
        if (!parse_runbook(sc, c, node->items[i], &item, &dr->runbooks[dr->n_runbooks++]))
            result = -1;
    }
    if (!model_check_unique_names(c, node, path, "runbook"))
        result = -1;
    return result;
}

/* ---- runtime ---------------------------------------------------------------------------- */

typedef enum runbook_phase { RUNBOOK_IDLE, RUNBOOK_TRIGGERING, RUNBOOK_RUNNING, RUNBOOK_DONE }
    runbook_phase;

typedef struct runbook_state {
    runbook_phase phase;
    size_t step;
    des_event_id event;          /* the trigger or the step in progress */
    des_event_id failback_event;
    gsl_rng *rng;
} runbook_state;

typedef struct runbooks_state {
    runbook_state *runbooks;
} runbooks_state;

static runbooks_state *state_of(trial_world *w)
{
    return *model_state_slot(w, runbook_init);
}

int runbook_init(trial_world *w)
{
    const dr_config *dr = &w->sc->dr;
    if (dr->n_runbooks == 0)
        return 0;
    runbooks_state *s = calloc(1, sizeof *s);
    if (s == NULL)
        return -1;
    *model_state_slot(w, runbook_init) = s;
    s->runbooks = calloc(dr->n_runbooks, sizeof *s->runbooks);
    if (s->runbooks == NULL)
        return -1;
    for (size_t i = 0; i < dr->n_runbooks; i++)
        if ((s->runbooks[i].rng = rng_stream_create()) == NULL)
            return -1;
    return 0;
}

void runbook_destroy(trial_world *w)
{
    runbooks_state *s = state_of(w);
    if (s == NULL)
        return;
    for (size_t i = 0; s->runbooks != NULL && i < w->sc->dr.n_runbooks; i++)
        gsl_rng_free(s->runbooks[i].rng);
    free(s->runbooks);
    free(s);
}

/* How long a step takes: its attempts, the delays between them, and the
 * escalation when every attempt failed. */
double runbook_step_time(const runbook_step *step, gsl_rng *r)
{
    double total_s = 0.0;
    for (int attempt = 1;; attempt++) {
        total_s += dist_sample(&step->duration, r);
        bool failed = step->failure_probability > 0.0 && gsl_rng_uniform(r) < step->failure_probability;
        if (!failed)
            return total_s;
        if (attempt == step->max_attempts)
            return total_s + dist_sample(&step->escalation, r);
        total_s += dist_sample(&step->retry_delay, r);
    }
}

static void on_step_done(des_sim *sim, void *subject, void *object);

static void start_step(trial_world *w, int i)
{
    runbook_state *rs = &state_of(w)->runbooks[i];
    const runbook_config *cfg = &w->sc->dr.runbooks[i];
    if (rs->step >= cfg->n_steps) {
        rs->phase = RUNBOOK_DONE;
        return;
    }
    double step_s = runbook_step_time(&cfg->steps[rs->step], rs->rng);
    rs->event = des_schedule(w->sim, des_now(w->sim) + step_s, PRIORITY_RECOVERY, on_step_done, w,
                             (void *)(intptr_t)i);
}

static void apply_action(trial_world *w, const runbook_step *step)
{
    switch (step->action) {
    case ACTION_PROMOTE_REPLICA:
        database_promote(w, step->database, step->region);
        break;
    case ACTION_RESTORE_BACKUP:
        database_restore(w, step->database, step->region);
        break;
    case ACTION_SET_DESIRED_CAPACITY:
        web_set_desired_capacity(w, step->group, step->desired_capacity);
        break;
    case ACTION_UPDATE_DNS:
        dns_point_to(w, step->region);
        break;
    case ACTION_WAIT:
    case ACTION_NOTIFY:
        break;
    }
}

static void on_step_done(des_sim *sim, void *subject, void *object)
{
    (void)sim;
    trial_world *w = subject;
    int i = (int)(intptr_t)object;
    runbook_state *rs = &state_of(w)->runbooks[i];
    rs->event = 0;
    const runbook_step *done = &w->sc->dr.runbooks[i].steps[rs->step];
    world_event(w, EVENT_FAILOVER, w->sc->dr.runbooks[i].name, "runbook %s: step %zu%s%s%s done",
                w->sc->dr.runbooks[i].name, rs->step + 1, done->name ? " (" : "",
                done->name ? done->name : "", done->name ? ")" : "");
    apply_action(w, done);
    rs->step++;
    start_step(w, i);
    world_dr_update(w);
}

static void on_triggered(des_sim *sim, void *subject, void *object)
{
    (void)sim;
    trial_world *w = subject;
    int i = (int)(intptr_t)object;
    runbook_state *rs = &state_of(w)->runbooks[i];
    rs->event = 0;
    rs->phase = RUNBOOK_RUNNING;
    rs->step = 0;
    world_event(w, EVENT_DETECT, w->sc->dr.runbooks[i].name, "runbook %s starts: %zu steps",
                w->sc->dr.runbooks[i].name, w->sc->dr.runbooks[i].n_steps);
    start_step(w, i);
}

static void on_failback_scale_in(des_sim *sim, void *subject, void *object)
{
    (void)sim;
    trial_world *w = subject;
    int i = (int)(intptr_t)object;
    runbook_state *rs = &state_of(w)->runbooks[i];
    const runbook_config *cfg = &w->sc->dr.runbooks[i];
    rs->failback_event = 0;
    if (!w->domains[cfg->region].up)
        return; /* down again: the failover stands */
    for (size_t k = 0; k < cfg->n_steps; k++) {
        const runbook_step *step = &cfg->steps[k];
        if (step->action == ACTION_SET_DESIRED_CAPACITY)
            web_set_desired_capacity(w, step->group, w->sc->dr.groups[step->group].desired_capacity);
    }
    rs->phase = RUNBOOK_IDLE;
    world_dr_update(w);
}

static void on_failback(des_sim *sim, void *subject, void *object)
{
    (void)sim;
    trial_world *w = subject;
    int i = (int)(intptr_t)object;
    runbook_state *rs = &state_of(w)->runbooks[i];
    const runbook_config *cfg = &w->sc->dr.runbooks[i];
    rs->failback_event = 0;
    if (!w->domains[cfg->region].up)
        return; /* down again: the failover stands */
    /* clients first: simple DNS answers home again (failover and latency
     * records already do, from their checks); the DR side shrinks once
     * every client's cache has expired */
    if (w->sc->dr.dns != NULL && w->sc->dr.dns->routing == DNS_SIMPLE)
        dns_point_to(w, w->sc->dr.dns->records[0].region);
    rs->failback_event = des_schedule(w->sim, des_now(w->sim) + DR_FAILBACK_DRAIN_S,
                                      PRIORITY_RECOVERY, on_failback_scale_in, w, object);
    world_dr_update(w);
}

void runbook_domain_changed(trial_world *w, int changed)
{
    runbooks_state *s = state_of(w);
    if (s == NULL)
        return;
    const dr_config *dr = &w->sc->dr;
    for (size_t i = 0; i < dr->n_runbooks; i++) {
        const runbook_config *cfg = &dr->runbooks[i];
        runbook_state *rs = &s->runbooks[i];
        if (cfg->region != changed)
            continue;
        bool up = w->domains[changed].up;
        if (!up && rs->phase == RUNBOOK_IDLE) {
            double delay_s = cfg->trigger == TRIGGER_HEALTH_EVENT
                                 ? dist_sample(&cfg->detection, rs->rng)
                                 : dist_sample(&cfg->page, rs->rng) +
                                       dist_sample(&cfg->acknowledge, rs->rng) +
                                       dist_sample(&cfg->decide, rs->rng);
            rs->phase = RUNBOOK_TRIGGERING;
            if (w->trace != NULL || w->observer.event != NULL) {
                char in[32];
                world_event(w, EVENT_NOTE, cfg->name, "runbook %s will start in %s (%s)", cfg->name,
                            duration_format(delay_s, in, sizeof in),
                            cfg->trigger == TRIGGER_HEALTH_EVENT
                                ? "when the AWS Health event reaches the rule"
                                : "people are paged, acknowledge and decide");
            }
            rs->event = des_schedule(w->sim, des_now(w->sim) + delay_s, PRIORITY_RECOVERY,
                                     on_triggered, w, (void *)(intptr_t)i);
        } else if (up && rs->phase == RUNBOOK_TRIGGERING) {
            des_cancel(w->sim, rs->event); /* back before anyone acted */
            rs->event = 0;
            rs->phase = RUNBOOK_IDLE;
        } else if (up && (rs->phase == RUNBOOK_RUNNING || rs->phase == RUNBOOK_DONE)) {
            /* home is back: the steps not yet done are dropped (what is
             * under way, a promotion or a restore, the database abandons
             * itself), and failback follows once home has been back a while */
            if (rs->phase == RUNBOOK_RUNNING) {
                des_cancel(w->sim, rs->event);
                rs->event = 0;
                rs->phase = RUNBOOK_DONE;
            }
            if (rs->failback_event == 0)
                rs->failback_event = des_schedule(w->sim, des_now(w->sim) + DR_FAILBACK_AFTER_S,
                                                  PRIORITY_RECOVERY, on_failback, w,
                                                  (void *)(intptr_t)i);
        }
    }
}

void runbook_start(trial_world *w)
{
    runbooks_state *s = state_of(w);
    if (s == NULL)
        return;
    for (size_t i = 0; i < w->sc->dr.n_runbooks; i++) {
        runbook_state *rs = &s->runbooks[i];
        rng_stream_set(rs->rng, w->seed, w->trial, w->sc->dr.runbooks[i].name_hash, PURPOSE_RUNBOOK);
        rs->phase = RUNBOOK_IDLE;
        rs->step = 0;
        rs->event = rs->failback_event = 0;
    }
}
