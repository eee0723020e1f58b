/* epmd.h — the Erlang port mapper: client requests and the kit's own
 * mapper daemon (the same protocol as OTP's epmd, so real erl nodes can
 * use it). Requests are Len:16 | body; replies have no length. */
#ifndef TAPA_DIST_EPMD_H
#define TAPA_DIST_EPMD_H

#include "dist/etf.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#define EPMD_PORT 4369

/* A TCP socket that a spawned program does not inherit. SOCK_CLOEXEC is
 * Linux and BSD only (macOS lacks it), so close-on-exec is set with fcntl,
 * which every POSIX system has. -1 with errno on failure. */
static inline int epmd_tcp_socket(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    int flags = fcntl(fd, F_GETFD);
    if (flags < 0 || fcntl(fd, F_SETFD, flags | FD_CLOEXEC) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}
#define EPMD_ALIVE2_REQ 120
#define EPMD_ALIVE2_RESP 121
#define EPMD_ALIVE2_X_RESP 118
#define EPMD_PORT2_REQ 122
#define EPMD_PORT2_RESP 119
#define EPMD_NAMES_REQ 110
#define EPMD_KILL_REQ 107
#define EPMD_NODE_HIDDEN 72
#define EPMD_NODE_NORMAL 77

/* Register `alive` (the part before @) at `port` with the mapper on this
 * host, starting the kit's mapper first when nobody listens on 4369.
 * Blocking, loopback only. On success *fd is the registration (closing it
 * unregisters) and *creation the incarnation the mapper gave. */
bool epmd_register(const char *alive, uint16_t port, bool loopback_only, int *fd,
                   uint32_t *creation, char *err, size_t errlen);

/* PORT_PLEASE2 request bytes (with the length prefix). */
void epmd_port_please_req(dbuf *b, const char *alive);
/* Parse a PORT2 reply: 0 found (*port set), 1 not registered, -1 need
 * more bytes, -2 malformed. */
int epmd_port_please_parse(const uint8_t *p, size_t len, uint16_t *port);

/* The daemon: serve the mapper on an already bound, listening socket.
 * Never returns unless it was told to stop (KILL_REQ). */
int epmd_serve(int listen_fd);
/* Connection slots, how many of them names may take, and how long a
 * connection may stay without a complete request (0: unchanged). */
void epmd_set_limits(size_t max_clients, size_t max_names, int64_t idle_timeout_ms);
/* Bind 4369 (loopback or every address) and serve; for tools/tapa-epmd. */
int epmd_daemon_main(bool loopback_only, bool quiet);

#endif
