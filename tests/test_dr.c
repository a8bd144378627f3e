/*
 * test_dr — the disaster-recovery models (models/web.c, database.c, dns.c,
 * runbook.c, bucket.c, backup_plan.c, cost.c) against figures computed by
 * hand.
 *
 * Each test loads a small scenario from a string and runs whole trials
 * (trial_world_create / trial_run), then reads what the observer recorded:
 * incidents (the served fraction below the scenario's threshold), disasters
 * (zone and region outages, corruption: RTO and RPO) and the request-
 * weighted uptime.  Failures come from const() distributions where an
 * instant must be known; what stays random is the phase of each health
 * check, drawn per trial, so a test over many trial indices sees the
 * detection delay over its whole range.
 *
 * Health checks, by hand (healthcheck.h).  A check with interval I, timeout
 * T and threshold n marks a target that died at a uniformly random moment
 * unhealthy (n−1)·I + T to n·I + T later: the seed's target group (30 s,
 * 10 s, 3) in [70 s, 100 s], mean 85 s; Route 53 (30 s, 4 s, 3) in
 * [64 s, 94 s], mean 79 s.  A target that comes back is healthy again after
 * (n−1)·I to n·I: [60 s, 90 s] for both.
 *
 * Statistical tests use the fixed seed SEED and print it on failure; their
 * tolerances are four standard errors of the mean.  Paths are relative to
 * the repository root, where `make test` runs.
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
#include <unistd.h>

#include <gsl/gsl_rng.h>

#include "model.h"
#include "rng.h"
#include "scenario.h"
#include "trial.h"

#define MINUTE 60.0
#define HOUR 3600.0
#define DAY 86400.0
#define SEED UINT64_C(20260607)

/* Route 53 with the seed's checks (30 s, threshold 3, 4 s) and a 60 s TTL */
#define ROUTE53_DETECTION_MIN_S (2 * 30.0 + 4.0)
#define ROUTE53_DETECTION_MAX_S (3 * 30.0 + 4.0)
#define TTL_S 60.0

/* ---- helpers ------------------------------------------------------------------------------ */

/* cmocka 1.1.5's assert_float_equal works in float; this one in double. */
#define assert_near(actual, expected, tolerance) \
    assert_near_at((actual), (expected), (tolerance), #actual, __FILE__, __LINE__)

static void assert_near_at(double actual, double expected, double tolerance, const char *what,
                           const char *file, int line)
{
    if (!(fabs(actual - expected) <= tolerance)) {
        print_error("%s:%d: %s = %.17g, expected %.17g within %g (seed %" PRIu64 ")\n", file,
                    line, what, actual, expected, tolerance, SEED);
        fail();
    }
}

/* actual in [low, high], with a nanosecond of slack for sums of doubles */
#define assert_within(actual, low, high) \
    assert_within_at((actual), (low), (high), #actual, __FILE__, __LINE__)

static void assert_within_at(double actual, double low, double high, const char *what,
                             const char *file, int line)
{
    if (!(actual >= low - 1e-9 && actual <= high + 1e-9)) {
        print_error("%s:%d: %s = %.17g, expected in [%.17g, %.17g] (seed %" PRIu64 ")\n", file,
                    line, what, actual, low, high, SEED);
        fail();
    }
}

static void load(scenario *sc, const char *text)
{
    diag_list diag;
    diag_init(&diag);
    int rc = scenario_load_string(sc, "dr.yaml", text, strlen(text), &diag);
    if (rc != 0)
        diag_print(&diag, stderr);
    diag_free(&diag);
    assert_int_equal(rc, 0);
}

/* One trial's record. */
typedef struct run {
    trial_result result;
    incident_list incidents;
    disaster_list disasters;
} run;

static void run_trial(trial_world *world, uint64_t trial, double horizon_s, run *out)
{
    memset(out, 0, sizeof *out);
    assert_int_equal(trial_run(world, SEED, trial, horizon_s, &out->result, &out->incidents,
                               &out->disasters),
                     0);
}

static void run_free(run *r)
{
    incident_list_free(&r->incidents);
    disaster_list_free(&r->disasters);
}

/* The only disaster of `kind` in the trial (fails if there is not exactly one). */
static const disaster *only_disaster(const run *r, disaster_kind kind)
{
    const disaster *found = NULL;
    for (size_t i = 0; i < r->disasters.count; i++)
        if (r->disasters.items[i].kind == kind) {
            if (found != NULL)
                fail_msg("more than one %s disaster", disaster_kind_name(kind));
            found = &r->disasters.items[i];
        }
    if (found == NULL)
        fail_msg("no %s disaster", disaster_kind_name(kind));
    return found;
}

/* As the report measures it: from the disaster's start (for corruption,
 * when the bad data was written, not when it was noticed). */
static double rto_s(const disaster *d)
{
    assert_false(d->censored);
    return d->restored_s - d->start_s;
}

/* Running mean and variance (Welford). */
typedef struct moments {
    double n, mean, m2, min, max;
} moments;

static void moments_add(moments *m, double x)
{
    if (m->n == 0) {
        m->min = m->max = x;
    }
    m->n += 1;
    double delta = x - m->mean;
    m->mean += delta / m->n;
    m->m2 += delta * (x - m->mean);
    if (x < m->min)
        m->min = x;
    if (x > m->max)
        m->max = x;
}

/* Four standard errors of the mean. */
static double four_se(const moments *m)
{
    return 4.0 * sqrt(m->m2 / (m->n - 1) / m->n);
}

/* ---- 1. load balancer detection and replacement ------------------------------------------- */

/* One region, one zone, the seed's target group.  `doomed` is one instance
 * that fails at FAIL (const), `steady` one that never does; each could
 * carry the whole demand alone.  So the served fraction is 1/2 from the
 * failure until the load balancer marks the dead target unhealthy, then 1:
 * the one incident lasts exactly the detection delay. */
#define REGION_ONE_ZONE                                                            \
    "regions:\n"                                                                   \
    "  - name: r\n"                                                                \
    "    zones: [{name: r-a}]\n"
#define SEED_TARGET_GROUP(name, region)                                            \
    "  - name: " name "\n"                                                         \
    "    region: " region "\n"                                                     \
    "    health_check: {interval: 30s, timeout: 10s, healthy_threshold_count: 3,\n" \
    "                   unhealthy_threshold_count: 3}\n"                           \
    "    deregistration_delay: 30s\n"

static const char detection_scenario[] =
    "drsim: 1\nname: detection\n"
    "demand: {requests_per_second: 100}\n" REGION_ONE_ZONE
    "load_balancers:\n" SEED_TARGET_GROUP("alb", "r")
    "auto_scaling_groups:\n"
    "  - {name: doomed, load_balancer: alb, zones: [r-a], min_size: 1, max_size: 2,\n"
    "     desired_capacity: 1, health_check_type: ELB, health_check_grace_period: 300s,\n"
    "     capacity_per_instance: 100, instance_fail: const(10h), launch_time: const(90s)}\n"
    "  - {name: steady, load_balancer: alb, zones: [r-a], min_size: 1, max_size: 1,\n"
    "     desired_capacity: 1, capacity_per_instance: 100, instance_fail: const(1000y)}\n";

static void test_target_failure_is_noticed_70_to_100_s_later_85_on_average(void **state)
{
    (void)state;
    scenario sc;
    load(&sc, detection_scenario);
    trial_world *world = trial_world_create(&sc);
    assert_non_null(world);
    moments delay = {0};
    for (uint64_t trial = 0; trial < 2000; trial++) {
        run r;
        run_trial(world, trial, 12 * HOUR, &r);
        assert_int_equal(r.incidents.count, 1);
        const incident *inc = &r.incidents.items[0];
        assert_near(inc->start_s, 10 * HOUR, 1e-9);
        double detected_s = inc->end_s - inc->start_s;
        assert_within(detected_s, 70.0, 100.0);
        /* half the requests were lost while the dead target had its share */
        assert_near(12 * HOUR - r.result.served_s, detected_s / 2, 1e-6);
        moments_add(&delay, detected_s);
        run_free(&r);
    }
    /* uniform on [70, 100]: mean 85, standard deviation 30/√12 */
    assert_near(delay.mean, 85.0, 4.0 * 30.0 / sqrt(12.0) / sqrt(delay.n));
    assert_true(delay.min < 71.0 && delay.max > 99.0); /* it covers the whole window */
    trial_world_destroy(world);
    scenario_free(&sc);
}


/* One instance alone: each incident is its failure until a replacement (or
 * the instance itself) serves again. */
static const char *solo_scenario(const char *group_options)
{
    static char text[2048];
    snprintf(text, sizeof text,
             "drsim: 1\nname: solo\n"
             "demand: {requests_per_second: 100}\n" REGION_ONE_ZONE
             "load_balancers:\n" SEED_TARGET_GROUP("alb", "r")
             "auto_scaling_groups:\n"
             "  - {name: solo, load_balancer: alb, zones: [r-a], min_size: 1, max_size: 1,\n"
             "     desired_capacity: 1, capacity_per_instance: 100, launch_time: const(60s),\n"
             "     %s}\n",
             group_options);
    return text;
}

static void test_when_every_target_is_unhealthy_the_balancer_routes_to_all(void **state)
{
    (void)state;
    /* Two instances in one zone, each able to carry the demand.  The zone is
     * out from 10 h for 10 minutes: both die and are marked unhealthy after
     * 70-100 s; nothing replaces them (EC2 checks take an hour).  When the
     * zone comes back both are alive but still marked unhealthy for another
     * 60-90 s; failing open, the balancer sends them traffic at once, so the
     * outage ends with the zone's, to the second. */
    scenario sc;
    load(&sc, "drsim: 1\nname: fail-open\n"
              "demand: {requests_per_second: 100}\n"
              "regions:\n"
              "  - name: r\n"
              "    zones: [{name: r-a, outage: {fail: const(10h), repair: const(10m)}}]\n"
              "load_balancers:\n" SEED_TARGET_GROUP("alb", "r")
              "auto_scaling_groups:\n"
              "  - {name: web, load_balancer: alb, zones: [r-a], min_size: 2, max_size: 2,\n"
              "     desired_capacity: 2, capacity_per_instance: 100, instance_fail: const(1000y),\n"
              "     health_check_type: EC2, ec2_status_check: const(1h)}\n");
    trial_world *world = trial_world_create(&sc);
    assert_non_null(world);
    for (uint64_t trial = 0; trial < 200; trial++) {
        run r;
        run_trial(world, trial, 11 * HOUR, &r);
        assert_int_equal(r.incidents.count, 1);
        assert_near(r.incidents.items[0].start_s, 10 * HOUR, 1e-9);
        assert_near(r.incidents.items[0].end_s, 10 * HOUR + 10 * MINUTE, 1e-9);
        assert_near(rto_s(only_disaster(&r, DISASTER_ZONE)), 10 * MINUTE, 1e-9);
        run_free(&r);
    }
    trial_world_destroy(world);
    scenario_free(&sc);
}

static void test_ec2_health_checks_replace_a_dead_instance_after_the_status_check(void **state)
{
    (void)state;
    /* Dead at 10 h; the EC2 status check notices at +90 s and the group
     * launches a replacement, running at +150 s.  It is the only registered
     * target and not yet healthy, so the balancer fails open and it serves
     * at once: the outage is exactly 150 s, whatever the target checks say. */
    scenario sc;
    load(&sc, solo_scenario("instance_fail: const(10h), health_check_type: EC2, "
                            "ec2_status_check: const(90s)"));
    trial_world *world = trial_world_create(&sc);
    assert_non_null(world);
    for (uint64_t trial = 0; trial < 200; trial++) {
        run r;
        run_trial(world, trial, 11 * HOUR, &r);
        assert_int_equal(r.incidents.count, 1);
        assert_near(r.incidents.items[0].start_s, 10 * HOUR, 1e-9);
        assert_near(r.incidents.items[0].end_s - r.incidents.items[0].start_s, 150.0, 1e-9);
        run_free(&r);
    }
    trial_world_destroy(world);
    scenario_free(&sc);
}

static void test_elb_health_checks_replace_what_the_balancer_marks_unhealthy(void **state)
{
    (void)state;
    /* ELB type: the replacement starts when the balancer marks the dead
     * instance unhealthy (70-100 s) and runs 60 s later. */
    scenario sc;
    load(&sc, solo_scenario("instance_fail: const(10h), health_check_type: ELB, "
                            "health_check_grace_period: 300s, ec2_status_check: const(1s)"));
    trial_world *world = trial_world_create(&sc);
    assert_non_null(world);
    for (uint64_t trial = 0; trial < 200; trial++) {
        run r;
        run_trial(world, trial, 11 * HOUR, &r);
        assert_int_equal(r.incidents.count, 1);
        assert_within(r.incidents.items[0].end_s - r.incidents.items[0].start_s, 130.0, 160.0);
        run_free(&r);
    }
    trial_world_destroy(world);
    scenario_free(&sc);
}

static void test_an_instance_failing_in_its_grace_period_is_replaced_when_it_ends(void **state)
{
    (void)state;
    /* Every instance dies 100 s after it starts.  The first (running since
     * before t = 0, past its grace) is replaced as soon as it is marked
     * unhealthy: an outage of 70-100 s + 60 s.  Its replacement dies 100 s
     * into its 300 s grace period and is marked unhealthy before the grace
     * ends; the group acts only at 300 s, and the next one runs at 360 s:
     * every later outage is exactly 360 − 100 = 260 s. */
    scenario sc;
    load(&sc, solo_scenario("instance_fail: const(100s), health_check_type: ELB, "
                            "health_check_grace_period: 300s"));
    trial_world *world = trial_world_create(&sc);
    assert_non_null(world);
    for (uint64_t trial = 0; trial < 200; trial++) {
        run r;
        run_trial(world, trial, 2 * HOUR, &r);
        assert_true(r.incidents.count >= 3);
        const incident *inc = r.incidents.items;
        assert_near(inc[0].start_s, 100.0, 1e-9);
        assert_within(inc[0].end_s - inc[0].start_s, 130.0, 160.0);
        for (size_t k = 1; k < r.incidents.count; k++) {
            if (inc[k].censored)
                break;
            assert_near(inc[k].start_s, inc[k - 1].end_s + 100.0, 1e-6);
            assert_near(inc[k].end_s - inc[k].start_s, 260.0, 1e-6);
        }
        run_free(&r);
    }
    trial_world_destroy(world);
    scenario_free(&sc);
}

/* ---- 2. zone outages and static stability ------------------------------------------------- */

static const char *three_zone_scenario(int instances, int demand_rps)
{
    static char text[2048];
    snprintf(text, sizeof text,
             "drsim: 1\nname: zones\n"
             "demand: {requests_per_second: %d}\n"
             "regions:\n"
             "  - name: r\n"
             "    zones:\n"
             "      - {name: r-a, outage: {fail: const(10h), repair: const(10h)}}\n"
             "      - {name: r-b}\n"
             "      - {name: r-c}\n"
             "load_balancers:\n" SEED_TARGET_GROUP("alb", "r")
             "auto_scaling_groups:\n"
             "  - {name: web, load_balancer: alb, zones: [r-a, r-b, r-c], min_size: 1,\n"
             "     max_size: 12, desired_capacity: %d, health_check_type: ELB,\n"
             "     health_check_grace_period: 300s, capacity_per_instance: 100,\n"
             "     instance_fail: const(1000y), launch_time: const(90s)}\n",
             demand_rps, instances);
    return text;
}

static void test_static_stability_turns_a_zone_outage_into_its_detection_window(void **state)
{
    (void)state;
    /* 6 instances over 3 zones, 4 needed.  Losing zone a kills two: until
     * both are marked unhealthy they keep their share of the requests (the
     * served fraction is 2/3, then 4/5); after the later of two detections
     * the four survivors carry it all.  The replacements are not needed. */
    scenario sc;
    load(&sc, three_zone_scenario(6, 400));
    trial_world *world = trial_world_create(&sc);
    assert_non_null(world);
    moments rto = {0};
    for (uint64_t trial = 0; trial < 1000; trial++) {
        run r;
        run_trial(world, trial, 15 * HOUR, &r);
        const disaster *zone = only_disaster(&r, DISASTER_ZONE);
        assert_true(zone->hit_active);
        assert_within(rto_s(zone), 70.0, 100.0);
        assert_int_equal(r.incidents.count, 1);
        assert_near(r.incidents.items[0].end_s, zone->restored_s, 1e-9);
        moments_add(&rto, rto_s(zone));
        run_free(&r);
    }
    /* the later of two independent uniform delays on [70, 100]: mean 90 */
    assert_near(rto.mean, 90.0, 4.0 * sqrt(50.0) / sqrt(rto.n));
    trial_world_destroy(world);
    scenario_free(&sc);
}

static void test_without_spare_capacity_a_zone_outage_lasts_until_replacements_pass_checks(void **state)
{
    (void)state;
    /* 3 instances over 3 zones, all 3 needed.  Zone a's instance is marked
     * unhealthy after 70-100 s, which starts its replacement in zone b or c:
     * 90 s to launch, then, a new target, one passing check: the first probe
     * of its schedule, 0-30 s later (ALB).  Until then the two survivors
     * serve 2/3 of the demand. */
    scenario sc;
    load(&sc, three_zone_scenario(3, 300));
    trial_world *world = trial_world_create(&sc);
    assert_non_null(world);
    for (uint64_t trial = 0; trial < 1000; trial++) {
        run r;
        run_trial(world, trial, 15 * HOUR, &r);
        const disaster *zone = only_disaster(&r, DISASTER_ZONE);
        assert_within(rto_s(zone), 70.0 + 90.0 + 0.0, 100.0 + 90.0 + 30.0);
        assert_int_equal(r.incidents.count, 1);
        /* a third of the requests lost until then */
        assert_near(15 * HOUR - r.result.served_s, rto_s(zone) / 3, 1e-6);
        run_free(&r);
    }
    trial_world_destroy(world);
    scenario_free(&sc);
}

/* ---- 3. databases: failover and replication --------------------------------------------- */

static void test_multi_az_failover_on_a_zone_outage_loses_nothing_and_takes_failover_time(void **state)
{
    (void)state;
    /* The writer's zone is out at 10 h; the synchronous standby in zone b
     * takes over after failover_time (90 s).  No web tier and no dns: every
     * client is in the region, and the data is all that can be missing. */
    scenario sc;
    load(&sc, "drsim: 1\nname: multi-az\n"
              "regions:\n"
              "  - name: r\n"
              "    zones:\n"
              "      - {name: r-a, outage: {fail: const(10h), repair: const(10h)}}\n"
              "      - {name: r-b}\n"
              "databases:\n"
              "  - {name: db, region: r, zone: r-a, multi_az: true, standby_zone: r-b,\n"
              "     failover_time: const(90s)}\n");
    trial_world *world = trial_world_create(&sc);
    assert_non_null(world);
    run r;
    run_trial(world, 0, 15 * HOUR, &r);
    const disaster *zone = only_disaster(&r, DISASTER_ZONE);
    assert_near(rto_s(zone), 90.0, 1e-9);
    assert_near(zone->data_loss_s, 0.0, 0.0);
    assert_int_equal(r.incidents.count, 1);
    assert_near(r.incidents.items[0].end_s - r.incidents.items[0].start_s, 90.0, 1e-9);
    run_free(&r);
    trial_world_destroy(world);
    scenario_free(&sc);
}

/* Two regions, each with a web tier able to serve everything; the database
 * lives in east with REPLICAS; east is out from 10 h for 10 h; a runbook
 * promotes the replica in `promote_to` a minute in, and Route 53 fails over
 * to west. */
static const char *cross_region_scenario(const char *replicas, const char *promote_to)
{
    static char text[4096];
    snprintf(text, sizeof text,
             "drsim: 1\nname: cross-region\n"
             "demand: {requests_per_second: 100}\n"
             "regions:\n"
             "  - name: east\n"
             "    outage: {fail: const(10h), repair: const(10h)}\n"
             "    zones: [{name: east-a}]\n"
             "  - name: west\n"
             "    zones: [{name: west-a}]\n"
             "  - name: north\n"
             "    zones: [{name: north-a}]\n"
             "load_balancers:\n" SEED_TARGET_GROUP("alb-east", "east")
             SEED_TARGET_GROUP("alb-west", "west")
             "auto_scaling_groups:\n"
             "  - {name: web-east, load_balancer: alb-east, zones: [east-a], max_size: 1,\n"
             "     desired_capacity: 1, capacity_per_instance: 100, instance_fail: const(1000y)}\n"
             "  - {name: web-west, load_balancer: alb-west, zones: [west-a], max_size: 1,\n"
             "     desired_capacity: 1, capacity_per_instance: 100, instance_fail: const(1000y)}\n"
             "databases:\n"
             "  - name: db\n"
             "    region: east\n"
             "    zone: east-a\n"
             "    replicas: %s\n"
             "dns:\n"
             "  routing: failover\n"
             "  records: [{region: east, failover: PRIMARY}, {region: west, failover: SECONDARY}]\n"
             "runbooks:\n"
             "  - name: failover\n"
             "    on: {region_outage: east}\n"
             "    trigger: {health_event: const(1m)}\n"
             "    steps: [{action: promote_replica, database: db, region: %s}]\n",
             replicas, promote_to);
    return text;
}

static double region_outage_rpo(const char *text, uint64_t trial)
{
    scenario sc;
    load(&sc, text);
    trial_world *world = trial_world_create(&sc);
    assert_non_null(world);
    run r;
    run_trial(world, trial, 15 * HOUR, &r);
    const disaster *region = only_disaster(&r, DISASTER_REGION);
    assert_true(region->hit_active);
    assert_false(region->censored); /* the promotion restored the service */
    double rpo_s = region->data_loss_s;
    run_free(&r);
    trial_world_destroy(world);
    scenario_free(&sc);
    return rpo_s;
}

static void test_a_promoted_sync_replica_loses_nothing_an_async_one_its_lag(void **state)
{
    (void)state;
    const char *sync_replica = "[{region: west, replication: sync, lag: const(5s)}]";
    const char *async_replica = "[{region: west, replication: async, lag: const(5s)}]";
    assert_near(region_outage_rpo(cross_region_scenario(sync_replica, "west"), 0), 0.0, 0.0);
    assert_near(region_outage_rpo(cross_region_scenario(async_replica, "west"), 0), 5.0, 0.0);
}

static void test_the_promoted_replica_decides_the_loss_not_the_first_listed(void **state)
{
    (void)state;
    /* north is listed first and synchronous; west, the one promoted, lags */
    const char *replicas = "[{region: north, replication: sync},"
                           " {region: west, replication: async, lag: const(5s)}]";
    assert_near(region_outage_rpo(cross_region_scenario(replicas, "west"), 0), 5.0, 0.0);
    /* and the other way round */
    replicas = "[{region: north, replication: async, lag: const(5s)},"
               " {region: west, replication: sync}]";
    assert_near(region_outage_rpo(cross_region_scenario(replicas, "west"), 0), 0.0, 0.0);
}

static void test_an_async_replicas_rpo_is_a_draw_of_its_lag(void **state)
{
    (void)state;
    /* lag exp(mean=2s): over many outages the RPOs have mean 2 s and
     * standard deviation 2 s */
    scenario sc;
    load(&sc, cross_region_scenario("[{region: west, replication: async, lag: exp(mean=2s)}]",
                                    "west"));
    trial_world *world = trial_world_create(&sc);
    assert_non_null(world);
    moments rpo = {0};
    for (uint64_t trial = 0; trial < 2000; trial++) {
        run r;
        run_trial(world, trial, 15 * HOUR, &r);
        moments_add(&rpo, only_disaster(&r, DISASTER_REGION)->data_loss_s);
        run_free(&r);
    }
    assert_true(rpo.min >= 0.0);
    assert_near(rpo.mean, 2.0, 4.0 * 2.0 / sqrt(rpo.n));
    assert_near(sqrt(rpo.m2 / (rpo.n - 1)), 2.0, 0.25);
    trial_world_destroy(world);
    scenario_free(&sc);
}

static void test_a_global_table_loses_one_draw_of_its_lag_however_many_clients_leave(void **state)
{
    (void)state;
    /* Active-active: latency records, a global table with lag exp(mean=2s).
     * Clients leave east in several cohorts; the writes lost are those
     * not yet replicated when east fell: one draw, mean 2 s. */
    scenario sc;
    load(&sc, "drsim: 1\nname: global-table\n"
              "demand: {requests_per_second: 100}\n"
              "regions:\n"
              "  - name: east\n"
              "    outage: {fail: const(10h), repair: const(10h)}\n"
              "    zones: [{name: east-a}]\n"
              "  - name: west\n"
              "    zones: [{name: west-a}]\n"
              "load_balancers:\n" SEED_TARGET_GROUP("alb-east", "east")
              SEED_TARGET_GROUP("alb-west", "west")
              "auto_scaling_groups:\n"
              "  - {name: web-east, load_balancer: alb-east, zones: [east-a], max_size: 1,\n"
              "     desired_capacity: 1, capacity_per_instance: 100, instance_fail: const(1000y)}\n"
              "  - {name: web-west, load_balancer: alb-west, zones: [west-a], max_size: 1,\n"
              "     desired_capacity: 1, capacity_per_instance: 100, instance_fail: const(1000y)}\n"
              "databases:\n"
              "  - {name: table, engine: dynamodb, region: east, global_table: true,\n"
              "     replicas: [{region: west, lag: exp(mean=2s)}]}\n"
              "dns:\n"
              "  routing: latency\n"
              "  records: [{region: east, share: 50%}, {region: west, share: 50%}]\n");
    trial_world *world = trial_world_create(&sc);
    assert_non_null(world);
    moments rpo = {0};
    for (uint64_t trial = 0; trial < 2000; trial++) {
        run r;
        run_trial(world, trial, 15 * HOUR, &r);
        const disaster *region = only_disaster(&r, DISASTER_REGION);
        assert_true(region->hit_active);
        assert_within(rto_s(region), ROUTE53_DETECTION_MIN_S, ROUTE53_DETECTION_MAX_S + TTL_S);
        moments_add(&rpo, region->data_loss_s);
        run_free(&r);
    }
    assert_near(rpo.mean, 2.0, 4.0 * 2.0 / sqrt(rpo.n));
    trial_world_destroy(world);
    scenario_free(&sc);
}

/* East is out 10 h to 12 h; the database in east has no replica and no
 * standby.  Its instance fails at `fail`. */
static const char *single_region_db_scenario(const char *fail)
{
    static char text[2048];
    snprintf(text, sizeof text,
             "drsim: 1\nname: writer\n"
             "regions:\n"
             "  - name: east\n"
             "    outage: {fail: const(10h), repair: const(2h)}\n"
             "    zones: [{name: east-a}]\n"
             "databases:\n"
             "  - {name: db, region: east, zone: east-a, instance_fail: %s,\n"
             "     recreate_time: const(10m)}\n",
             fail);
    return text;
}

static void test_a_writer_that_fails_while_its_region_is_down_is_back_with_the_region(void **state)
{
    (void)state;
    /* the instance fails at 11 h, inside the outage: the one incident ends
     * when the region is back at 12 h (or a recreation after it), not at
     * the horizon */
    scenario sc;
    load(&sc, single_region_db_scenario("const(11h)"));
    trial_world *world = trial_world_create(&sc);
    assert_non_null(world);
    run r;
    run_trial(world, 0, 20 * HOUR, &r);
    assert_int_equal(r.incidents.count, 1);
    assert_false(r.incidents.items[0].censored);
    assert_within(r.incidents.items[0].end_s, 12 * HOUR, 12 * HOUR + 10 * MINUTE);
    assert_false(only_disaster(&r, DISASTER_REGION)->censored);
    run_free(&r);
    trial_world_destroy(world);
    scenario_free(&sc);
}

static void test_a_database_keeps_failing_after_it_moves_home(void **state)
{
    (void)state;
    /* East is out 10-11 h; a runbook promotes west's replica at 10 h + 1 min
     * (done at 10 h 1 min 30 s), and the writer moves home an hour and the
     * 10-minute client drain after east is back, at 12 h 10 min.  The
     * instance fails every 80 minutes it is up: the first failure after the
     * move home comes within 80 minutes of it, and every one costs the 10
     * minutes of a recreation. */
    scenario sc;
    load(&sc, "drsim: 1\nname: failback\n"
              "regions:\n"
              "  - name: east\n"
              "    outage: {fail: const(10h), repair: const(1h)}\n"
              "    zones: [{name: east-a}]\n"
              "  - name: west\n"
              "    zones: [{name: west-a}]\n"
              "databases:\n"
              "  - {name: db, region: east, zone: east-a, instance_fail: const(80m),\n"
              "     recreate_time: const(10m),\n"
              "     replicas: [{region: west, replication: sync, promotion_time: const(30s)}]}\n"
              "runbooks:\n"
              "  - name: failover\n"
              "    on: {region_outage: east}\n"
              "    trigger: {health_event: const(1m)}\n"
              "    steps: [{action: promote_replica, database: db, region: west}]\n");
    trial_world *world = trial_world_create(&sc);
    assert_non_null(world);
    run r;
    run_trial(world, 0, 20 * HOUR, &r);
    size_t after_failback = 0;
    for (size_t k = 0; k < r.incidents.count; k++)
        if (r.incidents.items[k].start_s > 12 * HOUR + 10 * MINUTE) {
            if (after_failback == 0)
                assert_true(r.incidents.items[k].start_s <= 12 * HOUR + 90 * MINUTE + 1e-6);
            after_failback++;
        }
    assert_true(after_failback >= 5); /* one every 90 minutes over 8 hours */
    run_free(&r);
    trial_world_destroy(world);
    scenario_free(&sc);
}

/* ---- 4 and 7. backups, restores and corruption ------------------------------------------- */

/* A daily backup at 05:00 UTC (t = 0 is midnight) with no start window and
 * instant jobs.  BACKUP_EXTRA adds to the plan (a copy action), DB_EXTRA to
 * the database. */
#define DAILY_BACKUP_PLAN(extra)                                                            \
    "backup_plans:\n"                                                                       \
    "  - {name: daily, region: east, schedule_expression: 'cron(0 5 ? * * *)',\n"           \
    "     start_window_minutes: 0, duration: 0s" extra "}\n"

static void test_a_restored_daily_backup_loses_copy_time_to_a_day_more(void **state)
{
    (void)state;
    /* East falls once, uniformly within four whole days; ten minutes later a
     * runbook restores the newest copy in west.  Copies reach west 1 h after
     * the 05:00 snapshot, so the newest usable one is 1 h to 25 h old:
     * uniform, mean 13 h, standard deviation 24 h/√12. */
    scenario sc;
    load(&sc, "drsim: 1\nname: restore\n"
              "regions:\n"
              "  - {name: east, outage: {fail: uniform(min=8d, max=12d), repair: const(6h)}}\n"
              "  - {name: west}\n"
              DAILY_BACKUP_PLAN(", copy_actions: [{destination_region: west, copy_time: const(1h)}]")
              "databases:\n"
              "  - {name: db, region: east, backup_plan: daily}\n"
              "runbooks:\n"
              "  - name: restore\n"
              "    on: {region_outage: east}\n"
              "    trigger: {health_event: const(10m)}\n"
              "    steps: [{action: restore_backup, database: db, region: west}]\n");
    trial_world *world = trial_world_create(&sc);
    assert_non_null(world);
    moments rpo = {0};
    for (uint64_t trial = 0; trial < 2000; trial++) {
        run r;
        run_trial(world, trial, 12.5 * DAY, &r);
        const disaster *region = only_disaster(&r, DISASTER_REGION);
        double snapshot_s = region->start_s - region->data_loss_s;
        /* a 05:00 snapshot whose copy was in west when east fell */
        assert_near(fmod(snapshot_s, DAY), 5 * HOUR, 1e-6);
        assert_within(region->data_loss_s, 1 * HOUR, 25 * HOUR);
        moments_add(&rpo, region->data_loss_s);
        run_free(&r);
    }
    assert_near(rpo.mean, 13 * HOUR, 4.0 * 24 * HOUR / sqrt(12.0) / sqrt(rpo.n));
    assert_true(rpo.min < 1.5 * HOUR && rpo.max > 24.5 * HOUR);
    trial_world_destroy(world);
    scenario_free(&sc);
}

/* Corruption written at 10 d (240 h) and noticed 2 h later.  The database
 * is offline from then while it is restored: 20 min + 100 GB at 100 GB/h. */
static const char *corruption_scenario(const char *recovery)
{
    static char text[2048];
    snprintf(text, sizeof text,
             "drsim: 1\nname: corruption\n"
             "regions: [{name: east}]\n"
             DAILY_BACKUP_PLAN("")
             "databases:\n"
             "  - {name: db, region: east, allocated_storage: 100, restore_throughput: 100,\n"
             "     restore_overhead: 20m, corruption: {every: const(10d), detected_after: const(2h)},\n"
             "     %s}\n",
             recovery);
    return text;
}

static const disaster *corruption_of(const run *r)
{
    const disaster *d = only_disaster(r, DISASTER_CORRUPTION);
    assert_near(d->start_s, 10 * DAY, 1e-9);
    assert_near(d->armed_s, 10 * DAY + 2 * HOUR, 1e-9);
    /* RTO runs from the disaster's start (the issue: "from its start to
     * full service restored"): 2 h unnoticed, then the 80-minute restore */
    assert_near(rto_s(d), 2 * HOUR + 80 * MINUTE, 1e-9);
    return d;
}

static void test_point_in_time_recovery_loses_what_was_written_until_detection(void **state)
{
    (void)state;
    scenario sc;
    load(&sc, corruption_scenario("backup_retention_period: 7, backup_plan: daily"));
    trial_world *world = trial_world_create(&sc);
    assert_non_null(world);
    run r;
    run_trial(world, 0, 11 * DAY, &r);
    assert_near(corruption_of(&r)->data_loss_s, 2 * HOUR, 1e-9);
    run_free(&r);
    trial_world_destroy(world);
    scenario_free(&sc);
}

static void test_without_pitr_corruption_loses_detection_time_plus_the_backups_age(void **state)
{
    (void)state;
    /* the newest snapshot before 240 h is day 9's 05:00 = 221 h: 19 h old */
    scenario sc;
    load(&sc, corruption_scenario("backup_retention_period: 0, backup_plan: daily"));
    trial_world *world = trial_world_create(&sc);
    assert_non_null(world);
    run r;
    run_trial(world, 0, 11 * DAY, &r);
    assert_near(corruption_of(&r)->data_loss_s, 2 * HOUR + 19 * HOUR, 1e-9);
    run_free(&r);
    trial_world_destroy(world);
    scenario_free(&sc);
}

/* ---- 5. DNS failover --------------------------------------------------------------------- */

/* Two regions, each able to serve everything; east is out once, at a random
 * moment of an hour, for 10 h; Route 53 failover records with the seed's
 * checks (30 s, threshold 3, 4 s) and a 60 s TTL.  DATA adds databases and
 * runbooks. */
static const char *hot_standby_scenario(const char *data)
{
    static char text[4096];
    snprintf(text, sizeof text,
             "drsim: 1\nname: hot-standby\n"
             "demand: {requests_per_second: 100}\n"
             "regions:\n"
             "  - name: east\n"
             "    outage: {fail: uniform(min=10h, max=11h), repair: const(10h)}\n"
             "    zones: [{name: east-a}]\n"
             "  - name: west\n"
             "    zones: [{name: west-a}]\n"
             "load_balancers:\n" SEED_TARGET_GROUP("alb-east", "east")
             SEED_TARGET_GROUP("alb-west", "west")
             "auto_scaling_groups:\n"
             "  - {name: web-east, load_balancer: alb-east, zones: [east-a], max_size: 1,\n"
             "     desired_capacity: 1, capacity_per_instance: 100, instance_fail: const(1000y)}\n"
             "  - {name: web-west, load_balancer: alb-west, zones: [west-a], max_size: 1,\n"
             "     desired_capacity: 1, capacity_per_instance: 100, instance_fail: const(1000y)}\n"
             "dns:\n"
             "  routing: failover\n"
             "  ttl: 60s\n"
             "  health_check: {request_interval: 30s, failure_threshold: 3, timeout: 4s}\n"
             "  records: [{region: east, failover: PRIMARY}, {region: west, failover: SECONDARY}]\n"
             "%s",
             data);
    return text;
}

static void test_dns_failover_moves_every_client_by_detection_plus_the_ttl(void **state)
{
    (void)state;
    /* Route 53 marks east unhealthy 64-94 s after it falls and answers west
     * from then; each cached answer expires within the TTL.  Until every
     * client has moved the served fraction is below 1, and the RTO ends
     * when the last one has. */
    scenario sc;
    load(&sc, hot_standby_scenario(""));
    trial_world *world = trial_world_create(&sc);
    assert_non_null(world);
    for (uint64_t trial = 0; trial < 1000; trial++) {
        run r;
        run_trial(world, trial, 20 * HOUR, &r);
        const disaster *region = only_disaster(&r, DISASTER_REGION);
        assert_true(region->hit_active);
        assert_within(rto_s(region), ROUTE53_DETECTION_MIN_S,
                      ROUTE53_DETECTION_MAX_S + TTL_S);
        assert_near(region->data_loss_s, 0.0, 0.0); /* no data to lose */
        run_free(&r);
    }
    trial_world_destroy(world);
    scenario_free(&sc);
}

static void test_clients_move_in_cohorts_losing_detection_plus_half_a_ttl_on_average(void **state)
{
    (void)state;
    /* If clients left at a steady rate over the TTL after Route 53's answer
     * changes, the requests lost would be those of detection + TTL/2: on
     * average 79 + 30 = 109 s of demand.  drsim moves them in equal
     * cohorts with expiries spread over the TTL; the loss must match. */
    scenario sc;
    load(&sc, hot_standby_scenario(""));
    trial_world *world = trial_world_create(&sc);
    assert_non_null(world);
    moments lost = {0};
    const double horizon_s = 20 * HOUR;
    for (uint64_t trial = 0; trial < 4000; trial++) {
        run r;
        run_trial(world, trial, horizon_s, &r);
        const disaster *region = only_disaster(&r, DISASTER_REGION);
        double lost_s = horizon_s - r.result.served_s;
        /* all of the detection and part of the move */
        assert_within(lost_s, ROUTE53_DETECTION_MIN_S, rto_s(region));
        assert_true(lost_s > rto_s(region) - TTL_S);
        moments_add(&lost, lost_s);
        run_free(&r);
    }
    double expected_s = (ROUTE53_DETECTION_MIN_S + ROUTE53_DETECTION_MAX_S) / 2 + TTL_S / 2;
    assert_near(lost.mean, expected_s, four_se(&lost));
    trial_world_destroy(world);
    scenario_free(&sc);
}

static void test_a_standby_takes_traffic_once_its_promoted_data_passes_the_checks(void **state)
{
    (void)state;
    /* With the data in east, west's endpoint fails its checks too when east
     * falls (its writer is gone), and Route 53, seeing both unhealthy, keeps
     * answering east.  A runbook promotes west's replica 2 min in (30 s);
     * west is healthy again 60-90 s later, and clients move within the TTL:
     * RTO in [150 + 60, 150 + 90 + 60] s, nothing lost (sync replica). */
    scenario sc;
    load(&sc, hot_standby_scenario(
                  "databases:\n"
                  "  - name: db\n"
                  "    region: east\n"
                  "    replicas: [{region: west, replication: sync, promotion_time: const(30s)}]\n"
                  "runbooks:\n"
                  "  - name: failover\n"
                  "    on: {region_outage: east}\n"
                  "    trigger: {health_event: const(2m)}\n"
                  "    steps: [{action: promote_replica, database: db, region: west}]\n"));
    trial_world *world = trial_world_create(&sc);
    assert_non_null(world);
    for (uint64_t trial = 0; trial < 1000; trial++) {
        run r;
        run_trial(world, trial, 20 * HOUR, &r);
        const disaster *region = only_disaster(&r, DISASTER_REGION);
        assert_within(rto_s(region), 150.0 + 60.0, 150.0 + 90.0 + TTL_S);
        assert_near(region->data_loss_s, 0.0, 0.0);
        run_free(&r);
    }
    trial_world_destroy(world);
    scenario_free(&sc);
}

/* ---- 6. runbooks ------------------------------------------------------------------------- */

/* East falls at 10 h for 10 h.  West starts with no instances and the
 * database's synchronous replica; DNS is simple routing with a zero TTL,
 * so every client moves the instant update_dns completes.  The service is
 * whole again when the last of the three actions has taken effect. */
static const char *runbook_scenario(const char *trigger, const char *steps)
{
    static char text[4096];
    snprintf(text, sizeof text,
             "drsim: 1\nname: runbook\n"
             "demand: {requests_per_second: 100}\n"
             "regions:\n"
             "  - name: east\n"
             "    outage: {fail: const(10h), repair: const(10h)}\n"
             "    zones: [{name: east-a}]\n"
             "  - name: west\n"
             "    zones: [{name: west-a}]\n"
             "load_balancers:\n" SEED_TARGET_GROUP("alb-east", "east")
             SEED_TARGET_GROUP("alb-west", "west")
             "auto_scaling_groups:\n"
             "  - {name: web-east, load_balancer: alb-east, zones: [east-a], max_size: 2,\n"
             "     desired_capacity: 2, capacity_per_instance: 50, instance_fail: const(1000y)}\n"
             "  - {name: web-west, load_balancer: alb-west, zones: [west-a], max_size: 2,\n"
             "     desired_capacity: 0, capacity_per_instance: 50, instance_fail: const(1000y),\n"
             "     launch_time: const(30s)}\n"
             "databases:\n"
             "  - {name: db, region: east, replicas: [{region: west, replication: sync,\n"
             "                                         promotion_time: const(20s)}]}\n"
             "dns: {routing: simple, ttl: 0s, records: [{region: east}, {region: west}]}\n"
             "runbooks:\n"
             "  - name: failover\n"
             "    on: {region_outage: east}\n"
             "    trigger: %s\n"
             "    steps:\n%s",
             trigger, steps);
    return text;
}

static double runbook_rto(const char *trigger, const char *steps)
{
    scenario sc;
    load(&sc, runbook_scenario(trigger, steps));
    trial_world *world = trial_world_create(&sc);
    assert_non_null(world);
    run r;
    run_trial(world, 0, 15 * HOUR, &r);
    double rto = rto_s(only_disaster(&r, DISASTER_REGION));
    run_free(&r);
    trial_world_destroy(world);
    scenario_free(&sc);
    return rto;
}

#define PROMOTE(duration) \
    "      - {action: promote_replica, database: db, region: west, duration: " duration "}\n"
#define SCALE(duration)                                                                       \
    "      - {action: set_desired_capacity, auto_scaling_group: web-west, desired_capacity: 2,\n" \
    "         duration: " duration "}\n"
#define UPDATE_DNS(duration) "      - {action: update_dns, region: west, duration: " duration "}\n"
#define WAIT(duration) "      - {action: wait, duration: " duration "}\n"

static void test_each_runbook_step_takes_effect_after_the_trigger_plus_the_steps_so_far(void **state)
{
    (void)state;
    const char *health_event = "{health_event: const(5m)}";
    /* DNS last: clients move at 300 + 10 + 20 + 5 + 40 = 375 s; the
     * database (promoted at 310 + 20) and the instances (running at 330 +
     * 30) are ready.  The new targets pass their first check within 30 s of
     * 360: if one passes before 375 and the other after, the load balancer
     * stops failing open and serves from the healthy one alone until the
     * other passes — so full service comes in [375, 390). */
    double dns_last = runbook_rto(health_event, PROMOTE("10s") SCALE("20s") WAIT("5s") UPDATE_DNS("40s"));
    assert_within(dns_last, 300.0 + 10 + 20 + 5 + 40, 360.0 + 30);
    /* the promotion last: it begins at 300 + Σ and takes its own 20 s */
    assert_near(runbook_rto(health_event, SCALE("10s") UPDATE_DNS("20s") WAIT("5s") PROMOTE("40s")),
                300.0 + 10 + 20 + 5 + 40 + 20, 1e-9);
    /* the scale-out last: the instances launch (30 s) and, the only targets
     * and not yet healthy, serve at once (fail-open) */
    assert_near(runbook_rto(health_event, PROMOTE("10s") UPDATE_DNS("20s") WAIT("5s") SCALE("40s")),
                300.0 + 10 + 20 + 5 + 40 + 30, 1e-9);
    /* a manual trigger: page + acknowledge + decide = 360 s; DNS at 430 s,
     * instances running at 420 s and passing their first check by 450 s
     * (the same reasoning as the first case) */
    double manual = runbook_rto("{manual: {page: 1m, acknowledge: 2m, decide: const(3m)}}",
                                PROMOTE("10s") SCALE("20s") UPDATE_DNS("40s"));
    assert_within(manual, 360.0 + 10 + 20 + 40, 420.0 + 30);
}

static void test_a_step_with_retries_takes_the_mean_of_its_geometric_attempts(void **state)
{
    (void)state;
    /* Each attempt takes d and fails with probability p; a failure is
     * retried after r, up to m attempts, then escalated (e).  With N the
     * attempts made, P(N = k) = p^(k-1)(1-p) for k < m, P(N = m) = p^(m-1);
     * the time is N·d + (N−1)·r, plus e with probability p^m. */
    const double d = 10, r = 5, e = 100, p = 0.3;
    const int m = 3;
    runbook_step step = {
        .duration = {.kind = DIST_CONST, .p1 = d},
        .failure_probability = p,
        .max_attempts = m,
        .retry_delay = {.kind = DIST_CONST, .p1 = r},
        .escalation = {.kind = DIST_CONST, .p1 = e},
    };
    double mean = 0, second = 0;
    for (int k = 1; k <= m; k++) {
        double p_stop = pow(p, k - 1) * (k < m ? 1 - p : 1);
        double t = k * d + (k - 1) * r;
        double p_success = pow(p, k - 1) * (1 - p);
        double p_escalated = p_stop - p_success; /* k == m and the last failed */
        mean += p_success * t + p_escalated * (t + e);
        second += p_success * t * t + p_escalated * (t + e) * (t + e);
    }
    double sd = sqrt(second - mean * mean);
    /* the closed form of the mean, E[N] = (1 − p^m)/(1 − p) */
    double attempts = (1 - pow(p, m)) / (1 - p);
    assert_near(mean, attempts * (d + r) - r + pow(p, m) * e, 1e-9);

    gsl_rng *rng = rng_stream_create();
    assert_non_null(rng);
    rng_stream_set(rng, SEED, 0, rng_name_hash("step"), RNG_PURPOSE_MODEL);
    moments t = {0};
    const int n = 100000;
    for (int i = 0; i < n; i++) {
        double x = runbook_step_time(&step, rng);
        /* one of the four possible outcomes */
        bool outcome = fabs(x - d) < 1e-9 || fabs(x - (2 * d + r)) < 1e-9 ||
                       fabs(x - (3 * d + 2 * r)) < 1e-9 || fabs(x - (3 * d + 2 * r + e)) < 1e-9;
        assert_true(outcome);
        moments_add(&t, x);
    }
    assert_near(t.mean, mean, 4 * sd / sqrt(n));
    gsl_rng_free(rng);

    /* no failures: exactly the duration */
    step.failure_probability = 0;
    rng = rng_stream_create();
    assert_non_null(rng);
    assert_near(runbook_step_time(&step, rng), d, 0.0);
    gsl_rng_free(rng);
}

/* ---- 8. cost ----------------------------------------------------------------------------- */

static const char test_prices[] =
    "prices:\n"
    "  - {key: ec2.m.test, usd: 0.1, per: hour, date: 2026, source: test}\n"
    "  - {key: elb.application, usd: 0.02, per: hour, date: 2026, source: test}\n"
    "  - {key: postgres.db.test, usd: 0.5, per: hour, date: 2026, source: test}\n"
    "  - {key: rds.storage, usd: 0.1, per: GB-month, date: 2026, source: test}\n"
    "  - {key: dynamodb.storage, usd: 0.25, per: GB-month, date: 2026, source: test}\n"
    "  - {key: dynamodb.write_request, usd: 1.25, per: million, date: 2026, source: test}\n"
    "  - {key: dynamodb.replicated_write_request, usd: 1.875, per: million, date: 2026, source: test}\n"
    "  - {key: backup.warm, usd: 0.05, per: GB-month, date: 2026, source: test}\n"
    "  - {key: backup.cold, usd: 0.01, per: GB-month, date: 2026, source: test}\n"
    "  - {key: transfer.inter_region, usd: 0.02, per: GB, date: 2026, source: test}\n"
    "  - {key: s3.standard, usd: 0.023, per: GB-month, date: 2026, source: test}\n"
    "  - {key: s3.rtc, usd: 0.015, per: GB, date: 2026, source: test}\n"
    "  - {key: route53.hosted_zone, usd: 0.5, per: month, date: 2026, source: test}\n"
    "  - {key: route53.health_check, usd: 0.5, per: month, date: 2026, source: test}\n";

static void test_cost_per_year_is_the_sum_of_the_priced_resources(void **state)
{
    (void)state;
    char prices_path[] = "/tmp/test_dr_prices_XXXXXX";
    int fd = mkstemp(prices_path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, test_prices, strlen(test_prices)), (ssize_t)strlen(test_prices));
    close(fd);

    char text[4096];
    snprintf(text, sizeof text,
             "drsim: 1\nname: cost\n"
             "regions:\n"
             "  - {name: east, zones: [{name: east-a}, {name: east-b}]}\n"
             "  - {name: west, zones: [{name: west-a}]}\n"
             "load_balancers: [{name: alb-east, region: east}, {name: alb-west, region: west}]\n"
             "auto_scaling_groups:\n"
             "  - {name: web-east, load_balancer: alb-east, zones: [east-a], max_size: 3,\n"
             "     desired_capacity: 3, instance_type: m.test, instance_fail: exp(mean=5y)}\n"
             "  - {name: web-west, load_balancer: alb-west, zones: [west-a], max_size: 3,\n"
             "     desired_capacity: 1, instance_type: m.test, instance_fail: exp(mean=5y)}\n"
             "  - {name: idle, load_balancer: alb-west, zones: [west-a], max_size: 3,\n"
             "     desired_capacity: 0, instance_type: not.priced, instance_fail: exp(mean=5y)}\n"
             "backup_plans:\n"
             "  - name: daily\n"
             "    region: east\n"
             "    schedule_expression: cron(0 5 ? * * *)\n"
             "    lifecycle: {move_to_cold_storage_after_days: 7, delete_after_days: 30}\n"
             "    copy_actions: [{destination_region: west, lifecycle: {delete_after_days: 90}}]\n"
             "databases:\n"
             "  - {name: pg, engine: postgres, db_instance_class: db.test, region: east, zone: east-a,\n"
             "     multi_az: true, standby_zone: east-b, replicas: [{region: west}],\n"
             "     allocated_storage: 50, daily_change_gb: 2, backup_plan: daily}\n"
             "  - {name: table, engine: dynamodb, region: east, global_table: true,\n"
             "     replicas: [{region: west}], allocated_storage: 10, writes_per_second: 10}\n"
             "buckets:\n"
             "  - {name: data, region: east, size_gb: 200, change_gb_per_day: 2,\n"
             "     replication: {destination_region: west}}\n"
             "dns:\n"
             "  records: [{region: east, failover: PRIMARY}, {region: west, failover: SECONDARY}]\n"
             "prices: %s\n",
             prices_path);
    scenario sc;
    load(&sc, text);
    const double hours = 8760, months = 12, million_writes = 10 * 365 * 86400.0 / 1e6;
    double expected =
        4 * hours * 0.1                        /* 3 + 1 instances; the idle group none */
        + 2 * hours * 0.02                     /* two load balancers */
        + 3 * hours * 0.5                      /* writer, Multi-AZ standby, west replica */
        + 3 * 50 * months * 0.1                /* an RDS volume for each of them */
        + 2 * 10 * months * 0.25               /* a DynamoDB table in each region */
        + million_writes * 1.25                /* its writes ... */
        + million_writes * 1 * 1.875           /* ... replicated to one region */
        + (50 + (7 - 1) * 2) * months * 0.05   /* the vault: one full copy, a week of changes warm */
        + (30 - 7) * 2 * months * 0.01         /* ... the rest of the month's changes cold */
        + (50 + (90 - 1) * 2) * months * 0.05  /* the copy vault, 90 days warm */
        + 365 * 2 * 0.02                       /* each day's changes copied across */
        + 200 * 2 * months * 0.023             /* the bucket and its replica */
        + 365 * 2 * (0.02 + 0.015)             /* replicated changes: transfer and RTC */
        + months * 0.5                         /* the hosted zone */
        + 2 * months * 0.5;                    /* a health check per failover record */
    assert_near(cost_per_year(&sc), expected, 1e-6);
    scenario_free(&sc);
    unlink(prices_path);

    /* without prices there is no figure */
    load(&sc, "drsim: 1\nname: free\nregions: [{name: east, zones: [{name: east-a}]}]\n"
              "load_balancers: [{name: alb, region: east}]\n"
              "auto_scaling_groups:\n"
              "  - {name: web, load_balancer: alb, zones: [east-a], max_size: 1,\n"
              "     desired_capacity: 1, instance_type: m.test, instance_fail: exp(mean=5y)}\n");
    assert_true(isnan(cost_per_year(&sc)));
    scenario_free(&sc);
}

/* ---- 9. the five strategies -------------------------------------------------------------- */

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median RTO of the us-east-1 outages that hit the running service,
 * over `trials` trials of the scenario's horizon. */
static double region_rto_p50(const scenario *sc, uint64_t trials, size_t *n_out)
{
    int east = scenario_find_domain(sc, "us-east-1");
    assert_true(east >= 0);
    trial_world *world = trial_world_create(sc);
    assert_non_null(world);
    double *rto = NULL;
    size_t n = 0, capacity = 0;
    for (uint64_t trial = 0; trial < trials; trial++) {
        run r;
        run_trial(world, trial, sc->horizon_s, &r);
        for (size_t i = 0; i < r.disasters.count; i++) {
            const disaster *d = &r.disasters.items[i];
            if (d->kind != DISASTER_REGION || d->domain != east || !d->hit_active)
                continue;
            if (n == capacity) {
                capacity = capacity ? 2 * capacity : 64;
                rto = realloc(rto, capacity * sizeof *rto);
                assert_non_null(rto);
            }
            rto[n++] = d->restored_s - d->armed_s; /* censored: up to the horizon */
        }
        run_free(&r);
    }
    trial_world_destroy(world);
    assert_true(n >= 50);
    qsort(rto, n, sizeof *rto, compare_doubles);
    double p50 = n % 2 ? rto[n / 2] : (rto[n / 2 - 1] + rto[n / 2]) / 2;
    free(rto);
    *n_out = n;
    return p50;
}

static void test_from_backup_restore_to_active_active_rto_never_grows_and_cost_does(void **state)
{
    (void)state;
    static const char *const strategies[] = {"backup-restore", "pilot-light", "warm-standby",
                                             "multi-region", "active-active"};
    enum { N_STRATEGIES = sizeof strategies / sizeof strategies[0] };
    double p50[N_STRATEGIES], cost[N_STRATEGIES];
    size_t outages[N_STRATEGIES];
    for (size_t k = 0; k < N_STRATEGIES; k++) {
        char path[256];
        snprintf(path, sizeof path, "scenarios/%s.yaml", strategies[k]);
        scenario sc;
        diag_list diag;
        diag_init(&diag);
        int rc = scenario_load(&sc, path, &diag);
        if (rc != 0)
            diag_print(&diag, stderr);
        diag_free(&diag);
        assert_int_equal(rc, 0);
        p50[k] = region_rto_p50(&sc, 400, &outages[k]);
        cost[k] = cost_per_year(&sc);
        scenario_free(&sc);
    }
    bool ordered = true;
    for (size_t k = 1; k < N_STRATEGIES; k++)
        ordered = ordered && p50[k] <= p50[k - 1] && cost[k] > cost[k - 1];
    if (!ordered) {
        for (size_t k = 0; k < N_STRATEGIES; k++)
            print_error("%-15s RTO p50 %10.1f s over %zu outages, cost %10.0f USD a year\n",
                        strategies[k], p50[k], outages[k], cost[k]);
        fail_msg("not ordered (seed %" PRIu64 ")", SEED);
    }
}

static void test_a_corruption_during_a_restore_waits_for_it_each_keeping_its_own_rto(void **state)
{
    (void)state;
    /* Corruption every hour after the last is repaired, noticed 10 minutes
     * after it happens, repaired by PITR in 20 min + 100 GB at 100 GB/h =
     * 80 minutes.  Each corruption is its own disaster: RTO 90 minutes, RPO
     * 10 minutes, none left open (the next one begins an hour after the
     * restore, never during it). */
    scenario sc;
    load(&sc, "drsim: 1\nname: corruptions\n"
              "regions: [{name: east, zones: [{name: east-a}]}]\n"
              "databases:\n"
              "  - {name: db, region: east, zone: east-a, allocated_storage: 100,\n"
              "     restore_throughput: 100, restore_overhead: 20m, backup_retention_period: 7,\n"
              "     corruption: {every: const(1h), detected_after: const(10m)}}\n");
    trial_world *world = trial_world_create(&sc);
    assert_non_null(world);
    run r;
    run_trial(world, 0, 48 * HOUR, &r);
    size_t corruptions = 0;
    for (size_t k = 0; k < r.disasters.count; k++) {
        const disaster *d = &r.disasters.items[k];
        if (d->kind != DISASTER_CORRUPTION || d->censored)
            continue;
        corruptions++;
        assert_near(rto_s(d), 90 * MINUTE, 1e-6);
        assert_near(d->data_loss_s, 10 * MINUTE, 1e-6);
    }
    /* a cycle is 1 h up + 10 min unnoticed + 80 min restoring = 2.5 h */
    assert_true(corruptions >= 18);
    run_free(&r);
    trial_world_destroy(world);
    scenario_free(&sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_target_failure_is_noticed_70_to_100_s_later_85_on_average),
        cmocka_unit_test(test_when_every_target_is_unhealthy_the_balancer_routes_to_all),
        cmocka_unit_test(test_ec2_health_checks_replace_a_dead_instance_after_the_status_check),
        cmocka_unit_test(test_elb_health_checks_replace_what_the_balancer_marks_unhealthy),
        cmocka_unit_test(test_an_instance_failing_in_its_grace_period_is_replaced_when_it_ends),
        cmocka_unit_test(test_static_stability_turns_a_zone_outage_into_its_detection_window),
        cmocka_unit_test(test_without_spare_capacity_a_zone_outage_lasts_until_replacements_pass_checks),
        cmocka_unit_test(test_multi_az_failover_on_a_zone_outage_loses_nothing_and_takes_failover_time),
        cmocka_unit_test(test_a_promoted_sync_replica_loses_nothing_an_async_one_its_lag),
        cmocka_unit_test(test_the_promoted_replica_decides_the_loss_not_the_first_listed),
        cmocka_unit_test(test_an_async_replicas_rpo_is_a_draw_of_its_lag),
        cmocka_unit_test(test_a_global_table_loses_one_draw_of_its_lag_however_many_clients_leave),
        cmocka_unit_test(test_a_writer_that_fails_while_its_region_is_down_is_back_with_the_region),
        cmocka_unit_test(test_a_database_keeps_failing_after_it_moves_home),
        cmocka_unit_test(test_a_restored_daily_backup_loses_copy_time_to_a_day_more),
        cmocka_unit_test(test_point_in_time_recovery_loses_what_was_written_until_detection),
        cmocka_unit_test(test_without_pitr_corruption_loses_detection_time_plus_the_backups_age),
        cmocka_unit_test(test_dns_failover_moves_every_client_by_detection_plus_the_ttl),
        cmocka_unit_test(test_clients_move_in_cohorts_losing_detection_plus_half_a_ttl_on_average),
        cmocka_unit_test(test_a_standby_takes_traffic_once_its_promoted_data_passes_the_checks),
        cmocka_unit_test(test_each_runbook_step_takes_effect_after_the_trigger_plus_the_steps_so_far),
        cmocka_unit_test(test_a_step_with_retries_takes_the_mean_of_its_geometric_attempts),
        cmocka_unit_test(test_cost_per_year_is_the_sum_of_the_priced_resources),
        cmocka_unit_test(test_from_backup_restore_to_active_active_rto_never_grows_and_cost_does),
        cmocka_unit_test(test_a_corruption_during_a_restore_waits_for_it_each_keeping_its_own_rto),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
