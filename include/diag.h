/*
 * diag — the one place that formats diagnostics (after Lua's luaL_where).
 *
 * Every problem with an input becomes one line:
 *
 *     FILE:LINE:COL: error: KEY.PATH: message
 *
 * LINE and COL are 1-based (libyaml's marks are 0-based: callers pass them
 * as they are and diag adds 1).  The key path names where in the scenario
 * the problem is ("components[2].repair"); it is left out when empty, and
 * the position is left out when there is none (a missing file).
 * A list keeps going after an error so one run reports several problems;
 * it stores at most DIAG_MAX_ERRORS lines and counts the rest.
 *
 * Ownership: a diag_list owns its messages; diag_free() releases them.
 */
#ifndef DRSIM_DIAG_H
#define DRSIM_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define DIAG_MAX_ERRORS 50

typedef struct diag_list {
    char **messages;
    size_t count;     /* stored */
    size_t dropped;   /* past DIAG_MAX_ERRORS */
    size_t capacity;
} diag_list;

#if defined(__GNUC__)
#define DIAG_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define DIAG_PRINTF(fmt, args)
#endif

void diag_init(diag_list *d);
void diag_free(diag_list *d);

/* Records "FILE:LINE+1:COL+1: error: PATH: message".  line0/col0 are
 * 0-based; pass line0 < 0 for a problem with no position (then the prefix
 * is "FILE: error: "), and file NULL for no file at all ("drsim: error: "). */
void diag_error(diag_list *d, const char *file, long line0, long col0, const char *path,
                const char *fmt, ...) DIAG_PRINTF(6, 7);

size_t diag_error_count(const diag_list *d);
bool diag_has_errors(const diag_list *d);

/* Prints every stored line to out, then "... and N more errors" if any. */
void diag_print(const diag_list *d, FILE *out);

#endif
