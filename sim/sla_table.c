/*
 * sla_table — allowed downtime for an availability level (include/sla_table.h).
 *
 * Decimal intent.  A level arrives as a double such as 0.9999, which is not
 * 0.9999 but 0.99990000000000001101...; 1 − A is then 9.99999999999889e-05
 * and a year's downtime would print as 3153.5999999996526 s.  The user wrote
 * four decimal places, so the downtime is computed from them: A is taken as
 * the shortest decimal with k places that reads back as A (k ≤ 15), the
 * unavailability as the integer m = 10^k − A·10^k, and the downtime as
 * m × period / 10^k — an exact product and one correctly rounded division,
 * so 99.99% per year is exactly the double nearest 3153.6.  Levels with more
 * than 15 decimal places fall back to (1 − A) × period.
 *
 * Human forms round to `significant` digits, halves away from zero as people
 * expect ("0.35 days" is "0.4", not printf's round-half-even on a binary
 * value that is a hair below 0.35), then drop trailing zeros.  Units:
 * seconds below a minute, minutes below an hour, hours below a day, days
 * above; a value that rounds up to the next unit's size moves to that unit
 * ("59.99 seconds" at two digits is "1 minute", never "60 seconds").  The
 * unit is singular when the number reads exactly "1".
 */
#include "sla_table.h"

#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "csvout.h"
#include "outfile.h"

const double sla_default_levels[5] = {0.99, 0.999, 0.9995, 0.9999, 0.99999};

enum { MAX_DECIMAL_PLACES = 15 };

static const double SECONDS_PER_YEAR = 365.0 * 86400.0;
static const double SECONDS_PER_MONTH = 30.0 * 86400.0;
static const double SECONDS_PER_WEEK = 7.0 * 86400.0;

/* The fewest decimal places k (0..15) with which A prints and reads back as
 * itself; -1 when A needs more. */
static int decimal_places(double availability)
{
    char buf[64];
    for (int k = 0; k <= MAX_DECIMAL_PLACES; k++) {
        snprintf(buf, sizeof buf, "%.*f", k, availability);
        if (strtod(buf, NULL) == availability)
            return k;
    }
    return -1;
}

static double downtime_seconds(double availability, double period_s)
{
    int k = decimal_places(availability);
    if (k < 0)
        return (1.0 - availability) * period_s;
    double scale = pow(10.0, k); /* exact for k <= 22 */
    double unavailable = round(scale - availability * scale); /* integer m */
    return unavailable * period_s / scale;
}

void sla_downtime_for(double availability, sla_downtime *out)
{
    out->availability = availability;
    if (!(availability >= 0.0 && availability <= 1.0)) {
        out->per_year_s = NAN;
        out->per_month_s = NAN;
        out->per_week_s = NAN;
        return;
    }
    out->per_year_s = downtime_seconds(availability, SECONDS_PER_YEAR);
    out->per_month_s = downtime_seconds(availability, SECONDS_PER_MONTH);
    out->per_week_s = downtime_seconds(availability, SECONDS_PER_WEEK);
}

/* Drops trailing zeros after a decimal point, and the point itself. */
static void strip_trailing_zeros(char *text)
{
    if (strchr(text, '.') == NULL)
        return;
    size_t len = strlen(text);
    while (len > 0 && text[len - 1] == '0')
        text[--len] = '\0';
    if (len > 0 && text[len - 1] == '.')
        text[--len] = '\0';
}

char *sla_format_percent(double availability, char *buf, size_t buf_size)
{
    int k = decimal_places(availability);
    if (k < 0)
        snprintf(buf, buf_size, "%.15g", availability * 100.0);
    else
        snprintf(buf, buf_size, "%.*f", k > 2 ? k - 2 : 0, availability * 100.0);
    strip_trailing_zeros(buf);
    size_t len = strlen(buf);
    if (len + 1 < buf_size) {
        buf[len] = '%';
        buf[len + 1] = '\0';
    }
    return buf;
}

/* value > 0 rounded to `significant` digits, halves away from zero; sets
 * *rounded to the number the text shows. */
static void format_significant(double value, int significant, char *buf, size_t buf_size,
                               double *rounded)
{
    int exponent = (int)floor(log10(value));
    int shift = exponent - significant + 1; /* value ≈ digits × 10^shift */
    double digits = shift >= 0 ? value / pow(10.0, shift) : value * pow(10.0, -shift);
    digits = round(digits * (1.0 + 1e-12));
    if (digits >= pow(10.0, significant)) { /* 9.996 → 10.0 */
        digits /= 10.0;
        shift++;
    }
    *rounded = shift >= 0 ? digits * pow(10.0, shift) : digits / pow(10.0, -shift);
    snprintf(buf, buf_size, "%.*f", shift < 0 ? -shift : 0, *rounded);
    strip_trailing_zeros(buf);
}

typedef struct time_unit {
    double seconds;
    const char *one, *many;
    double next_at; /* in this unit: where the next unit takes over */
} time_unit;

static const time_unit UNITS[] = {
    {1.0, "second", "seconds", 60.0},
    {60.0, "minute", "minutes", 60.0},
    {3600.0, "hour", "hours", 24.0},
    {86400.0, "day", "days", INFINITY},
};
enum { UNIT_COUNT = sizeof UNITS / sizeof UNITS[0] };

static const char *unit_name(const time_unit *unit, const char *number)
{
    return strcmp(number, "1") == 0 ? unit->one : unit->many;
}

char *sla_format_downtime(double seconds, int significant, char *buf, size_t buf_size)
{
    if (isnan(seconds) || seconds < 0.0 || significant < 1) {
        snprintf(buf, buf_size, "n/a");
        return buf;
    }
    if (seconds == 0.0) {
        snprintf(buf, buf_size, "0 seconds");
        return buf;
    }
    if (isinf(seconds)) {
        snprintf(buf, buf_size, "forever");
        return buf;
    }
    size_t u = 0;
    while (u + 1 < UNIT_COUNT && seconds >= UNITS[u + 1].seconds)
        u++;
    char number[64];
    double rounded;
    format_significant(seconds / UNITS[u].seconds, significant, number, sizeof number, &rounded);
    while (u + 1 < UNIT_COUNT && rounded >= UNITS[u].next_at) {
        u++;
        format_significant(seconds / UNITS[u].seconds, significant, number, sizeof number,
                           &rounded);
    }
    if (UNITS[u].seconds == 86400.0 && significant == 3) {
        char hours[64];
        double rounded_hours;
        format_significant(seconds / 3600.0, significant, hours, sizeof hours, &rounded_hours);
        snprintf(buf, buf_size, "%s %s (%s %s)", number, unit_name(&UNITS[u], number), hours,
                 unit_name(&UNITS[2], hours));
    } else {
        snprintf(buf, buf_size, "%s %s", number, unit_name(&UNITS[u], number));
    }
    return buf;
}

/* "Four 9s" style names for levels that are exactly 1 − 10^-k. */
static const char *nines_name(double availability, char *buf, size_t buf_size)
{
    static const char *const names[] = {"One",  "Two",   "Three", "Four", "Five",
                                        "Six",  "Seven", "Eight", "Nine"};
    int k = decimal_places(availability);
    if (k < 1)
        return NULL;
    double scale = pow(10.0, k);
    if (round(scale - availability * scale) != 1.0)
        return NULL;
    if (k <= 9)
        snprintf(buf, buf_size, "%s 9%s", names[k - 1], k == 1 ? "" : "s");
    else
        snprintf(buf, buf_size, "%d 9s", k);
    return buf;
}

enum { CELL_SIZE = 96, COLUMNS = 4 };

typedef struct sla_row {
    char cells[COLUMNS][CELL_SIZE];
} sla_row;

static void fill_row(double availability, sla_row *row)
{
    sla_downtime d;
    sla_downtime_for(availability, &d);
    char percent[48], nines[32];
    sla_format_percent(availability, percent, sizeof percent);
    const char *name = nines_name(availability, nines, sizeof nines);
    if (name != NULL)
        snprintf(row->cells[0], CELL_SIZE, "%s (%s)", percent, name);
    else
        snprintf(row->cells[0], CELL_SIZE, "%s", percent);
    sla_format_downtime(d.per_year_s, 3, row->cells[1], CELL_SIZE);
    sla_format_downtime(d.per_month_s, 2, row->cells[2], CELL_SIZE);
    sla_format_downtime(d.per_week_s, 2, row->cells[3], CELL_SIZE);
}

static void print_row(FILE *out, const char *const cells[COLUMNS], const size_t width[COLUMNS])
{
    for (int c = 0; c < COLUMNS; c++) {
        if (c + 1 < COLUMNS)
            fprintf(out, "%-*s | ", (int)width[c], cells[c]);
        else
            fprintf(out, "%s\n", cells[c]);
    }
}

void sla_table_print(FILE *out, const double *levels, size_t n)
{
    static const char *const header[COLUMNS] = {"Availability", "Downtime per year",
                                                 "per month", "per week"};
    sla_row *rows = calloc(n > 0 ? n : 1, sizeof *rows);
    if (rows == NULL) {
        fprintf(out, "(out of memory)\n");
        return;
    }
    size_t width[COLUMNS];
    for (int c = 0; c < COLUMNS; c++)
        width[c] = strlen(header[c]);
    for (size_t i = 0; i < n; i++) {
        fill_row(levels[i], &rows[i]);
        for (int c = 0; c < COLUMNS; c++) {
            size_t len = strlen(rows[i].cells[c]);
            if (len > width[c])
                width[c] = len;
        }
    }

    print_row(out, header, width);
    for (int c = 0; c < COLUMNS; c++) {
        for (size_t i = 0; i < width[c] + (c == 0 ? 1 : 2) - (c + 1 == COLUMNS ? 1 : 0); i++)
            fputc('-', out);
        fputs(c + 1 < COLUMNS ? "+" : "\n", out);
    }
    for (size_t i = 0; i < n; i++) {
        const char *const cells[COLUMNS] = {rows[i].cells[0], rows[i].cells[1],
                                            rows[i].cells[2], rows[i].cells[3]};
        print_row(out, cells, width);
    }
    free(rows);
}

int sla_table_write_csv(const char *path, const double *levels, size_t n, char *err,
                        size_t err_size)
{
    static const char *const header[] = {
        "availability",         "availability_percent", "downtime_per_year_s",
        "downtime_per_month_s", "downtime_per_week_s",  "per_year",
        "per_month",            "per_week",             NULL};
    outfile f;
    if (outfile_open(&f, path, err, err_size) != 0)
        return -1;
    csv_writer w;
    csv_writer_init(&w, f.fp);
    csv_write_header(&w, header);
    for (size_t i = 0; i < n; i++) {
        sla_downtime d;
        sla_downtime_for(levels[i], &d);
        char percent[48], text[CELL_SIZE];
        sla_format_percent(levels[i], percent, sizeof percent);
        percent[strcspn(percent, "%")] = '\0';
        csv_write_double(&w, levels[i]);
        csv_write_double(&w, strtod(percent, NULL));
        csv_write_double(&w, d.per_year_s);
        csv_write_double(&w, d.per_month_s);
        csv_write_double(&w, d.per_week_s);
        csv_write_str(&w, sla_format_downtime(d.per_year_s, 3, text, sizeof text));
        csv_write_str(&w, sla_format_downtime(d.per_month_s, 2, text, sizeof text));
        csv_write_str(&w, sla_format_downtime(d.per_week_s, 2, text, sizeof text));
        csv_end_row(&w);
    }
    if (w.failed) {
        snprintf(err, err_size, "cannot write '%s': write error", path);
        outfile_abort(&f);
        return -1;
    }
    return outfile_commit(&f, err, err_size);
}

/* REFERENCES.md, "SLAs and service credits" (single-instance EC2 and
 * Route 53 have no credit tiers listed there, so they are not offered). */
static const sla_tiers known_tiers[] = {
    {"ec2-region", {0.9999, 0.99, 0.95}, {0.10, 0.30, 1.00}},
    {"rds-multi-az", {0.9995, 0.99, 0.95}, {0.10, 0.25, 1.00}},
    {"rds-single", {0.995, 0.99, 0.95}, {0.10, 0.25, 1.00}},
    {"aurora", {0.9999, 0.99, 0.95}, {0.10, 0.25, 1.00}},
    {"elb", {0.9999, 0.99, 0.95}, {0.10, 0.30, 1.00}},
    {"s3", {0.999, 0.99, 0.95}, {0.10, 0.25, 1.00}},
    {"dynamodb", {0.9999, 0.99, 0.95}, {0.10, 0.25, 1.00}},
    {"dynamodb-global", {0.99999, 0.99, 0.95}, {0.10, 0.25, 1.00}},
};

const sla_tiers *sla_tiers_named(const char *name)
{
    for (size_t i = 0; i < sizeof known_tiers / sizeof known_tiers[0]; i++)
        if (strcmp(known_tiers[i].name, name) == 0)
            return &known_tiers[i];
    return NULL;
}

const char *sla_tiers_names(void)
{
    return "ec2-region, rds-multi-az, rds-single, aurora, elb, s3, dynamodb, dynamodb-global";
}

double sla_credit(const sla_tiers *tiers, double availability)
{
    double credit = 0.0;
    for (int i = 0; i < 3; i++)
        if (availability < tiers->breakpoints[i])
            credit = tiers->credits[i];
    return credit;
}
