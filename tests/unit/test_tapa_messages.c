/* test_tapa_messages.c — the tutorial's session (steps 1-7) run against
 * the C TapaMessages module, checking what the learner would see. */
#include "tapa_test.h"
#include "tapa_messages.c"

static void session_receiver(tapa_term arg)
{
    tapa_term pid = start_message_receiver();
    tapa_send(pid, tapa_t("{:hello, \"world\"}"));
    tapa_sleep(10);
    log_line("%pT", tapa_bool(tapa_alive(pid)));
}

static void test_step3_receiver_prints_and_ends(void **state)
{
    char *out;
    log_reset();
    assert_int_equal(run_captured(session_receiver, tapa_empty_list(), &out), 0);
    assert_true(strncmp(out, "receiver_pid: #PID<0.", 21) == 0);
    assert_non_null(strstr(out, ".0>\nReceived: {:hello, \"world\"}\n"));
    assert_string_equal(test_log, "false\n");
    free(out);
}

static void session_ping(tapa_term arg)
{
    tapa_term pid = start_message_receiver_2();
    tapa_send(pid, tapa_t("{:ping, ~p}", tapa_self()));
    tapa_sleep(10);
    tapa_flush();
}

static void test_step4_ping_pong(void **state)
{
    char *out;
    assert_int_equal(run_captured(session_ping, tapa_empty_list(), &out), 0);
    assert_string_equal(out, ":pong\n");
    free(out);
}

static void session_growth(tapa_term arg)
{
    tapa_term pid = start_message_receiver_2();
    tapa_send(pid, tapa_atom("some_message"));
    tapa_sleep(10);
    log_line("%pT %pT", tapa_bool(tapa_alive(pid)), tapa_info_key(pid, "message_queue_len"));
    tapa_send(pid, tapa_atom("some_message_2"));
    tapa_sleep(10);
    log_line("%pT", tapa_keyword_get(tapa_info(pid), "message_queue_len"));
}

static void test_step5_mailbox_grows(void **state)
{
    log_reset();
    assert_int_equal(tapa_run(session_growth, tapa_empty_list()), 0);
    assert_string_equal(test_log, "true {:message_queue_len, 1}\n2\n");
}

static bool trapping;
static void session_children(tapa_term arg)
{
    milliseconds_scale = 100; /* 2 s -> 20 ms, 60 s -> 600 ms */
    tapa_term parent = trapping ? start_two_children_trap_exit() : start_two_children();
    tapa_sleep(100);
    log_line("child1 alive: %pT", tapa_bool(tapa_alive(parent)));
}

static void test_step6_linked_child_dies(void **state)
{
    char *out;
    log_reset();
    trapping = false;
    assert_int_equal(run_captured(session_children, tapa_empty_list(), &out), 0);
    assert_non_null(strstr(out, "Starting child1\nchild2: #PID<0."));
    assert_non_null(strstr(out, "Exiting in child1\n"));
    assert_null(strstr(out, "Received:"));
    assert_string_equal(test_log, "child1 alive: false\n");
    free(out);
}

static void test_step7_trap_exit_survives(void **state)
{
    char *out;
    log_reset();
    trapping = true;
    assert_int_equal(run_captured(session_children, tapa_empty_list(), &out), 0);
    const char *received = strstr(out, "Received: {:EXIT, #PID<0.");
    assert_non_null(received);
    assert_non_null(
        strstr(received, ".0>, :some_error}\nType: Process.alive?(:erlang.list_to_pid('<0."));
    assert_non_null(strstr(out, ".0>'))\n"));
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_step3_receiver_prints_and_ends),
        cmocka_unit_test(test_step4_ping_pong),
        cmocka_unit_test(test_step5_mailbox_grows),
        cmocka_unit_test(test_step6_linked_child_dies),
        cmocka_unit_test(test_step7_trap_exit_survives),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
