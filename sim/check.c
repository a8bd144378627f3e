/* check — see include/check.h for the rule; docs/ci.md for the user's account. */
#include "check.h"

#include <math.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_cdf.h>

#include "csvout.h"
#include "duration.h"
#include "runner.h"
#include "stats.h"
#include "trial.h"

/* ---- the plan --------------------------------------------------------------------------- */

void check_plan_make(uint64_t max_trials, double confidence, check_plan *plan)
{
    memset(plan, 0, sizeof *plan);
    if (max_trials < 1)
        max_trials = 1;
    uint64_t n = max_trials < CHECK_FIRST_LOOK_TRIALS ? max_trials : CHECK_FIRST_LOOK_TRIALS;
    for (;;) {
        plan->looks[plan->n_looks++] = n;
        if (n == max_trials || plan->n_looks == CHECK_MAX_LOOKS)
            break;
        n = n > max_trials / 2 ? max_trials : 2 * n;
    }
    /* 200 * 2^63 overflows long before 64 looks: the last look is max_trials */
    plan->looks[plan->n_looks - 1] = max_trials;
    plan->confidence = confidence;
    plan->look_confidence = 1.0 - (1.0 - confidence) / (double)plan->n_looks;
}

/* ---- what can be measured --------------------------------------------------------------- */

static bool scenario_has_disasters(const scenario *sc)
{
    for (size_t d = 0; d < sc->n_domains; d++)
        if (sc->domains[d].has_outage)
            return true;
    return sc->has_data;
}

const char *check_unmeasurable(const scenario *sc, check_kind kind)
{
    if (kind == CHECK_RTO && !scenario_has_disasters(sc))
        return "the scenario has no disasters (no zone or region with outages, no data models)";
    if (kind == CHECK_RPO && !sc->has_data)
        return "the scenario has no data models (databases, backup plans or buckets)";
    return NULL;
}

void check_report_init(check_report *report, const scenario_targets *targets)
{
    memset(report, 0, sizeof *report);
    const bool has[CHECK_KINDS] = {targets->has_availability, targets->has_rto, targets->has_rpo};
    const double value[CHECK_KINDS] = {targets->availability, targets->rto_s, targets->rpo_s};
    for (int kind = 0; kind < CHECK_KINDS; kind++) {
        if (!has[kind])
            continue;
        check_target *t = &report->targets[report->n_targets++];
        t->kind = (check_kind)kind;
        t->value = value[kind];
        t->verdict = CHECK_UNDECIDED;
        t->measured = t->ci_low = t->ci_high = NAN;
    }
}

/* ---- intervals -------------------------------------------------------------------------- */

check_verdict check_decide(double required, double low, double high)
{
    if (isnan(low) || isnan(high) || isnan(required))
        return CHECK_UNDECIDED;
    if (low >= required)
        return CHECK_PASS;
    if (high < required)
        return CHECK_FAIL;
    return CHECK_UNDECIDED;
}

void check_wilson_interval(double successes, double n, double confidence, double *low,
                           double *high)
{
    if (!(n > 0.0) || !(confidence > 0.0 && confidence < 1.0)) {
        *low = *high = NAN;
        return;
    }
    double z = gsl_cdf_ugaussian_Pinv(0.5 + 0.5 * confidence);
    double z2 = z * z;
    double p = successes / n;
    double center = (successes + 0.5 * z2) / (n + z2);
    double half = z / (n + z2) * sqrt(n * p * (1.0 - p) + 0.25 * z2);
    *low = center - half < 0.0 ? 0.0 : center - half;
    *high = center + half > 1.0 ? 1.0 : center + half;
}

/* Per-trial availability, in trial order: count, mean and the second and
 * third central sums (Welford, Terriberry: stable for values near 1). */
typedef struct mean_sums {
    uint64_t n;
    uint64_t nonzero_downtime;
    double mean, m2, m3;
} mean_sums;

static void mean_add(mean_sums *s, double x, bool had_downtime)
{
    double n_before = (double)s->n;
    s->n++;
    s->nonzero_downtime += had_downtime;
    double n = (double)s->n;
    double delta = x - s->mean;
    double delta_n = delta / n;
    double term = delta * delta_n * n_before;
    s->mean += delta_n;
    s->m3 += term * delta_n * (n - 2.0) - 3.0 * delta_n * s->m2;
    s->m2 += term;
}

/* Hall's (1992) skewness-corrected t interval.  With T = (mean - mu)/(sd/sqrt n)
 * and skewness g, the monotone transform f(T) = T + aT^2 + a^2 T^3/3 + b,
 * a = g/(3 sqrt n), b = g/(6 sqrt n), is nearly t-distributed even for skewed
 * data; the interval is {mu : |f(T)| <= t}.  Per-trial availability is
 * strongly skewed when downtime is rare (most trials exactly 1, a few well
 * below), where the plain t interval puts its bounds too high. */
static void mean_interval(const mean_sums *s, double confidence, double *low, double *high)
{
    if (s->n < 2) {
        *low = *high = NAN;
        return;
    }
    double n = (double)s->n;
    double m2 = s->m2 > 0.0 ? s->m2 : 0.0;
    double sd = sqrt(m2 / (n - 1.0));
    if (sd == 0.0) {
        *low = *high = s->mean; /* every trial the same */
        return;
    }
    double t = stats_t_critical(confidence, (size_t)(s->n - 1));
    double skewness = (s->m3 / n) / pow(m2 / n, 1.5);
    double a = skewness / (3.0 * sqrt(n)), b = skewness / (6.0 * sqrt(n));
    /* T for f(T) = y: f(T) - b = ((1 + aT)^3 - 1) / (3a) */
    double t_high = fabs(a) < 1e-12 ? t - b : (cbrt(1.0 + 3.0 * a * (t - b)) - 1.0) / a;
    double t_low = fabs(a) < 1e-12 ? -t - b : (cbrt(1.0 + 3.0 * a * (-t - b)) - 1.0) / a;
    double se = sd / sqrt(n);
    *low = s->mean - t_high * se;
    *high = s->mean - t_low * se;
}

/* Per-trial (within target, disasters) counts: a ratio of sums.  The counts
 * are small whole numbers, so the sums are exact in a double. */
typedef struct ratio_sums {
    uint64_t n;
    double num, den, num2, den2, num_den;
} ratio_sums;

static void ratio_add(ratio_sums *s, double num, double den)
{
    s->n++;
    s->num += num;
    s->den += den;
    s->num2 += num * num;
    s->den2 += den * den;
    s->num_den += num * den;
}

/* The wider of the delta-method interval (the trial as cluster, as
 * stats_ratio_ci computes it) and the Wilson interval of the pooled counts. */
static void share_interval(const ratio_sums *s, double confidence, double *low, double *high)
{
    *low = *high = NAN;
    if (s->n < 2 || s->den == 0.0)
        return;
    double ratio = s->num / s->den;
    double residuals = s->num2 - 2.0 * ratio * s->num_den + ratio * ratio * s->den2;
    double mean_den = s->den / (double)s->n;
    double variance = (residuals > 0.0 ? residuals : 0.0) /
                      ((double)s->n * (double)(s->n - 1) * mean_den * mean_den);
    double half = stats_t_critical(confidence, (size_t)(s->n - 1)) * sqrt(variance);
    double wilson_low, wilson_high;
    check_wilson_interval(s->num, s->den, confidence, &wilson_low, &wilson_high);
    *low = fmin(ratio - half, wilson_low);
    *high = fmax(ratio + half, wilson_high);
    if (*low < 0.0)
        *low = 0.0;
    if (*high > 1.0)
        *high = 1.0;
}

/* ---- the looks -------------------------------------------------------------------------- */

typedef struct check_sums {
    mean_sums availability;
    ratio_sums within[CHECK_KINDS]; /* [CHECK_RTO], [CHECK_RPO] */
} check_sums;

static void accumulate(const check_report *report, const run_results *results, double horizon_s,
                       check_sums *sums)
{
    double limit_s[CHECK_KINDS] = {NAN, NAN, NAN};
    for (size_t t = 0; t < report->n_targets; t++)
        limit_s[report->targets[t].kind] = report->targets[t].value;
    for (uint64_t i = 0; i < results->trials; i++) {
        const trial_result *r = &results->records[i];
        mean_add(&sums->availability, r->uptime_s / horizon_s, r->downtime_s > 0.0);
        double within_rto = 0.0, within_rpo = 0.0, disasters = 0.0;
        for (size_t j = 0; j < results->disasters[i].count; j++) {
            const disaster *d = &results->disasters[i].items[j];
            if (!d->hit_active)
                continue;
            disasters += 1.0;
            /* as `drsim run` counts rto_attainment: a disaster still open at
             * the horizon counts with the time up to it */
            within_rto += d->restored_s - d->start_s <= limit_s[CHECK_RTO];
            within_rpo += d->data_loss_s <= limit_s[CHECK_RPO];
        }
        ratio_add(&sums->within[CHECK_RTO], within_rto, disasters);
        ratio_add(&sums->within[CHECK_RPO], within_rpo, disasters);
    }
}

static void evaluate(check_report *report, const check_sums *sums, double confidence,
                     uint64_t trials)
{
    for (size_t t = 0; t < report->n_targets; t++) {
        check_target *target = &report->targets[t];
        if (target->verdict != CHECK_UNDECIDED)
            continue;
        target->trials = trials;
        if (target->kind == CHECK_AVAILABILITY) {
            const mean_sums *s = &sums->availability;
            target->measured = s->n ? s->mean : NAN;
            target->observations = s->nonzero_downtime;
            mean_interval(s, confidence, &target->ci_low, &target->ci_high);
            if (s->nonzero_downtime >= CHECK_MIN_TRIALS_WITH_DOWNTIME)
                target->verdict = check_decide(target->value, target->ci_low, target->ci_high);
        } else {
            const ratio_sums *s = &sums->within[target->kind];
            target->measured = s->den > 0.0 ? s->num / s->den : NAN;
            target->observations = (uint64_t)s->den;
            share_interval(s, confidence, &target->ci_low, &target->ci_high);
            target->verdict = check_decide(CHECK_REQUIRED_SHARE, target->ci_low, target->ci_high);
        }
    }
}

static bool all_decided(const check_report *report)
{
    for (size_t t = 0; t < report->n_targets; t++)
        if (report->targets[t].verdict == CHECK_UNDECIDED)
            return false;
    return true;
}

static double monotonic_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int check_run(const scenario *sc, const check_config *cfg, check_report *report, char *err,
              size_t err_size)
{
    double start_s = monotonic_s();
    check_plan_make(cfg->max_trials, cfg->confidence, &report->plan);
    check_sums sums;
    memset(&sums, 0, sizeof sums);
    uint64_t done = 0;
    for (size_t k = 0; k < report->plan.n_looks && !all_decided(report); k++) {
        while (done < report->plan.looks[k]) {
            uint64_t left = report->plan.looks[k] - done;
            run_config run = {.trials = left < CHECK_CHUNK_TRIALS ? left : CHECK_CHUNK_TRIALS,
                              .seed = cfg->seed,
                              .horizon_s = cfg->horizon_s,
                              .threads = cfg->threads,
                              .progress = false};
            run_results results;
            if (runner_run_range(sc, &run, done, &results, err, err_size) != 0) {
                if (done > 0 && cfg->first_look != NULL) { /* as if never handed over */
                    run_results_free(cfg->first_look);
                }
                return -1;
            }
            accumulate(report, &results, cfg->horizon_s, &sums);
            if (done == 0 && cfg->first_look != NULL)
                *cfg->first_look = results; /* handed over, not freed */
            else
                run_results_free(&results);
            done += run.trials;
        }
        report->trials = done;
        evaluate(report, &sums, report->plan.look_confidence, done);
    }
    report->wall_s = monotonic_s() - start_s;
    return 0;
}

bool check_all_passed(const check_report *report)
{
    for (size_t t = 0; t < report->n_targets; t++)
        if (report->targets[t].verdict != CHECK_PASS)
            return false;
    return true;
}

/* ---- words ------------------------------------------------------------------------------ */

static const char *kind_name(check_kind kind)
{
    return kind == CHECK_AVAILABILITY ? "availability" : kind == CHECK_RTO ? "rto" : "rpo";
}

/* 0.9999 -> "99.99": fifteen digits hide the binary noise of 100 * x. */
static char *percent(double fraction, char *buf, size_t buf_size)
{
    snprintf(buf, buf_size, "%.15g", 100.0 * fraction);
    return buf;
}

/* A target's duration, exactly: in the largest unit from years down to
 * minutes that needs at most three decimals ("15 min", "3.005 h"), else in
 * seconds, so a label never rounds the target away. */
static char *limit_text(double seconds, char *buf, size_t buf_size)
{
    static const struct {
        double seconds;
        const char *name;
    } units[] = {{DURATION_YEAR_S, "y"}, {86400.0, "d"}, {3600.0, "h"}, {60.0, "min"}};
    for (size_t u = 0; u < sizeof units / sizeof units[0]; u++) {
        double thousandths = seconds / units[u].seconds * 1000.0;
        if (thousandths >= 1000.0 &&
            fabs(thousandths - nearbyint(thousandths)) <= 1e-6 + 1e-13 * thousandths) {
            snprintf(buf, buf_size, "%.15g %s", nearbyint(thousandths) / 1000.0, units[u].name);
            return buf;
        }
    }
    if (seconds > 0.0 && seconds < 1.0)
        snprintf(buf, buf_size, "%.15g ms", seconds * 1000.0);
    else
        snprintf(buf, buf_size, "%.15g s", seconds);
    return buf;
}

char *check_target_label(const check_target *target, char *buf, size_t buf_size)
{
    char value[32], share[32];
    if (target->kind == CHECK_AVAILABILITY)
        snprintf(buf, buf_size, "availability >= %s%%", percent(target->value, value, sizeof value));
    else
        snprintf(buf, buf_size, "%s <= %s for %s%% of disasters", kind_name(target->kind),
                 limit_text(target->value, value, sizeof value),
                 percent(CHECK_REQUIRED_SHARE, share, sizeof share));
    return buf;
}

static char *figure(const check_target *target, double value, char *buf, size_t buf_size)
{
    if (isnan(value))
        snprintf(buf, buf_size, "-");
    else if (target->kind == CHECK_AVAILABILITY)
        snprintf(buf, buf_size, "%.5f%%", 100.0 * value);
    else
        snprintf(buf, buf_size, "%.2f%%", 100.0 * value);
    return buf;
}

char *check_target_detail(const check_target *target, const check_plan *plan, char *buf,
                          size_t buf_size)
{
    char level[32], measured[32], low[32], high[32], limit[32];
    const char *verdict = target->verdict == CHECK_PASS   ? "shown"
                          : target->verdict == CHECK_FAIL ? "missed"
                                                          : "not shown";
    unsigned long long trials = (unsigned long long)target->trials;
    unsigned long long seen = (unsigned long long)target->observations;
    int used = snprintf(buf, buf_size, "%s at %s%% after %llu trial%s: ", verdict,
                        percent(plan->confidence, level, sizeof level), trials,
                        trials == 1 ? "" : "s");
    if (used < 0 || (size_t)used >= buf_size)
        return buf;
    char *rest = buf + used;
    size_t rest_size = buf_size - (size_t)used;
    figure(target, target->measured, measured, sizeof measured);
    figure(target, target->ci_low, low, sizeof low);
    figure(target, target->ci_high, high, sizeof high);
    if (target->kind == CHECK_AVAILABILITY) {
        used = snprintf(rest, rest_size, "%s, interval %s - %s", measured, low, high);
        if (target->verdict == CHECK_UNDECIDED &&
            target->observations < CHECK_MIN_TRIALS_WITH_DOWNTIME && used >= 0 &&
            (size_t)used < rest_size)
            snprintf(rest + used, rest_size - (size_t)used,
                     "; only %llu trial%s had downtime (a verdict needs %d)", seen,
                     seen == 1 ? "" : "s", CHECK_MIN_TRIALS_WITH_DOWNTIME);
    } else if (target->observations == 0) {
        snprintf(rest, rest_size, "no disaster struck the running service");
    } else {
        snprintf(rest, rest_size, "%s of %llu disaster%s within %s, interval %s - %s", measured,
                 seen, seen == 1 ? "" : "s", limit_text(target->value, limit, sizeof limit),
                 low, high);
    }
    return buf;
}

void check_print(FILE *out, const scenario *sc, const check_config *cfg,
                 const check_report *report)
{
    const check_plan *plan = &report->plan;
    char level[32], look_level[32], horizon[32];
    fprintf(out, "scenario  %s (%s)\n", sc->name, sc->file);
    fprintf(out, "check     %zu target%s at %s%% confidence; %s per trial, seed %llu, up to %llu trials\n",
            report->n_targets, report->n_targets == 1 ? "" : "s",
            percent(plan->confidence, level, sizeof level),
            duration_format(cfg->horizon_s, horizon, sizeof horizon),
            (unsigned long long)cfg->seed, (unsigned long long)cfg->max_trials);
    fprintf(out, "looks     after");
    for (size_t k = 0; k < plan->n_looks; k++)
        fprintf(out, "%s %llu", k ? "," : "", (unsigned long long)plan->looks[k]);
    snprintf(look_level, sizeof look_level, "%.6g", 100.0 * plan->look_confidence);
    fprintf(out, " trials; each look's interval at %s%% (Bonferroni over %zu look%s)\n\n",
            look_level, plan->n_looks, plan->n_looks == 1 ? "" : "s");
    size_t passed = 0;
    for (size_t t = 0; t < report->n_targets; t++) {
        const check_target *target = &report->targets[t];
        char label[128], detail[512];
        passed += target->verdict == CHECK_PASS;
        fprintf(out, "%s  %s: %s\n", target->verdict == CHECK_PASS ? "PASS" : "FAIL",
                check_target_label(target, label, sizeof label),
                check_target_detail(target, plan, detail, sizeof detail));
    }
    fprintf(out, "\n%zu of %zu target%s passed; %llu trials in %.2f s\n", passed,
            report->n_targets, report->n_targets == 1 ? "" : "s",
            (unsigned long long)report->trials, report->wall_s);
}

/* ---- JUnit XML -------------------------------------------------------------------------- */

/* Length of the UTF-8 sequence at s and its code point, or 0 when s does
 * not start a well-formed one (overlong, surrogate, past U+10FFFF, cut). */
static size_t utf8_decode(const unsigned char *s, unsigned long *code_point)
{
    size_t length;
    unsigned long c;
    if (s[0] < 0x80) {
        *code_point = s[0];
        return 1;
    } else if ((s[0] & 0xE0) == 0xC0) {
        length = 2;
        c = s[0] & 0x1F;
    } else if ((s[0] & 0xF0) == 0xE0) {
        length = 3;
        c = s[0] & 0x0F;
    } else if ((s[0] & 0xF8) == 0xF0) {
        length = 4;
        c = s[0] & 0x07;
    } else {
        return 0;
    }
    for (size_t i = 1; i < length; i++) {
        if ((s[i] & 0xC0) != 0x80) /* also stops at the terminating NUL */
            return 0;
        c = (c << 6) | (s[i] & 0x3F);
    }
    static const unsigned long smallest[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (c < smallest[length] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *code_point = c;
    return length;
}

static bool xml_allowed(unsigned long c)
{
    return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
           (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

void check_xml_escape(FILE *out, const char *text)
{
    const unsigned char *s = (const unsigned char *)text;
    while (*s != '\0') {
        unsigned long c;
        size_t length = utf8_decode(s, &c);
        if (length == 0 || !xml_allowed(c)) {
            fputc('?', out);
            s += length ? length : 1;
            continue;
        }
        switch (c) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&apos;", out); break;
        /* kept as written in attributes too, where a raw one becomes a space */
        case '\t': fputs("&#9;", out); break;
        case '\n': fputs("&#10;", out); break;
        case '\r': fputs("&#13;", out); break;
        default: fwrite(s, 1, length, out); break;
        }
        s += length;
    }
}

/* Shortest round-trip text of a number, locale-independent; "nan" for NaN. */
static char *number(double value, char *buf, size_t buf_size)
{
    if (isnan(value))
        snprintf(buf, buf_size, "nan");
    else
        csv_format_double(value, buf, buf_size);
    return buf;
}

static void xml_property(FILE *out, const char *name, const char *value)
{
    fprintf(out, "      <property name=\"%s\" value=\"", name);
    check_xml_escape(out, value);
    fputs("\"/>\n", out);
}

int check_write_junit(FILE *out, const scenario *sc, const check_config *cfg,
                      const check_report *report)
{
    const check_plan *plan = &report->plan;
    size_t failures = 0;
    for (size_t t = 0; t < report->n_targets; t++)
        failures += report->targets[t].verdict != CHECK_PASS;
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
    fprintf(out, "<testsuites name=\"drsim check\" tests=\"%zu\" failures=\"%zu\" errors=\"0\">\n",
            report->n_targets, failures);
    fputs("  <testsuite name=\"", out);
    check_xml_escape(out, sc->name);
    fprintf(out, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"0\">\n",
            report->n_targets, failures);

    char text[1024];
    fputs("    <properties>\n", out);
    xml_property(out, "scenario", sc->file);
    snprintf(text, sizeof text, "%llu", (unsigned long long)cfg->seed);
    xml_property(out, "seed", text);
    xml_property(out, "horizon_s", number(cfg->horizon_s, text, sizeof text));
    xml_property(out, "confidence", number(plan->confidence, text, sizeof text));
    xml_property(out, "look_confidence", number(plan->look_confidence, text, sizeof text));
    size_t used = 0;
    text[0] = '\0';
    for (size_t k = 0; k < plan->n_looks && used < sizeof text; k++) {
        int n = snprintf(text + used, sizeof text - used, "%s%llu", k ? " " : "",
                         (unsigned long long)plan->looks[k]);
        used += n > 0 ? (size_t)n : 0;
    }
    xml_property(out, "looks", text);
    snprintf(text, sizeof text, "%llu", (unsigned long long)report->trials);
    xml_property(out, "trials", text);
    fputs("    </properties>\n", out);

    for (size_t t = 0; t < report->n_targets; t++) {
        const check_target *target = &report->targets[t];
        char label[128], detail[512];
        check_target_label(target, label, sizeof label);
        check_target_detail(target, plan, detail, sizeof detail);
        fputs("    <testcase name=\"", out);
        check_xml_escape(out, label);
        fputs("\" classname=\"drsim.check.", out);
        check_xml_escape(out, sc->name);
        fputs("\">\n", out);
        if (target->verdict != CHECK_PASS) {
            fputs("      <failure message=\"", out);
            check_xml_escape(out, detail);
            fprintf(out, "\" type=\"%s\">", target->verdict == CHECK_FAIL ? "missed" : "not shown");
            check_xml_escape(out, label);
            fputs(": ", out);
            check_xml_escape(out, detail);
            fputs("</failure>\n", out);
        }
        fputs("      <system-out>", out);
        check_xml_escape(out, label);
        fputs(": ", out);
        check_xml_escape(out, detail);
        char value[CSV_DOUBLE_BUFSIZE], required[CSV_DOUBLE_BUFSIZE], measured[CSV_DOUBLE_BUFSIZE],
            low[CSV_DOUBLE_BUFSIZE], high[CSV_DOUBLE_BUFSIZE];
        fprintf(out,
                "\nverdict=%s\ntarget=%s\nrequired=%s\nmeasured=%s\nci_low=%s\nci_high=%s\n"
                "trials=%llu\nobservations=%llu\n</system-out>\n",
                target->verdict == CHECK_PASS   ? "pass"
                : target->verdict == CHECK_FAIL ? "fail"
                                                : "not shown",
                number(target->value, value, sizeof value),
                number(target->kind == CHECK_AVAILABILITY ? target->value : CHECK_REQUIRED_SHARE,
                       required, sizeof required),
                number(target->measured, measured, sizeof measured),
                number(target->ci_low, low, sizeof low), number(target->ci_high, high, sizeof high),
                (unsigned long long)target->trials, (unsigned long long)target->observations);
        fputs("    </testcase>\n", out);
    }
    fputs("  </testsuite>\n</testsuites>\n", out);
    return ferror(out) ? -1 : 0;
}

scenario_targets check_targets_over(const scenario_targets *own, const scenario_targets *given)
{
    scenario_targets t = *own;
    if (given->has_availability) {
        t.has_availability = true;
        t.availability = given->availability;
    }
    if (given->has_rto) {
        t.has_rto = true;
        t.rto_s = given->rto_s;
    }
    if (given->has_rpo) {
        t.has_rpo = true;
        t.rpo_s = given->rpo_s;
    }
    return t;
}
