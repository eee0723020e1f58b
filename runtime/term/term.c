/* term.c — constructors and accessors of terms, and funs.
 *
 * New boxes go to tapa_current_heap (the running process's heap). The
 * accessors check types the way Erlang's BIFs do: the wrong type stops
 * the process with :badarg and a message saying which call and why.
 */
#include "support/utf8.h"
#include "term/term.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

_Noreturn void term_badarg(const char *fmt, ...)
{
    static char why[512]; /* term_fail does not return: one is enough */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    term_fail(A(badarg), why);
}

_Noreturn void term_none_fail(const char *fn, const char *what, size_t pos)
{
    term_badarg("%s %zu of %s is TAPA_NONE/0, not a term: write tapa_int(0) for the number 0 "
                "(TAPA_NONE is only what a failed tapa_parse returns)",
                what, pos, fn);
}

void term_check_terms(const tapa_term *terms, size_t n, const char *fn, const char *what)
{
    for (size_t i = 0; i < n; i++)
        if (terms[i] == TAPA_NONE) term_none_fail(fn, what, i + 1);
}

static uint32_t checked_size(size_t n, const char *what)
{
    if (n > UINT32_MAX) term_fail(A(system_limit), what);
    return (uint32_t)n;
}

tapa_type tapa_type_of(tapa_term t)
{
    switch (TERM_TAG(t)) {
    case TAG_SMALL:
        return TAPA_T_INTEGER;
    case TAG_ATOM:
        return TAPA_T_ATOM;
    case TAG_PID:
        return TAPA_T_PID;
    case TAG_NIL:
        return TAPA_T_EMPTY_LIST;
    case TAG_BOXED:
        break;
    default:
        return TAPA_T_NONE;
    }
    if (t == TAPA_NONE) return TAPA_T_NONE;
    switch (BOX_OF(t)->type) {
    case BOX_TUPLE:
        return TAPA_T_TUPLE;
    case BOX_CONS:
        return TAPA_T_LIST;
    case BOX_BINARY:
        return TAPA_T_BINARY;
    case BOX_FLOAT:
        return TAPA_T_FLOAT;
    case BOX_BIGINT:
        return TAPA_T_INTEGER;
    case BOX_MAP:
        return TAPA_T_MAP;
    case BOX_REF:
        return TAPA_T_REFERENCE;
    case BOX_FUN:
        return TAPA_T_FUN;
    case BOX_PORT:
        return TAPA_T_PORT;
    default:
        return TAPA_T_NONE;
    }
}

/* ------------------------------------------------------------- atoms -- */

tapa_term tapa_atom_n(const char *utf8_name, size_t len)
{
    tapa_term a = atom_intern(utf8_name, len);
    if (a == TAPA_NONE)
        term_fail(A(system_limit), "the atom table is full: no more atoms can be created");
    return a;
}

tapa_term tapa_atom(const char *utf8_name)
{
    return tapa_atom_n(utf8_name, strlen(utf8_name));
}
tapa_term tapa_true(void)
{
    return A(true);
}
tapa_term tapa_false(void)
{
    return A(false);
}
tapa_term tapa_bool(bool b)
{
    return b ? A(true) : A(false);
}

bool tapa_is_atom(tapa_term t)
{
    if (TERM_TAG(t) == TAG_ATOM) return true;
    TERM_ARG(t, "tapa_is_atom", 1); /* off the fast path */
    return false;
}

bool tapa_is_nil(tapa_term t)
{
    if (t == A(nil)) return true;
    TERM_ARG(t, "tapa_is_nil", 1); /* off the fast path */
    return false;
}

const char *tapa_atom_name(tapa_term atom)
{
    if (TERM_TAG(atom) != TAG_ATOM) {
        TERM_ARG(atom, "tapa_atom_name", 1);
        term_badarg("tapa_atom_name: the term is not an atom");
    }
    return atom_text(atom, NULL);
}

/* ---------------------------------------------------------- integers -- */

tapa_term term_bigint_from_digits(bool negative, const uint32_t *digits, size_t n)
{
    while (n > 0 && digits[n - 1] == 0) n--;
    if (n <= 2) {
        uint64_t mag = n == 0 ? 0 : digits[0] | (n == 2 ? (uint64_t)digits[1] << 32 : 0);
        if (!negative && mag <= (uint64_t)SMALL_MAX) return MAKE_SMALL((int64_t)mag);
        if (negative && mag <= (uint64_t)SMALL_MAX + 1) return MAKE_SMALL(-(int64_t)(mag - 1) - 1);
    }
    box_bigint *b =
        NEW_BOX(box_bigint, BOX_BIGINT, checked_size(n, "integer too large"), n * sizeof(uint32_t));
    memcpy(b->digits, digits, n * sizeof(uint32_t));
    b->h.flags = negative ? 1 : 0;
    return TERM_OF_BOX(b);
}

tapa_term tapa_int(int64_t value)
{
    if (value >= SMALL_MIN && value <= SMALL_MAX) return MAKE_SMALL(value);
    uint64_t mag = value < 0 ? (uint64_t)0 - (uint64_t)value : (uint64_t)value;
    uint32_t d[2] = {(uint32_t)mag, (uint32_t)(mag >> 32)};
    return term_bigint_from_digits(value < 0, d, 2);
}

bool tapa_is_integer(tapa_term t)
{
    if (TERM_TAG(t) == TAG_SMALL || IS_BOX_TYPE(t, BOX_BIGINT)) return true;
    TERM_ARG(t, "tapa_is_integer", 1); /* off the fast path */
    return false;
}

int64_t tapa_int_value(tapa_term t)
{
    if (TERM_TAG(t) == TAG_SMALL) return SMALL_VALUE(t);
    if (!IS_BOX_TYPE(t, BOX_BIGINT)) {
        TERM_ARG(t, "tapa_int_value", 1);
        term_badarg("tapa_int_value: the term is not an integer");
    }
    const box_bigint *b = (const box_bigint *)BOX_OF(t);
    if (b->h.size <= 2) {
        uint64_t mag = b->digits[0] | (b->h.size == 2 ? (uint64_t)b->digits[1] << 32 : 0);
        if (!b->h.flags && mag <= (uint64_t)INT64_MAX) return (int64_t)mag;
        if (b->h.flags && mag <= (uint64_t)INT64_MAX + 1) return -(int64_t)(mag - 1) - 1;
    }
    term_badarg("tapa_int_value: the integer does not fit in an int64_t");
}

/* ------------------------------------------------------------ floats -- */

tapa_term tapa_float(double value)
{
    if (!isfinite(value)) term_badarg("tapa_float: Erlang floats are finite (no NaN or infinity)");
    box_float *f = NEW_BOX(box_float, BOX_FLOAT, 0, 0);
    f->value = value;
    return TERM_OF_BOX(f);
}

double tapa_float_value(tapa_term t)
{
    if (!IS_BOX_TYPE(t, BOX_FLOAT)) {
        TERM_ARG(t, "tapa_float_value", 1);
        term_badarg("tapa_float_value: the term is not a float");
    }
    return ((const box_float *)BOX_OF(t))->value;
}

/* ---------------------------------------------------------- binaries -- */

tapa_term tapa_binary(const void *bytes, size_t len)
{
    box_binary *b = NEW_BOX(box_binary, BOX_BINARY, checked_size(len, "binary too large"), len);
    if (len) memcpy(b->bytes, bytes, len);
    return TERM_OF_BOX(b);
}

tapa_term tapa_string(const char *utf8)
{
    return tapa_binary(utf8, strlen(utf8));
}

bool tapa_is_binary(tapa_term t)
{
    if (IS_BOX_TYPE(t, BOX_BINARY)) return true;
    TERM_ARG(t, "tapa_is_binary", 1); /* off the fast path */
    return false;
}

const uint8_t *tapa_binary_data(tapa_term t)
{
    if (!IS_BOX_TYPE(t, BOX_BINARY)) {
        TERM_ARG(t, "tapa_binary_data", 1);
        term_badarg("tapa_binary_data: the term is not a binary");
    }
    return ((const box_binary *)BOX_OF(t))->bytes;
}

size_t tapa_binary_size(tapa_term t)
{
    if (!IS_BOX_TYPE(t, BOX_BINARY)) {
        TERM_ARG(t, "tapa_binary_size", 1);
        term_badarg("tapa_binary_size: the term is not a binary");
    }
    return BOX_OF(t)->size;
}

/* ------------------------------------------------------------ tuples -- */

tapa_term tapa_tuple_v(size_t arity, const tapa_term *elements)
{
    term_check_terms(elements, arity, "tapa_tuple", "element");
    box_tuple *t = NEW_BOX(box_tuple, BOX_TUPLE, checked_size(arity, "tuple too large"),
                           arity * sizeof(tapa_term));
    if (arity) memcpy(t->elements, elements, arity * sizeof(tapa_term));
    return TERM_OF_BOX(t);
}

bool tapa_is_tuple(tapa_term t)
{
    if (IS_BOX_TYPE(t, BOX_TUPLE)) return true;
    TERM_ARG(t, "tapa_is_tuple", 1); /* off the fast path */
    return false;
}

/* The tuple's arity, or :badarg naming fn. */
static size_t tuple_arity(tapa_term t, const char *fn)
{
    if (!IS_BOX_TYPE(t, BOX_TUPLE)) {
        TERM_ARG(t, fn, 1);
        term_badarg("%s: the term is not a tuple", fn);
    }
    return BOX_OF(t)->size;
}

size_t tapa_tuple_size(tapa_term t)
{
    return tuple_arity(t, "tapa_tuple_size");
}

tapa_term tapa_element(tapa_term tuple, size_t index)
{
    size_t n = tuple_arity(tuple, "tapa_element");
    if (index >= n)
        term_badarg("tapa_element: index %zu is out of range for a tuple of size %zu", index, n);
    return ((const box_tuple *)BOX_OF(tuple))->elements[index];
}

/* ------------------------------------------------------------- lists -- */

tapa_term tapa_empty_list(void)
{
    return TERM_NIL;
}
tapa_term tapa_nil(void)
{
    return A(nil);
}

tapa_term tapa_cons(tapa_term head, tapa_term tail)
{
    TERM_ARG(head, "tapa_cons", 1);
    TERM_ARG(tail, "tapa_cons", 2);
    box_cons *c = NEW_BOX(box_cons, BOX_CONS, 0, 0);
    c->head = head;
    c->tail = tail;
    return TERM_OF_BOX(c);
}

tapa_term tapa_list_v(size_t n, const tapa_term *elements)
{
    term_check_terms(elements, n, "tapa_list", "element");
    tapa_term list = TERM_NIL;
    while (n > 0) list = tapa_cons(elements[--n], list);
    return list;
}

tapa_term tapa_charlist(const char *utf8)
{
    size_t len = strlen(utf8), n = 0;
    tapa_term *cps = malloc((len ? len : 1) * sizeof *cps);
    if (!cps) term_fail(A(system_limit), "tapa_charlist: out of memory");
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t used = tapa_utf8_decode((const uint8_t *)utf8 + i, len - i, &cp);
        if (!used) {
            free(cps);
            term_badarg("tapa_charlist: the string is not valid UTF-8 (byte %zu)", i);
        }
        cps[n++] = MAKE_SMALL(cp);
        i += used;
    }
    tapa_term list = tapa_list_v(n, cps);
    free(cps);
    return list;
}

bool tapa_is_list(tapa_term t)
{
    if (t == TERM_NIL || IS_BOX_TYPE(t, BOX_CONS)) return true;
    TERM_ARG(t, "tapa_is_list", 1); /* off the fast path */
    return false;
}

tapa_term tapa_hd(tapa_term list)
{
    if (!IS_BOX_TYPE(list, BOX_CONS)) {
        TERM_ARG(list, "tapa_hd", 1);
        term_badarg("tapa_hd: the term is not a non-empty list");
    }
    return ((const box_cons *)BOX_OF(list))->head;
}

tapa_term tapa_tl(tapa_term list)
{
    if (!IS_BOX_TYPE(list, BOX_CONS)) {
        TERM_ARG(list, "tapa_tl", 1);
        term_badarg("tapa_tl: the term is not a non-empty list");
    }
    return ((const box_cons *)BOX_OF(list))->tail;
}

size_t tapa_length(tapa_term list)
{
    TERM_ARG(list, "tapa_length", 1);
    size_t n = 0;
    while (IS_BOX_TYPE(list, BOX_CONS)) {
        n++;
        list = ((const box_cons *)BOX_OF(list))->tail;
    }
    if (list != TERM_NIL) term_badarg("tapa_length: the term is not a proper list");
    return n;
}

tapa_term tapa_keyword_get(tapa_term list, const char *key)
{
    TERM_ARG(list, "tapa_keyword_get", 1);
    if (!tapa_is_list(list)) term_badarg("tapa_keyword_get: the term is not a keyword list");
    tapa_term k = atom_lookup(key, strlen(key)); /* Keyword.get makes no atoms */
    for (; IS_BOX_TYPE(list, BOX_CONS); list = ((const box_cons *)BOX_OF(list))->tail) {
        tapa_term e = ((const box_cons *)BOX_OF(list))->head;
        if (k != TAPA_NONE && IS_BOX_TYPE(e, BOX_TUPLE) && BOX_OF(e)->size == 2 &&
            ((const box_tuple *)BOX_OF(e))->elements[0] == k)
            return ((const box_tuple *)BOX_OF(e))->elements[1];
    }
    return A(nil); /* Keyword.get's default */
}

/* -------------------------------------------------------------- maps -- */

static const box_map *map_box(tapa_term map, const char *who)
{
    if (!IS_BOX_TYPE(map, BOX_MAP)) {
        TERM_ARG(map, who, 1);
        term_badarg("%s: the term is not a map", who);
    }
    return (const box_map *)BOX_OF(map);
}

/* Index of key in m, or -(insertion point) - 1 if absent. */
static long map_search(const box_map *m, tapa_term key)
{
    long lo = 0, hi = (long)m->h.size - 1;
    while (lo <= hi) {
        long mid = lo + (hi - lo) / 2;
        int c = term_compare_exact(m->kv[2 * mid], key);
        if (c == 0) return mid;
        if (c < 0) lo = mid + 1;
        else hi = mid - 1;
    }
    return -lo - 1;
}

tapa_term tapa_map_new(void)
{
    return TERM_OF_BOX(NEW_BOX(box_map, BOX_MAP, 0, 0));
}

tapa_term tapa_map_put(tapa_term map, tapa_term key, tapa_term value)
{
    const box_map *m = map_box(map, "tapa_map_put");
    TERM_ARG(key, "tapa_map_put", 2);
    TERM_ARG(value, "tapa_map_put", 3);
    long at = map_search(m, key);
    size_t n = m->h.size, pos = at >= 0 ? (size_t)at : (size_t)(-at - 1);
    size_t nn = at >= 0 ? n : n + 1;
    box_map *r =
        NEW_BOX(box_map, BOX_MAP, checked_size(nn, "map too large"), 2 * nn * sizeof(tapa_term));
    memcpy(r->kv, m->kv, 2 * pos * sizeof(tapa_term));
    r->kv[2 * pos] = key;
    r->kv[2 * pos + 1] = value;
    size_t rest = at >= 0 ? pos + 1 : pos; /* first old pair after the new one */
    memcpy(&r->kv[2 * (pos + 1)], &m->kv[2 * rest], 2 * (n - rest) * sizeof(tapa_term));
    return TERM_OF_BOX(r);
}

tapa_term tapa_map_get(tapa_term map, tapa_term key)
{
    const box_map *m = map_box(map, "tapa_map_get");
    TERM_ARG(key, "tapa_map_get", 2);
    long at = map_search(m, key);
    return at >= 0 ? m->kv[2 * at + 1] : A(nil); /* Map.get's default */
}

bool tapa_map_fetch(tapa_term map, tapa_term key, tapa_term *value)
{
    const box_map *m = map_box(map, "tapa_map_fetch");
    TERM_ARG(key, "tapa_map_fetch", 2);
    if (!value) term_badarg("tapa_map_fetch: argument 3 is NULL: pass the address of a tapa_term");
    long at = map_search(m, key);
    if (at < 0) return false;
    *value = m->kv[2 * at + 1];
    return true;
}

size_t tapa_map_size(tapa_term map)
{
    return map_box(map, "tapa_map_size")->h.size;
}

tapa_term term_runtime_error(const char *message)
{
    tapa_term m = tapa_map_new();
    /* real exceptions carry __exception__: true; iex prints such a map as
     * %RuntimeError{message: "..."} */
    m = tapa_map_put(m, tapa_atom("__exception__"), A(true));
    m = tapa_map_put(m, A(__struct__), A(RuntimeError));
    return tapa_map_put(m, A(message), tapa_string(message));
}

/* ------------------------------------------------ pids, refs, ports -- */

bool tapa_is_pid(tapa_term t)
{
    if (TERM_TAG(t) == TAG_PID) return true;
    TERM_ARG(t, "tapa_is_pid", 1); /* off the fast path */
    return false;
}

tapa_term term_ref_make(uint32_t node, const uint32_t *words, size_t nwords)
{
    if (nwords < 1 || nwords > 5) term_badarg("a reference has 1 to 5 words, not %zu", nwords);
    box_ref *r = NEW_BOX(box_ref, BOX_REF, nwords, 0);
    r->node = node;
    memcpy(r->words, words, nwords * sizeof(uint32_t));
    return TERM_OF_BOX(r);
}

/* The high words of this node's references, drawn once per node life so
 * that references look as BEAM's do (#Reference<0.4234795904.3895197697.5985>:
 * printed high word first) and differ from one run to the next, as they do
 * there: a random third word, a second word whose low half counts up from 1
 * (BEAM's is the scheduler's counter beyond 18 bits, with its thread id
 * above) and an 18-bit first word that starts a few thousand in. */
static struct {
    uint64_t counter;
    uint32_t high, middle;
    bool seeded;
} tapa_refs;

static void refs_seed(void)
{
    uint64_t x =
        (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32) ^ (uint64_t)(uintptr_t)&tapa_refs;
    x ^= (uint64_t)clock() << 17;
    /* splitmix64: spreads the few varying bits over the word */
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    x ^= x >> 31;
    tapa_refs.high = (uint32_t)(x >> 32) | 0x40000000u; /* ten digits, as BEAM's mostly are */
    tapa_refs.middle = ((uint32_t)x & 0x7fff0000u) | 0x08000000u;
    tapa_refs.counter = 1000 + ((x >> 8) & 0x1fff);
    tapa_refs.seeded = true;
}

tapa_term tapa_make_ref(void)
{
    /* As the BEAM: an 18-bit low word, then 32 bits, then the rest of a
     * counter that never repeats within this node's life (the seeded high
     * words are offsets, so distinct counts stay distinct). */
    if (!tapa_refs.seeded) refs_seed();
    uint64_t c = tapa_refs.counter++;
    uint32_t w[3] = {(uint32_t)(c & 0x3ffff), tapa_refs.middle + 1 + (uint32_t)(c >> 18),
                     tapa_refs.high + (uint32_t)(c >> 50)};
    return term_ref_make(0, w, 3);
}

tapa_term term_port_make(uint32_t node, uint64_t id)
{
    box_port *p = NEW_BOX(box_port, BOX_PORT, 0, 0);
    p->node = node;
    p->id = id;
    return TERM_OF_BOX(p);
}

/* -------------------------------------------------------------- funs -- */

typedef struct export_entry {
    tapa_term module, function;
    int arity;
    tapa_fun_fn fn;
    int ncaptured; /* how many captured terms its funs carry (tapa_fun tells); -1: not known */
} export_entry;

static export_entry *exports;
static size_t nexports, exports_cap;

/* "TapaMessages" -> :"Elixir.TapaMessages"; ":erlang" -> :erlang. */
static tapa_term module_atom(const char *module)
{
    if (module[0] == ':') return tapa_atom(module + 1);
    if (strncmp(module, "Elixir.", 7) == 0) return tapa_atom(module);
    size_t len = strlen(module);
    char *name = malloc(len + 8);
    if (!name) term_fail(A(system_limit), "out of memory");
    memcpy(name, "Elixir.", 7);
    memcpy(name + 7, module, len + 1);
    tapa_term a = tapa_atom(name);
    free(name);
    return a;
}

int export_index(tapa_term module, tapa_term function, int arity)
{
    for (size_t i = 0; i < nexports; i++)
        if (exports[i].module == module && exports[i].function == function &&
            exports[i].arity == arity)
            return (int)i;
    return -1;
}

tapa_fun_fn export_lookup(tapa_term module, tapa_term function, int arity)
{
    int i = export_index(module, function, arity);
    return i < 0 ? NULL : exports[i].fn;
}

/* Can M:F/A be called with no captured terms (spawn, rpc)? Not when it is
 * the body of funs that carry some: BEAM has no such function. */
bool export_callable(tapa_term module, tapa_term function, int arity)
{
    int i = export_index(module, function, arity);
    return i >= 0 && exports[i].ncaptured <= 0;
}

void tapa_export(const char *module, const char *function, int arity, tapa_fun_fn fn)
{
    tapa_term m = module_atom(module), f = tapa_atom(function);
    int i = export_index(m, f, arity);
    if (i >= 0) {
        exports[i].fn = fn; /* re-exporting replaces */
        return;
    }
    if (nexports == exports_cap) {
        exports_cap = exports_cap ? exports_cap * 2 : 32;
        export_entry *e = realloc(exports, exports_cap * sizeof *e);
        if (!e) term_fail(A(system_limit), "out of memory");
        exports = e;
    }
    exports[nexports++] = (export_entry){m, f, arity, fn, -1};
}

tapa_term tapa_fun_v(const char *module, const char *function, int arity, size_t nfree,
                     const tapa_term *captured)
{
    term_check_terms(captured, nfree, "tapa_fun", "captured term");
    tapa_term m = module_atom(module), f = tapa_atom(function);
    box_fun *fun = NEW_BOX(box_fun, BOX_FUN, checked_size(nfree, "too many captured terms"),
                           nfree * sizeof(tapa_term));
    fun->kind = FUN_EXPORTED;
    fun->arity = arity;
    fun->module = m;
    fun->function = f;
    fun->foreign = TERM_NIL;
    fun->fn = export_lookup(m, f, arity);
    int e = export_index(m, f, arity);
    if (e >= 0 && exports[e].ncaptured < 0) exports[e].ncaptured = (int)nfree;
    if (nfree) memcpy(fun->captured, captured, nfree * sizeof(tapa_term));
    return TERM_OF_BOX(fun);
}

bool tapa_is_fun(tapa_term t)
{
    if (IS_BOX_TYPE(t, BOX_FUN)) return true;
    TERM_ARG(t, "tapa_is_fun", 1); /* off the fast path */
    return false;
}

#define CAPTURE_PAD 8

static _Noreturn void fail_badarity(tapa_term fun, size_t nargs, const tapa_term *args)
{
    static char why[512];
    char *shown = tapa_inspect_alloc(fun);
    snprintf(why, sizeof why, "%s with arity %d called with %zu argument%s", shown,
             ((box_fun *)BOX_OF(fun))->arity, nargs, nargs == 1 ? "" : "s");
    free(shown);
    tapa_term reason = tapa_tuple(tapa_atom("badarity"), tapa_tuple(fun, tapa_list_v(nargs, args)));
    term_fail(reason, why);
}

static _Noreturn void fail_undef(const box_fun *f, size_t nargs, const tapa_term *args)
{
    static char why[512];
    strbuf mod = {0};
    inspect_into(&mod, f->module);
    const char *fname = atom_text(f->function, NULL);
    int i = export_index(f->module, f->function, f->arity);
    if (i >= 0)
        snprintf(why, sizeof why,
                 "function %s.%s/%d is undefined: it is the body of funs with %d captured "
                 "term(s), and this fun carries %u (make it with tapa_fun)",
                 mod.data, fname ? fname : "?", f->arity, exports[i].ncaptured, f->h.size);
    else
        snprintf(why, sizeof why,
                 "function %s.%s/%d is undefined (no C function is exported under that name: "
                 "call tapa_export first)",
                 mod.data, fname ? fname : "?", f->arity);
    sb_free(&mod);
    tapa_term mfa = tapa_tuple(f->module, f->function, tapa_list_v(nargs, args), TERM_NIL);
    term_fail(tapa_tuple(tapa_atom("undef"), tapa_list(mfa)), why);
}

tapa_term tapa_apply_v(tapa_term fun, size_t nargs, const tapa_term *args)
{
    TERM_ARG(fun, "tapa_apply", 1);
    term_check_terms(args, nargs, "tapa_apply", "fun argument");
    if (!tapa_is_fun(fun)) {
        char *shown = tapa_inspect_alloc(fun);
        static char why[300];
        snprintf(why, sizeof why, "expected a function, got: %.200s", shown);
        free(shown);
        term_fail(tapa_tuple(tapa_atom("badfun"), fun), why);
    }
    const box_fun *f = (const box_fun *)BOX_OF(fun);
    if (f->arity < 0 || (size_t)f->arity != nargs) fail_badarity(fun, nargs, args);
    int i = export_index(f->module, f->function, f->arity);
    tapa_fun_fn fn = f->fn ? f->fn : i >= 0 ? exports[i].fn : NULL;
    /* a closure's body called as M:F/A, or a fun from the wire that lacks
     * its captured terms: BEAM has no such function (undef), and the body
     * would read past what it was given */
    if (!fn || (i >= 0 && exports[i].ncaptured >= 0 && (uint32_t)exports[i].ncaptured != f->h.size))
        fail_undef(f, nargs, args);
    /* where the count is not known, the body reads at least a few
     * captured terms that are there (:undefined past the real ones) */
    tapa_term padded[CAPTURE_PAD];
    const tapa_term *captured = f->captured;
    if (f->h.size < CAPTURE_PAD) {
        for (uint32_t k = 0; k < CAPTURE_PAD; k++)
            padded[k] = k < f->h.size ? f->captured[k] : A(undefined);
        captured = padded;
    }
    /* `captured` points inside the fun's box; keep the box itself visible
     * to the stack scan while fn runs (it may receive, and so collect). */
    volatile tapa_term keep = fun;
    tapa_term result = fn(captured, args);
    (void)keep;
    return result;
}
