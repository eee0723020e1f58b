/* probe.h — what the course's probes share.
 *
 * A probe is a small tapa program linked with the learner's exercise (its
 * main renamed away). The grader runs it once per scenario, as a real child
 * process with a timeout and limits:
 *
 *     probe SCENARIO SEED KEY
 *
 * and reads its verdicts on stdout, one per line:
 *
 *     @pass KEY ID
 *     @fail KEY ID<TAB>what was expected, what happened, what to try
 *
 * KEY is a fresh random value per run. The probe copies it and wipes it from
 * argv (so /proc/self/cmdline no longer shows it) before the learner's code
 * runs; the grader takes only verdicts that carry it, and flags for review a
 * run with verdict-like lines without it (see the README's threat model).
 *
 * Everything the learner's code prints goes to a capture file instead of
 * stdout, so the probe can read it back (captured_has_line) and judge it.
 * At the end the probe copies the capture after its verdicts, each line
 * prefixed with "| ", for the grader to show in its report.
 *
 * Seeds make the probes' random choices (message counts, junk terms, exit
 * reasons) repeatable: the grader prints the seed it used.
 */
#ifndef TAPA_PROBE_H
#define TAPA_PROBE_H

#include "tapa.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static FILE *probe_out; /* the real stdout: verdicts */
static int probe_capture_fd = -1; /* fd 1 now points here */
static const char *probe_check; /* the check being judged */
static uint64_t probe_seed = 1;
static int64_t probe_slow = 1;
static char probe_key[40] = "nokey"; /* this run's secret: verdicts carry it */

/* ------------------------------------------------------------- verdicts -- */

static void probe_verdict(const char *id, bool ok, const char *fmt, va_list ap) TAPA_PRINTF(3, 0);
static void probe_verdict(const char *id, bool ok, const char *fmt, va_list ap)
{
    char text[2048];
    vsnprintf(text, sizeof text, fmt, ap);
    for (char *c = text; *c; c++)
        if (*c == '\n' || *c == '\t') *c = ' ';
    if (ok) fprintf(probe_out, "@pass %s %s\n", probe_key, id);
    else fprintf(probe_out, "@fail %s %s\t%s\n", probe_key, id, text);
    fflush(probe_out);
}

static void probe_pass(void)
{
    fprintf(probe_out, "@pass %s %s\n", probe_key, probe_check);
    fflush(probe_out);
}

static void probe_fail(const char *fmt, ...) TAPA_PRINTF(1, 2);
static void probe_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    probe_verdict(probe_check, false, fmt, ap);
    va_end(ap);
}

/* Judge one condition of the current check: on failure report it and leave
 * the check function. */
#define EXPECT(cond, ...)            \
    do {                             \
        if (!(cond)) {               \
            probe_fail(__VA_ARGS__); \
            return;                  \
        }                            \
    } while (0)

/* -------------------------------------------------------------- capture -- */

static void probe_capture_start(void)
{
    fflush(stdout);
    int real = dup(1);
    probe_out = fdopen(real, "w");
    FILE *tmp = tmpfile();
    if (!probe_out || !tmp) {
        perror("probe: capture");
        exit(3);
    }
    probe_capture_fd = dup(fileno(tmp));
    dup2(fileno(tmp), 1);
    fclose(tmp);
}

/* Everything printed so far (malloc'd, NUL-terminated). */
static char *captured(void)
{
    fflush(stdout);
    off_t end = lseek(probe_capture_fd, 0, SEEK_END);
    char *buf = malloc((size_t)(end > 0 ? end : 0) + 1);
    ssize_t n = end > 0 ? pread(probe_capture_fd, buf, (size_t)end, 0) : 0;
    buf[n > 0 ? n : 0] = 0;
    return buf;
}

/* How many lines of the capture are exactly `line`. */
static int captured_count(const char *line)
{
    char *all = captured();
    int count = 0;
    size_t len = strlen(line);
    for (char *p = all; *p;) {
        char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        if (n == len && memcmp(p, line, len) == 0) count++;
        p += n + (nl ? 1 : 0);
    }
    free(all);
    return count;
}

static bool captured_has_line(const char *line)
{
    return captured_count(line) > 0;
}

/* Is there a line that starts with `prefix` and ends with `suffix`? */
static bool captured_has_around(const char *prefix, const char *suffix)
{
    char *all = captured();
    bool found = false;
    size_t lp = strlen(prefix), ls = strlen(suffix);
    for (char *p = all; *p && !found;) {
        char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        found = n >= lp + ls && memcmp(p, prefix, lp) == 0 && memcmp(p + n - ls, suffix, ls) == 0;
        p += n + (nl ? 1 : 0);
    }
    free(all);
    return found;
}

/* The line number (0-based) of the first line equal to `line` at or after
 * line `from`, or -1. */
static int captured_find(const char *line, int from)
{
    char *all = captured();
    int at = -1, i = 0;
    size_t len = strlen(line);
    for (char *p = all; *p; i++) {
        char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        if (i >= from && n == len && memcmp(p, line, len) == 0) {
            at = i;
            break;
        }
        p += n + (nl ? 1 : 0);
    }
    free(all);
    return at;
}

static void probe_dump_capture(void)
{
    char *all = captured();
    for (char *p = all; *p;) {
        char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        fprintf(probe_out, "| %.*s\n", (int)n, p);
        p += n + (nl ? 1 : 0);
    }
    free(all);
    fflush(probe_out);
}

/* -------------------------------------------------------------- helpers -- */

/* A term as iex prints it, in one of 8 rotating buffers. */
static const char *txt(tapa_term t)
{
    static char bufs[8][512];
    static int next;
    char *b = bufs[next++ % 8];
    if (t == TAPA_NONE) return "TAPA_NONE"; /* not a term: tapa_inspect_to would stop the probe */
    tapa_inspect_to(b, 512, t);
    return b;
}

/* A value the learner's code returned, made safe to judge: `return 0;` in a
 * function returning tapa_term compiles (0 is a null pointer to C) and gives
 * TAPA_NONE, which no tapa function takes. It becomes an atom that says so,
 * and the verdict that prints it tells the learner what happened. */
#define PROBE_NOT_A_TERM "TAPA_NONE: `return 0;` is not a term, tapa_int(0) is the number 0"
static tapa_term learner_value(tapa_term t)
{
    return t != TAPA_NONE ? t : tapa_atom(PROBE_NOT_A_TERM);
}

static uint32_t probe_rand(uint32_t below)
{
    probe_seed = probe_seed * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(probe_seed >> 33) % below;
}

/* Let every runnable process run until it waits (scaled for slow builds). */
static void settle(void)
{
    tapa_sleep(30 * probe_slow);
}

static int64_t ms(int64_t base)
{
    return base * probe_slow;
}

static int64_t queue_len(tapa_term pid)
{
    tapa_term kv = tapa_info_key(pid, "message_queue_len");
    return tapa_is_tuple(kv) ? tapa_int_value(tapa_element(kv, 1)) : -1;
}

static tapa_term links_of(tapa_term pid)
{
    tapa_term kv = tapa_info_key(pid, "links");
    return tapa_is_tuple(kv) ? tapa_element(kv, 1) : tapa_empty_list();
}

/* Wait for {:DOWN, ^ref, :process, _, reason}; TAPA_NONE on timeout. */
static tapa_term wait_down(tapa_term ref, int64_t timeout_ms)
{
    tapa_match m = {0};
    tapa_pin(&m, "ref", ref);
    if (tapa_receive(&m, timeout_ms, "{:DOWN, ^ref, :process, _, reason}") != 0) return TAPA_NONE;
    return tapa_var(&m, "reason");
}

/* Run fn(arg) in a fresh process that is monitored, so that a crash in the
 * learner's code is seen as a reason instead of ending the probe. The
 * process sends its result as {:probe_result, value}. Returns the value, or
 * TAPA_NONE with *why set to the exit reason (or :timeout). */
static tapa_term call_in_process(tapa_fn fn, tapa_term arg, int64_t timeout_ms, tapa_term *why)
{
    tapa_term pr = tapa_spawn_monitor(fn, tapa_tuple(tapa_self(), arg));
    tapa_term pid = tapa_element(pr, 0), ref = tapa_element(pr, 1);
    tapa_match m = {0};
    tapa_pin(&m, "pid", pid);
    tapa_pin(&m, "ref", ref);
    int got = tapa_receive(&m, timeout_ms, "{:probe_result, ^pid, value}",
                           "{:DOWN, ^ref, :process, _, reason}");
    if (got == 0) {
        tapa_term value = tapa_var(&m, "value");
        tapa_demonitor(ref, true);
        return value;
    }
    if (why) *why = got == 1 ? tapa_var(&m, "reason") : tapa_atom("timeout");
    if (got != 1) tapa_exit_pid(pid, tapa_atom("kill"));
    return TAPA_NONE;
}

/* For fns run by call_in_process: arg is {caller, real_arg}. */
static tapa_term probe_arg(tapa_term arg)
{
    return tapa_element(arg, 1);
}
static void probe_reply(tapa_term arg, tapa_term value)
{
    tapa_send(tapa_element(arg, 0),
              tapa_tuple(tapa_atom("probe_result"), tapa_self(), learner_value(value)));
}

/* ------------------------------------------------------------- scenarios -- */

typedef struct probe_scenario {
    const char *name;
    void (*run)(void);
} probe_scenario;

static const probe_scenario *probe_chosen;

static void probe_main(tapa_term arg)
{
    tapa_trap_exit(true); /* a learner's link to us must not end the probe */
    probe_chosen->run();
}

/* Called by each probe's main with its table (ending with {0}). */
static int probe_run(int argc, char **argv, const probe_scenario *table)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s SCENARIO [SEED]\nscenarios:", argv[0]);
        for (const probe_scenario *s = table; s->name; s++) fprintf(stderr, " %s", s->name);
        fprintf(stderr, "\n");
        return 2;
    }
    if (argc > 2) probe_seed = strtoull(argv[2], NULL, 10) * 2654435761u + 1;
    if (argc > 3) { /* keep the key, then wipe it where /proc/self/cmdline reads it */
        snprintf(probe_key, sizeof probe_key, "%s", argv[3]);
        memset(argv[3], 'x', strlen(argv[3]));
    }
    const char *slow = getenv("TAPA_SLOW");
    if (slow && atoi(slow) > 1) probe_slow = atoi(slow);
    for (const probe_scenario *s = table; s->name; s++)
        if (strcmp(s->name, argv[1]) == 0) probe_chosen = s;
    if (!probe_chosen) {
        fprintf(stderr, "probe: no scenario %s\n", argv[1]);
        return 2;
    }
    probe_capture_start();
    int rc = tapa_run(probe_main, tapa_nil());
    fprintf(probe_out, "@end %d\n", rc);
    probe_dump_capture();
    return rc;
}

/* Start the check `id`: the verdicts that follow belong to it. */
#define CHECK(id) (probe_check = (id))

#endif
