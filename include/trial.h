/*
 * trial — one Monte Carlo trial: the scenario's world from t = 0 to the
 * horizon, and what an observer records of it.
 *
 * At t = 0 everything is up.  Copies fail and are repaired (models/
 * component.c), zones and regions have outages (models/domain.c), and the
 * service expression (models/service.c) says, after every state change,
 * whether the service is up.  The trial records:
 *   - up and down time of the service, and downtime per period of one year
 *     (for SLA attainment);
 *   - incidents: maximal intervals with the service down, each with the
 *     component copy, zone or region whose failure began it.  An incident
 *     still open at the horizon ends there and is marked censored.
 *   - the served fraction f(t) of demand: 0 or 1 from the service
 *     expression alone; with the DR models, DNS shares × what each region
 *     serves × whether its data is usable.  The service is up (by time)
 *     while f >= the scenario's up threshold; ∫ f dt is its availability
 *     by requests while the demand D is constant.  With a demand that
 *     varies, requests count by ∫ D dt (requests_total) and ∫ D (1 − f) dt
 *     (requests_failed): f is constant between events, so each piece is
 *     (1 − f) times demand_integral over it, exact.
 *   - disasters: zone and region outages and data corruption, each with its
 *     RTO (until f is back to 1) and RPO (data lost, set by the models).
 *
 * Determinism: a trial's record depends only on (scenario, seed, trial
 * index): every random draw comes from a stream keyed by the drawing
 * thing's name (rng.h), and the kernel breaks ties by (priority, sequence).
 *
 * Ownership: a trial_world is one worker's reusable state (a des_sim, the
 * random streams, the state arrays); create one per thread.  trial_run()
 * appends to the caller's incident_list.
 */
#ifndef DRSIM_TRIAL_H
#define DRSIM_TRIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "scenario.h"

typedef enum cause_kind {
    CAUSE_NONE,        /* nothing failed: only a change of routing (never expected) */
    CAUSE_COMPONENT,   /* a component copy: index = group, copy = copy */
    CAUSE_ZONE,        /* index = domain */
    CAUSE_REGION,      /* index = domain */
    CAUSE_INSTANCE,    /* an Auto Scaling group's instance: index = group, copy = slot */
    CAUSE_DATABASE     /* index = database (an instance failure or a corruption) */
} cause_kind;

typedef struct incident {
    double start_s, end_s;
    cause_kind cause_kind;
    int cause_index;     /* group, domain or database (see cause_kind) */
    int cause_copy;      /* copy or instance slot within its group */
    bool censored;       /* still open at the horizon */
} incident;

typedef struct incident_list {
    incident *items;
    size_t count, capacity;
} incident_list;

/* A disaster: a zone or region outage, or logical data corruption.  Each
 * yields one RTO (start to full service restored) and one RPO (data lost). */
typedef enum disaster_kind { DISASTER_ZONE, DISASTER_REGION, DISASTER_CORRUPTION } disaster_kind;

typedef struct disaster {
    disaster_kind kind;
    int domain;          /* the zone or region; for corruption, the database */
    double start_s;
    double armed_s;      /* restoration counts from here: the start, or for
                            corruption the moment it is detected */
    double restored_s;   /* full service (served fraction 1) again; the horizon if censored */
    double data_loss_s;  /* RPO: the span of writes lost */
    bool hit_active;     /* it struck where the service was running at its start */
    bool censored;       /* not restored by the horizon */
} disaster;

typedef struct disaster_list {
    disaster *items;
    size_t count, capacity;
} disaster_list;

typedef struct trial_result {
    double uptime_s, downtime_s;
    uint64_t incidents;
    uint64_t component_failures;   /* copy failures */
    uint64_t domain_outages;       /* zone and region outages */
    uint64_t periods;              /* year-long periods in the horizon */
    uint64_t periods_meeting_target; /* with availability >= the scenario's target */
    uint64_t events;               /* kernel events fired */
    double served_s;               /* ∫ served fraction dt: request-weighted uptime */
    double requests_total;         /* ∫ D dt over the horizon: requests received */
    double requests_failed;        /* ∫ D (1 − f) dt: requests not served (refused,
                                    * lost to dead targets, or above capacity) */
    double service_credit;         /* mean credit per billing month (with an SLA) */
} trial_result;

typedef struct trial_world trial_world;

/* What kind of thing an event of the narration is (timeline.csv's `kind`). */
typedef enum world_event_kind {
    EVENT_NOTE,        /* narration about nothing in particular */
    EVENT_FAIL,        /* a copy, instance, zone, region or database fails */
    EVENT_DETECT,      /* a health check, status check or rule notices a failure */
    EVENT_REPAIR,      /* work toward recovery begins: a crew, a launch, a restore */
    EVENT_FAILOVER,    /* traffic or a writer moves: promotion, DNS, runbook steps */
    EVENT_RECOVER,     /* something is back: repaired, running, writable, healthy */
    EVENT_SERVICE,     /* the served fraction changes; a disaster's RTO ends */
    EVENT_DATA,        /* data is lost (RPO) */
    EVENT_INJECT,      /* an experiment injects a fault */
    EVENT_ROLLBACK,    /* an experiment ends or undoes one */
    EVENT_ALARM,       /* a stop-condition alarm changes state */
    EVENT_PROBE,       /* a steady-state probe is checked */
    EVENT_EXPERIMENT,  /* the experiment starts, stops or ends */
    EVENT_SCALE,       /* a scaling policy changes a group's desired capacity */
    EVENT_KIND_COUNT
} world_event_kind;

/* "note", "fail", "detect", ... */
const char *world_event_kind_name(world_event_kind kind);

/* Receives every event and every change of the served fraction of a trial
 * (sim/experiment.c records its timeline and metrics this way). */
typedef struct world_observer {
    void *ctx;
    void (*event)(void *ctx, double t_s, world_event_kind kind, const char *target,
                  const char *detail);
    void (*served)(void *ctx, double t_s, double served_fraction);
} world_observer;

/* NULL when out of memory. */
trial_world *trial_world_create(const scenario *sc);
void trial_world_destroy(trial_world *world);

/* Runs trial `trial_index` to horizon_s.  0 on success, -1 when out of memory
 * (then *result and the appended incidents must not be used). */
int trial_run(trial_world *world, uint64_t seed, uint64_t trial_index, double horizon_s,
              trial_result *result, incident_list *incidents, disaster_list *disasters);

/* Narrate the next trial_run()s on `out` (NULL: silent, the default):
 * every failure, detection, failover step and recovery, one line each,
 * stamped with the calendar time (t = 0 is 2026-01-01 00:00:00 UTC, the
 * epoch cron schedules use).  For teaching and for `drsim run --trace K`. */
void trial_set_trace(trial_world *world, FILE *out);

/* Narrate with the time elapsed since origin_s ("00:01:30") instead of
 * the calendar date: experiments count from their start. */
void trial_set_trace_elapsed(trial_world *world, double origin_s);

/* Send the next trial_run()s' events to `observer` (NULL: none). */
void trial_set_observer(trial_world *world, const world_observer *observer);

/* false: models schedule no failures of their own (world.h). */
void trial_set_background_failures(trial_world *world, bool enabled);

/* Called once per trial_run(), after every model has started and before
 * the kernel runs: the place to schedule an experiment's own events. */
void trial_set_setup(trial_world *world, void (*setup)(trial_world *w, void *ctx), void *ctx);

void incident_list_free(incident_list *list);
void disaster_list_free(disaster_list *list);

/* Gives back the capacity a list grew into but does not use (lists grow by
 * doubling), for lists kept after their trial: a run of 10^6 trials keeps
 * 10^6 of each.  Best effort: when realloc fails the list stays as it was. */
void incident_list_fit(incident_list *list);
void disaster_list_fit(disaster_list *list);
const char *disaster_kind_name(disaster_kind kind); /* "zone", "region", "corruption" */

/* "web[2]", "east-a" — the name of an incident's cause, into buf. */
char *incident_cause_name(const scenario *sc, const incident *inc, char *buf, size_t buf_size);
const char *cause_kind_name(cause_kind kind); /* "component", "zone", "region" */

#endif
