/*
 * rng — Philox4x64-10 streams behind a gsl_rng_type (see include/rng.h).
 *
 * Layout of a stream:
 *
 *     key     = (seed, name_hash)
 *     counter = (trial, purpose, block, 0)      block = 0, 1, 2, ...
 *     philox4x64_10(counter, key) = 4 outputs of 64 bits, used in order
 *
 * A block's outputs wait in the stream's buffer (rng_buffer, rng.h), where
 * rng_next_u64() reads them inline.
 *
 * Positioning a stream is writing six words: no state is carried between
 * streams, which is what makes them independent of thread and draw order.
 * A stream has 2^64 blocks, far more than any trial draws.
 *
 * GSL calls get() for gsl_rng_get() and gsl_rng_uniform_int(), and
 * get_double() for gsl_rng_uniform() (and, through it, gsl_rng_uniform_pos()
 * and most gsl_ran_* samplers).  get_double() keeps the top 53 bits of one
 * output and scales by 2^-53, so it lies in [0, 1 - 2^-53]: never 1.0.
 */
#include "rng.h"

#include <assert.h>
#include <limits.h>
#include <stdlib.h>

#include <Random123/philox.h>

/* GSL returns generator outputs as unsigned long; 64 bits must fit. */
_Static_assert(sizeof(unsigned long) >= sizeof(uint64_t),
               "rng_philox4x64 needs a 64-bit unsigned long (LP64)");
_Static_assert(ULONG_MAX == UINT64_MAX,
               "rng_philox4x64 declares max = ULONG_MAX = 2^64-1");

/* The buffer comes first: rng_next_u64() (rng.h) reads it as an
 * rng_buffer. */
typedef struct philox_state {
    rng_buffer buffer;          /* outputs of the current block */
    philox4x64_ctr_t counter;   /* (trial, purpose, next block, 0) */
    philox4x64_key_t key;       /* (seed, name hash) */
} philox_state;

_Static_assert(RNG_BUFFERED == 4, "a refill is one block of four outputs");

/* The next block: four outputs. */
static uint64_t philox_refill(philox_state *s)
{
    philox4x64_ctr_t a = philox4x64(s->counter, s->key);
    s->counter.v[2]++;
    for (int i = 0; i < 4; i++) s->buffer.out[i] = a.v[i];
    s->buffer.next = 1;
    return s->buffer.out[0];
}

uint64_t rng_refill_u64(gsl_rng *r)
{
    return philox_refill(r->state);
}

static inline uint64_t philox_next(philox_state *s)
{
    if (s->buffer.next < RNG_BUFFERED) return s->buffer.out[s->buffer.next++];
    return philox_refill(s);
}

static void position(philox_state *s, uint64_t seed, uint64_t trial,
                     uint64_t name_hash, uint64_t purpose)
{
    s->key.v[0] = seed;
    s->key.v[1] = name_hash;
    s->counter.v[0] = trial;
    s->counter.v[1] = purpose;
    s->counter.v[2] = 0;
    s->counter.v[3] = 0;
    s->buffer.next = RNG_BUFFERED;
}

/* gsl_rng_set(r, seed): the stream (seed, trial 0, name hash 0, purpose 0). */
static void philox_set(void *state, unsigned long seed)
{
    position(state, seed, 0, 0, 0);
}

static unsigned long philox_get(void *state)
{
    return philox_next(state);
}

static double philox_get_double(void *state)
{
    return (double)(philox_next(state) >> 11) * 0x1.0p-53;
}

static const gsl_rng_type philox_type = {
    "philox4x64",
    ULONG_MAX,
    0,
    sizeof(philox_state),
    philox_set,
    philox_get,
    philox_get_double
};

const gsl_rng_type *rng_philox4x64 = &philox_type;

/* FNV-1a 64, then the SplitMix64 finaliser so that names differing in one
 * character differ in about half the bits of the key. */
uint64_t rng_name_hash(const char *name)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (const unsigned char *p = (const unsigned char *)name; *p != '\0'; p++) {
        h ^= *p;
        h *= 0x100000001b3u;
    }
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9u;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebu;
    h ^= h >> 31;
    return h;
}

/* Allocated here rather than by gsl_rng_alloc(), whose out-of-memory path
 * calls the GSL error handler (abort by default); gsl_rng_free() releases
 * both blocks with free(). */
gsl_rng *rng_stream_create(void)
{
    gsl_rng *r = malloc(sizeof *r);
    if (r == NULL)
        return NULL;
    r->type = rng_philox4x64;
    r->state = calloc(1, sizeof(philox_state));
    if (r->state == NULL) {
        free(r);
        return NULL;
    }
    position(r->state, 0, 0, 0, 0);
    return r;
}

void rng_stream_set(gsl_rng *r, uint64_t seed, uint64_t trial,
                    uint64_t name_hash, uint32_t purpose)
{
    assert(r != NULL && r->type == rng_philox4x64);
    position(r->state, seed, trial, name_hash, purpose);
}
