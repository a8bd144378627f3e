/* Tests for demand.h: each shape against its closed form, traces (ISO and
 * relative timestamps, interpolation, hold and repeat), exact integrals,
 * peaks and next changes, and every rejected input with its message.
 *
 * Run from the repository root: the trace files are in tests/data/demand/,
 * found next to this file. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demand.h"
#include "diag.h"
#include "duration.h"
#include "ytree.h"

#define PI 3.14159265358979323846
#define H 3600.0
#define DAY 86400.0
#define YEAR DURATION_YEAR_S

static char data_dir[512];   /* tests/data/demand */

/* ---- helpers ------------------------------------------------------------------------------- */

static void near_at(double actual, double expected, double relative, const char *what,
                    const char *file, int line)
{
    double tolerance = relative * fmax(1.0, fabs(expected));
    if (!(fabs(actual - expected) <= tolerance)) {
        print_error("%s:%d: %s = %.17g, expected %.17g (relative tolerance %g)\n", file, line,
                    what, actual, expected, relative);
        fail();
    }
}
#define NEAR(actual, expected, relative) \
    near_at((actual), (expected), (relative), #actual, __FILE__, __LINE__)

static char *diag_text(const diag_list *diag)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    assert_non_null(out);
    diag_print(diag, out);
    fclose(out);
    return text;
}

/* Parses the `demand` key of a one-document YAML text written in data_dir;
 * returns what diag_print prints (malloc'd, "" when nothing). */
static char *parse(const char *yaml, demand_profile *out, bool *ok)
{
    ydoc doc;
    diag_list diag;
    diag_init(&diag);
    assert_int_equal(ydoc_load_string(&doc, "inline.yaml", data_dir, yaml, strlen(yaml), &diag),
                     0);
    yctx c = {&doc, &diag};
    ypath path = YPATH_KEY(NULL, "demand");
    *ok = demand_parse(&c, ymap_get(doc.root, "demand"), &path, out);
    char *text = diag_text(&diag);
    if (*ok && diag_has_errors(&diag)) {
        print_error("demand_parse returned true with errors:\n%s", text);
        fail();
    }
    if (!*ok && !diag_has_errors(&diag)) {
        print_error("demand_parse returned false without an error for: %s\n", yaml);
        fail();
    }
    diag_free(&diag);
    ydoc_free(&doc);
    return text;
}

static void parse_ok(const char *yaml, demand_profile *out)
{
    bool ok;
    char *text = parse(yaml, out, &ok);
    if (!ok) {
        print_error("'%s' did not parse:\n%s", yaml, text);
        free(text);
        fail();
    }
    free(text);
}

/* `expected` with every '@' replaced by data_dir. */
static char *expand(const char *expected)
{
    size_t n = 1;
    for (const char *p = expected; *p; p++)
        n += *p == '@' ? strlen(data_dir) : 1;
    char *out = malloc(n);
    assert_non_null(out);
    char *w = out;
    for (const char *p = expected; *p; p++) {
        if (*p == '@') {
            memcpy(w, data_dir, strlen(data_dir));
            w += strlen(data_dir);
        } else {
            *w++ = *p;
        }
    }
    *w = '\0';
    return out;
}

/* true when parsing yaml fails with exactly the expected lines and leaves
 * the output untouched; prints the difference otherwise. */
static bool errors_are(const char *yaml, const char *expected_pattern)
{
    demand_profile d;
    memset(&d, 0x5a, sizeof d);
    demand_profile before = d;
    bool ok;
    char *text = parse(yaml, &d, &ok);
    char *expected = expand(expected_pattern);
    bool same = !ok && strcmp(text, expected) == 0;
    if (!same)
        print_error("for: %s\nexpected:\n%sgot%s:\n%s\n", yaml, expected,
                    ok ? " (and it parsed)" : "", text);
    if (ok)
        demand_free(&d);
    else if (memcmp(&d, &before, sizeof d) != 0) {   /* *out is left untouched on failure */
        print_error("for: %s\nthe output was changed\n", yaml);
        same = false;
    }
    free(expected);
    free(text);
    return same;
}

/* Simpson's rule on each hour (traces here have rows on whole hours and
 * weekly steps are at midnight, so each hour is smooth), for comparison with
 * the exact integral.  An hour's end is taken just before it, for the limit
 * from below at a step. */
static double numeric_integral(const demand_profile *d, double a, double b)
{
    double total = 0.0;
    double s = a;
    while (s < b) {
        double e = fmin(b, (floor(s / H) + 1.0) * H);
        const int n = 64;
        double h = (e - s) / n, sum = 0.0;
        for (int i = 0; i <= n; i++) {
            double x = i == n ? e - 1e-7 : s + i * h;
            sum += (i == 0 || i == n ? 1.0 : (i % 2 ? 4.0 : 2.0)) * demand_at(d, x);
        }
        total += sum * h / 3.0;
        s = e;
    }
    return total;
}

static uint64_t lcg_state = 12345u;
static double uniform01(void)
{
    lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(lcg_state >> 11) * 0x1.0p-53;
}

/* ---- constant ------------------------------------------------------------------------------ */

static void test_constant_forms_are_the_same_everywhere(void **state)
{
    (void)state;
    static const char *const FORMS[] = {
        "demand: 1200\n",
        "demand: {requests_per_second: 1200}\n",
        "demand:\n  requests_per_second: 1200\n",
    };
    for (size_t i = 0; i < sizeof FORMS / sizeof FORMS[0]; i++) {
        demand_profile d;
        parse_ok(FORMS[i], &d);
        assert_int_equal(d.kind, DEMAND_CONSTANT);
        assert_true(demand_at(&d, 0.0) == 1200.0);
        assert_true(demand_at(&d, 7.3 * YEAR) == 1200.0);
        assert_true(demand_at(&d, -5.0 * DAY) == 1200.0);
        assert_true(demand_mean(&d, 0.0, 10.0 * YEAR) == 1200.0);
        assert_true(demand_integral(&d, 0.0, H) == 1200.0 * H);
        assert_true(demand_peak(&d, 0.0, YEAR) == 1200.0);
        assert_true(isinf(demand_next_change(&d, 5.0, 0.01)));
        demand_free(&d);
    }
}

static void test_zeroed_profile_is_constant_zero(void **state)
{
    (void)state;
    demand_profile d;
    memset(&d, 0, sizeof d);
    assert_true(demand_at(&d, 123.0) == 0.0);
    assert_true(demand_mean(&d, 0.0, DAY) == 0.0);
    assert_true(demand_peak(&d, 0.0, DAY) == 0.0);
    assert_true(isinf(demand_next_change(&d, 0.0, 0.1)));
    demand_free(&d);
    demand_free(&d);
    demand_free(NULL);
}

static void test_growth_compounds_yearly_on_a_constant(void **state)
{
    (void)state;
    demand_profile d;
    parse_ok("demand: {requests_per_second: 1000, growth: 20%}\n", &d);
    NEAR(demand_at(&d, 0.0), 1000.0, 1e-15);
    NEAR(demand_at(&d, YEAR), 1200.0, 1e-14);
    NEAR(demand_at(&d, 2.0 * YEAR), 1440.0, 1e-14);
    NEAR(demand_at(&d, 0.5 * YEAR), 1000.0 * sqrt(1.2), 1e-14);
    NEAR(demand_at(&d, -YEAR), 1000.0 / 1.2, 1e-14);
    /* the mean over the first year: integral of 1.2^x over [0, 1] = 0.2 / ln 1.2 */
    NEAR(demand_mean(&d, 0.0, YEAR), 1000.0 * 0.2 / log(1.2), 1e-13);
    NEAR(demand_mean(&d, YEAR, 2.0 * YEAR), 1200.0 * 0.2 / log(1.2), 1e-13);
    NEAR(demand_peak(&d, 0.0, YEAR), 1200.0, 1e-14);
    /* 10% above 1000: growth alone, solved in closed form */
    NEAR(demand_next_change(&d, 0.0, 0.1), YEAR * log(1.1) / log(1.2), 1e-12);
    demand_free(&d);

    parse_ok("demand: {requests_per_second: 1000, growth: -0.1}\n", &d);
    NEAR(demand_at(&d, YEAR), 900.0, 1e-14);
    NEAR(demand_peak(&d, 0.0, 3.0 * YEAR), 1000.0, 1e-15);
    NEAR(demand_next_change(&d, 0.0, 0.05), YEAR * log(0.95) / log(0.9), 1e-12);
    demand_free(&d);
}

/* ---- daily --------------------------------------------------------------------------------- */

static void test_daily_peak_trough_and_mean_are_the_closed_forms(void **state)
{
    (void)state;
    demand_profile d;
    parse_ok("demand: {pattern: daily, peak: 3000, peak_to_trough: 4, peak_hour: 14}\n", &d);
    assert_int_equal(d.kind, DEMAND_DAILY);
    for (int day = -3; day < 400; day += 37) {
        NEAR(demand_at(&d, day * DAY + 14.0 * H), 3000.0, 1e-14);      /* the peak at 14:00 */
        NEAR(demand_at(&d, day * DAY + 2.0 * H), 750.0, 1e-12);       /* the trough 12 h away */
        NEAR(demand_at(&d, day * DAY + 8.0 * H), 1875.0, 1e-12);       /* halfway between */
        NEAR(demand_mean(&d, day * DAY, (day + 1) * DAY), 1875.0, 1e-12);
        NEAR(demand_mean(&d, day * DAY + 5.5 * H, (day + 1) * DAY + 5.5 * H), 1875.0, 1e-12);
    }
    NEAR(demand_mean(&d, 0.0, 10.0 * YEAR), 1875.0, 1e-12);
    /* the half day around the peak: M + A * 2/pi; from the trough to the peak: M */
    NEAR(demand_mean(&d, 8.0 * H, 20.0 * H), 1875.0 + 1125.0 * 2.0 / PI, 1e-12);
    NEAR(demand_mean(&d, 2.0 * H, 14.0 * H), 1875.0, 1e-12);
    /* symmetric about the peak */
    NEAR(demand_at(&d, 14.0 * H - 3.0 * H), demand_at(&d, 14.0 * H + 3.0 * H), 1e-12);
    /* peaks: a window holding 14:00 has the peak; one that does not, its higher end */
    NEAR(demand_peak(&d, 0.0, DAY), 3000.0, 1e-14);
    NEAR(demand_peak(&d, 10.0 * H, 15.0 * H), 3000.0, 1e-14);
    NEAR(demand_peak(&d, 15.0 * H, 20.0 * H), demand_at(&d, 15.0 * H), 1e-14);
    NEAR(demand_peak(&d, 3.0 * H, 9.0 * H), demand_at(&d, 9.0 * H), 1e-14);
    NEAR(demand_peak(&d, 0.0, 1.0 * H), demand_at(&d, 0.0), 1e-14);
    demand_free(&d);

    /* the default peak hour is 14:00; a ratio of 1 is flat */
    parse_ok("demand: {pattern: daily, peak: 10, peak_to_trough: 1}\n", &d);
    assert_true(d.peak_hour == DEMAND_DEFAULT_PEAK_HOUR);
    NEAR(demand_at(&d, 3.7 * H), 10.0, 1e-15);
    assert_true(isinf(demand_next_change(&d, 0.0, 1e-6)));
    demand_free(&d);
}

static void test_daily_growth_is_exactly_one_plus_g_a_year_later(void **state)
{
    (void)state;
    demand_profile d;
    parse_ok("demand: {pattern: daily, peak: 3000, peak_to_trough: 4, peak_hour: 14, "
             "growth: 20%}\n", &d);
    for (double t = 0.0; t < DAY; t += 2.5 * H) {
        NEAR(demand_at(&d, t + YEAR), 1.2 * demand_at(&d, t), 1e-13);
        NEAR(demand_at(&d, t + 3.0 * YEAR), 1.2 * 1.2 * 1.2 * demand_at(&d, t), 1e-13);
    }
    /* the peak over the first year is on its last day, where growth moves it
     * a little after 14:00: the peak is no lower than any second of that
     * day, and the highest second is within a second's rise of it */
    double last_day = YEAR - DAY;
    double peak = demand_peak(&d, 0.0, YEAR);
    double highest = 0.0, highest_at = 0.0;
    for (double t = last_day; t <= YEAR; t += 1.0) {
        double v = demand_at(&d, t);
        assert_true(v <= peak * (1.0 + 1e-15));
        if (v > highest) {
            highest = v;
            highest_at = t;
        }
    }
    NEAR(peak, highest, 1e-10);   /* a second's grid is that close to the top */
    assert_true(highest_at > last_day + 14.0 * H && highest_at < last_day + 14.0 * H + 60.0);
    /* exact integrals, against Simpson's rule */
    double a = 1.3 * DAY, b = 9.7 * DAY;
    NEAR(demand_integral(&d, a, b), numeric_integral(&d, a, b), 1e-11);
    a = 2.0 * YEAR + 0.3 * H;
    b = a + 3.1 * DAY;
    NEAR(demand_integral(&d, a, b), numeric_integral(&d, a, b), 1e-11);
    demand_free(&d);
}

/* ---- weekly -------------------------------------------------------------------------------- */

static void test_weekly_weekends_are_scaled_by_the_factor(void **state)
{
    (void)state;
    demand_profile d;
    parse_ok("demand: {pattern: weekly, peak: 3000, peak_to_trough: 4, weekend_factor: 0.6}\n",
             &d);
    assert_int_equal(d.kind, DEMAND_WEEKLY);
    /* 2026-01-01 is a Thursday: day 2 is Saturday, 3 Sunday, 4 Monday */
    NEAR(demand_at(&d, 0.0 * DAY + 14.0 * H), 3000.0, 1e-14);   /* Thursday */
    NEAR(demand_at(&d, 1.0 * DAY + 14.0 * H), 3000.0, 1e-14);   /* Friday */
    NEAR(demand_at(&d, 2.0 * DAY + 14.0 * H), 1800.0, 1e-14);   /* Saturday */
    NEAR(demand_at(&d, 3.0 * DAY + 2.0 * H), 450.0, 1e-12);     /* Sunday's trough */
    NEAR(demand_at(&d, 4.0 * DAY + 14.0 * H), 3000.0, 1e-14);   /* Monday */
    NEAR(demand_at(&d, 9.0 * DAY + 14.0 * H), 1800.0, 1e-14);   /* the next Saturday */
    NEAR(demand_at(&d, -5.0 * DAY + 14.0 * H), 1800.0, 1e-14);  /* 2025-12-27, a Saturday */
    NEAR(demand_at(&d, -6.0 * DAY + 14.0 * H), 3000.0, 1e-14);  /* 2025-12-26, a Friday */
    /* the factor steps at midnight UTC: the value after the step */
    NEAR(demand_at(&d, 2.0 * DAY), 0.6 * demand_at(&d, 0.0), 1e-14);
    /* a whole week: five days at 1875 and two at 0.6 * 1875 */
    double week = 1875.0 * (5.0 + 2.0 * 0.6) / 7.0;
    NEAR(demand_mean(&d, 0.0, 7.0 * DAY), week, 1e-12);
    NEAR(demand_mean(&d, 3.3 * DAY, 10.3 * DAY), week, 1e-12);
    NEAR(demand_mean(&d, 0.0, 52.0 * 7.0 * DAY), week, 1e-12);
    NEAR(demand_mean(&d, 2.0 * DAY, 4.0 * DAY), 0.6 * 1875.0, 1e-12);
    NEAR(demand_peak(&d, 2.0 * DAY, 4.0 * DAY), 1800.0, 1e-14);
    NEAR(demand_peak(&d, 0.0, 30.0 * DAY), 3000.0, 1e-14);
    demand_free(&d);
}

static void test_weekly_peak_is_the_supremum_at_a_step(void **state)
{
    (void)state;
    demand_profile d;
    /* peak at midnight: Friday rises toward 3000 until Saturday 00:00, when it drops to 0.5x */
    parse_ok("demand: {pattern: weekly, peak: 3000, peak_to_trough: 3, peak_hour: 0, "
             "weekend_factor: 0.5}\n", &d);
    NEAR(demand_peak(&d, 1.5 * DAY, 2.5 * DAY), 3000.0, 1e-14);
    assert_true(demand_at(&d, 2.0 * DAY) < 1501.0);
    /* ... and back up at Monday 00:00 */
    NEAR(demand_peak(&d, 3.5 * DAY, 4.0 * DAY), 3000.0, 1e-14);
    NEAR(demand_peak(&d, 2.2 * DAY, 3.9 * DAY), demand_at(&d, 3.0 * DAY), 1e-14);
    demand_free(&d);
}

static void test_weekly_with_growth_integrates_exactly(void **state)
{
    (void)state;
    demand_profile d;
    parse_ok("demand: {pattern: weekly, peak: 3000, peak_to_trough: 4, peak_hour: 9.5, "
             "weekend_factor: 0.6, growth: 35%}\n", &d);
    static const double WINDOWS[][2] = {
        {0.0, 7.0 * DAY}, {1.3 * DAY, 40.7 * DAY}, {-10.2 * DAY, 3.1 * DAY},
        {2.0 * DAY, 4.0 * DAY}, {2.5 * DAY, 2.6 * DAY}, {400.0 * DAY, 460.25 * DAY},
    };
    for (size_t i = 0; i < sizeof WINDOWS / sizeof WINDOWS[0]; i++)
        NEAR(demand_integral(&d, WINDOWS[i][0], WINDOWS[i][1]),
             numeric_integral(&d, WINDOWS[i][0], WINDOWS[i][1]), 1e-11);
    /* without growth each whole week is the same; with it, (1 + g)^(7 d / 1 y) more */
    NEAR(demand_integral(&d, 7.0 * DAY, 14.0 * DAY) / demand_integral(&d, 0.0, 7.0 * DAY),
         pow(1.35, 7.0 * DAY / YEAR), 1e-13);
    /* a year on, the same instant of a 52-week cycle later */
    NEAR(demand_at(&d, 364.0 * DAY + 9.5 * H),
         pow(1.35, (364.0 * DAY + 9.5 * H) / YEAR) * 3000.0, 1e-13);
    demand_free(&d);
}

/* ---- traces -------------------------------------------------------------------------------- */

static void test_trace_interpolates_linearly_and_holds_its_ends(void **state)
{
    (void)state;
    demand_profile d;
    parse_ok("demand: {trace: basic.csv}\n", &d);    /* 0 100, 1h 200, 2h 200, 3h 50 */
    assert_int_equal(d.kind, DEMAND_TRACE);
    assert_int_equal(d.trace.n, 4);
    NEAR(demand_at(&d, 0.0), 100.0, 0);
    NEAR(demand_at(&d, 0.5 * H), 150.0, 1e-15);
    NEAR(demand_at(&d, 0.25 * H), 125.0, 1e-15);
    NEAR(demand_at(&d, 1.5 * H), 200.0, 0);
    NEAR(demand_at(&d, 2.5 * H), 125.0, 1e-15);
    NEAR(demand_at(&d, 3.0 * H), 50.0, 0);
    NEAR(demand_at(&d, 30.0 * DAY), 50.0, 0);    /* held after the last row */
    NEAR(demand_at(&d, -1.0 * H), 100.0, 0);     /* and before the first */
    /* trapezoids: (150 + 200 + 125) h over 3 h */
    NEAR(demand_mean(&d, 0.0, 3.0 * H), 475.0 / 3.0, 1e-14);
    NEAR(demand_integral(&d, 0.5 * H, 2.5 * H), (175.0 * 0.5 + 200.0 + 162.5 * 0.5) * H, 1e-14);
    NEAR(demand_integral(&d, -2.0 * H, 5.0 * H), (200.0 + 475.0 + 100.0) * H, 1e-14);
    NEAR(demand_peak(&d, 0.0, 3.0 * H), 200.0, 0);
    NEAR(demand_peak(&d, 2.5 * H, 2.9 * H), 125.0, 1e-15);
    NEAR(demand_peak(&d, 0.1 * H, 0.2 * H), 120.0, 1e-14);
    NEAR(demand_peak(&d, 5.0 * H, 9.0 * H), 50.0, 0);
    /* 100 -> 110 on the first row's slope of 100 per hour */
    NEAR(demand_next_change(&d, 0.0, 0.1), 0.1 * H, 1e-9);
    /* at the plateau: until 200 - 20 on the way down */
    NEAR(demand_next_change(&d, 1.0 * H, 0.1), 2.0 * H + 20.0 / 150.0 * H, 1e-9);
    assert_true(isinf(demand_next_change(&d, 3.0 * H, 0.01)));
    demand_free(&d);
}

static void test_trace_repeat_cycles_in_both_directions(void **state)
{
    (void)state;
    demand_profile d;
    parse_ok("demand: {trace: basic.csv, repeat: true}\n", &d);
    assert_true(d.trace.repeat);
    NEAR(d.trace.period_s, 3.0 * H, 0);
    NEAR(demand_at(&d, 3.0 * H), 100.0, 0);          /* the last row's time starts a cycle */
    NEAR(demand_at(&d, 3.5 * H), 150.0, 1e-15);
    NEAR(demand_at(&d, 300.0 * H + 2.5 * H), 125.0, 1e-13);
    NEAR(demand_at(&d, -0.5 * H), 125.0, 1e-15);     /* before the first row: the cycle too */
    NEAR(demand_mean(&d, 0.0, 30.0 * H), 475.0 / 3.0, 1e-13);
    NEAR(demand_mean(&d, -7.0 * H, 2.0 * H), 475.0 / 3.0, 1e-13);
    NEAR(demand_integral(&d, 2.5 * H, 3.5 * H), (43.75 + 62.5) * H, 1e-13);
    /* the end of a cycle runs down to 50, then steps back to 100 */
    NEAR(demand_peak(&d, 2.5 * H, 3.2 * H), 125.0, 1e-14);
    NEAR(demand_peak(&d, 0.0, 100.0 * H), 200.0, 0);
    NEAR(demand_next_change(&d, 2.9 * H, 0.5), 3.0 * H, 1e-9);   /* 55 -> 100: the step */
    /* the whole cycle stays within 100 +- 150 */
    assert_true(isinf(demand_next_change(&d, 0.0, 1.5)));
    demand_free(&d);
}

static void test_trace_reads_iso_timestamps_crlf_quotes_and_a_bom(void **state)
{
    (void)state;
    demand_profile d;
    parse_ok("demand: {trace: iso.csv}\n", &d);
    assert_int_equal(d.trace.n, 5);
    assert_true(d.trace.t_s[0] == -3600.0);           /* 2025-12-31T23:00:00Z */
    assert_true(d.trace.t_s[1] == 0.0);               /* 2026-01-01T00:00:00Z */
    assert_true(d.trace.t_s[2] == 21600.5);           /* 2026-01-01T06:00:00.5Z */
    assert_true(d.trace.t_s[3] == 86400.0);           /* 2026-01-02T00:00:00Z */
    assert_true(d.trace.t_s[4] == 789.0 * 86400.0);   /* 2028-02-29, a leap day */
    assert_true(d.trace.rps[2] == 200.5);
    assert_true(d.trace.rps[4] == 0.0);
    assert_true(strcmp(d.trace.file, "tests/data/demand/iso.csv") == 0 ||
                strstr(d.trace.file, "/iso.csv") != NULL);
    NEAR(demand_at(&d, -1800.0), 75.0, 1e-15);
    demand_free(&d);

    parse_ok("demand: {trace: single.csv}\n", &d);    /* one row: a constant */
    NEAR(demand_at(&d, 0.0), 250.0, 0);
    NEAR(demand_at(&d, 10.0 * DAY), 250.0, 0);
    NEAR(demand_mean(&d, -DAY, DAY), 250.0, 1e-15);
    demand_free(&d);
    parse_ok("demand: {trace: single.csv, repeat: true, growth: 10%}\n", &d);
    NEAR(demand_at(&d, YEAR), 275.0, 1e-14);
    NEAR(demand_mean(&d, 0.0, YEAR), 250.0 * 0.1 / log(1.1), 1e-13);
    demand_free(&d);
}

static void test_trace_with_growth_integrates_and_peaks_exactly(void **state)
{
    (void)state;
    for (int repeat = 0; repeat < 2; repeat++) {
        demand_profile d;
        parse_ok(repeat ? "demand: {trace: basic.csv, repeat: true, growth: 500%}\n"
                        : "demand: {trace: basic.csv, growth: 500%}\n", &d);
        NEAR(demand_at(&d, YEAR + 3.0 * H), 6.0 * demand_at(&d, 3.0 * H), 1e-12);
        static const double WINDOWS[][2] = {
            {0.0, 3.0 * H}, {0.3 * H, 2.9 * H}, {-4.0 * H, 11.0 * H},
            {200.0 * DAY, 200.0 * DAY + 7.5 * H},
        };
        for (size_t i = 0; i < sizeof WINDOWS / sizeof WINDOWS[0]; i++)
            NEAR(demand_integral(&d, WINDOWS[i][0], WINDOWS[i][1]),
                 numeric_integral(&d, WINDOWS[i][0], WINDOWS[i][1]), 1e-11);
        /* long windows use the geometric sum of cycles */
        NEAR(demand_integral(&d, -3.0 * DAY, 50.0 * DAY),
             numeric_integral(&d, -3.0 * DAY, 50.0 * DAY), 1e-10);
        /* the peak over the plateau is at its end, grown */
        NEAR(demand_peak(&d, 0.0, 2.5 * H), demand_at(&d, 2.0 * H), 1e-14);
        demand_free(&d);
    }
}

static void test_cursor_gives_the_same_values(void **state)
{
    (void)state;
    demand_profile d;
    parse_ok("demand: {trace: iso.csv, repeat: true}\n", &d);
    size_t cursor = 0;
    for (int i = 0; i < 5000; i++) {
        double t = -2.0 * DAY + i * 1234.5;
        assert_true(demand_at_cursor(&d, t, &cursor) == demand_at(&d, t));
    }
    for (int i = 0; i < 2000; i++) {   /* and jumping about */
        double t = (uniform01() - 0.3) * 5.0 * YEAR;
        assert_true(demand_at_cursor(&d, t, &cursor) == demand_at(&d, t));
    }
    demand_free(&d);
}

/* ---- next change --------------------------------------------------------------------------- */

static void test_next_change_daily_matches_the_cosine(void **state)
{
    (void)state;
    demand_profile d;
    parse_ok("demand: {pattern: daily, peak: 3000, peak_to_trough: 4, peak_hour: 14}\n", &d);
    /* from the peak, 10% down: 3000 - 1125 (1 - cos x) = 2700 */
    double expected = 14.0 * H + acos(1.0 - 300.0 / 1125.0) / (2.0 * PI) * DAY;
    NEAR(demand_next_change(&d, 14.0 * H, 0.1), expected, 1e-10);
    /* from the trough, 10% up */
    expected = 2.0 * H + acos(1.0 - 75.0 / 1125.0) / (2.0 * PI) * DAY;
    NEAR(demand_next_change(&d, 2.0 * H, 0.1), expected, 1e-10);
    /* a band wider than the day's swing is never left */
    assert_true(isinf(demand_next_change(&d, 0.0, 4.0)));
    demand_free(&d);

    /* with growth it is left at last: after the day's swing, growth alone */
    parse_ok("demand: {pattern: daily, peak: 3000, peak_to_trough: 4, peak_hour: 14, "
             "growth: 20%}\n", &d);
    double t = demand_next_change(&d, 14.0 * H, 4.0);
    assert_true(isfinite(t));
    double hi = 5.0 * demand_at(&d, 14.0 * H);
    NEAR(demand_at(&d, t), hi, 1e-9);
    assert_true(demand_peak(&d, 14.0 * H, t - 1e-3) < hi);
    NEAR(t / YEAR, log(5.0) / log(1.2), 1e-2);   /* about 8.8 years */
    demand_free(&d);
}

static void test_next_change_stops_at_a_weekend_step(void **state)
{
    (void)state;
    demand_profile d;
    parse_ok("demand: {pattern: weekly, peak: 3000, peak_to_trough: 2, peak_hour: 0, "
             "weekend_factor: 0.6}\n", &d);
    /* Friday 23:00 rises by under 1% to midnight, then Saturday is 40% down */
    assert_true(demand_next_change(&d, 2.0 * DAY - H, 0.05) == 2.0 * DAY);
    /* Sunday 23:00, at 0.6x, to Monday at 1x */
    assert_true(demand_next_change(&d, 4.0 * DAY - H, 0.05) == 4.0 * DAY);
    demand_free(&d);
}

/* Between t and the answer D stays in the band; at the answer it reaches the edge. */
static void check_next_change(const demand_profile *d, double t, double tol)
{
    double now = demand_at(d, t);
    double w = tol * fmax(now, 1.0);
    double next = demand_next_change(d, t, tol);
    if (!(next > t)) {
        print_error("next_change(%.17g, %g) = %.17g is not after t\n", t, tol, next);
        fail();
    }
    if (isinf(next))
        next = t + 3.0 * YEAR;
    double last = nextafter(next, -INFINITY);
    double high = demand_peak(d, t, fmax(t, next - 2e-6));
    if (!(high < now + w)) {
        print_error("t %.17g tol %g: peak %.17g before %.17g reaches %.17g\n", t, tol, high,
                    next, now + w);
        fail();
    }
    for (int i = 1; i <= 200; i++) {
        double s = t + (last - t) * i / 200.0 - 2e-6;
        if (s <= t)
            continue;
        double v = demand_at(d, s);
        if (!(v > now - w && v < now + w)) {
            print_error("t %.17g tol %g: D(%.17g) = %.17g leaves %.17g +- %.17g before %.17g\n",
                        t, tol, s, v, now, w, next);
            fail();
        }
    }
    if (next < t + 3.0 * YEAR) {
        double after = demand_at(d, next);
        double tolerance = 1e-5 * fmax(1.0, now);
        if (!(after >= now + w - tolerance || after <= now - w + tolerance)) {
            print_error("t %.17g tol %g: at %.17g D = %.17g, not at the edge of %.17g +- %.17g\n",
                        t, tol, next, after, now, w);
            fail();
        }
    }
}

static void test_next_change_keeps_demand_within_the_band(void **state)
{
    (void)state;
    static const char *const PROFILES[] = {
        "demand: {pattern: daily, peak: 3000, peak_to_trough: 4, peak_hour: 14}\n",
        "demand: {pattern: daily, peak: 3000, peak_to_trough: 4, growth: 50%}\n",
        "demand: {pattern: daily, peak: 3000, peak_to_trough: 4, growth: -30%}\n",
        "demand: {pattern: weekly, peak: 3000, peak_to_trough: 4, weekend_factor: 0.6}\n",
        "demand: {pattern: weekly, peak: 3000, peak_to_trough: 4, weekend_factor: 1.7, "
        "peak_hour: 23.5, growth: 25%}\n",
        "demand: {trace: basic.csv}\n",
        "demand: {trace: basic.csv, repeat: true, growth: 40%}\n",
        "demand: {trace: iso.csv, growth: -20%}\n",
        "demand: {trace: iso.csv, repeat: true}\n",
        "demand: {requests_per_second: 50, growth: 3%}\n",
    };
    static const double TOLERANCES[] = {0.001, 0.02, 0.1, 0.5, 5.0};   /* 5: growth must do it */
    for (size_t p = 0; p < sizeof PROFILES / sizeof PROFILES[0]; p++) {
        demand_profile d;
        parse_ok(PROFILES[p], &d);
        for (int i = 0; i < 25; i++) {
            double t = (uniform01() - 0.1) * 30.0 * DAY;
            for (size_t k = 0; k < sizeof TOLERANCES / sizeof TOLERANCES[0]; k++)
                check_next_change(&d, t, TOLERANCES[k]);
        }
        demand_free(&d);
    }
}

static void test_next_change_steps_through_a_day(void **state)
{
    (void)state;
    /* piecewise-constant stepping at 5%: each step stays in its band, and the
     * number of steps is what the swing needs */
    demand_profile d;
    parse_ok("demand: {pattern: daily, peak: 3000, peak_to_trough: 4}\n", &d);
    double t = 0.0;
    int steps = 0;
    while (t < DAY && steps < 1000) {
        t = demand_next_change(&d, t, 0.05);
        steps++;
    }
    assert_true(steps > 40 && steps < 80);
    demand_free(&d);
    assert_true(isnan(demand_next_change(&d, 0.0, 0.0)));
}

/* ---- rejected YAML ------------------------------------------------------------------------- */

static const struct {
    const char *yaml;
    const char *errors;
} BAD_YAML[] = {
    {"demand: [1, 2]\n",
     "inline.yaml:1:9: error: demand: expected requests per second, or a mapping with "
     "requests_per_second, pattern or trace, found a list\n"},
    {"demand:\n",
     "inline.yaml:1:8: error: demand: expected requests per second, or a mapping with "
     "requests_per_second, pattern or trace, found nothing\n"},
    {"demand: abc\n", "inline.yaml:1:9: error: demand: 'abc' is not a whole number\n"},
    {"demand: 1.5\n", "inline.yaml:1:9: error: demand: '1.5' is not a whole number\n"},
    {"demand: -5\n",
     "inline.yaml:1:9: error: demand: -5 is out of range (0 to 1000000000000)\n"},
    {"demand: {requests_per_second: -5}\n",
     "inline.yaml:1:31: error: demand.requests_per_second: -5 is out of range "
     "(0 to 1000000000000)\n"},
    {"demand: {requests_per_second: 1.5}\n",
     "inline.yaml:1:31: error: demand.requests_per_second: '1.5' is not a whole number\n"},
    {"demand: {}\n",
     "inline.yaml:1:9: error: demand: needs one of requests_per_second, pattern or trace\n"},
    {"demand: {requests_per_minute: 6000}\n",
     "inline.yaml:1:10: error: demand: unknown key 'requests_per_minute' (expected one of: "
     "requests_per_second, pattern, trace, peak, peak_to_trough, peak_hour, weekend_factor, "
     "repeat, growth)\n"
     "inline.yaml:1:9: error: demand: needs one of requests_per_second, pattern or trace\n"},
    {"demand: {pattern: daily, peek: 6000, peak_to_trough: 2}\n",
     "inline.yaml:1:26: error: demand: unknown key 'peek' (did you mean 'peak'?)\n"
     "inline.yaml:1:9: error: demand: missing required key 'peak'\n"},
    {"demand: {pattern: daily, peak: 1, peak_to_trough: 2, trace: x.csv, "
     "requests_per_second: 4}\n",
     "inline.yaml:1:54: error: demand.trace: 'trace' cannot be combined with 'pattern' (give "
     "one of requests_per_second, pattern or trace)\n"
     "inline.yaml:1:68: error: demand.requests_per_second: 'requests_per_second' cannot be "
     "combined with 'pattern' (give one of requests_per_second, pattern or trace)\n"},
    {"demand: {pattern: hourly, peak: 1, peak_to_trough: 2}\n",
     "inline.yaml:1:19: error: demand.pattern: unknown pattern 'hourly' (use daily or "
     "weekly)\n"},
    {"demand: {pattern: [daily]}\n",
     "inline.yaml:1:19: error: demand.pattern: expected a string, found a list\n"},
    {"demand: {pattern: daily}\n",
     "inline.yaml:1:9: error: demand: missing required key 'peak'\n"
     "inline.yaml:1:9: error: demand: missing required key 'peak_to_trough'\n"},
    {"demand: {pattern: daily, peak: 0, peak_to_trough: 0.5, peak_hour: 24}\n",
     "inline.yaml:1:32: error: demand.peak: 0 is out of range (more than 0 and at most 1e12 "
     "requests per second)\n"
     "inline.yaml:1:51: error: demand.peak_to_trough: 0.5 is below 1 (the peak divided by the "
     "trough)\n"
     "inline.yaml:1:67: error: demand.peak_hour: 24 is out of range (an hour of the day in "
     "UTC, 0 to below 24)\n"},
    {"demand: {pattern: daily, peak: 2e12, peak_to_trough: 4, peak_hour: -1}\n",
     "inline.yaml:1:32: error: demand.peak: 2e12 is out of range (more than 0 and at most 1e12 "
     "requests per second)\n"
     "inline.yaml:1:68: error: demand.peak_hour: -1 is out of range (an hour of the day in "
     "UTC, 0 to below 24)\n"},
    {"demand: {pattern: daily, peak: abc, peak_to_trough: .nan, peak_hour: [1]}\n",
     "inline.yaml:1:32: error: demand.peak: 'abc' is not a number\n"
     "inline.yaml:1:53: error: demand.peak_to_trough: '.nan': NaN and infinite values are not "
     "allowed\n"
     "inline.yaml:1:70: error: demand.peak_hour: expected a number, found a list\n"},
    {"demand: {pattern: daily, peak: .inf, peak_to_trough: 4}\n",
     "inline.yaml:1:32: error: demand.peak: '.inf': NaN and infinite values are not "
     "allowed\n"},
    {"demand: {pattern: weekly, peak: 3000, peak_to_trough: 4}\n",
     "inline.yaml:1:9: error: demand: missing required key 'weekend_factor'\n"},
    {"demand: {pattern: weekly, peak: 3000, peak_to_trough: 4, weekend_factor: -0.1}\n",
     "inline.yaml:1:74: error: demand.weekend_factor: -0.1 is out of range (0 to 1000)\n"},
    {"demand: {pattern: daily, peak: 3000, peak_to_trough: 4, weekend_factor: 0.6, "
     "repeat: true}\n",
     "inline.yaml:1:57: error: demand.weekend_factor: only with pattern: weekly\n"
     "inline.yaml:1:78: error: demand.repeat: only with trace\n"},
    {"demand: {requests_per_second: 100, peak: 5, growth: 5%}\n",
     "inline.yaml:1:36: error: demand.peak: only with pattern: daily or weekly\n"},
    {"demand: {trace: basic.csv, peak_hour: 3, peak_to_trough: 2}\n",
     "inline.yaml:1:28: error: demand.peak_hour: only with pattern: daily or weekly\n"
     "inline.yaml:1:42: error: demand.peak_to_trough: only with pattern: daily or weekly\n"},
    {"demand: {requests_per_second: 100, growth: fast}\n",
     "inline.yaml:1:44: error: demand.growth: 'fast' is not a growth rate (write 20% or 0.2 "
     "for 20% a year)\n"},
    {"demand: {requests_per_second: 100, growth: -100%}\n",
     "inline.yaml:1:44: error: demand.growth: -100% is out of range (more than -100% and at "
     "most 1000% a year)\n"},
    {"demand: {requests_per_second: 100, growth: 1001%}\n",
     "inline.yaml:1:44: error: demand.growth: 1001% is out of range (more than -100% and at "
     "most 1000% a year)\n"},
    {"demand: {requests_per_second: 100, growth: .inf}\n",
     "inline.yaml:1:44: error: demand.growth: '.inf': NaN and infinite values are not "
     "allowed\n"},
    {"demand: {requests_per_second: 100, growth: nan%}\n",
     "inline.yaml:1:44: error: demand.growth: 'nan%': NaN and infinite values are not "
     "allowed\n"},
    {"demand: {requests_per_second: 100, growth: {a: 1}}\n",
     "inline.yaml:1:44: error: demand.growth: expected a yearly growth rate such as 20%, found "
     "a mapping\n"},
    {"demand: {trace: basic.csv, repeat: yes}\n",
     "inline.yaml:1:36: error: demand.repeat: expected true or false, found 'yes'\n"},
    {"demand: {trace: basic.csv, repeat: }\n",
     "inline.yaml:1:36: error: demand.repeat: expected true or false, found nothing\n"},
    {"demand: {trace: ''}\n", "inline.yaml:1:17: error: demand.trace: the file name is empty\n"},
    {"demand: {trace: [a.csv]}\n",
     "inline.yaml:1:17: error: demand.trace: expected a string, found a list\n"},
    {"demand: {trace: missing.csv}\n",
     "inline.yaml:1:17: error: demand.trace: cannot open '@/missing.csv': No such file or "
     "directory\n"},
    {"demand: {trace: .}\n",
     "inline.yaml:1:17: error: demand.trace: cannot read '@/.': Is a directory\n"},
    /* a bad key does not stop the file's own problems from being reported */
    {"demand: {trace: empty.csv, growth: x}\n",
     "inline.yaml:1:36: error: demand.growth: 'x' is not a growth rate (write 20% or 0.2 for "
     "20% a year)\n"
     "@/empty.csv: error: demand.trace: the file is empty (expected the header "
     "timestamp,requests_per_second and at least one row)\n"},
};

static void test_bad_yaml_is_rejected_with_its_message(void **state)
{
    (void)state;
    size_t wrong = 0;
    for (size_t i = 0; i < sizeof BAD_YAML / sizeof BAD_YAML[0]; i++)
        wrong += !errors_are(BAD_YAML[i].yaml, BAD_YAML[i].errors);
    assert_int_equal(wrong, 0);
}

/* ---- rejected CSV -------------------------------------------------------------------------- */

#define T ": error: demand.trace: "

static const struct {
    const char *file;
    const char *errors;
} BAD_CSV[] = {
    {"empty.csv",
     "@/empty.csv" T "the file is empty (expected the header timestamp,requests_per_second and "
     "at least one row)\n"},
    {"header_only.csv",
     "@/header_only.csv" T "no rows after the header (expected at least one row of "
     "timestamp,requests_per_second)\n"},
    {"no_header.csv",
     "@/no_header.csv:1:1" T "the first row must be the header "
     "'timestamp,requests_per_second', found '0,100'\n"},
    {"wrong_header.csv",
     "@/wrong_header.csv:1:1" T "the first row must be the header "
     "'timestamp,requests_per_second', found 'time,rps'\n"},
    {"short_header.csv",
     "@/short_header.csv:1:2" T "the first row must be the header "
     "'timestamp,requests_per_second', found 'timestamp'\n"
     "@/short_header.csv:2:2" T "expected 2 fields (timestamp,requests_per_second), found 1\n"},
    {"malformed.csv",
     "@/malformed.csv:3:2" T "malformed CSV (error parsing data while strict checking "
     "enabled)\n"},
    {"unterminated.csv",
     "@/unterminated.csv:3:2" T "malformed CSV (error parsing data while strict checking "
     "enabled)\n"},
    {"bad_rows.csv",
     "@/bad_rows.csv:3:2" T "requests_per_second 'abc' is not a number\n"
     "@/bad_rows.csv:4:2" T "requests_per_second '-5' is negative\n"
     "@/bad_rows.csv:5:2" T "requests_per_second 'nan': NaN and infinite values are not "
     "allowed\n"
     "@/bad_rows.csv:6:2" T "requests_per_second 'inf': NaN and infinite values are not "
     "allowed\n"
     "@/bad_rows.csv:7:2" T "requests_per_second '1e13' is out of range (0 to 1e12)\n"
     "@/bad_rows.csv:8:2" T "empty requests_per_second\n"
     "@/bad_rows.csv:9:1" T "empty timestamp\n"
     "@/bad_rows.csv:10:1" T "timestamp 'yesterday' is neither ISO-8601 UTC "
     "(2026-01-01T00:00:00Z) nor a time since the start (3600 or 1h)\n"
     "@/bad_rows.csv:11:1" T "timestamp '-5' is negative (a time since the start is 0 or "
     "more)\n"
     "@/bad_rows.csv:12:1" T "timestamp '2026-13-01T00:00:00Z': month 13 does not exist\n"
     "@/bad_rows.csv:13:1" T "timestamp '2026-02-29T00:00:00Z': day 29 does not exist in "
     "2026-02\n"
     "@/bad_rows.csv:14:1" T "timestamp '2026-01-01T24:00:00Z': the time 24:00:00 does not "
     "exist (00:00:00 to 23:59:59; no leap seconds)\n"
     "@/bad_rows.csv:15:1" T "timestamp '2026-01-01T10:00:00+02:00' is not UTC (write the time "
     "in UTC, ending in Z)\n"
     "@/bad_rows.csv:16:1" T "timestamp '2026-01-01 10:00:00' is not ISO-8601 UTC (write "
     "2026-01-01T00:00:00Z)\n"
     "@/bad_rows.csv:17:3" T "expected 2 fields (timestamp,requests_per_second), found 3\n"
     "@/bad_rows.csv:18:2" T "expected 2 fields (timestamp,requests_per_second), found 1\n"
     "@/bad_rows.csv:20:1" T "timestamp '9h' is not after the previous row's '9h' (line 19)\n"
     "@/bad_rows.csv:21:1" T "timestamp '2026-01-01T08:00:00Z' is not after the previous "
     "row's '9h' (line 19)\n"
     "@/bad_rows.csv:22:2" T "requests_per_second '1e999' is out of range (0 to 1e12)\n"},
};

static void test_bad_csv_is_rejected_at_its_row_and_field(void **state)
{
    (void)state;
    size_t wrong = 0;
    for (size_t i = 0; i < sizeof BAD_CSV / sizeof BAD_CSV[0]; i++) {
        char yaml[256];
        snprintf(yaml, sizeof yaml, "demand: {trace: %s}\n", BAD_CSV[i].file);
        wrong += !errors_are(yaml, BAD_CSV[i].errors);
    }
    assert_int_equal(wrong, 0);
}

static void test_row_limit_is_enforced(void **state)
{
    (void)state;
    char path[600];
    snprintf(path, sizeof path, "%s/basic.csv", data_dir);
    diag_list diag;
    diag_init(&diag);
    demand_profile d;
    assert_true(demand_load_trace(path, false, 0.0, 4, "demand.trace", &diag, &d));
    assert_false(diag_has_errors(&diag));
    assert_int_equal(d.trace.n, 4);
    demand_free(&d);

    assert_false(demand_load_trace(path, false, 0.0, 3, "demand.trace", &diag, &d));
    char *text = diag_text(&diag);
    char *expected = expand("@/basic.csv:5:1" T "more than 3 rows (the limit)\n");
    assert_string_equal(text, expected);
    free(text);
    free(expected);
    diag_free(&diag);

    diag_init(&diag);
    snprintf(path, sizeof path, "%s/missing.csv", data_dir);
    assert_false(demand_load_trace(path, false, 0.0, 3, "demand.trace", &diag, &d));
    text = diag_text(&diag);
    expected = expand("@/missing.csv" T "cannot open '@/missing.csv': No such file or "
                      "directory\n");
    assert_string_equal(text, expected);
    free(text);
    free(expected);
    diag_free(&diag);
    assert_int_equal(DEMAND_TRACE_MAX_ROWS, 10000000);
}

int main(void)
{
    const char *slash = strrchr(__FILE__, '/');
    int dir_len = slash != NULL ? (int)(slash - __FILE__) : 1;
    snprintf(data_dir, sizeof data_dir, "%.*s/data/demand", dir_len,
             slash != NULL ? __FILE__ : ".");

    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_constant_forms_are_the_same_everywhere),
        cmocka_unit_test(test_zeroed_profile_is_constant_zero),
        cmocka_unit_test(test_growth_compounds_yearly_on_a_constant),
        cmocka_unit_test(test_daily_peak_trough_and_mean_are_the_closed_forms),
        cmocka_unit_test(test_daily_growth_is_exactly_one_plus_g_a_year_later),
        cmocka_unit_test(test_weekly_weekends_are_scaled_by_the_factor),
        cmocka_unit_test(test_weekly_peak_is_the_supremum_at_a_step),
        cmocka_unit_test(test_weekly_with_growth_integrates_exactly),
        cmocka_unit_test(test_trace_interpolates_linearly_and_holds_its_ends),
        cmocka_unit_test(test_trace_repeat_cycles_in_both_directions),
        cmocka_unit_test(test_trace_reads_iso_timestamps_crlf_quotes_and_a_bom),
        cmocka_unit_test(test_trace_with_growth_integrates_and_peaks_exactly),
        cmocka_unit_test(test_cursor_gives_the_same_values),
        cmocka_unit_test(test_next_change_daily_matches_the_cosine),
        cmocka_unit_test(test_next_change_stops_at_a_weekend_step),
        cmocka_unit_test(test_next_change_keeps_demand_within_the_band),
        cmocka_unit_test(test_next_change_steps_through_a_day),
        cmocka_unit_test(test_bad_yaml_is_rejected_with_its_message),
        cmocka_unit_test(test_bad_csv_is_rejected_at_its_row_and_field),
        cmocka_unit_test(test_row_limit_is_enforced),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
