/* api.c — the process functions of tapa.h: spawn, send, exit, link,
 * monitor, register. Each is what the Erlang BIF of the same name does;
 * behaviours checked against OTP 25 are noted where they surprise. */
#include "sched/process.h"
#include "trace/trace.h"

#include <stdlib.h>
#include <string.h>

/* The running process; a runtime call made outside any process is a
 * program-structure mistake, said once and plainly. */
process *proc_self_or_fail(const char *what)
{
    process *p = proc_current();
    if (!p) {
        fprintf(stderr,
                "tapa: %s was called outside a process.\n"
                "Start your program with tapa_run(main_process, arg) and call it from there.\n",
                what);
        abort();
    }
    return p;
}

/* A local process that has not exited nor been told to (an exit signal it
 * has yet to act on came before anything the caller sends it now). */
static process *live_local(tapa_term pid)
{
    process *p = proc_lookup(pid);
    return p && p->state != PS_EXITING && !p->exit_pending ? p : NULL;
}

tapa_term tapa_self(void)
{
    return proc_self_or_fail("self()")->pid;
}

tapa_term tapa_node(void)
{
    return node_at(0)->name;
}

/* ---------------------------------------------------------------- spawn -- */

static process *spawn_child(tapa_fn fn, tapa_term arg)
{
    process *parent = proc_self_or_fail("spawn");
    process *child = proc_spawn(fn, arg);
    child->group_leader = parent->group_leader;
    TRACE(TR_SPAWN, parent->pid, child->pid, TAPA_NONE);
    child->state = PS_WAITING;
    sched_make_runnable(child);
    return child;
}

tapa_term tapa_spawn(tapa_fn fn, tapa_term arg)
{
    TERM_ARG(arg, "tapa_spawn", 2);
    return spawn_child(fn, arg)->pid;
}

tapa_term tapa_spawn_link(tapa_fn fn, tapa_term arg)
{
    TERM_ARG(arg, "tapa_spawn_link", 2);
    process *child = spawn_child(fn, arg);
    process *parent = proc_current();
    link_add(parent, child->pid);
    link_add(child, parent->pid);
    TRACE(TR_LINK, parent->pid, child->pid, TAPA_NONE);
    return child->pid;
}

tapa_term tapa_spawn_monitor(tapa_fn fn, tapa_term arg)
{
    TERM_ARG(arg, "tapa_spawn_monitor", 2);
    process *child = spawn_child(fn, arg);
    tapa_term ref = tapa_monitor(child->pid);
    return tapa_tuple(child->pid, ref);
}

/* ----------------------------------------------------------------- send -- */

static void send_to_pid(process *from, tapa_term to, tapa_term m)
{
    TRACE(TR_SEND, from->pid, to, m);
    if (PID_NODE(to) != 0) {
        if (tapa_dist) tapa_dist->send(from->pid, to, m);
        return;
    }
    process *p = proc_lookup(to);
    if (p) deliver_message(p, m); /* a dead pid: dropped, as in Erlang */
}

tapa_term tapa_send(tapa_term dest, tapa_term m)
{
    process *from = proc_self_or_fail("send");
    TERM_ARG(m, "tapa_send", 2);
    /* TAPA_NONE is neither a pid nor an atom: checked off the fast path */
    if (TERM_TAG(dest) == TAG_PID) {
        send_to_pid(from, dest, m);
    } else if (TERM_TAG(dest) == TAG_ATOM) {
        tapa_term pid = registry_whereis(dest);
        if (!pid)
            term_badarg(
                "send: no process is registered as %s. Check the name with "
                "Process.registered() (tapa_registered()), or whether that process has exited.",
                term_shown(dest));
        send_to_pid(from, pid, m);
    } else if (dest != TAPA_NONE && tapa_is_tuple(dest) && tapa_tuple_size(dest) == 2 &&
               tapa_is_atom(tapa_element(dest, 0)) && tapa_is_atom(tapa_element(dest, 1))) {
        tapa_term name = tapa_element(dest, 0), node = tapa_element(dest, 1);
        if (node == tapa_node()) {
            tapa_term pid = registry_whereis(name); /* {name, node()}: silently dropped */
            if (pid) send_to_pid(from, pid, m);
        } else if (tapa_dist) {
            TRACE(TR_SEND, from->pid, dest, m);
            tapa_dist->reg_send(from->pid, name, node, m);
        }
    } else {
        TERM_ARG(dest, "tapa_send", 1);
        term_badarg("send: %s is not a pid, a registered name or {name, node}.", term_shown(dest));
    }
    /* This send may have killed us (the receiver passed the heap limit and
     * was linked to us, or we sent to ourselves): die now, not after more
     * sends to others from a process that is already dead. */
    proc_check_pending(from);
    return m;
}

/* ----------------------------------------------------------------- exit -- */

_Noreturn void tapa_exit(tapa_term reason)
{
    proc_self_or_fail("exit");
    TERM_ARG(reason, "tapa_exit", 1);
    sched_exit_current(reason);
}

void tapa_exit_pid(tapa_term pid, tapa_term reason)
{
    process *self = proc_self_or_fail("Process.exit");
    TERM_ARG(pid, "tapa_exit_pid", 1);
    TERM_ARG(reason, "tapa_exit_pid", 2);
    if (!tapa_is_pid(pid)) term_badarg("Process.exit: %s is not a pid.", term_shown(pid));
    if (PID_NODE(pid) != 0) {
        if (tapa_dist) tapa_dist->exit(self->pid, pid, reason, false);
        return;
    }
    process *p = proc_lookup(pid);
    if (p) deliver_exit_signal(self->pid, p, reason, false);
    proc_check_pending(self);
}

bool tapa_alive(tapa_term pid)
{
    TERM_ARG(pid, "tapa_alive", 1);
    if (!tapa_is_pid(pid)) term_badarg("Process.alive?: %s is not a pid.", term_shown(pid));
    if (PID_NODE(pid) != 0)
        term_badarg("Process.alive?: %s is a pid of another node; ask that node.", term_shown(pid));
    process *p = proc_lookup(pid);
    return p && p->state != PS_EXITING && !p->exit_pending;
}

bool tapa_trap_exit(bool on)
{
    process *p = proc_self_or_fail("Process.flag(:trap_exit, ...)");
    bool old = p->trap_exit;
    p->trap_exit = on;
    return old;
}

/* ---------------------------------------------------------------- links -- */

/* Linking to a pid that is gone: a trapping caller gets {:EXIT, pid,
 * :noproc}; any other caller fails with :noproc (OTP 25). */
void tapa_link(tapa_term pid)
{
    process *self = proc_self_or_fail("Process.link");
    TERM_ARG(pid, "tapa_link", 1);
    if (!tapa_is_pid(pid)) term_badarg("Process.link: %s is not a pid.", term_shown(pid));
    if (pid == self->pid) return;
    TRACE(TR_LINK, self->pid, pid, TAPA_NONE);
    if (PID_NODE(pid) != 0) {
        link_add(self, pid);
        if (tapa_dist) tapa_dist->link(self->pid, pid);
        return;
    }
    process *p = live_local(pid);
    if (!p) {
        if (self->trap_exit) {
            deliver_message(self, tapa_tuple(A(EXIT), pid, A(noproc)));
            return;
        }
        term_fail(A(noproc), "Process.link: the process is not alive (noproc). "
                             "Link before it can exit, or use spawn_link.");
    }
    link_add(self, pid);
    link_add(p, self->pid);
}

void tapa_unlink(tapa_term pid)
{
    process *self = proc_self_or_fail("Process.unlink");
    TERM_ARG(pid, "tapa_unlink", 1);
    if (!tapa_is_pid(pid)) term_badarg("Process.unlink: %s is not a pid.", term_shown(pid));
    if (!link_remove(self, pid)) return;
    TRACE(TR_UNLINK, self->pid, pid, TAPA_NONE);
    if (PID_NODE(pid) != 0) {
        if (tapa_dist) tapa_dist->unlink(self->pid, pid);
        return;
    }
    process *p = proc_lookup(pid);
    if (p) link_remove(p, self->pid);
}

/* ------------------------------------------------------------- monitors -- */

static void new_ref_words(uint32_t words[3])
{
    tapa_term ref = tapa_make_ref();
    memcpy(words, ((box_ref *)BOX_OF(ref))->words, 3 * sizeof *words);
}

static bool is_name_node(tapa_term t)
{
    return tapa_is_tuple(t) && tapa_tuple_size(t) == 2 && tapa_is_atom(tapa_element(t, 0)) &&
           tapa_is_atom(tapa_element(t, 1));
}

/* name@host, both parts non-empty: a node one could connect to. */
static bool node_name_plausible(tapa_term node)
{
    size_t len;
    const char *text = atom_text(node, &len);
    const char *at = text ? memchr(text, '@', len) : NULL;
    return at && at != text && at != text + len - 1;
}

/* Where a monitor by name points: the pid the name has here (0: nobody),
 * or, for a name on another node, a stand-in pid of that node, so the
 * monitor goes through distribution like one on a remote pid (the peer
 * is sent the name, and DOWN comes back for the name). */
static tapa_term monitor_name_target(tapa_term target, tapa_term name, tapa_term node)
{
    if (node == tapa_node()) return registry_whereis(name);
    if (!tapa_dist)
        term_badarg("Process.monitor: %s names a process on another node, but this node is not "
                    "distributed. Start it first with tapa_node_start().",
                    term_shown(target));
    return MAKE_PID(node_index_of(node, 0), 0, 0);
}

/* Process.monitor(pid | name | {name, node}). A name nobody has gets a
 * DOWN with :noproc at once; the DOWN names {name, node} as BEAM's does. */
tapa_term tapa_monitor(tapa_term target)
{
    process *self = proc_self_or_fail("Process.monitor");
    TERM_ARG(target, "tapa_monitor", 1);
    monitor mine = {.origin = true};
    tapa_term pid = target, node = tapa_node();
    if (tapa_is_atom(target)) {
        mine.name = target;
    } else if (is_name_node(target)) {
        mine.name = tapa_element(target, 0);
        node = tapa_element(target, 1);
    } else if (!tapa_is_pid(target)) {
        term_badarg("Process.monitor: %s is not a pid, a registered name or {name, node}.",
                    term_shown(target));
    }
    new_ref_words(mine.ref);
    tapa_term ref = monitor_ref_term(&mine);
    if (mine.name && node != tapa_node() && tapa_dist && !node_name_plausible(node)) {
        /* no connection can ever be made to it: BEAM's DOWN at once */
        deliver_message(self, down_message(ref, target, A(noconnection)));
        return ref;
    }
    if (mine.name) pid = monitor_name_target(target, mine.name, node);
    if (pid && PID_NODE(pid) != 0) {
        mine.other = pid;
        monitor_add(self, &mine);
        if (tapa_dist) tapa_dist->monitor(self->pid, pid, &mine);
        return ref;
    }
    process *p = pid ? live_local(pid) : NULL;
    if (!p) {
        tapa_term who = mine.name ? tapa_tuple(mine.name, node) : target;
        deliver_message(self, down_message(ref, who, A(noproc)));
        return ref;
    }
    mine.other = pid;
    monitor_add(self, &mine);
    monitor theirs = mine;
    theirs.origin = false;
    theirs.other = self->pid;
    monitor_add(p, &theirs);
    TRACE(TR_MONITOR, self->pid, pid, ref);
    return ref;
}

void tapa_demonitor(tapa_term ref, bool flush)
{
    process *self = proc_self_or_fail("Process.demonitor");
    TERM_ARG(ref, "tapa_demonitor", 1);
    if (!IS_BOX_TYPE(ref, BOX_REF))
        term_badarg("Process.demonitor: %s is not a reference.", term_shown(ref));
    box_ref *r = (box_ref *)BOX_OF(ref);
    monitor m;
    /* Only a monitor the caller made (origin): the watched process may hold
     * the same ref, and demonitor there must not cancel the watcher's
     * monitor (OTP: true, no effect). */
    if (monitor_remove_origin(self, r->words, r->h.size, r->node, &m)) {
        if (PID_NODE(m.other) != 0) {
            if (tapa_dist) tapa_dist->demonitor(self->pid, m.other, &m);
        } else {
            process *p = proc_lookup(m.other);
            if (p) monitor_remove(p, r->words, r->h.size, r->node, NULL);
        }
    }
    if (flush) {
        tapa_match mt = {0};
        tapa_pin(&mt, "ref", ref);
        tapa_receive(&mt, 0, "{:DOWN, ^ref, _, _, _}"); /* at most one per ref */
    }
}

/* ------------------------------------------------------------- registry -- */

static tapa_term name_atom(const char *name)
{
    return tapa_atom(name);
}

void tapa_register(tapa_term pid, const char *name)
{
    proc_self_or_fail("Process.register");
    TERM_ARG(pid, "tapa_register", 1);
    tapa_term atom = name_atom(name);
    process *p = proc_lookup(pid);
    if (!p) term_badarg("Process.register: %s is not a live local process.", term_shown(pid));
    if (atom == A(undefined))
        term_badarg("Process.register: %s cannot be registered.", term_shown(atom));
    if (p->registered_name)
        term_badarg("Process.register: the process is already registered as %s.",
                    term_shown(p->registered_name));
    if (!registry_add(atom, pid))
        term_badarg("Process.register: the name %s is taken. Pick another, or unregister it first.",
                    term_shown(atom));
    p->registered_name = atom;
}

void tapa_unregister(const char *name)
{
    proc_self_or_fail("Process.unregister");
    tapa_term atom = name_atom(name);
    tapa_term pid = registry_whereis(atom);
    if (!pid) term_badarg("Process.unregister: no process is registered as %s.", term_shown(atom));
    process *p = proc_lookup(pid);
    if (p) p->registered_name = 0;
    registry_remove(atom);
}

tapa_term tapa_whereis(const char *name)
{
    tapa_term pid = registry_whereis(name_atom(name));
    return pid ? pid : A(nil);
}

tapa_term tapa_registered(void)
{
    return registry_names();
}
