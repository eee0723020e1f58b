/* bench_selective_receive.c — receive a new message past 1,000 parked ones.
 *
 * A receiver parks 1,000 messages ({:junk, i}) that its receive does not
 * match, then serves: it blocks in receive {:ping, n}, and the main
 * process sends it a fresh {:ping, i} and waits for :ack, ROUNDS times.
 * Prints microseconds per receive; the figure includes the round trip
 * (bench_ping_pong measures that alone). The pattern has no pins, so the
 * runtime may remember where the scan stopped instead of rescanning the
 * parked messages; this measures whatever it does.
 * Usage: bench_selective_receive [ROUNDS [PARKED]].
 */
#include "tapa.h"

#include <stdlib.h>
#include <time.h>

static int64_t rounds = 100000, parked = 1000;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void receiver(tapa_term sender)
{
    for (int64_t i = 0; i < parked; i++)
        tapa_send(tapa_self(), tapa_tuple(tapa_atom("junk"), tapa_int(i)));
    tapa_term ack = tapa_atom("ack");
    tapa_send(sender, ack);
    for (;;) {
        tapa_match m = {0};
        tapa_receive(&m, TAPA_INFINITY, "{:ping, n}");
        tapa_send(sender, ack);
    }
}

static void bench(tapa_term arg)
{
    (void)arg;
    tapa_term r = tapa_spawn(receiver, tapa_self());
    tapa_match m = {0};
    tapa_receive(&m, TAPA_INFINITY, ":ack"); /* the junk is parked */
    double t0 = 0;
    for (int64_t i = -1000; i < rounds; i++) { /* 1,000 rounds to warm up */
        if (i == 0) t0 = now_s();
        tapa_send(r, tapa_tuple(tapa_atom("ping"), tapa_int(i)));
        tapa_receive(&m, TAPA_INFINITY, ":ack");
    }
    double secs = now_s() - t0;
    printf("tapa=%.3f unit=us\n", secs * 1e6 / (double)rounds);
}

int main(int argc, char **argv)
{
    if (argc > 1) rounds = atoll(argv[1]);
    if (argc > 2) parked = atoll(argv[2]);
    return tapa_run(bench, tapa_empty_list());
}
