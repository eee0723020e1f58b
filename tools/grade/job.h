/* job.h — one graded run (a job) and its checks' results, shared by
 * tapa-grade.c and grade/pair.c, with what pair.c uses of tapa-grade.c: the
 * grader's settings and its compiler (tapa-grade.c, "for grade/pair.c"). */
#ifndef TAPA_GRADE_JOB_H
#define TAPA_GRADE_JOB_H

#include "runner.h"
#include "steps.h"
#include "util.h"

typedef struct check_result {
    const check_def *def;
    bool passed;
    char *message; /* what was expected, what happened, what to try */
    char *output; /* an excerpt of what the program printed */
    char *observed; /* ANSWER: what the run showed, when it shows it */
    char *
        outcome; /* GATE_*: ok | compile-error | link-error | crash | hang | busy | deadlock | exit | flood */
} check_result;

typedef struct job {
    const step_def *step;
    char *label; /* "exercises", "solution", "starter", a fixture's or a student's name */
    char *group; /* reports are written per group */
    char *src, *answers, *work;
    char role; /* 'l' learner, 's' solution, 'x' starter, 'f' fixture */
    char *expect; /* a fixture's "expect:" line */
    check_result *res;
    int nres, score, max;
    double seconds;
    char *demo_out;
    char *verify; /* check-course: a truth that the run contradicts */
    char *verdict; /* check-course: NULL when the job behaved as its role requires */
    double timeout_s; /* a fixture's own timeout (timeout=S), else 0 */
    /* Part 2: this run's node names and cookie, and the other node's output */
    char node1[80], node2[80], cookie[48];
    char *peer_out;
    char *peer_problem; /* the other node did not start: why */
    char *chart; /* a failed behaviour check: the page with both charts (make grade, make NN) */
    char *chart_note; /* or why there is none */
    char *says; /* check-course: "ID ~ words" a fixture's failure message must contain */
    char *pending; /* check-course: a fixture that can fail only after a named change lands */
    char *
        review; /* grade-all: why a person should look at this run (it touched a verdict channel), or NULL */
    char peer_key[40]; /* Part 2: this run's secret for the other node's verdicts */
    unsigned long peer_seed; /* Part 2: fresh per run (step 13's captured value) */
} job;

static inline void set_result(check_result *r, bool passed, char *message, char *output)
{
    r->passed = passed;
    free(r->message);
    free(r->output);
    r->message = message;
    r->output = output;
}

/* The grader's settings: the kit (absolute), TAPA_SLOW, the folder of the
 * kit's own objects built once per run, the names a program's environment
 * loses (TAPA_TRACE). */
const char *grade_kit_dir(void);
int grade_slow_factor(void);
const char *grade_common_dir(void);
const char *const *grade_run_env_drop(void);

/* A fresh random secret (hex) for one run: never derived from --seed. */
void grade_random_key(char *buf, size_t size);

/* The kit's own object `name` compiled from `src`, once per grader run (malloc'd path). */
char *grade_common_object(const char *name, const char *src);

/* Link obj1 (and obj2) with the kit's runtime into exe; *output: what the linker said. */
bool grade_link_program(const char *obj1, const char *obj2, const char *exe, char **output);

#endif
