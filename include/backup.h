/*
 * backup — AWS Backup plans as the seed chapter writes them, reduced to
 * the one question a disaster asks: what is the newest recovery point a
 * restore can use, and how long does the restore take?
 *
 * A rule fires on its schedule (cron.h: `cron(0 5 ? * * *)` daily at 05:00
 * UTC).  Backup job k starts start_delay_k after its scheduled time, with
 * start_delay_k uniform on [0, start_window] (StartWindowMinutes), and runs
 * for duration_k (a distribution).  A job that would not finish within the
 * completion window (CompletionWindowMinutes) is cut off and leaves no
 * recovery point.  The snapshot captures the data as of its start time.
 * Recovery points move to cold storage after cold_after (Lifecycle.
 * MoveToColdStorageAfterDays, 0 = never) and are deleted after
 * delete_after (DeleteAfterDays, 0 = kept forever).  A copy action puts a
 * copy in another region's vault copy_time_k after the job completes, with
 * its own lifecycle (CopyActions[].Lifecycle).
 *
 * Randomness: the start delay, duration and copy time of job k come from the
 * stream (seed, trial, rule name, RNG_PURPOSE_BACKUP_JOB + k mod 2^24), so
 * the answer for any k is O(1) and the same however it is reached.
 *
 * RPO: a restore at time t that needs data from before `not_after_s` (t
 * for a region outage; the corruption instant for logical corruption) uses
 * the newest recovery point with snapshot time <= not_after_s that is
 * complete, present in the restoring region at t and not yet deleted.  For
 * a daily rule with no start window and no copy this makes the RPO uniform
 * on [0, 24 h] (tests/test_backup.c).
 *
 * Restore time: restore_overhead + size / restore_throughput, plus
 * cold_restore_extra when the point is in cold storage.
 *
 * Pure given the stream: no I/O, no allocation after backup_rule_init.
 */
#ifndef DRSIM_BACKUP_H
#define DRSIM_BACKUP_H

#include <stdbool.h>
#include <stdint.h>
#include <gsl/gsl_rng.h>

#include "cron.h"
#include "dist.h"

#define RNG_PURPOSE_BACKUP_JOB 0x100000u

typedef struct backup_lifecycle {
    double cold_after_s;   /* 0: never moves to cold storage */
    double delete_after_s; /* 0: never deleted */
} backup_lifecycle;

typedef struct backup_rule {
    char *name;
    uint64_t name_hash;          /* rng_name_hash(name) */
    cron_schedule schedule;
    double start_window_s;       /* >= 0 */
    double completion_window_s;  /* > 0; jobs longer than this fail */
    dist duration;               /* job duration */
    backup_lifecycle lifecycle;  /* in the source region's vault */
    int region;                  /* the source region (scenario domain index) */
    bool has_copy;
    int copy_region;             /* destination region */
    dist copy_time;              /* from job completion to the copy being usable */
    backup_lifecycle copy_lifecycle;
} backup_rule;

typedef struct backup_point {
    double snapshot_s;   /* the data's time; -INFINITY when there is none */
    double available_s;  /* when it became usable in that region */
    bool cold;           /* in cold storage at the time asked */
} backup_point;

/* The newest recovery point usable in `region` at time t_s whose snapshot
 * is <= not_after_s.  `r` is a stream the function repositions freely.
 * Looks back at most max_jobs scheduled jobs (a year of dailies is plenty
 * for any retention drsim accepts). */
backup_point backup_newest_point(const backup_rule *rule, gsl_rng *r, uint64_t seed,
                                 uint64_t trial, int region, double t_s, double not_after_s,
                                 int max_jobs);

/* Restore duration for size_gb at throughput_gb_per_s, with a fixed overhead
 * and an extra delay for cold storage. */
double backup_restore_time(double size_gb, double throughput_gb_per_s, double overhead_s,
                           double cold_extra_s, bool cold);

#endif
