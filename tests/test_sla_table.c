/*
 * test_sla_table — the seed chapter's availability table, cell by cell.
 *
 * The chapter ("Availability SLA") says: 99% → 3.65 days (87.6 hours),
 * 99.9% → 8.76 hours, 99.95% → 4.38 hours, 99.99% → 52.6 minutes,
 * 99.999% → 5.26 minutes; and for 99.99% per month (30 days) 4.3 minutes,
 * per week 1 minute.
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
#include <unistd.h>

#include "sla_table.h"

static const char *downtime(double seconds, int significant)
{
    static char buf[128];
    return sla_format_downtime(seconds, significant, buf, sizeof buf);
}

static const char *percent(double availability)
{
    static char buf[64];
    return sla_format_percent(availability, buf, sizeof buf);
}

static void test_default_levels_are_the_chapters(void **state)
{
    (void)state;
    const double expected[5] = {0.99, 0.999, 0.9995, 0.9999, 0.99999};
    for (int i = 0; i < 5; i++)
        assert_true(sla_default_levels[i] == expected[i]);
}

static void test_per_year_matches_the_chapter(void **state)
{
    (void)state;
    static const char *const expected[5] = {"3.65 days (87.6 hours)", "8.76 hours",
                                            "4.38 hours", "52.6 minutes", "5.26 minutes"};
    for (int i = 0; i < 5; i++) {
        sla_downtime d;
        sla_downtime_for(sla_default_levels[i], &d);
        assert_string_equal(downtime(d.per_year_s, 3), expected[i]);
    }
}

static void test_four_nines_per_month_and_week_match_the_chapter(void **state)
{
    (void)state;
    sla_downtime d;
    sla_downtime_for(0.9999, &d);
    assert_string_equal(downtime(d.per_month_s, 2), "4.3 minutes");
    assert_string_equal(downtime(d.per_week_s, 2), "1 minute");
}

/* 365 × 86400 × 10^-4 = 3153.6 exactly (as the nearest double), not
 * 3153.5999999996 as (1 − 0.9999) × 31536000 would give. */
static void test_downtime_seconds_are_exact_decimals(void **state)
{
    (void)state;
    sla_downtime d;
    sla_downtime_for(0.9999, &d);
    assert_true(d.availability == 0.9999);
    assert_true(d.per_year_s == 3153.6);
    assert_true(d.per_month_s == 259.2);
    assert_true(d.per_week_s == 60.48);
    sla_downtime_for(0.99, &d);
    assert_true(d.per_year_s == 315360.0);
    assert_true(d.per_month_s == 25920.0);
    assert_true(d.per_week_s == 6048.0);
    sla_downtime_for(0.99999, &d);
    assert_true(d.per_year_s == 315.36);
    sla_downtime_for(0.999999, &d);
    assert_true(d.per_year_s == 31.536);
    sla_downtime_for(1.0, &d);
    assert_true(d.per_year_s == 0.0 && d.per_week_s == 0.0);
    sla_downtime_for(0.0, &d);
    assert_true(d.per_year_s == 31536000.0);
}

static void test_levels_outside_zero_to_one_have_no_downtime(void **state)
{
    (void)state;
    sla_downtime d;
    sla_downtime_for(1.5, &d);
    assert_true(isnan(d.per_year_s) && isnan(d.per_month_s) && isnan(d.per_week_s));
    sla_downtime_for(NAN, &d);
    assert_true(isnan(d.per_year_s));
    assert_string_equal(downtime(NAN, 3), "n/a");
}

static void test_percent_labels_drop_trailing_zeros(void **state)
{
    (void)state;
    assert_string_equal(percent(0.9995), "99.95%");
    assert_string_equal(percent(0.99), "99%");
    assert_string_equal(percent(0.999), "99.9%");
    assert_string_equal(percent(0.9999), "99.99%");
    assert_string_equal(percent(0.99999), "99.999%");
    assert_string_equal(percent(0.95), "95%");
    assert_string_equal(percent(0.999999), "99.9999%");
    assert_string_equal(percent(1.0), "100%");
    assert_string_equal(percent(0.5), "50%");
    assert_string_equal(percent(0.0), "0%");
}

static void test_units_follow_the_size_of_the_downtime(void **state)
{
    (void)state;
    assert_string_equal(downtime(0.0, 2), "0 seconds");
    assert_string_equal(downtime(6.048, 2), "6 seconds");
    assert_string_equal(downtime(25.92, 2), "26 seconds");
    assert_string_equal(downtime(31.536, 3), "31.5 seconds");
    assert_string_equal(downtime(0.6048, 2), "0.6 seconds");
    assert_string_equal(downtime(90.0, 2), "1.5 minutes");
    assert_string_equal(downtime(2592.0, 2), "43 minutes");
    assert_string_equal(downtime(25920.0, 2), "7.2 hours");
    assert_string_equal(downtime(6048.0, 2), "1.7 hours");
    assert_string_equal(downtime(129600.0, 2), "1.5 days");
    assert_string_equal(downtime(1576800.0, 3), "18.3 days (438 hours)"); /* 95% */
    assert_string_equal(downtime(3153600.0, 3), "36.5 days (876 hours)"); /* 90% */
}

static void test_singular_only_for_exactly_one(void **state)
{
    (void)state;
    assert_string_equal(downtime(1.0, 2), "1 second");
    assert_string_equal(downtime(60.0, 2), "1 minute");
    assert_string_equal(downtime(60.48, 2), "1 minute");   /* "1.0" reads "1" */
    assert_string_equal(downtime(66.0, 2), "1.1 minutes");
    assert_string_equal(downtime(3600.0, 3), "1 hour");
    assert_string_equal(downtime(86400.0, 3), "1 day (24 hours)");
    assert_string_equal(downtime(86400.0, 2), "1 day");
    assert_string_equal(downtime(2.0, 2), "2 seconds");
    assert_string_equal(downtime(0.9, 1), "0.9 seconds");
}

static void test_rounding_up_moves_to_the_next_unit(void **state)
{
    (void)state;
    assert_string_equal(downtime(59.99, 2), "1 minute");
    assert_string_equal(downtime(59.7, 3), "59.7 seconds");
    assert_string_equal(downtime(3599.0, 2), "1 hour");
    assert_string_equal(downtime(86399.0, 3), "1 day (24 hours)");
    assert_string_equal(downtime(99.96, 3), "1.67 minutes");
}

static void test_halves_round_away_from_zero(void **state)
{
    (void)state;
    /* 8.45 hours and 0.35 s are decimal halves a hair below in binary;
     * 1.25 hours is an exact binary half, which printf would make 1.2 */
    assert_string_equal(downtime(30420.0, 2), "8.5 hours");
    assert_string_equal(downtime(0.35, 1), "0.4 seconds");
    assert_string_equal(downtime(4500.0, 2), "1.3 hours");
    assert_string_equal(downtime(1.25, 2), "1.3 seconds");
    assert_string_equal(downtime(18.25 * 86400.0, 3), "18.3 days (438 hours)");
}

static void test_extra_levels(void **state)
{
    (void)state;
    sla_downtime d;
    sla_downtime_for(0.95, &d);
    assert_true(d.per_year_s == 1576800.0);
    assert_string_equal(downtime(d.per_year_s, 3), "18.3 days (438 hours)");
    assert_string_equal(downtime(d.per_month_s, 2), "1.5 days");
    assert_string_equal(downtime(d.per_week_s, 2), "8.4 hours");

    sla_downtime_for(0.999999, &d);
    assert_string_equal(downtime(d.per_year_s, 3), "31.5 seconds");
    assert_string_equal(downtime(d.per_month_s, 2), "2.6 seconds");
    assert_string_equal(downtime(d.per_week_s, 2), "0.6 seconds");
}

/* Prints the table into a string. */
static char *print_table(const double *levels, size_t n)
{
    char *text = NULL;
    size_t size = 0;
    FILE *fp = open_memstream(&text, &size);
    assert_non_null(fp);
    sla_table_print(fp, levels, n);
    assert_int_equal(fclose(fp), 0);
    return text;
}

static void test_printed_table_reproduces_the_chapter(void **state)
{
    (void)state;
    char *text = print_table(sla_default_levels, 5);
    assert_string_equal(text,
                        "Availability      | Downtime per year      | per month   | per week\n"
                        "------------------+------------------------+-------------+-----------\n"
                        "99% (Two 9s)      | 3.65 days (87.6 hours) | 7.2 hours   | 1.7 hours\n"
                        "99.9% (Three 9s)  | 8.76 hours             | 43 minutes  | 10 minutes\n"
                        "99.95%            | 4.38 hours             | 22 minutes  | 5 minutes\n"
                        "99.99% (Four 9s)  | 52.6 minutes           | 4.3 minutes | 1 minute\n"
                        "99.999% (Five 9s) | 5.26 minutes           | 26 seconds  | 6 seconds\n");
    free(text);
}

static void test_printed_table_columns_line_up(void **state)
{
    (void)state;
    const double levels[] = {0.95, 0.999999, 0.9};
    char *text = print_table(levels, 3);
    /* every line has its separators at the same columns as the header */
    char *lines[8] = {NULL};
    int count = 0;
    for (char *line = strtok(text, "\n"); line && count < 8; line = strtok(NULL, "\n"))
        lines[count++] = line;
    assert_int_equal(count, 5);
    size_t first_bar = strcspn(lines[0], "|");
    assert_true(first_bar < strlen(lines[0]));
    for (int i = 0; i < count; i++) {
        char expect = i == 1 ? '+' : '|';
        assert_int_equal(lines[i][first_bar], expect);
    }
    assert_non_null(strstr(lines[2], "95%"));
    assert_non_null(strstr(lines[3], "99.9999% (Six 9s)"));
    assert_non_null(strstr(lines[4], "90% (One 9)"));
    free(text);
}

static void test_empty_table_is_just_the_header(void **state)
{
    (void)state;
    char *text = print_table(NULL, 0);
    assert_string_equal(text, "Availability | Downtime per year | per month | per week\n"
                              "-------------+-------------------+-----------+---------\n");
    free(text);
}

static void test_csv_has_one_row_per_level_with_exact_numbers(void **state)
{
    (void)state;
    char dir[] = "/tmp/drsim-sla-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128], err[256] = "";
    snprintf(path, sizeof path, "%s/sla.csv", dir);
    const double levels[] = {0.99, 0.999, 0.9995, 0.9999, 0.99999, 0.95, 0.999999};
    assert_int_equal(sla_table_write_csv(path, levels, 7, err, sizeof err), 0);

    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    char text[4096];
    size_t len = fread(text, 1, sizeof text - 1, fp);
    text[len] = '\0';
    fclose(fp);
    unlink(path);
    rmdir(dir);
    assert_string_equal(
        text,
        "availability,availability_percent,downtime_per_year_s,downtime_per_month_s,"
        "downtime_per_week_s,per_year,per_month,per_week\r\n"
        "0.99,99,315360,25920,6048,3.65 days (87.6 hours),7.2 hours,1.7 hours\r\n"
        "0.999,99.9,31536,2592,604.8,8.76 hours,43 minutes,10 minutes\r\n"
        "0.9995,99.95,15768,1296,302.4,4.38 hours,22 minutes,5 minutes\r\n"
        "0.9999,99.99,3153.6,259.2,60.48,52.6 minutes,4.3 minutes,1 minute\r\n"
        "0.99999,99.999,315.36,25.92,6.048,5.26 minutes,26 seconds,6 seconds\r\n"
        "0.95,95,1576800,129600,30240,18.3 days (438 hours),1.5 days,8.4 hours\r\n"
        "0.999999,99.9999,31.536,2.592,0.6048,31.5 seconds,2.6 seconds,0.6 seconds\r\n");
}

static void test_csv_into_a_missing_directory_fails_cleanly(void **state)
{
    (void)state;
    char err[256] = "";
    assert_int_equal(sla_table_write_csv("/nonexistent-dir/sla.csv", sla_default_levels, 5, err,
                                         sizeof err),
                     -1);
    assert_string_equal(err, "cannot create '/nonexistent-dir/sla.csv': No such file or directory");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_levels_are_the_chapters),
        cmocka_unit_test(test_per_year_matches_the_chapter),
        cmocka_unit_test(test_four_nines_per_month_and_week_match_the_chapter),
        cmocka_unit_test(test_downtime_seconds_are_exact_decimals),
        cmocka_unit_test(test_levels_outside_zero_to_one_have_no_downtime),
        cmocka_unit_test(test_percent_labels_drop_trailing_zeros),
        cmocka_unit_test(test_units_follow_the_size_of_the_downtime),
        cmocka_unit_test(test_singular_only_for_exactly_one),
        cmocka_unit_test(test_rounding_up_moves_to_the_next_unit),
        cmocka_unit_test(test_halves_round_away_from_zero),
        cmocka_unit_test(test_extra_levels),
        cmocka_unit_test(test_printed_table_reproduces_the_chapter),
        cmocka_unit_test(test_printed_table_columns_line_up),
        cmocka_unit_test(test_empty_table_is_just_the_header),
        cmocka_unit_test(test_csv_has_one_row_per_level_with_exact_numbers),
        cmocka_unit_test(test_csv_into_a_missing_directory_fails_cleanly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
