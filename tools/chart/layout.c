/* layout.c — stage 2 of tapa-chart: columns, rows and labels.
 *
 * Processes become columns, grouped by node when more than one node
 * appears (a traced node without processes of its own gets one column, the
 * node itself, where its connections and pings are drawn); each event
 * becomes a row, top to bottom. Every label is cut into lines that fit the
 * room it has (never cut off), and a row is as tall as its longest label.
 * Columns are as wide as the longest message between neighbours needs,
 * within limits; in a chart of several nodes each node's box has half a
 * column more on its right, so that notes stay inside their node.
 */
#include "chart.h"

#include <stdlib.h>
#include <string.h>

layout L;
static int *col_gaps; /* per column: node boxes to its left */
static int *col_group; /* per column: its node */

int col_x(int col)
{
    return GUTTER + col * L.colw + L.colw / 2 + col_gaps[col] * (L.colw / 2);
}
int row_y(int row)
{
    return L.row_top[row] + L.row_h[row] / 2;
}

int group_span(int group, int *left, int *right)
{
    int lo = -1, hi = -1;
    for (int c = 0; c < L.ncols; c++)
        if (col_group[c] == group) {
            if (lo < 0) lo = c;
            hi = c;
        }
    if (hi < 0) return 0;
    *left = col_x(lo) - L.colw / 2 + 4;
    *right = col_x(hi) + L.colw / 2 - 4 + (L.grouped ? L.colw / 2 : 0);
    return 1;
}

static void apply_labels(const labelopt *labels, size_t nlabels)
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
        if (sscanf(k, "<%u.%u.%u>", &a, &b, &c) != 3)
            chart_die("-l %s: give the pid as <0.101.0>", labels[i].key);
        for (size_t p = 0; p < nprocs; p++) {
            bool node_ok =
                slash ? strcmp(procs[p].node, node) == 0 : (nfiles == 1 || procs[p].group == 0);
            if (node_ok && !procs[p].lane && procs[p].num == b && procs[p].serial == c)
                procs[p].label = labels[i].label;
        }
    }
}

static void see(int p)
{
    if (p < 0 || procs[p].seen) return;
    procs[p].seen = true;
    procs[p].col = L.ncols++;
}

/* Columns: by node, then by first appearance. */
static void place_columns(void)
{
    /* a traced node that shows no process of its own still gets a column */
    for (size_t f = 0; f < nfiles; f++) {
        if (!*files[f].node) continue;
        int g = node_index(files[f].node);
        bool any = false;
        for (size_t i = 0; i < nevs && !any; i++) {
            if (evs[i].hidden) continue;
            if ((evs[i].pa >= 0 && procs[evs[i].pa].group == g) ||
                (evs[i].pb >= 0 && procs[evs[i].pb].group == g))
                any = true;
        }
        if (!any) node_lane(g);
    }
    for (size_t g = 0; g < nnodes; g++) {
        for (size_t i = 0; i < nevs; i++) {
            if (evs[i].hidden) continue;
            int ps[2] = {evs[i].pa, evs[i].pb};
            for (int k = 0; k < 2; k++)
                if (ps[k] >= 0 && procs[ps[k]].group == (int)g) see(ps[k]);
        }
        for (size_t p = 0; p < nprocs; p++)
            if (procs[p].lane && procs[p].group == (int)g) see((int)p);
    }
    L.grouped = false;
    for (size_t i = 0; i < nnodes; i++)
        if (*nodes[i]) L.grouped = true;
    col_gaps = chart_realloc(NULL, (size_t)(L.ncols + 1) * sizeof *col_gaps);
    col_group = chart_realloc(NULL, (size_t)(L.ncols + 1) * sizeof *col_group);
    for (size_t p = 0; p < nprocs; p++)
        if (procs[p].seen) col_group[procs[p].col] = procs[p].group;
    for (int c = 0, gaps = 0; c < L.ncols; c++) {
        if (L.grouped && c > 0 && col_group[c] != col_group[c - 1]) gaps++;
        col_gaps[c] = gaps;
    }
}

static bool same_pair(const event *x, const event *y)
{
    return x->pa == y->pa && x->pb == y->pb;
}

/* Rows. A receive that ends a delivery shares its row when it comes right
 * after it; so do a link and its spawn, a trap and its exit signal. */
static void place_rows(void)
{
    int row = 0;
    for (size_t i = 0; i < nevs; i++) {
        event *e = &evs[i];
        event *prev = i > 0 ? &evs[i - 1] : NULL;
        if (e->hidden) continue;
        if (e->kind == K_RECEIVE && e->matched_to) {
            e->row = prev && prev->match == (int)i && prev->row >= 0 ? prev->row : row++;
            continue;
        }
        if (prev &&
            ((e->kind == K_LINK && prev->kind == K_SPAWN) ||
             (e->kind == K_TRAP && prev->kind == K_EXIT_SIGNAL)) &&
            same_pair(e, prev) && prev->row >= 0) {
            e->row = prev->row;
            continue;
        }
        if (e->kind == K_UNREGISTER) { /* implied by the exit that follows */
            e->hidden = true;
            continue;
        }
        e->row = row++;
        if (e->kind == K_SPAWN && e->pb >= 0 && procs[e->pb].birth_row < 0)
            procs[e->pb].birth_row = e->row;
        if (e->kind == K_EXIT && e->pa >= 0) {
            procs[e->pa].death_row = e->row;
            procs[e->pa].death_reason = e->term;
        }
        if (e->kind == K_NODEGONE) /* everything on the node ends with it */
            for (size_t p = 0; p < nprocs; p++)
                if (procs[p].seen && procs[p].group == node_index(files[e->file].node) &&
                    procs[p].death_row < 0)
                    procs[p].death_row = e->row;
    }
    L.nrows = row;
}

static bool is_arrow(const event *e)
{
    switch (e->kind) {
    case K_SEND:
    case K_DOWN:
    case K_EXIT_SIGNAL:
    case K_MONITOR:
    case K_SPAWN:
        return e->pa >= 0 && e->pb >= 0 && e->pa != e->pb;
    case K_RECEIVE:
        return e->role == R_PING_PONG;
    default:
        return false;
    }
}

/* characters a note right of column col may use */
static size_t note_room(int col, int indent)
{
    if (!L.grouped && col == L.ncols - 1) return 60; /* the picture grows */
    /* up to the next lifeline, or to the edge of the node's box (half a
     * column wider than its last lifeline) */
    int room = L.colw - indent - 12;
    return (size_t)(room / CHARW);
}

/* the label of an event, as drawn */
static char *event_label(const event *e)
{
    sbuf b = {0};
    sb_str(&b, "");
    char *peer = e->kind == K_NODEUP || e->kind == K_NODEDOWN ? atom_text(e->b) : NULL;
    switch (e->kind) {
    case K_SPAWN:
        sb_str(&b, e + 1 < evs + nevs && e[1].kind == K_LINK && same_pair(e, e + 1) ? "spawn_link"
                                                                                    : "spawn");
        break;
    case K_SEND:
        sb_str(&b, e->term);
        break;
    case K_DOWN:
        sb_fmt(&b, "DOWN %s", e->term);
        break;
    case K_EXIT_SIGNAL:
        if (e->pa >= 0 && e->pb >= 0 && procs[e->pa].group != procs[e->pb].group &&
            strcmp(e->term, ":noconnection") == 0)
            sb_str(&b, "exit signal :noconnection, from the lost connection");
        else sb_fmt(&b, "exit signal %s", e->term);
        break;
    case K_TRAP:
        sb_fmt(&b, "trap_exit: now a message {:EXIT, %s, %s}", e->a, e->term);
        break;
    case K_MONITOR:
        sb_str(&b, "monitor");
        break;
    case K_LINK:
        sb_str(&b, "link");
        break;
    case K_UNLINK:
        sb_str(&b, "unlink");
        break;
    case K_EXIT:
        sb_fmt(&b, "exits %s", e->term);
        break;
    case K_REGISTER:
        sb_fmt(&b, "registered as %s", e->term);
        break;
    case K_RECEIVE:
        if (e->role == R_PING_PONG) sb_str(&b, "Node.ping");
        else if (e->role == R_PING_PANG) sb_str(&b, "Node.ping: :pang, no node reached");
        else if (!e->matched_to) sb_fmt(&b, "receives %s", e->term);
        break;
    case K_NODEUP:
        sb_fmt(&b, "connected to %s", peer);
        break;
    case K_NODEDOWN: {
        char *why = atom_text(e->term);
        if (strcmp(why, "the node stopped") == 0) sb_fmt(&b, "stops; disconnects from %s", peer);
        else sb_fmt(&b, "lost %s: %s", peer, why);
        free(why);
        break;
    }
    case K_NODEGONE:
        sb_fmt(&b, "%s killed: its trace ends, its processes with it", files[e->file].node);
        break;
    default:
        break;
    }
    free(peer);
    return b.s;
}

/* the characters a line of e's label may take */
static size_t label_room(const event *e)
{
    int xa = e->pa >= 0 ? col_x(procs[e->pa].col) : 0;
    int xb = e->pb >= 0 ? col_x(procs[e->pb].col) : 0;
    int left, right;
    switch (e->kind) {
    case K_NODEUP:
    case K_NODEDOWN:
    case K_NODEGONE:
        if (!group_span(node_index(files[e->file].node), &left, &right)) return 60;
        return (size_t)((right - left - 12) / CHARW);
    case K_TRAP:
        return e->pb >= 0 ? note_room(procs[e->pb].col, 12) : 40;
    case K_EXIT:
    case K_REGISTER:
        return e->pa >= 0 ? note_room(procs[e->pa].col, 12) : 40;
    case K_RECEIVE:
        if (e->role == R_PING_PONG) return (size_t)((abs(xb - xa) - 20) / CHARW);
        return e->pa >= 0 ? note_room(procs[e->pa].col, 8) : 40;
    case K_EXIT_SIGNAL:
        if (e->label && strstr(e->label, "lost connection")) return note_room(procs[e->pb].col, 12);
        /* fall through */
    default:
        if (is_arrow(e)) return (size_t)((abs(xb - xa) - 24) / CHARW);
        return e->pa >= 0 ? note_room(procs[e->pa].col, 32) : 40; /* a self arrow's label */
    }
}

/* the column width: the widest label between neighbouring columns, within limits */
static void size_columns(void)
{
    L.colw = L.grouped ? COLW_MIN + 30 : COLW_MIN; /* room for the notes inside a node's box */
    for (size_t i = 0; i < nevs; i++) {
        event *e = &evs[i];
        if (e->hidden || !is_arrow(e) || e->kind == K_RECEIVE) continue;
        int span = abs(procs[e->pa].col - procs[e->pb].col);
        char *label = event_label(e);
        int need = (int)((double)text_chars(label) * CHARW + 32) / (span ? span : 1);
        free(label);
        if (need > L.colw) L.colw = need > COLW_MAX ? COLW_MAX : need;
    }
}

static int row_need(const event *e)
{
    int n = (int)e->text.n, more = (n - 1) * 2 * LINEH;
    switch (e->kind) {
    case K_SPAWN:
        return HEADH + 8;
    case K_TRAP:
        return ROWH + 18 + more;
    case K_NODEUP:
    case K_NODEDOWN:
    case K_NODEGONE:
        return ROWH + (n - 1) * LINEH;
    case K_RECEIVE:
        return e->role == R_PING_PONG ? ROWH + 16 : ROWH + more;
    default:
        return ROWH + more;
    }
}

void chart_layout(const labelopt *labels, size_t nlabels, const char *title)
{
    apply_labels(labels, nlabels);
    place_columns();
    place_rows();
    size_columns();
    L.row_top = chart_realloc(NULL, (size_t)(L.nrows + 1) * sizeof *L.row_top);
    L.row_h = chart_realloc(NULL, (size_t)(L.nrows + 1) * sizeof *L.row_h);
    for (int r = 0; r < L.nrows; r++) L.row_h[r] = ROWH;
    for (size_t i = 0; i < nevs; i++) {
        event *e = &evs[i];
        if (e->row < 0 || e->hidden) continue;
        e->label = event_label(e);
        e->width = label_room(e);
        e->text = wrap_text(e->label, e->width);
        int need = row_need(e);
        if (L.row_h[e->row] < need) L.row_h[e->row] = need;
    }
    int ngaps = L.ncols > 0 ? col_gaps[L.ncols - 1] + 1 : 1;
    L.width = GUTTER + (L.ncols > 0 ? L.ncols : 1) * L.colw + (L.grouped ? ngaps * L.colw / 2 : 0) +
              MARGIN;
    if (L.width < 640) L.width = 640;
    /* the title wraps at the picture's width (draw.c: 9px a character) */
    wrapped tw = wrap_text(title, (size_t)((L.width - 2 * MARGIN) / 9));
    L.header_top = MARGIN + (*title ? 30 + 20 * (int)(tw.n - 1) : 0);
    wrapped_free(&tw);
    L.rows_top = L.header_top + (L.grouped ? GROUPH + 6 : 0) + HEADH + 8;
    int acc = L.rows_top;
    for (int r = 0; r < L.nrows; r++) {
        L.row_top[r] = acc;
        acc += L.row_h[r];
    }
    L.row_top[L.nrows] = acc;
    L.legend_top = acc + 24;
    L.height = L.legend_top + 64;
}
