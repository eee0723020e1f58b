/* process.c — the process table: creating, finding and freeing processes.
 *
 * Pids number as BEAM's do: #PID<0.N.0>, N counting up from the first
 * user process; the serial (third field) grows when N wraps. The table
 * holds only live processes, so a node that spawns forever stays flat.
 */
#include "sched/process.h"
#include "trace/trace.h"

#include <stdlib.h>
#include <string.h>

#define FIRST_ID 100u
#define MAX_ID ((1u << 28) - 1) /* BEAM's pid number space */
/* After the last number, the serial counts up, within 13 bits as BEAM's
 * local serials are (OTP 25: list_to_pid("<0.5.8191>") is a pid, with
 * 8192 it is badarg). A term holds 16 bits of serial (PID_SERIAL_BITS),
 * for the pids of other nodes; ours never use the top three. */
#define LOCAL_SERIAL_MASK ((1u << 13) - 1)

/* The table works as BEAM's does: a pid's number picks its slot
 * (number & mask), and a fresh pid skips numbers whose slot is taken, so
 * lookup, insert and delete are one array access. Kept at most half full. */
static process **table;
static size_t table_cap, table_used;
static uint32_t next_id = FIRST_ID, next_serial;

static size_t slot_of(uint32_t id)
{
    return id & (table_cap - 1);
}

static void table_grow(void)
{
    process **old = table;
    size_t old_cap = table_cap;
    table_cap = table_cap ? table_cap * 2 : 1024;
    table = calloc(table_cap, sizeof *table);
    if (!table) abort();
    /* distinct slots under the old mask stay distinct under the wider one */
    for (size_t i = 0; i < old_cap; i++)
        if (old[i]) table[slot_of(PID_ID(old[i]->pid))] = old[i];
    free(old);
}

process *proc_lookup(tapa_term pid)
{
    if (TERM_TAG(pid) != TAG_PID || PID_NODE(pid) != 0 || !table_cap) return NULL;
    process *p = table[slot_of(PID_ID(pid))];
    return p && p->pid == pid ? p : NULL;
}

static tapa_term fresh_pid(void)
{
    for (;;) {
        uint32_t id = next_id++;
        if (next_id > MAX_ID) {
            next_id = FIRST_ID;
            next_serial = (next_serial + 1) & LOCAL_SERIAL_MASK;
        }
        if (!table[slot_of(id)]) return MAKE_PID(0, id, next_serial);
    }
}

/* Process structs are recycled: spawning and exiting short-lived
 * processes then costs no malloc or free (sanitizer builds excepted). */
#ifdef TAPA_DEDICATED_STACKS
#define POOL_KEEP 0
#else
#define POOL_KEEP 1024
#endif
static process *pool;
static size_t pool_count, pool_keep = POOL_KEEP;

static process *proc_alloc(void)
{
    process *p = pool;
    if (!p) return calloc(1, sizeof *p);
    pool = p->rq_next;
    pool_count--;
    return memset(p, 0, sizeof *p);
}

static void proc_release(process *p)
{
    if (pool_count >= pool_keep) {
        free(p);
        return;
    }
    p->rq_next = pool;
    pool = p;
    pool_count++;
}

process *proc_spawn(tapa_fn fn, tapa_term arg)
{
    if ((table_used + 1) * 2 > table_cap) table_grow();
    process *p = proc_alloc();
    if (!p) abort();
    p->pid = fresh_pid();
    table[slot_of(PID_ID(p->pid))] = p;
    table_used++;
    p->fn = fn;
    mailbox_init(&p->mbox);
    heap_init(&p->heap);
    p->arg = heap_copy(&p->heap, arg);
    p->exit_reason = A(normal);
    return p;
}

void proc_free(process *p)
{
    table[slot_of(PID_ID(p->pid))] = NULL;
    table_used--;
    mailbox_clear(&p->mbox);
    heap_destroy(&p->heap);
    stack_hide_release(p);
    stack_release(p);
    free(p->links);
    free(p->monitors);
    free(p->crash_message);
    proc_release(p);
}

void proc_each(void (*visit)(process *p, void *ctx), void *ctx)
{
    /* Collect first: visit may free processes and reshuffle the table. */
    size_t n = 0;
    process **all = malloc((table_used + 1) * sizeof *all);
    if (!all) abort();
    for (size_t i = 0; i < table_cap; i++)
        if (table[i]) all[n++] = table[i];
    for (size_t i = 0; i < n; i++) visit(all[i], ctx);
    free(all);
}

void proc_table_reset(void)
{
    while (pool) {
        process *p = pool;
        pool = p->rq_next;
        free(p);
    }
    pool_count = 0;
    free(table);
    table = NULL;
    table_cap = table_used = 0;
    next_id = FIRST_ID;
    next_serial = 0;
}

/* Where every process starts, on its own (or the shared) stack. */
void proc_entry(void)
{
    stack_entered();
    process *p = proc_current();
    proc_check_pending(p); /* killed before it ever ran */
    p->fn(p->arg);
    sched_exit_current(A(normal));
}
