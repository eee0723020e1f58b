/* tapa_messages.c — the tutorial's TapaMessages module (steps 3-7), line
 * for line, in C. The Elixir it follows is in ../shared/seed/README.md;
 * this file is the yardstick of the API: it should read like the Elixir.
 * Sleeps are in milliseconds_scale units so tests can run it quickly. */
#include "tapa.h"

static int64_t milliseconds_scale = 1; /* 1 as in the tutorial; tests shrink sleeps */

static void message_receiver(tapa_term arg)
{
    tapa_inspect(tapa_self(), "receiver_pid");
    tapa_printf("Received: %pT\n", tapa_receive_any());
}

tapa_term start_message_receiver(void)
{
    return tapa_spawn(message_receiver, tapa_empty_list());
}

static void message_receiver_2(tapa_term arg)
{
    tapa_match m = {0};
    switch (tapa_receive(&m, TAPA_INFINITY, "{:ping, from}", ":show_pid")) {
    case 0:
        tapa_send(tapa_var(&m, "from"), tapa_atom("pong"));
        break;
    case 1:
        tapa_inspect(tapa_self(), "pid");
        break;
    }
}

tapa_term start_message_receiver_2(void)
{
    return tapa_spawn(message_receiver_2, tapa_empty_list());
}

static void child2(tapa_term trap_exit)
{
    if (tapa_equal(trap_exit, tapa_true())) tapa_trap_exit(true);
    tapa_inspect(tapa_self(), "child2");
    tapa_inspect(tapa_receive_any(), "Received");
    char pid[64];
    tapa_inspect_to(pid, sizeof pid, tapa_self()); /* "#PID<0.N.0>" */
    tapa_printf("Type: Process.alive?(:erlang.list_to_pid('%s'))\n", pid + 4);
    tapa_sleep(60000 / milliseconds_scale);
}

static void child1(tapa_term trap_exit)
{
    tapa_printf("Starting child1\n");
    tapa_spawn_link(child2, trap_exit);
    tapa_sleep(2000 / milliseconds_scale);
    tapa_printf("Exiting in child1\n");
    tapa_exit(tapa_atom("some_error"));
}

tapa_term start_two_children(void)
{
    return tapa_spawn(child1, tapa_false());
}
tapa_term start_two_children_trap_exit(void)
{
    return tapa_spawn(child1, tapa_true());
}
