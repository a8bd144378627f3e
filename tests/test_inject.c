/*
 * test_inject — the models' fault-injection API (include/model.h, "fault
 * injection"), the switch for background failures, and the structured
 * events an observer receives (world_event).
 *
 * Each test loads a small scenario from a string, turns the models' own
 * failures off (trial_set_background_failures), and runs a script: at
 * given simulated times an injection (or a probe of the web metrics) is
 * made from a kernel event that the trial's setup hook schedules.  The
 * expectations are exact: every delay is a const() distribution, and what
 * stays random (the phase of a health check) is bounded by hand as in
 * tests/test_dr.c.
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

#include "model.h"
#include "scenario.h"
#include "trial.h"
#include "world.h"

#define MINUTE 60.0
#define HOUR 3600.0
#define YEAR (365.0 * 86400.0)
#define SEED UINT64_C(20261126)

/* ---- helpers ------------------------------------------------------------------------------ */

#define assert_near(actual, expected, tolerance) \
    assert_near_at((actual), (expected), (tolerance), #actual, __FILE__, __LINE__)

static void assert_near_at(double actual, double expected, double tolerance, const char *what,
                           const char *file, int line)
{
    if (!(fabs(actual - expected) <= tolerance)) {
        print_error("%s:%d: %s = %.17g, expected %.17g within %g\n", file, line, what, actual,
                    expected, tolerance);
        fail();
    }
}

#define assert_within(actual, low, high) \
    assert_within_at((actual), (low), (high), #actual, __FILE__, __LINE__)

static void assert_within_at(double actual, double low, double high, const char *what,
                             const char *file, int line)
{
    if (!(actual >= low - 1e-9 && actual <= high + 1e-9)) {
        print_error("%s:%d: %s = %.17g, expected in [%.17g, %.17g]\n", file, line, what, actual,
                    low, high);
        fail();
    }
}

static void load(scenario *sc, const char *text)
{
    diag_list diag;
    diag_init(&diag);
    int rc = scenario_load_string(sc, "inject.yaml", text, strlen(text), &diag);
    if (rc != 0)
        diag_print(&diag, stderr);
    diag_free(&diag);
    assert_int_equal(rc, 0);
}

/* What a script can do at its instant. */
typedef enum op {
    OP_TERMINATE, OP_STOP, OP_START, OP_STRESS,          /* a = group, b = slot */
    OP_COMPONENT_FAIL, OP_COMPONENT_HOLD, OP_COMPONENT_RELEASE, /* a = copy */
    OP_OUTAGE, OP_RESTORE,                               /* a = domain */
    OP_DB_FAILOVER, OP_DB_REBOOT, OP_DB_PAUSE, OP_DB_RESUME, /* a = database */
    OP_BUCKET_PAUSE, OP_BUCKET_RESUME,                   /* a = bucket */
    OP_PROBE                                             /* reads the web metrics */
} op;

typedef struct action {
    double t;
    op what;
    int a, b;
    double x, y;        /* stress: capacity factor, added latency; reboot: duration */
    bool result;        /* what the call returned */
    bool done;
    /* OP_PROBE: what the metrics said */
    double hosts, capacity_rps, latency_s;
    int zones[8];       /* OP_PROBE: web_running_zone of group a's first slots */
} action;

typedef struct logged_event {
    double t;
    world_event_kind kind;
    char target[64];
    char detail[256];
} logged_event;

typedef struct script {
    action actions[16];
    size_t n_actions;
    logged_event *events;
    size_t n_events, cap_events;
    double served_t[256], served_f[256];
    size_t n_served;
} script;

static void add(script *s, double t, op what, int a, int b, double x, double y)
{
    assert_true(s->n_actions < sizeof s->actions / sizeof s->actions[0]);
    s->actions[s->n_actions++] = (action){.t = t, .what = what, .a = a, .b = b, .x = x, .y = y};
}

static void on_action(des_sim *sim, void *subject, void *object)
{
    (void)sim;
    trial_world *w = subject;
    action *act = object;
    act->done = true;
    switch (act->what) {
    case OP_TERMINATE:
        act->result = web_inject_terminate(w, act->a, act->b);
        break;
    case OP_STOP:
        act->result = web_inject_stop(w, act->a, act->b);
        break;
    case OP_START:
        act->result = web_inject_start(w, act->a, act->b);
        break;
    case OP_STRESS:
        act->result = web_inject_stress(w, act->a, act->b, act->x, act->y);
        break;
    case OP_COMPONENT_FAIL:
        act->result = component_inject_fail(w, act->a);
        break;
    case OP_COMPONENT_HOLD:
        act->result = component_inject_hold(w, act->a);
        break;
    case OP_COMPONENT_RELEASE:
        act->result = component_inject_release(w, act->a);
        break;
    case OP_OUTAGE:
        act->result = domain_inject_outage(w, act->a);
        break;
    case OP_RESTORE:
        act->result = domain_inject_restore(w, act->a);
        break;
    case OP_DB_FAILOVER:
        act->result = database_inject_failover(w, act->a);
        break;
    case OP_DB_REBOOT:
        act->result = database_inject_reboot(w, act->a, act->x);
        break;
    case OP_DB_PAUSE:
    case OP_DB_RESUME:
        act->result = database_inject_pause_replication(w, act->a, act->what == OP_DB_PAUSE);
        break;
    case OP_BUCKET_PAUSE:
    case OP_BUCKET_RESUME:
        act->result = bucket_inject_pause_replication(w, act->a, act->what == OP_BUCKET_PAUSE);
        break;
    case OP_PROBE:
        act->result = true;
        act->hosts = web_healthy_hosts(w);
        act->capacity_rps = web_healthy_capacity_rps(w);
        act->latency_s = web_latency_s(w);
        for (int i = 0; i < 8; i++)
            act->zones[i] = i < web_slot_count(w, act->a) ? web_running_zone(w, act->a, i) : -2;
        break;
    }
}

static void setup(trial_world *w, void *ctx)
{
    script *s = ctx;
    for (size_t i = 0; i < s->n_actions; i++)
        des_schedule(w->sim, s->actions[i].t, PRIORITY_FAILURE, on_action, w, &s->actions[i]);
}

static void on_event(void *ctx, double t_s, world_event_kind kind, const char *target,
                     const char *detail)
{
    script *s = ctx;
    if (s->n_events == s->cap_events) {
        s->cap_events = s->cap_events ? 2 * s->cap_events : 64;
        s->events = realloc(s->events, s->cap_events * sizeof *s->events);
        assert_non_null(s->events);
    }
    logged_event *e = &s->events[s->n_events++];
    e->t = t_s;
    e->kind = kind;
    snprintf(e->target, sizeof e->target, "%s", target);
    snprintf(e->detail, sizeof e->detail, "%s", detail);
}

static void on_served(void *ctx, double t_s, double f)
{
    script *s = ctx;
    if (s->n_served < sizeof s->served_t / sizeof s->served_t[0]) {
        s->served_t[s->n_served] = t_s;
        s->served_f[s->n_served] = f;
        s->n_served++;
    }
}

/* One trial's record. */
typedef struct run {
    trial_result result;
    incident_list incidents;
    disaster_list disasters;
} run;

/* Runs trial `trial` of `sc` with the script, background failures as given. */
static void run_script(const scenario *sc, bool background, uint64_t trial, double horizon_s,
                       script *s, run *out)
{
    trial_world *world = trial_world_create(sc);
    assert_non_null(world);
    trial_set_background_failures(world, background);
    trial_set_setup(world, setup, s);
    world_observer observer = {s, on_event, on_served};
    trial_set_observer(world, &observer);
    s->n_events = 0;
    s->n_served = 0;
    for (size_t i = 0; i < s->n_actions; i++)
        s->actions[i].done = false;
    memset(out, 0, sizeof *out);
    assert_int_equal(trial_run(world, SEED, trial, horizon_s, &out->result, &out->incidents,
                               &out->disasters),
                     0);
    trial_world_destroy(world);
    for (size_t i = 0; i < s->n_actions; i++)
        assert_true(s->actions[i].done);
}

static void run_free(run *r)
{
    incident_list_free(&r->incidents);
    disaster_list_free(&r->disasters);
}

static void script_free(script *s)
{
    free(s->events);
    s->events = NULL;
    s->cap_events = s->n_events = 0;
}

/* The first logged event of `kind` on `target` whose detail contains
 * `text`, at or after `from`; NULL when there is none. */
static const logged_event *find_event(const script *s, world_event_kind kind, const char *target,
                                      const char *text, double from)
{
    for (size_t i = 0; i < s->n_events; i++) {
        const logged_event *e = &s->events[i];
        if (e->kind == kind && e->t >= from && strcmp(e->target, target) == 0 &&
            strstr(e->detail, text) != NULL)
            return e;
    }
    return NULL;
}

static const logged_event *must_find(const script *s, world_event_kind kind, const char *target,
                                     const char *text, double from)
{
    const logged_event *e = find_event(s, kind, target, text, from);
    if (e == NULL) {
        for (size_t i = 0; i < s->n_events; i++)
            print_error("  %.1f %s [%s] %s\n", s->events[i].t,
                        world_event_kind_name(s->events[i].kind), s->events[i].target,
                        s->events[i].detail);
        fail_msg("no %s event on '%s' with \"%s\" from %g", world_event_kind_name(kind), target,
                 text, from);
    }
    return e;
}

/* The served fraction at time t (the last change at or before t). */
static double served_at(const script *s, double t)
{
    double f = 1.0;
    for (size_t i = 0; i < s->n_served && s->served_t[i] <= t; i++)
        f = s->served_f[i];
    return f;
}

/* The first time at or after `from` the served fraction became `f`. */
static double served_became(const script *s, double f, double from)
{
    for (size_t i = 0; i < s->n_served; i++)
        if (s->served_t[i] >= from && fabs(s->served_f[i] - f) < 1e-12)
            return s->served_t[i];
    fail_msg("the served fraction never became %g after %g", f, from);
    return NAN;
}

/* ---- scenarios ---------------------------------------------------------------------------- */

#define TARGET_GROUP(name, region)                                                 \
    "  - name: " name "\n"                                                         \
    "    region: " region "\n"                                                     \
    "    health_check: {interval: 30s, timeout: 10s, healthy_threshold_count: 3,\n" \
    "                   unhealthy_threshold_count: 3}\n"                           \
    "    deregistration_delay: 30s\n"

/* Two instances of one group in one zone, each serving 100 of the 200
 * requests per second: losing one halves the served fraction.  Every
 * delay is fixed: status check `status`, launch 90 s. */
static const char *pair_scenario(const char *type, const char *status, const char *extra)
{
    static char text[2048];
    snprintf(text, sizeof text,
             "drsim: 1\nname: pair\n"
             "demand: {requests_per_second: 200}\n"
             "regions:\n"
             "  - name: r\n"
             "    zones: [{name: r-a, outage: {fail: const(5h), repair: const(1h)}}]\n"
             "load_balancers:\n" TARGET_GROUP("alb", "r")
             "auto_scaling_groups:\n"
             "  - {name: web, load_balancer: alb, zones: [r-a], min_size: 2, max_size: 3,\n"
             "     desired_capacity: 2, health_check_type: %s, health_check_grace_period: 300s,\n"
             "     ec2_status_check: %s, capacity_per_instance: 100,\n"
             "     instance_fail: const(2h), launch_time: const(90s)%s}\n",
             type, status, extra);
    return text;
}

/* ---- instances ------------------------------------------------------------------------------ */

static void test_a_terminated_instance_is_replaced_after_the_status_check(void **state)
{
    (void)state;
    /* ELB type, status check 60 s: EC2 reports the terminated instance
     * before the load balancer can (70-100 s).  Replaced at +60 s into
     * slot 2 (slot 0 drains), running at +150 s, healthy after its first
     * check (0-30 s later): then all is served again. */
    for (int elb = 0; elb < 2; elb++) {
        scenario sc;
        load(&sc, pair_scenario(elb ? "ELB" : "EC2", "const(60s)", ""));
        for (uint64_t trial = 0; trial < 20; trial++) {
            script s = {0};
            add(&s, HOUR, OP_TERMINATE, 0, 0, 0, 0);
            add(&s, HOUR + 10 * MINUTE, OP_PROBE, 0, 0, 0, 0);
            add(&s, HOUR + 11 * MINUTE, OP_TERMINATE, 0, 0, 0, 0); /* slot 0 is gone now */
            run r;
            run_script(&sc, false, trial, 3 * HOUR, &s, &r);
            assert_true(s.actions[0].result);
            assert_false(s.actions[2].result);
            must_find(&s, EVENT_INJECT, "web/0", "instance web/0 (r-a) is terminated", HOUR);
            assert_near(must_find(&s, EVENT_DETECT, "web/0", "Auto Scaling group web replaces web/0",
                                  HOUR)->t,
                        HOUR + 60.0, 1e-9);
            assert_near(must_find(&s, EVENT_REPAIR, "web/2", "launches web/2 in r-a", HOUR)->t,
                        HOUR + 60.0, 1e-9);
            assert_near(must_find(&s, EVENT_RECOVER, "web/2", "instance web/2 is running", HOUR)->t,
                        HOUR + 150.0, 1e-9);
            /* half served from the termination until the replacement serves */
            assert_near(served_at(&s, HOUR), 0.5, 1e-12);
            double back_s = served_became(&s, 1.0, HOUR);
            assert_within(back_s, HOUR + 150.0, HOUR + 180.0);
            assert_near(served_at(&s, 3 * HOUR - 1.0), 1.0, 1e-12);
            /* the probe: slot 0 drained, slots 1 and 2 run in r-a */
            int r_a = scenario_find_domain(&sc, "r-a");
            assert_int_equal(s.actions[1].zones[0], -1);
            assert_int_equal(s.actions[1].zones[1], r_a);
            assert_int_equal(s.actions[1].zones[2], r_a);
            assert_int_equal(s.actions[1].zones[3], -1);
            assert_near(s.actions[1].hosts, 2.0, 0.0);
            assert_near(s.actions[1].capacity_rps, 200.0, 0.0);
            assert_int_equal(r.result.component_failures, 1);
            assert_int_equal(r.incidents.count, 1);
            assert_int_equal(r.incidents.items[0].cause_kind, CAUSE_INSTANCE);
            assert_near(r.incidents.items[0].start_s, HOUR, 1e-9);
            assert_near(r.incidents.items[0].end_s, back_s, 1e-9);
            run_free(&r);
            script_free(&s);
        }
        scenario_free(&sc);
    }
}

static void test_the_load_balancer_notices_a_terminated_instance_first_for_type_elb(void **state)
{
    (void)state;
    /* status check 10 min: for type ELB the load balancer's verdict
     * (70-100 s) replaces the instance first; for type EC2 the group waits
     * for the status check. */
    scenario elb, ec2;
    load(&elb, pair_scenario("ELB", "const(10m)", ""));
    load(&ec2, pair_scenario("EC2", "const(10m)", ""));
    for (uint64_t trial = 0; trial < 50; trial++) {
        script s = {0};
        add(&s, HOUR, OP_TERMINATE, 0, 0, 0, 0);
        run r;
        run_script(&elb, false, trial, 2 * HOUR, &s, &r);
        double unhealthy_s =
            must_find(&s, EVENT_DETECT, "web/0", "load balancer alb marks web/0 (r-a) unhealthy "
                                                 "after 3 failed checks", HOUR)->t;
        assert_within(unhealthy_s - HOUR, 70.0, 100.0);
        assert_near(must_find(&s, EVENT_DETECT, "web/0", "replaces web/0", HOUR)->t, unhealthy_s,
                    1e-9);
        run_free(&r);
        script_free(&s);

        run_script(&ec2, false, trial, 2 * HOUR, &s, &r);
        assert_near(must_find(&s, EVENT_DETECT, "web/0", "replaces web/0", HOUR)->t,
                    HOUR + 10 * MINUTE, 1e-9);
        run_free(&r);
        script_free(&s);
    }
    scenario_free(&elb);
    scenario_free(&ec2);
}

static void test_a_stopped_instance_serves_again_when_started_unless_replaced(void **state)
{
    (void)state;
    /* Status check 1 h: started 10 minutes after the stop, before the
     * group looks (EC2 type), it serves again once the load balancer sees
     * it healthy (it had been marked unhealthy after 70-100 s, and needs 3
     * passing checks: 60-90 s). */
    scenario slow;
    load(&slow, pair_scenario("EC2", "const(1h)", ""));
    for (uint64_t trial = 0; trial < 20; trial++) {
        script s = {0};
        add(&s, HOUR, OP_STOP, 0, 1, 0, 0);
        add(&s, HOUR + 1.0, OP_STOP, 0, 1, 0, 0);    /* already stopped */
        add(&s, HOUR + 10 * MINUTE, OP_START, 0, 1, 0, 0);
        add(&s, HOUR + 11 * MINUTE, OP_START, 0, 1, 0, 0); /* running already */
        run r;
        run_script(&slow, false, trial, 3 * HOUR, &s, &r);
        assert_true(s.actions[0].result);
        assert_false(s.actions[1].result);
        assert_true(s.actions[2].result);
        assert_false(s.actions[3].result);
        must_find(&s, EVENT_INJECT, "web/1", "is stopped", HOUR);
        must_find(&s, EVENT_ROLLBACK, "web/1", "is started again", HOUR);
        assert_true(find_event(&s, EVENT_DETECT, "web/1", "replaces", 0.0) == NULL);
        double healthy_s = must_find(&s, EVENT_RECOVER, "web/1", "healthy after 3 passing checks",
                                     HOUR)->t;
        assert_within(healthy_s - (HOUR + 10 * MINUTE), 60.0, 90.0);
        assert_near(served_became(&s, 1.0, HOUR + 1.0), healthy_s, 1e-9);
        assert_int_equal(r.incidents.count, 1);
        run_free(&r);
        script_free(&s);
    }

    /* a stopped instance may be terminated: one failure, not two, and the
     * status check that saw it stopped (1 h) replaces it */
    script gone = {0};
    add(&gone, HOUR, OP_STOP, 0, 1, 0, 0);
    add(&gone, HOUR + MINUTE, OP_TERMINATE, 0, 1, 0, 0);
    add(&gone, HOUR + 2 * MINUTE, OP_START, 0, 1, 0, 0); /* terminated: no start */
    run r;
    run_script(&slow, false, 0, 3 * HOUR, &gone, &r);
    assert_true(gone.actions[0].result);
    assert_true(gone.actions[1].result);
    assert_false(gone.actions[2].result);
    assert_int_equal(r.result.component_failures, 1);
    assert_near(must_find(&gone, EVENT_DETECT, "web/1", "replaces web/1", HOUR)->t, 2 * HOUR, 1e-9);
    run_free(&r);
    script_free(&gone);
    scenario_free(&slow);

    /* Status check 60 s, even for type ELB: the group replaces the stopped
     * instance, and starting it later changes nothing. */
    scenario fast;
    load(&fast, pair_scenario("ELB", "const(60s)", ""));
    script s = {0};
    add(&s, HOUR, OP_STOP, 0, 1, 0, 0);
    add(&s, HOUR + 10 * MINUTE, OP_START, 0, 1, 0, 0);
    run_script(&fast, false, 0, 3 * HOUR, &s, &r);
    assert_true(s.actions[0].result);
    assert_false(s.actions[1].result);
    assert_near(must_find(&s, EVENT_DETECT, "web/1", "replaces web/1", HOUR)->t, HOUR + 60.0, 1e-9);
    assert_true(find_event(&s, EVENT_ROLLBACK, "web/1", "", 0.0) == NULL);
    run_free(&r);
    script_free(&s);
    scenario_free(&fast);
}

static void test_stress_halves_capacity_and_adds_latency_until_lifted(void **state)
{
    (void)state;
    /* 150 requests per second over two instances of 100: each answers 75.
     * Stressing one to half its capacity (50) leaves 125 of 150 served;
     * its responses take 20 ms + 100 ms, the other's 20 ms. */
    scenario sc;
    load(&sc, "drsim: 1\nname: stress\n"
              "demand: {requests_per_second: 150}\n"
              "regions: [{name: r, zones: [{name: r-a}]}]\n"
              "load_balancers:\n" TARGET_GROUP("alb", "r")
              "auto_scaling_groups:\n"
              "  - {name: web, load_balancer: alb, zones: [r-a], max_size: 2, desired_capacity: 2,\n"
              "     capacity_per_instance: 100, instance_fail: const(1h)}\n");
    script s = {0};
    add(&s, 10 * MINUTE, OP_PROBE, 0, 0, 0, 0);
    add(&s, HOUR, OP_STRESS, 0, 0, 0.5, 0.100);
    add(&s, HOUR + 10 * MINUTE, OP_PROBE, 0, 0, 0, 0);
    add(&s, 2 * HOUR, OP_STRESS, 0, 0, 1.0, 0.0);
    add(&s, 2 * HOUR + 10 * MINUTE, OP_PROBE, 0, 0, 0, 0);
    add(&s, 3 * HOUR, OP_STRESS, 0, 0, 0.0, 0.0);  /* no capacity at all: refused */
    add(&s, 3 * HOUR, OP_STRESS, 0, 0, 1.5, 0.0);  /* more than its capacity: refused */
    add(&s, 3 * HOUR, OP_STRESS, 0, 7, 0.5, 0.0);  /* an empty slot */
    run r;
    run_script(&sc, false, 0, 4 * HOUR, &s, &r);
    assert_true(s.actions[1].result);
    assert_true(s.actions[3].result);
    assert_false(s.actions[5].result);
    assert_false(s.actions[6].result);
    assert_false(s.actions[7].result);
    /* before: 2 hosts, 200 rps, 20 ms */
    assert_near(s.actions[0].hosts, 2.0, 0.0);
    assert_near(s.actions[0].capacity_rps, 200.0, 0.0);
    assert_near(s.actions[0].latency_s, 0.020, 1e-12);
    /* stressed: served 125 of 150; capacity 150; latency (75·0.02 + 50·0.12) / 125 */
    assert_near(served_at(&s, HOUR), 125.0 / 150.0, 1e-12);
    assert_near(s.actions[2].hosts, 2.0, 0.0);
    assert_near(s.actions[2].capacity_rps, 150.0, 0.0);
    assert_near(s.actions[2].latency_s, (75 * 0.020 + 50 * 0.120) / 125.0, 1e-12);
    /* lifted */
    assert_near(served_at(&s, 2 * HOUR), 1.0, 0.0);
    assert_near(s.actions[4].capacity_rps, 200.0, 0.0);
    assert_near(s.actions[4].latency_s, 0.020, 1e-12);
    must_find(&s, EVENT_INJECT, "web/0", "instance web/0 is stressed: 50% of its capacity", HOUR);
    must_find(&s, EVENT_ROLLBACK, "web/0", "instance web/0 is no longer stressed", 2 * HOUR);
    /* 5/6 is below the 95% threshold: one incident, exactly the stress */
    assert_int_equal(r.incidents.count, 1);
    assert_near(r.incidents.items[0].start_s, HOUR, 1e-9);
    assert_near(r.incidents.items[0].end_s, 2 * HOUR, 1e-9);
    assert_near(r.result.served_s, 4 * HOUR - HOUR * 25.0 / 150.0, 1e-6);
    assert_int_equal(r.result.component_failures, 0);
    run_free(&r);
    script_free(&s);
    scenario_free(&sc);
}

static void test_response_time_sets_the_unstressed_latency_and_a_replacement_is_unstressed(void **state)
{
    (void)state;
    /* response_time 50 ms; the stressed instance is terminated and its
     * replacement (slot 1) serves at the base latency */
    scenario sc;
    load(&sc, "drsim: 1\nname: latency\n"
              "demand: {requests_per_second: 50}\n"
              "regions: [{name: r, zones: [{name: r-a}]}]\n"
              "load_balancers:\n" TARGET_GROUP("alb", "r")
              "auto_scaling_groups:\n"
              "  - {name: web, load_balancer: alb, zones: [r-a], max_size: 1, desired_capacity: 1,\n"
              "     capacity_per_instance: 100, instance_fail: const(1h), response_time: 50ms,\n"
              "     ec2_status_check: const(60s), launch_time: const(60s)}\n");
    assert_near(sc.dr.groups[0].response_time_s, 0.050, 1e-15);
    script s = {0};
    add(&s, HOUR, OP_STRESS, 0, 0, 1.0, 0.200);
    add(&s, HOUR + 1, OP_PROBE, 0, 0, 0, 0);
    add(&s, 2 * HOUR, OP_TERMINATE, 0, 0, 0, 0);
    add(&s, 2 * HOUR + 1, OP_PROBE, 0, 0, 0, 0);
    add(&s, 3 * HOUR, OP_PROBE, 0, 0, 0, 0);
    run r;
    run_script(&sc, false, 0, 4 * HOUR, &s, &r);
    assert_near(s.actions[1].latency_s, 0.250, 1e-12);
    /* terminated and alone: nothing serves, no latency to report */
    assert_true(isnan(s.actions[3].latency_s));
    assert_near(s.actions[3].capacity_rps, 0.0, 0.0);
    assert_near(s.actions[4].latency_s, 0.050, 1e-12);
    assert_int_equal(s.actions[4].zones[1], 1);
    run_free(&r);
    script_free(&s);
    scenario_free(&sc);
}

/* ---- component copies ----------------------------------------------------------------------- */

static void test_component_fail_is_repaired_and_hold_waits_for_release(void **state)
{
    (void)state;
    /* Both copies needed.  A fail at 1 h is repaired in 10 minutes; a hold
     * at 2 h lasts until the release at 3 h. */
    scenario sc;
    load(&sc, "drsim: 1\nname: copies\n"
              "regions: [{name: r, zones: [{name: r-a}]}]\n"
              "components:\n"
              "  - {name: web, count: 2, zone: r-a, fail: const(30m), repair: const(10m)}\n"
              "service: {at_least: 2, of: web}\n");
    script s = {0};
    add(&s, HOUR, OP_COMPONENT_FAIL, 0, 0, 0, 0);
    add(&s, HOUR + 1, OP_COMPONENT_HOLD, 0, 0, 0, 0);    /* down already */
    add(&s, 2 * HOUR, OP_COMPONENT_HOLD, 1, 0, 0, 0);
    add(&s, 2 * HOUR + 1, OP_COMPONENT_FAIL, 1, 0, 0, 0); /* held */
    add(&s, 2 * HOUR + 2, OP_COMPONENT_RELEASE, 0, 0, 0, 0); /* not held */
    add(&s, 3 * HOUR, OP_COMPONENT_RELEASE, 1, 0, 0, 0);
    add(&s, 3 * HOUR + 1, OP_COMPONENT_RELEASE, 1, 0, 0, 0); /* released already */
    add(&s, 4 * HOUR, OP_COMPONENT_FAIL, 2, 0, 0, 0);     /* no such copy */
    run r;
    run_script(&sc, false, 0, 5 * HOUR, &s, &r);
    bool expected[] = {true, false, true, false, false, true, false, false};
    for (size_t i = 0; i < s.n_actions; i++)
        assert_int_equal(s.actions[i].result, expected[i]);
    assert_int_equal(r.incidents.count, 2);
    assert_near(r.incidents.items[0].start_s, HOUR, 1e-9);
    assert_near(r.incidents.items[0].end_s, HOUR + 10 * MINUTE, 1e-9);
    assert_int_equal(r.incidents.items[0].cause_kind, CAUSE_COMPONENT);
    assert_int_equal(r.incidents.items[0].cause_copy, 0);
    assert_near(r.incidents.items[1].start_s, 2 * HOUR, 1e-9);
    assert_near(r.incidents.items[1].end_s, 3 * HOUR, 1e-9);
    assert_int_equal(r.incidents.items[1].cause_copy, 1);
    assert_int_equal(r.result.component_failures, 2);
    must_find(&s, EVENT_INJECT, "web[0]", "web[0] fails (injected)", HOUR);
    must_find(&s, EVENT_REPAIR, "web[0]", "a crew starts repairing web[0]", HOUR);
    must_find(&s, EVENT_RECOVER, "web[0]", "web[0] is repaired", HOUR);
    must_find(&s, EVENT_INJECT, "web[1]", "held down", 2 * HOUR);
    must_find(&s, EVENT_ROLLBACK, "web[1]", "released", 3 * HOUR);
    run_free(&r);
    script_free(&s);

    /* with background failures on, an injected fail replaces the copy's
     * pending failure (due at 30 min): repaired at 20 min, it fails next
     * at 50 min, not at 30 */
    script bg = {0};
    add(&bg, 10 * MINUTE, OP_COMPONENT_FAIL, 0, 0, 0, 0);
    run_script(&sc, true, 0, 55 * MINUTE, &bg, &r);
    assert_true(bg.actions[0].result);
    assert_near(must_find(&bg, EVENT_FAIL, "web[0]", "web[0] fails", 0.0)->t, 50 * MINUTE, 1e-9);
    assert_near(must_find(&bg, EVENT_FAIL, "web[1]", "web[1] fails", 0.0)->t, 30 * MINUTE, 1e-9);
    run_free(&r);
    script_free(&bg);
    scenario_free(&sc);
}

/* ---- zones and regions ---------------------------------------------------------------------- */

static const char zone_scenario[] =
    "drsim: 1\nname: zone\n"
    "regions:\n"
    "  - name: r\n"
    "    zones:\n"
    "      - {name: r-a, outage: {fail: const(10h), repair: const(1h)}}\n"
    "      - {name: r-b}\n"
    "components:\n"
    "  - {name: web, count: 2, zones: [r-a, r-b], fail: const(1000y), repair: const(1h)}\n"
    "service: {at_least: 2, of: web}\n";

static void test_an_injected_zone_outage_is_one_disaster_until_restored(void **state)
{
    (void)state;
    scenario sc;
    load(&sc, zone_scenario);
    int zone = scenario_find_domain(&sc, "r-a");
    script s = {0};
    add(&s, HOUR, OP_OUTAGE, zone, 0, 0, 0);
    add(&s, HOUR + 1, OP_OUTAGE, zone, 0, 0, 0);   /* down already */
    add(&s, HOUR + 2, OP_RESTORE, scenario_find_domain(&sc, "r-b"), 0, 0, 0); /* not injected */
    add(&s, 3 * HOUR, OP_RESTORE, zone, 0, 0, 0);
    add(&s, 3 * HOUR + 1, OP_RESTORE, zone, 0, 0, 0); /* back already */
    run r;
    run_script(&sc, false, 0, 20 * HOUR, &s, &r);
    bool expected[] = {true, false, false, true, false};
    for (size_t i = 0; i < s.n_actions; i++)
        assert_int_equal(s.actions[i].result, expected[i]);
    assert_int_equal(r.disasters.count, 1);
    const disaster *d = &r.disasters.items[0];
    assert_int_equal(d->kind, DISASTER_ZONE);
    assert_int_equal(d->domain, zone);
    assert_true(d->hit_active);
    assert_false(d->censored);
    assert_near(d->start_s, HOUR, 1e-9);
    assert_near(d->restored_s - d->start_s, 2 * HOUR, 1e-9); /* its RTO */
    assert_int_equal(r.result.domain_outages, 1);
    assert_int_equal(r.incidents.count, 1);
    assert_int_equal(r.incidents.items[0].cause_kind, CAUSE_ZONE);
    must_find(&s, EVENT_INJECT, "r-a", "zone r-a goes down (injected", HOUR);
    must_find(&s, EVENT_ROLLBACK, "r-a", "zone r-a is back", 3 * HOUR);
    must_find(&s, EVENT_SERVICE, "r-a", "full service after the zone disaster: RTO 2 h", 3 * HOUR);
    run_free(&r);
    script_free(&s);
    scenario_free(&sc);
}

static void test_an_injected_outage_takes_the_place_of_the_natural_one(void **state)
{
    (void)state;
    /* Natural outages of r-a: every 10 h after the last recovery, for 1 h.
     * Injected at 5 h and restored at 6 h, the outage due at 10 h does not
     * happen; the next natural one is 10 h after the restore, at 16 h. */
    scenario sc;
    load(&sc, zone_scenario);
    int zone = scenario_find_domain(&sc, "r-a");
    script s = {0};
    add(&s, 5 * HOUR, OP_OUTAGE, zone, 0, 0, 0);
    add(&s, 6 * HOUR, OP_RESTORE, zone, 0, 0, 0);
    add(&s, 16.5 * HOUR, OP_OUTAGE, zone, 0, 0, 0); /* naturally down: refused */
    run r;
    run_script(&sc, true, 0, 20 * HOUR, &s, &r);
    assert_true(s.actions[0].result);
    assert_true(s.actions[1].result);
    assert_false(s.actions[2].result);
    assert_int_equal(r.disasters.count, 2);
    assert_near(r.disasters.items[0].start_s, 5 * HOUR, 1e-9);
    assert_near(r.disasters.items[0].restored_s, 6 * HOUR, 1e-9);
    assert_near(r.disasters.items[1].start_s, 16 * HOUR, 1e-9);
    assert_near(r.disasters.items[1].restored_s, 17 * HOUR, 1e-9);
    assert_int_equal(r.result.domain_outages, 2);
    must_find(&s, EVENT_FAIL, "r-a", "zone r-a goes down (for 1 h)", 16 * HOUR);
    run_free(&r);
    script_free(&s);
    scenario_free(&sc);
}

/* ---- databases and buckets ------------------------------------------------------------------ */

static const char *db_scenario(const char *options)
{
    static char text[1024];
    snprintf(text, sizeof text,
             "drsim: 1\nname: db\n"
             "regions: [{name: r, zones: [{name: r-a}, {name: r-b}]}]\n"
             "databases:\n"
             "  - {name: db, region: r, zone: r-a, instance_fail: const(30m), %s}\n",
             options);
    return text;
}

static void test_a_database_failover_takes_the_writer_offline_then_back(void **state)
{
    (void)state;
    scenario sc;
    load(&sc, db_scenario("multi_az: true, standby_zone: r-b, failover_time: const(90s)"));
    script s = {0};
    add(&s, HOUR, OP_DB_FAILOVER, 0, 0, 0, 0);
    add(&s, HOUR + 10, OP_DB_FAILOVER, 0, 0, 0, 0); /* failing over already */
    add(&s, 2 * HOUR, OP_DB_FAILOVER, 1, 0, 0, 0);  /* no such database */
    run r;
    run_script(&sc, false, 0, 3 * HOUR, &s, &r);
    assert_true(s.actions[0].result);
    assert_false(s.actions[1].result);
    assert_false(s.actions[2].result);
    assert_int_equal(r.incidents.count, 1);
    assert_int_equal(r.incidents.items[0].cause_kind, CAUSE_DATABASE);
    assert_near(r.incidents.items[0].start_s, HOUR, 1e-9);
    assert_near(r.incidents.items[0].end_s, HOUR + 90.0, 1e-9);
    must_find(&s, EVENT_INJECT, "db", "failed over", HOUR);
    must_find(&s, EVENT_FAILOVER, "db", "database db fails over inside its region (1.5 min)", HOUR);
    assert_near(must_find(&s, EVENT_RECOVER, "db", "database db is writable in r", HOUR)->t,
                HOUR + 90.0, 1e-9);
    assert_true(find_event(&s, EVENT_FAIL, "db", "", 0.0) == NULL); /* no failure of its own */
    run_free(&r);
    script_free(&s);
    scenario_free(&sc);

    /* no standby and no in-region replica: nothing to fail over to */
    load(&sc, db_scenario("failover_time: const(90s)"));
    script none = {0};
    add(&none, HOUR, OP_DB_FAILOVER, 0, 0, 0, 0);
    run_script(&sc, false, 0, 2 * HOUR, &none, &r);
    assert_false(none.actions[0].result);
    assert_int_equal(r.incidents.count, 0);
    run_free(&r);
    script_free(&none);
    scenario_free(&sc);

    /* an in-region cluster replica is enough */
    load(&sc, db_scenario("cluster_replicas: 1, failover_time: const(30s)"));
    script cluster = {0};
    add(&cluster, HOUR, OP_DB_FAILOVER, 0, 0, 0, 0);
    run_script(&sc, false, 0, 2 * HOUR, &cluster, &r);
    assert_true(cluster.actions[0].result);
    assert_int_equal(r.incidents.count, 1);
    assert_near(r.incidents.items[0].end_s - r.incidents.items[0].start_s, 30.0, 1e-9);
    run_free(&r);
    script_free(&cluster);
    scenario_free(&sc);
}

static void test_a_database_reboot_is_offline_for_its_duration(void **state)
{
    (void)state;
    scenario sc;
    load(&sc, db_scenario("multi_az: true, standby_zone: r-b"));
    script s = {0};
    add(&s, HOUR, OP_DB_REBOOT, 0, 0, 120.0, 0);
    add(&s, HOUR + 60, OP_DB_REBOOT, 0, 0, 120.0, 0);  /* rebooting already */
    add(&s, 2 * HOUR, OP_DB_REBOOT, 0, 0, -1.0, 0);    /* a negative duration */
    /* back in place, in r-a: losing r-b, the standby's zone, costs nothing */
    add(&s, 2 * HOUR, OP_OUTAGE, scenario_find_domain(&sc, "r-b"), 0, 0, 0);
    run r;
    run_script(&sc, false, 0, 3 * HOUR, &s, &r);
    assert_true(s.actions[0].result);
    assert_false(s.actions[1].result);
    assert_false(s.actions[2].result);
    assert_true(s.actions[3].result);
    assert_int_equal(r.incidents.count, 1);
    assert_near(r.incidents.items[0].start_s, HOUR, 1e-9);
    assert_near(r.incidents.items[0].end_s, HOUR + 120.0, 1e-9);
    must_find(&s, EVENT_INJECT, "db", "database db reboots its writer (2 min)", HOUR);
    assert_near(must_find(&s, EVENT_RECOVER, "db", "writable in r", HOUR)->t, HOUR + 120.0, 1e-9);
    run_free(&r);
    script_free(&s);
    scenario_free(&sc);
}

/* Two regions; the database lives in east with an async replica in west
 * (lag 5 s); a bucket replicates east to west (10 s).  A runbook promotes
 * the replica a minute into an east outage; Route 53 moves the clients. */
static const char *cross_region_scenario(const char *replication)
{
    static char text[4096];
    snprintf(text, sizeof text,
             "drsim: 1\nname: cross-region\n"
             "demand: {requests_per_second: 100}\n"
             "regions:\n"
             "  - name: east\n"
             "    outage: {fail: const(100h), repair: const(10h)}\n"
             "    zones: [{name: east-a}]\n"
             "  - name: west\n"
             "    zones: [{name: west-a}]\n"
             "load_balancers:\n" TARGET_GROUP("alb-east", "east") TARGET_GROUP("alb-west", "west")
             "auto_scaling_groups:\n"
             "  - {name: web-east, load_balancer: alb-east, zones: [east-a], max_size: 1,\n"
             "     desired_capacity: 1, capacity_per_instance: 100, instance_fail: const(1000y)}\n"
             "  - {name: web-west, load_balancer: alb-west, zones: [west-a], max_size: 1,\n"
             "     desired_capacity: 1, capacity_per_instance: 100, instance_fail: const(1000y)}\n"
             "databases:\n"
             "  - name: db\n"
             "    region: east\n"
             "    zone: east-a\n"
             "    replicas: [{region: west, replication: %s, lag: const(5s)}]\n"
             "buckets:\n"
             "  - name: data\n"
             "    region: east\n"
             "    replication: {destination_region: west, replication_time: const(10s)}\n"
             "dns:\n"
             "  routing: failover\n"
             "  records: [{region: east, failover: PRIMARY}, {region: west, failover: SECONDARY}]\n"
             "runbooks:\n"
             "  - name: failover\n"
             "    on: {region_outage: east}\n"
             "    trigger: {health_event: const(1m)}\n"
             "    steps: [{action: promote_replica, database: db, region: west}]\n",
             replication);
    return text;
}

static double region_loss(const char *replication, op pause, op resume, double resume_at)
{
    scenario sc;
    load(&sc, cross_region_scenario(replication));
    int east = scenario_find_domain(&sc, "east");
    script s = {0};
    add(&s, HOUR, pause, 0, 0, 0, 0);
    if (resume_at > 0)
        add(&s, resume_at, resume, 0, 0, 0, 0);
    add(&s, 3 * HOUR, OP_OUTAGE, east, 0, 0, 0);
    run r;
    run_script(&sc, false, 0, 6 * HOUR, &s, &r);
    for (size_t i = 0; i < s.n_actions; i++)
        assert_true(s.actions[i].result);
    assert_int_equal(r.disasters.count, 1);
    const disaster *d = &r.disasters.items[0];
    assert_int_equal(d->kind, DISASTER_REGION);
    assert_false(d->censored); /* west took over */
    double loss_s = d->data_loss_s;
    run_free(&r);
    script_free(&s);
    scenario_free(&sc);
    return loss_s;
}

static void test_paused_replication_loses_everything_since_the_pause(void **state)
{
    (void)state;
    /* paused at 1 h, east lost at 3 h: the async replica misses the 2 h
     * since the pause plus its lag (5 s; the bucket's 10 s is less) ... */
    assert_near(region_loss("async", OP_DB_PAUSE, OP_DB_RESUME, 0), 2 * HOUR + 5.0, 1e-9);
    /* ... and a paused bucket the 2 h plus its replication time (the
     * database, synchronous, loses nothing) */
    assert_near(region_loss("sync", OP_BUCKET_PAUSE, OP_BUCKET_RESUME, 0), 2 * HOUR + 10.0, 1e-9);

    /* only asynchronous replication can be paused */
    scenario sc;
    load(&sc, cross_region_scenario("sync"));
    script s = {0};
    add(&s, HOUR, OP_DB_PAUSE, 0, 0, 0, 0);
    add(&s, HOUR, OP_DB_RESUME, 0, 0, 0, 0);
    add(&s, HOUR, OP_BUCKET_RESUME, 0, 0, 0, 0); /* not paused */
    add(&s, HOUR, OP_BUCKET_PAUSE, 0, 0, 0, 0);
    add(&s, HOUR, OP_BUCKET_PAUSE, 0, 0, 0, 0);  /* paused already */
    run r;
    run_script(&sc, false, 0, 2 * HOUR, &s, &r);
    bool expected[] = {false, false, false, true, false};
    for (size_t i = 0; i < s.n_actions; i++)
        assert_int_equal(s.actions[i].result, expected[i]);
    must_find(&s, EVENT_INJECT, "data", "bucket data: replication to west is paused", HOUR);
    run_free(&r);
    script_free(&s);
    scenario_free(&sc);
}

static void test_a_resumed_replication_loses_only_the_lag(void **state)
{
    (void)state;
    /* resumed at 2 h, before the region falls: the usual losses, the
     * larger of 5 s and 10 s */
    assert_near(region_loss("async", OP_DB_PAUSE, OP_DB_RESUME, 2 * HOUR), 10.0, 1e-9);
    assert_near(region_loss("sync", OP_BUCKET_PAUSE, OP_BUCKET_RESUME, 2 * HOUR), 10.0, 1e-9);
}

/* ---- background failures and the observer --------------------------------------------------- */

static void test_without_background_failures_nothing_fails_in_ten_years(void **state)
{
    (void)state;
    /* every kind of failure the models draw: copies, instances, database
     * instances and corruption, zone and region outages */
    const char *paths[] = {"scenarios/active-active.yaml", "scenarios/warm-standby.yaml",
                           "scenarios/two-servers.yaml"};
    for (size_t p = 0; p < sizeof paths / sizeof paths[0]; p++) {
        scenario sc;
        diag_list diag;
        diag_init(&diag);
        int rc = scenario_load(&sc, paths[p], &diag);
        if (rc != 0)
            diag_print(&diag, stderr);
        diag_free(&diag);
        assert_int_equal(rc, 0);
        for (uint64_t trial = 0; trial < 5; trial++) {
            script s = {0};
            run r;
            run_script(&sc, false, trial, 10 * YEAR, &s, &r);
            assert_int_equal(r.result.component_failures, 0);
            assert_int_equal(r.result.domain_outages, 0);
            assert_int_equal(r.result.incidents, 0);
            assert_int_equal(r.disasters.count, 0);
            assert_near(r.result.served_s, 10 * YEAR, 1e-3);
            for (size_t i = 0; i < s.n_events; i++)
                if (s.events[i].kind == EVENT_FAIL)
                    fail_msg("a failure: %s", s.events[i].detail);
            run_free(&r);
            script_free(&s);

            /* and the same trial with them on does fail */
            run_script(&sc, true, trial, 10 * YEAR, &s, &r);
            assert_true(r.result.component_failures + r.result.domain_outages > 0);
            run_free(&r);
            script_free(&s);
        }
        scenario_free(&sc);
    }
}

static void test_the_observer_gets_each_event_with_its_kind_and_target(void **state)
{
    (void)state;
    /* natural failures: the instance fails at 2 h (instance_fail), the
     * zone goes down at 5 h for an hour */
    scenario sc;
    load(&sc, pair_scenario("ELB", "const(10m)", ""));
    script s = {0};
    run r;
    run_script(&sc, true, 0, 5.5 * HOUR, &s, &r);
    must_find(&s, EVENT_FAIL, "web/0", "instance web/0 (r-a) fails", 2 * HOUR);
    must_find(&s, EVENT_SERVICE, "", "service DOWN: serving 50% of requests", 2 * HOUR);
    const logged_event *marked = must_find(
        &s, EVENT_DETECT, "web/0", "load balancer alb marks web/0 (r-a) unhealthy after 3 failed checks",
        2 * HOUR);
    assert_within(marked->t - 2 * HOUR, 70.0, 100.0);
    must_find(&s, EVENT_DETECT, "web/0", "Auto Scaling group web replaces web/0", 2 * HOUR);
    must_find(&s, EVENT_REPAIR, "web/2", "Auto Scaling group web launches web/2 in r-a (1.5 min)",
              2 * HOUR);
    must_find(&s, EVENT_RECOVER, "web/2", "instance web/2 is running in r-a", 2 * HOUR);
    must_find(&s, EVENT_RECOVER, "web/2", "marks web/2 (r-a) healthy after 1 passing check", 2 * HOUR);
    must_find(&s, EVENT_SERVICE, "", "service UP: serving 100% of requests", 2 * HOUR);
    assert_near(must_find(&s, EVENT_FAIL, "r-a", "zone r-a goes down (for 1 h)", 0.0)->t, 5 * HOUR,
                1e-9);
    for (size_t i = 0; i < s.n_events; i++) {
        assert_true(s.events[i].kind > EVENT_NOTE && s.events[i].kind < EVENT_KIND_COUNT);
        assert_true(s.events[i].kind != EVENT_INJECT && s.events[i].kind != EVENT_ROLLBACK);
    }
    run_free(&r);
    script_free(&s);
    scenario_free(&sc);

    /* DNS, runbooks, promotion and data loss */
    load(&sc, cross_region_scenario("async"));
    run_script(&sc, true, 0, 101 * HOUR, &s, &r);
    must_find(&s, EVENT_FAIL, "east", "region east goes down (for 10 h)", 100 * HOUR);
    must_find(&s, EVENT_NOTE, "failover", "runbook failover will start in 1 min", 100 * HOUR);
    must_find(&s, EVENT_DETECT, "failover", "runbook failover starts: 1 steps", 100 * HOUR);
    must_find(&s, EVENT_FAILOVER, "failover", "runbook failover: step 1 done", 100 * HOUR);
    must_find(&s, EVENT_FAILOVER, "db", "database db promotes its replica", 100 * HOUR);
    must_find(&s, EVENT_DETECT, "east", "Route 53 sees east unhealthy after 3 failed checks",
              100 * HOUR);
    must_find(&s, EVENT_FAILOVER, "dns", "Route 53 now answers west 100%", 100 * HOUR);
    must_find(&s, EVENT_FAILOVER, "dns", "a quarter of the clients re-resolve", 100 * HOUR);
    must_find(&s, EVENT_DATA, "east", "the region disaster loses", 100 * HOUR);
    must_find(&s, EVENT_RECOVER, "db", "database db is writable in west", 100 * HOUR);
    must_find(&s, EVENT_SERVICE, "east", "full service after the region disaster: RTO", 100 * HOUR);
    run_free(&r);
    script_free(&s);
    scenario_free(&sc);
}

static void test_the_trace_and_the_observer_say_the_same(void **state)
{
    (void)state;
    scenario sc;
    load(&sc, pair_scenario("ELB", "const(60s)", ""));
    char *text = NULL;
    size_t size = 0;
    FILE *trace = open_memstream(&text, &size);
    assert_non_null(trace);
    trial_world *world = trial_world_create(&sc);
    assert_non_null(world);
    script s = {0};
    add(&s, HOUR, OP_TERMINATE, 0, 1, 0, 0);
    trial_set_background_failures(world, false);
    trial_set_setup(world, setup, &s);
    world_observer observer = {&s, on_event, on_served};
    trial_set_observer(world, &observer);
    trial_set_trace(world, trace);
    run r;
    memset(&r, 0, sizeof r);
    assert_int_equal(trial_run(world, SEED, 0, 2 * HOUR, &r.result, &r.incidents, &r.disasters), 0);
    fclose(trace);
    /* one line per event, in order, with the same words */
    size_t lines = 0;
    const char *line = text;
    for (const char *nl; (nl = strchr(line, '\n')) != NULL; line = nl + 1, lines++) {
        assert_true(lines < s.n_events);
        const char *detail = strstr(line, "  ") + 2;
        assert_int_equal((size_t)(nl - detail), strlen(s.events[lines].detail));
        assert_memory_equal(detail, s.events[lines].detail, strlen(s.events[lines].detail));
    }
    assert_int_equal(lines, s.n_events);
    assert_true(lines >= 5);
    free(text);
    trial_world_destroy(world);
    run_free(&r);
    script_free(&s);
    scenario_free(&sc);
}

/* ---- tags ----------------------------------------------------------------------------------- */

static void test_tags_are_read_on_every_kind_of_resource(void **state)
{
    (void)state;
    scenario sc;
    load(&sc, "drsim: 1\nname: tags\n"
              "regions:\n"
              "  - name: r\n"
              "    tags: {Environment: production}\n"
              "    zones: [{name: r-a, tags: [{Key: Tier, Value: web}]},\n"
              "            {name: r-b}]\n"
              "components:\n"
              "  - {name: web, count: 2, zone: r-a, fail: const(1y), repair: const(1h),\n"
              "     tags: {Tier: web, Team: ''}}\n"
              "service: {at_least: 1, of: web}\n"
              "load_balancers:\n"
              "  - {name: alb, region: r, tags: {Tier: edge}}\n"
              "auto_scaling_groups:\n"
              "  - {name: asg, load_balancer: alb, zones: [r-a], max_size: 1,\n"
              "     instance_fail: const(1y), tags: [{Key: Tier, Value: web, PropagateAtLaunch: true}]}\n"
              "databases:\n"
              "  - {name: db, region: r, tags: {Tier: data}}\n"
              "buckets:\n"
              "  - {name: b, region: r, tags: {Tier: storage}}\n");
    assert_string_equal(tags_get(&sc.domains[scenario_find_domain(&sc, "r")].tags, "Environment"),
                        "production");
    assert_string_equal(tags_get(&sc.domains[scenario_find_domain(&sc, "r-a")].tags, "Tier"), "web");
    assert_int_equal(sc.domains[scenario_find_domain(&sc, "r-b")].tags.n, 0);
    assert_string_equal(tags_get(&sc.groups[0].tags, "Tier"), "web");
    assert_string_equal(tags_get(&sc.groups[0].tags, "Team"), "");
    assert_string_equal(tags_get(&sc.dr.balancers[0].tags, "Tier"), "edge");
    assert_string_equal(tags_get(&sc.dr.groups[0].tags, "Tier"), "web");
    assert_string_equal(tags_get(&sc.dr.databases[0].tags, "Tier"), "data");
    assert_string_equal(tags_get(&sc.dr.buckets[0].tags, "Tier"), "storage");
    scenario_free(&sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_terminated_instance_is_replaced_after_the_status_check),
        cmocka_unit_test(test_the_load_balancer_notices_a_terminated_instance_first_for_type_elb),
        cmocka_unit_test(test_a_stopped_instance_serves_again_when_started_unless_replaced),
        cmocka_unit_test(test_stress_halves_capacity_and_adds_latency_until_lifted),
        cmocka_unit_test(test_response_time_sets_the_unstressed_latency_and_a_replacement_is_unstressed),
        cmocka_unit_test(test_component_fail_is_repaired_and_hold_waits_for_release),
        cmocka_unit_test(test_an_injected_zone_outage_is_one_disaster_until_restored),
        cmocka_unit_test(test_an_injected_outage_takes_the_place_of_the_natural_one),
        cmocka_unit_test(test_a_database_failover_takes_the_writer_offline_then_back),
        cmocka_unit_test(test_a_database_reboot_is_offline_for_its_duration),
        cmocka_unit_test(test_paused_replication_loses_everything_since_the_pause),
        cmocka_unit_test(test_a_resumed_replication_loses_only_the_lag),
        cmocka_unit_test(test_without_background_failures_nothing_fails_in_ten_years),
        cmocka_unit_test(test_the_observer_gets_each_event_with_its_kind_and_target),
        cmocka_unit_test(test_the_trace_and_the_observer_say_the_same),
        cmocka_unit_test(test_tags_are_read_on_every_kind_of_resource),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
