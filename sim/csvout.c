/*
 * csvout — RFC 4180 CSV records written through libcsv (include/csvout.h).
 *
 * Field text goes out verbatim when it is safe and through libcsv's
 * csv_fwrite (which wraps it in double quotes and doubles inner quotes) when
 * it is not.  "Not safe" is a comma, a double quote, CR or LF anywhere, and
 * also a space or tab at either end: RFC 4180 keeps such spaces, but libcsv's
 * own parser (and many others) trims them from unquoted fields, so quoting
 * them is what makes the text survive a round trip.
 *
 * Numbers:
 *   - finite doubles: the first of %.15g, %.16g, %.17g that strtod reads back
 *     as the same double (so 0.1 is "0.1", 5e-324 is "4.94065645841247e-324",
 *     -0.0 is "-0");
 *   - NaN: an empty field, meaning "no value";
 *   - +inf / -inf: "inf" / "-inf", which strtod, Python's float() and R's
 *     read.csv all read back as infinities.
 * The decimal point is '.' because drsim never calls setlocale (the C
 * locale stays in force).
 */
#include "csvout.h"

#include <assert.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

void csv_writer_init(csv_writer *w, FILE *fp)
{
    w->fp = fp;
    w->at_row_start = true;
    w->failed = false;
}

static void put_text(csv_writer *w, const char *text)
{
    if (fputs(text, w->fp) == EOF)
        w->failed = true;
}

static void begin_field(csv_writer *w)
{
    if (!w->at_row_start && fputc(',', w->fp) == EOF)
        w->failed = true;
    w->at_row_start = false;
}

static bool needs_quotes(const char *text, size_t len)
{
    if (len == 0)
        return false;
    if (text[0] == ' ' || text[0] == '\t' || text[len - 1] == ' ' || text[len - 1] == '\t')
        return true;
    return strpbrk(text, ",\"\r\n") != NULL;
}

void csv_write_str(csv_writer *w, const char *text)
{
    begin_field(w);
    if (text == NULL)
        return;
    size_t len = strlen(text);
    if (needs_quotes(text, len)) {
        if (csv_fwrite(w->fp, text, len) != 0)
            w->failed = true;
    } else if (len > 0) {
        put_text(w, text);
    }
}

char *csv_format_double(double value, char *buf, size_t buf_size)
{
    assert(buf != NULL && buf_size > 0);
    if (isnan(value)) {
        snprintf(buf, buf_size, "nan");
        return buf;
    }
    if (isinf(value)) {
        snprintf(buf, buf_size, "%s", value < 0 ? "-inf" : "inf");
        return buf;
    }
    for (int precision = 15; precision <= 17; precision++) {
        snprintf(buf, buf_size, "%.*g", precision, value);
        if (strtod(buf, NULL) == value)
            break; /* %.17g always round-trips, so the loop ends here at the latest */
    }
    return buf;
}

void csv_write_double(csv_writer *w, double value)
{
    begin_field(w);
    if (isnan(value))
        return;
    char buf[40];
    put_text(w, csv_format_double(value, buf, sizeof buf));
}

void csv_write_int(csv_writer *w, int64_t value)
{
    begin_field(w);
    if (fprintf(w->fp, "%" PRId64, value) < 0)
        w->failed = true;
}

void csv_write_empty(csv_writer *w)
{
    begin_field(w);
}

void csv_end_row(csv_writer *w)
{
    put_text(w, "\r\n");
    if (ferror(w->fp))
        w->failed = true;
    w->at_row_start = true;
}

void csv_write_header(csv_writer *w, const char *const names[])
{
    for (size_t i = 0; names[i] != NULL; i++)
        csv_write_str(w, names[i]);
    csv_end_row(w);
}
