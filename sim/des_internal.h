/*
 * des_internal.h — how the event kernel (sim/des.c) is built.  Only des.c
 * and tests/test_des.c include this; models see include/des.h alone.
 *
 * Two arrays
 * ----------
 *
 *     heap   (4-ary min-heap of 16-byte entries, ordered as (time, key))
 *     +---------------+---------------+---------------+----
 *     | time | key    | time | key    | time | key    | ...
 *     +---------------+---------------+---------------+----
 *              |
 *              |  key = priority:8 | sequence:32 | slot:24   (high to low bits)
 *              v
 *     slots  (one per scheduled-and-not-yet-popped event, 32 bytes each)
 *     +-------------------------------------------+----
 *     | handler | subject | object | generation   | ...
 *     +-------------------------------------------+----
 *
 * The heap holds only what the comparisons read, so a sift touches 16 bytes
 * per entry and four siblings share a 64-byte cache line or two.  The
 * handler and its arguments live in the slot and are read once, when the
 * event fires.
 *
 * The ordering key.  `time_bits` is the IEEE-754 bit pattern of the event
 * time.  For doubles >= +0.0 (all event times are: they are >= the clock,
 * which starts at 0) the bit pattern, read as an unsigned integer, orders
 * exactly like the double, +inf included; -0.0 is turned into +0.0 on entry.
 * So the whole order (time, priority, sequence) is one 128-bit unsigned
 * comparison of (time_bits, key).  The slot index in the low bits never
 * decides anything: sequences are unique, so two keys differ above them.
 * The hot loop (choosing the smallest of four children) compares the 64-bit
 * times alone and redoes the choice with the full order when two of the
 * compared times are equal; see smallest_of_four() in des.c.
 *
 * Why a 4-ary heap.  Half the depth of a binary heap, four children side by
 * side.  Sifting is latency-bound (each level's loads wait for the previous
 * level's choice) and, at 1000 events, bound by instruction count too, so a
 * level does as little as it can.  Measured on the 1000-event hold model
 * (heap alone, 2026-11, a 2-core KVM Xeon; each against this design):
 *   - binary heap, time-only compares: about 25% slower (twice the levels);
 *   - branch-free 128-bit compares with masked selects: about 10% slower
 *     (15% more instructions; no gain from losing the tie test);
 *   - recording the path and placing e without branches, also over
 *     sentinel-padded levels at a fixed depth: no clear gain, more code;
 *   - times and keys in separate arrays (child times in 32 aligned bytes):
 *     within 2-3% in the kernel, not worth the aligned reallocation;
 *   - a radix heap on the time bits: about 20% slower at this size;
 *   - sifting after the handler returns instead of inside des_schedule():
 *     no gain.
 *
 * Ids.  des_event_id = generation << 24 | slot, with the generation's low
 * 40 bits.  A slot's generation goes up each time the event in it fires or
 * is cancelled, so an old id does not match the slot's next tenants (until
 * the same slot has been reused 2^40 times).  Slot 0 is never used, so no
 * id is 0.
 *
 * Invariants (outside des.c's own functions)
 *  1. A slot with handler != NULL holds a pending event.  A slot with
 *     handler == NULL is on the free stack, or is the slot of a cancelled
 *     ("dead") entry still in the heap; dead_count counts the latter.
 *  2. Every heap entry names a distinct slot, and the pending events are
 *     heap_len - dead_count of them, except while a handler runs with
 *     firing_root set: then heap[0] is the event being fired, its slot
 *     already freed, and one fewer is pending.
 *  3. heap, slots and free_slots all have `capacity` elements; slots handed
 *     out (1 .. slots_used-1) >= entries in the heap (bar the firing root),
 *     so a free slot always means room in the heap.
 *  4. next_sequence <= 2^32.  When it reaches 2^32 (4 billion schedules
 *     without a reset) the heap is sorted — a sorted array is a valid heap —
 *     and sequences are renumbered 0..n-1 in that order, which keeps every
 *     relative order; it costs O(n log n) once per 4 billion schedules.
 *  5. dead_count <= max(DES_COMPACT_MIN_DEAD, heap_len / 2): beyond that the
 *     heap is rebuilt without its dead entries (O(n), amortised O(1) per
 *     cancel), so a model that keeps cancelling far-future timeouts cannot
 *     grow the heap without bound.
 *
 * Firing, and the fused pop-and-push
 * ----------------------------------
 * des_run_until() does not pop the event it fires.  It copies the handler
 * and arguments out of the slot, frees the slot (so cancelling the firing
 * event returns false, and the handler's first schedule reuses the slot
 * while it is in cache), sets firing_root and calls the handler.  The first
 * des_schedule() inside the handler then overwrites heap[0] with the new
 * entry and sifts it down once — one sift instead of a pop's sift-down plus
 * a push's sift-up.  In the hold model and in models where each state change
 * schedules the next one, that is every event.  If the handler schedules
 * nothing, des_run_until() pops heap[0] after it returns.  Anything that
 * rearranges the whole heap (compaction, renumbering) first pops a firing
 * root, so heap[0] is never mistaken for a dead entry.
 *
 * Limits.  At most 2^24 - 1 events scheduled and not yet popped at once
 * (16.7 million, about 870 MiB of heap and slots); beyond that des_schedule()
 * behaves as on allocation failure.
 */
#ifndef DRSIM_DES_INTERNAL_H
#define DRSIM_DES_INTERNAL_H

#include "des.h"

#define DES_SLOT_BITS 24
#define DES_SLOT_MASK ((UINT64_C(1) << DES_SLOT_BITS) - 1)
#define DES_SEQUENCE_BITS 32
#define DES_SEQUENCE_LIMIT (UINT64_C(1) << DES_SEQUENCE_BITS)
#define DES_GENERATION_BITS (64 - DES_SLOT_BITS)
#define DES_GENERATION_MASK ((UINT64_C(1) << DES_GENERATION_BITS) - 1)
#define DES_MAX_EVENTS ((size_t)DES_SLOT_MASK) /* slots 1 .. 2^24-1 */
#define DES_INITIAL_CAPACITY 64
#define DES_COMPACT_MIN_DEAD 64

typedef struct des_entry {
    uint64_t time_bits; /* the event time's IEEE-754 bits; see above */
    uint64_t key;       /* priority:8 | sequence:32 | slot:24 */
} des_entry;

typedef struct des_slot {
    des_handler *handler; /* NULL: free, or cancelled and still in the heap */
    void *subject;
    void *object;
    uint64_t generation;  /* tenancies so far; ids carry its low 40 bits */
} des_slot;

struct des_sim {
    des_entry *heap;      /* heap[0] is the earliest entry */
    size_t heap_len;
    des_slot *slots;
    uint32_t *free_slots; /* stack of free slot indices below slots_used */
    size_t free_count;
    size_t slots_used;    /* slots[1 .. slots_used) have been handed out */
    size_t capacity;      /* of heap, slots and free_slots alike */
    size_t slot_limit;    /* slots_used <= this: DES_MAX_EVENTS + 1, lower in tests */
    size_t dead_count;
    uint64_t next_sequence;
    double now_s;
    bool running;         /* inside des_run_until() */
    bool firing_root;     /* heap[0] is the event being fired: see above */
    bool stop_requested;  /* des_stop() was called */
    bool failed;          /* an allocation failed: see des.h */
};

/* Test hooks: none is needed by a model. */

/* More than max_events events scheduled and not yet popped acts as an
 * allocation failure, so tests reach the out-of-memory paths for sure. */
void des_debug_limit_capacity(des_sim *sim, size_t max_events);

/* Sets the next scheduling sequence number (<= 2^32), so tests can reach the
 * renumbering that happens when sequences run out. */
void des_debug_set_next_sequence(des_sim *sim, uint64_t sequence);

/* Entries in the heap, pending and cancelled alike (to test compaction). */
size_t des_debug_heap_len(const des_sim *sim);

#endif
