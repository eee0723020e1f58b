/* heap.c — per-process heaps: allocation, mark-and-sweep, deep copy.
 *
 * Every box is its own malloc block, chained through tapa_box.next so a
 * sweep can walk them all. Each block starts with a small hidden prefix
 * that records its size, so the byte count stays exact whatever `extra`
 * a constructor asked for. The heap also keeps a hash set of its box
 * addresses: the conservative stack scan must tell "a word that happens
 * to look like a pointer" from "a pointer to one of our boxes".
 *
 * The scan also takes a pointer *into* a box as a root: a C program that
 * keeps only tapa_binary_data(t) across a receive keeps the binary alive,
 * as long as the pointer is on its stack. Boxes start 16-byte aligned, so
 * such a pointer is resolved by looking back a few 16-byte steps in the
 * address set; boxes larger than that span sit in a sorted array.
 *
 * Terms can be lists of millions of cells, so nothing here recurses on
 * the structure of a term: marking, copying and sizing use explicit
 * stacks and walk list spines in loops.
 */
#include "term/term.h"

#include <stdlib.h>
#include <string.h>

#ifdef TAPA_VALGRIND
#include <valgrind/memcheck.h>
#endif

/* Hidden prefix; 16 bytes keep the box itself 16-byte aligned. */
typedef struct box_prefix {
    size_t bytes;
    size_t unused;
} box_prefix;

#define PREFIX_OF(b) ((box_prefix *)(void *)((char *)(b) - sizeof(box_prefix)))
#define GC_MIN_BYTES ((size_t)64 * 1024)

static tapa_heap global_heap; /* zero-initialised is a valid empty heap */
tapa_heap *tapa_current_heap = &global_heap;

tapa_heap *heap_global(void)
{
    return &global_heap;
}

/* ------------------------------------------------------- address set -- */

static size_t addr_hash(uintptr_t a, size_t mask)
{
    return (size_t)(((uint64_t)a >> 4) * 0x9E3779B97F4A7C15ull >> 17) & mask;
}

static void set_insert_raw(uintptr_t *set, size_t cap, uintptr_t a)
{
    size_t i = addr_hash(a, cap - 1);
    while (set[i]) i = (i + 1) & (cap - 1);
    set[i] = a;
}

/* Rebuild the set from the box list with room to grow (also drops the
 * addresses of swept boxes). */
static void set_rebuild(tapa_heap *h, size_t min_cap)
{
    size_t cap = 64;
    while (cap < min_cap * 2) cap *= 2;
    free(h->set);
    h->set = calloc(cap, sizeof *h->set);
    if (!h->set) {
        fputs("tapa: out of memory\n", stderr);
        abort();
    }
    h->set_cap = cap;
    h->set_used = 0;
    for (tapa_box *b = h->boxes; b; b = b->next) {
        set_insert_raw(h->set, cap, (uintptr_t)b);
        h->set_used++;
    }
}

bool heap_owns(const tapa_heap *h, const void *p)
{
    if (!h->set_cap || !p) return false;
    uintptr_t a = (uintptr_t)p;
    for (size_t i = addr_hash(a, h->set_cap - 1);; i = (i + 1) & (h->set_cap - 1)) {
        if (h->set[i] == a) return true;
        if (!h->set[i]) return false;
    }
}

/* ------------------------------------------------- interior pointers -- */

/* Boxes up to this many bytes are found from a pointer into them by
 * looking back in 16-byte steps; bigger ones are kept in h->large. */
#define BACK_SPAN 256

static void large_push(tapa_heap *h, tapa_box *b)
{
    if (h->nlarge == h->large_cap) {
        h->large_cap = h->large_cap ? h->large_cap * 2 : 16;
        tapa_box **a = realloc(h->large, h->large_cap * sizeof *a);
        if (!a) {
            fputs("tapa: out of memory\n", stderr);
            abort();
        }
        h->large = a;
    }
    h->large[h->nlarge++] = b;
    h->large_sorted = false;
}

/* Every new box widens the span of addresses and, if big, joins h->large. */
static inline void note_box(tapa_heap *h, tapa_box *b, size_t bytes)
{
    uintptr_t a = (uintptr_t)b, end = a + bytes;
    if (a - 1 < h->lo - 1) h->lo = a; /* lo == 0 (empty) wraps to the maximum */
    if (end > h->hi) h->hi = end;
    if (__builtin_expect(bytes > BACK_SPAN, 0)) large_push(h, b);
}

static int cmp_addr(const void *x, const void *y)
{
    uintptr_t a = (uintptr_t) * (tapa_box *const *)x, b = (uintptr_t) * (tapa_box *const *)y;
    return a < b ? -1 : a > b;
}

/* w lies in b (one past the end counts, as C allows such a pointer). */
static bool box_covers(tapa_box *b, uintptr_t w)
{
    return w >= (uintptr_t)b && w <= (uintptr_t)b + PREFIX_OF(b)->bytes;
}

static tapa_box *large_containing(tapa_heap *h, uintptr_t w)
{
    if (!h->nlarge) return NULL;
    if (!h->large_sorted) {
        qsort(h->large, h->nlarge, sizeof *h->large, cmp_addr);
        h->large_sorted = true;
    }
    size_t lo = 0, hi = h->nlarge; /* find the last box starting at or below w */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if ((uintptr_t)h->large[mid] <= w) lo = mid + 1;
        else hi = mid;
    }
    return lo && box_covers(h->large[lo - 1], w) ? h->large[lo - 1] : NULL;
}

/* The box of this heap that w points to or into, or NULL. */
static tapa_box *box_containing(tapa_heap *h, uintptr_t w)
{
    if (w < h->lo || w > h->hi) return NULL;
    uintptr_t a = w & ~(uintptr_t)15;
    for (int step = 0; step <= BACK_SPAN / 16 && a >= h->lo; step++, a -= 16) {
        if (!heap_owns(h, (void *)a)) continue;
        /* boxes do not overlap: none further back can reach past this one */
        return box_covers((tapa_box *)a, w) ? (tapa_box *)a : NULL;
    }
    return large_containing(h, w);
}

/* -------------------------------------------------------- allocation -- */

void heap_init(tapa_heap *h)
{
    memset(h, 0, sizeof *h);
}

/* Small blocks are recycled through free lists by size (the runtime is
 * single-threaded), so a process that receives and drops a message per
 * loop does not pay malloc and free for each. Sanitizer and valgrind
 * builds skip the lists so every use after free is still caught. */
#define SMALL_CLASSES 8 /* blocks of 32, 48, ... 144 bytes */
#define SMALL_KEEP 4096
typedef struct free_block {
    struct free_block *next;
} free_block;
static free_block *small_free[SMALL_CLASSES];
static size_t small_count[SMALL_CLASSES];

static int small_class(size_t total)
{
#ifdef TAPA_DEDICATED_STACKS
    (void)total;
    return -1;
#else
    size_t c = (total + 15) / 16;
    return c >= 2 && c < 2 + SMALL_CLASSES ? (int)(c - 2) : -1;
#endif
}

static void *block_alloc(size_t total)
{
    int c = small_class(total);
    if (c >= 0 && small_free[c]) {
        free_block *f = small_free[c];
        small_free[c] = f->next;
        small_count[c]--;
        return memset(f, 0, (size_t)(c + 2) * 16);
    }
    return calloc(1, c >= 0 ? (size_t)(c + 2) * 16 : total);
}

static void block_free(void *block, size_t total)
{
    int c = small_class(total);
    if (c < 0 || small_count[c] >= SMALL_KEEP) {
        free(block);
        return;
    }
    free_block *f = block;
    f->next = small_free[c];
    small_free[c] = f;
    small_count[c]++;
}

tapa_box *heap_alloc(tapa_heap *h, box_type type, uint32_t size, size_t bytes)
{
    if (bytes < sizeof(tapa_box)) bytes = sizeof(tapa_box);
    /* zeroed: a half-built box must never show garbage to the collector */
    box_prefix *p = block_alloc(sizeof(box_prefix) + bytes);
    if (!p) {
        fputs("tapa: out of memory\n", stderr);
        abort();
    }
    p->bytes = bytes;
    tapa_box *b = (tapa_box *)(void *)(p + 1);
    b->type = (uint8_t)type;
    b->size = size;
    b->next = h->boxes;
    h->boxes = b;
    h->bytes += bytes;
    h->count++;
    note_box(h, b, bytes);
    if ((h->set_used + 1) * 2 > h->set_cap) set_rebuild(h, h->count);
    else {
        set_insert_raw(h->set, h->set_cap, (uintptr_t)b);
        h->set_used++;
    }
    return b;
}

static void box_free(tapa_box *b)
{
    box_prefix *p = PREFIX_OF(b);
    block_free(p, sizeof(box_prefix) + p->bytes);
}

void heap_destroy(tapa_heap *h)
{
    for (tapa_box *b = h->boxes, *next; b; b = next) {
        next = b->next;
        box_free(b);
    }
    free(h->set);
    if (h->large) free(h->large); /* most heaps never have one: no call */
    heap_init(h);
}

/* ------------------------------------------------------ term stacks -- */

typedef struct term_stack {
    tapa_term *items;
    size_t len, cap;
} term_stack;

static void ts_push(term_stack *s, tapa_term t)
{
    if (s->len == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 256;
        tapa_term *items = realloc(s->items, s->cap * sizeof *items);
        if (!items) {
            fputs("tapa: out of memory\n", stderr);
            abort();
        }
        s->items = items;
    }
    s->items[s->len++] = t;
}

/* Calls visit(t, ctx) on each term in the box, in order. */
static void box_children(tapa_box *b, void (*visit)(tapa_term, void *), void *ctx)
{
    switch (b->type) {
    case BOX_TUPLE:
        for (uint32_t i = 0; i < b->size; i++) visit(((box_tuple *)b)->elements[i], ctx);
        break;
    case BOX_CONS:
        visit(((box_cons *)b)->head, ctx);
        visit(((box_cons *)b)->tail, ctx);
        break;
    case BOX_MAP:
        for (uint32_t i = 0; i < 2 * b->size; i++) visit(((box_map *)b)->kv[i], ctx);
        break;
    case BOX_FUN: {
        box_fun *f = (box_fun *)b;
        visit(f->foreign, ctx);
        for (uint32_t i = 0; i < b->size; i++) visit(f->captured[i], ctx);
        break;
    }
    default:
        break; /* leaves: binaries, floats, bigints, refs, ports */
    }
}

/* ----------------------------------------------------------- marking -- */

typedef struct mark_ctx {
    tapa_heap *h;
    term_stack stack;
} mark_ctx;

/* Only boxes of this heap are marked and followed: terms that live
 * elsewhere (a pattern's literals, the node's own heap) are not ours. */
static bool mark_one(tapa_heap *h, tapa_term t)
{
    if (!IS_BOXED(t) || !heap_owns(h, BOX_OF(t)) || BOX_OF(t)->mark) return false;
    BOX_OF(t)->mark = 1;
    return true;
}

static void mark_visit(tapa_term t, void *ctx)
{
    mark_ctx *m = ctx;
    if (mark_one(m->h, t)) ts_push(&m->stack, t);
}

void heap_mark_term(tapa_heap *h, tapa_term t)
{
    mark_ctx m = {h, {0}};
    if (mark_one(h, t)) ts_push(&m.stack, t);
    while (m.stack.len) {
        tapa_term cur = m.stack.items[--m.stack.len];
        /* walk a list spine in this loop; only heads go on the stack */
        while (IS_BOX_TYPE(cur, BOX_CONS)) {
            box_cons *c = (box_cons *)BOX_OF(cur);
            mark_visit(c->head, &m);
            if (!mark_one(h, c->tail)) {
                cur = 0;
                break;
            }
            cur = c->tail;
        }
        if (cur) box_children(BOX_OF(cur), mark_visit, &m);
    }
    free(m.stack.items);
}

/* Reads words the compiler may consider out of bounds (other frames,
 * redzones), so AddressSanitizer must not instrument it. */
__attribute__((no_sanitize_address)) static void copy_words(uintptr_t *dst, const uintptr_t *src,
                                                            size_t n)
{
    for (size_t i = 0; i < n; i++) dst[i] = ((const volatile uintptr_t *)src)[i];
}

void heap_mark_range(tapa_heap *h, const void *lo, const void *hi)
{
    uintptr_t a = ((uintptr_t)lo + 7) & ~(uintptr_t)7;
    uintptr_t end = (uintptr_t)hi & ~(uintptr_t)7;
    enum { CHUNK = 512 };
    uintptr_t words[CHUNK];
    while (a < end) {
        size_t n = (end - a) / 8;
        if (n > CHUNK) n = CHUNK;
        copy_words(words, (const uintptr_t *)a, n);
#ifdef TAPA_VALGRIND
        /* stack words may be uninitialised: we only compare them */
        VALGRIND_MAKE_MEM_DEFINED(words, n * sizeof words[0]);
#endif
        for (size_t i = 0; i < n; i++) {
            tapa_box *b = box_containing(h, words[i]);
            if (b) heap_mark_term(h, TERM_OF_BOX(b));
        }
        a += n * 8;
    }
}

void heap_sweep(tapa_heap *h)
{
    tapa_box **link = &h->boxes;
    h->lo = h->hi = 0;
    h->nlarge = 0;
    while (*link) {
        tapa_box *b = *link;
        if (b->mark) {
            b->mark = 0;
            note_box(h, b, PREFIX_OF(b)->bytes);
            link = &b->next;
            continue;
        }
        *link = b->next;
        h->bytes -= PREFIX_OF(b)->bytes;
        h->count--;
        box_free(b);
    }
    set_rebuild(h, h->count);
    h->bytes_at_last_gc = h->bytes;
}

bool heap_wants_gc(const tapa_heap *h)
{
    size_t threshold = 2 * h->bytes_at_last_gc;
    if (threshold < GC_MIN_BYTES) threshold = GC_MIN_BYTES;
    return h->bytes > threshold;
}

/* ----------------------------------------------------------- copying -- */

/* A pending copy: the source term and the slot its copy goes to. */
typedef struct copy_job {
    tapa_term src;
    tapa_term *dst;
} copy_job;

typedef struct copy_ctx {
    tapa_heap *heap;
    copy_job *jobs;
    size_t len, cap;
} copy_ctx;

static void job_push(copy_ctx *c, tapa_term src, tapa_term *dst)
{
    if (!IS_BOXED(src)) {
        *dst = src;
        return;
    }
    if (c->len == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 256;
        copy_job *jobs = realloc(c->jobs, c->cap * sizeof *jobs);
        if (!jobs) {
            fputs("tapa: out of memory\n", stderr);
            abort();
        }
        c->jobs = jobs;
    }
    c->jobs[c->len++] = (copy_job){src, dst};
}

/* Bytes of the box as its type and size say (not counting the prefix). */
static size_t box_bytes(const tapa_box *b)
{
    switch (b->type) {
    case BOX_TUPLE:
        return sizeof(box_tuple) + b->size * sizeof(tapa_term);
    case BOX_CONS:
        return sizeof(box_cons);
    case BOX_BINARY:
        return sizeof(box_binary) + b->size;
    case BOX_FLOAT:
        return sizeof(box_float);
    case BOX_BIGINT:
        return sizeof(box_bigint) + b->size * sizeof(uint32_t);
    case BOX_MAP:
        return sizeof(box_map) + 2 * b->size * sizeof(tapa_term);
    case BOX_REF:
        return sizeof(box_ref);
    case BOX_FUN:
        return sizeof(box_fun) + b->size * sizeof(tapa_term);
    case BOX_PORT:
        return sizeof(box_port);
    default:
        return sizeof(tapa_box);
    }
}

/* Copies one box: leaves whole, containers with their children queued. */
static tapa_term copy_box(copy_ctx *c, tapa_box *src)
{
    size_t bytes = box_bytes(src);
    tapa_box *dst = heap_alloc(c->heap, (box_type)src->type, src->size, bytes);
    tapa_box *next = dst->next;
    memcpy(dst, src, bytes);
    dst->next = next;
    dst->mark = 0;
    switch (src->type) {
    case BOX_TUPLE:
        for (uint32_t i = 0; i < src->size; i++)
            job_push(c, ((box_tuple *)src)->elements[i], &((box_tuple *)dst)->elements[i]);
        break;
    case BOX_MAP:
        for (uint32_t i = 0; i < 2 * src->size; i++)
            job_push(c, ((box_map *)src)->kv[i], &((box_map *)dst)->kv[i]);
        break;
    case BOX_FUN:
        job_push(c, ((box_fun *)src)->foreign, &((box_fun *)dst)->foreign);
        for (uint32_t i = 0; i < src->size; i++)
            job_push(c, ((box_fun *)src)->captured[i], &((box_fun *)dst)->captured[i]);
        break;
    default:
        break;
    }
    return TERM_OF_BOX(dst);
}

/* Copies a list spine in a loop: each cell's head is queued, its tail is
 * the next iteration. */
static void copy_list(copy_ctx *c, tapa_term src, tapa_term *dst)
{
    while (IS_BOX_TYPE(src, BOX_CONS)) {
        box_cons *from = (box_cons *)BOX_OF(src);
        box_cons *to = (box_cons *)heap_alloc(c->heap, BOX_CONS, 0, sizeof(box_cons));
        *dst = TERM_OF_BOX(to);
        job_push(c, from->head, &to->head);
        dst = &to->tail;
        src = from->tail;
    }
    job_push(c, src, dst);
}

tapa_term heap_copy(tapa_heap *dst, tapa_term t)
{
    if (!IS_BOXED(t)) return t;
    tapa_term result = 0;
    copy_ctx c = {dst, NULL, 0, 0};
    job_push(&c, t, &result);
    while (c.len) {
        copy_job j = c.jobs[--c.len];
        if (IS_BOX_TYPE(j.src, BOX_CONS)) copy_list(&c, j.src, j.dst);
        else *j.dst = copy_box(&c, BOX_OF(j.src));
    }
    free(c.jobs);
    return result;
}

/* ------------------------------------------------------------ sizing -- */

static void size_visit(tapa_term t, void *ctx)
{
    if (IS_BOXED(t)) ts_push(ctx, t);
}

size_t term_size_bytes(tapa_term t)
{
    size_t total = 0;
    term_stack s = {0};
    size_visit(t, &s);
    while (s.len) {
        tapa_term cur = s.items[--s.len];
        while (IS_BOX_TYPE(cur, BOX_CONS)) {
            box_cons *c = (box_cons *)BOX_OF(cur);
            total += sizeof(box_cons);
            size_visit(c->head, &s);
            cur = c->tail;
        }
        if (!IS_BOXED(cur)) continue;
        total += box_bytes(BOX_OF(cur));
        box_children(BOX_OF(cur), size_visit, &s);
    }
    free(s.items);
    return total;
}
