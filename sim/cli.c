/* cli — see include/cli.h. */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"

void cli_usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "drsim: ");
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n%s", usage_text);
}

bool cli_parse_whole(const char *option, const char *text, unsigned long long min,
                     unsigned long long max, unsigned long long *out)
{
    char *end = NULL;
    errno = 0;
    unsigned long long value = strtoull(text, &end, 10);
    if (text[0] == '-' || text[0] == '+' || end == text || *end != '\0' || errno == ERANGE ||
        value < min || value > max) {
        fprintf(stderr, "drsim: %s: '%s' is not a whole number from %llu to %llu\n", option, text,
                min, max);
        return false;
    }
    *out = value;
    return true;
}

bool cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            return false;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return true;
    }
    return false;
}

int cli_load_scenario(const char *path, scenario *sc)
{
    diag_list diag;
    diag_init(&diag);
    int result = scenario_load(sc, path, &diag);
    diag_print(&diag, stderr);
    diag_free(&diag);
    return result;
}

bool cli_parse_target(const char *option, const char *text, scenario_targets *targets)
{
    if (strcmp(option, "availability") == 0) {
        double level;
        if (duration_parse_fraction(text, &level) != 0 || !(level > 0.0 && level <= 1.0)) {
            fprintf(stderr,
                    "drsim: --availability: '%s' is not a level in (0, 1] such as 99.9%% or 0.999\n",
                    text);
            return false;
        }
        targets->availability = level;
        targets->has_availability = true;
        return true;
    }
    bool rto = strcmp(option, "rto") == 0;
    char err[256];
    double limit_s;
    if (duration_parse(text, &limit_s, err, sizeof err) != 0) {
        fprintf(stderr, "drsim: --%s: %s\n", option, err);
        return false;
    }
    *(rto ? &targets->rto_s : &targets->rpo_s) = limit_s;
    *(rto ? &targets->has_rto : &targets->has_rpo) = true;
    return true;
}

bool cli_parse_confidence(const char *text, double *out)
{
    double level;
    if (duration_parse_fraction(text, &level) != 0 || !(level > 0.0 && level < 1.0)) {
        fprintf(stderr, "drsim: --confidence: '%s' is not a level in (0, 1) such as 0.95 or 99%%\n",
                text);
        return false;
    }
    *out = level;
    return true;
}
