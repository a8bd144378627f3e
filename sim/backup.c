/*
 * backup — the newest usable recovery point of an AWS Backup rule, and the
 * time to restore it (see include/backup.h).
 *
 * No job is simulated ahead of time.  To answer "what can a restore at t use
 * if the data must be from no later than not_after?", walk back over the
 * rule's scheduled fire times with cron_previous(), newest first:
 *
 *     s_k  = a fire time <= min(t, not_after)     (nothing later can qualify:
 *                                                  snapshot >= s_k, complete >= s_k)
 *     job k's stream = (seed, trial, rule name, RNG_PURPOSE_BACKUP_JOB + k mod 2^24)
 *                      with k = the fire minute since t = 0, floor(s_k / 60)
 *     draws, in this order: start delay U(0, start_window)   one uniform, always
 *                           duration ~ rule->duration         (dist_sample)
 *                           copy time ~ rule->copy_time       only when asked about the
 *                                                             copy region
 *     snapshot  = s_k + start delay
 *     no point  when duration > completion_window (AWS cancels the job)
 *     complete  = snapshot + duration             usable in the source region
 *     copied    = complete + copy time            usable in the copy region
 *     deleted   at snapshot + delete_after, cold from snapshot + cold_after,
 *               each with the lifecycle of the vault the point is in
 *
 * Because a job's numbers come from its own stream, any job is O(1) to
 * evaluate and the answer does not depend on which t was asked before.
 *
 * The walk stops at the first of:
 *   - a point was found and the next older fire time s satisfies
 *     s + start_window <= that point's snapshot: no older job can have a newer
 *     snapshot (with start_window < the period this is right after the first hit);
 *   - every vault asked about deletes its points and s + start_window +
 *     delete_after <= t: every older point has been deleted by t;
 *   - max_jobs jobs have been evaluated, or the schedule has no earlier fire.
 * A job that is scheduled before t but not complete at t is skipped, so a
 * typical query evaluates one job, two when t falls inside a job's run (or
 * copy), and a few more after failed jobs.
 */
#include "backup.h"
#include "rng.h"

#include <assert.h>
#include <math.h>

#define JOB_INDEX_MASK 0xFFFFFFu /* k mod 2^24 */

static const backup_point NO_POINT = {-INFINITY, INFINITY, false};

/* The stream purpose of the job scheduled at fire time s_s. */
static uint32_t job_purpose(double s_s)
{
    int64_t minute = (int64_t)floor(s_s / 60.0);
    return RNG_PURPOSE_BACKUP_JOB + (uint32_t)((uint64_t)minute & JOB_INDEX_MASK);
}

static bool deleted_by(const backup_lifecycle *lc, double snapshot_s, double t_s)
{
    return lc->delete_after_s > 0 && snapshot_s + lc->delete_after_s <= t_s;
}

static bool cold_at(const backup_lifecycle *lc, double snapshot_s, double t_s)
{
    return lc->cold_after_s > 0 && snapshot_s + lc->cold_after_s <= t_s;
}

/* A point of one vault, if it is usable at t_s. */
static bool vault_point(const backup_lifecycle *lc, double snapshot_s, double available_s,
                        double t_s, backup_point *out)
{
    if (available_s > t_s || deleted_by(lc, snapshot_s, t_s))
        return false;
    out->snapshot_s = snapshot_s;
    out->available_s = available_s;
    out->cold = cold_at(lc, snapshot_s, t_s);
    return true;
}

/* Job scheduled at s_s as seen from `region` at t_s; false when it leaves
 * nothing usable there (failed, too late for not_after, not yet complete or
 * copied, deleted).  When both vaults are in `region` and hold the point,
 * the warm one is preferred, then the one available first. */
static bool job_point(const backup_rule *rule, gsl_rng *r, uint64_t seed, uint64_t trial,
                      bool in_source, bool in_copy, double s_s, double t_s,
                      double not_after_s, backup_point *out)
{
    rng_stream_set(r, seed, trial, rule->name_hash, job_purpose(s_s));
    double start_delay_s = rule->start_window_s * gsl_rng_uniform(r);
    double duration_s = dist_sample(&rule->duration, r);

    double snapshot_s = s_s + start_delay_s;
    if (snapshot_s > not_after_s || duration_s > rule->completion_window_s)
        return false;
    double complete_s = snapshot_s + duration_s;
    if (complete_s > t_s)
        return false;

    backup_point source, copy;
    bool have_source = in_source &&
                       vault_point(&rule->lifecycle, snapshot_s, complete_s, t_s, &source);
    bool have_copy = false;
    if (in_copy) {
        double copied_s = complete_s + dist_sample(&rule->copy_time, r);
        have_copy = vault_point(&rule->copy_lifecycle, snapshot_s, copied_s, t_s, &copy);
    }
    if (have_source && have_copy)
        *out = (source.cold && !copy.cold) ? copy : source;
    else if (have_source)
        *out = source;
    else if (have_copy)
        *out = copy;
    return have_source || have_copy;
}

backup_point backup_newest_point(const backup_rule *rule, gsl_rng *r, uint64_t seed,
                                 uint64_t trial, int region, double t_s, double not_after_s,
                                 int max_jobs)
{
    assert(rule != NULL && r != NULL);
    assert(!isnan(t_s) && !isnan(not_after_s));
    assert(rule->start_window_s >= 0 && rule->completion_window_s > 0);

    bool in_source = region == rule->region;
    bool in_copy = rule->has_copy && region == rule->copy_region;
    if (!in_source && !in_copy)
        return NO_POINT;

    /* The latest time any point in the asked vaults can survive to, counted
     * from its snapshot; INFINITY when one of them keeps points forever. */
    double keep_s = 0;
    if (in_source)
        keep_s = rule->lifecycle.delete_after_s > 0 ? rule->lifecycle.delete_after_s : INFINITY;
    if (in_copy) {
        double copy_keep_s = rule->copy_lifecycle.delete_after_s > 0
                                 ? rule->copy_lifecycle.delete_after_s
                                 : INFINITY;
        keep_s = fmax(keep_s, copy_keep_s);
    }

    backup_point best = NO_POINT;
    double s_s = cron_previous(&rule->schedule, fmin(t_s, not_after_s));
    for (int jobs = 0; jobs < max_jobs && isfinite(s_s); jobs++) {
        double latest_snapshot_s = s_s + rule->start_window_s;
        if (latest_snapshot_s <= best.snapshot_s)
            break;
        if (latest_snapshot_s + keep_s <= t_s)
            break;
        backup_point p;
        if (job_point(rule, r, seed, trial, in_source, in_copy, s_s, t_s, not_after_s, &p) &&
            p.snapshot_s > best.snapshot_s)
            best = p;
        /* Fire times are whole minutes: anything in (s - 60, s) finds the previous one. */
        s_s = cron_previous(&rule->schedule, s_s - 1.0);
    }
    return best;
}

double backup_restore_time(double size_gb, double throughput_gb_per_s, double overhead_s,
                           double cold_extra_s, bool cold)
{
    assert(size_gb >= 0 && throughput_gb_per_s > 0 && overhead_s >= 0 && cold_extra_s >= 0);
    return overhead_s + size_gb / throughput_gb_per_s + (cold ? cold_extra_s : 0.0);
}
