/*
 * Trial semantics (SPEC §3) pinned with deterministic distributions, where
 * every instant can be computed by hand, and the determinism and common
 * random numbers of SPEC §5.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "scenario.h"
#include "trial.h"

#define HOUR 3600.0

typedef struct outcome {
    trial_result result;
    incident_list incidents;
} outcome;

static void load(scenario *sc, const char *text)
{
    diag_list diag;
    diag_init(&diag);
    int rc = scenario_load_string(sc, "trial.yaml", text, strlen(text), &diag);
    if (rc != 0)
        diag_print(&diag, stderr);
    diag_free(&diag);
    assert_int_equal(rc, 0);
}

static outcome run_one(const char *text, double horizon_s, uint64_t seed, uint64_t trial)
{
    scenario sc;
    load(&sc, text);
    trial_world *world = trial_world_create(&sc);
    assert_non_null(world);
    outcome out;
    memset(&out, 0, sizeof out);
    disaster_list disasters = {0};
    assert_int_equal(trial_run(world, seed, trial, horizon_s, &out.result, &out.incidents, &disasters), 0);
    disaster_list_free(&disasters);
    trial_world_destroy(world);
    scenario_free(&sc);
    return out;
}

static void assert_seconds(double actual, double expected)
{
    if (fabs(actual - expected) > 1e-6)
        fail_msg("%.9g s, expected %.9g s", actual, expected);
}

static void test_constant_unit_alternates_and_last_incident_is_censored(void **state)
{
    (void)state;
    /* up 10 h, down 2 h, up 10 h, down from 22 h to the 24 h horizon */
    outcome o = run_one("drsim: 1\nname: c\ncomponents:\n"
                        "  - {name: u, fail: const(10h), repair: const(2h)}\n",
                        24 * HOUR, 1, 0);
    assert_seconds(o.result.uptime_s, 20 * HOUR);
    assert_seconds(o.result.downtime_s, 4 * HOUR);
    assert_int_equal(o.result.incidents, 2);
    assert_int_equal(o.incidents.count, 2);
    assert_seconds(o.incidents.items[0].start_s, 10 * HOUR);
    assert_seconds(o.incidents.items[0].end_s, 12 * HOUR);
    assert_false(o.incidents.items[0].censored);
    assert_seconds(o.incidents.items[1].start_s, 22 * HOUR);
    assert_seconds(o.incidents.items[1].end_s, 24 * HOUR);
    assert_true(o.incidents.items[1].censored);
    assert_int_equal(o.incidents.items[0].cause_kind, CAUSE_COMPONENT);
    incident_list_free(&o.incidents);
}

static void test_one_crew_repairs_copies_in_failure_order(void **state)
{
    (void)state;
    /* both copies fail at 10 h; one crew: u[0] repaired 10-12 h, u[1] 12-14 h.
     * With all copies needed the service is down 10-14 h. */
    outcome o = run_one("drsim: 1\nname: crews\ncomponents:\n"
                        "  - {name: u, count: 2, crews: 1, fail: const(10h), repair: const(2h)}\n"
                        "service: u\n",
                        13.5 * HOUR, 1, 0);
    assert_int_equal(o.result.incidents, 1);
    assert_seconds(o.result.downtime_s, 3.5 * HOUR);
    incident_list_free(&o.incidents);

    o = run_one("drsim: 1\nname: crews\ncomponents:\n"
                "  - {name: u, count: 2, crews: 1, fail: const(10h), repair: const(2h)}\n"
                "service: u\n",
                20 * HOUR, 1, 0);
    assert_int_equal(o.result.incidents, 1);
    assert_seconds(o.incidents.items[0].end_s, 14 * HOUR);
    assert_int_equal(o.incidents.items[0].cause_copy, 0); /* the first to fail began it */
    incident_list_free(&o.incidents);
}

static void test_two_crews_repair_simultaneous_failures_in_parallel(void **state)
{
    (void)state;
    outcome o = run_one("drsim: 1\nname: crews\ncomponents:\n"
                        "  - {name: u, count: 2, crews: 2, fail: const(10h), repair: const(2h)}\n"
                        "service: u\n",
                        20 * HOUR, 1, 0);
    assert_int_equal(o.result.incidents, 1);
    assert_seconds(o.incidents.items[0].end_s, 12 * HOUR);
    incident_list_free(&o.incidents);
}

static void test_at_least_one_of_two_survives_a_single_failure(void **state)
{
    (void)state;
    /* u[0] fails every 10 h for 2 h, u[1] every 7 h for 1 h: overlapping
     * down intervals are [10,12) vs [7,8),[15,16): no overlap before 20 h */
    outcome o = run_one("drsim: 1\nname: p\ncomponents:\n"
                        "  - {name: a, fail: const(10h), repair: const(2h)}\n"
                        "  - {name: b, fail: const(7h), repair: const(1h)}\n"
                        "service: {any: [a, b]}\n",
                        20 * HOUR, 1, 0);
    assert_int_equal(o.result.incidents, 0);
    assert_seconds(o.result.uptime_s, 20 * HOUR);
    incident_list_free(&o.incidents);
}

static void test_zone_outage_takes_its_copies_down_and_is_the_cause(void **state)
{
    (void)state;
    /* the zone is out 5-6 h and 11-12 h; the copy itself never fails in 24 h */
    outcome o = run_one("drsim: 1\nname: z\n"
                        "regions:\n"
                        "  - name: r\n"
                        "    zones:\n"
                        "      - {name: z, outage: {fail: const(5h), repair: const(1h)}}\n"
                        "components:\n"
                        "  - {name: u, zone: z, fail: const(1000h), repair: const(1h)}\n",
                        12.5 * HOUR, 1, 0);
    assert_int_equal(o.result.incidents, 2);
    assert_seconds(o.result.downtime_s, 2 * HOUR);
    assert_int_equal(o.incidents.items[0].cause_kind, CAUSE_ZONE);
    assert_int_equal(o.result.domain_outages, 2);
    incident_list_free(&o.incidents);
}

static void test_copy_failing_inside_an_outage_stays_down_after_it(void **state)
{
    (void)state;
    /* zone out 5-8 h; the copy fails at 6 h and is repaired at 10 h:
     * one incident 5-10 h begun by the zone */
    outcome o = run_one("drsim: 1\nname: z\n"
                        "regions:\n"
                        "  - name: r\n"
                        "    zones:\n"
                        "      - {name: z, outage: {fail: const(5h), repair: const(3h)}}\n"
                        "components:\n"
                        "  - {name: u, zone: z, fail: const(6h), repair: const(4h)}\n",
                        10.5 * HOUR, 1, 0);
    assert_int_equal(o.result.incidents, 1);
    assert_seconds(o.incidents.items[0].start_s, 5 * HOUR);
    assert_seconds(o.incidents.items[0].end_s, 10 * HOUR);
    assert_int_equal(o.incidents.items[0].cause_kind, CAUSE_ZONE);
    incident_list_free(&o.incidents);
}

static void test_region_outage_downs_copies_in_all_its_zones(void **state)
{
    (void)state;
    outcome o = run_one("drsim: 1\nname: r\n"
                        "regions:\n"
                        "  - name: r\n"
                        "    outage: {fail: const(5h), repair: const(2h)}\n"
                        "    zones: [{name: a}, {name: b}]\n"
                        "components:\n"
                        "  - {name: u, count: 2, zones: [a, b], fail: const(1000h), repair: const(1h)}\n"
                        "service: {at_least: 1, of: u}\n",
                        8 * HOUR, 1, 0);
    assert_int_equal(o.result.incidents, 1);
    assert_seconds(o.result.downtime_s, 2 * HOUR);
    assert_int_equal(o.incidents.items[0].cause_kind, CAUSE_REGION);
    incident_list_free(&o.incidents);
}

static void test_spread_copies_survive_one_zone_outage(void **state)
{
    (void)state;
    outcome o = run_one("drsim: 1\nname: spread\n"
                        "regions:\n"
                        "  - name: r\n"
                        "    zones:\n"
                        "      - {name: a, outage: {fail: const(5h), repair: const(2h)}}\n"
                        "      - {name: b}\n"
                        "components:\n"
                        "  - {name: u, count: 2, zones: [a, b], fail: const(1000h), repair: const(1h)}\n"
                        "service: {at_least: 1, of: u}\n",
                        20 * HOUR, 1, 0);
    assert_int_equal(o.result.incidents, 0);
    assert_int_equal(o.result.domain_outages, 3); /* 5-7 h, 12-14 h, 19-21 h */
    incident_list_free(&o.incidents);
}

static void test_sla_periods_count_years_meeting_the_target(void **state)
{
    (void)state;
    /* down 2 h in every 1000 h: per year about 17.5 h down, availability
     * 0.998; a 99.9% target is missed every year, 99% met every year */
#define SLA_SCENARIO(target)                                                                    \
    "drsim: 1\nname: s\ntargets: {availability: " target "}\ncomponents:\n"                      \
    "  - {name: u, fail: const(998h), repair: const(2h)}\n"
    const char *text = SLA_SCENARIO("99.9%");
    outcome o = run_one(text, 3 * 365 * 24 * HOUR, 1, 0);
    assert_int_equal(o.result.periods, 3);
    assert_int_equal(o.result.periods_meeting_target, 0);
    incident_list_free(&o.incidents);
    text = SLA_SCENARIO("99%");
    o = run_one(text, 2.5 * 365 * 24 * HOUR, 1, 0);
    assert_int_equal(o.result.periods, 3); /* two years and a half */
    assert_int_equal(o.result.periods_meeting_target, 3);
    incident_list_free(&o.incidents);
}

static void test_same_seed_and_trial_give_the_same_history(void **state)
{
    (void)state;
    const char *text = "drsim: 1\nname: d\ncomponents:\n"
                       "  - {name: u, count: 3, crews: 1, fail: exp(mean=100h), repair: exp(mean=10h)}\n"
                       "service: {at_least: 2, of: u}\n";
    outcome a = run_one(text, 365 * 24 * HOUR, 7, 3);
    outcome b = run_one(text, 365 * 24 * HOUR, 7, 3);
    outcome c = run_one(text, 365 * 24 * HOUR, 7, 4);
    assert_true(a.incidents.count > 0);
    assert_int_equal(a.incidents.count, b.incidents.count);
    for (size_t i = 0; i < a.incidents.count; i++) { /* field by field: structs have padding */
        assert_true(a.incidents.items[i].start_s == b.incidents.items[i].start_s);
        assert_true(a.incidents.items[i].end_s == b.incidents.items[i].end_s);
        assert_int_equal(a.incidents.items[i].cause_copy, b.incidents.items[i].cause_copy);
    }
    assert_true(a.result.downtime_s == b.result.downtime_s);
    assert_false(a.result.downtime_s == c.result.downtime_s);
    incident_list_free(&a.incidents);
    incident_list_free(&b.incidents);
    incident_list_free(&c.incidents);
}

static void test_shared_component_sees_the_same_failures_in_another_scenario(void **state)
{
    (void)state;
    /* common random numbers: adding component b and a zone does not change
     * a's own failure history, so with the service = a the incidents match */
    outcome alone = run_one("drsim: 1\nname: one\ncomponents:\n"
                            "  - {name: a, count: 2, fail: exp(mean=200h), repair: exp(mean=10h)}\n"
                            "service: a\n",
                            365 * 24 * HOUR, 11, 5);
    outcome with_more = run_one("drsim: 1\nname: two\n"
                                "regions: [{name: r, zones: [{name: z}]}]\n"
                                "components:\n"
                                "  - {name: b, count: 4, fail: exp(mean=50h), repair: exp(mean=3h)}\n"
                                "  - {name: a, count: 2, zone: z, fail: exp(mean=200h), repair: exp(mean=10h)}\n"
                                "service: a\n",
                                365 * 24 * HOUR, 11, 5);
    assert_true(alone.incidents.count > 3);
    assert_int_equal(alone.incidents.count, with_more.incidents.count);
    for (size_t i = 0; i < alone.incidents.count; i++) {
        assert_true(alone.incidents.items[i].start_s == with_more.incidents.items[i].start_s);
        assert_true(alone.incidents.items[i].end_s == with_more.incidents.items[i].end_s);
    }
    incident_list_free(&alone.incidents);
    incident_list_free(&with_more.incidents);
}

static void test_world_is_reusable_across_trials(void **state)
{
    (void)state;
    const char *text = "drsim: 1\nname: reuse\ncomponents:\n"
                       "  - {name: u, count: 2, crews: 1, fail: exp(mean=100h), repair: exp(mean=10h)}\n"
                       "service: {at_least: 1, of: u}\n";
    scenario sc;
    load(&sc, text);
    trial_world *world = trial_world_create(&sc);
    assert_non_null(world);
    trial_result first, again;
    incident_list l1 = {0}, l2 = {0};
    disaster_list d1 = {0};
    assert_int_equal(trial_run(world, 3, 9, 1e7, &first, &l1, &d1), 0);
    for (uint64_t t = 0; t < 5; t++) {
        incident_list scratch = {0};
        trial_result r;
        assert_int_equal(trial_run(world, 3, t, 1e7, &r, &scratch, &d1), 0);
        incident_list_free(&scratch);
    }
    assert_int_equal(trial_run(world, 3, 9, 1e7, &again, &l2, &d1), 0);
    assert_true(first.uptime_s == again.uptime_s && first.downtime_s == again.downtime_s);
    assert_int_equal(first.incidents, again.incidents);
    assert_int_equal(first.events, again.events);
    assert_int_equal(l1.count, l2.count);
    incident_list_free(&l1);
    incident_list_free(&l2);
    disaster_list_free(&d1);
    trial_world_destroy(world);
    scenario_free(&sc);
}

static void test_touching_down_intervals_are_one_incident(void **state)
{
    (void)state;
    /* fail: 0 — the copy is down again the instant it is repaired: one
     * maximal incident for the whole horizon, not one per repair */
    outcome o = run_one("drsim: 1\nname: t\ncomponents:\n"
                        "  - {name: u, fail: 0, repair: 1h}\n",
                        100 * HOUR, 1, 0);
    assert_int_equal(o.result.incidents, 1);
    assert_int_equal(o.incidents.count, 1);
    assert_seconds(o.result.downtime_s, 100 * HOUR);
    assert_true(o.incidents.items[0].censored);
    incident_list_free(&o.incidents);
}

static void test_zero_length_outage_is_no_incident(void **state)
{
    (void)state;
    outcome o = run_one("drsim: 1\nname: t\ncomponents:\n"
                        "  - {name: u, fail: 10h, repair: 0}\n",
                        100 * HOUR, 1, 0);
    assert_int_equal(o.result.incidents, 0);
    assert_int_equal(o.incidents.count, 0);
    assert_int_equal(o.result.component_failures, 10);
    assert_seconds(o.result.uptime_s, 100 * HOUR);
    incident_list_free(&o.incidents);
}

static void test_cause_names_read_like_the_scenario(void **state)
{
    (void)state;
    scenario sc;
    load(&sc, "drsim: 1\nname: n\nregions: [{name: east, zones: [{name: east-a}]}]\n"
              "components:\n  - {name: web, count: 3, zone: east-a, fail: 1h, repair: 1h}\n");
    char buf[64];
    incident inc = {0, 1, CAUSE_COMPONENT, 0, 2, false};
    assert_string_equal(incident_cause_name(&sc, &inc, buf, sizeof buf), "web[2]");
    inc = (incident){0, 1, CAUSE_ZONE, scenario_find_domain(&sc, "east-a"), -1, false};
    assert_string_equal(incident_cause_name(&sc, &inc, buf, sizeof buf), "east-a");
    assert_string_equal(cause_kind_name(CAUSE_REGION), "region");
    scenario_free(&sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_constant_unit_alternates_and_last_incident_is_censored),
        cmocka_unit_test(test_one_crew_repairs_copies_in_failure_order),
        cmocka_unit_test(test_two_crews_repair_simultaneous_failures_in_parallel),
        cmocka_unit_test(test_at_least_one_of_two_survives_a_single_failure),
        cmocka_unit_test(test_zone_outage_takes_its_copies_down_and_is_the_cause),
        cmocka_unit_test(test_copy_failing_inside_an_outage_stays_down_after_it),
        cmocka_unit_test(test_region_outage_downs_copies_in_all_its_zones),
        cmocka_unit_test(test_spread_copies_survive_one_zone_outage),
        cmocka_unit_test(test_sla_periods_count_years_meeting_the_target),
        cmocka_unit_test(test_same_seed_and_trial_give_the_same_history),
        cmocka_unit_test(test_shared_component_sees_the_same_failures_in_another_scenario),
        cmocka_unit_test(test_world_is_reusable_across_trials),
        cmocka_unit_test(test_touching_down_intervals_are_one_incident),
        cmocka_unit_test(test_zero_length_outage_is_no_incident),
        cmocka_unit_test(test_cause_names_read_like_the_scenario),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
