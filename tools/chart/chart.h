/* chart.h — what the stages of tapa-chart share: the traces read, the
 * processes (columns) and events (rows) they hold, and the layout.
 *
 *   read.c    reads the traces, aligns their clocks, names the processes
 *             and pairs each delivery with its receive
 *   layout.c  turns events into rows and processes into columns, with the
 *             text of every label and the size it needs
 *   draw.c    writes the SVG
 *   text.c    strings, buffers and the errors of the tool
 */
#ifndef TAPA_CHART_H
#define TAPA_CHART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* ------------------------------------------------------------ text.c -- */

_Noreturn void chart_die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void *chart_realloc(void *p, size_t n);
char *chart_strdup(const char *s);

#define PUSH(arr, n, cap, item)                                  \
    do {                                                         \
        if ((n) == (cap)) {                                      \
            (cap) = (cap) ? 2 * (cap) : 16;                      \
            (arr) = chart_realloc((arr), (cap) * sizeof *(arr)); \
        }                                                        \
        (arr)[(n)++] = (item);                                   \
    } while (0)

/* a growable string */
typedef struct sbuf {
    char *s;
    size_t len, cap;
} sbuf;

void sb_add(sbuf *b, const char *s, size_t n);
void sb_str(sbuf *b, const char *s);
void sb_fmt(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_text(sbuf *b, const char *s); /* XML-escaped */
size_t text_chars(const char *s); /* characters of UTF-8 text */
char *atom_text(const char *s); /* :foo, :"a@b" -> foo, a@b */
bool starts_with(const char *s, const char *prefix);

/* Text cut into lines of at most width characters, broken after ", " or a
 * space where it can be (a pid or a term is never cut in the middle when a
 * break exists); lines[i] are allocated, and so is the array. */
typedef struct wrapped {
    char **lines;
    size_t n;
} wrapped;
wrapped wrap_text(const char *s, size_t width);
void wrapped_free(wrapped *w);

/* ------------------------------------------------------------ read.c -- */

enum kind {
    K_SPAWN,
    K_SEND,
    K_RECEIVE,
    K_LINK,
    K_UNLINK,
    K_EXIT_SIGNAL,
    K_TRAP,
    K_MONITOR,
    K_DOWN,
    K_REGISTER,
    K_UNREGISTER,
    K_EXIT,
    K_NODEUP,
    K_NODEDOWN,
    K_NODEGONE, /* not in traces: a traced node whose trace ends while its peer loses it */
    K_NKINDS
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

/* what an unmatched receive turns out to be */
enum recv_role { R_PLAIN, R_PING_PONG, R_PING_PANG, R_SPAWN_REPLY };

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
    int role; /* enum recv_role, for receives */
    int row;
    bool hidden;
    /* layout.c: the label and how it is cut */
    char *label;
    size_t width; /* characters a line */
    wrapped text;
} event;

typedef struct proc {
    char *node; /* "" for a single, undistributed run */
    unsigned num, serial;
    char *key; /* node|num.serial */
    char *label; /* from -l, or the registered name */
    char *regname;
    bool lane; /* not a process: the node itself (its net kernel) */
    int group; /* node index */
    int col;
    int birth_row, death_row; /* -1: before the chart / still alive */
    char *death_reason;
    bool seen;
} proc;

typedef struct labelopt {
    char *key, *label;
} labelopt;

extern tfile *files;
extern size_t nfiles;
extern event *evs;
extern size_t nevs;
extern proc *procs;
extern size_t nprocs;
extern char **nodes;
extern size_t nnodes;

int node_index(const char *node);
int proc_find_or_add(const char *node, unsigned num, unsigned serial);
int node_lane(int group); /* the column standing for a node itself */
char *canon_term(int fi, const char *t);

/* Stage 1: read the traces, align them, resolve pids and pair deliveries. */
void chart_read(const char *const *paths, size_t npaths);

/* ---------------------------------------------------------- layout.c -- */

#define COLW_MIN 190
#define COLW_MAX 250
#define ROWH 30
#define LINEH 14
#define GUTTER 78
#define MARGIN 16
#define GROUPH 26
#define HEADH 44
/* 12px DejaVu Sans Mono (and the usual fallbacks, 0.6em) is 7.2px a
 * character; bold is as wide. 7.5 leaves room for a wider fallback font
 * and for the white outline of the labels. */
#define CHARW 7.5

typedef struct layout {
    int colw, ncols, nrows;
    bool grouped;
    int header_top, rows_top, legend_top, width, height;
    int *row_top, *row_h;
} layout;

extern layout L;

int col_x(int col);
int row_y(int row);
int group_span(int group, int *left, int *right); /* false: no columns */

/* Stage 2: columns, rows and the text of every event. */
void chart_layout(const labelopt *labels, size_t nlabels, const char *title);

/* ------------------------------------------------------------ draw.c -- */

/* Stage 3: the SVG, as a string. */
char *chart_draw(const char *title);

#endif
