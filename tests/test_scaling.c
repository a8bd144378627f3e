/*
 * test_scaling — demand that varies in time (models/demand_model.c), the
 * request-weighted accounting of the observer (trial_result.requests_total
 * and requests_failed), and target-tracking scaling policies on Auto
 * Scaling groups (models/web.c), against cases computed by hand.
 *
 * Each test loads a scenario from a string, turns background failures off
 * (trial_set_background_failures) and runs one trial with trial_run.  An
 * observer records every event of kind EVENT_SCALE and every change of the
 * served fraction; probes scheduled from the trial's setup hook read the
 * group's desired capacity, its running instances and the demand the world
 * holds at given instants.  Every delay is a const() distribution, so the
 * instants are exact: a group evaluates its policies at whole minutes of
 * simulated time, an instance launched at t runs at t + launch_time and is
 * counted by its policies from t + launch_time + instance_warmup.
 *
 * The rule (docs/capacity.md, "Auto scaling"): with N counted instances,
 * a policy proposes ⌈N × metric / target⌉, where CPU = requests served ÷
 * capacity_per_instance × 100% (100% when overloaded) and the request count
 * is requests per target a minute.  Steps of demand are written as trace
 * files whose rows jump within a millisecond.
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

#include "demand.h"
#include "model.h"
#include "report.h"
#include "scenario.h"
#include "trial.h"
#include "world.h"

#define MINUTE 60.0
#define HOUR 3600.0
#define DAY 86400.0
#define SEED UINT64_C(20261127)
#define PI 3.14159265358979323846

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

static void load(scenario *sc, const char *text)
{
    diag_list diag;
    diag_init(&diag);
    int rc = scenario_load_string(sc, "scaling.yaml", text, strlen(text), &diag);
    if (rc != 0)
        diag_print(&diag, stderr);
    diag_free(&diag);
    assert_int_equal(rc, 0);
}

/* One group `web` of instances of `capacity` (a whole line, or "" for
 * unlimited) behind one load balancer in a region of three zones. */
static const char *scenario_text(const char *demand, int min, int max, int desired,
                                 const char *capacity, const char *launch, const char *group_extra)
{
    static char text[4096];
    snprintf(text, sizeof text,
             "drsim: 1\nname: scaling\n"
             "demand: %s\n"
             "regions:\n"
             "  - name: r\n"
             "    zones: [{name: r-a}, {name: r-b}, {name: r-c}]\n"
             "load_balancers:\n"
             "  - name: alb\n"
             "    region: r\n"
             "    health_check: {interval: 30s, timeout: 10s, healthy_threshold_count: 3,\n"
             "                   unhealthy_threshold_count: 3}\n"
             "    deregistration_delay: 30s\n"
             "auto_scaling_groups:\n"
             "  - name: web\n"
             "    load_balancer: alb\n"
             "    zones: [r-a, r-b, r-c]\n"
             "    min_size: %d\n"
             "    max_size: %d\n"
             "    desired_capacity: %d\n"
             "    health_check_type: ELB\n"
             "    %s\n"
             "    instance_fail: const(1000y)\n"
             "    launch_time: %s\n"
             "%s",
             demand, min, max, desired, capacity, launch, group_extra);
    return text;
}

/* The seed's CPU policy (70%, out 60 s, in 300 s), with a warm-up. */
static const char *cpu70(const char *warmup)
{
    static char text[512];
    snprintf(text, sizeof text,
             "    instance_warmup: %s\n"
             "    scaling_policies:\n"
             "      - {name: cpu70, metric: cpu, target: 70%%, scale_out_cooldown: 60s,\n"
             "         scale_in_cooldown: 300s}\n",
             warmup);
    return text;
}

/* The seed's request-count policy (1000 per target a minute). */
static const char *requests1000(const char *warmup, const char *out_cooldown,
                                const char *in_cooldown)
{
    static char text[512];
    snprintf(text, sizeof text,
             "    instance_warmup: %s\n"
             "    scaling_policies:\n"
             "      - {name: requests, metric: request_count_per_target, target: 1000,\n"
             "         scale_out_cooldown: %s, scale_in_cooldown: %s}\n",
             warmup, out_cooldown, in_cooldown);
    return text;
}

/* A trace file of rows "t,rps" (seconds since the start); the path is
 * written to path (PATH_MAX-ish) and the file removed by the caller. */
static void write_trace(char *path, size_t size, const char *rows)
{
    snprintf(path, size, "%s/drsim-scaling-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    fprintf(f, "timestamp,requests_per_second\n%s", rows);
    assert_int_equal(fclose(f), 0);
}

typedef struct scale_event {
    double t;
    char detail[256];
} scale_event;

typedef struct probe {
    double t;
    int desired, running;
    double demand_rps;       /* world_demand_rps() */
    double requests_failed;  /* world_requests_failed() */
} probe;

typedef struct record {
    scale_event scales[64];
    size_t n_scales;
    probe probes[16];
    size_t n_probes;
    double last_dip_end_s;   /* the last time f came back to 1 from below */
    double first_dip_s;      /* the first time f fell below 1; NAN if never */
    bool below;              /* f < 1 now */
    trial_result result;
} record;

static void on_event(void *ctx, double t_s, world_event_kind kind, const char *target,
                     const char *detail)
{
    record *r = ctx;
    (void)target;
    if (kind != EVENT_SCALE)
        return;
    assert_true(r->n_scales < sizeof r->scales / sizeof r->scales[0]);
    scale_event *e = &r->scales[r->n_scales++];
    e->t = t_s;
    snprintf(e->detail, sizeof e->detail, "%s", detail);
}

static void on_served(void *ctx, double t_s, double f)
{
    record *r = ctx;
    bool below = f < 1.0 - 1e-12;
    if (below && isnan(r->first_dip_s))
        r->first_dip_s = t_s;
    if (!below && r->below)
        r->last_dip_end_s = t_s;
    r->below = below;
}

static void on_probe(des_sim *sim, void *subject, void *object)
{
    (void)sim;
    trial_world *w = subject;
    probe *p = object;
    p->desired = web_desired_capacity(w, 0);
    p->running = 0;
    for (int i = 0; i < web_slot_count(w, 0); i++)
        p->running += web_running_zone(w, 0, i) >= 0;
    p->demand_rps = world_demand_rps(w);
    p->requests_failed = world_requests_failed(w);
}

static void setup(trial_world *w, void *ctx)
{
    record *r = ctx;
    for (size_t i = 0; i < r->n_probes; i++)
        des_schedule(w->sim, r->probes[i].t, DES_PRIORITY_MAX, on_probe, w, &r->probes[i]);
}

static void add_probe(record *r, double t)
{
    assert_true(r->n_probes < sizeof r->probes / sizeof r->probes[0]);
    r->probes[r->n_probes++] = (probe){.t = t, .desired = -1, .running = -1};
}

/* Runs trial 0 of the scenario to horizon_s, recording into *r (whose
 * probes are already set). */
static void run(const scenario *sc, double horizon_s, record *r)
{
    trial_world *world = trial_world_create(sc);
    assert_non_null(world);
    trial_set_background_failures(world, false);
    trial_set_setup(world, setup, r);
    world_observer observer = {r, on_event, on_served};
    trial_set_observer(world, &observer);
    r->first_dip_s = NAN;
    r->last_dip_end_s = NAN;
    r->below = false;
    incident_list incidents = {0};
    disaster_list disasters = {0};
    assert_int_equal(trial_run(world, SEED, 0, horizon_s, &r->result, &incidents, &disasters), 0);
    incident_list_free(&incidents);
    disaster_list_free(&disasters);
    trial_world_destroy(world);
}

static void expect_scales(const record *r, const double *times, size_t n)
{
    for (size_t i = 0; i < r->n_scales; i++)
        print_message("  scale at %.3f s: %s\n", r->scales[i].t, r->scales[i].detail);
    assert_int_equal(r->n_scales, n);
    for (size_t i = 0; i < n; i++)
        assert_near(r->scales[i].t, times[i], 0.0);
}

/* ---- 1. CPU target tracking --------------------------------------------------------------- */

static void test_cpu_policy_converges_from_below_counting_instances_once_warm(void **state)
{
    (void)state;
    /* D = 3000, c = 500: the fixed point is ⌈3000 / (0.7 × 500)⌉ = 9.  From
     * 2 instances, overloaded (CPU 100%): ⌈2 × 100/70⌉ = 3 at the first
     * evaluation (1 min).  The new instance runs at 2.5 min and counts from
     * 7.5 min (warm-up 300 s): at 8 min N = 3, still 100%: ⌈300/70⌉ = 5;
     * at 15 min (launched 8, running 9.5, warm 14.5) N = 5 at 600 rps,
     * 100%: ⌈500/70⌉ = 8; at 22 min N = 8 at 375 rps = 75%: ⌈600/70⌉ = 9;
     * at 29 min N = 9 at 66.7%: 9, settled. */
    scenario sc;
    load(&sc, scenario_text("3000", 1, 12, 2, "capacity_per_instance: 500", "const(90s)",
                            cpu70("300s")));
    record r = {0};
    add_probe(&r, 6 * HOUR - 1.0);
    run(&sc, 6 * HOUR, &r);
    const double times[] = {60, 480, 900, 1320};
    expect_scales(&r, times, 4);
    assert_string_equal(r.scales[0].detail, "target tracking cpu70: CPU 100% > 70% → desired 2 → 3");
    assert_string_equal(r.scales[3].detail, "target tracking cpu70: CPU 75% > 70% → desired 8 → 9");
    assert_int_equal(r.probes[0].desired, 9);
    assert_int_equal(r.probes[0].running, 9);
    assert_int_equal(r.probes[0].desired, (int)ceil(3000.0 / (0.70 * 500.0)));
    scenario_free(&sc);
}

static void test_without_a_long_warm_up_new_instances_count_sooner(void **state)
{
    (void)state;
    /* The same with a 30 s warm-up: an instance counts 2 min after its
     * launch (90 s to run, 30 s to warm; its first health check passes
     * within 30 s of running, so it has its share by then): 60, 180, 300
     * and 420 s, and the same fixed point. */
    scenario sc;
    load(&sc, scenario_text("3000", 1, 12, 2, "capacity_per_instance: 500", "const(90s)",
                            cpu70("30s")));
    record r = {0};
    add_probe(&r, 2 * HOUR);
    run(&sc, 3 * HOUR, &r);
    const double times[] = {60, 180, 300, 420};
    expect_scales(&r, times, 4);
    assert_int_equal(r.probes[0].desired, 9);
    assert_int_equal(r.probes[0].running, 9);
    scenario_free(&sc);
}

static void test_cpu_policy_scales_in_from_above_in_one_step(void **state)
{
    (void)state;
    /* 12 instances at 250 rps: CPU 50%, ⌈12 × 50/70⌉ = ⌈8.57⌉ = 9 at the
     * first evaluation; then 9 at 66.7%, settled. */
    scenario sc;
    load(&sc, scenario_text("3000", 1, 12, 12, "capacity_per_instance: 500", "const(90s)",
                            cpu70("300s")));
    record r = {0};
    add_probe(&r, HOUR);
    run(&sc, 2 * HOUR, &r);
    const double times[] = {60};
    expect_scales(&r, times, 1);
    assert_string_equal(r.scales[0].detail, "target tracking cpu70: CPU 50% < 70% → desired 12 → 9");
    assert_int_equal(r.probes[0].desired, 9);
    assert_int_equal(r.probes[0].running, 9);
    /* 9 × 500 rps carry 3000: nothing failed */
    assert_near(r.result.requests_failed, 0.0, 0.0);
    scenario_free(&sc);
}

static void test_cpu_policy_stays_within_max_size_and_min_size(void **state)
{
    (void)state;
    /* D = 6000 wants ⌈6000/350⌉ = 18 > max_size 12: the group stops at 12,
     * overloaded (f = 6000/6000 = 1 exactly at 12 × 500, so still served). */
    scenario sc;
    load(&sc, scenario_text("6000", 1, 12, 6, "capacity_per_instance: 500", "const(90s)",
                            cpu70("300s")));
    record r = {0};
    add_probe(&r, 3 * HOUR);
    run(&sc, 4 * HOUR, &r);
    assert_int_equal(r.probes[0].desired, 12);
    assert_int_equal(r.probes[0].running, 12);
    assert_true(r.n_scales >= 1);
    assert_true(r.scales[r.n_scales - 1].t < HOUR); /* then clamped: no more decisions */
    scenario_free(&sc);

    /* No demand: CPU 0%, every proposal 0, clamped to min_size 2. */
    load(&sc, scenario_text("0", 2, 12, 6, "capacity_per_instance: 500", "const(90s)",
                            cpu70("300s")));
    record r0 = {0};
    add_probe(&r0, HOUR);
    run(&sc, 2 * HOUR, &r0);
    const double times[] = {60};
    expect_scales(&r0, times, 1);
    assert_int_equal(r0.probes[0].desired, 2);
    scenario_free(&sc);
}

/* ---- 2. request count per target ------------------------------------------------------------ */

static void test_request_count_policy_converges_to_demand_times_60_over_the_target(void **state)
{
    (void)state;
    /* D = 130 rps is 7800 requests a minute: ⌈7800/1000⌉ = 8 targets, from
     * 3 in one step (N × (7800/N)/1000 = 7.8 whatever N is), with unlimited
     * capacity (no CPU to speak of). */
    scenario sc;
    load(&sc, scenario_text("130", 1, 20, 3, "", "const(90s)",
                            requests1000("300s", "60s", "300s")));
    record r = {0};
    add_probe(&r, HOUR);
    run(&sc, 2 * HOUR, &r);
    const double times[] = {60};
    expect_scales(&r, times, 1);
    assert_string_equal(r.scales[0].detail,
                        "target tracking requests: 2600 requests per target a minute > 1000 → "
                        "desired 3 → 8");
    assert_int_equal(r.probes[0].desired, (int)ceil(130.0 * 60.0 / 1000.0));
    assert_int_equal(r.probes[0].running, 8);
    scenario_free(&sc);

    /* The seed's 3000 rps would want 180 targets: bounded by max_size. */
    load(&sc, scenario_text("3000", 1, 12, 6, "capacity_per_instance: 750", "const(90s)",
                            requests1000("300s", "60s", "300s")));
    record r12 = {0};
    add_probe(&r12, HOUR);
    run(&sc, 2 * HOUR, &r12);
    expect_scales(&r12, times, 1);
    assert_int_equal(r12.probes[0].desired, 12);
    scenario_free(&sc);
}

/* ---- 3. cooldowns and warm-up -------------------------------------------------------------- */

/* Steps of demand come from a trace whose rows jump within a millisecond.
 * The world holds D within 1% of the trace (demand_model.c), so the levels
 * are chosen where ±1% changes no proposal: 48 rps is 2880 requests a
 * minute (⌈2.88⌉ = 3 targets), 95 is 5700 (6), 190 is 11400 (12). */
static void expect_decision(const scale_event *e, int from, int to)
{
    char tail[64];
    snprintf(tail, sizeof tail, "→ desired %d → %d", from, to);
    size_t n = strlen(e->detail), m = strlen(tail);
    if (!(n >= m && strcmp(e->detail + n - m, tail) == 0))
        fail_msg("'%s' does not end in '%s'", e->detail, tail);
}

/* Demand 48 rps, 95 from 1:00:30 and 190 from 1:01:10; the request-count
 * policy; launches take 10 min, so the counted instances stay the first
 * three throughout. */
static void run_two_steps(const char *out_cooldown, record *r)
{
    char path[512];
    write_trace(path, sizeof path, "0,48\n3630,48\n3630.001,95\n3670,95\n3670.001,190\n");
    char demand[600];
    snprintf(demand, sizeof demand, "{trace: %s}", path);
    scenario sc;
    load(&sc, scenario_text(demand, 1, 20, 3, "", "const(10m)",
                            requests1000("300s", out_cooldown, "300s")));
    unlink(path);
    run(&sc, 2 * HOUR, r);
    scenario_free(&sc);
}

static void test_scale_out_at_the_first_evaluation_after_a_step_then_after_its_cooldown(void **state)
{
    (void)state;
    /* 48 rps: 2880 a minute over 3 targets, settled at 3.  The step at
     * 3630 s is first seen at 3660 s: 5700/1000 → 6.  The second step
     * (11400 a minute, still over the 3 counted) wants 12 at 3720 s, which
     * the 60 s cooldown allows; a 120 s cooldown holds it to 3780 s. */
    record r = {0};
    run_two_steps("60s", &r);
    const double times[] = {3660, 3720};
    expect_scales(&r, times, 2);
    expect_decision(&r.scales[0], 3, 6);
    expect_decision(&r.scales[1], 6, 12);
    assert_non_null(strstr(r.scales[0].detail, "target tracking requests: "));
    assert_non_null(strstr(r.scales[0].detail, " requests per target a minute > 1000 → "));

    record slow = {0};
    run_two_steps("120s", &slow);
    const double slow_times[] = {3660, 3780};
    expect_scales(&slow, slow_times, 2);
    expect_decision(&slow.scales[1], 6, 12);
}

/* Demand 95 rps (6 targets), 190 from 1:00:30 (12), 48 from 1:01:30 (3);
 * instances count as soon as they run (warm-up 0). */
static void run_up_then_down(const char *in_cooldown, record *r)
{
    char path[512];
    write_trace(path, sizeof path, "0,95\n3630,95\n3630.001,190\n3690,190\n3690.001,48\n");
    char demand[600];
    snprintf(demand, sizeof demand, "{trace: %s}", path);
    scenario sc;
    load(&sc, scenario_text(demand, 1, 20, 6, "", "const(90s)",
                            requests1000("0s", "60s", in_cooldown)));
    unlink(path);
    add_probe(r, 2 * HOUR - 1.0);
    run(&sc, 2 * HOUR, r);
    scenario_free(&sc);
}

static void test_scale_in_waits_its_cooldown_after_the_last_activity_of_either_kind(void **state)
{
    (void)state;
    /* Out at 3660 s (6 → 12); the demand falls at 3690 s and every
     * evaluation from 3720 s wants 2880/1000 → 3, but a scale-in waits
     * 300 s after the scale-out: 3960 s.  With a 600 s cooldown, 4260 s. */
    record r = {0};
    run_up_then_down("300s", &r);
    const double times[] = {3660, 3960};
    expect_scales(&r, times, 2);
    expect_decision(&r.scales[0], 6, 12);
    expect_decision(&r.scales[1], 12, 3);
    assert_non_null(strstr(r.scales[1].detail, " requests per target a minute < 1000 → "));
    assert_int_equal(r.probes[0].desired, 3);
    assert_int_equal(r.probes[0].running, 3);

    record longer = {0};
    run_up_then_down("600s", &longer);
    const double longer_times[] = {3660, 4260};
    expect_scales(&longer, longer_times, 2);
}

static void test_scale_in_waits_for_instances_warming_up(void **state)
{
    (void)state;
    /* c = 500, CPU 70%, warm-up 3000 s, launches 90 s.  6 instances at
     * 4000 rps are at 100%: ⌈600/70⌉ = 9 at 60 s (the three count from
     * 60 + 90 + 3000 = 3150 s).  At 3180 s N = 9 at 444 rps = 88.9%:
     * ⌈800/70⌉ = 12 (these three count from 6270 s).  The demand falls to
     * 1000 at 3630 s: 9 counted at 16.7%, ⌈150/70⌉ = 3 < 12, and the
     * scale-in cooldown has run out by 3480 s; but three instances are
     * warming up, so the scale-in waits for the evaluation at 6300 s. */
    char path[512];
    write_trace(path, sizeof path, "0,4000\n3630,4000\n3630.001,1000\n");
    char demand[600];
    snprintf(demand, sizeof demand, "{trace: %s}", path);
    scenario sc;
    load(&sc, scenario_text(demand, 1, 12, 6, "capacity_per_instance: 500", "const(90s)",
                            cpu70("3000s")));
    unlink(path);
    record r = {0};
    run(&sc, 3 * HOUR, &r);
    const double times[] = {60, 3180, 6300};
    expect_scales(&r, times, 3);
    expect_decision(&r.scales[0], 6, 9);
    expect_decision(&r.scales[1], 9, 12);
    assert_string_equal(r.scales[1].detail, "target tracking cpu70: CPU 88.9% > 70% → desired 9 → 12");
    expect_decision(&r.scales[2], 12, 3);
    scenario_free(&sc);
}

/* ---- 4. a daily pattern ------------------------------------------------------------------- */

static void test_the_group_follows_a_daily_demand_and_dips_only_while_launches_catch_up(void **state)
{
    (void)state;
    /* Peak 3000 rps at 14:00 UTC, trough 750 at 02:00; c = 500, CPU 70%.
     * At the peak ⌈3000/350⌉ = 9 instances, at the trough ⌈750/350⌉ = 3.
     * The group starts with 1 instance against D(0) = 900.7 rps: it is
     * overloaded until the second instance takes its share (launched at
     * 60 s, running at 150 s, healthy within 30 s); after that the 30% of
     * headroom the target leaves outruns the cosine (at most 4.9 rps a
     * minute), so nothing fails again. */
    scenario sc;
    load(&sc, scenario_text("{pattern: daily, peak: 3000, peak_to_trough: 4, peak_hour: 14}", 1,
                            12, 1, "capacity_per_instance: 500", "const(90s)", cpu70("300s")));
    record r = {0};
    double at[] = {14 * HOUR, DAY + 2 * HOUR, DAY + 14 * HOUR, 2 * DAY + 2 * HOUR,
                   DAY + 8 * HOUR, DAY + 20 * HOUR};
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++)
        add_probe(&r, at[i]);
    run(&sc, 3 * DAY, &r);
    for (size_t i = 0; i < r.n_probes; i++) {
        const probe *p = &r.probes[i];
        double d = demand_at(&sc.dr.demand, p->t);
        print_message("  %6.2f h: D %.1f held %.1f, desired %d, running %d\n", p->t / HOUR, d,
                      p->demand_rps, p->desired, p->running);
        /* the value held is within 1% of the true demand */
        assert_true(fabs(d - p->demand_rps) <= 0.01 * p->demand_rps + 1e-9);
        /* the group tracks the target: at least D/(0.7c), at most one
         * step of the slowly moving demand above it */
        int needed = (int)ceil(d / 350.0);
        assert_true(p->desired >= needed - 1 && p->desired <= needed + 1);
    }
    assert_int_equal(r.probes[0].desired, 9);  /* day 1 14:00 */
    assert_int_equal(r.probes[1].desired, 3);  /* day 2 02:00 */
    assert_int_equal(r.probes[2].desired, 9);  /* day 2 14:00 */
    assert_int_equal(r.probes[3].desired, 3);  /* day 3 02:00 */
    assert_true(r.probes[2].running > r.probes[1].running);
    /* served in full except while the first launch caught up */
    assert_near(r.first_dip_s, 0.0, 0.0);
    assert_true(r.last_dip_end_s > 150.0 && r.last_dip_end_s <= 180.0);
    assert_false(r.below);
    assert_true(r.result.requests_failed > 0.0);
    /* what failed: 1 − 500/D of the demand over [0, last_dip_end) at most */
    assert_true(r.result.requests_failed <= (900.7 - 500.0) * r.last_dip_end_s * 1.02);
    assert_true(r.n_scales > 6); /* out and in, twice a day */
    scenario_free(&sc);
}

/* ---- 5. request-weighted accounting -------------------------------------------------------- */

static void test_requests_total_is_the_integral_of_the_demand(void **state)
{
    (void)state;
    /* a daily pattern growing 20% a year, served in full by 12 instances
     * of 500 rps (the peak is about 3000 rps) */
    scenario sc;
    load(&sc, scenario_text("{pattern: daily, peak: 3000, peak_to_trough: 4, growth: 20%}", 1,
                            12, 12, "capacity_per_instance: 500", "const(90s)", ""));
    record r = {0};
    double horizon = 10 * DAY + 5 * HOUR;
    run(&sc, horizon, &r);
    double expected = demand_integral(&sc.dr.demand, 0.0, horizon);
    assert_near(r.result.requests_total, expected, 1e-9 * expected);
    /* served in full (up to the rounding of 12 shares of D adding up to D) */
    assert_true(r.result.requests_failed <= 1e-9 * expected);
    assert_near(r.result.served_s, horizon, 1e-9 * horizon);
    /* the demand changed along the way: events, and the world held it */
    assert_true(r.result.events > 100);
    scenario_free(&sc);

    /* a constant demand with no policies schedules no event at all */
    load(&sc, scenario_text("1000", 1, 12, 3, "capacity_per_instance: 500", "const(90s)", ""));
    record c = {0};
    run(&sc, 30 * DAY, &c);
    assert_int_equal(c.result.events, 0);
    assert_near(c.result.requests_total, 1000.0 * 30 * DAY, 0.0);
    scenario_free(&sc);
}

static void test_half_the_capacity_fails_half_the_requests(void **state)
{
    (void)state;
    /* 2 instances of 250 rps against 1000 rps: each gets 500 and serves
     * 250, f = 1/2 all along. */
    scenario sc;
    load(&sc, scenario_text("1000", 1, 12, 2, "capacity_per_instance: 250", "const(90s)", ""));
    record r = {0};
    double horizon = 7 * DAY;
    add_probe(&r, 2 * DAY);
    run(&sc, horizon, &r);
    assert_near(r.probes[0].requests_failed, 500.0 * 2 * DAY, 0.0); /* so far, mid-trial */
    assert_near(r.result.requests_total, 1000.0 * horizon, 0.0);
    assert_near(r.result.requests_failed, r.result.requests_total / 2, 0.0);
    assert_near(r.result.served_s, horizon / 2, 0.0);
    scenario_free(&sc);
}

static void test_overload_of_a_daily_demand_fails_what_exceeds_capacity(void **state)
{
    (void)state;
    /* Fixed capacity C = 1875 rps (15 × 125), the daily mean: from 08:00
     * to 20:00 the demand m + A cos θ (m = 1875, A = 1125) exceeds it, and
     * what fails is ∫ (D − C)+ = A × T / π a day (T = 1 day).  The models
     * see D held within 1% between changes, so f = C / D_held: each second
     * errs by at most 1% of C, over the 12 overloaded hours of each day. */
    scenario sc;
    load(&sc, scenario_text("{pattern: daily, peak: 3000, peak_to_trough: 4}", 1, 15, 15,
                            "capacity_per_instance: 125", "const(90s)", ""));
    record r = {0};
    int days = 4;
    run(&sc, days * DAY, &r);
    double exact = days * 1125.0 * DAY / PI;
    print_message("  failed %.6g, closed form %.6g (%.3f%%)\n", r.result.requests_failed, exact,
                  100.0 * (r.result.requests_failed / exact - 1.0));
    assert_near(r.result.requests_failed, exact, 0.01 * 1875.0 * days * DAY / 2);
    assert_near(r.result.requests_total, demand_integral(&sc.dr.demand, 0.0, days * DAY),
                1e-9 * r.result.requests_total);

    /* the report weighs availability by requests with the demand */
    run_results results = {.trials = 1, .records = &r.result, .requested = 1};
    incident_list no_incidents = {0};
    disaster_list no_disasters = {0};
    results.incidents = &no_incidents;
    results.disasters = &no_disasters;
    run_summary summary;
    assert_int_equal(report_summarize(&sc, &results, days * DAY, &summary), 0);
    const report_metric *m = report_find(&summary, "availability_requests");
    assert_non_null(m);
    assert_near(m->estimate.mean, 1.0 - r.result.requests_failed / r.result.requests_total, 1e-15);
    /* by time it would read otherwise: f weighs the quiet night like the peak */
    assert_true(fabs(m->estimate.mean - r.result.served_s / (days * DAY)) > 1e-3);
    scenario_free(&sc);
}

static void test_with_constant_demand_the_report_keeps_the_time_integral(void **state)
{
    (void)state;
    scenario sc;
    load(&sc, scenario_text("1000", 1, 12, 3, "capacity_per_instance: 250", "const(90s)", ""));
    record r = {0};
    run(&sc, DAY, &r);
    run_results results = {.trials = 1, .records = &r.result, .requested = 1};
    incident_list no_incidents = {0};
    disaster_list no_disasters = {0};
    results.incidents = &no_incidents;
    results.disasters = &no_disasters;
    run_summary summary;
    assert_int_equal(report_summarize(&sc, &results, DAY, &summary), 0);
    const report_metric *m = report_find(&summary, "availability_requests");
    assert_non_null(m);
    assert_true(m->estimate.mean == r.result.served_s / DAY); /* the same bytes as before */
    assert_near(m->estimate.mean, 0.75, 1e-15);
    scenario_free(&sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cpu_policy_converges_from_below_counting_instances_once_warm),
        cmocka_unit_test(test_without_a_long_warm_up_new_instances_count_sooner),
        cmocka_unit_test(test_cpu_policy_scales_in_from_above_in_one_step),
        cmocka_unit_test(test_cpu_policy_stays_within_max_size_and_min_size),
        cmocka_unit_test(test_request_count_policy_converges_to_demand_times_60_over_the_target),
        cmocka_unit_test(test_scale_out_at_the_first_evaluation_after_a_step_then_after_its_cooldown),
        cmocka_unit_test(test_scale_in_waits_its_cooldown_after_the_last_activity_of_either_kind),
        cmocka_unit_test(test_scale_in_waits_for_instances_warming_up),
        cmocka_unit_test(test_the_group_follows_a_daily_demand_and_dips_only_while_launches_catch_up),
        cmocka_unit_test(test_requests_total_is_the_integral_of_the_demand),
        cmocka_unit_test(test_half_the_capacity_fails_half_the_requests),
        cmocka_unit_test(test_overload_of_a_daily_demand_fails_what_exceeds_capacity),
        cmocka_unit_test(test_with_constant_demand_the_report_keeps_the_time_integral),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
