/* answers.c — reading and comparing predictions; see answers.h. */

#include "answers.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --------------------------------------------------------------- terms -- */

typedef struct canon {
    char *out;
    size_t len, cap;
    const char *p;
    const char *why;
} canon;

static void canon_put(canon *c, const char *s, size_t n)
{
    if (c->len + n + 1 > c->cap) {
        c->cap = (c->len + n + 1) * 2;
        c->out = realloc(c->out, c->cap);
    }
    memcpy(c->out + c->len, s, n);
    c->len += n;
    c->out[c->len] = 0;
}

static void canon_skip(canon *c)
{
    while (*c->p == ' ' || *c->p == '\t') c->p++;
}

static bool atom_char(char ch)
{
    return isalnum((unsigned char)ch) || ch == '_' || ch == '@';
}

/* Would Elixir print this atom name without quotes? */
static bool plain_atom(const char *s, size_t n)
{
    if (!n || !(isalpha((unsigned char)s[0]) || s[0] == '_')) return false;
    for (size_t i = 0; i < n; i++) {
        bool last = i + 1 == n;
        if (!atom_char(s[i]) && !(last && (s[i] == '?' || s[i] == '!'))) return false;
    }
    return true;
}

static void canon_atom(canon *c, const char *name, size_t n)
{
    if (plain_atom(name, n)) {
        canon_put(c, ":", 1);
        canon_put(c, name, n);
    } else {
        canon_put(c, ":\"", 2);
        canon_put(c, name, n);
        canon_put(c, "\"", 1);
    }
}

static bool canon_term(canon *c, bool top);

/* the elements of a tuple or list up to `close` */
static bool canon_seq(canon *c, char close)
{
    canon_skip(c);
    if (*c->p == close) return c->p++, true;
    for (;;) {
        if (!canon_term(c, false)) return false;
        canon_skip(c);
        if (*c->p == close) return c->p++, true;
        if (*c->p != ',') {
            c->why = close == '}' ? "a tuple's elements are separated by commas and it ends with }"
                                  : "a list's elements are separated by commas and it ends with ]";
            return false;
        }
        canon_put(c, ", ", 2);
        c->p++;
    }
}

static bool canon_quoted(canon *c, const char **start, size_t *n)
{
    const char *s = ++c->p;
    while (*c->p && *c->p != '"') c->p += c->p[0] == '\\' && c->p[1] ? 2 : 1;
    if (*c->p != '"') {
        c->why = "a quote is not closed";
        return false;
    }
    *start = s;
    *n = (size_t)(c->p - s);
    c->p++;
    return true;
}

static bool canon_term(canon *c, bool top)
{
    canon_skip(c);
    const char *p = c->p;
    if (*p == '{' || *p == '[') {
        char close = *p == '{' ? '}' : ']';
        canon_put(c, p, 1);
        c->p++;
        if (!canon_seq(c, close)) return false;
        canon_put(c, &close, 1);
        return true;
    }
    if (*p == ':' && p[1] == '"') {
        const char *s;
        size_t n;
        c->p++;
        if (!canon_quoted(c, &s, &n)) return false;
        canon_atom(c, s, n);
        return true;
    }
    if (*p == ':' && (isalpha((unsigned char)p[1]) || p[1] == '_')) {
        const char *s = ++c->p;
        while (atom_char(*c->p)) c->p++;
        if (*c->p == '?' || *c->p == '!') c->p++;
        canon_atom(c, s, (size_t)(c->p - s));
        return true;
    }
    if (*p == '"') {
        const char *s;
        size_t n;
        if (!canon_quoted(c, &s, &n)) return false;
        canon_put(c, "\"", 1);
        canon_put(c, s, n);
        canon_put(c, "\"", 1);
        return true;
    }
    if (isdigit((unsigned char)*p) || ((*p == '-' || *p == '+') && isdigit((unsigned char)p[1]))) {
        char digits[64];
        size_t k = 0;
        if (*p == '-') digits[k++] = '-';
        if (*p == '-' || *p == '+') c->p++;
        while ((isdigit((unsigned char)*c->p) || *c->p == '_') && k < sizeof digits - 1) {
            if (*c->p != '_') digits[k++] = *c->p;
            c->p++;
        }
        digits[k] = 0;
        char *d = digits + (digits[0] == '-');
        while (d[0] == '0' && d[1]) memmove(d, d + 1, strlen(d)); /* 007 is 7 */
        if (!strcmp(digits, "-0")) strcpy(digits, "0");
        canon_put(c, digits, strlen(digits));
        return true;
    }
    if (isalpha((unsigned char)*p) ||
        *p == '_') { /* true, nil, or (alone) an atom without its colon */
        const char *s = c->p;
        while (atom_char(*c->p) || *c->p == '.') c->p++;
        size_t n = (size_t)(c->p - s);
        bool special = (n == 4 && !strncmp(s, "true", 4)) || (n == 5 && !strncmp(s, "false", 5)) ||
                       (n == 3 && !strncmp(s, "nil", 3));
        if (!special && !top) {
            c->why = "inside a tuple or list an atom needs its colon (:name)";
            return false;
        }
        canon_atom(c, s, n);
        return true;
    }
    c->why =
        *p ? "it does not start like a term (an atom :name, a number, {...}, [...] or \"text\")"
           : "a term is missing";
    return false;
}

char *grade_term_canon(const char *text, const char **why)
{
    canon c = {.p = text};
    canon_put(&c, "", 0);
    bool ok = canon_term(&c, true);
    canon_skip(&c);
    if (ok && *c.p) {
        ok = false;
        c.why = "there is more after the term (one term per answer)";
    }
    if (!ok) {
        if (why) *why = c.why;
        free(c.out);
        return NULL;
    }
    return c.out;
}

/* ------------------------------------------------------------- choices -- */

/* "b", "(b)", "b)", "b." -> 'b'; anything else 0. */
static char choice_letter(const char *w, size_t n)
{
    if (n && w[0] == '(') w++, n--;
    if (n && (w[n - 1] == ')' || w[n - 1] == '.' || w[n - 1] == ',')) n--;
    return n == 1 && isalpha((unsigned char)w[0]) ? (char)tolower((unsigned char)w[0]) : 0;
}

/* 1: exactly one letter (*letter), 0: several, -1: none. A letter followed
 * by words ("b, because ...") is one choice with a reason. */
static int read_choice(const char *s, char *letter, int *count)
{
    int letters = 0, words = 0;
    char first = 0;
    for (const char *p = s; *p;) {
        while (*p && strchr(" \t,;/&+", *p)) p++;
        if (!*p) break;
        size_t n = strcspn(p, " \t,;/&+");
        char l = choice_letter(p, n);
        bool joiner = (n == 3 && !strncasecmp(p, "and", 3)) || (n == 2 && !strncasecmp(p, "or", 2));
        if (l && !first && !words) first = l;
        if (l) letters++;
        else if (!joiner) words++;
        if (!first && !l) break; /* does not start with a letter */
        p += n;
    }
    *letter = first;
    *count = letters;
    if (!first) return -1;
    return letters > 1 && words == 0 ? 0 : 1;
}

/* ------------------------------------------------------------- compare -- */

static int parse_bool_word(const char *s)
{
    char w[16];
    size_t i = 0;
    while (*s == ' ') s++;
    for (; s[i] && s[i] != ' ' && i < sizeof w - 1; i++) w[i] = (char)tolower((unsigned char)s[i]);
    w[i] = 0;
    if (w[0] == ':') memmove(w, w + 1, strlen(w));
    if (!strcmp(w, "true") || !strcmp(w, "yes") || !strcmp(w, "y") || !strcmp(w, "t")) return 1;
    if (!strcmp(w, "false") || !strcmp(w, "no") || !strcmp(w, "n") || !strcmp(w, "f")) return 0;
    return -1;
}

bool grade_same_answer(const char *type, const char *given, const char *truth, char **why)
{
    if (why) *why = NULL;
    if (!given) return false;
    if (!strcmp(type, "int")) {
        char *end;
        while (*given == ' ') given++;
        long long v = strtoll(given, &end, 10);
        while (*end == ' ') end++;
        if (end == given || *end) {
            if (why) *why = strdup("it is not a whole number (write digits only, e.g. 3)");
            return false;
        }
        return v == atoll(truth);
    }
    if (!strcmp(type, "bool")) {
        int g = parse_bool_word(given);
        if (g < 0) {
            if (why) *why = strdup("write true or false");
            return false;
        }
        return g == parse_bool_word(truth);
    }
    if (!strcmp(type, "choice")) {
        char l;
        int count;
        int r = read_choice(given, &l, &count);
        if (r == 0) {
            if (why) *why = strdup("it names several choices: pick one letter");
            return false;
        }
        if (r < 0) {
            if (why)
                *why = strdup("it does not start with one of the choices' letters (a, b, c ...)");
            return false;
        }
        return l == truth[0];
    }
    const char *w = NULL;
    char *g = grade_term_canon(given, &w), *t = grade_term_canon(truth, NULL);
    bool same = g && t && !strcmp(g, t);
    if (!g && why) *why = strdup(w ? w : "it cannot be read as a term");
    free(g);
    free(t);
    return same;
}

/* -------------------------------------------------------------- files -- */

int grade_load_answers(const char *path, grade_answer *a, int max, char **problems)
{
    *problems = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    char *probs = NULL;
    size_t plen = 0;
    FILE *pf = open_memstream(&probs, &plen);
    char buf[4096];
    int n = 0, lineno = 0;
    while (fgets(buf, sizeof buf, f)) {
        lineno++;
        char *s = buf;
        if (lineno == 1 && !strncmp(s, "\xEF\xBB\xBF", 3)) s += 3; /* a UTF-8 BOM */
        size_t len = strlen(s);
        while (len && (s[len - 1] == '\n' || s[len - 1] == '\r' || s[len - 1] == ' ' ||
                       s[len - 1] == '\t'))
            s[--len] = 0;
        while (*s == ' ' || *s == '\t') s++;
        if (!*s || *s == '#') continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            fprintf(pf, "line %d (`%.40s`) has no `=`: write `key = answer`; ", lineno, s);
            continue;
        }
        char *k = s, *v = eq + 1;
        *eq = 0;
        size_t kl = strlen(k);
        while (kl && (k[kl - 1] == ' ' || k[kl - 1] == '\t')) k[--kl] = 0;
        char *hash = strstr(v, " #");
        if (hash) *hash = 0;
        while (*v == ' ' || *v == '\t') v++;
        size_t vl = strlen(v);
        while (vl && (v[vl - 1] == ' ' || v[vl - 1] == '\t')) v[--vl] = 0;
        if (n < max) {
            snprintf(a[n].key, sizeof a[n].key, "%s", k);
            snprintf(a[n].value, sizeof a[n].value, "%s", v);
            a[n].line = lineno;
            n++;
        }
    }
    fclose(f);
    fclose(pf);
    if (plen) *problems = probs;
    else free(probs);
    return n;
}
