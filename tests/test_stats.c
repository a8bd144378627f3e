/*
 * test_stats — estimators and their intervals.
 *
 * Small data sets with answers worked by hand, edge cases, and coverage
 * properties: over many replications a 95% interval must cover the truth
 * about 95% of the time.  The stochastic tests print their seed on failure;
 * run `test_stats -s SEED` to replay one.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "stats.h"

static unsigned long test_seed = 20240917UL;

/* cmocka 1.1.5's assert_float_equal works in float; this one in double. */
#define assert_near(actual, expected, tolerance) \
    assert_near_at((actual), (expected), (tolerance), #actual, __FILE__, __LINE__)

static void assert_near_at(double actual, double expected, double tolerance,
                           const char *what, const char *file, int line)
{
    if (!(fabs(actual - expected) <= tolerance)) {
        fprintf(stderr, "%s:%d: %s = %.17g, expected %.17g within %g\n", file, line, what,
                actual, expected, tolerance);
        fail();
    }
}

static void test_t_critical_matches_tables(void **state)
{
    (void)state;
    assert_near(stats_t_critical(0.95, 1), 12.706204736, 1e-6);
    assert_near(stats_t_critical(0.95, 4), 2.776445105, 1e-8);
    assert_near(stats_t_critical(0.95, 29), 2.045229642, 1e-8);
    assert_near(stats_t_critical(0.99, 10), 3.169272673, 1e-8);
    assert_near(stats_t_critical(0.95, 1000000), 1.959963985, 1e-5);
}

static void test_t_critical_without_degrees_of_freedom_is_nan(void **state)
{
    (void)state;
    assert_true(isnan(stats_t_critical(0.95, 0)));
    assert_true(isnan(stats_t_critical(1.0, 5)));
    assert_true(isnan(stats_t_critical(0.0, 5)));
    assert_true(isnan(stats_t_critical(NAN, 5)));
}

/* 1..5: mean 3, s = sqrt(2.5), half width = t(0.975, 4) * s / sqrt(5). */
static void test_mean_ci_of_one_to_five(void **state)
{
    (void)state;
    const double x[] = {4, 1, 5, 2, 3};
    stats_estimate e;
    stats_mean_ci(x, 5, 0.95, &e);
    double half = 2.776445105 * sqrt(2.5) / sqrt(5.0);
    assert_int_equal(e.n, 5);
    assert_near(e.mean, 3.0, 1e-15);
    assert_near(e.ci_low, 3.0 - half, 1e-8);
    assert_near(e.ci_high, 3.0 + half, 1e-8);
    assert_near(e.ci_low, 1.0367568, 1e-7);
    assert_true(isnan(e.p50) && isnan(e.p95) && isnan(e.p99));
    /* the data is borrowed, not sorted */
    assert_true(x[0] == 4 && x[1] == 1);
}

/* 2,4,4,4,5,5,7,9: mean 5, Σ(x − 5)² = 32, s² = 32/7. */
static void test_mean_ci_of_textbook_sample(void **state)
{
    (void)state;
    const double x[] = {2, 4, 4, 4, 5, 5, 7, 9};
    stats_estimate e;
    stats_mean_ci(x, 8, 0.95, &e);
    double half = 2.364624252 * sqrt(32.0 / 7.0) / sqrt(8.0);
    assert_near(e.mean, 5.0, 1e-15);
    assert_near(e.ci_high - e.mean, half, 1e-8);
    assert_near(e.mean - e.ci_low, half, 1e-8);
}

static void test_mean_ci_of_nothing_is_nan(void **state)
{
    (void)state;
    stats_estimate e;
    stats_mean_ci(NULL, 0, 0.95, &e);
    assert_int_equal(e.n, 0);
    assert_true(isnan(e.mean));
    assert_true(isnan(e.ci_low) && isnan(e.ci_high));
}

static void test_mean_ci_of_one_value_has_a_mean_but_no_interval(void **state)
{
    (void)state;
    const double x[] = {42.5};
    stats_estimate e;
    stats_mean_ci(x, 1, 0.95, &e);
    assert_int_equal(e.n, 1);
    assert_true(e.mean == 42.5);
    assert_true(isnan(e.ci_low) && isnan(e.ci_high));
}

static void test_mean_ci_of_equal_values_has_zero_width(void **state)
{
    (void)state;
    double x[100];
    for (int i = 0; i < 100; i++)
        x[i] = 0.1;
    stats_estimate e;
    stats_mean_ci(x, 100, 0.95, &e);
    assert_true(e.mean == 0.1);
    assert_true(e.ci_low == 0.1);
    assert_true(e.ci_high == 0.1);
}

/* num = 1,2,3, den = 1,1,2: R = 6/4; residuals −0.5, 0.5, 0;
 * Var = 0.5 / (3·2·(4/3)²) = 0.046875. */
static void test_ratio_ci_worked_by_hand(void **state)
{
    (void)state;
    const double num[] = {1, 2, 3};
    const double den[] = {1, 1, 2};
    stats_estimate e;
    stats_ratio_ci(num, den, 3, 0.95, &e);
    double half = 4.302652730 * sqrt(0.046875);
    assert_int_equal(e.n, 3);
    assert_true(e.mean == 1.5);
    assert_near(e.ci_low, 1.5 - half, 1e-8);
    assert_near(e.ci_high, 1.5 + half, 1e-8);
    assert_true(isnan(e.p50));
}

static void test_ratio_ci_with_zero_denominator_is_nan(void **state)
{
    (void)state;
    const double num[] = {1, 2};
    const double den[] = {0, 0};
    stats_estimate e;
    stats_ratio_ci(num, den, 2, 0.95, &e);
    assert_int_equal(e.n, 2);
    assert_true(isnan(e.mean) && isnan(e.ci_low) && isnan(e.ci_high));
}

static void test_ratio_ci_edge_counts(void **state)
{
    (void)state;
    stats_estimate e;
    stats_ratio_ci(NULL, NULL, 0, 0.95, &e);
    assert_int_equal(e.n, 0);
    assert_true(isnan(e.mean) && isnan(e.ci_low));

    const double num[] = {3};
    const double den[] = {2};
    stats_ratio_ci(num, den, 1, 0.95, &e);
    assert_int_equal(e.n, 1);
    assert_true(e.mean == 1.5);
    assert_true(isnan(e.ci_low) && isnan(e.ci_high));
}

static void test_ratio_ci_of_proportional_trials_has_zero_width(void **state)
{
    (void)state;
    const double num[] = {0.5, 1.0, 2.5, 4.0};
    const double den[] = {1.0, 2.0, 5.0, 8.0};
    stats_estimate e;
    stats_ratio_ci(num, den, 4, 0.95, &e);
    assert_true(e.mean == 0.5);
    assert_true(e.ci_low == 0.5 && e.ci_high == 0.5);
}

/* Type 7 (linear interpolation): h = (n − 1)p. For 1..10:
 * p50 → 5.5, p95 → x[8] + 0.55 = 9.55, p99 → 9.91. */
static void test_percentiles_interpolate_linearly(void **state)
{
    (void)state;
    double x[] = {7, 3, 10, 1, 9, 2, 8, 5, 4, 6};
    double p50, p95, p99;
    stats_percentiles(x, 10, &p50, &p95, &p99);
    assert_near(p50, 5.5, 1e-12);
    assert_near(p95, 9.55, 1e-12);
    assert_near(p99, 9.91, 1e-12);
    for (int i = 0; i < 10; i++) /* sorted in place, as documented */
        assert_true(x[i] == i + 1);
}

static void test_percentiles_of_one_and_of_none(void **state)
{
    (void)state;
    double one[] = {3.25};
    double p50, p95, p99;
    stats_percentiles(one, 1, &p50, &p95, &p99);
    assert_true(p50 == 3.25 && p95 == 3.25 && p99 == 3.25);
    stats_percentiles(NULL, 0, &p50, &p95, &p99);
    assert_true(isnan(p50) && isnan(p95) && isnan(p99));
}

static gsl_rng *seeded_rng(unsigned long seed)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    assert_non_null(rng);
    gsl_rng_set(rng, seed);
    return rng;
}

static void check_coverage(const char *what, int covered, int replications, unsigned long seed)
{
    double rate = (double)covered / replications;
    if (rate < 0.93 || rate > 0.97) {
        fprintf(stderr, "%s: 95%% interval covered the truth in %.1f%% of %d replications "
                        "(seed %lu; replay with -s %lu)\n",
                what, 100.0 * rate, replications, seed, seed);
        fail();
    }
}

/* n = 30 normal samples, true mean 10: the t interval covers 10 in about
 * 95% of replications (binomial sd 0.5%, so 93..97% is four sd wide). */
static void test_mean_ci_covers_the_true_mean_95_percent_of_the_time(void **state)
{
    (void)state;
    enum { REPLICATIONS = 2000, N = 30 };
    const double true_mean = 10.0;
    gsl_rng *rng = seeded_rng(test_seed);
    int covered = 0;
    double x[N];
    for (int r = 0; r < REPLICATIONS; r++) {
        for (int i = 0; i < N; i++)
            x[i] = true_mean + gsl_ran_gaussian(rng, 3.0);
        stats_estimate e;
        stats_mean_ci(x, N, 0.95, &e);
        if (e.ci_low <= true_mean && true_mean <= e.ci_high)
            covered++;
    }
    gsl_rng_free(rng);
    check_coverage("mean", covered, REPLICATIONS, test_seed);
}

/* The MTTR estimator: per trial, a Poisson(5) number of incidents, each
 * lasting exp(mean = 2 h); R = Σ durations / Σ incidents estimates 2 h.
 * The delta method is asymptotic: at 30 trials it covers about 94.2% (over
 * 30 seeds), at 100 trials about 94.8%, so 100 keeps the 93..97% band
 * honest rather than marginal. */
static void test_ratio_ci_covers_the_true_ratio_95_percent_of_the_time(void **state)
{
    (void)state;
    enum { REPLICATIONS = 2000, N = 100 };
    const double true_ratio = 2.0;
    gsl_rng *rng = seeded_rng(test_seed + 1);
    int covered = 0;
    double num[N], den[N];
    for (int r = 0; r < REPLICATIONS; r++) {
        for (int i = 0; i < N; i++) {
            unsigned incidents = gsl_ran_poisson(rng, 5.0);
            double total = 0.0;
            for (unsigned k = 0; k < incidents; k++)
                total += gsl_ran_exponential(rng, true_ratio);
            num[i] = total;
            den[i] = incidents;
        }
        stats_estimate e;
        stats_ratio_ci(num, den, N, 0.95, &e);
        if (e.ci_low <= true_ratio && true_ratio <= e.ci_high)
            covered++;
    }
    gsl_rng_free(rng);
    check_coverage("ratio", covered, REPLICATIONS, test_seed + 1);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-s") == 0 && i + 1 < argc)
            test_seed = strtoul(argv[++i], NULL, 10);
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_t_critical_matches_tables),
        cmocka_unit_test(test_t_critical_without_degrees_of_freedom_is_nan),
        cmocka_unit_test(test_mean_ci_of_one_to_five),
        cmocka_unit_test(test_mean_ci_of_textbook_sample),
        cmocka_unit_test(test_mean_ci_of_nothing_is_nan),
        cmocka_unit_test(test_mean_ci_of_one_value_has_a_mean_but_no_interval),
        cmocka_unit_test(test_mean_ci_of_equal_values_has_zero_width),
        cmocka_unit_test(test_ratio_ci_worked_by_hand),
        cmocka_unit_test(test_ratio_ci_with_zero_denominator_is_nan),
        cmocka_unit_test(test_ratio_ci_edge_counts),
        cmocka_unit_test(test_ratio_ci_of_proportional_trials_has_zero_width),
        cmocka_unit_test(test_percentiles_interpolate_linearly),
        cmocka_unit_test(test_percentiles_of_one_and_of_none),
        cmocka_unit_test(test_mean_ci_covers_the_true_mean_95_percent_of_the_time),
        cmocka_unit_test(test_ratio_ci_covers_the_true_ratio_95_percent_of_the_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
