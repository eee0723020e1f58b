/* context.h — the machine-level part of switching between processes.
 * The switch itself is in context_x86_64.S or context_arm64.S (the Makefile
 * picks the file for the target); ctx_make builds the frame it expects. */
#ifndef TAPA_CONTEXT_H
#define TAPA_CONTEXT_H

#include <stdint.h>

/* Saves the current registers and stack pointer in *save_sp and resumes
 * the context whose stack pointer is to_sp. */
void ctx_switch(void **save_sp, void *to_sp);

/* Pushes the callee-saved registers, then calls fn(lo, arg) with lo the
 * stack pointer below them: a conservative scan of [lo, stack top) sees
 * every pointer the callers held, in registers or on the stack. */
void ctx_with_regs_spilled(void (*fn)(void *lo, void *arg), void *arg);

/* Lays out a fresh context at the top of a stack so that switching to it
 * starts entry() with a correctly aligned stack. entry must never return. */
#if defined(__x86_64__)
static inline void *ctx_make(void *stack_top, void (*entry)(void))
{
    uintptr_t top = (uintptr_t)stack_top & ~(uintptr_t)15;
    void **sp = (void **)top;
    *--sp = 0; /* fake return address: entry sees rsp % 16 == 8 as after a call */
    *--sp = (void *)entry; /* popped and jumped to */
    for (int i = 0; i < 6; i++) *--sp = 0; /* rbp rbx r12 r13 r14 r15 */
    return sp;
}
#elif defined(__aarch64__) || defined(__arm64__)
static inline void *ctx_make(void *stack_top, void (*entry)(void))
{
    uintptr_t top = (uintptr_t)stack_top & ~(uintptr_t)15;
    void **sp = (void **)(top - 160); /* the frame of context_arm64.S, sp % 16 == 0 */
    for (int i = 0; i < 20; i++) sp[i] = 0; /* x19-x28, d8-d15; x29 = 0 ends backtraces */
    sp[11] = (void *)entry; /* x30: ctx_switch returns into entry */
    return sp;
}
#else
#error "tapa: no context switch for this target; supported: x86-64 and arm64 (Linux, macOS)"
#endif

#endif
