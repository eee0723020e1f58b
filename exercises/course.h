/* course.h — the helpers the exercises of Tapas in C use.
 *
 * The exercises replay the tutorial's iex sessions. Each line you would type
 * at the iex prompt becomes two calls:
 *
 *     iex("send(self(), :hello)");                  prints  iex> send(self(), :hello)
 *     show(tapa_send(tapa_self(), tapa_atom("hello")));   prints  :hello
 *
 * sleep_ms(ms) is Process.sleep(ms). When the environment has TAPA_FAST=1
 * (the grader sets it) every sleep is 20 times shorter, so the 2 s and 60 s
 * waits of steps 6 and 7 do not make grading slow. Nothing else changes.
 *
 * Part 2 (steps 9-14, two nodes) adds node_name(), node_atom(), cookie(),
 * iexf() and after_ms(): see below.
 */
#ifndef TAPA_COURSE_H
#define TAPA_COURSE_H

#include "tapa.h"

#include <stdlib.h>
#include <stdarg.h>
#include <string.h>

/* Process.sleep(ms); 20x shorter with TAPA_FAST=1. */
static inline void sleep_ms(int64_t ms)
{
    const char *fast = getenv("TAPA_FAST");
    tapa_sleep(fast && strcmp(fast, "1") == 0 ? ms / 20 : ms);
}

/* Print the prompt line "iex> expr". First it waits 20 ms so the other
 * processes print what they have to say, as they would while you type. */
static inline void iex(const char *expr)
{
    tapa_sleep(20);
    tapa_printf("iex> %s\n", expr);
}

/* Print a value as iex prints the result of an expression; returns it. */
static inline tapa_term show(tapa_term value)
{
    tapa_printf("%pT\n", value);
    return value;
}

/* ---------------------------------------------------------------- Part 2 --
 * Two nodes on this machine, as in the tutorial: node1@127.0.0.1 and
 * node2@127.0.0.1, sharing the cookie "tapas". The grader gives every run
 * its own names (TAPA_NODE1, TAPA_NODE2, TAPA_COOKIE), so that runs side by
 * side do not clash; the programs print whichever names they use. */

/* "node1@127.0.0.1" (n = 1) or "node2@127.0.0.1" (n = 2). */
static inline const char *node_name(int n)
{
    const char *env = getenv(n == 1 ? "TAPA_NODE1" : "TAPA_NODE2");
    return env && *env ? env : n == 1 ? "node1@127.0.0.1" : "node2@127.0.0.1";
}

/* The same name as an atom, :"node1@127.0.0.1", as Node.ping and send take it. */
static inline tapa_term node_atom(int n)
{
    return tapa_atom(node_name(n));
}

/* The cookie both nodes share. */
static inline const char *cookie(void)
{
    const char *env = getenv("TAPA_COOKIE");
    return env && *env ? env : "tapas";
}

/* iex() with tapa_printf's formats: iexf("Node.ping(%pT)", node_atom(1)).
 * The compiler checks its arguments as it does tapa_printf's. */
static inline void iexf(const char *fmt, ...) TAPA_PRINTF(1, 2);
static inline void iexf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tapa_sleep(20);
    tapa_printf("iex> ");
    tapa_vfprintf(stdout, fmt, ap);
    tapa_printf("\n");
    va_end(ap);
}

/* A receive's `after` for messages that cross the network: ms as written,
 * 4 times shorter with TAPA_FAST=1, TAPA_SLOW times longer (sanitizers). */
static inline int64_t after_ms(int64_t ms)
{
    const char *fast = getenv("TAPA_FAST"), *slow = getenv("TAPA_SLOW");
    if (fast && strcmp(fast, "1") == 0) ms /= 4;
    if (slow && atoi(slow) > 1) ms *= atoi(slow);
    return ms;
}

#endif
