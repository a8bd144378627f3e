/*
 * test_fuzz_replay — the libFuzzer harnesses (tests/fuzz/) as regression
 * tests, built with the ordinary compiler so that `make test` and `make
 * asan` run them without clang.
 *
 * Each harness is compiled in here under its own name and fed, from the
 * repository root:
 *   - every file in tests/hostile/crashes/TARGET: each input fuzzing crashed
 *     (docs/robustness.md: a crash is fixed, then its input lands here);
 *   - the hostile corpus of its family (tests/hostile/scenario,
 *     experiment, demand) and the seeds of the small parsers.
 * A harness aborts when a property fails (see each one); the path of the
 * input is printed first, so the failure names it.
 */
#include <dirent.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#define LLVMFuzzerTestOneInput fuzz_scenario_one
#include "fuzz/fuzz_scenario.c"
#undef LLVMFuzzerTestOneInput

#define LLVMFuzzerTestOneInput fuzz_duration_one
#include "fuzz/fuzz_duration.c"
#undef LLVMFuzzerTestOneInput

#define LLVMFuzzerTestOneInput fuzz_dist_one
#include "fuzz/fuzz_dist.c"
#undef LLVMFuzzerTestOneInput

#define LLVMFuzzerTestOneInput fuzz_experiment_one
#define LLVMFuzzerInitialize fuzz_experiment_init
#include "fuzz/fuzz_experiment.c"
#undef LLVMFuzzerTestOneInput
#undef LLVMFuzzerInitialize

#define LLVMFuzzerTestOneInput fuzz_demand_one
#define LLVMFuzzerInitialize fuzz_demand_init
#include "fuzz/fuzz_demand.c"
#undef LLVMFuzzerTestOneInput
#undef LLVMFuzzerInitialize

typedef int (*harness_fn)(const uint8_t *data, size_t size);

/* The input being replayed, printed if a harness aborts. */
static char current[1024];

static void on_abort(int signal_number)
{
    static const char prefix[] = "\nfuzz replay: a harness property failed on ";
    (void)!write(STDERR_FILENO, prefix, sizeof prefix - 1);
    (void)!write(STDERR_FILENO, current, strlen(current));
    (void)!write(STDERR_FILENO, "\n", 1);
    signal(signal_number, SIG_DFL);
    raise(signal_number);
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Feeds every regular file in dir (not below it) to the harness, in name
 * order; returns how many.  A missing directory feeds none. */
static size_t replay_dir(harness_fn harness, const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return 0;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *entry;
    while ((entry = readdir(d)) != NULL) {
        if (entry->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 32;
            names = realloc(names, cap * sizeof *names);
            assert_non_null(names);
        }
        names[n] = strdup(entry->d_name);
        assert_non_null(names[n]);
        n++;
    }
    closedir(d);
    qsort(names, n, sizeof *names, compare_names);
    size_t fed = 0;
    for (size_t i = 0; i < n; i++) {
        snprintf(current, sizeof current, "%s/%s", dir, names[i]);
        struct stat st;
        if (stat(current, &st) == 0 && S_ISREG(st.st_mode)) {
            FILE *f = fopen(current, "rb");
            assert_non_null(f);
            uint8_t *data = malloc((size_t)st.st_size + 1);
            assert_non_null(data);
            size_t size = fread(data, 1, (size_t)st.st_size, f);
            fclose(f);
            harness(data, size);
            free(data);
            fed++;
        }
        free(names[i]);
    }
    free(names);
    current[0] = '\0';
    return fed;
}

static void test_scenario_inputs(void **state)
{
    (void)state;
    size_t fed = replay_dir(fuzz_scenario_one, "tests/hostile/crashes/scenario");
    fed += replay_dir(fuzz_scenario_one, "tests/hostile/scenario");
    fed += replay_dir(fuzz_scenario_one, "tests/scenarios/bad");
    assert_true(fed > 0);
}

static void test_duration_inputs(void **state)
{
    (void)state;
    size_t fed = replay_dir(fuzz_duration_one, "tests/hostile/crashes/duration");
    fed += replay_dir(fuzz_duration_one, "tests/fuzz/seeds/duration");
    assert_true(fed > 0);
}

static void test_dist_inputs(void **state)
{
    (void)state;
    size_t fed = replay_dir(fuzz_dist_one, "tests/hostile/crashes/dist");
    fed += replay_dir(fuzz_dist_one, "tests/fuzz/seeds/dist");
    assert_true(fed > 0);
}

static void test_experiment_inputs(void **state)
{
    (void)state;
    fuzz_experiment_init(NULL, NULL);
    size_t fed = replay_dir(fuzz_experiment_one, "tests/hostile/crashes/experiment");
    fed += replay_dir(fuzz_experiment_one, "tests/hostile/experiment");
    fed += replay_dir(fuzz_experiment_one, "tests/experiments/bad");
    assert_true(fed > 0);
    scenario_free(&sc);
}

static void test_demand_inputs(void **state)
{
    (void)state;
    fuzz_demand_init(NULL, NULL);
    size_t fed = replay_dir(fuzz_demand_one, "tests/hostile/crashes/demand");
    /* the CSV found by fuzzing: 0 * inf made demand NaN where growth overflows */
    assert_true(fed >= 1);
    fed += replay_dir(fuzz_demand_one, "tests/hostile/demand");
    fed += replay_dir(fuzz_demand_one, "tests/data/demand");
    assert_true(fed > 1);
}

int main(void)
{
    signal(SIGABRT, on_abort);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scenario_inputs),
        cmocka_unit_test(test_duration_inputs),
        cmocka_unit_test(test_dist_inputs),
        cmocka_unit_test(test_experiment_inputs),
        cmocka_unit_test(test_demand_inputs),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    if (rng != NULL)
        gsl_rng_free(rng);
    return failed;
}
