/* test_run_start.c — a node that cannot start says so and stops cleanly.
 *
 * libuv's loop needs file descriptors (epoll's, an eventfd). A program
 * that has used them all up (a learner's loop that opens files and never
 * closes them) used to go on with a loop that was never set up and crash
 * in the scheduler. Now tapa_run says what happened and what to do, runs
 * nothing and returns 1. Run in a child process: the test uses up the
 * child's descriptors. */
#include "tapa_test.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>

static bool main_ran;

static void main_process(tapa_term arg)
{
    (void)arg;
    main_ran = true;
}

/* Leaves no descriptor free: a low limit first (so this is quick), then
 * copies of stdin until the kernel refuses. */
static void use_up_descriptors(void)
{
    struct rlimit lim;
    if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur > 64) {
        lim.rlim_cur = 64;
        setrlimit(RLIMIT_NOFILE, &lim);
    }
    for (int i = 0; i < 1 << 20 && dup(0) >= 0; i++) continue;
}

/* Child: 0 when tapa_run refused to start and ran nothing. */
static int child_runs_node(int err_fd)
{
    dup2(err_fd, 2);
    close(err_fd);
    use_up_descriptors();
    if (dup(0) >= 0 || errno != EMFILE) return 10; /* not used up: the test proves nothing */
    int status = tapa_run(main_process, tapa_int(0));
    if (status != 1) return 11;
    if (main_ran) return 12;
    return 0;
}

static void test_run_without_descriptors_says_why(void **state)
{
    (void)state;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        _exit(child_runs_node(fds[1]));
    }
    close(fds[1]);
    char said[2048];
    size_t n = 0;
    for (ssize_t r; n < sizeof said - 1 && (r = read(fds[0], said + n, sizeof said - 1 - n)) > 0;)
        n += (size_t)r;
    said[n] = 0;
    close(fds[0]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        print_message("child: %s %d; it said:\n%s\n",
                      WIFEXITED(status) ? "exit status" : "killed by signal",
                      WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), said);
        fail();
    }
    assert_non_null(
        strstr(said, "tapa: cannot start the runtime's event loop: too many open files"));
    assert_non_null(strstr(said, "ulimit -n"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_run_without_descriptors_says_why),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
