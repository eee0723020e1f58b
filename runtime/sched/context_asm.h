/* context_asm.h — what differs between ELF (Linux) and Mach-O (macOS) in the
 * context-switch files: the symbol prefix and the directives. Only
 * preprocessor definitions: it is included by context_*.S. One directive per
 * macro: the statement separator differs (';' starts a comment in Apple's
 * arm64 assembly). A function begins:
 *
 *     .globl CTX_SYM(f)
 *     CTX_TYPE(f)
 *     .p2align 4
 * CTX_SYM(f):
 */
/* Assembler directives, not C: clang-format would break them. */
/* clang-format off */
#ifndef TAPA_CONTEXT_ASM_H
#define TAPA_CONTEXT_ASM_H

#if defined(__APPLE__)
/* Mach-O: C names carry a leading underscore; no .type/.size, no GNU-stack note. */
/* two steps, so a name renamed by internal_names.h is renamed before the _ */
#define CTX_SYM(name) CTX_SYM_(name)
#define CTX_SYM_(name) _##name
#define CTX_TYPE(name)
#define CTX_END(name)
#define CTX_NOEXECSTACK
#elif defined(__ELF__)
#define CTX_SYM(name) name
#define CTX_TYPE(name) .type name, %function
#define CTX_END(name) .size name, .-name
/* the stack stays non-executable when this object is linked */
#define CTX_NOEXECSTACK .section .note.GNU-stack,"",%progbits
#else
#error "tapa: the context switch knows ELF (Linux) and Mach-O (macOS) object files only"
#endif

#endif
