/* trace.h — the runtime's event stream (spawn, send, receive, link, exit
 * signal, DOWN, register, exit), written one event per line to a file.
 * When tracing is off each call site costs one test of a global flag. */
#ifndef TAPA_TRACE_H
#define TAPA_TRACE_H

#include "term/term.h"

typedef enum trace_kind {
    TR_SPAWN, /* a spawned b */
    TR_SEND, /* a sent term to b */
    TR_RECEIVE, /* a took term from its mailbox */
    TR_LINK,
    TR_UNLINK,
    TR_EXIT_SIGNAL, /* a's exit signal with reason term reached b */
    TR_TRAP, /* b turned an exit signal from a into a message */
    TR_MONITOR,
    TR_DOWN,
    TR_REGISTER,
    TR_UNREGISTER,
    TR_EXIT, /* a ended with reason term */
    TR_NODE_UP,
    TR_NODE_DOWN,
} trace_kind;

extern bool trace_on;
void trace_write(trace_kind kind, tapa_term a, tapa_term b, tapa_term term);
#define TRACE(kind, a, b, term)                              \
    do {                                                     \
        if (trace_on) trace_write((kind), (a), (b), (term)); \
    } while (0)
void trace_init_from_env(void);
void trace_close(void);

#endif
