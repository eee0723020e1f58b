/* builtins.c — the calls the shell knows, each checking its arguments
 * first: a bad argument is an error at the prompt (as iex prints it), never
 * a crash of the shell's process inside the runtime. */
#include "iex/iex.h"
#include "dist/dist.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define ARGS tiex_ctx *cx, const tapa_term *a
#define NIL tapa_atom("nil")

static _Noreturn void bad_arg(tiex_ctx *cx, const char *call, int which, const char *why)
{
    static const char *const nth[] = {"1st", "2nd", "3rd", "4th"};
    tiex_fail(cx, "ArgumentError",
              "errors were found at the given arguments:\n\n  * %s argument: %s\n\n    %s",
              nth[which < 4 ? which : 3], why, call);
}

static void need_pid(tiex_ctx *cx, tapa_term t, const char *fn, int which)
{
    if (!tapa_is_pid(t)) {
        char s[120], call[200];
        tiex_shown(s, sizeof s, t);
        snprintf(call, sizeof call, "%s(%s)", fn, s);
        bad_arg(cx, call, which, "not a pid");
    }
}

static void need_atom(tiex_ctx *cx, tapa_term t, const char *fn, int which)
{
    if (!tapa_is_atom(t)) {
        char s[120], call[200];
        tiex_shown(s, sizeof s, t);
        snprintf(call, sizeof call, "%s(%s)", fn, s);
        bad_arg(cx, call, which, "not an atom");
    }
}

static bool is_local_pid(tapa_term pid)
{
    char s[64];
    tapa_inspect_to(s, sizeof s, pid);
    return strncmp(s, "#PID<0.", 7) == 0;
}

static bool node_needed(tiex_ctx *cx)
{
    if (!tapa_node_alive())
        tiex_fail(cx, "ArgumentError",
                  "this node is not alive (it is :nonode@nohost): start tapa-iex with "
                  "--name node1@127.0.0.1 --cookie COOKIE to talk to other nodes");
    return true;
}

/* ------------------------------------------------------------ messages -- */

static tapa_term b_self(ARGS)
{
    return tapa_self();
}

static tapa_term b_send(ARGS)
{
    tapa_term dest = a[0];
    char s[120], call[300];
    tiex_shown(s, sizeof s, dest);
    char m[150];
    tiex_shown(m, sizeof m, a[1]);
    snprintf(call, sizeof call, ":erlang.send(%s, %s)", s, m);
    if (tapa_is_pid(dest)) return tapa_send(dest, a[1]);
    if (tapa_is_atom(dest)) {
        if (tapa_equal(tapa_whereis(tapa_atom_name(dest)), NIL))
            bad_arg(cx, call, 0, "invalid destination");
        return tapa_send(dest, a[1]);
    }
    if (tapa_is_tuple(dest) && tapa_tuple_size(dest) == 2 && tapa_is_atom(tapa_element(dest, 0)) &&
        tapa_is_atom(tapa_element(dest, 1))) {
        tapa_term node = tapa_element(dest, 1);
        if (tapa_equal(node, tapa_node())) {
            if (tapa_equal(tapa_whereis(tapa_atom_name(tapa_element(dest, 0))), NIL))
                bad_arg(cx, call, 0, "invalid destination");
        } else {
            node_needed(cx);
        }
        return tapa_send(dest, a[1]);
    }
    bad_arg(cx, call, 0, "invalid destination");
}

static tapa_term b_flush(ARGS)
{
    tapa_flush();
    return tapa_atom("ok");
}

/* ----------------------------------------------------------------- spawn -- */

static void run_fun0(tapa_term fun)
{
    tapa_apply(fun);
}

/* arg = {fun, args} */
static void run_mfa(tapa_term arg)
{
    tapa_term fun = tapa_element(arg, 0), args = tapa_element(arg, 1), argv[16];
    size_t n = 0;
    for (; tapa_type_of(args) == TAPA_T_LIST && n < 16; args = tapa_tl(args))
        argv[n++] = tapa_hd(args);
    tapa_apply_v(fun, n, argv);
}

static void need_fun0(tiex_ctx *cx, tapa_term f, const char *fn)
{
    if (!tapa_is_fun(f)) {
        char s[120], call[200];
        tiex_shown(s, sizeof s, f);
        snprintf(call, sizeof call, "%s(%s)", fn, s);
        bad_arg(cx, call, 0, "not a fun");
    }
}

static tapa_term b_spawn1(ARGS)
{
    need_fun0(cx, a[0], ":erlang.spawn");
    return tapa_spawn(run_fun0, a[0]);
}

static tapa_term b_spawn_link1(ARGS)
{
    need_fun0(cx, a[0], ":erlang.spawn_link");
    return tapa_spawn_link(run_fun0, a[0]);
}

static size_t proper_len(tapa_term l, bool *ok)
{
    size_t n = 0;
    for (; tapa_type_of(l) == TAPA_T_LIST; l = tapa_tl(l)) n++;
    *ok = tapa_type_of(l) == TAPA_T_EMPTY_LIST;
    return n;
}

static tapa_term mfa_fun(tiex_ctx *cx, const tapa_term *a, const char *fn)
{
    need_atom(cx, a[0], fn, 0);
    need_atom(cx, a[1], fn, 1);
    bool ok;
    size_t n = proper_len(a[2], &ok);
    if (!ok || n > 16) {
        char s[120], call[200];
        tiex_shown(s, sizeof s, a[2]);
        snprintf(call, sizeof call, "%s(..., %s)", fn, s);
        bad_arg(cx, call, 2, "not a list (of at most 16 arguments)");
    }
    char mname[200];
    tiex_describe_module(mname, sizeof mname, a[0]);
    return tapa_fun(mname, tapa_atom_name(a[1]), (int)n);
}

static tapa_term b_spawn3(ARGS)
{
    return tapa_spawn(run_mfa, tapa_tuple(mfa_fun(cx, a, ":erlang.spawn"), a[2]));
}
static tapa_term b_spawn_link3(ARGS)
{
    return tapa_spawn_link(run_mfa, tapa_tuple(mfa_fun(cx, a, ":erlang.spawn_link"), a[2]));
}

static tapa_term b_exit1(ARGS)
{
    tapa_exit(a[0]); /* the shell's process ends; the shell starts a new one */
}

/* --------------------------------------------------------------- Process -- */

static tapa_term b_info1(ARGS)
{
    need_pid(cx, a[0], "Process.info", 0);
    if (!is_local_pid(a[0]))
        bad_arg(cx, "Process.info(pid)", 0,
                "the pid is not local (Process.info works on this node's pids)");
    return tapa_info(a[0]);
}

static tapa_term b_info2(ARGS)
{
    static const char *const keys[] = {
        "message_queue_len", "messages", "links",           "monitors", "monitored_by",
        "trap_exit",         "status",   "registered_name", "memory",   NULL};
    need_pid(cx, a[0], "Process.info", 0);
    need_atom(cx, a[1], "Process.info", 1);
    bool known = false;
    for (int i = 0; keys[i]; i++) known |= !strcmp(tapa_atom_name(a[1]), keys[i]);
    if (!known) {
        char s[80], call[160];
        tiex_shown(s, sizeof s, a[1]);
        snprintf(call, sizeof call, ":erlang.process_info(pid, %s)", s);
        bad_arg(
            cx, call, 1,
            "invalid item or item list (this runtime knows :message_queue_len, :messages, "
            ":links, :monitors, :monitored_by, :trap_exit, :status, :registered_name, :memory)");
    }
    if (!is_local_pid(a[0]))
        bad_arg(cx, "Process.info(pid, key)", 0,
                "the pid is not local (Process.info works on this node's pids)");
    return tapa_info_key(a[0], tapa_atom_name(a[1]));
}

static tapa_term b_alive(ARGS)
{
    need_pid(cx, a[0], "Process.alive?", 0);
    if (!is_local_pid(a[0])) bad_arg(cx, "Process.alive?(pid)", 0, "the pid is not local");
    return tapa_bool(tapa_alive(a[0]));
}

static bool is_bool(tapa_term t)
{
    return tapa_equal(t, tapa_true()) || tapa_equal(t, tapa_false());
}

static tapa_term b_flag(ARGS)
{
    if (!tapa_equal(a[0], tapa_atom("trap_exit")))
        tiex_fail(cx, "ArgumentError",
                  "tapa-iex knows the flag :trap_exit only (Process.flag(:trap_exit, true))");
    if (!is_bool(a[1])) bad_arg(cx, "Process.flag(:trap_exit, value)", 1, "not a boolean");
    return tapa_bool(tapa_trap_exit(tapa_equal(a[1], tapa_true())));
}

static tapa_term b_pexit(ARGS)
{
    need_pid(cx, a[0], "Process.exit", 0);
    tapa_exit_pid(a[0], a[1]);
    return tapa_true();
}

static tapa_term b_link(ARGS)
{
    need_pid(cx, a[0], "Process.link", 0);
    tapa_link(a[0]);
    return tapa_true();
}

static tapa_term b_unlink(ARGS)
{
    need_pid(cx, a[0], "Process.unlink", 0);
    tapa_unlink(a[0]);
    return tapa_true();
}

static tapa_term b_monitor(ARGS)
{
    if (!tapa_is_pid(a[0]) && !tapa_is_atom(a[0]))
        bad_arg(cx, "Process.monitor(item)", 0, "not a pid or a name");
    return tapa_monitor(a[0]);
}

static tapa_term b_demonitor1(ARGS)
{
    if (tapa_type_of(a[0]) != TAPA_T_REFERENCE)
        bad_arg(cx, "Process.demonitor(ref)", 0, "not a reference");
    tapa_demonitor(a[0], false);
    return tapa_true();
}

static tapa_term b_demonitor2(ARGS)
{
    if (tapa_type_of(a[0]) != TAPA_T_REFERENCE)
        bad_arg(cx, "Process.demonitor(ref, options)", 0, "not a reference");
    bool flush = false;
    for (tapa_term l = a[1]; tapa_type_of(l) == TAPA_T_LIST; l = tapa_tl(l))
        flush |= tapa_equal(tapa_hd(l), tapa_atom("flush"));
    tapa_demonitor(a[0], flush);
    return tapa_true();
}

static tapa_term b_register(ARGS)
{
    need_pid(cx, a[0], "Process.register", 0);
    need_atom(cx, a[1], "Process.register", 1);
    const char *name = tapa_atom_name(a[1]);
    if (!strcmp(name, "undefined") || !strcmp(name, "nil"))
        bad_arg(cx, "Process.register(pid, name)", 1, "the name is not allowed");
    if (!is_local_pid(a[0]) || !tapa_alive(a[0]))
        bad_arg(cx, "Process.register(pid, name)", 0,
                "could not register, the process is not alive");
    if (!tapa_equal(tapa_whereis(name), NIL)) {
        char s[100];
        tiex_shown(s, sizeof s, a[1]);
        tiex_fail(cx, "ArgumentError",
                  "could not register %s because the name %s is already taken (by %s)",
                  "the process", s, "another process");
    }
    tapa_register(a[0], name);
    return tapa_true();
}

static tapa_term b_unregister(ARGS)
{
    need_atom(cx, a[0], "Process.unregister", 0);
    if (tapa_equal(tapa_whereis(tapa_atom_name(a[0])), NIL))
        bad_arg(cx, "Process.unregister(name)", 0, "not a registered name");
    tapa_unregister(tapa_atom_name(a[0]));
    return tapa_true();
}

static tapa_term b_whereis(ARGS)
{
    need_atom(cx, a[0], "Process.whereis", 0);
    return tapa_whereis(tapa_atom_name(a[0]));
}

static tapa_term b_registered(ARGS)
{
    return tapa_registered();
}

static tapa_term b_sleep(ARGS)
{
    if (tapa_equal(a[0], tapa_atom("infinity"))) tapa_sleep(TAPA_INFINITY);
    if (tapa_type_of(a[0]) != TAPA_T_INTEGER || tapa_compare(a[0], tapa_int(0)) < 0 ||
        tapa_compare(a[0], tapa_int(INT32_MAX)) > 0)
        bad_arg(cx, "Process.sleep(timeout)", 0, "not a timeout (an integer >= 0 or :infinity)");
    tapa_sleep(tapa_int_value(a[0]));
    return tapa_atom("ok");
}

/* ------------------------------------------------------- Keyword, IO, ... -- */

static tapa_term keyword_get(tiex_ctx *cx, tapa_term list, tapa_term key, tapa_term dflt)
{
    if (!tapa_is_list(list)) {
        char s[150];
        tiex_shown(s, sizeof s, list);
        tiex_fail(
            cx, "FunctionClauseError",
            "no function clause matching in Keyword.get/3\n\n"
            "    The following arguments were given to Keyword.get/3:\n\n        # 1\n        %s",
            s);
    }
    if (!tapa_is_atom(key))
        tiex_fail(cx, "FunctionClauseError", "no function clause matching in Keyword.get/3");
    for (; tapa_type_of(list) == TAPA_T_LIST; list = tapa_tl(list)) {
        tapa_term e = tapa_hd(list);
        if (tapa_is_tuple(e) && tapa_tuple_size(e) == 2 && tapa_equal(tapa_element(e, 0), key))
            return tapa_element(e, 1);
    }
    return dflt;
}
static tapa_term b_kw_get2(ARGS)
{
    return keyword_get(cx, a[0], a[1], NIL);
}
static tapa_term b_kw_get3(ARGS)
{
    return keyword_get(cx, a[0], a[1], a[2]);
}

static void print_label(tapa_term label)
{
    if (tapa_is_binary(label)) fwrite(tapa_binary_data(label), 1, tapa_binary_size(label), stdout);
    else if (tapa_is_atom(label)) fputs(tapa_atom_name(label), stdout);
    else tapa_fprint_term(stdout, label);
    fputs(": ", stdout);
}

static tapa_term b_inspect1(ARGS)
{
    tapa_fprint_term(stdout, a[0]);
    fputc('\n', stdout);
    fflush(stdout);
    return a[0];
}

static tapa_term b_inspect2(ARGS)
{
    if (!tapa_is_list(a[1]))
        bad_arg(cx, "IO.inspect(item, opts)", 1, "the options are not a keyword list");
    tapa_term label = keyword_get(cx, a[1], tapa_atom("label"), TAPA_NONE);
    if (label != TAPA_NONE) print_label(label);
    return b_inspect1(cx, a);
}

static tapa_term b_puts(ARGS)
{
    if (tapa_is_binary(a[0])) fwrite(tapa_binary_data(a[0]), 1, tapa_binary_size(a[0]), stdout);
    else if (tapa_is_atom(a[0])) fputs(tapa_atom_name(a[0]), stdout);
    else if (tapa_is_list(a[0])) tiex_write_iodata(a[0]);
    else if (tapa_is_integer(a[0])) tapa_fprint_term(stdout, a[0]);
    else bad_arg(cx, "IO.puts(item)", 0, "not a string, an atom, a number or a charlist");
    fputc('\n', stdout);
    fflush(stdout);
    return tapa_atom("ok");
}

/* -------------------------------------------------------- pids as text -- */

static bool charlist_text(tapa_term l, char *out, size_t size)
{
    size_t n = 0;
    for (; tapa_type_of(l) == TAPA_T_LIST; l = tapa_tl(l)) {
        tapa_term c = tapa_hd(l);
        if (tapa_type_of(c) != TAPA_T_INTEGER || tapa_compare(c, tapa_int(1)) < 0 ||
            tapa_compare(c, tapa_int(127)) > 0)
            return false;
        if (n + 1 >= size) return false;
        out[n++] = (char)tapa_int_value(c);
    }
    out[n] = 0;
    return tapa_type_of(l) == TAPA_T_EMPTY_LIST;
}

/* Is a node connected under this channel number (the A of <A.B.C>)? The
 * runtime's list_to_pid asks the same, but answers no by ending the caller. */
static bool channel_connected(unsigned channel)
{
    if (!tapa_node_alive()) return false;
    for (peer *p = dn.peers; p; p = p->next)
        if (p->state == PEER_UP && node_at(p->node_index)->channel == channel) return true;
    return false;
}

static tapa_term b_list_to_pid(ARGS)
{
    char text[64], call[120];
    char s[80];
    tiex_shown(s, sizeof s, a[0]);
    snprintf(call, sizeof call, ":erlang.list_to_pid(%s)", s);
    if (!charlist_text(a[0], text, sizeof text))
        bad_arg(cx, call, 0, "not a textual representation of a pid");
    unsigned x, y, z;
    char end;
    if (sscanf(text, "<%u.%u.%u%c", &x, &y, &z, &end) != 4 || end != '>' ||
        text[strlen(text) - 1] != '>' || strspn(text + 1, "0123456789.") != strlen(text) - 2)
        bad_arg(cx, call, 0, "not a textual representation of a pid");
    if (x != 0 && !channel_connected(x))
        bad_arg(cx, call, 0, "no connected node has that number (connect to it first: Node.ping)");
    return tapa_list_to_pid(text);
}

static tapa_term b_pid_to_list(ARGS)
{
    need_pid(cx, a[0], ":erlang.pid_to_list", 0);
    return tapa_pid_to_list(a[0]);
}

static tapa_term b_node0(ARGS)
{
    return tapa_node();
}
static tapa_term b_make_ref(ARGS)
{
    return tapa_make_ref();
}

/* ------------------------------------------------------------------ Node -- */

static tapa_term b_node_list0(ARGS)
{
    return tapa_node_alive() ? tapa_nodes() : tapa_empty_list();
}
static tapa_term b_node_list1(ARGS)
{
    return b_node_list0(cx, a);
}

static tapa_term b_ping(ARGS)
{
    need_atom(cx, a[0], "Node.ping", 0);
    if (!tapa_node_alive()) return tapa_atom("pang");
    return tapa_ping(a[0]);
}

static tapa_term b_connect(ARGS)
{
    need_atom(cx, a[0], "Node.connect", 0);
    if (!tapa_node_alive()) return tapa_atom("ignored");
    return tapa_bool(tapa_equal(tapa_ping(a[0]), tapa_atom("pong")));
}

static tapa_term remote_spawn(tiex_ctx *cx, const tapa_term *a, bool link, const char *fn)
{
    need_atom(cx, a[0], fn, 0);
    need_atom(cx, a[1], fn, 1);
    need_atom(cx, a[2], fn, 2);
    bool ok;
    proper_len(a[3], &ok);
    if (!ok) bad_arg(cx, fn, 3, "not a list");
    char mname[200];
    tiex_describe_module(mname, sizeof mname, a[1]);
    if (tapa_equal(a[0], tapa_node())) /* this node, distributed or not */
        return (link ? tapa_spawn_link : tapa_spawn)(run_mfa,
                                                     tapa_tuple(mfa_fun(cx, a + 1, fn), a[3]));
    node_needed(cx);
    return (link ? tapa_spawn_link_on : tapa_spawn_on)(a[0], mname, tapa_atom_name(a[2]), a[3]);
}
static tapa_term b_node_spawn4(ARGS)
{
    return remote_spawn(cx, a, false, "Node.spawn");
}
static tapa_term b_node_spawn_link4(ARGS)
{
    return remote_spawn(cx, a, true, "Node.spawn_link");
}

/* Node.spawn(node, fun): :erlang.apply(fun, []) there; tapa-iex exports it
 * too, so a fun made at one tapa-iex prompt runs at another. */
static tapa_term b_node_spawn2(ARGS)
{
    need_atom(cx, a[0], "Node.spawn", 0);
    need_fun0(cx, a[1], "Node.spawn");
    if (tapa_equal(a[0], tapa_node())) return tapa_spawn(run_fun0, a[1]);
    node_needed(cx);
    return tapa_spawn_on(a[0], ":erlang", "apply", tapa_list(a[1], tapa_empty_list()));
}

static tapa_term b_rpc_call(ARGS)
{
    need_atom(cx, a[0], ":rpc.call", 0);
    need_atom(cx, a[1], ":rpc.call", 1);
    need_atom(cx, a[2], ":rpc.call", 2);
    bool ok;
    proper_len(a[3], &ok);
    if (!ok) bad_arg(cx, ":rpc.call(node, module, function, args)", 3, "not a list");
    if (!tapa_node_alive()) return tapa_tuple(tapa_atom("badrpc"), tapa_atom("nodedown"));
    char mname[200];
    tiex_describe_module(mname, sizeof mname, a[1]);
    return tapa_rpc(a[0], mname, tapa_atom_name(a[2]), a[3]);
}

/* ------------------------------------------------------------ the rest -- */

static tapa_term b_hd(ARGS)
{
    if (tapa_type_of(a[0]) != TAPA_T_LIST) bad_arg(cx, "hd(list)", 0, "not a nonempty list");
    return tapa_hd(a[0]);
}
static tapa_term b_tl(ARGS)
{
    if (tapa_type_of(a[0]) != TAPA_T_LIST) bad_arg(cx, "tl(list)", 0, "not a nonempty list");
    return tapa_tl(a[0]);
}
static tapa_term b_length(ARGS)
{
    bool ok;
    size_t n = proper_len(a[0], &ok);
    if (!ok) bad_arg(cx, "length(list)", 0, "not a list");
    return tapa_int((int64_t)n);
}
static tapa_term b_elem(ARGS)
{
    if (!tapa_is_tuple(a[0])) bad_arg(cx, "elem(tuple, index)", 0, "not a tuple");
    if (tapa_type_of(a[1]) != TAPA_T_INTEGER || tapa_compare(a[1], tapa_int(0)) < 0 ||
        tapa_compare(a[1], tapa_int((int64_t)tapa_tuple_size(a[0]))) >= 0)
        bad_arg(cx, "elem(tuple, index)", 1, "out of range");
    return tapa_element(a[0], (size_t)tapa_int_value(a[1]));
}
static tapa_term b_tuple_size(ARGS)
{
    if (!tapa_is_tuple(a[0])) bad_arg(cx, "tuple_size(tuple)", 0, "not a tuple");
    return tapa_int((int64_t)tapa_tuple_size(a[0]));
}
static tapa_term b_is_pid(ARGS)
{
    return tapa_bool(tapa_is_pid(a[0]));
}
static tapa_term b_is_atom(ARGS)
{
    return tapa_bool(tapa_is_atom(a[0]));
}
static tapa_term b_is_integer(ARGS)
{
    return tapa_bool(tapa_is_integer(a[0]));
}
static tapa_term b_is_list(ARGS)
{
    return tapa_bool(tapa_is_list(a[0]));
}
static tapa_term b_is_tuple(ARGS)
{
    return tapa_bool(tapa_is_tuple(a[0]));
}
static tapa_term b_is_function(ARGS)
{
    return tapa_bool(tapa_is_fun(a[0]));
}

static tapa_term b_h(ARGS);
static tapa_term b_i(ARGS);

static const tiex_builtin table[] = {
    {NULL, "self", 0, b_self, "the shell's pid"},
    {NULL, "send", 2, b_send, "send(dest, message): to a pid, a registered name or {name, node}"},
    {NULL, "flush", 0, b_flush, "prints the shell's messages and empties its mailbox"},
    {NULL, "spawn", 1, b_spawn1, "spawn(fn -> ... end)"},
    {NULL, "spawn", 3, b_spawn3, "spawn(Module, :function, args)"},
    {NULL, "spawn_link", 1, b_spawn_link1, "spawn_link(fn -> ... end)"},
    {NULL, "spawn_link", 3, b_spawn_link3, "spawn_link(Module, :function, args)"},
    {NULL, "exit", 1, b_exit1, "exit(reason): ends the shell's process (a new one starts)"},
    {NULL, "node", 0, b_node0, "this node's name"},
    {NULL, "make_ref", 0, b_make_ref, "a new reference"},
    {NULL, "hd", 1, b_hd, NULL},
    {NULL, "tl", 1, b_tl, NULL},
    {NULL, "length", 1, b_length, NULL},
    {NULL, "elem", 2, b_elem, NULL},
    {NULL, "tuple_size", 1, b_tuple_size, NULL},
    {NULL, "is_pid", 1, b_is_pid, NULL},
    {NULL, "is_atom", 1, b_is_atom, NULL},
    {NULL, "is_integer", 1, b_is_integer, NULL},
    {NULL, "is_list", 1, b_is_list, NULL},
    {NULL, "is_tuple", 1, b_is_tuple, NULL},
    {NULL, "is_function", 1, b_is_function, NULL},
    {NULL, "h", 0, b_h, "this help"},
    {NULL, "i", 1, b_i, "i(term): what a term is"},
    {"Process", "info", 1, b_info1, "Process.info(pid): a keyword list, or nil when it is dead"},
    {"Process", "info", 2, b_info2, "Process.info(pid, :message_queue_len): {key, value}"},
    {"Process", "alive?", 1, b_alive, NULL},
    {"Process", "flag", 2, b_flag, "Process.flag(:trap_exit, true): exit signals become messages"},
    {"Process", "exit", 2, b_pexit, "Process.exit(pid, reason): sends an exit signal"},
    {"Process", "link", 1, b_link, NULL},
    {"Process", "unlink", 1, b_unlink, NULL},
    {"Process", "monitor", 1, b_monitor,
     "Process.monitor(pid): a ref; {:DOWN, ref, ...} comes when it ends"},
    {"Process", "demonitor", 1, b_demonitor1, NULL},
    {"Process", "demonitor", 2, b_demonitor2, NULL},
    {"Process", "register", 2, b_register, "Process.register(pid, :name)"},
    {"Process", "unregister", 1, b_unregister, NULL},
    {"Process", "whereis", 1, b_whereis, NULL},
    {"Process", "registered", 0, b_registered, NULL},
    {"Process", "sleep", 1, b_sleep, "Process.sleep(ms): the other processes run meanwhile"},
    {"Keyword", "get", 2, b_kw_get2, "Keyword.get(list, :key)"},
    {"Keyword", "get", 3, b_kw_get3, NULL},
    {"IO", "inspect", 1, b_inspect1, NULL},
    {"IO", "inspect", 2, b_inspect2, "IO.inspect(term, label: \"text\")"},
    {"IO", "puts", 1, b_puts, NULL},
    {":erlang", "list_to_pid", 1, b_list_to_pid, ":erlang.list_to_pid('<0.112.0>')"},
    {":erlang", "pid_to_list", 1, b_pid_to_list, NULL},
    {":erlang", "self", 0, b_self, NULL},
    {":erlang", "node", 0, b_node0, NULL},
    {":timer", "sleep", 1, b_sleep, NULL},
    {"Node", "self", 0, b_node0, NULL},
    {"Node", "list", 0, b_node_list0, "the nodes this one is connected to"},
    {"Node", "list", 1, b_node_list1, NULL},
    {"Node", "ping", 1, b_ping, "Node.ping(:\"node2@127.0.0.1\"): :pong or :pang"},
    {"Node", "connect", 1, b_connect, NULL},
    {"Node", "spawn", 2, b_node_spawn2, "Node.spawn(node, fn -> ... end): on a tapa node"},
    {"Node", "spawn", 4, b_node_spawn4, "Node.spawn(node, Module, :function, args)"},
    {"Node", "spawn_link", 4, b_node_spawn_link4, NULL},
    {":rpc", "call", 4, b_rpc_call, ":rpc.call(node, Module, :function, args)"},
};
#define NBUILTINS (sizeof table / sizeof table[0])

const tiex_builtin *tiex_builtins(size_t *n)
{
    *n = NBUILTINS;
    return table;
}

const tiex_builtin *tiex_builtin_find(const char *module, const char *name, int arity)
{
    for (size_t i = 0; i < NBUILTINS; i++) {
        const tiex_builtin *b = &table[i];
        if ((module == NULL) != (b->module == NULL)) continue;
        if (module && strcmp(module, b->module)) continue;
        if (!strcmp(name, b->name) && b->arity == arity) return b;
    }
    return NULL;
}

bool tiex_builtin_name_known(const char *module, const char *name)
{
    if (!name && module && (!strcmp(module, "TapaMessages") || !strcmp(module, "Tapa.Demo")))
        return true;
    for (size_t i = 0; i < NBUILTINS; i++) {
        const tiex_builtin *b = &table[i];
        if ((module == NULL) != (b->module == NULL)) continue;
        if (module && strcmp(module, b->module)) continue;
        if (!name || !strcmp(name, b->name)) return true;
    }
    return false;
}

static tapa_term b_h(ARGS)
{
    printf("tapa-iex: an iex-like shell on a C node (libtapa). Its shell is a process:\n"
           "self(), its mailbox and flush() are real. It evaluates the tutorial's Elixir:\n"
           "literals, variables and = with patterns, |>, fn, receive/case/if ... end, and:\n\n");
    for (size_t i = 0; i < NBUILTINS; i++) {
        const tiex_builtin *b = &table[i];
        if (!b->help) continue;
        printf("  %s%s%s/%d%*s%s\n", b->module ? b->module : "", b->module ? "." : "", b->name,
               b->arity, (int)(22 - strlen(b->name) - (b->module ? strlen(b->module) + 1 : 0)), "",
               b->help);
    }
    printf(
        "\nand the functions of the tutorial's module (TapaMessages.start_message_receiver/0, ...).\n"
        "Ctrl-C stops a running expression; Ctrl-D (or Ctrl-C twice at the prompt) leaves.\n");
    fflush(stdout);
    return tapa_atom("ok");
}

static const char *type_name(tapa_term t)
{
    switch (tapa_type_of(t)) {
    case TAPA_T_INTEGER:
        return "Integer";
    case TAPA_T_FLOAT:
        return "Float";
    case TAPA_T_ATOM:
        return "Atom";
    case TAPA_T_REFERENCE:
        return "Reference";
    case TAPA_T_FUN:
        return "Function";
    case TAPA_T_PORT:
        return "Port";
    case TAPA_T_PID:
        return "PID";
    case TAPA_T_TUPLE:
        return "Tuple";
    case TAPA_T_MAP:
        return "Map";
    case TAPA_T_EMPTY_LIST:
    case TAPA_T_LIST:
        return "List";
    case TAPA_T_BINARY:
        return "BitString";
    default:
        return "?";
    }
}

static tapa_term b_i(ARGS)
{
    printf("Term\n  ");
    tapa_fprint_term(stdout, a[0]);
    printf("\nData type\n  %s\n", type_name(a[0]));
    if (tapa_is_pid(a[0]) && is_local_pid(a[0])) {
        bool alive = tapa_alive(a[0]);
        printf("Alive\n  %s\n", alive ? "true" : "false");
        if (alive) {
            tapa_term name = tapa_info_key(a[0], "registered_name");
            tapa_term q = tapa_info_key(a[0], "message_queue_len");
            tapa_term links = tapa_info_key(a[0], "links");
            printf("Name\n  ");
            if (tapa_is_tuple(name) && !tapa_equal(tapa_element(name, 1), tapa_empty_list()))
                tapa_fprint_term(stdout, tapa_element(name, 1));
            else printf("not registered");
            printf("\nLinks\n  ");
            if (tapa_is_tuple(links) && tapa_type_of(tapa_element(links, 1)) == TAPA_T_LIST) {
                bool first = true;
                for (tapa_term l = tapa_element(links, 1); tapa_type_of(l) == TAPA_T_LIST;
                     l = tapa_tl(l)) {
                    if (!first) printf(", ");
                    tapa_fprint_term(stdout, tapa_hd(l));
                    first = false;
                }
            } else printf("none");
            printf("\nMessage queue length\n  ");
            if (tapa_is_tuple(q)) tapa_fprint_term(stdout, tapa_element(q, 1));
            printf("\n");
        }
        printf("Description\n  Use Process.info/1 to get more info about this process\n");
        printf("Reference modules\n  Process, Node\n");
    } else if (tapa_is_atom(a[0])) {
        printf("Reference modules\n  Atom\n");
    }
    fflush(stdout);
    return tapa_atom("ok");
}
