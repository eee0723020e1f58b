/* parse.c — Elixir term literals: tapa_t, tapa_parse, tapa_parse_v.
 *
 * A small lexer (one token of lookahead) under a recursive-descent parser.
 * The lexer builds the value of each literal token as it reads it (atoms,
 * numbers, strings, charlists, placeholders), so placeholder arguments are
 * taken in the order they appear. Containers collect their elements on one
 * growing stack of terms and are built when they close. The same parser,
 * given hooks, reads patterns for pattern.c (variables, _ and ^pins).
 *
 * Nothing here can crash on bad input: every path reports an error with the
 * line and column (1-based, counted in characters) of the offending text.
 */
#include "parse_internal.h"
#include "support/utf8.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INT_DIGITS 10000 /* longest integer literal we convert */
#define MAX_ATOM_CHARS 255 /* Erlang's limit */

typedef enum tok_kind {
    T_EOF,
    T_LBRACE,
    T_RBRACE,
    T_LBRACK,
    T_RBRACK,
    T_MAP_OPEN,
    T_BIN_OPEN,
    T_BIN_CLOSE,
    T_COMMA,
    T_BAR,
    T_ARROW,
    T_CARET,
    T_VALUE, /* a literal or a placeholder: val */
    T_KEY, /* a keyword key `name:` or `"text":`: val is the atom */
    T_IDENT, /* a lowercase name: a variable in patterns */
} tok_kind;

typedef struct token {
    tok_kind kind;
    int line, col;
    const char *start; /* source text of the token */
    size_t len;
    tapa_term val;
} token;

typedef struct parser {
    const char *p; /* next character */
    int line, col;
    const parse_args *args; /* NULL: placeholders are errors */
    const parse_hooks *hooks;
    tapa_parse_error *err;
    bool failed, have;
    token tok; /* the lookahead, valid while have */
    tapa_term *stk; /* elements of the containers being read */
    size_t sn, scap;
    char *buf; /* text of the quoted literal being read */
    size_t bn, bcap;
    uint8_t *bin; /* bytes of the <<>> being read */
    size_t binn, bincap;
    unsigned nvars; /* hook calls so far */
    unsigned nplaceholders; /* placeholders read so far */
} parser;

static tapa_term parse_value(parser *ps, int depth);

/* ------------------------------------------------------------ errors -- */

static bool verror(parser *ps, int line, int col, const char *fmt, va_list ap)
{
    if (ps->failed) return false;
    ps->failed = true;
    ps->err->line = line;
    ps->err->column = col;
    vsnprintf(ps->err->message, sizeof ps->err->message, fmt, ap);
    return false;
}

#if defined(__GNUC__)
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#else
#define PRINTF_LIKE(f, a)
#endif

/* Records the first error (at line:col) and returns false. */
PRINTF_LIKE(4, 5) static bool error_at(parser *ps, int line, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verror(ps, line, col, fmt, ap);
    va_end(ap);
    return false;
}

/* The same, at the current character. */
PRINTF_LIKE(2, 3) static bool error_here(parser *ps, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verror(ps, ps->line, ps->col, fmt, ap);
    va_end(ap);
    return false;
}

/* A short, printable rendering of a token for "unexpected ..." messages. */
static void describe(const token *t, char *out, size_t size)
{
    if (t->kind == T_EOF) {
        snprintf(out, size, "end of input");
        return;
    }
    size_t n = t->len > 24 ? 24 : t->len;
    snprintf(out, size, "'%.*s%s'", (int)n, t->start, t->len > n ? "..." : "");
}

static bool unexpected(parser *ps, const token *t, const char *expected)
{
    char what[40];
    describe(t, what, sizeof what);
    return error_at(ps, t->line, t->col, "unexpected %s, %s", what, expected);
}

/* ----------------------------------------------------------- buffers -- */

static bool grow(parser *ps, void **data, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) return true;
    size_t ncap = *cap ? *cap : 64;
    while (ncap < need) ncap *= 2;
    void *nd = realloc(*data, ncap * elem);
    if (!nd) return error_here(ps, "out of memory");
    *data = nd;
    *cap = ncap;
    return true;
}

static bool push(parser *ps, tapa_term t)
{
    if (!grow(ps, (void **)&ps->stk, &ps->scap, ps->sn + 1, sizeof *ps->stk)) return false;
    ps->stk[ps->sn++] = t;
    return true;
}

static bool buf_put(parser *ps, char c)
{
    if (!grow(ps, (void **)&ps->buf, &ps->bcap, ps->bn + 1, 1)) return false;
    ps->buf[ps->bn++] = c;
    return true;
}

static bool bin_put(parser *ps, const uint8_t *bytes, size_t n)
{
    if (!grow(ps, (void **)&ps->bin, &ps->bincap, ps->binn + n, 1)) return false;
    if (n) memcpy(ps->bin + ps->binn, bytes, n);
    ps->binn += n;
    return true;
}

/* -------------------------------------------------------------- UTF-8 -- */

static bool buf_put_utf8(parser *ps, uint32_t cp)
{
    uint8_t b[TAPA_UTF8_MAX_BYTES];
    size_t n = tapa_utf8_encode(cp, b);
    for (size_t i = 0; i < n; i++)
        if (!buf_put(ps, (char)b[i])) return false;
    return true;
}

/* ---------------------------------------------------------- characters -- */

static int cur(const parser *ps)
{
    return (unsigned char)ps->p[0];
}
/* The character after the current one; only when cur() is not NUL. */
static int next1(const parser *ps)
{
    return ps->p[0] ? (unsigned char)ps->p[1] : 0;
}

static void adv(parser *ps)
{
    unsigned char c = (unsigned char)*ps->p;
    if (!c) return;
    ps->p++;
    if (c == '\n') {
        ps->line++;
        ps->col = 1;
    } else if ((c & 0xC0) != 0x80) {
        ps->col++;
    }
}

static bool is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
static bool is_digit(int c)
{
    return c >= '0' && c <= '9';
}
static bool is_lower(int c)
{
    return (c >= 'a' && c <= 'z') || c == '_';
}
static bool is_upper(int c)
{
    return c >= 'A' && c <= 'Z';
}
/* Bytes of non-ASCII characters count as letters (Elixir accepts Unicode
 * identifiers and iex prints such atoms unquoted); UTF-8 is checked once
 * the word is read. */
static bool is_ident_char(int c)
{
    return is_lower(c) || is_upper(c) || is_digit(c) || c >= 0x80;
}

static int hex_value(int c)
{
    if (is_digit(c)) return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static void skip_space(parser *ps)
{
    for (;;) {
        int c = cur(ps);
        if (is_space(c)) {
            adv(ps);
        } else if (c == '#') {
            while (cur(ps) && cur(ps) != '\n') adv(ps);
        } else {
            return;
        }
    }
}

/* ------------------------------------------------------------- atoms -- */

static tapa_term make_atom(parser *ps, const char *s, size_t len, int line, int col)
{
    size_t chars = 0;
    for (size_t i = 0; i < len; chars++) {
        uint32_t cp;
        size_t n = tapa_utf8_decode((const uint8_t *)s + i, len - i, &cp);
        if (!n) {
            error_at(ps, line, col, "atom is not valid UTF-8");
            return TAPA_NONE;
        }
        i += n;
    }
    if (chars > MAX_ATOM_CHARS) {
        error_at(ps, line, col, "atom length must be less than system limit (%d characters)",
                 MAX_ATOM_CHARS);
        return TAPA_NONE;
    }
    tapa_term a = tapa_atom_n(s, len);
    if (!a) error_at(ps, line, col, "cannot create atom: the atom table is full");
    return a;
}

/* ------------------------------------------------------ quoted texts -- */

/* Quoted text becomes bytes in ps->buf (strings, quoted atoms) or code
 * points pushed on the term stack as small integers (charlists, ?c). */
typedef enum qmode { Q_BYTES, Q_CHARS } qmode;

static bool emit_cp(parser *ps, qmode mode, uint32_t cp)
{
    return mode == Q_BYTES ? buf_put_utf8(ps, cp) : push(ps, MAKE_SMALL(cp));
}

/* One character of source text, copied as it is. */
static bool put_source_char(parser *ps, qmode mode)
{
    if (mode == Q_BYTES) {
        if (!buf_put(ps, (char)cur(ps))) return false;
        adv(ps);
        return true;
    }
    uint32_t cp;
    size_t n = tapa_utf8_decode((const uint8_t *)ps->p, SIZE_MAX, &cp);
    if (!n) return error_here(ps, "invalid UTF-8 in charlist or character");
    for (size_t i = 0; i < n; i++) adv(ps);
    return push(ps, MAKE_SMALL(cp));
}

static bool hex_escape(parser *ps, qmode mode, int line, int col)
{
    int h1 = hex_value(cur(ps)), h2 = h1 < 0 ? -1 : hex_value(next1(ps));
    if (h1 < 0 || h2 < 0)
        return error_at(
            ps, line, col,
            "invalid hex escape character, expected \\xHH where H is a hexadecimal digit");
    adv(ps);
    adv(ps);
    uint32_t v = (uint32_t)(h1 * 16 + h2);
    return mode == Q_BYTES ? buf_put(ps, (char)v) : push(ps, MAKE_SMALL(v));
}

static bool unicode_escape(parser *ps, qmode mode, int line, int col)
{
    static const char bad[] =
        "invalid Unicode escape character, expected \\uHHHH or \\u{H*} where H is a hexadecimal digit";
    uint32_t cp = 0;
    int n = 0;
    if (cur(ps) == '{') {
        adv(ps);
        for (; n < 7 && hex_value(cur(ps)) >= 0; n++, adv(ps))
            cp = cp * 16 + (uint32_t)hex_value(cur(ps));
        if (n < 1 || n > 6 || cur(ps) != '}') return error_at(ps, line, col, "%s", bad);
        adv(ps);
    } else {
        for (; n < 4; n++, adv(ps)) {
            if (hex_value(cur(ps)) < 0) return error_at(ps, line, col, "%s", bad);
            cp = cp * 16 + (uint32_t)hex_value(cur(ps));
        }
    }
    if (!tapa_unicode_scalar(cp))
        return error_at(ps, line, col, "invalid or reserved Unicode code point \\u{%X}",
                        (unsigned)cp);
    return emit_cp(ps, mode, cp);
}

/* After a backslash: Elixir's escapes; any other character stands for
 * itself, and a backslash before a newline joins the lines. */
static bool escape(parser *ps, qmode mode)
{
    int line = ps->line, col = ps->col;
    adv(ps);
    int e = cur(ps);
    static const char from[] = "abdefnrstv0";
    static const uint8_t to[] = {7, 8, 127, 27, 12, 10, 13, 32, 9, 11, 0};
    if (e == 0) return true; /* the caller reports the missing terminator */
    if (e == '\n') {
        adv(ps);
        return true;
    }
    if (e == 'x') {
        adv(ps);
        return hex_escape(ps, mode, line, col);
    }
    if (e == 'u') {
        adv(ps);
        return unicode_escape(ps, mode, line, col);
    }
    const char *m = strchr(from, e);
    if (m) {
        adv(ps);
        return emit_cp(ps, mode, to[m - from]);
    }
    return put_source_char(ps, mode);
}

/* Reads from the opening quote to the closing one. what: for errors. */
static bool lex_quoted(parser *ps, qmode mode, const char *what)
{
    int line = ps->line, col = ps->col, quote = cur(ps);
    adv(ps);
    for (;;) {
        int c = cur(ps);
        if (c == 0)
            return error_at(ps, line, col, "unterminated %s: missing closing %c", what, quote);
        if (c == quote) {
            adv(ps);
            return true;
        }
        if (c == '#' && next1(ps) == '{')
            return error_here(ps, "interpolation #{...} is not supported in literals; use a "
                                  "placeholder such as ~s or ~t");
        if (!(c == '\\' ? escape(ps, mode) : put_source_char(ps, mode))) return false;
    }
}

/* `name:` or `"text":` makes a keyword key only when a space follows. */
static bool key_follows(parser *ps, const char *name, size_t len)
{
    if (cur(ps) != ':' || next1(ps) == ':') return false;
    int after = next1(ps);
    if (after && !is_space(after)) {
        adv(ps);
        return error_here(ps, "keyword argument must be followed by space after: %.*s:",
                          (int)(len > 40 ? 40 : len), name);
    }
    adv(ps);
    return true;
}

static bool lex_string(parser *ps, token *t)
{
    ps->bn = 0;
    if (!lex_quoted(ps, Q_BYTES, "string")) return false;
    if (cur(ps) == ':' && next1(ps) != ':') {
        if (!key_follows(ps, ps->buf, ps->bn)) return false;
        t->kind = T_KEY;
        t->val = make_atom(ps, ps->buf, ps->bn, t->line, t->col);
        return t->val != TAPA_NONE;
    }
    t->val = tapa_binary(ps->buf, ps->bn);
    return true;
}

static bool lex_charlist(parser *ps, token *t)
{
    size_t base = ps->sn;
    if (!lex_quoted(ps, Q_CHARS, "charlist")) return false;
    tapa_term list = TERM_NIL;
    while (ps->sn > base) list = tapa_cons(ps->stk[--ps->sn], list);
    t->val = list;
    return true;
}

/* ?a ?\n: the integer code point of one character. */
static bool lex_char(parser *ps, token *t)
{
    adv(ps);
    int c = cur(ps);
    if (c == 0 || is_space(c)) return error_at(ps, t->line, t->col, "expected a character after ?");
    size_t base = ps->sn;
    if (!(c == '\\' ? escape(ps, Q_CHARS) : put_source_char(ps, Q_CHARS))) return false;
    if (ps->sn != base + 1) return error_at(ps, t->line, t->col, "expected a character after ?");
    t->val = ps->stk[--ps->sn];
    return true;
}

/* ------------------------------------------------------------ numbers -- */

/* Magnitude digits (no underscores) in base -> integer term. */
static tapa_term make_integer(parser *ps, const char *digits, size_t n, int base, bool neg,
                              const token *t)
{
    if (n > MAX_INT_DIGITS) {
        error_at(ps, t->line, t->col, "integer literal is too long (more than %d digits)",
                 MAX_INT_DIGITS);
        return TAPA_NONE;
    }
    size_t cap = n / 2 + 2; /* 32-bit words: a digit is at most 4 bits */
    uint32_t *w = calloc(cap, sizeof *w);
    if (!w) {
        error_at(ps, t->line, t->col, "out of memory");
        return TAPA_NONE;
    }
    size_t used = 0;
    for (size_t i = 0; i < n;) {
        uint64_t mul = 1, add = 0;
        for (; i < n && mul * (uint64_t)base <= 0xFFFFFFFFu; i++) {
            mul *= (uint64_t)base;
            add = add * (uint64_t)base + (uint64_t)hex_value(digits[i]);
        }
        uint64_t carry = add;
        for (size_t k = 0; k < used; k++) {
            uint64_t v = (uint64_t)w[k] * mul + carry;
            w[k] = (uint32_t)v;
            carry = v >> 32;
        }
        if (carry) w[used++] = (uint32_t)carry;
    }
    tapa_term r;
    uint64_t mag = used == 0 ? 0 : used == 1 ? w[0] : ((uint64_t)w[1] << 32 | w[0]);
    if (used <= 2 && mag <= (uint64_t)INT64_MAX) r = tapa_int(neg ? -(int64_t)mag : (int64_t)mag);
    else if (used <= 2 && neg && mag == (uint64_t)INT64_MAX + 1) r = tapa_int(INT64_MIN);
    else r = term_bigint_from_digits(neg, w, used);
    free(w);
    return r;
}

/* Digits of `base` with single underscores between them, into ps->buf. */
static bool lex_digits(parser *ps, int base)
{
    for (;;) {
        int c = cur(ps), v = hex_value(c);
        if (v >= 0 && v < base) {
            if (!buf_put(ps, (char)c)) return false;
            adv(ps);
        } else if (c == '_' && ps->bn > 0) {
            int d = hex_value(next1(ps));
            if (d < 0 || d >= base) return error_here(ps, "invalid character '_' in number");
            adv(ps);
        } else {
            return true;
        }
    }
}

static bool lex_float_rest(parser *ps, token *t)
{
    if (!buf_put(ps, '.')) return false;
    adv(ps);
    if (!lex_digits(ps, 10)) return false;
    int c1 = next1(ps);
    if ((cur(ps) == 'e' || cur(ps) == 'E') &&
        (is_digit(c1) || ((c1 == '+' || c1 == '-') && is_digit((unsigned char)ps->p[2])))) {
        if (!buf_put(ps, 'e')) return false;
        adv(ps);
        if (cur(ps) == '+' || cur(ps) == '-') {
            if (!buf_put(ps, (char)cur(ps))) return false;
            adv(ps);
        }
        if (!lex_digits(ps, 10)) return false;
    }
    if (!buf_put(ps, 0)) return false;
    double d = strtod(ps->buf, NULL);
    if (!isfinite(d)) return error_at(ps, t->line, t->col, "float literal is out of range");
    t->val = tapa_float(d);
    return true;
}

static bool lex_number(parser *ps, token *t, bool neg)
{
    int base = 10, c1 = next1(ps);
    ps->bn = 0;
    if (cur(ps) == '0' && (c1 == 'x' || c1 == 'o' || c1 == 'b')) {
        base = c1 == 'x' ? 16 : c1 == 'o' ? 8 : 2;
        adv(ps);
        adv(ps);
        int v = hex_value(cur(ps));
        if (v < 0 || v >= base)
            return error_at(ps, t->line, t->col, "invalid %s number: expected digits after 0%c",
                            base == 16  ? "hexadecimal"
                            : base == 8 ? "octal"
                                        : "binary",
                            c1);
    }
    if (!lex_digits(ps, base)) return false;
    if (base == 10 && cur(ps) == '.' && is_digit(next1(ps))) {
        if (!lex_float_rest(ps, t)) return false;
        if (neg) t->val = tapa_float(-tapa_float_value(t->val));
    } else {
        t->val = make_integer(ps, ps->buf, ps->bn, base, neg, t);
        if (!t->val) return false;
    }
    if (is_ident_char(cur(ps)))
        return cur(ps) < 0x80 ? error_here(ps, "invalid character '%c' after number", cur(ps))
                              : error_here(ps, "invalid character after number");
    return true;
}

/* ----------------------------------------------------------- words -- */

static bool lex_alias(parser *ps, token *t)
{
    while (cur(ps) == '.' && is_upper(next1(ps))) {
        adv(ps);
        while (is_ident_char(cur(ps))) adv(ps);
    }
    size_t n = (size_t)(ps->p - t->start);
    if (cur(ps) == '?' || cur(ps) == '!' || (cur(ps) == '.' && is_ident_char(next1(ps))))
        return error_at(ps, t->line, t->col, "invalid alias '%.*s%c'", (int)(n > 40 ? 40 : n),
                        t->start, cur(ps));
    bool elixir = (n == 6 || (n > 6 && t->start[6] == '.')) && memcmp(t->start, "Elixir", 6) == 0;
    ps->bn = 0;
    const char *prefix = elixir ? "" : "Elixir.";
    for (const char *s = prefix; *s; s++)
        if (!buf_put(ps, *s)) return false;
    for (size_t i = 0; i < n; i++)
        if (!buf_put(ps, t->start[i])) return false;
    t->val = make_atom(ps, ps->buf, ps->bn, t->line, t->col);
    return t->val != TAPA_NONE;
}

/* Identifiers, keyword keys, true/false/nil and aliases. */
static bool lex_word(parser *ps, token *t)
{
    bool upper = is_upper(cur(ps));
    while (is_ident_char(cur(ps)) || cur(ps) == '@') adv(ps); /* @: only in keys (foo@bar: 1) */
    if (cur(ps) == '?' || cur(ps) == '!') adv(ps);
    size_t n = (size_t)(ps->p - t->start);
    for (size_t i = 0, k; i < n; i += k) {
        uint32_t cp;
        if (!(k = tapa_utf8_decode((const uint8_t *)t->start + i, n - i, &cp)))
            return error_at(ps, t->line, t->col, "invalid UTF-8 in identifier");
    }
    if (cur(ps) == ':' && next1(ps) != ':') {
        if (!key_follows(ps, t->start, n)) return false;
        t->kind = T_KEY;
        t->val = make_atom(ps, t->start, n, t->line, t->col);
        return t->val != TAPA_NONE;
    }
    if (memchr(t->start, '@', n))
        return error_at(ps, t->line, t->col, "invalid identifier '%.*s'", (int)(n > 40 ? 40 : n),
                        t->start);
    if (upper) return lex_alias(ps, t);
    if ((n == 4 && !memcmp(t->start, "true", 4)) || (n == 5 && !memcmp(t->start, "false", 5)) ||
        (n == 3 && !memcmp(t->start, "nil", 3))) {
        t->val = tapa_atom_n(t->start, n);
        return t->val != TAPA_NONE || error_at(ps, t->line, t->col, "atom table is full");
    }
    t->kind = T_IDENT;
    return true;
}

/* The operators (and special forms) iex prints as atoms without quotes,
 * :+ or :%{}, and as keyword keys, [+: 1]. */
static size_t operator_len(const char *p)
{
    static const char *const ops[] = {
        "===", "!==", "<<<", ">>>",  "<~>",  "<|>",  "|||", "&&&", "^^^", "~~~", "<<~",
        "~>>", "...", "+++", "---",  "..//", "<<>>", "%{}", "<~",  "~>",  "<>",  "++",
        "--",  "**",  "==",  "!=",   "<=",   ">=",   "&&",  "||",  "|>",  "..",  "->",
        "=~",  "<-",  "{}",  "\\\\", "+",    "-",    "*",   "/",   "<",   ">",   "!",
        "&",   "^",   "@",   "|",    "=",    ".",    "%",   NULL};
    size_t best = 0;
    for (int i = 0; ops[i]; i++) {
        size_t n = strlen(ops[i]);
        if (n > best && strncmp(p, ops[i], n) == 0) best = n;
    }
    return best;
}

/* [+: 1]: an operator keyword key, when ": " follows the operator. */
static bool operator_key(parser *ps, token *t)
{
    size_t n = operator_len(ps->p);
    if (!n || ps->p[n] != ':' || !(is_space((unsigned char)ps->p[n + 1]) || !ps->p[n + 1]))
        return false;
    t->kind = T_KEY;
    t->val = make_atom(ps, ps->p, n, t->line, t->col);
    for (size_t k = 0; k <= n; k++) adv(ps);
    return true;
}

/* :name :"quoted" :+ ... */
static bool lex_atom(parser *ps, token *t)
{
    adv(ps);
    int c = cur(ps);
    if (c == '"' || c == '\'') {
        ps->bn = 0;
        if (!lex_quoted(ps, Q_BYTES, "atom")) return false;
        t->val = make_atom(ps, ps->buf, ps->bn, t->line, t->col);
        return t->val != TAPA_NONE;
    }
    if (is_lower(c) || is_upper(c) || c >= 0x80) {
        const char *s = ps->p;
        while (is_ident_char(cur(ps)) || cur(ps) == '@') adv(ps);
        if (cur(ps) == '?' || cur(ps) == '!') adv(ps);
        t->val = make_atom(ps, s, (size_t)(ps->p - s), t->line, t->col);
        return t->val != TAPA_NONE;
    }
    size_t n = operator_len(ps->p);
    if (n) {
        t->val = make_atom(ps, ps->p, n, t->line, t->col);
        for (size_t k = 0; k < n; k++) adv(ps);
        return t->val != TAPA_NONE;
    }
    return error_at(ps, t->line, t->col,
                    "unexpected ':' (an atom is written :name or :\"any text\")");
}

/* ------------------------------------------------------ placeholders -- */

static bool placeholder_text(parser *ps, token *t, char kind, const char *s)
{
    if (!s) return error_at(ps, t->line, t->col, "the argument for ~%c is NULL", kind);
    size_t n = strlen(s);
    t->val = kind == 's' ? tapa_binary(s, n) : make_atom(ps, s, n, t->line, t->col);
    return t->val != TAPA_NONE;
}

static bool lex_placeholder(parser *ps, token *t)
{
    adv(ps);
    int k = cur(ps);
    bool known = k && strchr("tpifsa", k);
    if (!known) {
        if (is_lower(k) || is_upper(k))
            return error_at(ps, t->line, t->col,
                            "unknown placeholder ~%c (use ~t, ~p, ~i, ~f, ~s or ~a)", k);
        return error_at(ps, t->line, t->col,
                        "expected a placeholder letter after ~ (~t, ~p, ~i, ~f, ~s or ~a)");
    }
    adv(ps);
    parse_arg a;
    if (!ps->args)
        return error_at(ps, t->line, t->col, "placeholders (~%c) are not allowed in patterns", k);
    if (!ps->args->next(ps->args->ud, (char)k, &a))
        return error_at(ps, t->line, t->col, "no argument for placeholder ~%c", k);
    ps->nplaceholders++;
    switch (k) {
    case 't':
    case 'p':
        if (!a.term)
            return error_at(ps, t->line, t->col,
                            "the argument for placeholder %u (~%c) is TAPA_NONE/0, not a term "
                            "(write tapa_int(0) for the number 0)",
                            ps->nplaceholders, k);
        t->val = a.term;
        return true;
    case 'i':
        t->val = tapa_int(a.i);
        return true;
    case 'f':
        if (!isfinite(a.f))
            return error_at(ps, t->line, t->col, "the argument for ~f is not a finite number");
        t->val = tapa_float(a.f);
        return true;
    default:
        return placeholder_text(ps, t, (char)k, a.s);
    }
}

/* Placeholder arguments from a va_list, by the placeholder's C type. */
static bool va_next(void *ud, char kind, parse_arg *out)
{
    va_list *ap = ud;
    switch (kind) {
    case 't':
    case 'p':
        out->term = va_arg(*ap, tapa_term);
        break;
    case 'i':
        out->i = va_arg(*ap, int64_t);
        break;
    case 'f':
        out->f = va_arg(*ap, double);
        break;
    default:
        out->s = va_arg(*ap, const char *);
        break;
    }
    return true;
}

/* -------------------------------------------------------------- lexer -- */

static bool lex_punct(parser *ps, token *t, int c)
{
    int c1 = next1(ps);
    tok_kind k;
    int len = 1;
    switch (c) {
    case '{':
        k = T_LBRACE;
        break;
    case '}':
        k = T_RBRACE;
        break;
    case '[':
        k = T_LBRACK;
        break;
    case ']':
        k = T_RBRACK;
        break;
    case ',':
        k = T_COMMA;
        break;
    case '|':
        k = T_BAR;
        break;
    case '^':
        k = T_CARET;
        break;
    case '%':
        if (c1 != '{') return error_here(ps, "expected '{' after '%%' (structs are not supported)");
        k = T_MAP_OPEN, len = 2;
        break;
    case '<':
        k = T_BIN_OPEN, len = 2;
        break;
    case '>':
        k = T_BIN_CLOSE, len = 2;
        break;
    case '=':
        k = T_ARROW, len = 2;
        break;
    default:
        k = T_EOF, len = 0;
    }
    if (len == 2 && c != '%' && c1 != (c == '=' ? '>' : c)) len = 0;
    if (!len) {
        if (c > ' ' && c < 127) return error_here(ps, "unexpected character '%c'", c);
        return error_here(ps, "unexpected character (byte 0x%02X)", (unsigned)c);
    }
    t->kind = k;
    for (int i = 0; i < len; i++) adv(ps);
    return true;
}

static bool lex_dispatch(parser *ps, token *t)
{
    int c = cur(ps);
    if (c == 0) {
        t->kind = T_EOF;
        return true;
    }
    t->kind = T_VALUE;
    if (c == ':') return lex_atom(ps, t);
    if (c == '"') return lex_string(ps, t);
    if (c == '\'') return lex_charlist(ps, t);
    if (c == '?') return lex_char(ps, t);
    if (c == '~') return lex_placeholder(ps, t);
    if (is_digit(c)) return lex_number(ps, t, false);
    if (c == '-' && is_digit(next1(ps))) {
        adv(ps);
        return lex_number(ps, t, true);
    }
    if (is_lower(c) || is_upper(c) || c >= 0x80) return lex_word(ps, t);
    if (operator_key(ps, t)) return t->val != TAPA_NONE;
    return lex_punct(ps, t, c);
}

static bool lex(parser *ps, token *t)
{
    skip_space(ps);
    t->line = ps->line;
    t->col = ps->col;
    t->start = ps->p;
    t->val = TAPA_NONE;
    bool ok = lex_dispatch(ps, t);
    t->len = (size_t)(ps->p - t->start);
    return ok && !ps->failed;
}

static const token *peek(parser *ps)
{
    if (!ps->have) {
        if (ps->failed || !lex(ps, &ps->tok)) return NULL;
        ps->have = true;
    }
    return &ps->tok;
}

/* Consumes the lookahead if it is of kind k. */
static bool accept(parser *ps, tok_kind k)
{
    const token *t = peek(ps);
    if (!t || t->kind != k) return false;
    ps->have = false;
    return true;
}

/* ------------------------------------------------------------- parser -- */

static bool check_depth(parser *ps, int depth, int line, int col)
{
    if (depth <= PARSE_MAX_DEPTH) return true;
    return error_at(ps, line, col, "nesting too deep (more than %d levels)", PARSE_MAX_DEPTH);
}

static bool missing_close(parser *ps, tok_kind close, const char *what, int line, int col)
{
    return error_at(ps, ps->tok.line, ps->tok.col,
                    "unexpected end of input: missing '%s' to close "
                    "the %s at line %d, column %d",
                    close == T_RBRACE   ? "}"
                    : close == T_RBRACK ? "]"
                                        : ">>",
                    what, line, col);
}

/* True when the lookahead is the closing token (consumed), or false: at
 * the next element, or after an error (end of input included). */
static bool at_close(parser *ps, tok_kind close, const char *what, int line, int col)
{
    if (accept(ps, close)) return true;
    if (!ps->failed && ps->tok.kind == T_EOF) missing_close(ps, close, what, line, col);
    return false;
}

/* After an element: ',' continues, close ends, anything else is an error.
 * Returns 1 to continue, 0 when closed, -1 on error. */
static int after_element(parser *ps, tok_kind close, const char *msg, const char *what, int line,
                         int col)
{
    const token *t = peek(ps);
    if (!t) return -1;
    if (t->kind == T_COMMA || t->kind == close) {
        ps->have = false;
        return t->kind == T_COMMA;
    }
    if (t->kind == T_EOF) missing_close(ps, close, what, line, col);
    else error_at(ps, t->line, t->col, "%s", msg);
    return -1;
}

/* Keyword pairs `k: v, ...` up to and including close. pairs: push k and
 * v (maps); else push {k, v} tuples (lists). */
static bool parse_keywords(parser *ps, tok_kind close, int depth, bool pairs, int line, int col,
                           const char *what)
{
    for (;;) {
        if (at_close(ps, close, what, line, col)) return true;
        if (ps->failed) return false;
        const token *t = &ps->tok;
        if (t->kind != T_KEY) {
            return error_at(ps, t->line, t->col,
                            "unexpected expression after keyword list "
                            "(keyword pairs must come last)");
        }
        tapa_term kv[2] = {t->val, TAPA_NONE};
        ps->have = false;
        if (!(kv[1] = parse_value(ps, depth))) return false;
        if (pairs ? !(push(ps, kv[0]) && push(ps, kv[1])) : !push(ps, tapa_tuple_v(2, kv)))
            return false;
        const char *msg = close == T_RBRACE ? "expected ',' or '}' after keyword value"
                                            : "expected ',' or ']' after keyword value";
        int r = after_element(ps, close, msg, what, line, col);
        if (r <= 0) return r == 0;
    }
}

static tapa_term build_list(parser *ps, size_t base, tapa_term tail)
{
    while (ps->sn > base) tail = tapa_cons(ps->stk[--ps->sn], tail);
    return tail;
}

static tapa_term parse_tuple(parser *ps, int depth, int line, int col)
{
    size_t base = ps->sn;
    for (;;) {
        if (at_close(ps, T_RBRACE, "tuple", line, col)) break;
        if (ps->failed) return TAPA_NONE;
        if (ps->tok.kind == T_KEY) {
            size_t kb = ps->sn;
            if (!parse_keywords(ps, T_RBRACE, depth, false, line, col, "tuple")) return TAPA_NONE;
            if (!push(ps, build_list(ps, kb, TERM_NIL))) return TAPA_NONE;
            break;
        }
        tapa_term v = parse_value(ps, depth);
        if (!v || !push(ps, v)) return TAPA_NONE;
        int r = after_element(ps, T_RBRACE, "expected ',' or '}' after tuple element", "tuple",
                              line, col);
        if (r < 0) return TAPA_NONE;
        if (r == 0) break;
    }
    tapa_term t = tapa_tuple_v(ps->sn - base, ps->stk + base);
    ps->sn = base;
    return t;
}

static tapa_term parse_list(parser *ps, int depth, int line, int col)
{
    size_t base = ps->sn;
    for (;;) {
        if (at_close(ps, T_RBRACK, "list", line, col)) break;
        if (ps->failed) return TAPA_NONE;
        if (ps->tok.kind == T_KEY) {
            if (!parse_keywords(ps, T_RBRACK, depth, false, line, col, "list")) return TAPA_NONE;
            break;
        }
        tapa_term v = parse_value(ps, depth);
        if (!v || !push(ps, v)) return TAPA_NONE;
        if (accept(ps, T_BAR)) {
            tapa_term tail = parse_value(ps, depth);
            if (!tail) return TAPA_NONE;
            if (!accept(ps, T_RBRACK)) {
                if (!ps->failed) unexpected(ps, &ps->tok, "expected ']' after the tail of a list");
                return TAPA_NONE;
            }
            return build_list(ps, base, tail);
        }
        int r = after_element(ps, T_RBRACK, "expected ',', '|' or ']' after list element", "list",
                              line, col);
        if (r < 0) return TAPA_NONE;
        if (r == 0) break;
    }
    return build_list(ps, base, TERM_NIL);
}

/* key => value; the key may not contain variables. */
static bool parse_map_pair(parser *ps, int depth)
{
    const token *t = peek(ps);
    if (!t) return false;
    int line = t->line, col = t->col;
    unsigned nvars = ps->nvars;
    tapa_term k = parse_value(ps, depth);
    if (!k) return false;
    if (ps->nvars != nvars)
        return error_at(ps, line, col,
                        "variables are not allowed in map keys (a key must be a "
                        "literal)");
    if (!accept(ps, T_ARROW)) {
        if (!ps->failed) unexpected(ps, &ps->tok, "expected '=>' after map key");
        return false;
    }
    tapa_term v = parse_value(ps, depth);
    return v && push(ps, k) && push(ps, v);
}

static tapa_term parse_map(parser *ps, int depth, int line, int col)
{
    size_t base = ps->sn;
    for (;;) {
        if (at_close(ps, T_RBRACE, "map", line, col)) break;
        if (ps->failed) return TAPA_NONE;
        if (ps->tok.kind == T_KEY) {
            if (!parse_keywords(ps, T_RBRACE, depth, true, line, col, "map")) return TAPA_NONE;
            break;
        }
        if (!parse_map_pair(ps, depth)) return TAPA_NONE;
        int r =
            after_element(ps, T_RBRACE, "expected ',' or '}' after map value", "map", line, col);
        if (r < 0) return TAPA_NONE;
        if (r == 0) break;
    }
    tapa_term m = tapa_map_new();
    for (size_t i = base; i + 1 < ps->sn; i += 2) m = tapa_map_put(m, ps->stk[i], ps->stk[i + 1]);
    ps->sn = base;
    return m;
}

/* One <<>> segment: a byte (0..255) or a string. */
static bool binary_segment(parser *ps, const token *t)
{
    static const char bad[] = "binary segments must be integers 0..255 or strings";
    if (t->kind != T_VALUE) {
        if (t->kind == T_EOF) return unexpected(ps, t, "expected a binary segment or '>>'");
        return error_at(ps, t->line, t->col, "%s", bad);
    }
    tapa_term v = t->val;
    if (TERM_TAG(v) == TAG_SMALL && SMALL_VALUE(v) >= 0 && SMALL_VALUE(v) <= 255) {
        uint8_t b = (uint8_t)SMALL_VALUE(v);
        return bin_put(ps, &b, 1);
    }
    if (IS_BOXED(v) && tapa_is_binary(v))
        return bin_put(ps, tapa_binary_data(v), tapa_binary_size(v));
    return error_at(ps, t->line, t->col, "%s", bad);
}

static tapa_term parse_binary(parser *ps, int line, int col)
{
    ps->binn = 0;
    for (;;) {
        if (at_close(ps, T_BIN_CLOSE, "binary", line, col)) break;
        if (ps->failed) return TAPA_NONE;
        token t = ps->tok;
        ps->have = false;
        if (!binary_segment(ps, &t)) return TAPA_NONE;
        int r = after_element(ps, T_BIN_CLOSE, "expected ',' or '>>' after binary segment",
                              "binary", line, col);
        if (r < 0) return TAPA_NONE;
        if (r == 0) break;
    }
    return tapa_binary(ps->bin, ps->binn);
}

static tapa_term call_hook(parser *ps, parse_var_kind kind, const char *name, size_t len, int line,
                           int col)
{
    char msg[120] = "invalid variable";
    tapa_term v = ps->hooks->var(ps->hooks->ud, kind, name, len, msg, sizeof msg);
    if (!v) error_at(ps, line, col, "%s", msg);
    ps->nvars++;
    return v;
}

static tapa_term parse_variable(parser *ps, const token *t)
{
    if (!ps->hooks) {
        error_at(ps, t->line, t->col,
                 "unexpected identifier '%.*s' (variables are only allowed in "
                 "patterns; insert values with ~t)",
                 (int)(t->len > 40 ? 40 : t->len), t->start);
        return TAPA_NONE;
    }
    return call_hook(ps, t->start[0] == '_' ? PARSE_WILD : PARSE_VAR, t->start, t->len, t->line,
                     t->col);
}

static tapa_term parse_pin(parser *ps, int line, int col)
{
    if (!ps->hooks) {
        error_at(ps, line, col, "unexpected '^' (pins are only allowed in patterns)");
        return TAPA_NONE;
    }
    const token *t = peek(ps);
    if (!t) return TAPA_NONE;
    if (t->kind != T_IDENT || t->start[0] == '_') {
        unexpected(ps, t, "expected a variable name after ^");
        return TAPA_NONE;
    }
    ps->have = false;
    return call_hook(ps, PARSE_PIN, t->start, t->len, line, col);
}

static tapa_term parse_value(parser *ps, int depth)
{
    const token *t = peek(ps);
    if (!t) return TAPA_NONE;
    ps->have = false;
    int line = t->line, col = t->col;
    tok_kind k = t->kind;
    if (k == T_VALUE) return t->val;
    if (k == T_IDENT) return parse_variable(ps, t);
    if (k == T_CARET) return parse_pin(ps, line, col);
    if (k == T_LBRACE || k == T_LBRACK || k == T_MAP_OPEN || k == T_BIN_OPEN) {
        if (!check_depth(ps, depth + 1, line, col)) return TAPA_NONE;
        if (k == T_LBRACE) return parse_tuple(ps, depth + 1, line, col);
        if (k == T_LBRACK) return parse_list(ps, depth + 1, line, col);
        if (k == T_MAP_OPEN) return parse_map(ps, depth + 1, line, col);
        return parse_binary(ps, line, col);
    }
    if (k == T_KEY)
        error_at(ps, line, col,
                 "unexpected keyword key '%.*s' (keyword pairs go inside [...], "
                 "or last in a tuple or map)",
                 (int)(t->len > 40 ? 40 : t->len), t->start);
    else unexpected(ps, t, "expected a term");
    return TAPA_NONE;
}

/* -------------------------------------------------------------- entry -- */

tapa_term parse_literal(const char *src, tapa_parse_error *err, va_list *ap,
                        const parse_hooks *hooks)
{
    parse_args args = {va_next, ap};
    return parse_literal_args(src, err, ap ? &args : NULL, hooks);
}

tapa_term parse_literal_args(const char *src, tapa_parse_error *err, const parse_args *args,
                             const parse_hooks *hooks)
{
    tapa_parse_error scratch;
    if (!err) err = &scratch;
    memset(err, 0, sizeof *err);
    if (!src) {
        *err = (tapa_parse_error){1, 1, "no literal (NULL string)"};
        return TAPA_NONE;
    }
    parser ps = {.p = src, .line = 1, .col = 1, .args = args, .hooks = hooks, .err = err};
    if (!grow(&ps, (void **)&ps.stk, &ps.scap, 64, sizeof *ps.stk) ||
        !grow(&ps, (void **)&ps.buf, &ps.bcap, 64, 1) ||
        !grow(&ps, (void **)&ps.bin, &ps.bincap, 64, 1)) {
        free(ps.stk);
        free(ps.buf);
        return TAPA_NONE;
    }
    tapa_term r = parse_value(&ps, 0);
    if (r) {
        const token *t = peek(&ps);
        if (t && t->kind != T_EOF) unexpected(&ps, t, "expected end of input after the term");
    }
    if (ps.failed) r = TAPA_NONE;
    free(ps.stk);
    free(ps.buf);
    free(ps.bin);
    return r;
}

tapa_term tapa_parse_v(const char *literal, tapa_parse_error *err, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    tapa_term r = parse_literal(literal, err, &copy, NULL);
    va_end(copy);
    return r;
}

tapa_term tapa_parse(const char *literal, tapa_parse_error *err, ...)
{
    va_list ap;
    va_start(ap, err);
    tapa_term r = parse_literal(literal, err, &ap, NULL);
    va_end(ap);
    return r;
}

/* The line of src holding the error, and a caret under its column. */
static void show_position(char *out, size_t size, const char *src, const tapa_parse_error *e)
{
    const char *s = src;
    for (int line = 1; line < e->line && *s; s++)
        if (*s == '\n') line++;
    size_t n = strcspn(s, "\n");
    if (n > 120) n = 120;
    int used = snprintf(out, size, "\n    %.*s\n    ", (int)n, s);
    size_t pos = used > 0 ? (size_t)used : 0;
    int col = 1;
    for (size_t i = 0; i < n && col < e->column && pos + 2 < size; i++) {
        if (((unsigned char)s[i] & 0xC0) == 0x80) continue;
        out[pos++] = s[i] == '\t' ? '\t' : ' ';
        col++;
    }
    if (pos + 2 < size) {
        out[pos++] = '^';
        out[pos] = 0;
    }
}

tapa_term tapa_t(const char *literal, ...)
{
    tapa_parse_error e;
    va_list ap;
    va_start(ap, literal);
    tapa_term r = parse_literal(literal, &e, &ap, NULL);
    va_end(ap);
    if (r) return r;
    char reason[256], where[300] = "";
    snprintf(reason, sizeof reason, "%s at line %d, column %d", e.message, e.line, e.column);
    if (literal) show_position(where, sizeof where, literal, &e);
    static char why[640]; /* term_fail copies it before anything else runs */
    snprintf(why, sizeof why, "tapa_t: invalid term literal: %s%s", reason, where);
    term_fail(tapa_tuple(tapa_atom("badarg"), tapa_string(reason)), why);
}
