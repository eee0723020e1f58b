/* dist_api.c — the distribution functions of tapa.h that a process calls:
 * ping, nodes, monitor_node, spawn and rpc on another node, and pids as
 * text. Each waits the way Erlang's does: for a reply message, or for
 * {ref, :noconnection} when the connection goes first. */
#include "dist/dist.h"

#include <stdlib.h>
#include <string.h>

static void need_atom(tapa_term node, const char *what)
{
    if (!tapa_is_atom(node)) term_badarg("%s", what);
}

/* Wait for {ref, reply}; returns reply. */
static tapa_term await_reply(tapa_term ref, int64_t timeout_ms)
{
    tapa_match m = {0};
    tapa_pin(&m, "ref", ref);
    if (tapa_receive(&m, timeout_ms, "{^ref, reply}") == TAPA_TIMEOUT) return A(noconnection);
    return tapa_var(&m, "reply");
}

/* ------------------------------------------------------------------ ping -- */

/* net_adm:ping: the is_auth call to the peer's net_kernel. */
tapa_term tapa_ping(tapa_term node)
{
    process *self = proc_self_or_fail("Node.ping");
    TERM_ARG(node, "tapa_ping", 1);
    need_atom(node, "Node.ping: the node name must be an atom");
    if (!dn.alive) return A(pang);
    if (node == dn.atom) return A(pong);
    peer *pr = peer_connect(node);
    if (!pr) return A(pang);
    tapa_term ref = tapa_make_ref();
    waiter_add(pr, self->pid, ref, false, false);
    tapa_term call = tapa_tuple(tapa_atom("$gen_call"), tapa_tuple(self->pid, ref),
                                tapa_tuple(tapa_atom("is_auth"), dn.atom));
    tapa_term ctl =
        tapa_tuple(tapa_int(OP_REG_SEND), self->pid, tapa_atom(""), tapa_atom("net_kernel"));
    ctrl_send(pr, ctl, call);
    tapa_term reply = await_reply(ref, (int64_t)(dn.setup_ms + dn.ticktime_ms));
    pr = peer_find(node);
    if (pr) waiter_take(pr, ref, NULL);
    return reply == tapa_atom("yes") ? A(pong) : A(pang);
}

tapa_term tapa_nodes(void)
{
    tapa_term list = TERM_NIL;
    for (peer *p = dn.peers; p; p = p->next)
        if (p->state == PEER_UP) list = tapa_cons(p->atom, list);
    return list;
}

/* ---------------------------------------------------------- monitor_node -- */

void tapa_monitor_node(tapa_term node, bool on)
{
    process *self = proc_self_or_fail("Node.monitor");
    TERM_ARG(node, "tapa_monitor_node", 1);
    need_atom(node, "Node.monitor: the node name must be an atom");
    if (!on) {
        for (uint32_t i = 0; i < dn.nwatch; i++) {
            if (dn.watch[i].node != node || dn.watch[i].pid != self->pid) continue;
            dn.watch[i] = dn.watch[--dn.nwatch];
            break;
        }
        return;
    }
    if (node == tapa_node() && dn.alive) return;
    peer *pr = dn.alive ? peer_connect(node) : NULL;
    if (!pr) { /* cannot even try: down at once, as erlang:monitor_node does */
        deliver_message(self, tapa_tuple(A(nodedown), node));
        return;
    }
    if (dn.nwatch == dn.watch_cap) {
        dn.watch_cap = dn.watch_cap ? dn.watch_cap * 2 : 8;
        dn.watch = realloc(dn.watch, dn.watch_cap * sizeof *dn.watch);
        if (!dn.watch) abort();
    }
    dn.watch[dn.nwatch].node = node;
    dn.watch[dn.nwatch++].pid = self->pid;
}

/* ----------------------------------------------------------------- spawn -- */

/* "Tapa.Demo" -> :"Elixir.Tapa.Demo", ":erlang" -> :erlang (as tapa_export). */
static tapa_term module_atom(const char *module)
{
    if (module[0] == ':') return tapa_atom(module + 1);
    if (strncmp(module, "Elixir.", 7) == 0) return tapa_atom(module);
    size_t n = strlen(module);
    char *s = malloc(n + 8);
    if (!s) abort();
    memcpy(s, "Elixir.", 7);
    memcpy(s + 7, module, n + 1);
    tapa_term a = tapa_atom(s);
    free(s);
    return a;
}

/* Send a SPAWN_REQUEST and wait for its reply: a pid or an error atom. */
static tapa_term spawn_request(tapa_term node, tapa_term m, tapa_term f, tapa_term args,
                               tapa_term opts, bool link, bool watch, tapa_term *req_out)
{
    process *self = proc_self_or_fail("Node.spawn");
    need_atom(node, "Node.spawn: the node name must be an atom");
    if (!tapa_is_list(args)) term_badarg("Node.spawn: the arguments must be a list");
    peer *pr = dn.alive ? peer_connect(node) : NULL;
    if (!pr) return A(noconnection);
    tapa_term req = tapa_make_ref();
    *req_out = req;
    waiter_add(pr, self->pid, req, link, watch);
    tapa_term mfa = tapa_tuple(m, f, tapa_int((int64_t)tapa_length(args)));
    tapa_term ctl = tapa_tuple(tapa_int(OP_SPAWN_REQUEST), req, self->pid,
                               self->group_leader ? self->group_leader : self->pid, mfa, opts);
    ctrl_send(pr, ctl, args);
    return await_reply(req, TAPA_INFINITY);
}

/* A spawn that could not happen returns a pid that is never alive, as
 * erlang:spawn/4 does, and says why. */
static tapa_term spawn_on(tapa_term node, const char *module, const char *function, tapa_term args,
                          bool link)
{
    tapa_term req, opts = link ? tapa_list(tapa_atom("link")) : TERM_NIL;
    tapa_term r = spawn_request(node, module_atom(module), tapa_atom(function), args, opts, link,
                                false, &req);
    if (tapa_is_pid(r)) return r;
    tapa_printf("tapa: spawn of %s.%s on %pT failed: %pT\n", module, function, node, r);
    if (link) {
        if (proc_current()->trap_exit)
            deliver_message(proc_current(), tapa_tuple(A(EXIT), MAKE_PID(0, 0, 0), r));
        else tapa_exit(r);
    }
    return MAKE_PID(node_index_of(node, 0), 0, 0);
}

tapa_term tapa_spawn_on(tapa_term node, const char *module, const char *function, tapa_term args)
{
    TERM_ARG(node, "tapa_spawn_on", 1);
    TERM_ARG(args, "tapa_spawn_on", 4);
    return spawn_on(node, module, function, args, false);
}

tapa_term tapa_spawn_link_on(tapa_term node, const char *module, const char *function,
                             tapa_term args)
{
    TERM_ARG(node, "tapa_spawn_link_on", 1);
    TERM_ARG(args, "tapa_spawn_link_on", 4);
    return spawn_on(node, module, function, args, true);
}

/* :rpc.call as OTP 25 makes it: spawn erpc:execute_call with a monitor,
 * read the answer from the DOWN reason. */
tapa_term tapa_rpc(tapa_term node, const char *module, const char *function, tapa_term args)
{
    TERM_ARG(node, "tapa_rpc", 1);
    TERM_ARG(args, "tapa_rpc", 4);
    tapa_term res = tapa_make_ref(), req;
    tapa_term call_args = tapa_list(res, module_atom(module), tapa_atom(function), args);
    tapa_term r = spawn_request(node, tapa_atom("erpc"), tapa_atom("execute_call"), call_args,
                                tapa_list(tapa_atom("monitor")), false, true, &req);
    if (!tapa_is_pid(r))
        return tapa_tuple(tapa_atom("badrpc"), r == A(noconnection) ? A(nodedown) : r);
    tapa_match m = {0};
    tapa_pin(&m, "req", req);
    tapa_receive(&m, TAPA_INFINITY, "{:DOWN, ^req, :process, _, reason}");
    tapa_term reason = tapa_var(&m, "reason");
    tapa_term badrpc = tapa_atom("badrpc");
    if (reason == A(noconnection)) return tapa_tuple(badrpc, A(nodedown));
    if (!tapa_is_tuple(reason) || tapa_tuple_size(reason) < 3 ||
        !tapa_equal(tapa_element(reason, 0), res))
        return tapa_tuple(badrpc, tapa_tuple(A(EXIT), reason));
    tapa_term kind = tapa_element(reason, 1), v = tapa_element(reason, 2);
    if (kind == tapa_atom("return") || kind == tapa_atom("throw")) return v;
    if (kind == A(error) && tapa_tuple_size(reason) == 4)
        v = tapa_tuple(v, tapa_element(reason, 3));
    return tapa_tuple(badrpc, tapa_tuple(A(EXIT), v));
}

/* ------------------------------------------------------------ pids as text -- */

tapa_term tapa_list_to_pid(const char *text)
{
    unsigned a, b, c;
    char end;
    if (!text || sscanf(text, "<%u.%u.%u%c", &a, &b, &c, &end) != 4 || end != '>' ||
        text[strlen(text) - 1] != '>' || c > 0xffff)
        term_badarg(":erlang.list_to_pid: expected text like '<0.42.0>'");
    if (a == 0) return MAKE_PID(0, b, c);
    for (peer *p = dn.peers; p; p = p->next)
        if (p->state == PEER_UP && node_at(p->node_index)->channel == a)
            return MAKE_PID(p->node_index, b, c);
    term_badarg(":erlang.list_to_pid: no connected node has that channel number (connect first)");
}

tapa_term tapa_pid_to_list(tapa_term pid)
{
    TERM_ARG(pid, "tapa_pid_to_list", 1);
    if (!tapa_is_pid(pid)) term_badarg(":erlang.pid_to_list: not a pid");
    char buf[64];
    snprintf(buf, sizeof buf, "<%u.%u.%u>", node_at(PID_NODE(pid))->channel, PID_ID(pid),
             PID_SERIAL(pid));
    return tapa_charlist(buf);
}
