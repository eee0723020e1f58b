/* Step 11 — the same pid, seen from another node. Lesson: lessons/11_global_pids.md
 *
 * This program is node2; node1 runs as another program (see below).
 * node1 sends {:hello_from, self()} to {:repl_node2, node2}; this node turns
 * the pid's text back into a pid, as the tutorial does by copying it from the
 * screen, and sends {:hello_back, 42} to it. The ping tells node1 that node2
 * is up.
 *
 * Run it: make 11   The grader starts node1 (a real erl node where erl is
 * installed, else a C node), with names and a cookie of its own, and runs
 * this program beside it. By hand, in two terminals, with the tutorial's
 * names (node1@127.0.0.1, node2@127.0.0.1) and cookie (tapas):
 *     terminal 1: build/grade/work/run/10/10_registered_send   (step 10's node1; start
 *                  this program first: it waits 5 s for node1's message)
 *     terminal 2: make 11, then build/grade/work/run/11/11_global_pids
 * This program then prints:
 *     iex> Process.register(self(), :repl_node2)
 *     true
 *     iex> Node.ping(:"node1@127.0.0.1")
 *     :pong
 *     iex> receive do msg -> IO.puts("Received: #{inspect(msg)}") after 5000 -> :nothing end
 *     Received: {:hello_from, #PID<18770.156.0>}
 *     :ok
 *     iex> pid = :erlang.list_to_pid('<18770.156.0>')
 *     #PID<18770.156.0>
 *     iex> send(pid, {:hello_back, 42})
 *     {:hello_back, 42}
 * (the numbers differ from run to run), and node1 receives {:hello_back, 42}.
 *
 * Check it: make grade STEP=11
 */
#include "course.h"

static void demo(tapa_term arg)
{
    tapa_node_start(node_name(2), cookie(), 0); /* iex --name node2@127.0.0.1 */
    iex("Process.register(self(), :repl_node2)");
    tapa_register(tapa_self(), "repl_node2");
    show(tapa_true());
    iexf("Node.ping(%pT)", node_atom(1));
    show(tapa_ping(node_atom(1)));
    iex("receive do msg -> IO.puts(\"Received: #{inspect(msg)}\") after 5000 -> :nothing end");
    tapa_match m = {0};
    if (tapa_receive(&m, after_ms(5000), "{:hello_from, from}") != 0) {
        show(tapa_atom("nothing"));
        return;
    }
    tapa_printf("Received: %pT\n", m.message);
    show(tapa_atom("ok"));

    /* TODO: the tutorial copies the pid's text from the screen. node1
     * printed its own pid as <0.156.0>: is that the text to use here, on
     * node2? Use the text of the pid as THIS node printed it in the
     * Received: line. tapa_inspect_to(buf, size, tapa_var(&m, "from")) gives
     * "#PID<18770.156.0>"; the part to copy starts after "#PID". */
    const char *copied = "<0.156.0>";
    iexf("pid = :erlang.list_to_pid('%s')", copied);
    tapa_term pid = show(tapa_list_to_pid(copied));
    iex("send(pid, {:hello_back, 42})");
    show(tapa_send(pid, tapa_t("{:hello_back, 42}")));
    /* Before this program ends: a ping goes over the same connection, after
     * the message, so when its answer is back node1 has the message. */
    tapa_ping(node_atom(1));
}

int main(void)
{
    return tapa_run(demo, tapa_nil());
}
