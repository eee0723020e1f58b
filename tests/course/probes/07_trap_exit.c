/* Probe for step 7: child2 traps exits, so child1's exit reaches it as the
 * message {:EXIT, child1, :some_error}, and it stays alive. */
#include "../probe.h"

tapa_term start_two_children_trap_exit(void);

/* pids and atoms are immediate words, safe in globals; the monitor ref is not */
static tapa_term c1, c2;

static void child2_survives(tapa_term ref2, tapa_term r1)
{
    CHECK("child2_survives");
    EXPECT(tapa_is_pid(c1),
           "start_two_children_trap_exit() returned %s; it should return child1's pid.", txt(c1));
    EXPECT(c2 != TAPA_NONE, "child1 has no link to child2: keep spawn_link from step 6.");
    EXPECT(r1 && tapa_equal(r1, tapa_atom("some_error")),
           "child1 should still end with :some_error; it ended with %s.",
           r1 ? txt(r1) : "nothing (still alive)");
    tapa_term r2 = wait_down(ref2, 0);
    EXPECT(
        r2 == TAPA_NONE && tapa_alive(c2),
        "child2 died with %s when child1 exited. Process.flag(:trap_exit, true) must be set by child2 "
        "itself, before the exit signal arrives.",
        r2 ? txt(r2) : "?");
    probe_pass();
}

static void exit_message(tapa_term r1)
{
    CHECK("exit_message");
    char line[600];
    snprintf(line, sizeof line, "Received: {:EXIT, %s, :some_error}", txt(c1));
    EXPECT(captured_has_line(line),
           "child2 should print \"%s\": the exit signal, arrived as a message.", line);
    probe_pass();
}

static void type_line(void)
{
    CHECK("type_line");
    EXPECT(c2 != TAPA_NONE, "child1 has no link to child2.");
    char line[600];
    char pid[64];
    snprintf(pid, sizeof pid, "%s", txt(c2));
    snprintf(line, sizeof line, "Type: Process.alive?(:erlang.list_to_pid('%s'))", pid + 4);
    EXPECT(captured_has_line(line), "child2 should then print \"%s\".", line);
    probe_pass();
}

static void trap(void)
{
    c1 = learner_value(start_two_children_trap_exit());
    settle();
    tapa_term links = tapa_is_pid(c1) ? links_of(c1) : tapa_empty_list();
    c2 = tapa_type_of(links) == TAPA_T_LIST ? tapa_hd(links) : TAPA_NONE;
    tapa_term ref2 = c2 ? tapa_monitor(c2) : TAPA_NONE;
    tapa_term ref1 = tapa_is_pid(c1) ? tapa_monitor(c1) : TAPA_NONE;
    tapa_term r1 = ref1 ? wait_down(ref1, ms(2000 / 20 + 3000)) : TAPA_NONE;
    settle();
    child2_survives(ref2, r1);
    exit_message(r1);
    type_line();
}

static const probe_scenario scenarios[] = {{"trap", trap}, {0}};
int main(int argc, char **argv)
{
    return probe_run(argc, argv, scenarios);
}
