/* pattern.h — Elixir patterns compiled once and matched against terms. */
#ifndef TAPA_PATTERN_H
#define TAPA_PATTERN_H

#include "term.h"

typedef struct pattern pattern;

/* Compile an Elixir pattern: literals (atoms, integers, floats, strings,
 * charlists), tuples, lists including [h | t], maps (%{key: p, "k" => p},
 * matching a subset of keys), variables that bind (a repeated variable must
 * match equal values), _ and _name, and ^name (a pinned value looked up in
 * the tapa_match). Returns NULL and fills *err on a malformed pattern. The
 * compiled pattern owns its literal terms (outside any process heap). */
pattern *pattern_compile(const char *src, tapa_parse_error *err);
void pattern_free(pattern *p);

/* The compiled pattern for src, from a cache keyed by the string (receive
 * patterns are string literals, compiled on first use). NULL with *err set
 * when src is malformed. */
const pattern *pattern_cached(const char *src, tapa_parse_error *err);

/* Match t. On success the pattern's variables are appended to m (names
 * point into the compiled pattern, values are subterms of t) and true is
 * returned; on failure m is left as it was. Pinned names are read from m. */
bool pattern_match(const pattern *p, tapa_term t, tapa_match *m);
/* Set by pattern_match when t matched but the bindings did not fit in m
 * (it then returns false); cleared by each call. */
extern bool pattern_no_room;

/* True if the pattern reads ^pinned values (its result then depends on m). */
bool pattern_has_pins(const pattern *p);
/* The first ^name of p that m has no value for, or NULL when all have one. */
const char *pattern_unbound_pin(const pattern *p, const tapa_match *m);

#endif
