/* bench_dist.c — distribution over loopback, C and BEAM side by side.
 *
 *   bench_dist [ROUNDS] [MESSAGES]
 *
 * Starts a second C node (this program with --serve) and, when erl is
 * installed, two erl nodes, then prints, in the runtime's line format:
 *   bench dist_ping_pong   C->C round trip vs erl->erl        (us, lower is better)
 *   bench dist_throughput  C->C one-way sends to a registered process vs erl->erl (msg/s)
 *   bench dist_c_to_beam   C->erl one-way sends vs erl->erl   (msg/s)
 * Without erl, BEAM is the figure noted on the reference machine.
 */
#include "tapa.h"

#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

extern char **environ;

#define COOKIE "benchdist"
static int64_t rounds = 20000, messages = 300000;
static char me[64], peer[64], beam_sink[64], beam_drv[64];

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ------------------------------------------------------ the serving node -- */

static void pong(tapa_term arg)
{
    (void)arg;
    tapa_term p = tapa_atom("pong");
    for (;;) {
        tapa_match m = {0};
        tapa_receive(&m, TAPA_INFINITY, "{from, :ping}");
        tapa_send(tapa_var(&m, "from"), p);
    }
}

/* Counts what arrives; {:count, from} gets {:count, n}. */
static void sink(tapa_term arg)
{
    (void)arg;
    int64_t n = 0;
    for (;;) {
        tapa_match m = {0};
        if (tapa_receive(&m, TAPA_INFINITY, "{:count, from}", "_") == 0) {
            tapa_send(tapa_var(&m, "from"), tapa_tuple(tapa_atom("count"), tapa_int(n)));
            n = 0;
        } else {
            n++;
        }
    }
}

static void serve(tapa_term arg)
{
    (void)arg;
    if (!tapa_node_start(peer, COOKIE, 0)) tapa_exit(tapa_atom("no_node"));
    tapa_register(tapa_spawn(pong, tapa_empty_list()), "pong");
    tapa_register(tapa_spawn(sink, tapa_empty_list()), "sink");
    tapa_match m = {0};
    tapa_receive(&m, 120000, ":never"); /* the parent kills us */
}

/* ------------------------------------------------------------- measuring -- */

static double ping_pong(tapa_term node)
{
    tapa_term dest = tapa_tuple(tapa_atom("pong"), node);
    tapa_term msg = tapa_tuple(tapa_self(), tapa_atom("ping"));
    for (int64_t i = 0; i < rounds / 10; i++) {
        tapa_send(dest, msg);
        tapa_receive_any();
    }
    double t0 = now_s();
    for (int64_t i = 0; i < rounds; i++) {
        tapa_send(dest, msg);
        tapa_receive_any();
    }
    return (now_s() - t0) / (double)rounds * 1e6;
}

static double throughput(tapa_term dest)
{
    tapa_term msg = tapa_tuple(tapa_atom("hello"), tapa_int(42));
    tapa_term sync = tapa_tuple(tapa_atom("count"), tapa_self());
    double t0 = now_s();
    for (int64_t i = 0; i < messages; i++) {
        tapa_send(dest, msg);
        if ((i & 1023) == 0) tapa_yield(); /* let the loop write */
    }
    tapa_send(dest, sync);
    tapa_match m = {0};
    if (tapa_receive(&m, 60000, "{:count, n}") == TAPA_TIMEOUT) return 0;
    double dt = now_s() - t0;
    return (double)tapa_int_value(tapa_var(&m, "n")) / dt;
}

static pid_t start(char *const argv[])
{
    pid_t pid;
    if (posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ) != 0) return -1;
    return pid;
}

/* The erl side, compiled (not -eval'd, which interprets): `serve` runs
 * `pong` and `sink`; `drive` measures erl->erl and prints "pp=<us> tp=<msg/s>". */
static const char *beam_module =
    "-module(tapa_bench_dist).\n"
    "-export([serve/0, drive/1]).\n"
    "serve() ->\n"
    "    register(pong, spawn(fun pong/0)), register(sink, spawn(fun() -> sink(0) end)),\n"
    "    receive never -> ok end.\n"
    "pong() -> receive {F, ping} -> F ! pong, pong() end.\n"
    "sink(N) -> receive {count, F} -> F ! {count, N}, sink(0); _ -> sink(N + 1) end.\n"
    "pp(_, 0) -> ok;\n"
    "pp(N, K) -> {pong, N} ! {self(), ping}, receive pong -> pp(N, K - 1) end.\n"
    "send(_, 0) -> ok;\n"
    "send(N, K) -> {sink, N} ! {hello, 42}, send(N, K - 1).\n"
    "drive([Node, Rs, Ms]) ->\n"
    "    N = list_to_atom(Node), R = list_to_integer(Rs), M = list_to_integer(Ms),\n"
    "    pong = net_adm:ping(N), pp(N, R div 10),\n"
    "    T0 = erlang:monotonic_time(microsecond), pp(N, R),\n"
    "    T1 = erlang:monotonic_time(microsecond), send(N, M), {sink, N} ! {count, self()},\n"
    "    receive {count, C} -> ok end, T2 = erlang:monotonic_time(microsecond),\n"
    "    io:format(\"pp=~f tp=~f~n\", [(T1 - T0) / R, C / ((T2 - T1) / 1.0e6)]), halt().\n";

static char ebin[64];

/* Write and compile the module; false without erlc. */
static bool build_beam_module(void)
{
    snprintf(ebin, sizeof ebin, "/tmp/tapa-bench-dist-%d", (int)getpid());
    char path[128], cmd[512];
    snprintf(path, sizeof path, "%s/tapa_bench_dist.erl", ebin);
    snprintf(cmd, sizeof cmd, "mkdir -p %s", ebin);
    if (system(cmd) != 0) return false;
    FILE *f = fopen(path, "w");
    if (!f) return false;
    fputs(beam_module, f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "erlc -o %s %s >/dev/null 2>&1", ebin, path);
    return system(cmd) == 0;
}

static void remove_beam_module(void)
{
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf %s", ebin);
    if (ebin[0] && system(cmd) != 0) fprintf(stderr, "bench_dist: could not remove %s\n", ebin);
}

static bool run_beam(double *pp, double *tp)
{
    char rs[32], ms[32];
    snprintf(rs, sizeof rs, "%lld", (long long)rounds);
    snprintf(ms, sizeof ms, "%lld", (long long)messages);
    char *argv[] = {"erl",    "-noshell",   "-pa",  ebin,   "-name",
                    beam_drv, "-setcookie", COOKIE, "-run", "tapa_bench_dist",
                    "drive",  beam_sink,    rs,     ms,     NULL};
    int fd[2];
    if (pipe(fd) != 0) return false;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fd[1], 1);
    pid_t pid;
    bool ok = posix_spawnp(&pid, "erl", &fa, NULL, argv, environ) == 0;
    posix_spawn_file_actions_destroy(&fa);
    close(fd[1]);
    char out[256] = {0};
    size_t len = 0;
    ssize_t n;
    while (ok && len < sizeof out - 1 && (n = read(fd[0], out + len, sizeof out - 1 - len)) > 0)
        len += (size_t)n;
    close(fd[0]);
    if (ok) waitpid(pid, NULL, 0);
    return ok && sscanf(out, "pp=%lf tp=%lf", pp, tp) == 2;
}

static void line(const char *name, double tapa, double beam, bool beam_measured, const char *unit,
                 bool higher)
{
    double better = higher ? tapa / beam : beam / tapa;
    printf("bench %s tapa=%.1f beam=%.1f unit=%s better=%.2f%s\n", name, tapa, beam, unit, better,
           beam_measured ? "" : " (vs noted BEAM)");
}

static void bench(tapa_term arg)
{
    (void)arg;
    if (!tapa_node_start(me, COOKIE, 0)) tapa_exit(tapa_atom("no_node"));
    tapa_term node = tapa_atom(peer);
    for (int i = 0; i < 50 && tapa_ping(node) != tapa_atom("pong"); i++) tapa_sleep(100);
    double c_pp = ping_pong(node);
    double c_tp = throughput(tapa_tuple(tapa_atom("sink"), node));
    double b_pp = 77, b_tp = 264000, c2b = 0;
    bool have_beam = false;
    tapa_term bnode = tapa_atom(beam_sink);
    bool sink_up = false;
    for (int i = 0; i < 50 && ebin[0] && !(sink_up = tapa_ping(bnode) == tapa_atom("pong")); i++)
        tapa_sleep(100);
    if (sink_up) {
        c2b = throughput(tapa_tuple(tapa_atom("sink"), bnode));
        have_beam = run_beam(&b_pp, &b_tp);
    }
    line("dist_ping_pong", c_pp, b_pp, have_beam, "us", false);
    line("dist_throughput", c_tp, b_tp, have_beam, "msg/s", true);
    if (sink_up) line("dist_c_to_beam", c2b, b_tp, have_beam, "msg/s", true);
    else
        printf(
            "bench dist_c_to_beam tapa=NA beam=NA unit=msg/s better=NA (erl is not installed)\n");
    fflush(stdout);
}

int main(int argc, char **argv)
{
    int id = (int)getpid();
    snprintf(me, sizeof me, "bench%d@127.0.0.1", id);
    if (argc == 3 && strcmp(argv[1], "--serve") == 0) {
        snprintf(peer, sizeof peer, "%s", argv[2]);
        return tapa_run(serve, tapa_empty_list());
    }
    if (argc > 1) rounds = atoll(argv[1]);
    if (argc > 2) messages = atoll(argv[2]);
    snprintf(peer, sizeof peer, "benchsrv%d@127.0.0.1", id);
    snprintf(beam_sink, sizeof beam_sink, "benchbeam%d@127.0.0.1", id);
    snprintf(beam_drv, sizeof beam_drv, "benchdrv%d@127.0.0.1", id);
    char self[4096];
    size_t n = sizeof self;
    if (uv_exepath(self, &n) != 0) return 1; /* /proc/self/exe is Linux's alone */
    pid_t server = start((char *[]){self, "--serve", peer, NULL});
    pid_t erl = -1;
    if (build_beam_module())
        erl = start((char *[]){"erl", "-noshell", "-pa", ebin, "-name", beam_sink, "-setcookie",
                               COOKIE, "-run", "tapa_bench_dist", "serve", NULL});
    int rc = tapa_run(bench, tapa_empty_list());
    if (server > 0) kill(server, SIGKILL), waitpid(server, NULL, 0);
    if (erl > 0) kill(erl, SIGKILL), waitpid(erl, NULL, 0);
    remove_beam_module();
    return rc;
}
