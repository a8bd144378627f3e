/*
 * healthcheck — when a periodic health check notices a change, computed
 * from the check schedule's phase instead of simulated probe by probe
 * (DESIGN principle 1).
 *
 * A checker probes a target at times phase_s + k·interval_s (k = 0, 1, ...).
 * A probe that starts while the target is dead fails when its timeout runs
 * out (a dead target does not answer); a probe of a live target succeeds
 * at once.  The target is marked unhealthy when `unhealthy_threshold`
 * consecutive probes have failed, at the moment the last of them times
 * out; it is marked healthy again when `healthy_threshold` consecutive
 * probes have succeeded.  A probe that started before the change counts
 * for the old state (it is already in flight).
 *
 * So for a failure at a uniformly random moment the detection delay is
 * uniform on [(n−1)·interval, n·interval] plus the timeout — the result
 * tests/test_healthcheck.c checks.  Used by the load balancer's target
 * health checks (ALB: interval 5–300 s, default 30; timeout default 5;
 * thresholds 2–10) and by Route 53 health checks (interval 10 or 30 s,
 * failure threshold 1–10, default 3) — REFERENCES.md, "Detection".
 *
 * Pure functions.
 */
#ifndef DRSIM_HEALTHCHECK_H
#define DRSIM_HEALTHCHECK_H

typedef struct healthcheck {
    double interval_s;         /* > 0 */
    double timeout_s;          /* >= 0, < interval_s */
    int healthy_threshold;     /* >= 1 */
    int unhealthy_threshold;   /* >= 1 */
} healthcheck;

/* The first probe start at or after t_s on a schedule with this phase
 * (phase_s in [0, interval_s)). */
double healthcheck_next_probe(const healthcheck *hc, double phase_s, double t_s);

/* The instant a target that died at died_s is marked unhealthy. */
double healthcheck_unhealthy_at(const healthcheck *hc, double phase_s, double died_s);

/* The instant a target that came back at alive_s is marked healthy. */
double healthcheck_healthy_at(const healthcheck *hc, double phase_s, double alive_s);

#endif
