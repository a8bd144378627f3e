/*
 * des — the discrete-event kernel: one clock, one event list.
 *
 * Order.  Events fire in order of (time, priority, sequence): at equal times
 * the lower priority number fires first, and at equal time and priority the
 * event scheduled first fires first.  Priorities are 0..DES_PRIORITY_MAX.
 * tests/test_des.c pins this order by name.
 *
 * Clock.  des_now() is the time of the event being fired (seconds since the
 * start of the trial).  It only moves forward; scheduling before des_now()
 * is a programming error and asserts.
 *
 * Cancellation.  des_cancel() is O(1) and never scans: a cancelled event
 * stays in the list, is skipped when it reaches the front, and its storage is
 * reused.  An id identifies one scheduling; cancelling an event that already
 * fired or was cancelled returns false and does nothing.
 *
 * Handlers.  A handler runs with the clock at its event's time and may
 * schedule and cancel freely, including scheduling at des_now().
 *
 * Memory.  On allocation failure des_schedule() returns 0, the simulation is
 * marked failed (des_failed()) and des_run_until() stops at once; callers
 * check des_failed() after a run instead of after every schedule.
 *
 * Ownership: a des_sim owns its event storage; subjects and objects are
 * borrowed pointers the kernel never dereferences or frees.
 * A des_sim is not thread-safe; use one per thread.
 */
#ifndef DRSIM_DES_H
#define DRSIM_DES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DES_PRIORITY_MAX 255

typedef struct des_sim des_sim;
typedef uint64_t des_event_id; /* 0 is never a valid id */
typedef void des_handler(des_sim *sim, void *subject, void *object);

/* A new, empty simulation at time 0.  NULL when out of memory. */
des_sim *des_create(void);
void des_destroy(des_sim *sim);

/* Empties the event list and sets the clock to 0, keeping allocated memory
 * so a worker can run trial after trial without allocating. */
void des_reset(des_sim *sim);

/* Schedules handler(sim, subject, object) at absolute time at_s >= des_now().
 * Returns the event's id, or 0 when out of memory (see above). */
des_event_id des_schedule(des_sim *sim, double at_s, int priority,
                          des_handler *handler, void *subject, void *object);

/* Cancels a pending event.  true when it was pending, false otherwise. */
bool des_cancel(des_sim *sim, des_event_id id);

/* Fires, in order, every pending event whose time is <= until_s, then sets
 * the clock to until_s.  Returns early, with the clock at the last fired
 * event, after des_stop() or on failure.  Returns the number of events fired. */
uint64_t des_run_until(des_sim *sim, double until_s);

/* From inside a handler: make des_run_until() return after this event. */
void des_stop(des_sim *sim);

/* The clock is the first member of a des_sim, so that des_now(), called by
 * nearly every handler, is a load and not a call. */
typedef struct des_clock {
    double now_s;
} des_clock;

static inline double des_now(const des_sim *sim)
{
    return ((const des_clock *)(const void *)sim)->now_s;
}

size_t des_pending(const des_sim *sim); /* scheduled, not fired, not cancelled */
bool des_failed(const des_sim *sim);

#endif
