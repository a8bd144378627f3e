/*
 * experiment_load — reading an experiment file: an AWS FIS template in a
 * CloudFormation template, or drsim's own YAML (include/experiment.h).
 *
 * Every name is resolved against the scenario here, so a run never meets
 * a bad name; what cannot be known before the run (which instances exist
 * at its start) is resolved by sim/experiment.c.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "experiment.h"
#include "ytree.h"

/* ---- keys in either case ------------------------------------------------------------------ */

/* CloudFormation writes Targets, the FIS API targets: keys match with their
 * first letter in either case (ytree.h), in the checks (ymap_check_match)
 * as in the look-ups here. */
#define KEY_MATCH YKEY_FIRST_EITHER_CASE

static const ynode *xget(const ynode *map, const char *key)
{
    const ypair *pair = ymap_find(map, key, KEY_MATCH);
    return pair != NULL ? pair->value : NULL;
}

/* The key as written (for paths in messages), or `key`. */
static const char *xkey(const ynode *map, const char *key)
{
    const ypair *pair = ymap_find(map, key, KEY_MATCH);
    return pair != NULL ? pair->key->text : key;
}

static const ynode *xrequire(yctx *c, const ynode *map, const ypath *path, const char *key)
{
    const ynode *v = xget(map, key);
    if (v == NULL)
        yerror(c, map, path, "missing required key '%s'", key);
    return v;
}

static bool scalar_text(yctx *c, const ynode *v, const ypath *p, const char *what)
{
    if (v->kind == YNODE_SCALAR)
        return true;
    yerror(c, v, p, "expected %s, found %s", what, ynode_describe(v));
    return false;
}

/* A duration as FIS writes it (PT5M) or as a scenario does (5m). */
static bool get_fis_duration(yctx *c, const ynode *v, const ypath *p, double *out)
{
    if (!scalar_text(c, v, p, "a duration (PT5M)"))
        return false;
    char err[200];
    double s;
    int rc = v->text[0] == 'P' ? duration_parse_iso8601(v->text, &s, err, sizeof err)
                               : duration_parse(v->text, &s, err, sizeof err);
    if (rc != 0) {
        yerror(c, v, p, "%s", err);
        return false;
    }
    if (s > EXPERIMENT_MAX_DURATION_S) {
        yerror(c, v, p, "an action lasts at most 12 hours (PT12H), not %s", v->text);
        return false;
    }
    *out = s;
    return true;
}

static bool get_bool_text(yctx *c, const ynode *v, const ypath *p, bool *out)
{
    if (v->kind == YNODE_SCALAR) {
        if (strcmp(v->text, "true") == 0 || strcmp(v->text, "True") == 0)
            return *out = true, true;
        if (strcmp(v->text, "false") == 0 || strcmp(v->text, "False") == 0)
            return *out = false, true;
    }
    yerror(c, v, p, "expected true or false");
    return false;
}

/* ---- names ----------------------------------------------------------------------------------- */

static const struct {
    const char *name;
    resource_type type;
} RESOURCE_TYPES[] = {
    {"aws:ec2:instance", RESOURCE_INSTANCE},
    {"aws:ec2:subnet", RESOURCE_SUBNET},
    {"drsim:zone", RESOURCE_SUBNET},
    {"drsim:region", RESOURCE_REGION},
    {"aws:rds:cluster", RESOURCE_DB_CLUSTER},
    {"aws:rds:db", RESOURCE_DB_INSTANCE},
    {"aws:dynamodb:global-table", RESOURCE_GLOBAL_TABLE},
    {"aws:s3:bucket", RESOURCE_BUCKET},
};
#define N_RESOURCE_TYPES (sizeof RESOURCE_TYPES / sizeof RESOURCE_TYPES[0])

const char *resource_type_name(resource_type type)
{
    for (size_t i = 0; i < N_RESOURCE_TYPES; i++)
        if (RESOURCE_TYPES[i].type == type)
            return RESOURCE_TYPES[i].name;
    return "none";
}

#define BIT(t) (1u << (t))

/* The actions drsim can rehearse, by FIS action id (and drsim's own for
 * what FIS only offers as a composite scenario). */
typedef struct action_spec {
    const char *id;
    action_kind kind;
    unsigned resource_types;   /* BIT(resource_type) the target may have; 0: no target */
    bool needs_duration;
    const char *const params[6];
} action_spec;

static const action_spec ACTIONS[] = {
    {"aws:fis:wait", ACTION_FIS_WAIT, 0, true, {"duration"}},
    /* the seed's template passes instanceIds: ${Instances}; the targets say the same */
    {"aws:ec2:terminate-instances", ACTION_TERMINATE_INSTANCES, BIT(RESOURCE_INSTANCE), false,
     {"instanceIds"}},
    {"aws:ec2:stop-instances", ACTION_STOP_INSTANCES, BIT(RESOURCE_INSTANCE), false,
     {"startInstancesAfterDuration", "completeIfInstancesTerminated", "instanceIds"}},
    {"aws:ec2:reboot-instances", ACTION_REBOOT_INSTANCES, BIT(RESOURCE_INSTANCE), false,
     {"instanceIds"}},
    {"aws:ssm:send-command", ACTION_CPU_STRESS, BIT(RESOURCE_INSTANCE), true,
     {"documentArn", "documentParameters", "duration"}},
    {"drsim:ec2:cpu-stress", ACTION_CPU_STRESS, BIT(RESOURCE_INSTANCE), true,
     {"loadPercent", "duration"}},
    {"drsim:ec2:latency-stress", ACTION_LATENCY_STRESS, BIT(RESOURCE_INSTANCE), true,
     {"delayMilliseconds", "duration"}},
    {"aws:network:disrupt-connectivity", ACTION_ZONE_NETWORK_LOSS, BIT(RESOURCE_SUBNET), true,
     {"duration", "scope"}},
    {"drsim:zone:power-interruption", ACTION_ZONE_POWER_LOSS, BIT(RESOURCE_SUBNET), true,
     {"duration"}},
    {"drsim:region:isolate", ACTION_REGION_ISOLATION, BIT(RESOURCE_REGION), true, {"duration"}},
    {"aws:rds:failover-db-cluster", ACTION_DB_FAILOVER, BIT(RESOURCE_DB_CLUSTER), false, {NULL}},
    {"aws:rds:reboot-db-instances", ACTION_DB_REBOOT,
     BIT(RESOURCE_DB_INSTANCE) | BIT(RESOURCE_DB_CLUSTER), false, {"forceFailover"}},
    {"aws:dynamodb:global-table-pause-replication", ACTION_PAUSE_REPLICATION,
     BIT(RESOURCE_GLOBAL_TABLE), true, {"duration"}},
    {"aws:s3:bucket-pause-replication", ACTION_PAUSE_REPLICATION, BIT(RESOURCE_BUCKET), true,
     {"duration", "region", "prefixes"}},
};
#define N_ACTIONS (sizeof ACTIONS / sizeof ACTIONS[0])

const char *action_kind_name(action_kind kind)
{
    static const char *const names[] = {
        "wait", "terminate instances", "stop instances", "reboot instances", "CPU stress",
        "latency stress", "zone network loss", "zone power loss", "region isolation",
        "database failover", "database reboot", "replication pause"};
    return (unsigned)kind < sizeof names / sizeof names[0] ? names[kind] : "?";
}

const char *experiment_status_name(experiment_status status)
{
    static const char *const names[] = {"completed", "deviated", "stopped", "failed"};
    return (unsigned)status < 4 ? names[status] : "?";
}

/* ---- targets --------------------------------------------------------------------------------- */

static const char *const TARGET_KEYS[] = {"resourceType", "resourceArns", "resourceTags",
                                          "filters", "parameters", "selectionMode", NULL};

static int zone_named(const scenario *sc, const char *name)
{
    int d = scenario_find_domain(sc, name);
    return d >= 0 && sc->domains[d].kind == DOMAIN_ZONE ? d : -1;
}

static bool add_zone(yctx *c, const scenario *sc, const ynode *v, const ypath *p,
                     experiment_target *t)
{
    if (!scalar_text(c, v, p, "a zone name"))
        return false;
    int zone = zone_named(sc, v->text);
    if (zone < 0) {
        yerror(c, v, p, "no zone named '%.60s' in the scenario", v->text);
        return false;
    }
    int *grown = realloc(t->zones, (t->n_zones + 1) * sizeof *grown);
    if (grown == NULL)
        return false;
    t->zones = grown;
    t->zones[t->n_zones++] = zone;
    return true;
}

static bool parse_selection(yctx *c, const ynode *v, const ypath *p, experiment_target *t)
{
    if (!scalar_text(c, v, p, "ALL, COUNT(n) or PERCENT(n)"))
        return false;
    if (strcmp(v->text, "ALL") == 0) {
        t->selection = SELECT_ALL;
        return true;
    }
    int n = -1, consumed = 0;
    if (sscanf(v->text, "COUNT(%d)%n", &n, &consumed) == 1 && v->text[consumed] == '\0' && n >= 1) {
        t->selection = SELECT_COUNT;
        t->selection_n = n;
        return true;
    }
    consumed = 0;
    if (sscanf(v->text, "PERCENT(%d)%n", &n, &consumed) == 1 && v->text[consumed] == '\0' &&
        n >= 1 && n <= 100) {
        t->selection = SELECT_PERCENT;
        t->selection_n = n;
        return true;
    }
    yerror(c, v, p, "'%.60s' is not a selection mode (ALL, COUNT(n) with n >= 1, PERCENT(n) "
                    "with n from 1 to 100)", v->text);
    return false;
}

/* "arn:aws:ec2:us-east-1:123456789012:instance/web-east/2" → "web-east/2";
 * a plain name stays as it is. */
static char *resource_name_of(const char *arn)
{
    if (strncmp(arn, "arn:", 4) != 0)
        return strdup(arn);
    const char *p = arn;
    for (int colons = 0; colons < 5 && p != NULL; colons++) {
        p = strchr(p, ':');
        if (p != NULL)
            p++;
    }
    if (p == NULL)
        return strdup(arn);
    const char *colon = strchr(p, ':');
    if (colon != NULL)
        return strdup(colon + 1); /* cluster:name, db:name */
    static const char *const prefixes[] = {"instance/", "subnet/", "table/", NULL};
    for (size_t i = 0; prefixes[i] != NULL; i++)
        if (strncmp(p, prefixes[i], strlen(prefixes[i])) == 0)
            return strdup(p + strlen(prefixes[i]));
    return strdup(p);
}

/* Checks a named resource of a type whose resources are known before the
 * run (all but instances). */
static bool known_resource(const scenario *sc, resource_type type, const char *name)
{
    switch (type) {
    case RESOURCE_SUBNET:
        return zone_named(sc, name) >= 0;
    case RESOURCE_REGION: {
        int d = scenario_find_domain(sc, name);
        return d >= 0 && sc->domains[d].kind == DOMAIN_REGION;
    }
    case RESOURCE_DB_CLUSTER:
    case RESOURCE_DB_INSTANCE:
    case RESOURCE_GLOBAL_TABLE:
        for (size_t i = 0; i < sc->dr.n_databases; i++)
            if (strcmp(sc->dr.databases[i].name, name) == 0)
                return type != RESOURCE_GLOBAL_TABLE || sc->dr.databases[i].global_table;
        return false;
    case RESOURCE_BUCKET:
        for (size_t i = 0; i < sc->dr.n_buckets; i++)
            if (strcmp(sc->dr.buckets[i].name, name) == 0)
                return true;
        return false;
    default:
        return true; /* instances exist only at run time */
    }
}

static bool parse_filters(yctx *c, const scenario *sc, const ynode *node, const ypath *path,
                          experiment_target *t)
{
    if (!yexpect_sequence(c, node, path))
        return false;
    static const char *const filter_keys[] = {"path", "values", NULL};
    bool ok = true;
    for (size_t i = 0; i < node->n; i++) {
        ypath item = YPATH_INDEX(path, i);
        const ynode *f = node->items[i];
        if (!ymap_check_match(c, f, &item, filter_keys, KEY_MATCH)) {
            ok = false;
            continue;
        }
        const ynode *fpath = xrequire(c, f, &item, "path");
        const ynode *values = xrequire(c, f, &item, "values");
        if (fpath == NULL || values == NULL) {
            ok = false;
            continue;
        }
        ypath pp = YPATH_KEY(&item, xkey(f, "path")), vp = YPATH_KEY(&item, xkey(f, "values"));
        if (!scalar_text(c, fpath, &pp, "a filter path") || !yexpect_sequence(c, values, &vp)) {
            ok = false;
            continue;
        }
        bool zone_path = (t->type == RESOURCE_INSTANCE &&
                          strcmp(fpath->text, "Placement.AvailabilityZone") == 0) ||
                         (t->type == RESOURCE_SUBNET && strcmp(fpath->text, "AvailabilityZone") == 0);
        bool state_path = t->type == RESOURCE_INSTANCE && strcmp(fpath->text, "State.Name") == 0;
        bool state_running = false;
        if (!zone_path && !state_path) {
            yerror(c, fpath, &pp, "drsim cannot filter %s on '%.60s' (it knows %s)",
                   resource_type_name(t->type), fpath->text,
                   t->type == RESOURCE_INSTANCE ? "Placement.AvailabilityZone and State.Name"
                   : t->type == RESOURCE_SUBNET ? "AvailabilityZone"
                                                : "no filters for this type");
            ok = false;
            continue;
        }
        for (size_t k = 0; k < values->n; k++) {
            ypath kp = YPATH_INDEX(&vp, k);
            if (zone_path) {
                ok = add_zone(c, sc, values->items[k], &kp, t) && ok;
            } else if (scalar_text(c, values->items[k], &kp, "an instance state")) {
                if (strcmp(values->items[k]->text, "running") == 0)
                    state_running = true;
            } else {
                ok = false;
            }
        }
        /* every instance a target sees is running: a filter on other
         * states selects nothing, which the run reports */
        if (state_path && !state_running)
            t->no_state_match = true;
    }
    return ok;
}

static bool parse_target(yctx *c, const scenario *sc, const char *name, const ynode *node,
                         const ypath *path, experiment_target *t)
{
    t->name = strdup(name);
    t->selection = SELECT_ALL;
    if (!ymap_check_match(c, node, path, TARGET_KEYS, KEY_MATCH))
        return false;
    bool ok = true;
    const ynode *v = xrequire(c, node, path, "resourceType");
    if (v == NULL)
        return false;
    ypath p = YPATH_KEY(path, xkey(node, "resourceType"));
    if (!scalar_text(c, v, &p, "a resource type"))
        return false;
    size_t r = 0;
    while (r < N_RESOURCE_TYPES && strcmp(RESOURCE_TYPES[r].name, v->text) != 0)
        r++;
    if (r == N_RESOURCE_TYPES) {
        yerror(c, v, &p, "drsim cannot target resource type '%.60s' (it knows aws:ec2:instance, "
                         "aws:ec2:subnet, aws:rds:cluster, aws:rds:db, aws:dynamodb:global-table, "
                         "aws:s3:bucket, drsim:zone, drsim:region)", v->text);
        return false;
    }
    t->type = RESOURCE_TYPES[r].type;

    if ((v = xget(node, "selectionMode")) != NULL) {
        p = YPATH_KEY(path, xkey(node, "selectionMode"));
        ok = parse_selection(c, v, &p, t) && ok;
    }
    const ynode *tags = xget(node, "resourceTags"), *arns = xget(node, "resourceArns");
    if (tags != NULL && arns != NULL) {
        p = YPATH_KEY(path, xkey(node, "resourceArns"));
        yerror(c, arns, &p, "a target names its resources by resourceArns or by resourceTags, "
                            "not both (as FIS requires)");
        ok = false;
    }
    if (tags != NULL) {
        p = YPATH_KEY(path, xkey(node, "resourceTags"));
        if (tags->kind != YNODE_MAPPING) {
            yerror(c, tags, &p, "expected resourceTags as a mapping ({Environment: production})");
            ok = false;
        } else {
            ok = tags_parse(c, tags, &p, &t->resource_tags) && ok;
        }
    }
    if (arns != NULL) {
        p = YPATH_KEY(path, xkey(node, "resourceArns"));
        if (!yexpect_sequence(c, arns, &p)) {
            ok = false;
        } else {
            t->resource_ids = calloc(arns->n ? arns->n : 1, sizeof *t->resource_ids);
            for (size_t i = 0; t->resource_ids != NULL && i < arns->n; i++) {
                ypath ip = YPATH_INDEX(&p, i);
                if (!scalar_text(c, arns->items[i], &ip, "a resource name or ARN")) {
                    ok = false;
                    continue;
                }
                char *id = resource_name_of(arns->items[i]->text);
                if (id != NULL && !known_resource(sc, t->type, id)) {
                    yerror(c, arns->items[i], &ip, "no %s named '%.60s' in the scenario",
                           resource_type_name(t->type), id);
                    ok = false;
                }
                t->resource_ids[t->n_resource_ids++] = id;
            }
        }
    }
    if ((v = xget(node, "filters")) != NULL) {
        p = YPATH_KEY(path, xkey(node, "filters"));
        ok = parse_filters(c, sc, v, &p, t) && ok;
    }
    if ((v = xget(node, "parameters")) != NULL) {
        p = YPATH_KEY(path, xkey(node, "parameters"));
        if (v->kind != YNODE_MAPPING) {
            yerror(c, v, &p, "expected parameters as a mapping");
            ok = false;
        } else {
            for (size_t i = 0; i < v->n; i++) {
                const ynode *k = v->pairs[i].key;
                ypath kp = YPATH_KEY(&p, k->kind == YNODE_SCALAR ? k->text : "?");
                bool zone_param = k->kind == YNODE_SCALAR &&
                                  (strcmp(k->text, "AvailabilityZone") == 0 ||
                                   strcmp(k->text, "availabilityZoneIdentifier") == 0) &&
                                  (t->type == RESOURCE_INSTANCE || t->type == RESOURCE_SUBNET);
                if (!zone_param) {
                    yerror(c, k, &kp, "drsim knows no parameter '%.60s' for %s (it knows "
                                      "AvailabilityZone for instances and subnets)",
                           k->kind == YNODE_SCALAR ? k->text : "?", resource_type_name(t->type));
                    ok = false;
                    continue;
                }
                ok = add_zone(c, sc, v->pairs[i].value, &kp, t) && ok;
            }
        }
    }
    return ok;
}

/* ---- actions --------------------------------------------------------------------------------- */

static const char *const ACTION_KEYS[] = {"actionId", "description", "parameters", "targets",
                                          "startAfter", NULL};

/* "LoadPercent": "80" or "LoadPercent": 80 inside an SSM documentParameters
 * JSON string: the number, or NAN. */
static double json_number(const char *json, const char *key)
{
    char quoted[64];
    snprintf(quoted, sizeof quoted, "\"%s\"", key);
    const char *at = strstr(json, quoted);
    if (at == NULL)
        return NAN;
    at += strlen(quoted);
    while (*at == ' ' || *at == ':' || *at == '"')
        at++;
    char number[32];
    size_t n = 0;
    while ((isdigit((unsigned char)*at) || *at == '.') && n + 1 < sizeof number)
        number[n++] = *at++;
    number[n] = '\0';
    double value;
    return n > 0 && duration_parse_number(number, &value) == 0 ? value : NAN;
}

static int find_target(const experiment *ex, const char *name)
{
    for (size_t t = 0; t < ex->n_targets; t++)
        if (strcmp(ex->targets[t].name, name) == 0)
            return (int)t;
    return -1;
}

static bool parse_action_params(yctx *c, const action_spec *spec, const ynode *params,
                                const ypath *path, experiment_action *a)
{
    bool ok = true;
    double document_duration_s = NAN;
    bool has_document = false;
    for (size_t i = 0; params != NULL && i < params->n; i++) {
        const ynode *k = params->pairs[i].key, *v = params->pairs[i].value;
        const char *key = k->kind == YNODE_SCALAR ? k->text : "?";
        ypath p = YPATH_KEY(path, key);
        bool known = false;
        for (size_t j = 0; j < 6 && spec->params[j] != NULL && !known; j++)
            known = strcmp(spec->params[j], key) == 0;
        if (!known) {
            char list[256] = "none";
            size_t used = 0;
            for (size_t j = 0; j < 6 && spec->params[j] != NULL; j++)
                used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", j ? ", " : "",
                                         spec->params[j]);
            yerror(c, k, &p, "%s takes no parameter '%.60s' (it takes: %s)", spec->id, key, list);
            ok = false;
            continue;
        }
        if (strcmp(key, "duration") == 0 || strcmp(key, "startInstancesAfterDuration") == 0) {
            ok = get_fis_duration(c, v, &p, &a->duration_s) && ok;
        } else if (strcmp(key, "loadPercent") == 0) {
            double pct;
            if (!scalar_text(c, v, &p, "a percentage") ||
                duration_parse_number(v->text, &pct) != 0 || !(pct > 0.0 && pct <= 100.0)) {
                if (v->kind == YNODE_SCALAR)
                    yerror(c, v, &p, "loadPercent is a number above 0 and at most 100, not %.60s",
                           v->text);
                ok = false;
            } else {
                a->load_fraction = pct / 100.0;
            }
        } else if (strcmp(key, "delayMilliseconds") == 0) {
            double ms;
            if (!scalar_text(c, v, &p, "milliseconds") ||
                duration_parse_number(v->text, &ms) != 0 || !(ms >= 0.0 && ms <= 60000.0)) {
                if (v->kind == YNODE_SCALAR)
                    yerror(c, v, &p, "delayMilliseconds is 0 to 60000, not %.60s", v->text);
                ok = false;
            } else {
                a->added_latency_s = ms / 1000.0;
            }
        } else if (strcmp(key, "forceFailover") == 0) {
            ok = get_bool_text(c, v, &p, &a->force_failover) && ok;
        } else if (strcmp(key, "scope") == 0) {
            if (!scalar_text(c, v, &p, "a scope") || strcmp(v->text, "all") != 0) {
                if (v->kind == YNODE_SCALAR)
                    yerror(c, v, &p, "drsim models scope 'all' only (the zone is cut off), not "
                                     "'%.60s'", v->text);
                ok = false;
            }
        } else if (strcmp(key, "documentArn") == 0) {
            if (!scalar_text(c, v, &p, "an SSM document ARN")) {
                ok = false;
            } else if (strstr(v->text, "AWSFIS-Run-CPU-Stress") != NULL) {
                a->kind = ACTION_CPU_STRESS;
                has_document = true;
            } else if (strstr(v->text, "AWSFIS-Run-Network-Latency") != NULL) {
                a->kind = ACTION_LATENCY_STRESS;
                has_document = true;
            } else {
                yerror(c, v, &p, "drsim rehearses the SSM documents AWSFIS-Run-CPU-Stress and "
                                 "AWSFIS-Run-Network-Latency, not '%.80s'", v->text);
                ok = false;
            }
        } else if (strcmp(key, "documentParameters") == 0) {
            if (!scalar_text(c, v, &p, "a JSON string")) {
                ok = false;
                continue;
            }
            double load = json_number(v->text, "LoadPercent");
            double delay = json_number(v->text, "DelayMilliseconds");
            document_duration_s = json_number(v->text, "DurationSeconds");
            if (!isnan(load)) {
                if (!(load > 0.0 && load <= 100.0)) {
                    yerror(c, v, &p, "LoadPercent is above 0 and at most 100");
                    ok = false;
                }
                a->load_fraction = load / 100.0;
            }
            if (!isnan(delay))
                a->added_latency_s = delay / 1000.0;
        }
        /* instanceIds, completeIfInstancesTerminated, region, prefixes:
         * the targets already say which resources */
    }
    if (spec->kind == ACTION_CPU_STRESS && strcmp(spec->id, "aws:ssm:send-command") == 0 &&
        !has_document && ok) {
        yerror(c, params, path, "aws:ssm:send-command needs a documentArn naming "
                                "AWSFIS-Run-CPU-Stress or AWSFIS-Run-Network-Latency");
        ok = false;
    }
    if (isnan(a->duration_s) && !isnan(document_duration_s))
        a->duration_s = document_duration_s;
    return ok;
}

static bool parse_action(yctx *c, experiment *ex, const char *name, const ynode *node,
                         const ypath *path, experiment_action *a)
{
    a->name = strdup(name);
    a->target = -1;
    a->duration_s = NAN;
    a->load_fraction = 1.0;
    a->added_latency_s = 0.2; /* AWSFIS-Run-Network-Latency's default: 200 ms */
    if (!ymap_check_match(c, node, path, ACTION_KEYS, KEY_MATCH))
        return false;
    const ynode *v = xrequire(c, node, path, "actionId");
    if (v == NULL)
        return false;
    ypath p = YPATH_KEY(path, xkey(node, "actionId"));
    if (!scalar_text(c, v, &p, "an action id"))
        return false;
    a->action_id = strdup(v->text);
    const action_spec *spec = NULL;
    for (size_t i = 0; i < N_ACTIONS && spec == NULL; i++)
        if (strcmp(ACTIONS[i].id, v->text) == 0)
            spec = &ACTIONS[i];
    if (spec == NULL) {
        yerror(c, v, &p, "unknown action id '%.80s' (drsim rehearses aws:fis:wait, "
                         "aws:ec2:terminate-instances, aws:ec2:stop-instances, "
                         "aws:ec2:reboot-instances, aws:ssm:send-command, "
                         "aws:network:disrupt-connectivity, aws:rds:failover-db-cluster, "
                         "aws:rds:reboot-db-instances, aws:dynamodb:global-table-pause-replication, "
                         "aws:s3:bucket-pause-replication, drsim:ec2:cpu-stress, "
                         "drsim:ec2:latency-stress, drsim:zone:power-interruption, "
                         "drsim:region:isolate)", v->text);
        return false;
    }
    a->kind = spec->kind;
    bool ok = true;
    const ynode *params = xget(node, "parameters");
    if (params != NULL) {
        p = YPATH_KEY(path, xkey(node, "parameters"));
        if (params->kind != YNODE_MAPPING) {
            yerror(c, params, &p, "expected parameters as a mapping");
            ok = false;
        } else {
            ok = parse_action_params(c, spec, params, &p, a) && ok;
        }
    }
    if (ok && spec->needs_duration && isnan(a->duration_s)) {
        yerror(c, params ? params : node, params ? &p : path, "%s needs a duration (PT5M)",
               spec->id);
        ok = false;
    }

    const ynode *targets = xget(node, "targets");
    ypath tp = YPATH_KEY(path, xkey(node, "targets"));
    if (spec->resource_types == 0) {
        if (targets != NULL && !(targets->kind == YNODE_MAPPING && targets->n == 0)) {
            yerror(c, targets, &tp, "%s acts on no target", spec->id);
            ok = false;
        }
    } else if (targets == NULL) {
        yerror(c, node, path, "%s needs a target (targets: {Instances: NAME})", spec->id);
        ok = false;
    } else if (targets->kind != YNODE_MAPPING || targets->n != 1 ||
               targets->pairs[0].value->kind != YNODE_SCALAR) {
        yerror(c, targets, &tp, "expected one target, as {Instances: NAME}");
        ok = false;
    } else {
        const ynode *tname = targets->pairs[0].value;
        ypath np = YPATH_KEY(&tp, targets->pairs[0].key->text);
        a->target = find_target(ex, tname->text);
        if (a->target < 0) {
            yerror(c, tname, &np, "no target named '%.60s' in the experiment", tname->text);
            ok = false;
        } else if ((spec->resource_types & BIT(ex->targets[a->target].type)) == 0) {
            yerror(c, tname, &np, "%s cannot act on target '%s', which is %s", spec->id,
                   tname->text, resource_type_name(ex->targets[a->target].type));
            ok = false;
        }
    }
    return ok;
}

static int find_action(const experiment *ex, const char *name)
{
    for (size_t i = 0; i < ex->n_actions; i++)
        if (ex->actions[i].name != NULL && strcmp(ex->actions[i].name, name) == 0)
            return (int)i;
    return -1;
}

/* startAfter names actions of the experiment; the order is a DAG. */
static bool parse_start_after(yctx *c, experiment *ex, const ynode *actions, const ypath *path)
{
    bool ok = true;
    for (size_t i = 0; i < actions->n && i < ex->n_actions; i++) {
        const ynode *node = actions->pairs[i].value;
        const ynode *after = xget(node, "startAfter");
        if (after == NULL)
            continue;
        ypath ap = YPATH_KEY(path, actions->pairs[i].key->text);
        ypath p = YPATH_KEY(&ap, xkey(node, "startAfter"));
        if (!yexpect_sequence(c, after, &p)) {
            ok = false;
            continue;
        }
        experiment_action *a = &ex->actions[i];
        a->start_after = calloc(after->n ? after->n : 1, sizeof *a->start_after);
        for (size_t k = 0; a->start_after != NULL && k < after->n; k++) {
            ypath kp = YPATH_INDEX(&p, k);
            if (!scalar_text(c, after->items[k], &kp, "an action name")) {
                ok = false;
                continue;
            }
            int other = find_action(ex, after->items[k]->text);
            if (other < 0) {
                yerror(c, after->items[k], &kp, "no action named '%.60s' in the experiment",
                       after->items[k]->text);
                ok = false;
            } else if (other == (int)i) {
                yerror(c, after->items[k], &kp, "action '%s' cannot start after itself", a->name);
                ok = false;
            } else {
                a->start_after[a->n_start_after++] = other;
            }
        }
    }
    if (!ok)
        return false;
    /* cycles: repeatedly take actions whose predecessors are all taken */
    bool *taken = calloc(ex->n_actions + 1, sizeof *taken);
    if (taken == NULL)
        return false;
    size_t n_taken = 0;
    for (bool progress = true; progress;) {
        progress = false;
        for (size_t i = 0; i < ex->n_actions; i++) {
            if (taken[i])
                continue;
            bool ready = true;
            for (size_t k = 0; k < ex->actions[i].n_start_after; k++)
                ready = ready && taken[ex->actions[i].start_after[k]];
            if (ready) {
                taken[i] = true;
                n_taken++;
                progress = true;
            }
        }
    }
    if (n_taken < ex->n_actions) {
        for (size_t i = 0; i < ex->n_actions; i++) {
            if (taken[i])
                continue;
            ypath ap = YPATH_KEY(path, actions->pairs[i].key->text);
            yerror(c, xget(actions->pairs[i].value, "startAfter"), &ap,
                   "startAfter makes a cycle: '%s' waits, through the others, for itself",
                   ex->actions[i].name);
            break;
        }
        ok = false;
    }
    free(taken);
    return ok;
}

/* ---- stop conditions, hypothesis ----------------------------------------------------------- */

static bool parse_stop_conditions(yctx *c, experiment *ex, const scenario *sc, const ynode *node,
                                  const ypath *path)
{
    if (!yexpect_sequence(c, node, path))
        return false;
    static const char *const keys[] = {"source", "value", NULL};
    ex->stop_conditions = calloc(node->n ? node->n : 1, sizeof *ex->stop_conditions);
    if (ex->stop_conditions == NULL)
        return false;
    bool ok = true;
    for (size_t i = 0; i < node->n; i++) {
        ypath item = YPATH_INDEX(path, i);
        const ynode *sc_node = node->items[i];
        if (!ymap_check_match(c, sc_node, &item, keys, KEY_MATCH)) {
            ok = false;
            continue;
        }
        const ynode *source = xrequire(c, sc_node, &item, "source");
        if (source == NULL) {
            ok = false;
            continue;
        }
        ypath sp = YPATH_KEY(&item, xkey(sc_node, "source"));
        if (!scalar_text(c, source, &sp, "a source"))
            ok = false;
        else if (strcmp(source->text, "none") == 0)
            continue;
        else if (strcmp(source->text, "aws:cloudwatch:alarm") != 0) {
            yerror(c, source, &sp, "a stop condition's source is aws:cloudwatch:alarm or none, not "
                                   "'%.60s'", source->text);
            ok = false;
            continue;
        }
        const ynode *value = xrequire(c, sc_node, &item, "value");
        if (value == NULL) {
            ok = false;
            continue;
        }
        ypath vp = YPATH_KEY(&item, xkey(sc_node, "value"));
        if (!scalar_text(c, value, &vp, "an alarm (!Ref NAME or its ARN)")) {
            ok = false;
            continue;
        }
        /* !Ref NAME, a plain NAME, or arn:aws:cloudwatch:REGION:ACCOUNT:alarm:NAME */
        const char *name = value->text;
        const char *arn_name = strstr(name, ":alarm:");
        if (strncmp(name, "arn:", 4) == 0 && arn_name != NULL)
            name = arn_name + strlen(":alarm:");
        const alarm_config *alarm = alarm_find(&ex->alarms, name);
        if (alarm == NULL)
            alarm = alarm_find(&sc->alarms, name);
        if (alarm == NULL) {
            yerror(c, value, &vp, "no alarm named '%.60s' in the experiment file or the scenario "
                                  "(define it under alarms:)", name);
            ok = false;
            continue;
        }
        if (ex->n_stop_conditions >= 32) {
            yerror(c, value, &vp, "more than 32 stop conditions");
            ok = false;
            continue;
        }
        ex->stop_conditions[ex->n_stop_conditions++] = alarm;
    }
    return ok;
}

static bool parse_probe(yctx *c, const ynode *node, const ypath *path, experiment_probe *pr)
{
    static const char *const keys[] = {"name", "metric", "window", "tolerance", "when", NULL};
    pr->window_s = ALARM_TICK_S;
    pr->min = -INFINITY;
    pr->max = INFINITY;
    pr->before = pr->during = pr->after = true;
    if (!ymap_check_match(c, node, path, keys, KEY_MATCH))
        return false;
    bool ok = true;
    const ynode *v;
    ypath p;
    if ((v = xrequire(c, node, path, "name")) != NULL) {
        p = YPATH_KEY(path, "name");
        ok = yget_string(c, v, &p, &pr->name) && ok;
    } else {
        ok = false;
    }
    if ((v = xrequire(c, node, path, "metric")) == NULL)
        return false;
    p = YPATH_KEY(path, "metric");
    int m = v->kind == YNODE_SCALAR ? metric_find(v->text) : -1;
    if (m < 0) {
        yerror(c, v, &p, "'%.60s' is not a metric drsim simulates (error_rate, served_fraction, "
                         "healthy_hosts, healthy_capacity, latency)",
               v->kind == YNODE_SCALAR ? v->text : ynode_describe(v));
        return false;
    }
    pr->metric = (metric_kind)m;
    if ((v = xget(node, "window")) != NULL) {
        p = YPATH_KEY(path, "window");
        double s;
        if (!yget_duration(c, v, &p, &s)) {
            ok = false;
        } else if (s < ALARM_TICK_S || s > 3600.0 || fmod(s, ALARM_TICK_S) != 0.0) {
            yerror(c, v, &p, "a window is a multiple of 10s from 10s to 1h, not %s", v->text);
            ok = false;
        } else {
            pr->window_s = s;
        }
    }
    if ((v = xrequire(c, node, path, "tolerance")) == NULL)
        return false;
    p = YPATH_KEY(path, "tolerance");
    if (v->kind == YNODE_MAPPING) {
        static const char *const bounds[] = {"min", "max", NULL};
        if (!ymap_check_match(c, v, &p, bounds, KEY_MATCH) || v->n == 0) {
            if (v->n == 0)
                yerror(c, v, &p, "a tolerance needs min, max or both");
            return false;
        }
        const ynode *b;
        if ((b = xget(v, "min")) != NULL) {
            ypath bp = YPATH_KEY(&p, "min");
            ok = alarm_parse_metric_value(c, b, &bp, pr->metric, &pr->min) && ok;
        }
        if ((b = xget(v, "max")) != NULL) {
            ypath bp = YPATH_KEY(&p, "max");
            ok = alarm_parse_metric_value(c, b, &bp, pr->metric, &pr->max) && ok;
        }
    } else if (v->kind == YNODE_SEQUENCE && v->n == 2) {
        ypath lp = YPATH_INDEX(&p, 0), hp = YPATH_INDEX(&p, 1);
        ok = alarm_parse_metric_value(c, v->items[0], &lp, pr->metric, &pr->min) && ok;
        ok = alarm_parse_metric_value(c, v->items[1], &hp, pr->metric, &pr->max) && ok;
    } else {
        yerror(c, v, &p, "expected a tolerance as {min: X, max: Y} or [X, Y]");
        return false;
    }
    if (ok && pr->min > pr->max) {
        yerror(c, v, &p, "the tolerance's min is above its max: no value could hold");
        ok = false;
    }
    if ((v = xget(node, "when")) != NULL) {
        p = YPATH_KEY(path, "when");
        pr->before = pr->during = pr->after = false;
        size_t n = v->kind == YNODE_SEQUENCE ? v->n : 1;
        for (size_t i = 0; i < n; i++) {
            const ynode *w = v->kind == YNODE_SEQUENCE ? v->items[i] : v;
            ypath wp = v->kind == YNODE_SEQUENCE ? YPATH_INDEX(&p, i) : p;
            if (w->kind == YNODE_SCALAR && strcmp(w->text, "before") == 0)
                pr->before = true;
            else if (w->kind == YNODE_SCALAR && strcmp(w->text, "during") == 0)
                pr->during = true;
            else if (w->kind == YNODE_SCALAR && strcmp(w->text, "after") == 0)
                pr->after = true;
            else {
                yerror(c, w, &wp, "'%.60s' is not before, during or after",
                       w->kind == YNODE_SCALAR ? w->text : ynode_describe(w));
                ok = false;
            }
        }
        if (ok && !pr->before && !pr->during && !pr->after) {
            yerror(c, v, &p, "a probe checked at no time");
            ok = false;
        }
    }
    return ok;
}

static bool parse_hypothesis(yctx *c, experiment *ex, const ynode *node, const ypath *path)
{
    static const char *const keys[] = {"title", "probes", NULL};
    if (!ymap_check_match(c, node, path, keys, KEY_MATCH))
        return false;
    bool ok = true;
    const ynode *v;
    if ((v = xget(node, "title")) != NULL) {
        ypath p = YPATH_KEY(path, "title");
        ok = yget_string(c, v, &p, &ex->hypothesis_title) && ok;
    }
    if ((v = xrequire(c, node, path, "probes")) == NULL)
        return false;
    ypath p = YPATH_KEY(path, "probes");
    if (!yexpect_sequence(c, v, &p))
        return false;
    if (v->n == 0) {
        yerror(c, v, &p, "a hypothesis needs at least one probe");
        return false;
    }
    ex->probes = calloc(v->n, sizeof *ex->probes);
    if (ex->probes == NULL)
        return false;
    for (size_t i = 0; i < v->n; i++) {
        ypath ip = YPATH_INDEX(&p, i);
        ok = parse_probe(c, v->items[i], &ip, &ex->probes[ex->n_probes++]) && ok;
    }
    return ok;
}

/* ---- the template ------------------------------------------------------------------------------ */

static const char *const TEMPLATE_KEYS[] = {
    "description", "targets", "actions", "stopConditions", "tags", "roleArn",
    "experimentOptions", "logConfiguration", "experimentReportConfiguration",
    /* drsim's own */
    "alarms", "steadyStateHypothesis", "steady-state-hypothesis", "settle", "backgroundFailures",
    NULL};

static bool parse_options(yctx *c, experiment *ex, const ynode *node, const ypath *path,
                          bool *skip_empty)
{
    static const char *const keys[] = {"actionsMode", "accountTargeting",
                                       "emptyTargetResolutionMode", NULL};
    if (!ymap_check_match(c, node, path, keys, KEY_MATCH))
        return false;
    bool ok = true;
    const ynode *v;
    if ((v = xget(node, "actionsMode")) != NULL) {
        ypath p = YPATH_KEY(path, xkey(node, "actionsMode"));
        if (v->kind == YNODE_SCALAR && strcmp(v->text, "skip-all") == 0)
            ex->skip_all = true;
        else if (!(v->kind == YNODE_SCALAR && strcmp(v->text, "run-all") == 0)) {
            yerror(c, v, &p, "actionsMode is run-all or skip-all");
            ok = false;
        }
    }
    if ((v = xget(node, "emptyTargetResolutionMode")) != NULL) {
        ypath p = YPATH_KEY(path, xkey(node, "emptyTargetResolutionMode"));
        if (v->kind == YNODE_SCALAR && strcmp(v->text, "skip") == 0)
            *skip_empty = true;
        else if (!(v->kind == YNODE_SCALAR && strcmp(v->text, "fail") == 0)) {
            yerror(c, v, &p, "emptyTargetResolutionMode is fail or skip");
            ok = false;
        }
    }
    if ((v = xget(node, "accountTargeting")) != NULL) {
        ypath p = YPATH_KEY(path, xkey(node, "accountTargeting"));
        if (!(v->kind == YNODE_SCALAR && strcmp(v->text, "single-account") == 0)) {
            yerror(c, v, &p, "drsim rehearses single-account experiments only");
            ok = false;
        }
    }
    return ok;
}

/* When each action begins after the start (begin_s: the latest end of
 * what it starts after), and when the last one ends: the longest chain of
 * durations through the startAfter DAG.  Actions that act once (terminate,
 * failover, reboot) end as they begin. */
static double schedule_actions(experiment *ex)
{
    double span = 0.0;
    /* n passes settle any DAG of n nodes */
    for (size_t pass = 0; pass < ex->n_actions; pass++) {
        for (size_t i = 0; i < ex->n_actions; i++) {
            experiment_action *a = &ex->actions[i];
            double begin = 0.0;
            for (size_t k = 0; k < a->n_start_after; k++) {
                const experiment_action *before = &ex->actions[a->start_after[k]];
                double end = before->begin_s + experiment_action_lasts_s(before);
                if (end > begin)
                    begin = end;
            }
            a->begin_s = begin;
            if (begin + experiment_action_lasts_s(a) > span)
                span = begin + experiment_action_lasts_s(a);
        }
    }
    return span;
}

double experiment_action_lasts_s(const experiment_action *a)
{
    bool once = a->kind == ACTION_REBOOT_INSTANCES || a->kind == ACTION_TERMINATE_INSTANCES ||
                a->kind == ACTION_DB_FAILOVER || a->kind == ACTION_DB_REBOOT;
    return once || isnan(a->duration_s) ? 0.0 : a->duration_s;
}

static bool parse_template(yctx *c, experiment *ex, const scenario *sc, const ynode *body,
                           const ypath *path, bool *skip_empty)
{
    if (!ymap_check_match(c, body, path, TEMPLATE_KEYS, KEY_MATCH))
        return false;
    bool ok = true;
    const ynode *v;
    if ((v = xget(body, "description")) != NULL) {
        ypath p = YPATH_KEY(path, xkey(body, "description"));
        ok = yget_string(c, v, &p, &ex->description) && ok;
    }
    if ((v = xget(body, "alarms")) != NULL) {
        ypath p = YPATH_KEY(path, "alarms");
        ok = alarm_parse_list(c, v, &p, &ex->alarms) && ok;
    }
    if ((v = xget(body, "settle")) != NULL) {
        ypath p = YPATH_KEY(path, "settle");
        ok = get_fis_duration(c, v, &p, &ex->settle_s) && ok;
    }
    if ((v = xget(body, "backgroundFailures")) != NULL) {
        ypath p = YPATH_KEY(path, xkey(body, "backgroundFailures"));
        ok = get_bool_text(c, v, &p, &ex->background_failures) && ok;
    }
    if ((v = xget(body, "experimentOptions")) != NULL) {
        ypath p = YPATH_KEY(path, xkey(body, "experimentOptions"));
        ok = parse_options(c, ex, v, &p, skip_empty) && ok;
    }
    const ynode *targets = xget(body, "targets");
    ypath targets_path = YPATH_KEY(path, xkey(body, "targets"));
    if (targets != NULL) {
        if (targets->kind != YNODE_MAPPING) {
            yerror(c, targets, &targets_path, "expected targets as a mapping of names");
            ok = false;
        } else if (targets->n > EXPERIMENT_MAX_TARGETS) {
            yerror(c, targets, &targets_path, "more than %d targets", EXPERIMENT_MAX_TARGETS);
            ok = false;
        } else {
            ex->targets = calloc(targets->n ? targets->n : 1, sizeof *ex->targets);
            for (size_t i = 0; ex->targets != NULL && i < targets->n; i++) {
                const ynode *k = targets->pairs[i].key;
                const char *name = k->kind == YNODE_SCALAR ? k->text : "?";
                ypath tp = YPATH_KEY(&targets_path, name);
                ok = parse_target(c, sc, name, targets->pairs[i].value, &tp,
                                  &ex->targets[ex->n_targets++]) && ok;
            }
        }
    }
    const ynode *actions = xrequire(c, body, path, "actions");
    ypath actions_path = YPATH_KEY(path, xkey(body, "actions"));
    if (actions == NULL) {
        ok = false;
    } else if (actions->kind != YNODE_MAPPING || actions->n == 0) {
        yerror(c, actions, &actions_path, "expected actions as a mapping of names to actions");
        ok = false;
    } else if (actions->n > EXPERIMENT_MAX_ACTIONS) {
        yerror(c, actions, &actions_path, "more than %d actions (the FIS limit)",
               EXPERIMENT_MAX_ACTIONS);
        ok = false;
    } else {
        ex->actions = calloc(actions->n, sizeof *ex->actions);
        bool actions_ok = ex->actions != NULL;
        for (size_t i = 0; ex->actions != NULL && i < actions->n; i++) {
            const ynode *k = actions->pairs[i].key;
            const char *name = k->kind == YNODE_SCALAR ? k->text : "?";
            ypath ap = YPATH_KEY(&actions_path, name);
            actions_ok = parse_action(c, ex, name, actions->pairs[i].value, &ap,
                                      &ex->actions[ex->n_actions++]) && actions_ok;
        }
        actions_ok = actions_ok && parse_start_after(c, ex, actions, &actions_path);
        ok = ok && actions_ok;
    }
    if ((v = xget(body, "stopConditions")) != NULL) {
        ypath p = YPATH_KEY(path, xkey(body, "stopConditions"));
        ok = parse_stop_conditions(c, ex, sc, v, &p) && ok;
    }
    /* Chaos Toolkit spells it steady-state-hypothesis; both spellings take
     * either first-letter case, as every key does, and one is enough. */
    const ynode *camel = xget(body, "steadyStateHypothesis");
    const ynode *dashed = xget(body, "steady-state-hypothesis");
    if (camel != NULL && dashed != NULL) {
        ypath p = YPATH_KEY(path, xkey(body, "steady-state-hypothesis"));
        yerror(c, dashed, &p, "give the hypothesis once: '%s' is already given",
               xkey(body, "steadyStateHypothesis"));
        ok = false;
    } else if (camel != NULL || dashed != NULL) {
        ypath p = YPATH_KEY(path, camel != NULL ? xkey(body, "steadyStateHypothesis")
                                                : xkey(body, "steady-state-hypothesis"));
        ok = parse_hypothesis(c, ex, camel != NULL ? camel : dashed, &p) && ok;
    }
    return ok;
}

/* A CloudFormation template: Resources (or the top level, as the seed
 * writes its snippet) mapping logical ids to {Type, Properties}. */
static const ynode *cloudformation_resources(const ynode *root)
{
    const ynode *resources = ymap_get(root, "Resources");
    if (resources != NULL)
        return resources;
    if (ymap_get(root, "AWSTemplateFormatVersion") != NULL)
        return NULL;
    for (size_t i = 0; i < root->n; i++) {
        const ynode *v = root->pairs[i].value;
        if (v->kind == YNODE_MAPPING && ymap_get(v, "Type") != NULL)
            return root;
    }
    return NULL;
}

static bool is_type(const ynode *resource, const char *type)
{
    const ynode *t = ymap_get(resource, "Type");
    return t != NULL && t->kind == YNODE_SCALAR && strcmp(t->text, type) == 0;
}

static bool load_cloudformation(yctx *c, experiment *ex, const scenario *sc,
                                const ynode *resources, const char *template_id, bool *skip_empty)
{
    ypath rpath = YPATH_KEY(NULL, "Resources");
    const ypath *base = ymap_get(c->doc->root, "Resources") != NULL ? &rpath : NULL;
    if (resources->kind != YNODE_MAPPING) {
        yerror(c, resources, base, "expected Resources as a mapping of logical ids");
        return false;
    }
    bool ok = true;
    /* alarms first: stop conditions refer to them */
    for (size_t i = 0; i < resources->n; i++) {
        const ynode *r = resources->pairs[i].value;
        if (!is_type(r, "AWS::CloudWatch::Alarm"))
            continue;
        const char *id = resources->pairs[i].key->text;
        ypath rp = YPATH_KEY(base, id);
        const ynode *props = ymap_require(c, r, &rp, "Properties");
        ypath pp = YPATH_KEY(&rp, "Properties");
        ok = props != NULL && alarm_parse_cloudformation(c, id, props, &pp, &ex->alarms) && ok;
    }
    const ynode *chosen = NULL;
    const char *chosen_id = NULL;
    size_t n_templates = 0;
    char ids[512] = "";
    size_t used = 0;
    for (size_t i = 0; i < resources->n; i++) {
        const ynode *r = resources->pairs[i].value;
        if (!is_type(r, "AWS::FIS::ExperimentTemplate"))
            continue;
        const char *id = resources->pairs[i].key->text;
        n_templates++;
        if (used < sizeof ids)
            used += (size_t)snprintf(ids + used, sizeof ids - used, "%s%s", used ? ", " : "", id);
        if (template_id == NULL ? chosen == NULL : strcmp(id, template_id) == 0) {
            chosen = r;
            chosen_id = id;
        }
    }
    if (n_templates == 0) {
        yerror(c, resources, base, "no AWS::FIS::ExperimentTemplate resource in the template");
        return false;
    }
    if (template_id != NULL && chosen == NULL) {
        yerror(c, resources, base, "no experiment template '%s' (the file has: %s)", template_id,
               ids);
        return false;
    }
    if (template_id == NULL && n_templates > 1) {
        yerror(c, resources, base, "%zu experiment templates (%s): choose one with --template",
               n_templates, ids);
        return false;
    }
    ex->template_id = strdup(chosen_id);
    ypath tp = YPATH_KEY(base, chosen_id);
    const ynode *props = ymap_require(c, chosen, &tp, "Properties");
    if (props == NULL)
        return false;
    ypath pp = YPATH_KEY(&tp, "Properties");
    return parse_template(c, ex, sc, props, &pp, skip_empty) && ok;
}

static int finish(experiment *ex, yctx *c, const ydoc *doc, const scenario *sc,
                  const char *template_id)
{
    const ynode *root = doc->root;
    if (root == NULL || root->kind != YNODE_MAPPING) {
        yerror(c, root, NULL, "an experiment file is a mapping (a FIS template or a "
                              "CloudFormation template), not %s",
               root ? ynode_describe(root) : "empty");
        return -1;
    }
    bool skip_empty = false;
    const ynode *resources = cloudformation_resources(root);
    bool ok = resources != NULL ? load_cloudformation(c, ex, sc, resources, template_id, &skip_empty)
                                : parse_template(c, ex, sc, root, NULL, &skip_empty);
    if (!ok)
        return -1;
    ex->skip_empty_targets = skip_empty;
    double span = schedule_actions(ex);
    if (span > EXPERIMENT_MAX_DURATION_S) {
        yerror(c, root, NULL, "the actions run for %.0f s end to end; FIS allows 12 hours", span);
        return -1;
    }
    double warmup = EXPERIMENT_WARMUP_S;
    for (size_t i = 0; i < ex->n_probes; i++)
        if (ex->probes[i].window_s > warmup)
            warmup = ex->probes[i].window_s;
    ex->start_s = warmup;
    ex->span_s = span;
    return 0;
}

static int load_common(experiment *ex, ydoc *doc, diag_list *diag, const scenario *sc,
                       const char *template_id)
{
    yctx c = {doc, diag};
    int rc = finish(ex, &c, doc, sc, template_id);
    ydoc_free(doc);
    if (rc != 0)
        experiment_free(ex);
    return rc;
}

static void init(experiment *ex)
{
    memset(ex, 0, sizeof *ex);
    ex->settle_s = EXPERIMENT_DEFAULT_SETTLE_S;
}

int experiment_load(experiment *ex, const char *path, const scenario *sc, const char *template_id,
                    diag_list *diag)
{
    init(ex);
    ydoc doc;
    if (ydoc_load(&doc, path, diag) != 0) {
        ydoc_free(&doc); /* a failed load may keep the file's name */
        return -1;
    }
    ex->file = strdup(path);
    return load_common(ex, &doc, diag, sc, template_id);
}

int experiment_load_string(experiment *ex, const char *name, const char *text, size_t length,
                           const scenario *sc, const char *template_id, diag_list *diag)
{
    init(ex);
    ydoc doc;
    if (ydoc_load_string(&doc, name, NULL, text, length, diag) != 0) {
        ydoc_free(&doc);
        return -1;
    }
    ex->file = strdup(name);
    return load_common(ex, &doc, diag, sc, template_id);
}

void experiment_free(experiment *ex)
{
    free(ex->file);
    free(ex->description);
    free(ex->template_id);
    for (size_t t = 0; t < ex->n_targets; t++) {
        experiment_target *tg = &ex->targets[t];
        free(tg->name);
        tags_free(&tg->resource_tags);
        for (size_t i = 0; i < tg->n_resource_ids; i++)
            free(tg->resource_ids[i]);
        free(tg->resource_ids);
        free(tg->zones);
    }
    free(ex->targets);
    for (size_t i = 0; i < ex->n_actions; i++) {
        free(ex->actions[i].name);
        free(ex->actions[i].action_id);
        free(ex->actions[i].start_after);
    }
    free(ex->actions);
    alarm_list_free(&ex->alarms);
    free(ex->stop_conditions);
    free(ex->hypothesis_title);
    for (size_t i = 0; i < ex->n_probes; i++)
        free(ex->probes[i].name);
    free(ex->probes);
    memset(ex, 0, sizeof *ex);
}
