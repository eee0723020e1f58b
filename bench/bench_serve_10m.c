/* bench_serve_10m.c — does a serving process keep flat memory?
 *
 * A server takes {:req, i} messages forever. A client sends 10,000,000 of
 * them in batches of 1,000, each batch followed by {:sync, from} which the
 * server answers with :ack, so the mailbox never holds more than a batch.
 * The resident set is sampled after the first 100,000 messages (the
 * baseline: pools and heaps have reached their working size) and after
 * every further 1,000,000; prints the largest growth over the baseline in
 * bytes. Usage: bench_serve_10m [MESSAGES].
 */
#include "tapa.h"

#include <stdlib.h>
#include <unistd.h>

static int64_t messages = 10000000;
#define BATCH 1000
#define WARMUP 100000

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

static void server(tapa_term arg)
{
    (void)arg;
    tapa_term ack = tapa_atom("ack");
    for (;;) {
        tapa_match m = {0};
        switch (tapa_receive(&m, TAPA_INFINITY, "{:req, n}", "{:sync, from}")) {
        case 0:
            break; /* served: nothing to do */
        case 1:
            tapa_send(tapa_var(&m, "from"), ack);
            break;
        }
    }
}

static void bench(tapa_term arg)
{
    (void)arg;
    tapa_term s = tapa_spawn(server, tapa_empty_list());
    tapa_term sync = tapa_tuple(tapa_atom("sync"), tapa_self());
    tapa_term req = tapa_atom("req");
    long baseline = -1, peak = 0;
    for (int64_t sent = 0; sent < messages;) {
        for (int i = 0; i < BATCH; i++, sent++) tapa_send(s, tapa_tuple(req, tapa_int(sent)));
        tapa_send(s, sync);
        tapa_match m = {0};
        tapa_receive(&m, TAPA_INFINITY, ":ack");
        if (sent == WARMUP) baseline = peak = rss_bytes();
        else if (sent > WARMUP && sent % 1000000 == 0) {
            long now = rss_bytes();
            if (now > peak) peak = now;
        }
    }
    long end = rss_bytes();
    if (end > peak) peak = end;
    if (baseline < 0) baseline = peak;
    printf("tapa=%ld unit=B baseline_rss=%ld end_rss=%ld\n", peak - baseline, baseline, end);
}

int main(int argc, char **argv)
{
    if (argc > 1) messages = atoll(argv[1]);
    return tapa_run(bench, tapa_empty_list());
}
