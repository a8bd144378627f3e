/* plan — the capacity planner (include/plan.h). */
#include "plan.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "csvout.h"
#include "duration.h"
#include "model.h"
#include "outfile.h"
#include "plot.h"
#include "runner.h"
#include "ytree.h"

int plan_headroom_per_zone(double demand_rps, double capacity_rps, int zones)
{
    if (zones < 2)
        return -1;
    if (!(demand_rps > 0.0))
        return 0;
    return (int)ceil(demand_rps / (capacity_rps * (zones - 1)) - 1e-12);
}

/* ---- the open values ------------------------------------------------------------------------ */

static bool only_keys(const ynode *map, const char *const keys[])
{
    for (size_t i = 0; i < map->n; i++) {
        const ynode *k = map->pairs[i].key;
        bool known = false;
        for (size_t j = 0; keys[j] != NULL && !known; j++)
            known = k->kind == YNODE_SCALAR && strcmp(k->text, keys[j]) == 0;
        if (!known)
            return false;
    }
    return true;
}

static bool is_range(const ynode *n)
{
    static const char *const keys[] = {"from", "to", "step", NULL};
    return n->kind == YNODE_MAPPING && ymap_get(n, "from") != NULL && ymap_get(n, "to") != NULL &&
           only_keys(n, keys);
}

static bool is_choice(const ynode *n)
{
    return n->kind == YNODE_MAPPING && n->n == 1 && ymap_get(n, "one_of") != NULL;
}

typedef struct open_node {
    ynode *node;
    ynode *parent;           /* `choose`: the mapping its chosen pairs merge into */
    char path[256];
} open_node;

/* `choose: {one_of: [mapping, ...]}`: several keys chosen together, e.g.
 * an instance type with its capacity. */
static bool is_merge_choice(const ynode *key, const ynode *value)
{
    if (key->kind != YNODE_SCALAR || strcmp(key->text, "choose") != 0 || !is_choice(value))
        return false;
    const ynode *list = ymap_get(value, "one_of");
    for (size_t i = 0; list->kind == YNODE_SEQUENCE && i < list->n; i++)
        if (list->items[i]->kind != YNODE_MAPPING)
            return false;
    return true;
}

typedef struct finder {
    open_node found[PLAN_MAX_DIMENSIONS + 1];
    size_t n;
} finder;

static void find_open(finder *f, ynode *node, const char *path)
{
    if (f->n > PLAN_MAX_DIMENSIONS)
        return;
    if (is_range(node) || is_choice(node)) {
        f->found[f->n].node = node;
        f->found[f->n].parent = NULL;
        snprintf(f->found[f->n].path, sizeof f->found[f->n].path, "%s", path);
        f->n++;
        return;
    }
    char sub[256];
    if (node->kind == YNODE_MAPPING) {
        for (size_t i = 0; i < node->n; i++) {
            const ynode *k = node->pairs[i].key;
            snprintf(sub, sizeof sub, "%s%s%s", path, path[0] ? "." : "",
                     k->kind == YNODE_SCALAR ? k->text : "?");
            find_open(f, node->pairs[i].value, sub);
            if (f->n > 0 && f->found[f->n - 1].node == node->pairs[i].value &&
                is_merge_choice(k, node->pairs[i].value))
                f->found[f->n - 1].parent = node;
        }
    } else if (node->kind == YNODE_SEQUENCE) {
        for (size_t i = 0; i < node->n; i++) {
            const ynode *name = node->items[i]->kind == YNODE_MAPPING
                                    ? ymap_get(node->items[i], "name")
                                    : NULL;
            if (name != NULL && name->kind == YNODE_SCALAR)
                snprintf(sub, sizeof sub, "%s[%s]", path, name->text);
            else
                snprintf(sub, sizeof sub, "%s[%zu]", path, i);
            find_open(f, node->items[i], sub);
        }
    }
}

static bool whole(const ynode *n, long long *out)
{
    if (n == NULL || n->kind != YNODE_SCALAR)
        return false;
    char *end = NULL;
    errno = 0;
    long long v = strtoll(n->text, &end, 10);
    if (end == n->text || *end != '\0' || errno == ERANGE)
        return false;
    *out = v;
    return true;
}

/* "[a, b, c]" of a list of scalars, or the scalar. */
static char *value_text(const ynode *n)
{
    if (n->kind == YNODE_SCALAR)
        return strdup(n->text);
    if (n->kind == YNODE_SEQUENCE) {
        char buf[512];
        size_t used = 0;
        used += (size_t)snprintf(buf, sizeof buf, "[");
        for (size_t i = 0; i < n->n && used < sizeof buf; i++)
            used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%s", i ? " " : "",
                                     n->items[i]->kind == YNODE_SCALAR ? n->items[i]->text : "...");
        if (used < sizeof buf)
            snprintf(buf + used, sizeof buf - used, "]");
        return strdup(buf);
    }
    char buf[512];
    size_t used = (size_t)snprintf(buf, sizeof buf, "{");
    for (size_t i = 0; n->kind == YNODE_MAPPING && i < n->n && used < sizeof buf; i++)
        used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%s=%s", i ? " " : "",
                                 n->pairs[i].key->kind == YNODE_SCALAR ? n->pairs[i].key->text : "?",
                                 n->pairs[i].value->kind == YNODE_SCALAR ? n->pairs[i].value->text
                                                                         : "...");
    if (used < sizeof buf)
        snprintf(buf + used, sizeof buf - used, "}");
    return strdup(buf);
}

/* The dimension of open node `o`: its values and names.  false after
 * reporting (an empty range, a bad bound, an empty list). */
static bool make_dimension(yctx *c, const open_node *o, plan_dimension *d)
{
    ypath p = YPATH_KEY(NULL, o->path);
    d->path = strdup(o->path);
    /* the label: the last two parts of the path, "web-east.min_size" */
    const char *last = strrchr(o->path, '.');
    const char *label = o->path;
    if (last != NULL) {
        const char *before = last;
        while (before > o->path && before[-1] != '.' && before[-1] != '[')
            before--;
        label = before;
    }
    /* "web-east].min_size" → "web-east.min_size" */
    d->label = malloc(strlen(label) + 1);
    if (d->label != NULL) {
        char *w = d->label;
        for (const char *q = label; *q != '\0'; q++)
            if (*q != ']')
                *w++ = *q == '[' ? '.' : *q;
        *w = '\0';
    }
    if (d->path == NULL || d->label == NULL)
        return false;
    if (is_range(o->node)) {
        long long from, to, step = 1;
        const ynode *f = ymap_get(o->node, "from"), *t = ymap_get(o->node, "to"),
                    *s = ymap_get(o->node, "step");
        if (!whole(f, &from) || !whole(t, &to) || (s != NULL && (!whole(s, &step) || step < 1))) {
            yerror(c, o->node, &p, "a range is {from: A, to: B} with whole numbers (and a step of 1 "
                                   "or more)");
            return false;
        }
        if (from > to) {
            yerror(c, o->node, &p, "an empty range: from %lld is above to %lld", from, to);
            return false;
        }
        if ((to - from) / step + 1 > PLAN_MAX_CANDIDATES) {
            yerror(c, o->node, &p, "more than %d values", PLAN_MAX_CANDIDATES);
            return false;
        }
        d->n_values = (size_t)((to - from) / step + 1);
        d->values = calloc(d->n_values, sizeof *d->values);
        if (d->values == NULL)
            return false;
        for (size_t i = 0; i < d->n_values; i++) {
            char text[32];
            snprintf(text, sizeof text, "%lld", from + (long long)i * step);
            d->values[i] = strdup(text);
        }
        return true;
    }
    const ynode *list = ymap_get(o->node, "one_of");
    if (list->kind != YNODE_SEQUENCE || list->n == 0) {
        ypath lp = YPATH_KEY(&p, "one_of");
        yerror(c, list, &lp, "an empty search space: one_of needs at least one value");
        return false;
    }
    d->n_values = list->n;
    d->values = calloc(d->n_values, sizeof *d->values);
    if (d->values == NULL)
        return false;
    for (size_t i = 0; i < list->n; i++)
        d->values[i] = value_text(list->items[i]);
    return true;
}

static void free_dimension(plan_dimension *d)
{
    for (size_t i = 0; d->values != NULL && i < d->n_values; i++)
        free(d->values[i]);
    free(d->values);
    free(d->path);
    free(d->label);
    memset(d, 0, sizeof *d);
}

static bool same_dimension(const plan_dimension *a, const plan_dimension *b)
{
    if (strcmp(a->path, b->path) != 0 || a->n_values != b->n_values)
        return false;
    for (size_t i = 0; i < a->n_values; i++)
        if (strcmp(a->values[i], b->values[i]) != 0)
            return false;
    return true;
}

int plan_space_load(plan_space *space, const char *path, diag_list *diag)
{
    memset(space, 0, sizeof *space);
    space->file = strdup(path);
    size_t errors_before = diag_error_count(diag);
    for (size_t base = 0;; base++) {
        ydoc doc;
        if (ydoc_load_choosing(&doc, path, (int)base, diag) != 0) {
            ydoc_free(&doc);
            plan_space_free(space);
            return -1;
        }
        yctx c = {&doc, diag};
        if (base == 0) {
            space->n_bases = doc.extends_options > 0 ? doc.extends_options : 1;
            if (doc.extends_options > 0)
                space->bases = calloc(space->n_bases, sizeof *space->bases);
        }
        if (space->bases != NULL && doc.extends_chosen != NULL)
            space->bases[base] = strdup(doc.extends_chosen);
        finder f = {0};
        if (doc.root != NULL)
            find_open(&f, doc.root, "");
        if (f.n > PLAN_MAX_DIMENSIONS) {
            yerror(&c, f.found[PLAN_MAX_DIMENSIONS].node, NULL,
                   "more than %d open values in one plan", PLAN_MAX_DIMENSIONS);
        } else {
            for (size_t i = 0; i < f.n; i++) {
                plan_dimension d = {0};
                if (!make_dimension(&c, &f.found[i], &d)) {
                    free_dimension(&d);
                    continue;
                }
                if (base == 0) {
                    space->dims[space->n_dims++] = d;
                } else {
                    if (i >= space->n_dims || !same_dimension(&space->dims[i], &d)) {
                        ypath p = YPATH_KEY(NULL, d.path);
                        yerror(&c, f.found[i].node, &p,
                               "with base %s this open value differs from the first base's: a "
                               "plan's open values must be the plan file's own",
                               space->bases ? space->bases[base] : "?");
                    }
                    free_dimension(&d);
                }
            }
            if (base > 0 && f.n != space->n_dims)
                yerror(&c, doc.root, NULL, "with base %s the plan has %zu open values, not %zu",
                       space->bases ? space->bases[base] : "?", f.n, space->n_dims);
        }
        bool last = base + 1 >= space->n_bases;
        if (base == 0 && f.n == 0 && space->n_bases == 1)
            yerror(&c, doc.root, NULL, "nothing to search: no open value ({from: A, to: B} or "
                                       "{one_of: [...]}) and no open extends");
        ydoc_free(&doc);
        if (diag_error_count(diag) > errors_before) {
            plan_space_free(space);
            return -1;
        }
        if (last)
            break;
    }
    double n = (double)space->n_bases;
    for (size_t i = 0; i < space->n_dims; i++)
        n *= (double)space->dims[i].n_values;
    if (n > PLAN_MAX_CANDIDATES) {
        diag_error(diag, path, -1, -1, "", "the search space holds %.0f candidates (at most %d): "
                                           "narrow a range or a list", n, PLAN_MAX_CANDIDATES);
        plan_space_free(space);
        return -1;
    }
    space->n_candidates = (size_t)n;
    return 0;
}

void plan_space_free(plan_space *space)
{
    free(space->file);
    for (size_t i = 0; space->bases != NULL && i < space->n_bases; i++)
        free(space->bases[i]);
    free(space->bases);
    for (size_t i = 0; i < space->n_dims; i++)
        free_dimension(&space->dims[i]);
    memset(space, 0, sizeof *space);
}

void plan_candidate_choice(const plan_space *space, size_t candidate, size_t *base,
                           size_t *value_index)
{
    /* mixed radix, the last dimension fastest */
    for (size_t i = space->n_dims; i-- > 0;) {
        value_index[i] = candidate % space->dims[i].n_values;
        candidate /= space->dims[i].n_values;
    }
    *base = candidate % space->n_bases;
}

int plan_candidate_load(const plan_space *space, size_t candidate, scenario *sc, diag_list *diag)
{
    size_t base, choice[PLAN_MAX_DIMENSIONS];
    plan_candidate_choice(space, candidate, &base, choice);
    ydoc doc;
    memset(sc, 0, sizeof *sc);
    if (ydoc_load_choosing(&doc, space->file, (int)base, diag) != 0) {
        ydoc_free(&doc);
        return -1;
    }
    finder f = {0};
    if (doc.root != NULL)
        find_open(&f, doc.root, "");
    bool ok = f.n == space->n_dims;
    for (size_t i = 0; ok && i < f.n; i++) {
        ynode *node = f.found[i].node;
        if (f.found[i].parent != NULL)
            continue; /* merges last: they move pairs of their parent */
        if (is_range(node))
            ok = ynode_set_scalar(node, space->dims[i].values[choice[i]]);
        else
            ok = ynode_replace_with_descendant(node, ymap_get(node, "one_of")->items[choice[i]]);
    }
    for (size_t i = 0; ok && i < f.n; i++) {
        ynode *parent = f.found[i].parent;
        if (parent == NULL)
            continue;
        size_t at = 0;
        while (at < parent->n && parent->pairs[at].value != f.found[i].node)
            at++;
        ok = ynode_merge_choice(parent, at, choice[i]);
    }
    int rc = ok ? scenario_load_doc(sc, &doc, diag) : -1;
    ydoc_free(&doc);
    return rc;
}

/* ---- evaluation ------------------------------------------------------------------------------ */

static char *describe_candidate(const plan_space *space, size_t candidate, char *buf, size_t size)
{
    size_t base, choice[PLAN_MAX_DIMENSIONS];
    plan_candidate_choice(space, candidate, &base, choice);
    size_t used = 0;
    buf[0] = '\0';
    if (space->bases != NULL)
        used += (size_t)snprintf(buf, size, "%s", space->bases[base] ? space->bases[base] : "?");
    for (size_t i = 0; i < space->n_dims && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%s=%s", used ? ", " : "",
                                 space->dims[i].label, space->dims[i].values[choice[i]]);
    return buf;
}

/* Availability and the p95 of RTO and RPO over disasters that hit the
 * running service, from the first PLAN_P95_TRIALS trials at the plan's
 * seed: `first` when check_run() handed over exactly those, else run
 * again.  Frees `first`. */
static int describe_run(const scenario *sc, const plan_config *cfg, plan_candidate *pc,
                        run_results *first, char *err, size_t err_size)
{
    run_results results;
    if (first->trials == PLAN_P95_TRIALS) {
        results = *first;
    } else {
        run_results_free(first);
        run_config rc = {.trials = PLAN_P95_TRIALS, .seed = cfg->check.seed,
                         .horizon_s = sc->horizon_s, .threads = cfg->check.threads,
                         .progress = false};
        if (runner_run(sc, &rc, &results, err, err_size) != 0)
            return -1;
    }
    double up = 0.0, total = 0.0;
    size_t n_d = 0;
    for (uint64_t t = 0; t < results.trials; t++) {
        up += results.records[t].uptime_s;
        total += results.records[t].uptime_s + results.records[t].downtime_s;
        n_d += results.disasters[t].count;
    }
    pc->availability = total > 0.0 ? up / total : NAN;
    double *rto = malloc((n_d + 1) * sizeof *rto), *rpo = malloc((n_d + 1) * sizeof *rpo);
    size_t n = 0;
    for (uint64_t t = 0; rto != NULL && rpo != NULL && t < results.trials; t++) {
        for (size_t i = 0; i < results.disasters[t].count; i++) {
            const disaster *d = &results.disasters[t].items[i];
            if (!d->hit_active)
                continue;
            rto[n] = d->restored_s - d->start_s;
            rpo[n] = d->data_loss_s;
            n++;
        }
    }
    pc->rto_p95_s = pc->rpo_p95_s = NAN;
    if (n > 0) {
        gsl_sort(rto, 1, n);
        gsl_sort(rpo, 1, n);
        pc->rto_p95_s = gsl_stats_quantile_from_sorted_data(rto, 1, n, 0.95);
        pc->rpo_p95_s = gsl_stats_quantile_from_sorted_data(rpo, 1, n, 0.95);
    }
    free(rto);
    free(rpo);
    run_results_free(&results);
    return 0;
}

/* The share of the demand DNS sends to `region` while everything is up. */
static double region_share(const scenario *sc, int region)
{
    const dns_config *dns = sc->dr.dns;
    if (dns == NULL || dns->n_records == 0)
        return 1.0;
    for (size_t i = 0; i < dns->n_records; i++) {
        const dns_record *r = &dns->records[i];
        if (r->region != region)
            continue;
        switch (dns->routing) {
        case DNS_FAILOVER:
            return r->primary ? 1.0 : 0.0;
        case DNS_LATENCY:
            return r->share;
        default:
            return i == 0 ? 1.0 : 0.0;
        }
    }
    return 0.0;
}

/* The demand on group g at time t: its region's share, split over the
 * groups behind the same load balancer. */
static double group_demand(const scenario *sc, size_t g, double demand_rps)
{
    const dr_config *dr = &sc->dr;
    int same = 0;
    for (size_t k = 0; k < dr->n_groups; k++)
        same += dr->groups[k].balancer == dr->groups[g].balancer;
    return demand_rps * region_share(sc, dr->groups[g].region) / (same > 0 ? same : 1);
}

/* The size target tracking holds the group at for `demand_rps` (without
 * policies: its desired capacity). */
static int tracked_size(const scenario *sc, size_t g, double demand_rps)
{
    const asg_config *grp = &sc->dr.groups[g];
    if (grp->n_policies == 0)
        return grp->desired_capacity;
    double load = group_demand(sc, g, demand_rps);
    int size = grp->min_size;
    for (size_t p = 0; p < grp->n_policies; p++) {
        const scaling_policy *pol = &grp->policies[p];
        double need = pol->metric == SCALING_CPU
                          ? load / (pol->target / 100.0 * grp->capacity_per_instance)
                          : load * 60.0 / pol->target;
        int n = isfinite(need) ? (int)ceil(need - 1e-9) : grp->min_size;
        if (n > size)
            size = n;
    }
    return size > grp->max_size ? grp->max_size : size;
}

/* USD a year, with each autoscaled group at its time-average size over the
 * demand profile (sampled hourly over the horizon, at most a year). */
static double planned_cost(scenario *sc)
{
    double cost = cost_per_year(sc);
    dr_config *dr = &sc->dr;
    double span_s = sc->horizon_s < DURATION_YEAR_S ? sc->horizon_s : DURATION_YEAR_S;
    for (size_t g = 0; g < dr->n_groups && !isnan(cost); g++) {
        asg_config *grp = &dr->groups[g];
        if (grp->n_policies == 0 || grp->instance_type == NULL)
            continue;
        double sum = 0.0;
        size_t samples = 0;
        for (double t = 0.0; t < span_s; t += 3600.0, samples++)
            sum += tracked_size(sc, g, demand_at(&dr->demand, t));
        double mean = samples > 0 ? sum / (double)samples : grp->desired_capacity;
        /* the price of one instance-year: the cost with one more instance */
        int kept = grp->desired_capacity;
        grp->desired_capacity = kept + 1;
        double per_instance = cost_per_year(sc) - cost;
        grp->desired_capacity = kept;
        cost += (mean - kept) * per_instance;
    }
    return cost;
}

static int by_cost(const void *a, const void *b)
{
    const plan_candidate *x = a, *y = b;
    if (x->cost_per_year_usd != y->cost_per_year_usd)
        return x->cost_per_year_usd < y->cost_per_year_usd ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

static void headroom_of(const scenario *sc, plan_result *r)
{
    const dr_config *dr = &sc->dr;
    for (size_t g = 0; g < dr->n_groups && r->n_headroom < 8; g++) {
        const asg_config *grp = &dr->groups[g];
        double peak = group_demand(sc, g, dr->demand_rps); /* demand_rps: the peak */
        if (!isfinite(grp->capacity_per_instance) || !(peak > 0.0))
            continue; /* unbounded instances, or a side that takes traffic only after a failover */
        plan_headroom *h = &r->headroom[r->n_headroom++];
        snprintf(h->group, sizeof h->group, "%s", grp->name);
        h->zones = (int)grp->n_zones;
        h->instances_at_peak = tracked_size(sc, g, dr->demand_rps);
        h->worst_zone = (h->instances_at_peak + h->zones - 1) / h->zones;
        h->capacity_rps = grp->capacity_per_instance;
        h->peak_demand_rps = peak;
        h->static_stable =
            h->zones >= 2 && (double)(h->instances_at_peak - h->worst_zone) * h->capacity_rps >=
                                 h->peak_demand_rps;
        h->per_zone_needed = plan_headroom_per_zone(h->peak_demand_rps, h->capacity_rps, h->zones);
    }
}

int plan_run(const plan_space *space, const plan_config *cfg, plan_result *r, diag_list *diag,
             char *err, size_t err_size)
{
    memset(r, 0, sizeof *r);
    r->winner = -1;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    r->candidates = calloc(space->n_candidates, sizeof *r->candidates);
    if (r->candidates == NULL) {
        snprintf(err, err_size, "out of memory");
        return -1;
    }
    r->n = space->n_candidates;
    char what[512];
    /* price every candidate; one that is not a valid scenario is bad input */
    for (size_t i = 0; i < r->n; i++) {
        plan_candidate *pc = &r->candidates[i];
        pc->index = i;
        pc->availability = pc->rto_p95_s = pc->rpo_p95_s = NAN;
        scenario sc;
        if (plan_candidate_load(space, i, &sc, diag) != 0) {
            snprintf(err, err_size, "candidate %zu (%s) is not a valid scenario:", i + 1,
                     describe_candidate(space, i, what, sizeof what));
            return -1;
        }
        pc->cost_per_year_usd = planned_cost(&sc);
        scenario_free(&sc);
        if (isnan(pc->cost_per_year_usd)) {
            snprintf(err, err_size, "candidate %zu (%s) has no cost: a plan needs `prices:`", i + 1,
                     describe_candidate(space, i, what, sizeof what));
            return -1;
        }
    }
    qsort(r->candidates, r->n, sizeof *r->candidates, by_cost);
    size_t passed = 0;
    for (size_t k = 0; k < r->n; k++) {
        plan_candidate *pc = &r->candidates[k];
        if (pc->cost_per_year_usd > cfg->max_cost_usd) {
            pc->outcome = PLAN_OVER_BUDGET;
            continue;
        }
        if (passed > PLAN_RUNNERS_UP) {
            pc->outcome = PLAN_NOT_EVALUATED;
            continue;
        }
        scenario sc;
        if (plan_candidate_load(space, pc->index, &sc, diag) != 0) {
            snprintf(err, err_size, "candidate %zu no longer loads", pc->index + 1);
            return -1;
        }
        scenario_targets targets = check_targets_over(&sc.targets, &cfg->targets);
        const char *why = NULL;
        if (targets.has_rto)
            why = check_unmeasurable(&sc, CHECK_RTO);
        if (why == NULL && targets.has_rpo)
            why = check_unmeasurable(&sc, CHECK_RPO);
        r->evaluated++;
        if (why != NULL) {
            pc->outcome = PLAN_FAILS;
            snprintf(pc->reason, sizeof pc->reason, "cannot be measured: %s", why);
            scenario_free(&sc);
            continue;
        }
        check_config cc = cfg->check;
        cc.horizon_s = sc.horizon_s;
        run_results first_look = {0};
        cc.first_look = &first_look; /* the p95s come from the same trials */
        check_report_init(&pc->report, &targets);
        if (check_run(&sc, &cc, &pc->report, err, err_size) != 0 ||
            describe_run(&sc, cfg, pc, &first_look, err, err_size) != 0) {
            scenario_free(&sc);
            return -1;
        }
        if (check_all_passed(&pc->report)) {
            pc->outcome = PLAN_MEETS;
            if (r->winner < 0) {
                r->winner = (long)k;
                headroom_of(&sc, r);
            }
            passed++;
        } else {
            pc->outcome = PLAN_FAILS;
            size_t used = 0;
            for (size_t t = 0; t < pc->report.n_targets && used < sizeof pc->reason; t++) {
                const check_target *tg = &pc->report.targets[t];
                if (tg->verdict == CHECK_PASS)
                    continue;
                char label[128];
                check_target_label(tg, label, sizeof label);
                /* the measured share or availability, with its interval */
                used += (size_t)snprintf(pc->reason + used, sizeof pc->reason - used,
                                         "%s%s %s (%.4g%%, interval %.4g%% - %.4g%%, %llu trials)",
                                         used ? "; " : "", label,
                                         tg->verdict == CHECK_FAIL ? "missed" : "not shown",
                                         100.0 * tg->measured, 100.0 * tg->ci_low,
                                         100.0 * tg->ci_high, (unsigned long long)tg->trials);
            }
        }
        scenario_free(&sc);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    r->wall_s = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    return 0;
}

void plan_result_free(plan_result *r)
{
    free(r->candidates);
    memset(r, 0, sizeof *r);
}

/* ---- output ---------------------------------------------------------------------------------- */

static void print_candidate(FILE *out, const plan_space *space, const plan_candidate *pc)
{
    char what[512], avail[32] = "-", rto[32] = "-", rpo[32] = "-";
    if (!isnan(pc->availability))
        snprintf(avail, sizeof avail, "%.4f%%", 100.0 * pc->availability);
    if (!isnan(pc->rto_p95_s))
        duration_format(pc->rto_p95_s, rto, sizeof rto);
    if (!isnan(pc->rpo_p95_s))
        duration_format(pc->rpo_p95_s, rpo, sizeof rpo);
    fprintf(out, "  #%zu %s: $%.0f a year; availability %s, RTO p95 %s, RPO p95 %s\n",
            pc->index + 1, describe_candidate(space, pc->index, what, sizeof what),
            pc->cost_per_year_usd, avail, rto, rpo);
}

void plan_print(FILE *out, const plan_space *space, const plan_config *cfg, const plan_result *r)
{
    fprintf(out, "plan of %s: %zu candidates (", space->file, r->n);
    if (space->bases != NULL)
        fprintf(out, "%zu bases", space->n_bases);
    for (size_t i = 0; i < space->n_dims; i++)
        fprintf(out, "%s%zu %s", i || space->bases ? " × " : "", space->dims[i].n_values,
                space->dims[i].label);
    fprintf(out, "), seed %llu, %.0f%% confidence\n", (unsigned long long)cfg->check.seed,
            100.0 * cfg->check.confidence);
    size_t over = 0, skipped = 0;
    for (size_t k = 0; k < r->n; k++) {
        over += r->candidates[k].outcome == PLAN_OVER_BUDGET;
        skipped += r->candidates[k].outcome == PLAN_NOT_EVALUATED;
    }
    fprintf(out, "evaluated %zu, cheapest first, in %.2f s", r->evaluated, r->wall_s);
    if (skipped > 0)
        fprintf(out, "; %zu not evaluated (dearer than the winner and %d runners-up)", skipped,
                PLAN_RUNNERS_UP);
    if (over > 0)
        fprintf(out, "; %zu over the $%.0f budget", over, cfg->max_cost_usd);
    fprintf(out, "\n\n");
    if (r->winner < 0) {
        fprintf(out, "no candidate meets the targets\n");
    } else {
        const plan_candidate *w = &r->candidates[r->winner];
        fprintf(out, "winner:\n");
        print_candidate(out, space, w);
        for (size_t t = 0; t < w->report.n_targets; t++) {
            char label[128], detail[256];
            check_target_label(&w->report.targets[t], label, sizeof label);
            check_target_detail(&w->report.targets[t], &w->report.plan, detail, sizeof detail);
            fprintf(out, "    %s: %s\n", label, detail);
        }
        bool any = false;
        for (size_t k = (size_t)r->winner + 1; k < r->n; k++) {
            if (r->candidates[k].outcome != PLAN_MEETS)
                continue;
            if (!any)
                fprintf(out, "runners-up:\n");
            any = true;
            print_candidate(out, space, &r->candidates[k]);
        }
    }
    bool any = false;
    for (size_t k = 0; k < r->n; k++) {
        const plan_candidate *pc = &r->candidates[k];
        if (pc->outcome != PLAN_FAILS)
            continue;
        if (!any)
            fprintf(out, "rejected:\n");
        any = true;
        print_candidate(out, space, pc);
        fprintf(out, "    fails: %s\n", pc->reason);
    }
    if (r->n_headroom > 0)
        fprintf(out, "zone-loss headroom of the winner (peak demand, no new launches):\n");
    for (size_t i = 0; i < r->n_headroom; i++) {
        const plan_headroom *h = &r->headroom[i];
        if (h->zones < 2) {
            fprintf(out, "  %s: one zone: losing it loses the group\n", h->group);
            continue;
        }
        int left = h->instances_at_peak - h->worst_zone;
        fprintf(out,
                "  %s: %d instances over %d zones; losing the fullest (%d) leaves %d × %.0f = %.0f "
                "rps for %.0f rps: %s; static stability needs %d per zone (%d in all)\n",
                h->group, h->instances_at_peak, h->zones, h->worst_zone, left, h->capacity_rps,
                left * h->capacity_rps, h->peak_demand_rps,
                h->static_stable ? "statically stable" : "NOT statically stable",
                h->per_zone_needed, h->per_zone_needed * h->zones);
    }
}

static const char *outcome_name(plan_outcome o)
{
    switch (o) {
    case PLAN_MEETS:
        return "meets";
    case PLAN_FAILS:
        return "fails";
    case PLAN_OVER_BUDGET:
        return "over budget";
    default:
        return "not evaluated";
    }
}

int plan_write_csv(const plan_space *space, const plan_result *r, const char *path, char *err,
                   size_t err_size)
{
    outfile f;
    if (outfile_open(&f, path, err, err_size) != 0)
        return -1;
    csv_writer cw;
    csv_writer_init(&cw, f.fp);
    csv_write_str(&cw, "candidate");
    csv_write_str(&cw, "cost_per_year_usd");
    csv_write_str(&cw, "availability");
    csv_write_str(&cw, "rto_p95_s");
    csv_write_str(&cw, "rpo_p95_s");
    csv_write_str(&cw, "meets_targets");
    csv_write_str(&cw, "outcome");
    csv_write_str(&cw, "trials");
    if (space->bases != NULL)
        csv_write_str(&cw, "base");
    for (size_t i = 0; i < space->n_dims; i++)
        csv_write_str(&cw, space->dims[i].label);
    csv_write_str(&cw, "reason");
    csv_end_row(&cw);
    for (size_t k = 0; k < r->n; k++) {
        const plan_candidate *pc = &r->candidates[k];
        if (pc->outcome != PLAN_MEETS && pc->outcome != PLAN_FAILS)
            continue; /* every evaluated candidate */
        size_t base, choice[PLAN_MAX_DIMENSIONS];
        plan_candidate_choice(space, pc->index, &base, choice);
        csv_write_int(&cw, (int64_t)pc->index + 1);
        csv_write_double(&cw, pc->cost_per_year_usd);
        csv_write_double(&cw, pc->availability);
        csv_write_double(&cw, pc->rto_p95_s);
        csv_write_double(&cw, pc->rpo_p95_s);
        csv_write_str(&cw, pc->outcome == PLAN_MEETS ? "true" : "false");
        csv_write_str(&cw, outcome_name(pc->outcome));
        csv_write_int(&cw, (int64_t)pc->report.trials);
        if (space->bases != NULL)
            csv_write_str(&cw, space->bases[base] ? space->bases[base] : "");
        for (size_t i = 0; i < space->n_dims; i++)
            csv_write_str(&cw, space->dims[i].values[choice[i]]);
        csv_write_str(&cw, pc->reason);
        csv_end_row(&cw);
    }
    return outfile_commit(&f, err, err_size);
}

int plan_plot(const plan_space *space, const plan_result *r, const char *dir, char *err,
              size_t err_size)
{
    (void)space;
    plot_point *points = calloc(r->n + 1, sizeof *points);
    char (*labels)[16] = calloc(r->n + 1, sizeof *labels);
    if (points == NULL || labels == NULL) {
        free(points);
        free(labels);
        snprintf(err, err_size, "out of memory");
        return -1;
    }
    size_t n = 0;
    double best_availability = -1.0;
    /* candidates are in cost order: a point is on the Pareto front when no
     * cheaper one is at least as available */
    for (size_t k = 0; k < r->n; k++) {
        const plan_candidate *pc = &r->candidates[k];
        if ((pc->outcome != PLAN_MEETS && pc->outcome != PLAN_FAILS) || isnan(pc->availability))
            continue;
        points[n].x = pc->cost_per_year_usd;
        points[n].y = 100.0 * pc->availability;
        if (pc->availability > best_availability) {
            snprintf(labels[n], sizeof labels[n], "#%zu", pc->index + 1);
            points[n].label = labels[n];
            best_availability = pc->availability;
        }
        n++;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/pareto.png", dir);
    int rc = plot_scatter(path, "cost against availability (labelled: the Pareto front)",
                          "cost per year (USD)", "availability (%)", points, n, false, err,
                          err_size);
    free(points);
    free(labels);
    return rc;
}
