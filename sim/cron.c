/*
 * cron — AWS schedule expressions (see include/cron.h).
 *
 * Parsing.  "cron(" six blank-separated fields ")" or "rate(" N unit ")",
 * blanks allowed around the whole.  Each field is `?` (day-of-month and
 * day-of-week only, standing alone) or a comma list of items:
 *
 *     item  = '*' ['/' step] | value ['-' value] ['/' step] | 'L'
 *     value = digits | three-letter name (month, day-of-week; any case)
 *
 * "a/s" runs from a to the field's maximum; "*" is the whole field.  `L` is
 * the last day of the month (day-of-month only).  AWS's `W`, `L` in
 * day-of-week and `#` have no place in cron_schedule: they are refused by
 * name.  A range that runs backwards (FRI-MON) is refused, not wrapped.  The
 * year must come out as one contiguous span (2026, 2026-2030, 2027/1),
 * because cron_schedule stores it as [year_min, year_max]; `*` in the year
 * means every year, without AWS's 2199 ceiling.  A day-of-month that none
 * of the chosen months has (`31 FEB`) is refused: it would never fire.
 *
 * Searching.  Times become whole minutes since 1970 in int64; the calendar
 * is the proleptic Gregorian one in UTC through Howard Hinnant's
 * days_from_civil / civil_from_days (no <time.h>).  cron_next moves a
 * (year, month, day, hour, minute) cursor forward field by field: the next
 * matching month, then the next matching day in it (one 32-bit mask per
 * month from day-of-month, L and the weekday pattern), then hour, then
 * minute, each a find-first-set on a bit mask; when a field has no match
 * left the cursor carries into the field above.  A call is a handful of
 * steps whatever the distance; a schedule that fires only on 29 February
 * looks at most 8 years ahead.  cron_previous is the mirror image.  The
 * Gregorian calendar repeats every 400 years, so a search that passes 401
 * years without a match stops (only a hand-built schedule can get there).
 *
 * Domain.  Times with |t| <= CRON_T_LIMIT_S (1e15 s, about 31.7 million
 * years) are exact.  Beyond it: cron_next(t > limit) is INFINITY,
 * cron_previous(t < -limit) is -INFINITY, and the other two clamp t to the
 * limit.  A NaN time gives NaN.
 */
#include "cron.h"

#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define CRON_T_LIMIT_S 1e15
#define EPOCH_MINUTE (CRON_EPOCH_UNIX / 60)   /* t = 0 in minutes since 1970 */
#define MINUTES_PER_DAY 1440
#define YEAR_LOW 1970
#define YEAR_HIGH 2199
#define RATE_MAX 1000000000LL
#define QUOTE_MAX 60   /* longest token quoted in a message */

/* ---- calendar (Howard Hinnant, "chrono-Compatible Low-Level Date
 * Algorithms"; proleptic Gregorian, day 0 = 1970-01-01) ---- */

static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;                                   /* [0, 399] */
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* [0, 365] */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;          /* [0, 146096] */
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static bool is_leap(int64_t y)
{
    return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

static int days_in_month(int64_t y, int m)
{
    static const int DAYS[13] = {0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : DAYS[m];
}

/* 0 = Sunday; 1970-01-01 was a Thursday. */
static int weekday_from_days(int64_t z)
{
    int64_t w = (z + 4) % 7;
    return (int)(w < 0 ? w + 7 : w);
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* ---- bit masks ---- */

/* The lowest set bit of mask at or above from, or -1. */
static int next_bit(uint64_t mask, int from)
{
    if (from > 63)
        return -1;
    if (from < 0)
        from = 0;
    mask >>= from;
    return mask == 0 ? -1 : from + __builtin_ctzll(mask);
}

/* The highest set bit of mask at or below from, or -1. */
static int prev_bit(uint64_t mask, int from)
{
    if (from < 0)
        return -1;
    if (from < 63)
        mask &= (2ULL << from) - 1;
    return mask == 0 ? -1 : 63 - __builtin_clzll(mask);
}

/* Bit d (1..31) set when day d of month m of year y matches. */
static uint32_t day_mask(const cron_schedule *s, int64_t y, int m)
{
    int dim = days_in_month(y, m);
    uint32_t valid = (uint32_t)(((1ULL << dim) - 1) << 1);
    uint32_t by_month_day = valid;
    if (!s->any_day_of_month) {
        by_month_day = s->days_of_month & valid;
        if (s->last_day_of_month)
            by_month_day |= 1u << dim;
    }
    uint32_t by_week_day = valid;
    if (!s->any_day_of_week) {
        unsigned week = s->days_of_week & 0x7Fu;
        int first = weekday_from_days(days_from_civil(y, m, 1));
        /* bit k of turned: weekday of day k + 1 matches */
        uint64_t turned = ((week >> first) | (week << (7 - first))) & 0x7Fu;
        uint64_t pattern = turned | turned << 7 | turned << 14 | turned << 21 | turned << 28;
        by_week_day = (uint32_t)(pattern << 1) & valid;
    }
    return by_month_day & by_week_day;
}

static uint64_t minute_bits(const cron_schedule *s)
{
    return s->minutes & ((1ULL << 60) - 1);
}

static uint64_t hour_bits(const cron_schedule *s)
{
    return s->hours & ((1u << 24) - 1);
}

static uint64_t month_bits(const cron_schedule *s)
{
    return s->months & 0x1FFEu;
}

static void year_bounds(const cron_schedule *s, int64_t *low, int64_t *high)
{
    if (s->any_year) {
        *low = INT64_MIN;
        *high = INT64_MAX;
    } else {
        *low = s->year_min;
        *high = s->year_max;
    }
}

static int64_t civil_to_minute(int64_t y, int m, int d, int h, int mi)
{
    return days_from_civil(y, m, d) * MINUTES_PER_DAY + h * 60 + mi;
}

static void minute_to_civil(int64_t minute, int64_t *y, int *m, int *d, int *h, int *mi)
{
    int64_t day = floor_div(minute, MINUTES_PER_DAY);
    int of_day = (int)(minute - day * MINUTES_PER_DAY);
    civil_from_days(day, y, m, d);
    *h = of_day / 60;
    *mi = of_day % 60;
}

/* The first matching minute (since 1970) at or after from; false if none. */
static bool search_forward(const cron_schedule *s, int64_t from, int64_t *found)
{
    int64_t y, low, high;
    int m, d, h, mi;
    minute_to_civil(from, &y, &m, &d, &h, &mi);
    year_bounds(s, &low, &high);
    if (y < low) {
        y = low;
        m = d = 1;
        h = mi = 0;
    }
    const int64_t give_up = y + 401;
    for (;;) {
        if (y > high || y > give_up)
            return false;
        int month = next_bit(month_bits(s), m);
        if (month < 0) {
            y++;
            m = d = 1;
            h = mi = 0;
            continue;
        }
        if (month != m) {
            m = month;
            d = 1;
            h = mi = 0;
        }
        int day = next_bit(day_mask(s, y, m), d);
        if (day < 0) {
            if (++m > 12) {
                y++;
                m = 1;
            }
            d = 1;
            h = mi = 0;
            continue;
        }
        if (day != d) {
            d = day;
            h = mi = 0;
        }
        int hour = next_bit(hour_bits(s), h);
        if (hour < 0) {
            d++;   /* past the month's end the day mask has no bit: carries */
            h = mi = 0;
            continue;
        }
        if (hour != h) {
            h = hour;
            mi = 0;
        }
        int minute = next_bit(minute_bits(s), mi);
        if (minute < 0) {
            h++;   /* 24 has no bit: carries into the next day */
            mi = 0;
            continue;
        }
        *found = civil_to_minute(y, m, d, h, minute);
        return true;
    }
}

/* The last matching minute (since 1970) at or before from; false if none. */
static bool search_backward(const cron_schedule *s, int64_t from, int64_t *found)
{
    int64_t y, low, high;
    int m, d, h, mi;
    minute_to_civil(from, &y, &m, &d, &h, &mi);
    year_bounds(s, &low, &high);
    if (y > high) {
        y = high;
        m = 12;
        d = 31;
        h = 23;
        mi = 59;
    }
    const int64_t give_up = y - 401;
    for (;;) {
        if (y < low || y < give_up)
            return false;
        int month = prev_bit(month_bits(s), m);
        if (month < 1) {
            y--;
            m = 12;
            d = 31;
            h = 23;
            mi = 59;
            continue;
        }
        if (month != m) {
            m = month;
            d = 31;
            h = 23;
            mi = 59;
        }
        int day = prev_bit(day_mask(s, y, m), d);
        if (day < 1) {
            if (--m < 1) {
                y--;
                m = 12;
            }
            d = 31;   /* the day mask has no bits past the month's end */
            h = 23;
            mi = 59;
            continue;
        }
        if (day != d) {
            d = day;
            h = 23;
            mi = 59;
        }
        int hour = prev_bit(hour_bits(s), h);
        if (hour < 0) {
            d--;   /* day 0 has no bit: carries into the month before */
            h = 23;
            mi = 59;
            continue;
        }
        if (hour != h) {
            h = hour;
            mi = 59;
        }
        int minute = prev_bit(minute_bits(s), mi);
        if (minute < 0) {
            h--;   /* -1 has no bit: carries into the day before */
            mi = 59;
            continue;
        }
        *found = civil_to_minute(y, m, d, h, minute);
        return true;
    }
}

/* The smallest whole minute m (since t = 0) with 60·m >= t_s. */
static int64_t minute_at_or_after(double t_s)
{
    int64_t m = (int64_t)ceil(t_s / 60.0);
    while ((double)(m * 60) < t_s)
        m++;
    while ((double)((m - 1) * 60) >= t_s)
        m--;
    return m;
}

/* The largest whole minute m (since t = 0) with 60·m <= t_s. */
static int64_t minute_at_or_before(double t_s)
{
    int64_t m = (int64_t)floor(t_s / 60.0);
    while ((double)(m * 60) > t_s)
        m--;
    while ((double)((m + 1) * 60) <= t_s)
        m++;
    return m;
}

static double rate_next(double period_s, double t_s)
{
    double k = ceil(t_s / period_s);
    while (k * period_s < t_s)
        k += 1.0;
    while ((k - 1.0) * period_s >= t_s)
        k -= 1.0;
    return k * period_s + 0.0;   /* + 0.0 turns -0 into 0 */
}

static double rate_previous(double period_s, double t_s)
{
    double k = floor(t_s / period_s);
    while (k * period_s > t_s)
        k -= 1.0;
    while ((k + 1.0) * period_s <= t_s)
        k += 1.0;
    return k * period_s + 0.0;
}

double cron_next(const cron_schedule *s, double t_s)
{
    assert(s != NULL);
    if (isnan(t_s))
        return t_s;
    if (t_s > CRON_T_LIMIT_S)
        return INFINITY;
    if (t_s < -CRON_T_LIMIT_S)
        t_s = -CRON_T_LIMIT_S;
    if (s->is_rate) {
        assert(s->rate_s > 0.0);
        return rate_next(s->rate_s, t_s);
    }
    int64_t found;
    if (!search_forward(s, minute_at_or_after(t_s) + EPOCH_MINUTE, &found))
        return INFINITY;
    return (double)((found - EPOCH_MINUTE) * 60);
}

double cron_previous(const cron_schedule *s, double t_s)
{
    assert(s != NULL);
    if (isnan(t_s))
        return t_s;
    if (t_s < -CRON_T_LIMIT_S)
        return -INFINITY;
    if (t_s > CRON_T_LIMIT_S)
        t_s = CRON_T_LIMIT_S;
    if (s->is_rate) {
        assert(s->rate_s > 0.0);
        return rate_previous(s->rate_s, t_s);
    }
    int64_t found;
    if (!search_backward(s, minute_at_or_before(t_s) + EPOCH_MINUTE, &found))
        return -INFINITY;
    return (double)((found - EPOCH_MINUTE) * 60);
}

/* ---- parsing ---- */

enum { F_MINUTES, F_HOURS, F_DAY_OF_MONTH, F_MONTH, F_DAY_OF_WEEK, F_YEAR, FIELD_COUNT };

static const char *const MONTH_NAMES[12] = {
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
};
static const char *const DAY_NAMES[7] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

typedef struct field_spec {
    const char *name;            /* as messages write it */
    int min, max;
    const char *const *names;    /* NULL, or max - min + 1 names for min..max */
    const char *name_kind;       /* "month", "day" */
    const char *hint;            /* what to write instead of an unknown name */
} field_spec;

static const field_spec FIELDS[FIELD_COUNT] = {
    {"minutes", 0, 59, NULL, NULL, NULL},
    {"hours", 0, 23, NULL, NULL, NULL},
    {"day-of-month", 1, 31, NULL, NULL, NULL},
    {"month", 1, 12, MONTH_NAMES, "month", "JAN..DEC or 1-12"},
    {"day-of-week", 1, 7, DAY_NAMES, "day", "SUN..SAT or 1-7"},
    {"year", YEAR_LOW, YEAR_HIGH, NULL, NULL, NULL},
};

/* One parsed field: bit (value - min) for each value, in 4 words (the year
 * needs 230 bits). */
typedef struct field_value {
    uint64_t bits[4];
    bool question;   /* the field is '?' */
    bool star;       /* the field is '*' */
    bool last;       /* an item was 'L' */
} field_value;

typedef struct token {
    const char *text;
    int length;
} token;

__attribute__((format(printf, 3, 4)))
static int fail(char *err, size_t err_size, const char *format, ...)
{
    if (err != NULL && err_size > 0) {
        va_list args;
        va_start(args, format);
        vsnprintf(err, err_size, format, args);
        va_end(args);
    }
    return -1;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static char upper(char c)
{
    return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

static int quoted_length(int length)
{
    return length < QUOTE_MAX ? length : QUOTE_MAX;
}

static void set_bit(field_value *v, int index)
{
    v->bits[index / 64] |= 1ULL << (index % 64);
}

static bool has_bit(const field_value *v, int index)
{
    return (v->bits[index / 64] >> (index % 64)) & 1u;
}

/* Reads digits at *p (below end) into *value, saturating at 99999.
 * Returns the number of digits read. */
static int read_digits(const char **p, const char *end, long *value)
{
    const char *start = *p;
    long v = 0;
    while (*p < end && is_digit(**p)) {
        if (v < 99999)
            v = v * 10 + (**p - '0');
        (*p)++;
    }
    *value = v > 99999 ? 99999 : v;
    return (int)(*p - start);
}

/* Reads one value (a number or, where the field has names, a name) at *p
 * within item.  0 or -1 with a message. */
static int read_value(const field_spec *f, token item, const char **p, long *value,
                      char *err, size_t err_size)
{
    const char *end = item.text + item.length;
    const char *start = *p;
    int qlen = quoted_length(item.length);
    if (*p < end && is_digit(**p)) {
        read_digits(p, end, value);
        int digits = (int)(*p - start);
        if (*p < end && f == &FIELDS[F_DAY_OF_MONTH] && upper(**p) == 'W')
            return fail(err, err_size, "%s: '%.*s' (nearest weekday) is not supported",
                        f->name, qlen, item.text);
        if (*p < end && f == &FIELDS[F_DAY_OF_WEEK] && upper(**p) == 'L')
            return fail(err, err_size,
                        "%s: '%.*s' (last weekday of the month) is not supported",
                        f->name, qlen, item.text);
        if (*value < f->min || *value > f->max)
            return fail(err, err_size, "%s: %.*s is out of range (%d-%d)", f->name,
                        quoted_length(digits), start, f->min, f->max);
        return 0;
    }
    if (*p < end && is_alpha(**p)) {
        while (*p < end && is_alpha(**p))
            (*p)++;
        int length = (int)(*p - start);
        if (f->names == NULL)
            return fail(err, err_size, "%s: '%.*s' is not a number", f->name,
                        quoted_length(length), start);
        if (length == 3) {
            for (int i = 0; i <= f->max - f->min; i++) {
                const char *name = f->names[i];
                if (upper(start[0]) == name[0] && upper(start[1]) == name[1] &&
                    upper(start[2]) == name[2]) {
                    *value = f->min + i;
                    return 0;
                }
            }
        }
        if (f == &FIELDS[F_DAY_OF_WEEK] && length == 1 && upper(*start) == 'L')
            return fail(err, err_size,
                        "%s: '%.*s' (last weekday of the month) is not supported",
                        f->name, qlen, item.text);
        return fail(err, err_size, "%s: unknown %s '%.*s' (use %s)", f->name, f->name_kind,
                    quoted_length(length), start, f->hint);
    }
    if (*p < end)
        return fail(err, err_size, "%s: unexpected '%c' in '%.*s'", f->name, **p, qlen,
                    item.text);
    return fail(err, err_size, "%s: '%.*s' is missing a value", f->name, qlen, item.text);
}

/* One list item: '*', 'L', a value, a range, each with an optional step. */
static int parse_item(const field_spec *f, token item, field_value *v, char *err,
                      size_t err_size)
{
    const char *p = item.text;
    const char *end = item.text + item.length;
    int qlen = quoted_length(item.length);

    if (f == &FIELDS[F_DAY_OF_WEEK] && memchr(item.text, '#', (size_t)item.length) != NULL)
        return fail(err, err_size,
                    "%s: '%.*s' (n-th weekday of the month) is not supported", f->name,
                    qlen, item.text);
    if (f == &FIELDS[F_DAY_OF_MONTH] && upper(*p) == 'L') {
        if (item.length == 1) {
            v->last = true;
            return 0;
        }
        return fail(err, err_size,
                    "%s: '%.*s' is not supported (only L, the last day of the month)",
                    f->name, qlen, item.text);
    }

    long low, high, step = 1;
    bool star = false, range = false;
    if (*p == '*') {
        star = true;
        p++;
        low = f->min;
        high = f->max;
    } else {
        if (read_value(f, item, &p, &low, err, err_size) != 0)
            return -1;
        high = low;
        if (p < end && *p == '-') {
            range = true;
            p++;
            if (read_value(f, item, &p, &high, err, err_size) != 0)
                return -1;
        }
    }
    if (p < end && *p == '/') {
        p++;
        const char *step_start = p;
        if (read_digits(&p, end, &step) == 0 || p != end)
            return fail(err, err_size, "%s: bad step in '%.*s' (expected a whole number "
                        "after '/', e.g. 0/15)", f->name, qlen, item.text);
        if (step == 0)
            return fail(err, err_size, "%s: step %.*s in '%.*s' must be at least 1",
                        f->name, quoted_length((int)(p - step_start)), step_start, qlen,
                        item.text);
        if (!star && !range)
            high = f->max;
    }
    if (p < end) {
        if (star && *p == '-')
            return fail(err, err_size, "%s: '*' cannot start a range in '%.*s'", f->name,
                        qlen, item.text);
        return fail(err, err_size, "%s: unexpected '%c' in '%.*s'", f->name, *p, qlen,
                    item.text);
    }
    if (low > high)
        return fail(err, err_size, "%s: range '%.*s' runs backwards (split it into two, "
                    "joined by ',')", f->name, qlen, item.text);
    for (long value = low; value <= high; value += step)
        set_bit(v, (int)(value - f->min));
    return 0;
}

static int parse_field(int index, token field, field_value *v, char *err, size_t err_size)
{
    const field_spec *f = &FIELDS[index];
    memset(v, 0, sizeof *v);
    if (field.length == 1 && field.text[0] == '?') {
        if (index != F_DAY_OF_MONTH && index != F_DAY_OF_WEEK)
            return fail(err, err_size,
                        "%s: '?' is only allowed in day-of-month or day-of-week", f->name);
        v->question = true;
    } else if (field.length == 1 && field.text[0] == '*') {
        v->star = true;
    }
    if (!v->question && memchr(field.text, '?', (size_t)field.length) != NULL) {
        if (index != F_DAY_OF_MONTH && index != F_DAY_OF_WEEK)
            return fail(err, err_size,
                        "%s: '?' is only allowed in day-of-month or day-of-week", f->name);
        return fail(err, err_size, "%s: '?' must be the whole field, not part of '%.*s'",
                    f->name, quoted_length(field.length), field.text);
    }
    if (v->question || v->star) {
        for (int i = 0; i <= f->max - f->min; i++)
            set_bit(v, i);
        return 0;
    }
    const char *end = field.text + field.length;
    const char *item = field.text;
    for (;;) {
        const char *comma = memchr(item, ',', (size_t)(end - item));
        const char *item_end = comma != NULL ? comma : end;
        if (item_end == item)
            return fail(err, err_size, "%s: empty item in the list '%.*s'", f->name,
                        quoted_length(field.length), field.text);
        token t = {item, (int)(item_end - item)};
        if (parse_item(f, t, v, err, err_size) != 0)
            return -1;
        if (comma == NULL)
            return 0;
        item = comma + 1;
    }
}

static int parse_rate(const char *p, const char *end, cron_schedule *out, char *err,
                      size_t err_size)
{
    static const struct { const char *singular, *plural; double seconds; } UNITS[] = {
        {"minute", "minutes", 60.0}, {"hour", "hours", 3600.0}, {"day", "days", 86400.0},
    };
    while (p < end && is_blank(*p))
        p++;
    while (end > p && is_blank(end[-1]))
        end--;
    if (p == end)
        return fail(err, err_size, "rate: missing value and unit, e.g. rate(12 hours)");
    const char *number = p;
    long value;
    int digits = read_digits(&p, end, &value);
    if (digits == 0 || (p < end && !is_blank(*p))) {
        while (p < end && !is_blank(*p))
            p++;
        return fail(err, err_size, "rate: '%.*s' is not a whole number, e.g. rate(12 hours)",
                    quoted_length((int)(p - number)), number);
    }
    long long n = 0;
    for (const char *q = number; q < p; q++) {
        n = n * 10 + (*q - '0');
        if (n > RATE_MAX)
            return fail(err, err_size, "rate: %.*s is too large (at most %lld)",
                        quoted_length(digits), number, RATE_MAX);
    }
    if (n == 0)
        return fail(err, err_size, "rate: the value must be at least 1, not %.*s",
                    quoted_length(digits), number);
    while (p < end && is_blank(*p))
        p++;
    if (p == end)
        return fail(err, err_size, "rate: missing unit after %.*s (use minute(s), hour(s) "
                    "or day(s))", quoted_length(digits), number);
    size_t unit_length = (size_t)(end - p);
    for (size_t i = 0; i < sizeof UNITS / sizeof UNITS[0]; i++) {
        if ((unit_length == strlen(UNITS[i].singular) &&
             memcmp(p, UNITS[i].singular, unit_length) == 0) ||
            (unit_length == strlen(UNITS[i].plural) &&
             memcmp(p, UNITS[i].plural, unit_length) == 0)) {
            memset(out, 0, sizeof *out);
            out->is_rate = true;
            out->rate_s = (double)n * UNITS[i].seconds;
            return 0;
        }
    }
    return fail(err, err_size, "rate: unknown unit '%.*s' (use minute(s), hour(s) or day(s))",
                quoted_length((int)unit_length), p);
}

static int parse_cron(const char *p, const char *end, cron_schedule *out, char *err,
                      size_t err_size)
{
    token fields[FIELD_COUNT];
    int count = 0;
    for (;;) {
        while (p < end && is_blank(*p))
            p++;
        if (p == end)
            break;
        const char *start = p;
        while (p < end && !is_blank(*p))
            p++;
        if (count < FIELD_COUNT)
            fields[count] = (token){start, (int)(p - start)};
        count++;
    }
    if (count != FIELD_COUNT)
        return fail(err, err_size, "cron: expected 6 fields (Minutes Hours Day-of-month Month "
                    "Day-of-week Year), found %d%s", count,
                    count == 5 ? " (AWS cron has a Year field: add ' *' for every year)" : "");

    field_value v[FIELD_COUNT];
    for (int i = 0; i < FIELD_COUNT; i++)
        if (parse_field(i, fields[i], &v[i], err, err_size) != 0)
            return -1;

    if (v[F_DAY_OF_MONTH].question == v[F_DAY_OF_WEEK].question)
        return fail(err, err_size,
                    "exactly one of day-of-month and day-of-week must be '?' (%s)",
                    v[F_DAY_OF_MONTH].question ? "both are" : "neither is");

    /* The year as one span [first, last]. */
    const field_value *year = &v[F_YEAR];
    int first = -1, last = -1;
    for (int i = 0; i <= YEAR_HIGH - YEAR_LOW; i++) {
        if (has_bit(year, i)) {
            if (first < 0)
                first = i;
            else if (last != i - 1)
                return fail(err, err_size, "year: '%.*s' is not one year or one unbroken "
                            "range of years (e.g. 2026-2030)",
                            quoted_length(fields[F_YEAR].length), fields[F_YEAR].text);
            last = i;
        }
    }

    cron_schedule s;
    memset(&s, 0, sizeof s);
    s.minutes = v[F_MINUTES].bits[0];
    s.hours = (uint32_t)v[F_HOURS].bits[0];
    s.days_of_month = (uint32_t)(v[F_DAY_OF_MONTH].bits[0] << 1);
    s.last_day_of_month = v[F_DAY_OF_MONTH].last;
    s.any_day_of_month = v[F_DAY_OF_MONTH].question || v[F_DAY_OF_MONTH].star;
    s.months = (uint16_t)(v[F_MONTH].bits[0] << 1);
    s.days_of_week = (uint8_t)v[F_DAY_OF_WEEK].bits[0];
    s.any_day_of_week = v[F_DAY_OF_WEEK].question || v[F_DAY_OF_WEEK].star;
    s.any_year = year->star;
    s.year_min = (uint16_t)(YEAR_LOW + first);
    s.year_max = (uint16_t)(YEAR_LOW + last);

    /* A day of the month that no chosen month has never comes. */
    if (!s.any_day_of_month && !s.last_day_of_month) {
        static const int LONGEST[13] = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        bool fires = false;
        for (int m = 1; m <= 12 && !fires; m++)
            if ((s.months >> m) & 1u)
                fires = (s.days_of_month & (uint32_t)(((1ULL << LONGEST[m]) - 1) << 1)) != 0;
        if (!fires)
            return fail(err, err_size, "day-of-month: no chosen month has day %d, so the "
                        "schedule would never fire", __builtin_ctz(s.days_of_month));
    }
    *out = s;
    return 0;
}

int cron_parse(const char *text, cron_schedule *out, char *err, size_t err_size)
{
    assert(text != NULL && out != NULL);
    const char *p = text;
    const char *end = text + strlen(text);
    while (p < end && is_blank(*p))
        p++;
    while (end > p && is_blank(end[-1]))
        end--;
    if (p == end)
        return fail(err, err_size, "empty schedule expression (expected cron(...) or "
                    "rate(...))");
    bool is_cron = (size_t)(end - p) >= 5 && memcmp(p, "cron(", 5) == 0;
    bool is_rate = (size_t)(end - p) >= 5 && memcmp(p, "rate(", 5) == 0;
    if (!is_cron && !is_rate)
        return fail(err, err_size, "'%.*s' is not a schedule expression (expected "
                    "cron(Minutes Hours Day-of-month Month Day-of-week Year) or "
                    "rate(N minutes|hours|days))", quoted_length((int)(end - p)), p);
    const char *kind = is_cron ? "cron" : "rate";
    const char *body = p + 5;
    const char *close = memchr(body, ')', (size_t)(end - body));
    if (close == NULL)
        return fail(err, err_size, "%s: missing ')'", kind);
    if (close + 1 != end)
        return fail(err, err_size, "%s: unexpected text after ')': '%.*s'", kind,
                    quoted_length((int)(end - close - 1)), close + 1);
    if (is_rate) {
        cron_schedule s;
        if (parse_rate(body, close, &s, err, err_size) != 0)
            return -1;
        *out = s;
        return 0;
    }
    return parse_cron(body, close, out, err, err_size);
}
