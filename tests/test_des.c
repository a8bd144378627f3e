/*
 * test_des — the event kernel (include/des.h, sim/des.c).
 *
 * Each test's name is the claim it checks.  The randomized test compares the
 * kernel, event by event, against a plain sorted-list reference; it prints
 * its seed on failure and takes another from the environment:
 *
 *   DES_TEST_SEED=12345 build/tests/test_des
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "des.h"
#include "../sim/des_internal.h"

/* ------------------------------------------------------------------------ */
/* A handler that records what fired, and when                               */

enum { LOG_MAX = 256 };

typedef struct firing_log {
    int tags[LOG_MAX];
    double times[LOG_MAX];
    size_t count;
} firing_log;

/* subject: the firing_log; object: an int tag. */
static void record(des_sim *sim, void *subject, void *object)
{
    firing_log *log = subject;
    assert_true(log->count < LOG_MAX);
    log->tags[log->count] = *(const int *)object;
    log->times[log->count] = des_now(sim);
    log->count++;
}

static const int TAG[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

static void assert_fired(const firing_log *log, const int *expected, size_t n)
{
    assert_int_equal(log->count, n);
    for (size_t i = 0; i < n; i++) {
        if (log->tags[i] != expected[i])
            fail_msg("firing %zu: tag %d, expected %d", i, log->tags[i], expected[i]);
    }
}

static int setup_sim(void **state)
{
    *state = des_create();
    return *state ? 0 : -1;
}

static int teardown_sim(void **state)
{
    des_destroy(*state);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Order                                                                     */

static void test_events_fire_in_time_order(void **state)
{
    des_sim *sim = *state;
    firing_log log = {0};
    des_schedule(sim, 3.0, 0, record, &log, (void *)&TAG[3]);
    des_schedule(sim, 1.0, 0, record, &log, (void *)&TAG[1]);
    des_schedule(sim, 2.5, 0, record, &log, (void *)&TAG[2]);
    des_schedule(sim, 0.0, 0, record, &log, (void *)&TAG[0]);
    assert_int_equal(des_run_until(sim, 10.0), 4);
    assert_fired(&log, (const int[]){0, 1, 2, 3}, 4);
}

static void test_earlier_time_fires_first_whatever_the_priority(void **state)
{
    des_sim *sim = *state;
    firing_log log = {0};
    des_schedule(sim, 2.0, 0, record, &log, (void *)&TAG[2]);
    des_schedule(sim, 1.0, DES_PRIORITY_MAX, record, &log, (void *)&TAG[1]);
    des_run_until(sim, 10.0);
    assert_fired(&log, (const int[]){1, 2}, 2);
}

static void test_equal_times_fire_in_priority_then_schedule_order(void **state)
{
    des_sim *sim = *state;
    firing_log log = {0};
    des_schedule(sim, 5.0, 2, record, &log, (void *)&TAG[4]);
    des_schedule(sim, 5.0, 1, record, &log, (void *)&TAG[2]);
    des_schedule(sim, 5.0, 2, record, &log, (void *)&TAG[5]);
    des_schedule(sim, 5.0, 0, record, &log, (void *)&TAG[0]);
    des_schedule(sim, 5.0, 1, record, &log, (void *)&TAG[3]);
    des_schedule(sim, 5.0, 0, record, &log, (void *)&TAG[1]);
    des_run_until(sim, 5.0);
    assert_fired(&log, (const int[]){0, 1, 2, 3, 4, 5}, 6);
}

/* Many events at one instant: every sibling comparison in the heap is a tie
 * in time, so the order must come from the priority and sequence alone. */
static void test_many_simultaneous_events_fire_in_schedule_order(void **state)
{
    des_sim *sim = *state;
    firing_log log = {0};
    int tags[200];
    for (int i = 0; i < 200; i++) {
        tags[i] = i;
        des_schedule(sim, 7.0, 3, record, &log, &tags[i]);
    }
    des_run_until(sim, 7.0);
    assert_int_equal(log.count, 200);
    for (int i = 0; i < 200; i++) assert_int_equal(log.tags[i], i);
}

static void test_negative_zero_time_is_time_zero(void **state)
{
    des_sim *sim = *state;
    firing_log log = {0};
    des_schedule(sim, 0.0, 1, record, &log, (void *)&TAG[1]);
    des_schedule(sim, -0.0, 0, record, &log, (void *)&TAG[0]);
    des_run_until(sim, 0.0);
    assert_fired(&log, (const int[]){0, 1}, 2);
}

static void test_event_at_infinity_fires_only_when_running_to_infinity(void **state)
{
    des_sim *sim = *state;
    firing_log log = {0};
    des_schedule(sim, INFINITY, 0, record, &log, (void *)&TAG[1]);
    des_schedule(sim, 1e300, 0, record, &log, (void *)&TAG[0]);
    assert_int_equal(des_run_until(sim, DBL_MAX), 1);
    assert_int_equal(des_pending(sim), 1);
    assert_int_equal(des_run_until(sim, INFINITY), 1);
    assert_fired(&log, (const int[]){0, 1}, 2);
}

/* ------------------------------------------------------------------------ */
/* Clock and running                                                         */

typedef struct clock_probe {
    double seen[4];
    int count;
} clock_probe;

static void look_at_clock(des_sim *sim, void *subject, void *object)
{
    (void)object;
    clock_probe *probe = subject;
    probe->seen[probe->count++] = des_now(sim);
}

static void test_clock_is_event_time_inside_handler(void **state)
{
    des_sim *sim = *state;
    clock_probe probe = {0};
    des_schedule(sim, 1.25, 0, look_at_clock, &probe, NULL);
    des_schedule(sim, 3.5, 0, look_at_clock, &probe, NULL);
    des_run_until(sim, 10.0);
    assert_int_equal(probe.count, 2);
    assert_true(probe.seen[0] == 1.25);
    assert_true(probe.seen[1] == 3.5);
}

static void test_clock_starts_at_zero_with_nothing_pending(void **state)
{
    des_sim *sim = *state;
    assert_true(des_now(sim) == 0.0);
    assert_int_equal(des_pending(sim), 0);
    assert_false(des_failed(sim));
}

static void test_run_until_fires_events_at_until_and_sets_clock(void **state)
{
    des_sim *sim = *state;
    firing_log log = {0};
    des_schedule(sim, 4.0, 0, record, &log, (void *)&TAG[0]);
    des_schedule(sim, 5.0, 9, record, &log, (void *)&TAG[1]);
    des_schedule(sim, nextafter(5.0, INFINITY), 0, record, &log, (void *)&TAG[2]);
    assert_int_equal(des_run_until(sim, 5.0), 2);
    assert_fired(&log, (const int[]){0, 1}, 2);
    assert_true(des_now(sim) == 5.0);
    assert_int_equal(des_pending(sim), 1);
}

static void test_run_until_with_nothing_due_only_moves_the_clock(void **state)
{
    des_sim *sim = *state;
    firing_log log = {0};
    des_schedule(sim, 50.0, 0, record, &log, (void *)&TAG[0]);
    assert_int_equal(des_run_until(sim, 20.0), 0);
    assert_true(des_now(sim) == 20.0);
    assert_int_equal(des_run_until(sim, 20.0), 0);
    assert_int_equal(des_run_until(sim, 60.0), 1);
    assert_true(des_now(sim) == 60.0);
}

static void stop_on_tag_one(des_sim *sim, void *subject, void *object)
{
    record(sim, subject, object);
    if (*(const int *)object == 1) des_stop(sim);
}

static void test_stop_returns_after_current_event(void **state)
{
    des_sim *sim = *state;
    firing_log log = {0};
    des_schedule(sim, 1.0, 0, stop_on_tag_one, &log, (void *)&TAG[0]);
    des_schedule(sim, 2.0, 0, stop_on_tag_one, &log, (void *)&TAG[1]);
    des_schedule(sim, 2.0, 0, stop_on_tag_one, &log, (void *)&TAG[2]);
    des_schedule(sim, 3.0, 0, stop_on_tag_one, &log, (void *)&TAG[3]);
    assert_int_equal(des_run_until(sim, 10.0), 2);
    assert_fired(&log, (const int[]){0, 1}, 2);
    assert_true(des_now(sim) == 2.0);
    assert_int_equal(des_pending(sim), 2);

    /* The next run picks up where the stopped one left off. */
    assert_int_equal(des_run_until(sim, 10.0), 2);
    assert_fired(&log, (const int[]){0, 1, 2, 3}, 4);
    assert_true(des_now(sim) == 10.0);
}

static void test_stop_from_the_last_due_event_leaves_clock_at_that_event(void **state)
{
    des_sim *sim = *state;
    firing_log log = {0};
    des_schedule(sim, 2.0, 0, stop_on_tag_one, &log, (void *)&TAG[1]);
    assert_int_equal(des_run_until(sim, 10.0), 1);
    assert_true(des_now(sim) == 2.0);
}

/* ------------------------------------------------------------------------ */
/* Scheduling from handlers                                                  */

/* Each event of a chain records itself and schedules `children` more,
 * delay_s later, tagged next_tag, next_tag + 1, ..., until end_tag. */
typedef struct chain {
    firing_log log;
    double delay_s;
    int priority;
    int children;
    int next_tag;
    int end_tag;
    int tags[LOG_MAX];
    int failed_schedules;
} chain;

static void spawn(des_sim *sim, void *subject, void *object)
{
    chain *c = subject;
    record(sim, &c->log, object);
    for (int i = 0; i < c->children && c->next_tag < c->end_tag; i++) {
        int *tag = &c->tags[c->next_tag];
        *tag = c->next_tag++;
        if (!des_schedule(sim, des_now(sim) + c->delay_s, c->priority, spawn, c, tag))
            c->failed_schedules++;
    }
}

static void test_scheduling_at_now_fires_in_same_run_after_queued_events(void **state)
{
    des_sim *sim = *state;
    chain c = {.delay_s = 0.0, .priority = 1, .children = 1, .next_tag = 10, .end_tag = 13};
    for (int i = 0; i < 3; i++) c.tags[i] = i;
    /* 0 schedules 10 at its own time and priority: 1 and 2 were queued
     * earlier, so they fire first; 10 schedules 11, 11 schedules 12.  The
     * priority-2 event at the same time fires after all of them, and one
     * run to that time fires everything. */
    des_schedule(sim, 1.0, 1, spawn, &c, &c.tags[0]);
    des_schedule(sim, 1.0, 1, record, &c.log, &c.tags[1]);
    des_schedule(sim, 1.0, 1, record, &c.log, &c.tags[2]);
    des_schedule(sim, 1.0, 2, record, &c.log, (void *)&TAG[3]);
    assert_int_equal(des_run_until(sim, 1.0), 7);
    assert_fired(&c.log, (const int[]){0, 1, 2, 10, 11, 12, 3}, 7);
    for (size_t i = 0; i < c.log.count; i++) assert_true(c.log.times[i] == 1.0);
    assert_int_equal(des_pending(sim), 0);
}

static void schedule_urgent_at_now(des_sim *sim, void *subject, void *object)
{
    firing_log *log = subject;
    record(sim, log, object);
    des_schedule(sim, des_now(sim), 0, record, log, (void *)&TAG[9]);
}

static void test_scheduling_at_now_with_more_urgent_priority_fires_next(void **state)
{
    des_sim *sim = *state;
    firing_log log = {0};
    des_schedule(sim, 1.0, 5, schedule_urgent_at_now, &log, (void *)&TAG[0]);
    des_schedule(sim, 1.0, 5, record, &log, (void *)&TAG[1]);
    des_run_until(sim, 1.0);
    assert_fired(&log, (const int[]){0, 9, 1}, 3);
}

static void test_handler_may_schedule_several_events(void **state)
{
    des_sim *sim = *state;
    chain c = {.delay_s = 1.0, .priority = 0, .children = 3, .next_tag = 1, .end_tag = LOG_MAX};
    c.tags[0] = 0;
    des_schedule(sim, 0.0, 0, spawn, &c, &c.tags[0]);
    des_run_until(sim, 2.0); /* 0 at t=0; 1,2,3 at t=1; 4..12 at t=2 */
    assert_int_equal(c.log.count, 13);
    for (int i = 0; i < 13; i++) assert_int_equal(c.log.tags[i], i);
    assert_int_equal(des_pending(sim), 27);
}

static void pass_subject_and_object(des_sim *sim, void *subject, void *object)
{
    (void)sim;
    *(void **)subject = object;
}

static void test_handler_gets_its_subject_and_object(void **state)
{
    des_sim *sim = *state;
    void *seen = NULL;
    int object;
    des_schedule(sim, 1.0, 0, pass_subject_and_object, &seen, &object);
    des_run_until(sim, 1.0);
    assert_ptr_equal(seen, &object);
}

/* ------------------------------------------------------------------------ */
/* Cancellation                                                              */

static void test_cancelled_event_never_fires(void **state)
{
    des_sim *sim = *state;
    firing_log log = {0};
    des_schedule(sim, 1.0, 0, record, &log, (void *)&TAG[0]);
    des_event_id id = des_schedule(sim, 2.0, 0, record, &log, (void *)&TAG[1]);
    des_schedule(sim, 3.0, 0, record, &log, (void *)&TAG[2]);
    assert_true(des_cancel(sim, id));
    assert_int_equal(des_run_until(sim, 10.0), 2);
    assert_fired(&log, (const int[]){0, 2}, 2);
}

static void test_cancel_twice_returns_false(void **state)
{
    des_sim *sim = *state;
    firing_log log = {0};
    des_event_id id = des_schedule(sim, 1.0, 0, record, &log, (void *)&TAG[0]);
    assert_true(des_cancel(sim, id));
    assert_false(des_cancel(sim, id));
    assert_int_equal(des_pending(sim), 0);
}

static void test_cancel_after_fire_returns_false(void **state)
{
    des_sim *sim = *state;
    firing_log log = {0};
    des_event_id id = des_schedule(sim, 1.0, 0, record, &log, (void *)&TAG[0]);
    des_run_until(sim, 1.0);
    assert_false(des_cancel(sim, id));
}

static void test_cancel_of_an_id_never_issued_returns_false(void **state)
{
    des_sim *sim = *state;
    firing_log log = {0};
    des_event_id id = des_schedule(sim, 1.0, 0, record, &log, (void *)&TAG[0]);
    assert_false(des_cancel(sim, 0));
    assert_false(des_cancel(sim, id + 1));                   /* a slot never used */
    assert_false(des_cancel(sim, id + (UINT64_C(1) << 24))); /* a later generation */
    assert_false(des_cancel(sim, UINT64_MAX));
    assert_int_equal(des_pending(sim), 1);
}

static void test_ids_are_never_zero_and_distinct(void **state)
{
    des_sim *sim = *state;
    firing_log log = {0};
    des_event_id ids[100];
    for (int i = 0; i < 100; i++) {
        ids[i] = des_schedule(sim, 1.0, 0, record, &log, (void *)&TAG[0]);
        assert_true(ids[i] != 0);
        for (int j = 0; j < i; j++) assert_true(ids[i] != ids[j]);
    }
}

static void test_slot_reuse_does_not_resurrect_old_ids(void **state)
{
    des_sim *sim = *state;
    firing_log log = {0};
    /* An id whose event fired, and one whose event was cancelled (and its
     * dead entry popped): the slots are taken again by new events. */
    des_event_id fired_id = des_schedule(sim, 1.0, 0, record, &log, (void *)&TAG[0]);
    des_event_id cancelled_id = des_schedule(sim, 1.5, 0, record, &log, (void *)&TAG[1]);
    assert_true(des_cancel(sim, cancelled_id));
    des_run_until(sim, 2.0);
    assert_int_equal(des_debug_heap_len(sim), 0);

    des_event_id new_ids[8];
    for (int i = 0; i < 8; i++) new_ids[i] = des_schedule(sim, 3.0, 0, record, &log, (void *)&TAG[2]);
    for (int i = 0; i < 8; i++) {
        assert_true(new_ids[i] != fired_id);
        assert_true(new_ids[i] != cancelled_id);
    }
    assert_false(des_cancel(sim, fired_id));
    assert_false(des_cancel(sim, cancelled_id));
    assert_int_equal(des_pending(sim), 8);
    assert_int_equal(des_run_until(sim, 3.0), 8);
}

/* subject: the sim's id of the event itself, or of another to cancel. */
typedef struct canceller {
    firing_log log;
    des_event_id target;
    int cancel_result;
} canceller;

static void cancel_target(des_sim *sim, void *subject, void *object)
{
    canceller *c = subject;
    record(sim, &c->log, object);
    c->cancel_result = des_cancel(sim, c->target);
}

static void test_handler_cancelling_itself_returns_false(void **state)
{
    des_sim *sim = *state;
    canceller c = {.cancel_result = -1};
    c.target = des_schedule(sim, 1.0, 0, cancel_target, &c, (void *)&TAG[0]);
    des_run_until(sim, 1.0);
    assert_int_equal(c.log.count, 1);
    assert_int_equal(c.cancel_result, 0);
}

static void test_handler_cancelling_another_event_at_same_time_prevents_it(void **state)
{
    des_sim *sim = *state;
    canceller c = {.cancel_result = -1};
    des_schedule(sim, 1.0, 0, cancel_target, &c, (void *)&TAG[0]);
    c.target = des_schedule(sim, 1.0, 0, record, &c.log, (void *)&TAG[1]);
    des_schedule(sim, 1.0, 0, record, &c.log, (void *)&TAG[2]);
    assert_int_equal(des_run_until(sim, 1.0), 2);
    assert_int_equal(c.cancel_result, 1);
    assert_fired(&c.log, (const int[]){0, 2}, 2);
}

static void test_handler_cancelling_then_scheduling_keeps_order(void **state)
{
    des_sim *sim = *state;
    canceller c = {.cancel_result = -1};
    des_schedule(sim, 1.0, 0, cancel_target, &c, (void *)&TAG[0]);
    c.target = des_schedule(sim, 2.0, 0, record, &c.log, (void *)&TAG[9]);
    des_schedule(sim, 3.0, 0, record, &c.log, (void *)&TAG[3]);
    des_run_until(sim, 1.0);
    des_schedule(sim, 2.5, 0, record, &c.log, (void *)&TAG[2]);
    des_run_until(sim, 5.0);
    assert_fired(&c.log, (const int[]){0, 2, 3}, 3);
}

static void test_pending_counts_live_events(void **state)
{
    des_sim *sim = *state;
    firing_log log = {0};
    des_event_id ids[10];
    for (int i = 0; i < 10; i++) ids[i] = des_schedule(sim, 1.0 + i, 0, record, &log, (void *)&TAG[i]);
    assert_int_equal(des_pending(sim), 10);
    des_cancel(sim, ids[3]);
    des_cancel(sim, ids[7]);
    des_cancel(sim, ids[7]);
    assert_int_equal(des_pending(sim), 8);
    des_run_until(sim, 4.5); /* fires 0, 1, 2 (3 was cancelled) */
    assert_int_equal(des_pending(sim), 5);
    des_run_until(sim, 100.0);
    assert_int_equal(des_pending(sim), 0);
}

typedef struct pending_probe {
    size_t seen[4];
    int count;
} pending_probe;

static void look_at_pending(des_sim *sim, void *subject, void *object)
{
    (void)object;
    pending_probe *probe = subject;
    probe->seen[probe->count++] = des_pending(sim);
    if (probe->count == 1) des_schedule(sim, des_now(sim) + 1.0, 0, look_at_pending, probe, NULL);
}

static void test_pending_inside_handler_excludes_the_firing_event(void **state)
{
    des_sim *sim = *state;
    pending_probe probe = {0};
    des_schedule(sim, 1.0, 0, look_at_pending, &probe, NULL);
    des_schedule(sim, 5.0, 0, look_at_pending, &probe, NULL);
    des_run_until(sim, 10.0);
    assert_int_equal(probe.count, 3);
    assert_int_equal(probe.seen[0], 1); /* the event at 5 */
    assert_int_equal(probe.seen[1], 1); /* the event at 5 */
    assert_int_equal(probe.seen[2], 0);
}

static void test_many_cancellations_do_not_grow_the_heap(void **state)
{
    des_sim *sim = *state;
    firing_log log = {0};
    /* A model that keeps arming a far-away timeout and cancelling it. */
    for (int i = 0; i < 10; i++) des_schedule(sim, 1.0 + i, 0, record, &log, (void *)&TAG[i]);
    for (int i = 0; i < 100000; i++) {
        des_event_id id = des_schedule(sim, 1e6 + i, 0, record, &log, (void *)&TAG[15]);
        assert_true(des_cancel(sim, id));
    }
    assert_int_equal(des_pending(sim), 10);
    assert_true(des_debug_heap_len(sim) <= 10 + 2 * DES_COMPACT_MIN_DEAD + 2);
    des_run_until(sim, 2e6);
    assert_fired(&log, (const int[]){0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, 10);
}

/* ------------------------------------------------------------------------ */
/* Reset, memory, limits                                                     */

static void test_reset_empties_and_rewinds(void **state)
{
    des_sim *sim = *state;
    firing_log log = {0};
    des_event_id id = des_schedule(sim, 8.0, 0, record, &log, (void *)&TAG[0]);
    for (int i = 0; i < 300; i++) des_schedule(sim, 9.0 + i, 0, record, &log, (void *)&TAG[1]);
    des_run_until(sim, 5.0);
    size_t capacity = sim->capacity;

    des_reset(sim);
    assert_true(des_now(sim) == 0.0);
    assert_int_equal(des_pending(sim), 0);
    assert_int_equal(des_debug_heap_len(sim), 0);
    assert_false(des_cancel(sim, id)); /* ids from before the reset are dead */
    assert_int_equal(sim->capacity, capacity); /* memory kept */

    /* And the simulation works as new, with times before the old clock. */
    des_schedule(sim, 1.0, 0, record, &log, (void *)&TAG[2]);
    assert_int_equal(des_run_until(sim, 100.0), 1);
    assert_fired(&log, (const int[]){2}, 1);
    assert_int_equal(sim->capacity, capacity);
}

static void test_schedule_returns_zero_and_marks_failed_when_out_of_memory(void **state)
{
    des_sim *sim = *state;
    firing_log log = {0};
    des_debug_limit_capacity(sim, 3);
    for (int i = 0; i < 3; i++) assert_true(des_schedule(sim, 1.0, 0, record, &log, (void *)&TAG[i]) != 0);
    assert_false(des_failed(sim));
    assert_true(des_schedule(sim, 1.0, 0, record, &log, (void *)&TAG[3]) == 0);
    assert_true(des_failed(sim));
    assert_int_equal(des_pending(sim), 3);

    /* A failed simulation does not run. */
    assert_int_equal(des_run_until(sim, 10.0), 0);
    assert_true(des_now(sim) == 0.0);

    /* Reset clears the failure. */
    des_reset(sim);
    assert_false(des_failed(sim));
    assert_true(des_schedule(sim, 1.0, 0, record, &log, (void *)&TAG[0]) != 0);
}

static void test_run_stops_after_the_handler_that_ran_out_of_memory(void **state)
{
    des_sim *sim = *state;
    chain c = {.delay_s = 1.0, .priority = 0, .children = 2, .next_tag = 1, .end_tag = LOG_MAX};
    c.tags[0] = 0;
    des_debug_limit_capacity(sim, 5);
    des_schedule(sim, 0.0, 0, spawn, &c, &c.tags[0]);
    /* Every event schedules two: the list holds 1, 2, then 2, 3, 4, then
     * 3, 4, 5, 6, then 4, 5, 6, 7, 8; event 4 cannot add a sixth. */
    assert_int_equal(des_run_until(sim, 100.0), 5);
    assert_true(des_failed(sim));
    assert_int_equal(c.failed_schedules, 1);
    assert_fired(&c.log, (const int[]){0, 1, 2, 3, 4}, 5);
    assert_true(des_now(sim) == 2.0); /* the event whose handler failed */
    assert_int_equal(des_run_until(sim, 100.0), 0);
}

static void test_sequence_renumbering_keeps_the_order(void **state)
{
    des_sim *sim = *state;
    firing_log log = {0};
    des_debug_set_next_sequence(sim, DES_SEQUENCE_LIMIT - 3);
    des_schedule(sim, 2.0, 0, record, &log, (void *)&TAG[2]);
    des_schedule(sim, 1.0, 1, record, &log, (void *)&TAG[1]);
    des_schedule(sim, 2.0, 0, record, &log, (void *)&TAG[3]);
    /* Sequences ran out here: the next schedule renumbers. */
    des_schedule(sim, 2.0, 0, record, &log, (void *)&TAG[4]);
    des_schedule(sim, 1.0, 0, record, &log, (void *)&TAG[0]);
    des_schedule(sim, 2.0, 0, record, &log, (void *)&TAG[5]);
    des_run_until(sim, 10.0);
    assert_fired(&log, (const int[]){0, 1, 2, 3, 4, 5}, 6);
}

static void test_sequence_renumbering_inside_a_handler_keeps_the_order(void **state)
{
    des_sim *sim = *state;
    chain c = {.delay_s = 0.0, .priority = 0, .children = 1, .next_tag = 3, .end_tag = 20};
    for (int i = 0; i < 3; i++) c.tags[i] = i;
    des_debug_set_next_sequence(sim, DES_SEQUENCE_LIMIT - 3);
    des_schedule(sim, 1.0, 0, spawn, &c, &c.tags[0]);
    des_schedule(sim, 1.0, 0, record, &c.log, &c.tags[1]);
    des_schedule(sim, 1.0, 0, record, &c.log, &c.tags[2]);
    des_run_until(sim, 1.0);
    assert_int_equal(c.log.count, 20);
    for (size_t i = 0; i < c.log.count; i++) assert_int_equal(c.log.tags[i], (int)i);
}

#ifndef NDEBUG
/* Runs f(sim) in a child process; true when it died of SIGABRT (an assert). */
static bool aborts(void (*f)(des_sim *), des_sim *sim)
{
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        /* Silence the assert's message in the child. */
        if (!freopen("/dev/null", "w", stderr)) _exit(2);
        f(sim);
        _exit(0);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

static void noop(des_sim *sim, void *subject, void *object) { (void)sim, (void)subject, (void)object; }

static void schedule_before_now(des_sim *sim) { des_schedule(sim, 4.0, 0, noop, NULL, NULL); }
static void schedule_at_nan(des_sim *sim) { des_schedule(sim, NAN, 0, noop, NULL, NULL); }
static void schedule_bad_priority(des_sim *sim) { des_schedule(sim, 9.0, DES_PRIORITY_MAX + 1, noop, NULL, NULL); }
static void run_backwards(des_sim *sim) { des_run_until(sim, 1.0); }

static void test_scheduling_in_the_past_asserts(void **state)
{
    des_sim *sim = *state;
    des_run_until(sim, 5.0);
    assert_true(aborts(schedule_before_now, sim));
    assert_true(aborts(schedule_at_nan, sim));
    assert_true(aborts(schedule_bad_priority, sim));
    assert_true(aborts(run_backwards, sim));
}
#endif

/* ------------------------------------------------------------------------ */
/* Randomized: the kernel against a sorted-list reference                    */

/* The reference: pending events in a plain array, the next one found by a
 * linear scan for the least (time, priority, sequence). */
typedef struct ref_event {
    double time_s;
    int priority;
    uint64_t sequence;
    int tag;
} ref_event;

enum { MAX_TAGS = 20000, REF_MAX = 4096 };

typedef struct world {
    des_sim *sim;
    uint64_t seed;
    uint64_t rng;
    uint64_t step;
    ref_event ref[REF_MAX];
    size_t ref_count;
    uint64_t ref_sequence;
    double ref_now_s;
    bool ref_stop;
    des_event_id ids[MAX_TAGS];
    int tags[MAX_TAGS];
    int next_tag;
    uint64_t fired;
} world;

#define CHECK(w, cond)                                                                     \
    do {                                                                                   \
        if (!(cond))                                                                       \
            fail_msg("%s:%d: %s  (seed %llu, step %llu; rerun with DES_TEST_SEED=%llu)", \
                     __FILE__, __LINE__, #cond, (unsigned long long)(w)->seed,             \
                     (unsigned long long)(w)->step, (unsigned long long)(w)->seed);        \
    } while (0)

/* splitmix64: a small, good generator for test decisions. */
static uint64_t next_random(world *w)
{
    uint64_t z = (w->rng += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static unsigned below(world *w, unsigned n) { return (unsigned)(next_random(w) % n); }

/* A delay that often collides with other events' times: a multiple of 0.25,
 * sometimes exactly 0, sometimes a continuous value. */
static double random_delay(world *w)
{
    switch (below(w, 4)) {
    case 0: return 0.0;
    case 1: return (double)(next_random(w) >> 11) * 0x1.0p-53 * 10.0;
    default: return 0.25 * below(w, 40);
    }
}

static bool ref_before(const ref_event *a, const ref_event *b)
{
    if (a->time_s != b->time_s) return a->time_s < b->time_s;
    if (a->priority != b->priority) return a->priority < b->priority;
    return a->sequence < b->sequence;
}

static size_t ref_min(const world *w)
{
    size_t best = 0;
    for (size_t i = 1; i < w->ref_count; i++)
        if (ref_before(&w->ref[i], &w->ref[best])) best = i;
    return best;
}

static bool ref_remove_tag(world *w, int tag)
{
    for (size_t i = 0; i < w->ref_count; i++) {
        if (w->ref[i].tag == tag) {
            w->ref[i] = w->ref[--w->ref_count];
            return true;
        }
    }
    return false;
}

static void random_handler(des_sim *sim, void *subject, void *object);

static void schedule_both(world *w, double at_s, int priority)
{
    if (w->next_tag >= MAX_TAGS || w->ref_count >= REF_MAX) return;
    int tag = w->next_tag++;
    w->tags[tag] = tag;
    w->ids[tag] = des_schedule(w->sim, at_s, priority, random_handler, w, &w->tags[tag]);
    CHECK(w, w->ids[tag] != 0);
    w->ref[w->ref_count++] = (ref_event){at_s, priority, w->ref_sequence++, tag};
}

static void cancel_both(world *w)
{
    if (w->next_tag == 0) return;
    int tag = (int)below(w, (unsigned)w->next_tag);
    bool kernel = des_cancel(w->sim, w->ids[tag]);
    bool reference = ref_remove_tag(w, tag);
    CHECK(w, kernel == reference);
}

/* Fires in the kernel; checks that the reference fires the same event now,
 * then does what the random stream says, to both. */
static void random_handler(des_sim *sim, void *subject, void *object)
{
    world *w = subject;
    int tag = *(const int *)object;
    w->step++;
    CHECK(w, w->ref_count > 0);
    size_t i = ref_min(w);
    CHECK(w, w->ref[i].tag == tag);
    CHECK(w, w->ref[i].time_s == des_now(sim));
    w->ref_now_s = w->ref[i].time_s;
    w->ref[i] = w->ref[--w->ref_count];
    w->fired++;
    CHECK(w, des_pending(sim) == w->ref_count);

    unsigned r = below(w, 100);
    unsigned children = r < 35 ? 0 : r < 75 ? 1 : 2; /* 0.9 on average: chains die out */
    for (unsigned k = 0; k < children; k++)
        schedule_both(w, des_now(sim) + random_delay(w), (int)below(w, 3));
    if (below(w, 8) == 0) cancel_both(w);
    if (below(w, 200) == 0) {
        des_stop(sim);
        w->ref_stop = true;
    }
}

/* Starts with `initial` events pending, then does `operations` random
 * operations (schedule, cancel, run for a while), then drains. */
static void run_random_world(uint64_t seed, int initial, int operations)
{
    world *w = calloc(1, sizeof *w);
    assert_non_null(w);
    w->sim = des_create();
    assert_non_null(w->sim);
    w->seed = w->rng = seed;

    for (int i = 0; i < initial; i++)
        schedule_both(w, random_delay(w) * 100.0, (int)below(w, 3));

    for (int op = 0; op < operations; op++) {
        w->step++;
        unsigned what = below(w, 10);
        if (what < 5) {
            schedule_both(w, w->ref_now_s + random_delay(w), (int)below(w, 3));
        } else if (what < 7) {
            cancel_both(w);
        } else {
            double until_s = w->ref_now_s + (below(w, 2) ? 0.25 * below(w, 12) : random_delay(w));
            w->ref_stop = false;
            uint64_t before = w->fired;
            uint64_t fired = des_run_until(w->sim, until_s);
            CHECK(w, fired == w->fired - before);
            if (w->ref_stop) {
                CHECK(w, des_now(w->sim) == w->ref_now_s);
            } else {
                /* Everything due fired, nothing else did. */
                CHECK(w, w->ref_count == 0 || w->ref[ref_min(w)].time_s > until_s);
                CHECK(w, des_now(w->sim) == until_s);
                w->ref_now_s = until_s;
            }
        }
        CHECK(w, des_pending(w->sim) == w->ref_count);
    }
    /* Drain. */
    while (w->ref_count > 0) {
        w->ref_stop = false;
        des_run_until(w->sim, INFINITY);
    }
    CHECK(w, des_pending(w->sim) == 0);
    CHECK(w, !des_failed(w->sim));
    des_destroy(w->sim);
    free(w);
}

static void test_firing_order_matches_sorted_reference_randomized(void **state)
{
    (void)state;
    const char *env = getenv("DES_TEST_SEED");
    if (env) {
        run_random_world(strtoull(env, NULL, 10), 0, 20000);
        return;
    }
    for (uint64_t seed = 1; seed <= 40; seed++) run_random_world(seed * 7919, 0, 3000);
}

/* The same with a few thousand events pending: a deeper heap, where most
 * entries sit far below the root. */
static void test_firing_order_matches_sorted_reference_with_a_deep_heap(void **state)
{
    (void)state;
    const char *env = getenv("DES_TEST_SEED");
    if (env) {
        run_random_world(strtoull(env, NULL, 10), 3000, 20000);
        return;
    }
    for (uint64_t seed = 1; seed <= 3; seed++) run_random_world(seed * 104729, 3000, 5000);
}

/* ------------------------------------------------------------------------ */

#define SIM_TEST(f) cmocka_unit_test_setup_teardown(f, setup_sim, teardown_sim)

int main(void)
{
    const struct CMUnitTest tests[] = {
        SIM_TEST(test_events_fire_in_time_order),
        SIM_TEST(test_earlier_time_fires_first_whatever_the_priority),
        SIM_TEST(test_equal_times_fire_in_priority_then_schedule_order),
        SIM_TEST(test_many_simultaneous_events_fire_in_schedule_order),
        SIM_TEST(test_negative_zero_time_is_time_zero),
        SIM_TEST(test_event_at_infinity_fires_only_when_running_to_infinity),
        SIM_TEST(test_clock_is_event_time_inside_handler),
        SIM_TEST(test_clock_starts_at_zero_with_nothing_pending),
        SIM_TEST(test_run_until_fires_events_at_until_and_sets_clock),
        SIM_TEST(test_run_until_with_nothing_due_only_moves_the_clock),
        SIM_TEST(test_stop_returns_after_current_event),
        SIM_TEST(test_stop_from_the_last_due_event_leaves_clock_at_that_event),
        SIM_TEST(test_scheduling_at_now_fires_in_same_run_after_queued_events),
        SIM_TEST(test_scheduling_at_now_with_more_urgent_priority_fires_next),
        SIM_TEST(test_handler_may_schedule_several_events),
        SIM_TEST(test_handler_gets_its_subject_and_object),
        SIM_TEST(test_cancelled_event_never_fires),
        SIM_TEST(test_cancel_twice_returns_false),
        SIM_TEST(test_cancel_after_fire_returns_false),
        SIM_TEST(test_cancel_of_an_id_never_issued_returns_false),
        SIM_TEST(test_ids_are_never_zero_and_distinct),
        SIM_TEST(test_slot_reuse_does_not_resurrect_old_ids),
        SIM_TEST(test_handler_cancelling_itself_returns_false),
        SIM_TEST(test_handler_cancelling_another_event_at_same_time_prevents_it),
        SIM_TEST(test_handler_cancelling_then_scheduling_keeps_order),
        SIM_TEST(test_pending_counts_live_events),
        SIM_TEST(test_pending_inside_handler_excludes_the_firing_event),
        SIM_TEST(test_many_cancellations_do_not_grow_the_heap),
        SIM_TEST(test_reset_empties_and_rewinds),
        SIM_TEST(test_schedule_returns_zero_and_marks_failed_when_out_of_memory),
        SIM_TEST(test_run_stops_after_the_handler_that_ran_out_of_memory),
        SIM_TEST(test_sequence_renumbering_keeps_the_order),
        SIM_TEST(test_sequence_renumbering_inside_a_handler_keeps_the_order),
#ifndef NDEBUG
        SIM_TEST(test_scheduling_in_the_past_asserts),
#endif
        cmocka_unit_test(test_firing_order_matches_sorted_reference_randomized),
        cmocka_unit_test(test_firing_order_matches_sorted_reference_with_a_deep_heap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
