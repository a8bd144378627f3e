/*
 * outfile — output files that appear whole or not at all (include/outfile.h).
 *
 * The temporary lives in the target's own directory ("PATH.tmp.PID"), so the
 * final rename(2) never crosses a file system and is atomic: a reader sees
 * the old PATH or the new one, never a mixture.  The temporary is created
 * exclusively ("wx"); if a stale one of the same name exists (a crashed run
 * whose PID came round again, or two outfiles for one PATH in one process)
 * a counter is appended ("PATH.tmp.PID.1", ...) rather than clobbering it.
 *
 * commit() flushes the stdio buffer, fsyncs, closes (where delayed write
 * errors such as ENOSPC surface) and only then renames.  A caller whose data
 * is written by another process (plot.c hands tmp_path to gnuplot) may
 * fclose f->fp itself and set it to NULL before writing; commit() then just
 * renames.
 *
 * Under MPI (mpi_support.h) only rank 0 writes.  On the other ranks, which
 * compute the same output, an outfile is a shadow: fp writes to /dev/null,
 * tmp_path is an empty private file in $TMPDIR (or /tmp) for a program such
 * as gnuplot to write, and commit or abort removes it and succeeds;
 * outfile_make_dirs() makes nothing.  So those ranks touch nothing beside
 * the real outputs (which may be on a file system they share with rank 0,
 * or not), and never fail where rank 0 succeeds.
 */
#include "outfile.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "mpi_support.h"

enum { TMP_NAME_ATTEMPTS = 100 };

static char *copy_string(const char *s)
{
    size_t len = strlen(s) + 1;
    char *copy = malloc(len);
    if (copy)
        memcpy(copy, s, len);
    return copy;
}

static void release(outfile *f)
{
    free(f->path);
    free(f->tmp_path);
    f->fp = NULL;
    f->path = NULL;
    f->tmp_path = NULL;
}

/* f->path, a copy of path, and room for a temporary name of tmp_size
 * bytes.  0, or -1 with a message and nothing allocated. */
static int alloc_paths(outfile *f, const char *path, size_t tmp_size, char *err, size_t err_size)
{
    f->path = copy_string(path);
    f->tmp_path = malloc(tmp_size);
    if (f->path == NULL || f->tmp_path == NULL) {
        release(f);
        snprintf(err, err_size, "cannot create '%s': %s", path, strerror(ENOMEM));
        return -1;
    }
    return 0;
}

/* A rank other than 0: see the head of this file. */
static int open_shadow(outfile *f, const char *path, char *err, size_t err_size)
{
    const char *dir = getenv("TMPDIR");
    if (dir == NULL || dir[0] == '\0')
        dir = "/tmp";
    size_t tmp_size = strlen(dir) + 64;
    if (alloc_paths(f, path, tmp_size, err, err_size) != 0)
        return -1;
    snprintf(f->tmp_path, tmp_size, "%s/drsim-rank%d-XXXXXX", dir, mpi_rank());
    int fd = mkstemp(f->tmp_path);
    if (fd < 0) {
        int saved = errno;
        snprintf(err, err_size, "cannot create '%s' (MPI rank %d): %s: %s", path, mpi_rank(),
                 f->tmp_path, strerror(saved));
        release(f);
        return -1;
    }
    close(fd);
    f->fp = fopen("/dev/null", "w");
    if (f->fp == NULL) {
        int saved = errno;
        unlink(f->tmp_path);
        snprintf(err, err_size, "cannot create '%s' (MPI rank %d): /dev/null: %s", path,
                 mpi_rank(), strerror(saved));
        release(f);
        return -1;
    }
    return 0;
}

int outfile_open(outfile *f, const char *path, char *err, size_t err_size)
{
    f->fp = NULL;
    f->path = NULL;
    f->tmp_path = NULL;
    if (path == NULL || path[0] == '\0') {
        snprintf(err, err_size, "cannot create '': empty file name");
        return -1;
    }
    if (!mpi_is_writer())
        return open_shadow(f, path, err, err_size);

    size_t tmp_size = strlen(path) + 64;
    if (alloc_paths(f, path, tmp_size, err, err_size) != 0)
        return -1;

    long pid = (long)getpid();
    for (int attempt = 0; attempt < TMP_NAME_ATTEMPTS; attempt++) {
        if (attempt == 0)
            snprintf(f->tmp_path, tmp_size, "%s.tmp.%ld", path, pid);
        else
            snprintf(f->tmp_path, tmp_size, "%s.tmp.%ld.%d", path, pid, attempt);
        errno = 0;
        f->fp = fopen(f->tmp_path, "wx");
        if (f->fp != NULL)
            return 0;
        if (errno != EEXIST)
            break;
    }
    int saved = errno;
    snprintf(err, err_size, "cannot create '%s': %s", path, strerror(saved));
    release(f);
    return -1;
}

int outfile_commit(outfile *f, char *err, size_t err_size)
{
    if (f->path == NULL) {
        snprintf(err, err_size, "output file already committed or aborted");
        return -1;
    }
    if (!mpi_is_writer()) { /* a shadow: rank 0 writes the real file */
        outfile_abort(f);
        return 0;
    }
    if (f->fp != NULL) {
        errno = 0;
        bool failed = fflush(f->fp) != 0 || ferror(f->fp);
        int saved = errno;
        if (!failed && fsync(fileno(f->fp)) != 0 && errno != EINVAL && errno != EROFS) {
            failed = true; /* EINVAL/EROFS: a special file that cannot sync */
            saved = errno;
        }
        if (fclose(f->fp) != 0 && !failed) {
            failed = true;
            saved = errno;
        }
        f->fp = NULL;
        if (failed) {
            snprintf(err, err_size, "cannot write '%s': %s", f->path,
                     saved ? strerror(saved) : "write error");
            unlink(f->tmp_path);
            release(f);
            return -1;
        }
    }
    if (rename(f->tmp_path, f->path) != 0) {
        int saved = errno;
        snprintf(err, err_size, "cannot rename '%s' to '%s': %s", f->tmp_path, f->path,
                 strerror(saved));
        unlink(f->tmp_path);
        release(f);
        return -1;
    }
    release(f);
    return 0;
}

void outfile_abort(outfile *f)
{
    if (f->fp != NULL)
        fclose(f->fp);
    if (f->tmp_path != NULL)
        unlink(f->tmp_path);
    release(f);
}

/* mkdir for one prefix of the path: succeeds when it is (now) a directory. */
static int make_one_dir(const char *prefix, const char *dir, char *err, size_t err_size)
{
    if (mkdir(prefix, 0777) == 0)
        return 0;
    int saved = errno;
    struct stat st;
    if (stat(prefix, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return 0;
        snprintf(err, err_size, "cannot create directory '%s': '%s' exists and is not a directory",
                 dir, prefix);
        return -1;
    }
    if (saved == EEXIST) /* a dangling symbolic link */
        snprintf(err, err_size, "cannot create directory '%s': '%s' is a broken link", dir,
                 prefix);
    else
        snprintf(err, err_size, "cannot create directory '%s': %s: %s", dir, prefix,
                 strerror(saved));
    return -1;
}

int outfile_make_dirs(const char *dir, char *err, size_t err_size)
{
    if (dir == NULL || dir[0] == '\0') {
        snprintf(err, err_size, "cannot create directory '': empty name");
        return -1;
    }
    if (!mpi_is_writer()) /* rank 0 makes them (see the head of this file) */
        return 0;
    char *prefix = copy_string(dir);
    if (prefix == NULL) {
        snprintf(err, err_size, "cannot create directory '%s': %s", dir, strerror(ENOMEM));
        return -1;
    }
    int rc = 0;
    /* Each '/' after a non-'/' ends a component: try every prefix in turn. */
    for (char *p = prefix + 1; *p != '\0' && rc == 0; p++) {
        if (*p == '/' && p[-1] != '/') {
            *p = '\0';
            rc = make_one_dir(prefix, dir, err, err_size);
            *p = '/';
        }
    }
    if (rc == 0)
        rc = make_one_dir(prefix, dir, err, err_size);
    free(prefix);
    return rc;
}
