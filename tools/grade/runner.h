/* runner.h — run one command as a real child process, judged from outside.
 *
 * The child gets its own process group (so a timeout kills everything it
 * started), rlimits on CPU time, address space, processes and file size,
 * stdin from /dev/null, and its stdout and stderr captured through pipes
 * (at most RUN_MAX_OUTPUT bytes: past that it is killed as a flood). The
 * parent waits with poll(2) until it exits or the deadline passes, then
 * tells the outcomes apart: exit code, signal, hang (no output for the
 * second half of the time), busy (still printing at the deadline), flood.
 *
 * Thread-safe: pipes are O_CLOEXEC, the child only calls async-signal-safe
 * functions between fork and exec, and argv/envp are built beforehand.
 */
#ifndef TAPA_GRADE_RUNNER_H
#define TAPA_GRADE_RUNNER_H

#include "util.h"
#include "sandbox.h"

#include <dirent.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

#define RUN_MAX_OUTPUT (1u << 20)

typedef enum run_kind {
    RUN_EXITED, /* exit_code is set */
    RUN_SIGNALED, /* signal is set */
    RUN_HUNG, /* timeout, and no output for the last half of it */
    RUN_BUSY, /* timeout while still printing */
    RUN_FLOOD, /* printed more than RUN_MAX_OUTPUT */
    RUN_NOEXEC, /* could not start */
} run_kind;

typedef struct run_limits {
    double timeout_s;
    long cpu_s; /* 0: timeout + 2 */
    long as_mb; /* 0: no address-space limit (sanitizers, compilers) */
    long nproc; /* 0: none */
    long fsize_mb;
    const char *sandbox_rw; /* set: a private mount namespace where everything is read-only but this
                               folder and a fresh /tmp (grade-all, when root and bwrap cannot run) */
    const char *
        bwrap_rw; /* set (and sandbox_bwrap_on): run inside bwrap, this folder writable (sandbox.h) */
    bool bwrap_net; /* with bwrap_rw: a network namespace of its own, loopback only */
} run_limits;

extern bool sandbox_bwrap_on; /* grade-all: bwrap runs here (grade_sandbox_available) */

typedef struct run_result {
    run_kind kind;
    int exit_code, signal;
    double seconds;
    double cpu_s; /* user+system CPU time the child used */
    char *out, *err;
} run_result;

double grade_now_s(void);

extern char **environ;

/* The environment for a child: ours, minus `drop` names, plus `add`
 * ("NAME=value", NULL-terminated). */
char **grade_make_env(const char *const *add, const char *const *drop);

/* Find argv0 in PATH (before fork: execvpe may allocate). */
char *grade_which(const char *name);

/* -------------------------------------------------------------- sandbox -- */

/* The mount points of this machine, read once before any fork. */

void grade_sandbox_init(void);

/* In the child, before exec (system calls only): a private mount namespace
 * in which every file system is read-only except `rw` (the job's own
 * folder) and a fresh, small /tmp. Needs root (CAP_SYS_ADMIN); without it
 * nothing changes and grade-all's before/after check of the kit still
 * reports writes. Returns false if it could not be set up. */
bool grade_sandbox_enter(const char *rw);

void grade_set_limit(int what, rlim_t value);

/* Processes that have `path` open (for a "text file busy" report). */
char *grade_holders_of(const char *path);

int grade_run_cmd(char *const argv[], char **envp, const char *cwd, const run_limits *lim,
                  run_result *r);

/* ------------------------------------------------- a background child -- */

/* The other node of a Part 2 check: started before the learner's program
 * and kept running beside it. Its own process group, stdin a pipe (closed
 * to tell it the learner's program has ended), stdout and stderr into a
 * file that the parent reads while it waits for conditions. */
typedef struct bg_proc {
    pid_t pid;
    int in_fd; /* the write end of its stdin, -1 once closed */
    char *out_path;
} bg_proc;

bool grade_bg_start(char *const argv[], char **envp, const char *cwd, const char *out_path,
                    const run_limits *lim, bg_proc *bp);

/* Wait until its output has a line starting with `line` (true), it has
 * exited, or timeout_s has passed (false). */
bool grade_bg_wait_line(bg_proc *bp, const char *line, double timeout_s);

/* Close its stdin, give it timeout_s to finish, then stop its group.
 * Returns what it printed (malloc'd). */
char *grade_bg_finish(bg_proc *bp, double timeout_s);

void grade_free_run(run_result *r);

const char *grade_signal_text(int sig);

#endif
