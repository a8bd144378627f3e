/* mpi_support — see include/mpi_support.h; docs/cluster.md for the user's account. */
#ifdef DRSIM_MPI
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#endif
#include "mpi_support.h"

#include <stdio.h>

#ifdef DRSIM_MPI
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>

#include <mpi.h>

static int rank_cached = 0;
static int size_cached = 1;
static int local_size_cached = 1;
static bool active;      /* MPI_Init done by us and MPI_Finalize not yet */
static bool peer_left;   /* a rank has left: no more collectives */
static bool launched;    /* started by mpirun or srun */

int mpi_support_init(int *argc, char ***argv)
{
    static const char *const launcher_variables[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK",
                                                     "PMI_SIZE", "SLURM_PROCID"};
    for (size_t i = 0; i < sizeof launcher_variables / sizeof launcher_variables[0]; i++)
        launched = launched || getenv(launcher_variables[i]) != NULL;
    int provided = 0;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
        fprintf(stderr, "drsim: MPI_Init failed\n");
        return -1;
    }
    active = true;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_cached);
    MPI_Comm_size(MPI_COMM_WORLD, &size_cached);
    MPI_Comm local;
    if (MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &local) ==
        MPI_SUCCESS) {
        MPI_Comm_size(local, &local_size_cached);
        MPI_Comm_free(&local);
    }
    if (rank_cached != 0) {
        /* every rank computes the same; rank 0 speaks for all of them */
        fflush(stdout);
        fflush(stderr);
        int null_fd = open("/dev/null", O_WRONLY);
        if (null_fd >= 0) {
            dup2(null_fd, STDOUT_FILENO);
            dup2(null_fd, STDERR_FILENO);
            if (null_fd > STDERR_FILENO)
                close(null_fd);
        }
    }
    return 0;
}

void mpi_support_finish(void)
{
    if (!active)
        return;
    fflush(stdout);
    fflush(stderr);
    if (size_cached > 1 && !peer_left) {
        /* meets the exchange any other rank is still waiting in (see the header) */
        int state = MPI_STATE_LEFT, agreed = MPI_STATE_LEFT;
        MPI_Allreduce(&state, &agreed, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
        peer_left = true;
    }
    MPI_Finalize();
    active = false;
}

int mpi_rank(void)
{
    return active ? rank_cached : 0;
}

int mpi_size(void)
{
    return active ? size_cached : 1;
}

bool mpi_launched(void)
{
    return active && (launched || size_cached > 1);
}

bool mpi_is_writer(void)
{
    return mpi_rank() == 0;
}

int mpi_default_threads(int online)
{
    if (mpi_size() <= 1)
        return online;
    /* the node's share, and no more than the processors this rank is bound
     * to (mpirun binds to a core, or to a socket shared with other ranks) */
    int share = online / (local_size_cached > 0 ? local_size_cached : 1);
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        int bound = CPU_COUNT(&set);
        if (bound >= 1 && bound < share)
            share = bound;
    }
    return share < 1 ? 1 : share;
}

int mpi_agree(int state)
{
    if (mpi_size() <= 1)
        return state;
    if (peer_left)
        return MPI_STATE_LEFT;
    int agreed = MPI_STATE_LEFT;
    if (MPI_Allreduce(&state, &agreed, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD) != MPI_SUCCESS)
        agreed = MPI_STATE_LEFT;
    if (agreed == MPI_STATE_LEFT)
        peer_left = true;
    return agreed;
}

int mpi_bcast_bytes(void *buf, size_t bytes, int root)
{
    if (mpi_size() <= 1)
        return 0;
    const size_t piece = (size_t)1 << 30;
    char *p = buf;
    while (bytes > 0) {
        size_t n = bytes < piece ? bytes : piece;
        if (MPI_Bcast(p, (int)n, MPI_BYTE, root, MPI_COMM_WORLD) != MPI_SUCCESS)
            return -1;
        p += n;
        bytes -= n;
    }
    return 0;
}

#else /* one process, no MPI */

int mpi_support_init(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

void mpi_support_finish(void)
{
}

int mpi_rank(void)
{
    return 0;
}

int mpi_size(void)
{
    return 1;
}

bool mpi_launched(void)
{
    return false;
}

bool mpi_is_writer(void)
{
    return true;
}

int mpi_default_threads(int online)
{
    return online;
}

int mpi_agree(int state)
{
    return state;
}

int mpi_bcast_bytes(void *buf, size_t bytes, int root)
{
    (void)buf;
    (void)bytes;
    (void)root;
    return 0;
}

#endif
