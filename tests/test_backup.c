/*
 * test_backup — recovery points of AWS Backup rules (include/backup.h).
 *
 * The distribution tests draw the restore instant t uniformly over a year
 * and use trial i for the i-th draw, so the RPO samples are independent;
 * then they compare the RPO with its closed form: uniform on [0, 24 h] for
 * the seed's daily rule with no start window and instant jobs, shifted by
 * the copy time in the copy region, on [0, 7 d] for the weekly rule, and
 * mean P/2 + E[duration] + W^2/(12 P) with a start window W (a renewal-
 * reward argument: between two completions the RPO grows linearly).
 * Every stochastic test uses a fixed seed and prints it on failure; run
 * `test_backup -s SEED` to replay one.
 *
 * Times: t = 0 is 2026-01-01T00:00Z, a Thursday (cron.h).
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

#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "backup.h"
#include "cron.h"
#include "dist.h"
#include "rng.h"

#define MINUTE 60.0
#define HOUR 3600.0
#define DAY 86400.0
#define WEEK (7 * DAY)
#define YEAR (365 * DAY)
#define MAX_JOBS 400
#define N_SAMPLES 20000

#define SOURCE_REGION 0
#define COPY_REGION 1
#define OTHER_REGION 2

static uint64_t test_seed = 20260101u;
#include "seeded.h"

/* cmocka 1.1.5's assert_float_equal works in float; this one in double. */
#define assert_near(actual, expected, tolerance) \
    assert_near_at((actual), (expected), (tolerance), #actual, __FILE__, __LINE__)

static void assert_near_at(double actual, double expected, double tolerance,
                           const char *what, const char *file, int line)
{
    if (!(fabs(actual - expected) <= tolerance)) {
        fprintf(stderr, "%s:%d: %s = %.17g, expected %.17g within %g\n", file, line, what,
                actual, expected, tolerance);
        fail();
    }
}

/* ---- fixtures ----------------------------------------------------------- */

static void parse_dist(const char *text, dist *d)
{
    char err[256] = "";
    memset(d, 0, sizeof *d);
    if (dist_parse(text, d, err, sizeof err) != 0) {
        print_error("'%s' did not parse: %s\n", text, err);
        fail();
    }
}

/* A rule in SOURCE_REGION with no lifecycle and no copy. */
static backup_rule make_rule(const char *name, const char *schedule, double start_window_s,
                             double completion_window_s, const char *duration)
{
    backup_rule rule;
    memset(&rule, 0, sizeof rule);
    rule.name = strdup(name);
    assert_non_null(rule.name);
    rule.name_hash = rng_name_hash(name);
    char err[256] = "";
    if (cron_parse(schedule, &rule.schedule, err, sizeof err) != 0) {
        print_error("'%s' did not parse: %s\n", schedule, err);
        fail();
    }
    rule.start_window_s = start_window_s;
    rule.completion_window_s = completion_window_s;
    parse_dist(duration, &rule.duration);
    rule.region = SOURCE_REGION;
    return rule;
}

static void add_copy(backup_rule *rule, const char *copy_time, double delete_after_s)
{
    rule->has_copy = true;
    rule->copy_region = COPY_REGION;
    parse_dist(copy_time, &rule->copy_time);
    rule->copy_lifecycle.delete_after_s = delete_after_s;
}

static void free_rule(backup_rule *rule)
{
    free(rule->name);
    dist_free(&rule->duration);
    dist_free(&rule->copy_time);
}

static gsl_rng *new_stream(void)
{
    gsl_rng *r = rng_stream_create();
    assert_non_null(r);
    return r;
}

/* The seed chapter's DailyBackupRule with no start window and instant jobs. */
static backup_rule instant_daily_rule(void)
{
    return make_rule("DailyBackupRule", "cron(0 5 ? * * *)", 0, 120 * MINUTE, "const(0)");
}

/* n RPO samples in `region`: t uniform over a year that starts after a week
 * of history, trial i for sample i, data wanted as of t. */
static void sample_rpo(const backup_rule *rule, int region, double *rpo, int n)
{
    gsl_rng *times = new_stream();
    rng_stream_set(times, test_seed, 0, rng_name_hash("restore instants"), RNG_PURPOSE_MODEL);
    gsl_rng *r = new_stream();
    for (int i = 0; i < n; i++) {
        double t_s = WEEK + YEAR * gsl_rng_uniform(times);
        backup_point p = backup_newest_point(rule, r, test_seed, (uint64_t)i, region, t_s, t_s,
                                             MAX_JOBS);
        CHECK(isfinite(p.snapshot_s), "no recovery point at t = %.0f s (trial %d)", t_s, i);
        CHECK(p.available_s <= t_s, "point available at %.0f s, after t = %.0f s",
              p.available_s, t_s);
        rpo[i] = t_s - p.snapshot_s;
    }
    gsl_rng_free(times);
    gsl_rng_free(r);
}

/* Sorts x and checks it against the uniform distribution on [lo, hi):
 * bounds, mean within 4 standard errors, three quantiles within 4 standard
 * errors, and the Kolmogorov-Smirnov distance below its 0.1% critical value. */
static void check_uniform(double *x, int n, double lo, double hi, const char *what)
{
    gsl_sort(x, 1, (size_t)n);
    double width = hi - lo;
    CHECK(x[0] >= lo, "%s: minimum %.1f s is below %.1f s", what, x[0], lo);
    CHECK(x[n - 1] < hi, "%s: maximum %.1f s is not below %.1f s", what, x[n - 1], hi);

    double mean = gsl_stats_mean(x, 1, (size_t)n);
    double mean_se = width / sqrt(12.0 * n);
    CHECK(fabs(mean - (lo + hi) / 2) <= 4 * mean_se,
          "%s: mean %.1f s, expected %.1f s within %.1f s", what, mean, (lo + hi) / 2,
          4 * mean_se);

    static const double PROBS[] = {0.1, 0.5, 0.9};
    for (size_t i = 0; i < sizeof PROBS / sizeof PROBS[0]; i++) {
        double p = PROBS[i];
        double q = gsl_stats_quantile_from_sorted_data(x, 1, (size_t)n, p);
        double q_se = width * sqrt(p * (1 - p) / n);
        CHECK(fabs(q - (lo + p * width)) <= 4 * q_se,
              "%s: %g quantile %.1f s, expected %.1f s within %.1f s", what, p, q,
              lo + p * width, 4 * q_se);
    }

    double ks = 0;
    for (int i = 0; i < n; i++) {
        double f = (x[i] - lo) / width;
        ks = fmax(ks, fmax(fabs((i + 1.0) / n - f), fabs(f - (double)i / n)));
    }
    CHECK(ks < 1.95 / sqrt(n), "%s: Kolmogorov-Smirnov distance %.4f >= %.4f", what, ks,
          1.95 / sqrt(n));
}

/* The start delay, duration and copy time of the job fired at fire_s, drawn
 * as backup.h specifies: one stream per job, in that order. */
static void job_draws(const backup_rule *rule, uint64_t trial, double fire_s,
                      double *start_delay_s, double *duration_s, double *copy_time_s)
{
    gsl_rng *r = new_stream();
    uint64_t minute = (uint64_t)(int64_t)floor(fire_s / 60);
    rng_stream_set(r, test_seed, trial, rule->name_hash,
                   RNG_PURPOSE_BACKUP_JOB + (uint32_t)(minute & 0xFFFFFFu));
    *start_delay_s = rule->start_window_s * gsl_rng_uniform(r);
    *duration_s = dist_sample(&rule->duration, r);
    *copy_time_s = rule->has_copy ? dist_sample(&rule->copy_time, r) : NAN;
    gsl_rng_free(r);
}

/* The answer of backup_newest_point by brute force for a rule that fires
 * every hour on the hour: every job of the last `days` days, one by one. */
static backup_point newest_point_by_scan(const backup_rule *rule, uint64_t trial, int region,
                                         double t_s, double not_after_s, int days)
{
    backup_point best = {-INFINITY, INFINITY, false};
    const backup_lifecycle *lc = region == rule->region ? &rule->lifecycle
                                                        : &rule->copy_lifecycle;
    double last_fire_s = floor(fmin(t_s, not_after_s) / HOUR) * HOUR;
    for (double fire_s = last_fire_s; fire_s > last_fire_s - days * DAY; fire_s -= HOUR) {
        double start_delay_s, duration_s, copy_time_s;
        job_draws(rule, trial, fire_s, &start_delay_s, &duration_s, &copy_time_s);
        double snapshot_s = fire_s + start_delay_s;
        double available_s = snapshot_s + duration_s + (region == rule->region ? 0 : copy_time_s);
        bool usable = duration_s <= rule->completion_window_s && snapshot_s <= not_after_s &&
                      available_s <= t_s &&
                      !(lc->delete_after_s > 0 && snapshot_s + lc->delete_after_s <= t_s);
        if (usable && snapshot_s > best.snapshot_s) {
            best.snapshot_s = snapshot_s;
            best.available_s = available_s;
            best.cold = lc->cold_after_s > 0 && snapshot_s + lc->cold_after_s <= t_s;
        }
    }
    return best;
}

/* ---- RPO distributions --------------------------------------------------- */

static void test_daily_rule_with_instant_jobs_gives_rpo_uniform_on_0_to_24h(void **state)
{
    (void)state;
    backup_rule rule = instant_daily_rule();
    double *rpo = malloc(N_SAMPLES * sizeof *rpo);
    assert_non_null(rpo);
    sample_rpo(&rule, SOURCE_REGION, rpo, N_SAMPLES);
    check_uniform(rpo, N_SAMPLES, 0, DAY, "daily RPO");
    free(rpo);
    free_rule(&rule);
}

/* With start window W and duration D (all jobs succeed), the RPO lies in
 * [min D, P + W + max D) and its mean is P/2 + E[D] + W^2 / (12 P). */
static void test_start_window_and_duration_shift_the_rpo_by_their_means(void **state)
{
    (void)state;
    backup_rule rule = make_rule("DailyBackupRule", "cron(0 5 ? * * *)", 60 * MINUTE,
                                 120 * MINUTE, "uniform(min=10m, max=50m)");
    double *rpo = malloc(N_SAMPLES * sizeof *rpo);
    assert_non_null(rpo);
    sample_rpo(&rule, SOURCE_REGION, rpo, N_SAMPLES);

    double lo = 10 * MINUTE, hi = DAY + 60 * MINUTE + 50 * MINUTE;
    double min = gsl_stats_min(rpo, 1, N_SAMPLES), max = gsl_stats_max(rpo, 1, N_SAMPLES);
    CHECK(min >= lo, "RPO minimum %.1f s is below the shortest job, %.1f s", min, lo);
    CHECK(max < hi, "RPO maximum %.1f s is not below %.1f s", max, hi);
    CHECK(max > DAY, "RPO maximum %.1f s never exceeds 24 h, though jobs start late", max);

    double expected = DAY / 2 + 30 * MINUTE + (HOUR * HOUR) / (12 * DAY);
    double mean = gsl_stats_mean(rpo, 1, N_SAMPLES);
    double se = gsl_stats_sd(rpo, 1, N_SAMPLES) / sqrt(N_SAMPLES);
    CHECK(fabs(mean - expected) <= 4 * se, "mean RPO %.1f s, expected %.1f s within %.1f s",
          mean, expected, 4 * se);
    free(rpo);
    free_rule(&rule);
}

static void test_copy_region_rpo_is_uniform_on_2h_to_26h_with_a_2h_copy(void **state)
{
    (void)state;
    backup_rule rule = instant_daily_rule();
    add_copy(&rule, "const(2h)", 0);
    double *rpo = malloc(N_SAMPLES * sizeof *rpo);
    assert_non_null(rpo);

    sample_rpo(&rule, COPY_REGION, rpo, N_SAMPLES);
    check_uniform(rpo, N_SAMPLES, 2 * HOUR, DAY + 2 * HOUR, "copy-region RPO");

    sample_rpo(&rule, SOURCE_REGION, rpo, N_SAMPLES);
    check_uniform(rpo, N_SAMPLES, 0, DAY, "source-region RPO with a copy action");
    free(rpo);
    free_rule(&rule);
}

static void test_weekly_rule_gives_rpo_uniform_on_0_to_7d_from_sunday_snapshots(void **state)
{
    (void)state;
    backup_rule rule = make_rule("WeeklyBackupRule", "cron(0 5 ? * SUN *)", 0, 240 * MINUTE,
                                 "const(0)");
    double *rpo = malloc(N_SAMPLES * sizeof *rpo);
    assert_non_null(rpo);
    sample_rpo(&rule, SOURCE_REGION, rpo, N_SAMPLES);
    check_uniform(rpo, N_SAMPLES, 0, WEEK, "weekly RPO");

    gsl_rng *r = new_stream();
    for (int day = 10; day < 40; day++) {
        double t_s = day * DAY + 12 * HOUR;
        backup_point p = backup_newest_point(&rule, r, test_seed, 0, SOURCE_REGION, t_s, t_s,
                                             MAX_JOBS);
        int snapshot_day = (int)floor(p.snapshot_s / DAY);
        /* Day 0 is a Thursday, so day d is a Sunday when (d + 4) % 7 == 0. */
        assert_int_equal((snapshot_day + 4) % 7, 0);
        assert_near(p.snapshot_s - snapshot_day * DAY, 5 * HOUR, 0);
    }
    gsl_rng_free(r);
    free(rpo);
    free_rule(&rule);
}

/* ---- which job ----------------------------------------------------------- */

static void test_a_job_not_complete_at_t_gives_way_to_the_previous_one(void **state)
{
    (void)state;
    backup_rule rule = make_rule("hourlong", "cron(0 5 ? * * *)", 0, 120 * MINUTE, "const(1h)");
    gsl_rng *r = new_stream();
    double today_s = 30 * DAY + 5 * HOUR;

    backup_point running = backup_newest_point(&rule, r, test_seed, 0, SOURCE_REGION,
                                               today_s + 30 * MINUTE, INFINITY, MAX_JOBS);
    assert_near(running.snapshot_s, today_s - DAY, 0);
    assert_near(running.available_s, today_s - DAY + HOUR, 0);

    backup_point done = backup_newest_point(&rule, r, test_seed, 0, SOURCE_REGION,
                                            today_s + HOUR, INFINITY, MAX_JOBS);
    assert_near(done.snapshot_s, today_s, 0);
    assert_near(done.available_s, today_s + HOUR, 0);
    assert_false(done.cold);
    gsl_rng_free(r);
    free_rule(&rule);
}

static void test_a_job_longer_than_the_completion_window_leaves_no_point(void **state)
{
    (void)state;
    backup_rule rule = make_rule("flaky", "cron(0 5 ? * * *)", 0, 2 * HOUR,
                                 "uniform(min=1h, max=3h)");
    gsl_rng *r = new_stream();
    int failed = 0, succeeded = 0;
    double newest_good_s = -INFINITY;
    for (int day = 0; day < 200; day++) {
        double fire_s = day * DAY + 5 * HOUR, start_delay_s, duration_s, copy_time_s;
        job_draws(&rule, 0, fire_s, &start_delay_s, &duration_s, &copy_time_s);
        double t_s = day * DAY + 12 * HOUR;
        backup_point p = backup_newest_point(&rule, r, test_seed, 0, SOURCE_REGION, t_s, t_s,
                                             MAX_JOBS);
        if (duration_s > rule.completion_window_s) {
            failed++;
            if (isfinite(newest_good_s))
                CHECK(p.snapshot_s == newest_good_s,
                      "day %d: job of %.0f s failed; expected the point of %.0f s, got %.0f s",
                      day, duration_s, newest_good_s, p.snapshot_s);
        } else {
            succeeded++;
            newest_good_s = fire_s;
            CHECK(p.snapshot_s == fire_s, "day %d: job of %.0f s succeeded but snapshot %.0f s",
                  day, duration_s, p.snapshot_s);
        }
    }
    /* P(duration > 2 h) = 1/2: both branches must have been exercised. */
    CHECK(failed >= 50 && succeeded >= 50, "%d failed and %d succeeded of 200 days", failed,
          succeeded);
    gsl_rng_free(r);
    free_rule(&rule);
}

static void test_a_job_as_long_as_the_window_succeeds_and_one_second_more_fails(void **state)
{
    (void)state;
    gsl_rng *r = new_stream();
    double t_s = 100 * DAY + 12 * HOUR;

    backup_rule exact = make_rule("exact", "cron(0 5 ? * * *)", 0, 2 * HOUR, "const(2h)");
    backup_point p = backup_newest_point(&exact, r, test_seed, 0, SOURCE_REGION, t_s, t_s,
                                         MAX_JOBS);
    assert_near(p.snapshot_s, 100 * DAY + 5 * HOUR, 0);

    backup_rule over = make_rule("over", "cron(0 5 ? * * *)", 0, 2 * HOUR, "const(7201s)");
    p = backup_newest_point(&over, r, test_seed, 0, SOURCE_REGION, t_s, t_s, MAX_JOBS);
    assert_true(p.snapshot_s == -INFINITY);

    gsl_rng_free(r);
    free_rule(&exact);
    free_rule(&over);
}

static void test_two_jobs_suffice_when_no_job_can_fail(void **state)
{
    (void)state;
    backup_rule rule = make_rule("DailyBackupRule", "cron(0 5 ? * * *)", 60 * MINUTE,
                                 120 * MINUTE, "uniform(min=10m, max=50m)");
    gsl_rng *times = new_stream();
    rng_stream_set(times, test_seed, 0, rng_name_hash("restore instants"), RNG_PURPOSE_MODEL);
    gsl_rng *r = new_stream();
    for (int i = 0; i < 2000; i++) {
        double t_s = WEEK + YEAR * gsl_rng_uniform(times);
        backup_point two = backup_newest_point(&rule, r, test_seed, (uint64_t)i, SOURCE_REGION,
                                               t_s, t_s, 2);
        backup_point many = backup_newest_point(&rule, r, test_seed, (uint64_t)i,
                                                SOURCE_REGION, t_s, t_s, MAX_JOBS);
        CHECK(two.snapshot_s == many.snapshot_s,
              "t = %.0f s, trial %d: 2 jobs give %.0f s, %d give %.0f s", t_s, i,
              two.snapshot_s, MAX_JOBS, many.snapshot_s);
    }
    gsl_rng_free(times);
    gsl_rng_free(r);
    free_rule(&rule);
}

static void test_backup_history_extends_before_time_zero(void **state)
{
    (void)state;
    backup_rule rule = instant_daily_rule();
    gsl_rng *r = new_stream();
    backup_point p = backup_newest_point(&rule, r, test_seed, 0, SOURCE_REGION, HOUR, HOUR,
                                         MAX_JOBS);
    assert_near(p.snapshot_s, 5 * HOUR - DAY, 0);
    gsl_rng_free(r);
    free_rule(&rule);
}

static void test_no_point_in_a_region_without_a_vault_or_with_no_jobs_allowed(void **state)
{
    (void)state;
    backup_rule rule = instant_daily_rule();
    gsl_rng *r = new_stream();
    double t_s = 50 * DAY;
    backup_point p = backup_newest_point(&rule, r, test_seed, 0, COPY_REGION, t_s, t_s,
                                         MAX_JOBS);
    assert_true(p.snapshot_s == -INFINITY);
    add_copy(&rule, "const(2h)", 0);
    p = backup_newest_point(&rule, r, test_seed, 0, OTHER_REGION, t_s, t_s, MAX_JOBS);
    assert_true(p.snapshot_s == -INFINITY);
    p = backup_newest_point(&rule, r, test_seed, 0, SOURCE_REGION, t_s, t_s, 0);
    assert_true(p.snapshot_s == -INFINITY);
    gsl_rng_free(r);
    free_rule(&rule);
}

/* Hourly jobs with a 3 h start window overlap, a third of them fail, and
 * both vaults delete and cool their points: the walk back must still find
 * exactly what a scan of every job finds. */
static void test_newest_point_matches_a_scan_of_every_job(void **state)
{
    (void)state;
    backup_rule rule = make_rule("hourly", "cron(0 * ? * * *)", 3 * HOUR, 2 * HOUR,
                                 "uniform(min=0, max=3h)");
    rule.lifecycle.delete_after_s = 2 * DAY;
    rule.lifecycle.cold_after_s = 1 * DAY;
    add_copy(&rule, "uniform(min=0, max=2h)", 3 * DAY);
    rule.copy_lifecycle.cold_after_s = 12 * HOUR;

    gsl_rng *queries = new_stream();
    rng_stream_set(queries, test_seed, 0, rng_name_hash("queries"), RNG_PURPOSE_MODEL);
    gsl_rng *r = new_stream();
    int found = 0, none = 0;
    for (int i = 0; i < 300; i++) {
        double t_s = 10 * DAY + 30 * DAY * gsl_rng_uniform(queries);
        double not_after_s = i % 3 == 0 ? t_s : t_s - 4 * DAY * gsl_rng_uniform(queries);
        int region = i % 2 == 0 ? SOURCE_REGION : COPY_REGION;
        uint64_t trial = (uint64_t)i % 7;
        backup_point got = backup_newest_point(&rule, r, test_seed, trial, region, t_s,
                                               not_after_s, MAX_JOBS);
        backup_point want = newest_point_by_scan(&rule, trial, region, t_s, not_after_s, 5);
        CHECK(got.snapshot_s == want.snapshot_s && (!isfinite(want.snapshot_s) ||
                                                    (got.available_s == want.available_s &&
                                                     got.cold == want.cold)),
              "query %d (t %.0f s, not after %.0f s, region %d, trial %" PRIu64 "): "
              "snapshot %.0f s available %.0f s cold %d; the scan says %.0f s, %.0f s, %d",
              i, t_s, not_after_s, region, trial, got.snapshot_s, got.available_s, got.cold,
              want.snapshot_s, want.available_s, want.cold);
        if (isfinite(want.snapshot_s))
            found++;
        else
            none++;
    }
    CHECK(found >= 100 && none >= 30, "%d queries found a point and %d none", found, none);
    gsl_rng_free(queries);
    gsl_rng_free(r);
    free_rule(&rule);
}

/* ---- lifecycle ------------------------------------------------------------ */

/* The seed's DailyBackupRule: start window 60 min, completion window 120 min,
 * delete after 30 d, cold after 7 d; copy kept 90 d.  Duration and copy time
 * are this test's choice. */
static backup_rule seed_daily_rule(void)
{
    backup_rule rule = make_rule("DailyBackupRule", "cron(0 5 ? * * *)", 60 * MINUTE,
                                 120 * MINUTE, "uniform(min=10m, max=50m)");
    rule.lifecycle.delete_after_s = 30 * DAY;
    rule.lifecycle.cold_after_s = 7 * DAY;
    add_copy(&rule, "const(2h)", 90 * DAY);
    return rule;
}

static void test_corruption_older_than_retention_leaves_no_point(void **state)
{
    (void)state;
    backup_rule rule = seed_daily_rule();
    gsl_rng *r = new_stream();
    double t_s = 200 * DAY + 12 * HOUR;

    backup_point source = backup_newest_point(&rule, r, test_seed, 0, SOURCE_REGION, t_s,
                                              t_s - 40 * DAY, MAX_JOBS);
    assert_true(source.snapshot_s == -INFINITY);

    /* The copy vault keeps points 90 days: the restore there still works. */
    backup_point copy = backup_newest_point(&rule, r, test_seed, 0, COPY_REGION, t_s,
                                            t_s - 40 * DAY, MAX_JOBS);
    assert_true(copy.snapshot_s <= t_s - 40 * DAY);
    assert_true(copy.snapshot_s > t_s - 40 * DAY - DAY - HOUR);
    assert_false(copy.cold);

    backup_point old = backup_newest_point(&rule, r, test_seed, 0, COPY_REGION, t_s,
                                           t_s - 100 * DAY, MAX_JOBS);
    assert_true(old.snapshot_s == -INFINITY);
    gsl_rng_free(r);
    free_rule(&rule);
}

static void test_points_turn_cold_after_cold_after_and_vanish_after_delete_after(void **state)
{
    (void)state;
    backup_rule rule = seed_daily_rule();
    gsl_rng *r = new_stream();
    double t_s = 200 * DAY + 12 * HOUR;

    backup_point fresh = backup_newest_point(&rule, r, test_seed, 0, SOURCE_REGION, t_s, t_s,
                                             MAX_JOBS);
    assert_true(isfinite(fresh.snapshot_s));
    assert_false(fresh.cold);
    backup_point old = backup_newest_point(&rule, r, test_seed, 0, SOURCE_REGION, t_s,
                                           t_s - 20 * DAY, MAX_JOBS);
    assert_true(isfinite(old.snapshot_s));
    assert_true(old.cold);

    /* The same point, asked about at the edges of its lifecycle. */
    double s = fresh.snapshot_s;
    backup_point p = backup_newest_point(&rule, r, test_seed, 0, SOURCE_REGION,
                                         s + 7 * DAY - 1, s, MAX_JOBS);
    assert_near(p.snapshot_s, s, 0);
    assert_false(p.cold);
    p = backup_newest_point(&rule, r, test_seed, 0, SOURCE_REGION, s + 7 * DAY, s, MAX_JOBS);
    assert_near(p.snapshot_s, s, 0);
    assert_true(p.cold);
    p = backup_newest_point(&rule, r, test_seed, 0, SOURCE_REGION, s + 30 * DAY - 1, s,
                            MAX_JOBS);
    assert_near(p.snapshot_s, s, 0);
    p = backup_newest_point(&rule, r, test_seed, 0, SOURCE_REGION, s + 30 * DAY, s, MAX_JOBS);
    assert_true(p.snapshot_s == -INFINITY);
    gsl_rng_free(r);
    free_rule(&rule);
}

/* A copy action into another vault of the same region (another account,
 * say): the warm copy serves once the source point is cold, and the copy
 * outlives the source's retention. */
static void test_a_same_region_copy_serves_once_the_source_point_is_cold_or_gone(void **state)
{
    (void)state;
    backup_rule rule = seed_daily_rule();
    rule.copy_region = SOURCE_REGION;
    gsl_rng *r = new_stream();
    double t_s = 200 * DAY + 12 * HOUR;

    backup_point fresh = backup_newest_point(&rule, r, test_seed, 0, SOURCE_REGION, t_s, t_s,
                                             MAX_JOBS);
    assert_false(fresh.cold);
    assert_true(fresh.available_s < fresh.snapshot_s + HOUR); /* the source point, not the copy */

    backup_point cool = backup_newest_point(&rule, r, test_seed, 0, SOURCE_REGION, t_s,
                                            t_s - 20 * DAY, MAX_JOBS);
    assert_true(isfinite(cool.snapshot_s));
    assert_false(cool.cold);
    assert_true(cool.available_s >= cool.snapshot_s + 2 * HOUR); /* the copy */

    backup_point gone = backup_newest_point(&rule, r, test_seed, 0, SOURCE_REGION, t_s,
                                            t_s - 40 * DAY, MAX_JOBS);
    assert_true(gone.snapshot_s <= t_s - 40 * DAY && gone.snapshot_s > t_s - 41 * DAY - HOUR);
    gsl_rng_free(r);
    free_rule(&rule);
}

/* ---- determinism ----------------------------------------------------------- */

static void test_same_seed_and_trial_give_the_same_point_whatever_was_asked_before(void **state)
{
    (void)state;
    backup_rule rule = seed_daily_rule();
    gsl_rng *r1 = new_stream(), *r2 = new_stream();
    for (int i = 0; i < 50; i++) {
        double t_s = 20 * DAY + i * 7.3 * HOUR;
        /* r2 answers an unrelated question first. */
        (void)backup_newest_point(&rule, r2, test_seed, 99, COPY_REGION, t_s + DAY, t_s,
                                  MAX_JOBS);
        backup_point a = backup_newest_point(&rule, r1, test_seed, 4, SOURCE_REGION, t_s, t_s,
                                             MAX_JOBS);
        backup_point b = backup_newest_point(&rule, r2, test_seed, 4, SOURCE_REGION, t_s, t_s,
                                             MAX_JOBS);
        assert_true(a.snapshot_s == b.snapshot_s);
        assert_true(a.available_s == b.available_s);
        assert_true(a.cold == b.cold);
    }
    gsl_rng_free(r1);
    gsl_rng_free(r2);
    free_rule(&rule);
}

static void test_a_job_has_the_same_snapshot_however_it_is_reached(void **state)
{
    (void)state;
    backup_rule rule = seed_daily_rule();
    gsl_rng *r = new_stream();
    for (int day = 10; day < 40; day++) {
        double t_s = day * DAY + 12 * HOUR;
        backup_point newest = backup_newest_point(&rule, r, test_seed, 3, SOURCE_REGION, t_s,
                                                  t_s, MAX_JOBS);
        backup_point later = backup_newest_point(&rule, r, test_seed, 3, SOURCE_REGION,
                                                 t_s + 5 * DAY, newest.snapshot_s, MAX_JOBS);
        assert_true(newest.snapshot_s == later.snapshot_s);
        assert_true(newest.available_s == later.available_s);
    }
    gsl_rng_free(r);
    free_rule(&rule);
}

static void test_different_trials_draw_different_start_delays(void **state)
{
    (void)state;
    backup_rule rule = seed_daily_rule();
    gsl_rng *r = new_stream();
    double t_s = 60 * DAY + 12 * HOUR;
    enum { TRIALS = 10 };
    double snapshot_s[TRIALS];
    for (int trial = 0; trial < TRIALS; trial++) {
        backup_point p = backup_newest_point(&rule, r, test_seed, (uint64_t)trial,
                                             SOURCE_REGION, t_s, t_s, MAX_JOBS);
        snapshot_s[trial] = p.snapshot_s;
        CHECK(p.snapshot_s >= 60 * DAY + 5 * HOUR && p.snapshot_s <= 60 * DAY + 6 * HOUR,
              "trial %d: snapshot %.1f s outside today's start window", trial, p.snapshot_s);
        for (int other = 0; other < trial; other++)
            CHECK(snapshot_s[other] != p.snapshot_s, "trials %d and %d share a start delay",
                  other, trial);
    }
    /* Another seed, same trial: another delay too. */
    backup_point p0 = backup_newest_point(&rule, r, test_seed + 1, 0, SOURCE_REGION, t_s, t_s,
                                          MAX_JOBS);
    assert_true(p0.snapshot_s != snapshot_s[0]);
    gsl_rng_free(r);
    free_rule(&rule);
}

/* ---- restore time ---------------------------------------------------------- */

static void test_restore_time_is_overhead_plus_size_over_throughput_plus_cold_extra(void **state)
{
    (void)state;
    /* 500 GB at 0.25 GB/s = 2000 s, plus 10 min overhead. */
    assert_near(backup_restore_time(500, 0.25, 600, 3 * HOUR, false), 2600, 1e-9);
    assert_near(backup_restore_time(500, 0.25, 600, 3 * HOUR, true), 2600 + 3 * HOUR, 1e-9);
    assert_near(backup_restore_time(0, 1, 600, 3 * HOUR, false), 600, 0);
    assert_near(backup_restore_time(1, 1, 0, 0, true), 1, 0);
}

int main(int argc, char **argv)
{
    seeded_options(argc, argv, &test_seed);

    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_daily_rule_with_instant_jobs_gives_rpo_uniform_on_0_to_24h),
        cmocka_unit_test(test_start_window_and_duration_shift_the_rpo_by_their_means),
        cmocka_unit_test(test_copy_region_rpo_is_uniform_on_2h_to_26h_with_a_2h_copy),
        cmocka_unit_test(test_weekly_rule_gives_rpo_uniform_on_0_to_7d_from_sunday_snapshots),
        cmocka_unit_test(test_a_job_not_complete_at_t_gives_way_to_the_previous_one),
        cmocka_unit_test(test_a_job_longer_than_the_completion_window_leaves_no_point),
        cmocka_unit_test(test_a_job_as_long_as_the_window_succeeds_and_one_second_more_fails),
        cmocka_unit_test(test_two_jobs_suffice_when_no_job_can_fail),
        cmocka_unit_test(test_newest_point_matches_a_scan_of_every_job),
        cmocka_unit_test(test_backup_history_extends_before_time_zero),
        cmocka_unit_test(test_no_point_in_a_region_without_a_vault_or_with_no_jobs_allowed),
        cmocka_unit_test(test_corruption_older_than_retention_leaves_no_point),
        cmocka_unit_test(test_points_turn_cold_after_cold_after_and_vanish_after_delete_after),
        cmocka_unit_test(test_a_same_region_copy_serves_once_the_source_point_is_cold_or_gone),
        cmocka_unit_test(test_same_seed_and_trial_give_the_same_point_whatever_was_asked_before),
        cmocka_unit_test(test_a_job_has_the_same_snapshot_however_it_is_reached),
        cmocka_unit_test(test_different_trials_draw_different_start_delays),
        cmocka_unit_test(test_restore_time_is_overhead_plus_size_over_throughput_plus_cold_extra),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
