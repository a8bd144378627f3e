/* experiment_report — what an experiment prints and draws (include/experiment.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "csvout.h"
#include "duration.h"
#include "experiment.h"
#include "outfile.h"
#include "plot.h"
#include "trial.h"

static void print_duration(FILE *out, const char *label, double s, const char *missing)
{
    char text[32];
    fprintf(out, "  %-18s %s\n", label, isnan(s) ? missing : duration_format(s, text, sizeof text));
}

void experiment_print_summary(FILE *out, const experiment *ex, const experiment_run *run)
{
    fprintf(out, "\nexperiment %s: %s%s%s\n", ex->template_id ? ex->template_id : ex->file,
            experiment_status_name(run->status), run->reason[0] ? " — " : "", run->reason);
    if (!run->faulted) {
        fprintf(out, "  no fault was injected\n");
        return;
    }
    print_duration(out, "time to detect", run->time_to_detect_s, "no detection");
    print_duration(out, "time to recover", run->time_to_recover_s, "not recovered by the end");
    fprintf(out, "  %-18s %.4g%%\n", "peak error rate", 100.0 * run->peak_error_rate);
    if (!isnan(run->requests_failed))
        fprintf(out, "  %-18s %.0f\n", "requests failed", run->requests_failed);
    print_duration(out, "data lost", run->data_lost_s, "none measured");
}

int experiment_plot(const experiment *ex, const experiment_run *run, const char *path, char *err,
                    size_t err_size)
{
    size_t n = run->n_samples;
    double *x = malloc((n + 1) * sizeof *x);
    double *errors = malloc((n + 1) * sizeof *errors);
    double *capacity = malloc((n + 1) * sizeof *capacity);
    plot_marker *markers = malloc((run->n_timeline + 1) * sizeof *markers);
    char **labels = calloc(run->n_timeline + 1, sizeof *labels);
    int rc = -1;
    if (x && errors && capacity && markers && labels) {
        for (size_t i = 0; i < n; i++) {
            x[i] = run->samples[i].t_s / 60.0;
            errors[i] = 100.0 * run->samples[i].value[METRIC_ERROR_RATE];
            capacity[i] = 100.0 * run->samples[i].value[METRIC_HEALTHY_CAPACITY];
        }
        size_t n_markers = 0;
        for (size_t i = 0; i < run->n_timeline; i++) {
            const timeline_entry *e = &run->timeline[i];
            const char *verb = e->kind == EVENT_INJECT && strstr(e->detail, "starts") ? "starts"
                               : e->kind == EVENT_ROLLBACK                             ? "ends"
                               : e->kind == EVENT_ALARM && strstr(e->detail, "ALARM")   ? "ALARM"
                                                                                       : NULL;
            if (verb == NULL || strstr(e->detail, "nothing to do") != NULL)
                continue;
            size_t size = strlen(e->target) + 16;
            labels[n_markers] = malloc(size);
            if (labels[n_markers] == NULL)
                break;
            snprintf(labels[n_markers], size, "%s %s", e->target, verb);
            markers[n_markers].x = e->t_s / 60.0;
            markers[n_markers].label = labels[n_markers];
            n_markers++;
        }
        plot_line lines[2] = {{"error rate (%)", errors},
                              {"healthy capacity (% of demand)", capacity}};
        char title[256];
        snprintf(title, sizeof title, "%s: %s", ex->template_id ? ex->template_id : ex->file,
                 experiment_status_name(run->status));
        rc = plot_lines(path, title, "minutes since the experiment's start", "percent", x, n,
                        lines, 2, markers, n_markers, err, err_size);
        for (size_t i = 0; i < n_markers; i++)
            free(labels[i]);
    } else {
        snprintf(err, err_size, "cannot plot '%s': out of memory", path);
    }
    free(x);
    free(errors);
    free(capacity);
    free(markers);
    free(labels);
    return rc;
}

/* The outcomes by column, in the order they are printed. */
typedef struct outcome {
    const char *name, *column;
    double (*get)(const experiment_run *r);
    bool is_duration, is_percent;
} outcome;

static double get_detect(const experiment_run *r) { return r->time_to_detect_s; }
static double get_recover(const experiment_run *r) { return r->time_to_recover_s; }
static double get_peak(const experiment_run *r) { return r->peak_error_rate; }
static double get_failed(const experiment_run *r) { return r->requests_failed; }
static double get_lost(const experiment_run *r) { return r->data_lost_s; }

static const outcome OUTCOMES[] = {
    {"time to detect", "time_to_detect_s", get_detect, true, false},
    {"time to recover", "time_to_recover_s", get_recover, true, false},
    {"peak error rate", "peak_error_rate", get_peak, false, true},
    {"requests failed", "requests_failed", get_failed, false, false},
    {"data lost", "data_lost_s", get_lost, true, false},
};

static void format_outcome(const outcome *o, double v, char *buf, size_t size)
{
    if (isnan(v))
        snprintf(buf, size, "-");
    else if (o->is_duration)
        duration_format(v, buf, size);
    else if (o->is_percent)
        snprintf(buf, size, "%.3g%%", 100.0 * v);
    else
        snprintf(buf, size, "%.0f", v);
}

void experiment_print_distribution(FILE *out, const experiment_run *runs, size_t n, uint64_t seed)
{
    size_t status_count[4] = {0};
    for (size_t i = 0; i < n; i++)
        status_count[runs[i].status]++;
    fprintf(out, "\n%zu runs (seed %llu, repeats 0..%zu):", n, (unsigned long long)seed, n - 1);
    for (int s = 0; s < 4; s++)
        if (status_count[s] > 0)
            fprintf(out, " %zu %s", status_count[s], experiment_status_name((experiment_status)s));
    fprintf(out, "\n\n  %-16s %8s %10s %10s %10s %10s\n", "outcome", "runs", "mean", "p50", "p95",
            "max");
    double *values = malloc((n + 1) * sizeof *values);
    if (values == NULL)
        return;
    for (size_t k = 0; k < sizeof OUTCOMES / sizeof OUTCOMES[0]; k++) {
        const outcome *o = &OUTCOMES[k];
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            double v = o->get(&runs[i]);
            if (!isnan(v))
                values[m++] = v;
        }
        char mean[32] = "-", p50[32] = "-", p95[32] = "-", max[32] = "-";
        if (m > 0) {
            gsl_sort(values, 1, m);
            format_outcome(o, gsl_stats_mean(values, 1, m), mean, sizeof mean);
            format_outcome(o, gsl_stats_quantile_from_sorted_data(values, 1, m, 0.5), p50, sizeof p50);
            format_outcome(o, gsl_stats_quantile_from_sorted_data(values, 1, m, 0.95), p95, sizeof p95);
            format_outcome(o, values[m - 1], max, sizeof max);
        }
        fprintf(out, "  %-16s %8zu %10s %10s %10s %10s\n", o->name, m, mean, p50, p95, max);
    }
    free(values);
}

int experiment_write_repeats_csv(const experiment_run *runs, size_t n, const char *path, char *err,
                                 size_t err_size)
{
    outfile f;
    if (outfile_open(&f, path, err, err_size) != 0)
        return -1;
    csv_writer cw;
    csv_writer_init(&cw, f.fp);
    csv_write_str(&cw, "repeat");
    csv_write_str(&cw, "status");
    for (size_t k = 0; k < sizeof OUTCOMES / sizeof OUTCOMES[0]; k++)
        csv_write_str(&cw, OUTCOMES[k].column);
    csv_write_str(&cw, "reason");
    csv_end_row(&cw);
    for (size_t i = 0; i < n; i++) {
        csv_write_int(&cw, (int64_t)i);
        csv_write_str(&cw, experiment_status_name(runs[i].status));
        for (size_t k = 0; k < sizeof OUTCOMES / sizeof OUTCOMES[0]; k++)
            csv_write_double(&cw, OUTCOMES[k].get(&runs[i]));
        csv_write_str(&cw, runs[i].reason);
        csv_end_row(&cw);
    }
    return outfile_commit(&f, err, err_size);
}
