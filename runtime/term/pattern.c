/* pattern.c — Elixir patterns, compiled once, matched many times.
 *
 * Compiling parses the pattern with the literal parser (parse.c) in pattern
 * mode: each variable, _name and ^pin becomes a marker term (a reference,
 * which no pattern can contain otherwise). The parsed term, built in a heap
 * the pattern owns, is then flattened into an array of nodes in pre-order:
 * a subterm without variables or maps becomes one literal node, compared
 * with a word compare (immediates) or tapa_equal (boxed literals), so
 * "{:ping, from}" is TUPLE/2, IMM :ping, BIND from. A message that is not a
 * 2-tuple or does not start with :ping is rejected after a few loads.
 *
 * Bindings: the first occurrence of a variable (in match order) binds it;
 * later ones must be tapa_equal to it. Map patterns match a subset of keys,
 * so %{} matches any map. ^name reads the value pinned in the tapa_match
 * (the newest entry of that name). pattern_match lets an unbound pin match
 * nothing; receive refuses such a pattern first (pattern_unbound_pin), as
 * Elixir refuses to compile it.
 */
#include "pattern.h"
#include "parse_internal.h"
#include "support/hash.h"

#include <stdlib.h>
#include <string.h>

#define MARK_MAGIC 0x7a9a5eedu
#define MAX_PINS TAPA_MAX_VARS

enum op {
    OP_IMM, /* t == lit (an immediate) */
    OP_LIT, /* tapa_equal(t, lit) (a boxed literal) */
    OP_ANY, /* _ */
    OP_BIND, /* var: first occurrence */
    OP_CHECK, /* var: later occurrences */
    OP_PIN, /* ^var */
    OP_TUPLE, /* n elements follow */
    OP_LIST, /* n heads follow, then the tail */
    OP_MAP, /* n (KEY, value) pairs follow */
    OP_KEY, /* lit: the key to look up; its value pattern follows */
};

typedef struct pnode {
    uint8_t op;
    uint16_t var; /* BIND/CHECK: variable slot; PIN: pin slot */
    uint32_t n;
    tapa_term lit;
} pnode;

struct pattern {
    pnode *code;
    uint32_t ncode;
    uint16_t nvars, npins;
    tapa_term quick_tag; /* {tag, ...} patterns: code[1]'s atom, for the fast reject */
    char *vars[TAPA_MAX_VARS];
    char *pins[MAX_PINS];
    char *src; /* a copy of the source */
    uint64_t hash; /* of src, for the cache */
    tapa_heap heap; /* the literals */
};

/* ----------------------------------------------------------- markers -- */

static tapa_term marker(parse_var_kind kind, uint32_t index)
{
    uint32_t w[3] = {MARK_MAGIC, (uint32_t)kind, index};
    return term_ref_make(0, w, 3);
}

static bool is_marker(tapa_term t)
{
    return IS_BOX_TYPE(t, BOX_REF);
}

static int name_slot(char **names, int count, const char *name, size_t len)
{
    for (int i = 0; i < count; i++)
        if (strncmp(names[i], name, len) == 0 && names[i][len] == 0) return i;
    return -1;
}

/* Finds or adds name in names[*count]; -1 when full or out of memory. */
static int intern_name(char **names, uint16_t *count, const char *name, size_t len)
{
    int i = name_slot(names, *count, name, len);
    if (i >= 0 || *count >= TAPA_MAX_VARS) return i;
    char *copy = malloc(len + 1);
    if (!copy) return -1;
    memcpy(copy, name, len);
    copy[len] = 0;
    names[*count] = copy;
    return (*count)++;
}

static tapa_term hook_var(void *ud, parse_var_kind kind, const char *name, size_t len, char *msg,
                          size_t msgsize)
{
    pattern *p = ud;
    int slot = 0;
    if (kind == PARSE_VAR) slot = intern_name(p->vars, &p->nvars, name, len);
    if (kind == PARSE_PIN) slot = intern_name(p->pins, &p->npins, name, len);
    if (slot < 0) {
        snprintf(msg, msgsize, "too many %s in one pattern (at most %d)",
                 kind == PARSE_PIN ? "pinned variables" : "variables", TAPA_MAX_VARS);
        return TAPA_NONE;
    }
    tapa_term t = marker(kind, (uint32_t)slot);
    if (!t) snprintf(msg, msgsize, "out of memory");
    return t;
}

/* ---------------------------------------------------------- compiler -- */

typedef struct compiler {
    pnode *code;
    size_t n, cap;
    bool bound[TAPA_MAX_VARS];
} compiler;

static int emit(compiler *c, enum op op, uint32_t n, uint16_t var, tapa_term lit)
{
    if (c->n == c->cap) {
        size_t ncap = c->cap ? c->cap * 2 : 16;
        pnode *nc = realloc(c->code, ncap * sizeof *nc);
        if (!nc) return -1;
        c->code = nc;
        c->cap = ncap;
    }
    c->code[c->n] = (pnode){.op = (uint8_t)op, .var = var, .n = n, .lit = lit};
    return (int)c->n++;
}

static int compile_term(compiler *c, tapa_term t);

static int compile_marker(compiler *c, tapa_term t)
{
    const box_ref *r = (const box_ref *)BOX_OF(t);
    uint16_t slot = (uint16_t)r->words[2];
    enum op op;
    switch ((parse_var_kind)r->words[1]) {
    case PARSE_VAR:
        op = c->bound[slot] ? OP_CHECK : OP_BIND;
        c->bound[slot] = true;
        break;
    case PARSE_PIN:
        op = OP_PIN;
        break;
    default:
        op = OP_ANY;
        break;
    }
    return emit(c, op, 0, slot, TAPA_NONE) < 0 ? -1 : 1;
}

/* Each compile_* returns 1 if the subterm needs structural matching, 0 if
 * it is a plain literal, -1 when out of memory. */
static int compile_tuple(compiler *c, tapa_term t)
{
    const box_tuple *b = (const box_tuple *)BOX_OF(t);
    int any = 0;
    if (emit(c, OP_TUPLE, b->h.size, 0, TAPA_NONE) < 0) return -1;
    for (uint32_t i = 0; i < b->h.size; i++) {
        int r = compile_term(c, b->elements[i]);
        if (r < 0) return -1;
        any |= r;
    }
    return any;
}

static int compile_list(compiler *c, tapa_term t)
{
    int at = emit(c, OP_LIST, 0, 0, TAPA_NONE), any = 0;
    if (at < 0) return -1;
    uint32_t n = 0;
    for (; IS_BOX_TYPE(t, BOX_CONS); t = ((const box_cons *)BOX_OF(t))->tail, n++) {
        int r = compile_term(c, ((const box_cons *)BOX_OF(t))->head);
        if (r < 0) return -1;
        any |= r;
    }
    int r = compile_term(c, t);
    if (r < 0) return -1;
    c->code[at].n = n;
    return any | r;
}

static int compile_map(compiler *c, tapa_term t)
{
    const box_map *b = (const box_map *)BOX_OF(t);
    if (emit(c, OP_MAP, b->h.size, 0, TAPA_NONE) < 0) return -1;
    for (uint32_t i = 0; i < b->h.size; i++) {
        if (emit(c, OP_KEY, 0, 0, b->kv[2 * i]) < 0) return -1;
        if (compile_term(c, b->kv[2 * i + 1]) < 0) return -1;
    }
    return 1; /* a map pattern matches a subset: never a plain literal */
}

static int compile_term(compiler *c, tapa_term t)
{
    if (is_marker(t)) return compile_marker(c, t);
    size_t start = c->n;
    int r = 0;
    if (IS_BOX_TYPE(t, BOX_TUPLE)) r = compile_tuple(c, t);
    else if (IS_BOX_TYPE(t, BOX_CONS)) r = compile_list(c, t);
    else if (IS_BOX_TYPE(t, BOX_MAP)) r = compile_map(c, t);
    if (r != 0) return r;
    c->n = start; /* no variables below: one literal node instead */
    return emit(c, IS_BOXED(t) ? OP_LIT : OP_IMM, 0, 0, t) < 0 ? -1 : 0;
}

void pattern_free(pattern *p)
{
    if (!p) return;
    for (int i = 0; i < p->nvars; i++) free(p->vars[i]);
    for (int i = 0; i < p->npins; i++) free(p->pins[i]);
    free(p->code);
    free(p->src);
    heap_destroy(&p->heap);
    free(p);
}

static void finish(pattern *p, compiler *c)
{
    p->code = c->code;
    p->ncode = (uint32_t)c->n;
    if (c->n >= 2 && c->code[0].op == OP_TUPLE && c->code[0].n >= 1 && c->code[1].op == OP_IMM)
        p->quick_tag = c->code[1].lit;
}

pattern *pattern_compile(const char *src, tapa_parse_error *err)
{
    tapa_parse_error scratch;
    if (!err) err = &scratch;
    pattern *p = calloc(1, sizeof *p);
    if (!p || !src || !(p->src = strdup(src))) {
        *err = (tapa_parse_error){1, 1, "out of memory"};
        if (!src) snprintf(err->message, sizeof err->message, "no pattern (NULL string)");
        if (p) free(p);
        return NULL;
    }
    heap_init(&p->heap);
    tapa_heap *saved = tapa_current_heap;
    tapa_current_heap = &p->heap;
    parse_hooks hooks = {hook_var, p};
    tapa_term t = parse_literal(src, err, NULL, &hooks);
    compiler c = {0};
    int r = t ? compile_term(&c, t) : -1;
    tapa_current_heap = saved;
    if (r < 0) {
        if (t) *err = (tapa_parse_error){1, 1, "out of memory"};
        free(c.code);
        pattern_free(p);
        return NULL;
    }
    finish(p, &c);
    return p;
}

bool pattern_has_pins(const pattern *p)
{
    return p && p->npins > 0;
}

const char *pattern_unbound_pin(const pattern *p, const tapa_match *m)
{
    for (int k = 0; p && k < p->npins; k++) {
        bool bound = false;
        for (int i = 0; m && i < m->count && !bound; i++)
            bound = m->names[i] && strcmp(m->names[i], p->pins[k]) == 0;
        if (!bound) return p->pins[k];
    }
    return NULL;
}

/* ----------------------------------------------------------- matcher -- */

typedef struct mstate {
    const pattern *p;
    tapa_term *vals;
    const tapa_match *m;
} mstate;

static int match_node(const mstate *s, int i, tapa_term t);

static tapa_term pin_value(const mstate *s, uint16_t slot)
{
    if (!s->m) return TAPA_NONE;
    const char *name = s->p->pins[slot];
    for (int i = s->m->count - 1; i >= 0; i--)
        if (s->m->names[i] && strcmp(s->m->names[i], name) == 0) return s->m->values[i];
    return TAPA_NONE;
}

static int match_tuple(const mstate *s, int i, tapa_term t)
{
    uint32_t n = s->p->code[i].n;
    if (!IS_BOX_TYPE(t, BOX_TUPLE) || BOX_OF(t)->size != n) return -1;
    const tapa_term *el = ((const box_tuple *)BOX_OF(t))->elements;
    i++;
    for (uint32_t k = 0; k < n && i >= 0; k++) i = match_node(s, i, el[k]);
    return i;
}

static int match_list(const mstate *s, int i, tapa_term t)
{
    uint32_t n = s->p->code[i].n;
    i++;
    for (uint32_t k = 0; k < n; k++) {
        if (!IS_BOX_TYPE(t, BOX_CONS)) return -1;
        const box_cons *c = (const box_cons *)BOX_OF(t);
        if ((i = match_node(s, i, c->head)) < 0) return -1;
        t = c->tail;
    }
    return match_node(s, i, t);
}

static int match_map(const mstate *s, int i, tapa_term t)
{
    uint32_t n = s->p->code[i].n;
    if (!IS_BOX_TYPE(t, BOX_MAP) || BOX_OF(t)->size < n) return -1;
    i++;
    for (uint32_t k = 0; k < n; k++) {
        tapa_term v;
        if (!tapa_map_fetch(t, s->p->code[i].lit, &v) || (i = match_node(s, i + 1, v)) < 0)
            return -1;
    }
    return i;
}

/* Matches code[i] against t: the index after its subtree, or -1. */
static int match_node(const mstate *s, int i, tapa_term t)
{
    const pnode *nd = &s->p->code[i];
    switch ((enum op)nd->op) {
    case OP_IMM:
        return t == nd->lit ? i + 1 : -1;
    case OP_LIT:
        return IS_BOXED(t) && BOX_OF(t)->type == BOX_OF(nd->lit)->type && tapa_equal(t, nd->lit)
                   ? i + 1
                   : -1;
    case OP_ANY:
        return i + 1;
    case OP_BIND:
        s->vals[nd->var] = t;
        return i + 1;
    case OP_CHECK:
        return tapa_equal(s->vals[nd->var], t) ? i + 1 : -1;
    case OP_PIN: {
        tapa_term v = pin_value(s, nd->var);
        return v && tapa_equal(v, t) ? i + 1 : -1;
    }
    case OP_TUPLE:
        return match_tuple(s, i, t);
    case OP_LIST:
        return match_list(s, i, t);
    case OP_MAP:
        return match_map(s, i, t);
    case OP_KEY:
        break;
    }
    return -1;
}

/* Records the bindings in m: a name m already holds gets the new value (as
 * Elixir rebinds), others are appended. False if m has no room. */
static bool commit(const pattern *p, const tapa_term *vals, tapa_match *m)
{
    int slot[TAPA_MAX_VARS], count = m->count, added = 0;
    if (count < 0 || count > TAPA_MAX_VARS) return false;
    for (int v = 0; v < p->nvars; v++) {
        slot[v] = -1;
        for (int i = count - 1; i >= 0 && slot[v] < 0; i--)
            if (m->names[i] && strcmp(m->names[i], p->vars[v]) == 0) slot[v] = i;
        added += slot[v] < 0;
    }
    if (count + added > TAPA_MAX_VARS) return false;
    for (int v = 0; v < p->nvars; v++) {
        if (slot[v] < 0) {
            slot[v] = count++;
            m->names[slot[v]] = p->vars[v];
        }
        m->values[slot[v]] = vals[v];
    }
    m->count = count;
    return true;
}

bool pattern_no_room;

bool pattern_match(const pattern *p, tapa_term t, tapa_match *m)
{
    pattern_no_room = false;
    if (p->quick_tag) { /* {:tag, ...}: reject in a few loads */
        if (!IS_BOX_TYPE(t, BOX_TUPLE) || BOX_OF(t)->size != p->code[0].n ||
            ((const box_tuple *)BOX_OF(t))->elements[0] != p->quick_tag)
            return false;
    }
    tapa_term vals[TAPA_MAX_VARS];
    mstate s = {p, vals, m};
    if (match_node(&s, 0, t) < 0) return false;
    if (p->nvars == 0 || !m || commit(p, vals, m)) return true;
    pattern_no_room = true; /* receive reports it: silence would hang the process */
    return false;
}

/* -------------------------------------------------------------- cache -- */

/* Two open-addressing tables, never shrunk: by the caller's pointer (the
 * fast path; verified with strcmp since buffers get reused) and by the
 * text, which owns the compiled patterns for good. */
typedef struct pslot {
    const char *key;
    pattern *p;
} pslot;
static pslot *by_ptr;
static size_t by_ptr_cap, by_ptr_used;
static pattern **by_text;
static size_t by_text_cap, by_text_used;

static size_t ptr_hash(const void *k)
{
    return (size_t)(((uintptr_t)k >> 3) * 0x9E3779B97F4A7C15ull);
}

static uint64_t text_hash(const char *s)
{
    return tapa_fnv1a64(s, strlen(s));
}

static size_t ptr_find(pslot *tab, size_t cap, const char *key)
{
    size_t i = ptr_hash(key) & (cap - 1);
    while (tab[i].key && tab[i].key != key) i = (i + 1) & (cap - 1);
    return i;
}

static size_t text_find(pattern **tab, size_t cap, const char *src, uint64_t h)
{
    size_t i = (size_t)h & (cap - 1);
    while (tab[i] && !(tab[i]->hash == h && strcmp(tab[i]->src, src) == 0)) i = (i + 1) & (cap - 1);
    return i;
}

static bool ptr_grow(void)
{
    if (by_ptr_cap && (by_ptr_used + 1) * 2 <= by_ptr_cap) return true;
    size_t ncap = by_ptr_cap ? by_ptr_cap * 2 : 64;
    pslot *nt = calloc(ncap, sizeof *nt);
    if (!nt) return false;
    for (size_t i = 0; i < by_ptr_cap; i++)
        if (by_ptr[i].key) nt[ptr_find(nt, ncap, by_ptr[i].key)] = by_ptr[i];
    free(by_ptr);
    by_ptr = nt;
    by_ptr_cap = ncap;
    return true;
}

static bool text_grow(void)
{
    if (by_text_cap && (by_text_used + 1) * 2 <= by_text_cap) return true;
    size_t ncap = by_text_cap ? by_text_cap * 2 : 64;
    pattern **nt = calloc(ncap, sizeof *nt);
    if (!nt) return false;
    for (size_t i = 0; i < by_text_cap; i++)
        if (by_text[i]) nt[text_find(nt, ncap, by_text[i]->src, by_text[i]->hash)] = by_text[i];
    free(by_text);
    by_text = nt;
    by_text_cap = ncap;
    return true;
}

/* The compiled pattern for the text src, compiling it on first sight. */
static pattern *by_text_get(const char *src, tapa_parse_error *err)
{
    uint64_t h = text_hash(src);
    if (by_text_cap) {
        size_t i = text_find(by_text, by_text_cap, src, h);
        if (by_text[i]) return by_text[i];
    }
    pattern *p = pattern_compile(src, err);
    if (!p) return NULL;
    p->hash = h;
    if (text_grow()) {
        by_text[text_find(by_text, by_text_cap, src, h)] = p;
        by_text_used++;
    } /* else: uncached, and kept forever all the same */
    return p;
}

const pattern *pattern_cached(const char *src, tapa_parse_error *err)
{
    if (!src) return pattern_compile(src, err);
    if (by_ptr_cap) {
        pslot *s = &by_ptr[ptr_find(by_ptr, by_ptr_cap, src)];
        if (s->key && (addr_is_readonly(src) || strcmp(s->p->src, src) == 0)) return s->p;
    }
    pattern *p = by_text_get(src, err);
    if (!p || !ptr_grow()) return p;
    pslot *s = &by_ptr[ptr_find(by_ptr, by_ptr_cap, src)];
    if (!s->key) by_ptr_used++;
    *s = (pslot){src, p};
    return p;
}
