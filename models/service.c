/*
 * service — when is the service up: a reliability block diagram over the
 * copies' effective states (SPEC §2, §3).
 *
 * Scenario forms, each a k-of-n gate:
 *   NAME                          every copy of component NAME   (k = count)
 *   {all: [E, ...]}               every sub-expression           (k = n)
 *   {any: [E, ...]}               at least one                   (k = 1)
 *   {at_least: K, of: NAME}       K of the copies of NAME
 *   {at_least: K, of: [E, ...]}   K of the sub-expressions
 * Without a `service` key the service needs every component (a series
 * system).  Nesting is limited to SCENARIO_MAX_SERVICE_DEPTH levels.
 *
 * Runtime: the expression is flattened into gates with an up-counter each.
 * When a copy's effective state flips, each gate over it adjusts its counter
 * and, only if its own state flips, passes ±1 to its parent: O(depth) work
 * per flip, never a re-evaluation of the whole expression.  A flip of the
 * root is the service going down or up (world_service_changed in trial.c).
 */
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "world.h"

static const char *const gate_keys[] = {"all", "any", "at_least", "of", NULL};

void service_node_free(service_node *node)
{
    if (node == NULL)
        return;
    for (size_t i = 0; i < node->n_children; i++)
        service_node_free(node->children[i]);
    free(node->children);
    free(node);
}

static service_node *parse_expression(scenario *sc, yctx *c, const ynode *node,
                                      const ypath *path, int depth);

static service_node *new_node(service_kind kind)
{
    service_node *n = calloc(1, sizeof *n);
    if (n != NULL)
        n->kind = kind;
    return n;
}

static service_node *parse_component_name(scenario *sc, yctx *c, const ynode *node,
                                          const ypath *path, long long at_least, bool has_k)
{
    const char *name = node->text;
    int group = scenario_find_group(sc, name);
    if (group < 0) {
        yerror(c, node, path, "unknown component '%s' in the service expression", name);
        return NULL;
    }
    int count = sc->groups[group].count;
    if (count > 0 && has_k && at_least > count) {
        yerror(c, node, path, "at_least %lld of '%s', which has only %d %s", at_least, name, count,
               count == 1 ? "copy" : "copies");
        return NULL;
    }
    service_node *n = new_node(SERVICE_COPIES);
    if (n == NULL) {
        yerror(c, node, path, "out of memory");
        return NULL;
    }
    n->group = group;
    n->at_least = has_k ? (int)at_least : count;
    return n;
}

static service_node *parse_list(scenario *sc, yctx *c, const ynode *list, const ypath *path,
                                int depth)
{
    if (!yexpect_sequence(c, list, path))
        return NULL;
    if (list->n == 0) {
        yerror(c, list, path, "an empty list of sub-expressions");
        return NULL;
    }
    service_node *gate = new_node(SERVICE_GATE);
    if (gate == NULL || (gate->children = calloc(list->n, sizeof *gate->children)) == NULL) {
        free(gate);
        yerror(c, list, path, "out of memory");
        return NULL;
    }
    bool ok = true;
    for (size_t i = 0; i < list->n; i++) {
        ypath item_path = YPATH_INDEX(path, i);
        service_node *child = parse_expression(sc, c, list->items[i], &item_path, depth + 1);
        if (child == NULL)
            ok = false;
        else
            gate->children[gate->n_children++] = child;
    }
    if (!ok) {
        service_node_free(gate);
        return NULL;
    }
    return gate;
}

static service_node *parse_gate(scenario *sc, yctx *c, const ynode *node, const ypath *path,
                                int depth)
{
    bool keys_ok = ymap_check(c, node, path, gate_keys);
    const ynode *all = ymap_get(node, "all");
    const ynode *any = ymap_get(node, "any");
    const ynode *at_least = ymap_get(node, "at_least");
    const ynode *of = ymap_get(node, "of");
    int forms = (all != NULL) + (any != NULL) + (at_least != NULL || of != NULL);
    if (forms != 1) {
        if (keys_ok || forms > 1)
            yerror(c, node, path, forms == 0 ? "expected 'all', 'any' or 'at_least' with 'of'"
                                             : "give one of 'all', 'any' or 'at_least', not several");
        return NULL;
    }
    if (all != NULL || any != NULL) {
        ypath list_path = YPATH_KEY(path, all ? "all" : "any");
        service_node *gate = parse_list(sc, c, all ? all : any, &list_path, depth);
        if (gate != NULL)
            gate->at_least = all ? (int)gate->n_children : 1;
        if (!keys_ok) {
            service_node_free(gate);
            return NULL;
        }
        return gate;
    }
    if (at_least == NULL || of == NULL) {
        yerror(c, node, path, "'at_least' and 'of' go together");
        return NULL;
    }
    ypath k_path = YPATH_KEY(path, "at_least"), of_path = YPATH_KEY(path, "of");
    long long k;
    if (!yget_integer(c, at_least, &k_path, 1, SCENARIO_MAX_COPIES, &k))
        return NULL;
    if (of->kind == YNODE_SCALAR && !ynode_is_null(of)) {
        service_node *copies = parse_component_name(sc, c, of, &of_path, k, true);
        if (!keys_ok) {
            service_node_free(copies);
            return NULL;
        }
        return copies;
    }
    service_node *gate = parse_list(sc, c, of, &of_path, depth);
    if (gate != NULL && k > (long long)gate->n_children) {
        yerror(c, at_least, &k_path, "at_least %lld of %zu sub-expressions", k, gate->n_children);
        service_node_free(gate);
        return NULL;
    }
    if (gate != NULL)
        gate->at_least = (int)k;
    if (!keys_ok) {
        service_node_free(gate);
        return NULL;
    }
    return gate;
}

static service_node *parse_expression(scenario *sc, yctx *c, const ynode *node,
                                      const ypath *path, int depth)
{
    if (depth > SCENARIO_MAX_SERVICE_DEPTH) {
        yerror(c, node, path, "the service expression is nested more than %d levels deep",
               SCENARIO_MAX_SERVICE_DEPTH);
        return NULL;
    }
    if (node->kind == YNODE_SCALAR && !ynode_is_null(node))
        return parse_component_name(sc, c, node, path, 0, false);
    if (node->kind == YNODE_MAPPING)
        return parse_gate(sc, c, node, path, depth);
    yerror(c, node, path,
           "expected a component name or a mapping with 'all', 'any' or 'at_least', found %s",
           ynode_describe(node));
    return NULL;
}

int service_parse(scenario *sc, yctx *c, const ynode *node, const ypath *path)
{
    if (node != NULL) {
        sc->service = parse_expression(sc, c, node, path, 0);
        return sc->service != NULL ? 0 : -1;
    }
    /* no `service`: every component is needed */
    service_node *gate = new_node(SERVICE_GATE);
    if (gate == NULL || (sc->n_groups > 0 &&
                         (gate->children = calloc(sc->n_groups, sizeof *gate->children)) == NULL)) {
        free(gate);
        return -1;
    }
    sc->service = gate;
    for (size_t g = 0; g < sc->n_groups; g++) {
        service_node *leaf = new_node(SERVICE_COPIES);
        if (leaf == NULL)
            return -1;
        leaf->group = (int)g;
        leaf->at_least = sc->groups[g].count;
        gate->children[gate->n_children++] = leaf;
    }
    gate->at_least = (int)gate->n_children;
    return 0;
}

/* ---- runtime ----------------------------------------------------------------------------- */

static int count_nodes(const service_node *n)
{
    int total = 1;
    for (size_t i = 0; i < n->n_children; i++)
        total += count_nodes(n->children[i]);
    return total;
}

/* Numbers the gates depth-first; counts (pass 0) or fills (pass 1) each
 * copy's list of parent gates. */
static int flatten(trial_world *w, const service_node *n, int parent, int *next_id, int pass,
                   int *fill)
{
    int id = (*next_id)++;
    if (pass == 1) {
        w->node_parent[id] = parent;
        w->node_threshold[id] = n->at_least;
    }
    if (n->kind == SERVICE_COPIES) {
        int first = w->groups[n->group].first_copy;
        for (int i = 0; i < w->sc->groups[n->group].count; i++) {
            int copy = first + i;
            if (pass == 0)
                w->copy_parent_offsets[copy + 1]++;
            else
                w->copy_parents[fill[copy]++] = id;
        }
    }
    for (size_t i = 0; i < n->n_children; i++)
        flatten(w, n->children[i], id, next_id, pass, fill);
    return id;
}

int service_init(trial_world *w)
{
    w->n_nodes = count_nodes(w->sc->service);
    size_t nodes = (size_t)w->n_nodes;
    w->node_threshold = calloc(nodes, sizeof(int));
    w->node_up_count = calloc(nodes, sizeof(int));
    w->node_parent = calloc(nodes, sizeof(int));
    w->node_up = calloc(nodes, sizeof(bool));
    w->copy_parent_offsets = calloc(w->n_copies + 1, sizeof(int));
    if (!w->node_threshold || !w->node_up_count || !w->node_parent || !w->node_up ||
        !w->copy_parent_offsets)
        return -1;
    int next_id = 0;
    flatten(w, w->sc->service, -1, &next_id, 0, NULL);
    for (size_t c = 0; c < w->n_copies; c++)
        w->copy_parent_offsets[c + 1] += w->copy_parent_offsets[c];
    w->copy_parents = calloc((size_t)w->copy_parent_offsets[w->n_copies] + 1, sizeof(int));
    int *fill = malloc((w->n_copies + 1) * sizeof(int));
    if (w->copy_parents == NULL || fill == NULL) {
        free(fill);
        return -1;
    }
    memcpy(fill, w->copy_parent_offsets, (w->n_copies + 1) * sizeof(int));
    next_id = 0;
    flatten(w, w->sc->service, -1, &next_id, 1, fill);
    free(fill);
    return 0;
}

static int children_of(const service_node *n, const scenario *sc)
{
    return n->kind == SERVICE_COPIES ? sc->groups[n->group].count : (int)n->n_children;
}

static void reset_counts(trial_world *w, const service_node *n, int *next_id)
{
    int id = (*next_id)++;
    w->node_up_count[id] = children_of(n, w->sc);
    w->node_up[id] = true;
    for (size_t i = 0; i < n->n_children; i++)
        reset_counts(w, n->children[i], next_id);
}

void service_start(trial_world *w)
{
    int next_id = 0;
    reset_counts(w, w->sc->service, &next_id);
    w->service_up = true;
}

static void gate_changed(trial_world *w, int node, int delta)
{
    for (;;) {
        w->node_up_count[node] += delta;
        bool up = w->node_up_count[node] >= w->node_threshold[node];
        if (up == w->node_up[node])
            return;
        w->node_up[node] = up;
        int parent = w->node_parent[node];
        if (parent < 0) {
            world_service_changed(w, up);
            return;
        }
        node = parent;
        delta = up ? 1 : -1;
    }
}

void service_copy_changed(trial_world *w, int copy, bool effective_up)
{
    int delta = effective_up ? 1 : -1;
    for (int i = w->copy_parent_offsets[copy]; i < w->copy_parent_offsets[copy + 1]; i++)
        gate_changed(w, w->copy_parents[i], delta);
}
