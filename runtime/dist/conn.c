/* conn.c — connections to other nodes: looking up their port, the
 * handshake in either role, framing, ticks, and what a lost connection
 * means (nodedown). Connections are made on first use, as Erlang does.
 *
 * Output is gathered per peer and written once per loop turn (a libuv
 * prepare handle) so that a burst of sends costs one write, not one each.
 */
#include "dist/dist.h"
#include "trace/trace.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define FLUSH_NOW_BYTES (256u << 10) /* write at once past this much output */

/* The peer's host is looked up by libuv's resolver (on its thread pool):
 * a send that dials a new node never blocks the scheduler on DNS. */
typedef struct resolving {
    uv_getaddrinfo_t req;
    sock *s; /* NULL once the socket closed meanwhile */
    char host[HS_NAME_MAX];
} resolving;

static sock **socks; /* every open socket, for the setup timeout */
static size_t nsocks, socks_cap;
static uint64_t *sock_born;

uint64_t dist_now(void)
{
    return uv_now(sched_loop());
}

void dist_log(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fflush(stdout);
    fprintf(stderr, "tapa: [%s] ", dn.name[0] ? dn.name : "dist");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* ---------------------------------------------------------------- peers -- */

peer *peer_find(tapa_term node)
{
    for (peer *p = dn.peers; p; p = p->next)
        if (p->atom == node) return p;
    return NULL;
}

static peer *peer_find_name(const char *name)
{
    for (peer *p = dn.peers; p; p = p->next)
        if (strcmp(p->name, name) == 0) return p;
    return NULL;
}

static peer *peer_new(tapa_term atom, const char *name)
{
    peer *p = calloc(1, sizeof *p);
    if (!p) abort();
    snprintf(p->name, sizeof p->name, "%s", name);
    p->atom = atom;
    p->state = PEER_PENDING;
    p->pending_since_ms = dist_now();
    p->nodes_left = PEER_NODE_BUDGET;
    p->atoms_left = PEER_ATOM_BUDGET;
    p->next = dn.peers;
    dn.peers = p;
    return p;
}

static void peer_free(peer *pr)
{
    for (peer **pp = &dn.peers; *pp; pp = &(*pp)->next) {
        if (*pp != pr) continue;
        *pp = pr->next;
        break;
    }
    dbuf_free(&pr->queue);
    dbuf_free(&pr->out);
    free(pr->waiters);
    free(pr->suspended);
    free(pr);
}

/* ------------------------------------------------------------- waiters -- */

static void ref_words(tapa_term ref, uint32_t w[3])
{
    box_ref *r = (box_ref *)BOX_OF(ref);
    for (int i = 0; i < 3; i++) w[i] = i < (int)r->h.size ? r->words[i] : 0;
}

void waiter_add(peer *pr, tapa_term pid, tapa_term ref, bool link, bool watch)
{
    if (pr->nwaiters == pr->waiters_cap) {
        pr->waiters_cap = pr->waiters_cap ? pr->waiters_cap * 2 : 4;
        pr->waiters = realloc(pr->waiters, pr->waiters_cap * sizeof *pr->waiters);
        if (!pr->waiters) abort();
    }
    waiter *w = &pr->waiters[pr->nwaiters++];
    *w = (waiter){.pid = pid, .link = link, .monitor = watch};
    ref_words(ref, w->ref);
}

/* Only refs made here can be ours: anything else is not a waiter. */
bool waiter_take(peer *pr, tapa_term ref, waiter *out)
{
    if (!IS_BOX_TYPE(ref, BOX_REF) || ((box_ref *)BOX_OF(ref))->node != 0) return false;
    uint32_t w[3];
    ref_words(ref, w);
    for (uint32_t i = 0; i < pr->nwaiters; i++) {
        if (memcmp(pr->waiters[i].ref, w, sizeof w) != 0) continue;
        if (out) *out = pr->waiters[i];
        pr->waiters[i] = pr->waiters[--pr->nwaiters];
        return true;
    }
    return false;
}

/* --------------------------------------------------------------- socks -- */

static void sock_track(sock *s)
{
    if (nsocks == socks_cap) {
        socks_cap = socks_cap ? socks_cap * 2 : 16;
        socks = realloc(socks, socks_cap * sizeof *socks);
        sock_born = realloc(sock_born, socks_cap * sizeof *sock_born);
        if (!socks || !sock_born) abort();
    }
    sock_born[nsocks] = dist_now();
    socks[nsocks++] = s;
}

static void sock_untrack(sock *s)
{
    for (size_t i = 0; i < nsocks; i++) {
        if (socks[i] != s) continue;
        socks[i] = socks[--nsocks];
        sock_born[i] = sock_born[nsocks];
        return;
    }
}

static void on_handle_closed(uv_handle_t *h)
{
    sock *s = h->data;
    if (--s->open_handles > 0) return;
    hs_free(&s->hs);
    dbuf_free(&s->in);
    free(s);
}

static sock *sock_new(peer *pr, bool initiator)
{
    sock *s = calloc(1, sizeof *s);
    if (!s) abort();
    s->peer = pr;
    s->initiator = initiator;
    uv_tcp_init(sched_loop(), &s->tcp);
    s->tcp.data = s;
    s->open_handles = 1;
    sock_track(s);
    return s;
}

static void close_handle(uv_handle_t *h)
{
    if (!uv_is_closing(h)) uv_close(h, on_handle_closed);
}

/* Close the socket; the peer is told by the caller, if at all. */
static void sock_close(sock *s)
{
    if (s->stage == SK_CLOSING) return;
    s->stage = SK_CLOSING;
    if (s->resolving) { /* the lookup finishes on its own and finds no socket */
        ((resolving *)s->resolving)->s = NULL;
        s->resolving = NULL;
    }
    sock_untrack(s);
    if (s->peer) {
        if (s->peer->up == s) s->peer->up = NULL;
        if (s->peer->trying == s) s->peer->trying = NULL;
    }
    s->peer = NULL;
    close_handle((uv_handle_t *)&s->tcp);
    if (s->open_handles > 1) close_handle((uv_handle_t *)&s->epmd);
}

/* A socket failed: if it carried (or was bringing up) its peer, the peer
 * is down; a socket that lost a simultaneous connect goes quietly. */
static void sock_fail(sock *s, const char *why)
{
    peer *pr = s->peer;
    bool matters = pr && !s->quiet && (pr->up == s || pr->trying == s);
    sock_close(s);
    if (matters) peer_drop(pr, why);
}

/* ---------------------------------------------------------------- write -- */

typedef struct wreq {
    uv_write_t req;
    uint8_t *data;
    sock *s;
} wreq;

static size_t peer_backlog(const peer *pr);

/* ------------------------------------------------------ back-pressure -- */

/* A process that sends to a peer whose output is over the limit waits
 * (as BEAM suspends a sender on a busy distribution port) until the
 * output has drained to half the limit, or the peer is gone. Nothing it
 * sent is dropped while the connection lives. */
static void suspend_add(peer *pr, tapa_term pid)
{
    for (uint32_t i = 0; i < pr->nsuspended; i++)
        if (pr->suspended[i] == pid) return;
    if (pr->nsuspended == pr->suspended_cap) {
        pr->suspended_cap = pr->suspended_cap ? pr->suspended_cap * 2 : 8;
        pr->suspended = realloc(pr->suspended, pr->suspended_cap * sizeof *pr->suspended);
        if (!pr->suspended) abort();
    }
    pr->suspended[pr->nsuspended++] = pid;
}

static void suspend_remove(peer *pr, tapa_term pid)
{
    for (uint32_t i = 0; i < pr->nsuspended; i++)
        if (pr->suspended[i] == pid) {
            pr->suspended[i] = pr->suspended[--pr->nsuspended];
            return;
        }
}

static void wake_suspended(peer *pr)
{
    for (uint32_t i = 0; i < pr->nsuspended; i++) {
        process *p = proc_lookup(pr->suspended[i]);
        if (p && p->state == PS_WAITING) sched_make_runnable(p);
    }
    pr->nsuspended = 0;
}

/* Output went out: note the progress, and let the senders go on once
 * the backlog is down to half the limit. */
static void peer_drained(peer *pr)
{
    pr->last_drain_ms = dist_now();
    if (pr->nsuspended && peer_backlog(pr) <= dn.max_output / 2) wake_suspended(pr);
}

void dist_throttle(tapa_term node)
{
    process *p = proc_current();
    if (!p || p->state != PS_RUNNING) return;
    for (;;) {
        peer *pr = peer_find(node);
        if (!pr || pr->state == PEER_DOWN || peer_backlog(pr) <= dn.max_output) {
            if (pr) suspend_remove(pr, p->pid);
            return;
        }
        if (!pr->nsuspended) pr->last_drain_ms = dist_now(); /* the stall is timed from here */
        suspend_add(pr, p->pid);
        sched_wait(p, -1); /* a message may wake it early: check again */
    }
}

static void on_written(uv_write_t *req, int status)
{
    wreq *w = (wreq *)req;
    sock *s = w->s;
    free(w->data);
    free(w);
    /* a failed write shows up as a read error too */
    if (status == 0 && s->stage == SK_UP && s->peer && s->peer->up == s) peer_drained(s->peer);
}

/* Write now: what the socket does not take at once goes to libuv's queue. */
static void sock_write(sock *s, dbuf *b)
{
    if (!b->len || s->stage == SK_CLOSING) {
        b->len = 0;
        return;
    }
    size_t done = 0;
    if (uv_stream_get_write_queue_size((uv_stream_t *)&s->tcp) == 0) {
        uv_buf_t buf = uv_buf_init((char *)b->data, (unsigned)b->len);
        int n = uv_try_write((uv_stream_t *)&s->tcp, &buf, 1);
        if (n > 0) done = (size_t)n;
    }
    if (done < b->len) {
        wreq *w = malloc(sizeof *w);
        if (!w) abort();
        w->s = s;
        w->data = malloc(b->len - done);
        if (!w->data) abort();
        memcpy(w->data, b->data + done, b->len - done);
        uv_buf_t buf = uv_buf_init((char *)w->data, (unsigned)(b->len - done));
        if (uv_write(&w->req, (uv_stream_t *)&s->tcp, &buf, 1, on_written) != 0) {
            free(w->data);
            free(w);
        }
    } else if (s->peer && s->peer->up == s) {
        b->len = 0;
        peer_drained(s->peer); /* all of it went at once */
    }
    b->len = 0;
}

static void on_flush(uv_prepare_t *h)
{
    (void)h;
    peer_flush_all();
}

/* Bytes on their way to the peer: queued while it connects, gathered for
 * the next flush, and what libuv holds because the socket would block. */
static size_t peer_backlog(const peer *pr)
{
    size_t n = pr->queue.len + pr->out.len;
    if (pr->up) n += uv_stream_get_write_queue_size((const uv_stream_t *)&pr->up->tcp);
    return n;
}

static void start_flusher(void)
{
    if (dn.flusher_on || !dn.h) return;
    uv_prepare_start(&dn.h->flusher, on_flush);
    dn.flusher_on = true;
}

/* Senders wait past dn.max_output (dist_throttle); what is queued from
 * outside any process (replies, exit signals) cannot wait, so a hard cap
 * bounds memory: past it the peer is dropped (in the flusher, not inside
 * the send that crossed it: the sender's own links may break with it). */
#define HARD_CAP_FACTOR 4

static bool over_limit(peer *pr)
{
    if (pr->overflow) return true;
    size_t backlog = peer_backlog(pr);
    if (backlog <= dn.max_output * HARD_CAP_FACTOR) return false;
    pr->overflow = true;
    snprintf(pr->overflow_why, sizeof pr->overflow_why,
             "%zu bytes of output are waiting (the limit is %zu): the peer does not read", backlog,
             dn.max_output * HARD_CAP_FACTOR);
    dbuf_free(&pr->queue);
    dbuf_free(&pr->out);
    start_flusher();
    return true;
}

void peer_flush_all(void)
{
    for (peer *p = dn.peers, *next; p; p = next) {
        next = p->next;
        if (p->overflow && p->state != PEER_DOWN) {
            dist_log("closing the connection to %s: %s", p->name, p->overflow_why);
            peer_drop(p, p->overflow_why);
            next = dn.peers; /* the list may have changed: start over */
            continue;
        }
        if (p->state == PEER_UP && p->up && p->out.len) sock_write(p->up, &p->out);
    }
    if (dn.flusher_on) {
        uv_prepare_stop(&dn.h->flusher);
        dn.flusher_on = false;
    }
}

static void frame_into(dbuf *b, const dbuf *packet)
{
    dbuf_u32(b, (uint32_t)packet->len);
    dbuf_put(b, packet->data, packet->len);
}

void peer_send(peer *pr, const dbuf *packet)
{
    if (pr->state == PEER_DOWN || over_limit(pr)) return;
    if (pr->state == PEER_PENDING) {
        frame_into(&pr->queue, packet);
        over_limit(pr);
        return;
    }
    frame_into(&pr->out, packet);
    pr->last_send_ms = dist_now();
    if (pr->out.len >= FLUSH_NOW_BYTES) {
        sock_write(pr->up, &pr->out);
        over_limit(pr);
    } else {
        start_flusher();
    }
}

static void send_tick(peer *pr)
{
    static const uint8_t zero[4];
    dbuf_put(&pr->out, zero, 4);
    pr->last_send_ms = dist_now();
    sock_write(pr->up, &pr->out);
}

/* ----------------------------------------------------------------- read -- */

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)h;
    static char slab[64 * 1024]; /* one thread, and on_read copies it out */
    (void)suggested;
    *buf = uv_buf_init(slab, sizeof slab);
}

/* Frames of the connected phase: Len:32 | packet; 0 is a tick. */
static void sock_frames(sock *s)
{
    size_t pos = 0;
    while (s->stage == SK_UP && s->in.len - pos >= 4) {
        const uint8_t *p = s->in.data + pos;
        size_t len = (size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3];
        if (len > dn.max_packet) {
            char why[128];
            snprintf(why, sizeof why, "a packet of %zu bytes (the limit is %zu)", len,
                     dn.max_packet);
            dist_log("closing the connection to %s: %s", s->peer->name, why);
            sock_fail(s, why);
            return;
        }
        if (s->in.len - pos - 4 < len) break;
        pos += 4 + len;
        peer *pr = s->peer;
        if (len == 0) {
            uint64_t quiet = dn.ticktime_ms / 4 < 1000 ? dn.ticktime_ms / 4 : 1000;
            if (dist_now() - pr->last_send_ms >= quiet) send_tick(pr); /* answer it */
            continue;
        }
        ctrl_packet(pr, p + 4, len);
    }
    if (s->stage == SK_CLOSING || pos == 0) return;
    memmove(s->in.data, s->in.data + pos, s->in.len - pos);
    s->in.len -= pos;
}

static void sock_up(sock *s);

static void sock_handshake(sock *s, const uint8_t *data, size_t n)
{
    hs_result r = hs_feed(&s->hs, data, n);
    sock_write(s, &s->hs.out);
    if (r == HS_FAIL) {
        const char *who = s->hs.peer_name[0] ? s->hs.peer_name : "an unknown node";
        if (s->hs.status && strcmp(s->hs.status, "nok") == 0) {
            s->quiet = true; /* the peer's own attempt will bring the connection up */
        } else {
            dist_log("connection %s %s refused: %s", s->initiator ? "to" : "from", who, s->hs.why);
        }
        sock_fail(s, s->hs.why);
        return;
    }
    if (r == HS_DONE) sock_up(s);
}

static void on_read(uv_stream_t *st, ssize_t n, const uv_buf_t *buf)
{
    sock *s = st->data;
    if (n < 0) {
        if (s->stage == SK_UP && s->peer && dn.verbose)
            dist_log("lost the connection to %s (%s)", s->peer->name, uv_strerror((int)n));
        else if (s->stage == SK_HANDSHAKE && !s->quiet)
            dist_log("connection %s %s closed during the handshake (wrong cookie?)",
                     s->initiator ? "to" : "from",
                     s->hs.peer_name[0] ? s->hs.peer_name : "an unknown node");
        sock_fail(s, n == UV_EOF ? "connection closed" : uv_strerror((int)n));
        return;
    }
    if (n == 0) return;
    if (s->stage == SK_HANDSHAKE) {
        sock_handshake(s, (const uint8_t *)buf->base, (size_t)n);
        return;
    }
    if (s->stage != SK_UP) return;
    s->peer->last_recv_ms = dist_now();
    dbuf_put(&s->in, buf->base, (size_t)n);
    sock_frames(s);
}

/* ----------------------------------------------------------- coming up -- */

#define INCARNATIONS_KEPT 4

/* The name and incarnation of a peer that proved the cookie, as an atom
 * and a node-table entry; false (and why) when a table is full: that one
 * connection is refused, the node lives on. */
static bool peer_identity(sock *s, tapa_term *atom, uint32_t *index, const char **why)
{
    const char *name = s->hs.peer_name;
    *atom = s->peer ? s->peer->atom : atom_lookup(name, strlen(name));
    if (!*atom && atom_name_valid(name, strlen(name))) *atom = atom_intern(name, strlen(name));
    if (!*atom) {
        *why = "the atom table is full: no atom for its name";
        return false;
    }
    if (node_index_recycling(*atom, s->hs.peer_creation, INCARNATIONS_KEPT, index)) return true;
    *why = "the node table is full";
    return false;
}

static void sock_up(sock *s)
{
    tapa_term atom;
    uint32_t index;
    const char *why;
    if (!peer_identity(s, &atom, &index, &why)) {
        dist_log("connection %s %s refused: %s", s->initiator ? "to" : "from", s->hs.peer_name,
                 why);
        sock_fail(s, why);
        return;
    }
    peer *pr = s->peer;
    if (!pr) { /* accepted: now we know and trust the name */
        pr = peer_find(atom);
        if (pr && pr->state == PEER_UP) peer_drop(pr, "replaced by a new connection");
        pr = peer_find(atom);
        if (!pr) pr = peer_new(atom, s->hs.peer_name);
        if (pr->trying) {
            pr->trying->quiet = true;
            sock_close(pr->trying); /* simultaneous connect: the peer's attempt won */
        }
        s->peer = pr;
    }
    s->stage = SK_UP;
    sock_untrack(s);
    pr->up = s;
    pr->trying = NULL;
    pr->state = PEER_UP;
    pr->flags = s->hs.peer_flags;
    pr->node_index = index;
    etf_trust_node(pr->atom, s->hs.peer_creation);
    pr->last_recv_ms = pr->last_send_ms = pr->last_drain_ms = dist_now();
    TRACE(TR_NODE_UP, dn.atom, pr->atom, tapa_int(node_at(pr->node_index)->channel));
    /* handshake bytes that ran on into the first frames */
    dbuf_put(&s->in, s->hs.in.data, s->hs.in.len);
    s->hs.in.len = 0;
    if (dn.verbose) dist_log("connected to %s", pr->name);
    dbuf_put(&pr->out, pr->queue.data, pr->queue.len);
    dbuf_free(&pr->queue);
    sock_write(s, &pr->out);
    sock_frames(s);
}

static uint32_t random32(void)
{
    uint32_t v = 0;
    if (uv_random(NULL, NULL, &v, sizeof v, 0, NULL) != 0) abort(); /* no CSPRNG: refuse to guess */
    return v;
}

static void start_handshake(sock *s)
{
    s->stage = SK_HANDSHAKE;
    uv_tcp_nodelay(&s->tcp, 1);
    if (s->initiator) {
        hs_init_initiator(&s->hs, dn.name, s->peer->name, dn.cookie, dn.creation, random32());
        sock_write(s, &s->hs.out);
    }
    uv_read_start((uv_stream_t *)&s->tcp, on_alloc, on_read);
}

static void on_node_connected(uv_connect_t *req, int status)
{
    sock *s = req->data;
    if (s->stage == SK_CLOSING) return;
    if (status < 0) {
        sock_fail(s, uv_strerror(status));
        return;
    }
    start_handshake(s);
}

static void connect_node(sock *s, uint16_t port)
{
    s->stage = SK_CONNECT;
    ((struct sockaddr_in *)&s->addr)->sin_port = htons(port); /* same offset for IPv6 */
    s->creq.data = s;
    int rc = uv_tcp_connect(&s->creq, &s->tcp, (struct sockaddr *)&s->addr, on_node_connected);
    if (rc < 0) sock_fail(s, uv_strerror(rc));
}

/* --------------------------------------------------- the port lookup -- */

static void on_epmd_read(uv_stream_t *st, ssize_t n, const uv_buf_t *buf)
{
    sock *s = st->data;
    if (s->stage != SK_EPMD) return;
    if (n > 0) dbuf_put(&s->in, buf->base, (size_t)n);
    uint16_t port = 0;
    int r = epmd_port_please_parse(s->in.data, s->in.len, &port);
    if (r == -1 && n >= 0) return;
    s->in.len = 0;
    uv_read_stop(st);
    close_handle((uv_handle_t *)&s->epmd);
    if (r == 0) {
        connect_node(s, port);
    } else {
        char why[HS_NAME_MAX + 64];
        snprintf(why, sizeof why, "%s is not registered with the port mapper on its host",
                 s->peer ? s->peer->name : "the node");
        sock_fail(s, why);
    }
}

static void on_epmd_connected(uv_connect_t *req, int status)
{
    sock *s = req->data;
    if (s->stage != SK_EPMD) return;
    if (status < 0) {
        sock_fail(s, "no port mapper answers on the peer's host");
        return;
    }
    dbuf b = {0};
    const char *at = strchr(s->peer->name, '@');
    char alive[HS_NAME_MAX];
    snprintf(alive, sizeof alive, "%.*s", (int)(at - s->peer->name), s->peer->name);
    epmd_port_please_req(&b, alive);
    uv_buf_t buf = uv_buf_init((char *)b.data, (unsigned)b.len);
    uv_try_write((uv_stream_t *)&s->epmd, &buf, 1); /* tiny: the socket takes it whole */
    dbuf_free(&b);
    uv_read_start((uv_stream_t *)&s->epmd, on_alloc, on_epmd_read);
}

static void dial_epmd(sock *s)
{
    s->stage = SK_EPMD;
    uv_tcp_init(sched_loop(), &s->epmd);
    s->epmd.data = s;
    s->open_handles++;
    struct sockaddr_storage ea = s->addr;
    ((struct sockaddr_in *)&ea)->sin_port = htons(EPMD_PORT);
    s->creq.data = s;
    int rc = uv_tcp_connect(&s->creq, &s->epmd, (struct sockaddr *)&ea, on_epmd_connected);
    if (rc < 0) sock_fail(s, uv_strerror(rc));
}

static void on_resolved(uv_getaddrinfo_t *req, int status, struct addrinfo *res)
{
    resolving *r = (resolving *)req;
    sock *s = r->s;
    if (s) s->resolving = NULL;
    if (s && s->stage == SK_RESOLVE) {
        if (status == 0 && res) {
            memcpy(&s->addr, res->ai_addr, res->ai_addrlen);
            dial_epmd(s);
        } else {
            char why[HS_NAME_MAX + 64];
            snprintf(why, sizeof why, "cannot resolve the host %s (%s)", r->host,
                     uv_strerror(status ? status : UV_EAI_NONAME));
            sock_fail(s, why);
        }
    }
    if (res) uv_freeaddrinfo(res);
    free(r);
}

static void start_connect(peer *pr)
{
    sock *s = sock_new(pr, true);
    pr->trying = s;
    s->stage = SK_RESOLVE;
    resolving *r = calloc(1, sizeof *r);
    if (!r) abort();
    r->s = s;
    snprintf(r->host, sizeof r->host, "%s", strchr(pr->name, '@') + 1);
    s->resolving = r;
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    int rc = uv_getaddrinfo(sched_loop(), &r->req, on_resolved, r->host, NULL, &hints);
    if (rc < 0) {
        s->resolving = NULL;
        free(r);
        char why[300];
        snprintf(why, sizeof why, "cannot resolve the host %s (%s)", strchr(pr->name, '@') + 1,
                 uv_strerror(rc));
        sock_fail(s, why);
    }
}

peer *peer_connect(tapa_term node)
{
    peer *pr = peer_find(node);
    if (pr && pr->state != PEER_DOWN) return pr;
    size_t len;
    const char *name = atom_text(node, &len);
    const char *at = name ? memchr(name, '@', len) : NULL;
    if (!dn.alive || !at || at == name || (size_t)(at - name) == len - 1 || len >= HS_NAME_MAX)
        return NULL;
    if (node == dn.atom) return NULL;
    pr = peer_new(node, name);
    start_connect(pr);
    /* start_connect may already have failed and dropped the peer */
    return peer_find(node);
}

/* ------------------------------------------------------------ accepting -- */

/* The acceptor's status: see erl_dist_protocol "simultaneous connect". */
static const char *status_for(void *ctx, handshake *hs)
{
    sock *s = ctx;
    (void)s;
    if (strcmp(hs->peer_name, dn.name) == 0) return "not_allowed";
    peer *pr = peer_find_name(hs->peer_name);
    if (!pr || pr->state == PEER_DOWN) return "ok";
    if (pr->state == PEER_UP) return "alive";
    if (!pr->trying) return "ok";
    /* The peer's attempt wins, but nothing it says counts before it has
     * proved the cookie: our own attempt is closed in sock_up, and until
     * then a stranger using the peer's name cannot cancel it. (The real
     * peer answers our attempt with nok, which closes it quietly.) */
    if (strcmp(hs->peer_name, dn.name) > 0) return "ok_simultaneous";
    return "nok";
}

/* Handshakes in progress are bounded: past the limit the oldest accepted
 * one (it had the most time to finish) makes room, so strangers that open
 * connections and say nothing neither exhaust our descriptors nor lock
 * real peers out. */
#define MAX_PENDING_ACCEPTS 256

static void bound_pending_accepts(void)
{
    size_t pending = 0, oldest = SIZE_MAX;
    for (size_t i = 0; i < nsocks; i++) {
        if (socks[i]->initiator) continue;
        pending++;
        if (oldest == SIZE_MAX || sock_born[i] < sock_born[oldest]) oldest = i;
    }
    if (pending < MAX_PENDING_ACCEPTS || oldest == SIZE_MAX) return;
    static uint64_t last_log;
    if (dist_now() - last_log > 1000) { /* once a second at most: a flood must not flood the log */
        dist_log("%zu handshakes in progress (the limit is %d): closing the oldest", pending,
                 MAX_PENDING_ACCEPTS);
        last_log = dist_now();
    }
    sock_fail(socks[oldest], "too many handshakes in progress");
}

void sock_accepted(uv_stream_t *server)
{
    bound_pending_accepts();
    sock *s = sock_new(NULL, false);
    if (uv_accept(server, (uv_stream_t *)&s->tcp) != 0) {
        sock_close(s); /* accept failed */
        return;
    }
    hs_init_acceptor(&s->hs, dn.name, dn.cookie, dn.creation, random32(), status_for, s);
    start_handshake(s);
}

/* ------------------------------------------------------------ nodedown -- */

void peer_drop(peer *pr, const char *why)
{
    if (pr->state == PEER_DOWN) return;
    bool was_up = pr->state == PEER_UP;
    pr->state = PEER_DOWN;
    wake_suspended(pr); /* they find the peer gone; nodedown tells the rest */
    if (was_up) TRACE(TR_NODE_DOWN, dn.atom, pr->atom, tapa_atom(why));
    if (pr->up) sock_close(pr->up);
    if (pr->trying) sock_close(pr->trying);
    if (!was_up && dn.verbose) dist_log("cannot connect to %s: %s", pr->name, why);
    if (!dn.stopping) nodedown_local(pr); /* links, monitors, waiters, monitor_node */
    peer_free(pr);
}

/* Every ticktime/4 (and at least each second, for the setup timeout). */
void dist_tick(void)
{
    uint64_t now = dist_now();
    for (size_t i = nsocks; i-- > 0;) {
        if (i >= nsocks || now - sock_born[i] <= dn.setup_ms) continue;
        sock *s = socks[i];
        const char *who = s->peer ? s->peer->name : s->hs.peer_name[0] ? s->hs.peer_name : "a node";
        dist_log("connection setup with %s timed out", who);
        sock_fail(s, "setup timeout");
    }
    for (peer *p = dn.peers, *next; p; p = next) {
        next = p->next;
        if (p->state == PEER_PENDING && !p->trying && now - p->pending_since_ms > dn.setup_ms) {
            peer_drop(p, "setup timeout");
        } else if (p->state == PEER_UP && p->up && peer_backlog(p) > 0 &&
                   uv_stream_get_write_queue_size((uv_stream_t *)&p->up->tcp) > 0 &&
                   now - p->last_drain_ms > dn.ticktime_ms) {
            char why[HS_NAME_MAX + 96];
            snprintf(why, sizeof why, "%s read nothing of our output for %llu ms: net_tick_timeout",
                     p->name, (unsigned long long)(now - p->last_drain_ms));
            dist_log("%s", why);
            peer_drop(p, "net_tick_timeout");
        } else if (p->state == PEER_UP && now - p->last_recv_ms > dn.ticktime_ms) {
            dist_log("%s did not answer for %llu ms: net_tick_timeout", p->name,
                     (unsigned long long)(now - p->last_recv_ms));
            peer_drop(p, "net_tick_timeout");
        } else if (p->state == PEER_UP && now - p->last_send_ms >= dn.ticktime_ms / 4) {
            send_tick(p);
        }
    }
}

/* Node stop: every connection goes (the peers see us leave). */
void dist_close_all(void)
{
    while (dn.peers) peer_drop(dn.peers, "the node stopped");
    while (nsocks) sock_close(socks[nsocks - 1]); /* the node stopped */
    free(socks);
    free(sock_born);
    socks = NULL;
    sock_born = NULL;
    socks_cap = 0;
}
