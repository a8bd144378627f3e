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

/* Length of the valid UTF-8 sequence at s (1 to 4), or 0 when it is not
 * one (an overlong form, a surrogate, past U+10FFFF, or cut short). */
static size_t utf8_length(const unsigned char *s)
{
    unsigned c = s[0];
    size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    if (n == 0 || (n == 2 && c < 0xC2) || (n == 4 && c > 0xF4))
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    if ((n == 3 && c == 0xE0 && s[1] < 0xA0) || (n == 3 && c == 0xED && s[1] >= 0xA0) ||
        (n == 4 && c == 0xF0 && s[1] < 0x90) || (n == 4 && c == 0xF4 && s[1] >= 0x90))
        return 0;
    return n;
}

/* Messages quote the input, and a terminal obeys control characters:
 * a hostile file could retitle the window or hide lines.  So every control
 * character (C0, DEL, C1) and every byte that is not UTF-8 becomes '?',
 * in place (the text never grows). */
static void make_printable(char *text)
{
    unsigned char *in = (unsigned char *)text, *out = in;
    while (*in != '\0') {
        size_t n = utf8_length(in);
        bool control = n == 1 ? (*in < 0x20 || *in == 0x7F) : n == 2 && in[0] == 0xC2 && in[1] < 0xA0;
        if (n == 0 || control) {
            *out++ = '?';
            in += n ? n : 1;
        } else {
            memmove(out, in, n);
            out += n;
            in += n;
        }
    }
    *out = '\0';
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
    if (message != NULL)
        make_printable(message);
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
