/* Tests for duration.h: what is a duration, what is not, and what each
 * rejection says. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "duration.h"

#define UNITS "ms, s, m, h, d, w or y"

static const struct { const char *text; double seconds; } GOOD[] = {
    {"1.5h", 5400.0},
    {"30", 30.0},
    {"250ms", 0.25},
    {"1e3s", 1000.0},
    {"1E3", 1000.0},
    {"2 h", 7200.0},             /* blanks between number and unit are allowed */
    {"10\th", 36000.0},
    {"  5m  ", 300.0},           /* m is minutes */
    {"1s", 1.0},
    {"1d", 86400.0},
    {"1w", 604800.0},
    {"1y", 31536000.0},          /* 365 days */
    {"0", 0.0},
    {"0s", 0.0},
    {".5h", 1800.0},
    {"5.h", 18000.0},
    {"+5s", 5.0},
    {"1.5e-3s", 0.0015},
    {"2.5e+2ms", 0.25},
    {"1e-400", 0.0},             /* underflows to zero: still a valid duration */
    {"0.001ms", 1e-6},
    {"1e300", 1e300},
};

static const struct { const char *text; const char *message; } BAD[] = {
    {"", "empty duration (expected a number with a unit: " UNITS ")"},
    {"   ", "empty duration (expected a number with a unit: " UNITS ")"},
    {"-1h", "negative duration '-1h'"},
    {"-0", "negative duration '-0'"},
    {"nan", "'nan' is not a duration: NaN and infinite values are not allowed"},
    {"NaN", "'NaN' is not a duration: NaN and infinite values are not allowed"},
    {"inf", "'inf' is not a duration: NaN and infinite values are not allowed"},
    {"infinity", "'infinity' is not a duration: NaN and infinite values are not allowed"},
    {"-inf", "'-inf' is not a duration: NaN and infinite values are not allowed"},
    {".nan", "'.nan' is not a duration: NaN and infinite values are not allowed"},
    {".inf", "'.inf' is not a duration: NaN and infinite values are not allowed"},
    {"1e999", "duration '1e999' is out of range"},
    {"1e305y", "duration '1e305y' is out of range"},
    {"3 hours", "unknown unit 'hours' in duration '3 hours' (use " UNITS ")"},
    {"3hrs", "unknown unit 'hrs' in duration '3hrs' (use " UNITS ")"},
    {"1H", "unknown unit 'H' in duration '1H' (use " UNITS ")"},
    {"5 m s", "unknown unit 'm s' in duration '5 m s' (use " UNITS ")"},
    {"1e", "unknown unit 'e' in duration '1e' (use " UNITS ")"},
    {"h", "'h' is not a duration (expected a number with a unit: " UNITS ")"},
    {"1.2.3s", "malformed number '1.2.3' in duration '1.2.3s'"},
    {"1e3.5s", "malformed number '1e3.5' in duration '1e3.5s'"},
    {".", "malformed number '.' in duration '.'"},
    {"0x10", "hexadecimal number in duration '0x10' (use decimal)"},
    {"1,5h", "decimal comma in duration '1,5h' (use '.')"},
};

static void test_good_durations_parse_to_their_seconds(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof GOOD / sizeof GOOD[0]; i++) {
        double seconds = -1.0;
        char err[256] = "";
        int rc = duration_parse(GOOD[i].text, &seconds, err, sizeof err);
        if (rc != 0 || seconds != GOOD[i].seconds) {
            print_error("'%s': rc %d, got %.17g, expected %.17g (%s)\n",
                        GOOD[i].text, rc, seconds, GOOD[i].seconds, err);
            fail();
        }
    }
}

static void test_bad_durations_are_rejected_with_their_message(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        double seconds = 42.0;
        char err[256] = "";
        int rc = duration_parse(BAD[i].text, &seconds, err, sizeof err);
        if (rc != -1 || strcmp(err, BAD[i].message) != 0 || seconds != 42.0) {
            print_error("'%s': rc %d, seconds %g, message\n  got      '%s'\n  expected '%s'\n",
                        BAD[i].text, rc, seconds, err, BAD[i].message);
            fail();
        }
    }
}

static void test_every_unit_scales_the_number(void **state)
{
    (void)state;
    static const struct { const char *unit; double seconds; } units[] = {
        {"ms", 1e-3}, {"s", 1}, {"m", 60}, {"h", 3600}, {"d", 86400},
        {"w", 604800}, {"y", DURATION_YEAR_S}, {"", 1},
    };
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        char text[32];
        double seconds;
        char err[256];
        snprintf(text, sizeof text, "7%s", units[i].unit);
        assert_int_equal(duration_parse(text, &seconds, err, sizeof err), 0);
        assert_true(fabs(seconds - 7 * units[i].seconds) <= 1e-15 * 7 * units[i].seconds);
    }
}

static void test_long_bad_input_gives_a_bounded_message(void **state)
{
    (void)state;
    char text[1000];
    memset(text, 'x', sizeof text - 1);
    text[sizeof text - 1] = '\0';
    char err[512];
    double seconds;
    assert_int_equal(duration_parse(text, &seconds, err, sizeof err), -1);
    assert_true(strlen(err) < 200);
    /* and a tiny buffer is never overrun */
    char tiny[8];
    assert_int_equal(duration_parse("3 hours", &seconds, tiny, sizeof tiny), -1);
    assert_int_equal(strlen(tiny), sizeof tiny - 1);
}

static void test_number_parsing_takes_the_whole_text_only(void **state)
{
    (void)state;
    static const struct { const char *text; int rc; double value; } cases[] = {
        {"1.5", 0, 1.5}, {"-2", 0, -2.0}, {"1e3", 0, 1000.0}, {"+0.25", 0, 0.25},
        {"", -1, 0}, {" 1", -1, 0}, {"1 ", -1, 0}, {"nan", -1, 0}, {"inf", -1, 0},
        {"-inf", -1, 0}, {"1e999", -1, 0}, {"0x10", -1, 0}, {"1.5h", -1, 0},
        {"1,5", -1, 0}, {"1.2.3", -1, 0}, {".", -1, 0}, {"e5", -1, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double value = 42.0;
        int rc = duration_parse_number(cases[i].text, &value);
        double expected = cases[i].rc == 0 ? cases[i].value : 42.0;
        if (rc != cases[i].rc || value != expected) {
            print_error("'%s': rc %d value %g, expected rc %d value %g\n",
                        cases[i].text, rc, value, cases[i].rc, expected);
            fail();
        }
    }
}

static void test_format_picks_a_readable_unit_with_three_digits(void **state)
{
    (void)state;
    static const struct { double seconds; const char *text; } cases[] = {
        {0.25, "250 ms"}, {42, "42 s"}, {315.6, "5.26 min"}, {31536, "8.76 h"},
        {315360, "3.65 d"}, {12.5 * DURATION_YEAR_S, "12.5 y"}, {0, "0 s"},
        {59.99, "1 min"}, {3600, "1 h"}, {1000 * DURATION_YEAR_S, "1000 y"},
        {0.0005, "0.5 ms"}, {86399.9, "1 d"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[32];
        duration_format(cases[i].seconds, buf, sizeof buf);
        if (strcmp(buf, cases[i].text) != 0) {
            print_error("%.17g s: got '%s', expected '%s'\n", cases[i].seconds, buf, cases[i].text);
            fail();
        }
    }
}

/* Only meaningful where a comma-decimal locale is installed; skipped otherwise. */
static void test_parsing_and_formatting_ignore_a_comma_decimal_locale(void **state)
{
    (void)state;
    static const char *const names[] = {"de_DE.UTF-8", "de_DE.utf8", "de_DE", "fr_FR.UTF-8"};
    const char *got = NULL;
    for (size_t i = 0; i < sizeof names / sizeof names[0] && got == NULL; i++)
        got = setlocale(LC_NUMERIC, names[i]);
    if (got == NULL || strcmp(localeconv()->decimal_point, ",") != 0) {
        setlocale(LC_NUMERIC, "C");
        skip();
    }
    double seconds = 0;
    char err[256];
    int rc_dot = duration_parse("1.5h", &seconds, err, sizeof err);
    double parsed = seconds;
    int rc_comma = duration_parse("1,5h", &seconds, err, sizeof err);
    double number = 0;
    int rc_number = duration_parse_number("2.5", &number);
    char buf[32];
    duration_format(315.6, buf, sizeof buf);
    setlocale(LC_NUMERIC, "C");
    assert_int_equal(rc_dot, 0);
    assert_true(parsed == 5400.0);
    assert_int_equal(rc_comma, -1);
    assert_int_equal(rc_number, 0);
    assert_true(number == 2.5);
    assert_string_equal(buf, "5.26 min");
}

/* FIS writes durations as ISO 8601 (PT5M); the seconds are exact. */
static void test_iso8601_durations_as_fis_writes_them(void **state)
{
    (void)state;
    static const struct { const char *text; double seconds; } good[] = {
        {"PT5M", 300.0},     {"PT1H30M", 5400.0}, {"PT30S", 30.0},   {"PT0.5S", 0.5},
        {"P1D", 86400.0},    {"P1W", 604800.0},   {"P1DT1S", 86401.0}, {"PT1,5M", 90.0},
        {" PT12H ", 43200.0}, {"PT0S", 0.0},
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        double s = -1.0;
        char err[160] = "";
        if (duration_parse_iso8601(good[i].text, &s, err, sizeof err) != 0)
            fail_msg("'%s' refused: %s", good[i].text, err);
        assert_true(s == good[i].seconds);
    }
    static const struct { const char *text, *message; } bad[] = {
        {"5m", "'5m' is not an ISO-8601 duration (PT5M, PT1H30M, PT30S)"},
        {"P", "'P' is not an ISO-8601 duration (PT5M, PT1H30M, PT30S)"},
        {"PT", "'PT' is not an ISO-8601 duration (PT5M, PT1H30M, PT30S)"},
        {"PT5", "'PT5' is not an ISO-8601 duration (PT5M, PT1H30M, PT30S)"},
        {"P1M", "'P1M': years and months have no fixed length; use days (P30D)"},
        {"P1Y", "'P1Y': years and months have no fixed length; use days (P30D)"},
        {"PT5S1M", "'PT5S1M' is not an ISO-8601 duration (PT5M, PT1H30M, PT30S)"},
        {"PT0.5M30S", "'PT0.5M30S': only the last part of an ISO-8601 duration may have a fraction"},
        {"PT1HT1M", "'PT1HT1M': a second 'T' in an ISO-8601 duration"},
        {"PT-5M", "'PT-5M' is not an ISO-8601 duration (PT5M, PT1H30M, PT30S)"},
        {"PT5M x", "'PT5M x' is not an ISO-8601 duration (PT5M, PT1H30M, PT30S)"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        double s = 42.0;
        char err[160] = "";
        assert_int_equal(duration_parse_iso8601(bad[i].text, &s, err, sizeof err), -1);
        assert_string_equal(err, bad[i].message);
        assert_true(s == 42.0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_durations_parse_to_their_seconds),
        cmocka_unit_test(test_bad_durations_are_rejected_with_their_message),
        cmocka_unit_test(test_every_unit_scales_the_number),
        cmocka_unit_test(test_long_bad_input_gives_a_bounded_message),
        cmocka_unit_test(test_number_parsing_takes_the_whole_text_only),
        cmocka_unit_test(test_format_picks_a_readable_unit_with_three_digits),
        cmocka_unit_test(test_parsing_and_formatting_ignore_a_comma_decimal_locale),
        cmocka_unit_test(test_iso8601_durations_as_fis_writes_them),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
