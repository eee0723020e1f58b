/* test_semantics.c — Erlang's semantics, scenario by scenario, on libtapa.
 *
 * The same scenarios as tests/erl/semantics.erl, in the same order, with
 * the same normalised output: one line `name: outcome` each, where pids and
 * refs are printed as the role they play (self, child, b, ref, ...; `pid`
 * and `otherref` when unknown), atoms print bare and an error reason
 * {Reason, Stacktrace} prints as {Reason,stack}. A subject that dies prints
 * `name: died Reason`.
 *
 * tools/compare-with-erl.sh runs this program and the Erlang module and
 * diffs the two outputs. Run alone (as the unit-test runner does) it prints
 * its lines and exits 0, unless a scenario could not run at all (a hang or
 * a deadlock). `test_semantics NAME...` runs only the named scenarios.
 *
 * Each scenario runs in a fresh tapa_run: the main process spawns the
 * subject (role `self`) with a monitor and prints what the subject reports,
 * or how it died. Children follow one protocol (child_body): do Pre
 * (none | trap), send {:ready, child} to the subject, wait for :go, then do
 * the act they were given.
 */
#include "tapa.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SETTLE_MS 50 /* settle(): every message until this long without one */

static int slow = 1; /* TAPA_SLOW: the sanitizer and valgrind runs are slower */

static tapa_term A(const char *name)
{
    return tapa_atom(name);
}

/* ------------------------------------------------------------- roles -- */

#define MAX_ROLES 12
/* Process.exit, link, unlink and demonitor return true in Erlang, always;
 * tapa's return nothing. The scenarios print true where erl does. */
#define TRUE_AFTER(call) ((call), tapa_true())
typedef struct roles {
    int n;
    tapa_term term[MAX_ROLES];
    const char *name[MAX_ROLES];
} roles;

static void role(roles *r, tapa_term t, const char *name)
{
    if (r->n == MAX_ROLES) return;
    /* The newest role wins, as in the Erlang module (it prepends). */
    memmove(&r->term[1], &r->term[0], (size_t)r->n * sizeof r->term[0]);
    memmove(&r->name[1], &r->name[0], (size_t)r->n * sizeof r->name[0]);
    r->term[0] = t;
    r->name[0] = name;
    r->n++;
}

static const char *lookup(const roles *r, tapa_term t, const char *dflt)
{
    for (int i = 0; r && i < r->n; i++)
        if (tapa_type_of(r->term[i]) == tapa_type_of(t) && tapa_equal(r->term[i], t))
            return r->name[i];
    return dflt;
}

/* ----------------------------------------------------------- normalise -- */

typedef struct out {
    char buf[4096];
    size_t len;
} out;

static void put(out *o, const char *s)
{
    if (o->len >= sizeof o->buf - 1) return;
    size_t n = strlen(s), room = sizeof o->buf - 1 - o->len;
    if (n > room) n = room;
    memcpy(o->buf + o->len, s, n);
    o->len += n;
    o->buf[o->len] = 0;
}

static void fmt(out *o, tapa_term t, const roles *r);

static bool is_stack(tapa_term l)
{
    for (; tapa_type_of(l) == TAPA_T_LIST; l = tapa_tl(l)) {
        tapa_term e = tapa_hd(l);
        if (!tapa_is_tuple(e) || tapa_tuple_size(e) != 4) return false;
    }
    return tapa_type_of(l) == TAPA_T_EMPTY_LIST;
}

static void fmt_reason(out *o, tapa_term t, const roles *r)
{
    if (tapa_is_tuple(t) && tapa_tuple_size(t) == 2 && tapa_is_atom(tapa_element(t, 0)) &&
        tapa_is_list(tapa_element(t, 1)) && is_stack(tapa_element(t, 1))) {
        put(o, "{");
        put(o, tapa_atom_name(tapa_element(t, 0)));
        put(o, ",stack}");
        return;
    }
    fmt(o, t, r);
}

static void fmt(out *o, tapa_term t, const roles *r)
{
    char num[32];
    switch (tapa_type_of(t)) {
    case TAPA_T_ATOM:
        put(o, tapa_atom_name(t));
        return;
    case TAPA_T_INTEGER:
        snprintf(num, sizeof num, "%lld", (long long)tapa_int_value(t));
        put(o, num);
        return;
    case TAPA_T_PID:
        put(o, lookup(r, t, "pid"));
        return;
    case TAPA_T_REFERENCE:
        put(o, lookup(r, t, "otherref"));
        return;
    case TAPA_T_BINARY: {
        put(o, "\"");
        size_t n = tapa_binary_size(t);
        char text[256];
        if (n >= sizeof text) n = sizeof text - 1;
        memcpy(text, tapa_binary_data(t), n);
        text[n] = 0;
        put(o, text);
        put(o, "\"");
        return;
    }
    case TAPA_T_TUPLE: {
        size_t n = tapa_tuple_size(t);
        tapa_term tag = n ? tapa_element(t, 0) : TAPA_NONE;
        if (n == 3 && tag == A("EXIT")) {
            put(o, "{EXIT,");
            fmt(o, tapa_element(t, 1), r);
            put(o, ",");
            fmt_reason(o, tapa_element(t, 2), r);
            put(o, "}");
            return;
        }
        if (n == 5 && tag == A("DOWN") && tapa_element(t, 2) == A("process")) {
            put(o, "{DOWN,");
            fmt(o, tapa_element(t, 1), r);
            put(o, ",process,");
            fmt(o, tapa_element(t, 3), r);
            put(o, ",");
            fmt_reason(o, tapa_element(t, 4), r);
            put(o, "}");
            return;
        }
        put(o, "{");
        for (size_t i = 0; i < n; i++) {
            if (i) put(o, ",");
            fmt(o, tapa_element(t, i), r);
        }
        put(o, "}");
        return;
    }
    case TAPA_T_EMPTY_LIST:
        put(o, "[]");
        return;
    case TAPA_T_LIST:
        put(o, "[");
        for (bool first = true; tapa_type_of(t) == TAPA_T_LIST; t = tapa_tl(t), first = false) {
            if (!first) put(o, ",");
            fmt(o, tapa_hd(t), r);
        }
        put(o, "]");
        return;
    default: {
        char *text = tapa_inspect_alloc(t);
        put(o, "?");
        put(o, text);
        free(text);
        return;
    }
    }
}

/* ------------------------------------------------------------ helpers -- */

static void forever(void)
{
    tapa_match m = {0};
    tapa_receive(&m, TAPA_INFINITY, ":stop");
}

static void exit_with(tapa_term reason)
{
    tapa_exit(reason);
}

static void forever_fn(tapa_term arg)
{
    (void)arg;
    forever();
}

static void noop(tapa_term arg)
{
    (void)arg;
}

/* arg: {parent, b}. Traps, tells b it is ready, forwards its first message. */
static void forwarder(tapa_term arg)
{
    tapa_term parent = tapa_element(arg, 0), b = tapa_element(arg, 1);
    tapa_trap_exit(true);
    tapa_send(b, A("ready"));
    tapa_term m = tapa_receive_any();
    tapa_send(parent, tapa_tuple(A("fwd"), m));
    forever();
}

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Compute for ms without receiving (as erlang's busy loop: no yield). */
static void busy(int64_t ms)
{
    int64_t end = now_us() + ms * 1000;
    while (now_us() < end) {
    }
}

static void send_all(tapa_term to, tapa_term list)
{
    for (; tapa_type_of(list) == TAPA_T_LIST; list = tapa_tl(list)) tapa_send(to, tapa_hd(list));
}

static void act(tapa_term parent, tapa_term what)
{
    tapa_term kind = tapa_is_tuple(what) ? tapa_element(what, 0) : what;
    if (kind == A("exit")) {
        tapa_exit(tapa_element(what, 1));
    } else if (kind == A("send_exit") || kind == A("signal")) {
        for (tapa_term l = tapa_element(what, 1); tapa_type_of(l) == TAPA_T_LIST; l = tapa_tl(l))
            tapa_send(parent, tapa_hd(l));
        if (kind == A("send_exit")) tapa_exit(tapa_element(what, 2));
        tapa_exit_pid(parent, tapa_element(what, 2));
        forever();
    } else if (kind == A("badarg")) {
        tapa_send(A("nobody"), A("hi"));
    } else if (kind == A("spawn_link_exit")) {
        tapa_spawn_link(exit_with, tapa_element(what, 1));
        forever();
    } else if (kind == A("spawn_link_forwarder_exit")) {
        tapa_spawn_link(forwarder, tapa_tuple(parent, tapa_self()));
        tapa_match m = {0};
        tapa_receive(&m, TAPA_INFINITY, ":ready");
        tapa_exit(tapa_element(what, 1));
    } else if (kind == A("kill_linked")) {
        /* spawn_link a child g, send g an exit signal, send msgs, return */
        tapa_term g = tapa_spawn_link(forever_fn, tapa_empty_list());
        tapa_exit_pid(g, tapa_element(what, 1));
        for (tapa_term l = tapa_element(what, 2); tapa_type_of(l) == TAPA_T_LIST; l = tapa_tl(l))
            tapa_send(parent, tapa_hd(l));
    } else if (kind == A("echo")) {
        tapa_term m = tapa_receive_any();
        tapa_send(parent, tapa_tuple(A("echo"), m));
        forever();
    } else if (kind == A("signal_between")) {
        send_all(parent, tapa_element(what, 1));
        tapa_exit_pid(parent, tapa_element(what, 2));
        send_all(parent, tapa_element(what, 3));
        forever();
    } else if (kind == A("kill_linked_wait")) {
        tapa_term g = tapa_spawn_link(forever_fn, tapa_empty_list());
        tapa_exit_pid(g, tapa_element(what, 1));
        tapa_term m = tapa_receive_any();
        tapa_send(parent, tapa_tuple(A("got"), m));
        forever();
    } else if (kind == A("kill_linked_send")) {
        tapa_term g = tapa_spawn_link(forever_fn, tapa_empty_list());
        tapa_exit_pid(g, tapa_element(what, 1));
        for (int64_t i = 1; i <= tapa_int_value(tapa_element(what, 2)); i++)
            tapa_send(parent, tapa_tuple(A("n"), tapa_int(i)));
        forever();
    } else if (kind == A("self_exit")) {
        tapa_exit_pid(tapa_self(), tapa_element(what, 1));
        forever();
    } else if (kind == A("link_exit")) {
        tapa_link(parent);
        tapa_exit(tapa_element(what, 1));
    } else if (kind == A("signal_exit")) {
        tapa_exit_pid(parent, tapa_element(what, 1));
        tapa_exit(tapa_element(what, 2));
    } else if (kind == A("junk")) {
        for (int64_t i = 1; i <= tapa_int_value(tapa_element(what, 1)); i++) {
            tapa_send(parent, tapa_tuple(A("junk"), tapa_int(i)));
            tapa_sleep(tapa_int_value(tapa_element(what, 2)));
        }
        forever();
    } else if (kind == A("after_wait")) {
        tapa_match m = {0};
        if (tapa_receive(&m, tapa_int_value(tapa_element(what, 1)), "_") == 0)
            tapa_send(parent, tapa_tuple(A("echo"), m.message));
        else tapa_send(parent, A("timeout"));
        forever();
    } else if (kind == A("sleep_echo")) {
        int64_t ms = tapa_int_value(tapa_element(what, 1)), t0 = now_us();
        tapa_sleep(ms);
        tapa_term slept = tapa_bool(now_us() - t0 >= ms * 1000);
        tapa_term m = tapa_receive_any();
        tapa_send(parent, tapa_tuple(A("echo"), m, slept));
        forever();
    } else {
        forever();
    }
}

/* arg: {parent, pre, act} */
static void child_body(tapa_term arg)
{
    tapa_term parent = tapa_element(arg, 0);
    if (tapa_element(arg, 1) == A("trap")) tapa_trap_exit(true);
    tapa_send(parent, tapa_tuple(A("ready"), tapa_self()));
    tapa_match m = {0};
    tapa_receive(&m, TAPA_INFINITY, ":go");
    act(parent, tapa_element(arg, 2));
}

static tapa_term spawn_child(roles *r, bool link, const char *pre, const char *act_literal)
{
    tapa_term arg = tapa_tuple(tapa_self(), A(pre), tapa_t(act_literal));
    tapa_term c = link ? tapa_spawn_link(child_body, arg) : tapa_spawn(child_body, arg);
    tapa_match m = {0};
    tapa_pin(&m, "c", c);
    tapa_receive(&m, TAPA_INFINITY, "{:ready, ^c}");
    role(r, c, "child");
    return c;
}
static tapa_term child(roles *r, const char *pre, const char *act_literal)
{
    return spawn_child(r, false, pre, act_literal);
}
static tapa_term lchild(roles *r, const char *pre, const char *act_literal)
{
    return spawn_child(r, true, pre, act_literal);
}

static void go(tapa_term c)
{
    tapa_send(c, A("go"));
}

static tapa_term monitor_role(roles *r, tapa_term target)
{
    tapa_term ref = tapa_monitor(target);
    role(r, ref, "ref");
    return ref;
}

static void trap(void)
{
    tapa_trap_exit(true);
}

/* Every message that arrives until SETTLE_MS pass without one, as a list. */
static tapa_term settle(void)
{
    tapa_term got[64];
    size_t n = 0;
    tapa_match m = {0};
    while (n < 64 && tapa_receive(&m, SETTLE_MS, "_") == 0) got[n++] = m.message;
    return tapa_list_v(n, got);
}

/* A pid that has exited. */
static tapa_term dead(roles *r)
{
    tapa_term pr = tapa_spawn_monitor(noop, tapa_empty_list());
    tapa_match m = {0};
    tapa_pin(&m, "ref", tapa_element(pr, 1));
    tapa_receive(&m, TAPA_INFINITY, "{:DOWN, ^ref, _, _, _}");
    role(r, tapa_element(pr, 0), "child");
    return tapa_element(pr, 0);
}

static void pause_ms(int64_t ms)
{
    tapa_sleep(ms);
}

/* receive Pattern -> msg after ms -> :timeout */
static tapa_term recv_or_timeout(const char *pattern, int64_t ms)
{
    tapa_match m = {0};
    return tapa_receive(&m, ms, pattern) == 0 ? m.message : A("timeout");
}

static tapa_term send_self(const char *literal_list)
{
    for (tapa_term l = tapa_t(literal_list); tapa_type_of(l) == TAPA_T_LIST; l = tapa_tl(l))
        tapa_send(tapa_self(), tapa_hd(l));
    return A("ok");
}

/* Only the messages of one sender (tag, or an EXIT from c), in order. */
static tapa_term from(tapa_term l, tapa_term tag, tapa_term c)
{
    tapa_term got[64];
    size_t n = 0;
    for (; tapa_type_of(l) == TAPA_T_LIST && n < 64; l = tapa_tl(l)) {
        tapa_term m = tapa_hd(l), t0 = tapa_element(m, 0);
        if (t0 == tag || (t0 == A("EXIT") && tapa_equal(tapa_element(m, 1), c))) got[n++] = m;
    }
    return tapa_list_v(n, got);
}

/* n times: compute for 20 ms, then wait ms; true if every wait was >= ms. */
static tapa_term never_early(int n, int64_t ms, bool sleep)
{
    bool ok = true;
    for (int i = 0; i < n; i++) {
        busy(20);
        int64_t t0 = now_us();
        if (sleep) tapa_sleep(ms);
        else recv_or_timeout(":x", ms);
        ok &= now_us() - t0 >= ms * 1000;
    }
    return tapa_bool(ok);
}

/* ---------------------------------------------------------- scenarios -- */
/* Each mirrors the Erlang fun of the same name in tests/erl/semantics.erl. */

/* A linked child exits with a reason; the subject traps or not. */
static tapa_term link_normal_notrap(roles *r)
{
    tapa_term c = lchild(r, "none", "{:exit, :normal}");
    monitor_role(r, c);
    go(c);
    return settle();
}
static tapa_term link_normal_trap(roles *r)
{
    trap();
    go(lchild(r, "none", "{:exit, :normal}"));
    return settle();
}
static tapa_term link_custom_notrap(roles *r)
{
    go(lchild(r, "none", "{:exit, :boom}"));
    return settle();
}
static tapa_term link_custom_trap(roles *r)
{
    trap();
    go(lchild(r, "none", "{:exit, :boom}"));
    return settle();
}
static tapa_term link_tuple_reason_trap(roles *r)
{
    trap();
    go(lchild(r, "none", "{:exit, {:shutdown, 42}}"));
    return settle();
}
static tapa_term link_error_trap(roles *r)
{
    trap();
    go(lchild(r, "none", ":badarg"));
    return settle();
}
/* A linked child calls exit(:kill) itself: over a link, :kill is a plain reason. */
static tapa_term link_exit_kill_notrap(roles *r)
{
    go(lchild(r, "none", "{:exit, :kill}"));
    return settle();
}
static tapa_term link_exit_kill_trap(roles *r)
{
    trap();
    go(lchild(r, "none", "{:exit, :kill}"));
    return settle();
}
/* The subject kills its linked child: the link carries :killed. */
static tapa_term link_killed_notrap(roles *r)
{
    tapa_exit_pid(lchild(r, "none", ":forever"), A("kill"));
    return settle();
}
static tapa_term link_killed_trap(roles *r)
{
    trap();
    tapa_exit_pid(lchild(r, "none", ":forever"), A("kill"));
    return settle();
}
/* Propagation along a chain subject - b - c. */
static tapa_term chain(roles *r, const char *act)
{
    trap();
    tapa_term b = lchild(r, "none", act);
    role(r, b, "b");
    go(b);
    return settle();
}
static tapa_term link_chain_trap(roles *r)
{
    return chain(r, "{:spawn_link_exit, :boom}");
}
static tapa_term link_chain_kill_trap(roles *r)
{
    return chain(r, "{:spawn_link_exit, :kill}");
}
static tapa_term link_chain_normal_trap(roles *r)
{
    return chain(r, "{:spawn_link_exit, :normal}");
}
/* Links work both ways: b's linked, trapping child g is told when b dies. */
static tapa_term link_other_end_trap(roles *r)
{
    tapa_term b = child(r, "none", "{:spawn_link_forwarder_exit, :boom}");
    role(r, b, "b");
    go(b);
    return settle();
}
static tapa_term link_other_end_normal_trap(roles *r)
{
    tapa_term b = child(r, "none", "{:spawn_link_forwarder_exit, :normal}");
    role(r, b, "b");
    go(b);
    return settle();
}

/* exit(self(), reason) */
static tapa_term exit_self_normal_notrap(roles *r)
{
    (void)r;
    tapa_exit_pid(tapa_self(), A("normal"));
    return settle();
}
static tapa_term exit_self_normal_trap(roles *r)
{
    (void)r;
    trap();
    tapa_exit_pid(tapa_self(), A("normal"));
    return settle();
}
static tapa_term exit_self_custom_notrap(roles *r)
{
    (void)r;
    tapa_exit_pid(tapa_self(), A("boom"));
    return settle();
}
static tapa_term exit_self_custom_trap(roles *r)
{
    (void)r;
    trap();
    tapa_exit_pid(tapa_self(), A("boom"));
    return settle();
}
static tapa_term exit_self_kill_notrap(roles *r)
{
    (void)r;
    tapa_exit_pid(tapa_self(), A("kill"));
    return settle();
}
static tapa_term exit_self_kill_trap(roles *r)
{
    (void)r;
    trap();
    tapa_exit_pid(tapa_self(), A("kill"));
    return settle();
}

/* exit(subject, reason) from another, unlinked process. */
static tapa_term exit_other(roles *r, bool trapping, const char *act)
{
    if (trapping) trap();
    go(child(r, "none", act));
    return settle();
}
static tapa_term exit_other_normal_notrap(roles *r)
{
    return exit_other(r, false, "{:signal, [], :normal}");
}
static tapa_term exit_other_normal_trap(roles *r)
{
    return exit_other(r, true, "{:signal, [], :normal}");
}
static tapa_term exit_other_custom_notrap(roles *r)
{
    return exit_other(r, false, "{:signal, [], :boom}");
}
static tapa_term exit_other_custom_trap(roles *r)
{
    return exit_other(r, true, "{:signal, [], :boom}");
}
static tapa_term exit_other_kill_notrap(roles *r)
{
    return exit_other(r, false, "{:signal, [], :kill}");
}
static tapa_term exit_other_kill_trap(roles *r)
{
    return exit_other(r, true, "{:signal, [], :kill}");
}
static tapa_term exit_other_killed_trap(roles *r)
{
    return exit_other(r, true, "{:signal, [], :killed}");
}
/* exit(child, ...) on an unlinked child watched by a monitor. */
static tapa_term exit_child_normal_notrap(roles *r)
{
    tapa_term c = child(r, "none", ":forever");
    monitor_role(r, c);
    tapa_exit_pid(c, A("normal"));
    tapa_term alive = tapa_bool(tapa_alive(c));
    return tapa_tuple(alive, settle());
}
static tapa_term exit_child_normal_trapping(roles *r)
{
    tapa_term c = child(r, "trap", ":echo");
    monitor_role(r, c);
    go(c);
    tapa_exit_pid(c, A("normal"));
    return settle();
}
static tapa_term exit_child_kill_trapping(roles *r)
{
    tapa_term c = child(r, "trap", ":forever");
    monitor_role(r, c);
    tapa_exit_pid(c, A("kill"));
    return settle();
}
static tapa_term exit_child_custom_trapping(roles *r)
{
    tapa_term c = child(r, "trap", ":echo");
    monitor_role(r, c);
    go(c);
    tapa_exit_pid(c, A("boom"));
    return settle();
}
static tapa_term exit_dead_pid(roles *r)
{
    tapa_term a = TRUE_AFTER(tapa_exit_pid(dead(r), A("boom")));
    return tapa_tuple(a, settle());
}

/* Linking to a pid that is gone. */
static tapa_term link_dead_notrap(roles *r)
{
    tapa_link(dead(r));
    return settle();
}
static tapa_term link_dead_trap(roles *r)
{
    trap();
    tapa_term a = TRUE_AFTER(tapa_link(dead(r)));
    return tapa_tuple(a, settle());
}
static tapa_term link_self(roles *r)
{
    (void)r;
    tapa_term a = TRUE_AFTER(tapa_link(tapa_self()));
    return tapa_tuple(a, settle());
}

/* Monitors. */
static tapa_term monitor_exit_normal(roles *r)
{
    tapa_term c = child(r, "none", "{:exit, :normal}");
    monitor_role(r, c);
    go(c);
    return settle();
}
static tapa_term monitor_exit_custom(roles *r)
{
    tapa_term c = child(r, "none", "{:exit, {:shutdown, 42}}");
    monitor_role(r, c);
    go(c);
    return settle();
}
static tapa_term monitor_killed(roles *r)
{
    tapa_term c = child(r, "none", ":forever");
    monitor_role(r, c);
    tapa_exit_pid(c, A("kill"));
    return settle();
}
static tapa_term monitor_dead_pid(roles *r)
{
    monitor_role(r, dead(r));
    return settle();
}
static tapa_term monitor_dead_name(roles *r)
{
    monitor_role(r, A("nobody"));
    return settle();
}
static tapa_term monitor_name_live(roles *r)
{
    tapa_term c = child(r, "none", "{:exit, :boom}");
    tapa_register(c, "worker");
    monitor_role(r, A("worker"));
    go(c);
    return settle();
}
static bool has_ref(tapa_term list, tapa_term ref)
{
    for (; tapa_type_of(list) == TAPA_T_LIST; list = tapa_tl(list)) {
        tapa_term m = tapa_hd(list);
        if (tapa_is_tuple(m) && tapa_tuple_size(m) >= 2 &&
            tapa_type_of(tapa_element(m, 1)) == TAPA_T_REFERENCE &&
            tapa_equal(tapa_element(m, 1), ref))
            return true;
    }
    return false;
}
static tapa_term monitor_twice(roles *r)
{
    tapa_term c = child(r, "none", "{:exit, :boom}");
    tapa_term r1 = tapa_monitor(c), r2 = tapa_monitor(c);
    role(r, r1, "ref1");
    role(r, r2, "ref2");
    go(c);
    tapa_term l = settle();
    return tapa_tuple(tapa_int((int64_t)tapa_length(l)), tapa_bool(has_ref(l, r1)),
                      tapa_bool(has_ref(l, r2)));
}
static tapa_term spawn_monitor_normal(roles *r)
{
    tapa_term pr = tapa_spawn_monitor(noop, tapa_empty_list());
    role(r, tapa_element(pr, 0), "child");
    role(r, tapa_element(pr, 1), "ref");
    return settle();
}
static tapa_term demonitor_after_down(roles *r, const char *act, bool flush)
{
    tapa_term c = child(r, "none", act);
    tapa_term ref = monitor_role(r, c);
    go(c);
    pause_ms(50);
    tapa_term a = TRUE_AFTER(tapa_demonitor(ref, flush));
    return tapa_tuple(a, settle());
}
static tapa_term demonitor_flush(roles *r)
{
    return demonitor_after_down(r, "{:exit, :boom}", true);
}
static tapa_term demonitor_noflush_after_down(roles *r)
{
    return demonitor_after_down(r, "{:exit, :boom}", false);
}
static tapa_term demonitor_before_exit(roles *r)
{
    tapa_term c = child(r, "none", "{:exit, :boom}");
    tapa_term ref = monitor_role(r, c);
    tapa_term a = TRUE_AFTER(tapa_demonitor(ref, false));
    go(c);
    return tapa_tuple(a, settle());
}
static tapa_term demonitor_flush_keeps_others(roles *r)
{
    return demonitor_after_down(r, "{:send_exit, [:m1, :m2], :boom}", true);
}

/* Order between two processes, messages and signals alike. */
static tapa_term order_msgs_then_exit_trap(roles *r)
{
    trap();
    go(lchild(r, "none", "{:send_exit, [:m1, :m2], :boom}"));
    return settle();
}
static tapa_term order_msgs_then_down(roles *r)
{
    tapa_term c = child(r, "none", "{:send_exit, [1, 2, 3], :normal}");
    monitor_role(r, c);
    go(c);
    return settle();
}
static tapa_term order_msg_then_exit_signal_trap(roles *r)
{
    trap();
    go(child(r, "none", "{:signal, [:m1], :boom}"));
    return settle();
}
static tapa_term order_msg_then_exit_signal_notrap(roles *r)
{
    go(child(r, "none", "{:signal, [:m1], :boom}"));
    return settle();
}

/* Exit signals are asynchronous: the sender goes on. Step 6's child1 that
 * kills its linked child2 itself, then returns, ends :normal on BEAM: it is
 * gone before the echo of its own link comes back. */
static tapa_term async_kill_linked_then_return(roles *r)
{
    tapa_term c = child(r, "none", "{:kill_linked, :some_error, [:m1, :m2, :m3]}");
    monitor_role(r, c);
    go(c);
    return settle();
}
static tapa_term async_kill_linked_kill(roles *r)
{
    tapa_term c = child(r, "none", "{:kill_linked, :kill, []}");
    monitor_role(r, c);
    go(c);
    return settle();
}
/* What the caller sends after its exit signal reaches a dead process. */
static tapa_term monitor_after_exit_signal(roles *r)
{
    tapa_term c = child(r, "none", ":forever");
    tapa_exit_pid(c, A("boom"));
    monitor_role(r, c);
    return settle();
}
static tapa_term link_after_exit_signal_trap(roles *r)
{
    trap();
    tapa_term c = child(r, "none", ":forever");
    tapa_exit_pid(c, A("boom"));
    tapa_term a = TRUE_AFTER(tapa_link(c));
    return tapa_tuple(a, settle());
}
static tapa_term exit_signal_then_message_dropped(roles *r)
{
    tapa_term c = child(r, "trap", ":echo");
    monitor_role(r, c);
    tapa_exit_pid(c, A("kill"));
    tapa_send(c, A("hi"));
    return settle();
}

/* DOWN messages come in the order the monitors were made. */
static tapa_term down_order(roles *r, bool demonitor_some)
{
    static const char *const names[] = {"ref1", "ref2", "ref3", "ref4", "ref5"};
    tapa_term c = child(r, "none", "{:exit, :boom}");
    tapa_term refs[5];
    for (int i = 0; i < 5; i++) refs[i] = tapa_monitor(c);
    for (int i = 0; i < 5; i++) role(r, refs[i], names[i]);
    if (demonitor_some) {
        tapa_demonitor(refs[1], false);
        tapa_demonitor(refs[3], false);
    }
    go(c);
    return settle();
}
static tapa_term monitor_down_order(roles *r)
{
    return down_order(r, false);
}
static tapa_term monitor_down_order_after_demonitor(roles *r)
{
    return down_order(r, true);
}

/* monitor({name, node}) */
static tapa_term monitor_name_node_live(roles *r)
{
    tapa_term c = child(r, "none", "{:exit, :boom}");
    tapa_register(c, "worker");
    monitor_role(r, tapa_tuple(A("worker"), tapa_node()));
    go(c);
    return settle();
}
static tapa_term monitor_name_node_dead(roles *r)
{
    monitor_role(r, tapa_tuple(A("nobody"), tapa_node()));
    return settle();
}
static tapa_term monitor_name_other_node_not_alive(roles *r)
{
    monitor_role(r, tapa_t("{:nobody, :\"x@nohost\"}"));
    return settle();
}
static tapa_term monitor_bad_target(roles *r)
{
    monitor_role(r, tapa_tuple(tapa_int(1), tapa_node()));
    return settle();
}

/* ---- A sceptic's second round (issue 9): signals, monitors, timers. */
/* A kill overtakes nothing: what the caller sends after it is never seen. */
static tapa_term kill_then_send_many(roles *r)
{
    tapa_term c = child(r, "trap", ":echo");
    monitor_role(r, c);
    tapa_exit_pid(c, A("kill"));
    for (int i = 1; i <= 100; i++) tapa_send(c, tapa_tuple(A("n"), tapa_int(i)));
    return settle();
}
/* Per pair: message, exit signal, message, in that order. */
static tapa_term order_msg_exit_msg_trap(roles *r)
{
    trap();
    go(child(r, "none", "{:signal_between, [:m1], :boom, [:m2]}"));
    return settle();
}
static tapa_term order_msg_exit_normal_msg_notrap(roles *r)
{
    go(child(r, "none", "{:signal_between, [:m1], :normal, [:m2]}"));
    return settle();
}
static tapa_term order_msg_exit_msg_notrap(roles *r)
{
    go(child(r, "none", "{:signal_between, [:m1], :boom, [:m2]}"));
    return settle();
}
/* Two senders race: each one's order holds, whatever the interleaving. */
static tapa_term two_senders_race_trap(roles *r)
{
    trap();
    tapa_term a = child(r, "none", "{:signal_between, [{:a, 1}, {:a, 2}], :a_done, [{:a, 3}]}");
    tapa_term b = child(r, "none", "{:signal_between, [{:b, 1}, {:b, 2}], :b_done, [{:b, 3}]}");
    role(r, b, "child2");
    go(a);
    go(b);
    tapa_term l = settle();
    return tapa_tuple(from(l, A("a"), a), from(l, A("b"), b));
}
static tapa_term exit_normal_ignored_then_msg(roles *r)
{
    tapa_term c = child(r, "none", ":echo");
    monitor_role(r, c);
    go(c);
    tapa_exit_pid(c, A("normal"));
    tapa_send(c, A("hi"));
    return settle();
}
/* The echo of a link reaches the sender of exit/2 later, as a signal. */
static tapa_term kill_linked_wait(roles *r, const char *pre, const char *act_literal)
{
    tapa_term c = child(r, pre, act_literal);
    monitor_role(r, c);
    go(c);
    return settle();
}
static tapa_term kill_linked_wait_notrap(roles *r)
{
    return kill_linked_wait(r, "none", "{:kill_linked_wait, :boom}");
}
static tapa_term kill_linked_wait_kill_notrap(roles *r)
{
    return kill_linked_wait(r, "none", "{:kill_linked_wait, :kill}");
}
static tapa_term kill_linked_wait_trap(roles *r)
{
    return kill_linked_wait(r, "trap", "{:kill_linked_wait, :boom}");
}
static tapa_term kill_linked_wait_kill_trap(roles *r)
{
    return kill_linked_wait(r, "trap", "{:kill_linked_wait, :kill}");
}
static tapa_term kill_linked_sends_many(roles *r)
{
    tapa_term c = child(r, "none", "{:kill_linked_send, :boom, 300}");
    monitor_role(r, c);
    go(c);
    /* settle(), counting the {:n, i} (more than settle() keeps) */
    int64_t n = 0;
    tapa_term rest[8];
    size_t k = 0;
    tapa_match m = {0};
    while (tapa_receive(&m, SETTLE_MS, "_") == 0) {
        if (tapa_is_tuple(m.message) && tapa_element(m.message, 0) == A("n")) n++;
        else if (k < 8) rest[k++] = m.message;
    }
    return tapa_tuple(tapa_int(n), tapa_list_v(k, rest));
}
/* A process that ends itself with exit(self(), R), seen over a link. */
static tapa_term link_self_exit(roles *r, const char *pre, const char *act_literal)
{
    trap();
    go(lchild(r, pre, act_literal));
    return settle();
}
static tapa_term link_self_kill_trap(roles *r)
{
    return link_self_exit(r, "none", "{:self_exit, :kill}");
}
static tapa_term link_self_kill_trapping_child(roles *r)
{
    return link_self_exit(r, "trap", "{:self_exit, :kill}");
}
static tapa_term link_self_exit_boom_trap(roles *r)
{
    return link_self_exit(r, "none", "{:self_exit, :boom}");
}
static tapa_term link_self_exit_normal_trap(roles *r)
{
    return link_self_exit(r, "none", "{:self_exit, :normal}");
}
/* Signals to a process that waits in receive ... after, or sleeps. */
static tapa_term signal_waiting(roles *r, const char *pre, const char *act_literal,
                                const char *reason)
{
    tapa_term c = child(r, pre, act_literal);
    monitor_role(r, c);
    go(c);
    tapa_exit_pid(c, A(reason));
    return settle();
}
static tapa_term kill_blocked_in_after(roles *r)
{
    return signal_waiting(r, "none", "{:after_wait, 10000}", "boom");
}
static tapa_term exit_normal_trapping_blocked_in_after(roles *r)
{
    return signal_waiting(r, "trap", "{:after_wait, 10000}", "normal");
}
static tapa_term signal_sleeping(roles *r)
{
    return signal_waiting(r, "none", "{:sleep_echo, 10000}", "boom");
}
static tapa_term signal_sleeping_trapping(roles *r)
{
    tapa_term c = child(r, "trap", "{:sleep_echo, 100}");
    monitor_role(r, c);
    go(c);
    tapa_exit_pid(c, A("boom"));
    tapa_term x = recv_or_timeout("{:echo, _, _}", 2000);
    return tapa_tuple(x, settle());
}
static tapa_term exit_normal_sleeping_notrap(roles *r)
{
    tapa_term c = child(r, "none", "{:sleep_echo, 100}");
    monitor_role(r, c);
    go(c);
    tapa_exit_pid(c, A("normal"));
    tapa_send(c, A("hi"));
    tapa_term x = recv_or_timeout("{:echo, _, _}", 2000);
    return tapa_tuple(x, settle());
}
/* Monitor a process that may already be gone: one DOWN, normal or noproc. */
static tapa_term monitor_racing_exit(roles *r)
{
    tapa_term c = tapa_spawn(noop, tapa_empty_list());
    role(r, c, "child");
    monitor_role(r, c);
    tapa_term l = settle();
    tapa_term ok[8];
    size_t k = 0;
    for (tapa_term i = l; tapa_type_of(i) == TAPA_T_LIST && k < 8; i = tapa_tl(i)) {
        tapa_term why = tapa_element(tapa_hd(i), 4);
        ok[k++] = tapa_bool(why == A("normal") || why == A("noproc"));
    }
    return tapa_tuple(tapa_int((int64_t)tapa_length(l)), tapa_list_v(k, ok));
}
static tapa_term demonitor_twice_and_unknown(roles *r)
{
    tapa_term c = child(r, "none", ":forever");
    tapa_term ref = monitor_role(r, c);
    tapa_term a = TRUE_AFTER(tapa_demonitor(ref, false)), b = TRUE_AFTER(tapa_demonitor(ref, true));
    tapa_term d = TRUE_AFTER(tapa_demonitor(tapa_make_ref(), false));
    tapa_exit_pid(c, A("kill"));
    return tapa_tuple(a, b, d, settle());
}
static tapa_term demonitor_flush_between_messages(roles *r)
{
    tapa_term c = child(r, "none", "{:exit, :boom}");
    tapa_term ref = monitor_role(r, c);
    tapa_send(tapa_self(), A("before"));
    go(c);
    pause_ms(50);
    tapa_send(tapa_self(), A("later"));
    tapa_term a = TRUE_AFTER(tapa_demonitor(ref, true));
    return tapa_tuple(a, settle());
}
static tapa_term monitor_down_order_mixed(roles *r)
{
    tapa_term c = child(r, "none", "{:exit, :boom}");
    tapa_term r1 = tapa_monitor(c), r2 = tapa_monitor(c), r3 = tapa_monitor(c);
    tapa_demonitor(r1, false);
    tapa_term r4 = tapa_monitor(c);
    tapa_demonitor(r3, false);
    tapa_term r5 = tapa_monitor(c);
    role(r, r1, "ref1");
    role(r, r2, "ref2");
    role(r, r3, "ref3");
    role(r, r4, "ref4");
    role(r, r5, "ref5");
    go(c);
    return settle();
}
static tapa_term monitor_down_order_name_and_pid(roles *r)
{
    tapa_term c = child(r, "none", "{:exit, :boom}");
    tapa_register(c, "worker");
    tapa_term r1 = tapa_monitor(c), r2 = tapa_monitor(A("worker"));
    tapa_term r3 = tapa_monitor(tapa_tuple(A("worker"), tapa_node())), r4 = tapa_monitor(c);
    role(r, r1, "ref1");
    role(r, r2, "ref2");
    role(r, r3, "ref3");
    role(r, r4, "ref4");
    go(c);
    return settle();
}
/* A name monitor watches the process the name had when it was made. */
static tapa_term monitor_name_unregistered_before_exit(roles *r)
{
    tapa_term c = child(r, "none", "{:exit, :boom}");
    tapa_register(c, "worker");
    monitor_role(r, A("worker"));
    tapa_unregister("worker");
    go(c);
    return settle();
}
static tapa_term monitor_name_reregistered(roles *r)
{
    tapa_term c1 = child(r, "none", "{:exit, :one}");
    tapa_register(c1, "worker");
    monitor_role(r, A("worker"));
    tapa_unregister("worker");
    tapa_term c2 = child(r, "none", "{:exit, :two}");
    role(r, c2, "child2");
    tapa_register(c2, "worker");
    go(c2);
    tapa_term l1 = settle();
    go(c1);
    return tapa_tuple(l1, settle());
}
/* trap_exit: a signal taken while trapping stays a message when it is turned off. */
static tapa_term trap_off_after_exit_message(roles *r)
{
    trap();
    go(child(r, "none", "{:signal, [], :boom}"));
    pause_ms(50);
    tapa_term a = tapa_bool(tapa_trap_exit(false));
    return tapa_tuple(a, settle());
}
/* Turned on while a signal may be on its way: died boom or the EXIT message. */
static void trap_on_inner(tapa_term me)
{
    roles r = {0};
    go(child(&r, "none", "{:signal, [], :boom}"));
    busy(20);
    trap();
    tapa_send(me, tapa_tuple(A("inner"), settle()));
}
static tapa_term trap_on_while_signal_pending(roles *r)
{
    (void)r;
    tapa_term pr = tapa_spawn_monitor(trap_on_inner, tapa_self());
    tapa_match m = {0};
    tapa_pin(&m, "p", tapa_element(pr, 0));
    tapa_pin(&m, "r", tapa_element(pr, 1));
    switch (tapa_receive(&m, TAPA_INFINITY, "{:inner, [{:EXIT, _, :boom}]}", "{:inner, l}",
                         "{:DOWN, ^r, :process, ^p, :boom}", "{:DOWN, ^r, :process, ^p, why}")) {
    case 0:
        tapa_receive(&m, TAPA_INFINITY, "{:DOWN, ^r, _, _, _}");
        return A("allowed");
    case 1:
        return tapa_tuple(A("unexpected"), tapa_int((int64_t)tapa_length(tapa_var(&m, "l"))));
    case 2:
        return A("allowed");
    default:
        return tapa_tuple(A("died"), tapa_var(&m, "why"));
    }
}
/* A trapping target is not gone after exit/2: it took a message. */
static tapa_term alive_after_signal_to_trapping(roles *r)
{
    tapa_term c = child(r, "trap", ":forever");
    monitor_role(r, c);
    tapa_exit_pid(c, A("boom"));
    tapa_term a = tapa_bool(tapa_alive(c));
    tapa_exit_pid(c, A("normal"));
    tapa_term b = tapa_bool(tapa_alive(c));
    return tapa_tuple(a, b, settle());
}
/* Two signals from one sender: the first one decides. */
static tapa_term two_signals(roles *r, const char *first, const char *second)
{
    tapa_term c = child(r, "none", ":forever");
    monitor_role(r, c);
    tapa_exit_pid(c, A(first));
    tapa_exit_pid(c, A(second));
    return settle();
}
static tapa_term two_signals_first_wins(roles *r)
{
    return two_signals(r, "boom", "kill");
}
static tapa_term two_signals_normal_then_boom(roles *r)
{
    return two_signals(r, "normal", "boom");
}
/* An exit signal, then the sender's own death, seen in that order. */
static tapa_term signal_then_down_trap(roles *r)
{
    trap();
    tapa_term c = child(r, "none", "{:signal_exit, :normal, :boom}");
    monitor_role(r, c);
    go(c);
    return settle();
}
static tapa_term monitor_self(roles *r)
{
    (void)r;
    tapa_term ref = tapa_monitor(tapa_self());
    tapa_term a = tapa_bool(tapa_type_of(ref) == TAPA_T_REFERENCE);
    return tapa_tuple(a, settle());
}
static tapa_term demonitor_flush_name_down(roles *r)
{
    tapa_term c = child(r, "none", "{:exit, :boom}");
    tapa_register(c, "worker");
    tapa_term ref = monitor_role(r, A("worker"));
    go(c);
    pause_ms(50);
    tapa_term a = TRUE_AFTER(tapa_demonitor(ref, true));
    return tapa_tuple(a, settle());
}
/* A dying process signals its links before its monitors, whichever came first. */
static tapa_term exit_and_down_link_first(roles *r)
{
    trap();
    tapa_term c = lchild(r, "none", "{:exit, :boom}");
    monitor_role(r, c);
    go(c);
    return settle();
}
static tapa_term exit_and_down_monitor_first(roles *r)
{
    trap();
    tapa_term c = child(r, "none", "{:link_exit, :boom}");
    monitor_role(r, c);
    go(c);
    return settle();
}
static void wait_go_exit_boom(tapa_term arg)
{
    (void)arg;
    tapa_match m = {0};
    tapa_receive(&m, TAPA_INFINITY, ":go");
    tapa_exit(A("boom"));
}
static tapa_term spawn_monitor_down_first(roles *r)
{
    tapa_term pr = tapa_spawn_monitor(wait_go_exit_boom, tapa_empty_list());
    tapa_term c = tapa_element(pr, 0);
    role(r, c, "child");
    role(r, tapa_element(pr, 1), "ref0");
    role(r, tapa_monitor(c), "ref1");
    go(c);
    return settle();
}
static tapa_term timers_never_early_short(roles *r)
{
    (void)r;
    tapa_term a = never_early(5, 1, false);
    tapa_term b = never_early(5, 1, true);
    return tapa_tuple(a, b);
}
/* Messages that do not match do not restart the `after` timer. */
static tapa_term timeout_not_restarted_by_junk(roles *r)
{
    go(child(r, "none", "{:junk, 20, 10}"));
    int64_t t0 = now_us();
    tapa_term x = recv_or_timeout(":x", 100);
    tapa_term early = tapa_bool(now_us() - t0 < 100000);
    tapa_term msgs = tapa_element(tapa_info_key(tapa_self(), "messages"), 1);
    size_t seen = 0;
    for (; tapa_type_of(msgs) == TAPA_T_LIST; msgs = tapa_tl(msgs))
        seen += tapa_element(tapa_hd(msgs), 0) == A("junk");
    return tapa_tuple(x, early, tapa_bool(seen < 20));
}

/* Timeouts: 0 and 1 just look; huge ones are allowed up to 2^32-1 ms. */
static tapa_term after_0_1_and_max(roles *r)
{
    (void)r;
    tapa_term a = recv_or_timeout(":x", 0);
    tapa_term b = recv_or_timeout(":x", 1);
    tapa_send(tapa_self(), A("x"));
    tapa_term c = recv_or_timeout(":x", 0);
    tapa_send(tapa_self(), A("y"));
    tapa_term d = recv_or_timeout(":y", 4294967295LL);
    return tapa_tuple(a, b, c, d);
}
static tapa_term receive_timeout_too_large(roles *r)
{
    (void)r;
    return recv_or_timeout(":x", 4294967296LL);
}
/* Never early, even after the process computed for 20 ms. */
static tapa_term timers_never_early_after_work(roles *r)
{
    (void)r;
    tapa_term a = never_early(5, 30, false);
    tapa_term b = never_early(5, 30, true);
    return tapa_tuple(a, b);
}

/* A negative timeout is an error (timeout_value), not a wait. */
static tapa_term receive_negative_timeout(roles *r)
{
    (void)r;
    return recv_or_timeout(":x", -5);
}
static tapa_term sleep_negative(roles *r)
{
    (void)r;
    tapa_sleep(-5);
    return A("ok");
}

/* Selective receive leaves what it does not match in place, in order. */
static tapa_term selective_keeps_order(roles *r)
{
    (void)r;
    send_self("[:a, :b, :c, :d]");
    tapa_term x = recv_or_timeout(":c", TAPA_INFINITY);
    tapa_term l = settle();
    return tapa_tuple(x, l);
}
static tapa_term selective_first_message_any_clause(roles *r)
{
    (void)r;
    send_self("[:x, :c, :b]");
    tapa_match m = {0};
    tapa_receive(&m, TAPA_INFINITY, ":b", ":c");
    tapa_term x = m.message;
    tapa_term l = settle();
    return tapa_tuple(x, l);
}
static tapa_term selective_timeout_keeps_all(roles *r)
{
    (void)r;
    send_self("[:x, :y]");
    tapa_term x = recv_or_timeout(":z", 0);
    tapa_term l = settle();
    return tapa_tuple(x, l);
}
static tapa_term selective_save_point(roles *r)
{
    (void)r;
    send_self("[:x, :y]");
    tapa_term t1 = recv_or_timeout(":z", 0);
    tapa_term x = recv_or_timeout(":x", TAPA_INFINITY);
    tapa_send(tapa_self(), A("z"));
    tapa_term t2 = recv_or_timeout(":z", 0);
    tapa_send(tapa_self(), A("z"));
    tapa_term t3 = recv_or_timeout(":z", 10);
    tapa_term l = settle();
    return tapa_tuple(t1, x, t2, t3, l);
}
static tapa_term selective_save_point_tuple(roles *r)
{
    (void)r;
    send_self("[{:t, 1}, :junk, {:u, 1}]");
    tapa_term a = recv_or_timeout("{:u, n}", 0);
    tapa_term b = recv_or_timeout("{:u, n}", 0);
    tapa_send(tapa_self(), tapa_t("{:u, 2}"));
    tapa_term c = recv_or_timeout("{:u, n}", 0);
    tapa_term d = recv_or_timeout("{:t, n}", 0);
    tapa_term l = settle();
    return tapa_tuple(a, b, c, d, l);
}
static tapa_term selective_waiting_sees_new(roles *r)
{
    go(child(r, "none", "{:send_exit, [:junk1, :junk2, {:reply, 7}], :normal}"));
    tapa_term x = recv_or_timeout("{:reply, n}", 1000);
    tapa_term l = settle();
    return tapa_tuple(x, l);
}

/* Sending. */
static tapa_term send_unregistered_name(roles *r)
{
    (void)r;
    tapa_send(A("nobody"), A("hi"));
    return settle();
}
static tapa_term send_name_node_unregistered(roles *r)
{
    (void)r;
    tapa_term a = tapa_send(tapa_tuple(A("nobody"), tapa_node()), A("hi"));
    return tapa_tuple(a, settle());
}
static tapa_term send_dead_pid(roles *r)
{
    tapa_term a = tapa_send(dead(r), A("hi"));
    return tapa_tuple(a, settle());
}
static tapa_term send_registered(roles *r)
{
    tapa_term c = child(r, "none", ":echo");
    tapa_register(c, "srv");
    go(c);
    tapa_send(A("srv"), A("hi"));
    return settle();
}
static tapa_term send_name_node_registered(roles *r)
{
    tapa_term c = child(r, "none", ":echo");
    tapa_register(c, "srv");
    go(c);
    tapa_send(tapa_tuple(A("srv"), tapa_node()), A("hi"));
    return settle();
}
static tapa_term registered_name_freed_on_exit(roles *r)
{
    tapa_term c = child(r, "none", "{:exit, :normal}");
    tapa_register(c, "srv");
    monitor_role(r, c);
    go(c);
    tapa_term down = settle();
    return tapa_tuple(tapa_bool(tapa_is_pid(tapa_whereis("srv"))), down);
}

/* unlink stops propagation. */
static tapa_term unlink_notrap(roles *r)
{
    tapa_term c = lchild(r, "none", "{:exit, :boom}");
    tapa_unlink(c);
    monitor_role(r, c);
    go(c);
    return settle();
}
static tapa_term unlink_trap(roles *r)
{
    trap();
    tapa_term c = lchild(r, "none", "{:exit, :boom}");
    tapa_unlink(c);
    monitor_role(r, c);
    go(c);
    return settle();
}
static tapa_term unlink_after_exit_delivered(roles *r)
{
    trap();
    tapa_term c = lchild(r, "none", "{:exit, :boom}");
    go(c);
    pause_ms(50);
    tapa_term a = TRUE_AFTER(tapa_unlink(c));
    return tapa_tuple(a, settle());
}
static tapa_term unlink_by_child(roles *r)
{
    tapa_term c = lchild(r, "none", ":forever");
    tapa_unlink(c);
    monitor_role(r, c);
    tapa_exit_pid(c, A("kill"));
    return settle();
}

/* Flags and liveness. */
static tapa_term trap_exit_flag_returns_old(roles *r)
{
    (void)r;
    bool a = tapa_trap_exit(true), b = tapa_trap_exit(true), c = tapa_trap_exit(false);
    return tapa_tuple(tapa_bool(a), tapa_bool(b), tapa_bool(c));
}
static tapa_term is_alive_after_exit(roles *r)
{
    tapa_term c = child(r, "none", "{:exit, :normal}");
    monitor_role(r, c);
    tapa_term a = tapa_bool(tapa_alive(c));
    go(c);
    tapa_term down = settle();
    return tapa_tuple(a, tapa_bool(tapa_alive(c)), down);
}

typedef struct scenario {
    const char *name;
    tapa_term (*fn)(roles *r);
} scenario;

#define S(name)     \
    {               \
#name, name \
    }
static const scenario scenarios[] = {
    S(link_normal_notrap),
    S(link_normal_trap),
    S(link_custom_notrap),
    S(link_custom_trap),
    S(link_tuple_reason_trap),
    S(link_error_trap),
    S(link_exit_kill_notrap),
    S(link_exit_kill_trap),
    S(link_killed_notrap),
    S(link_killed_trap),
    S(link_chain_trap),
    S(link_chain_kill_trap),
    S(link_chain_normal_trap),
    S(link_other_end_trap),
    S(link_other_end_normal_trap),
    S(exit_self_normal_notrap),
    S(exit_self_normal_trap),
    S(exit_self_custom_notrap),
    S(exit_self_custom_trap),
    S(exit_self_kill_notrap),
    S(exit_self_kill_trap),
    S(exit_other_normal_notrap),
    S(exit_other_normal_trap),
    S(exit_other_custom_notrap),
    S(exit_other_custom_trap),
    S(exit_other_kill_notrap),
    S(exit_other_kill_trap),
    S(exit_other_killed_trap),
    S(exit_child_normal_notrap),
    S(exit_child_normal_trapping),
    S(exit_child_kill_trapping),
    S(exit_child_custom_trapping),
    S(exit_dead_pid),
    S(link_dead_notrap),
    S(link_dead_trap),
    S(link_self),
    S(monitor_exit_normal),
    S(monitor_exit_custom),
    S(monitor_killed),
    S(monitor_dead_pid),
    S(monitor_dead_name),
    S(monitor_name_live),
    S(monitor_twice),
    S(spawn_monitor_normal),
    S(demonitor_flush),
    S(demonitor_noflush_after_down),
    S(demonitor_before_exit),
    S(demonitor_flush_keeps_others),
    S(order_msgs_then_exit_trap),
    S(order_msgs_then_down),
    S(order_msg_then_exit_signal_trap),
    S(order_msg_then_exit_signal_notrap),
    S(async_kill_linked_then_return),
    S(async_kill_linked_kill),
    S(monitor_after_exit_signal),
    S(link_after_exit_signal_trap),
    S(exit_signal_then_message_dropped),
    S(monitor_down_order),
    S(monitor_down_order_after_demonitor),
    S(monitor_name_node_live),
    S(monitor_name_node_dead),
    S(monitor_name_other_node_not_alive),
    S(monitor_bad_target),
    S(receive_negative_timeout),
    S(sleep_negative),
    S(kill_then_send_many),
    S(order_msg_exit_msg_trap),
    S(order_msg_exit_normal_msg_notrap),
    S(order_msg_exit_msg_notrap),
    S(two_senders_race_trap),
    S(exit_normal_ignored_then_msg),
    S(kill_linked_wait_notrap),
    S(kill_linked_wait_kill_notrap),
    S(kill_linked_wait_trap),
    S(kill_linked_wait_kill_trap),
    S(kill_linked_sends_many),
    S(link_self_kill_trap),
    S(link_self_kill_trapping_child),
    S(link_self_exit_boom_trap),
    S(link_self_exit_normal_trap),
    S(kill_blocked_in_after),
    S(exit_normal_trapping_blocked_in_after),
    S(signal_sleeping),
    S(signal_sleeping_trapping),
    S(exit_normal_sleeping_notrap),
    S(monitor_racing_exit),
    S(demonitor_twice_and_unknown),
    S(demonitor_flush_between_messages),
    S(monitor_down_order_mixed),
    S(monitor_down_order_name_and_pid),
    S(monitor_name_unregistered_before_exit),
    S(monitor_name_reregistered),
    S(trap_off_after_exit_message),
    S(trap_on_while_signal_pending),
    S(alive_after_signal_to_trapping),
    S(two_signals_first_wins),
    S(two_signals_normal_then_boom),
    S(signal_then_down_trap),
    S(monitor_self),
    S(demonitor_flush_name_down),
    S(exit_and_down_link_first),
    S(exit_and_down_monitor_first),
    S(spawn_monitor_down_first),
    S(timers_never_early_short),
    S(timeout_not_restarted_by_junk),
    S(after_0_1_and_max),
    S(receive_timeout_too_large),
    S(timers_never_early_after_work),
    S(selective_keeps_order),
    S(selective_first_message_any_clause),
    S(selective_timeout_keeps_all),
    S(selective_save_point),
    S(selective_save_point_tuple),
    S(selective_waiting_sees_new),
    S(send_unregistered_name),
    S(send_name_node_unregistered),
    S(send_dead_pid),
    S(send_registered),
    S(send_name_node_registered),
    S(registered_name_freed_on_exit),
    S(unlink_notrap),
    S(unlink_trap),
    S(unlink_after_exit_delivered),
    S(unlink_by_child),
    S(trap_exit_flag_returns_old),
    S(is_alive_after_exit),
};
#define NSCENARIOS (sizeof scenarios / sizeof scenarios[0])

/* ------------------------------------------------------------- runner -- */

/* arg: {main, index} */
static void subject(tapa_term arg)
{
    roles r = {0};
    role(&r, tapa_self(), "self");
    tapa_term main_pid = tapa_element(arg, 0);
    size_t i = (size_t)tapa_int_value(tapa_element(arg, 1));
    tapa_term outcome = scenarios[i].fn(&r);
    static out o; /* only this process uses it, and only between receives */
    o.len = 0;
    o.buf[0] = 0;
    fmt(&o, outcome, &r);
    tapa_send(main_pid, tapa_tuple(A("result"), tapa_self(), tapa_string(o.buf)));
}

static int hung; /* scenarios that could not run */

static void harness(tapa_term arg)
{
    size_t i = (size_t)tapa_int_value(arg);
    tapa_term pr = tapa_spawn_monitor(subject, tapa_tuple(tapa_self(), arg));
    tapa_match m = {0};
    tapa_pin(&m, "pid", tapa_element(pr, 0));
    tapa_pin(&m, "ref", tapa_element(pr, 1));
    static out o;
    o.len = 0;
    o.buf[0] = 0;
    switch (tapa_receive(&m, 5000LL * slow, "{:result, ^pid, text}",
                         "{:DOWN, ^ref, :process, ^pid, reason}")) {
    case 0: {
        tapa_term text = tapa_var(&m, "text");
        fmt(&o, text, NULL);
        /* drop the quotes fmt puts around a binary */
        memmove(o.buf, o.buf + 1, o.len);
        o.len -= 2;
        o.buf[o.len] = 0;
        tapa_receive(&m, 5000LL * slow, "{:DOWN, ^ref, :process, ^pid, _}");
        break;
    }
    case 1:
        put(&o, "died ");
        fmt_reason(&o, tapa_var(&m, "reason"), NULL);
        break;
    default:
        put(&o, "hang");
        hung++;
        break;
    }
    printf("%s: %s\n", scenarios[i].name, o.buf);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    const char *s = getenv("TAPA_SLOW");
    if (s && atoi(s) > 0) slow = atoi(s);
    int ran = 0;
    for (size_t i = 0; i < NSCENARIOS; i++) {
        bool wanted = argc < 2;
        for (int a = 1; a < argc; a++) wanted |= strcmp(argv[a], scenarios[i].name) == 0;
        if (!wanted) continue;
        ran++;
        int status = tapa_run(harness, tapa_int((int64_t)i));
        if (status == 2) {
            printf("%s: deadlock\n", scenarios[i].name);
            hung++;
        }
    }
    if (argc >= 2 && ran == 0) {
        fprintf(stderr, "test_semantics: no scenario named %s\n", argv[1]);
        return 2;
    }
    if (hung) {
        fprintf(stderr, "test_semantics: %d scenario(s) could not run (hang or deadlock)\n", hung);
        return 1;
    }
    return 0;
}
