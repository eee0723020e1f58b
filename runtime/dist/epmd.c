/* epmd.c — the client side of the port mapper: register this node (the
 * registration lives as long as the TCP connection) and look up others.
 * When no mapper answers on 4369 we start the kit's own, as erl starts
 * epmd: a detached process (libuv's spawn) that outlives the node. Waits
 * for it use tapa_sleep inside a process: the scheduler goes on. */
#include "dist/epmd.h"
#include "sched/process.h"

#include <uv.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static void set_err(char *err, size_t errlen, const char *fmt, const char *arg)
{
    if (err && errlen) snprintf(err, errlen, fmt, arg ? arg : "");
}

static int connect_local_epmd(void)
{
    int fd = epmd_tcp_socket();
    if (fd < 0) return -1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(EPMD_PORT)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0) return fd;
    int e = errno;
    close(fd);
    errno = e;
    return -1;
}

/* A short wait that does not stop the scheduler: inside a process the
 * others run meanwhile (tapa_sleep); outside one there is nothing to run. */
static void pause_ms(int ms)
{
    if (proc_current() && sched_running()) {
        tapa_sleep(ms);
        return;
    }
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

static bool executable(const char *path)
{
    return access(path, X_OK) == 0;
}

/* The kit's mapper: $TAPA_EPMD, next to this program (build/bin and the
 * directories around it), or installed; else OTP's epmd from the PATH. */
static bool find_epmd_binary(char *path, size_t size, bool *otp)
{
    *otp = false;
    const char *env = getenv("TAPA_EPMD");
    if (env && *env) {
        snprintf(path, size, "%s", env);
        return executable(path);
    }
    char exe[PATH_MAX];
    size_t n = sizeof exe;
    if (uv_exepath(exe, &n) == 0) {
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = 0;
            const char *tries[] = {"%s/tapa-epmd", "%s/../bin/tapa-epmd", "%s/../../bin/tapa-epmd"};
            for (size_t i = 0; i < sizeof tries / sizeof *tries; i++) {
                snprintf(path, size, tries[i], exe);
                if (executable(path)) return true;
            }
        }
    }
    const char *installed[] = {"/usr/local/bin/tapa-epmd", "/opt/homebrew/bin/tapa-epmd",
                               "/usr/bin/tapa-epmd"};
    for (size_t i = 0; i < sizeof installed / sizeof *installed; i++) {
        snprintf(path, size, "%s", installed[i]);
        if (executable(path)) return true;
    }
    const char *dirs = getenv("PATH");
    for (const char *d = dirs; d && *d;) {
        const char *colon = strchr(d, ':');
        size_t len = colon ? (size_t)(colon - d) : strlen(d);
        snprintf(path, size, "%.*s/epmd", (int)len, d);
        if (len && executable(path)) return *otp = true;
        d = colon ? colon + 1 : NULL;
    }
    return false;
}

static void on_spawned_closed(uv_handle_t *h)
{
    free(h);
}

/* Start the mapper as a detached process of its own (it outlives the
 * node, as epmd outlives erl): libuv's spawn, no fork of this process. */
static bool start_daemon(bool loopback_only, char *err, size_t errlen)
{
    char path[PATH_MAX];
    bool otp;
    if (!find_epmd_binary(path, sizeof path, &otp)) {
        set_err(err, errlen,
                "no port mapper runs on 127.0.0.1:4369 and none was found to start "
                "(build the kit's tapa-epmd, set TAPA_EPMD to its path, or start "
                "OTP's epmd -daemon)%s",
                NULL);
        return false;
    }
    char *kit_args[] = {path, loopback_only ? "--loopback" : "--all", "--quiet", NULL};
    char *otp_args[] = {path, "-daemon", NULL};
    uv_stdio_container_t stdio[3] = {
        {.flags = UV_IGNORE}, {.flags = UV_IGNORE}, {.flags = UV_IGNORE}};
    uv_process_options_t o = {.file = path,
                              .args = otp ? otp_args : kit_args,
                              .flags = UV_PROCESS_DETACHED,
                              .stdio_count = 3,
                              .stdio = stdio};
    uv_process_t *h = calloc(1, sizeof *h);
    if (!h) abort();
    int rc = uv_spawn(sched_loop(), h, &o);
    if (rc != 0) {
        free(h);
        set_err(err, errlen, "cannot start the port mapper: %s", uv_strerror(rc));
        return false;
    }
    uv_unref((uv_handle_t *)h); /* it lives on its own */
    uv_close((uv_handle_t *)h, on_spawned_closed);
    return true;
}

static int connect_or_start(bool loopback_only, char *err, size_t errlen)
{
    int fd = connect_local_epmd();
    if (fd >= 0 || errno != ECONNREFUSED) return fd;
    if (!start_daemon(loopback_only, err, errlen)) return -2;
    for (int waited = 0; waited < 3000; waited += 20) { /* up to 3 s for it to listen */
        fd = connect_local_epmd();
        if (fd >= 0) return fd;
        pause_ms(20);
    }
    return -1;
}

/* Read n bytes within timeout_ms, without holding the scheduler. */
static bool read_full(int fd, uint8_t *buf, size_t n, int timeout_ms)
{
    size_t got = 0;
    int waited = 0;
    while (got < n) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int r = poll(&p, 1, 0);
        if (r < 0) return false;
        if (r == 0) {
            if (waited >= timeout_ms) return false;
            pause_ms(2);
            waited += 2;
            continue;
        }
        ssize_t k = read(fd, buf + got, n - got);
        if (k <= 0) return false;
        got += (size_t)k;
    }
    return true;
}

static void alive2_req(dbuf *b, const char *alive, uint16_t port)
{
    size_t n = strlen(alive);
    dbuf body = {0};
    dbuf_u8(&body, EPMD_ALIVE2_REQ);
    dbuf_u16(&body, port);
    dbuf_u8(&body, EPMD_NODE_HIDDEN);
    dbuf_u8(&body, 0); /* TCP/IPv4 */
    dbuf_u16(&body, 6); /* highest version */
    dbuf_u16(&body, 6); /* lowest: we speak only the OTP 23+ handshake */
    dbuf_u16(&body, (uint16_t)n);
    dbuf_put(&body, alive, n);
    dbuf_u16(&body, 0); /* no extra */
    dbuf_u16(b, (uint16_t)body.len);
    dbuf_put(b, body.data, body.len);
    dbuf_free(&body);
}

bool epmd_register(const char *alive, uint16_t port, bool loopback_only, int *fd_out,
                   uint32_t *creation, char *err, size_t errlen)
{
    int fd = connect_or_start(loopback_only, err, errlen);
    if (fd == -2) return false; /* err says why */
    if (fd < 0) {
        set_err(err, errlen, "cannot reach or start a port mapper on 127.0.0.1:4369 (%s)",
                strerror(errno));
        return false;
    }
    dbuf req = {0};
    alive2_req(&req, alive, port);
    bool sent = write(fd, req.data, req.len) == (ssize_t)req.len;
    dbuf_free(&req);
    uint8_t r[6];
    if (!sent || !read_full(fd, r, 2, 3000)) {
        close(fd);
        set_err(err, errlen, "the port mapper did not answer the registration of %s", alive);
        return false;
    }
    if (r[1] != 0) {
        close(fd);
        set_err(err, errlen, "the name %s is already registered on this host: pick another", alive);
        return false;
    }
    bool wide = r[0] == EPMD_ALIVE2_X_RESP;
    if ((r[0] != EPMD_ALIVE2_RESP && !wide) || !read_full(fd, r + 2, wide ? 4 : 2, 3000)) {
        close(fd);
        set_err(err, errlen, "a malformed answer from the port mapper for %s", alive);
        return false;
    }
    *creation = wide ? (uint32_t)r[2] << 24 | (uint32_t)r[3] << 16 | (uint32_t)r[4] << 8 | r[5]
                     : (uint32_t)r[2] << 8 | r[3];
    *fd_out = fd;
    return true;
}

void epmd_port_please_req(dbuf *b, const char *alive)
{
    size_t n = strlen(alive);
    dbuf_u16(b, (uint16_t)(n + 1));
    dbuf_u8(b, EPMD_PORT2_REQ);
    dbuf_put(b, alive, n);
}

int epmd_port_please_parse(const uint8_t *p, size_t len, uint16_t *port)
{
    if (len < 2) return -1;
    if (p[0] != EPMD_PORT2_RESP) return -2;
    if (p[1] != 0) return 1;
    if (len < 4) return -1;
    *port = (uint16_t)(p[2] << 8 | p[3]);
    return 0; /* the rest (type, versions, name) does not matter to us */
}
