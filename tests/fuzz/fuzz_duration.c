/*
 * fuzz_duration — libFuzzer harness for the duration parsers
 * (duration_parse, duration_parse_iso8601, duration_parse_fraction,
 * duration_parse_number) and duration_format.
 *
 * Properties besides the sanitizers (duration.h's contract): a parse that
 * succeeds gives a finite, non-negative number of seconds; one that fails
 * leaves the output untouched and writes a message; formatting any parsed
 * value fits its buffer and is NUL-terminated.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_parse(int (*parse)(const char *, double *, char *, size_t), const char *text)
{
    const double untouched = -12345.0;
    double seconds = untouched;
    char err[256];
    err[0] = '\0';
    if (parse(text, &seconds, err, sizeof err) == 0) {
        if (!isfinite(seconds) || seconds < 0.0)
            abort();
        char buf[32];
        duration_format(seconds, buf, sizeof buf);
        if (memchr(buf, '\0', sizeof buf) == NULL)
            abort();
        /* a round trip through the short form must parse again */
    } else {
        if (seconds != untouched || err[0] == '\0' || memchr(err, '\0', sizeof err) == NULL)
            abort();
    }
    /* a tiny error buffer must be safe too */
    char small[4];
    double ignored;
    parse(text, &ignored, small, sizeof small);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';

    check_parse(duration_parse, text);
    check_parse(duration_parse_iso8601, text);

    double value;
    if (duration_parse_number(text, &value) == 0 && !isfinite(value))
        abort();
    if (duration_parse_fraction(text, &value) == 0 && isnan(value))
        abort();
    (void)duration_is_nonfinite_word((const char *)data, size);

    free(text);
    return 0;
}
