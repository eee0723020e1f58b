/* dist_hostile.c — a node under attack (run by interop.sh).
 *
 *   dist_hostile NAME COOKIE PEER
 *
 * Starts node NAME, connects to PEER (a tapa-node) and watches it with
 * monitor_node. A thread then plays hostile clients over raw sockets:
 * strangers without the cookie (garbage, the old handshake, missing
 * flags, a wrong digest with a packet behind it, the name of a connected
 * node, the name of a node we are dialling) and, with the cookie, peers
 * that send malformed packets (too long, too deep, huge atoms, too many
 * atoms, a compressed bomb, unknown control messages, a sender that is
 * not theirs) or stop reading, and a peer that sends DOWN and DEMONITOR
 * for monitors it does not own (those change nothing; the connection
 * stays). Each bad packet must end that one connection, with a
 * logged reason, and nothing else: the connection to PEER lives on and
 * only the one well-formed message is delivered. One line per check:
 * "ok <what>" or "FAIL <what>"; then "hostile done: N failure(s)".
 *
 * The thread only uses the pure parts of libtapa (the handshake state
 * machine, byte buffers, the port mapper requests): the runtime is the
 * node's, in the main thread.
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
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_PACKET (1u << 20)
#define MAX_DEPTH 64
#define MAX_NEW_ATOMS 100
#define MAX_OUTPUT (4u << 20)
#define FLOOD_TICKTIME 3 /* s: a peer that reads nothing for this long is dead */

static const char *name, *cookie, *peer_name;
static char zz_alive[64], zz_name[96], slow_name[96];
static atomic_int failures;
static atomic_int want; /* the thread asks the node: 1 dial zz, 2 flood slow */
static atomic_int flood_done, attacker_done;
static uint16_t victim_port;
/* the forged-DOWN scenario: the node's `victim` publishes its pid, the
 * pids it watches and its monitor refs (as ETF bytes) for the thread */
static dbuf fg_victim, fg_watched[3], fg_ref[4];
static atomic_int fg_ready, fg_checked, fg_done;
static uint32_t victim_creation;

static void check(bool ok, const char *what)
{
    printf("%s %s\n", ok ? "ok" : "FAIL", what);
    fflush(stdout);
    if (!ok) failures++;
}

/* --------------------------------------------------------- raw sockets -- */

/* A handshake as `me` with `secret`, using the kit's own state machine.
 * extra: bytes sent right after our challenge reply (before the ack).
 * Returns the socket when the node accepted us, else -1 (closed). */
static int connect_as(const char *me, const char *secret, const dbuf *extra, handshake *hs)
{
    int fd = dial(victim_port);
    if (fd < 0) return -1;
    hs_init_initiator(hs, me, name, secret, 4242, 0x5eed1234);
    hs_result r = HS_MORE;
    bool sent_extra = false;
    while (r == HS_MORE) {
        if (hs->out.len && !send_all(fd, hs->out.data, hs->out.len)) break;
        if (hs->out.len && hs->state == 3 /* waiting for the ack */ && extra && !sent_extra) {
            send_all(fd, extra->data, extra->len);
            sent_extra = true;
        }
        hs->out.len = 0;
        uint8_t buf[4096];
        ssize_t n = read_some(fd, buf, sizeof buf, 3000);
        if (n <= 0) break;
        r = hs_feed(hs, buf, (size_t)n);
    }
    if (r != HS_DONE) {
        close(fd);
        hs_free(hs);
        return -1;
    }
    victim_creation = hs->peer_creation;
    hs_free(hs);
    return fd;
}

/* -------------------------------------------------- terms, by hand -- */

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
static void e_small(dbuf *b, uint8_t v)
{
    dbuf_u8(b, 97);
    dbuf_u8(b, v);
}
static void e_tuple(dbuf *b, uint8_t n)
{
    dbuf_u8(b, 104);
    dbuf_u8(b, n);
}

/* Frame what is in body: Len:32 | 112 | body. */
static void framed(dbuf *out, const dbuf *body, uint8_t kind)
{
    dbuf_u32(out, (uint32_t)body->len + 1);
    dbuf_u8(out, kind);
    dbuf_put(out, body->data, body->len);
}

/* {6, From, '', sink} + msg from `me`. */
static void reg_send(dbuf *out, const char *me, const char *msg)
{
    dbuf body = {0};
    dbuf_u8(&body, 131);
    e_tuple(&body, 4);
    e_small(&body, 6);
    e_pid(&body, me, 77, 4242);
    e_atom(&body, "");
    e_atom(&body, "sink");
    dbuf_u8(&body, 131);
    e_atom(&body, msg);
    framed(out, &body, 112);
    dbuf_free(&body);
}

/* A NEWER_REFERENCE of 5 words, as OTP 26 nodes make them. */
static void e_ref5(dbuf *b, const char *node, uint32_t w4, uint32_t w5)
{
    dbuf_u8(b, 90);
    dbuf_u16(b, 5);
    e_atom(b, node);
    dbuf_u32(b, 4242);
    dbuf_u32(b, 1), dbuf_u32(b, 2), dbuf_u32(b, 3), dbuf_u32(b, w4), dbuf_u32(b, w5);
}

/* {19 or 20, From, doomed, Ref} */
static void monitor_op(dbuf *out, int op, const char *me, uint32_t w5)
{
    dbuf body = {0};
    dbuf_u8(&body, 131);
    e_tuple(&body, 4);
    e_small(&body, (uint8_t)op);
    e_pid(&body, me, 78, 4242);
    e_atom(&body, "doomed");
    e_ref5(&body, me, 0xcafebabe, w5);
    framed(out, &body, 112);
    dbuf_free(&body);
}

static bool has_bytes(const dbuf *b, const uint8_t *pat, size_t n)
{
    for (size_t i = 0; i + n <= b->len; i++)
        if (memcmp(b->data + i, pat, n) == 0) return true;
    return false;
}

/* Two monitors whose refs differ only in the 5th word; one is taken
 * back; the DOWN must carry every word of the other. */
static void long_refs(void)
{
    const char *me = "mon@127.0.0.1";
    handshake hs;
    int fd = connect_as(me, cookie, NULL, &hs);
    dbuf pk = {0};
    monitor_op(&pk, 19, me, 0xdeadbeef);
    monitor_op(&pk, 19, me, 0x0badf00d);
    monitor_op(&pk, 20, me, 0x0badf00d);
    dbuf body = {0};
    dbuf_u8(&body, 131);
    e_tuple(&body, 4);
    e_small(&body, 6);
    e_pid(&body, me, 78, 4242);
    e_atom(&body, "");
    e_atom(&body, "doomed");
    dbuf_u8(&body, 131);
    e_atom(&body, "die");
    framed(&pk, &body, 112);
    dbuf in = {0};
    if (fd >= 0 && send_all(fd, pk.data, pk.len)) {
        uint8_t buf[4096];
        for (int i = 0; i < 20; i++) {
            ssize_t n = read_some(fd, buf, sizeof buf, 50);
            if (n < 0) break;
            dbuf_put(&in, buf, (size_t)n);
        }
    }
    const uint8_t kept[] = {0xca, 0xfe, 0xba, 0xbe, 0xde, 0xad, 0xbe, 0xef};
    const uint8_t gone[] = {0xca, 0xfe, 0xba, 0xbe, 0x0b, 0xad, 0xf0, 0x0d};
    check(has_bytes(&in, kept, sizeof kept),
          "a DOWN for a monitor with a 5-word ref carries all 5 words");
    check(!has_bytes(&in, gone, sizeof gone),
          "demonitor with a 5-word ref removes that monitor, not its 3-word twin");
    if (fd >= 0) close(fd);
    dbuf_free(&pk);
    dbuf_free(&body);
    dbuf_free(&in);
}

/* ------------------------------------------- monitors a peer does not own -- */

static void wait_flag(atomic_int *flag)
{
    for (int i = 0; i < 400 && !*flag; i++) usleep(25 * 1000);
}

static void bad_packet(int k, const char *what, const dbuf *packet);

static void e_bytes(dbuf *b, const dbuf *term)
{
    dbuf_put(b, term->data, term->len);
}

/* {21, From, To, Ref, Reason}: a DOWN */
static void down_op(dbuf *out, const char *me, uint32_t id, const dbuf *to, const dbuf *ref,
                    const char *reason)
{
    dbuf body = {0};
    dbuf_u8(&body, 131);
    e_tuple(&body, 5);
    e_small(&body, 21);
    e_pid(&body, me, id, 4242);
    e_bytes(&body, to);
    e_bytes(&body, ref);
    e_atom(&body, reason);
    framed(out, &body, 112);
    dbuf_free(&body);
}

/* `victim` monitors three local processes and a pid of `owner` (a raw
 * peer). Another peer, `forger`, then sends what only the owner of each
 * monitor may send: a DOWN to the watcher of a local monitor, a DOWN to
 * the watched end of one, a DEMONITOR of one, a DOWN for the monitor on
 * owner's pid. BEAM takes a DOWN from node N only for a monitor of a
 * process on N: none of these may deliver or remove anything. */
static void forged_downs(void)
{
    const char *forger = "forger@127.0.0.1", *owner = "owner@127.0.0.1";
    handshake hs;
    int ofd = connect_as(owner, cookie, NULL, &hs);
    int ffd = connect_as(forger, cookie, NULL, &hs);
    dbuf pk = {0}, body = {0};
    /* owner tells victim its pid: {6, From, '', victim} + {target, From} */
    dbuf_u8(&body, 131);
    e_tuple(&body, 4);
    e_small(&body, 6);
    e_pid(&body, owner, 90, 4242);
    e_atom(&body, "");
    e_atom(&body, "victim");
    dbuf_u8(&body, 131);
    e_tuple(&body, 2);
    e_atom(&body, "target");
    e_pid(&body, owner, 90, 4242);
    framed(&pk, &body, 112);
    bool sent = ofd >= 0 && ffd >= 0 && send_all(ofd, pk.data, pk.len);
    if (sent) wait_flag(&fg_ready);
    check(sent && fg_ready, "the forged-DOWN scenario is set up (two peers, four monitors)");
    if (!sent || !fg_ready) goto out;

    /* an EXIT2 in the name of a local process: closed before it acts */
    pk.len = body.len = 0;
    dbuf_u8(&body, 131);
    e_tuple(&body, 4);
    e_small(&body, 8);
    e_bytes(&body, &fg_watched[0]);
    e_bytes(&body, &fg_victim);
    e_atom(&body, "kill");
    framed(&pk, &body, 112);
    bad_packet(90, "an EXIT2 in the name of one of our own pids", &pk);

    pk.len = body.len = 0;
    down_op(&pk, forger, 91, &fg_victim, &fg_ref[0], "forged"); /* the watcher's half */
    down_op(&pk, forger, 91, &fg_watched[1], &fg_ref[1], "forged"); /* the watched half */
    dbuf_u8(&body, 131); /* {20, From, To, Ref} */
    e_tuple(&body, 4);
    e_small(&body, 20);
    e_pid(&body, forger, 91, 4242);
    e_bytes(&body, &fg_watched[2]);
    e_bytes(&body, &fg_ref[2]);
    framed(&pk, &body, 112);
    down_op(&pk, forger, 91, &fg_victim, &fg_ref[3], "forged"); /* owner's monitor */
    body.len = 0; /* then {sync}: the node has handled all of the above */
    dbuf_u8(&body, 131);
    e_tuple(&body, 4);
    e_small(&body, 6);
    e_pid(&body, forger, 91, 4242);
    e_atom(&body, "");
    e_atom(&body, "victim");
    dbuf_u8(&body, 131);
    e_tuple(&body, 1);
    e_atom(&body, "sync");
    framed(&pk, &body, 112);
    check(send_all(ffd, pk.data, pk.len), "the forger sends its DOWNs and DEMONITOR");
    wait_flag(&fg_checked);
    /* the owner's own DOWN is taken */
    pk.len = 0;
    down_op(&pk, owner, 90, &fg_victim, &fg_ref[3], "gone");
    if (fg_checked) send_all(ofd, pk.data, pk.len);
    wait_flag(&fg_done);
out:
    if (ofd >= 0) close(ofd);
    if (ffd >= 0) close(ffd);
    dbuf_free(&pk);
    dbuf_free(&body);
}

/* ------------------------------------------------------ the attacks -- */

static void strangers(void)
{
    int fd = dial(victim_port);
    const uint8_t junk[] = {0, 3, 'x', 'y', 'z'};
    check(fd >= 0 && send_all(fd, junk, sizeof junk) && closed_within(fd, 2000),
          "a stranger's garbage frame: closed");
    if (fd >= 0) close(fd);

    fd = dial(victim_port);
    const uint8_t old[] = {0, 12, 'n', 0, 5, 0, 0x07, 0xdf, 0x7d, 'o', '@', '1', '2', '7'};
    check(fd >= 0 && send_all(fd, old, sizeof old) && closed_within(fd, 2000),
          "the old 'n' handshake: closed");
    if (fd >= 0) close(fd);

    /* flags 0x4 only: not_allowed, then closed */
    fd = dial(victim_port);
    dbuf b = {0};
    const char *weak = "weak@127.0.0.1";
    dbuf_u16(&b, (uint16_t)(15 + strlen(weak)));
    dbuf_u8(&b, 'N');
    dbuf_u64(&b, 0x4);
    dbuf_u32(&b, 1);
    dbuf_u16(&b, (uint16_t)strlen(weak));
    dbuf_put(&b, weak, strlen(weak));
    uint8_t got[64] = {0};
    ssize_t n = fd >= 0 && send_all(fd, b.data, b.len) ? read_some(fd, got, sizeof got, 2000) : -1;
    check(n >= 14 && memcmp(got + 2, "snot_allowed", 12) == 0 && closed_within(fd, 2000),
          "a peer without the mandatory flags: status not_allowed, closed");
    if (fd >= 0) close(fd);
    dbuf_free(&b);

    /* a wrong cookie, with a message for `sink` right behind the reply */
    handshake hs;
    dbuf extra = {0};
    reg_send(&extra, "intruder@127.0.0.1", "sneaky");
    check(connect_as("intruder@127.0.0.1", "not-the-cookie", &extra, &hs) < 0,
          "a wrong cookie with a packet behind the reply: refused");
    dbuf_free(&extra);

    /* the name of a node we are connected to: the node says alive, but
     * the stranger cannot prove the cookie and the connection stays */
    check(connect_as(peer_name, "not-the-cookie", NULL, &hs) < 0,
          "a stranger using the connected peer's name: refused");
}

/* A stranger registers zz, the node dials it; the stranger then connects
 * to the node as zz (a simultaneous connect, which zz wins by name) but
 * without the cookie. The node's own dial must stay open. */
static void hijack(void)
{
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t alen = sizeof a;
    if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof a) != 0 || listen(lfd, 4) != 0 ||
        getsockname(lfd, (struct sockaddr *)&a, &alen) != 0) {
        check(false, "listen for the hijack scenario");
        return;
    }
    int efd = -1;
    uint32_t creation;
    char err[200];
    if (!epmd_register(zz_alive, ntohs(a.sin_port), true, &efd, &creation, err, sizeof err)) {
        check(false, err);
        close(lfd);
        return;
    }
    want = 1;
    struct pollfd p = {.fd = lfd, .events = POLLIN};
    int dialled = poll(&p, 1, 3000) == 1 ? accept(lfd, NULL, NULL) : -1;
    uint8_t buf[512];
    bool got_name = dialled >= 0 && read_some(dialled, buf, sizeof buf, 2000) > 0 && buf[2] == 'N';
    check(got_name, "the node dials zz (send_name received)");
    handshake hs;
    check(connect_as(zz_name, "not-the-cookie", NULL, &hs) < 0,
          "a stranger claiming zz's name during our dial (ok_simultaneous): refused");
    check(dialled >= 0 && !closed_within(dialled, 300),
          "the node's own dial to zz is not cancelled by that stranger");
    if (dialled >= 0) close(dialled);
    close(efd);
    close(lfd);
}

/* With the cookie: each bad packet closes its own connection. */
static void bad_packet(int k, const char *what, const dbuf *packet)
{
    char me[64], label[200];
    snprintf(me, sizeof me, "evil%d@127.0.0.1", k);
    handshake hs;
    int fd = connect_as(me, cookie, NULL, &hs);
    snprintf(label, sizeof label, "a peer with the cookie sends %s: closed", what);
    check(fd >= 0 && send_all(fd, packet->data, packet->len) && closed_within(fd, 2000), label);
    if (fd >= 0) close(fd);
}

static void peers(void)
{
    dbuf pk = {0}, body = {0};
    int k = 0;

    dbuf_u32(&pk, MAX_PACKET * 2);
    dbuf_u8(&pk, 112);
    bad_packet(k++, "a length above the packet limit", &pk);

    pk.len = body.len = 0;
    dbuf_u8(&body, 131);
    for (int i = 0; i < MAX_DEPTH + 10; i++) e_tuple(&body, 1);
    dbuf_u8(&body, 106);
    framed(&pk, &body, 112);
    bad_packet(k++, "a term nested too deep", &pk);

    pk.len = body.len = 0;
    dbuf_u8(&body, 131);
    dbuf_u8(&body, 118);
    dbuf_u16(&body, 300);
    for (int i = 0; i < 300; i++) dbuf_u8(&body, 'a');
    framed(&pk, &body, 112);
    bad_packet(k++, "an atom of 300 characters", &pk);

    pk.len = body.len = 0;
    dbuf_u8(&body, 131);
    e_tuple(&body, MAX_NEW_ATOMS + 20);
    for (int i = 0; i < MAX_NEW_ATOMS + 20; i++) {
        char a[32];
        snprintf(a, sizeof a, "hostile_%d_%d", (int)getpid(), i);
        e_atom(&body, a);
    }
    framed(&pk, &body, 112);
    bad_packet(k++, "too many new atoms", &pk);

    pk.len = body.len = 0;
    const uint8_t bomb[] = {131, 80, 0x40, 0, 0, 0, 120, 156, 3, 0, 0, 0, 0, 1};
    dbuf_put(&body, bomb, sizeof bomb);
    framed(&pk, &body, 112);
    bad_packet(k++, "a compressed bomb (1 GiB declared)", &pk);

    pk.len = body.len = 0;
    dbuf_u8(&body, 131);
    e_tuple(&body, 2);
    e_small(&body, 99);
    e_atom(&body, "x");
    framed(&pk, &body, 112);
    bad_packet(k++, "an unknown control message", &pk);

    pk.len = body.len = 0;
    dbuf_u8(&body, 131);
    e_tuple(&body, 3);
    e_small(&body, 1);
    framed(&pk, &body, 112);
    bad_packet(k++, "a truncated term", &pk);

    pk.len = body.len = 0;
    dbuf_u8(&body, 131);
    dbuf_u8(&body, 106);
    framed(&pk, &body, 113);
    bad_packet(k++, "a packet that is not pass-through", &pk);

    pk.len = body.len = 0;
    dbuf_u8(&body, 131);
    e_tuple(&body, 3);
    e_small(&body, 1);
    e_pid(&body, "third@127.0.0.1", 5, 1);
    e_pid(&body, name, 1, victim_creation);
    framed(&pk, &body, 112);
    bad_packet(k++, "a LINK whose sender is on another node", &pk);

    pk.len = body.len = 0;
    dbuf_u8(&body, 131);
    e_tuple(&body, 4);
    e_small(&body, 6);
    e_pid(&body, name, 1, victim_creation);
    e_atom(&body, "");
    e_atom(&body, "sink");
    dbuf_u8(&body, 131);
    e_atom(&body, "spoofed");
    framed(&pk, &body, 112);
    bad_packet(k++, "a REG_SEND in the name of one of our own pids", &pk);

    /* the control case: a well-formed message is delivered, the
     * connection stays */
    handshake hs;
    int fd = connect_as("good@127.0.0.1", cookie, NULL, &hs);
    pk.len = body.len = 0;
    reg_send(&pk, "good@127.0.0.1", "hello");
    /* {33, From, Alias} + msg to a ref that is no alias here: dropped */
    dbuf_u8(&body, 131);
    e_tuple(&body, 3);
    e_small(&body, 33);
    e_pid(&body, "good@127.0.0.1", 77, 4242);
    e_ref5(&body, name, 7, 7);
    dbuf_u8(&body, 131);
    e_atom(&body, "to_an_alias");
    framed(&pk, &body, 112);
    check(fd >= 0 && send_all(fd, pk.data, pk.len) && !closed_within(fd, 300),
          "a well-formed REG_SEND and an ALIAS_SEND with the cookie: the connection stays");
    if (fd >= 0) close(fd);

    dbuf_free(&pk);
    dbuf_free(&body);

    /* a peer that stops reading while the node sends to it */
    fd = connect_as(slow_name, cookie, NULL, &hs);
    check(fd >= 0, "the slow peer connects");
    if (fd < 0) return;
    want = 2;
    for (int i = 0; i < 300 && !flood_done; i++) usleep(50 * 1000);
    close(fd);
}

static void *attacker(void *arg)
{
    (void)arg;
    char alive[64];
    snprintf(alive, sizeof alive, "%.*s", (int)(strchr(name, '@') - name), name);
    victim_port = port_of(alive);
    check(victim_port != 0, "the node's port from the port mapper");
    if (victim_port) {
        strangers();
        hijack();
        long_refs();
        forged_downs();
        peers();
    }
    attacker_done = 1;
    return NULL;
}

/* ---------------------------------------------------------- the node -- */

static void sink(tapa_term arg)
{
    (void)arg;
    int64_t n = 0;
    for (;;) {
        tapa_match m = {0};
        if (tapa_receive(&m, TAPA_INFINITY, "{:count, from}", "_") == 0)
            tapa_send(tapa_var(&m, "from"), tapa_tuple(tapa_atom("count"), tapa_int(n)));
        else n++;
    }
}

static void pinger(tapa_term node)
{
    tapa_ping(node);
}

static void doomed(tapa_term arg)
{
    (void)arg;
    tapa_receive_any();
    tapa_exit(tapa_atom("bye"));
}

static void publish(dbuf *b, tapa_term t)
{
    char err[160];
    if (!etf_encode_term(b, t, err, sizeof err)) check(false, err);
}

/* The node's side of forged_downs. */
static void victim(tapa_term arg)
{
    (void)arg;
    tapa_match m = {0};
    tapa_receive(&m, TAPA_INFINITY, "{:target, pid}");
    tapa_term owner = tapa_var(&m, "pid");
    tapa_term w[3], ref[4];
    for (int i = 0; i < 3; i++) {
        w[i] = tapa_spawn(doomed, tapa_empty_list());
        ref[i] = tapa_monitor(w[i]);
        publish(&fg_watched[i], w[i]);
    }
    ref[3] = tapa_monitor(owner);
    for (int i = 0; i < 4; i++) publish(&fg_ref[i], ref[i]);
    publish(&fg_victim, tapa_self());
    fg_ready = 1;

    check(tapa_receive(&m, 5000, "{:sync}") == 0,
          "the forger's connection stays open after its forgeries");
    bool none = tapa_receive(&m, 0, "{:DOWN, _, _, _, _}") == TAPA_TIMEOUT;
    check(none, "a DOWN from a peer for a monitor it does not own is not delivered");
    fg_checked = 1;
    const char *what[3] = {
        "a local monitor still fires after a peer's DOWN to its watcher",
        "a local monitor still fires after a peer's DOWN to its watched process",
        "a local monitor still fires after a peer's DEMONITOR of it",
    };
    for (int i = 0; i < 3; i++) {
        tapa_send(w[i], tapa_atom("die"));
        tapa_pin(&m, "ref", ref[i]);
        tapa_pin(&m, "pid", w[i]);
        check(tapa_receive(&m, 1000, "{:DOWN, ^ref, :process, ^pid, :bye}") == 0, what[i]);
    }
    tapa_pin(&m, "ref", ref[3]);
    tapa_pin(&m, "pid", owner);
    check(tapa_receive(&m, 1000, "{:DOWN, ^ref, :process, ^pid, :gone}") == 0,
          "the DOWN of the peer that owns the monitored pid is delivered");
    fg_done = 1;
}

/* Sends 512 KiB binaries to the peer that does not read until the node
 * drops it. */
static void flood(void)
{
    tapa_term node = tapa_atom(slow_name);
    tapa_monitor_node(node, true);
    static uint8_t chunk[512 * 1024];
    tapa_term bin = tapa_binary(chunk, sizeof chunk);
    tapa_term dest = tapa_tuple(tapa_atom("sink"), node);
    int sent = 0, got = TAPA_TIMEOUT;
    tapa_match m = {0};
    tapa_pin(&m, "node", node);
    for (; sent < 512 && got == TAPA_TIMEOUT; sent++) {
        tapa_send(dest, bin);
        got = tapa_receive(&m, 1, "{:nodedown, ^node}");
    }
    if (got == TAPA_TIMEOUT)
        got = tapa_receive(&m, 2000 + FLOOD_TICKTIME * 1000, "{:nodedown, ^node}");
    char what[200];
    snprintf(what, sizeof what,
             "a peer that stops reading: its sender waits past the output limit "
             "(%d KiB sent), and the peer is dropped after the tick time",
             sent * 512);
    check(got == 0 && sent < 512, what);
    flood_done = 1;
}

static bool log_has(const char *log, const char *what, const char *label)
{
    char line[200];
    snprintf(line, sizeof line, "the refusal is logged: %s", label);
    check(strstr(log, what) != NULL, line);
    return strstr(log, what) != NULL;
}

static char log_path[64];

static void node(tapa_term arg)
{
    (void)arg;
    tapa_dist_limits(MAX_PACKET, MAX_DEPTH, MAX_NEW_ATOMS);
    tapa_dist_output_limit(MAX_OUTPUT);
    if (!tapa_node_start(name, cookie, FLOOD_TICKTIME)) {
        check(false, "node start");
        return;
    }
    tapa_register(tapa_spawn(sink, tapa_empty_list()), "sink");
    tapa_register(tapa_spawn(doomed, tapa_empty_list()), "doomed");
    tapa_register(tapa_spawn(victim, tapa_empty_list()), "victim");
    tapa_term peer = tapa_atom(peer_name);
    check(tapa_ping(peer) == tapa_atom("pong"), "ping the peer");
    tapa_monitor_node(peer, true);
    pthread_t t;
    pthread_create(&t, NULL, attacker, NULL);
    while (!attacker_done) {
        int w = atomic_exchange(&want, 0);
        if (w == 1) tapa_spawn(pinger, tapa_atom(zz_name));
        if (w == 2) flood();
        tapa_sleep(5);
    }
    pthread_join(t, NULL);
    tapa_match m = {0};
    tapa_pin(&m, "peer", peer);
    bool down = tapa_receive(&m, 0, "{:nodedown, ^peer}") == 0;
    check(!down && tapa_ping(peer) == tapa_atom("pong"),
          "the connection to the peer survived every attack");
    tapa_send(tapa_atom("sink"), tapa_tuple(tapa_atom("count"), tapa_self()));
    tapa_term n = tapa_receive(&m, 2000, "{:count, n}") == 0 ? tapa_var(&m, "n") : tapa_int(-1);
    char what[120];
    snprintf(what, sizeof what, "only the authenticated, well-formed message was delivered (%lld)",
             (long long)tapa_int_value(n));
    check(tapa_int_value(n) == 1, what);

    fflush(stderr);
    FILE *f = fopen(log_path, "r");
    static char log[1 << 16];
    size_t len = f ? fread(log, 1, sizeof log - 1, f) : 0;
    if (f) fclose(f);
    log[len] = 0;
    bool all = true;
    all &= log_has(log, "a malformed send_name", "garbage");
    all &= log_has(log, "'n' handshake", "the old handshake");
    all &= log_has(log, "mandatory distribution flags", "missing flags");
    all &= log_has(log, "wrong digest", "a wrong cookie");
    all &= log_has(log, "a packet of 2097152 bytes", "packet length");
    all &= log_has(log, "nested deeper than 64", "nesting");
    all &= log_has(log, "at most 255", "a huge atom");
    all &= log_has(log, "new atoms in one term", "too many atoms");
    all &= log_has(log, "the limit is", "a compressed bomb");
    all &= log_has(log, "control message 99 of 2 elements that is unknown",
                   "an unknown control message");
    all &= log_has(log, "a tuple of 3 elements in 2 bytes", "a truncated term");
    all &= log_has(log, "pass-through", "not pass-through");
    all &= log_has(log, "not a process of the peer's node", "a foreign sender");
    all &= log_has(log, "read nothing of our output", "a peer that reads nothing");
    if (!all) printf("--- the node's log:\n%s---\n", log);
}

int main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN); /* a closed peer: EPIPE, not death (raw_peer.c) */
    if (argc < 4) {
        fprintf(stderr, "usage: dist_hostile NAME COOKIE PEER\n");
        return 2;
    }
    name = argv[1], cookie = argv[2], peer_name = argv[3];
    snprintf(zz_alive, sizeof zz_alive, "zz%d", (int)getpid());
    snprintf(zz_name, sizeof zz_name, "%s@127.0.0.1", zz_alive);
    snprintf(slow_name, sizeof slow_name, "slow%d@127.0.0.1", (int)getpid());
    /* the node's log goes to a file the checks read */
    snprintf(log_path, sizeof log_path, "/tmp/tapa-hostile-XXXXXX");
    int lfd = mkstemp(log_path);
    if (lfd < 0 || dup2(lfd, 2) < 0) return 2;
    close(lfd);
    int rc = tapa_run(node, tapa_empty_list());
    unlink(log_path);
    printf("hostile done: %d failure(s)\n", (int)failures);
    return rc || failures ? 1 : 0;
}
