/* Step 14 — the network is not reliable.         Lesson: lessons/14_open_questions.md
 *
 * This program is node2; node1 runs as another program (see below).
 * It runs a process on node1, asks to be told if it goes, then has node1
 * drop the connection, as if a cable were pulled out: the grader's node1 has
 * a process registered as `net` that does that when sent :cut.
 *
 * Run it: make 14   The grader starts node1 (a real erl node where erl is
 * installed, else a C node), with names and a cookie of its own, and runs
 * this program beside it. By hand, in two terminals, with the tutorial's
 * names (node1@127.0.0.1, node2@127.0.0.1) and cookie (tapas):
 *     terminal 1: build/bin/tapa-node --name node1@127.0.0.1 --cookie tapas
 *                 (it has no `net` process: stop it with Ctrl-C instead of the :cut)
 *     terminal 2: make 14, then build/grade/work/run/14/14_open_questions
 * This program then prints:
 *     iex> pid = Node.spawn(:"node1@127.0.0.1", Tapa.Demo, :sleep, [60000])
 *     #PID<18770.172.0>
 *     iex> ref = Process.monitor(pid)
 *     #Reference<0.1.2.3>
 *     iex> Node.monitor(:"node1@127.0.0.1", true)
 *     true
 *     iex> send({:net, :"node1@127.0.0.1"}, :cut)
 *     :cut
 *     iex> receive do {:DOWN, ^ref, :process, _, _} = down -> down after 3000 -> :nothing end
 *     {:DOWN, #Reference<0.1.2.3>, :process, #PID<18770.172.0>, :noconnection}
 *     iex> receive do {:nodedown, _} = down -> down after 3000 -> :nothing end
 *     {:nodedown, :"node1@127.0.0.1"}
 *     iex> Node.list()
 *     []
 *
 * Check it: make grade STEP=14
 */
#include "course.h"

static void demo(tapa_term arg)
{
    tapa_node_start(node_name(2), cookie(), 0);
    iexf("pid = Node.spawn(%pT, Tapa.Demo, :sleep, [60000])", node_atom(1));
    tapa_term pid =
        show(tapa_spawn_on(node_atom(1), "Tapa.Demo", "sleep", tapa_list(tapa_int(60000))));
    /* TODO: these two lines only pretend. Ask to be told when the process
     * on node1, or node1 itself, goes: Process.monitor(pid) (tapa_monitor)
     * and Node.monitor(node1, true) (tapa_monitor_node). */
    iex("ref = Process.monitor(pid)");
    tapa_term ref = show(tapa_make_ref()); /* a fresh reference: nothing will ever come with it */
    (void)pid;
    iexf("Node.monitor(%pT, true)", node_atom(1));
    show(tapa_true());
    iexf("send({:net, %pT}, :cut)", node_atom(1));
    show(tapa_send(tapa_tuple(tapa_atom("net"), node_atom(1)), tapa_atom("cut")));
    iex("receive do {:DOWN, ^ref, :process, _, _} = down -> down after 3000 -> :nothing end");
    tapa_match m = {0};
    tapa_pin(&m, "ref", ref);
    show(tapa_receive(&m, after_ms(3000), "{:DOWN, ^ref, :process, _, _}") == 0
             ? m.message
             : tapa_atom("nothing"));
    iex("receive do {:nodedown, _} = down -> down after 3000 -> :nothing end");
    tapa_match n = {0};
    show(tapa_receive(&n, after_ms(3000), "{:nodedown, _}") == 0 ? n.message
                                                                 : tapa_atom("nothing"));
    iex("Node.list()");
    show(tapa_nodes());
}

int main(void)
{
    return tapa_run(demo, tapa_nil());
}
