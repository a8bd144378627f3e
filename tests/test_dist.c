/* Tests for dist.h: parsing, sampling, exact means, empirical CSVs,
 * formatting and ownership.
 *
 * Usage: test_dist [-s SEED]   (SEED for the sampling tests; default 20240601)
 * Run from the repository root (the empirical tests read
 * tests/data/empirical/, found next to this file). */
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
#include <unistd.h>

#include <gsl/gsl_rng.h>
#include <gsl/gsl_statistics_double.h>

#include "dist.h"
#include "duration.h"
#include "rng.h"

#define KINDS_HINT "exp, weibull, lognormal, gamma, uniform, const or empirical"
#define UNITS_HINT "ms, s, m, h, d, w or y"

static uint64_t test_seed = 20240601u;
#include "seeded.h"
static char data_dir[512];   /* .../tests/data/empirical */


static gsl_rng *stream(const char *name)
{
    gsl_rng *r = rng_stream_create();
    assert_non_null(r);
    rng_stream_set(r, test_seed, 0, rng_name_hash(name), RNG_PURPOSE_MODEL);
    return r;
}

static void parse_ok(const char *text, dist *d)
{
    char err[256] = "";
    if (dist_parse(text, d, err, sizeof err) != 0) {
        print_error("'%s' did not parse: %s\n", text, err);
        fail();
    }
}

/* ---- parsing ------------------------------------------------------------ */

static const struct {
    const char *text;
    dist_kind kind;
    double p1, p2;
    const char *file, *column;
} GOOD[] = {
    {"exp(mean=10h)", DIST_EXP, 36000, 0, NULL, NULL},
    {"  exp ( mean = 10 h )  ", DIST_EXP, 36000, 0, NULL, NULL},
    {"weibull(shape=1.5, scale=1000h)", DIST_WEIBULL, 1.5, 3.6e6, NULL, NULL},
    {"weibull(scale=1000h,shape=1.5)", DIST_WEIBULL, 1.5, 3.6e6, NULL, NULL},
    {"lognormal(median=6h, sigma=1)", DIST_LOGNORMAL, 21600, 1, NULL, NULL},
    {"lognormal(sigma=0.5,median=30m)", DIST_LOGNORMAL, 1800, 0.5, NULL, NULL},
    {"gamma(shape=2, scale=5h)", DIST_GAMMA, 2, 18000, NULL, NULL},
    {"uniform(min=1h, max=3h)", DIST_UNIFORM, 3600, 10800, NULL, NULL},
    {"uniform(min=1h, max=1h)", DIST_UNIFORM, 3600, 3600, NULL, NULL},
    {"uniform(min=0, max=1e3s)", DIST_UNIFORM, 0, 1000, NULL, NULL},
    {"const(5m)", DIST_CONST, 300, 0, NULL, NULL},
    {"const( 0 )", DIST_CONST, 0, 0, NULL, NULL},
    {"5m", DIST_CONST, 300, 0, NULL, NULL},
    {"  250ms ", DIST_CONST, 0.25, 0, NULL, NULL},
    {"empirical(file=ttr.csv, column=hours)", DIST_EMPIRICAL, 0, 0, "ttr.csv", "hours"},
    {"empirical( column = time to repair , file = data/ttr 2.csv )", DIST_EMPIRICAL, 0, 0,
     "data/ttr 2.csv", "time to repair"},
};

static void test_good_distributions_parse_to_their_parameters(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof GOOD / sizeof GOOD[0]; i++) {
        dist d;
        parse_ok(GOOD[i].text, &d);
        int ok = d.kind == GOOD[i].kind && d.p1 == GOOD[i].p1 && d.p2 == GOOD[i].p2;
        if (GOOD[i].file != NULL)
            ok = ok && d.file != NULL && strcmp(d.file, GOOD[i].file) == 0 &&
                 d.column != NULL && strcmp(d.column, GOOD[i].column) == 0 &&
                 d.samples_s == NULL && d.n_samples == 0;
        else
            ok = ok && d.file == NULL && d.column == NULL;
        if (!ok) {
            print_error("'%s': kind %d p1 %.17g p2 %.17g file '%s' column '%s'\n", GOOD[i].text,
                        (int)d.kind, d.p1, d.p2, d.file ? d.file : "(null)",
                        d.column ? d.column : "(null)");
            fail();
        }
        dist_free(&d);
    }
}

static const struct { const char *text; const char *message; } BAD[] = {
    {"", "empty distribution (expected a duration or one of " KINDS_HINT ")"},
    {"expo(mean=1h)", "unknown distribution 'expo' (use " KINDS_HINT ")"},
    {"Exp(mean=1h)", "unknown distribution 'Exp' (use " KINDS_HINT ")"},
    {"normal", "unknown distribution 'normal' (use " KINDS_HINT ")"},
    {"(mean=1h)", "missing distribution name before '(' in '(mean=1h)'"},
    {"exp", "exp needs parameters, e.g. exp(mean=1000h)"},
    {"exp( )", "exp needs parameters, e.g. exp(mean=1000h)"},
    {"exp(mean=1h", "missing ')' at the end of 'exp(mean=1h'"},
    {"exp(mean=1h) x", "unexpected 'x' after exp(...)"},
    {"exp(mu=1h)", "unknown parameter 'mu' for exp (expected mean)"},
    {"exp(mean)", "expected name=value, got 'mean' in exp(...)"},
    {"exp(mean=)", "missing value for 'mean' in exp(...)"},
    {"exp(mean=1h,)", "empty parameter in exp(...)"},
    {"exp(mean=1h, mean=2h)", "parameter 'mean' given twice in exp(...)"},
    {"exp(mean=0)", "exp mean must be > 0"},
    {"exp(mean=-1h)", "exp mean: negative duration '-1h'"},
    {"exp(mean=3hrs)", "exp mean: unknown unit 'hrs' in duration '3hrs' (use " UNITS_HINT ")"},
    {"exp(mean=nan)", "exp mean: 'nan' is not a duration: NaN and infinite values are not allowed"},
    {"nan", "'nan' is not a duration: NaN and infinite values are not allowed"},
    {"weibull(shape=1.5)", "missing parameter 'scale' in weibull(...)"},
    {"weibull(scale=1h)", "missing parameter 'shape' in weibull(...)"},
    {"weibull(k=1, scale=1h)", "unknown parameter 'k' for weibull (expected shape and scale)"},
    {"weibull(shape=0, scale=1h)", "weibull shape must be > 0"},
    {"weibull(shape=-1, scale=1h)", "weibull shape must be > 0"},
    {"weibull(shape=1.5h, scale=1h)", "weibull shape: '1.5h' is not a number"},
    {"weibull(shape=1, scale=0)", "weibull scale must be > 0"},
    {"weibull(shape=0.001, scale=1h)", "weibull(...) has an infinite mean (shape too small)"},
    {"lognormal(median=6h, sigma=0)", "lognormal sigma must be > 0"},
    {"lognormal(median=0, sigma=1)", "lognormal median must be > 0"},
    {"lognormal(median=6h, sigma=100)", "lognormal(...) has an infinite mean (sigma too large)"},
    {"lognormal(mu=1, sigma=1)",
     "unknown parameter 'mu' for lognormal (expected median and sigma)"},
    {"gamma(shape=2)", "missing parameter 'scale' in gamma(...)"},
    {"gamma(shape=nan, scale=1h)", "gamma shape: 'nan' is not a number"},
    {"gamma(shape=0, scale=1h)", "gamma shape must be > 0"},
    {"uniform(min=3h, max=1h)", "uniform needs min <= max (got min=3 h, max=1 h)"},
    {"uniform(min=1h)", "missing parameter 'max' in uniform(...)"},
    {"const()", "const needs a duration, e.g. const(5m)"},
    {"const(value=5m)", "const takes one bare duration, e.g. const(5m)"},
    {"const(5m, 6m)", "const takes one bare duration, e.g. const(5m)"},
    {"const(-5m)", "const: negative duration '-5m'"},
    {"-5m", "negative duration '-5m'"},
    {"3 hours", "unknown unit 'hours' in duration '3 hours' (use " UNITS_HINT ")"},
    {"empirical(file=ttr.csv)", "missing parameter 'column' in empirical(...)"},
    {"empirical(file=ttr.csv, column=hours, sep=;)",
     "unknown parameter 'sep' for empirical (expected file and column)"},
};

static void test_bad_distributions_are_rejected_with_their_message(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        dist d;
        memset(&d, 0xA5, sizeof d);   /* garbage in: the contract says zeroed out */
        char err[256] = "";
        int rc = dist_parse(BAD[i].text, &d, err, sizeof err);
        dist zero;
        memset(&zero, 0, sizeof zero);
        if (rc != -1 || strcmp(err, BAD[i].message) != 0 || memcmp(&d, &zero, sizeof d) != 0) {
            print_error("'%s': rc %d, message\n  got      '%s'\n  expected '%s'\n",
                        BAD[i].text, rc, err, BAD[i].message);
            fail();
        }
    }
}

/* ---- sampling ----------------------------------------------------------- */

static void load_ok(dist *d, const char *base_dir)
{
    char err[512] = "";
    if (dist_load_empirical(d, base_dir, err, sizeof err) != 0) {
        print_error("load failed: %s\n", err);
        fail();
    }
}

static void test_sample_mean_is_within_four_standard_errors_of_dist_mean(void **state)
{
    (void)state;
    static const char *const texts[] = {
        "exp(mean=10h)",
        "weibull(shape=1.5, scale=1000h)",
        "weibull(shape=0.7, scale=10h)",
        "lognormal(median=6h, sigma=1)",
        "gamma(shape=2, scale=5h)",
        "gamma(shape=0.5, scale=1h)",
        "uniform(min=1h, max=3h)",
        "const(5m)",
        "empirical(file=ttr.csv, column=hours)",
    };
    enum { N = 200000 };
    double *x = malloc(N * sizeof *x);
    assert_non_null(x);
    for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
        dist d;
        parse_ok(texts[t], &d);
        load_ok(&d, data_dir);
        gsl_rng *r = stream(texts[t]);
        for (int i = 0; i < N; i++) {
            x[i] = dist_sample(&d, r);
            CHECK(x[i] >= 0 && isfinite(x[i]), "%s: sample %d is %g", texts[t], i, x[i]);
        }
        double mean = gsl_stats_mean(x, 1, N);
        double se = gsl_stats_sd_m(x, 1, N, mean) / sqrt(N);
        double expected = dist_mean(&d);
        CHECK(fabs(mean - expected) <= 4 * se, "%s: sample mean %.6g, dist_mean %.6g, se %.3g",
              texts[t], mean, expected, se);
        gsl_rng_free(r);
        dist_free(&d);
    }
    free(x);
}

static void test_dist_mean_is_exact_for_every_kind(void **state)
{
    (void)state;
    static const struct { const char *text; double mean; } cases[] = {
        {"exp(mean=10h)", 36000},
        {"weibull(shape=1, scale=2h)", 7200},              /* Γ(2) = 1 */
        {"weibull(shape=2, scale=1h)", 3600 * 0.88622692545275801365}, /* Γ(1.5) = √π/2 */
        {"weibull(shape=0.5, scale=1h)", 7200},            /* Γ(3) = 2 */
        {"lognormal(median=6h, sigma=1)", 21600 * 1.6487212707001281468},
        {"gamma(shape=2, scale=5h)", 36000},
        {"uniform(min=1h, max=3h)", 7200},
        {"const(5m)", 300},
        {"1e300", 1e300},
        {"uniform(min=1e300, max=1.7e308)", 0.5e300 + 0.85e308},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        dist d;
        parse_ok(cases[i].text, &d);
        double mean = dist_mean(&d);
        if (fabs(mean - cases[i].mean) > 1e-14 * cases[i].mean) {
            print_error("%s: mean %.17g, expected %.17g\n", cases[i].text, mean, cases[i].mean);
            fail();
        }
        dist_free(&d);
    }
    dist d;
    parse_ok("empirical(file=ttr.csv, column=hours)", &d);
    load_ok(&d, data_dir);
    assert_true(dist_mean(&d) == (10800 + 10800 + 5400 + 9000 + 2700) / 5.0);
    dist_free(&d);
}

static double fraction_below(const dist *d, gsl_rng *r, double x, int n)
{
    int below = 0;
    for (int i = 0; i < n; i++)
        below += dist_sample(d, r) < x;
    return (double)below / n;
}

static void test_weibull_and_lognormal_medians_are_where_theory_puts_them(void **state)
{
    (void)state;
    enum { N = 200000 };
    double se = sqrt(0.25 / N);
    dist d;
    gsl_rng *r = stream("medians");

    parse_ok("weibull(shape=1.5, scale=1000h)", &d);
    double median = 3.6e6 * pow(log(2.0), 1 / 1.5);
    double f = fraction_below(&d, r, median, N);
    CHECK(fabs(f - 0.5) <= 4 * se, "weibull: %.5f of samples below the median", f);
    dist_free(&d);

    parse_ok("lognormal(median=6h, sigma=1)", &d);
    f = fraction_below(&d, r, 21600, N);
    CHECK(fabs(f - 0.5) <= 4 * se, "lognormal: %.5f of samples below the median", f);
    /* and one sigma above: Φ(1) = 0.8413 */
    f = fraction_below(&d, r, 21600 * exp(1.0), N);
    CHECK(fabs(f - 0.841344746) <= 4 * sqrt(0.16 / N), "lognormal: %.5f below median·e", f);
    dist_free(&d);
    gsl_rng_free(r);
}

static void test_uniform_stays_within_its_bounds_and_const_is_exact(void **state)
{
    (void)state;
    gsl_rng *r = stream("bounds");
    dist d;
    parse_ok("uniform(min=1h, max=3h)", &d);
    double lo = INFINITY, hi = -INFINITY;
    for (int i = 0; i < 200000; i++) {
        double x = dist_sample(&d, r);
        lo = fmin(lo, x);
        hi = fmax(hi, x);
    }
    CHECK(lo >= 3600 && hi <= 10800, "uniform(1h, 3h) gave [%.17g, %.17g]", lo, hi);
    /* and it fills the interval */
    CHECK(lo < 3600 + 1 && hi > 10800 - 1, "uniform(1h, 3h) only covered [%g, %g]", lo, hi);
    dist_free(&d);

    parse_ok("uniform(min=2h, max=2h)", &d);
    for (int i = 0; i < 1000; i++)
        assert_true(dist_sample(&d, r) == 7200);
    dist_free(&d);

    parse_ok("const(5m)", &d);
    for (int i = 0; i < 1000; i++)
        assert_true(dist_sample(&d, r) == 300);
    dist_free(&d);

    /* a zeroed dist is const(0) */
    memset(&d, 0, sizeof d);
    assert_true(dist_sample(&d, r) == 0);
    assert_true(dist_mean(&d) == 0);
    dist_free(&d);
    gsl_rng_free(r);
}

static void test_samples_depend_only_on_the_stream(void **state)
{
    (void)state;
    static const char *const texts[] = {
        "exp(mean=10h)", "weibull(shape=1.5, scale=1000h)", "lognormal(median=6h, sigma=1)",
        "gamma(shape=0.5, scale=5h)", "uniform(min=1h, max=3h)",
    };
    for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
        dist d;
        parse_ok(texts[t], &d);
        gsl_rng *a = stream("same");
        gsl_rng *b = stream("same");
        for (int i = 0; i < 1000; i++)
            assert_true(dist_sample(&d, a) == dist_sample(&d, b));
        gsl_rng_free(a);
        gsl_rng_free(b);
        dist_free(&d);
    }
}

/* ---- empirical ---------------------------------------------------------- */

static void test_empirical_loads_every_cell_of_the_column_as_a_duration(void **state)
{
    (void)state;
    dist d;
    parse_ok("empirical(file=ttr.csv, column=hours)", &d);
    load_ok(&d, data_dir);
    /* 3h, 10800, 90m, (blank line), 2.5h, "45 m" */
    static const double expected[] = {10800, 10800, 5400, 9000, 2700};
    assert_int_equal(d.n_samples, 5);
    for (size_t i = 0; i < 5; i++)
        assert_true(d.samples_s[i] == expected[i]);

    /* resampling draws every sample, and nothing else */
    gsl_rng *r = stream("resample");
    int hits[5] = {0};
    for (int i = 0; i < 50000; i++) {
        double x = dist_sample(&d, r);
        int found = 0;
        for (int k = 0; k < 5; k++)
            if (x == d.samples_s[k]) {
                hits[k]++;
                found = 1;
                break;   /* equal samples count for the first */
            }
        assert_true(found);
    }
    assert_true(hits[0] > 0 && hits[2] > 0 && hits[3] > 0 && hits[4] > 0);
    gsl_rng_free(r);

    /* loading again replaces the samples */
    load_ok(&d, data_dir);
    assert_int_equal(d.n_samples, 5);
    dist_free(&d);
}

static void test_empirical_accepts_crlf_a_byte_order_mark_and_no_final_newline(void **state)
{
    (void)state;
    dist d;
    parse_ok("empirical(file=bom_crlf.csv, column=hours)", &d);
    load_ok(&d, data_dir);
    assert_int_equal(d.n_samples, 3);
    assert_true(d.samples_s[0] == 3600 && d.samples_s[1] == 7200 && d.samples_s[2] == 10800);
    dist_free(&d);

    parse_ok("empirical(file=no_final_newline.csv, column=hours)", &d);
    load_ok(&d, data_dir);
    assert_int_equal(d.n_samples, 2);
    assert_true(d.samples_s[1] == 14400);
    dist_free(&d);
}

static void test_empirical_resolves_relative_paths_against_base_dir(void **state)
{
    (void)state;
    char parent[600], with_slash[600], relative_to_cwd[700], absolute[1100];
    snprintf(parent, sizeof parent, "%s/..", data_dir);
    snprintf(with_slash, sizeof with_slash, "%s/", data_dir);
    snprintf(relative_to_cwd, sizeof relative_to_cwd, "empirical(file=%s/ttr.csv, column=hours)",
             data_dir);
    char cwd[400];
    assert_non_null(getcwd(cwd, sizeof cwd));
    if (data_dir[0] == '/')
        snprintf(absolute, sizeof absolute, "empirical(file=%s/ttr.csv, column=hours)", data_dir);
    else
        snprintf(absolute, sizeof absolute, "empirical(file=%s/%s/ttr.csv, column=hours)", cwd,
                 data_dir);
    const struct { const char *text; const char *base_dir; } cases[] = {
        {"empirical(file=ttr.csv, column=hours)", data_dir},
        {"empirical(file=ttr.csv, column=hours)", with_slash},
        {"empirical(file=empirical/ttr.csv, column=hours)", parent},
        {relative_to_cwd, NULL},
        {relative_to_cwd, ""},
        {absolute, "/nonexistent/base"},   /* an absolute file ignores base_dir */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        dist d;
        parse_ok(cases[i].text, &d);
        char err[512] = "";
        if (dist_load_empirical(&d, cases[i].base_dir, err, sizeof err) != 0 ||
            d.n_samples != 5) {
            print_error("%s with base '%s': %s\n", cases[i].text,
                        cases[i].base_dir ? cases[i].base_dir : "(null)", err);
            fail();
        }
        dist_free(&d);
    }
    /* the same file name against another base is another file */
    dist d;
    parse_ok("empirical(file=ttr.csv, column=hours)", &d);
    char err[512];
    assert_int_equal(dist_load_empirical(&d, parent, err, sizeof err), -1);
    dist_free(&d);
}

/* '@' in a message stands for the data directory. */
static const struct { const char *file, *column, *message; } BAD_FILES[] = {
    {"nope.csv", "hours", "cannot open '@/nope.csv': No such file or directory"},
    {"ttr.csv", "ttr", "no column 'ttr' in '@/ttr.csv' (columns: incident, hours, note)"},
    {"ttr.csv", "Hours", "no column 'Hours' in '@/ttr.csv' (columns: incident, hours, note)"},
    {"bad_cell.csv", "hours",
     "@/bad_cell.csv:4: 'abc' is not a duration (expected a number with a unit: " UNITS_HINT ")"},
    {"negative.csv", "hours", "@/negative.csv:3: negative duration '-1h'"},
    {"empty_cell.csv", "hours", "@/empty_cell.csv:3: empty cell in column 'hours'"},
    {"short_row.csv", "hours", "@/short_row.csv:3: missing cell in column 'hours' (the row has 1 of 2 fields)"},
    {"header_only.csv", "hours", "no samples in column 'hours' of '@/header_only.csv'"},
    {"empty.csv", "hours", "'@/empty.csv' is empty (expected a header row naming the columns)"},
    {"malformed.csv", "hours",
     "@/malformed.csv:3: malformed CSV (error parsing data while strict checking enabled)"},
    {"unterminated.csv", "hours",
     "@/unterminated.csv:3: malformed CSV (error parsing data while strict checking enabled)"},
    {"duplicate_column.csv", "hours",
     "column 'hours' appears twice in the header of '@/duplicate_column.csv'"},
    {".", "hours", "cannot read '@/.': Is a directory"},
};

static void expand(char *out, size_t size, const char *template)
{
    size_t used = 0;
    for (const char *p = template; *p != '\0' && used + 1 < size; p++) {
        if (*p == '@')
            used += (size_t)snprintf(out + used, size - used, "%s", data_dir);
        else
            out[used++] = *p;
        if (used >= size)
            used = size - 1;
    }
    out[used] = '\0';
}

static void test_bad_empirical_files_are_rejected_with_file_and_row(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof BAD_FILES / sizeof BAD_FILES[0]; i++) {
        char text[256], expected[1024], err[1024] = "";
        snprintf(text, sizeof text, "empirical(file=%s, column=%s)", BAD_FILES[i].file,
                 BAD_FILES[i].column);
        expand(expected, sizeof expected, BAD_FILES[i].message);
        dist d;
        parse_ok(text, &d);
        int rc = dist_load_empirical(&d, data_dir, err, sizeof err);
        if (rc != -1 || strcmp(err, expected) != 0 || d.samples_s != NULL || d.n_samples != 0) {
            print_error("%s: rc %d, message\n  got      '%s'\n  expected '%s'\n", text, rc, err,
                        expected);
            fail();
        }
        dist_free(&d);
    }
}

static void test_loading_a_non_empirical_dist_does_nothing(void **state)
{
    (void)state;
    dist d;
    parse_ok("exp(mean=1h)", &d);
    char err[64] = "";
    assert_int_equal(dist_load_empirical(&d, "/nonexistent", err, sizeof err), 0);
    assert_true(d.kind == DIST_EXP && d.p1 == 3600 && d.samples_s == NULL);
    assert_string_equal(err, "");
    dist_free(&d);
}

/* ---- formatting and ownership ------------------------------------------- */

static void test_format_writes_scenario_syntax_in_the_shortest_exact_unit(void **state)
{
    (void)state;
    static const struct { const char *text, *formatted; } cases[] = {
        {"exp(mean=1000h)", "exp(mean=1000h)"},
        {"exp(mean=10h)", "exp(mean=10h)"},
        {"exp( mean = 36000 )", "exp(mean=10h)"},
        {"weibull(scale=1000h, shape=1.5)", "weibull(shape=1.5, scale=1000h)"},
        {"lognormal(median=6h, sigma=1)", "lognormal(median=6h, sigma=1)"},
        {"gamma(shape=2, scale=5h)", "gamma(shape=2, scale=5h)"},
        {"uniform(min=1h, max=3h)", "uniform(min=1h, max=3h)"},
        {"const(5m)", "const(5m)"},
        {"300", "const(5m)"},
        {"250ms", "const(0.25s)"},   /* a tie goes to the larger unit */
        {"20ms", "const(20ms)"},
        {"1.5h", "const(90m)"},
        {"7d", "const(1w)"},
        {"365d", "const(1y)"},
        {"0", "const(0s)"},
        {"0.1", "const(0.1s)"},
        {"empirical(file=data/ttr 2.csv, column=hours)",
         "empirical(file=data/ttr 2.csv, column=hours)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        dist d;
        char buf[256];
        parse_ok(cases[i].text, &d);
        dist_format(&d, buf, sizeof buf);
        if (strcmp(buf, cases[i].formatted) != 0) {
            print_error("'%s' formatted as '%s', expected '%s'\n", cases[i].text, buf,
                        cases[i].formatted);
            fail();
        }
        dist_free(&d);
    }
}

/* Property: for random parameters of every kind, parse(format(d)) == d,
 * bit for bit. */
static void test_format_then_parse_gives_back_the_same_dist(void **state)
{
    (void)state;
    gsl_rng *r = stream("round-trip");
    for (int i = 0; i < 3000; i++) {
        dist d;
        memset(&d, 0, sizeof d);
        d.kind = (dist_kind)(i % 6);   /* CONST .. UNIFORM */
        /* seconds from 1 ms to ~30 y, with full 53-bit mantissas */
        d.p1 = exp(gsl_rng_uniform(r) * 27 - 7);
        d.p2 = exp(gsl_rng_uniform(r) * 27 - 7);
        if (d.kind == DIST_LOGNORMAL || d.kind == DIST_WEIBULL || d.kind == DIST_GAMMA) {
            double *number = d.kind == DIST_LOGNORMAL ? &d.p2 : &d.p1;
            *number = 0.2 + 4 * gsl_rng_uniform(r);
        }
        if (d.kind == DIST_UNIFORM && d.p1 > d.p2) {
            double t = d.p1;
            d.p1 = d.p2;
            d.p2 = t;
        }
        if (d.kind == DIST_EXP || d.kind == DIST_CONST)
            d.p2 = 0;
        if (i % 7 == 0)   /* round numbers too */
            d.p1 = floor(d.p1);
        if (d.p1 == 0 && d.kind != DIST_CONST && d.kind != DIST_UNIFORM)
            d.p1 = 1;
        char buf[256];
        dist_format(&d, buf, sizeof buf);
        dist back;
        char err[256] = "";
        int rc = dist_parse(buf, &back, err, sizeof err);
        CHECK(rc == 0 && back.kind == d.kind && back.p1 == d.p1 && back.p2 == d.p2,
              "case %d: kind %d p1 %.17g p2 %.17g -> '%s' -> rc %d p1 %.17g p2 %.17g (%s)", i,
              (int)d.kind, d.p1, d.p2, buf, rc, back.p1, back.p2, err);
        dist_free(&back);
    }
    gsl_rng_free(r);
}

static void test_copy_is_deep_and_survives_the_original(void **state)
{
    (void)state;
    dist d, copy;
    parse_ok("empirical(file=ttr.csv, column=hours)", &d);
    load_ok(&d, data_dir);
    assert_int_equal(dist_copy(&copy, &d), 0);
    assert_true(copy.file != d.file && copy.column != d.column && copy.samples_s != d.samples_s);
    double first = d.samples_s[0];
    size_t n = d.n_samples;
    dist_free(&d);
    assert_string_equal(copy.file, "ttr.csv");
    assert_string_equal(copy.column, "hours");
    assert_int_equal(copy.n_samples, n);
    assert_true(copy.samples_s[0] == first);
    gsl_rng *r = stream("copy");
    assert_true(dist_sample(&copy, r) > 0);
    gsl_rng_free(r);
    dist_free(&copy);

    parse_ok("weibull(shape=1.5, scale=1000h)", &d);
    assert_int_equal(dist_copy(&copy, &d), 0);
    assert_true(copy.kind == DIST_WEIBULL && copy.p1 == 1.5 && copy.p2 == 3.6e6);
    assert_null(copy.file);
    assert_null(copy.samples_s);
    dist_free(&d);
    dist_free(&copy);

    /* an empirical dist that is parsed but not loaded copies too */
    parse_ok("empirical(file=x.csv, column=y)", &d);
    assert_int_equal(dist_copy(&copy, &d), 0);
    assert_string_equal(copy.file, "x.csv");
    assert_null(copy.samples_s);
    dist_free(&d);
    dist_free(&copy);
}

static void test_free_zeroes_and_tolerates_repeats(void **state)
{
    (void)state;
    dist d;
    parse_ok("empirical(file=ttr.csv, column=hours)", &d);
    load_ok(&d, data_dir);
    dist_free(&d);
    dist zero;
    memset(&zero, 0, sizeof zero);
    assert_memory_equal(&d, &zero, sizeof d);
    dist_free(&d);
    dist_free(NULL);
}

int main(int argc, char **argv)
{
    seeded_options(argc, argv, &test_seed);
    const char *slash = strrchr(__FILE__, '/');
    int dir_len = slash != NULL ? (int)(slash - __FILE__) : 1;
    snprintf(data_dir, sizeof data_dir, "%.*s/data/empirical", dir_len,
             slash != NULL ? __FILE__ : ".");

    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_distributions_parse_to_their_parameters),
        cmocka_unit_test(test_bad_distributions_are_rejected_with_their_message),
        cmocka_unit_test(test_sample_mean_is_within_four_standard_errors_of_dist_mean),
        cmocka_unit_test(test_dist_mean_is_exact_for_every_kind),
        cmocka_unit_test(test_weibull_and_lognormal_medians_are_where_theory_puts_them),
        cmocka_unit_test(test_uniform_stays_within_its_bounds_and_const_is_exact),
        cmocka_unit_test(test_samples_depend_only_on_the_stream),
        cmocka_unit_test(test_empirical_loads_every_cell_of_the_column_as_a_duration),
        cmocka_unit_test(test_empirical_accepts_crlf_a_byte_order_mark_and_no_final_newline),
        cmocka_unit_test(test_empirical_resolves_relative_paths_against_base_dir),
        cmocka_unit_test(test_bad_empirical_files_are_rejected_with_file_and_row),
        cmocka_unit_test(test_loading_a_non_empirical_dist_does_nothing),
        cmocka_unit_test(test_format_writes_scenario_syntax_in_the_shortest_exact_unit),
        cmocka_unit_test(test_format_then_parse_gives_back_the_same_dist),
        cmocka_unit_test(test_copy_is_deep_and_survives_the_original),
        cmocka_unit_test(test_free_zeroes_and_tolerates_repeats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
