/* steps.c — the course's steps and what is checked in each (steps.h). */
#include "steps.h"
#include "course_steps.h" /* generated from tools/course-steps.txt */

#include <stddef.h>

#define QLEN_SELF "Process.info(self()) |> Keyword.get(:message_queue_len)"
#define QLEN_PID "Process.info(pid) |> Keyword.get(:message_queue_len)"

static const check_def checks_01[] = {
    GATES,
    TRANSCRIPT_CHECK(2),
    PROBE_CHECK("counts", "counts", "message_queue_len(pid) counts the waiting messages", 3),
    ANSWER_CHECK("queue_len_after_hello", "int", "1", QLEN_SELF, 1, 's'),
    ANSWER_CHECK("queue_len_after_world", "int", "2", QLEN_SELF, 2, 's'),
    ANSWER_CHECK("unreceived_message", "choice", "b", NULL, 0, 0),
    END_CHECKS,
};

static const check_def checks_02[] = {
    GATES,
    TRANSCRIPT_CHECK(2),
    PROBE_CHECK("order", "prints_in_order",
                "flush() prints every message, oldest first, empties the mailbox", 3),
    ANSWER_CHECK("flush_prints_first", "term", ":hello", "flush()", 1, 's'),
    ANSWER_CHECK("queue_len_after_flush", "int", "0", QLEN_SELF, 1, 's'),
    ANSWER_CHECK("flush_on_empty_mailbox", "choice", "b", NULL, 0, 0),
    END_CHECKS,
};

static const check_def checks_03[] = {
    GATES,
    TRANSCRIPT_CHECK(2),
    PROBE_CHECK("one", "receives_one", "the receiver prints the one message it gets, then ends", 3),
    ANSWER_CHECK("alive_after_message", "bool", "false", "Process.alive?(pid)", 1, 's'),
    ANSWER_CHECK("second_message", "choice", "b", NULL, 0, 0),
    ANSWER_CHECK("receive_without_spawn", "choice", "b", NULL, 0, 0),
    END_CHECKS,
};

static const check_def checks_04[] = {
    GATES,
    TRANSCRIPT_CHECK(2),
    PROBE_CHECK("ping", "pong_to_from", "{:ping, from} is answered with :pong, sent to from", 3),
    PROBE_CHECK("show", "show_pid", ":show_pid prints the receiver's pid", 0),
    ANSWER_CHECK("flush_after_ping", "term", ":pong", "flush()", 1, 's'),
    ANSWER_CHECK("alive_after_ping", "bool", "false", "Process.alive?(pid)", 1, 's'),
    ANSWER_CHECK("pong_goes_to", "choice", "a", NULL, 0, 0),
    END_CHECKS,
};

static const check_def checks_05[] = {
    GATES,
    TRANSCRIPT_CHECK(2),
    PROBE_CHECK("junk", "queue_stays_empty", "unexpected messages leave message_queue_len at 0", 3),
    PROBE_CHECK("serve", "keeps_serving", "stays alive and keeps answering {:ping, from}", 3),
    ANSWER_CHECK("alive_after_some_message", "bool", "true", "Process.alive?(pid)", 1, 'x'),
    ANSWER_CHECK("queue_len_after_some_message", "int", "1", QLEN_PID, 1, 'x'),
    ANSWER_CHECK("queue_len_after_some_message_2", "int", "2", QLEN_PID, 2, 'x'),
    ANSWER_CHECK("what_is_happening", "choice", "b", NULL, 0, 0),
    ANSWER_CHECK("the_fix", "choice", "c", NULL, 0, 0),
    ANSWER_CHECK("queue_len_when_fixed", "int", "0", QLEN_PID, 2, 's'),
    END_CHECKS,
};

static const check_def checks_06[] = {
    GATES,
    TRANSCRIPT_CHECK(2),
    PROBE_CHECK("linked", "child1_exits", "child1 exits with :some_error", 3),
    PROBE_CHECK("linked", "child2_dies", "child2, linked, dies with child1's reason", 3),
    PROBE_CHECK("linked", "prints", "prints Starting child1, child2: pid, Exiting in child1", 0),
    ANSWER_CHECK("child2_alive_after_child1_exit", "bool", "false", "Process.alive?(child2)", 1,
                 's'),
    ANSWER_CHECK("child2_alive_if_child1_exits_normal", "bool", "true", "Process.alive?(child2)", 1,
                 'x'),
    ANSWER_CHECK("why_child2_dies", "choice", "b", NULL, 0, 0),
    END_CHECKS,
};

static const check_def checks_07[] = {
    GATES,
    TRANSCRIPT_CHECK(2),
    PROBE_CHECK("trap", "child2_survives", "child2 survives its parent's exit", 3),
    PROBE_CHECK("trap", "exit_message", "child2 receives {:EXIT, child1, :some_error}", 3),
    PROBE_CHECK("trap", "type_line", "child2 prints the Type: Process.alive?(...) line", 0),
    ANSWER_CHECK("child2_alive", "bool", "true", "Process.alive?(child2)", 1, 's'),
    ANSWER_CHECK("child2_alive_without_trap", "bool", "false", "Process.alive?(child2)", 1, 'x'),
    ANSWER_CHECK("what_child2_receives", "choice", "b", NULL, 0, 0),
    ANSWER_CHECK("exit_kill_when_trapping", "choice", "b", NULL, 0, 0),
    END_CHECKS,
};

static const check_def checks_08[] = {
    GATES,
    TRANSCRIPT_CHECK(2),
    PROBE_CHECK("down", "gets_down", "the watcher gets {:DOWN, ref, :process, pid, reason}", 3),
    PROBE_CHECK("normal", "normal_and_noproc",
                "DOWN also for a :normal exit and a pid already gone", 3),
    ANSWER_CHECK("watcher_linked", "bool", "false", NULL, 0, 0),
    ANSWER_CHECK("down_message", "choice", "b", NULL, 0, 0),
    ANSWER_CHECK("down_on_normal_exit", "bool", "true", NULL, 0, 0),
    ANSWER_CHECK("worker_alive_after", "bool", "false", "Process.alive?(pid)", 1, 's'),
    END_CHECKS,
};

/* Part 2: two nodes. The tutorial's names appear in the expected output
 * and in `obs` prompts; the grader puts each run's own names in their place. */
#define PING_NODE1 "Node.ping(:\"node1@127.0.0.1\")"

static const check_def checks_09[] = {
    GATES,
    TRANSCRIPT_CHECK(2),
    PEER_CHECK("node1_sees_node2", "node1 sees node2 connect (a handshake with the cookie)", 3),
    ANSWER_CHECK("node_before_start", "term", ":nonode@nohost", "Node.self()", 1, 'x'),
    ANSWER_CHECK("ping_before_start", "term", ":pang", PING_NODE1, 1, 'x'),
    ANSWER_CHECK("ping_node1", "term", ":pong", PING_NODE1, 1, 's'),
    ANSWER_CHECK("ping_nowhere", "term", ":pang", "Node.ping(:\"nowhere@127.0.0.1\")", 1, 's'),
    ANSWER_CHECK("wrong_cookie", "choice", "b", NULL, 0, 0),
    END_CHECKS,
};

#define RECEIVE_10 "receive do msg -> msg after 3000 -> :nothing end"

static const check_def checks_10[] = {
    GATES,
    TRANSCRIPT_CHECK(2),
    PEER_CHECK("reaches_registered",
               "the message reaches :repl_node2 on node2, with node1's pid in it", 3),
    ANSWER_CHECK("reply_without_send", "term", ":nothing", RECEIVE_10, 1, 'x'),
    ANSWER_CHECK("reply", "term", "{:hello_back, 42}", RECEIVE_10, 1, 's'),
    ANSWER_CHECK("send_returns", "choice", "b", NULL, 0, 0),
    ANSWER_CHECK("nobody_has_the_name", "choice", "b", NULL, 0, 0),
    END_CHECKS,
};

static const check_def checks_11[] = {
    GATES,
    TRANSCRIPT_CHECK(2),
    PEER_CHECK("reply_reaches_node1",
               "{:hello_back, 42}, sent to the pid made from its text, reaches node1's process", 3),
    ANSWER_CHECK("first_number_on_node2", "choice", "b", NULL, 0, 0),
    ANSWER_CHECK("same_process", "bool", "true", NULL, 0, 0),
    ANSWER_CHECK("zero_pid_on_node2", "choice", "c", NULL, 0, 0),
    END_CHECKS,
};

static const check_def checks_12[] = {
    GATES,
    TRANSCRIPT_CHECK(2),
    PEER_CHECK("runs_on_node1", "whoami runs on node1; node2 gets that pid as #PID<N.M.0>, N not 0",
               3),
    ANSWER_CHECK("where_it_prints", "choice", "a", NULL, 0, 0),
    ANSWER_CHECK("first_number_on_node1", "int", "0", NULL, 0, 0),
    ANSWER_CHECK("cookie_means", "choice", "c", NULL, 0, 0),
    END_CHECKS,
};

static const check_def checks_13[] = {
    GATES,
    TRANSCRIPT_CHECK(2),
    PEER_CHECK("applies_the_fun",
               "the fun node1 sent is applied to 100 on node2 (random captured value)", 3),
    ANSWER_CHECK("result", "int", "142", NULL, 0, 0),
    ANSWER_CHECK("what_travels", "choice", "b", NULL, 0, 0),
    END_CHECKS,
};

static const check_def checks_14[] = {
    GATES,
    TRANSCRIPT_CHECK(2),
    PEER_CHECK("down_noconnection",
               "node2's monitor of the process on node1 fires with :noconnection", 3),
    PEER_CHECK("nodedown", "node2 receives {:nodedown, node1}", 3),
    ANSWER_CHECK("differs_from_rpc", "choice", "b", NULL, 0, 0),
    ANSWER_CHECK("why_sends_look_alike", "choice", "b", NULL, 0, 0),
    ANSWER_CHECK("down_reason", "term", ":noconnection", NULL, 0, 0),
    ANSWER_CHECK("is_it_dead", "choice", "b", NULL, 0, 0),
    ANSWER_CHECK("ticktime_seconds", "int", "60", NULL, 0, 0),
    END_CHECKS,
};

const step_def course_steps[NSTEPS] = {
    {COURSE_STEP_01, checks_01, 0}, {COURSE_STEP_02, checks_02, 0}, {COURSE_STEP_03, checks_03, 0},
    {COURSE_STEP_04, checks_04, 0}, {COURSE_STEP_05, checks_05, 0}, {COURSE_STEP_06, checks_06, 0},
    {COURSE_STEP_07, checks_07, 0}, {COURSE_STEP_08, checks_08, 0}, {COURSE_STEP_09, checks_09, 1},
    {COURSE_STEP_10, checks_10, 2}, {COURSE_STEP_11, checks_11, 1}, {COURSE_STEP_12, checks_12, 1},
    {COURSE_STEP_13, checks_13, 1}, {COURSE_STEP_14, checks_14, 1},
};

_Static_assert(sizeof course_steps / sizeof course_steps[0] == NSTEPS, "NSTEPS counts the steps");
_Static_assert(COURSE_STEP_COUNT == NSTEPS,
               "tools/course-steps.txt has one line per step of this table");
