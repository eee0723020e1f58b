/* iex.h — tapa-iex's internal interfaces: the lexer and parser of the
 * tutorial's Elixir, the evaluator, the builtins, the input. Not public:
 * only tools/iex/ and tools/tapa-iex.c include it. */
#ifndef TAPA_IEX_H
#define TAPA_IEX_H

#include "tapa.h"

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>

/* ---------------------------------------------------------------- lexer -- */

typedef enum tiex_tok {
    TK_EOF,
    TK_NL,
    TK_INT,
    TK_FLOAT,
    TK_STRING,
    TK_CHARLIST,
    TK_ATOM,
    TK_KEY,
    TK_IDENT,
    TK_ALIAS,
    TK_OP,
    TK_LPAREN,
    TK_RPAREN,
    TK_LBRACK,
    TK_RBRACK,
    TK_LBRACE,
    TK_RBRACE,
    TK_MAP_OPEN,
    TK_COMMA,
    TK_DOT,
    TK_ERROR,
} tiex_tok;

typedef struct tiex_token {
    tiex_tok kind;
    const char *start; /* into the source */
    size_t len;
    int line, col;
    bool space_before; /* `f (x)` vs `f(x)` */
} tiex_token;

/* ------------------------------------------------------------------ ast -- */

typedef enum tiex_node_kind {
    N_LIT, /* text: a literal the runtime's parser reads (number, atom, string) */
    N_VAR,
    N_PIN,
    N_TUPLE,
    N_LIST,
    N_MAP,
    N_BINOP,
    N_UNOP,
    N_MATCH,
    N_CALL, /* local: name(args) */
    N_RCALL, /* remote: Mod.name(args); kids[0] the module expression */
    N_APPLY, /* fun.(args); kids[0] the fun */
    N_FN, /* fn clauses end */
    N_RECEIVE,
    N_CASE,
    N_IF,
    N_BLOCK,
    N_CLAUSE,
} tiex_node_kind;

typedef struct tiex_node {
    tiex_node_kind kind;
    int line, col;
    char *text; /* name, operator or literal text (NUL-terminated copy) */
    char *pattern; /* N_CLAUSE / N_MATCH: the pattern's source for the pattern compiler */
    struct tiex_node **kids; /* operands, elements, args, clauses */
    size_t nkids;
    struct tiex_node *tail; /* N_LIST: `| tail`; N_RECEIVE: the after clause */
    struct tiex_node *guard; /* N_CLAUSE: `when` */
    const char *src_start; /* the node's source span */
    size_t src_len;
} tiex_node;

/* What a parse gives: a tree, or "the input is not finished yet" (multi-line
 * input continues with ...(n)>), or a syntax error at line:col. */
typedef enum tiex_parse_status { TP_OK, TP_INCOMPLETE, TP_ERROR } tiex_parse_status;

typedef struct tiex_parse_result {
    tiex_parse_status status;
    tiex_node *tree; /* N_BLOCK of the top-level expressions */
    int line, col;
    char message[200];
} tiex_parse_result;

tiex_parse_result tiex_parse(const char *src);
void tiex_node_free(tiex_node *n);

/* ------------------------------------------------------------ evaluator -- */

/* An error while evaluating: printed as iex does, `** (Kind) message`. The
 * shell's evaluation loop catches it with setjmp; nothing is unwound but C
 * frames of the same process. */
typedef struct tiex_error {
    char kind[48]; /* ArgumentError, MatchError, UndefinedFunctionError, ... */
    char message[400];
    bool is_exit; /* ** (exit) reason */
} tiex_error;

typedef struct tiex_ctx {
    tapa_term *env; /* the bindings: a list of {name_atom, value}, newest first;
                       lives in a stack frame of the evaluating process */
    jmp_buf *on_error;
    tiex_error *error;
} tiex_ctx;

tapa_term tiex_eval(tiex_ctx *cx, const tiex_node *n);
_Noreturn void tiex_fail(tiex_ctx *cx, const char *kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* t as iex shows it, in buf (cut to size, with "..." when cut). */
void tiex_shown(char *buf, size_t size, tapa_term t);
tapa_term tiex_lookup(tapa_term env, const char *name); /* TAPA_NONE if unbound */
tapa_term tiex_bind(tapa_term env, const char *name, tapa_term value);
/* match value against pattern source; binds into *cx->env; false on no match */
bool tiex_match(tiex_ctx *cx, const tiex_node *pat_owner, const char *pattern, tapa_term value);
tapa_term tiex_apply(tiex_ctx *cx, tapa_term fun, size_t n, const tapa_term *args);
void tiex_register_funs(void); /* TapaIex.fn/0..4: the shell's fn ... end */
void tiex_write_iodata(tapa_term data); /* IO output of io_requests */

/* ------------------------------------------------------------- builtins -- */

/* A call the shell knows. module NULL: local (send, self, flush, ...). */
typedef tapa_term (*tiex_builtin_fn)(tiex_ctx *cx, const tapa_term *args);
typedef struct tiex_builtin {
    const char *module, *name;
    int arity;
    tiex_builtin_fn fn;
    const char *help;
} tiex_builtin;

const tiex_builtin *tiex_builtin_find(const char *module, const char *name, int arity);
bool tiex_builtin_name_known(const char *module, const char *name); /* some arity */
const tiex_builtin *tiex_builtins(size_t *n);
void tiex_describe_module(char *out, size_t size, tapa_term module_atom); /* "TapaMessages" */

/* The tutorial's TapaMessages module, and the learner's when linked in. */
void tiex_register_tutorial(void);

/* ---------------------------------------------------------------- input -- */

void tiex_input_init(bool interactive, const char *history_path);
/* The next line, without its newline (malloc'd), or NULL at end of input.
 * Waits as a process does: the node's other processes run meanwhile. */
char *tiex_read_line(const char *prompt);
bool tiex_input_interactive(void);
void tiex_input_shutdown(void);
void tiex_input_abandon(void); /* the waiting shell process died */
bool tiex_input_waiting(void); /* the shell waits at the prompt */
void tiex_input_redisplay(void); /* the prompt and the line again, after output */
void tiex_route_remote_output(void); /* other nodes' output above the prompt */
/* Completion sees the shell's bindings through this (names only). */
void tiex_set_completion_names(const char *const *names, size_t n);

/* ---------------------------------------------------------------- shell -- */

extern tapa_term tiex_shell_pid; /* the evaluating process now */
extern tapa_term tiex_manager_pid;
extern int tiex_counter; /* the n of iex(n)> */
void tiex_shell_main(tapa_term arg);
void tiex_serve_io_requests(void);
const char *tiex_node_prefix(void); /* "node1@127.0.0.1" or "" */

#endif
