/* Step 2 — flush() empties the mailbox.          Lesson: lessons/02_flush.md
 *
 * The tutorial, in iex (after step 1):
 *     iex> flush()
 *     :hello
 *     :world
 *     :ok
 *
 * flush() is a helper of the iex shell, not of the language. Here you write
 * it yourself, with a receive.
 *
 * Run it: make 02        Check it: make grade STEP=02
 */
#include "course.h"

/* flush(): print every message in the mailbox, oldest first, remove it, and
 * return :ok once the mailbox is empty. */
tapa_term flush(void)
{
    for (;;) {
        tapa_match m = {0};
        /* timeout 0: take a message if there is one, else give up at once */
        if (tapa_receive(&m, 0, "msg") == TAPA_TIMEOUT) return tapa_atom("ok");
        tapa_printf("%pT\n", tapa_var(&m, "msg"));
    }
}

static void demo(tapa_term arg)
{
    iex("send(self(), :hello)");
    show(tapa_send(tapa_self(), tapa_atom("hello")));
    iex("send(self(), :world)");
    show(tapa_send(tapa_self(), tapa_atom("world")));
    iex("flush()");
    show(flush());
    iex("Process.info(self()) |> Keyword.get(:message_queue_len)");
    show(tapa_keyword_get(tapa_info(tapa_self()), "message_queue_len"));
}

int main(void)
{
    return tapa_run(demo, tapa_nil());
}
