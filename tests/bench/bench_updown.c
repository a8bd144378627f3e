/*
 * bench_updown — 100 independent components on the event kernel
 * (sim/des.c), the model tests/bench/simpy_models.py runs in SimPy:
 *
 *   each component is up for Exp(mean 1000 h), then down for Exp(mean 10 h),
 *   again and again, for HOURS hours (default 10^6); it adds up its downtime.
 *
 * One event per failure and one per repair, as in SimPy, where a process is
 * resumed once per `yield hold`.  Three lines, one per way of drawing:
 *
 *   drsim         dist_sample() of exp(mean=1000h) and exp(mean=10h) over
 *                 a Philox stream (rng.h): exactly how drsim's models draw
 *                 (the ziggurat, ziggurat.h).  The headline figure;
 *   gsl_mt19937   gsl_ran_exponential over gsl_rng_mt19937: a Mersenne
 *                 Twister like Python's random module and GSL's
 *                 -log1p(-u), as drsim drew before the ziggurat;
 *   xoshiro256+   an inline xoshiro256+ and -log(u), as bench_hold's
 *                 headline figure.
 *
 * A timed run repeats the whole model, reseeded, until at least MIN_SECONDS
 * of CPU time have passed; each variant keeps the best of RUNS timed runs,
 * as bench_hold does and as tests/bench/run.sh treats SimPy (best of 3):
 *
 *   updown  components=100  hours=1e+06  events=197274  repeats=18  seconds=0.302  events_per_s=25.2e6  availability=0.99014  rng=drsim
 *
 * events and availability are those of the first repeat; repeats and
 * seconds those of the best run.  seconds is CPU time
 * (CLOCK_THREAD_CPUTIME_ID), as in bench_hold.
 *
 * Usage: bench_updown [HOURS]
 */
#include "bench.h"
#include "des.h"
#include "dist.h"
#include "rng.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { COMPONENTS = 100, RUNS = 3 };
static const double MTTF_H = 1000.0, MTTR_H = 10.0, MIN_SECONDS = 0.3;

enum draw_kind { DRAW_DRSIM, DRAW_GSL_MT19937, DRAW_XOSHIRO };

static const char *const DRAW_NAMES[] = {"drsim", "gsl_mt19937", "xoshiro256+"};

typedef struct model {
    enum draw_kind draw;
    gsl_rng *rng;                   /* mt19937 */
    gsl_rng *stream;                /* drsim's Philox stream */
    dist up, down;                  /* exp(mean=1000h), exp(mean=10h), in hours */
    xoshiro256p xo;
    double horizon_h;
    uint64_t events;
    double down_h;                  /* component-hours down, cut at the horizon */
    double down_since[COMPONENTS];
} model;

/* Exp(mean); `d` is the same distribution for drsim's draw. */
static inline double draw(model *m, double mean, const dist *d)
{
    switch (m->draw) {
    case DRAW_DRSIM:
        return dist_sample(d, m->stream);
    case DRAW_GSL_MT19937:
        return gsl_ran_exponential(m->rng, mean);
    case DRAW_XOSHIRO:
        break;
    }
    return mean * xoshiro_exponential(&m->xo);
}

static void on_repair(des_sim *sim, void *subject, void *object);

static void on_failure(des_sim *sim, void *subject, void *object)
{
    model *m = subject;
    size_t i = (size_t)((double *)object - m->down_since);
    double now = des_now(sim);
    m->events++;
    m->down_since[i] = now;
    des_schedule(sim, now + draw(m, MTTR_H, &m->down), 0, on_repair, m, object);
}

static void on_repair(des_sim *sim, void *subject, void *object)
{
    model *m = subject;
    double now = des_now(sim);
    m->events++;
    if (now < m->horizon_h) m->down_h += now - *(double *)object;
    des_schedule(sim, now + draw(m, MTTF_H, &m->up), 0, on_failure, m, object);
}

static void die(const char *what)
{
    fprintf(stderr, "bench_updown: %s\n", what);
    exit(1);
}

/* One run of the model; returns its events. */
static uint64_t run_once(des_sim *sim, model *m, unsigned long seed)
{
    des_reset(sim);
    gsl_rng_set(m->rng, seed);
    rng_stream_set(m->stream, seed, 0, rng_name_hash("unit"), RNG_PURPOSE_FAIL);
    xoshiro_seed(&m->xo, seed);
    m->events = 0;
    m->down_h = 0.0;
    for (size_t i = 0; i < COMPONENTS; i++)
        if (!des_schedule(sim, draw(m, MTTF_H, &m->up), 0, on_failure, m, &m->down_since[i]))
            die("out of memory");
    des_run_until(sim, m->horizon_h);
    if (des_failed(sim)) die("out of memory");
    return m->events;
}

static void bench(des_sim *sim, model *m, enum draw_kind kind)
{
    m->draw = kind;
    run_once(sim, m, 1); /* warm-up */
    uint64_t first_events = 0;
    double first_availability = 0.0, best_rate = 0.0, best_seconds = 0.0;
    int best_repeats = 0;
    for (int run = 0; run < RUNS; run++) {
        uint64_t events = 0;
        int repeats = 0;
        double start = bench_cpu_seconds(), seconds;
        do {
            uint64_t n = run_once(sim, m, 20240601UL + (unsigned long)repeats);
            if (run == 0 && repeats == 0) {
                first_events = n;
                first_availability = 1.0 - m->down_h / (COMPONENTS * m->horizon_h);
            }
            events += n;
            repeats++;
            seconds = bench_cpu_seconds() - start;
        } while (seconds < MIN_SECONDS);
        double rate = (double)events / seconds;
        if (rate > best_rate) {
            best_rate = rate;
            best_seconds = seconds;
            best_repeats = repeats;
        }
    }

    printf("updown  components=%d  hours=%g  events=%llu  repeats=%d  seconds=%.3f  "
           "events_per_s=%.2fe6  availability=%.5f  rng=%s\n",
           COMPONENTS, m->horizon_h, (unsigned long long)first_events, best_repeats, best_seconds,
           best_rate / 1e6, first_availability, DRAW_NAMES[kind]);
}

int main(int argc, char **argv)
{
    static model m; /* zeroed */
    m.rng = gsl_rng_alloc(gsl_rng_mt19937);
    m.horizon_h = 1e6;
    if (argc > 2) die("usage: bench_updown [HOURS]");
    if (argc == 2) {
        char *end;
        m.horizon_h = strtod(argv[1], &end);
        if (*end || !(m.horizon_h > 0.0) || !isfinite(m.horizon_h))
            die("HOURS must be a positive number");
    }
    m.stream = rng_stream_create();
    /* In hours, as the model's clock: dist_sample() returns the mean's unit. */
    m.up = (dist){.kind = DIST_EXP, .p1 = MTTF_H};
    m.down = (dist){.kind = DIST_EXP, .p1 = MTTR_H};
    des_sim *sim = des_create();
    if (!sim || !m.rng || !m.stream) die("out of memory");

    bench(sim, &m, DRAW_DRSIM);
    bench(sim, &m, DRAW_GSL_MT19937);
    bench(sim, &m, DRAW_XOSHIRO);

    des_destroy(sim);
    gsl_rng_free(m.stream);
    gsl_rng_free(m.rng);
    return 0;
}
