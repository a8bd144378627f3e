/*
 * demand — demand profiles: parsing, trace files, and exact queries
 * (see include/demand.h for the semantics).
 *
 * Notation.  lambda = ln(1 + growth) / 1y, so the growth factor is
 * exp(lambda t).  omega = 2 pi / 1d.  The daily shape is
 * M + A cos(theta), theta = omega (t - peak_offset), M = peak - A.
 *
 * Integrals.  Every shape is, piece by piece, a constant, a straight line
 * or a cosine, times exp(lambda t), and each of those has a closed-form
 * integral:
 *   - a line from va to vb over [u, u + h]:
 *       e^(lambda u) h (va (E0 - E1) + vb E1),  x = lambda h,
 *       E0(x) = (e^x - 1) / x, E1(x) = (x e^x - e^x + 1) / x^2,
 *     evaluated by series near x = 0, where the closed forms cancel;
 *   - the cosine: e^(lambda s) (lambda cos + omega sin) / (lambda^2 + omega^2).
 * Repeating structure (days, weekends, trace cycles) is summed as a
 * geometric series, so integrals cost O(1) (O(log n) for a trace, which
 * keeps a running area per row).
 *
 * Peaks and next changes walk "monotone pieces": intervals on which D is
 * monotone, ending at a midnight, a trace row, or a critical point of the
 * shape times the growth factor (solved in closed form).  On such a piece
 * the supremum is at an end (a step is seen as the value after it at the
 * piece's start and the limit before it at the piece's end), and a band
 * edge is crossed at most once, so a bracketing root finder finds it.  A shape that repeats
 * with period P, times growth, satisfies D(t + kP) = D(t) e^(lambda k P):
 * peaks need look at only one period, and next_change, after a period with
 * no crossing, jumps ahead to the period where growth takes D out of the
 * band.
 */
#include "demand.h"
#include "duration.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>

#include <csv.h>

#define DAY_S 86400.0
#define WEEK_S (7.0 * DAY_S)
#define SATURDAY0_S (2.0 * DAY_S)   /* t = 0 is a Thursday: the first Saturday starts 2 days on */
#define PI 3.14159265358979323846
#define OMEGA (2.0 * PI / DAY_S)
#define CROSSING_TOLERANCE_S 1e-6

#define HEADER "timestamp,requests_per_second"

/* ---- closed forms -------------------------------------------------------------------------- */

/* (e^x - 1) / x */
static double e0(double x)
{
    return x == 0.0 ? 1.0 : expm1(x) / x;
}

/* integral over [0, 1] of w e^(x w) dw = (x e^x - e^x + 1) / x^2 */
static double e1(double x)
{
    if (fabs(x) < 0.05) {
        /* sum over k of x^k / (k! (k + 2)) */
        double term = 1.0, sum = 0.0;
        for (int k = 0; k <= 10; k++) {
            sum += term / (k + 2);
            term *= x / (k + 1);
        }
        return sum;
    }
    return (x * exp(x) - expm1(x)) / (x * x);
}

/* sum over k = 0 .. K-1 of e^(k x), for a whole K of any sign
 * (for K < 0, minus the sum over k = K .. -1), so that the integral from t0
 * to t0 + K P of a P-periodic shape times e^(lambda s) is this times one
 * period's (x = lambda P). */
static double geometric(double K, double x)
{
    if (x == 0.0)
        return K;
    return expm1(K * x) / expm1(x);
}

/* The integral over [u, u + h] of a line from va to vb times e^(lambda s). */
static double line_integral(double lambda, double u, double h, double va, double vb)
{
    double x = lambda * h;
    double one = e1(x);
    double scale = lambda == 0.0 ? 1.0 : exp(lambda * u);
    return scale * h * (va * (e0(x) - one) + vb * one);
}

static double growth_factor(const demand_profile *d, double t)
{
    return d->lambda == 0.0 ? 1.0 : exp(d->lambda * t);
}

/* theta in [0, 2 pi): the phase of the daily cosine at t */
static double daily_phase(const demand_profile *d, double t)
{
    double r = fmod(t - d->peak_offset_s, DAY_S);
    if (r < 0.0)
        r += DAY_S;
    return OMEGA * r;
}

static double daily_shape(const demand_profile *d, double t)
{
    return d->peak_rps - d->amplitude_rps * (1.0 - cos(daily_phase(d, t)));
}

/* The integral over [a, b] of the daily shape times the growth factor. */
static double daily_integral(const demand_profile *d, double a, double b)
{
    double h = b - a;
    if (!(h > 0.0))
        return 0.0;
    double lambda = d->lambda, A = d->amplitude_rps, M = d->peak_rps - A;
    double ta = daily_phase(d, a), tb = daily_phase(d, b);
    double eh = lambda == 0.0 ? 1.0 : exp(lambda * h);
    double cosine = (eh * (lambda * cos(tb) + OMEGA * sin(tb)) -
                     (lambda * cos(ta) + OMEGA * sin(ta))) /
                    (lambda * lambda + OMEGA * OMEGA);
    return growth_factor(d, a) * (M * h * e0(lambda * h) + A * cosine);
}

/* ---- weekdays ------------------------------------------------------------------------------ */

static double day_index(double t, bool left)
{
    double day = floor(t / DAY_S);
    if (left && day * DAY_S == t)
        day -= 1.0;
    return day;
}

static bool is_weekend_day(double day)
{
    double weekday = fmod(day + 4.0, 7.0);   /* 0 = Sunday; day 0 is a Thursday */
    if (weekday < 0.0)
        weekday += 7.0;
    return weekday == 0.0 || weekday == 6.0;
}

static double weekly_factor(const demand_profile *d, double t, bool left)
{
    return is_weekend_day(day_index(t, left)) ? d->weekend_factor : 1.0;
}

/* The integral of the daily shape times growth over the weekend parts of [a, b]. */
static double weekend_integral(const demand_profile *d, double a, double b)
{
    if (!(b > a))
        return 0.0;
    double k_lo = floor((a - SATURDAY0_S) / WEEK_S);
    double k_hi = floor((b - SATURDAY0_S) / WEEK_S);
    double total = 0.0;
    for (int end = 0; end < 2; end++) {
        double k = end == 0 ? k_lo : k_hi;
        if (end == 1 && k_hi == k_lo)
            break;
        double w0 = SATURDAY0_S + k * WEEK_S, w1 = w0 + 2.0 * DAY_S;
        double lo = fmax(a, w0), hi = fmin(b, w1);
        if (hi > lo)
            total += daily_integral(d, lo, hi);
    }
    double full = k_hi - k_lo - 1.0;   /* whole weekends strictly between */
    if (full > 0.0) {
        double w0 = SATURDAY0_S + (k_lo + 1.0) * WEEK_S;
        total += daily_integral(d, w0, w0 + 2.0 * DAY_S) * geometric(full, d->lambda * WEEK_S);
    }
    return total;
}

/* ---- traces -------------------------------------------------------------------------------- */

/* i in [0, n-2] with t[i] <= x < t[i+1] (i = n-2 when x >= t[n-1]), for
 * n >= 2; tries the hint and the row after it first. */
static size_t trace_segment(const demand_trace *tr, double x, size_t hint)
{
    const double *t = tr->t_s;
    size_t last = tr->n - 2;
    if (hint <= last && t[hint] <= x && (x < t[hint + 1] || hint == last))
        return hint;
    if (hint + 1 <= last && t[hint + 1] <= x && (x < t[hint + 2] || hint + 1 == last))
        return hint + 1;
    if (x < t[1])
        return 0;
    if (x >= t[last])
        return last;
    size_t lo = 1, hi = last;   /* t[lo] <= x < t[hi + 1] */
    while (lo < hi) {
        size_t mid = lo + (hi - lo + 1) / 2;
        if (t[mid] <= x)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

static double trace_interpolate(const demand_trace *tr, size_t i, double x)
{
    double t0 = tr->t_s[i], t1 = tr->t_s[i + 1];
    double v0 = tr->rps[i], v1 = tr->rps[i + 1];
    double w = (x - t0) / (t1 - t0);
    if (w <= 0.0)
        return v0;
    if (w >= 1.0)
        return v1;
    return v0 + (v1 - v0) * w;
}

static bool trace_cycles(const demand_trace *tr)
{
    return tr->repeat && tr->n >= 2;
}

/* For a repeating trace: t = x + K P with x in [t0, t_last). */
static double trace_reduce(const demand_trace *tr, double t, double *K)
{
    double t0 = tr->t_s[0], P = tr->period_s;
    double k = floor((t - t0) / P);
    double r = (t - t0) - k * P;
    if (r >= P) {
        r -= P;
        k += 1.0;
    } else if (r < 0.0) {
        r += P;
        k -= 1.0;
    }
    if (r < 0.0 || r >= P)
        r = 0.0;
    *K = k;
    return t0 + r;
}

/* The trace's own value at t (no growth); `left` asks for the limit from
 * below, which differs only where a repeating trace starts a cycle. */
static double trace_shape(const demand_trace *tr, double t, bool left, size_t *cursor)
{
    size_t n = tr->n;
    if (n == 0)
        return 0.0;
    if (n == 1)
        return tr->rps[0];
    double x;
    if (trace_cycles(tr)) {
        double K;
        x = trace_reduce(tr, t, &K);
        if (left && x == tr->t_s[0])
            return tr->rps[n - 1];
    } else {
        if (t <= tr->t_s[0])
            return tr->rps[0];
        if (t >= tr->t_s[n - 1])
            return tr->rps[n - 1];
        x = t;
    }
    size_t i = trace_segment(tr, x, cursor != NULL ? *cursor : 0);
    if (cursor != NULL)
        *cursor = i;
    return trace_interpolate(tr, i, x);
}

/* The integral from t0 to x (x in [t0, t_last]) of the trace times
 * exp(lambda (s - t0)). */
static double trace_area_to(const demand_trace *tr, double lambda, double x)
{
    if (tr->n < 2)
        return 0.0;
    size_t i = trace_segment(tr, x, 0);
    double ti = tr->t_s[i];
    return tr->area[i] + line_integral(lambda, ti - tr->t_s[0], x - ti, tr->rps[i],
                                       trace_interpolate(tr, i, x));
}

/* The integral of D from t0 to t (negative when t < t0). */
static double trace_primitive(const demand_profile *d, double t)
{
    const demand_trace *tr = &d->trace;
    double lambda = d->lambda;
    double t0 = tr->t_s[0], tl = tr->t_s[tr->n - 1];
    if (tr->n == 1)
        return tr->rps[0] * (t >= t0 ? line_integral(lambda, t0, t - t0, 1.0, 1.0)
                                     : -line_integral(lambda, t, t0 - t, 1.0, 1.0));
    double g0 = growth_factor(d, t0);
    if (trace_cycles(tr)) {
        double K;
        double x = trace_reduce(tr, t, &K);
        double P = tr->period_s;
        double cycle = tr->area[tr->n - 1];
        double shift = lambda == 0.0 ? 1.0 : exp(lambda * K * P);
        return g0 * (cycle * geometric(K, lambda * P) + shift * trace_area_to(tr, lambda, x));
    }
    if (t < t0)
        return -tr->rps[0] * line_integral(lambda, t, t0 - t, 1.0, 1.0);
    if (t > tl)
        return g0 * tr->area[tr->n - 1] +
               tr->rps[tr->n - 1] * line_integral(lambda, tl, t - tl, 1.0, 1.0);
    return g0 * trace_area_to(tr, lambda, t);
}

/* ---- evaluation ---------------------------------------------------------------------------- */

/* D at t, or its limit from below when `left`. */
static double evaluate(const demand_profile *d, double t, bool left, size_t *cursor)
{
    double shape;
    switch (d->kind) {
    case DEMAND_CONSTANT:
        shape = d->rps;
        break;
    case DEMAND_DAILY:
        shape = daily_shape(d, t);
        break;
    case DEMAND_WEEKLY:
        shape = daily_shape(d, t) * weekly_factor(d, t, left);
        break;
    case DEMAND_TRACE:
        shape = trace_shape(&d->trace, t, left, cursor);
        break;
    default:
        shape = 0.0;
        break;
    }
    /* no demand stays none however far growth has run (0 * inf is NaN) */
    return shape == 0.0 ? 0.0 : shape * growth_factor(d, t);
}

double demand_at(const demand_profile *d, double t_s)
{
    return evaluate(d, t_s, false, NULL);
}

double demand_at_cursor(const demand_profile *d, double t_s, size_t *cursor)
{
    return evaluate(d, t_s, false, cursor);
}

double demand_integral(const demand_profile *d, double from_s, double to_s)
{
    if (!(from_s <= to_s))
        return NAN;
    if (from_s == to_s)
        return 0.0;
    switch (d->kind) {
    case DEMAND_CONSTANT:
        return d->rps * line_integral(d->lambda, from_s, to_s - from_s, 1.0, 1.0);
    case DEMAND_DAILY:
        return daily_integral(d, from_s, to_s);
    case DEMAND_WEEKLY:
        return daily_integral(d, from_s, to_s) -
               (1.0 - d->weekend_factor) * weekend_integral(d, from_s, to_s);
    case DEMAND_TRACE:
        if (d->trace.n == 0)
            return 0.0;
        return trace_primitive(d, to_s) - trace_primitive(d, from_s);
    }
    return NAN;
}

double demand_mean(const demand_profile *d, double from_s, double to_s)
{
    if (!(from_s <= to_s))
        return NAN;
    if (from_s == to_s)
        return demand_at(d, from_s);
    return demand_integral(d, from_s, to_s) / (to_s - from_s);
}

/* ---- monotone pieces ----------------------------------------------------------------------- */

/* The period of the shape, or 0 when it has none. */
static double shape_period(const demand_profile *d)
{
    switch (d->kind) {
    case DEMAND_DAILY:
        return DAY_S;
    case DEMAND_WEEKLY:
        return WEEK_S;
    case DEMAND_TRACE:
        return trace_cycles(&d->trace) ? d->trace.period_s : 0.0;
    default:
        return 0.0;
    }
}

/* The first time > s of the form base + k period. */
static double next_of(double base, double period, double s)
{
    double next = base + (floor((s - base) / period) + 1.0) * period;
    while (next <= s)
        next += period;
    return next;
}

/* The first time > s at which D may stop being monotone or step: a
 * midnight or a critical point of the daily shape times growth, a trace row
 * or a critical point inside a segment.  INFINITY when D is monotone from s
 * on. */
static double piece_end(const demand_profile *d, double s, size_t *cursor)
{
    double lambda = d->lambda;
    switch (d->kind) {
    case DEMAND_CONSTANT:
        return INFINITY;
    case DEMAND_DAILY:
    case DEMAND_WEEKLY: {
        double day = floor(s / DAY_S) * DAY_S;
        double end = day + DAY_S;
        for (int i = 0; i < d->n_critical; i++) {
            double next = day + d->critical_s[i];
            if (next > s && next < end)
                end = next;
        }
        if (!(end > s))
            end = next_of(0.0, DAY_S, s);
        return end;
    }
    case DEMAND_TRACE: {
        const demand_trace *tr = &d->trace;
        if (tr->n < 2)
            return INFINITY;
        double K = 0.0, x = s, offset = 0.0;
        if (trace_cycles(tr)) {
            x = trace_reduce(tr, s, &K);
            offset = K * tr->period_s;
        } else if (s < tr->t_s[0]) {
            return tr->t_s[0];
        } else if (s >= tr->t_s[tr->n - 1]) {
            return INFINITY;
        }
        size_t i = trace_segment(tr, x, *cursor);
        *cursor = i;
        double end = tr->t_s[i + 1] + offset;
        if (lambda != 0.0) {
            /* (v_i + beta (s - t_i)) e^(lambda s) is flat where v = -beta / lambda */
            double beta = (tr->rps[i + 1] - tr->rps[i]) / (tr->t_s[i + 1] - tr->t_s[i]);
            if (beta != 0.0) {
                double critical = tr->t_s[i] + offset + (-beta / lambda - tr->rps[i]) / beta;
                if (critical > s && critical < end)
                    end = critical;
            }
        }
        if (!(end > s))
            end = nextafter(s, INFINITY);
        return end;
    }
    }
    return INFINITY;
}

double demand_peak(const demand_profile *d, double from_s, double to_s)
{
    if (!(from_s <= to_s))
        return NAN;
    if (from_s == to_s)
        return demand_at(d, from_s);
    double a = from_s, b = to_s;
    double P = shape_period(d);
    /* D(t + P) = D(t) e^(lambda P): with growth the latest period holds the
     * supremum, with decline the earliest, and without either any. */
    if (P > 0.0 && b - a > P) {
        if (d->lambda > 0.0)
            a = b - P;
        else
            b = a + P;
    }
    size_t cursor = 0;
    double best = fmax(evaluate(d, a, false, &cursor), evaluate(d, b, false, &cursor));
    double s = a;
    while (s < b) {
        double e = piece_end(d, s, &cursor);
        if (e > b)
            e = b;
        best = fmax(best, evaluate(d, s, false, &cursor));
        best = fmax(best, evaluate(d, e, true, &cursor));
        s = e;
    }
    return best;
}

/* ---- next change --------------------------------------------------------------------------- */

struct band {
    double lo, hi;
};

static bool leaves(const struct band *band, double v)
{
    return v <= band->lo || v >= band->hi;
}

/* A first guess at where the daily shape, on a monotone piece (s, e), meets
 * `edge`: exact without growth (acos), and with growth, which changes
 * little over a piece, after two rounds of taking it at the guess.  NaN
 * when there is none (other shapes, or no solution). */
static double guess_crossing(const demand_profile *d, double s, double e, double edge)
{
    if ((d->kind != DEMAND_DAILY && d->kind != DEMAND_WEEKLY) || !(d->amplitude_rps > 0.0))
        return NAN;
    double factor = d->kind == DEMAND_WEEKLY ? weekly_factor(d, s, false) : 1.0;
    if (!(factor > 0.0))
        return NAN;
    double A = d->amplitude_rps, M = d->peak_rps - A;
    double theta_s = daily_phase(d, s);
    double guess = s;
    for (int round = 0; round < (d->lambda == 0.0 ? 1 : 3); round++) {
        double c = (edge / (factor * growth_factor(d, guess)) - M) / A;
        if (!(c >= -1.0 && c <= 1.0))
            return NAN;
        double a = acos(c);
        double best = NAN;
        double targets[2] = {a, 2.0 * PI - a};
        for (int i = 0; i < 2; i++) {
            double step = fmod(targets[i] - theta_s + 2.0 * PI, 2.0 * PI);
            double x = s + step / OMEGA;
            if (x > s && x < e && !(x >= best))
                best = x;
        }
        if (isnan(best))
            return NAN;
        guess = best;
    }
    return guess;
}

/* On a monotone piece (s, e] whose start is inside the band and whose end
 * (from below) is not: where it reaches the edge, to CROSSING_TOLERANCE_S.
 * Regula falsi with the Illinois rule, keeping a bracket [lo, hi] with lo
 * inside and hi outside; after each secant point it also tries a point half
 * the tolerance beyond it, on the far side, so that a straight segment (a
 * trace without growth) closes in two evaluations; a step that does not
 * halve the bracket is followed by a bisection, so it always converges. */
static double find_crossing(const demand_profile *d, const struct band *band, double s, double e,
                            double start_value, double end_value)
{
    double edge = end_value >= band->hi ? band->hi : band->lo;
    double sign = end_value >= band->hi ? 1.0 : -1.0;
    size_t cursor = 0;
#define OUTSIDE_BY(x) (sign * (evaluate(d, (x), false, &cursor) - edge))   /* >= 0: left */
    double lo = s, hi = e;
    double f_lo = sign * (start_value - edge), f_hi = sign * (end_value - edge);
    int kept = 0;   /* +1 when hi was moved last, -1 when lo was */
    const double tol = CROSSING_TOLERANCE_S;
    double guess = guess_crossing(d, s, e, edge);
    if (guess > lo && guess < hi) {   /* bracket the guess by half the tolerance each side */
        double points[3] = {guess, guess - 0.5 * tol, guess + 0.5 * tol};
        for (int i = 0; i < 3; i++) {
            double x = points[i];
            if (!(x > lo && x < hi))
                continue;
            double fx = OUTSIDE_BY(x);
            if (fx >= 0.0) {
                hi = x;
                f_hi = fx;
            } else {
                lo = x;
                f_lo = fx;
            }
            if (i == 0)   /* the side it missed on is where the other point goes */
                points[fx >= 0.0 ? 2 : 1] = x;
        }
    }
    for (int i = 0; i < 200 && hi - lo > tol; i++) {
        double width = hi - lo;
        double x = f_hi - f_lo > 0.0 ? lo + width * (-f_lo) / (f_hi - f_lo) : lo + 0.5 * width;
        if (!(x > lo && x < hi))
            x = lo + 0.5 * width;
        double fx = OUTSIDE_BY(x);
        if (fx >= 0.0) {
            hi = x;
            f_hi = fx;
            if (kept == 1)
                f_lo *= 0.5;
            kept = 1;
            double y = hi - 0.5 * tol;   /* straddle: is just before it still inside? */
            if (y > lo && hi - lo > tol) {
                double fy = OUTSIDE_BY(y);
                if (fy < 0.0) {
                    lo = y;
                    f_lo = fy;
                } else {
                    hi = y;
                    f_hi = fy;
                }
            }
        } else {
            lo = x;
            f_lo = fx;
            if (kept == -1)
                f_hi *= 0.5;
            kept = -1;
            double y = lo + 0.5 * tol;   /* straddle: is just after it outside? */
            if (y < hi && hi - lo > tol) {
                double fy = OUTSIDE_BY(y);
                if (fy >= 0.0) {
                    hi = y;
                    f_hi = fy;
                } else {
                    lo = y;
                    f_lo = fy;
                }
            }
        }
        if (hi - lo > 0.5 * width && hi - lo > tol) {   /* too slow: bisect once */
            double m = lo + 0.5 * (hi - lo);
            if (!(m > lo && m < hi))
                break;
            double fm = OUTSIDE_BY(m);
            if (fm >= 0.0) {
                hi = m;
                f_hi = fm;
            } else {
                lo = m;
                f_lo = fm;
            }
        }
    }
#undef OUTSIDE_BY
    return hi;
}

/* D from s on is D(s) e^(lambda (t - s)): where it reaches the band's edge. */
static double exponential_crossing(const demand_profile *d, const struct band *band, double s,
                                   double value)
{
    if (d->lambda > 0.0 && value > 0.0)
        return s + fmax(log(band->hi / value) / d->lambda, 0.0);
    if (d->lambda < 0.0 && value > 0.0 && band->lo > 0.0)
        return s + fmax(log(band->lo / value) / d->lambda, 0.0);
    return INFINITY;
}

double demand_next_change(const demand_profile *d, double t_s, double rel_tol)
{
    if (!(rel_tol > 0.0) || !isfinite(t_s))
        return NAN;
    double lambda = d->lambda;
    size_t cursor = 0;
    double now = evaluate(d, t_s, false, &cursor);
    double width = rel_tol * fmax(now, 1.0);
    struct band band = {now - width, now + width};
    double P = shape_period(d);

    double s = t_s, scan_start = t_s, high = now, low = now;
    for (;;) {
        double value = evaluate(d, s, false, &cursor);
        if (s > t_s && leaves(&band, value))
            return s;   /* a step */
        high = fmax(high, value);
        low = fmin(low, value);
        double e = piece_end(d, s, &cursor);
        if (isinf(e)) {
            double crossing = exponential_crossing(d, &band, s, value);
            return crossing > t_s ? crossing : nextafter(t_s, INFINITY);
        }
        double end_value = evaluate(d, e, true, &cursor);
        if (leaves(&band, end_value))
            return find_crossing(d, &band, s, e, value, end_value);
        high = fmax(high, end_value);
        low = fmin(low, end_value);
        s = e;
        if (P > 0.0 && s - scan_start >= P) {
            /* [scan_start, s] covers a period without leaving the band: period
             * k from scan_start spans D e^(lambda k P), so skip to the first
             * period whose extreme can reach the edge. */
            double k;
            if (lambda > 0.0 && high > 0.0)
                k = ceil(log(band.hi / high) / (lambda * P));
            else if (lambda < 0.0 && band.lo > 0.0 && low > 0.0)
                k = ceil(log(band.lo / low) / (lambda * P));
            else
                return INFINITY;
            if (!isfinite(k) || scan_start + k * P == INFINITY)
                return INFINITY;
            double target = scan_start + fmax(k, 1.0) * P;
            if (target > s)
                s = target;
            scan_start = s;
            high = low = evaluate(d, s, false, &cursor);
        }
    }
}

/* ---- preparation and ownership ------------------------------------------------------------- */

bool demand_prepare(demand_profile *d)
{
    double lambda = d->growth == 0.0 ? 0.0 : log1p(d->growth) / DURATION_YEAR_S;
    double trough = d->peak_to_trough >= 1.0 ? d->peak_rps / d->peak_to_trough : d->peak_rps;
    if (d->kind == DEMAND_TRACE) {
        demand_trace *tr = &d->trace;
        double *area = NULL;
        if (tr->n > 0) {
            area = malloc(tr->n * sizeof *area);
            if (area == NULL)
                return false;
            area[0] = 0.0;
            for (size_t i = 1; i < tr->n; i++)
                area[i] = area[i - 1] + line_integral(lambda, tr->t_s[i - 1] - tr->t_s[0],
                                                      tr->t_s[i] - tr->t_s[i - 1],
                                                      tr->rps[i - 1], tr->rps[i]);
        }
        free(tr->area);
        tr->area = area;
        tr->period_s = tr->n > 0 ? tr->t_s[tr->n - 1] - tr->t_s[0] : 0.0;
    }
    d->lambda = lambda;
    d->amplitude_rps = 0.5 * (d->peak_rps - trough);
    d->peak_offset_s = d->peak_hour * 3600.0;
    d->n_critical = 0;
    double A = d->amplitude_rps, M = d->peak_rps - A;
    if ((d->kind == DEMAND_DAILY || d->kind == DEMAND_WEEKLY) && A > 0.0) {
        /* D' = 0 where A sqrt(w^2 + l^2) sin(theta - delta) = l M, delta = atan2(l, w) */
        double q = lambda * M / (A * hypot(OMEGA, lambda));
        if (fabs(q) <= 1.0) {
            double delta = atan2(lambda, OMEGA), a = asin(q);
            double thetas[2] = {delta + a, delta + PI - a};
            for (int i = 0; i < 2; i++) {
                double offset = fmod(d->peak_offset_s + thetas[i] / OMEGA, DAY_S);
                d->critical_s[i] = offset < 0.0 ? offset + DAY_S : offset;
            }
            d->n_critical = 2;
        }
    }
    return true;
}

void demand_free(demand_profile *d)
{
    if (d == NULL)
        return;
    free(d->trace.file);
    free(d->trace.t_s);
    free(d->trace.rps);
    free(d->trace.area);
    memset(d, 0, sizeof *d);
}

/* ---- timestamps ---------------------------------------------------------------------------- */

static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int days_in_month(int64_t y, int m)
{
    static const int DAYS[13] = {0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : DAYS[m];
}

static bool digits(const char *s, int count, int *value)
{
    int v = 0;
    for (int i = 0; i < count; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *value = v;
    return true;
}

__attribute__((format(printf, 3, 4)))
static void set_msg(char *msg, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, size, fmt, ap);
    va_end(ap);
}

/* YYYY-MM-DDTHH:MM:SS[.fff]Z into simulated seconds. */
static int parse_iso(const char *text, double *t, char *msg, size_t size)
{
    int y, mo, d, h, mi, s;
    const char *p = text;
    bool shape = digits(p, 4, &y) && p[4] == '-' && digits(p + 5, 2, &mo) && p[7] == '-' &&
                 digits(p + 8, 2, &d) && p[10] == 'T' && digits(p + 11, 2, &h) &&
                 p[13] == ':' && digits(p + 14, 2, &mi) && p[16] == ':' &&
                 digits(p + 17, 2, &s);
    double fraction = 0.0;
    if (shape) {
        p += 19;
        if (*p == '.') {
            double scale = 0.1;
            p++;
            if (*p < '0' || *p > '9')
                shape = false;
            while (*p >= '0' && *p <= '9') {
                fraction += (*p - '0') * scale;
                scale *= 0.1;
                p++;
            }
        }
    }
    if (shape && (*p == '+' || *p == '-')) {
        set_msg(msg, size, "timestamp '%.60s' is not UTC (write the time in UTC, ending in Z)",
                text);
        return -1;
    }
    if (!shape || strcmp(p, "Z") != 0) {
        set_msg(msg, size, "timestamp '%.60s' is not ISO-8601 UTC (write 2026-01-01T00:00:00Z)",
                text);
        return -1;
    }
    if (mo < 1 || mo > 12) {
        set_msg(msg, size, "timestamp '%.60s': month %02d does not exist", text, mo);
        return -1;
    }
    if (d < 1 || d > days_in_month(y, mo)) {
        set_msg(msg, size, "timestamp '%.60s': day %02d does not exist in %04d-%02d", text, d, y,
                mo);
        return -1;
    }
    if (h > 23 || mi > 59 || s > 59) {
        set_msg(msg, size,
                "timestamp '%.60s': the time %02d:%02d:%02d does not exist "
                "(00:00:00 to 23:59:59; no leap seconds)",
                text, h, mi, s);
        return -1;
    }
    int64_t days = days_from_civil(y, mo, d) - days_from_civil(2026, 1, 1);
    *t = (double)days * DAY_S + h * 3600.0 + mi * 60.0 + s + fraction;
    return 0;
}

static bool looks_iso(const char *text)
{
    int ignored;
    return digits(text, 4, &ignored) && text[4] == '-';
}

static int parse_timestamp(const char *text, double *t, char *msg, size_t size)
{
    if (looks_iso(text))
        return parse_iso(text, t, msg, size);
    char ignored[256];
    if (duration_parse(text, t, ignored, sizeof ignored) == 0)
        return 0;
    if (duration_is_nonfinite_word(text, strlen(text)))
        set_msg(msg, size, "timestamp '%.60s': NaN and infinite values are not allowed", text);
    else if (text[0] == '-')
        set_msg(msg, size, "timestamp '%.60s' is negative (a time since the start is 0 or more)",
                text);
    else
        set_msg(msg, size,
                "timestamp '%.60s' is neither ISO-8601 UTC (2026-01-01T00:00:00Z) "
                "nor a time since the start (3600 or 1h)",
                text);
    return -1;
}

/* true when text is a number too large for a double ("1e999") */
static bool overflows(const char *text)
{
    char *end;
    double v = strtod(text, &end);
    return end != text && *end == '\0' && isinf(v);
}

static int parse_rps(const char *text, double *v, char *msg, size_t size)
{
    if (duration_is_nonfinite_word(text, strlen(text))) {
        set_msg(msg, size, "requests_per_second '%.60s': NaN and infinite values are not allowed",
                text);
        return -1;
    }
    double value;
    if (duration_parse_number(text, &value) != 0) {
        if (overflows(text))
            set_msg(msg, size, "requests_per_second '%.60s' is out of range (0 to 1e12)", text);
        else
            set_msg(msg, size, "requests_per_second '%.60s' is not a number", text);
        return -1;
    }
    if (value < 0.0) {
        set_msg(msg, size, "requests_per_second '%.60s' is negative", text);
        return -1;
    }
    if (value > DEMAND_MAX_RPS) {
        set_msg(msg, size, "requests_per_second '%.60s' is out of range (0 to 1e12)", text);
        return -1;
    }
    *v = value == 0.0 ? 0.0 : value;   /* -0 reads as 0 */
    return 0;
}

/* ---- trace files --------------------------------------------------------------------------- */

struct trace_reader {
    const char *path;
    const char *key_path;
    diag_list *diag;
    size_t max_rows;
    long line;             /* physical line being parsed, 1-based */
    size_t record;         /* records completed (the header is record 0) */
    size_t field;          /* fields seen in the current record */
    bool stop;             /* malformed CSV, the row limit, or out of memory */
    bool failed;           /* a problem was reported */
    char found[128];       /* the header as read, for its message */
    bool header_ok;
    size_t header_bad_field;
    bool have_t, have_v;   /* this row's cells parsed */
    char t_text[64];
    double t, v;
    bool have_previous;
    double previous_t;
    long previous_line;
    char previous_text[64];
    double *ts, *vs;
    size_t n, cap;
};

__attribute__((format(printf, 4, 5)))
static void reader_error(struct trace_reader *R, long line, long field, const char *fmt, ...)
{
    char message[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    diag_error(R->diag, R->path, line < 0 ? -1 : line - 1, field, R->key_path, "%s", message);
    R->failed = true;
}

static void header_field(struct trace_reader *R, const char *text, size_t len)
{
    static const char *const NAMES[2] = {"timestamp", "requests_per_second"};
    if (R->field == 0 && len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        text += 3;   /* UTF-8 byte-order mark, as spreadsheets write it */
        len -= 3;
    }
    size_t used = strlen(R->found);
    if (used + 2 < sizeof R->found)
        snprintf(R->found + used, sizeof R->found - used, "%s%.*s", R->field > 0 ? "," : "",
                 (int)(len > 60 ? 60 : len), text);
    bool match = R->field < 2 && strlen(NAMES[R->field]) == len &&
                 memcmp(NAMES[R->field], text, len) == 0;
    if (!match && R->header_ok) {
        R->header_ok = false;
        R->header_bad_field = R->field;
    }
}

static void on_field(void *field, size_t len, void *data)
{
    struct trace_reader *R = data;
    const char *text = field != NULL ? field : "";
    if (field == NULL)
        len = 0;
    if (R->stop) {
        R->field++;
        return;
    }
    if (R->record == 0) {
        header_field(R, text, len);
        R->field++;
        return;
    }
    if (R->field < 2) {
        const char *name = R->field == 0 ? "timestamp" : "requests_per_second";
        char msg[256];
        if (len == 0) {
            reader_error(R, R->line, (long)R->field, "empty %s", name);
        } else if (strlen(text) != len) {
            reader_error(R, R->line, (long)R->field, "NUL byte in %s", name);
        } else if (R->field == 0) {
            if (parse_timestamp(text, &R->t, msg, sizeof msg) == 0) {
                R->have_t = true;
                snprintf(R->t_text, sizeof R->t_text, "%.60s", text);
            } else {
                reader_error(R, R->line, 0, "%s", msg);
            }
        } else {
            if (parse_rps(text, &R->v, msg, sizeof msg) == 0)
                R->have_v = true;
            else
                reader_error(R, R->line, 1, "%s", msg);
        }
    }
    R->field++;
}

static bool append_row(struct trace_reader *R)
{
    if (R->n == R->cap) {
        size_t cap = R->cap == 0 ? 256 : R->cap * 2;
        if (cap > R->max_rows)
            cap = R->max_rows;
        double *ts = realloc(R->ts, cap * sizeof *ts);
        if (ts == NULL)
            return false;
        R->ts = ts;
        double *vs = realloc(R->vs, cap * sizeof *vs);
        if (vs == NULL)
            return false;
        R->vs = vs;
        R->cap = cap;
    }
    R->ts[R->n] = R->t;
    R->vs[R->n] = R->v;
    R->n++;
    return true;
}

static void on_record(int terminator, void *data)
{
    struct trace_reader *R = data;
    (void)terminator;
    if (R->stop) {
        R->record++;
        R->field = 0;
        return;
    }
    if (R->record == 0) {
        if (R->header_ok && R->field < 2) {
            R->header_ok = false;
            R->header_bad_field = R->field;
        }
        if (!R->header_ok)
            reader_error(R, R->line, (long)R->header_bad_field,
                         "the first row must be the header '" HEADER "', found '%s'", R->found);
    } else if (R->record > R->max_rows) {
        reader_error(R, R->line, 0, "more than %zu rows (the limit)", R->max_rows);
        R->stop = true;
    } else if (R->field != 2) {
        reader_error(R, R->line, R->field > 2 ? 2 : (long)R->field,
                     "expected 2 fields (" HEADER "), found %zu", R->field);
    } else if (R->have_t && R->have_v) {
        if (R->have_previous && !(R->t > R->previous_t)) {
            reader_error(R, R->line, 0,
                         "timestamp '%s' is not after the previous row's '%s' (line %ld)",
                         R->t_text, R->previous_text, R->previous_line);
        } else if (!append_row(R)) {
            reader_error(R, -1, 0, "out of memory reading the trace");
            R->stop = true;
        } else {
            R->have_previous = true;
            R->previous_t = R->t;
            R->previous_line = R->line;
            memcpy(R->previous_text, R->t_text, sizeof R->previous_text);
        }
    }
    R->record++;
    R->field = 0;
    R->have_t = R->have_v = false;
}

/* Reads an open trace file into out (a TRACE profile).  A read error is
 * reported at `node` when given, else at the file. */
static bool read_trace(FILE *f, const char *path, bool repeat, double growth, size_t max_rows,
                       const char *key_path, diag_list *diag, yctx *c, const ynode *node,
                       const ypath *node_path, demand_profile *out)
{
    struct trace_reader R;
    memset(&R, 0, sizeof R);
    R.path = path;
    R.key_path = key_path;
    R.diag = diag;
    R.max_rows = max_rows > 0 ? max_rows : 1;
    R.header_ok = true;

    struct csv_parser parser;
    if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
        diag_error(diag, path, -1, -1, key_path, "out of memory");
        return false;
    }
    /* libcsv grows a field 128 bytes at a time: a 10 MB field was 80,000
     * reallocs, minutes where realloc copies (AddressSanitizer) */
    csv_set_blk_size(&parser, 64 * 1024);
    char *line = NULL;
    size_t line_cap = 0;
    ssize_t got;
    errno = 0;
    while (!R.stop && (got = getline(&line, &line_cap, f)) >= 0) {
        R.line++;
        if (csv_parse(&parser, line, (size_t)got, on_field, on_record, &R) != (size_t)got &&
            !R.stop) {
            reader_error(&R, R.line, (long)R.field, "malformed CSV (%s)",
                         csv_strerror(csv_error(&parser)));
            R.stop = true;
        }
    }
    bool read_failed = !R.stop && ferror(f);
    int read_errno = errno;
    if (!R.stop && !read_failed && csv_fini(&parser, on_field, on_record, &R) != 0 && !R.stop) {
        reader_error(&R, R.line, (long)R.field, "malformed CSV (%s)",
                     csv_strerror(csv_error(&parser)));
        R.stop = true;
    }
    csv_free(&parser);
    free(line);

    if (read_failed) {
        if (c != NULL)
            yerror(c, node, node_path, "cannot read '%s': %s", path, strerror(read_errno));
        else
            diag_error(diag, path, -1, -1, key_path, "cannot read '%s': %s", path,
                       strerror(read_errno));
        R.failed = true;
    } else if (!R.stop && R.record == 0) {
        reader_error(&R, -1, 0,
                     "the file is empty (expected the header " HEADER " and at least one row)");
    } else if (!R.stop && R.record == 1) {
        reader_error(&R, -1, 0, "no rows after the header (expected at least one row of " HEADER
                                ")");
    }
    if (R.failed) {
        free(R.ts);
        free(R.vs);
        return false;
    }
    demand_profile d;
    memset(&d, 0, sizeof d);
    d.kind = DEMAND_TRACE;
    d.growth = growth;
    d.trace.repeat = repeat;
    d.trace.n = R.n;
    d.trace.t_s = R.ts;
    d.trace.rps = R.vs;
    d.trace.file = strdup(path);
    if (d.trace.file == NULL || !demand_prepare(&d)) {
        diag_error(diag, path, -1, -1, key_path, "out of memory");
        demand_free(&d);
        return false;
    }
    *out = d;
    return true;
}

/* A FIFO would block and /dev/zero never end: only files are read (a
 * directory fails at the first read, with its own message). */
static bool special_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
}

bool demand_load_trace(const char *path, bool repeat, double growth, size_t max_rows,
                       const char *key_path, diag_list *diag, demand_profile *out)
{
    if (special_file(path)) {
        diag_error(diag, path, -1, -1, key_path, "cannot open '%s': not a regular file", path);
        return false;
    }
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        diag_error(diag, path, -1, -1, key_path, "cannot open '%s': %s", path, strerror(errno));
        return false;
    }
    bool ok = read_trace(f, path, repeat, growth, max_rows, key_path, diag, NULL, NULL, NULL, out);
    fclose(f);
    return ok;
}

/* ---- the scenario key ---------------------------------------------------------------------- */

static const char *const DEMAND_KEYS[] = {
    "requests_per_second", "pattern", "trace", "peak", "peak_to_trough", "peak_hour",
    "weekend_factor", "repeat", "growth", NULL,
};

/* Which shapes may use each key beyond the one that names the shape. */
enum { FOR_CONSTANT = 1, FOR_DAILY = 2, FOR_WEEKLY = 4, FOR_TRACE = 8 };

static const struct {
    const char *key;
    int shapes;
    const char *only;
} KEY_SHAPES[] = {
    {"peak", FOR_DAILY | FOR_WEEKLY, "only with pattern: daily or weekly"},
    {"peak_to_trough", FOR_DAILY | FOR_WEEKLY, "only with pattern: daily or weekly"},
    {"peak_hour", FOR_DAILY | FOR_WEEKLY, "only with pattern: daily or weekly"},
    {"weekend_factor", FOR_WEEKLY, "only with pattern: weekly"},
    {"repeat", FOR_TRACE, "only with trace"},
};

/* A finite number; false after reporting. */
static bool get_number(yctx *c, const ynode *node, const ypath *path, double *out)
{
    if (node == NULL || node->kind != YNODE_SCALAR || ynode_is_null(node)) {
        yerror(c, node, path, "expected a number, found %s", ynode_describe(node));
        return false;
    }
    const char *text = node->text;
    if (duration_is_nonfinite_word(text, strlen(text))) {
        yerror(c, node, path, "'%.60s': NaN and infinite values are not allowed", text);
        return false;
    }
    if (duration_parse_number(text, out) != 0) {
        yerror(c, node, path, "'%.60s' is not a number", text);
        return false;
    }
    return true;
}

static bool get_growth(yctx *c, const ynode *node, const ypath *path, double *out)
{
    if (node == NULL || node->kind != YNODE_SCALAR || ynode_is_null(node)) {
        yerror(c, node, path, "expected a yearly growth rate such as 20%%, found %s",
               ynode_describe(node));
        return false;
    }
    const char *text = node->text;
    size_t len = strlen(text);
    if (duration_is_nonfinite_word(text, len > 0 && text[len - 1] == '%' ? len - 1 : len)) {
        yerror(c, node, path, "'%.60s': NaN and infinite values are not allowed", text);
        return false;
    }
    double g;
    if (duration_parse_fraction(text, &g) != 0 || !isfinite(g)) {
        yerror(c, node, path, "'%.60s' is not a growth rate (write 20%% or 0.2 for 20%% a year)",
               text);
        return false;
    }
    if (!(g > -1.0 && g <= 10.0)) {
        yerror(c, node, path, "%s is out of range (more than -100%% and at most 1000%% a year)",
               text);
        return false;
    }
    *out = g;
    return true;
}

static bool get_bool(yctx *c, const ynode *node, const ypath *path, bool *out)
{
    if (node->kind == YNODE_SCALAR &&
        (strcmp(node->text, "true") == 0 || strcmp(node->text, "false") == 0)) {
        *out = strcmp(node->text, "true") == 0;
        return true;
    }
    if (node->kind == YNODE_SCALAR && !ynode_is_null(node))
        yerror(c, node, path, "expected true or false, found '%.60s'", node->text);
    else
        yerror(c, node, path, "expected true or false, found %s", ynode_describe(node));
    return false;
}

/* The path of `file` written in a scenario in `dir` ("." adds nothing). */
static char *path_in_dir(const char *dir, const char *file)
{
    if (file[0] == '/' || dir == NULL || dir[0] == '\0' || strcmp(dir, ".") == 0)
        return strdup(file);
    size_t dlen = strlen(dir), flen = strlen(file);
    bool slash = dir[dlen - 1] != '/';
    char *joined = malloc(dlen + slash + flen + 1);
    if (joined == NULL)
        return NULL;
    memcpy(joined, dir, dlen);
    if (slash)
        joined[dlen] = '/';
    memcpy(joined + dlen + slash, file, flen + 1);
    return joined;
}

static bool parse_pattern_keys(yctx *c, const ynode *map, const ypath *path, demand_profile *p)
{
    bool ok = true;
    const ynode *v;
    double x;
    if ((v = ymap_require(c, map, path, "peak")) != NULL) {
        ypath kp = YPATH_KEY(path, "peak");
        if (!get_number(c, v, &kp, &x)) {
            ok = false;
        } else if (!(x > 0.0 && x <= DEMAND_MAX_RPS)) {
            yerror(c, v, &kp, "%s is out of range (more than 0 and at most 1e12 requests per "
                              "second)", v->text);
            ok = false;
        } else {
            p->peak_rps = x;
        }
    } else {
        ok = false;
    }
    if ((v = ymap_require(c, map, path, "peak_to_trough")) != NULL) {
        ypath kp = YPATH_KEY(path, "peak_to_trough");
        if (!get_number(c, v, &kp, &x)) {
            ok = false;
        } else if (!(x >= 1.0)) {
            yerror(c, v, &kp, "%s is below 1 (the peak divided by the trough)", v->text);
            ok = false;
        } else {
            p->peak_to_trough = x;
        }
    } else {
        ok = false;
    }
    p->peak_hour = DEMAND_DEFAULT_PEAK_HOUR;
    if ((v = ymap_get(map, "peak_hour")) != NULL) {
        ypath kp = YPATH_KEY(path, "peak_hour");
        if (!get_number(c, v, &kp, &x)) {
            ok = false;
        } else if (!(x >= 0.0 && x < 24.0)) {
            yerror(c, v, &kp, "%s is out of range (an hour of the day in UTC, 0 to below 24)",
                   v->text);
            ok = false;
        } else {
            p->peak_hour = x;
        }
    }
    if (p->kind == DEMAND_WEEKLY) {
        if ((v = ymap_require(c, map, path, "weekend_factor")) != NULL) {
            ypath kp = YPATH_KEY(path, "weekend_factor");
            if (!get_number(c, v, &kp, &x)) {
                ok = false;
            } else if (!(x >= 0.0 && x <= 1000.0)) {
                yerror(c, v, &kp, "%s is out of range (0 to 1000)", v->text);
                ok = false;
            } else {
                p->weekend_factor = x;
            }
        } else {
            ok = false;
        }
    }
    return ok;
}

static bool parse_mapping(yctx *c, const ynode *map, const ypath *path, demand_profile *out)
{
    bool ok = ymap_check(c, map, path, DEMAND_KEYS);
    if (map->kind != YNODE_MAPPING)
        return false;

    /* the shape: exactly one of requests_per_second, pattern and trace */
    static const char *const SHAPE_KEYS[] = {"requests_per_second", "pattern", "trace"};
    const char *shape = NULL;
    for (size_t i = 0; i < map->n; i++) {
        const ynode *k = map->pairs[i].key;
        if (k->kind != YNODE_SCALAR)
            continue;
        for (size_t j = 0; j < 3; j++) {
            if (strcmp(k->text, SHAPE_KEYS[j]) != 0)
                continue;
            if (shape == NULL) {
                shape = SHAPE_KEYS[j];
            } else if (strcmp(shape, SHAPE_KEYS[j]) != 0) {
                ypath kp = YPATH_KEY(path, SHAPE_KEYS[j]);
                yerror(c, k, &kp,
                       "'%s' cannot be combined with '%s' (give one of requests_per_second, "
                       "pattern or trace)",
                       SHAPE_KEYS[j], shape);
                ok = false;
            }
        }
    }
    if (shape == NULL) {
        yerror(c, map, path, "needs one of requests_per_second, pattern or trace");
        return false;
    }

    demand_profile p;
    memset(&p, 0, sizeof p);
    int shapes = 0;
    const ynode *v;
    if (strcmp(shape, "requests_per_second") == 0) {
        p.kind = DEMAND_CONSTANT;
        shapes = FOR_CONSTANT;
        v = ymap_get(map, "requests_per_second");
        ypath kp = YPATH_KEY(path, "requests_per_second");
        long long n;
        if (yget_integer(c, v, &kp, 0, (long long)DEMAND_MAX_RPS, &n))
            p.rps = (double)n;
        else
            ok = false;
    } else if (strcmp(shape, "pattern") == 0) {
        v = ymap_get(map, "pattern");
        ypath kp = YPATH_KEY(path, "pattern");
        char *name = NULL;
        if (!yget_string(c, v, &kp, &name)) {
            ok = false;
        } else if (strcmp(name, "daily") == 0) {
            p.kind = DEMAND_DAILY;
            shapes = FOR_DAILY;
        } else if (strcmp(name, "weekly") == 0) {
            p.kind = DEMAND_WEEKLY;
            shapes = FOR_WEEKLY;
        } else {
            yerror(c, v, &kp, "unknown pattern '%.60s' (use daily or weekly)", name);
            ok = false;
        }
        free(name);
        if (shapes != 0)
            ok = parse_pattern_keys(c, map, path, &p) && ok;
    } else {
        p.kind = DEMAND_TRACE;
        shapes = FOR_TRACE;
    }

    for (size_t i = 0; shapes != 0 && i < map->n; i++) {   /* in the order written */
        const ynode *k = map->pairs[i].key;
        for (size_t j = 0; k->kind == YNODE_SCALAR && j < sizeof KEY_SHAPES / sizeof KEY_SHAPES[0];
             j++) {
            if (strcmp(k->text, KEY_SHAPES[j].key) == 0 && (KEY_SHAPES[j].shapes & shapes) == 0) {
                ypath kp = YPATH_KEY(path, KEY_SHAPES[j].key);
                yerror(c, k, &kp, "%s", KEY_SHAPES[j].only);
                ok = false;
            }
        }
    }

    if ((v = ymap_get(map, "growth")) != NULL) {
        ypath kp = YPATH_KEY(path, "growth");
        ok = get_growth(c, v, &kp, &p.growth) && ok;
    }

    if (p.kind == DEMAND_TRACE) {
        bool repeat = false;
        if ((v = ymap_get(map, "repeat")) != NULL) {
            ypath kp = YPATH_KEY(path, "repeat");
            ok = get_bool(c, v, &kp, &repeat) && ok;
        }
        v = ymap_get(map, "trace");
        ypath kp = YPATH_KEY(path, "trace");
        char *file = NULL;
        if (!yget_string(c, v, &kp, &file))
            return false;
        if (file[0] == '\0') {
            yerror(c, v, &kp, "the file name is empty");
            free(file);
            return false;
        }
        char *full = path_in_dir(ydoc_directory_of(c->doc, v), file);
        free(file);
        if (full == NULL) {
            yerror(c, v, &kp, "out of memory");
            return false;
        }
        char key_path[512];
        ypath_format(&kp, key_path, sizeof key_path);
        if (special_file(full)) {
            yerror(c, v, &kp, "cannot open '%s': not a regular file", full);
            free(full);
            return false;
        }
        FILE *f = fopen(full, "r");
        if (f == NULL) {
            yerror(c, v, &kp, "cannot open '%s': %s", full, strerror(errno));
            free(full);
            return false;
        }
        demand_profile loaded;
        bool read = read_trace(f, full, repeat, p.growth, DEMAND_TRACE_MAX_ROWS, key_path,
                               c->diag, c, v, &kp, &loaded);
        fclose(f);
        free(full);
        if (!read)
            return false;
        if (!ok) {
            demand_free(&loaded);
            return false;
        }
        *out = loaded;
        return true;
    }
    if (!ok)
        return false;
    demand_prepare(&p);   /* no allocation for an analytic shape */
    *out = p;
    return true;
}

bool demand_parse(yctx *c, const ynode *node, const ypath *path, demand_profile *out)
{
    if (node != NULL && node->kind == YNODE_MAPPING)
        return parse_mapping(c, node, path, out);
    if (node == NULL || node->kind != YNODE_SCALAR || ynode_is_null(node)) {
        yerror(c, node, path,
               "expected requests per second, or a mapping with requests_per_second, pattern "
               "or trace, found %s",
               ynode_describe(node));
        return false;
    }
    long long n;
    if (!yget_integer(c, node, path, 0, (long long)DEMAND_MAX_RPS, &n))
        return false;
    demand_profile p;
    memset(&p, 0, sizeof p);
    p.kind = DEMAND_CONSTANT;
    p.rps = (double)n;
    demand_prepare(&p);
    *out = p;
    return true;
}
