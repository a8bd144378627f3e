/*
 * cmd_plan — `drsim plan PLAN [options]`, the command line of include/plan.h
 * (dispatched from sim/main.c).
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "diag.h"
#include "outfile.h"
#include "plan.h"
#include "runner.h"

const char plan_help[] =
    "usage: drsim plan PLAN [options]\n"
    "\n"
    "Finds the cheapest configuration that meets the targets.  PLAN is a\n"
    "scenario with open values ({from: 2, to: 12}, {one_of: [...]}, an open\n"
    "`extends` over strategy files); every combination is a candidate.\n"
    "Candidates are priced, then checked cheapest first with the rule of\n"
    "`drsim check`, at one seed for all (common random numbers).  Prints the\n"
    "winner, the runners-up, why each cheaper candidate failed, and the\n"
    "winner's zone-loss headroom (docs/capacity.md).\n"
    "\n"
    "  --availability P  mean availability at least P (99.99% or 0.9999)\n"
    "  --rto D, --rpo D  95% of disasters within D (as drsim check)\n"
    "                    (targets not given take the plan file's `targets:`)\n"
    "  --max-cost USD    reject candidates dearer than this a year\n"
    "  --csv FILE        every evaluated candidate, one row each\n"
    "  --plot DIR        DIR/pareto.png: cost against availability\n"
    "  --confidence C    of each verdict (default 0.95)\n"
    "  --max-trials N    per candidate (default 10000)\n"
    "  --seed S, --threads T, --quiet\n"
    "\n"
    "Exit status: 0 a candidate meets the targets; 1 none does; 2 bad usage or\n"
    "bad input (an empty search space, an invalid candidate such as an unknown\n"
    "instance type, contradicting or missing targets).\n";

typedef struct plan_args {
    const char *path, *csv_path, *plot_dir;
    plan_config cfg;
    bool has_seed, quiet;
    unsigned long long seed, threads, max_trials;
} plan_args;

static int parse_args(int argc, char **argv, plan_args *a)
{
    static const struct option options[] = {
        {"availability", required_argument, NULL, 'a'}, {"rto", required_argument, NULL, 'r'},
        {"rpo", required_argument, NULL, 'd'},          {"max-cost", required_argument, NULL, 'm'},
        {"csv", required_argument, NULL, 'c'},          {"plot", required_argument, NULL, 'p'},
        {"confidence", required_argument, NULL, 'C'},   {"max-trials", required_argument, NULL, 'n'},
        {"seed", required_argument, NULL, 's'},         {"threads", required_argument, NULL, 'j'},
        {"quiet", no_argument, NULL, 'q'},              {NULL, 0, NULL, 0}};
    memset(a, 0, sizeof *a);
    a->cfg.max_cost_usd = INFINITY;
    a->cfg.check.confidence = CHECK_DEFAULT_CONFIDENCE;
    a->max_trials = CHECK_DEFAULT_MAX_TRIALS;
    a->threads = (unsigned long long)runner_default_threads();
    optind = 1;
    opterr = 0;
    int option;
    while ((option = getopt_long(argc, argv, ":q", options, NULL)) != -1) {
        switch (option) {
        case 'a':
        case 'r':
        case 'd':
            if (!cli_parse_target(option == 'a' ? "availability" : option == 'r' ? "rto" : "rpo",
                                  optarg, &a->cfg.targets))
                return -1;
            break;
        case 'm': {
            char *end = NULL;
            a->cfg.max_cost_usd = strtod(optarg, &end);
            if (end == optarg || *end != '\0' || !(a->cfg.max_cost_usd > 0.0) ||
                !isfinite(a->cfg.max_cost_usd)) {
                fprintf(stderr, "drsim: --max-cost: '%s' is not an amount of USD above 0\n", optarg);
                return -1;
            }
            break;
        }
        case 'c':
            a->csv_path = optarg;
            break;
        case 'p':
            a->plot_dir = optarg;
            break;
        case 'C':
            if (!cli_parse_confidence(optarg, &a->cfg.check.confidence))
                return -1;
            break;
        case 'n':
            if (!cli_parse_whole("--max-trials", optarg, 1, SCENARIO_MAX_TRIALS, &a->max_trials))
                return -1;
            break;
        case 's':
            if (!cli_parse_whole("--seed", optarg, 0, UINT64_MAX, &a->seed))
                return -1;
            a->has_seed = true;
            break;
        case 'j':
            if (!cli_parse_whole("--threads", optarg, 1, RUNNER_MAX_THREADS, &a->threads))
                return -1;
            break;
        case 'q':
            a->quiet = true;
            break;
        case ':':
            cli_usage_error("option %s needs a value", argv[optind - 1]);
            return -1;
        default:
            cli_usage_error("unknown option '%s'", argv[optind - 1]);
            return -1;
        }
    }
    if (optind >= argc) {
        cli_usage_error("plan: which plan file?");
        return -1;
    }
    if (argc - optind > 1) {
        cli_usage_error("plan takes one plan file, not also '%s'", argv[optind + 1]);
        return -1;
    }
    a->path = argv[optind];
    return 0;
}

/* Targets the planner cannot decide: a missing one, or 100% availability,
 * which no finite sample shows. */
static bool targets_ok(const plan_space *space, plan_args *a)
{
    scenario sc;
    diag_list diag;
    diag_init(&diag);
    int rc = plan_candidate_load(space, 0, &sc, &diag);
    diag_free(&diag);
    scenario_targets t = a->cfg.targets;
    if (rc == 0) {
        t = check_targets_over(&sc.targets, &a->cfg.targets);
        if (!a->has_seed)
            a->seed = sc.seed;
        scenario_free(&sc);
    }
    if (!t.has_availability && !t.has_rto && !t.has_rpo) {
        cli_usage_error("plan: %s states no target: give --availability, --rto or --rpo, or add "
                        "`targets:`", a->path);
        return false;
    }
    if (t.has_availability && t.availability >= 1.0) {
        fprintf(stderr, "drsim: plan: an availability target of 100%% contradicts any failure "
                        "and can never be shown by sampling; state a level below 100%%\n");
        return false;
    }
    if ((a->cfg.targets.has_rto && !(a->cfg.targets.rto_s > 0.0)) ||
        (a->cfg.targets.has_rpo && a->cfg.targets.rpo_s < 0.0)) {
        fprintf(stderr, "drsim: plan: an RTO target of 0 contradicts detection taking any time; "
                        "state one above 0\n");
        return false;
    }
    return true;
}

int command_plan(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        fputs(plan_help, stdout);
        return CLI_EXIT_OK;
    }
    plan_args a;
    if (parse_args(argc, argv, &a) != 0)
        return CLI_EXIT_BAD_INPUT;
    diag_list diag;
    diag_init(&diag);
    plan_space space;
    if (plan_space_load(&space, a.path, &diag) != 0) {
        diag_print(&diag, stderr);
        diag_free(&diag);
        return CLI_EXIT_BAD_INPUT;
    }
    char err[512] = "";
    int status = CLI_EXIT_OK;
    if (!targets_ok(&space, &a)) {
        status = CLI_EXIT_BAD_INPUT;
    } else if (a.plot_dir && outfile_make_dirs(a.plot_dir, err, sizeof err) != 0) {
        fprintf(stderr, "drsim: %s\n", err);
        status = CLI_EXIT_BAD_INPUT;
    }
    plan_result result = {0};
    if (status == CLI_EXIT_OK) {
        a.cfg.check.seed = a.seed;
        a.cfg.check.threads = (int)a.threads;
        a.cfg.check.max_trials = a.max_trials;
        if (plan_run(&space, &a.cfg, &result, &diag, err, sizeof err) != 0) {
            if (err[0] != '\0')
                fprintf(stderr, "drsim: %s\n", err);
            diag_print(&diag, stderr);
            status = CLI_EXIT_BAD_INPUT;
        } else {
            if (!a.quiet)
                plan_print(stdout, &space, &a.cfg, &result);
            status = result.winner >= 0 ? CLI_EXIT_OK : CLI_EXIT_TARGET_MISSED;
            if (a.csv_path && plan_write_csv(&space, &result, a.csv_path, err, sizeof err) != 0) {
                fprintf(stderr, "drsim: %s\n", err);
                status = CLI_EXIT_BAD_INPUT;
            }
            if (a.plot_dir && plan_plot(&space, &result, a.plot_dir, err, sizeof err) != 0)
                fprintf(stderr, "drsim: warning: no plot: %s\n", err);
        }
    }
    plan_result_free(&result);
    plan_space_free(&space);
    diag_free(&diag);
    return status;
}
