/*
 * plot — figures drawn by gnuplot, run as a separate process.
 *
 * gnuplot is found as $DRSIM_GNUPLOT when set (a program path, no
 * arguments), else `gnuplot` on PATH.  The output directory must exist.
 * Errors read "cannot plot 'PATH': gnuplot: <its last stderr line>".  Data
 * goes to gnuplot inline as datablocks ($data << EOD), so no data files are
 * left behind.  The figure is drawn into a temporary file and renamed into
 * place only when gnuplot exits 0 and the file is non-empty (outfile.h).
 * The format follows the path's extension: .png (pngcairo) or .svg.
 *
 * When gnuplot is missing every function returns -1 with "gnuplot not found
 * (install gnuplot-nox, or set DRSIM_GNUPLOT)" in err; the caller says so
 * and goes on: plots are never needed for the rest of a run.
 */
#ifndef DRSIM_PLOT_H
#define DRSIM_PLOT_H

#include <stdbool.h>
#include <stddef.h>

/* The gnuplot command to run ($DRSIM_GNUPLOT or "gnuplot"), and whether it runs. */
const char *plot_gnuplot_command(void);
bool plot_gnuplot_available(void);

/* Histogram of values (e.g. downtime per trial-year in hours), bins chosen
 * from the data.  0 on success, -1 with a message in err. */
int plot_histogram(const char *path, const char *title, const char *x_label,
                   const double *values, size_t n, char *err, size_t err_size);

/* One bar per interval [start_s, end_s) on a time axis of [0, horizon_s],
 * shown in days, with the interval's label (e.g. the cause) beside it when
 * there are few intervals.  n may be 0 (an empty timeline says so). */
typedef struct plot_interval {
    double start_s, end_s;
    const char *label;
} plot_interval;

int plot_timeline(const char *path, const char *title, const plot_interval *intervals,
                  size_t n, double horizon_s, char *err, size_t err_size);

/* Labelled points, e.g. each strategy's cost against its RTO; the x axis
 * is logarithmic when log_x (values must then be > 0; others are left
 * out).  n may be 0. */
typedef struct plot_point {
    double x, y;
    const char *label;
} plot_point;

int plot_scatter(const char *path, const char *title, const char *x_label, const char *y_label,
                 const plot_point *points, size_t n, bool log_x, char *err, size_t err_size);

/* Lines over a shared x axis (e.g. an experiment's error rate and healthy
 * capacity against minutes), with labelled vertical markers (the moments
 * actions begin and end, alarms fire).  NaN values are gaps.  n may be 0. */
typedef struct plot_line {
    const char *name;
    const double *y;              /* [n] */
} plot_line;

typedef struct plot_marker {
    double x;
    const char *label;
} plot_marker;

int plot_lines(const char *path, const char *title, const char *x_label, const char *y_label,
               const double *x, size_t n, const plot_line *lines, size_t n_lines,
               const plot_marker *markers, size_t n_markers, char *err, size_t err_size);

#endif
