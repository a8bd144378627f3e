/*
 * dist — parsing, sampling and printing distributions (see include/dist.h).
 *
 * Syntax (blanks, i.e. spaces and tabs, are allowed around every token):
 *
 *     dist   = duration                      a constant
 *            | "const" "(" duration ")"
 *            | NAME "(" param ("," param)* ")"
 *     param  = KEY "=" VALUE
 *
 * NAME and KEY are case-sensitive.  Each kind has a fixed set of keys, all
 * required, each given once, in any order.  Values are durations
 * (duration.h), plain numbers (shape, sigma) or, for empirical, text up to
 * the next ',' (so a file or column name cannot contain ',' or ')', and
 * cannot start or end with a blank).
 *
 * Every parameter is checked when parsed, so a parsed dist always has a
 * finite mean; dist_sample() never calls GSL's error handler.
 */
#include "dist.h"
#include "duration.h"
#include "rng.h"
#include "ziggurat.h"

#include <assert.h>
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>

#include <csv.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_statistics_double.h>

#define VALID_KINDS "exp, weibull, lognormal, gamma, uniform, const or empirical"

enum param_type { PARAM_DURATION, PARAM_NUMBER, PARAM_TEXT };

struct param_spec {
    const char *name;
    enum param_type type;
};

struct kind_spec {
    dist_kind kind;
    const char *name;
    struct param_spec params[2];    /* params[0] -> p1 or file, params[1] -> p2 or column */
    const char *example;
};

/* const is positional, so its params are unused. */
static const struct kind_spec KINDS[] = {
    {DIST_CONST, "const", {{NULL, PARAM_DURATION}, {NULL, PARAM_DURATION}}, "const(5m)"},
    {DIST_EXP, "exp", {{"mean", PARAM_DURATION}, {NULL, PARAM_DURATION}}, "exp(mean=1000h)"},
    {DIST_WEIBULL, "weibull", {{"shape", PARAM_NUMBER}, {"scale", PARAM_DURATION}},
     "weibull(shape=1.5, scale=1000h)"},
    {DIST_LOGNORMAL, "lognormal", {{"median", PARAM_DURATION}, {"sigma", PARAM_NUMBER}},
     "lognormal(median=6h, sigma=1)"},
    {DIST_GAMMA, "gamma", {{"shape", PARAM_NUMBER}, {"scale", PARAM_DURATION}},
     "gamma(shape=2, scale=5h)"},
    {DIST_UNIFORM, "uniform", {{"min", PARAM_DURATION}, {"max", PARAM_DURATION}},
     "uniform(min=1h, max=3h)"},
    {DIST_EMPIRICAL, "empirical", {{"file", PARAM_TEXT}, {"column", PARAM_TEXT}},
     "empirical(file=ttr.csv, column=hours)"},
};
enum { N_KINDS = sizeof KINDS / sizeof KINDS[0] };

static const struct kind_spec *kind_spec_of(dist_kind kind)
{
    for (size_t i = 0; i < N_KINDS; i++)
        if (KINDS[i].kind == kind)
            return &KINDS[i];
    return NULL;
}

__attribute__((format(printf, 3, 4)))
static void set_err(char *err, size_t err_size, const char *fmt, ...)
{
    if (err == NULL || err_size == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_size, fmt, ap);
    va_end(ap);
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Trims blanks from both ends of s[0..*len): returns the new start. */
static const char *trim(const char *s, size_t *len)
{
    while (*len > 0 && is_blank(*s)) {
        s++;
        (*len)--;
    }
    while (*len > 0 && is_blank(s[*len - 1]))
        (*len)--;
    return s;
}

static int is_identifier(const char *s, size_t len)
{
    if (len == 0)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
                 (i > 0 && c >= '0' && c <= '9');
        if (!ok)
            return 0;
    }
    return 1;
}

static const struct kind_spec *kind_spec_named(const char *name, size_t len)
{
    for (size_t i = 0; i < N_KINDS; i++)
        if (strlen(KINDS[i].name) == len && memcmp(KINDS[i].name, name, len) == 0)
            return &KINDS[i];
    return NULL;
}

static char *strndup_c(const char *s, size_t len)
{
    char *copy = malloc(len + 1);
    if (copy != NULL) {
        memcpy(copy, s, len);
        copy[len] = '\0';
    }
    return copy;
}

/* Parses a duration or number held in s[0..len). */
static int parse_value(const char *s, size_t len, enum param_type type, double *value,
                       char *msg, size_t msg_size)
{
    char *copy = strndup_c(s, len);
    if (copy == NULL) {
        set_err(msg, msg_size, "out of memory");
        return -1;
    }
    int rc;
    if (type == PARAM_DURATION) {
        rc = duration_parse(copy, value, msg, msg_size);
    } else {
        rc = duration_parse_number(copy, value);
        if (rc != 0)
            set_err(msg, msg_size, "'%.60s' is not a number", copy);
    }
    free(copy);
    return rc;
}

/* Checks the parameters of a parsed dist; 0 when they are valid. */
static int check_params(const dist *d, const struct kind_spec *spec, char *err, size_t err_size)
{
    const char *name = spec->name;
    switch (d->kind) {
    case DIST_CONST:
        return 0;
    case DIST_EXP:
        if (!(d->p1 > 0)) {
            set_err(err, err_size, "exp mean must be > 0");
            return -1;
        }
        break;
    case DIST_WEIBULL:
    case DIST_GAMMA:
        if (!(d->p1 > 0)) {
            set_err(err, err_size, "%s shape must be > 0", name);
            return -1;
        }
        if (!(d->p2 > 0)) {
            set_err(err, err_size, "%s scale must be > 0", name);
            return -1;
        }
        break;
    case DIST_LOGNORMAL:
        if (!(d->p1 > 0)) {
            set_err(err, err_size, "lognormal median must be > 0");
            return -1;
        }
        if (!(d->p2 > 0)) {
            set_err(err, err_size, "lognormal sigma must be > 0");
            return -1;
        }
        break;
    case DIST_UNIFORM:
        if (!(d->p1 <= d->p2)) {
            char lo[32], hi[32];
            set_err(err, err_size, "uniform needs min <= max (got min=%s, max=%s)",
                    duration_format(d->p1, lo, sizeof lo), duration_format(d->p2, hi, sizeof hi));
            return -1;
        }
        break;
    case DIST_EMPIRICAL:
        if (d->file[0] == '\0') {
            set_err(err, err_size, "empirical file must not be empty");
            return -1;
        }
        if (d->column[0] == '\0') {
            set_err(err, err_size, "empirical column must not be empty");
            return -1;
        }
        return 0;
    }
    if (!isfinite(dist_mean(d))) {
        set_err(err, err_size, "%s(...) has an infinite mean (%s)", name,
                d->kind == DIST_WEIBULL ? "shape too small" :
                d->kind == DIST_LOGNORMAL ? "sigma too large" : "parameters too large");
        return -1;
    }
    return 0;
}

/* Parses the inside of NAME(...) for a named-parameter kind. */
static int parse_params(const char *s, size_t len, const struct kind_spec *spec, dist *d,
                        char *err, size_t err_size)
{
    const char *name = spec->name;
    int n_params = spec->params[1].name != NULL ? 2 : 1;
    int seen[2] = {0, 0};
    char msg[256];

    {
        size_t all = len;
        trim(s, &all);
        if (all == 0) {
            set_err(err, err_size, "%s needs parameters, e.g. %s", name, spec->example);
            return -1;
        }
    }
    const char *end = s + len;
    const char *piece = s;
    for (;;) {
        const char *comma = memchr(piece, ',', (size_t)(end - piece));
        const char *piece_end = comma != NULL ? comma : end;
        size_t plen = (size_t)(piece_end - piece);
        const char *p = trim(piece, &plen);
        if (plen == 0) {
            set_err(err, err_size, "empty parameter in %s(...)", name);
            return -1;
        }
        const char *eq = memchr(p, '=', plen);
        if (eq == NULL) {
            set_err(err, err_size, "expected name=value, got '%.*s' in %s(...)",
                    plen > 60 ? 60 : (int)plen, p, name);
            return -1;
        }
        size_t klen = (size_t)(eq - p);
        const char *key = trim(p, &klen);
        size_t vlen = (size_t)(p + plen - (eq + 1));
        const char *value = trim(eq + 1, &vlen);
        int index = -1;
        for (int i = 0; i < n_params; i++)
            if (strlen(spec->params[i].name) == klen &&
                memcmp(spec->params[i].name, key, klen) == 0)
                index = i;
        if (index < 0) {
            if (n_params == 2)
                set_err(err, err_size, "unknown parameter '%.*s' for %s (expected %s and %s)",
                        klen > 40 ? 40 : (int)klen, key, name,
                        spec->params[0].name, spec->params[1].name);
            else
                set_err(err, err_size, "unknown parameter '%.*s' for %s (expected %s)",
                        klen > 40 ? 40 : (int)klen, key, name, spec->params[0].name);
            return -1;
        }
        const char *pname = spec->params[index].name;
        if (seen[index]) {
            set_err(err, err_size, "parameter '%s' given twice in %s(...)", pname, name);
            return -1;
        }
        seen[index] = 1;
        if (vlen == 0) {
            set_err(err, err_size, "missing value for '%s' in %s(...)", pname, name);
            return -1;
        }
        if (spec->params[index].type == PARAM_TEXT) {
            char *text = strndup_c(value, vlen);
            if (text == NULL) {
                set_err(err, err_size, "out of memory");
                return -1;
            }
            if (index == 0)
                d->file = text;
            else
                d->column = text;
        } else {
            double v;
            if (parse_value(value, vlen, spec->params[index].type, &v, msg, sizeof msg) != 0) {
                set_err(err, err_size, "%s %s: %s", name, pname, msg);
                return -1;
            }
            if (index == 0)
                d->p1 = v;
            else
                d->p2 = v;
        }
        if (comma == NULL)
            break;
        piece = comma + 1;
    }
    for (int i = 0; i < n_params; i++) {
        if (!seen[i]) {
            set_err(err, err_size, "missing parameter '%s' in %s(...)", spec->params[i].name, name);
            return -1;
        }
    }
    return check_params(d, spec, err, err_size);
}

static int parse_text(const char *text, dist *out, char *err, size_t err_size)
{
    size_t len = strlen(text);
    const char *s = trim(text, &len);
    char msg[256];
    int shown = len > 60 ? 60 : (int)len;

    if (len == 0) {
        set_err(err, err_size, "empty distribution (expected a duration or one of " VALID_KINDS ")");
        return -1;
    }
    const char *open = memchr(s, '(', len);
    if (open == NULL) {
        if (is_identifier(s, len)) {
            const struct kind_spec *spec = kind_spec_named(s, len);
            if (spec != NULL)
                set_err(err, err_size, "%s needs parameters, e.g. %s", spec->name, spec->example);
            else if (duration_is_nonfinite_word(s, len))
                set_err(err, err_size,
                        "'%.*s' is not a duration: NaN and infinite values are not allowed", shown,
                        s);
            else
                set_err(err, err_size, "unknown distribution '%.*s' (use " VALID_KINDS ")", shown, s);
            return -1;
        }
        if (parse_value(s, len, PARAM_DURATION, &out->p1, msg, sizeof msg) != 0) {
            set_err(err, err_size, "%s", msg);
            return -1;
        }
        out->kind = DIST_CONST;
        return 0;
    }

    size_t nlen = (size_t)(open - s);
    const char *name = trim(s, &nlen);
    if (nlen == 0) {
        set_err(err, err_size, "missing distribution name before '(' in '%.*s'", shown, s);
        return -1;
    }
    const struct kind_spec *spec = kind_spec_named(name, nlen);
    if (spec == NULL) {
        set_err(err, err_size, "unknown distribution '%.*s' (use " VALID_KINDS ")",
                nlen > 40 ? 40 : (int)nlen, name);
        return -1;
    }
    const char *close = memchr(open, ')', (size_t)(s + len - open));
    if (close == NULL) {
        set_err(err, err_size, "missing ')' at the end of '%.*s'", shown, s);
        return -1;
    }
    if (close != s + len - 1) {
        size_t rest = (size_t)(s + len - (close + 1));
        const char *after = trim(close + 1, &rest);
        set_err(err, err_size, "unexpected '%.*s' after %s(...)",
                rest > 40 ? 40 : (int)rest, after, spec->name);
        return -1;
    }
    const char *inner = open + 1;
    size_t ilen = (size_t)(close - inner);
    out->kind = spec->kind;
    if (spec->kind == DIST_CONST) {
        inner = trim(inner, &ilen);
        if (ilen == 0) {
            set_err(err, err_size, "const needs a duration, e.g. %s", spec->example);
            return -1;
        }
        if (memchr(inner, '=', ilen) != NULL || memchr(inner, ',', ilen) != NULL) {
            set_err(err, err_size, "const takes one bare duration, e.g. %s", spec->example);
            return -1;
        }
        if (parse_value(inner, ilen, PARAM_DURATION, &out->p1, msg, sizeof msg) != 0) {
            set_err(err, err_size, "const: %s", msg);
            return -1;
        }
        return 0;
    }
    return parse_params(inner, ilen, spec, out, err, err_size);
}

int dist_parse(const char *text, dist *out, char *err, size_t err_size)
{
    assert(text != NULL && out != NULL);
    memset(out, 0, sizeof *out);
    if (parse_text(text, out, err, err_size) != 0) {
        dist_free(out);
        return -1;
    }
    return 0;
}

/* dist_sample() for every kind; it does DIST_EXP itself, inline. */
double dist_sample_other(const dist *d, gsl_rng *r)
{
    assert(r->type == rng_philox4x64 && "dist_sample draws from drsim's streams (rng.h)");
    switch (d->kind) {
    case DIST_CONST:
        return d->p1;
    case DIST_EXP:
        /* The ziggurat, not gsl_ran_exponential's log1p: a quarter of the
         * time of a model event went there (docs/performance.md). */
        return d->p1 * ziggurat_exponential(r);
    case DIST_WEIBULL:
        /* scale * E^(1/shape) for E ~ Exp(1): gsl_ran_weibull's formula
         * with the ziggurat in place of its -log(u). */
        return d->p2 * pow(ziggurat_exponential(r), 1.0 / d->p1);
    case DIST_LOGNORMAL:
        /* median * e^(sigma Z): GSL's ziggurat normal takes one 64-bit
         * output, where gsl_ran_lognormal's polar method takes a log, a
         * square root and two or more uniforms. */
        return d->p1 * exp(d->p2 * gsl_ran_gaussian_ziggurat(r, 1.0));
    case DIST_GAMMA:
        return gsl_ran_gamma(r, d->p1, d->p2);
    case DIST_UNIFORM:
        return gsl_ran_flat(r, d->p1, d->p2);
    case DIST_EMPIRICAL:
        assert(d->n_samples > 0 && "dist_load_empirical() not called");
        if (d->n_samples == 0)
            return 0.0;
        return d->samples_s[gsl_rng_uniform_int(r, d->n_samples)];
    }
    assert(!"unknown dist kind");
    return 0.0;
}

double dist_mean(const dist *d)
{
    switch (d->kind) {
    case DIST_CONST:
    case DIST_EXP:
        return d->p1;
    case DIST_WEIBULL: {
        double x = 1.0 + 1.0 / d->p1;
        /* gsl_sf_gamma() reports overflow through the error handler. */
        if (!(x < GSL_SF_GAMMA_XMAX))
            return INFINITY;
        return d->p2 * gsl_sf_gamma(x);
    }
    case DIST_LOGNORMAL:
        return d->p1 * exp(0.5 * d->p2 * d->p2);
    case DIST_GAMMA:
        return d->p1 * d->p2;
    case DIST_UNIFORM:
        return 0.5 * d->p1 + 0.5 * d->p2;
    case DIST_EMPIRICAL:
        if (d->n_samples == 0)
            return NAN;
        return gsl_stats_mean(d->samples_s, 1, d->n_samples);
    }
    return NAN;
}

/* ---- formatting --------------------------------------------------------- */

/* Writes printed (followed by suffix) with the fewest significant digits,
 * 1 to 17, such that read_back() of the text gives exactly target; an
 * integer below 1e15 is written in full, without exponent.  Leaves the
 * 17-digit form when nothing reads back (the caller checks).  Runs in the
 * caller's locale: dist_format() switches to "C" around it. */
static void shortest(char *out, size_t out_size, double printed, const char *suffix,
                     int (*read_back)(const char *, double *), double target)
{
    if (printed == floor(printed) && fabs(printed) < 1e15) {
        snprintf(out, out_size, "%.0f%s", printed, suffix);
        return;
    }
    for (int precision = 1; precision <= 17; precision++) {
        snprintf(out, out_size, "%.*g%s", precision, printed, suffix);
        double back;
        if (read_back(out, &back) == 0 && back == target)
            return;
    }
}

static int read_number(const char *text, double *value)
{
    return duration_parse_number(text, value);
}

static int read_duration(const char *text, double *value)
{
    char ignored[8];
    return duration_parse(text, value, ignored, sizeof ignored);
}

/* The shortest text, over units y..ms, that duration_parse() reads back as
 * exactly seconds; ties go to the larger unit. */
static void format_duration_exact(char *out, size_t out_size, double seconds)
{
    static const struct { const char *suffix; double factor; } units[] = {
        {"y", DURATION_YEAR_S}, {"w", 7.0 * 86400.0}, {"d", 86400.0}, {"h", 3600.0},
        {"m", 60.0}, {"s", 1.0}, {"ms", 1e-3},
    };
    if (seconds == 0.0) {
        snprintf(out, out_size, "0s");
        return;
    }
    char best[64] = "";
    size_t best_len = SIZE_MAX;
    for (size_t u = 0; u < sizeof units / sizeof units[0]; u++) {
        char candidate[64];
        double in_unit = units[u].factor == 1e-3 ? seconds * 1000.0 : seconds / units[u].factor;
        shortest(candidate, sizeof candidate, in_unit, units[u].suffix, read_duration, seconds);
        double back;
        if (read_duration(candidate, &back) != 0 || back != seconds)
            continue;
        size_t clen = strlen(candidate);
        if (clen < best_len) {
            memcpy(best, candidate, clen + 1);
            best_len = clen;
        }
    }
    if (best_len == SIZE_MAX)   /* cannot happen for finite seconds >= 0: "s" always works */
        snprintf(best, sizeof best, "%.17gs", seconds);
    snprintf(out, out_size, "%s", best);
}

char *dist_format(const dist *d, char *buf, size_t buf_size)
{
    if (buf_size == 0)
        return buf;
    locale_t c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    locale_t previous = (locale_t)0;
    if (c_locale != (locale_t)0)
        previous = uselocale(c_locale);

    const struct kind_spec *spec = kind_spec_of(d->kind);
    char a[64], b[64];
    switch (d->kind) {
    case DIST_CONST:
        format_duration_exact(a, sizeof a, d->p1);
        snprintf(buf, buf_size, "const(%s)", a);
        break;
    case DIST_EXP:
        format_duration_exact(a, sizeof a, d->p1);
        snprintf(buf, buf_size, "exp(mean=%s)", a);
        break;
    case DIST_WEIBULL:
    case DIST_GAMMA:
        shortest(a, sizeof a, d->p1, "", read_number, d->p1);
        format_duration_exact(b, sizeof b, d->p2);
        snprintf(buf, buf_size, "%s(shape=%s, scale=%s)", spec->name, a, b);
        break;
    case DIST_LOGNORMAL:
        format_duration_exact(a, sizeof a, d->p1);
        shortest(b, sizeof b, d->p2, "", read_number, d->p2);
        snprintf(buf, buf_size, "lognormal(median=%s, sigma=%s)", a, b);
        break;
    case DIST_UNIFORM:
        format_duration_exact(a, sizeof a, d->p1);
        format_duration_exact(b, sizeof b, d->p2);
        snprintf(buf, buf_size, "uniform(min=%s, max=%s)", a, b);
        break;
    case DIST_EMPIRICAL:
        snprintf(buf, buf_size, "empirical(file=%s, column=%s)",
                 d->file != NULL ? d->file : "", d->column != NULL ? d->column : "");
        break;
    default:
        snprintf(buf, buf_size, "?");
        break;
    }

    if (c_locale != (locale_t)0) {
        uselocale(previous);
        freelocale(c_locale);
    }
    return buf;
}

/* ---- ownership ---------------------------------------------------------- */

int dist_copy(dist *dst, const dist *src)
{
    assert(dst != NULL && src != NULL);
    dist copy = *src;
    copy.file = NULL;
    copy.column = NULL;
    copy.samples_s = NULL;
    if (src->file != NULL && (copy.file = strndup_c(src->file, strlen(src->file))) == NULL)
        goto oom;
    if (src->column != NULL &&
        (copy.column = strndup_c(src->column, strlen(src->column))) == NULL)
        goto oom;
    if (src->n_samples > 0) {
        copy.samples_s = malloc(src->n_samples * sizeof *copy.samples_s);
        if (copy.samples_s == NULL)
            goto oom;
        memcpy(copy.samples_s, src->samples_s, src->n_samples * sizeof *copy.samples_s);
    }
    *dst = copy;
    return 0;
oom:
    dist_free(&copy);
    memset(dst, 0, sizeof *dst);
    return -1;
}

void dist_free(dist *d)
{
    if (d == NULL)
        return;
    free(d->file);
    free(d->column);
    free(d->samples_s);
    memset(d, 0, sizeof *d);
}

/* ---- empirical samples from CSV ----------------------------------------- */

struct csv_load {
    const char *path;       /* as opened, for messages */
    const char *column;
    long line;              /* physical line being parsed, 1-based */
    size_t record;          /* records completed; 0 while in the header */
    size_t field;           /* index of the next field in the current record */
    long column_index;      /* -1 until the header names the column */
    size_t header_fields;
    int cell_seen;          /* the current record had the column's field */
    int failed;
    char *err;
    size_t err_size;
    double *samples;
    size_t n, cap;
    char columns[200];      /* header names, for "no column" messages */
};

static void load_fail_oom(struct csv_load *L)
{
    L->failed = 1;
    set_err(L->err, L->err_size, "out of memory reading '%s'", L->path);
}

static void on_field(void *field, size_t len, void *data)
{
    struct csv_load *L = data;
    const char *text = field != NULL ? field : "";
    if (field == NULL)
        len = 0;
    if (L->failed) {
        L->field++;
        return;
    }
    if (L->record == 0) {
        if (L->field == 0 && len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
            text += 3;   /* UTF-8 byte-order mark, as spreadsheets write it */
            len -= 3;
        }
        if (len == strlen(L->column) && memcmp(text, L->column, len) == 0) {
            if (L->column_index >= 0) {
                L->failed = 1;
                set_err(L->err, L->err_size, "column '%s' appears twice in the header of '%s'",
                        L->column, L->path);
            }
            L->column_index = (long)L->field;
        }
        size_t used = strlen(L->columns);
        if (used + 4 < sizeof L->columns)
            snprintf(L->columns + used, sizeof L->columns - used, "%s%.*s",
                     used > 0 ? ", " : "", (int)(len > 40 ? 40 : len), text);
    } else if ((long)L->field == L->column_index) {
        L->cell_seen = 1;
        if (len == 0) {
            L->failed = 1;
            set_err(L->err, L->err_size, "%s:%ld: empty cell in column '%s'",
                    L->path, L->line, L->column);
        } else {
            char msg[256];
            double value;
            /* CSV_APPEND_NULL terminates the field; an embedded NUL ends it early,
             * which duration_parse then sees as a shorter (probably bad) cell. */
            if (strlen(text) != len) {
                L->failed = 1;
                set_err(L->err, L->err_size, "%s:%ld: NUL byte in column '%s'",
                        L->path, L->line, L->column);
            } else if (duration_parse(text, &value, msg, sizeof msg) != 0) {
                L->failed = 1;
                set_err(L->err, L->err_size, "%s:%ld: %s", L->path, L->line, msg);
            } else {
                if (L->n == L->cap) {
                    size_t cap = L->cap == 0 ? 64 : L->cap * 2;
                    double *grown = cap > SIZE_MAX / sizeof *grown ? NULL
                                    : realloc(L->samples, cap * sizeof *grown);
                    if (grown == NULL) {
                        load_fail_oom(L);
                        L->field++;
                        return;
                    }
                    L->samples = grown;
                    L->cap = cap;
                }
                L->samples[L->n++] = value;
            }
        }
    }
    L->field++;
}

static void on_record(int terminator, void *data)
{
    struct csv_load *L = data;
    (void)terminator;
    if (!L->failed) {
        if (L->record == 0) {
            L->header_fields = L->field;
            if (L->column_index < 0) {
                L->failed = 1;
                set_err(L->err, L->err_size, "no column '%s' in '%s' (columns: %s)",
                        L->column, L->path, L->columns);
            }
        } else if (!L->cell_seen) {
            L->failed = 1;
            set_err(L->err, L->err_size,
                    "%s:%ld: missing cell in column '%s' (the row has %zu of %zu fields)",
                    L->path, L->line, L->column, L->field, L->header_fields);
        }
    }
    L->record++;
    L->field = 0;
    L->cell_seen = 0;
}

static char *join_path(const char *base_dir, const char *file)
{
    if (file[0] == '/' || base_dir == NULL || base_dir[0] == '\0')
        return strndup_c(file, strlen(file));
    size_t blen = strlen(base_dir), flen = strlen(file);
    int slash = base_dir[blen - 1] != '/';
    char *path = malloc(blen + (size_t)slash + flen + 1);
    if (path == NULL)
        return NULL;
    memcpy(path, base_dir, blen);
    if (slash)
        path[blen] = '/';
    memcpy(path + blen + (size_t)slash, file, flen + 1);
    return path;
}

static void describe_errno(int errnum, char *buf, size_t size)
{
    if (strerror_r(errnum, buf, size) != 0)
        snprintf(buf, size, "error %d", errnum);
}

int dist_load_empirical(dist *d, const char *base_dir, char *err, size_t err_size)
{
    assert(d != NULL);
    if (d->kind != DIST_EMPIRICAL)
        return 0;
    assert(d->file != NULL && d->column != NULL);

    char *path = join_path(base_dir, d->file);
    if (path == NULL) {
        set_err(err, err_size, "out of memory");
        return -1;
    }
    /* a FIFO would block and /dev/zero never end: only files (a directory
     * fails below, at the first read) */
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
        set_err(err, err_size, "cannot open '%s': not a regular file", path);
        free(path);
        return -1;
    }
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        char why[128];
        describe_errno(errno, why, sizeof why);
        set_err(err, err_size, "cannot open '%s': %s", path, why);
        free(path);
        return -1;
    }

    struct csv_parser parser;
    struct csv_load L = {
        .path = path, .column = d->column, .column_index = -1, .err = err, .err_size = err_size,
    };
    if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
        fclose(f);
        free(path);
        set_err(err, err_size, "out of memory");
        return -1;
    }
    /* libcsv grows a field 128 bytes at a time: a 10 MB field was 80,000
     * reallocs, minutes where realloc copies (AddressSanitizer) */
    csv_set_blk_size(&parser, 64 * 1024);

    char *line = NULL;
    size_t line_cap = 0;
    ssize_t got;
    errno = 0;
    while (!L.failed && (got = getline(&line, &line_cap, f)) >= 0) {
        L.line++;
        if (csv_parse(&parser, line, (size_t)got, on_field, on_record, &L) != (size_t)got &&
            !L.failed) {
            L.failed = 1;
            set_err(err, err_size, "%s:%ld: malformed CSV (%s)", path, L.line,
                    csv_strerror(csv_error(&parser)));
        }
    }
    if (!L.failed && ferror(f)) {
        char why[128];
        describe_errno(errno, why, sizeof why);
        L.failed = 1;
        set_err(err, err_size, "cannot read '%s': %s", path, why);
    }
    if (!L.failed && csv_fini(&parser, on_field, on_record, &L) != 0 && !L.failed) {
        L.failed = 1;
        set_err(err, err_size, "%s:%ld: malformed CSV (%s)", path, L.line,
                csv_strerror(csv_error(&parser)));
    }
    csv_free(&parser);
    free(line);
    fclose(f);

    if (!L.failed && L.record == 0) {
        L.failed = 1;
        set_err(err, err_size, "'%s' is empty (expected a header row naming the columns)", path);
    }
    if (!L.failed && L.n == 0) {
        L.failed = 1;
        set_err(err, err_size, "no samples in column '%s' of '%s'", d->column, path);
    }
    free(path);
    if (L.failed) {
        free(L.samples);
        return -1;
    }
    double *shrunk = realloc(L.samples, L.n * sizeof *shrunk);
    free(d->samples_s);
    d->samples_s = shrunk != NULL ? shrunk : L.samples;
    d->n_samples = L.n;
    return 0;
}
