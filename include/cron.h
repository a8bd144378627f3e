/*
 * cron — AWS schedule expressions, as AWS Backup and EventBridge write them:
 *
 *     cron(Minutes Hours Day-of-month Month Day-of-week Year)
 *     cron(0 5 ? * * *)        every day at 05:00 UTC
 *     cron(0 5 ? * SUN *)      every Sunday at 05:00 UTC
 *     rate(12 hours)           every 12 hours from the epoch
 *
 * Fields: numbers, `*`, lists (1,15), ranges (MON-FRI), steps (0/15, 5-50/5),
 * `?` (any; used in day-of-month or day-of-week, exactly one of which must
 * be `?` as AWS requires), `L` (last day of the month, in day-of-month),
 * month names JAN-DEC and day names SUN-SAT (case-insensitive; 1 = SUN as
 * in AWS).  Year is `*` or years from 1970 to 2199.  `rate(N unit)` takes
 * minute(s), hour(s), day(s).
 *
 * Time.  Simulated time t (seconds) maps to the calendar by
 * CRON_EPOCH_UNIX: t = 0 is 2026-01-01T00:00:00Z, a Thursday.  All times
 * are UTC; there are no leap seconds.
 *
 * Pure functions: no I/O, no allocation; a cron_schedule is a value.
 */
#ifndef DRSIM_CRON_H
#define DRSIM_CRON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CRON_EPOCH_UNIX 1767225600LL /* 2026-01-01T00:00:00Z */

typedef struct cron_schedule {
    bool is_rate;
    double rate_s;              /* rate(...) period */
    uint64_t minutes;           /* bit m set: minute m matches (0..59) */
    uint32_t hours;             /* 0..23 */
    uint32_t days_of_month;     /* bit d: day d (1..31) */
    bool last_day_of_month;     /* L */
    bool any_day_of_month;      /* ? or * in day-of-month */
    uint16_t months;            /* bit m: month m (1..12) */
    uint8_t days_of_week;       /* bit w: weekday w (0 = Sunday .. 6) */
    bool any_day_of_week;
    bool any_year;
    uint16_t year_min, year_max; /* inclusive, when !any_year */
} cron_schedule;

/* Parses text into *out.  0 on success; -1 with a one-line message in err
 * that names the field ("day-of-week: unknown day 'SNU' (use SUN..SAT or
 * 1-7)", "exactly one of day-of-month and day-of-week must be '?'"). */
int cron_parse(const char *text, cron_schedule *out, char *err, size_t err_size);

/* The first fire time >= t_s, or INFINITY when there is none (a year range
 * that has passed). */
double cron_next(const cron_schedule *s, double t_s);

/* The last fire time <= t_s, or -INFINITY when there is none. */
double cron_previous(const cron_schedule *s, double t_s);

#endif
