/* tapa_test.h — what the runtime's cmocka tests share: a log that
 * processes write to and tests read after tapa_run returns, and capture of
 * what a run prints. */
#ifndef TAPA_TEST_H
#define TAPA_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tapa.h"

/* A log of lines, written by processes (they cannot return values). */
static char test_log[1 << 16];
static size_t test_log_len;

static inline void log_reset(void)
{
    test_log_len = 0;
    test_log[0] = 0;
}

/* log_line("got %pT", term): one line appended to the log. */
static inline void log_line(const char *fmt, ...)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *mem = open_memstream(&buf, &size);
    va_list ap;
    va_start(ap, fmt);
    tapa_vfprintf(mem, fmt, ap);
    va_end(ap);
    fclose(mem);
    size_t room = sizeof test_log - test_log_len - 2;
    if (size > room) size = room;
    memcpy(test_log + test_log_len, buf, size);
    test_log_len += size;
    test_log[test_log_len++] = '\n';
    test_log[test_log_len] = 0;
    free(buf);
}

/* Runs fn as a node's main process with stdout and stderr captured into
 * *out (malloc'd, NUL-terminated). Returns tapa_run's status. */
static inline int run_captured(tapa_fn fn, tapa_term arg, char **out)
{
    fflush(stdout);
    fflush(stderr);
    FILE *tmp = tmpfile();
    int saved_out = dup(1), saved_err = dup(2);
    dup2(fileno(tmp), 1);
    dup2(fileno(tmp), 2);
    int status = tapa_run(fn, arg);
    fflush(stdout);
    fflush(stderr);
    dup2(saved_out, 1);
    dup2(saved_err, 2);
    close(saved_out);
    close(saved_err);
    long size = ftell(tmp);
    *out = calloc(1, (size_t)size + 1);
    rewind(tmp);
    if (size > 0 && fread(*out, 1, (size_t)size, tmp) != (size_t)size) (*out)[0] = 0;
    fclose(tmp);
    return status;
}

/* Timeouts in tests scale for slow runs (sanitizers, valgrind). */
static inline int64_t slow_ms(int64_t ms)
{
    const char *s = getenv("TAPA_SLOW");
    int k = s ? atoi(s) : 1;
    return ms * (k > 0 ? k : 1);
}

#endif
