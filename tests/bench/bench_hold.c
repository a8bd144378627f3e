/*
 * bench_hold — the classic hold model on the event kernel (sim/des.c).
 *
 * PENDING events are kept pending: every fired event schedules one new event
 * at now + Exp(mean 1 s), so the event list holds PENDING events throughout
 * and each event costs one fire plus one schedule.  After a warm-up the
 * program times EVENTS events, best of RUNS runs, and prints one line per
 * way of drawing the increments:
 *
 *   hold  pending=1000  events=50000000  seconds=1.83  events_per_s=27.3e6  rng=drsim
 *
 *   drsim         dist_sample() of exp(mean=1s) over a Philox stream
 *                 (rng.h): exactly how drsim's models draw, by the ziggurat
 *                 (ziggurat.h).  The headline figure;
 *   xoshiro256+   an inline xoshiro256+ and -log(u): what a cheap generator
 *                 and a logarithm cost on top of the kernel;
 *   gsl_mt19937   gsl_ran_exponential over gsl_rng_mt19937: what a model
 *                 drawing through GSL's -log1p(-u) pays;
 *   table         increments drawn beforehand and read from a table: the
 *                 kernel's own cost, the figure to watch for regressions.
 *
 * Then it times a schedule immediately followed by a cancel, against the
 * same 1000 pending events (cancelled entries wait in the heap until it is
 * compacted, so the figure includes compaction, amortised).
 *
 * seconds is the CPU time of the timed run (CLOCK_THREAD_CPUTIME_ID), so a
 * busy machine that takes the core away now and then disturbs it less than
 * wall time; it cannot help when another program shares the core's caches
 * or, on a virtual machine, its physical core: run it on a quiet machine.
 *
 * Usage: bench_hold [EVENTS [PENDING]]   (default 50000000 events, 1000 pending)
 */
#include "bench.h"
#include "des.h"
#include "dist.h"
#include "rng.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { RUNS = 3, WARMUP_EVENTS = 1000000 };

static int PENDING = 1000; /* the second argument, when given */

/* ------------------------------------------------------------------------ */

enum { TABLE_SIZE = 1 << 16 };

typedef struct hold_state {
    xoshiro256p fast;
    gsl_rng *gsl;
    gsl_rng *stream;   /* drsim's Philox stream */
    dist increment;    /* exp(mean=1s) */
    double *table; /* TABLE_SIZE increments */
    uint64_t fired;
    uint64_t stop_at;
} hold_state;

static void hold_fast(des_sim *sim, void *subject, void *object)
{
    hold_state *st = subject;
    des_schedule(sim, des_now(sim) + xoshiro_exponential(&st->fast), 0, hold_fast, st, object);
    if (++st->fired == st->stop_at) des_stop(sim);
}

static void hold_drsim(des_sim *sim, void *subject, void *object)
{
    hold_state *st = subject;
    des_schedule(sim, des_now(sim) + dist_sample(&st->increment, st->stream), 0, hold_drsim, st,
                 object);
    if (++st->fired == st->stop_at) des_stop(sim);
}

static void hold_gsl(des_sim *sim, void *subject, void *object)
{
    hold_state *st = subject;
    des_schedule(sim, des_now(sim) + gsl_ran_exponential(st->gsl, 1.0), 0, hold_gsl, st, object);
    if (++st->fired == st->stop_at) des_stop(sim);
}

static void hold_table(des_sim *sim, void *subject, void *object)
{
    hold_state *st = subject;
    double increment = st->table[st->fired & (TABLE_SIZE - 1)];
    des_schedule(sim, des_now(sim) + increment, 0, hold_table, st, object);
    if (++st->fired == st->stop_at) des_stop(sim);
}

static void die(const char *what)
{
    fprintf(stderr, "bench_hold: %s\n", what);
    exit(1);
}

/* Fires n events of the hold model, returns the seconds it took. */
static double fire(des_sim *sim, hold_state *st, uint64_t n)
{
    st->stop_at = st->fired + n;
    double start = bench_cpu_seconds();
    uint64_t fired = des_run_until(sim, INFINITY);
    double seconds = bench_cpu_seconds() - start;
    if (fired != n || des_failed(sim)) die("the hold model did not fire as many events as asked");
    return seconds;
}

/* Sets up PENDING events with the given handler and warms up. */
static void start_hold(des_sim *sim, hold_state *st, des_handler *handler)
{
    des_reset(sim);
    st->fired = 0;
    for (int i = 0; i < PENDING; i++)
        if (!des_schedule(sim, xoshiro_exponential(&st->fast), 0, handler, st, NULL))
            die("out of memory");
    fire(sim, st, WARMUP_EVENTS);
}

static void bench_hold(des_sim *sim, hold_state *st, des_handler *handler,
                       const char *rng_name, uint64_t events)
{
    double best = INFINITY;
    for (int run = 0; run < RUNS; run++) {
        start_hold(sim, st, handler);
        double seconds = fire(sim, st, events);
        if (seconds < best) best = seconds;
    }
    printf("hold  pending=%d  events=%llu  seconds=%.3f  events_per_s=%.1fe6  rng=%s\n",
           PENDING, (unsigned long long)events, best, (double)events / best / 1e6, rng_name);
}

static void never_fires(des_sim *sim, void *subject, void *object)
{
    (void)sim, (void)subject, (void)object;
    die("a cancelled event fired");
}

/* Times des_schedule() immediately followed by des_cancel() of the same
 * event, with PENDING live events in the list, at times drawn beforehand
 * (the table) so that the generator's cost stays out.  The cancelled entries
 * stay in the heap until it is compacted, so the figure includes that cost,
 * amortised. */
static void bench_schedule_cancel(des_sim *sim, hold_state *st, uint64_t pairs)
{
    double best = INFINITY;
    for (int run = 0; run < RUNS; run++) {
        start_hold(sim, st, hold_fast);
        double now = des_now(sim);
        double start = bench_cpu_seconds();
        for (uint64_t i = 0; i < pairs; i++) {
            des_event_id id = des_schedule(sim, now + st->table[i & (TABLE_SIZE - 1)], 0,
                                           never_fires, NULL, NULL);
            if (!des_cancel(sim, id)) die("cancel failed");
        }
        double seconds = bench_cpu_seconds() - start;
        if (des_pending(sim) != (size_t)PENDING) die("pending count is off after cancelling");
        if (seconds < best) best = seconds;
    }
    printf("schedule+cancel  pending=%d  pairs=%llu  ns_per_pair=%.1f\n",
           PENDING, (unsigned long long)pairs, best / (double)pairs * 1e9);
}

int main(int argc, char **argv)
{
    uint64_t events = 50000000;
    if (argc > 3) die("usage: bench_hold [EVENTS [PENDING]]");
    if (argc >= 2) {
        char *end;
        events = strtoull(argv[1], &end, 10);
        if (*end || events == 0) die("EVENTS must be a positive integer");
    }
    if (argc == 3) {
        char *end;
        long pending = strtol(argv[2], &end, 10);
        if (*end || pending < 1 || pending > 10000000) die("PENDING must be 1 to 10000000");
        PENDING = (int)pending;
    }

    des_sim *sim = des_create();
    hold_state st = {.gsl = gsl_rng_alloc(gsl_rng_mt19937), .table = malloc(TABLE_SIZE * sizeof(double))};
    st.stream = rng_stream_create();
    st.increment = (dist){.kind = DIST_EXP, .p1 = 1.0};
    if (!sim || !st.gsl || !st.stream || !st.table) die("out of memory");
    xoshiro_seed(&st.fast, 20240601);
    gsl_rng_set(st.gsl, 20240601);
    rng_stream_set(st.stream, 20240601, 0, rng_name_hash("hold"), RNG_PURPOSE_MODEL);
    for (int i = 0; i < TABLE_SIZE; i++) st.table[i] = xoshiro_exponential(&st.fast);

    bench_hold(sim, &st, hold_drsim, "drsim", events);
    bench_hold(sim, &st, hold_fast, "xoshiro256+", events);
    bench_hold(sim, &st, hold_gsl, "gsl_mt19937", events);
    bench_hold(sim, &st, hold_table, "table", events);
    bench_schedule_cancel(sim, &st, events / 5 > 0 ? events / 5 : 1);

    free(st.table);
    gsl_rng_free(st.stream);
    gsl_rng_free(st.gsl);
    des_destroy(sim);
    return 0;
}
