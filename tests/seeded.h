/*
 * seeded.h — what the stochastic cmocka tests share: CHECK, which fails with
 * its message and the seed to rerun with, and the -s SEED option.
 *
 * The including file defines `static uint64_t test_seed = ...;` before
 * including this, after <cmocka.h>, and calls seeded_options() from main().
 */
#ifndef DRSIM_TESTS_SEEDED_H
#define DRSIM_TESTS_SEEDED_H

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond, ...)                                                        \
    do {                                                                        \
        if (!(cond)) {                                                          \
            print_error(__VA_ARGS__);                                           \
            print_error(" [seed %" PRIu64 "; rerun with -s %" PRIu64 "]\n",     \
                        test_seed, test_seed);                                  \
            fail();                                                             \
        }                                                                       \
    } while (0)

/* -s SEED anywhere in argv sets *seed; other arguments are left alone. */
static inline void seeded_options(int argc, char **argv, uint64_t *seed)
{
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], "-s") == 0)
            *seed = strtoull(argv[i + 1], NULL, 10);
}

#endif
