/*
 * test_check — the statistical gate of `drsim check` (include/check.h).
 *
 * The pure parts are pinned by hand: the plan of looks and its Bonferroni
 * level, the decision rule, the Wilson interval, XML escaping, the words.
 * check_run() is exercised on scenarios whose availability is known in
 * closed form: a clear margin passes at the first look, a clear miss fails
 * there, a scenario exactly on its target is never shown either way.  RTO and
 * RPO targets run on warm-standby.  Every stochastic test has a fixed seed
 * and prints it on failure; `test_check -s SEED` replays one with another.
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

#include "check.h"
#include "diag.h"
#include "runner.h"
#include "scenario.h"

static uint64_t test_seed = 20261126;

/* cmocka 1.1.5's assert_float_equal works in float; this one in double. */
#define assert_near(actual, expected, tolerance) \
    assert_near_at((actual), (expected), (tolerance), #actual, __FILE__, __LINE__)

static void assert_near_at(double actual, double expected, double tolerance, const char *what,
                           const char *file, int line)
{
    if (!(fabs(actual - expected) <= tolerance)) {
        fprintf(stderr, "%s:%d: %s = %.17g, expected %.17g within %g\n", file, line, what, actual,
                expected, tolerance);
        fail();
    }
}

static void load_text(scenario *sc, const char *text)
{
    diag_list diag;
    diag_init(&diag);
    int rc = scenario_load_string(sc, "check.yaml", text, strlen(text), &diag);
    if (rc != 0)
        diag_print(&diag, stderr);
    diag_free(&diag);
    assert_int_equal(rc, 0);
}

static void load_file(scenario *sc, const char *path)
{
    diag_list diag;
    diag_init(&diag);
    int rc = scenario_load(sc, path, &diag);
    if (rc != 0)
        diag_print(&diag, stderr);
    diag_free(&diag);
    assert_int_equal(rc, 0);
}

/* Runs the check with the scenario's own targets unless `targets` is given,
 * over the scenario's horizon unless horizon_s > 0. */
static void run_check_over(const scenario *sc, const scenario_targets *targets, uint64_t seed,
                           uint64_t max_trials, int threads, double horizon_s,
                           check_report *report)
{
    check_config cfg = {.confidence = 0.95,
                        .max_trials = max_trials,
                        .seed = seed,
                        .horizon_s = horizon_s > 0.0 ? horizon_s : sc->horizon_s,
                        .threads = threads};
    check_report_init(report, targets ? targets : &sc->targets);
    char err[256];
    if (check_run(sc, &cfg, report, err, sizeof err) != 0)
        fail_msg("check_run: %s", err);
}

static void run_check(const scenario *sc, const scenario_targets *targets, uint64_t seed,
                      uint64_t max_trials, int threads, check_report *report)
{
    run_check_over(sc, targets, seed, max_trials, threads, 0.0, report);
}

static const char *verdict_name(check_verdict v)
{
    return v == CHECK_PASS ? "pass" : v == CHECK_FAIL ? "fail" : "not shown";
}

static void expect_verdict(const check_target *t, check_verdict expected, uint64_t seed)
{
    if (t->verdict != expected)
        fail_msg("seed %llu: %s, expected %s (measured %.9g, interval %.9g - %.9g, %llu trials)",
                 (unsigned long long)seed, verdict_name(t->verdict), verdict_name(expected),
                 t->measured, t->ci_low, t->ci_high, (unsigned long long)t->trials);
}

/* ---- the plan and the rule -------------------------------------------------------------- */

static void test_looks_double_from_200_to_max_trials_with_bonferroni_level(void **state)
{
    (void)state;
    check_plan plan;
    check_plan_make(10000, 0.95, &plan);
    const uint64_t expected[] = {200, 400, 800, 1600, 3200, 6400, 10000};
    assert_int_equal(plan.n_looks, 7);
    for (size_t k = 0; k < 7; k++)
        assert_int_equal(plan.looks[k], expected[k]);
    assert_near(plan.confidence, 0.95, 0.0);
    assert_near(plan.look_confidence, 1.0 - 0.05 / 7.0, 1e-15);

    check_plan_make(800, 0.99, &plan);
    assert_int_equal(plan.n_looks, 3);
    assert_int_equal(plan.looks[2], 800);
    assert_near(plan.look_confidence, 1.0 - 0.01 / 3.0, 1e-15);
}

static void test_few_trials_make_one_look_at_the_stated_level(void **state)
{
    (void)state;
    check_plan plan;
    check_plan_make(150, 0.95, &plan);
    assert_int_equal(plan.n_looks, 1);
    assert_int_equal(plan.looks[0], 150);
    assert_near(plan.look_confidence, 0.95, 1e-15);
    check_plan_make(200, 0.95, &plan);
    assert_int_equal(plan.n_looks, 1);
    check_plan_make(201, 0.95, &plan);
    assert_int_equal(plan.n_looks, 2);
    assert_int_equal(plan.looks[1], 201);
}

static void test_the_largest_max_trials_gives_increasing_looks_ending_there(void **state)
{
    (void)state;
    check_plan plan;
    check_plan_make(SCENARIO_MAX_TRIALS, 0.95, &plan);
    assert_true(plan.n_looks > 1 && plan.n_looks <= CHECK_MAX_LOOKS);
    for (size_t k = 1; k < plan.n_looks; k++)
        assert_true(plan.looks[k] > plan.looks[k - 1]);
    assert_int_equal(plan.looks[plan.n_looks - 1], SCENARIO_MAX_TRIALS);
}

static void test_a_target_passes_only_with_the_whole_interval_on_its_side(void **state)
{
    (void)state;
    assert_int_equal(check_decide(0.95, 0.95, 0.99), CHECK_PASS);
    assert_int_equal(check_decide(0.95, 0.9499, 0.99), CHECK_UNDECIDED);
    assert_int_equal(check_decide(0.95, 0.90, 0.95), CHECK_UNDECIDED);
    assert_int_equal(check_decide(0.95, 0.90, 0.9499), CHECK_FAIL);
    assert_int_equal(check_decide(0.95, NAN, 0.99), CHECK_UNDECIDED);
    assert_int_equal(check_decide(0.95, 0.96, NAN), CHECK_UNDECIDED);
}

/* Hand values: z = 1.959964, 95 of 100 -> centre 96.92/103.84, and n/(n + z^2) when all succeed. */
static void test_wilson_interval_matches_hand_values(void **state)
{
    (void)state;
    double low, high;
    check_wilson_interval(95, 100, 0.95, &low, &high);
    assert_near(low, 0.8882495307680809, 1e-9);
    assert_near(high, 0.978456320845632, 1e-9);
    check_wilson_interval(100, 100, 0.95, &low, &high);
    assert_near(low, 0.9630065017930143, 1e-9);
    assert_near(high, 1.0, 0.0);
    check_wilson_interval(0, 10, 0.95, &low, &high);
    assert_near(low, 0.0, 1e-15);
    assert_near(high, 0.27753279986288915, 1e-9);
    check_wilson_interval(0, 0, 0.95, &low, &high);
    assert_true(isnan(low) && isnan(high));
}

/* ---- what can be measured --------------------------------------------------------------- */

static void test_rto_needs_disasters_and_rpo_needs_data_models(void **state)
{
    (void)state;
    scenario plain, zoned;
    load_text(&plain, "drsim: 1\nname: plain\n"
                      "components: [{name: a, fail: exp(mean=100h), repair: exp(mean=1h)}]\n"
                      "service: a\n");
    load_text(&zoned, "drsim: 1\nname: zoned\n"
                      "regions: [{name: r, zones: [{name: z, outage: {fail: exp(mean=1y), "
                      "repair: 1h}}]}]\n"
                      "components: [{name: a, zone: z, fail: exp(mean=100h), repair: 1h}]\n"
                      "service: a\n");
    assert_null(check_unmeasurable(&plain, CHECK_AVAILABILITY));
    assert_non_null(strstr(check_unmeasurable(&plain, CHECK_RTO), "no disasters"));
    assert_non_null(strstr(check_unmeasurable(&plain, CHECK_RPO), "no data models"));
    assert_null(check_unmeasurable(&zoned, CHECK_RTO));
    assert_non_null(check_unmeasurable(&zoned, CHECK_RPO));
    scenario_free(&plain);
    scenario_free(&zoned);

    scenario dr;
    load_file(&dr, "scenarios/warm-standby.yaml");
    assert_null(check_unmeasurable(&dr, CHECK_RTO));
    assert_null(check_unmeasurable(&dr, CHECK_RPO));
    scenario_free(&dr);
}

static void test_targets_are_kept_in_the_order_availability_rto_rpo(void **state)
{
    (void)state;
    scenario_targets targets = {.has_rpo = true, .rpo_s = 60, .has_availability = true,
                                .availability = 0.999};
    check_report report;
    check_report_init(&report, &targets);
    assert_int_equal(report.n_targets, 2);
    assert_int_equal(report.targets[0].kind, CHECK_AVAILABILITY);
    assert_int_equal(report.targets[1].kind, CHECK_RPO);
    assert_near(report.targets[1].value, 60.0, 0.0);
    assert_int_equal(report.targets[1].verdict, CHECK_UNDECIDED);
}

/* ---- the runner's trial ranges ---------------------------------------------------------- */

static void test_a_trial_range_reproduces_those_trials_of_a_whole_run(void **state)
{
    (void)state;
    scenario sc;
    load_file(&sc, "scenarios/warm-standby.yaml");
    run_config whole = {.trials = 60, .seed = test_seed, .horizon_s = sc.horizon_s, .threads = 2};
    run_config part = {.trials = 25, .seed = test_seed, .horizon_s = sc.horizon_s, .threads = 2};
    run_results all, some;
    char err[256];
    assert_int_equal(runner_run(&sc, &whole, &all, err, sizeof err), 0);
    assert_int_equal(runner_run_range(&sc, &part, 30, &some, err, sizeof err), 0);
    assert_int_equal(some.trials, 25);
    for (uint64_t j = 0; j < 25; j++) {
        const trial_result *a = &all.records[30 + j], *b = &some.records[j];
        if (a->uptime_s != b->uptime_s || a->incidents != b->incidents || a->events != b->events ||
            all.disasters[30 + j].count != some.disasters[j].count)
            fail_msg("seed %llu: trial %llu differs between the range and the whole run",
                     (unsigned long long)test_seed, (unsigned long long)(30 + j));
        for (size_t k = 0; k < some.disasters[j].count; k++) {
            const disaster *x = &all.disasters[30 + j].items[k], *y = &some.disasters[j].items[k];
            assert_true(x->kind == y->kind && x->start_s == y->start_s &&
                        x->restored_s == y->restored_s && x->hit_active == y->hit_active);
            assert_true(x->data_loss_s == y->data_loss_s ||
                        (isnan(x->data_loss_s) && isnan(y->data_loss_s)));
        }
    }
    run_results_free(&all);
    run_results_free(&some);
    scenario_free(&sc);
}

/* ---- verdicts on closed forms ----------------------------------------------------------- */

static void test_a_clear_margin_passes_at_the_first_look(void **state)
{
    (void)state;
    scenario sc;
    load_file(&sc, "tests/scenarios/check/meets.yaml"); /* A = 0.99990197, target 99.9% */
    check_report report;
    run_check(&sc, NULL, test_seed, 10000, 2, &report);
    assert_int_equal(report.n_targets, 1);
    expect_verdict(&report.targets[0], CHECK_PASS, test_seed);
    assert_int_equal(report.targets[0].trials, CHECK_FIRST_LOOK_TRIALS);
    assert_int_equal(report.trials, CHECK_FIRST_LOOK_TRIALS);
    assert_true(report.targets[0].ci_low >= 0.999);
    assert_near(report.targets[0].measured, 0.99990197, 1e-4);
    assert_true(check_all_passed(&report));
    scenario_free(&sc);
}

static void test_a_clear_miss_fails_at_the_first_look(void **state)
{
    (void)state;
    scenario sc;
    load_file(&sc, "tests/scenarios/check/misses.yaml"); /* A = 0.990099, target 99.9% */
    check_report report;
    run_check(&sc, NULL, test_seed, 10000, 2, &report);
    expect_verdict(&report.targets[0], CHECK_FAIL, test_seed);
    assert_int_equal(report.targets[0].trials, CHECK_FIRST_LOOK_TRIALS);
    assert_true(report.targets[0].ci_high < 0.999);
    assert_false(check_all_passed(&report));
    scenario_free(&sc);
}

static void test_availability_exactly_on_its_target_is_not_shown(void **state)
{
    (void)state;
    scenario sc;
    load_file(&sc, "tests/scenarios/check/on-target.yaml"); /* A = 99/100 exactly, target 99% */
    check_report report;
    run_check(&sc, NULL, sc.seed, 800, 2, &report);
    expect_verdict(&report.targets[0], CHECK_UNDECIDED, sc.seed);
    assert_int_equal(report.targets[0].trials, 800);
    assert_int_equal(report.trials, 800);
    assert_true(report.targets[0].ci_low < 0.99 && report.targets[0].ci_high >= 0.99);
    char detail[512];
    check_target_detail(&report.targets[0], &report.plan, detail, sizeof detail);
    assert_non_null(strstr(detail, "not shown at 95% after 800 trials"));
    scenario_free(&sc);
}

/* At the boundary every verdict is a wrong one: over many seeds the share of
 * decided checks must stay under 1 - confidence, as the Bonferroni split
 * promises.  With five looks (200 ... 3200 trials) it is about 4% (1000
 * seeds, docs/ci.md); looks at an uncorrected 95% each decide about 17%.
 * To keep it fast the horizon is 876 h, and the target is the expected
 * availability over it, exactly: everything starts up, so for the two-state
 * chain E[A(H)] = A + (1 - A)(1 - exp(-(l + m)H)) / ((l + m)H), l = 1/99 h,
 * m = 1/h. */
static void test_on_target_verdicts_are_rare_as_the_confidence_promises(void **state)
{
    (void)state;
    scenario sc;
    load_file(&sc, "tests/scenarios/check/on-target.yaml");
    const double horizon_h = 876.0, rate = 1.0 / 99.0 + 1.0;
    scenario_targets targets = {
        .has_availability = true,
        .availability = 0.99 + 0.01 * -expm1(-rate * horizon_h) / (rate * horizon_h)};
    const int seeds = 100;
    int decided = 0;
    for (int i = 0; i < seeds; i++) {
        uint64_t seed = test_seed + (uint64_t)i;
        check_report report;
        run_check_over(&sc, &targets, seed, 3200, 2, horizon_h * 3600.0, &report);
        decided += report.targets[0].verdict != CHECK_UNDECIDED;
    }
    /* P(more than 10 of 100) is 1.1% at a true rate of 5%, 97% at 17% */
    if (decided > 10)
        fail_msg("seeds %llu..%llu: %d of %d checks decided a target that sits on its value",
                 (unsigned long long)test_seed, (unsigned long long)(test_seed + seeds - 1),
                 decided, seeds);
    scenario_free(&sc);
}

static void test_rare_downtime_is_not_shown_before_enough_trials_saw_some(void **state)
{
    (void)state;
    scenario sc;
    /* one failure in ~200 trials: the per-trial values are nearly all 1 */
    load_text(&sc, "drsim: 1\nname: rare\nhorizon: 1y\n"
                   "components: [{name: a, fail: exp(mean=200y), repair: exp(mean=1h)}]\n"
                   "service: a\n");
    scenario_targets targets = {.has_availability = true, .availability = 0.5};
    check_report report;
    run_check(&sc, &targets, test_seed, 2000, 2, &report);
    expect_verdict(&report.targets[0], CHECK_UNDECIDED, test_seed);
    assert_true(report.targets[0].observations < CHECK_MIN_TRIALS_WITH_DOWNTIME);
    char detail[512];
    check_target_detail(&report.targets[0], &report.plan, detail, sizeof detail);
    assert_non_null(strstr(detail, "trials had downtime (a verdict needs 50)"));
    scenario_free(&sc);
}

static void test_verdicts_and_figures_are_the_same_for_one_and_two_threads(void **state)
{
    (void)state;
    scenario sc;
    load_file(&sc, "tests/scenarios/check/on-target.yaml");
    check_report one, two;
    run_check(&sc, NULL, test_seed, 800, 1, &one);
    run_check(&sc, NULL, test_seed, 800, 2, &two);
    for (size_t t = 0; t < one.n_targets; t++) {
        assert_int_equal(one.targets[t].verdict, two.targets[t].verdict);
        assert_memory_equal(&one.targets[t], &two.targets[t], sizeof one.targets[t]);
    }
    assert_int_equal(one.trials, two.trials);
    scenario_free(&sc);
}

/* warm-standby: 98% of disasters are back within 6 h, 0% within a minute
 * (docs/ci.md); RPO: 98% lose at most 4 h, 91% at most a minute. */
static void test_rto_and_rpo_targets_on_warm_standby(void **state)
{
    (void)state;
    scenario sc;
    load_file(&sc, "scenarios/warm-standby.yaml");
    scenario_targets loose = {.has_rto = true, .rto_s = 6 * 3600.0, .has_rpo = true,
                              .rpo_s = 4 * 3600.0};
    scenario_targets tight = {.has_rto = true, .rto_s = 60.0, .has_rpo = true, .rpo_s = 60.0};
    check_report report;
    run_check(&sc, &loose, test_seed, 10000, 2, &report);
    expect_verdict(&report.targets[0], CHECK_PASS, test_seed);
    expect_verdict(&report.targets[1], CHECK_PASS, test_seed);
    assert_true(report.targets[0].observations > 0);
    assert_true(report.targets[0].ci_low >= CHECK_REQUIRED_SHARE);
    run_check(&sc, &tight, test_seed, 10000, 2, &report);
    expect_verdict(&report.targets[0], CHECK_FAIL, test_seed);
    expect_verdict(&report.targets[1], CHECK_FAIL, test_seed);
    assert_true(report.targets[0].ci_high < CHECK_REQUIRED_SHARE);
    scenario_free(&sc);
}

/* The first look handed over is the first 200 trials exactly as a run of
 * 200 trials gives them (the planner takes its p95s from it), and the
 * verdicts do not depend on whether it is asked for. */
static void test_first_look_handed_over_is_the_first_trials_of_a_plain_run(void **state)
{
    (void)state;
    scenario sc;
    load_file(&sc, "scenarios/warm-standby.yaml");
    scenario_targets loose = {.has_rto = true, .rto_s = 6 * 3600.0};
    check_config cfg = {.confidence = 0.95, .max_trials = 1000, .seed = test_seed,
                        .horizon_s = sc.horizon_s, .threads = 2};
    run_results first = {0};
    cfg.first_look = &first;
    check_report with, without;
    char err[256];
    check_report_init(&with, &loose);
    assert_int_equal(check_run(&sc, &cfg, &with, err, sizeof err), 0);
    cfg.first_look = NULL;
    check_report_init(&without, &loose);
    assert_int_equal(check_run(&sc, &cfg, &without, err, sizeof err), 0);
    assert_int_equal(with.targets[0].verdict, without.targets[0].verdict);
    assert_true(with.targets[0].measured == without.targets[0].measured);
    assert_true(with.trials >= 200);

    run_config rc = {.trials = 200, .seed = test_seed, .horizon_s = sc.horizon_s, .threads = 1};
    run_results plain;
    assert_int_equal(runner_run(&sc, &rc, &plain, err, sizeof err), 0);
    assert_int_equal(first.trials, 200);
    size_t disasters = 0;
    for (uint64_t t = 0; t < 200; t++) {
        assert_memory_equal(&first.records[t], &plain.records[t], sizeof plain.records[t]);
        assert_int_equal(first.disasters[t].count, plain.disasters[t].count);
        for (size_t i = 0; i < plain.disasters[t].count; i++)
            assert_true(first.disasters[t].items[i].restored_s ==
                        plain.disasters[t].items[i].restored_s);
        disasters += plain.disasters[t].count;
    }
    assert_true(disasters > 0); /* the comparison compared something */
    run_results_free(&first);
    run_results_free(&plain);
    scenario_free(&sc);
}

/* A run keeps every trial's lists until its report: each holds only what
 * its trial filled (no doubling slack), and an empty one holds nothing. */
static void test_kept_lists_are_fitted_to_their_trials(void **state)
{
    (void)state;
    scenario sc;
    load_file(&sc, "scenarios/warm-standby.yaml");
    run_config rc = {.trials = 300, .seed = test_seed, .horizon_s = sc.horizon_s, .threads = 2};
    run_results results;
    char err[256];
    assert_int_equal(runner_run(&sc, &rc, &results, err, sizeof err), 0);
    size_t disasters = 0, incidents = 0;
    for (uint64_t t = 0; t < results.trials; t++) {
        const disaster_list *d = &results.disasters[t];
        const incident_list *i = &results.incidents[t];
        assert_int_equal(d->capacity, d->count);
        assert_int_equal(i->capacity, i->count);
        assert_true((d->count == 0) == (d->items == NULL));
        assert_true((i->count == 0) == (i->items == NULL));
        disasters += d->count;
        incidents += i->count;
    }
    assert_true(disasters > 0 && incidents > 0); /* both kinds were kept */
    run_results_free(&results);
    scenario_free(&sc);
}

static void test_disasters_that_never_hit_the_service_leave_rto_not_shown(void **state)
{
    (void)state;
    scenario sc;
    load_file(&sc, "tests/scenarios/check/idle-zone.yaml");
    check_report report;
    run_check(&sc, NULL, test_seed, 400, 2, &report);
    expect_verdict(&report.targets[0], CHECK_UNDECIDED, test_seed);
    assert_int_equal(report.targets[0].observations, 0);
    char detail[512];
    check_target_detail(&report.targets[0], &report.plan, detail, sizeof detail);
    assert_non_null(strstr(detail, "no disaster struck the running service"));
    scenario_free(&sc);
}

/* ---- words and XML ---------------------------------------------------------------------- */

static void test_labels_name_the_target_and_the_rule(void **state)
{
    (void)state;
    char buf[128];
    check_target availability = {.kind = CHECK_AVAILABILITY, .value = 0.9999};
    check_target rto = {.kind = CHECK_RTO, .value = 900.0};
    check_target rpo = {.kind = CHECK_RPO, .value = 3600.0};
    assert_string_equal(check_target_label(&availability, buf, sizeof buf),
                        "availability >= 99.99%");
    assert_string_equal(check_target_label(&rto, buf, sizeof buf),
                        "rto <= 15 min for 95% of disasters");
    assert_string_equal(check_target_label(&rpo, buf, sizeof buf), "rpo <= 1 h for 95% of disasters");
    /* never rounded: the largest unit with at most three decimals, else seconds */
    rto.value = 10818.0;
    assert_string_equal(check_target_label(&rto, buf, sizeof buf),
                        "rto <= 3.005 h for 95% of disasters");
    rto.value = 1234.5678;
    assert_string_equal(check_target_label(&rto, buf, sizeof buf),
                        "rto <= 1234.5678 s for 95% of disasters");
    rto.value = 0.25;
    assert_string_equal(check_target_label(&rto, buf, sizeof buf),
                        "rto <= 250 ms for 95% of disasters");
}

static char *escaped(const char *text)
{
    char *out = NULL;
    size_t size = 0;
    FILE *fp = open_memstream(&out, &size);
    assert_non_null(fp);
    check_xml_escape(fp, text);
    fclose(fp);
    return out;
}

static void test_xml_escape_writes_entities_and_replaces_what_xml_forbids(void **state)
{
    (void)state;
    char *s = escaped("a<b>&\"c\" 'd'");
    assert_string_equal(s, "a&lt;b&gt;&amp;&quot;c&quot; &apos;d&apos;");
    free(s);
    s = escaped("tab\there\nnew\rcr");
    assert_string_equal(s, "tab&#9;here&#10;new&#13;cr");
    free(s);
    /* a control character, a lone continuation byte, a cut sequence, an
     * overlong '/' (2 bytes), a surrogate (3 bytes): a '?' per byte, as
     * Unicode recommends for ill-formed sequences; real UTF-8 is kept */
    s = escaped("\x01x\x80y\xc3z\xc0\xaf\xed\xa0\x80 \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
    assert_string_equal(s, "?x?y?z????? \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
    free(s);
    s = escaped("\xef\xbf\xbe"); /* U+FFFE is not an XML character */
    assert_string_equal(s, "?");
    free(s);
}

static size_t count(const char *text, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(text, needle); p != NULL; p = strstr(p + 1, needle))
        n++;
    return n;
}

static void test_junit_has_a_testcase_per_target_and_a_failure_per_miss(void **state)
{
    (void)state;
    scenario sc;
    load_file(&sc, "tests/scenarios/check/markup-name.yaml");
    scenario_targets targets = sc.targets; /* availability 99.9% (met), rto 4 h (met) */
    targets.has_rpo = false;
    targets.rto_s = 60.0;                  /* now missed */
    check_report report;
    run_check(&sc, &targets, test_seed, 800, 2, &report);
    check_config cfg = {.confidence = 0.95, .max_trials = 800, .seed = test_seed,
                        .horizon_s = sc.horizon_s, .threads = 2};
    char *xml = NULL;
    size_t size = 0;
    FILE *fp = open_memstream(&xml, &size);
    assert_non_null(fp);
    assert_int_equal(check_write_junit(fp, &sc, &cfg, &report), 0);
    fclose(fp);
    assert_int_equal(count(xml, "<testsuite "), 1);
    assert_int_equal(count(xml, "<testcase "), 2);
    assert_int_equal(count(xml, "<failure "), 1);
    assert_non_null(strstr(xml, "<testsuite name=\"a &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos; "
                                "\xc3\xa9 &#9; tab\" tests=\"2\" failures=\"1\""));
    assert_non_null(strstr(xml, "<testcase name=\"availability &gt;= 99.9%\""));
    assert_non_null(strstr(xml, "<testcase name=\"rto &lt;= 1 min for 95% of disasters\""));
    assert_non_null(strstr(xml, "<failure message=\"missed at 95% after 200 trials: "));
    free(xml);
    scenario_free(&sc);
}

int main(int argc, char **argv)
{
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], "-s") == 0)
            test_seed = strtoull(argv[i + 1], NULL, 10);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_looks_double_from_200_to_max_trials_with_bonferroni_level),
        cmocka_unit_test(test_few_trials_make_one_look_at_the_stated_level),
        cmocka_unit_test(test_the_largest_max_trials_gives_increasing_looks_ending_there),
        cmocka_unit_test(test_a_target_passes_only_with_the_whole_interval_on_its_side),
        cmocka_unit_test(test_wilson_interval_matches_hand_values),
        cmocka_unit_test(test_rto_needs_disasters_and_rpo_needs_data_models),
        cmocka_unit_test(test_targets_are_kept_in_the_order_availability_rto_rpo),
        cmocka_unit_test(test_a_trial_range_reproduces_those_trials_of_a_whole_run),
        cmocka_unit_test(test_a_clear_margin_passes_at_the_first_look),
        cmocka_unit_test(test_a_clear_miss_fails_at_the_first_look),
        cmocka_unit_test(test_availability_exactly_on_its_target_is_not_shown),
        cmocka_unit_test(test_on_target_verdicts_are_rare_as_the_confidence_promises),
        cmocka_unit_test(test_rare_downtime_is_not_shown_before_enough_trials_saw_some),
        cmocka_unit_test(test_verdicts_and_figures_are_the_same_for_one_and_two_threads),
        cmocka_unit_test(test_rto_and_rpo_targets_on_warm_standby),
        cmocka_unit_test(test_first_look_handed_over_is_the_first_trials_of_a_plain_run),
        cmocka_unit_test(test_kept_lists_are_fitted_to_their_trials),
        cmocka_unit_test(test_disasters_that_never_hit_the_service_leave_rto_not_shown),
        cmocka_unit_test(test_labels_name_the_target_and_the_rule),
        cmocka_unit_test(test_xml_escape_writes_entities_and_replaces_what_xml_forbids),
        cmocka_unit_test(test_junit_has_a_testcase_per_target_and_a_failure_per_miss),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
