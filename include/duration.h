/*
 * duration — durations as scenario files write them (SPEC §2).
 *
 * A duration is a number with a unit: ms, s, m (minutes), h, d, w, y (365
 * days); a bare number means seconds.  Exponents are allowed ("1e3s").
 * Negative, NaN, infinite and malformed values are errors.  Parsing does not
 * depend on the locale ('.' is always the decimal point).
 *
 * Pure functions: no I/O, no allocation.
 */
#ifndef DRSIM_DURATION_H
#define DRSIM_DURATION_H

#include <stddef.h>

#define DURATION_YEAR_S (365.0 * 86400.0)

/* Parses the whole of text (surrounding blanks allowed) into seconds.
 * Returns 0 on success.  On error returns -1, leaves *seconds untouched and
 * writes a one-line message without position into err (e.g. "unknown unit
 * 'hrs' in duration '3hrs' (use ms, s, m, h, d, w or y)"). */
int duration_parse(const char *text, double *seconds, char *err, size_t err_size);

/* Parses a number that must be the whole of text (locale-independent strtod
 * that rejects trailing junk, NaN and infinities).  0 on success, -1 on error. */
int duration_parse_number(const char *text, double *value);

/* Writes a short human form ("250 ms", "42 s", "5.26 min", "8.76 h",
 * "3.65 d", "12.5 y"), three significant digits.  Returns buf. */
char *duration_format(double seconds, char *buf, size_t buf_size);

#endif
