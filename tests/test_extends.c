/*
 * test_extends — `extends: PATH`: a scenario file overlaid on a base file
 * (include/ytree.h, sim/ytree.c).
 *
 * The scenarios under tests/scenarios/extends each change a little of
 * base/topology.yaml; the bad cases with their exact messages are in
 * tests/scenarios/bad/extends-*.yaml (checked by test_loader's corpus test),
 * and tests/cli_test.sh runs strategy.yaml and its hand-merged twin to
 * byte-identical CSV files.  The merge rules themselves are tested on small
 * files written to a temporary directory.  Paths are relative to the
 * repository root, where `make test` runs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "dist.h"
#include "scenario.h"
#include "ytree.h"

#define EXT_DIR "tests/scenarios/extends"
#define BAD_DIR "tests/scenarios/bad"

static const double HOUR_S = 3600.0;
static const double YEAR_S = 365.0 * 86400.0;

/* ---- helpers ----------------------------------------------------------------------------- */

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

/* Loads path, which must fail with exactly `expected` on the error output. */
static void expect_errors(const char *path, const char *expected)
{
    scenario sc;
    diag_list diag;
    diag_init(&diag);
    int result = scenario_load(&sc, path, &diag);
    char *printed = diag_text(&diag);
    if (result != -1 || strcmp(printed, expected) != 0) {
        fprintf(stderr, "%s: result %d; expected:\n%sgot:\n%s", path, result, expected, printed);
        free(printed);
        diag_free(&diag);
        scenario_free(&sc);
        fail();
    }
    free(printed);
    diag_free(&diag);
    scenario_free(&sc);
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

static const char *zone_of_copy(const scenario *sc, const component_group *g, int copy)
{
    int d = g->copy_domain[copy];
    return d < 0 ? "" : sc->domains[d].name;
}

/* A temporary directory of small files, removed by the test's end. */
typedef struct scratch {
    char dir[64];
    char paths[16][128];
    size_t n;
} scratch;

static void scratch_init(scratch *s)
{
    static const char template[] = "/tmp/drsim-extends.XXXXXX";
    memcpy(s->dir, template, sizeof template);
    assert_non_null(mkdtemp(s->dir));
    s->n = 0;
}

/* Writes text to DIR/name; returns the path (valid until scratch_clean). */
static const char *scratch_write(scratch *s, const char *name, const char *text)
{
    assert_true(s->n < sizeof s->paths / sizeof s->paths[0]);
    char joined[sizeof s->paths[0]];
    snprintf(joined, sizeof joined, "%s/%s", s->dir, name);
    char *path = s->paths[s->n++];
    memcpy(path, joined, sizeof joined);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
    return path;
}

static void scratch_clean(scratch *s)
{
    for (size_t i = 0; i < s->n; i++)
        unlink(s->paths[i]);
    rmdir(s->dir);
}

/* Loads path as a ydoc that must load without a word. */
static void load_doc(ydoc *doc, const char *path)
{
    diag_list diag;
    diag_init(&diag);
    int result = ydoc_load(doc, path, &diag);
    if (result != 0 || diag_has_errors(&diag)) {
        char *printed = diag_text(&diag);
        fprintf(stderr, "%s did not load cleanly (result %d):\n%s", path, result, printed);
        free(printed);
        diag_free(&diag);
        fail();
    }
    diag_free(&diag);
}

/* Loads path as a ydoc that must fail; returns the diagnostics (malloc'd). */
static char *load_doc_expecting_errors(const char *path)
{
    ydoc doc;
    diag_list diag;
    diag_init(&diag);
    assert_int_equal(ydoc_load(&doc, path, &diag), -1);
    assert_null(doc.root);
    char *printed = diag_text(&diag);
    diag_free(&diag);
    ydoc_free(&doc);
    return printed;
}

/* The scalar text at a mapping key, or NULL. */
static const char *text_at(const ynode *map, const char *key)
{
    const ynode *value = ymap_get(map, key);
    return value != NULL && value->kind == YNODE_SCALAR ? value->text : NULL;
}

/* ---- the scenarios under tests/scenarios/extends ------------------------------------------ */

static void test_a_scalar_in_the_extending_file_replaces_the_base_value(void **state)
{
    (void)state;
    scenario sc;
    load_file(&sc, EXT_DIR "/horizon.yaml");
    assert_true(sc.horizon_s == 5 * YEAR_S);
    /* everything else is the base's */
    assert_string_equal(sc.name, "base-topology");
    assert_int_equal(sc.trials, 200);
    assert_int_equal(sc.seed, 7);
    assert_true(sc.targets.has_availability && sc.targets.availability == 0.999);
    assert_int_equal(sc.n_domains, 3);
    assert_int_equal(sc.n_groups, 3);
    assert_string_equal(sc.file, EXT_DIR "/horizon.yaml"); /* the file that was asked for */
    scenario_free(&sc);
}

static void test_a_component_named_again_changes_only_what_it_says(void **state)
{
    (void)state;
    scenario sc;
    load_file(&sc, EXT_DIR "/count.yaml");
    assert_int_equal(sc.n_groups, 3);
    assert_string_equal(sc.groups[0].name, "web"); /* still in the base's order */
    assert_string_equal(sc.groups[1].name, "db");
    assert_string_equal(sc.groups[2].name, "cache");
    const component_group *db = group_named(&sc, "db");
    assert_int_equal(db->count, 3);
    /* inherited: fail, repair, crews and the zones, now spread over three copies */
    assert_int_equal(db->fail.kind, DIST_EXP);
    assert_true(db->fail.p1 == YEAR_S);
    assert_int_equal(db->repair.kind, DIST_EMPIRICAL);
    assert_int_equal(db->crews, 1);
    assert_string_equal(zone_of_copy(&sc, db, 0), "east-a");
    assert_string_equal(zone_of_copy(&sc, db, 1), "east-b");
    assert_string_equal(zone_of_copy(&sc, db, 2), "east-a");
    /* the other components are untouched */
    assert_int_equal(group_named(&sc, "web")->count, 4);
    assert_int_equal(group_named(&sc, "cache")->count, 1);
    assert_int_equal(sc.n_copies, 4 + 3 + 1);
    scenario_free(&sc);
}

static void test_a_component_with_a_new_name_is_appended(void **state)
{
    (void)state;
    scenario sc;
    load_file(&sc, EXT_DIR "/append.yaml");
    assert_int_equal(sc.n_groups, 4);
    assert_string_equal(sc.groups[3].name, "queue");
    assert_int_equal(sc.groups[3].count, 2);
    assert_true(sc.groups[3].fail.p1 == 5000 * HOUR_S);
    assert_string_equal(zone_of_copy(&sc, &sc.groups[3], 1), "east-b");
    assert_int_equal(sc.n_copies, 4 + 2 + 1 + 2);
    scenario_free(&sc);
}

static void test_remove_true_deletes_a_component_and_the_service_follows(void **state)
{
    (void)state;
    scenario sc;
    load_file(&sc, EXT_DIR "/remove.yaml");
    assert_int_equal(sc.n_groups, 2);
    assert_int_equal(scenario_find_group(&sc, "cache"), -1);
    assert_string_equal(sc.groups[0].name, "web");
    assert_string_equal(sc.groups[1].name, "db");
    /* the service's `all` list was replaced, not merged */
    assert_int_equal(sc.service->kind, SERVICE_GATE);
    assert_int_equal(sc.service->n_children, 2);
    assert_int_equal(sc.service->children[0]->group, 0);
    assert_int_equal(sc.service->children[1]->group, 1);
    scenario_free(&sc);
}

static void test_a_base_may_extend_another_base(void **state)
{
    (void)state;
    scenario sc;
    load_file(&sc, EXT_DIR "/chain-top.yaml");
    assert_string_equal(sc.name, "chain-middle");        /* from the middle file */
    assert_int_equal(group_named(&sc, "web")->count, 6); /* from the middle file */
    assert_true(sc.horizon_s == 3 * YEAR_S);             /* from the top file */
    const component_group *db = group_named(&sc, "db");
    assert_int_equal(db->crews, 2);                      /* from the top file */
    assert_int_equal(db->count, 2);                      /* from the base */
    assert_int_equal(db->repair.n_samples, 4);           /* from the base, beside the base */
    assert_int_equal(sc.trials, 200);                    /* from the base */
    scenario_free(&sc);
}

static void test_eight_levels_of_extends_load(void **state)
{
    (void)state;
    scenario sc;
    load_file(&sc, EXT_DIR "/deep-8.yaml");
    assert_string_equal(sc.name, "deepest");
    scenario_free(&sc);
}

static void test_nine_levels_of_extends_are_too_deep(void **state)
{
    (void)state;
    char *printed = load_doc_expecting_errors(BAD_DIR "/extends-too-deep.yaml");
    const char *expected =
        "tests/scenarios/bad/../extends/deep/8.yaml:1:10: error: extends: more than 8 levels of "
        "extends: tests/scenarios/bad/extends-too-deep.yaml extends ";
    assert_memory_equal(printed, expected, strlen(expected));
    assert_non_null(strstr(printed, "deep/8.yaml extends tests/scenarios/bad/../extends/deep/9.yaml\n"));
    free(printed);
}

static void test_a_cycle_is_an_error_that_names_the_chain(void **state)
{
    (void)state;
    expect_errors(EXT_DIR "/cycle-a.yaml",
                  "tests/scenarios/extends/cycle-b.yaml:2:10: error: extends: a cycle: "
                  "tests/scenarios/extends/cycle-a.yaml extends "
                  "tests/scenarios/extends/cycle-b.yaml extends "
                  "tests/scenarios/extends/cycle-a.yaml\n");
}

static void test_a_file_that_extends_itself_is_a_cycle(void **state)
{
    (void)state;
    scratch s;
    scratch_init(&s);
    const char *path = scratch_write(&s, "self.yaml", "extends: ./self.yaml\n");
    char *printed = load_doc_expecting_errors(path);
    char expected[512];
    snprintf(expected, sizeof expected, "%s:1:10: error: extends: a cycle: %s extends %s/./self.yaml\n",
             path, path, s.dir);
    assert_string_equal(printed, expected);
    free(printed);
    scratch_clean(&s);
}

static void test_a_missing_base_is_reported_at_the_extends_value(void **state)
{
    (void)state;
    expect_errors(EXT_DIR "/missing.yaml",
                  "tests/scenarios/extends/missing.yaml:3:10: error: extends: cannot open "
                  "'tests/scenarios/extends/no-such-base.yaml': No such file or directory\n");
}

static void test_errors_point_into_the_file_that_wrote_the_value(void **state)
{
    (void)state;
    /* the horizon is the extending file's mistake, the count the base's */
    expect_errors(EXT_DIR "/errors-in-both.yaml",
                  "tests/scenarios/extends/errors-in-both.yaml:2:10: error: horizon: unknown unit "
                  "'years' in duration '10 years' (use ms, s, m, h, d, w or y)\n"
                  "tests/scenarios/extends/broken/bad-count.yaml:6:12: error: components[0].count: "
                  "'two' is not a whole number\n");
}

static void test_a_syntax_error_in_the_base_is_reported_in_the_base(void **state)
{
    (void)state;
    expect_errors(BAD_DIR "/extends-base-syntax.yaml",
                  "tests/scenarios/bad/../extends/broken/syntax.yaml:4:1: error: YAML syntax: did "
                  "not find expected ',' or '}' while parsing a flow mapping that starts at 3:14\n");
}

static void test_an_empirical_file_in_a_base_is_read_beside_the_base(void **state)
{
    (void)state;
    /* count.yaml is in tests/scenarios/extends, restores.csv beside the base in base/ */
    scenario sc;
    load_file(&sc, EXT_DIR "/count.yaml");
    const component_group *db = group_named(&sc, "db");
    assert_int_equal(db->repair.kind, DIST_EMPIRICAL);
    assert_string_equal(db->repair.file, "restores.csv");
    assert_int_equal(db->repair.n_samples, 4);
    assert_true(db->repair.samples_s[0] == 2 * HOUR_S);
    assert_true(db->repair.samples_s[2] == 45 * 60.0);
    scenario_free(&sc);

    /* and a CSV named in the extending file is read beside that file */
    scratch s;
    scratch_init(&s);
    scratch_write(&s, "local.csv", "minutes\n5m\n");
    char cwd[2048], text[2560];
    assert_non_null(getcwd(cwd, sizeof cwd));
    snprintf(text, sizeof text,
             "extends: %s/" EXT_DIR "/base/topology.yaml\n"
             "components:\n  - {name: cache, repair: 'empirical(file=local.csv, column=minutes)'}\n",
             cwd);
    const char *path = scratch_write(&s, "child.yaml", text);
    load_file(&sc, path);
    const component_group *cache = group_named(&sc, "cache");
    assert_int_equal(cache->repair.n_samples, 1);
    assert_true(cache->repair.samples_s[0] == 300.0);
    assert_int_equal(group_named(&sc, "db")->repair.n_samples, 4);
    scenario_free(&sc);
    scratch_clean(&s);
}

static bool same_dist(const dist *a, const dist *b)
{
    if (a->kind != b->kind || a->p1 != b->p1 || a->p2 != b->p2 || a->n_samples != b->n_samples)
        return false;
    for (size_t i = 0; i < a->n_samples; i++)
        if (a->samples_s[i] != b->samples_s[i])
            return false;
    return true;
}

static bool same_service(const service_node *a, const service_node *b)
{
    if (a->kind != b->kind || a->at_least != b->at_least || a->n_children != b->n_children)
        return false;
    if (a->kind == SERVICE_COPIES)
        return a->group == b->group;
    for (size_t i = 0; i < a->n_children; i++)
        if (!same_service(a->children[i], b->children[i]))
            return false;
    return true;
}

static void test_the_merged_scenario_equals_the_hand_merged_file(void **state)
{
    (void)state;
    scenario merged, by_hand;
    load_file(&merged, EXT_DIR "/strategy.yaml");
    load_file(&by_hand, EXT_DIR "/strategy-merged.yaml");
    assert_string_equal(merged.name, by_hand.name);
    assert_string_equal(merged.description, by_hand.description);
    assert_true(merged.horizon_s == by_hand.horizon_s);
    assert_int_equal(merged.trials, by_hand.trials);
    assert_int_equal(merged.seed, by_hand.seed);
    assert_memory_equal(&merged.targets, &by_hand.targets, sizeof merged.targets);
    assert_int_equal(merged.n_domains, by_hand.n_domains);
    for (size_t d = 0; d < merged.n_domains; d++) {
        const domain *a = &merged.domains[d], *b = &by_hand.domains[d];
        assert_string_equal(a->name, b->name);
        assert_int_equal(a->kind, b->kind);
        assert_int_equal(a->parent, b->parent);
        assert_int_equal(a->has_outage, b->has_outage);
        assert_true(same_dist(&a->fail, &b->fail) && same_dist(&a->repair, &b->repair));
    }
    assert_int_equal(merged.n_groups, by_hand.n_groups);
    for (size_t g = 0; g < merged.n_groups; g++) {
        const component_group *a = &merged.groups[g], *b = &by_hand.groups[g];
        assert_string_equal(a->name, b->name);
        assert_int_equal(a->count, b->count);
        assert_int_equal(a->crews, b->crews);
        assert_true(same_dist(&a->fail, &b->fail) && same_dist(&a->repair, &b->repair));
        assert_memory_equal(a->copy_domain, b->copy_domain, (size_t)a->count * sizeof(int));
    }
    assert_true(same_service(merged.service, by_hand.service));
    /* the nested merge: east-b's outage took the new repair and kept its fail */
    const domain *east_b = &merged.domains[scenario_find_domain(&merged, "east-b")];
    assert_true(east_b->repair.p1 == HOUR_S && east_b->fail.p1 == 2 * YEAR_S);
    scenario_free(&merged);
    scenario_free(&by_hand);
}

/* ---- the merge rules, on the tree ---------------------------------------------------------- */

static void test_mappings_merge_key_by_key_and_new_keys_come_after_the_base_keys(void **state)
{
    (void)state;
    scratch s;
    scratch_init(&s);
    scratch_write(&s, "base.yaml", "a: 1\nm: {x: 1, y: {deep: 1, keep: 1}}\nb: 2\n");
    const char *path =
        scratch_write(&s, "child.yaml", "extends: base.yaml\nnew: 3\nm: {y: {deep: 2}, z: 3}\n");
    ydoc doc;
    load_doc(&doc, path);
    const ynode *root = doc.root;
    assert_int_equal(root->n, 4);
    assert_string_equal(root->pairs[0].key->text, "a");
    assert_string_equal(root->pairs[1].key->text, "m");
    assert_string_equal(root->pairs[2].key->text, "b");
    assert_string_equal(root->pairs[3].key->text, "new");
    const ynode *m = ymap_get(root, "m");
    assert_int_equal(m->n, 3);
    assert_string_equal(text_at(m, "x"), "1");
    assert_string_equal(text_at(m, "z"), "3");
    const ynode *y = ymap_get(m, "y");
    assert_string_equal(text_at(y, "deep"), "2");
    assert_string_equal(text_at(y, "keep"), "1");
    ydoc_free(&doc);
    scratch_clean(&s);
}

static void test_any_other_value_replaces_the_base_value(void **state)
{
    (void)state;
    scratch s;
    scratch_init(&s);
    scratch_write(&s, "base.yaml",
                  "scalars: [a, b, c]\n"      /* a list that is not of named items */
                  "was_scalar: 1\n"
                  "was_mapping: {x: 1}\n"
                  "was_named: [{name: a, x: 1}]\n"
                  "was_null:\n");
    const char *path = scratch_write(&s, "child.yaml",
                                     "extends: base.yaml\n"
                                     "scalars: [d]\n"
                                     "was_scalar: {now: mapping}\n"
                                     "was_mapping: plain\n"
                                     "was_named: [plain, list]\n"
                                     "was_null: [{name: b, y: 2}]\n");
    ydoc doc;
    load_doc(&doc, path);
    const ynode *scalars = ymap_get(doc.root, "scalars");
    assert_int_equal(scalars->n, 1);
    assert_string_equal(scalars->items[0]->text, "d");
    assert_int_equal(ymap_get(doc.root, "was_scalar")->kind, YNODE_MAPPING);
    assert_string_equal(text_at(doc.root, "was_mapping"), "plain");
    assert_int_equal(ymap_get(doc.root, "was_named")->n, 2);
    const ynode *was_null = ymap_get(doc.root, "was_null");
    assert_int_equal(was_null->n, 1);
    assert_string_equal(text_at(was_null->items[0], "name"), "b");
    ydoc_free(&doc);
    scratch_clean(&s);
}

static void test_named_items_merge_by_name_append_and_remove(void **state)
{
    (void)state;
    scratch s;
    scratch_init(&s);
    scratch_write(&s, "base.yaml",
                  "list:\n"
                  "  - {name: a, x: 1, y: 1}\n"
                  "  - {name: b, x: 1}\n"
                  "  - {name: c, x: 1}\n");
    const char *path = scratch_write(&s, "child.yaml",
                                     "extends: base.yaml\n"
                                     "list:\n"
                                     "  - {name: d, x: 4}\n"
                                     "  - {name: a, y: 2}\n"
                                     "  - {name: b, remove: true}\n");
    ydoc doc;
    load_doc(&doc, path);
    const ynode *list = ymap_get(doc.root, "list");
    assert_int_equal(list->n, 3);
    assert_string_equal(text_at(list->items[0], "name"), "a");
    assert_string_equal(text_at(list->items[0], "x"), "1");
    assert_string_equal(text_at(list->items[0], "y"), "2");
    assert_string_equal(text_at(list->items[1], "name"), "c");
    assert_string_equal(text_at(list->items[2], "name"), "d");
    assert_string_equal(text_at(list->items[2], "x"), "4");
    ydoc_free(&doc);
    scratch_clean(&s);
}

static void test_extends_is_not_part_of_the_result(void **state)
{
    (void)state;
    ydoc doc;
    load_doc(&doc, EXT_DIR "/chain-top.yaml");
    assert_null(ymap_get(doc.root, "extends"));
    assert_int_equal(doc.n_bases, 2);
    assert_string_equal(doc.bases[0].file, EXT_DIR "/chain-middle.yaml");
    assert_string_equal(doc.bases[1].file, EXT_DIR "/base/topology.yaml");
    assert_string_equal(doc.bases[1].dir, EXT_DIR "/base");
    ydoc_free(&doc);
}

static void test_every_node_knows_the_file_it_was_written_in(void **state)
{
    (void)state;
    ydoc doc;
    load_doc(&doc, EXT_DIR "/count.yaml");
    const ynode *components = ymap_get(doc.root, "components");
    const ynode *db = components->items[1];
    assert_string_equal(ymap_get(db, "count")->file, EXT_DIR "/count.yaml");
    assert_int_equal(ymap_get(db, "count")->line0, 3);
    assert_string_equal(ymap_get(db, "fail")->file, EXT_DIR "/base/topology.yaml");
    assert_int_equal(ymap_get(db, "fail")->line0, 27);
    /* a merged mapping sits where the extending file wrote it */
    assert_string_equal(db->file, EXT_DIR "/count.yaml");
    /* values only the base has */
    assert_string_equal(ymap_get(doc.root, "horizon")->file, EXT_DIR "/base/topology.yaml");
    assert_string_equal(components->items[0]->file, EXT_DIR "/base/topology.yaml");
    /* a single file's nodes all name it */
    ydoc single;
    load_doc(&single, EXT_DIR "/base/topology.yaml");
    assert_ptr_equal(single.root->file, single.file);
    assert_ptr_equal(ymap_get(single.root, "components")->items[2]->file, single.file);
    assert_int_equal(single.n_bases, 0);
    ydoc_free(&single);
    ydoc_free(&doc);
}

static void test_a_base_need_not_be_a_whole_scenario(void **state)
{
    (void)state;
    scratch s;
    scratch_init(&s);
    /* no drsim, no name: only the part the strategies share */
    scratch_write(&s, "shared.yaml",
                  "components:\n  - {name: server, count: 2, fail: exp(mean=1000h), "
                  "repair: exp(mean=10h)}\n");
    const char *path = scratch_write(&s, "strategy.yaml",
                                     "drsim: 1\nname: pair\nextends: shared.yaml\n"
                                     "service: {at_least: 1, of: server}\n");
    scenario sc;
    load_file(&sc, path);
    assert_int_equal(sc.n_groups, 1);
    assert_int_equal(sc.groups[0].count, 2);
    assert_int_equal(sc.service->at_least, 1);
    scenario_free(&sc);
    scratch_clean(&s);
}

static void test_repeats_in_the_extending_file_are_still_reported(void **state)
{
    (void)state;
    scratch s;
    scratch_init(&s);
    scratch_write(&s, "base.yaml",
                  "drsim: 1\nname: b\ncomponents:\n"
                  "  - {name: web, fail: exp(mean=1000h), repair: exp(mean=10h)}\n");
    const char *path = scratch_write(&s, "child.yaml",
                                     "extends: base.yaml\n"
                                     "horizon: 1y\n"
                                     "horizon: 2y\n"
                                     "components:\n"
                                     "  - {name: web, count: 2}\n"
                                     "  - {name: web, count: 3}\n");
    /* the second web is appended, not merged into the first, so the
     * component parser sees both (and the second lacks fail and repair) */
    char expected[1024];
    snprintf(expected, sizeof expected,
             "%s:3:1: error: duplicate key 'horizon' (first at line 2)\n"
             "%s:6:12: error: components[1].name: a second component named 'web'\n"
             "%s:6:5: error: components[1]: missing required key 'fail'\n"
             "%s:6:5: error: components[1]: missing required key 'repair'\n",
             path, path, path, path);
    expect_errors(path, expected);
    scratch_clean(&s);
}

static void test_a_string_document_finds_its_base_in_its_directory(void **state)
{
    (void)state;
    const char *text = "extends: topology.yaml\nhorizon: 4y\n";
    ydoc doc;
    diag_list diag;
    diag_init(&diag);
    assert_int_equal(
        ydoc_load_string(&doc, "inline.yaml", EXT_DIR "/base", text, strlen(text), &diag), 0);
    assert_false(diag_has_errors(&diag));
    assert_string_equal(text_at(doc.root, "horizon"), "4y");
    assert_string_equal(text_at(doc.root, "name"), "base-topology");
    assert_string_equal(ymap_get(doc.root, "horizon")->file, "inline.yaml");
    ydoc_free(&doc);
    diag_free(&diag);
}

static void test_without_extends_a_file_loads_as_before(void **state)
{
    (void)state;
    /* `remove` means nothing without a base: it is an unknown key as ever */
    const char *text = "drsim: 1\nname: x\ncomponents:\n"
                       "  - {name: a, fail: 1h, repair: 1m, remove: true}\n";
    scenario sc;
    diag_list diag;
    diag_init(&diag);
    assert_int_equal(scenario_load_string(&sc, "inline.yaml", text, strlen(text), &diag), -1);
    char *printed = diag_text(&diag);
    assert_string_equal(printed, "inline.yaml:4:37: error: components[0]: unknown key 'remove' "
                                 "(expected one of: name, count, zone, zones, fail, repair, "
                                 "crews, tags)\n");
    free(printed);
    diag_free(&diag);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_scalar_in_the_extending_file_replaces_the_base_value),
        cmocka_unit_test(test_a_component_named_again_changes_only_what_it_says),
        cmocka_unit_test(test_a_component_with_a_new_name_is_appended),
        cmocka_unit_test(test_remove_true_deletes_a_component_and_the_service_follows),
        cmocka_unit_test(test_a_base_may_extend_another_base),
        cmocka_unit_test(test_eight_levels_of_extends_load),
        cmocka_unit_test(test_nine_levels_of_extends_are_too_deep),
        cmocka_unit_test(test_a_cycle_is_an_error_that_names_the_chain),
        cmocka_unit_test(test_a_file_that_extends_itself_is_a_cycle),
        cmocka_unit_test(test_a_missing_base_is_reported_at_the_extends_value),
        cmocka_unit_test(test_errors_point_into_the_file_that_wrote_the_value),
        cmocka_unit_test(test_a_syntax_error_in_the_base_is_reported_in_the_base),
        cmocka_unit_test(test_an_empirical_file_in_a_base_is_read_beside_the_base),
        cmocka_unit_test(test_the_merged_scenario_equals_the_hand_merged_file),
        cmocka_unit_test(test_mappings_merge_key_by_key_and_new_keys_come_after_the_base_keys),
        cmocka_unit_test(test_any_other_value_replaces_the_base_value),
        cmocka_unit_test(test_named_items_merge_by_name_append_and_remove),
        cmocka_unit_test(test_extends_is_not_part_of_the_result),
        cmocka_unit_test(test_every_node_knows_the_file_it_was_written_in),
        cmocka_unit_test(test_a_base_need_not_be_a_whole_scenario),
        cmocka_unit_test(test_repeats_in_the_extending_file_are_still_reported),
        cmocka_unit_test(test_a_string_document_finds_its_base_in_its_directory),
        cmocka_unit_test(test_without_extends_a_file_loads_as_before),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
