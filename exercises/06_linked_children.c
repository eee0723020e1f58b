/* Step 6 — linked processes die together.        Lesson: lessons/06_linked_children.md
 *
 * The tutorial, in iex:
 *     iex> TapaMessages.start_two_children()
 *     Starting child1
 *     child2: #PID<0.102.0>
 *     Exiting in child1            (2 s later; child2 dies with child1)
 *
 * Run it: make 06        Check it: make grade STEP=06
 * (TAPA_FAST=1 make 06 makes the 2 s wait 20 times shorter.)
 */
#include "course.h"

static void child2(tapa_term arg)
{
    tapa_inspect(tapa_self(), "child2");
    tapa_receive_any(); /* waits for a message that never comes */
}

static void child1(tapa_term arg)
{
    tapa_printf("Starting child1\n");
    tapa_spawn_link(child2, tapa_nil());
    sleep_ms(2000);
    tapa_printf("Exiting in child1\n");
    /* TODO: end child1 as the tutorial does, with exit(:some_error).
     * Returning from this function ends it with the reason :normal. */
}

/* TapaMessages.start_two_children() */
tapa_term start_two_children(void)
{
    return tapa_spawn(child1, tapa_nil());
}

static void demo(tapa_term arg)
{
    iex("child1 = TapaMessages.start_two_children()");
    tapa_term child1 = show(start_two_children());
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
