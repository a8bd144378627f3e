/* Tests for healthcheck.h: exact detection instants for the seed's ALB and
 * Route 53 settings, the floating-point edge (a probe exactly at the
 * failure instant), phase 0 and a phase just below the interval, and the
 * closed form for a failure at a uniformly random moment: the delay lies
 * in [(n-1)·interval, n·interval] + timeout, is uniform there, and has mean
 * (n - 1/2)·interval + timeout.
 *
 * Usage: test_healthcheck [-s SEED]   (SEED for the sampling test; default 20260101)
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "healthcheck.h"

static unsigned long test_seed = 20260101ul;

/* The seed's ALB target group: HealthCheckIntervalSeconds 30,
 * HealthCheckTimeoutSeconds 10, HealthyThresholdCount 3,
 * UnhealthyThresholdCount 3 (000_5e5c9c4d89c40a21.txt). */
static const healthcheck ALB = {30.0, 10.0, 3, 3};
/* The seed's Route 53 health checks: RequestInterval 30, FailureThreshold 3
 * (one threshold for both directions).  Timeout 4 s: Route 53 wants the
 * TCP connection within 4 s (REFERENCES.md, Detection). */
static const healthcheck ROUTE53 = {30.0, 4.0, 3, 3};
/* Route 53's fast checks: RequestInterval 10, FailureThreshold 1. */
static const healthcheck ROUTE53_FAST = {10.0, 4.0, 1, 1};

#define assert_time(expected, got)                                                      \
    do {                                                                                \
        double expected_ = (expected), got_ = (got);                                    \
        if (expected_ != got_) {                                                        \
            print_error("%s: expected %.17g, got %.17g\n", #got, expected_, got_);      \
            fail();                                                                     \
        }                                                                               \
    } while (0)

#define assert_near(expected, got, tolerance)                                           \
    do {                                                                                \
        double expected_ = (expected), got_ = (got), tolerance_ = (tolerance);          \
        if (!(fabs(expected_ - got_) <= tolerance_)) {                                  \
            print_error("%s: expected %.17g +/- %.3g, got %.17g "                       \
                        "[seed %lu; rerun with -s %lu]\n",                              \
                        #got, expected_, tolerance_, got_, test_seed, test_seed);       \
            fail();                                                                     \
        }                                                                               \
    } while (0)

static void test_seed_alb_marks_a_dead_target_after_three_timed_out_probes(void **state)
{
    (void)state;
    /* Probes at 7, 37, 67, 97, 127, ...  Died at 50: probes 67, 97, 127
     * fail; the third times out at 127 + 10. */
    assert_time(67.0, healthcheck_next_probe(&ALB, 7.0, 50.0));
    assert_time(137.0, healthcheck_unhealthy_at(&ALB, 7.0, 50.0));
    /* The probe at 37 was in flight at 50 and counts as a success. */
    assert_time(137.0, healthcheck_unhealthy_at(&ALB, 7.0, 37.5));
    assert_time(107.0, healthcheck_unhealthy_at(&ALB, 7.0, 37.0));
    /* Back at 200: probes 217, 247, 277 succeed at once. */
    assert_time(277.0, healthcheck_healthy_at(&ALB, 7.0, 200.0));
    assert_time(247.0, healthcheck_healthy_at(&ALB, 7.0, 187.0));
}

static void test_seed_route53_instants_for_chosen_phases(void **state)
{
    (void)state;
    /* Phase 0: probes at 0, 30, 60, ... */
    assert_time(60.0 + 4.0, healthcheck_unhealthy_at(&ROUTE53, 0.0, 0.0));
    assert_time(90.0 + 4.0, healthcheck_unhealthy_at(&ROUTE53, 0.0, 0.001));
    assert_time(3600.0 + 60.0 + 4.0, healthcheck_unhealthy_at(&ROUTE53, 0.0, 3590.0));
    assert_time(3660.0, healthcheck_healthy_at(&ROUTE53, 0.0, 3600.0));
    /* Phase 12.5: probes at 12.5, 42.5, ... */
    assert_time(12.5 + 60.0 + 4.0, healthcheck_unhealthy_at(&ROUTE53, 12.5, 1.0));
    assert_time(42.5 + 60.0 + 4.0, healthcheck_unhealthy_at(&ROUTE53, 12.5, 12.75));
    /* Fast checks, threshold 1: the first failed probe decides. */
    assert_time(10.0 + 4.0, healthcheck_unhealthy_at(&ROUTE53_FAST, 0.0, 5.0));
    assert_time(13.0 + 4.0, healthcheck_unhealthy_at(&ROUTE53_FAST, 3.0, 5.0));
    assert_time(13.0, healthcheck_healthy_at(&ROUTE53_FAST, 3.0, 5.0));
    assert_time(5.0 + 4.0, healthcheck_unhealthy_at(&ROUTE53_FAST, 5.0, 5.0));
}

static void test_threshold_one_is_the_next_probe_plus_the_timeout(void **state)
{
    (void)state;
    const healthcheck hc = {60.0, 5.0, 1, 1};
    for (double t = 0.0; t < 1000.0; t += 7.25) {
        double next = healthcheck_next_probe(&hc, 20.0, t);
        assert_time(next + 5.0, healthcheck_unhealthy_at(&hc, 20.0, t));
        assert_time(next, healthcheck_healthy_at(&hc, 20.0, t));
    }
}

static void test_a_probe_exactly_at_the_failure_instant_counts_as_failed(void **state)
{
    (void)state;
    /* Phases and intervals whose multiples are inexact in binary. */
    static const double PHASES[] = {0.0, 0.1, 1.0 / 3.0, 7.7, 29.9};
    static const double INTERVALS[] = {30.0, 10.0, 0.3};
    for (size_t i = 0; i < sizeof INTERVALS / sizeof INTERVALS[0]; i++) {
        healthcheck hc = {INTERVALS[i], INTERVALS[i] / 3.0, 2, 3};
        for (size_t j = 0; j < sizeof PHASES / sizeof PHASES[0]; j++) {
            double phase = fmod(PHASES[j], hc.interval_s);
            for (int k = 0; k < 100000; k += 37) {
                double probe = phase + k * hc.interval_s;
                double after = phase + (k + 1) * hc.interval_s;
                double third = phase + (k + 2) * hc.interval_s;
                bool ok = healthcheck_next_probe(&hc, phase, probe) == probe &&
                          healthcheck_next_probe(&hc, phase, nextafter(probe, 0.0)) == probe &&
                          healthcheck_next_probe(&hc, phase, nextafter(probe, INFINITY)) ==
                              after &&
                          healthcheck_unhealthy_at(&hc, phase, probe) ==
                              third + hc.timeout_s &&
                          healthcheck_healthy_at(&hc, phase, probe) == after;
                if (!ok) {
                    print_error("interval %g, phase %.17g, probe %d at %.17g\n",
                                hc.interval_s, phase, k, probe);
                    fail();
                }
            }
        }
    }
}

static void test_phase_zero_and_phase_just_below_the_interval(void **state)
{
    (void)state;
    double late = nextafter(ALB.interval_s, 0.0);   /* 30 - 3.6e-15 */
    assert_time(0.0, healthcheck_next_probe(&ALB, 0.0, 0.0));
    assert_time(30.0, healthcheck_next_probe(&ALB, 0.0, 1e-12));
    assert_time(late, healthcheck_next_probe(&ALB, late, 0.0));
    assert_time(late, healthcheck_next_probe(&ALB, late, 29.0));
    assert_time(late + 30.0, healthcheck_next_probe(&ALB, late, 30.0));
    assert_time(late + 60.0 + 10.0, healthcheck_unhealthy_at(&ALB, late, 0.0));
    assert_time(late + 90.0 + 10.0, healthcheck_unhealthy_at(&ALB, late, 30.0));
    assert_time(late + 60.0, healthcheck_healthy_at(&ALB, late, 1.0));
    /* Before the first probe the first probe is next. */
    assert_time(7.0, healthcheck_next_probe(&ALB, 7.0, -100.0));
    assert_time(7.0, healthcheck_next_probe(&ALB, 7.0, -INFINITY));
    assert_time(INFINITY, healthcheck_next_probe(&ALB, 7.0, INFINITY));
    assert_time(INFINITY, healthcheck_unhealthy_at(&ALB, 7.0, INFINITY));
    assert_time(INFINITY, healthcheck_healthy_at(&ALB, 7.0, INFINITY));
}

static void test_far_in_the_run_the_instants_stay_on_the_probe_grid(void **state)
{
    (void)state;
    /* 300 years in: about 3e8 probes. */
    double phase = 12.345;
    double died = 300.0 * 365.0 * 86400.0 + 1.0;
    double unhealthy = healthcheck_unhealthy_at(&ALB, phase, died);
    double last_probe = unhealthy - ALB.timeout_s;
    assert_true(last_probe - 2 * ALB.interval_s >= died);
    assert_true(last_probe - 3 * ALB.interval_s < died);
    double k = (last_probe - phase) / ALB.interval_s;
    assert_near(round(k), k, 1e-6);
}

/* For a failure at a uniformly random moment the delay is
 * (n - 1)·interval + timeout plus a uniform [0, interval) wait. */
static void test_detection_delay_is_uniform_over_one_interval_with_the_closed_form_mean(void **state)
{
    (void)state;
    static const healthcheck CASES[] = {
        {30.0, 10.0, 3, 3},   /* the seed's ALB */
        {30.0, 4.0, 3, 3},    /* Route 53 */
        {10.0, 4.0, 1, 1},    /* Route 53 fast, threshold 1 */
        {5.0, 2.0, 2, 10},    /* ALB limits */
    };
    enum { SAMPLES = 200000, BINS = 10 };
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, test_seed);
    for (size_t c = 0; c < sizeof CASES / sizeof CASES[0]; c++) {
        const healthcheck *hc = &CASES[c];
        int n = hc->unhealthy_threshold;
        double low = (n - 1) * hc->interval_s + hc->timeout_s;
        double high = n * hc->interval_s + hc->timeout_s;
        double sum = 0.0, sum_squares = 0.0;
        long counts[BINS] = {0};
        for (int i = 0; i < SAMPLES; i++) {
            double phase = gsl_rng_uniform(rng) * hc->interval_s;
            double died = gsl_rng_uniform(rng) * 1e7;   /* about 4 months */
            double delay = healthcheck_unhealthy_at(hc, phase, died) - died;
            if (!(delay >= low - 1e-9 && delay <= high + 1e-9)) {
                print_error("interval %g, n %d: died %.17g, phase %.17g, delay %.17g "
                            "outside [%g, %g] [seed %lu; rerun with -s %lu]\n",
                            hc->interval_s, n, died, phase, delay, low, high, test_seed,
                            test_seed);
                gsl_rng_free(rng);
                fail();
            }
            sum += delay;
            sum_squares += delay * delay;
            int bin = (int)((delay - low) / hc->interval_s * BINS);
            counts[bin < 0 ? 0 : bin >= BINS ? BINS - 1 : bin]++;
        }
        double mean = sum / SAMPLES;
        double variance = (sum_squares - SAMPLES * mean * mean) / (SAMPLES - 1);
        double sd = hc->interval_s / sqrt(12.0);
        /* 95% interval on the mean would be 1.96 standard errors; 4 keeps a
         * fixed-seed test from failing by chance (p ~ 6e-5 per case). */
        assert_near((n - 0.5) * hc->interval_s + hc->timeout_s, mean, 4.0 * sd / sqrt(SAMPLES));
        /* The variance of a uniform wait over one interval, to 2%. */
        assert_near(sd * sd, variance, 0.02 * sd * sd);
        double chi_square = 0.0, expected = (double)SAMPLES / BINS;
        for (int b = 0; b < BINS; b++)
            chi_square += (counts[b] - expected) * (counts[b] - expected) / expected;
        double p = gsl_cdf_chisq_Q(chi_square, BINS - 1);
        if (p < 1e-6) {
            print_error("interval %g, n %d: delays are not uniform (chi-square %g, p %g) "
                        "[seed %lu; rerun with -s %lu]\n",
                        hc->interval_s, n, chi_square, p, test_seed, test_seed);
            gsl_rng_free(rng);
            fail();
        }
    }
    gsl_rng_free(rng);
}

static void test_recovery_delay_is_uniform_with_mean_n_minus_a_half_intervals(void **state)
{
    (void)state;
    enum { SAMPLES = 100000 };
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, test_seed + 1);
    double sum = 0.0;
    for (int i = 0; i < SAMPLES; i++) {
        double phase = gsl_rng_uniform(rng) * ALB.interval_s;
        double alive = gsl_rng_uniform(rng) * 1e7;
        double delay = healthcheck_healthy_at(&ALB, phase, alive) - alive;
        if (!(delay >= 2 * ALB.interval_s - 1e-9 && delay <= 3 * ALB.interval_s + 1e-9)) {
            print_error("alive %.17g, phase %.17g: delay %.17g [seed %lu]\n", alive, phase,
                        delay, test_seed + 1);
            gsl_rng_free(rng);
            fail();
        }
        sum += delay;
    }
    gsl_rng_free(rng);
    assert_near(2.5 * ALB.interval_s, sum / SAMPLES,
                4.0 * ALB.interval_s / sqrt(12.0) / sqrt(SAMPLES));
}

int main(int argc, char **argv)
{
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], "-s") == 0)
            test_seed = strtoul(argv[i + 1], NULL, 10);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_alb_marks_a_dead_target_after_three_timed_out_probes),
        cmocka_unit_test(test_seed_route53_instants_for_chosen_phases),
        cmocka_unit_test(test_threshold_one_is_the_next_probe_plus_the_timeout),
        cmocka_unit_test(test_a_probe_exactly_at_the_failure_instant_counts_as_failed),
        cmocka_unit_test(test_phase_zero_and_phase_just_below_the_interval),
        cmocka_unit_test(test_far_in_the_run_the_instants_stay_on_the_probe_grid),
        cmocka_unit_test(test_detection_delay_is_uniform_over_one_interval_with_the_closed_form_mean),
        cmocka_unit_test(test_recovery_delay_is_uniform_with_mean_n_minus_a_half_intervals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
