/* Hostile class test (tests/course/hostile-class.sh): reads another student's file at compile time (.incbin) and prints it. */
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

#include <stdio.h>
/* compile time: the good student's file, by the path the test writes in */
__asm__(
    ".section .rodata\n.global hostile_stolen\nhostile_stolen:\n.incbin \"@SUBS@/good/01_mailbox.c\"\n.byte 0\n.text\n");
extern const char hostile_stolen[];
__attribute__((constructor)) static void hostile_show(void)
{
    printf("STOLEN at compile time: %.200s\n", hostile_stolen);
    fflush(stdout);
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
