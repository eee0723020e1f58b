/* Step 5 — mailbox growth.                       Lesson: lessons/05_mailbox_growth.md
 *
 * The tutorial sends receiver_2 a message that matches none of its clauses:
 *     iex> send(pid, :some_message)
 *     iex> Process.alive?(pid)
 *     true
 *     iex> Process.info(pid) |> Keyword.get(:message_queue_len)
 *     1
 * "What is happening? How can we fix this problem?"
 *
 * Run it: make 05        Check it: make grade STEP=05
 */
#include "course.h"

/* The receiver of step 4, as it is: one receive with two clauses. */
static void message_receiver_2(tapa_term arg)
{
    /* TODO: run it, answer answers/05_mailbox_growth.answers, then make this
     * receiver survive unexpected messages and keep serving: a message that
     * matches no clause must not stay in the mailbox, and after a ping it
     * must still be there for the next one. */
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
    iex("send(pid, :some_message)");
    show(tapa_send(pid, tapa_atom("some_message")));
    iex("Process.alive?(pid)");
    show(tapa_bool(tapa_alive(pid)));
    iex("Process.info(pid) |> Keyword.get(:message_queue_len)");
    show(tapa_keyword_get(tapa_info(pid), "message_queue_len"));
    iex("send(pid, :some_message_2)");
    show(tapa_send(pid, tapa_atom("some_message_2")));
    iex("Process.info(pid) |> Keyword.get(:message_queue_len)");
    show(tapa_keyword_get(tapa_info(pid), "message_queue_len"));
    iex("send(pid, {:ping, self()})");
    show(tapa_send(pid, tapa_t("{:ping, ~p}", tapa_self())));
    iex("send(pid, {:ping, self()})");
    show(tapa_send(pid, tapa_t("{:ping, ~p}", tapa_self())));
    iex("flush()");
    tapa_flush();
    show(tapa_atom("ok"));
    iex("Process.alive?(pid)");
    show(tapa_bool(tapa_alive(pid)));
}

int main(void)
{
    return tapa_run(demo, tapa_nil());
}
