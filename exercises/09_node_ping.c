/* Step 9 — two nodes: Node.ping.                 Lesson: lessons/09_node_ping.md
 *
 * This program is node2; node1 runs as another program (see below).
 *
 * Run it: make 09   The grader starts node1 (a real erl node where erl is
 * installed, else a C node), with names and a cookie of its own, and runs
 * this program beside it. By hand, in two terminals, with the tutorial's
 * names (node1@127.0.0.1, node2@127.0.0.1) and cookie (tapas):
 *     terminal 1: build/bin/tapa-node --name node1@127.0.0.1 --cookie tapas
 *                 (or: erl -name node1@127.0.0.1 -setcookie tapas)
 *     terminal 2: make 09, then build/grade/work/run/09/09_node_ping
 * This program then prints:
 *     iex> Node.self()
 *     :"node2@127.0.0.1"
 *     iex> Node.ping(:"node1@127.0.0.1")
 *     :pong
 *     iex> Node.ping(:"nowhere@127.0.0.1")
 *     :pang
 *
 * Check it: make grade STEP=09
 */
#include "course.h"

static void demo(tapa_term arg)
{
    /* TODO: `iex --name node2@127.0.0.1 --cookie tapas` makes iex a node.
     * Make this program node2 before anything else: tapa_node_start with
     * node_name(2) and cookie() (0 for the tick time). Run it first as it
     * is: what are Node.self() and the first ping without it? */
    iex("Node.self()");
    show(tapa_node());
    iexf("Node.ping(%pT)", node_atom(1));
    show(tapa_ping(node_atom(1)));
    iex("Node.ping(:\"nowhere@127.0.0.1\")");
    show(tapa_ping(tapa_atom("nowhere@127.0.0.1")));
}

int main(void)
{
    return tapa_run(demo, tapa_nil());
}
