/* signal.c — messages, exit signals, links and monitors between processes.
 *
 * Messages, and exit signals a trapping process turns into messages, are
 * queued at once, in the order they are sent. An exit signal that kills
 * is asynchronous as on BEAM: it is recorded on the target, which dies when
 * it next handles signals (kill_process). Either way the order between any
 * two processes holds for messages and signals alike (BEAM promises exactly
 * that): nothing sent after the killing signal reaches the target.
 */
#include "sched/process.h"
#include "trace/trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ messages -- */

static void kill_process(process *to, tapa_term reason);

void deliver_message(process *p, tapa_term m)
{
    if (p->state == PS_EXITING || p->exit_pending) return;
    mailbox_push(&p->mbox, heap_copy(&p->heap, m));
    if (proc_heap_over_limit(p)) {
        kill_process(p, A(killed));
        return;
    }
    sched_make_runnable(p);
}

/* ---------------------------------------------------------------- links -- */

void link_add(process *p, tapa_term other)
{
    for (uint32_t i = 0; i < p->nlinks; i++)
        if (p->links[i] == other) return;
    if (p->nlinks == p->links_cap) {
        p->links_cap = p->links_cap ? p->links_cap * 2 : 4;
        p->links = realloc(p->links, p->links_cap * sizeof *p->links);
        if (!p->links) abort();
    }
    p->links[p->nlinks++] = other;
}

bool link_remove(process *p, tapa_term other)
{
    for (uint32_t i = 0; i < p->nlinks; i++) {
        if (p->links[i] != other) continue;
        p->links[i] = p->links[--p->nlinks];
        return true;
    }
    return false;
}

/* ------------------------------------------------------------- monitors -- */

void monitor_add(process *p, const monitor *m)
{
    if (p->nmonitors == p->monitors_cap) {
        p->monitors_cap = p->monitors_cap ? p->monitors_cap * 2 : 4;
        p->monitors = realloc(p->monitors, p->monitors_cap * sizeof *p->monitors);
        if (!p->monitors) abort();
    }
    p->monitors[p->nmonitors++] = *m;
}

uint32_t monitor_ref_len(const monitor *m)
{
    return m->ref_len ? m->ref_len : 3;
}

/* Removes monitors[i], keeping the others in the order they were made:
 * DOWN messages go out in that order, as on BEAM. */
void monitor_drop(process *p, uint32_t i)
{
    memmove(&p->monitors[i], &p->monitors[i + 1], (p->nmonitors - i - 1) * sizeof *p->monitors);
    p->nmonitors--;
}

bool monitor_remove(process *p, const uint32_t *ref, uint32_t ref_len, uint32_t ref_node,
                    monitor *out)
{
    for (uint32_t i = 0; i < p->nmonitors; i++) {
        monitor *m = &p->monitors[i];
        if (m->ref_node != ref_node || monitor_ref_len(m) != ref_len ||
            memcmp(m->ref, ref, ref_len * sizeof *ref) != 0)
            continue;
        if (out) *out = *m;
        monitor_drop(p, i);
        return true;
    }
    return false;
}

/* The same, for the monitor p made (origin) with that ref: demonitor must
 * not find the watched half, which has the same ref. */
bool monitor_remove_origin(process *p, const uint32_t *ref, uint32_t ref_len, uint32_t ref_node,
                           monitor *out)
{
    for (uint32_t i = 0; i < p->nmonitors; i++) {
        monitor *m = &p->monitors[i];
        if (!m->origin || m->ref_node != ref_node || monitor_ref_len(m) != ref_len ||
            memcmp(m->ref, ref, ref_len * sizeof *ref) != 0)
            continue;
        if (out) *out = *m;
        monitor_drop(p, i);
        return true;
    }
    return false;
}

tapa_term monitor_ref_term(const monitor *m)
{
    return term_ref_make(m->ref_node, m->ref, monitor_ref_len(m));
}

tapa_term down_message(tapa_term ref, tapa_term who, tapa_term reason)
{
    return tapa_tuple(A(DOWN), ref, A(process), who, reason);
}

/* --------------------------------------------------------- exit signals -- */

/* Exit signals are asynchronous, as on BEAM: the target is marked and acts
 * on the signal the next time it handles signals (a waiting target is woken
 * and dies as it resumes, in sched_wait; the running one, at its next
 * runtime call).
 * The sender goes on: a process that kills a linked process is not killed
 * by the echo before it next yields. Messages sent to a marked process are
 * dropped (deliver_message), as they would be after its death, so the order
 * between any two processes holds. The first killing signal wins. */
static void kill_process(process *to, tapa_term reason)
{
    if (to->exit_pending) return;
    to->exit_reason = heap_copy(&to->heap, reason);
    to->exit_pending = true;
    sched_make_runnable(to); /* a waiting target wakes up to die */
}

/* Erlang's table: :kill sent with exit/2 kills even a trapping process
 * (reason :killed); otherwise a trapping process gets {:EXIT, from, reason}
 * as a message; a non-trapping one ignores :normal (unless it sent it to
 * itself) and dies with any other reason. */
void deliver_exit_signal(tapa_term from, process *to, tapa_term reason, bool via_link)
{
    if (to->state == PS_EXITING) return;
    TRACE(TR_EXIT_SIGNAL, from, to->pid, reason);
    if (!via_link && reason == A(kill)) {
        kill_process(to, A(killed));
        return;
    }
    if (to->trap_exit) {
        TRACE(TR_TRAP, from, to->pid, reason);
        deliver_message(to, tapa_tuple(A(EXIT), from, reason));
        return;
    }
    if (reason == A(normal) && from != to->pid) return;
    kill_process(to, reason);
}

/* ----------------------------------------------------------- the end -- */

static void break_links(process *p)
{
    tapa_term reason = p->exit_reason;
    while (p->nlinks) {
        tapa_term other = p->links[--p->nlinks];
        if (PID_NODE(other) != 0) {
            if (tapa_dist) tapa_dist->exit(p->pid, other, reason, true);
            continue;
        }
        process *q = proc_lookup(other);
        if (!q || !link_remove(q, p->pid)) continue;
        deliver_exit_signal(p->pid, q, reason, true);
    }
}

/* In the order the monitors were made, as BEAM sends the DOWN messages. */
static void fire_monitors(process *p)
{
    uint32_t n = p->nmonitors;
    p->nmonitors = 0; /* taken whole: nothing below may find them again */
    for (uint32_t i = 0; i < n; i++) {
        monitor m = p->monitors[i];
        if (PID_NODE(m.other) != 0) {
            if (!tapa_dist) continue;
            if (m.origin) tapa_dist->demonitor(p->pid, m.other, &m);
            else tapa_dist->down(p->pid, m.other, &m, p->exit_reason);
            continue;
        }
        process *q = proc_lookup(m.other);
        if (!q || !monitor_remove(q, m.ref, monitor_ref_len(&m), m.ref_node, NULL) || m.origin)
            continue;
        tapa_term ref = monitor_ref_term(&m);
        tapa_term who = m.name ? tapa_tuple(m.name, tapa_node()) : p->pid;
        TRACE(TR_DOWN, p->pid, q->pid, p->exit_reason);
        deliver_message(q, down_message(ref, who, p->exit_reason));
    }
}

/* Runs on the scheduler's stack (or the killer's), never on p's. New terms
 * made here go to p's heap, which still exists until proc_free. */
void proc_finalize(process *p)
{
    tapa_heap *saved = tapa_current_heap;
    tapa_current_heap = &p->heap;
    TRACE(TR_EXIT, p->pid, TAPA_NONE, p->exit_reason);
    if (p->crashed) log_crash(p);
    run_note_exit(p);
    if (p->registered_name) registry_remove(p->registered_name);
    break_links(p);
    fire_monitors(p);
    tapa_current_heap = saved;
    proc_free(p);
}

/* A process that was told to die while it was running dies here, at its
 * next call into the runtime. */
void proc_check_pending(process *p)
{
    if (p && p->exit_pending) sched_exit_current(p->exit_reason);
}
