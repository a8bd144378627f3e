/*
 * The validation suite: drsim's availability estimates against closed-form
 * answers (REFERENCES.md, "Closed forms"; λ failure rate, μ repair rate).
 *
 * Each case runs the whole pipeline (loader, models, kernel, runner on two
 * threads, statistics) and checks two claims:
 *   1. the exact value lies inside the interval drsim reports, widened from
 *      95% to a Bonferroni level for the whole suite: with
 *      VALIDATION_CHECKS containment checks each at 95%, more than half of
 *      all seeds would fail one by chance alone, and picking a seed that
 *      passes would be tuning.  At 1 − 0.01/VALIDATION_CHECKS each, the
 *      suite raises a false alarm for 1% of seeds;
 *   2. the reported 95% interval means something: its half-width is under
 *      15% of the exact unavailability.
 * The 95% interval itself is checked for honesty by its coverage over 200
 * independent seeds (last test).  The seed is fixed (VALIDATION_SEED,
 * chosen before the suite was first run; -s SEED to try another) and printed
 * with every failure.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <gsl/gsl_sf_gamma.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "runner.h"
#include "scenario.h"
#include "stats.h"

#define VALIDATION_SEED 20261126ULL

static uint64_t seed = VALIDATION_SEED;

/* containment checks in this file: 13 availabilities, one MTTR, one rate */
#define VALIDATION_CHECKS 15
#define FAMILY_FALSE_ALARM 0.01

/* Half-width of the suite-level interval from a reported 95% one: the
 * t-interval scales with its critical value (n trials, n − 1 dof). */
static double family_half_width(const stats_estimate *e, size_t trials)
{
    double level = 1.0 - FAMILY_FALSE_ALARM / VALIDATION_CHECKS;
    return (e->ci_high - e->ci_low) / 2.0 * stats_t_critical(level, trials - 1) /
           stats_t_critical(0.95, trials - 1);
}

static bool contains(const stats_estimate *e, size_t trials, double exact)
{
    return fabs(exact - e->mean) <= family_half_width(e, trials);
}

/* cmocka 1.1.5 has no assert_double_equal */
#define assert_near(actual, expected, tolerance)                                                \
    do {                                                                                        \
        double actual_ = (actual), expected_ = (expected);                                      \
        if (!(fabs(actual_ - expected_) <= (tolerance)))                                        \
            fail_msg("%s = %.12g, expected %.12g within %g", #actual, actual_, expected_,       \
                     (double)(tolerance));                                                      \
    } while (0)

/* ---- closed forms ----------------------------------------------------------------------- */

/* k-of-n identical units, exponential failure (λ) and repair (μ), r crews:
 * birth-death chain on the number failed, π_i ∝ ∏_{j<i} (n−j)λ / (min(j+1,r)μ);
 * A = Σ_{i ≤ n−k} π_i. */
static double k_of_n_availability(int k, int n, int crews, double mttf_h, double mttr_h)
{
    double lambda = 1.0 / mttf_h, mu = 1.0 / mttr_h;
    double weight[64], total = 0.0;
    weight[0] = 1.0;
    for (int i = 1; i <= n; i++) {
        int j = i - 1;
        double busy = (j + 1) < crews ? (j + 1) : crews;
        weight[i] = weight[i - 1] * (n - j) * lambda / (busy * mu);
    }
    double up = 0.0;
    for (int i = 0; i <= n; i++) {
        total += weight[i];
        if (i <= n - k)
            up += weight[i];
    }
    return up / total;
}

static double renewal_availability(double mttf, double mttr)
{
    return mttf / (mttf + mttr);
}

/* ---- running a case --------------------------------------------------------------------- */

static void load(scenario *sc, const char *text)
{
    diag_list diag;
    diag_init(&diag);
    int rc = scenario_load_string(sc, "validation.yaml", text, strlen(text), &diag);
    if (rc != 0)
        diag_print(&diag, stderr);
    diag_free(&diag);
    assert_int_equal(rc, 0);
}

typedef struct measured {
    stats_estimate availability, mttr, incidents_per_year;
} measured;

static measured run_case(const char *text, uint64_t trials, double horizon_s, uint64_t case_seed)
{
    scenario sc;
    load(&sc, text);
    run_config cfg = {.trials = trials, .seed = case_seed, .horizon_s = horizon_s, .threads = 2};
    run_results results;
    char err[256];
    assert_int_equal(runner_run(&sc, &cfg, &results, err, sizeof err), 0);
    run_summary summary;
    assert_int_equal(report_summarize(&sc, &results, horizon_s, &summary), 0);
    measured m = {report_find(&summary, "availability")->estimate,
                  report_find(&summary, "mttr")->estimate,
                  report_find(&summary, "incidents_per_year")->estimate};
    run_results_free(&results);
    scenario_free(&sc);
    return m;
}

static void check_availability(const char *what, const char *text, double exact,
                               uint64_t trials, double horizon_years)
{
    measured m = run_case(text, trials, horizon_years * 365.0 * 86400.0, seed);
    const stats_estimate *a = &m.availability;
    double half_width = (a->ci_high - a->ci_low) / 2.0;
    double unavailability = 1.0 - exact;
    double sigmas = fabs(a->mean - exact) / (half_width / 1.96);
    printf("  %-44s exact %.8f  measured %.8f [%.8f, %.8f]  off by %.2f se, half-width %.1f%% of 1-A\n",
           what, exact, a->mean, a->ci_low, a->ci_high, sigmas, 100.0 * half_width / unavailability);
    if (!contains(a, trials, exact))
        fail_msg("%s: exact %.8f outside the suite-level interval %.8f +- %.3g (seed %llu)", what,
                 exact, a->mean, family_half_width(a, trials), (unsigned long long)seed);
    if (!(half_width < 0.15 * unavailability))
        fail_msg("%s: half-width %.3g is not under 15%% of the unavailability %.3g (seed %llu)",
                 what, half_width, unavailability, (unsigned long long)seed);
}

/* ---- the closed forms themselves -------------------------------------------------------- */

static void test_closed_forms_reproduce_the_published_examples(void **state)
{
    (void)state;
    /* REFERENCES.md: MTTF 1000 h, MTTR 10 h */
    assert_near(renewal_availability(1000, 10), 0.990099, 5e-7);
    assert_near(k_of_n_availability(1, 2, 2, 1000, 10), 0.99990197, 5e-9);
    assert_near(k_of_n_availability(1, 2, 1, 1000, 10), 0.99980396, 5e-9);
    assert_near(k_of_n_availability(2, 3, 3, 1000, 10), 0.99970785, 5e-9);
    assert_near(k_of_n_availability(2, 3, 1, 1000, 10), 0.99941200, 5e-9);
    /* and the two-unit formulas in their own closed form */
    double l = 1.0 / 1000, u = 1.0 / 10;
    assert_near(k_of_n_availability(1, 2, 2, 1000, 10), 1 - pow(l / (l + u), 2), 1e-12);
    assert_near(k_of_n_availability(1, 2, 1, 1000, 10),
                        (u * u + 2 * l * u) / (u * u + 2 * l * u + 2 * l * l), 1e-12);
}

/* ---- single units ----------------------------------------------------------------------- */

static void test_single_exponential_unit_matches_mttf_over_mttf_plus_mttr(void **state)
{
    (void)state;
    check_availability("one unit, exp/exp",
                       "drsim: 1\nname: one\ncomponents:\n"
                       "  - {name: u, fail: exp(mean=1000h), repair: exp(mean=10h)}\n",
                       renewal_availability(1000, 10), 1000, 10);
}

static void test_single_unit_mttr_and_incident_rate_match_their_means(void **state)
{
    (void)state;
    measured m = run_case("drsim: 1\nname: one\ncomponents:\n"
                          "  - {name: u, fail: exp(mean=1000h), repair: exp(mean=10h)}\n",
                          1000, 10 * 365.0 * 86400.0, seed);
    double mttr_s = 10 * 3600.0;
    double rate_per_year = 8760.0 / 1010.0; /* one cycle per MTTF + MTTR */
    printf("  MTTR exact %.1f s measured %.1f [%.1f, %.1f]; incidents/y exact %.4f measured %.4f "
           "[%.4f, %.4f]\n",
           mttr_s, m.mttr.mean, m.mttr.ci_low, m.mttr.ci_high, rate_per_year,
           m.incidents_per_year.mean, m.incidents_per_year.ci_low, m.incidents_per_year.ci_high);
    if (!contains(&m.mttr, 1000, mttr_s))
        fail_msg("MTTR %.1f outside the suite-level interval around %.1f (seed %llu)", mttr_s,
                 m.mttr.mean, (unsigned long long)seed);
    if (!contains(&m.incidents_per_year, 1000, rate_per_year))
        fail_msg("incident rate %.4f outside [%.4f, %.4f] (seed %llu)", rate_per_year,
                 m.incidents_per_year.ci_low, m.incidents_per_year.ci_high,
                 (unsigned long long)seed);
}

static void test_weibull_lognormal_unit_matches_renewal_reward(void **state)
{
    (void)state;
    /* renewal-reward holds for any distributions: only the means matter */
    double mttf_h = 1000.0 * gsl_sf_gamma(1.0 + 1.0 / 1.5);
    double mttr_h = 8.0 * exp(0.6 * 0.6 / 2.0);
    check_availability("one unit, weibull/lognormal",
                       "drsim: 1\nname: one\ncomponents:\n"
                       "  - name: u\n"
                       "    fail: weibull(shape=1.5, scale=1000h)\n"
                       "    repair: lognormal(median=8h, sigma=0.6)\n",
                       renewal_availability(mttf_h, mttr_h), 1000, 10);
}

static void test_gamma_uniform_unit_matches_renewal_reward(void **state)
{
    (void)state;
    check_availability("one unit, gamma/uniform",
                       "drsim: 1\nname: one\ncomponents:\n"
                       "  - name: u\n"
                       "    fail: gamma(shape=3, scale=200h)\n"
                       "    repair: uniform(min=2h, max=14h)\n",
                       renewal_availability(600, 8), 1000, 10);
}

/* ---- redundancy and crews --------------------------------------------------------------- */

static void test_two_in_parallel_with_two_crews(void **state)
{
    (void)state;
    check_availability("1-of-2, two crews",
                       "drsim: 1\nname: p2\ncomponents:\n"
                       "  - {name: u, count: 2, fail: exp(mean=1000h), repair: exp(mean=10h)}\n"
                       "service: {at_least: 1, of: u}\n",
                       0.99990197, 1000, 100);
}

static void test_two_in_parallel_with_one_crew(void **state)
{
    (void)state;
    check_availability("1-of-2, one crew",
                       "drsim: 1\nname: p1\ncomponents:\n"
                       "  - {name: u, count: 2, crews: 1, fail: exp(mean=1000h), repair: exp(mean=10h)}\n"
                       "service: {at_least: 1, of: u}\n",
                       0.99980396, 1000, 100);
}

static void test_k_of_n_with_three_crews_and_with_one(void **state)
{
    (void)state;
    check_availability("2-of-3, three crews",
                       "drsim: 1\nname: k3\ncomponents:\n"
                       "  - {name: u, count: 3, fail: exp(mean=1000h), repair: exp(mean=10h)}\n"
                       "service: {at_least: 2, of: u}\n",
                       0.99970785, 1000, 100);
    check_availability("2-of-3, one crew",
                       "drsim: 1\nname: k1\ncomponents:\n"
                       "  - {name: u, count: 3, crews: 1, fail: exp(mean=1000h), repair: exp(mean=10h)}\n"
                       "service: {at_least: 2, of: u}\n",
                       0.99941200, 1000, 100);
    check_availability("3-of-5, two crews",
                       "drsim: 1\nname: k5\ncomponents:\n"
                       "  - {name: u, count: 5, crews: 2, fail: exp(mean=1000h), repair: exp(mean=10h)}\n"
                       "service: {at_least: 3, of: u}\n",
                       k_of_n_availability(3, 5, 2, 1000, 10), 1000, 100);
}

static void test_series_of_independent_units_multiplies_availabilities(void **state)
{
    (void)state;
    double exact = renewal_availability(1000, 10) * renewal_availability(2000, 5) *
                   renewal_availability(500, 2);
    check_availability("series of three",
                       "drsim: 1\nname: series\ncomponents:\n"
                       "  - {name: a, fail: exp(mean=1000h), repair: exp(mean=10h)}\n"
                       "  - {name: b, fail: exp(mean=2000h), repair: exp(mean=5h)}\n"
                       "  - {name: c, fail: exp(mean=500h), repair: exp(mean=2h)}\n"
                       "service: {all: [a, b, c]}\n",
                       exact, 1000, 10);
}

static void test_parallel_of_series_gates_compose(void **state)
{
    (void)state;
    /* two independent series chains (a1-b1, a2-b2), either enough */
    double chain = renewal_availability(1000, 10) * renewal_availability(2000, 20);
    check_availability("any of two series chains",
                       "drsim: 1\nname: chains\ncomponents:\n"
                       "  - {name: a1, fail: exp(mean=1000h), repair: exp(mean=10h)}\n"
                       "  - {name: b1, fail: exp(mean=2000h), repair: exp(mean=20h)}\n"
                       "  - {name: a2, fail: exp(mean=1000h), repair: exp(mean=10h)}\n"
                       "  - {name: b2, fail: exp(mean=2000h), repair: exp(mean=20h)}\n"
                       "service: {any: [{all: [a1, b1]}, {all: [a2, b2]}]}\n",
                       1.0 - (1.0 - chain) * (1.0 - chain), 1000, 100);
}

/* ---- failure domains -------------------------------------------------------------------- */

/* Zone outages exp(mean 2000 h) lasting exp(mean 20 h); units as above. */
#define ZONE_MTTF_H 2000.0
#define ZONE_MTTR_H 20.0

static void test_parallel_units_in_one_failing_zone_share_its_downtime(void **state)
{
    (void)state;
    double zone = renewal_availability(ZONE_MTTF_H, ZONE_MTTR_H);
    check_availability("1-of-2 in one failing zone",
                       "drsim: 1\nname: shared\n"
                       "regions:\n"
                       "  - name: r\n"
                       "    zones:\n"
                       "      - {name: z, outage: {fail: exp(mean=2000h), repair: exp(mean=20h)}}\n"
                       "components:\n"
                       "  - {name: u, count: 2, zone: z, fail: exp(mean=1000h), repair: exp(mean=10h)}\n"
                       "service: {at_least: 1, of: u}\n",
                       zone * 0.99990197, 1000, 100);
}

static void test_parallel_units_spread_over_zones_fail_together_less(void **state)
{
    (void)state;
    double zone = renewal_availability(ZONE_MTTF_H, ZONE_MTTR_H);
    double branch = zone * renewal_availability(1000, 10);
    check_availability("1-of-2 spread over two failing zones",
                       "drsim: 1\nname: spread\n"
                       "regions:\n"
                       "  - name: r\n"
                       "    zones:\n"
                       "      - {name: z1, outage: {fail: exp(mean=2000h), repair: exp(mean=20h)}}\n"
                       "      - {name: z2, outage: {fail: exp(mean=2000h), repair: exp(mean=20h)}}\n"
                       "components:\n"
                       "  - {name: u, count: 2, zones: [z1, z2], fail: exp(mean=1000h), repair: exp(mean=10h)}\n"
                       "service: {at_least: 1, of: u}\n",
                       1.0 - (1.0 - branch) * (1.0 - branch), 1000, 100);
}

static void test_region_outage_takes_down_every_zone_in_it(void **state)
{
    (void)state;
    double zone = renewal_availability(ZONE_MTTF_H, ZONE_MTTR_H);
    double region = renewal_availability(20000, 50);
    double branch = zone * renewal_availability(1000, 10);
    check_availability("1-of-2 over two zones in a failing region",
                       "drsim: 1\nname: region\n"
                       "regions:\n"
                       "  - name: r\n"
                       "    outage: {fail: exp(mean=20000h), repair: exp(mean=50h)}\n"
                       "    zones:\n"
                       "      - {name: z1, outage: {fail: exp(mean=2000h), repair: exp(mean=20h)}}\n"
                       "      - {name: z2, outage: {fail: exp(mean=2000h), repair: exp(mean=20h)}}\n"
                       "components:\n"
                       "  - {name: u, count: 2, zones: [z1, z2], fail: exp(mean=1000h), repair: exp(mean=10h)}\n"
                       "service: {at_least: 1, of: u}\n",
                       region * (1.0 - (1.0 - branch) * (1.0 - branch)), 1000, 100);
}

/* ---- honesty of the intervals ----------------------------------------------------------- */

static void test_intervals_cover_the_truth_about_95_percent_of_the_time(void **state)
{
    (void)state;
    /* 200 independent replications of a small run; each 95% interval
     * covers the exact value or not.  Binomial(200, 0.95) lies in
     * [181, 197] with probability > 99.9%; a t-interval that were too
     * narrow (say, ignoring the variance between trials) would land far
     * below. */
    const char *text = "drsim: 1\nname: one\ncomponents:\n"
                       "  - {name: u, fail: exp(mean=1000h), repair: exp(mean=10h)}\n";
    double exact = renewal_availability(1000, 10);
    int covered = 0, replications = 200;
    for (int r = 0; r < replications; r++) {
        measured m = run_case(text, 40, 2 * 365.0 * 86400.0, seed * 1000003ULL + (uint64_t)r);
        covered += m.availability.ci_low <= exact && exact <= m.availability.ci_high;
    }
    printf("  %d of %d 95%% intervals cover the exact availability\n", covered, replications);
    if (covered < 181 || covered > 197)
        fail_msg("coverage %d/%d is not plausible for a 95%% interval (seed %llu)", covered,
                 replications, (unsigned long long)seed);
}

int main(int argc, char **argv)
{
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], "-s") == 0)
            seed = strtoull(argv[i + 1], NULL, 10);
    printf("validation seed %llu (rerun with -s SEED)\n", (unsigned long long)seed);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_closed_forms_reproduce_the_published_examples),
        cmocka_unit_test(test_single_exponential_unit_matches_mttf_over_mttf_plus_mttr),
        cmocka_unit_test(test_single_unit_mttr_and_incident_rate_match_their_means),
        cmocka_unit_test(test_weibull_lognormal_unit_matches_renewal_reward),
        cmocka_unit_test(test_gamma_uniform_unit_matches_renewal_reward),
        cmocka_unit_test(test_two_in_parallel_with_two_crews),
        cmocka_unit_test(test_two_in_parallel_with_one_crew),
        cmocka_unit_test(test_k_of_n_with_three_crews_and_with_one),
        cmocka_unit_test(test_series_of_independent_units_multiplies_availabilities),
        cmocka_unit_test(test_parallel_of_series_gates_compose),
        cmocka_unit_test(test_parallel_units_in_one_failing_zone_share_its_downtime),
        cmocka_unit_test(test_parallel_units_spread_over_zones_fail_together_less),
        cmocka_unit_test(test_region_outage_takes_down_every_zone_in_it),
        cmocka_unit_test(test_intervals_cover_the_truth_about_95_percent_of_the_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
