/*
 * mpi_support — drsim over several processes with MPI (docs/cluster.md).
 *
 * Built with -DDRSIM_MPI (`make MPI=1`), drsim runs under `mpirun -np N`
 * (or `srun`): every process, or rank, parses the same command line, loads
 * the same scenario and takes the same path through the program.  The
 * runner (runner.h) is the only place the ranks divide work: each runs a
 * contiguous slice of the trials and they exchange the results, so that
 * every rank then holds all of them and goes on identically.  Only rank 0
 * writes: the others' stdout and stderr go to /dev/null, and their output
 * files (outfile.h) to nowhere.
 *
 * Built without DRSIM_MPI, and whenever MPI_Init has not been called (unit
 * tests), every function here behaves as rank 0 of 1: no MPI call is made.
 *
 * Agreement.  A rank that stops early (rank 0 could not create an output
 * directory, say) must not leave the others waiting for it in an exchange
 * for ever.  So every exchange of the runner begins with mpi_agree(), an
 * all-reduce (maximum) of one state: MPI_STATE_OK, MPI_STATE_FAILED (out of
 * memory on this rank) or MPI_STATE_LEFT.  A rank that leaves the program
 * calls, in mpi_support_finish(), the same all-reduce with MPI_STATE_LEFT,
 * so it meets whatever exchange the others are waiting in; they see LEFT,
 * fail that run ("another MPI process stopped early") and leave in turn
 * without another round.  Once LEFT is seen, mpi_agree() returns it at
 * once, without MPI.
 *
 * Data is exchanged as bytes (mpi_bcast_bytes): the ranks must run the same
 * binary on the same architecture, as MPI jobs of one program do.
 *
 * Threads: MPI is initialised with MPI_THREAD_FUNNELED: only the main
 * thread calls MPI; the runner's worker threads never do.
 */
#ifndef DRSIM_MPI_SUPPORT_H
#define DRSIM_MPI_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>

enum { MPI_STATE_OK = 0, MPI_STATE_FAILED = 1, MPI_STATE_LEFT = 2 };

/* MPI_Init_thread; on ranks > 0, stdout and stderr then go to /dev/null.
 * Without DRSIM_MPI it does nothing.  0, or -1 with a message on stderr. */
int mpi_support_init(int *argc, char ***argv);

/* The farewell agreement (see above), then MPI_Finalize.  Safe to call
 * when not initialised, and more than once. */
void mpi_support_finish(void);

/* This process's rank (0 when not under MPI) and the number of ranks (1). */
int mpi_rank(void);
int mpi_size(void);

/* True for a process of a job that mpirun or srun started (any number of
 * ranks, even one; told by OMPI_COMM_WORLD_SIZE, PMIX_RANK, PMI_SIZE or
 * SLURM_PROCID at start), false for a single process started by hand or
 * built without MPI.  Only the latter catches SIGINT and SIGTERM: the
 * launcher forwards a signal to its ranks and soon kills them, so a clean
 * stop could not finish there anyway (runner.h, docs/cluster.md). */
bool mpi_launched(void);

/* Rank 0: the one process that prints and writes files. */
bool mpi_is_writer(void);

/* Worker threads by default for a machine with `online` processors: all
 * of them for a single process; under MPI, `online` divided by the ranks
 * on this node, and at most the processors this rank is bound to. */
int mpi_default_threads(int online);

/* The maximum of every rank's state (MPI_STATE_*); the state itself on a
 * single process.  Collective: every rank must call it. */
int mpi_agree(int state);

/* Rank `root` sends `bytes` bytes at buf to every rank (MPI_Bcast in
 * pieces of at most 1 GiB, so any size fits MPI's int counts).
 * Collective.  0, or -1 when MPI reports an error. */
int mpi_bcast_bytes(void *buf, size_t bytes, int root);

#endif
