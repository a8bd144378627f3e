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
 * The calendar in front of the heap
 * ---------------------------------
 *
 * Up to DES_CALENDAR_FROM (64) entries, the heap holds every entry ("heap
 * mode"); drsim's scenarios nearly always stay there (a trial has 10 to
 * 70 events pending).  From 64 entries on, a 4-ary heap of n entries costs about
 * log4(n) dependent levels per event, and a calendar does better: the heap
 * keeps only the near future, and the rest waits unsorted in buckets.
 *
 *     heap      entries with d(t) < next_bucket        (ordered: a heap)
 *     buckets   bucket b: entries with b <= d(t) < b+1, for next_bucket <= b
 *               < bucket_count; singly linked lists, in any order
 *     top       entries with d(t) >= bucket_count: the far future, one list
 *
 *     d(t) = (t - rung_start_s) * rung_scale         (a "rung", as in the
 *                                                    ladder queue)
 *
 * d is monotone in t (a rounded subtraction, then a rounded product by a
 * positive constant), so heap < buckets in order < top holds in the full
 * (time, priority, sequence) order: an entry can never be placed after a
 * later one.  Equal times get equal d and land together, and the heap
 * orders them by key.  So the firing order, and every result, is the one
 * the heap alone gives; only the cost changes.
 *
 * When the heap empties, des_run_until() moves the next non-empty bucket
 * into it (a bitmap, one bit per bucket, finds it) and sets next_bucket
 * past it.  When the buckets run out, top is spread over a new rung: as
 * many buckets as DES_BUCKETS_PER_ENTRY (64) per entry, between top's least
 * and greatest finite times.  So each entry is moved O(1) times, and with
 * 64 buckets per entry most buckets hold zero or one entry: the heap holds
 * one or two entries, and firing an event costs a few loads, not a sift.
 * A bucket holding many entries (many events at one instant, or a skewed
 * spread) simply makes a bigger heap, which sorts them as before: the worst
 * case is the heap's, O(log n).
 *
 * Parked entries (in a bucket or in top) live in parked[slot], 16 bytes per
 * slot; the slot bits of a parked key, which would repeat the slot's own
 * index, link to the next slot in the list instead (0 ends it).
 *
 * Back to heap mode.  A rung is built only from DES_CALENDAR_MIN (32)
 * entries or more, spread over more than one instant; otherwise top goes
 * into the heap and the kernel is in heap mode again.  If the heap then has
 * 64 entries or more that would not spread (all at one time), the next try
 * waits for 64, 128, 256, ... more schedules, so a model whose events keep
 * coinciding costs at most a constant factor more than the heap.
 *
 * Cancelling a parked entry.  An entry at the head of its list (a timeout
 * armed and cancelled before anything else lands in its bucket) is unlinked
 * at once, its slot freed.  Any other stays dead in its list until its
 * bucket is moved into the heap (dead entries are dropped there) or until
 * compaction, which filters the heap and every list in place.
 *
 * Measured with tests/bench/bench_hold (its `table` line: the kernel and a
 * table read; best of 4 runs, 2026-11-26, the 2-core KVM Xeon of
 * docs/performance.md):
 *   - ns per event at 100 / 1000 / 10,000 pending: the 4-ary heap alone
 *     34 / 45 / 79, the calendar 27 / 26 / 33;
 *   - 4, 8, 16, 32, 64, 128 buckets per entry, 1000 pending: 43, 41, 33,
 *     29, 26, 26 ns; 64 costs 256 bytes of heads per entry at a rung's
 *     build (256 KiB for 1000 entries), allocated only past 64 pending;
 *   - a calendar from 16 pending: 33 ns against the heap's 31 at 16, 31
 *     against 35 at 32; drsim's scenarios showed no difference beyond the
 *     noise with it (4% fewer instructions, the same times: the kernel is
 *     about a tenth of their work), so they keep heap mode up to 64;
 *   - schedule + cancel of a near event, 1000 pending: 11-17 ns, against
 *     25 ns for the heap (a cancelled list head leaves at once).
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
 *     ("dead") entry still in the heap or parked; dead_count counts the
 *     latter.
 *  2. Every entry (heap_len in the heap, parked_count parked) names a
 *     distinct slot, and the pending events are heap_len + parked_count -
 *     dead_count of them, except while a handler runs with firing_root set:
 *     then heap[0] is the event being fired, its slot already freed, and
 *     one fewer is pending.
 *  3. heap, slots, parked and free_slots all have `capacity` elements;
 *     slots handed out (1 .. slots_used-1) >= entries (bar the firing
 *     root), so a free slot always means room in the heap, even for every
 *     parked entry at once.
 *  4. next_sequence <= 2^32.  When it reaches 2^32 (4 billion schedules
 *     without a reset) every entry goes back into the heap (heap mode) and
 *     the heap is sorted — a sorted array is a valid heap —
 *     and sequences are renumbered 0..n-1 in that order, which keeps every
 *     relative order; it costs O(n log n) once per 4 billion schedules.
 *  5. dead_count <= max(DES_COMPACT_MIN_DEAD, entries / 2): beyond that the
 *     heap and the lists are rebuilt without their dead entries (O(n),
 *     amortised O(1) per cancel), so a model that keeps cancelling
 *     far-future timeouts cannot grow them without bound.
 *  6. With `calendar` false, parked_count is 0 and the rung is empty.  With
 *     it true, every entry is where d(t) says (see the calendar above), the
 *     buckets below next_bucket are empty, and a bucket's head is valid
 *     only while its bit in bucket_bits is set.
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
 * With the calendar on, most handlers' schedules go to a bucket and the
 * fired root is simply popped (from a heap of one or two) after the handler
 * returns; the fused path still serves an event scheduled into the heap.
 *
 * Prefetching the next entry.  When the root being fired is alone in the
 * heap, des_run_until() moves the next bucket's entry (when the bucket
 * holds exactly one) into heap[1] before calling the handler, instead of
 * refilling after it.  The result is the same (the root is before every
 * other entry, so root + one child is a heap, and next_bucket moves past
 * the bucket so that what the handler schedules before that entry goes to
 * the heap).  What changes is the processor's view: the refill's loads
 * (bit map word, bucket head, parked entry) come before the handler's
 * stores in program order, so they no longer wait for the handler to draw
 * its new event's time and store it into the same bit map words.  Measured
 * (tests/bench/bench_updown, best of 3, 2026-11-26): 15-20% more events
 * per second on the up/down model, about 5% on the hold model.  A bucket
 * of several entries, or a rung used up, waits for refill_heap() as
 * before; a cancelled entry may be prefetched and is dropped at the root.
 *
 * Limits.  At most 2^24 - 1 events scheduled and not yet popped at once
 * (16.7 million, about 1.1 GiB of heap, slots and parked entries); beyond
 * that des_schedule() behaves as on allocation failure.  A rung has at most
 * DES_MAX_BUCKETS buckets (16 MiB of heads); when the buckets cannot be
 * allocated the kernel stays in heap mode, which is always correct.
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
/* The calendar's tuning (see above); tests may build with others. */
#ifndef DES_CALENDAR_FROM
#define DES_CALENDAR_FROM 64     /* heap entries at which a calendar is started */
#endif
#define DES_CALENDAR_MIN (DES_CALENDAR_FROM / 2) /* a rung needs at least this many */
#ifndef DES_BUCKETS_PER_ENTRY
#define DES_BUCKETS_PER_ENTRY 64
#endif
#define DES_MAX_BUCKETS ((size_t)1 << 22) /* 16 MiB of list heads */

typedef struct des_entry {
    uint64_t time_bits; /* the event time's IEEE-754 bits; see above */
    uint64_t key;       /* priority:8 | sequence:32 | slot:24 */
} des_entry;

typedef struct des_slot {
    des_handler *handler; /* NULL: free, or cancelled and still in the heap or parked */
    void *subject;
    void *object;
    uint64_t generation;  /* tenancies so far; ids carry its low 40 bits */
} des_slot;

struct des_sim {
    des_clock clock;      /* first: des_now() (des.h) reads it inline */
    des_entry *heap;      /* heap[0] is the earliest entry */
    size_t heap_len;
    des_slot *slots;
    des_entry *parked;    /* [capacity]: slot s's entry while it waits in a bucket
                           * or in top; its slot bits link to the next slot */
    uint32_t *free_slots; /* stack of free slot indices below slots_used */
    size_t free_count;
    size_t slots_used;    /* slots[1 .. slots_used) have been handed out */
    size_t capacity;      /* of heap, slots and free_slots alike */
    size_t slot_limit;    /* slots_used <= this: DES_MAX_EVENTS + 1, lower in tests */
    size_t dead_count;
    uint64_t next_sequence;
    bool running;         /* inside des_run_until() */
    bool firing_root;     /* heap[0] is the event being fired: see above */
    bool stop_requested;  /* des_stop() was called */
    bool failed;          /* an allocation failed: see des.h */

    /* The calendar (see above).  Unused while `calendar` is false. */
    bool calendar;        /* false: every entry is in the heap */
    uint32_t *buckets;    /* [bucket_capacity] list heads, valid where the bit is set */
    uint64_t *bucket_bits; /* [bucket_capacity / 64] which buckets hold a list */
    size_t bucket_capacity;
    size_t bucket_count;  /* buckets of the current rung */
    size_t next_bucket;   /* buckets below it are empty, their times in the heap */
    double next_bucket_d; /* the same two as doubles, for the routing compares */
    double bucket_count_d;
    double rung_start_s;  /* position d(t) = (t - rung_start_s) * rung_scale */
    double rung_scale;
    uint32_t top_head;    /* list of entries with d(t) >= bucket_count */
    size_t top_count;
    double top_min_s;     /* least time in top; greatest finite time in top */
    double top_max_s;
    size_t parked_count;  /* entries in buckets and top, dead ones included */
    uint64_t calendar_retry_at; /* heap mode: try a calendar again once
                                 * next_sequence reaches this */
    uint64_t calendar_retry_gap;
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
