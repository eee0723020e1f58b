/* pair.c — Part 2 (course_steps 9-14): the learner's program is one node of a pair,
 * really distributed on 127.0.0.1; the grader starts the other node.
 *
 * The other node ("the peer") is a real erl node running
 * tests/course/peer.escript where erl is installed (TAPA_PEER=c forces the
 * C one), else the C node tests/course/peer.c built with the kit's runtime.
 * Every run gets its own node names and cookie (TAPA_NODE1, TAPA_NODE2,
 * TAPA_COOKIE), so runs in parallel do not clash; they share the port mapper
 * on 4369, which the grader starts first when none listens.
 *
 * One run: start the peer, wait for its "@ready" line; run the learner's
 * program (limits and timeout as in Part 1); write its stdout to a file and
 * close the peer's stdin; the peer then judges (what reached it over the
 * network, cross-checked with what the program printed) and prints
 * "@pass KEY ID" / "@fail KEY ID<TAB>why" lines, "| text" lines for the
 * report, and "@end". KEY (TAPA_PEER_KEY), the peer's seed (step 13's
 * captured value) and the cookie are fresh random values per run, given to
 * the peer only; its files live in WORK.peer/, beside the program's folder.
 * The job and what this file uses of tapa-grade.c: job.h; the interface: pair.h.
 */
#include "pair.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/wait.h>

static const char *peer_mode; /* "erl" or "c" */
static char *peer_c_exe; /* the C peer, built once */
static pthread_mutex_t peer_lock = PTHREAD_MUTEX_INITIALIZER;

static bool have_program(const char *name)
{
    char *p = grade_which(name);
    bool ok = strchr(p, '/') && access(p, X_OK) == 0;
    free(p);
    return ok;
}

void grade_choose_peer(void)
{
    const char *e = getenv("TAPA_PEER");
    peer_mode = e && !strcmp(e, "c")     ? "c"
                : e && !strcmp(e, "erl") ? "erl"
                : have_program("erl")    ? "erl"
                                         : "c";
}

const char *grade_peer_description(void)
{
    return !strcmp(peer_mode, "erl")
               ? "a real erl node (tests/course/peer.escript)"
               : "a C node (tests/course/peer.c; erl is not installed, or TAPA_PEER=c)";
}

static bool mapper_listening(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(4369)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool ok = connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
    close(fd);
    return ok;
}

/* A port mapper that outlives the runs and has none of their limits: OTP's
 * epmd with the erl peer, else the kit's tapa-epmd (detached). */
static void start_port_mapper(void)
{
    if (mapper_listening()) return;
    if (!strcmp(peer_mode, "erl") && have_program("epmd")) {
        run_limits lim = {.timeout_s = 5};
        run_result rr;
        grade_run_cmd((char *[]){"epmd", "-daemon", NULL}, NULL, NULL, &lim, &rr);
        grade_free_run(&rr);
    } else {
        const char *env = getenv("TAPA_EPMD");
        char *path =
            env && *env ? xstrdup(env) : xasprintf("%s/build/bin/tapa-epmd", grade_kit_dir());
        pid_t pid = fork();
        if (pid == 0) {
            setsid();
            if (fork() != 0) _exit(0);
            int devnull = open("/dev/null", O_RDWR);
            for (int fd = 0; fd < 3; fd++) dup2(devnull, fd);
            execl(path, path, "--loopback", "--quiet", (char *)NULL);
            _exit(127);
        }
        if (pid > 0) waitpid(pid, NULL, 0);
        free(path);
    }
    for (int i = 0; i < 300 && !mapper_listening(); i++) usleep(10000);
}

static pthread_once_t mapper_once = PTHREAD_ONCE_INIT;

/* The C peer: tests/course/peer.c linked with the kit's runtime. */
static const char *peer_c_program(void)
{
    pthread_mutex_lock(&peer_lock);
    if (!peer_c_exe) {
        char *src = xasprintf("%s/tests/course/peer.c", grade_kit_dir());
        char *obj = grade_common_object("peer_c", src);
        char *exe = xasprintf("%s/peer", grade_common_dir()), *out = NULL;
        if (grade_link_program(obj, NULL, exe, &out)) peer_c_exe = exe;
        else {
            fprintf(stderr, "tapa-grade: the kit's own tests/course/peer.c does not link:\n%s\n",
                    out);
            free(exe);
        }
        free(out);
        free(src);
        free(obj);
    }
    pthread_mutex_unlock(&peer_lock);
    return peer_c_exe;
}

static void job_names(job *j)
{
    static int counter;
    int k = __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED);
    int g = (int)getpid();
    snprintf(j->node1, sizeof j->node1, "node1_g%d_%d@127.0.0.1", g, k);
    snprintf(j->node2, sizeof j->node2, "node2_g%d_%d@127.0.0.1", g, k);
    char secret[40];
    grade_random_key(secret, sizeof secret); /* fresh per run, never shown before it */
    snprintf(j->cookie, sizeof j->cookie, "tapas_%.16s", secret);
    grade_random_key(j->peer_key, sizeof j->peer_key);
    grade_random_key(secret, sizeof secret);
    j->peer_seed = strtoul(secret + 20, NULL, 16) % 1000000000ul;
}

/* text with the tutorial's node names replaced by this run's (malloc'd). */
char *grade_with_names(const job *j, const char *text)
{
    if (!text) return NULL;
    if (!j->step->peer) return xstrdup(text);
    sbuf b = {0};
    sb_str(&b, "");
    for (const char *p = text; *p;) {
        if (!strncmp(p, "node1@127.0.0.1", 15)) sb_str(&b, j->node1), p += 15;
        else if (!strncmp(p, "node2@127.0.0.1", 15)) sb_str(&b, j->node2), p += 15;
        else sb_chr(&b, *p++);
    }
    return sb_take(&b);
}

/* Run the learner's program `exe` as one node while the peer plays the
 * other. Fills *rr as run_cmd does and sets j->peer_out or j->peer_problem.
 * trace: NULL, or where the program (not the peer) writes its TAPA_TRACE. */
void grade_run_pair(job *j, const char *exe, const run_limits *lim, const char *trace,
                    run_result *rr)
{
    pthread_once(&mapper_once, start_port_mapper);
    job_names(j);
    const char *peer_name = j->step->peer == 1 ? j->node1 : j->node2;
    /* the other node's files live beside the job's folder, not in it: the
     * learner's program runs in that folder (and, sandboxed, sees only it) */
    char *peer_dir = xasprintf("%s.peer", j->work);
    grade_mkdir_p(peer_dir);
    chmod(peer_dir, 0700);
    char *learner_out = xasprintf("%s/learner.out", peer_dir);
    char *peer_log = xasprintf("%s/peer.out", peer_dir);
    unlink(learner_out);
    char *e_n1 = xasprintf("TAPA_NODE1=%s", j->node1), *e_n2 = xasprintf("TAPA_NODE2=%s", j->node2);
    char *e_ck = xasprintf("TAPA_COOKIE=%s", j->cookie),
         *e_step = xasprintf("TAPA_STEP=%s", j->step->num);
    char *e_seed = xasprintf("TAPA_SEED=%lu", j->peer_seed),
         *e_out = xasprintf("TAPA_LEARNER_OUT=%s", learner_out);
    char *e_key = xasprintf("TAPA_PEER_KEY=%s", j->peer_key);
    char *e_script = xasprintf("TAPA_PEER_SCRIPT=%s/tests/course/peer.escript", grade_kit_dir());
    char *e_epmd = xasprintf("TAPA_EPMD=%s/build/bin/tapa-epmd", grade_kit_dir());
    char *e_trace = trace ? xasprintf("TAPA_TRACE=%s", trace) : NULL;
    bool kit_epmd = grade_file_exists(e_epmd + strlen("TAPA_EPMD=")) && !getenv("TAPA_EPMD");
    const char *add[12] = {"TAPA_FAST=1", e_n1, e_n2, e_ck, e_step, e_seed, e_out, e_script, e_key};
    int na = 9;
    if (kit_epmd) add[na++] = e_epmd;
    add[na] = NULL;
    char **env = grade_make_env(add, grade_run_env_drop());
    /* the learner's program: its node names and cookie, none of the other
     * node's secrets (its seed, its key, where its files are) */
    const char *padd[8] = {"TAPA_FAST=1", e_n1, e_n2, e_ck, e_step, NULL};
    int np = 5;
    if (kit_epmd) padd[np++] = e_epmd;
    if (e_trace) padd[np++] = e_trace;
    padd[np] = NULL;
    static const char *const pdrop[] = {"TAPA_TRACE",       "TAPA_SEED",     "TAPA_LEARNER_OUT",
                                        "TAPA_PEER_SCRIPT", "TAPA_PEER_KEY", NULL};
    char **prog_env = grade_make_env(padd, pdrop);
    run_limits plim = {.timeout_s = 30.0 * grade_slow_factor(),
                       .cpu_s = 30L * grade_slow_factor(),
                       .fsize_mb = 16};
    bg_proc bp;
    bool started;
    if (!strcmp(peer_mode, "erl")) {
        char *argv[] = {"erl",
                        "-noshell",
                        "-name",
                        (char *)peer_name,
                        "-setcookie",
                        j->cookie,
                        "+S",
                        "1",
                        "-eval",
                        "case file:script(os:getenv(\"TAPA_PEER_SCRIPT\")) of {ok, _} -> ok; "
                        "E -> io:format(user, \"@error ~p~n\", [E]), halt(3) end.",
                        NULL};
        started = grade_bg_start(argv, env, j->work, peer_log, &plim, &bp);
    } else {
        const char *pc = peer_c_program();
        started =
            pc && grade_bg_start((char *[]){(char *)pc, NULL}, env, j->work, peer_log, &plim, &bp);
    }
    bool ready = started && grade_bg_wait_line(&bp, "@ready", 15.0 * grade_slow_factor());
    if (!ready) {
        char *text = started ? grade_bg_finish(&bp, 0) : xstrdup("(it could not be started)");
        j->peer_problem =
            xasprintf("the other node (%s) did not start, a problem of the kit or this machine, "
                      "not of your program:\n%s",
                      grade_peer_description(), grade_tail_of(text, 1500));
        free(text);
    }
    grade_run_cmd((char *[]){(char *)exe, NULL}, prog_env, j->work, lim, rr);
    grade_write_file(learner_out, rr->out, strlen(rr->out));
    if (ready) j->peer_out = grade_bg_finish(&bp, 5.0 * grade_slow_factor());
    free(prog_env);
    free(env);
    free(e_key);
    free(peer_dir);
    free(e_trace);
    free(e_n1), free(e_n2), free(e_ck), free(e_step), free(e_seed), free(e_out), free(e_script),
        free(e_epmd);
    free(learner_out);
    free(peer_log);
}

/* What the peer printed for people: its "| " lines and anything else that
 * is not a verdict (node1's own output, e.g. `pid: #PID<0.90.0>`). */
char *grade_peer_log_text(const job *j)
{
    sbuf b = {0};
    sb_str(&b, "");
    lines l = grade_split_lines(j->peer_out ? j->peer_out : "");
    for (int i = 0; i < l.n; i++) {
        const char *t = l.v[i];
        if (!*t || !strncmp(t, "@pass ", 6) || !strncmp(t, "@fail ", 6) || !strcmp(t, "@ready") ||
            !strcmp(t, "@end"))
            continue;
        sb_fmt(&b, "%s\n", !strncmp(t, "| ", 2) ? t + 2 : t);
    }
    grade_free_lines(&l);
    return sb_take(&b);
}

/* The PEER checks of a job, from the peer's verdicts. */
void grade_peer_checks(job *j)
{
    char *log = j->peer_out ? grade_peer_log_text(j) : NULL;
    const char *who = j->step->peer == 1 ? "node1" : "node2";
    for (int i = 0; i < j->nres; i++) {
        check_result *r = &j->res[i];
        const check_def *d = r->def;
        if (d->kind != PEER || r->message) continue;
        if (!j->peer_out) {
            set_result(
                r, false,
                xasprintf("not judged: %s", j->peer_problem ? j->peer_problem : "no other node"),
                NULL);
            continue;
        }
        char *pass = xasprintf("@pass %s %s", j->peer_key, d->verdict),
             *fail = xasprintf("@fail %s %s\t", j->peer_key, d->verdict);
        lines l = grade_split_lines(j->peer_out);
        bool found = false;
        for (int k = 0; k < l.n && !found; k++) {
            if (!strcmp(l.v[k], pass)) {
                set_result(r, true, NULL, NULL);
                found = true;
            } else if (!strncmp(l.v[k], fail, strlen(fail))) {
                set_result(r, false, xstrdup(l.v[k] + strlen(fail)),
                           *log ? xasprintf("%s, %s, said:\n%s", who, grade_peer_description(),
                                            grade_tail_of(log, 1500))
                                : NULL);
                found = true;
            }
        }
        if (!found)
            set_result(r, false,
                       xasprintf("not judged: the other node (%s) ended without a verdict.",
                                 grade_peer_description()),
                       xasprintf("it printed:\n%s", grade_tail_of(j->peer_out, 1500)));
        grade_free_lines(&l);
        free(pass);
        free(fail);
    }
    free(log);
}
