/* tapa-chart — draws an SVG sequence chart from libtapa event traces.
 *
 *   TAPA_TRACE=run.trace TAPA_FAST=1 ./program
 *   build/bin/tapa-chart -o run.svg [-t TITLE] [-l PID=LABEL]... run.trace [node2.trace...]
 *
 * A trace is one event per line, tab-separated: usec kind pid-a pid-b term
 * (runtime/trace/trace.c). Processes become columns, grouped by node when
 * more than one node appears; each event becomes a row, top to bottom:
 *   spawn          thin arrow to the new column, whose lifeline starts there
 *   send/receive   solid arrow labelled with the term, from the sender at the
 *                  send to the receiver at the receive (slanted when other
 *                  events came between); a message never received ends in an
 *                  envelope ("stays in the mailbox")
 *   link/unlink    double line between the two columns
 *   exit_signal    dashed red arrow labelled with the reason
 *   trap           a diamond: trap_exit turned the signal into {:EXIT, ...}
 *   monitor/down   dotted arrows; the DOWN message's receive ends the arrow
 *   exit           the lifeline ends with a cross and the reason
 *   register       a tag with the name on the lifeline
 *   nodeup/down    a band across the node's columns
 * Several traces (one per node of a distributed run) are merged: pids are
 * made global with the channel numbers of the nodeup events, and the clocks
 * aligned on the moment the nodes met. No dependencies beyond libc.
 */
#define _POSIX_C_SOURCE 200809L /* getline */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------- helpers -- */

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("tapa-chart: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p) die("out of memory");
    return p;
}

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = xrealloc(NULL, n);
    memcpy(d, s, n);
    return d;
}

#define PUSH(arr, n, cap, item)                                                    \
    do {                                                                           \
        if ((n) == (cap)) {                                                        \
            (cap) = (cap) ? 2 * (cap) : 16;                                        \
            (arr) = xrealloc((arr), (cap) * sizeof *(arr));                        \
        }                                                                          \
        (arr)[(n)++] = (item);                                                     \
    } while (0)

/* a growable string */
typedef struct sbuf {
    char *s;
    size_t len, cap;
} sbuf;

static void sb_add(sbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->s = xrealloc(b->s, b->cap);
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = 0;
}

static void sb_str(sbuf *b, const char *s) { sb_add(b, s, strlen(s)); }

static void sb_fmt(sbuf *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n < sizeof tmp) {
        sb_add(b, tmp, (size_t)n);
        return;
    }
    char *big = xrealloc(NULL, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb_add(b, big, (size_t)n);
    free(big);
}

/* XML-escaped text, cut to at most max characters (UTF-8 aware) with "…". */
static void sb_text(sbuf *b, const char *s, size_t max)
{
    size_t chars = 0, total = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p & 0xC0) != 0x80) total++;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p & 0xC0) != 0x80) {
            if (total > max && chars + 1 >= max) {
                sb_str(b, "\xe2\x80\xa6");
                return;
            }
            chars++;
        }
        switch (*p) {
        case '&': sb_str(b, "&amp;"); break;
        case '<': sb_str(b, "&lt;"); break;
        case '>': sb_str(b, "&gt;"); break;
        case '"': sb_str(b, "&quot;"); break;
        default:
            if (*p < 0x20) sb_add(b, " ", 1);
            else sb_add(b, (const char *)p, 1);
        }
    }
}

/* an atom as printed (:foo, :"n1@127.0.0.1") without the colon and quotes */
static char *atom_text(const char *s)
{
    if (*s == ':') s++;
    char *d = xstrdup(s);
    size_t n = strlen(d);
    if (n >= 2 && d[0] == '"' && d[n - 1] == '"') {
        memmove(d, d + 1, n - 2);
        d[n - 2] = 0;
    }
    return d;
}

/* ------------------------------------------------------------- traces --- */

enum kind {
    K_SPAWN, K_SEND, K_RECEIVE, K_LINK, K_UNLINK, K_EXIT_SIGNAL, K_TRAP, K_MONITOR,
    K_DOWN, K_REGISTER, K_UNREGISTER, K_EXIT, K_NODEUP, K_NODEDOWN, K_NKINDS
};
static const char *const kind_names[K_NKINDS] = {
    "spawn", "send", "receive", "link", "unlink", "exit_signal", "trap", "monitor",
    "down", "register", "unregister", "exit", "nodeup", "nodedown",
};

typedef struct channel {
    unsigned number;
    char *node;
} channel;

typedef struct tfile {
    const char *path;
    char *node; /* this node's name, "" when it never connected */
    channel *chans;
    size_t nchans, chans_cap;
    bool aligned;
    long long offset; /* added to its times */
} tfile;

typedef struct event {
    long long t;
    int kind;
    int file;
    size_t seq; /* line order, to keep same-time events in order */
    char *a, *b, *term; /* raw fields; "-" for none */
    int pa, pb; /* process (column) indexes, -1 when not a process */
    char *canon; /* the term with pids made global (for matching) */
    int match; /* send->receive, trap->receive, down->receive pairing */
    bool matched_to; /* a receive someone matched */
    int row;
    bool hidden;
} event;

typedef struct proc {
    char *node; /* "" for a single, undistributed run */
    unsigned num, serial;
    char *key; /* node|num.serial */
    char *pidtext; /* as printed on its own node */
    char *label; /* from -l, or the registered name */
    char *regname;
    int group; /* node index */
    int col;
    int birth_row, death_row; /* -1: before the chart / still alive */
    char *death_reason;
    bool seen;
} proc;

static tfile *files;
static size_t nfiles;
static event *evs;
static size_t nevs, evs_cap;
static proc *procs;
static size_t nprocs, procs_cap;
static char **nodes;
static size_t nnodes, nodes_cap;

typedef struct labelopt {
    char *key, *label;
} labelopt;
static labelopt *labels;
static size_t nlabels, labels_cap;

static int node_index(const char *node)
{
    for (size_t i = 0; i < nnodes; i++)
        if (strcmp(nodes[i], node) == 0) return (int)i;
    PUSH(nodes, nnodes, nodes_cap, xstrdup(node));
    return (int)nnodes - 1;
}

static const char *channel_node(const tfile *f, unsigned ch)
{
    if (ch == 0) return f->node;
    for (size_t i = 0; i < f->nchans; i++)
        if (f->chans[i].number == ch) return f->chans[i].node;
    return NULL;
}

/* Parse "#PID<a.b.c>" at s; returns the length consumed or 0. */
static size_t parse_pid(const char *s, unsigned *a, unsigned *b, unsigned *c)
{
    int n = 0;
    if (strncmp(s, "#PID<", 5) != 0) return 0;
    if (sscanf(s, "#PID<%u.%u.%u>%n", a, b, c, &n) != 3 || n == 0) return 0;
    return (size_t)n;
}

static char *global_node(const tfile *f, unsigned ch)
{
    const char *n = channel_node(f, ch);
    if (n) return xstrdup(n);
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%s?channel %u", f->node, ch);
    return xstrdup(tmp);
}

static int proc_find_or_add(const char *node, unsigned num, unsigned serial, const char *pidtext)
{
    char key[512];
    snprintf(key, sizeof key, "%s|%u.%u", node, num, serial);
    for (size_t i = 0; i < nprocs; i++)
        if (strcmp(procs[i].key, key) == 0) {
            if (pidtext && !procs[i].pidtext) procs[i].pidtext = xstrdup(pidtext);
            return (int)i;
        }
    proc p = {0};
    p.node = xstrdup(node);
    p.num = num;
    p.serial = serial;
    p.key = xstrdup(key);
    p.pidtext = pidtext ? xstrdup(pidtext) : NULL;
    p.birth_row = p.death_row = -1;
    p.group = node_index(node);
    PUSH(procs, nprocs, procs_cap, p);
    return (int)nprocs - 1;
}

/* The process a field names in file f, or -1 (not a pid). */
static int field_proc(int fi, const char *field)
{
    unsigned a, b, c;
    if (!parse_pid(field, &a, &b, &c)) return -1;
    char *node = global_node(&files[fi], a);
    char local[64];
    snprintf(local, sizeof local, "#PID<0.%u.%u>", b, c);
    int p = proc_find_or_add(node, b, c, a == 0 ? local : NULL);
    free(node);
    return p;
}

static bool starts_with(const char *s, const char *p);

/* The term with every pid written as #PID<node|n.s>, for matching. */
static char *canon_term(int fi, const char *t)
{
    sbuf b = {0};
    sb_str(&b, "");
    for (const char *p = t; *p;) {
        unsigned x, y, z;
        size_t n = parse_pid(p, &x, &y, &z);
        if (n) {
            char *node = global_node(&files[fi], x);
            sb_fmt(&b, "#PID<%s|%u.%u>", node, y, z);
            free(node);
            p += n;
        } else if (starts_with(p, "#Function<") && isdigit((unsigned char)p[10])) {
            /* #Function<3.70191107/1 in M.f>: the first number is the fun's
             * index on the node that prints it, not the same on both sides */
            const char *q = p + 10;
            while (isdigit((unsigned char)*q)) q++;
            sb_str(&b, "#Function<");
            p = *q == '.' ? q + 1 : p + 10;
        } else {
            sb_add(&b, p, 1);
            p++;
        }
    }
    return b.s;
}

static char *split_field(char **line)
{
    char *s = *line;
    if (!s) return xstrdup("-");
    char *tab = strchr(s, '\t');
    if (tab) {
        *tab = 0;
        *line = tab + 1;
    } else {
        *line = NULL;
    }
    return xstrdup(s);
}

static void read_trace(int fi)
{
    tfile *f = &files[fi];
    FILE *in = fopen(f->path, "r");
    if (!in) die("cannot read %s: %s", f->path, strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    size_t lineno = 0, first = nevs;
    while ((len = getline(&line, &cap, in)) >= 0) {
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = 0;
        if (len == 0) continue;
        char *rest = line;
        char *ts = split_field(&rest), *ks = split_field(&rest);
        event e = {0};
        e.kind = -1;
        for (int k = 0; k < K_NKINDS; k++)
            if (strcmp(ks, kind_names[k]) == 0) e.kind = k;
        char *end = NULL;
        e.t = strtoll(ts, &end, 10);
        if (e.kind < 0 || !end || *end) {
            fprintf(stderr, "tapa-chart: %s:%zu: not a trace event, skipped\n", f->path, lineno);
            free(ts), free(ks);
            continue;
        }
        free(ts), free(ks);
        e.a = split_field(&rest);
        e.b = split_field(&rest);
        e.term = rest ? xstrdup(rest) : xstrdup("-");
        e.file = fi;
        e.seq = lineno;
        e.match = -1;
        e.row = -1;
        PUSH(evs, nevs, evs_cap, e);
    }
    free(line);
    fclose(in);
    /* this node's name and its channels come from the nodeup events */
    f->node = xstrdup("");
    for (size_t i = first; i < nevs; i++) {
        event *e = &evs[i];
        if (e->kind != K_NODEUP) continue;
        if (!*f->node) {
            free(f->node);
            f->node = atom_text(e->a);
        }
        channel c = {(unsigned)strtoul(e->term, NULL, 10), atom_text(e->b)};
        PUSH(f->chans, f->nchans, f->chans_cap, c);
    }
}

/* Clocks: a file whose node met an aligned file's node is shifted so that
 * the two nodeup events coincide. */
static void align_files(void)
{
    if (nfiles == 0) return;
    files[0].aligned = true;
    for (bool progress = true; progress;) {
        progress = false;
        for (size_t fi = 0; fi < nfiles; fi++) {
            if (files[fi].aligned || !*files[fi].node) continue;
            for (size_t gi = 0; gi < nfiles && !files[fi].aligned; gi++) {
                if (!files[gi].aligned || !*files[gi].node) continue;
                long long tf = -1, tg = -1;
                for (size_t i = 0; i < nevs; i++) {
                    event *e = &evs[i];
                    if (e->kind != K_NODEUP) continue;
                    char *peer = atom_text(e->b);
                    if (e->file == (int)fi && tf < 0 && strcmp(peer, files[gi].node) == 0) tf = e->t;
                    if (e->file == (int)gi && tg < 0 && strcmp(peer, files[fi].node) == 0) tg = e->t;
                    free(peer);
                }
                if (tf >= 0 && tg >= 0) {
                    files[fi].offset = tg + files[gi].offset - tf;
                    files[fi].aligned = progress = true;
                }
            }
        }
    }
    for (size_t i = 0; i < nevs; i++) evs[i].t += files[evs[i].file].offset;
    long long t0 = 0;
    for (size_t i = 0; i < nevs; i++)
        if (evs[i].t < t0) t0 = evs[i].t;
    for (size_t i = 0; i < nevs; i++) evs[i].t -= t0;
}

static int cmp_event(const void *x, const void *y)
{
    const event *a = x, *b = y;
    if (a->t != b->t) return a->t < b->t ? -1 : 1;
    if (a->file != b->file) return a->file - b->file;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* ------------------------------------------------------------ matching -- */

static bool starts_with(const char *s, const char *p) { return strncmp(s, p, strlen(p)) == 0; }

/* Does receive r take the message that delivery d put in the mailbox? */
static bool delivers(const event *d, const event *r)
{
    if (r->kind != K_RECEIVE || r->matched_to || r->pa != d->pb) return false;
    if (d->kind == K_SEND) return strcmp(d->canon, r->canon) == 0;
    if (d->kind == K_TRAP) {
        /* {:EXIT, from, reason} */
        char want[4096];
        char *from = canon_term(d->file, d->a);
        snprintf(want, sizeof want, "{:EXIT, %s, %s}", from, d->canon);
        free(from);
        return strcmp(r->canon, want) == 0;
    }
    if (d->kind == K_DOWN) {
        /* {:DOWN, ref, :process, pid, reason}: match the end */
        char tail[4096];
        char *who = canon_term(d->file, d->a);
        snprintf(tail, sizeof tail, ", :process, %s, %s}", who, d->canon);
        free(who);
        size_t lr = strlen(r->canon), lt = strlen(tail);
        return starts_with(r->canon, "{:DOWN, ") && lr > lt && strcmp(r->canon + lr - lt, tail) == 0;
    }
    return false;
}

static void move_event(size_t from, size_t to)
{
    event e = evs[from];
    if (from < to) memmove(&evs[from], &evs[from + 1], (to - from) * sizeof e);
    else memmove(&evs[to + 1], &evs[to], (from - to) * sizeof e);
    evs[to] = e;
}

static bool is_delivery(const event *d)
{
    return (d->kind == K_SEND || d->kind == K_TRAP || d->kind == K_DOWN) && d->pb >= 0;
}

static void match_deliveries(void)
{
    /* First the order: clocks of two nodes are only roughly aligned, so a
     * receive on another node shortly before its send moves after it. */
    for (size_t i = 0; i < nevs; i++) {
        if (!is_delivery(&evs[i])) continue;
        size_t j;
        for (j = i + 1; j < nevs && !delivers(&evs[i], &evs[j]); j++)
            ;
        if (j < nevs) {
            evs[j].matched_to = true; /* taken, for now */
            continue;
        }
        for (j = i; j-- > 0 && evs[i].t - evs[j].t < 20000;) {
            if (evs[j].file != evs[i].file && delivers(&evs[i], &evs[j])) {
                evs[j].matched_to = true;
                move_event(j, i); /* the send is now at i - 1, its receive at i */
                i--;
                break;
            }
        }
    }
    /* Then the pairs, in the final order. */
    for (size_t i = 0; i < nevs; i++) evs[i].matched_to = false;
    for (size_t i = 0; i < nevs; i++) {
        if (!is_delivery(&evs[i])) continue;
        for (size_t j = i + 1; j < nevs; j++)
            if (delivers(&evs[i], &evs[j])) {
                evs[j].matched_to = true;
                evs[i].match = (int)j;
                break;
            }
    }
}

/* A remote registered send {name, node}: the process registered there. */
static int resolve_name_send(event *e)
{
    if (e->b[0] != '{') return -1;
    const char *comma = strstr(e->b, ", ");
    if (!comma) return -1;
    char name[256], node[256];
    snprintf(name, sizeof name, "%.*s", (int)(comma - e->b - 1), e->b + 1);
    snprintf(node, sizeof node, "%.*s", (int)(strlen(comma + 2) - 1), comma + 2);
    char *n = atom_text(node);
    int found = -1;
    for (size_t i = 0; i < nevs && found < 0; i++) {
        event *r = &evs[i];
        if (r->kind == K_REGISTER && strcmp(files[r->file].node, n) == 0 && strcmp(r->term, name) == 0)
            found = r->pa;
    }
    if (found < 0) {
        /* the other node was not traced: a column for the name itself */
        static unsigned fake = 1000000;
        found = proc_find_or_add(n, fake++, 0, NULL);
        procs[found].regname = atom_text(name);
    }
    free(n);
    return found;
}

/* ----------------------------------------------------------- drawing ---- */

#define COLW 190
#define ROWH 30
#define GUTTER 78
#define MARGIN 16
#define GROUPH 26
#define HEADH 44

static int ncols;
static bool grouped;
static int header_top, rows_top;

static int *row_top, *row_h; /* per row */
static int maxx; /* the rightmost text, to size the picture */

static int col_x(int col) { return GUTTER + col * COLW + COLW / 2; }
static int row_y(int row) { return row_top[row] + row_h[row] / 2; }

/* 12px DejaVu Sans Mono (and the usual fallbacks, 0.6em) is 7.2px a
 * character; bold is as wide. 7.5 leaves room for a wider fallback font and
 * for the white outline of the labels. */
#define CHARW 7.5

/* the characters of s (UTF-8), at most max */
static size_t text_chars(const char *s, size_t max)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p & 0xC0) != 0x80) n++;
    return n < max ? n : max;
}

/* text of `chars` characters starts at x: the picture must reach past it */
static void grow_to(int x, size_t chars)
{
    int end = x + (int)((double)chars * CHARW + 0.5) + 8;
    if (end > maxx) maxx = end;
}

static size_t fit(int x1, int x2)
{
    int w = abs(x2 - x1);
    size_t n = (size_t)(w > 0 ? w / 7 : 0);
    return n < 24 ? 24 : n;
}

static void arrow(sbuf *o, const char *cls, int x1, int y1, int x2, int y2, const char *label, size_t max)
{
    sb_fmt(o, "<line class=\"%s\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" marker-end=\"url(#head-%s)\"/>\n",
           cls, x1, y1, x2, y2, cls);
    if (label && *label) {
        int lx = (x1 + x2) / 2, ly = (y1 + y2) / 2 - 5;
        if (y1 != y2) { /* slanted: near the sender, where it is alone */
            lx = x1 + (x2 > x1 ? 10 : -10);
            ly = y1 - 5;
        }
        if (x1 == x2) lx = x1 + 8;
        if (x1 == x2 || (y1 != y2 && x2 > x1)) grow_to(lx, text_chars(label, max));
        const char *anchor = x1 == x2 ? "" : y1 == y2 ? " text-anchor=\"middle\""
                           : x2 > x1 ? "" : " text-anchor=\"end\"";
        sb_fmt(o, "<text class=\"l-%s\" x=\"%d\" y=\"%d\"%s>", cls, lx, ly, anchor);
        sb_text(o, label, max);
        sb_str(o, "</text>\n");
    }
}

static void self_arrow(sbuf *o, const char *cls, int x, int y, const char *label)
{
    sb_fmt(o, "<path class=\"%s\" d=\"M%d %d h 26 v 10 h -23\" fill=\"none\" marker-end=\"url(#head-%s)\"/>\n",
           cls, x, y - 6, cls);
    grow_to(x + 32, text_chars(label, 30));
    sb_fmt(o, "<text class=\"l-%s\" x=\"%d\" y=\"%d\">", cls, x + 32, y + 2);
    sb_text(o, label, 30);
    sb_str(o, "</text>\n");
}

static void note(sbuf *o, const char *cls, int x, int y, const char *text, size_t max)
{
    grow_to(x, text_chars(text, max));
    sb_fmt(o, "<text class=\"%s\" x=\"%d\" y=\"%d\">", cls, x, y);
    sb_text(o, text, max);
    sb_str(o, "</text>\n");
}

static const char *proc_label(const proc *p)
{
    if (p->label) return p->label;
    if (p->regname) return p->regname;
    return "";
}

static char *pid_display(const proc *p)
{
    char tmp[96];
    if (p->num >= 1000000) snprintf(tmp, sizeof tmp, "(not traced)");
    else snprintf(tmp, sizeof tmp, "#PID<0.%u.%u>", p->num, p->serial);
    return xstrdup(tmp);
}

/* "{:EXIT, #PID<0.101.0>, :some_error}" as the receiver would print it */
static char *exit_message(const event *e)
{
    sbuf b = {0};
    sb_fmt(&b, "{:EXIT, %s, %s}", e->a, e->term);
    return b.s;
}

static const char *title = "";

static void usage(FILE *out)
{
    fprintf(out,
            "usage: tapa-chart [-o OUT.svg] [-t TITLE] [-l PID=LABEL]... TRACE [TRACE...]\n"
            "  Draws an SVG sequence chart of a run from its event trace(s): write one with\n"
            "  TAPA_TRACE=run.trace ./program. Give one trace per node of a distributed run\n"
            "  to see the nodes side by side.\n"
            "  -o FILE         write the SVG there (default: standard output)\n"
            "  -t TITLE        a title above the chart\n"
            "  -l PID=LABEL    name a process's column, e.g. -l '<0.101.0>=child1'\n"
            "                  (NODE/<0.101.0>=... for one node of several)\n");
}

static void apply_labels(void)
{
    for (size_t i = 0; i < nlabels; i++) {
        const char *k = labels[i].key;
        const char *slash = strchr(k, '/');
        char node[256] = "";
        if (slash) {
            snprintf(node, sizeof node, "%.*s", (int)(slash - k), k);
            k = slash + 1;
        }
        if (starts_with(k, "#PID")) k += 4;
        unsigned a, b, c;
        if (sscanf(k, "<%u.%u.%u>", &a, &b, &c) != 3) die("-l %s: give the pid as <0.101.0>", labels[i].key);
        for (size_t p = 0; p < nprocs; p++) {
            bool node_ok = slash ? strcmp(procs[p].node, node) == 0 : (nfiles == 1 || procs[p].group == 0);
            if (node_ok && procs[p].num == b && procs[p].serial == c) {
                procs[p].label = labels[i].label;
            }
        }
    }
}

int main(int argc, char **argv)
{
    const char *out_path = NULL;
    const char **paths = NULL;
    size_t npaths = 0, paths_cap = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "-o") && i + 1 < argc) {
            out_path = argv[++i];
        } else if (!strcmp(a, "-t") && i + 1 < argc) {
            title = argv[++i];
        } else if (!strcmp(a, "-l") && i + 1 < argc) {
            char *kv = xstrdup(argv[++i]);
            char *eq = strchr(kv, '=');
            if (!eq) die("-l takes PID=LABEL");
            *eq = 0;
            labelopt l = {kv, eq + 1};
            PUSH(labels, nlabels, labels_cap, l);
        } else if (a[0] == '-' && a[1]) {
            usage(stderr);
            return 2;
        } else {
            PUSH(paths, npaths, paths_cap, a);
        }
    }
    if (npaths == 0) {
        usage(stderr);
        return 2;
    }
    files = xrealloc(NULL, npaths * sizeof *files);
    for (size_t i = 0; i < npaths; i++) {
        files[i] = (tfile){.path = paths[i]};
        nfiles++;
        read_trace((int)i);
    }
    align_files();
    qsort(evs, nevs, sizeof *evs, cmp_event);

    /* Each file's own node first, so its columns come first. */
    for (size_t i = 0; i < nfiles; i++) node_index(files[i].node);
    for (size_t i = 0; i < nevs; i++) {
        event *e = &evs[i];
        bool nodeev = e->kind == K_NODEUP || e->kind == K_NODEDOWN;
        e->pa = nodeev ? -1 : field_proc(e->file, e->a);
        e->pb = nodeev ? -1 : field_proc(e->file, e->b);
        e->canon = canon_term(e->file, e->term);
        if (nodeev) node_index(atom_text(e->b));
        if (e->kind == K_SEND && e->pb < 0) e->pb = resolve_name_send(e);
        if (e->kind == K_REGISTER && e->pa >= 0 && !procs[e->pa].regname) procs[e->pa].regname = atom_text(e->term);
    }
    match_deliveries();
    apply_labels();

    /* A trace of a distributed run knows its node; otherwise no groups. */
    grouped = false;
    for (size_t i = 0; i < nnodes; i++)
        if (*nodes[i]) grouped = true;

    /* Columns: by node, then by first appearance. */
    for (size_t g = 0; g < nnodes; g++)
        for (size_t i = 0; i < nevs; i++) {
            int ps[2] = {evs[i].pa, evs[i].pb};
            for (int k = 0; k < 2; k++)
                if (ps[k] >= 0 && procs[ps[k]].group == (int)g && !procs[ps[k]].seen) {
                    procs[ps[k]].seen = true;
                    procs[ps[k]].col = ncols++;
                }
        }
    /* nodes that only appear in nodeup/nodedown events get no column */

    /* Rows. A receive that ends a delivery shares its row when it comes
     * right after it; so do a trap and its exit signal. */
    int row = 0;
    for (size_t i = 0; i < nevs; i++) {
        event *e = &evs[i];
        if (e->kind == K_RECEIVE && e->matched_to) {
            bool joined = false;
            if (i > 0) {
                event *prev = &evs[i - 1];
                if (prev->match == (int)i && prev->row >= 0) {
                    e->row = prev->row;
                    joined = true;
                }
            }
            if (!joined) e->row = row++;
            continue;
        }
        if (e->kind == K_LINK && i > 0 && evs[i - 1].kind == K_SPAWN && evs[i - 1].pa == e->pa &&
            evs[i - 1].pb == e->pb) {
            e->row = evs[i - 1].row;
            continue;
        }
        if (e->kind == K_TRAP && i > 0 && evs[i - 1].kind == K_EXIT_SIGNAL && evs[i - 1].pa == e->pa &&
            evs[i - 1].pb == e->pb) {
            e->row = evs[i - 1].row;
            continue;
        }
        if (e->kind == K_UNREGISTER) { /* implied by the exit that follows */
            e->hidden = true;
            continue;
        }
        e->row = row++;
        if (e->kind == K_SPAWN && e->pb >= 0 && procs[e->pb].birth_row < 0) procs[e->pb].birth_row = e->row;
        if (e->kind == K_EXIT && e->pa >= 0) {
            procs[e->pa].death_row = e->row;
            procs[e->pa].death_reason = e->term;
        }
    }
    int nrows = row;
    row_top = xrealloc(NULL, (size_t)(nrows + 1) * sizeof *row_top);
    row_h = xrealloc(NULL, (size_t)(nrows + 1) * sizeof *row_h);
    for (int r = 0; r < nrows; r++) row_h[r] = ROWH;
    for (size_t i = 0; i < nevs; i++) {
        event *e = &evs[i];
        if (e->row < 0 || e->hidden) continue;
        if (e->kind == K_SPAWN && row_h[e->row] < HEADH + 8) row_h[e->row] = HEADH + 8;
        if (e->kind == K_TRAP && row_h[e->row] < ROWH + 18) row_h[e->row] = ROWH + 18;
    }

    /* ------------------------------------------------------------ SVG -- */
    int title_h = *title ? 30 : 0;
    header_top = MARGIN + title_h;
    rows_top = header_top + (grouped ? GROUPH + 6 : 0) + HEADH + 8;
    int acc = rows_top;
    for (int r = 0; r < nrows; r++) {
        row_top[r] = acc;
        acc += row_h[r];
    }
    row_top[nrows] = acc;
    int width = GUTTER + (ncols > 0 ? ncols : 1) * COLW + MARGIN;
    int legend_top = acc + 24;
    int height = legend_top + 64;
    if (width < 640) width = 640;

    sbuf o = {0};
    sb_str(&o, "<title>");
    sb_text(&o, *title ? title : "Sequence chart of a run", 400);
    sb_str(&o, "</title>\n<desc>Drawn by tapa-chart from the event trace of a real run.</desc>\n");
    sb_str(&o,
           "<style>\n"
           "text{font-family:'DejaVu Sans Mono',Menlo,Consolas,monospace;font-size:12px;fill:#1d2330}\n"
           ".title{font-family:'DejaVu Sans',Helvetica,Arial,sans-serif;font-size:15px;font-weight:bold}\n"
           ".group{fill:#eef2fb;stroke:#9aa8c7}.gname{font-weight:bold;fill:#27406e}\n"
           ".head{fill:#fff;stroke:#44506a;stroke-width:1.2}.hname{font-weight:bold}.hpid{fill:#5a6478;font-size:11px}\n"
           ".life{stroke:#8d97ab;stroke-width:1.3}.alive{stroke:#8d97ab;stroke-width:1.3;stroke-dasharray:2 4}\n"
           ".time{fill:#7a8396;font-size:10.5px}\n"
           ".msg{stroke:#1f5fbf;stroke-width:1.6}.l-msg{fill:#123f85}\n"
           ".spawn{stroke:#6b7386;stroke-width:1.1}.l-spawn{fill:#5b6376;font-style:italic}\n"
           ".sig{stroke:#c62828;stroke-width:1.6;stroke-dasharray:7 4}.l-sig{fill:#a31f1f}\n"
           ".mon{stroke:#00796b;stroke-width:1.3;stroke-dasharray:2 3}.l-mon{fill:#00695c}\n"
           ".link{stroke:#7b3fa0;stroke-width:1.3}.l-link{fill:#6a2f8c}\n"
           ".unlink{stroke:#a98bbb;stroke-width:1.1;stroke-dasharray:3 3}.l-unlink{fill:#8a6d9c}\n"
           ".death{stroke:#c62828;stroke-width:2.4}.dnormal{stroke:#55607a;stroke-width:2.4}\n"
           ".l-death{fill:#a31f1f}.l-dnormal{fill:#55607a}\n"
           ".trap{fill:#f9a825;stroke:#8d5f00}.l-trap{fill:#7a5200;font-weight:bold}\n"
           ".box{fill:#fff8e1;stroke:#c49a1a}.mbox{fill:#fff;stroke:#1f5fbf}.l-mbox{fill:#123f85;font-style:italic}\n"
           ".recv{fill:#1f5fbf}.l-recv{fill:#123f85}\n"
           ".band-up{fill:#2e7d32;opacity:.13}.band-down{fill:#c62828;opacity:.13}\n"
           ".l-up{fill:#1b5e20;font-weight:bold}.l-down{fill:#a31f1f;font-weight:bold}\n"
           ".reg{fill:#f3e5f5;stroke:#7b3fa0}.l-reg{fill:#4a148c}\n"
           "[class^=l-]{paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}\n"
           ".legend{font-size:11px;fill:#3d4558}\n"
           "</style>\n<defs>\n");
    static const char *heads[][2] = {{"msg", "#1f5fbf"}, {"spawn", "#6b7386"}, {"sig", "#c62828"},
                                     {"mon", "#00796b"}, {"link", "#7b3fa0"}, {"unlink", "#a98bbb"}};
    for (size_t i = 0; i < sizeof heads / sizeof heads[0]; i++)
        sb_fmt(&o,
               "<marker id=\"head-%s\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"8\" "
               "markerHeight=\"8\" orient=\"auto-start-reverse\"><path d=\"M0 0 L10 5 L0 10 z\" fill=\"%s\"/></marker>\n",
               heads[i][0], heads[i][1]);
    sb_str(&o, "</defs>\n<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n");
    if (*title) {
        sb_fmt(&o, "<text class=\"title\" x=\"%d\" y=\"%d\">", MARGIN, MARGIN + 16);
        sb_text(&o, title, 200);
        sb_str(&o, "</text>\n");
        /* 15px bold sans: about 9px a character on average */
        int end = MARGIN + (int)(text_chars(title, 200) * 9.0) + 8;
        if (end > maxx) maxx = end;
    }

    /* node groups */
    int y_head = header_top;
    if (grouped) {
        for (size_t g = 0; g < nnodes; g++) {
            int lo = 1 << 30, hi = -1;
            for (size_t p = 0; p < nprocs; p++)
                if (procs[p].seen && procs[p].group == (int)g) {
                    if (procs[p].col < lo) lo = procs[p].col;
                    if (procs[p].col > hi) hi = procs[p].col;
                }
            if (hi < 0) continue;
            int x = GUTTER + lo * COLW + 4, w = (hi - lo + 1) * COLW - 8;
            sb_fmt(&o, "<rect class=\"group\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"5\"/>\n", x,
                   y_head, w, legend_top - 18 - y_head);
            char gl[300];
            snprintf(gl, sizeof gl, "node %s", *nodes[g] ? nodes[g] : "(not distributed)");
            sb_fmt(&o, "<text class=\"gname\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">", x + w / 2, y_head + 17);
            sb_text(&o, gl, (size_t)w / 7);
            sb_str(&o, "</text>\n");
        }
        y_head += GROUPH + 6;
    }

    /* column heads and lifelines */
    for (size_t p = 0; p < nprocs; p++) {
        proc *pr = &procs[p];
        if (!pr->seen) continue;
        int x = col_x(pr->col);
        int top = pr->birth_row >= 0 ? row_y(pr->birth_row) - 2 : y_head + HEADH;
        int hy = pr->birth_row >= 0 ? row_y(pr->birth_row) - HEADH / 2 : y_head;
        if (pr->birth_row >= 0) top = hy + HEADH;
        int bottom = pr->death_row >= 0 ? row_y(pr->death_row) : legend_top - 24;
        if (bottom > top) sb_fmt(&o, "<line class=\"life\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n", x, top, x, bottom);
        const char *name = proc_label(pr);
        char *pid = pid_display(pr);
        int bw = COLW - 26;
        sb_fmt(&o, "<rect class=\"head\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"4\"/>\n", x - bw / 2, hy,
               bw, HEADH - 6);
        if (*name) {
            sb_fmt(&o, "<text class=\"hname\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">", x, hy + 16);
            sb_text(&o, name, 22);
            sb_str(&o, "</text>\n");
            sb_fmt(&o, "<text class=\"hpid\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">", x, hy + 31);
        } else {
            sb_fmt(&o, "<text class=\"hname\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">", x, hy + 23);
        }
        sb_text(&o, pid, 24);
        sb_str(&o, "</text>\n");
        free(pid);
        if (pr->death_row < 0)
            sb_fmt(&o, "<line class=\"alive\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n", x, bottom, x, bottom + 14);
    }

    /* events */
    long long last_t = -1;
    for (size_t i = 0; i < nevs; i++) {
        event *e = &evs[i];
        if (e->hidden || e->row < 0) continue;
        int y = row_y(e->row);
        if (e->t != last_t && !(e->kind == K_RECEIVE && e->matched_to && i > 0 && evs[i - 1].row == e->row)) {
            char ts[32];
            snprintf(ts, sizeof ts, "%.1f ms", (double)e->t / 1000.0);
            sb_fmt(&o, "<text class=\"time\" x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n", GUTTER - 10, y + 4,
                   ts);
            last_t = e->t;
        }
        int xa = e->pa >= 0 ? col_x(procs[e->pa].col) : 0;
        int xb = e->pb >= 0 ? col_x(procs[e->pb].col) : 0;
        switch (e->kind) {
        case K_SPAWN: {
            bool linked = i + 1 < nevs && evs[i + 1].kind == K_LINK && evs[i + 1].pa == e->pa && evs[i + 1].pb == e->pb;
            if (e->pb >= 0 && e->pa >= 0) {
                int dir = xb > xa ? 1 : -1;
                arrow(&o, linked ? "link" : "spawn", xa, y, xb - dir * (COLW - 26) / 2, y,
                      linked ? "spawn_link" : "spawn", fit(xa, xb));
            }
            break;
        }
        case K_LINK:
            if (i > 0 && evs[i - 1].row == e->row) break; /* drawn with its spawn */
            /* fall through */
        case K_UNLINK: {
            const char *cls = e->kind == K_LINK ? "link" : "unlink";
            if (e->pa < 0 || e->pb < 0) break;
            sb_fmt(&o, "<line class=\"%s\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n", cls, xa, y - 2, xb, y - 2);
            sb_fmt(&o, "<line class=\"%s\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n", cls, xa, y + 2, xb, y + 2);
            sb_fmt(&o, "<text class=\"l-%s\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", cls,
                   (xa + xb) / 2, y - 7, e->kind == K_LINK ? "link" : "unlink");
            break;
        }
        case K_SEND:
        case K_DOWN:
        case K_TRAP: {
            if (e->kind == K_TRAP) {
                /* the diamond where the signal became a message */
                sb_fmt(&o, "<path class=\"trap\" d=\"M%d %d l7 7 l-7 7 l-7 -7 z\"/>\n", xb, y - 7);
                char *msg = exit_message(e);
                sbuf lab = {0};
                sb_fmt(&lab, "trap_exit: now a message %s", msg);
                note(&o, "l-trap", xb + 12, y + 17, lab.s, 60);
                free(lab.s);
                free(msg);
                if (e->match >= 0) {
                    int yr = row_y(evs[e->match].row);
                    if (evs[e->match].row != e->row) {
                        sb_fmt(&o, "<circle class=\"recv\" cx=\"%d\" cy=\"%d\" r=\"3.5\"/>\n", xb, yr);
                        note(&o, "l-recv", xb + 8, yr + 4, "receives it", 40);
                    }
                }
                break;
            }
            const char *cls = e->kind == K_SEND ? "msg" : "mon";
            char *label;
            if (e->kind == K_DOWN) {
                sbuf lab = {0};
                sb_fmt(&lab, "DOWN %s", e->term);
                label = lab.s;
            } else {
                label = xstrdup(e->term);
            }
            if (e->pb < 0) break;
            if (e->match >= 0) {
                int yr = row_y(evs[e->match].row);
                if (e->pa == e->pb) self_arrow(&o, cls, xa, y, label);
                else arrow(&o, cls, xa, y, xb, yr, label, fit(xa, xb));
            } else {
                bool known = false; /* is the receiver's node traced? */
                for (size_t f = 0; f < nfiles; f++)
                    if (strcmp(files[f].node, procs[e->pb].node) == 0) known = true;
                bool dead = procs[e->pb].death_row >= 0 && procs[e->pb].death_row < e->row;
                if (e->pa == e->pb) self_arrow(&o, cls, xa, y, label);
                else arrow(&o, cls, xa, y, xb, y, label, fit(xa, xb));
                if (dead) {
                    sb_fmt(&o, "<path class=\"death\" d=\"M%d %d l8 8 m0 -8 l-8 8\"/>\n", xb - 4, y - 4);
                    note(&o, "l-death", xb + 8, y + 15, "dropped: no such process", 30);
                } else if (known && procs[e->pb].num < 1000000) {
                    sb_fmt(&o, "<rect class=\"mbox\" x=\"%d\" y=\"%d\" width=\"14\" height=\"10\"/>\n", xb + 4, y + 3);
                    sb_fmt(&o, "<path class=\"mbox\" d=\"M%d %d l7 5 l7 -5\" fill=\"none\"/>\n", xb + 4, y + 3);
                    note(&o, "l-mbox", xb + 22, y + 12, "stays in the mailbox", 30);
                }
            }
            free(label);
            break;
        }
        case K_RECEIVE:
            if (e->matched_to) {
                /* the end of its delivery; mark it when on a row of its own */
                bool own = true;
                for (size_t j = 0; j < nevs; j++)
                    if (evs[j].match == (int)i && evs[j].row == e->row) own = false;
                if (own && e->pa >= 0) {
                    bool from_trap = false;
                    for (size_t j = 0; j < nevs; j++)
                        if (evs[j].match == (int)i && evs[j].kind == K_TRAP) from_trap = true;
                    if (!from_trap) sb_fmt(&o, "<circle class=\"recv\" cx=\"%d\" cy=\"%d\" r=\"3\"/>\n", xa, y);
                }
            } else if (e->pa >= 0) {
                /* a message from somewhere the trace does not show */
                arrow(&o, "msg", xa - 44, y, xa, y, NULL, 0);
                sbuf lab = {0};
                sb_fmt(&lab, "receives %s", e->term);
                note(&o, "l-recv", xa + 8, y + 4, lab.s, 44);
                free(lab.s);
            }
            break;
        case K_EXIT_SIGNAL: {
            if (e->pa < 0 || e->pb < 0) break;
            sbuf lab = {0};
            sb_fmt(&lab, "exit signal %s", e->term);
            if (e->pa == e->pb) self_arrow(&o, "sig", xa, y, lab.s);
            else arrow(&o, "sig", xa, y, xb, y, lab.s, fit(xa, xb));
            free(lab.s);
            break;
        }
        case K_MONITOR:
            if (e->pa < 0) break;
            if (e->pb < 0 || e->pb == e->pa) note(&o, "l-mon", xa + 8, y + 4, "monitor", 20);
            else arrow(&o, "mon", xa, y, xb, y, "monitor", fit(xa, xb));
            break;
        case K_EXIT: {
            if (e->pa < 0) break;
            bool normal = strcmp(e->term, ":normal") == 0;
            sb_fmt(&o, "<path class=\"%s\" d=\"M%d %d l12 12 m0 -12 l-12 12\"/>\n", normal ? "dnormal" : "death",
                   xa - 6, y - 6);
            sbuf lab = {0};
            sb_fmt(&lab, "exits %s", e->term);
            note(&o, normal ? "l-dnormal" : "l-death", xa + 12, y + 4, lab.s, 24);
            free(lab.s);
            break;
        }
        case K_REGISTER: {
            if (e->pa < 0) break;
            sbuf lab = {0};
            sb_fmt(&lab, "registered as %s", e->term);
            size_t w = strlen(lab.s) * 7 + 10;
            if (w > COLW - 20) w = COLW - 20;
            sb_fmt(&o, "<rect class=\"reg\" x=\"%d\" y=\"%d\" width=\"%zu\" height=\"17\" rx=\"3\"/>\n", xa - (int)w / 2,
                   y - 9, w);
            sb_fmt(&o, "<text class=\"l-reg\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">", xa, y + 4);
            sb_text(&o, lab.s, (w - 10) / 7);
            sb_str(&o, "</text>\n");
            free(lab.s);
            break;
        }
        case K_NODEUP:
        case K_NODEDOWN: {
            int g = node_index(files[e->file].node);
            int lo = 1 << 30, hi = -1;
            for (size_t p = 0; p < nprocs; p++)
                if (procs[p].seen && procs[p].group == g) {
                    if (procs[p].col < lo) lo = procs[p].col;
                    if (procs[p].col > hi) hi = procs[p].col;
                }
            if (hi < 0) lo = 0, hi = ncols > 0 ? ncols - 1 : 0;
            int x = GUTTER + lo * COLW + 8, w = (hi - lo + 1) * COLW - 16;
            bool up = e->kind == K_NODEUP;
            sb_fmt(&o, "<rect class=\"%s\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"20\" rx=\"3\"/>\n",
                   up ? "band-up" : "band-down", x, y - 12, w);
            char *peer = atom_text(e->b);
            sbuf lab = {0};
            if (up) sb_fmt(&lab, "connected to %s", peer);
            else sb_fmt(&lab, "lost %s: %s", peer, e->term[0] == ':' ? e->term + 1 : e->term);
            char *lt = lab.s;
            /* strip the quotes of an atom reason */
            size_t ll = strlen(lt);
            if (!up && ll > 1 && lt[ll - 1] == '"') {
                char *q = strchr(lt, '"');
                if (q && q != lt + ll - 1) {
                    memmove(q, q + 1, strlen(q));
                    lt[strlen(lt) - 1] = 0;
                }
            }
            /* wider than the band (a node of one column): smaller, down to
             * 10px, then from the band's left edge rightwards, never over
             * the time gutter on the left */
            size_t max = (size_t)w / 7 < 48 ? 48 : (size_t)w / 7, n = text_chars(lt, max);
            double fs = 12.0, tw = (double)n * 7.2;
            if (tw > w) {
                fs = 12.0 * w / tw < 10.0 ? 10.0 : 12.0 * w / tw;
                tw = tw * fs / 12.0;
            }
            char size[40] = "";
            if (fs < 12.0) snprintf(size, sizeof size, " style=\"font-size:%.1fpx\"", fs);
            if (tw > w) {
                sb_fmt(&o, "<text class=\"%s\" x=\"%d\" y=\"%d\"%s>", up ? "l-up" : "l-down", x + 2, y + 3, size);
                grow_to(x + 2, (size_t)(n * fs / 12.0 + 1));
            } else {
                sb_fmt(&o, "<text class=\"%s\" x=\"%d\" y=\"%d\" text-anchor=\"middle\"%s>", up ? "l-up" : "l-down",
                       x + w / 2, y + 3, size);
            }
            sb_text(&o, lt, max);
            sb_str(&o, "</text>\n");
            free(lab.s);
            free(peer);
            break;
        }
        default:
            break;
        }
    }

    /* legend */
    int ly = legend_top, lx = MARGIN;
    sb_fmt(&o, "<g class=\"legend-box\" transform=\"translate(%d,%d)\">\n", lx, ly);
    sb_str(&o, "<line class=\"msg\" x1=\"0\" y1=\"0\" x2=\"34\" y2=\"0\" marker-end=\"url(#head-msg)\"/>"
               "<text class=\"legend\" x=\"40\" y=\"4\">message</text>\n"
               "<line class=\"sig\" x1=\"120\" y1=\"0\" x2=\"154\" y2=\"0\" marker-end=\"url(#head-sig)\"/>"
               "<text class=\"legend\" x=\"160\" y=\"4\">exit signal</text>\n"
               "<line class=\"link\" x1=\"260\" y1=\"-2\" x2=\"294\" y2=\"-2\"/><line class=\"link\" x1=\"260\" y1=\"2\" x2=\"294\" y2=\"2\"/>"
               "<text class=\"legend\" x=\"300\" y=\"4\">link</text>\n"
               "<line class=\"mon\" x1=\"350\" y1=\"0\" x2=\"384\" y2=\"0\" marker-end=\"url(#head-mon)\"/>"
               "<text class=\"legend\" x=\"390\" y=\"4\">monitor, DOWN</text>\n"
               "<path class=\"trap\" d=\"M8 16 l7 7 l-7 7 l-7 -7 z\"/>"
               "<text class=\"legend\" x=\"22\" y=\"27\">trap_exit: signal becomes a message</text>\n"
               "<path class=\"death\" d=\"M300 18 l10 10 m0 -10 l-10 10\"/>"
               "<text class=\"legend\" x=\"318\" y=\"27\">process ends (reason)</text>\n"
               "<line class=\"alive\" x1=\"500\" y1=\"14\" x2=\"500\" y2=\"32\"/>"
               "<text class=\"legend\" x=\"508\" y=\"27\">still alive</text>\n"
               "</g>\n");
    sb_str(&o, "</svg>\n");

    if (maxx + MARGIN > width) width = maxx + MARGIN;
    sbuf svg = {0};
    sb_fmt(&svg,
           "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
           "role=\"img\" class=\"tapa-chart\">\n",
           width, height, width, height);
    sb_add(&svg, o.s, o.len);
    FILE *out = stdout;
    if (out_path && !(out = fopen(out_path, "w"))) die("cannot write %s: %s", out_path, strerror(errno));
    fwrite(svg.s, 1, svg.len, out);
    if (out != stdout && fclose(out) != 0) die("cannot write %s", out_path);
    return 0;
}
