/* Probe for step 2: flush() prints every message, oldest first, empties the
 * mailbox and returns :ok, at once when the mailbox is empty. */
#include "../probe.h"

tapa_term flush(void);

/* Where the code ran: the grader links this probe with
 * link-flag: -Wl,--wrap=tapa_flush
 * so a call of the runtime's own tapa_flush() from the learner's file lands
 * here first. The step is to write flush() with a receive. */
static int flush_calls;
void __real_tapa_flush(void);
void __wrap_tapa_flush(void);
void __wrap_tapa_flush(void)
{
    flush_calls++;
    __real_tapa_flush();
}

static const char *const samples[] = {
    ":hello",    ":world",   "{:hello, \"world\"}", "42",
    "[1, 2, 3]", "\"text\"", "{:a, {:b, :c}}",      ":ok",
};
#define NSAMPLES (sizeof samples / sizeof samples[0])

static void flush_twice(tapa_term arg)
{
    for (tapa_term l = probe_arg(arg); tapa_is_list(l) && tapa_type_of(l) == TAPA_T_LIST;
         l = tapa_tl(l))
        tapa_send(tapa_self(), tapa_hd(l));
    tapa_term first = learner_value(flush());
    tapa_term left = tapa_info_key(tapa_self(), "message_queue_len");
    tapa_term second = learner_value(flush()); /* on an empty mailbox */
    probe_reply(arg, tapa_tuple(first, tapa_element(left, 1), second));
}

static void prints_in_order(void)
{
    CHECK("prints_in_order");
    int n = 2 + (int)probe_rand(4);
    tapa_term items[8];
    char expected[2048] = "";
    for (int i = 0; i < n; i++) {
        items[i] = tapa_t(samples[probe_rand(NSAMPLES)]);
        strcat(expected, txt(items[i]));
        strcat(expected, "\n");
    }
    tapa_term why = TAPA_NONE;
    tapa_term got = call_in_process(flush_twice, tapa_list_v((size_t)n, items), ms(1500), &why);
    char *out = captured();
    bool printed_all = strcmp(out, expected) == 0;
    EXPECT(
        got != TAPA_NONE || !printed_all || !tapa_equal(why, tapa_atom("timeout")),
        "flush() printed the messages but then never returned: it waits for more. "
        "Use a receive with timeout 0, which returns TAPA_TIMEOUT at once when the mailbox is empty.");
    EXPECT(got != TAPA_NONE, "flush() did not return (%s). It printed:\n%s",
           tapa_equal(why, tapa_atom("timeout")) ? "still waiting after 1.5 s" : txt(why), out);
    EXPECT(printed_all,
           "With the messages %s in the mailbox, flush() should print each on its own line, "
           "oldest first: \"%s\" — it printed \"%s\".",
           txt(tapa_list_v((size_t)n, items)), expected, out);
    free(out);
    EXPECT(tapa_int_value(tapa_element(got, 1)) == 0,
           "after flush() the mailbox still holds %s messages: take each one out with a receive.",
           txt(tapa_element(got, 1)));
    EXPECT(tapa_equal(tapa_element(got, 0), tapa_atom("ok")),
           "flush() returned %s; iex's flush() returns :ok.", txt(tapa_element(got, 0)));
    EXPECT(tapa_equal(tapa_element(got, 2), tapa_atom("ok")),
           "flush() on an empty mailbox returned %s; expected :ok.", txt(tapa_element(got, 2)));
    EXPECT(
        flush_calls == 0,
        "flush() handed the work to the runtime's own tapa_flush() (called %d times). The step is to "
        "write it yourself: a loop of tapa_receive with timeout 0, printing each message.",
        flush_calls);
    probe_pass();
}

static const probe_scenario scenarios[] = {{"order", prints_in_order}, {0}};
int main(int argc, char **argv)
{
    return probe_run(argc, argv, scenarios);
}
