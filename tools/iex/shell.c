/* shell.c — the read-eval-print loop, run as a libtapa process, and the
 * node's main process that restarts it.
 *
 * As in iex, the shell's evaluator is a process: self() is its pid, its
 * mailbox is what flush() prints. When it dies (an exit signal through a
 * link, Process.exit(self(), :kill), Ctrl-C on a running expression) the
 * main process prints why and starts a new one, with a new pid; the node
 * and its other processes go on. */
#include "iex/iex.h"
#include "dist/dist.h"
#include "support/utf8.h"

#include <stdlib.h>
#include <string.h>

tapa_term tiex_shell_pid;
tapa_term tiex_manager_pid;
int tiex_counter = 1;
extern tiex_ctx *tiex_shell_ctx;

static char node_prefix[300];

const char *tiex_node_prefix(void)
{
    if (!tapa_node_alive()) return "";
    snprintf(node_prefix, sizeof node_prefix, "%s", tapa_atom_name(tapa_node()));
    return node_prefix;
}

/* ---------------------------------------------------- io_requests -- */

/* IO output a process of another node sends to us as its group leader
 * (Node.spawn from this shell sets the shell as the group leader, as BEAM
 * does), written here: the caller's terminal. */
void tiex_write_iodata(tapa_term d)
{
    if (tapa_is_binary(d)) {
        fwrite(tapa_binary_data(d), 1, tapa_binary_size(d), stdout);
        return;
    }
    if (tapa_is_integer(d)) {
        /* a number that is no character (negative, a surrogate, past
         * U+10FFFF) is left out, as the runtime's IO server refuses it */
        int64_t c = tapa_int_value(d);
        uint8_t b[TAPA_UTF8_MAX_BYTES];
        if (tapa_unicode_scalar(c)) fwrite(b, 1, tapa_utf8_encode((uint32_t)c, b), stdout);
        return;
    }
    for (; tapa_type_of(d) == TAPA_T_LIST; d = tapa_tl(d)) tiex_write_iodata(tapa_hd(d));
    if (tapa_is_binary(d)) tiex_write_iodata(d);
}

/* Output for the terminal from another node's process, whichever way it
 * came (the runtime serves io_requests to this node's processes; the shell
 * serves the ones it receives): above the prompt when one is shown. */
static void write_above_prompt(const char *data, size_t len)
{
    bool at_prompt = tiex_input_waiting() && tiex_input_interactive();
    if (at_prompt) fputs("\r\033[K", stdout); /* above the prompt, as iex shows it */
    fwrite(data, 1, len, stdout);
    fflush(stdout);
    if (at_prompt) tiex_input_redisplay();
}

void tiex_route_remote_output(void)
{
    io_protocol_output = write_above_prompt;
}

static tapa_term io_request(tapa_term req)
{
    if (!tapa_is_tuple(req)) return tapa_tuple(tapa_atom("error"), tapa_atom("request"));
    size_t n = tapa_tuple_size(req);
    tapa_term kind = tapa_element(req, 0);
    if (tapa_equal(kind, tapa_atom("put_chars")) && (n == 2 || n == 3)) {
        bool at_prompt = tiex_input_waiting() && tiex_input_interactive();
        if (at_prompt) fputs("\r\033[K", stdout); /* above the prompt, as iex shows it */
        tiex_write_iodata(tapa_element(req, n - 1));
        fflush(stdout);
        if (at_prompt) tiex_input_redisplay();
        return tapa_atom("ok");
    }
    if (tapa_equal(kind, tapa_atom("requests")) && n == 2) {
        tapa_term r = tapa_atom("ok");
        for (tapa_term l = tapa_element(req, 1); tapa_type_of(l) == TAPA_T_LIST; l = tapa_tl(l))
            r = io_request(tapa_hd(l));
        return r;
    }
    if (tapa_equal(kind, tapa_atom("get_geometry")))
        return tapa_tuple(tapa_atom("error"), tapa_atom("enotsup"));
    return tapa_tuple(tapa_atom("error"), tapa_atom("request"));
}

void tiex_serve_io_requests(void)
{
    for (;;) {
        tapa_match m = {0};
        if (tapa_receive(&m, 0, "{:io_request, from, reply_as, request}") != 0) return;
        tapa_term r = io_request(tapa_var(&m, "request"));
        tapa_term from = tapa_var(&m, "from");
        if (tapa_is_pid(from))
            tapa_send(from, tapa_tuple(tapa_atom("io_reply"), tapa_var(&m, "reply_as"), r));
    }
}

/* ------------------------------------------------------------- REPL -- */

static void print_error(const tiex_error *e)
{
    fflush(stdout);
    if (e->is_exit) printf("** (exit) %s\n", e->message);
    else printf("** (%s) %s\n", e->kind, e->message);
    fflush(stdout);
}

static void update_completion(tapa_term env)
{
    const char *names[256];
    size_t n = 0;
    for (; tapa_type_of(env) == TAPA_T_LIST && n < 256; env = tapa_tl(env))
        names[n++] = tapa_atom_name(tapa_element(tapa_hd(env), 0));
    tiex_set_completion_names(names, n);
}

/* iex shows the line and a caret under the column */
static void print_snippet(const char *text, int line, int col, int base)
{
    const char *s = text;
    for (int l = 1; l < line && s; l++) s = strchr(s, '\n'), s = s ? s + 1 : NULL;
    if (!s) return;
    size_t n = strcspn(s, "\n");
    printf("    |\n%3d | %.*s\n    | %*s^\n", base + line - 1, (int)n, s, col - 1, "");
}

/* Reads one complete input (more lines while it is unfinished). NULL: end
 * of input. status: TP_OK with *tree, or TP_ERROR printed. */
static char *read_input(tiex_parse_result *res)
{
    char prompt[400];
    const char *node = tiex_node_prefix();
    char *text = NULL;
    size_t len = 0;
    for (;;) {
        if (!tiex_input_interactive()) prompt[0] = 0;
        else if (!text)
            snprintf(prompt, sizeof prompt, "iex(%s%s%d)> ", node, *node ? ")" : "", tiex_counter);
        else snprintf(prompt, sizeof prompt, "...(%s%s%d)> ", node, *node ? ")" : "", tiex_counter);
        if (*node && tiex_input_interactive()) /* iex(node1@127.0.0.1)1> */
            snprintf(prompt, sizeof prompt, "%s(%s)%d> ", text ? "..." : "iex", node, tiex_counter);
        char *line = tiex_read_line(prompt);
        if (!line) {
            if (text && !tiex_input_interactive()) { /* a script ends inside an expression */
                *res = tiex_parse(text);
                return text;
            }
            free(text);
            return NULL;
        }
        size_t n = strlen(line);
        text = realloc(text, len + n + 2);
        if (!text) abort();
        memcpy(text + len, line, n);
        len += n;
        text[len++] = '\n';
        text[len] = 0;
        free(line);
        *res = tiex_parse(text);
        if (res->status != TP_INCOMPLETE) return text;
    }
}

void tiex_shell_main(tapa_term arg)
{
    (void)arg;
    tapa_term env = tapa_empty_list();
    tiex_error err;
    jmp_buf jb;
    tiex_ctx cx = {&env, &jb, &err};
    tiex_shell_ctx = &cx;
    tiex_shell_pid = tapa_self();
    update_completion(env); /* a new shell process has no bindings */
    for (;;) {
        tiex_parse_result res = {0};
        char *text = read_input(&res);
        if (!text) break;
        if (res.status != TP_OK) {
            if (res.status == TP_INCOMPLETE) /* the script ended inside an expression */
                printf("** (TokenMissingError) iex:%d:%d: %s\n", tiex_counter + res.line - 1,
                       res.col, res.message);
            else {
                printf("** (SyntaxError) iex:%d:%d: %s\n", tiex_counter + res.line - 1, res.col,
                       res.message);
                print_snippet(text, res.line, res.col, tiex_counter);
            }
            fflush(stdout);
            free(text);
            continue;
        }
        tiex_node *volatile tree = res.tree;
        char *volatile src = text;
        memset(&err, 0, sizeof err);
        if (setjmp(jb)) {
            print_error(&err);
        } else if (tree->nkids) {
            tapa_term v = tiex_eval(&cx, tree);
            tapa_yield(); /* an exit signal it caused arrives before the result shows, as in iex */
            tapa_fprint_term(stdout, v);
            fputc('\n', stdout);
            fflush(stdout);
            tiex_counter++;
        }
        tiex_node_free(tree);
        free(src);
        update_completion(env);
    }
}

/* ------------------------------------------------------ main process -- */

static tapa_term start_shell(tapa_term *ref)
{
    tapa_term pm = tapa_spawn_monitor(tiex_shell_main, tapa_empty_list());
    *ref = tapa_element(pm, 1);
    tiex_shell_pid = tapa_element(pm, 0);
    return tiex_shell_pid;
}

/* Exception.format_exit's words for the usual reasons */
static void print_exit(tapa_term shell, tapa_term reason)
{
    static const char *const known[][2] = {{"normal", "normal"},
                                           {"shutdown", "shutdown"},
                                           {"killed", "killed"},
                                           {"noproc", "no process"},
                                           {"noconnection", "no connection"},
                                           {"timeout", "time out"},
                                           {NULL, NULL}};
    tapa_printf("** (EXIT from %pT) shell process exited with reason: ", shell);
    for (int i = 0; known[i][0]; i++)
        if (tapa_equal(reason, tapa_atom(known[i][0]))) {
            printf("%s\n", known[i][1]);
            return;
        }
    if (tapa_is_tuple(reason) && tapa_tuple_size(reason) == 2 &&
        tapa_equal(tapa_element(reason, 1), tapa_empty_list()))
        reason = tapa_element(reason, 0); /* {reason, []}: a crash without its stack */
    tapa_printf("%pT\n", reason);
}

/* Runs until the shell's process ends normally (end of input, Ctrl-D). */
void tiex_supervise(void)
{
    tiex_manager_pid = tapa_self();
    tapa_term ref;
    tapa_term shell = start_shell(&ref);
    for (;;) {
        tapa_match m = {0};
        tapa_pin(&m, "ref", ref);
        int k = tapa_receive(&m, TAPA_INFINITY, "{:DOWN, ^ref, :process, _, reason}",
                             ":tiex_interrupt", ":tiex_quit");
        if (k == 1) {
            if (!tiex_input_waiting()) tapa_exit_pid(shell, tapa_atom("kill"));
            continue;
        }
        if (k == 2) {
            tapa_exit_pid(shell, tapa_atom("kill"));
            break;
        }
        tapa_term reason = tapa_var(&m, "reason");
        bool at_prompt = tiex_input_waiting() && tiex_input_interactive();
        tiex_input_abandon();
        if (at_prompt && !tapa_equal(reason, tapa_atom("normal")))
            fputc('\n', stdout); /* off the prompt's line */
        if (tapa_equal(reason, tapa_atom("normal"))) break;
        fflush(stdout);
        print_exit(shell, reason);
        tiex_counter = 1;
        if (tiex_input_interactive())
            printf(
                "\nInteractive Tapas in C (tapa-iex, libtapa) - press Ctrl+C to exit (type h() ENTER for help)\n");
        fflush(stdout);
        shell = start_shell(&ref);
    }
}
