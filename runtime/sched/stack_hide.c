/* stack_hide.c — debug builds: a process's stack is out of reach while it
 * is switched out.
 *
 * Processes share nothing, and release builds run them on shared copy
 * stacks: while a process waits, the bytes of its stack live in a buffer of
 * its own and the shared stack holds another process's frames. A pointer to
 * a local variable of another process therefore reads whatever is there
 * now. The sanitizer and valgrind builds give every process a stack of its
 * own, where such a pointer would keep working and hide the mistake; so
 * there the stack in use is made unreachable after each switch out, and
 * reachable again just before the process resumes:
 *   - AddressSanitizer: the region is poisoned (a read or write through a
 *     pointer into it is reported as use-after-poison, with both stacks);
 *   - valgrind: the region is made inaccessible (Invalid read/write), its
 *     definedness bits kept aside and put back on resume;
 *   - otherwise (a debug build run without valgrind): the bytes are copied
 *     aside and the region scribbled with 0xdb, as a copy stack would be.
 * Unpoisoning also clears ASan's redzones of the frames that were live at
 * the switch; frames entered after the resume get theirs as usual.
 */
#include "sched/process.h"

#ifdef TAPA_DEDICATED_STACKS

#include <stdlib.h>
#include <string.h>

#if defined(__SANITIZE_ADDRESS__)
#define HIDE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HIDE_ASAN 1
#endif
#endif
#ifdef HIDE_ASAN
#include <sanitizer/asan_interface.h>
#endif
#ifdef TAPA_VALGRIND
#include <valgrind/memcheck.h>
#endif

#define SCRIBBLE 0xdb

static size_t in_use(const process *p)
{
    return (size_t)((uint8_t *)p->stack_hi - (uint8_t *)p->sp);
}

/* The side buffer: saved bytes, or valgrind's definedness bits. */
static uint8_t *side_buffer(process *p, size_t len)
{
    if (len > p->hidden_cap) {
        uint8_t *b = realloc(p->hidden, len);
        if (!b) abort();
        p->hidden = b;
        p->hidden_cap = len;
    }
    return p->hidden;
}

void stack_hide(process *p)
{
    size_t len = in_use(p);
    p->stack_hidden = true;
#ifdef HIDE_ASAN
    (void)side_buffer;
    __asan_poison_memory_region(p->sp, len);
#else
#ifdef TAPA_VALGRIND
    if (RUNNING_ON_VALGRIND) {
        (void)VALGRIND_GET_VBITS(p->sp, side_buffer(p, len), len);
        (void)VALGRIND_MAKE_MEM_NOACCESS(p->sp, len);
        return;
    }
#endif
    memcpy(side_buffer(p, len), p->sp, len);
    memset(p->sp, SCRIBBLE, len);
#endif
}

void stack_unhide(process *p)
{
    if (!p->stack_hidden) return; /* not started yet */
    p->stack_hidden = false;
    size_t len = in_use(p);
#ifdef HIDE_ASAN
    __asan_unpoison_memory_region(p->sp, len);
#else
#ifdef TAPA_VALGRIND
    if (RUNNING_ON_VALGRIND) {
        (void)VALGRIND_MAKE_MEM_UNDEFINED(p->sp, len);
        (void)VALGRIND_SET_VBITS(p->sp, p->hidden, len);
        return;
    }
#endif
    memcpy(p->sp, p->hidden, len);
#endif
}

/* Before the stack is freed (a process ended while it waited). */
void stack_hide_release(process *p)
{
    if (p->stack_hidden) {
#ifdef HIDE_ASAN
        __asan_unpoison_memory_region(p->sp, in_use(p));
#elif defined(TAPA_VALGRIND)
        if (RUNNING_ON_VALGRIND) (void)VALGRIND_MAKE_MEM_UNDEFINED(p->sp, in_use(p));
#endif
        p->stack_hidden = false;
    }
    free(p->hidden);
    p->hidden = NULL;
    p->hidden_cap = 0;
}

#endif
