/* model — the table of models and what they share (include/model.h). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "world.h"

#include "model.h"

/* Parse order: the demand first (a header-like key the web tier reads at
 * run time), domains before what is placed in them, components before
 * the service over them, backup plans before the databases that use them,
 * everything before the runbooks that act on it.  Update order: the web
 * tier (what regions serve), then databases (whether their data is usable),
 * then DNS, whose health checks look at both. */
const model_ops model_table[] = {
    {"demand", demand_model_parse, NULL, demand_model_start, NULL, NULL, NULL, NULL},
    {"regions", domain_parse, domain_init, domain_start, NULL, NULL, NULL, domain_destroy},
    {"components", component_parse, component_init, component_start, NULL, NULL, NULL,
     component_destroy},
    {"service", service_parse, service_init, service_start, NULL, NULL, NULL, NULL},
    {"load_balancers", balancers_parse, NULL, NULL, NULL, NULL, NULL, NULL},
    {"auto_scaling_groups", groups_parse, web_init, web_start, web_domain_changed, web_update,
     NULL, web_destroy},
    {"backup_plans", backup_plans_parse, NULL, NULL, NULL, NULL, NULL, NULL},
    {"databases", databases_parse, database_init, database_start, database_domain_changed,
     database_update, database_failover_from, database_destroy},
    {"buckets", buckets_parse, bucket_init, bucket_start, bucket_domain_changed, NULL,
     bucket_failover_from, bucket_destroy},
    {"dns", dns_parse, dns_init, dns_start, NULL, dns_update, NULL, dns_destroy},
    {"runbooks", runbooks_parse, runbook_init, runbook_start, runbook_domain_changed, NULL, NULL,
     runbook_destroy},
    {"prices", prices_parse, NULL, NULL, NULL, NULL, NULL, NULL},
    {"alarms", alarms_parse, NULL, NULL, NULL, NULL, NULL, NULL},
};
const size_t model_table_size = sizeof model_table / sizeof model_table[0];

bool model_check_name(yctx *c, const ynode *node, const ypath *path, const char *name)
{
    size_t length = strlen(name);
    if (length == 0 || length > 63) {
        yerror(c, node, path, "a name must have 1 to 63 characters");
        return false;
    }
    for (size_t i = 0; i < length; i++) {
        unsigned char ch = (unsigned char)name[i];
        if (!isalnum(ch) && ch != '-' && ch != '_' && ch != '.' && ch != ':') {
            yerror(c, node, path,
                   "name '%s' may hold only letters, digits, '-', '_', '.' and ':'", name);
            return false;
        }
    }
    return true;
}

static int find_domain_of_kind(scenario *sc, yctx *c, const ynode *node, const ypath *path,
                               domain_kind kind)
{
    char *name = NULL;
    if (!yget_string(c, node, path, &name))
        return -1;
    int d = scenario_find_domain(sc, name);
    const char *what = kind == DOMAIN_REGION ? "region" : "zone";
    if (d < 0)
        yerror(c, node, path, "unknown %s '%s'", what, name);
    else if (sc->domains[d].kind != kind) {
        yerror(c, node, path, "'%s' is a %s, not a %s", name,
               kind == DOMAIN_REGION ? "zone" : "region", what);
        d = -1;
    }
    free(name);
    return d;
}

int model_find_region(scenario *sc, yctx *c, const ynode *node, const ypath *path)
{
    return find_domain_of_kind(sc, c, node, path, DOMAIN_REGION);
}

int model_find_zone(scenario *sc, yctx *c, const ynode *node, const ypath *path)
{
    return find_domain_of_kind(sc, c, node, path, DOMAIN_ZONE);
}

void **model_state_slot(trial_world *w, int (*init)(trial_world *w))
{
    for (size_t m = 0; m < model_table_size; m++)
        if (model_table[m].init == init)
            return &w->model_state[m];
    return NULL;
}

static void free_dist_pair(dist *a, dist *b)
{
    dist_free(a);
    dist_free(b);
}

void dr_config_free(dr_config *dr)
{
    demand_free(&dr->demand);
    if (dr->dns != NULL) {
        free(dr->dns->name);
        free(dr->dns->records);
        free(dr->dns);
    }
    for (size_t i = 0; i < dr->n_balancers; i++) {
        free(dr->balancers[i].name);
        tags_free(&dr->balancers[i].tags);
    }
    free(dr->balancers);
    for (size_t i = 0; i < dr->n_groups; i++) {
        asg_config *g = &dr->groups[i];
        free(g->name);
        free(g->zones);
        free(g->instance_type);
        free_dist_pair(&g->instance_fail, &g->launch_time);
        dist_free(&g->ec2_status_check);
        tags_free(&g->tags);
        for (size_t p = 0; p < g->n_policies; p++)
            free(g->policies[p].name);
        free(g->policies);
    }
    free(dr->groups);
    for (size_t i = 0; i < dr->n_databases; i++) {
        db_config *d = &dr->databases[i];
        free(d->name);
        free(d->engine);
        free(d->instance_class);
        free_dist_pair(&d->instance_fail, &d->failover_time);
        free_dist_pair(&d->recreate_time, &d->corruption_every);
        dist_free(&d->corruption_detected_after);
        for (size_t r = 0; r < d->n_replicas; r++)
            free_dist_pair(&d->replicas[r].lag, &d->replicas[r].promotion_time);
        free(d->replicas);
        tags_free(&d->tags);
    }
    free(dr->databases);
    for (size_t i = 0; i < dr->n_backups; i++) {
        free(dr->backups[i].name);
        free_dist_pair(&dr->backups[i].duration, &dr->backups[i].copy_time);
    }
    free(dr->backups);
    for (size_t i = 0; i < dr->n_buckets; i++) {
        free(dr->buckets[i].name);
        dist_free(&dr->buckets[i].replication_time);
        tags_free(&dr->buckets[i].tags);
    }
    free(dr->buckets);
    for (size_t i = 0; i < dr->n_runbooks; i++) {
        runbook_config *r = &dr->runbooks[i];
        free(r->name);
        free_dist_pair(&r->detection, &r->page);
        free_dist_pair(&r->acknowledge, &r->decide);
        for (size_t s = 0; s < r->n_steps; s++) {
            free(r->steps[s].name);
            free_dist_pair(&r->steps[s].duration, &r->steps[s].retry_delay);
            dist_free(&r->steps[s].escalation);
        }
        free(r->steps);
    }
    free(dr->runbooks);
    for (size_t i = 0; i < dr->n_prices; i++) {
        free(dr->prices[i].key);
        free(dr->prices[i].unit);
    }
    free(dr->prices);
    free(dr->prices_file);
    memset(dr, 0, sizeof *dr);
}

bool model_item_name(yctx *c, const ynode *item, const ypath *path, char **out)
{
    *out = NULL;
    ypath name_path = YPATH_KEY(path, "name");
    const ynode *name = ymap_require(c, item, path, "name");
    if (name == NULL || !yget_string(c, name, &name_path, out))
        return false;
    if (!model_check_name(c, name, &name_path, *out)) {
        free(*out);
        *out = NULL;
        return false;
    }
    return true;
}

bool model_check_unique_names(yctx *c, const ynode *list, const ypath *path, const char *what)
{
    bool ok = true;
    for (size_t i = 0; list != NULL && list->kind == YNODE_SEQUENCE && i < list->n; i++) {
        const ynode *name = ymap_get(list->items[i], "name");
        if (name == NULL || name->kind != YNODE_SCALAR)
            continue;
        for (size_t k = 0; k < i; k++) {
            const ynode *earlier = ymap_get(list->items[k], "name");
            if (earlier != NULL && earlier->kind == YNODE_SCALAR &&
                strcmp(earlier->text, name->text) == 0) {
                ypath item_path = YPATH_INDEX(path, i);
                ypath name_path = YPATH_KEY(&item_path, "name");
                yerror(c, name, &name_path, "a second %s named '%s'", what, name->text);
                ok = false;
                break;
            }
        }
    }
    return ok;
}
