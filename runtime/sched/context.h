/* context.h — the machine-level part of switching between processes. */
#ifndef TAPA_CONTEXT_H
#define TAPA_CONTEXT_H

#include <stdint.h>

/* Saves the current registers and stack pointer in *save_sp and resumes
 * the context whose stack pointer is to_sp (context_x86_64.S). */
void ctx_switch(void **save_sp, void *to_sp);

/* Lays out a fresh context at the top of a stack so that switching to it
 * starts entry() with a correctly aligned stack. entry must never return. */
static inline void *ctx_make(void *stack_top, void (*entry)(void))
{
    uintptr_t top = (uintptr_t)stack_top & ~(uintptr_t)15;
    void **sp = (void **)top;
    *--sp = 0; /* fake return address: entry sees rsp % 16 == 8 as after a call */
    *--sp = (void *)entry; /* popped and jumped to */
    for (int i = 0; i < 6; i++) *--sp = 0; /* rbp rbx r12 r13 r14 r15 */
    return sp;
}

#endif
