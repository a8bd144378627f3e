/*
 * database — where the application's data lives, how its writer fails
 * over, and what a disaster loses.
 *
 * Scenario (keys after AWS::RDS::DBInstance / DBCluster and
 * AWS::DynamoDB::GlobalTable in snake_case):
 *   databases:
 *     - name: app-db
 *       engine: aurora-postgresql
 *       db_instance_class: db.r6g.xlarge   # a price-list key (with the engine)
 *       region: us-east-1
 *       zone: us-east-1a                   # AvailabilityZone of the writer
 *       multi_az: true                     # a synchronous standby ...
 *       standby_zone: us-east-1b           # ... in this zone
 *       cluster_replicas: 0                # in-region replicas (Aurora-like)
 *       instance_fail: exp(mean=2y)         # default: never
 *       failover_time: uniform(min=60s, max=120s)  # RDS Multi-AZ 60–120 s
 *       recreate_time: uniform(min=5m, max=10m)    # no standby: Aurora < 10 min
 *       allocated_storage: 100             # GB
 *       backup_retention_period: 7         # days of point-in-time recovery (0: none)
 *       backup_plan: daily                 # restores use its recovery points
 *       restore_throughput: 100            # GB per hour
 *       restore_overhead: 20m
 *       cold_restore_extra: 3h
 *       replicas:                          # in other regions
 *         - {region: us-west-2, replication: async, lag: exp(mean=1s),
 *            promotion_time: uniform(min=30s, max=60s)}
 *       global_table: false                # true: writable in every replica region
 *       corruption: {every: exp(mean=5y), detected_after: lognormal(median=2h, sigma=1)}
 *       tags: {Tier: data}
 *
 * Defaults cite REFERENCES.md: Multi-AZ failover 60–120 s; Aurora replica
 * promotion < 60 s (often < 30 s); Aurora without replica < 10 min; Aurora
 * Global Database lag < 1 s and promotion < 1 min; DynamoDB global tables
 * replicate within about 1 s; PITR restores to any second of the window.
 * Restore throughput and overhead have no AWS figure: they are assumptions.
 *
 * States.  The writer is up, failing over (to the standby or an in-region
 * replica: failover_time, no data lost, synchronous), or being recreated
 * (recreate_time).  A zone outage of the writer's zone is handled like an
 * instance failure.  A region outage leaves the writer unreachable until
 * the region returns or a runbook promotes a cross-region replica
 * (promotion_time; if home returns first the move is abandoned and nothing
 * is lost; an async replica loses the lag it had when the outage
 * began, a draw of that replica's own `lag`) or restores a backup in
 * another region (backup.h: the newest copy usable there when the outage
 * began; the restore takes overhead + size / throughput, plus
 * cold_restore_extra from cold storage).  An hour after
 * the home region is back (DR_FAILBACK_AFTER_S, plus DR_FAILBACK_DRAIN_S for
 * the clients to go home first) the writer moves home in a
 * planned switchover that loses nothing.
 *
 * Data is usable from a region that holds the database (home or replica)
 * while the writer is reachable — apps in a replica region reach the writer
 * across regions — and, for a global table, from every replica region that
 * is up, on its own.  A global table loses, when clients leave a failed
 * region, the writes it had not replicated: a draw of `lag`.
 *
 * Corruption: bad data written at t_c is noticed at t_d = t_c +
 * detected_after; then the database goes offline and is restored: with
 * point-in-time recovery to just before t_c (RPO t_d − t_c), else from the
 * newest backup older than t_c (RPO t_d − its snapshot).  Replicas copy
 * the corruption, so they do not help.
 *
 * Fault injection (model.h): a failover is an instance failure of the
 * writer that has a standby or an in-region replica; a reboot takes the
 * writer offline for the given time, in place; while async replication is
 * paused, the fall of the writer's region adds the time since the pause
 * to what a promotion (or a global table's failover) loses.
 *
 * Streams: ("NAME", FAIL), and NAME's purposes for operations, lag and
 * corruption, each drawn in the order of the database's own history.
 *
 * Emits: region_data_ok[region]; data loss of region and corruption
 * disasters.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "model.h"
#include "rng.h"
#include "world.h"

enum { PURPOSE_DB_OPERATION = RNG_PURPOSE_MODEL + 5, PURPOSE_DB_LAG = RNG_PURPOSE_MODEL + 6,
       PURPOSE_DB_CORRUPTION = RNG_PURPOSE_MODEL + 7 };

static const char *const db_keys[] = {
    "name", "engine", "db_instance_class", "region", "zone", "multi_az", "standby_zone",
    "cluster_replicas", "instance_fail", "failover_time", "recreate_time", "allocated_storage",
    "backup_retention_period", "backup_plan", "restore_throughput", "restore_overhead",
    "cold_restore_extra", "replicas", "global_table", "corruption", "writes_per_second",
    "daily_change_gb", "tags", NULL};
static const char *const replica_keys[] = {"region", "replication", "lag", "promotion_time", NULL};
static const char *const corruption_keys[] = {"every", "detected_after", NULL};

/* ---- parsing ---------------------------------------------------------------------------- */

static bool get_dist(yctx *c, const ynode *map, const ypath *path, const char *key, dist *out)
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

static bool get_bool(yctx *c, const ynode *map, const ypath *path, const char *key, bool *out)
{
    const ynode *v = ymap_get(map, key);
    if (v == NULL)
        return true;
    ypath p = YPATH_KEY(path, key);
    if (v->kind == YNODE_SCALAR && (strcmp(v->text, "true") == 0 || strcmp(v->text, "false") == 0)) {
        *out = strcmp(v->text, "true") == 0;
        return true;
    }
    yerror(c, v, &p, "expected true or false");
    return false;
}

static bool get_number(yctx *c, const ynode *map, const ypath *path, const char *key, double min,
                       double max, double *out)
{
    const ynode *v = ymap_get(map, key);
    if (v == NULL)
        return true;
    ypath p = YPATH_KEY(path, key);
    double value;
    if (v->kind != YNODE_SCALAR || duration_parse_number(v->text, &value) != 0) {
        yerror(c, v, &p, "expected a number");
        return false;
    }
    if (!(value >= min && value <= max)) {
        yerror(c, v, &p, "%s is out of range (%g to %g)", v->text, min, max);
        return false;
    }
    *out = value;
    return true;
}

static bool get_duration(yctx *c, const ynode *map, const ypath *path, const char *key,
                         double *out)
{
    const ynode *v = ymap_get(map, key);
    if (v == NULL)
        return true;
    ypath p = YPATH_KEY(path, key);
    return yget_duration(c, v, &p, out);
}

static bool parse_replicas(scenario *sc, yctx *c, const ynode *node, const ypath *path,
                           db_config *db)
{
    if (!yexpect_sequence(c, node, path))
        return false;
    db->replicas = calloc(node->n ? node->n : 1, sizeof *db->replicas);
    if (db->replicas == NULL)
        return false;
    bool ok = true;
    for (size_t i = 0; i < node->n; i++) {
        ypath item = YPATH_INDEX(path, i);
        const ynode *r_node = node->items[i];
        db_replica *r = &db->replicas[db->n_replicas++];
        /* Aurora Global Database: lag < 1 s, promotion < 1 min */
        r->lag = (dist){.kind = DIST_EXP, .p1 = 1.0};
        r->promotion_time = (dist){.kind = DIST_UNIFORM, .p1 = 30.0, .p2 = 60.0};
        r->replication = REPLICATION_ASYNC;
        r->region = -1;
        ok = ymap_check(c, r_node, &item, replica_keys) && ok;
        if (r_node->kind != YNODE_MAPPING)
            continue;
        ypath region_path = YPATH_KEY(&item, "region");
        const ynode *region = ymap_require(c, r_node, &item, "region");
        if (region != NULL)
            r->region = model_find_region(sc, c, region, &region_path);
        ok = ok && r->region >= 0;
        if (r->region >= 0 && r->region == db->region) {
            yerror(c, region, &region_path, "a replica in the database's own region: use "
                                            "multi_az or cluster_replicas");
            ok = false;
        }
        const ynode *mode = ymap_get(r_node, "replication");
        if (mode != NULL) {
            ypath p = YPATH_KEY(&item, "replication");
            if (mode->kind == YNODE_SCALAR && strcmp(mode->text, "sync") == 0)
                r->replication = REPLICATION_SYNC;
            else if (!(mode->kind == YNODE_SCALAR && strcmp(mode->text, "async") == 0)) {
                yerror(c, mode, &p, "'%s' is not sync or async",
                       mode->kind == YNODE_SCALAR ? mode->text : "?");
                ok = false;
            }
        }
        ok = get_dist(c, r_node, &item, "lag", &r->lag) && ok;
        ok = get_dist(c, r_node, &item, "promotion_time", &r->promotion_time) && ok;
    }
    return ok;
}

static int find_backup(const dr_config *dr, const char *name)
{
    for (size_t i = 0; i < dr->n_backups; i++)
        if (dr->backups[i].name && strcmp(dr->backups[i].name, name) == 0)
            return (int)i;
    return -1;
}

static bool parse_database(scenario *sc, yctx *c, const ynode *node, const ypath *path,
                           db_config *db)
{
    dr_config *dr = &sc->dr;
    bool ok = ymap_check(c, node, path, db_keys);
    if (node->kind != YNODE_MAPPING)
        return false;
    ok = model_item_name(c, node, path, &db->name) && ok;
    if (db->name != NULL)
        db->name_hash = rng_name_hash(db->name);
    const ynode *v;
    if ((v = ymap_get(node, "engine")) != NULL) {
        ypath p = YPATH_KEY(path, "engine");
        ok = yget_string(c, v, &p, &db->engine) && ok;
    }
    if ((v = ymap_get(node, "db_instance_class")) != NULL) {
        ypath p = YPATH_KEY(path, "db_instance_class");
        ok = yget_string(c, v, &p, &db->instance_class) && ok;
    }
    db->region = db->zone = db->standby_zone = db->backup_plan = -1;
    ypath region_path = YPATH_KEY(path, "region");
    const ynode *region = ymap_require(c, node, path, "region");
    if (region != NULL)
        db->region = model_find_region(sc, c, region, &region_path);
    ok = ok && db->region >= 0;
    if ((v = ymap_get(node, "zone")) != NULL) {
        ypath p = YPATH_KEY(path, "zone");
        db->zone = model_find_zone(sc, c, v, &p);
        ok = ok && db->zone >= 0;
    }
    ok = get_bool(c, node, path, "multi_az", &db->multi_az) && ok;
    if ((v = ymap_get(node, "standby_zone")) != NULL) {
        ypath p = YPATH_KEY(path, "standby_zone");
        db->standby_zone = model_find_zone(sc, c, v, &p);
        ok = ok && db->standby_zone >= 0;
    }
    if (db->multi_az && (ymap_get(node, "zone") == NULL || ymap_get(node, "standby_zone") == NULL ||
                         (db->zone >= 0 && db->zone == db->standby_zone))) {
        ypath p = YPATH_KEY(path, "multi_az");
        yerror(c, ymap_get(node, "multi_az"), &p, "a Multi-AZ standby needs a zone for the writer and a different standby_zone");
        ok = false;
    }
    for (int z = 0; db->region >= 0 && z < 2; z++) {
        int zone = z == 0 ? db->zone : db->standby_zone;
        const char *key = z == 0 ? "zone" : "standby_zone";
        ypath p = YPATH_KEY(path, key);
        if (zone >= 0 && sc->domains[zone].parent != db->region) {
            yerror(c, ymap_get(node, key), &p, "zone '%s' is not in the database's region '%s'",
                   sc->domains[zone].name, sc->domains[db->region].name);
            ok = false;
        }
    }
    long long whole;
    const ynode *count_node = ymap_get(node, "cluster_replicas");
    ypath count_path = YPATH_KEY(path, "cluster_replicas");
    if (count_node != NULL && yget_integer(c, count_node, &count_path, 0, 15, &whole))
        db->cluster_replicas = (int)whole; /* Aurora: up to 15 replicas */
    else if (count_node != NULL)
        ok = false;

    /* without instance_fail the writer's instance never fails */
    db->instance_fail = (dist){.kind = DIST_EXP, .p1 = INFINITY};
    ok = get_dist(c, node, path, "instance_fail", &db->instance_fail) && ok;
    /* Multi-AZ instance failover 60–120 s; an Aurora replica < 60 s, often < 30 s */
    db->failover_time = db->cluster_replicas > 0 ? (dist){.kind = DIST_UNIFORM, .p1 = 15.0, .p2 = 60.0}
                                                 : (dist){.kind = DIST_UNIFORM, .p1 = 60.0, .p2 = 120.0};
    ok = get_dist(c, node, path, "failover_time", &db->failover_time) && ok;
    db->recreate_time = (dist){.kind = DIST_UNIFORM, .p1 = 300.0, .p2 = 600.0};
    ok = get_dist(c, node, path, "recreate_time", &db->recreate_time) && ok;

    db->size_gb = 100.0;
    ok = get_number(c, node, path, "allocated_storage", 0, 1e6, &db->size_gb) && ok;
    ok = get_number(c, node, path, "writes_per_second", 0, 1e9, &db->writes_per_second) && ok;
    /* 1% of the data a day: an assumption, for incremental backup storage */
    db->daily_change_gb = -1.0;
    ok = get_number(c, node, path, "daily_change_gb", 0, 1e9, &db->daily_change_gb) && ok;
    if (db->daily_change_gb < 0)
        db->daily_change_gb = 0.01 * db->size_gb;
    long long retention_days = 0; /* days, 0 to 35 as RDS allows */
    const ynode *retention = ymap_get(node, "backup_retention_period");
    ypath retention_path = YPATH_KEY(path, "backup_retention_period");
    if (retention != NULL && !yget_integer(c, retention, &retention_path, 0, 35, &retention_days))
        ok = false;
    db->point_in_time_recovery = retention_days > 0;
    if ((v = ymap_get(node, "backup_plan")) != NULL) {
        ypath p = YPATH_KEY(path, "backup_plan");
        if (v->kind == YNODE_SCALAR)
            db->backup_plan = find_backup(dr, v->text);
        if (db->backup_plan < 0) {
            yerror(c, v, &p, "unknown backup plan '%s'", v->kind == YNODE_SCALAR ? v->text : "?");
            ok = false;
        }
    }
    double gb_per_hour = 100.0;
    ok = get_number(c, node, path, "restore_throughput", 0.001, 1e7, &gb_per_hour) && ok;
    db->restore_throughput_gb_per_s = gb_per_hour / 3600.0;
    db->restore_overhead_s = 20 * 60.0;
    ok = get_duration(c, node, path, "restore_overhead", &db->restore_overhead_s) && ok;
    db->cold_restore_extra_s = 3 * 3600.0;
    ok = get_duration(c, node, path, "cold_restore_extra", &db->cold_restore_extra_s) && ok;
    if ((v = ymap_get(node, "replicas")) != NULL) {
        ypath p = YPATH_KEY(path, "replicas");
        ok = parse_replicas(sc, c, v, &p, db) && ok;
    }
    ok = get_bool(c, node, path, "global_table", &db->global_table) && ok;
    if (ok && db->global_table && db->n_replicas == 0) {
        yerror(c, node, path, "a global_table needs replicas in other regions");
        ok = false;
    }
    if ((v = ymap_get(node, "corruption")) != NULL) {
        ypath p = YPATH_KEY(path, "corruption");
        bool keys = ymap_check(c, v, &p, corruption_keys);
        if (v->kind == YNODE_MAPPING) {
            const ynode *every = ymap_require(c, v, &p, "every");
            const ynode *after = ymap_require(c, v, &p, "detected_after");
            ok = keys && every && after && ok;
            ok = get_dist(c, v, &p, "every", &db->corruption_every) && ok;
            ok = get_dist(c, v, &p, "detected_after", &db->corruption_detected_after) && ok;
            db->has_corruption = every && after;
        } else {
            ok = false;
        }
    }
    if ((v = ymap_get(node, "tags")) != NULL) {
        ypath p = YPATH_KEY(path, "tags");
        ok = tags_parse(c, v, &p, &db->tags) && ok;
    }
    return ok;
}

int databases_parse(scenario *sc, yctx *c, const ynode *node, const ypath *path)
{
    if (!yexpect_sequence(c, node, path))
        return -1;
    dr_config *dr = &sc->dr;
    dr->databases = calloc(node->n ? node->n : 1, sizeof *dr->databases);
    if (dr->databases == NULL)
        return -1;
    sc->has_dr = sc->has_data = true;
    int result = 0;
    for (size_t i = 0; i < node->n; i++) {
        ypath item = YPATH_INDEX(path, i);
        db_config *db = &dr->databases[dr->n_databases];
        if (!parse_database(sc, c, node->items[i], &item, db))
            result = -1;
        dr->n_databases++;
    }
    if (!model_check_unique_names(c, node, path, "database"))
        result = -1;
    return result;
}

/* ---- runtime ---------------------------------------------------------------------------- */

typedef enum db_phase {
    DB_UP,
    DB_FAILING_OVER,    /* to the standby or an in-region replica */
    DB_RECREATING,      /* no standby: a new instance */
    DB_WAITING_ZONE,    /* no standby, its zone down: back with the zone */
    DB_PROMOTING,       /* a cross-region replica becomes the writer */
    DB_RESTORING,       /* from a backup or PITR */
    DB_FAILBACK_WAIT,   /* running in the DR region, home is back */
    DB_REBOOTING        /* injected: the writer is offline, back in place */
} db_phase;

typedef struct db_state {
    db_phase phase;
    int writer_region, writer_zone;
    bool standby_ready;
    bool away;               /* the writer is in another region than home */
    int target_region;       /* promotion or restore destination */
    double pending_loss_s;   /* what the operation in progress will lose */
    int loss_disaster;       /* the disaster it loses it for */
    bool corrupted;          /* offline for a corruption restore */
    int corruption_disaster;
    int lag_drawn_for;       /* the disaster a global table's loss was drawn for, or -1 */
    bool replication_paused; /* injected: async replication to other regions stopped */
    double paused_since_s;
    double pause_loss_s;     /* unreplicated for the pause when pause_loss_region fell */
    int pause_loss_region;   /* or -1 */
    des_event_id op_event, fail_event, corruption_event;
    gsl_rng *fail_rng, *op_rng, *lag_rng, *corruption_rng, *backup_rng;
} db_state;

typedef struct databases_state {
    db_state *dbs;
} databases_state;

static databases_state *state_of(trial_world *w)
{
    return *model_state_slot(w, database_init);
}

int database_init(trial_world *w)
{
    const dr_config *dr = &w->sc->dr;
    if (dr->n_databases == 0)
        return 0;
    databases_state *s = calloc(1, sizeof *s);
    if (s == NULL)
        return -1;
    *model_state_slot(w, database_init) = s;
    s->dbs = calloc(dr->n_databases, sizeof *s->dbs);
    if (s->dbs == NULL)
        return -1;
    for (size_t i = 0; i < dr->n_databases; i++) {
        db_state *d = &s->dbs[i];
        d->fail_rng = rng_stream_create();
        d->op_rng = rng_stream_create();
        d->lag_rng = rng_stream_create();
        d->corruption_rng = rng_stream_create();
        d->backup_rng = rng_stream_create();
        if (!d->fail_rng || !d->op_rng || !d->lag_rng || !d->corruption_rng || !d->backup_rng)
            return -1;
    }
    return 0;
}

void database_destroy(trial_world *w)
{
    databases_state *s = state_of(w);
    if (s == NULL)
        return;
    for (size_t i = 0; s->dbs != NULL && i < w->sc->dr.n_databases; i++) {
        gsl_rng_free(s->dbs[i].fail_rng);
        gsl_rng_free(s->dbs[i].op_rng);
        gsl_rng_free(s->dbs[i].lag_rng);
        gsl_rng_free(s->dbs[i].corruption_rng);
        gsl_rng_free(s->dbs[i].backup_rng);
    }
    free(s->dbs);
    free(s);
}

static void cancel(trial_world *w, des_event_id *id)
{
    if (*id != 0)
        des_cancel(w->sim, *id);
    *id = 0;
}

static bool usable(const trial_world *w, int d)
{
    for (; d >= 0; d = w->sc->domains[d].parent)
        if (!w->domains[d].up)
            return false;
    return true;
}

static const db_replica *replica_in(const db_config *cfg, int region)
{
    for (size_t r = 0; r < cfg->n_replicas; r++)
        if (cfg->replicas[r].region == region)
            return &cfg->replicas[r];
    return NULL;
}

/* What a pause of replication adds to the loss of `region`'s outage: the
 * writes since the pause, as of when the region fell. */
static double paused_loss(const db_state *d, int region)
{
    return d->pause_loss_region == region ? d->pause_loss_s : 0.0;
}

static void on_operation_done(des_sim *sim, void *subject, void *object);
static void schedule_corruption(trial_world *w, int i);
static void on_instance_failed(des_sim *sim, void *subject, void *object);

static void schedule_instance_failure(trial_world *w, int i)
{
    const db_config *cfg = &w->sc->dr.databases[i];
    db_state *d = &state_of(w)->dbs[i];
    cancel(w, &d->fail_event);
    if (!world_background_failures(w))
        return;
    double gap_s = dist_sample(&cfg->instance_fail, d->fail_rng);
    if (isfinite(gap_s))
        d->fail_event = des_schedule(w->sim, des_now(w->sim) + gap_s, PRIORITY_FAILURE,
                                     on_instance_failed, w, (void *)(intptr_t)i);
}

static const char *operation_name(db_phase phase)
{
    switch (phase) {
    case DB_FAILING_OVER:
        return "fails over inside its region";
    case DB_RECREATING:
        return "recreates its writer";
    case DB_PROMOTING:
        return "promotes its replica";
    case DB_RESTORING:
        return "restores from a recovery point";
    case DB_REBOOTING:
        return "reboots its writer";
    default:
        return "changes";
    }
}

/* What kind of event beginning an operation is. */
static world_event_kind operation_kind(db_phase phase)
{
    switch (phase) {
    case DB_FAILING_OVER:
    case DB_PROMOTING:
        return EVENT_FAILOVER;
    case DB_REBOOTING: /* only experiments reboot */
        return EVENT_INJECT;
    default:
        return EVENT_REPAIR;
    }
}

static void begin_operation(trial_world *w, int i, db_phase phase, double duration_s)
{
    db_state *d = &state_of(w)->dbs[i];
    if (w->trace != NULL || w->observer.event != NULL) {
        char takes[32];
        world_event(w, operation_kind(phase), w->sc->dr.databases[i].name, "database %s %s (%s)",
                    w->sc->dr.databases[i].name, operation_name(phase),
                    duration_format(duration_s, takes, sizeof takes));
    }
    cancel(w, &d->op_event);
    d->phase = phase;
    d->op_event = des_schedule(w->sim, des_now(w->sim) + duration_s, PRIORITY_RECOVERY,
                               on_operation_done, w, (void *)(intptr_t)i);
}

/* The writer (instance or zone) is lost inside its region: fail over to
 * the standby or a replica when one is usable, else recreate or wait. */
static void writer_lost_in_region(trial_world *w, int i)
{
    const db_config *cfg = &w->sc->dr.databases[i];
    db_state *d = &state_of(w)->dbs[i];
    cancel(w, &d->fail_event);
    if (cfg->multi_az && d->standby_ready && usable(w, cfg->standby_zone == d->writer_zone
                                                           ? cfg->zone
                                                           : cfg->standby_zone)) {
        begin_operation(w, i, DB_FAILING_OVER, dist_sample(&cfg->failover_time, d->op_rng));
    } else if (cfg->cluster_replicas > 0) {
        begin_operation(w, i, DB_FAILING_OVER, dist_sample(&cfg->failover_time, d->op_rng));
    } else if (d->writer_zone >= 0 && !usable(w, d->writer_zone)) {
        d->phase = DB_WAITING_ZONE;
    } else {
        begin_operation(w, i, DB_RECREATING, dist_sample(&cfg->recreate_time, d->op_rng));
    }
}

static void on_instance_failed(des_sim *sim, void *subject, void *object)
{
    (void)sim;
    trial_world *w = subject;
    int i = (int)(intptr_t)object;
    db_state *d = &state_of(w)->dbs[i];
    d->fail_event = 0;
    if (d->phase != DB_UP)
        return;
    w->result->component_failures++;
    w->cause = (world_cause){CAUSE_DATABASE, i, -1};
    world_event(w, EVENT_FAIL, w->sc->dr.databases[i].name, "database %s's writer instance fails",
                w->sc->dr.databases[i].name);
    writer_lost_in_region(w, i);
    world_dr_update(w);
}

static void writer_up_again(trial_world *w, int i)
{
    db_state *d = &state_of(w)->dbs[i];
    world_event(w, EVENT_RECOVER, w->sc->dr.databases[i].name, "database %s is writable in %s",
                w->sc->dr.databases[i].name, w->sc->domains[d->writer_region].name);
    d->phase = d->away && usable(w, w->sc->dr.databases[i].region) ? DB_FAILBACK_WAIT : DB_UP;
    schedule_instance_failure(w, i);
}

static void on_failback(des_sim *sim, void *subject, void *object);

static void on_operation_done(des_sim *sim, void *subject, void *object)
{
    (void)sim;
    trial_world *w = subject;
    int i = (int)(intptr_t)object;
    const db_config *cfg = &w->sc->dr.databases[i];
    db_state *d = &state_of(w)->dbs[i];
    d->op_event = 0;
    switch (d->phase) {
    case DB_FAILING_OVER:
        if (cfg->multi_az) { /* the standby is the writer now; the old one rebuilds */
            d->writer_zone = d->writer_zone == cfg->zone ? cfg->standby_zone : cfg->zone;
            d->standby_ready = false;
        }
        writer_up_again(w, i);
        break;
    case DB_RECREATING:
        writer_up_again(w, i);
        break;
    case DB_REBOOTING:
        if (!d->away && d->writer_zone >= 0 && !usable(w, d->writer_zone)) {
            writer_lost_in_region(w, i); /* its zone went down meanwhile */
            break;
        }
        writer_up_again(w, i);
        if (d->phase == DB_FAILBACK_WAIT) /* home came back during the reboot */
            des_schedule(w->sim, des_now(w->sim) + DR_FAILBACK_AFTER_S + DR_FAILBACK_DRAIN_S,
                         PRIORITY_RECOVERY, on_failback, w, object);
        break;
    case DB_PROMOTING:
    case DB_RESTORING:
        if (d->corrupted) {
            d->corrupted = false;
            world_disaster_data_loss(w, d->corruption_disaster, d->pending_loss_s);
            d->corruption_disaster = -1;
            schedule_corruption(w, i);
        } else {
            d->writer_region = d->target_region;
            d->writer_zone = -1;
            d->away = d->writer_region != cfg->region;
            world_disaster_data_loss(w, d->loss_disaster, d->pending_loss_s);
        }
        writer_up_again(w, i);
        if (d->phase == DB_FAILBACK_WAIT) /* home came back during the operation */
            des_schedule(w->sim, des_now(w->sim) + DR_FAILBACK_AFTER_S + DR_FAILBACK_DRAIN_S,
                         PRIORITY_RECOVERY, on_failback, w, object);
        break;
    default:
        break;
    }
    if (!d->standby_ready && cfg->multi_az && d->phase == DB_UP)
        d->standby_ready = true; /* simplification: the standby rebuilds with the failover */
    world_dr_update(w);
}

/* Home is back: a planned switchover moves the writer home; nothing is lost. */
static void on_failback(des_sim *sim, void *subject, void *object)
{
    (void)sim;
    trial_world *w = subject;
    int i = (int)(intptr_t)object;
    const db_config *cfg = &w->sc->dr.databases[i];
    db_state *d = &state_of(w)->dbs[i];
    if (d->phase != DB_FAILBACK_WAIT || !usable(w, cfg->region))
        return;
    d->writer_region = cfg->region;
    d->writer_zone = cfg->zone;
    d->away = false;
    d->phase = DB_UP;
    world_event(w, EVENT_FAILOVER, cfg->name, "database %s fails back home to %s (planned, nothing lost)",
                cfg->name, w->sc->domains[cfg->region].name);
    schedule_instance_failure(w, i); /* a failure due while it waited was dropped */
    world_dr_update(w);
}

void database_start(trial_world *w)
{
    databases_state *s = state_of(w);
    if (s == NULL)
        return;
    const dr_config *dr = &w->sc->dr;
    for (size_t i = 0; i < dr->n_databases; i++) {
        const db_config *cfg = &dr->databases[i];
        db_state *d = &s->dbs[i];
        rng_stream_set(d->fail_rng, w->seed, w->trial, cfg->name_hash, RNG_PURPOSE_FAIL);
        rng_stream_set(d->op_rng, w->seed, w->trial, cfg->name_hash, PURPOSE_DB_OPERATION);
        rng_stream_set(d->lag_rng, w->seed, w->trial, cfg->name_hash, PURPOSE_DB_LAG);
        rng_stream_set(d->corruption_rng, w->seed, w->trial, cfg->name_hash, PURPOSE_DB_CORRUPTION);
        d->phase = DB_UP;
        d->writer_region = cfg->region;
        d->writer_zone = cfg->zone;
        d->standby_ready = cfg->multi_az;
        d->away = false;
        d->corrupted = false;
        d->corruption_disaster = d->loss_disaster = -1;
        d->lag_drawn_for = -1;
        d->replication_paused = false;
        d->paused_since_s = 0.0;
        d->pause_loss_s = 0.0;
        d->pause_loss_region = -1;
        d->op_event = d->fail_event = d->corruption_event = 0;
        schedule_instance_failure(w, (int)i);
        if (cfg->has_corruption)
            schedule_corruption(w, (int)i);
    }
}

/* ---- corruption ------------------------------------------------------------------------- */

static void on_corruption(des_sim *sim, void *subject, void *object);
static void on_corruption_detected(des_sim *sim, void *subject, void *object);

static void schedule_corruption(trial_world *w, int i)
{
    const db_config *cfg = &w->sc->dr.databases[i];
    db_state *d = &state_of(w)->dbs[i];
    if (!world_background_failures(w))
        return;
    double gap_s = dist_sample(&cfg->corruption_every, d->corruption_rng);
    d->corruption_event = des_schedule(w->sim, des_now(w->sim) + gap_s, PRIORITY_FAILURE,
                                       on_corruption, w, (void *)(intptr_t)i);
}

static void on_corruption(des_sim *sim, void *subject, void *object)
{
    trial_world *w = subject;
    int i = (int)(intptr_t)object;
    const db_config *cfg = &w->sc->dr.databases[i];
    db_state *d = &state_of(w)->dbs[i];
    d->corruption_disaster = world_disaster_begin(w, DISASTER_CORRUPTION, i, true);
    world_event(w, EVENT_FAIL, cfg->name, "database %s: bad data is written (nobody notices yet)",
                cfg->name);
    double detect_s = dist_sample(&cfg->corruption_detected_after, d->corruption_rng);
    d->corruption_event = des_schedule(sim, des_now(sim) + detect_s, PRIORITY_FAILURE,
                                       on_corruption_detected, w, object);
}

static void on_corruption_detected(des_sim *sim, void *subject, void *object)
{
    trial_world *w = subject;
    int i = (int)(intptr_t)object;
    const db_config *cfg = &w->sc->dr.databases[i];
    db_state *d = &state_of(w)->dbs[i];
    d->corruption_event = 0;
    double now_s = des_now(sim);
    const disaster *dis = d->corruption_disaster >= 0
                              ? &w->disasters->items[d->corruption_disaster]
                              : NULL;
    double corrupted_at_s = dis ? dis->start_s : now_s;
    world_disaster_arm(w, d->corruption_disaster);
    w->cause = (world_cause){CAUSE_DATABASE, i, -1};
    world_event(w, EVENT_DETECT, cfg->name,
                "database %s: the corruption is noticed; it goes offline to be restored %s",
                cfg->name, cfg->point_in_time_recovery ? "to just before it (PITR)"
                                                       : "from the newest older backup");
    /* offline and restored to before the corruption */
    cancel(w, &d->fail_event);
    d->corrupted = true;
    bool cold = false;
    if (cfg->point_in_time_recovery) {
        d->pending_loss_s = now_s - corrupted_at_s;
    } else if (cfg->backup_plan >= 0) {
        backup_point point = backup_newest_point(&w->sc->dr.backups[cfg->backup_plan],
                                                 d->backup_rng, w->seed, w->trial, d->writer_region,
                                                 now_s, corrupted_at_s, 400);
        d->pending_loss_s = isfinite(point.snapshot_s) ? now_s - point.snapshot_s : now_s;
        cold = point.cold;
    } else {
        d->pending_loss_s = now_s; /* nothing to restore from: all of it */
    }
    double restore_s = backup_restore_time(cfg->size_gb, cfg->restore_throughput_gb_per_s,
                                           cfg->restore_overhead_s, cfg->cold_restore_extra_s, cold);
    d->target_region = d->writer_region;
    begin_operation(w, i, DB_RESTORING, restore_s);
    /* the next corruption is drawn when this restore is done: an offline
     * database being restored is not corrupted again, and one open
     * corruption at a time keeps each its own RTO */
    world_dr_update(w);
}

/* ---- runbook actions -------------------------------------------------------------------- */

bool database_promote(trial_world *w, int i, int region)
{
    databases_state *s = state_of(w);
    const db_config *cfg = &w->sc->dr.databases[i];
    db_state *d = &s->dbs[i];
    const db_replica *replica = replica_in(cfg, region);
    if (replica == NULL || d->away || d->phase == DB_PROMOTING || d->phase == DB_RESTORING ||
        usable(w, d->writer_region))
        return false; /* nothing to promote, or no need */
    d->target_region = region;
    d->loss_disaster = w->domain_disaster[cfg->region];
    /* what this replica had not received when the home region fell: its
     * lag, and everything since replication was paused */
    d->pending_loss_s = replica->replication == REPLICATION_SYNC
                            ? 0.0
                            : dist_sample(&replica->lag, d->lag_rng) + paused_loss(d, cfg->region);
    begin_operation(w, i, DB_PROMOTING, dist_sample(&replica->promotion_time, d->op_rng));
    return true;
}

bool database_restore(trial_world *w, int i, int region)
{
    databases_state *s = state_of(w);
    const db_config *cfg = &w->sc->dr.databases[i];
    db_state *d = &s->dbs[i];
    if (cfg->backup_plan < 0 || d->away || d->phase == DB_PROMOTING ||
        d->phase == DB_RESTORING || usable(w, d->writer_region))
        return false;
    int outage = w->domain_disaster[cfg->region];
    double outage_s = outage >= 0 ? w->disasters->items[outage].start_s : des_now(w->sim);
    /* the newest copy that was usable in `region` when the home region fell */
    backup_point point = backup_newest_point(&w->sc->dr.backups[cfg->backup_plan], d->backup_rng,
                                             w->seed, w->trial, region, outage_s, outage_s, 400);
    if (!isfinite(point.snapshot_s))
        return false;
    d->target_region = region;
    d->loss_disaster = outage;
    d->pending_loss_s = outage_s - point.snapshot_s;
    double restore_s = backup_restore_time(cfg->size_gb, cfg->restore_throughput_gb_per_s,
                                           cfg->restore_overhead_s, cfg->cold_restore_extra_s,
                                           point.cold);
    begin_operation(w, i, DB_RESTORING, restore_s);
    return true;
}

/* ---- zones and regions ------------------------------------------------------------------ */

void database_domain_changed(trial_world *w, int changed)
{
    databases_state *s = state_of(w);
    if (s == NULL)
        return;
    const dr_config *dr = &w->sc->dr;
    for (size_t i = 0; i < dr->n_databases; i++) {
        const db_config *cfg = &dr->databases[i];
        db_state *d = &s->dbs[i];
        bool up = w->domains[changed].up;
        if (!up && w->sc->domains[changed].kind == DOMAIN_REGION &&
            (changed == d->writer_region ||
             (cfg->global_table && (changed == cfg->region || replica_in(cfg, changed) != NULL)))) {
            /* what a paused replication has not shipped out of it by now */
            d->pause_loss_region = changed;
            d->pause_loss_s = d->replication_paused ? des_now(w->sim) - d->paused_since_s : 0.0;
        }
        if (changed == cfg->region && up && !d->away && !d->corrupted &&
            (d->phase == DB_PROMOTING || d->phase == DB_RESTORING)) {
            /* home is back before the move to the DR region finished: the
             * move is abandoned, the writer at home never stopped, nothing
             * is lost */
            cancel(w, &d->op_event);
            writer_up_again(w, (int)i);
        }
        if (changed == cfg->region && up && d->away && d->phase == DB_UP) {
            /* planned failback, after the clients have gone home */
            d->phase = DB_FAILBACK_WAIT;
            des_schedule(w->sim, des_now(w->sim) + DR_FAILBACK_AFTER_S + DR_FAILBACK_DRAIN_S,
                         PRIORITY_RECOVERY, on_failback, w, (void *)(intptr_t)i);
        }
        if (d->writer_zone == changed && !d->away && !up && d->phase == DB_UP)
            writer_lost_in_region(w, (int)i);
        /* back when its zone is usable again: the zone's return, or the
         * region's if the writer was lost while the region was down */
        else if (up && d->phase == DB_WAITING_ZONE && !d->away && usable(w, d->writer_zone))
            writer_up_again(w, (int)i);
    }
}

void database_failover_from(trial_world *w, int region)
{
    databases_state *s = state_of(w);
    if (s == NULL)
        return;
    const dr_config *dr = &w->sc->dr;
    for (size_t i = 0; i < dr->n_databases; i++) {
        const db_config *cfg = &dr->databases[i];
        if (!cfg->global_table)
            continue; /* a single writer loses data at promotion, not here */
        const db_replica *replica = region == cfg->region ? &cfg->replicas[0]
                                                          : replica_in(cfg, region);
        int outage = w->domain_disaster[region];
        if (replica == NULL || outage < 0 || s->dbs[i].lag_drawn_for == outage)
            continue; /* each cohort that leaves calls this: one draw per outage */
        s->dbs[i].lag_drawn_for = outage;
        double lag_s = replica->replication == REPLICATION_SYNC
                           ? 0.0
                           : dist_sample(&replica->lag, s->dbs[i].lag_rng) +
                                 paused_loss(&s->dbs[i], region);
        world_disaster_data_loss(w, outage, lag_s);
    }
}

/* Whether the application in `region` can use its data. */
void database_update(trial_world *w)
{
    databases_state *s = state_of(w);
    if (s == NULL)
        return;
    const dr_config *dr = &w->sc->dr;
    for (size_t r = 0; r < w->sc->n_domains; r++) {
        if (w->sc->domains[r].kind != DOMAIN_REGION)
            continue;
        bool ok = true;
        for (size_t i = 0; i < dr->n_databases && ok; i++) {
            const db_config *cfg = &dr->databases[i];
            const db_state *d = &s->dbs[i];
            bool holds = (int)r == cfg->region || replica_in(cfg, (int)r) != NULL ||
                         (int)r == d->writer_region; /* restored there */
            if (cfg->global_table) {
                ok = holds && w->domains[r].up && !d->corrupted;
            } else {
                bool writer = (d->phase == DB_UP || d->phase == DB_FAILBACK_WAIT) && !d->corrupted &&
                              usable(w, d->writer_region) &&
                              (d->writer_zone < 0 || usable(w, d->writer_zone));
                ok = holds && writer;
            }
        }
        w->region_data_ok[r] = ok;
    }
}

/* ---- fault injection -------------------------------------------------------------------- */

static db_state *db_of(trial_world *w, int i)
{
    databases_state *s = state_of(w);
    if (s == NULL || i < 0 || (size_t)i >= w->sc->dr.n_databases)
        return NULL;
    return &s->dbs[i];
}

/* The writer is at home, up and reachable, and not being restored. */
static bool writer_in_place(trial_world *w, int i)
{
    const db_config *cfg = &w->sc->dr.databases[i];
    const db_state *d = &state_of(w)->dbs[i];
    return d->phase == DB_UP && !d->away && !d->corrupted && usable(w, d->writer_region) &&
           (d->writer_zone < 0 || usable(w, d->writer_zone)) && d->writer_region == cfg->region;
}

bool database_inject_failover(trial_world *w, int i)
{
    db_state *d = db_of(w, i);
    if (d == NULL || !writer_in_place(w, i))
        return false;
    const db_config *cfg = &w->sc->dr.databases[i];
    bool standby = cfg->multi_az && d->standby_ready &&
                   usable(w, d->writer_zone == cfg->zone ? cfg->standby_zone : cfg->zone);
    if (!standby && cfg->cluster_replicas == 0)
        return false; /* nothing to fail over to */
    w->result->component_failures++;
    w->cause = (world_cause){CAUSE_DATABASE, i, -1};
    world_event(w, EVENT_INJECT, cfg->name, "database %s: its writer is failed over (injected)",
                cfg->name);
    writer_lost_in_region(w, i);
    world_dr_update(w);
    return true;
}

bool database_inject_reboot(trial_world *w, int i, double duration_s)
{
    db_state *d = db_of(w, i);
    if (d == NULL || !(duration_s >= 0.0 && isfinite(duration_s)) || !writer_in_place(w, i))
        return false;
    w->result->component_failures++;
    w->cause = (world_cause){CAUSE_DATABASE, i, -1};
    cancel(w, &d->fail_event); /* rescheduled when it is back */
    begin_operation(w, i, DB_REBOOTING, duration_s);
    world_dr_update(w);
    return true;
}

bool database_inject_pause_replication(trial_world *w, int i, bool paused)
{
    db_state *d = db_of(w, i);
    if (d == NULL || d->replication_paused == paused)
        return false;
    const db_config *cfg = &w->sc->dr.databases[i];
    bool async = false;
    for (size_t r = 0; r < cfg->n_replicas; r++)
        async = async || cfg->replicas[r].replication == REPLICATION_ASYNC;
    if (!async)
        return false; /* synchronous replicas cannot fall behind */
    d->replication_paused = paused;
    if (paused) {
        d->paused_since_s = des_now(w->sim);
        world_event(w, EVENT_INJECT, cfg->name,
                    "database %s: replication to other regions is paused", cfg->name);
    } else {
        world_event(w, EVENT_ROLLBACK, cfg->name,
                    "database %s: replication to other regions resumes", cfg->name);
    }
    return true;
}
