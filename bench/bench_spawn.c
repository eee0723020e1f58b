/* bench_spawn.c — spawn 1,000,000 processes that exit at once.
 *
 * The main process spawns children whose function returns immediately,
 * yielding every 1,024 spawns so the children run and exit as they would
 * under a preemptive scheduler, and waits until the last has exited.
 * Prints nanoseconds per process (spawn + run + exit + free).
 * Usage: bench_spawn [COUNT].
 */
#include "tapa.h"

#include <stdlib.h>
#include <time.h>

static int64_t count = 1000000;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void child(tapa_term arg)
{
    (void)arg;
}

static void bench(tapa_term arg)
{
    (void)arg;
    double t0 = now_s();
    for (int64_t i = 1; i <= count; i++) {
        tapa_spawn(child, tapa_empty_list());
        if ((i & 1023) == 0) tapa_yield();
    }
    tapa_yield(); /* the run queue is FIFO: the rest have exited when we are back */
    double secs = now_s() - t0;
    printf("tapa=%.1f unit=ns\n", secs * 1e9 / (double)count);
}

int main(int argc, char **argv)
{
    if (argc > 1) count = atoll(argv[1]);
    return tapa_run(bench, tapa_empty_list());
}
