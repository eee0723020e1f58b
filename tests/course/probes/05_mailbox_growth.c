/* Probe for step 5: the fixed receiver takes unexpected messages out of its
 * mailbox (message_queue_len stays 0), stays alive, and keeps answering
 * {:ping, from} and :show_pid, one after another. */
#include "../probe.h"

tapa_term start_message_receiver_2(void);

static const char *const junk[] = {
    ":some_message", ":some_message_2", "{:hello, \"world\"}", "42", "\"text\"", "[1, 2, 3]",
    "{:ping}", "{:pong, 1, 2}", ":show_pids", "{:show_pid}",
};
#define NJUNK (sizeof junk / sizeof junk[0])

static void queue_stays_empty(void)
{
    CHECK("queue_stays_empty");
    tapa_term r = start_message_receiver_2();
    EXPECT(tapa_is_pid(r), "start_message_receiver_2() returned %s, not a pid.", txt(r));
    settle();
    int n = 3 + (int)probe_rand(3);
    for (int i = 0; i < n; i++) {
        tapa_term msg = i == 0 ? tapa_atom("some_message") : tapa_t(junk[probe_rand(NJUNK)]);
        tapa_send(r, msg);
        settle();
        EXPECT(tapa_alive(r), "after send(pid, %s) the receiver is no longer alive: it took the message "
                              "and ended. It must keep going: put the receive in a loop.", txt(msg));
        int64_t len = queue_len(r);
        EXPECT(len == 0, "after send(pid, %s), message_queue_len is %lld; expected 0. The message matched no "
                         "clause, so it stays in the mailbox. Add a clause that matches anything, last.",
               txt(msg), (long long)len);
    }
    probe_pass();
}

static void keeps_serving(void)
{
    CHECK("keeps_serving");
    tapa_term r = start_message_receiver_2();
    EXPECT(tapa_is_pid(r), "start_message_receiver_2() returned %s, not a pid.", txt(r));
    int pings = 3 + (int)probe_rand(2);
    for (int i = 1; i <= pings; i++) {
        tapa_send(r, tapa_t(junk[probe_rand(NJUNK)]));
        tapa_send(r, tapa_t("{:ping, ~p}", tapa_self()));
        tapa_match m = {0};
        EXPECT(tapa_receive(&m, ms(1000), ":pong") == 0,
               "ping number %d got no :pong within 1 s (%s).%s", i,
               tapa_alive(r) ? "the receiver is alive" : "the receiver has ended",
               tapa_alive(r) ? " Is the catch-all clause the last one? A receive tries its clauses in order, "
                               "so a catch-all first takes the pings too."
                             : i == 1 ? " Answer {:ping, from} with :pong sent to from."
                                      : " After one message the receive is over: loop so it waits for the next.");
    }
    tapa_send(r, tapa_atom("show_pid"));
    settle();
    char line[600];
    snprintf(line, sizeof line, "pid: %s", txt(r));
    EXPECT(captured_has_line(line), "after the pings, send(pid, :show_pid) should still print \"%s\".", line);
    EXPECT(tapa_alive(r), "the receiver ended after :show_pid; it should keep serving.");
    probe_pass();
}

static const probe_scenario scenarios[] = {{"junk", queue_stays_empty}, {"serve", keeps_serving}, {0}};
int main(int argc, char **argv) { return probe_run(argc, argv, scenarios); }
