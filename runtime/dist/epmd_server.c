/* epmd_server.c — the kit's port mapper daemon (what OTP's epmd does for
 * the requests nodes and net_adm:names() make): ALIVE2 keeps a name
 * registered while its connection is open, PORT_PLEASE2 and NAMES answer
 * and close. Registering is allowed from this host only, as epmd does.
 * A plain poll() loop: the daemon runs in its own process, without libuv.
 *
 * As OTP's epmd: a connection that has not sent a whole request within
 * the packet timeout is closed, and when every slot is taken the oldest
 * connection that registered nothing makes room, so idle sockets cannot
 * lock nodes out; names take at most part of the slots (a registration
 * past that gets an error reply); KILL is refused (NO) while names are
 * registered. */
#include "dist/epmd.h"

#include <uv.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CLIENTS 1024
#define MAX_REQ 1024

static size_t max_clients = MAX_CLIENTS, max_names = MAX_CLIENTS - 64;
static int64_t idle_ms = 60000; /* OTP epmd's default packet timeout */

void epmd_set_limits(size_t clients, size_t names, int64_t idle_timeout_ms)
{
    if (clients && clients <= MAX_CLIENTS) max_clients = clients;
    if (names && names < max_clients) max_names = names;
    if (idle_timeout_ms > 0) idle_ms = idle_timeout_ms;
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

typedef struct client {
    int fd;
    uint8_t buf[MAX_REQ + 2];
    size_t len;
    bool registered; /* an ALIVE2 connection: kept open */
    char name[256];
    uint16_t port;
    uint8_t type, proto;
    uint16_t hi, lo;
    int64_t born; /* ms: an unregistered connection lives idle_ms at most */
} client;

static client clients[MAX_CLIENTS];
static size_t nclients;
static uint32_t next_creation;
static bool quiet_mode;

static void say(const char *fmt, const char *a)
{
    if (!quiet_mode) fprintf(stderr, fmt, a);
}

static void drop(size_t i)
{
    if (clients[i].registered) say("tapa-epmd: %s unregistered\n", clients[i].name);
    close(clients[i].fd);
    clients[i] = clients[--nclients];
}

static bool peer_is_local(int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getpeername(fd, (struct sockaddr *)&ss, &len) != 0) return false;
    if (ss.ss_family == AF_INET)
        return (ntohl(((struct sockaddr_in *)&ss)->sin_addr.s_addr) >> 24) == 127;
    if (ss.ss_family == AF_INET6) {
        const struct in6_addr *a = &((struct sockaddr_in6 *)&ss)->sin6_addr;
        return IN6_IS_ADDR_LOOPBACK(a) || (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
    }
    return false;
}

static size_t count_names(void)
{
    size_t k = 0;
    for (size_t i = 0; i < nclients; i++) k += clients[i].registered;
    return k;
}

static client *find_name(const char *name, size_t n)
{
    for (size_t i = 0; i < nclients; i++)
        if (clients[i].registered && strlen(clients[i].name) == n &&
            memcmp(clients[i].name, name, n) == 0)
            return &clients[i];
    return NULL;
}

static void send_all(int fd, const void *p, size_t n)
{
    (void)!write(fd, p, n);
}

/* ALIVE2_REQ: Port:16 Type Proto Hi:16 Lo:16 Nlen:16 Name Elen:16 Extra */
static bool alive2(client *c, const uint8_t *b, size_t n)
{
    uint8_t fail[6] = {EPMD_ALIVE2_X_RESP, 1, 0, 0, 0, 0};
    if (n < 13 || !peer_is_local(c->fd)) {
        send_all(c->fd, fail, 6);
        return false;
    }
    size_t nlen = (size_t)b[9] << 8 | b[10];
    if (nlen == 0 || nlen > 255 || 11 + nlen + 2 > n || find_name((const char *)b + 11, nlen)) {
        send_all(c->fd, fail, 6);
        return false;
    }
    if (count_names() >= max_names) {
        say("tapa-epmd: %s refused: the table of names is full\n", "a node");
        send_all(c->fd, fail, 6);
        return false;
    }
    c->port = (uint16_t)(b[1] << 8 | b[2]);
    c->type = b[3], c->proto = b[4];
    c->hi = (uint16_t)(b[5] << 8 | b[6]);
    c->lo = (uint16_t)(b[7] << 8 | b[8]);
    memcpy(c->name, b + 11, nlen);
    c->name[nlen] = 0;
    c->registered = true;
    uint32_t cr = next_creation++;
    if (!next_creation) next_creation = 1;
    uint8_t ok[6] = {EPMD_ALIVE2_X_RESP, 0,          (uint8_t)(cr >> 24), (uint8_t)(cr >> 16),
                     (uint8_t)(cr >> 8), (uint8_t)cr};
    send_all(c->fd, ok, 6);
    say("tapa-epmd: %s registered\n", c->name);
    return true;
}

static void port2(client *c, const uint8_t *b, size_t n)
{
    client *r = find_name((const char *)b + 1, n - 1);
    if (!r) {
        uint8_t no[2] = {EPMD_PORT2_RESP, 1};
        send_all(c->fd, no, 2);
        return;
    }
    size_t nlen = strlen(r->name);
    uint8_t out[16 + 256];
    size_t k = 0;
    out[k++] = EPMD_PORT2_RESP, out[k++] = 0;
    out[k++] = (uint8_t)(r->port >> 8), out[k++] = (uint8_t)r->port;
    out[k++] = r->type, out[k++] = r->proto;
    out[k++] = (uint8_t)(r->hi >> 8), out[k++] = (uint8_t)r->hi;
    out[k++] = (uint8_t)(r->lo >> 8), out[k++] = (uint8_t)r->lo;
    out[k++] = (uint8_t)(nlen >> 8), out[k++] = (uint8_t)nlen;
    memcpy(out + k, r->name, nlen);
    k += nlen;
    out[k++] = 0, out[k++] = 0;
    send_all(c->fd, out, k);
}

static void names(client *c)
{
    uint8_t port[4] = {0, 0, EPMD_PORT >> 8, EPMD_PORT & 0xff};
    send_all(c->fd, port, 4);
    for (size_t i = 0; i < nclients; i++) {
        if (!clients[i].registered) continue;
        char line[320];
        int k =
            snprintf(line, sizeof line, "name %s at port %u\n", clients[i].name, clients[i].port);
        send_all(c->fd, line, (size_t)k);
    }
}

/* One complete request. Returns false when the connection is done. */
static bool handle(client *c, const uint8_t *b, size_t n, bool *stop)
{
    switch (b[0]) {
    case EPMD_ALIVE2_REQ:
        return alive2(c, b, n);
    case EPMD_PORT2_REQ:
        port2(c, b, n);
        return false;
    case EPMD_NAMES_REQ:
        names(c);
        return false;
    case EPMD_KILL_REQ:
        if (!peer_is_local(c->fd)) return false;
        if (count_names()) { /* nodes would lose their registration: as epmd, refuse */
            send_all(c->fd, "NO", 2);
            return false;
        }
        send_all(c->fd, "OK", 2);
        *stop = true;
        return false;
    }
    return false;
}

/* Read what came; returns false to drop the client. */
static bool on_readable(client *c, bool *stop)
{
    ssize_t r = read(c->fd, c->buf + c->len, sizeof c->buf - c->len);
    if (r <= 0) return false;
    if (c->registered) return true; /* nothing more is expected on it */
    c->len += (size_t)r;
    if (c->len < 2) return true;
    size_t n = (size_t)c->buf[0] << 8 | c->buf[1];
    if (n == 0 || n > MAX_REQ) return false;
    if (c->len < 2 + n) return true;
    return handle(c, c->buf + 2, n, stop);
}

/* The oldest connection that registered nothing, or -1. */
static long oldest_unregistered(void)
{
    long best = -1;
    for (size_t i = 0; i < nclients; i++)
        if (!clients[i].registered && (best < 0 || clients[i].born < clients[best].born))
            best = (long)i;
    return best;
}

static void accept_one(int lfd)
{
    int fd = accept(lfd, NULL, NULL);
    if (fd < 0) return;
    if (nclients == max_clients) {
        long old = oldest_unregistered();
        if (old < 0) { /* every slot holds a name: nobody else can be served */
            close(fd);
            return;
        }
        drop((size_t)old);
    }
    memset(&clients[nclients], 0, sizeof clients[nclients]);
    clients[nclients].fd = fd;
    clients[nclients++].born = mono_ms();
}

static void drop_idle(void)
{
    int64_t now = mono_ms();
    for (size_t i = nclients; i-- > 0;)
        if (!clients[i].registered && now - clients[i].born > idle_ms) drop(i);
}

int epmd_serve(int lfd)
{
    /* libuv's portable random bytes (getrandom is Linux only) */
    if (uv_random(NULL, NULL, &next_creation, sizeof next_creation, 0, NULL) != 0)
        next_creation = (uint32_t)getpid();
    if (!next_creation) next_creation = 1;
    static struct pollfd fds[MAX_CLIENTS + 1];
    bool stop = false;
    while (!stop) {
        fds[0] = (struct pollfd){.fd = lfd, .events = POLLIN};
        for (size_t i = 0; i < nclients; i++)
            fds[i + 1] = (struct pollfd){.fd = clients[i].fd, .events = POLLIN};
        size_t polled = nclients;
        int every = idle_ms < 1000 ? (int)(idle_ms / 4 + 1) : 1000;
        if (poll(fds, polled + 1, every) < 0) {
            if (errno == EINTR) continue;
            return 1;
        }
        /* back to front: drop() moves the last client into the hole */
        for (size_t i = polled; i-- > 0;)
            if (fds[i + 1].revents && !on_readable(&clients[i], &stop)) drop(i);
        drop_idle();
        if (fds[0].revents & POLLIN) accept_one(lfd);
    }
    while (nclients) drop(nclients - 1);
    return 0;
}

int epmd_daemon_main(bool loopback_only, bool quiet)
{
    quiet_mode = quiet;
    int fd = epmd_tcp_socket();
    if (fd < 0) return 1;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(EPMD_PORT)};
    a.sin_addr.s_addr = htonl(loopback_only ? INADDR_LOOPBACK : INADDR_ANY);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 128) != 0) {
        if (!quiet)
            fprintf(stderr, "tapa-epmd: cannot listen on port %d: %s\n", EPMD_PORT,
                    strerror(errno));
        close(fd);
        return 1;
    }
    return epmd_serve(fd);
}
