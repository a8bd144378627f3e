/*
 * fuzz_dist — libFuzzer harness for the distribution parser (dist_parse)
 * and what a loaded distribution is used for: dist_mean, dist_format,
 * dist_copy and dist_sample.
 *
 * Properties besides the sanitizers (dist.h's contract): a failed parse
 * leaves the dist zeroed and writes a message; a parsed one (other than
 * empirical, which is loaded later from a file) has a mean that is not
 * NaN, formats back into text that parses again to the same parameters,
 * and samples are >= 0.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "dist.h"
#include "rng.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static gsl_rng *rng;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (rng == NULL) {
        rng = rng_stream_create(); /* dist_sample draws from drsim's streams */
        if (rng == NULL)
            return 0;
    }
    char *text = malloc(size + 1);
    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';

    dist d;
    memset(&d, 0, sizeof d);
    char err[256];
    err[0] = '\0';
    if (dist_parse(text, &d, err, sizeof err) != 0) {
        static const dist zero;
        if (err[0] == '\0' || memcmp(&d, &zero, sizeof d) != 0)
            abort();
    } else if (d.kind != DIST_EMPIRICAL) {
        if (isnan(dist_mean(&d)))
            abort();
        char buf[256];
        dist_format(&d, buf, sizeof buf);
        dist again;
        memset(&again, 0, sizeof again);
        if (dist_parse(buf, &again, err, sizeof err) != 0)
            abort(); /* what drsim writes back must read again, */
        if (again.kind != d.kind || again.p1 != d.p1 || again.p2 != d.p2)
            abort(); /* and exactly (dist_format writes durations exactly) */
        dist_free(&again);
        dist copy;
        if (dist_copy(&copy, &d) == 0)
            dist_free(&copy);
        rng_stream_set(rng, 1, 0, 0, RNG_PURPOSE_MODEL);
        for (int i = 0; i < 4; i++) {
            double x = dist_sample(&d, rng);
            if (!(x >= 0.0))
                abort();
        }
    }
    dist_free(&d);
    free(text);
    return 0;
}
