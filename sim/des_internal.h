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
 * per entry and four siblings share one 64-byte cache line.  The handler and
 * its arguments live in the slot and are read once, when the event fires.
 *
 * The ordering key.  `time_bits` is the IEEE-754 bit pattern of the event
 * time.  For doubles >= +0.0 (all event times are: they are >= the clock,
 * which starts at 0) the bit pattern, read as an unsigned integer, orders
 * exactly like the double, +inf included; -0.0 is turned into +0.0 on entry.
 * So the whole order (time, priority, sequence) is one 128-bit unsigned
 * comparison of (time_bits, key), which compiles to cmp/sbb without branches.
 * The slot index in the low bits never decides anything: sequences are
 * unique, so two keys differ above the slot bits.
 *
 * Ids.  des_event_id = generation << 24 | slot.  A slot's generation goes up
 * each time the event in it fires or is cancelled, so an old id never matches
 * the slot's next tenant (generations are 40 bits and skip 0, so no id is 0).
 *
 * Invariants (outside des.c's own functions)
 *  1. A slot with handler != NULL holds a pending event; its id is
 *     generation << 24 | index.  A slot with handler == NULL is either on the
 *     free stack or is the slot of a cancelled ("dead") entry still in the
 *     heap; dead_count counts the latter.
 *  2. Every heap entry names a distinct slot, and
 *     heap_len == pending_count + dead_count, except while a handler runs
 *     with firing_root set: then heap[0] is the event being fired, its slot
 *     already freed, and heap_len == pending_count + dead_count + 1.
 *  3. slot_capacity == heap_capacity; slots handed out == heap_len (minus the
 *     firing root), so a free slot always means room in the heap.
 *  4. next_sequence < 2^32.  When it would reach 2^32 (4 billion schedules
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
 * event returns false), sets firing_root and calls the handler.  The first
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
#define DES_MAX_EVENTS ((size_t)DES_SLOT_MASK) /* slot indices 0 .. 2^24-2 */
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
    uint64_t generation; /* 1 .. 2^40-1 */
} des_slot;

struct des_sim {
    des_entry *heap;      /* heap[0] is the earliest entry */
    size_t heap_len;
    des_slot *slots;
    uint32_t *free_slots; /* stack of free slot indices below slots_used */
    size_t free_count;
    size_t slots_used;    /* slots[0 .. slots_used) have been handed out */
    size_t capacity;      /* of heap, slots and free_slots alike */
    size_t capacity_limit; /* DES_MAX_EVENTS, or lower for tests */
    size_t pending_count;
    size_t dead_count;
    uint64_t next_sequence;
    double now_s;
    bool running;     /* inside des_run_until() */
    bool firing_root;
    bool stop_requested;
    bool failed;
};

/* Test hooks: none is needed by a model. */

/* Growth beyond max_events events acts as an allocation failure, so tests
 * can reach the out-of-memory paths deterministically. */
void des_debug_limit_capacity(des_sim *sim, size_t max_events);

/* Sets the next scheduling sequence number (< 2^32), so tests can reach the
 * renumbering that happens when sequences run out. */
void des_debug_set_next_sequence(des_sim *sim, uint64_t sequence);

/* Entries in the heap, pending and cancelled alike (to test compaction). */
size_t des_debug_heap_len(const des_sim *sim);

#endif
