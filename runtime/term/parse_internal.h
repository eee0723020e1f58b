/* parse_internal.h — the literal parser's entry point, shared by tapa_t
 * (parse.c) and the pattern compiler (pattern.c). Not public. */
#ifndef TAPA_PARSE_INTERNAL_H
#define TAPA_PARSE_INTERNAL_H

#include "term.h"

/* Containers nested deeper than this are rejected ("nesting too deep"), so
 * hostile input cannot exhaust a process's C stack (256 KB). Measured: the
 * parser takes ~145 bytes a level at -O2, ~225 at -O0, ~305 under ASan;
 * 1000 levels would overflow the ASan build. Compiling and matching a
 * pattern, and the term functions that recurse (copy, compare, inspect),
 * then also stay within bounds for anything tapa_t built. */
#define PARSE_MAX_DEPTH 256

/* What a pattern-only name is. */
typedef enum parse_var_kind {
    PARSE_VAR, /* x: binds (or must equal an earlier x) */
    PARSE_WILD, /* _ or _name: matches anything, binds nothing */
    PARSE_PIN, /* ^x: must equal the pinned value */
} parse_var_kind;

/* Pattern mode. The parser calls var() for each variable, _name or ^pin and
 * puts the term it returns where the variable stands. var() returns
 * TAPA_NONE after writing why into msg to make the parse fail there. */
typedef struct parse_hooks {
    tapa_term (*var)(void *ud, parse_var_kind kind, const char *name, size_t len, char *msg,
                     size_t msgsize);
    void *ud;
} parse_hooks;

/* Parse one Elixir term literal. ap: the placeholder arguments (NULL: the
 * placeholders ~t ~p ~i ~f ~s ~a are errors). hooks: NULL for a plain
 * literal (a variable is then an error), non-NULL for a pattern; variables
 * in map keys and inside <<>> are errors in both modes. Returns TAPA_NONE
 * and fills *err (which may be NULL) on a malformed literal. */
tapa_term parse_literal(const char *src, tapa_parse_error *err, va_list *ap,
                        const parse_hooks *hooks);

/* The same with placeholder arguments from a callback instead of a
 * va_list (tests and the fuzzer use it). next() fills the member of out
 * that the placeholder kind ('t' 'p' 'i' 'f' 's' 'a') reads, or returns
 * false when there is no argument (an error at the placeholder). */
typedef union parse_arg {
    tapa_term term; /* ~t ~p */
    int64_t i; /* ~i */
    double f; /* ~f */
    const char *s; /* ~s ~a */
} parse_arg;
typedef struct parse_args {
    bool (*next)(void *ud, char kind, parse_arg *out);
    void *ud;
} parse_args;
tapa_term parse_literal_args(const char *src, tapa_parse_error *err, const parse_args *args,
                             const parse_hooks *hooks);

#endif
