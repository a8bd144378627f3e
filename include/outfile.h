/*
 * outfile — output files that appear whole or not at all (SPEC §6).
 *
 * outfile_open() creates "PATH.tmp.PID" beside PATH; the caller writes to
 * f->fp; outfile_commit() flushes, closes and renames it over PATH;
 * outfile_abort() closes and removes the temporary.  So a reader never sees
 * a half-written PATH, and a failed run leaves PATH as it was.
 *
 * When the temporary name is taken, a ".N" suffix is added.  A caller may
 * fclose(f->fp) and set it to NULL to let another process write tmp_path
 * (plot.c lets gnuplot write there); commit then only renames.
 *
 * Ownership: the outfile owns fp and its path copies until commit or abort,
 * either of which releases everything (each is safe to call once).
 */
#ifndef DRSIM_OUTFILE_H
#define DRSIM_OUTFILE_H

#include <stddef.h>
#include <stdio.h>

typedef struct outfile {
    FILE *fp;
    char *path;
    char *tmp_path;
} outfile;

/* 0 on success; -1 with "cannot create 'PATH': reason" in err. */
int outfile_open(outfile *f, const char *path, char *err, size_t err_size);

/* 0 on success; -1 with a message in err (write error, rename failure),
 * in which case the temporary is removed and PATH is untouched. */
int outfile_commit(outfile *f, char *err, size_t err_size);

void outfile_abort(outfile *f);

/* mkdir -p.  0 on success, -1 with a message in err. */
int outfile_make_dirs(const char *dir, char *err, size_t err_size);

#endif
