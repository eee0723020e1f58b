/* info.c — Process.info/1 and Process.info/2.
 * The keyword list keeps BEAM's order for the keys both have, with the
 * ones a learner of this course looks at (messages, monitors, memory). */
#include "sched/process.h"

#include <stdlib.h>
#include <string.h>

typedef tapa_term (*info_fn)(process *p);

static tapa_term info_status(process *p)
{
    if (p == proc_current()) return tapa_atom("running");
    return tapa_atom(p->state == PS_RUNNABLE ? "runnable" : "waiting");
}

static tapa_term info_queue_len(process *p)
{
    return tapa_int(p->mbox.len);
}

static tapa_term info_messages(process *p)
{
    tapa_term list = TERM_NIL, *tail = &list;
    for (msg *m = p->mbox.head; m; m = m->next) {
        /* Copied to the caller's heap: m->term lives on p's heap, which is
         * collected or freed without regard to the caller's references. */
        *tail = tapa_cons(heap_copy(tapa_current_heap, m->term), TERM_NIL);
        tail = &((box_cons *)BOX_OF(*tail))->tail;
    }
    return list;
}

static tapa_term info_links(process *p)
{
    tapa_term list = TERM_NIL;
    for (uint32_t i = p->nlinks; i-- > 0;) list = tapa_cons(p->links[i], list);
    return list;
}

static tapa_term monitors_where(process *p, bool origin)
{
    tapa_term list = TERM_NIL;
    for (uint32_t i = p->nmonitors; i-- > 0;) {
        const monitor *m = &p->monitors[i];
        if (m->origin != origin) continue;
        tapa_term item = m->other;
        if (origin)
            item = tapa_tuple(A(process),
                              m->name ? tapa_tuple(m->name, node_at(PID_NODE(m->other))->name)
                                      : m->other);
        list = tapa_cons(item, list);
    }
    return list;
}

static tapa_term info_monitors(process *p)
{
    return monitors_where(p, true);
}
static tapa_term info_monitored_by(process *p)
{
    return monitors_where(p, false);
}
static tapa_term info_trap_exit(process *p)
{
    return tapa_bool(p->trap_exit);
}
static tapa_term info_registered_name(process *p)
{
    return p->registered_name ? p->registered_name : TERM_NIL;
}

static tapa_term info_memory(process *p)
{
    size_t bytes = sizeof *p + p->heap.bytes + p->saved_cap + p->mbox.len * sizeof(msg) +
                   p->links_cap * sizeof(tapa_term) + p->monitors_cap * sizeof(monitor);
    return tapa_int((int64_t)bytes);
}

static const struct {
    const char *key;
    info_fn fn;
} keys[] = {
    {"registered_name", info_registered_name},
    {"status", info_status},
    {"message_queue_len", info_queue_len},
    {"messages", info_messages},
    {"links", info_links},
    {"monitors", info_monitors},
    {"monitored_by", info_monitored_by},
    {"trap_exit", info_trap_exit},
    {"memory", info_memory},
};
#define NKEYS (sizeof keys / sizeof keys[0])

static process *info_target(tapa_term pid)
{
    if (!tapa_is_pid(pid)) term_badarg("Process.info: %s is not a pid", term_shown(pid));
    if (PID_NODE(pid) != 0)
        term_badarg("Process.info: that pid belongs to another node; call it there");
    process *p = proc_lookup(pid);
    return p && p->state != PS_EXITING && !p->exit_pending ? p : NULL;
}

tapa_term tapa_info(tapa_term pid)
{
    TERM_ARG(pid, "tapa_info", 1);
    process *p = info_target(pid);
    if (!p) return A(nil);
    tapa_term list = TERM_NIL;
    for (size_t i = NKEYS; i-- > 0;) {
        if (i == 0 && !p->registered_name) continue; /* BEAM omits it when unregistered */
        list = tapa_cons(tapa_tuple(tapa_atom(keys[i].key), keys[i].fn(p)), list);
    }
    return list;
}

tapa_term tapa_info_key(tapa_term pid, const char *key)
{
    TERM_ARG(pid, "tapa_info_key", 1);
    process *p = info_target(pid);
    for (size_t i = 0; i < NKEYS; i++) {
        if (strcmp(keys[i].key, key) != 0) continue;
        if (!p) return A(nil);
        return tapa_tuple(tapa_atom(key), keys[i].fn(p));
    }
    term_badarg(
        "Process.info: :%s is not a key this runtime knows; try message_queue_len, "
        "messages, links, monitors, monitored_by, trap_exit, status, registered_name or memory",
        key);
}
