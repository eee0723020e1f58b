/* receive.c — selective receive, flush, sleep and the collector's trigger.
 *
 * A receive scans the mailbox oldest first and takes the first message
 * that matches any of its patterns; the others stay where they are. While
 * it waits, it remembers where its scan stopped so a new message is the
 * only one it looks at (BEAM's save pointer). For pin-free patterns that
 * memory outlives the receive: the next receive with the same patterns
 * skips the messages already known not to match, so a server loop with
 * junk parked in its mailbox does not rescan the junk every time.
 */
#include "sched/process.h"
#include "support/hash.h"
#include "term/pattern.h"
#include "trace/trace.h"

#include <stdlib.h>
#include <string.h>

#define MAX_CLAUSES 8

typedef struct clauses {
    const pattern *p[MAX_CLAUSES];
    int n;
    uint64_t key; /* identity of this pattern set, 0 if it has pins */
} clauses;

/* Cold and out of line: its buffers would otherwise sit in every receive's
 * frame, and a waiting process keeps its frame (copy stacks). */
static __attribute__((noinline, cold)) _Noreturn void bad_pattern(const char *src,
                                                                  const tapa_parse_error *err)
{
    term_badarg("receive: the pattern \"%s\" is malformed at line %d, column %d: %s", src,
                err->line, err->column, err->message);
}

/* Out of line so the parse error buffer is not in receive's frame. */
static __attribute__((noinline)) const pattern *compiled(const char *src)
{
    tapa_parse_error err;
    const pattern *p = pattern_cached(src, &err);
    if (!p) bad_pattern(src, &err);
    return p;
}

static void compile_clauses(clauses *c, const char *const *patterns)
{
    c->n = 0;
    c->key = TAPA_FNV64_BASIS;
    bool pins = false;
    for (const char *src; (src = *patterns++);) {
        if (c->n == MAX_CLAUSES) term_badarg("receive: more than 8 patterns; split the receive");
        const pattern *p = compiled(src);
        pins |= pattern_has_pins(p);
        c->p[c->n++] = p;
        c->key = tapa_fnv64_mix(c->key, (uint64_t)(uintptr_t)p);
    }
    if (pins || c->key == 0) c->key = 0;
}

/* Conservative roots: the registers and the stack (stack.c). */
static __attribute__((noinline)) void collect(process *p)
{
    stack_mark_roots(p);
    mailbox_mark(p);
    heap_mark_term(&p->heap, p->arg);
    heap_mark_term(&p->heap, p->exit_reason);
    heap_sweep(&p->heap);
}

static void maybe_collect(process *p)
{
    if (!heap_wants_gc(&p->heap)) return;
    collect(p);
    if (proc_heap_over_limit(p)) sched_exit_current(A(killed));
}

/* A message matched but its bindings do not fit in the tapa_match: said
 * loudly, since skipping it would leave the process waiting for ever. */
static __attribute__((noinline, cold)) _Noreturn void no_room(const tapa_match *m)
{
    term_badarg(
        "receive: a message matched, but the pattern's variables and the %d values already "
        "in the tapa_match (pins included) are more than TAPA_MAX_VARS (%d). Use _ for the "
        "values you do not need, or pin fewer. (Declare each one as `tapa_match m = {0};`.)",
        m->count, TAPA_MAX_VARS);
}

static int match_one(const clauses *c, tapa_term t, tapa_match *m)
{
    for (int i = 0; i < c->n; i++) {
        if (pattern_match(c->p[i], t, m)) return i;
        if (pattern_no_room) no_room(m);
    }
    return -1;
}

/* Scans from *at on; on a match removes the message and returns the clause. */
static int scan(process *p, const clauses *c, msg ***at, tapa_match *m)
{
    for (msg **pos = *at; *pos; pos = &(*pos)->next) {
        tapa_term t = (*pos)->term;
        int clause = match_one(c, t, m);
        if (clause < 0) continue;
        m->message = t;
        mailbox_unlink(&p->mbox, pos);
        *at = pos;
        return clause;
    }
    *at = p->mbox.tail;
    return -1;
}

/* Every message before *at is known not to match these (pin-free) patterns. */
static void remember_scan(mailbox *mb, const clauses *c, msg **at)
{
    if (!c->key) return;
    mb->resume = at;
    mb->resume_key = c->key;
}

static msg **scan_start(process *p, const clauses *c)
{
    mailbox *mb = &p->mbox;
    if (c->key && mb->resume_key == c->key && mb->resume) return mb->resume;
    return &mb->head;
}

static bool is_pin_name(const char *name);

/* Bindings of an earlier receive are dropped; pinned values stay. */
static void keep_only_pins(tapa_match *m)
{
    /* An uninitialised tapa_match (no `= {0}`) has a garbage count: the loop
     * below would read and write past its arrays. */
    if (m->count < 0 || m->count > TAPA_MAX_VARS)
        term_badarg("receive: the tapa_match holds garbage; declare it as "
                    "`tapa_match m = {0};` before the first receive");
    int kept = 0;
    for (int i = 0; i < m->count; i++) {
        if (!is_pin_name(m->names[i])) continue;
        m->names[kept] = m->names[i];
        m->values[kept++] = m->values[i];
    }
    m->count = kept;
}

/* receive's `after` and Process.sleep take ms >= 0 or TAPA_INFINITY; any
 * other negative number is BEAM's timeout_value error. receive's `after`
 * also stops at 2^32-1 ms, as BEAM's does (timer:sleep has no such limit). */
#define RECEIVE_MAX_TIMEOUT_MS 4294967295LL

static __attribute__((noinline, cold)) _Noreturn void bad_timeout(const char *call, int64_t ms)
{
    char why[300];
    if (ms == TAPA_TIMEOUT)
        snprintf(why, sizeof why,
                 "%s: the timeout is TAPA_TIMEOUT (-2). TAPA_TIMEOUT is what tapa_receive "
                 "returns; to wait forever pass TAPA_INFINITY.",
                 call);
    else
        snprintf(why, sizeof why,
                 "%s: the timeout %lld is %s. Give a time in milliseconds (%s), or "
                 "TAPA_INFINITY to wait for ever.",
                 call, (long long)ms, ms < 0 ? "negative" : "too large",
                 ms < 0 ? "0 or more" : "at most 4294967295, 2^32-1");
    term_fail(tapa_atom("timeout_value"), why);
}

/* ^name with nothing pinned under that name: Elixir does not compile it
 * ("undefined variable ^name"); matching nothing would leave the process
 * waiting for ever without a word. */
static __attribute__((noinline, cold)) _Noreturn void unbound_pin(const char *src, const char *name)
{
    term_badarg("receive: the pattern \"%s\" uses ^%s, but no value is pinned as \"%s\". "
                "Call tapa_pin(&m, \"%s\", value) on this tapa_match before the receive.",
                src, name, name, name);
}

/* Out of line: only receives with pins get here, once per receive. */
static __attribute__((noinline)) void check_pins(const clauses *c, const char *const *patterns,
                                                 const tapa_match *m)
{
    for (int i = 0; i < c->n; i++) {
        const char *name = pattern_unbound_pin(c->p[i], m);
        if (name) unbound_pin(patterns[i], name);
    }
}

/* One pass over the mailbox from *at (NULL: from the start, or from the
 * save point these patterns left). Out of line, so the compiled clauses
 * live only in its frame and not on the stack of a waiting process. */
static __attribute__((noinline)) int scan_pass(process *p, const char *const *patterns, msg ***at,
                                               tapa_match *m)
{
    clauses c;
    compile_clauses(&c, patterns);
    if (!*at) {
        if (__builtin_expect(!c.key, 0)) check_pins(&c, patterns, m);
        *at = scan_start(p, &c);
        /* A different receive may remove messages the saved point depends on. */
        mailbox_forget_save_point(&p->mbox);
    }
    int clause = scan(p, &c, at, m);
    remember_scan(&p->mbox, &c, *at);
    return clause;
}

int tapa_receive_(tapa_match *m, int64_t timeout_ms, const char *const *patterns)
{
    process *p = proc_self_or_fail("receive");
    proc_check_pending(p);
    if ((timeout_ms < 0 && timeout_ms != TAPA_INFINITY) || timeout_ms > RECEIVE_MAX_TIMEOUT_MS)
        bad_timeout("receive", timeout_ms);
    uint64_t deadline = timeout_ms > 0 ? sched_deadline_in(timeout_ms) : SCHED_NO_DEADLINE;
    keep_only_pins(m);
    msg **at = NULL;
    for (bool waited = false;; waited = true) {
        int clause = scan_pass(p, patterns, &at, m);
        if (clause >= 0) {
            TRACE(TR_RECEIVE, p->pid, TAPA_NONE, m->message);
            return clause;
        }
        if ((waited && p->timed_out) || timeout_ms == 0) break;
        maybe_collect(p);
        if (deadline != SCHED_NO_DEADLINE && sched_now_ms() >= deadline) break;
        sched_wait(p, deadline);
    }
    return TAPA_TIMEOUT;
}

/* receive do msg -> msg end: no patterns to match, so no bindings either. */
tapa_term tapa_receive_any(void)
{
    process *p = proc_self_or_fail("receive");
    proc_check_pending(p);
    while (!p->mbox.head) {
        maybe_collect(p);
        sched_wait(p, SCHED_NO_DEADLINE);
    }
    tapa_term t = p->mbox.head->term;
    mailbox_unlink(&p->mbox, &p->mbox.head);
    mailbox_forget_save_point(&p->mbox); /* it may have pointed into the message taken */
    TRACE(TR_RECEIVE, p->pid, TAPA_NONE, t);
    return t;
}

tapa_term tapa_var(const tapa_match *m, const char *name)
{
    for (int i = m->count; i-- > 0;)
        if (m->names[i] && strcmp(m->names[i], name) == 0) return m->values[i];
    term_badarg("tapa_var: no variable named \"%s\" was bound by the pattern that matched. "
                "Check the spelling, and which clause matched (tapa_receive's result).",
                name);
}

/* Pins are kept among the bindings, under names interned in pin_names, so
 * the matcher finds them like any binding and a new receive can tell them
 * apart from the ordinary bindings it drops. */
static char pin_names[64][32];
static int pin_names_used;

static bool is_pin_name(const char *name)
{
    return name >= pin_names[0] && name < pin_names[0] + sizeof pin_names;
}

static const char *intern_pin_name(const char *name)
{
    for (int i = 0; i < pin_names_used; i++)
        if (strcmp(pin_names[i], name) == 0) return pin_names[i];
    if (pin_names_used == 64 || strlen(name) >= sizeof pin_names[0])
        term_badarg("tapa_pin: too many pinned names, or a name longer than 31 bytes");
    snprintf(pin_names[pin_names_used], sizeof pin_names[0], "%s", name);
    return pin_names[pin_names_used++];
}

void tapa_pin(tapa_match *m, const char *name, tapa_term value)
{
    TERM_ARG(value, "tapa_pin", 3);
    const char *key = intern_pin_name(name);
    for (int i = 0; i < m->count; i++)
        if (m->names[i] == key) {
            m->values[i] = value;
            return;
        }
    if (m->count == TAPA_MAX_VARS) term_badarg("tapa_pin: too many bindings");
    m->names[m->count] = key;
    m->values[m->count++] = value;
}

void tapa_flush(void)
{
    process *p = proc_self_or_fail("flush()");
    while (p->mbox.head) {
        tapa_term t = p->mbox.head->term;
        mailbox_unlink(&p->mbox, &p->mbox.head);
        TRACE(TR_RECEIVE, p->pid, TAPA_NONE, t);
        tapa_fprint_term(stdout, t);
        fputc('\n', stdout);
    }
    mailbox_forget_save_point(&p->mbox);
    fflush(stdout);
}

void tapa_sleep(int64_t ms)
{
    process *p = proc_self_or_fail("Process.sleep");
    if (ms < 0 && ms != TAPA_INFINITY) bad_timeout("Process.sleep", ms);
    /* Read the clock before collecting: the wait counts from the call. */
    uint64_t deadline = ms == TAPA_INFINITY ? SCHED_NO_DEADLINE : sched_deadline_in(ms);
    /* Only waits collect: a process that sleeps and sends (a ticker) but
     * never receives would otherwise keep all its garbage until the heap
     * limit kills it. */
    maybe_collect(p);
    if (ms == 0) {
        proc_check_pending(p);
        return;
    }
    /* Messages wake a sleeper; it goes back to sleep until the deadline. */
    while (deadline == SCHED_NO_DEADLINE || sched_now_ms() < deadline) sched_wait(p, deadline);
}

void tapa_yield(void)
{
    process *p = proc_current();
    if (!p) return;
    proc_check_pending(p);
    maybe_collect(p); /* as in tapa_sleep: a yielding worker makes garbage too */
    sched_requeue(p);
}
