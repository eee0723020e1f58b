/* runner.c — run one command as a real child process, judged from outside;
 * see runner.h. */
#include "runner.h"

#include <dirent.h>

bool sandbox_bwrap_on;

double grade_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

char **grade_make_env(const char *const *add, const char *const *drop)
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

char *grade_which(const char *name)
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

static char sandbox_mounts[128][256];
static int sandbox_nmounts = -1;
void grade_sandbox_init(void)
{
    FILE *f = fopen("/proc/self/mounts", "re");
    sandbox_nmounts = 0;
    char line[1024];
    while (f && fgets(line, sizeof line, f) && sandbox_nmounts < 128) {
        char dev[256], dir[256];
        if (sscanf(line, "%255s %255s", dev, dir) != 2) continue;
        char *o = sandbox_mounts[sandbox_nmounts]; /* unescape \040 etc. */
        for (char *p = dir; *p && o - sandbox_mounts[sandbox_nmounts] < 255; p++) {
            if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] && p[3]) {
                *o++ = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
                p += 3;
            } else *o++ = *p;
        }
        *o = 0;
        const char *d = sandbox_mounts[sandbox_nmounts];
        if (!strncmp(d, "/proc", 5) || !strncmp(d, "/sys", 4) || !strncmp(d, "/dev", 4)) continue;
        sandbox_nmounts++;
    }
    if (f) fclose(f);
}

bool grade_sandbox_enter(const char *rw)
{
    if (unshare(CLONE_NEWNS) != 0) return false;
    if (mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) return false;
    int dir = open(rw, O_PATH | O_DIRECTORY |
                           O_CLOEXEC); /* in the new namespace: a bind may come from it */
    if (dir < 0) return false;
    mount("tapa-tmp", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "size=64m,mode=1777");
    if (strncmp(rw, "/tmp/", 5) ==
        0) { /* the folder is now hidden under the new /tmp: make its path there */
        char path[PATH_MAX];
        size_t n = strlen(rw);
        if (n >= sizeof path) return false;
        memcpy(path, rw, n + 1);
        for (size_t i = 5; i <= n; i++)
            if (path[i] == '/' || path[i] == 0) {
                char c = path[i];
                path[i] = 0;
                mkdir(path, 0755);
                path[i] = c;
            }
    }
    char from[64] = "/proc/self/fd/";
    size_t k = strlen(from);
    char digits[16];
    int nd = 0;
    for (int v = dir; nd == 0 || v > 0; v /= 10) digits[nd++] = (char)('0' + v % 10);
    while (nd) from[k++] = digits[--nd];
    from[k] = 0;
    if (mount(from, rw, NULL, MS_BIND, NULL) != 0) return false;
    for (int i = 0; i < sandbox_nmounts; i++) {
        const char *d = sandbox_mounts[i];
        if (!strcmp(d, "/tmp")) continue;
        mount(NULL, d, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL);
    }
    return true;
}

void grade_set_limit(int what, rlim_t value)
{
    struct rlimit rl;
    if (getrlimit(what, &rl) == 0 && rl.rlim_max != RLIM_INFINITY && value > rl.rlim_max)
        value = rl.rlim_max;
    rl.rlim_cur = rl.rlim_max = value;
    setrlimit(what, &rl);
}

char *grade_holders_of(const char *path)
{
    sbuf b = {0};
    sb_str(&b, "");
    char want[PATH_MAX];
    if (!realpath(path, want)) snprintf(want, sizeof want, "%s", path);
    DIR *d = opendir("/proc");
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
        char fdd[300];
        snprintf(fdd, sizeof fdd, "/proc/%s/fd", e->d_name);
        DIR *f = opendir(fdd);
        struct dirent *g;
        while (f && (g = readdir(f))) {
            char l[600], t[PATH_MAX];
            snprintf(l, sizeof l, "%s/%s", fdd, g->d_name);
            ssize_t n = readlink(l, t, sizeof t - 1);
            if (n <= 0) continue;
            t[n] = 0;
            if (strcmp(t, want) != 0) continue;
            char cl[320], cmd[200] = "";
            snprintf(cl, sizeof cl, "/proc/%s/cmdline", e->d_name);
            FILE *c = fopen(cl, "re");
            if (c) {
                size_t k = fread(cmd, 1, sizeof cmd - 1, c);
                cmd[k] = 0;
                fclose(c);
            }
            sb_fmt(&b, "  held open by pid %s (%s), fd %s\n", e->d_name, cmd, g->d_name);
        }
        if (f) closedir(f);
    }
    if (d) closedir(d);
    return sb_take(&b);
}

int grade_run_cmd(char *const argv[], char **envp, const char *cwd, const run_limits *lim,
                  run_result *r)
{
    memset(r, 0, sizeof *r);
    char **boxed = lim->bwrap_rw && sandbox_bwrap_on
                       ? grade_sandbox_argv(lim->bwrap_rw, lim->bwrap_net, argv)
                       : NULL;
    char *const *orig_argv = argv;
    bool was_boxed = boxed != NULL;
    if (boxed) argv = boxed;
    char *exe = grade_which(argv[0]);
    int out[2], err[2];
    if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
        free(exe);
        free(boxed);
        r->kind = RUN_NOEXEC;
        r->out = xstrdup("");
        r->err = xasprintf("pipe: %s", strerror(errno));
        return -1;
    }
    double start = grade_now_s();
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0) dup2(devnull, 0);
        dup2(out[1], 1);
        dup2(err[1], 2);
        if (cwd && chdir(cwd) != 0) _exit(126);
        long cpu = lim->cpu_s ? lim->cpu_s : (long)lim->timeout_s + 2;
        grade_set_limit(RLIMIT_CPU, (rlim_t)cpu);
        if (lim->as_mb) grade_set_limit(RLIMIT_AS, (rlim_t)lim->as_mb << 20);
        if (lim->nproc) grade_set_limit(RLIMIT_NPROC, (rlim_t)lim->nproc);
        if (lim->fsize_mb) grade_set_limit(RLIMIT_FSIZE, (rlim_t)lim->fsize_mb << 20);
        grade_set_limit(RLIMIT_CORE, 0);
        if (lim->sandbox_rw && sandbox_nmounts >= 0) grade_sandbox_enter(lim->sandbox_rw);
        execve(exe, argv, envp ? envp : environ);
        int e = errno;
        for (int tries = 0; e == ETXTBSY && tries < 200; tries++) {
            /* another thread's fork may hold a just-linked file open for a moment */
            struct timespec ts = {0, 5 * 1000 * 1000};
            nanosleep(&ts, NULL);
            execve(exe, argv, envp ? envp : environ);
            e = errno;
        }
        char msg[80] = "tapa-grade: cannot run the program (errno ";
        size_t k = strlen(msg);
        if (e >= 100) msg[k++] = (char)('0' + e / 100 % 10);
        if (e >= 10) msg[k++] = (char)('0' + e / 10 % 10);
        msg[k++] = (char)('0' + e % 10);
        msg[k++] = ')';
        msg[k++] = '\n';
        if (write(2, msg, k) < 0) _exit(127);
        _exit(127);
    }
    free(exe);
    free(boxed);
    argv = orig_argv;
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
        double left = deadline - grade_now_s();
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
            last_output = grade_now_s();
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
            r->cpu_s = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
                       (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
            break;
        }
        if (grade_now_s() >= deadline) {
            timed_out = true;
            break;
        }
        usleep(2000);
    }
    kill(-pid, SIGKILL); /* the group: whatever the program left running */
    if (!reaped) {
        struct rusage ru;
        wait4(pid, &status, 0, &ru);
        r->cpu_s = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
                   (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
    }
    close(out[0]);
    close(err[0]);
    r->seconds = grade_now_s() - start;
    r->out = sb_take(&ob);
    r->err = sb_take(&eb);
    if (flood) r->kind = RUN_FLOOD;
    else if (timed_out)
        r->kind = (deadline - last_output) > lim->timeout_s / 2 ? RUN_HUNG : RUN_BUSY;
    else if (WIFSIGNALED(status)) {
        r->kind = RUN_SIGNALED;
        r->signal = WTERMSIG(status);
    } else {
        r->kind = RUN_EXITED;
        r->exit_code = WEXITSTATUS(status);
        if (was_boxed && grade_sandbox_signal(r->exit_code)) { /* bwrap tells a signal as 128+S */
            r->kind = RUN_SIGNALED;
            r->signal = grade_sandbox_signal(r->exit_code);
        }
        if (r->exit_code == 127 && strstr(r->err, "tapa-grade: cannot run")) {
            r->kind = RUN_NOEXEC;
            if (strstr(r->err, "(errno 26)")) { /* ETXTBSY: say who holds the file open */
                char *held = grade_holders_of(argv[0]);
                char *both = xasprintf("%s%s", r->err, held);
                free(r->err);
                free(held);
                r->err = both;
            }
        }
    }
    return 0;
}

bool grade_bg_start(char *const argv[], char **envp, const char *cwd, const char *out_path,
                    const run_limits *lim, bg_proc *bp)
{
    memset(bp, 0, sizeof *bp);
    bp->in_fd = -1;
    char *exe = grade_which(argv[0]);
    int in[2];
    if (pipe2(in, O_CLOEXEC) != 0) {
        free(exe);
        return false;
    }
    int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out < 0) {
        close(in[0]);
        close(in[1]);
        free(exe);
        return false;
    }
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        dup2(in[0], 0);
        dup2(out, 1);
        dup2(out, 2);
        if (cwd && chdir(cwd) != 0) _exit(126);
        grade_set_limit(RLIMIT_CPU, (rlim_t)(lim->cpu_s ? lim->cpu_s : (long)lim->timeout_s + 2));
        if (lim->fsize_mb) grade_set_limit(RLIMIT_FSIZE, (rlim_t)lim->fsize_mb << 20);
        grade_set_limit(RLIMIT_CORE, 0);
        execve(exe, argv, envp ? envp : environ);
        static const char msg[] = "@error cannot run the other node\n";
        if (write(1, msg, sizeof msg - 1) < 0) _exit(127);
        _exit(127);
    }
    free(exe);
    close(in[0]);
    close(out);
    if (pid < 0) {
        close(in[1]);
        return false;
    }
    setpgid(pid, pid);
    bp->pid = pid;
    bp->in_fd = in[1];
    bp->out_path = xstrdup(out_path);
    return true;
}

bool grade_bg_wait_line(bg_proc *bp, const char *line, double timeout_s)
{
    double deadline = grade_now_s() + timeout_s;
    size_t n = strlen(line);
    for (;;) {
        char *text = grade_read_file(bp->out_path, NULL);
        bool found = false;
        for (char *p = text; p && *p && !found;
             p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p))
            found = strncmp(p, line, n) == 0;
        free(text);
        if (found) return true;
        int status;
        if (waitpid(bp->pid, &status, WNOHANG) == bp->pid) {
            bp->pid = -bp->pid; /* reaped */
            return false;
        }
        if (grade_now_s() >= deadline) return false;
        usleep(5000);
    }
}

char *grade_bg_finish(bg_proc *bp, double timeout_s)
{
    if (bp->in_fd >= 0) close(bp->in_fd);
    bp->in_fd = -1;
    double deadline = grade_now_s() + timeout_s;
    while (bp->pid > 0) {
        int status;
        if (waitpid(bp->pid, &status, WNOHANG) == bp->pid) {
            kill(-bp->pid, SIGKILL);
            bp->pid = -bp->pid;
            break;
        }
        if (grade_now_s() >= deadline) {
            kill(-bp->pid, SIGKILL);
            waitpid(bp->pid, &status, 0);
            bp->pid = -bp->pid;
            break;
        }
        usleep(3000);
    }
    if (bp->pid < 0) kill(bp->pid, SIGKILL); /* -pid: the group, whatever is left */
    char *text = grade_read_file(bp->out_path, NULL);
    free(bp->out_path);
    bp->out_path = NULL;
    return text ? text : xstrdup("");
}

void grade_free_run(run_result *r)
{
    free(r->out);
    free(r->err);
    r->out = r->err = NULL;
}

const char *grade_signal_text(int sig)
{
    switch (sig) {
    case SIGSEGV:
        return "SIGSEGV, a segmentation fault: memory that is not yours was read or written";
    case SIGABRT:
        return "SIGABRT: abort() was called (a failed assert, or the runtime found a fatal problem)";
    case SIGFPE:
        return "SIGFPE: an arithmetic error such as a division by zero";
    case SIGBUS:
        return "SIGBUS: a bad memory access";
    case SIGILL:
        return "SIGILL: an illegal instruction (often undefined behaviour)";
    case SIGXCPU:
        return "SIGXCPU: it used up its CPU time (a busy loop?)";
    case SIGXFSZ:
        return "SIGXFSZ: it wrote a file past the size limit";
    case SIGKILL:
        return "SIGKILL: killed (out of memory, or a limit)";
    default:
        return strsignal(sig);
    }
}
