/* inspect.c — printing terms exactly as iex 1.14 does.
 *
 * Elixir's `inspect` does not print directly: Inspect turns a term into an
 * algebra document (strings, breaks, nesting, groups) and
 * Inspect.Algebra.format lays it out for a width. IO.inspect, iex's
 * result printing and flush() use width 80, so long terms break across
 * lines; inspect/1 uses infinite width (one line). To print the same
 * bytes we do the same: build the document (doc_* below, mirroring
 * Inspect.List, Inspect.Tuple, Inspect.Map, Inspect.BitString ... with
 * the default Inspect.Opts: limit 50 items, printable_limit 4096) and
 * format it with the same algorithm (format / fits).
 *
 * Depth: the item limit shrinks by one for every element and is passed
 * down, so documents are at most ~50 containers deep whatever the term;
 * list spines are walked in loops. Formatting uses explicit stacks.
 */
#include "support/hash.h"
#include "support/utf8.h"
#include "term/etf_tags.h"
#include "term/term.h"

#include <ctype.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <wctype.h>

#define INSPECT_LIMIT 50
#define PRINTABLE_LIMIT 4096

/* ----------------------------------------------------------- strbuf -- */

static void sb_reserve(strbuf *sb, size_t more)
{
    if (sb->len + more + 1 <= sb->cap) return;
    size_t cap = sb->cap ? sb->cap : 64;
    while (cap < sb->len + more + 1) cap *= 2;
    char *data = realloc(sb->data, cap);
    if (!data) {
        fputs("tapa: out of memory\n", stderr);
        abort();
    }
    sb->data = data;
    sb->cap = cap;
}

void sb_putn(strbuf *sb, const char *s, size_t n)
{
    sb_reserve(sb, n);
    if (n) memcpy(sb->data + sb->len, s, n);
    sb->len += n;
    sb->data[sb->len] = '\0';
}

void sb_putc(strbuf *sb, char c)
{
    sb_putn(sb, &c, 1);
}
void sb_puts(strbuf *sb, const char *s)
{
    sb_putn(sb, s, strlen(s));
}

static void sb_vprintf(strbuf *sb, const char *fmt, va_list ap)
{
    char small[256];
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(small, sizeof small, fmt, ap2);
    va_end(ap2);
    if (n <= 0) return;
    if ((size_t)n < sizeof small) {
        sb_putn(sb, small, (size_t)n);
        return;
    }
    sb_reserve(sb, (size_t)n);
    vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, ap);
    sb->len += (size_t)n;
}

void sb_printf(strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sb_vprintf(sb, fmt, ap);
    va_end(ap);
}

void sb_free(strbuf *sb)
{
    free(sb->data);
    sb->data = NULL;
    sb->len = sb->cap = 0;
}

/* -------------------------------------------------------- documents -- */

enum { D_NIL, D_STR, D_CONS, D_NEST, D_BREAK, D_GROUP };

typedef struct doc {
    uint8_t kind;
    uint8_t flex; /* D_BREAK: a flex break (else strict) */
    uint8_t simple; /* only strings: container_doc may lay it out flex */
    int32_t a, b; /* CONS: left, right; NEST: child, indent; GROUP: child */
    uint32_t off, len; /* STR, BREAK: text in the arena */
} doc;

typedef struct docs {
    doc *v;
    size_t n, cap;
    strbuf text;
} docs;

static int32_t d_new(docs *ds, doc d)
{
    if (ds->n == ds->cap) {
        ds->cap = ds->cap ? ds->cap * 2 : 256;
        doc *v = realloc(ds->v, ds->cap * sizeof *v);
        if (!v) {
            fputs("tapa: out of memory\n", stderr);
            abort();
        }
        ds->v = v;
    }
    ds->v[ds->n] = d;
    return (int32_t)ds->n++;
}

static int32_t d_strn(docs *ds, const char *s, size_t len)
{
    doc d = {.kind = D_STR, .simple = 1, .off = (uint32_t)ds->text.len, .len = (uint32_t)len};
    sb_putn(&ds->text, s, len);
    return d_new(ds, d);
}

static int32_t d_str(docs *ds, const char *s)
{
    return d_strn(ds, s, strlen(s));
}

static int32_t d_cons(docs *ds, int32_t l, int32_t r)
{
    doc d = {.kind = D_CONS, .a = l, .b = r, .simple = ds->v[l].simple && ds->v[r].simple};
    return d_new(ds, d);
}

static int32_t d_cons3(docs *ds, int32_t a, int32_t b, int32_t c)
{
    return d_cons(ds, a, d_cons(ds, b, c));
}

static int32_t d_nest(docs *ds, int32_t x, int indent)
{
    return d_new(ds, (doc){.kind = D_NEST, .a = x, .b = indent});
}

static int32_t d_break(docs *ds, const char *s, bool flex)
{
    doc d = {
        .kind = D_BREAK, .flex = flex, .off = (uint32_t)ds->text.len, .len = (uint32_t)strlen(s)};
    sb_puts(&ds->text, s);
    return d_new(ds, d);
}

static int32_t d_group(docs *ds, int32_t x)
{
    return d_new(ds, (doc){.kind = D_GROUP, .a = x});
}

/* glue(x, s, y) and flex_glue(x, s, y) */
static int32_t d_glue(docs *ds, int32_t x, const char *s, int32_t y, bool flex)
{
    return d_cons3(ds, x, d_break(ds, s, flex), y);
}

static void docs_init(docs *ds)
{
    memset(ds, 0, sizeof *ds);
    d_new(ds, (doc){.kind = D_NIL, .simple = 1}); /* index 0: DOC_NIL */
}

static void docs_free(docs *ds)
{
    free(ds->v);
    sb_free(&ds->text);
}

/* ------------------------------------------------------ formatting -- */
/* Inspect.Algebra.format/2 and fits?/4, for the document kinds above. */

enum { M_FLAT, M_BREAK };
#define TAIL_MARK (-1) /* fits: end of a group, restores b? */

typedef struct fent {
    int32_t doc; /* or TAIL_MARK */
    int32_t indent;
    uint8_t mode;
    uint8_t tail_b;
} fent;

typedef struct fstack {
    fent *v;
    size_t n, cap;
} fstack;

static void fs_push(fstack *s, fent e)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        fent *v = realloc(s->v, s->cap * sizeof *v);
        if (!v) {
            fputs("tapa: out of memory\n", stderr);
            abort();
        }
        s->v = v;
    }
    s->v[s->n++] = e;
}

typedef struct formatter {
    const docs *ds;
    long width; /* < 0: infinity */
    fstack stack; /* format's pending entries */
    fstack scratch; /* fits' own entries */
} formatter;

/* Does the rest fit? Starts with `first` (if any), then, when `rest`,
 * continues down format's own pending stack, as fits?(w, k, b?, t). */
static bool fits(formatter *f, long k, bool b, const fent *first, bool rest)
{
    fstack *l = &f->scratch;
    l->n = 0;
    if (first) fs_push(l, *first);
    size_t r = rest ? f->stack.n : 0;
    for (;;) {
        if (k > f->width && b) return false;
        fent e;
        if (l->n) e = l->v[--l->n];
        else if (r) e = f->stack.v[--r];
        else return true;
        if (e.doc == TAIL_MARK) {
            b = e.tail_b;
            continue;
        }
        const doc *d = &f->ds->v[e.doc];
        switch (d->kind) {
        case D_STR:
            k += d->len;
            break;
        case D_BREAK:
            if (e.mode == M_BREAK) return true;
            k += d->len;
            b = true;
            break;
        case D_NEST:
            fs_push(l, (fent){d->a, e.indent + d->b, e.mode, 0});
            break;
        case D_CONS:
            fs_push(l, (fent){d->b, e.indent, e.mode, 0});
            fs_push(l, (fent){d->a, e.indent, e.mode, 0});
            break;
        case D_GROUP:
            fs_push(l, (fent){TAIL_MARK, 0, 0, b});
            fs_push(l, (fent){d->a, e.indent, M_FLAT, 0});
            break;
        default:
            break;
        }
    }
}

static void put_newline(strbuf *out, int indent)
{
    sb_putc(out, '\n');
    for (int i = 0; i < indent; i++) sb_putc(out, ' ');
}

static void format_break(formatter *f, strbuf *out, const doc *d, fent e, long *k)
{
    const char *s = f->ds->text.data + d->off;
    bool as_text;
    if (d->flex) {
        *k += d->len;
        as_text = f->width < 0 || e.mode == M_FLAT || fits(f, *k, true, NULL, true);
        if (!as_text) *k -= d->len;
    } else {
        as_text = e.mode != M_BREAK;
        if (as_text) *k += d->len;
    }
    if (as_text) sb_putn(out, s, d->len);
    else {
        put_newline(out, e.indent);
        *k = e.indent;
    }
}

static void format_doc(const docs *ds, int32_t root, long width, strbuf *out)
{
    formatter f = {ds, width, {0}, {0}};
    long k = 0;
    fs_push(&f.stack, (fent){root, 0, M_FLAT, 0});
    while (f.stack.n) {
        fent e = f.stack.v[--f.stack.n];
        const doc *d = &ds->v[e.doc];
        switch (d->kind) {
        case D_STR:
            sb_putn(out, ds->text.data + d->off, d->len);
            k += d->len;
            break;
        case D_CONS:
            fs_push(&f.stack, (fent){d->b, e.indent, e.mode, 0});
            fs_push(&f.stack, (fent){d->a, e.indent, e.mode, 0});
            break;
        case D_NEST:
            fs_push(&f.stack, (fent){d->a, e.indent + d->b, e.mode, 0});
            break;
        case D_BREAK:
            format_break(&f, out, d, e, &k);
            break;
        case D_GROUP: {
            fent flat = {d->a, e.indent, M_FLAT, 0};
            bool fit = width < 0 || fits(&f, k, false, &flat, false);
            fs_push(&f.stack, (fent){d->a, e.indent, fit ? M_FLAT : M_BREAK, 0});
            break;
        }
        default:
            break;
        }
    }
    free(f.stack.v);
    free(f.scratch.v);
}

/* ----------------------------------------------------------- escapes -- */

static const char hexdig[] = "0123456789ABCDEF";

static bool printable_cp(uint32_t c)
{
    return (c >= 0x20 && c <= 0x7E) || (c >= 0xA0 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) ||
           (c >= 0x10000 && c <= 0x10FFFF);
}

static const char *escape_map(uint32_t c)
{
    switch (c) {
    case 7:
        return "\\a";
    case 8:
        return "\\b";
    case 127:
        return "\\d";
    case 27:
        return "\\e";
    case 12:
        return "\\f";
    case 10:
        return "\\n";
    case 13:
        return "\\r";
    case 9:
        return "\\t";
    case 11:
        return "\\v";
    case '\\':
        return "\\\\";
    default:
        return NULL;
    }
}

/* Code.Identifier.escape's escape_char for a code point with no short
 * escape: printable ones as they are, others in hex. */
static void escape_char(strbuf *sb, const uint8_t *raw, size_t rawlen, uint32_t c)
{
    if (c == 0) sb_puts(sb, "\\0");
    else if (printable_cp(c)) sb_putn(sb, (const char *)raw, rawlen);
    else if (c < 0x100) sb_printf(sb, "\\x%c%c", hexdig[c >> 4], hexdig[c & 15]);
    else if (c < 0x10000) sb_printf(sb, "\\x{%04X}", (unsigned)c);
    else sb_printf(sb, "\\x{%06X}", (unsigned)c);
}

/* Code.Identifier.escape(bytes, quote, limit): returns true if the limit
 * cut the text short. */
static bool escape_into(strbuf *sb, const uint8_t *s, size_t len, char quote, long limit)
{
    size_t i = 0;
    for (; i < len; limit--) {
        if (limit == 0) return true;
        uint32_t c;
        size_t n = tapa_utf8_decode(s + i, len - i, &c);
        if (n == 0) { /* a byte that is not UTF-8 */
            sb_printf(sb, "\\x%c%c", hexdig[s[i] >> 4], hexdig[s[i] & 15]);
            i++;
            continue;
        }
        const char *m = escape_map(c);
        if (c == (uint8_t)quote) {
            sb_putc(sb, '\\');
            sb_putc(sb, quote);
        } else if (c == '#' && i + 1 < len && s[i + 1] == '{') {
            sb_puts(sb, "\\#{");
            n = 2;
        } else if (m) sb_puts(sb, m);
        else escape_char(sb, s + i, n, c);
        i += n;
    }
    return false;
}

/* String.printable?(s, PRINTABLE_LIMIT) */
static bool printable_string(const uint8_t *s, size_t len)
{
    long limit = PRINTABLE_LIMIT;
    for (size_t i = 0; i < len; limit--) {
        if (limit == 0) return true;
        uint32_t c;
        size_t n = tapa_utf8_decode(s + i, len - i, &c);
        if (!n || !(printable_cp(c) || (c >= 7 && c <= 13) || c == 27 || c == 127)) return false;
        i += n;
    }
    return true;
}

/* List.ascii_printable?(list, PRINTABLE_LIMIT), as iex uses to print 'abc'. */
bool term_is_printable_charlist(tapa_term t)
{
    long limit = PRINTABLE_LIMIT;
    for (; IS_BOX_TYPE(t, BOX_CONS); t = ((const box_cons *)BOX_OF(t))->tail, limit--) {
        if (limit == 0) return true;
        tapa_term h = ((const box_cons *)BOX_OF(t))->head;
        if (TERM_TAG(h) != TAG_SMALL) return false;
        int64_t c = SMALL_VALUE(h);
        if (!((c >= 32 && c <= 126) || (c >= 7 && c <= 13) || c == 27)) return false;
    }
    return t == TERM_NIL;
}

/* ------------------------------------------------------------- atoms -- */

enum { CL_IDENTIFIER, CL_UNQUOTED, CL_ALIAS, CL_QUOTED };

static bool in_list(const char *s, size_t len, const char *const *list)
{
    for (; *list; list++)
        if (strlen(*list) == len && memcmp(*list, s, len) == 0) return true;
    return false;
}

/* Atoms Elixir prints bare although they are not identifiers: the
 * special forms and the operators (Macro.operator?/2 for arity 1 or 2). */
static const char *const bare_atoms[] = {
    "%",   "%{}", "{}",  "<<>>", "...", "..",  ".",    "..//", "->",  "!",   "^",  "not",
    "+",   "-",   "~~~", "&",    "@",   "<-",  "\\\\", "when", "|",   "=",   "||", "|||",
    "or",  "&&",  "&&&", "and",  "==",  "!=",  "=~",   "===",  "!==", "<",   "<=", ">=",
    ">",   "|>",  "<<<", ">>>",  "<<~", "~>>", "<~",   "~>",   "<~>", "<|>", "in", "not in",
    "^^^", "//",  "++",  "--",   "+++", "---", "<>",   "*",    "/",   "**",  NULL};

static locale_t unicode_locale(void)
{
    static locale_t loc;
    static bool tried;
    if (!tried) {
        tried = true;
        loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
    }
    return loc;
}

/* Unicode letters/digits, as String.Tokenizer allows in identifiers
 * (approximated by the C library's classification). */
static bool uni_alnum(uint32_t c)
{
    locale_t loc = unicode_locale();
    return loc ? iswalnum_l((wint_t)c, loc) != 0 : c >= 0xC0;
}

static bool uni_upper(uint32_t c)
{
    locale_t loc = unicode_locale();
    return loc ? iswupper_l((wint_t)c, loc) != 0 : false;
}

static bool alias_text(const char *s, size_t len)
{
    if (len < 6 || memcmp(s, "Elixir", 6) != 0) return false;
    size_t i = 6;
    while (i < len) {
        if (s[i] != '.' || i + 1 >= len || !(s[i + 1] >= 'A' && s[i + 1] <= 'Z')) return false;
        i += 2;
        while (i < len && (isalnum((unsigned char)s[i]) || s[i] == '_')) i++;
    }
    return true;
}

/* String.Tokenizer's verdict: an identifier (:foo), something Elixir
 * still prints bare (:Foo, :foo@bar), or anything else (quoted). */
static int classify_tokens(const uint8_t *s, size_t len)
{
    uint32_t c;
    size_t n = tapa_utf8_decode(s, len, &c);
    if (!n) return CL_QUOTED;
    bool ident = c == '_' || (c >= 'a' && c <= 'z') || (c >= 0x80 && uni_alnum(c) && !uni_upper(c));
    if (!ident && !(c >= 'A' && c <= 'Z')) return CL_QUOTED;
    bool at = false;
    for (size_t i = n; i < len; i += n) {
        n = tapa_utf8_decode(s + i, len - i, &c);
        if (!n) return CL_QUOTED;
        if (c == '?' || c == '!') {
            if (i + 1 != len) return CL_QUOTED;
        } else if (c == '@') at = true;
        else if (!(c == '_' || (c < 0x80 && isalnum((int)c)) || (c >= 0x80 && uni_alnum(c))))
            return CL_QUOTED;
    }
    return ident && !at ? CL_IDENTIFIER : CL_UNQUOTED;
}

static int classify_atom(const char *s, size_t len)
{
    if (len == 0) return CL_QUOTED;
    if (len == 2 && memcmp(s, "::", 2) == 0) return CL_QUOTED;
    if (in_list(s, len, bare_atoms)) return CL_UNQUOTED;
    if (alias_text(s, len)) return CL_ALIAS;
    return classify_tokens((const uint8_t *)s, len);
}

static void quoted_into(strbuf *sb, const char *s, size_t len)
{
    sb_putc(sb, '"');
    escape_into(sb, (const uint8_t *)s, len, '"', -1);
    sb_putc(sb, '"');
}

/* Macro.inspect_atom(:literal, atom) */
static void atom_literal(strbuf *sb, tapa_term atom)
{
    size_t len;
    const char *s = atom_text(atom, &len);
    if (atom == A(true) || atom == A(false) || atom == A(nil)) {
        sb_putn(sb, s, len);
        return;
    }
    switch (classify_atom(s, len)) {
    case CL_ALIAS:
        if ((len == 6) || (len == 13 && memcmp(s, "Elixir.Elixir", 13) == 0) ||
            (len > 13 && memcmp(s, "Elixir.Elixir.", 14) == 0))
            sb_putn(sb, s, len);
        else sb_putn(sb, s + 7, len - 7);
        break;
    case CL_QUOTED:
        sb_putc(sb, ':');
        quoted_into(sb, s, len);
        break;
    default:
        sb_putc(sb, ':');
        sb_putn(sb, s, len);
    }
}

/* Macro.inspect_atom(:key, atom): "key:" or "\"odd key\":" */
static void atom_key(strbuf *sb, tapa_term atom)
{
    size_t len;
    const char *s = atom_text(atom, &len);
    int cl = classify_atom(s, len);
    if (cl == CL_QUOTED) quoted_into(sb, s, len);
    else if (cl == CL_ALIAS) {
        sb_putc(sb, '"');
        sb_putn(sb, s, len);
        sb_putc(sb, '"');
    } else sb_putn(sb, s, len);
    sb_putc(sb, ':');
}

/* Macro.inspect_atom(:remote_call, atom): the function name in &M.f/1 */
static void atom_remote_call(strbuf *sb, tapa_term atom)
{
    size_t len;
    const char *s = atom_text(atom, &len);
    int cl = classify_atom(s, len);
    bool bare_op = in_list(s, len, bare_atoms) &&
                   !in_list(s, len,
                            (const char *const[]){"%", "%{}", "{}", "<<>>", "...", "..", ".",
                                                  "..//", "->", NULL});
    if (cl == CL_IDENTIFIER || bare_op) sb_putn(sb, s, len);
    else if (cl == CL_QUOTED) quoted_into(sb, s, len);
    else {
        sb_putc(sb, '"');
        sb_putn(sb, s, len);
        sb_putc(sb, '"');
    }
}

/* ----------------------------------------------------------- numbers -- */

static void bigint_into(strbuf *sb, const box_bigint *b)
{
    size_t n = b->h.size;
    uint32_t *d = malloc(n * sizeof *d);
    uint32_t *chunks = malloc((n * 10 / 9 + 2) * sizeof *chunks); /* base 1e9 */
    if (!d || !chunks) abort();
    memcpy(d, b->digits, n * sizeof *d);
    size_t nc = 0;
    while (n) { /* divide by 1e9, keeping remainders */
        uint64_t rem = 0;
        for (size_t i = n; i-- > 0;) {
            uint64_t cur = (rem << 32) | d[i];
            d[i] = (uint32_t)(cur / 1000000000u);
            rem = cur % 1000000000u;
        }
        chunks[nc++] = (uint32_t)rem;
        while (n && !d[n - 1]) n--;
    }
    if (b->h.flags) sb_putc(sb, '-');
    sb_printf(sb, "%u", nc ? chunks[nc - 1] : 0u);
    for (size_t i = nc - 1; nc && i-- > 0;) sb_printf(sb, "%09u", chunks[i]);
    free(d);
    free(chunks);
}

/* The shortest digits that read back as v: digits[] and the decimal
 * exponent of the first digit (v = d.ddd * 10^exp). */
static int shortest_digits(double v, char *digits, int *exp)
{
    char buf[40];
    for (int p = 1; p <= 17; p++) {
        snprintf(buf, sizeof buf, "%.*e", p - 1, v);
        if (strtod(buf, NULL) == v || p == 17) break;
    }
    int n = 0;
    char *e = strchr(buf, 'e');
    for (char *c = buf; c < e; c++)
        if (isdigit((unsigned char)*c)) digits[n++] = *c;
    while (n > 1 && digits[n - 1] == '0') n--;
    digits[n] = '\0';
    *exp = atoi(e + 1);
    return n;
}

/* Inspect.Float: whole floats in [1.0, 1.0e16) print as integers with
 * ".0" (Elixir's answer to issue #11645, Feb 2022, so in 1.14: 8100.0
 * rather than 8.1e3); everything else as io_lib_format:fwrite_g/1 does:
 * the shortest round-trip digits, plain unless scientific is shorter,
 * and always scientific from 2^53 up (checked against erl on 25,000
 * values). */
static void float_into(strbuf *sb, double v)
{
    if (v == 0) {
        sb_puts(sb, signbit(v) ? "-0.0" : "0.0");
        return;
    }
    if (fabs(v) >= 1.0 && fabs(v) < 1.0e16 && trunc(v) == v) {
        sb_printf(sb, "%.0f.0", v);
        return;
    }
    char s[24];
    int x, len = shortest_digits(fabs(v), s, &x);
    int place = x + 1; /* v = 0.ddd * 10^place */
    if (v < 0) sb_putc(sb, '-');
    if (place == 0) {
        sb_printf(sb, "0.%s", s);
        return;
    }
    if (place > 0 && place < len) {
        sb_printf(sb, "%.*s.%s", place, s, s + place);
        return;
    }
    char expl[8];
    int explen = snprintf(expl, sizeof expl, "%d", place - 1);
    int cost = explen + 1 + (len == 1 ? 2 : 1);
    if (place < 0 && 2 - place <= cost) {
        sb_puts(sb, "0.");
        for (int i = 0; i < -place; i++) sb_putc(sb, '0');
        sb_puts(sb, s);
    } else if (place > 0 && place - len + 2 <= cost && fabs(v) < 9007199254740992.0) {
        sb_puts(sb, s);
        for (int i = 0; i < place - len; i++) sb_putc(sb, '0');
        sb_puts(sb, ".0");
    } else {
        sb_printf(sb, "%c.%se%s", s[0], len == 1 ? "0" : s + 1, expl);
    }
}

/* ------------------------------------------------------- term docs -- */

typedef struct ictx {
    docs ds;
    strbuf tmp;
} ictx;

static int32_t to_doc(ictx *c, tapa_term t, long limit);

/* A string document from what was written to c->tmp. */
static int32_t tmp_doc(ictx *c)
{
    int32_t d = d_strn(&c->ds, c->tmp.data ? c->tmp.data : "", c->tmp.len);
    c->tmp.len = 0;
    return d;
}

/* Inspect.Algebra.container_doc: items are docs already made. */
typedef struct container {
    int32_t *items;
    size_t n, cap;
    bool simple; /* every item is plain text */
} container;

static void ct_add(ictx *c, container *ct, int32_t d)
{
    if (ct->n == ct->cap) {
        ct->cap = ct->cap ? ct->cap * 2 : 16;
        int32_t *items = realloc(ct->items, ct->cap * sizeof *items);
        if (!items) abort();
        ct->items = items;
    }
    ct->items[ct->n++] = d;
    ct->simple = ct->simple && c->ds.v[d].simple;
}

enum { BR_MAYBE, BR_FLEX, BR_STRICT };

static int32_t container_doc(ictx *c, const char *left, container *ct, const char *right, int mode)
{
    docs *ds = &c->ds;
    int32_t l = d_str(ds, left), r = d_str(ds, right);
    if (ct->n == 0) {
        free(ct->items);
        return d_cons(ds, l, r);
    }
    bool flex = (mode == BR_MAYBE && ct->simple) || mode == BR_FLEX;
    int32_t body = ct->items[ct->n - 1]; /* fold_doc from the right */
    for (size_t i = ct->n - 1; i-- > 0;)
        body = d_glue(ds, d_cons(ds, ct->items[i], d_str(ds, ",")), " ", body, flex);
    free(ct->items);
    if (flex) return d_group(ds, d_cons3(ds, l, d_nest(ds, body, 1), r));
    int32_t inner = d_nest(ds, d_glue(ds, l, "", body, false), 2);
    return d_group(ds, d_glue(ds, inner, "", r, false));
}

static const box_tuple *as_pair(tapa_term t)
{
    return IS_BOX_TYPE(t, BOX_TUPLE) && BOX_OF(t)->size == 2 ? (const box_tuple *)BOX_OF(t) : NULL;
}

/* Inspect.List.keyword?: atom keys that are not Elixir aliases */
static bool keyword_key(tapa_term k)
{
    if (TERM_TAG(k) != TAG_ATOM) return false;
    size_t len;
    const char *s = atom_text(k, &len);
    return !(len >= 7 && memcmp(s, "Elixir.", 7) == 0);
}

static bool keyword_list(tapa_term t)
{
    for (; IS_BOX_TYPE(t, BOX_CONS); t = ((const box_cons *)BOX_OF(t))->tail) {
        const box_tuple *p = as_pair(((const box_cons *)BOX_OF(t))->head);
        if (!p || !keyword_key(p->elements[0])) return false;
    }
    return t == TERM_NIL;
}

/* Inspect.List.keyword/2: "key: value" */
static int32_t keyword_doc(ictx *c, tapa_term key, tapa_term value, long limit)
{
    atom_key(&c->tmp, key);
    sb_putc(&c->tmp, ' ');
    int32_t k = tmp_doc(c);
    return d_cons(&c->ds, k, to_doc(c, value, limit));
}

static int32_t charlist_doc(ictx *c, tapa_term t)
{
    strbuf raw = {0};
    size_t n = 0;
    for (; IS_BOX_TYPE(t, BOX_CONS) && n <= PRINTABLE_LIMIT; n++) {
        sb_putc(&raw, (char)SMALL_VALUE(((const box_cons *)BOX_OF(t))->head));
        t = ((const box_cons *)BOX_OF(t))->tail;
    }
    sb_putc(&c->tmp, '\'');
    bool cut = escape_into(&c->tmp, (const uint8_t *)raw.data, raw.len, '\'', PRINTABLE_LIMIT);
    sb_puts(&c->tmp, cut ? "' ++ ..." : "'");
    sb_free(&raw);
    return tmp_doc(c);
}

static int32_t list_doc(ictx *c, tapa_term t, long limit)
{
    if (term_is_printable_charlist(t)) return charlist_doc(c, t);
    bool kw = keyword_list(t);
    container ct = {.simple = true};
    for (; IS_BOX_TYPE(t, BOX_CONS); t = ((const box_cons *)BOX_OF(t))->tail) {
        if (limit == 0) {
            ct_add(c, &ct, d_str(&c->ds, "..."));
            break;
        }
        tapa_term h = ((const box_cons *)BOX_OF(t))->head;
        limit--;
        tapa_term tail = ((const box_cons *)BOX_OF(t))->tail;
        if (kw) {
            const box_tuple *p = as_pair(h);
            ct_add(c, &ct, keyword_doc(c, p->elements[0], p->elements[1], limit));
        } else if (tail == TERM_NIL || IS_BOX_TYPE(tail, BOX_CONS)) {
            ct_add(c, &ct, to_doc(c, h, limit));
        } else { /* improper tail: "head | tail" */
            int32_t l = to_doc(c, h, limit), r = to_doc(c, tail, limit);
            bool simple = ct.simple && c->ds.v[l].simple && c->ds.v[r].simple;
            ct_add(c, &ct, d_glue(&c->ds, d_cons(&c->ds, l, d_str(&c->ds, " |")), " ", r, simple));
            break;
        }
    }
    return container_doc(c, "[", &ct, "]", kw ? BR_STRICT : BR_MAYBE);
}

static int32_t tuple_doc(ictx *c, const box_tuple *t, long limit)
{
    container ct = {.simple = true};
    for (uint32_t i = 0; i < t->h.size; i++) {
        if (limit == 0) {
            ct_add(c, &ct, d_str(&c->ds, "..."));
            break;
        }
        ct_add(c, &ct, to_doc(c, t->elements[i], --limit));
    }
    return container_doc(c, "{", &ct, "}", BR_FLEX);
}

/* The struct's name if the map is one iex prints as %Name{...}: its
 * :__struct__ is an Elixir alias and every other key is an atom. */
static bool struct_name(const box_map *m, tapa_term *name)
{
    tapa_term s = TAPA_NONE;
    for (uint32_t i = 0; i < m->h.size; i++) {
        if (TERM_TAG(m->kv[2 * i]) != TAG_ATOM) return false;
        if (m->kv[2 * i] == A(__struct__)) s = m->kv[2 * i + 1];
    }
    if (TERM_TAG(s) != TAG_ATOM) return false;
    size_t len;
    const char *text = atom_text(s, &len);
    if (!alias_text(text, len) || len == 6) return false;
    *name = s;
    return true;
}

static bool hidden_struct_key(tapa_term k)
{
    size_t len;
    const char *s = atom_text(k, &len);
    return k == A(__struct__) || (len == 13 && memcmp(s, "__exception__", 13) == 0);
}

static int32_t map_doc(ictx *c, const box_map *m, long limit)
{
    tapa_term name;
    bool is_struct = struct_name(m, &name);
    bool kw = true;
    for (uint32_t i = 0; i < m->h.size && kw; i++) kw = keyword_key(m->kv[2 * i]);
    container ct = {.simple = true};
    for (uint32_t i = 0; i < m->h.size; i++) {
        tapa_term k = m->kv[2 * i], v = m->kv[2 * i + 1];
        if (is_struct && hidden_struct_key(k)) continue;
        if (limit == 0) {
            ct_add(c, &ct, d_str(&c->ds, "..."));
            break;
        }
        limit--;
        if (is_struct || kw) ct_add(c, &ct, keyword_doc(c, k, v, limit));
        else {
            int32_t kd = to_doc(c, k, limit);
            ct_add(c, &ct, d_cons3(&c->ds, kd, d_str(&c->ds, " => "), to_doc(c, v, limit)));
        }
    }
    sb_putc(&c->tmp, '%');
    if (is_struct) atom_literal(&c->tmp, name);
    sb_putc(&c->tmp, '{');
    char *open = strdup(c->tmp.data);
    c->tmp.len = 0;
    int32_t d = container_doc(c, open, &ct, "}", BR_STRICT);
    free(open);
    return d;
}

/* Inspect.BitString for binaries that are not printable text. */
static int32_t bytes_doc(ictx *c, const box_binary *b, long limit)
{
    docs *ds = &c->ds;
    size_t len = b->h.size;
    char num[8];
    int32_t body;
    size_t last; /* bytes before `body` get a "," and a flex break */
    if (len > (size_t)limit) {
        body = d_str(ds, "...");
        last = (size_t)limit;
    } else {
        snprintf(num, sizeof num, "%u", b->bytes[len - 1]);
        body = d_str(ds, num);
        last = len - 1;
    }
    for (size_t i = last; i-- > 0;) {
        snprintf(num, sizeof num, "%u,", b->bytes[i]);
        body = d_glue(ds, d_str(ds, num), " ", body, true);
    }
    return d_group(ds, d_cons3(ds, d_str(ds, "<<"), d_nest(ds, body, 2), d_str(ds, ">>")));
}

static int32_t binary_doc(ictx *c, const box_binary *b, long limit)
{
    if (!printable_string(b->bytes, b->h.size)) return bytes_doc(c, b, limit);
    sb_putc(&c->tmp, '"');
    bool cut = escape_into(&c->tmp, b->bytes, b->h.size, '"', PRINTABLE_LIMIT);
    sb_puts(&c->tmp, cut ? "\" <> ..." : "\"");
    return tmp_doc(c);
}

/* A stable stand-in for the BEAM's 27-bit fun "uniq": a hash of the name. */
static uint32_t fun_uniq(const box_fun *f)
{
    size_t lm, lf;
    const char *m = atom_text(f->module, &lm), *fn = atom_text(f->function, &lf);
    uint32_t h = tapa_fnv32_mix(tapa_fnv1a32(m, lm), '.');
    h = tapa_fnv32_mix(tapa_fnv32_bytes(h, fn, lf), (uint32_t)f->arity);
    return h & 0x7ffffff;
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A small integer in external term format at p; advances *i. */
static bool etf_int(const uint8_t *p, size_t len, size_t *i, int64_t *v)
{
    if (*i + 2 <= len && p[*i] == ETF_SMALL_INTEGER_EXT) {
        *v = p[*i + 1];
        *i += 2;
        return true;
    }
    if (*i + 5 <= len && p[*i] == ETF_INTEGER_EXT) {
        *v = (int32_t)be32(p + *i + 1);
        *i += 5;
        return true;
    }
    return false;
}

/* NEW_FUN_EXT: #Function<Index.OldUniq/Arity in Module(.name)> */
static bool foreign_fun_into(strbuf *sb, const box_fun *f)
{
    if (!IS_BOX_TYPE(f->foreign, BOX_BINARY)) return false;
    const box_binary *b = (const box_binary *)BOX_OF(f->foreign);
    const uint8_t *p = b->bytes;
    size_t len = b->h.size, i = len && p[0] == ETF_VERSION ? 1 : 0;
    if (i + 30 > len || p[i] != ETF_NEW_FUN_EXT) return false;
    int arity = p[i + 5];
    uint32_t index = be32(p + i + 22);
    i += 30; /* tag, size, arity, uniq[16], index, numfree */
    size_t alen = 0;
    if (i + 3 <= len && (p[i] == ETF_ATOM_UTF8_EXT || p[i] == ETF_ATOM_EXT))
        alen = 3 + ((size_t)p[i + 1] << 8 | p[i + 2]);
    else if (i + 2 <= len && (p[i] == ETF_SMALL_ATOM_UTF8_EXT || p[i] == ETF_SMALL_ATOM_EXT))
        alen = 2 + p[i + 1];
    else return false;
    i += alen;
    int64_t old_index, old_uniq;
    if (!etf_int(p, len, &i, &old_index) || !etf_int(p, len, &i, &old_uniq)) return false;
    sb_printf(sb, "#Function<%u.%lld/%d in ", index, (long long)old_uniq, arity);
    atom_literal(sb, f->module);
    if (TERM_TAG(f->function) == TAG_ATOM && f->function != A(nil)) {
        sb_putc(sb, '.');
        atom_remote_call(sb, f->function);
    }
    sb_putc(sb, '>');
    return true;
}

/* Funs made in C are named Module.function/arity. With nothing captured
 * they print like an Elixir external fun, &TapaMessages.add_42/1; with
 * captured terms like an Elixir closure, #Function<I.U/1 in
 * TapaMessages.add_42>, where I is the export's registration order and
 * U a hash of its name (both stable from run to run). */
static void fun_into(strbuf *sb, const box_fun *f)
{
    if (f->kind == FUN_FOREIGN && foreign_fun_into(sb, f)) return;
    if (f->h.size == 0) { /* also a foreign `fun M:F/A` (EXPORT_EXT) */
        sb_putc(sb, '&');
        atom_literal(sb, f->module);
        sb_putc(sb, '.');
        atom_remote_call(sb, f->function);
        sb_printf(sb, "/%d", f->arity);
        return;
    }
    int index = export_index(f->module, f->function, f->arity);
    sb_printf(sb, "#Function<%d.%u/%d in ", index < 0 ? 0 : index, fun_uniq(f), f->arity);
    atom_literal(sb, f->module);
    sb_putc(sb, '.');
    atom_remote_call(sb, f->function);
    sb_putc(sb, '>');
}

static void leaf_into(strbuf *sb, tapa_term t)
{
    switch (TERM_TAG(t)) {
    case TAG_SMALL:
        sb_printf(sb, "%lld", (long long)SMALL_VALUE(t));
        return;
    case TAG_ATOM:
        atom_literal(sb, t);
        return;
    case TAG_PID:
        sb_printf(sb, "#PID<%u.%u.%u>", node_at(PID_NODE(t))->channel, PID_ID(t), PID_SERIAL(t));
        return;
    default:
        break;
    }
    const tapa_box *b = BOX_OF(t);
    switch (b->type) {
    case BOX_FLOAT:
        float_into(sb, ((const box_float *)b)->value);
        break;
    case BOX_BIGINT:
        bigint_into(sb, (const box_bigint *)b);
        break;
    case BOX_REF: {
        const box_ref *r = (const box_ref *)b;
        sb_printf(sb, "#Reference<%u", node_at(r->node)->channel);
        for (uint32_t i = r->h.size; i-- > 0;) sb_printf(sb, ".%u", r->words[i]);
        sb_putc(sb, '>');
        break;
    }
    case BOX_PORT: {
        const box_port *p = (const box_port *)b;
        sb_printf(sb, "#Port<%u.%llu>", node_at(p->node)->channel, (unsigned long long)p->id);
        break;
    }
    case BOX_FUN:
        fun_into(sb, (const box_fun *)b);
        break;
    default:
        sb_puts(sb, "#Unknown<>");
        break;
    }
}

static int32_t to_doc(ictx *c, tapa_term t, long limit)
{
    if (t == TAPA_NONE) return d_str(&c->ds, "#None<>"); /* a bug, shown rather than crashed */
    if (t == TERM_NIL) return d_str(&c->ds, "[]");
    if (IS_BOXED(t)) {
        const tapa_box *b = BOX_OF(t);
        switch (b->type) {
        case BOX_CONS:
            return list_doc(c, t, limit);
        case BOX_TUPLE:
            return tuple_doc(c, (const box_tuple *)b, limit);
        case BOX_MAP:
            return map_doc(c, (const box_map *)b, limit);
        case BOX_BINARY:
            return binary_doc(c, (const box_binary *)b, limit);
        default:
            break;
        }
    }
    leaf_into(&c->tmp, t);
    return tmp_doc(c);
}

/* ------------------------------------------------------ entry points -- */

void inspect_into_width(strbuf *sb, tapa_term t, int width)
{
    ictx c;
    docs_init(&c.ds);
    memset(&c.tmp, 0, sizeof c.tmp);
    int32_t root = d_group(&c.ds, to_doc(&c, t, INSPECT_LIMIT));
    sb_reserve(sb, 0); /* the result is a string even when empty */
    format_doc(&c.ds, root, width, sb);
    docs_free(&c.ds);
    sb_free(&c.tmp);
}

void inspect_into(strbuf *sb, tapa_term t)
{
    inspect_into_width(sb, t, -1);
}

size_t tapa_inspect_to(char *buf, size_t size, tapa_term t)
{
    TERM_ARG(t, "tapa_inspect_to", 3);
    strbuf sb = {0};
    inspect_into(&sb, t);
    if (size) {
        size_t n = sb.len < size - 1 ? sb.len : size - 1;
        memcpy(buf, sb.data, n);
        buf[n] = '\0';
    }
    size_t len = sb.len;
    sb_free(&sb);
    return len;
}

const char *term_shown(tapa_term t)
{
    static char text[200];
    if (tapa_inspect_to(text, sizeof text, t) >= sizeof text)
        memcpy(text + sizeof text - 4, "...", 4);
    return text;
}

char *tapa_inspect_alloc(tapa_term t)
{
    TERM_ARG(t, "tapa_inspect_alloc", 1);
    strbuf sb = {0};
    inspect_into(&sb, t);
    return sb.data;
}

void tapa_fprint_term(FILE *out, tapa_term t)
{
    TERM_ARG(t, "tapa_fprint_term", 2);
    strbuf sb = {0};
    inspect_into_width(&sb, t, INSPECT_WIDTH);
    fwrite(sb.data, 1, sb.len, out);
    sb_free(&sb);
}

bool (*term_stdout_route)(const char *data, size_t len);

tapa_term tapa_inspect(tapa_term t, const char *label)
{
    TERM_ARG(t, "tapa_inspect", 1);
    strbuf sb = {0};
    if (label) sb_printf(&sb, "%s: ", label);
    inspect_into_width(&sb, t, INSPECT_WIDTH);
    sb_putc(&sb, '\n');
    if (term_stdout_route && term_stdout_route(sb.data, sb.len)) {
        sb_free(&sb);
        return t;
    }
    fwrite(sb.data, 1, sb.len, stdout);
    fflush(stdout);
    sb_free(&sb);
    return t;
}

/* ------------------------------------------------------------ printf -- */

/* Formats one conversion spec (without %T) with its argument. */
static void format_spec(strbuf *sb, const char *spec, size_t speclen, va_list *ap)
{
    char f[32];
    if (speclen >= sizeof f) speclen = sizeof f - 1;
    memcpy(f, spec, speclen);
    f[speclen] = '\0';
    char conv = f[speclen - 1];
    const char *len = f + strcspn(f + 1, "hlzjtL") + 1;
    bool ll = strncmp(len, "ll", 2) == 0, l = !ll && *len == 'l', z = *len == 'z';
    bool j = *len == 'j', t = *len == 't';
    switch (conv) {
    case 'd':
    case 'i':
        if (ll) sb_printf(sb, f, va_arg(*ap, long long));
        else if (l) sb_printf(sb, f, va_arg(*ap, long));
        else if (z) sb_printf(sb, f, va_arg(*ap, ssize_t));
        else if (j) sb_printf(sb, f, va_arg(*ap, intmax_t));
        else if (t) sb_printf(sb, f, va_arg(*ap, ptrdiff_t));
        else sb_printf(sb, f, va_arg(*ap, int));
        break;
    case 'u':
    case 'x':
    case 'X':
    case 'o':
        if (ll) sb_printf(sb, f, va_arg(*ap, unsigned long long));
        else if (l) sb_printf(sb, f, va_arg(*ap, unsigned long));
        else if (z) sb_printf(sb, f, va_arg(*ap, size_t));
        else if (j) sb_printf(sb, f, va_arg(*ap, uintmax_t));
        else if (t) sb_printf(sb, f, va_arg(*ap, ptrdiff_t));
        else sb_printf(sb, f, va_arg(*ap, unsigned));
        break;
    case 'f':
    case 'F':
    case 'g':
    case 'G':
    case 'e':
    case 'E':
    case 'a':
    case 'A':
        sb_printf(sb, f, va_arg(*ap, double));
        break;
    case 'c':
        sb_printf(sb, f, va_arg(*ap, int));
        break;
    case 's':
        sb_printf(sb, f, va_arg(*ap, const char *));
        break;
    case 'p':
        sb_printf(sb, f, va_arg(*ap, void *));
        break;
    default:
        sb_putn(sb, spec, speclen);
        break; /* unknown: shown as written */
    }
}

void term_vformat(strbuf *sb, const char *who, const char *fmt, va_list *ap)
{
    size_t nterms = 0;
    for (const char *p = fmt; *p;) {
        if (*p != '%') {
            size_t n = strcspn(p, "%");
            sb_putn(sb, p, n);
            p += n;
            continue;
        }
        if (p[1] == '%') {
            sb_putc(sb, '%');
            p += 2;
            continue;
        }
        if (p[1] == 'p' && p[2] == 'T') {
            /* "Received: %pT" is IO.puts("Received: #{inspect(msg)}"), and
             * inspect/1 never breaks lines (pretty: false): one line, as
             * long as it takes. IO.inspect (tapa_inspect) breaks at 80.
             * (The compiler checks %pT as %p: the argument is a pointer.) */
            tapa_term t = va_arg(*ap, tapa_term);
            nterms++;
            if (t == TAPA_NONE) {
                sb_free(sb);
                term_none_fail(who, "%pT argument", nterms);
            }
            inspect_into_width(sb, t, -1);
            p += 3;
            continue;
        }
        if (p[1] == 'T') {
            /* the old %T, from code built without format checks: take its
             * argument (so the rest stay in line) and say what to write */
            (void)va_arg(*ap, tapa_term);
            sb_puts(sb, "[%"
                        "T is not a conversion: write %pT to print a term]");
            p += 2;
            continue;
        }
        /* flags, width, precision, length, conversion ('*' unsupported) */
        size_t n = 1 + strspn(p + 1, "-+ #0123456789.hlzjtL");
        if (!p[n]) {
            sb_puts(sb, p);
            break;
        }
        format_spec(sb, p, n + 1, ap);
        p += n + 1;
    }
}

int tapa_vfprintf(FILE *out, const char *fmt, va_list ap)
{
    strbuf sb = {0};
    va_list copy;
    va_copy(copy, ap);
    term_vformat(&sb, "tapa_printf", fmt, &copy);
    va_end(copy);
    size_t n = sb.len;
    if (!(out == stdout && n && term_stdout_route && term_stdout_route(sb.data, n)))
        n = sb.len ? fwrite(sb.data, 1, sb.len, out) : 0;
    sb_free(&sb);
    return (int)n;
}

int tapa_fprintf(FILE *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = tapa_vfprintf(out, fmt, ap);
    va_end(ap);
    return n;
}

int tapa_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = tapa_vfprintf(stdout, fmt, ap);
    va_end(ap);
    return n;
}
