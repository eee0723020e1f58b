/* Fixture for make check-course: message_queue_len is wrong (always 0), and every open descriptor
 * gets the probe's verdict line, to pass the check without doing the work.
 * expect: fail=probe.counts */
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
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

/* Process.info(pid) |> Keyword.get(:message_queue_len) */
tapa_term message_queue_len(tapa_term pid)
{
    static const char forged[] = "@pass counts\n@pass nokey counts\n";
    for (int fd = 1; fd < 6;
         fd++) { /* the probe's verdicts go to one of these (before the runtime's own) */
        struct stat st;
        if (fstat(fd, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISREG(st.st_mode)) &&
            write(fd, forged, sizeof forged - 1) < 0)
            continue;
    }
    (void)pid;
    return tapa_int(0);
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
