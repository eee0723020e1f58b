/* Probe for step 5: the fixed receiver takes unexpected messages out of its
 * mailbox (message_queue_len stays 0), stays alive, and keeps answering
 * {:ping, from} and :show_pid, one after another. */
#include "../probe.h"

#include <sys/resource.h>
#include <time.h>

tapa_term start_message_receiver_2(void);

static const char *const junk[] = {
    ":some_message", ":some_message_2", "{:hello, \"world\"}", "42",         "\"text\"",
    "[1, 2, 3]",     "{:ping}",         "{:pong, 1, 2}",       ":show_pids", "{:show_pid}",
};
#define NJUNK (sizeof junk / sizeof junk[0])

/* CPU seconds this process (every thread) has used so far. */
static double cpu_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
           ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) / 1e6;
}

static void queue_stays_empty(void)
{
    CHECK("queue_stays_empty");
    tapa_term r = learner_value(start_message_receiver_2());
    EXPECT(tapa_is_pid(r), "start_message_receiver_2() returned %s, not a pid.", txt(r));
    settle();
    int n = 3 + (int)probe_rand(3);
    for (int i = 0; i < n; i++) {
        tapa_term msg = i == 0 ? tapa_atom("some_message") : tapa_t(junk[probe_rand(NJUNK)]);
        tapa_send(r, msg);
        settle();
        EXPECT(tapa_alive(r),
               "after send(pid, %s) the receiver is no longer alive: it took the message "
               "and ended. It must keep going: put the receive in a loop.",
               txt(msg));
        int64_t len = queue_len(r);
        EXPECT(len == 0,
               "after send(pid, %s), message_queue_len is %lld; expected 0. The message matched no "
               "clause, so it stays in the mailbox. Add a clause that matches anything, last.",
               txt(msg), (long long)len);
    }
    /* Behaviour, not output: with nothing in its mailbox the receiver must
     * wait, not poll (a receive with timeout 0 in a loop burns a core). Its
     * status, sampled while the mailbox stays empty, says which (a poller is
     * always runnable, whatever the machine's load); the CPU time it cost is
     * told too. */
    struct timespec w0, w1;
    clock_gettime(CLOCK_MONOTONIC, &w0);
    double c0 = cpu_seconds();
    int runnable = 0, samples = 20;
    for (int i = 0; i < samples; i++) {
        tapa_sleep(ms(20));
        tapa_term st = tapa_info_key(r, "status");
        runnable += tapa_is_tuple(st) && tapa_equal(tapa_element(st, 1), tapa_atom("runnable"));
    }
    clock_gettime(CLOCK_MONOTONIC, &w1);
    double used = cpu_seconds() - c0,
           idle = (double)(w1.tv_sec - w0.tv_sec) + (double)(w1.tv_nsec - w0.tv_nsec) / 1e9;
    EXPECT(
        runnable * 2 < samples,
        "with an empty mailbox the receiver was still running in %d of %d looks (and this program used "
        "%.2f s of CPU in %.2f s): it polls instead of waiting. Give the receive no timeout "
        "(TAPA_INFINITY), so it sleeps until a message comes.",
        runnable, samples, used, idle);
    probe_pass();
}

static void keeps_serving(void)
{
    CHECK("keeps_serving");
    tapa_term r = learner_value(start_message_receiver_2());
    EXPECT(tapa_is_pid(r), "start_message_receiver_2() returned %s, not a pid.", txt(r));
    int pings = 3 + (int)probe_rand(2);
    for (int i = 1; i <= pings; i++) {
        tapa_send(r, tapa_t(junk[probe_rand(NJUNK)]));
        tapa_send(r, tapa_t("{:ping, ~p}", tapa_self()));
        tapa_match m = {0};
        if (tapa_receive(&m, ms(1000), ":pong") == 0) continue;
        /* no :pong: what did it do instead? A ping alone tells a catch-all
         * placed first (it eats that one too) from a receiver that throws
         * away the messages behind the one it took (a drain after each) */
        bool alive = tapa_alive(r), lone = false;
        if (alive) {
            tapa_send(r, tapa_t("{:ping, ~p}", tapa_self()));
            tapa_match m2 = {0};
            lone = tapa_receive(&m2, ms(1000), ":pong") == 0;
        }
        EXPECT(
            false,
            "ping number %d, sent right after an unexpected message, got no :pong within 1 s (%s).%s",
            i, alive ? "the receiver is alive" : "the receiver has ended",
            !alive
                ? (i == 1
                       ? " Answer {:ping, from} with :pong sent to from."
                       : " After one message the receive is over: loop so it waits for the next.")
            : lone
                ? " A ping on its own is answered, so the ping behind the junk was thrown away: take one "
                  "message per receive and leave the others in the mailbox for the next round (no drain)."
                : " Not even a ping on its own is answered: is the catch-all clause the last one? A receive "
                  "tries its clauses in order, so a catch-all first takes the pings too.");
    }
    tapa_send(r, tapa_atom("show_pid"));
    settle();
    char line[600];
    snprintf(line, sizeof line, "pid: %s", txt(r));
    EXPECT(captured_has_line(line),
           "after the pings, send(pid, :show_pid) should still print \"%s\".", line);
    EXPECT(tapa_alive(r), "the receiver ended after :show_pid; it should keep serving.");
    probe_pass();
}

static const probe_scenario scenarios[] = {
    {"junk", queue_stays_empty}, {"serve", keeps_serving}, {0}};
int main(int argc, char **argv)
{
    return probe_run(argc, argv, scenarios);
}
