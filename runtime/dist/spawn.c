/* spawn.c — remote spawn (SPAWN_REQUEST / SPAWN_REPLY), both ways.
 *
 * A peer may start any exported C function here: Node.spawn/4,
 * :erlang.spawn/4 and spawn_link arrive as a request for M:F/A; :rpc.call
 * and :erpc.call arrive as a request for erpc:execute_call/4, whose
 * process must end with {ResRef, return, Value} (what erpc.erl does; the
 * caller reads it from the DOWN). A function that is not exported fails
 * as BEAM fails it: with undef, never by crashing the node.
 */
#include "dist/dist.h"
#include "trace/trace.h"

#include <stdlib.h>
#include <string.h>

static tapa_term el(tapa_term t, size_t i)
{
    return ((box_tuple *)BOX_OF(t))->elements[i];
}

/* Module atom -> the Elixir-form name tapa_fun wants. */
static tapa_term fun_for(tapa_term module, tapa_term function, int arity)
{
    size_t mlen, flen;
    const char *m = atom_text(module, &mlen), *f = atom_text(function, &flen);
    char *ms = malloc(mlen + 2), *fs = malloc(flen + 1);
    if (!ms || !fs) abort();
    bool elixir = mlen >= 7 && memcmp(m, "Elixir.", 7) == 0;
    snprintf(ms, mlen + 2, "%s%.*s", elixir ? "" : ":", (int)mlen, m);
    snprintf(fs, flen + 1, "%.*s", (int)flen, f);
    tapa_term fun = tapa_fun(ms, fs, arity);
    free(ms);
    free(fs);
    return fun;
}

static size_t list_to_array(tapa_term list, tapa_term *out, size_t max)
{
    size_t n = 0;
    for (; tapa_is_list(list) && list != TERM_NIL && n < max; list = tapa_tl(list))
        out[n++] = tapa_hd(list);
    return n;
}

/* The body of a process a peer spawned: apply M:F to Args. */
static void apply_body(tapa_term arg)
{
    tapa_term args[256];
    size_t n = list_to_array(el(arg, 2), args, 256);
    tapa_apply_v(fun_for(el(arg, 0), el(arg, 1), (int)n), n, args);
}

/* erpc:execute_call(Ref, M, F, A): exit({Ref, return, Value}), or Erlang's
 * undef error in the erpc form when M:F/A is not exported. */
static void erpc_body(tapa_term arg)
{
    tapa_term ref = el(arg, 0), m = el(arg, 1), f = el(arg, 2), list = el(arg, 3);
    tapa_term args[256];
    size_t n = list_to_array(list, args, 256);
    if (!tapa_is_atom(m) || !tapa_is_atom(f) || !export_callable(m, f, (int)n)) {
        tapa_term mfa = tapa_tuple(m, f, list, TERM_NIL);
        tapa_exit(tapa_tuple(ref, A(error), tapa_atom("undef"), tapa_list(mfa)));
    }
    tapa_term value = tapa_apply_v(fun_for(m, f, (int)n), n, args);
    tapa_exit(tapa_tuple(ref, tapa_atom("return"), value));
}

static bool proper_length(tapa_term list, size_t *n)
{
    size_t k = 0;
    for (; IS_BOX_TYPE(list, BOX_CONS); list = ((box_cons *)BOX_OF(list))->tail)
        if (++k > 255) return false;
    *n = k;
    return list == TERM_NIL;
}

static void reply(peer *pr, tapa_term req, tapa_term to, int flags, tapa_term result)
{
    tapa_term ctl = tapa_tuple(tapa_int(OP_SPAWN_REPLY), req, to, tapa_int(flags), result);
    ctrl_send(pr, ctl, TAPA_NONE);
}

static bool has_opt(tapa_term opts, const char *name)
{
    tapa_term a = tapa_atom(name);
    for (; IS_BOX_TYPE(opts, BOX_CONS); opts = ((box_cons *)BOX_OF(opts))->tail)
        if (((box_cons *)BOX_OF(opts))->head == a) return true;
    return false;
}

/* {29, ReqId, From, GroupLeader, {M, F, Arity}, Opts} + Args */
void spawn_request_in(peer *pr, tapa_term c, tapa_term args)
{
    tapa_term req = el(c, 1), from = el(c, 2), mfa = el(c, 4), opts = el(c, 5);
    size_t n;
    if (!tapa_is_pid(from)) return;
    if (!tapa_is_tuple(mfa) || tapa_tuple_size(mfa) != 3 || !tapa_is_atom(el(mfa, 0)) ||
        !tapa_is_atom(el(mfa, 1)) || !proper_length(args, &n) || !tapa_is_list(opts)) {
        reply(pr, req, from, 0, A(badarg));
        return;
    }
    bool erpc =
        el(mfa, 0) == tapa_atom("erpc") && el(mfa, 1) == tapa_atom("execute_call") && n == 4;
    tapa_term arg = erpc ? tapa_tuple_v(4, (tapa_term[]){tapa_hd(args), tapa_hd(tapa_tl(args)),
                                                         tapa_hd(tapa_tl(tapa_tl(args))),
                                                         tapa_hd(tapa_tl(tapa_tl(tapa_tl(args))))})
                         : tapa_tuple(el(mfa, 0), el(mfa, 1), args);
    process *child = proc_spawn(erpc ? erpc_body : apply_body, arg);
    /* the caller's group leader: what the child prints goes to its terminal */
    tapa_term gl = el(c, 3);
    if (tapa_is_pid(gl) && PID_NODE(gl) != 0) child->group_leader = gl;
    TRACE(TR_SPAWN, from, child->pid, TAPA_NONE); /* charts show who spawned it */
    int flags = 0;
    if (has_opt(opts, "link")) {
        link_add(child, from);
        flags |= 1;
    }
    if (has_opt(opts, "monitor") && IS_BOX_TYPE(req, BOX_REF)) {
        monitor m = {.origin = false, .other = from};
        box_ref *r = (box_ref *)BOX_OF(req);
        for (uint32_t i = 0; i < 5; i++) m.ref[i] = i < r->h.size ? r->words[i] : 0;
        m.ref_len = (uint8_t)r->h.size; /* a BEAM node's request id: up to 5 words */
        m.ref_node = r->node;
        monitor_add(child, &m);
        flags |= 2;
    }
    /* the reply goes before anything the child can send */
    reply(pr, req, from, flags, child->pid);
    child->state = PS_WAITING;
    sched_make_runnable(child);
}

/* {31, ReqId, To, Flags, PidOrError}: tell the process that asked. */
void spawn_reply_in(peer *pr, tapa_term c)
{
    tapa_term req = el(c, 1), flags = el(c, 3), result = el(c, 4);
    waiter w;
    if (!waiter_take(pr, req, &w)) return;
    process *p = proc_lookup(w.pid);
    int f = TERM_TAG(flags) == TAG_SMALL ? (int)SMALL_VALUE(flags) : 0;
    if (!tapa_is_pid(result)) {
        if (p) deliver_message(p, tapa_tuple(req, result));
        return;
    }
    if (!p) {
        if (f & 1)
            ctrl_send(pr, tapa_tuple(tapa_int(OP_EXIT), w.pid, result, A(noproc)), TAPA_NONE);
        return;
    }
    if (f & 1) link_add(p, result);
    if (f & 2) {
        monitor m = {.origin = true, .other = result};
        box_ref *r = (box_ref *)BOX_OF(req);
        for (uint32_t i = 0; i < 5; i++) m.ref[i] = i < r->h.size ? r->words[i] : 0;
        m.ref_len = (uint8_t)r->h.size;
        m.ref_node = 0;
        monitor_add(p, &m);
    }
    deliver_message(p, tapa_tuple(req, result));
}
