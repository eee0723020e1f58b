/* dist_abuse.c — a peer with the cookie tries to end a node (run by
 * interop.sh against a tapa-node; erl then pings it).
 *
 *   dist_abuse TARGET COOKIE TAG
 *
 * Each attack may close its own connection, never the node:
 *   - a handshake name that is not valid UTF-8 (it aborted the node);
 *   - 8,300 handshakes under one name with new creations (the node table
 *     has 8,191 entries: reconnections must reuse them);
 *   - packets of new atoms until the node refuses more (then a peer with a
 *     new name must still connect: its atom comes from a reserve);
 *   - pids of 600 made-up node incarnations from one peer (that peer is
 *     cut off; another peer's pid of a third node is still accepted);
 *   - a small compressed packet that inflates to a huge list (it cost
 *     gigabytes and tens of seconds before);
 *   - a peer that asks for lots of output and dies without reading it (the
 *     node died of SIGPIPE).
 * One line per check, "ok ..." or "FAIL ...", then "abuse done: N failure(s)".
 * Only the pure parts of libtapa are used (handshake, byte buffers, port
 * mapper requests): this program is not a node.
 */
#include "tapa.h"
#include "dist/epmd.h"
#include "dist/etf.h"
#include "dist/handshake.h"
#include "raw_peer.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

static const char *target, *cookie, *tag;
static uint16_t port;
static int failures;

static void check(bool ok, const char *what)
{
    printf("%s %s\n", ok ? "ok" : "FAIL", what);
    fflush(stdout);
    if (!ok) failures++;
}

/* A handshake as `me` (creation given); the socket, or -1 if refused. */
static int connect_as(const char *me, uint32_t creation)
{
    int fd = dial(port);
    if (fd < 0) return -1;
    handshake hs;
    hs_init_initiator(&hs, me, target, cookie, creation, 0x5eed1234);
    hs_result r = HS_MORE;
    while (r == HS_MORE) {
        if (hs.out.len && !send_all(fd, hs.out.data, hs.out.len)) break;
        hs.out.len = 0;
        uint8_t buf[4096];
        ssize_t n = read_some(fd, buf, sizeof buf, 3000);
        if (n <= 0) break;
        r = hs_feed(&hs, buf, (size_t)n);
    }
    hs_free(&hs);
    if (r != HS_DONE) {
        close(fd);
        return -1;
    }
    return fd;
}

/* ---------------------------------------------------- terms by hand -- */

static void e_atom(dbuf *b, const char *s)
{
    dbuf_u8(b, 119);
    dbuf_u8(b, (uint8_t)strlen(s));
    dbuf_put(b, s, strlen(s));
}

static void e_pid(dbuf *b, const char *node, uint32_t id, uint32_t creation)
{
    dbuf_u8(b, 88);
    e_atom(b, node);
    dbuf_u32(b, id);
    dbuf_u32(b, 0);
    dbuf_u32(b, creation);
}

/* Len | 112 | 131 {6, From, '', To} | 131 payload (payload: its bytes after 131). */
static void reg_send(dbuf *out, const char *me, const char *to, const dbuf *payload)
{
    dbuf body = {0};
    dbuf_u8(&body, 112);
    dbuf_u8(&body, 131);
    dbuf_u8(&body, 104);
    dbuf_u8(&body, 4);
    dbuf_u8(&body, 97);
    dbuf_u8(&body, 6);
    e_pid(&body, me, 1, 1);
    e_atom(&body, "");
    e_atom(&body, to);
    dbuf_put(&body, payload->data, payload->len);
    dbuf_u32(out, (uint32_t)body.len);
    dbuf_put(out, body.data, body.len);
    dbuf_free(&body);
}

/* Read frames for up to ms; true if one holds the bytes pat. */
static bool reply_has(int fd, const void *pat, size_t n, int ms)
{
    dbuf in = {0};
    bool found = false;
    for (int waited = 0; waited < ms && !found; waited += 50) {
        uint8_t buf[65536];
        ssize_t r = read_some(fd, buf, sizeof buf, 50);
        if (r < 0) break;
        if (r > 0) dbuf_put(&in, buf, (size_t)r);
        for (size_t i = 0; !found && in.len >= n && i <= in.len - n; i++)
            found = memcmp(in.data + i, pat, n) == 0;
    }
    dbuf_free(&in);
    return found;
}

/* {From, Msg} to echo; Msg's bytes are given. From is (node, id). */
static void echo_req(dbuf *out, const char *me, const char *from_node, uint32_t from_id,
                     const dbuf *msg)
{
    dbuf p = {0};
    dbuf_u8(&p, 131);
    dbuf_u8(&p, 104);
    dbuf_u8(&p, 2);
    e_pid(&p, from_node, from_id, 1);
    dbuf_put(&p, msg->data, msg->len);
    reg_send(out, me, "echo", &p);
    dbuf_free(&p);
}

static bool echo_works(const char *me)
{
    int fd = connect_as(me, 7);
    if (fd < 0) return false;
    dbuf m = {0}, out = {0};
    dbuf_u8(&m, 109); /* a binary: after an atom flood no new atom may come */
    dbuf_u32(&m, 10);
    dbuf_put(&m, "still_here", 10);
    echo_req(&out, me, me, 1, &m);
    bool ok = send_all(fd, out.data, out.len) && reply_has(fd, "still_here", 10, 3000);
    dbuf_free(&m);
    dbuf_free(&out);
    close(fd);
    return ok;
}

/* ----------------------------------------------------------- attacks -- */

static void bad_utf8_name(void)
{
    char me[64];
    snprintf(me, sizeof me, "\xff\xfe%s@127.0.0.1", tag);
    check(connect_as(me, 1) < 0, "a handshake name that is not UTF-8 is refused");
    snprintf(me, sizeof me, "u8%s@127.0.0.1", tag);
    check(echo_works(me), "the node still answers after a name that is not UTF-8");
}

static void many_creations(void)
{
    char me[64];
    snprintf(me, sizeof me, "cre%s@127.0.0.1", tag);
    int accepted = 0;
    for (uint32_t c = 1; c <= 8300; c++) {
        int fd = connect_as(me, 1000 + c);
        if (fd >= 0) accepted++, close(fd);
    }
    char what[128];
    snprintf(what, sizeof what, "8300 handshakes under one name with new creations: %d accepted",
             accepted);
    check(accepted == 8300, what);
    check(echo_works(me), "the node answers under that name after them");
}

/* One peer is cut off at its own budget; peers that keep coming under new
 * names reach the ceiling for atoms from the network, short of the table's
 * end: a new peer's name (and erl's ping) still get their atoms. */
static void atom_flood(void)
{
    char me[64], a[64];
    int packets = 0, cut = 0;
    for (int conn = 0; conn < 18; conn++) {
        snprintf(me, sizeof me, "af%d_%s@127.0.0.1", conn, tag);
        int fd = connect_as(me, 1);
        if (fd < 0) break;
        bool closed = false;
        for (int k = 0; k < 40 && !closed; k++, packets++) {
            dbuf p = {0}, out = {0};
            dbuf_u8(&p, 131);
            dbuf_u8(&p, 108);
            dbuf_u32(&p, 9000);
            for (int i = 0; i < 9000; i++) {
                snprintf(a, sizeof a, "f%s_%d_%d", tag, packets, i);
                e_atom(&p, a);
            }
            dbuf_u8(&p, 106);
            reg_send(&out, me, "nobody_here", &p);
            closed = !send_all(fd, out.data, out.len);
            dbuf_free(&p);
            dbuf_free(&out);
        }
        if (!closed) closed = closed_within(fd, 10000);
        cut += closed;
        close(fd);
    }
    char what[128];
    snprintf(what, sizeof what,
             "18 peers that flood atoms are each cut off (%d were; %d packets of 9000)", cut,
             packets);
    check(cut == 18, what);
    snprintf(me, sizeof me, "fresh%s@127.0.0.1", tag);
    check(echo_works(me), "a peer with a new name still connects after the atom flood");
}

static void made_up_nodes(void)
{
    char me[64], node[64];
    snprintf(me, sizeof me, "mu%s@127.0.0.1", tag);
    int fd = connect_as(me, 1);
    check(fd >= 0, "the inventor of nodes connects");
    if (fd < 0) return;
    bool closed = false;
    int i = 0;
    for (; i < 600 && !closed; i++) {
        dbuf m = {0}, out = {0};
        snprintf(node, sizeof node, "madeup%d_%s@nowhere", i, tag);
        dbuf_u8(&m, 104); /* {pid} as the message */
        dbuf_u8(&m, 1);
        e_pid(&m, node, 1, 1);
        echo_req(&out, me, me, 1, &m);
        closed = !send_all(fd, out.data, out.len);
        dbuf_free(&m);
        dbuf_free(&out);
    }
    if (!closed) closed = closed_within(fd, 3000);
    close(fd);
    check(closed, "a peer that names 600 made-up node incarnations is cut off");
    /* another peer: a pid of a third node in its message is fine */
    snprintf(me, sizeof me, "legit%s@127.0.0.1", tag);
    fd = connect_as(me, 1);
    dbuf m = {0}, out = {0};
    e_pid(&m, "third@elsewhere", 5, 3);
    echo_req(&out, me, me, 1, &m);
    bool ok =
        fd >= 0 && send_all(fd, out.data, out.len) && reply_has(fd, "third@elsewhere", 15, 3000);
    check(ok, "another peer's pid of a third node is still accepted and echoed");
    dbuf_free(&m);
    dbuf_free(&out);
    if (fd >= 0) close(fd);
}

/* Strangers that open connections and say nothing: the node keeps a
 * bounded number of handshakes in progress (the oldest give way), so its
 * descriptors stay bounded and a real peer still gets in. */
static void silent_strangers(void)
{
    enum { N = 1000 };
    static int fds[N];
    int opened = 0;
    for (; opened < N; opened++)
        if ((fds[opened] = dial(port)) < 0) break;
    usleep(300000);
    const char *pid = getenv("ABUSE_NODE_PID");
    int node_fds = -1;
    if (pid) {
        char cmd[96];
        snprintf(cmd, sizeof cmd, "ls /proc/%s/fd | wc -l", pid);
        FILE *f = popen(cmd, "r");
        if (f && fscanf(f, "%d", &node_fds) != 1) node_fds = -1;
        if (f) pclose(f);
    }
    char me[64], what[160];
    snprintf(me, sizeof me, "amid%s@127.0.0.1", tag);
    check(echo_works(me), "a real peer connects while 1000 silent connections are open");
    snprintf(what, sizeof what,
             "%d silent connections: the node holds %d descriptors (at most ~300)", opened,
             node_fds);
    check(!pid || (node_fds > 0 && node_fds < 320), what);
    for (int i = 0; i < opened; i++) close(fds[i]);
}

/* A big legitimate term (2 Mi integers, ~150 MB of boxes while decoded)
 * to a name nobody has: once it is gone its memory goes back to the
 * system (interop.sh compares the node's RSS before and after). */
static void big_term(void)
{
    char me[64];
    snprintf(me, sizeof me, "big%s@127.0.0.1", tag);
    int fd = connect_as(me, 1);
    if (fd < 0) {
        check(false, "the big sender connects");
        return;
    }
    size_t n = 2u << 20;
    dbuf p = {0}, out = {0};
    dbuf_u8(&p, 131);
    dbuf_u8(&p, 108);
    dbuf_u32(&p, (uint32_t)n);
    for (size_t i = 0; i < n; i++) {
        dbuf_u8(&p, 97);
        dbuf_u8(&p, (uint8_t)i);
    }
    dbuf_u8(&p, 106);
    reg_send(&out, me, "nobody_here", &p);
    bool ok = send_all(fd, out.data, out.len) && !closed_within(fd, 1500);
    check(ok, "a big legitimate term (2 Mi elements) is taken, the connection stays");
    /* the node decodes it on its loop: an echo answered later means it is done */
    snprintf(me, sizeof me, "after_big%s@127.0.0.1", tag);
    check(echo_works(me), "the node answers after the big term");
    close(fd);
    dbuf_free(&p);
    dbuf_free(&out);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void compressed_bomb(void)
{
    char me[64];
    snprintf(me, sizeof me, "zb%s@127.0.0.1", tag);
    int fd = connect_as(me, 1);
    if (fd < 0) {
        check(false, "the bomber connects");
        return;
    }
    size_t n = 60u << 20; /* 60 Mi empty lists: ~60 KB compressed */
    uint8_t *raw = malloc(n + 6);
    raw[0] = 108, raw[1] = (uint8_t)(n >> 24), raw[2] = (uint8_t)(n >> 16);
    raw[3] = (uint8_t)(n >> 8), raw[4] = (uint8_t)n;
    memset(raw + 5, 106, n + 1);
    uLongf zlen = compressBound(n + 6);
    dbuf p = {0}, out = {0};
    dbuf_reserve(&p, zlen + 6);
    p.data[0] = 131, p.data[1] = 80;
    p.data[2] = (uint8_t)((n + 6) >> 24), p.data[3] = (uint8_t)((n + 6) >> 16);
    p.data[4] = (uint8_t)((n + 6) >> 8), p.data[5] = (uint8_t)(n + 6);
    compress(p.data + 6, &zlen, raw, n + 6);
    p.len = zlen + 6;
    free(raw);
    reg_send(&out, me, "nobody_here", &p);
    double t0 = now_s();
    send_all(fd, out.data, out.len);
    bool closed = closed_within(fd, 5000);
    double took = now_s() - t0;
    close(fd);
    char what[160];
    snprintf(what, sizeof what,
             "a %zu-byte compressed packet that inflates to %zu MB is refused in %.2f s", p.len,
             (n + 6) >> 20, took);
    check(closed && took < 2, what);
    dbuf_free(&p);
    dbuf_free(&out);
    snprintf(me, sizeof me, "zb2%s@127.0.0.1", tag);
    check(echo_works(me), "the node answers after the compressed packet");
}

/* The echoes must still be coming when the peer resets: the node then
 * writes to a dead socket (EPIPE), which must be a nodedown. */
static void dies_unread(void)
{
    char me[64];
    snprintf(me, sizeof me, "pipe%s@127.0.0.1", tag);
    for (int round = 0; round < 6; round++) {
        int fd = connect_as(me, 1 + (uint32_t)round);
        if (fd < 0) continue;
        dbuf m = {0}, one = {0}, out = {0};
        dbuf_u8(&m, 97);
        dbuf_u8(&m, 7);
        echo_req(&one, me, me, 1, &m);
        for (int i = 0; i < 20000 * (round + 1); i++) dbuf_put(&out, one.data, one.len);
        send_all(fd, out.data, out.len);
        usleep(1000 * round);
        struct linger lg = {1, 0}; /* a reset, with the echoes unread */
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
        close(fd);
        dbuf_free(&m);
        dbuf_free(&one);
        dbuf_free(&out);
    }
    usleep(300000);
    snprintf(me, sizeof me, "pipe2%s@127.0.0.1", tag);
    check(echo_works(me), "the node lives on after peers died with its output unread (no SIGPIPE)");
}

int main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN); /* a closed peer: EPIPE, not death (raw_peer.c) */
    if (argc != 4) {
        fprintf(stderr, "usage: dist_abuse TARGET COOKIE TAG\n");
        return 2;
    }
    target = argv[1], cookie = argv[2], tag = argv[3];
    char alive[64];
    snprintf(alive, sizeof alive, "%.*s", (int)(strchr(target, '@') - target), target);
    port = port_of(alive);
    check(port != 0, "the target is registered with the port mapper");
    if (!port) return 1;
    const char *only = getenv("ABUSE_ONLY");
    struct {
        const char *name;
        void (*run)(void);
    } attacks[] = {
        {"utf8", bad_utf8_name},   {"creations", many_creations}, {"nodes", made_up_nodes},
        {"bomb", compressed_bomb}, {"pipe", dies_unread},         {"silent", silent_strangers},
        {"bigterm", big_term},     {"atoms", atom_flood}, /* last: after it no peer may add atoms */
    };
    for (size_t i = 0; i < sizeof attacks / sizeof *attacks; i++)
        if (!only || strstr(only, attacks[i].name)) attacks[i].run();
    printf("abuse done: %d failure(s)\n", failures);
    return failures != 0;
}
