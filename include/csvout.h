/*
 * csvout — RFC 4180 CSV records written through libcsv (SPEC §4).
 *
 * Records end with CRLF as RFC 4180 says.  A text field is quoted (by libcsv's
 * csv_fwrite) only when it holds a comma, a double quote, CR or LF, or starts
 * or ends with a blank (libcsv's reader would trim it), so plain headers read
 * exactly "metric,unit,mean,...".  Numbers are printed in the
 * shortest form that reads back to the same double (trying %.15g, %.16g,
 * %.17g), always with '.' as the decimal point: drsim never calls setlocale,
 * and the formatter is checked against a round trip in tests.  NaN is written
 * as an empty field ("no meaning for this metric"); infinities as inf, -inf.
 *
 * Ownership: a csv_writer borrows its FILE; errors are sticky in `failed`.
 */
#ifndef DRSIM_CSVOUT_H
#define DRSIM_CSVOUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef struct csv_writer {
    FILE *fp;
    bool at_row_start;
    bool failed; /* a write failed; check before committing the file */
} csv_writer;

void csv_writer_init(csv_writer *w, FILE *fp);
void csv_write_str(csv_writer *w, const char *text);
void csv_write_double(csv_writer *w, double value); /* NaN -> empty */
void csv_write_int(csv_writer *w, int64_t value);
void csv_write_empty(csv_writer *w);
void csv_end_row(csv_writer *w);

/* Writes a header row from a comma-free list of names, NULL-terminated. */
void csv_write_header(csv_writer *w, const char *const names[]);

/* The shortest decimal text that strtod reads back as exactly `value`;
 * "nan" handling is the caller's.  CSV_DOUBLE_BUFSIZE always suffices.
 * Returns buf. */
#define CSV_DOUBLE_BUFSIZE 32
char *csv_format_double(double value, char *buf, size_t buf_size);

#endif
