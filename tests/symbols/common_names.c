/* common_names.c — a learner's program that gives its own functions and
 * globals the names a learner picks first (flush, receive, spawn, badarg)
 * and the names of the runtime's internals (utf8_decode, heap_copy, dn...),
 * with other types and meanings. It must link with libtapa.a and with the
 * shared library, and run: its names are its own (checked below), and the
 * runtime beside it still works, through the paths that use the internals
 * of the same names (atoms with UTF-8 names, messages copied between heaps).
 * Run by tests/symbols/check-symbols.sh (make check-symbols).
 */
#include "tapa.h"

#include <stdio.h>
#include <string.h>

/* -- the learner's own, named as the tutorial's words ----------------------- */
int flush(void)
{
    return 11;
}
int receive(int x)
{
    return x + 1;
}
int spawn(int n)
{
    return n * 2;
}
const char *badarg(void)
{
    return "my badarg";
}

/* -- and as the runtime's internals (nm of libtapa.a before issue 12) -------- */
int utf8_decode(const char *s)
{
    return s[0] == 'x' ? 7 : -1;
}
int heap_copy = 42;
double dn = 2.5;
char el[8] = "el";
long heap_alloc(long n)
{
    return n + 100;
}
int deliver_message(void)
{
    return 3;
}
int mailbox_push(int a, int b)
{
    return a - b;
}
int proc_lookup(void)
{
    return 5;
}
int sched_init(void)
{
    return 6;
}
int sched_now_ms = 8;
int atom_intern(int x)
{
    return -x;
}
int pattern_match(void)
{
    return 9;
}
int parse_literal(void)
{
    return 10;
}
int inspect_into(void)
{
    return 12;
}
int sb_printf(void)
{
    return 13;
}
int term_fail(void)
{
    return 14;
}
int trace_write(void)
{
    return 15;
}
int trace_on = 16;
int link_add(void)
{
    return 17;
}
int monitor_add(void)
{
    return 18;
}
int registry_add(void)
{
    return 19;
}
int stack_prepare(void)
{
    return 20;
}
int etf_encode(void)
{
    return 21;
}
int node_at(void)
{
    return 22;
}
int peer_send(void)
{
    return 23;
}
int log_crash(void)
{
    return 24;
}
int ctx_switch(void)
{
    return 25;
}
int proc_spawn(void)
{
    return 26;
}
int export_lookup(void)
{
    return 27;
}

static int failures;

static void expect(int ok, const char *what)
{
    if (!ok) {
        printf("common names: FAIL: %s\n", what);
        failures++;
    }
}

static tapa_term parent;

/* a child: echoes one message back, built on its own heap */
static void echo(tapa_term arg)
{
    (void)arg;
    tapa_term msg = tapa_receive_any();
    tapa_send(parent, msg);
}

static void body(tapa_term arg)
{
    (void)arg;
    parent = tapa_self();
    const char *name = "h\xc3\xa9llo_\xe2\x9c\x93"; /* héllo_✓: the runtime decodes UTF-8 */
    tapa_term a = tapa_atom(name);
    expect(strcmp(tapa_atom_name(a), name) == 0, "the runtime's atom of a UTF-8 name");
    tapa_term child = tapa_spawn(echo, tapa_atom("none"));
    tapa_send(child, a);
    tapa_term back = tapa_receive_any();
    expect(back == a, "a message sent to a process and back (copied between heaps)");
    tapa_term child2 = tapa_spawn(echo, tapa_atom("none"));
    tapa_send(child2, tapa_int(123456));
    expect(tapa_int_value(tapa_receive_any()) == 123456, "an integer sent and back");
}

int main(void)
{
    /* the learner's names are the learner's */
    expect(flush() == 11 && receive(1) == 2 && spawn(3) == 6, "flush, receive, spawn are mine");
    expect(strcmp(badarg(), "my badarg") == 0, "badarg is mine");
    expect(utf8_decode("x") == 7 && heap_copy == 42 && dn == 2.5 && strcmp(el, "el") == 0,
           "utf8_decode, heap_copy, dn, el are mine");
    expect(heap_alloc(1) == 101 && deliver_message() == 3 && mailbox_push(5, 2) == 3 &&
               proc_lookup() == 5 && sched_init() == 6 && sched_now_ms == 8 &&
               atom_intern(4) == -4 && pattern_match() == 9 && parse_literal() == 10 &&
               inspect_into() == 12 && sb_printf() == 13 && term_fail() == 14 &&
               trace_write() == 15 && trace_on == 16 && link_add() == 17 && monitor_add() == 18 &&
               registry_add() == 19 && stack_prepare() == 20 && etf_encode() == 21 &&
               node_at() == 22 && peer_send() == 23 && log_crash() == 24 && ctx_switch() == 25 &&
               proc_spawn() == 26 && export_lookup() == 27,
           "the runtime's internal names are mine");
    /* and the runtime works beside them */
    int rc = tapa_run(body, tapa_atom("none"));
    expect(rc == 0, "tapa_run returns 0");
    if (failures) return 1;
    printf("common names: ok\n");
    return 0;
}
