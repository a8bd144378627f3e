/* Tests for ziggurat.h: the tables are the ziggurat of e^-x, and the
 * variates are Exp(1) (CDF, moments, tail, every layer's edge).
 *
 * Usage: test_ziggurat [-s SEED]   (default 20240601)
 *        test_ziggurat --print-tables
 *            prints the tables of sim/ziggurat.c, computed in long double
 *            (how they were made; the test below checks they still agree).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "rng.h"
#include "ziggurat.h"

static uint64_t test_seed = 20240601u;
#include "seeded.h"

/* ---- the tables, from their definition ---------------------------------- */

/* Marsaglia & Tsang's construction for 256 layers of equal area v:
 * x_255 = r, x_{i-1} = -ln(v / x_i + e^-x_i), v = (r + 1) e^-r (the base
 * layer: the rectangle r·e^-r and the tail e^-r). */
typedef struct tables {
    uint64_t inside[ZIGGURAT_LAYERS];
    double width[ZIGGURAT_LAYERS];
    double f[ZIGGURAT_LAYERS];
    long double x1; /* the top layer's edge, where the recursion ends */
    long double v;
} tables;

static void compute_tables(tables *t)
{
    const long double r = 7.69711747013104971404462804811L;
    const long double v = (r + 1) * expl(-r);
    const long double scale = 9007199254740992.0L; /* 2^53 */
    long double x[ZIGGURAT_LAYERS];
    x[ZIGGURAT_LAYERS - 1] = r;
    for (int i = ZIGGURAT_LAYERS - 1; i >= 2; i--) x[i - 1] = -logl(v / x[i] + expl(-x[i]));
    x[0] = 0.0L;
    const long double base_width = v / expl(-r);
    t->inside[0] = (uint64_t)floorl(r / base_width * scale);
    t->width[0] = (double)(base_width / scale);
    t->f[0] = 1.0;
    t->inside[1] = 0; /* the top layer has no part certainly under e^-x */
    for (int i = 1; i < ZIGGURAT_LAYERS; i++) {
        t->width[i] = (double)(x[i] / scale);
        t->f[i] = (double)expl(-x[i]);
        if (i >= 2) t->inside[i] = (uint64_t)floorl(x[i - 1] / x[i] * scale);
    }
    t->x1 = x[1];
    t->v = v;
}

static void print_tables(void)
{
    tables t;
    compute_tables(&t);
    printf("const uint64_t ziggurat_exp_inside[ZIGGURAT_LAYERS] = {\n");
    for (int i = 0; i < ZIGGURAT_LAYERS; i++)
        printf("%sUINT64_C(%" PRIu64 ")%s", i % 4 == 0 ? "    " : " ", t.inside[i],
               i + 1 == ZIGGURAT_LAYERS ? "\n" : i % 4 == 3 ? ",\n" : ",");
    printf("};\n\nconst double ziggurat_exp_width[ZIGGURAT_LAYERS] = {\n");
    for (int i = 0; i < ZIGGURAT_LAYERS; i++)
        printf("%s%a%s", i % 3 == 0 ? "    " : " ", t.width[i],
               i + 1 == ZIGGURAT_LAYERS ? "\n" : i % 3 == 2 ? ",\n" : ",");
    printf("};\n\nconst double ziggurat_exp_f[ZIGGURAT_LAYERS] = {\n");
    for (int i = 0; i < ZIGGURAT_LAYERS; i++)
        printf("%s%a%s", i % 3 == 0 ? "    " : " ", t.f[i],
               i + 1 == ZIGGURAT_LAYERS ? "\n" : i % 3 == 2 ? ",\n" : ",");
    printf("};\n");
}

/* Relative difference, in units of the double's epsilon. */
static double ulps_apart(double a, double b)
{
    if (a == b) return 0.0;
    return fabs(a - b) / (fabs(b) * 0x1p-52);
}

static void test_committed_tables_match_their_construction(void **state)
{
    (void)state;
    tables t;
    compute_tables(&t);
    for (int i = 0; i < ZIGGURAT_LAYERS; i++) {
        /* A libm other than the one that made them may round the last
         * bit differently: allow that, and nothing more. */
        int64_t d = (int64_t)(ziggurat_exp_inside[i] - t.inside[i]);
        CHECK(d >= -1 && d <= 1, "inside[%d] = %" PRIu64 ", computed %" PRIu64, i,
              ziggurat_exp_inside[i], t.inside[i]);
        CHECK(ulps_apart(ziggurat_exp_width[i], t.width[i]) <= 2.0, "width[%d] = %a, computed %a",
              i, ziggurat_exp_width[i], t.width[i]);
        CHECK(ulps_apart(ziggurat_exp_f[i], t.f[i]) <= 2.0, "f[%d] = %a, computed %a", i,
              ziggurat_exp_f[i], t.f[i]);
    }
}

static void test_every_layer_has_the_same_area_and_the_top_one_closes(void **state)
{
    (void)state;
    tables t;
    compute_tables(&t);
    const double scale = 0x1p53;
    /* Layers 1..255: width x_i, height f(x_{i-1}) - f(x_i). */
    for (int i = 1; i < ZIGGURAT_LAYERS; i++) {
        double x_i = ziggurat_exp_width[i] * scale;
        double area = x_i * (ziggurat_exp_f[i - 1] - ziggurat_exp_f[i]);
        CHECK(fabs(area / (double)t.v - 1.0) < 1e-9, "layer %d has area %.12g, not %.12g", i, area,
              (double)t.v);
    }
    /* The base: its rectangle up to r and the tail beyond. */
    double r = ziggurat_exp_width[ZIGGURAT_LAYERS - 1] * scale;
    CHECK(fabs(r - ZIGGURAT_EXP_R) < 1e-12, "x_255 = %.17g, not r", r);
    double base = r * exp(-r) + exp(-r);
    CHECK(fabs(base / (double)t.v - 1.0) < 1e-12, "base layer area %.12g", base);
    CHECK(fabs(ziggurat_exp_width[0] * scale * exp(-r) / (double)t.v - 1.0) < 1e-12,
          "the base layer's width times e^-r is not its area");
    /* The top layer ends at f = 1: its area is x_1 (1 - e^-x_1) = v. */
    double top = (double)(t.x1 * (1.0L - expl(-t.x1)));
    CHECK(fabs(top / (double)t.v - 1.0) < 1e-9, "top layer area %.12g, not %.12g", top,
          (double)t.v);
    /* inside[i] / 2^53 = x_{i-1} / x_i: the part of layer i under the curve */
    for (int i = 2; i < ZIGGURAT_LAYERS; i++) {
        double ratio = (double)ziggurat_exp_inside[i] / scale;
        double expect = ziggurat_exp_width[i - 1] / ziggurat_exp_width[i];
        CHECK(fabs(ratio - expect) < 1e-12, "inside[%d] / 2^53 = %.15g, not %.15g", i, ratio,
              expect);
    }
}

/* ---- the variates ------------------------------------------------------- */

static gsl_rng *stream(const char *name)
{
    gsl_rng *r = rng_stream_create();
    assert_non_null(r);
    rng_stream_set(r, test_seed, 0, rng_name_hash(name), RNG_PURPOSE_MODEL);
    return r;
}

enum { DRAWS = 4000000 };

/* Pearson's chi-square over bins of equal probability under Exp(1), so that
 * every part of the ziggurat is covered: 400 bins, the last starting at
 * -ln(1/400) = 5.99; past r = 7.697 the tail bins come from its own draw.
 * At the 1e-4 level, a correct sampler fails one seed in 10,000. */
static void test_variates_follow_the_exponential_cdf(void **state)
{
    (void)state;
    enum { BINS = 400 };
    static long count[BINS];
    memset(count, 0, sizeof count);
    gsl_rng *r = stream("ziggurat-cdf");
    for (long n = 0; n < DRAWS; n++) {
        double x = ziggurat_exponential(r);
        CHECK(x >= 0.0 && isfinite(x), "draw %ld is %g", n, x);
        /* bin k holds F(x) in [k/BINS, (k+1)/BINS) */
        double cdf = -expm1(-x);
        int k = (int)(cdf * BINS);
        if (k >= BINS) k = BINS - 1;
        count[k]++;
    }
    double expected = (double)DRAWS / BINS, chi2 = 0.0;
    for (int k = 0; k < BINS; k++) chi2 += (count[k] - expected) * (count[k] - expected) / expected;
    double p = gsl_cdf_chisq_Q(chi2, BINS - 1);
    CHECK(p > 1e-4, "chi-square %.1f over %d bins, p = %.3g", chi2, BINS, p);
    gsl_rng_free(r);
}

/* Mean 1 and variance 1, each within 4.5 standard errors (the variance of
 * the sample variance of Exp(1) is (mu4 - 1) / n = 8 / n). */
static void test_mean_and_variance_are_one(void **state)
{
    (void)state;
    gsl_rng *r = stream("ziggurat-moments");
    double sum = 0.0, sum2 = 0.0;
    for (long n = 0; n < DRAWS; n++) {
        double x = ziggurat_exponential(r);
        sum += x;
        sum2 += x * x;
    }
    double mean = sum / DRAWS, variance = sum2 / DRAWS - mean * mean;
    CHECK(fabs(mean - 1.0) < 4.5 * sqrt(1.0 / DRAWS), "mean %.6f", mean);
    CHECK(fabs(variance - 1.0) < 4.5 * sqrt(8.0 / DRAWS), "variance %.6f", variance);
    gsl_rng_free(r);
}

/* The tail beyond r has probability e^-r = 4.5e-4 and, being memoryless,
 * mean r + 1 given that it is reached; so has the part beyond r + 3. */
static void test_the_tail_has_its_mass_and_is_memoryless(void **state)
{
    (void)state;
    gsl_rng *r = stream("ziggurat-tail");
    const long draws = 20000000;
    long beyond = 0, far = 0;
    double excess = 0.0;
    for (long n = 0; n < draws; n++) {
        double x = ziggurat_exponential(r);
        if (x > ZIGGURAT_EXP_R) {
            beyond++;
            excess += x - ZIGGURAT_EXP_R;
            if (x > ZIGGURAT_EXP_R + 3.0) far++;
        }
    }
    double p = exp(-ZIGGURAT_EXP_R), se = sqrt(p * (1 - p) / draws);
    CHECK(fabs((double)beyond / draws - p) < 4.5 * se, "%ld of %ld beyond r, expected %.1f", beyond,
          draws, p * draws);
    double mean_excess = excess / (double)beyond;
    CHECK(fabs(mean_excess - 1.0) < 4.5 / sqrt((double)beyond), "mean excess over r %.4f",
          mean_excess);
    double p_far = exp(-(ZIGGURAT_EXP_R + 3.0)), se_far = sqrt(p_far / draws);
    CHECK(fabs((double)far / draws - p_far) < 4.5 * se_far, "%ld beyond r + 3, expected %.1f", far,
          p_far * draws);
    gsl_rng_free(r);
}

/* Within one layer the edge (between x_{i-1} and x_i) is where rejection
 * works: the density there must still be e^-x.  The draws that fall in
 * [x_{i-1}, x_i) for the widest edges (the bottom layers) are compared
 * with the exponential's conditional CDF by Kolmogorov-Smirnov. */
static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void test_draws_in_a_layer_edge_follow_the_curve(void **state)
{
    (void)state;
    const double scale = 0x1p53;
    /* Layer 255's edge: [x_254, x_255) = [6.94, 7.70). */
    double lo = ziggurat_exp_width[254] * scale, hi = ziggurat_exp_width[255] * scale;
    gsl_rng *r = stream("ziggurat-edge");
    size_t cap = 1 << 16, n = 0;
    double *xs = malloc(cap * sizeof *xs);
    assert_non_null(xs);
    for (long k = 0; k < 40000000 && n < cap; k++) {
        double x = ziggurat_exponential(r);
        if (x >= lo && x < hi) xs[n++] = x;
    }
    CHECK(n > 5000, "only %zu draws in [%g, %g)", n, lo, hi);
    qsort(xs, n, sizeof *xs, compare_doubles);
    double mass = exp(-lo) - exp(-hi), d_max = 0.0;
    for (size_t i = 0; i < n; i++) {
        double cdf = (exp(-lo) - exp(-xs[i])) / mass;
        double d = fmax(fabs(cdf - (double)i / n), fabs(cdf - (double)(i + 1) / n));
        if (d > d_max) d_max = d;
    }
    /* Kolmogorov's 1e-4 critical value: 2.23 / sqrt(n). */
    CHECK(d_max * sqrt((double)n) < 2.23, "KS statistic %.3f over %zu draws in [%g, %g)",
          d_max * sqrt((double)n), n, lo, hi);
    free(xs);
    gsl_rng_free(r);
}

static void test_variates_depend_only_on_the_stream(void **state)
{
    (void)state;
    gsl_rng *a = stream("same"), *b = stream("same");
    for (int i = 0; i < 100000; i++) {
        double x = ziggurat_exponential(a), y = ziggurat_exponential(b);
        CHECK(x == y, "draw %d: %a != %a", i, x, y);
    }
    gsl_rng_free(a);
    gsl_rng_free(b);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--print-tables") == 0) {
            print_tables();
            return 0;
        }
    }
    seeded_options(argc, argv, &test_seed);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_committed_tables_match_their_construction),
        cmocka_unit_test(test_every_layer_has_the_same_area_and_the_top_one_closes),
        cmocka_unit_test(test_variates_follow_the_exponential_cdf),
        cmocka_unit_test(test_mean_and_variance_are_one),
        cmocka_unit_test(test_the_tail_has_its_mass_and_is_memoryless),
        cmocka_unit_test(test_draws_in_a_layer_edge_follow_the_curve),
        cmocka_unit_test(test_variates_depend_only_on_the_stream),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
