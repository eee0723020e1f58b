/* Probe for step 8: the watcher is not linked; when the watched process
 * ends (any reason, or was already gone) it receives and prints
 * {:DOWN, ref, :process, pid, reason}, and is not taken down itself. */
#include "../probe.h"

tapa_term start_watcher(tapa_term pid);

static void victim(tapa_term arg)
{
    tapa_match m = {0};
    tapa_receive(&m, TAPA_INFINITY, "{:die, reason}");
    tapa_exit(tapa_var(&m, "reason"));
}

/* Watch a victim die with `reason`; returns "" or what went wrong. */
static const char *watch_death(tapa_term reason, char *why, size_t size)
{
    tapa_term v = tapa_spawn(victim, tapa_nil());
    tapa_term w = learner_value(start_watcher(v));
    if (!tapa_is_pid(w))
        return snprintf(why, size, "start_watcher(pid) returned %s, not a pid.", txt(w)), why;
    settle();
    tapa_term links = links_of(w);
    if (tapa_type_of(links) == TAPA_T_LIST)
        return snprintf(why, size,
                        "the watcher is linked to %s: a monitor needs no link (Process.monitor).",
                        txt(links)),
               why;
    tapa_term wref = tapa_monitor(w);
    tapa_send(v, tapa_t("{:die, ~t}", reason));
    settle();
    char suffix[300];
    snprintf(suffix, sizeof suffix, ", :process, %s, %s}", txt(v), txt(reason));
    if (!captured_has_around("Received: {:DOWN, #Reference<", suffix)) {
        char *out = captured();
        bool exit_msg = strstr(out, "Received: {:EXIT,") != NULL;
        free(out);
        return snprintf(
                   why, size,
                   "when %s ended with %s the watcher should print \"Received: {:DOWN, #Reference<...>%s\"; "
                   "it did not.%s",
                   txt(v), txt(reason), suffix,
                   exit_msg
                       ? " It got {:EXIT, ...}: that comes from a link with trap_exit. Use Process.monitor."
                       : " Call tapa_monitor(pid) first, then receive the {:DOWN, ...} message."),
               why;
    }
    tapa_term wr = wait_down(wref, 0);
    if (wr && !tapa_equal(wr, tapa_atom("normal")))
        return snprintf(why, size,
                        "the watcher itself died with %s: a monitor only sends a message.",
                        txt(wr)),
               why;
    return "";
}

static void gets_down(void)
{
    CHECK("gets_down");
    char why[1500];
    char name[40];
    snprintf(name, sizeof name, "probe_error_%u", probe_rand(1000));
    const char *problem = watch_death(tapa_atom(name), why, sizeof why);
    EXPECT(!*problem, "%s", problem);
    probe_pass();
}

static void normal_and_noproc(void)
{
    CHECK("normal_and_noproc");
    char why[1500];
    const char *problem = watch_death(tapa_atom("normal"), why, sizeof why);
    EXPECT(!*problem, "%s (Monitors report :normal exits too; links do not.)", problem);
    tapa_term gone = tapa_spawn(victim, tapa_nil());
    tapa_send(gone, tapa_t("{:die, :normal}"));
    settle();
    start_watcher(gone);
    settle();
    char suffix[300];
    snprintf(suffix, sizeof suffix, ", :process, %s, :noproc}", txt(gone));
    EXPECT(
        captured_has_around("Received: {:DOWN, #Reference<", suffix),
        "watching a pid that has already ended should print \"Received: {:DOWN, #Reference<...>%s\" at once.",
        suffix);
    probe_pass();
}

static const probe_scenario scenarios[] = {{"down", gets_down}, {"normal", normal_and_noproc}, {0}};
int main(int argc, char **argv)
{
    return probe_run(argc, argv, scenarios);
}
