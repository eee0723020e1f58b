/* Probe for step 3: the receiver prints its pid, then the one message it
 * receives, and ends. */
#include "../probe.h"

tapa_term start_message_receiver(void);

static void receives_one(void)
{
    CHECK("receives_one");
    tapa_term pid = start_message_receiver();
    EXPECT(tapa_is_pid(pid), "start_message_receiver() returned %s; it should return the pid spawn gives.", txt(pid));
    settle();
    char line[600];
    snprintf(line, sizeof line, "receiver_pid: %s", txt(pid));
    EXPECT(captured_has_line(line), "the receiver should first print \"%s\" (IO.inspect(self(), label: ...)).", line);
    tapa_term msg = tapa_t("{:probe, ~i, ~s}", (int64_t)probe_rand(1000), probe_rand(2) ? "world" : "tapas");
    tapa_send(pid, msg);
    settle();
    snprintf(line, sizeof line, "Received: %s", txt(msg));
    int n = captured_count(line);
    EXPECT(n >= 1, "after send(pid, %s) the receiver should print \"%s\"; it printed nothing like it. "
                   "Does it wait for a message with a receive?", txt(msg), line);
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
int main(int argc, char **argv) { return probe_run(argc, argv, scenarios); }
