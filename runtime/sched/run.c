/* run.c — a node's life: start the runtime, run the main process (as the
 * iex shell is a process), stop everything when it ends. */
#include "sched/process.h"
#include "term/pattern.h"
#include "trace/trace.h"

#include <stdlib.h>
#include <uv.h>

bool sched_init(void);
void sched_shutdown(void);
bool sched_loop_until(bool (*done)(void *ctx), void *ctx);
void registry_reset(void);

static tapa_term main_pid;
static int main_status;

/* proc_finalize tells us how the main process ended. */
void run_note_exit(process *p)
{
    if (p->pid == main_pid) main_status = p->exit_reason == A(normal) ? 0 : 1;
}

static bool main_gone(void *ctx)
{
    (void)ctx;
    return proc_lookup(main_pid) == NULL;
}

static void free_process(process *p, void *ctx)
{
    (void)ctx;
    if (p->registered_name) registry_remove(p->registered_name);
    sched_remove(p);
    proc_free(p);
}

static void report_deadlock(void)
{
    fflush(stdout);
    strbuf sb = {0};
    sb_puts(&sb, "tapa: deadlock: every process is waiting in receive and nothing can wake "
                 "any of them. The main process ");
    inspect_into(&sb, main_pid);
    sb_puts(&sb, " was still waiting. Check that each receive has someone who sends to it, "
                 "or give the receive a timeout.\n");
    fwrite(sb.data, 1, sb.len, stderr);
    sb_free(&sb);
}

/* A node that is alive closes its connections before the loop goes. */
static void dist_shutdown(void)
{
    if (tapa_dist && tapa_dist->shutdown) tapa_dist->shutdown();
}

/* tapa_run starts a node; a process is already on one. Running a second
 * scheduler on the process's stack would corrupt both: refuse, and name
 * what to call instead. */
static _Noreturn void run_inside_process(void)
{
    term_badarg("tapa_run: called inside a process, which already runs on a node. "
                "Call tapa_run once, from main(); inside a process use tapa_spawn "
                "(or call the function directly).");
}

int tapa_run(tapa_fn main_fn, tapa_term arg)
{
    if (proc_current()) run_inside_process();
    atoms_init();
    TERM_ARG(arg, "tapa_run", 2);
    if (!sched_init()) return 1; /* it said why; nothing ran */
    trace_init_from_env();
    process *p = proc_spawn(main_fn, arg);
    main_pid = p->pid;
    main_status = 1;
    p->state = PS_WAITING;
    sched_make_runnable(p);
    bool finished = sched_loop_until(main_gone, NULL);
    if (!finished) {
        report_deadlock();
        main_status = 2;
    }
    dist_shutdown();
    proc_each(free_process, NULL);
    proc_table_reset();
    registry_reset();
    sched_shutdown();
    stack_shutdown();
    mailbox_release_pool();
    fflush(stdout);
    return main_status;
}
