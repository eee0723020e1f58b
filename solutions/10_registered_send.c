/* Step 10 — a send to a name on another node.    Lesson: lessons/10_registered_send.md
 *
 * This program is node1; node2 runs as another program (see below).
 * node2 has a process registered as :repl_node2 that prints what it gets and
 * answers {:hello_from, pid} with {:hello_back, 42}, sent to pid (as node2
 * does in step 11).
 *
 * Run it: make 10   The grader starts node2 (a real erl node where erl is
 * installed, else a C node), with names and a cookie of its own, and runs
 * this program beside it. By hand, in two terminals, with the tutorial's
 * names (node1@127.0.0.1, node2@127.0.0.1) and cookie (tapas):
 *     terminal 1: build/grade/work/run/11/11_global_pids   (step 11's node2, once done)
 *                 (or: erl -name node2@127.0.0.1 -setcookie tapas, then
 *                  register(repl_node2, self()), receive {hello_from, P} -> P ! {hello_back, 42} end.)
 *     terminal 2: make 10, then build/grade/work/run/10/10_registered_send
 * This program then prints:
 *     iex> self()
 *     #PID<0.156.0>
 *     iex> send({:repl_node2, :"node2@127.0.0.1"}, {:hello_from, self()})
 *     {:hello_from, #PID<0.156.0>}
 *     iex> receive do msg -> msg after 3000 -> :nothing end
 *     {:hello_back, 42}
 *
 * Check it: make grade STEP=10
 */
#include "course.h"

static void demo(tapa_term arg)
{
    tapa_node_start(node_name(1), cookie(), 0); /* iex --name node1@127.0.0.1 */
    iex("self()");
    show(tapa_self());
    iexf("send({:repl_node2, %pT}, {:hello_from, self()})", node_atom(2));
    tapa_term msg = tapa_t("{:hello_from, ~p}", tapa_self());
    show(tapa_send(tapa_tuple(tapa_atom("repl_node2"), node_atom(2)), msg));
    iex("receive do msg -> msg after 3000 -> :nothing end");
    tapa_match m = {0};
    show(tapa_receive(&m, after_ms(3000), "msg") == 0 ? tapa_var(&m, "msg") : tapa_atom("nothing"));
}

int main(void)
{
    return tapa_run(demo, tapa_nil());
}
