/* dist.h — the distribution layer's insides (not public).
 *
 * A `peer` is another node we talk to, by name: its state, the packets
 * queued while it connects, the processes waiting for an answer from it.
 * A `sock` is one TCP connection to it (or an attempt); during a
 * simultaneous connect a peer can briefly have two. Everything runs on the
 * scheduler's libuv loop, in one thread.
 */
#ifndef TAPA_DIST_DIST_H
#define TAPA_DIST_DIST_H

#include "dist/epmd.h"
#include "dist/etf.h"
#include "dist/handshake.h"
#include "sched/process.h"

#include <uv.h>

enum peer_state { PEER_PENDING, PEER_UP, PEER_DOWN };
enum sock_stage { SK_RESOLVE, SK_EPMD, SK_CONNECT, SK_HANDSHAKE, SK_UP, SK_CLOSING };

/* Control message operations (erl_dist_protocol). */
enum {
    OP_LINK = 1,
    OP_SEND = 2,
    OP_EXIT = 3,
    OP_UNLINK = 4,
    OP_REG_SEND = 6,
    OP_EXIT2 = 8,
    OP_SEND_TT = 12,
    OP_EXIT_TT = 13,
    OP_REG_SEND_TT = 16,
    OP_EXIT2_TT = 18,
    OP_MONITOR_P = 19,
    OP_DEMONITOR_P = 20,
    OP_MONITOR_P_EXIT = 21,
    OP_SEND_SENDER = 22,
    OP_SEND_SENDER_TT = 23,
    OP_PAYLOAD_EXIT = 24,
    OP_PAYLOAD_EXIT_TT = 25,
    OP_PAYLOAD_EXIT2 = 26,
    OP_PAYLOAD_EXIT2_TT = 27,
    OP_PAYLOAD_MONITOR_P_EXIT = 28,
    OP_SPAWN_REQUEST = 29,
    OP_SPAWN_REQUEST_TT = 30,
    OP_SPAWN_REPLY = 31,
    OP_SPAWN_REPLY_TT = 32,
    OP_ALIAS_SEND = 33,
    OP_ALIAS_SEND_TT = 34,
    OP_UNLINK_ID = 35,
    OP_UNLINK_ID_ACK = 36,
};

#define PEER_NODE_BUDGET 512
#define PEER_ATOM_BUDGET 65536

/* A process waiting for an answer from a peer (ping, spawn): it gets
 * {ref, answer}, or {ref, :noconnection} if the peer goes away. */
typedef struct waiter {
    tapa_term pid;
    uint32_t ref[3];
    bool link; /* a spawn_link: link when the reply comes */
    bool monitor; /* a spawn with monitor (rpc): watch the new process */
} waiter;

struct sock;

typedef struct peer {
    struct peer *next;
    char name[HS_NAME_MAX];
    tapa_term atom;
    uint8_t state;
    uint32_t node_index; /* of the incarnation we are connected to */
    uint64_t flags; /* the peer's distribution flags */
    struct sock *up; /* the connection, when PEER_UP */
    struct sock *trying; /* our own attempt, while PEER_PENDING */
    dbuf queue; /* framed packets waiting for the connection */
    dbuf out; /* framed packets waiting for the next flush */
    waiter *waiters;
    uint32_t nwaiters, waiters_cap;
    uint64_t last_recv_ms, last_send_ms;
    uint64_t last_drain_ms; /* when output last went out (a stalled reader is dead) */
    tapa_term *suspended; /* processes waiting for the output to drain */
    uint32_t nsuspended, suspended_cap;
    uint64_t pending_since_ms;
    uint32_t atoms_left; /* atoms its terms may still add */
    uint32_t nodes_left; /* node incarnations its terms may still add (etf_limits) */
    bool overflow; /* output past dn.max_output: dropped at the next flush */
    char overflow_why[128];
} peer;

typedef struct sock {
    struct peer *peer; /* NULL for an accepted socket until the name is known */
    uint8_t stage;
    bool initiator;
    bool quiet; /* closing without a nodedown (lost a simultaneous connect) */
    int open_handles; /* freed when both handles are closed */
    uv_tcp_t tcp;
    uv_tcp_t epmd; /* the port lookup, while SK_EPMD */
    uv_connect_t creq;
    void *resolving; /* the host lookup in flight, while SK_RESOLVE */
    struct sockaddr_storage addr;
    handshake hs;
    dbuf in;
} sock;

typedef struct dist_node {
    bool alive;
    char name[HS_NAME_MAX];
    char alive_part[HS_NAME_MAX];
    char host[HS_NAME_MAX];
    tapa_term atom;
    uint32_t creation;
    char cookie[256];
    uint64_t ticktime_ms;
    uint64_t setup_ms;
    size_t max_packet;
    size_t max_output; /* bytes queued toward one peer before its senders wait */
    etf_limits limits;
    int epmd_fd;
    struct node_handles *h; /* malloc'd: they outlive a stop until closed */
    bool flusher_on;
    bool stopping; /* the program ends: no nodedown work for local processes */
    peer *peers;
    tapa_heap scratch; /* where incoming packets are decoded */
    bool verbose;
    /* monitor_node: (node atom, pid) pairs */
    struct {
        tapa_term node, pid;
    } * watch;
    uint32_t nwatch, watch_cap;
    uint64_t unlink_id;
} dist_node;

typedef struct node_handles {
    uv_tcp_t listener;
    uv_timer_t tick;
    uv_prepare_t flusher;
    int open;
} node_handles;

extern dist_node dn;

/* conn.c */
peer *peer_find(tapa_term node);
peer *peer_connect(tapa_term node); /* finds or starts connecting; NULL: bad name */
void peer_send(peer *pr, const dbuf *packet); /* packet: 112, control[, payload] */
void peer_flush_all(void);
void peer_drop(peer *pr, const char *why); /* nodedown */
/* After a send from a process: wait while the peer's output is over the limit. */
void dist_throttle(tapa_term node);
void sock_accepted(uv_stream_t *server);
void dist_tick(void);
void dist_close_all(void);
void dist_log(const char *fmt, ...);
uint64_t dist_now(void);

/* node.c */
void dist_shutdown(void);

/* ctrl.c */
void ctrl_packet(peer *pr, const uint8_t *p, size_t len);
/* Encode {control} and optional payload into a packet and send it. */
void ctrl_send(peer *pr, tapa_term control, tapa_term payload);
void nodedown_local(peer *pr);
extern const dist_hooks dist_hook_table;

/* waiters (conn.c) */
void waiter_add(peer *pr, tapa_term pid, tapa_term ref, bool link, bool watch);
bool waiter_take(peer *pr, tapa_term ref, waiter *out);

/* io_protocol.c: group leaders on other nodes */
void io_protocol_start(void);
void io_protocol_stop(void);
bool io_request_in(peer *pr, tapa_term message);
/* Where output served for other nodes goes: NULL writes it to stdout; a
 * program that owns the terminal (tapa-iex) sets its own writer, so the
 * text lands above its prompt instead of after it. */
extern void (*io_protocol_output)(const char *data, size_t len);

/* spawn.c */
void spawn_request_in(peer *pr, tapa_term ctl, tapa_term args);
void spawn_reply_in(peer *pr, tapa_term ctl);

tapa_fun_fn export_lookup(tapa_term module, tapa_term function, int arity); /* term.c */

#endif
