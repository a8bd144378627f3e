/*
 * The label edges of `drsim table strategies` (include/strategies.h), the
 * verdicts on them, and the chapter's ordering rule, pinned at the edges.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "strategies.h"

#define MINUTE 60.0
#define HOUR 3600.0
#define DAY 86400.0

static void test_rto_classes_change_exactly_at_their_edges(void **state)
{
    (void)state;
    assert_string_equal(strategies_class(9.999), "Real-time");
    assert_string_equal(strategies_class(10.0), "Seconds");
    assert_string_equal(strategies_class(MINUTE - 0.001), "Seconds");
    assert_string_equal(strategies_class(MINUTE), "Minutes");
    assert_string_equal(strategies_class(HOUR), "Hours");
    assert_string_equal(strategies_class(DAY), "Days");
}

static void test_rpo_classes_are_zero_only_at_p99_zero_and_seconds_below_a_minute(void **state)
{
    (void)state;
    assert_string_equal(strategies_class_of(0.0, 0.0, true), "Zero");
    assert_string_equal(strategies_class_of(0.0, 0.5, true), "Seconds"); /* p50 0, but losses */
    assert_string_equal(strategies_class_of(2.0, 30.0, true), "Seconds");
    assert_string_equal(strategies_class_of(2 * HOUR, 3 * HOUR, true), "Hours");
}

static void test_verdicts_say_meets_better_or_worse_against_the_label(void **state)
{
    (void)state;
    assert_string_equal(strategies_verdict("Minutes", 13 * MINUTE, NAN), "meets");
    assert_string_equal(strategies_verdict("Minutes", 30.0, NAN), "better");
    assert_string_equal(strategies_verdict("Seconds", 5 * MINUTE, NAN), "worse");
    assert_string_equal(strategies_verdict("Real-time", 9.0, NAN), "meets");
    assert_string_equal(strategies_verdict("Real-time", 13.0, NAN), "worse");
    assert_string_equal(strategies_verdict("Hours", 52 * MINUTE, NAN), "better");
    /* Hours-Days is an hour or more, with no upper edge */
    assert_string_equal(strategies_verdict("Hours-Days", 3 * DAY, NAN), "meets");
    assert_string_equal(strategies_verdict("Hours-Days", 59 * MINUTE, NAN), "better");
    /* for an RPO any loss under a minute is Seconds; only no loss beats it */
    assert_string_equal(strategies_verdict("Seconds", 2.0, 40.0), "meets");
    assert_string_equal(strategies_verdict("Seconds", 0.0, 0.0), "better");
    assert_string_equal(strategies_verdict("Zero", 0.0, 0.0), "meets");
    assert_string_equal(strategies_verdict("Zero", 0.0, 0.001), "worse");
}

static strategy_row row(double rto_p50, double rpo_p50, double rpo_p99, double cost)
{
    strategy_row r;
    memset(&r, 0, sizeof r);
    r.title = "row";
    r.rto_p50_s = rto_p50;
    r.rpo_p50_s = rpo_p50;
    r.rpo_p99_s = rpo_p99;
    r.cost_per_year_usd = cost;
    return r;
}

static void test_ordering_compares_classes_and_needs_cost_to_grow(void **state)
{
    (void)state;
    char why[256];
    /* within one class a slightly larger value is no break (the chapter
     * orders classes), a slower class is */
    strategy_row same_class[2] = {row(50 * MINUTE, 9.2, 70, 100), row(13 * MINUTE, 9.4, 70, 200)};
    assert_true(strategies_ordering_holds(same_class, 2, why, sizeof why));
    strategy_row slower[2] = {row(13 * MINUTE, 9.0, 70, 100), row(2 * HOUR, 9.0, 70, 200)};
    assert_false(strategies_ordering_holds(slower, 2, why, sizeof why));
    assert_non_null(strstr(why, "RTO"));
    strategy_row cheaper[2] = {row(2 * HOUR, 9.0, 70, 200), row(13 * MINUTE, 9.0, 70, 200)};
    assert_false(strategies_ordering_holds(cheaper, 2, why, sizeof why));
    assert_non_null(strstr(why, "cost"));
    strategy_row more_lost[2] = {row(HOUR, 0.0, 0.0, 100), row(HOUR, 1.0, 5.0, 200)};
    assert_false(strategies_ordering_holds(more_lost, 2, why, sizeof why));
    assert_non_null(strstr(why, "RPO"));
}

static void test_the_chapter_rows_come_in_its_order_with_its_labels(void **state)
{
    (void)state;
    strategy_row rows[STRATEGY_COUNT];
    strategies_init(rows);
    assert_string_equal(rows[0].title, "Backup & Restore");
    assert_string_equal(rows[0].seed_rto, "Hours-Days");
    assert_string_equal(rows[4].title, "Active-Active");
    assert_string_equal(rows[4].seed_rpo, "Zero");
    assert_string_equal(rows[4].seed_cost, "$$$$$");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rto_classes_change_exactly_at_their_edges),
        cmocka_unit_test(test_rpo_classes_are_zero_only_at_p99_zero_and_seconds_below_a_minute),
        cmocka_unit_test(test_verdicts_say_meets_better_or_worse_against_the_label),
        cmocka_unit_test(test_ordering_compares_classes_and_needs_cost_to_grow),
        cmocka_unit_test(test_the_chapter_rows_come_in_its_order_with_its_labels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
