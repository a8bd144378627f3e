/*
 * cost — what a strategy costs to run for a year, from a price list.
 *
 * Scenario:
 *   prices: prices.yaml          # a price file, relative to the scenario
 *
 * The price file (scenarios/data/prices.yaml) lists, each with its date and
 * source:  - {key: ec2.m6g.large, usd: 0.077, per: hour, date: ..., source: ...}
 *
 * cost_per_year (USD) adds up every resource the scenario keeps running,
 * at the size its strategy runs it — the DR side included (a pilot light's
 * database replica, a warm standby's two instances, an active-active
 * second region at full size):
 *   instances        desired_capacity × ec2.<instance_type> per hour
 *   load balancers   elb.application per hour
 *   databases        (writer + Multi-AZ standby + cluster replicas + one per
 *                    cross-region replica) × <engine>.<db_instance_class> per
 *                    hour, and allocated_storage × <service>.storage per
 *                    GB-month once per instance for RDS, once per region
 *                    for Aurora and DynamoDB (a shared cluster volume)
 *   backups          incremental, as AWS snapshots are: one full copy plus
 *                    each kept point's changes (daily_change_gb, default 1%
 *                    of the data a day) × backup.warm or backup.cold per
 *                    GB-month as the lifecycle moves them, copies the same
 *                    in their vault, and each copy's changes moved at
 *                    transfer.inter_region per GB
 *   buckets          size × s3.standard per GB-month, twice when replicated,
 *                    and change_gb_per_day × (transfer.inter_region + s3.rtc)
 *   writes           writes_per_second as millions a year: DynamoDB's write
 *                    requests and replicated writes per replica region, or
 *                    Aurora Global Database's replicated write I/O
 *   dns              route53.hosted_zone and route53.health_check per month
 * The extra instances of a failover (hours to days, a few times a decade)
 * are left out: they are far below the standing cost of any strategy.
 * A scenario without `prices` has no cost figure.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "duration.h"
#include "model.h"

static const char *const price_file_keys[] = {"prices", NULL};
static const char *const price_keys[] = {"key", "usd", "per", "date", "source", NULL};

#define HOURS_PER_YEAR 8760.0
#define MONTHS_PER_YEAR 12.0

static bool parse_price_list(scenario *sc, yctx *c, const ynode *list, const ypath *path)
{
    if (!yexpect_sequence(c, list, path))
        return false;
    dr_config *dr = &sc->dr;
    dr->prices = calloc(list->n ? list->n : 1, sizeof *dr->prices);
    if (dr->prices == NULL)
        return false;
    bool ok = true;
    for (size_t i = 0; i < list->n; i++) {
        ypath item = YPATH_INDEX(path, i);
        const ynode *node = list->items[i];
        price *p = &dr->prices[dr->n_prices++];
        ok = ymap_check(c, node, &item, price_keys) && ok;
        if (node->kind != YNODE_MAPPING)
            continue;
        ypath key_path = YPATH_KEY(&item, "key"), usd_path = YPATH_KEY(&item, "usd"),
              per_path = YPATH_KEY(&item, "per");
        const ynode *key = ymap_require(c, node, &item, "key");
        const ynode *usd = ymap_require(c, node, &item, "usd");
        const ynode *per = ymap_require(c, node, &item, "per");
        /* a price must say where it comes from */
        bool dated = ymap_require(c, node, &item, "date") != NULL;
        bool sourced = ymap_require(c, node, &item, "source") != NULL;
        ok = dated && sourced && ok;
        ok = key && yget_string(c, key, &key_path, &p->key) && ok;
        for (size_t k = 0; p->key != NULL && k + 1 < dr->n_prices; k++)
            if (dr->prices[k].key != NULL && strcmp(dr->prices[k].key, p->key) == 0) {
                yerror(c, key, &key_path, "a second price for '%s'", p->key);
                ok = false;
            }
        ok = per && yget_string(c, per, &per_path, &p->unit) && ok;
        if (usd != NULL && (usd->kind != YNODE_SCALAR ||
                            duration_parse_number(usd->text, &p->usd) != 0 || !(p->usd >= 0))) {
            yerror(c, usd, &usd_path, "expected a price in USD, 0 or more");
            ok = false;
        }
        static const char *const units[] = {"hour", "month", "GB-month", "GB", "million"};
        bool unit_ok = false;
        for (size_t u = 0; p->unit != NULL && u < sizeof units / sizeof units[0]; u++)
            unit_ok = unit_ok || strcmp(p->unit, units[u]) == 0;
        if (p->unit != NULL && !unit_ok) {
            yerror(c, per, &per_path, "unknown unit '%s' (use hour, month, GB-month, GB or million)",
                   p->unit);
            ok = false;
        }
    }
    return ok;
}

static const price *find_price(const dr_config *dr, const char *key)
{
    for (size_t i = 0; i < dr->n_prices; i++)
        if (dr->prices[i].key != NULL && strcmp(dr->prices[i].key, key) == 0)
            return &dr->prices[i];
    return NULL;
}

/* Collects the price keys a scenario needs; calls `use` with each key, the
 * unit the quantity is in, and the quantity per year. */
typedef void price_user(void *context, const char *key, const char *unit,
                        double quantity_per_year);

static void each_priced_item(const scenario *sc, price_user *use, void *context)
{
    const dr_config *dr = &sc->dr;
    char key[192];
    for (size_t g = 0; g < dr->n_groups; g++) {
        const asg_config *grp = &dr->groups[g];
        if (grp->instance_type == NULL || grp->desired_capacity == 0)
            continue;
        snprintf(key, sizeof key, "ec2.%s", grp->instance_type);
        use(context, key, "hour", grp->desired_capacity * HOURS_PER_YEAR);
    }
    if (dr->n_balancers > 0)
        use(context, "elb.application", "hour", (double)dr->n_balancers * HOURS_PER_YEAR);
    for (size_t i = 0; i < dr->n_databases; i++) {
        const db_config *db = &dr->databases[i];
        bool dynamodb = db->engine != NULL && strcmp(db->engine, "dynamodb") == 0;
        double copies = 1.0 + db->multi_az + db->cluster_replicas + (double)db->n_replicas;
        if (db->instance_class != NULL) {
            snprintf(key, sizeof key, "%s.%s", db->engine ? db->engine : "rds", db->instance_class);
            use(context, key, "hour", copies * HOURS_PER_YEAR);
        }
        /* Aurora and DynamoDB store one cluster volume per region, RDS one
         * volume per instance */
        double volumes = dynamodb || (db->engine && strncmp(db->engine, "aurora", 6) == 0)
                             ? 1.0 + (double)db->n_replicas
                             : copies;
        use(context, dynamodb ? "dynamodb.storage" : "rds.storage", "GB-month",
            db->size_gb * volumes * MONTHS_PER_YEAR);
        /* writes, in millions a year: DynamoDB bills each write, and each
         * replica region's copy of it; Aurora Global bills replicated I/O */
        double million_writes = db->writes_per_second * 365 * 86400.0 / 1e6;
        if (million_writes > 0 && dynamodb) {
            use(context, "dynamodb.write_request", "million", million_writes);
            if (db->n_replicas > 0)
                use(context, "dynamodb.replicated_write_request", "million",
                    million_writes * (double)db->n_replicas);
        } else if (million_writes > 0 && db->n_replicas > 0 && db->engine &&
                   strncmp(db->engine, "aurora", 6) == 0) {
            use(context, "aurora.replicated_write_io", "million",
                million_writes * (double)db->n_replicas);
        }
    }
    for (size_t b = 0; b < dr->n_backups; b++) {
        const backup_rule *rule = &dr->backups[b];
        /* recovery points kept at once, from the schedule's spacing */
        double first = cron_next(&rule->schedule, 0.0);
        double spacing_s = cron_next(&rule->schedule, first + 60.0) - first;
        double size_gb = 0.0, change_gb_per_point = 0.0;
        for (size_t i = 0; i < dr->n_databases; i++)
            if (dr->databases[i].backup_plan == (int)b) {
                size_gb += dr->databases[i].size_gb;
                change_gb_per_point += dr->databases[i].daily_change_gb * spacing_s / 86400.0;
            }
        if (!(spacing_s > 0) || size_gb <= 0)
            continue;
        const backup_lifecycle *lcs[2] = {&rule->lifecycle, &rule->copy_lifecycle};
        /* snapshots are incremental: one full copy, then each point's changes */
        for (int v = 0; v < (rule->has_copy ? 2 : 1); v++) {
            const backup_lifecycle *lc = lcs[v];
            double kept_s = lc->delete_after_s > 0 ? lc->delete_after_s : 365 * 86400.0;
            double warm_s = lc->cold_after_s > 0 && lc->cold_after_s < kept_s ? lc->cold_after_s : kept_s;
            double warm_gb = size_gb + (warm_s / spacing_s - 1.0) * change_gb_per_point;
            use(context, "backup.warm", "GB-month", warm_gb * MONTHS_PER_YEAR);
            if (warm_s < kept_s)
                use(context, "backup.cold", "GB-month",
                    (kept_s - warm_s) / spacing_s * change_gb_per_point * MONTHS_PER_YEAR);
        }
        if (rule->has_copy) /* each copy moves its changes */
            use(context, "transfer.inter_region", "GB",
                365 * 86400.0 / spacing_s * change_gb_per_point);
    }
    for (size_t b = 0; b < dr->n_buckets; b++) {
        const bucket_config *bucket = &dr->buckets[b];
        bool replicated = bucket->destination_region >= 0;
        use(context, "s3.standard", "GB-month",
            bucket->size_gb * (replicated ? 2.0 : 1.0) * MONTHS_PER_YEAR);
        if (replicated && bucket->change_gb_per_day > 0) {
            use(context, "transfer.inter_region", "GB", bucket->change_gb_per_day * 365);
            use(context, "s3.rtc", "GB", bucket->change_gb_per_day * 365);
        }
    }
    if (dr->dns != NULL) {
        use(context, "route53.hosted_zone", "month", MONTHS_PER_YEAR);
        if (dr->dns->routing != DNS_SIMPLE)
            use(context, "route53.health_check", "month",
                (double)dr->dns->n_records * MONTHS_PER_YEAR);
    }
}

typedef struct cost_check {
    const scenario *sc;
    yctx *c;
    const ynode *node;
    const ypath *path;
    bool ok;
    double usd_per_year;
} cost_check;

static void check_and_add(void *context, const char *key, const char *unit,
                          double quantity_per_year)
{
    cost_check *check = context;
    const price *p = find_price(&check->sc->dr, key);
    if (p == NULL) {
        if (check->c != NULL)
            yerror(check->c, check->node, check->path, "no price for '%s' in %s", key,
                   check->sc->dr.prices_file ? check->sc->dr.prices_file : "the price list");
        check->ok = false;
        return;
    }
    if (p->unit == NULL || strcmp(p->unit, unit) != 0) {
        if (check->c != NULL)
            yerror(check->c, check->node, check->path,
                   "the price of '%s' in %s is per %s; the cost model needs it per %s", key,
                   check->sc->dr.prices_file ? check->sc->dr.prices_file : "the price list",
                   p->unit ? p->unit : "?", unit);
        check->ok = false;
        return;
    }
    check->usd_per_year += p->usd * quantity_per_year;
}

double cost_per_year(const scenario *sc)
{
    if (sc->dr.n_prices == 0)
        return NAN;
    cost_check check = {sc, NULL, NULL, NULL, true, 0.0};
    each_priced_item(sc, check_and_add, &check);
    return check.ok ? check.usd_per_year : NAN;
}

int prices_parse(scenario *sc, yctx *c, const ynode *node, const ypath *path)
{
    if (node->kind != YNODE_SCALAR || ynode_is_null(node)) {
        yerror(c, node, path, "expected the path of a price file, such as prices.yaml");
        return -1;
    }
    /* the file is read like a scenario, with its own positions in messages */
    const char *dir = ydoc_directory_of(c->doc, node); /* relative to the file that says it */
    size_t length = strlen(dir) + strlen(node->text) + 2;
    char *file = malloc(length);
    if (file == NULL)
        return -1;
    if (node->text[0] == '/')
        snprintf(file, length, "%s", node->text);
    else
        snprintf(file, length, "%s/%s", dir, node->text);
    sc->dr.prices_file = file;
    /* said here, at the scenario's `prices:`, rather than in a file of no
     * position; access, not fopen: opening a FIFO would block (ydoc_load
     * refuses anything but a regular file) */
    if (access(file, R_OK) != 0) {
        yerror(c, node, path, "cannot open the price file '%s': %s", file, strerror(errno));
        return -1;
    }
    ydoc prices;
    if (ydoc_load(&prices, file, c->diag) != 0) {
        ydoc_free(&prices);
        return -1;
    }
    yctx file_ctx = {&prices, c->diag};
    bool ok = prices.root != NULL && ymap_check(&file_ctx, prices.root, NULL, price_file_keys);
    const ynode *list = ok ? ymap_require(&file_ctx, prices.root, NULL, "prices") : NULL;
    ypath list_path = YPATH_KEY(NULL, "prices");
    if (prices.root == NULL)
        yerror(&file_ctx, NULL, NULL, "the price file is empty");
    ok = list != NULL && parse_price_list(sc, &file_ctx, list, &list_path) && ok;
    ydoc_free(&prices);
    if (!ok)
        return -1;
    /* every priced resource must have its price */
    cost_check check = {sc, c, node, path, true, 0.0};
    each_priced_item(sc, check_and_add, &check);
    return check.ok ? 0 : -1;
}
