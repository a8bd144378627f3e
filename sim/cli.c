/* cli — see include/cli.h. */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
