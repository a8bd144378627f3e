/*
 * world — the state of one trial in progress.  Internal to sim/trial.c and
 * the models; nothing outside reads it.
 *
 * Layout.  Everything is in flat arrays indexed by number, built once per
 * worker from the scenario and reset at the start of each trial:
 *   domains[d]       up/down, its two random streams
 *   copies[c]        copies of all groups, group by group (group g's copies
 *                    are copies[groups[g].first_copy ..]); up, effectively up
 *   groups[g]        free crews and the FIFO of copies waiting for one
 *   domain_copies    for each domain, the copies inside it (a zone's own,
 *                    a region's through its zones), CSR-style
 *   service nodes    k-of-n gates; a copy's parents in copy_parents (CSR),
 *                    each node's parent in node_parent (-1 at the root)
 *
 * Invariants (checked by tests/test_trial.c):
 *   copies[c].effective_up == copies[c].up && its zone and region are up
 *   node_up_count[n] == number of children of n that are up
 *   node_up[n] == (node_up_count[n] >= node_threshold[n])
 *   service_up == node_up[root]
 *
 * Event flow.  A model's handler sets `cause` to what is failing, changes
 * an up flag and calls world_copy_changed() or world_domain_changed(); those
 * propagate through the service gates in O(depth) per affected copy and, if
 * the root flips, world_service_changed() does the accounting.
 */
#ifndef DRSIM_WORLD_H
#define DRSIM_WORLD_H

#include <gsl/gsl_rng.h>
#include <stdbool.h>
#include <stdint.h>

#include "des.h"
#include "diag.h"
#include "scenario.h"
#include "trial.h"

/* Tie order at one instant: recoveries before failures, so a repair that
 * ends exactly when another copy fails is seen first. */
enum world_priority {
    PRIORITY_RECOVERY = 10,
    PRIORITY_FAILURE = 20
};

typedef struct domain_state {
    bool up;
    gsl_rng *fail_rng, *repair_rng;
} domain_state;

typedef struct copy_state {
    bool up;
    bool effective_up;
    int group;
    int index;         /* within its group */
    int domain;        /* its zone, or -1 */
    gsl_rng *fail_rng, *repair_rng;
} copy_state;

typedef struct group_state {
    int first_copy;
    int free_crews;
    int *waiting;      /* ring buffer of copy numbers waiting for a crew */
    int waiting_head, waiting_count;
} group_state;

/* Downtime per fixed-length period of the horizon (the last one may be
 * shorter; a horizon shorter than one period is one period). */
typedef struct period_buckets {
    double period_s;
    uint64_t count;
    size_t capacity;
    double *downtime_s;        /* [count] */
} period_buckets;

typedef struct world_cause {
    cause_kind kind;
    int index;
    int copy;
} world_cause;

struct trial_world {
    const scenario *sc;
    des_sim *sim;
    uint64_t seed, trial;
    double horizon_s;

    domain_state *domains;
    int *domain_copy_offsets;  /* [n_domains + 1] */
    int *domain_copies;
    copy_state *copies;
    size_t n_copies;
    group_state *groups;

    /* service gates */
    int n_nodes;
    int *node_threshold, *node_up_count, *node_parent;
    bool *node_up;
    int *copy_parent_offsets;  /* [n_copies + 1] */
    int *copy_parents;
    bool service_up;           /* the service expression's verdict */

    /* the DR layer (per domain index; only regions are used): set by the
     * DR models, combined by world_served_changed() */
    bool dr_active;            /* the scenario has DR models */
    double *route_share;       /* share of clients DNS sends to the region */
    double *region_served;     /* share of requests routed there that it serves */
    bool *region_data_ok;      /* its database is usable from there */
    double served_fraction;    /* f(t) */
    double demand_rps;         /* D now, as the models see it: held between demand
                                * changes (models/demand_model.c); read it with
                                * world_demand_rps() */
    double up_threshold;       /* up by time while f >= this */
    double fraction_since_s;   /* f has had its value since then */
    int *domain_disaster;      /* the open disaster of each domain, or -1 */
    bool *region_has_live_target; /* its load balancer can reach a live instance */
    void **model_state;        /* [model_table_size]: each model's own runtime state */

    /* the observer */
    world_cause cause;         /* what the event being handled is failing */
    double last_change_s;
    bool incident_open;        /* the last incident in `incidents` is still going on */
    period_buckets years;      /* downtime per year: SLA attainment */
    period_buckets months;     /* downtime per month: service credits */
    trial_result *result;
    incident_list *incidents;
    disaster_list *disasters;
    size_t disasters_open_from; /* disasters before this index are closed */
    bool out_of_memory;
    FILE *trace;               /* narration, or NULL */
    bool trace_elapsed;        /* narrate elapsed time since trace_origin_s, not the date */
    double trace_origin_s;
    world_observer observer;   /* structured events, or zeroes */
    bool background_failures;  /* see world_background_failures() */
    void (*setup)(trial_world *w, void *ctx); /* after the models start (experiments) */
    void *setup_ctx;
};

/* Called by models after changing a copy's or a domain's up flag. */
void world_copy_changed(trial_world *w, int copy);
void world_domain_changed(trial_world *w, int d);

/* Called by the service gates when the root flips. */
void world_service_changed(trial_world *w, bool up);

/* Called by the DR models after changing route_share, region_served or
 * region_data_ok: recomputes f and does the observer's accounting. */
void world_served_changed(trial_world *w);

/* A DR model's state changed: every model's `update` runs in table order,
 * then world_served_changed(). */
void world_dr_update(trial_world *w);

/* Clients are leaving `region` while it is down: every data model's
 * failover_from hook turns what it had not replicated into data loss of
 * the region's open disaster. */
void world_failover_from(trial_world *w, int region);

/* A disaster begins now; returns its index in w->disasters (-1 when out
 * of memory).  Models add data loss with world_disaster_data_loss(). */
int world_disaster_begin(trial_world *w, disaster_kind kind, int where, bool hit_active);
void world_disaster_data_loss(trial_world *w, int index, double lost_s);

/* Restoration of the disaster counts from now on (world_disaster_begin arms
 * at once; corruption is armed when detected).  If the service is at full
 * strength once the current instant's events are done, its RTO ends here. */
void world_disaster_arm(trial_world *w, int index);

/* Something happened to `target` (a name: "web-east/2", "us-east-1a",
 * "db"; "" for the service as a whole): one line of narration when the
 * trial is traced, and one record for the observer (trial_set_observer)
 * when there is one.  Free when there is neither: the macros below test
 * first and evaluate no argument but w (once more), so a Monte Carlo run
 * formats nothing; callers need not test. */
void world_event_record(trial_world *w, world_event_kind kind, const char *target,
                        const char *fmt, ...) DIAG_PRINTF(4, 5);
#define world_event(w, ...) \
    (world_narrating(w) ? world_event_record((w), __VA_ARGS__) : (void)0)

/* world_event with the target "" and kind EVENT_NOTE, for narration that
 * belongs to no one resource. */
#define world_trace(w, ...) \
    (world_narrating(w) ? world_event_record((w), EVENT_NOTE, "", __VA_ARGS__) : (void)0)

/* Whether anyone listens: a trace or an observer. */
static inline bool world_narrating(const trial_world *w)
{
    return w->trace != NULL || w->observer.event != NULL;
}

/* Whether models schedule their own (background) failures: copies,
 * instances, databases, corruption, zone and region outages.  True in
 * Monte Carlo runs; an experiment may turn them off so that only the
 * faults it injects happen. */
static inline bool world_background_failures(const trial_world *w)
{
    return w->background_failures;
}

/* The demand now, in requests per second: D(t) of the scenario's profile,
 * held piecewise constant (it changes, followed by world_dr_update(), each
 * time D moves 1% from the value held; a constant demand never changes).
 * What the models size and serve against.  The observer's request counts
 * (trial_result.requests_total, requests_failed) integrate D exactly. */
static inline double world_demand_rps(const trial_world *w)
{
    return w->demand_rps;
}

/* The requests failed so far in this trial, ∫ D (1 − f) dt from 0 to
 * now (exact; what trial_result.requests_failed will include). */
double world_requests_failed(const trial_world *w);

/* Scheduling priority of the end-of-instant checks: after everything else. */
#define PRIORITY_LAST DES_PRIORITY_MAX

#endif
