/*
 * check — a statistical gate: does the scenario meet its targets?
 * (`drsim check`, issue 4; docs/ci.md is the user's account.)
 *
 * Targets and what is tested:
 *   availability A   the mean availability (SPEC §3) is at least A.  The
 *                    Student-t interval across trials that `drsim run`
 *                    reports, with Hall's (1992) skewness correction: when
 *                    downtime is rare, per-trial availability is very skewed
 *                    (mostly exactly 1) and the plain t interval's low end
 *                    is too high.
 *   rto D            the disasters that hit the running service recover within
 *                    D: at least CHECK_REQUIRED_SHARE (95%) of them, i.e. the
 *                    95th percentile of RTO is at most D.  What is tested is
 *                    the attainment, the share of those disasters with RTO <= D
 *                    (the rto_attainment of `drsim run`), against 95%.
 *   rpo D            likewise with the data lost (RPO).
 * The attainment's interval is the wider of two, each honest in its own
 * regime: the delta-method interval with the trial as cluster (disasters in
 * one trial may be related) and the Wilson score interval of the pooled
 * counts (right when few disasters are seen, or all of them are within D,
 * where the delta method's interval shrinks to nothing).
 *
 * The sequential rule: trials are added in looks of 200, 400, 800, ...
 * (doubling) up to max_trials.  At each look every undecided target's
 * interval is computed; the target passes when the interval lies wholly on
 * the right side of the required value (low >= required), fails when it lies
 * wholly on the wrong side (high < required), and is otherwise carried to the
 * next look.  Since the data are looked at up to K times, each look's interval
 * is at level 1 - (1 - confidence) / K (Bonferroni over the planned looks), so
 * the chance that any look's interval misses the true value, and so of any
 * wrong verdict for a target, is at most 1 - confidence (as far as each
 * interval holds its own level; docs/ci.md measures the whole rule).  A target still
 * undecided after the last look fails as "not shown".
 *
 * An availability verdict also needs CHECK_MIN_TRIALS_WITH_DOWNTIME trials
 * that saw downtime: with fewer, the interval rests on a handful of values
 * (with none it has zero width).  docs/ci.md gives the measured error rates
 * that set it.
 *
 * Determinism: look k adds trials [n(k-1), n(k)) with the same seed, and
 * trial i depends only on (seed, i) (runner.h), and the estimates are
 * accumulated in trial order, so the report is the same whatever the number
 * of threads.  Memory is bounded: trials run in chunks of at most
 * CHECK_CHUNK_TRIALS and leave only running sums behind.
 *
 * Ownership: a check_report owns nothing; functions borrow their inputs.
 */
#ifndef DRSIM_CHECK_H
#define DRSIM_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "runner.h"
#include "scenario.h"

#define CHECK_FIRST_LOOK_TRIALS 200
#define CHECK_DEFAULT_MAX_TRIALS 10000
#define CHECK_DEFAULT_CONFIDENCE 0.95
#define CHECK_REQUIRED_SHARE 0.95
#define CHECK_MIN_TRIALS_WITH_DOWNTIME 50
#define CHECK_MAX_LOOKS 64
#define CHECK_CHUNK_TRIALS 16384

typedef enum check_kind { CHECK_AVAILABILITY, CHECK_RTO, CHECK_RPO, CHECK_KINDS } check_kind;

typedef enum check_verdict { CHECK_UNDECIDED, CHECK_PASS, CHECK_FAIL } check_verdict;

typedef struct check_target {
    check_kind kind;
    double value;            /* availability: a fraction; rto, rpo: seconds */
    check_verdict verdict;   /* UNDECIDED after check_run() means "not shown" */
    double measured;         /* mean availability, or the share of disasters within value */
    double ci_low, ci_high;  /* at the look that decided it (else the last one); NAN if none */
    uint64_t trials;         /* trials behind those figures */
    uint64_t observations;   /* trials with downtime (availability), disasters (rto, rpo) */
} check_target;

/* The looks: cumulative trial counts, and each look's interval level. */
typedef struct check_plan {
    uint64_t looks[CHECK_MAX_LOOKS];
    size_t n_looks;
    double confidence;       /* what the verdicts are stated at */
    double look_confidence;  /* 1 - (1 - confidence) / n_looks */
} check_plan;

typedef struct check_config {
    double confidence;       /* in (0, 1), e.g. 0.95 */
    uint64_t max_trials;     /* >= 1 */
    uint64_t seed;
    double horizon_s;
    int threads;
    /* Optional: receives the first look's trials (0 .. plan.looks[0] - 1)
     * whole, records and lists, instead of their being freed, so that a
     * caller wanting more than the sums need not simulate them again.  The
     * caller frees it with run_results_free(); untouched when check_run()
     * fails. */
    run_results *first_look;
} check_config;

typedef struct check_report {
    check_target targets[CHECK_KINDS]; /* in the order availability, rto, rpo */
    size_t n_targets;
    check_plan plan;
    uint64_t trials;         /* trials simulated */
    double wall_s;
} check_report;

/* min(200, max_trials), then doubling, the last look exactly max_trials. */
void check_plan_make(uint64_t max_trials, double confidence, check_plan *plan);

/* NULL when a target of that kind can be measured on the scenario, else why
 * not: "the scenario has no disasters" (rto: no zone or region with outages
 * and no data models), "the scenario has no data models" (rpo). */
const char *check_unmeasurable(const scenario *sc, check_kind kind);

/* The targets that are set, in the order availability, rto, rpo; fills
 * report->targets and n_targets, leaves the rest of *report zeroed. */
void check_report_init(check_report *report, const scenario_targets *targets);

/* Runs the looks until every target is decided or max_trials are done.
 * 0 on success; -1 with a message in err (out of memory, a thread could
 * not start).  The caller has checked check_unmeasurable() for each target. */
int check_run(const scenario *sc, const check_config *cfg, check_report *report, char *err,
              size_t err_size);

/* PASS when low >= required, FAIL when high < required, else UNDECIDED
 * (also when either bound is NAN). */
check_verdict check_decide(double required, double low, double high);

/* Wilson score interval for `successes` of `n` at two-sided `confidence`;
 * [NAN, NAN] when n == 0. */
void check_wilson_interval(double successes, double n, double confidence, double *low,
                           double *high);

/* The scenario's targets with those `given` (command-line options) in
 * their place. */
scenario_targets check_targets_over(const scenario_targets *own, const scenario_targets *given);

/* true when every target passed. */
bool check_all_passed(const check_report *report);

/* "availability >= 99.99%", "rto <= 15 min for 95% of disasters". */
char *check_target_label(const check_target *target, char *buf, size_t buf_size);

/* The verdict and figures after the label: "shown at 95% after 200 trials:
 * 99.99666%, interval 99.99612% - 99.99720%", "not shown at 95% after 10000
 * trials: ...". */
char *check_target_detail(const check_target *target, const check_plan *plan, char *buf,
                          size_t buf_size);

/* The human report: a heading, a line per target, a summary line. */
void check_print(FILE *out, const scenario *sc, const check_config *cfg,
                 const check_report *report);

/* JUnit XML: one <testsuite> named after the scenario, one <testcase> per
 * target, a <failure> for each one that did not pass.  Deterministic for a
 * seed (no timings).  Returns 0, or -1 when a write failed (ferror). */
int check_write_junit(FILE *out, const scenario *sc, const check_config *cfg,
                      const check_report *report);

/* Writes text as XML character data or attribute value: & < > " ' escaped,
 * characters XML 1.0 forbids and bytes that are not UTF-8 written as '?'. */
void check_xml_escape(FILE *out, const char *text);

#endif
