/* draw.c — stage 3 of tapa-chart: the SVG.
 *
 *   spawn          thin arrow to the new column, whose lifeline starts there;
 *                  spawn_link a double line, as the legend draws a link
 *   send/receive   solid arrow labelled with the term, from the sender at the
 *                  send to the receiver at the receive (slanted when other
 *                  events came between); a message never received ends in an
 *                  envelope ("stays in the mailbox")
 *   Node.ping      one exchange: the ping to the other node, :pong back
 *   link/unlink    double line between the two columns
 *   exit_signal    dashed red arrow labelled with the reason
 *   trap           a diamond: trap_exit turned the signal into {:EXIT, ...}
 *   monitor/down   dotted arrows; the DOWN message's receive ends the arrow
 *   exit           the lifeline ends with a cross and the reason
 *   register       a tag with the name on the lifeline
 *   nodeup/down    a band across the columns of the node that saw it
 *   node gone      a node killed: a band, and its processes end there
 */
#include "chart.h"

#include <stdlib.h>
#include <string.h>

static int maxx; /* the rightmost text, to size the picture */

/* text of `chars` characters starts at x: the picture must reach past it */
static void grow_to(int x, size_t chars)
{
    int end = x + (int)((double)chars * CHARW + 0.5) + 8;
    if (end > maxx) maxx = end;
}

/* the lines of a label, one <text> each, the first at y, then down (dy > 0) or up */
static void lines(sbuf *o, const char *cls, int x, int y, const char *anchor, const wrapped *w,
                  int dy)
{
    for (size_t i = 0; i < w->n; i++) {
        size_t k = dy > 0 ? i : w->n - 1 - i;
        int ly = y + (int)i * dy;
        if (!*anchor) grow_to(x, text_chars(w->lines[k]));
        sb_fmt(o, "<text class=\"%s\" x=\"%d\" y=\"%d\"%s>", cls, x, ly, anchor);
        sb_text(o, w->lines[k]);
        sb_str(o, "</text>\n");
    }
}

static void line(sbuf *o, const char *cls, int x1, int y1, int x2, int y2, bool head)
{
    sb_fmt(o, "<line class=\"%s\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"", cls, x1, y1, x2, y2);
    if (head) sb_fmt(o, " marker-end=\"url(#head-%s)\"", cls);
    sb_str(o, "/>\n");
}

/* an arrow with its label above it: centred on a level arrow, near the
 * sender on a slanted one (where it is alone) */
static void arrow(sbuf *o, const char *cls, int x1, int y1, int x2, int y2, const wrapped *label)
{
    if (strcmp(cls, "link") == 0) { /* a link is a double line, as in the legend */
        line(o, cls, x1, y1 - 2, x2, y2 - 2, false);
        line(o, cls, x1, y1 + 2, x2, y2 + 2, true);
    } else {
        line(o, cls, x1, y1, x2, y2, true);
    }
    if (!label || label->n == 0 || !*label->lines[0]) return;
    char lcls[32];
    snprintf(lcls, sizeof lcls, "l-%s", cls);
    if (y1 == y2) lines(o, lcls, (x1 + x2) / 2, y1 - 6, " text-anchor=\"middle\"", label, -LINEH);
    else if (x2 > x1) lines(o, lcls, x1 + 10, y1 - 6, "", label, -LINEH);
    else lines(o, lcls, x1 - 10, y1 - 6, " text-anchor=\"end\"", label, -LINEH);
}

static void self_arrow(sbuf *o, const char *cls, int x, int y, const wrapped *label)
{
    sb_fmt(
        o,
        "<path class=\"%s\" d=\"M%d %d h 26 v 10 h -23\" fill=\"none\" marker-end=\"url(#head-%s)\"/>\n",
        cls, x, y - 6, cls);
    char lcls[32];
    snprintf(lcls, sizeof lcls, "l-%s", cls);
    lines(o, lcls, x + 32, y + 2, "", label, LINEH);
}

static const char *proc_label(const proc *p)
{
    if (p->label) return p->label;
    if (p->regname) return p->regname;
    if (p->lane) return "the node itself";
    return "";
}

static char *pid_display(const proc *p)
{
    char tmp[96];
    if (p->lane) snprintf(tmp, sizeof tmp, "(net_kernel)");
    else if (p->num >= 1000000) snprintf(tmp, sizeof tmp, "(not traced)");
    else snprintf(tmp, sizeof tmp, "#PID<0.%u.%u>", p->num, p->serial);
    return chart_strdup(tmp);
}

static const char *const style =
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
    ".lanehead{fill:#f6f8fc;stroke:#8d97ab;stroke-dasharray:4 3}\n"
    "</style>\n<defs>\n";

static void draw_defs(sbuf *o, const char *title)
{
    sb_str(o, "<title>");
    sb_text(o, *title ? title : "Sequence chart of a run");
    sb_str(o, "</title>\n<desc>Drawn by tapa-chart from the event traces of a real run.</desc>\n");
    sb_str(o, style);
    static const char *heads[][2] = {{"msg", "#1f5fbf"},  {"spawn", "#6b7386"},
                                     {"sig", "#c62828"},  {"mon", "#00796b"},
                                     {"link", "#7b3fa0"}, {"unlink", "#a98bbb"}};
    for (size_t i = 0; i < sizeof heads / sizeof heads[0]; i++)
        sb_fmt(
            o,
            "<marker id=\"head-%s\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"8\" "
            "markerHeight=\"8\" orient=\"auto-start-reverse\"><path d=\"M0 0 L10 5 L0 10 z\" fill=\"%s\"/></marker>\n",
            heads[i][0], heads[i][1]);
    sb_str(o, "</defs>\n<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n");
}

static void draw_title(sbuf *o, const char *title)
{
    if (!*title) return;
    /* 15px bold sans: about 9px a character on average */
    wrapped w = wrap_text(title, (size_t)((L.width - 2 * MARGIN) / 9));
    for (size_t i = 0; i < w.n; i++) {
        sb_fmt(o, "<text class=\"title\" x=\"%d\" y=\"%d\">", MARGIN, MARGIN + 16 + (int)i * 20);
        sb_text(o, w.lines[i]);
        sb_str(o, "</text>\n");
    }
    wrapped_free(&w);
}

static void draw_groups(sbuf *o)
{
    if (!L.grouped) return;
    for (size_t g = 0; g < nnodes; g++) {
        int left, right;
        if (!group_span((int)g, &left, &right)) continue;
        sb_fmt(o, "<rect class=\"group\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"5\"/>\n",
               left, L.header_top, right - left, L.legend_top - 18 - L.header_top);
        sb_fmt(o, "<text class=\"gname\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">",
               (left + right) / 2, L.header_top + 17);
        sb_text(o, "node ");
        sb_text(o, *nodes[g] ? nodes[g] : "(not distributed)");
        sb_str(o, "</text>\n");
    }
}

static void draw_heads(sbuf *o)
{
    int y_head = L.header_top + (L.grouped ? GROUPH + 6 : 0);
    for (size_t p = 0; p < nprocs; p++) {
        proc *pr = &procs[p];
        if (!pr->seen) continue;
        int x = col_x(pr->col);
        int hy = pr->birth_row >= 0 ? row_y(pr->birth_row) - HEADH / 2 : y_head;
        int top = hy + HEADH;
        int bottom = pr->death_row >= 0 ? row_y(pr->death_row) : L.legend_top - 24;
        if (bottom > top)
            sb_fmt(o, "<line class=\"life\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n", x, top, x,
                   bottom);
        const char *name = proc_label(pr);
        char *pid = pid_display(pr);
        int bw = L.colw - 26;
        sb_fmt(o, "<rect class=\"%s\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"4\"/>\n",
               pr->lane ? "lanehead" : "head", x - bw / 2, hy, bw, HEADH - 6);
        if (*name) {
            sb_fmt(o, "<text class=\"hname\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">", x,
                   hy + 16);
            sb_text(o, name);
            sb_str(o, "</text>\n");
            sb_fmt(o, "<text class=\"hpid\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">", x, hy + 31);
        } else {
            sb_fmt(o, "<text class=\"hname\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">", x,
                   hy + 23);
        }
        sb_text(o, pid);
        sb_str(o, "</text>\n");
        free(pid);
        if (pr->death_row < 0)
            sb_fmt(o, "<line class=\"alive\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n", x,
                   bottom, x, bottom + 14);
    }
}

static void draw_time(sbuf *o, size_t i, long long *last_t)
{
    event *e = &evs[i];
    if (e->t == *last_t ||
        (e->kind == K_RECEIVE && e->matched_to && i > 0 && evs[i - 1].row == e->row))
        return;
    sb_fmt(o, "<text class=\"time\" x=\"%d\" y=\"%d\" text-anchor=\"end\">%.1f ms</text>\n",
           GUTTER - 10, row_y(e->row) + 4, (double)e->t / 1000.0);
    *last_t = e->t;
}

static void draw_band(sbuf *o, const event *e, int y)
{
    int left, right;
    if (!group_span(node_index(files[e->file].node), &left, &right)) return;
    const char *cls = e->kind == K_NODEUP ? "up" : "down";
    int h = 20 + (int)(e->text.n - 1) * LINEH;
    sb_fmt(o, "<rect class=\"band-%s\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"3\"/>\n",
           cls, left + 4, y - 12 - (int)(e->text.n - 1) * LINEH / 2, right - left - 8, h);
    char lcls[16];
    snprintf(lcls, sizeof lcls, "l-%s", cls);
    lines(o, lcls, (left + right) / 2, y + 3 - (int)(e->text.n - 1) * LINEH / 2,
          " text-anchor=\"middle\"", &e->text, LINEH);
}

static void draw_delivery(sbuf *o, size_t i, int y, int xa, int xb)
{
    event *e = &evs[i];
    if (e->pb < 0) return; /* to nobody the traces know */
    if (e->kind == K_TRAP) {
        /* the diamond where the signal became a message */
        sb_fmt(o, "<path class=\"trap\" d=\"M%d %d l7 7 l-7 7 l-7 -7 z\"/>\n", xb, y - 7);
        lines(o, "l-trap", xb + 12, y + 17, "", &e->text, LINEH);
        if (e->match >= 0 && evs[e->match].row != e->row) {
            int yr = row_y(evs[e->match].row);
            wrapped w = wrap_text("receives it", 20);
            sb_fmt(o, "<circle class=\"recv\" cx=\"%d\" cy=\"%d\" r=\"3.5\"/>\n", xb, yr);
            lines(o, "l-recv", xb + 8, yr + 4, "", &w, LINEH);
            wrapped_free(&w);
        }
        return;
    }
    const char *cls = e->kind == K_SEND ? "msg" : "mon";
    if (e->pb < 0) return;
    if (e->match >= 0) {
        if (e->pa == e->pb) self_arrow(o, cls, xa, y, &e->text);
        else arrow(o, cls, xa, y, xb, row_y(evs[e->match].row), &e->text);
        return;
    }
    bool known = false; /* is the receiver's node traced? */
    for (size_t f = 0; f < nfiles; f++)
        if (strcmp(files[f].node, procs[e->pb].node) == 0) known = true;
    bool dead = procs[e->pb].death_row >= 0 && procs[e->pb].death_row < e->row;
    if (e->pa == e->pb) self_arrow(o, cls, xa, y, &e->text);
    else arrow(o, cls, xa, y, xb, y, &e->text);
    wrapped w = {0};
    if (dead) {
        sb_fmt(o, "<path class=\"death\" d=\"M%d %d l8 8 m0 -8 l-8 8\"/>\n", xb - 4, y - 4);
        w = wrap_text("dropped: no such process", 40);
        lines(o, "l-death", xb + 8, y + 15, "", &w, LINEH);
    } else if (known && procs[e->pb].num < 1000000) {
        sb_fmt(o, "<rect class=\"mbox\" x=\"%d\" y=\"%d\" width=\"14\" height=\"10\"/>\n", xb + 4,
               y + 3);
        sb_fmt(o, "<path class=\"mbox\" d=\"M%d %d l7 5 l7 -5\" fill=\"none\"/>\n", xb + 4, y + 3);
        w = wrap_text("stays in the mailbox", 40);
        lines(o, "l-mbox", xb + 22, y + 12, "", &w, LINEH);
    }
    wrapped_free(&w);
}

static void draw_receive(sbuf *o, size_t i, int y, int xa, int xb)
{
    event *e = &evs[i];
    if (e->pa < 0) return;
    if (e->role == R_PING_PONG) { /* one exchange: the ping out, :pong back */
        line(o, "msg", xa, y - 7, xb, y - 7, true);
        lines(o, "l-msg", (xa + xb) / 2, y - 12, " text-anchor=\"middle\"", &e->text, -LINEH);
        line(o, "msg", xb, y + 7, xa, y + 7, true);
        wrapped w = wrap_text(":pong", 10);
        lines(o, "l-msg", (xa + xb) / 2, y + 21, " text-anchor=\"middle\"", &w, LINEH);
        wrapped_free(&w);
        return;
    }
    if (e->matched_to) {
        /* the end of its delivery; mark it when on a row of its own */
        bool own = true, from_trap = false;
        for (size_t j = 0; j < nevs; j++)
            if (evs[j].match == (int)i) {
                if (evs[j].row == e->row) own = false;
                if (evs[j].kind == K_TRAP) from_trap = true;
            }
        if (own && !from_trap)
            sb_fmt(o, "<circle class=\"recv\" cx=\"%d\" cy=\"%d\" r=\"3\"/>\n", xa, y);
        return;
    }
    /* a message the traces do not show being sent (the runtime's own, as
     * {:nodedown, node} or a DOWN from another node): a dot where it is taken */
    sb_fmt(o, "<circle class=\"recv\" cx=\"%d\" cy=\"%d\" r=\"3.5\"/>\n", xa, y);
    lines(o, e->role == R_PING_PANG ? "l-down" : "l-recv", xa + 8, y + 4, "", &e->text, LINEH);
}

static void draw_event(sbuf *o, size_t i)
{
    event *e = &evs[i];
    int y = row_y(e->row);
    int xa = e->pa >= 0 ? col_x(procs[e->pa].col) : 0;
    int xb = e->pb >= 0 ? col_x(procs[e->pb].col) : 0;
    switch (e->kind) {
    case K_SPAWN:
        if (e->pb >= 0 && e->pa >= 0) {
            int dir = xb > xa ? 1 : -1;
            bool linked = strcmp(e->label, "spawn_link") == 0;
            arrow(o, linked ? "link" : "spawn", xa, y, xb - dir * (L.colw - 26) / 2, y, &e->text);
        }
        break;
    case K_LINK:
        if (i > 0 && evs[i - 1].row == e->row) break; /* drawn with its spawn */
        /* fall through */
    case K_UNLINK: {
        const char *cls = e->kind == K_LINK ? "link" : "unlink";
        if (e->pa < 0 || e->pb < 0) break;
        line(o, cls, xa, y - 2, xb, y - 2, false);
        line(o, cls, xa, y + 2, xb, y + 2, false);
        char lcls[16];
        snprintf(lcls, sizeof lcls, "l-%s", cls);
        lines(o, lcls, (xa + xb) / 2, y - 7, " text-anchor=\"middle\"", &e->text, -LINEH);
        break;
    }
    case K_SEND:
    case K_DOWN:
    case K_TRAP:
        draw_delivery(o, i, y, xa, xb);
        break;
    case K_RECEIVE:
        draw_receive(o, i, y, xa, xb);
        break;
    case K_EXIT_SIGNAL:
        if (e->pa < 0 || e->pb < 0) break;
        if (e->pa == e->pb) {
            self_arrow(o, "sig", xa, y, &e->text);
        } else if (procs[e->pa].group != procs[e->pb].group &&
                   strstr(e->label, "lost connection")) {
            /* not sent by the remote process: made here when the connection went */
            int left, right;
            group_span(procs[e->pb].group, &left, &right);
            int from = xb > xa ? left + 6 : right - 6;
            arrow(o, "sig", from, y, xb, y, NULL);
            lines(o, "l-sig", xb + 12, y - 6, "", &e->text, -LINEH);
        } else {
            arrow(o, "sig", xa, y, xb, y, &e->text);
        }
        break;
    case K_MONITOR:
        if (e->pa < 0) break;
        if (e->pb < 0 || e->pb == e->pa) lines(o, "l-mon", xa + 8, y + 4, "", &e->text, LINEH);
        else arrow(o, "mon", xa, y, xb, y, &e->text);
        break;
    case K_EXIT: {
        if (e->pa < 0) break;
        bool normal = strcmp(e->term, ":normal") == 0;
        sb_fmt(o, "<path class=\"%s\" d=\"M%d %d l12 12 m0 -12 l-12 12\"/>\n",
               normal ? "dnormal" : "death", xa - 6, y - 6);
        lines(o, normal ? "l-dnormal" : "l-death", xa + 12, y + 4, "", &e->text, LINEH);
        break;
    }
    case K_REGISTER: {
        if (e->pa < 0) break;
        size_t chars = 0;
        for (size_t k = 0; k < e->text.n; k++)
            if (text_chars(e->text.lines[k]) > chars) chars = text_chars(e->text.lines[k]);
        int w = (int)((double)chars * CHARW) + 10, h = 17 + (int)(e->text.n - 1) * LINEH;
        sb_fmt(o, "<rect class=\"reg\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"3\"/>\n",
               xa + 4, y - 9, w, h);
        lines(o, "l-reg", xa + 9, y + 4, "", &e->text, LINEH);
        break;
    }
    case K_NODEUP:
    case K_NODEDOWN:
        draw_band(o, e, y);
        break;
    case K_NODEGONE: {
        draw_band(o, e, y);
        for (size_t p = 0; p < nprocs; p++) /* its processes end here, killed */
            if (procs[p].seen && procs[p].death_row == e->row && !procs[p].lane)
                sb_fmt(o, "<path class=\"death\" d=\"M%d %d l12 12 m0 -12 l-12 12\"/>\n",
                       col_x(procs[p].col) - 6, y + 10);
        break;
    }
    default:
        break;
    }
}

static void draw_legend(sbuf *o)
{
    sb_fmt(o, "<g class=\"legend-box\" transform=\"translate(%d,%d)\">\n", MARGIN, L.legend_top);
    sb_str(
        o,
        "<line class=\"msg\" x1=\"0\" y1=\"0\" x2=\"34\" y2=\"0\" marker-end=\"url(#head-msg)\"/>"
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
}

char *chart_draw(const char *title)
{
    sbuf o = {0};
    draw_defs(&o, title);
    draw_title(&o, title);
    draw_groups(&o);
    draw_heads(&o);
    long long last_t = -1;
    for (size_t i = 0; i < nevs; i++) {
        if (evs[i].hidden || evs[i].row < 0) continue;
        draw_time(&o, i, &last_t);
        draw_event(&o, i);
    }
    draw_legend(&o);
    sb_str(&o, "</svg>\n");
    int width = maxx + MARGIN > L.width ? maxx + MARGIN : L.width;
    sbuf svg = {0};
    sb_fmt(
        &svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
        "role=\"img\" class=\"tapa-chart\">\n",
        width, L.height, width, L.height);
    sb_add(&svg, o.s, o.len);
    free(o.s);
    return svg.s;
}
