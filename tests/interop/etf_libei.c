/* etf_libei.c — libei (OTP's erl_interface) as a second decoder of what
 * libtapa's encoder writes. Run by `make test-libei` when erlang-dev is
 * installed (SKIPPED otherwise).
 *
 * Each term is encoded with etf_encode, then walked with ei_get_type and
 * ei_decode_* into a canonical text; the same text is made from the tapa
 * term's own structure (and, for a table of hand-written cases, compared
 * with the text written here). Then random terms, a few thousand of them.
 * Integers print as sign and hex magnitude, floats as %a (exact), atoms
 * and binaries as bytes: nothing lossy, unlike ei_s_print_term.
 */
#include "dist/etf.h"

#include <ei.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static int failures, checks;

typedef struct text {
    char *s;
    size_t len, cap;
} text;

static void put(text *t, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        size_t room = t->cap - t->len;
        int n = vsnprintf(t->s ? t->s + t->len : NULL, t->s ? room : 0, fmt, ap);
        va_end(ap);
        if (n < 0) abort();
        if (t->s && (size_t)n < room) {
            t->len += (size_t)n;
            return;
        }
        t->cap = (t->cap + (size_t)n + 1) * 2;
        t->s = realloc(t->s, t->cap);
        if (!t->s) abort();
        if (t->len == 0) t->s[0] = 0;
    }
}

static void put_bytes(text *t, const char *tag, const uint8_t *p, size_t n)
{
    put(t, "%s", tag);
    for (size_t i = 0; i < n; i++) put(t, "%02x", p[i]);
}

/* Sign and hex magnitude from little-endian magnitude bytes. */
static void put_int_le(text *t, bool negative, const uint8_t *mag, size_t n)
{
    while (n > 0 && mag[n - 1] == 0) n--;
    put(t, "i:%s0x", negative && n ? "-" : "");
    if (!n) put(t, "0");
    for (size_t i = n; i-- > 0;) put(t, i == n - 1 ? "%x" : "%02x", mag[i]);
}

static void put_int64(text *t, int64_t v)
{
    uint64_t m = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    uint8_t b[8];
    for (int i = 0; i < 8; i++) b[i] = (uint8_t)(m >> (8 * i));
    put_int_le(t, v < 0, b, 8);
}

/* ------------------------------------------------------- libei's view -- */

static bool ei_walk(const char *buf, int *ix, text *t);

static bool ei_walk_list(const char *buf, int *ix, text *t)
{
    int arity;
    if (ei_decode_list_header(buf, ix, &arity) < 0) return false;
    put(t, "[");
    for (int i = 0; i < arity; i++) {
        if (i) put(t, ",");
        if (!ei_walk(buf, ix, t)) return false;
    }
    put(t, "|");
    if (!ei_walk(buf, ix, t)) return false; /* the tail, [] when proper */
    put(t, "]");
    return true;
}

static bool ei_walk(const char *buf, int *ix, text *t)
{
    int type, size;
    if (ei_get_type(buf, ix, &type, &size) < 0) return false;
    switch (type) {
    case ERL_SMALL_INTEGER_EXT:
    case ERL_INTEGER_EXT: {
        long v;
        if (ei_decode_long(buf, ix, &v) < 0) return false;
        put_int64(t, v);
        return true;
    }
    case ERL_SMALL_BIG_EXT:
    case ERL_LARGE_BIG_EXT: {
        erlang_big *big = ei_alloc_big((unsigned)size);
        if (!big || ei_decode_big(buf, ix, big) < 0) return false;
        uint8_t *mag = calloc((size_t)size + 2, 1);
        const unsigned short *d = big->digits;
        for (int i = 0; i < size; i++) mag[i] = (uint8_t)(d[i / 2] >> (8 * (i % 2)));
        put_int_le(t, big->is_neg, mag, (size_t)size);
        free(mag);
        ei_free_big(big);
        return true;
    }
    case ERL_FLOAT_EXT:
    case NEW_FLOAT_EXT: {
        double v;
        if (ei_decode_double(buf, ix, &v) < 0) return false;
        put(t, "f:%a", v);
        return true;
    }
    case ERL_ATOM_EXT:
    case ERL_SMALL_ATOM_EXT:
    case ERL_ATOM_UTF8_EXT:
    case ERL_SMALL_ATOM_UTF8_EXT: {
        char a[MAXATOMLEN_UTF8];
        if (ei_decode_atom_as(buf, ix, a, sizeof a, ERLANG_UTF8, NULL, NULL) < 0) return false;
        put_bytes(t, "a:", (const uint8_t *)a, strlen(a));
        return true;
    }
    case ERL_SMALL_TUPLE_EXT:
    case ERL_LARGE_TUPLE_EXT: {
        int arity;
        if (ei_decode_tuple_header(buf, ix, &arity) < 0) return false;
        put(t, "{");
        for (int i = 0; i < arity; i++) {
            if (i) put(t, ",");
            if (!ei_walk(buf, ix, t)) return false;
        }
        put(t, "}");
        return true;
    }
    case ERL_NIL_EXT: {
        int arity;
        if (ei_decode_list_header(buf, ix, &arity) < 0 || arity != 0) return false;
        put(t, "[]");
        return true;
    }
    case ERL_STRING_EXT: { /* a list of bytes */
        char *s = malloc((size_t)size + 1);
        if (!s || ei_decode_string(buf, ix, s) < 0) return false;
        put(t, "[");
        for (int i = 0; i < size; i++) {
            if (i) put(t, ",");
            put_int64(t, (uint8_t)s[i]);
        }
        put(t, "|[]]");
        free(s);
        return true;
    }
    case ERL_LIST_EXT:
        return ei_walk_list(buf, ix, t);
    case ERL_BINARY_EXT: {
        uint8_t *b = malloc((size_t)size + 1);
        long len;
        if (!b || ei_decode_binary(buf, ix, b, &len) < 0) return false;
        put_bytes(t, "b:", b, (size_t)len);
        free(b);
        return true;
    }
    case ERL_MAP_EXT: {
        int arity;
        if (ei_decode_map_header(buf, ix, &arity) < 0) return false;
        put(t, "#{");
        for (int i = 0; i < 2 * arity; i++) {
            if (i) put(t, i % 2 ? "=>" : ",");
            if (!ei_walk(buf, ix, t)) return false;
        }
        put(t, "}");
        return true;
    }
    case ERL_PID_EXT:
    case ERL_NEW_PID_EXT: {
        erlang_pid p;
        if (ei_decode_pid(buf, ix, &p) < 0) return false;
        put(t, "p:%s.%u.%u.%u", p.node, p.num, p.serial, p.creation);
        return true;
    }
    case ERL_PORT_EXT:
    case ERL_NEW_PORT_EXT:
    case ERL_V4_PORT_EXT: {
        erlang_port p;
        if (ei_decode_port(buf, ix, &p) < 0) return false;
        put(t, "o:%s.%llu.%u", p.node, (unsigned long long)p.id, p.creation);
        return true;
    }
    case ERL_REFERENCE_EXT:
    case ERL_NEW_REFERENCE_EXT:
    case ERL_NEWER_REFERENCE_EXT: {
        erlang_ref r;
        if (ei_decode_ref(buf, ix, &r) < 0) return false;
        put(t, "r:%s.%u", r.node, r.creation);
        for (int i = 0; i < r.len; i++) put(t, ".%u", r.n[i]);
        return true;
    }
    case ERL_EXPORT_EXT:
    case ERL_NEW_FUN_EXT: {
        erlang_fun f;
        if (ei_decode_fun(buf, ix, &f) < 0) return false;
        if (f.type == EI_FUN_EXPORT) put(t, "F:%s:%s/%ld", f.module, f.u.exprt.func, f.arity);
        else put(t, "C:%s/%ld/%ld", f.module, f.arity, f.u.closure.n_free_vars);
        free_fun(&f);
        return true;
    }
    }
    fprintf(stderr, "libei: an unexpected type %d\n", type);
    return false;
}

/* -------------------------------------------------------- tapa's view -- */

static void node_text(text *t, uint32_t node)
{
    size_t n;
    const char *name = atom_text(node_at(node)->name, &n);
    put(t, "%.*s", (int)n, name);
}

static void tapa_walk(tapa_term x, text *t)
{
    switch (TERM_TAG(x)) {
    case TAG_SMALL:
        put_int64(t, SMALL_VALUE(x));
        return;
    case TAG_ATOM: {
        size_t n;
        const char *s = atom_text(x, &n);
        put_bytes(t, "a:", (const uint8_t *)s, n);
        return;
    }
    case TAG_PID:
        put(t, "p:");
        node_text(t, PID_NODE(x));
        put(t, ".%u.%u.%u", PID_ID(x), PID_SERIAL(x), node_at(PID_NODE(x))->creation);
        return;
    case TAG_NIL:
        put(t, "[]");
        return;
    }
    tapa_box *b = BOX_OF(x);
    switch (b->type) {
    case BOX_TUPLE:
        put(t, "{");
        for (uint32_t i = 0; i < b->size; i++) {
            if (i) put(t, ",");
            tapa_walk(((box_tuple *)b)->elements[i], t);
        }
        put(t, "}");
        return;
    case BOX_CONS: {
        put(t, "[");
        bool first = true;
        for (; IS_BOX_TYPE(x, BOX_CONS); x = ((box_cons *)BOX_OF(x))->tail) {
            if (!first) put(t, ",");
            first = false;
            tapa_walk(((box_cons *)BOX_OF(x))->head, t);
        }
        put(t, "|");
        tapa_walk(x, t);
        put(t, "]");
        return;
    }
    case BOX_BINARY:
        put_bytes(t, "b:", ((box_binary *)b)->bytes, b->size);
        return;
    case BOX_FLOAT:
        put(t, "f:%a", ((box_float *)b)->value);
        return;
    case BOX_BIGINT: {
        size_t n = (size_t)b->size * 4;
        uint8_t *mag = malloc(n + 1);
        for (size_t i = 0; i < n; i++)
            mag[i] = (uint8_t)(((box_bigint *)b)->digits[i / 4] >> (8 * (i % 4)));
        put_int_le(t, b->flags & 1, mag, n);
        free(mag);
        return;
    }
    case BOX_MAP:
        put(t, "#{");
        for (uint32_t i = 0; i < 2 * b->size; i++) {
            if (i) put(t, i % 2 ? "=>" : ",");
            tapa_walk(((box_map *)b)->kv[i], t);
        }
        put(t, "}");
        return;
    case BOX_REF: {
        box_ref *r = (box_ref *)b;
        put(t, "r:");
        node_text(t, r->node);
        put(t, ".%u", node_at(r->node)->creation);
        for (uint32_t i = 0; i < b->size; i++) put(t, ".%u", r->words[i]);
        return;
    }
    case BOX_PORT: {
        box_port *p = (box_port *)b;
        put(t, "o:");
        node_text(t, p->node);
        put(t, ".%llu.%u", (unsigned long long)p->id, node_at(p->node)->creation);
        return;
    }
    case BOX_FUN: {
        box_fun *f = (box_fun *)b;
        size_t mn, fn;
        const char *m = atom_text(f->module, &mn), *fu = atom_text(f->function, &fn);
        if (f->h.size == 0) put(t, "F:%.*s:%.*s/%d", (int)mn, m, (int)fn, fu, f->arity);
        else put(t, "C:%.*s/%d/%u", (int)mn, m, f->arity, f->h.size + 1);
        return;
    }
    }
    put(t, "?");
}

/* ------------------------------------------------------------ checks -- */

/* Encode with libtapa, decode with libei; compare with tapa's own view and,
 * when given, the expected text. */
static void check(const char *label, tapa_term x, const char *expect)
{
    checks++;
    dbuf b = {0};
    char err[200];
    text mine = {0}, theirs = {0};
    if (!etf_encode(&b, x, err, sizeof err)) {
        printf("FAIL %s: encode: %s\n", label, err);
        failures++;
        return;
    }
    int ix = 0, version;
    bool ok = ei_decode_version((const char *)b.data, &ix, &version) == 0 && version == 131 &&
              ei_walk((const char *)b.data, &ix, &theirs) && (size_t)ix == b.len;
    tapa_walk(x, &mine);
    if (!ok) {
        printf("FAIL %s: libei could not decode it (stopped at byte %d of %zu)\n", label, ix,
               b.len);
        failures++;
    } else if (strcmp(mine.s, theirs.s) != 0 || (expect && strcmp(expect, theirs.s) != 0)) {
        printf("FAIL %s:\n  libei: %s\n  tapa:  %s\n", label, theirs.s, mine.s);
        if (expect) printf("  want:  %s\n", expect);
        failures++;
    }
    free(mine.s);
    free(theirs.s);
    dbuf_free(&b);
}

/* ------------------------------------------------------- random terms -- */

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint64_t rnd(void)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return rng;
}
static uint32_t below(uint32_t n)
{
    return (uint32_t)(rnd() % n);
}

static tapa_term random_term(int depth)
{
    static const char *atoms[] = {"ok", "hello",      "ünïcödé", "Elixir.Tapa.Demo",
                                  "",   "with space", "日本"};
    uint32_t kind = below(depth > 3 ? 9 : 14);
    switch (kind) {
    case 0:
        return tapa_int((int64_t)below(256));
    case 1:
        return tapa_int(-(int64_t)below(1u << 31) - 1);
    case 2: { /* around the small-integer edge, and 64-bit values */
        int64_t edges[] = {SMALL_MAX, SMALL_MAX - 1, SMALL_MIN, SMALL_MIN + 1,
                           INT64_MAX, INT64_MIN,     1LL << 31, -(1LL << 31) - 1};
        return tapa_int(edges[below(8)]);
    }
    case 3: { /* a bignum of up to 40 digits */
        uint32_t d[40];
        size_t n = 1 + below(40);
        for (size_t i = 0; i < n; i++) d[i] = (uint32_t)rnd();
        return term_bigint_from_digits(below(2), d, n);
    }
    case 4: {
        double v;
        uint64_t bits = rnd();
        memcpy(&v, &bits, sizeof v);
        if (v != v || v - v != 0)
            v = (double)(int64_t)rnd() / 7.0; /* NaN and infinities have no form */
        return tapa_float(v);
    }
    case 5:
        return tapa_atom(atoms[below(7)]);
    case 6: {
        uint8_t bytes[64];
        size_t n = below(64);
        for (size_t i = 0; i < n; i++) bytes[i] = (uint8_t)rnd();
        return tapa_binary(bytes, n);
    }
    case 7:
        return MAKE_PID(below(2) ? 0 : node_index_of(tapa_atom("other@host"), 77), below(1u << 28),
                        below(8192));
    case 8: {
        uint32_t w[5] = {(uint32_t)rnd() & 0x3ffff, (uint32_t)rnd(), (uint32_t)rnd(),
                         (uint32_t)rnd(), (uint32_t)rnd()};
        return term_ref_make(below(2) ? 0 : node_index_of(tapa_atom("other@host"), 77), w,
                             below(2) ? 3 : 5);
    }
    case 9:
    case 10: { /* a tuple */
        size_t n = below(6);
        tapa_term e[6];
        for (size_t i = 0; i < n; i++) e[i] = random_term(depth + 1);
        return tapa_tuple_v(n, e);
    }
    case 11: { /* a list, sometimes improper, sometimes of bytes */
        size_t n = below(6);
        bool bytes = below(3) == 0;
        tapa_term l = below(4) == 0 ? random_term(depth + 1) : TERM_NIL;
        for (size_t i = 0; i < n; i++)
            l = tapa_cons(bytes ? tapa_int(below(256)) : random_term(depth + 1), l);
        return l;
    }
    case 12: {
        tapa_term m = tapa_map_new();
        size_t n = below(5);
        for (size_t i = 0; i < n; i++)
            m = tapa_map_put(m, random_term(depth + 1), random_term(depth + 1));
        return m;
    }
    default:
        return tapa_fun("Tapa.Demo", "add_n", 1, random_term(depth + 1));
    }
}

int main(void)
{
    ei_init();
    atoms_init();
    tapa_current_heap = heap_global();
    node_set_local(tapa_atom("me@127.0.0.1"), 0x01020304);
    uint32_t other = node_index_of(tapa_atom("other@host"), 77);

    check("small", tapa_int(1), "i:0x1");
    check("byte", tapa_int(255), "i:0xff");
    check("negative", tapa_int(-1), "i:-0x1");
    check("i32 min", tapa_int(INT32_MIN), "i:-0x80000000");
    check("beyond i32", tapa_int(2147483648LL), "i:0x80000000");
    check("small max", tapa_int(SMALL_MAX), "i:0xfffffffffffffff");
    check("int64 min", tapa_int(INT64_MIN), "i:-0x8000000000000000");
    check("bignum", tapa_t("123456789012345678901234567890"), "i:0x18ee90ff6c373e0ee4e3f0ad2");
    check("negative bignum", tapa_t("-18446744073709551616"), "i:-0x10000000000000000");
    check("float", tapa_float(-1.5), "f:-0x1.8p+0");
    check("float 0.1", tapa_float(0.1), "f:0x1.999999999999ap-4");
    check("atom", tapa_atom("hello"), "a:68656c6c6f");
    check("unicode atom", tapa_atom("ünï"), "a:c3bc6ec3af");
    check("empty atom", tapa_atom(""), "a:");
    check("nil", tapa_empty_list(), "[]");
    check("empty tuple", tapa_t("{}"), "{}");
    check("tuple", tapa_t("{1, :a}"), "{i:0x1,a:61}");
    check("binary", tapa_t("\"bin\""), "b:62696e");
    check("string", tapa_t("'abc'"), "[i:0x61,i:0x62,i:0x63|[]]");
    check("list", tapa_t("[1000, 2]"), "[i:0x3e8,i:0x2|[]]");
    check("improper", tapa_t("[1, 2 | 3]"), "[i:0x1,i:0x2|i:0x3]");
    check("map", tapa_t("%{a: 1, b: \"x\"}"), "#{a:61=>i:0x1,a:62=>b:78}");
    check("local pid", MAKE_PID(0, 85, 2), "p:me@127.0.0.1.85.2.16909060");
    check("remote pid", MAKE_PID(other, 7, 1), "p:other@host.7.1.77");
    check("ref 3 words", term_ref_make(0, (uint32_t[]){1, 2, 3}, 3),
          "r:me@127.0.0.1.16909060.1.2.3");
    check("ref 5 words", term_ref_make(other, (uint32_t[]){1, 2, 3, 4, 5}, 5),
          "r:other@host.77.1.2.3.4.5");
    check("port", term_port_make(other, 42), "o:other@host.42.77");
    check("v4 port", term_port_make(other, 1ULL << 40), "o:other@host.1099511627776.77");
    check("export fun", tapa_fun(":lists", "reverse", 1), "F:lists:reverse/1");
    check("C fun", tapa_fun("Tapa.Demo", "add_n", 1, tapa_int(42)), "C:Elixir.Tapa.Demo/1/2");
    tapa_term big_tuple = tapa_empty_list();
    {
        tapa_term e[300];
        for (int i = 0; i < 300; i++) e[i] = tapa_int(i);
        big_tuple = tapa_tuple_v(300, e);
    }
    check("300-tuple", big_tuple, NULL);
    char long_atom[256];
    memset(long_atom, 'x', 255);
    long_atom[255] = 0;
    check("255-character atom", tapa_atom(long_atom), NULL);
    /* 255 characters of two bytes each: a SMALL_ATOM_UTF8 cannot hold them */
    char wide[511];
    for (int i = 0; i < 255; i++) wide[2 * i] = (char)0xc3, wide[2 * i + 1] = (char)0xbc;
    wide[510] = 0;
    check("255 two-byte characters", tapa_atom(wide), NULL);
    tapa_term l = tapa_empty_list();
    for (int i = 0; i < 70000; i++) l = tapa_cons(tapa_int(i & 0xff), l);
    check("a byte list too long for STRING_EXT", l, NULL);

    for (int i = 0; i < 3000; i++) {
        char label[32];
        snprintf(label, sizeof label, "random term %d", i);
        check(label, random_term(0), NULL);
        if (failures > 10) break;
    }
    printf("%s libei decoded %d terms encoded by libtapa: %d failure(s)\n",
           failures ? "FAIL" : "ok", checks, failures);
    return failures ? 1 : 0;
}
