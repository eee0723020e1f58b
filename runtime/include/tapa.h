/* tapa.h — Erlang-style processes and message passing in C (libtapa).
 *
 * A tapa program runs processes on one libuv loop. Each process is a C
 * function that runs in straight-line code and blocks in tapa_receive()
 * until a message matching one of its patterns arrives. Terms are immutable
 * values printed exactly as iex prints them.
 *
 *   static void receiver(tapa_term arg) {
 *       tapa_match m = {0};
 *       switch (tapa_receive(&m, 5000, "{:ping, from}", ":show_pid")) {
 *       case 0: tapa_send(tapa_var(&m, "from"), tapa_tuple(tapa_atom("pong"), tapa_self()));
 *               break;
 *       case 1: tapa_printf("I am %pT\n", tapa_self()); break;
 *       case TAPA_TIMEOUT: tapa_printf("nobody pinged me\n"); break;
 *       }
 *   }
 *
 * A tapa_term is an opaque pointer, so a C integer or string is not a term:
 * tapa_send(pid, 42) does not compile (write tapa_int(42)), and terms are
 * built from terms only: tapa_tuple(a, b), tapa_list(a, b, c). The kit
 * compiles your code with -Werror=int-conversion and friends so these are
 * errors, not warnings.
 *
 * Absent values: where Elixir answers nil, so does tapa: tapa_whereis,
 * tapa_info, tapa_info_key, tapa_keyword_get and tapa_map_get return the
 * atom nil (tapa_nil(); test it with tapa_is_nil) when there is nothing.
 * When nil itself may be a value (a map of nil), use tapa_map_fetch, which
 * says whether the key is there (Map.fetch). The empty list [] is a
 * different term: tapa_empty_list(). TAPA_NONE is not a term at all: only
 * tapa_parse returns it (on failure); passing it to any function stops the
 * process with :badarg and says which argument it was.
 *
 * Printing terms: tapa_printf("got %pT\n", msg) prints msg as inspect/1
 * does. To the compiler %pT is %p (a pointer) followed by the letter T, so
 * passing an int or a C string where a term belongs is a format error;
 * plain %p still prints a pointer.
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

/* A term is one machine word: small integers, atoms, pids and [] are
 * immediate (so == compares them); everything else points into the owning
 * process's heap (compare those with tapa_equal). It is an opaque pointer
 * type so that a C integer or string cannot pass for a term: the struct is
 * never defined, so *t and t + 1 are errors too. 64-bit targets only. */
typedef struct tapa_opaque_term *tapa_term;
#ifndef __cplusplus
_Static_assert(sizeof(tapa_term) == 8, "tapa needs a 64-bit target (x86-64 or arm64)");
#endif

/* Not a term: tapa_parse's failure result. Every function that takes a term
 * stops the process with :badarg when given TAPA_NONE (a literal 0 is a
 * null pointer to C, and would be TAPA_NONE, not the number 0). */
#define TAPA_NONE ((tapa_term)0)

/* Compiler checks on learners' calls: term arguments may not be a null
 * constant (0 or TAPA_NONE), and printf-like formats are checked. The
 * library builds itself with TAPA_BUILDING_LIBRARY, where nonnull is off so
 * the compiler keeps the library's own run-time TAPA_NONE checks. */
#if defined(__GNUC__) && !defined(TAPA_BUILDING_LIBRARY)
#define TAPA_TERM_ARGS(...) __attribute__((nonnull(__VA_ARGS__)))
#else
#define TAPA_TERM_ARGS(...)
#endif
#if defined(__GNUC__)
#define TAPA_PRINTF(fmt, first) __attribute__((format(printf, fmt, first)))
#else
#define TAPA_PRINTF(fmt, first)
#endif

/* Counting a macro's arguments (1 to 16) so tapa_tuple(a, b) can pass an
 * array and its length; 17 or more names the _v form in the error. */
#define TAPA_PICK_33_(a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17, \
                      a18, a19, a20, a21, a22, a23, a24, a25, a26, a27, a28, a29, a30, a31, a32,  \
                      n, ...)                                                                     \
    n
#define TAPA_TOO_MANY_ tapa_more_than_16_terms__use_the_v_form_with_an_array
#define TAPA_NARGS(...)                                                                            \
    TAPA_PICK_33_(__VA_ARGS__, TAPA_TOO_MANY_, TAPA_TOO_MANY_, TAPA_TOO_MANY_, TAPA_TOO_MANY_,     \
                  TAPA_TOO_MANY_, TAPA_TOO_MANY_, TAPA_TOO_MANY_, TAPA_TOO_MANY_, TAPA_TOO_MANY_,  \
                  TAPA_TOO_MANY_, TAPA_TOO_MANY_, TAPA_TOO_MANY_, TAPA_TOO_MANY_, TAPA_TOO_MANY_,  \
                  TAPA_TOO_MANY_, TAPA_TOO_MANY_, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, \
                  2, 1, 0)
/* 1 for one argument, 2 for more: picks a macro by its number (digits,
 * which no program can #define, unlike ONE or MANY). */
#define TAPA_ONE_OR_MORE_(...)                                                                   \
    TAPA_PICK_33_(__VA_ARGS__, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, \
                  2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 0)
/* 3 for three arguments, 4 for more, 0 for fewer. */
#define TAPA_THREE_OR_MORE_(...)                                                                 \
    TAPA_PICK_33_(__VA_ARGS__, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, \
                  4, 4, 4, 4, 4, 4, 4, 3, 0, 0, 0)
#define TAPA_CAT_(a, b) a##b
#define TAPA_CAT(a, b) TAPA_CAT_(a, b)
#define TAPA_TERMS_(...) ((const tapa_term[]){__VA_ARGS__})

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
    TAPA_T_EMPTY_LIST, /* [] (not the atom nil) */
    TAPA_T_LIST, /* a cons cell; the list may be improper */
    TAPA_T_BINARY,
} tapa_type;

tapa_type tapa_type_of(tapa_term t); /* TAPA_T_NONE for TAPA_NONE */

/* Construction. None returns TAPA_NONE: a system limit (atom table full)
 * stops the process, as on BEAM. Elements must be terms (TAPA_NONE: :badarg). */
tapa_term tapa_atom(const char *utf8_name);
tapa_term tapa_atom_n(const char *utf8_name, size_t len);
tapa_term tapa_int(int64_t value);
tapa_term tapa_float(double value);
tapa_term tapa_binary(const void *bytes, size_t len);
tapa_term tapa_string(const char *utf8); /* an Elixir string: a binary */
tapa_term tapa_charlist(const char *utf8); /* 'abc': a list of code points */
/* tapa_tuple(a, b, ...): {a, b, ...} of 1 to 16 terms; {} is
 * tapa_tuple_v(0, NULL), more than 16 elements: tapa_tuple_v. */
#define tapa_tuple(...) tapa_tuple_v(TAPA_NARGS(__VA_ARGS__), TAPA_TERMS_(__VA_ARGS__))
tapa_term tapa_tuple_v(size_t arity, const tapa_term *elements);
tapa_term tapa_cons(tapa_term head, tapa_term tail) TAPA_TERM_ARGS(1, 2);
/* tapa_list(a, b, ...): the proper list [a, b, ...] of 1 to 16 terms; [] is
 * tapa_empty_list(), longer lists: tapa_list_v. */
#define tapa_list(...) tapa_list_v(TAPA_NARGS(__VA_ARGS__), TAPA_TERMS_(__VA_ARGS__))
tapa_term tapa_list_v(size_t n, const tapa_term *elements);
tapa_term tapa_empty_list(void); /* [] */
tapa_term tapa_nil(void); /* the atom nil (Elixir's nil), not [] */
tapa_term tapa_map_new(void);
tapa_term tapa_map_put(tapa_term map, tapa_term key, tapa_term value) /* a new map */
    TAPA_TERM_ARGS(1, 2, 3);
tapa_term tapa_make_ref(void);
tapa_term tapa_true(void);
tapa_term tapa_false(void);
tapa_term tapa_bool(bool b);

/* Build a term from an Elixir literal. Placeholders take arguments:
 *   ~t any term   ~p a pid (a term)   ~i int64_t   ~f double
 *   ~s a C string as an Elixir string   ~a a C string as an atom
 * e.g. tapa_t("{:ping, ~p}", tapa_self()). These are not printf's % (an
 * Elixir map is %{...}), so the compiler cannot check the arguments: the
 * runtime does what it can, and a ~t or ~p given TAPA_NONE stops the
 * process with :badarg naming the placeholder. A malformed literal stops
 * the calling process with a clear error that gives its line and column. */
tapa_term tapa_t(const char *literal, ...);

typedef struct tapa_parse_error {
    int line, column; /* 1-based, where the problem is */
    char message[160];
} tapa_parse_error;
/* The same, without stopping: returns TAPA_NONE and fills *err (the only
 * functions that return TAPA_NONE). */
tapa_term tapa_parse(const char *literal, tapa_parse_error *err, ...);
tapa_term tapa_parse_v(const char *literal, tapa_parse_error *err, va_list ap);

/* Reading terms. Accessors on the wrong type stop the process with
 * :badarg, as Erlang's BIFs do. */
bool tapa_is_atom(tapa_term t) TAPA_TERM_ARGS(1);
bool tapa_is_integer(tapa_term t) TAPA_TERM_ARGS(1);
bool tapa_is_pid(tapa_term t) TAPA_TERM_ARGS(1);
bool tapa_is_tuple(tapa_term t) TAPA_TERM_ARGS(1);
bool tapa_is_list(tapa_term t) TAPA_TERM_ARGS(1); /* [] or a cons */
bool tapa_is_binary(tapa_term t) TAPA_TERM_ARGS(1);
bool tapa_is_fun(tapa_term t) TAPA_TERM_ARGS(1);
bool tapa_is_nil(tapa_term t) TAPA_TERM_ARGS(1); /* the atom nil (is_nil/1) */
const char *tapa_atom_name(tapa_term atom) TAPA_TERM_ARGS(1); /* interned, NUL-terminated */
int64_t tapa_int_value(tapa_term t) TAPA_TERM_ARGS(1); /* :badarg if it does not fit */
double tapa_float_value(tapa_term t) TAPA_TERM_ARGS(1);
size_t tapa_tuple_size(tapa_term t) TAPA_TERM_ARGS(1);
tapa_term tapa_element(tapa_term tuple, size_t index) TAPA_TERM_ARGS(1); /* 0-based */
tapa_term tapa_hd(tapa_term list) TAPA_TERM_ARGS(1);
tapa_term tapa_tl(tapa_term list) TAPA_TERM_ARGS(1);
size_t tapa_length(tapa_term proper_list) TAPA_TERM_ARGS(1);
/* lifetime: see "Pointer lifetimes" above */
const uint8_t *tapa_binary_data(tapa_term t) TAPA_TERM_ARGS(1);
size_t tapa_binary_size(tapa_term t) TAPA_TERM_ARGS(1);
/* Map.get(map, key): the value, or nil when the key is absent. */
tapa_term tapa_map_get(tapa_term map, tapa_term key) TAPA_TERM_ARGS(1, 2);
/* Map.fetch(map, key): true and *value set when the key is there (its value
 * may be nil), false when it is absent. */
bool tapa_map_fetch(tapa_term map, tapa_term key, tapa_term *value) TAPA_TERM_ARGS(1, 2, 3);
size_t tapa_map_size(tapa_term map) TAPA_TERM_ARGS(1);
/* Keyword.get: the value, or nil. */
tapa_term tapa_keyword_get(tapa_term keyword_list, const char *key) TAPA_TERM_ARGS(1);

/* Erlang's term order: number < atom < reference < fun < port < pid <
 * tuple < map < [] < list < binary. tapa_compare gives -1/0/1 with
 * 1 == 1.0; tapa_equal is exact (===). */
int tapa_compare(tapa_term a, tapa_term b) TAPA_TERM_ARGS(1, 2);
bool tapa_equal(tapa_term a, tapa_term b) TAPA_TERM_ARGS(1, 2);

/* Printing, exactly as iex 1.14 inspects. */
size_t tapa_inspect_to(char *buf, size_t size, tapa_term t) TAPA_TERM_ARGS(3); /* snprintf-like */
char *tapa_inspect_alloc(tapa_term t) TAPA_TERM_ARGS(1); /* malloc'd; the caller frees */
void tapa_fprint_term(FILE *out, tapa_term t) TAPA_TERM_ARGS(2);
/* printf with %pT for a term, on one line as inspect/1 prints it (as in
 * "Received: #{inspect(msg)}"); also %s %d %i %u %ld %lld %zu %f %g %c %p %x %%.
 * The compiler checks the arguments as printf's (%pT takes a pointer: a
 * term). The old %T is not a conversion: the compiler rejects it, and
 * should one reach the runtime it prints a hint to write %pT instead.
 * tapa_inspect and tapa_fprint_term print as IO.inspect: broken at 80 columns. */
int tapa_printf(const char *fmt, ...) TAPA_PRINTF(1, 2);
int tapa_fprintf(FILE *out, const char *fmt, ...) TAPA_PRINTF(2, 3);
int tapa_vfprintf(FILE *out, const char *fmt, va_list ap) TAPA_PRINTF(2, 0);
/* IO.inspect(term, label: label): prints "label: term", returns term. */
tapa_term tapa_inspect(tapa_term t, const char *label) TAPA_TERM_ARGS(1);

/* ----------------------------------------------------------------- funs -- */

/* A fun is an exported C function plus captured terms. Its C function gets
 * the captured terms first, then the call's arguments. */
typedef tapa_term (*tapa_fun_fn)(const tapa_term *captured, const tapa_term *args);
/* Export a C function under Module.function/arity so funs and remote spawns
 * can name it (module in Elixir form, e.g. "TapaMessages" or ":erlang"). */
void tapa_export(const char *module, const char *function, int arity, tapa_fun_fn fn);
/* tapa_fun(module, function, arity, captured...): a fun taking `arity`
 * arguments, with 0 to 16 captured terms after the arity, e.g.
 * tapa_fun("TapaMessages", "add_n", 1, tapa_int(42)). tapa_fun_v takes
 * them as an array. */
#define tapa_fun(...) TAPA_CAT(TAPA_FUN_, TAPA_THREE_OR_MORE_(__VA_ARGS__))(__VA_ARGS__)
#define TAPA_FUN_0(...) tapa_fun_needs_a_module_a_function_and_an_arity
#define TAPA_FUN_3(module, function, arity) tapa_fun_v(module, function, arity, 0, NULL)
#define TAPA_FUN_4(module, function, arity, ...) \
    tapa_fun_v(module, function, arity, TAPA_NARGS(__VA_ARGS__), TAPA_TERMS_(__VA_ARGS__))
tapa_term tapa_fun_v(const char *module, const char *function, int arity, size_t nfree,
                     const tapa_term *captured);
/* tapa_apply(fun, args...): fun.(args...) with 0 to 16 arguments. */
#define tapa_apply(...) TAPA_CAT(TAPA_APPLY_, TAPA_ONE_OR_MORE_(__VA_ARGS__))(__VA_ARGS__)
#define TAPA_APPLY_1(fun) tapa_apply_v(fun, 0, NULL)
#define TAPA_APPLY_2(fun, ...) tapa_apply_v(fun, TAPA_NARGS(__VA_ARGS__), TAPA_TERMS_(__VA_ARGS__))
tapa_term tapa_apply_v(tapa_term fun, size_t nargs, const tapa_term *args) TAPA_TERM_ARGS(1);

/* ------------------------------------------------------------ processes -- */

typedef void (*tapa_fn)(tapa_term arg);

#define TAPA_INFINITY (-1LL) /* a timeout argument: wait for ever */
/* tapa_receive's result when `after` fired. Not a timeout: passing it as
 * one stops the process with :timeout_value. */
#define TAPA_TIMEOUT (-2)
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
int tapa_run(tapa_fn main_fn, tapa_term arg) TAPA_TERM_ARGS(1, 2);

tapa_term tapa_self(void);
/* arg is any term (tapa_nil() when there is nothing to pass). */
tapa_term tapa_spawn(tapa_fn fn, tapa_term arg) TAPA_TERM_ARGS(1, 2);
tapa_term tapa_spawn_link(tapa_fn fn, tapa_term arg) TAPA_TERM_ARGS(1, 2);
/* Returns {pid, ref} as Process.spawn(fn, [:monitor]) does. */
tapa_term tapa_spawn_monitor(tapa_fn fn, tapa_term arg) TAPA_TERM_ARGS(1, 2);

/* send(dest, msg): dest is a pid, a registered name (an atom: :badarg if
 * nobody has it) or {name, node}. Returns msg. A send to a dead pid is
 * dropped silently, as in Erlang. */
tapa_term tapa_send(tapa_term dest, tapa_term msg) TAPA_TERM_ARGS(1, 2);

/* receive: wait up to timeout_ms (0: just look; TAPA_INFINITY: forever)
 * for the first message, oldest first, that matches any pattern; the
 * patterns are Elixir patterns: literals, tuples, lists ([h | t]), maps,
 * variables that bind, _ and ^pinned. Returns the index of the pattern
 * that matched, or TAPA_TIMEOUT. Unmatched messages stay in the mailbox,
 * in order. The timeout counts from the call and never ends early. Stops
 * the process with a clear message when a pattern is malformed (line and
 * column), when a ^name has no value pinned with tapa_pin (:badarg, as
 * Elixir refuses to compile it), or when timeout_ms is negative and not
 * TAPA_INFINITY (TAPA_TIMEOUT included), or above 4294967295 (2^32-1) ms
 * (:timeout_value, as BEAM; tapa_sleep has no upper limit, as timer:sleep). */
#define tapa_receive(m, timeout_ms, ...) \
    tapa_receive_((m), (timeout_ms), (const char *const[]){__VA_ARGS__, (const char *)0})
/* The patterns as a NULL-terminated array (not varargs: a variadic frame
 * would keep a 176-byte register save area on every waiting stack). */
int tapa_receive_(tapa_match *m, int64_t timeout_ms, const char *const *patterns);
/* The next message, whatever it is (receive do msg -> msg end). */
tapa_term tapa_receive_any(void);
tapa_term tapa_var(const tapa_match *m, const char *name); /* :badarg if unbound */
void tapa_pin(tapa_match *m, const char *name, tapa_term value) TAPA_TERM_ARGS(3);

/* iex's flush(): prints every message in the mailbox and empties it. */
void tapa_flush(void);
/* Process.sleep: other processes run meanwhile; at least ms from the call
 * (TAPA_INFINITY: for ever; another negative value: :timeout_value). */
void tapa_sleep(int64_t ms);
void tapa_yield(void); /* let the others run (in long computations) */

/* exit(reason): ends the calling process. */
_Noreturn void tapa_exit(tapa_term reason) TAPA_TERM_ARGS(1);
/* raise "message": ends the calling process with %RuntimeError{}, logged.
 * The message is formatted as tapa_printf's (%pT for a term). */
_Noreturn void tapa_raise(const char *fmt, ...) TAPA_PRINTF(1, 2);
/* Process.exit(pid, reason): sends an exit signal. As on
 * BEAM the signal is asynchronous: the target acts on it when it next runs
 * (the caller goes on; a link's echo reaches it later), and nothing the
 * caller sends the target afterwards arrives before it. To the caller the
 * target is gone at once (tapa_alive, tapa_info, link and monitor see
 * :noproc). tapa_exit_pid(tapa_self(), reason) ends the caller at once. */
void tapa_exit_pid(tapa_term pid, tapa_term reason) TAPA_TERM_ARGS(1, 2);
bool tapa_alive(tapa_term pid) TAPA_TERM_ARGS(1);

/* Process.info(pid) as a keyword list, or nil for a dead process;
 * tapa_info_key returns {key, value} (as Process.info/2) or nil. */
tapa_term tapa_info(tapa_term pid) TAPA_TERM_ARGS(1);
tapa_term tapa_info_key(tapa_term pid, const char *key) TAPA_TERM_ARGS(1);

/* A process whose heap (its terms and waiting messages) grows past this is
 * killed and logged, as BEAM's max_heap_size does. Default 512 MiB, or the
 * environment's TAPA_MAX_HEAP_MB. */
void tapa_set_max_heap_mb(size_t mb);

/* Process.register: :badarg if the name is taken or the pid dead. */
void tapa_register(tapa_term pid, const char *name) TAPA_TERM_ARGS(1);
void tapa_unregister(const char *name); /* :badarg if nobody has the name */
tapa_term tapa_whereis(const char *name); /* the pid, or nil */
tapa_term tapa_registered(void); /* list of atoms */

void tapa_link(tapa_term pid) TAPA_TERM_ARGS(1);
void tapa_unlink(tapa_term pid) TAPA_TERM_ARGS(1);
/* Process.monitor(pid | name | {name, node}): a ref. The DOWN message names
 * the pid, or {name, node} for a name; a name nobody has gets a DOWN with
 * :noproc at once. DOWN messages come in the order the monitors were made. */
tapa_term tapa_monitor(tapa_term target) TAPA_TERM_ARGS(1);
void tapa_demonitor(tapa_term ref, bool flush) TAPA_TERM_ARGS(1);
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
tapa_term tapa_ping(tapa_term node) TAPA_TERM_ARGS(1);
tapa_term tapa_nodes(void); /* Node.list([:visible, :hidden]): connected nodes */
/* Node.monitor(node, flag): {:nodedown, node} when the connection goes. */
void tapa_monitor_node(tapa_term node, bool on) TAPA_TERM_ARGS(1);
/* Node.spawn(node, module, function, args): module in Elixir form
 * ("Tapa.Demo", ":erlang"); args a list. Works with C and BEAM nodes. */
tapa_term tapa_spawn_on(tapa_term node, const char *module, const char *function, tapa_term args)
    TAPA_TERM_ARGS(1, 4);
tapa_term tapa_spawn_link_on(tapa_term node, const char *module, const char *function,
                             tapa_term args) TAPA_TERM_ARGS(1, 4);
/* :rpc.call(node, module, function, args): the value, or {:badrpc, reason}. */
tapa_term tapa_rpc(tapa_term node, const char *module, const char *function, tapa_term args)
    TAPA_TERM_ARGS(1, 4);
/* :erlang.list_to_pid('<A.B.C>') (A: 0 here, or a connected node's
 * channel; :badarg otherwise) and :erlang.pid_to_list(pid) (a charlist). */
tapa_term tapa_list_to_pid(const char *text);
tapa_term tapa_pid_to_list(tapa_term pid) TAPA_TERM_ARGS(1);
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
