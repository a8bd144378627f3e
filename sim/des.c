/*
 * des.c — the discrete-event kernel.  The contract is include/des.h; the
 * layout, invariants and the reasons for them are in sim/des_internal.h.
 */
#include "des_internal.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A 4-ary heap: half the depth of a binary heap, and the four children of
 * a node are adjacent (64 bytes); see des_internal.h for why. */
#define ARITY 4

/* For what runs rarely (growing, rebuilding, compacting), so that the hot
 * paths keep their registers. */
#define COLD __attribute__((noinline, cold))

static inline size_t parent_of(size_t i) { return (i - 1) / ARITY; }
static inline size_t first_child_of(size_t i) { return ARITY * i + 1; }

/* ------------------------------------------------------------------------ */
/* Keys                                                                      */

static inline uint64_t time_to_bits(double t)
{
    uint64_t bits;
    t += 0.0; /* -0.0 becomes +0.0, whose bits order correctly */
    memcpy(&bits, &t, sizeof bits);
    return bits;
}

static inline double bits_to_time(uint64_t bits)
{
    double t;
    memcpy(&t, &bits, sizeof t);
    return t;
}

static inline uint64_t make_key(int priority, uint64_t sequence, uint32_t slot)
{
    return (uint64_t)priority << (DES_SEQUENCE_BITS + DES_SLOT_BITS)
           | sequence << DES_SLOT_BITS | slot;
}

static inline uint32_t key_slot(uint64_t key) { return (uint32_t)(key & DES_SLOT_MASK); }

/* true when a fires before b: (time_bits, key) compared as one 128-bit
 * number (see des_internal.h). */
static inline bool entry_before(des_entry a, des_entry b)
{
    return a.time_bits < b.time_bits || (a.time_bits == b.time_bits && a.key < b.key);
}

/* The shift keeps the generation's low DES_GENERATION_BITS bits. */
static inline des_event_id make_id(uint64_t generation, uint32_t slot)
{
    return generation << DES_SLOT_BITS | slot;
}

/* ------------------------------------------------------------------------ */
/* The heap                                                                  */

/* The earliest of the children heap[first .. end) (at most ARITY of them)
 * in the full (time, key) order. */
static size_t smallest_child_exact(const des_entry *heap, size_t first, size_t end)
{
    size_t best = first;
    for (size_t j = first + 1; j < end; j++)
        if (entry_before(heap[j], heap[best])) best = j;
    return best;
}

/* The earliest of the four children heap[c .. c+3].  This is the kernel's
 * hot spot: a 1000-event hold model spends half its time here, so it is
 * written for the processor.
 *
 *  - It compares times only, one 64-bit compare each, and falls back to the
 *    full order when two compared times are equal (a branch that is almost
 *    never taken where times are continuous, and always handled right).
 *  - It plays a tournament: (0 vs 1) and (2 vs 3) independently, then the
 *    winners; and it picks the index with a mask, not a branch, because each
 *    outcome is a coin toss the branch predictor would miss half the time
 *    (compilers turn a plain ?: on the index into such a branch). */
static inline size_t smallest_of_four(const des_entry *heap, size_t c)
{
    uint64_t t0 = heap[c].time_bits, t1 = heap[c + 1].time_bits;
    uint64_t t2 = heap[c + 2].time_bits, t3 = heap[c + 3].time_bits;
    size_t pick01 = t1 < t0, pick23 = 2 + (t3 < t2);
    uint64_t min01 = t1 < t0 ? t1 : t0, min23 = t3 < t2 ? t3 : t2;
    size_t mask = (size_t)0 - (size_t)(min23 < min01);
    if ((t0 == t1) | (t2 == t3) | (min01 == min23))
        return smallest_child_exact(heap, c, c + ARITY);
    return c + (pick01 ^ ((pick01 ^ pick23) & mask));
}

/* Puts e into the hole at node i of a heap of n entries (the subtrees below
 * i are heaps), moving it towards the leaves as far as it belongs.
 *
 * Bottom-up (Floyd): walk the hole down the path of smallest children to a
 * leaf without comparing against e, then move e up from there.  A top-down
 * sift would compare e at every level and leave the loop at an unpredictable
 * level; an entry put at the root (the fused pop-and-push, a pop) usually
 * belongs near the leaves, where most nodes are, so the walk back up is
 * short — in the hold model, zero or one step. */
static inline void sift_down(des_entry *heap, size_t n, size_t i, des_entry e)
{
    size_t top = i;
    size_t c;
    while ((c = first_child_of(i)) + ARITY <= n) {
        size_t best = smallest_of_four(heap, c);
        heap[i] = heap[best];
        i = best;
    }
    if (c < n) { /* the last parent, with fewer than four children */
        size_t best = smallest_child_exact(heap, c, n);
        heap[i] = heap[best];
        i = best;
    }
    while (i > top) {
        size_t p = parent_of(i);
        if (!entry_before(e, heap[p])) break;
        heap[i] = heap[p];
        i = p;
    }
    heap[i] = e;
}

/* Puts e at hole i, moving it towards the root as far as it belongs.  A new
 * event usually belongs near the leaves, so this loop is short. */
static inline void sift_up(des_entry *heap, size_t i, des_entry e)
{
    while (i > 0) {
        size_t p = parent_of(i);
        if (!entry_before(e, heap[p])) break;
        heap[i] = heap[p];
        i = p;
    }
    heap[i] = e;
}

static void heap_pop(des_sim *sim)
{
    size_t n = --sim->heap_len;
    if (n > 0) sift_down(sim->heap, n, 0, sim->heap[n]);
}

/* Restores heap order over the whole array in O(n). */
static void heapify(des_entry *heap, size_t n)
{
    if (n < 2) return;
    for (size_t i = parent_of(n - 1) + 1; i-- > 0;)
        sift_down(heap, n, i, heap[i]);
}

/* ------------------------------------------------------------------------ */
/* Slots                                                                     */

static inline void free_slot(des_sim *sim, uint32_t slot)
{
    sim->free_slots[sim->free_count++] = slot;
}

/* Ends the tenancy of the event in slot s: its id stops working. */
static inline void retire_slot(des_slot *s)
{
    s->handler = NULL;
    s->generation++;
}

/* Grows heap, slots and the free stack together to new_capacity.
 * On failure returns false and leaves everything as it was. */
static bool grow(des_sim *sim, size_t new_capacity)
{
    if (new_capacity > sim->slot_limit) new_capacity = sim->slot_limit;
    if (new_capacity <= sim->capacity) return false;

    des_entry *heap = realloc(sim->heap, new_capacity * sizeof *heap);
    if (!heap) return false;
    sim->heap = heap;
    des_slot *slots = realloc(sim->slots, new_capacity * sizeof *slots);
    if (!slots) return false;
    sim->slots = slots;
    uint32_t *free_slots = realloc(sim->free_slots, new_capacity * sizeof *free_slots);
    if (!free_slots) return false;
    sim->free_slots = free_slots;
    des_entry *parked = realloc(sim->parked, new_capacity * sizeof *parked);
    if (!parked) return false;
    sim->parked = parked;

    sim->capacity = new_capacity;
    return true;
}

/* A slot never used before, growing the arrays if need be (the free stack
 * is empty).  0 when none can be had. */
COLD static uint32_t new_slot(des_sim *sim)
{
    if (sim->slots_used >= sim->slot_limit) return 0;
    if (sim->slots_used == sim->capacity && !grow(sim, 2 * sim->capacity)) return 0;
    des_slot *s = &sim->slots[sim->slots_used];
    s->handler = NULL;
    s->generation = 0;
    sim->parked[sim->slots_used] = (des_entry){0, 0}; /* read by unlink_parked_head() */
    return (uint32_t)sim->slots_used++;
}

/* ------------------------------------------------------------------------ */
/* The calendar: buckets and top, in front of which the heap sits            */

/* The entry's time as a double, +0.0 for -0.0 (as time_to_bits made it). */
static inline double entry_time(des_entry e) { return bits_to_time(e.time_bits); }

/* d(t): where time t falls on the current rung.  Monotone in t (a rounded
 * subtraction, then a rounded product by a positive constant), so comparing
 * d(t) with whole numbers sorts entries into heap, buckets and top without
 * ever putting a later time before an earlier one; equal times always land
 * together, and the heap orders them by key. */
static inline double rung_position(const des_sim *sim, double t)
{
    return (t - sim->rung_start_s) * sim->rung_scale;
}

/* Links entry e (of slot `slot`) in front of list `head`; returns the new
 * head. */
static inline uint32_t park(des_sim *sim, uint32_t head, des_entry e, uint32_t slot)
{
    sim->parked[slot] = (des_entry){e.time_bits, (e.key & ~DES_SLOT_MASK) | head};
    sim->parked_count++;
    return slot;
}

static inline void park_top(des_sim *sim, des_entry e, uint32_t slot, double t)
{
    sim->top_head = park(sim, sim->top_head, e, slot);
    sim->top_count++;
    if (t < sim->top_min_s) sim->top_min_s = t;
    if (t > sim->top_max_s && t < INFINITY) sim->top_max_s = t;
}

/* Bucket b's list.  Its head in buckets[] means something only while its bit
 * is set, so a new rung clears bits, not heads. */
static inline void park_bucket(des_sim *sim, size_t b, des_entry e, uint32_t slot)
{
    uint64_t *word = &sim->bucket_bits[b / 64];
    uint64_t bit = UINT64_C(1) << (b % 64);
    uint32_t head = (*word & bit) ? sim->buckets[b] : 0;
    *word |= bit;
    sim->buckets[b] = park(sim, head, e, slot);
}

/* Parks e in its bucket or in top when the calendar is on and e belongs
 * there; false when e belongs in the heap. */
static inline bool route(des_sim *sim, des_entry e, double t)
{
    double d = rung_position(sim, t);
    if (!(d >= sim->next_bucket_d)) return false;
    uint32_t slot = key_slot(e.key);
    if (d < sim->bucket_count_d) park_bucket(sim, (size_t)(int64_t)d, e, slot);
    else park_top(sim, e, slot, t);
    return true;
}

/* If slot s's entry is parked at the head of its bucket or of top, takes it
 * out and returns true.  parked[s] may be stale when the entry is in the
 * heap (it holds the time of the slot's last parked entry, or 0): then the
 * head found is another slot's, or the time routes to the heap, and the
 * answer is false either way. */
static inline bool unlink_parked_head(des_sim *sim, uint32_t s)
{
    des_entry p = sim->parked[s];
    double d = rung_position(sim, bits_to_time(p.time_bits));
    if (!(d >= sim->next_bucket_d)) return false;
    uint32_t next = key_slot(p.key);
    if (d < sim->bucket_count_d) {
        size_t b = (size_t)(int64_t)d;
        uint64_t *word = &sim->bucket_bits[b / 64];
        uint64_t bit = UINT64_C(1) << (b % 64);
        if (!(*word & bit) || sim->buckets[b] != s) return false;
        sim->buckets[b] = next;
        if (next == 0) *word &= ~bit;
    } else {
        if (sim->top_head != s) return false;
        sim->top_head = next;
        sim->top_count--;
    }
    sim->parked_count--;
    return true;
}

/* The entry of slot s as it was before parking, and the next slot. */
static inline des_entry unpark(const des_sim *sim, uint32_t s, uint32_t *next)
{
    des_entry p = sim->parked[s];
    *next = key_slot(p.key);
    return (des_entry){p.time_bits, (p.key & ~DES_SLOT_MASK) | s};
}

static inline bool slot_live(const des_sim *sim, uint32_t slot)
{
    return sim->slots[slot].handler != NULL;
}

/* Takes list `head` apart: live entries are appended to the heap array
 * (heap order is not restored), dead ones are dropped and their slots
 * freed when drop_dead, kept otherwise. */
static inline void unpark_list_into_heap(des_sim *sim, uint32_t head, bool drop_dead)
{
    for (uint32_t s = head, next; s != 0; s = next) {
        des_entry e = unpark(sim, s, &next);
        sim->parked_count--;
        if (drop_dead && !slot_live(sim, s)) {
            free_slot(sim, s);
            sim->dead_count--;
        } else {
            sim->heap[sim->heap_len++] = e;
        }
    }
}

/* The first bucket at or after b that holds a list; bucket_count when
 * there is none. */
static inline size_t find_next_bucket(const des_sim *sim, size_t b)
{
    size_t end = sim->bucket_count;
    if (b >= end) return end;
    size_t w = b / 64, words = (end + 63) / 64;
    uint64_t bits = sim->bucket_bits[w] & (~UINT64_C(0) << (b % 64));
    while (bits == 0) {
        if (++w == words) return end;
        bits = sim->bucket_bits[w];
    }
    return w * 64 + (size_t)__builtin_ctzll(bits);
}

/* find_next_bucket(), and takes the bucket's bit. */
static inline size_t take_next_bucket(des_sim *sim, size_t b)
{
    b = find_next_bucket(sim, b);
    if (b < sim->bucket_count) sim->bucket_bits[b / 64] &= ~(UINT64_C(1) << (b % 64));
    return b;
}

static void empty_top(des_sim *sim)
{
    sim->top_head = 0;
    sim->top_count = 0;
    sim->top_min_s = INFINITY;
    sim->top_max_s = -INFINITY;
}

/* (Counts of buckets are below 2^63: converted through int64_t, without
 * the test for the top bit that size_t would cost.) */
static inline void set_rung(des_sim *sim, size_t bucket_count, size_t next_bucket)
{
    sim->bucket_count = bucket_count;
    sim->next_bucket = next_bucket;
    sim->bucket_count_d = (double)(int64_t)bucket_count;
    sim->next_bucket_d = (double)(int64_t)next_bucket;
}

/* Back to heap mode: the calendar holds nothing (the caller moved it). */
static void stop_calendar(des_sim *sim)
{
    sim->calendar = false;
    set_rung(sim, 0, 0);
    empty_top(sim);
}

/* Room for n buckets.  false when out of memory (the calendar then waits:
 * the heap alone is always correct). */
static bool reserve_buckets(des_sim *sim, size_t n)
{
    if (n <= sim->bucket_capacity) return true;
    size_t want = sim->bucket_capacity ? sim->bucket_capacity : 64;
    while (want < n) want *= 2;
    uint32_t *buckets = realloc(sim->buckets, want * sizeof *buckets);
    if (!buckets) return false;
    sim->buckets = buckets;
    uint64_t *bits = realloc(sim->bucket_bits, want / 64 * sizeof *bits);
    if (!bits) return false;
    sim->bucket_bits = bits;
    sim->bucket_capacity = want;
    return true;
}

/* The heap is empty and so are the buckets: spreads top over a new rung of
 * DES_BUCKETS_PER_ENTRY buckets per entry between its least and greatest
 * times, or, when that cannot spread it (too few entries, all at one time,
 * no memory), puts it all in the heap and goes back to heap mode. */
COLD static void rebuild_rung(des_sim *sim)
{
    uint32_t list = sim->top_head;
    size_t n = sim->top_count;
    double lo = sim->top_min_s, hi = sim->top_max_s;
    empty_top(sim);

    size_t buckets = n < DES_MAX_BUCKETS / DES_BUCKETS_PER_ENTRY ? n * DES_BUCKETS_PER_ENTRY
                                                                 : DES_MAX_BUCKETS;
    double scale = hi > lo ? (double)buckets / (hi - lo) : 0.0;
    if (n < DES_CALENDAR_MIN || !(scale > 0.0 && scale < INFINITY) || !reserve_buckets(sim, buckets)) {
        unpark_list_into_heap(sim, list, true);
        heapify(sim->heap, sim->heap_len);
        stop_calendar(sim);
        if (sim->heap_len >= DES_CALENDAR_FROM) {
            /* A rung would not spread these: wait, longer each time. */
            sim->calendar_retry_at = sim->next_sequence + sim->calendar_retry_gap;
            if (sim->calendar_retry_gap < (UINT64_C(1) << 40)) sim->calendar_retry_gap *= 2;
        }
        return;
    }
    sim->calendar_retry_gap = DES_CALENDAR_FROM;
    memset(sim->bucket_bits, 0, (buckets + 63) / 64 * sizeof *sim->bucket_bits);
    sim->rung_start_s = lo;
    sim->rung_scale = scale;
    set_rung(sim, buckets, 0);
    for (uint32_t s = list, next; s != 0; s = next) {
        des_entry e = unpark(sim, s, &next);
        sim->parked_count--;
        if (!slot_live(sim, s)) {
            free_slot(sim, s);
            sim->dead_count--;
        } else {
            route(sim, e, entry_time(e));
        }
    }
}

/* refill_heap() but for its common case.  b is the bucket just taken, or
 * bucket_count when there is none left. */
static __attribute__((noinline)) bool refill_slow(des_sim *sim, size_t b)
{
    for (;;) {
        if (b < sim->bucket_count) {
            unpark_list_into_heap(sim, sim->buckets[b], true);
            heapify(sim->heap, sim->heap_len);
        } else if (sim->top_count > 0) {
            set_rung(sim, sim->bucket_count, sim->bucket_count);
            rebuild_rung(sim);
        } else {
            stop_calendar(sim);
            return false;
        }
        if (sim->heap_len > 0) return true;
        if (!sim->calendar) return false;
        b = take_next_bucket(sim, sim->next_bucket);
        if (b < sim->bucket_count) set_rung(sim, sim->bucket_count, b + 1);
    }
}

/* The heap is empty: fills it from the next bucket that has entries,
 * building a new rung from top when the buckets run out.  false when
 * nothing at all is pending.  The common case, a bucket of one live entry,
 * is written without calls. */
static inline bool refill_heap(des_sim *sim)
{
    if (!sim->calendar) return false;
    size_t b = take_next_bucket(sim, sim->next_bucket);
    if (b < sim->bucket_count) {
        set_rung(sim, sim->bucket_count, b + 1);
        uint32_t s = sim->buckets[b], next;
        des_entry e = unpark(sim, s, &next);
        if (next == 0 && slot_live(sim, s)) {
            sim->parked_count--;
            sim->heap[0] = e;
            sim->heap_len = 1;
            return true;
        }
    }
    return refill_slow(sim, b);
}

/* The root is being fired and is alone in the heap: when the next bucket
 * holds one entry, moves it into the heap now, behind the root, rather
 * than after the handler.  Its loads (bit map, bucket head, parked entry)
 * then do not wait for the handler's schedules, which would otherwise come
 * first in program order and, writing near the same words, hold them back
 * until the new event's time is drawn: 15-20% more events per second in the
 * up/down benchmark (docs/performance.md).  The heap stays
 * a heap: the root fires first, so it is before every other entry.  Any
 * other case is left to refill_heap() after the handler. */
static inline void prefetch_next_entry(des_sim *sim)
{
    if (!sim->calendar) return;
    size_t end = sim->bucket_count, b = find_next_bucket(sim, sim->next_bucket);
    if (b == end) return; /* the rung is used up: after the handler */
    uint32_t s = sim->buckets[b], next;
    des_entry e = unpark(sim, s, &next);
    if (next != 0) return;
    /* (A cancelled entry may come too: the loop drops it at the root.) */
    sim->bucket_bits[b / 64] &= ~(UINT64_C(1) << (b % 64));
    set_rung(sim, end, b + 1);
    sim->parked_count--;
    sim->heap[1] = e;
    sim->heap_len = 2;
}

/* Heap mode has DES_CALENDAR_FROM entries or more: moves them all to top
 * and spreads them over a rung.  The firing root, if any, was popped. */
COLD static void start_calendar(des_sim *sim)
{
    sim->calendar = true;
    set_rung(sim, 0, 0);
    empty_top(sim);
    for (size_t i = 0; i < sim->heap_len; i++) {
        des_entry e = sim->heap[i];
        park_top(sim, e, key_slot(e.key), entry_time(e));
    }
    sim->heap_len = 0;
    rebuild_rung(sim);
}

/* Moves every parked entry, dead ones too, back into the heap array (the
 * heap order is not restored) and leaves heap mode. */
COLD static void unpark_all(des_sim *sim)
{
    if (!sim->calendar) return;
    for (size_t b = take_next_bucket(sim, sim->next_bucket); b < sim->bucket_count;
         b = take_next_bucket(sim, b + 1))
        unpark_list_into_heap(sim, sim->buckets[b], false);
    unpark_list_into_heap(sim, sim->top_head, false);
    stop_calendar(sim);
}

/* ------------------------------------------------------------------------ */
/* Whole-heap maintenance                                                    */

/* Pops the event being fired, if it is still at the root, so that the heap
 * can be rearranged as a whole. */
static void settle_firing_root(des_sim *sim)
{
    if (sim->firing_root) {
        sim->firing_root = false;
        heap_pop(sim);
    }
}

/* List `head` without its cancelled entries, relinked in place; their
 * slots are freed.  Returns the new head (0: nothing left). */
static uint32_t drop_dead(des_sim *sim, uint32_t head)
{
    uint32_t first = 0, last = 0;
    for (uint32_t s = head, next; s != 0; s = next) {
        next = key_slot(sim->parked[s].key);
        if (!slot_live(sim, s)) {
            free_slot(sim, s);
            sim->parked_count--;
            continue;
        }
        if (last == 0) first = s;
        else sim->parked[last].key = (sim->parked[last].key & ~DES_SLOT_MASK) | s;
        last = s;
    }
    if (last != 0) sim->parked[last].key &= ~DES_SLOT_MASK;
    return first;
}

/* Rebuilds the heap, the buckets and top without their cancelled entries
 * and frees their slots. */
COLD static void compact(des_sim *sim)
{
    settle_firing_root(sim);
    size_t kept = 0;
    for (size_t i = 0; i < sim->heap_len; i++) {
        des_entry e = sim->heap[i];
        uint32_t slot = key_slot(e.key);
        if (sim->slots[slot].handler) sim->heap[kept++] = e;
        else free_slot(sim, slot);
    }
    sim->heap_len = kept;
    heapify(sim->heap, kept);
    if (sim->calendar) {
        size_t first = sim->next_bucket, words = (sim->bucket_count + 63) / 64;
        for (size_t w = first / 64; w < words; w++) {
            uint64_t bits = sim->bucket_bits[w];
            if (w == first / 64) bits &= ~UINT64_C(0) << (first % 64);
            for (; bits != 0; bits &= bits - 1) {
                size_t b = w * 64 + (size_t)__builtin_ctzll(bits);
                uint32_t head = drop_dead(sim, sim->buckets[b]);
                sim->buckets[b] = head;
                if (head == 0) sim->bucket_bits[w] &= ~(bits & (0 - bits));
            }
        }
        uint32_t list = sim->top_head;
        empty_top(sim);
        for (uint32_t s = list, next; s != 0; s = next) {
            des_entry e = unpark(sim, s, &next);
            sim->parked_count--;
            if (slot_live(sim, s)) park_top(sim, e, s, entry_time(e));
            else free_slot(sim, s);
        }
    }
    sim->dead_count = 0;
}

static int compare_entries(const void *pa, const void *pb)
{
    des_entry a = *(const des_entry *)pa, b = *(const des_entry *)pb;
    return entry_before(a, b) ? -1 : entry_before(b, a) ? 1 : 0;
}

/* Sequences ran out: sort the heap (a sorted array is a heap) and number the
 * entries 0..n-1 in that order, which keeps every relative order. */
COLD static void renumber_sequences(des_sim *sim)
{
    settle_firing_root(sim);
    unpark_all(sim);
    sim->calendar_retry_at = 0;
    qsort(sim->heap, sim->heap_len, sizeof *sim->heap, compare_entries);
    for (size_t i = 0; i < sim->heap_len; i++) {
        uint64_t key = sim->heap[i].key;
        int priority = (int)(key >> (DES_SEQUENCE_BITS + DES_SLOT_BITS));
        sim->heap[i].key = make_key(priority, i, key_slot(key));
    }
    sim->next_sequence = sim->heap_len;
}

/* ------------------------------------------------------------------------ */
/* The interface                                                             */

des_sim *des_create(void)
{
    des_sim *sim = calloc(1, sizeof *sim);
    if (!sim) return NULL;
    sim->slot_limit = DES_MAX_EVENTS + 1;
    sim->slots_used = 1; /* slot 0 is never used, so no id is 0 */
    sim->calendar_retry_gap = DES_CALENDAR_FROM;
    stop_calendar(sim);
    if (!grow(sim, DES_INITIAL_CAPACITY)) {
        des_destroy(sim);
        return NULL;
    }
    return sim;
}

void des_destroy(des_sim *sim)
{
    if (!sim) return;
    free(sim->heap);
    free(sim->slots);
    free(sim->free_slots);
    free(sim->parked);
    free(sim->buckets);
    free(sim->bucket_bits);
    free(sim);
}

void des_reset(des_sim *sim)
{
    assert(!sim->running && "des_reset() from inside a handler");
    /* Retire every slot still holding an event, so that ids handed out
     * before the reset never match an event scheduled after it. */
    sim->free_count = 0;
    for (size_t i = sim->slots_used; i-- > 1;) { /* so that slot 1 is taken first */
        des_slot *s = &sim->slots[i];
        if (s->handler) retire_slot(s);
        free_slot(sim, (uint32_t)i);
    }
    sim->heap_len = 0;
    sim->parked_count = 0;
    stop_calendar(sim);
    sim->calendar_retry_at = 0;
    sim->calendar_retry_gap = DES_CALENDAR_FROM;
    sim->dead_count = 0;
    sim->firing_root = false;
    sim->next_sequence = 0;
    sim->clock.now_s = 0.0;
    sim->stop_requested = false;
    sim->failed = false;
}

/* des_schedule() but for its common case on a calendar (see there). */
static __attribute__((noinline)) des_event_id schedule_slow(des_sim *sim, double at_s, int priority,
                                  des_handler *handler, void *subject, void *object)
{
    if (sim->next_sequence == DES_SEQUENCE_LIMIT) renumber_sequences(sim);

    uint32_t slot = sim->free_count > 0 ? sim->free_slots[--sim->free_count] : new_slot(sim);
    if (slot == 0) {
        sim->failed = true;
        return 0;
    }
    des_slot *s = &sim->slots[slot];
    s->handler = handler;
    s->subject = subject;
    s->object = object;

    des_entry e = {time_to_bits(at_s), make_key(priority, sim->next_sequence++, slot)};
    if (sim->calendar) {
        if (route(sim, e, at_s + 0.0)) return make_id(s->generation, slot);
    } else if (sim->heap_len >= DES_CALENDAR_FROM && sim->next_sequence > sim->calendar_retry_at) {
        settle_firing_root(sim);
        start_calendar(sim);
        if (sim->calendar && route(sim, e, at_s + 0.0)) return make_id(s->generation, slot);
    }
    if (sim->firing_root) {
        /* Fused pop-and-push: the fired event's entry is still at the root;
         * put the new one in its place with a single sift. */
        sim->firing_root = false;
        sift_down(sim->heap, sim->heap_len, 0, e);
    } else {
        sift_up(sim->heap, sim->heap_len++, e); /* room: invariant 3 */
    }
    return make_id(s->generation, slot);
}

des_event_id des_schedule(des_sim *sim, double at_s, int priority,
                          des_handler *handler, void *subject, void *object)
{
    assert(at_s >= sim->clock.now_s && "scheduling in the past (or at NaN)");
    assert(priority >= 0 && priority <= DES_PRIORITY_MAX);
    assert(handler);

    /* The common case on a calendar, the event going to a bucket or to top
     * with a slot free and sequences left, is written without calls, so
     * that it saves no registers; everything else is schedule_slow(). */
    if (sim->calendar) {
        double t = at_s + 0.0, d = rung_position(sim, t);
        if (d >= sim->next_bucket_d && sim->free_count > 0
            && sim->next_sequence != DES_SEQUENCE_LIMIT) {
            uint32_t slot = sim->free_slots[--sim->free_count];
            des_slot *s = &sim->slots[slot];
            s->handler = handler;
            s->subject = subject;
            s->object = object;
            des_entry e = {time_to_bits(at_s), make_key(priority, sim->next_sequence++, slot)};
            if (d < sim->bucket_count_d) park_bucket(sim, (size_t)(int64_t)d, e, slot);
            else park_top(sim, e, slot, t);
            return make_id(s->generation, slot);
        }
    }
    return schedule_slow(sim, at_s, priority, handler, subject, object);
}

bool des_cancel(des_sim *sim, des_event_id id)
{
    uint64_t slot = id & DES_SLOT_MASK;
    if (slot == 0 || slot >= sim->slots_used) return false;
    des_slot *s = &sim->slots[slot];
    if (!s->handler || (s->generation & DES_GENERATION_MASK) != id >> DES_SLOT_BITS) return false;

    /* An entry at the head of its bucket or of top (the usual case for a
     * timeout armed and cancelled) is unlinked at once.  Any other stays
     * where it is, dead, until it reaches the root of the heap, is moved
     * into the heap, or is compacted; only then is its slot free again. */
    retire_slot(s);
    if (sim->calendar && unlink_parked_head(sim, (uint32_t)slot)) {
        free_slot(sim, (uint32_t)slot);
        return true;
    }
    sim->dead_count++;
    if (sim->dead_count > DES_COMPACT_MIN_DEAD
        && sim->dead_count > (sim->heap_len + sim->parked_count) / 2)
        compact(sim);
    return true;
}

uint64_t des_run_until(des_sim *sim, double until_s)
{
    assert(until_s >= sim->clock.now_s && "running to a time in the past (or NaN)");
    assert(!sim->running && "des_run_until() from inside a handler");

    const uint64_t until_bits = time_to_bits(until_s);
    uint64_t fired = 0;
    sim->stop_requested = false;
    if (sim->failed) return 0;
    sim->running = true;

    while (sim->heap_len > 0 || refill_heap(sim)) {
        des_entry root = sim->heap[0];
        if (root.time_bits > until_bits) break;

        uint32_t slot = key_slot(root.key);
        des_slot *s = &sim->slots[slot];
        des_handler *handler = s->handler;
        if (!handler) { /* cancelled: drop it and reuse its slot */
            heap_pop(sim);
            free_slot(sim, slot);
            sim->dead_count--;
            continue;
        }

        /* The event stops being pending before its handler runs, so that
         * cancelling it from there returns false, and its slot is free for
         * the first event the handler schedules. */
        void *subject = s->subject;
        void *object = s->object;
        retire_slot(s);
        free_slot(sim, slot);
        sim->clock.now_s = bits_to_time(root.time_bits);
        sim->firing_root = true;
        if (sim->heap_len == 1) prefetch_next_entry(sim);

        handler(sim, subject, object);
        fired++;

        settle_firing_root(sim); /* when the handler scheduled nothing */
        if (sim->stop_requested | sim->failed) break;
    }
    sim->running = false;
    if (!sim->failed && !sim->stop_requested) sim->clock.now_s = until_s + 0.0;
    return fired;
}

void des_stop(des_sim *sim) { sim->stop_requested = true; }

size_t des_pending(const des_sim *sim)
{
    return sim->heap_len + sim->parked_count - sim->dead_count - (sim->firing_root ? 1 : 0);
}

bool des_failed(const des_sim *sim) { return sim->failed; }

/* ------------------------------------------------------------------------ */
/* Test hooks (des_internal.h)                                               */

void des_debug_limit_capacity(des_sim *sim, size_t max_events)
{
    sim->slot_limit = (max_events < DES_MAX_EVENTS ? max_events : DES_MAX_EVENTS) + 1;
}

void des_debug_set_next_sequence(des_sim *sim, uint64_t sequence)
{
    assert(sequence <= DES_SEQUENCE_LIMIT);
    sim->next_sequence = sequence;
}

size_t des_debug_heap_len(const des_sim *sim) { return sim->heap_len + sim->parked_count; }
