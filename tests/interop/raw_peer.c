/* raw_peer.c — raw sockets for the hostile-peer drivers (raw_peer.h). */
#include "raw_peer.h"
#include "dist/epmd.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

/* macOS has no MSG_NOSIGNAL; the drivers ignore SIGPIPE there, so a closed
 * end gives EPIPE from send, never a dead test driver. */
#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0
#endif

int dial(uint16_t port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        if (fd >= 0) close(fd);
        return -1;
    }
    return fd;
}

bool send_all(int fd, const void *p, size_t n)
{
    const uint8_t *b = p;
    while (n) {
        ssize_t w = send(fd, b, n, MSG_NOSIGNAL);
        if (w <= 0) return false;
        b += w, n -= (size_t)w;
    }
    return true;
}

ssize_t read_some(int fd, uint8_t *buf, size_t size, int ms)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, ms) <= 0) return 0;
    ssize_t r = read(fd, buf, size);
    return r > 0 ? r : -1;
}

bool closed_within(int fd, int ms)
{
    uint8_t buf[4096];
    for (int waited = 0; waited < ms; waited += 50)
        if (read_some(fd, buf, sizeof buf, 50) < 0) return true;
    return false;
}

uint16_t port_of(const char *alive)
{
    int fd = dial(EPMD_PORT);
    if (fd < 0) return 0;
    dbuf b = {0};
    epmd_port_please_req(&b, alive);
    send_all(fd, b.data, b.len);
    dbuf_free(&b);
    uint8_t r[64];
    size_t len = 0;
    uint16_t port = 0;
    for (int i = 0; i < 20; i++) {
        ssize_t n = read_some(fd, r + len, sizeof r - len, 100);
        if (n < 0) break;
        len += (size_t)n;
        if (epmd_port_please_parse(r, len, &port) != -1) break;
    }
    close(fd);
    return port;
}
