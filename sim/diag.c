/* diag — see include/diag.h. */
#include "diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void diag_init(diag_list *d)
{
    memset(d, 0, sizeof *d);
}

void diag_free(diag_list *d)
{
    for (size_t i = 0; i < d->count; i++)
        free(d->messages[i]);
    free(d->messages);
    memset(d, 0, sizeof *d);
}

static char *format_message(const char *file, long line0, long col0, const char *path,
                            const char *fmt, va_list ap)
{
    char body[1024];
    vsnprintf(body, sizeof body, fmt, ap);

    char prefix[1024];
    if (file == NULL)
        snprintf(prefix, sizeof prefix, "drsim: error: ");
    else if (line0 < 0)
        snprintf(prefix, sizeof prefix, "%s: error: ", file);
    else
        snprintf(prefix, sizeof prefix, "%s:%ld:%ld: error: ", file, line0 + 1, col0 + 1);

    const char *sep = (path != NULL && path[0] != '\0') ? ": " : "";
    size_t size = strlen(prefix) + (path ? strlen(path) : 0) + strlen(sep) + strlen(body) + 1;
    char *message = malloc(size);
    if (message != NULL)
        snprintf(message, size, "%s%s%s%s", prefix, path ? path : "", sep, body);
    return message;
}

void diag_error(diag_list *d, const char *file, long line0, long col0, const char *path,
                const char *fmt, ...)
{
    if (d->count >= DIAG_MAX_ERRORS) {
        d->dropped++;
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    char *message = format_message(file, line0, col0, path, fmt, ap);
    va_end(ap);
    if (message == NULL) {
        d->dropped++; /* out of memory: still counted, so the caller fails */
        return;
    }
    if (d->count == d->capacity) {
        size_t capacity = d->capacity ? 2 * d->capacity : 8;
        char **grown = realloc(d->messages, capacity * sizeof *grown);
        if (grown == NULL) {
            free(message);
            d->dropped++;
            return;
        }
        d->messages = grown;
        d->capacity = capacity;
    }
    d->messages[d->count++] = message;
}

size_t diag_error_count(const diag_list *d)
{
    return d->count + d->dropped;
}

bool diag_has_errors(const diag_list *d)
{
    return diag_error_count(d) > 0;
}

void diag_print(const diag_list *d, FILE *out)
{
    for (size_t i = 0; i < d->count; i++)
        fprintf(out, "%s\n", d->messages[i]);
    if (d->dropped > 0)
        fprintf(out, "drsim: error: %zu more error%s not shown\n", d->dropped,
                d->dropped == 1 ? "" : "s");
}
