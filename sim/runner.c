/* runner — see include/runner.h. */
#include "runner.h"

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
        return 1;
    return n > RUNNER_MAX_THREADS ? RUNNER_MAX_THREADS : (int)n;
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
        if (i >= run->cfg->trials)
            break;
        if (trial_run(world, run->cfg->seed, run->first_trial + i, run->cfg->horizon_s,
                      &run->out->records[i], &run->out->incidents[i],
                      &run->out->disasters[i]) != 0) {
            atomic_store(&run->failed, true);
            break;
        }
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

int runner_run_range(const scenario *sc, const run_config *cfg, uint64_t first_trial,
                     run_results *out, char *err, size_t err_size)
{
    memset(out, 0, sizeof *out);
    out->records = calloc(cfg->trials ? cfg->trials : 1, sizeof *out->records);
    out->incidents = calloc(cfg->trials ? cfg->trials : 1, sizeof *out->incidents);
    out->disasters = calloc(cfg->trials ? cfg->trials : 1, sizeof *out->disasters);
    if (out->records == NULL || out->incidents == NULL || out->disasters == NULL) {
        run_results_free(out);
        snprintf(err, err_size, "out of memory for %llu trials", (unsigned long long)cfg->trials);
        return -1;
    }
    out->trials = cfg->trials;
    out->requested = cfg->trials;

    shared_run run = {.sc = sc, .cfg = cfg, .out = out, .first_trial = first_trial};
    atomic_init(&run.next_trial, 0);
    atomic_init(&run.done, 0);
    atomic_init(&run.failed, false);

    int threads = cfg->threads < 1 ? 1 : cfg->threads;
    if ((uint64_t)threads > cfg->trials)
        threads = cfg->trials > 0 ? (int)cfg->trials : 1;
    pthread_t ids[RUNNER_MAX_THREADS];
    int started = 0;
    double start_s = monotonic_s();
    for (; started < threads; started++)
        if (pthread_create(&ids[started], NULL, worker, &run) != 0)
            break;
    if (started == 0) {
        run_results_free(out);
        snprintf(err, err_size, "cannot start a worker thread");
        return -1;
    }

    bool drew = false;
    while (cfg->progress) {
        uint64_t done = atomic_load(&run.done);
        if (done >= cfg->trials || atomic_load(&run.failed) || runner_interrupt != 0)
            break;
        double elapsed_s = monotonic_s() - start_s;
        if (elapsed_s > 1.0) {
            draw_progress(done, cfg->trials, elapsed_s);
            drew = true;
        }
        struct timespec pause = {0, 100 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    for (int t = 0; t < started; t++)
        pthread_join(ids[t], NULL);
    /* every trial taken has finished: the completed ones are 0 .. taken-1 */
    uint64_t taken = atomic_load(&run.next_trial);
    uint64_t completed = taken < cfg->trials ? taken : cfg->trials;
    if (drew) {
        draw_progress(completed, cfg->trials, monotonic_s() - start_s);
        fputc('\n', stderr);
    }
    out->wall_s = monotonic_s() - start_s;

    if (atomic_load(&run.failed)) {
        run_results_free(out);
        snprintf(err, err_size, "out of memory while simulating");
        return -1;
    }
    if (completed < cfg->trials) { /* only an interrupt stops the workers early */
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
