/* bench_idle_memory.c — bytes per idle process blocked in receive.
 *
 * Spawns COUNT processes (100,000 by default) that each wait in
 * receive forever, lets every one of them reach its receive, and divides
 * the growth of the resident set (/proc/self/statm) by COUNT: everything a
 * process costs (its struct, heap, saved stack, table slot, allocator
 * overhead) is in that figure. `bench_idle_memory 1000000` is the check that
 * a million idle processes fit. Usage: bench_idle_memory [COUNT].
 */
#include "tapa.h"

#include <stdlib.h>
#include <unistd.h>

static int64_t count = 100000;

#ifdef __APPLE__
#include <mach/mach.h>
static long rss_bytes(void)
{
    mach_task_basic_info_data_t info;
    mach_msg_type_number_t n = MACH_TASK_BASIC_INFO_COUNT;
    if (task_info(mach_task_self(), MACH_TASK_BASIC_INFO, (task_info_t)&info, &n) != KERN_SUCCESS)
        return -1;
    return (long)info.resident_size;
}
#else
static long rss_bytes(void)
{
    long size = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f) return -1;
    if (fscanf(f, "%ld %ld", &size, &resident) != 2) resident = -1;
    fclose(f);
    return resident * sysconf(_SC_PAGESIZE);
}
#endif

static void idle(tapa_term arg)
{
    (void)arg;
    tapa_match m = {0};
    tapa_receive(&m, TAPA_INFINITY, ":stop");
}

static void bench(tapa_term arg)
{
    (void)arg;
    long before = rss_bytes();
    for (int64_t i = 0; i < count; i++) tapa_spawn(idle, tapa_empty_list());
    tapa_yield(); /* each runs once, up to its receive */
    long after = rss_bytes();
    if (before < 0 || after < 0) {
        fprintf(stderr, "bench_idle_memory: cannot read /proc/self/statm\n");
        tapa_exit(tapa_atom("no_statm"));
    }
    printf("tapa=%.0f unit=B total_rss=%ld processes=%lld\n",
           (double)(after - before) / (double)count, after, (long long)count);
}

int main(int argc, char **argv)
{
    if (argc > 1) count = atoll(argv[1]);
    return tapa_run(bench, tapa_empty_list());
}
