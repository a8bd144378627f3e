/*
 * strategies — `drsim table strategies`: the seed chapter's DR strategy
 * table, measured.
 *
 * The chapter's table (strategy, RTO, RPO, cost) is checked, not copied:
 * the five scenarios backup-restore, pilot-light, warm-standby,
 * multi-region and active-active (sharing dr-base.yaml, so they face the
 * same disasters) are simulated, and for each the region outages that hit
 * the running service give RTO and RPO percentiles; availability and
 * cost per year come from the same run.
 *
 * Labels and their edges, on the p50 (an RPO label "Zero" needs p99 = 0,
 * and for an RPO "Seconds" is any loss under a minute):
 *   Real-time < 10 s;  Seconds < 1 min;  Minutes < 1 h;  Hours < 24 h;
 *   Hours–Days >= 1 h.
 * A label's range is [previous edge, its edge) — Real-time [0, 10 s),
 * Seconds [10 s, 1 min), Minutes [1 min, 1 h), Hours [1 h, 24 h),
 * Hours–Days [1 h, ∞) — and the verdict says whether the measured p50
 * "meets" it, is "better" (faster, less lost) or "worse".  When a label is
 * missed the row says which step of the strategy's failover dominates
 * (from the scenario's means: detection, people, promotion, restore,
 * launch, DNS TTL...).
 *
 * The chapter's ordering is checked too, as the chapter states it, in
 * classes: down from Backup & Restore to Active-Active the RTO and RPO
 * classes of the p50 must not get slower, and the cost must grow.
 */
#ifndef DRSIM_STRATEGIES_H
#define DRSIM_STRATEGIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define STRATEGY_COUNT 5
#define STRATEGY_VARIANT_COUNT 2

typedef struct strategy_row {
    const char *title;          /* "Backup & Restore" */
    const char *file;           /* "backup-restore.yaml" */
    const char *seed_rto, *seed_rpo, *seed_cost;  /* the chapter's labels */
    double rto_p50_s, rto_p95_s, rpo_p50_s, rpo_p95_s, rpo_p99_s;
    double availability;
    double cost_per_year_usd;
    uint64_t region_disasters;  /* outages the percentiles rest on */
    const char *rto_verdict, *rpo_verdict;  /* meets, better, worse */
    char rto_why[160], rpo_why[160];
} strategy_row;

typedef struct strategy_options {
    const char *dir;            /* where the scenarios are */
    const char *plot_dir;       /* NULL, or where to draw downtime histograms */
    uint64_t trials;            /* 0: each scenario's own */
    bool has_seed;
    uint64_t seed;
    int threads;
} strategy_options;

/* The chapter's rows, in its order, with the file of each. */
void strategies_init(strategy_row rows[STRATEGY_COUNT]);

/* The variants tuned toward a label the strategy misses (variants/...),
 * each with its strategy's labels. */
void strategies_init_variants(strategy_row rows[STRATEGY_VARIANT_COUNT]);

/* Measures one strategy from dir/file.  0 on success; -1 with problems
 * printed to `errors` (scenario diagnostics, out of memory). */
int strategies_measure(const strategy_options *options, strategy_row *row, FILE *errors);

/* The measured class of a duration ("Real-time" .. "Days"); for an RPO
 * (rpo true) "Zero" when p99 is 0 and "Seconds" for any loss under a
 * minute.  The verdict of a label on a p50: pass p99 for an RPO, NAN for
 * an RTO. */
const char *strategies_class(double p50_s);
const char *strategies_class_of(double p50_s, double p99_s, bool rpo);
const char *strategies_verdict(const char *label, double p50_s, double p99_s);

/* true when the RTO and RPO classes do not grow and cost grows down the rows;
 * otherwise `why` says where it breaks. */
bool strategies_ordering_holds(const strategy_row rows[], size_t n, char *why, size_t why_size);

void strategies_print(FILE *out, const strategy_row rows[], size_t n, const strategy_options *options);

/* The rows as a Markdown table with a line per verdict's reason. */
void strategies_print_markdown(FILE *out, const strategy_row rows[], size_t n);

/* cost-vs-rto.png in dir: each strategy's cost per year against its RTO
 * p50.  0 or -1 with a message in err. */
int strategies_plot_cost(const char *dir, const strategy_row rows[], size_t n, char *err,
                         size_t err_size);

/* CSV with the header of SPEC's issue:
 * strategy,rto_p50_s,rto_p95_s,rpo_p50_s,rpo_p95_s,availability,cost_per_year_usd,
 * seed_rto,seed_rpo,seed_cost,rto_verdict,rpo_verdict
 * Written atomically; 0 or -1 with a message in err. */
int strategies_write_csv(const char *path, const strategy_row rows[], size_t n, char *err,
                         size_t err_size);

#endif
