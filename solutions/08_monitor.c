/* Step 8 — monitors: told, not taken down.       Lesson: lessons/08_monitor.md
 *
 * The tutorial: Process.monitor(pid) makes a watcher that is not linked to
 * pid receive a message when pid dies:
 *     {:DOWN, #Reference<...>, :process, #PID<0.101.0>, :some_error}
 *
 * Run it: make 08        Check it: make grade STEP=08
 */
#include "course.h"

/* Works for 2 s, then exits with :some_error (step 6's child1, alone). */
static void worker(tapa_term arg)
{
    sleep_ms(2000);
    tapa_exit(tapa_atom("some_error"));
}

/* TapaMessages.start_worker() */
tapa_term start_worker(void)
{
    return tapa_spawn(worker, tapa_nil());
}

/* Watches pid without a link, and prints the message it gets when pid ends. */
static void watcher(tapa_term pid)
{
    tapa_term ref = tapa_monitor(pid); /* Process.monitor(pid) */
    tapa_match m = {0};
    tapa_pin(&m, "ref", ref);
    tapa_receive(&m, TAPA_INFINITY, "{:DOWN, ^ref, :process, _pid, _reason}");
    tapa_printf("Received: %pT\n", m.message);
}

/* TapaMessages.start_watcher(pid) */
tapa_term start_watcher(tapa_term pid)
{
    return tapa_spawn(watcher, pid);
}

static void demo(tapa_term arg)
{
    iex("pid = TapaMessages.start_worker()");
    tapa_term pid = show(start_worker());
    iex("watcher = TapaMessages.start_watcher(pid)");
    tapa_term watcher = show(start_watcher(pid));
    iex("Process.info(watcher) |> Keyword.get(:links)");
    show(tapa_keyword_get(tapa_info(watcher), "links"));
    iex("Process.info(watcher) |> Keyword.get(:monitors)");
    show(tapa_keyword_get(tapa_info(watcher), "monitors"));
    iex("Process.sleep(2500)");
    sleep_ms(2500);
    show(tapa_atom("ok"));
    iex("Process.alive?(pid)");
    show(tapa_bool(tapa_alive(pid)));
}

int main(void)
{
    return tapa_run(demo, tapa_nil());
}
