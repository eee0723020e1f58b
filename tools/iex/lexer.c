/* lexer.c — tokens of the Elixir the tutorial types at the iex prompt.
 *
 * The whole input (all the lines of one multi-line expression) is cut into
 * tokens first, so the parser can look ahead for `->` to tell where one
 * clause of receive/case/fn ends and the next begins. Literal tokens keep
 * their source text: the runtime's literal parser makes their terms. */
#include "iex/lexer.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static bool ident_start(int c)
{
    return islower(c) || c == '_';
}
static bool ident_char(int c)
{
    return isalnum(c) || c == '_' || c >= 0x80;
}

static const char *const operators[] = {
    "===", "!==", "==", "!=", "<=", ">=", "|>", "<>", "++", "--", "->", "&&", "||",
    "=",   "<",   ">",  "+",  "-",  "*",  "/",  "!",  "^",  "|",  "&",  NULL,
};

/* Skips a quoted text starting at s (on the quote); returns the char after
 * the closing quote, or NULL when the input ends first (not finished). */
static const char *skip_quoted(const char *s, int *line, int *col)
{
    char q = *s++;
    (*col)++;
    while (*s && *s != q) {
        if (*s == '\\' && s[1]) s++, (*col)++;
        if (*s == '\n') (*line)++, *col = 0;
        s++, (*col)++;
    }
    if (!*s) return NULL;
    (*col)++;
    return s + 1;
}

static bool push(tiex_tokens *tv, tiex_token t)
{
    if (tv->n == tv->cap) {
        size_t cap = tv->cap ? tv->cap * 2 : 64;
        tiex_token *nt = realloc(tv->v, cap * sizeof *nt);
        if (!nt) return false;
        tv->v = nt;
        tv->cap = cap;
    }
    tv->v[tv->n++] = t;
    return true;
}

static void set_error(tiex_tokens *tv, int line, int col, bool incomplete, const char *msg)
{
    tv->failed = true;
    tv->incomplete = incomplete;
    tv->err_line = line;
    tv->err_col = col;
    snprintf(tv->message, sizeof tv->message, "%s", msg);
}

/* One token at s; returns its length (0 on error, with tv->failed set). */
static size_t lex_one(tiex_tokens *tv, const char *s, int line, int col, tiex_token *t)
{
    int l = line, c = col;
    const char *e = s;
    t->line = line, t->col = col, t->start = s;
    if (*s == '\n' || *s == ';') return t->kind = TK_NL, 1;
    if (isdigit((unsigned char)*s)) {
        t->kind = TK_INT;
        if (s[0] == '0' && (s[1] == 'x' || s[1] == 'b' || s[1] == 'o')) e += 2;
        while (isalnum((unsigned char)*e) || *e == '_') e++;
        if (e[0] == '.' && isdigit((unsigned char)e[1])) {
            t->kind = TK_FLOAT;
            e++;
            while (isdigit((unsigned char)*e) || *e == '_') e++;
            if ((*e == 'e' || *e == 'E') &&
                (isdigit((unsigned char)e[1]) ||
                 ((e[1] == '-' || e[1] == '+') && isdigit((unsigned char)e[2])))) {
                e += 2;
                while (isdigit((unsigned char)*e)) e++;
            }
        }
        return (size_t)(e - s);
    }
    if (*s == '"' || *s == '\'') {
        e = skip_quoted(s, &l, &c);
        if (!e) {
            set_error(tv, line, col, true,
                      *s == '"' ? "missing terminator: \" (for string)"
                                : "missing terminator: ' (for charlist)");
            return 0;
        }
        t->kind = *s == '"' ? TK_STRING : TK_CHARLIST;
        if (*s == '"' && e[0] == ':' && (e[1] == ' ' || e[1] == '\n')) t->kind = TK_KEY, e++;
        return (size_t)(e - s);
    }
    if (*s == ':' && s[1] == '"') {
        e = skip_quoted(s + 1, &l, &c);
        if (!e) {
            set_error(tv, line, col, true, "missing terminator: \" (for atom)");
            return 0;
        }
        return t->kind = TK_ATOM, (size_t)(e - s);
    }
    if (*s == ':' && (isalpha((unsigned char)s[1]) || s[1] == '_')) {
        e = s + 1;
        while (ident_char((unsigned char)*e) || *e == '@') e++;
        if (*e == '?' || *e == '!') e++;
        return t->kind = TK_ATOM, (size_t)(e - s);
    }
    if (*s == '?' && s[1] && s[1] != ' ') {
        e = s + 2;
        if (s[1] == '\\' && s[2]) e++;
        return t->kind = TK_INT, (size_t)(e - s);
    }
    if (ident_start((unsigned char)*s) || isupper((unsigned char)*s)) {
        while (ident_char((unsigned char)*e)) e++;
        if (*e == '?' || *e == '!') e++;
        t->kind = isupper((unsigned char)*s) ? TK_ALIAS : TK_IDENT;
        if (e[0] == ':' && e[1] != ':' && t->kind == TK_IDENT &&
            (e[1] == ' ' || e[1] == '\n' || !e[1]))
            t->kind = TK_KEY, e++;
        return (size_t)(e - s);
    }
    if (s[0] == '%' && s[1] == '{') return t->kind = TK_MAP_OPEN, 2;
    if (s[0] == '<' && s[1] == '<') {
        set_error(tv, line, col, false,
                  "binaries written <<...>> are not supported by tapa-iex; "
                  "write strings as \"...\"");
        return 0;
    }
    switch (*s) {
    case '(':
        return t->kind = TK_LPAREN, 1;
    case ')':
        return t->kind = TK_RPAREN, 1;
    case '[':
        return t->kind = TK_LBRACK, 1;
    case ']':
        return t->kind = TK_RBRACK, 1;
    case '{':
        return t->kind = TK_LBRACE, 1;
    case '}':
        return t->kind = TK_RBRACE, 1;
    case ',':
        return t->kind = TK_COMMA, 1;
    case '.':
        return t->kind = TK_DOT, 1;
    }
    for (int i = 0; operators[i]; i++) {
        size_t n = strlen(operators[i]);
        if (strncmp(s, operators[i], n) == 0) return t->kind = TK_OP, n;
    }
    char msg[80];
    snprintf(msg, sizeof msg, "unexpected token: \"%c\"", *s);
    set_error(tv, line, col, false, msg);
    return 0;
}

bool tiex_lex(const char *src, tiex_tokens *tv)
{
    memset(tv, 0, sizeof *tv);
    int line = 1, col = 1;
    bool space = false;
    const char *s = src;
    while (*s) {
        if (*s == ' ' || *s == '\t' || *s == '\r') {
            s++, col++, space = true;
            continue;
        }
        if (*s == '#') {
            while (*s && *s != '\n') s++;
            continue;
        }
        if (*s == '\\' && s[1] == '\n') { /* continued line */
            s += 2, line++, col = 1;
            continue;
        }
        tiex_token t = {0};
        size_t n = lex_one(tv, s, line, col, &t);
        if (!n) return false;
        t.len = n;
        t.space_before = space;
        space = false;
        if (!push(tv, t)) return false;
        for (size_t i = 0; i < n; i++) {
            if (s[i] == '\n') line++, col = 1;
            else col++;
        }
        s += n;
    }
    tiex_token eof = {TK_EOF, s, 0, line, col, space};
    return push(tv, eof);
}

void tiex_tokens_free(tiex_tokens *tv)
{
    free(tv->v);
    tv->v = NULL;
    tv->n = tv->cap = 0;
}
