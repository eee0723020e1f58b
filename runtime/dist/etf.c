/* etf.c — encoding and decoding of the external term format.
 *
 * Tags and layouts follow OTP's erl_ext_dist. The encoder writes what
 * term_to_binary(T, [{minor_version, 2}]) writes (so golden bytes from a
 * real node compare equal); the decoder also reads the older forms BEAM
 * still sends (latin-1 atoms, PID_EXT, FLOAT_EXT, compressed terms).
 */
#include "dist/etf.h"
#include "support/utf8.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

etf_limits etf_default_limits = {
    .max_depth = 100000,
    .max_new_atoms = 10000,
    .max_inflated = 64u << 20,
};

/* ------------------------------------------------------------- buffer -- */

void dbuf_reserve(dbuf *b, size_t more)
{
    if (b->len + more <= b->cap) return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + more) cap *= 2;
    uint8_t *d = realloc(b->data, cap);
    if (!d) abort();
    b->data = d;
    b->cap = cap;
}

void dbuf_put(dbuf *b, const void *bytes, size_t n)
{
    if (!n) return;
    dbuf_reserve(b, n);
    memcpy(b->data + b->len, bytes, n);
    b->len += n;
}

void dbuf_u8(dbuf *b, uint8_t v)
{
    dbuf_put(b, &v, 1);
}
void dbuf_u16(dbuf *b, uint16_t v)
{
    uint8_t x[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    dbuf_put(b, x, 2);
}
void dbuf_u32(dbuf *b, uint32_t v)
{
    uint8_t x[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    dbuf_put(b, x, 4);
}
void dbuf_u64(dbuf *b, uint64_t v)
{
    dbuf_u32(b, (uint32_t)(v >> 32));
    dbuf_u32(b, (uint32_t)v);
}
void dbuf_free(dbuf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* ------------------------------------------------------------ encoder -- */

static void enc_atom(dbuf *b, tapa_term a)
{
    size_t len;
    const char *s = atom_text(a, &len);
    if (len < 256) {
        dbuf_u8(b, ETF_SMALL_ATOM_UTF8_EXT);
        dbuf_u8(b, (uint8_t)len);
    } else {
        dbuf_u8(b, ETF_ATOM_UTF8_EXT);
        dbuf_u16(b, (uint16_t)len);
    }
    dbuf_put(b, s, len);
}

/* Little-endian magnitude bytes, high zero bytes dropped. */
static void enc_big_bytes(dbuf *b, bool negative, const uint8_t *mag, size_t n)
{
    while (n > 0 && mag[n - 1] == 0) n--;
    if (n < 256) {
        dbuf_u8(b, ETF_SMALL_BIG_EXT);
        dbuf_u8(b, (uint8_t)n);
    } else {
        dbuf_u8(b, ETF_LARGE_BIG_EXT);
        dbuf_u32(b, (uint32_t)n);
    }
    dbuf_u8(b, negative ? 1 : 0);
    dbuf_put(b, mag, n);
}

static void enc_small(dbuf *b, int64_t v)
{
    if (v >= 0 && v <= 255) {
        dbuf_u8(b, ETF_SMALL_INTEGER_EXT);
        dbuf_u8(b, (uint8_t)v);
    } else if (v >= INT32_MIN && v <= INT32_MAX) {
        dbuf_u8(b, ETF_INTEGER_EXT);
        dbuf_u32(b, (uint32_t)(int32_t)v);
    } else {
        uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
        uint8_t bytes[8];
        for (int i = 0; i < 8; i++) bytes[i] = (uint8_t)(mag >> (8 * i));
        enc_big_bytes(b, v < 0, bytes, 8);
    }
}

static void enc_bigint(dbuf *b, const box_bigint *big)
{
    size_t n = (size_t)big->h.size * 4;
    uint8_t *bytes = malloc(n ? n : 1);
    if (!bytes) abort();
    for (size_t i = 0; i < n; i++) bytes[i] = (uint8_t)(big->digits[i / 4] >> (8 * (i % 4)));
    enc_big_bytes(b, big->h.flags & 1, bytes, n);
    free(bytes);
}

static void enc_node(dbuf *b, uint32_t node, uint32_t *creation)
{
    const node_entry *e = node_at(node);
    enc_atom(b, e ? e->name : A(nonode_nohost));
    *creation = e ? e->creation : 0;
}

static void enc_pid(dbuf *b, tapa_term pid)
{
    uint32_t creation;
    dbuf_u8(b, ETF_NEW_PID_EXT);
    enc_node(b, PID_NODE(pid), &creation);
    dbuf_u32(b, PID_ID(pid));
    dbuf_u32(b, PID_SERIAL(pid));
    dbuf_u32(b, creation);
}

static void enc_ref(dbuf *b, const box_ref *r)
{
    uint32_t creation;
    dbuf_u8(b, ETF_NEWER_REFERENCE_EXT);
    dbuf_u16(b, (uint16_t)r->h.size);
    enc_node(b, r->node, &creation);
    dbuf_u32(b, creation);
    for (uint32_t i = 0; i < r->h.size && i < 5; i++) dbuf_u32(b, r->words[i]);
}

static void enc_port(dbuf *b, const box_port *p)
{
    uint32_t creation;
    bool small = p->id <= 0xffffffffu;
    dbuf_u8(b, small ? ETF_NEW_PORT_EXT : ETF_V4_PORT_EXT);
    enc_node(b, p->node, &creation);
    if (small) dbuf_u32(b, (uint32_t)p->id);
    else dbuf_u64(b, p->id);
    dbuf_u32(b, creation);
}

static void enc_float(dbuf *b, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    dbuf_u8(b, ETF_NEW_FLOAT_EXT);
    dbuf_u64(b, bits);
}

/* A list of bytes shorter than 65536 is a STRING_EXT, as BEAM writes it. */
static bool string_like(tapa_term t, size_t *n)
{
    size_t len = 0;
    for (; IS_BOX_TYPE(t, BOX_CONS); t = ((box_cons *)BOX_OF(t))->tail) {
        tapa_term h = ((box_cons *)BOX_OF(t))->head;
        if (TERM_TAG(h) != TAG_SMALL || SMALL_VALUE(h) < 0 || SMALL_VALUE(h) > 255) return false;
        if (++len >= 65536) return false;
    }
    *n = len;
    return t == TERM_NIL;
}

static void enc_string(dbuf *b, tapa_term t, size_t n)
{
    dbuf_u8(b, ETF_STRING_EXT);
    dbuf_u16(b, (uint16_t)n);
    dbuf_reserve(b, n);
    for (; t != TERM_NIL; t = ((box_cons *)BOX_OF(t))->tail)
        b->data[b->len++] = (uint8_t)SMALL_VALUE(((box_cons *)BOX_OF(t))->head);
}

/* The explicit stack of terms still to write: deep terms do not recurse
 * on the (small) stack of the process that sends them. */
typedef struct wstack {
    tapa_term *items;
    size_t n, cap;
} wstack;

static void ws_push(wstack *s, tapa_term t)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->items = realloc(s->items, s->cap * sizeof *s->items);
        if (!s->items) abort();
    }
    s->items[s->n++] = t;
}

static void enc_list(dbuf *b, wstack *s, tapa_term t)
{
    size_t n = 0;
    if (string_like(t, &n)) {
        enc_string(b, t, n);
        return;
    }
    size_t start = s->n;
    tapa_term tail = t;
    n = 0;
    for (; IS_BOX_TYPE(tail, BOX_CONS); tail = ((box_cons *)BOX_OF(tail))->tail) n++;
    dbuf_u8(b, ETF_LIST_EXT);
    dbuf_u32(b, (uint32_t)n);
    ws_push(s, tail);
    for (tapa_term c = t; c != tail; c = ((box_cons *)BOX_OF(c))->tail)
        ws_push(s, ((box_cons *)BOX_OF(c))->head);
    /* elements were pushed first-to-last after the tail: reverse them so
     * the first pops first */
    for (size_t i = start + 1, j = s->n - 1; i < j; i++, j--) {
        tapa_term x = s->items[i];
        s->items[i] = s->items[j];
        s->items[j] = x;
    }
}

static bool enc_fun(dbuf *b, const box_fun *f, char *err, size_t errlen);

static bool enc_box(dbuf *b, wstack *s, tapa_term t, char *err, size_t errlen)
{
    tapa_box *box = BOX_OF(t);
    switch (box->type) {
    case BOX_TUPLE: {
        box_tuple *tu = (box_tuple *)box;
        if (tu->h.size < 256) {
            dbuf_u8(b, ETF_SMALL_TUPLE_EXT);
            dbuf_u8(b, (uint8_t)tu->h.size);
        } else {
            dbuf_u8(b, ETF_LARGE_TUPLE_EXT);
            dbuf_u32(b, tu->h.size);
        }
        for (uint32_t i = tu->h.size; i-- > 0;) ws_push(s, tu->elements[i]);
        return true;
    }
    case BOX_CONS:
        enc_list(b, s, t);
        return true;
    case BOX_BINARY:
        dbuf_u8(b, ETF_BINARY_EXT);
        dbuf_u32(b, box->size);
        dbuf_put(b, ((box_binary *)box)->bytes, box->size);
        return true;
    case BOX_FLOAT:
        enc_float(b, ((box_float *)box)->value);
        return true;
    case BOX_BIGINT:
        enc_bigint(b, (box_bigint *)box);
        return true;
    case BOX_MAP: {
        box_map *m = (box_map *)box;
        dbuf_u8(b, ETF_MAP_EXT);
        dbuf_u32(b, m->h.size);
        for (uint32_t i = 2 * m->h.size; i-- > 0;) ws_push(s, m->kv[i]);
        return true;
    }
    case BOX_REF:
        enc_ref(b, (box_ref *)box);
        return true;
    case BOX_PORT:
        enc_port(b, (box_port *)box);
        return true;
    case BOX_FUN:
        return enc_fun(b, (box_fun *)box, err, errlen);
    }
    set_err(err, errlen, "term_to_binary: unknown box type %d", box->type);
    return false;
}

static bool enc_one(dbuf *b, wstack *s, tapa_term t, char *err, size_t errlen)
{
    switch (TERM_TAG(t)) {
    case TAG_SMALL:
        enc_small(b, SMALL_VALUE(t));
        return true;
    case TAG_ATOM:
        enc_atom(b, t);
        return true;
    case TAG_PID:
        enc_pid(b, t);
        return true;
    case TAG_NIL:
        dbuf_u8(b, ETF_NIL_EXT);
        return true;
    case TAG_BOXED:
        if (t) return enc_box(b, s, t, err, errlen);
        break;
    }
    set_err(err, errlen, "term_to_binary: not a term (0x%llx)", (unsigned long long)t);
    return false;
}

bool etf_encode_term(dbuf *b, tapa_term t, char *err, size_t errlen)
{
    wstack s = {0};
    ws_push(&s, t);
    bool ok = true;
    while (ok && s.n) ok = enc_one(b, &s, s.items[--s.n], err, errlen);
    free(s.items);
    return ok;
}

bool etf_encode(dbuf *b, tapa_term t, char *err, size_t errlen)
{
    dbuf_u8(b, ETF_VERSION);
    return etf_encode_term(b, t, err, errlen);
}

/* fun M:F/A is an EXPORT_EXT; a C fun with captured terms is a NEW_FUN_EXT
 * marked as ours; a fun that came from BEAM goes back byte for byte. */
static bool enc_fun(dbuf *b, const box_fun *f, char *err, size_t errlen)
{
    if (f->kind == FUN_FOREIGN) {
        if (!IS_BOX_TYPE(f->foreign, BOX_BINARY)) {
            set_err(err, errlen, "term_to_binary: a foreign fun without its bytes");
            return false;
        }
        box_binary *raw = (box_binary *)BOX_OF(f->foreign);
        dbuf_put(b, raw->bytes, raw->h.size);
        return true;
    }
    if (f->h.size == 0) {
        dbuf_u8(b, ETF_EXPORT_EXT);
        enc_atom(b, f->module);
        enc_atom(b, f->function);
        enc_small(b, f->arity);
        return true;
    }
    size_t start = b->len;
    dbuf_u8(b, ETF_NEW_FUN_EXT);
    dbuf_u32(b, 0); /* Size, patched below */
    dbuf_u8(b, (uint8_t)f->arity);
    dbuf_put(b, ETF_TAPA_FUN_MAGIC, 16);
    dbuf_u32(b, 0); /* Index */
    dbuf_u32(b, f->h.size + 1); /* NumFree: the name, then the captured terms */
    enc_atom(b, f->module);
    enc_small(b, 0); /* OldIndex */
    enc_small(b, 0); /* OldUniq */
    enc_pid(b, MAKE_PID(0, 0, 0));
    enc_atom(b, f->function);
    for (uint32_t i = 0; i < f->h.size; i++)
        if (!etf_encode_term(b, f->captured[i], err, errlen)) return false;
    uint32_t size = (uint32_t)(b->len - start - 1);
    uint8_t *p = b->data + start + 1;
    p[0] = (uint8_t)(size >> 24), p[1] = (uint8_t)(size >> 16), p[2] = (uint8_t)(size >> 8);
    p[3] = (uint8_t)size;
    return true;
}

/* ------------------------------------------------------------ decoder -- */

struct dframe;

typedef struct dec {
    const uint8_t *p, *end;
    const etf_limits *lim;
    uint32_t new_atoms;
    size_t budget, spent; /* bytes the decoded term may cost, and has cost */
    struct dframe *frames; /* the explicit stack of containers being filled */
    size_t nframes, frames_cap;
    struct dframe *inline_frames; /* most terms fit here: no malloc per decode */
    char *err;
    size_t errlen;
    bool failed;
} dec;

static tapa_term fail(dec *d, const char *fmt, ...)
{
    if (d->failed) return TAPA_NONE; /* keep the first, most precise reason */
    d->failed = true;
    if (d->err && d->errlen) {
        va_list ap;
        va_start(ap, fmt);
        int n = snprintf(d->err, d->errlen, "binary_to_term: ");
        if (n > 0 && (size_t)n < d->errlen) vsnprintf(d->err + n, d->errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return TAPA_NONE;
}

/* Memory a decoded term may take is charged before it is allocated: a
 * hostile packet cannot make the node allocate more than the budget. */
#define BOX_COST 48 /* a box's header, its list link and malloc's own */

static bool charge(dec *d, size_t boxes, size_t bytes)
{
    size_t cost = boxes * BOX_COST + bytes;
    if (cost <= d->budget - d->spent && d->spent <= d->budget) {
        d->spent += cost;
        return true;
    }
    fail(d,
         "a term that would take more than %zu bytes of memory (the limit for a term of "
         "its size: tapa_dist_limits)",
         d->budget);
    return false;
}

static bool need(dec *d, size_t n)
{
    if ((size_t)(d->end - d->p) >= n) return true;
    fail(d, "truncated: %zu more bytes needed, %zu left", n, (size_t)(d->end - d->p));
    return false;
}

static size_t left(const dec *d)
{
    return (size_t)(d->end - d->p);
}
static uint8_t rd8(dec *d)
{
    return *d->p++;
}
static uint16_t rd16(dec *d)
{
    uint16_t v = (uint16_t)(d->p[0] << 8 | d->p[1]);
    d->p += 2;
    return v;
}
static uint32_t rd32(dec *d)
{
    uint32_t v =
        (uint32_t)d->p[0] << 24 | (uint32_t)d->p[1] << 16 | (uint32_t)d->p[2] << 8 | d->p[3];
    d->p += 4;
    return v;
}
static uint64_t rd64(dec *d)
{
    uint64_t hi = rd32(d);
    return hi << 32 | rd32(d);
}

static tapa_term make_atom(dec *d, const char *s, size_t n)
{
    tapa_term a = atom_lookup(s, n);
    if (a) return a;
    if (d->lim->existing_atoms_only)
        return fail(d, "the atom '%.*s' does not exist (safe mode)", (int)(n > 64 ? 64 : n), s);
    if (++d->new_atoms > d->lim->max_new_atoms)
        return fail(d, "more than %u new atoms in one term", d->lim->max_new_atoms);
    if (d->lim->atoms_left && *d->lim->atoms_left == 0)
        return fail(d, "more new atoms than one peer may add to the atom table");
    /* the last sixteenth of the table is kept for this node's own atoms
     * and the names of nodes that connect: peers cannot fill it */
    size_t limit = atom_limit();
    if (atom_count() >= limit - limit / 16)
        return fail(d, "the atom table is full for atoms from other nodes (%zu of %zu)",
                    atom_count(), limit);
    a = atom_intern(s, n);
    if (a && d->lim->atoms_left) (*d->lim->atoms_left)--;
    return a ? a : fail(d, "the atom table is full");
}

static tapa_term dec_atom_body(dec *d, size_t n, bool utf8)
{
    if (!need(d, n)) return TAPA_NONE;
    const uint8_t *s = d->p;
    d->p += n;
    if (utf8) {
        long chars = tapa_utf8_count(s, n);
        if (chars < 0) return fail(d, "an atom that is not valid UTF-8");
        if (chars > 255) return fail(d, "an atom of %ld characters (at most 255)", chars);
        return make_atom(d, (const char *)s, n);
    }
    if (n > 255) return fail(d, "an atom of %zu characters (at most 255)", n);
    char buf[512]; /* latin-1 to UTF-8: at most two bytes a character */
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < 0x80) {
            buf[m++] = (char)s[i];
        } else {
            buf[m++] = (char)(0xc0 | s[i] >> 6);
            buf[m++] = (char)(0x80 | (s[i] & 0x3f));
        }
    }
    return make_atom(d, buf, m);
}

static tapa_term dec_atom_tagged(dec *d, uint8_t tag)
{
    switch (tag) {
    case ETF_SMALL_ATOM_UTF8_EXT:
        return need(d, 1) ? dec_atom_body(d, rd8(d), true) : TAPA_NONE;
    case ETF_ATOM_UTF8_EXT:
        return need(d, 2) ? dec_atom_body(d, rd16(d), true) : TAPA_NONE;
    case ETF_SMALL_ATOM_EXT:
        return need(d, 1) ? dec_atom_body(d, rd8(d), false) : TAPA_NONE;
    case ETF_ATOM_EXT:
        return need(d, 2) ? dec_atom_body(d, rd16(d), false) : TAPA_NONE;
    case ETF_ATOM_CACHE_REF:
        return fail(d, "an atom cache reference (never negotiated)");
    }
    return fail(d, "expected an atom, found tag %u", tag);
}

static tapa_term dec_atom(dec *d)
{
    if (!need(d, 1)) return TAPA_NONE;
    return dec_atom_tagged(d, rd8(d));
}

/* Node incarnations decoding has added to the node table: a peer must not
 * fill it. Each connection has its own budget (etf_limits.nodes_left), so
 * one peer that names made-up nodes is cut off alone; all of them share a
 * ceiling. Nodes we connected to are trusted apart (etf_trust_node), so
 * their pids always decode. */
#define MAX_DECODED_NODES 4096
#define MAX_TRUSTED_NODES 2048
static struct {
    tapa_term name;
    uint32_t creation;
} seen_nodes[MAX_DECODED_NODES + MAX_TRUSTED_NODES];
static uint32_t nseen_nodes, ndecoded_nodes;

static bool node_seen(tapa_term name, uint32_t creation)
{
    for (uint32_t i = 0; i < nseen_nodes; i++)
        if (seen_nodes[i].name == name && seen_nodes[i].creation == creation) return true;
    return false;
}

static const char *node_room(dec *d, tapa_term name, uint32_t creation)
{
    if (node_seen(name, creation)) return NULL;
    if (d->lim->nodes_left && *d->lim->nodes_left == 0)
        return "pids, refs or ports of more node incarnations than one peer may name";
    if (ndecoded_nodes == MAX_DECODED_NODES)
        return "pids, refs or ports of more than 4096 node incarnations";
    if (d->lim->nodes_left) (*d->lim->nodes_left)--;
    ndecoded_nodes++;
    seen_nodes[nseen_nodes].name = name;
    seen_nodes[nseen_nodes++].creation = creation;
    return NULL;
}

/* A reconnection with a new creation, once the trusted part is full,
 * takes the place of an older incarnation of the same name. */
void etf_trust_node(tapa_term name, uint32_t creation)
{
    if (node_seen(name, creation)) return;
    if (nseen_nodes - ndecoded_nodes < MAX_TRUSTED_NODES) {
        seen_nodes[nseen_nodes].name = name;
        seen_nodes[nseen_nodes++].creation = creation;
        return;
    }
    for (uint32_t i = 0; i < nseen_nodes; i++)
        if (seen_nodes[i].name == name) {
            seen_nodes[i].creation = creation;
            return;
        }
}

/* The node-table index of (name, creation): 0 for this node. */
static uint32_t node_for(dec *d, tapa_term name, uint32_t creation)
{
    const node_entry *local = node_at(0);
    bool here = local->name == name && local->creation == creation;
    const char *why = here ? NULL : node_room(d, name, creation);
    uint32_t idx;
    if (!why && !node_index_try(name, creation, &idx)) why = "the node table is full";
    if (why) {
        fail(d, "%s", why);
        return UINT32_MAX;
    }
    return idx;
}

static tapa_term dec_pid(dec *d, bool wide_creation)
{
    tapa_term name = dec_atom(d);
    if (!name || !need(d, wide_creation ? 12 : 9)) return TAPA_NONE;
    uint32_t id = rd32(d), serial = rd32(d);
    uint32_t creation = wide_creation ? rd32(d) : rd8(d);
    if (serial >> PID_SERIAL_BITS) return fail(d, "a pid serial too large (%u)", serial);
    uint32_t node = node_for(d, name, creation);
    return node == UINT32_MAX ? TAPA_NONE : MAKE_PID(node, id, serial);
}

static tapa_term dec_port(dec *d, int form)
{
    tapa_term name = dec_atom(d);
    size_t n = form == ETF_PORT_EXT ? 5 : form == ETF_NEW_PORT_EXT ? 8 : 12;
    if (!name || !need(d, n)) return TAPA_NONE;
    uint64_t id = form == ETF_V4_PORT_EXT ? rd64(d) : rd32(d);
    uint32_t creation = form == ETF_PORT_EXT ? rd8(d) : rd32(d);
    uint32_t node = node_for(d, name, creation);
    return node == UINT32_MAX ? TAPA_NONE : term_port_make(node, id);
}

static tapa_term dec_ref(dec *d, int form)
{
    uint16_t nwords = 1;
    if (form != ETF_REFERENCE_EXT) {
        if (!need(d, 2)) return TAPA_NONE;
        nwords = rd16(d);
        if (nwords < 1 || nwords > 5) return fail(d, "a reference of %u words (1 to 5)", nwords);
    }
    tapa_term name = dec_atom(d);
    size_t cbytes = form == ETF_NEWER_REFERENCE_EXT ? 4 : 1;
    if (!name || !need(d, cbytes + 4u * nwords)) return TAPA_NONE;
    uint32_t creation = cbytes == 4 ? rd32(d) : rd8(d);
    uint32_t words[5];
    for (uint16_t i = 0; i < nwords; i++) words[i] = rd32(d);
    uint32_t node = node_for(d, name, creation);
    return node == UINT32_MAX ? TAPA_NONE : term_ref_make(node, words, nwords);
}

static tapa_term dec_big(dec *d, size_t n)
{
    if (!need(d, 1 + n)) return TAPA_NONE;
    bool negative = rd8(d) != 0;
    const uint8_t *mag = d->p;
    d->p += n;
    while (n > 0 && mag[n - 1] == 0) n--;
    if (n <= 8) {
        uint64_t v = 0;
        for (size_t i = n; i-- > 0;) v = v << 8 | mag[i];
        if (!negative && v <= (uint64_t)SMALL_MAX) return MAKE_SMALL((int64_t)v);
        if (negative && v <= (uint64_t)SMALL_MAX + 1) return MAKE_SMALL(-(int64_t)(v - 1) - 1);
    }
    size_t ndigits = (n + 3) / 4;
    if (!charge(d, 1, 2 * n + 8)) return TAPA_NONE;
    uint32_t *digits = calloc(ndigits ? ndigits : 1, sizeof *digits);
    if (!digits) abort();
    for (size_t i = 0; i < n; i++) digits[i / 4] |= (uint32_t)mag[i] << (8 * (i % 4));
    tapa_term t = term_bigint_from_digits(negative, digits, ndigits);
    free(digits);
    return t;
}

static tapa_term dec_old_float(dec *d)
{
    if (!need(d, 31)) return TAPA_NONE;
    char text[32];
    memcpy(text, d->p, 31);
    text[31] = 0;
    d->p += 31;
    char *endp;
    double v = strtod(text, &endp);
    if (endp == text || !isfinite(v)) return fail(d, "a FLOAT_EXT that is not a finite number");
    return tapa_float(v);
}

static tapa_term dec_string(dec *d)
{
    if (!need(d, 2)) return TAPA_NONE;
    size_t n = rd16(d);
    if (!need(d, n) || !charge(d, n, 16 * n)) return TAPA_NONE;
    tapa_term list = TERM_NIL;
    for (size_t i = n; i-- > 0;) list = tapa_cons(MAKE_SMALL(d->p[i]), list);
    d->p += n;
    return list;
}

static tapa_term dec_binary(dec *d, bool bits)
{
    if (!need(d, bits ? 5 : 4)) return TAPA_NONE;
    size_t n = rd32(d);
    unsigned last_bits = bits ? rd8(d) : 8;
    if (!need(d, n)) return TAPA_NONE;
    if (last_bits != 8 && n > 0)
        return fail(d,
                    "a bitstring of %zu bytes with %u bits in the last (only whole bytes are "
                    "supported)",
                    n, last_bits);
    if (!charge(d, 1, n)) return TAPA_NONE;
    tapa_term t = tapa_binary(d->p, n);
    d->p += n;
    return t;
}

/* Map keys in the runtime's own key order (term_compare_exact: every
 * integer before every float), so a map from the wire is the same map as
 * one built here from the same pairs, and patterns find its keys. */
static int cmp_keys(const void *a, const void *b)
{
    const tapa_term *x = a, *y = b;
    return term_compare_exact(x[0], y[0]);
}

static box_fun *new_fun(uint8_t kind, tapa_term module, tapa_term function, int arity, size_t nfree)
{
    box_fun *f = NEW_BOX(box_fun, BOX_FUN, nfree, nfree * sizeof(tapa_term));
    f->kind = kind;
    f->arity = arity;
    f->module = module;
    f->function = function;
    f->foreign = TERM_NIL;
    f->fn = NULL; /* resolved against the exports when applied */
    for (size_t i = 0; i < nfree; i++) f->captured[i] = TERM_NIL;
    return f;
}

static tapa_term dec_export(dec *d)
{
    tapa_term m = dec_atom(d);
    tapa_term f = m ? dec_atom(d) : TAPA_NONE;
    if (!f || !need(d, 2)) return TAPA_NONE;
    if (rd8(d) != ETF_SMALL_INTEGER_EXT)
        return fail(d, "an EXPORT_EXT whose arity is not a small integer");
    return TERM_OF_BOX(new_fun(FUN_EXPORTED, m, f, rd8(d), 0));
}

static tapa_term dec_number(dec *d, uint8_t tag)
{
    switch (tag) {
    case ETF_SMALL_INTEGER_EXT:
        return need(d, 1) ? MAKE_SMALL(rd8(d)) : TAPA_NONE;
    case ETF_INTEGER_EXT:
        return need(d, 4) ? MAKE_SMALL((int32_t)rd32(d)) : TAPA_NONE;
    case ETF_SMALL_BIG_EXT:
        return need(d, 1) ? dec_big(d, rd8(d)) : TAPA_NONE;
    case ETF_LARGE_BIG_EXT:
        return need(d, 4) ? dec_big(d, rd32(d)) : TAPA_NONE;
    case ETF_FLOAT_EXT:
        return dec_old_float(d);
    case ETF_NEW_FLOAT_EXT: {
        if (!need(d, 8)) return TAPA_NONE;
        uint64_t bits = rd64(d);
        double v;
        memcpy(&v, &bits, sizeof v);
        return isfinite(v) ? tapa_float(v) : fail(d, "a float that is NaN or infinite");
    }
    }
    return TAPA_NONE;
}

/* Terms that hold no other terms (funs and containers are below). */
static tapa_term dec_leaf(dec *d, uint8_t tag)
{
    switch (tag) {
    case ETF_SMALL_INTEGER_EXT:
    case ETF_INTEGER_EXT:
    case ETF_SMALL_BIG_EXT:
    case ETF_LARGE_BIG_EXT:
    case ETF_FLOAT_EXT:
    case ETF_NEW_FLOAT_EXT:
        return dec_number(d, tag);
    case ETF_SMALL_ATOM_UTF8_EXT:
    case ETF_ATOM_UTF8_EXT:
    case ETF_SMALL_ATOM_EXT:
    case ETF_ATOM_EXT:
    case ETF_ATOM_CACHE_REF:
        return dec_atom_tagged(d, tag);
    case ETF_PID_EXT:
        return dec_pid(d, false);
    case ETF_NEW_PID_EXT:
        return dec_pid(d, true);
    case ETF_PORT_EXT:
    case ETF_NEW_PORT_EXT:
    case ETF_V4_PORT_EXT:
        return dec_port(d, tag);
    case ETF_REFERENCE_EXT:
    case ETF_NEW_REFERENCE_EXT:
    case ETF_NEWER_REFERENCE_EXT:
        return dec_ref(d, tag);
    case ETF_NIL_EXT:
        return TERM_NIL;
    case ETF_STRING_EXT:
        return dec_string(d);
    case ETF_BINARY_EXT:
        return dec_binary(d, false);
    case ETF_BIT_BINARY_EXT:
        return dec_binary(d, true);
    case ETF_EXPORT_EXT:
        return dec_export(d);
    case ETF_FUN_EXT:
        return fail(d, "an old FUN_EXT (BEAM has not sent these since OTP R8)");
    case ETF_COMPRESSED:
        return fail(d, "a compressed term inside a term");
    }
    return fail(d, "unknown tag %u", tag);
}

/* A leaf read on its own (the fixed fields of a fun). */
static tapa_term dec_simple(dec *d)
{
    if (d->failed || !need(d, 1) || !charge(d, 1, 0)) return TAPA_NONE;
    return dec_leaf(d, rd8(d));
}

/* ----------------------------------------------- the explicit stack -- */

/* A container whose elements are still being read. Its term is already
 * in its parent's slot (the box exists, its slots are filled in place:
 * nobody else can see it yet); the frame says where the next element
 * goes. Nesting costs heap memory (charged), never C stack. */
enum { FR_ROOT, FR_TUPLE, FR_MAP, FR_LIST, FR_CFUN, FR_BEAMFUN };

typedef struct dframe {
    uint8_t kind;
    size_t i, n; /* slots filled, slots in all */
    tapa_term *slots; /* ROOT, TUPLE, MAP: the slots */
    box_cons *cell; /* LIST: the cell whose head (or, at the end, tail) comes next */
    box_fun *fun; /* CFUN, BEAMFUN */
    const uint8_t *start; /* BEAMFUN, CFUN: the fun's tag, and its Size */
    uint32_t size;
    tapa_term scrap; /* BEAMFUN: free variables are read and dropped */
} dframe;

static dframe *push_frame(dec *d, uint8_t kind, size_t n)
{
    if (d->nframes >= d->lim->max_depth) {
        fail(d, "nested deeper than %u levels", d->lim->max_depth);
        return NULL;
    }
    if (!charge(d, 0, sizeof(dframe))) return NULL;
    if (d->nframes == d->frames_cap) {
        size_t cap = d->frames_cap * 2;
        bool was_inline = d->frames == d->inline_frames;
        dframe *f = realloc(was_inline ? NULL : d->frames, cap * sizeof *f);
        if (!f) {
            fail(d, "out of memory for %zu levels of nesting", cap);
            return NULL;
        }
        if (was_inline) memcpy(f, d->frames, d->nframes * sizeof *f);
        d->frames = f;
        d->frames_cap = cap;
    }
    dframe *f = &d->frames[d->nframes++];
    *f = (dframe){.kind = kind, .n = n};
    return f;
}

#define INLINE_FRAMES 16

static tapa_term *frame_slot(dframe *f)
{
    switch (f->kind) {
    case FR_LIST:
        return f->i < f->n - 1 ? &f->cell->head : &f->cell->tail;
    case FR_CFUN:
        return f->i == 0 ? &f->fun->function : &f->fun->captured[f->i - 1];
    case FR_BEAMFUN:
        return &f->scrap;
    default:
        return &f->slots[f->i];
    }
}

/* A container is complete: check what can only be checked now. */
static bool frame_done(dec *d, dframe *f)
{
    switch (f->kind) {
    case FR_MAP: {
        size_t n = f->n / 2;
        qsort(f->slots, n, 2 * sizeof(tapa_term), cmp_keys);
        for (size_t i = 1; i < n; i++)
            if (tapa_equal(f->slots[2 * i - 2], f->slots[2 * i])) {
                fail(d, "a map with a repeated key");
                return false;
            }
        return true;
    }
    case FR_CFUN:
        if (!tapa_is_atom(f->fun->function)) {
            fail(d, "a C fun whose name is not an atom");
            return false;
        }
        if ((size_t)(d->p - f->start - 1) != f->size) {
            fail(d, "a C fun whose size is wrong");
            return false;
        }
        return true;
    case FR_BEAMFUN:
        if ((size_t)(d->p - f->start - 1) != f->size) {
            fail(d, "a NEW_FUN_EXT whose Size (%u) does not match its contents", f->size);
            return false;
        }
        if (!charge(d, 1, f->size + 1)) return false;
        f->fun->foreign = tapa_binary(f->start, f->size + 1);
        return true;
    }
    return true;
}

/* One slot was filled: move on, closing the containers it completed. */
static bool advance(dec *d)
{
    while (d->nframes) {
        dframe *f = &d->frames[d->nframes - 1];
        if (f->kind == FR_LIST && f->i + 1 < f->n - 1) f->cell = (box_cons *)BOX_OF(f->cell->tail);
        if (++f->i < f->n) return true;
        if (!frame_done(d, f)) return false;
        d->nframes--;
    }
    return true;
}

/* ----------------------------------------------------- containers -- */

typedef enum { STEP_FAIL, STEP_FILLED, STEP_OPENED, STEP_SAME_SLOT } step_result;

static step_result open_tuple(dec *d, tapa_term *slot, size_t arity)
{
    if (arity > left(d)) {
        fail(d, "a tuple of %zu elements in %zu bytes", arity, left(d));
        return STEP_FAIL;
    }
    if (!charge(d, 1, arity * sizeof(tapa_term))) return STEP_FAIL;
    box_tuple *t = NEW_BOX(box_tuple, BOX_TUPLE, arity, arity * sizeof(tapa_term));
    for (size_t i = 0; i < arity; i++) t->elements[i] = TERM_NIL;
    *slot = TERM_OF_BOX(t);
    if (!arity) return STEP_FILLED;
    dframe *f = push_frame(d, FR_TUPLE, arity);
    if (!f) return STEP_FAIL;
    f->slots = t->elements;
    return STEP_OPENED;
}

static step_result open_map(dec *d, tapa_term *slot)
{
    if (!need(d, 4)) return STEP_FAIL;
    size_t n = rd32(d);
    if (n > left(d) / 2) {
        fail(d, "a map of %zu pairs in %zu bytes", n, left(d));
        return STEP_FAIL;
    }
    if (!charge(d, 1, 2 * n * sizeof(tapa_term))) return STEP_FAIL;
    box_map *m = NEW_BOX(box_map, BOX_MAP, n, 2 * n * sizeof(tapa_term));
    for (size_t i = 0; i < 2 * n; i++) m->kv[i] = TERM_NIL;
    *slot = TERM_OF_BOX(m);
    if (!n) return STEP_FILLED;
    dframe *f = push_frame(d, FR_MAP, 2 * n);
    if (!f) return STEP_FAIL;
    f->slots = m->kv;
    return STEP_OPENED;
}

/* LIST_EXT: the cells are made at once, linked, and filled in place;
 * with no elements it is just its tail, which goes in the same slot. */
static step_result open_list(dec *d, tapa_term *slot)
{
    if (!need(d, 4)) return STEP_FAIL;
    size_t n = rd32(d);
    if (n > left(d)) {
        fail(d, "a list of %zu elements in %zu bytes", n, left(d));
        return STEP_FAIL;
    }
    if (!n) return STEP_SAME_SLOT;
    if (!charge(d, n, n * 2 * sizeof(tapa_term))) return STEP_FAIL;
    tapa_term list = TERM_NIL;
    for (size_t i = 0; i < n; i++) {
        box_cons *c = NEW_BOX(box_cons, BOX_CONS, 0, 0);
        c->head = TERM_NIL;
        c->tail = list;
        list = TERM_OF_BOX(c);
    }
    *slot = list;
    dframe *f = push_frame(d, FR_LIST, n + 1);
    if (!f) return STEP_FAIL;
    f->cell = (box_cons *)BOX_OF(list);
    return STEP_OPENED;
}

/* NEW_FUN_EXT: Size:32 Arity:8 Uniq:16 Index:32 NumFree:32 Module OldIndex
 * OldUniq Pid FreeVars. One of our C funs has its function's name, then
 * its captures, as free variables; a BEAM fun is kept as its bytes. */
static step_result open_new_fun(dec *d, tapa_term *slot)
{
    const uint8_t *start = d->p - 1;
    if (!need(d, 29)) return STEP_FAIL;
    uint32_t size = rd32(d);
    if (size < 29 || size - 4 > left(d) + 25) {
        fail(d, "a NEW_FUN_EXT of %u bytes with %zu left", size, left(d) + 25);
        return STEP_FAIL;
    }
    int arity = rd8(d);
    const uint8_t *uniq = d->p;
    d->p += 20; /* Uniq and Index */
    uint32_t nfree = rd32(d);
    if (nfree > left(d)) {
        fail(d, "a fun with %u free variables in %zu bytes", nfree, left(d));
        return STEP_FAIL;
    }
    tapa_term module = dec_atom(d);
    tapa_term old_index = module ? dec_simple(d) : TAPA_NONE;
    tapa_term old_uniq = old_index ? dec_simple(d) : TAPA_NONE;
    tapa_term pid = old_uniq ? dec_simple(d) : TAPA_NONE;
    if (!pid) return STEP_FAIL;
    if (!tapa_is_integer(old_index) || !tapa_is_integer(old_uniq) || !tapa_is_pid(pid)) {
        fail(d, "a NEW_FUN_EXT with malformed fields");
        return STEP_FAIL;
    }
    bool ours = memcmp(uniq, ETF_TAPA_FUN_MAGIC, 16) == 0;
    if (ours && nfree < 1) {
        fail(d, "a C fun without its function name");
        return STEP_FAIL;
    }
    size_t ncaptured = ours ? nfree - 1 : 0;
    if (!charge(d, 1, ncaptured * sizeof(tapa_term))) return STEP_FAIL;
    box_fun *fun = new_fun(ours ? FUN_EXPORTED : FUN_FOREIGN, module,
                           ours ? TERM_NIL : A(undefined), arity, ncaptured);
    *slot = TERM_OF_BOX(fun);
    dframe *f = push_frame(d, ours ? FR_CFUN : FR_BEAMFUN, nfree);
    if (!f) return STEP_FAIL;
    f->fun = fun;
    f->start = start;
    f->size = size;
    if (nfree) return STEP_OPENED;
    d->nframes--; /* a BEAM fun with no free variables: complete now */
    return frame_done(d, f) ? STEP_FILLED : STEP_FAIL;
}

static step_result dec_step(dec *d, tapa_term *slot)
{
    if (d->failed || !need(d, 1) || !charge(d, 1, 0)) return STEP_FAIL;
    uint8_t tag = rd8(d);
    switch (tag) {
    case ETF_SMALL_TUPLE_EXT:
        return need(d, 1) ? open_tuple(d, slot, rd8(d)) : STEP_FAIL;
    case ETF_LARGE_TUPLE_EXT:
        return need(d, 4) ? open_tuple(d, slot, rd32(d)) : STEP_FAIL;
    case ETF_MAP_EXT:
        return open_map(d, slot);
    case ETF_LIST_EXT:
        return open_list(d, slot);
    case ETF_NEW_FUN_EXT:
        return open_new_fun(d, slot);
    }
    tapa_term t = dec_leaf(d, tag);
    if (!t || d->failed) return STEP_FAIL;
    *slot = t;
    return STEP_FILLED;
}

static tapa_term dec_term(dec *d)
{
    tapa_term result = TERM_NIL;
    size_t base = d->nframes;
    dframe *root = push_frame(d, FR_ROOT, 1);
    if (!root) return TAPA_NONE;
    root->slots = &result;
    while (d->nframes > base) {
        step_result r = dec_step(d, frame_slot(&d->frames[d->nframes - 1]));
        if (r == STEP_FAIL) return TAPA_NONE;
        if (r == STEP_FILLED && !advance(d)) return TAPA_NONE;
    }
    return d->failed ? TAPA_NONE : result;
}

/* 80, UncompressedSize:32, zlib data: inflate to exactly that size. The
 * stated size is checked against the limits before anything is made. */
static tapa_term dec_compressed(dec *d)
{
    if (!need(d, 4)) return TAPA_NONE;
    size_t size = rd32(d);
    if (size > d->lim->max_inflated)
        return fail(d, "a compressed term of %zu bytes (the limit is %zu)", size,
                    d->lim->max_inflated);
    if (!charge(d, 0, size)) return TAPA_NONE;
    uint8_t *out = malloc(size ? size : 1);
    if (!out) return fail(d, "out of memory inflating %zu bytes", size);
    z_stream z = {0};
    z.next_in = (Bytef *)d->p;
    z.avail_in = (uInt)(left(d) > UINT32_MAX ? UINT32_MAX : left(d));
    z.next_out = out;
    z.avail_out = (uInt)size;
    int rc = inflateInit(&z) == Z_OK ? inflate(&z, Z_FINISH) : Z_DATA_ERROR;
    size_t produced = size - z.avail_out;
    d->p += z.total_in;
    inflateEnd(&z);
    tapa_term t;
    if (rc != Z_STREAM_END || produced != size) {
        t = fail(d, "a compressed term that does not inflate to its stated %zu bytes", size);
    } else {
        const uint8_t *p = d->p, *end = d->end;
        d->p = out;
        d->end = out + size;
        t = dec_term(d);
        if (t && d->p != d->end)
            t = fail(d, "%zu stray bytes after a compressed term", (size_t)(d->end - d->p));
        d->p = p;
        d->end = end;
    }
    free(out);
    return t;
}

static size_t budget_for(const etf_limits *lim, size_t len)
{
    size_t per = lim->heap_per_byte ? lim->heap_per_byte : 256;
    size_t floor = lim->heap_floor ? lim->heap_floor : 1u << 20;
    size_t b = len > SIZE_MAX / per ? SIZE_MAX : len * per;
    return b < floor ? floor : b;
}

tapa_term etf_decode(const uint8_t *buf, size_t len, size_t *used, const etf_limits *lim, char *err,
                     size_t errlen)
{
    dframe inline_frames[INLINE_FRAMES];
    dec d = {.p = buf,
             .end = buf + len,
             .lim = lim ? lim : &etf_default_limits,
             .err = err,
             .errlen = errlen,
             .frames = inline_frames,
             .frames_cap = INLINE_FRAMES,
             .inline_frames = inline_frames};
    d.budget = budget_for(d.lim, len);
    if (err && errlen) err[0] = 0;
    tapa_term t = TAPA_NONE;
    if (!need(&d, 2)) return TAPA_NONE;
    if (rd8(&d) != ETF_VERSION) return fail(&d, "not an external term (no 131 version byte)");
    if (*d.p == ETF_COMPRESSED) {
        d.p++;
        t = dec_compressed(&d);
    } else {
        t = dec_term(&d);
    }
    if (d.frames != inline_frames) free(d.frames);
    if (used) *used = (size_t)(d.p - buf);
    return d.failed ? TAPA_NONE : t;
}

size_t etf_decode_budget(const etf_limits *lim, size_t len)
{
    return budget_for(lim ? lim : &etf_default_limits, len);
}
