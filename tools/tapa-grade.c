/* tapa-grade — the course's grader, hints, watch mode and self-test.
 *
 *   tapa-grade [grade] [STEP...]      grade the exercises in the tree (make grade)
 *   tapa-grade run STEP               build and run a step, then check it (make 05)
 *   tapa-grade hint [STEP]            the next hint for a step (make hint)
 *   tapa-grade solution STEP          the reference solution, once the step passes
 *   tapa-grade watch                  re-check the current step on every save (make watch)
 *   tapa-grade check-course           prove the checks discriminate (make check-course)
 *   tapa-grade grade-all DIR          grade every submission folder in DIR (make grade-all)
 *   tapa-grade --list-steps           the steps: NUMBER SLUG TITLE (from tools/course-steps.txt)
 *
 * Options (make passes them): --kit DIR (the kit: probes, expected output,
 * hints; default .), --tree DIR (whose exercises/ and answers/ are graded;
 * default the kit), --out DIR (reports; default build/grade), --progress
 * FILE, -j N, --seed N, --starters DIR, -q, --no-charts. The compiler comes
 * from the environment: TAPA_CC, TAPA_CFLAGS, TAPA_LIB (libtapa.a), TAPA_LIBS,
 * TAPA_LDFLAGS.
 * TAPA_SLOW=N multiplies every timeout (sanitizer builds), NO_COLOR turns
 * colour off (it is only ever used on a terminal).
 *
 * Each learner program is judged from outside: compiled with the kit's own
 * flags and runtime, run as a child process in its own process group with
 * rlimits and a timeout, its stdout parsed. A failure says what was
 * expected, what happened and what to try; a compile error, a crash, a hang
 * and a wrong behaviour are told apart. Reports: results.json (Gradescope),
 * junit.xml, results.tap (TAP version 14). Exit status 0 only at full marks.
 *
 * When a behaviour check fails in grade, run or watch, the learner's run and
 * the solution's are drawn side by side as sequence charts (TAPA_CHART, by
 * default build/bin/tapa-chart) in OUT/charts/NN.html; --no-charts or
 * TAPA_NO_CHARTS=1 turns that off (check-course and grade-all never draw).
 *
 * Units: grade/util.c (strings, files), grade/runner.c (child processes and
 * their limits), grade/sandbox.c (bwrap for grade-all), grade/answers.c
 * (predictions parsed as terms, choices, numbers), grade/steps.c (the checks
 * of each step), grade/pair.c (Part 2's other node; grade/job.h: the job).
 */
#include "grade/util.h"
#include "grade/runner.h"
#include "grade/steps.h"
#include "grade/answers.h"
#include "grade/job.h"
#include "grade/pair.h"
#include "grade/compile_hint.h"

#include <ctype.h>
#include <dirent.h>
#include <pthread.h>
#include <uv.h>

/* ------------------------------------------------------------ settings -- */

static char *kit; /* absolute */
static char *cc = "cc";
static char **cflags, **libs, **ldflags;
static char *libtapa;
static int slow = 1;
static unsigned long seed = 20240601;
static int njobs = 2;
static bool quiet, color;
static bool no_charts; /* --no-charts or TAPA_NO_CHARTS: check-course draws none */
static bool charts_on; /* make grade, make NN, watch: a failed behaviour check gets a chart page */
static char *chart_tool; /* build/bin/tapa-chart, or TAPA_CHART */
static char *tree_exercises, *tree_answers, *out_dir, *work_root;

static char **split_words(const char *s)
{
    size_t n = 0;
    char **v = xmalloc(sizeof(char *) * (strlen(s) / 2 + 2));
    char *copy = xstrdup(s), *save = NULL;
    for (char *w = strtok_r(copy, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save))
        v[n++] = xstrdup(w);
    v[n] = NULL;
    free(copy);
    return v;
}

static const char *c_red(void)
{
    return color ? "\033[31m" : "";
}
static const char *c_green(void)
{
    return color ? "\033[32m" : "";
}
static const char *c_yellow(void)
{
    return color ? "\033[33m" : "";
}
static const char *c_bold(void)
{
    return color ? "\033[1m" : "";
}
static const char *c_dim(void)
{
    return color ? "\033[2m" : "";
}
static const char *c_off(void)
{
    return color ? "\033[0m" : "";
}

static const step_def *find_step(const char *num)
{
    char want[8];
    snprintf(want, sizeof want, "%02d", atoi(num));
    for (int i = 0; i < NSTEPS; i++)
        if (strcmp(course_steps[i].num, want) == 0 || strcmp(course_steps[i].slug, num) == 0)
            return &course_steps[i];
    return NULL;
}

static int max_points(const step_def *s)
{
    int m = 0;
    for (const check_def *c = s->checks; c->id; c++) m += c->points;
    return m;
}

/* ------------------------------------------------------------- results -- */

/* A fresh random secret (hex) for one run: never derived from --seed. */
static void random_key(char *buf, size_t size)
{
    unsigned char raw[16];
    size_t got = 0;
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        ssize_t n = read(fd, raw, sizeof raw);
        got = n > 0 ? (size_t)n : 0;
        close(fd);
    }
    for (size_t i = got; i < sizeof raw; i++)
        raw[i] = (unsigned char)(rand() ^ (int)(grade_now_s() * 1e6) ^ (int)i);
    size_t k = 0;
    for (size_t i = 0; i < sizeof raw && k + 2 < size; i++)
        k += (size_t)snprintf(buf + k, size - k, "%02x", raw[i]);
    buf[k] = 0;
}

/* Note why a person should look at this run (grade-all's gradebook). */
static void add_review(job *j, const char *why)
{
    if (j->review && strstr(j->review, why)) return;
    char *r = j->review ? xasprintf("%s; %s", j->review, why) : xstrdup(why);
    free(j->review);
    j->review = r;
}

/* ---------------------------------------------------- shared objects -- */

static pthread_mutex_t obj_lock = PTHREAD_MUTEX_INITIALIZER;
static char *common_dir;

static char *compile_cmd_output(run_result *rr)
{
    sbuf b = {0};
    sb_str(&b, rr->out);
    sb_str(&b, rr->err);
    return sb_take(&b);
}

static run_limits compile_limits(void)
{
    return (run_limits){.timeout_s = 60.0 * slow, .cpu_s = 60L * slow, .fsize_mb = 256};
}

/* cc CFLAGS -I... extra... -c src -o obj */
static bool compile_object_in(const char *src, const char *obj, const char *define, const char *box,
                              char **output);
static bool compile_object(const char *src, const char *obj, const char *define, char **output)
{
    return compile_object_in(src, obj, define, NULL, output);
}

/* box: the job's folder when grade-all sandboxes the compiler too (a
 * submission's `.incbin` or #include reads files at compile time). */
static bool compile_object_in(const char *src, const char *obj, const char *define, const char *box,
                              char **output)
{
    const char *argv[64];
    int n = 0;
    char *inc1 = xasprintf("-I%s/runtime/include", kit), *inc2 = xasprintf("-I%s/exercises", kit);
    argv[n++] = cc;
    for (char **f = cflags; *f && n < 40; f++) argv[n++] = *f;
    argv[n++] = inc1;
    argv[n++] = inc2;
    if (define) argv[n++] = define;
    argv[n++] = "-c";
    argv[n++] = src;
    argv[n++] = "-o";
    argv[n++] = obj;
    argv[n] = NULL;
    run_limits lim = compile_limits();
    lim.bwrap_rw = box;
    lim.bwrap_net = true;
    run_result rr;
    grade_run_cmd((char *const *)argv, NULL, NULL, &lim, &rr);
    bool ok = rr.kind == RUN_EXITED && rr.exit_code == 0;
    if (output) *output = compile_cmd_output(&rr);
    if (rr.kind == RUN_HUNG || rr.kind == RUN_BUSY) {
        free(*output);
        *output = xasprintf("the compiler did not finish within %.0f s", lim.timeout_s);
    }
    grade_free_run(&rr);
    free(inc1);
    free(inc2);
    return ok;
}

static bool link_program_with(const char *obj1, const char *obj2, const char *exe,
                              const char *extra, char **output)
{
    const char *argv[64];
    int n = 0;
    argv[n++] = cc;
    if (extra) argv[n++] = extra;
    argv[n++] = obj1;
    if (obj2) argv[n++] = obj2;
    argv[n++] = libtapa;
    for (char **f = libs; *f && n < 56; f++) argv[n++] = *f;
    for (char **f = ldflags; *f && n < 60; f++) argv[n++] = *f;
    argv[n++] = "-o";
    argv[n++] = exe;
    argv[n] = NULL;
    /* sanitizer builds need the same flags at link time */
    for (char **f = cflags; *f; f++)
        if (strncmp(*f, "-fsanitize", 10) == 0 && n < 62) {
            argv[n++] = *f;
            argv[n] = NULL;
        }
    run_limits lim = compile_limits();
    run_result rr;
    grade_run_cmd((char *const *)argv, NULL, NULL, &lim, &rr);
    bool ok = rr.kind == RUN_EXITED && rr.exit_code == 0;
    *output = compile_cmd_output(&rr);
    grade_free_run(&rr);
    return ok;
}

static bool link_program(const char *obj1, const char *obj2, const char *exe, char **output)
{
    return link_program_with(obj1, obj2, exe, NULL, output);
}

/* A probe's own link flag, from a line "link-flag: FLAG" in its source (e.g.
 * -Wl,--wrap=tapa_flush: the probe sees whether the learner's code calls the
 * runtime's own flush). NULL if none. */
static char *probe_link_flag(const char *psrc)
{
    char *text = grade_read_file(psrc, NULL);
    char *at = text ? strstr(text, "link-flag: ") : NULL, *flag = NULL;
    if (at) flag = strndup(at + 11, strcspn(at + 11, " \n*"));
    free(text);
    return flag;
}

/* The kit's own objects (the demo's main, each step's probe), built once
 * per grader run, whatever is in the graded tree. */
static char *common_object(const char *name, const char *src)
{
    char *obj = xasprintf("%s/%s.o", common_dir, name);
    pthread_mutex_lock(&obj_lock);
    if (!grade_file_exists(obj)) {
        char *out = NULL;
        char *tmp = xasprintf("%s.part", obj);
        if (compile_object(src, tmp, NULL, &out)) rename(tmp, obj);
        else fprintf(stderr, "tapa-grade: the kit's own %s does not compile:\n%s\n", src, out);
        free(out);
        free(tmp);
    }
    pthread_mutex_unlock(&obj_lock);
    return obj;
}

/* ------------------------------------------------------- running things -- */

static const char *const run_env_add[] = {"TAPA_FAST=1", NULL};
static const char *const run_env_drop[] = {"TAPA_TRACE", NULL};
static char **run_env;
static long nproc_limit;
static bool sandbox_on; /* grade-all as root: each program in a read-only mount namespace */

static run_limits program_limits(void)
{
    bool sanitized = false;
    for (char **f = cflags; *f; f++) sanitized |= strncmp(*f, "-fsanitize", 10) == 0;
    return (run_limits){.timeout_s = 10.0 * slow,
                        .as_mb = sanitized ? 0 : 2048,
                        .nproc = nproc_limit,
                        .fsize_mb = 16};
}

/* What went wrong with a run, for a learner; NULL when it exited 0. */
static char *describe_run(const run_result *rr, const run_limits *lim, const char **outcome)
{
    switch (rr->kind) {
    case RUN_EXITED:
        if (rr->exit_code == 0) {
            *outcome = "ok";
            return NULL;
        }
        if (rr->exit_code == 2 && strstr(rr->err, "deadlock")) {
            *outcome = "deadlock";
            return xasprintf(
                "deadlock: every process was waiting in a receive that nothing could satisfy, "
                "the shell (demo) too. Which receive waits for a message nobody sends?");
        }
        *outcome = "exit";
        return xasprintf(
            "the shell process (demo) ended abnormally (exit status %d)%s", rr->exit_code,
            strstr(rr->err, "[error]") ? ": a process raised an error, see its log below" : "");
    case RUN_SIGNALED:
        *outcome = "crash";
        return xasprintf("crashed with %s", grade_signal_text(rr->signal));
    case RUN_HUNG:
        *outcome = "hang";
        if (rr->cpu_s > rr->seconds * 0.5)
            return xasprintf(
                "hung, spinning: it used the CPU for %.0f s without printing or waiting. A loop that "
                "never receives, sleeps or yields stops every other process (scheduling is "
                "cooperative).",
                rr->cpu_s);
        return xasprintf(
            "hung: still running after %.0f s, silent for the last %.0f s. A receive waiting "
            "for a message that never comes, in the shell's own process?",
            lim->timeout_s, lim->timeout_s / 2);
    case RUN_BUSY:
        *outcome = "busy";
        return xasprintf(
            "still running and printing after %.0f s: a loop that never ends or never waits?",
            lim->timeout_s);
    case RUN_FLOOD:
        *outcome = "flood";
        return xasprintf(
            "printed more than %u bytes and was stopped: a loop that prints without end?",
            RUN_MAX_OUTPUT);
    case RUN_NOEXEC:
        *outcome = "noexec";
        return xasprintf("could not be started: %s", rr->err);
    }
    return NULL;
}

static char *excerpt(const char *out, const char *err)
{
    sbuf b = {0};
    if (out && *out) {
        sb_str(&b, "stdout:\n");
        sb_str(&b, grade_tail_of(out, 1500));
        if (b.s[b.len - 1] != '\n') sb_chr(&b, '\n');
    }
    if (err && *err) {
        sb_str(&b, "stderr:\n");
        sb_str(&b, grade_tail_of(err, 1200));
        if (b.s[b.len - 1] != '\n') sb_chr(&b, '\n');
    }
    return sb_take(&b);
}

/* ----------------------------------------------------------- transcript -- */

typedef struct binding {
    char name[24];
    char value[32];
} binding;

typedef struct bindings {
    binding v[32];
    int n;
} bindings;

/* Match a line against a pattern: ${name} matches digits (the same digits
 * wherever the same name appears), ${...} any text. */
static bool match_line(const char *pat, const char *line, bindings *b)
{
    while (*pat) {
        if (pat[0] == '$' && pat[1] == '{') {
            pat++;
            const char *close = strchr(pat, '}');
            if (!close) return strcmp(pat - 1, line) == 0;
            size_t nl = (size_t)(close - pat - 1);
            if (nl == 3 && strncmp(pat + 1, "...", 3) == 0) {
                for (const char *l = line;; l++) {
                    bindings save = *b;
                    if (match_line(close + 1, l, b)) return true;
                    *b = save;
                    if (!*l) return false;
                }
            }
            size_t d = 0;
            while (isdigit((unsigned char)line[d])) d++;
            if (d == 0 || d >= sizeof b->v[0].value || nl >= sizeof b->v[0].name) return false;
            int found = -1;
            for (int i = 0; i < b->n; i++)
                if (strlen(b->v[i].name) == nl && strncmp(b->v[i].name, pat + 1, nl) == 0)
                    found = i;
            if (found >= 0) {
                if (strlen(b->v[found].value) != d || strncmp(b->v[found].value, line, d) != 0)
                    return false;
            } else if (b->n < 32) {
                memcpy(b->v[b->n].name, pat + 1, nl);
                b->v[b->n].name[nl] = 0;
                memcpy(b->v[b->n].value, line, d);
                b->v[b->n].value[d] = 0;
                b->n++;
            }
            pat = close + 1;
            line += d;
            continue;
        }
        if (*pat != *line) return false;
        pat++;
        line++;
    }
    return *line == 0;
}

/* The pattern with its bound names filled in, for showing. */
static char *show_pattern(const char *pat, const bindings *b)
{
    sbuf s = {0};
    sb_str(&s, "");
    while (*pat) {
        const char *close = pat[0] == '$' && pat[1] == '{' ? strchr(pat, '}') : NULL;
        if (close) {
            pat++;
            size_t nl = (size_t)(close - pat - 1);
            const char *value = NULL;
            for (int i = 0; i < b->n; i++)
                if (strlen(b->v[i].name) == nl && strncmp(b->v[i].name, pat + 1, nl) == 0)
                    value = b->v[i].value;
            if (value) sb_str(&s, value);
            else if (nl == 3 && strncmp(pat + 1, "...", 3) == 0) sb_str(&s, "...");
            else sb_str(&s, "N");
            pat = close + 1;
        } else {
            sb_chr(&s, *pat++);
        }
    }
    return sb_take(&s);
}

/* Compare the demo's output with the expected session; NULL if it matches. */
static char *compare_transcript(const char *expected, const char *got)
{
    lines e = grade_split_lines(expected), g = grade_split_lines(got);
    while (e.n && !*e.v[e.n - 1]) e.n--;
    while (g.n && !*g.v[g.n - 1]) g.n--;
    bindings b = {0};
    int i = 0;
    while (i < e.n && i < g.n && match_line(e.v[i], g.v[i], &b)) i++;
    char *why = NULL;
    if (i < e.n || i < g.n) {
        sbuf s = {0};
        if (i < e.n && i < g.n) {
            char *want = show_pattern(e.v[i], &b);
            sb_fmt(&s, "line %d: expected `%s`, found `%s`.\n", i + 1, want, g.v[i]);
            free(want);
        } else if (i < e.n) {
            char *want = show_pattern(e.v[i], &b);
            sb_fmt(&s, "the output stops at line %d; expected next: `%s`.\n", i + 1, want);
            free(want);
        } else {
            sb_fmt(
                &s,
                "line %d is extra: `%s` (the tutorial's session ends before it; remove debugging prints).\n",
                i + 1, g.v[i]);
        }
        for (int k = i - 3 < 0 ? 0 : i - 3; k < i; k++) sb_fmt(&s, "  GOOD    %s\n", g.v[k]);
        if (i < g.n) sb_fmt(&s, "  BAD     %s\n", g.v[i]);
        if (i < e.n) {
            for (int k = i; k < e.n && k < i + 3; k++) {
                char *want = show_pattern(e.v[k], &b);
                sb_fmt(&s, "  MISSING %s\n", want);
                free(want);
            }
        }
        why = sb_take(&s);
    }
    grade_free_lines(&e);
    grade_free_lines(&g);
    return why;
}

/* The result line printed after the nth "iex> prompt" line, or NULL. */
static char *observe(const char *out, const char *prompt, int nth)
{
    if (!out || !prompt) return NULL;
    lines l = grade_split_lines(out);
    char *want = xasprintf("iex> %s", prompt), *found = NULL;
    int seen = 0;
    for (int i = 0; i + 1 < l.n && !found; i++)
        if (strcmp(l.v[i], want) == 0 && ++seen == nth && strncmp(l.v[i + 1], "iex> ", 5) != 0)
            found = xstrdup(l.v[i + 1]);
    free(want);
    grade_free_lines(&l);
    return found;
}

/* ------------------------------------------------ for grade/pair.c -- */

/* What Part 2's other node (grade/pair.c) uses of this file (job.h). */
const char *grade_kit_dir(void)
{
    return kit;
}
int grade_slow_factor(void)
{
    return slow;
}
const char *grade_common_dir(void)
{
    return common_dir;
}
const char *const *grade_run_env_drop(void)
{
    return run_env_drop;
}
void grade_random_key(char *buf, size_t size)
{
    random_key(buf, size);
}
char *grade_common_object(const char *name, const char *src)
{
    return common_object(name, src);
}
bool grade_link_program(const char *obj1, const char *obj2, const char *exe, char **output)
{
    return link_program(obj1, obj2, exe, output);
}

/* -------------------------------------------------------------- answers -- */

/* Reading and comparing predictions: grade/answers.c. */
static bool same_answer(const char *type, const char *given, const char *truth)
{
    char *why = NULL;
    bool same = grade_same_answer(type, given, truth, &why);
    free(why);
    return same;
}

/* ----------------------------------------------------------- one step -- */

/* A path as the learner knows it: relative to the kit when inside it. */
static const char *rel(const char *p)
{
    size_t n = strlen(kit);
    return p && !strncmp(p, kit, n) && p[n] == '/' ? p + n + 1 : p;
}

static char *path_in(const char *dir, const char *num, const char *slug, const char *ext)
{
    return xasprintf("%s/%s_%s.%s", dir, num, slug, ext);
}

/* The learner's file as the compiler is given it: a copy in the job's own
 * folder (the learner may save while it is graded), which starts with a
 * #line naming the learner's own file, so that every error, warning and
 * note reads `exercises/05_mailbox_growth.c:23:5: error: ...`, the line an
 * editor or terminal jumps to. The name is relative to the current folder
 * when the file is under it (make runs in the kit), else absolute. */
static bool copy_for_compiler(const char *src, const char *copy)
{
    size_t n;
    char *data = grade_read_file(src, &n);
    if (!data) return false;
    char cwd[4096];
    const char *shown = src;
    size_t cl = getcwd(cwd, sizeof cwd) ? strlen(cwd) : 0;
    if (cl && !strncmp(src, cwd, cl) && src[cl] == '/') shown = src + cl + 1;
    sbuf b = {0};
    sb_str(&b, "#line 1 \"");
    for (const char *c = shown; *c && *c != '\n'; c++) {
        if (*c == '"' || *c == '\\') sb_chr(&b, '\\');
        sb_chr(&b, *c);
    }
    sb_str(&b, "\"\n");
    sb_add(&b, data, n);
    size_t len = b.len;
    char *text = sb_take(&b);
    bool ok = grade_write_file(copy, text, len);
    free(text);
    free(data);
    return ok;
}

static check_result *result_for(job *j, const char *id)
{
    for (int i = 0; i < j->nres; i++)
        if (!strcmp(j->res[i].def->id, id)) return &j->res[i];
    return NULL;
}

static void fail_all_after(job *j, int from, const char *why)
{
    for (int i = from; i < j->nres; i++)
        if (!j->res[i].message) set_result(&j->res[i], false, xstrdup(why), NULL);
}

typedef struct scenario_run {
    const char *name;
    run_result rr;
    char *problem; /* describe_run's text, or NULL */
    const char *outcome;
    char *captured; /* the learner's output inside the probe */
    char key[40]; /* this run's secret: only verdicts that carry it count */
} scenario_run;

static void grade_answers(job *j)
{
    grade_answer ans[64];
    char *problems = NULL;
    int na = j->answers ? grade_load_answers(j->answers, ans, 64, &problems) : -1;
    for (int i = 0; i < j->nres; i++) {
        check_result *r = &j->res[i];
        const check_def *d = r->def;
        if (d->kind != ANSWER) continue;
        char *unreadable = NULL;
        const char *given = NULL;
        int line = 0;
        for (int k = 0; k < na; k++)
            if (!strcmp(ans[k].key, d->key)) given = ans[k].value, line = ans[k].line;
        char *obs = grade_with_names(j, d->obs);
        r->observed = d->obs && ((d->obs_src == 's' && j->role != 'x') ||
                                 (d->obs_src == 'x' && j->role == 'x'))
                          ? observe(j->demo_out, obs, d->obs_nth)
                          : NULL;
        free(obs);
        if (na < 0) {
            set_result(r, false,
                       xasprintf("no answers file: expected %s (make reset STEP=%s restores it).",
                                 j->answers ? rel(j->answers) : "answers/NN_slug.answers",
                                 j->step->num),
                       NULL);
        } else if (!given) {
            set_result(r, false,
                       xasprintf("%s is missing from %s: add the line `%s = your answer`.%s%s",
                                 d->key, rel(j->answers), d->key,
                                 problems ? " Lines that could not be read: " : "",
                                 problems ? problems : ""),
                       NULL);
        } else if (!*given || !strcmp(given, "?")) {
            set_result(
                r, false,
                xasprintf("not answered yet: write your prediction after `%s =` (line %d of %s).",
                          d->key, line, rel(j->answers)),
                NULL);
        } else if (grade_same_answer(d->type, given, d->truth, &unreadable)) {
            set_result(r, true, NULL, NULL);
        } else if (unreadable) {
            set_result(r, false,
                       xasprintf("line %d of %s, `%s = %s`: %s. No mark until it says one thing.",
                                 line, rel(j->answers), d->key, given, unreadable),
                       NULL);
        } else if (!strcmp(d->type, "choice")) {
            set_result(
                r, false,
                xasprintf("`%s = %s` is not what happens. Re-read the question's choices in %s "
                          "and the lesson (lessons/%s_%s.md); run `make %s` and watch.",
                          d->key, given, rel(j->answers), j->step->num, j->step->slug,
                          j->step->num),
                NULL);
        } else {
            const char *shows = d->obs_src == 'x' ? "the untouched exercise (before your fix) shows"
                                                  : "the run shows";
            set_result(r, false,
                       xasprintf("you predicted %s = %s; %s %s%s%s.", d->key, given, shows,
                                 d->obs ? "`" : "", d->obs ? d->obs : d->truth,
                                 d->obs ? "` giving a different value" : ""),
                       NULL);
            if (d->obs && r->observed && same_answer(d->type, r->observed, d->truth)) {
                free(r->message);
                r->message =
                    xasprintf("you predicted %s = %s; your run printed %s after `iex> %s`.", d->key,
                              given, r->observed, d->obs);
            } else if (d->obs) {
                free(r->message);
                r->message = xasprintf(
                    "you predicted %s = %s, which is not what %s after `iex> %s`. Run `make %s` "
                    "(for this one: %s) and look.",
                    d->key, given, shows, d->obs, j->step->num,
                    d->obs_src == 'x' ? "the shipped exercise, before your fix" : "your program");
            }
        }
        /* check-course: the truth must be what the run shows */
        if (d->obs && r->observed == NULL &&
            ((d->obs_src == 's' && j->role == 's') || (d->obs_src == 'x' && j->role == 'x')))
            j->verify = xasprintf("%s: the run shows no result after `iex> %s` (#%d)", d->key,
                                  d->obs, d->obs_nth);
        else if (r->observed &&
                 ((d->obs_src == 's' && j->role == 's') || (d->obs_src == 'x' && j->role == 'x')) &&
                 !same_answer(d->type, r->observed, d->truth))
            j->verify = xasprintf("%s: the truth is %s but the run shows %s", d->key, d->truth,
                                  r->observed);
        free(unreadable);
    }
    free(problems);
}

/* --------------------------------------------------------------- charts -- */

/* A behaviour check failed (make grade, make NN, watch): the demo is run
 * again with TAPA_TRACE set (TAPA_FAST=1, the same limits), the solution's
 * demo too, build/bin/tapa-chart draws both, and OUT/charts/NN.html shows
 * them side by side. The graded runs are never traced, so no verdict
 * depends on charts being on. Part 2: your node only, as the other node may
 * be a real erl node, which writes no trace. */

#define CHART_MAX_EVENTS 2000 /* a loop can write megabytes of trace */

/* The trace rewritten: this run's node names back to the tutorial's, cut
 * to its first CHART_MAX_EVENTS whole lines. Returns how many events it had. */
static int tidy_trace(const job *j, const char *path)
{
    char *text = grade_read_file(path, NULL);
    if (!text) return -1;
    sbuf b = {0};
    sb_str(&b, "");
    int n = 0;
    size_t l1 = j->step->peer ? strlen(j->node1) : 0, l2 = j->step->peer ? strlen(j->node2) : 0;
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        if (!nl) break; /* cut by a kill */
        if (n++ < CHART_MAX_EVENTS) {
            for (const char *c = p; c <= nl;) {
                if (l1 && !strncmp(c, j->node1, l1)) sb_str(&b, "node1@127.0.0.1"), c += l1;
                else if (l2 && !strncmp(c, j->node2, l2)) sb_str(&b, "node2@127.0.0.1"), c += l2;
                else sb_chr(&b, *c++);
            }
        }
        p = nl + 1;
    }
    grade_write_file(path, b.s, b.len);
    free(b.s);
    free(text);
    return n;
}

/* Run a demo `exe` with its trace in `trace`, as the graded run was (Part 2:
 * beside the other node, with names of its own). How it ended, or NULL. */
static char *traced_run(const job *j, const char *exe, const char *dir, const char *trace,
                        int *events)
{
    run_limits lim = program_limits();
    if (j->timeout_s > 0) lim.timeout_s = j->timeout_s * slow;
    if (sandbox_on) lim.sandbox_rw = j->work;
    unlink(trace);
    run_result rr;
    job pj = *j; /* Part 2: the pair's names and the peer's output are this run's, not the job's */
    pj.work = (char *)dir;
    pj.peer_out = pj.peer_problem = NULL;
    if (j->step->peer) {
        grade_run_pair(&pj, exe, &lim, trace, &rr);
    } else {
        char *e = xasprintf("TAPA_TRACE=%s", trace);
        const char *add[] = {"TAPA_FAST=1", e, NULL};
        char **env = grade_make_env(add, run_env_drop);
        grade_run_cmd((char *[]){(char *)exe, NULL}, env, dir, &lim, &rr);
        free(env);
        free(e);
    }
    free(pj.peer_out);
    free(pj.peer_problem);
    const char *outcome = "ok";
    char *problem = describe_run(&rr, &lim, &outcome);
    grade_free_run(&rr);
    *events = tidy_trace(&pj, trace);
    return problem;
}

/* tapa-chart TRACE -> SVG; the SVG's text (malloc'd), or NULL and *why. */
static char *draw_chart(const char *trace, const char *svg, const char *title, char **why)
{
    run_limits lim = {.timeout_s = 30.0 * slow, .fsize_mb = 64};
    run_result rr;
    unlink(svg);
    grade_run_cmd((char *[]){chart_tool, "-o", (char *)svg, "-t", (char *)title, "-l",
                             "<0.100.0>=iex shell", (char *)trace, NULL},
                  run_env, NULL, &lim, &rr);
    char *text = rr.kind == RUN_EXITED && rr.exit_code == 0 ? grade_read_file(svg, NULL) : NULL;
    if (!text || !strstr(text, "<svg"))
        *why = xasprintf("%s could not draw it: %s", rel(chart_tool),
                         *grade_trim(rr.err) ? grade_tail_of(rr.err, 400) : "no SVG");
    grade_free_run(&rr);
    if (*why) {
        free(text);
        return NULL;
    }
    return text;
}

/* One side of the page: the run, then its chart. */
static void chart_figure(sbuf *h, const job *j, const char *src, const char *exe, const char *dir,
                         const char *tag, const char *heading, int *drawn)
{
    char *trace = xasprintf("%s/%s.trace", dir, tag), *svg = xasprintf("%s/%s.svg", dir, tag);
    int events = -1;
    char *problem = traced_run(j, exe, dir, trace, &events), *why = NULL, *text = NULL;
    char *title = xasprintf("Step %s, %s: %s", j->step->num, heading, rel(src));
    if (events <= 0)
        why = xasprintf("the run wrote no trace events%s",
                        problem ? " (a crash or a kill loses the events the "
                                  "runtime had not yet written out)"
                                : "");
    else text = draw_chart(trace, svg, title, &why);
    sb_str(h, "<figure><h2>");
    sb_xml(h, heading);
    sb_str(h, "</h2><figcaption>");
    sb_xml(h, rel(src));
    if (problem) {
        sb_str(h, " — how this run ended: ");
        sb_xml(h, problem);
    }
    if (events > CHART_MAX_EVENTS)
        sb_fmt(h, " (the first %d of its %d events)", CHART_MAX_EVENTS, events);
    sb_str(h, "</figcaption>\n");
    if (text) {
        sb_str(h, text);
        (*drawn)++;
    } else {
        sb_str(h, "<p class=\"note\">No chart: ");
        sb_xml(h, why);
        sb_str(h, ".</p>");
    }
    sb_str(h, "</figure>\n");
    free(trace), free(svg), free(problem), free(why), free(text), free(title);
}

/* The page OUT/charts/NN.html for a job whose behaviour check failed;
 * `demo` is its program, already built. Sets j->chart or j->chart_note. */
static void chart_page(job *j, const char *demo)
{
    const step_def *s = j->step;
    if (access(chart_tool, X_OK) != 0) {
        const char *tool = rel(chart_tool);
        j->chart_note =
            tool != chart_tool
                ? xasprintf("No chart of your run: %s is missing (`make %s` builds it).", tool,
                            tool)
                : xasprintf("No chart of your run: %s (TAPA_CHART) is missing.", tool);
        return;
    }
    char *dir = xasprintf("%s/chart", j->work);
    grade_mkdir_p(dir);
    /* the expected run: the kit's solution, built as the learner's program is */
    char *sol = xasprintf("%s/solutions/%s_%s.c", kit, s->num, s->slug);
    char *sol_obj = xasprintf("%s/solution.o", dir), *sol_exe = xasprintf("%s/solution", dir),
         *out = NULL;
    char *demo_main = xasprintf("%s/tests/course/demo_main.c", kit);
    char *demo_obj = common_object("demo_main", demo_main);
    bool sol_ok = compile_object(sol, sol_obj, "-Dmain=tapa_learner_main", &out);
    free(out);
    out = NULL;
    sol_ok = sol_ok && link_program(demo_obj, sol_obj, sol_exe, &out);
    free(out);

    sbuf h = {0};
    sb_fmt(&h,
           "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
           "<title>Step %s: your run and the expected run</title>\n"
           "<style>body{font-family:sans-serif;margin:1rem;color:#1d2433}"
           "main{display:flex;flex-wrap:wrap;gap:1.5rem;align-items:flex-start}"
           "figure{margin:0;max-width:100%%;overflow-x:auto}h2{font-size:1.15rem;margin:.2rem 0}"
           "figcaption{color:#555;margin-bottom:.4rem}.note{color:#a31f1f}</style></head><body>\n",
           s->num);
    sb_fmt(&h, "<h1>Step %s — ", s->num);
    sb_xml(&h, s->title);
    sb_str(&h, "</h1>\n<p>Failed: ");
    int nf = 0;
    for (int i = 0; i < j->nres; i++) {
        const check_result *r = &j->res[i];
        if (r->passed || r->def->kind == ANSWER || r->def->kind == GATE_COMPILE) continue;
        if (nf++) sb_str(&h, "; ");
        sb_xml(&h, r->def->name);
    }
    sb_str(
        &h,
        ".<br>The demo (the tutorial's session) run again with its trace on and TAPA_FAST=1: your program "
        "on the left, the solution on the right. Where the two charts part is where to look.");
    if (s->peer)
        sb_fmt(
            &h,
            " Only your program's node (%s) is traced; the other node's processes are marked (not traced).",
            s->peer == 1 ? "node2" : "node1");
    sb_str(&h, "</p>\n<main>\n");
    int drawn = 0;
    chart_figure(&h, j, j->src, demo, dir, "yours", "your run", &drawn);
    if (sol_ok) {
        chart_figure(&h, j, sol, sol_exe, dir, "expected", "the expected run", &drawn);
    } else {
        sb_str(&h, "<figure><h2>the expected run</h2><p class=\"note\">No chart: the kit's ");
        sb_xml(&h, rel(sol));
        sb_str(&h, " does not build.</p></figure>\n");
    }
    sb_str(&h, "</main>\n</body></html>\n");
    char *cdir = xasprintf("%s/charts", out_dir), *page = xasprintf("%s/%s.html", cdir, s->num);
    grade_mkdir_p(cdir);
    if (drawn == 0)
        j->chart_note =
            xasprintf("No chart of your run: neither run could be drawn (see %s/).", rel(dir));
    else if (!grade_write_file(page, h.s, h.len))
        j->chart_note = xasprintf("No chart of your run: cannot write %s.", rel(page));
    else j->chart = xstrdup(page);
    if (!j->chart) unlink(page);
    free(h.s);
    free(cdir), free(page), free(dir), free(sol), free(sol_obj), free(sol_exe), free(demo_main),
        free(demo_obj);
}

static void grade_job(job *j)
{
    double t0 = grade_now_s();
    const step_def *s = j->step;
    int n = 0;
    while (s->checks[n].id) n++;
    j->res = calloc((size_t)n, sizeof *j->res);
    j->nres = n;
    j->max = max_points(s);
    for (int i = 0; i < n; i++) j->res[i].def = &s->checks[i];
    grade_mkdir_p(j->work);

    /* 1. compile the learner's file, a copy in the job's own folder */
    check_result *gc = result_for(j, "compile"), *gr = result_for(j, "run"),
                 *tr = result_for(j, "transcript");
    char *copy = xasprintf("%s/%s_%s.c", j->work, s->num, s->slug);
    char *obj = xasprintf("%s/learner.o", j->work), *demo = xasprintf("%s/demo", j->work);
    char *probe = xasprintf("%s/probe", j->work);
    char *out = NULL;
    if (!copy_for_compiler(j->src, copy)) {
        set_result(gc, false,
                   xasprintf("%s is missing: `make reset STEP=%s` restores the starter.",
                             rel(j->src), s->num),
                   NULL);
        gc->outcome = "missing";
        fail_all_after(j, 0, "not run: the exercise file is missing.");
        goto done;
    }
    if (!compile_object_in(copy, obj, "-Dmain=tapa_learner_main", sandbox_bwrap_on ? j->work : NULL,
                           &out)) {
        gc->outcome = "compile-error";
        const char *hint = grade_compile_hint(out);
        set_result(gc, false,
                   xasprintf("compile error in %s. The compiler said:\n%s%s%s", rel(j->src),
                             grade_tail_of(out, 3000), hint ? "\nWhat it means: " : "",
                             hint ? hint : ""),
                   NULL);
        fail_all_after(j, 0, "not run: the program does not compile (see \"compiles\").");
        goto done;
    }
    char *warnings = *grade_trim(out)
                         ? xasprintf("compiled, with warnings:\n%s", grade_tail_of(out, 2000))
                         : NULL;
    free(out);
    char *demo_main = xasprintf("%s/tests/course/demo_main.c", kit);
    char *demo_obj = common_object("demo_main", demo_main);
    free(demo_main);
    if (!link_program(demo_obj, obj, demo, &out)) {
        gc->outcome = "link-error";
        set_result(
            gc, false,
            xasprintf("%s compiles but does not link. The linker said:\n%s\nA function is used "
                      "that nothing defines: check its spelling against tapa.h.",
                      rel(j->src), grade_tail_of(out, 2000)),
            NULL);
        free(out);
        free(demo_obj);
        free(warnings);
        fail_all_after(j, 0, "not run: the program does not link (see \"compiles\").");
        goto done;
    }
    free(out);
    free(demo_obj);
    gc->outcome = "ok";
    set_result(gc, true, warnings, NULL);

    /* 2. run the demo: the tutorial's session */
    run_limits lim = program_limits();
    if (j->timeout_s > 0) lim.timeout_s = j->timeout_s * slow;
    if (sandbox_on) lim.sandbox_rw = j->work;
    if (sandbox_bwrap_on) {
        lim.bwrap_rw = j->work;
        lim.bwrap_net = !s->peer; /* Part 2: beside the other node, on the machine's loopback */
    }
    run_result rr;
    if (s->peer) grade_run_pair(j, demo, &lim, NULL, &rr); /* Part 2: beside the other node */
    else grade_run_cmd((char *[]){demo, NULL}, run_env, j->work, &lim, &rr);
    const char *outcome = "ok";
    char *problem = describe_run(&rr, &lim, &outcome);
    gr->outcome = (char *)outcome;
    j->demo_out = xstrdup(rr.out);
    set_result(gr, problem == NULL, problem ? xasprintf("%s (%.2f s).", problem, rr.seconds) : NULL,
               problem ? excerpt(rr.out, rr.err) : NULL);
    char *exp_path = xasprintf("%s/tests/course/expected/%s_%s.out", kit, s->num, s->slug);
    char *expected_raw = grade_read_file(exp_path, NULL);
    char *expected = grade_with_names(j, expected_raw);
    free(expected_raw);
    if (!expected) {
        set_result(tr, false, xasprintf("the kit has no %s", exp_path), NULL);
    } else {
        char *diff = compare_transcript(expected, rr.out);
        if (diff && problem) {
            char *both = xasprintf("%s\n(The run %s, which may explain it.)", diff, problem);
            free(diff);
            diff = both;
        }
        set_result(tr, diff == NULL, diff,
                   diff ? xasprintf("expected this output:\n%s\nbut found:\n%s", expected,
                                    grade_tail_of(rr.out, 2000))
                        : NULL);
    }
    free(expected);
    free(exp_path);
    grade_free_run(&rr);

    /* 3. the probes: the learner's functions, driven by the kit's program */
    bool any_probe = false;
    for (int i = 0; i < n; i++) any_probe |= s->checks[i].kind == PROBE;
    if (any_probe) {
        char *psrc = xasprintf("%s/tests/course/probes/%s_%s.c", kit, s->num, s->slug);
        char *pname = xasprintf("probe_%s", s->num);
        char *pobj = common_object(pname, psrc);
        char *pflag = probe_link_flag(psrc);
        bool linked = link_program_with(pobj, obj, probe, pflag, &out);
        free(pflag);
        if (!linked) {
            const char *undef = strstr(out, "undefined reference to `");
            char fn[128] = "";
            if (undef) sscanf(undef + 24, "%127[^'`]", fn);
            char *why =
                *fn ? xasprintf(
                          "the checks call %s(), which %s no longer defines (or made static). Keep "
                          "the functions named and declared as shipped.",
                          fn, rel(j->src))
                    : xasprintf("the checks could not be linked with %s:\n%s", rel(j->src),
                                grade_tail_of(out, 1500));
            for (int i = 0; i < n; i++)
                if (s->checks[i].kind == PROBE) set_result(&j->res[i], false, xstrdup(why), NULL);
            free(why);
        }
        free(out);
        scenario_run runs[8];
        int nruns = 0;
        for (int i = 0; i < n && linked; i++) {
            const check_def *d = &s->checks[i];
            if (d->kind != PROBE) continue;
            scenario_run *sr = NULL;
            for (int k = 0; k < nruns; k++)
                if (!strcmp(runs[k].name, d->scenario)) sr = &runs[k];
            if (!sr) {
                sr = &runs[nruns++];
                memset(sr, 0, sizeof *sr);
                sr->name = d->scenario;
                char seedtxt[32];
                snprintf(seedtxt, sizeof seedtxt, "%lu", seed);
                random_key(sr->key, sizeof sr->key);
                grade_run_cmd((char *[]){probe, (char *)d->scenario, seedtxt, sr->key, NULL},
                              run_env, j->work, &lim, &sr->rr);
                lines vl = grade_split_lines(
                    sr->rr.out); /* verdict-like lines without this run's key: forged */
                size_t kl = strlen(sr->key);
                for (int k = 0; k < vl.n; k++)
                    if ((!strncmp(vl.v[k], "@pass ", 6) || !strncmp(vl.v[k], "@fail ", 6)) &&
                        (strncmp(vl.v[k] + 6, sr->key, kl) != 0 || vl.v[k][6 + kl] != ' '))
                        add_review(
                            j,
                            "verdict-like lines without the run's key reached the probe's channel");
                grade_free_lines(&vl);
                sr->problem = describe_run(&sr->rr, &lim, &sr->outcome);
                sbuf cap = {0};
                sb_str(&cap, "");
                lines l = grade_split_lines(sr->rr.out);
                for (int k = 0; k < l.n; k++)
                    if (!strncmp(l.v[k], "| ", 2)) sb_fmt(&cap, "%s\n", l.v[k] + 2);
                grade_free_lines(&l);
                sr->captured = sb_take(&cap);
            }
            /* find this check's verdict */
            lines l = grade_split_lines(sr->rr.out);
            bool found = false;
            char *pass = xasprintf("@pass %s %s", sr->key, d->verdict),
                 *failp = xasprintf("@fail %s %s\t", sr->key, d->verdict);
            for (int k = 0; k < l.n && !found; k++) {
                if (!strcmp(l.v[k], pass)) {
                    set_result(&j->res[i], true, NULL, NULL);
                    found = true;
                } else if (!strncmp(l.v[k], failp, strlen(failp))) {
                    set_result(&j->res[i], false, xstrdup(l.v[k] + strlen(failp)),
                               *sr->captured ? xasprintf("your code printed (seed %lu):\n%s", seed,
                                                         grade_tail_of(sr->captured, 1500))
                                             : NULL);
                    found = true;
                }
            }
            if (!found) {
                char *why =
                    sr->problem
                        ? xasprintf("not judged: the check's run %s before it got here.",
                                    sr->problem)
                        : xasprintf(
                              "not judged: an earlier condition of the same run failed first.");
                set_result(&j->res[i], false, why, excerpt(sr->captured, sr->rr.err));
            }
            free(pass);
            free(failp);
            grade_free_lines(&l);
        }
        for (int k = 0; k < nruns; k++) {
            grade_free_run(&runs[k].rr);
            free(runs[k].problem);
            free(runs[k].captured);
        }
        free(psrc);
        free(pname);
        free(pobj);
    }

    /* 4. Part 2: the other node's verdicts */
    if (s->peer) grade_peer_checks(j);

    /* 5. the predictions */
    grade_answers(j);

done:
    j->score = 0;
    for (int i = 0; i < n; i++)
        if (j->res[i].passed) j->score += j->res[i].def->points;
    if (charts_on && j->role == 'l') {
        bool behaviour_failed = false; /* not a compile error, not a prediction */
        for (int i = 0; i < n; i++)
            behaviour_failed |= !j->res[i].passed && j->res[i].def->kind != ANSWER &&
                                j->res[i].def->kind != GATE_COMPILE;
        if (gc->passed && behaviour_failed) chart_page(j, demo);
        if (!j->chart) { /* no stale page from an earlier run */
            char *page = xasprintf("%s/charts/%s.html", out_dir, s->num);
            unlink(page);
            free(page);
        }
    }
    j->seconds = grade_now_s() - t0;
    free(copy);
    free(obj);
    free(demo);
    free(probe);
}

/* ------------------------------------------------------------ the pool -- */

static job *pool_jobs;
static int pool_n, pool_next, pool_done;
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static void (*pool_progress)(int done, int total);

static void *pool_worker(void *arg)
{
    (void)arg;
    for (;;) {
        pthread_mutex_lock(&pool_lock);
        int i = pool_next < pool_n ? pool_next++ : -1;
        pthread_mutex_unlock(&pool_lock);
        if (i < 0) return NULL;
        grade_job(&pool_jobs[i]);
        pthread_mutex_lock(&pool_lock);
        pool_done++;
        if (pool_progress) pool_progress(pool_done, pool_n);
        pthread_mutex_unlock(&pool_lock);
    }
}

static void run_jobs(job *jobs, int n)
{
    pool_jobs = jobs;
    pool_n = n;
    pool_next = pool_done = 0;
    int t = njobs < 1 ? 1 : njobs > 16 ? 16 : njobs;
    if (t > n) t = n;
    pthread_t th[16];
    for (int i = 0; i < t; i++) pthread_create(&th[i], NULL, pool_worker, NULL);
    for (int i = 0; i < t; i++) pthread_join(th[i], NULL);
}

/* ------------------------------------------------------------- printing -- */

/* Where the verdicts are printed: the terminal, or build/grade/report.txt. */
static FILE *pout;
#define POUT (pout ? pout : stdout)
#define P(...) fprintf(POUT, __VA_ARGS__)

static void print_indented(const char *text, const char *prefix, int max_lines)
{
    lines l = grade_split_lines(text);
    int from = l.n > max_lines ? l.n - max_lines : 0;
    if (from) P("%s%s... (%d lines above cut)%s\n", prefix, c_dim(), from, c_off());
    for (int i = from; i < l.n; i++) P("%s%s\n", prefix, l.v[i]);
    grade_free_lines(&l);
}

static int hint_count(const step_def *s);
static bool show_run_output; /* make NN of a Part 2 step: show both nodes' output */

static char *step_state(const job *j);

static void print_job(const job *j, bool show_output, bool failed_only)
{
    P("%s== %s %s — %s%s  (%s)\n", c_bold(), j->step->num, j->step->slug, j->step->title, c_off(),
      rel(j->src));
    if (j->step->peer) {
        P("   %sTwo nodes on 127.0.0.1: your program is %s (%s), the other is %s (%s), %s.%s\n",
          c_dim(), j->step->peer == 1 ? "node2" : "node1", j->step->peer == 1 ? j->node2 : j->node1,
          j->step->peer == 1 ? "node1" : "node2", j->step->peer == 1 ? j->node1 : j->node2,
          grade_peer_description(), c_off());
        if (show_run_output) {
            P("   %s--- what your program printed:%s\n", c_dim(), c_off());
            print_indented(j->demo_out ? j->demo_out : "", "   ", 60);
            char *log = grade_peer_log_text(j);
            if (*log) {
                P("   %s--- what %s printed:%s\n", c_dim(), j->step->peer == 1 ? "node1" : "node2",
                  c_off());
                print_indented(log, "   ", 30);
            }
            free(log);
            P("   %s---%s\n", c_dim(), c_off());
        }
    }
    for (int i = 0; i < j->nres; i++) {
        const check_result *r = &j->res[i];
        const check_def *d = r->def;
        bool warned = r->passed && r->message && d->kind == GATE_COMPILE;
        if (failed_only && r->passed && !warned) continue;
        char name[80];
        snprintf(name, sizeof name, "%s ", d->name);
        int dots = 58 - (int)strlen(name);
        P("   %s", name);
        for (int k = 0; k < dots; k++) fputc('.', POUT);
        const char *pts = d->points ? "" : " (not scored)";
        if (r->passed) P(" %sOK%s%s\n", c_green(), c_off(), pts);
        else if (d->kind == ANSWER && r->message && strstr(r->message, "not answered"))
            P(" %sTODO%s\n", c_yellow(), c_off());
        else P(" %sFAIL%s%s\n", c_red(), c_off(), pts);
        if (!r->passed && r->message) print_indented(r->message, "        ", 30);
        if (r->passed && r->message && d->kind == GATE_COMPILE)
            print_indented(r->message, "        ", 12);
        if (!r->passed && r->output && show_output && d->kind != ANSWER && d->kind != TRANSCRIPT)
            print_indented(r->output, "        | ", 16);
    }
    P("   Score: %s%d/%d%s  (%.1f s, seed %lu)\n", j->score == j->max ? c_green() : c_bold(),
      j->score, j->max, c_off(), j->seconds, seed);
    if (j->chart) P("   See the chart of your run next to the expected one: %s\n", rel(j->chart));
    else if (j->chart_note) P("   %s%s%s\n", c_dim(), j->chart_note, c_off());
    if (j->score < j->max && j->role == 'l') {
        char *st = step_state(j);
        if (!strncmp(st, "TODO", 4))
            P("   Next: your code passes; %s in %s%s%s (the lesson asks the questions), then `make %s`.\n",
              st + 5, c_bold(), j->answers ? rel(j->answers) : "answers/", c_off(), j->step->num);
        else {
            char *more = strstr(st, " (+");
            if (more) *more = 0;
            P("   Next: edit %s%s%s so that it passes \"%s\", then `make %s`. Stuck? `make hint STEP=%s` (%d hints, "
              "from a nudge to most of the answer).\n",
              c_bold(), rel(j->src), c_off(), st + 5, j->step->num, j->step->num,
              hint_count(j->step));
        }
        free(st);
    }
}

/* -------------------------------------------------------------- reports -- */

static void write_reports(job *jobs, int n, const char *dir, double seconds)
{
    grade_mkdir_p(dir);
    int total = 0, max = 0, tests = 0, failures = 0;
    for (int i = 0; i < n; i++) total += jobs[i].score, max += jobs[i].max, tests += jobs[i].nres;
    /* Gradescope */
    sbuf js = {0};
    sb_fmt(&js, "{\n  \"score\": %d,\n  \"execution_time\": %.0f,\n  \"output\": ", total,
           seconds + 0.5);
    char *summary = xasprintf("Tapas in C: %d/%d points (seed %lu)", total, max, seed);
    sb_json(&js, summary);
    free(summary);
    sb_str(
        &js,
        ",\n  \"output_format\": \"text\",\n  \"visibility\": \"visible\",\n  \"stdout_visibility\": \"visible\",\n  \"tests\": [");
    int num = 0;
    for (int i = 0; i < n; i++) {
        for (int k = 0; k < jobs[i].nres; k++) {
            const check_result *r = &jobs[i].res[k];
            sb_str(&js, num++ ? ",\n    {" : "\n    {");
            sb_fmt(&js, "\"score\": %d, \"max_score\": %d, \"status\": \"%s\", \"name\": ",
                   r->passed ? r->def->points : 0, r->def->points, r->passed ? "passed" : "failed");
            char *name =
                xasprintf("%s %s: %s", jobs[i].step->num, jobs[i].step->slug, r->def->name);
            sb_json(&js, name);
            free(name);
            sb_fmt(&js, ", \"number\": \"%d.%d\", \"output\": ", atoi(jobs[i].step->num), k + 1);
            char *o =
                xasprintf("%s%s%s", r->message ? r->message : (r->passed ? "passed" : "failed"),
                          r->output ? "\n\n" : "", r->output ? r->output : "");
            sb_json(&js, o);
            free(o);
            sb_fmt(
                &js,
                ", \"output_format\": \"text\", \"tags\": [\"step%s\", \"%s\"], \"visibility\": \"visible\"}",
                jobs[i].step->num,
                r->def->kind == ANSWER       ? "answer"
                : r->def->kind == PROBE      ? "behaviour"
                : r->def->kind == TRANSCRIPT ? "transcript"
                                             : "gate");
        }
    }
    sb_str(&js, "\n  ]\n}\n");
    char *p = xasprintf("%s/results.json", dir);
    grade_write_file(p, js.s, js.len);
    free(p);
    free(js.s);

    /* JUnit */
    sbuf x = {0};
    for (int i = 0; i < n; i++)
        for (int k = 0; k < jobs[i].nres; k++) failures += !jobs[i].res[k].passed;
    sb_fmt(
        &x,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"tapas-in-c\" tests=\"%d\" failures=\"%d\" time=\"%.3f\">\n",
        tests, failures, seconds);
    for (int i = 0; i < n; i++) {
        const job *j = &jobs[i];
        int f = 0;
        for (int k = 0; k < j->nres; k++) f += !j->res[k].passed;
        sb_fmt(&x, "  <testsuite name=\"%s_%s\" tests=\"%d\" failures=\"%d\" time=\"%.3f\">\n",
               j->step->num, j->step->slug, j->nres, f, j->seconds);
        for (int k = 0; k < j->nres; k++) {
            const check_result *r = &j->res[k];
            sb_str(&x, "    <testcase classname=\"course.");
            sb_fmt(&x, "%s_%s\" name=\"", j->step->num, j->step->slug);
            sb_xml(&x, r->def->name);
            sb_str(&x, "\">");
            if (!r->passed) {
                sb_str(&x, "\n      <failure message=\"");
                char first[300];
                snprintf(first, sizeof first, "%s", r->message ? r->message : "failed");
                char *nl = strchr(first, '\n');
                if (nl) *nl = 0;
                sb_xml(&x, first);
                sb_str(&x, "\">");
                sb_xml(&x, r->message ? r->message : "");
                sb_str(&x, "</failure>");
                if (r->output) {
                    sb_str(&x, "\n      <system-out>");
                    sb_xml(&x, r->output);
                    sb_str(&x, "</system-out>");
                }
                sb_str(&x, "\n    ");
            }
            sb_str(&x, "</testcase>\n");
        }
        sb_str(&x, "  </testsuite>\n");
    }
    sb_str(&x, "</testsuites>\n");
    p = xasprintf("%s/junit.xml", dir);
    grade_write_file(p, x.s, x.len);
    free(p);
    free(x.s);

    /* TAP 14 */
    sbuf t = {0};
    sb_fmt(&t, "TAP version 14\n1..%d\n", tests);
    num = 0;
    for (int i = 0; i < n; i++) {
        for (int k = 0; k < jobs[i].nres; k++) {
            const check_result *r = &jobs[i].res[k];
            sb_fmt(&t, "%s %d - %s %s: %s\n", r->passed ? "ok" : "not ok", ++num, jobs[i].step->num,
                   jobs[i].step->slug, r->def->name);
            if (!r->passed) {
                sb_fmt(&t, "  ---\n  step: \"%s\"\n  points: %d\n  message: |\n", jobs[i].step->num,
                       r->def->points);
                sb_yaml_block(&t, r->message ? r->message : "failed", 4);
                if (r->output) {
                    sb_str(&t, "  output: |\n");
                    sb_yaml_block(&t, r->output, 4);
                }
                sb_str(&t, "  ...\n");
            }
        }
    }
    sb_fmt(&t, "# score %d/%d\n", total, max);
    p = xasprintf("%s/results.tap", dir);
    grade_write_file(p, t.s, t.len);
    free(p);
    free(t.s);
}

/* ------------------------------------------------------------- progress -- */

typedef struct progress {
    bool done[NSTEPS];
    int hints[NSTEPS];
    char failed[NSTEPS][64]; /* the first graded check the last run failed ("" if none) */
    char observed[NSTEPS][200]; /* and the start of what it observed (its message) */
} progress;

static char *progress_path;

static int step_index(const step_def *s)
{
    return (int)(s - course_steps);
}

static progress progress_load(void)
{
    progress p = {0};
    char *text = progress_path ? grade_read_file(progress_path, NULL) : NULL;
    if (!text) return p;
    lines l = grade_split_lines(text);
    for (int i = 0; i < l.n; i++) {
        char num[8], what[16];
        int value = 0;
        if (l.v[i][0] == '#' || sscanf(l.v[i], "%7s %15s %d", num, what, &value) < 2) continue;
        const step_def *s = find_step(num);
        if (!s) continue;
        if (!strcmp(what, "done")) p.done[step_index(s)] = true;
        if (!strcmp(what, "hints")) p.hints[step_index(s)] = value;
        if (!strcmp(what, "failed")) { /* NN failed CHECK_ID<TAB>what it observed */
            char *id = strstr(l.v[i], "failed ") + 7, *tab = strchr(id, '\t');
            snprintf(p.failed[step_index(s)], sizeof p.failed[0], "%.*s",
                     (int)(tab ? tab - id : (long)strlen(id)), id);
            snprintf(p.observed[step_index(s)], sizeof p.observed[0], "%s", tab ? tab + 1 : "");
        }
    }
    grade_free_lines(&l);
    free(text);
    return p;
}

static void progress_save(const progress *p)
{
    if (!progress_path) return;
    sbuf b = {0};
    sb_str(&b, "# Tapas in C: your progress (written by make; delete this file to start over)\n");
    for (int i = 0; i < NSTEPS; i++) {
        if (p->done[i]) sb_fmt(&b, "%s done\n", course_steps[i].num);
        if (p->hints[i]) sb_fmt(&b, "%s hints %d\n", course_steps[i].num, p->hints[i]);
        if (p->failed[i][0])
            sb_fmt(&b, "%s failed %s\t%s\n", course_steps[i].num, p->failed[i], p->observed[i]);
    }
    grade_write_file(progress_path, b.s, b.len);
    free(b.s);
}

static const step_def *current_step(const progress *p)
{
    for (int i = 0; i < NSTEPS; i++)
        if (!p->done[i]) return &course_steps[i];
    return NULL;
}

/* ---------------------------------------------------------------- hints -- */

static char *hints_text(const step_def *s)
{
    char *path = xasprintf("%s/exercises/hints/%s.md", kit, s->num);
    char *text = grade_read_file(path, NULL);
    free(path);
    return text;
}

static int hint_count(const step_def *s)
{
    char *text = hints_text(s);
    int n = 0;
    /* the ladder: every "## " section but those aimed at a failure ("## If
     * ...", which come after it) */
    for (char *p = text; p && (p = strstr(p, "\n## ")); p++) n += strncmp(p, "\n## If ", 7) != 0;
    if (text && !strncmp(text, "## ", 3) && strncmp(text, "## If ", 6)) n++;
    free(text);
    return n;
}

/* Hint number k (from 1): the text under its "## " heading. */
static char *hint_number(const step_def *s, int k)
{
    char *text = hints_text(s);
    if (!text) return NULL;
    int seen = 0;
    char *start = NULL;
    for (char *p = text; *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p)) {
        if (!strncmp(p, "## ", 3)) {
            if (start) break;
            if (++seen == k) start = p;
        }
        if (!strchr(p, '\n')) break;
    }
    char *out = NULL;
    if (start) {
        char *end = strstr(start + 3, "\n## ");
        out = end ? strndup(start, (size_t)(end - start + 1)) : xstrdup(start);
    }
    free(text);
    return out;
}

/* A hint aimed at a failure: a section of the step's hints headed
 *     ## If CHECK_ID
 *     ## If CHECK_ID ~ words the failure message contains
 * (the most specific that matches), or NULL. */
static char *hint_for_failure(const step_def *s, const char *check_id, const char *observed)
{
    char *text = hints_text(s);
    if (!text) return NULL;
    char *best = NULL;
    size_t best_len = 0;
    int best_score = 0;
    for (char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        if (strncmp(p, "## If ", 6) != 0) continue;
        size_t hl = strcspn(p, "\n");
        char head[256];
        snprintf(head, sizeof head, "%.*s", (int)(hl - 6), p + 6);
        char *tilde = strstr(head, " ~ ");
        if (tilde) *tilde = 0;
        if (strcmp(grade_trim(head), check_id) != 0) continue;
        int score = 1;
        if (tilde) {
            if (!strcasestr(observed, grade_trim(tilde + 3))) continue;
            score = 2;
        }
        if (score <= best_score) continue;
        char *body = p + hl + (p[hl] == '\n');
        char *end = strstr(body, "\n## ");
        best_score = score;
        best = body;
        best_len = end ? (size_t)(end - body + 1) : strlen(body);
    }
    char *out = best ? strndup(best, best_len) : NULL;
    free(text);
    return out;
}

/* ------------------------------------------------------------- the jobs -- */

static job make_job(const step_def *s, const char *label, const char *src, const char *answers,
                    char role)
{
    job j = {0};
    j.step = s;
    j.label = xstrdup(label);
    j.group = xstrdup(label);
    j.src = xstrdup(src);
    j.answers = answers ? xstrdup(answers) : NULL;
    j.role = role;
    j.work = xasprintf("%s/%s/%s", work_root, label, s->num);
    return j;
}

static void setup_common(void)
{
    common_dir = xasprintf("%s/common-%d", work_root, (int)getpid());
    grade_mkdir_p(common_dir);
}

static void cleanup_common(void)
{
    DIR *d = opendir(common_dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)))
            if (e->d_name[0] != '.') {
                char *p = xasprintf("%s/%s", common_dir, e->d_name);
                unlink(p);
                free(p);
            }
        closedir(d);
    }
    rmdir(common_dir);
}

/* ------------------------------------------------------------- commands -- */

/* A step's state in a few words: done; FAIL and the first check of the
 * code that failed; or, when the code passes, TODO and the predictions to
 * write or to think again about (the answers file is the next thing). */
static char *step_state(const job *j)
{
    if (j->score == j->max) return xstrdup("done");
    const check_result *first = NULL;
    int unanswered = 0, wrong = 0, failed = 0;
    for (int k = 0; k < j->nres; k++) {
        const check_result *r = &j->res[k];
        if (r->passed ||
            (r->def->points == 0 && r->def->kind != GATE_COMPILE && r->def->kind != GATE_RUN))
            continue;
        if (r->def->kind == ANSWER) {
            if (r->message && strstr(r->message, "not answered")) unanswered++;
            else wrong++;
        } else if (failed++ == 0) first = r;
    }
    if (first && failed > 1) return xasprintf("FAIL %s (+%d more)", first->def->name, failed - 1);
    if (first) return xasprintf("FAIL %s", first->def->name);
    if (unanswered && wrong)
        return xasprintf("TODO %d prediction%s to write, %d to think again about", unanswered,
                         unanswered == 1 ? "" : "s", wrong);
    if (unanswered)
        return xasprintf("TODO %d prediction%s to write", unanswered, unanswered == 1 ? "" : "s");
    return xasprintf("TODO %d prediction%s to think again about", wrong, wrong == 1 ? "" : "s");
}

/* One line per step, then the steps passed and the score: what a learner
 * reads first. */
static void print_summary(const job *jobs, int n, double seconds)
{
    int passed = 0, total = 0, max = 0;
    for (int i = 0; i < n; i++) {
        const job *j = &jobs[i];
        char *st = step_state(j);
        bool ok = j->score == j->max;
        P("  %s %-44.44s %3d/%-3d %s%s%s\n", j->step->num, j->step->title, j->score, j->max,
          ok                        ? c_green()
          : !strncmp(st, "TODO", 4) ? c_yellow()
                                    : c_red(),
          st, c_off());
        free(st);
        passed += ok, total += j->score, max += j->max;
    }
    P("%s%d of %d step%s passed, score %d/%d%s  (%.1f s)\n", c_bold(), passed, n, n == 1 ? "" : "s",
      total, max, c_off(), seconds);
}

/* The whole report, every check of every step, in DIR/report.txt. */
static void write_text_report(const job *jobs, int n, const char *dir, double seconds)
{
    grade_mkdir_p(dir);
    char *path = xasprintf("%s/report.txt", dir);
    FILE *f = fopen(path, "w");
    if (f) {
        bool saved = color;
        color = false;
        pout = f;
        print_summary(jobs, n, seconds);
        for (int i = 0; i < n; i++) {
            P("\n");
            print_job(&jobs[i], true, false);
        }
        pout = NULL;
        color = saved;
        fclose(f);
    }
    free(path);
}

static int cmd_grade(const step_def **sel, int nsel, bool update_progress)
{
    job *jobs = calloc((size_t)nsel, sizeof *jobs);
    for (int i = 0; i < nsel; i++) {
        char *src = path_in(tree_exercises, sel[i]->num, sel[i]->slug, "c");
        char *ans = path_in(tree_answers, sel[i]->num, sel[i]->slug, "answers");
        jobs[i] = make_job(sel[i], "exercises", src, ans, 'l');
        free(src);
        free(ans);
    }
    double t0 = grade_now_s();
    run_jobs(jobs, nsel);
    int total = 0, max = 0;
    progress p = progress_load();
    print_summary(jobs, nsel, grade_now_s() - t0);
    bool any_failed = false;
    for (int i = 0; i < nsel; i++) any_failed |= jobs[i].score < jobs[i].max;
    if (any_failed) printf("\n%sWhat failed:%s\n", c_bold(), c_off());
    /* the first failing step (the one to work on) in full, the others in a
     * line or two: which checks failed; everything is in report.txt */
    int shown = 0;
    for (int i = 0; i < nsel; i++) {
        if (jobs[i].score == jobs[i].max && !(!quiet && nsel == 1)) continue;
        if (shown++ == 0 || quiet) {
            print_job(&jobs[i], true, true);
            continue;
        }
        sbuf names = {0};
        int nf = 0, npred = 0;
        for (int k = 0; k < jobs[i].nres; k++) {
            const check_result *r = &jobs[i].res[k];
            if (r->passed || !r->def->points) continue;
            if (r->def->kind == ANSWER) npred++;
            else sb_fmt(&names, "%s%s", nf++ ? "; " : "", r->def->name);
        }
        if (npred)
            sb_fmt(&names, "%s%d prediction%s", nf ? "; " : "", npred, npred == 1 ? "" : "s");
        printf("%s== %s %s%s  %d/%d, not passed: %s  (details: make %s)\n", c_bold(),
               jobs[i].step->num, jobs[i].step->title, c_off(), jobs[i].score, jobs[i].max,
               names.s ? names.s : "", jobs[i].step->num);
        free(names.s);
    }
    write_text_report(jobs, nsel, out_dir, grade_now_s() - t0);
    for (int i = 0; i < nsel; i++) {
        total += jobs[i].score;
        max += jobs[i].max;
        int si = step_index(jobs[i].step);
        bool was = p.done[si];
        p.done[si] = jobs[i].score == jobs[i].max;
        p.failed[si][0] = p.observed[si][0] = 0; /* what this run did wrong: make hint follows it */
        for (int k = 0; k < jobs[i].nres; k++) {
            const check_result *r = &jobs[i].res[k];
            if (r->passed ||
                (r->def->points == 0 && r->def->kind != GATE_COMPILE && r->def->kind != GATE_RUN))
                continue;
            snprintf(p.failed[si], sizeof p.failed[si], "%s", r->def->id);
            snprintf(p.observed[si], sizeof p.observed[si], "%s", r->message ? r->message : "");
            for (char *c = p.observed[si]; *c; c++)
                if (*c == '\n' || *c == '\t') *c = ' ';
            break;
        }
        if (p.done[si] && !was && update_progress)
            printf("   %sStep %s done!%s Compare with the reference: `make solution STEP=%s`.\n",
                   c_green(), jobs[i].step->num, c_off(), jobs[i].step->num);
    }
    if (update_progress) progress_save(&p);
    write_reports(jobs, nsel, out_dir, grade_now_s() - t0);
    printf(
        "%sTotal: %d/%d%s  (the whole report: %s/report.txt; for tools: results.json, junit.xml, results.tap)\n",
        c_bold(), total, max, c_off(), rel(out_dir));
    return total == max ? 0 : 1;
}

/* The first "FILE:LINE:COL: error: ..." (or fatal error) of a compiler's
 * output, or the linker's first "undefined reference"; NULL if none. */
static char *first_error_line(const char *out)
{
    lines l = grade_split_lines(out ? out : "");
    char *found = NULL;
    for (int i = 0; i < l.n && !found; i++)
        if (strstr(l.v[i], ": error: ") || strstr(l.v[i], ": fatal error: ") ||
            strstr(l.v[i], "undefined reference"))
            found = xstrdup(l.v[i]);
    grade_free_lines(&l);
    return found;
}

static int cmd_run(const step_def *s)
{
    char *src = path_in(tree_exercises, s->num, s->slug, "c");
    char *work = xasprintf("%s/run/%s", work_root, s->num);
    grade_mkdir_p(work);
    char *obj = xasprintf("%s/learner.o", work),
         *exe = xasprintf("%s/%s_%s", work, s->num, s->slug), *out = NULL;
    char *copy = xasprintf("%s/%s_%s.c", work, s->num, s->slug);
    printf("%s$ build %s%s\n", c_dim(), rel(src), c_off());
    fflush(stdout);
    if (!copy_for_compiler(src, copy)) {
        printf("%s is missing: `make reset STEP=%s` restores it.\n", src, s->num);
        return 1;
    }
    char *demo_main = xasprintf("%s/tests/course/demo_main.c", kit);
    char *demo_obj = common_object("demo_main", demo_main);
    bool ok = compile_object(copy, obj, "-Dmain=tapa_learner_main", &out), linked = ok;
    if (ok && *grade_trim(out)) print_indented(out, "", 60); /* warnings */
    if (ok) {
        free(out);
        linked = link_program(demo_obj, obj, exe, &out);
    }
    if (!linked) { /* the verdict first, then what the compiler or linker said */
        char *first = first_error_line(out);
        printf("%sStep %s does not %s.%s %s%s%s\n", c_red(), s->num, ok ? "link" : "compile",
               c_off(), first ? "First error: " : "", first ? first : "", "");
        print_indented(out, "", ok ? 40 : 60);
        const char *hint = ok ? NULL : grade_compile_hint(out);
        if (hint) printf("%sWhat it means:%s %s\n", c_bold(), c_off(), hint);
        printf("Fix the first error in %s, then `make %s` again.\n", rel(src), s->num);
        free(first);
        free(out);
        return 1;
    }
    free(out);
    if (s->peer) {
        printf("%s$ %s%s  %s(one node of two; the grader starts the other: %s)%s\n", c_dim(),
               rel(exe), c_off(), c_dim(), grade_peer_description(), c_off());
        fflush(stdout);
        show_run_output = true;
        const step_def *sel[1] = {s};
        return cmd_grade(sel, 1, true);
    }
    printf("%s$ %s%s  %s(the tutorial's iex session, replayed)%s\n", c_dim(), rel(exe), c_off(),
           c_dim(), c_off());
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        execl(exe, exe, (char *)NULL);
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    if (WIFSIGNALED(status))
        printf("%sThe program crashed: %s.%s\n", c_red(), grade_signal_text(WTERMSIG(status)),
               c_off());
    printf("\n%s$ checking step %s%s\n", c_dim(), s->num, c_off());
    fflush(stdout);
    const step_def *sel[1] = {s};
    return cmd_grade(sel, 1, true);
}

static int cmd_hint(const step_def *s)
{
    progress p = progress_load();
    if (!s) s = current_step(&p);
    if (!s) {
        printf("Every step is done. No hints needed!\n");
        return 0;
    }
    int n = hint_count(s), si = step_index(s);
    if (n == 0) {
        printf("Step %s has no hints.\n", s->num);
        return 0;
    }
    char *aimed = p.failed[si][0] ? hint_for_failure(s, p.failed[si], p.observed[si]) : NULL;
    if (aimed) { /* what the last run did wrong comes before the ladder */
        printf("%sStep %s — about what your last run did: %s%s\n%s\n", c_bold(), s->num,
               p.failed[si], c_off(), aimed);
        if (p.observed[si][0]) printf("%s(it said: %s)%s\n", c_dim(), p.observed[si], c_off());
        printf("%s(`make hint STEP=%s` again for the general hints, %d of them.)%s\n", c_dim(),
               s->num, n, c_off());
        free(aimed);
        p.failed[si][0] = 0; /* shown: the next call climbs the ladder */
        progress_save(&p);
        return 0;
    }
    if (p.hints[si] >= n) {
        char *h = hint_number(s, n);
        printf("%sStep %s — that was the last hint (%d of %d); here it is again.%s\n%s\n", c_bold(),
               s->num, n, n, c_off(), h ? h : "");
        printf(
            "%sNo more hints for this step. Run `make %s` and read what the check says it saw; once the step "
            "passes, `make solution STEP=%s` shows the reference.%s\n",
            c_dim(), s->num, s->num, c_off());
        free(h);
        return 0;
    }
    int k = p.hints[si] + 1;
    char *h = hint_number(s, k);
    printf("%sStep %s — hint %d of %d%s\n%s\n", c_bold(), s->num, k, n, c_off(), h ? h : "");
    if (k < n)
        printf("%s(`make hint STEP=%s` again for a bigger one.)%s\n", c_dim(), s->num, c_off());
    else printf("%s(That was the last hint for step %s.)%s\n", c_dim(), s->num, c_off());
    free(h);
    p.hints[si] = k;
    progress_save(&p);
    return 0;
}

static int cmd_solution(const step_def *s)
{
    /* not the progress file's word for it (a line is easy to add): the step
     * is checked again, now, and must pass */
    char *src = path_in(tree_exercises, s->num, s->slug, "c");
    char *ans = path_in(tree_answers, s->num, s->slug, "answers");
    job j = make_job(s, "exercises", src, ans, 'l');
    free(src);
    free(ans);
    printf("%sChecking step %s first (the reference opens once it passes)...%s\n", c_dim(), s->num,
           c_off());
    fflush(stdout);
    run_jobs(&j, 1);
    bool passes = j.score == j.max;
    progress p = progress_load();
    p.done[step_index(s)] = passes;
    progress_save(&p);
    if (!passes) {
        printf("Step %s does not pass yet (%d/%d).\n", s->num, j.score, j.max);
        printf("The reference solution of step %s opens once the step passes: `make %s`.\n"
               "Until then, `make hint STEP=%s` helps step by step.\n",
               s->num, s->num, s->num);
        return 1;
    }
    char *path = xasprintf("%s/solutions/%s_%s.c", kit, s->num, s->slug);
    char *text = grade_read_file(path, NULL);
    printf("%s%s%s\n%s", c_bold(), path, c_off(), text ? text : "(missing)\n");
    free(text);
    free(path);
    return 0;
}

/* ---------------------------------------------------------------- watch -- */

static uv_timer_t watch_timer;
static uv_fs_poll_t watch_poll[2];
static const step_def *watch_step;

static void watch_arm_polls(void);

static void watch_check(uv_timer_t *t)
{
    (void)t;
    printf("%s\n", color ? "\033[2J\033[H"
                         : "----------------------------------------------------------------");
    progress p = progress_load();
    if (!watch_step) watch_step = current_step(&p);
    if (!watch_step) {
        printf("Every step is done. Congratulations! (`make` shows the course.)\n");
        uv_stop(uv_default_loop());
        return;
    }
    const step_def *sel[1] = {watch_step};
    bool saved_quiet = quiet;
    quiet = false;
    int rc = cmd_grade(sel, 1, true);
    quiet = saved_quiet;
    if (rc == 0) {
        p = progress_load();
        const step_def *next = current_step(&p);
        if (next && next != watch_step) {
            printf(
                "\n%sOn to step %s — %s.%s Read lessons/%s_%s.md, edit exercises/%s_%s.c; this window "
                "re-checks on every save.\n",
                c_bold(), next->num, next->title, c_off(), next->num, next->slug, next->num,
                next->slug);
            watch_step = next;
            watch_arm_polls();
        } else if (!next) {
            printf("\nEvery step is done. Congratulations!\n");
        }
    }
    printf("\n%sWatching exercises/ and answers/ (Ctrl-C to stop).%s\n", c_dim(), c_off());
    fflush(stdout);
}

static void watch_poke(void)
{
    uv_timer_start(&watch_timer, watch_check, 300, 0);
}

static void on_fs_event(uv_fs_event_t *h, const char *file, int events, int status)
{
    (void)h, (void)events, (void)status;
    if (file && (strstr(file, ".c") || strstr(file, ".answers"))) watch_poke();
}

static void on_fs_poll(uv_fs_poll_t *h, int status, const uv_stat_t *prev, const uv_stat_t *curr)
{
    (void)h, (void)status, (void)prev, (void)curr;
    watch_poke();
}

/* Polling as well as inotify: events are lost on some network mounts and WSL. */
static void watch_arm_polls(void)
{
    static bool started;
    for (int i = 0; i < 2; i++) {
        if (started) uv_fs_poll_stop(&watch_poll[i]);
        char *path = i == 0 ? path_in(tree_exercises, watch_step->num, watch_step->slug, "c")
                            : path_in(tree_answers, watch_step->num, watch_step->slug, "answers");
        uv_fs_poll_start(&watch_poll[i], on_fs_poll, path, 1000);
        free(path);
    }
    started = true;
}

static void on_sigint(uv_signal_t *h, int sig)
{
    (void)sig;
    printf("\nStopped watching.\n");
    uv_stop(h->loop);
}

static int cmd_watch(const step_def *s)
{
    uv_loop_t *loop = uv_default_loop();
    uv_fs_event_t ev[2];
    uv_signal_t sig;
    uv_timer_init(loop, &watch_timer);
    uv_fs_event_init(loop, &ev[0]);
    uv_fs_event_init(loop, &ev[1]);
    uv_fs_event_start(&ev[0], on_fs_event, tree_exercises, 0);
    uv_fs_event_start(&ev[1], on_fs_event, tree_answers, 0);
    uv_fs_poll_init(loop, &watch_poll[0]);
    uv_fs_poll_init(loop, &watch_poll[1]);
    uv_signal_init(loop, &sig);
    uv_signal_start(&sig, on_sigint, SIGINT);
    progress p = progress_load();
    watch_step = s ? s : current_step(&p);
    if (watch_step) watch_arm_polls();
    watch_check(NULL);
    uv_run(loop, UV_RUN_DEFAULT);
    return 0;
}

/* --------------------------------------------------------- check-course -- */

static bool words_has(const char *list, const char *id)
{
    if (!list) return false;
    size_t n = strlen(id);
    for (const char *p = list; (p = strstr(p, id)); p++)
        if ((p == list || p[-1] == ',' || p[-1] == '=') &&
            (p[n] == ',' || p[n] == ' ' || p[n] == 0 || p[n] == '\n'))
            return true;
    return false;
}

static char *expect_field(const char *expect, const char *name)
{
    if (!expect) return NULL;
    char *key = xasprintf(" %s=", name);
    const char *p = strstr(expect, key);
    free(key);
    if (!p) return NULL;
    p += strlen(name) + 2;
    size_t n = strcspn(p, " \n");
    return strndup(p, n);
}

/* Does the job behave as its role requires? NULL if so, else why not. */
static char *judge_role(job *j)
{
    sbuf b = {0};
    if (j->verify) sb_fmt(&b, "an answer's truth is not what the run shows: %s; ", j->verify);
    if (j->role == 's') {
        for (int i = 0; i < j->nres; i++)
            if (!j->res[i].passed)
                sb_fmt(&b, "the solution fails \"%s\": %s; ", j->res[i].def->name,
                       j->res[i].message ? j->res[i].message : "");
    } else if (j->role == 'x') {
        for (int i = 0; i < j->nres; i++) {
            const check_result *r = &j->res[i];
            if ((r->def->kind == GATE_COMPILE || r->def->kind == GATE_RUN) && !r->passed)
                sb_fmt(&b, "the untouched exercise must build and run, but \"%s\" fails: %s; ",
                       r->def->name, r->message ? r->message : "");
            if (r->def->points > 0 && r->passed)
                sb_fmt(&b, "the graded check \"%s\" passes on the untouched exercise; ",
                       r->def->name);
        }
    } else if (j->role == 'f') {
        char *gate = expect_field(j->expect, "gate"), *fails = expect_field(j->expect, "fail"),
             *passes = expect_field(j->expect, "pass");
        const char *want_gate = gate ? gate : "ok";
        const check_result *gc = result_for(j, "compile"), *gr = result_for(j, "run");
        const char *got_gate = gc && !gc->passed   ? gc->outcome
                               : gr && gr->outcome ? gr->outcome
                                                   : "?";
        if (!got_gate) got_gate = "?";
        if (strcmp(want_gate, got_gate) != 0)
            sb_fmt(&b, "expected the run to be told as \"%s\", got \"%s\"; ", want_gate, got_gate);
        for (int i = 0; i < j->nres; i++) {
            const check_result *r = &j->res[i];
            if (words_has(fails, r->def->id) && r->passed)
                sb_fmt(&b, "\"%s\" should fail but passes; ", r->def->id);
            if (words_has(passes, r->def->id) && !r->passed)
                sb_fmt(&b, "\"%s\" should pass but fails: %s; ", r->def->id,
                       r->message ? r->message : "");
        }
        if (j->score >= j->max)
            sb_str(&b, "the fixture gets full marks; "); /* a declared fail= always prevents it */
        if (j->says) { /* "says: ID ~ words": the failure of ID names this mistake */
            char id[64] = "", words[200] = "";
            sscanf(j->says, " %63s ~ %199[^\n]", id, words);
            const check_result *r = result_for(j, id);
            if (!r || r->passed || !r->message || !strcasestr(r->message, grade_trim(words)))
                sb_fmt(&b, "the failure of \"%s\" should say \"%s\", it says: %s; ", id,
                       grade_trim(words), r && r->message ? r->message : "(nothing)");
        }
        free(gate);
        free(fails);
        free(passes);
    }
    return b.len ? sb_take(&b) : NULL;
}

static void progress_bar(int done, int total)
{
    if (!isatty(2)) return;
    int w = 30, filled = total ? done * w / total : w;
    fprintf(stderr, "\r  [");
    for (int i = 0; i < w; i++) fputc(i < filled ? '#' : i == filled ? '>' : '-', stderr);
    fprintf(stderr, "] %d/%d%s", done, total, done == total ? "\n" : "");
}

static int cmd_check_course(const char *starters)
{
    job jobs[256];
    int n = 0;
    for (int i = 0; i < NSTEPS; i++) {
        const step_def *s = &course_steps[i];
        char *src = xasprintf("%s/solutions/%s_%s.c", kit, s->num, s->slug);
        char *ans = xasprintf("%s/solutions/answers/%s_%s.answers", kit, s->num, s->slug);
        jobs[n++] = make_job(s, "solution", src, ans, 's');
        free(src);
        src = xasprintf("%s/%s_%s.c", starters, s->num, s->slug);
        char *pristine = xasprintf("%s/answers/%s_%s.answers", kit, s->num, s->slug);
        jobs[n++] = make_job(s, "starter", src, pristine, 'x');
        free(src);
        free(pristine);
        free(ans);
    }
    char *fdir = xasprintf("%s/tests/course/fixtures", kit);
    DIR *d = opendir(fdir);
    struct dirent *e;
    char *names[128];
    int nf = 0;
    while (d && (e = readdir(d)) && nf < 128) {
        size_t l = strlen(e->d_name);
        if ((l > 2 && !strcmp(e->d_name + l - 2, ".c")) ||
            (l > 8 && !strcmp(e->d_name + l - 8, ".answers")))
            names[nf++] = xstrdup(e->d_name);
    }
    if (d) closedir(d);
    for (int i = 0; i < nf; i++)
        for (int k = i + 1; k < nf; k++)
            if (strcmp(names[i], names[k]) > 0) {
                char *t = names[i];
                names[i] = names[k];
                names[k] = t;
            }
    for (int i = 0; i < nf && n < 256; i++) {
        char num[3] = {names[i][0], names[i][1], 0};
        const step_def *s = find_step(num);
        if (!s) continue;
        /* a .c fixture is graded with the solution's answers; an .answers
         * fixture is the solution's program with these answers */
        bool answers_fixture = strstr(names[i], ".answers") != NULL;
        char *src = answers_fixture ? xasprintf("%s/solutions/%s_%s.c", kit, s->num, s->slug)
                                    : xasprintf("%s/%s", fdir, names[i]);
        char *ans = answers_fixture
                        ? xasprintf("%s/%s", fdir, names[i])
                        : xasprintf("%s/solutions/answers/%s_%s.answers", kit, s->num, s->slug);
        char label[128];
        snprintf(label, sizeof label, "fixture-%.*s",
                 (int)(strlen(names[i]) - (answers_fixture ? 8 : 2)), names[i]);
        jobs[n] = make_job(s, label, src, ans, 'f');
        char *text = grade_read_file(answers_fixture ? ans : src, NULL);
        char *says = text ? strstr(text, "says: ") : NULL;
        if (says) jobs[n].says = strndup(says + 6, strcspn(says + 6, "\n*"));
        char *pend = text ? strstr(text, "pending: ") : NULL;
        if (pend) jobs[n].pending = strndup(pend + 9, strcspn(pend + 9, " \n*("));
        char *ex = text ? strstr(text, "expect:") : NULL;
        if (ex) {
            size_t len = strcspn(ex, "\n*");
            jobs[n].expect = xasprintf(" %.*s ", (int)(len - 7), ex + 7);
            char *t = expect_field(jobs[n].expect, "timeout");
            if (t) jobs[n].timeout_s = atof(t);
            free(t);
        }
        free(text);
        n++;
        free(src);
        free(ans);
    }
    free(fdir);
    double t0 = grade_now_s();
    pool_progress = progress_bar;
    run_jobs(jobs, n);
    pool_progress = NULL;
    int bad = 0, sol_checks = 0, starter_graded = 0, starter_failed = 0, fixtures = 0, pending = 0;
    for (int i = 0; i < n; i++) {
        job *j = &jobs[i];
        j->verdict = judge_role(j);
        if (j->role == 'f' && j->pending) { /* not counted either way, but said */
            printf(
                "  %-40s %s %-18s %3d/%-3d %sPENDING %s%s: %s\n", j->label, j->step->num,
                j->step->slug, j->score, j->max, c_yellow(), j->pending, c_off(),
                j->verdict
                    ? "still passes where it must fail (expected until that change lands)"
                    : "now fails as declared: remove its \"pending:\" line so check-course requires it");
            free(j->verdict);
            j->verdict = NULL;
            fixtures++;
            pending++;
            continue;
        }
        if (j->role == 's') sol_checks += j->nres;
        if (j->role == 'x')
            for (int k = 0; k < j->nres; k++)
                if (j->res[k].def->points > 0)
                    starter_graded++, starter_failed += !j->res[k].passed;
        if (j->role == 'f') fixtures++;
        const char *role = j->role == 's' ? "solution" : j->role == 'x' ? "starter" : j->label;
        const char *v = getenv("V"); /* make V=1: a line per job; else only the wrong ones */
        if (j->verdict || (v && !strcmp(v, "1")))
            printf("  %-40s %s %-18s %3d/%-3d %s%s%s\n", role, j->step->num, j->step->slug,
                   j->score, j->max, j->verdict ? c_red() : c_green(),
                   j->verdict ? "WRONG" : "as expected", c_off());
        if (j->verdict) {
            bad++;
            print_indented(j->verdict, "      ", 20);
            if (!quiet) print_job(j, true, false);
        }
    }
    printf("check-course: Part 2's other node: %s.\n", grade_peer_description());
    printf(
        "check-course: %d jobs in %.1f s (-j%d). Solutions: %d checks, %s. Untouched exercises: %d of %d graded "
        "checks fail. Fixtures: %d, each failing as declared (%d pending a change elsewhere). %s%s%s\n",
        n, grade_now_s() - t0, njobs, sol_checks, bad ? "see above" : "all pass", starter_failed,
        starter_graded, fixtures, pending, bad ? c_red() : c_green(),
        bad ? "NOT DISCRIMINATING — see above" : "OK", c_off());
    return bad ? 1 : 0;
}

/* ------------------------------------------------------------ grade-all -- */

/* The kit's files (not build/ or .git/), as "path size mtime" lines: taken
 * before and after grade-all, so that a write outside a submission's folder
 * is reported even where the sandbox cannot be set up. */
static void snapshot_dir(sbuf *b, const char *dir, const char *skip)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char *names[4096];
    int n = 0;
    while (d && (e = readdir(d)) && n < 4096) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || !strcmp(e->d_name, ".git"))
            continue;
        names[n++] = xstrdup(e->d_name);
    }
    if (d) closedir(d);
    for (int i = 0; i < n; i++)
        for (int k = i + 1; k < n; k++)
            if (strcmp(names[i], names[k]) > 0) {
                char *t = names[i];
                names[i] = names[k];
                names[k] = t;
            }
    for (int i = 0; i < n; i++) {
        char *p = xasprintf("%s/%s", dir, names[i]);
        struct stat st;
        if (lstat(p, &st) == 0 && strcmp(p, skip) != 0) {
            sb_fmt(b, "%s %lld %lld.%09ld\n", rel(p), (long long)st.st_size,
                   (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
            if (S_ISDIR(st.st_mode)) snapshot_dir(b, p, skip);
        }
        free(p);
        free(names[i]);
    }
}

static char *kit_snapshot(void)
{
    sbuf b = {0};
    sb_str(&b, "");
    char *build = xasprintf("%s/build", kit);
    snapshot_dir(&b, kit, build);
    free(build);
    return sb_take(&b);
}

/* Lines of `after` that differ from `before`: what changed in the kit. */
static char *snapshot_diff(const char *before, const char *after)
{
    lines a = grade_split_lines(before), z = grade_split_lines(after);
    sbuf b = {0};
    sb_str(&b, "");
    for (int i = 0; i < z.n; i++) {
        bool same = false;
        for (int k = 0; k < a.n && !same; k++) same = !strcmp(a.v[k], z.v[i]);
        if (!same && *z.v[i]) sb_fmt(&b, "  changed or new: %s\n", z.v[i]);
    }
    for (int k = 0; k < a.n; k++) {
        bool same = false;
        for (int i = 0; i < z.n && !same; i++) same = !strcmp(a.v[k], z.v[i]);
        if (!same && *a.v[k]) {
            char path[600];
            sscanf(a.v[k], "%599s", path);
            bool still = false;
            for (int i = 0; i < z.n && !still; i++)
                still = !strncmp(z.v[i], path, strlen(path)) && z.v[i][strlen(path)] == ' ';
            if (!still) sb_fmt(&b, "  removed: %s\n", path);
        }
    }
    grade_free_lines(&a);
    grade_free_lines(&z);
    return sb_take(&b);
}

/* A CSV field, quoted. */
static void csv_field(sbuf *b, const char *s)
{
    sb_chr(b, '"');
    for (; s && *s; s++) {
        if (*s == '"') sb_chr(b, '"');
        sb_chr(b, *s == '\n' ? ' ' : *s);
    }
    sb_chr(b, '"');
}

/* A submission's file for a step: the kit's layout (STUDENT/exercises/
 * NN_slug.c, STUDENT/answers/NN_slug.answers) or a flat folder
 * (STUDENT/NN_slug.c, STUDENT/NN_slug.answers). */
static char *submission_file(const char *sdir, const char *sub, const step_def *s, const char *ext)
{
    char *nested = xasprintf("%s/%s/%s_%s.%s", sdir, sub, s->num, s->slug, ext);
    if (grade_file_exists(nested)) return nested;
    char *flat = xasprintf("%s/%s_%s.%s", sdir, s->num, s->slug, ext);
    if (grade_file_exists(flat)) {
        free(nested);
        return flat;
    }
    free(flat);
    return nested; /* missing: reported with the kit's path */
}

static bool known_name(const char *name, const char *ext)
{
    for (int k = 0; k < NSTEPS; k++) {
        char want[128];
        snprintf(want, sizeof want, "%s_%s.%s", course_steps[k].num, course_steps[k].slug, ext);
        if (!strcmp(name, want)) return true;
    }
    return false;
}

/* What in a submission folder the grader does not recognise ("" if all is). */
static char *submission_layout_warnings(const char *sdir)
{
    sbuf b = {0};
    sb_str(&b, "");
    const char *subs[] = {"", "exercises", "answers"};
    int found = 0;
    for (int i = 0; i < 3; i++) {
        char *d = *subs[i] ? xasprintf("%s/%s", sdir, subs[i]) : xstrdup(sdir);
        DIR *dd = opendir(d);
        struct dirent *e;
        while (dd && (e = readdir(dd))) {
            const char *nm = e->d_name;
            if (nm[0] == '.') continue;
            if (!*subs[i] && (!strcmp(nm, "exercises") || !strcmp(nm, "answers"))) continue;
            bool ok = (!strcmp(subs[i], "answers") ? false : known_name(nm, "c")) ||
                      (!strcmp(subs[i], "exercises") ? false : known_name(nm, "answers"));
            if (ok) found++;
            else if (strcmp(nm, "course.h") != 0)
                sb_fmt(&b, "%s%s%s%s not recognised (expected NN_slug.c / NN_slug.answers)",
                       b.len ? "; " : "", subs[i], *subs[i] ? "/" : "", nm);
        }
        if (dd) closedir(dd);
        free(d);
    }
    if (!found) sb_fmt(&b, "%sno exercise or answers file found", b.len ? "; " : "");
    return sb_take(&b);
}

static int cmd_grade_all(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "tapa-grade: cannot open %s\n", dir);
        return 2;
    }
    char *names[512];
    int ns = 0;
    struct dirent *e;
    while ((e = readdir(d)) && ns < 512) {
        if (e->d_name[0] == '.') continue;
        char *p = xasprintf("%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) names[ns++] = xstrdup(e->d_name);
        free(p);
    }
    closedir(d);
    for (int i = 0; i < ns; i++)
        for (int k = i + 1; k < ns; k++)
            if (strcmp(names[i], names[k]) > 0) {
                char *t = names[i];
                names[i] = names[k];
                names[k] = t;
            }
    /* the previous gradebook goes first: a run that is killed must not
     * leave last time's looking current */
    grade_mkdir_p(out_dir);
    char *book = xasprintf("%s/gradebook.csv", out_dir);
    unlink(book);
    int n = ns * NSTEPS;
    job *jobs = calloc((size_t)n + 1, sizeof *jobs);
    char **warns = calloc((size_t)ns + 1, sizeof *warns);
    for (int i = 0; i < ns; i++) {
        char *sdir = xasprintf("%s/%s", dir, names[i]);
        warns[i] = submission_layout_warnings(sdir);
        for (int k = 0; k < NSTEPS; k++) {
            const step_def *s = &course_steps[k];
            char *src = submission_file(sdir, "exercises", s, "c");
            char *ans = submission_file(sdir, "answers", s, "answers");
            jobs[i * NSTEPS + k] = make_job(s, names[i], src, ans, 'l');
            free(src);
            free(ans);
        }
        free(sdir);
    }
    /* the sandbox: bwrap where it can run, else (root) a read-only mount
     * namespace, else none; said once */
    char *why_not = NULL;
    sandbox_bwrap_on = grade_sandbox_available(&why_not);
    if (sandbox_bwrap_on) {
        grade_sandbox_kit(kit);
        char *subs = grade_abs_path(dir);
        grade_sandbox_hide(subs);
        grade_sandbox_hide(out_dir);
        grade_sandbox_hide(work_root);
        grade_sandbox_show(common_dir);
    } else {
        sandbox_on = getuid() == 0 && !getenv("TAPA_NO_SANDBOX");
        if (sandbox_on) grade_sandbox_init();
        printf("grade-all: no bubblewrap sandbox: %s. Grading without it%s.\n", why_not,
               sandbox_on ? " (each program in a read-only mount namespace instead)" : "");
    }
    free(why_not);
    char *before = kit_snapshot();
    double t0 = grade_now_s();
    pool_progress = progress_bar;
    run_jobs(jobs, n);
    pool_progress = NULL;
    char *after = kit_snapshot(), *changed = snapshot_diff(before, after);
    free(before);
    free(after);
    sbuf csv = {0};
    sb_str(&csv, "student");
    for (int k = 0; k < NSTEPS; k++)
        sb_fmt(&csv, ",%s_%s", course_steps[k].num, course_steps[k].slug);
    sb_str(&csv, ",total,max,review,warnings\n");
    for (int i = 0; i < ns; i++) {
        int total = 0, max = 0;
        sb_fmt(&csv, "\"%s\"", names[i]);
        for (int k = 0; k < NSTEPS; k++) {
            job *j = &jobs[i * NSTEPS + k];
            sb_fmt(&csv, ",%d", j->score);
            total += j->score;
            max += j->max;
        }
        sbuf rev = {0};
        sb_str(&rev, "");
        for (int k = 0; k < NSTEPS; k++)
            if (jobs[i * NSTEPS + k].review)
                sb_fmt(&rev, "%sstep %s: %s", rev.len ? "; " : "", course_steps[k].num,
                       jobs[i * NSTEPS + k].review);
        sb_fmt(&csv, ",%d,%d,", total, max);
        csv_field(&csv, rev.s);
        sb_chr(&csv, ',');
        csv_field(&csv, warns[i]);
        sb_chr(&csv, '\n');
        char *sd = xasprintf("%s/%s", out_dir, names[i]);
        write_reports(&jobs[i * NSTEPS], NSTEPS, sd, 0);
        printf("  %-30s %3d/%d%s%s\n", names[i], total, max, *rev.s ? "  REVIEW: " : "", rev.s);
        if (*warns[i]) printf("      warning: %s\n", warns[i]);
        free(rev.s);
        free(sd);
    }
    char *p = book; /* written whole, then renamed into place */
    grade_write_file(p, csv.s, csv.len);
    printf("grade-all: %d submissions in %.1f s; gradebook %s, reports in %s/STUDENT/\n", ns,
           grade_now_s() - t0, p, out_dir);
    printf(
        "grade-all: each program ran %s, in its own process group (killed whole at the end), with limits on "
        "CPU, memory and file size%s.\n",
        sandbox_bwrap_on
            ? "in a bubblewrap sandbox (own pid, mount, IPC and network namespaces; the kit "
              "read-only, its own folder and a private /tmp; Part 2 on the machine's loopback)"
        : sandbox_on
            ? "in its own mount namespace, everything read-only but its own folder and a fresh /tmp"
            : "without a sandbox",
        nproc_limit ? " and processes (RLIMIT_NPROC)"
                    : " (RLIMIT_NPROC does not hold for root: forks are bounded "
                      "only by the timeout)");
    if (*changed) {
        printf(
            "grade-all: WARNING: the kit changed while grading (a submission wrote outside its folder?):\n%s",
            changed);
        char *wp = xasprintf("%s/kit-changes.txt", out_dir);
        grade_write_file(wp, changed, strlen(changed));
        free(wp);
    } else {
        printf("grade-all: the kit's files (outside build/) are unchanged.\n");
    }
    free(changed);
    free(p);
    free(csv.s);
    return 0;
}

/* ------------------------------------------------------------------ main -- */

static void usage(FILE *to)
{
    fprintf(
        to,
        "usage: tapa-grade [grade|run|hint|solution|watch|check-course|grade-all] [STEP...] [options]\n"
        "  --kit DIR --tree DIR --exercises DIR --answers DIR --out DIR --work DIR\n"
        "  --progress FILE --starters DIR --seed N -j N -q --no-charts --list-steps\n"
        "\n"
        "grade-all DIR: one folder per student, in the kit's layout or flat:\n"
        "  DIR/STUDENT/exercises/NN_slug.c  DIR/STUDENT/answers/NN_slug.answers\n"
        "  DIR/STUDENT/NN_slug.c            DIR/STUDENT/NN_slug.answers\n"
        "  (e.g. 05_mailbox_growth.c); anything else is a warning in the summary and the gradebook.\n"
        "  Each submission is built and run in a bubblewrap sandbox where bwrap can run.\n");
}

static long count_user_processes(void)
{
    long n = 0;
    DIR *d = opendir("/proc");
    struct dirent *e;
    uid_t me = getuid();
    while (d && (e = readdir(d))) {
        if (!isdigit((unsigned char)e->d_name[0])) continue;
        char p[300];
        struct stat st;
        snprintf(p, sizeof p, "/proc/%s", e->d_name);
        if (stat(p, &st) == 0 && st.st_uid == me) n++;
    }
    if (d) closedir(d);
    return n;
}

int main(int argc, char **argv)
{
    const char *cmd = "grade", *tree = NULL, *starters = NULL, *kit_arg = ".";
    const step_def *sel[NSTEPS];
    int nsel = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define OPT(name) (!strcmp(a, name) && v && (i++, 1))
        if (OPT("--kit")) kit_arg = v;
        else if (OPT("--tree")) tree = v;
        else if (OPT("--exercises")) tree_exercises = grade_abs_path(v);
        else if (OPT("--answers")) tree_answers = grade_abs_path(v);
        else if (OPT("--out")) out_dir = grade_abs_path(v);
        else if (OPT("--work")) work_root = grade_abs_path(v);
        else if (OPT("--progress")) progress_path = grade_abs_path(v);
        else if (OPT("--starters")) starters = v;
        else if (OPT("--seed")) seed = strtoul(v, NULL, 10);
        else if (OPT("-j")) njobs = atoi(v);
        else if (!strncmp(a, "-j", 2) && a[2]) njobs = atoi(a + 2);
        else if (!strcmp(a, "-q")) quiet = true;
        else if (!strcmp(a, "--no-charts")) no_charts = true;
        else if (!strcmp(a, "-h") || !strcmp(a, "--help")) return usage(stdout), 0;
        else if (!strcmp(a, "--list-steps")) { /* NUMBER SLUG TITLE, as tools/course-steps.txt */
            for (int k = 0; k < NSTEPS; k++)
                printf("%s %s %s\n", course_steps[k].num, course_steps[k].slug,
                       course_steps[k].title);
            return 0;
        } else if (!strcmp(a, "grade") || !strcmp(a, "run") || !strcmp(a, "hint") ||
                   !strcmp(a, "solution") || !strcmp(a, "watch") || !strcmp(a, "check-course") ||
                   !strcmp(a, "grade-all"))
            cmd = a;
        else if (!strcmp(cmd, "grade-all") && !starters && a[0] != '-')
            starters = a; /* the submissions folder */
        else if (find_step(a) && nsel < NSTEPS) sel[nsel++] = find_step(a);
        else if (*a) {
            fprintf(stderr, "tapa-grade: %s is not a step (01..%02d) or an option\n", a, NSTEPS);
            usage(stderr);
            return 2;
        }
#undef OPT
    }
    kit = grade_abs_path(kit_arg);
    char *tree_abs = grade_abs_path(tree ? tree : kit);
    if (!tree_exercises) tree_exercises = xasprintf("%s/exercises", tree_abs);
    if (!tree_answers) tree_answers = xasprintf("%s/answers", tree_abs);
    if (!out_dir) out_dir = xasprintf("%s/build/grade", kit);
    if (!work_root) work_root = xasprintf("%s/work", out_dir);
    const char *e;
    if ((e = getenv("TAPA_CC")) && *e) cc = xstrdup(e);
    cflags = split_words(
        (e = getenv("TAPA_CFLAGS")) && *e
            ? e
            : "-std=c11 -D_GNU_SOURCE -O1 -g -Wall -Wextra -Wno-unused-parameter -Werror=int-conversion "
              "-Werror=incompatible-pointer-types -Werror=format -Werror=nonnull "
              "-Werror=implicit-function-declaration"); /* the Makefile's LEARNER_CFLAGS */
    libs = split_words((e = getenv("TAPA_LIBS")) && *e ? e : "-luv -lcrypto -lz -lm -lpthread");
    /* e.g. -fno-lto: libtapa.a has fat LTO objects; linking their plain code is 10x faster */
    ldflags = split_words((e = getenv("TAPA_LDFLAGS")) ? e : "");
    libtapa = (e = getenv("TAPA_LIB")) && *e ? grade_abs_path(e)
                                             : xasprintf("%s/build/release/lib/libtapa.a", kit);
    if ((e = getenv("TAPA_SLOW")) && atoi(e) > 1) slow = atoi(e);
    if ((e = getenv("TAPA_GRADE_SEED")) && *e) seed = strtoul(e, NULL, 10);
    chart_tool = (e = getenv("TAPA_CHART")) && *e ? grade_abs_path(e)
                                                  : xasprintf("%s/build/bin/tapa-chart", kit);
    if ((e = getenv("TAPA_NO_CHARTS")) && *e && strcmp(e, "0")) no_charts = true;
    /* charts of failed checks: for a learner (grade, run, watch), never in check-course or grade-all */
    charts_on =
        !no_charts && (!strcmp(cmd, "grade") || !strcmp(cmd, "run") || !strcmp(cmd, "watch"));
    color = isatty(1) && !getenv("NO_COLOR");
    nproc_limit = count_user_processes() + 256;
    grade_choose_peer();
    if (getuid() == 0) nproc_limit = 0; /* not enforced for root anyway */
    run_env = grade_make_env(run_env_add, run_env_drop);
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (!grade_file_exists(libtapa) && strcmp(cmd, "hint") && strcmp(cmd, "solution")) {
        fprintf(stderr, "tapa-grade: %s is missing: run `make lib` first.\n", libtapa);
        return 2;
    }
    grade_mkdir_p(work_root);
    setup_common();
    int rc;
    if (!strcmp(cmd, "grade")) {
        if (nsel == 0)
            for (int i = 0; i < NSTEPS; i++) sel[nsel++] = &course_steps[i];
        rc = cmd_grade(sel, nsel, true);
    } else if (!strcmp(cmd, "run")) {
        rc = nsel ? cmd_run(sel[0])
                  : (fprintf(stderr, "tapa-grade run: which step? e.g. `make 05`\n"), 2);
    } else if (!strcmp(cmd, "hint")) {
        rc = cmd_hint(nsel ? sel[0] : NULL);
    } else if (!strcmp(cmd, "solution")) {
        rc = nsel ? cmd_solution(sel[0])
                  : (fprintf(stderr, "tapa-grade solution: which step?\n"), 2);
    } else if (!strcmp(cmd, "watch")) {
        rc = cmd_watch(nsel ? sel[0] : NULL);
    } else if (!strcmp(cmd, "check-course")) {
        rc = cmd_check_course(starters ? starters : tree_exercises);
    } else {
        rc =
            starters ? cmd_grade_all(starters) : (fprintf(stderr, "tapa-grade grade-all DIR\n"), 2);
    }
    cleanup_common();
    return rc;
}
