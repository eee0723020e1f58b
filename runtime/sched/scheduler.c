/* scheduler.c — runs processes one at a time on a libuv loop.
 *
 * Cooperative: a process runs until it receives with nothing to take,
 * sleeps, yields or exits. Between processes the loop is polled for I/O
 * (distribution) and timers (`after` and sleep) are fired from a min-heap
 * of deadlines behind a single uv_timer.
 */
#include "sched/process.h"
#include "trace/trace.h"

#include <stdlib.h>
#include <uv.h>

#define RUNS_BETWEEN_POLLS 256

static uv_loop_t loop;
static uv_timer_t wake_timer;
static bool loop_ready;
static process *running;
static process *rq_head, *rq_tail;
static process **timers; /* min-heap by deadline */
static uint32_t ntimers, timers_cap;
static bool reaped; /* a process ended since run_ready last asked `done` */

const dist_hooks *tapa_dist;

process *proc_current(void)
{
    return running;
}
bool sched_running(void)
{
    return loop_ready;
}
uv_loop_t *sched_loop(void)
{
    return &loop;
}
/* "Now" for a timeout is read from the clock at the call, not from the
 * loop's cached time, which is as old as the last poll: a process that
 * computed for 15 ms would otherwise have its `after 100` end at 85 ms.
 * Deadlines round the start up to the next ms, and the timer heap fires
 * on the loop's time, which never runs ahead of this clock: a timeout
 * never ends early. */
uint64_t sched_now_ms(void)
{
    return uv_hrtime() / 1000000;
}
uint64_t sched_deadline_in(int64_t ms)
{
    return (uv_hrtime() + 999999) / 1000000 + (uint64_t)ms;
}

/* ------------------------------------------------------------ run queue -- */

static void rq_push(process *p)
{
    p->rq_next = NULL;
    p->rq_prev = rq_tail;
    if (rq_tail) rq_tail->rq_next = p;
    else rq_head = p;
    rq_tail = p;
}

static void rq_unlink(process *p)
{
    if (p->rq_prev) p->rq_prev->rq_next = p->rq_next;
    else rq_head = p->rq_next;
    if (p->rq_next) p->rq_next->rq_prev = p->rq_prev;
    else rq_tail = p->rq_prev;
    p->rq_next = p->rq_prev = NULL;
}

static process *rq_pop(void)
{
    process *p = rq_head;
    if (p) rq_unlink(p);
    return p;
}

/* ---------------------------------------------------------- timer heap -- */

static void timer_swap(uint32_t i, uint32_t j)
{
    process *t = timers[i];
    timers[i] = timers[j];
    timers[j] = t;
    timers[i]->timer_index = i;
    timers[j]->timer_index = j;
}

static void timer_sift_up(uint32_t i)
{
    while (i > 0) {
        uint32_t parent = (i - 1) / 2;
        if (timers[parent]->deadline <= timers[i]->deadline) break;
        timer_swap(i, parent);
        i = parent;
    }
}

static void timer_sift_down(uint32_t i)
{
    for (;;) {
        uint32_t l = 2 * i + 1, r = l + 1, min = i;
        if (l < ntimers && timers[l]->deadline < timers[min]->deadline) min = l;
        if (r < ntimers && timers[r]->deadline < timers[min]->deadline) min = r;
        if (min == i) return;
        timer_swap(i, min);
        i = min;
    }
}

static void timer_add(process *p, uint64_t deadline)
{
    if (ntimers == timers_cap) {
        timers_cap = timers_cap ? timers_cap * 2 : 64;
        timers = realloc(timers, timers_cap * sizeof *timers);
        if (!timers) abort();
    }
    p->deadline = deadline;
    p->in_timer_heap = true;
    p->timer_index = ntimers;
    timers[ntimers++] = p;
    timer_sift_up(p->timer_index);
}

static void timer_remove(process *p)
{
    if (!p->in_timer_heap) return;
    uint32_t i = p->timer_index;
    p->in_timer_heap = false;
    if (i != --ntimers) {
        timers[i] = timers[ntimers];
        timers[i]->timer_index = i;
        timer_sift_down(i);
        timer_sift_up(i);
    }
}

static void fire_timers(void)
{
    uint64_t now = uv_now(&loop);
    while (ntimers && timers[0]->deadline <= now) {
        process *p = timers[0];
        timer_remove(p);
        p->timed_out = true;
        sched_make_runnable(p);
    }
}

/* ------------------------------------------------------------ switching -- */

void sched_make_runnable(process *p)
{
    if (p->state != PS_WAITING) return;
    timer_remove(p);
    p->state = PS_RUNNABLE;
    rq_push(p);
}

void sched_remove(process *p)
{
    if (p->state == PS_RUNNABLE) rq_unlink(p);
    timer_remove(p);
}

static void run(process *p)
{
    running = p;
    p->state = PS_RUNNING;
    tapa_current_heap = &p->heap;
    stack_prepare(p);
    stack_unhide(p);
    stack_switch_to(p);
    if (p->state != PS_EXITING) stack_hide(p);
    tapa_current_heap = heap_global();
    running = NULL;
}

/* Waits for a message or signal, or until `deadline` (sched_deadline_in;
 * SCHED_NO_DEADLINE: none). p->timed_out says which woke it. */
void sched_wait(process *p, uint64_t deadline)
{
    /* A process killed while it ran must not go to sleep instead of dying:
     * while it waits, exit signals and messages to it are dropped, so
     * tapa_sleep(TAPA_INFINITY) would keep a dead process forever. */
    proc_check_pending(p);
    p->timed_out = false;
    p->state = PS_WAITING;
    if (deadline != SCHED_NO_DEADLINE) timer_add(p, deadline);
    stack_switch_out(p, false);
    /* An exit signal woke it: it acts on it now, as a BEAM process does
     * when it next handles signals (checked here, not in the run loop, so
     * that the loop costs nothing more per message). */
    proc_check_pending(p);
}

void sched_requeue(process *p)
{
    p->state = PS_RUNNABLE;
    rq_push(p);
    stack_switch_out(p, false);
    proc_check_pending(p); /* as in sched_wait */
}

/* ------------------------------------------------------------- endings -- */

/* A process that ended (or acted on an exit signal) is finalised here, on
 * the scheduler's stack: its links and monitors signal others, who act on
 * those signals when they next run, so a chain of links ends one process
 * per turn of the queue, never by recursion. */
static void reap(process *p)
{
    proc_finalize(p);
    reaped = true;
}

_Noreturn void sched_exit_current(tapa_term reason)
{
    process *p = running;
    p->exit_reason = reason;
    p->state = PS_EXITING;
    stack_switch_out(p, true);
    abort(); /* an exiting process is never resumed */
}

/* --------------------------------------------------------------- loop -- */

static void on_wake(uv_timer_t *t)
{
    (void)t;
}

static void arm_wake_timer(void)
{
    if (!ntimers) {
        uv_timer_stop(&wake_timer);
        return;
    }
    uint64_t now = uv_now(&loop);
    uint64_t due = timers[0]->deadline;
    uv_timer_start(&wake_timer, on_wake, due > now ? due - now : 0, 0);
}

/* Runs the queue until it is empty. Once `done` (the main process ended),
 * what is runnable still runs, so spawned processes finish printing as
 * after an iex command, but for at most RUNS_AFTER_DONE runs: processes
 * that keep each other runnable for ever (ping-pong, a yield loop) must not
 * keep tapa_run from returning. `done` is asked only after a process ended. */
#define RUNS_AFTER_DONE 100000
static void run_ready(bool (*done)(void *ctx), void *ctx)
{
    int runs = 0;
    uint32_t left = 0; /* runs allowed after done; 0: main still running */
    process *p;
    while ((p = rq_pop())) {
        run(p);
        if (p->state == PS_EXITING) reap(p);
        if (++runs == RUNS_BETWEEN_POLLS) {
            uv_run(&loop, UV_RUN_NOWAIT);
            uv_update_time(&loop);
            fire_timers();
            runs = 0;
        }
        if (left && --left == 0) return;
        if (reaped && !left) {
            reaped = false;
            if (done(ctx)) left = RUNS_AFTER_DONE;
        }
    }
}

/* False, having said why on stderr, when the event loop cannot start
 * (libuv needs a few file descriptors: epoll's, an eventfd). */
bool sched_init(void)
{
    if (loop_ready) return true;
    int rc = uv_loop_init(&loop);
    if (rc != 0) {
        fflush(stdout);
        fprintf(
            stderr, "tapa: cannot start the runtime's event loop: %s (uv_loop_init). %s\n",
            uv_strerror(rc),
            rc == UV_EMFILE || rc == UV_ENFILE
                ? "The program has too many files open: close the ones it no longer needs, or raise "
                  "the limit (ulimit -n), then run it again."
                : "Nothing was run; run it again, and if it keeps failing check the machine's memory "
                  "and open files.");
        return false;
    }
    uv_timer_init(&loop, &wake_timer);
    uv_unref((uv_handle_t *)&wake_timer); /* a timer alone keeps nothing alive */
    loop_ready = true;
    return true;
}

/* With a node up, poll for I/O a little before sleeping in epoll: a reply
 * that comes within microseconds is taken without the wake-up latency
 * (C-to-C round trip 57 -> 25 us). BEAM's schedulers busy-wait likewise;
 * the cost is at most 20 us of CPU each time the node goes idle. */
#define SPIN_NS 20000
static bool spin_for_io(void)
{
    if (!tapa_dist) return false;
    uint64_t until = uv_hrtime() + SPIN_NS;
    do {
        uv_run(&loop, UV_RUN_NOWAIT);
        if (rq_head) return true;
    } while (uv_hrtime() < until);
    return false;
}

/* Runs until `done(ctx)` says so. Returns false on a deadlock: nothing is
 * runnable, no timer is pending and no I/O can ever wake anyone. */
bool sched_loop_until(bool (*done)(void *ctx), void *ctx)
{
    while (!done(ctx)) {
        run_ready(done, ctx);
        if (done(ctx)) break;
        uv_update_time(&loop);
        fire_timers();
        if (rq_head) continue;
        if (!ntimers && !uv_loop_alive(&loop)) return false;
        if (spin_for_io()) continue;
        arm_wake_timer();
        if (ntimers) uv_ref((uv_handle_t *)&wake_timer);
        uv_run(&loop, UV_RUN_ONCE);
        uv_unref((uv_handle_t *)&wake_timer);
        uv_update_time(&loop);
        fire_timers();
    }
    return true;
}

static void close_handle(uv_handle_t *h, void *arg)
{
    (void)arg;
    if (!uv_is_closing(h)) uv_close(h, NULL);
}

void sched_shutdown(void)
{
    if (!loop_ready) return;
    free(timers);
    timers = NULL;
    ntimers = timers_cap = 0;
    rq_head = rq_tail = NULL;
    uv_walk(&loop, close_handle, NULL);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
    loop_ready = false;
}
