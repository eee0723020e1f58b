/* bench_ring.c — 10,000 processes in a ring pass a token 1,000 laps.
 *
 * Each process waits for an integer, passes it on decremented, and the one
 * that receives 0 tells the main process. 10M messages in all; prints the
 * rate in messages per second. Usage: bench_ring [PROCESSES [LAPS]].
 */
#include "tapa.h"

#include <stdlib.h>
#include <time.h>

static int64_t procs = 10000, laps = 1000;
static tapa_term main_pid; /* a pid is an immediate term: safe in a global */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void node(tapa_term next)
{
    for (;;) {
        int64_t token = tapa_int_value(tapa_receive_any());
        if (token == 0) tapa_send(main_pid, tapa_atom("done"));
        else tapa_send(next, tapa_int(token - 1));
    }
}

static void first_node(tapa_term arg)
{
    (void)arg;
    tapa_match m = {0};
    tapa_receive(&m, TAPA_INFINITY, "{:next, pid}");
    node(tapa_var(&m, "pid"));
}

static void bench(tapa_term arg)
{
    (void)arg;
    main_pid = tapa_self();
    tapa_term first = tapa_spawn(first_node, tapa_empty_list());
    tapa_term prev = first;
    for (int64_t i = 1; i < procs; i++) prev = tapa_spawn(node, prev);
    tapa_send(first, tapa_tuple(tapa_atom("next"), prev));
    tapa_yield(); /* every process runs once and waits in receive */

    double t0 = now_s();
    tapa_send(first, tapa_int(procs * laps));
    tapa_match m = {0};
    tapa_receive(&m, TAPA_INFINITY, ":done");
    double secs = now_s() - t0;
    printf("tapa=%.0f unit=msg/s\n", (double)(procs * laps) / secs);
}

int main(int argc, char **argv)
{
    if (argc > 1) procs = atoll(argv[1]);
    if (argc > 2) laps = atoll(argv[2]);
    return tapa_run(bench, tapa_empty_list());
}
