/* context_arm64.S — switch between process stacks (AAPCS64: Linux and
 * macOS on arm64), ELF or Mach-O (context_asm.h).
 *
 * void ctx_switch(void **save_sp, void *to_sp)
 * Stores the callee-saved registers (x19-x28, the frame pointer x29, the
 * link register x30, and d8-d15, the low halves of v8-v15) in a 160-byte
 * frame below sp, stores sp in *save_sp, loads to_sp, reloads the other
 * side's registers from its frame and returns through its x30. ctx_make
 * (context.h) lays out the same frame for a new process.
 *
 * void ctx_with_regs_spilled(void (*fn)(void *lo, void *arg), void *arg)
 * Stores the callee-saved registers and calls fn(sp, arg): every pointer
 * the callers held in registers is then on the stack above lo, where the
 * collector's conservative scan finds it.
 */
#include "context_asm.h"
#if !defined(__aarch64__) && !defined(__arm64__)
#error "context_arm64.S is for arm64 targets; the Makefile picks the file for the target"
#endif
    .text
    .globl CTX_SYM(ctx_switch)
    CTX_TYPE(ctx_switch)
    .p2align 4
CTX_SYM(ctx_switch):
    sub sp, sp, #160
    stp x19, x20, [sp, #0]
    stp x21, x22, [sp, #16]
    stp x23, x24, [sp, #32]
    stp x25, x26, [sp, #48]
    stp x27, x28, [sp, #64]
    stp x29, x30, [sp, #80]
    stp d8, d9, [sp, #96]
    stp d10, d11, [sp, #112]
    stp d12, d13, [sp, #128]
    stp d14, d15, [sp, #144]
    mov x9, sp
    str x9, [x0]
    mov sp, x1
    ldp x19, x20, [sp, #0]
    ldp x21, x22, [sp, #16]
    ldp x23, x24, [sp, #32]
    ldp x25, x26, [sp, #48]
    ldp x27, x28, [sp, #64]
    ldp x29, x30, [sp, #80]
    ldp d8, d9, [sp, #96]
    ldp d10, d11, [sp, #112]
    ldp d12, d13, [sp, #128]
    ldp d14, d15, [sp, #144]
    add sp, sp, #160
    ret
CTX_END(ctx_switch)

    .globl CTX_SYM(ctx_with_regs_spilled)
    CTX_TYPE(ctx_with_regs_spilled)
    .p2align 4
CTX_SYM(ctx_with_regs_spilled):
    stp x29, x30, [sp, #-160]!
    mov x29, sp
    stp x19, x20, [sp, #16]
    stp x21, x22, [sp, #32]
    stp x23, x24, [sp, #48]
    stp x25, x26, [sp, #64]
    stp x27, x28, [sp, #80]
    stp d8, d9, [sp, #96]
    stp d10, d11, [sp, #112]
    stp d12, d13, [sp, #128]
    stp d14, d15, [sp, #144]
    mov x9, x0
    mov x0, sp
    blr x9
    ldp x29, x30, [sp], #160   /* fn kept the callee-saved registers */
    ret
CTX_END(ctx_with_regs_spilled)

CTX_NOEXECSTACK
