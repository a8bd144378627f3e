/*
 * bench.h — what the C benchmarks in tests/bench share: xoshiro256+
 * (Blackman & Vigna), the fastest good generator for doubles, with an
 * inline Exp(1) from it, and the thread's CPU clock they time with.
 * Header-only; each benchmark is one program.
 */
#ifndef DRSIM_BENCH_H
#define DRSIM_BENCH_H

#include <math.h>
#include <stdint.h>
#include <time.h>

typedef struct xoshiro256p {
    uint64_t s[4];
} xoshiro256p;

static inline uint64_t xoshiro_rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static inline uint64_t xoshiro_next(xoshiro256p *g)
{
    uint64_t *s = g->s;
    uint64_t result = s[0] + s[3];
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = xoshiro_rotl(s[3], 45);
    return result;
}

/* The state from SplitMix64 over the seed, as its authors advise. */
static inline void xoshiro_seed(xoshiro256p *g, uint64_t seed)
{
    for (int i = 0; i < 4; i++) {
        uint64_t z = (seed += UINT64_C(0x9e3779b97f4a7c15));
        z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
        z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
        g->s[i] = z ^ (z >> 31);
    }
}

/* Exp(mean 1): -log(u) with u uniform in (0, 1] (the top 53 bits, plus one
 * half-ulp so that u is never 0). */
static inline double xoshiro_exponential(xoshiro256p *g)
{
    double u = ((double)(xoshiro_next(g) >> 11) + 0.5) * 0x1.0p-53;
    return -log(u);
}

/* CPU time of the calling thread, in seconds: a busy machine that takes
 * the core away now and then disturbs it less than wall time. */
static inline double bench_cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

#endif
