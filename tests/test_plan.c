/*
 * test_plan — the planner's pure parts (include/plan.h): the zone-loss
 * headroom formula against hand-computed cases, and the enumeration of
 * candidates (mixed radix over the open values and the bases).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "plan.h"

static void test_headroom_per_zone_is_the_ceiling_over_the_other_zones(void **state)
{
    (void)state;
    /* D, c, z → ⌈D / (c (z − 1))⌉ */
    static const struct { double demand, capacity; int zones, per_zone; } cases[] = {
        {3000, 750, 3, 2},   /* the seed's web tier: 2 per zone, 6 in all */
        {3000, 750, 2, 4},   /* two zones: the survivor carries it all */
        {3001, 750, 3, 3},   /* one request more needs a third per zone */
        {2500, 1000, 2, 3},
        {2500, 1000, 4, 1},  /* 3 × 1000 >= 2500 */
        {100, 1000, 3, 1},
        {0, 750, 3, 0},      /* no demand, nothing needed */
        {4500, 750, 4, 2},   /* exactly 3 × 2 × 750 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int got = plan_headroom_per_zone(cases[i].demand, cases[i].capacity, cases[i].zones);
        if (got != cases[i].per_zone)
            fail_msg("D=%g c=%g z=%d: %d per zone, expected %d", cases[i].demand,
                     cases[i].capacity, cases[i].zones, got, cases[i].per_zone);
        /* and it is the least that works: one fewer per zone does not */
        int z = cases[i].zones, k = got;
        assert_true((double)k * (z - 1) * cases[i].capacity >= cases[i].demand);
        if (k > 0)
            assert_true((double)(k - 1) * (z - 1) * cases[i].capacity < cases[i].demand);
    }
    assert_int_equal(plan_headroom_per_zone(3000, 750, 1), -1); /* one zone cannot be lost */
}

static void test_candidates_enumerate_every_combination_once(void **state)
{
    (void)state;
    plan_space space;
    memset(&space, 0, sizeof space);
    space.n_bases = 5;
    space.n_dims = 3;
    space.dims[0].n_values = 2;
    space.dims[1].n_values = 7;
    space.dims[2].n_values = 3;
    space.n_candidates = 5 * 2 * 7 * 3;
    static bool seen[5][2][7][3];
    memset(seen, 0, sizeof seen);
    for (size_t i = 0; i < space.n_candidates; i++) {
        size_t base, v[PLAN_MAX_DIMENSIONS];
        plan_candidate_choice(&space, i, &base, v);
        assert_true(base < 5 && v[0] < 2 && v[1] < 7 && v[2] < 3);
        assert_false(seen[base][v[0]][v[1]][v[2]]);
        seen[base][v[0]][v[1]][v[2]] = true;
    }
    /* the last dimension changes fastest, the base slowest */
    size_t base, v[PLAN_MAX_DIMENSIONS];
    plan_candidate_choice(&space, 1, &base, v);
    assert_true(base == 0 && v[0] == 0 && v[1] == 0 && v[2] == 1);
    plan_candidate_choice(&space, 42, &base, v);
    assert_true(base == 1 && v[0] == 0 && v[1] == 0 && v[2] == 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_headroom_per_zone_is_the_ceiling_over_the_other_zones),
        cmocka_unit_test(test_candidates_enumerate_every_combination_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
