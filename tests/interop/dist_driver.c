/* dist_driver.c — the C side of the interop tests (run by interop.sh).
 *
 *   dist_driver MODE NAME COOKIE PEER [TICKTIME]
 *
 * Starts a node NAME and runs one scenario against PEER, printing one
 * line per check: "ok <what>" or "FAIL <what>: <detail>". The script
 * counts them. Modes:
 *   beam   PEER is a real erl node with a process registered as `repl`
 *          that answers {from, msg} with {:echo, msg}
 *   c      PEER is a tapa-node
 *   kill   link to a process on PEER, print READY, expect :noconnection
 *          (the script kills PEER with SIGKILL when it sees READY);
 *          killc: the same with a tapa-node as PEER
 *   stop   monitor_node PEER, print READY, expect {:nodedown, PEER}
 *          (the script stops PEER with SIGSTOP)
 *   cookie PEER has another cookie: ping must give :pang
 *   monname  monitor({name, PEER}) on a real erl PEER: a name nobody has,
 *          a registered process that exits, demonitor, a node that does not
 *          exist; then registers as `mondriver`, prints MON READY and takes
 *          {:erl_down, case, down} from an erl node that did the same cases
 *          (erlang:monitor(process, {Name, Node})): each DOWN must be equal
 *          to BEAM's, the ref aside.
 */
#include "tapa.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *mode, *name, *cookie, *peer_name;
static int ticktime;
static int failures;

static void check(bool ok, const char *what, tapa_term got)
{
    if (ok) {
        tapa_printf("ok %s\n", what);
    } else {
        tapa_printf("FAIL %s: got %pT\n", what, got);
        failures++;
    }
    fflush(stdout);
}

static bool same(tapa_term a, const char *literal)
{
    return tapa_equal(a, tapa_t(literal));
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* receive with a timeout; returns the message or :timeout */
static tapa_term take(const char *pattern, int64_t ms)
{
    tapa_match m = {0};
    if (tapa_receive(&m, ms, pattern) == TAPA_TIMEOUT) return tapa_atom("timeout");
    return m.message;
}

static void common(tapa_term peer)
{
    check(tapa_ping(peer) == tapa_atom("pong"), "ping", tapa_ping(peer));
    check(tapa_ping(tapa_atom("nobody@127.0.0.1")) == tapa_atom("pang"),
          "ping unknown node gives pang", TAPA_NONE);
    tapa_term nodes = tapa_nodes();
    check(tapa_length(nodes) == 1 && tapa_hd(nodes) == peer, "nodes()", nodes);
    /* send to a registered name there; the answer comes to our pid */
    const char *reg = strcmp(mode, "beam") == 0 ? "repl" : "echo";
    tapa_send(tapa_tuple(tapa_atom(reg), peer), tapa_tuple(tapa_self(), tapa_atom("hello")));
    tapa_term r = take("{:echo, _}", 3000);
    check(same(r, "{:echo, :hello}"), "send to {name, node}, reply to our pid", r);
    /* big and odd terms make the round trip unchanged */
    tapa_term t = tapa_t(
        "{123456789012345678901234567890, -1.5, \"bin\", [1, 2 | 3], %{a: [104, 105]}, 'abc'}");
    tapa_send(tapa_tuple(tapa_atom(reg), peer), tapa_tuple(tapa_self(), t));
    r = take("{:echo, _}", 3000);
    check(tapa_is_tuple(r) && tapa_equal(tapa_element(r, 1), t),
          "terms round-trip through the peer", r);
}

static const char erl_text[] = "printed by erl: h\xc3\xa9llo \xe2\x9c\x93\n";

static void beam_checks(tapa_term peer)
{
    tapa_term r = tapa_rpc(peer, ":erlang", "node", tapa_empty_list());
    check(r == peer, ":rpc.call(peer, :erlang, :node, [])", r);
    r = tapa_rpc(peer, ":lists", "reverse", tapa_t("[[1, 2, 3]]"));
    check(same(r, "[3, 2, 1]"), ":rpc.call lists:reverse", r);
    r = tapa_rpc(peer, ":no_such_module", "f", tapa_t("[1]"));
    check(same(r, "{:badrpc, {:EXIT, {:undef, [{:no_such_module, :f, [1], []}]}}}"),
          "rpc of an unknown function", r);
    /* a process spawned there sends to our pid */
    tapa_term pid =
        tapa_spawn_on(peer, ":erlang", "send", tapa_list(tapa_self(), tapa_atom("from_spawned")));
    check(tapa_is_pid(pid), "Node.spawn on the peer gives a pid", pid);
    r = take(":from_spawned", 3000);
    check(r == tapa_atom("from_spawned"), "the spawned process sent to us", r);
    /* its group leader is ours: what it prints comes here through the I/O
     * protocol (interop.sh finds the line in our output), and it ends */
    pid =
        tapa_spawn_on(peer, ":io", "put_chars", tapa_list(tapa_binary(erl_text, strlen(erl_text))));
    tapa_term mon = tapa_monitor(pid);
    tapa_match m = {0};
    tapa_pin(&m, "mon", mon);
    r = tapa_receive(&m, 3000, "{:DOWN, ^mon, _, _, reason}") == 0 ? tapa_var(&m, "reason")
                                                                   : tapa_atom("timeout");
    check(r == tapa_atom("normal"),
          "a process spawned on erl prints through our group leader and ends", r);
}

static void c_checks(tapa_term peer)
{
    tapa_term r = tapa_rpc(peer, "Tapa.Demo", "add", tapa_t("[1, 2]"));
    check(same(r, "3"), ":rpc.call Tapa.Demo.add(1, 2)", r);
    r = tapa_rpc(peer, "Tapa.Demo", "nope", tapa_empty_list());
    check(same(r, "{:badrpc, {:EXIT, {:undef, [{Tapa.Demo, :nope, [], []}]}}}"),
          "rpc of an unknown function", r);
    tapa_term add_42 = tapa_fun("Tapa.Demo", "add_n", 1, tapa_int(42));
    r = tapa_rpc(peer, "Tapa.Demo", "apply", tapa_list(add_42, tapa_int(100)));
    check(same(r, "142"), "a fun sent to another C node and applied there (add_42.(100))", r);
    tapa_term pid = tapa_spawn_on(peer, "Tapa.Demo", "whoami", tapa_empty_list());
    check(tapa_is_pid(pid), "Node.spawn Tapa.Demo.whoami", pid);
    tapa_term text = tapa_pid_to_list(pid);
    char buf[64];
    size_t n = 0;
    for (tapa_term l = text; l != tapa_empty_list() && n < sizeof buf - 1; l = tapa_tl(l))
        buf[n++] = (char)tapa_int_value(tapa_hd(l));
    buf[n] = 0;
    check(tapa_equal(tapa_list_to_pid(buf), pid), "list_to_pid(pid_to_list(remote pid))", text);
}

/* links, monitors and exit signals across the connection */
static void signal_checks(tapa_term peer, bool beam)
{
    tapa_trap_exit(true);
    const char *mod = beam ? ":timer" : "Tapa.Demo";
    tapa_term pid = tapa_spawn_link_on(peer, ":erlang", "exit", tapa_list(tapa_atom("boom")));
    tapa_match m = {0};
    tapa_pin(&m, "pid", pid);
    int k = tapa_receive(&m, 3000, "{:EXIT, ^pid, :boom}");
    check(k == 0, "spawn_link there, the process exits :boom, we trap {:EXIT, pid, :boom}", pid);
    pid = tapa_spawn_on(peer, mod, "sleep", tapa_list(tapa_int(100)));
    tapa_term ref = tapa_monitor(pid);
    tapa_pin(&m, "ref", ref);
    m.count = 1;
    tapa_pin(&m, "ref", ref);
    k = tapa_receive(&m, 3000, "{:DOWN, ^ref, :process, _, :normal}");
    check(k == 0, "monitor a remote process: DOWN :normal", ref);
    pid = tapa_spawn_on(peer, mod, "sleep", tapa_list(tapa_int(5000)));
    ref = tapa_monitor(pid);
    tapa_exit_pid(pid, tapa_atom("kill"));
    m.count = 0;
    tapa_pin(&m, "ref", ref);
    k = tapa_receive(&m, 3000, "{:DOWN, ^ref, :process, _, :killed}");
    check(k == 0, "Process.exit(remote, :kill): DOWN :killed", ref);
    pid = tapa_spawn_on(peer, mod, "sleep", tapa_list(tapa_int(5000)));
    tapa_link(pid);
    tapa_unlink(pid);
    tapa_exit_pid(pid, tapa_atom("kill"));
    k = tapa_receive(&m, 300, "{:EXIT, _, _}");
    check(k == TAPA_TIMEOUT, "unlink (UNLINK_ID): no exit signal afterwards", TAPA_NONE);
}

static void kill_scenario(tapa_term peer)
{
    tapa_trap_exit(true);
    check(tapa_ping(peer) == tapa_atom("pong"), "ping", TAPA_NONE);
    const char *mod = strcmp(mode, "killc") == 0 ? "Tapa.Demo" : ":timer";
    tapa_term pid = tapa_spawn_link_on(peer, mod, "sleep", tapa_list(tapa_int(60000)));
    tapa_term ref = tapa_monitor(pid);
    tapa_monitor_node(peer, true);
    printf("READY\n");
    fflush(stdout);
    uint64_t t0 = now_ms();
    tapa_match m = {0};
    tapa_pin(&m, "pid", pid);
    int k = tapa_receive(&m, 5000, "{:EXIT, ^pid, :noconnection}");
    uint64_t dt = now_ms() - t0;
    check(k == 0, "linked process gets {:EXIT, pid, :noconnection}", TAPA_NONE);
    printf("noconnection after %llu ms\n", (unsigned long long)dt);
    m.count = 0;
    tapa_pin(&m, "ref", ref);
    check(tapa_receive(&m, 1000, "{:DOWN, ^ref, :process, _, :noconnection}") == 0,
          "monitor gets DOWN :noconnection", TAPA_NONE);
    m.count = 0;
    tapa_pin(&m, "peer", peer);
    check(tapa_receive(&m, 1000, "{:nodedown, ^peer}") == 0, "monitor_node gets {:nodedown, node}",
          TAPA_NONE);
}

static void stop_scenario(tapa_term peer)
{
    check(tapa_ping(peer) == tapa_atom("pong"), "ping", TAPA_NONE);
    tapa_monitor_node(peer, true);
    printf("READY\n");
    fflush(stdout);
    uint64_t t0 = now_ms();
    tapa_match m = {0};
    tapa_pin(&m, "peer", peer);
    int k = tapa_receive(&m, (int64_t)ticktime * 1000 * 2 + 2000, "{:nodedown, ^peer}");
    uint64_t dt = now_ms() - t0;
    check(k == 0 && dt <= (uint64_t)ticktime * 1000 + 1500,
          "a stopped peer is dropped within the tick time", tapa_int((int64_t)dt));
    printf("nodedown after %llu ms\n", (unsigned long long)dt);
}

/* {:DOWN, :ref, :process, object, reason}: the DOWN with its ref left out
 * (refs differ per node), or :timeout when none came within ms. */
static tapa_term down_of(tapa_term ref, int64_t ms)
{
    tapa_match m = {0};
    tapa_pin(&m, "ref", ref);
    if (tapa_receive(&m, ms, "{:DOWN, ^ref, _, _, _}") == TAPA_TIMEOUT) return tapa_atom("timeout");
    tapa_term d = m.message;
    return tapa_tuple(tapa_atom("DOWN"), tapa_atom("ref"), tapa_element(d, 2), tapa_element(d, 3),
                      tapa_element(d, 4));
}

/* A process on the peer registered as `reg`: it sleeps until killed. */
static tapa_term remote_registered(tapa_term peer, const char *reg)
{
    tapa_term pid = tapa_spawn_on(peer, ":timer", "sleep", tapa_list(tapa_int(10000)));
    tapa_term r = tapa_rpc(peer, ":erlang", "register", tapa_list(tapa_atom(reg), pid));
    check(r == tapa_atom("true"), "register a process on the erl node (rpc)", r);
    return pid;
}

/* Issue 9 item 4: monitor({name, node}) against a real erl node, then the
 * same cases done by erl itself must give equal DOWN messages. */
static void name_monitor_scenario(tapa_term peer)
{
    tapa_term got[4];
    /* a name nobody has there: DOWN :noproc, the object {name, node} */
    tapa_term obj = tapa_tuple(tapa_atom("nobody_has_this"), peer);
    got[0] = down_of(tapa_monitor(obj), 3000);
    check(tapa_equal(got[0], tapa_tuple(tapa_atom("DOWN"), tapa_atom("ref"), tapa_atom("process"),
                                        obj, tapa_atom("noproc"))),
          "monitor({unregistered, node}): DOWN :noproc with {name, node}", got[0]);
    /* a live registered name that exits: its reason, the object {name, node} */
    tapa_term pid = remote_registered(peer, "victim_x");
    obj = tapa_tuple(tapa_atom("victim_x"), peer);
    tapa_term ref = tapa_monitor(obj);
    check(down_of(ref, 200) == tapa_atom("timeout"), "no DOWN while the named process lives",
          TAPA_NONE);
    tapa_exit_pid(pid, tapa_atom("bye"));
    got[1] = down_of(ref, 3000);
    check(tapa_equal(got[1], tapa_tuple(tapa_atom("DOWN"), tapa_atom("ref"), tapa_atom("process"),
                                        obj, tapa_atom("bye"))),
          "monitor({registered, node}), it exits :bye: DOWN :bye with {name, node}", got[1]);
    /* demonitor: no DOWN when it exits afterwards */
    pid = remote_registered(peer, "victim_y");
    ref = tapa_monitor(tapa_tuple(tapa_atom("victim_y"), peer));
    tapa_demonitor(ref, false); /* returns nothing: what counts is that no DOWN follows */
    tapa_exit_pid(pid, tapa_atom("bye"));
    got[2] = down_of(ref, 500);
    if (got[2] == tapa_atom("timeout")) got[2] = tapa_atom("none");
    check(got[2] == tapa_atom("none"), "demonitor: no DOWN when the named process exits", got[2]);
    /* a node that does not exist: DOWN :noconnection */
    obj = tapa_tuple(tapa_atom("x"), tapa_atom("bogus@nowhere"));
    got[3] = down_of(tapa_monitor(obj), 10000);
    check(tapa_equal(got[3], tapa_tuple(tapa_atom("DOWN"), tapa_atom("ref"), tapa_atom("process"),
                                        obj, tapa_atom("noconnection"))),
          "monitor({x, :\"bogus@nowhere\"}): DOWN :noconnection with {x, node}", got[3]);
    /* the same four cases, done by erl: equal DOWN messages */
    tapa_register(tapa_self(), "mondriver");
    printf("MON READY\n");
    fflush(stdout);
    static const char *const cases[] = {"noproc", "exits", "demonitor", "noconnection"};
    for (int i = 0; i < 4; i++) {
        tapa_match m = {0};
        tapa_pin(&m, "case", tapa_atom(cases[i]));
        tapa_term erl = tapa_receive(&m, 15000, "{:erl_down, ^case, down}") == 0
                            ? tapa_var(&m, "down")
                            : tapa_atom("no_answer_from_erl");
        char what[96];
        snprintf(what, sizeof what,
                 "%s: the same DOWN as erlang:monitor(process, {Name, Node}) on erl", cases[i]);
        if (!tapa_equal(erl, got[i]))
            tapa_printf("    C node: %pT\n    erl:    %pT\n", got[i], erl);
        check(tapa_equal(erl, got[i]), what, erl);
    }
}

static void driver(tapa_term arg)
{
    (void)arg;
    if (!tapa_node_start(name, cookie, ticktime)) {
        printf("FAIL node start\n");
        failures++;
        return;
    }
    tapa_term peer = tapa_atom(peer_name);
    if (!strcmp(mode, "beam") || !strcmp(mode, "c")) {
        common(peer);
        if (!strcmp(mode, "beam")) beam_checks(peer);
        else c_checks(peer);
        signal_checks(peer, !strcmp(mode, "beam"));
    } else if (!strcmp(mode, "kill") || !strcmp(mode, "killc")) {
        kill_scenario(peer);
    } else if (!strcmp(mode, "stop")) {
        stop_scenario(peer);
    } else if (!strcmp(mode, "monname")) {
        name_monitor_scenario(peer);
    } else if (!strcmp(mode, "cookie")) {
        tapa_term r = tapa_ping(peer);
        check(r == tapa_atom("pang"), "a peer with another cookie: pang", r);
        tapa_send(tapa_tuple(tapa_atom("repl"), peer),
                  tapa_tuple(tapa_self(), tapa_atom("sneaky")));
        check(take("_", 500) == tapa_atom("timeout"), "nothing comes back", TAPA_NONE);
    }
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: dist_driver MODE NAME COOKIE PEER [TICKTIME]\n");
        return 2;
    }
    mode = argv[1], name = argv[2], cookie = argv[3], peer_name = argv[4];
    ticktime = argc > 5 ? atoi(argv[5]) : 0;
    int rc = tapa_run(driver, tapa_empty_list());
    printf("driver done: %d failure(s)\n", failures);
    return rc || failures ? 1 : 0;
}
