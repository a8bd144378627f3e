/*
 * loader — reads a scenario file into a checked scenario (include/scenario.h).
 *
 * The top-level keys of SPEC §2 are read here; each model's key is handed
 * to that model's parser (include/model.h) in dependency order.  `demand`
 * is the first of those (models/demand_model.c), read after the header so
 * that the horizon is known.  Every problem is recorded and loading goes
 * on, so a user sees all of them at once; a scenario with any problem is
 * freed and not returned.
 */
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "rng.h"
#include "scenario.h"
#include "sla_table.h"
#include "ytree.h"

static const char *const top_level_keys[] = {
    "drsim", "extends", "name", "description", "horizon", "trials", "seed", "targets", "demand",
    "service_level", "regions", "components", "service", "load_balancers",
    "auto_scaling_groups", "backup_plans", "databases", "buckets", "dns", "runbooks", "prices",
    "alarms", NULL};

static const char *const service_level_keys[] = {"up_when_serving", "sla", NULL};

static const char *const target_keys[] = {"availability", "rto", "rpo", NULL};

int scenario_find_group(const scenario *sc, const char *name)
{
    for (size_t g = 0; g < sc->n_groups; g++)
        if (sc->groups[g].name != NULL && strcmp(sc->groups[g].name, name) == 0)
            return (int)g;
    return -1;
}

int scenario_find_domain(const scenario *sc, const char *name)
{
    for (size_t d = 0; d < sc->n_domains; d++)
        if (sc->domains[d].name != NULL && strcmp(sc->domains[d].name, name) == 0)
            return (int)d;
    return -1;
}

double scenario_expected_events(const scenario *sc, double horizon_s)
{
    double events = 0.0;
    for (size_t g = 0; g < sc->n_groups; g++) {
        double cycle_s = dist_mean(&sc->groups[g].fail) + dist_mean(&sc->groups[g].repair);
        events += sc->groups[g].count * 2.0 * horizon_s / cycle_s; /* cycle > 0: checked at load */
    }
    for (size_t d = 0; d < sc->n_domains; d++) {
        if (!sc->domains[d].has_outage)
            continue;
        double cycle_s = dist_mean(&sc->domains[d].fail) + dist_mean(&sc->domains[d].repair);
        events += 2.0 * horizon_s / cycle_s;
    }
    return events;
}

const char *scenario_data_name(const scenario *sc, int index)
{
    if (index >= 0 && (size_t)index < sc->dr.n_databases)
        return sc->dr.databases[index].name;
    return "?";
}

void scenario_free(scenario *sc)
{
    free(sc->file);
    free(sc->name);
    free(sc->description);
    for (size_t d = 0; d < sc->n_domains; d++) {
        free(sc->domains[d].name);
        dist_free(&sc->domains[d].fail);
        dist_free(&sc->domains[d].repair);
        tags_free(&sc->domains[d].tags);
    }
    free(sc->domains);
    for (size_t g = 0; g < sc->n_groups; g++) {
        free(sc->groups[g].name);
        dist_free(&sc->groups[g].fail);
        dist_free(&sc->groups[g].repair);
        free(sc->groups[g].copy_domain);
        free(sc->groups[g].copy_hash);
        tags_free(&sc->groups[g].tags);
    }
    free(sc->groups);
    service_node_free(sc->service);
    dr_config_free(&sc->dr);
    alarm_list_free(&sc->alarms);
    memset(sc, 0, sizeof *sc);
}

static bool parse_targets(scenario *sc, yctx *c, const ynode *node, const ypath *path)
{
    if (!ymap_check(c, node, path, target_keys))
        return false;
    bool ok = true;
    const ynode *value;
    if ((value = ymap_get(node, "availability")) != NULL) {
        ypath p = YPATH_KEY(path, "availability");
        sc->targets.has_availability = yget_fraction(c, value, &p, &sc->targets.availability);
        ok = ok && sc->targets.has_availability;
    }
    if ((value = ymap_get(node, "rto")) != NULL) {
        ypath p = YPATH_KEY(path, "rto");
        sc->targets.has_rto = yget_duration(c, value, &p, &sc->targets.rto_s);
        ok = ok && sc->targets.has_rto;
    }
    if ((value = ymap_get(node, "rpo")) != NULL) {
        ypath p = YPATH_KEY(path, "rpo");
        sc->targets.has_rpo = yget_duration(c, value, &p, &sc->targets.rpo_s);
        ok = ok && sc->targets.has_rpo;
    }
    return ok;
}

static bool parse_header(scenario *sc, yctx *c, const ynode *root)
{
    bool ok = true;
    const ynode *value;

    value = ymap_require(c, root, NULL, "drsim");
    if (value != NULL) {
        ypath p = YPATH_KEY(NULL, "drsim");
        long long version;
        if (!yget_integer(c, value, &p, 0, 1000000, &version))
            ok = false;
        else if (version != SCENARIO_SCHEMA_VERSION) {
            yerror(c, value, &p, "schema version %lld is not supported (this drsim reads %d)",
                   version, SCENARIO_SCHEMA_VERSION);
            ok = false;
        }
    } else {
        ok = false;
    }

    value = ymap_require(c, root, NULL, "name");
    ypath name_path = YPATH_KEY(NULL, "name");
    ok = (value != NULL && yget_string(c, value, &name_path, &sc->name)) && ok;

    if ((value = ymap_get(root, "description")) != NULL && !ynode_is_null(value)) {
        ypath p = YPATH_KEY(NULL, "description");
        ok = yget_string(c, value, &p, &sc->description) && ok;
    }
    if ((value = ymap_get(root, "horizon")) != NULL) {
        ypath p = YPATH_KEY(NULL, "horizon");
        double horizon_s;
        if (!yget_duration(c, value, &p, &horizon_s))
            ok = false;
        else if (!(horizon_s >= SCENARIO_MIN_HORIZON_S) || horizon_s > SCENARIO_MAX_HORIZON_S) {
            yerror(c, value, &p, "must be at least 1ms and at most 10000y (got %s)", value->text);
            ok = false;
        } else {
            sc->horizon_s = horizon_s;
        }
    }
    if ((value = ymap_get(root, "trials")) != NULL) {
        ypath p = YPATH_KEY(NULL, "trials");
        long long trials;
        if (yget_integer(c, value, &p, 1, (long long)SCENARIO_MAX_TRIALS, &trials))
            sc->trials = (uint64_t)trials;
        else
            ok = false;
    }
    if ((value = ymap_get(root, "seed")) != NULL) {
        ypath p = YPATH_KEY(NULL, "seed");
        ok = yget_uint64(c, value, &p, &sc->seed) && ok;
    }
    if ((value = ymap_get(root, "targets")) != NULL) {
        ypath p = YPATH_KEY(NULL, "targets");
        ok = parse_targets(sc, c, value, &p) && ok;
    }
    if ((value = ymap_get(root, "service_level")) != NULL) {
        ypath p = YPATH_KEY(NULL, "service_level");
        ok = ymap_check(c, value, &p, service_level_keys) && ok;
        const ynode *up = ymap_get(value, "up_when_serving");
        ypath up_path = YPATH_KEY(&p, "up_when_serving");
        if (up != NULL && !yget_fraction(c, up, &up_path, &sc->up_threshold))
            ok = false;
        const ynode *sla = ymap_get(value, "sla");
        ypath sla_path = YPATH_KEY(&p, "sla");
        if (sla != NULL) {
            sc->sla = sla->kind == YNODE_SCALAR ? sla_tiers_named(sla->text) : NULL;
            if (sc->sla == NULL) {
                yerror(c, sla, &sla_path, "unknown SLA '%s' (use %s)",
                       sla->kind == YNODE_SCALAR ? sla->text : "?", sla_tiers_names());
                ok = false;
            }
        }
    }
    return ok;
}

static int load_tree(scenario *sc, const ydoc *doc, diag_list *diag)
{
    yctx c = {doc, diag};
    const ynode *root = doc->root;
    if (root == NULL) {
        yerror(&c, NULL, NULL, "the scenario is empty");
        return -1;
    }
    if (!ymap_check(&c, root, NULL, top_level_keys))
        if (root->kind != YNODE_MAPPING)
            return -1;
    bool ok = parse_header(sc, &c, root);

    for (size_t m = 0; m < model_table_size; m++) {
        const model_ops *model = &model_table[m];
        const ynode *node = ymap_get(root, model->key);
        ypath path = YPATH_KEY(NULL, model->key);
        /* the service may be absent (every component needed); others may be
         * absent when empty, but something must be able to fail: components,
         * or the DR models' groups and databases */
        if (node == NULL && strcmp(model->key, "components") == 0 &&
            ymap_get(root, "auto_scaling_groups") == NULL && ymap_get(root, "databases") == NULL) {
            yerror(&c, root, NULL, "missing required key 'components'");
            ok = false;
            continue;
        }
        if (node == NULL && strcmp(model->key, "service") != 0)
            continue;
        /* a service over components that failed to parse would only repeat their errors */
        if (strcmp(model->key, "service") == 0 && !ok && sc->n_groups == 0)
            continue;
        if (model->parse(sc, &c, node, &path) != 0)
            ok = false;
    }
    /* keys the checks above flagged without failing `ok` are caught by
     * the callers, which compare the error count before and after */
    return ok ? 0 : -1;
}

static void set_defaults(scenario *sc)
{
    sc->horizon_s = SCENARIO_DEFAULT_HORIZON_S;
    sc->trials = SCENARIO_DEFAULT_TRIALS;
    sc->seed = SCENARIO_DEFAULT_SEED;
    sc->up_threshold = SCENARIO_DEFAULT_UP_THRESHOLD;
}

static int finish(scenario *sc, ydoc *doc, int result)
{
    if (result == 0)
        sc->file = strdup(doc->file);
    if (result == 0 && sc->file == NULL)
        result = -1;
    ydoc_free(doc);
    if (result != 0)
        scenario_free(sc);
    return result;
}

int scenario_load(scenario *sc, const char *path, diag_list *diag)
{
    memset(sc, 0, sizeof *sc);
    set_defaults(sc);
    size_t errors_before = diag_error_count(diag);
    ydoc doc;
    if (ydoc_load(&doc, path, diag) != 0) {
        ydoc_free(&doc);
        scenario_free(sc);
        return -1;
    }
    int result = load_tree(sc, &doc, diag);
    if (diag_error_count(diag) > errors_before)
        result = -1;
    return finish(sc, &doc, result);
}

int scenario_load_string(scenario *sc, const char *name, const char *text, size_t length,
                         diag_list *diag)
{
    memset(sc, 0, sizeof *sc);
    set_defaults(sc);
    size_t errors_before = diag_error_count(diag);
    ydoc doc;
    if (ydoc_load_string(&doc, name, ".", text, length, diag) != 0) {
        ydoc_free(&doc);
        scenario_free(sc);
        return -1;
    }
    int result = load_tree(sc, &doc, diag);
    if (diag_error_count(diag) > errors_before)
        result = -1;
    return finish(sc, &doc, result);
}

int scenario_load_doc(scenario *sc, ydoc *doc, diag_list *diag)
{
    memset(sc, 0, sizeof *sc);
    set_defaults(sc);
    size_t errors_before = diag_error_count(diag);
    int result = load_tree(sc, doc, diag);
    if (diag_error_count(diag) > errors_before)
        result = -1;
    if (result == 0 && (sc->file = strdup(doc->file)) == NULL)
        result = -1;
    if (result != 0)
        scenario_free(sc);
    return result;
}
