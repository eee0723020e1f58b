/* ctrl.c — control messages: what a peer tells us (messages, links,
 * exits, monitors, spawns) and what our processes tell a peer (the
 * dist_hooks the process layer calls for remote pids).
 *
 * Incoming packets are decoded into a scratch heap; delivery copies into
 * the receiver's heap, and the scratch heap is emptied after each packet.
 * A packet we cannot make sense of closes that one connection, logged.
 */
#include "dist/dist.h"

#include <stdlib.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <string.h>

#define PASS_THROUGH 112

/* ------------------------------------------------------------- sending -- */

static dbuf pkt; /* reused: one thread, never nested */

/* The control tuple is written directly as bytes: sending a message then
 * makes no garbage on the sender's heap. */
static void ctl_begin(int arity, int op)
{
    pkt.len = 0;
    dbuf_u8(&pkt, PASS_THROUGH);
    dbuf_u8(&pkt, ETF_VERSION);
    dbuf_u8(&pkt, ETF_SMALL_TUPLE_EXT);
    dbuf_u8(&pkt, (uint8_t)arity);
    dbuf_u8(&pkt, ETF_SMALL_INTEGER_EXT);
    dbuf_u8(&pkt, (uint8_t)op);
}

static bool ctl_term(tapa_term t)
{
    char err[160];
    if (etf_encode_term(&pkt, t, err, sizeof err)) return true;
    dist_log("cannot send a term: %s", err);
    return false;
}

static bool ctl_payload(tapa_term t)
{
    dbuf_u8(&pkt, ETF_VERSION);
    return ctl_term(t);
}

/* Sends the packet ctl_begin, ctl_term and ctl_payload built in pkt. */
static void ctl_send_built(peer *pr)
{
    peer_send(pr, &pkt);
}

void ctrl_send(peer *pr, tapa_term control, tapa_term payload)
{
    pkt.len = 0;
    dbuf_u8(&pkt, PASS_THROUGH);
    dbuf_u8(&pkt, ETF_VERSION);
    if (!ctl_term(control)) return;
    if (payload && !ctl_payload(payload)) return;
    ctl_send_built(pr);
}

static tapa_term empty_atom(void)
{
    return tapa_atom("");
}

static tapa_term node_of(tapa_term pid)
{
    return node_at(PID_NODE(pid))->name;
}

/* ----------------------------------------------------- outgoing hooks -- */

static void h_send(tapa_term from, tapa_term to, tapa_term message)
{
    peer *pr = peer_connect(node_of(to));
    if (!pr) return;
    ctl_begin(3, OP_SEND_SENDER);
    if (ctl_term(from) && ctl_term(to) && ctl_payload(message)) ctl_send_built(pr);
    dist_throttle(pr->atom);
}

static void h_reg_send(tapa_term from, tapa_term name, tapa_term node, tapa_term message)
{
    peer *pr = peer_connect(node);
    if (!pr) return;
    ctl_begin(4, OP_REG_SEND);
    if (ctl_term(from) && ctl_term(empty_atom()) && ctl_term(name) && ctl_payload(message))
        ctl_send_built(pr);
    dist_throttle(pr->atom);
}

/* A link or monitor to a node we cannot even try to reach breaks at once. */
static void unreachable(tapa_term from, tapa_term to, const monitor *m)
{
    process *p = proc_lookup(from);
    if (!p) return;
    if (!m) {
        if (link_remove(p, to)) deliver_exit_signal(to, p, A(noconnection), true);
        return;
    }
    monitor gone;
    if (monitor_remove(p, m->ref, monitor_ref_len(m), m->ref_node, &gone))
        deliver_message(p, down_message(monitor_ref_term(&gone), to, A(noconnection)));
}

static void h_link(tapa_term from, tapa_term to)
{
    peer *pr = peer_connect(node_of(to));
    if (!pr) {
        unreachable(from, to, NULL);
        return;
    }
    ctl_begin(3, OP_LINK);
    if (ctl_term(from) && ctl_term(to)) ctl_send_built(pr);
}

/* Signals that only make sense on a live connection do not dial. */
static peer *connected(tapa_term node)
{
    peer *pr = peer_find(node);
    return pr && pr->state != PEER_DOWN ? pr : NULL;
}

static void h_unlink(tapa_term from, tapa_term to)
{
    peer *pr = connected(node_of(to));
    if (!pr) return;
    ctl_begin(4, OP_UNLINK_ID);
    if (ctl_term(tapa_int((int64_t)(++dn.unlink_id & ((1ULL << 59) - 1)))) && ctl_term(from) &&
        ctl_term(to))
        ctl_send_built(pr);
}

static void h_exit(tapa_term from, tapa_term to, tapa_term reason, bool via_link)
{
    peer *pr = via_link ? connected(node_of(to)) : peer_connect(node_of(to));
    if (!pr) return;
    ctl_begin(3, via_link ? OP_PAYLOAD_EXIT : OP_PAYLOAD_EXIT2);
    if (ctl_term(from) && ctl_term(to) && ctl_payload(reason)) ctl_send_built(pr);
}

static void h_monitor(tapa_term from, tapa_term to, const monitor *m)
{
    peer *pr = peer_connect(node_of(to));
    if (!pr) {
        unreachable(from, to, m);
        return;
    }
    ctl_begin(4, OP_MONITOR_P);
    if (ctl_term(from) && ctl_term(m->name ? m->name : to) && ctl_term(monitor_ref_term(m)))
        ctl_send_built(pr);
}

static void h_demonitor(tapa_term from, tapa_term to, const monitor *m)
{
    peer *pr = connected(node_of(to));
    if (!pr) return;
    ctl_begin(4, OP_DEMONITOR_P);
    if (ctl_term(from) && ctl_term(m->name ? m->name : to) && ctl_term(monitor_ref_term(m)))
        ctl_send_built(pr);
}

static void h_down(tapa_term from, tapa_term watcher, const monitor *m, tapa_term reason)
{
    peer *pr = connected(node_of(watcher));
    if (!pr) return;
    ctl_begin(4, OP_PAYLOAD_MONITOR_P_EXIT);
    if (ctl_term(m->name ? m->name : from) && ctl_term(watcher) && ctl_term(monitor_ref_term(m)) &&
        ctl_payload(reason))
        ctl_send_built(pr);
}

static bool h_is_alive(tapa_term pid)
{
    peer *pr = peer_find(node_of(pid));
    return pr && pr->state == PEER_UP;
}

const dist_hooks dist_hook_table = {
    .send = h_send,
    .reg_send = h_reg_send,
    .link = h_link,
    .unlink = h_unlink,
    .exit = h_exit,
    .monitor = h_monitor,
    .demonitor = h_demonitor,
    .down = h_down,
    .is_alive = h_is_alive,
    .shutdown = dist_shutdown,
};

/* ----------------------------------------------------------- nodedown -- */

typedef struct pidvec {
    tapa_term *v;
    size_t n, cap;
} pidvec;

static void pv_push(pidvec *pv, tapa_term t)
{
    if (pv->n == pv->cap) {
        pv->cap = pv->cap ? pv->cap * 2 : 64;
        pv->v = realloc(pv->v, pv->cap * sizeof *pv->v);
        if (!pv->v) abort();
    }
    pv->v[pv->n++] = t;
}

static void collect_pid(process *p, void *ctx)
{
    if (p->state != PS_EXITING) pv_push(ctx, p->pid);
}

static bool on_node(tapa_term pid, tapa_term node)
{
    return PID_NODE(pid) != 0 && node_of(pid) == node;
}

/* Links to the lost node: each end gets :noconnection, as from the peer. */
static void break_links_to(tapa_term pid, tapa_term node)
{
    process *p = proc_lookup(pid);
    if (!p) return;
    pidvec gone = {0};
    for (uint32_t i = 0; i < p->nlinks;) {
        if (on_node(p->links[i], node)) {
            pv_push(&gone, p->links[i]);
            p->links[i] = p->links[--p->nlinks];
        } else {
            i++;
        }
    }
    for (size_t i = 0; i < gone.n; i++) {
        p = proc_lookup(pid); /* an earlier signal may have ended it */
        if (p) deliver_exit_signal(gone.v[i], p, A(noconnection), true);
    }
    free(gone.v);
}

static void fire_monitors_to(tapa_term pid, tapa_term node)
{
    process *p = proc_lookup(pid);
    if (!p) return;
    for (uint32_t i = 0; i < p->nmonitors;) {
        monitor m = p->monitors[i];
        if (!on_node(m.other, node)) {
            i++;
            continue;
        }
        p->monitors[i] = p->monitors[--p->nmonitors];
        if (!m.origin) continue;
        tapa_term who = m.name ? tapa_tuple(m.name, node) : m.other;
        deliver_message(p, down_message(monitor_ref_term(&m), who, A(noconnection)));
    }
}

static void wake_waiters(peer *pr)
{
    for (uint32_t i = 0; i < pr->nwaiters; i++) {
        waiter *w = &pr->waiters[i];
        process *p = proc_lookup(w->pid);
        if (p) deliver_message(p, tapa_tuple(term_ref_make(0, w->ref, 3), A(noconnection)));
    }
    pr->nwaiters = 0;
}

static void tell_watchers(tapa_term node)
{
    for (uint32_t i = 0; i < dn.nwatch;) {
        if (dn.watch[i].node != node) {
            i++;
            continue;
        }
        process *p = proc_lookup(dn.watch[i].pid);
        dn.watch[i] = dn.watch[--dn.nwatch];
        if (p) deliver_message(p, tapa_tuple(A(nodedown), node));
    }
}

void nodedown_local(peer *pr)
{
    tapa_heap *saved = tapa_current_heap;
    tapa_current_heap = &dn.scratch;
    pidvec all = {0};
    proc_each(collect_pid, &all);
    for (size_t i = 0; i < all.n; i++) fire_monitors_to(all.v[i], pr->atom);
    for (size_t i = 0; i < all.n; i++) break_links_to(all.v[i], pr->atom);
    free(all.v);
    wake_waiters(pr);
    tell_watchers(pr->atom);
    tapa_current_heap = saved;
}

/* ------------------------------------------------------------ incoming -- */

static bool is_op_tuple(tapa_term t, size_t arity)
{
    return tapa_is_tuple(t) && tapa_tuple_size(t) == arity;
}
static tapa_term el(tapa_term t, size_t i)
{
    return ((box_tuple *)BOX_OF(t))->elements[i];
}

static process *live(tapa_term pid)
{
    if (!tapa_is_pid(pid)) return NULL;
    process *p = proc_lookup(pid);
    return p && p->state != PS_EXITING && !p->exit_pending ? p : NULL;
}

/* ping: {'$gen_call', {From, Tag}, {is_auth, Node}} -> From ! {Tag, yes} */
static void net_kernel_call(peer *pr, tapa_term message)
{
    if (!is_op_tuple(message, 3) || el(message, 0) != tapa_atom("$gen_call")) return;
    tapa_term from = el(message, 1), req = el(message, 2);
    if (!is_op_tuple(from, 2) || !tapa_is_pid(el(from, 0))) return;
    tapa_term answer =
        is_op_tuple(req, 2) && el(req, 0) == tapa_atom("is_auth") ? tapa_atom("yes") : A(error);
    ctl_begin(3, OP_SEND);
    if (ctl_term(empty_atom()) && ctl_term(el(from, 0)) &&
        ctl_payload(tapa_tuple(el(from, 1), answer)))
        ctl_send_built(pr);
}

static void in_send(peer *pr, tapa_term to, tapa_term message)
{
    process *p = live(to);
    if (p && !io_request_in(pr, message)) deliver_message(p, message);
}

static void in_reg_send(peer *pr, tapa_term name, tapa_term message)
{
    if (!tapa_is_atom(name)) return;
    if (name == tapa_atom("net_kernel")) {
        net_kernel_call(pr, message);
        return;
    }
    tapa_term pid = registry_whereis(name);
    if (pid) in_send(pr, pid, message); /* an unknown name: dropped, as BEAM does remotely */
}

static void in_link(peer *pr, tapa_term from, tapa_term to)
{
    process *p = live(to);
    if (p && tapa_is_pid(from)) {
        link_add(p, from);
        return;
    }
    ctl_begin(4, OP_EXIT);
    if (ctl_term(to) && ctl_term(from) && ctl_term(A(noproc))) ctl_send_built(pr);
}

static void in_exit(tapa_term from, tapa_term to, tapa_term reason, bool via_link)
{
    process *p = live(to);
    if (!p || !tapa_is_pid(from)) return;
    if (via_link && !link_remove(p, from)) return; /* already unlinked: no signal */
    deliver_exit_signal(from, p, reason, via_link);
}

static void in_unlink_id(peer *pr, tapa_term ctl)
{
    tapa_term id = el(ctl, 1), from = el(ctl, 2), to = el(ctl, 3);
    process *p = live(to);
    if (p) link_remove(p, from);
    ctl_begin(4, OP_UNLINK_ID_ACK);
    if (ctl_term(id) && ctl_term(to) && ctl_term(from)) ctl_send_built(pr);
}

/* All the words of a reference: a BEAM node's refs have 3 to 5. */
static bool ref_of(tapa_term ref, uint32_t words[5], uint8_t *len, uint32_t *node)
{
    if (!IS_BOX_TYPE(ref, BOX_REF)) return false;
    box_ref *r = (box_ref *)BOX_OF(ref);
    for (uint32_t i = 0; i < 5; i++) words[i] = i < r->h.size ? r->words[i] : 0;
    *len = (uint8_t)r->h.size;
    *node = r->node;
    return true;
}

static void in_monitor(peer *pr, tapa_term from, tapa_term target, tapa_term ref)
{
    monitor m = {.origin = false, .other = from};
    if (!tapa_is_pid(from) || !ref_of(ref, m.ref, &m.ref_len, &m.ref_node)) return;
    tapa_term pid = target;
    if (tapa_is_atom(target)) {
        m.name = target;
        pid = registry_whereis(target);
    }
    process *p = pid ? live(pid) : NULL;
    if (p) {
        monitor_add(p, &m);
        return;
    }
    /* gen:call (ping) monitors net_kernel, which lives in the node itself:
     * it is up as long as the connection is */
    if (target == tapa_atom("net_kernel")) return;
    ctl_begin(4, OP_PAYLOAD_MONITOR_P_EXIT);
    if (ctl_term(target) && ctl_term(from) && ctl_term(ref) && ctl_payload(A(noproc)))
        ctl_send_built(pr);
}

/* Takes from p the half (origin: p watches) of the monitor with that ref
 * whose other end is `other`, a process of the peer's node (or, for a DOWN
 * by name, the name it was monitored by). A peer may only end monitors
 * between our processes and its own: not one between two of ours, nor one
 * with a third node, whose ref it may have seen or guessed. */
static bool take_monitor(peer *pr, process *p, tapa_term ref, bool origin, tapa_term other,
                         monitor *out)
{
    uint32_t w[5], node;
    uint8_t len;
    if (!ref_of(ref, w, &len, &node)) return false;
    for (uint32_t i = 0; i < p->nmonitors; i++) {
        monitor *m = &p->monitors[i];
        if (m->origin != origin || m->ref_node != node || monitor_ref_len(m) != len ||
            memcmp(m->ref, w, len * sizeof *w) != 0 || !on_node(m->other, pr->atom) ||
            (m->other != other && !(m->name && m->name == other)))
            continue;
        *out = *m;
        *m = p->monitors[--p->nmonitors];
        return true;
    }
    return false;
}

static void in_demonitor(peer *pr, tapa_term from, tapa_term target, tapa_term ref)
{
    tapa_term pid = tapa_is_atom(target) ? registry_whereis(target) : target;
    process *p = pid ? live(pid) : NULL;
    monitor m;
    if (p) take_monitor(pr, p, ref, false, from, &m);
}

static void in_down(peer *pr, tapa_term from, tapa_term to, tapa_term ref, tapa_term reason)
{
    process *p = live(to);
    monitor m;
    if (!p || !take_monitor(pr, p, ref, true, from, &m)) return;
    tapa_term who = m.name ? tapa_tuple(m.name, pr->atom) : from;
    deliver_message(p, down_message(ref, who, reason));
}

/* A sender a peer names must be one of its own processes (BEAM closes a
 * connection that says otherwise): one node may not speak for another,
 * nor for ours. */
static bool from_peer(peer *pr, tapa_term pid)
{
    return tapa_is_pid(pid) && PID_NODE(pid) != 0 && node_at(PID_NODE(pid))->name == pr->atom;
}

/* Messages: {2, '', To} {22, From, To} {12/23, .., To, Token} + Msg;
 * {6, From, '', Name} and {16, .., Token} + Msg. */
static bool dispatch_send(peer *pr, long op, tapa_term c, size_t n, tapa_term pay)
{
    if (!pay) return false;
    switch (op) {
    case OP_SEND:
    case OP_SEND_SENDER:
        if (n != 3) return false;
        break;
    case OP_SEND_TT:
    case OP_SEND_SENDER_TT:
        if (n != 4) return false;
        break;
    case OP_REG_SEND:
        if (n != 4) return false;
        in_reg_send(pr, el(c, 3), pay);
        return true;
    case OP_REG_SEND_TT:
        if (n != 5) return false;
        in_reg_send(pr, el(c, 3), pay);
        return true;
    }
    in_send(pr, el(c, 2), pay);
    return true;
}

/* Exit signals: the reason is the 4th element, the 5th after a trace
 * token, or the payload. */
static bool dispatch_exit(long op, tapa_term c, size_t n, tapa_term pay)
{
    bool via_link =
        op == OP_EXIT || op == OP_EXIT_TT || op == OP_PAYLOAD_EXIT || op == OP_PAYLOAD_EXIT_TT;
    tapa_term reason;
    if (op == OP_EXIT || op == OP_EXIT2) reason = n == 4 ? el(c, 3) : TAPA_NONE;
    else if (op == OP_EXIT_TT || op == OP_EXIT2_TT) reason = n == 5 ? el(c, 4) : TAPA_NONE;
    else reason = n >= 3 ? pay : TAPA_NONE;
    if (!reason) return false;
    in_exit(el(c, 1), el(c, 2), reason, via_link);
    return true;
}

/* Returns false for a control message we do not understand. */
/* Where a control message names its sender (0: it names none). */
static size_t sender_at(long op)
{
    switch (op) {
    case OP_LINK:
    case OP_UNLINK:
    case OP_SEND_SENDER:
    case OP_SEND_SENDER_TT:
    case OP_REG_SEND:
    case OP_REG_SEND_TT:
    case OP_EXIT:
    case OP_EXIT_TT:
    case OP_EXIT2:
    case OP_EXIT2_TT:
    case OP_PAYLOAD_EXIT:
    case OP_PAYLOAD_EXIT_TT:
    case OP_PAYLOAD_EXIT2:
    case OP_PAYLOAD_EXIT2_TT:
    case OP_MONITOR_P:
    case OP_DEMONITOR_P:
    case OP_MONITOR_P_EXIT:
    case OP_PAYLOAD_MONITOR_P_EXIT:
    case OP_ALIAS_SEND:
    case OP_ALIAS_SEND_TT:
        return 1;
    case OP_UNLINK_ID:
    case OP_SPAWN_REQUEST:
    case OP_SPAWN_REQUEST_TT:
        return 2;
    }
    return 0;
}

static bool dispatch(peer *pr, tapa_term c, tapa_term pay, const char **why)
{
    if (!tapa_is_tuple(c) || tapa_tuple_size(c) < 2 || TERM_TAG(el(c, 0)) != TAG_SMALL)
        return false;
    size_t n = tapa_tuple_size(c);
    long op = (long)SMALL_VALUE(el(c, 0));
    size_t from_at = sender_at(op);
    /* a DOWN names the monitored process, or the name it was monitored by */
    bool by_name = (op == OP_MONITOR_P_EXIT || op == OP_PAYLOAD_MONITOR_P_EXIT) && n > 1 &&
                   tapa_is_atom(el(c, 1));
    if (from_at && n > from_at && !by_name && !from_peer(pr, el(c, from_at))) {
        *why = "whose sender is not a process of the peer's node";
        return false;
    }
    switch (op) {
    case OP_SEND:
    case OP_SEND_SENDER:
    case OP_SEND_TT:
    case OP_SEND_SENDER_TT:
    case OP_REG_SEND:
    case OP_REG_SEND_TT:
        return dispatch_send(pr, op, c, n, pay);
    case OP_EXIT:
    case OP_EXIT_TT:
    case OP_EXIT2:
    case OP_EXIT2_TT:
    case OP_PAYLOAD_EXIT:
    case OP_PAYLOAD_EXIT_TT:
    case OP_PAYLOAD_EXIT2:
    case OP_PAYLOAD_EXIT2_TT:
        return dispatch_exit(op, c, n, pay);
    case OP_LINK: /* to a pid of this node (any incarnation: a stale one gets noproc) */
        if (n != 3 || !tapa_is_pid(el(c, 2)) || node_at(PID_NODE(el(c, 2)))->name != dn.atom)
            return false;
        in_link(pr, el(c, 1), el(c, 2));
        return true;
    case OP_UNLINK:
        if (n != 3) return false;
        if (live(el(c, 2))) link_remove(live(el(c, 2)), el(c, 1));
        return true;
    case OP_UNLINK_ID:
        if (n != 4) return false;
        in_unlink_id(pr, c);
        return true;
    case OP_UNLINK_ID_ACK:
        return n == 4;
    case OP_MONITOR_P:
        if (n != 4) return false;
        in_monitor(pr, el(c, 1), el(c, 2), el(c, 3));
        return true;
    case OP_DEMONITOR_P:
        if (n != 4) return false;
        in_demonitor(pr, el(c, 1), el(c, 2), el(c, 3));
        return true;
    case OP_MONITOR_P_EXIT:
        if (n != 5) return false;
        in_down(pr, el(c, 1), el(c, 2), el(c, 3), el(c, 4));
        return true;
    case OP_PAYLOAD_MONITOR_P_EXIT:
        if (n != 4 || !pay) return false;
        in_down(pr, el(c, 1), el(c, 2), el(c, 3), pay);
        return true;
    case OP_SPAWN_REQUEST:
    case OP_SPAWN_REQUEST_TT:
        if (n < 6 || !pay) return false;
        spawn_request_in(pr, c, pay);
        return true;
    case OP_SPAWN_REPLY:
    case OP_SPAWN_REPLY_TT:
        if (n < 5) return false;
        spawn_reply_in(pr, c);
        return true;
    case OP_ALIAS_SEND:
    case OP_ALIAS_SEND_TT:
        /* No C process can make an alias: tapa.h has no alias API, and the
         * replies the kit waits for (ping's {Tag, yes}, SPAWN_REPLY, rpc's
         * DOWN) come to pids because our tags are plain refs, never
         * [alias | Ref]. A peer sends ALIAS_SEND only when someone does
         * `ref ! msg` with one of our refs: that ref is no active alias,
         * and BEAM drops a send to an inactive alias. So do we. */
        return (n == 3 || n == 4) && pay != TAPA_NONE && IS_BOX_TYPE(el(c, 2), BOX_REF);
    }
    return false;
}

static void bad_packet(peer *pr, const char *why)
{
    dist_log("closing the connection to %s: %s", pr->name, why);
    peer_drop(pr, why);
}

#define TRIM_AFTER_BYTES (4u << 20)

static void dist_trim_memory(void)
{
#ifdef __GLIBC__
    malloc_trim(0);
#endif
}

void ctrl_packet(peer *pr, const uint8_t *p, size_t len)
{
    if (p[0] != PASS_THROUGH) {
        bad_packet(pr, "a packet that is not a pass-through (112) packet");
        return;
    }
    tapa_heap *saved = tapa_current_heap;
    tapa_current_heap = &dn.scratch;
    dn.limits.nodes_left = &pr->nodes_left;
    dn.limits.atoms_left = &pr->atoms_left;
    char err[200];
    size_t used = 0, used2 = 0;
    tapa_term ctl = etf_decode(p + 1, len - 1, &used, &dn.limits, err, sizeof err);
    tapa_term pay = TAPA_NONE;
    if (ctl && used + 1 < len) {
        pay = etf_decode(p + 1 + used, len - 1 - used, &used2, &dn.limits, err, sizeof err);
        if (pay && 1 + used + used2 != len) {
            pay = TAPA_NONE;
            snprintf(err, sizeof err, "stray bytes after the payload");
        }
        if (!pay) ctl = TAPA_NONE;
    }
    dn.limits.nodes_left = NULL;
    dn.limits.atoms_left = NULL;
    const char *why = NULL;
    if (!ctl) {
        bad_packet(pr, err);
    } else if (!dispatch(pr, ctl, pay, &why)) {
        /* say which, without printing what may be a huge term */
        bool tuple = tapa_is_tuple(ctl) && tapa_tuple_size(ctl) >= 1;
        tapa_term op = tuple ? el(ctl, 0) : TAPA_NONE;
        if (tuple && TERM_TAG(op) == TAG_SMALL)
            snprintf(err, sizeof err, "a control message %lld of %zu elements%s %s",
                     (long long)SMALL_VALUE(op), tapa_tuple_size(ctl),
                     pay ? " (with a payload)" : "", why ? why : "that is unknown or malformed");
        else
            snprintf(err, sizeof err,
                     "a control message that is not a tuple starting with an operation");
        bad_packet(pr, err);
    }
    tapa_current_heap = saved;
    bool big = dn.scratch.bytes + dn.scratch.count * 16 >= TRIM_AFTER_BYTES;
    heap_destroy(&dn.scratch);
    heap_init(&dn.scratch);
    /* a big term is gone: give its memory back to the system (glibc keeps
     * freed small blocks otherwise, and RSS stays at its peak) */
    if (big) dist_trim_memory();
}
