/* util.c — small things tapa-grade needs: growing strings, files, paths,
 * escaping for JSON, XML and YAML; see util.h. */
#include "util.h"

#include "support/utf8.h"

#include <ctype.h>
#include <limits.h>

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "tapa-grade: out of memory\n");
        exit(3);
    }
    return p;
}

char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(xmalloc(n), s, n);
}

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

void sb_add(sbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1) cap *= 2;
        char *ns = realloc(b->s, cap);
        if (!ns) exit(3);
        b->s = ns;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = 0;
}

void sb_fmt(sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *tmp = xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(tmp, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb_add(b, tmp, (size_t)n);
    free(tmp);
}

char *sb_take(sbuf *b)
{
    char *s = b->s ? b->s : xstrdup("");
    b->s = NULL;
    b->len = b->cap = 0;
    return s;
}

char *grade_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    sbuf b = {0};
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) sb_add(&b, buf, n);
    fclose(f);
    if (len) *len = b.len;
    return sb_take(&b);
}

bool grade_write_file(const char *path, const char *data, size_t len)
{
    char *tmp = xasprintf("%s.tmp%d", path, (int)getpid());
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        free(tmp);
        return false;
    }
    bool ok = fwrite(data, 1, len, f) == len;
    ok = fclose(f) == 0 && ok;
    if (ok) ok = rename(tmp, path) == 0;
    else unlink(tmp);
    free(tmp);
    return ok;
}

bool grade_file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

void grade_mkdir_p(const char *path)
{
    char *p = xstrdup(path);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/') continue;
        *s = 0;
        mkdir(p, 0777);
        *s = '/';
    }
    mkdir(p, 0777);
    free(p);
}

char *grade_abs_path(const char *path)
{
    if (path[0] == '/') return xstrdup(path);
    char cwd[4096];
    if (!getcwd(cwd, sizeof cwd)) return xstrdup(path);
    if (strcmp(path, ".") == 0) return xstrdup(cwd);
    return xasprintf("%s/%s", cwd, path);
}

void sb_json(sbuf *b, const char *s)
{
    sb_chr(b, '"');
    size_t len = strlen(s);
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)s[i];
        uint32_t cp;
        size_t n = tapa_utf8_decode((const uint8_t *)s + i, len - i, &cp);
        if (n == 0) {
            sb_str(b, "\\ufffd");
            i++;
            continue;
        }
        if (c == '"') sb_str(b, "\\\"");
        else if (c == '\\') sb_str(b, "\\\\");
        else if (c == '\n') sb_str(b, "\\n");
        else if (c == '\t') sb_str(b, "\\t");
        else if (c == '\r') sb_str(b, "\\r");
        else if (c < 0x20 || c == 0x7f) sb_fmt(b, "\\u%04x", c);
        else sb_add(b, s + i, n);
        i += n;
    }
    sb_chr(b, '"');
}

void sb_xml(sbuf *b, const char *s)
{
    size_t len = strlen(s);
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)s[i];
        uint32_t cp;
        size_t n = tapa_utf8_decode((const uint8_t *)s + i, len - i, &cp);
        if (n == 0) {
            sb_str(b, "\xef\xbf\xbd");
            i++;
            continue;
        }
        if (c == '<') sb_str(b, "&lt;");
        else if (c == '>') sb_str(b, "&gt;");
        else if (c == '&') sb_str(b, "&amp;");
        else if (c == '"') sb_str(b, "&quot;");
        else if (c < 0x20 && c != '\n' && c != '\t') sb_str(b, "?"); /* not allowed in XML 1.0 */
        else sb_add(b, s + i, n);
        i += n;
    }
}

void sb_yaml_block(sbuf *b, const char *s, int indent)
{
    const char *p = s;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        for (int i = 0; i < indent; i++) sb_chr(b, ' ');
        for (size_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)p[i];
            sb_chr(b, c < 0x20 && c != '\t' ? '?' : (char)c);
        }
        sb_chr(b, '\n');
        p += n + (nl ? 1 : 0);
    }
}

const char *grade_tail_of(const char *s, size_t max)
{
    size_t len = strlen(s);
    if (len <= max) return s;
    const char *t = s + len - max;
    const char *nl = strchr(t, '\n');
    return nl && nl[1] ? nl + 1 : t;
}

char *grade_trim(char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n') s++;
    char *e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n')) *--e = 0;
    return s;
}

lines grade_split_lines(const char *text)
{
    lines l = {0};
    l.buf = xstrdup(text ? text : "");
    int cap = 16;
    l.v = xmalloc(sizeof(char *) * (size_t)cap);
    for (char *p = l.buf; *p;) {
        char *nl = strchr(p, '\n');
        if (nl) *nl = 0;
        size_t n = strlen(p);
        while (n && (p[n - 1] == '\r' || p[n - 1] == ' ')) p[--n] = 0;
        if (l.n == cap) {
            cap *= 2;
            l.v = realloc(l.v, sizeof(char *) * (size_t)cap);
        }
        l.v[l.n++] = p;
        if (!nl) break;
        p = nl + 1;
    }
    return l;
}

void grade_free_lines(lines *l)
{
    free(l->v);
    free(l->buf);
}
