/*
 * dns — Route 53 records, their health checks, and where clients go.
 *
 * Scenario (keys after AWS::Route53::RecordSet and HealthCheckConfig):
 *   dns:
 *     name: www.example.com
 *     routing: failover          # failover | latency | simple
 *     ttl: 60s                   # TTL (≤ 60 s recommended for health-checked records)
 *     health_check:              # Route 53 health checks (REFERENCES.md, Detection)
 *       request_interval: 30s    # 10 or 30 s
 *       failure_threshold: 3     # 1..10
 *       timeout: 4s              # an unanswered probe fails after this
 *     records:
 *       - {region: us-east-1, failover: PRIMARY}
 *       - {region: us-west-2, failover: SECONDARY}
 *       # latency routing: {region: R, share: 50%}: R's share of clients while healthy
 *
 * Endpoints.  A record's endpoint is alive while its region is up, its load
 * balancer has a live target and its data is usable (the seed's /health
 * page with EvaluateTargetHealth).  Route 53 notices a change after the
 * health checks say so: healthcheck.h computes the instant from the
 * checks' phase (one per record and trial), with failure_threshold
 * consecutive results either way (a simplification: Route 53 aggregates
 * checkers in several regions, which moves the instant by less than an
 * interval).
 *
 * Answers.  failover: the primary while Route 53 sees it healthy, else the
 * secondary if healthy; when both are unhealthy Route 53 answers as if both
 * were healthy, so the primary.  latency: every healthy record, clients in
 * proportion to their shares (all records when none is healthy).  simple:
 * the first record, until a runbook's update_dns step changes it.
 *
 * Clients.  Clients re-resolve when their cached answer expires.  They are
 * modelled as DNS_COHORTS equal cohorts whose caches expire at times
 * (i + 1/2)·TTL/DNS_COHORTS + k·TTL: after an answer changes at T, cohort i
 * moves at its next expiry, so every client has moved by T + TTL (the
 * issue's "detection plus at most the TTL"), and the requests lost during
 * the move are those of a linear ramp (the midpoint rule is exact for it).
 *
 * Without a `dns` key every client goes to one region, the first load
 * balancer's (else the first database's): a single-region service, which
 * never fails over.
 *
 * Emits: route_share[region] for the observer; on a failover away from a
 * down region, the data models' losses become that disaster's RPO
 * (database.c, bucket.c decide what they are).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "healthcheck.h"
#include "model.h"
#include "rng.h"
#include "world.h"

#define DNS_COHORTS 4
#define MAX_RECORDS 16

enum { PURPOSE_DNS_PHASE = RNG_PURPOSE_MODEL + 1 };

static const char *const dns_keys[] = {"name", "routing", "ttl", "health_check", "records", NULL};
static const char *const check_keys[] = {"request_interval", "failure_threshold", "timeout", NULL};
static const char *const record_keys[] = {"region", "failover", "share", NULL};

/* Route 53 defaults: interval 30 s, failure threshold 3; an HTTPS check
 * must connect within 4 s (REFERENCES.md, Detection). */
#define DEFAULT_INTERVAL_S 30.0
#define DEFAULT_THRESHOLD 3
#define DEFAULT_TIMEOUT_S 4.0
#define DEFAULT_TTL_S 60.0

typedef struct dns_state {
    double phase_s[MAX_RECORDS];
    bool alive[MAX_RECORDS];          /* the endpoint really works */
    bool seen_healthy[MAX_RECORDS];   /* Route 53's view */
    des_event_id pending[MAX_RECORDS];
    int simple_answer;                /* for routing: simple */
    double answer[MAX_RECORDS];       /* current answer: share per record */
    double cohort[DNS_COHORTS][MAX_RECORDS];
    des_event_id cohort_event[DNS_COHORTS];
    gsl_rng *rng;
} dns_state;

static dns_state *state_of(trial_world *w)
{
    return *model_state_slot(w, dns_init);
}

/* ---- parsing ---------------------------------------------------------------------------- */

static int parse_records(scenario *sc, yctx *c, const ynode *node, const ypath *path,
                         dns_config *dns)
{
    if (!yexpect_sequence(c, node, path))
        return -1;
    if (node->n == 0 || node->n > MAX_RECORDS) {
        yerror(c, node, path, "expected 1 to %d records", MAX_RECORDS);
        return -1;
    }
    int result = 0;
    dns->records = calloc(node->n, sizeof *dns->records);
    if (dns->records == NULL)
        return -1;
    for (size_t i = 0; i < node->n; i++) {
        ypath item = YPATH_INDEX(path, i);
        const ynode *record = node->items[i];
        dns_record *r = &dns->records[dns->n_records++];
        r->region = -1;
        r->share = 1.0;
        bool ok = ymap_check(c, record, &item, record_keys);
        if (record->kind != YNODE_MAPPING) {
            result = -1;
            continue;
        }
        ypath region_path = YPATH_KEY(&item, "region");
        const ynode *region = ymap_require(c, record, &item, "region");
        if (region != NULL)
            r->region = model_find_region(sc, c, region, &region_path);
        ok = ok && r->region >= 0;
        const ynode *failover = ymap_get(record, "failover");
        ypath failover_path = YPATH_KEY(&item, "failover");
        if (failover != NULL) {
            char *role = NULL;
            if (!yget_string(c, failover, &failover_path, &role))
                ok = false;
            else if (strcmp(role, "PRIMARY") == 0)
                r->primary = true;
            else if (strcmp(role, "SECONDARY") != 0) {
                yerror(c, failover, &failover_path, "'%s' is not PRIMARY or SECONDARY", role);
                ok = false;
            }
            free(role);
        }
        const ynode *share = ymap_get(record, "share");
        ypath share_path = YPATH_KEY(&item, "share");
        if (share != NULL && !yget_fraction(c, share, &share_path, &r->share))
            ok = false;
        if (!ok)
            result = -1;
    }
    return result;
}

static bool parse_check(yctx *c, const ynode *node, const ypath *path, healthcheck *hc)
{
    bool ok = ymap_check(c, node, path, check_keys);
    if (node->kind != YNODE_MAPPING)
        return false;
    const ynode *v;
    if ((v = ymap_get(node, "request_interval")) != NULL) {
        ypath p = YPATH_KEY(path, "request_interval");
        if (!yget_duration(c, v, &p, &hc->interval_s))
            ok = false;
        else if (hc->interval_s != 10.0 && hc->interval_s != 30.0) {
            yerror(c, v, &p, "Route 53 checks every 10s or 30s, not %s", v->text);
            ok = false;
        }
    }
    if ((v = ymap_get(node, "failure_threshold")) != NULL) {
        ypath p = YPATH_KEY(path, "failure_threshold");
        long long n;
        if (yget_integer(c, v, &p, 1, 10, &n))
            hc->unhealthy_threshold = hc->healthy_threshold = (int)n;
        else
            ok = false;
    }
    if ((v = ymap_get(node, "timeout")) != NULL) {
        ypath p = YPATH_KEY(path, "timeout");
        ok = yget_duration(c, v, &p, &hc->timeout_s) && ok;
    }
    if (ok && !(hc->timeout_s < hc->interval_s)) {
        yerror(c, node, path, "the timeout must be shorter than the request interval");
        ok = false;
    }
    return ok;
}

int dns_parse(scenario *sc, yctx *c, const ynode *node, const ypath *path)
{
    dns_config *dns = calloc(1, sizeof *dns);
    if (dns == NULL)
        return -1;
    sc->dr.dns = dns;
    dns->ttl_s = DEFAULT_TTL_S;
    dns->routing = DNS_FAILOVER;
    dns->check = (healthcheck){DEFAULT_INTERVAL_S, DEFAULT_TIMEOUT_S, DEFAULT_THRESHOLD,
                               DEFAULT_THRESHOLD};
    sc->has_dr = true;
    bool ok = ymap_check(c, node, path, dns_keys);
    if (node->kind != YNODE_MAPPING)
        return -1;
    const ynode *v;
    if ((v = ymap_get(node, "name")) != NULL) {
        ypath p = YPATH_KEY(path, "name");
        ok = yget_string(c, v, &p, &dns->name) && ok;
    }
    if ((v = ymap_get(node, "routing")) != NULL) {
        ypath p = YPATH_KEY(path, "routing");
        char *routing = NULL;
        if (!yget_string(c, v, &p, &routing))
            ok = false;
        else if (strcmp(routing, "failover") == 0)
            dns->routing = DNS_FAILOVER;
        else if (strcmp(routing, "latency") == 0)
            dns->routing = DNS_LATENCY;
        else if (strcmp(routing, "simple") == 0)
            dns->routing = DNS_SIMPLE;
        else {
            yerror(c, v, &p, "unknown routing '%s' (use failover, latency or simple)", routing);
            ok = false;
        }
        free(routing);
    }
    if ((v = ymap_get(node, "ttl")) != NULL) {
        ypath p = YPATH_KEY(path, "ttl");
        if (!yget_duration(c, v, &p, &dns->ttl_s))
            ok = false;
        else if (dns->ttl_s > 86400.0) { /* clients would hold a dead answer for days */
            yerror(c, v, &p, "a TTL of %s is over a day (60s or less is recommended)", v->text);
            ok = false;
        }
    }
    if ((v = ymap_get(node, "health_check")) != NULL) {
        ypath p = YPATH_KEY(path, "health_check");
        ok = parse_check(c, v, &p, &dns->check) && ok;
    }
    ypath records_path = YPATH_KEY(path, "records");
    const ynode *records = ymap_require(c, node, path, "records");
    if (records == NULL || parse_records(sc, c, records, &records_path, dns) != 0)
        ok = false;
    if (ok && dns->routing == DNS_FAILOVER) {
        int primaries = 0;
        for (size_t i = 0; i < dns->n_records; i++)
            primaries += dns->records[i].primary;
        if (primaries != 1 || dns->n_records != 2) {
            yerror(c, records, &records_path,
                   "failover routing needs two records, one with failover: PRIMARY");
            ok = false;
        }
    }
    return ok ? 0 : -1;
}

/* ---- runtime ---------------------------------------------------------------------------- */

int dns_init(trial_world *w)
{
    if (w->sc->dr.dns == NULL)
        return 0;
    dns_state *s = calloc(1, sizeof *s);
    if (s == NULL)
        return -1;
    *model_state_slot(w, dns_init) = s;
    s->rng = rng_stream_create();
    return s->rng ? 0 : -1;
}

void dns_destroy(trial_world *w)
{
    dns_state *s = state_of(w);
    if (s == NULL)
        return;
    gsl_rng_free(s->rng);
    free(s);
}

static bool endpoint_alive(const trial_world *w, int region)
{
    return w->domains[region].up && w->region_has_live_target[region] && w->region_data_ok[region];
}

/* The answer Route 53 gives now, as a share per record. */
static void compute_answer(const trial_world *w, const dns_state *s, double *answer)
{
    const dns_config *dns = w->sc->dr.dns;
    size_t n = dns->n_records;
    for (size_t i = 0; i < MAX_RECORDS; i++) /* all of it: answers are compared whole */
        answer[i] = 0.0;
    if (dns->routing == DNS_SIMPLE) {
        answer[s->simple_answer] = 1.0;
        return;
    }
    if (dns->routing == DNS_FAILOVER) {
        size_t primary = dns->records[0].primary ? 0 : 1, secondary = 1 - primary;
        bool use_secondary = !s->seen_healthy[primary] && s->seen_healthy[secondary];
        answer[use_secondary ? secondary : primary] = 1.0;
        return;
    }
    double total = 0.0;
    for (size_t i = 0; i < n; i++)
        if (s->seen_healthy[i])
            total += dns->records[i].share;
    bool none = total <= 0.0;
    if (none)
        for (size_t i = 0; i < n; i++)
            total += dns->records[i].share;
    for (size_t i = 0; i < n; i++)
        if (none || s->seen_healthy[i])
            answer[i] = dns->records[i].share / total;
}

static void apply_route_shares(trial_world *w, const dns_state *s)
{
    const dns_config *dns = w->sc->dr.dns;
    for (size_t i = 0; i < dns->n_records; i++)
        w->route_share[dns->records[i].region] = 0.0;
    for (int k = 0; k < DNS_COHORTS; k++)
        for (size_t i = 0; i < dns->n_records; i++)
            w->route_share[dns->records[i].region] += s->cohort[k][i] / DNS_COHORTS;
}

/* The record's name as an event's target ("dns" when it has none). */
static const char *dns_target(const dns_config *dns)
{
    return dns->name ? dns->name : "dns";
}

/* A cohort's cache expired: it takes the current answer. */
static void on_cohort_expiry(des_sim *sim, void *subject, void *object)
{
    (void)sim;
    trial_world *w = subject;
    dns_state *s = state_of(w);
    int k = (int)(intptr_t)object;
    s->cohort_event[k] = 0;
    const dns_config *dns = w->sc->dr.dns;
    /* clients leaving a region that is down: writes resume elsewhere, and
     * what had not been replicated is lost (database.c, bucket.c) */
    for (size_t i = 0; i < dns->n_records; i++) {
        int region = dns->records[i].region;
        if (s->cohort[k][i] > s->answer[i] && !w->domains[region].up)
            world_failover_from(w, region);
    }
    memcpy(s->cohort[k], s->answer, sizeof s->answer);
    world_event(w, EVENT_FAILOVER, dns_target(dns),
                "a quarter of the clients re-resolve %s (cohort %d of %d)",
                dns->name ? dns->name : "the name", k + 1, DNS_COHORTS);
    apply_route_shares(w, s);
    world_dr_update(w);
}

static double next_expiry(const dns_state *s, const dns_config *dns, int k, double now_s)
{
    (void)s;
    double offset_s = (k + 0.5) * dns->ttl_s / DNS_COHORTS;
    if (dns->ttl_s <= 0.0)
        return now_s;
    double periods = ceil((now_s - offset_s) / dns->ttl_s);
    double t = offset_s + periods * dns->ttl_s;
    return t < now_s ? t + dns->ttl_s : t;
}

static void answer_changed(trial_world *w, dns_state *s)
{
    const dns_config *dns = w->sc->dr.dns;
    double now_s = des_now(w->sim);
    for (int k = 0; k < DNS_COHORTS; k++) {
        if (memcmp(s->cohort[k], s->answer, sizeof s->answer) == 0) {
            if (s->cohort_event[k] != 0) { /* changed back before this cohort moved */
                des_cancel(w->sim, s->cohort_event[k]);
                s->cohort_event[k] = 0;
            }
            continue;
        }
        if (s->cohort_event[k] == 0)
            s->cohort_event[k] = des_schedule(w->sim, next_expiry(s, dns, k, now_s),
                                              PRIORITY_RECOVERY, on_cohort_expiry, w,
                                              (void *)(intptr_t)k);
    }
}

static void refresh_answer(trial_world *w, dns_state *s)
{
    double answer[MAX_RECORDS];
    compute_answer(w, s, answer);
    if (memcmp(answer, s->answer, sizeof answer) == 0)
        return;
    memcpy(s->answer, answer, sizeof answer);
    if (w->trace != NULL || w->observer.event != NULL) {
        const dns_config *dns = w->sc->dr.dns;
        char text[256] = "";
        size_t used = 0;
        for (size_t i = 0; i < dns->n_records && used < sizeof text; i++)
            if (answer[i] > 0.0) {
                int n = snprintf(text + used, sizeof text - used, "%s%s %.0f%%", used ? ", " : "",
                                 w->sc->domains[dns->records[i].region].name, 100.0 * answer[i]);
                used += n > 0 ? (size_t)n : 0;
            }
        world_event(w, EVENT_FAILOVER, dns_target(dns),
                    "Route 53 now answers %s; clients follow as their caches expire (TTL %.0f s)",
                    text, dns->ttl_s);
    }
    answer_changed(w, s);
}

/* Route 53 has just made up its mind about record i. */
static void on_health_verdict(des_sim *sim, void *subject, void *object)
{
    (void)sim;
    trial_world *w = subject;
    dns_state *s = state_of(w);
    int i = (int)(intptr_t)object;
    s->pending[i] = 0;
    s->seen_healthy[i] = s->alive[i];
    if (w->trace != NULL || w->observer.event != NULL) {
        const healthcheck *hc = &w->sc->dr.dns->check;
        int checks = s->seen_healthy[i] ? hc->healthy_threshold : hc->unhealthy_threshold;
        const char *region = w->sc->domains[w->sc->dr.dns->records[i].region].name;
        world_event(w, s->seen_healthy[i] ? EVENT_RECOVER : EVENT_DETECT, region,
                    "Route 53 sees %s %s after %d %s check%s", region,
                    s->seen_healthy[i] ? "healthy" : "unhealthy", checks,
                    s->seen_healthy[i] ? "passing" : "failed", checks == 1 ? "" : "s");
    }
    refresh_answer(w, s);
}

void dns_update(trial_world *w)
{
    dns_state *s = state_of(w);
    if (s == NULL)
        return;
    const dns_config *dns = w->sc->dr.dns;
    double now_s = des_now(w->sim);
    for (size_t i = 0; i < dns->n_records; i++) {
        bool alive = endpoint_alive(w, dns->records[i].region);
        if (alive == s->alive[i])
            continue;
        s->alive[i] = alive;
        if (s->pending[i] != 0) {
            des_cancel(w->sim, s->pending[i]);
            s->pending[i] = 0;
        }
        if (alive == s->seen_healthy[i])
            continue; /* back before Route 53 noticed */
        double at_s = alive ? healthcheck_healthy_at(&dns->check, s->phase_s[i], now_s)
                            : healthcheck_unhealthy_at(&dns->check, s->phase_s[i], now_s);
        s->pending[i] = des_schedule(w->sim, at_s, PRIORITY_RECOVERY, on_health_verdict, w,
                                     (void *)(intptr_t)i);
    }
}

/* No dns key: all clients in the home region (route_share is 0 elsewhere). */
static void route_to_home(trial_world *w)
{
    const dr_config *dr = &w->sc->dr;
    int home = dr->n_balancers > 0 ? dr->balancers[0].region
               : dr->n_databases > 0 ? dr->databases[0].region
                                     : -1;
    if (home >= 0)
        w->route_share[home] = 1.0;
}

void dns_start(trial_world *w)
{
    dns_state *s = state_of(w);
    if (s == NULL) {
        route_to_home(w);
        return;
    }
    const dns_config *dns = w->sc->dr.dns;
    rng_stream_set(s->rng, w->seed, w->trial, rng_name_hash(dns->name ? dns->name : "dns"),
                   PURPOSE_DNS_PHASE);
    s->simple_answer = 0;
    for (size_t i = 0; i < dns->n_records; i++) {
        s->phase_s[i] = gsl_rng_uniform(s->rng) * dns->check.interval_s;
        s->pending[i] = 0;
        /* at t = 0 everything is up: Route 53 sees every endpoint healthy
         * (dns_update corrects endpoints that are not ready) */
        s->alive[i] = true;
        s->seen_healthy[i] = true;
    }
    memset(s->answer, 0, sizeof s->answer);
    compute_answer(w, s, s->answer);
    for (int k = 0; k < DNS_COHORTS; k++) {
        memcpy(s->cohort[k], s->answer, sizeof s->answer);
        s->cohort_event[k] = 0;
    }
    apply_route_shares(w, s);
}

/* A runbook's update_dns step: simple routing answers this region now. */
bool dns_point_to(trial_world *w, int region)
{
    dns_state *s = state_of(w);
    if (s == NULL)
        return false;
    const dns_config *dns = w->sc->dr.dns;
    for (size_t i = 0; i < dns->n_records; i++)
        if (dns->records[i].region == region) {
            s->simple_answer = (int)i;
            refresh_answer(w, s);
            return true;
        }
    return false;
}
