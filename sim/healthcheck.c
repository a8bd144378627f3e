/*
 * healthcheck — detection instants from the probe schedule's phase (see
 * include/healthcheck.h).
 *
 * Probe k starts at the double phase_s + k·interval_s, computed exactly so
 * (no accumulation), k = 0, 1, ...  Everything here works with the index k
 * of the first probe at or after an instant and turns indices back into
 * times the same way, so an instant a caller got from this module (or
 * computed as phase_s + k * interval_s) is itself a probe start: a probe
 * exactly at the failure instant is found, and counts as failed.  k comes
 * from ceil() and is then corrected by one step either way, because
 * (t - phase) / interval can round across an integer.
 *
 * Preconditions are asserts (a loader validates user input): interval > 0,
 * 0 <= timeout < interval, thresholds >= 1, 0 <= phase <= interval (phase
 * == interval is tolerated: u·interval with u just below 1 can round up to
 * it), and times are not NaN.  An instant before phase_s gives probe 0;
 * +INFINITY gives INFINITY.
 */
#include "healthcheck.h"

#include <assert.h>
#include <math.h>
#include <stddef.h>

static void check(const healthcheck *hc, double phase_s)
{
    assert(hc != NULL);
    assert(hc->interval_s > 0.0 && isfinite(hc->interval_s));
    assert(hc->timeout_s >= 0.0 && hc->timeout_s < hc->interval_s);
    assert(hc->healthy_threshold >= 1 && hc->unhealthy_threshold >= 1);
    assert(phase_s >= 0.0 && phase_s <= hc->interval_s);
    (void)hc;
    (void)phase_s;
}

static double probe_start(const healthcheck *hc, double phase_s, double k)
{
    return phase_s + k * hc->interval_s;
}

/* The index of the first probe that starts at or after t_s (t_s finite). */
static double first_probe_index(const healthcheck *hc, double phase_s, double t_s)
{
    double k = ceil((t_s - phase_s) / hc->interval_s);
    if (k < 0.0)
        return 0.0;
    while (probe_start(hc, phase_s, k) < t_s)
        k += 1.0;
    while (k > 0.0 && probe_start(hc, phase_s, k - 1.0) >= t_s)
        k -= 1.0;
    return k;
}

double healthcheck_next_probe(const healthcheck *hc, double phase_s, double t_s)
{
    check(hc, phase_s);
    assert(!isnan(t_s));
    if (t_s == INFINITY)
        return INFINITY;
    return probe_start(hc, phase_s, first_probe_index(hc, phase_s, t_s));
}

double healthcheck_unhealthy_at(const healthcheck *hc, double phase_s, double died_s)
{
    check(hc, phase_s);
    assert(!isnan(died_s));
    if (died_s == INFINITY)
        return INFINITY;
    double k = first_probe_index(hc, phase_s, died_s) + (hc->unhealthy_threshold - 1);
    return probe_start(hc, phase_s, k) + hc->timeout_s;
}

double healthcheck_healthy_at(const healthcheck *hc, double phase_s, double alive_s)
{
    check(hc, phase_s);
    assert(!isnan(alive_s));
    if (alive_s == INFINITY)
        return INFINITY;
    double k = first_probe_index(hc, phase_s, alive_s) + (hc->healthy_threshold - 1);
    return probe_start(hc, phase_s, k);
}
