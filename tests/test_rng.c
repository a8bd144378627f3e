/* Tests for rng.h: Philox4x64-10 streams as a gsl_rng.
 *
 * Usage: test_rng [-s SEED]   (SEED for the statistical tests; default 20240601) */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <Random123/philox.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>

#include "rng.h"

static uint64_t test_seed = 20240601u;
#include "seeded.h"

/* Fails the current test with a message that names the seed. */

static gsl_rng *stream(uint64_t seed, uint64_t trial, const char *name, uint32_t purpose)
{
    gsl_rng *r = rng_stream_create();
    assert_non_null(r);
    rng_stream_set(r, seed, trial, rng_name_hash(name), purpose);
    return r;
}

static int same_draws(gsl_rng *a, gsl_rng *b, int n)
{
    for (int i = 0; i < n; i++)
        if (gsl_rng_get(a) != gsl_rng_get(b))
            return 0;
    return 1;
}

/* Random123 1.14, examples/kat_vectors: "philox4x64 10 ctr[4] key[2] out[4]". */
static const struct {
    uint64_t ctr[4], key[2], out[4];
} KAT[] = {
    {{0, 0, 0, 0}, {0, 0},
     {0x16554d9eca36314cu, 0xdb20fe9d672d0fdcu, 0xd7e772cee186176bu, 0x7e68b68aec7ba23bu}},
    {{UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX}, {UINT64_MAX, UINT64_MAX},
     {0x87b092c3013fe90bu, 0x438c3c67be8d0224u, 0x9cc7d7c69cd777b6u, 0xa09caebf594f0ba0u}},
    {{0x243f6a8885a308d3u, 0x13198a2e03707344u, 0xa4093822299f31d0u, 0x082efa98ec4e6c89u},
     {0x452821e638d01377u, 0xbe5466cf34e90c6cu},
     {0xa528f45403e61d95u, 0x38c72dbd566e9788u, 0xa5a1610e72fd18b5u, 0x57bd43b5e52b7fe6u}},
};

static void test_philox4x64_10_matches_the_random123_known_answers(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof KAT / sizeof KAT[0]; i++) {
        philox4x64_ctr_t ctr = {{KAT[i].ctr[0], KAT[i].ctr[1], KAT[i].ctr[2], KAT[i].ctr[3]}};
        philox4x64_key_t key = {{KAT[i].key[0], KAT[i].key[1]}};
        philox4x64_ctr_t out = philox4x64_R(10, ctr, key);
        for (int j = 0; j < 4; j++)
            assert_int_equal(out.v[j], KAT[i].out[j]);
    }
}

/* The stream (seed=k0, trial=c0, hash=k1, purpose=c1) starts with block
 * counter (c0, c1, 0, 0): with the all-zero vector its first four draws are
 * the published answer, in order. */
static void test_stream_draws_are_the_philox_block_outputs_in_order(void **state)
{
    (void)state;
    gsl_rng *r = rng_stream_create();
    assert_non_null(r);
    for (int j = 0; j < 4; j++)
        assert_int_equal(gsl_rng_get(r), KAT[0].out[j]);
    /* the next block is counter (0, 0, 1, 0) */
    philox4x64_ctr_t ctr = {{0, 0, 1, 0}};
    philox4x64_key_t key = {{0, 0}};
    philox4x64_ctr_t out = philox4x64_R(10, ctr, key);
    for (int j = 0; j < 4; j++)
        assert_int_equal(gsl_rng_get(r), out.v[j]);

    rng_stream_set(r, 0x452821e638d01377u, 42, 0xbe5466cf34e90c6cu, 7);
    philox4x64_ctr_t ctr2 = {{42, 7, 0, 0}};
    philox4x64_key_t key2 = {{0x452821e638d01377u, 0xbe5466cf34e90c6cu}};
    out = philox4x64_R(10, ctr2, key2);
    for (int j = 0; j < 4; j++)
        assert_int_equal(gsl_rng_get(r), out.v[j]);
    gsl_rng_free(r);
}

static void test_same_seed_trial_name_purpose_give_the_same_sequence(void **state)
{
    (void)state;
    gsl_rng *a = stream(7, 3, "web[2]", RNG_PURPOSE_FAIL);
    gsl_rng *other = stream(7, 3, "db", RNG_PURPOSE_FAIL);
    /* draws on another stream in between change nothing */
    for (int i = 0; i < 1001; i++)
        gsl_rng_get(other);
    gsl_rng *b = stream(7, 3, "web[2]", RNG_PURPOSE_FAIL);
    assert_true(same_draws(a, b, 10000));
    gsl_rng_free(a);
    gsl_rng_free(b);
    gsl_rng_free(other);
}

static void test_changing_seed_trial_name_or_purpose_changes_the_sequence(void **state)
{
    (void)state;
    gsl_rng *base = stream(7, 3, "web[2]", RNG_PURPOSE_FAIL);
    gsl_rng *variants[] = {
        stream(8, 3, "web[2]", RNG_PURPOSE_FAIL),
        stream(7, 4, "web[2]", RNG_PURPOSE_FAIL),
        stream(7, 3, "web[1]", RNG_PURPOSE_FAIL),
        stream(7, 3, "web[2]", RNG_PURPOSE_REPAIR),
        /* trial and purpose are not interchangeable */
        stream(7, RNG_PURPOSE_FAIL, "web[2]", 3),
    };
    uint64_t first[64];
    for (int i = 0; i < 64; i++)
        first[i] = gsl_rng_get(base);
    for (size_t v = 0; v < sizeof variants / sizeof variants[0]; v++) {
        int equal = 0;
        for (int i = 0; i < 64; i++)
            equal += gsl_rng_get(variants[v]) == first[i];
        if (equal > 0) {
            print_error("variant %zu shares %d of 64 draws with the base stream\n", v, equal);
            fail();
        }
        gsl_rng_free(variants[v]);
    }
    gsl_rng_free(base);
}

static void test_repositioning_mid_stream_restarts_it(void **state)
{
    (void)state;
    gsl_rng *r = stream(11, 5, "east-a", RNG_PURPOSE_REPAIR);
    uint64_t first[10];
    for (int i = 0; i < 10; i++)
        first[i] = gsl_rng_get(r);
    for (int i = 0; i < 3; i++)   /* stop mid-block */
        gsl_rng_get(r);
    rng_stream_set(r, 11, 5, rng_name_hash("east-a"), RNG_PURPOSE_REPAIR);
    for (int i = 0; i < 10; i++)
        assert_int_equal(gsl_rng_get(r), first[i]);
    /* and after drawing from another stream on the same handle */
    rng_stream_set(r, 11, 6, rng_name_hash("east-a"), RNG_PURPOSE_REPAIR);
    gsl_rng_get(r);
    rng_stream_set(r, 11, 5, rng_name_hash("east-a"), RNG_PURPOSE_REPAIR);
    for (int i = 0; i < 10; i++)
        assert_int_equal(gsl_rng_get(r), first[i]);
    gsl_rng_free(r);
}

static void test_uniform_has_mean_one_half_and_passes_chi_square_on_16_bins(void **state)
{
    (void)state;
    enum { N = 160000, BINS = 16 };
    gsl_rng *r = stream(test_seed, 0, "chi-square", RNG_PURPOSE_MODEL);
    double sum = 0;
    long counts[BINS] = {0};
    for (int i = 0; i < N; i++) {
        double u = gsl_rng_uniform(r);
        CHECK(u >= 0.0 && u < 1.0, "uniform out of [0,1): %.17g", u);
        sum += u;
        counts[(int)(u * BINS)]++;
    }
    double mean = sum / N;
    double se = sqrt(1.0 / 12.0 / N);
    CHECK(fabs(mean - 0.5) < 4 * se, "uniform mean %.6f, expected 0.5 +- %.6f", mean, 4 * se);
    double expected = (double)N / BINS, chi2 = 0;
    for (int b = 0; b < BINS; b++)
        chi2 += (counts[b] - expected) * (counts[b] - expected) / expected;
    double p = gsl_cdf_chisq_Q(chi2, BINS - 1);
    CHECK(p > 0.001 && p < 0.999, "chi-square %.3f on %d bins: p = %.5f", chi2, BINS, p);
    gsl_rng_free(r);
}

/* gsl_rng_uniform(r) is exactly (gsl_rng_get >> 11) * 2^-53 on a twin
 * stream, and that map sends the largest output, 2^64-1, to 1 - 2^-53. */
static void test_uniform_is_the_top_53_bits_so_never_one(void **state)
{
    (void)state;
    gsl_rng *a = stream(test_seed, 9, "twin", RNG_PURPOSE_FAIL);
    gsl_rng *b = stream(test_seed, 9, "twin", RNG_PURPOSE_FAIL);
    for (int i = 0; i < 100000; i++) {
        double u = gsl_rng_uniform(a);
        uint64_t bits = gsl_rng_get(b);
        CHECK(u == (double)(bits >> 11) * 0x1.0p-53, "draw %d: %.17g from bits %016" PRIx64,
              i, u, bits);
    }
    double top = (double)(UINT64_MAX >> 11) * 0x1.0p-53;
    assert_true(top < 1.0);
    assert_true(top == 1.0 - 0x1.0p-53);
    /* the naive map would have rounded to 1.0 */
    assert_true((double)UINT64_MAX / 18446744073709551616.0 == 1.0);
    for (int i = 0; i < 100000; i++)
        CHECK(gsl_rng_uniform_pos(a) > 0.0, "uniform_pos gave 0 at draw %d", i);
    gsl_rng_free(a);
    gsl_rng_free(b);
}

static void test_gsl_sees_the_full_64_bit_range(void **state)
{
    (void)state;
    gsl_rng *r = stream(test_seed, 0, "range", RNG_PURPOSE_MODEL);
    assert_string_equal(gsl_rng_name(r), "philox4x64");
    assert_true(gsl_rng_max(r) == UINT64_MAX);
    assert_true(gsl_rng_min(r) == 0);
    int top_bit = 0, low_bit = 0;
    for (int i = 0; i < 10000; i++) {
        unsigned long x = gsl_rng_get(r);
        top_bit += (int)(x >> 63);
        low_bit += (int)(x & 1);
    }
    CHECK(abs(top_bit - 5000) < 200 && abs(low_bit - 5000) < 200,
          "top bit set %d, low bit set %d of 10000", top_bit, low_bit);

    long faces[6] = {0};
    for (int i = 0; i < 60000; i++) {
        unsigned long k = gsl_rng_uniform_int(r, 6);
        assert_true(k < 6);
        faces[k]++;
    }
    double chi2 = 0;
    for (int k = 0; k < 6; k++)
        chi2 += (faces[k] - 10000.0) * (faces[k] - 10000.0) / 10000.0;
    double p = gsl_cdf_chisq_Q(chi2, 5);
    CHECK(p > 0.001 && p < 0.999, "uniform_int(6) chi-square %.3f, p = %.5f", chi2, p);

    unsigned long big = (1ul << 63) + 12345;
    int upper = 0;
    for (int i = 0; i < 1000; i++) {
        unsigned long k = gsl_rng_uniform_int(r, big);
        assert_true(k < big);
        upper += k >= big / 2;
    }
    CHECK(upper > 400 && upper < 600, "uniform_int(2^63+12345): %d of 1000 in the upper half",
          upper);
    gsl_rng_free(r);
}

static void test_gsl_rng_set_positions_the_stream_of_that_seed(void **state)
{
    (void)state;
    gsl_rng *a = rng_stream_create();
    gsl_rng *b = rng_stream_create();
    assert_non_null(a);
    assert_non_null(b);
    gsl_rng_set(a, 99);
    rng_stream_set(b, 99, 0, 0, 0);
    assert_true(same_draws(a, b, 100));
    gsl_rng_free(a);
    gsl_rng_free(b);

    /* gsl_rng_alloc works too and starts at (0, 0, 0, 0), as does a new stream */
    gsl_rng *c = gsl_rng_alloc(rng_philox4x64);
    gsl_rng *d = rng_stream_create();
    assert_non_null(c);
    gsl_rng_set(c, 0);
    assert_true(same_draws(c, d, 100));
    gsl_rng_free(c);
    gsl_rng_free(d);
}

static void test_clone_continues_from_the_same_point(void **state)
{
    (void)state;
    gsl_rng *r = stream(1, 2, "clone", RNG_PURPOSE_FAIL);
    for (int i = 0; i < 6; i++)   /* mid-block */
        gsl_rng_get(r);
    gsl_rng *c = gsl_rng_clone(r);
    assert_non_null(c);
    assert_true(same_draws(r, c, 100));
    gsl_rng_free(r);
    gsl_rng_free(c);
}

/* These values are part of drsim's reproducibility: reference outputs and
 * users' paired comparisons depend on them.  They were checked against an
 * independent implementation (FNV-1a + SplitMix64, Philox4x64-10 in Python).  Changing the hash or the
 * stream layout breaks every stored result; do it only on purpose. */
static void test_name_hash_and_first_draws_are_pinned(void **state)
{
    (void)state;
    assert_int_equal(rng_name_hash(""), UINT64_C(0xf52a15e9a9b5e89b));
    assert_int_equal(rng_name_hash("web[2]"), UINT64_C(0x9eede3dd7b0b8197));
    assert_int_equal(rng_name_hash("unit[0]"), UINT64_C(0x51358f6cd627e384));
    gsl_rng *r = stream(1, 0, "unit[0]", RNG_PURPOSE_FAIL);
    static const uint64_t first[5] = {
        0x6ebea93392678e15u, 0x1c05366353681be6u, 0x2c5e1d881017aa70u,
        0xbd19b5d5b25ebfb4u, 0x6e85c4304dd3f17bu,
    };
    for (int i = 0; i < 5; i++)
        assert_int_equal(gsl_rng_get(r), first[i]);
    gsl_rng_free(r);
}

static void test_name_hash_separates_similar_names(void **state)
{
    (void)state;
    enum { N = 2000 };
    static uint64_t h[N];
    char name[32];
    for (int i = 0; i < N; i++) {
        snprintf(name, sizeof name, "unit[%d]", i);
        h[i] = rng_name_hash(name);
    }
    for (int i = 0; i < N; i++)
        for (int j = i + 1; j < N; j++)
            assert_true(h[i] != h[j]);
    /* one character apart: about half of the 64 bits differ */
    int bits = __builtin_popcountll(rng_name_hash("web[1]") ^ rng_name_hash("web[2]"));
    assert_in_range(bits, 16, 48);
}

int main(int argc, char **argv)
{
    seeded_options(argc, argv, &test_seed);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_philox4x64_10_matches_the_random123_known_answers),
        cmocka_unit_test(test_stream_draws_are_the_philox_block_outputs_in_order),
        cmocka_unit_test(test_same_seed_trial_name_purpose_give_the_same_sequence),
        cmocka_unit_test(test_changing_seed_trial_name_or_purpose_changes_the_sequence),
        cmocka_unit_test(test_repositioning_mid_stream_restarts_it),
        cmocka_unit_test(test_uniform_has_mean_one_half_and_passes_chi_square_on_16_bins),
        cmocka_unit_test(test_uniform_is_the_top_53_bits_so_never_one),
        cmocka_unit_test(test_gsl_sees_the_full_64_bit_range),
        cmocka_unit_test(test_gsl_rng_set_positions_the_stream_of_that_seed),
        cmocka_unit_test(test_clone_continues_from_the_same_point),
        cmocka_unit_test(test_name_hash_and_first_draws_are_pinned),
        cmocka_unit_test(test_name_hash_separates_similar_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
