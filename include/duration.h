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

#include <stdbool.h>
#include <stddef.h>

#define DURATION_YEAR_S (365.0 * 86400.0)

/* Parses the whole of text (surrounding blanks allowed) into seconds.
 * Returns 0 on success.  On error returns -1, leaves *seconds untouched and
 * writes a one-line message without position into err (e.g. "unknown unit
 * 'hrs' in duration '3hrs' (use ms, s, m, h, d, w or y)"). */
int duration_parse(const char *text, double *seconds, char *err, size_t err_size);

/* Parses an ISO-8601 duration as AWS FIS writes them: "PT5M", "PT1H30M",
 * "PT0.5S", "P1D", "P1W" (days and weeks of 86400 s and 7 days; years and
 * months are refused as ambiguous).  Only the last component may have a
 * fraction.  Same contract as duration_parse(). */
int duration_parse_iso8601(const char *text, double *seconds, char *err, size_t err_size);

/* Parses a number that must be the whole of text (locale-independent strtod
 * that rejects trailing junk, NaN and infinities).  0 on success, -1 on error. */
int duration_parse_number(const char *text, double *value);

/* true when text[0..length) spells NaN or an infinity as YAML or C would
 * ("nan", ".NaN", "-inf", ".inf", "Infinity"), so callers can say why it
 * is refused instead of calling it an unknown word. */
bool duration_is_nonfinite_word(const char *text, size_t length);

/* Parses a fraction or a percentage ("0.9999", "99.99%") into a fraction.
 * A percentage is read as the decimal it names ("99.99e-2"), so 99.99%
 * is exactly the double nearest 0.9999, not 99.99/100.  0 on success,
 * -1 when it is not a number (range checks are the caller's). */
int duration_parse_fraction(const char *text, double *fraction);

/* Writes a short human form ("250 ms", "42 s", "5.26 min", "8.76 h",
 * "3.65 d", "12.5 y"), three significant digits.  Returns buf. */
char *duration_format(double seconds, char *buf, size_t buf_size);

#endif
