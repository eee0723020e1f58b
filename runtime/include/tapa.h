/* tapa.h — Erlang-style processes and message passing in C (libtapa).
 *
 * A tapa program runs processes on one libuv loop. Each process is a C
 * function that runs in straight-line code and blocks in tapa_receive()
 * until a message matching one of its patterns arrives. Terms are immutable
 * values printed exactly as iex prints them.
 *
 *   static void receiver(tapa_term arg) {
 *       tapa_match m = {0};
 *       switch (tapa_receive(&m, TAPA_INFINITY, "{:ping, from}", ":show_pid")) {
 *       case 0: tapa_send(tapa_var(&m, "from"), tapa_atom("pong")); break;
 *       case 1: tapa_inspect(tapa_self(), "pid"); break;
 *       }
 *   }
 *
 * Memory: a process never frees terms. Every term a process makes or
 * receives lives on that process's heap; the heap is collected (the C stack
 * is scanned for live terms) when the process waits in tapa_receive, and is
 * freed whole when the process exits. Sending copies the message into the
 * receiver's heap, so processes share nothing. Do not keep terms in C
 * globals or in malloc'd memory across a receive: keep them in locals.
 *
 * Pointer lifetimes, for every pointer this API returns or takes:
 *   - a tapa_term, and a pointer into one (tapa_binary_data): valid while
 *     the process that made or received it holds it in a local variable
 *     (its C stack or registers: a pointer into a term keeps the whole term
 *     alive, as the term itself does), until that process exits. Not valid
 *     once kept only in a C global or malloc'd memory across a receive,
 *     sleep or yield (the collector does not look there), and never in
 *     another process: send the term instead (the receiver gets a copy).
 *     Terms made outside any process (before tapa_run) are never collected.
 *   - tapa_atom_name: the interned name, valid for the life of the program.
 *   - tapa_inspect_alloc: malloc'd; yours to free().
 *   - tapa_match: yours (a local); the names in it point into the runtime's
 *     compiled patterns and stay valid for the life of the program.
 *   - a pointer to a process's local variable: never valid in another
 *     process, not even while the owner waits. Release builds run waiting
 *     processes on shared copy stacks, so such a pointer reads another
 *     process's frames; the sanitizer and valgrind builds make a waiting
 *     process's stack unreachable and report the access.
 *
 * Scheduling is cooperative: a process runs until it receives, sleeps or
 * exits. Never call blocking C (sleep(), read() on a socket, a long loop
 * without tapa_yield()) inside a process; use tapa_sleep() and messages.
 */
#ifndef TAPA_H
#define TAPA_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- terms -- */

/* A term is one 64-bit word: small integers, atoms, pids and [] are
 * immediate; everything else points into the owning process's heap. */
typedef uint64_t tapa_term;

#define TAPA_NONE ((tapa_term)0) /* "no term": absent value, error return */

typedef enum tapa_type {
    TAPA_T_NONE = 0,
    TAPA_T_INTEGER, /* small or big */
    TAPA_T_FLOAT,
    TAPA_T_ATOM,
    TAPA_T_REFERENCE,
    TAPA_T_FUN,
    TAPA_T_PORT,
    TAPA_T_PID,
    TAPA_T_TUPLE,
    TAPA_T_MAP,
    TAPA_T_NIL, /* [] */
    TAPA_T_LIST, /* a cons cell; the list may be improper */
    TAPA_T_BINARY,
} tapa_type;

tapa_type tapa_type_of(tapa_term t);

/* Construction. All return TAPA_NONE only on a system limit (atom table
 * full), after printing why. */
tapa_term tapa_atom(const char *utf8_name);
tapa_term tapa_atom_n(const char *utf8_name, size_t len);
tapa_term tapa_int(int64_t value);
tapa_term tapa_float(double value);
tapa_term tapa_binary(const void *bytes, size_t len);
tapa_term tapa_string(const char *utf8); /* an Elixir string: a binary */
tapa_term tapa_charlist(const char *utf8); /* 'abc': a list of code points */
tapa_term tapa_tuple(size_t arity, ...); /* tapa_tuple(2, a, b) */
tapa_term tapa_tuple_v(size_t arity, const tapa_term *elements);
tapa_term tapa_cons(tapa_term head, tapa_term tail);
tapa_term tapa_list(size_t n, ...); /* proper list of n terms */
tapa_term tapa_list_v(size_t n, const tapa_term *elements);
tapa_term tapa_nil(void);
tapa_term tapa_map_new(void);
tapa_term tapa_map_put(tapa_term map, tapa_term key, tapa_term value); /* new map */
tapa_term tapa_make_ref(void);
tapa_term tapa_true(void);
tapa_term tapa_false(void);
tapa_term tapa_bool(bool b);

/* Build a term from an Elixir literal. Placeholders take arguments:
 *   ~t any term   ~p a pid (a term)   ~i int64_t   ~f double
 *   ~s a C string as an Elixir string   ~a a C string as an atom
 * e.g. tapa_t("{:ping, ~p}", tapa_self()). A malformed literal stops the
 * calling process with a clear error that gives its line and column. */
tapa_term tapa_t(const char *literal, ...);

typedef struct tapa_parse_error {
    int line, column; /* 1-based, where the problem is */
    char message[160];
} tapa_parse_error;
/* The same, without stopping: returns TAPA_NONE and fills *err. */
tapa_term tapa_parse(const char *literal, tapa_parse_error *err, ...);
tapa_term tapa_parse_v(const char *literal, tapa_parse_error *err, va_list ap);

/* Reading terms. Accessors on the wrong type stop the process with
 * :badarg, as Erlang's BIFs do. */
bool tapa_is_atom(tapa_term t);
bool tapa_is_integer(tapa_term t);
bool tapa_is_pid(tapa_term t);
bool tapa_is_tuple(tapa_term t);
bool tapa_is_list(tapa_term t); /* [] or a cons */
bool tapa_is_binary(tapa_term t);
bool tapa_is_fun(tapa_term t);
const char *tapa_atom_name(tapa_term atom); /* interned, NUL-terminated */
int64_t tapa_int_value(tapa_term t); /* :badarg if it does not fit */
double tapa_float_value(tapa_term t);
size_t tapa_tuple_size(tapa_term t);
tapa_term tapa_element(tapa_term tuple, size_t index); /* 0-based */
tapa_term tapa_hd(tapa_term list);
tapa_term tapa_tl(tapa_term list);
size_t tapa_length(tapa_term proper_list);
const uint8_t *tapa_binary_data(tapa_term t); /* lifetime: see "Pointer lifetimes" above */
size_t tapa_binary_size(tapa_term t);
tapa_term tapa_map_get(tapa_term map, tapa_term key); /* TAPA_NONE if absent */
size_t tapa_map_size(tapa_term map);
tapa_term tapa_keyword_get(tapa_term keyword_list, const char *key); /* Keyword.get */

/* Erlang's term order: number < atom < reference < fun < port < pid <
 * tuple < map < [] < list < binary. tapa_compare gives -1/0/1 with
 * 1 == 1.0; tapa_equal is exact (===). */
int tapa_compare(tapa_term a, tapa_term b);
bool tapa_equal(tapa_term a, tapa_term b);

/* Printing, exactly as iex 1.14 inspects. */
size_t tapa_inspect_to(char *buf, size_t size, tapa_term t); /* snprintf-like */
char *tapa_inspect_alloc(tapa_term t); /* malloc'd; the caller frees */
void tapa_fprint_term(FILE *out, tapa_term t);
/* printf with %T for a term, on one line as inspect/1 prints it (as in
 * "Received: #{inspect(msg)}"); also %s %d %i %u %ld %lld %zu %f %g %c %p %x %%.
 * tapa_inspect and tapa_fprint_term print as IO.inspect: broken at 80 columns. */
int tapa_printf(const char *fmt, ...);
int tapa_fprintf(FILE *out, const char *fmt, ...);
int tapa_vfprintf(FILE *out, const char *fmt, va_list ap);
/* IO.inspect(term, label: label): prints "label: term", returns term. */
tapa_term tapa_inspect(tapa_term t, const char *label);

/* ----------------------------------------------------------------- funs -- */

/* A fun is an exported C function plus captured terms. Its C function gets
 * the captured terms first, then the call's arguments. */
typedef tapa_term (*tapa_fun_fn)(const tapa_term *captured, const tapa_term *args);
/* Export a C function under Module.function/arity so funs and remote spawns
 * can name it (module in Elixir form, e.g. "TapaMessages" or ":erlang"). */
void tapa_export(const char *module, const char *function, int arity, tapa_fun_fn fn);
/* fn(x) -> ... with nfree captured terms following. */
tapa_term tapa_fun(const char *module, const char *function, int arity, size_t nfree, ...);
tapa_term tapa_apply(tapa_term fun, size_t nargs, ...);
tapa_term tapa_apply_v(tapa_term fun, size_t nargs, const tapa_term *args);

/* ------------------------------------------------------------ processes -- */

typedef void (*tapa_fn)(tapa_term arg);

#define TAPA_INFINITY (-1LL)
#define TAPA_TIMEOUT (-1) /* tapa_receive's result when `after` fired */
#define TAPA_MAX_VARS 8 /* bindings and pins of one receive */

/* The bindings of one receive: variables the matching clause bound, and
 * values pinned beforehand with tapa_pin (used as ^name in patterns). Keep
 * it in a local variable: the collector finds its terms there. */
typedef struct tapa_match {
    int count;
    const char *names[TAPA_MAX_VARS];
    tapa_term values[TAPA_MAX_VARS];
    tapa_term message; /* the whole message that matched */
} tapa_match;

/* Run fn(arg) as the node's main process (as the iex shell is) until it
 * returns or exits; then stop every other process and return 0 if main
 * ended :normal, 1 otherwise (2: a deadlock). Options come from the
 * environment: TAPA_TRACE=file writes the event trace. Call it from main()
 * (once, or once per run in turn): called inside a process it stops that
 * process with :badarg and says so. */
int tapa_run(tapa_fn main_fn, tapa_term arg);

tapa_term tapa_self(void);
tapa_term tapa_spawn(tapa_fn fn, tapa_term arg);
tapa_term tapa_spawn_link(tapa_fn fn, tapa_term arg);
/* Returns {pid, ref} as Process.spawn(fn, [:monitor]) does. */
tapa_term tapa_spawn_monitor(tapa_fn fn, tapa_term arg);

/* send(dest, msg): dest is a pid, a registered name (an atom: :badarg if
 * nobody has it) or {name, node}. Returns msg. A send to a dead pid is
 * dropped silently, as in Erlang. */
tapa_term tapa_send(tapa_term dest, tapa_term msg);

/* receive: wait up to timeout_ms (0: just look; TAPA_INFINITY: forever)
 * for the first message, oldest first, that matches any pattern; the
 * patterns are Elixir patterns: literals, tuples, lists ([h | t]), maps,
 * variables that bind, _ and ^pinned. Returns the index of the pattern
 * that matched, or TAPA_TIMEOUT. Unmatched messages stay in the mailbox,
 * in order. The timeout counts from the call and never ends early. Stops
 * the process with a clear message when a pattern is malformed (line and
 * column), when a ^name has no value pinned with tapa_pin (:badarg, as
 * Elixir refuses to compile it), or when timeout_ms is negative and not
 * TAPA_INFINITY, or above 4294967295 (2^32-1) ms (:timeout_value, as BEAM;
 * tapa_sleep has no upper limit, as timer:sleep). */
#define tapa_receive(m, timeout_ms, ...)                                          \
    tapa_receive_((m), (timeout_ms), (const char *const[]){__VA_ARGS__, (const char *)0})
/* The patterns as a NULL-terminated array (not varargs: a variadic frame
 * would keep a 176-byte register save area on every waiting stack). */
int tapa_receive_(tapa_match *m, int64_t timeout_ms, const char *const *patterns);
/* The next message, whatever it is (receive do msg -> msg end). */
tapa_term tapa_receive_any(void);
tapa_term tapa_var(const tapa_match *m, const char *name); /* :badarg if unbound */
void tapa_pin(tapa_match *m, const char *name, tapa_term value);

/* iex's flush(): prints every message in the mailbox and empties it. */
tapa_term tapa_flush(void);
/* Process.sleep: other processes run meanwhile; at least ms from the call
 * (TAPA_INFINITY: for ever; another negative value: :timeout_value). */
void tapa_sleep(int64_t ms);
void tapa_yield(void); /* let the others run (in long computations) */

/* exit(reason): ends the calling process. */
_Noreturn void tapa_exit(tapa_term reason);
/* raise "message": ends the calling process with %RuntimeError{}, logged. */
_Noreturn void tapa_raise(const char *fmt, ...);
/* Process.exit(pid, reason): sends an exit signal. Returns true. As on
 * BEAM the signal is asynchronous: the target acts on it when it next runs
 * (the caller goes on; a link's echo reaches it later), and nothing the
 * caller sends the target afterwards arrives before it. To the caller the
 * target is gone at once (tapa_alive, tapa_info, link and monitor see
 * :noproc). tapa_exit_pid(tapa_self(), reason) ends the caller at once. */
bool tapa_exit_pid(tapa_term pid, tapa_term reason);
bool tapa_alive(tapa_term pid);

/* Process.info(pid) as a keyword list, or nil for a dead process;
 * tapa_info_key returns {key, value} (as Process.info/2) or nil. */
tapa_term tapa_info(tapa_term pid);
tapa_term tapa_info_key(tapa_term pid, const char *key);

/* A process whose heap (its terms and waiting messages) grows past this is
 * killed and logged, as BEAM's max_heap_size does. Default 512 MiB, or the
 * environment's TAPA_MAX_HEAP_MB. */
void tapa_set_max_heap_mb(size_t mb);

bool tapa_register(tapa_term pid, const char *name); /* :badarg if taken */
bool tapa_unregister(const char *name);
tapa_term tapa_whereis(const char *name); /* pid or nil */
tapa_term tapa_registered(void); /* list of atoms */

bool tapa_link(tapa_term pid);
bool tapa_unlink(tapa_term pid);
/* Process.monitor(pid | name | {name, node}): a ref. The DOWN message names
 * the pid, or {name, node} for a name; a name nobody has gets a DOWN with
 * :noproc at once. DOWN messages come in the order the monitors were made. */
tapa_term tapa_monitor(tapa_term target);
bool tapa_demonitor(tapa_term ref, bool flush);
/* Process.flag(:trap_exit, on): returns the old value. */
bool tapa_trap_exit(bool on);

/* ---------------------------------------------------------------- trace -- */

/* Write the event trace (spawn, send, receive, link, exit signal, DOWN,
 * register, exit) to a file, one event per line. NULL stops tracing. */
bool tapa_trace_to(const char *path);

/* ----------------------------------------------------------- node setup -- */

/* The node's name (:nonode@nohost until distribution starts). */
tapa_term tapa_node(void);

/* --------------------------------------------------------- distribution -- */

/* Make this program a (hidden) Erlang node, as `iex --name` does: name is
 * "node1@127.0.0.1" (long) or "node1" (short: node1@this-host); cookie
 * NULL reads ~/.erlang.cookie (made, mode 0400, when absent; refused when
 * others may read it); ticktime_s 0 means 60 (net_ticktime). The node
 * listens on the host of its name and registers with the port mapper,
 * starting the kit's own when none runs. Other nodes, C or BEAM, connect
 * on first use. Returns false, having printed why, when it cannot start.
 * Call it from a process (usually main); the node stops with tapa_run. */
bool tapa_node_start(const char *name, const char *cookie, int ticktime_s);
void tapa_node_stop(void); /* every connection goes; peers see nodedown */
bool tapa_node_alive(void);
/* Node.ping(node): :pong when a connection is (or can be) made and the
 * peer answers, else :pang. node is an atom. */
tapa_term tapa_ping(tapa_term node);
tapa_term tapa_nodes(void); /* Node.list([:visible, :hidden]): connected nodes */
/* Node.monitor(node, flag): {:nodedown, node} when the connection goes. */
bool tapa_monitor_node(tapa_term node, bool on);
/* Node.spawn(node, module, function, args): module in Elixir form
 * ("Tapa.Demo", ":erlang"); args a list. Works with C and BEAM nodes. */
tapa_term tapa_spawn_on(tapa_term node, const char *module, const char *function, tapa_term args);
tapa_term tapa_spawn_link_on(tapa_term node, const char *module, const char *function, tapa_term args);
/* :rpc.call(node, module, function, args): the value, or {:badrpc, reason}. */
tapa_term tapa_rpc(tapa_term node, const char *module, const char *function, tapa_term args);
/* :erlang.list_to_pid('<A.B.C>') (A: 0 here, or a connected node's
 * channel; :badarg otherwise) and :erlang.pid_to_list(pid) (a charlist). */
tapa_term tapa_list_to_pid(const char *text);
tapa_term tapa_pid_to_list(tapa_term pid);
/* Limits on what peers may send (0 keeps a limit as it is): packet bytes
 * (default 64 MiB), term nesting (512), new atoms per term (10000). */
void tapa_dist_limits(size_t max_packet, unsigned max_depth, unsigned max_new_atoms);
/* Output waiting for one peer that does not read it (default 64 MiB; 0
 * keeps it): past this the connection is dropped, logged, as a dead peer. */
void tapa_dist_output_limit(size_t max_queued_bytes);

#ifdef __cplusplus
}
#endif
#endif /* TAPA_H */
