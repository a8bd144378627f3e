/*
 * rng — deterministic, independent random streams (SPEC §5, DESIGN §3).
 *
 * A stream is named by (seed, trial, name, purpose): `name` is the thing that
 * draws ("web[2]", "east-a"), `purpose` says which of its processes draws
 * (RNG_PURPOSE_FAIL, RNG_PURPOSE_REPAIR, ...).  The numbers a stream yields
 * depend on nothing else: not the thread, not the order in which other
 * streams draw, not which other components a scenario has.  So a trial gives
 * the same bytes on 1 thread or 16, and two scenarios that share a component
 * share its failure history (common random numbers).
 *
 * The generator is Philox4x64-10 (Random123, Salmon et al., SC'11), keyed by
 * (seed, hash(name)) and counting (trial, purpose, block); it is exposed as a
 * gsl_rng_type so every GSL sampler (gsl_ran_*) draws from it.
 *
 * Ownership: rng_stream_create() returns a gsl_rng the caller frees with
 * gsl_rng_free().  A stream is not thread-safe; each thread has its own.
 */
#ifndef DRSIM_RNG_H
#define DRSIM_RNG_H

#include <assert.h>
#include <stdint.h>
#include <gsl/gsl_rng.h>

enum rng_purpose {
    RNG_PURPOSE_FAIL = 1,    /* time to failure */
    RNG_PURPOSE_REPAIR = 2,  /* time to repair */
    RNG_PURPOSE_MODEL = 16   /* first value free for later models */
};

/* GSL's view of the generator: gsl_rng_get() gives 64 uniform bits
 * (max = 2^64-1), gsl_rng_uniform() a double in [0, 1) with 53 random bits,
 * gsl_rng_uniform_pos() one in (0, 1). */
extern const gsl_rng_type *rng_philox4x64;

/* The next 64 bits of a drsim stream, inline: what the ziggurat (and
 * gsl_rng_get()) draws, without a call through the gsl_rng_type.  r must
 * come from rng_stream_create() or gsl_rng_alloc(rng_philox4x64). */
#define RNG_BUFFERED 4
typedef struct rng_buffer {  /* the head of every stream's state */
    uint64_t out[RNG_BUFFERED];
    unsigned next;           /* the next unused output; RNG_BUFFERED: none left */
} rng_buffer;

uint64_t rng_refill_u64(gsl_rng *r); /* computes the next outputs, returns the first */

static inline uint64_t rng_next_u64(gsl_rng *r)
{
    assert(r->type == rng_philox4x64 && "not a drsim stream (rng_stream_create)");
    rng_buffer *b = (rng_buffer *)r->state;
    if (b->next < RNG_BUFFERED) return b->out[b->next++];
    return rng_refill_u64(r);
}

/* A stable 64-bit hash of a name (the same on every machine and build). */
uint64_t rng_name_hash(const char *name);

/* A stream positioned at (0, 0, 0, 0).  NULL when out of memory. */
gsl_rng *rng_stream_create(void);

/* Repositions r at the start of stream (seed, trial, name_hash, purpose).
 * O(1): no allocation, nothing drawn. */
void rng_stream_set(gsl_rng *r, uint64_t seed, uint64_t trial,
                    uint64_t name_hash, uint32_t purpose);

#endif
