/*
 * web — load balancers, Auto Scaling groups and their instances: what a
 * region's web tier serves.
 *
 * Scenario (keys after AWS::ElasticLoadBalancingV2::TargetGroup and
 * AWS::AutoScaling::AutoScalingGroup in snake_case):
 *   load_balancers:
 *     - name: alb-east
 *       region: us-east-1
 *       health_check:                 # the seed's target group: 30 s, 10 s, 3, 3
 *         interval: 30s               # HealthCheckIntervalSeconds (ALB default 30)
 *         timeout: 10s                # HealthCheckTimeoutSeconds (default 5)
 *         healthy_threshold_count: 3  # (default 5)
 *         unhealthy_threshold_count: 3  # (default 2)
 *       deregistration_delay: 30s     # deregistration_delay.timeout_seconds (default 300)
 *       tags: {Tier: edge}            # optional, on every kind of resource (tags.h)
 *   auto_scaling_groups:
 *     - name: web-east
 *       load_balancer: alb-east
 *       zones: [us-east-1a, us-east-1b, us-east-1c]   # VPCZoneIdentifier
 *       min_size: 3
 *       max_size: 12
 *       desired_capacity: 6
 *       health_check_type: ELB        # or EC2 (the AWS default)
 *       health_check_grace_period: 300s
 *       ec2_status_check: uniform(min=1m, max=2m)  # EC2 type: dead → noticed
 *       instance_type: m6g.large      # a price-list key
 *       capacity_per_instance: 500    # requests per second
 *       instance_fail: exp(mean=2y)
 *       launch_time: lognormal(median=90s, sigma=0.4)
 *       response_time: 20ms           # unstressed, per request (an assumption)
 *       tags: {Tier: web}             # on every instance
 *       scaling_policies:             # target tracking (optional; the seed's two)
 *         - name: cpu70
 *           metric: cpu               # ASGAverageCPUUtilization, percent
 *           target: 70%
 *           scale_out_cooldown: 60s   # default 300s (Application Auto Scaling's)
 *           scale_in_cooldown: 300s   # default 300s
 *         - name: requests
 *           metric: request_count_per_target  # ALBRequestCountPerTarget, a minute
 *           target: 1000
 *       instance_warmup: 300s         # EstimatedInstanceWarmup (default 300s, the
 *                                     # group's default cooldown); only with policies
 *
 * An instance is RUNNING, LAUNCHING, or DRAINING (deregistered, waiting out
 * the deregistration delay before its slot frees).  It is alive while it
 * runs, has not failed, and its zone and region are up.  The load balancer
 * marks it unhealthy or healthy when its health checks say so, at the
 * instant healthcheck.h computes from the checks' phase (drawn per
 * instance launch); nothing is simulated probe by probe.  With health check
 * type ELB the group replaces an instance the load balancer marked
 * unhealthy once its grace period is over; with EC2 it replaces a dead one
 * after `ec2_status_check`.  Replacements go to the group's zone with the
 * fewest instances among those that are up, so losing a zone moves its
 * capacity to the others after detection and launch.  A region outage
 * takes the load balancer with it: nothing is checked or replaced until
 * the region is back, and instances survive it.
 *
 * Zones stay balanced as the group's default policies keep them: a scale
 * in terminates in the zone with the most instances, and when zones are
 * out of balance by two or more (after a zone comes back) the group
 * launches one instance in the emptiest usable zone and then terminates
 * one in the fullest (AZRebalance: launch before terminate).  A new
 * target is healthy after one passing check (ALB), a returning one after
 * the healthy threshold.
 *
 * Serving.  Requests routed to a region are split evenly over the targets
 * the load balancer believes healthy — or over every registered target when
 * it believes none is (ALB fails open).  A live target serves its share up
 * to capacity_per_instance; a dead one serves nothing.  So a failed
 * instance costs its share of requests until it is noticed, and lost
 * capacity costs what exceeds the rest.
 *
 * Demand.  The requests routed to a region are world_demand_rps() (the
 * demand now, held within 1% between changes: models/demand_model.c) times
 * the region's DNS share.
 *
 * Target tracking.  A group with scaling_policies evaluates them at every
 * whole minute of simulated time (the metrics' period) while anything can
 * change; a settled group (no change wanted, nothing launching or warming
 * up) evaluates again only at the first whole minute after something it
 * measures changes (web_update), which gives the same decisions at the same
 * instants as evaluating every minute (but for a change made at a whole
 * minute by an event that fires after that minute's evaluations, such as
 * an experiment's tick: it is seen at that minute, not the next).  The metrics are read at the
 * evaluation instant, over the counted instances: running, alive and warmed
 * up (instance_warmup after they start running; the ones at t = 0 are).
 *   CPU of an instance = the requests per second it receives ÷
 *     (capacity_per_instance × its stress factor) × 100%, and 100% when
 *     that is more (overloaded: the CPU cannot show the excess);
 *   requests per target = the requests a minute it receives (excess too).
 * A policy proposes ⌈N × average / target⌉ = ⌈Σ metric / target⌉ (to
 * within 1e-9) over the N counted instances, clamped to [min_size,
 * max_size]; with N = 0 it proposes nothing.  Scale out when any proposal
 * is above the desired capacity, to the largest among the policies whose
 * scale_out_cooldown has passed since the last scale-out; scale in only
 * when every proposal is below it, to the largest, once every policy's
 * scale_in_cooldown has passed since the last scaling activity of either
 * kind (a runbook's set_desired_capacity counts) and no instance is
 * launching or warming up.  Nothing is evaluated while the region is down.
 * Each decision is narrated (EVENT_SCALE) and goes through the desired
 * capacity like a runbook's: launches take launch_time, scale-in drains
 * the newest instance of the fullest zone.
 *
 * Fault injection (model.h).  terminate and stop fail an instance by an
 * experiment's hand; besides the load balancer, the group's EC2 status
 * check (an ec2_status_check draw) sees a stopped or terminated instance
 * whatever the health_check_type, and the group replaces it as any dead
 * one.  start revives a stopped instance the group has not replaced.
 * stress caps what an instance serves at capacity_per_instance × factor
 * and adds to its response_time; a new instance is unstressed.
 *
 * Streams: slot i of group G draws from ("G/i", FAIL), ("G/i", LAUNCH) and
 * ("G/i", PHASE), in the order of its own history.
 *
 * Emits: region_served[region] and region_has_live_target[region]; the
 * scaling events at PRIORITY_FAILURE + 1, after the instant's demand
 * changes and failures.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "model.h"
#include "rng.h"
#include "world.h"

enum { PURPOSE_LAUNCH = RNG_PURPOSE_MODEL + 2, PURPOSE_PHASE = RNG_PURPOSE_MODEL + 3 };

#define MAX_GROUP_SIZE 1000

static const char *const balancer_keys[] = {"name", "region", "health_check",
                                            "deregistration_delay", "tags", NULL};
static const char *const target_check_keys[] = {"interval", "timeout", "healthy_threshold_count",
                                                "unhealthy_threshold_count", NULL};
static const char *const group_keys[] = {
    "name", "load_balancer", "zones", "min_size", "max_size", "desired_capacity",
    "health_check_type", "health_check_grace_period", "ec2_status_check", "instance_type",
    "capacity_per_instance", "instance_fail", "launch_time", "response_time", "tags",
    "scaling_policies", "instance_warmup", NULL};
static const char *const policy_keys[] = {"name", "metric", "target", "scale_out_cooldown",
                                          "scale_in_cooldown", NULL};

/* Application Auto Scaling's default cooldowns, and the group's default
 * cooldown that EstimatedInstanceWarmup falls back to: 300 s each. */
#define DEFAULT_COOLDOWN_S 300.0
#define MAX_REQUEST_TARGET 1e12

/* ---- parsing ---------------------------------------------------------------------------- */

static bool parse_target_check(yctx *c, const ynode *node, const ypath *path, healthcheck *hc)
{
    bool ok = ymap_check(c, node, path, target_check_keys);
    if (node->kind != YNODE_MAPPING)
        return false;
    const ynode *v;
    if ((v = ymap_get(node, "interval")) != NULL) {
        ypath p = YPATH_KEY(path, "interval");
        ok = yget_duration(c, v, &p, &hc->interval_s) && ok;
        if (ok && (hc->interval_s < 5.0 || hc->interval_s > 300.0)) {
            yerror(c, v, &p, "ALB checks every 5s to 300s, not %s", v->text);
            ok = false;
        }
    }
    if ((v = ymap_get(node, "timeout")) != NULL) {
        ypath p = YPATH_KEY(path, "timeout");
        if (!yget_duration(c, v, &p, &hc->timeout_s))
            ok = false;
        else if (hc->timeout_s < 2.0 || hc->timeout_s > 120.0) { /* ALB: 2-120 s */
            yerror(c, v, &p, "ALB health checks time out after 2s to 120s, not %s", v->text);
            ok = false;
        }
    }
    long long n;
    if ((v = ymap_get(node, "healthy_threshold_count")) != NULL) {
        ypath p = YPATH_KEY(path, "healthy_threshold_count");
        if (yget_integer(c, v, &p, 2, 10, &n))
            hc->healthy_threshold = (int)n;
        else
            ok = false;
    }
    if ((v = ymap_get(node, "unhealthy_threshold_count")) != NULL) {
        ypath p = YPATH_KEY(path, "unhealthy_threshold_count");
        if (yget_integer(c, v, &p, 2, 10, &n))
            hc->unhealthy_threshold = (int)n;
        else
            ok = false;
    }
    if (ok && !(hc->timeout_s < hc->interval_s)) {
        yerror(c, node, path, "the timeout must be shorter than the interval");
        ok = false;
    }
    return ok;
}

int balancers_parse(scenario *sc, yctx *c, const ynode *node, const ypath *path)
{
    if (!yexpect_sequence(c, node, path))
        return -1;
    dr_config *dr = &sc->dr;
    dr->balancers = calloc(node->n ? node->n : 1, sizeof *dr->balancers);
    if (dr->balancers == NULL)
        return -1;
    sc->has_dr = true;
    int result = 0;
    for (size_t i = 0; i < node->n; i++) {
        ypath item = YPATH_INDEX(path, i);
        const ynode *lb_node = node->items[i];
        lb_config *lb = &dr->balancers[dr->n_balancers++];
        /* ALB defaults (REFERENCES.md, Detection) */
        lb->check = (healthcheck){30.0, 5.0, 5, 2};
        lb->deregistration_delay_s = 300.0;
        lb->region = -1;
        bool ok = ymap_check(c, lb_node, &item, balancer_keys);
        if (lb_node->kind != YNODE_MAPPING) {
            result = -1;
            continue;
        }
        ok = model_item_name(c, lb_node, &item, &lb->name) && ok;
        ypath region_path = YPATH_KEY(&item, "region");
        const ynode *region = ymap_require(c, lb_node, &item, "region");
        if (region != NULL)
            lb->region = model_find_region(sc, c, region, &region_path);
        ok = ok && lb->region >= 0;
        const ynode *v;
        if ((v = ymap_get(lb_node, "health_check")) != NULL) {
            ypath p = YPATH_KEY(&item, "health_check");
            ok = parse_target_check(c, v, &p, &lb->check) && ok;
        }
        if ((v = ymap_get(lb_node, "deregistration_delay")) != NULL) {
            ypath p = YPATH_KEY(&item, "deregistration_delay");
            if (!yget_duration(c, v, &p, &lb->deregistration_delay_s))
                ok = false;
            else if (lb->deregistration_delay_s > 3600.0) { /* ALB: 0 to 3600 s */
                yerror(c, v, &p, "the deregistration delay is 0s to 3600s, not %s", v->text);
                ok = false;
            }
        }
        if ((v = ymap_get(lb_node, "tags")) != NULL) {
            ypath p = YPATH_KEY(&item, "tags");
            ok = tags_parse(c, v, &p, &lb->tags) && ok;
        }
        if (!ok)
            result = -1;
    }
    if (!model_check_unique_names(c, node, path, "load balancer"))
        result = -1;
    return result;
}

static int find_balancer(const dr_config *dr, const char *name)
{
    for (size_t i = 0; i < dr->n_balancers; i++)
        if (dr->balancers[i].name && strcmp(dr->balancers[i].name, name) == 0)
            return (int)i;
    return -1;
}

static bool parse_size(yctx *c, const ynode *map, const ypath *path, const char *key, int *out)
{
    const ynode *v = ymap_get(map, key);
    if (v == NULL)
        return true;
    ypath p = YPATH_KEY(path, key);
    long long n;
    if (!yget_integer(c, v, &p, 0, MAX_GROUP_SIZE, &n))
        return false;
    *out = (int)n;
    return true;
}

static bool parse_group_dist(yctx *c, const ynode *map, const ypath *path, const char *key,
                             bool required, dist *out)
{
    const ynode *v = required ? ymap_require(c, map, path, key) : ymap_get(map, key);
    if (v == NULL)
        return !required;
    ypath p = YPATH_KEY(path, key);
    dist parsed;
    memset(&parsed, 0, sizeof parsed);
    if (!yget_dist(c, v, &p, &parsed))
        return false;
    dist_free(out);
    *out = parsed;
    return true;
}

/* A policy's target: for cpu a percentage (`70%`, or `70` as AWS's
 * TargetValue writes it), in (0, 100]; for the request count a number of
 * requests per target a minute, more than 0. */
static bool parse_policy_target(yctx *c, const ynode *v, const ypath *path, scaling_metric metric,
                                double *out)
{
    if (v->kind != YNODE_SCALAR) {
        yerror(c, v, path, "expected %s, found %s",
               metric == SCALING_CPU ? "a CPU percentage such as 70%" : "requests per target a minute",
               ynode_describe(v));
        return false;
    }
    char text[64];
    snprintf(text, sizeof text, "%s", v->text);
    size_t length = strlen(text);
    bool percent = length > 0 && text[length - 1] == '%';
    if (percent)
        text[length - 1] = '\0';
    double value;
    if (metric == SCALING_CPU) {
        if (strlen(v->text) >= sizeof text || duration_parse_number(text, &value) != 0) {
            yerror(c, v, path, "'%.60s' is not a CPU percentage (write 70%%)", v->text);
            return false;
        }
        if (!(value > 0.0 && value <= 100.0)) {
            yerror(c, v, path, "%s is out of range (a CPU utilization more than 0%% and at most 100%%)",
                   v->text);
            return false;
        }
    } else {
        if (percent || strlen(v->text) >= sizeof text || duration_parse_number(text, &value) != 0) {
            yerror(c, v, path, "'%.60s' is not a number of requests per target a minute", v->text);
            return false;
        }
        if (!(value > 0.0 && value <= MAX_REQUEST_TARGET)) {
            yerror(c, v, path,
                   "%s is out of range (requests per target a minute, more than 0 and at most 1e12)",
                   v->text);
            return false;
        }
    }
    *out = value;
    return true;
}

static bool parse_policy(yctx *c, const ynode *node, const ypath *path, const ynode *group_node,
                         scaling_policy *p)
{
    bool ok = ymap_check(c, node, path, policy_keys);
    if (node->kind != YNODE_MAPPING)
        return false;
    ok = model_item_name(c, node, path, &p->name) && ok;
    p->scale_out_cooldown_s = DEFAULT_COOLDOWN_S;
    p->scale_in_cooldown_s = DEFAULT_COOLDOWN_S;

    ypath metric_path = YPATH_KEY(path, "metric");
    const ynode *metric = ymap_require(c, node, path, "metric");
    bool metric_ok = false;
    if (metric != NULL && metric->kind == YNODE_SCALAR) {
        if (strcmp(metric->text, "cpu") == 0 ||
            strcmp(metric->text, "ASGAverageCPUUtilization") == 0) {
            p->metric = SCALING_CPU;
            metric_ok = true;
        } else if (strcmp(metric->text, "request_count_per_target") == 0 ||
                   strcmp(metric->text, "ALBRequestCountPerTarget") == 0) {
            p->metric = SCALING_REQUEST_COUNT;
            metric_ok = true;
        } else {
            yerror(c, metric, &metric_path, "unknown metric '%.60s' (use cpu or request_count_per_target)",
                   metric->text);
        }
    } else if (metric != NULL) {
        yerror(c, metric, &metric_path, "expected cpu or request_count_per_target, found %s",
               ynode_describe(metric));
    }
    if (metric_ok && p->metric == SCALING_CPU && ymap_get(group_node, "capacity_per_instance") == NULL) {
        yerror(c, metric, &metric_path,
               "cpu needs the group's capacity_per_instance (an instance's CPU is the requests it "
               "serves divided by it)");
        metric_ok = false;
    }
    if (metric_ok && p->metric == SCALING_REQUEST_COUNT &&
        ymap_get(group_node, "load_balancer") == NULL) {
        yerror(c, metric, &metric_path,
               "request_count_per_target needs the group's load_balancer (the requests it "
               "counts are the load balancer's)");
        metric_ok = false;
    }
    ok = ok && metric_ok;

    ypath target_path = YPATH_KEY(path, "target");
    const ynode *target = ymap_require(c, node, path, "target");
    if (target == NULL)
        ok = false;
    else if (metric_ok)
        ok = parse_policy_target(c, target, &target_path, p->metric, &p->target) && ok;

    const ynode *v;
    if ((v = ymap_get(node, "scale_out_cooldown")) != NULL) {
        ypath kp = YPATH_KEY(path, "scale_out_cooldown");
        ok = yget_duration(c, v, &kp, &p->scale_out_cooldown_s) && ok;
    }
    if ((v = ymap_get(node, "scale_in_cooldown")) != NULL) {
        ypath kp = YPATH_KEY(path, "scale_in_cooldown");
        ok = yget_duration(c, v, &kp, &p->scale_in_cooldown_s) && ok;
    }
    return ok;
}

/* scaling_policies and instance_warmup of group node. */
static bool parse_policies(yctx *c, const ynode *node, const ypath *path, asg_config *g)
{
    g->instance_warmup_s = DEFAULT_COOLDOWN_S;
    const ynode *list = ymap_get(node, "scaling_policies");
    const ynode *warmup = ymap_get(node, "instance_warmup");
    bool ok = true;
    if (warmup != NULL) {
        ypath p = YPATH_KEY(path, "instance_warmup");
        if (list == NULL) {
            yerror(c, warmup, &p, "only with scaling_policies (it says when a new instance's "
                                  "metrics start to count)");
            ok = false;
        } else {
            ok = yget_duration(c, warmup, &p, &g->instance_warmup_s);
        }
    }
    if (list == NULL)
        return ok;
    ypath list_path = YPATH_KEY(path, "scaling_policies");
    if (!yexpect_sequence(c, list, &list_path))
        return false;
    g->policies = calloc(list->n ? list->n : 1, sizeof *g->policies);
    if (g->policies == NULL)
        return false;
    for (size_t i = 0; i < list->n; i++) {
        ypath item = YPATH_INDEX(&list_path, i);
        ok = parse_policy(c, list->items[i], &item, node, &g->policies[g->n_policies++]) && ok;
    }
    return model_check_unique_names(c, list, &list_path, "scaling policy") && ok;
}

static bool parse_group(scenario *sc, yctx *c, const ynode *node, const ypath *path,
                        asg_config *g)
{
    dr_config *dr = &sc->dr;
    bool ok = ymap_check(c, node, path, group_keys);
    if (node->kind != YNODE_MAPPING)
        return false;
    ok = model_item_name(c, node, path, &g->name) && ok;
    if (g->name != NULL)
        g->name_hash = rng_name_hash(g->name);

    ypath lb_path = YPATH_KEY(path, "load_balancer");
    const ynode *lb = ymap_require(c, node, path, "load_balancer");
    g->balancer = -1;
    g->region = -1;
    if (lb != NULL && lb->kind == YNODE_SCALAR) {
        g->balancer = find_balancer(dr, lb->text);
        if (g->balancer < 0)
            yerror(c, lb, &lb_path, "unknown load balancer '%s'", lb->text);
        else
            g->region = dr->balancers[g->balancer].region;
    } else if (lb != NULL) {
        yerror(c, lb, &lb_path, "expected the name of a load balancer");
    }
    ok = ok && g->balancer >= 0;

    ypath zones_path = YPATH_KEY(path, "zones");
    const ynode *zones = ymap_require(c, node, path, "zones");
    if (zones != NULL && yexpect_sequence(c, zones, &zones_path)) {
        g->zones = calloc(zones->n ? zones->n : 1, sizeof *g->zones);
        if (g->zones == NULL)
            return false;
        if (zones->n == 0) {
            yerror(c, zones, &zones_path, "an empty list of zones");
            ok = false;
        }
        for (size_t z = 0; z < zones->n; z++) {
            ypath zp = YPATH_INDEX(&zones_path, z);
            int zone = model_find_zone(sc, c, zones->items[z], &zp);
            if (zone >= 0 && g->region >= 0 && sc->domains[zone].parent != g->region) {
                yerror(c, zones->items[z], &zp, "zone '%s' is not in the load balancer's region '%s'",
                       sc->domains[zone].name, sc->domains[g->region].name);
                zone = -1;
            }
            ok = ok && zone >= 0;
            g->zones[g->n_zones++] = zone;
        }
    } else {
        ok = false;
    }

    g->min_size = 0;
    g->max_size = 0;
    g->desired_capacity = -1;
    bool sizes_ok = parse_size(c, node, path, "min_size", &g->min_size);
    sizes_ok = parse_size(c, node, path, "max_size", &g->max_size) && sizes_ok;
    sizes_ok = parse_size(c, node, path, "desired_capacity", &g->desired_capacity) && sizes_ok;
    if (ymap_get(node, "max_size") == NULL) {
        yerror(c, node, path, "missing required key 'max_size'");
        sizes_ok = false;
    }
    if (g->desired_capacity < 0)
        g->desired_capacity = g->min_size;
    /* AWS: min_size <= desired_capacity <= max_size (desired defaults to min) */
    ypath min_path = YPATH_KEY(path, "min_size"), desired_path = YPATH_KEY(path, "desired_capacity");
    if (sizes_ok && g->min_size > g->max_size) {
        yerror(c, ymap_get(node, "min_size"), &min_path, "%d is more than max_size %d",
               g->min_size, g->max_size);
        sizes_ok = false;
    } else if (sizes_ok && g->desired_capacity < g->min_size) {
        yerror(c, ymap_get(node, "desired_capacity"), &desired_path,
               "%d is less than min_size %d", g->desired_capacity, g->min_size);
        sizes_ok = false;
    } else if (sizes_ok && g->desired_capacity > g->max_size) {
        yerror(c, ymap_get(node, "desired_capacity"), &desired_path,
               "%d is more than max_size %d", g->desired_capacity, g->max_size);
        sizes_ok = false;
    }
    ok = ok && sizes_ok;

    g->health_check_type = HEALTH_CHECK_EC2;
    const ynode *v;
    if ((v = ymap_get(node, "health_check_type")) != NULL) {
        ypath p = YPATH_KEY(path, "health_check_type");
        if (v->kind == YNODE_SCALAR && strcmp(v->text, "ELB") == 0)
            g->health_check_type = HEALTH_CHECK_ELB;
        else if (!(v->kind == YNODE_SCALAR && strcmp(v->text, "EC2") == 0)) {
            yerror(c, v, &p, "'%s' is not EC2 or ELB", v->kind == YNODE_SCALAR ? v->text : "?");
            ok = false;
        }
    }
    /* 300 s: the console default (REFERENCES.md, Detection) */
    g->health_check_grace_period_s = 300.0;
    if ((v = ymap_get(node, "health_check_grace_period")) != NULL) {
        ypath p = YPATH_KEY(path, "health_check_grace_period");
        ok = yget_duration(c, v, &p, &g->health_check_grace_period_s) && ok;
    }
    /* EC2 status checks run every minute and need two failures: an
     * assumption stated in docs/models.md */
    g->ec2_status_check = (dist){.kind = DIST_UNIFORM, .p1 = 60.0, .p2 = 120.0};
    ok = parse_group_dist(c, node, path, "ec2_status_check", false, &g->ec2_status_check) && ok;
    /* no AWS figure for launch to InService (REFERENCES.md): an assumption */
    g->launch_time = (dist){.kind = DIST_LOGNORMAL, .p1 = 90.0, .p2 = 0.4};
    ok = parse_group_dist(c, node, path, "launch_time", false, &g->launch_time) && ok;
    ok = parse_group_dist(c, node, path, "instance_fail", true, &g->instance_fail) && ok;
    if ((v = ymap_get(node, "instance_type")) != NULL) {
        ypath p = YPATH_KEY(path, "instance_type");
        ok = yget_string(c, v, &p, &g->instance_type) && ok;
    }
    g->capacity_per_instance = INFINITY;
    if ((v = ymap_get(node, "capacity_per_instance")) != NULL) {
        ypath p = YPATH_KEY(path, "capacity_per_instance");
        long long rps;
        if (yget_integer(c, v, &p, 1, 1000000000LL, &rps))
            g->capacity_per_instance = (double)rps;
        else
            ok = false;
    }
    /* no AWS figure for an instance's own response time: an assumption */
    g->response_time_s = 0.020;
    if ((v = ymap_get(node, "response_time")) != NULL) {
        ypath p = YPATH_KEY(path, "response_time");
        ok = yget_duration(c, v, &p, &g->response_time_s) && ok;
    }
    if ((v = ymap_get(node, "tags")) != NULL) {
        ypath p = YPATH_KEY(path, "tags");
        ok = tags_parse(c, v, &p, &g->tags) && ok;
    }
    return parse_policies(c, node, path, g) && ok;
}

int groups_parse(scenario *sc, yctx *c, const ynode *node, const ypath *path)
{
    if (!yexpect_sequence(c, node, path))
        return -1;
    dr_config *dr = &sc->dr;
    dr->groups = calloc(node->n ? node->n : 1, sizeof *dr->groups);
    if (dr->groups == NULL)
        return -1;
    sc->has_dr = true;
    int result = 0;
    for (size_t i = 0; i < node->n; i++) {
        ypath item = YPATH_INDEX(path, i);
        asg_config *g = &dr->groups[dr->n_groups];
        if (!parse_group(sc, c, node->items[i], &item, g))
            result = -1;
        dr->n_groups++;
    }
    if (!model_check_unique_names(c, node, path, "Auto Scaling group"))
        result = -1;
    return result;
}

/* ---- runtime ---------------------------------------------------------------------------- */

typedef enum slot_state { SLOT_EMPTY, SLOT_LAUNCHING, SLOT_RUNNING, SLOT_DRAINING } slot_state;

typedef struct instance {
    slot_state state;
    int zone;
    bool failed;          /* its own failure */
    bool alive;           /* running, not failed, zone and region up */
    bool lb_healthy;      /* the load balancer's view */
    bool new_target;      /* registered and never healthy yet: one check will do */
    bool terminated;      /* injected: gone for good (failed too) */
    bool stopped;         /* injected: down until started (failed too) */
    double capacity_factor;   /* injected stress: the share of its capacity it serves */
    double added_latency_s;   /* injected stress: added to each response */
    double started_s;     /* running since (the grace period counts from here) */
    double warm_from_s;   /* its metrics count for target tracking from here */
    double phase_s;       /* its health checks' phase */
    des_event_id life_event;    /* launch completion or failure */
    des_event_id health_event;  /* the load balancer's next verdict */
    des_event_id asg_event;     /* the group's next health decision */
    des_event_id status_event;  /* EC2 status check of a stopped or terminated instance */
    gsl_rng *fail_rng, *launch_rng, *phase_rng;
} instance;

typedef struct asg_state {
    instance *slots;      /* 2 × max_size: draining instances keep theirs */
    int n_slots;
    int n_used;           /* slots n_used.. have been empty all trial */
    int desired;
    /* target tracking */
    des_event_id scaling_event;  /* the next evaluation, or 0 while the group is settled */
    double last_evaluation_s;
    double last_scale_out_s;     /* -inf before the first */
    double last_activity_s;      /* the last change of desired (scaling or a runbook) */
} asg_state;

typedef struct web_state {
    asg_state *groups;
} web_state;

static web_state *state_of(trial_world *w)
{
    return *model_state_slot(w, web_init);
}

#define SLOT_OBJECT(g, i) ((void *)(intptr_t)(((g) << 16) | (i)))
#define SLOT_GROUP(object) ((int)((intptr_t)(object) >> 16))
#define SLOT_INDEX(object) ((int)((intptr_t)(object)&0xffff))

int web_init(trial_world *w)
{
    const dr_config *dr = &w->sc->dr;
    if (dr->n_groups == 0)
        return 0;
    web_state *s = calloc(1, sizeof *s);
    if (s == NULL)
        return -1;
    *model_state_slot(w, web_init) = s;
    s->groups = calloc(dr->n_groups, sizeof *s->groups);
    if (s->groups == NULL)
        return -1;
    for (size_t g = 0; g < dr->n_groups; g++) {
        asg_state *gs = &s->groups[g];
        gs->n_slots = 2 * (dr->groups[g].max_size > 0 ? dr->groups[g].max_size : 1);
        gs->slots = calloc((size_t)gs->n_slots, sizeof *gs->slots);
        if (gs->slots == NULL)
            return -1;
        for (int i = 0; i < gs->n_slots; i++) {
            instance *inst = &gs->slots[i];
            inst->fail_rng = rng_stream_create();
            inst->launch_rng = rng_stream_create();
            inst->phase_rng = rng_stream_create();
            if (!inst->fail_rng || !inst->launch_rng || !inst->phase_rng)
                return -1;
        }
    }
    return 0;
}

void web_destroy(trial_world *w)
{
    web_state *s = state_of(w);
    if (s == NULL)
        return;
    for (size_t g = 0; s->groups != NULL && g < w->sc->dr.n_groups; g++) {
        for (int i = 0; s->groups[g].slots != NULL && i < s->groups[g].n_slots; i++) {
            gsl_rng_free(s->groups[g].slots[i].fail_rng);
            gsl_rng_free(s->groups[g].slots[i].launch_rng);
            gsl_rng_free(s->groups[g].slots[i].phase_rng);
        }
        free(s->groups[g].slots);
    }
    free(s->groups);
    free(s);
}

static void cancel(trial_world *w, des_event_id *id)
{
    if (*id != 0)
        des_cancel(w->sim, *id);
    *id = 0;
}

static bool zone_usable(const trial_world *w, int zone)
{
    int region = w->sc->domains[zone].parent;
    return w->domains[zone].up && (region < 0 || w->domains[region].up);
}

static void on_failed(des_sim *sim, void *subject, void *object);
static void on_launched(des_sim *sim, void *subject, void *object);
static void on_lb_verdict(des_sim *sim, void *subject, void *object);
static void on_asg_check(des_sim *sim, void *subject, void *object);
static void on_drained(des_sim *sim, void *subject, void *object);
static void on_status_check(des_sim *sim, void *subject, void *object);

/* "web-east/2": an instance slot as an event's target, formatted only
 * when someone listens (the trace or an observer); "" otherwise. */
#define SLOT_NAME_SIZE 96
static const char *slot_name(const trial_world *w, int g, int i, char *buf)
{
    buf[0] = '\0';
    if (w->trace != NULL || w->observer.event != NULL)
        snprintf(buf, SLOT_NAME_SIZE, "%s/%d", w->sc->dr.groups[g].name, i);
    return buf;
}

/* A running instance that EC2 itself no longer reports running (stopped
 * or terminated by an experiment): the group's EC2 status check sees it
 * whatever its health_check_type. */
static bool ec2_not_running(const instance *inst)
{
    return inst->stopped || inst->terminated;
}

static void schedule_status_check(trial_world *w, int g, int i)
{
    const asg_config *cfg = &w->sc->dr.groups[g];
    instance *inst = &state_of(w)->groups[g].slots[i];
    cancel(w, &inst->status_event);
    if (inst->state == SLOT_RUNNING && ec2_not_running(inst) &&
        w->domains[w->sc->dr.balancers[cfg->balancer].region].up) {
        double delay_s = dist_sample(&cfg->ec2_status_check, inst->launch_rng);
        inst->status_event = des_schedule(w->sim, des_now(w->sim) + delay_s, PRIORITY_RECOVERY,
                                          on_status_check, w, SLOT_OBJECT(g, i));
    }
}

static void schedule_failure(trial_world *w, int g, int i)
{
    if (!world_background_failures(w))
        return;
    instance *inst = &state_of(w)->groups[g].slots[i];
    double gap_s = dist_sample(&w->sc->dr.groups[g].instance_fail, inst->fail_rng);
    inst->life_event = des_schedule(w->sim, des_now(w->sim) + gap_s, PRIORITY_FAILURE, on_failed,
                                    w, SLOT_OBJECT(g, i));
}

/* The load balancer's checks and the group's health decision follow the
 * instance's liveness: schedule what they will conclude, cancel what they
 * no longer will. */
static void health_follows(trial_world *w, int g, int i)
{
    const asg_config *cfg = &w->sc->dr.groups[g];
    const lb_config *lb = &w->sc->dr.balancers[cfg->balancer];
    instance *inst = &state_of(w)->groups[g].slots[i];
    double now_s = des_now(w->sim);
    cancel(w, &inst->health_event);
    if (inst->state == SLOT_RUNNING && w->domains[lb->region].up && inst->alive != inst->lb_healthy) {
        /* a new target passes after one check (ALB, REFERENCES.md) */
        healthcheck check = lb->check;
        if (inst->new_target)
            check.healthy_threshold = 1;
        double at_s = inst->alive ? healthcheck_healthy_at(&check, inst->phase_s, now_s)
                                  : healthcheck_unhealthy_at(&check, inst->phase_s, now_s);
        inst->health_event =
            des_schedule(w->sim, at_s, PRIORITY_RECOVERY, on_lb_verdict, w, SLOT_OBJECT(g, i));
    }
    if (cfg->health_check_type == HEALTH_CHECK_EC2) {
        cancel(w, &inst->asg_event);
        if (inst->state == SLOT_RUNNING && !inst->alive && w->domains[lb->region].up) {
            double delay_s = dist_sample(&cfg->ec2_status_check, inst->launch_rng);
            inst->asg_event = des_schedule(w->sim, now_s + delay_s, PRIORITY_RECOVERY,
                                           on_asg_check, w, SLOT_OBJECT(g, i));
        }
    } else if (ec2_not_running(inst) || inst->status_event != 0) {
        schedule_status_check(w, g, i);
    }
}

static void refresh_alive(trial_world *w, int g, int i)
{
    instance *inst = &state_of(w)->groups[g].slots[i];
    bool alive = inst->state == SLOT_RUNNING && !inst->failed && zone_usable(w, inst->zone);
    if (alive == inst->alive)
        return;
    inst->alive = alive;
    health_follows(w, g, i);
}

/* The zone with the fewest active instances among the group's usable
 * zones, or -1 when none is usable. */
static int pick_zone(trial_world *w, int g)
{
    const asg_config *cfg = &w->sc->dr.groups[g];
    asg_state *gs = &state_of(w)->groups[g];
    int best = -1, best_count = 0;
    for (size_t z = 0; z < cfg->n_zones; z++) {
        int zone = cfg->zones[z];
        if (!zone_usable(w, zone))
            continue;
        int count = 0;
        for (int i = 0; i < gs->n_used; i++)
            count += (gs->slots[i].state == SLOT_RUNNING || gs->slots[i].state == SLOT_LAUNCHING) &&
                     gs->slots[i].zone == zone;
        if (best < 0 || count < best_count) {
            best = zone;
            best_count = count;
        }
    }
    return best;
}

static void launch(trial_world *w, int g, int i, int zone)
{
    asg_state *gs = &state_of(w)->groups[g];
    instance *inst = &gs->slots[i];
    if (i + 1 > gs->n_used) /* loops over slots stop at the last one ever used */
        gs->n_used = i + 1;
    inst->state = SLOT_LAUNCHING;
    inst->zone = zone;
    inst->failed = false;
    inst->alive = false;
    inst->lb_healthy = false;
    inst->new_target = true;
    inst->terminated = inst->stopped = false;
    inst->capacity_factor = 1.0; /* a new instance is unstressed */
    inst->added_latency_s = 0.0;
    double launch_s = dist_sample(&w->sc->dr.groups[g].launch_time, inst->launch_rng);
    if (w->trace != NULL || w->observer.event != NULL) {
        char takes[32], name[SLOT_NAME_SIZE];
        world_event(w, EVENT_REPAIR, slot_name(w, g, i, name),
                    "Auto Scaling group %s launches %s/%d in %s (%s)", w->sc->dr.groups[g].name,
                    w->sc->dr.groups[g].name, i, w->sc->domains[zone].name,
                    duration_format(launch_s, takes, sizeof takes));
    }
    inst->life_event = des_schedule(w->sim, des_now(w->sim) + launch_s, PRIORITY_RECOVERY,
                                    on_launched, w, SLOT_OBJECT(g, i));
}

static void drain(trial_world *w, int g, int i)
{
    instance *inst = &state_of(w)->groups[g].slots[i];
    const lb_config *lb = &w->sc->dr.balancers[w->sc->dr.groups[g].balancer];
    cancel(w, &inst->life_event);
    cancel(w, &inst->health_event);
    cancel(w, &inst->asg_event);
    cancel(w, &inst->status_event);
    inst->state = SLOT_DRAINING;
    inst->alive = false;
    inst->lb_healthy = false;
    des_schedule(w->sim, des_now(w->sim) + lb->deregistration_delay_s, PRIORITY_RECOVERY,
                 on_drained, w, SLOT_OBJECT(g, i));
}

static int zone_count(const asg_state *gs, int zone)
{
    int count = 0;
    for (int i = 0; i < gs->n_used; i++)
        count += (gs->slots[i].state == SLOT_RUNNING || gs->slots[i].state == SLOT_LAUNCHING) &&
                 gs->slots[i].zone == zone;
    return count;
}

/* The running instance to terminate: in the zone with the most instances
 * (the default termination policy balances zones first), the newest there. */
static int pick_victim(trial_world *w, int g)
{
    const asg_config *cfg = &w->sc->dr.groups[g];
    asg_state *gs = &state_of(w)->groups[g];
    int best_zone = -1, best_count = -1;
    for (size_t z = 0; z < cfg->n_zones; z++) {
        int count = zone_count(gs, cfg->zones[z]);
        if (count > best_count) {
            best_count = count;
            best_zone = cfg->zones[z];
        }
    }
    for (int i = gs->n_slots - 1; i >= 0; i--)
        if (gs->slots[i].state == SLOT_RUNNING && gs->slots[i].zone == best_zone)
            return i;
    for (int i = gs->n_slots - 1; i >= 0; i--)
        if (gs->slots[i].state == SLOT_RUNNING)
            return i;
    return -1;
}

/* Zones out of balance by two or more, among those usable now. */
static bool unbalanced(trial_world *w, int g)
{
    const asg_config *cfg = &w->sc->dr.groups[g];
    asg_state *gs = &state_of(w)->groups[g];
    int least = -1, most = -1;
    for (size_t z = 0; z < cfg->n_zones; z++) {
        if (!zone_usable(w, cfg->zones[z]))
            continue;
        int count = zone_count(gs, cfg->zones[z]);
        if (least < 0 || count < least)
            least = count;
        if (count > most)
            most = count;
    }
    return least >= 0 && most - least >= 2;
}

static int free_slot(const asg_state *gs)
{
    for (int i = 0; i < gs->n_slots; i++)
        if (gs->slots[i].state == SLOT_EMPTY)
            return i;
    return -1;
}

/* Launch or terminate until the running instances match the desired
 * capacity; launches wait while no zone of the group is usable.  With the
 * count right but the zones out of balance, launch one more where it is
 * emptiest: once it runs, the surplus is terminated where it is fullest. */
static void reconcile(trial_world *w, int g)
{
    asg_state *gs = &state_of(w)->groups[g];
    int running = 0, launching = 0;
    for (int i = 0; i < gs->n_used; i++) {
        running += gs->slots[i].state == SLOT_RUNNING;
        launching += gs->slots[i].state == SLOT_LAUNCHING;
    }
    while (running + launching < gs->desired) {
        int slot = free_slot(gs), zone = pick_zone(w, g);
        if (slot < 0 || zone < 0)
            return;
        launch(w, g, slot, zone);
        launching++;
    }
    while (running > gs->desired) {
        int victim = pick_victim(w, g);
        if (victim < 0)
            break;
        drain(w, g, victim);
        running--;
    }
    if (launching == 0 && running == gs->desired && gs->desired > 0 && unbalanced(w, g)) {
        int slot = free_slot(gs), zone = pick_zone(w, g);
        if (slot >= 0 && zone >= 0)
            launch(w, g, slot, zone);
    }
}

static void on_launched(des_sim *sim, void *subject, void *object)
{
    trial_world *w = subject;
    int g = SLOT_GROUP(object), i = SLOT_INDEX(object);
    instance *inst = &state_of(w)->groups[g].slots[i];
    inst->life_event = 0;
    if (!zone_usable(w, inst->zone)) { /* its zone went down while it launched */
        inst->state = SLOT_EMPTY;
        reconcile(w, g);
        world_dr_update(w);
        return;
    }
    inst->state = SLOT_RUNNING;
    inst->started_s = des_now(sim);
    inst->warm_from_s = inst->started_s + w->sc->dr.groups[g].instance_warmup_s;
    char name[SLOT_NAME_SIZE];
    world_event(w, EVENT_RECOVER, slot_name(w, g, i, name),
                "instance %s/%d is running in %s; its first health check is due",
                w->sc->dr.groups[g].name, i, w->sc->domains[inst->zone].name);
    inst->phase_s = gsl_rng_uniform(inst->phase_rng) *
                    w->sc->dr.balancers[w->sc->dr.groups[g].balancer].check.interval_s;
    schedule_failure(w, g, i);
    refresh_alive(w, g, i);
    world_dr_update(w);
}

static void on_failed(des_sim *sim, void *subject, void *object)
{
    (void)sim;
    trial_world *w = subject;
    int g = SLOT_GROUP(object), i = SLOT_INDEX(object);
    instance *inst = &state_of(w)->groups[g].slots[i];
    inst->life_event = 0;
    inst->failed = true;
    w->result->component_failures++;
    w->cause = (world_cause){CAUSE_INSTANCE, g, i};
    char name[SLOT_NAME_SIZE];
    world_event(w, EVENT_FAIL, slot_name(w, g, i, name), "instance %s/%d (%s) fails",
                w->sc->dr.groups[g].name, i, w->sc->domains[inst->zone].name);
    refresh_alive(w, g, i);
    world_dr_update(w);
}

static void replace(trial_world *w, int g, int i)
{
    char name[SLOT_NAME_SIZE];
    world_event(w, EVENT_DETECT, slot_name(w, g, i, name), "Auto Scaling group %s replaces %s/%d",
                w->sc->dr.groups[g].name, w->sc->dr.groups[g].name, i);
    drain(w, g, i);
    reconcile(w, g);
}

static void on_lb_verdict(des_sim *sim, void *subject, void *object)
{
    trial_world *w = subject;
    int g = SLOT_GROUP(object), i = SLOT_INDEX(object);
    const asg_config *cfg = &w->sc->dr.groups[g];
    instance *inst = &state_of(w)->groups[g].slots[i];
    inst->health_event = 0;
    inst->lb_healthy = inst->alive;
    if (w->trace != NULL || w->observer.event != NULL) {
        const healthcheck *hc = &w->sc->dr.balancers[cfg->balancer].check;
        int checks = inst->lb_healthy ? (inst->new_target ? 1 : hc->healthy_threshold)
                                      : hc->unhealthy_threshold;
        char name[SLOT_NAME_SIZE];
        world_event(w, inst->lb_healthy ? EVENT_RECOVER : EVENT_DETECT, slot_name(w, g, i, name),
                    "load balancer %s marks %s/%d (%s) %s after %d %s check%s",
                    w->sc->dr.balancers[cfg->balancer].name, cfg->name, i,
                    w->sc->domains[inst->zone].name, inst->lb_healthy ? "healthy" : "unhealthy",
                    checks, inst->lb_healthy ? "passing" : "failed", checks == 1 ? "" : "s");
    }
    if (inst->lb_healthy)
        inst->new_target = false;
    if (!inst->lb_healthy && cfg->health_check_type == HEALTH_CHECK_ELB) {
        double grace_end_s = inst->started_s + cfg->health_check_grace_period_s;
        if (des_now(sim) >= grace_end_s)
            replace(w, g, i);
        else /* the group ignores health inside the grace period */
            inst->asg_event = des_schedule(sim, grace_end_s, PRIORITY_RECOVERY, on_asg_check, w,
                                           object);
    }
    world_dr_update(w);
}

static void on_asg_check(des_sim *sim, void *subject, void *object)
{
    (void)sim;
    trial_world *w = subject;
    int g = SLOT_GROUP(object), i = SLOT_INDEX(object);
    const asg_config *cfg = &w->sc->dr.groups[g];
    instance *inst = &state_of(w)->groups[g].slots[i];
    inst->asg_event = 0;
    bool unhealthy = cfg->health_check_type == HEALTH_CHECK_ELB ? !inst->lb_healthy : !inst->alive;
    if (inst->state == SLOT_RUNNING && unhealthy) {
        replace(w, g, i);
        world_dr_update(w);
    }
}

/* EC2 reports the instance stopped or terminated: the group replaces it. */
static void on_status_check(des_sim *sim, void *subject, void *object)
{
    (void)sim;
    trial_world *w = subject;
    int g = SLOT_GROUP(object), i = SLOT_INDEX(object);
    instance *inst = &state_of(w)->groups[g].slots[i];
    inst->status_event = 0;
    if (inst->state == SLOT_RUNNING && ec2_not_running(inst)) {
        replace(w, g, i);
        world_dr_update(w);
    }
}

static void on_drained(des_sim *sim, void *subject, void *object)
{
    (void)sim;
    trial_world *w = subject;
    int g = SLOT_GROUP(object), i = SLOT_INDEX(object);
    state_of(w)->groups[g].slots[i].state = SLOT_EMPTY;
    reconcile(w, g);
    world_dr_update(w);
}

void web_start(trial_world *w)
{
    web_state *s = state_of(w);
    if (s == NULL)
        return;
    const dr_config *dr = &w->sc->dr;
    for (size_t g = 0; g < dr->n_groups; g++) {
        const asg_config *cfg = &dr->groups[g];
        asg_state *gs = &s->groups[g];
        gs->desired = cfg->desired_capacity;
        gs->n_used = cfg->desired_capacity < gs->n_slots ? cfg->desired_capacity : gs->n_slots;
        gs->scaling_event = 0;
        gs->last_evaluation_s = 0.0;
        gs->last_scale_out_s = gs->last_activity_s = -INFINITY;
        for (int i = 0; i < gs->n_slots; i++) {
            instance *inst = &gs->slots[i];
            char name[128];
            snprintf(name, sizeof name, "%s/%d", cfg->name, i);
            uint64_t hash = rng_name_hash(name);
            rng_stream_set(inst->fail_rng, w->seed, w->trial, hash, RNG_PURPOSE_FAIL);
            rng_stream_set(inst->launch_rng, w->seed, w->trial, hash, PURPOSE_LAUNCH);
            rng_stream_set(inst->phase_rng, w->seed, w->trial, hash, PURPOSE_PHASE);
            inst->life_event = inst->health_event = inst->asg_event = inst->status_event = 0;
            inst->state = SLOT_EMPTY;
            inst->terminated = inst->stopped = false;
            inst->capacity_factor = 1.0;
            inst->added_latency_s = 0.0;
            if (i >= cfg->desired_capacity)
                continue;
            /* at t = 0 everything is up: running, healthy, past its grace,
             * spread round-robin over the zones as the group balances them */
            inst->state = SLOT_RUNNING;
            inst->zone = cfg->zones[(size_t)i % cfg->n_zones];
            inst->failed = false;
            inst->alive = true;
            inst->lb_healthy = true;
            inst->started_s = -cfg->health_check_grace_period_s;
            inst->warm_from_s = -INFINITY;
            inst->phase_s = gsl_rng_uniform(inst->phase_rng) *
                            dr->balancers[cfg->balancer].check.interval_s;
            schedule_failure(w, (int)g, i);
        }
    }
}

void web_domain_changed(trial_world *w, int changed)
{
    web_state *s = state_of(w);
    if (s == NULL)
        return;
    const dr_config *dr = &w->sc->dr;
    for (size_t g = 0; g < dr->n_groups; g++) {
        asg_state *gs = &s->groups[g];
        bool region_changed = dr->groups[g].region == changed;
        for (int i = 0; i < gs->n_slots; i++) {
            if (gs->slots[i].state == SLOT_EMPTY || gs->slots[i].state == SLOT_DRAINING)
                continue;
            if (region_changed || gs->slots[i].zone == changed) {
                refresh_alive(w, (int)g, i);
                if (region_changed) /* the load balancer is back, or gone */
                    health_follows(w, (int)g, i);
            }
        }
        reconcile(w, (int)g); /* launches that waited for a usable zone */
    }
}

static int clamp_size(const asg_config *cfg, int desired)
{
    if (desired < cfg->min_size)
        desired = cfg->min_size;
    if (desired > cfg->max_size)
        desired = cfg->max_size;
    return desired;
}

void web_set_desired_capacity(trial_world *w, int g, int desired)
{
    web_state *s = state_of(w);
    if (s == NULL)
        return;
    const asg_config *cfg = &w->sc->dr.groups[g];
    desired = clamp_size(cfg, desired);
    s->groups[g].desired = desired;
    s->groups[g].last_activity_s = des_now(w->sim);
    world_event(w, EVENT_FAILOVER, cfg->name, "desired capacity of %s set to %d", cfg->name,
                desired);
    reconcile(w, g);
}

int web_desired_capacity(trial_world *w, int g)
{
    web_state *s = state_of(w);
    if (s == NULL || g < 0 || (size_t)g >= w->sc->dr.n_groups)
        return -1;
    return s->groups[g].desired;
}

/* How balancer b spreads the requests routed to it now: over the targets
 * it believes healthy, or over every registered one when it believes none
 * is (ALB fails open). */
typedef struct balancer_split {
    bool fail_open;
    int targets;
    double demand_rps;
} balancer_split;

static balancer_split split_of(trial_world *w, const web_state *s, size_t b)
{
    const dr_config *dr = &w->sc->dr;
    int believed = 0, registered = 0;
    for (size_t g = 0; g < dr->n_groups; g++) {
        if (dr->groups[g].balancer != (int)b)
            continue;
        const asg_state *gs = &s->groups[g];
        for (int i = 0; i < gs->n_used; i++) {
            registered += gs->slots[i].state == SLOT_RUNNING;
            believed += gs->slots[i].state == SLOT_RUNNING && gs->slots[i].lb_healthy;
        }
    }
    bool fail_open = believed == 0; /* ALB routes to all when none look healthy */
    return (balancer_split){fail_open, fail_open ? registered : believed,
                            world_demand_rps(w) * w->route_share[dr->balancers[b].region]};
}

/* Whether the instance gets requests and answers them. */
static bool serving(const instance *inst, const balancer_split *split)
{
    return inst->state == SLOT_RUNNING && inst->alive && (split->fail_open || inst->lb_healthy);
}

/* What a serving instance of group g answers, in requests per second: its
 * share, up to its (possibly stressed) capacity. */
static double served_rps(const asg_config *cfg, const instance *inst, const balancer_split *split)
{
    double share = split->demand_rps / split->targets;
    double capacity = cfg->capacity_per_instance * inst->capacity_factor;
    return share < capacity ? share : capacity;
}

/* ---- target tracking --------------------------------------------------------------------- */

#define SCALING_PERIOD_S 60.0                 /* the metrics' period: one evaluation a minute */
#define PRIORITY_SCALING (PRIORITY_FAILURE + 1) /* after the instant's demand changes and failures */

static void on_scaling(des_sim *sim, void *subject, void *object);

/* The next evaluation of group g: the first whole minute of simulated
 * time that is not before now and after the last evaluation. */
static void schedule_scaling(trial_world *w, int g)
{
    asg_state *gs = &state_of(w)->groups[g];
    double k = ceil(des_now(w->sim) / SCALING_PERIOD_S);
    double after_last = round(gs->last_evaluation_s / SCALING_PERIOD_S) + 1.0;
    if (k < after_last)
        k = after_last;
    double at_s = k * SCALING_PERIOD_S;
    if (at_s < w->horizon_s)
        gs->scaling_event = des_schedule(w->sim, at_s, PRIORITY_SCALING, on_scaling, w,
                                         SLOT_OBJECT(g, 0));
}

/* What group g's policies measure now, over its counted instances:
 * running, alive (a dead instance sends no metrics) and warmed up. */
typedef struct group_metrics {
    int counted;
    double cpu_sum;        /* percent, per instance: served ÷ capacity, 100 when overloaded */
    double requests_sum;   /* requests a minute each receives from the load balancer */
    bool settling;         /* an instance is launching or warming up */
} group_metrics;

static group_metrics measure(trial_world *w, int g, double now_s)
{
    web_state *s = state_of(w);
    const asg_config *cfg = &w->sc->dr.groups[g];
    const asg_state *gs = &s->groups[g];
    balancer_split split = split_of(w, s, (size_t)cfg->balancer);
    group_metrics m = {0, 0.0, 0.0, false};
    for (int i = 0; i < gs->n_slots; i++) {
        const instance *inst = &gs->slots[i];
        if (inst->state == SLOT_LAUNCHING)
            m.settling = true;
        if (inst->state != SLOT_RUNNING)
            continue;
        if (now_s < inst->warm_from_s) {
            m.settling = true;
            continue;
        }
        if (!inst->alive)
            continue;
        double received = serving(inst, &split) ? split.demand_rps / split.targets : 0.0;
        double capacity = cfg->capacity_per_instance * inst->capacity_factor;
        m.cpu_sum += received >= capacity ? 100.0 : 100.0 * received / capacity;
        m.requests_sum += SCALING_PERIOD_S * received;
        m.counted++;
    }
    return m;
}

/* AWS target tracking: desired = ⌈N × metric / target⌉ = ⌈Σ metric / target⌉
 * over the N counted instances, to within 1e-9 so that the rounding of an
 * exact ratio adds no instance; clamped to [min_size, max_size]. */
static int proposal_of(const asg_config *cfg, const scaling_policy *p, const group_metrics *m)
{
    double sum = p->metric == SCALING_CPU ? m->cpu_sum : m->requests_sum;
    double x = ceil(sum / p->target - 1e-9);
    if (x > cfg->max_size)
        return cfg->max_size;
    return clamp_size(cfg, x < 0.0 ? 0 : (int)x);
}

/* 88.9, 100, 1895, 30000: `digits` significant digits below 100 (at
 * least), whole numbers above. */
static const char *format_count_digits(double x, int digits, char buf[32])
{
    if (x >= 100.0 && x < 1e15 && digits <= 3)
        snprintf(buf, 32, "%.0f", x);
    else if (x >= 100.0 && x < 1e15)
        snprintf(buf, 32, "%.*f", digits - 3, x);
    else
        snprintf(buf, 32, "%.*g", digits, x);
    return buf;
}

static const char *format_count(double x, char buf[32])
{
    return format_count_digits(x, 3, buf);
}

static void narrate_scaling(trial_world *w, int g, const scaling_policy *p, const group_metrics *m,
                            int from, int to)
{
    if (w->trace == NULL && w->observer.event == NULL)
        return;
    const asg_config *cfg = &w->sc->dr.groups[g];
    const char *cmp = to > from ? ">" : "<";
    char value[32], target[32];
    double x = (p->metric == SCALING_CPU ? m->cpu_sum : m->requests_sum) / m->counted;
    format_count(p->target, target);
    /* more digits where the first ones would read as the target itself */
    for (int digits = 3; digits <= 9; digits++)
        if (strcmp(format_count_digits(x, digits, value), target) != 0)
            break;
    if (p->metric == SCALING_CPU)
        world_event(w, EVENT_SCALE, cfg->name,
                    "target tracking %s: CPU %s%% %s %s%% → desired %d → %d", p->name, value, cmp,
                    target, from, to);
    else
        world_event(w, EVENT_SCALE, cfg->name,
                    "target tracking %s: %s requests per target a minute %s %s → desired %d → %d",
                    p->name, value, cmp, target, from, to);
}

/* One evaluation of group g's policies.  Scale out when any policy's
 * proposal is above the desired capacity (the largest such proposal among
 * the policies whose scale-out cooldown has passed); scale in only when
 * every policy's is below it, to the largest, once every policy's
 * scale-in cooldown has passed and no instance is launching or warming
 * up.  Returns whether to evaluate again in a minute: after a change, or
 * while a change waits for a cooldown or for instances to warm up.
 * Otherwise the group is settled: nothing but a change of what it
 * measures can alter the outcome, so only such a change (web_update)
 * schedules the next evaluation, at the whole minute an evaluation every
 * minute would have seen it. */
static bool evaluate(trial_world *w, int g, double now_s, bool *changed)
{
    const asg_config *cfg = &w->sc->dr.groups[g];
    asg_state *gs = &state_of(w)->groups[g];
    *changed = false;
    if (!w->domains[cfg->region].up)
        return false; /* Auto Scaling is down with its region; its return is a change */
    group_metrics m = measure(w, g, now_s);
    if (m.counted == 0)
        return m.settling; /* no data: no policy acts */
    int current = gs->desired;
    int out = -1, in = -1;
    const scaling_policy *out_policy = NULL, *in_policy = NULL;
    bool all_in = true, waiting = false;
    for (size_t k = 0; k < cfg->n_policies; k++) {
        const scaling_policy *p = &cfg->policies[k];
        int proposal = proposal_of(cfg, p, &m);
        if (proposal > current) {
            all_in = false;
            if (now_s >= gs->last_scale_out_s + p->scale_out_cooldown_s) {
                if (proposal > out) {
                    out = proposal;
                    out_policy = p;
                }
            } else {
                waiting = true;
            }
        } else if (proposal < current) {
            if (now_s < gs->last_activity_s + p->scale_in_cooldown_s)
                waiting = true;
            if (proposal > in) {
                in = proposal;
                in_policy = p;
            }
        } else {
            all_in = false;
        }
    }
    int to = current;
    const scaling_policy *by = NULL;
    if (out_policy != NULL) {
        to = out;
        by = out_policy;
        gs->last_scale_out_s = now_s;
    } else if (all_in && in_policy != NULL) {
        if (waiting || m.settling)
            return true;
        to = in;
        by = in_policy;
    }
    if (by == NULL)
        return waiting || m.settling;
    gs->last_activity_s = now_s;
    narrate_scaling(w, g, by, &m, current, to);
    gs->desired = to;
    reconcile(w, g);
    *changed = true;
    return true;
}

static void on_scaling(des_sim *sim, void *subject, void *object)
{
    trial_world *w = subject;
    int g = SLOT_GROUP(object);
    asg_state *gs = &state_of(w)->groups[g];
    double now_s = des_now(sim);
    gs->scaling_event = 0;
    gs->last_evaluation_s = now_s;
    bool changed;
    if (evaluate(w, g, now_s, &changed))
        schedule_scaling(w, g);
    if (changed)
        world_dr_update(w);
}

/* What each region's load balancer serves of the requests routed to it;
 * and a settled group with scaling policies looks again at the next
 * evaluation, since what it measures may have changed. */
void web_update(trial_world *w)
{
    web_state *s = state_of(w);
    if (s == NULL)
        return;
    const dr_config *dr = &w->sc->dr;
    for (size_t g = 0; g < dr->n_groups; g++)
        if (dr->groups[g].n_policies > 0 && s->groups[g].scaling_event == 0)
            schedule_scaling(w, (int)g);
    for (size_t b = 0; b < dr->n_balancers; b++) {
        int region = dr->balancers[b].region;
        balancer_split split = split_of(w, s, b);
        double demand = split.demand_rps;
        double served = 0.0;
        bool live = false;
        for (size_t g = 0; g < dr->n_groups; g++) {
            if (dr->groups[g].balancer != (int)b)
                continue;
            asg_state *gs = &s->groups[g];
            for (int i = 0; i < gs->n_used; i++) {
                const instance *inst = &gs->slots[i];
                if (!serving(inst, &split))
                    continue;
                live = true;
                served += served_rps(&dr->groups[g], inst, &split);
            }
        }
        live = live && w->domains[region].up;
        w->region_has_live_target[region] = live;
        if (demand > 0.0)
            w->region_served[region] = live ? served / demand : 0.0;
        else
            w->region_served[region] = live ? 1.0 : 0.0;
    }
}

/* ---- fault injection and metrics -------------------------------------------------------- */

/* Slot i of group g, or NULL when there is no such slot. */
static instance *slot_of(trial_world *w, int g, int i)
{
    web_state *s = state_of(w);
    if (s == NULL || g < 0 || (size_t)g >= w->sc->dr.n_groups || i < 0 ||
        i >= s->groups[g].n_slots)
        return NULL;
    return &s->groups[g].slots[i];
}

int web_slot_count(trial_world *w, int g)
{
    web_state *s = state_of(w);
    if (s == NULL || g < 0 || (size_t)g >= w->sc->dr.n_groups)
        return 0;
    return s->groups[g].n_slots;
}

int web_running_zone(trial_world *w, int g, int i)
{
    const instance *inst = slot_of(w, g, i);
    if (inst == NULL || inst->state != SLOT_RUNNING || ec2_not_running(inst))
        return -1;
    return inst->zone;
}

/* A running instance goes down by an experiment's hand: it fails, counts
 * as a failure (once: terminating a stopped instance is not a second),
 * and its own failure process ends. */
static void take_down(trial_world *w, int g, int i, bool was_stopped)
{
    instance *inst = &state_of(w)->groups[g].slots[i];
    cancel(w, &inst->life_event);
    inst->failed = true;
    if (!was_stopped)
        w->result->component_failures++;
    w->cause = (world_cause){CAUSE_INSTANCE, g, i};
    bool was_alive = inst->alive;
    refresh_alive(w, g, i);
    /* already dead (its zone down, or failed): the checks that follow its
     * liveness are under way; EC2's status check is new */
    if (!was_alive && w->sc->dr.groups[g].health_check_type == HEALTH_CHECK_ELB &&
        inst->status_event == 0)
        schedule_status_check(w, g, i);
    world_dr_update(w);
}

bool web_inject_terminate(trial_world *w, int g, int i)
{
    instance *inst = slot_of(w, g, i);
    if (inst == NULL || inst->state != SLOT_RUNNING || inst->terminated)
        return false;
    bool was_stopped = inst->stopped;
    inst->terminated = true;
    inst->stopped = false;
    char name[SLOT_NAME_SIZE];
    world_event(w, EVENT_INJECT, slot_name(w, g, i, name), "instance %s/%d (%s) is terminated",
                w->sc->dr.groups[g].name, i, w->sc->domains[inst->zone].name);
    take_down(w, g, i, was_stopped);
    return true;
}

bool web_inject_stop(trial_world *w, int g, int i)
{
    instance *inst = slot_of(w, g, i);
    if (inst == NULL || inst->state != SLOT_RUNNING || ec2_not_running(inst))
        return false;
    inst->stopped = true;
    char name[SLOT_NAME_SIZE];
    world_event(w, EVENT_INJECT, slot_name(w, g, i, name), "instance %s/%d (%s) is stopped",
                w->sc->dr.groups[g].name, i, w->sc->domains[inst->zone].name);
    take_down(w, g, i, false);
    return true;
}

bool web_inject_start(trial_world *w, int g, int i)
{
    instance *inst = slot_of(w, g, i);
    /* a stopped instance the group has replaced is draining, or its slot
     * holds another instance by now */
    if (inst == NULL || inst->state != SLOT_RUNNING || !inst->stopped)
        return false;
    inst->stopped = false;
    inst->failed = false;
    char name[SLOT_NAME_SIZE];
    world_event(w, EVENT_ROLLBACK, slot_name(w, g, i, name), "instance %s/%d (%s) is started again",
                w->sc->dr.groups[g].name, i, w->sc->domains[inst->zone].name);
    cancel(w, &inst->status_event);
    refresh_alive(w, g, i);
    schedule_failure(w, g, i);
    world_dr_update(w);
    return true;
}

bool web_inject_stress(trial_world *w, int g, int i, double capacity_factor,
                       double added_latency_s)
{
    instance *inst = slot_of(w, g, i);
    if (inst == NULL || inst->state != SLOT_RUNNING || ec2_not_running(inst) ||
        !(capacity_factor > 0.0 && capacity_factor <= 1.0) ||
        !(added_latency_s >= 0.0 && isfinite(added_latency_s)))
        return false;
    inst->capacity_factor = capacity_factor;
    inst->added_latency_s = added_latency_s;
    char name[SLOT_NAME_SIZE];
    if (capacity_factor == 1.0 && added_latency_s == 0.0) {
        world_event(w, EVENT_ROLLBACK, slot_name(w, g, i, name), "instance %s/%d is no longer stressed",
                    w->sc->dr.groups[g].name, i);
    } else if (w->trace != NULL || w->observer.event != NULL) {
        char what[96] = "", added[32];
        if (capacity_factor < 1.0)
            snprintf(what, sizeof what, "%.4g%% of its capacity", 100.0 * capacity_factor);
        if (added_latency_s > 0.0)
            snprintf(what + strlen(what), sizeof what - strlen(what), "%sresponses %s slower",
                     what[0] ? ", " : "", duration_format(added_latency_s, added, sizeof added));
        world_event(w, EVENT_INJECT, slot_name(w, g, i, name), "instance %s/%d is stressed: %s",
                    w->sc->dr.groups[g].name, i, what);
    }
    world_dr_update(w);
    return true;
}

double web_healthy_hosts(trial_world *w)
{
    web_state *s = state_of(w);
    if (s == NULL)
        return 0.0;
    const dr_config *dr = &w->sc->dr;
    int hosts = 0;
    for (size_t g = 0; g < dr->n_groups; g++) {
        if (!w->domains[dr->balancers[dr->groups[g].balancer].region].up)
            continue; /* the load balancer is down with its region */
        const asg_state *gs = &s->groups[g];
        for (int i = 0; i < gs->n_slots; i++)
            hosts += gs->slots[i].state == SLOT_RUNNING && gs->slots[i].lb_healthy;
    }
    return hosts;
}

double web_healthy_capacity_rps(trial_world *w)
{
    web_state *s = state_of(w);
    if (s == NULL)
        return 0.0;
    const dr_config *dr = &w->sc->dr;
    double capacity = 0.0;
    for (size_t g = 0; g < dr->n_groups; g++) {
        const asg_state *gs = &s->groups[g];
        for (int i = 0; i < gs->n_slots; i++) {
            const instance *inst = &gs->slots[i];
            if (inst->state == SLOT_RUNNING && inst->lb_healthy && inst->alive)
                capacity += dr->groups[g].capacity_per_instance * inst->capacity_factor;
        }
    }
    return capacity;
}

double web_latency_s(trial_world *w)
{
    web_state *s = state_of(w);
    if (s == NULL)
        return NAN;
    const dr_config *dr = &w->sc->dr;
    /* weighted by the requests each instance answers; with no demand
     * routed anywhere, each serving instance counts once */
    double weighted = 0.0, weight = 0.0, plain = 0.0;
    int serving_count = 0;
    for (size_t b = 0; b < dr->n_balancers; b++) {
        if (!w->domains[dr->balancers[b].region].up)
            continue;
        balancer_split split = split_of(w, s, b);
        for (size_t g = 0; g < dr->n_groups; g++) {
            if (dr->groups[g].balancer != (int)b)
                continue;
            const asg_state *gs = &s->groups[g];
            for (int i = 0; i < gs->n_slots; i++) {
                const instance *inst = &gs->slots[i];
                if (!serving(inst, &split))
                    continue;
                double latency_s = dr->groups[g].response_time_s + inst->added_latency_s;
                double rps = split.demand_rps > 0.0 ? served_rps(&dr->groups[g], inst, &split) : 0.0;
                weighted += rps * latency_s;
                weight += rps;
                plain += latency_s;
                serving_count++;
            }
        }
    }
    if (weight > 0.0)
        return weighted / weight;
    return serving_count > 0 ? plain / serving_count : NAN; /* nothing served: no datapoint */
}
