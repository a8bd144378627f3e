/*
 * demand — requests per second as a function of simulated time (issue 5).
 *
 * Time.  t is simulated seconds from 2026-01-01T00:00:00Z, a Thursday (the
 * epoch cron.h uses, CRON_EPOCH_UNIX).  Days are UTC days of 86400 s; a
 * year is 365 days (DURATION_YEAR_S), as in durations.  t may be negative.
 *
 * Shapes (D(t) is the demand in requests per second):
 *
 *   constant   D(t) = rps
 *   daily      a cosine over 24 h between the peak, at peak_hour (UTC), and
 *              the trough peak / peak_to_trough, 12 h away:
 *                D(t) = peak - A (1 - cos(2 pi (t - peak_hour h) / 24 h)),
 *                A = (peak - trough) / 2
 *              so the mean over any whole day is (peak + trough) / 2.
 *   weekly     the daily shape times weekend_factor on Saturdays and
 *              Sundays (UTC; the factor steps at midnight), 1 on weekdays.
 *   trace      rows (t_i, rps_i) from a CSV file, joined by straight lines
 *              (linear interpolation).  Before the first row D holds the
 *              first value and after the last row the last value; with
 *              repeat, the trace repeats with period P = t_last - t_first in
 *              both directions instead, so the last row's time is the start
 *              of the next cycle and its value only ends the last segment
 *              (write hourly rows 00:00 .. 24:00 for a daily cycle, the
 *              24:00 row equal to the 00:00 one).
 *   growth     any shape may also grow: D(t) = shape(t) * (1 + g)^(t / 1y),
 *              g the compound annual growth rate (-100% < g <= 1000%), so the
 *              shape is the demand of 2026-01-01 and a year later it is
 *              (1 + g) times as much (a trace's rows too are read as
 *              2026-01-01 levels).
 *
 * Scenario syntax (the value of the `demand` key; errors name its path):
 *
 *   demand: 1200                                  constant; the same as
 *   demand: {requests_per_second: 1200}           (a whole number 0..1e12)
 *   demand: {pattern: daily, peak: 3000, peak_to_trough: 4, peak_hour: 14, growth: 20%}
 *   demand: {pattern: weekly, peak: 3000, peak_to_trough: 4, weekend_factor: 0.6}
 *   demand: {trace: traces/black-friday.csv, repeat: false, growth: 5%}
 *
 * Exactly one of requests_per_second, pattern and trace.  peak (rps, more
 * than 0 and at most 1e12) and peak_to_trough (1 or more) are required with
 * a pattern; peak_hour (0 <= h < 24, default 14) is optional; weekend_factor
 * (0 to 1000) is required with weekly and allowed only there; repeat (true
 * or false, default false) only with trace; growth (a percentage or a
 * fraction, default 0) with every shape.
 *
 * Trace files.  A trace path is relative to the directory of the scenario
 * file that names it (ydoc_directory_of).  The file is CSV (RFC 4180, read
 * with libcsv; a UTF-8 byte-order mark and CRLF are accepted) with exactly
 * the header `timestamp,requests_per_second` and at least one row.  A
 * timestamp is either ISO-8601 UTC, `2026-11-27T18:30:00Z` (fractional
 * seconds allowed; it may fall before 2026, giving a negative t), or the
 * time since the start, t itself, as a number of seconds or a duration
 * (`3600`, `1h`, `2.5d`).  Timestamps must be strictly increasing;
 * requests_per_second is a number from 0 to 1e12.  At most
 * DEMAND_TRACE_MAX_ROWS rows.  A problem inside the file is reported at
 * FILE:LINE:COL of the CSV file itself, where LINE is the physical line
 * (the CSV row counting the header as 1 when no quoted field spans lines)
 * and COL the field (1 = timestamp, 2 = requests_per_second); a file that
 * is missing, unreadable, empty or has no rows is reported at the YAML node
 * or at the file without a position.  Every problem in the file is
 * reported, up to diag's limit, except that reading stops at malformed CSV
 * and at the row limit.
 *
 * Queries.  All are pure, take any finite t and are safe to call from many
 * threads on one profile.  demand_at is O(1) for the analytic shapes and
 * O(log n) for a trace (O(1) amortised with demand_at_cursor when t moves
 * forward a little at a time).  demand_integral and demand_mean are exact,
 * and O(1) (O(log n) for a trace): a trace is integrated segment by segment
 * as the straight lines it is (the trapezoid rule), times the growth
 * factor, integrated exactly.  demand_peak is the least upper bound of D
 * over [from, to] (at a weekend's edge D may approach a value it never
 * takes); it is exact for every shape, and costs O(1) for the analytic
 * shapes and O(rows in the interval, or in one period) for a trace.
 *
 * Ownership: a demand_profile owns its trace; demand_free releases it and
 * leaves a zeroed profile, which is a valid constant 0.
 */
#ifndef DRSIM_DEMAND_H
#define DRSIM_DEMAND_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "ytree.h"

#define DEMAND_TRACE_MAX_ROWS 10000000   /* 10 million rows: 160 MB of rows, 80 MB of areas */
#define DEMAND_MAX_RPS 1e12
#define DEMAND_DEFAULT_PEAK_HOUR 14.0    /* assumption: early afternoon UTC */

typedef enum demand_kind {
    DEMAND_CONSTANT = 0,
    DEMAND_DAILY,
    DEMAND_WEEKLY,
    DEMAND_TRACE
} demand_kind;

typedef struct demand_trace {
    char *file;          /* the path as opened (scenario directory + value) */
    size_t n;            /* rows, >= 1 once loaded */
    double *t_s;         /* row times, strictly increasing */
    double *rps;         /* row values, >= 0 */
    double *area;        /* area[i]: integral from t_s[0] to t_s[i] of the trace
                          * times exp(lambda (s - t_s[0])); area[0] = 0 */
    bool repeat;
    double period_s;     /* t_s[n-1] - t_s[0] */
} demand_trace;

typedef struct demand_profile {
    demand_kind kind;
    double rps;              /* CONSTANT */
    double peak_rps;         /* DAILY, WEEKLY: the weekday peak */
    double peak_to_trough;   /* >= 1 */
    double peak_hour;        /* UTC, [0, 24) */
    double weekend_factor;   /* WEEKLY */
    double growth;           /* compound annual rate, 0.2 for 20% a year */
    /* derived by the parser (demand_prepare): */
    double amplitude_rps;    /* (peak - trough) / 2 */
    double peak_offset_s;    /* peak_hour in seconds */
    double lambda;           /* ln(1 + growth) / 1y, per second */
    double critical_s[2];    /* DAILY, WEEKLY: where the daily shape times growth is
                              * flat, as offsets in [0, 1 d) from midnight */
    int n_critical;          /* 0 or 2 */
    demand_trace trace;      /* TRACE */
} demand_profile;

/* Parses the value of a `demand` key (node, at key path `path`) into *out,
 * loading a trace file.  On a problem records diagnostics through yerror (or
 * at the CSV file's own position) and returns false, leaving *out
 * untouched; keeps going to report every problem it can. */
bool demand_parse(yctx *c, const ynode *node, const ypath *path, demand_profile *out);

/* Reads a trace CSV at `path` into *out as a TRACE profile with the given
 * repeat and growth, refusing files of more than max_rows rows
 * (DEMAND_TRACE_MAX_ROWS normally).  Diagnostics name key_path (may be "").
 * A file that cannot be opened or read is reported without a position.
 * true on success; on false *out is untouched. */
bool demand_load_trace(const char *path, bool repeat, double growth, size_t max_rows,
                       const char *key_path, diag_list *diag, demand_profile *out);

/* Fills the derived fields from the parameters (and a trace's area table,
 * which it allocates); demand_parse calls it.  For profiles built by hand
 * (tests, later a planner).  false when out of memory (the profile is then
 * unchanged). */
bool demand_prepare(demand_profile *d);

/* Requests per second at t.  At a step (a weekend's midnight) the value
 * after the step. */
double demand_at(const demand_profile *d, double t_s);

/* The same, with a row index the caller keeps between calls (start it at
 * 0; one per thread); amortised O(1) for a trace when t moves forward. */
double demand_at_cursor(const demand_profile *d, double t_s, size_t *cursor);

/* Requests over [from_s, to_s] (the integral of D), exact; NaN when from > to. */
double demand_integral(const demand_profile *d, double from_s, double to_s);

/* The mean of D over [from_s, to_s]: demand_integral / (to - from), or
 * demand_at(from) when from == to.  NaN when from > to. */
double demand_mean(const demand_profile *d, double from_s, double to_s);

/* The least upper bound of D over [from_s, to_s]; demand_at(from) when
 * from == to; NaN when from > to. */
double demand_peak(const demand_profile *d, double from_s, double to_s);

/* For stepping demand as a piecewise constant: the first time after t at
 * which D reaches the edge of the band D(t) +- w, w = rel_tol * max(D(t),
 * 1 rps) (so below 1 rps the band is rel_tol rps wide), or INFINITY when D
 * never leaves the band.  Between t and the answer, D stays within the
 * band.  At a step it is the step's time; otherwise the crossing, found to
 * within 1 microsecond (always > t).  NaN when rel_tol is not > 0.  Cost:
 * the monotone pieces D passes through (a few per day, one per trace row)
 * until the crossing, and at most a few periods of the shape: after a whole
 * period inside the band it jumps to the period where growth takes D out
 * (growth alone, on a constant or a held trace end, is solved in closed
 * form). */
double demand_next_change(const demand_profile *d, double t_s, double rel_tol);

void demand_free(demand_profile *d);

#endif
