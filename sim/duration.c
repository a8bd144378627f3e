/*
 * duration — parsing and printing durations (see include/duration.h).
 *
 * Grammar accepted by duration_parse (blanks are spaces and tabs):
 *
 *     blanks? number blanks? unit? blanks?
 *     number = [+] digits? ('.' digits?)? (('e'|'E') ['+'|'-'] digits)?
 *              with at least one digit in the mantissa
 *     unit   = ms | s | m | h | d | w | y      (case-sensitive; none = s)
 *
 * So "1.5h", "30", "250ms", "1e3s" and "2 h" are durations; "", "-1h",
 * "nan", "inf", "1e999", "3 hours", "h", "1.2.3s" and "0x10" are not.
 *
 * Locale: the syntax is checked here, character by character, so a locale
 * can never widen what is accepted; the conversion itself is strtod() run
 * under a private "C" locale (POSIX newlocale/uselocale, per thread), so ','
 * versus '.' in LC_NUMERIC never changes the value.  duration_format() prints
 * under the same "C" locale.  If the "C" locale object cannot be created (out
 * of memory) the current locale is used, which is the C locale in drsim since
 * drsim never calls setlocale().
 */
#include "duration.h"

#include <assert.h>
#include <errno.h>
#include <locale.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UNITS_HINT "ms, s, m, h, d, w or y"

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Runs strtod under the C locale. *end is set as strtod sets it. */
static double strtod_c(const char *text, char **end, int *erange)
{
    locale_t c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    locale_t previous = (locale_t)0;
    if (c_locale != (locale_t)0)
        previous = uselocale(c_locale);
    errno = 0;
    double value = strtod(text, end);
    *erange = errno == ERANGE;
    if (c_locale != (locale_t)0) {
        uselocale(previous);
        freelocale(c_locale);
    }
    return value;
}

/* Length of the longest prefix of s that has the shape of a decimal number
 * (sign, digits and points, optional exponent); 0 when s does not start with
 * one.  The prefix may still be malformed ("1.2.3"): this only finds where
 * the number ends so that a malformed number is reported as such. */
static size_t number_extent(const char *s)
{
    size_t i = 0;
    if (s[i] == '+' || s[i] == '-')
        i++;
    size_t mantissa = i;
    while (is_digit(s[i]) || s[i] == '.')
        i++;
    if (i == mantissa)
        return 0;
    if (s[i] == 'e' || s[i] == 'E') {
        size_t j = i + 1;
        if (s[j] == '+' || s[j] == '-')
            j++;
        if (is_digit(s[j])) {
            while (is_digit(s[j]) || s[j] == '.')
                j++;
            i = j;
        }
    }
    return i;
}

/* Whether s[0..len) is exactly: [+-] digits? ('.' digits?)? exponent?,
 * with a digit in the mantissa. */
static int well_formed_number(const char *s, size_t len)
{
    size_t i = 0, digits = 0;
    if (i < len && (s[i] == '+' || s[i] == '-'))
        i++;
    while (i < len && is_digit(s[i])) {
        i++;
        digits++;
    }
    if (i < len && s[i] == '.') {
        i++;
        while (i < len && is_digit(s[i])) {
            i++;
            digits++;
        }
    }
    if (digits == 0)
        return 0;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t exponent_digits = 0;
        while (i < len && is_digit(s[i])) {
            i++;
            exponent_digits++;
        }
        if (exponent_digits == 0)
            return 0;
    }
    return i == len;
}

/* Converts s[0..len), already known to be well formed.  -1 when the value
 * overflows to infinity; values that underflow become 0 or subnormal. */
static int convert_number(const char *s, size_t len, double *value)
{
    char small[64];
    char *copy = small;
    if (len >= sizeof small) {
        copy = malloc(len + 1);
        if (copy == NULL)
            return -1;
    }
    memcpy(copy, s, len);
    copy[len] = '\0';
    char *end;
    int erange;
    double v = strtod_c(copy, &end, &erange);
    int ok = end == copy + len && isfinite(v);
    (void)erange;   /* underflow is fine; overflow shows up as !isfinite */
    if (copy != small)
        free(copy);
    if (!ok)
        return -1;
    *value = v;
    return 0;
}

int duration_parse_number(const char *text, double *value)
{
    assert(text != NULL && value != NULL);
    size_t len = strlen(text);
    if (!well_formed_number(text, len))
        return -1;
    return convert_number(text, len, value);
}

static double unit_seconds(const char *unit, size_t len)
{
    if (len == 0)
        return 1.0;
    if (len == 2 && unit[0] == 'm' && unit[1] == 's')
        return 1e-3;
    if (len != 1)
        return 0.0;
    switch (unit[0]) {
    case 's': return 1.0;
    case 'm': return 60.0;
    case 'h': return 3600.0;
    case 'd': return 86400.0;
    case 'w': return 7.0 * 86400.0;
    case 'y': return DURATION_YEAR_S;
    default: return 0.0;
    }
}

int duration_parse(const char *text, double *seconds, char *err, size_t err_size)
{
    assert(text != NULL && seconds != NULL);
    const char *p = text;
    while (is_blank(*p))
        p++;
    size_t len = strlen(p);
    while (len > 0 && is_blank(p[len - 1]))
        len--;
    /* Messages quote at most this much of the input. */
    int shown = len > 60 ? 60 : (int)len;

    if (len == 0) {
        snprintf(err, err_size, "empty duration (expected a number with a unit: " UNITS_HINT ")");
        return -1;
    }
    if (duration_is_nonfinite_word(p, len)) {
        snprintf(err, err_size,
                 "'%.*s' is not a duration: NaN and infinite values are not allowed", shown, p);
        return -1;
    }
    if (p[0] == '-') {
        snprintf(err, err_size, "negative duration '%.*s'", shown, p);
        return -1;
    }
    size_t number_len = number_extent(p);
    if (number_len > len)
        number_len = len;
    if (number_len == 0) {
        snprintf(err, err_size,
                 "'%.*s' is not a duration (expected a number with a unit: " UNITS_HINT ")",
                 shown, p);
        return -1;
    }
    if (!well_formed_number(p, number_len)) {
        snprintf(err, err_size, "malformed number '%.*s' in duration '%.*s'",
                 (int)number_len, p, shown, p);
        return -1;
    }
    const char *unit = p + number_len;
    while (unit < p + len && is_blank(*unit))
        unit++;
    size_t unit_len = (size_t)(p + len - unit);
    if ((unit[0] == 'x' || unit[0] == 'X') && number_len == 1 && p[0] == '0') {
        snprintf(err, err_size, "hexadecimal number in duration '%.*s' (use decimal)", shown, p);
        return -1;
    }
    double factor = unit_seconds(unit, unit_len);
    if (factor == 0.0 && unit[0] == ',' && unit_len > 1 && is_digit(unit[1])) {
        snprintf(err, err_size, "decimal comma in duration '%.*s' (use '.')", shown, p);
        return -1;
    }
    if (factor == 0.0) {
        snprintf(err, err_size, "unknown unit '%.*s' in duration '%.*s' (use " UNITS_HINT ")",
                 unit_len > 20 ? 20 : (int)unit_len, unit, shown, p);
        return -1;
    }
    double number;
    if (convert_number(p, number_len, &number) != 0) {
        snprintf(err, err_size, "duration '%.*s' is out of range", shown, p);
        return -1;
    }
    /* ms divides by 1000 (exact rounding) rather than multiplying by 1e-3. */
    double value = factor == 1e-3 ? number / 1000.0 : number * factor;
    if (!isfinite(value)) {
        snprintf(err, err_size, "duration '%.*s' is out of range", shown, p);
        return -1;
    }
    *seconds = value;
    return 0;
}

/* snprintf under the C locale, for the one %g conversion duration_format
 * needs.  Returns the value printed back as a double. */
static double format_3g(char *out, size_t out_size, double value)
{
    locale_t c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    locale_t previous = (locale_t)0;
    if (c_locale != (locale_t)0)
        previous = uselocale(c_locale);
    if (fabs(value) >= 1000.0)
        snprintf(out, out_size, "%.0f", value);
    else
        snprintf(out, out_size, "%.3g", value);
    double printed = strtod(out, NULL);
    if (c_locale != (locale_t)0) {
        uselocale(previous);
        freelocale(c_locale);
    }
    return printed;
}

char *duration_format(double seconds, char *buf, size_t buf_size)
{
    static const struct { const char *name; double seconds; double next; } units[] = {
        {"ms", 1e-3, 1000.0},
        {"s", 1.0, 60.0},
        {"min", 60.0, 60.0},
        {"h", 3600.0, 24.0},
        {"d", 86400.0, 365.0},
        {"y", DURATION_YEAR_S, 0.0},
    };
    enum { N_UNITS = sizeof units / sizeof units[0] };
    if (buf_size == 0)
        return buf;
    if (!isfinite(seconds)) {
        snprintf(buf, buf_size, "%s", isnan(seconds) ? "nan" : seconds > 0 ? "inf" : "-inf");
        return buf;
    }
    if (seconds == 0.0) {
        snprintf(buf, buf_size, "0 s");
        return buf;
    }
    double magnitude = fabs(seconds);
    size_t u = 0;
    while (u + 1 < N_UNITS && magnitude >= units[u + 1].seconds)
        u++;
    char number[64];
    for (;;) {
        double printed = format_3g(number, sizeof number, seconds / units[u].seconds);
        /* 59.97 s prints as "60": say "1 min" instead. */
        if (u + 1 < N_UNITS && fabs(printed) >= units[u].next) {
            u++;
            continue;
        }
        break;
    }
    snprintf(buf, buf_size, "%s %s", number, units[u].name);
    return buf;
}

bool duration_is_nonfinite_word(const char *text, size_t length)
{
    static const char *const words[] = {"nan", "inf", "infinity"};
    if (length > 0 && (text[0] == '+' || text[0] == '-')) {
        text++;
        length--;
    }
    if (length > 0 && text[0] == '.') { /* YAML's .nan and .inf */
        text++;
        length--;
    }
    for (size_t w = 0; w < sizeof words / sizeof words[0]; w++) {
        size_t n = strlen(words[w]);
        if (length != n)
            continue;
        bool same = true;
        for (size_t i = 0; i < n && same; i++)
            same = (text[i] | 0x20) == words[w][i];
        if (same)
            return true;
    }
    return false;
}

int duration_parse_fraction(const char *text, double *fraction)
{
    size_t length = strlen(text);
    char number[80];
    if (length == 0 || length + 4 > sizeof number)
        return -1;
    memcpy(number, text, length + 1);
    bool percent = number[length - 1] == '%';
    if (!percent)
        return duration_parse_number(number, fraction);
    number[length - 1] = '\0';
    /* "99.99" -> "99.99e-2": one correctly rounded conversion; a number
     * that already has an exponent is divided instead */
    if (strpbrk(number, "eE") == NULL) {
        memcpy(number + length - 1, "e-2", 4);
        return duration_parse_number(number, fraction);
    }
    double value;
    if (duration_parse_number(number, &value) != 0)
        return -1;
    *fraction = value / 100.0;
    return 0;
}

int duration_parse_iso8601(const char *text, double *seconds, char *err, size_t err_size)
{
    const char *p = text;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p != 'P') {
        snprintf(err, err_size, "'%.60s' is not an ISO-8601 duration (PT5M, PT1H30M, PT30S)", text);
        return -1;
    }
    p++;
    bool in_time = false, any = false, fraction_seen = false;
    double total_s = 0.0;
    /* each unit at most once and in order: D W before T; H M S after */
    const char *order_date = "WD", *order_time = "HMS";
    const char *next_unit = order_date;
    while (*p != '\0' && *p != ' ' && *p != '\t') {
        if (*p == 'T') {
            if (in_time) {
                snprintf(err, err_size, "'%.60s': a second 'T' in an ISO-8601 duration", text);
                return -1;
            }
            in_time = true;
            next_unit = order_time;
            p++;
            continue;
        }
        char number[64];
        size_t n = 0;
        while ((isdigit((unsigned char)*p) || *p == '.' || *p == ',') && n + 1 < sizeof number)
            number[n++] = *p == ',' ? '.' : *p, p++;
        number[n] = '\0';
        char unit = *p;
        double value;
        if (n == 0 || duration_parse_number(number, &value) != 0 || value < 0.0) {
            snprintf(err, err_size, "'%.60s' is not an ISO-8601 duration (PT5M, PT1H30M, PT30S)", text);
            return -1;
        }
        if (fraction_seen) {
            snprintf(err, err_size, "'%.60s': only the last part of an ISO-8601 duration may have a fraction", text);
            return -1;
        }
        fraction_seen = strchr(number, '.') != NULL;
        if (!in_time && (unit == 'Y' || unit == 'M')) {
            snprintf(err, err_size, "'%.60s': years and months have no fixed length; use days (P30D)", text);
            return -1;
        }
        const char *at = unit != '\0' ? strchr(next_unit, unit) : NULL;
        if (at == NULL) {
            snprintf(err, err_size, "'%.60s' is not an ISO-8601 duration (PT5M, PT1H30M, PT30S)", text);
            return -1;
        }
        next_unit = at + 1;
        static const double date_scale[] = {7.0 * 86400.0, 86400.0};
        static const double time_scale[] = {3600.0, 60.0, 1.0};
        total_s += value * (in_time ? time_scale[at - order_time] : date_scale[at - order_date]);
        any = true;
        p++;
    }
    while (*p == ' ' || *p == '\t')
        p++;
    if (!any || *p != '\0') {
        snprintf(err, err_size, "'%.60s' is not an ISO-8601 duration (PT5M, PT1H30M, PT30S)", text);
        return -1;
    }
    if (!isfinite(total_s)) {
        snprintf(err, err_size, "'%.60s' is too long", text);
        return -1;
    }
    *seconds = total_s;
    return 0;
}
