/* eval.c — evaluating the tree of parser.c into terms, in the calling
 * process (the shell's evaluator, or any process that applies a fun made
 * at the prompt).
 *
 * Terms live on the process's heap, which is collected when the process
 * waits: every term kept here is in a C local or in the bindings list whose
 * root (cx->env) is a local of the shell's loop, so the stack scan finds
 * them all. Nothing term-valued is kept in malloc'd memory.
 *
 * Patterns (=, receive, case, fn) are compiled by the runtime's pattern
 * compiler from their source text; a pinned ^x is given to it as a pin. */
#include "iex/iex.h"
#include "sched/process.h"
#include "term/pattern.h"
#include "term/term.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* iex numbers lines from the prompt's counter */
#define LINE(n) (tiex_counter + (n)->line - 1)

_Noreturn void tiex_fail(tiex_ctx *cx, const char *kind, const char *fmt, ...)
{
    snprintf(cx->error->kind, sizeof cx->error->kind, "%s", kind);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cx->error->message, sizeof cx->error->message, fmt, ap);
    va_end(ap);
    cx->error->is_exit = false;
    longjmp(*cx->on_error, 1);
}

void tiex_shown(char *buf, size_t size, tapa_term t)
{
    if (tapa_inspect_to(buf, size, t) >= size && size > 4) strcpy(buf + size - 4, "...");
}

/* -------------------------------------------------------------- bindings -- */

tapa_term tiex_lookup(tapa_term env, const char *name)
{
    tapa_term key = tapa_atom(name);
    for (; tapa_type_of(env) == TAPA_T_LIST; env = tapa_tl(env)) {
        tapa_term pair = tapa_hd(env);
        if (tapa_equal(tapa_element(pair, 0), key)) return tapa_element(pair, 1);
    }
    return TAPA_NONE;
}

/* newest first; an older binding of the same name is dropped */
tapa_term tiex_bind(tapa_term env, const char *name, tapa_term value)
{
    tapa_term key = tapa_atom(name), rest = tapa_empty_list(), kept[64];
    size_t n = 0;
    for (tapa_term e = env; tapa_type_of(e) == TAPA_T_LIST; e = tapa_tl(e)) {
        tapa_term pair = tapa_hd(e);
        if (tapa_equal(tapa_element(pair, 0), key)) {
            /* rebuild the part before it, then skip it */
            rest = tapa_tl(e);
            while (n > 0) rest = tapa_cons(kept[--n], rest);
            return tapa_cons(tapa_tuple(key, value), rest);
        }
        if (n < 64) kept[n++] = pair;
        else break;
    }
    return tapa_cons(tapa_tuple(key, value), env);
}

/* -------------------------------------------------------------- patterns -- */

/* The ^names of a pattern's text (outside quotes) */
static int pins_of(const char *pat, char names[][64], int max)
{
    int n = 0;
    char q = 0;
    for (const char *s = pat; *s; s++) {
        if (q) {
            if (*s == '\\' && s[1]) s++;
            else if (*s == q) q = 0;
            continue;
        }
        if (*s == '"' || *s == '\'') q = *s;
        if (*s != '^') continue;
        const char *e = s + 1;
        while (isalnum((unsigned char)*e) || *e == '_') e++;
        size_t len = (size_t)(e - s - 1);
        if (len && len < 64 && n < max) {
            memcpy(names[n], s + 1, len);
            names[n][len] = 0;
            n++;
        }
    }
    return n;
}

static const pattern *compile_pattern(tiex_ctx *cx, const char *pat)
{
    tapa_parse_error err = {0};
    const pattern *p = pattern_cached(pat, &err);
    if (!p)
        tiex_fail(cx, "CompileError", "iex:%d:%d: %s (in the pattern %s)", err.line, err.column,
                  err.message, pat);
    return p;
}

/* the pins of pattern text into m */
static int pin_all(tiex_ctx *cx, const char *pat, tapa_match *m)
{
    char names[TAPA_MAX_VARS][64];
    int n = pins_of(pat, names, TAPA_MAX_VARS);
    for (int i = 0; i < n; i++) {
        tapa_term v = tiex_lookup(*cx->env, names[i]);
        if (v == TAPA_NONE)
            tiex_fail(cx, "CompileError", "iex:1: undefined variable ^%s", names[i]);
        tapa_pin(m, names[i], v);
    }
    return m->count;
}

static void bind_from(tiex_ctx *cx, const tapa_match *m, int from)
{
    for (int i = from; i < m->count; i++) *cx->env = tiex_bind(*cx->env, m->names[i], m->values[i]);
}

bool tiex_match(tiex_ctx *cx, const tiex_node *owner, const char *pat, tapa_term value)
{
    (void)owner;
    const pattern *p = compile_pattern(cx, pat);
    tapa_match m = {0};
    int npins = pin_all(cx, pat, &m);
    if (!pattern_match(p, value, &m)) {
        if (pattern_no_room)
            tiex_fail(cx, "CompileError",
                      "iex:1: the pattern %s binds more than %d variables (the runtime's limit)",
                      pat, TAPA_MAX_VARS);
        return false;
    }
    bind_from(cx, &m, npins);
    return true;
}

/* ------------------------------------------------------------------ funs -- */

/* A fun's arity, or -1 when t is not a fun (reads the runtime's box). */
static int fun_arity(tapa_term t)
{
    return tapa_is_fun(t) ? ((const box_fun *)BOX_OF(t))->arity : -1;
}

static bool fun_callable(tapa_term t)
{
    const box_fun *f = (const box_fun *)BOX_OF(t);
    return f->kind == FUN_EXPORTED && (f->fn || export_lookup(f->module, f->function, f->arity));
}

tapa_term tiex_apply(tiex_ctx *cx, tapa_term fun, size_t n, const tapa_term *args)
{
    char text[200];
    if (!tapa_is_fun(fun)) {
        tiex_shown(text, sizeof text, fun);
        tiex_fail(cx, "BadFunctionError", "expected a function, got: %s", text);
    }
    if ((size_t)fun_arity(fun) != n) {
        tiex_shown(text, sizeof text, fun);
        tiex_fail(cx, "BadArityError", "%s with arity %d called with %zu argument%s", text,
                  fun_arity(fun), n, n == 1 ? "" : "s");
    }
    if (!fun_callable(fun)) {
        tiex_shown(text, sizeof text, fun);
        tiex_fail(cx, "UndefinedFunctionError",
                  "%s cannot run here: its code is not on this node (a fun made by a BEAM node "
                  "runs only on BEAM)",
                  text);
    }
    return tapa_apply_v(fun, n, args);
}

/* The shell's ctx, for funs applied by the shell process itself: their
 * errors go to the prompt, not to a crash. */
tiex_ctx *tiex_shell_ctx;

static tapa_term eval_block(tiex_ctx *cx, const tiex_node *b);

/* A fun that calls itself (f = fn f -> f.(f) end; f.(f)) recurses in C:
 * past this much of the process's 256 KB stack it is stopped, as an error,
 * before it overflows (ASan builds use more stack per call). */
#define TIEX_STACK_BUDGET (160 * 1024)

static bool stack_nearly_full(void)
{
    process *p = proc_current();
    char here;
    return p && p->stack_hi && (size_t)((char *)p->stack_hi - &here) > TIEX_STACK_BUDGET;
}

/* TapaIex.fn/N: captured = {source of `fn ... end`, bindings, arity} */
static tapa_term run_fn(const tapa_term *captured, const tapa_term *args)
{
    tapa_term src = captured[0], env = captured[1];
    int arity = (int)tapa_int_value(captured[2]);
    size_t len = tapa_binary_size(src);
    char *text = malloc(len + 1);
    if (!text) abort();
    memcpy(text, tapa_binary_data(src), len);
    text[len] = 0;
    tiex_parse_result r = tiex_parse(text);
    free(text);
    if (r.status != TP_OK || r.tree->nkids != 1 || r.tree->kids[0]->kind != N_FN)
        tapa_raise("the fun's source does not parse: %s", r.message);
    const tiex_node *fn = r.tree->kids[0];
    tiex_error err = {0};
    jmp_buf jb;
    bool in_shell = tiex_shell_ctx && tapa_equal(tapa_self(), tiex_shell_pid);
    tiex_ctx cx = {&env, in_shell ? tiex_shell_ctx->on_error : &jb,
                   in_shell ? tiex_shell_ctx->error : &err};
    tiex_node *volatile tree = r.tree;
    if (!in_shell && setjmp(jb)) {
        tiex_node_free(tree);
        tapa_raise("%s", err.message); /* logged as the process's crash */
    }
    if (stack_nearly_full())
        tiex_fail(&cx, "SystemLimitError",
                  "funs nested too deep (a fun that calls itself without end?): "
                  "the process's stack is nearly full");
    tapa_term argl = tapa_list_v((size_t)arity, args);
    for (size_t i = 0; i < fn->nkids; i++) {
        const tiex_node *c = fn->kids[i];
        tapa_term saved = env;
        if (tiex_match(&cx, c, c->pattern, argl) &&
            (!c->guard || tapa_equal(tiex_eval(&cx, c->guard), tapa_true()))) {
            tapa_term v = eval_block(&cx, c->tail);
            tiex_node_free(tree); /* tree is not needed past here */
            return v;
        }
        env = saved;
    }
    char shown_args[200];
    tiex_shown(shown_args, sizeof shown_args, argl);
    tiex_fail(&cx, "FunctionClauseError", "no function clause matching in the fn/%d (args: %s)",
              arity, shown_args);
}

void tiex_register_funs(void)
{
    for (int a = 0; a <= 6; a++) tapa_export("TapaIex", "fn", a, run_fn);
}

static tapa_term make_fn(tiex_ctx *cx, const tiex_node *n)
{
    size_t arity = 0;
    if (n->nkids) {
        const char *p = n->kids[0]->pattern; /* "[a, b]": count top-level commas */
        int depth = 0;
        char q = 0;
        bool any = false;
        for (const char *s = p + 1; s[1]; s++) {
            if (q) {
                if (*s == '\\' && s[1]) s++;
                else if (*s == q) q = 0;
                continue;
            }
            if (*s == '"' || *s == '\'') q = *s;
            if (*s == '{' || *s == '[' || *s == '(') depth++;
            if (*s == '}' || *s == ']' || *s == ')') depth--;
            if (depth == 0 && *s == ',') arity++;
            if (!isspace((unsigned char)*s)) any = true;
        }
        if (any) arity++;
    }
    if (arity > 6)
        tiex_fail(cx, "CompileError",
                  "iex:%d: funs of more than 6 arguments are not supported here", LINE(n));
    return tapa_fun("TapaIex", "fn", (int)arity, tapa_string(n->text), *cx->env,
                    tapa_int((int64_t)arity));
}

/* ----------------------------------------------------------- arithmetic -- */

static bool is_number(tapa_term t)
{
    tapa_type k = tapa_type_of(t);
    return k == TAPA_T_INTEGER || k == TAPA_T_FLOAT;
}

static double num(tapa_term t)
{
    return tapa_type_of(t) == TAPA_T_FLOAT ? tapa_float_value(t) : (double)tapa_int_value(t);
}

static bool small_int(tapa_term t)
{
    if (tapa_type_of(t) != TAPA_T_INTEGER) return false;
    tapa_term lo = tapa_int(INT64_MIN), hi = tapa_int(INT64_MAX);
    return tapa_compare(t, lo) >= 0 && tapa_compare(t, hi) <= 0;
}

static tapa_term arith(tiex_ctx *cx, const char *op, tapa_term a, tapa_term b)
{
    if (!is_number(a) || !is_number(b)) {
        char sa[100], sb[100];
        tiex_shown(sa, sizeof sa, a);
        tiex_shown(sb, sizeof sb, b);
        tiex_fail(cx, "ArithmeticError", "bad argument in arithmetic expression: %s %s %s", sa, op,
                  sb);
    }
    if (*op == '/') {
        if (num(b) == 0) {
            char sa[100], sb[100];
            tiex_shown(sa, sizeof sa, a);
            tiex_shown(sb, sizeof sb, b);
            tiex_fail(cx, "ArithmeticError", "bad argument in arithmetic expression: %s / %s", sa,
                      sb);
        }
        return tapa_float(num(a) / num(b));
    }
    if (small_int(a) && small_int(b)) {
        int64_t x = tapa_int_value(a), y = tapa_int_value(b), r;
        bool over = *op == '+'   ? __builtin_add_overflow(x, y, &r)
                    : *op == '-' ? __builtin_sub_overflow(x, y, &r)
                                 : __builtin_mul_overflow(x, y, &r);
        if (!over) return tapa_int(r);
        tiex_fail(cx, "ArithmeticError", "integers past 64 bits are not computed by tapa-iex (%s)",
                  op);
    }
    if (tapa_type_of(a) == TAPA_T_INTEGER && tapa_type_of(b) == TAPA_T_INTEGER)
        tiex_fail(cx, "ArithmeticError", "integers past 64 bits are not computed by tapa-iex (%s)",
                  op);
    double x = num(a), y = num(b);
    return tapa_float(*op == '+' ? x + y : *op == '-' ? x - y : x * y);
}

static bool truthy(tapa_term t)
{
    return !tapa_equal(t, tapa_false()) && !tapa_equal(t, tapa_atom("nil"));
}

static tapa_term concat(tiex_ctx *cx, const char *op, tapa_term a, tapa_term b)
{
    if (!strcmp(op, "<>")) {
        if (!tapa_is_binary(a) || !tapa_is_binary(b))
            tiex_fail(cx, "ArgumentError", "expected binary arguments for <>");
        size_t la = tapa_binary_size(a), lb = tapa_binary_size(b);
        char *buf = malloc(la + lb + 1);
        if (!buf) abort();
        memcpy(buf, tapa_binary_data(a), la);
        memcpy(buf + la, tapa_binary_data(b), lb);
        tapa_term r = tapa_binary(buf, la + lb);
        free(buf);
        return r;
    }
    if (!tapa_is_list(a))
        tiex_fail(cx, "ArgumentError", "the left side of %s must be a proper list", op);
    tapa_term rev = tapa_empty_list();
    size_t n = 0;
    for (tapa_term e = a; tapa_type_of(e) == TAPA_T_LIST; e = tapa_tl(e)) {
        tapa_term x = tapa_hd(e);
        bool drop = false;
        if (!strcmp(op, "--")) /* a -- b: each element of b removes one equal element of a */
            for (tapa_term f = b; tapa_type_of(f) == TAPA_T_LIST; f = tapa_tl(f))
                drop |= tapa_equal(tapa_hd(f), x);
        if (!drop) rev = tapa_cons(x, rev), n++;
    }
    tapa_term out = !strcmp(op, "++") ? b : tapa_empty_list();
    for (; tapa_type_of(rev) == TAPA_T_LIST; rev = tapa_tl(rev)) out = tapa_cons(tapa_hd(rev), out);
    return out;
}

static tapa_term binop(tiex_ctx *cx, const tiex_node *n)
{
    const char *op = n->text;
    tapa_term a = tiex_eval(cx, n->kids[0]);
    if (!strcmp(op, "&&") || !strcmp(op, "and")) return truthy(a) ? tiex_eval(cx, n->kids[1]) : a;
    if (!strcmp(op, "||") || !strcmp(op, "or")) return truthy(a) ? a : tiex_eval(cx, n->kids[1]);
    tapa_term b = tiex_eval(cx, n->kids[1]);
    if (!strcmp(op, "==")) return tapa_bool(tapa_compare(a, b) == 0);
    if (!strcmp(op, "!=")) return tapa_bool(tapa_compare(a, b) != 0);
    if (!strcmp(op, "===")) return tapa_bool(tapa_equal(a, b));
    if (!strcmp(op, "!==")) return tapa_bool(!tapa_equal(a, b));
    if (!strcmp(op, "<")) return tapa_bool(tapa_compare(a, b) < 0);
    if (!strcmp(op, ">")) return tapa_bool(tapa_compare(a, b) > 0);
    if (!strcmp(op, "<=")) return tapa_bool(tapa_compare(a, b) <= 0);
    if (!strcmp(op, ">=")) return tapa_bool(tapa_compare(a, b) >= 0);
    if (!strcmp(op, "++") || !strcmp(op, "--") || !strcmp(op, "<>")) return concat(cx, op, a, b);
    return arith(cx, op, a, b);
}

static tapa_term unop(tiex_ctx *cx, const tiex_node *n)
{
    tapa_term a = tiex_eval(cx, n->kids[0]);
    if (!strcmp(n->text, "-")) return arith(cx, "-", tapa_int(0), a);
    if (!strcmp(n->text, "+")) return arith(cx, "+", tapa_int(0), a);
    if (!strcmp(n->text, "!")) return tapa_bool(!truthy(a));
    if (!tapa_equal(a, tapa_true()) && !tapa_equal(a, tapa_false())) {
        char s[100];
        tiex_shown(s, sizeof s, a);
        tiex_fail(cx, "ArgumentError", "argument error: not %s", s);
    }
    return tapa_bool(tapa_equal(a, tapa_false()));
}

/* ------------------------------------------------------------ containers -- */

/* elements evaluated in order; kept in a list (rooted on this stack) */
static tapa_term eval_list(tiex_ctx *cx, tiex_node *const *kids, size_t n, tapa_term tail)
{
    tapa_term rev = tapa_empty_list();
    for (size_t i = 0; i < n; i++) rev = tapa_cons(tiex_eval(cx, kids[i]), rev);
    tapa_term out = tail;
    for (; tapa_type_of(rev) == TAPA_T_LIST; rev = tapa_tl(rev)) out = tapa_cons(tapa_hd(rev), out);
    return out;
}

static tapa_term eval_tuple(tiex_ctx *cx, const tiex_node *n)
{
    tapa_term l = eval_list(cx, n->kids, n->nkids, tapa_empty_list());
    tapa_term el[64];
    if (n->nkids > 64)
        tiex_fail(cx, "CompileError",
                  "iex:%d: tuples of more than 64 elements are not supported here", LINE(n));
    for (size_t i = 0; i < n->nkids; i++, l = tapa_tl(l)) el[i] = tapa_hd(l);
    return tapa_tuple_v(n->nkids, el);
}

static tapa_term eval_map(tiex_ctx *cx, const tiex_node *n)
{
    tapa_term m = tapa_map_new();
    for (size_t i = 0; i + 1 < n->nkids; i += 2) {
        tapa_term k = tiex_eval(cx, n->kids[i]);
        m = tapa_map_put(m, k, tiex_eval(cx, n->kids[i + 1]));
    }
    return m;
}

/* ---------------------------------------------------------------- literals -- */

static tapa_term eval_literal(tiex_ctx *cx, const tiex_node *n)
{
    tapa_parse_error err = {0};
    tapa_term t = tapa_parse(n->text, &err);
    if (t == TAPA_NONE)
        tiex_fail(cx, "SyntaxError", "iex:%d:%d: %s", LINE(n), n->col + err.column - 1,
                  err.message);
    return t;
}

/* -------------------------------------------------------- receive, case -- */

static tapa_term eval_receive(tiex_ctx *cx, const tiex_node *n)
{
    const char *pats[33];
    if (n->nkids > 32)
        tiex_fail(cx, "CompileError", "iex:%d: more than 32 receive clauses", LINE(n));
    tapa_match m = {0};
    for (size_t i = 0; i < n->nkids; i++) {
        const tiex_node *c = n->kids[i];
        if (c->guard)
            tiex_fail(cx, "CompileError",
                      "iex:%d: guards (when) in receive are not supported by tapa-iex; "
                      "match in the pattern, or use case inside the clause",
                      c->line);
        compile_pattern(cx, c->pattern);
        pats[i] = c->pattern;
    }
    for (size_t i = 0; i < n->nkids; i++) pin_all(cx, n->kids[i]->pattern, &m);
    int npins = m.count;
    pats[n->nkids] = NULL;
    int64_t timeout = TAPA_INFINITY;
    if (n->tail) {
        tapa_term t = tiex_eval(cx, n->tail->kids[0]);
        if (tapa_equal(t, tapa_atom("infinity"))) timeout = TAPA_INFINITY;
        else if (tapa_type_of(t) == TAPA_T_INTEGER && tapa_compare(t, tapa_int(0)) >= 0 &&
                 tapa_compare(t, tapa_int(INT32_MAX)) <= 0)
            timeout = tapa_int_value(t);
        else {
            char s[100];
            tiex_shown(s, sizeof s, t);
            tiex_fail(cx, "ArgumentError",
                      "invalid timeout in receive after: %s (an integer >= 0 or :infinity)", s);
        }
    }
    if (!n->nkids) { /* receive do after t -> ... end: just a wait */
        if (timeout == TAPA_INFINITY) tapa_sleep(TAPA_INFINITY);
        tapa_sleep(timeout);
        return eval_block(cx, n->tail->tail);
    }
    int k = tapa_receive_(&m, timeout, pats);
    if (k == TAPA_TIMEOUT) return eval_block(cx, n->tail->tail);
    bind_from(cx, &m, npins);
    return eval_block(cx, n->kids[k]->tail);
}

static tapa_term eval_case(tiex_ctx *cx, const tiex_node *n)
{
    tapa_term v = tiex_eval(cx, n->tail);
    for (size_t i = 0; i < n->nkids; i++) {
        const tiex_node *c = n->kids[i];
        tapa_term saved = *cx->env;
        if (tiex_match(cx, c, c->pattern, v) && (!c->guard || truthy(tiex_eval(cx, c->guard))))
            return eval_block(cx, c->tail);
        *cx->env = saved;
    }
    char s[200];
    tiex_shown(s, sizeof s, v);
    tiex_fail(cx, "CaseClauseError", "no case clause matching: %s", s);
}

/* ---------------------------------------------------------------- calls -- */

/* "Elixir.Process" -> "Process"; "erlang" -> ":erlang" */
void tiex_describe_module(char *out, size_t size, tapa_term module)
{
    const char *name = tapa_atom_name(module);
    if (!strncmp(name, "Elixir.", 7)) snprintf(out, size, "%s", name + 7);
    else snprintf(out, size, ":%s", name);
}

static tapa_term call_builtin(tiex_ctx *cx, const tiex_builtin *b, tapa_term args)
{
    tapa_term argv[8];
    size_t n = 0;
    for (; tapa_type_of(args) == TAPA_T_LIST && n < 8; args = tapa_tl(args))
        argv[n++] = tapa_hd(args);
    return b->fn(cx, argv);
}

static tapa_term eval_call(tiex_ctx *cx, const tiex_node *n)
{
    size_t nargs = n->nkids;
    const tiex_builtin *b = tiex_builtin_find(NULL, n->text, (int)nargs);
    if (!b) {
        if (tiex_lookup(*cx->env, n->text) != TAPA_NONE && nargs > 0)
            tiex_fail(cx, "CompileError",
                      "iex:%d: undefined function %s/%zu (there is no such import); "
                      "to call the fun in %s write %s.(...)",
                      LINE(n), n->text, nargs, n->text, n->text);
        tiex_fail(cx, "CompileError", "iex:%d: undefined function %s/%zu (there is no such import)",
                  LINE(n), n->text, nargs);
    }
    tapa_term args = eval_list(cx, n->kids, nargs, tapa_empty_list());
    return call_builtin(cx, b, args);
}

static tapa_term eval_rcall(tiex_ctx *cx, const tiex_node *n)
{
    tapa_term mod = tiex_eval(cx, n->kids[0]);
    size_t nargs = n->nkids - 1;
    char mname[200];
    if (!tapa_is_atom(mod)) {
        tiex_shown(mname, sizeof mname, mod);
        tiex_fail(cx, "ArgumentError",
                  "you attempted to apply a function named :%s on %s. If you are using "
                  "Kernel.apply/3, make sure the module is an atom",
                  n->text, mname);
    }
    tiex_describe_module(mname, sizeof mname, mod);
    const tiex_builtin *b = tiex_builtin_find(mname, n->text, (int)nargs);
    tapa_term args = eval_list(cx, n->kids + 1, nargs, tapa_empty_list());
    if (b) return call_builtin(cx, b, args);
    tapa_term fname = tapa_atom(n->text);
    if (export_lookup(mod, fname, (int)nargs)) {
        tapa_term argv[16];
        size_t k = 0;
        for (; tapa_type_of(args) == TAPA_T_LIST && k < 16; args = tapa_tl(args))
            argv[k++] = tapa_hd(args);
        tapa_term fun = tapa_fun(mname, n->text, (int)nargs);
        return tapa_apply_v(fun, k, argv);
    }
    if (tiex_builtin_name_known(mname, NULL))
        tiex_fail(cx, "UndefinedFunctionError", "function %s.%s/%zu is undefined or private", mname,
                  n->text, nargs);
    tiex_fail(cx, "UndefinedFunctionError",
              "function %s.%s/%zu is undefined (module %s is not available)", mname, n->text, nargs,
              mname);
}

static tapa_term eval_block(tiex_ctx *cx, const tiex_node *b)
{
    tapa_term v = tapa_atom("nil");
    for (size_t i = 0; i < b->nkids; i++) v = tiex_eval(cx, b->kids[i]);
    return v;
}

tapa_term tiex_eval(tiex_ctx *cx, const tiex_node *n)
{
    switch (n->kind) {
    case N_LIT:
        return eval_literal(cx, n);
    case N_VAR: {
        tapa_term v = tiex_lookup(*cx->env, n->text);
        if (v != TAPA_NONE) return v;
        const tiex_builtin *b = tiex_builtin_find(NULL, n->text, 0);
        if (b) return b->fn(cx, NULL); /* flush, self written without () */
        tiex_fail(cx, "CompileError", "iex:%d: undefined function %s/0 (there is no such import)",
                  LINE(n), n->text);
    }
    case N_PIN:
        tiex_fail(cx, "CompileError",
                  "iex:%d: misplaced operator ^%s (the pin operator belongs in patterns)", n->line,
                  n->text);
    case N_TUPLE:
        return eval_tuple(cx, n);
    case N_LIST:
        return eval_list(cx, n->kids, n->nkids,
                         n->tail ? tiex_eval(cx, n->tail) : tapa_empty_list());
    case N_MAP:
        return eval_map(cx, n);
    case N_BINOP:
        return binop(cx, n);
    case N_UNOP:
        return unop(cx, n);
    case N_MATCH: {
        tapa_term v = tiex_eval(cx, n->kids[1]);
        if (!tiex_match(cx, n, n->pattern, v)) {
            char s[300];
            tiex_shown(s, sizeof s, v);
            tiex_fail(cx, "MatchError", "no match of right hand side value: %s", s);
        }
        return v;
    }
    case N_CALL:
        return eval_call(cx, n);
    case N_RCALL:
        return eval_rcall(cx, n);
    case N_APPLY: {
        tapa_term fun = tiex_eval(cx, n->kids[0]);
        tapa_term args = eval_list(cx, n->kids + 1, n->nkids - 1, tapa_empty_list());
        tapa_term argv[16];
        size_t k = 0;
        for (; tapa_type_of(args) == TAPA_T_LIST && k < 16; args = tapa_tl(args))
            argv[k++] = tapa_hd(args);
        return tiex_apply(cx, fun, k, argv);
    }
    case N_FN:
        return make_fn(cx, n);
    case N_RECEIVE:
        return eval_receive(cx, n);
    case N_CASE:
        return eval_case(cx, n);
    case N_IF:
        if (truthy(tiex_eval(cx, n->kids[0]))) return eval_block(cx, n->kids[1]);
        return n->nkids > 2 ? eval_block(cx, n->kids[2]) : tapa_atom("nil");
    case N_BLOCK:
        return eval_block(cx, n);
    case N_CLAUSE:
        break;
    }
    tiex_fail(cx, "CompileError", "iex:%d: cannot evaluate this expression", LINE(n));
}
