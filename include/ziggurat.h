/*
 * ziggurat — exponential variates by the ziggurat method (Marsaglia & Tsang,
 * "The Ziggurat Method for Generating Random Variables", J. Stat. Software
 * 5(8), 2000), 256 layers, as numpy's Generator.standard_exponential and
 * Julia's randexp draw them.
 *
 * Why not gsl_ran_exponential.  GSL draws -mean * log1p(-u): one log1p per
 * variate, about 20 ns, which was half the cost of an event in the up/down
 * benchmark (docs/performance.md).  The ziggurat takes one 64-bit output
 * and, 98.9% of the time, one table lookup, one compare and one multiply;
 * the rest of the time it rejects or draws the tail.  It is exact, not an
 * approximation: the variates are Exp(1) up to the 53-bit resolution of
 * the uniform it starts from, which tests/test_ziggurat.c checks against the
 * closed-form CDF, moments and tail.
 *
 * How one variate is drawn from a 64-bit output w:
 *
 *     bits  63 ........... 11 | 10 ..... 3 | 2..0
 *           u (53 bits)         layer i      unused
 *
 *     x = u * width[i]                     (width[i] = x_i / 2^53)
 *     u < inside[i]           -> x         (x lies under the curve for sure)
 *     i == 0 (the base)       -> r + Exp(1) (the tail past r = 7.697...)
 *     else f[i] + U (f[i-1] - f[i]) < e^-x  -> x, otherwise start again
 *
 * The tables (sim/ziggurat.c) are constants, so a stream gives the same
 * variates on every machine.  Each draw consumes one or (rarely) more
 * outputs of the stream: the count varies, so a model that needs a fixed
 * number of draws per event must not assume one.
 *
 * No ownership: the functions keep no state; the caller's gsl_rng is
 * advanced.
 */
#ifndef DRSIM_ZIGGURAT_H
#define DRSIM_ZIGGURAT_H

#include <stdint.h>
#include <gsl/gsl_rng.h>

#include "rng.h"

#define ZIGGURAT_LAYERS 256

/* The base layer's right edge: the tail beyond it has mass e^-r. */
#define ZIGGURAT_EXP_R 7.69711747013104971404462804811

/* inside[i]: u below it means x is under e^-x for sure.  width[i] =
 * x_i / 2^53, and f[i] = e^(-x_i), where x_0 = 0 < x_1 < ... < x_255 = r
 * (width[0] is the base layer's: its area v over e^-r, over 2^53). */
extern const uint64_t ziggurat_exp_inside[ZIGGURAT_LAYERS];
extern const double ziggurat_exp_width[ZIGGURAT_LAYERS];
extern const double ziggurat_exp_f[ZIGGURAT_LAYERS];

/* The rare cases: the tail, and a point between a layer's certain part and
 * its edge.  Called by ziggurat_exponential() only. */
double ziggurat_exponential_edge(gsl_rng *r, unsigned layer, double x);

/* One Exp(1) variate from r, a drsim stream (rng.h). */
static inline double ziggurat_exponential(gsl_rng *r)
{
    uint64_t w = rng_next_u64(r);
    unsigned layer = (unsigned)(w >> 3) & (ZIGGURAT_LAYERS - 1);
    uint64_t u = w >> 11;
    double x = (double)(int64_t)u * ziggurat_exp_width[layer];
    if (u < ziggurat_exp_inside[layer]) return x;
    return ziggurat_exponential_edge(r, layer, x);
}

#endif
