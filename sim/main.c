/*
 * main — the command line (SPEC §1).  It only parses arguments and
 * dispatches; everything else lives in the modules.
 *
 * Exit status: 0 success; 1 a stated target or check was not met; 2 bad
 * usage or bad input; 130 when run, check or table strategies
 * is interrupted by SIGINT or SIGTERM (runner.h).  Errors go to stderr, one line per problem, starting
 * with "drsim: " or, for scenario problems, "FILE:LINE:COL: error: ".
 *
 * Under MPI (mpi_support.h, docs/cluster.md) every rank runs main(); only
 * rank 0 prints, and a signal ends the job instead of being caught.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "cli.h"
#include "diag.h"
#include "duration.h"
#include "mpi_support.h"
#include "outfile.h"
#include "report.h"
#include "runner.h"
#include "scenario.h"
#include "sla_table.h"
#include "strategies.h"

#define DRSIM_VERSION "0.1.0"

enum exit_status {
    EXIT_OK = CLI_EXIT_OK,
    EXIT_TARGET_MISSED = CLI_EXIT_TARGET_MISSED,
    EXIT_BAD_INPUT = CLI_EXIT_BAD_INPUT
};

const char usage_text[] =
    "usage: drsim run SCENARIO [--trials N] [--seed S] [--horizon D] [--threads T]\n"
    "                          [--csv DIR] [--plot DIR] [--quiet] [--trace K]\n"
    "       drsim check SCENARIO [--availability P] [--rto D] [--rpo D] [--confidence C]\n"
    "                            [--max-trials N] [--junit FILE] [--seed S] [--threads T] [--quiet]\n"
    "       drsim experiment EXPERIMENT --scenario SCENARIO [--seed S] [--repeat N]\n"
    "                        [--csv DIR] [--plot DIR] [--template ID] [--quiet]\n"
    "       drsim plan PLAN [--availability P] [--rto D] [--rpo D] [--max-cost USD]\n"
    "                  [--csv FILE] [--plot DIR] [--seed S] [--threads T] [--quiet]\n"
    "       drsim validate SCENARIO\n"
    "       drsim table sla [--availability P]... [--csv FILE]\n"
    "       drsim table strategies [--trials N] [--seed S] [--csv FILE]\n"
    "       drsim --help | drsim COMMAND --help | drsim --version\n";

static const char run_help[] =
    "usage: drsim run SCENARIO [options]\n"
    "\n"
    "Simulates the scenario's trials and prints availability, downtime per year,\n"
    "incidents per year and MTTR, each with a 95% interval across trials.\n"
    "\n"
    "  --trials N     trials to run (default: the scenario's `trials`, else 1000)\n"
    "  --seed S       random seed (default: the scenario's `seed`, else 1)\n"
    "  --horizon D    simulated time per trial, e.g. 10y (default: scenario, else 1y)\n"
    "  --threads T    worker threads (default: the number of cores); the results\n"
    "                 are byte-identical for every T\n"
    "  --csv DIR      write DIR/summary.csv, DIR/trials.csv, DIR/incidents.csv\n"
    "  --plot DIR     draw DIR/downtime.png and DIR/timeline.png with gnuplot\n"
    "  --quiet        print no summary table and no progress bar\n"
    "  --trace K      first narrate trial K: every failure, detection, failover step\n"
    "                 and recovery, one line each with its date and time\n"
    "\n"
    "Exit status: 0 done; 1 the scenario's availability target was missed;\n"
    "2 bad usage or bad input; 130 (SIGINT or SIGTERM) interrupted: the\n"
    "trials completed are summarised and written, marked partial.\n";

static const char validate_help[] =
    "usage: drsim validate SCENARIO\n"
    "\n"
    "Parses and checks the scenario.  Prints nothing and exits 0 when it is\n"
    "valid; otherwise prints one FILE:LINE:COL: error: line per problem and\n"
    "exits 2.\n";

static const char check_help[] =
    "usage: drsim check SCENARIO [options]\n"
    "\n"
    "Decides, with stated confidence, whether the scenario meets its targets:\n"
    "trials are added in looks (200, then doubling up to --max-trials) until\n"
    "each target's interval lies wholly above it (PASS) or below it (FAIL).\n"
    "Each look's interval is at 1 - (1 - C)/looks (Bonferroni), so a verdict\n"
    "is wrong with probability at most 1 - C.  A target still undecided after\n"
    "the last look fails: \"not shown at 95% after N trials\".  docs/ci.md\n"
    "explains the rule.\n"
    "\n"
    "  --availability P  mean availability at least P (99.99% or 0.9999)\n"
    "  --rto D           95% of the disasters that hit the running service are\n"
    "                    recovered within D (the 95th percentile of RTO <= D)\n"
    "  --rpo D           95% of them lose at most D of data\n"
    "                    (targets not given take the scenario's `targets:`)\n"
    "  --confidence C    confidence of the verdicts (default 0.95; 0.99 or 99%)\n"
    "  --max-trials N    trials at the last look (default 10000); the horizon is\n"
    "                    the scenario's\n"
    "  --junit FILE      write the verdicts as JUnit XML, one testcase per target\n"
    "  --seed S          random seed (default: the scenario's `seed`, else 1)\n"
    "  --threads T       worker threads (default: the number of cores); the\n"
    "                    verdicts are the same for every T\n"
    "  --quiet           print nothing on stdout\n"
    "\n"
    "Exit status: 0 every target passed; 1 a target failed or was not shown;\n"
    "2 bad usage or bad input (no target, a target the scenario cannot\n"
    "measure, a bad scenario or option); 130 (SIGINT or SIGTERM)\n"
    "interrupted, with no verdict.\n";

static const char table_help[] =
    "usage: drsim table sla [--availability P]... [--csv FILE]\n"
    "       drsim table strategies [--trials N] [--seed S] [--csv FILE]\n"
    "\n"
    "table sla          allowed downtime per year, month (30 d) and week for\n"
    "                   99%, 99.9%, 99.95%, 99.99% and 99.999%; --availability\n"
    "                   adds a level (99.9% or 0.999), --csv writes the table.\n"
    "table strategies   the chapter's five DR strategies simulated on the same\n"
    "                   disasters: RTO and RPO p50/p95 over region outages,\n"
    "                   availability and cost per year, beside the chapter's\n"
    "                   labels with a verdict for each.\n"
    "                   --trials N, --seed S override the scenarios'; --threads T;\n"
    "                   --scenarios DIR (default $DRSIM_SCENARIOS, ./scenarios, or\n"
    "                   the installed ones); --csv FILE.  Exit 1 when the chapter's\n"
    "                   ordering (RTO, RPO not growing, cost growing) does not hold.\n";

/* SIGINT and SIGTERM stop run, check and table strategies cleanly
 * (runner.h): the exit status is then 130 for either (issue 6's contract:
 * one status for "interrupted", whichever signal a scheduler sends). */
static void catch_interrupts(void)
{
    if (runner_catch_interrupts() != 0)
        fprintf(stderr, "drsim: warning: cannot catch SIGINT and SIGTERM: %s\n", strerror(errno));
}

static int interrupted_status(void)
{
    return 130;
}

/* After the options, exactly one scenario path. */
static int take_one_scenario(int argc, char **argv, const char *command, const char **path)
{
    if (optind >= argc) {
        cli_usage_error("%s: which scenario?", command);
        return -1;
    }
    if (argc - optind > 1) {
        cli_usage_error("%s takes one scenario, not also '%s'", command, argv[optind + 1]);
        return -1;
    }
    *path = argv[optind];
    return 0;
}

/* ---- drsim run ------------------------------------------------------------------------- */

typedef struct run_args {
    const char *scenario_path;
    const char *csv_dir, *plot_dir;
    bool has_trials, has_seed, has_horizon, quiet, has_trace;
    unsigned long long trials, seed, threads, trace_trial;
    double horizon_s;
} run_args;

static int parse_run_args(int argc, char **argv, run_args *a)
{
    static const struct option options[] = {
        {"trials", required_argument, NULL, 't'}, {"seed", required_argument, NULL, 's'},
        {"horizon", required_argument, NULL, 'H'}, {"threads", required_argument, NULL, 'j'},
        {"csv", required_argument, NULL, 'c'},    {"plot", required_argument, NULL, 'p'},
        {"quiet", no_argument, NULL, 'q'},        {"trace", required_argument, NULL, 'T'},
        {NULL, 0, NULL, 0}};
    memset(a, 0, sizeof *a);
    a->threads = (unsigned long long)runner_default_threads();
    optind = 1;
    opterr = 0;
    int option;
    while ((option = getopt_long(argc, argv, ":q", options, NULL)) != -1) {
        char err[256];
        switch (option) {
        case 't':
            if (!cli_parse_whole("--trials", optarg, 1, SCENARIO_MAX_TRIALS, &a->trials))
                return -1;
            a->has_trials = true;
            break;
        case 's':
            if (!cli_parse_whole("--seed", optarg, 0, UINT64_MAX, &a->seed))
                return -1;
            a->has_seed = true;
            break;
        case 'H':
            if (duration_parse(optarg, &a->horizon_s, err, sizeof err) != 0) {
                fprintf(stderr, "drsim: --horizon: %s\n", err);
                return -1;
            }
            if (!(a->horizon_s > 0.0) || a->horizon_s > SCENARIO_MAX_HORIZON_S) {
                fprintf(stderr, "drsim: --horizon: must be more than 0 and at most 10000y\n");
                return -1;
            }
            a->has_horizon = true;
            break;
        case 'j':
            if (!cli_parse_whole("--threads", optarg, 1, RUNNER_MAX_THREADS, &a->threads))
                return -1;
            break;
        case 'c':
            a->csv_dir = optarg;
            break;
        case 'p':
            a->plot_dir = optarg;
            break;
        case 'q':
            a->quiet = true;
            break;
        case 'T':
            if (!cli_parse_whole("--trace", optarg, 0, SCENARIO_MAX_TRIALS, &a->trace_trial))
                return -1;
            a->has_trace = true;
            break;
        case ':':
            cli_usage_error("option %s needs a value", argv[optind - 1]);
            return -1;
        default:
            cli_usage_error("unknown option '%s'", argv[optind - 1]);
            return -1;
        }
    }
    return take_one_scenario(argc, argv, "run", &a->scenario_path);
}

/* Refuses a run that would take hours of simulation per trial. */
static bool effort_ok(const scenario *sc, const char *path, double horizon_s)
{
    double events = scenario_expected_events(sc, horizon_s);
    if (events <= SCENARIO_MAX_EVENTS_PER_TRIAL)
        return true;
    fprintf(stderr,
            "drsim: %s: about %.3g events per trial over the %s horizon (at most %.0e): check the "
            "units of `fail` and `repair`, or shorten the horizon\n",
            path, events, duration_format(horizon_s, (char[32]){0}, 32),
            SCENARIO_MAX_EVENTS_PER_TRIAL);
    return false;
}

/* Narrates one trial on stdout before the run (it gives the same record as
 * in the run itself: trial K depends only on the seed and K). */
static int trace_trial(const scenario *sc, const run_config *cfg, unsigned long long trial)
{
    if (trial >= cfg->trials) {
        fprintf(stderr, "drsim: --trace: trial %llu does not exist (the run has %llu trials)\n",
                trial, (unsigned long long)cfg->trials);
        return -1;
    }
    trial_world *world = trial_world_create(sc);
    if (world == NULL) {
        fprintf(stderr, "drsim: out of memory\n");
        return -1;
    }
    char horizon[32];
    printf("trace of trial %llu of %s (seed %llu, %s; t = 0 is 2026-01-01 00:00 UTC)\n", trial,
           sc->name, (unsigned long long)cfg->seed,
           duration_format(cfg->horizon_s, horizon, sizeof horizon));
    trial_set_trace(world, stdout);
    trial_result result;
    incident_list incidents = {0};
    disaster_list disasters = {0};
    int rc = trial_run(world, cfg->seed, trial, cfg->horizon_s, &result, &incidents, &disasters);
    if (rc == 0)
        printf("end of trial %llu: %llu incidents, availability %.6f%%\n\n", trial,
               (unsigned long long)result.incidents, 100.0 * result.uptime_s / cfg->horizon_s);
    else
        fprintf(stderr, "drsim: out of memory while tracing\n");
    incident_list_free(&incidents);
    disaster_list_free(&disasters);
    trial_world_destroy(world);
    return rc;
}

static int command_run(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        fputs(run_help, stdout);
        return EXIT_OK;
    }
    run_args a;
    if (parse_run_args(argc, argv, &a) != 0)
        return EXIT_BAD_INPUT;
    catch_interrupts();
    scenario sc;
    if (cli_load_scenario(a.scenario_path, &sc) != 0)
        return EXIT_BAD_INPUT;

    run_config cfg = {
        .trials = a.has_trials ? a.trials : sc.trials,
        .seed = a.has_seed ? a.seed : sc.seed,
        .horizon_s = a.has_horizon ? a.horizon_s : sc.horizon_s,
        .threads = (int)a.threads,
        .progress = !a.quiet && isatty(STDERR_FILENO),
        .partial_ok = true, /* an interrupted run reports the trials it completed */
    };
    if (!effort_ok(&sc, a.scenario_path, cfg.horizon_s)) {
        scenario_free(&sc);
        return EXIT_BAD_INPUT;
    }
    char err[512];
    /* create output directories before hours of simulation, not after */
    if ((a.csv_dir && outfile_make_dirs(a.csv_dir, err, sizeof err) != 0) ||
        (a.plot_dir && outfile_make_dirs(a.plot_dir, err, sizeof err) != 0)) {
        fprintf(stderr, "drsim: %s\n", err);
        scenario_free(&sc);
        return EXIT_BAD_INPUT;
    }

    if (a.has_trace && trace_trial(&sc, &cfg, a.trace_trial) != 0) {
        scenario_free(&sc);
        return EXIT_BAD_INPUT;
    }

    run_results results;
    if (runner_run(&sc, &cfg, &results, err, sizeof err) != 0) {
        fprintf(stderr, "drsim: %s\n", err);
        scenario_free(&sc);
        return EXIT_BAD_INPUT;
    }
    if (results.interrupted != 0 && results.trials == 0) {
        fprintf(stderr, "drsim: interrupted by %s before any trial completed: nothing written\n",
                runner_signal_name(results.interrupted));
        run_results_free(&results);
        scenario_free(&sc);
        return interrupted_status();
    }
    /* An interrupted run goes on with the trials it completed (trials
     * 0 .. N-1): summarised, printed and written like a whole run, and
     * marked partial in the table, on stderr and in summary.csv. */
    if (results.interrupted != 0)
        fprintf(stderr, "drsim: partial: %llu of %llu trials, interrupted by %s\n",
                (unsigned long long)results.trials, (unsigned long long)results.requested,
                runner_signal_name(results.interrupted));
    run_summary summary;
    int status = EXIT_OK;
    if (report_summarize(&sc, &results, cfg.horizon_s, &summary) != 0) {
        fprintf(stderr, "drsim: out of memory while summarising\n");
        status = EXIT_BAD_INPUT;
    } else {
        if (!a.quiet)
            report_print(stdout, &sc, &cfg, &summary, results.wall_s);
        if (!report_targets_met(&sc, &summary))
            status = EXIT_TARGET_MISSED;
        if (a.csv_dir && report_write_csv(a.csv_dir, &sc, &results, &summary, err, sizeof err) != 0) {
            fprintf(stderr, "drsim: %s\n", err);
            status = EXIT_BAD_INPUT;
        }
        if (a.plot_dir &&
            report_write_plots(a.plot_dir, &sc, &results, cfg.horizon_s, err, sizeof err) != 0)
            fprintf(stderr, "drsim: warning: no plots: %s\n", err);
    }
    run_results_free(&results);
    scenario_free(&sc);
    if (runner_interrupt != 0 && status != EXIT_BAD_INPUT)
        status = interrupted_status();
    return status;
}

/* ---- drsim validate -------------------------------------------------------------------- */

static int command_validate(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        fputs(validate_help, stdout);
        return EXIT_OK;
    }
    if (argc == 2 && argv[1][0] == '-' && argv[1][1] != '\0') {
        fprintf(stderr, "drsim: unknown option '%s'\n%s", argv[1], validate_help);
        return EXIT_BAD_INPUT;
    }
    if (argc != 2) {
        fprintf(stderr, "drsim: validate takes exactly one scenario\n%s", validate_help);
        return EXIT_BAD_INPUT;
    }
    scenario sc;
    if (cli_load_scenario(argv[1], &sc) != 0)
        return EXIT_BAD_INPUT;
    bool ok = effort_ok(&sc, argv[1], sc.horizon_s);
    scenario_free(&sc);
    return ok ? EXIT_OK : EXIT_BAD_INPUT;
}

/* ---- drsim table ----------------------------------------------------------------------- */

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static bool parse_level(const char *text, double *out)
{
    double value;
    if (duration_parse_fraction(text, &value) != 0)
        return false;
    if (!(value > 0.0 && value <= 1.0))
        return false;
    *out = value;
    return true;
}

static int command_table_sla(int argc, char **argv)
{
    static const struct option options[] = {{"availability", required_argument, NULL, 'a'},
                                            {"csv", required_argument, NULL, 'c'},
                                            {NULL, 0, NULL, 0}};
    double levels[64];
    size_t n = 0;
    for (size_t i = 0; i < 5; i++)
        levels[n++] = sla_default_levels[i];
    const char *csv_path = NULL;
    optind = 1;
    opterr = 0;
    int option;
    while ((option = getopt_long(argc, argv, ":", options, NULL)) != -1) {
        switch (option) {
        case 'a': {
            double level;
            if (!parse_level(optarg, &level)) {
                fprintf(stderr,
                        "drsim: --availability: '%s' is not a level in (0, 1] such as 99.9%% or 0.999\n",
                        optarg);
                return EXIT_BAD_INPUT;
            }
            if (n == sizeof levels / sizeof levels[0]) {
                fprintf(stderr, "drsim: --availability: at most %zu levels\n", n);
                return EXIT_BAD_INPUT;
            }
            levels[n++] = level;
            break;
        }
        case 'c':
            csv_path = optarg;
            break;
        case ':':
            fprintf(stderr, "drsim: option %s needs a value\n%s", argv[optind - 1], table_help);
            return EXIT_BAD_INPUT;
        default:
            fprintf(stderr, "drsim: unknown option '%s'\n%s", argv[optind - 1], table_help);
            return EXIT_BAD_INPUT;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "drsim: table sla takes no argument '%s'\n%s", argv[optind], table_help);
        return EXIT_BAD_INPUT;
    }
    qsort(levels, n, sizeof levels[0], compare_doubles);
    size_t unique = 0;
    for (size_t i = 0; i < n; i++)
        if (unique == 0 || levels[i] != levels[unique - 1])
            levels[unique++] = levels[i];
    sla_table_print(stdout, levels, unique);
    if (csv_path != NULL) {
        char err[512];
        if (sla_table_write_csv(csv_path, levels, unique, err, sizeof err) != 0) {
            fprintf(stderr, "drsim: %s\n", err);
            return EXIT_BAD_INPUT;
        }
    }
    return EXIT_OK;
}

#ifndef DRSIM_DATADIR
#define DRSIM_DATADIR "/usr/local/share/drsim"
#endif

static bool is_directory(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The committed report: the table, the reasons, the variants and the plots,
 * with nothing that changes between identical runs (no dates, no timings). */
static int write_strategies_markdown(const char *path, const strategy_row rows[],
                                     const strategy_row variants[], size_t n_variants,
                                     const strategy_options *opts, char *err, size_t err_size)
{
    outfile file;
    if (outfile_open(&file, path, err, err_size) != 0)
        return -1;
    FILE *out = file.fp;
    fprintf(out, "# DR strategies, measured\n\n");
    fprintf(out, "Generated by `make reports` (`drsim table strategies --markdown %s`), drsim %s. "
                 "The chapter's table (../shared/seed, \"DR Strategies\") is checked here, not "
                 "copied: each strategy is a scenario in `scenarios/` extending `dr-base.yaml`, "
                 "simulated on the same disasters (common random numbers)%s.  RTO runs from a "
                 "region outage to full service; RPO is the data that outage lost; both are "
                 "percentiles over the outages of a region the service was running in.  "
                 "docs/strategies.md walks through the table.\n\n",
            path, DRSIM_VERSION, opts->trials ? "" : ", each with its own trial count and seed");
    strategies_print_markdown(out, rows, STRATEGY_COUNT);
    char why[256];
    bool holds = strategies_ordering_holds(rows, STRATEGY_COUNT, why, sizeof why);
    fprintf(out, "\nOrdering: %s%s.\n", holds ? "" : "BROKEN: ", why);
    if (n_variants > 0) {
        fprintf(out, "\n## Variants tuned toward the missed labels\n\n");
        strategies_print_markdown(out, variants, n_variants);
    }
    if (opts->plot_dir != NULL) {
        fprintf(out, "\n## Plots\n\n![cost against RTO](cost-vs-rto.png)\n\n");
        for (size_t i = 0; i < STRATEGY_COUNT; i++) {
            char stem[96];
            snprintf(stem, sizeof stem, "%s", rows[i].file);
            char *dot = strrchr(stem, '.');
            if (dot != NULL)
                *dot = '\0';
            fprintf(out, "![%s: downtime per trial-year](downtime-%s.png)\n", rows[i].title, stem);
        }
    }
    return outfile_commit(&file, err, err_size);
}

/* The status of a strategies table that could not be finished. */
static int strategies_stopped(void)
{
    if (runner_interrupt == 0)
        return EXIT_BAD_INPUT;
    fprintf(stderr, "drsim: table strategies: interrupted by %s: no table written\n",
            runner_signal_name(runner_interrupt));
    return interrupted_status();
}

static int command_table_strategies(int argc, char **argv)
{
    static const struct option options[] = {
        {"trials", required_argument, NULL, 't'}, {"seed", required_argument, NULL, 's'},
        {"csv", required_argument, NULL, 'c'},    {"threads", required_argument, NULL, 'j'},
        {"scenarios", required_argument, NULL, 'd'}, {"plot", required_argument, NULL, 'p'},
        {"markdown", required_argument, NULL, 'm'}, {NULL, 0, NULL, 0}};
    strategy_options opts = {.dir = NULL, .threads = runner_default_threads()};
    const char *csv_path = NULL, *markdown_path = NULL;
    unsigned long long value;
    optind = 1;
    opterr = 0;
    int option;
    while ((option = getopt_long(argc, argv, ":", options, NULL)) != -1) {
        switch (option) {
        case 't':
            if (!cli_parse_whole("--trials", optarg, 1, SCENARIO_MAX_TRIALS, &value))
                return EXIT_BAD_INPUT;
            opts.trials = value;
            break;
        case 's':
            if (!cli_parse_whole("--seed", optarg, 0, UINT64_MAX, &value))
                return EXIT_BAD_INPUT;
            opts.seed = value;
            opts.has_seed = true;
            break;
        case 'j':
            if (!cli_parse_whole("--threads", optarg, 1, RUNNER_MAX_THREADS, &value))
                return EXIT_BAD_INPUT;
            opts.threads = (int)value;
            break;
        case 'c':
            csv_path = optarg;
            break;
        case 'd':
            opts.dir = optarg;
            break;
        case 'p':
            opts.plot_dir = optarg;
            break;
        case 'm':
            markdown_path = optarg;
            break;
        case ':':
            fprintf(stderr, "drsim: option %s needs a value\n%s", argv[optind - 1], table_help);
            return EXIT_BAD_INPUT;
        default:
            fprintf(stderr, "drsim: unknown option '%s'\n%s", argv[optind - 1], table_help);
            return EXIT_BAD_INPUT;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "drsim: table strategies takes no argument '%s'\n%s", argv[optind],
                table_help);
        return EXIT_BAD_INPUT;
    }
    if (opts.dir == NULL)
        opts.dir = getenv("DRSIM_SCENARIOS");
    if (opts.dir == NULL)
        opts.dir = is_directory("scenarios") ? "scenarios" : DRSIM_DATADIR "/scenarios";
    if (!is_directory(opts.dir)) {
        fprintf(stderr, "drsim: no scenario directory '%s' (use --scenarios DIR)\n", opts.dir);
        return EXIT_BAD_INPUT;
    }
    char err[512];
    if (opts.plot_dir != NULL && outfile_make_dirs(opts.plot_dir, err, sizeof err) != 0) {
        fprintf(stderr, "drsim: %s\n", err);
        return EXIT_BAD_INPUT;
    }
    /* An interrupt stops the scenario being measured ("drsim: FILE:
     * interrupted by SIGINT"); the table needs all five, so none is written. */
    catch_interrupts();
    strategy_row rows[STRATEGY_COUNT], variants[STRATEGY_VARIANT_COUNT];
    strategies_init(rows);
    strategies_init_variants(variants);
    for (size_t i = 0; i < STRATEGY_COUNT; i++)
        if (strategies_measure(&opts, &rows[i], stderr) != 0)
            return strategies_stopped();
    /* the variants, where the scenario directory has them */
    size_t n_variants = 0;
    for (size_t i = 0; i < STRATEGY_VARIANT_COUNT; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", opts.dir, variants[i].file);
        if (access(path, R_OK) != 0)
            continue;
        variants[n_variants] = variants[i];
        if (strategies_measure(&opts, &variants[n_variants], stderr) != 0)
            return strategies_stopped();
        n_variants++;
    }
    strategies_print(stdout, rows, STRATEGY_COUNT, &opts);
    if (n_variants > 0) {
        printf("\nVariants tuned toward the labels missed above (not part of the ordering):\n");
        for (size_t i = 0; i < n_variants; i++) {
            char p50[32], rpo50[32];
            printf("%-20s RTO p50 %-9s (%s: %s)  RPO p50 %-9s (%s: %s)\n", variants[i].title,
                   duration_format(variants[i].rto_p50_s, p50, sizeof p50), variants[i].seed_rto,
                   variants[i].rto_verdict, duration_format(variants[i].rpo_p50_s, rpo50, sizeof rpo50),
                   variants[i].seed_rpo, variants[i].rpo_verdict);
        }
    }
    if (csv_path != NULL && strategies_write_csv(csv_path, rows, STRATEGY_COUNT, err, sizeof err) != 0) {
        fprintf(stderr, "drsim: %s\n", err);
        return EXIT_BAD_INPUT;
    }
    if (opts.plot_dir != NULL && strategies_plot_cost(opts.plot_dir, rows, STRATEGY_COUNT, err,
                                                      sizeof err) != 0)
        fprintf(stderr, "drsim: warning: no plot: %s\n", err);
    if (markdown_path != NULL &&
        write_strategies_markdown(markdown_path, rows, variants, n_variants, &opts, err,
                                  sizeof err) != 0) {
        fprintf(stderr, "drsim: %s\n", err);
        return EXIT_BAD_INPUT;
    }
    if (runner_interrupt != 0) /* after the last trial: the table is whole, but say so */
        return interrupted_status();
    char why[256];
    return strategies_ordering_holds(rows, STRATEGY_COUNT, why, sizeof why) ? EXIT_OK
                                                                           : EXIT_TARGET_MISSED;
}

static int command_table(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "drsim: table: which table? (sla or strategies)\n%s", table_help);
        return EXIT_BAD_INPUT;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(table_help, stdout);
        return EXIT_OK;
    }
    if (cli_wants_help(argc - 1, argv + 1)) {
        fputs(table_help, stdout);
        return EXIT_OK;
    }
    if (strcmp(argv[1], "sla") == 0)
        return command_table_sla(argc - 1, argv + 1);
    if (strcmp(argv[1], "strategies") == 0)
        return command_table_strategies(argc - 1, argv + 1);
    fprintf(stderr, "drsim: unknown table '%s' (use sla or strategies)\n%s", argv[1], table_help);
    return EXIT_BAD_INPUT;
}

/* ---- drsim check ----------------------------------------------------------------------- */

typedef struct check_args {
    const char *scenario_path;
    const char *junit_path;
    scenario_targets targets;   /* the ones given as options */
    bool has_seed, quiet;
    unsigned long long seed, threads, max_trials;
    double confidence;
} check_args;

static int parse_check_args(int argc, char **argv, check_args *a)
{
    static const struct option options[] = {
        {"availability", required_argument, NULL, 'a'}, {"rto", required_argument, NULL, 'r'},
        {"rpo", required_argument, NULL, 'd'},          {"confidence", required_argument, NULL, 'C'},
        {"max-trials", required_argument, NULL, 'n'},  {"junit", required_argument, NULL, 'J'},
        {"seed", required_argument, NULL, 's'},         {"threads", required_argument, NULL, 'j'},
        {"quiet", no_argument, NULL, 'q'},              {NULL, 0, NULL, 0}};
    memset(a, 0, sizeof *a);
    a->threads = (unsigned long long)runner_default_threads();
    a->max_trials = CHECK_DEFAULT_MAX_TRIALS;
    a->confidence = CHECK_DEFAULT_CONFIDENCE;
    optind = 1;
    opterr = 0;
    int option;
    while ((option = getopt_long(argc, argv, ":q", options, NULL)) != -1) {
        switch (option) {
        case 'a':
        case 'r':
        case 'd':
            if (!cli_parse_target(option == 'a' ? "availability" : option == 'r' ? "rto" : "rpo",
                                  optarg, &a->targets))
                return -1;
            break;
        case 'C':
            if (!cli_parse_confidence(optarg, &a->confidence))
                return -1;
            break;
        case 'n':
            if (!cli_parse_whole("--max-trials", optarg, 1, SCENARIO_MAX_TRIALS, &a->max_trials))
                return -1;
            break;
        case 'J':
            a->junit_path = optarg;
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
    return take_one_scenario(argc, argv, "check", &a->scenario_path);
}

/* The options' targets over the scenario's; false with a message when a
 * stated target cannot be measured on this scenario. */
static bool check_targets(const scenario *sc, const check_args *a, scenario_targets *out)
{
    const scenario_targets *given = &a->targets;
    *out = check_targets_over(&sc->targets, given);
    bool ok = true;
    const bool has[2] = {out->has_rto, out->has_rpo};
    const bool from_option[2] = {given->has_rto, given->has_rpo};
    const double limit_s[2] = {out->rto_s, out->rpo_s};
    for (int i = 0; i < 2; i++) {
        const char *why = has[i] ? check_unmeasurable(sc, i == 0 ? CHECK_RTO : CHECK_RPO) : NULL;
        if (why == NULL)
            continue;
        char limit[32];
        duration_format(limit_s[i], limit, sizeof limit);
        if (from_option[i])
            fprintf(stderr, "drsim: --%s %s: not measurable: %s\n", i == 0 ? "rto" : "rpo", limit,
                    why);
        else
            fprintf(stderr, "drsim: %s: targets.%s %s: not measurable: %s\n", a->scenario_path,
                    i == 0 ? "rto" : "rpo", limit, why);
        ok = false;
    }
    return ok;
}

static int command_check(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        fputs(check_help, stdout);
        return EXIT_OK;
    }
    check_args a;
    if (parse_check_args(argc, argv, &a) != 0)
        return EXIT_BAD_INPUT;
    catch_interrupts();
    scenario sc;
    if (cli_load_scenario(a.scenario_path, &sc) != 0)
        return EXIT_BAD_INPUT;

    scenario_targets targets;
    if (!check_targets(&sc, &a, &targets)) {
        scenario_free(&sc);
        return EXIT_BAD_INPUT;
    }
    if (!targets.has_availability && !targets.has_rto && !targets.has_rpo) {
        cli_usage_error("check: %s states no target: give --availability, --rto or --rpo, or add "
                    "`targets:` to the scenario",
                    a.scenario_path);
        scenario_free(&sc);
        return EXIT_BAD_INPUT;
    }
    check_config cfg = {.confidence = a.confidence,
                        .max_trials = a.max_trials,
                        .seed = a.has_seed ? a.seed : sc.seed,
                        .horizon_s = sc.horizon_s,
                        .threads = (int)a.threads};
    if (!effort_ok(&sc, a.scenario_path, cfg.horizon_s)) {
        scenario_free(&sc);
        return EXIT_BAD_INPUT;
    }
    char err[512];
    /* a bad --junit path fails before the simulation, not after */
    outfile junit = {0};
    if (a.junit_path != NULL && outfile_open(&junit, a.junit_path, err, sizeof err) != 0) {
        fprintf(stderr, "drsim: --junit: %s\n", err);
        scenario_free(&sc);
        return EXIT_BAD_INPUT;
    }

    check_report report;
    check_report_init(&report, &targets);
    if (check_run(&sc, &cfg, &report, err, sizeof err) != 0) {
        /* interrupted: a verdict needs its looks, so there is none, and
         * the --junit temporary is removed */
        if (runner_interrupt != 0)
            fprintf(stderr, "drsim: check: interrupted by %s: no verdict%s\n",
                    runner_signal_name(runner_interrupt),
                    a.junit_path != NULL ? ", no JUnit report written" : "");
        else
            fprintf(stderr, "drsim: %s\n", err);
        if (a.junit_path != NULL)
            outfile_abort(&junit);
        scenario_free(&sc);
        return runner_interrupt != 0 ? interrupted_status() : EXIT_BAD_INPUT;
    }
    if (!a.quiet)
        check_print(stdout, &sc, &cfg, &report);
    int status = check_all_passed(&report) ? EXIT_OK : EXIT_TARGET_MISSED;
    if (a.junit_path != NULL) {
        if (check_write_junit(junit.fp, &sc, &cfg, &report) != 0) {
            fprintf(stderr, "drsim: --junit: cannot write '%s'\n", a.junit_path);
            outfile_abort(&junit);
            status = EXIT_BAD_INPUT;
        } else if (outfile_commit(&junit, err, sizeof err) != 0) {
            fprintf(stderr, "drsim: --junit: %s\n", err);
            status = EXIT_BAD_INPUT;
        }
    }
    scenario_free(&sc);
    if (runner_interrupt != 0 && status != EXIT_BAD_INPUT)
        status = interrupted_status(); /* after the last look: the verdicts stand */
    return status;
}

static int dispatch(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "drsim: missing command\n%s", usage_text);
        return EXIT_BAD_INPUT;
    }
    const char *command = argv[1];
    if (strcmp(command, "--help") == 0 || strcmp(command, "-h") == 0 ||
        strcmp(command, "help") == 0) {
        fputs(usage_text, stdout);
        return EXIT_OK;
    }
    if (strcmp(command, "--version") == 0) {
        printf("drsim %s\n", DRSIM_VERSION);
        return EXIT_OK;
    }
    if (strcmp(command, "run") == 0)
        return command_run(argc - 1, argv + 1);
    if (strcmp(command, "validate") == 0)
        return command_validate(argc - 1, argv + 1);
    if (strcmp(command, "check") == 0)
        return command_check(argc - 1, argv + 1);
    if (strcmp(command, "table") == 0)
        return command_table(argc - 1, argv + 1);
    if (strcmp(command, "experiment") == 0)
        return command_experiment(argc - 1, argv + 1);
    if (strcmp(command, "plan") == 0)
        return command_plan(argc - 1, argv + 1);
    cli_usage_error("unknown command '%s'", command);
    return EXIT_BAD_INPUT;
}

/* Under MPI (make MPI=1, docs/cluster.md) every rank runs the same command;
 * the runner divides the trials among them, and only rank 0 prints and
 * writes.  Without MPI, init and finish do nothing. */
int main(int argc, char **argv)
{
    if (mpi_support_init(&argc, &argv) != 0)
        return EXIT_BAD_INPUT;
    int status = dispatch(argc, argv);
    mpi_support_finish();
    return status;
}
