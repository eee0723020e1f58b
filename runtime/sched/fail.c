/* fail.c — how a process fails: raise, badarg from a BIF, a bad pattern.
 *
 * A failing process exits with {reason, []} (Erlang's {Reason, Stacktrace},
 * with the stack left empty) and the node reports it as Elixir's logger
 * does, on stderr:
 *   [error] Process #PID<0.112.0> raised an exception
 *   ** (RuntimeError) boom
 */
#include "sched/process.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static _Noreturn void fail_current(tapa_term reason, const char *kind, const char *why)
{
    process *p = proc_current();
    if (!p) {
        fprintf(stderr,
                "tapa: %s outside any process: %s\n"
                "Call the runtime from a process started by tapa_run().\n",
                kind, why);
        abort();
    }
    strbuf sb = {0};
    sb_printf(&sb, "raised an exception\n** (%s) %s", kind, why);
    free(p->crash_message);
    p->crash_message = sb.data;
    p->crashed = true;
    sched_exit_current(tapa_tuple(reason, TERM_NIL));
}

_Noreturn void term_fail(tapa_term reason, const char *why)
{
    const char *kind =
        reason == A(badarg) || (tapa_is_tuple(reason) && tapa_tuple_size(reason) > 0 &&
                                tapa_element(reason, 0) == A(badarg))
            ? "ArgumentError"
            : "ErlangError";
    fail_current(reason, kind, why);
}

_Noreturn void tapa_raise(const char *fmt, ...)
{
    /* formatted as tapa_printf's (%pT prints a term), at most 511 bytes */
    char text[512];
    strbuf sb = {0};
    va_list ap;
    va_start(ap, fmt);
    term_vformat(&sb, "tapa_raise", fmt, &ap);
    va_end(ap);
    snprintf(text, sizeof text, "%s", sb.data ? sb.data : "");
    sb_free(&sb);
    fail_current(term_runtime_error(text), "RuntimeError", text);
}

void log_crash(process *p)
{
    strbuf sb = {0};
    sb_puts(&sb, "[error] Process ");
    inspect_into(&sb, p->pid);
    sb_printf(&sb, " %s\n", p->crash_message ? p->crash_message : "crashed");
    fflush(stdout);
    fwrite(sb.data, 1, sb.len, stderr);
    sb_free(&sb);
}

/* ------------------------------------------------------- heap limit -- */

/* A process whose heap passes the limit is killed (as BEAM's max_heap_size
 * does), before it takes the whole machine with it: a mailbox nobody
 * empties, or a list that only grows. TAPA_MAX_HEAP_MB sets the limit. */
static size_t limit;

void tapa_set_max_heap_mb(size_t mb)
{
    limit = mb << 20;
}

static size_t heap_limit_bytes(void)
{
    if (!limit) {
        const char *env = getenv("TAPA_MAX_HEAP_MB");
        long mb = env ? atol(env) : 0;
        limit = (size_t)(mb > 0 ? mb : 512) << 20;
    }
    return limit;
}

bool proc_heap_over_limit(process *p)
{
    if (p->heap.bytes <= heap_limit_bytes()) return false;
    strbuf sb = {0};
    sb_printf(&sb,
              "was killed: its heap grew past %zu MiB (%u messages waiting in its mailbox).\n"
              "Check that it receives what is sent to it, and that nothing it keeps grows "
              "forever. TAPA_MAX_HEAP_MB changes the limit.",
              heap_limit_bytes() >> 20, p->mbox.len);
    free(p->crash_message);
    p->crash_message = sb.data;
    p->crashed = true;
    return true;
}
