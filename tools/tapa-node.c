/* tapa-node — a C node for demos and tests (Part 2 of the tutorial).
 *
 *   build/bin/tapa-node --name node1@127.0.0.1 [--cookie C] [--ticktime S]
 *
 * Runs until SIGINT or SIGTERM, then leaves cleanly (peers see nodedown,
 * the name is unregistered). See --help for what it offers.
 */
#include "tapa.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void usage(FILE *out)
{
    fprintf(
        out,
        "usage: tapa-node --name NAME [--cookie COOKIE] [--ticktime SECONDS] [--quiet]\n"
        "\n"
        "Starts a hidden Erlang node written in C and runs until SIGINT (Ctrl-C) or\n"
        "SIGTERM, then leaves cleanly. Other C nodes and real erl/iex nodes with the same\n"
        "cookie can talk to it.\n"
        "  --name NAME      node1@127.0.0.1 (long name) or node1 (short: node1@this-host)\n"
        "  --cookie COOKIE  the shared secret; default: ~/.erlang.cookie (created, mode\n"
        "                   0400, when absent; refused when others can read it)\n"
        "  --ticktime S     net tick time in seconds (default 60): a silent peer is\n"
        "                   dropped after about S seconds\n"
        "  --quiet          do not print the startup line\n"
        "\n"
        "What it offers:\n"
        "  a process registered as `echo`: send it {from, msg} and it sends {:echo, msg}\n"
        "    to from, e.g. in iex: send({:echo, :\"node1@127.0.0.1\"}, {self(), :hi}); flush()\n"
        "  Tapa.Demo.whoami/0: prints `pid: #PID<0.N.0>` here and returns that pid, e.g.\n"
        "    Node.spawn(:\"node1@127.0.0.1\", Tapa.Demo, :whoami, [])\n"
        "  Tapa.Demo.add/2: returns a + b, e.g. :rpc.call(:\"node1@127.0.0.1\", Tapa.Demo, :add, [1, 2])\n"
        "  Tapa.Demo.sleep/1 (ms), Tapa.Demo.apply/2 (fun, x: fun.(x)) and the fun\n"
        "    add_n/1 with n captured (step 13: add_42 applied to 100 gives 142)\n"
        "  :erlang.display/1, :erlang.node/0 and :erlang.exit/1 also run here.\n"
        "Anyone with the cookie can run these exported functions on this node.\n");
}

static tapa_term whoami(const tapa_term *captured, const tapa_term *args)
{
    (void)captured, (void)args;
    tapa_printf("pid: %pT\n", tapa_self());
    fflush(stdout);
    return tapa_self();
}

static tapa_term add(const tapa_term *captured, const tapa_term *args)
{
    (void)captured;
    return tapa_int(tapa_int_value(args[0]) + tapa_int_value(args[1]));
}

static tapa_term sleep_ms(const tapa_term *captured, const tapa_term *args)
{
    (void)captured;
    tapa_sleep(tapa_int_value(args[0]));
    return tapa_atom("ok");
}

/* fn x -> x + n end, n captured: the add_42 of step 13 is
 * tapa_fun("Tapa.Demo", "add_n", 1, tapa_int(42)). */
static tapa_term add_n(const tapa_term *captured, const tapa_term *args)
{
    return tapa_int(tapa_int_value(captured[0]) + tapa_int_value(args[0]));
}

static tapa_term apply1(const tapa_term *captured, const tapa_term *args)
{
    (void)captured;
    return tapa_apply(args[0], args[1]);
}

static void echo(tapa_term arg)
{
    (void)arg;
    for (;;) {
        tapa_match m = {0};
        if (tapa_receive(&m, TAPA_INFINITY, "{from, msg}") == 0 &&
            tapa_is_pid(tapa_var(&m, "from")))
            tapa_send(tapa_var(&m, "from"), tapa_tuple(tapa_atom("echo"), tapa_var(&m, "msg")));
    }
}

typedef struct options {
    const char *name, *cookie;
    int ticktime;
    int quiet;
} options;

static options opts;

static void node_main(tapa_term arg)
{
    (void)arg;
    if (!tapa_node_start(opts.name, opts.cookie, opts.ticktime)) tapa_exit(tapa_atom("no_node"));
    tapa_export("Tapa.Demo", "whoami", 0, whoami);
    tapa_export("Tapa.Demo", "add", 2, add);
    tapa_export("Tapa.Demo", "sleep", 1, sleep_ms);
    tapa_export("Tapa.Demo", "add_n", 1, add_n);
    (void)tapa_fun("Tapa.Demo", "add_n", 1,
                   tapa_int(0)); /* its funs carry n: add_n/1 alone is undef */
    tapa_export("Tapa.Demo", "apply", 2, apply1);
    tapa_register(tapa_spawn(echo, tapa_empty_list()), "echo");
    if (!opts.quiet) tapa_printf("tapa-node %pT is up (Ctrl-C stops it)\n", tapa_node());
    fflush(stdout);
    while (!stop_requested) {
        tapa_match m = {0};
        tapa_receive(&m, 100, ":stop");
    }
    tapa_node_stop();
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--quiet")) {
            opts.quiet = 1;
        } else if (i + 1 < argc && !strcmp(a, "--name")) {
            opts.name = argv[++i];
        } else if (i + 1 < argc && !strcmp(a, "--cookie")) {
            opts.cookie = argv[++i];
        } else if (i + 1 < argc && !strcmp(a, "--ticktime")) {
            opts.ticktime = atoi(argv[++i]);
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (!opts.name) {
        usage(stderr);
        return 2;
    }
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    return tapa_run(node_main, tapa_empty_list());
}
