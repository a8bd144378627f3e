/*
 * test_alarm — CloudWatch-like alarm evaluation (include/alarm.h): the
 * datapoint of a period is its statistic, the alarm goes to ALARM when M of
 * the last N datapoints breach, and back to OK when fewer do; and the two
 * spellings of an alarm (snake_case, CloudFormation) read alike.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "alarm.h"
#include "ytree.h"

static alarm_config config(alarm_statistic statistic, double period_s, int n, int m,
                           double threshold, alarm_comparison comparison)
{
    alarm_config a = {.name = (char *)"a", .metric = METRIC_ERROR_RATE, .statistic = statistic,
                      .period_s = period_s, .evaluation_periods = n, .datapoints_to_alarm = m,
                      .threshold = threshold, .comparison = comparison};
    return a;
}

/* Feeds one period of ticks, all `value`; returns whether the state changed at its end. */
static bool feed_period(alarm_eval *e, double value)
{
    int ticks = (int)lround(e->config->period_s / ALARM_TICK_S);
    bool changed = false;
    for (int i = 0; i < ticks; i++) {
        bool c = alarm_eval_tick(e, value);
        if (i < ticks - 1)
            assert_false(c); /* only a period's end can change the state */
        changed = c;
    }
    return changed;
}

static void test_insufficient_data_until_the_first_period_ends(void **state)
{
    (void)state;
    alarm_config a = config(STATISTIC_AVERAGE, 60.0, 1, 1, 0.05, COMPARE_GREATER);
    alarm_eval e;
    alarm_eval_reset(&e, &a);
    for (int i = 0; i < 5; i++) {
        assert_false(alarm_eval_tick(&e, 1.0));
        assert_int_equal(e.state, ALARM_INSUFFICIENT_DATA);
    }
    assert_true(alarm_eval_tick(&e, 1.0));
    assert_int_equal(e.state, ALARM_ALARM);
}

static void test_two_of_three_datapoints_breach(void **state)
{
    (void)state;
    alarm_config a = config(STATISTIC_AVERAGE, 60.0, 3, 2, 0.05, COMPARE_GREATER);
    alarm_eval e;
    alarm_eval_reset(&e, &a);
    assert_true(feed_period(&e, 0.10)); /* 1 of 1 so far breaching: not 2 → OK */
    assert_int_equal(e.state, ALARM_OK);
    assert_false(feed_period(&e, 0.00)); /* 1 of 2 */
    assert_true(feed_period(&e, 0.10));  /* 2 of 3 → ALARM */
    assert_int_equal(e.state, ALARM_ALARM);
    assert_true(feed_period(&e, 0.00)); /* window (0, .1, 0): 1 of 3 → OK */
    assert_int_equal(e.state, ALARM_OK);
}

static void test_the_window_slides(void **state)
{
    (void)state;
    alarm_config a = config(STATISTIC_AVERAGE, 60.0, 3, 2, 0.05, COMPARE_GREATER);
    alarm_eval e;
    alarm_eval_reset(&e, &a);
    feed_period(&e, 0.10);
    feed_period(&e, 0.10);
    assert_int_equal(e.state, ALARM_ALARM);
    feed_period(&e, 0.0);  /* (.1, .1, 0): still 2 */
    assert_int_equal(e.state, ALARM_ALARM);
    assert_true(feed_period(&e, 0.0)); /* (.1, 0, 0): 1 → OK */
    assert_int_equal(e.state, ALARM_OK);
}

static void test_the_datapoint_is_the_statistic_over_the_period(void **state)
{
    (void)state;
    /* one bad tick of six: average 1/6 > 0.1, maximum 1, minimum 0 */
    const double ticks[6] = {0, 0, 1, 0, 0, 0};
    struct { alarm_statistic s; double datapoint; alarm_state state; } cases[] = {
        {STATISTIC_AVERAGE, 1.0 / 6.0, ALARM_ALARM},
        {STATISTIC_MAXIMUM, 1.0, ALARM_ALARM},
        {STATISTIC_MINIMUM, 0.0, ALARM_OK},
    };
    for (size_t c = 0; c < 3; c++) {
        alarm_config a = config(cases[c].s, 60.0, 1, 1, 0.1, COMPARE_GREATER);
        alarm_eval e;
        alarm_eval_reset(&e, &a);
        for (int i = 0; i < 6; i++)
            alarm_eval_tick(&e, ticks[i]);
        assert_true(fabs(e.last_datapoint - cases[c].datapoint) < 1e-12);
        assert_int_equal(e.state, cases[c].state);
    }
}

static void test_comparisons_at_the_threshold(void **state)
{
    (void)state;
    struct { alarm_comparison cmp; alarm_state at_threshold; } cases[] = {
        {COMPARE_GREATER, ALARM_OK}, {COMPARE_GREATER_OR_EQUAL, ALARM_ALARM},
        {COMPARE_LESS, ALARM_OK},    {COMPARE_LESS_OR_EQUAL, ALARM_ALARM},
    };
    for (size_t c = 0; c < 4; c++) {
        alarm_config a = config(STATISTIC_AVERAGE, 10.0, 1, 1, 3.0, cases[c].cmp);
        alarm_eval e;
        alarm_eval_reset(&e, &a);
        alarm_eval_tick(&e, 3.0);
        assert_int_equal(e.state, cases[c].at_threshold);
    }
}

static void test_ticks_without_data_are_left_out(void **state)
{
    (void)state;
    alarm_config a = config(STATISTIC_AVERAGE, 30.0, 1, 1, 0.5, COMPARE_GREATER);
    alarm_eval e;
    alarm_eval_reset(&e, &a);
    alarm_eval_tick(&e, NAN);
    alarm_eval_tick(&e, 1.0);
    assert_true(alarm_eval_tick(&e, NAN)); /* the average of the one value: 1 */
    assert_int_equal(e.state, ALARM_ALARM);
    assert_true(e.last_datapoint == 1.0);
    /* a whole period without data gives no datapoint: the state holds */
    for (int i = 0; i < 3; i++)
        assert_false(alarm_eval_tick(&e, NAN));
    assert_int_equal(e.state, ALARM_ALARM);
}

static void test_both_spellings_read_alike(void **state)
{
    (void)state;
    const char *text =
        "snake:\n"
        "  - {name: HighErrorRateAlarm, metric: error_rate, statistic: Maximum, period: 2m,\n"
        "     evaluation_periods: 3, datapoints_to_alarm: 2, threshold: 5%,\n"
        "     comparison: GreaterThanOrEqualToThreshold}\n"
        "pascal:\n"
        "  MetricName: ErrorRate\n"
        "  Namespace: AWS/ApplicationELB\n"
        "  Statistic: Maximum\n"
        "  Period: 120\n"
        "  EvaluationPeriods: 3\n"
        "  DatapointsToAlarm: 2\n"
        "  Threshold: 0.05\n"
        "  ComparisonOperator: GreaterThanOrEqualToThreshold\n";
    ydoc doc;
    diag_list diag;
    diag_init(&diag);
    assert_int_equal(ydoc_load_string(&doc, "alarms.yaml", NULL, text, strlen(text), &diag), 0);
    yctx c = {&doc, &diag};
    alarm_list list = {0};
    ypath p1 = YPATH_KEY(NULL, "snake"), p2 = YPATH_KEY(NULL, "pascal");
    assert_true(alarm_parse_list(&c, ymap_get(doc.root, "snake"), &p1, &list));
    assert_true(alarm_parse_cloudformation(&c, "HighErrorRateAlarm2", ymap_get(doc.root, "pascal"),
                                           &p2, &list));
    assert_int_equal(list.n, 2);
    const alarm_config *x = &list.items[0], *y = &list.items[1];
    assert_string_equal(y->name, "HighErrorRateAlarm2"); /* the logical id names it */
    assert_int_equal(x->metric, y->metric);
    assert_int_equal(x->statistic, y->statistic);
    assert_true(x->period_s == 120.0 && y->period_s == 120.0);
    assert_int_equal(x->evaluation_periods, 3);
    assert_int_equal(y->datapoints_to_alarm, 2);
    assert_true(x->threshold == y->threshold);
    assert_int_equal(x->comparison, y->comparison);
    assert_ptr_equal(alarm_find(&list, "HighErrorRateAlarm"), x);
    assert_null(alarm_find(&list, "nope"));
    alarm_list_free(&list);
    ydoc_free(&doc);
    diag_free(&diag);
}

static void test_cloudformation_tags_are_kept(void **state)
{
    (void)state;
    const char *text = "a: !Ref HighErrorRateAlarm\nb: !GetAtt Role.Arn\nc: plain\n";
    ydoc doc;
    diag_list diag;
    diag_init(&diag);
    assert_int_equal(ydoc_load_string(&doc, "cfn.yaml", NULL, text, strlen(text), &diag), 0);
    assert_string_equal(ymap_get(doc.root, "a")->tag, "!Ref");
    assert_string_equal(ymap_get(doc.root, "a")->text, "HighErrorRateAlarm");
    assert_string_equal(ymap_get(doc.root, "b")->tag, "!GetAtt");
    assert_null(ymap_get(doc.root, "c")->tag);
    ydoc_free(&doc);
    diag_free(&diag);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_insufficient_data_until_the_first_period_ends),
        cmocka_unit_test(test_two_of_three_datapoints_breach),
        cmocka_unit_test(test_the_window_slides),
        cmocka_unit_test(test_the_datapoint_is_the_statistic_over_the_period),
        cmocka_unit_test(test_comparisons_at_the_threshold),
        cmocka_unit_test(test_ticks_without_data_are_left_out),
        cmocka_unit_test(test_both_spellings_read_alike),
        cmocka_unit_test(test_cloudformation_tags_are_kept),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
