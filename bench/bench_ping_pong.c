/* bench_ping_pong.c — local ping-pong round trip.
 *
 * The main process sends {:ping, self} to a ponger, which answers :pong;
 * 1,000,000 round trips after 10,000 to warm up. Prints nanoseconds per
 * round trip. Usage: bench_ping_pong [ROUNDS].
 */
#include "tapa.h"

#include <stdlib.h>
#include <time.h>

static int64_t rounds = 1000000;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void ponger(tapa_term arg)
{
    (void)arg;
    tapa_term pong = tapa_atom("pong");
    for (;;) {
        tapa_match m = {0};
        tapa_receive(&m, TAPA_INFINITY, "{:ping, from}");
        tapa_send(tapa_var(&m, "from"), pong);
    }
}

static void exchange(tapa_term to, tapa_term ping, int64_t n)
{
    for (int64_t i = 0; i < n; i++) {
        tapa_send(to, ping);
        tapa_match m = {0};
        tapa_receive(&m, TAPA_INFINITY, ":pong");
    }
}

static void bench(tapa_term arg)
{
    (void)arg;
    tapa_term p = tapa_spawn(ponger, tapa_empty_list());
    tapa_term ping = tapa_tuple(tapa_atom("ping"), tapa_self());
    exchange(p, ping, 10000);
    double t0 = now_s();
    exchange(p, ping, rounds);
    double secs = now_s() - t0;
    printf("tapa=%.1f unit=ns\n", secs * 1e9 / (double)rounds);
}

int main(int argc, char **argv)
{
    if (argc > 1) rounds = atoll(argv[1]);
    return tapa_run(bench, tapa_empty_list());
}
