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

#include <poll.h>
#include <signal.h>
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
} run_limits;

typedef struct run_result {
    run_kind kind;
    int exit_code, signal;
    double seconds;
    double cpu_s; /* user+system CPU time the child used */
    char *out, *err;
} run_result;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

extern char **environ;

/* The environment for a child: ours, minus `drop` names, plus `add`
 * ("NAME=value", NULL-terminated). */
static char **make_env(const char *const *add, const char *const *drop)
{
    size_t n = 0, na = 0;
    while (environ[n]) n++;
    while (add && add[na]) na++;
    char **env = xmalloc(sizeof(char *) * (n + na + 1));
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        bool skip = false;
        for (size_t j = 0; drop && drop[j] && !skip; j++) {
            size_t l = strlen(drop[j]);
            skip = strncmp(environ[i], drop[j], l) == 0 && environ[i][l] == '=';
        }
        for (size_t j = 0; j < na && !skip; j++) {
            const char *eq = strchr(add[j], '=');
            size_t l = eq ? (size_t)(eq - add[j]) : strlen(add[j]);
            skip = strncmp(environ[i], add[j], l) == 0 && environ[i][l] == '=';
        }
        if (!skip) env[k++] = environ[i];
    }
    for (size_t j = 0; j < na; j++) env[k++] = (char *)add[j];
    env[k] = NULL;
    return env;
}

/* Find argv0 in PATH (before fork: execvpe may allocate). */
static char *which(const char *name)
{
    if (strchr(name, '/')) return xstrdup(name);
    const char *path = getenv("PATH");
    if (!path) path = "/usr/bin:/bin";
    char *copy = xstrdup(path), *save = NULL;
    for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
        char *full = xasprintf("%s/%s", *dir ? dir : ".", name);
        if (access(full, X_OK) == 0) {
            free(copy);
            return full;
        }
        free(full);
    }
    free(copy);
    return xstrdup(name);
}

static void set_limit(int what, rlim_t value)
{
    struct rlimit rl;
    if (getrlimit(what, &rl) == 0 && rl.rlim_max != RLIM_INFINITY && value > rl.rlim_max) value = rl.rlim_max;
    rl.rlim_cur = rl.rlim_max = value;
    setrlimit(what, &rl);
}

static int run_cmd(char *const argv[], char **envp, const char *cwd, const run_limits *lim, run_result *r)
{
    memset(r, 0, sizeof *r);
    char *exe = which(argv[0]);
    int out[2], err[2];
    if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
        free(exe);
        r->kind = RUN_NOEXEC;
        r->out = xstrdup("");
        r->err = xasprintf("pipe: %s", strerror(errno));
        return -1;
    }
    double start = now_s();
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0) dup2(devnull, 0);
        dup2(out[1], 1);
        dup2(err[1], 2);
        if (cwd && chdir(cwd) != 0) _exit(126);
        long cpu = lim->cpu_s ? lim->cpu_s : (long)lim->timeout_s + 2;
        set_limit(RLIMIT_CPU, (rlim_t)cpu);
        if (lim->as_mb) set_limit(RLIMIT_AS, (rlim_t)lim->as_mb << 20);
        if (lim->nproc) set_limit(RLIMIT_NPROC, (rlim_t)lim->nproc);
        if (lim->fsize_mb) set_limit(RLIMIT_FSIZE, (rlim_t)lim->fsize_mb << 20);
        set_limit(RLIMIT_CORE, 0);
        execve(exe, argv, envp ? envp : environ);
        static const char msg[] = "tapa-grade: cannot run the program\n";
        if (write(2, msg, sizeof msg - 1) < 0) _exit(127);
        _exit(127);
    }
    free(exe);
    close(out[1]);
    close(err[1]);
    if (pid < 0) {
        close(out[0]);
        close(err[0]);
        r->kind = RUN_NOEXEC;
        r->out = xstrdup("");
        r->err = xasprintf("fork: %s", strerror(errno));
        return -1;
    }
    setpgid(pid, pid);
    sbuf ob = {0}, eb = {0};
    sb_str(&ob, "");
    sb_str(&eb, "");
    double deadline = start + lim->timeout_s, last_output = start;
    bool open_out = true, open_err = true, timed_out = false, flood = false;
    int status = 0;
    bool reaped = false;
    while (open_out || open_err) {
        double left = deadline - now_s();
        if (left <= 0) {
            timed_out = true;
            break;
        }
        struct pollfd fds[2];
        int nf = 0;
        if (open_out) fds[nf++] = (struct pollfd){.fd = out[0], .events = POLLIN};
        if (open_err) fds[nf++] = (struct pollfd){.fd = err[0], .events = POLLIN};
        int ms = left > 0.2 ? 200 : (int)(left * 1000) + 1;
        int got = poll(fds, (nfds_t)nf, ms);
        if (got < 0 && errno != EINTR) break;
        for (int i = 0; i < nf && got > 0; i++) {
            if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            char buf[8192];
            ssize_t n = read(fds[i].fd, buf, sizeof buf);
            bool is_out = fds[i].fd == out[0];
            if (n <= 0) {
                if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
                if (is_out) open_out = false;
                else open_err = false;
                continue;
            }
            last_output = now_s();
            sb_add(is_out ? &ob : &eb, buf, (size_t)n);
            if (ob.len + eb.len > RUN_MAX_OUTPUT) flood = true;
        }
        if (flood) break;
    }
    /* Output closed (or time/flood): wait for the exit, still on the clock. */
    while (!timed_out && !flood) {
        struct rusage ru;
        pid_t w = wait4(pid, &status, WNOHANG, &ru);
        if (w == pid) {
            reaped = true;
            r->cpu_s = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
            break;
        }
        if (now_s() >= deadline) {
            timed_out = true;
            break;
        }
        usleep(2000);
    }
    kill(-pid, SIGKILL); /* the group: whatever the program left running */
    if (!reaped) {
        struct rusage ru;
        wait4(pid, &status, 0, &ru);
        r->cpu_s = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
    }
    close(out[0]);
    close(err[0]);
    r->seconds = now_s() - start;
    r->out = sb_take(&ob);
    r->err = sb_take(&eb);
    if (flood) r->kind = RUN_FLOOD;
    else if (timed_out) r->kind = (deadline - last_output) > lim->timeout_s / 2 ? RUN_HUNG : RUN_BUSY;
    else if (WIFSIGNALED(status)) {
        r->kind = RUN_SIGNALED;
        r->signal = WTERMSIG(status);
    } else {
        r->kind = RUN_EXITED;
        r->exit_code = WEXITSTATUS(status);
        if (r->exit_code == 127 && strstr(r->err, "tapa-grade: cannot run")) r->kind = RUN_NOEXEC;
    }
    return 0;
}

static void free_run(run_result *r)
{
    free(r->out);
    free(r->err);
    r->out = r->err = NULL;
}

static const char *signal_text(int sig)
{
    switch (sig) {
    case SIGSEGV: return "SIGSEGV, a segmentation fault: memory that is not yours was read or written";
    case SIGABRT: return "SIGABRT: abort() was called (a failed assert, or the runtime found a fatal problem)";
    case SIGFPE: return "SIGFPE: an arithmetic error such as a division by zero";
    case SIGBUS: return "SIGBUS: a bad memory access";
    case SIGILL: return "SIGILL: an illegal instruction (often undefined behaviour)";
    case SIGXCPU: return "SIGXCPU: it used up its CPU time (a busy loop?)";
    case SIGXFSZ: return "SIGXFSZ: it wrote a file past the size limit";
    case SIGKILL: return "SIGKILL: killed (out of memory, or a limit)";
    default: return strsignal(sig);
    }
}

#endif
