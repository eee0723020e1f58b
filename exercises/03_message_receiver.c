/* Step 3 — a process that receives.              Lesson: lessons/03_message_receiver.md
 *
 * The tutorial, in iex:
 *     iex> pid = TapaMessages.start_message_receiver
 *     receiver_pid: #PID<0.101.0>
 *     iex> send(pid, {:hello, "world"})
 *     Received: {:hello, "world"}
 *
 * Run it: make 03        Check it: make grade STEP=03
 */
#include "course.h"

/* Prints its pid, waits for one message, prints it, and ends. */
static void message_receiver(tapa_term arg)
{
    tapa_inspect(tapa_self(), "receiver_pid");
    /* TODO: wait for one message, whatever it is, and print it as
     *     Received: {:hello, "world"}
     * (tapa_printf's %pT prints a term as iex does). */
}

/* TapaMessages.start_message_receiver */
tapa_term start_message_receiver(void)
{
    return tapa_spawn(message_receiver, tapa_nil());
}

static void demo(tapa_term arg)
{
    iex("pid = TapaMessages.start_message_receiver");
    tapa_term pid = show(start_message_receiver());
    iex("send(pid, {:hello, \"world\"})");
    show(tapa_send(pid, tapa_t("{:hello, \"world\"}")));
    iex("Process.alive?(pid)");
    show(tapa_bool(tapa_alive(pid)));
}

int main(void)
{
    return tapa_run(demo, tapa_nil());
}
