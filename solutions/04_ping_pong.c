/* Step 4 — pids are values: ping, pong.          Lesson: lessons/04_ping_pong.md
 *
 * The tutorial, in iex:
 *     iex> pid = TapaMessages.start_message_receiver_2()
 *     iex> send(pid, {:ping, self()})
 *     iex> flush()
 *     :pong
 *
 * Run it: make 04        Check it: make grade STEP=04
 */
#include "course.h"

/* One receive with two clauses:
 *     {:ping, from} -> send(from, :pong)
 *     :show_pid     -> IO.inspect(self(), label: "pid")   */
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

/* TapaMessages.start_message_receiver_2() */
tapa_term start_message_receiver_2(void)
{
    return tapa_spawn(message_receiver_2, tapa_nil());
}

static void demo(tapa_term arg)
{
    iex("pid = TapaMessages.start_message_receiver_2()");
    tapa_term pid = show(start_message_receiver_2());
    iex("send(pid, {:ping, self()})");
    show(tapa_send(pid, tapa_t("{:ping, ~p}", tapa_self())));
    iex("flush()");
    tapa_flush();
    show(tapa_atom("ok"));
    iex("Process.alive?(pid)");
    show(tapa_bool(tapa_alive(pid)));
    iex("pid = TapaMessages.start_message_receiver_2()");
    pid = show(start_message_receiver_2());
    iex("send(pid, :show_pid)");
    show(tapa_send(pid, tapa_atom("show_pid")));
    iex("Process.alive?(pid)");
    show(tapa_bool(tapa_alive(pid)));
}

int main(void)
{
    return tapa_run(demo, tapa_nil());
}
