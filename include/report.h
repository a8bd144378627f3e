/*
 * report — from trial records to the numbers a user reads (SPEC §3, §4).
 *
 * Metrics and their estimators (docs/metrics.md explains each):
 *   availability        fraction  mean over trials of uptime/horizon; t-interval
 *                                 across trials; percentiles of per-trial values
 *   downtime_per_year   s         mean over trials of downtime per trial-year
 *   incidents_per_year  1/y       mean over trials of incidents per trial-year
 *   mttr                s         Σ incident time / Σ incidents, delta-method
 *                                 interval with the trial as cluster;
 *                                 percentiles of the per-incident durations
 *   sla_attainment      fraction  (with an availability target) share of
 *                                 year-long periods meeting the target
 *   availability_requests fraction (DR models) ∫ served fraction / horizon
 *   rto                 s         (disasters) start to full service, per
 *                                 disaster that hit the running service;
 *                                 ratio estimator like mttr
 *   rpo                 s         (data models) data lost per such disaster
 *   rto_attainment, rpo_attainment  fraction  (targets) share of those
 *                                 disasters within the target
 *   service_credit      fraction  (service_level.sla) mean credit per
 *                                 billing month, from the SLA's tiers
 *   cost_per_year       USD       (prices) the standing resources' cost
 *
 * Output files are written to temporaries and renamed only when all three
 * are complete (outfile.h): a failed run leaves nothing half-written.
 *
 * Ownership: a run_summary owns nothing; report functions borrow their inputs.
 */
#ifndef DRSIM_REPORT_H
#define DRSIM_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "runner.h"
#include "scenario.h"
#include "stats.h"

#define REPORT_MAX_METRICS 16

typedef struct report_metric {
    const char *name;   /* as in summary.csv */
    const char *unit;   /* fraction, s, 1/y */
    stats_estimate estimate;
} report_metric;

typedef struct run_summary {
    report_metric metrics[REPORT_MAX_METRICS];
    size_t n_metrics;
    uint64_t trials;
    uint64_t incidents;       /* over all trials */
    uint64_t censored;        /* incidents cut off by the horizon */
    uint64_t disasters;       /* that hit the running service, over all trials */
    uint64_t events;          /* kernel events over all trials */
    double horizon_s;
} run_summary;

/* Computes the metrics.  0 on success, -1 when out of memory. */
int report_summarize(const scenario *sc, const run_results *results, double horizon_s,
                     run_summary *out);

/* The metric of that name, or NULL. */
const report_metric *report_find(const run_summary *summary, const char *name);

/* The human summary table, with the run's settings in its heading and a
 * line per stated target. */
void report_print(FILE *out, const scenario *sc, const run_config *cfg,
                  const run_summary *summary, double wall_s);

/* true when every target the run can measure is met by its point estimate
 * (`drsim check` is the command that decides with confidence). */
bool report_targets_met(const scenario *sc, const run_summary *summary);

/* summary.csv, trials.csv, incidents.csv and disasters.csv in dir (created if needed).
 * 0 on success; -1 with a message in err and no file replaced. */
int report_write_csv(const char *dir, const scenario *sc, const run_results *results,
                     const run_summary *summary, char *err, size_t err_size);

/* downtime.png (histogram of downtime per trial-year) and timeline.png
 * (the incidents of the first trial that has any) in dir.  0 on success; -1 with a message. */
int report_write_plots(const char *dir, const scenario *sc, const run_results *results,
                       double horizon_s, char *err, size_t err_size);

#endif
