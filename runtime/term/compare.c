/* compare.c — Erlang's term order and exact equality.
 *
 *   number < atom < reference < fun < port < pid < tuple < map < [] < list < binary
 *
 * Integers and floats compare by value (1 == 1.0), except in "exact" mode
 * (=:=, and map keys) where every integer sorts before every float. The
 * comparison runs on an explicit stack: list spines of any length and
 * nesting of any depth cost heap memory, never C stack.
 *
 * Orders checked against erl (OTP 25): pids compare by serial, then
 * number, then node name, then creation; references and ports by node
 * name first, then their words (most significant first) or number; maps
 * by size, then keys in key order, then values. Funs made in C order by
 * module, function, arity, then captured terms (the BEAM's own order for
 * funs depends on code-loading details we do not have).
 */
#include "term/term.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { R_NUMBER, R_ATOM, R_REF, R_FUN, R_PORT, R_PID, R_TUPLE, R_MAP, R_NIL, R_LIST, R_BINARY };

static int rank_of(tapa_term t)
{
    switch (TERM_TAG(t)) {
    case TAG_SMALL:
        return R_NUMBER;
    case TAG_ATOM:
        return R_ATOM;
    case TAG_PID:
        return R_PID;
    case TAG_NIL:
        return R_NIL;
    default:
        break;
    }
    switch (BOX_OF(t)->type) {
    case BOX_FLOAT:
    case BOX_BIGINT:
        return R_NUMBER;
    case BOX_REF:
        return R_REF;
    case BOX_FUN:
        return R_FUN;
    case BOX_PORT:
        return R_PORT;
    case BOX_TUPLE:
        return R_TUPLE;
    case BOX_MAP:
        return R_MAP;
    case BOX_CONS:
        return R_LIST;
    default:
        return R_BINARY;
    }
}

#define SIGN(x) ((x) < 0 ? -1 : (x) > 0 ? 1 : 0)
#define CMP(a, b) ((a) < (b) ? -1 : (a) > (b) ? 1 : 0)

/* ---------------------------------------------------------- integers -- */

/* An integer seen as sign + magnitude digits, small or big alike. */
typedef struct int_view {
    bool neg;
    uint32_t n;
    const uint32_t *d;
    uint32_t buf[40]; /* room for a small, or for a float's integer value */
} int_view;

static void view_u64(int_view *v, bool neg, uint64_t mag)
{
    v->neg = neg;
    v->buf[0] = (uint32_t)mag;
    v->buf[1] = (uint32_t)(mag >> 32);
    v->n = v->buf[1] ? 2 : v->buf[0] ? 1 : 0;
    v->d = v->buf;
}

static void view_int(int_view *v, tapa_term t)
{
    if (TERM_TAG(t) == TAG_SMALL) {
        int64_t x = SMALL_VALUE(t);
        view_u64(v, x < 0, x < 0 ? (uint64_t)0 - (uint64_t)x : (uint64_t)x);
        return;
    }
    const box_bigint *b = (const box_bigint *)BOX_OF(t);
    v->neg = b->h.flags != 0;
    v->n = b->h.size;
    v->d = b->digits;
}

/* The exact integer value of an integral float with |f| >= 2^53. */
static void view_big_float(int_view *v, double f)
{
    int e;
    double m = frexp(fabs(f), &e); /* |f| = m * 2^e, m in [0.5, 1), e <= 1024 */
    uint64_t mant = (uint64_t)ldexp(m, 53);
    int shift = e - 53; /* >= 0 for |f| >= 2^53 */
    __extension__ unsigned __int128 x = (unsigned __int128)mant << (shift % 32);
    int word = shift / 32;
    memset(v->buf, 0, sizeof v->buf);
    v->buf[word] = (uint32_t)x;
    v->buf[word + 1] = (uint32_t)(x >> 32);
    v->buf[word + 2] = (uint32_t)(x >> 64);
    v->neg = f < 0;
    v->n = (uint32_t)word + 3;
    while (v->n && !v->buf[v->n - 1]) v->n--;
    v->d = v->buf;
}

static int cmp_magnitude(const int_view *a, const int_view *b)
{
    if (a->n != b->n) return CMP(a->n, b->n);
    for (uint32_t i = a->n; i-- > 0;)
        if (a->d[i] != b->d[i]) return CMP(a->d[i], b->d[i]);
    return 0;
}

static int cmp_views(const int_view *a, const int_view *b)
{
    bool az = a->n == 0, bz = b->n == 0;
    int sa = az ? 0 : a->neg ? -1 : 1, sb = bz ? 0 : b->neg ? -1 : 1;
    if (sa != sb) return CMP(sa, sb);
    int c = cmp_magnitude(a, b);
    return sa < 0 ? -c : c;
}

static int cmp_ints(tapa_term a, tapa_term b)
{
    if (TERM_TAG(a) == TAG_SMALL && TERM_TAG(b) == TAG_SMALL)
        return CMP(SMALL_VALUE(a), SMALL_VALUE(b));
    int_view va, vb;
    view_int(&va, a);
    view_int(&vb, b);
    return cmp_views(&va, &vb);
}

/* Exact comparison of an integer with a float (no rounding surprises). */
static int cmp_int_float(tapa_term i, double f)
{
    if (fabs(f) < 9007199254740992.0) { /* 2^53: f's integer part fits */
        double fl = floor(f);
        int_view vi, vf;
        view_int(&vi, i);
        view_u64(&vf, fl < 0, (uint64_t)fabs(fl));
        int c = cmp_views(&vi, &vf);
        return c ? c : (f > fl ? -1 : 0);
    }
    int_view vi, vf;
    view_int(&vi, i);
    view_big_float(&vf, f);
    return cmp_views(&vi, &vf);
}

static bool is_float(tapa_term t)
{
    return IS_BOX_TYPE(t, BOX_FLOAT);
}
static double float_of(tapa_term t)
{
    return ((const box_float *)BOX_OF(t))->value;
}

static int cmp_numbers(tapa_term a, tapa_term b, bool exact)
{
    bool fa = is_float(a), fb = is_float(b);
    if (fa && fb) return CMP(float_of(a), float_of(b));
    if (!fa && !fb) return cmp_ints(a, b);
    if (exact) return fa ? 1 : -1; /* map-key order: integers first */
    return fa ? -cmp_int_float(b, float_of(a)) : cmp_int_float(a, float_of(b));
}

/* ------------------------------------------------------------ leaves -- */

static int cmp_atoms(tapa_term a, tapa_term b)
{
    size_t la, lb;
    const char *ta = atom_text(a, &la), *tb = atom_text(b, &lb);
    int c = memcmp(ta, tb, la < lb ? la : lb);
    return c ? SIGN(c) : CMP(la, lb);
}

static int cmp_nodes(uint32_t a, uint32_t b)
{
    if (a == b) return 0;
    const node_entry *na = node_at(a), *nb = node_at(b);
    int c = na->name == nb->name ? 0 : cmp_atoms(na->name, nb->name);
    return c ? c : CMP(na->creation, nb->creation);
}

static int cmp_pids(tapa_term a, tapa_term b)
{
    if (PID_SERIAL(a) != PID_SERIAL(b)) return CMP(PID_SERIAL(a), PID_SERIAL(b));
    if (PID_ID(a) != PID_ID(b)) return CMP(PID_ID(a), PID_ID(b));
    return cmp_nodes(PID_NODE(a), PID_NODE(b));
}

static int cmp_refs(const box_ref *a, const box_ref *b)
{
    int c = cmp_nodes(a->node, b->node);
    if (c) return c;
    if (a->h.size != b->h.size) return CMP(a->h.size, b->h.size);
    for (uint32_t i = a->h.size; i-- > 0;)
        if (a->words[i] != b->words[i]) return CMP(a->words[i], b->words[i]);
    return 0;
}

static int cmp_ports(const box_port *a, const box_port *b)
{
    int c = cmp_nodes(a->node, b->node);
    return c ? c : CMP(a->id, b->id);
}

static int cmp_binaries(const box_binary *a, const box_binary *b)
{
    uint32_t n = a->h.size < b->h.size ? a->h.size : b->h.size;
    int c = n ? memcmp(a->bytes, b->bytes, n) : 0;
    return c ? SIGN(c) : CMP(a->h.size, b->h.size);
}

/* ------------------------------------------------------- the walker -- */

typedef struct cmp_job {
    tapa_term a, b;
    bool exact;
} cmp_job;

typedef struct cmp_stack {
    cmp_job *jobs;
    size_t len, cap;
    cmp_job small[32]; /* most comparisons never need the heap */
} cmp_stack;

static void push(cmp_stack *s, tapa_term a, tapa_term b, bool exact)
{
    if (s->len == s->cap) {
        size_t cap = s->cap * 2;
        cmp_job *jobs =
            s->jobs == s->small ? malloc(cap * sizeof *jobs) : realloc(s->jobs, cap * sizeof *jobs);
        if (!jobs) {
            fputs("tapa: out of memory\n", stderr);
            abort();
        }
        if (s->jobs == s->small) memcpy(jobs, s->small, sizeof s->small);
        s->jobs = jobs;
        s->cap = cap;
    }
    s->jobs[s->len++] = (cmp_job){a, b, exact};
}

/* Funs: module, function, arity, then captured terms (queued). Foreign
 * funs compare by their external bytes. */
static int cmp_funs(cmp_stack *s, const box_fun *a, const box_fun *b, bool exact)
{
    int c = a->module == b->module ? 0 : cmp_atoms(a->module, b->module);
    if (!c && a->function != b->function) c = cmp_atoms(a->function, b->function);
    if (!c) c = CMP(a->arity, b->arity);
    if (!c) c = CMP(a->kind, b->kind);
    if (!c) c = CMP(a->h.size, b->h.size);
    if (c) return c;
    for (uint32_t i = a->h.size; i-- > 0;) push(s, a->captured[i], b->captured[i], exact);
    push(s, a->foreign, b->foreign, exact);
    return 0;
}

/* Compares one pair; containers queue their parts (first part on top). */
static int step(cmp_stack *s, cmp_job j)
{
    tapa_term a = j.a, b = j.b;
    int ra = rank_of(a), rb = rank_of(b);
    if (ra != rb) return CMP(ra, rb);
    switch (ra) {
    case R_NUMBER:
        return cmp_numbers(a, b, j.exact);
    case R_ATOM:
        return cmp_atoms(a, b);
    case R_PID:
        return cmp_pids(a, b);
    case R_NIL:
        return 0;
    case R_REF:
        return cmp_refs((const box_ref *)BOX_OF(a), (const box_ref *)BOX_OF(b));
    case R_PORT:
        return cmp_ports((const box_port *)BOX_OF(a), (const box_port *)BOX_OF(b));
    case R_BINARY:
        return cmp_binaries((const box_binary *)BOX_OF(a), (const box_binary *)BOX_OF(b));
    case R_FUN:
        return cmp_funs(s, (const box_fun *)BOX_OF(a), (const box_fun *)BOX_OF(b), j.exact);
    case R_LIST: {
        const box_cons *ca = (const box_cons *)BOX_OF(a), *cb = (const box_cons *)BOX_OF(b);
        push(s, ca->tail, cb->tail, j.exact);
        push(s, ca->head, cb->head, j.exact);
        return 0;
    }
    case R_TUPLE: {
        const box_tuple *ta = (const box_tuple *)BOX_OF(a), *tb = (const box_tuple *)BOX_OF(b);
        if (ta->h.size != tb->h.size) return CMP(ta->h.size, tb->h.size);
        for (uint32_t i = ta->h.size; i-- > 0;) push(s, ta->elements[i], tb->elements[i], j.exact);
        return 0;
    }
    default: { /* R_MAP: keys (always exact) first, then values */
        const box_map *ma = (const box_map *)BOX_OF(a), *mb = (const box_map *)BOX_OF(b);
        if (ma->h.size != mb->h.size) return CMP(ma->h.size, mb->h.size);
        for (uint32_t i = ma->h.size; i-- > 0;)
            push(s, ma->kv[2 * i + 1], mb->kv[2 * i + 1], j.exact);
        for (uint32_t i = ma->h.size; i-- > 0;) push(s, ma->kv[2 * i], mb->kv[2 * i], true);
        return 0;
    }
    }
}

static int compare(tapa_term a, tapa_term b, bool exact)
{
    cmp_stack s;
    s.jobs = s.small;
    s.len = 0;
    s.cap = sizeof s.small / sizeof s.small[0];
    push(&s, a, b, exact);
    int c = 0;
    while (s.len && !c) {
        cmp_job j = s.jobs[--s.len];
        if (j.a != j.b) c = step(&s, j); /* the same word is the same term */
    }
    if (s.jobs != s.small) free(s.jobs);
    return c;
}

int tapa_compare(tapa_term a, tapa_term b)
{
    TERM_ARG(a, "tapa_compare", 1);
    TERM_ARG(b, "tapa_compare", 2);
    return compare(a, b, false);
}
int term_compare_exact(tapa_term a, tapa_term b)
{
    return compare(a, b, true);
}
bool tapa_equal(tapa_term a, tapa_term b)
{
    TERM_ARG(a, "tapa_equal", 1);
    TERM_ARG(b, "tapa_equal", 2);
    return compare(a, b, true) == 0;
}
