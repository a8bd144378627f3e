/*
 * plan — the capacity planner (`drsim plan`, issue 5; docs/capacity.md is
 * the user's account): the cheapest configuration that meets the targets.
 *
 * The search space.  A plan file is a scenario in which some values are
 * left open:
 *   min_size: {from: 2, to: 12}              integers from..to (step 1, or `step`)
 *   instance_type: {one_of: [m6g.large, m6g.xlarge]}
 *   zones: {one_of: [[us-east-1a, us-east-1b], [us-east-1a, us-east-1b, us-east-1c]]}
 *   extends: {one_of: [../backup-restore.yaml, ../pilot-light.yaml, ...]}
 * Any value may be open; an open `extends` chooses the strategy (only the
 * plan file's own).  A candidate is one choice for every open value; the
 * space is their product, at most PLAN_MAX_CANDIDATES.
 *
 * The rule.  Candidates are priced first (cost.c, with autoscaled groups at
 * their expected size) and evaluated cheapest first with `drsim check`'s
 * sequential rule (check.h) at the same seed for all, so candidates meet the
 * same failures (common random numbers).  A candidate meets the targets when
 * every target passes; the first that does is the winner, and the search
 * goes on until PLAN_RUNNERS_UP more have passed (or the space ends).
 * Candidates dearer than the last of those are not evaluated: they cannot
 * win.  Every evaluated candidate that fails says why (the target, its
 * measured value and interval, "not shown" when undecided).  --max-cost
 * rejects dearer candidates before any simulation.
 *
 * Zone-loss headroom (static stability): for the winner's groups, whether
 * losing the zone with the most instances at peak demand leaves capacity
 * for the demand without waiting for launches, and the instances per zone
 * that takes: z·⌈D / (c·(z−1))⌉ over z zones (plan_headroom_per_zone).
 *
 * Determinism: for a plan file, targets and seed, the search and all its
 * figures are the same on every run and every thread count.
 */
#ifndef DRSIM_PLAN_H
#define DRSIM_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "check.h"
#include "diag.h"
#include "scenario.h"

#define PLAN_MAX_CANDIDATES 100000
#define PLAN_MAX_DIMENSIONS 16
#define PLAN_RUNNERS_UP 3
/* Trials behind each evaluated candidate's RTO and RPO p95 (descriptive). */
#define PLAN_P95_TRIALS 200

/* Instances per zone so that losing any one of z zones leaves capacity for
 * demand_rps at capacity_rps per instance: ⌈D / (c (z − 1))⌉; 0 when D is
 * 0, -1 when z < 2 (one zone cannot be lost). */
int plan_headroom_per_zone(double demand_rps, double capacity_rps, int zones);

typedef struct plan_dimension {
    char *path;              /* "auto_scaling_groups[web-east].min_size" */
    char *label;             /* a CSV column name: "web-east.min_size" */
    size_t n_values;
    char **values;           /* each value as text ("4", "m6g.large", "[a, b]") */
} plan_dimension;

typedef struct plan_space {
    char *file;
    size_t n_bases;          /* choices of an open extends (1 when it is not open) */
    char **bases;            /* their paths as written (NULL when not open) */
    plan_dimension dims[PLAN_MAX_DIMENSIONS];
    size_t n_dims;
    size_t n_candidates;
} plan_space;

/* Finds the open values of `path`.  0 on success; -1 with the problems in
 * diag (an empty range or list, a range that is not of whole numbers, too
 * many candidates, no open value at all). */
int plan_space_load(plan_space *space, const char *path, diag_list *diag);
void plan_space_free(plan_space *space);

/* The candidate's choices: base and value index per dimension. */
void plan_candidate_choice(const plan_space *space, size_t candidate, size_t *base,
                           size_t *value_index);

/* Loads candidate `candidate` as a scenario.  0 on success, -1 with its
 * problems in diag (a combination the scenario rules refuse, a price the
 * price list lacks). */
int plan_candidate_load(const plan_space *space, size_t candidate, scenario *sc, diag_list *diag);

typedef enum plan_outcome {
    PLAN_NOT_EVALUATED,      /* dearer than the winner and its runners-up */
    PLAN_OVER_BUDGET,        /* dearer than --max-cost */
    PLAN_MEETS,
    PLAN_FAILS
} plan_outcome;

typedef struct plan_candidate {
    size_t index;
    double cost_per_year_usd;
    plan_outcome outcome;
    check_report report;     /* when evaluated */
    double availability;     /* mean, when evaluated */
    double rto_p95_s, rpo_p95_s; /* NAN when no disaster was seen */
    char reason[512];        /* why it fails, or "" */
} plan_candidate;

typedef struct plan_config {
    scenario_targets targets;
    double max_cost_usd;     /* INFINITY: no limit */
    check_config check;      /* confidence, max_trials, seed, threads (horizon: the scenario's) */
} plan_config;

typedef struct plan_headroom {
    char group[64];
    int zones;
    int instances_at_peak;   /* the group's size at peak demand */
    int worst_zone;          /* instances in the fullest zone */
    double capacity_rps;     /* per instance */
    double peak_demand_rps;
    bool static_stable;      /* (instances − fullest zone) × capacity >= peak demand */
    int per_zone_needed;     /* plan_headroom_per_zone */
} plan_headroom;

typedef struct plan_result {
    plan_candidate *candidates;  /* [n], in cost order */
    size_t n;
    size_t evaluated;
    long winner;                 /* index into candidates, -1 when none meets */
    plan_headroom headroom[8];
    size_t n_headroom;
    double wall_s;
} plan_result;

/* Prices every candidate and evaluates them cheapest first.  0 on success
 * (whether or not a winner exists); -1 with every problem in diag or a
 * message in err (bad input: exit 2). */
int plan_run(const plan_space *space, const plan_config *cfg, plan_result *result, diag_list *diag,
             char *err, size_t err_size);
void plan_result_free(plan_result *result);

void plan_print(FILE *out, const plan_space *space, const plan_config *cfg, const plan_result *r);
int plan_write_csv(const plan_space *space, const plan_result *r, const char *path, char *err,
                   size_t err_size);
/* DIR/pareto.png: cost against availability of the evaluated candidates,
 * the Pareto front labelled. */
int plan_plot(const plan_space *space, const plan_result *r, const char *dir, char *err,
              size_t err_size);

#endif
