/* test_epmd_server.c — the kit's port mapper as OTP's epmd behaves: idle
 * connections are closed after the packet timeout and give way when every
 * slot is taken (they locked registration and NAMES out), KILL is refused
 * with NO while names are registered, and a full table of names gives an
 * error reply. The server runs in a thread on an ephemeral port, with
 * small limits (64 slots, 8 names, 300 ms).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "dist/epmd.h"

#define SLOTS 64
#define NAMES 8
#define IDLE_MS 300

static uint16_t port;
static pthread_t server;
static int served_rc = -1;

static void *serve(void *arg)
{
    served_rc = epmd_serve((int)(intptr_t)arg);
    return NULL;
}

static int dial(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Everything the server sends until it closes (or ms pass). */
static size_t read_reply(int fd, uint8_t *buf, size_t size, int ms)
{
    size_t len = 0;
    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, ms) <= 0) return len;
        ssize_t r = read(fd, buf + len, size - len);
        if (r <= 0) return len;
        len += (size_t)r;
        if (len == size) return len;
    }
}

static bool closed_by_server(int fd, int ms)
{
    uint8_t b[64];
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, ms) <= 0) return false;
    return read(fd, b, sizeof b) <= 0;
}

static void request(int fd, const uint8_t *body, size_t n)
{
    uint8_t len[2] = {(uint8_t)(n >> 8), (uint8_t)n};
    assert_int_equal(write(fd, len, 2), 2);
    assert_int_equal(write(fd, body, n), (ssize_t)n);
}

/* Register name (port 5000+i); the connection, its reply in r[0..5]. */
static int alive2(const char *name, uint8_t r[6])
{
    int fd = dial();
    assert_true(fd >= 0);
    dbuf b = {0};
    size_t n = strlen(name);
    dbuf_u8(&b, EPMD_ALIVE2_REQ);
    dbuf_u16(&b, 5000);
    dbuf_u8(&b, EPMD_NODE_HIDDEN);
    dbuf_u8(&b, 0);
    dbuf_u16(&b, 6);
    dbuf_u16(&b, 6);
    dbuf_u16(&b, (uint16_t)n);
    dbuf_put(&b, name, n);
    dbuf_u16(&b, 0);
    request(fd, b.data, b.len);
    dbuf_free(&b);
    memset(r, 0xff, 6);
    read_reply(fd, r, 6, 2000);
    return fd;
}

static bool names_works(void)
{
    int fd = dial();
    if (fd < 0) return false;
    const uint8_t req[] = {EPMD_NAMES_REQ};
    request(fd, req, 1);
    uint8_t buf[4096];
    size_t n = read_reply(fd, buf, sizeof buf, 2000);
    close(fd);
    return n >= 4 && buf[2] == EPMD_PORT >> 8 && buf[3] == (EPMD_PORT & 0xff);
}

static const char *kill_reply(char out[3])
{
    int fd = dial();
    const uint8_t req[] = {EPMD_KILL_REQ};
    request(fd, req, 1);
    memset(out, 0, 3);
    read_reply(fd, (uint8_t *)out, 2, 2000);
    close(fd);
    return out;
}

static int setup(void **state)
{
    (void)state;
    atoms_init();
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (bind(lfd, (struct sockaddr *)&a, sizeof a) != 0 || listen(lfd, 128) != 0) return -1;
    getsockname(lfd, (struct sockaddr *)&a, &len);
    port = ntohs(a.sin_port);
    epmd_set_limits(SLOTS, NAMES, IDLE_MS);
    return pthread_create(&server, NULL, serve, (void *)(intptr_t)lfd);
}

/* Every slot held by an idle socket: a node still registers and NAMES
 * still answers (the oldest idle ones make room), and an idle socket is
 * closed once the packet timeout has passed. */
static void test_idle_connections(void **state)
{
    (void)state;
    int idle[SLOTS + 8];
    for (int i = 0; i < SLOTS + 8; i++) idle[i] = dial();
    usleep(50 * 1000);
    uint8_t r[6];
    int reg = alive2("busy_node", r);
    assert_int_equal(r[0], EPMD_ALIVE2_X_RESP);
    assert_int_equal(r[1], 0);
    assert_true(names_works());
    assert_true(closed_by_server(idle[0], 50)); /* the oldest went first */
    int late = dial();
    assert_true(closed_by_server(late, IDLE_MS * 4));
    close(late);
    for (int i = 0; i < SLOTS + 8; i++) close(idle[i]);
    close(reg);
}

/* KILL while a name is registered: NO, and the server goes on. */
static void test_kill_refused(void **state)
{
    (void)state;
    uint8_t r[6];
    int reg = alive2("keeper", r);
    assert_int_equal(r[1], 0);
    char k[3];
    assert_string_equal(kill_reply(k), "NO");
    assert_true(names_works());
    close(reg);
    usleep(100 * 1000);
}

/* Names past the limit get an error reply, not silence. */
static void test_names_full(void **state)
{
    (void)state;
    int fds[NAMES];
    uint8_t r[6];
    char name[32];
    for (int i = 0; i < NAMES; i++) {
        snprintf(name, sizeof name, "n%d", i);
        fds[i] = alive2(name, r);
        assert_int_equal(r[1], 0);
    }
    int extra = alive2("one_too_many", r);
    assert_int_equal(r[0], EPMD_ALIVE2_X_RESP);
    assert_int_equal(r[1], 1);
    close(extra);
    for (int i = 0; i < NAMES; i++) close(fds[i]);
    usleep(100 * 1000);
}

/* With no names left, KILL stops it (as epmd -kill). */
static void test_kill_when_empty(void **state)
{
    (void)state;
    char k[3];
    assert_string_equal(kill_reply(k), "OK");
    pthread_join(server, NULL);
    assert_int_equal(served_rc, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_idle_connections),
        cmocka_unit_test(test_kill_refused),
        cmocka_unit_test(test_names_full),
        cmocka_unit_test(test_kill_when_empty),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
