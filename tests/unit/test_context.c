/* test_context.c — the machine-level context switch (context_*.S and
 * ctx_make), on whatever target this is built for: a fresh context starts
 * on an aligned stack, the callee-saved registers (integer and, on arm64,
 * d8-d15) survive a switch to code that overwrites them all, and the
 * collector's spill puts every register value on the scanned stack. */
#include "tapa_test.h"
#include "sched/context.h"

#include <stdint.h>
#include <stdlib.h>
#ifdef TAPA_VALGRIND
#include <valgrind/memcheck.h>
#endif

#define CTX_STACK (64 * 1024)

/* Switching stacks behind ASan's back is what stack.c annotates for the
 * runtime; these few functions are kept out of its instrumentation. */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NO_ASAN __attribute__((no_sanitize("address")))
#endif
#endif
#if !defined(NO_ASAN) && defined(__SANITIZE_ADDRESS__)
#define NO_ASAN __attribute__((no_sanitize_address))
#endif
#ifndef NO_ASAN
#define NO_ASAN
#endif

static void *main_sp, *other_sp;
static uintptr_t entry_frame;
static int entries;

/* Overwrites every callee-saved register, as arbitrary code on another
 * stack may, then switches back without returning. */
static NO_ASAN void clobber_and_switch_back(void)
{
#if defined(__x86_64__)
    __asm__ volatile("xor %%ebx, %%ebx\n\txor %%r12d, %%r12d\n\txor %%r13d, %%r13d\n\t"
                     "xor %%r14d, %%r14d\n\txor %%r15d, %%r15d" ::
                         : "rbx", "r12", "r13", "r14", "r15");
#elif defined(__aarch64__) || defined(__arm64__)
    __asm__ volatile("mov x19, #1\n\tmov x20, #1\n\tmov x21, #1\n\tmov x22, #1\n\t"
                     "mov x23, #1\n\tmov x24, #1\n\tmov x25, #1\n\tmov x26, #1\n\t"
                     "mov x27, #1\n\tmov x28, #1\n\t"
                     "fmov d8, xzr\n\tfmov d9, xzr\n\tfmov d10, xzr\n\tfmov d11, xzr\n\t"
                     "fmov d12, xzr\n\tfmov d13, xzr\n\tfmov d14, xzr\n\tfmov d15, xzr" ::
                         : "x19", "x20", "x21", "x22", "x23", "x24", "x25", "x26", "x27", "x28",
                           "d8", "d9", "d10", "d11", "d12", "d13", "d14", "d15");
#endif
    ctx_switch(&other_sp, main_sp);
}

static NO_ASAN __attribute__((noinline)) void entry(void)
{
    for (;;) {
        entries++;
        entry_frame = (uintptr_t)__builtin_frame_address(0);
        clobber_and_switch_back();
    }
}

static void *stack_mem;
static unsigned valgrind_id;

static void new_context(void)
{
    stack_mem = malloc(CTX_STACK);
    assert_non_null(stack_mem);
#ifdef TAPA_VALGRIND
    valgrind_id = VALGRIND_STACK_REGISTER(stack_mem, (char *)stack_mem + CTX_STACK);
#endif
    /* an odd top: ctx_make must align it */
    other_sp = ctx_make((char *)stack_mem + CTX_STACK - 8, entry);
    entries = 0;
}

static void drop_context(void)
{
#ifdef TAPA_VALGRIND
    VALGRIND_STACK_DEREGISTER(valgrind_id);
#endif
    (void)valgrind_id;
    free(stack_mem);
}

static NO_ASAN void test_fresh_context_starts_aligned(void **state)
{
    new_context();
    ctx_switch(&main_sp, other_sp);
    assert_int_equal(entries, 1);
    assert_true(entry_frame > (uintptr_t)stack_mem &&
                entry_frame < (uintptr_t)stack_mem + CTX_STACK);
    assert_int_equal(entry_frame % 16, 0); /* the ABI's alignment, seen by the frame */
    ctx_switch(&main_sp, other_sp); /* and it resumes where it left off */
    assert_int_equal(entries, 2);
    drop_context();
}

static NO_ASAN __attribute__((noinline)) void switch_keeping_registers(void)
{
#if defined(__x86_64__)
    register uint64_t a __asm__("rbx") = 0x1111111111111111u;
    register uint64_t b __asm__("r12") = 0x2222222222222222u;
    register uint64_t c __asm__("r13") = 0x3333333333333333u;
    register uint64_t d __asm__("r14") = 0x4444444444444444u;
    register uint64_t e __asm__("r15") = 0x5555555555555555u;
    __asm__ volatile("" : "+r"(a), "+r"(b), "+r"(c), "+r"(d), "+r"(e));
    ctx_switch(&main_sp, other_sp);
    __asm__ volatile("" : "+r"(a), "+r"(b), "+r"(c), "+r"(d), "+r"(e));
    assert_true(a == 0x1111111111111111u && b == 0x2222222222222222u && c == 0x3333333333333333u &&
                d == 0x4444444444444444u && e == 0x5555555555555555u);
#elif defined(__aarch64__) || defined(__arm64__)
    register uint64_t a __asm__("x19") = 19, b __asm__("x20") = 20, c __asm__("x21") = 21;
    register uint64_t d __asm__("x22") = 22, e __asm__("x23") = 23, f __asm__("x24") = 24;
    register uint64_t g __asm__("x25") = 25, h __asm__("x26") = 26, i __asm__("x27") = 27;
    register uint64_t j __asm__("x28") = 28;
    register double f8 __asm__("d8") = 8.5, f9 __asm__("d9") = 9.5, f10 __asm__("d10") = 10.5;
    register double f11 __asm__("d11") = 11.5, f12 __asm__("d12") = 12.5;
    register double f13 __asm__("d13") = 13.5, f14 __asm__("d14") = 14.5;
    register double f15 __asm__("d15") = 15.5;
    __asm__ volatile(""
                     : "+r"(a), "+r"(b), "+r"(c), "+r"(d), "+r"(e), "+r"(f), "+r"(g), "+r"(h),
                       "+r"(i), "+r"(j));
    __asm__ volatile(""
                     : "+w"(f8), "+w"(f9), "+w"(f10), "+w"(f11), "+w"(f12), "+w"(f13), "+w"(f14),
                       "+w"(f15));
    ctx_switch(&main_sp, other_sp);
    __asm__ volatile(""
                     : "+r"(a), "+r"(b), "+r"(c), "+r"(d), "+r"(e), "+r"(f), "+r"(g), "+r"(h),
                       "+r"(i), "+r"(j));
    __asm__ volatile(""
                     : "+w"(f8), "+w"(f9), "+w"(f10), "+w"(f11), "+w"(f12), "+w"(f13), "+w"(f14),
                       "+w"(f15));
    assert_true(a == 19 && b == 20 && c == 21 && d == 22 && e == 23 && f == 24 && g == 25 &&
                h == 26 && i == 27 && j == 28);
    assert_true(f8 == 8.5 && f9 == 9.5 && f10 == 10.5 && f11 == 11.5 && f12 == 12.5 &&
                f13 == 13.5 && f14 == 14.5 && f15 == 15.5);
#endif
}

static NO_ASAN void test_callee_saved_registers_survive_a_switch(void **state)
{
    new_context();
    for (int k = 0; k < 3; k++) switch_keeping_registers();
    assert_int_equal(entries, 3);
    drop_context();
}

/* ctx_with_regs_spilled: values that live only in callee-saved registers
 * must lie in [lo, the caller's frame) when the callback scans. */
struct scan {
    uintptr_t hi;
    int found;
};

#define SPILL_MAGIC(k) ((uintptr_t)0x7a7a000000000000u + (uintptr_t)(k)*0x1001u)

static NO_ASAN void scan_for_magic(void *lo, void *arg)
{
    struct scan *s = arg;
    for (const uintptr_t *w = lo; (uintptr_t)w < s->hi; w++) {
        uintptr_t v = *(const volatile uintptr_t *)w;
#ifdef TAPA_VALGRIND
        VALGRIND_MAKE_MEM_DEFINED(&v, sizeof v); /* padding between frames: only compared */
#endif
        for (int k = 0; k < 10; k++)
            if (v == SPILL_MAGIC(k)) s->found |= 1 << k;
    }
}

static NO_ASAN __attribute__((noinline)) int spill_with_registers(uintptr_t hi)
{
    struct scan s = {hi, 0};
    int want;
#if defined(__x86_64__)
    register uintptr_t a __asm__("rbx") = SPILL_MAGIC(0), b __asm__("r12") = SPILL_MAGIC(1);
    register uintptr_t c __asm__("r13") = SPILL_MAGIC(2), d __asm__("r14") = SPILL_MAGIC(3);
    register uintptr_t e __asm__("r15") = SPILL_MAGIC(4);
    __asm__ volatile("" : "+r"(a), "+r"(b), "+r"(c), "+r"(d), "+r"(e));
    ctx_with_regs_spilled(scan_for_magic, &s);
    __asm__ volatile("" : "+r"(a), "+r"(b), "+r"(c), "+r"(d), "+r"(e));
    want = 0x1f;
#elif defined(__aarch64__) || defined(__arm64__)
    register uintptr_t a __asm__("x19") = SPILL_MAGIC(0), b __asm__("x20") = SPILL_MAGIC(1);
    register uintptr_t c __asm__("x21") = SPILL_MAGIC(2), d __asm__("x22") = SPILL_MAGIC(3);
    register uintptr_t e __asm__("x23") = SPILL_MAGIC(4), f __asm__("x24") = SPILL_MAGIC(5);
    register uintptr_t g __asm__("x25") = SPILL_MAGIC(6), h __asm__("x26") = SPILL_MAGIC(7);
    register uintptr_t i __asm__("x27") = SPILL_MAGIC(8), j __asm__("x28") = SPILL_MAGIC(9);
    __asm__ volatile(""
                     : "+r"(a), "+r"(b), "+r"(c), "+r"(d), "+r"(e), "+r"(f), "+r"(g), "+r"(h),
                       "+r"(i), "+r"(j));
    ctx_with_regs_spilled(scan_for_magic, &s);
    __asm__ volatile(""
                     : "+r"(a), "+r"(b), "+r"(c), "+r"(d), "+r"(e), "+r"(f), "+r"(g), "+r"(h),
                       "+r"(i), "+r"(j));
    want = 0x3ff;
#endif
    return s.found == want ? 0 : s.found | 0x10000;
}

static NO_ASAN void test_spill_puts_registers_on_the_scanned_stack(void **state)
{
    volatile char top;
    assert_int_equal(spill_with_registers((uintptr_t)&top), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fresh_context_starts_aligned),
        cmocka_unit_test(test_callee_saved_registers_survive_a_switch),
        cmocka_unit_test(test_spill_puts_registers_on_the_scanned_stack),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
