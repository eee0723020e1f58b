/* parser.c — the tutorial's Elixir expressions as a tree (precedence
 * climbing over the token array of lexer.c).
 *
 * Running out of tokens where more must come (after `do`, an operator, an
 * open bracket) is not an error but TP_INCOMPLETE: the shell then reads
 * another line, as iex prompts ...(n)>. Patterns keep their source text:
 * the evaluator hands it to the runtime's pattern compiler. */
#include "iex/lexer.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

typedef struct parser {
    tiex_tokens tv;
    size_t i;
    jmp_buf fail;
    tiex_parse_result *res;
    int depth; /* of parse_expr calls: bounded, the shell's process has a small C stack */
} parser;

/* Deeper input is refused: the parser, the evaluator and the runtime's
 * pattern compiler recurse on it, inside a process's 256 KB stack. */
#define TIEX_MAX_DEPTH 100

static tiex_node *parse_expr(parser *ps, int min_prec);
static tiex_node *parse_body(parser *ps, const char *const *stops);

static const tiex_token *peek(parser *ps)
{
    return &ps->tv.v[ps->i];
}
static const tiex_token *peek_at(parser *ps, size_t k)
{
    size_t j = ps->i + k;
    return &ps->tv.v[j < ps->tv.n ? j : ps->tv.n - 1];
}
static const tiex_token *next(parser *ps)
{
    const tiex_token *t = &ps->tv.v[ps->i];
    if (t->kind != TK_EOF) ps->i++;
    return t;
}

static bool is_word(const tiex_token *t, const char *w)
{
    return t->kind == TK_IDENT && t->len == strlen(w) && strncmp(t->start, w, t->len) == 0;
}
static bool is_op(const tiex_token *t, const char *op)
{
    return t->kind == TK_OP && t->len == strlen(op) && strncmp(t->start, op, t->len) == 0;
}

static _Noreturn void fail_at(parser *ps, const tiex_token *t, const char *fmt, ...)
{
    tiex_parse_result *r = ps->res;
    r->status = t->kind == TK_EOF ? TP_INCOMPLETE : TP_ERROR;
    r->line = t->line;
    r->col = t->col;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->message, sizeof r->message, fmt, ap);
    va_end(ap);
    longjmp(ps->fail, 1);
}

static _Noreturn void unexpected(parser *ps, const tiex_token *t)
{
    if (t->kind == TK_EOF) fail_at(ps, t, "unexpected end of input");
    if (t->kind == TK_RPAREN || t->kind == TK_RBRACK || t->kind == TK_RBRACE || is_word(t, "end"))
        fail_at(ps, t, "unexpected token: %.*s", (int)t->len, t->start);
    fail_at(ps, t, "syntax error before: %s%.*s%s", t->kind == TK_STRING ? "" : "\"", (int)t->len,
            t->start, t->kind == TK_STRING ? "" : "\"");
}

static void expect(parser *ps, tiex_tok kind, const char *what)
{
    const tiex_token *t = peek(ps);
    if (t->kind != kind) {
        if (t->kind == TK_EOF) fail_at(ps, t, "missing terminator: %s", what);
        unexpected(ps, t);
    }
    next(ps);
}

static void skip_nl(parser *ps)
{
    while (peek(ps)->kind == TK_NL) next(ps);
}

static char *dup_n(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (!d) abort();
    memcpy(d, s, n);
    d[n] = 0;
    return d;
}

static tiex_node *node(tiex_node_kind k, const tiex_token *at)
{
    tiex_node *n = calloc(1, sizeof *n);
    if (!n) abort();
    n->kind = k;
    n->line = at->line;
    n->col = at->col;
    n->src_start = at->start;
    return n;
}

static void add_kid(tiex_node *n, tiex_node *k)
{
    n->kids = realloc(n->kids, (n->nkids + 1) * sizeof *n->kids);
    if (!n->kids) abort();
    n->kids[n->nkids++] = k;
}

/* the node's source ends where the last token taken ends */
static tiex_node *finish(parser *ps, tiex_node *n)
{
    const tiex_token *last = &ps->tv.v[ps->i ? ps->i - 1 : 0];
    n->src_len = (size_t)(last->start + last->len - n->src_start);
    return n;
}

void tiex_node_free(tiex_node *n)
{
    if (!n) return;
    for (size_t i = 0; i < n->nkids; i++) tiex_node_free(n->kids[i]);
    free(n->kids);
    tiex_node_free(n->tail);
    tiex_node_free(n->guard);
    free(n->text);
    free(n->pattern);
    free(n);
}

/* ------------------------------------------------------------ operators -- */

typedef struct opinfo {
    const char *op;
    int prec;
    bool right;
} opinfo;
static const opinfo binops[] = {
    {"=", 1, true},   {"||", 2, false}, {"or", 2, false},  {"&&", 3, false},  {"and", 3, false},
    {"==", 4, false}, {"!=", 4, false}, {"===", 4, false}, {"!==", 4, false}, {"<", 5, false},
    {">", 5, false},  {"<=", 5, false}, {">=", 5, false},  {"|>", 6, false},  {"++", 7, true},
    {"--", 7, true},  {"<>", 7, true},  {"+", 8, false},   {"-", 8, false},   {"*", 9, false},
    {"/", 9, false},  {NULL, 0, false},
};

static const opinfo *binop_of(const tiex_token *t)
{
    if (t->kind != TK_OP && !is_word(t, "and") && !is_word(t, "or")) return NULL;
    for (const opinfo *o = binops; o->op; o++)
        if (t->len == strlen(o->op) && strncmp(t->start, o->op, t->len) == 0) return o;
    return NULL;
}

/* ----------------------------------------------------------- containers -- */

/* `key: value` as the tuple {:key, value} */
static tiex_node *keyword_pair(parser *ps)
{
    const tiex_token *k = next(ps);
    tiex_node *t = node(N_TUPLE, k);
    tiex_node *a = node(N_LIT, k);
    /* `label:` -> `:label`;  `"a b":` -> `:"a b"` */
    size_t n = k->len - 1;
    a->text = malloc(n + 2);
    if (!a->text) abort();
    a->text[0] = ':';
    memcpy(a->text + 1, k->start, n);
    a->text[n + 1] = 0;
    a->src_len = k->len;
    add_kid(t, a);
    skip_nl(ps);
    add_kid(t, parse_expr(ps, 1));
    return finish(ps, t);
}

/* elements up to close; keywords at the end become {k, v} tuples */
static void elements(parser *ps, tiex_node *n, tiex_tok close, const char *what, bool allow_tail)
{
    skip_nl(ps);
    while (peek(ps)->kind != close) {
        if (peek(ps)->kind == TK_KEY) add_kid(n, keyword_pair(ps));
        else add_kid(n, parse_expr(ps, 1));
        skip_nl(ps);
        if (allow_tail && is_op(peek(ps), "|")) {
            next(ps);
            skip_nl(ps);
            n->tail = parse_expr(ps, 1);
            skip_nl(ps);
            break;
        }
        if (peek(ps)->kind != TK_COMMA) break;
        next(ps);
        skip_nl(ps);
    }
    expect(ps, close, what);
}

static tiex_node *parse_map(parser *ps)
{
    tiex_node *m = node(N_MAP, next(ps));
    skip_nl(ps);
    while (peek(ps)->kind != TK_RBRACE) {
        if (peek(ps)->kind == TK_KEY) {
            tiex_node *pair = keyword_pair(ps);
            add_kid(m, pair->kids[0]);
            add_kid(m, pair->kids[1]);
            pair->nkids = 0;
            tiex_node_free(pair);
        } else {
            add_kid(m, parse_expr(ps, 2));
            skip_nl(ps);
            if (!is_op(peek(ps), "=") || peek_at(ps, 1)->kind != TK_OP ||
                !is_op(peek_at(ps, 1), ">")) {
                if (is_op(peek(ps), "=") && is_op(peek_at(ps, 1), ">")) {
                } else unexpected(ps, peek(ps));
            }
            next(ps), next(ps); /* => */
            skip_nl(ps);
            add_kid(m, parse_expr(ps, 1));
        }
        skip_nl(ps);
        if (peek(ps)->kind != TK_COMMA) break;
        next(ps);
        skip_nl(ps);
    }
    expect(ps, TK_RBRACE, "} (for map)");
    return finish(ps, m);
}

static void call_args(parser *ps, tiex_node *call)
{
    next(ps); /* ( */
    elements(ps, call, TK_RPAREN, ") (for function call)", false);
    /* trailing keywords are one list argument: f(x, label: "a") */
    size_t first_kw = call->nkids;
    while (first_kw > 0 && call->kids[first_kw - 1]->kind == N_TUPLE &&
           call->kids[first_kw - 1]->nkids == 2 &&
           call->kids[first_kw - 1]->kids[0]->kind == N_LIT &&
           call->kids[first_kw - 1]->kids[0]->text &&
           call->kids[first_kw - 1]->kids[0]->text[0] == ':' &&
           call->kids[first_kw - 1]->src_start[0] != '{')
        first_kw--;
    if (first_kw < call->nkids) {
        tiex_node *list = node(N_LIST, peek(ps));
        for (size_t k = first_kw; k < call->nkids; k++) add_kid(list, call->kids[k]);
        call->nkids = first_kw;
        add_kid(call, list);
    }
}

/* ------------------------------------------------------------- clauses -- */

/* Is the line at the cursor a clause head (`pattern ->`)? */
static bool clause_ahead(parser *ps)
{
    int depth = 0;
    for (size_t k = 0;; k++) {
        const tiex_token *t = peek_at(ps, k);
        if (t->kind == TK_EOF) return false;
        if (depth == 0 && t->kind == TK_NL) return false;
        if (t->kind == TK_LPAREN || t->kind == TK_LBRACK || t->kind == TK_LBRACE ||
            t->kind == TK_MAP_OPEN)
            depth++;
        if (t->kind == TK_RPAREN || t->kind == TK_RBRACK || t->kind == TK_RBRACE) depth--;
        if (depth < 0) return false;
        if (depth == 0 && is_op(t, "->")) return true;
        if (depth == 0 && (is_word(t, "end") || is_word(t, "do") || is_word(t, "fn"))) return false;
    }
}

static const char *const clause_stops[] = {"end", "after", "else", NULL};

/* pattern [when guard] -> body; params: several comma-separated patterns,
 * kept as one list pattern "[a, b]" */
static tiex_node *parse_clause(parser *ps, bool params)
{
    const tiex_token *first = peek(ps);
    tiex_node *c = node(N_CLAUSE, first);
    const char *pat_start = first->start, *pat_end = first->start;
    bool parens = params && first->kind == TK_LPAREN;
    if (parens) next(ps), pat_start = peek(ps)->start, pat_end = pat_start;
    while (!is_op(peek(ps), "->") && !is_word(peek(ps), "when") &&
           !(parens && peek(ps)->kind == TK_RPAREN)) {
        if (peek(ps)->kind == TK_EOF || peek(ps)->kind == TK_NL) unexpected(ps, peek(ps));
        tiex_node *p = parse_expr(ps, 2); /* checked by the pattern compiler */
        add_kid(c, p);
        pat_end = p->src_start + p->src_len;
        if (!params || peek(ps)->kind != TK_COMMA) break;
        next(ps);
    }
    if (parens) expect(ps, TK_RPAREN, ")");
    size_t n = (size_t)(pat_end - pat_start);
    if (params) {
        c->pattern = malloc(n + 3);
        if (!c->pattern) abort();
        c->pattern[0] = '[';
        memcpy(c->pattern + 1, pat_start, n);
        c->pattern[n + 1] = ']';
        c->pattern[n + 2] = 0;
    } else {
        if (c->nkids != 1) unexpected(ps, peek(ps));
        c->pattern = dup_n(pat_start, n);
    }
    /* the pattern's sub-trees only served to find its end and its pins */
    if (is_word(peek(ps), "when")) {
        next(ps);
        c->guard = parse_expr(ps, 2);
    }
    if (!is_op(peek(ps), "->")) unexpected(ps, peek(ps));
    next(ps);
    c->tail = parse_body(ps, clause_stops);
    return finish(ps, c);
}

/* clauses until `end` (or `after`) */
static void parse_clauses(parser *ps, tiex_node *owner, bool params)
{
    skip_nl(ps);
    while (!is_word(peek(ps), "end") && !is_word(peek(ps), "after")) {
        if (peek(ps)->kind == TK_EOF) fail_at(ps, peek(ps), "missing terminator: end");
        add_kid(owner, parse_clause(ps, params));
        skip_nl(ps);
    }
}

/* expressions separated by newlines, until a stop word or the next clause */
static tiex_node *parse_body(parser *ps, const char *const *stops)
{
    tiex_node *b = node(N_BLOCK, peek(ps));
    for (;;) {
        skip_nl(ps);
        const tiex_token *t = peek(ps);
        if (t->kind == TK_EOF) fail_at(ps, t, "missing terminator: end");
        for (int i = 0; stops[i]; i++)
            if (is_word(t, stops[i])) return finish(ps, b);
        if (b->nkids && clause_ahead(ps)) return finish(ps, b);
        add_kid(b, parse_expr(ps, 1));
        if (peek(ps)->kind != TK_NL && peek(ps)->kind != TK_EOF) {
            bool stop = false;
            for (int i = 0; stops[i]; i++) stop |= is_word(peek(ps), stops[i]);
            if (!stop) unexpected(ps, peek(ps));
        }
    }
}

static void expect_word(parser *ps, const char *w)
{
    if (!is_word(peek(ps), w)) {
        if (peek(ps)->kind == TK_EOF) fail_at(ps, peek(ps), "missing terminator: %s", w);
        unexpected(ps, peek(ps));
    }
    next(ps);
}

static tiex_node *parse_receive(parser *ps)
{
    tiex_node *r = node(N_RECEIVE, next(ps));
    expect_word(ps, "do");
    parse_clauses(ps, r, false);
    if (is_word(peek(ps), "after")) {
        next(ps);
        skip_nl(ps);
        tiex_node *a = node(N_CLAUSE, peek(ps));
        add_kid(a, parse_expr(ps, 2));
        if (!is_op(peek(ps), "->")) unexpected(ps, peek(ps));
        next(ps);
        a->tail = parse_body(ps, clause_stops);
        r->tail = finish(ps, a);
    }
    expect_word(ps, "end");
    return finish(ps, r);
}

static tiex_node *parse_case(parser *ps)
{
    tiex_node *c = node(N_CASE, next(ps));
    c->tail = parse_expr(ps, 1);
    expect_word(ps, "do");
    parse_clauses(ps, c, false);
    expect_word(ps, "end");
    return finish(ps, c);
}

static const char *const else_stops[] = {"end", "else", NULL};
static const char *const end_stops[] = {"end", NULL};

static tiex_node *parse_if(parser *ps)
{
    tiex_node *n = node(N_IF, next(ps));
    add_kid(n, parse_expr(ps, 1));
    expect_word(ps, "do");
    add_kid(n, parse_body(ps, else_stops));
    if (is_word(peek(ps), "else")) {
        next(ps);
        add_kid(n, parse_body(ps, end_stops));
    }
    expect_word(ps, "end");
    return finish(ps, n);
}

static tiex_node *parse_fn(parser *ps)
{
    tiex_node *f = node(N_FN, next(ps));
    skip_nl(ps);
    while (!is_word(peek(ps), "end")) {
        if (peek(ps)->kind == TK_EOF) fail_at(ps, peek(ps), "missing terminator: end (for fn)");
        if (is_op(peek(ps), "->")) { /* fn -> body end: no parameters */
            tiex_node *c = node(N_CLAUSE, peek(ps));
            next(ps);
            c->pattern = dup_n("[]", 2);
            c->tail = parse_body(ps, clause_stops);
            add_kid(f, finish(ps, c));
        } else {
            add_kid(f, parse_clause(ps, true));
        }
        skip_nl(ps);
    }
    next(ps);
    finish(ps, f);
    f->text = dup_n(f->src_start, f->src_len); /* a fun carries its source */
    return f;
}

/* ------------------------------------------------------------ primaries -- */

static tiex_node *literal(parser *ps)
{
    const tiex_token *t = next(ps);
    tiex_node *n = node(N_LIT, t);
    n->text = dup_n(t->start, t->len);
    return finish(ps, n);
}

static tiex_node *remote_call(parser *ps, tiex_node *module)
{
    next(ps); /* . */
    const tiex_token *name = next(ps);
    if (name->kind != TK_IDENT) unexpected(ps, name);
    tiex_node *c =
        node(N_RCALL, module->kind == N_LIT
                          ? &(tiex_token){0, module->src_start, 0, module->line, module->col, false}
                          : name);
    c->text = dup_n(name->start, name->len);
    add_kid(c, module);
    if (peek(ps)->kind == TK_LPAREN && !peek(ps)->space_before) call_args(ps, c);
    return finish(ps, c);
}

static tiex_node *primary(parser *ps)
{
    const tiex_token *t = peek(ps);
    switch (t->kind) {
    case TK_INT:
    case TK_FLOAT:
    case TK_STRING:
    case TK_CHARLIST:
        return literal(ps);
    case TK_ATOM: {
        tiex_node *a = literal(ps);
        if (peek(ps)->kind == TK_DOT && peek_at(ps, 1)->kind == TK_IDENT) return remote_call(ps, a);
        return a;
    }
    case TK_ALIAS: {
        tiex_node *a = node(N_LIT, t);
        size_t start = ps->i;
        next(ps);
        while (peek(ps)->kind == TK_DOT && peek_at(ps, 1)->kind == TK_ALIAS) next(ps), next(ps);
        const tiex_token *last = &ps->tv.v[ps->i - 1];
        a->text =
            dup_n(ps->tv.v[start].start, (size_t)(last->start + last->len - ps->tv.v[start].start));
        finish(ps, a);
        if (peek(ps)->kind == TK_DOT && peek_at(ps, 1)->kind == TK_IDENT) return remote_call(ps, a);
        return a;
    }
    case TK_LPAREN: {
        next(ps);
        skip_nl(ps);
        tiex_node *e = parse_expr(ps, 1);
        skip_nl(ps);
        expect(ps, TK_RPAREN, ")");
        return e;
    }
    case TK_LBRACE: {
        tiex_node *n = node(N_TUPLE, next(ps));
        elements(ps, n, TK_RBRACE, "} (for tuple)", false);
        return finish(ps, n);
    }
    case TK_LBRACK: {
        tiex_node *n = node(N_LIST, next(ps));
        elements(ps, n, TK_RBRACK, "] (for list)", true);
        return finish(ps, n);
    }
    case TK_MAP_OPEN:
        return parse_map(ps);
    case TK_OP:
        if (is_op(t, "^")) {
            next(ps);
            const tiex_token *v = next(ps);
            if (v->kind != TK_IDENT) unexpected(ps, v);
            tiex_node *p = node(N_PIN, t);
            p->text = dup_n(v->start, v->len);
            return finish(ps, p);
        }
        if (is_op(t, "-") || is_op(t, "!") || is_op(t, "+")) {
            next(ps);
            tiex_node *u = node(N_UNOP, t);
            u->text = dup_n(t->start, t->len);
            add_kid(u, parse_expr(ps, 10));
            return finish(ps, u);
        }
        unexpected(ps, t);
    case TK_IDENT: {
        if (is_word(t, "true") || is_word(t, "false") || is_word(t, "nil")) return literal(ps);
        if (is_word(t, "fn")) return parse_fn(ps);
        if (is_word(t, "receive")) return parse_receive(ps);
        if (is_word(t, "case")) return parse_case(ps);
        if (is_word(t, "if")) return parse_if(ps);
        if (is_word(t, "not")) {
            next(ps);
            tiex_node *u = node(N_UNOP, t);
            u->text = dup_n("not", 3);
            add_kid(u, parse_expr(ps, 10));
            return finish(ps, u);
        }
        if (is_word(t, "end") || is_word(t, "do") || is_word(t, "after") || is_word(t, "else"))
            unexpected(ps, t);
        next(ps);
        if (peek(ps)->kind == TK_LPAREN && !peek(ps)->space_before) {
            tiex_node *c = node(N_CALL, t);
            c->text = dup_n(t->start, t->len);
            call_args(ps, c);
            return finish(ps, c);
        }
        tiex_node *v = node(N_VAR, t);
        v->text = dup_n(t->start, t->len);
        return finish(ps, v);
    }
    default:
        unexpected(ps, t);
    }
}

static tiex_node *postfix(parser *ps)
{
    tiex_node *e = primary(ps);
    /* fun.(args) */
    while (peek(ps)->kind == TK_DOT && peek_at(ps, 1)->kind == TK_LPAREN) {
        next(ps);
        tiex_node *a = node(N_APPLY, &(tiex_token){0, e->src_start, 0, e->line, e->col, false});
        add_kid(a, e);
        call_args(ps, a);
        e = finish(ps, a);
    }
    return e;
}

/* `a |> f(b)` is f(a, b) */
static tiex_node *pipe_into(parser *ps, const tiex_token *op, tiex_node *left, tiex_node *right)
{
    if (right->kind != N_CALL && right->kind != N_RCALL && right->kind != N_APPLY)
        fail_at(ps, op,
                "the right side of |> must be a function call, as in x |> Keyword.get(:key)");
    size_t first = right->kind == N_CALL ? 0 : 1;
    add_kid(right, left);
    memmove(&right->kids[first + 1], &right->kids[first],
            (right->nkids - first - 1) * sizeof *right->kids);
    right->kids[first] = left;
    right->src_start = left->src_start;
    return finish(ps, right);
}

static tiex_node *parse_expr(parser *ps, int min_prec)
{
    if (++ps->depth > TIEX_MAX_DEPTH)
        fail_at(ps, peek(ps), "nesting too deep (more than %d levels)", TIEX_MAX_DEPTH);
    tiex_node *left = postfix(ps);
    for (int chain = 1;; chain++) { /* a + b + c nests to the left: as deep as it is long */
        const tiex_token *t = peek(ps);
        const opinfo *o = binop_of(t);
        if (o && o->prec >= min_prec && ps->depth + chain > TIEX_MAX_DEPTH)
            fail_at(ps, t, "expression too deep (more than %d operators in a row)", TIEX_MAX_DEPTH);
        if (!o || o->prec < min_prec) {
            ps->depth--;
            return left;
        }
        next(ps);
        skip_nl(ps);
        tiex_node *right = parse_expr(ps, o->right ? o->prec : o->prec + 1);
        if (!strcmp(o->op, "|>")) {
            left = pipe_into(ps, t, left, right);
            continue;
        }

        tiex_node *b = node(!strcmp(o->op, "=") ? N_MATCH : N_BINOP,
                            &(tiex_token){0, left->src_start, 0, left->line, left->col, false});
        b->text = dup_n(o->op, strlen(o->op));
        add_kid(b, left);
        add_kid(b, right);
        if (b->kind == N_MATCH) b->pattern = dup_n(left->src_start, left->src_len);
        left = finish(ps, b);
    }
}

tiex_parse_result tiex_parse(const char *src)
{
    tiex_parse_result res = {0};
    parser ps = {0};
    ps.res = &res;
    if (!tiex_lex(src, &ps.tv)) {
        res.status = ps.tv.incomplete ? TP_INCOMPLETE : TP_ERROR;
        res.line = ps.tv.err_line;
        res.col = ps.tv.err_col;
        snprintf(res.message, sizeof res.message, "%s", ps.tv.message);
        tiex_tokens_free(&ps.tv);
        return res;
    }
    tiex_node *volatile block = node(N_BLOCK, peek(&ps));
    if (setjmp(ps.fail)) { /* the partial tree leaks a little: errors are rare and small */
        tiex_tokens_free(&ps.tv);
        return res;
    }
    for (;;) {
        skip_nl(&ps);
        if (peek(&ps)->kind == TK_EOF) break;
        add_kid(block, parse_expr(&ps, 1));
        const tiex_token *t = peek(&ps);
        if (t->kind != TK_NL && t->kind != TK_EOF) unexpected(&ps, t);
    }
    res.status = TP_OK;
    res.tree = block;
    tiex_tokens_free(&ps.tv);
    return res;
}
