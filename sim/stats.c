/*
 * stats — estimates across trials (see include/stats.h for the contract).
 *
 * All the arithmetic that GSL already does well (means, variances, sorting,
 * quantiles, the t distribution) is GSL's; what is here is the bookkeeping
 * around it: which interval goes with which estimator, and the edge cases
 * (no data, one observation, a zero denominator) that must come out as NAN
 * rather than as a number that looks meaningful.
 */
#include "stats.h"

#include <math.h>
#include <stdbool.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

static void estimate_reset(stats_estimate *out, size_t n)
{
    out->mean = NAN;
    out->ci_low = NAN;
    out->ci_high = NAN;
    out->p50 = NAN;
    out->p95 = NAN;
    out->p99 = NAN;
    out->n = n;
}

double stats_t_critical(double confidence, size_t dof)
{
    if (dof == 0 || !(confidence > 0.0 && confidence < 1.0))
        return NAN;
    /* Two-sided: the upper (1 + confidence) / 2 quantile. */
    return gsl_cdf_tdist_Pinv(0.5 + 0.5 * confidence, (double)dof);
}

static bool all_equal(const double *x, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (x[i] != x[0])
            return false;
    return true;
}

void stats_mean_ci(const double *x, size_t n, double confidence, stats_estimate *out)
{
    estimate_reset(out, n);
    if (n == 0)
        return;
    out->mean = gsl_stats_mean(x, 1, n);
    if (n < 2)
        return;
    if (all_equal(x, n)) {
        /* Exactly zero width, whatever rounding the variance would add. */
        out->mean = x[0];
        out->ci_low = x[0];
        out->ci_high = x[0];
        return;
    }
    double sd = gsl_stats_sd_m(x, 1, n, out->mean);
    double half = stats_t_critical(confidence, n - 1) * sd / sqrt((double)n);
    out->ci_low = out->mean - half;
    out->ci_high = out->mean + half;
}

void stats_ratio_ci(const double *num, const double *den, size_t n, double confidence,
                    stats_estimate *out)
{
    estimate_reset(out, n);
    if (n == 0)
        return;
    double sum_num = 0.0, sum_den = 0.0;
    for (size_t i = 0; i < n; i++) {
        sum_num += num[i];
        sum_den += den[i];
    }
    if (sum_den == 0.0)
        return;
    double ratio = sum_num / sum_den;
    out->mean = ratio;
    if (n < 2)
        return;

    /* Delta method with the trial as the cluster: the residuals
     * num_i − R·den_i have mean zero, and their spread drives Var(R). */
    double sum_sq = 0.0;
    for (size_t i = 0; i < n; i++) {
        double residual = num[i] - ratio * den[i];
        sum_sq += residual * residual;
    }
    double mean_den = sum_den / (double)n;
    double variance = sum_sq / ((double)n * (double)(n - 1) * mean_den * mean_den);
    double half = stats_t_critical(confidence, n - 1) * sqrt(variance);
    out->ci_low = ratio - half;
    out->ci_high = ratio + half;
}

void stats_percentiles(double *x, size_t n, double *p50, double *p95, double *p99)
{
    if (n == 0) {
        *p50 = NAN;
        *p95 = NAN;
        *p99 = NAN;
        return;
    }
    gsl_sort(x, 1, n);
    *p50 = gsl_stats_quantile_from_sorted_data(x, 1, n, 0.50);
    *p95 = gsl_stats_quantile_from_sorted_data(x, 1, n, 0.95);
    *p99 = gsl_stats_quantile_from_sorted_data(x, 1, n, 0.99);
}
