/* Step 7 — trapping exits.                       Lesson: lessons/07_trap_exit.md
 *
 * The tutorial, in iex:
 *     iex> TapaMessages.start_two_children_trap_exit()
 *     Starting child1
 *     child2: #PID<0.102.0>
 *     Exiting in child1
 *     Received: {:EXIT, #PID<0.101.0>, :some_error}
 *     Type: Process.alive?(:erlang.list_to_pid('<0.102.0>'))
 *
 * Run it: make 07        Check it: make grade STEP=07
 * (TAPA_FAST=1 makes the 2 s and 60 s waits 20 times shorter.)
 */
#include "course.h"

static void child2(tapa_term arg)
{
    /* TODO: Process.flag(:trap_exit, true), so that the exit signal coming
     * from child1 through the link arrives as a message instead of killing
     * child2. Where must it go? */
    tapa_inspect(tapa_self(), "child2");
    tapa_term msg = tapa_receive_any();
    tapa_printf("Received: %pT\n", msg);
    char pid[64];
    tapa_inspect_to(pid, sizeof pid, tapa_self()); /* "#PID<0.102.0>" */
    tapa_printf("Type: Process.alive?(:erlang.list_to_pid('%s'))\n", pid + 4);
    sleep_ms(60000);
}

static void child1(tapa_term arg)
{
    tapa_printf("Starting child1\n");
    tapa_spawn_link(child2, tapa_nil());
    sleep_ms(2000);
    tapa_printf("Exiting in child1\n");
    tapa_exit(tapa_atom("some_error"));
}

/* TapaMessages.start_two_children_trap_exit() */
tapa_term start_two_children_trap_exit(void)
{
    return tapa_spawn(child1, tapa_nil());
}

static void demo(tapa_term arg)
{
    iex("child1 = TapaMessages.start_two_children_trap_exit()");
    tapa_term child1 = show(start_two_children_trap_exit());
    iex("[child2] = Process.info(child1) |> Keyword.get(:links)");
    tapa_term child2 = tapa_hd(show(tapa_keyword_get(tapa_info(child1), "links")));
    iex("Process.sleep(2500)");
    sleep_ms(2500);
    show(tapa_atom("ok"));
    iex("Process.alive?(child1)");
    show(tapa_bool(tapa_alive(child1)));
    iex("Process.alive?(child2)");
    show(tapa_bool(tapa_alive(child2)));
}

int main(void)
{
    return tapa_run(demo, tapa_nil());
}
