/*
 * des.c — the discrete-event kernel.  The contract is include/des.h; the
 * layout, invariants and the reasons for them are in sim/des_internal.h.
 */
#include "des_internal.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A 4-ary heap: half the depth of a binary heap, and the four children of a
 * node are adjacent, so choosing the smallest costs one cache line and
 * branch-free comparisons instead of more levels of unpredictable branches. */
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

/* true when a fires before b.  One 128-bit comparison: see des_internal.h. */
static inline bool entry_before(des_entry a, des_entry b)
{
    unsigned __int128 ka = (unsigned __int128)a.time_bits << 64 | a.key;
    unsigned __int128 kb = (unsigned __int128)b.time_bits << 64 | b.key;
    return ka < kb;
}

static inline des_event_id make_id(uint64_t generation, uint32_t slot)
{
    return generation << DES_SLOT_BITS | slot;
}

/* ------------------------------------------------------------------------ */
/* The heap                                                                  */

/* The smallest child, found with the full (time, key) order.  Children are
 * heap[first .. end), end - first <= ARITY. */
static size_t smallest_child_exact(const des_entry *heap, size_t first, size_t end)
{
    size_t best = first;
    for (size_t j = first + 1; j < end; j++)
        if (entry_before(heap[j], heap[best])) best = j;
    return best;
}

/* Walks from node path[0] to a leaf through smallest children with the full
 * order, filling path[1..]; returns the number of levels walked. */
static size_t min_path_exact(const des_entry *heap, size_t n, size_t path[])
{
    size_t depth = 0;
    for (size_t c = first_child_of(path[0]); c < n; c = first_child_of(path[depth])) {
        size_t end = c + ARITY < n ? c + ARITY : n;
        path[++depth] = smallest_child_exact(heap, c, end);
    }
    return depth;
}

/* The same walk, fast.  This loop is the kernel's hot spot (a 1000-event
 * hold model spends most of its time here), and its cost is latency: each
 * level's loads wait for the previous level's choice.  So a level does the
 * least between the loads and the next address:
 *
 *  - it compares times only (one 64-bit compare, not a 128-bit one), and
 *    merely notes whether two compared times were equal; if any were, the
 *    walk is redone with the full order (rare: a tie needs two events at the
 *    same instant among the compared siblings);
 *  - it plays a tournament, (0 vs 1) and (2 vs 3) in parallel, then the
 *    winners, and picks the index by masking, not branching: each outcome is
 *    a coin toss the predictor would miss half the time.
 *
 * The last parent may have fewer than four children: that one node goes
 * through the exact path. */
static inline size_t min_path(const des_entry *heap, size_t n, size_t path[])
{
    size_t depth = 0;
    size_t i = path[0];
    bool maybe_tied = false;
    for (;;) {
        size_t c = first_child_of(i);
        if (c + ARITY > n) {
            if (c < n) path[++depth] = smallest_child_exact(heap, c, n);
            break;
        }
        const des_entry *child = heap + c;
        uint64_t t0 = child[0].time_bits, t1 = child[1].time_bits;
        uint64_t t2 = child[2].time_bits, t3 = child[3].time_bits;
        size_t pick01 = t1 < t0, pick23 = 2 + (t3 < t2);
        uint64_t min01 = t1 < t0 ? t1 : t0, min23 = t3 < t2 ? t3 : t2;
        size_t mask = (size_t)0 - (size_t)(min23 < min01);
        i = c + (pick01 ^ ((pick01 ^ pick23) & mask));
        maybe_tied |= (t0 == t1) | (t2 == t3) | (min01 == min23);
        path[++depth] = i;
    }
    if (maybe_tied) depth = min_path_exact(heap, n, path);
    return depth;
}

/* cond ? if_true : if_false, computed with a mask so that the compiler
 * cannot turn it into a branch (it does for pointer choices in a loop). */
static inline const des_entry *choose(bool cond, const des_entry *if_true,
                                      const des_entry *if_false)
{
    uintptr_t mask = (uintptr_t)0 - (uintptr_t)cond;
    return (const des_entry *)(((uintptr_t)if_true & mask) | ((uintptr_t)if_false & ~mask));
}

/* Puts e into the hole at path[0], given the path of smallest children
 * below it (path[1..depth], whose entries are in ascending order): every
 * path entry that fires before e moves up one level, and e takes the place
 * of the last one that moved.
 *
 * Without branches: every level is written, either with the child that
 * moves up, or with e, or with what it already holds, chosen by pointer.
 * Where e lands is as unpredictable as the event's rank. */
static inline void shift_path(des_entry *heap, const size_t path[], size_t depth, des_entry e)
{
    bool e_not_placed = true;
    for (size_t d = 0; d < depth; d++) {
        const des_entry *child = &heap[path[d + 1]];
        bool child_first = entry_before(*child, e);
        const des_entry *source = choose(child_first, child,
                                         choose(e_not_placed, &e, &heap[path[d]]));
        heap[path[d]] = *source;
        e_not_placed = child_first; /* the path ascends: once false, stays so */
    }
    heap[path[depth]] = *choose(e_not_placed, &e, &heap[path[depth]]);
}

/* The deepest a path can go: 4^12 exceeds DES_MAX_EVENTS. */
enum { MAX_PATH = 16 };

/* Puts e into the hole at node i of a heap of n entries (i's subtree is a
 * heap apart from the hole), moving it towards the leaves as far as it
 * belongs.
 *
 * Bottom-up (Floyd): find the path of smallest children from i to a leaf
 * without looking at e, then slide e into it.  The usual top-down sift stops
 * at the first child that is not before e, a branch taken at an
 * unpredictable level; an entry put at the root (the fused pop-and-push, a
 * pop) usually belongs near the leaves anyway, where most nodes are. */
static void sift_down(des_entry *heap, size_t n, size_t i, des_entry e)
{
    size_t path[MAX_PATH];
    path[0] = i;
    size_t depth = min_path(heap, n, path);
    shift_path(heap, path, depth, e);
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

/* Frees the slot of the event being fired: it is no longer pending, its id
 * stops working, and the slot can take the next event at once. */
static inline void retire_slot(des_sim *sim, des_slot *s, uint32_t slot)
{
    s->handler = NULL;
    s->generation = (s->generation + 1) & DES_GENERATION_MASK;
    if (s->generation == 0) s->generation = 1; /* after 2^40 uses: ids stay non-zero */
    free_slot(sim, slot);
}

/* Grows heap, slots and the free stack together to new_capacity.
 * On failure returns false and leaves everything as it was. */
static bool grow(des_sim *sim, size_t new_capacity)
{
    if (new_capacity > sim->capacity_limit) new_capacity = sim->capacity_limit;
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

/* A free slot's index, or -1 when none can be had. */
static inline int64_t take_slot(des_sim *sim)
{
    if (sim->free_count > 0) return sim->free_slots[--sim->free_count];
    if (sim->slots_used == sim->capacity && !grow(sim, 2 * sim->capacity)) return -1;
    des_slot *s = &sim->slots[sim->slots_used];
    s->handler = NULL;
    s->generation = 1;
    return (int64_t)sim->slots_used++;
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
    sim->capacity_limit = DES_MAX_EVENTS;
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
    for (size_t i = 0; i < sim->slots_used; i++) {
        des_slot *s = &sim->slots[i];
        if (s->handler) retire_slot(sim, s, (uint32_t)i);
        else free_slot(sim, (uint32_t)i);
    }
    sim->heap_len = 0;
    sim->pending_count = 0;
    sim->dead_count = 0;
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

    int64_t taken = take_slot(sim);
    if (taken < 0) {
        sim->failed = true;
        return 0;
    }
    uint32_t slot = (uint32_t)taken;
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
    sim->pending_count++;
    return make_id(s->generation, slot);
}

bool des_cancel(des_sim *sim, des_event_id id)
{
    uint64_t slot = id & DES_SLOT_MASK;
    if (slot >= sim->slots_used) return false;
    des_slot *s = &sim->slots[slot];
    if (!s->handler || s->generation != id >> DES_SLOT_BITS) return false;

    /* The entry stays in the heap, dead, until it reaches the root or the
     * heap is compacted; only then is the slot free for reuse. */
    s->handler = NULL;
    s->generation = (s->generation + 1) & DES_GENERATION_MASK;
    if (s->generation == 0) s->generation = 1;
    sim->pending_count--;
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
    sim->running = true;

    while (!sim->failed && sim->heap_len > 0) {
        des_entry root = sim->heap[0];
        if (root.time_bits > until_bits) break;

        uint32_t slot = key_slot(root.key);
        des_slot *s = &sim->slots[slot];
        if (!s->handler) { /* cancelled: drop it and reuse its slot */
            heap_pop(sim);
            free_slot(sim, slot);
            sim->dead_count--;
            continue;
        }

        des_handler *handler = s->handler;
        void *subject = s->subject;
        void *object = s->object;
        retire_slot(sim, s, slot);
        sim->pending_count--;
        sim->now_s = bits_to_time(root.time_bits);
        sim->firing_root = true;

        handler(sim, subject, object);

        settle_firing_root(sim); /* the handler scheduled nothing */
        fired++;
        if (sim->stop_requested) break;
    }
    sim->running = false;
    if (!sim->failed && !sim->stop_requested) sim->now_s = until_s + 0.0;
    return fired;
}

void des_stop(des_sim *sim) { sim->stop_requested = true; }

double des_now(const des_sim *sim) { return sim->now_s; }

size_t des_pending(const des_sim *sim) { return sim->pending_count; }

bool des_failed(const des_sim *sim) { return sim->failed; }

/* ------------------------------------------------------------------------ */
/* Test hooks (des_internal.h)                                               */

void des_debug_limit_capacity(des_sim *sim, size_t max_events)
{
    sim->capacity_limit = max_events < DES_MAX_EVENTS ? max_events : DES_MAX_EVENTS;
}

void des_debug_set_next_sequence(des_sim *sim, uint64_t sequence)
{
    assert(sequence <= DES_SEQUENCE_LIMIT);
    sim->next_sequence = sequence;
}

size_t des_debug_heap_len(const des_sim *sim) { return sim->heap_len; }
