/* input.c — lines for the shell without stopping the node.
 *
 * The runtime is one thread on a libuv loop, so the shell may not block in
 * read(): it watches stdin with a uv_poll and waits as a process does
 * (sched_wait), while the node's other processes run and print. On a
 * terminal, libedit's callback interface edits the line (history, Ctrl-R,
 * tab completion); on a pipe or a file, lines are read as they come, with
 * no prompt, so lessons and tests can drive the shell with a script. */
#include "iex/iex.h"
#include "sched/process.h"

#include <editline/readline.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uv.h>

static bool interactive, started, polling, eof_seen;
static uv_poll_t poll_handle;
static process *waiter;
static char *ready_line; /* a complete line, handed to the shell */
static bool line_ready;
static char *history_file;
/* pipe mode: bytes read but not yet cut into lines */
static char *pending;
static size_t pending_len, pending_cap;

bool tiex_input_interactive(void)
{
    return interactive;
}

static void wake(void)
{
    if (waiter) sched_make_runnable(waiter);
}

/* --------------------------------------------------------- completion -- */

static char **completion_names;
static size_t ncompletion_names;

void tiex_set_completion_names(const char *const *names, size_t n)
{
    for (size_t i = 0; i < ncompletion_names; i++) free(completion_names[i]);
    free(completion_names);
    completion_names = calloc(n ? n : 1, sizeof *completion_names);
    ncompletion_names = 0;
    for (size_t i = 0; completion_names && i < n; i++)
        completion_names[ncompletion_names++] = strdup(names[i]);
}

/* the k-th candidate starting with text: shell functions, then bindings */
static char *candidate(size_t k)
{
    size_t nb;
    const tiex_builtin *b = tiex_builtins(&nb);
    static char name[128];
    if (k < nb) {
        snprintf(name, sizeof name, "%s%s%s", b[k].module ? b[k].module : "",
                 b[k].module ? "." : "", b[k].name);
        return name;
    }
    k -= nb;
    static const char *const extra[] = {"TapaMessages.start_message_receiver",
                                        "TapaMessages.start_message_receiver_2",
                                        "TapaMessages.start_two_children",
                                        "TapaMessages.start_two_children_trap_exit",
                                        "receive do",
                                        "after",
                                        "end",
                                        "fn",
                                        NULL};
    for (size_t i = 0; extra[i]; i++, k--)
        if (k == 0) return (char *)extra[i];
    if (k < ncompletion_names) return completion_names[k];
    return NULL;
}

static char *complete(const char *text, int state)
{
    static size_t k, last_len;
    static char last[128];
    if (!state) k = 0, snprintf(last, sizeof last, "%s", text), last_len = strlen(text);
    for (char *c; (c = candidate(k)) != NULL;) {
        k++;
        if (!strncmp(c, last, last_len)) {
            /* several arities of one name give one candidate */
            static char prev[128];
            if (state && !strcmp(prev, c)) continue;
            snprintf(prev, sizeof prev, "%s", c);
            return strdup(c);
        }
    }
    return NULL;
}

/* ------------------------------------------------------------- lines -- */

static void on_line(char *line)
{
    rl_callback_handler_remove();
    if (!line) {
        eof_seen = true;
        fputc('\n', stdout);
    } else {
        if (*line) {
            add_history(line);
            if (history_file) write_history(history_file);
        }
        ready_line = line;
        line_ready = true;
    }
    if (polling) uv_poll_stop(&poll_handle), polling = false;
    wake();
}

/* pipe mode: cut a line out of what was read */
static bool take_pending_line(void)
{
    char *nl = pending_len ? memchr(pending, '\n', pending_len) : NULL;
    if (!nl && !eof_seen) return false;
    if (!nl && pending_len == 0) return false;
    size_t n = nl ? (size_t)(nl - pending) : pending_len;
    ready_line = malloc(n + 1);
    if (!ready_line) abort();
    memcpy(ready_line, pending, n);
    ready_line[n] = 0;
    size_t used = nl ? n + 1 : n;
    memmove(pending, pending + used, pending_len - used);
    pending_len -= used;
    line_ready = true;
    return true;
}

static void read_some(void)
{
    if (pending_cap - pending_len < 4096) {
        pending_cap = pending_cap ? pending_cap * 2 : 8192;
        pending = realloc(pending, pending_cap);
        if (!pending) abort();
    }
    ssize_t n = read(0, pending + pending_len, pending_cap - pending_len);
    if (n > 0) pending_len += (size_t)n;
    else if (n == 0 || (errno != EAGAIN && errno != EINTR)) eof_seen = true;
}

static void on_readable(uv_poll_t *h, int status, int events)
{
    (void)h, (void)events;
    if (interactive) {
        rl_callback_read_char();
        return;
    }
    if (status < 0) eof_seen = true;
    else read_some();
    if (take_pending_line() || eof_seen) {
        if (polling) uv_poll_stop(&poll_handle), polling = false;
        wake();
    }
}

void tiex_input_init(bool tty, const char *history_path)
{
    interactive = tty;
    if (history_path) history_file = strdup(history_path);
    if (interactive) {
        using_history();
        if (history_file) read_history(history_file);
        rl_completion_entry_function = complete;
        rl_completion_append_character = '\0'; /* Process.sleep|( not Process.sleep (| */
        rl_basic_word_break_characters = " \t\n\"\\'`@$><=;|&{([,";
    }
}

static bool stdin_is_file(void)
{
    struct stat st;
    return fstat(0, &st) == 0 && S_ISREG(st.st_mode);
}

char *tiex_read_line(const char *prompt)
{
    process *p = proc_current();
    /* as iex's round trip through its IO server does, let the others run
     * (and exit signals arrive) before the next line is evaluated */
    tapa_yield();
    line_ready = false;
    ready_line = NULL;
    if (!interactive && take_pending_line()) return ready_line;
    if (eof_seen) return NULL;
    if (!interactive && stdin_is_file()) { /* a file never blocks */
        while (!take_pending_line() && !eof_seen) read_some();
        return line_ready ? ready_line : NULL;
    }
    if (!started) {
        if (uv_poll_init(sched_loop(), &poll_handle, 0) != 0) {
            fprintf(stderr, "tapa-iex: cannot watch stdin\n");
            return NULL;
        }
        started = true;
    }
    if (interactive) rl_callback_handler_install(prompt, on_line);
    waiter = p;
    if (!polling) uv_poll_start(&poll_handle, UV_READABLE, on_readable), polling = true;
    while (!line_ready && !eof_seen) {
        tiex_serve_io_requests();
        sched_wait(p, -1);
        proc_check_pending(p); /* an exit signal ends the shell's process here */
    }
    waiter = NULL;
    return line_ready ? ready_line : NULL;
}

/* The shell's process is gone (killed while it waited): forget it. */
void tiex_input_abandon(void)
{
    waiter = NULL;
    if (polling) uv_poll_stop(&poll_handle), polling = false;
    if (interactive) rl_callback_handler_remove();
}

bool tiex_input_waiting(void)
{
    return waiter != NULL;
}

void tiex_input_redisplay(void)
{
    if (interactive && waiter) rl_forced_update_display();
}

void tiex_input_shutdown(void)
{
    tiex_input_abandon();
    if (started) uv_close((uv_handle_t *)&poll_handle, NULL), started = false;
    if (interactive && history_file) write_history(history_file);
}
