/* runner — see include/runner.h. */
#include "runner.h"

#include "mpi_support.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct shared_run {
    const scenario *sc;
    const run_config *cfg;
    run_results *out;
    uint64_t first_trial;      /* record j is trial first_trial + j */
    uint64_t end;              /* this process's slice is records [start, end) */
    atomic_uint_fast64_t next_trial;
    atomic_uint_fast64_t done;
    atomic_bool failed;
} shared_run;

volatile sig_atomic_t runner_interrupt = 0;

/* Async-signal-safe: it only stores the number (SA_RESETHAND restores the
 * default action, so a second signal ends the process). */
static void on_interrupt(int signal_number)
{
    runner_interrupt = signal_number;
}

int runner_catch_interrupts(void)
{
    /* Under mpirun or srun the signal keeps its default effect: the ranks
     * could not agree on where it cut the run, and the launcher kills them
     * soon after forwarding it (mpi_launched(), docs/cluster.md). */
    if (mpi_launched())
        return 0;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_interrupt;
    sigemptyset(&action.sa_mask);
    /* SA_RESTART: reads and writes in progress are not cut short by EINTR */
    action.sa_flags = SA_RESETHAND | SA_RESTART;
    if (sigaction(SIGINT, &action, NULL) != 0 || sigaction(SIGTERM, &action, NULL) != 0)
        return -1;
    return 0;
}

const char *runner_signal_name(int signal_number)
{
    static char other[32];
    switch (signal_number) {
    case SIGINT:
        return "SIGINT";
    case SIGTERM:
        return "SIGTERM";
    default:
        snprintf(other, sizeof other, "signal %d", signal_number);
        return other;
    }
}

static double monotonic_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int runner_default_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        n = 1;
    if (n > RUNNER_MAX_THREADS)
        n = RUNNER_MAX_THREADS;
    int threads = mpi_default_threads((int)n);
    return threads < 1 ? 1 : threads > RUNNER_MAX_THREADS ? RUNNER_MAX_THREADS : threads;
}

static void *worker(void *arg)
{
    shared_run *run = arg;
    trial_world *world = trial_world_create(run->sc);
    if (world == NULL) {
        atomic_store(&run->failed, true);
        return NULL;
    }
    for (;;) {
        if (atomic_load_explicit(&run->failed, memory_order_relaxed))
            break;
        if (runner_interrupt != 0) /* take no new trial; the ones taken all finish */
            break;
        uint64_t i = atomic_fetch_add(&run->next_trial, 1);
        if (i >= run->end)
            break;
        if (trial_run(world, run->cfg->seed, run->first_trial + i, run->cfg->horizon_s,
                      &run->out->records[i], &run->out->incidents[i],
                      &run->out->disasters[i]) != 0) {
            atomic_store(&run->failed, true);
            break;
        }
        /* kept until the report: only what the trial filled (docs/performance.md) */
        incident_list_fit(&run->out->incidents[i]);
        disaster_list_fit(&run->out->disasters[i]);
        atomic_fetch_add_explicit(&run->done, 1, memory_order_relaxed);
    }
    trial_world_destroy(world);
    return NULL;
}

static void draw_progress(uint64_t done, uint64_t total, double elapsed_s)
{
    const int width = 40;
    double fraction = total ? (double)done / (double)total : 1.0;
    int filled = (int)(fraction * width);
    char bar[64];
    for (int i = 0; i < width; i++)
        bar[i] = i < filled ? '#' : '.';
    bar[width] = '\0';
    double eta_s = fraction > 0 ? elapsed_s * (1.0 - fraction) / fraction : 0.0;
    fprintf(stderr, "\r[%s] %3.0f%%  %llu/%llu trials  %.0f s left ", bar, 100.0 * fraction,
            (unsigned long long)done, (unsigned long long)total, eta_s);
    fflush(stderr);
}

int runner_run(const scenario *sc, const run_config *cfg, run_results *out, char *err,
               size_t err_size)
{
    return runner_run_range(sc, cfg, 0, out, err, err_size);
}

/* Runs records [start, end) of out (trials first_trial + start, ...) with
 * cfg->threads workers.  0, with *completed the trials finished from
 * start on (fewer than end - start only after an interrupt); or -1 with a
 * message in err. */
static int run_slice(const scenario *sc, const run_config *cfg, uint64_t first_trial,
                     uint64_t start, uint64_t end, run_results *out, uint64_t *completed,
                     char *err, size_t err_size)
{
    *completed = 0;
    uint64_t count = end - start;
    if (count == 0)
        return 0;
    shared_run run = {.sc = sc, .cfg = cfg, .out = out, .first_trial = first_trial, .end = end};
    atomic_init(&run.next_trial, start);
    atomic_init(&run.done, 0);
    atomic_init(&run.failed, false);

    int threads = cfg->threads < 1 ? 1 : cfg->threads;
    if ((uint64_t)threads > count)
        threads = (int)count;
    pthread_t ids[RUNNER_MAX_THREADS];
    int started = 0;
    double start_s = monotonic_s();
    for (; started < threads; started++)
        if (pthread_create(&ids[started], NULL, worker, &run) != 0)
            break;
    if (started == 0) {
        snprintf(err, err_size, "cannot start a worker thread");
        return -1;
    }

    /* under MPI the bar shows rank 0's own slice */
    bool progress = cfg->progress && mpi_is_writer();
    bool drew = false;
    while (progress) {
        uint64_t done = atomic_load(&run.done);
        if (done >= count || atomic_load(&run.failed) || runner_interrupt != 0)
            break;
        double elapsed_s = monotonic_s() - start_s;
        if (elapsed_s > 1.0) {
            draw_progress(done, count, elapsed_s);
            drew = true;
        }
        struct timespec pause = {0, 100 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    for (int t = 0; t < started; t++)
        pthread_join(ids[t], NULL);
    /* every trial taken has finished: the completed ones are start .. taken-1 */
    uint64_t taken = atomic_load(&run.next_trial);
    *completed = (taken < end ? taken : end) - start;
    if (drew) {
        draw_progress(*completed, count, monotonic_s() - start_s);
        fputc('\n', stderr);
    }
    if (atomic_load(&run.failed)) {
        snprintf(err, err_size, "out of memory while simulating");
        return -1;
    }
    return 0;
}

/* Records [0, n) divided among `ranks` processes: rank r has [n r/P, n (r+1)/P). */
static uint64_t slice_start(uint64_t n, int rank, int ranks)
{
    /* n <= SCENARIO_MAX_TRIALS (1e8) and ranks < 2^31: the product fits in 64 bits */
    return n * (uint64_t)rank / (uint64_t)ranks;
}

/* Under MPI: every rank has run its slice of out's records; afterwards
 * every rank holds all of them.  Each rank in turn broadcasts its records,
 * then its trials' incident and disaster counts, then (once every rank has
 * found the memory to receive them) the incidents and disasters themselves,
 * flattened.  0, or -1 with a message in err (every rank returns the same). */
static int share_results(run_results *out, uint64_t *counts, char *err, size_t err_size)
{
    const uint64_t n = out->trials;
    const int ranks = mpi_size(), me = mpi_rank();
    for (int r = 0; r < ranks; r++) {
        uint64_t a = slice_start(n, r, ranks), b = slice_start(n, r + 1, ranks);
        if (r == me)
            for (uint64_t i = a; i < b; i++) {
                counts[2 * i] = out->incidents[i].count;
                counts[2 * i + 1] = out->disasters[i].count;
            }
        if (mpi_bcast_bytes(out->records + a, (b - a) * sizeof *out->records, r) != 0 ||
            mpi_bcast_bytes(counts + 2 * a, (b - a) * 2 * sizeof *counts, r) != 0) {
            snprintf(err, err_size, "MPI exchange of results failed");
            return -1;
        }
    }

    /* room for every other rank's lists, and for the largest slice flattened */
    size_t scratch_size = 0;
    bool ok = true;
    for (int r = 0; r < ranks; r++) {
        uint64_t a = slice_start(n, r, ranks), b = slice_start(n, r + 1, ranks);
        size_t bytes = 0;
        for (uint64_t i = a; i < b; i++) {
            bytes += counts[2 * i] * sizeof(incident) + counts[2 * i + 1] * sizeof(disaster);
            if (r == me || !ok)
                continue;
            incident_list *il = &out->incidents[i];
            disaster_list *dl = &out->disasters[i];
            if (counts[2 * i] > 0) {
                il->items = malloc(counts[2 * i] * sizeof *il->items);
                ok = ok && il->items != NULL;
                il->capacity = il->items != NULL ? counts[2 * i] : 0;
            }
            if (counts[2 * i + 1] > 0) {
                dl->items = malloc(counts[2 * i + 1] * sizeof *dl->items);
                ok = ok && dl->items != NULL;
                dl->capacity = dl->items != NULL ? counts[2 * i + 1] : 0;
            }
        }
        if (bytes > scratch_size)
            scratch_size = bytes;
    }
    char *scratch = ok ? malloc(scratch_size ? scratch_size : 1) : NULL;
    int agreed = mpi_agree(scratch != NULL ? MPI_STATE_OK : MPI_STATE_FAILED);
    if (agreed != MPI_STATE_OK) {
        free(scratch);
        snprintf(err, err_size, "out of memory while gathering the results of %llu trials",
                 (unsigned long long)n);
        return -1;
    }

    for (int r = 0; r < ranks; r++) {
        uint64_t a = slice_start(n, r, ranks), b = slice_start(n, r + 1, ranks);
        size_t bytes = 0;
        for (uint64_t i = a; i < b; i++) {
            size_t il_bytes = counts[2 * i] * sizeof(incident);
            size_t dl_bytes = counts[2 * i + 1] * sizeof(disaster);
            if (r == me) {
                if (il_bytes)
                    memcpy(scratch + bytes, out->incidents[i].items, il_bytes);
                if (dl_bytes)
                    memcpy(scratch + bytes + il_bytes, out->disasters[i].items, dl_bytes);
            }
            bytes += il_bytes + dl_bytes;
        }
        if (mpi_bcast_bytes(scratch, bytes, r) != 0) {
            free(scratch);
            snprintf(err, err_size, "MPI exchange of results failed");
            return -1;
        }
        if (r == me)
            continue;
        bytes = 0;
        for (uint64_t i = a; i < b; i++) {
            size_t il_bytes = counts[2 * i] * sizeof(incident);
            size_t dl_bytes = counts[2 * i + 1] * sizeof(disaster);
            if (il_bytes)
                memcpy(out->incidents[i].items, scratch + bytes, il_bytes);
            if (dl_bytes)
                memcpy(out->disasters[i].items, scratch + bytes + il_bytes, dl_bytes);
            out->incidents[i].count = counts[2 * i];
            out->disasters[i].count = counts[2 * i + 1];
            bytes += il_bytes + dl_bytes;
        }
    }
    free(scratch);
    return 0;
}

static const char *why_not_agreed(int agreed)
{
    return agreed == MPI_STATE_LEFT
               ? "another MPI process stopped early (only rank 0 prints; run with -np 1 to see why)"
               : "out of memory in another MPI process";
}

int runner_run_range(const scenario *sc, const run_config *cfg, uint64_t first_trial,
                     run_results *out, char *err, size_t err_size)
{
    const int ranks = mpi_size();
    const uint64_t n = cfg->trials;
    double start_s = monotonic_s();
    memset(out, 0, sizeof *out);
    out->records = calloc(n ? n : 1, sizeof *out->records);
    out->incidents = calloc(n ? n : 1, sizeof *out->incidents);
    out->disasters = calloc(n ? n : 1, sizeof *out->disasters);
    /* under MPI: each trial's incident and disaster counts, for the exchange */
    uint64_t *counts = ranks > 1 ? calloc(2 * (n ? n : 1), sizeof *counts) : NULL;
    out->trials = n;
    out->requested = n;
    bool allocated = out->records != NULL && out->incidents != NULL && out->disasters != NULL &&
                     (ranks == 1 || counts != NULL);
    if (!allocated)
        snprintf(err, err_size, "out of memory for %llu trials", (unsigned long long)n);
    if (ranks > 1) { /* before hours of simulation: is every rank here, and ready? */
        int agreed = mpi_agree(allocated ? MPI_STATE_OK : MPI_STATE_FAILED);
        if (agreed != MPI_STATE_OK) {
            if (allocated)
                snprintf(err, err_size, "%s", why_not_agreed(agreed));
            allocated = false;
        }
    }
    if (!allocated) {
        free(counts);
        run_results_free(out);
        return -1;
    }

    uint64_t start = slice_start(n, mpi_rank(), ranks), end = slice_start(n, mpi_rank() + 1, ranks);
    uint64_t completed;
    int rc = run_slice(sc, cfg, first_trial, start, end, out, &completed, err, err_size);
    if (ranks > 1) {
        /* no interrupt is caught under MPI (runner_catch_interrupts), so a
         * slice that succeeded is whole */
        int agreed = mpi_agree(rc == 0 ? MPI_STATE_OK : MPI_STATE_FAILED);
        if (agreed != MPI_STATE_OK) {
            if (rc == 0)
                snprintf(err, err_size, "%s", why_not_agreed(agreed));
            rc = -1;
        } else {
            rc = share_results(out, counts, err, err_size);
        }
        free(counts);
        if (rc != 0) {
            run_results_free(out);
            return -1;
        }
        out->wall_s = monotonic_s() - start_s;
        return 0;
    }

    out->wall_s = monotonic_s() - start_s;
    if (rc != 0) {
        run_results_free(out);
        return -1;
    }
    if (completed < n) { /* only an interrupt stops the workers early */
        int signal_number = runner_interrupt;
        if (!cfg->partial_ok) {
            run_results_free(out);
            snprintf(err, err_size, "interrupted by %s", runner_signal_name(signal_number));
            return -1;
        }
        out->trials = completed; /* the records past it were never written */
        out->interrupted = signal_number;
    }
    return 0;
}

void run_results_free(run_results *results)
{
    for (uint64_t i = 0; i < results->trials; i++) {
        if (results->incidents != NULL)
            incident_list_free(&results->incidents[i]);
        if (results->disasters != NULL)
            disaster_list_free(&results->disasters[i]);
    }
    free(results->incidents);
    free(results->disasters);
    free(results->records);
    memset(results, 0, sizeof *results);
}
