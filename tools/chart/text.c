/* text.c — strings, buffers and errors for tapa-chart. */
#include "chart.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void chart_die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("tapa-chart: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

void *chart_realloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p) chart_die("out of memory");
    return p;
}

char *chart_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = chart_realloc(NULL, n);
    memcpy(d, s, n);
    return d;
}

bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

void sb_add(sbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->s = chart_realloc(b->s, b->cap);
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = 0;
}

void sb_str(sbuf *b, const char *s)
{
    sb_add(b, s, strlen(s));
}

void sb_fmt(sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    char *tmp = chart_realloc(NULL, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(tmp, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb_add(b, tmp, (size_t)n);
    free(tmp);
}

void sb_text(sbuf *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '&':
            sb_str(b, "&amp;");
            break;
        case '<':
            sb_str(b, "&lt;");
            break;
        case '>':
            sb_str(b, "&gt;");
            break;
        case '"':
            sb_str(b, "&quot;");
            break;
        default:
            if (*p < 0x20) sb_add(b, " ", 1);
            else sb_add(b, (const char *)p, 1);
        }
    }
}

size_t text_chars(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p & 0xC0) != 0x80) n++;
    return n;
}

char *atom_text(const char *s)
{
    if (*s == ':') s++;
    char *d = chart_strdup(s);
    size_t n = strlen(d);
    if (n >= 2 && d[0] == '"' && d[n - 1] == '"') {
        memmove(d, d + 1, n - 2);
        d[n - 2] = 0;
    }
    return d;
}

/* the byte offset of character number `chars` in s */
static size_t byte_at(const char *s, size_t chars)
{
    size_t i = 0, n = 0;
    for (; s[i]; i++) {
        if (((unsigned char)s[i] & 0xC0) != 0x80) {
            if (n == chars) return i;
            n++;
        }
    }
    return i;
}

wrapped wrap_text(const char *s, size_t width)
{
    wrapped w = {0};
    size_t cap = 0;
    if (width < 8) width = 8;
    while (*s) {
        size_t len = strlen(s);
        size_t cut = len;
        if (text_chars(s) > width) {
            size_t limit = byte_at(s, width); /* the first byte that does not fit */
            cut = 0;
            /* the last ", " or " " that leaves a line within the width */
            for (size_t i = limit; i > 0 && !cut; i--)
                if (s[i - 1] == ' ' && i > 1) cut = i;
            /* one long word (a reference, a long atom): after a dot or an
             * opening bracket, where a reader sees a seam; else anywhere */
            for (size_t i = limit; i > 1 && !cut; i--)
                if (s[i - 1] == '.' || s[i - 1] == '<' || s[i - 1] == '{') cut = i;
            if (!cut) cut = limit;
        }
        char *line = chart_realloc(NULL, cut + 1);
        memcpy(line, s, cut);
        line[cut] = 0;
        while (cut > 0 && line[cut - 1] == ' ') line[--cut] = 0;
        PUSH(w.lines, w.n, cap, line);
        s += strlen(line);
        while (*s == ' ') s++;
    }
    if (w.n == 0) PUSH(w.lines, w.n, cap, chart_strdup(""));
    return w;
}

void wrapped_free(wrapped *w)
{
    for (size_t i = 0; i < w->n; i++) free(w->lines[i]);
    free(w->lines);
    w->lines = NULL;
    w->n = 0;
}
