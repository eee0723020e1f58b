/* io_protocol.c — group leaders across nodes: Erlang's I/O protocol.
 *
 * On BEAM a process spawned for a remote caller has the caller's group
 * leader, so what it prints appears in the caller's terminal. Here:
 *  - a process whose group leader is a remote pid (spawned by a peer, or
 *    by such a process) prints by sending the group leader
 *    {io_request, Self, Ref, {put_chars, unicode, Bytes}} and waiting for
 *    {io_reply, Ref, Reply} (or the group leader's DOWN: as on BEAM, the
 *    text then went where it went, it is not printed here instead);
 *  - a C process that a remote process uses as its group leader (a C node
 *    spawned it) answers for it: the request is served by the node as it
 *    arrives (printed here, {io_reply, Ref, ok} sent back), never left in
 *    the mailbox of a C program that does not expect it.
 * Only output requests are served; others get {error, enotsup}.
 */
#include "dist/dist.h"
#include "support/utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IO_REPLY_TIMEOUT_MS 60000
#define CHARS_MAX_DEPTH 1000

/* ------------------------------------------------------- printing out -- */

/* The hook tapa_printf and tapa_inspect call for stdout: true when the
 * text went to a remote group leader. */
static bool route_to_group_leader(const char *data, size_t len)
{
    process *p = proc_current();
    if (!p || p->state != PS_RUNNING || !dn.alive) return false;
    tapa_term gl = p->group_leader;
    if (!gl || !tapa_is_pid(gl) || PID_NODE(gl) == 0) return false;
    tapa_term ref = tapa_make_ref();
    tapa_term mon = tapa_monitor(gl);
    tapa_term req =
        tapa_tuple(tapa_atom("put_chars"), tapa_atom("unicode"), tapa_binary(data, len));
    tapa_send(gl, tapa_tuple(tapa_atom("io_request"), p->pid, ref, req));
    tapa_match m = {0};
    tapa_pin(&m, "ref", ref);
    tapa_pin(&m, "mon", mon);
    int k = tapa_receive(&m, IO_REPLY_TIMEOUT_MS, "{:io_reply, ^ref, _}", "{:DOWN, ^mon, _, _, _}");
    if (k != 1) tapa_demonitor(mon, true);
    /* a group leader that went away (or never answers) may still have
     * printed it: as on BEAM, the text is not printed here a second time */
    return true;
}

void io_protocol_start(void)
{
    term_stdout_route = route_to_group_leader;
}
void io_protocol_stop(void)
{
    term_stdout_route = NULL;
}

/* ------------------------------------------------ serving a request -- */

/* unicode:characters_to_binary of chardata: binaries (UTF-8), code
 * points, nested lists. An explicit stack of list tails, bounded. */
static bool chars_to_utf8(tapa_term t, dbuf *out)
{
    tapa_term stack[CHARS_MAX_DEPTH];
    size_t n = 0;
    stack[n++] = t;
    while (n) {
        tapa_term x = stack[--n];
        if (IS_BOX_TYPE(x, BOX_BINARY)) {
            box_binary *b = (box_binary *)BOX_OF(x);
            dbuf_put(out, b->bytes, b->h.size);
        } else if (TERM_TAG(x) == TAG_SMALL) {
            int64_t cp = SMALL_VALUE(x);
            if (!tapa_unicode_scalar(cp)) return false;
            uint8_t bytes[TAPA_UTF8_MAX_BYTES];
            dbuf_put(out, bytes, tapa_utf8_encode((uint32_t)cp, bytes));
        } else if (IS_BOX_TYPE(x, BOX_CONS)) {
            if (n + 2 > CHARS_MAX_DEPTH) return false;
            stack[n++] = ((box_cons *)BOX_OF(x))->tail;
            stack[n++] = ((box_cons *)BOX_OF(x))->head;
        } else if (x != TERM_NIL) {
            return false;
        }
    }
    return true;
}

static tapa_term el(tapa_term t, size_t i)
{
    return ((box_tuple *)BOX_OF(t))->elements[i];
}

static bool is_tuple_of(tapa_term t, size_t n, const char *tag)
{
    return tapa_is_tuple(t) && tapa_tuple_size(t) == n && el(t, 0) == tapa_atom(tag);
}

/* The chars of {put_chars, Chars} or {put_chars, Encoding, Chars}; false
 * for any other request. */
static bool put_chars_of(tapa_term req, tapa_term *chars)
{
    if (is_tuple_of(req, 2, "put_chars")) return *chars = el(req, 1), true;
    if (is_tuple_of(req, 3, "put_chars") && tapa_is_atom(el(req, 1)))
        return *chars = el(req, 2), true;
    return false;
}

void (*io_protocol_output)(const char *data, size_t len);

static void write_served_text(const char *data, size_t len)
{
    if (io_protocol_output) {
        io_protocol_output(data, len);
        return;
    }
    fwrite(data, 1, len, stdout);
    fflush(stdout);
}

static tapa_term serve(tapa_term req)
{
    tapa_term chars;
    if (is_tuple_of(req, 2, "requests") && tapa_is_list(el(req, 1))) {
        tapa_term reply = tapa_atom("ok");
        for (tapa_term l = el(req, 1); IS_BOX_TYPE(l, BOX_CONS) && reply == tapa_atom("ok");
             l = tapa_tl(l))
            reply = serve(tapa_hd(l));
        return reply;
    }
    if (!put_chars_of(req, &chars)) return tapa_tuple(tapa_atom("error"), tapa_atom("enotsup"));
    dbuf text = {0};
    bool ok = chars_to_utf8(chars, &text);
    if (ok && text.len) write_served_text((const char *)text.data, text.len);
    dbuf_free(&text);
    return ok ? tapa_atom("ok") : tapa_tuple(tapa_atom("error"), tapa_atom("put_chars"));
}

/* {io_request, From, ReplyAs, Request} from a process of peer pr to one
 * of ours: served here. False when the message is something else. */
bool io_request_in(peer *pr, tapa_term message)
{
    if (!is_tuple_of(message, 4, "io_request")) return false;
    tapa_term from = el(message, 1);
    if (!tapa_is_pid(from) || node_at(PID_NODE(from))->name != pr->atom) return false;
    tapa_term reply = tapa_tuple(tapa_atom("io_reply"), el(message, 2), serve(el(message, 3)));
    ctrl_send(pr, tapa_tuple(tapa_int(OP_SEND), tapa_atom(""), from), reply);
    return true;
}
