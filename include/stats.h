/*
 * stats — estimates across trials, each with an honest interval.
 *
 * Every estimate is computed from per-trial values, so its interval reflects
 * the variation between trials (SPEC §3): a mean gets a Student-t interval,
 * a ratio of sums (availability over unequal horizons, MTTR = total incident
 * time / number of incidents) gets a delta-method interval with the trial as
 * the cluster.  Percentiles use GSL's gsl_stats_quantile_from_sorted_data
 * (linear interpolation, "type 7").
 *
 * Every estimate says how many observations it rests on (`n`), so a rare
 * metric can be read for what it is.  A value that cannot be estimated is
 * NAN (for instance an interval from fewer than two trials).
 *
 * Inputs must not hold NaN: callers leave such trials out.  The ratio
 * interval under-covers slightly with few trials (94.2% at n = 30, 94.8% at
 * n = 100, measured in tests/test_stats.c).
 *
 * Pure functions: no I/O; x arrays are borrowed, and sorted in place only by
 * the functions that say so.
 */
#ifndef DRSIM_STATS_H
#define DRSIM_STATS_H

#include <stddef.h>

typedef struct stats_estimate {
    double mean;
    double ci_low, ci_high; /* NAN when n < 2 */
    double p50, p95, p99;   /* NAN when there are no values to rank */
    size_t n;               /* observations (trials, or incidents for a ratio) */
} stats_estimate;

/* Mean of x[0..n) with a `confidence` (e.g. 0.95) Student-t interval; when
 * all values are equal the interval is [mean, mean].  Percentiles are left
 * NAN; fill them with stats_percentiles(). */
void stats_mean_ci(const double *x, size_t n, double confidence, stats_estimate *out);

/* Ratio estimator R = Σnum / Σden over n trials, with a delta-method
 * interval: Var(R) ≈ Σ(num_i − R·den_i)² / (n(n−1)·mean(den)²).
 * out->n is n (the trials); mean is NAN when Σden = 0. */
void stats_ratio_ci(const double *num, const double *den, size_t n, double confidence,
                    stats_estimate *out);

/* Sorts x[0..n) in place and sets *p50, *p95, *p99 (NAN when n == 0). */
void stats_percentiles(double *x, size_t n, double *p50, double *p95, double *p99);

/* Two-sided Student-t critical value for `confidence` with dof degrees of
 * freedom (gsl_cdf_tdist_Pinv). */
double stats_t_critical(double confidence, size_t dof);

#endif
