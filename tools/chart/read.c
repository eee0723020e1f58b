/* read.c — stage 1 of tapa-chart: the traces, read and merged.
 *
 * A trace is one event per line, tab-separated: usec kind pid-a pid-b term
 * (runtime/trace/trace.c). Several traces (one per node of a distributed
 * run) are merged: pids are made global with the channel numbers of the
 * nodeup events, and the clocks aligned on the moment the nodes met. Then
 * each delivery (send, trapped exit, DOWN) is paired with its receive, and
 * the receives nobody sent are recognised for what the runtime made them:
 * a ping's answer, a remote spawn's reply.
 */
#define _POSIX_C_SOURCE 200809L /* getline */
#include "chart.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[K_NKINDS] = {
    "spawn", "send",     "receive",    "link", "unlink", "exit_signal", "trap",        "monitor",
    "down",  "register", "unregister", "exit", "nodeup", "nodedown",    "(node gone)",
};

tfile *files;
size_t nfiles;
event *evs;
size_t nevs;
static size_t evs_cap;
proc *procs;
size_t nprocs;
static size_t procs_cap;
char **nodes;
size_t nnodes;
static size_t nodes_cap;

int node_index(const char *node)
{
    for (size_t i = 0; i < nnodes; i++)
        if (strcmp(nodes[i], node) == 0) return (int)i;
    PUSH(nodes, nnodes, nodes_cap, chart_strdup(node));
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
    if (n) return chart_strdup(n);
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%s?channel %u", f->node, ch);
    return chart_strdup(tmp);
}

int proc_find_or_add(const char *node, unsigned num, unsigned serial)
{
    char key[512];
    snprintf(key, sizeof key, "%s|%u.%u", node, num, serial);
    for (size_t i = 0; i < nprocs; i++)
        if (strcmp(procs[i].key, key) == 0) {
            return (int)i;
        }
    proc p = {0};
    p.node = chart_strdup(node);
    p.num = num;
    p.serial = serial;
    p.key = chart_strdup(key);
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
    int p = proc_find_or_add(node, b, c);
    free(node);
    return p;
}

/* The term with every pid written as #PID<node|n.s>, for matching. */
char *canon_term(int fi, const char *t)
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
    if (!s) return chart_strdup("-");
    char *tab = strchr(s, '\t');
    if (tab) {
        *tab = 0;
        *line = tab + 1;
    } else {
        *line = NULL;
    }
    return chart_strdup(s);
}

static void read_trace(int fi)
{
    tfile *f = &files[fi];
    FILE *in = fopen(f->path, "r");
    if (!in) chart_die("cannot read %s: %s", f->path, strerror(errno));
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
        for (int k = 0; k < K_NODEGONE; k++)
            if (strcmp(ks, kind_names[k]) == 0) e.kind = k;
        char *end = NULL;
        e.t = strtoll(ts, &end, 10);
        /* microseconds since the node started: a day is 8.64e10; far beyond
         * that, or negative, it is not a trace (and would overflow sums) */
        if (e.kind < 0 || !end || *end || e.t < 0 || e.t > 1000000000000000LL) {
            fprintf(stderr, "tapa-chart: %s:%zu: not a trace event, skipped\n", f->path, lineno);
            free(ts), free(ks);
            continue;
        }
        free(ts), free(ks);
        e.a = split_field(&rest);
        e.b = split_field(&rest);
        e.term = rest ? chart_strdup(rest) : chart_strdup("-");
        e.file = fi;
        e.seq = lineno;
        e.match = -1;
        e.row = -1;
        PUSH(evs, nevs, evs_cap, e);
    }
    free(line);
    fclose(in);
    /* this node's name and its channels come from the nodeup events */
    f->node = chart_strdup("");
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
                    if (e->file == (int)fi && tf < 0 && strcmp(peer, files[gi].node) == 0)
                        tf = e->t;
                    if (e->file == (int)gi && tg < 0 && strcmp(peer, files[fi].node) == 0)
                        tg = e->t;
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

/* by file, then line: each node's events as its trace has them */
static int cmp_event(const void *x, const void *y)
{
    const event *a = x, *b = y;
    if (a->file != b->file) return a->file - b->file;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

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
        return starts_with(r->canon, "{:DOWN, ") && lr > lt &&
               strcmp(r->canon + lr - lt, tail) == 0;
    }
    return false;
}

static bool is_delivery(const event *d)
{
    return (d->kind == K_SEND || d->kind == K_TRAP || d->kind == K_DOWN) && d->pb >= 0;
}

/* The order of the chart: each node's events in the order its trace has
 * them, and a message received only after it was sent. The clocks of two
 * nodes are aligned only roughly (on the moment they connected, which each
 * side notes at its own pace), so time alone can put a receive on one node
 * before the send on the other, and with it everything that node did next.
 * So: a merge of the traces, taking the earliest next event of any node,
 * except a receive whose message another node has yet to send. */
static bool *consumed; /* per event: a delivery some receive took */
static bool *emitted;

/* can the receive r happen now, given what is emitted? */
static bool receive_ready(const event *all, size_t n, const event *r)
{
    bool pending = false;
    /* {:DOWN, ref, :process, pid, why} and {:EXIT, pid, why} about a process
     * of another traced node come after that process's exit there */
    if (starts_with(r->canon, "{:DOWN, ") || starts_with(r->canon, "{:EXIT, "))
        for (size_t j = 0; j < n; j++) {
            const event *x = &all[j];
            if (x->kind != K_EXIT || emitted[j] || x->file == r->file) continue;
            char *who = canon_term(x->file, x->a);
            bool about = strstr(r->canon, who) != NULL;
            free(who);
            if (about) return false;
        }
    for (size_t j = 0; j < n; j++) {
        const event *d = &all[j];
        if (!is_delivery(d) || consumed[j] || !delivers(d, r)) continue;
        if (emitted[j]) return true;
        if (d->file != r->file) pending = true;
    }
    return !pending;
}

static void take_delivery(const event *all, size_t n, const event *r)
{
    for (size_t j = 0; j < n; j++)
        if (emitted[j] && !consumed[j] && is_delivery(&all[j]) && delivers(&all[j], r)) {
            consumed[j] = true;
            return;
        }
}

static void causal_merge(void)
{
    /* evs is sorted by file, then line: each file is one run of it */
    event *all = evs, *out = chart_realloc(NULL, (nevs ? nevs : 1) * sizeof *out);
    size_t *head = chart_realloc(NULL, (nfiles + 1) * sizeof *head),
           *stop = chart_realloc(NULL, (nfiles + 1) * sizeof *stop);
    consumed = chart_realloc(NULL, (nevs ? nevs : 1) * sizeof *consumed);
    emitted = chart_realloc(NULL, (nevs ? nevs : 1) * sizeof *emitted);
    memset(consumed, 0, (nevs ? nevs : 1) * sizeof *consumed);
    memset(emitted, 0, (nevs ? nevs : 1) * sizeof *emitted);
    for (size_t f = 0; f < nfiles; f++) head[f] = stop[f] = 0;
    for (size_t i = 0; i < nevs; i++) {
        size_t f = (size_t)all[i].file;
        if (stop[f] == 0) head[f] = i;
        stop[f] = i + 1;
    }
    long long now = 0;
    for (size_t k = 0; k < nevs; k++) {
        size_t best = nevs, any = nevs;
        for (size_t f = 0; f < nfiles; f++) {
            if (head[f] >= stop[f]) continue;
            const event *e = &all[head[f]];
            if (any == nevs || e->t < all[any].t) any = head[f];
            if (e->kind == K_RECEIVE && !receive_ready(all, nevs, e)) continue;
            if (best == nevs || e->t < all[best].t) best = head[f];
        }
        if (best == nevs) best = any; /* every node waits: take the earliest */
        if (all[best].kind == K_RECEIVE) take_delivery(all, nevs, &all[best]);
        emitted[best] = true;
        head[all[best].file]++;
        out[k] = all[best];
        if (out[k].t < now) out[k].t = now; /* shown times never run backwards */
        now = out[k].t;
    }
    evs = out;
    evs_cap = nevs;
    free(all);
    free(head);
    free(stop);
    free(consumed);
    free(emitted);
}

static void match_deliveries(void)
{
    /* the pairs, in the final order */
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
        if (r->kind == K_REGISTER && strcmp(files[r->file].node, n) == 0 &&
            strcmp(r->term, name) == 0)
            found = r->pa;
    }
    if (found < 0) {
        /* the other node was not traced: a column for the name itself */
        static unsigned fake = 1000000;
        found = proc_find_or_add(n, fake++, 0);
        procs[found].regname = atom_text(name);
    }
    free(n);
    return found;
}

int node_lane(int group)
{
    /* serial 0 and a number no process has: the node's own column */
    int p = proc_find_or_add(nodes[group], 3000000, 0);
    procs[p].lane = true;
    return p;
}

/* The peer that file fi's node was connected to last, at event i. */
static const char *connected_peer(size_t i)
{
    const char *peer = NULL;
    for (size_t j = 0; j < i; j++) {
        event *e = &evs[j];
        if (e->file != evs[i].file) continue;
        if (e->kind == K_NODEUP) peer = e->b;
        if (e->kind == K_NODEDOWN && peer && strcmp(peer, e->b) == 0) peer = NULL;
    }
    return peer;
}

/* {#Reference<...>, X}: X, or NULL */
static const char *ref_reply(const char *term)
{
    if (!starts_with(term, "{#Reference<")) return NULL;
    const char *p = strstr(term, ">, ");
    if (!p) return NULL;
    return p + 3;
}

/* Receives that no traced send explains are the runtime's own replies:
 * net_kernel's answer to a ping ({ref, :yes}, or {ref, :noconnection} when
 * no connection could be made) and a remote spawn's reply ({ref, pid}).
 * The chart draws what the program asked for instead: a ping and its pong
 * between the nodes, a spawn arrow. */
static void classify_receives(void)
{
    for (size_t i = 0; i < nevs; i++) {
        event *e = &evs[i];
        if (e->kind != K_RECEIVE || e->matched_to || e->pa < 0) continue;
        const char *x = ref_reply(e->term);
        if (!x) continue;
        if (strcmp(x, ":yes}") == 0 && connected_peer(i)) {
            e->role = R_PING_PONG;
            char *peer = atom_text(connected_peer(i));
            e->pb = node_lane(node_index(peer));
            free(peer);
        } else if (strcmp(x, ":noconnection}") == 0) {
            e->role = R_PING_PANG;
        } else if (starts_with(x, "#PID<")) {
            int spawned = -1;
            char *pid = chart_strdup(x);
            pid[strlen(pid) - 1] = 0;
            spawned = field_proc(e->file, pid);
            free(pid);
            for (size_t j = 0; j < nevs; j++)
                if (evs[j].kind == K_SPAWN && evs[j].pb == spawned && evs[j].pa == e->pa) {
                    e->role = R_SPAWN_REPLY;
                    e->hidden = true;
                }
        }
    }
}

/* A traced node whose trace stops while another node saw the connection
 * fail (not "the node stopped" on its own side, which is a clean exit) was
 * killed or crashed: the chart ends its processes there. */
static void find_gone_nodes(void)
{
    size_t n = nevs;
    for (size_t f = 0; f < nfiles; f++) {
        if (!*files[f].node) continue;
        bool said_down = false;
        for (size_t i = 0; i < n; i++)
            if (evs[i].file == (int)f && (evs[i].kind == K_NODEDOWN || evs[i].kind == K_EXIT))
                said_down = true;
        if (said_down) continue;
        for (size_t i = 0; i < n; i++) {
            event *e = &evs[i];
            if (e->kind != K_NODEDOWN || e->file == (int)f) continue;
            char *peer = atom_text(e->b);
            bool lost = strcmp(peer, files[f].node) == 0 && !strstr(e->term, "the node stopped");
            free(peer);
            if (!lost) continue;
            event g = *e;
            g.kind = K_NODEGONE;
            g.file = (int)f;
            g.a = g.b = g.term = g.canon = (char *)"-";
            g.pa = g.pb = -1;
            g.seq = (size_t)-1; /* after its file's last line */
            g.t = e->t - 1; /* before its peer noticed */
            PUSH(evs, nevs, evs_cap, g);
            break;
        }
    }
}

void chart_read(const char *const *paths, size_t npaths)
{
    files = chart_realloc(NULL, npaths * sizeof *files);
    for (size_t i = 0; i < npaths; i++) {
        files[i] = (tfile){.path = paths[i]};
        nfiles++;
        read_trace((int)i);
    }
    align_files();
    find_gone_nodes();
    qsort(evs, nevs, sizeof *evs, cmp_event);

    /* Each file's own node first, so its columns come first. */
    for (size_t i = 0; i < nfiles; i++) node_index(files[i].node);
    for (size_t i = 0; i < nevs; i++) {
        event *e = &evs[i];
        if (e->kind == K_NODEGONE) continue;
        bool nodeev = e->kind == K_NODEUP || e->kind == K_NODEDOWN;
        e->pa = nodeev ? -1 : field_proc(e->file, e->a);
        e->pb = nodeev ? -1 : field_proc(e->file, e->b);
        e->canon = canon_term(e->file, e->term);
        if (nodeev) {
            char *peer = atom_text(e->b);
            node_index(peer);
            free(peer);
        }
        if (e->kind == K_REGISTER && e->pa >= 0 && !procs[e->pa].regname)
            procs[e->pa].regname = atom_text(e->term);
    }
    /* a send to {name, node}: once every register of every node is known */
    for (size_t i = 0; i < nevs; i++)
        if (evs[i].kind == K_SEND && evs[i].pb < 0) evs[i].pb = resolve_name_send(&evs[i]);
    causal_merge();
    match_deliveries();
    classify_receives();
}
