/* steps.h — the course's steps and what is checked in each.
 *
 * Every step has two gates (0 points: the program compiles, and its demo
 * runs to the end) and graded checks of three kinds:
 *   TRANSCRIPT  the demo's output is the tutorial's iex session
 *               (tests/course/expected/NN_slug.out, pid numbers as ${name})
 *   PROBE       a verdict of tests/course/probes/NN_slug.c, a program linked
 *               with the learner's functions and run once per scenario
 *   PEER        (Part 2) a verdict of the other node: a real erl node
 *               running tests/course/peer.escript where erl is installed,
 *               else the C node tests/course/peer.c; it sees what reached
 *               it over the network, and reads the learner's output after
 *               the run to cross-check pids (pair.c: grade_run_pair)
 *   ANSWER      a prediction in answers/NN_slug.answers
 * An answer's truth is a constant, and `make check-course` proves it is
 * what the runs show: `obs` names the iex prompt whose result line shows it,
 * in the solution's run ('s') or in the untouched exercise's run ('x').
 * Checks with 0 points are reported but not scored; they may pass on the
 * untouched exercise, every other check must fail there.
 */
#ifndef TAPA_GRADE_STEPS_H
#define TAPA_GRADE_STEPS_H

typedef enum check_kind { GATE_COMPILE, GATE_RUN, TRANSCRIPT, PROBE, PEER, ANSWER } check_kind;

typedef struct check_def {
    check_kind kind;
    const char *id;
    const char *name;
    int points;
    const char *scenario, *verdict; /* PROBE */
    const char *key, *type, *truth; /* ANSWER: type int | bool | choice | term */
    const char *obs; /* ANSWER: the iex prompt whose result shows the truth */
    int obs_nth; /* which occurrence of that prompt, from 1 */
    char obs_src; /* 's': the solution's run, 'x': the untouched exercise's */
} check_def;

typedef struct step_def {
    const char *num, *slug, *title;
    const check_def *checks;
    int peer; /* Part 2: the other node is node1 (1) or node2 (2); 0: one node */
} step_def;

#define GATES                                                    \
    {.kind = GATE_COMPILE, .id = "compile", .name = "compiles"}, \
    {                                                            \
        .kind = GATE_RUN, .id = "run", .name = "runs to the end" \
    }
#define TRANSCRIPT_CHECK(pts)                                                               \
    {                                                                                       \
        .kind = TRANSCRIPT, .id = "transcript", .name = "shows the tutorial's iex session", \
        .points = pts                                                                       \
    }
#define PROBE_CHECK(scen, verd, nm, pts)                                                 \
    {                                                                                    \
        .kind = PROBE, .id = "probe." verd, .name = nm, .points = pts, .scenario = scen, \
        .verdict = verd                                                                  \
    }
#define ANSWER_CHECK(k, ty, tr, ob, nth, src)                                               \
    {                                                                                       \
        .kind = ANSWER, .id = "answer." k, .name = "prediction: " k, .points = 1, .key = k, \
        .type = ty, .truth = tr, .obs = ob, .obs_nth = nth, .obs_src = src                  \
    }
#define PEER_CHECK(verd, nm, pts)                                                    \
    {                                                                                \
        .kind = PEER, .id = "peer." verd, .name = nm, .points = pts, .verdict = verd \
    }
#define END_CHECKS \
    {              \
        .id = NULL \
    }

#define NSTEPS 14
extern const step_def course_steps[NSTEPS]; /* steps.c */

#endif
