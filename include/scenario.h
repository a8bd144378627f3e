/*
 * scenario — a scenario file, loaded and checked (SPEC §2).
 *
 * The loader (sim/loader.c) reads the top-level keys and hands each part to
 * the model that owns it: failure domains (models/domain.c), component
 * groups (models/component.c), the service expression (models/service.c).
 * A scenario that loads is complete and consistent: every name resolves,
 * every distribution is valid, every count is within bounds, so the
 * simulation never meets bad input.
 *
 * Failure domains form a tree of at most two levels: regions hold zones.
 * A copy is *effectively up* iff it is up and its zone and that zone's region
 * are up (SPEC §3).
 *
 * Limits, so that hostile input gives an error instead of exhausting memory:
 * SCENARIO_MAX_COPIES copies in all, SCENARIO_MAX_TRIALS trials,
 * SCENARIO_MAX_HORIZON_S simulated time per trial.
 *
 * Ownership: scenario_free() releases everything a scenario holds.
 */
#ifndef DRSIM_SCENARIO_H
#define DRSIM_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alarm.h"
#include "diag.h"
#include "dist.h"
#include "dr.h"
#include "tags.h"

#define SCENARIO_SCHEMA_VERSION 1
#define SCENARIO_MAX_COPIES 100000
#define SCENARIO_MAX_TRIALS 100000000ULL
#define SCENARIO_MAX_HORIZON_S (10000.0 * 365.0 * 86400.0)
/* The smallest duration a scenario can write (1ms): below it, per-year
 * figures divide by a denormal number of years. */
#define SCENARIO_MIN_HORIZON_S 0.001
#define SCENARIO_MAX_SERVICE_DEPTH 64
#define SCENARIO_DEFAULT_HORIZON_S (365.0 * 86400.0)
#define SCENARIO_DEFAULT_TRIALS 1000
#define SCENARIO_DEFAULT_SEED 1
/* Up while serving at least 95% of requests: a 5% error rate is where
 * cloud SLAs begin to count a minute as unavailable. */
#define SCENARIO_DEFAULT_UP_THRESHOLD 0.95

typedef enum domain_kind { DOMAIN_REGION, DOMAIN_ZONE } domain_kind;

typedef struct domain {
    char *name;
    domain_kind kind;
    int parent;            /* a zone's region, -1 for a region or a zone with none */
    bool has_outage;       /* false: never fails */
    dist fail;             /* time from recovery to the next outage */
    dist repair;           /* outage duration */
    uint64_t name_hash;    /* rng_name_hash(name) */
    tag_set tags;
} domain;

typedef struct component_group {
    char *name;
    int count;             /* copies name[0] .. name[count-1] */
    int crews;             /* repair crews shared by the group, 1..count */
    dist fail;             /* time to failure, drawn afresh after every repair */
    dist repair;           /* time to repair, from when a crew starts */
    int *copy_domain;      /* [count]: each copy's zone, or -1 */
    uint64_t *copy_hash;   /* [count]: rng_name_hash("name[i]") */
    tag_set tags;          /* on every copy */
} component_group;

typedef enum service_kind {
    SERVICE_COPIES,        /* at least `at_least` copies of `group` up */
    SERVICE_GATE           /* at least `at_least` of `children` up */
} service_kind;

typedef struct service_node {
    service_kind kind;
    int at_least;
    int group;                       /* SERVICE_COPIES */
    struct service_node **children;  /* SERVICE_GATE */
    size_t n_children;
} service_node;

typedef struct scenario_targets {
    bool has_availability, has_rto, has_rpo;
    double availability;   /* fraction */
    double rto_s, rpo_s;
} scenario_targets;

typedef struct scenario {
    char *file;
    char *name;
    char *description;     /* NULL when absent */
    double horizon_s;
    uint64_t trials;
    uint64_t seed;
    scenario_targets targets;
    domain *domains;
    size_t n_domains;
    component_group *groups;
    size_t n_groups;
    service_node *service;
    size_t n_copies;       /* over all groups */
    double up_threshold;   /* up by time while the served fraction is >= this */
    bool has_dr;           /* DR models route traffic (availability by requests) */
    bool has_data;         /* data models say what a disaster loses (RPO) */
    dr_config dr;          /* the DR parts (dr.h) */
    const struct sla_tiers *sla; /* service_level.sla: credit tiers, or NULL */
    alarm_list alarms;     /* CloudWatch-like alarms: experiments' stop conditions */
} scenario;

/* Loads and checks path.  0 on success.  On failure returns -1, records
 * every problem found in diag and leaves *sc empty (safe to free). */
int scenario_load(scenario *sc, const char *path, diag_list *diag);

/* The same from memory (tests, fuzzing): `name` stands for the file. */
int scenario_load_string(scenario *sc, const char *name, const char *text, size_t length,
                         diag_list *diag);

/* The same from a document already loaded (and perhaps edited: the
 * planner fills in its open values); the document stays the caller's. */
struct ydoc;
int scenario_load_doc(scenario *sc, struct ydoc *doc, diag_list *diag);

void scenario_free(scenario *sc);

/* A run that would need more kernel events than this per trial is refused:
 * it would take hours, and is almost always a unit mistake (1ms for 1m). */
#define SCENARIO_MAX_EVENTS_PER_TRIAL 2e9

/* Expected kernel events per trial over horizon_s: two per failure and
 * repair cycle of every copy and every domain with outages. */
double scenario_expected_events(const scenario *sc, double horizon_s);

/* The name of data model `index` (a database), for corruption records. */
const char *scenario_data_name(const scenario *sc, int index);

/* Index of the group or domain with that name, or -1. */
int scenario_find_group(const scenario *sc, const char *name);
int scenario_find_domain(const scenario *sc, const char *name);

#endif
