/* Probe for step 4: {:ping, from} is answered with :pong sent to from (any
 * process, not only the shell); :show_pid prints the receiver's pid. */
#include "../probe.h"

tapa_term start_message_receiver_2(void);

/* A process other than the probe's main pings the receiver. */
static void pinger(tapa_term arg)
{
    tapa_term receiver = probe_arg(arg);
    tapa_send(receiver, tapa_t("{:ping, ~p}", tapa_self()));
    tapa_match m = {0};
    int got = tapa_receive(&m, ms(1000), ":pong");
    probe_reply(arg, got == 0 ? tapa_atom("pong") : tapa_atom("nothing"));
}

static void pong_to_from(void)
{
    CHECK("pong_to_from");
    tapa_term r = learner_value(start_message_receiver_2());
    EXPECT(tapa_is_pid(r), "start_message_receiver_2() returned %s, not a pid.", txt(r));
    tapa_term why = TAPA_NONE;
    tapa_term got = call_in_process(pinger, r, ms(2000), &why);
    EXPECT(got != TAPA_NONE, "the pinging process ended with %s.", txt(why));
    tapa_match m = {0};
    bool to_main = tapa_receive(&m, 0, ":pong") == 0;
    bool to_self = tapa_alive(r) && queue_len(r) > 0;
    EXPECT(
        tapa_equal(got, tapa_atom("pong")),
        "a process sent {:ping, its_pid} and got no :pong back within 1 s.%s",
        to_main
            ? " The :pong went to the shell instead: send it to `from`, the pid that came in the message."
        : to_self
            ? " The receiver seems to have sent it to itself: send it to `from`."
            : " Send :pong to the pid bound to `from`: tapa_send(tapa_var(&m, \"from\"), ...).");
    probe_pass();
}

static void show_pid(void)
{
    CHECK("show_pid");
    tapa_term r = learner_value(start_message_receiver_2());
    EXPECT(tapa_is_pid(r), "start_message_receiver_2() returned %s, not a pid.", txt(r));
    settle();
    tapa_send(r, tapa_atom("show_pid"));
    settle();
    char line[600];
    snprintf(line, sizeof line, "pid: %s", txt(r));
    EXPECT(captured_has_line(line), "after send(pid, :show_pid) the receiver should print \"%s\".",
           line);
    probe_pass();
}

static const probe_scenario scenarios[] = {{"ping", pong_to_from}, {"show", show_pid}, {0}};
int main(int argc, char **argv)
{
    return probe_run(argc, argv, scenarios);
}
