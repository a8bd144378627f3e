/*
 * des.c — the discrete-event kernel.  The contract is include/des.h; the
 * layout, invariants and the reasons for them are in sim/des_internal.h.
 */
#include "des_internal.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

/* A 4-ary heap: half the depth of a binary heap, and the four children of
 * a node are adjacent (64 bytes); see des_internal.h for why. */
#define ARITY 4

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

    sim->capacity = new_capacity;
    return true;
}

/* A slot never used before, growing the arrays if need be (the free stack
 * is empty).  0 when none can be had. */
static uint32_t new_slot(des_sim *sim)
{
    if (sim->slots_used >= sim->slot_limit) return 0;
    if (sim->slots_used == sim->capacity && !grow(sim, 2 * sim->capacity)) return 0;
    des_slot *s = &sim->slots[sim->slots_used];
    s->handler = NULL;
    s->generation = 0;
    return (uint32_t)sim->slots_used++;
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

/* Rebuilds the heap without its cancelled entries and frees their slots. */
static void compact(des_sim *sim)
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
    sim->dead_count = 0;
    heapify(sim->heap, kept);
}

static int compare_entries(const void *pa, const void *pb)
{
    des_entry a = *(const des_entry *)pa, b = *(const des_entry *)pb;
    return entry_before(a, b) ? -1 : entry_before(b, a) ? 1 : 0;
}

/* Sequences ran out: sort the heap (a sorted array is a heap) and number the
 * entries 0..n-1 in that order, which keeps every relative order. */
static void renumber_sequences(des_sim *sim)
{
    settle_firing_root(sim);
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
    sim->dead_count = 0;
    sim->firing_root = false;
    sim->next_sequence = 0;
    sim->now_s = 0.0;
    sim->stop_requested = false;
    sim->failed = false;
}

des_event_id des_schedule(des_sim *sim, double at_s, int priority,
                          des_handler *handler, void *subject, void *object)
{
    assert(at_s >= sim->now_s && "scheduling in the past (or at NaN)");
    assert(priority >= 0 && priority <= DES_PRIORITY_MAX);
    assert(handler);

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

bool des_cancel(des_sim *sim, des_event_id id)
{
    uint64_t slot = id & DES_SLOT_MASK;
    if (slot == 0 || slot >= sim->slots_used) return false;
    des_slot *s = &sim->slots[slot];
    if (!s->handler || (s->generation & DES_GENERATION_MASK) != id >> DES_SLOT_BITS) return false;

    /* The entry stays in the heap, dead, until it reaches the root or the
     * heap is compacted; only then is the slot free for reuse. */
    retire_slot(s);
    sim->dead_count++;
    if (sim->dead_count > DES_COMPACT_MIN_DEAD && sim->dead_count > sim->heap_len / 2)
        compact(sim);
    return true;
}

uint64_t des_run_until(des_sim *sim, double until_s)
{
    assert(until_s >= sim->now_s && "running to a time in the past (or NaN)");
    assert(!sim->running && "des_run_until() from inside a handler");

    const uint64_t until_bits = time_to_bits(until_s);
    uint64_t fired = 0;
    sim->stop_requested = false;
    if (sim->failed) return 0;
    sim->running = true;

    while (sim->heap_len > 0) {
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
        sim->now_s = bits_to_time(root.time_bits);
        sim->firing_root = true;

        handler(sim, subject, object);
        fired++;

        settle_firing_root(sim); /* when the handler scheduled nothing */
        if (sim->stop_requested | sim->failed) break;
    }
    sim->running = false;
    if (!sim->failed && !sim->stop_requested) sim->now_s = until_s + 0.0;
    return fired;
}

void des_stop(des_sim *sim) { sim->stop_requested = true; }

double des_now(const des_sim *sim) { return sim->now_s; }

size_t des_pending(const des_sim *sim)
{
    return sim->heap_len - sim->dead_count - (sim->firing_root ? 1 : 0);
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

size_t des_debug_heap_len(const des_sim *sim) { return sim->heap_len; }
