/*
 * fuzz_experiment — libFuzzer harness for the experiment loader
 * (experiment_load_string: drsim's own YAML and CloudFormation templates
 * with !Ref, !GetAtt and !Sub tags), against one fixed small scenario with
 * zones, regions, tagged Auto Scaling groups, a database with a replica, a
 * bucket and alarms, so that targets, filters and stop conditions resolve.
 *
 * Property besides the sanitizers: a load fails exactly when it reported a
 * problem.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "experiment.h"
#include "scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static const char SCENARIO[] =
    "drsim: 1\n"
    "name: fuzz-target\n"
    "horizon: 1y\n"
    "demand: {requests_per_second: 1000}\n"
    "regions:\n"
    "  - name: us-east-1\n"
    "    outage: {fail: exp(mean=20y), repair: lognormal(median=4h, sigma=0.6)}\n"
    "    zones:\n"
    "      - {name: us-east-1a, outage: {fail: exp(mean=3y), repair: 2h}}\n"
    "      - {name: us-east-1b, outage: {fail: exp(mean=3y), repair: 2h}}\n"
    "  - name: us-west-2\n"
    "    zones: [{name: us-west-2a}, {name: us-west-2b}]\n"
    "load_balancers:\n"
    "  - {name: alb-east, region: us-east-1}\n"
    "  - {name: alb-west, region: us-west-2}\n"
    "auto_scaling_groups:\n"
    "  - name: web-east\n"
    "    load_balancer: alb-east\n"
    "    zones: [us-east-1a, us-east-1b]\n"
    "    min_size: 2\n"
    "    max_size: 6\n"
    "    desired_capacity: 4\n"
    "    capacity_per_instance: 500\n"
    "    instance_fail: exp(mean=5y)\n"
    "    tags: {Environment: production, Tier: web}\n"
    "  - name: web-west\n"
    "    load_balancer: alb-west\n"
    "    zones: [us-west-2a, us-west-2b]\n"
    "    min_size: 1\n"
    "    max_size: 6\n"
    "    desired_capacity: 2\n"
    "    capacity_per_instance: 500\n"
    "    instance_fail: exp(mean=5y)\n"
    "    tags:\n"
    "      - {Key: Environment, Value: production}\n"
    "      - {Key: Tier, Value: web-dr}\n"
    "databases:\n"
    "  - name: app-db\n"
    "    region: us-east-1\n"
    "    zone: us-east-1a\n"
    "    multi_az: true\n"
    "    standby_zone: us-east-1b\n"
    "    instance_fail: exp(mean=3y)\n"
    "    failover_time: uniform(min=15s, max=60s)\n"
    "    writes_per_second: 100\n"
    "    tags: {Environment: production}\n"
    "    replicas:\n"
    "      - {region: us-west-2, replication: async, lag: exp(mean=1s)}\n"
    "buckets:\n"
    "  - name: data\n"
    "    region: us-east-1\n"
    "    size_gb: 10\n"
    "    change_gb_per_day: 1\n"
    "    replication: {destination_region: us-west-2, replication_time: 10s}\n"
    "dns:\n"
    "  name: www.example.com\n"
    "  routing: failover\n"
    "  ttl: 60s\n"
    "  records:\n"
    "    - {region: us-east-1, failover: PRIMARY}\n"
    "    - {region: us-west-2, failover: SECONDARY}\n"
    "alarms:\n"
    "  - {name: HighErrorRateAlarm, metric: error_rate, statistic: Average, period: 60s,\n"
    "     evaluation_periods: 3, datapoints_to_alarm: 2, threshold: 5%,\n"
    "     comparison: GreaterThanThreshold}\n"
    "  - {name: LowHealthyHosts, metric: healthy_hosts, statistic: Minimum, period: 60s,\n"
    "     threshold: 3, comparison: LessThanThreshold}\n";

static scenario sc;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    diag_list diag;
    diag_init(&diag);
    if (scenario_load_string(&sc, "fuzz-target.yaml", SCENARIO, sizeof SCENARIO - 1, &diag) != 0) {
        fprintf(stderr, "fuzz_experiment: the fixed scenario does not load:\n");
        diag_print(&diag, stderr);
        abort();
    }
    diag_free(&diag);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    diag_list diag;
    diag_init(&diag);
    experiment ex;
    int rc = experiment_load_string(&ex, "fuzz-experiment.yaml", (const char *)data, size, &sc,
                                    NULL, &diag);
    if ((rc == 0) != (diag_error_count(&diag) == 0))
        abort();
    experiment_free(&ex);
    diag_free(&diag);
    return 0;
}
