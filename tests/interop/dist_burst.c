/* dist_burst.c — one C process sends N messages to an erl sink as fast as
 * it can (run by interop.sh, and by make bench with N = 3,000,000).
 *
 *   dist_burst NAME COOKIE ERLNODE N [OUTPUT_LIMIT_BYTES]
 *
 * A small output limit (make test passes 1 MiB) makes the sender outrun
 * the connection with fewer messages.
 * The sink (registered as `sink` on ERLNODE) checks that {seq, I} arrive
 * for I = 1..N in order and answers {:got, Count, InOrder} to {:done, From}.
 * On BEAM every message arrives between two nodes; so must it here: a
 * sender that outruns the connection waits (back-pressure), it is never
 * dropped. Prints "ok ..." / "FAIL ..." and "burst done: N failure(s)".
 */
#include "tapa.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static const char *name, *cookie, *erl_name;
static long count;
static size_t output_limit;
static int failures;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sender(tapa_term arg)
{
    (void)arg;
    if (output_limit) tapa_dist_output_limit(output_limit);
    if (!tapa_node_start(name, cookie, 0)) {
        printf("FAIL node start\n");
        failures++;
        return;
    }
    tapa_term node = tapa_atom(erl_name);
    tapa_term sink = tapa_tuple(tapa_atom("sink"), node);
    tapa_term seq = tapa_atom("seq");
    tapa_monitor_node(node, true);
    double t0 = now_s();
    for (long i = 1; i <= count; i++) tapa_send(sink, tapa_tuple(seq, tapa_int(i)));
    double sent = now_s() - t0;
    tapa_send(sink, tapa_tuple(tapa_atom("done"), tapa_self()));
    tapa_match m = {0};
    int k = tapa_receive(&m, 120000, "{:got, n, in_order}", "{:nodedown, _}");
    double all = now_s() - t0;
    long got = k == 0 ? (long)tapa_int_value(tapa_var(&m, "n")) : -1;
    bool in_order = k == 0 && tapa_var(&m, "in_order") == tapa_true();
    char what[200];
    snprintf(what, sizeof what,
             "%ld messages from one C process to an erl sink: %ld arrived, %s "
             "(sent in %.2f s, received in %.2f s: %.0f msg/s)",
             count, got, in_order ? "in order" : "NOT in order", sent, all, count / all);
    bool ok = got == count && in_order;
    printf("%s %s\n", ok ? "ok" : "FAIL", what);
    failures += !ok;
    tapa_node_stop();
}

int main(int argc, char **argv)
{
    if (argc != 5 && argc != 6) {
        fprintf(stderr, "usage: dist_burst NAME COOKIE ERLNODE N [OUTPUT_LIMIT_BYTES]\n");
        return 2;
    }
    name = argv[1], cookie = argv[2], erl_name = argv[3], count = atol(argv[4]);
    output_limit = argc == 6 ? (size_t)atol(argv[5]) : 0;
    int rc = tapa_run(sender, tapa_empty_list());
    printf("burst done: %d failure(s)\n", failures);
    return rc || failures ? 1 : 0;
}
