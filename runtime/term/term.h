/* term.h — the layout of terms, shared by the runtime's parts (not public).
 *
 * A tapa_term is one 64-bit word, typed as an opaque pointer so learners
 * cannot mix it with integers. Only the macros here look at its bits:
 * TERM_WORD gives the word, WORD_TERM makes a term of one; nothing else
 * does arithmetic on a tapa_term. The low 3 bits say what it is:
 *   000  boxed: a pointer to a tapa_box on some heap (0 itself is TAPA_NONE)
 *   001  small integer, value << 3 (61-bit signed)
 *   010  atom, index << 3
 *   011  pid: node index (13 bits) | id (32 bits) | serial (16 bits) | 011
 *   100  []
 * Pids are immediate so links, monitors and the registry never touch heaps.
 * A pid's node index points into the node table (node 0 is this node).
 */
#ifndef TAPA_TERM_H
#define TAPA_TERM_H

#include "tapa.h"

#define TAG_MASK 7u
#define TAG_BOXED 0u
#define TAG_SMALL 1u
#define TAG_ATOM 2u
#define TAG_PID 3u
#define TAG_NIL 4u

#define TERM_WORD(t) ((uint64_t)(uintptr_t)(t))
#define WORD_TERM(w) ((tapa_term)(uintptr_t)(uint64_t)(w))
#define TERM_TAG(t) ((unsigned)(TERM_WORD(t) & TAG_MASK))
#define TERM_NIL WORD_TERM(TAG_NIL) /* [] */

#define SMALL_MAX ((int64_t)((1ULL << 60) - 1))
#define SMALL_MIN (-(int64_t)(1ULL << 60))
#define MAKE_SMALL(v) WORD_TERM(((uint64_t)(int64_t)(v) << 3) | TAG_SMALL)
#define SMALL_VALUE(t) (((int64_t)TERM_WORD(t)) >> 3)

#define MAKE_ATOM(index) WORD_TERM(((uint64_t)(index) << 3) | TAG_ATOM)
#define ATOM_INDEX(t) ((uint32_t)(TERM_WORD(t) >> 3))

#define PID_NODE_BITS 13
#define PID_ID_BITS 32
#define PID_SERIAL_BITS 16
#define MAKE_PID(node, id, serial)                                          \
    WORD_TERM(((uint64_t)(node) << 51) | ((uint64_t)(uint32_t)(id) << 19) | \
              ((uint64_t)((serial)&0xffff) << 3) | TAG_PID)
#define PID_NODE(t) ((uint32_t)(TERM_WORD(t) >> 51))
#define PID_ID(t) ((uint32_t)(TERM_WORD(t) >> 19))
#define PID_SERIAL(t) ((uint32_t)((TERM_WORD(t) >> 3) & 0xffff))

/* Boxed objects. Every box starts with this header; `next` chains all the
 * boxes of one heap so the collector can sweep them. */
typedef enum box_type {
    BOX_TUPLE = 1,
    BOX_CONS,
    BOX_BINARY,
    BOX_FLOAT,
    BOX_BIGINT, /* integers outside the small range, any size */
    BOX_MAP,
    BOX_REF,
    BOX_FUN,
    BOX_PORT,
} box_type;

typedef struct tapa_box {
    struct tapa_box *next;
    uint8_t type; /* box_type */
    uint8_t mark; /* collector's mark bit */
    uint8_t flags; /* type-specific (BIGINT: sign) */
    uint8_t pad;
    uint32_t size; /* tuple arity, binary bytes, bigint digits, map pairs ... */
} tapa_box;

#define BOX_OF(t) ((tapa_box *)(uintptr_t)(t))
#define TERM_OF_BOX(b) ((tapa_term)(uintptr_t)(b))
#define IS_BOXED(t) (TERM_TAG(t) == TAG_BOXED && (t) != TAPA_NONE)
#define IS_BOX_TYPE(t, ty) (IS_BOXED(t) && BOX_OF(t)->type == (ty))

typedef struct {
    tapa_box h;
    tapa_term elements[];
} box_tuple;
typedef struct {
    tapa_box h;
    tapa_term head, tail;
} box_cons;
typedef struct {
    tapa_box h;
    uint8_t bytes[];
} box_binary; /* h.size bytes */
typedef struct {
    tapa_box h;
    double value;
} box_float;
/* little-endian 32-bit digits of the magnitude; h.flags = 1 when negative */
typedef struct {
    tapa_box h;
    uint32_t digits[];
} box_bigint;
/* h.size pairs, sorted by key in term order (keys unique) */
typedef struct {
    tapa_box h;
    tapa_term kv[];
} box_map; /* k0 v0 k1 v1 ... */
/* a reference: node index, then h.size 32-bit words (3 local, up to 5) */
typedef struct {
    tapa_box h;
    uint32_t node;
    uint32_t words[5];
} box_ref;
typedef struct {
    tapa_box h;
    uint32_t node;
    uint64_t id;
} box_port;

/* A fun. kind LOCAL: an exported C function with captured terms (h.size of
 * them). kind FOREIGN: a fun that came from a BEAM node; `foreign` holds its
 * external term format bytes (a binary term) so it can be printed and sent
 * back unchanged. */
enum fun_kind { FUN_EXPORTED = 0, FUN_FOREIGN = 1 };
typedef struct {
    tapa_box h;
    uint8_t kind;
    int32_t arity;
    tapa_term module; /* atom */
    tapa_term function; /* atom */
    tapa_term foreign; /* FOREIGN: binary with the ETF bytes; else [] */
    tapa_fun_fn fn; /* resolved C function, or NULL */
    tapa_term captured[]; /* h.size terms */
} box_fun;

/* ------------------------------------------------------------- atoms -- */
/* Atom indexes of atoms the runtime uses everywhere, interned at start. */
enum {
    ATOM_false = 0,
    ATOM_true,
    ATOM_nil,
    ATOM_ok,
    ATOM_error,
    ATOM_normal,
    ATOM_kill,
    ATOM_killed,
    ATOM_noproc,
    ATOM_noconnection,
    ATOM_EXIT,
    ATOM_DOWN,
    ATOM_process,
    ATOM_badarg,
    ATOM_undefined,
    ATOM_nonode_nohost,
    ATOM_infinity,
    ATOM_shutdown,
    ATOM_badmatch,
    ATOM___struct__,
    ATOM_message,
    ATOM_RuntimeError,
    ATOM_nodedown,
    ATOM_pong,
    ATOM_pang,
    ATOM_system_limit, /* added after the original list: keep new ones at the end */
    ATOM__FIXED_COUNT
};
#define A(name) MAKE_ATOM(ATOM_##name)

void atoms_init(void); /* interns the fixed atoms above, idempotent */
/* Intern; returns TAPA_NONE when the table is full (after one warning). */
tapa_term atom_intern(const char *utf8, size_t len);
/* Find without creating (binary_to_existing_atom); TAPA_NONE if absent. */
tapa_term atom_lookup(const char *utf8, size_t len);
const char *atom_text(tapa_term atom, size_t *len);
size_t atom_count(void);
void atom_set_limit(size_t max_atoms);
size_t atom_limit(void);
/* True if utf8[0..len) can name an atom: valid UTF-8, at most 255 code
 * points (atom_intern stops the process with :badarg otherwise). */
bool atom_name_valid(const char *utf8, size_t len);
#define ATOM_MAX_CHARS 255

/* ------------------------------------------------------------- nodes -- */
/* The node table: node 0 is this node. Pids and refs name their node by
 * index. A node entry is a name (atom) plus its creation; the channel is
 * the number iex prints as the first field of a remote pid. */
typedef struct node_entry {
    tapa_term name;
    uint32_t creation;
    uint32_t channel;
} node_entry;
uint32_t node_index_of(tapa_term name, uint32_t creation); /* finds or adds */
bool node_index_try(tapa_term name, uint32_t creation, uint32_t *out); /* false: table full */
/* As node_index_try, but a name with `keep` incarnations already reuses its oldest entry. */
bool node_index_recycling(tapa_term name, uint32_t creation, uint32_t keep, uint32_t *out);
const node_entry *node_at(uint32_t index);
void node_set_local(tapa_term name, uint32_t creation);

/* -------------------------------------------------------------- heap -- */
/* A process heap: every box the process owns. Mark-and-sweep, with the
 * process's C stack scanned conservatively for roots. */
typedef struct tapa_heap {
    tapa_box *boxes;
    size_t bytes; /* bytes in live boxes */
    size_t count; /* number of boxes */
    size_t bytes_at_last_gc;
    /* open-addressing set of box addresses, for conservative scanning */
    uintptr_t *set;
    size_t set_cap, set_used;
    /* Interior pointers (tapa_binary_data) are roots too: the span of
     * addresses the boxes cover, and the boxes too big to find by looking
     * back a few steps from such a pointer (heap.c, box_containing). */
    uintptr_t lo, hi;
    tapa_box **large;
    uint32_t nlarge, large_cap; /* large_cap == 0: no array yet */
    bool large_sorted;
} tapa_heap;

/* The heap new terms go to: the running process's, or the node's own. */
extern tapa_heap *tapa_current_heap;
tapa_heap *heap_global(void);

void heap_init(tapa_heap *h);
void heap_destroy(tapa_heap *h); /* frees every box */
tapa_box *heap_alloc(tapa_heap *h, box_type type, uint32_t size, size_t bytes);
bool heap_owns(const tapa_heap *h, const void *p);
/* Collection: mark roots, then sweep what was not reached. */
void heap_mark_term(tapa_heap *h, tapa_term t);
void heap_mark_range(tapa_heap *h, const void *lo, const void *hi); /* conservative */
void heap_sweep(tapa_heap *h);
bool heap_wants_gc(const tapa_heap *h);
/* Deep copy of t into heap dst (immediates are returned as they are). */
tapa_term heap_copy(tapa_heap *dst, tapa_term t);
/* Bytes a flat copy of t takes (Process.info :memory, limits). */
size_t term_size_bytes(tapa_term t);

/* Box allocation in the current heap, for constructors. */
#define NEW_BOX(ctype, type, size, extra) \
    ((ctype *)heap_alloc(tapa_current_heap, (type), (uint32_t)(size), sizeof(ctype) + (extra)))

/* ---------------------------------------------------- term internals -- */
/* Set by the distribution layer: stdout text of a process whose group
 * leader is on another node goes there (true: it went). */
extern bool (*term_stdout_route)(const char *data, size_t len);
bool export_callable(tapa_term module, tapa_term function, int arity); /* term.c */
tapa_term term_bigint_from_digits(bool negative, const uint32_t *digits, size_t n);
tapa_term term_ref_make(uint32_t node, const uint32_t *words, size_t nwords);
tapa_term term_port_make(uint32_t node, uint64_t id);
bool term_is_printable_charlist(tapa_term t);
tapa_term term_runtime_error(const char *message); /* %RuntimeError{message: ...} */

/* True if p lies in a read-only, file-backed mapping (a string literal). */
bool addr_is_readonly(const void *p);

/* Print into a growing buffer (the printer's and tracer's common sink). */
typedef struct strbuf {
    char *data;
    size_t len, cap;
} strbuf;
void sb_putc(strbuf *sb, char c);
void sb_puts(strbuf *sb, const char *s);
void sb_putn(strbuf *sb, const char *s, size_t n);
void sb_printf(strbuf *sb, const char *fmt, ...);
void sb_free(strbuf *sb);
void inspect_into(strbuf *sb, tapa_term t); /* inspect/1: one line */
/* tapa_printf's formatting (%pT a term, printf's conversions) into sb; who
 * names the caller in the :badarg for a TAPA_NONE given to %pT. */
void term_vformat(strbuf *sb, const char *who, const char *fmt, va_list *ap);
/* As IO.inspect prints: pretty, breaking lines at `width` columns (80 in
 * iex); width < 0 is inspect/1's infinite width. */
void inspect_into_width(strbuf *sb, tapa_term t, int width);
#define INSPECT_WIDTH 80

/* The C function exported as module.function/arity (atoms), or NULL;
 * export_index gives its registration order (printed in #Function<...>),
 * or -1. */
tapa_fun_fn export_lookup(tapa_term module, tapa_term function, int arity);
int export_index(tapa_term module, tapa_term function, int arity);

/* The order of map keys: Erlang's term order, except that every integer
 * sorts before every float (so 1 and 1.0 are distinct keys). 0 means the
 * two terms are exactly equal (===). */
int term_compare_exact(tapa_term a, tapa_term b);

/* Errors raised by term functions inside a process: stop it with reason
 * (e.g. :badarg). Outside a process they print and abort. Set by proc/. */
_Noreturn void term_fail(tapa_term reason, const char *why);
/* term_fail(:badarg, why) with why formatted: a call given a wrong
 * argument, said in words (which call, what it got, what to do). Every
 * :badarg of the runtime goes through here. */
__attribute__((format(printf, 1, 2))) _Noreturn void term_badarg(const char *fmt, ...);
/* t as iex shows it, cut to 200 bytes, for an error message: the text is
 * overwritten by the next call, so one term a message. */
const char *term_shown(tapa_term t);

/* TAPA_NONE (or a literal 0) where the API wants a term: stops the process
 * with :badarg, naming the function and which `what` ("argument",
 * "element", "~t placeholder") it was, 1-based. term.c. */
_Noreturn void term_none_fail(const char *fn, const char *what, size_t pos);
/* The check at each API entry that takes a term (one compare). */
#define TERM_ARG(t, fn, pos)                                                                \
    do {                                                                                    \
        if (__builtin_expect((t) == TAPA_NONE, 0)) term_none_fail((fn), "argument", (pos)); \
    } while (0)
/* The same for each of n terms (tuple elements, list elements, args). */
void term_check_terms(const tapa_term *terms, size_t n, const char *fn, const char *what);

#endif /* TAPA_TERM_H */
