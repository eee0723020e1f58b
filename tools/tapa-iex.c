/* tapa-iex — the tutorial's interactive shell, live on a C node (libtapa).
 *
 *   build/bin/tapa-iex [--name node1@127.0.0.1] [--cookie C] [--no-history]
 *
 * The shell is a libtapa process: self(), its mailbox and flush() are real.
 * See docs/man/tapa-iex.1.md and h() at the prompt. */
#include "iex/iex.h"
#include "sched/process.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

void tiex_supervise(void);

typedef struct options {
    const char *name, *cookie, *history;
    bool no_history;
} options;
static options opts;

static void usage(FILE *out)
{
    fprintf(out,
            "usage: tapa-iex [--name NAME] [--cookie COOKIE] [--no-history]\n"
            "\n"
            "An iex-like shell whose shell is a libtapa process, for exploring the runtime\n"
            "of Tapas in C: send(self(), :hello), flush(), Process.info(self()), spawn, links,\n"
            "trap_exit, monitors, and with --name the distribution (a real Erlang node).\n"
            "  --name NAME      node1@127.0.0.1: make this a node, as iex --name does\n"
            "  --cookie COOKIE  the shared secret (default: ~/.erlang.cookie)\n"
            "  --no-history     do not read or write ~/.tapa_iex_history\n"
            "On a terminal: line editing, history, Tab completion; Ctrl-C stops a running\n"
            "expression (twice at the prompt: leave); Ctrl-D leaves. With stdin a pipe or\n"
            "a file it runs the lines as a script and prints only the results.\n"
            "Type h() at the prompt for what the shell knows.\n");
}

/* Ctrl-C, seen on the loop (a libuv signal watcher, not a raw handler). */
static uv_signal_t sigint_watch;
static uint64_t last_prompt_interrupt;

static void deliver_to_manager(const char *atom)
{
    process *m = proc_lookup(tiex_manager_pid);
    if (m) deliver_message(m, tapa_atom(atom));
}

static void on_sigint(uv_signal_t *h, int sig)
{
    (void)h, (void)sig;
    if (!tiex_input_waiting()) { /* a running expression: stop it */
        printf("\n");
        fflush(stdout);
        deliver_to_manager("tiex_interrupt");
        return;
    }
    uint64_t now = uv_now(sched_loop());
    if (last_prompt_interrupt && now - last_prompt_interrupt < 2000) {
        deliver_to_manager("tiex_quit");
        return;
    }
    last_prompt_interrupt = now;
    printf("\n(Ctrl-C again to leave, Ctrl-D also leaves; Enter gets the prompt back)\n");
    fflush(stdout);
}

static void shell_node(tapa_term arg)
{
    (void)arg;
    if (opts.name && !tapa_node_start(opts.name, opts.cookie, 0)) {
        fprintf(stderr, "tapa-iex: the node %s could not start (see above); is the name taken?\n",
                opts.name);
        tapa_exit(tapa_atom("no_node"));
    }
    tiex_route_remote_output();
    tiex_register_funs();
    tiex_register_tutorial();
    if (tiex_input_interactive()) {
        uv_signal_init(sched_loop(), &sigint_watch);
        uv_signal_start(&sigint_watch, on_sigint, SIGINT);
        printf(
            "Interactive Tapas in C (tapa-iex, libtapa) - press Ctrl+C to exit (type h() ENTER for help)\n");
        fflush(stdout);
    }
    tiex_supervise();
    if (tiex_input_interactive()) uv_close((uv_handle_t *)&sigint_watch, NULL);
    tiex_input_shutdown();
    if (!tiex_input_interactive()) /* let the script's processes print what its last lines made them say */
        for (int i = 0; i < 20; i++) tapa_yield();
    if (opts.name) tapa_node_stop();
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--no-history")) {
            opts.no_history = true;
        } else if (i + 1 < argc && (!strcmp(a, "--name") || !strcmp(a, "--sname"))) {
            opts.name = argv[++i];
        } else if (i + 1 < argc && !strcmp(a, "--cookie")) {
            opts.cookie = argv[++i];
        } else {
            usage(stderr);
            return 2;
        }
    }
    bool tty = isatty(0) && isatty(1);
    char hist[4096];
    const char *home = getenv("HOME");
    const char *path = NULL;
    if (!opts.no_history && home && *home) {
        snprintf(hist, sizeof hist, "%s/.tapa_iex_history", home);
        path = hist;
    }
    tiex_input_init(tty, path);
    setvbuf(stdout, NULL, _IOLBF, 0);
    return tapa_run(shell_node, tapa_empty_list()) == 0 ? 0 : 1;
}
