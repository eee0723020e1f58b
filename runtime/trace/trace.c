/* trace.c — writes events as tab-separated lines:
 *   <microseconds since start> <kind> <pid a> <pid b or -> <term or ->
 * e.g. "1520	send	#PID<0.100.0>	#PID<0.101.0>	{:hello, \"world\"}".
 * The lessons' sequence charts are drawn from these files. */
#include "trace/trace.h"

#include <stdlib.h>
#include <uv.h>

bool trace_on;
static FILE *trace_file;
static uint64_t trace_start_ns;

static const char *const kind_names[] = {
    [TR_SPAWN] = "spawn",
    [TR_SEND] = "send",
    [TR_RECEIVE] = "receive",
    [TR_LINK] = "link",
    [TR_UNLINK] = "unlink",
    [TR_EXIT_SIGNAL] = "exit_signal",
    [TR_TRAP] = "trap",
    [TR_MONITOR] = "monitor",
    [TR_DOWN] = "down",
    [TR_REGISTER] = "register",
    [TR_UNREGISTER] = "unregister",
    [TR_EXIT] = "exit",
    [TR_NODE_UP] = "nodeup",
    [TR_NODE_DOWN] = "nodedown",
};

static void put_field(strbuf *sb, tapa_term t)
{
    sb_putc(sb, '\t');
    if (t == TAPA_NONE) sb_putc(sb, '-');
    else inspect_into(sb, t);
}

void trace_write(trace_kind kind, tapa_term a, tapa_term b, tapa_term term)
{
    strbuf sb = {0};
    sb_printf(&sb, "%llu\t%s", (unsigned long long)((uv_hrtime() - trace_start_ns) / 1000),
              kind_names[kind]);
    put_field(&sb, a);
    put_field(&sb, b);
    put_field(&sb, term);
    /* A term may contain newlines (in strings they are escaped; this is
     * for safety with odd atoms): keep one event per line. */
    for (size_t i = 0; i < sb.len; i++)
        if (sb.data[i] == '\n') sb.data[i] = ' ';
    sb_putc(&sb, '\n');
    fwrite(sb.data, 1, sb.len, trace_file);
    sb_free(&sb);
}

bool tapa_trace_to(const char *path)
{
    trace_close();
    if (!path) return true;
    trace_file = fopen(path, "w");
    if (!trace_file) {
        fprintf(stderr, "tapa: cannot write the trace to %s; check that its folder exists\n", path);
        return false;
    }
    /* Line-buffered: a program that crashes or is killed keeps its trace
     * up to the last event, which is when the chart is most wanted. */
    setvbuf(trace_file, NULL, _IOLBF, 0);
    trace_start_ns = uv_hrtime();
    trace_on = true;
    return true;
}

void trace_init_from_env(void)
{
    const char *path = getenv("TAPA_TRACE");
    if (path && *path && !trace_on) tapa_trace_to(path);
}

void trace_close(void)
{
    trace_on = false;
    if (trace_file) fclose(trace_file);
    trace_file = NULL;
}
