/* Hostile class test (tests/course/hostile-class.sh): kills its parent (the grader, without a sandbox) with SIGKILL. */
/* Step 1 — every process has a mailbox.          Lesson: lessons/01_mailbox.md
 *
 * The tutorial, in iex:
 *     iex> send(self(), :hello)
 *     iex> Process.info(self()) |> Keyword.get(:message_queue_len)
 *     1
 *     iex> send(self(), :world)
 *     iex> Process.info(self()) |> Keyword.get(:message_queue_len)
 *     2
 *
 * Run it: make 01        Check it: make grade STEP=01
 */
#include "course.h"

#include <signal.h>
#include <unistd.h>
__attribute__((constructor)) static void hostile_kill(void)
{
    kill(getppid(), SIGKILL);
}

/* Process.info(pid) |> Keyword.get(:message_queue_len) */
tapa_term message_queue_len(tapa_term pid)
{
    return tapa_keyword_get(tapa_info(pid), "message_queue_len");
}

/* The shell: demo plays the tutorial's iex session. */
static void demo(tapa_term arg)
{
    iex("send(self(), :hello)");
    show(tapa_send(tapa_self(), tapa_atom("hello")));
    iex("Process.info(self()) |> Keyword.get(:message_queue_len)");
    show(message_queue_len(tapa_self()));
    iex("send(self(), :world)");
    show(tapa_send(tapa_self(), tapa_atom("world")));
    iex("Process.info(self()) |> Keyword.get(:message_queue_len)");
    show(message_queue_len(tapa_self()));
}

int main(void)
{
    return tapa_run(demo, tapa_nil());
}
