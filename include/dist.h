/*
 * dist — probability distributions of durations (SPEC §2).
 *
 *   exp(mean=D)                      exponential
 *   weibull(shape=K, scale=D)        Weibull, mean D·Γ(1+1/K)
 *   lognormal(median=D, sigma=S)     ln X ~ N(ln D, S²)
 *   gamma(shape=K, scale=D)          mean K·D
 *   uniform(min=D, max=D)            min <= max
 *   const(D) or a bare duration D    deterministic
 *   empirical(file=PATH, column=NAME)  resampled uniformly from a CSV column
 *
 * D are durations (duration.h); K and S are plain positive numbers.
 * Parameters are named and may come in any order; each is required once.
 * Samples are drawn from the caller's stream (rng.h), so they are
 * deterministic for a deterministic stream: exp (and weibull through it) by
 * the ziggurat (ziggurat.h), lognormal by GSL's ziggurat normal, gamma,
 * uniform and empirical by GSL's samplers.
 *
 * Ownership: a dist may own heap memory (empirical file name, column name and
 * samples); dist_free() releases it; a zeroed dist is a valid const(0).
 */
#ifndef DRSIM_DIST_H
#define DRSIM_DIST_H

#include <stddef.h>
#include <gsl/gsl_rng.h>

#include "ziggurat.h"

typedef enum dist_kind {
    DIST_CONST = 0,
    DIST_EXP,
    DIST_WEIBULL,
    DIST_LOGNORMAL,
    DIST_GAMMA,
    DIST_UNIFORM,
    DIST_EMPIRICAL
} dist_kind;

typedef struct dist {
    dist_kind kind;
    /* Parameters, in seconds where they are durations:
     *   CONST value_s; EXP mean_s; WEIBULL shape, scale_s;
     *   LOGNORMAL median_s, sigma; GAMMA shape, scale_s; UNIFORM min_s, max_s */
    double p1, p2;
    /* EMPIRICAL only */
    char *file;          /* as written in the scenario */
    char *column;
    double *samples_s;   /* loaded by dist_load_empirical() */
    size_t n_samples;
} dist;

/* Parses text into *out (which must be zeroed or freed).  Returns 0 on
 * success; on error returns -1, leaves *out zeroed, and writes a one-line
 * message without position into err, e.g. "unknown distribution 'expo'
 * (use exp, weibull, lognormal, gamma, uniform, const or empirical)".
 * An empirical distribution is parsed but not loaded. */
int dist_parse(const char *text, dist *out, char *err, size_t err_size);

/* Reads the samples of an EMPIRICAL dist with libcsv: the CSV's first row
 * names the columns; every cell of `column` is a duration.  A relative file
 * is taken relative to base_dir.  0 on success; -1 with a message in err
 * ("cannot open 'x.csv': No such file or directory", "no column 'ttr' in
 * 'x.csv'", "x.csv:4: 'abc' is not a duration", "no samples in ...").
 * Does nothing and returns 0 for other kinds. */
int dist_load_empirical(dist *d, const char *base_dir, char *err, size_t err_size);

/* One sample in seconds, >= 0.  r must be a drsim stream
 * (rng_stream_create()): the samplers take 64 bits per output.  The
 * exponential, drawn by nearly every event of a model, is inline. */
double dist_sample_other(const dist *d, gsl_rng *r);
static inline double dist_sample(const dist *d, gsl_rng *r)
{
    if (d->kind == DIST_EXP) return d->p1 * ziggurat_exponential(r);
    return dist_sample_other(d, r);
}

/* The exact mean in seconds. */
double dist_mean(const dist *d);

/* Writes the distribution back in scenario syntax, e.g. "exp(mean=1000h)". */
char *dist_format(const dist *d, char *buf, size_t buf_size);

/* A deep copy (NULL-safe on OOM: returns -1 and leaves *dst zeroed). */
int dist_copy(dist *dst, const dist *src);

void dist_free(dist *d);

#endif
