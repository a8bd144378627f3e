/*
 * model — what each model module (a file in models/) provides, as a typed table.
 *
 *   parse   reads the model's top-level scenario key into the scenario;
 *           reports problems through the yctx and returns -1 on any
 *   init    builds the model's part of a worker's trial_world (streams,
 *           arrays) once; -1 when out of memory
 *   start   at t = 0 of each trial: resets that state and schedules the
 *           model's first events
 *   domain_changed (optional) a zone or region went down or came back
 *   update  (optional) recompute what the model contributes to the served
 *           fraction (route shares, region_served, region_data_ok) from the
 *           state of the others; called by world_dr_update() in table order
 *   failover_from (optional) clients are leaving a region that is down:
 *           what the model had not replicated out of it is lost
 *   destroy (optional) frees what init allocated
 * init and start may be NULL for parse-only keys.
 *
 * Models never print and never exit.  sim/loader.c calls `parse` for the
 * keys in the order of model_table; sim/trial.c calls `init` and `start`.
 */
#ifndef DRSIM_MODEL_H
#define DRSIM_MODEL_H

#include "scenario.h"
#include "trial.h"
#include "ytree.h"

typedef struct model_ops {
    const char *key;   /* the top-level scenario key the model owns */
    int (*parse)(scenario *sc, yctx *c, const ynode *node, const ypath *path);
    int (*init)(trial_world *w);
    void (*start)(trial_world *w);
    void (*domain_changed)(trial_world *w, int changed);
    void (*update)(trial_world *w);
    void (*failover_from)(trial_world *w, int region);
    void (*destroy)(trial_world *w);
} model_ops;

/* In dependency order: domains before the components placed in them,
 * components before the service expression over them. */
extern const model_ops model_table[];
extern const size_t model_table_size;

/* The modules' own entry points (models/domain.c, component.c, service.c). */

/* The `demand` key (models/demand_model.c): demand_parse (demand.h) into
 * sc->dr.demand.  start: w->demand_rps = D(0), then one event each time
 * D leaves the band of 1% around the value held (demand_next_change),
 * which holds the new value and calls world_dr_update(); a constant
 * demand schedules nothing. */
int demand_model_parse(scenario *sc, yctx *c, const ynode *node, const ypath *path);
void demand_model_start(trial_world *w);
#define DEMAND_STEP_TOLERANCE 0.01

int domain_parse(scenario *sc, yctx *c, const ynode *node, const ypath *path);
int domain_init(trial_world *w);
void domain_start(trial_world *w);
void domain_destroy(trial_world *w);

int component_parse(scenario *sc, yctx *c, const ynode *node, const ypath *path);
int component_init(trial_world *w);
void component_start(trial_world *w);
void component_destroy(trial_world *w);

int service_parse(scenario *sc, yctx *c, const ynode *node, const ypath *path);
int service_init(trial_world *w);
void service_start(trial_world *w);
/* A copy's effective state flipped: propagate through the gates. */
void service_copy_changed(trial_world *w, int copy, bool effective_up);
void service_node_free(service_node *node);

int dns_parse(scenario *sc, yctx *c, const ynode *node, const ypath *path);
int dns_init(trial_world *w);
void dns_start(trial_world *w);
void dns_update(trial_world *w);
void dns_destroy(trial_world *w);
/* update_dns: simple routing answers `region` from now on. */
bool dns_point_to(trial_world *w, int region);

int balancers_parse(scenario *sc, yctx *c, const ynode *node, const ypath *path);
int groups_parse(scenario *sc, yctx *c, const ynode *node, const ypath *path);
int web_init(trial_world *w);
void web_start(trial_world *w);
void web_domain_changed(trial_world *w, int changed);
void web_update(trial_world *w);
void web_destroy(trial_world *w);
/* set_desired_capacity: launches or terminates instances to reach it
 * (clamped to [min_size, max_size]); for target tracking it is a scaling
 * activity, so the scale-in cooldown counts from it. */
void web_set_desired_capacity(trial_world *w, int group, int desired);
/* The group's desired capacity now (target tracking and runbooks change
 * it); -1 for a group that does not exist. */
int web_desired_capacity(trial_world *w, int group);

int backup_plans_parse(scenario *sc, yctx *c, const ynode *node, const ypath *path);

int databases_parse(scenario *sc, yctx *c, const ynode *node, const ypath *path);
int database_init(trial_world *w);
void database_start(trial_world *w);
void database_domain_changed(trial_world *w, int changed);
void database_update(trial_world *w);
void database_failover_from(trial_world *w, int region);
void database_destroy(trial_world *w);
/* promote_replica / restore_backup: the database becomes writable in
 * `region` after the promotion or the restore; false if it cannot. */
bool database_promote(trial_world *w, int database, int region);
bool database_restore(trial_world *w, int database, int region);

int buckets_parse(scenario *sc, yctx *c, const ynode *node, const ypath *path);
int bucket_init(trial_world *w);
void bucket_start(trial_world *w);
void bucket_domain_changed(trial_world *w, int changed);
void bucket_failover_from(trial_world *w, int region);
void bucket_destroy(trial_world *w);

int runbooks_parse(scenario *sc, yctx *c, const ynode *node, const ypath *path);
int runbook_init(trial_world *w);
void runbook_start(trial_world *w);
void runbook_domain_changed(trial_world *w, int changed);
void runbook_destroy(trial_world *w);

/* A step's duration: attempts, retry delays, escalation (exposed for tests). */
double runbook_step_time(const runbook_step *step, gsl_rng *r);

int prices_parse(scenario *sc, yctx *c, const ynode *node, const ypath *path);
/* USD per year of the scenario's standing resources; NAN without prices. */
double cost_per_year(const scenario *sc);

/* Reads the required `name` of a list item into *out (NULL when missing or
 * invalid) and returns whether it is good.  Repeats are checked separately,
 * once per list, by model_check_unique_names(). */
bool model_item_name(yctx *c, const ynode *item, const ypath *path, char **out);

/* Reports each item of `list` whose `name` an earlier item already has:
 * "a second WHAT named 'x'", at the later name.  false when any repeats. */
bool model_check_unique_names(yctx *c, const ynode *list, const ypath *path, const char *what);

/* A region named by node, reported if unknown or a zone; -1 then. */
int model_find_region(scenario *sc, yctx *c, const ynode *node, const ypath *path);
/* A zone likewise. */
int model_find_zone(scenario *sc, yctx *c, const ynode *node, const ypath *path);
/* A runtime state slot for the model whose init function is `init`. */
void **model_state_slot(trial_world *w, int (*init)(trial_world *w));

/* ---- fault injection: what sim/experiment.c may do to a running trial ----
 *
 * Each call acts at the current simulated time, narrates itself through
 * world_event() (kind EVENT_INJECT or EVENT_ROLLBACK) and lets the models
 * react as they would to the real fault: health checks notice, groups
 * replace, databases fail over, DNS moves, runbooks run.  Calls on a
 * resource that is not in a state to take them (an instance already gone,
 * a zone already down) change nothing and return false.
 */

/* Instances of Auto Scaling groups (models/web.c).  A slot holds an
 * instance while it is launching, running or draining. */
int web_slot_count(trial_world *w, int group);
/* The zone of the running instance in slot `slot`, or -1 when the slot
 * holds no running instance now. */
int web_running_zone(trial_world *w, int group, int slot);
/* aws:ec2:terminate-instances: the instance is gone for good; the group
 * notices (EC2 status check, or the load balancer for type ELB) and
 * launches a replacement. */
bool web_inject_terminate(trial_world *w, int group, int slot);
/* aws:ec2:stop-instances: down until web_inject_start(); the group may
 * replace it meanwhile (then the start does nothing). */
bool web_inject_stop(trial_world *w, int group, int slot);
bool web_inject_start(trial_world *w, int group, int slot);
/* CPU or latency stress: the instance serves capacity × capacity_factor
 * (0 < factor <= 1) and adds added_latency_s to each response, until
 * called again with (1, 0).  Survives nothing: a replacement is unstressed. */
bool web_inject_stress(trial_world *w, int group, int slot, double capacity_factor,
                       double added_latency_s);
/* Metrics over all load balancers: running instances the load balancers
 * believe healthy; requests per second those of them alive can serve;
 * mean response time of the requests served (s), with the groups'
 * response_time as the unstressed base. */
double web_healthy_hosts(trial_world *w);
double web_healthy_capacity_rps(trial_world *w);
double web_latency_s(trial_world *w);

/* Component copies (models/component.c), instances of the core model.
 * fail: the copy fails now and is repaired as usual (terminate);
 * hold: the copy fails now and stays down until released (stop/start). */
bool component_inject_fail(trial_world *w, int copy);
bool component_inject_hold(trial_world *w, int copy);
bool component_inject_release(trial_world *w, int copy);

/* Zones and regions (models/domain.c): an outage that lasts until
 * domain_inject_restore(); the rest of the world sees it exactly as a
 * natural one (a disaster record with its RTO and RPO). */
bool domain_inject_outage(trial_world *w, int domain);
bool domain_inject_restore(trial_world *w, int domain);

/* Databases (models/database.c).  failover: the writer moves to the
 * standby or an in-region replica (failover_time); false when there is
 * none.  reboot: the writer is offline for duration_s and comes back in
 * place.  pause: async replication to other regions stops, so a region
 * loss while paused loses everything written since the pause. */
bool database_inject_failover(trial_world *w, int database);
bool database_inject_reboot(trial_world *w, int database, double duration_s);
bool database_inject_pause_replication(trial_world *w, int database, bool paused);

/* Buckets (models/bucket.c): replication paused as for databases. */
bool bucket_inject_pause_replication(trial_world *w, int bucket, bool paused);

/* Names of components, zones and regions: letters, digits, '-', '_', '.',
 * ':'; at most 63 characters.  Reports and returns false otherwise. */
bool model_check_name(yctx *c, const ynode *node, const ypath *path, const char *name);

#endif
