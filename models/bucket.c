/*
 * bucket — object storage with cross-region replication.
 *
 * Scenario (after AWS::S3::Bucket ReplicationConfiguration):
 *   buckets:
 *     - name: primary-data-bucket
 *       region: us-east-1
 *       size_gb: 500
 *       change_gb_per_day: 5            # new or changed data replicated daily
 *       replication:
 *         destination_region: us-west-2
 *         replication_time: lognormal(median=10s, sigma=1.2)
 *       tags: {Tier: storage}
 *
 * S3 Replication Time Control replicates most objects in seconds and
 * 99.99% within 15 minutes (REFERENCES.md); the default lognormal has its
 * median at 10 s and its 99.99th percentile at about 14.5 minutes.
 *
 * RPO.  When the bucket's region falls, the objects written in the last
 * moments are not yet in the destination: the window lost is a draw of
 * replication_time, taken when the outage begins.  It becomes data loss of
 * that disaster only if clients fail over to another region while the
 * region is down (dns.c calls failover_from); if the region comes back
 * first, nothing was lost.
 *
 * With replication paused by an experiment, the window also holds
 * everything written since the pause.
 *
 * Streams: ("NAME", BUCKET), one draw per outage of its region.
 */
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "model.h"
#include "rng.h"
#include "world.h"

enum { PURPOSE_BUCKET = RNG_PURPOSE_MODEL + 10 };

static const char *const bucket_keys[] = {"name", "region", "size_gb", "change_gb_per_day",
                                          "replication", "tags", NULL};
static const char *const replication_keys[] = {"destination_region", "replication_time", NULL};

static bool get_gb(yctx *c, const ynode *map, const ypath *path, const char *key, double *out)
{
    const ynode *v = ymap_get(map, key);
    if (v == NULL)
        return true;
    ypath p = YPATH_KEY(path, key);
    double value;
    if (v->kind != YNODE_SCALAR || duration_parse_number(v->text, &value) != 0 ||
        !(value >= 0.0 && value <= 1e9)) {
        yerror(c, v, &p, "expected a size in GB from 0 to 1e9");
        return false;
    }
    *out = value;
    return true;
}

int buckets_parse(scenario *sc, yctx *c, const ynode *node, const ypath *path)
{
    if (!yexpect_sequence(c, node, path))
        return -1;
    dr_config *dr = &sc->dr;
    dr->buckets = calloc(node->n ? node->n : 1, sizeof *dr->buckets);
    if (dr->buckets == NULL)
        return -1;
    sc->has_data = true;
    int result = 0;
    for (size_t i = 0; i < node->n; i++) {
        ypath item = YPATH_INDEX(path, i);
        const ynode *b_node = node->items[i];
        bucket_config *b = &dr->buckets[dr->n_buckets++];
        b->region = b->destination_region = -1;
        b->replication_time = (dist){.kind = DIST_LOGNORMAL, .p1 = 10.0, .p2 = 1.2};
        bool ok = ymap_check(c, b_node, &item, bucket_keys);
        if (b_node->kind != YNODE_MAPPING) {
            result = -1;
            continue;
        }
        ok = model_item_name(c, b_node, &item, &b->name) && ok;
        if (b->name != NULL)
            b->name_hash = rng_name_hash(b->name);
        ypath region_path = YPATH_KEY(&item, "region");
        const ynode *region = ymap_require(c, b_node, &item, "region");
        if (region != NULL)
            b->region = model_find_region(sc, c, region, &region_path);
        ok = ok && b->region >= 0;
        ok = get_gb(c, b_node, &item, "size_gb", &b->size_gb) && ok;
        ok = get_gb(c, b_node, &item, "change_gb_per_day", &b->change_gb_per_day) && ok;
        const ynode *replication = ymap_get(b_node, "replication");
        if (replication != NULL) {
            ypath rp = YPATH_KEY(&item, "replication");
            ok = ymap_check(c, replication, &rp, replication_keys) && ok;
            if (replication->kind == YNODE_MAPPING) {
                ypath dp = YPATH_KEY(&rp, "destination_region");
                const ynode *dest = ymap_require(c, replication, &rp, "destination_region");
                if (dest != NULL)
                    b->destination_region = model_find_region(sc, c, dest, &dp);
                if (b->destination_region >= 0 && b->destination_region == b->region) {
                    yerror(c, dest, &dp, "replication to the bucket's own region '%s' survives "
                                         "no region outage", sc->domains[b->region].name);
                    b->destination_region = -1;
                }
                ok = ok && b->destination_region >= 0;
                const ynode *time = ymap_get(replication, "replication_time");
                if (time != NULL) {
                    ypath tp = YPATH_KEY(&rp, "replication_time");
                    dist parsed;
                    memset(&parsed, 0, sizeof parsed);
                    if (yget_dist(c, time, &tp, &parsed))
                        b->replication_time = parsed;
                    else
                        ok = false;
                }
            } else {
                ok = false;
            }
        }
        const ynode *tags = ymap_get(b_node, "tags");
        if (tags != NULL) {
            ypath tp = YPATH_KEY(&item, "tags");
            ok = tags_parse(c, tags, &tp, &b->tags) && ok;
        }
        if (!ok)
            result = -1;
    }
    if (!model_check_unique_names(c, node, path, "bucket"))
        result = -1;
    return result;
}

typedef struct bucket_state {
    double *pending_loss_s;  /* per bucket: the window lost if clients fail over */
    bool *paused;            /* per bucket: replication paused by an experiment */
    double *paused_since_s;
    gsl_rng **rng;
} bucket_state;

static bucket_state *state_of(trial_world *w)
{
    return *model_state_slot(w, bucket_init);
}

int bucket_init(trial_world *w)
{
    size_t n = w->sc->dr.n_buckets;
    if (n == 0)
        return 0;
    bucket_state *s = calloc(1, sizeof *s);
    if (s == NULL)
        return -1;
    *model_state_slot(w, bucket_init) = s;
    s->pending_loss_s = calloc(n, sizeof *s->pending_loss_s);
    s->paused = calloc(n, sizeof *s->paused);
    s->paused_since_s = calloc(n, sizeof *s->paused_since_s);
    s->rng = calloc(n, sizeof *s->rng);
    if (s->pending_loss_s == NULL || s->paused == NULL || s->paused_since_s == NULL ||
        s->rng == NULL)
        return -1;
    for (size_t i = 0; i < n; i++)
        if ((s->rng[i] = rng_stream_create()) == NULL)
            return -1;
    return 0;
}

void bucket_destroy(trial_world *w)
{
    bucket_state *s = state_of(w);
    if (s == NULL)
        return;
    for (size_t i = 0; s->rng != NULL && i < w->sc->dr.n_buckets; i++)
        gsl_rng_free(s->rng[i]);
    free(s->rng);
    free(s->pending_loss_s);
    free(s->paused);
    free(s->paused_since_s);
    free(s);
}

void bucket_start(trial_world *w)
{
    bucket_state *s = state_of(w);
    if (s == NULL)
        return;
    for (size_t i = 0; i < w->sc->dr.n_buckets; i++) {
        rng_stream_set(s->rng[i], w->seed, w->trial, w->sc->dr.buckets[i].name_hash, PURPOSE_BUCKET);
        s->pending_loss_s[i] = 0.0;
        s->paused[i] = false;
        s->paused_since_s[i] = 0.0;
    }
}

void bucket_domain_changed(trial_world *w, int changed)
{
    bucket_state *s = state_of(w);
    if (s == NULL)
        return;
    for (size_t i = 0; i < w->sc->dr.n_buckets; i++) {
        const bucket_config *b = &w->sc->dr.buckets[i];
        if (b->region == changed && !w->domains[changed].up) {
            s->pending_loss_s[i] = b->destination_region >= 0
                                       ? dist_sample(&b->replication_time, s->rng[i])
                                       : 0.0;
            if (s->paused[i]) /* nothing written since the pause was replicated */
                s->pending_loss_s[i] += des_now(w->sim) - s->paused_since_s[i];
        }
    }
}

void bucket_failover_from(trial_world *w, int region)
{
    bucket_state *s = state_of(w);
    if (s == NULL || w->domain_disaster[region] < 0)
        return;
    for (size_t i = 0; i < w->sc->dr.n_buckets; i++) {
        const bucket_config *b = &w->sc->dr.buckets[i];
        if (b->region == region && b->destination_region >= 0)
            world_disaster_data_loss(w, w->domain_disaster[region], s->pending_loss_s[i]);
    }
}

bool bucket_inject_pause_replication(trial_world *w, int i, bool paused)
{
    bucket_state *s = state_of(w);
    if (s == NULL || i < 0 || (size_t)i >= w->sc->dr.n_buckets || s->paused[i] == paused ||
        w->sc->dr.buckets[i].destination_region < 0)
        return false;
    const bucket_config *b = &w->sc->dr.buckets[i];
    s->paused[i] = paused;
    if (paused) {
        s->paused_since_s[i] = des_now(w->sim);
        world_event(w, EVENT_INJECT, b->name, "bucket %s: replication to %s is paused", b->name,
                    w->sc->domains[b->destination_region].name);
    } else {
        world_event(w, EVENT_ROLLBACK, b->name, "bucket %s: replication to %s resumes", b->name,
                    w->sc->domains[b->destination_region].name);
    }
    return true;
}
