/*
 * backup_plan — AWS Backup plans, parsed into backup.h rules (the schedule
 * mathematics lives in sim/backup.c).
 *
 * Scenario (after AWS::Backup::BackupPlan BackupPlanRule in snake_case):
 *   backup_plans:
 *     - name: daily
 *       region: us-east-1                  # the source vault's region
 *       schedule_expression: cron(0 5 ? * * *)   # daily at 05:00 UTC
 *       start_window_minutes: 60
 *       completion_window_minutes: 120
 *       duration: uniform(min=10m, max=40m)      # the job itself
 *       lifecycle: {move_to_cold_storage_after_days: 7, delete_after_days: 30}
 *       copy_actions:
 *         - destination_region: us-west-2
 *           copy_time: uniform(min=10m, max=1h)
 *           lifecycle: {delete_after_days: 90}
 */
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "rng.h"

static const char *const plan_keys[] = {"name", "region", "schedule_expression",
                                        "start_window_minutes", "completion_window_minutes",
                                        "duration", "lifecycle", "copy_actions", NULL};
static const char *const lifecycle_keys[] = {"move_to_cold_storage_after_days",
                                             "delete_after_days", NULL};
static const char *const copy_keys[] = {"destination_region", "copy_time", "lifecycle", NULL};

static bool get_minutes_or_days(yctx *c, const ynode *map, const ypath *path, const char *key,
                                double unit_s, double *out_s)
{
    const ynode *v = ymap_get(map, key);
    if (v == NULL)
        return true;
    ypath p = YPATH_KEY(path, key);
    long long n;
    if (!yget_integer(c, v, &p, 0, 100000, &n))
        return false;
    *out_s = (double)n * unit_s;
    return true;
}

static bool parse_lifecycle(yctx *c, const ynode *node, const ypath *path, backup_lifecycle *lc)
{
    bool ok = ymap_check(c, node, path, lifecycle_keys);
    if (node->kind != YNODE_MAPPING)
        return false;
    ok = get_minutes_or_days(c, node, path, "move_to_cold_storage_after_days", 86400.0,
                             &lc->cold_after_s) && ok;
    ok = get_minutes_or_days(c, node, path, "delete_after_days", 86400.0, &lc->delete_after_s) && ok;
    /* AWS Backup: cold storage needs 90 more days before deletion; drsim only
     * checks that deletion comes after the move */
    if (ok && lc->cold_after_s > 0 && lc->delete_after_s > 0 && lc->delete_after_s <= lc->cold_after_s) {
        yerror(c, node, path, "delete_after_days must be later than move_to_cold_storage_after_days");
        ok = false;
    }
    return ok;
}

static bool parse_plan(scenario *sc, yctx *c, const ynode *node, const ypath *path,
                       backup_rule *rule)
{
    bool ok = ymap_check(c, node, path, plan_keys);
    if (node->kind != YNODE_MAPPING)
        return false;
    rule->region = rule->copy_region = -1;
    rule->completion_window_s = 7 * 86400.0; /* AWS Backup's default completion window */
    rule->start_window_s = 8 * 3600.0;       /* and start window */
    rule->duration = (dist){.kind = DIST_CONST, .p1 = 1800.0};
    ok = model_item_name(c, node, path, &rule->name) && ok;
    if (rule->name != NULL)
        rule->name_hash = rng_name_hash(rule->name);
    ypath region_path = YPATH_KEY(path, "region");
    const ynode *region = ymap_require(c, node, path, "region");
    if (region != NULL)
        rule->region = model_find_region(sc, c, region, &region_path);
    ok = ok && rule->region >= 0;
    ypath schedule_path = YPATH_KEY(path, "schedule_expression");
    const ynode *schedule = ymap_require(c, node, path, "schedule_expression");
    if (schedule != NULL) {
        char err[256];
        if (schedule->kind != YNODE_SCALAR ||
            cron_parse(schedule->text, &rule->schedule, err, sizeof err) != 0) {
            yerror(c, schedule, &schedule_path, "%s",
                   schedule->kind == YNODE_SCALAR ? err : "expected cron(...) or rate(...)");
            ok = false;
        }
    } else {
        ok = false;
    }
    ok = get_minutes_or_days(c, node, path, "start_window_minutes", 60.0, &rule->start_window_s) && ok;
    if (!get_minutes_or_days(c, node, path, "completion_window_minutes", 60.0,
                             &rule->completion_window_s)) {
        ok = false;
    } else if (!(rule->completion_window_s > 0)) {
        ypath p = YPATH_KEY(path, "completion_window_minutes");
        yerror(c, ymap_get(node, "completion_window_minutes"), &p,
               "0 leaves no time for a job to finish: give 1 or more");
        ok = false;
    }
    const ynode *v;
    if ((v = ymap_get(node, "duration")) != NULL) {
        ypath p = YPATH_KEY(path, "duration");
        dist parsed;
        memset(&parsed, 0, sizeof parsed);
        if (yget_dist(c, v, &p, &parsed))
            rule->duration = parsed;
        else
            ok = false;
    }
    if ((v = ymap_get(node, "lifecycle")) != NULL) {
        ypath p = YPATH_KEY(path, "lifecycle");
        ok = parse_lifecycle(c, v, &p, &rule->lifecycle) && ok;
    }
    if ((v = ymap_get(node, "copy_actions")) != NULL) {
        ypath p = YPATH_KEY(path, "copy_actions");
        if (!yexpect_sequence(c, v, &p))
            return false;
        if (v->n > 1) {
            yerror(c, v, &p, "drsim models one copy action per rule");
            return false;
        }
        for (size_t k = 0; k < v->n; k++) {
            ypath item = YPATH_INDEX(&p, k);
            const ynode *copy = v->items[k];
            ok = ymap_check(c, copy, &item, copy_keys) && ok;
            if (copy->kind != YNODE_MAPPING)
                return false;
            rule->has_copy = true;
            rule->copy_time = (dist){.kind = DIST_CONST, .p1 = 1800.0};
            ypath dp = YPATH_KEY(&item, "destination_region");
            const ynode *dest = ymap_require(c, copy, &item, "destination_region");
            if (dest != NULL)
                rule->copy_region = model_find_region(sc, c, dest, &dp);
            ok = ok && rule->copy_region >= 0;
            const ynode *time = ymap_get(copy, "copy_time");
            if (time != NULL) {
                ypath tp = YPATH_KEY(&item, "copy_time");
                dist parsed;
                memset(&parsed, 0, sizeof parsed);
                if (yget_dist(c, time, &tp, &parsed))
                    rule->copy_time = parsed;
                else
                    ok = false;
            }
            const ynode *lc = ymap_get(copy, "lifecycle");
            if (lc != NULL) {
                ypath lp = YPATH_KEY(&item, "lifecycle");
                ok = parse_lifecycle(c, lc, &lp, &rule->copy_lifecycle) && ok;
            }
        }
    }
    return ok;
}

int backup_plans_parse(scenario *sc, yctx *c, const ynode *node, const ypath *path)
{
    if (!yexpect_sequence(c, node, path))
        return -1;
    dr_config *dr = &sc->dr;
    dr->backups = calloc(node->n ? node->n : 1, sizeof *dr->backups);
    if (dr->backups == NULL)
        return -1;
    sc->has_data = true;
    int result = 0;
    for (size_t i = 0; i < node->n; i++) {
        ypath item = YPATH_INDEX(path, i);
        if (!parse_plan(sc, c, node->items[i], &item, &dr->backups[dr->n_backups++]))
            result = -1;
    }
    if (!model_check_unique_names(c, node, path, "backup plan"))
        result = -1;
    return result;
}
