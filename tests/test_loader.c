/*
 * test_loader — the scenario loader (sim/loader.c, sim/ytree.c and the models).
 *
 * Tests as data: every NAME.yaml in tests/scenarios/bad sits beside NAME.err,
 * the exact lines drsim prints for it; every scenario in tests/scenarios/good
 * and in scenarios must load without a word.  Then targeted tests of where
 * parsed values land.  Paths are relative to the repository root, where
 * `make test` runs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <glob.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "dist.h"
#include "duration.h"
#include "rng.h"
#include "scenario.h"
#include "ytree.h"

#define BAD_DIR "tests/scenarios/bad"
#define GOOD_DIR "tests/scenarios/good"
#define MIN_BAD_CASES 40

static const double HOUR_S = 3600.0;
static const double YEAR_S = 365.0 * 86400.0;

/* ---- helpers ----------------------------------------------------------------------------- */

#define assert_near(actual, expected, tolerance) \
    assert_near_at((actual), (expected), (tolerance), #actual, __FILE__, __LINE__)

static void assert_near_at(double actual, double expected, double tolerance, const char *what,
                           const char *file, int line)
{
    if (!(fabs(actual - expected) <= tolerance)) {
        fprintf(stderr, "%s:%d: %s = %.17g, expected %.17g within %g\n", file, line, what,
                actual, expected, tolerance);
        fail();
    }
}

/* Everything diag_print writes, as one malloc'd string. */
static char *diag_text(const diag_list *diag)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    assert_non_null(out);
    diag_print(diag, out);
    fclose(out);
    return text;
}

/* A whole file as a malloc'd string, or NULL when it cannot be read. */
static char *read_file(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (fp == NULL)
        return NULL;
    char *text = NULL;
    size_t size = 0, used = 0;
    for (;;) {
        if (used + 4096 + 1 > size) {
            size = 2 * size + 4096 + 1;
            char *grown = realloc(text, size);
            assert_non_null(grown);
            text = grown;
        }
        size_t got = fread(text + used, 1, size - used - 1, fp);
        used += got;
        if (got == 0)
            break;
    }
    fclose(fp);
    text[used] = '\0';
    return text;
}

/* Splits text into lines in place (the '\n's become NULs). */
static size_t split_lines(char *text, char ***lines_out)
{
    size_t count = 0, capacity = 16;
    char **lines = malloc(capacity * sizeof *lines);
    assert_non_null(lines);
    char *p = text;
    while (*p != '\0') {
        if (count == capacity) {
            capacity *= 2;
            lines = realloc(lines, capacity * sizeof *lines);
            assert_non_null(lines);
        }
        lines[count++] = p;
        char *newline = strchr(p, '\n');
        if (newline == NULL)
            break;
        *newline = '\0';
        p = newline + 1;
    }
    *lines_out = lines;
    return count;
}

/* Prints a line diff of expected against actual: "-" only expected, "+" only
 * actual, " " both (a longest common subsequence). */
static void print_diff(FILE *out, const char *expected_text, const char *actual_text)
{
    char *expected_copy = strdup(expected_text), *actual_copy = strdup(actual_text);
    assert_non_null(expected_copy);
    assert_non_null(actual_copy);
    char **e, **a;
    size_t ne = split_lines(expected_copy, &e), na = split_lines(actual_copy, &a);
    size_t *lcs = calloc((ne + 1) * (na + 1), sizeof *lcs); /* lcs[i][j]: of e[i..], a[j..] */
    assert_non_null(lcs);
#define LCS(i, j) lcs[(i) * (na + 1) + (j)]
    for (size_t i = ne; i-- > 0;)
        for (size_t j = na; j-- > 0;)
            LCS(i, j) = strcmp(e[i], a[j]) == 0 ? LCS(i + 1, j + 1) + 1
                        : LCS(i + 1, j) >= LCS(i, j + 1) ? LCS(i + 1, j)
                                                          : LCS(i, j + 1);
    size_t i = 0, j = 0;
    while (i < ne || j < na) {
        if (i < ne && j < na && strcmp(e[i], a[j]) == 0) {
            fprintf(out, "      %s\n", e[i]);
            i++;
            j++;
        } else if (j < na && (i == ne || LCS(i, j + 1) >= LCS(i + 1, j))) {
            fprintf(out, "    + %s\n", a[j++]);
        } else {
            fprintf(out, "    - %s\n", e[i++]);
        }
    }
#undef LCS
    free(lcs);
    free(e);
    free(a);
    free(expected_copy);
    free(actual_copy);
}

static bool scenario_is_empty(const scenario *sc)
{
    return sc->file == NULL && sc->name == NULL && sc->description == NULL &&
           sc->domains == NULL && sc->n_domains == 0 && sc->groups == NULL &&
           sc->n_groups == 0 && sc->service == NULL && sc->n_copies == 0;
}

/* Loads text as a scenario named "inline.yaml"; fails the test with the
 * diagnostics if it does not load. */
static void load_text(scenario *sc, const char *text)
{
    diag_list diag;
    diag_init(&diag);
    int result = scenario_load_string(sc, "inline.yaml", text, strlen(text), &diag);
    if (result != 0 || diag_has_errors(&diag)) {
        char *printed = diag_text(&diag);
        fprintf(stderr, "scenario did not load cleanly (result %d):\n%s---\n%s", result,
                printed, text);
        free(printed);
        diag_free(&diag);
        fail();
    }
    diag_free(&diag);
}

static void load_file(scenario *sc, const char *path)
{
    diag_list diag;
    diag_init(&diag);
    int result = scenario_load(sc, path, &diag);
    if (result != 0 || diag_has_errors(&diag)) {
        char *printed = diag_text(&diag);
        fprintf(stderr, "%s did not load cleanly (result %d):\n%s", path, result, printed);
        free(printed);
        diag_free(&diag);
        fail();
    }
    diag_free(&diag);
}

/* Loads text that must fail; returns what diag_print would print. */
static char *load_text_expecting_errors(const char *text)
{
    scenario sc;
    diag_list diag;
    diag_init(&diag);
    assert_int_equal(scenario_load_string(&sc, "inline.yaml", text, strlen(text), &diag), -1);
    assert_true(scenario_is_empty(&sc));
    char *printed = diag_text(&diag);
    diag_free(&diag);
    return printed;
}

static const component_group *group_named(const scenario *sc, const char *name)
{
    int g = scenario_find_group(sc, name);
    if (g < 0) {
        fprintf(stderr, "no component '%s'\n", name);
        fail();
    }
    return &sc->groups[g];
}

static const domain *domain_named(const scenario *sc, const char *name)
{
    int d = scenario_find_domain(sc, name);
    if (d < 0) {
        fprintf(stderr, "no region or zone '%s'\n", name);
        fail();
    }
    return &sc->domains[d];
}

/* ---- (a) the bad corpus ------------------------------------------------------------------ */

static void test_every_bad_scenario_prints_exactly_its_err_file(void **state)
{
    (void)state;
    glob_t found;
    int rc = glob(BAD_DIR "/*.yaml", 0, NULL, &found);
    size_t cases = rc == 0 ? found.gl_pathc : 0;
    size_t mismatches = 0;
    for (size_t i = 0; i < cases; i++) {
        const char *path = found.gl_pathv[i];
        char err_path[4096];
        snprintf(err_path, sizeof err_path, "%.*s.err", (int)(strlen(path) - strlen(".yaml")),
                 path);
        char *expected = read_file(err_path);

        scenario sc;
        diag_list diag;
        diag_init(&diag);
        int result = scenario_load(&sc, path, &diag);
        char *actual = diag_text(&diag);
        bool empty = scenario_is_empty(&sc);
        scenario_free(&sc);
        diag_free(&diag);

        if (expected == NULL) {
            fprintf(stderr, "%s: no %s; drsim prints:\n%s", path, err_path, actual);
            mismatches++;
        } else if (result != -1 || !empty || strcmp(expected, actual) != 0) {
            fprintf(stderr, "%s: ", path);
            if (result != -1)
                fprintf(stderr, "scenario_load returned %d, not -1; ", result);
            if (!empty)
                fprintf(stderr, "the scenario was not left empty; ");
            fprintf(stderr, "diagnostics differ from %s (- expected, + actual):\n", err_path);
            print_diff(stderr, expected, actual);
            mismatches++;
        }
        free(expected);
        free(actual);
    }
    if (rc == 0)
        globfree(&found);
    if (cases < MIN_BAD_CASES) {
        fprintf(stderr, "only %zu cases in " BAD_DIR "/*.yaml; the corpus needs at least %d\n",
                cases, MIN_BAD_CASES);
        fail();
    }
    if (mismatches > 0) {
        fprintf(stderr, "%zu of %zu bad scenarios did not print their .err file\n", mismatches,
                cases);
        fail();
    }
}

/* ---- (b) the good corpus and the examples ------------------------------------------------ */

static size_t load_all_cleanly(const char *pattern)
{
    glob_t found;
    if (glob(pattern, 0, NULL, &found) != 0)
        return 0;
    size_t failures = 0;
    for (size_t i = 0; i < found.gl_pathc; i++) {
        scenario sc;
        diag_list diag;
        diag_init(&diag);
        int result = scenario_load(&sc, found.gl_pathv[i], &diag);
        if (result != 0 || diag_has_errors(&diag)) {
            char *printed = diag_text(&diag);
            fprintf(stderr, "%s: expected no diagnostics (result %d):\n%s", found.gl_pathv[i],
                    result, printed);
            free(printed);
            failures++;
        } else if (sc.name == NULL || sc.service == NULL ||
                   (sc.n_groups == 0 && sc.dr.n_groups == 0 && sc.dr.n_databases == 0) ||
                   sc.file == NULL || strcmp(sc.file, found.gl_pathv[i]) != 0) {
            fprintf(stderr, "%s: loaded but incomplete\n", found.gl_pathv[i]);
            failures++;
        }
        scenario_free(&sc);
        diag_free(&diag);
    }
    size_t count = found.gl_pathc;
    globfree(&found);
    if (failures > 0) {
        fprintf(stderr, "%zu of %zu in %s did not load cleanly\n", failures, count, pattern);
        fail();
    }
    return count;
}

static void test_every_good_scenario_loads_without_diagnostics(void **state)
{
    (void)state;
    assert_true(load_all_cleanly(GOOD_DIR "/*.yaml") >= 10);
}

static void test_every_example_scenario_loads_without_diagnostics(void **state)
{
    (void)state;
    assert_true(load_all_cleanly("scenarios/*.yaml") >= 3);
}

/* ---- (c) where parsed values land -------------------------------------------------------- */

static void test_omitted_keys_take_the_documented_defaults(void **state)
{
    (void)state;
    scenario sc;
    load_file(&sc, GOOD_DIR "/minimal.yaml");
    assert_true(sc.horizon_s == YEAR_S);
    assert_true(sc.horizon_s == SCENARIO_DEFAULT_HORIZON_S);
    assert_int_equal(sc.trials, 1000);
    assert_int_equal(sc.seed, 1);
    assert_null(sc.description);
    assert_false(sc.targets.has_availability || sc.targets.has_rto || sc.targets.has_rpo);
    assert_int_equal(sc.n_domains, 0);
    assert_int_equal(sc.n_groups, 1);
    const component_group *g = group_named(&sc, "server");
    assert_int_equal(g->count, 1);
    assert_int_equal(g->crews, 1);
    assert_int_equal(g->copy_domain[0], -1);
    assert_int_equal(sc.n_copies, 1);
    assert_string_equal(sc.file, GOOD_DIR "/minimal.yaml");
    assert_string_equal(sc.name, "minimal");
    scenario_free(&sc);
}

static void test_header_values_land_in_their_fields(void **state)
{
    (void)state;
    scenario sc;
    load_file(&sc, GOOD_DIR "/spec-example.yaml");
    assert_string_equal(sc.name, "two-units");
    assert_string_equal(sc.description, "free text");
    assert_true(sc.horizon_s == 10 * YEAR_S);
    assert_int_equal(sc.trials, 1000);
    assert_int_equal(sc.seed, 1);
    assert_true(sc.targets.has_availability && sc.targets.has_rto && sc.targets.has_rpo);
    assert_true(sc.targets.rto_s == 15 * 60.0);
    assert_true(sc.targets.rpo_s == 60.0);
    scenario_free(&sc);

    load_text(&sc, "drsim: 1\nname: big\nhorizon: 1.5d\ntrials: 100000000\n"
                   "seed: 18446744073709551615\n"
                   "components: [{name: a, fail: 1h, repair: 1s}]\n");
    assert_true(sc.horizon_s == 1.5 * 86400.0);
    assert_int_equal(sc.trials, SCENARIO_MAX_TRIALS);
    assert_true(sc.seed == UINT64_MAX);
    scenario_free(&sc);
}

static void test_every_distribution_lands_in_its_fields_in_seconds(void **state)
{
    (void)state;
    scenario sc;
    load_file(&sc, GOOD_DIR "/all-distributions.yaml");
    const component_group *a = group_named(&sc, "a"), *b = group_named(&sc, "b"),
                          *c = group_named(&sc, "c"), *d = group_named(&sc, "d"),
                          *e = group_named(&sc, "e");
    assert_int_equal(a->fail.kind, DIST_EXP);
    assert_true(a->fail.p1 == 1000 * HOUR_S);
    assert_int_equal(a->repair.kind, DIST_WEIBULL);
    assert_true(a->repair.p1 == 1.5 && a->repair.p2 == 2 * HOUR_S);
    assert_int_equal(b->fail.kind, DIST_LOGNORMAL);
    assert_true(b->fail.p1 == 6 * HOUR_S && b->fail.p2 == 1.0);
    assert_int_equal(b->repair.kind, DIST_GAMMA);
    assert_true(b->repair.p1 == 2.0 && b->repair.p2 == 5 * HOUR_S);
    assert_int_equal(c->fail.kind, DIST_UNIFORM);
    assert_true(c->fail.p1 == 7 * 86400.0 && c->fail.p2 == 14 * 86400.0);
    assert_int_equal(c->repair.kind, DIST_CONST);
    assert_true(c->repair.p1 == 300.0);
    assert_int_equal(d->fail.kind, DIST_CONST);
    assert_true(d->fail.p1 == 3 * 86400.0);
    /* empirical: relative to the scenario's directory, samples loaded */
    assert_int_equal(d->repair.kind, DIST_EMPIRICAL);
    assert_string_equal(d->repair.file, "../bad/repairs.csv");
    assert_string_equal(d->repair.column, "hours");
    assert_int_equal(d->repair.n_samples, 2);
    assert_true(d->repair.samples_s[0] == 3 * HOUR_S && d->repair.samples_s[1] == 90 * 60.0);
    assert_int_equal(e->fail.kind, DIST_CONST);
    assert_true(e->fail.p1 == 1e6); /* a bare number is seconds */
    assert_near(e->repair.p1, 0.25, 1e-15);
    assert_true(sc.targets.availability == 0.9999);
    assert_true(sc.targets.rpo_s == 30.0);
    assert_true(sc.horizon_s == 2 * YEAR_S);
    scenario_free(&sc);
}

static void test_zones_spread_copies_round_robin(void **state)
{
    (void)state;
    scenario sc;
    load_file(&sc, GOOD_DIR "/placement.yaml");
    const component_group *web = group_named(&sc, "web");
    int a = scenario_find_domain(&sc, "east-a"), b = scenario_find_domain(&sc, "east-b"),
        c = scenario_find_domain(&sc, "east-c");
    assert_true(a >= 0 && b >= 0 && c >= 0);
    assert_int_equal(web->count, 5);
    assert_int_equal(web->copy_domain[0], a);
    assert_int_equal(web->copy_domain[1], b);
    assert_int_equal(web->copy_domain[2], c);
    assert_int_equal(web->copy_domain[3], a);
    assert_int_equal(web->copy_domain[4], b);
    assert_int_equal(sc.n_copies, 5 + 3 + 2);
    scenario_free(&sc);
}

static void test_zone_places_every_copy_in_that_zone(void **state)
{
    (void)state;
    scenario sc;
    load_file(&sc, GOOD_DIR "/placement.yaml");
    const component_group *db = group_named(&sc, "db"), *cache = group_named(&sc, "cache");
    int west_a = scenario_find_domain(&sc, "west-a");
    assert_true(west_a >= 0);
    for (int i = 0; i < db->count; i++)
        assert_int_equal(db->copy_domain[i], west_a);
    for (int i = 0; i < cache->count; i++) /* no placement: no zone */
        assert_int_equal(cache->copy_domain[i], -1);
    scenario_free(&sc);
}

static void test_zones_belong_to_their_region_and_outages_are_optional(void **state)
{
    (void)state;
    scenario sc;
    load_file(&sc, GOOD_DIR "/placement.yaml");
    assert_int_equal(sc.n_domains, 6);
    int east = scenario_find_domain(&sc, "east"), west = scenario_find_domain(&sc, "west");
    const domain *east_region = domain_named(&sc, "east"), *west_region = domain_named(&sc, "west");
    assert_int_equal(east_region->kind, DOMAIN_REGION);
    assert_int_equal(east_region->parent, -1);
    assert_true(east_region->has_outage);
    assert_int_equal(east_region->fail.kind, DIST_EXP);
    assert_true(east_region->fail.p1 == 20 * YEAR_S);
    assert_true(east_region->repair.p1 == 6 * HOUR_S);
    assert_false(west_region->has_outage);
    const char *east_zones[] = {"east-a", "east-b", "east-c"};
    for (size_t i = 0; i < 3; i++) {
        const domain *zone = domain_named(&sc, east_zones[i]);
        assert_int_equal(zone->kind, DOMAIN_ZONE);
        assert_int_equal(zone->parent, east);
        assert_false(zone->has_outage);
        assert_true(zone->name_hash == rng_name_hash(east_zones[i]));
    }
    const domain *west_a = domain_named(&sc, "west-a");
    assert_int_equal(west_a->parent, west);
    assert_true(west_a->has_outage);
    assert_true(west_a->fail.p1 == 2 * YEAR_S && west_a->repair.p1 == 3 * HOUR_S);
    scenario_free(&sc);
}

static void test_crews_default_to_count_and_can_be_fewer(void **state)
{
    (void)state;
    scenario sc;
    load_file(&sc, GOOD_DIR "/placement.yaml");
    assert_int_equal(group_named(&sc, "web")->crews, 5);
    assert_int_equal(group_named(&sc, "db")->crews, 2);
    assert_int_equal(group_named(&sc, "cache")->crews, 2);
    scenario_free(&sc);
}

static void test_copies_draw_from_streams_named_after_them(void **state)
{
    (void)state;
    scenario sc;
    load_file(&sc, GOOD_DIR "/placement.yaml");
    const component_group *web = group_named(&sc, "web");
    char name[32];
    for (int i = 0; i < web->count; i++) {
        snprintf(name, sizeof name, "web[%d]", i);
        assert_true(web->copy_hash[i] == rng_name_hash(name));
    }
    scenario_free(&sc);
}

static void assert_copies_leaf(const scenario *sc, const service_node *n, const char *group,
                               int at_least)
{
    assert_non_null(n);
    assert_int_equal(n->kind, SERVICE_COPIES);
    assert_int_equal(n->group, scenario_find_group(sc, group));
    assert_int_equal(n->at_least, at_least);
    assert_int_equal(n->n_children, 0);
}

static void test_service_forms_give_the_right_gates(void **state)
{
    (void)state;
    scenario sc;
    load_file(&sc, GOOD_DIR "/service-forms.yaml");
    const service_node *root = sc.service;
    /* all: [...] of four: a 4-of-4 gate */
    assert_int_equal(root->kind, SERVICE_GATE);
    assert_int_equal(root->n_children, 4);
    assert_int_equal(root->at_least, 4);
    /* a bare name: every copy (lb has 1) */
    assert_copies_leaf(&sc, root->children[0], "lb", 1);
    /* at_least: 3, of: web: 3 of web's copies */
    assert_copies_leaf(&sc, root->children[1], "web", 3);
    /* any: [db, {at_least: 2, of: cache}]: a 1-of-2 gate */
    const service_node *any = root->children[2];
    assert_int_equal(any->kind, SERVICE_GATE);
    assert_int_equal(any->n_children, 2);
    assert_int_equal(any->at_least, 1);
    assert_copies_leaf(&sc, any->children[0], "db", 2); /* bare name: both copies */
    assert_copies_leaf(&sc, any->children[1], "cache", 2);
    /* at_least: 2, of: [lb, db, cache]: a 2-of-3 gate of bare names */
    const service_node *two_of_three = root->children[3];
    assert_int_equal(two_of_three->kind, SERVICE_GATE);
    assert_int_equal(two_of_three->n_children, 3);
    assert_int_equal(two_of_three->at_least, 2);
    assert_copies_leaf(&sc, two_of_three->children[0], "lb", 1);
    assert_copies_leaf(&sc, two_of_three->children[1], "db", 2);
    assert_copies_leaf(&sc, two_of_three->children[2], "cache", 3);
    scenario_free(&sc);
}

static void test_bare_service_name_needs_every_copy(void **state)
{
    (void)state;
    scenario sc;
    load_text(&sc, "drsim: 1\nname: s\ncomponents:\n"
                   "  - {name: web, count: 3, fail: exp(mean=1h), repair: 1m}\n"
                   "service: web\n");
    assert_copies_leaf(&sc, sc.service, "web", 3);
    scenario_free(&sc);
}

static void test_without_service_every_component_is_needed(void **state)
{
    (void)state;
    scenario sc;
    load_file(&sc, GOOD_DIR "/all-distributions.yaml");
    const service_node *root = sc.service;
    assert_int_equal(root->kind, SERVICE_GATE);
    assert_int_equal(root->n_children, sc.n_groups);
    assert_int_equal(root->at_least, (int)sc.n_groups);
    for (size_t g = 0; g < sc.n_groups; g++)
        assert_copies_leaf(&sc, root->children[g], sc.groups[g].name, sc.groups[g].count);
    scenario_free(&sc);
}

static void test_service_nested_to_the_limit_loads(void **state)
{
    (void)state;
    scenario sc;
    load_file(&sc, GOOD_DIR "/service-64-deep.yaml");
    const service_node *n = sc.service;
    int gates = 0;
    while (n->kind == SERVICE_GATE) {
        assert_int_equal(n->n_children, 1);
        assert_int_equal(n->at_least, 1);
        n = n->children[0];
        gates++;
    }
    assert_int_equal(gates, SCENARIO_MAX_SERVICE_DEPTH);
    assert_copies_leaf(&sc, n, "web", 1);
    scenario_free(&sc);
}

static double availability_target_of(const char *written)
{
    char text[256];
    snprintf(text, sizeof text,
             "drsim: 1\nname: t\ntargets:\n  availability: %s\n"
             "components: [{name: a, fail: 1h, repair: 1s}]\n",
             written);
    scenario sc;
    load_text(&sc, text);
    assert_true(sc.targets.has_availability);
    double value = sc.targets.availability;
    scenario_free(&sc);
    return value;
}

static void test_availability_as_percent_and_as_fraction_are_the_same_number(void **state)
{
    (void)state;
    const struct { const char *percent, *fraction; double value; } cases[] = {
        {"99.99%", "0.9999", 0.9999}, {"99.9%", "0.999", 0.999},
        {"99.95%", "0.9995", 0.9995}, {"99.999%", "0.99999", 0.99999},
        {"100%", "1", 1.0},           {"50%", "0.5", 0.5},
    };
    int wrong = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double from_percent = availability_target_of(cases[i].percent);
        double from_fraction = availability_target_of(cases[i].fraction);
        if (from_fraction != cases[i].value || from_percent != cases[i].value) {
            fprintf(stderr, "availability %s gives %.17g and %s gives %.17g; both should be %.17g\n",
                    cases[i].percent, from_percent, cases[i].fraction, from_fraction,
                    cases[i].value);
            wrong++;
        }
    }
    assert_int_equal(wrong, 0);
}

static void test_spec_flow_mapping_reads_as_two_keys(void **state)
{
    (void)state;
    const char *text = "outage: {fail: exp(mean=20y), repair: lognormal(median=6h, sigma=1)}\n";
    ydoc doc;
    diag_list diag;
    diag_init(&diag);
    assert_int_equal(ydoc_load_string(&doc, "flow.yaml", NULL, text, strlen(text), &diag), 0);
    assert_false(diag_has_errors(&diag));
    const ynode *outage = ymap_get(doc.root, "outage");
    assert_non_null(outage);
    assert_int_equal(outage->kind, YNODE_MAPPING);
    assert_int_equal(outage->n, 2);
    assert_string_equal(outage->pairs[0].key->text, "fail");
    assert_string_equal(outage->pairs[0].value->text, "exp(mean=20y)");
    assert_string_equal(outage->pairs[1].key->text, "repair");
    assert_string_equal(outage->pairs[1].value->text, "lognormal(median=6h, sigma=1)");
    ydoc_free(&doc);
    diag_free(&diag);

    scenario sc;
    load_file(&sc, GOOD_DIR "/spec-example.yaml");
    const domain *east = domain_named(&sc, "east");
    assert_true(east->has_outage);
    assert_int_equal(east->fail.kind, DIST_EXP);
    assert_true(east->fail.p1 == 20 * YEAR_S);
    assert_int_equal(east->repair.kind, DIST_LOGNORMAL);
    assert_true(east->repair.p1 == 6 * HOUR_S);
    assert_true(east->repair.p2 == 1.0);
    scenario_free(&sc);
}

/* What ymap_check_match prints for the mapping `text` (one line of YAML
 * in "keys.yaml") with the keys targets and actions; "" when it passes. */
static char *check_keys(const char *text, ykey_match match)
{
    static const char *const allowed[] = {"targets", "actions", NULL};
    ydoc doc;
    diag_list diag;
    diag_init(&diag);
    assert_int_equal(ydoc_load_string(&doc, "keys.yaml", NULL, text, strlen(text), &diag), 0);
    yctx c = {&doc, &diag};
    bool ok = ymap_check_match(&c, doc.root, NULL, allowed, match);
    assert_true(ok == !diag_has_errors(&diag));
    char *printed = diag_text(&diag);
    ydoc_free(&doc);
    diag_free(&diag);
    return printed;
}

static void assert_check_prints(const char *text, ykey_match match, const char *expected)
{
    char *printed = check_keys(text, match);
    assert_string_equal(printed, expected);
    free(printed);
}

static void test_keys_can_match_in_either_first_letter_case(void **state)
{
    (void)state;
    assert_true(ykey_matches("targets", "targets", YKEY_EXACT));
    assert_false(ykey_matches("Targets", "targets", YKEY_EXACT));
    assert_true(ykey_matches("Targets", "targets", YKEY_FIRST_EITHER_CASE));
    assert_true(ykey_matches("targets", "Targets", YKEY_FIRST_EITHER_CASE));
    /* only the first letter: any other difference is still another key */
    assert_false(ykey_matches("TARGETS", "targets", YKEY_FIRST_EITHER_CASE));
    assert_false(ykey_matches("tarGets", "targets", YKEY_FIRST_EITHER_CASE));
    assert_false(ykey_matches("Target", "targets", YKEY_FIRST_EITHER_CASE));
    assert_false(ykey_matches("", "targets", YKEY_FIRST_EITHER_CASE));

    /* either case passes where ymap_check (exact) refuses, with a hint */
    assert_check_prints("{Targets: 1, actions: 2}\n", YKEY_FIRST_EITHER_CASE, "");
    assert_check_prints("{targets: 1, Actions: 2}\n", YKEY_FIRST_EITHER_CASE, "");
    assert_check_prints("{Targets: 1}\n", YKEY_EXACT,
                        "keys.yaml:1:2: error: unknown key 'Targets' (did you mean 'targets'?)\n");
    /* a key that differs in more than its first letter's case stays unknown */
    assert_check_prints("{TARGETS: 1}\n", YKEY_FIRST_EITHER_CASE,
                        "keys.yaml:1:2: error: unknown key 'TARGETS' "
                        "(expected one of: targets, actions)\n");
    assert_check_prints("{tarGets: 1}\n", YKEY_FIRST_EITHER_CASE,
                        "keys.yaml:1:2: error: unknown key 'tarGets' (did you mean 'targets'?)\n");
    /* the hint is spelt with the first letter as written */
    assert_check_prints("{Targts: 1, actons: 2}\n", YKEY_FIRST_EITHER_CASE,
                        "keys.yaml:1:2: error: unknown key 'Targts' (did you mean 'Targets'?)\n"
                        "keys.yaml:1:13: error: unknown key 'actons' (did you mean 'actions'?)\n");
    /* the two spellings of one key repeat it */
    assert_check_prints("{targets: 1, Targets: 2}\n", YKEY_FIRST_EITHER_CASE,
                        "keys.yaml:1:14: error: duplicate key 'Targets' "
                        "(first as 'targets' at line 1)\n");
    assert_check_prints("{targets: 1, Targets: 2}\n", YKEY_EXACT,
                        "keys.yaml:1:14: error: unknown key 'Targets' (did you mean 'targets'?)\n");
    assert_check_prints("{actions: 1, actions: 2}\n", YKEY_FIRST_EITHER_CASE,
                        "keys.yaml:1:14: error: duplicate key 'actions' (first at line 1)\n");
}

static void test_split_flow_scalars_keep_the_keys_after_them(void **state)
{
    (void)state;
    scenario sc;
    load_file(&sc, GOOD_DIR "/flow-style.yaml");
    const domain *eu = domain_named(&sc, "eu"), *eu_a = domain_named(&sc, "eu-a");
    assert_int_equal(eu->repair.kind, DIST_UNIFORM);
    assert_true(eu->repair.p1 == HOUR_S && eu->repair.p2 == 2 * HOUR_S);
    assert_int_equal(eu->fail.kind, DIST_GAMMA);
    assert_true(eu->fail.p1 == 2.0 && eu->fail.p2 == 3 * YEAR_S);
    assert_int_equal(eu_a->fail.kind, DIST_WEIBULL);
    assert_true(eu_a->fail.p1 == 0.9 && eu_a->fail.p2 == 2 * YEAR_S);
    assert_int_equal(eu_a->repair.kind, DIST_LOGNORMAL);
    assert_true(eu_a->repair.p1 == 2 * HOUR_S && eu_a->repair.p2 == 0.5);
    assert_int_equal(eu_a->parent, scenario_find_domain(&sc, "eu"));
    const component_group *web = group_named(&sc, "web");
    assert_int_equal(web->count, 2);
    assert_int_equal(web->crews, 1);
    assert_int_equal(web->copy_domain[0], scenario_find_domain(&sc, "eu-a"));
    assert_int_equal(web->copy_domain[1], scenario_find_domain(&sc, "eu-a"));
    assert_int_equal(web->repair.kind, DIST_LOGNORMAL);
    assert_true(web->repair.p1 == 8 * 60.0 && web->repair.p2 == 0.5);
    assert_copies_leaf(&sc, sc.service, "web", 1);
    scenario_free(&sc);
}

static void test_split_flow_scalars_rejoin_after_a_bom_and_multibyte_text(void **state)
{
    (void)state;
    scenario sc;
    load_file(&sc, GOOD_DIR "/utf8-bom-crlf.yaml");
    assert_string_equal(sc.description, "Z\xc3\xbcrich \xe2\x86\x92 Gen\xc3\xa8ve \xe2\x9c\x93");
    const domain *eu = domain_named(&sc, "eu");
    assert_int_equal(eu->repair.kind, DIST_LOGNORMAL);
    assert_true(eu->repair.p1 == 6 * HOUR_S && eu->repair.p2 == 1.0);
    scenario_free(&sc);
}

static void test_comments_change_nothing(void **state)
{
    (void)state;
    scenario with, without;
    load_text(&with, "# leading comment\n"
                     "drsim: 1   # version\n"
                     "name: c    # the name\n"
                     "# between keys\n"
                     "components:\n"
                     "  # before an item\n"
                     "  - name: web   # a # inside a comment\n"
                     "    count: 2    # two\n"
                     "    fail: exp(mean=10h)  # after a distribution\n"
                     "    repair: 1h\n"
                     "# trailing comment\n");
    load_text(&without, "drsim: 1\nname: c\ncomponents:\n"
                        "  - {name: web, count: 2, fail: exp(mean=10h), repair: 1h}\n");
    assert_string_equal(with.name, without.name);
    const component_group *a = group_named(&with, "web"), *b = group_named(&without, "web");
    assert_int_equal(a->count, b->count);
    assert_int_equal(a->fail.kind, b->fail.kind);
    assert_true(a->fail.p1 == b->fail.p1 && a->fail.p1 == 10 * HOUR_S);
    assert_true(a->repair.p1 == b->repair.p1);
    scenario_free(&with);
    scenario_free(&without);
}

static void test_small_anchors_and_aliases_are_expanded(void **state)
{
    (void)state;
    scenario sc;
    load_file(&sc, GOOD_DIR "/anchors.yaml");
    const domain *a = domain_named(&sc, "east-a"), *b = domain_named(&sc, "east-b");
    assert_true(a->has_outage && b->has_outage);
    assert_true(a->fail.p1 == b->fail.p1 && b->fail.p1 == 2 * YEAR_S);
    assert_true(a->repair.p1 == b->repair.p1 && b->repair.p1 == 3 * HOUR_S);
    const component_group *web = group_named(&sc, "web"), *api = group_named(&sc, "api");
    assert_true(web->fail.kind == DIST_EXP && api->fail.kind == DIST_EXP);
    assert_true(api->fail.p1 == 1000 * HOUR_S && api->repair.p1 == 10 * HOUR_S);
    int ia = scenario_find_domain(&sc, "east-a"), ib = scenario_find_domain(&sc, "east-b");
    assert_int_equal(api->copy_domain[0], ia);
    assert_int_equal(api->copy_domain[1], ib);
    assert_int_equal(web->copy_domain[2], ia);
    assert_int_equal(web->copy_domain[3], ib);
    scenario_free(&sc);
}

static void test_load_string_works_and_names_the_file_in_diagnostics(void **state)
{
    (void)state;
    scenario sc;
    load_text(&sc, "drsim: 1\nname: inline\ncomponents:\n  - name: web\n    fail: 1h\n    repair: 1m\n");
    assert_string_equal(sc.file, "inline.yaml");
    assert_string_equal(sc.name, "inline");
    assert_true(group_named(&sc, "web")->fail.p1 == HOUR_S);
    scenario_free(&sc);

    char *printed = load_text_expecting_errors(
        "drsim: 1\nname: inline\ncomponents:\n  - name: web\n    fail: 1h\n    repair: -1m\n");
    assert_string_equal(printed,
                        "inline.yaml:6:13: error: components[0].repair: negative duration '-1m'\n");
    free(printed);
}

static void test_load_string_reads_only_the_given_length(void **state)
{
    (void)state;
    const char text[] = "drsim: 1\nname: cut\ncomponents: [{name: a, fail: 1h, repair: 1s}]\n"
                        "this line is past the length: [";
    size_t length = strlen(text) - strlen("this line is past the length: [");
    scenario sc;
    diag_list diag;
    diag_init(&diag);
    assert_int_equal(scenario_load_string(&sc, "cut.yaml", text, length, &diag), 0);
    assert_false(diag_has_errors(&diag));
    assert_string_equal(sc.name, "cut");
    scenario_free(&sc);
    diag_free(&diag);
}

static void test_a_good_load_succeeds_after_earlier_errors_in_the_same_list(void **state)
{
    (void)state;
    diag_list diag;
    diag_init(&diag);
    scenario sc;
    const char *bad = "drsim: 1\nname: b\ncomponents: []\n";
    const char *good = "drsim: 1\nname: g\ncomponents: [{name: a, fail: 1h, repair: 1s}]\n";
    assert_int_equal(scenario_load_string(&sc, "bad.yaml", bad, strlen(bad), &diag), -1);
    assert_int_equal(diag_error_count(&diag), 1);
    assert_int_equal(scenario_load_string(&sc, "good.yaml", good, strlen(good), &diag), 0);
    assert_int_equal(diag_error_count(&diag), 1);
    assert_string_equal(sc.name, "g");
    scenario_free(&sc);
    diag_free(&diag);
}

static void test_a_missing_file_is_one_error_without_a_position(void **state)
{
    (void)state;
    scenario sc;
    diag_list diag;
    diag_init(&diag);
    assert_int_equal(scenario_load(&sc, BAD_DIR "/no-such-scenario.yaml", &diag), -1);
    assert_true(scenario_is_empty(&sc));
    char *printed = diag_text(&diag);
    assert_string_equal(printed, BAD_DIR "/no-such-scenario.yaml: error: cannot open: "
                                         "No such file or directory\n");
    free(printed);
    diag_free(&diag);
}

static void test_the_alias_bomb_is_refused_quickly(void **state)
{
    (void)state;
    /* twelve levels of ten: 10^12 nodes if expanded */
    char text[4096];
    size_t used = (size_t)snprintf(text, sizeof text, "l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n");
    for (int level = 1; level <= 12; level++) {
        used += (size_t)snprintf(text + used, sizeof text - used, "l%d: &l%d [", level, level);
        for (int i = 0; i < 10; i++)
            used += (size_t)snprintf(text + used, sizeof text - used, "%s*l%d", i ? ", " : "",
                                     level - 1);
        used += (size_t)snprintf(text + used, sizeof text - used, "]\n");
    }
    char *printed = load_text_expecting_errors(text);
    assert_non_null(strstr(printed, "too many YAML nodes"));
    free(printed);
}

/* ---- (d) freeing ------------------------------------------------------------------------- */

static void test_loaded_scenarios_free_cleanly_and_twice_is_harmless(void **state)
{
    (void)state;
    const char *paths[] = {GOOD_DIR "/spec-example.yaml", GOOD_DIR "/all-distributions.yaml",
                           GOOD_DIR "/placement.yaml",    GOOD_DIR "/service-forms.yaml",
                           GOOD_DIR "/anchors.yaml",      "scenarios/web-tier.yaml"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        scenario sc;
        load_file(&sc, paths[i]);
        scenario_free(&sc);
        assert_true(scenario_is_empty(&sc));
        scenario_free(&sc); /* a freed scenario is empty, and freeing it again is a no-op */
    }
}

static void test_failed_loads_leave_nothing_to_free(void **state)
{
    (void)state;
    /* each fails after the loader has allocated something */
    const char *texts[] = {
        "drsim: 1\nname: x\nregions: [{name: r, zones: [{name: z}]}]\n"
        "components: [{name: a, count: 3, zones: [z], fail: 1h, repair: 1s}]\nservice: b\n",
        "drsim: 1\nname: x\ncomponents: [{name: a, fail: 1h, repair: "
        "'empirical(file=tests/scenarios/bad/repairs.csv, column=hours)'}, "
        "{name: b, fail: 1h, repair: bogus}]\n",
        "drsim: 1\nname: x\ncomponents: [{name: a, count: 2, fail: 1h, repair: 1s}]\n"
        "service: {all: [a, {any: [a, {at_least: 3, of: a}]}]}\n",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        free(load_text_expecting_errors(texts[i]));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_bad_scenario_prints_exactly_its_err_file),
        cmocka_unit_test(test_every_good_scenario_loads_without_diagnostics),
        cmocka_unit_test(test_every_example_scenario_loads_without_diagnostics),
        cmocka_unit_test(test_omitted_keys_take_the_documented_defaults),
        cmocka_unit_test(test_header_values_land_in_their_fields),
        cmocka_unit_test(test_every_distribution_lands_in_its_fields_in_seconds),
        cmocka_unit_test(test_zones_spread_copies_round_robin),
        cmocka_unit_test(test_zone_places_every_copy_in_that_zone),
        cmocka_unit_test(test_zones_belong_to_their_region_and_outages_are_optional),
        cmocka_unit_test(test_crews_default_to_count_and_can_be_fewer),
        cmocka_unit_test(test_copies_draw_from_streams_named_after_them),
        cmocka_unit_test(test_service_forms_give_the_right_gates),
        cmocka_unit_test(test_bare_service_name_needs_every_copy),
        cmocka_unit_test(test_without_service_every_component_is_needed),
        cmocka_unit_test(test_service_nested_to_the_limit_loads),
        cmocka_unit_test(test_availability_as_percent_and_as_fraction_are_the_same_number),
        cmocka_unit_test(test_spec_flow_mapping_reads_as_two_keys),
        cmocka_unit_test(test_keys_can_match_in_either_first_letter_case),
        cmocka_unit_test(test_split_flow_scalars_keep_the_keys_after_them),
        cmocka_unit_test(test_split_flow_scalars_rejoin_after_a_bom_and_multibyte_text),
        cmocka_unit_test(test_comments_change_nothing),
        cmocka_unit_test(test_small_anchors_and_aliases_are_expanded),
        cmocka_unit_test(test_load_string_works_and_names_the_file_in_diagnostics),
        cmocka_unit_test(test_load_string_reads_only_the_given_length),
        cmocka_unit_test(test_a_good_load_succeeds_after_earlier_errors_in_the_same_list),
        cmocka_unit_test(test_a_missing_file_is_one_error_without_a_position),
        cmocka_unit_test(test_the_alias_bomb_is_refused_quickly),
        cmocka_unit_test(test_loaded_scenarios_free_cleanly_and_twice_is_harmless),
        cmocka_unit_test(test_failed_loads_leave_nothing_to_free),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
