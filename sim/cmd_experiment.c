/*
 * cmd_experiment — `drsim experiment EXPERIMENT --scenario SCENARIO ...`,
 * the command line of include/experiment.h (dispatched from sim/main.c).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "diag.h"
#include "experiment.h"
#include "outfile.h"
#include "scenario.h"

#define EXPERIMENT_MAX_REPEATS 100000

const char experiment_help[] =
    "usage: drsim experiment EXPERIMENT --scenario SCENARIO [options]\n"
    "\n"
    "Rehearses an AWS FIS experiment offline: its targets are resolved on the\n"
    "scenario's resources (by resourceTags, filters, selectionMode), its\n"
    "actions are injected into a simulated run in startAfter order, its stop\n"
    "conditions are CloudWatch-like alarms over simulated metrics, and the\n"
    "steady-state hypothesis is checked before, during and after.  Narrates\n"
    "the run on stdout.  EXPERIMENT is a CloudFormation template holding an\n"
    "AWS::FIS::ExperimentTemplate, or drsim's experiment YAML\n"
    "(docs/experiments.md).\n"
    "\n"
    "  --scenario S   the scenario to run it against (required)\n"
    "  --seed S       random seed (default: the scenario's `seed`, else 1)\n"
    "  --repeat N     run N times (repeats 0..N-1 of the seed) and print the\n"
    "                 distribution of time to detect, time to recover, peak\n"
    "                 error rate, requests failed and data lost\n"
    "  --csv DIR      write DIR/timeline.csv and DIR/metrics.csv (of the first\n"
    "                 run) and, with --repeat, DIR/repeats.csv\n"
    "  --plot DIR     draw DIR/timeline.png with gnuplot\n"
    "  --template ID  the experiment template to run when the file has several\n"
    "  --quiet        print no narration and no summary\n"
    "\n"
    "Exit status: 0 completed (every run, with --repeat); 1 deviated, stopped\n"
    "or failed; 2 bad usage or bad input.\n";

typedef struct experiment_args {
    const char *experiment_path, *scenario_path, *csv_dir, *plot_dir, *template_id;
    bool has_seed, quiet;
    unsigned long long seed, repeat;
} experiment_args;

static int parse_args(int argc, char **argv, experiment_args *a)
{
    static const struct option options[] = {
        {"scenario", required_argument, NULL, 'S'}, {"seed", required_argument, NULL, 's'},
        {"repeat", required_argument, NULL, 'r'},   {"csv", required_argument, NULL, 'c'},
        {"plot", required_argument, NULL, 'p'},     {"template", required_argument, NULL, 'T'},
        {"quiet", no_argument, NULL, 'q'},          {NULL, 0, NULL, 0}};
    memset(a, 0, sizeof *a);
    a->repeat = 1;
    optind = 1;
    opterr = 0;
    int option;
    while ((option = getopt_long(argc, argv, ":q", options, NULL)) != -1) {
        switch (option) {
        case 'S':
            a->scenario_path = optarg;
            break;
        case 's':
            if (!cli_parse_whole("--seed", optarg, 0, UINT64_MAX, &a->seed))
                return -1;
            a->has_seed = true;
            break;
        case 'r':
            if (!cli_parse_whole("--repeat", optarg, 1, EXPERIMENT_MAX_REPEATS, &a->repeat))
                return -1;
            break;
        case 'c':
            a->csv_dir = optarg;
            break;
        case 'p':
            a->plot_dir = optarg;
            break;
        case 'T':
            a->template_id = optarg;
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
        cli_usage_error("experiment: which experiment file?");
        return -1;
    }
    if (argc - optind > 1) {
        cli_usage_error("experiment takes one experiment file, not also '%s'", argv[optind + 1]);
        return -1;
    }
    a->experiment_path = argv[optind];
    if (a->scenario_path == NULL) {
        cli_usage_error("experiment: which scenario? (--scenario SCENARIO)");
        return -1;
    }
    return 0;
}

static int write_outputs(const experiment_args *a, const experiment *ex, const experiment_run *runs,
                         size_t n)
{
    char err[512], path[4096];
    int status = 0;
    if (a->csv_dir != NULL) {
        snprintf(path, sizeof path, "%s/timeline.csv", a->csv_dir);
        if (experiment_write_timeline_csv(&runs[0], path, err, sizeof err) != 0) {
            fprintf(stderr, "drsim: %s\n", err);
            status = -1;
        }
        snprintf(path, sizeof path, "%s/metrics.csv", a->csv_dir);
        if (experiment_write_metrics_csv(ex, &runs[0], path, err, sizeof err) != 0) {
            fprintf(stderr, "drsim: %s\n", err);
            status = -1;
        }
        snprintf(path, sizeof path, "%s/repeats.csv", a->csv_dir);
        if (n > 1 && experiment_write_repeats_csv(runs, n, path, err, sizeof err) != 0) {
            fprintf(stderr, "drsim: %s\n", err);
            status = -1;
        }
    }
    if (a->plot_dir != NULL) {
        snprintf(path, sizeof path, "%s/timeline.png", a->plot_dir);
        if (experiment_plot(ex, &runs[0], path, err, sizeof err) != 0)
            fprintf(stderr, "drsim: warning: no plot: %s\n", err);
    }
    return status;
}

int command_experiment(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        fputs(experiment_help, stdout);
        return CLI_EXIT_OK;
    }
    experiment_args a;
    if (parse_args(argc, argv, &a) != 0)
        return CLI_EXIT_BAD_INPUT;
    scenario sc;
    if (cli_load_scenario(a.scenario_path, &sc) != 0)
        return CLI_EXIT_BAD_INPUT;
    experiment ex;
    diag_list diag;
    diag_init(&diag);
    int loaded = experiment_load(&ex, a.experiment_path, &sc, a.template_id, &diag);
    diag_print(&diag, stderr);
    diag_free(&diag);
    if (loaded != 0) {
        scenario_free(&sc);
        return CLI_EXIT_BAD_INPUT;
    }
    char err[512];
    if ((a.csv_dir && outfile_make_dirs(a.csv_dir, err, sizeof err) != 0) ||
        (a.plot_dir && outfile_make_dirs(a.plot_dir, err, sizeof err) != 0)) {
        fprintf(stderr, "drsim: %s\n", err);
        experiment_free(&ex);
        scenario_free(&sc);
        return CLI_EXIT_BAD_INPUT;
    }
    uint64_t seed = a.has_seed ? a.seed : sc.seed;
    size_t n = (size_t)a.repeat;
    experiment_run *runs = calloc(n, sizeof *runs);
    int status = CLI_EXIT_OK;
    if (runs == NULL) {
        fprintf(stderr, "drsim: out of memory\n");
        status = CLI_EXIT_BAD_INPUT;
    }
    bool narrate = !a.quiet && n == 1;
    if (narrate)
        printf("experiment %s against %s (seed %llu; times since the experiment's start)\n",
               ex.template_id ? ex.template_id : a.experiment_path, sc.name,
               (unsigned long long)seed);
    for (size_t i = 0; runs != NULL && i < n; i++) {
        if (experiment_run_once(&ex, &sc, seed, i, narrate ? stdout : NULL, &runs[i]) != 0) {
            fprintf(stderr, "drsim: out of memory while running the experiment\n");
            status = CLI_EXIT_BAD_INPUT;
            n = i + 1;
            break;
        }
        if (runs[i].status != STATUS_COMPLETED && status == CLI_EXIT_OK)
            status = CLI_EXIT_TARGET_MISSED;
    }
    if (runs != NULL && status != CLI_EXIT_BAD_INPUT) {
        if (ex.skip_all && !a.quiet)
            experiment_print_plan(&ex, &sc, &runs[0], stdout);
        if (!a.quiet && n == 1)
            experiment_print_summary(stdout, &ex, &runs[0]);
        if (!a.quiet && n > 1)
            experiment_print_distribution(stdout, runs, n, seed);
        if (write_outputs(&a, &ex, runs, n) != 0)
            status = CLI_EXIT_BAD_INPUT;
    }
    for (size_t i = 0; runs != NULL && i < n; i++)
        experiment_run_free(&runs[i]);
    free(runs);
    experiment_free(&ex);
    scenario_free(&sc);
    return status;
}
