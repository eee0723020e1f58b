/* process.h — what a process is, inside the runtime (not public).
 *
 * The runtime is single-threaded: one scheduler runs processes one at a
 * time on a libuv loop, so nothing here needs locks. A process that is
 * not running is either in the run queue, waiting (in receive or sleep,
 * perhaps with a timer) or gone.
 */
#ifndef TAPA_PROCESS_H
#define TAPA_PROCESS_H

#include "term/term.h"

typedef enum proc_state {
    PS_RUNNABLE, /* in the run queue */
    PS_RUNNING,
    PS_WAITING, /* in receive or sleep */
    PS_EXITING, /* finished; the scheduler finalises it */
} proc_state;

typedef struct msg {
    struct msg *next;
    tapa_term term; /* lives on the receiver's heap */
} msg;

typedef struct mailbox {
    msg *head;
    msg **tail; /* &last->next, or &head */
    uint32_t len;
    /* Selective receive's save point: where the receive in progress, or the
     * last failed receive with the same pin-free patterns, stopped. */
    msg **resume;
    uint64_t resume_key; /* which patterns `resume` is valid for; 0: none */
} mailbox;

/* A monitor held by a process: either as the watcher (origin) or as the
 * watched (target). The same ref identifies both halves. */
typedef struct monitor {
    uint32_t ref[5]; /* reference words: 3 when made here, up to 5 from another node */
    uint8_t ref_len; /* words used in ref; 0 means 3 */
    uint32_t ref_node; /* node index of the ref (0 when made here) */
    bool origin; /* true: I watch `other`; false: `other` watches me */
    tapa_term other; /* pid */
    tapa_term name; /* monitored by name: the atom; else 0 */
} monitor;

typedef struct process {
    tapa_term pid;
    uint8_t state;
    bool trap_exit;
    bool crashed; /* ended by an error (raise, badarg): logged */
    bool timed_out; /* the receive/sleep timer fired */
    bool in_timer_heap;
    bool
        exit_pending; /* an exit signal killed it: dies as it resumes, or at its next runtime call if running */
    struct process *rq_next, *rq_prev;

    void *sp; /* saved stack pointer while switched out */
    uint8_t *saved_stack; /* copy-stack: the bytes of the stack in use */
    uint32_t saved_len, saved_cap;
#ifdef TAPA_DEDICATED_STACKS
    void *stack_base;
    void *asan_fake_stack;
    uint8_t *hidden; /* stack_hide.c: the bytes (or valgrind's bits) set aside */
    size_t hidden_cap;
    bool stack_hidden;
#endif

    tapa_fn fn;
    tapa_term arg;
    tapa_term exit_reason;
    tapa_term registered_name; /* atom or 0 */
    char *crash_message; /* what the logger prints for a crash */
    void *stack_hi; /* highest address of the process's stack: the GC scans up to it */

    mailbox mbox;
    tapa_heap heap;

    tapa_term *links;
    uint32_t nlinks, links_cap;
    monitor *monitors;
    uint32_t nmonitors, monitors_cap;

    /* where its output goes: a pid on another node (dist/io_protocol.c),
     * inherited at spawn; 0: this node's stdout */
    tapa_term group_leader;
    uint64_t deadline; /* ms on the loop clock, while in_timer_heap */
    uint32_t timer_index;
} process;

/* ---- process table (process.c) */
process *proc_lookup(tapa_term pid); /* live local process, or NULL */
process *proc_current(void);
process *proc_self_or_fail(const char *what); /* exits with a clear message outside one */
process *proc_spawn(tapa_fn fn, tapa_term arg);
void proc_free(process *p);
/* Visit every live process (shutdown, registered(), ...). */
void proc_each(void (*visit)(process *p, void *ctx), void *ctx);

/* ---- mailbox (mailbox.c) */
void mailbox_init(mailbox *mb);
void mailbox_push(mailbox *mb, tapa_term term);
void mailbox_unlink(mailbox *mb, msg **at); /* removes *at */
void mailbox_clear(mailbox *mb);
/* Messages were removed other than by the receive the save point is for. */
void mailbox_forget_save_point(mailbox *mb);
void mailbox_mark(process *p); /* marks message terms for the collector */
void msg_free(msg *m);
void mailbox_release_pool(void); /* at shutdown */

/* ---- delivery and signals (signal.c) */
/* Deliver msg (on any heap) to local process p: copied to p's heap. */
void deliver_message(process *p, tapa_term msg);
/* An exit signal from `from` to local process `to`. link: it comes from a
 * link breaking (so :kill is an ordinary reason there). */
void deliver_exit_signal(tapa_term from, process *to, tapa_term reason, bool via_link);
void link_add(process *p, tapa_term other);
bool link_remove(process *p, tapa_term other);
void monitor_add(process *p, const monitor *m);
bool monitor_remove(process *p, const uint32_t *ref, uint32_t ref_len, uint32_t ref_node,
                    monitor *out);
bool monitor_remove_origin(process *p, const uint32_t *ref, uint32_t ref_len, uint32_t ref_node,
                           monitor *out);
uint32_t monitor_ref_len(const monitor *m);
void monitor_drop(process *p, uint32_t i); /* keeps the others' order */
tapa_term monitor_ref_term(const monitor *m);
tapa_term down_message(tapa_term ref, tapa_term who, tapa_term reason);

/* ---- scheduler (scheduler.c) */
void sched_make_runnable(process *p);
void sched_remove(process *p); /* from run queue and timer heap */
/* Switch from the running process back to the scheduler until a message
 * or signal comes, or the deadline (from sched_deadline_in) passes. */
#define SCHED_NO_DEADLINE UINT64_MAX
void sched_wait(process *p, uint64_t deadline);
void sched_requeue(process *p);
_Noreturn void sched_exit_current(tapa_term reason);
bool sched_running(void);
void proc_check_pending(process *p);
void proc_finalize(process *p);
void log_crash(process *p);
bool proc_heap_over_limit(process *p); /* true: past the limit, logged on exit */
void proc_table_reset(void);
void run_note_exit(process *p);
uint64_t sched_now_ms(void); /* the clock now (not the loop's cached time), ms */
uint64_t sched_deadline_in(int64_t ms); /* now + ms, never early */
struct uv_loop_s *sched_loop(void);

/* ---- registry (registry.c) */
tapa_term registry_whereis(tapa_term name); /* pid or 0 */
bool registry_add(tapa_term name, tapa_term pid);
bool registry_remove(tapa_term name);
tapa_term registry_names(void);

/* ---- stacks (stack.c) */
void stack_prepare(process *p); /* before switching into p */
void stack_release(process *p); /* p is gone */
void stack_switch_to(process *p); /* scheduler -> p, returns when p yields */
void stack_switch_out(process *p, bool exiting); /* p -> scheduler */
void stack_shutdown(void);
void stack_entered(void); /* first thing a new process does */
void stack_mark_roots(process *p); /* the collector: p's registers and stack as roots */
/* Debug builds (stack_hide.c): the stack of a switched-out process is out
 * of reach of every other process. No-ops with copy stacks. */
#ifdef TAPA_DEDICATED_STACKS
void stack_hide(process *p); /* p has just switched out */
void stack_unhide(process *p); /* p is about to resume */
void stack_hide_release(process *p); /* p's stack is about to be freed */
#else
static inline void stack_hide(process *p)
{
    (void)p;
}
static inline void stack_unhide(process *p)
{
    (void)p;
}
static inline void stack_hide_release(process *p)
{
    (void)p;
}
#endif

/* ---- distribution hooks: set when a node is alive (dist/), else NULL */
typedef struct dist_hooks {
    void (*send)(tapa_term from, tapa_term to_pid, tapa_term msg);
    void (*reg_send)(tapa_term from, tapa_term name, tapa_term node, tapa_term msg);
    void (*link)(tapa_term from, tapa_term to);
    void (*unlink)(tapa_term from, tapa_term to);
    void (*exit)(tapa_term from, tapa_term to, tapa_term reason, bool via_link);
    void (*monitor)(tapa_term from, tapa_term to, const monitor *m);
    void (*demonitor)(tapa_term from, tapa_term to, const monitor *m);
    void (*down)(tapa_term from, tapa_term watcher, const monitor *m, tapa_term reason);
    bool (*is_alive)(tapa_term pid);
    void (*shutdown)(void); /* tapa_run is ending: close the node's connections */
} dist_hooks;
extern const dist_hooks *tapa_dist;

#endif
