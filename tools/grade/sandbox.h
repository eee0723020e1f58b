/* sandbox.h — a bubblewrap sandbox for each graded run (grade-all).
 *
 * Each compile and run of a submission happens inside `bwrap` with its own
 * pid, mount, IPC and UTS namespaces and (one-node steps) its own network
 * namespace with only loopback. It sees the system's programs and the kit
 * read-only, its own job folder read-write, a private /tmp, and nothing of
 * other students, of the grader's results or of /etc/shadow. When the run
 * ends, bwrap (pid 1 of the namespace) ends and the kernel kills every
 * process left in it, setsid'd or not; a process inside cannot name the
 * grader's pid to signal it.
 */
#ifndef TAPA_GRADE_SANDBOX_H
#define TAPA_GRADE_SANDBOX_H

#include <stdbool.h>

/* Can bwrap run here? Tries it once; on failure *why (malloc'd) says why. */
bool grade_sandbox_available(char **why);

/* Before the first run: the kit (shown read-only, its build/ hidden but for
 * the runtime library and tools) and folders to hide (submissions, reports,
 * the grader's work area, which holds other jobs' folders). */
void grade_sandbox_kit(const char *kit);
void grade_sandbox_hide(const char *path);
void grade_sandbox_show(const char *path); /* read-only, e.g. the grader's shared objects */

/* argv prefixed with the bwrap command for a run whose only writable folder
 * is `rw`; own_net: a network namespace of its own (loopback only). The array
 * is malloc'd (free it; the strings are argv's or the sandbox's own). */
char **grade_sandbox_argv(const char *rw, bool own_net, char *const argv[]);

/* bwrap reports a child killed by signal S as exit status 128+S: the signal,
 * or 0 when the status is an ordinary exit. */
int grade_sandbox_signal(int exit_code);

#endif
