/* dist_noblock.c — nothing a node does for distribution blocks the
 * scheduler (run by interop.sh with slow_dns.so preloaded).
 *
 *   dist_noblock NAME COOKIE [epmd]
 *
 * With `epmd` (run in a network namespace of its own, where no port
 * mapper runs, and TAPA_EPMD naming one that takes a second to start):
 * the ticker runs while tapa_node_start waits for the mapper it started.
 * A ticker process wakes every 10 ms while another pings a node whose host
 * takes 1.5 s to look up: the ping says pang, and the ticker never waits
 * much longer than its 10 ms (a lookup on the scheduler thread stopped
 * every process for the whole 1.5 s).
 */
#include "tapa.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <time.h>

static const char *name, *cookie;
static bool epmd_mode;
static int failures;
static volatile double max_gap;
static volatile int stop_ticker;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void ticker(tapa_term arg)
{
    (void)arg;
    double last = now_ms();
    while (!stop_ticker) {
        tapa_sleep(10);
        double t = now_ms();
        if (t - last > max_gap) max_gap = t - last;
        last = t;
    }
}

static void report(bool ok, const char *what)
{
    printf("%s %s\n", ok ? "ok" : "FAIL", what);
    failures += !ok;
}

/* The mapper started in the test's namespace must not outlive it: KILL
 * (it says OK once no name is registered). */
static void kill_mapper(void)
{
    for (int tries = 0; tries < 50; tries++) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(4369)};
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        char reply[3] = {0};
        if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) == 0) {
            const unsigned char req[] = {0, 1, 107};
            if (write(fd, req, 3) == 3 && read(fd, reply, 2) == 2 && !strcmp(reply, "OK")) {
                close(fd);
                return;
            }
        }
        if (fd >= 0) close(fd);
        tapa_sleep(20); /* the node's registration may still be closing */
    }
    report(false, "the port mapper started for the test did not stop on KILL");
}

static void epmd_start(void)
{
    tapa_spawn(ticker, tapa_empty_list());
    tapa_sleep(50);
    max_gap = 0;
    double t0 = now_ms();
    bool up = tapa_node_start(name, cookie, 0);
    double took = now_ms() - t0;
    stop_ticker = 1;
    tapa_sleep(30);
    char what[200];
    snprintf(what, sizeof what, "the node started its own port mapper (slow to start) in %.0f ms",
             took);
    report(up, what);
    snprintf(what, sizeof what, "meanwhile the other processes ran: the longest pause was %.0f ms",
             max_gap);
    report(max_gap < 300, what);
    if (up) tapa_node_stop();
    kill_mapper();
}

static void main_proc(tapa_term arg)
{
    (void)arg;
    if (epmd_mode) {
        epmd_start();
        return;
    }
    if (!tapa_node_start(name, cookie, 0)) {
        printf("FAIL node start\n");
        failures++;
        return;
    }
    tapa_spawn(ticker, tapa_empty_list());
    tapa_sleep(50);
    max_gap = 0;
    double t0 = now_ms();
    tapa_term r = tapa_ping(tapa_atom("x@slowhost.example"));
    double took = now_ms() - t0;
    stop_ticker = 1;
    tapa_sleep(30);
    char what[200];
    snprintf(what, sizeof what,
             "ping of a node whose host takes 1.5 s to look up: %s after %.0f ms",
             tapa_atom_name(r), took);
    bool ok = r == tapa_atom("pang");
    printf("%s %s\n", ok ? "ok" : "FAIL", what);
    failures += !ok;
    snprintf(what, sizeof what, "meanwhile the other processes ran: the longest pause was %.0f ms",
             max_gap);
    ok = max_gap < 500;
    printf("%s %s\n", ok ? "ok" : "FAIL", what);
    failures += !ok;
    tapa_node_stop();
}

int main(int argc, char **argv)
{
    if (argc != 3 && argc != 4) {
        fprintf(stderr, "usage: dist_noblock NAME COOKIE [epmd]\n");
        return 2;
    }
    name = argv[1], cookie = argv[2];
    epmd_mode = argc == 4;
    int rc = tapa_run(main_proc, tapa_empty_list());
    printf("noblock done: %d failure(s)\n", failures);
    return rc || failures ? 1 : 0;
}
