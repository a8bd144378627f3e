/* Tests for cron.h: the seed's AWS Backup schedules, the calendar corners
 * (L, 29 February, year ranges, weekday-only schedules), rate(), the
 * properties next/previous must keep, a comparison with a naive reference
 * over random expressions and times, and what each malformed expression
 * says.
 *
 * The reference is independent of sim/cron.c: it walks day by day through
 * gmtime_r() (the C library's UTC calendar) and minute by minute through
 * each matching day, against sets the test builds itself alongside the
 * expression text it generates.
 *
 * Usage: test_cron [-s SEED]   (SEED for the random tests; default 20260101)
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <gsl/gsl_rng.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cron.h"

static unsigned long test_seed = 20260101ul;

#define DAY_S 86400.0

/* ---- helpers ---- */

static bool leap(int y)
{
    return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

/* Seconds since t = 0 (2026-01-01T00:00Z) of a UTC date and time, counted
 * the slow way (year by year, month by month) from 1970. */
static double utc(int y, int mo, int d, int h, int mi)
{
    static const int MONTH_DAYS[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int64_t days = 0;
    for (int year = 1970; year < y; year++)
        days += leap(year) ? 366 : 365;
    for (int month = 1; month < mo; month++)
        days += MONTH_DAYS[month - 1] + (month == 2 && leap(y));
    days += d - 1;
    return (double)(days * 86400 + h * 3600 + mi * 60 - CRON_EPOCH_UNIX);
}

/* The UTC calendar of a simulated instant, from the C library. */
static struct tm calendar(double t_s)
{
    time_t unix_s = (time_t)(t_s + (double)CRON_EPOCH_UNIX);
    struct tm tm;
    assert_non_null(gmtime_r(&unix_s, &tm));
    return tm;
}

static cron_schedule parse_ok(const char *text)
{
    cron_schedule s;
    char err[256] = "";
    if (cron_parse(text, &s, err, sizeof err) != 0) {
        print_error("'%s' was rejected: %s\n", text, err);
        fail();
    }
    return s;
}

static bool schedules_equal(const cron_schedule *a, const cron_schedule *b)
{
    return a->is_rate == b->is_rate && a->rate_s == b->rate_s && a->minutes == b->minutes &&
           a->hours == b->hours && a->days_of_month == b->days_of_month &&
           a->last_day_of_month == b->last_day_of_month &&
           a->any_day_of_month == b->any_day_of_month && a->months == b->months &&
           a->days_of_week == b->days_of_week && a->any_day_of_week == b->any_day_of_week &&
           a->any_year == b->any_year &&
           (a->any_year || (a->year_min == b->year_min && a->year_max == b->year_max));
}

#define assert_time(expected, got, what)                                                \
    do {                                                                                \
        double expected_ = (expected), got_ = (got);                                    \
        if (expected_ != got_) {                                                        \
            print_error("%s: expected %.17g, got %.17g\n", (what), expected_, got_);    \
            fail();                                                                     \
        }                                                                               \
    } while (0)

/* ---- the seed's schedules ---- */

static void test_seed_daily_backup_fires_every_day_at_0500_utc(void **state)
{
    (void)state;
    cron_schedule s = parse_ok("cron(0 5 ? * * *)");
    static const int DAYS[][3] = {
        {2026, 1, 1}, {2026, 2, 28}, {2026, 3, 1}, {2026, 12, 31}, {2027, 1, 1},
        {2027, 6, 15}, {2028, 2, 28}, {2028, 2, 29}, {2028, 3, 1}, {2030, 7, 4},
    };
    for (size_t i = 0; i < sizeof DAYS / sizeof DAYS[0]; i++) {
        double midnight = utc(DAYS[i][0], DAYS[i][1], DAYS[i][2], 0, 0);
        double five = utc(DAYS[i][0], DAYS[i][1], DAYS[i][2], 5, 0);
        struct tm tm = calendar(five);
        assert_int_equal(tm.tm_year + 1900, DAYS[i][0]);
        assert_int_equal(tm.tm_mon + 1, DAYS[i][1]);
        assert_int_equal(tm.tm_mday, DAYS[i][2]);
        assert_int_equal(tm.tm_hour, 5);
        assert_time(five, cron_next(&s, midnight), "next from midnight");
        assert_time(five, cron_next(&s, five), "next at the fire time");
        assert_time(five + DAY_S, cron_next(&s, five + 0.001), "next just after");
        assert_time(five, cron_previous(&s, five), "previous at the fire time");
        assert_time(five - DAY_S, cron_previous(&s, five - 0.001), "previous just before");
        assert_time(five, cron_previous(&s, midnight + DAY_S - 1.0), "previous late that day");
    }
    assert_time(5 * 3600.0, cron_next(&s, 0.0), "first backup of the run");
    /* 2028-02-29 exists: the day after 28 February 2028 is the 29th. */
    assert_time(utc(2028, 2, 29, 5, 0), cron_next(&s, utc(2028, 2, 28, 5, 1)), "leap day");
    assert_time(utc(2028, 2, 29, 5, 0) - 59 * DAY_S, utc(2028, 1, 1, 5, 0), "2028 has day 60");
}

static void test_seed_weekly_backup_fires_on_sundays_only(void **state)
{
    (void)state;
    cron_schedule s = parse_ok("cron(0 5 ? * SUN *)");
    double first = utc(2026, 1, 4, 5, 0);   /* 2026-01-04 is a Sunday */
    assert_int_equal(calendar(first).tm_wday, 0);
    assert_time(first, cron_next(&s, 0.0), "first Sunday");
    assert_time(utc(2025, 12, 28, 5, 0), cron_previous(&s, 0.0), "Sunday before the run");
    double t = first;
    for (int week = 0; week < 600; week++) {   /* over 11 years, leap days included */
        struct tm tm = calendar(t);
        assert_int_equal(tm.tm_wday, 0);
        assert_int_equal(tm.tm_hour, 5);
        assert_int_equal(tm.tm_min, 0);
        double next = cron_next(&s, t + 1.0);
        assert_time(t + 7 * DAY_S, next, "a week later");
        assert_time(t, cron_previous(&s, next - 1.0), "a week earlier");
        t = next;
    }
    /* Every other weekday at 05:00 is skipped. */
    for (int d = 5; d <= 10; d++)
        assert_time(utc(2026, 1, 11, 5, 0), cron_next(&s, utc(2026, 1, d, 4, 0)), "skips");
}

/* ---- calendar corners ---- */

static void test_every_quarter_hour_on_weekdays_skips_the_weekend(void **state)
{
    (void)state;
    cron_schedule s = parse_ok("cron(0/15 * ? * MON-FRI *)");
    /* 2026-01-02 is a Friday, 2026-01-05 a Monday. */
    assert_time(utc(2026, 1, 2, 23, 45), cron_next(&s, utc(2026, 1, 2, 23, 30) + 0.5), "");
    assert_time(utc(2026, 1, 5, 0, 0), cron_next(&s, utc(2026, 1, 2, 23, 45) + 0.5), "");
    assert_time(utc(2026, 1, 2, 23, 45), cron_previous(&s, utc(2026, 1, 5, 0, 0) - 0.5), "");
    assert_time(utc(2026, 1, 5, 10, 15), cron_next(&s, utc(2026, 1, 5, 10, 7)), "");
    assert_time(utc(2026, 1, 5, 10, 0), cron_previous(&s, utc(2026, 1, 5, 10, 14)), "");
    int count = 0;
    double t = cron_next(&s, utc(2026, 1, 4, 0, 0));
    while (t < utc(2026, 1, 11, 0, 0)) {
        struct tm tm = calendar(t);
        assert_true(tm.tm_wday >= 1 && tm.tm_wday <= 5);
        assert_int_equal(tm.tm_min % 15, 0);
        count++;
        t = cron_next(&s, t + 1.0);
    }
    assert_int_equal(count, 5 * 24 * 4);
}

static void test_L_fires_on_the_last_day_of_every_month(void **state)
{
    (void)state;
    cron_schedule s = parse_ok("cron(0 12 L * ? *)");
    assert_time(utc(2026, 1, 31, 12, 0), cron_next(&s, 0.0), "January");
    assert_time(utc(2026, 2, 28, 12, 0), cron_next(&s, utc(2026, 2, 1, 0, 0)), "February");
    assert_time(utc(2026, 4, 30, 12, 0), cron_next(&s, utc(2026, 4, 1, 0, 0)), "April");
    assert_time(utc(2028, 2, 29, 12, 0), cron_next(&s, utc(2028, 2, 28, 13, 0)), "leap");
    assert_time(utc(2025, 12, 31, 12, 0), cron_previous(&s, 0.0), "December before");
    double t = 0.0;
    for (int i = 0; i < 120; i++) {
        t = cron_next(&s, t);
        struct tm tm = calendar(t);
        assert_int_equal(tm.tm_hour, 12);
        assert_int_equal(calendar(t + DAY_S).tm_mday, 1);   /* tomorrow is the 1st */
        assert_int_equal(tm.tm_mon, i % 12);                /* one per month */
        t += 1.0;
    }
}

static void test_day_of_month_list_with_L_fires_on_both(void **state)
{
    (void)state;
    cron_schedule s = parse_ok("cron(30 2 15,L * ? *)");
    assert_time(utc(2026, 1, 15, 2, 30), cron_next(&s, 0.0), "the 15th");
    assert_time(utc(2026, 1, 31, 2, 30), cron_next(&s, utc(2026, 1, 16, 0, 0)), "the last");
    assert_time(utc(2026, 2, 15, 2, 30), cron_next(&s, utc(2026, 2, 1, 0, 0)), "");
}

static void test_29_february_fires_only_in_leap_years_and_not_in_2100(void **state)
{
    (void)state;
    cron_schedule s = parse_ok("cron(0 0 29 FEB ? *)");
    assert_time(utc(2028, 2, 29, 0, 0), cron_next(&s, 0.0), "2028");
    assert_time(utc(2024, 2, 29, 0, 0), cron_previous(&s, 0.0), "2024");
    assert_time(utc(2000, 2, 29, 0, 0), cron_previous(&s, utc(2003, 1, 1, 0, 0)), "2000");
    assert_time(utc(2104, 2, 29, 0, 0), cron_next(&s, utc(2096, 3, 1, 0, 0)), "not 2100");
    assert_time(utc(2096, 2, 29, 0, 0), cron_previous(&s, utc(2104, 2, 28, 0, 0)), "");
}

static void test_month_names_are_case_insensitive_and_equal_their_numbers(void **state)
{
    (void)state;
    static const char *const PAIRS[][2] = {
        {"cron(0 0 1 JAN,jul ? *)", "cron(0 0 1 1,7 ? *)"},
        {"cron(30 8 ? mar-May mon *)", "cron(30 8 ? 3-5 2 *)"},
        {"cron(0 0 ? * SUN,Sat *)", "cron(0 0 ? * 1,7 *)"},
        {"cron(0 0 ? * MON-FRI *)", "cron(0 0 ? * 2-6 *)"},
        {"cron(0 0 1 FEB/3 ? *)", "cron(0 0 1 2,5,8,11 ? *)"},
        {"cron(0 0 1 JAN-DEC ? *)", "cron(0 0 1 * ? *)"},
    };
    for (size_t i = 0; i < sizeof PAIRS / sizeof PAIRS[0]; i++) {
        cron_schedule a = parse_ok(PAIRS[i][0]), b = parse_ok(PAIRS[i][1]);
        b.any_day_of_month = a.any_day_of_month;   /* '*' versus 1-31 */
        if (!schedules_equal(&a, &b)) {
            print_error("'%s' and '%s' differ\n", PAIRS[i][0], PAIRS[i][1]);
            fail();
        }
    }
    cron_schedule s = parse_ok("cron(0 0 1 JAN,jul ? *)");
    assert_time(utc(2026, 7, 1, 0, 0), cron_next(&s, 1.0), "July");
    assert_time(utc(2027, 1, 1, 0, 0), cron_next(&s, utc(2026, 7, 1, 0, 1)), "January");
}

static void test_steps_ranges_and_lists_expand_to_the_right_sets(void **state)
{
    (void)state;
    cron_schedule s = parse_ok("cron(5-50/15,59 */6 ? * * *)");
    assert_true(s.minutes == ((1ULL << 5) | (1ULL << 20) | (1ULL << 35) | (1ULL << 50) |
                              (1ULL << 59)));
    assert_int_equal(s.hours, (1u << 0) | (1u << 6) | (1u << 12) | (1u << 18));
    s = parse_ok("cron(0/25 20/2 */10 * ? *)");
    assert_true(s.minutes == ((1ULL << 0) | (1ULL << 25) | (1ULL << 50)));
    assert_int_equal(s.hours, (1u << 20) | (1u << 22));
    assert_int_equal(s.days_of_month, (1u << 1) | (1u << 11) | (1u << 21) | (1u << 31));
    s = parse_ok("cron(7 0/90 ? * * *)");   /* a step longer than the field: the start only */
    assert_int_equal(s.hours, 1u);
}

static void test_year_limits_the_schedule_to_its_span(void **state)
{
    (void)state;
    cron_schedule s = parse_ok("cron(0 5 ? * * 2027)");
    assert_false(s.any_year);
    assert_time(utc(2027, 1, 1, 5, 0), cron_next(&s, 0.0), "first in 2027");
    assert_time(utc(2027, 12, 31, 5, 0), cron_previous(&s, 1e12), "last in 2027");
    assert_time(INFINITY, cron_next(&s, utc(2027, 12, 31, 5, 0) + 1.0), "none after 2027");
    assert_time(-INFINITY, cron_previous(&s, utc(2027, 1, 1, 4, 59)), "none before 2027");
    assert_time(INFINITY, cron_next(&s, INFINITY), "next of +inf");
    assert_time(utc(2027, 12, 31, 5, 0), cron_previous(&s, INFINITY), "previous of +inf");

    s = parse_ok("cron(0 0 1 1 ? 2026-2028)");
    assert_time(utc(2028, 1, 1, 0, 0), cron_previous(&s, 1e12), "last of the span");
    assert_time(INFINITY, cron_next(&s, utc(2028, 1, 1, 0, 0) + 1.0), "after the span");

    s = parse_ok("cron(0 0 1 1 ? 2030/1)");   /* 2030 to 2199 */
    assert_int_equal(s.year_min, 2030);
    assert_int_equal(s.year_max, 2199);
    s = parse_ok("cron(0 0 1 1 ? 2026,2027,2028)");
    assert_int_equal(s.year_min, 2026);
    assert_int_equal(s.year_max, 2028);
    s = parse_ok("cron(0 0 1 1 ? 2020)");   /* wholly before t = 0 */
    assert_time(INFINITY, cron_next(&s, 0.0), "a past year never fires again");
    assert_time(utc(2020, 1, 1, 0, 0), cron_previous(&s, 0.0), "but it fired once");
}

static void test_any_year_keeps_firing_past_2199(void **state)
{
    (void)state;
    cron_schedule s = parse_ok("cron(0 5 ? * * *)");
    assert_true(s.any_year);
    double t = utc(2250, 3, 1, 0, 0);
    assert_time(t + 5 * 3600.0, cron_next(&s, t), "2250");
    assert_time(-INFINITY, cron_previous(&s, -INFINITY), "previous of -inf");
    assert_time(INFINITY, cron_next(&s, INFINITY), "next of +inf");
    assert_true(isnan(cron_next(&s, NAN)));
    assert_true(isnan(cron_previous(&s, NAN)));
}

static void test_rate_fires_at_whole_multiples_of_its_period_from_t0(void **state)
{
    (void)state;
    static const struct { const char *text; double period_s; } RATES[] = {
        {"rate(1 minute)", 60.0},    {"rate(5 minutes)", 300.0}, {"rate(1 hour)", 3600.0},
        {"rate(12 hours)", 43200.0}, {"rate(1 day)", 86400.0},   {"rate(2 days)", 172800.0},
        {"rate(1 hours)", 3600.0},   {"rate(3 minute)", 180.0},  {" rate( 7  days ) ", 604800.0},
    };
    for (size_t i = 0; i < sizeof RATES / sizeof RATES[0]; i++) {
        cron_schedule s = parse_ok(RATES[i].text);
        double p = RATES[i].period_s;
        assert_true(s.is_rate);
        assert_time(p, s.rate_s, RATES[i].text);
        assert_time(0.0, cron_next(&s, 0.0), "fires at t = 0");
        assert_time(0.0, cron_previous(&s, 0.0), "fires at t = 0");
        assert_time(p, cron_next(&s, 1e-9), "next after 0");
        assert_time(0.0, cron_next(&s, -0.5), "next before 0");
        assert_false(signbit(cron_next(&s, -0.5)));
        assert_time(-p, cron_previous(&s, -0.5), "negative multiple");
        assert_time(-p, cron_next(&s, -p - 0.5), "negative multiple, next");
        assert_time(1000 * p, cron_next(&s, 999 * p + 0.25), "far on");
        assert_time(1000 * p, cron_previous(&s, 1001 * p - 0.25), "far on, previous");
        assert_time(1000 * p, cron_previous(&s, 1000 * p), "exactly on a multiple");
    }
}

/* ---- properties ---- */

static const char *const PROPERTY_EXPRESSIONS[] = {
    "cron(0 5 ? * * *)",         "cron(0 5 ? * SUN *)",        "cron(0/15 * ? * MON-FRI *)",
    "cron(0 12 L * ? *)",        "cron(0 0 29 FEB ? *)",       "cron(0 5 ? * * 2027)",
    "cron(59 23 31 DEC ? *)",    "cron(0 0 ? * 7 2026-2028)",  "cron(*/7 1-3 ? JAN,JUN 2-4 *)",
    "cron(0 0 1,15,L * ? *)",    "rate(1 hour)",               "rate(7 minutes)",
    "rate(3 days)",              "cron(* * * * ? *)",
};

static void test_next_and_previous_are_consistent(void **state)
{
    (void)state;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, test_seed);
    for (size_t e = 0; e < sizeof PROPERTY_EXPRESSIONS / sizeof PROPERTY_EXPRESSIONS[0]; e++) {
        const char *text = PROPERTY_EXPRESSIONS[e];
        cron_schedule s = parse_ok(text);
        for (int i = 0; i < 2000; i++) {
            double t = (gsl_rng_uniform(rng) - 0.3) * 4e9;   /* about -40 to +90 years */
            if (i % 3 == 0)
                t = 60.0 * floor(t / 60.0);                  /* on a whole minute */
            double next = cron_next(&s, t), previous = cron_previous(&s, t);
            bool ok = next >= t && previous <= t;
            if (isfinite(next))
                ok = ok && cron_previous(&s, next) == next && cron_next(&s, next) == next &&
                     cron_previous(&s, nextafter(next, -INFINITY)) < t;
            if (isfinite(previous))
                ok = ok && cron_next(&s, previous) == previous &&
                     cron_previous(&s, previous) == previous &&
                     cron_next(&s, nextafter(previous, INFINITY)) > t;
            if (!ok) {
                print_error("%s at t = %.17g: next %.17g, previous %.17g "
                            "[seed %lu; rerun with -s %lu]\n",
                            text, t, next, previous, test_seed, test_seed);
                gsl_rng_free(rng);
                fail();
            }
        }
    }
    gsl_rng_free(rng);
}

/* A generated expression with the sets it stands for. */
typedef struct generated {
    char text[200];
    uint64_t minutes, hours, days_of_month, months, days_of_week;
    bool day_of_month_question, last_day;
    int year_min, year_max;   /* 0, 0 for '*' */
} generated;

static int pick(gsl_rng *rng, int low, int high)
{
    return low + (int)gsl_rng_uniform_int(rng, (unsigned long)(high - low + 1));
}

static void append(char *buffer, size_t size, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
static void append(char *buffer, size_t size, const char *format, ...)
{
    size_t used = strlen(buffer);
    va_list args;
    va_start(args, format);
    vsnprintf(buffer + used, size - used, format, args);
    va_end(args);
}

static void append_value(gsl_rng *rng, char *buffer, size_t size, int value,
                         const char *const *names, int min)
{
    if (names != NULL && gsl_rng_uniform(rng) < 0.5) {
        const char *name = names[value - min];
        bool lower = gsl_rng_uniform(rng) < 0.3;
        append(buffer, size, "%c%c%c", name[0], lower ? name[1] - 'A' + 'a' : name[1],
               lower ? name[2] - 'A' + 'a' : name[2]);
    } else {
        append(buffer, size, "%d", value);
    }
}

/* A random list for a field of values min..max; bit (value - shift) of the
 * result is set for each value in it. */
static uint64_t generate_list(gsl_rng *rng, char *buffer, size_t size, int min, int max,
                              const char *const *names, int shift, double star_chance)
{
    if (gsl_rng_uniform(rng) < star_chance) {
        append(buffer, size, "*");
        uint64_t bits = 0;
        for (int v = min; v <= max; v++)
            bits |= 1ULL << (v - shift);
        return bits;
    }
    uint64_t bits = 0;
    int items = pick(rng, 1, 3);
    for (int i = 0; i < items; i++) {
        if (i > 0)
            append(buffer, size, ",");
        int low = pick(rng, min, max), high = low, step = 1;
        switch (pick(rng, 0, 4)) {
        case 0:   /* value */
            append_value(rng, buffer, size, low, names, min);
            break;
        case 1:   /* range */
            high = pick(rng, low, max);
            append_value(rng, buffer, size, low, names, min);
            append(buffer, size, "-");
            append_value(rng, buffer, size, high, names, min);
            break;
        case 2:   /* value/step */
            step = pick(rng, 1, max - min + 1);
            high = max;
            append_value(rng, buffer, size, low, names, min);
            append(buffer, size, "/%d", step);
            break;
        case 3:   /* range/step */
            high = pick(rng, low, max);
            step = pick(rng, 1, max - min + 1);
            append_value(rng, buffer, size, low, names, min);
            append(buffer, size, "-");
            append_value(rng, buffer, size, high, names, min);
            append(buffer, size, "/%d", step);
            break;
        default:  /* star/step */
            low = min;
            high = max;
            step = pick(rng, 1, max - min + 1);
            append(buffer, size, "*/%d", step);
            break;
        }
        for (int v = low; v <= high; v += step)
            bits |= 1ULL << (v - shift);
    }
    return bits;
}

static const char *const MONTHS[12] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                       "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
static const char *const DAYS[7] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

static generated generate(gsl_rng *rng)
{
    generated g;
    memset(&g, 0, sizeof g);
    char *b = g.text;
    size_t n = sizeof g.text;
    append(b, n, "cron(");
    g.minutes = generate_list(rng, b, n, 0, 59, NULL, 0, 0.1);
    append(b, n, " ");
    g.hours = generate_list(rng, b, n, 0, 23, NULL, 0, 0.3);
    append(b, n, " ");
    g.day_of_month_question = gsl_rng_uniform(rng) < 0.5;
    if (g.day_of_month_question) {
        append(b, n, "?");
    } else if (gsl_rng_uniform(rng) < 0.15) {
        g.last_day = true;
        append(b, n, gsl_rng_uniform(rng) < 0.5 ? "L" : "l");
    } else {
        g.days_of_month = generate_list(rng, b, n, 1, 31, NULL, 0, 0.3);
        if (gsl_rng_uniform(rng) < 0.1) {
            g.last_day = true;
            append(b, n, ",L");
        }
    }
    append(b, n, " ");
    g.months = generate_list(rng, b, n, 1, 12, MONTHS, 0, 0.5);
    append(b, n, " ");
    if (g.day_of_month_question)
        g.days_of_week = generate_list(rng, b, n, 1, 7, DAYS, 1, 0.3);
    else
        append(b, n, "?");
    append(b, n, " ");
    double u = gsl_rng_uniform(rng);
    if (u < 0.7) {
        append(b, n, "*");
    } else {
        g.year_min = pick(rng, 2024, 2030);
        g.year_max = u < 0.85 ? g.year_min : pick(rng, g.year_min, 2032);
        if (g.year_max == g.year_min)
            append(b, n, "%d", g.year_min);
        else
            append(b, n, "%d-%d", g.year_min, g.year_max);
    }
    append(b, n, ")");
    return g;
}

static bool day_matches(const generated *g, const struct tm *tm, bool last_of_month)
{
    int year = tm->tm_year + 1900;
    if (g->year_min != 0 && (year < g->year_min || year > g->year_max))
        return false;
    if (!((g->months >> (tm->tm_mon + 1)) & 1u))
        return false;
    if (g->day_of_month_question)
        return (g->days_of_week >> tm->tm_wday) & 1u;
    return ((g->days_of_month >> tm->tm_mday) & 1u) || (g->last_day && last_of_month);
}

/* The naive reference: the first (direction +1) or last (-1) fire minute
 * from the whole minute `from` (since t = 0), looking at most window_days
 * days away.  false when there is none within the window. */
static bool reference_search(const generated *g, int64_t from, int direction, int window_days,
                             int64_t *found)
{
    int64_t unix_minute = from + CRON_EPOCH_UNIX / 60;
    int64_t day = unix_minute >= 0 ? unix_minute / 1440 : -((-unix_minute + 1439) / 1440);
    int start_of_day = (int)(unix_minute - day * 1440);
    for (int i = 0; i <= window_days; i++, day += direction) {
        time_t midnight = (time_t)(day * 86400), tomorrow = midnight + 86400;
        struct tm tm, next_day;
        gmtime_r(&midnight, &tm);
        gmtime_r(&tomorrow, &next_day);
        if (!day_matches(g, &tm, next_day.tm_mday == 1))
            continue;
        int minute = i == 0 ? start_of_day : (direction > 0 ? 0 : 1439);
        for (; minute >= 0 && minute < 1440; minute += direction) {
            if (((g->hours >> (minute / 60)) & 1u) && ((g->minutes >> (minute % 60)) & 1u)) {
                *found = day * 1440 + minute - CRON_EPOCH_UNIX / 60;
                return true;
            }
        }
    }
    return false;
}

static void test_next_and_previous_match_a_minute_by_minute_reference(void **state)
{
    (void)state;
    enum { EXPRESSIONS = 400, TIMES = 5, WINDOW_DAYS = 1500 };
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, test_seed);
    int compared = 0;
    for (int e = 0; e < EXPRESSIONS; e++) {
        generated g = generate(rng);
        cron_schedule s;
        char err[256] = "";
        if (cron_parse(g.text, &s, err, sizeof err) != 0) {
            /* Only a day that none of the chosen months has may be refused. */
            bool never = strstr(err, "day-of-month: no chosen month has day") != NULL;
            for (int m = 1; m <= 12 && never; m++)
                if ((g.months >> m) & 1u) {
                    static const int LONGEST[13] = {0, 31, 29, 31, 30, 31, 30,
                                                    31, 31, 30, 31, 30, 31};
                    never = (g.days_of_month & (((1ULL << LONGEST[m]) - 1) << 1)) == 0;
                }
            if (!never) {
                print_error("'%s' was rejected: %s [seed %lu; rerun with -s %lu]\n", g.text,
                            err, test_seed, test_seed);
                gsl_rng_free(rng);
                fail();
            }
            continue;
        }
        for (int i = 0; i < TIMES; i++) {
            /* -3 to +8 years around t = 0; whole minutes, half seconds or anything */
            double t = (double)pick(rng, -3 * 365 * 86400, 8 * 365 * 86400);
            int kind = pick(rng, 0, 2);
            if (kind == 0)
                t = 60.0 * floor(t / 60.0);
            else if (kind == 1)
                t += 0.5;
            else
                t += gsl_rng_uniform(rng);
            for (int direction = 1; direction >= -1; direction -= 2) {
                int64_t from = (int64_t)(direction > 0 ? ceil(t / 60.0) : floor(t / 60.0));
                int64_t expected_minute;
                bool within = reference_search(&g, from, direction, WINDOW_DAYS,
                                               &expected_minute);
                double got = direction > 0 ? cron_next(&s, t) : cron_previous(&s, t);
                double window_end = (double)(from + direction * (WINDOW_DAYS * 1440LL)) * 60.0;
                bool ok = within ? got == (double)expected_minute * 60.0
                                 : (direction > 0 ? got > window_end : got < window_end);
                if (!ok) {
                    print_error("%s %s(%.17g): got %.17g, reference %s %.17g "
                                "[seed %lu; rerun with -s %lu]\n",
                                g.text, direction > 0 ? "cron_next" : "cron_previous", t, got,
                                within ? "says" : "finds nothing within the window, to",
                                within ? (double)expected_minute * 60.0 : window_end,
                                test_seed, test_seed);
                    gsl_rng_free(rng);
                    fail();
                }
                compared++;
            }
        }
    }
    gsl_rng_free(rng);
    assert_true(compared > EXPRESSIONS * TIMES);   /* most expressions parsed */
}

/* ---- parsing ---- */

static void test_blanks_around_and_between_fields_are_allowed(void **state)
{
    (void)state;
    cron_schedule a = parse_ok("cron(0 5 ? * * *)");
    cron_schedule b = parse_ok("  cron(0  5\t? *   * * )\t");
    cron_schedule c = parse_ok("cron( 0 5 ? * * *)");
    assert_true(schedules_equal(&a, &b));
    assert_true(schedules_equal(&a, &c));
}

static void test_day_fields_record_which_one_governs(void **state)
{
    (void)state;
    cron_schedule s = parse_ok("cron(0 5 ? * SUN *)");
    assert_true(s.any_day_of_month);
    assert_false(s.any_day_of_week);
    assert_int_equal(s.days_of_week, 1u);   /* bit 0 = Sunday */
    s = parse_ok("cron(0 5 * * ? *)");
    assert_true(s.any_day_of_month);
    assert_true(s.any_day_of_week);
    s = parse_ok("cron(0 5 1 * ? *)");
    assert_false(s.any_day_of_month);
    assert_int_equal(s.days_of_month, 1u << 1);
    s = parse_ok("cron(0 5 L * ? *)");
    assert_true(s.last_day_of_month);
    assert_int_equal(s.days_of_month, 0u);
}

static const struct { const char *text; const char *message; } BAD[] = {
    /* the wrapper */
    {"", "empty schedule expression (expected cron(...) or rate(...))"},
    {"   ", "empty schedule expression (expected cron(...) or rate(...))"},
    {"0 5 ? * * *", "'0 5 ? * * *' is not a schedule expression (expected cron(Minutes Hours "
                    "Day-of-month Month Day-of-week Year) or rate(N minutes|hours|days))"},
    {"daily", "'daily' is not a schedule expression (expected cron(Minutes Hours "
              "Day-of-month Month Day-of-week Year) or rate(N minutes|hours|days))"},
    {"CRON(0 5 ? * * *)", "'CRON(0 5 ? * * *)' is not a schedule expression (expected "
                          "cron(Minutes Hours Day-of-month Month Day-of-week Year) or "
                          "rate(N minutes|hours|days))"},
    {"cron(0 5 ? * * *", "cron: missing ')'"},
    {"cron(0 5 ? * * *) daily", "cron: unexpected text after ')': ' daily'"},
    /* field count */
    {"cron()", "cron: expected 6 fields (Minutes Hours Day-of-month Month Day-of-week Year), "
               "found 0"},
    {"cron(0 5 ? * *)", "cron: expected 6 fields (Minutes Hours Day-of-month Month "
                        "Day-of-week Year), found 5 (AWS cron has a Year field: add ' *' for "
                        "every year)"},
    {"cron(0 0 5 ? * * *)", "cron: expected 6 fields (Minutes Hours Day-of-month Month "
                            "Day-of-week Year), found 7"},
    /* out of range */
    {"cron(60 5 ? * * *)", "minutes: 60 is out of range (0-59)"},
    {"cron(0 24 ? * * *)", "hours: 24 is out of range (0-23)"},
    {"cron(0 5 0 * ? *)", "day-of-month: 0 is out of range (1-31)"},
    {"cron(0 5 32 * ? *)", "day-of-month: 32 is out of range (1-31)"},
    {"cron(0 5 1 13 ? *)", "month: 13 is out of range (1-12)"},
    {"cron(0 5 ? * 0 *)", "day-of-week: 0 is out of range (1-7)"},
    {"cron(0 5 ? * 8 *)", "day-of-week: 8 is out of range (1-7)"},
    {"cron(0 5 ? * * 1969)", "year: 1969 is out of range (1970-2199)"},
    {"cron(0 5 ? * * 2200)", "year: 2200 is out of range (1970-2199)"},
    {"cron(0 1-99999999 ? * * *)", "hours: 99999999 is out of range (0-23)"},
    /* '?' */
    {"cron(0 5 ? * ? *)", "exactly one of day-of-month and day-of-week must be '?' (both are)"},
    {"cron(0 5 * * * *)", "exactly one of day-of-month and day-of-week must be '?' "
                          "(neither is)"},
    {"cron(0 5 1 * MON *)", "exactly one of day-of-month and day-of-week must be '?' "
                            "(neither is)"},
    {"cron(? 5 ? * * *)", "minutes: '?' is only allowed in day-of-month or day-of-week"},
    {"cron(0 5 ? ? * *)", "month: '?' is only allowed in day-of-month or day-of-week"},
    {"cron(0 5 ? * * ?)", "year: '?' is only allowed in day-of-month or day-of-week"},
    {"cron(0 5 ?,1 * ? *)", "day-of-month: '?' must be the whole field, not part of '?,1'"},
    /* steps */
    {"cron(0/0 5 ? * * *)", "minutes: step 0 in '0/0' must be at least 1"},
    {"cron(0/ 5 ? * * *)", "minutes: bad step in '0/' (expected a whole number after '/', "
                           "e.g. 0/15)"},
    {"cron(*/x 5 ? * * *)", "minutes: bad step in '*/x' (expected a whole number after '/', "
                            "e.g. 0/15)"},
    {"cron(0/5/5 5 ? * * *)", "minutes: bad step in '0/5/5' (expected a whole number after "
                              "'/', e.g. 0/15)"},
    {"cron(0 5 ? JAN/FEB * *)", "month: bad step in 'JAN/FEB' (expected a whole number after "
                                "'/', e.g. 0/15)"},
    /* names */
    {"cron(0 5 ? * SNU *)", "day-of-week: unknown day 'SNU' (use SUN..SAT or 1-7)"},
    {"cron(0 5 ? * MONDAY *)", "day-of-week: unknown day 'MONDAY' (use SUN..SAT or 1-7)"},
    {"cron(0 5 ? * JAN *)", "day-of-week: unknown day 'JAN' (use SUN..SAT or 1-7)"},
    {"cron(0 5 1 JNA ? *)", "month: unknown month 'JNA' (use JAN..DEC or 1-12)"},
    {"cron(0 5 1 SUN ? *)", "month: unknown month 'SUN' (use JAN..DEC or 1-12)"},
    {"cron(0 five ? * * *)", "hours: 'five' is not a number"},
    {"cron(0 5 MON * ? *)", "day-of-month: 'MON' is not a number"},
    {"cron(0 5 ? * * next)", "year: 'next' is not a number"},
    /* ranges and lists */
    {"cron(0 5 ? * FRI-MON *)", "day-of-week: range 'FRI-MON' runs backwards (split it into "
                                "two, joined by ',')"},
    {"cron(50-10 5 ? * * *)", "minutes: range '50-10' runs backwards (split it into two, "
                              "joined by ',')"},
    {"cron(0 5 ? * * 2030-2026)", "year: range '2030-2026' runs backwards (split it into "
                                  "two, joined by ',')"},
    {"cron(0 5- ? * * *)", "hours: '5-' is missing a value"},
    {"cron(0 -5 ? * * *)", "hours: unexpected '-' in '-5'"},
    {"cron(0 *-5 ? * * *)", "hours: '*' cannot start a range in '*-5'"},
    {"cron(1,,2 5 ? * * *)", "minutes: empty item in the list '1,,2'"},
    {"cron(1, 5 ? * * *)", "minutes: empty item in the list '1,'"},
    {"cron(0 5 ? * * 2026,2028)", "year: '2026,2028' is not one year or one unbroken range "
                                  "of years (e.g. 2026-2030)"},
    {"cron(0 5 ? * * */2)", "year: '*/2' is not one year or one unbroken range of years "
                            "(e.g. 2026-2030)"},
    /* garbage and unsupported AWS forms */
    {"cron(0 5.5 ? * * *)", "hours: unexpected '.' in '5.5'"},
    {"cron(0 5 ? * * *;)", "year: unexpected ';' in '*;'"},
    {"cron(0x1 5 ? * * *)", "minutes: unexpected 'x' in '0x1'"},
    {"cron(0 5 15W * ? *)", "day-of-month: '15W' (nearest weekday) is not supported"},
    {"cron(0 5 LW * ? *)", "day-of-month: 'LW' is not supported (only L, the last day of the "
                           "month)"},
    {"cron(0 5 L-2 * ? *)", "day-of-month: 'L-2' is not supported (only L, the last day of "
                            "the month)"},
    {"cron(0 5 ? * 6L *)", "day-of-week: '6L' (last weekday of the month) is not supported"},
    {"cron(0 5 ? * L *)", "day-of-week: 'L' (last weekday of the month) is not supported"},
    {"cron(0 5 ? * 3#2 *)", "day-of-week: '3#2' (n-th weekday of the month) is not supported"},
    {"cron(0 5 L * L *)", "day-of-week: 'L' (last weekday of the month) is not supported"},
    /* a day that never comes */
    {"cron(0 0 31 FEB ? *)", "day-of-month: no chosen month has day 31, so the schedule "
                             "would never fire"},
    {"cron(0 0 30,31 2 ? *)", "day-of-month: no chosen month has day 30, so the schedule "
                              "would never fire"},
    {"cron(0 0 31 APR,JUN,SEP,NOV ? *)", "day-of-month: no chosen month has day 31, so the "
                                         "schedule would never fire"},
    /* rate */
    {"rate(0 hours)", "rate: the value must be at least 1, not 0"},
    {"rate(1.5 hours)", "rate: '1.5' is not a whole number, e.g. rate(12 hours)"},
    {"rate(-1 hours)", "rate: '-1' is not a whole number, e.g. rate(12 hours)"},
    {"rate(two hours)", "rate: 'two' is not a whole number, e.g. rate(12 hours)"},
    {"rate(5hours)", "rate: '5hours' is not a whole number, e.g. rate(12 hours)"},
    {"rate(5 weeks)", "rate: unknown unit 'weeks' (use minute(s), hour(s) or day(s))"},
    {"rate(5 Hours)", "rate: unknown unit 'Hours' (use minute(s), hour(s) or day(s))"},
    {"rate(5 hours extra)", "rate: unknown unit 'hours extra' (use minute(s), hour(s) or "
                            "day(s))"},
    {"rate(5)", "rate: missing unit after 5 (use minute(s), hour(s) or day(s))"},
    {"rate()", "rate: missing value and unit, e.g. rate(12 hours)"},
    {"rate(1 hour", "rate: missing ')'"},
    {"rate(99999999999 days)", "rate: 99999999999 is too large (at most 1000000000)"},
};

static void test_malformed_expressions_are_rejected_with_a_message_naming_the_field(void **state)
{
    (void)state;
    int failures = 0;
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        cron_schedule s;
        memset(&s, 0xA5, sizeof s);
        cron_schedule before = s;
        char err[512] = "";
        int rc = cron_parse(BAD[i].text, &s, err, sizeof err);
        if (rc != -1 || strcmp(err, BAD[i].message) != 0) {
            print_error("'%s': rc %d,\n   got      \"%s\"\n   expected \"%s\"\n", BAD[i].text,
                        rc, err, BAD[i].message);
            failures++;
        } else if (memcmp(&s, &before, sizeof s) != 0) {
            print_error("'%s': *out was changed on failure\n", BAD[i].text);
            failures++;
        }
    }
    assert_int_equal(failures, 0);
}

static void test_error_message_is_truncated_to_the_buffer_and_may_be_omitted(void **state)
{
    (void)state;
    cron_schedule s;
    char err[8];
    assert_int_equal(cron_parse("cron(0 5 ? * SNU *)", &s, err, sizeof err), -1);
    assert_string_equal(err, "day-of-");
    assert_int_equal(cron_parse("cron(0 5 ? * SNU *)", &s, NULL, 0), -1);
}

int main(int argc, char **argv)
{
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], "-s") == 0)
            test_seed = strtoul(argv[i + 1], NULL, 10);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_daily_backup_fires_every_day_at_0500_utc),
        cmocka_unit_test(test_seed_weekly_backup_fires_on_sundays_only),
        cmocka_unit_test(test_every_quarter_hour_on_weekdays_skips_the_weekend),
        cmocka_unit_test(test_L_fires_on_the_last_day_of_every_month),
        cmocka_unit_test(test_day_of_month_list_with_L_fires_on_both),
        cmocka_unit_test(test_29_february_fires_only_in_leap_years_and_not_in_2100),
        cmocka_unit_test(test_month_names_are_case_insensitive_and_equal_their_numbers),
        cmocka_unit_test(test_steps_ranges_and_lists_expand_to_the_right_sets),
        cmocka_unit_test(test_year_limits_the_schedule_to_its_span),
        cmocka_unit_test(test_any_year_keeps_firing_past_2199),
        cmocka_unit_test(test_rate_fires_at_whole_multiples_of_its_period_from_t0),
        cmocka_unit_test(test_next_and_previous_are_consistent),
        cmocka_unit_test(test_next_and_previous_match_a_minute_by_minute_reference),
        cmocka_unit_test(test_blanks_around_and_between_fields_are_allowed),
        cmocka_unit_test(test_day_fields_record_which_one_governs),
        cmocka_unit_test(test_malformed_expressions_are_rejected_with_a_message_naming_the_field),
        cmocka_unit_test(test_error_message_is_truncated_to_the_buffer_and_may_be_omitted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
