/*
 * sla_table — allowed downtime for an availability level (`drsim table sla`).
 *
 * downtime = (1 − A) × period, with a year of 365 days, a month of 30 days
 * and a week of 7 days, as the seed chapter computes it
 * ("365 × 24 × 60 × (1 − 0.9999) = 52.6 minutes").  The human form matches
 * the chapter's table: per year three significant digits ("3.65 days (87.6
 * hours)", "8.76 hours", "52.6 minutes"), per month and week two, trailing
 * zeros dropped ("4.3 minutes", "1 minute").  Figures below a minute are in
 * seconds.  The downtime is computed from the level's decimal digits
 * (m × period / 10^k), so 99.99% of a year is exactly 3153.6 s, and rounded
 * half away from zero.  A level outside [0, 1] gives NAN and "n/a".
 */
#ifndef DRSIM_SLA_TABLE_H
#define DRSIM_SLA_TABLE_H

#include <stddef.h>
#include <stdio.h>

typedef struct sla_downtime {
    double availability;     /* fraction, e.g. 0.9999 */
    double per_year_s, per_month_s, per_week_s;
} sla_downtime;

/* The chapter's levels: 0.99, 0.999, 0.9995, 0.9999, 0.99999. */
extern const double sla_default_levels[5];

void sla_downtime_for(double availability, sla_downtime *out);

/* "99.99%" style label: the percentage with no trailing zeros. */
char *sla_format_percent(double availability, char *buf, size_t buf_size);

/* Human duration with `significant` digits and the chapter's units:
 * minutes below an hour, hours below a day, days with hours in
 * parentheses at a day or more when significant == 3 ("3.65 days (87.6 hours)"). */
char *sla_format_downtime(double seconds, int significant, char *buf, size_t buf_size);

/* The table on out, one row per level in the given order. */
void sla_table_print(FILE *out, const double *levels, size_t n);

/* CSV: availability,availability_percent,downtime_per_year_s,
 * downtime_per_month_s,downtime_per_week_s,per_year,per_month,per_week
 * (the last three the human forms).  Written atomically; 0 or -1 with err. */
int sla_table_write_csv(const char *path, const double *levels, size_t n,
                        char *err, size_t err_size);

/* SLA tiers and service credits (REFERENCES.md, "SLAs and service
 * credits").  A monthly billing cycle's availability below `commitment`
 * earns credits[0] of that month's bill, below breakpoints[1] credits[1],
 * below breakpoints[2] credits[2].  REFERENCES.md gives the breakpoints for
 * EC2 (99.99 / 99.0 / 95.0); the other services' credits are given as
 * "10 / 25 / 100%" and are assumed to break at their commitment, 99.0 and
 * 95.0 like EC2's. */
typedef struct sla_tiers {
    const char *name;          /* ec2-region, rds-multi-az, aurora, elb, s3, dynamodb, ... */
    double breakpoints[3];     /* commitment, then the lower tiers */
    double credits[3];         /* fraction of the monthly bill */
} sla_tiers;

/* The tiers of that name, or NULL.  sla_tiers_names() lists them for messages. */
const sla_tiers *sla_tiers_named(const char *name);
const char *sla_tiers_names(void);

/* The credit a month at `availability` earns: 0 when the commitment is met. */
double sla_credit(const sla_tiers *tiers, double availability);

#endif
