/*
 * fuzz_demand — libFuzzer harness for the demand-trace CSV reader
 * (demand_load_trace, through a temporary file: the reader has no
 * in-memory entry point) and the queries a loaded trace answers.
 *
 * The input is the file; its length picks the options (repeat, growth), so
 * the seeds are plain trace files (tests/data/demand/).
 * Properties besides the sanitizers: a load fails exactly when it reported
 * a problem, leaving the profile untouched; a loaded trace's demand is
 * non-negative (and, without growth, finite, and the same with a cursor),
 * and so is its integral over the rows.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "demand.h"
#include "diag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static char path[4096];
static int fd = -1;

static void remove_file(void)
{
    if (path[0] != '\0')
        unlink(path);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/drsim-fuzz-demand.XXXXXX", dir ? dir : "/tmp");
    fd = mkstemp(path);
    if (fd < 0) {
        perror("fuzz_demand: mkstemp");
        abort();
    }
    atexit(remove_file);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned options = (unsigned)(size % 8);
    if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
        abort();

    static const double growths[4] = {0.0, 0.2, -0.5, 10.0};
    bool repeat = options & 1;
    double growth = growths[(options >> 1) & 3];

    diag_list diag;
    diag_init(&diag);
    demand_profile d;
    memset(&d, 0, sizeof d);
    d.rps = 42.0; /* "untouched" is checked below */
    bool ok = demand_load_trace(path, repeat, growth, 100000, "demand.trace", &diag, &d);
    if (ok != (diag_error_count(&diag) == 0))
        abort();
    if (!ok) {
        if (d.kind != DEMAND_CONSTANT || d.rps != 42.0)
            abort();
    } else {
        const demand_trace *tr = &d.trace;
        double from = tr->t_s[0], to = tr->t_s[tr->n - 1];
        double probes[] = {from - 86400.0, from, 0.5 * (from + to), to, to + 3600.0};
        size_t cursor = 0;
        for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++) {
            double v = demand_at(&d, probes[i]);
            double w = demand_at_cursor(&d, probes[i], &cursor);
            if (!isfinite(probes[i]))
                continue;
            if (!(v >= 0.0) || !(w >= 0.0))
                abort();
            if (growth == 0.0 && (isinf(v) || v != w))
                abort(); /* without growth D stays within the rows' values */
        }
        if (isfinite(from) && isfinite(to)) {
            double integral = demand_integral(&d, from, to);
            if (!(integral >= 0.0) && !(growth != 0.0 && isnan(integral)))
                abort();
            (void)demand_peak(&d, from, to);
            (void)demand_next_change(&d, from, 0.01);
        }
        demand_free(&d);
    }
    diag_free(&diag);
    return 0;
}
