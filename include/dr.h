/*
 * dr — the disaster-recovery parts of a scenario, as loaded and checked:
 * demand, DNS, load balancers, Auto Scaling groups (with their target
 * tracking policies), databases, buckets, runbooks and prices.  Each part's model (a file in models/) parses it and
 * simulates it; its header comment there is its spec.  Keys follow the
 * seed's CloudFormation properties in snake_case (MinSize → min_size).
 *
 * Indices refer to the scenario's arrays: regions and zones are domain
 * indices (scenario.h), groups, balancers and databases index the arrays
 * here.  Durations are seconds, rates requests per second, sizes GB,
 * prices USD.
 *
 * Ownership: dr_config_free() (called by scenario_free) releases it all.
 */
#ifndef DRSIM_DR_H
#define DRSIM_DR_H

#include <stdbool.h>
#include <stddef.h>

#include "backup.h"
#include "demand.h"
#include "dist.h"
#include "healthcheck.h"
#include "tags.h"

/* After a failover, the home region must be back this long before the
 * planned failback (writer home, DR side scaled back): failback is not
 * part of any RTO, and an hour keeps it clear of the DNS move. */
#define DR_FAILBACK_AFTER_S 3600.0

/* Failback moves clients first (DNS home), then, once every cache has
 * expired, the writer and the DR side's size: no client is left on a side
 * that is being taken down. */
#define DR_FAILBACK_DRAIN_S 600.0

typedef enum dns_routing { DNS_FAILOVER, DNS_LATENCY, DNS_SIMPLE } dns_routing;

typedef struct dns_record {
    int region;
    bool primary;        /* failover: PRIMARY */
    double share;        /* latency: share of clients while healthy */
} dns_record;

typedef struct dns_config {
    char *name;
    dns_routing routing;
    double ttl_s;
    healthcheck check;   /* Route 53: request_interval, failure_threshold, timeout */
    dns_record *records;
    size_t n_records;
} dns_config;

typedef struct lb_config {
    char *name;
    int region;
    healthcheck check;             /* target group health check */
    double deregistration_delay_s;
    tag_set tags;
} lb_config;

typedef enum health_check_type { HEALTH_CHECK_EC2, HEALTH_CHECK_ELB } health_check_type;

/* Target tracking (AWS::AutoScaling::ScalingPolicy, TargetTrackingScaling;
 * models/web.c and docs/capacity.md give the rule). */
typedef enum scaling_metric {
    SCALING_CPU,                   /* ASGAverageCPUUtilization, percent */
    SCALING_REQUEST_COUNT          /* ALBRequestCountPerTarget, requests per target a minute */
} scaling_metric;

typedef struct scaling_policy {
    char *name;
    scaling_metric metric;
    double target;                 /* CPU: percent, (0, 100]; requests per target a minute: > 0 */
    double scale_out_cooldown_s;   /* since the previous scale-out */
    double scale_in_cooldown_s;    /* since the previous scaling activity of either kind */
} scaling_policy;

typedef struct asg_config {
    char *name;
    int balancer;                  /* its load balancer */
    int region;
    int *zones;                    /* VPCZoneIdentifier: the zones it launches in */
    size_t n_zones;
    int min_size, max_size, desired_capacity;
    health_check_type health_check_type;
    double health_check_grace_period_s;
    dist ec2_status_check;         /* EC2 type: delay until a dead instance is noticed */
    char *instance_type;           /* a price-list key */
    double capacity_per_instance;  /* requests per second one instance serves */
    dist instance_fail;            /* time to failure of an instance */
    dist launch_time;              /* launch to running (no AWS figure: an assumption) */
    double response_time_s;        /* an unstressed instance's response time (an assumption) */
    scaling_policy *policies;      /* target tracking; none: the size changes only by runbooks */
    size_t n_policies;
    double instance_warmup_s;      /* EstimatedInstanceWarmup: running to counted in the metrics */
    uint64_t name_hash;
    tag_set tags;                  /* propagated to its instances */
} asg_config;

typedef enum replication_mode { REPLICATION_SYNC, REPLICATION_ASYNC } replication_mode;

typedef struct db_replica {
    int region;
    replication_mode replication;
    dist lag;                      /* async: how far behind the writer it is */
    dist promotion_time;           /* promote to a writer */
} db_replica;

typedef struct db_config {
    char *name;
    char *engine;                  /* a label: postgres, aurora-postgresql, dynamodb */
    char *instance_class;          /* a price-list key */
    int region, zone;              /* the writer */
    bool multi_az;                 /* a synchronous standby in standby_zone */
    int standby_zone;
    int cluster_replicas;          /* in-region readable replicas (Aurora-like) */
    dist instance_fail;
    dist failover_time;            /* to the Multi-AZ standby or an in-region replica */
    dist recreate_time;            /* no standby or replica: a new instance */
    db_replica *replicas;          /* in other regions */
    size_t n_replicas;
    bool global_table;             /* writable in every replica region (DynamoDB-like) */
    double size_gb;
    double writes_per_second;      /* for replicated-write prices */
    double daily_change_gb;        /* data changed a day: incremental backups */
    bool point_in_time_recovery;
    int backup_plan;               /* index into backups, or -1 */
    double restore_throughput_gb_per_s;
    double restore_overhead_s;
    double cold_restore_extra_s;
    bool has_corruption;
    dist corruption_every;         /* logical corruption: time between */
    dist corruption_detected_after;
    uint64_t name_hash;
    tag_set tags;
} db_config;

typedef struct bucket_config {
    char *name;
    int region, destination_region;
    dist replication_time;         /* S3 RTC: most in seconds, 99.99% within 15 min */
    double size_gb;
    double change_gb_per_day;      /* new or changed data replicated each day */
    uint64_t name_hash;
    tag_set tags;
} bucket_config;

typedef enum runbook_action {
    ACTION_WAIT,                   /* just the step's duration */
    ACTION_NOTIFY,
    ACTION_PROMOTE_REPLICA,        /* database → a writer in region */
    ACTION_RESTORE_BACKUP,         /* database restored from backup in region */
    ACTION_SET_DESIRED_CAPACITY,   /* group → desired_capacity */
    ACTION_UPDATE_DNS              /* simple routing answers region */
} runbook_action;

typedef struct runbook_step {
    char *name;
    runbook_action action;
    int database, group, region;
    int desired_capacity;
    dist duration;                 /* the API call or the human task */
    double failure_probability;
    int max_attempts;
    dist retry_delay;
    dist escalation;               /* all attempts failed: fixed by hand after this */
} runbook_step;

typedef enum runbook_trigger { TRIGGER_HEALTH_EVENT, TRIGGER_MANUAL } runbook_trigger;

typedef struct runbook_config {
    char *name;
    int region;                    /* on an outage of this region */
    runbook_trigger trigger;
    dist detection;                /* health event: outage to the rule firing */
    dist page, acknowledge, decide; /* manual: the human chain */
    runbook_step *steps;
    size_t n_steps;
    uint64_t name_hash;
} runbook_config;

typedef struct price {
    char *key;                     /* "ec2.m6g.large", "rds.db.r6g.xlarge", ... */
    double usd;
    char *unit;                    /* hour, GB-month, GB, month, million */
} price;

typedef struct dr_config {
    demand_profile demand;         /* D(t), requests per second (demand.h); a zeroed
                                    * profile (no `demand` key) is a constant 0 */
    double demand_rps;             /* the peak of D over [0, the scenario's horizon]
                                    * (the constant itself for a constant demand), for
                                    * sizing; the simulation reads world_demand_rps() */
    dns_config *dns;
    lb_config *balancers;
    size_t n_balancers;
    asg_config *groups;
    size_t n_groups;
    db_config *databases;
    size_t n_databases;
    backup_rule *backups;
    size_t n_backups;
    bucket_config *buckets;
    size_t n_buckets;
    runbook_config *runbooks;
    size_t n_runbooks;
    price *prices;
    size_t n_prices;
    char *prices_file;
} dr_config;

/* The demand is one value at every instant (a constant without growth):
 * the report then keeps its time-weighted formulas. */
static inline bool dr_demand_constant(const dr_config *dr)
{
    return dr->demand.kind == DEMAND_CONSTANT && dr->demand.growth == 0.0;
}

void dr_config_free(dr_config *dr);

#endif
