/* Probe for step 3: the receiver prints its pid, then the one message it
 * receives, and ends. */
#include "../probe.h"

tapa_term start_message_receiver(void);

static void receives_one(void)
{
    CHECK("receives_one");
    tapa_term pid = learner_value(start_message_receiver());
    EXPECT(tapa_is_pid(pid),
           "start_message_receiver() returned %s; it should return the pid spawn gives.", txt(pid));
    settle();
    char line[600];
    snprintf(line, sizeof line, "receiver_pid: %s", txt(pid));
    EXPECT(captured_has_line(line),
           "the receiver should first print \"%s\" (IO.inspect(self(), label: ...)).", line);
    tapa_term msg =
        tapa_t("{:probe, ~i, ~s}", (int64_t)probe_rand(1000), probe_rand(2) ? "world" : "tapas");
    tapa_send(pid, msg);
    settle();
    snprintf(line, sizeof line, "Received: %s", txt(msg));
    int n = captured_count(line);
    /* what it did instead decides what to tell: the message is still in the
     * mailbox (a pattern too narrow), it ended, or it took it and printed
     * something else */
    int64_t waiting = tapa_alive(pid) ? queue_len(pid) : -1;
    EXPECT(
        n >= 1 || waiting < 1,
        "after send(pid, %s) the message is still in the receiver's mailbox: its receive waits, but no "
        "clause matches this message. The tutorial's receiver takes anything: one clause, the pattern "
        "\"msg\".",
        txt(msg));
    EXPECT(
        n >= 1 || tapa_alive(pid),
        "after send(pid, %s) the receiver ended without printing \"%s\". Does it wait for a message with "
        "a receive before it ends?",
        txt(msg), line);
    EXPECT(
        n >= 1,
        "after send(pid, %s) the receiver took the message (its mailbox is empty) but did not print "
        "\"%s\". Print it with tapa_printf(\"Received: %%pT\\n\", msg).",
        txt(msg), line);
    EXPECT(n == 1, "\"%s\" was printed %d times; once is expected.", line, n);
    tapa_term again = tapa_atom("probe_second");
    tapa_send(pid, again);
    settle();
    EXPECT(!captured_has_line("Received: :probe_second") && !tapa_alive(pid),
           "the tutorial's receiver takes one message and ends; yours is still %s after the first. "
           "(A loop comes later, in step 5.)",
           tapa_alive(pid) ? "alive" : "printing");
    probe_pass();
}

static const probe_scenario scenarios[] = {{"one", receives_one}, {0}};
int main(int argc, char **argv)
{
    return probe_run(argc, argv, scenarios);
}
