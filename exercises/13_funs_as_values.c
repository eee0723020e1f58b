/* Step 13 — functions are values too.            Lesson: lessons/13_funs_as_values.md
 *
 * This program is node2; node1 runs as another program (see below).
 * This node registers as :repl_node2, waits for a function and applies it
 * to 100; node1 sends it add_42 = fn x -> x + 42 end.
 *
 * Run it: make 13   The grader starts node1 (a real erl node where erl is
 * installed, else a C node), with names and a cookie of its own, and runs
 * this program beside it. By hand, in two terminals, with the tutorial's
 * names (node1@127.0.0.1, node2@127.0.0.1) and cookie (tapas):
 *     terminal 1: a C program that does, as node1,
 *                  tapa_send(tapa_t("{:repl_node2, ~a}", "node2@127.0.0.1"),
 *                            tapa_fun("TapaMessages", "add_n", 1, tapa_int(42)))
 *                 (start this program first: it waits 5 s)
 *     terminal 2: make 13, then build/grade/work/run/13/13_funs_as_values
 * This program then prints:
 *     iex> Process.register(self(), :repl_node2)
 *     true
 *     iex> Node.ping(:"node1@127.0.0.1")
 *     :pong
 *     iex> receive do msg -> IO.puts("result: #{msg.(100)}") after 5000 -> :nothing end
 *     result: 142
 *     :ok
 * (the grader's node1 captures a number of its own instead of 42, so the
 * result tells whether the fun was called).
 *
 * Check it: make grade STEP=13
 */
#include "course.h"

/* fn x -> x + n end, with n captured. A fun travels between nodes as a name
 * (TapaMessages.add_n/1) and its captured values; the node that calls it
 * must have the code under that name, as BEAM nodes need the same module. */
static tapa_term add_n(const tapa_term *captured, const tapa_term *args)
{
    return tapa_int(tapa_int_value(args[0]) + tapa_int_value(captured[0]));
}

static void demo(tapa_term arg)
{
    tapa_node_start(node_name(2), cookie(), 0);
    tapa_export("TapaMessages", "add_n", 1, add_n);
    iex("Process.register(self(), :repl_node2)");
    tapa_register(tapa_self(), "repl_node2");
    show(tapa_true());
    iexf("Node.ping(%pT)", node_atom(1));
    show(tapa_ping(node_atom(1)));
    iex("receive do msg -> IO.puts(\"result: #{msg.(100)}\") after 5000 -> :nothing end");
    tapa_match m = {0};
    if (tapa_receive(&m, after_ms(5000), "msg") != 0) {
        show(tapa_atom("nothing"));
        return;
    }
    tapa_term msg = tapa_var(&m, "msg");
    /* TODO: msg is a function: call it with 100, msg.(100), and print
     * what it returns. tapa_apply(fun, args...) calls a fun. */
    tapa_term result = msg;
    tapa_printf("result: %pT\n", result);
    show(tapa_atom("ok"));
}

int main(void)
{
    return tapa_run(demo, tapa_nil());
}
