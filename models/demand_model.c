/*
 * demand_model — the scenario's demand profile (include/demand.h) as the
 * trial sees it: the requests per second the web tier serves and sizes
 * against, at the current simulated time.
 *
 * Scenario: the top-level `demand` key, parsed by demand_parse():
 *   demand: 1200                                     constant
 *   demand: {requests_per_second: 1200}              the same
 *   demand: {pattern: daily, peak: 3000, peak_to_trough: 4, peak_hour: 14}
 *   demand: {pattern: weekly, ..., weekend_factor: 0.6}
 *   demand: {trace: traces/black-friday.csv, repeat: false, growth: 5%}
 * No key: a constant 0 (a region with any live target serves fully).
 *
 * State: w->demand_rps, the value held now (world_demand_rps()).
 *
 * Events: at t = 0 the value held is D(0).  Each time D leaves the band of
 * DEMAND_STEP_TOLERANCE (1%) around the value held (demand_next_change),
 * one event holds D at that instant and calls world_dr_update(), so the
 * load balancers split the new demand and the Auto Scaling groups' metrics
 * see it.  A constant demand (or a pattern whose whole swing fits in the
 * band) schedules nothing, so a scenario with constant demand has exactly
 * the events it had before demand could vary.  Only scenarios with the DR
 * layer schedule changes: nothing else reads the demand during a trial.
 *
 * Priority: PRIORITY_RECOVERY, so at one instant the demand changes before
 * failures and before the groups' scaling evaluations look at it.
 *
 * The observer (sim/trial.c) does not use the value held: it counts
 * requests with the exact integral of D between events.
 *
 * Also sets sc->dr.demand_rps to the peak of D over [0, horizon] (the
 * constant itself for a constant), for planners that size to the peak.
 */
#include <math.h>

#include "model.h"
#include "world.h"

int demand_model_parse(scenario *sc, yctx *c, const ynode *node, const ypath *path)
{
    demand_profile parsed;
    if (!demand_parse(c, node, path, &parsed))
        return -1;
    demand_free(&sc->dr.demand);
    sc->dr.demand = parsed;
    sc->dr.demand_rps = demand_peak(&sc->dr.demand, 0.0, sc->horizon_s);
    return 0;
}

static void on_change(des_sim *sim, void *subject, void *object);

static void schedule_change(trial_world *w, double now_s)
{
    double next_s = demand_next_change(&w->sc->dr.demand, now_s, DEMAND_STEP_TOLERANCE);
    if (next_s < w->horizon_s) /* INFINITY: never; NaN cannot happen (tolerance > 0) */
        des_schedule(w->sim, next_s, PRIORITY_RECOVERY, on_change, w, NULL);
}

static void on_change(des_sim *sim, void *subject, void *object)
{
    (void)object;
    trial_world *w = subject;
    double now_s = des_now(sim);
    w->demand_rps = demand_at(&w->sc->dr.demand, now_s);
    schedule_change(w, now_s);
    world_dr_update(w);
}

void demand_model_start(trial_world *w)
{
    w->demand_rps = demand_at(&w->sc->dr.demand, 0.0);
    if (w->dr_active)
        schedule_change(w, 0.0);
}
