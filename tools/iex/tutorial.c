/* tutorial.c — the tutorial's TapaMessages module, exported under its
 * Elixir names, so TapaMessages.start_message_receiver_2() works at the
 * prompt; and the learner's own functions in their place when `make iex
 * STEP=NN` links an exercise into the shell.
 *
 * The learner's functions are found through weak references: an exercise
 * defines `tapa_term start_message_receiver_2(void)` as a plain C function;
 * linked in, the weak reference resolves to it and it is exported instead
 * of the tutorial's own; absent, the reference is NULL. */
#include "iex/iex.h"

#include <stdlib.h>
#include <string.h>

/* Process.sleep; 20 times shorter with TAPA_FAST=1, as the course does */
static void nap(int64_t ms)
{
    const char *fast = getenv("TAPA_FAST");
    tapa_sleep(fast && !strcmp(fast, "1") ? ms / 20 : ms);
}

static void message_receiver(tapa_term arg)
{
    (void)arg;
    tapa_inspect(tapa_self(), "receiver_pid");
    tapa_printf("Received: %pT\n", tapa_receive_any());
    fflush(stdout);
}

static void message_receiver_2(tapa_term arg)
{
    (void)arg;
    tapa_match m = {0};
    switch (tapa_receive(&m, TAPA_INFINITY, "{:ping, from}", ":show_pid")) {
    case 0:
        tapa_send(tapa_var(&m, "from"), tapa_atom("pong"));
        break;
    case 1:
        tapa_inspect(tapa_self(), "pid");
        break;
    }
    fflush(stdout);
}

static void child2(tapa_term trap_exit)
{
    if (tapa_equal(trap_exit, tapa_true())) tapa_trap_exit(true);
    tapa_inspect(tapa_self(), "child2");
    tapa_inspect(tapa_receive_any(), "Received");
    char pid[64];
    tapa_inspect_to(pid, sizeof pid, tapa_self()); /* "#PID<0.N.0>" */
    tapa_printf("Type: Process.alive?(:erlang.list_to_pid('%s'))\n", pid + 4);
    fflush(stdout);
    nap(60000);
}

static void child1(tapa_term trap_exit)
{
    tapa_printf("Starting child1\n");
    fflush(stdout);
    tapa_spawn_link(child2, trap_exit);
    nap(2000);
    tapa_printf("Exiting in child1\n");
    fflush(stdout);
    tapa_exit(tapa_atom("some_error"));
}

static tapa_term ref_start_message_receiver(const tapa_term *c, const tapa_term *a)
{
    (void)c, (void)a;
    return tapa_spawn(message_receiver, tapa_empty_list());
}
static tapa_term ref_start_message_receiver_2(const tapa_term *c, const tapa_term *a)
{
    (void)c, (void)a;
    return tapa_spawn(message_receiver_2, tapa_empty_list());
}
static tapa_term ref_start_two_children(const tapa_term *c, const tapa_term *a)
{
    (void)c, (void)a;
    return tapa_spawn(child1, tapa_false());
}
static tapa_term ref_start_two_children_trap_exit(const tapa_term *c, const tapa_term *a)
{
    (void)c, (void)a;
    return tapa_spawn(child1, tapa_true());
}

/* The exercises' functions, when an exercise is linked in. */
extern tapa_term start_message_receiver(void) __attribute__((weak));
extern tapa_term start_message_receiver_2(void) __attribute__((weak));
extern tapa_term start_two_children(void) __attribute__((weak));
extern tapa_term start_two_children_trap_exit(void) __attribute__((weak));
extern tapa_term start_worker(void) __attribute__((weak));
extern tapa_term start_watcher(tapa_term pid) __attribute__((weak));
extern tapa_term message_queue_len(tapa_term pid) __attribute__((weak));

static tapa_term l_start_message_receiver(const tapa_term *c, const tapa_term *a)
{
    (void)c, (void)a;
    return start_message_receiver();
}
static tapa_term l_start_message_receiver_2(const tapa_term *c, const tapa_term *a)
{
    (void)c, (void)a;
    return start_message_receiver_2();
}
static tapa_term l_start_two_children(const tapa_term *c, const tapa_term *a)
{
    (void)c, (void)a;
    return start_two_children();
}
static tapa_term l_start_two_children_trap_exit(const tapa_term *c, const tapa_term *a)
{
    (void)c, (void)a;
    return start_two_children_trap_exit();
}
static tapa_term l_start_worker(const tapa_term *c, const tapa_term *a)
{
    (void)c, (void)a;
    return start_worker();
}
static tapa_term l_start_watcher(const tapa_term *c, const tapa_term *a)
{
    (void)c;
    return start_watcher(a[0]);
}
static tapa_term l_message_queue_len(const tapa_term *c, const tapa_term *a)
{
    (void)c;
    return message_queue_len(a[0]);
}

/* :erlang.apply(fun, args) here too, so Node.spawn(node, fn) from another
 * tapa-iex runs the fun on this node. */
static tapa_term erlang_apply(const tapa_term *c, const tapa_term *a)
{
    (void)c;
    tapa_term argv[16], l = a[1];
    size_t n = 0;
    for (; tapa_type_of(l) == TAPA_T_LIST && n < 16; l = tapa_tl(l)) argv[n++] = tapa_hd(l);
    return tapa_apply_v(a[0], n, argv);
}

static tapa_term erlang_node(const tapa_term *c, const tapa_term *a)
{
    (void)c, (void)a;
    return tapa_node();
}

static tapa_term whoami(const tapa_term *c, const tapa_term *a)
{
    (void)c, (void)a;
    tapa_printf("pid: %pT\n", tapa_self());
    fflush(stdout);
    return tapa_self();
}

void tiex_register_tutorial(void)
{
    tapa_export("TapaMessages", "start_message_receiver", 0, ref_start_message_receiver);
    tapa_export("TapaMessages", "start_message_receiver_2", 0, ref_start_message_receiver_2);
    tapa_export("TapaMessages", "start_two_children", 0, ref_start_two_children);
    tapa_export("TapaMessages", "start_two_children_trap_exit", 0,
                ref_start_two_children_trap_exit);
    tapa_export(":erlang", "apply", 2, erlang_apply);
    tapa_export(":erlang", "node", 0, erlang_node);
    tapa_export("Tapa.Demo", "whoami", 0, whoami);
    /* the learner's, where an exercise is linked in (make iex STEP=NN) */
    if (start_message_receiver)
        tapa_export("TapaMessages", "start_message_receiver", 0, l_start_message_receiver);
    if (start_message_receiver_2)
        tapa_export("TapaMessages", "start_message_receiver_2", 0, l_start_message_receiver_2);
    if (start_two_children)
        tapa_export("TapaMessages", "start_two_children", 0, l_start_two_children);
    if (start_two_children_trap_exit)
        tapa_export("TapaMessages", "start_two_children_trap_exit", 0,
                    l_start_two_children_trap_exit);
    if (start_worker) tapa_export("TapaMessages", "start_worker", 0, l_start_worker);
    if (start_watcher) tapa_export("TapaMessages", "start_watcher", 1, l_start_watcher);
    if (message_queue_len) tapa_export("TapaMessages", "message_queue_len", 1, l_message_queue_len);
}
