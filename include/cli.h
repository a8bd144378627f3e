/*
 * cli — what the commands of the command line share (sim/main.c and the
 * sim/cmd_*.c files): exit statuses, usage errors, whole-number options,
 * --help detection and loading a scenario with its diagnostics on stderr.
 */
#ifndef DRSIM_CLI_H
#define DRSIM_CLI_H

#include <stdbool.h>

#include "diag.h"
#include "scenario.h"

enum { CLI_EXIT_OK = 0, CLI_EXIT_TARGET_MISSED = 1, CLI_EXIT_BAD_INPUT = 2 };

/* The synopsis of every command (sim/main.c). */
extern const char usage_text[];

/* "drsim: MESSAGE" and the synopsis, on stderr. */
void cli_usage_error(const char *fmt, ...) DIAG_PRINTF(1, 2);

/* A whole number from min to max; a message on stderr otherwise. */
bool cli_parse_whole(const char *option, const char *text, unsigned long long min,
                     unsigned long long max, unsigned long long *out);

/* The target options of check and plan: --availability P (a level in
 * (0, 1]), --rto D and --rpo D (durations) into *targets; a message on
 * stderr otherwise.  `option` is the option's name without dashes. */
bool cli_parse_target(const char *option, const char *text, scenario_targets *targets);

/* --confidence C: a level in (0, 1); a message on stderr otherwise. */
bool cli_parse_confidence(const char *text, double *out);

/* --help or -h before any "--". */
bool cli_wants_help(int argc, char **argv);

/* scenario_load with every diagnostic printed; 0 on success. */
int cli_load_scenario(const char *path, scenario *sc);

/* The commands that live outside sim/main.c. */
int command_experiment(int argc, char **argv);
int command_plan(int argc, char **argv);

#endif
