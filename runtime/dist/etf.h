/* etf.h — Erlang's external term format (term_to_binary / binary_to_term).
 *
 * The same bytes travel between nodes, so a term encoded here decodes on
 * BEAM and the other way round. Decoding is defensive: every length is
 * checked against the bytes that are left, new atoms are bounded, a
 * compressed term may not inflate past a limit, and the memory a term
 * takes is bounded by a multiple of its bytes. Decoding is iterative (an
 * explicit stack on the heap): deep terms cost memory, not C stack. A failure
 * leaves a readable reason in the error buffer and builds nothing useful.
 */
#ifndef TAPA_DIST_ETF_H
#define TAPA_DIST_ETF_H

#include "term/etf_tags.h"
#include "term/term.h"

/* A growable byte buffer (malloc'd). */
typedef struct dbuf {
    uint8_t *data;
    size_t len, cap;
} dbuf;
void dbuf_reserve(dbuf *b, size_t more);
void dbuf_put(dbuf *b, const void *bytes, size_t n);
void dbuf_u8(dbuf *b, uint8_t v);
void dbuf_u16(dbuf *b, uint16_t v); /* big-endian, as the wire is */
void dbuf_u32(dbuf *b, uint32_t v);
void dbuf_u64(dbuf *b, uint64_t v);
void dbuf_free(dbuf *b);

typedef struct etf_limits {
    uint32_t max_depth; /* nesting of tuples, lists, maps, funs */
    uint32_t max_new_atoms; /* atoms one term may add to the atom table */
    size_t max_inflated; /* bytes a compressed term may inflate to */
    size_t heap_per_byte; /* memory a term may take per byte of its packet (0: 256) */
    size_t heap_floor; /* ... and at least this much (0: 1 MiB) */
    bool existing_atoms_only; /* binary_to_term(B, [:safe]) */
    uint32_t *atoms_left; /* new atoms this peer may still add (NULL: no cap) */
    uint32_t *nodes_left; /* new node incarnations this peer may still name (NULL: no cap) */
} etf_limits;
extern etf_limits etf_default_limits; /* depth 100k, 10k atoms, 64 MiB */
/* The memory one decoded term of len bytes may take (inflated bytes,
 * boxes and the nesting stack), checked before each allocation. */
size_t etf_decode_budget(const etf_limits *lim, size_t len);

/* Append t's encoding (without the 131 version byte) to b. Returns false
 * (with a reason in err) for something that has no external form. */
bool etf_encode_term(dbuf *b, tapa_term t, char *err, size_t errlen);
/* term_to_binary: 131 then the term. */
bool etf_encode(dbuf *b, tapa_term t, char *err, size_t errlen);

/* binary_to_term of buf[0..len): expects 131 first. Builds the term in
 * tapa_current_heap. *used (may be NULL) gets the bytes consumed; extra
 * bytes after the term are left for the caller (a packet holds two terms).
 * Returns TAPA_NONE with a reason in err on bad input. */
tapa_term etf_decode(const uint8_t *buf, size_t len, size_t *used, const etf_limits *lim, char *err,
                     size_t errlen);

/* A node we completed a handshake with: pids, refs and ports of it always
 * decode, however many made-up nodes other terms have named. */
void etf_trust_node(tapa_term name, uint32_t creation);

/* A fun made of an exported C function with captured terms travels as a
 * NEW_FUN_EXT whose 16-byte uniq is this marker and whose first free
 * variable is the function's name (BEAM sees a fun of an unknown module). */
#define ETF_TAPA_FUN_MAGIC "tapa C fun v1\0\0\0"

#endif
