/* Step 12 — running code on another node.        Lesson: lessons/12_remote_spawn.md
 *
 * This program is node2; node1 runs as another program (see below).
 * node1 offers Tapa.Demo.whoami/0, which prints `pid: #PID<0.N.0>`: node1
 * formats it, and the text goes to the caller's group leader, as on BEAM.
 *
 * Run it: make 12   The grader starts node1 (a real erl node where erl is
 * installed, else a C node), with names and a cookie of its own, and runs
 * this program beside it. By hand, in two terminals, with the tutorial's
 * names (node1@127.0.0.1, node2@127.0.0.1) and cookie (tapas):
 *     terminal 1: build/bin/tapa-node --name node1@127.0.0.1 --cookie tapas
 *     terminal 2: make 12, then build/grade/work/run/12/12_remote_spawn
 * This program then prints:
 *     iex> Node.spawn(:"node1@127.0.0.1", Tapa.Demo, :whoami, [])
 *     #PID<18770.172.0>
 * and node1's whoami prints here, in this terminal, not node1's (if it
 * arrives before this program ends):
 *     pid: #PID<0.172.0>
 * (The grader's node1 prints on its own output instead, so that your
 * transcript is the same in every run; lessons/12_remote_spawn.md shows why
 * real nodes print at the caller.)
 *
 * Check it: make grade STEP=12
 */
#include "course.h"

static void demo(tapa_term arg)
{
    tapa_node_start(node_name(2), cookie(), 0);
    iexf("Node.spawn(%pT, Tapa.Demo, :whoami, [])", node_atom(1));
    show(tapa_spawn_on(node_atom(1), "Tapa.Demo", "whoami", tapa_empty_list()));
}

int main(void)
{
    return tapa_run(demo, tapa_nil());
}
