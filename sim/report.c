/* report — see include/report.h. */
#include "report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "csvout.h"
#include "model.h"
#include "duration.h"
#include "outfile.h"
#include "plot.h"

#define CONFIDENCE 0.95

/* ---- estimation ------------------------------------------------------------------------- */

static report_metric *add_metric(run_summary *s, const char *name, const char *unit)
{
    report_metric *m = &s->metrics[s->n_metrics++];
    m->name = name;
    m->unit = unit;
    return m;
}

/* Mean, interval and percentiles of one value per trial.  `scratch` is
 * sorted in place for the percentiles, so it is filled afresh each time. */
static void per_trial_metric(report_metric *m, double *scratch, size_t n)
{
    stats_mean_ci(scratch, n, CONFIDENCE, &m->estimate);
    stats_percentiles(scratch, n, &m->estimate.p50, &m->estimate.p95, &m->estimate.p99);
}

static bool scenario_has_disasters(const scenario *sc)
{
    for (size_t d = 0; d < sc->n_domains; d++)
        if (sc->domains[d].has_outage)
            return true;
    return sc->has_data;
}

/* One value per disaster that hit the running service (`which` picks RTO
 * or RPO), summarised like MTTR: a ratio of per-trial sums with the trial
 * as cluster, percentiles over the disasters; and, with a target, the
 * share of disasters within it. */
enum disaster_value { DISASTER_RTO, DISASTER_RPO };

static double disaster_value(const disaster *d, enum disaster_value which)
{
    return which == DISASTER_RTO ? d->restored_s - d->start_s : d->data_loss_s;
}

static int disaster_metric(const run_results *results, run_summary *out, enum disaster_value which,
                           bool has_target, double target_s, double *sums, double *counts)
{
    size_t n = (size_t)results->trials;
    double *all = malloc((out->disasters ? out->disasters : 1) * sizeof *all);
    double *met = malloc((n ? n : 1) * sizeof *met);
    if (all == NULL || met == NULL) {
        free(all);
        free(met);
        return -1;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        sums[i] = counts[i] = met[i] = 0.0;
        for (size_t j = 0; j < results->disasters[i].count; j++) {
            const disaster *d = &results->disasters[i].items[j];
            if (!d->hit_active)
                continue;
            double v = disaster_value(d, which);
            sums[i] += v;
            counts[i] += 1.0;
            met[i] += v <= target_s ? 1.0 : 0.0;
            all[k++] = v;
        }
    }
    const char *name = which == DISASTER_RTO ? "rto" : "rpo";
    report_metric *m = add_metric(out, name, "s");
    stats_ratio_ci(sums, counts, n, CONFIDENCE, &m->estimate);
    m->estimate.n = k;
    stats_percentiles(all, k, &m->estimate.p50, &m->estimate.p95, &m->estimate.p99);
    if (has_target) {
        report_metric *a = add_metric(out, which == DISASTER_RTO ? "rto_attainment"
                                                                 : "rpo_attainment",
                                      "fraction");
        stats_ratio_ci(met, counts, n, CONFIDENCE, &a->estimate);
        a->estimate.n = k;
        a->estimate.p50 = a->estimate.p95 = a->estimate.p99 = NAN;
    }
    free(all);
    free(met);
    return 0;
}

static int summarize_disasters(const scenario *sc, const run_results *results, run_summary *out,
                               double *sums, double *counts)
{
    if (!scenario_has_disasters(sc))
        return 0;
    for (uint64_t i = 0; i < results->trials; i++)
        for (size_t j = 0; j < results->disasters[i].count; j++)
            out->disasters += results->disasters[i].items[j].hit_active;
    if (disaster_metric(results, out, DISASTER_RTO, sc->targets.has_rto, sc->targets.rto_s, sums,
                        counts) != 0)
        return -1;
    if (sc->has_data && disaster_metric(results, out, DISASTER_RPO, sc->targets.has_rpo,
                                        sc->targets.rpo_s, sums, counts) != 0)
        return -1;
    return 0;
}

int report_summarize(const scenario *sc, const run_results *results, double horizon_s,
                     run_summary *out)
{
    memset(out, 0, sizeof *out);
    size_t n = (size_t)results->trials;
    out->trials = results->trials;
    out->horizon_s = horizon_s;
    double years = horizon_s / DURATION_YEAR_S;

    double *values = calloc(n ? n : 1, sizeof *values);
    double *counts = calloc(n ? n : 1, sizeof *counts);
    if (values == NULL || counts == NULL) {
        free(values);
        free(counts);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        out->incidents += results->records[i].incidents;
        out->events += results->records[i].events;
        for (size_t k = 0; k < results->incidents[i].count; k++)
            out->censored += results->incidents[i].items[k].censored;
    }

    for (size_t i = 0; i < n; i++)
        values[i] = results->records[i].uptime_s / horizon_s;
    per_trial_metric(add_metric(out, "availability", "fraction"), values, n);

    for (size_t i = 0; i < n; i++)
        values[i] = results->records[i].downtime_s / years;
    per_trial_metric(add_metric(out, "downtime_per_year", "s"), values, n);

    for (size_t i = 0; i < n; i++)
        values[i] = (double)results->records[i].incidents / years;
    per_trial_metric(add_metric(out, "incidents_per_year", "1/y"), values, n);

    /* MTTR: incidents partition the downtime, so Σ durations = Σ downtime */
    for (size_t i = 0; i < n; i++) {
        values[i] = results->records[i].downtime_s;
        counts[i] = (double)results->records[i].incidents;
    }
    report_metric *mttr = add_metric(out, "mttr", "s");
    stats_ratio_ci(values, counts, n, CONFIDENCE, &mttr->estimate);
    mttr->estimate.n = (size_t)out->incidents;
    double *durations = malloc((out->incidents ? out->incidents : 1) * sizeof *durations);
    if (durations == NULL) {
        free(values);
        free(counts);
        return -1;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < results->incidents[i].count; j++, k++)
            durations[k] = results->incidents[i].items[j].end_s - results->incidents[i].items[j].start_s;
    stats_percentiles(durations, k, &mttr->estimate.p50, &mttr->estimate.p95, &mttr->estimate.p99);
    free(durations);

    if (sc->has_dr) {
        /* by requests: ∫ f dt / horizon while the demand is one constant;
         * with a demand that varies, the requests served of those received,
         * ∫ D f dt / ∫ D dt (trial.h) */
        bool by_requests = !dr_demand_constant(&sc->dr);
        for (size_t i = 0; i < n; i++) {
            const trial_result *r = &results->records[i];
            values[i] = by_requests && r->requests_total > 0.0
                            ? 1.0 - r->requests_failed / r->requests_total
                            : r->served_s / horizon_s;
        }
        per_trial_metric(add_metric(out, "availability_requests", "fraction"), values, n);
    }
    if (summarize_disasters(sc, results, out, values, counts) != 0) {
        free(values);
        free(counts);
        return -1;
    }

    if (sc->sla != NULL) {
        for (size_t i = 0; i < n; i++)
            values[i] = results->records[i].service_credit;
        per_trial_metric(add_metric(out, "service_credit", "fraction"), values, n);
    }
    double cost = cost_per_year(sc);
    if (!isnan(cost)) { /* from the configuration: the same every trial */
        report_metric *m = add_metric(out, "cost_per_year", "USD");
        m->estimate = (stats_estimate){cost, cost, cost, NAN, NAN, NAN, n};
    }

    if (sc->targets.has_availability) {
        for (size_t i = 0; i < n; i++)
            values[i] = results->records[i].periods
                            ? (double)results->records[i].periods_meeting_target /
                                  (double)results->records[i].periods
                            : NAN;
        per_trial_metric(add_metric(out, "sla_attainment", "fraction"), values, n);
    }
    free(values);
    free(counts);
    return 0;
}

const report_metric *report_find(const run_summary *summary, const char *name)
{
    for (size_t i = 0; i < summary->n_metrics; i++)
        if (strcmp(summary->metrics[i].name, name) == 0)
            return &summary->metrics[i];
    return NULL;
}

/* ---- the human table -------------------------------------------------------------------- */

static const char *human_name(const char *metric)
{
    if (strcmp(metric, "downtime_per_year") == 0)
        return "downtime per year";
    if (strcmp(metric, "incidents_per_year") == 0)
        return "incidents per year";
    if (strcmp(metric, "mttr") == 0)
        return "MTTR";
    if (strcmp(metric, "sla_attainment") == 0)
        return "SLA attainment";
    if (strcmp(metric, "availability_requests") == 0)
        return "avail. (requests)";
    if (strcmp(metric, "rto") == 0)
        return "RTO";
    if (strcmp(metric, "rpo") == 0)
        return "RPO";
    if (strcmp(metric, "rto_attainment") == 0)
        return "RTO attainment";
    if (strcmp(metric, "rpo_attainment") == 0)
        return "RPO attainment";
    if (strcmp(metric, "service_credit") == 0)
        return "service credit";
    if (strcmp(metric, "cost_per_year") == 0)
        return "cost per year";
    return metric;
}

static char *human_value(const report_metric *m, double value, char *buf, size_t size)
{
    if (isnan(value))
        snprintf(buf, size, "-");
    else if (strcmp(m->unit, "s") == 0)
        duration_format(value, buf, size);
    else if (strncmp(m->name, "availability", 12) == 0)
        snprintf(buf, size, "%.5f%%", 100.0 * value);
    else if (strcmp(m->unit, "fraction") == 0)
        snprintf(buf, size, "%.3g%%", 100.0 * value);
    else if (strcmp(m->unit, "USD") == 0)
        snprintf(buf, size, "$%.0f", value);
    else
        snprintf(buf, size, "%.4g", value);
    return buf;
}

bool report_targets_met(const scenario *sc, const run_summary *summary)
{
    const report_metric *availability = report_find(summary, "availability");
    return !sc->targets.has_availability || availability == NULL ||
           availability->estimate.mean >= sc->targets.availability;
}

void report_print(FILE *out, const scenario *sc, const run_config *cfg,
                  const run_summary *summary, double wall_s)
{
    char horizon[32];
    fprintf(out, "scenario  %s (%s)\n", sc->name, sc->file);
    fprintf(out, "run       %llu trials x %s, seed %llu, %d thread%s, %.2f s, %.3g events\n\n",
            (unsigned long long)cfg->trials, duration_format(cfg->horizon_s, horizon, sizeof horizon),
            (unsigned long long)cfg->seed, cfg->threads, cfg->threads == 1 ? "" : "s", wall_s,
            (double)summary->events);
    if (summary->trials < cfg->trials) /* an interrupted run (runner.h) */
        fprintf(out, "partial: %llu of %llu trials, interrupted by %s\n\n",
                (unsigned long long)summary->trials, (unsigned long long)cfg->trials,
                runner_signal_name(runner_interrupt));
    fprintf(out, "%-20s %-13s %-27s %-12s %-12s %-12s\n", "metric", "mean", "95% interval", "p50",
            "p95", "p99");
    for (size_t i = 0; i < summary->n_metrics; i++) {
        const report_metric *m = &summary->metrics[i];
        const stats_estimate *e = &m->estimate;
        char mean[32], low[32], high[32], interval[72], p50[32], p95[32], p99[32];
        human_value(m, e->mean, mean, sizeof mean);
        if (isnan(e->ci_low))
            snprintf(interval, sizeof interval, "-");
        else
            snprintf(interval, sizeof interval, "%s - %s", human_value(m, e->ci_low, low, sizeof low),
                     human_value(m, e->ci_high, high, sizeof high));
        fprintf(out, "%-20s %-13s %-27s %-12s %-12s %-12s\n", human_name(m->name), mean, interval,
                human_value(m, e->p50, p50, sizeof p50), human_value(m, e->p95, p95, sizeof p95),
                human_value(m, e->p99, p99, sizeof p99));
    }
    fprintf(out, "\n%llu incidents in %.6g trial-years", (unsigned long long)summary->incidents,
            (double)summary->trials * summary->horizon_s / DURATION_YEAR_S);
    if (summary->censored > 0)
        fprintf(out, " (%llu still open at the horizon, counted up to it)",
                (unsigned long long)summary->censored);
    fprintf(out, "; MTTR percentiles are over incidents, the others over trials.\n");
    if (summary->disasters > 0 || report_find(summary, "rto") != NULL)
        fprintf(out, "%llu disasters struck the running service; RTO and RPO are per disaster.\n",
                (unsigned long long)summary->disasters);

    const report_metric *availability = report_find(summary, "availability");
    if (sc->targets.has_availability && availability != NULL) {
        const stats_estimate *e = &availability->estimate;
        double target = sc->targets.availability;
        const char *verdict = e->mean < target      ? "MISSED"
                              : !(e->ci_low >= target) ? "met by the mean, but the 95% interval reaches below it"
                                                       : "met, with the whole 95% interval above it";
        fprintf(out, "target availability %.6g%%: %s (mean %.5f%%)\n", 100.0 * target, verdict,
                100.0 * e->mean);
    }
    for (int which = 0; which < 2; which++) {
        bool has = which == 0 ? sc->targets.has_rto : sc->targets.has_rpo;
        const report_metric *m = report_find(summary, which == 0 ? "rto_attainment" : "rpo_attainment");
        if (!has)
            continue;
        char target[32];
        duration_format(which == 0 ? sc->targets.rto_s : sc->targets.rpo_s, target, sizeof target);
        if (m == NULL)
            fprintf(out, "target %s %s: not measured (this scenario has no %s)\n",
                    which == 0 ? "rto" : "rpo", target, which == 0 ? "disasters" : "data models");
        else
            fprintf(out, "target %s %s: met by %.1f%% of disasters\n", which == 0 ? "rto" : "rpo",
                    target, 100.0 * m->estimate.mean);
    }
}

/* ---- CSV -------------------------------------------------------------------------------- */

static void write_summary(csv_writer *w, const run_summary *summary, const run_results *results)
{
    static const char *const header[] = {"metric", "unit", "mean", "ci_low", "ci_high",
                                         "p50", "p95", "p99", NULL};
    csv_write_header(w, header);
    for (size_t i = 0; i < summary->n_metrics; i++) {
        const report_metric *m = &summary->metrics[i];
        csv_write_str(w, m->name);
        csv_write_str(w, m->unit);
        csv_write_double(w, m->estimate.mean);
        csv_write_double(w, m->estimate.ci_low);
        csv_write_double(w, m->estimate.ci_high);
        csv_write_double(w, m->estimate.p50);
        csv_write_double(w, m->estimate.p95);
        csv_write_double(w, m->estimate.p99);
        csv_end_row(w);
    }
    /* An interrupted run (runner.h) is marked by two more rows: the trials
     * completed (0 .. N-1, the ones in trials.csv) and those asked for. */
    if (results->trials < results->requested) {
        const char *names[2] = {"trials_completed", "trials_requested"};
        const uint64_t counts[2] = {results->trials, results->requested};
        for (int r = 0; r < 2; r++) {
            csv_write_str(w, names[r]);
            csv_write_str(w, "trials");
            csv_write_int(w, (int64_t)counts[r]);
            for (int k = 0; k < 5; k++)
                csv_write_empty(w);
            csv_end_row(w);
        }
    }
}

static void write_trials(csv_writer *w, const scenario *sc, const run_results *results,
                         double horizon_s)
{
    static const char *const header[] = {"trial", "uptime_s", "downtime_s", "incidents",
                                         "availability", "component_failures", "domain_outages",
                                         "sla_periods", "sla_periods_met", "served_s", NULL};
    csv_write_header(w, header);
    for (uint64_t i = 0; i < results->trials; i++) {
        const trial_result *r = &results->records[i];
        csv_write_int(w, (int64_t)i);
        csv_write_double(w, r->uptime_s);
        csv_write_double(w, r->downtime_s);
        csv_write_int(w, (int64_t)r->incidents);
        csv_write_double(w, r->uptime_s / horizon_s);
        csv_write_int(w, (int64_t)r->component_failures);
        csv_write_int(w, (int64_t)r->domain_outages);
        csv_write_int(w, (int64_t)r->periods);
        if (sc->targets.has_availability)
            csv_write_int(w, (int64_t)r->periods_meeting_target);
        else
            csv_write_empty(w);
        csv_write_double(w, r->served_s);
        csv_end_row(w);
    }
}

static void write_incidents(csv_writer *w, const scenario *sc, const run_results *results)
{
    static const char *const header[] = {"trial", "start_s", "end_s", "duration_s", "cause",
                                         "cause_kind", "censored", NULL};
    csv_write_header(w, header);
    for (uint64_t i = 0; i < results->trials; i++) {
        for (size_t k = 0; k < results->incidents[i].count; k++) {
            const incident *inc = &results->incidents[i].items[k];
            char cause[96];
            csv_write_int(w, (int64_t)i);
            csv_write_double(w, inc->start_s);
            csv_write_double(w, inc->end_s);
            csv_write_double(w, inc->end_s - inc->start_s);
            csv_write_str(w, incident_cause_name(sc, inc, cause, sizeof cause));
            csv_write_str(w, cause_kind_name(inc->cause_kind));
            csv_write_int(w, inc->censored ? 1 : 0);
            csv_end_row(w);
        }
    }
}

static void write_disasters(csv_writer *w, const scenario *sc, const run_results *results)
{
    static const char *const header[] = {"trial", "kind", "where", "start_s", "restored_s",
                                         "rto_s", "rpo_s", "hit_active", "censored", NULL};
    csv_write_header(w, header);
    for (uint64_t i = 0; i < results->trials; i++) {
        for (size_t k = 0; k < results->disasters[i].count; k++) {
            const disaster *d = &results->disasters[i].items[k];
            csv_write_int(w, (int64_t)i);
            csv_write_str(w, disaster_kind_name(d->kind));
            csv_write_str(w, d->kind == DISASTER_CORRUPTION ? scenario_data_name(sc, d->domain)
                                                            : sc->domains[d->domain].name);
            csv_write_double(w, d->start_s);
            csv_write_double(w, d->restored_s);
            csv_write_double(w, d->restored_s - d->start_s);
            if (sc->has_data)
                csv_write_double(w, d->data_loss_s);
            else
                csv_write_empty(w);
            csv_write_int(w, d->hit_active ? 1 : 0);
            csv_write_int(w, d->censored ? 1 : 0);
            csv_end_row(w);
        }
    }
}

static char *join_path(const char *dir, const char *name)
{
    size_t size = strlen(dir) + strlen(name) + 2;
    char *path = malloc(size);
    if (path != NULL)
        snprintf(path, size, "%s/%s", dir, name);
    return path;
}

int report_write_csv(const char *dir, const scenario *sc, const run_results *results,
                     const run_summary *summary, char *err, size_t err_size)
{
    enum { SUMMARY, TRIALS, INCIDENTS, DISASTERS, N_FILES };
    static const char *const names[N_FILES] = {"summary.csv", "trials.csv", "incidents.csv",
                                               "disasters.csv"};
    if (outfile_make_dirs(dir, err, err_size) != 0)
        return -1;
    outfile files[N_FILES];
    memset(files, 0, sizeof files);
    int opened = 0;
    int result = 0;
    for (; opened < N_FILES; opened++) {
        char *path = join_path(dir, names[opened]);
        if (path == NULL || outfile_open(&files[opened], path, err, err_size) != 0) {
            if (path == NULL)
                snprintf(err, err_size, "out of memory");
            free(path);
            result = -1;
            break;
        }
        free(path);
    }
    if (result == 0) {
        csv_writer writers[N_FILES];
        for (int f = 0; f < N_FILES; f++)
            csv_writer_init(&writers[f], files[f].fp);
        write_summary(&writers[SUMMARY], summary, results);
        write_trials(&writers[TRIALS], sc, results, summary->horizon_s);
        write_incidents(&writers[INCIDENTS], sc, results);
        write_disasters(&writers[DISASTERS], sc, results);
        for (int f = 0; f < N_FILES; f++)
            if (writers[f].failed) {
                snprintf(err, err_size, "cannot write '%s/%s'", dir, names[f]);
                result = -1;
            }
    }
    /* all three or none: renames happen only once every file is complete */
    for (int f = 0; f < opened; f++) {
        if (result == 0) {
            if (outfile_commit(&files[f], err, err_size) != 0)
                result = -1;
        } else {
            outfile_abort(&files[f]);
        }
    }
    return result;
}

/* ---- plots ------------------------------------------------------------------------------ */

int report_write_plots(const char *dir, const scenario *sc, const run_results *results,
                       double horizon_s, char *err, size_t err_size)
{
    if (outfile_make_dirs(dir, err, err_size) != 0)
        return -1;
    size_t n = (size_t)results->trials;
    double years = horizon_s / DURATION_YEAR_S;
    double *downtime = malloc((n ? n : 1) * sizeof *downtime);
    if (downtime == NULL) {
        snprintf(err, err_size, "out of memory");
        return -1;
    }
    double mean_s = 0.0;
    for (size_t i = 0; i < n; i++)
        mean_s += results->records[i].downtime_s / years / (double)(n ? n : 1);
    bool hours = mean_s >= 2.0 * 3600.0;
    for (size_t i = 0; i < n; i++)
        downtime[i] = results->records[i].downtime_s / years / (hours ? 3600.0 : 60.0);

    char title[256];
    snprintf(title, sizeof title, "%s: downtime per trial-year (%zu trials)", sc->name, n);
    char *path = join_path(dir, "downtime.png");
    int result = path ? plot_histogram(path, title, hours ? "downtime per year (hours)"
                                                          : "downtime per year (minutes)",
                                       downtime, n, err, err_size)
                      : -1;
    free(path);
    free(downtime);
    if (result != 0)
        return -1;

    /* the first trial with incidents: an empty timeline teaches nothing */
    size_t shown = 0;
    while (shown + 1 < n && results->incidents[shown].count == 0)
        shown++;
    const incident_list *first = n > 0 ? &results->incidents[shown] : NULL;
    size_t count = first ? first->count : 0;
    plot_interval *intervals = malloc((count ? count : 1) * sizeof *intervals);
    char (*labels)[96] = malloc((count ? count : 1) * sizeof *labels);
    if (intervals == NULL || labels == NULL) {
        free(intervals);
        free(labels);
        snprintf(err, err_size, "out of memory");
        return -1;
    }
    for (size_t k = 0; k < count; k++) {
        intervals[k].start_s = first->items[k].start_s;
        intervals[k].end_s = first->items[k].end_s;
        intervals[k].label = incident_cause_name(sc, &first->items[k], labels[k], sizeof labels[k]);
    }
    snprintf(title, sizeof title, "%s: the %zu incident%s of trial %zu", sc->name, count,
             count == 1 ? "" : "s", shown);
    path = join_path(dir, "timeline.png");
    result = path ? plot_timeline(path, title, intervals, count, horizon_s, err, err_size) : -1;
    free(path);
    free(intervals);
    free(labels);
    return result;
}
