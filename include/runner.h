/*
 * runner — Monte Carlo trials spread over POSIX threads.
 *
 * Each worker thread owns a trial_world and takes the next trial number
 * from a shared atomic counter.  Trial i's record is stored at index i, so
 * the results, and every byte written from them, are the same whatever the
 * number of threads (SPEC §5).
 *
 * A progress bar is drawn on stderr when asked (the caller decides: stderr
 * a terminal, not --quiet), once the run has taken more than a second.
 *
 * Interrupts.  runner_catch_interrupts() makes SIGINT and SIGTERM stop a
 * run cleanly instead of killing the process: the handler only stores the
 * signal's number in runner_interrupt (a volatile sig_atomic_t); workers
 * check it before taking each trial, so they take no new trial and finish
 * the one they are running.  Every trial taken is finished, so the trials
 * completed are always a prefix, 0 .. N-1, of the M asked for.  With
 * cfg->partial_ok the run then returns 0 with those N records
 * (out->trials = N, out->requested = M, out->interrupted = the signal);
 * without it, -1 with "interrupted by SIGINT" in err.  The handler is
 * installed with SA_RESETHAND: a second signal has its default effect and
 * ends the process at once (docs/robustness.md).
 *
 * MPI (mpi_support.h, docs/cluster.md).  Built with DRSIM_MPI and run by
 * `mpirun -np P`, runner_run_range() divides records [0, cfg->trials)
 * into P contiguous slices, rank r taking [n r/P, n (r+1)/P); each rank
 * runs its slice with cfg->threads workers, and the ranks then exchange
 * the records, incidents and disasters, so that every rank returns the
 * same, complete run_results, identical to a single process's (record j is
 * still trial first_trial + j).  Every call is collective: all ranks make
 * the same calls in the same order, as they do by running the same
 * program on the same input.  Under mpirun or srun no interrupt is caught
 * (runner_catch_interrupts() does nothing): a signal ends the job.  The
 * progress bar is rank 0's, over its own slice.  On a single process
 * (P = 1, or built without MPI) nothing of this applies.
 *
 * Ownership: run_results owns its arrays; run_results_free() releases them.
 */
#ifndef DRSIM_RUNNER_H
#define DRSIM_RUNNER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scenario.h"
#include "trial.h"

#define RUNNER_MAX_THREADS 256

typedef struct run_config {
    uint64_t trials;
    uint64_t seed;
    double horizon_s;
    int threads;               /* 1..RUNNER_MAX_THREADS */
    bool progress;             /* draw a progress bar on stderr */
    bool partial_ok;           /* interrupted: return the completed trials, not -1 */
} run_config;

typedef struct run_results {
    uint64_t trials;           /* records in the arrays */
    trial_result *records;     /* [trials], in trial order */
    incident_list *incidents;  /* [trials]: each trial's incidents in time order */
    disaster_list *disasters;  /* [trials]: each trial's disasters in time order */
    double wall_s;             /* elapsed wall-clock time */
    uint64_t requested;        /* trials asked for (cfg->trials) */
    int interrupted;           /* the signal that cut the run short (trials < requested), or 0 */
} run_results;

/* The signal caught by the handler runner_catch_interrupts() installs, or 0. */
extern volatile sig_atomic_t runner_interrupt;

/* Installs that handler for SIGINT and SIGTERM.  0, or -1 (errno set).
 * In a job started by mpirun or srun (mpi_launched()) it installs nothing
 * and returns 0. */
int runner_catch_interrupts(void);

/* "SIGINT", "SIGTERM", or "signal N". */
const char *runner_signal_name(int signal_number);

/* Number of online processors (at least 1); under MPI, this rank's share
 * of them (mpi_default_threads). */
int runner_default_threads(void);

/* Runs cfg->trials trials.  0 on success; -1 with a message in err (out of
 * memory, a thread could not start), in which case *out is empty. */
int runner_run(const scenario *sc, const run_config *cfg, run_results *out, char *err,
               size_t err_size);

/* Runs the cfg->trials trials that follow first_trial: trials first_trial,
 * first_trial + 1, ...; record j is trial first_trial + j, the same record
 * runner_run() would store at index first_trial + j (a trial depends only
 * on the seed and its number).  So a long run can be made in pieces with
 * bounded memory.  Returns as runner_run() does. */
int runner_run_range(const scenario *sc, const run_config *cfg, uint64_t first_trial,
                     run_results *out, char *err, size_t err_size);

void run_results_free(run_results *results);

#endif
