/* atom.c — the atom table and the node table.
 *
 * Atoms are interned UTF-8 strings; a term names an atom by its index in
 * the table, so comparing two atoms for equality is comparing two words.
 * The table only grows (as on the BEAM, atoms are never collected), which
 * is why it has a limit: code that makes atoms from untrusted input must
 * hit a clear error instead of exhausting memory.
 *
 * The runtime runs on one thread (one libuv loop), so the tables take no
 * locks.
 */
#include "support/hash.h"
#include "support/utf8.h"
#include "term/term.h"

#include <stdlib.h>
#include <string.h>

#define DEFAULT_ATOM_LIMIT ((size_t)1048576)
#define SLOT_EMPTY UINT32_MAX

typedef struct atom_entry {
    char *text; /* NUL-terminated copy */
    uint32_t len;
    uint32_t hash;
} atom_entry;

static struct {
    atom_entry *entries;
    size_t count, cap;
    uint32_t *slots; /* open addressing: atom indexes, SLOT_EMPTY if free */
    size_t nslots; /* power of two */
    size_t limit;
    bool warned;
    bool ready;
} at = {.limit = DEFAULT_ATOM_LIMIT};

/* The texts of the fixed atoms, in the order of the enum in term.h. */
static const char *const fixed_atoms[ATOM__FIXED_COUNT] = {
    "false",     "true",
    "nil",       "ok",
    "error",     "normal",
    "kill",      "killed",
    "noproc",    "noconnection",
    "EXIT",      "DOWN",
    "process",   "badarg",
    "undefined", "nonode@nohost",
    "infinity",  "shutdown",
    "badmatch",  "__struct__",
    "message",   "Elixir.RuntimeError",
    "nodedown",  "pong",
    "pang",      "system_limit",
};

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n);
    if (!q) {
        fputs("tapa: out of memory\n", stderr);
        abort();
    }
    return q;
}

/* FNV-1a: short strings, good enough spread for a power-of-two table. */
static uint32_t text_hash(const char *s, size_t len)
{
    return tapa_fnv1a32(s, len);
}

bool atom_name_valid(const char *utf8, size_t len)
{
    long chars = tapa_utf8_count((const uint8_t *)utf8, len);
    return chars >= 0 && chars <= ATOM_MAX_CHARS;
}

static void slots_grow(void)
{
    size_t n = at.nslots ? at.nslots * 2 : 1024;
    uint32_t *slots = xrealloc(NULL, n * sizeof *slots);
    for (size_t i = 0; i < n; i++) slots[i] = SLOT_EMPTY;
    for (size_t a = 0; a < at.count; a++) {
        size_t i = at.entries[a].hash & (n - 1);
        while (slots[i] != SLOT_EMPTY) i = (i + 1) & (n - 1);
        slots[i] = (uint32_t)a;
    }
    free(at.slots);
    at.slots = slots;
    at.nslots = n;
}

/* The slot holding the atom with this text, or the empty slot where it
 * would go. */
static size_t slot_find(const char *s, size_t len, uint32_t h)
{
    size_t mask = at.nslots - 1, i = h & mask;
    for (;;) {
        uint32_t a = at.slots[i];
        if (a == SLOT_EMPTY) return i;
        const atom_entry *e = &at.entries[a];
        if (e->hash == h && e->len == len && memcmp(e->text, s, len) == 0) return i;
        i = (i + 1) & mask;
    }
}

static tapa_term atom_add(const char *s, size_t len, uint32_t h, size_t slot)
{
    if (at.count == at.cap) {
        at.cap = at.cap ? at.cap * 2 : 256;
        at.entries = xrealloc(at.entries, at.cap * sizeof *at.entries);
    }
    char *text = xrealloc(NULL, len + 1);
    memcpy(text, s, len);
    text[len] = '\0';
    uint32_t index = (uint32_t)at.count++;
    at.entries[index] = (atom_entry){text, (uint32_t)len, h};
    at.slots[slot] = index;
    if (at.count * 2 > at.nslots) slots_grow(); /* keep probes short */
    return MAKE_ATOM(index);
}

static tapa_term intern_checked(const char *s, size_t len)
{
    if (!at.nslots) slots_grow();
    uint32_t h = text_hash(s, len);
    size_t slot = slot_find(s, len, h);
    if (at.slots[slot] != SLOT_EMPTY) return MAKE_ATOM(at.slots[slot]);
    if (at.count >= at.limit && at.ready) {
        if (!at.warned) {
            fprintf(stderr,
                    "tapa: the atom table is full (%zu atoms): no more atoms can be "
                    "created (system_limit). Do not make atoms from unbounded input.\n",
                    at.limit);
            at.warned = true;
        }
        return TAPA_NONE;
    }
    return atom_add(s, len, h, slot);
}

void atoms_init(void)
{
    if (at.ready) return;
    for (size_t i = 0; i < ATOM__FIXED_COUNT; i++)
        intern_checked(fixed_atoms[i], strlen(fixed_atoms[i]));
    at.ready = true;
}

tapa_term atom_intern(const char *utf8, size_t len)
{
    atoms_init();
    long chars = tapa_utf8_count((const uint8_t *)utf8, len);
    if (chars < 0) term_badarg("atom name is not valid UTF-8");
    if (chars > ATOM_MAX_CHARS) term_badarg("atom too long: atoms have at most 255 characters");
    return intern_checked(utf8, len);
}

tapa_term atom_lookup(const char *utf8, size_t len)
{
    atoms_init();
    size_t slot = slot_find(utf8, len, text_hash(utf8, len));
    return at.slots[slot] == SLOT_EMPTY ? TAPA_NONE : MAKE_ATOM(at.slots[slot]);
}

const char *atom_text(tapa_term atom, size_t *len)
{
    atoms_init();
    uint32_t i = ATOM_INDEX(atom);
    if (TERM_TAG(atom) != TAG_ATOM || i >= at.count) {
        if (len) *len = 0;
        return NULL;
    }
    if (len) *len = at.entries[i].len;
    return at.entries[i].text;
}

size_t atom_count(void)
{
    atoms_init();
    return at.count;
}

size_t atom_limit(void)
{
    return at.limit;
}

void atom_set_limit(size_t max_atoms)
{
    at.limit = max_atoms < ATOM__FIXED_COUNT ? ATOM__FIXED_COUNT : max_atoms;
    at.warned = false;
}

/* ------------------------------------------------------------- nodes -- */

#define MAX_NODES 8191 /* indexes must fit PID_NODE_BITS */

static node_entry nodes[MAX_NODES];
static uint32_t node_count;

static void nodes_init(void)
{
    if (node_count) return;
    nodes[0] = (node_entry){A(nonode_nohost), 0, 0};
    node_count = 1;
}

uint32_t node_index_of(tapa_term name, uint32_t creation)
{
    uint32_t i;
    if (!node_index_try(name, creation, &i))
        term_fail(A(system_limit), "too many node incarnations (node table full)");
    return i;
}

/* Incarnations of one node that keep their own entries: a node that
 * restarts more often than this takes the place of its oldest incarnation
 * (whose pids then name the new one's processes), so reconnections never
 * fill the table. */
static uint32_t node_stamp[MAX_NODES], node_clock;

bool node_index_recycling(tapa_term name, uint32_t creation, uint32_t keep, uint32_t *out)
{
    nodes_init();
    uint32_t same = 0, oldest = 0;
    for (uint32_t i = 1; i < node_count; i++) {
        if (nodes[i].name != name) continue;
        if (nodes[i].creation == creation) return *out = i, true;
        if (!same++ || node_stamp[i] < node_stamp[oldest]) oldest = i;
    }
    if (same >= keep && oldest) {
        nodes[oldest].creation = creation;
        node_stamp[oldest] = ++node_clock;
        return *out = oldest, true;
    }
    if (!node_index_try(name, creation, out)) return false;
    node_stamp[*out] = ++node_clock;
    return true;
}

bool node_index_try(tapa_term name, uint32_t creation, uint32_t *out)
{
    nodes_init();
    for (uint32_t i = 0; i < node_count; i++)
        if (nodes[i].name == name && nodes[i].creation == creation) return *out = i, true;
    if (node_count >= MAX_NODES) return false;
    /* The BEAM prints a remote pid's first field as the index of the node
     * name's atom (its "channel"): the same for every incarnation of that
     * node, never 0. We do the same with our atom indexes. */
    uint32_t channel = ATOM_INDEX(name);
    nodes[node_count] = (node_entry){name, creation, channel ? channel : 1};
    *out = node_count++;
    return true;
}

const node_entry *node_at(uint32_t index)
{
    nodes_init();
    return index < node_count ? &nodes[index] : &nodes[0];
}

void node_set_local(tapa_term name, uint32_t creation)
{
    nodes_init();
    nodes[0].name = name;
    nodes[0].creation = creation;
    nodes[0].channel = 0;
}
