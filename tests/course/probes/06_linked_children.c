/* Probe for step 6: child1 exits with :some_error after its sleep, and
 * child2, linked to it, dies with the same reason. */
#include "../probe.h"

tapa_term start_two_children(void);

/* pids and atoms are immediate words, safe in globals; the monitor ref is not */
static tapa_term c1, c2;

static void child1_exits(tapa_term r1)
{
    CHECK("child1_exits");
    EXPECT(tapa_is_pid(c1), "start_two_children() returned %s; it should return child1's pid.",
           txt(c1));
    EXPECT(r1 != TAPA_NONE,
           "child1 was still alive 3 s after its 2 s sleep (shortened to 0.1 s for grading).");
    EXPECT(tapa_equal(r1, tapa_atom("some_error")),
           "child1 ended with the reason %s; the tutorial's child1 ends with exit(:some_error).%s",
           txt(r1),
           tapa_equal(r1, tapa_atom("normal"))
               ? " Returning from its function is a :normal exit: call tapa_exit."
               : "");
    probe_pass();
}

static void child2_dies(tapa_term ref2, tapa_term r1)
{
    CHECK("child2_dies");
    EXPECT(
        c2 != TAPA_NONE,
        "child1 has no link (Process.info(child1)[:links] is []): start child2 with spawn_link.");
    tapa_term r2 = wait_down(ref2, ms(500));
    EXPECT(r2 != TAPA_NONE, "child2 is still alive after child1 ended with %s.%s",
           r1 ? txt(r1) : "nothing (still alive)",
           r1 && tapa_equal(r1, tapa_atom("normal"))
               ? " A :normal exit does not take linked processes down; any other reason does."
               : " Is child2 trapping exits? Not in this step.");
    EXPECT(r1 && tapa_equal(r2, r1),
           "child2 ended with %s; through the link it gets child1's reason, %s.", txt(r2), txt(r1));
    probe_pass();
}

static void prints(void)
{
    CHECK("prints");
    char line[600];
    snprintf(line, sizeof line, "child2: %s", c2 ? txt(c2) : "?");
    int a = captured_find("Starting child1", 0), b = captured_find(line, 0),
        c = captured_find("Exiting in child1", 0);
    EXPECT(a >= 0 && b > a && c > b,
           "expected the lines \"Starting child1\", \"%s\", \"Exiting in child1\", in that order.",
           line);
    probe_pass();
}

static void linked(void)
{
    c1 = learner_value(start_two_children());
    settle();
    tapa_term links = tapa_is_pid(c1) ? links_of(c1) : tapa_empty_list();
    c2 = tapa_type_of(links) == TAPA_T_LIST ? tapa_hd(links) : TAPA_NONE;
    tapa_term ref2 = c2 ? tapa_monitor(c2) : TAPA_NONE;
    tapa_term ref1 = tapa_is_pid(c1) ? tapa_monitor(c1) : TAPA_NONE;
    tapa_term r1 = ref1 ? wait_down(ref1, ms(2000 / 20 + 3000)) : TAPA_NONE;
    settle();
    child1_exits(r1);
    child2_dies(ref2, r1);
    prints();
}

static const probe_scenario scenarios[] = {{"linked", linked}, {0}};
int main(int argc, char **argv)
{
    return probe_run(argc, argv, scenarios);
}
