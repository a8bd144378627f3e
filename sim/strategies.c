/* strategies — see include/strategies.h. */
#include "strategies.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "csvout.h"
#include "duration.h"
#include "model.h"
#include "outfile.h"
#include "plot.h"
#include "report.h"
#include "runner.h"
#include "scenario.h"
#include "stats.h"

void strategies_init(strategy_row rows[STRATEGY_COUNT])
{
    static const struct {
        const char *title, *file, *rto, *rpo, *cost;
    } chapter[STRATEGY_COUNT] = {
        {"Backup & Restore", "backup-restore.yaml", "Hours-Days", "Hours-Days", "$"},
        {"Pilot Light", "pilot-light.yaml", "Hours", "Hours", "$$"},
        {"Warm Standby", "warm-standby.yaml", "Minutes", "Minutes", "$$$"},
        {"Multi-Region", "multi-region.yaml", "Seconds", "Seconds", "$$$$"},
        {"Active-Active", "active-active.yaml", "Real-time", "Zero", "$$$$$"},
    };
    for (size_t i = 0; i < STRATEGY_COUNT; i++) {
        memset(&rows[i], 0, sizeof rows[i]);
        rows[i].title = chapter[i].title;
        rows[i].file = chapter[i].file;
        rows[i].seed_rto = chapter[i].rto;
        rows[i].seed_rpo = chapter[i].rpo;
        rows[i].seed_cost = chapter[i].cost;
    }
}

void strategies_init_variants(strategy_row rows[STRATEGY_VARIANT_COUNT])
{
    static const struct {
        const char *title, *file, *rto, *rpo, *cost;
    } variants[STRATEGY_VARIANT_COUNT] = {
        {"Multi-Region, fast", "variants/multi-region-fast.yaml", "Seconds", "Seconds", "$$$$"},
        {"Active-Active, fast", "variants/active-active-fast.yaml", "Real-time", "Zero", "$$$$$"},
    };
    for (size_t i = 0; i < STRATEGY_VARIANT_COUNT; i++) {
        memset(&rows[i], 0, sizeof rows[i]);
        rows[i].title = variants[i].title;
        rows[i].file = variants[i].file;
        rows[i].seed_rto = variants[i].rto;
        rows[i].seed_rpo = variants[i].rpo;
        rows[i].seed_cost = variants[i].cost;
    }
}

/* ---- labels ------------------------------------------------------------------------------ */

#define MINUTE 60.0
#define HOUR 3600.0
#define DAY 86400.0

const char *strategies_class(double p50_s)
{
    return strategies_class_of(p50_s, NAN, false);
}

const char *strategies_class_of(double p50_s, double p99_s, bool rpo)
{
    if (rpo && p99_s == 0.0)
        return "Zero";
    if (p50_s < 10.0 && !rpo)
        return "Real-time";
    if (p50_s < MINUTE)
        return "Seconds";
    if (p50_s < HOUR)
        return "Minutes";
    if (p50_s < DAY)
        return "Hours";
    return "Days";
}

const char *strategies_verdict(const char *label, double p50_s, double p99_s)
{
    double low = 0.0, high = INFINITY;
    if (strcmp(label, "Zero") == 0)
        return p99_s == 0.0 ? "meets" : "worse";
    /* for RPO (p99 given) any loss under a minute is "Seconds"; only Zero
     * is better */
    bool rpo = !isnan(p99_s);
    if (rpo && p99_s == 0.0)
        return "better";
    if (strcmp(label, "Real-time") == 0)
        high = 10.0;
    else if (strcmp(label, "Seconds") == 0)
        low = rpo ? 0.0 : 10.0, high = MINUTE;
    else if (strcmp(label, "Minutes") == 0)
        low = MINUTE, high = HOUR;
    else if (strcmp(label, "Hours") == 0)
        low = HOUR, high = DAY;
    else /* Hours-Days */
        low = HOUR;
    if (p50_s < low)
        return "better";
    if (p50_s >= high)
        return "worse";
    return "meets";
}

/* ---- what dominates a failover (from the scenario's means) ------------------------------- */

typedef struct path_part {
    const char *what;
    double seconds;
} path_part;

static int primary_region(const scenario *sc)
{
    const dns_config *dns = sc->dr.dns;
    if (dns == NULL || dns->n_records == 0)
        return -1;
    for (size_t i = 0; i < dns->n_records; i++)
        if (dns->records[i].primary)
            return dns->records[i].region;
    return dns->records[0].region;
}

static const runbook_config *runbook_for(const scenario *sc, int region)
{
    for (size_t i = 0; i < sc->dr.n_runbooks; i++)
        if (sc->dr.runbooks[i].region == region)
            return &sc->dr.runbooks[i];
    return NULL;
}

static size_t failover_path(const scenario *sc, path_part *parts, size_t max)
{
    const dr_config *dr = &sc->dr;
    const dns_config *dns = dr->dns;
    size_t n = 0;
#define ADD(label, value)                                                                          \
    do {                                                                                           \
        if (n < max)                                                                               \
            parts[n++] = (path_part){(label), (value)};                                            \
    } while (0)
    const runbook_config *rb = runbook_for(sc, primary_region(sc));
    if (rb == NULL) {
        if (dns != NULL) {
            const healthcheck *hc = &dns->check;
            ADD("Route 53 health checks",
                (hc->unhealthy_threshold - 0.5) * hc->interval_s + hc->timeout_s);
            ADD("DNS TTL", dns->ttl_s);
        }
        return n;
    }
    if (rb->trigger == TRIGGER_MANUAL)
        ADD("people (page, acknowledge, decide)",
            dist_mean(&rb->page) + dist_mean(&rb->acknowledge) + dist_mean(&rb->decide));
    else
        ADD("detection by the automated trigger", dist_mean(&rb->detection));
    double steps_s = 0.0;
    for (size_t k = 0; k < rb->n_steps; k++) {
        const runbook_step *step = &rb->steps[k];
        steps_s += dist_mean(&step->duration);
        if (step->action == ACTION_PROMOTE_REPLICA) {
            const db_config *db = &dr->databases[step->database];
            for (size_t r = 0; r < db->n_replicas; r++)
                if (db->replicas[r].region == step->region)
                    ADD("replica promotion", dist_mean(&db->replicas[r].promotion_time));
        } else if (step->action == ACTION_RESTORE_BACKUP) {
            const db_config *db = &dr->databases[step->database];
            ADD("database restore",
                db->restore_overhead_s + db->size_gb / db->restore_throughput_gb_per_s);
        } else if (step->action == ACTION_SET_DESIRED_CAPACITY) {
            const asg_config *g = &dr->groups[step->group];
            const healthcheck *hc = &dr->balancers[g->balancer].check;
            if (step->desired_capacity > g->desired_capacity)
                ADD("instance launch and health checks",
                    dist_mean(&g->launch_time) + (hc->healthy_threshold - 0.5) * hc->interval_s);
        }
    }
    ADD("runbook steps", steps_s);
    if (dns != NULL) {
        if (dns->routing != DNS_SIMPLE)
            ADD("Route 53 health checks of the DR side",
                (dns->check.healthy_threshold - 0.5) * dns->check.interval_s);
        ADD("DNS TTL", dns->ttl_s);
    }
    return n;
#undef ADD
}

static void explain_rto(const scenario *sc, strategy_row *row)
{
    path_part parts[16];
    size_t n = failover_path(sc, parts, 16);
    size_t top = 0;
    double total = 0.0;
    for (size_t i = 0; i < n; i++) {
        total += parts[i].seconds;
        if (parts[i].seconds > parts[top].seconds)
            top = i;
    }
    char part[32], sum[32];
    if (n == 0)
        snprintf(row->rto_why, sizeof row->rto_why, "no failover path");
    else
        snprintf(row->rto_why, sizeof row->rto_why, "dominated by %s (about %s of about %s)",
                 parts[top].what, duration_format(parts[top].seconds, part, sizeof part),
                 duration_format(total, sum, sizeof sum));
}

/* The data path whose typical loss is largest names the RPO. */
static void explain_rpo(const scenario *sc, strategy_row *row)
{
    const dr_config *dr = &sc->dr;
    const runbook_config *rb = runbook_for(sc, primary_region(sc));
    const char *source = "nothing is lost (synchronous copies)";
    double largest_s = 0.0;
#define CONSIDER(text, seconds)                                                                    \
    do {                                                                                           \
        double value_ = (seconds);                                                                 \
        if (value_ > largest_s) {                                                                  \
            largest_s = value_;                                                                    \
            source = (text);                                                                       \
        }                                                                                          \
    } while (0)
    for (size_t k = 0; rb != NULL && k < rb->n_steps; k++) {
        const runbook_step *step = &rb->steps[k];
        if (step->action == ACTION_RESTORE_BACKUP)
            CONSIDER("the age of the newest backup copy in the DR region (schedule, windows, "
                     "copy time)",
                     12 * 3600.0);
        if (step->action == ACTION_PROMOTE_REPLICA) {
            const db_config *db = &dr->databases[step->database];
            for (size_t r = 0; r < db->n_replicas; r++)
                if (db->replicas[r].region == step->region &&
                    db->replicas[r].replication == REPLICATION_ASYNC)
                    CONSIDER("the asynchronous replica's lag when the region fell",
                             dist_mean(&db->replicas[r].lag));
        }
    }
    for (size_t i = 0; i < dr->n_databases; i++)
        if (dr->databases[i].global_table && dr->databases[i].n_replicas > 0 &&
            dr->databases[i].replicas[0].replication == REPLICATION_ASYNC)
            CONSIDER("the global table's replication lag when the region fell",
                     dist_mean(&dr->databases[i].replicas[0].lag));
    for (size_t b = 0; b < dr->n_buckets; b++)
        if (dr->buckets[b].destination_region >= 0)
            CONSIDER("the objects S3 had not yet replicated (Replication Time Control)",
                     dist_mean(&dr->buckets[b].replication_time));
#undef CONSIDER
    if (largest_s > 0.0)
        snprintf(row->rpo_why, sizeof row->rpo_why, "data lost is mostly %s", source);
    else
        snprintf(row->rpo_why, sizeof row->rpo_why, "nothing is lost: every copy is synchronous");
}

/* ---- measuring --------------------------------------------------------------------------- */

static int load(const strategy_options *options, const char *file, scenario *sc, FILE *errors)
{
    size_t length = strlen(options->dir) + strlen(file) + 2;
    char *path = malloc(length);
    if (path == NULL)
        return -1;
    snprintf(path, length, "%s/%s", options->dir, file);
    diag_list diag;
    diag_init(&diag);
    int result = scenario_load(sc, path, &diag);
    diag_print(&diag, errors);
    diag_free(&diag);
    free(path);
    return result;
}

/* downtime-STRATEGY.png: the histogram of downtime per trial-year. */
static int plot_downtime(const char *dir, const strategy_row *row, const scenario *sc,
                         const run_results *results, FILE *errors)
{
    size_t n = (size_t)results->trials;
    double *minutes = malloc((n ? n : 1) * sizeof *minutes);
    char stem[96], path[512], title[160], err[512];
    if (minutes == NULL)
        return -1;
    for (size_t i = 0; i < n; i++)
        minutes[i] = results->records[i].downtime_s / (sc->horizon_s / DURATION_YEAR_S) / 60.0;
    snprintf(stem, sizeof stem, "%s", strrchr(row->file, '/') ? strrchr(row->file, '/') + 1 : row->file);
    char *dot = strrchr(stem, '.');
    if (dot != NULL)
        *dot = '\0';
    snprintf(path, sizeof path, "%s/downtime-%s.png", dir, stem);
    snprintf(title, sizeof title, "%s: downtime per trial-year (%zu trials)", row->title, n);
    int rc = plot_histogram(path, title, "downtime per year (minutes)", minutes, n, err, sizeof err);
    if (rc != 0)
        fprintf(errors, "drsim: warning: no plot: %s\n", err);
    free(minutes);
    return 0; /* a missing plot never fails the table */
}

int strategies_measure(const strategy_options *options, strategy_row *row, FILE *errors)
{
    scenario sc;
    if (load(options, row->file, &sc, errors) != 0)
        return -1;
    run_config cfg = {.trials = options->trials ? options->trials : sc.trials,
                      .seed = options->has_seed ? options->seed : sc.seed,
                      .horizon_s = sc.horizon_s,
                      .threads = options->threads,
                      .progress = false};
    run_results results;
    char err[256];
    if (runner_run(&sc, &cfg, &results, err, sizeof err) != 0) {
        fprintf(errors, "drsim: %s: %s\n", row->file, err);
        scenario_free(&sc);
        return -1;
    }
    /* RTO and RPO over the region outages that hit the running service */
    size_t capacity = 64, count = 0;
    double *rto = malloc(capacity * sizeof *rto), *rpo = malloc(capacity * sizeof *rpo);
    double availability = 0.0;
    int result = 0;
    for (uint64_t t = 0; t < results.trials && rto && rpo; t++) {
        availability += results.records[t].uptime_s / cfg.horizon_s / (double)results.trials;
        for (size_t k = 0; k < results.disasters[t].count; k++) {
            const disaster *d = &results.disasters[t].items[k];
            if (d->kind != DISASTER_REGION || !d->hit_active)
                continue;
            if (count == capacity) {
                capacity *= 2;
                double *grown_rto = realloc(rto, capacity * sizeof *rto);
                if (grown_rto != NULL)
                    rto = grown_rto;
                double *grown_rpo = realloc(rpo, capacity * sizeof *rpo);
                if (grown_rpo != NULL)
                    rpo = grown_rpo;
                if (grown_rto == NULL || grown_rpo == NULL)
                    break;
            }
            rto[count] = d->restored_s - d->start_s;
            rpo[count] = d->data_loss_s;
            count++;
        }
    }
    if (rto == NULL || rpo == NULL) {
        fprintf(errors, "drsim: out of memory\n");
        result = -1;
    } else {
        double p99;
        stats_percentiles(rto, count, &row->rto_p50_s, &row->rto_p95_s, &p99);
        stats_percentiles(rpo, count, &row->rpo_p50_s, &row->rpo_p95_s, &row->rpo_p99_s);
        row->region_disasters = count;
        row->availability = availability;
        row->cost_per_year_usd = cost_per_year(&sc);
        row->rto_verdict = strategies_verdict(row->seed_rto, row->rto_p50_s, NAN);
        row->rpo_verdict = strategies_verdict(row->seed_rpo, row->rpo_p50_s, row->rpo_p99_s);
        explain_rto(&sc, row);
        explain_rpo(&sc, row);
        if (options->plot_dir != NULL)
            result = plot_downtime(options->plot_dir, row, &sc, &results, errors);
    }
    free(rto);
    free(rpo);
    run_results_free(&results);
    scenario_free(&sc);
    return result;
}

/* Rank of a measured class, with RPO's "Zero" below everything. */
static int class_rank(double p50_s, double p99_s, bool rpo)
{
    static const char *const order[] = {"Real-time", "Seconds", "Minutes", "Hours", "Days"};
    if (rpo && p99_s == 0.0)
        return -1;
    const char *cls = strategies_class_of(p50_s, p99_s, rpo);
    for (int i = 0; i < 5; i++)
        if (strcmp(order[i], cls) == 0)
            return i;
    return 5;
}

bool strategies_ordering_holds(const strategy_row rows[], size_t n, char *why, size_t why_size)
{
    /* the chapter orders classes (Hours, Minutes, ...): RTO and RPO may not
     * move to a slower class down the table, cost must grow in dollars */
    for (size_t i = 1; i < n; i++) {
        const strategy_row *a = &rows[i - 1], *b = &rows[i];
        const char *what = NULL;
        if (class_rank(b->rto_p50_s, NAN, false) > class_rank(a->rto_p50_s, NAN, false))
            what = "RTO moves to a slower class";
        else if (class_rank(b->rpo_p50_s, b->rpo_p99_s, true) >
                 class_rank(a->rpo_p50_s, a->rpo_p99_s, true))
            what = "RPO moves to a larger class";
        else if (!(b->cost_per_year_usd > a->cost_per_year_usd))
            what = "cost does not grow";
        if (what != NULL) {
            snprintf(why, why_size, "%s from %s to %s", what, a->title, b->title);
            return false;
        }
    }
    snprintf(why, why_size, "RTO and RPO do not grow and cost grows, as in the chapter");
    return true;
}

/* ---- output ------------------------------------------------------------------------------ */

static char *money(double usd, char *buf, size_t size)
{
    if (isnan(usd))
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, "$%.0f", usd);
    return buf;
}

void strategies_print(FILE *out, const strategy_row rows[], size_t n, const strategy_options *options)
{
    fprintf(out, "DR strategies, measured over the region outages that hit the running service\n");
    fprintf(out, "(scenarios in %s; %s trials each; RTO: outage to full service; RPO: data lost)\n\n",
            options->dir, options->trials ? "" : "the scenarios' own");
    fprintf(out, "%-17s %9s %9s %9s %9s %11s %10s | %-10s %-10s %-5s | %s\n", "strategy",
            "RTO p50", "RTO p95", "RPO p50", "RPO p95", "availability", "cost/year", "seed RTO",
            "seed RPO", "cost", "verdict RTO / RPO");
    for (size_t i = 0; i < n; i++) {
        const strategy_row *r = &rows[i];
        char a[32], b[32], c[32], d[32], e[32];
        fprintf(out, "%-17s %9s %9s %9s %9s %10.4f%% %10s | %-10s %-10s %-5s | %s / %s\n", r->title,
                duration_format(r->rto_p50_s, a, sizeof a), duration_format(r->rto_p95_s, b, sizeof b),
                duration_format(r->rpo_p50_s, c, sizeof c), duration_format(r->rpo_p95_s, d, sizeof d),
                100.0 * r->availability, money(r->cost_per_year_usd, e, sizeof e), r->seed_rto,
                r->seed_rpo, r->seed_cost, r->rto_verdict, r->rpo_verdict);
    }
    fprintf(out, "\n");
    for (size_t i = 0; i < n; i++) {
        const strategy_row *r = &rows[i];
        fprintf(out, "%s (%llu region outages): RTO %s: measured %s, %s.\n", r->title,
                (unsigned long long)r->region_disasters, r->seed_rto,
                strategies_class(r->rto_p50_s), r->rto_why);
        fprintf(out, "%*s RPO %s: measured %s, %s.\n", (int)strlen(r->title), "", r->seed_rpo,
                strategies_class_of(r->rpo_p50_s, r->rpo_p99_s, true), r->rpo_why);
    }
    char why[256];
    bool holds = strategies_ordering_holds(rows, n, why, sizeof why);
    fprintf(out, "\nordering: %s%s\n", holds ? "" : "BROKEN: ", why);
}

int strategies_write_csv(const char *path, const strategy_row rows[], size_t n, char *err,
                         size_t err_size)
{
    static const char *const header[] = {
        "strategy", "rto_p50_s", "rto_p95_s", "rpo_p50_s", "rpo_p95_s", "availability",
        "cost_per_year_usd", "seed_rto", "seed_rpo", "seed_cost", "rto_verdict", "rpo_verdict",
        NULL};
    outfile file;
    if (outfile_open(&file, path, err, err_size) != 0)
        return -1;
    csv_writer w;
    csv_writer_init(&w, file.fp);
    csv_write_header(&w, header);
    for (size_t i = 0; i < n; i++) {
        const strategy_row *r = &rows[i];
        csv_write_str(&w, r->title);
        csv_write_double(&w, r->rto_p50_s);
        csv_write_double(&w, r->rto_p95_s);
        csv_write_double(&w, r->rpo_p50_s);
        csv_write_double(&w, r->rpo_p95_s);
        csv_write_double(&w, r->availability);
        csv_write_double(&w, r->cost_per_year_usd);
        csv_write_str(&w, r->seed_rto);
        csv_write_str(&w, r->seed_rpo);
        csv_write_str(&w, r->seed_cost);
        csv_write_str(&w, r->rto_verdict);
        csv_write_str(&w, r->rpo_verdict);
        csv_end_row(&w);
    }
    if (w.failed) {
        outfile_abort(&file);
        snprintf(err, err_size, "cannot write '%s'", path);
        return -1;
    }
    return outfile_commit(&file, err, err_size);
}

void strategies_print_markdown(FILE *out, const strategy_row rows[], size_t n)
{
    fprintf(out, "| strategy | RTO p50 | RTO p95 | RPO p50 | RPO p95 | availability | cost / year "
                 "| chapter RTO | chapter RPO | chapter cost | RTO verdict | RPO verdict |\n");
    fprintf(out, "|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < n; i++) {
        const strategy_row *r = &rows[i];
        char a[32], b[32], c[32], d[32], e[32];
        fprintf(out, "| %s | %s | %s | %s | %s | %.4f%% | %s | %s | %s | %s | %s | %s |\n", r->title,
                duration_format(r->rto_p50_s, a, sizeof a), duration_format(r->rto_p95_s, b, sizeof b),
                duration_format(r->rpo_p50_s, c, sizeof c), duration_format(r->rpo_p95_s, d, sizeof d),
                100.0 * r->availability, money(r->cost_per_year_usd, e, sizeof e), r->seed_rto,
                r->seed_rpo, r->seed_cost, r->rto_verdict, r->rpo_verdict);
    }
    fprintf(out, "\n");
    for (size_t i = 0; i < n; i++) {
        const strategy_row *r = &rows[i];
        fprintf(out, "- **%s** (%llu region outages): RTO %s, measured %s: %s. RPO %s, measured "
                     "%s: %s.\n",
                r->title, (unsigned long long)r->region_disasters, r->seed_rto,
                strategies_class(r->rto_p50_s), r->rto_why, r->seed_rpo,
                strategies_class_of(r->rpo_p50_s, r->rpo_p99_s, true), r->rpo_why);
    }
}

int strategies_plot_cost(const char *dir, const strategy_row rows[], size_t n, char *err,
                         size_t err_size)
{
    plot_point points[STRATEGY_COUNT + STRATEGY_VARIANT_COUNT];
    size_t m = 0;
    for (size_t i = 0; i < n && m < sizeof points / sizeof points[0]; i++)
        points[m++] = (plot_point){rows[i].rto_p50_s / 60.0, rows[i].cost_per_year_usd, rows[i].title};
    size_t length = strlen(dir) + 32;
    char *path = malloc(length);
    if (path == NULL)
        return -1;
    snprintf(path, length, "%s/cost-vs-rto.png", dir);
    int rc = plot_scatter(path, "Cost per year against RTO (p50 over region outages)",
                          "RTO p50 (minutes, log scale)", "cost per year (USD)", points, m, true,
                          err, err_size);
    free(path);
    return rc;
}
