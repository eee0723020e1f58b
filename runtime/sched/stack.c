/* stack.c — where a process's C stack lives while it runs and while it waits.
 *
 * Release builds use copy stacks (as libaco does): every process runs on one
 * shared stack; when another process needs it, the bytes the owner is using
 * (usually a few hundred) are copied to the owner's own buffer, and copied
 * back before it runs again. An idle process costs those bytes instead of a
 * stack of its own, and spawning needs no mmap. The rule it imposes: no
 * pointer into a switched-out process's stack may be used by anyone else —
 * which message passing already guarantees, since messages are copied.
 *
 * Sanitizer and valgrind builds (TAPA_DEDICATED_STACKS) give every process
 * its own stack instead, and tell the tools about each switch, so they see
 * ordinary stacks and can check them.
 */
#include "sched/process.h"
#include "sched/context.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define STACK_SIZE (256 * 1024)

static void *scheduler_sp; /* the scheduler's context while a process runs */
extern void proc_entry(void); /* process.c: runs p->fn, then exits */

static void mark_from(void *lo, void *arg)
{
    process *p = arg;
    heap_mark_range(&p->heap, lo, p->stack_hi);
}

/* The callee-saved registers are pushed below every frame of the running
 * process (not copied into a jmp_buf: glibc's setjmp mangles some of them,
 * and a callee's save area may lie below a local buffer, as gcc lays out
 * arm64 frames), then the whole stack from there up is scanned. */
void stack_mark_roots(process *p)
{
    ctx_with_regs_spilled(mark_from, p);
}

#ifdef TAPA_DEDICATED_STACKS

#if defined(__SANITIZE_ADDRESS__)
#define TAPA_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TAPA_ASAN 1
#endif
#endif
#ifdef TAPA_ASAN
#include <sanitizer/common_interface_defs.h>
#endif
#ifdef TAPA_VALGRIND
#include <valgrind/valgrind.h>
#endif

#ifdef TAPA_ASAN
static const void *sched_stack_bottom;
static size_t sched_stack_size;
#endif

void stack_prepare(process *p)
{
    if (p->stack_base) return;
    p->stack_base = malloc(STACK_SIZE);
    if (!p->stack_base) abort();
    uint8_t *top = (uint8_t *)p->stack_base + STACK_SIZE;
    p->stack_hi = top;
    p->sp = ctx_make(top, proc_entry);
#ifdef TAPA_VALGRIND
    p->saved_cap =
        VALGRIND_STACK_REGISTER(p->stack_base, top); /* unused field here: keeps the id */
#endif
}

void stack_release(process *p)
{
    if (!p->stack_base) return;
#ifdef TAPA_VALGRIND
    VALGRIND_STACK_DEREGISTER(p->saved_cap);
#endif
    free(p->stack_base);
    p->stack_base = NULL;
}

void stack_switch_to(process *p)
{
#ifdef TAPA_ASAN
    void *fake = NULL;
    __sanitizer_start_switch_fiber(&fake, p->stack_base, STACK_SIZE);
#endif
    ctx_switch(&scheduler_sp, p->sp);
#ifdef TAPA_ASAN
    __sanitizer_finish_switch_fiber(fake, &sched_stack_bottom, &sched_stack_size);
#endif
}

void stack_switch_out(process *p, bool exiting)
{
    (void)exiting;
#ifdef TAPA_ASAN
    /* An exiting process never comes back: ASan may drop its fake frames. */
    __sanitizer_start_switch_fiber(exiting ? NULL : &p->asan_fake_stack, sched_stack_bottom,
                                   sched_stack_size);
#endif
    ctx_switch(&p->sp, scheduler_sp);
#ifdef TAPA_ASAN
    __sanitizer_finish_switch_fiber(p->asan_fake_stack, NULL, NULL);
#endif
}

/* Called first thing on a new stack (ASan wants the switch finished). */
void stack_entered(void)
{
#ifdef TAPA_ASAN
    __sanitizer_finish_switch_fiber(NULL, &sched_stack_bottom, &sched_stack_size);
#endif
}

void stack_shutdown(void)
{
}

#else /* copy stacks */

/* A few shared stacks, chosen by pid: two processes that talk to each
 * other (ping-pong, a client and its server) usually sit on different
 * stacks and switch with no copying at all. Each has a guard page below. */
#define NSTACKS 8

typedef struct shared_stack {
    uint8_t *base, *top;
    process *owner; /* whose bytes are on this stack now */
} shared_stack;

static shared_stack stacks[NSTACKS];

static shared_stack *stack_of(const process *p)
{
    return &stacks[PID_ID(p->pid) % NSTACKS];
}

/* 4 KB on x86-64, 16 KB on Apple Silicon, 64 KB on some arm64 Linux kernels */
static size_t guard_size(void)
{
    long page = sysconf(_SC_PAGESIZE);
    return page > 0 ? (size_t)page : 4096;
}

static void shared_stack_init(shared_stack *s)
{
    size_t page = guard_size();
    uint8_t *m = mmap(NULL, STACK_SIZE + page, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m == MAP_FAILED) abort();
    mprotect(m, page, PROT_NONE); /* overflow faults instead of corrupting */
    s->base = m + page;
    s->top = s->base + STACK_SIZE;
}

static void save_owner(shared_stack *s)
{
    process *o = s->owner;
    size_t used = (size_t)(s->top - (uint8_t *)o->sp);
    if (used > o->saved_cap) {
        uint32_t cap = (uint32_t)((used + 15) & ~(size_t)15);
        uint8_t *buf = realloc(o->saved_stack, cap);
        if (!buf) abort();
        o->saved_stack = buf;
        o->saved_cap = cap;
    }
    memcpy(o->saved_stack, o->sp, used);
    o->saved_len = (uint32_t)used;
}

void stack_prepare(process *p)
{
    shared_stack *s = stack_of(p);
    if (!s->base) shared_stack_init(s);
    p->stack_hi = s->top;
    if (s->owner == p) return;
    if (s->owner) save_owner(s);
    s->owner = p;
    if (!p->sp) {
        p->sp = ctx_make(s->top, proc_entry);
        return;
    }
    memcpy(s->top - p->saved_len, p->saved_stack, p->saved_len);
}

void stack_release(process *p)
{
    shared_stack *s = stack_of(p);
    if (s->owner == p) s->owner = NULL;
    free(p->saved_stack);
    p->saved_stack = NULL;
    p->saved_len = p->saved_cap = 0;
}

void stack_switch_to(process *p)
{
    ctx_switch(&scheduler_sp, p->sp);
}

void stack_switch_out(process *p, bool exiting)
{
    (void)exiting;
    ctx_switch(&p->sp, scheduler_sp);
}

void stack_entered(void)
{
}

void stack_shutdown(void)
{
    for (int i = 0; i < NSTACKS; i++) {
        if (stacks[i].base) munmap(stacks[i].base - guard_size(), STACK_SIZE + guard_size());
        stacks[i] = (shared_stack){0};
    }
}

#endif
