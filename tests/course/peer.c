/* peer.c — the other node of a Part 2 check (steps 9-14), played by a C
 * node, where erl is not installed (or with TAPA_PEER=c). The same protocol
 * and verdicts as tests/course/peer.escript, the real erl node:
 *
 *   environment: TAPA_STEP (09..14), TAPA_NODE1, TAPA_NODE2 (this node is
 *   one of them), TAPA_COOKIE, TAPA_SEED, TAPA_PEER_KEY (verdicts carry it), TAPA_LEARNER_OUT (a file: what the
 *   learner's program printed, complete once stdin closes)
 *   stdout: "@ready" once the learner's program may start; after stdin
 *   closes, "@pass KEY ID" or "@fail KEY ID<TAB>why" per check, "| text" lines for
 *   the report, then "@end".
 */
#include "tapa.h"

#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *step;
static tapa_term N1, N2;
static unsigned long seed = 1;
static bool learner_done; /* :learner_done has been received */

static void say(const char *fmt, ...) TAPA_PRINTF(1, 2);
static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tapa_printf("| ");
    tapa_vfprintf(stdout, fmt, ap);
    tapa_printf("\n");
    va_end(ap);
    fflush(stdout);
}

static void verdict(const char *id, bool ok, const char *fmt, ...) TAPA_PRINTF(3, 4);
static void verdict(const char *id, bool ok, const char *fmt, ...)
{
    char why[1500];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    const char *key =
        getenv("TAPA_PEER_KEY"); /* this run's secret: the grader takes only verdicts with it */
    if (!key) key = "nokey";
    if (ok) printf("@pass %s %s\n", key, id);
    else printf("@fail %s %s\t%s\n", key, id, why);
    fflush(stdout);
}

/* ----------------------------------------------- the learner's output -- */

static char *learner_text(void)
{
    const char *path = getenv("TAPA_LEARNER_OUT");
    FILE *f = path ? fopen(path, "r") : NULL;
    if (!f) return strdup("");
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    return strdup(buf);
}

static bool learner_has_line(const char *line)
{
    char *all = learner_text();
    bool found = false;
    size_t len = strlen(line);
    for (char *p = all; *p && !found;) {
        char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        found = n == len && memcmp(p, line, len) == 0;
        p += n + (nl ? 1 : 0);
    }
    free(all);
    return found;
}

/* Is there a "#PID<A.num.C>" with A not 0 in a line that starts with
 * `prefix` and ends with `suffix` (both may be "")? */
static bool learner_has_remote_pid(long num, const char *prefix, const char *suffix)
{
    char *all = learner_text();
    bool found = false;
    for (char *p = all; *p && !found;) {
        char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        char line[1024];
        snprintf(line, sizeof line, "%.*s", (int)(n < 1023 ? n : 1023), p);
        size_t ls = strlen(suffix), ll = strlen(line);
        if (!strncmp(line, prefix, strlen(prefix)) && ll >= ls && !strcmp(line + ll - ls, suffix))
            for (char *q = strstr(line, "#PID<"); q && !found; q = strstr(q + 1, "#PID<")) {
                long a, b, c;
                if (sscanf(q, "#PID<%ld.%ld.%ld>", &a, &b, &c) == 3) found = a != 0 && b == num;
            }
        p += n + (nl ? 1 : 0);
    }
    free(all);
    return found;
}

static long pid_number(tapa_term pid)
{
    char t[64];
    long a = 0, b = -1, c = 0;
    tapa_inspect_to(t, sizeof t, pid);
    sscanf(t, "#PID<%ld.%ld.%ld>", &a, &b, &c);
    return b;
}

/* ------------------------------------------------------------ helpers -- */

/* Sends :learner_done to the main process when stdin closes. */
static void stdin_watch(tapa_term main_pid)
{
    for (;;) {
        struct pollfd p = {.fd = 0, .events = POLLIN};
        if (poll(&p, 1, 0) > 0) {
            char buf[4096];
            if (read(0, buf, sizeof buf) <= 0) {
                tapa_send(main_pid, tapa_atom("learner_done"));
                return;
            }
        } else {
            tapa_sleep(10);
        }
    }
}

static bool connected(tapa_term node)
{
    for (tapa_term l = tapa_nodes(); tapa_is_list(l) && tapa_type_of(l) == TAPA_T_LIST;
         l = tapa_tl(l))
        if (tapa_equal(tapa_hd(l), node)) return true;
    return false;
}

/* Wait (in 10 ms steps) until node is connected; false if the learner's
 * program ended first. */
static bool wait_connected(tapa_term node)
{
    while (!connected(node)) {
        tapa_match m = {0};
        if (tapa_receive(&m, 10, ":learner_done") == 0) return !(learner_done = true);
    }
    return true;
}

static void wait_done(void)
{
    tapa_match m = {0};
    if (!learner_done) tapa_receive(&m, TAPA_INFINITY, ":learner_done");
    learner_done = true;
}

/* Tapa.Demo, as build/bin/tapa-node offers it. */
static tapa_term whoami(const tapa_term *captured, const tapa_term *args)
{
    (void)captured, (void)args;
    /* On node1's own output, not the caller's group leader (as the erl peer's
     * io:format(user, ...)): the learner's transcript must not depend on when
     * node1's print crosses the connection. The report shows node1's log. */
    char pid_text[64];
    tapa_inspect_to(pid_text, sizeof pid_text, tapa_self());
    printf("pid: %s\n", pid_text);
    fflush(stdout);
    tapa_send(tapa_atom("tapa_peer"), tapa_tuple(tapa_atom("whoami"), tapa_self()));
    return tapa_self();
}

static tapa_term sleeper(const tapa_term *captured, const tapa_term *args)
{
    (void)captured;
    tapa_send(tapa_atom("tapa_peer"), tapa_tuple(tapa_atom("sleeper"), tapa_self()));
    tapa_sleep(tapa_int_value(args[0]));
    return tapa_atom("ok");
}

static void net(tapa_term main_pid)
{
    tapa_match m = {0};
    tapa_receive(&m, TAPA_INFINITY, ":cut");
    tapa_send(main_pid, tapa_atom("cut"));
}

/* ---------------------------------------------------------- the steps -- */

static void step_09(void)
{
    bool seen = false;
    for (;;) {
        tapa_match m = {0};
        if (tapa_receive(&m, 10, ":learner_done") == 0) break;
        seen |= connected(N2);
    }
    verdict(
        "node1_sees_node2", seen,
        "node1 (a C node) saw no connection from node2. Node.ping connects only from a node: start this "
        "program as node2 first (tapa_node_start with node_name(2) and cookie()).");
}

static void step_10(void)
{
    tapa_unregister("tapa_peer");
    tapa_register(tapa_self(), "repl_node2");
    int good = 0, other = 0;
    char got[300] = "";
    for (;;) {
        tapa_match m = {0};
        int r = tapa_receive(&m, TAPA_INFINITY, ":learner_done", "{:hello_from, p}", "other");
        if (r == 0) break;
        if (r == 1 && tapa_is_pid(tapa_var(&m, "p"))) {
            tapa_term p = tapa_var(&m, "p");
            tapa_send(p, tapa_t("{:hello_back, 42}"));
            say("node2 received {:hello_from, %pT}, sent {:hello_back, 42} back", p);
            char t[64];
            tapa_inspect_to(t, sizeof t, p);
            good += strncmp(t, "#PID<0.", 7) != 0 && connected(N1);
        } else if (!other++) {
            tapa_inspect_to(got, sizeof got, m.message);
        }
    }
    verdict(
        "reaches_registered", good > 0,
        other
            ? "node2's :repl_node2 received %s; expected {:hello_from, pid} with pid a process of node1: send "
              "{:hello_from, self()}."
            : "nothing reached the process registered as :repl_node2 on node2 (a C node). A name alone means "
              "a process on your own node; to reach node2's, send to the tuple {:repl_node2, node2}.%s",
        got);
}

/* Send msg to {:repl_node2, node2} every 50 ms until `until` matches or the
 * program ends (the name may not be registered yet; such sends are dropped). */
static bool send_to_name(tapa_term msg, const char *until)
{
    if (!wait_connected(N2)) return false;
    tapa_term dest = tapa_tuple(tapa_atom("repl_node2"), N2);
    for (int i = 0;; i++) {
        if (i < 100) tapa_send(dest, msg);
        tapa_match m = {0};
        int r = until ? tapa_receive(&m, 50, ":learner_done", until)
                      : tapa_receive(&m, 50, ":learner_done");
        if (r == 0) return !(learner_done = true);
        if (r == 1) return true;
        if (!until && i >= 3) return true; /* sent a few times, it has one */
    }
}

static void step_11(void)
{
    bool got = send_to_name(tapa_t("{:hello_from, ~p}", tapa_self()), "{:hello_back, 42}");
    say("node1 sent {:hello_from, %pT} to {:repl_node2, node2}", tapa_self());
    if (got) wait_done();
    verdict(
        "reply_reaches_node1", got,
        "node1's process (the one that sent {:hello_from, pid}) never received {:hello_back, 42}. The text "
        "'<0.N.0>' is how node1 prints its own pid; on node2 a pid starting with 0 is a process of node2. Use "
        "the pid's text as node2 printed it, in its Received: line.");
}

static void step_12(void)
{
    tapa_term ran = TAPA_NONE;
    for (;;) {
        tapa_match m = {0};
        int r = tapa_receive(&m, TAPA_INFINITY, ":learner_done", "{:whoami, p}");
        if (r == 0) break;
        ran = tapa_var(&m, "p");
    }
    if (!ran) {
        verdict(
            "runs_on_node1", false,
            "nothing ran Tapa.Demo.whoami on node1 (a C node): spawn it there, Node.spawn(node1, Tapa.Demo, "
            ":whoami, []) (tapa_spawn_on), not with tapa_spawn here.");
        return;
    }
    long num = pid_number(ran);
    verdict(
        "runs_on_node1", learner_has_remote_pid(num, "", ""),
        "node1 ran whoami as #PID<0.%ld.0>, but node2 did not print that process as #PID<N.%ld.0> with N not "
        "0: show the pid Node.spawn returns.",
        num, num);
}

static void step_13(void)
{
    long add = 1 + (long)(seed % 999983); /* the seed is fresh and random per run */
    if (add == 42) add = 43;
    send_to_name(tapa_fun("TapaMessages", "add_n", 1, tapa_int(add)), NULL);
    say("node1 sent add_%ld = fn x -> x + %ld end (TapaMessages.add_n/1 with %ld captured) to {:repl_node2, node2}",
        add, add, add);
    wait_done();
    char want[64];
    snprintf(want, sizeof want, "result: %ld", 100 + add);
    verdict(
        "applies_the_fun", learner_has_line(want),
        "node1 sent add_%ld (fn x -> x + %ld end); node2 should print \"%s\", the fun applied to 100. Call the "
        "function you received (tapa_apply), do not print a number of your own.",
        add, add, want);
}

static void step_14(void)
{
    tapa_term sleeping = TAPA_NONE;
    bool cut = false, monitored = false, done = false;
    while (!done && !cut) {
        tapa_match m = {0};
        switch (tapa_receive(&m, TAPA_INFINITY, ":learner_done", "{:sleeper, p}", ":cut")) {
        case 0:
            done = learner_done = true;
            break;
        case 1:
            sleeping = tapa_var(&m, "p");
            break;
        case 2:
            cut = true;
            break;
        }
    }
    if (sleeping) {
        tapa_term kv = tapa_info_key(sleeping, "monitored_by");
        monitored = tapa_is_tuple(kv) && tapa_type_of(tapa_element(kv, 1)) == TAPA_T_LIST;
        say("the sleeper on node1: %pT, monitored from node2: %s", sleeping,
            monitored ? "yes" : "no");
    }
    if (cut) {
        tapa_node_stop(); /* every connection goes: node2 sees node1 go */
        say("node1 dropped its connection to node2");
    }
    if (!done) wait_done();
    long num = sleeping ? pid_number(sleeping) : -1;
    verdict(
        "down_noconnection",
        cut && monitored && learner_has_remote_pid(num, "{:DOWN, #Reference<", ", :noconnection}"),
        !sleeping ? "nothing ran Tapa.Demo.sleep on node1: the program did not get that far."
        : !cut    ? "node1 was never sent :cut (send({:net, node1}, :cut))."
        : !monitored
            ? "the process on node1 was not monitored from node2 when the connection went: "
              "Process.monitor(pid) (tapa_monitor) before the cut."
            : "node2 did not show {:DOWN, ref, :process, pid, :noconnection} for the process on node1.");
    char want[200];
    snprintf(want, sizeof want, "{:nodedown, :\"%s\"}", tapa_atom_name(N1));
    verdict("nodedown", learner_has_line(want),
            "node2 did not show %s: Node.monitor(node1, true) (tapa_monitor_node) asks for it.",
            want);
}

static void peer_main(tapa_term arg)
{
    (void)arg;
    N1 = tapa_atom(getenv("TAPA_NODE1"));
    N2 = tapa_atom(getenv("TAPA_NODE2"));
    const char *me = !strcmp(step, "10") ? getenv("TAPA_NODE2") : getenv("TAPA_NODE1");
    const char *cookie = getenv("TAPA_COOKIE");
    if (!me || !tapa_node_start(me, cookie && *cookie ? cookie : "tapas", 0)) {
        printf("@error the C peer could not start its node\n");
        return;
    }
    tapa_export("Tapa.Demo", "whoami", 0, whoami);
    tapa_export("Tapa.Demo", "sleep", 1, sleeper);
    tapa_register(tapa_self(), "tapa_peer");
    tapa_register(tapa_spawn(net, tapa_self()), "net");
    tapa_spawn(stdin_watch, tapa_self());
    printf("@ready\n");
    fflush(stdout);
    if (!strcmp(step, "09")) step_09();
    else if (!strcmp(step, "10")) step_10();
    else if (!strcmp(step, "11")) step_11();
    else if (!strcmp(step, "12")) step_12();
    else if (!strcmp(step, "13")) step_13();
    else if (!strcmp(step, "14")) step_14();
    printf("@end\n");
    fflush(stdout);
}

int main(void)
{
    step = getenv("TAPA_STEP");
    const char *n1 = getenv("TAPA_NODE1"), *n2 = getenv("TAPA_NODE2"), *s = getenv("TAPA_SEED");
    if (!step || !n1 || !n2) {
        fprintf(stderr, "peer: needs TAPA_STEP, TAPA_NODE1 and TAPA_NODE2\n");
        return 2;
    }
    if (s) seed = strtoul(s, NULL, 10);
    setvbuf(stdout, NULL, _IOLBF, 0);
    return tapa_run(peer_main, tapa_nil());
}
