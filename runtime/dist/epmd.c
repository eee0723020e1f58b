/* epmd.c — the client side of the port mapper: register this node (the
 * registration lives as long as the TCP connection) and look up others.
 * When no mapper answers on 4369 we start the kit's own, as erl starts
 * epmd: a detached daemon that outlives the node. */
#include "dist/epmd.h"

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
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static void set_err(char *err, size_t errlen, const char *fmt, const char *arg)
{
    if (err && errlen) snprintf(err, errlen, fmt, arg ? arg : "");
}

static int connect_local_epmd(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(EPMD_PORT)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0) return fd;
    int e = errno;
    close(fd);
    errno = e;
    return -1;
}

/* The kit's mapper binary next to ours (build/bin), or $TAPA_EPMD. */
static bool find_epmd_binary(char *path, size_t size)
{
    const char *env = getenv("TAPA_EPMD");
    if (env && *env) {
        snprintf(path, size, "%s", env);
        return access(path, X_OK) == 0;
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) return false;
    exe[n] = 0;
    char *slash = strrchr(exe, '/');
    if (!slash) return false;
    *slash = 0;
    const char *tries[] = {"%s/tapa-epmd", "%s/../bin/tapa-epmd", "%s/../../bin/tapa-epmd"};
    for (size_t i = 0; i < sizeof tries / sizeof *tries; i++) {
        snprintf(path, size, tries[i], exe);
        if (access(path, X_OK) == 0) return true;
    }
    return false;
}

/* Run a copy of the binary from memory: a daemon that runs for days must
 * not keep build/bin/tapa-epmd busy (a rebuild could not replace it). */
static void exec_copy(const char *path, char **argv)
{
    int in = open(path, O_RDONLY | O_CLOEXEC);
    int mem = memfd_create("tapa-epmd", MFD_CLOEXEC);
    if (in >= 0 && mem >= 0) {
        char buf[65536];
        ssize_t n;
        while ((n = read(in, buf, sizeof buf)) > 0)
            if (write(mem, buf, (size_t)n) != n) break;
        close(in);
        if (n == 0) fexecve(mem, argv, environ);
    }
    execv(path, argv); /* no memfd: run it in place */
}

/* Detach twice (so no zombie and no controlling terminal), then run the
 * mapper: the binary when we find it, else this image's copy of it. */
static void start_daemon(bool loopback_only)
{
    pid_t child = fork();
    if (child < 0) return;
    if (child > 0) {
        waitpid(child, NULL, 0);
        return;
    }
    setsid();
    if (fork() != 0) _exit(0);
    int devnull = open("/dev/null", O_RDWR);
    for (int fd = 0; fd < 3; fd++) dup2(devnull, fd);
    for (int fd = 3; fd < 1024; fd++) close(fd);
    char path[PATH_MAX];
    if (find_epmd_binary(path, sizeof path)) {
        char *argv[] = {path, loopback_only ? "--loopback" : "--all", "--quiet", NULL};
        exec_copy(path, argv);
    }
    _exit(epmd_daemon_main(loopback_only, true));
}

static int connect_or_start(bool loopback_only)
{
    int fd = connect_local_epmd();
    if (fd >= 0 || errno != ECONNREFUSED) return fd;
    start_daemon(loopback_only);
    for (int i = 0; i < 150; i++) { /* up to 3 s for the daemon to listen */
        fd = connect_local_epmd();
        if (fd >= 0) return fd;
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return -1;
}

static bool read_full(int fd, uint8_t *buf, size_t n, int timeout_ms)
{
    size_t got = 0;
    while (got < n) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, timeout_ms) <= 0) return false;
        ssize_t r = read(fd, buf + got, n - got);
        if (r <= 0) return false;
        got += (size_t)r;
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
    int fd = connect_or_start(loopback_only);
    if (fd < 0) {
        set_err(err, errlen, "cannot reach or start a port mapper on 127.0.0.1:4369 (%s)", strerror(errno));
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
