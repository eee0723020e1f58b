/* Probe for step 1: message_queue_len(pid) counts what waits in pid's mailbox. */
#include "../probe.h"

tapa_term message_queue_len(tapa_term pid);

static void idle(tapa_term arg)
{
    tapa_match m = {0};
    tapa_receive(&m, TAPA_INFINITY, ":probe_never_sent");
}

static void ask_other(tapa_term arg)
{
    probe_reply(arg, message_queue_len(probe_arg(arg)));
}

static void ask_self(tapa_term arg)
{
    int64_t n = tapa_int_value(probe_arg(arg));
    for (int64_t i = 0; i < n; i++) tapa_send(tapa_self(), tapa_t("{:note, ~i}", i));
    probe_reply(arg, message_queue_len(tapa_self()));
}

static const char *advice(tapa_term got)
{
    if (tapa_is_tuple(got) && tapa_tuple_size(got) == 2)
        return " That is Process.info/2's {key, value} pair: return only the value "
               "(tapa_keyword_get on the list Process.info/1 gives).";
    if (tapa_is_list(got))
        return " That is the whole keyword list: pick :message_queue_len out of it with tapa_keyword_get.";
    return " Read it from Process.info(pid): tapa_keyword_get(tapa_info(pid), \"message_queue_len\").";
}

static void counts(void)
{
    CHECK("counts");
    tapa_term target = tapa_spawn(idle, tapa_nil());
    int k = 1 + (int)probe_rand(6);
    for (int i = 0; i < k; i++) tapa_send(target, tapa_t("{:junk, ~i}", (int64_t)i));
    settle();
    tapa_term why = TAPA_NONE;
    tapa_term got = call_in_process(ask_other, target, ms(1000), &why);
    EXPECT(got != TAPA_NONE, "message_queue_len(pid) did not return: its process ended with %s.",
           txt(why));
    EXPECT(tapa_is_integer(got) && tapa_int_value(got) == k,
           "message_queue_len(pid) for a process with %d messages waiting: expected %d, got %s.%s",
           k, k, txt(got), tapa_is_integer(got) ? "" : advice(got));
    int j = 2 + (int)probe_rand(5);
    got = call_in_process(ask_self, tapa_int(j), ms(1000), &why);
    EXPECT(got != TAPA_NONE, "message_queue_len(self()) did not return: its process ended with %s.",
           txt(why));
    EXPECT(tapa_is_integer(got) && tapa_int_value(got) == j,
           "message_queue_len(self()) after sending itself %d messages: expected %d, got %s.%s", j,
           j, txt(got), tapa_is_integer(got) ? "" : advice(got));
    probe_pass();
}

static const probe_scenario scenarios[] = {{"counts", counts}, {0}};
int main(int argc, char **argv)
{
    return probe_run(argc, argv, scenarios);
}
